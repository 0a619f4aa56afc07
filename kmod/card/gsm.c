// SPDX-License-Identifier: GPL-2.0-only
/*
 * Class A0: the 2G SIM view of the card (GSM 11.11 / TS 51.011). The same
 * files and handlers as the UICC; what differs is the SELECT response, the
 * CHV numbering and the status words, all translated here.
 */
#include "card_priv.h"

/* GSM 11.11 §9.4: the UICC status words this card uses, as 2G ones. */
static const struct {
	u16 uicc, gsm;
} sw_map[] = {
	{ SW_FILE_NOT_FOUND, SW_GSM_NOT_FOUND },
	{ SW_RECORD_NOT_FOUND, SW_GSM_OUT_OF_RANGE },
	{ SW_WRONG_OFFSET, SW_GSM_OUT_OF_RANGE },
	{ SW_NO_CURRENT_EF, SW_GSM_NO_EF },
	{ SW_INCOMPATIBLE_FILE, 0x9408 },	/* file inconsistent with command */
	{ SW_SECURITY_STATUS, SW_GSM_ACCESS },
	{ SW_PIN_BLOCKED, SW_GSM_CHV_BLOCKED },
	{ SW_REF_DATA_INVALID, SW_GSM_CONTRADICTION },
	{ SW_CONDITIONS, SW_GSM_INVALIDATION },
	{ SW_WRONG_P1P2, SW_WRONG_OFFSET },	/* 6B00: incorrect P1 or P2 */
	{ SW_REF_NOT_FOUND, SW_WRONG_OFFSET },
	{ SW_WRONG_DATA, SW_WRONG_OFFSET },
	{ SW_MEMORY_PROBLEM, 0x9240 },
	{ SW_FILE_DEACTIVATED, SW_OK },
};

u16 vsim_gsm_sw(u16 sw)
{
	unsigned int i;

	switch (sw & 0xff00) {
	case SW_BYTES_AVAILABLE:
		return SW_GSM_RESPONSE | (sw & 0xff);
	case SW_WRONG_LE:
		return SW_WRONG_LENGTH | (sw & 0xff);	/* 67xx: incorrect P3 */
	}
	if ((sw & 0xfff0) == SW_PIN_TRIES)
		return SW_GSM_ACCESS;	/* unsuccessful CHV verification */
	for (i = 0; i < VSIM_ARRAY_SIZE(sw_map); i++)
		if (sw_map[i].uicc == sw)
			return sw_map[i].gsm;
	return sw;
}

/* GSM 11.11 §9.3: access condition nibble from our EF_ARR rule. */
static u8 gsm_condition(struct vsim_card *c, u16 file, enum vsim_access_op op)
{
	switch (vsim_access_rule(c, file, op)) {
	case VSIM_RULE_ALWAYS:
		return 0x0;
	case 0x01:
		return 0x1;	/* CHV1 */
	case 0x81:
		return 0x2;	/* CHV2 */
	case 0x0a:
		return 0x5;	/* ADM */
	default:
		return 0xf;	/* NEV */
	}
}

static u8 chv_status(const struct vsim_pin_state *p, bool puk)
{
	/* b8: secret code initialised; b4..b1: attempts left */
	return 0x80 | (puk ? p->puk_tries : p->tries);
}

/* The GSM 11.11 §9.2.1 response to SELECT of an MF or DF. */
static u16 df_response(struct vsim_card *c, u16 df, u8 *o)
{
	const struct vsim_pin_state *pin1 = &c->st.pins[VSIM_PIN_IDX_PIN1];
	const struct vsim_pin_state *pin2 = &c->st.pins[VSIM_PIN_IDX_PIN2];
	u8 dfs = 0, efs = 0;
	u16 i;

	for (i = 1; i < c->file_count; i++) {
		if (c->files[i].parent != df || c->files[i].type == VSIM_FILE_ADF)
			continue;
		if (c->files[i].type == VSIM_FILE_EF)
			efs++;
		else
			dfs++;
	}
	memset(o, 0, 22);
	o[4] = c->files[df].fid >> 8;
	o[5] = (u8)c->files[df].fid;
	o[6] = df == 0 ? 0x01 : 0x02;
	o[12] = 9;		/* GSM specific data follows */
	/* file characteristics: clock stop allowed; b8 set = CHV1 disabled */
	o[13] = 0x01 | ((pin1->flags & VSIM_PIN_F_ENABLED) ? 0 : 0x80);
	o[14] = dfs;
	o[15] = efs;
	o[16] = 4;		/* CHV1, CHV2 and their unblock codes */
	o[18] = chv_status(pin1, false);
	o[19] = chv_status(pin1, true);
	o[20] = chv_status(pin2, false);
	o[21] = chv_status(pin2, true);
	return 22;
}

