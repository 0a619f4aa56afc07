// SPDX-License-Identifier: GPL-2.0-only
/*
 * The default UICC/USIM file tree (see fs_template.h). One entry per file,
 * parents first, with the clause that defines the file. Sizes and default
 * contents follow the clause and TS 31.102 Annex E / TS 34.108 §8 where
 * those suggest values; everything not listed is FF.
 * Access rules: each entry names a record of EF_ARR (2F06 outside the
 * USIM, 6F06 inside it); the records are vsim_fs_rules[] below.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <linux/vsim.h>

#include "common/fs_defaults.h"
#include "common/fs_template.h"

const uint8_t vsim_usim_aid[16] = {
	0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02, 0xFF,
	0xFF, 0xFF, 0xFF, 0x89, 0x07, 0x09, 0x00, 0x00,
};

const uint8_t vsim_isim_aid[16] = {
	0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x04, 0xFF,
	0xFF, 0xFF, 0xFF, 0x89, 0x07, 0x09, 0x00, 0x00,
};

/*
 * EF_ARR records in the ISO 7816-4 §9.3.3 expanded format: pairs of an
 * AM_DO (tag 80: access-mode byte, ISO 7816-4 Table 18 for EFs / Table 17
 * for DFs; tag 84: one command INS) and an SC_DO (90 00 always, 97 00
 * never, A4 = CRT "user authentication" with key reference 83 and usage
 * qualifier 95 01 08 "user authentication, knowledge based").
 * Key references per TS 102 221 §9.5.1 Table 9.3: 01 PIN1, 81 PIN2, 0A ADM1.
 */
#define AM(b)		0x80, 0x01, (b)
#define AM_INS(i)	0x84, 0x01, (i)
#define SC_ALW		0x90, 0x00
#define SC_KEY(k)	0xA4, 0x06, 0x83, 0x01, (k), 0x95, 0x01, 0x08
#define PIN1	0x01
#define PIN2	0x81
#define ADM1	0x0A
/* ISO 7816-4 Table 18 (EF access-mode byte) */
#define AM_READ		0x01
#define AM_UPDATE	0x02
#define AM_DEACT	0x08
#define AM_ACT		0x10
#define INS_INCREASE	0x32	/* TS 102 221 §11.3.1 */

static const uint8_t rule_alw_adm[] = {
	AM(AM_READ), SC_ALW,
	AM(AM_UPDATE | AM_DEACT | AM_ACT), SC_KEY(ADM1),
};
static const uint8_t rule_pin_adm[] = {
	AM(AM_READ), SC_KEY(PIN1),
	AM(AM_UPDATE | AM_DEACT | AM_ACT), SC_KEY(ADM1),
};
static const uint8_t rule_pin_pin[] = {
	AM(AM_READ | AM_UPDATE), SC_KEY(PIN1),
	AM(AM_DEACT | AM_ACT), SC_KEY(ADM1),
};
static const uint8_t rule_pin_pin2[] = {
	AM(AM_READ), SC_KEY(PIN1),
	AM(AM_UPDATE), SC_KEY(PIN2),
	AM(AM_DEACT | AM_ACT), SC_KEY(ADM1),
};
static const uint8_t rule_alw_pin[] = {
	AM(AM_READ), SC_ALW,
	AM(AM_UPDATE), SC_KEY(PIN1),
	AM(AM_DEACT | AM_ACT), SC_KEY(ADM1),
};
/* TS 31.102 §4.2.9 EF_ACM: READ PIN, UPDATE PIN2, INCREASE PIN */
static const uint8_t rule_acm[] = {
	AM(AM_READ), SC_KEY(PIN1),
	AM(AM_UPDATE), SC_KEY(PIN2),
	AM_INS(INS_INCREASE), SC_KEY(PIN1),
	AM(AM_DEACT | AM_ACT), SC_KEY(ADM1),
};
/* ISO 7816-4 Table 17 (DF): b1 delete child .. b7 delete self, all ADM1 */
static const uint8_t rule_df_adm[] = {
	AM(0x7F), SC_KEY(ADM1),
};

