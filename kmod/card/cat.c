// SPDX-License-Identifier: GPL-2.0-only
/*
 * The card's side of the Card Application Toolkit (ETSI TS 102 223, 3GPP
 * TS 31.111): TERMINAL PROFILE, a queue of proactive commands announced by
 * 91xx and taken with FETCH, TERMINAL RESPONSE checked against the command
 * it answers, and ENVELOPE dispatch by BER tag.
 */
#include "card_priv.h"

/* COMPREHENSION-TLV tags, TS 102 223 §9.3 (CR bit masked off) */
#define CTLV_COMMAND_DETAILS	0x01
#define CTLV_DEVICE_IDS		0x02
#define CTLV_RESULT		0x03
#define CTLV_IMEI		0x14
#define CTLV_EVENT_LIST		0x19
#define CTLV_TIMER_ID		0x24
#define CTLV_TIMER_VALUE	0x25
#define CTLV_TRANSPORT_LEVEL	0x3c
#define CTLV_IMEISV		0x62
#define CTLV_CR			0x80

/* BER-TLV tags, TS 101 220 §7.2 Table 7.17 */
#define BER_PROACTIVE		0xd0
#define BER_SMS_PP_DOWNLOAD	0xd1
#define BER_CB_DOWNLOAD		0xd2
#define BER_MENU_SELECTION	0xd3
#define BER_CALL_CONTROL	0xd4
#define BER_MO_SMS_CONTROL	0xd5
#define BER_EVENT_DOWNLOAD	0xd6
#define BER_TIMER_EXPIRATION	0xd7

/* Device identities, TS 102 223 §8.7 */
#define DEV_UICC		0x81
#define DEV_TERMINAL		0x82

/* TIMER MANAGEMENT qualifier, §8.6: b1-b2 00 start */
#define TIMER_START		0x00
#define TIMERS_MAX		8	/* timer identifiers 1..8, §8.37 */

/* Types of command, TS 102 223 §9.4 */
#define TYPE_SET_UP_EVENT_LIST	0x05
#define TYPE_PLI		0x26	/* PROVIDE LOCAL INFORMATION */
#define TYPE_TIMER_MANAGEMENT	0x27
#define TYPE_OPEN_CHANNEL	0x40
#define TYPE_CLOSE_CHANNEL	0x41
#define TYPE_RECEIVE_DATA	0x42
#define TYPE_SEND_DATA		0x43
#define TYPE_GET_CHANNEL_STATUS	0x44

/* Events the agent's BIP client waits on (TS 102 223 §8.25) */
#define EVENT_DATA_AVAILABLE	0x09
#define EVENT_CHANNEL_STATUS	0x0a

static bool ctlv_next(const u8 *d, u16 len, u16 *off, u8 *tag,
		      const u8 **val, u8 *vlen);
static u16 slow_path(struct vsim_card *c, const struct vsim_apdu *a,
		     struct vsim_resp *r);

bool vsim_tp_has(const struct vsim_card *c, struct vsim_tp_bit bit)
{
	return bit.byte <= c->terminal_profile_len &&
	       (c->terminal_profile[bit.byte - 1] & bit.mask);
}

void vsim_cat_reset(struct vsim_card *c)
{
	memset(&c->cat, 0, sizeof(c->cat));
	c->cat.next_number = 1;
}

u8 vsim_cat_pending_len(const struct vsim_card *c)
{
	if (!c->cat.count || c->cat.fetched)
		return 0;
	return c->cat.queue[c->cat.head].len;
}

/*
 * TS 102 223 §5.2: the TERMINAL PROFILE bit of a proactive command type
 * (byte 3: DISPLAY TEXT .. REFRESH, byte 4: SELECT ITEM .. PROVIDE LOCAL
 * INFORMATION). False for types vsim has no use for offering.
 */
