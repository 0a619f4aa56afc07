// SPDX-License-Identifier: GPL-2.0-only
/*
 * The AUTHENTICATE command of the USIM (TS 31.102 §7.1.2) and of the ISIM
 * (TS 31.103 §7.1.2), and its 2G ancestor RUN GSM ALGORITHM (GSM 11.11
 * §9.2.16): APDU shapes and answers around the AKA functions of auth.c.
 * The accepted SQN is durable before RES leaves. Both applications use the
 * card's one K/OPc and one SQN array (docs/engine.md says why).
 */
#include "card_priv.h"

#define AUTH_CTX_GSM	0x80	/* USIM: GSM context */
#define AUTH_CTX_3G	0x81	/* USIM: 3G/EPS context; ISIM: IMS AKA */
#define TAG_AUTH_OK	0xdb
#define TAG_AUTH_SYNC	0xdc
#define SW_AUTH_CTX_UNSUPPORTED	0x9864	/* TS 31.103 §7.1.2: context not supported */

/* The application a channel runs, told apart by its AID's RID and PIX. */
enum auth_app { APP_USIM, APP_ISIM };

/* TS 101 220 Annex E: 3GPP RID A000000087, PIX application code 1004 = ISIM */
static const u8 isim_aid_prefix[] = { 0xa0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x04 };

static enum auth_app channel_app(const struct vsim_card *c, u16 adf)
{
	const struct vsim_file *f = &c->files[adf];

	if (f->aid_len >= sizeof(isim_aid_prefix) &&
	    !memcmp(f->aid, isim_aid_prefix, sizeof(isim_aid_prefix)))
		return APP_ISIM;
	return APP_USIM;
}

static u8 *lv(u8 *p, const u8 *v, u8 len)
{
	*p++ = len;
	memcpy(p, v, len);
	return p + len;
}

/*
 * 3G/EPS (USIM) and IMS AKA (ISIM, TS 31.103 §7.1.2.1) are the same
 * exchange; the ISIM's answer has no Kc: DB L RES L CK L IK.
 */
static u16 auth_3g(struct vsim_card *c, const struct vsim_apdu *a,
		   struct vsim_resp *r, bool with_kc)
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
		if (with_kc)
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

/*
 * P2 b8 = 1 "specific reference data" and b3..b1 the context: USIM
 * (TS 31.102 §7.1.2) 0 GSM, 1 3G/EPS; ISIM (TS 31.103 §7.1.2) 1 IMS AKA,
 * 2 HTTP Digest and 4 GBA, which this card does not run (9864).
 */
u16 vsim_cmd_authenticate(struct vsim_card *c, const struct vsim_apdu *a,
			  struct vsim_resp *r)
{
	u16 app = vsim_chan(c, a)->app;
	enum auth_app kind;

	if (a->p1 || !(a->p2 & 0x80))
		return SW_WRONG_P1P2;
	/* An application must be active on the channel (§7.1.2). */
	if (app == VSIM_NO_FILE)
		return (a->p2 == AUTH_CTX_GSM || a->p2 == AUTH_CTX_3G) ?
		       SW_CONDITIONS : SW_WRONG_P1P2;
	kind = channel_app(c, app);
	if (kind == APP_ISIM && a->p2 != AUTH_CTX_3G)
		return (a->p2 & 0x78) ? SW_WRONG_P1P2 : SW_AUTH_CTX_UNSUPPORTED;
	if (kind == APP_USIM && a->p2 != AUTH_CTX_GSM && a->p2 != AUTH_CTX_3G)
		return SW_WRONG_P1P2;
	if (!vsim_pin_satisfied(c, 0x01))
		return SW_SECURITY_STATUS;
	/* the binding check refuses network access to a foreign terminal */
	if (!vsim_binding_gate(c))
		return SW_SECURITY_STATUS;
	if (a->p2 == AUTH_CTX_3G)
		return auth_3g(c, a, r, kind == APP_USIM);
	return auth_gsm(c, a, r);
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
