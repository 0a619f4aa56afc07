// SPDX-License-Identifier: GPL-2.0-only
/*
 * The engine's entry point: one C-APDU in, one R-APDU out. Decodes the
 * class byte and instruction through the spec's tables, checks the APDU's
 * shape against the command's case, runs the handler, and gives the answer
 * T=0 form (61xx and GET RESPONSE, 6Cxx for a wrong Le).
 */
#include "card_priv.h"

enum { CMD_CLA80_ONLY = 1 };

struct vsim_cmd {
	u8 apdu_case;		/* ISO 7816-3 §12.1.2: 1..4 */
	u8 flags;
	vsim_cmd_fn fn;
};

static u16 cmd_get_response(struct vsim_card *c, const struct vsim_apdu *a,
			    struct vsim_resp *r);
static u16 cmd_manage_channel(struct vsim_card *c, const struct vsim_apdu *a,
			      struct vsim_resp *r);
static u16 cmd_get_challenge(struct vsim_card *c, const struct vsim_apdu *a,
			     struct vsim_resp *r);
static u16 cmd_status(struct vsim_card *c, const struct vsim_apdu *a,
		      struct vsim_resp *r);
static u16 cmd_sleep(struct vsim_card *c, const struct vsim_apdu *a,
		     struct vsim_resp *r);

/* ETSI TS 102 221 Table 10.5, CLA = 0X, 4X or 6X */
static const struct vsim_cmd uicc_iso_cmds[256] = {
	[0xa4] = { 4, 0, vsim_fs_select },		/* SELECT FILE */
	[0xb0] = { 2, 0, vsim_fs_read_binary },		/* READ BINARY */
	[0xd6] = { 3, 0, vsim_fs_update_binary },	/* UPDATE BINARY */
	[0xb2] = { 2, 0, vsim_fs_read_record },		/* READ RECORD */
	[0xdc] = { 3, 0, vsim_fs_update_record },	/* UPDATE RECORD */
	[0xa2] = { 4, 0, vsim_fs_search_record },	/* SEARCH RECORD */
	[0x20] = { 3, 0, vsim_pin_verify },		/* VERIFY PIN */
	[0x24] = { 3, 0, vsim_pin_change },		/* CHANGE PIN */
	[0x26] = { 3, 0, vsim_pin_disable },		/* DISABLE PIN */
	[0x28] = { 3, 0, vsim_pin_enable },		/* ENABLE PIN */
	[0x2c] = { 3, 0, vsim_pin_unblock },		/* UNBLOCK PIN */
	[0x04] = { 3, 0, vsim_fs_deactivate },		/* DEACTIVATE FILE */
	[0x44] = { 3, 0, vsim_fs_activate },		/* ACTIVATE FILE */
	[0x88] = { 4, 0, vsim_cmd_authenticate },	/* AUTHENTICATE */
	[0x84] = { 2, 0, cmd_get_challenge },		/* GET CHALLENGE */
	[0x70] = { 2, 0, cmd_manage_channel },		/* MANAGE CHANNEL */
	[0xc0] = { 2, 0, cmd_get_response },		/* GET RESPONSE */
};

/* ETSI TS 102 221 Table 10.5, CLA = 8X, CX or EX (CAT ones: CLA 80 only) */
static const struct vsim_cmd uicc_prop_cmds[256] = {
	[0xf2] = { 2, 0, cmd_status },			/* STATUS */
	[0x32] = { 4, 0, vsim_fs_increase },		/* INCREASE */
	/* §11.1.19: TERMINAL CAPABILITY */
	[0xaa] = { 3, 0, vsim_uicc_terminal_capability },
	/* §11.1.22: SUSPEND UICC (P1 00) and RESUME UICC (P1 01), CLA 80 only */
	[0x76] = { 4, CMD_CLA80_ONLY, vsim_uicc_suspend },
	/* §11.3.1, §11.3.2: RETRIEVE DATA, SET DATA on BER-TLV EFs */
	[0xcb] = { 4, 0, vsim_bertlv_retrieve },
	[0xdb] = { 3, 0, vsim_bertlv_set },
	/* TS 31.102 §7.5: GET IDENTITY (SUCI), TS 102 221 §11.1.23 */
	[0x78] = { 4, 0, vsim_suci_get_identity },
	/* TS 102 221 §10.1.2 Table 10.5: CAT commands, CLA 80 only */
	[0x10] = { 3, CMD_CLA80_ONLY, vsim_cat_terminal_profile }, /* TERMINAL PROFILE */
	[0x12] = { 2, CMD_CLA80_ONLY, vsim_cat_fetch },	/* FETCH */
	[0x14] = { 3, CMD_CLA80_ONLY, vsim_cat_terminal_response }, /* TERMINAL RESPONSE */
	[0xc2] = { 4, CMD_CLA80_ONLY, vsim_cat_envelope },	/* ENVELOPE */
	/* vsim's own (docs/binding.md): BINDING ADMIN */
	[0x3b] = { 4, CMD_CLA80_ONLY, vsim_binding_admin },
};

