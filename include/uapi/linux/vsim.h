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

/* self-contained: a program may include this header first (_IOWR) */
#include <linux/ioctl.h>
#include <linux/types.h>

#define VSIM_IMAGE_MAGIC	0x4d495356	/* "VSIM" read as little-endian */
#define VSIM_IMAGE_VERSION	2
#define VSIM_IMAGE_MAX_SIZE	(96 * 1024)
#define VSIM_IMAGE_MAX_FILES	160
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
/* BER-TLV EF, FDB '39' (TS 102 221 §11.1.1.4.3); body: docs/engine.md */
#define VSIM_EF_BER_TLV		0x39

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

/*
 * Device-card binding (docs/binding.md): at every power-on the card asks
 * the terminal for its IMEI (PROVIDE LOCAL INFORMATION, TS 102 223 §6.4.15)
 * and withholds the IMSI and AUTHENTICATE from a terminal it is not bound to.
 */
#define VSIM_BIND_OFF		0
#define VSIM_BIND_FIRST_TERMINAL 1	/* bind the first IMEI seen */
#define VSIM_BIND_IMEI		2	/* one of entries[] exactly */
#define VSIM_BIND_PATTERN	3	/* entries[] with '?' wildcards, prefix match */

/* struct vsim_image_binding.flags */
#define VSIM_BIND_F_IMEISV	0x01	/* ask for and compare the 16-digit IMEISV */
#define VSIM_BIND_F_ALLOW_NO_CAT 0x02	/* terminals that cannot answer: allow */
#define VSIM_BIND_F_DISPLAY	0x04	/* tell a refused terminal with DISPLAY TEXT */

#define VSIM_BIND_ENTRIES	8
#define VSIM_BIND_DIGITS	16
#define VSIM_BIND_TEXT_MAX	64

struct vsim_image_binding {
	__u8 mode;		/* VSIM_BIND_* */
	__u8 flags;		/* VSIM_BIND_F_* */
	__u8 count;		/* entries used */
	__u8 text_len;		/* bytes of text[] used */
	/*
	 * ASCII digits, '?' for any digit, NUL-padded. IMEIs are kept without
	 * their check digit (14 digits, TS 23.003 §6.2.1); IMEISVs as 16.
	 */
	__u8 entries[VSIM_BIND_ENTRIES][VSIM_BIND_DIGITS];
	__u8 text[VSIM_BIND_TEXT_MAX];	/* DISPLAY TEXT, 8-bit data (ASCII) */
};

/*
 * SUCI calculation by the USIM (TS 31.102 §7.5 GET IDENTITY, TS 33.501
 * §6.12.2 and Annex C): the protection scheme and the home network's
 * public key. Without VSIM_SUCI_F_ENABLED every other field is zero and
 * GET IDENTITY answers 6985 (docs/engine.md).
 */
#define VSIM_SUCI_F_ENABLED	0x01

/* struct vsim_image_suci.scheme: protection scheme identifiers, TS 33.501 Annex C.1 */
#define VSIM_SUCI_NULL		0	/* the MSIN in clear */
#define VSIM_SUCI_PROFILE_A	1	/* ECIES, X25519 */
#define VSIM_SUCI_PROFILE_B	2	/* ECIES, secp256r1 */

#define VSIM_SUCI_KEY_MAX	65	/* an uncompressed P-256 point */

struct vsim_image_suci {
	__u8 flags;		/* VSIM_SUCI_F_* */
	__u8 scheme;		/* VSIM_SUCI_* */
	__u8 key_id;		/* home network public key identifier; 0 for null */
	__u8 key_len;		/* A: 32; B: 65 (uncompressed); null: 0 */
	/*
	 * Routing indicator, 1..4 BCD digits as TS 24.501 §9.11.3.4 octets
	 * 8-9 code it: digit 1 in the low nibble, unused digits F.
	 */
	__u8 routing[2];
	__u8 reserved[2];
	__u8 key[VSIM_SUCI_KEY_MAX];	/* RFC 7748 u-coordinate or SEC1 04 x y */
	__u8 reserved2[7];
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