static const struct {
	const uint8_t *b;
	size_t len;
} vsim_fs_rules[VSIM_RULE_COUNT + 1] = {
	[VSIM_RULE_ALW_ADM] = { rule_alw_adm, sizeof(rule_alw_adm) },
	[VSIM_RULE_PIN_ADM] = { rule_pin_adm, sizeof(rule_pin_adm) },
	[VSIM_RULE_PIN_PIN] = { rule_pin_pin, sizeof(rule_pin_pin) },
	[VSIM_RULE_PIN_PIN2] = { rule_pin_pin2, sizeof(rule_pin_pin2) },
	[VSIM_RULE_ALW_PIN] = { rule_alw_pin, sizeof(rule_alw_pin) },
	[VSIM_RULE_ACM] = { rule_acm, sizeof(rule_acm) },
	[VSIM_RULE_DF_ADM] = { rule_df_adm, sizeof(rule_df_adm) },
};

_Static_assert(sizeof(rule_acm) <= VSIM_FS_ARR_RECLEN, "ARR record too long");

const uint8_t *vsim_fs_rule_bytes(unsigned int rule, size_t *len)
{
	if (rule < 1 || rule > VSIM_RULE_COUNT)
		return NULL;
	*len = vsim_fs_rules[rule].len;
	return vsim_fs_rules[rule].b;
}

/*
 * EF_UST services the tree supports (TS 31.102 §4.2.8): 10 SMS (EF_SMS,
 * EF_SMSS), 12 SMSP, 13 AoC (EF_ACM, EF_ACMmax, EF_PUCT), 19 SPN, 21 MSISDN,
 * 27 GSM access, 33 "shall be set to 1", 34 EST, 38 GSM security context
 * (AUTHENTICATE P2=80), 85 EPS mobility management (EF_EPSLOCI, EF_EPSNSC).
 */
const uint8_t vsim_fs_ust_services[] = { 10, 12, 13, 19, 21, 27, 33, 34, 38, 85 };
const size_t vsim_fs_ust_count = sizeof(vsim_fs_ust_services);
/* EF_SST services (TS 51.011 §10.3.7): 1 CHV1 disable, 7 PLMN selector, 17 SPN */
const uint8_t vsim_fs_sst_services[] = { 1, 7, 17 };
const size_t vsim_fs_sst_count = sizeof(vsim_fs_sst_services);

/* Default contents only this tree uses; the shared ones: fs_defaults.h */
static const uint8_t d_sms[] = { 0x00 };		/* status: free record */

enum {
	I_MF = 0, I_DIR, I_ICCID, I_PL, I_ARR, I_TELECOM, I_GSM,
	I_GSM_IMSI, I_GSM_KC, I_GSM_PLMNSEL, I_GSM_HPLMN, I_GSM_SST,
	I_GSM_SPN, I_GSM_ACC, I_GSM_FPLMN, I_GSM_LOCI, I_GSM_AD, I_GSM_PHASE,
	I_USIM,
};

#define DF(n, f, p, t, c) \
	.name = n, .fid = f, .parent = p, .type = t, .rule = VSIM_RULE_DF_ADM, .clause = c
#define EFT(n, f, p, s, sz, r, c) \
	.name = n, .fid = f, .parent = p, .type = VSIM_FILE_EF, \
	.structure = VSIM_EF_TRANSPARENT, .sfi = s, .size = sz, .rule = r, .clause = c
#define EFL(n, f, p, s, rl, nr, r, c) \
	.name = n, .fid = f, .parent = p, .type = VSIM_FILE_EF, \
	.structure = VSIM_EF_LINEAR_FIXED, .sfi = s, .record_length = rl, \
	.records = nr, .rule = r, .clause = c