static bool tp_bit_of(u8 type, struct vsim_tp_bit *bit)
{
	static const u8 byte3[8] = { 0x21, 0x22, 0x23, 0x02, 0x20, 0x03, 0x04,
				     0x01 };
	/* bits 7 and 8 are both PROVIDE LOCAL INFORMATION: the first wins */
	static const u8 byte4[8] = { 0x24, 0x13, 0x11, 0x12, 0x10, 0x25, 0x26,
				     0x26 };
	u8 i;

	for (i = 0; i < 8; i++) {
		if (byte3[i] == type || byte4[i] == type) {
			bit->byte = byte3[i] == type ? 3 : 4;
			bit->mask = (u8)(1 << i);
			return true;
		}
	}
	return false;
}

/*
 * TS 102 223 §5.2: the bits a terminal sets for the Bearer Independent
 * Protocol's commands (byte 12) and SET UP EVENT LIST (byte 5 b1).
 */
static const struct {
	u8 type;
	struct vsim_tp_bit bit;
} tp_declares[] = {
	{ TYPE_SET_UP_EVENT_LIST,	{ 5, 0x01 } },
	{ TYPE_TIMER_MANAGEMENT,	{ 8, 0x01 } },	/* start, stop */
	{ TYPE_OPEN_CHANNEL,		{ 12, 0x01 } },
	{ TYPE_CLOSE_CHANNEL,		{ 12, 0x02 } },
	{ TYPE_RECEIVE_DATA,		{ 12, 0x04 } },
	{ TYPE_SEND_DATA,		{ 12, 0x08 } },
	{ TYPE_GET_CHANNEL_STATUS,	{ 12, 0x10 } },
};

/*
 * Byte 17 of the profile by transport protocol type (§8.59): b1 TCP and
 * b2 UDP in client mode remote, b3 TCP server, b4 TCP and b5 UDP client
 * local, b6 direct communication channel.
 */
static const u8 tp_transport[] = {
	[1] = 0x02, [2] = 0x01, [3] = 0x04, [4] = 0x10, [5] = 0x08, [6] = 0x20,
};

/* The value of the first COMPREHENSION-TLV @want in @tlvs, or NULL. */
static const u8 *ctlv_find(const u8 *tlvs, u16 len, u8 want, u8 *vlen)
{
	u16 off = 0;
	const u8 *v;
	u8 tag;

	while (off < len) {
		if (!ctlv_next(tlvs, len, &off, &tag, &v, vlen))
			return NULL;
		if (tag == want)
			return v;
	}
	return NULL;
}

/*
 * Does this power cycle's TERMINAL PROFILE declare the command
 * (VSIM_PROACTIVE_F_DECLARED)? Its own bit, and what its TLVs ask for:
 * each event of a SET UP EVENT LIST (event e is bit 34 + e, bytes 5-6,
 * up to e = 0E), and for OPEN CHANNEL a channel (byte 13 b6-b8: how many
 * the terminal has) and the transport of its UICC/terminal interface
 * transport level (byte 17, tp_transport).
 */