	struct vsim_image_binding binding;

	struct vsim_image_suci suci;	/* since version 2 */

	__u32 data_size;	/* bytes of file data after the file table */
	__u32 reserved1;
	/* followed by struct vsim_image_file[file_count], then data_size bytes */
};

/*
 * Part 2, the devices (docs/uapi.md is the long form, with every error).
 *
 * /dev/vsimx (root only): VSIM_IOC_NEW_CARD builds a card from an image and
 * returns the card fd (the agent's side) and the index N of /dev/vsimN (the
 * terminal's side). The card lives exactly as long as the card fd.
 *
 * Every ioctl struct starts with __u32 size = sizeof(the struct) as the
 * caller knows it; the kernel refuses sizes it does not know (-EINVAL), so
 * a later version can grow a struct and keep the old one working. Reserved
 * fields and flags must be zero. Pointers travel as __u64.
 */
#define VSIM_IOC_MAGIC		0xB9	/* unassigned in ioctl-number.rst */

/* struct vsim_new_card.flags */
#define VSIM_NEW_CARD_F_VOLATILE 0x00000001	/* no waiting for the agent's acks */
/*
 * The agent answers the commands the card leaves to it (ENVELOPE SMS-PP
 * download and MENU SELECTION: OTA, docs/ota.md) as VSIM_EV_SLOW_APDU
 * records. Without it the card answers them 9300 (toolkit busy).
 */
#define VSIM_NEW_CARD_F_SLOW_PATH 0x00000002

struct vsim_new_card {
	__u32 size;		/* sizeof(struct vsim_new_card), or _SIZE_V1 */
	__u32 flags;		/* VSIM_NEW_CARD_F_* */
	__u64 image;		/* in: pointer to the card image */
	__u32 image_len;	/* in: its length, <= VSIM_IMAGE_MAX_SIZE */
	__u32 index;		/* out: N of /dev/vsimN */
	__s32 fd;		/* out: the card fd (O_RDWR | O_CLOEXEC) */
	__u32 reserved;
	/*
	 * Since size 48: the card's durable state as VSIM_IOC_GET_STATE gave
	 * it (0 length: fresh from the image). How a card outlives a module
	 * reload or an agent restart: the agent keeps the blob.
	 */
	__u64 state;		/* in: pointer to the state blob */
	__u32 state_len;	/* in: its length, <= VSIM_STATE_MAX_SIZE */
	__u32 reserved2;
};

#define VSIM_NEW_CARD_SIZE_V1	32	/* without state, state_len */
#define VSIM_STATE_MAX_SIZE	(VSIM_IMAGE_MAX_DATA + 4096)

#define VSIM_IOC_NEW_CARD	_IOWR(VSIM_IOC_MAGIC, 0x00, struct vsim_new_card)

/* Terminal side, /dev/vsimN. */

struct vsim_atr {
	__u32 size;		/* sizeof(struct vsim_atr) */
	__u32 len;		/* out: bytes of atr[] used */
	__u8 atr[VSIM_ATR_MAX];
	__u8 reserved[7];
};

struct vsim_transmit {
	__u32 size;		/* sizeof(struct vsim_transmit) */
	__u32 flags;		/* none defined: 0 */
	__u64 capdu;		/* in: pointer to the C-APDU */
	__u64 rapdu;		/* in: pointer to a buffer for the R-APDU */
	__u32 capdu_len;	/* in: 1..VSIM_CAPDU_MAX */
	__u32 rapdu_max;	/* in: buffer size, >= VSIM_RAPDU_MAX */
	__u32 rapdu_len;	/* out: R-APDU length (data, SW1, SW2) */
	__u32 reserved;
};