/* The GSM 11.11 §9.2.1 response to SELECT of an EF. */
static u16 ef_response(struct vsim_card *c, u16 ef, u8 *o)
{
	const struct vsim_file *f = &c->files[ef];

	memset(o, 0, 15);
	o[2] = (u8)(f->size >> 8);
	o[3] = (u8)f->size;
	o[4] = f->fid >> 8;
	o[5] = (u8)f->fid;
	o[6] = 0x04;
	if (f->flags & VSIM_FILE_F_INCREASE)
		o[7] = 0x40;
	o[8] = gsm_condition(c, ef, VSIM_AC_UPDATE) << 4 |
	       gsm_condition(c, ef, VSIM_AC_READ);
	o[9] = gsm_condition(c, ef, VSIM_AC_INCREASE) << 4;
	o[10] = gsm_condition(c, ef, VSIM_AC_ACTIVATE) << 4 |
		gsm_condition(c, ef, VSIM_AC_DEACTIVATE);
	o[11] = c->st.lcsi[ef] == VSIM_LCSI_ACTIVATED ? 0x01 : 0x00;
	o[12] = 2;
	o[13] = f->structure == VSIM_EF_TRANSPARENT ? 0x00 :
		f->structure == VSIM_EF_LINEAR_FIXED ? 0x01 : 0x03;
	o[14] = f->record_length;
	return 15;
}

/* SELECT: A0 A4 00 00 02 FID, answered 9Fxx; no applications in 2G. */
u16 vsim_gsm_select(struct vsim_card *c, const struct vsim_apdu *a,
		    struct vsim_resp *r)
{
	struct vsim_apdu uicc = *a;
	struct vsim_channel *ch = vsim_chan(c, a);
	u16 sw;

	if (a->p1 || a->p2)
		return SW_WRONG_P1P2;
	if (a->lc != 2)
		return SW_WRONG_LENGTH;
	if (vsim_get16(a->data) == 0x7fff)
		return SW_FILE_NOT_FOUND;
	uicc.p2 = 0x0c;
	sw = vsim_fs_select(c, &uicc, r);
	if (sw != SW_OK && sw != SW_FILE_DEACTIVATED)
		return sw;
	if (ch->ef != VSIM_NO_FILE)
		r->len = ef_response(c, ch->ef, r->data);
	else
		r->len = df_response(c, ch->df, r->data);
	return SW_OK;
}

u16 vsim_gsm_status(struct vsim_card *c, const struct vsim_apdu *a,
		    struct vsim_resp *r)
{
	if (a->p1 || a->p2)
		return SW_WRONG_P1P2;
	r->len = df_response(c, vsim_chan(c, a)->df, r->data);
	/* 2G terminals may ask for less than the whole response */
	if (a->ne && a->ne < r->len)
		r->len = a->ne;
	return SW_OK;
}

/* GSM offsets are 15-bit P1P2: no short file identifiers in 2G. */
u16 vsim_gsm_read_binary(struct vsim_card *c, const struct vsim_apdu *a,
			 struct vsim_resp *r)
{
	if (a->p1 & 0x80)
		return SW_WRONG_P1P2;
	return vsim_fs_read_binary(c, a, r);
}

u16 vsim_gsm_update_binary(struct vsim_card *c, const struct vsim_apdu *a,
			   struct vsim_resp *r)
{
	if (a->p1 & 0x80)
		return SW_WRONG_P1P2;
	return vsim_fs_update_binary(c, a, r);
}

u16 vsim_gsm_read_record(struct vsim_card *c, const struct vsim_apdu *a,
			 struct vsim_resp *r)
{
	if (a->p2 & 0xf8)
		return SW_WRONG_P1P2;
	return vsim_fs_read_record(c, a, r);
}

u16 vsim_gsm_update_record(struct vsim_card *c, const struct vsim_apdu *a,
			   struct vsim_resp *r)
{
	if (a->p2 & 0xf8)
		return SW_WRONG_P1P2;
	return vsim_fs_update_record(c, a, r);
}

/*
 * CHV commands: CHV1/CHV2 are numbered 1/2 in P2 (UNBLOCK CHV1 uses 00,
 * GSM 11.11 §9.2.13); the UICC handlers want key references 01/81.
 */
u16 vsim_gsm_chv(struct vsim_card *c, const struct vsim_apdu *a,
		 struct vsim_resp *r)
{
	struct vsim_apdu uicc = *a;
	u8 chv = a->p2;

	if (a->ins == 0x2c && chv == 0x00)
		chv = 0x01;
	if (chv == 0x01)
		uicc.p2 = 0x01;
	else if (chv == 0x02)
		uicc.p2 = 0x81;
	else
		return SW_WRONG_P1P2;
	switch (a->ins) {
	case 0x20:
		return vsim_pin_verify(c, &uicc, r);
	case 0x24:
		return vsim_pin_change(c, &uicc, r);
	case 0x26:
		return vsim_pin_disable(c, &uicc, r);
	case 0x28:
		return vsim_pin_enable(c, &uicc, r);
	default:
		return vsim_pin_unblock(c, &uicc, r);
	}
}

u16 vsim_gsm_invalidate(struct vsim_card *c, const struct vsim_apdu *a,
			struct vsim_resp *r)
{
	return vsim_fs_deactivate(c, a, r);
}

u16 vsim_gsm_rehabilitate(struct vsim_card *c, const struct vsim_apdu *a,
			  struct vsim_resp *r)
{
	return vsim_fs_activate(c, a, r);
}
