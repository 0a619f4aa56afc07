// SPDX-License-Identifier: GPL-2.0-only
/*
 * The AUTHENTICATE command (TS 31.102 §7.1.2) and its 2G ancestor RUN GSM
 * ALGORITHM (GSM 11.11 §9.2.16): APDU shapes and answers around the AKA
 * functions of auth.c. The accepted SQN is durable before RES leaves.
 */
#include "card_priv.h"

#define AUTH_CTX_GSM	0x80
#define AUTH_CTX_3G	0x81
#define TAG_AUTH_OK	0xdb
#define TAG_AUTH_SYNC	0xdc

static u8 *lv(u8 *p, const u8 *v, u8 len)
{
	*p++ = len;
	memcpy(p, v, len);
	return p + len;
}

static u16 auth_3g(struct vsim_card *c, const struct vsim_apdu *a,
		   struct vsim_resp *r)
{
	struct vsim_auth_result res;
	u8 *p = r->data;
	u16 sw = SW_OK;

	/* 10 RAND 10 AUTN */
	if (a->lc != 34)
		return SW_WRONG_LENGTH;
	if (a->data[0] != 16 || a->data[17] != 16)
		return SW_WRONG_DATA;
	vsim_auth_3g(&c->milenage, &c->sqn_policy,
		     (const u8 (*)[6])c->st.sqn, a->data + 1, a->data + 18,
		     &res);
	switch (res.verdict) {
	case VSIM_AUTH_OK:
		if (vsim_persist(c, c->st.sqn[res.slot], res.new_sqn, 6)) {
			sw = SW_MEMORY_PROBLEM;
			break;
		}
		*p++ = TAG_AUTH_OK;
		p = lv(p, res.res, 8);
		p = lv(p, res.ck, 16);
		p = lv(p, res.ik, 16);
		p = lv(p, res.kc, 8);
		c->stats.auth_ok++;
		break;
	case VSIM_AUTH_SYNC_FAIL:
		*p++ = TAG_AUTH_SYNC;
		p = lv(p, res.auts, 14);
		c->stats.auth_fail++;
		break;
	default:
		c->stats.auth_fail++;
		sw = SW_AUTH_MAC_FAIL;
		break;
	}
	r->len = (u16)(p - r->data);
	vsim_wipe(&res, sizeof(res));
	return sw;
}

static u16 auth_gsm(struct vsim_card *c, const struct vsim_apdu *a,
		    struct vsim_resp *r)
{
	u8 sres[4], kc[8], *p = r->data;

	/* 10 RAND; answer 04 SRES 08 Kc (TS 31.102 §7.1.2.2) */
	if (a->lc != 17)
		return SW_WRONG_LENGTH;
	if (a->data[0] != 16)
		return SW_WRONG_DATA;
	vsim_auth_gsm(&c->milenage, a->data + 1, sres, kc);
	p = lv(p, sres, 4);
	p = lv(p, kc, 8);
	r->len = (u16)(p - r->data);
	vsim_wipe(kc, sizeof(kc));
	c->stats.auth_ok++;
	return SW_OK;
}

u16 vsim_cmd_authenticate(struct vsim_card *c, const struct vsim_apdu *a,
			  struct vsim_resp *r)
{
	if (a->p1)
		return SW_WRONG_P1P2;
	if (a->p2 != AUTH_CTX_GSM && a->p2 != AUTH_CTX_3G)
		return SW_WRONG_P1P2;
	/* An application must be active on the channel (§7.1.2). */
	if (vsim_chan(c, a)->app == VSIM_NO_FILE)
		return SW_CONDITIONS;
	if (!vsim_pin_satisfied(c, 0x01))
		return SW_SECURITY_STATUS;
	/* the binding check refuses network access to a foreign terminal */
	if (!vsim_binding_gate(c))
		return SW_SECURITY_STATUS;
	return a->p2 == AUTH_CTX_3G ? auth_3g(c, a, r) : auth_gsm(c, a, r);
}

/* RUN GSM ALGORITHM: A0 88 00 00 10 RAND -> SRES(4) Kc(8), DF_GSM current. */
u16 vsim_cmd_run_gsm_algorithm(struct vsim_card *c, const struct vsim_apdu *a,
			       struct vsim_resp *r)
{
	const struct vsim_channel *ch = vsim_chan(c, a);

	if (a->p1 || a->p2)
		return SW_WRONG_OFFSET;	/* GSM 11.11: 6B00, incorrect P1/P2 */
	if (a->lc != 16)
		return SW_WRONG_LENGTH;
	if (c->files[ch->df].fid != 0x7f20 || c->files[ch->df].parent != 0)
		return SW_SECURITY_STATUS;
	if (!vsim_pin_satisfied(c, 0x01) || !vsim_binding_gate(c))
		return SW_SECURITY_STATUS;
	vsim_auth_gsm(&c->milenage, a->data, r->data, r->data + 4);
	r->len = 12;
	c->stats.auth_ok++;
	return SW_OK;
}
