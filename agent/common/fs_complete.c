// SPDX-License-Identifier: GPL-2.0-only
/*
 * The "complete" file-system template ([card] template = complete,
 * docs/profile.md): what an operator's UICC with a USIM and the classic
 * SIM view ships. Every EF TS 31.102 (Rel-17) §4.2 marks mandatory under
 * ADF.USIM, every optional EF whose service EF_UST below declares, DF_GSM
 * with the TS 51.011 §10.3 files its EF_SST declares, DF_TELECOM with the
 * TS 51.011 §10.5 files, DF_GRAPHICS and the global DF_PHONEBOOK, and the
 * MF's EFs of TS 102 221 §13, and ADF.ISIM (TS 31.103 §4.2) with the
 * files its EF_IST declares. One entry per file, parents first, with the
 * clause that defines it; sizes are what real cards use (phone book of
 * 100 entries, 10 SMS); contents not given are FF (an empty record).
 * Access rules are the records of EF_ARR that fs_template.c defines.
 */
#include <linux/vsim.h>

#include "common/fs_defaults.h"
#include "common/fs_template.h"

/*
 * EF_UST (TS 31.102 §4.2.8): 2 FDN, 3 EXT2, 4 SDN, 5 EXT3, 10 SMS,
 * 12 SMSP, 13 AoC, 17 GID1, 18 GID2, 19 SPN, 20 user PLMNwAcT, 21 MSISDN,
 * 27 GSM access (DF_GSM-ACCESS), 33 "shall be set", 34 EST, 38 GSM
 * security context, 42 OPLMNwAcT, 43 HPLMNwAcT, 45 PNN, 46 OPL, 51 SPDI,
 * 71 EHPLMN, 85 EPS mobility management information; DF_5GS (§4.4.11.1):
 * 122 5GS mobility management information, 123 5G security parameters,
 * 124 subscription identifier privacy, 126 UAC access identities,
 * 129 5GS operator PLMN list, 130 SUPI of type NSI/GLI/GCI (EF_SUPI_NAI,
 * empty: the SUPI stays the IMSI), 132 URSP. Service 125 (SUCI
 * calculation by the USIM) comes from the profile's [suci] section.
 */
static const uint8_t ust[] = {
	2, 3, 4, 5, 10, 12, 13, 17, 18, 19, 20, 21, 27, 33, 34, 38,
	42, 43, 45, 46, 51, 71, 85, 122, 123, 124, 126, 129, 130, 132,
};

/*
 * EF_SST (TS 51.011 §10.3.7), allocated and activated: 1 CHV1 disable,
 * 2 ADN, 3 FDN, 4 SMS, 5 AoC, 6 CCP, 7 PLMN selector, 9 MSISDN, 10 EXT1,
 * 11 EXT2, 12 SMSP, 13 LND, 15 GID1, 16 GID2, 17 SPN, 18 SDN, 19 EXT3,
 * 31 BDN, 32 EXT4, 35 SMSR, 38 GPRS, 39 IMG, 43 user PLMNwAcT,
 * 44 OPLMNwAcT, 45 HPLMNwAcT, 51 PNN, 52 OPL.
 */
static const uint8_t sst[] = {
	1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 15, 16, 17, 18, 19,
	31, 32, 35, 38, 39, 43, 44, 45, 51, 52,
};

/*
 * EF_IST (TS 31.103 §4.2.7): 1 P-CSCF address (EF_P-CSCF), 6 SMS storage
 * (EF_SMS, EF_SMSS), 7 SMS status reports (EF_SMSR), 8 SM-over-IP
 * (EF_SMSP). Not set: 2 GBA, 3 HTTP Digest (the card runs IMS AKA only).
 */
static const uint8_t ist[] = { 1, 6, 7, 8 };

/* ---- default contents (everything else FF) ---- */

static const uint8_t d_lang_en[] = { 'e', 'n' };	/* ISO 639 "en" (EF_PL, EF_LI) */
static const uint8_t d_lp[] = { 0x01 };		/* TS 23.038 CBS language 01: English */
static const uint8_t d_umpc[] = { 0x32, 0x05, 0x00 };	/* 50 mA, 5 s, no extra (TS 102 221 §13.6) */
static const uint8_t d_zero2[] = { 0x00, 0x00 };
static const uint8_t d_zero4[] = { 0x00, 0x00, 0x00, 0x00 };
static const uint8_t d_free[] = { 0x00 };	/* EF_SMS / EF_SMSR: free record */
static const uint8_t d_isim_ad[] = { 0x00, 0x00, 0x00 };	/* TS 31.103 §4.2.5 */
/* EF_ECC (DF_GSM, TS 51.011 §10.3.27): 3-byte BCD codes */
static const uint8_t d_ecc_gsm[] = { 0x11, 0xF2, 0xFF, 0x19, 0xF1, 0xFF };
/* xPLMNwAcT entry 1: home PLMN (filled in) with UTRAN, E-UTRAN and GSM
 * (TS 31.102 §4.2.5 access technology bits) */