static bool tp_declares_cmd(const struct vsim_card *c, u8 type,
			    const u8 *tlvs, u16 len)
{
	struct vsim_tp_bit bit = { 0, 0 };
	const u8 *v;
	u8 i, l;

	if (!c->terminal_profile_len)
		return false;
	for (i = 0; i < VSIM_ARRAY_SIZE(tp_declares); i++)
		if (tp_declares[i].type == type)
			bit = tp_declares[i].bit;
	if (!bit.byte && !tp_bit_of(type, &bit))
		return false;
	if (!vsim_tp_has(c, bit))
		return false;
	if (type == TYPE_SET_UP_EVENT_LIST) {
		v = ctlv_find(tlvs, len, CTLV_EVENT_LIST, &l);
		for (i = 0; v && i < l; i++) {
			if (v[i] > 0x0e)
				return false;
			bit.byte = (u8)((33 + v[i]) / 8 + 1);
			bit.mask = (u8)(1 << ((33 + v[i]) % 8));
			if (!vsim_tp_has(c, bit))
				return false;
		}
	}
	/*
	 * a timer is only worth starting if its expiry comes back: byte 1 b6,
	 * ENVELOPE (TIMER EXPIRATION)
	 */
	if (type == TYPE_TIMER_MANAGEMENT &&
	    !vsim_tp_has(c, (struct vsim_tp_bit){ 1, 0x20 }))
		return false;
	if (type == TYPE_OPEN_CHANNEL) {
		if (c->terminal_profile_len < 13 ||
		    !(c->terminal_profile[12] & 0xe0))
			return false;
		v = ctlv_find(tlvs, len, CTLV_TRANSPORT_LEVEL, &l);
		if (v && l == 3) {
			if (v[0] < 1 || v[0] >= VSIM_ARRAY_SIZE(tp_transport))
				return false;
			bit.byte = 17;
			bit.mask = tp_transport[v[0]];
			if (!vsim_tp_has(c, bit))
				return false;
		}
	}
	return true;
}

/*
 * A TERMINAL PROFILE arrived: the command set aside for it joins the queue
 * if the profile declares it, and is dropped if not (the terminal could
 * not run it) or if the queue is full.
 */
static void release_offer(struct vsim_card *c)
{
	struct vsim_cat *cat = &c->cat;
	struct vsim_tp_bit bit;

	if (!cat->has_offer)
		return;
	cat->has_offer = false;
	if (tp_bit_of(cat->offer.type, &bit) && vsim_tp_has(c, bit) &&
	    cat->count < VSIM_PROACTIVE_SLOTS) {
		cat->queue[(cat->head + cat->count) % VSIM_PROACTIVE_SLOTS] =
			cat->offer;
		cat->count++;
	}
	vsim_wipe(&cat->offer, sizeof(cat->offer));
}

/*
 * Build a proactive command in @p: D0 L {81 03 number type qualifier}
 * {82 02 81 dest} then @tlvs, L in one byte or as 81 xx (TS 102 223
 * Annex C). Returns 0, or -ENOSPC when it would not fit a FETCH.
 */
static int build(struct vsim_cat *cat, struct vsim_proactive *p, u8 type,
		 u8 qualifier, u8 dest, const u8 *tlvs, u16 len)
{
	u16 body = 5 + 4 + len;
	u8 *q;

	if (len > VSIM_PROACTIVE_MAX || body + 3 > VSIM_PROACTIVE_MAX)
		return -ENOSPC;
	p->number = cat->next_number;
	cat->next_number = cat->next_number == 0xfe ? 1 : cat->next_number + 1;
	p->type = type;
	p->qualifier = qualifier;
	q = p->cmd;
	*q++ = BER_PROACTIVE;
	if (body > 0x7f)
		*q++ = 0x81;
	*q++ = (u8)body;
	*q++ = CTLV_COMMAND_DETAILS | CTLV_CR;
	*q++ = 3;
	*q++ = p->number;
	*q++ = type;
	*q++ = qualifier;
	*q++ = CTLV_DEVICE_IDS | CTLV_CR;
	*q++ = 2;
	*q++ = DEV_UICC;
	*q++ = dest;
	if (len)	/* a command may have no TLVs (CLOSE CHANNEL): tlvs NULL */
		memcpy(q, tlvs, len);
	p->len = (u8)(q + len - p->cmd);
	return 0;
}

/*
 * A timer the host starts (its TIMER MANAGEMENT, F_RESPONSE): its
 * expiration is the host's too (timer_expiration()). Kept for the power
 * cycle; a timer of the card's own is not the host's.
 */