#define INIT(a)		.init = a, .init_len = sizeof(a)

const struct vsim_fs_entry vsim_fs_template[] = {
	[I_MF] = { DF("MF", 0x3F00, I_MF, VSIM_FILE_MF, "TS 102 221 §8.2") },
	[I_DIR] = { EFL("EF_DIR", 0x2F00, I_MF, 0x1E, 32, 2, VSIM_RULE_ALW_ADM,
			"TS 102 221 §13.1"), .content = VSIM_FS_C_DIR },
	[I_ICCID] = { EFT("EF_ICCID", 0x2FE2, I_MF, 0x02, 10, VSIM_RULE_ALW_ADM,
			  "TS 102 221 §13.2"), .content = VSIM_FS_C_ICCID },
	[I_PL] = { EFT("EF_PL", 0x2F05, I_MF, 0x05, 10, VSIM_RULE_ALW_PIN,
		     "TS 102 221 §13.3") },
	[I_ARR] = { EFL("EF_ARR", 0x2F06, I_MF, 0x06, VSIM_FS_ARR_RECLEN,
			VSIM_RULE_COUNT, VSIM_RULE_ALW_ADM, "TS 102 221 §13.4"),
		    .content = VSIM_FS_C_ARR },
	[I_TELECOM] = { DF("DF_TELECOM", 0x7F10, I_MF, VSIM_FILE_DF,
			 "TS 31.102 §4.7 (Figure 4.1)") },
	[I_GSM] = { DF("DF_GSM", 0x7F20, I_MF, VSIM_FILE_DF, "TS 51.011 §10.7") },
	/* DF_GSM: what 2G (CLA A0) clients read; TS 51.011 §10.3 */
	[I_GSM_IMSI] = { EFT("EF_IMSI", 0x6F07, I_GSM, 0, 9, VSIM_RULE_PIN_ADM,
			     "TS 51.011 §10.3.2"), .content = VSIM_FS_C_IMSI },
	[I_GSM_KC] = { EFT("EF_KC", 0x6F20, I_GSM, 0, 9, VSIM_RULE_PIN_PIN,
			   "TS 51.011 §10.3.3"), INIT(d_kc) },
	[I_GSM_PLMNSEL] = { EFT("EF_PLMNsel", 0x6F30, I_GSM, 0, 24, VSIM_RULE_PIN_PIN,
			      "TS 51.011 §10.3.4") },
	[I_GSM_HPLMN] = { EFT("EF_HPLMN", 0x6F31, I_GSM, 0, 1, VSIM_RULE_PIN_ADM,
			      "TS 51.011 §10.3.5"), INIT(d_hpplmn) },
	[I_GSM_SST] = { EFT("EF_SST", 0x6F38, I_GSM, 0, 5, VSIM_RULE_PIN_ADM,
			    "TS 51.011 §10.3.7"), .content = VSIM_FS_C_SST },
	[I_GSM_SPN] = { EFT("EF_SPN", 0x6F46, I_GSM, 0, 17, VSIM_RULE_ALW_ADM,
			    "TS 51.011 §10.3.11"), .content = VSIM_FS_C_SPN },
	[I_GSM_ACC] = { EFT("EF_ACC", 0x6F78, I_GSM, 0, 2, VSIM_RULE_PIN_ADM,
			    "TS 51.011 §10.3.15"), .content = VSIM_FS_C_ACC },
	[I_GSM_FPLMN] = { EFT("EF_FPLMN", 0x6F7B, I_GSM, 0, 12, VSIM_RULE_PIN_PIN,
			    "TS 51.011 §10.3.16") },
	[I_GSM_LOCI] = { EFT("EF_LOCI", 0x6F7E, I_GSM, 0, 11, VSIM_RULE_PIN_PIN,
			     "TS 51.011 §10.3.17"), INIT(d_loci), .plmn_at = 1 + 4 },
	[I_GSM_AD] = { EFT("EF_AD", 0x6FAD, I_GSM, 0, 4, VSIM_RULE_ALW_ADM,
			   "TS 51.011 §10.3.18"), INIT(d_ad), .content = VSIM_FS_C_AD },
	[I_GSM_PHASE] = { EFT("EF_Phase", 0x6FAE, I_GSM, 0, 1, VSIM_RULE_ALW_ADM,
			      "TS 51.011 §10.3.19"), INIT(d_phase) },
	/* ADF.USIM: selected by AID; 7FF0 is the conventional path FID */
	[I_USIM] = { DF("ADF.USIM", 0x7FF0, I_MF, VSIM_FILE_ADF, "TS 31.102 §4.2, Annex A") },
	{ EFT("EF_LI", 0x6F05, I_USIM, 0x02, 10, VSIM_RULE_ALW_PIN, "TS 31.102 §4.2.1") },
	{ EFL("EF_ARR", 0x6F06, I_USIM, 0x17, VSIM_FS_ARR_RECLEN, VSIM_RULE_COUNT,
	      VSIM_RULE_ALW_ADM, "TS 31.102 §4.2.57"), .content = VSIM_FS_C_ARR },
	{ EFT("EF_IMSI", 0x6F07, I_USIM, 0x07, 9, VSIM_RULE_PIN_ADM, "TS 31.102 §4.2.2"),
	  .content = VSIM_FS_C_IMSI },
	{ EFT("EF_KEYS", 0x6F08, I_USIM, 0x08, 33, VSIM_RULE_PIN_PIN, "TS 31.102 §4.2.3"),
	  INIT(d_keys) },
	{ EFT("EF_KEYSPS", 0x6F09, I_USIM, 0x09, 33, VSIM_RULE_PIN_PIN, "TS 31.102 §4.2.4"),
	  INIT(d_keys) },
	{ EFT("EF_HPPLMN", 0x6F31, I_USIM, 0x12, 1, VSIM_RULE_PIN_ADM, "TS 31.102 §4.2.6"),
	  INIT(d_hpplmn) },
	{ EFT("EF_ACMmax", 0x6F37, I_USIM, 0, 3, VSIM_RULE_PIN_PIN2, "TS 31.102 §4.2.7"),
	  INIT(d_zero3) },
	{ EFT("EF_UST", 0x6F38, I_USIM, 0x04, 11, VSIM_RULE_PIN_ADM, "TS 31.102 §4.2.8"),
	  .content = VSIM_FS_C_UST },
	{ .name = "EF_ACM", .fid = 0x6F39, .parent = I_USIM, .type = VSIM_FILE_EF,
	  .structure = VSIM_EF_CYCLIC, .record_length = 3, .records = 5,
	  .flags = VSIM_FILE_F_INCREASE | VSIM_FS_INIT_EACH, .rule = VSIM_RULE_ACM,
	  INIT(d_zero3), .clause = "TS 31.102 §4.2.9" },
	{ EFL("EF_SMS", 0x6F3C, I_USIM, 0, 176, 10, VSIM_RULE_PIN_PIN, "TS 31.102 §4.2.25"),
	  .flags = VSIM_FS_INIT_EACH, INIT(d_sms) },
	{ EFL("EF_MSISDN", 0x6F40, I_USIM, 0, 24, 2, VSIM_RULE_PIN_PIN, "TS 31.102 §4.2.26"),
	  .content = VSIM_FS_C_MSISDN },
	{ EFT("EF_PUCT", 0x6F41, I_USIM, 0, 5, VSIM_RULE_PIN_PIN2, "TS 31.102 §4.2.13"),
	  INIT(d_puct) },
	{ EFL("EF_SMSP", 0x6F42, I_USIM, 0, 40, 2, VSIM_RULE_PIN_PIN, "TS 31.102 §4.2.27") },
	{ EFT("EF_SMSS", 0x6F43, I_USIM, 0, 2, VSIM_RULE_PIN_PIN, "TS 31.102 §4.2.28") },
	{ EFT("EF_SPN", 0x6F46, I_USIM, 0, 17, VSIM_RULE_ALW_ADM, "TS 31.102 §4.2.12"),
	  .content = VSIM_FS_C_SPN },
	{ EFT("EF_EST", 0x6F56, I_USIM, 0x05, 1, VSIM_RULE_PIN_PIN2, "TS 31.102 §4.2.47"),
	  INIT(d_est) },
	{ EFT("EF_START-HFN", 0x6F5B, I_USIM, 0x0F, 6, VSIM_RULE_PIN_PIN, "TS 31.102 §4.2.51"),
	  INIT(d_hfn) },
	{ EFT("EF_THRESHOLD", 0x6F5C, I_USIM, 0x10, 3, VSIM_RULE_PIN_ADM, "TS 31.102 §4.2.52") },
	{ EFT("EF_PSLOCI", 0x6F73, I_USIM, 0x0C, 14, VSIM_RULE_PIN_PIN, "TS 31.102 §4.2.23"),
	  INIT(d_psloci), .plmn_at = 1 + 7 },
	{ EFT("EF_ACC", 0x6F78, I_USIM, 0x06, 2, VSIM_RULE_PIN_ADM, "TS 31.102 §4.2.15"),
	  .content = VSIM_FS_C_ACC },
	{ EFT("EF_FPLMN", 0x6F7B, I_USIM, 0x0D, 12, VSIM_RULE_PIN_PIN, "TS 31.102 §4.2.16") },
	{ EFT("EF_LOCI", 0x6F7E, I_USIM, 0x0B, 11, VSIM_RULE_PIN_PIN, "TS 31.102 §4.2.17"),
	  INIT(d_loci), .plmn_at = 1 + 4 },
	{ EFT("EF_AD", 0x6FAD, I_USIM, 0x03, 4, VSIM_RULE_ALW_ADM, "TS 31.102 §4.2.18"),
	  INIT(d_ad), .content = VSIM_FS_C_AD },
	{ EFL("EF_ECC", 0x6FB7, I_USIM, 0x01, 4, 5, VSIM_RULE_ALW_ADM, "TS 31.102 §4.2.21"),
	  INIT(d_ecc) },
	{ EFT("EF_NETPAR", 0x6FC4, I_USIM, 0, 32, VSIM_RULE_PIN_PIN,
	      "TS 31.102 §4.2 (EF_NETPAR)") },
	{ EFT("EF_EPSLOCI", 0x6FE3, I_USIM, 0x1E, 18, VSIM_RULE_PIN_PIN, "TS 31.102 §4.2.91"),
	  INIT(d_epsloci), .plmn_at = 1 + 12 },
	{ EFL("EF_EPSNSC", 0x6FE4, I_USIM, 0x18, 54, 1, VSIM_RULE_PIN_PIN,
	      "TS 31.102 §4.2.92"), INIT(d_epsnsc) },
};

