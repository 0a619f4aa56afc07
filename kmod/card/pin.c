// SPDX-License-Identifier: GPL-2.0-only
/*
 * PIN commands (TS 102 221 §11.1.9-13) for PIN1, PIN2 and ADM1. Retry
 * counters are durable: each attempt is paid for (persisted) before the
 * comparison, so pulling the power mid-command never refunds a guess.
 */
#include "card_priv.h"

/* TS 102 221 §9.5.2: 4..8 ASCII digits, padded with FF. */
bool vsim_pin_digits_ok(const u8 v[8])
{
	int i = 0;

	while (i < 8 && v[i] >= '0' && v[i] <= '9')
		i++;
	if (i < 4)
		return false;
	for (; i < 8; i++)
		if (v[i] != 0xff)
			return false;
	return true;
}

static bool pin_format_ok(int idx, const u8 v[8])
{
	/* ADM keys may be raw bytes */
	return idx == VSIM_PIN_IDX_ADM1 || vsim_pin_digits_ok(v);
}

/* Resolve P1 = 00 and the key reference in P2. */
static u16 pin_ref(const struct vsim_apdu *a, int *idx)
{
	if (a->p1)
		return SW_WRONG_P1P2;
	*idx = vsim_pin_index(a->p2);
	if (*idx < 0)
		return SW_REF_NOT_FOUND;
	return SW_OK;
}

/*
 * One attempt against the PIN (or its PUK): decrement durably, compare in
 * constant time. On success *next is the state with the counter restored,
 * for the caller to amend and persist.
 */
static u16 attempt(struct vsim_card *c, int idx, bool puk, const u8 cand[8],
		   struct vsim_pin_state *next)
{
	struct vsim_pin_state *p = &c->st.pins[idx];
	u8 *tries = puk ? &p->puk_tries : &p->tries;
	u8 left;

	if (!*tries)
		return SW_PIN_BLOCKED;
	left = *tries - 1;
	if (vsim_persist(c, tries, &left, 1))
		return SW_MEMORY_PROBLEM;
	if (vsim_ct_differ(puk ? p->puk : p->value, cand, 8)) {
		if (!puk)
			vsim_sess(c)->verified &= ~(1u << idx);
		return SW_PIN_TRIES | left;
	}
	*next = *p;
	if (puk)
		next->puk_tries = p->puk_max_tries;
	else
		next->tries = p->max_tries;
	return SW_OK;
}

static u16 commit(struct vsim_card *c, int idx, struct vsim_pin_state *next)
{
	u16 sw = SW_OK;

	if (vsim_persist(c, &c->st.pins[idx], next, sizeof(*next)))
		sw = SW_MEMORY_PROBLEM;
	else
		vsim_sess(c)->verified |= 1u << idx;
	vsim_wipe(next, sizeof(*next));
	return sw;
}

u16 vsim_pin_verify(struct vsim_card *c, const struct vsim_apdu *a,
		    struct vsim_resp *r)
{
	struct vsim_pin_state next;
	const struct vsim_pin_state *p;
	int idx;
	u16 sw;

	(void)r;
	sw = pin_ref(a, &idx);
	if (sw != SW_OK)
		return sw;
	p = &c->st.pins[idx];
	if (!a->lc) {
		/* §11.1.9: no data asks for the retry counter */
		if (!p->tries)
			return SW_PIN_BLOCKED;
		if (vsim_sess(c)->verified & (1u << idx))
			return SW_OK;
		return SW_PIN_TRIES | p->tries;
	}
	if (a->lc != 8)
		return SW_WRONG_LENGTH;
	sw = attempt(c, idx, false, a->data, &next);
	return sw == SW_OK ? commit(c, idx, &next) : sw;
}

u16 vsim_pin_change(struct vsim_card *c, const struct vsim_apdu *a,
		    struct vsim_resp *r)
{
	struct vsim_pin_state next;
	int idx;
	u16 sw;

	(void)r;
	sw = pin_ref(a, &idx);
	if (sw != SW_OK)
		return sw;
	if (a->lc != 16)
		return SW_WRONG_LENGTH;
	if (!(c->st.pins[idx].flags & VSIM_PIN_F_ENABLED) &&
	    idx != VSIM_PIN_IDX_ADM1)
		return SW_REF_DATA_INVALID;
	if (!pin_format_ok(idx, a->data + 8))
		return SW_WRONG_DATA;
	sw = attempt(c, idx, false, a->data, &next);
	if (sw != SW_OK)
		return sw;
	memcpy(next.value, a->data + 8, 8);
	return commit(c, idx, &next);
}

static u16 set_enabled(struct vsim_card *c, const struct vsim_apdu *a,
		       bool enable)
{
	struct vsim_pin_state next;
	const struct vsim_pin_state *p;
	int idx;
	u16 sw;

	sw = pin_ref(a, &idx);
	if (sw != SW_OK)
		return sw;
	p = &c->st.pins[idx];
	if (a->lc != 8)
		return SW_WRONG_LENGTH;
	/* §11.1.11: only a PIN the profile lets be disabled */
	if (!(p->flags & VSIM_PIN_F_DISABLE_OK) ||
	    !!(p->flags & VSIM_PIN_F_ENABLED) == enable)
		return SW_CONDITIONS;
	sw = attempt(c, idx, false, a->data, &next);
	if (sw != SW_OK)
		return sw;
	if (enable)
		next.flags |= VSIM_PIN_F_ENABLED;
	else
		next.flags &= ~VSIM_PIN_F_ENABLED;
	return commit(c, idx, &next);
}

u16 vsim_pin_disable(struct vsim_card *c, const struct vsim_apdu *a,
		     struct vsim_resp *r)
{
	(void)r;
	return set_enabled(c, a, false);
}

u16 vsim_pin_enable(struct vsim_card *c, const struct vsim_apdu *a,
		    struct vsim_resp *r)
{
	(void)r;
	return set_enabled(c, a, true);
}

u16 vsim_pin_unblock(struct vsim_card *c, const struct vsim_apdu *a,
		     struct vsim_resp *r)
{
	struct vsim_pin_state next;
	const struct vsim_pin_state *p;
	int idx;
	u16 sw;

	(void)r;
	sw = pin_ref(a, &idx);
	if (sw != SW_OK)
		return sw;
	p = &c->st.pins[idx];
	if (!p->puk_max_tries)
		return SW_REF_NOT_FOUND;
	if (!a->lc)
		return p->puk_tries ? SW_PIN_TRIES | p->puk_tries :
				      SW_PIN_BLOCKED;
	if (a->lc != 16)
		return SW_WRONG_LENGTH;
	if (!pin_format_ok(idx, a->data + 8))
		return SW_WRONG_DATA;
	sw = attempt(c, idx, true, a->data, &next);
	if (sw != SW_OK)
		return sw;
	memcpy(next.value, a->data + 8, 8);
	next.tries = next.max_tries;
	return commit(c, idx, &next);
}