static void note_host_timer(struct vsim_card *c, const struct vsim_proactive *p,
			    const u8 *tlvs, u16 len)
{
	const u8 *v;
	u8 l;

	if (!p->to_host || p->type != TYPE_TIMER_MANAGEMENT ||
	    (p->qualifier & 0x03) != TIMER_START)
		return;
	v = ctlv_find(tlvs, len, CTLV_TIMER_ID, &l);
	if (v && l == 1 && v[0] >= 1 && v[0] <= TIMERS_MAX)
		c->cat.host_timers |= (u8)(1 << (v[0] - 1));
}

static int queue(struct vsim_card *c, u8 type, u8 qualifier, u8 dest,
		 const u8 *tlvs, u16 len, bool to_host)
{
	struct vsim_cat *cat = &c->cat;
	struct vsim_proactive *p;
	int ret;

	if (cat->count == VSIM_PROACTIVE_SLOTS)
		return -ENOSPC;
	p = &cat->queue[(cat->head + cat->count) % VSIM_PROACTIVE_SLOTS];
	ret = build(cat, p, type, qualifier, dest, tlvs, len);
	if (!ret) {
		p->to_host = to_host;
		cat->count++;
		note_host_timer(c, p, tlvs, len);
	}
	return ret;
}

/* Queue a proactive command; 0, or -ENOSPC (queue full, too long). */
int vsim_cat_queue(struct vsim_card *c, u8 type, u8 qualifier, u8 dest,
		   const u8 *tlvs, u16 len)
{
	return queue(c, type, qualifier, dest, tlvs, len, false);
}

/* TLVs a host hands in: COMPREHENSION-TLVs end to end, or -EINVAL. */
static int check_tlvs(const u8 *tlvs, size_t len)
{
	u16 off = 0;
	u8 tag, l;
	const u8 *v;

	if (len > VSIM_PROACTIVE_MAX)
		return -ENOSPC;
	while (off < len)
		if (!ctlv_next(tlvs, (u16)len, &off, &tag, &v, &l))
			return -EINVAL;
	return 0;
}

/*
 * The host's proactive commands (SEND SHORT MESSAGE of an OTA PoR, SET UP
 * MENU): checked for shape, then queued like the card's own.
 */
int vsim_card_queue_proactive(struct vsim_card *c, u8 type, u8 qualifier,
			      u8 dest, const u8 *tlvs, size_t len)
{
	return vsim_card_proactive(c, type, qualifier, dest, tlvs, len, 0);
}

/*
 * A proactive command only a terminal that declares it may see (SET UP
 * MENU at power-on): set aside, out of the queue so it holds nothing
 * back, until this power cycle's TERMINAL PROFILE. One at a time: a newer
 * offer replaces it.
 */
static int offer(struct vsim_card *c, u8 type, u8 qualifier, u8 dest,
		 const u8 *tlvs, size_t len, bool to_host)
{
	struct vsim_cat *cat = &c->cat;
	struct vsim_tp_bit bit;
	int ret;

	if (!tp_bit_of(type, &bit))
		return -EINVAL;
	if (c->terminal_profile_len) {
		if (!vsim_tp_has(c, bit))
			return -EOPNOTSUPP;
		return queue(c, type, qualifier, dest, tlvs, (u16)len,
			     to_host);
	}
	ret = build(cat, &cat->offer, type, qualifier, dest, tlvs, (u16)len);
	if (!ret) {
		cat->offer.to_host = to_host;
		cat->has_offer = true;
	}
	return ret;
}

int vsim_card_offer_proactive(struct vsim_card *c, u8 type, u8 qualifier,
			      u8 dest, const u8 *tlvs, size_t len)
{
	return vsim_card_proactive(c, type, qualifier, dest, tlvs, len,
				   VSIM_PROACTIVE_F_PROFILE);
}

/*
 * The host's proactive command with VSIM_PROACTIVE_F_* flags
 * (linux/vsim.h): shape checked first, then offered (F_PROFILE), refused
 * when the profile does not declare it (F_DECLARED), or queued, its
 * TERMINAL RESPONSE for the host's slow path (F_RESPONSE).
 */