const size_t vsim_fs_template_count = sizeof(vsim_fs_template) / sizeof(vsim_fs_template[0]);

_Static_assert(sizeof(vsim_fs_template) / sizeof(vsim_fs_template[0]) <= VSIM_IMAGE_MAX_FILES,
	       "too many files");

const struct vsim_fs_tmpl vsim_fs_tmpl_default = {
	.name = "default",
	.files = vsim_fs_template,
	.count = sizeof(vsim_fs_template) / sizeof(vsim_fs_template[0]),
	.ust = vsim_fs_ust_services,
	.ust_count = sizeof(vsim_fs_ust_services),
	.sst = vsim_fs_sst_services,
	.sst_count = sizeof(vsim_fs_sst_services),
	.app_label = "vsim USIM",
};

const struct vsim_fs_tmpl *vsim_fs_tmpl_find(const char *name)
{
	static const struct vsim_fs_tmpl *const all[] = {
		&vsim_fs_tmpl_default, &vsim_fs_tmpl_complete,
	};
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcasecmp(all[i]->name, name))
			return all[i];
	return NULL;
}

int vsim_fs_tmpl_has_isim(const struct vsim_fs_tmpl *t)
{
	size_t i;

	for (i = 0; i < t->count; i++)
		if (t->files[i].type == VSIM_FILE_ADF && t->files[i].aid == vsim_isim_aid)
			return 1;
	return 0;
}

