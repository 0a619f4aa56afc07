/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Default EF contents both file-tree templates use (fs_template.c, the
 * minimal tree; fs_complete.c, the operator card): one copy of each, so
 * the two cards start from the same bytes. TS 31.102 Annex E / TS 34.108
 * §8.3 where they give a value. Included by those two files only.
 */
#ifndef VSIM_FS_DEFAULTS_H
#define VSIM_FS_DEFAULTS_H

#include <stdint.h>

static const uint8_t d_keys[] = { 0x07 };		/* KSI 07: no key */
static const uint8_t d_kc[] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x07 };
static const uint8_t d_hpplmn[] = { 0x0A };		/* 10 x 6 min search */
static const uint8_t d_zero3[] = { 0x00, 0x00, 0x00 };
static const uint8_t d_puct[] = { 0xFF, 0xFF, 0xFF, 0x00, 0x00 };
static const uint8_t d_est[] = { 0x00 };
static const uint8_t d_hfn[] = { 0xF0, 0x00, 0x00, 0xF0, 0x00, 0x00 };
static const uint8_t d_ad[] = { 0x00, 0x00, 0x00, 0x02 };
static const uint8_t d_phase[] = { 0x03 };	/* phase 2+: profile download */
/* LOCI: TMSI FF, LAI = home PLMN + LAC 0000 (filled), RFU FF, status 01 */
static const uint8_t d_loci[] = {
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0xFF, 0x01,
};
/* PSLOCI: P-TMSI, P-TMSI signature FF, RAI = PLMN + LAC 0000 + RAC FF, 01 */
static const uint8_t d_psloci[] = {
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	0xFF, 0xFF, 0xFF, 0x00, 0x00, 0xFF, 0x01,
};
/* EPSLOCI: GUTI FF, TAI = PLMN + TAC 0000, status 01 "not updated" */
static const uint8_t d_epsloci[] = {
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x01,
};
/* EPSNSC record 1: A0 template with KSI_ASME 07 "no key available" */
static const uint8_t d_epsnsc[] = { 0xA0, 0x03, 0x80, 0x01, 0x07 };
/* ECC: 112 and 911, no alpha id, category 00 (TS 31.102 §4.2.21) */
static const uint8_t d_ecc[] = {
	0x11, 0xF2, 0xFF, 0x00,
	0x19, 0xF1, 0xFF, 0x00,
};

#endif /* VSIM_FS_DEFAULTS_H */
