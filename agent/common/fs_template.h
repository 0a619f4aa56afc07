/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The default UICC/USIM file tree every vsim card starts from: FIDs, file
 * structures, sizes, SFIs, access rules (EF_ARR records) and default
 * contents, one table entry per file with the spec clause that defines it.
 * The profile compiler (profile.c) fills in the subscriber-specific files
 * and applies [file PATH] overrides on top. docs/profile.md has the table
 * in human form.
 */
#ifndef VSIM_FS_TEMPLATE_H
#define VSIM_FS_TEMPLATE_H

#include <stddef.h>
#include <stdint.h>

/* ADF.USIM application identifier (TS 101 220 Annex E, TS 31.102 Annex A). */
extern const uint8_t vsim_usim_aid[16];
/* ADF.ISIM (TS 101 220 Annex E: PIX 1004, TS 31.103 Annex A). */
extern const uint8_t vsim_isim_aid[16];

/* The EF_ARR files. Files under ADF.USIM use 6F06, all others 2F06. */
#define VSIM_FS_ARR_MF		0x2F06
#define VSIM_FS_ARR_USIM	0x6F06

/* Records of both EF_ARRs (same content in each, see fs_template.c). */
enum vsim_fs_rule {
	VSIM_RULE_NONE = 0,	/* no reference: always allowed */
	VSIM_RULE_ALW_ADM = 1,	/* read always; update/(de)activate ADM1 */
	VSIM_RULE_PIN_ADM,	/* read PIN1; update/(de)activate ADM1 */
	VSIM_RULE_PIN_PIN,	/* read+update PIN1; (de)activate ADM1 */
	VSIM_RULE_PIN_PIN2,	/* read PIN1; update PIN2; (de)activate ADM1 */
	VSIM_RULE_ALW_PIN,	/* read always; update PIN1; (de)activate ADM1 */
	VSIM_RULE_ACM,		/* read PIN1; update PIN2; INCREASE PIN1; (de)act ADM1 */
	VSIM_RULE_DF_ADM,	/* DFs: every administrative operation ADM1 */
	VSIM_RULE_COUNT = VSIM_RULE_DF_ADM
};

/* ISIM identity files (TS 31.103 §4.2.2-4.2.8): bytes per body or record */
#define VSIM_FS_ISIM_LEN	128
#define VSIM_FS_IMPU_RECORDS	3
#define VSIM_FS_PCSCF_RECORDS	2

/*
 * EF_SUCI_Calc_Info (TS 31.102 §4.4.11.8): A0 scheme list (4) and A1 key
 * list (2 + 3 + 2 + 65, an uncompressed P-256 key: 76 in all), rest FF.
 */
#define VSIM_FS_SUCI_INFO_LEN	96

/* Record length of both EF_ARRs (rules are padded with FF). */
#define VSIM_FS_ARR_RECLEN	48

/* Contents the profile compiler computes from profile values. */
enum vsim_fs_content {
	VSIM_FS_C_STATIC = 0,	/* template default only */
	VSIM_FS_C_DIR,		/* EF_DIR: USIM application record */
	VSIM_FS_C_ARR,		/* EF_ARR: the rule records */
	VSIM_FS_C_ICCID,	/* EF_ICCID from iccid */
	VSIM_FS_C_IMSI,		/* EF_IMSI from imsi */
	VSIM_FS_C_AD,		/* EF_AD byte 4 = mnc_length */
	VSIM_FS_C_SPN,		/* EF_SPN from spn */
	VSIM_FS_C_MSISDN,	/* EF_MSISDN record 1 from msisdn */
	VSIM_FS_C_UST,		/* EF_UST from the service list */
	VSIM_FS_C_SST,		/* EF_SST (2G) from the service list */
	VSIM_FS_C_ACC,		/* EF_ACC: access class from the last IMSI digit */
	VSIM_FS_C_IMPI,		/* ISIM EF_IMPI from [isim] impi (TS 31.103 §4.2.2) */
	VSIM_FS_C_DOMAIN,	/* ISIM EF_DOMAIN from [isim] domain (§4.2.3) */
	VSIM_FS_C_IMPU,		/* ISIM EF_IMPU records from [isim] impu (§4.2.4) */
	VSIM_FS_C_IST,		/* ISIM EF_IST from the template's ISIM services */
	VSIM_FS_C_PCSCF,	/* ISIM EF_P-CSCF records from [isim] pcscf (§4.2.8) */
	VSIM_FS_C_SUCI_INFO,	/* EF_SUCI_Calc_Info from [suci] (TS 31.102 §4.4.11.8) */
	VSIM_FS_C_ROUTING,	/* EF_Routing_Indicator from [suci] (§4.4.11.11) */
};

