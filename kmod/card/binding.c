// SPDX-License-Identifier: GPL-2.0-only
/*
 * Device-card binding, the IMEI lock (docs/binding.md). At every power-on
 * the card asks the terminal for its IMEI with PROVIDE LOCAL INFORMATION
 * and, until the answer matches the binding, reads of EF_IMSI return an
 * invalid IMSI and AUTHENTICATE answers 6982. No server takes part.
 *
 * The check is a CAT dialogue (TS 102 223 §6.4.15), so this file and
 * cat.c call each other: cat.c hands over the TERMINAL PROFILE and the
 * TERMINAL RESPONSE to PROVIDE LOCAL INFORMATION; this file queues PLI,
 * REFRESH and DISPLAY TEXT. Everything else only asks vsim_binding_gate().
 */
#include "card_priv.h"

#define TYPE_PLI		0x26	/* TS 102 223 §9.4 */
#define PLI_IMEI		0x01	/* §8.6: command qualifier */
#define PLI_IMEISV		0x08
#define TYPE_REFRESH		0x01
#define REFRESH_FILE_CHANGE	0x01
#define TYPE_DISPLAY_TEXT	0x21
#define DISPLAY_WAIT_CLEAR	0x80
#define DEV_TERMINAL		0x82
#define DEV_DISPLAY		0x02

/* A terminal that sent no TERMINAL PROFILE after this many commands has no CAT. */
#define VSIM_BIND_NO_TP_LIMIT	16

/* TERMINAL PROFILE bits, TS 102 223 §5.2 (1-based byte, mask) */
static const struct vsim_tp_bit tp_pli_imei = { 4, 0x40 };	/* PLI (IMEI) */
static const struct vsim_tp_bit tp_pli_imeisv = { 18, 0x40 };	/* PLI (IMEISV) */
static const struct vsim_tp_bit tp_display_text = { 3, 0x01 };
static const struct vsim_tp_bit tp_refresh = { 3, 0x80 };

/* Why the session's verdict is what it is (vsim_card_binding_info). */
enum vsim_bind_reason {
	VSIM_WHY_NONE,
	VSIM_WHY_OFF,
	VSIM_WHY_MATCH,
	VSIM_WHY_FIRST,		/* bound just now to the first terminal */
	VSIM_WHY_MISMATCH,
	VSIM_WHY_NO_CAT,	/* terminal cannot answer: policy decided */
};

const char *vsim_binding_check_config(const struct vsim_image_binding *b)
{
	u8 i, j, digits = (b->flags & VSIM_BIND_F_IMEISV) ? 16 : 14;

	if (b->mode > VSIM_BIND_PATTERN)
		return "unknown binding mode";
	if (b->flags & ~(VSIM_BIND_F_IMEISV | VSIM_BIND_F_ALLOW_NO_CAT |
			 VSIM_BIND_F_DISPLAY))
		return "unknown binding flags";
	if (b->count > VSIM_BIND_ENTRIES || b->text_len > VSIM_BIND_TEXT_MAX)
		return "binding entries or text too long";
	if ((b->mode == VSIM_BIND_IMEI || b->mode == VSIM_BIND_PATTERN) ?
	    !b->count : b->count)
		return "binding entries do not fit the mode";
	for (i = 0; i < b->count; i++) {
		const u8 *e = b->entries[i];

		for (j = 0; j < VSIM_BIND_DIGITS && e[j]; j++)
			if ((e[j] < '0' || e[j] > '9') &&
			    (e[j] != '?' || b->mode != VSIM_BIND_PATTERN))
				return "binding entry has a character that is not a digit";
		if (!j || (b->mode == VSIM_BIND_IMEI && j != digits) ||
		    j > digits)
			return "binding entry has the wrong number of digits";
		for (; j < VSIM_BIND_DIGITS; j++)
			if (e[j])
				return "binding entry not NUL-padded";
	}
	return NULL;
}