/* GSM 11.11 §9.2, CLA = A0 (2G SIM) */
static const struct vsim_cmd gsm_cmds[256] = {
	[0xa4] = { 3, 0, vsim_gsm_select },		/* SELECT */
	[0xf2] = { 2, 0, vsim_gsm_status },		/* STATUS */
	[0xb0] = { 2, 0, vsim_gsm_read_binary },	/* READ BINARY */
	[0xd6] = { 3, 0, vsim_gsm_update_binary },	/* UPDATE BINARY */
	[0xb2] = { 2, 0, vsim_gsm_read_record },	/* READ RECORD */
	[0xdc] = { 3, 0, vsim_gsm_update_record },	/* UPDATE RECORD */
	[0x20] = { 3, 0, vsim_gsm_chv },		/* VERIFY CHV */
	[0x24] = { 3, 0, vsim_gsm_chv },		/* CHANGE CHV */
	[0x26] = { 3, 0, vsim_gsm_chv },		/* DISABLE CHV */
	[0x28] = { 3, 0, vsim_gsm_chv },		/* ENABLE CHV */
	[0x2c] = { 3, 0, vsim_gsm_chv },		/* UNBLOCK CHV */
	[0x04] = { 1, 0, vsim_gsm_invalidate },		/* INVALIDATE */
	[0x44] = { 1, 0, vsim_gsm_rehabilitate },	/* REHABILITATE */
	[0x88] = { 3, 0, vsim_cmd_run_gsm_algorithm },	/* RUN GSM ALGORITHM */
	[0xfa] = { 1, 0, cmd_sleep },			/* SLEEP */
	[0xc0] = { 2, 0, cmd_get_response },		/* GET RESPONSE */
	/* GSM 11.14 §11: the SIM Application Toolkit in class A0 */
	[0x10] = { 3, 0, vsim_cat_terminal_profile },	/* TERMINAL PROFILE */
	[0x12] = { 2, 0, vsim_cat_fetch },		/* FETCH */
	[0x14] = { 3, 0, vsim_cat_terminal_response },	/* TERMINAL RESPONSE */
	[0xc2] = { 4, 0, vsim_cat_envelope },		/* ENVELOPE */
};

enum cla_coding {
	CLA_FIRST,	/* channel in b2b1, secure messaging in b4b3 */
	CLA_FURTHER,	/* channel 4 + b4..b1, secure messaging in b6 */
	CLA_GSM,	/* no channels */
};

/* TS 102 221 §10.1.1 Table 10.3: class bytes, searched in order. */
static const struct {
	u8 value, mask;
	u8 coding;
	const struct vsim_cmd *cmds;
} cla_classes[] = {
	{ 0x00, 0xf0, CLA_FIRST, uicc_iso_cmds },
	{ 0x40, 0xe0, CLA_FURTHER, uicc_iso_cmds },	/* 4X and 6X */
	{ 0x80, 0xf0, CLA_FIRST, uicc_prop_cmds },
	{ 0xc0, 0xe0, CLA_FURTHER, uicc_prop_cmds },	/* CX and EX */
	{ 0xa0, 0xff, CLA_GSM, gsm_cmds },
};

/*
 * The ISO 7816-3 §12.1.2 case of (CLA, INS) from the tables above, with no
 * card state: a T=0 reader (the SIMtrace2 cardem bridge) must know after
 * the 5-byte header whether P3 is Le (cases 1, 2: the card answers at once)
 * or Lc (cases 3, 4: ask for P3 bytes of data first). 0 when the card does
 * not know the command: it answers a bare header with 6E00 or 6D00.
 */
int vsim_card_apdu_case(u8 cla, u8 ins)
{
	const struct vsim_cmd *cmd;
	unsigned int i;

	for (i = 0; i < VSIM_ARRAY_SIZE(cla_classes); i++) {
		if ((cla & cla_classes[i].mask) != cla_classes[i].value)
			continue;
		cmd = &cla_classes[i].cmds[ins];
		if (!cmd->fn || ((cmd->flags & CMD_CLA80_ONLY) && cla != 0x80))
			return 0;
		return cmd->apdu_case;
	}
	return 0;
}