size_t vsim_fs_body_size(const struct vsim_fs_entry *e)
{
	if (e->type != VSIM_FILE_EF)
		return 0;
	if (e->structure == VSIM_EF_TRANSPARENT || e->structure == VSIM_EF_BER_TLV)
		return e->size;
	return (size_t)e->record_length * e->records;
}

static int in_usim(const struct vsim_fs_tmpl *t, size_t idx)
{
	while (idx != I_MF) {
		if (t->files[idx].type == VSIM_FILE_ADF)
			return 1;
		idx = t->files[idx].parent;
	}
	return 0;
}

uint16_t vsim_fs_tmpl_arr_fid(const struct vsim_fs_tmpl *t, size_t idx)
{
	const struct vsim_fs_entry *e = &t->files[idx];

	if (e->rule == VSIM_RULE_NONE)
		return 0;
	/* A DF's own rule lives in the MF's EF_ARR (found via its parents). */
	if (e->type == VSIM_FILE_EF && in_usim(t, idx))
		return VSIM_FS_ARR_USIM;
	return VSIM_FS_ARR_MF;
}

uint16_t vsim_fs_arr_fid(size_t idx)
{
	return vsim_fs_tmpl_arr_fid(&vsim_fs_tmpl_default, idx);
}

static int component_matches(const struct vsim_fs_entry *e, const char *c, size_t n)
{
	char fid[5];

	if (strlen(e->name) == n && strncasecmp(e->name, c, n) == 0)
		return 1;
	if (n != 4)
		return 0;
	snprintf(fid, sizeof(fid), "%04X", e->fid);
	return strncasecmp(fid, c, 4) == 0;
}