/* The two EF_IMSI files the lock guards, found once at card creation. */
void vsim_binding_init(struct vsim_card *c)
{
	u16 i, n = 0;

	c->imsi_files[0] = c->imsi_files[1] = VSIM_NO_FILE;
	for (i = 1; i < c->file_count && n < 2; i++) {
		const struct vsim_file *f = &c->files[i];
		const struct vsim_file *df = &c->files[f->parent];

		/* ADF.USIM's (PIX 1002, TS 101 220 Annex E): an ISIM's 6F07 is EF_IST */
		bool usim = df->type == VSIM_FILE_ADF && df->aid_len >= 7 &&
			    df->aid[5] == 0x10 && df->aid[6] == 0x02;

		if (f->fid == 0x6f07 && f->type == VSIM_FILE_EF &&
		    f->size >= 9 && (usim || df->fid == 0x7f20))
			c->imsi_files[n++] = i;
	}
	/* Personalisation: keep the valid IMSI as the binding's backup. */
	if (n && c->st.binding.cfg.mode != VSIM_BIND_OFF) {
		memcpy(c->st.binding.imsi_backup,
		       vsim_fs_body(c, c->imsi_files[0]), 9);
		c->st.binding.imsi_saved = 1;
	}
}

void vsim_binding_power_on(struct vsim_card *c)
{
	memset(&c->bind, 0, sizeof(c->bind));
	if (c->st.binding.cfg.mode == VSIM_BIND_OFF) {
		c->bind.verdict = VSIM_BIND_ALLOWED;
		c->bind.why = VSIM_WHY_OFF;
	}
}

static bool sv(const struct vsim_card *c)
{
	return c->st.binding.cfg.flags & VSIM_BIND_F_IMEISV;
}

/* A terminal that cannot tell its IMEI: the profile's policy decides. */
static void decide_no_cat(struct vsim_card *c)
{
	bool allow = c->st.binding.cfg.flags & VSIM_BIND_F_ALLOW_NO_CAT;

	c->bind.verdict = allow ? VSIM_BIND_ALLOWED : VSIM_BIND_REFUSED;
	c->bind.why = VSIM_WHY_NO_CAT;
}

/* TERMINAL PROFILE arrived: ask for the IMEI if the terminal can answer. */
void vsim_binding_terminal_profile(struct vsim_card *c)
{
	bool can = sv(c) ? vsim_tp_has(c, tp_pli_imeisv) :
			   vsim_tp_has(c, tp_pli_imei);

	if (c->st.binding.cfg.mode == VSIM_BIND_OFF || c->bind.asked ||
	    c->bind.why == VSIM_WHY_MATCH || c->bind.why == VSIM_WHY_FIRST)
		return;
	if (!can) {
		decide_no_cat(c);
		return;
	}
	if (!vsim_cat_queue(c, TYPE_PLI, sv(c) ? PLI_IMEISV : PLI_IMEI,
			    DEV_TERMINAL, NULL, 0))
		c->bind.asked = true;
}

/* Counts commands; a terminal silent about its profile has no CAT. */
void vsim_binding_count_command(struct vsim_card *c)
{
	if (c->bind.verdict != VSIM_BIND_PENDING || c->terminal_profile_len ||
	    c->bind.asked)
		return;
	if (++c->bind.commands >= VSIM_BIND_NO_TP_LIMIT)
		decide_no_cat(c);
}

/*
 * A command that needs the subscription (EF_IMSI, AUTHENTICATE). Before
 * any TERMINAL PROFILE the terminal is taken as one without CAT; while the
 * IMEI request is out, the answer is still "locked".
 */
bool vsim_binding_gate(struct vsim_card *c)
{
	if (c->bind.verdict == VSIM_BIND_PENDING && !c->bind.asked &&
	    !c->terminal_profile_len)
		decide_no_cat(c);
	return c->bind.verdict == VSIM_BIND_ALLOWED;
}

bool vsim_binding_hides(struct vsim_card *c, u16 file)
{
	if (file != c->imsi_files[0] && file != c->imsi_files[1])
		return false;
	return !vsim_binding_gate(c);
}

/*
 * Terminals encode the IMEI two ways: the standard BCD form of TS 24.008
 * §10.5.1.4 (first digit in the high nibble of byte 0, whose low nibble
 * holds the odd flag and type: 0xA for an IMEI, 0x3 for an IMEISV, then
 * nibble-swapped digits), and raw digits high nibble first (seen in the
 * field). Returns the digit count written to out[], or 0 if neither.
 */