/* The running session's data kept for GET RESPONSE: gone. */
static void clear_pending(struct vsim_card *c)
{
	struct vsim_session *s = vsim_sess(c);

	if (s->kept_len)
		vsim_wipe(s->kept, s->kept_len);
	s->kept_len = 0;
	s->kept_off = 0;
	s->kept_sw = 0;
}

/* Short APDU shapes, ISO 7816-4 §5.1. Extended lengths are refused. */
static u16 parse_body(struct vsim_apdu *a, const u8 *b, size_t len)
{
	size_t lc;

	a->lc = 0;
	a->data = NULL;
	a->ne = 0;
	if (len == 4)
		return SW_OK;
	if (len == 5) {
		/* P3 is Le for cases 2/4 and must be 0 for cases 1/3 */
		if (a->apdu_case == 2 || a->apdu_case == 4)
			a->ne = b[4] ? b[4] : 256;
		else if (b[4])
			return SW_WRONG_LENGTH;
		return SW_OK;
	}
	lc = b[4];
	if (!lc || a->apdu_case == 1 || a->apdu_case == 2)
		return SW_WRONG_LENGTH;
	/* 5 + Lc: no Le; 6 + Lc: the last byte is Le */
	if (len == 6 + lc)
		a->ne = b[len - 1] ? b[len - 1] : 256;
	else if (len != 5 + lc)
		return SW_WRONG_LENGTH;
	a->lc = (u16)lc;
	a->data = b + 5;
	return SW_OK;
}

/* Decode CLA: command table, logical channel, secure messaging. */
static u16 decode_class(struct vsim_card *c, struct vsim_apdu *a,
			const struct vsim_cmd **cmd)
{
	const struct vsim_cmd *tbl = NULL;
	u8 coding = 0, sm;
	unsigned int i;

	for (i = 0; i < VSIM_ARRAY_SIZE(cla_classes); i++) {
		if ((a->cla & cla_classes[i].mask) == cla_classes[i].value) {
			tbl = cla_classes[i].cmds;
			coding = cla_classes[i].coding;
			break;
		}
	}
	if (!tbl)
		return SW_CLA_UNSUPPORTED;
	switch (coding) {
	case CLA_FIRST:
		a->channel = a->cla & 0x03;
		sm = a->cla & 0x0c;
		break;
	case CLA_FURTHER:
		a->channel = 4 + (a->cla & 0x0f);
		sm = a->cla & 0x20;
		break;
	default:
		a->gsm = true;
		a->channel = 0;
		sm = 0;
		break;
	}
	*cmd = &tbl[a->ins];
	if (!(*cmd)->fn ||
	    (((*cmd)->flags & CMD_CLA80_ONLY) && a->cla != 0x80))
		return SW_INS_UNSUPPORTED;
	if (sm)
		return SW_SM_UNSUPPORTED;
	if (a->channel >= VSIM_CHANNELS ||
	    !vsim_sess(c)->channels[a->channel].open)
		return SW_CHANNEL_UNSUPPORTED;
	a->apdu_case = (*cmd)->apdu_case;
	return SW_OK;
}

static size_t put_sw(u8 *out, size_t off, u16 sw)
{
	out[off] = sw >> 8;
	out[off + 1] = (u8)sw;
	return off + 2;
}

/*
 * Give a successful answer its T=0 shape: exact-length data for case 2
 * (or 6Cxx with the right length), and for case 4 the data kept for GET
 * RESPONSE behind 61xx unless the terminal already said how much it wants.
 */
static size_t shape_answer(struct vsim_card *c, const struct vsim_apdu *a,
			   struct vsim_resp *r, u16 sw, u8 *out)
{
	struct vsim_session *s = vsim_sess(c);
	u16 n = r->len;

