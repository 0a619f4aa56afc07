/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vsim: the contract between vsim.ko and userspace.
 *
 * Part 1, the card image: one self-contained blob that describes a whole
 * card (secrets, PINs, file tree, file contents). vsimctl compiles a profile
 * into it; the kernel takes it in VSIM_IOC_NEW_CARD; the engine validates it
 * completely before it builds a card from it. All integers are in the host's
 * byte order (the image is built and used on the same machine). See
 * docs/engine.md for the validation rules.
 */
#ifndef _UAPI_LINUX_VSIM_H
#define _UAPI_LINUX_VSIM_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <linux/types.h>
#endif

#define VSIM_IMAGE_MAGIC	0x4d495356	/* "VSIM" read as little-endian */
#define VSIM_IMAGE_VERSION	1
#define VSIM_IMAGE_MAX_SIZE	(96 * 1024)
#define VSIM_IMAGE_MAX_FILES	128
#define VSIM_IMAGE_MAX_DATA	(64 * 1024)
#define VSIM_ATR_MAX		33	/* ISO 7816-3 §8.2.1 */
#define VSIM_AID_MAX		16	/* TS 101 220 §4.1 */

/* struct vsim_image_file.type */
#define VSIM_FILE_MF		1
#define VSIM_FILE_DF		2
#define VSIM_FILE_ADF		3
#define VSIM_FILE_EF		4

/* struct vsim_image_file.structure, for EFs (TS 102 221 §11.1.1.4.3) */
#define VSIM_EF_TRANSPARENT	1
#define VSIM_EF_LINEAR_FIXED	2
#define VSIM_EF_CYCLIC		6

/* struct vsim_image_file.flags */
#define VSIM_FILE_F_DEACTIVATED	0x01	/* life cycle "operational, deactivated" */
#define VSIM_FILE_F_INCREASE	0x02	/* cyclic EF that allows INCREASE */

/*
 * One file. Files are listed parents first; file 0 is the MF and is its own
 * parent. Access rules are a reference to a record of an EF_ARR, looked up
 * the way TS 102 221 §9.2.5 resolves tag 8B (the ARR in the current DF, its
 * parents, then the MF).
 */
struct vsim_image_file {
	__u16 fid;
	__u16 parent;		/* index of the parent DF/ADF/MF in the file table */
	__u8 type;		/* VSIM_FILE_* */
	__u8 structure;		/* VSIM_EF_*, 0 for DFs */
	__u8 sfi;		/* short file identifier 1..30, 0 for none */
	__u8 flags;		/* VSIM_FILE_F_* */
	__u16 arr_fid;		/* EF_ARR holding the rule, 0 = none (always) */
	__u8 arr_record;	/* record in that EF_ARR */
	__u8 record_length;	/* linear fixed and cyclic EFs */
	__u32 size;		/* EF body in bytes (records * record_length) */
	__u32 data_offset;	/* body start in the image's data area */
	__u8 aid_len;		/* ADF only */
	__u8 reserved[3];
	__u8 aid[VSIM_AID_MAX];
};

/* struct vsim_image_pin.flags */
#define VSIM_PIN_F_ENABLED	0x01	/* verification required */
#define VSIM_PIN_F_DISABLE_OK	0x02	/* DISABLE PIN allowed (TS 102 221 §11.1.11) */

/* Index of each PIN in struct vsim_image_header.pins */
#define VSIM_PIN_IDX_PIN1	0	/* key reference 01 */
#define VSIM_PIN_IDX_PIN2	1	/* key reference 81 */
#define VSIM_PIN_IDX_ADM1	2	/* key reference 0A */
#define VSIM_PIN_COUNT		3

struct vsim_image_pin {
	__u8 value[8];		/* ASCII digits, padded with 0xFF (TS 102 221 §9.5.2) */
	__u8 puk[8];		/* unblocking key; ADM1 has none (all 0xFF) */
	__u8 max_tries;		/* 1..15 */
	__u8 puk_max_tries;	/* 1..15, 0 if there is no PUK */
	__u8 flags;		/* VSIM_PIN_F_* */
	__u8 reserved;
};

/* struct vsim_image_header.flags */
#define VSIM_IMAGE_F_OP_IS_OPC	0x01	/* reserved: the image always holds OPc */

struct vsim_image_header {
	__u32 magic;		/* VSIM_IMAGE_MAGIC */
	__u16 version;		/* VSIM_IMAGE_VERSION */
	__u16 header_size;	/* sizeof(struct vsim_image_header) */
	__u32 total_size;	/* header + file table + data */
	__u32 flags;		/* none defined yet: must be 0 */

	__u8 atr_len;
	__u8 atr[VSIM_ATR_MAX];
	__u8 sqn_ind_bits;	/* TS 33.102 Annex C.3.2 IND length, 0..5 */
	__u8 reserved0;
	__u16 file_count;

	__u8 k[16];		/* subscriber key: never readable by any command */
	__u8 opc[16];		/* OPc = AES_K(OP) xor OP, TS 35.206 */

	/* TS 33.102 Annex C.2.2: largest accepted SEQ step, 0 = unlimited */
	__u64 sqn_delta;
	/* TS 33.102 Annex C.2.2 age limit L on SEQ_MS - SEQ, 0 = off */
	__u64 sqn_limit;

	struct vsim_image_pin pins[VSIM_PIN_COUNT];

	__u32 data_size;	/* bytes of file data after the file table */
	__u32 reserved1;
	/* followed by struct vsim_image_file[file_count], then data_size bytes */
};

#endif /* _UAPI_LINUX_VSIM_H */