static u8 imei_digits(const u8 *v, u8 len, bool is_sv, u8 out[16])
{
	u8 type = is_sv ? 0x3 : 0xa, want = is_sv ? 16 : 14, n = 0, i, d;

	if ((v[0] & 0x0f) == type) {
		out[n++] = '0' + (v[0] >> 4);
		for (i = 1; i < len && n < want; i++) {
			d = v[i] & 0x0f;
			if (d > 9)
				return 0;
			out[n++] = '0' + d;
			d = v[i] >> 4;
			if (n < want) {
				if (d > 9)
					return 0;
				out[n++] = '0' + d;
			}
		}
	} else {
		for (i = 0; i < len && n < want; i++) {
			if ((v[i] >> 4) > 9 || (v[i] & 0x0f) > 9)
				return 0;
			out[n++] = '0' + (v[i] >> 4);
			if (n < want)
				out[n++] = '0' + (v[i] & 0x0f);
		}
	}
	if (out[0] > '9' || n != want)
		return 0;
	/* The IMEI's 15th digit is a check or spare digit (TS 23.003 §6.2.1):
	 * bindings compare the 14 that identify the terminal.
	 */
	return n;
}

static bool entry_matches(const u8 *e, const u8 *digits, u8 n, bool pattern)
{
	u8 i;

	for (i = 0; i < VSIM_BIND_DIGITS && e[i]; i++) {
		if (i >= n)
			return false;
		if (e[i] != digits[i] && !(pattern && e[i] == '?'))
			return false;
	}
	return pattern || i == n;
}

static bool listed(const struct vsim_image_binding *b, const u8 *d, u8 n)
{
	u8 i;

	for (i = 0; i < b->count; i++)
		if (entry_matches(b->entries[i], d, n,
				  b->mode == VSIM_BIND_PATTERN))
			return true;
	return false;
}

/* Tell the terminal the IMSI changed, so it reads it again and attaches. */
static void queue_refresh(struct vsim_card *c)
{
	/* §8.18 file list: count, then paths from the MF */
	static const u8 files[] = {
		0x92, 0x0d, 0x02,
		0x3f, 0x00, 0x7f, 0xff, 0x6f, 0x07,	/* ADF.USIM EF_IMSI */
		0x3f, 0x00, 0x7f, 0x20, 0x6f, 0x07,	/* DF_GSM EF_IMSI */
	};

	if (vsim_tp_has(c, tp_refresh))
		vsim_cat_queue(c, TYPE_REFRESH, REFRESH_FILE_CHANGE,
			       DEV_TERMINAL, files, sizeof(files));
}

static void queue_refusal_text(struct vsim_card *c)
{
	const struct vsim_image_binding *b = &c->st.binding.cfg;
	u8 t[3 + VSIM_BIND_TEXT_MAX];

	if (!(b->flags & VSIM_BIND_F_DISPLAY) || !vsim_tp_has(c, tp_display_text))
		return;
	/* §8.15 text string: DCS 04 (8-bit data) then the text */
	t[0] = 0x8d;
	t[1] = b->text_len + 1;
	t[2] = 0x04;
	memcpy(t + 3, b->text, b->text_len);
	vsim_cat_queue(c, TYPE_DISPLAY_TEXT, DISPLAY_WAIT_CLEAR, DEV_DISPLAY, t,
		       3 + b->text_len);
}

/*
 * The TERMINAL RESPONSE to our PROVIDE LOCAL INFORMATION. A first
 * terminal is bound durably before this command is answered.
 */