	/* 62F1 comes with data too: RETRIEVE DATA's block (TS 102 221 §11.3.1) */
	if ((sw != SW_OK && sw != SW_MORE_DATA) || !n || a->ins == 0xc0)
		goto plain;
	if (a->apdu_case == 2) {
		if (a->ne != n) {
			sw = SW_WRONG_LE | (u8)n;
			n = 0;
		}
		goto plain;
	}
	/* 2G answers always wait for GET RESPONSE (GSM 11.11 §9.4.1: 9Fxx) */
	if (a->gsm || !a->ne)
		goto stash;
	if (a->ne < n) {
		memcpy(s->kept, r->data + a->ne, n - a->ne);
		s->kept_len = n - a->ne;
		s->kept_off = 0;
		s->kept_sw = sw;
		n = a->ne;
		sw = SW_BYTES_AVAILABLE | (u8)s->kept_len;
	}
	goto plain;
stash:
	memcpy(s->kept, r->data, n);
	s->kept_len = n;
	s->kept_off = 0;
	/* the command's own SW comes with the last piece (§11.3.1 62F1) */
	s->kept_sw = sw;
	sw = SW_BYTES_AVAILABLE | (u8)n;
	n = 0;
plain:
	/* TS 102 221 §10.2.1.1: 91xx, a proactive command is waiting */
	if (!a->privileged && vsim_cat_pending_len(c)) {
		if (sw == SW_OK)
			sw = SW_PROACTIVE_PENDING | vsim_cat_pending_len(c);
		else if (sw == SW_MORE_DATA)
			sw = SW_MORE_DATA_PROACTIVE;
		else if (sw == SW_MORE_EXPECTED)
			sw = SW_MORE_EXPECTED_PROACTIVE;
	}
	memcpy(out, r->data, n);
	if (a->gsm)
		sw = vsim_gsm_sw(sw);
	return put_sw(out, n, sw);
}

static size_t run(struct vsim_card *c, const u8 *capdu, size_t len, u8 *rapdu,
		  bool privileged)
{
	struct vsim_apdu a = { .privileged = privileged };
	const struct vsim_cmd *cmd = NULL;
	struct vsim_resp r;
	size_t out;
	u16 sw;

	c->stats.apdus++;
	if (!c->powered)
		return put_sw(rapdu, 0, SW_TECHNICAL);
	if (!privileged)
		vsim_binding_count_command(c);
	if (len < 4 || len > VSIM_CAPDU_MAX)
		return put_sw(rapdu, 0, SW_WRONG_LENGTH);
	/* the host owes vsim_card_slow_done() first (vsim_card.h) */
	if (c->slow_pending && !privileged)
		return put_sw(rapdu, 0, SW_TECHNICAL);
	a.cla = capdu[0];
	a.ins = capdu[1];
	a.p1 = capdu[2];
	a.p2 = capdu[3];
	/* a SUSPEND UICC lasts only until a command other than RESUME */
	if (!privileged)
		vsim_uicc_command(c, &a);
	sw = decode_class(c, &a, &cmd);
	if (sw == SW_OK && privileged && a.channel)
		sw = SW_CHANNEL_UNSUPPORTED;	/* the host has channel 0 only */
	if (sw == SW_OK)
		sw = parse_body(&a, capdu, len);
	if (sw != SW_OK) {
		if (a.gsm)
			sw = vsim_gsm_sw(sw);
		return put_sw(rapdu, 0, sw);
	}
	/*
	 * Data kept for GET RESPONSE lives until the session's next other
	 * command. The host gets case-4 answers whole (as with Le = 00).
	 */
	if (privileged && a.apdu_case == 4 && !a.ne)
		a.ne = 256;
	if (a.ins != 0xc0)
		clear_pending(c);
	r.len = 0;
	sw = cmd->fn(c, &a, &r);
	if (sw == SW_DEFERRED)
		return 0;	/* vsim_card_slow_done() answers */
	out = shape_answer(c, &a, &r, sw, rapdu);
	/* keys and PINs may have passed through: clear what was used */
	vsim_wipe(r.data, r.len);
	return out;
}

size_t vsim_card_transact(struct vsim_card *c, const u8 *capdu, size_t len,
			  u8 *rapdu)
{
	return run(c, capdu, len, rapdu, false);
}

size_t vsim_card_slow_done(struct vsim_card *c, const u8 *answer,
			   size_t len, u8 *rapdu)
{
	struct vsim_resp r;
	size_t out;
	u16 sw;

	if (!c->slow_pending)
		return put_sw(rapdu, 0, SW_TECHNICAL);
	c->slow_pending = false;
	r.len = 0;
	if (!answer) {
		sw = SW_TECHNICAL;
	} else if (len < 2 || len > VSIM_RAPDU_MAX) {
		sw = SW_TOOLKIT_BUSY;
	} else {
		r.len = (u16)(len - 2);
		memcpy(r.data, answer, r.len);
		sw = vsim_get16(answer + r.len);
	}
	vsim_cat_slow_done(c, sw);
	out = shape_answer(c, &c->slow_apdu, &r, sw, rapdu);
	vsim_wipe(r.data, r.len);
	return out;
}

bool vsim_card_slow_pending(const struct vsim_card *c)
{
	return c->slow_pending;
}

