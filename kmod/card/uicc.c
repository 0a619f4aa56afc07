// SPDX-License-Identifier: GPL-2.0-only
/*
 * UICC commands about the terminal's session rather than files or
 * applications: TERMINAL CAPABILITY (TS 102 221 §11.1.19), which the
 * terminal sends before it selects an application, and SUSPEND UICC /
 * RESUME UICC (§11.1.22), which let a terminal power the card off and
 * get the same session back with a resume token.
 */
#include "card_priv.h"

#define TAG_TERMINAL_CAP	0xa9	/* §11.1.19.2: the constructed TLV */
#define SUSPEND_P1_SUSPEND	0x00
#define SUSPEND_P1_RESUME	0x01
#define INS_SUSPEND_UICC	0x76
#define DURATION_UNIT_MAX	0x04	/* §11.1.22.2: 00 s, 01 min, 02 h, 03 d, 04 10 d */

/* Seconds in one time unit of a suspension duration, §11.1.22.2. */
static const u32 duration_unit[DURATION_UNIT_MAX + 1] = {
	1, 60, 3600, 86400, 864000,
};

/*
 * TLVs inside the A9 template: one-byte tags (80 terminal power supply,
 * 81 extended logical channels, 82 additional interfaces, 83 eUICC, ...)
 * with one-byte lengths. Well formed = they tile the value exactly.
 */
static bool tlvs_tile(const u8 *p, u16 len)
{
	u16 i = 0;

	while (i < len) {
		if (len - i < 2 || p[i + 1] > len - i - 2)
			return false;
		i += 2 + p[i + 1];
	}
	return true;
}

/*
 * TERMINAL CAPABILITY (§11.1.19): P1 = P2 = 00, data A9 L {TLVs}. The card
 * keeps what the terminal said for this power cycle; it needs none of it
 * (one supply class, four channels, no extra interfaces).
 */
u16 vsim_uicc_terminal_capability(struct vsim_card *c,
				  const struct vsim_apdu *a,
				  struct vsim_resp *r)
{
	u16 len;

	(void)r;
	if (a->p1 || a->p2)
		return SW_WRONG_P1P2;
	if (!a->lc)
		return SW_WRONG_LENGTH;
	if (a->lc < 2 || a->data[0] != TAG_TERMINAL_CAP)
		return SW_WRONG_DATA;
	len = a->data[1];
	if (len != a->lc - 2 || !tlvs_tile(a->data + 2, len))
		return SW_WRONG_DATA;
	if (len > VSIM_TCAP_MAX)
		len = VSIM_TCAP_MAX;
	memcpy(c->terminal_cap, a->data + 2, len);
	c->terminal_cap_len = (u8)len;
	return SW_OK;
}

static void forget_suspension(struct vsim_card *c)
{
	vsim_wipe(&c->suspend, sizeof(c->suspend));
}

/* A duration of §11.1.22.2 (time unit, length of time) in seconds, or 0. */
static u32 duration(const u8 *d)
{
	if (d[0] > DURATION_UNIT_MAX)
		return 0;
	return duration_unit[d[0]] * d[1];
}

/*
 * SUSPEND (§11.1.22.2): data = minimum and maximum duration the terminal
 * proposes; the card accepts the maximum and answers it with a fresh
 * random resume token. The terminal then powers the card off.
 */
static u16 suspend(struct vsim_card *c, const struct vsim_apdu *a,
		   struct vsim_resp *r)
{
	struct vsim_suspend *s = &c->suspend;
	u32 min, max;

	if (a->lc != 4)
		return SW_WRONG_LENGTH;
	min = duration(a->data);
	max = duration(a->data + 2);
	if (!min || !max || min > max)
		return SW_WRONG_DATA;
	forget_suspension(c);
	c->ops->get_random(c->priv, s->token, sizeof(s->token));
	s->term = c->term;
	s->term.kept_len = 0;
	s->term.kept_off = 0;
	vsim_wipe(s->term.kept, sizeof(s->term.kept));
	memcpy(s->terminal_profile, c->terminal_profile,
	       c->terminal_profile_len);
	s->terminal_profile_len = c->terminal_profile_len;
	memcpy(s->terminal_cap, c->terminal_cap, c->terminal_cap_len);
	s->terminal_cap_len = c->terminal_cap_len;
	s->bind = c->bind;
	s->active = true;
	r->data[0] = a->data[2];
	r->data[1] = a->data[3];
	memcpy(r->data + 2, s->token, sizeof(s->token));
	r->len = 2 + sizeof(s->token);
	return SW_OK;
}

/*
 * RESUME (§11.1.22.3): the first command after the power-on that follows
 * a SUSPEND; with the right token the session is back as it was (channels,
 * current files and applications, verified PINs, the terminal's profile
 * and the binding check's verdict). A wrong token ends the suspension:
 * the card stays freshly reset and answers 6982.
 */
static u16 resume(struct vsim_card *c, const struct vsim_apdu *a)
{
	struct vsim_suspend *s = &c->suspend;
	u16 sw = SW_OK;

	if (a->lc != sizeof(s->token))
		return SW_WRONG_LENGTH;
	if (!s->active || !s->cycled)
		return SW_CONDITIONS;
	if (vsim_ct_differ(a->data, s->token, sizeof(s->token))) {
		sw = SW_SECURITY_STATUS;
	} else {
		c->term = s->term;
		memcpy(c->terminal_profile, s->terminal_profile,
		       s->terminal_profile_len);
		c->terminal_profile_len = s->terminal_profile_len;
		memcpy(c->terminal_cap, s->terminal_cap, s->terminal_cap_len);
		c->terminal_cap_len = s->terminal_cap_len;
		c->bind = s->bind;
	}
	forget_suspension(c);
	return sw;
}

/* SUSPEND UICC (§11.1.22): P1 00 suspend, 01 resume; P2 00. */
u16 vsim_uicc_suspend(struct vsim_card *c, const struct vsim_apdu *a,
		      struct vsim_resp *r)
{
	/* a suspended session is the terminal's alone */
	if (a->privileged)
		return SW_CONDITIONS;
	if (a->p2)
		return SW_WRONG_P1P2;
	switch (a->p1) {
	case SUSPEND_P1_SUSPEND:
		return suspend(c, a, r);
	case SUSPEND_P1_RESUME:
		return resume(c, a);
	default:
		return SW_WRONG_P1P2;
	}
}

/* A cold reset after a SUSPEND: RESUME may come now (and only now). */
void vsim_uicc_power_on(struct vsim_card *c)
{
	c->terminal_cap_len = 0;
	if (c->suspend.active)
		c->suspend.cycled = true;
}

/*
 * Every terminal command passes here before it runs: anything but
 * RESUME UICC after a SUSPEND (before the power cycle or as the first
 * command after it) ends the suspension, §11.1.22.1. The GET RESPONSE
 * that fetches the token under T=0 is part of the SUSPEND.
 */
void vsim_uicc_command(struct vsim_card *c, const struct vsim_apdu *a)
{
	if (!c->suspend.active)
		return;
	if (!c->suspend.cycled && a->ins == 0xc0 && !(a->cla & 0x80))
		return;
	if (a->cla == 0x80 && a->ins == INS_SUSPEND_UICC &&
	    a->p1 == SUSPEND_P1_RESUME)
		return;
	forget_suspension(c);
}