u16 vsim_binding_pli_response(struct vsim_card *c, const struct vsim_tr *tr)
{
	struct vsim_binding_state *st = &c->st.binding;
	const u8 *raw = sv(c) ? tr->imeisv : tr->imei;
	u8 digits[VSIM_BIND_DIGITS] = { 0 }, n = 0, bound = 1;

	/* §8.12: 0x0X successful; anything else means it cannot tell us */
	if (tr->result < 0x10 && raw)
		n = imei_digits(raw, sv(c) ? 9 : 8, sv(c), digits);
	if (!n) {
		decide_no_cat(c);
		return SW_OK;
	}
	if (st->cfg.mode == VSIM_BIND_FIRST_TERMINAL && !st->bound) {
		if (vsim_persist(c, st->imei, digits, VSIM_BIND_DIGITS) ||
		    vsim_persist(c, &st->bound, &bound, 1))
			return SW_MEMORY_PROBLEM;
		c->bind.why = VSIM_WHY_FIRST;
	} else if (st->cfg.mode == VSIM_BIND_FIRST_TERMINAL) {
		c->bind.why = vsim_ct_differ(st->imei, digits, VSIM_BIND_DIGITS) ?
			      VSIM_WHY_MISMATCH : VSIM_WHY_MATCH;
	} else {
		c->bind.why = listed(&st->cfg, digits, n) ? VSIM_WHY_MATCH :
							     VSIM_WHY_MISMATCH;
	}
	if (c->bind.why == VSIM_WHY_MISMATCH) {
		c->bind.verdict = VSIM_BIND_REFUSED;
		queue_refusal_text(c);
	} else {
		c->bind.verdict = VSIM_BIND_ALLOWED;
		queue_refresh(c);
	}
	return SW_OK;
}

/*
 * BINDING ADMIN, CLA 80 INS 3B (vsim's own; docs/binding.md). P1 00: the
 * state as TLVs; P1 01: unbind (the next terminal binds); P1 02: replace
 * the configuration. Changes need ADM1, or a privileged host (OTA).
 */
u16 vsim_binding_admin(struct vsim_card *c, const struct vsim_apdu *a,
		       struct vsim_resp *r)
{
	struct vsim_binding_state *st = &c->st.binding;
	bool adm = a->privileged || vsim_pin_satisfied(c, 0x0a);
	struct vsim_image_binding cfg;
	u8 zero[1 + VSIM_BIND_DIGITS] = { 0 }, *p = r->data;

	if (a->p2)
		return SW_WRONG_P1P2;
	switch (a->p1) {
	case 0x00:
		*p++ = 0x80, *p++ = 1, *p++ = st->cfg.mode;
		*p++ = 0x81, *p++ = 1, *p++ = st->cfg.flags;
		*p++ = 0x82, *p++ = 1, *p++ = st->bound;
		*p++ = 0x83, *p++ = 1, *p++ = c->bind.verdict;
		*p++ = 0x84, *p++ = 1, *p++ = c->bind.why;
		if (adm && st->bound) {
			*p++ = 0x85;
			*p++ = VSIM_BIND_DIGITS;
			memcpy(p, st->imei, VSIM_BIND_DIGITS);
			p += VSIM_BIND_DIGITS;
		}
		r->len = (u16)(p - r->data);
		return SW_OK;
	case 0x01:
		if (!adm)
			return SW_SECURITY_STATUS;
		if (a->lc)
			return SW_WRONG_LENGTH;
		/* bound first: an unbound card ignores imei[] */
		if (vsim_persist(c, &st->bound, zero, 1) ||
		    vsim_persist(c, st->imei, zero + 1, VSIM_BIND_DIGITS))
			return SW_MEMORY_PROBLEM;
		return SW_OK;
	case 0x02:
		if (!adm)
			return SW_SECURITY_STATUS;
		if (a->lc != sizeof(cfg))
			return SW_WRONG_LENGTH;
		memcpy(&cfg, a->data, sizeof(cfg));
		if (vsim_binding_check_config(&cfg))
			return SW_WRONG_DATA;
		if (vsim_persist(c, &st->cfg, &cfg, sizeof(cfg)))
			return SW_MEMORY_PROBLEM;
		return SW_OK;
	default:
		return SW_WRONG_P1P2;
	}
}

void vsim_card_binding_info(const struct vsim_card *c,
			    struct vsim_binding_info *info)
{
	static const char *const modes[] = {
		"off", "first-terminal", "imei", "pattern",
	};
	static const char *const verdicts[] = { "pending", "allowed", "refused" };
	static const char *const reasons[] = {
		"", "binding off", "terminal matches", "bound to this terminal",
		"terminal does not match", "terminal cannot tell its IMEI",
	};

	info->mode = modes[c->st.binding.cfg.mode];
	info->bound = c->st.binding.bound;
	info->session = verdicts[c->bind.verdict];
	info->reason = reasons[c->bind.why];
}