static const uint8_t d_plmnwact_home[] = { 0xFF, 0xFF, 0xFF, 0xC0, 0x80 };
/*
 * EF_SMSP record 1 (TS 31.102 §4.2.27, 40 bytes): no alpha id; parameter
 * indicators E1 = SC address, PID, DCS and validity present, destination
 * absent; TP-DA FF; TS-SCA +15550001000 (a placeholder: set the
 * operator's SMSC with a [file] override); PID 00, DCS 00, VP A7 (24 h).
 */
static const uint8_t d_smsp[] = {
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	0xE1,
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	0x07, 0x91, 0x51, 0x55, 0x00, 0x10, 0x00, 0xF0, 0xFF, 0xFF, 0xFF, 0xFF,
	0x00, 0x00, 0xA7,
};
_Static_assert(sizeof(d_smsp) == 40, "EF_SMSP record");
/*
 * EF_PBR record 1 (TS 31.102 §4.4.2.1): one set of 100 entries.
 * A8 (type 1, one record per ADN record): C0 ADN, C5 PBC, C4 ANR, C3 SNE,
 * CA EMAIL, C9 UID, each "FID SFI"; AA (type 3, pointed to): C2 EXT1.
 */
static const uint8_t d_pbr[] = {
	0xA8, 0x1E,
	0xC0, 0x03, 0x4F, 0x3A, 0x01,
	0xC5, 0x03, 0x4F, 0x09, 0x03,
	0xC4, 0x03, 0x4F, 0x11, 0x04,
	0xC3, 0x03, 0x4F, 0x19, 0x05,
	0xCA, 0x03, 0x4F, 0x50, 0x06,
	0xC9, 0x03, 0x4F, 0x21, 0x07,
	0xAA, 0x05,
	0xC2, 0x03, 0x4F, 0x4A, 0x02,
};

/*
 * DF_5GS (TS 31.102 §4.4.11). 5GS3GPPLOCI/5GSN3GPPLOCI (§4.4.11.2-3):
 * 5G-GUTI FF, last visited TAI = home PLMN (filled in) + TAC 000000,
 * 5GS update status 01 "not updated".
 */
static const uint8_t d_5gsloci[] = {
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01,
};
_Static_assert(sizeof(d_5gsloci) == 20, "EF_5GS3GPPLOCI");
/* 5GS NAS security context record (§4.4.11.4): A0 { 80 ngKSI 07 "no key" } */
static const uint8_t d_5gsnsc[] = { 0xA0, 0x03, 0x80, 0x01, 0x07 };
/*
 * EF_VSIM_TLV (vsim's own BER-TLV EF, docs/profile.md): 80 the label
 * "vsim", 81 the layout version 01; the profile adds more (object.TAG).
 */
static const uint8_t d_vsim_tlv[] = { 0x80, 0x04, 'v', 's', 'i', 'm', 0x81, 0x01, 0x01 };
/* EF_UAC_AIC (§4.4.11.7): neither MPS nor MCS configured */
#define d_uac_aic d_zero4

/* The DFs come first so that every EF's parent is known by name. */
enum {
	C_MF = 0, C_TELECOM, C_GRAPHICS, C_PHONEBOOK, C_GSM, C_USIM, C_GSM_ACCESS,
	C_ISIM, C_5GS, C_FIRST_EF,
};

#define PB_ENTRIES	100	/* ADN records of the global phone book */

#define DF(n, f, p, t, c) \
	.name = n, .fid = f, .parent = p, .type = t, .rule = VSIM_RULE_DF_ADM, .clause = c
#define EFT(n, f, p, s, sz, r, c) \
	.name = n, .fid = f, .parent = p, .type = VSIM_FILE_EF, \
	.structure = VSIM_EF_TRANSPARENT, .sfi = s, .size = sz, .rule = VSIM_RULE_##r, \
	.clause = c
#define EFL(n, f, p, s, rl, nr, r, c) \
	.name = n, .fid = f, .parent = p, .type = VSIM_FILE_EF, \
	.structure = VSIM_EF_LINEAR_FIXED, .sfi = s, .record_length = rl, \
	.records = nr, .rule = VSIM_RULE_##r, .clause = c
#define EFC(n, f, p, s, rl, nr, r, c) \
	.name = n, .fid = f, .parent = p, .type = VSIM_FILE_EF, \
	.structure = VSIM_EF_CYCLIC, .sfi = s, .record_length = rl, \
	.records = nr, .rule = VSIM_RULE_##r, .clause = c