#define VSIM_CAPDU_MAX		261	/* header, Lc, 255 bytes, Le */
#define VSIM_RAPDU_MAX		258	/* 256 bytes, SW1, SW2 */

#define VSIM_IOC_POWER_ON	_IOWR(VSIM_IOC_MAGIC, 0x10, struct vsim_atr)
#define VSIM_IOC_POWER_OFF	_IO(VSIM_IOC_MAGIC, 0x11)
#define VSIM_IOC_RESET		_IOWR(VSIM_IOC_MAGIC, 0x12, struct vsim_atr)
#define VSIM_IOC_GET_ATR	_IOWR(VSIM_IOC_MAGIC, 0x13, struct vsim_atr)
#define VSIM_IOC_TRANSMIT	_IOWR(VSIM_IOC_MAGIC, 0x14, struct vsim_transmit)

/* Agent side, the card fd: ioctls. */

/* struct vsim_exec.privilege */
#define VSIM_PRIV_TERMINAL	0	/* as if sent by the terminal */
#define VSIM_PRIV_ADM		1	/* remote file management (ADM rights) */

struct vsim_exec {
	__u32 size;		/* sizeof(struct vsim_exec) */
	__u32 privilege;	/* VSIM_PRIV_* */
	__u64 capdu;
	__u64 rapdu;
	__u32 capdu_len;
	__u32 rapdu_max;
	__u32 rapdu_len;
	__u32 reserved;
};

struct vsim_state {
	__u32 size;		/* sizeof(struct vsim_state) */
	__u32 len;		/* in: buffer size; out: the blob's length */
	__u64 buf;		/* in: pointer to the buffer */
	__u64 seq;		/* out: sequence number of the last change record */
};

struct vsim_stats {
	__u32 size;		/* sizeof(struct vsim_stats) */
	__u32 reserved;
	__u64 apdus;
	__u64 auth_ok;
	__u64 auth_fail;
	__u64 events_lost;	/* records dropped because the queue was full */
};

/*
 * The agent's answer to a VSIM_EV_SLOW_APDU record: the R-APDU (data, SW1,
 * SW2) the terminal's command completes with, shaped by the card for T=0
 * (61xx, 91xx) like any other answer. The terminal waits for it at most
 * the module's slow_timeout_ms, then gets 6F00.
 */
struct vsim_slow_answer {
	__u32 size;		/* sizeof(struct vsim_slow_answer) */
	__u32 reserved;
	__u64 seq;		/* the VSIM_EV_SLOW_APDU record's seq */
	__u64 rapdu;		/* in: pointer to the R-APDU */
	__u32 rapdu_len;	/* in: 2..VSIM_RAPDU_MAX */
	__u32 reserved2;
};

/*
 * A proactive command from the agent (TS 102 223 §6.6), announced to the
 * terminal by 91xx: the card adds command details {number, type,
 * qualifier} and device identities {UICC, dest}; tlvs are the
 * COMPREHENSION-TLVs that follow them.
 */
struct vsim_proactive_cmd {
	__u32 size;		/* sizeof(struct vsim_proactive_cmd) */
	__u8 type;		/* type of command, TS 102 223 §9.4 */
	__u8 qualifier;
	__u8 dest;		/* destination device identity, §8.7 */
	__u8 flags;		/* VSIM_PROACTIVE_F_* */
	__u64 tlvs;		/* in: pointer to the TLVs */
	__u32 tlvs_len;		/* in: 0..VSIM_PROACTIVE_TLVS_MAX */
	__u32 reserved2;
};

/*
 * struct vsim_proactive_cmd.flags: announce the command only to a terminal
 * whose TERMINAL PROFILE of this power cycle declares it (TS 102 223 §5.2;
 * SET UP MENU at power-on): held until the profile comes, dropped if it
 * lacks the command's bit.
 */