/* vsim_fs_entry.flags, in addition to VSIM_FILE_F_* of the image */
#define VSIM_FS_INIT_EACH	0x80	/* init[] is copied into every record */

struct vsim_fs_entry {
	const char *name;	/* "EF_IMSI", "DF_GSM", "ADF.USIM", "MF" */
	const char *clause;	/* the spec clause that defines the file */
	uint16_t fid;
	uint8_t parent;		/* index of the parent in vsim_fs_template[] */
	uint8_t type;		/* VSIM_FILE_* */
	uint8_t structure;	/* VSIM_EF_*, 0 for DFs */
	uint8_t sfi;		/* 0 = none */
	uint8_t flags;		/* VSIM_FILE_F_* | VSIM_FS_INIT_EACH */
	uint8_t rule;		/* enum vsim_fs_rule */
	uint8_t record_length;	/* linear fixed / cyclic */
	uint8_t records;	/* linear fixed / cyclic */
	uint16_t size;		/* transparent EFs */
	uint8_t content;	/* enum vsim_fs_content */
	uint8_t plmn_at;	/* 0, or 1 + offset where the home PLMN goes */
	const uint8_t *init;	/* default bytes at the body's start (rest FF) */
	uint16_t init_len;
	const uint8_t *aid;	/* ADFs: 16-byte AID; NULL = the USIM's */
	const char *label;	/* ADFs: EF_DIR label; NULL = the template's */
};

/*
 * A file-system template: the tree, and the services its files back in
 * EF_UST / EF_SST. A profile picks one by name ([card] template = NAME,
 * docs/profile.md): "default" (fs_template.c, the small test tree) or
 * "complete" (fs_complete.c, an operator card's tree).
 */
struct vsim_fs_tmpl {
	const char *name;
	const struct vsim_fs_entry *files;
	size_t count;
	const uint8_t *ust;	/* EF_UST services (TS 31.102 §4.2.8), ascending */
	size_t ust_count;
	const uint8_t *sst;	/* EF_SST services (TS 51.011 §10.3.7), ascending */
	size_t sst_count;
	const char *app_label;	/* EF_DIR record 1 label (tag 50) */
	const uint8_t *ist;	/* EF_IST services (TS 31.103 §4.2.7), ascending */
	size_t ist_count;
};

extern const struct vsim_fs_tmpl vsim_fs_tmpl_default;
extern const struct vsim_fs_tmpl vsim_fs_tmpl_complete;

/* The template called @name ("default", "complete"), or NULL. */
const struct vsim_fs_tmpl *vsim_fs_tmpl_find(const char *name);

/* The default template's table (vsim_fs_tmpl_default.files). */
extern const struct vsim_fs_entry vsim_fs_template[];
extern const size_t vsim_fs_template_count;

/* One EF_ARR record (without FF padding); rule 1..VSIM_RULE_COUNT. */
const uint8_t *vsim_fs_rule_bytes(unsigned int rule, size_t *len);

/* Services the template's files imply (TS 31.102 §4.2.8), ascending. */
extern const uint8_t vsim_fs_ust_services[];
extern const size_t vsim_fs_ust_count;
/* GSM SIM services for DF_GSM's EF_SST (TS 51.011 §10.3.7), ascending. */
extern const uint8_t vsim_fs_sst_services[];
extern const size_t vsim_fs_sst_count;

/* True when the template has an ADF.ISIM (an [isim] section needs one). */
int vsim_fs_tmpl_has_isim(const struct vsim_fs_tmpl *t);

/* Body size of an EF (0 for DFs). */
size_t vsim_fs_body_size(const struct vsim_fs_entry *e);
/* The EF_ARR FID an entry's rule refers to (0 when rule is NONE). */
uint16_t vsim_fs_arr_fid(size_t idx);
uint16_t vsim_fs_tmpl_arr_fid(const struct vsim_fs_tmpl *t, size_t idx);

/*
 * Resolve a path such as "3F00/2FE2", "ADF.USIM/6F38", "3F00/7F20/6F07"
 * or "DF_GSM/EF_IMSI" (components are FIDs or names, case-insensitive;
 * a leading 3F00 or MF is optional; 7FF0 names ADF.USIM). Returns the
 * template index or -1.
 */
int vsim_fs_lookup(const char *path);
int vsim_fs_tmpl_lookup(const struct vsim_fs_tmpl *t, const char *path);

/* "3F00/7F10/5F3A/4F30": the FIDs from the MF down to entry @idx. */
void vsim_fs_tmpl_path(const struct vsim_fs_tmpl *t, size_t idx, char *buf, size_t len);

#endif /* VSIM_FS_TEMPLATE_H */