int vsim_card_proactive(struct vsim_card *c, u8 type, u8 qualifier, u8 dest,
			const u8 *tlvs, size_t len, u32 flags)
{
	bool to_host = flags & VSIM_PROACTIVE_F_RESPONSE;
	int ret;

	if ((flags & ~(u32)VSIM_PROACTIVE_F_ALL) ||
	    ((flags & VSIM_PROACTIVE_F_PROFILE) &&
	     (flags & VSIM_PROACTIVE_F_DECLARED)))
		return -EINVAL;
	ret = check_tlvs(tlvs, len);
	if (ret)
		return ret;
	/* a TERMINAL RESPONSE nobody could take would wedge the queue */
	if (to_host && !c->ops->slow_path)
		return -EOPNOTSUPP;
	if (flags & VSIM_PROACTIVE_F_PROFILE)
		return offer(c, type, qualifier, dest, tlvs, len, to_host);
	if ((flags & VSIM_PROACTIVE_F_DECLARED) &&
	    !tp_declares_cmd(c, type, tlvs, (u16)len))
		return -EOPNOTSUPP;
	return queue(c, type, qualifier, dest, tlvs, (u16)len, to_host);
}

static void dequeue(struct vsim_card *c)
{
	struct vsim_cat *cat = &c->cat;

	cat->head = (cat->head + 1) % VSIM_PROACTIVE_SLOTS;
	cat->count--;
	cat->fetched = false;
}

/* TERMINAL PROFILE (TS 102 221 §11.2.1): kept for this power cycle. */
u16 vsim_cat_terminal_profile(struct vsim_card *c, const struct vsim_apdu *a,
			      struct vsim_resp *r)
{
	u16 n = a->lc < VSIM_TP_MAX ? a->lc : VSIM_TP_MAX;

	(void)r;
	if (a->p1 || a->p2)
		return SW_WRONG_P1P2;
	if (!a->lc)
		return SW_WRONG_LENGTH;
	memcpy(c->terminal_profile, a->data, n);
	c->terminal_profile_len = (u8)n;
	release_offer(c);
	vsim_binding_terminal_profile(c);
	return SW_OK;
}

/* FETCH (TS 102 221 §11.2.3): the command announced by 91xx. */
u16 vsim_cat_fetch(struct vsim_card *c, const struct vsim_apdu *a,
		   struct vsim_resp *r)
{
	const struct vsim_proactive *p;

	if (a->p1 || a->p2)
		return SW_WRONG_P1P2;
	/* nothing pending: the terminal did not get a 91xx for this */
	if (!c->cat.count)
		return SW_TECHNICAL;
	p = &c->cat.queue[c->cat.head];
	/* a FETCH repeated before the TERMINAL RESPONSE gets the same command */
	c->cat.fetched = true;
	memcpy(r->data, p->cmd, p->len);
	r->len = p->len;
	return SW_OK;
}

/*
 * Walk COMPREHENSION-TLVs (TS 102 223 §8, Annex C): one- or three-byte
 * tags, lengths in one byte or 81 xx. Returns false on a malformed list.
 */
static bool ctlv_next(const u8 *d, u16 len, u16 *off, u8 *tag,
		      const u8 **val, u8 *vlen)
{
	u16 o = *off;
	u16 l;

	if (o >= len)
		return false;
	if (d[o] == 0x00 || d[o] == 0xff || d[o] == 0x80)
		return false;
	if (d[o] == 0x7f) {	/* three-byte tag: kept opaque */
		if (o + 3 > len)
			return false;
		*tag = 0;
		o += 3;
	} else {
		*tag = d[o++] & ~CTLV_CR;
	}
	if (o >= len)
		return false;
	l = d[o++];
	if (l == 0x81) {
		if (o >= len || d[o] < 0x80)
			return false;
		l = d[o++];
	} else if (l > 0x7f) {
		return false;
	}
	if (o + l > len)
		return false;
	*val = d + o;
	*vlen = (u8)l;
	*off = o + l;
	return true;
}