int vsim_fs_tmpl_lookup(const struct vsim_fs_tmpl *t, const char *path)
{
	size_t cur = I_MF, i;
	const char *p = path;
	int first = 1;

	while (*p) {
		const char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		int found = -1;

		if (n == 0)
			return -1;
		if (first && (component_matches(&t->files[I_MF], p, n))) {
			found = I_MF;
		} else {
			for (i = 1; i < t->count; i++) {
				if (t->files[i].parent == cur &&
				    component_matches(&t->files[i], p, n)) {
					found = (int)i;
					break;
				}
			}
		}
		if (found < 0)
			return -1;
		if (found != I_MF && t->files[cur].type == VSIM_FILE_EF)
			return -1;
		cur = (size_t)found;
		first = 0;
		p += n;
		if (*p == '/')
			p++;
		else
			break;
		if (!*p)
			return -1;	/* trailing slash */
	}
	return first ? -1 : (int)cur;
}

int vsim_fs_lookup(const char *path)
{
	return vsim_fs_tmpl_lookup(&vsim_fs_tmpl_default, path);
}

void vsim_fs_tmpl_path(const struct vsim_fs_tmpl *t, size_t idx, char *buf, size_t len)
{
	size_t chain[16], n = 0, i, off = 0;

	while (idx != I_MF && n < 16) {
		chain[n++] = idx;
		idx = t->files[idx].parent;
	}
	off += (size_t)snprintf(buf, len, "3F00");
	for (i = n; i-- > 0 && off < len;)
		off += (size_t)snprintf(buf + off, len - off, "/%04X", t->files[chain[i]].fid);
}