#define EFB(n, f, p, s, sz, r, c) \
	.name = n, .fid = f, .parent = p, .type = VSIM_FILE_EF, \
	.structure = VSIM_EF_BER_TLV, .sfi = s, .size = sz, .rule = VSIM_RULE_##r, \
	.clause = c
#define INIT(a)		.init = a, .init_len = sizeof(a)
#define EACH(a)		.init = a, .init_len = sizeof(a), .flags = VSIM_FS_INIT_EACH

static const struct vsim_fs_entry complete[] = {
	[C_MF] = { DF("MF", 0x3F00, C_MF, VSIM_FILE_MF, "TS 102 221 §8.2") },
	[C_TELECOM] = { DF("DF_TELECOM", 0x7F10, C_MF, VSIM_FILE_DF,
			   "TS 51.011 §10.5, TS 31.102 §4.6") },
	[C_GRAPHICS] = { DF("DF_GRAPHICS", 0x5F50, C_TELECOM, VSIM_FILE_DF,
			    "TS 31.102 §4.6.1") },
	[C_PHONEBOOK] = { DF("DF_PHONEBOOK", 0x5F3A, C_TELECOM, VSIM_FILE_DF,
			     "TS 31.102 §4.6.2, §4.4.2") },
	[C_GSM] = { DF("DF_GSM", 0x7F20, C_MF, VSIM_FILE_DF, "TS 51.011 §10.7") },
	[C_USIM] = { DF("ADF.USIM", 0x7FF0, C_MF, VSIM_FILE_ADF, "TS 31.102 §4.2, Annex A") },
	[C_GSM_ACCESS] = { DF("DF_GSM-ACCESS", 0x5F3B, C_USIM, VSIM_FILE_DF,
			      "TS 31.102 §4.4.3") },
	/* reached by AID (A0000000871004...); 7FF2 only names it in paths */
	[C_ISIM] = { DF("ADF.ISIM", 0x7FF2, C_MF, VSIM_FILE_ADF, "TS 31.103 §4.2, Annex A"),
		     .aid = vsim_isim_aid, .label = "ISIM" },
	/* present when any of UST services 122-145 is (§4.4.11.1) */
	[C_5GS] = { DF("DF_5GS", 0x5FC0, C_USIM, VSIM_FILE_DF, "TS 31.102 §4.4.11") },

	/* MF: TS 102 221 §13 */
	[C_FIRST_EF] =
	{ EFL("EF_DIR", 0x2F00, C_MF, 0x1E, 32, 2, ALW_ADM, "TS 102 221 §13.1"),
	  .content = VSIM_FS_C_DIR },
	{ EFT("EF_ICCID", 0x2FE2, C_MF, 0x02, 10, ALW_ADM, "TS 102 221 §13.2"),
	  .content = VSIM_FS_C_ICCID },
	{ EFT("EF_PL", 0x2F05, C_MF, 0x05, 10, ALW_PIN, "TS 102 221 §13.3"), INIT(d_lang_en) },
	{ EFL("EF_ARR", 0x2F06, C_MF, 0x06, VSIM_FS_ARR_RECLEN, VSIM_RULE_COUNT, ALW_ADM,
	      "TS 102 221 §13.4"), .content = VSIM_FS_C_ARR },
	{ EFT("EF_UMPC", 0x2F08, C_MF, 0x08, 5, ALW_ADM, "TS 102 221 §13.6"), INIT(d_umpc) },
	/*
	 * No EF of TS 31.102 Rel-17's ADF.USIM or DF_5GS that this template
	 * carries is BER-TLV structured, so RETRIEVE DATA / SET DATA get a
	 * file of vsim's own (docs/profile.md): objects by tag in 512 bytes,
	 * PIN1 to read and to update. FID A001: outside the 2Fxx/6Fxx/4Fxx
	 * ranges the specs allocate from.
	 */
	{ EFB("EF_VSIM_TLV", 0xA001, C_MF, 0, 512, PIN_PIN, "TS 102 221 §11.3 (vsim's own)"),
	  INIT(d_vsim_tlv) },

	/* DF_TELECOM: TS 51.011 §10.5 (the 2G view; a USIM has its own copies) */
	{ EFL("EF_ADN", 0x6F3A, C_TELECOM, 0, 30, PB_ENTRIES, PIN_PIN, "TS 51.011 §10.5.1") },
	{ EFL("EF_FDN", 0x6F3B, C_TELECOM, 0, 30, 10, PIN_PIN2, "TS 51.011 §10.5.2") },
	{ EFL("EF_SMS", 0x6F3C, C_TELECOM, 0, 176, 10, PIN_PIN, "TS 51.011 §10.5.3"),
	  EACH(d_free) },
	{ EFL("EF_CCP", 0x6F3D, C_TELECOM, 0, 14, 5, PIN_PIN, "TS 51.011 §10.5.4") },
	{ EFL("EF_MSISDN", 0x6F40, C_TELECOM, 0, 30, 2, PIN_PIN, "TS 51.011 §10.5.5"),
	  .content = VSIM_FS_C_MSISDN },
	{ EFL("EF_SMSP", 0x6F42, C_TELECOM, 0, 40, 2, PIN_PIN, "TS 51.011 §10.5.6"),
	  INIT(d_smsp) },
	{ EFT("EF_SMSS", 0x6F43, C_TELECOM, 0, 2, PIN_PIN, "TS 51.011 §10.5.7") },
	{ EFC("EF_LND", 0x6F44, C_TELECOM, 0, 30, 10, PIN_PIN, "TS 51.011 §10.5.8") },
	{ EFL("EF_SMSR", 0x6F47, C_TELECOM, 0, 30, 10, PIN_PIN, "TS 51.011 §10.5.15"),
	  EACH(d_free) },
	{ EFL("EF_SDN", 0x6F49, C_TELECOM, 0, 30, 10, PIN_ADM, "TS 51.011 §10.5.9") },
	{ EFL("EF_EXT1", 0x6F4A, C_TELECOM, 0, 13, 10, PIN_PIN, "TS 51.011 §10.5.10") },
	{ EFL("EF_EXT2", 0x6F4B, C_TELECOM, 0, 13, 10, PIN_PIN2, "TS 51.011 §10.5.11") },
	{ EFL("EF_EXT3", 0x6F4C, C_TELECOM, 0, 13, 10, PIN_ADM, "TS 51.011 §10.5.12") },
	{ EFL("EF_BDN", 0x6F4D, C_TELECOM, 0, 31, 10, PIN_PIN2, "TS 51.011 §10.5.13") },
	{ EFL("EF_EXT4", 0x6F4E, C_TELECOM, 0, 13, 10, PIN_PIN2, "TS 51.011 §10.5.14") },

	/* DF_GRAPHICS: one image instance per record (9 x 1 + 1 bytes) */
	{ EFL("EF_IMG", 0x4F20, C_GRAPHICS, 0, 10, 5, PIN_ADM, "TS 31.102 §4.6.1.1") },

	/* DF_PHONEBOOK (global): TS 31.102 §4.4.2; SFIs as EF_PBR gives them */
	{ EFL("EF_PBR", 0x4F30, C_PHONEBOOK, 0, 64, 1, PIN_ADM, "TS 31.102 §4.4.2.1"),
	  INIT(d_pbr) },
	{ EFL("EF_ADN", 0x4F3A, C_PHONEBOOK, 0x01, 30, PB_ENTRIES, PIN_PIN,
	      "TS 31.102 §4.4.2.3") },
	{ EFL("EF_EXT1", 0x4F4A, C_PHONEBOOK, 0x02, 13, 10, PIN_PIN, "TS 31.102 §4.4.2.4") },
	{ EFL("EF_PBC", 0x4F09, C_PHONEBOOK, 0x03, 2, PB_ENTRIES, PIN_PIN,
	      "TS 31.102 §4.4.2.5"), EACH(d_zero2) },
	{ EFL("EF_ANR", 0x4F11, C_PHONEBOOK, 0x04, 15, PB_ENTRIES, PIN_PIN,
	      "TS 31.102 §4.4.2.9") },
	{ EFL("EF_SNE", 0x4F19, C_PHONEBOOK, 0x05, 16, PB_ENTRIES, PIN_PIN,
	      "TS 31.102 §4.4.2.10") },
	{ EFL("EF_EMAIL", 0x4F50, C_PHONEBOOK, 0x06, 30, PB_ENTRIES, PIN_PIN,
	      "TS 31.102 §4.4.2.13") },
	{ EFL("EF_UID", 0x4F21, C_PHONEBOOK, 0x07, 2, PB_ENTRIES, PIN_PIN,
	      "TS 31.102 §4.4.2.12.4") },
	{ EFT("EF_PSC", 0x4F22, C_PHONEBOOK, 0, 4, PIN_PIN, "TS 31.102 §4.4.2.12.1"),
	  INIT(d_zero4) },
	{ EFT("EF_CC", 0x4F23, C_PHONEBOOK, 0, 2, PIN_PIN, "TS 31.102 §4.4.2.12.2"),
	  INIT(d_zero2) },
	{ EFT("EF_PUID", 0x4F24, C_PHONEBOOK, 0, 2, PIN_PIN, "TS 31.102 §4.4.2.12.3"),
	  INIT(d_zero2) },

	/* DF_GSM: TS 51.011 §10.3 (2G files have no SFIs) */
	{ EFT("EF_LP", 0x6F05, C_GSM, 0, 4, ALW_PIN, "TS 51.011 §10.3.1"), INIT(d_lp) },
	{ EFT("EF_IMSI", 0x6F07, C_GSM, 0, 9, PIN_ADM, "TS 51.011 §10.3.2"),
	  .content = VSIM_FS_C_IMSI },
	{ EFT("EF_Kc", 0x6F20, C_GSM, 0, 9, PIN_PIN, "TS 51.011 §10.3.3"), INIT(d_kc) },
	{ EFT("EF_PLMNsel", 0x6F30, C_GSM, 0, 24, PIN_PIN, "TS 51.011 §10.3.4") },
	{ EFT("EF_HPLMN", 0x6F31, C_GSM, 0, 1, PIN_ADM, "TS 51.011 §10.3.5"), INIT(d_hpplmn) },
	{ EFT("EF_ACMmax", 0x6F37, C_GSM, 0, 3, PIN_PIN2, "TS 51.011 §10.3.6"), INIT(d_zero3) },
	{ EFT("EF_SST", 0x6F38, C_GSM, 0, 13, PIN_ADM, "TS 51.011 §10.3.7"),
	  .content = VSIM_FS_C_SST },
	{ EFC("EF_ACM", 0x6F39, C_GSM, 0, 3, 5, ACM, "TS 51.011 §10.3.8"),
	  .init = d_zero3, .init_len = sizeof(d_zero3),
	  .flags = VSIM_FILE_F_INCREASE | VSIM_FS_INIT_EACH },
	{ EFT("EF_GID1", 0x6F3E, C_GSM, 0, 8, PIN_ADM, "TS 51.011 §10.3.9") },
	{ EFT("EF_GID2", 0x6F3F, C_GSM, 0, 8, PIN_ADM, "TS 51.011 §10.3.10") },
	{ EFT("EF_PUCT", 0x6F41, C_GSM, 0, 5, PIN_PIN2, "TS 51.011 §10.3.12"), INIT(d_puct) },
	{ EFT("EF_SPN", 0x6F46, C_GSM, 0, 17, ALW_ADM, "TS 51.011 §10.3.11"),
	  .content = VSIM_FS_C_SPN },
	{ EFT("EF_KcGPRS", 0x6F52, C_GSM, 0, 9, PIN_PIN, "TS 51.011 §10.3.32"), INIT(d_kc) },
	{ EFT("EF_LOCIGPRS", 0x6F53, C_GSM, 0, 14, PIN_PIN, "TS 51.011 §10.3.33"),
	  INIT(d_psloci), .plmn_at = 1 + 7 },
	{ EFT("EF_PLMNwAcT", 0x6F60, C_GSM, 0, 40, PIN_PIN, "TS 51.011 §10.3.35") },
	{ EFT("EF_OPLMNwAcT", 0x6F61, C_GSM, 0, 40, PIN_ADM, "TS 51.011 §10.3.36"),
	  INIT(d_plmnwact_home), .plmn_at = 1 },
	{ EFT("EF_HPLMNwAcT", 0x6F62, C_GSM, 0, 5, PIN_ADM, "TS 51.011 §10.3.37"),
	  INIT(d_plmnwact_home), .plmn_at = 1 },
	{ EFT("EF_BCCH", 0x6F74, C_GSM, 0, 16, PIN_PIN, "TS 51.011 §10.3.14") },
	{ EFT("EF_ACC", 0x6F78, C_GSM, 0, 2, PIN_ADM, "TS 51.011 §10.3.15"),
	  .content = VSIM_FS_C_ACC },
	{ EFT("EF_FPLMN", 0x6F7B, C_GSM, 0, 12, PIN_PIN, "TS 51.011 §10.3.16") },
	{ EFT("EF_LOCI", 0x6F7E, C_GSM, 0, 11, PIN_PIN, "TS 51.011 §10.3.17"),
	  INIT(d_loci), .plmn_at = 1 + 4 },
	{ EFT("EF_AD", 0x6FAD, C_GSM, 0, 4, ALW_ADM, "TS 51.011 §10.3.18"),
	  INIT(d_ad), .content = VSIM_FS_C_AD },
	{ EFT("EF_Phase", 0x6FAE, C_GSM, 0, 1, ALW_ADM, "TS 51.011 §10.3.19"), INIT(d_phase) },
	{ EFT("EF_ECC", 0x6FB7, C_GSM, 0, 15, ALW_ADM, "TS 51.011 §10.3.27"), INIT(d_ecc_gsm) },
	{ EFL("EF_PNN", 0x6FC5, C_GSM, 0, 24, 10, PIN_ADM, "TS 51.011 §10.3.41") },
	{ EFL("EF_OPL", 0x6FC6, C_GSM, 0, 8, 10, PIN_ADM, "TS 51.011 §10.3.42") },

	/* ADF.USIM: TS 31.102 §4.2; SFIs of Annex H */
	{ EFT("EF_LI", 0x6F05, C_USIM, 0x02, 10, ALW_PIN, "TS 31.102 §4.2.1"), INIT(d_lang_en) },
	{ EFL("EF_ARR", 0x6F06, C_USIM, 0x17, VSIM_FS_ARR_RECLEN, VSIM_RULE_COUNT, ALW_ADM,
	      "TS 31.102 §4.2 (EF_ARR)"), .content = VSIM_FS_C_ARR },
	{ EFT("EF_IMSI", 0x6F07, C_USIM, 0x07, 9, PIN_ADM, "TS 31.102 §4.2.2"),
	  .content = VSIM_FS_C_IMSI },
	{ EFT("EF_KEYS", 0x6F08, C_USIM, 0x08, 33, PIN_PIN, "TS 31.102 §4.2.3"), INIT(d_keys) },
	{ EFT("EF_KEYSPS", 0x6F09, C_USIM, 0x09, 33, PIN_PIN, "TS 31.102 §4.2.4"),
	  INIT(d_keys) },
	{ EFT("EF_HPPLMN", 0x6F31, C_USIM, 0x12, 1, PIN_ADM, "TS 31.102 §4.2.6"),
	  INIT(d_hpplmn) },
	{ EFT("EF_ACMmax", 0x6F37, C_USIM, 0, 3, PIN_PIN2, "TS 31.102 §4.2.7"), INIT(d_zero3) },
	{ EFT("EF_UST", 0x6F38, C_USIM, 0x04, 17, PIN_ADM, "TS 31.102 §4.2.8"),
	  .content = VSIM_FS_C_UST },
	{ EFC("EF_ACM", 0x6F39, C_USIM, 0, 3, 5, ACM, "TS 31.102 §4.2.9"),
	  .init = d_zero3, .init_len = sizeof(d_zero3),
	  .flags = VSIM_FILE_F_INCREASE | VSIM_FS_INIT_EACH },
	{ EFL("EF_FDN", 0x6F3B, C_USIM, 0, 30, 10, PIN_PIN2, "TS 31.102 §4.2.24") },
	{ EFL("EF_SMS", 0x6F3C, C_USIM, 0, 176, 10, PIN_PIN, "TS 31.102 §4.2.25"),
	  EACH(d_free) },
	{ EFT("EF_GID1", 0x6F3E, C_USIM, 0, 8, PIN_ADM, "TS 31.102 §4.2.10") },
	{ EFT("EF_GID2", 0x6F3F, C_USIM, 0, 8, PIN_ADM, "TS 31.102 §4.2.11") },
	{ EFL("EF_MSISDN", 0x6F40, C_USIM, 0, 30, 2, PIN_PIN, "TS 31.102 §4.2.26"),
	  .content = VSIM_FS_C_MSISDN },
	{ EFT("EF_PUCT", 0x6F41, C_USIM, 0, 5, PIN_PIN2, "TS 31.102 §4.2.13"), INIT(d_puct) },
	{ EFL("EF_SMSP", 0x6F42, C_USIM, 0, 40, 2, PIN_PIN, "TS 31.102 §4.2.27"),
	  INIT(d_smsp) },
	{ EFT("EF_SMSS", 0x6F43, C_USIM, 0, 2, PIN_PIN, "TS 31.102 §4.2.28") },
	{ EFT("EF_SPN", 0x6F46, C_USIM, 0, 17, ALW_ADM, "TS 31.102 §4.2.12"),
	  .content = VSIM_FS_C_SPN },
	{ EFL("EF_SDN", 0x6F49, C_USIM, 0, 30, 10, PIN_ADM, "TS 31.102 §4.2.29") },
	{ EFL("EF_EXT2", 0x6F4B, C_USIM, 0, 13, 10, PIN_PIN2, "TS 31.102 §4.2.30") },
	{ EFL("EF_EXT3", 0x6F4C, C_USIM, 0, 13, 10, PIN_ADM, "TS 31.102 §4.2.31") },
	{ EFT("EF_EST", 0x6F56, C_USIM, 0x05, 1, PIN_PIN2, "TS 31.102 §4.2.47"), INIT(d_est) },
	{ EFT("EF_START-HFN", 0x6F5B, C_USIM, 0x0F, 6, PIN_PIN, "TS 31.102 §4.2.51"),
	  INIT(d_hfn) },
	{ EFT("EF_THRESHOLD", 0x6F5C, C_USIM, 0x10, 3, PIN_ADM, "TS 31.102 §4.2.52") },
	{ EFT("EF_PLMNwAcT", 0x6F60, C_USIM, 0x0A, 40, PIN_PIN, "TS 31.102 §4.2.5") },
	{ EFT("EF_OPLMNwAcT", 0x6F61, C_USIM, 0x11, 40, PIN_ADM, "TS 31.102 §4.2.53"),
	  INIT(d_plmnwact_home), .plmn_at = 1 },
	{ EFT("EF_HPLMNwAcT", 0x6F62, C_USIM, 0x13, 5, PIN_ADM, "TS 31.102 §4.2.54"),
	  INIT(d_plmnwact_home), .plmn_at = 1 },
	{ EFT("EF_PSLOCI", 0x6F73, C_USIM, 0x0C, 14, PIN_PIN, "TS 31.102 §4.2.23"),
	  INIT(d_psloci), .plmn_at = 1 + 7 },
	{ EFT("EF_ACC", 0x6F78, C_USIM, 0x06, 2, PIN_ADM, "TS 31.102 §4.2.15"),
	  .content = VSIM_FS_C_ACC },
	{ EFT("EF_FPLMN", 0x6F7B, C_USIM, 0x0D, 12, PIN_PIN, "TS 31.102 §4.2.16") },
	{ EFT("EF_LOCI", 0x6F7E, C_USIM, 0x0B, 11, PIN_PIN, "TS 31.102 §4.2.17"),
	  INIT(d_loci), .plmn_at = 1 + 4 },
	{ EFT("EF_AD", 0x6FAD, C_USIM, 0x03, 4, ALW_ADM, "TS 31.102 §4.2.18"),
	  INIT(d_ad), .content = VSIM_FS_C_AD },
	{ EFL("EF_ECC", 0x6FB7, C_USIM, 0x01, 4, 5, ALW_ADM, "TS 31.102 §4.2.21"),
	  INIT(d_ecc) },
	/* at least 46 bytes: two cell-information TLVs (§4.2.57) */
	{ EFT("EF_NETPAR", 0x6FC4, C_USIM, 0, 46, PIN_PIN, "TS 31.102 §4.2.57") },
	{ EFL("EF_PNN", 0x6FC5, C_USIM, 0x19, 24, 10, ALW_ADM, "TS 31.102 §4.2.58") },
	{ EFL("EF_OPL", 0x6FC6, C_USIM, 0x1A, 8, 10, ALW_ADM, "TS 31.102 §4.2.59") },
	{ EFT("EF_SPDI", 0x6FCD, C_USIM, 0x1B, 20, PIN_ADM, "TS 31.102 §4.2.66") },
	{ EFT("EF_EHPLMN", 0x6FD9, C_USIM, 0x1D, 12, PIN_ADM, "TS 31.102 §4.2.84"),
	  .plmn_at = 1 },
	{ EFT("EF_EPSLOCI", 0x6FE3, C_USIM, 0x1E, 18, PIN_PIN, "TS 31.102 §4.2.91"),
	  INIT(d_epsloci), .plmn_at = 1 + 12 },
	{ EFL("EF_EPSNSC", 0x6FE4, C_USIM, 0x18, 54, 1, PIN_PIN, "TS 31.102 §4.2.92"),
	  INIT(d_epsnsc) },

	/* DF_GSM-ACCESS (service 27): TS 31.102 §4.4.3 */
	{ EFT("EF_Kc", 0x4F20, C_GSM_ACCESS, 0x01, 9, PIN_PIN, "TS 31.102 §4.4.3.1"),
	  INIT(d_kc) },
	{ EFT("EF_KcGPRS", 0x4F52, C_GSM_ACCESS, 0x02, 9, PIN_PIN, "TS 31.102 §4.4.3.2"),
	  INIT(d_kc) },

	/*
	 * DF_5GS: TS 31.102 §4.4.11, SFIs as each clause gives them. The NAS
	 * security contexts hold one record each (service 136, one per
	 * registration, is not declared): A0 L {80 1 ngKSI, 81 32 K_AMF,
	 * 82 4, 83 4 NAS COUNTs, 84 1, 85 1 algorithms} = 57 bytes.
	 */
	{ EFT("EF_5GS3GPPLOCI", 0x4F01, C_5GS, 0x01, 20, PIN_PIN, "TS 31.102 §4.4.11.2"),
	  INIT(d_5gsloci), .plmn_at = 1 + 13 },
	{ EFT("EF_5GSN3GPPLOCI", 0x4F02, C_5GS, 0x02, 20, PIN_PIN, "TS 31.102 §4.4.11.3"),
	  INIT(d_5gsloci), .plmn_at = 1 + 13 },
	{ EFL("EF_5GS3GPPNSC", 0x4F03, C_5GS, 0x03, 57, 1, PIN_PIN, "TS 31.102 §4.4.11.4"),
	  INIT(d_5gsnsc) },
	{ EFL("EF_5GSN3GPPNSC", 0x4F04, C_5GS, 0x04, 57, 1, PIN_PIN, "TS 31.102 §4.4.11.5"),
	  INIT(d_5gsnsc) },
	/* 80 32 K_AUSF, 81 32 K_SEAF (empty: FF) */
	{ EFT("EF_5GAUTHKEYS", 0x4F05, C_5GS, 0x05, 68, PIN_PIN, "TS 31.102 §4.4.11.6") },
	{ EFT("EF_UAC_AIC", 0x4F06, C_5GS, 0x06, 4, PIN_ADM, "TS 31.102 §4.4.11.7"),
	  INIT(d_uac_aic) },
	/* A0 scheme list, A1 key list: from [suci] (profile.c) */
	{ EFT("EF_SUCI_Calc_Info", 0x4F07, C_5GS, 0x07, VSIM_FS_SUCI_INFO_LEN, PIN_ADM,
	      "TS 31.102 §4.4.11.8"), .content = VSIM_FS_C_SUCI_INFO },
	{ EFL("EF_OPL5G", 0x4F08, C_5GS, 0x08, 10, 10, PIN_ADM, "TS 31.102 §4.4.11.9") },
	{ EFT("EF_SUPI_NAI", 0x4F09, C_5GS, 0x09, 64, PIN_ADM, "TS 31.102 §4.4.11.10") },
	{ EFT("EF_Routing_Indicator", 0x4F0A, C_5GS, 0x0A, 4, PIN_ADM, "TS 31.102 §4.4.11.11"),
	  .content = VSIM_FS_C_ROUTING },
	{ EFT("EF_URSP", 0x4F0B, C_5GS, 0x0B, 256, PIN_ADM, "TS 31.102 §4.4.11.12") },

	/*
	 * ADF.ISIM: TS 31.103 §4.2; SFIs of its Annex (as pySim has them).
	 * IMPI, DOMAIN, IMPU and P-CSCF hold one TLV 80 each (record) from
	 * the profile's [isim] section; 128 bytes keep a one-byte length.
	 */
	{ EFT("EF_IMPI", 0x6F02, C_ISIM, 0x02, VSIM_FS_ISIM_LEN, PIN_ADM, "TS 31.103 §4.2.2"),
	  .content = VSIM_FS_C_IMPI },
	{ EFT("EF_DOMAIN", 0x6F03, C_ISIM, 0x05, VSIM_FS_ISIM_LEN, PIN_ADM, "TS 31.103 §4.2.3"),
	  .content = VSIM_FS_C_DOMAIN },
	{ EFL("EF_IMPU", 0x6F04, C_ISIM, 0x04, VSIM_FS_ISIM_LEN, VSIM_FS_IMPU_RECORDS, PIN_ADM,
	      "TS 31.103 §4.2.4"), .content = VSIM_FS_C_IMPU },
	{ EFT("EF_AD", 0x6FAD, C_ISIM, 0x03, 3, ALW_ADM, "TS 31.103 §4.2.5"), INIT(d_isim_ad) },
	{ EFL("EF_ARR", 0x6F06, C_ISIM, 0x06, VSIM_FS_ARR_RECLEN, VSIM_RULE_COUNT, ALW_ADM,
	      "TS 31.103 §4.2.6"), .content = VSIM_FS_C_ARR },
	{ EFT("EF_IST", 0x6F07, C_ISIM, 0x07, 3, PIN_ADM, "TS 31.103 §4.2.7"),
	  .content = VSIM_FS_C_IST },
	{ EFL("EF_P-CSCF", 0x6F09, C_ISIM, 0, VSIM_FS_ISIM_LEN, VSIM_FS_PCSCF_RECORDS, PIN_ADM,
	      "TS 31.103 §4.2.8"), .content = VSIM_FS_C_PCSCF },
	{ EFL("EF_SMS", 0x6F3C, C_ISIM, 0, 176, 10, PIN_PIN, "TS 31.103 §4.2.12"),
	  EACH(d_free) },
	{ EFT("EF_SMSS", 0x6F43, C_ISIM, 0, 2, PIN_PIN, "TS 31.103 §4.2.13") },
	{ EFL("EF_SMSR", 0x6F47, C_ISIM, 0, 30, 10, PIN_PIN, "TS 31.103 §4.2.14"),
	  EACH(d_free) },
	{ EFL("EF_SMSP", 0x6F42, C_ISIM, 0, 40, 1, PIN_PIN, "TS 31.103 §4.2.15"),
	  INIT(d_smsp) },
};

_Static_assert(sizeof(complete) / sizeof(complete[0]) <= VSIM_IMAGE_MAX_FILES,
	       "too many files");

const struct vsim_fs_tmpl vsim_fs_tmpl_complete = {
	.name = "complete",
	.files = complete,
	.count = sizeof(complete) / sizeof(complete[0]),
	.ust = ust,
	.ust_count = sizeof(ust),
	.sst = sst,
	.sst_count = sizeof(sst),
	.app_label = "USIM",
	.ist = ist,
	.ist_count = sizeof(ist),
};