/* TERMINAL RESPONSE (TS 102 221 §11.2.4, TS 102 223 §6.8). */
u16 vsim_cat_terminal_response(struct vsim_card *c, const struct vsim_apdu *a,
			       struct vsim_resp *r)
{
	const struct vsim_proactive *p;
	const u8 *det = NULL, *dev = NULL, *v;
	struct vsim_tr tr = { .result = 0xff };
	bool have_result = false;
	u16 off = 0, sw = SW_OK;
	u8 tag, l;

	(void)r;
	if (a->p1 || a->p2)
		return SW_WRONG_P1P2;
	if (!a->lc)
		return SW_WRONG_LENGTH;
	while (off < a->lc) {
		if (!ctlv_next(a->data, a->lc, &off, &tag, &v, &l))
			return SW_WRONG_DATA;
		if (tag == CTLV_COMMAND_DETAILS && l == 3)
			det = v;
		else if (tag == CTLV_DEVICE_IDS && l == 2)
			dev = v;
		else if (tag == CTLV_RESULT && l >= 1)
			tr.result = v[0], have_result = true;
		else if (tag == CTLV_IMEI && l == 8)
			tr.imei = v;
		else if (tag == CTLV_IMEISV && l == 9)
			tr.imeisv = v;
	}
	/* §6.8: command details, device identities and result are mandatory */
	if (!det || !dev || !have_result)
		return SW_WRONG_DATA;
	if (!c->cat.count || !c->cat.fetched)
		return SW_CONDITIONS;
	p = &c->cat.queue[c->cat.head];
	/* §6.8.1: command number 00 means the last command sent */
	if ((det[0] && det[0] != p->number) || det[1] != p->type ||
	    det[2] != p->qualifier)
		return SW_CONDITIONS;
	/* the host's command: its slow path reads the response */
	if (p->to_host) {
		sw = slow_path(c, a, r);
		if (sw != SW_DEFERRED && (sw >> 8) == 0x90)
			dequeue(c);
		return sw;
	}
	if (p->type == TYPE_PLI)
		sw = vsim_binding_pli_response(c, &tr);
	if (sw == SW_OK)
		dequeue(c);
	return sw;
}

/*
 * The host answered a deferred command (vsim_card_slow_done()): a
 * TERMINAL RESPONSE it accepted (90xx) ends the command it answered.
 */
void vsim_cat_slow_done(struct vsim_card *c, u16 sw)
{
	if (c->slow_apdu.ins == 0x14 && (sw >> 8) == 0x90 && c->cat.count &&
	    c->cat.fetched && c->cat.queue[c->cat.head].to_host)
		dequeue(c);
}

/* Hand the command to the agent; without one the toolkit is busy. */
static u16 slow_path(struct vsim_card *c, const struct vsim_apdu *a,
		     struct vsim_resp *r)
{
	u8 capdu[VSIM_CAPDU_MAX], rapdu[VSIM_RAPDU_MAX];
	size_t n;

	if (!c->ops->slow_path)
		return SW_TOOLKIT_BUSY;
	capdu[0] = a->cla;
	capdu[1] = a->ins;
	capdu[2] = a->p1;
	capdu[3] = a->p2;
	capdu[4] = (u8)a->lc;
	memcpy(capdu + 5, a->data, a->lc);
	n = c->ops->slow_path(c->priv, capdu, 5 + a->lc, rapdu);
	if (n == VSIM_SLOW_DEFERRED && !a->privileged) {
		c->slow_pending = true;
		c->slow_apdu = *a;
		c->slow_apdu.data = NULL;
		return SW_DEFERRED;
	}
	if (n < 2 || n > VSIM_RAPDU_MAX)
		return SW_TOOLKIT_BUSY;
	memcpy(r->data, rapdu, n - 2);
	r->len = (u16)(n - 2);
	return vsim_get16(rapdu + n - 2);
}