/*
 * The host's own session: remote file management (TS 102 226) runs with
 * ADM rights in a context of its own, so the terminal's channels, current
 * files, verified PINs, kept GET RESPONSE data and proactive announcements
 * stay as they were.
 */
size_t vsim_card_exec(struct vsim_card *c, const u8 *capdu, size_t len,
		      u8 *rapdu, bool privileged)
{
	bool powered = c->powered;
	size_t n;

	if (!privileged)
		return run(c, capdu, len, rapdu, false);
	c->in_host = true;
	c->powered = true;
	n = run(c, capdu, len, rapdu, true);
	c->powered = powered;
	c->in_host = false;
	return n;
}

/* GET RESPONSE (TS 102 221 §11.1.17... ISO 7816-4 §7.6.1) */
static u16 cmd_get_response(struct vsim_card *c, const struct vsim_apdu *a,
			    struct vsim_resp *r)
{
	struct vsim_session *s = vsim_sess(c);
	u16 rem = s->kept_len - s->kept_off;

	if (a->p1 || a->p2)
		return SW_WRONG_P1P2;
	if (!s->kept_len)
		return a->gsm ? SW_TECHNICAL : SW_CONDITIONS;
	if (!a->ne)
		return SW_WRONG_LENGTH;
	if (a->ne > rem)
		return SW_WRONG_LE | (u8)rem;
	memcpy(r->data, s->kept + s->kept_off, a->ne);
	r->len = a->ne;
	s->kept_off += a->ne;
	rem -= a->ne;
	if (!rem) {
		u16 sw = s->kept_sw ? s->kept_sw : SW_OK;

		clear_pending(c);
		return sw;
	}
	return SW_BYTES_AVAILABLE | (u8)rem;
}

/* MANAGE CHANNEL (TS 102 221 §11.1.17): open with P1=00, close with 80. */
static u16 cmd_manage_channel(struct vsim_card *c, const struct vsim_apdu *a,
			      struct vsim_resp *r)
{
	struct vsim_channel *from = vsim_chan(c, a), *ch;
	struct vsim_channel *chans = vsim_sess(c)->channels;
	u8 n = a->p2;

	/* the host's session has its basic channel only: the terminal's are not its */
	if (a->privileged)
		return SW_CHANNEL_UNSUPPORTED;
	if (a->p1 == 0x80) {
		if (!n)
			n = a->channel;
		if (!n || n >= VSIM_CHANNELS || !chans[n].open)
			return SW_WRONG_P1P2;
		chans[n].open = false;
		return SW_OK;
	}
	if (a->p1)
		return SW_WRONG_P1P2;
	if (!n) {
		for (n = 1; n < VSIM_CHANNELS && chans[n].open; n++)
			;
		if (n == VSIM_CHANNELS)
			return SW_FUNC_UNSUPPORTED;	/* no channel free */
		r->data[0] = n;
		r->len = 1;
	} else if (n >= VSIM_CHANNELS || chans[n].open) {
		return SW_WRONG_P1P2;
	}
	ch = &chans[n];
	/* From the basic channel the MF is current; else the issuer's DF. */
	if (a->channel == 0)
		vsim_fs_reset_channel(c, ch);
	else
		*ch = *from;
	ch->xfer = VSIM_XFER_NONE;	/* a transfer stays with its channel */
	ch->open = true;
	return SW_OK;
}

/* GET CHALLENGE (ISO 7816-4 §7.5.3) */
static u16 cmd_get_challenge(struct vsim_card *c, const struct vsim_apdu *a,
			     struct vsim_resp *r)
{
	if (a->p1 || a->p2)
		return SW_WRONG_P1P2;
	if (!a->ne)
		return SW_WRONG_LENGTH;
	c->ops->get_random(c->priv, r->data, a->ne);
	r->len = a->ne;
	return SW_OK;
}

/*
 * INS F2 is STATUS for ETSI and GET STATUS for GlobalPlatform; only GP
 * uses a P1 with its upper nibble set (80, 40, 20, 10), so P1 decides.
 */
static u16 cmd_status(struct vsim_card *c, const struct vsim_apdu *a,
		      struct vsim_resp *r)
{
	if (a->p1 & 0xf0)
		return SW_INS_UNSUPPORTED;	/* GP GET STATUS: no ISD yet */
	return vsim_fs_status(c, a, r);
}

static u16 cmd_sleep(struct vsim_card *c, const struct vsim_apdu *a,
		     struct vsim_resp *r)
{
	(void)c;
	(void)a;
	(void)r;
	return SW_OK;
}