#define VSIM_PROACTIVE_F_PROFILE	0x01
/*
 * The TERMINAL RESPONSE to this command is the agent's: a
 * VSIM_EV_SLOW_APDU record (80 14 ...) answered by VSIM_IOC_SLOW_ANSWER;
 * the command leaves the queue when that answer is 90xx (the Bearer
 * Independent Protocol, TS 102 223 §6.4.27-31, runs in the agent). Only
 * on a card created with VSIM_NEW_CARD_F_SLOW_PATH.
 */
#define VSIM_PROACTIVE_F_RESPONSE	0x02
/*
 * Queue the command only if this power cycle's TERMINAL PROFILE declares
 * it (TS 102 223 §5.2: for SET UP EVENT LIST every event of its list too,
 * for OPEN CHANNEL TCP in UICC client mode); -EOPNOTSUPP otherwise, and
 * before any profile came.
 */
#define VSIM_PROACTIVE_F_DECLARED	0x04
#define VSIM_PROACTIVE_F_ALL		0x07

/* a FETCH answer carries at most 255 bytes, headers included */
#define VSIM_PROACTIVE_TLVS_MAX	255

#define VSIM_IOC_EXEC		_IOWR(VSIM_IOC_MAGIC, 0x20, struct vsim_exec)
#define VSIM_IOC_GET_STATE	_IOWR(VSIM_IOC_MAGIC, 0x21, struct vsim_state)
#define VSIM_IOC_GET_STATS	_IOWR(VSIM_IOC_MAGIC, 0x22, struct vsim_stats)
#define VSIM_IOC_SLOW_ANSWER	_IOW(VSIM_IOC_MAGIC, 0x23, struct vsim_slow_answer)
#define VSIM_IOC_QUEUE_PROACTIVE _IOW(VSIM_IOC_MAGIC, 0x24, struct vsim_proactive_cmd)

/*
 * Agent side, the card fd: read() returns one event per call, a struct
 * vsim_event followed by len bytes of data. A buffer smaller than the whole
 * record gets -EMSGSIZE and the record stays queued; VSIM_EVENT_MAX bytes
 * always suffice.
 */
#define VSIM_EV_POWER		1	/* data: none; arg = VSIM_POWER_* */
#define VSIM_EV_PERSIST		2	/* data: the new bytes at [offset, offset + len) */
#define VSIM_EV_SLOW_APDU	3	/* data: a C-APDU; VSIM_IOC_SLOW_ANSWER */

/* struct vsim_event.arg for VSIM_EV_POWER */
#define VSIM_POWER_OFF		0
#define VSIM_POWER_ON		1
#define VSIM_POWER_RESET	2

/* struct vsim_event.flags */
#define VSIM_EV_F_ACK		0x0001	/* the card waits for a struct vsim_ack */
#define VSIM_EV_F_LOST		0x0002	/* records were dropped before this one */

struct vsim_event {
	__u16 type;		/* VSIM_EV_* */
	__u16 flags;		/* VSIM_EV_F_* */
	__u32 len;		/* bytes of data after this header */
	__u64 seq;		/* record number, increasing by one per record */
	__u32 offset;		/* VSIM_EV_PERSIST: offset in the state blob */
	__u32 arg;		/* VSIM_EV_POWER: VSIM_POWER_* */
	/* followed by len bytes */
};

#define VSIM_EVENT_MAX		(sizeof(struct vsim_event) + VSIM_IMAGE_MAX_SIZE)

/*
 * Agent side, the card fd: write() of exactly one struct vsim_ack answers
 * the record the card is waiting for. status 0: committed; a negative errno:
 * the agent could not commit it, the command fails (6581) and nothing
 * changes. An ack for any other seq gets -ENOENT (the wait timed out or was
 * interrupted: the card did not apply that change).
 */
struct vsim_ack {
	__u64 seq;
	__s32 status;
	__u32 reserved;
};

#endif /* _UAPI_LINUX_VSIM_H */