/*
 * EVENT DOWNLOAD (TS 102 223 §7.5): Data available and Channel status
 * (§7.5.10, §7.5.11) belong to the channels the host's BIP client opened;
 * the card has no use for the other events and acknowledges them.
 */
static u16 event_download(struct vsim_card *c, const struct vsim_apdu *a,
			  struct vsim_resp *r, u16 hdr)
{
	const u8 *v;
	u8 i, l;

	v = ctlv_find(a->data + hdr, a->lc - hdr, CTLV_EVENT_LIST, &l);
	for (i = 0; v && i < l; i++)
		if ((v[i] == EVENT_DATA_AVAILABLE ||
		     v[i] == EVENT_CHANNEL_STATUS) && c->ops->slow_path)
			return slow_path(c, a, r);
	return SW_OK;
}

/*
 * TIMER EXPIRATION (TS 102 223 §7.4): device identities (terminal to
 * UICC), timer identifier (§8.37, 1..8) and timer value (§8.38), else
 * 6A80 (TS 102 221 §10.2.1.5). A timer the host started is the host's to
 * answer; any other is acknowledged and changes nothing.
 */
static u16 timer_expiration(struct vsim_card *c, const struct vsim_apdu *a,
			    struct vsim_resp *r, u16 hdr)
{
	const u8 *dev = NULL, *id = NULL, *val = NULL, *v;
	u16 off = hdr;
	u8 tag, l;

	while (off < a->lc) {
		if (!ctlv_next(a->data, a->lc, &off, &tag, &v, &l))
			return SW_WRONG_DATA;
		if (tag == CTLV_DEVICE_IDS && l == 2)
			dev = v;
		else if (tag == CTLV_TIMER_ID && l == 1)
			id = v;
		else if (tag == CTLV_TIMER_VALUE && l == 3)
			val = v;
	}
	if (!dev || dev[0] != DEV_TERMINAL || dev[1] != DEV_UICC || !id ||
	    !id[0] || id[0] > TIMERS_MAX || !val)
		return SW_WRONG_DATA;
	if ((c->cat.host_timers & (1 << (id[0] - 1))) && c->ops->slow_path)
		return slow_path(c, a, r);
	return SW_OK;
}

/*
 * ENVELOPE (TS 102 221 §11.2.2): one BER-TLV from the terminal. SMS-PP
 * download, menu selection, the BIP events and the expiry of the host's
 * timers belong to the agent (OTA);
 * the card itself has no use for the others yet and acknowledges them.
 */
u16 vsim_cat_envelope(struct vsim_card *c, const struct vsim_apdu *a,
		      struct vsim_resp *r)
{
	u16 len, hdr;

	if (a->p1 || a->p2)
		return SW_WRONG_P1P2;
	if (a->lc < 2)
		return SW_WRONG_LENGTH;
	len = a->data[1];
	hdr = 2;
	if (len == 0x81 && a->lc >= 3) {
		len = a->data[2];
		hdr = 3;
	} else if (len > 0x7f) {
		return SW_WRONG_DATA;
	}
	if (hdr + len != a->lc)
		return SW_WRONG_DATA;
	switch (a->data[0]) {
	case BER_SMS_PP_DOWNLOAD:
	case BER_MENU_SELECTION:
		return slow_path(c, a, r);
	case BER_EVENT_DOWNLOAD:
		return event_download(c, a, r, hdr);
	case BER_TIMER_EXPIRATION:
		return timer_expiration(c, a, r, hdr);
	case BER_CB_DOWNLOAD:
	case BER_CALL_CONTROL:
	case BER_MO_SMS_CONTROL:
		return SW_OK;
	default:
		return SW_WRONG_DATA;
	}
}
