// SPDX-License-Identifier: GPL-2.0-only
/*
 * The card's BIP client (ota/bip.h): proactive commands built here and
 * queued through struct ota_card, their TERMINAL RESPONSEs and the
 * channel events read here, whole secured packets handed to ota/card.c.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vsim.h>
#include <openssl/crypto.h>

#include "common/apdu_sw.h"
#include "ota/bip.h"
#include "ota/card.h"
#include "ota/scp81.h"

#define SW_OK		0x9000
#define SW_WRONG_DATA	0x6a80

#define DEV_TERMINAL	0x82
#define CR		0x80	/* comprehension required, §9.3 */

/* General results, TS 102 223 §8.12 */
#define RES_OK		0x00
#define RES_MISSING	0x02	/* performed with missing information */
#define RES_MODIFIED	0x07	/* performed with modification */

/* UICC/terminal interface transport level, §8.59 */
#define TRANSPORT_TCP_CLIENT_REMOTE	0x02
/* Bearer description, §8.52: default bearer for the requested transport */
#define BEARER_DEFAULT	0x03
/* Other address, §8.58 */
#define ADDRESS_IPV4	0x21
/* OPEN CHANNEL qualifier, §8.6: b1 immediate link establishment */
#define OPEN_IMMEDIATE	0x01
/* SEND DATA qualifier, §8.6: b1 send immediately */
#define SEND_NOW	0x01
/* Channel status, §8.56: byte 1 b8 link established, byte 2 05 link dropped */
#define STATUS_LINK_UP	0x80

int ota_bip_cfg_parse(const char *s, struct ota_bip_cfg *cfg)
{
	unsigned int a, b, c, d, port;
	char tail;

	if (sscanf(s, "%u.%u.%u.%u:%u%c", &a, &b, &c, &d, &port, &tail) != 5 ||
	    a > 255 || b > 255 || c > 255 || d > 255 || !port || port > 65535)
		return -1;
	cfg->enabled = true;
	cfg->ip[0] = (uint8_t)a;
	cfg->ip[1] = (uint8_t)b;
	cfg->ip[2] = (uint8_t)c;
	cfg->ip[3] = (uint8_t)d;
	cfg->port = (uint16_t)port;
	if (!cfg->buffer)
		cfg->buffer = BIP_BUFFER_DEFAULT;
	return 0;
}

/*
 * The value of COMPREHENSION-TLV @want (CR masked) in @d, lengths in one
 * byte or 81 xx; NULL when absent or when the list is malformed.
 */
static const uint8_t *tlv(const uint8_t *d, size_t len, uint8_t want,
			  size_t *vl)
{
	size_t o = 0, l;
	uint8_t tag;

	while (o + 2 <= len) {
		tag = d[o++] & 0x7f;
		l = d[o++];
		if (l == 0x81) {
			if (o >= len || d[o] < 0x80)
				return NULL;
			l = d[o++];
		} else if (l > 0x80) {
			return NULL;
		}
		if (o + l > len)
			return NULL;
		if (tag == want) {
			*vl = l;
			return d + o;
		}
		o += l;
	}
	return NULL;
}

static size_t put_tlv(uint8_t *out, uint8_t tag, const uint8_t *v, size_t l)
{
	size_t n = 0;

	out[n++] = tag;
	if (l > 0x7f)
		out[n++] = 0x81;
	out[n++] = (uint8_t)l;
	memcpy(out + n, v, l);
	return n + l;
}

static int queue(struct ota_card *o, uint8_t type, uint8_t qualifier,
		 uint8_t dest, const uint8_t *tlvs, size_t len, uint32_t flags)
{
	return o->queue_proactive(o->card, type, qualifier, dest, tlvs, len,
				  flags | VSIM_PROACTIVE_F_RESPONSE);
}

static void session_end(struct ota_bip *b)
{
	struct ota_card *o = (struct ota_card *)((char *)b -
						 offsetof(struct ota_card, bip));

	if (b->stream && b->state != BIP_IDLE)
		ota_scp81_closed(o);
	b->state = BIP_IDLE;
	b->send_queued = b->receive_queued = false;
	OPENSSL_cleanse(b->tx, sizeof(b->tx));
	OPENSSL_cleanse(b->rx, sizeof(b->rx));
	b->tx_len = b->tx_off = b->in_flight = b->rx_len = 0;
}

/* CLOSE CHANNEL (§6.4.28); without a channel the session just ends. */
static void close_channel(struct ota_card *o)
{
	struct ota_bip *b = &o->bip;

	if (b->state == BIP_CLOSING)
		return;
	if (b->channel && !queue(o, BIP_CLOSE_CHANNEL, 0x00,
				 BIP_DEV_CHANNEL(b->channel), NULL, 0, 0)) {
		b->state = BIP_CLOSING;
		return;
	}
	session_end(b);
}

/* SEND DATA (§6.4.30) of the next piece, one at a time. */
static void kick_send(struct ota_card *o)
{
	struct ota_bip *b = &o->bip;
	uint8_t t[3 + BIP_SEND_MAX];
	size_t n = b->tx_len - b->tx_off;

	/* nothing goes out before the terminal will report the answer */
	if (b->state != BIP_OPEN || !b->events_set)
		return;
	if (b->stream && !b->ready) {
		b->ready = true;
		b->opened = true;
		ota_scp81_ready(o);	/* ClientHello: comes back here */
		return;
	}
	if (b->finish && !b->send_queued && b->tx_off == b->tx_len) {
		close_channel(o);
		return;
	}
	if (b->send_queued || !n)
		return;
	if (!b->opened) {
		b->opened = true;	/* from here on no SMS fallback */
		OPENSSL_cleanse(b->request, sizeof(b->request));
		b->request_len = 0;
	}
	if (n > BIP_SEND_MAX)
		n = BIP_SEND_MAX;
	if (n > b->buffer)
		n = b->buffer;
	if (b->tx_room && n > b->tx_room)
		n = b->tx_room;
	if (queue(o, BIP_SEND_DATA, SEND_NOW, BIP_DEV_CHANNEL(b->channel), t,
		  put_tlv(t, CR | BIP_TAG_CHANNEL_DATA, b->tx + b->tx_off, n),
		  0)) {
		close_channel(o);
		return;
	}
	b->in_flight = n;
	b->send_queued = true;
}

/* RECEIVE DATA (§6.4.29) of what the terminal holds, in pieces. */
static void kick_receive(struct ota_card *o, size_t avail)
{
	struct ota_bip *b = &o->bip;
	uint8_t t[3];

	if (b->state != BIP_OPEN || b->receive_queued || !avail)
		return;
	t[0] = CR | BIP_TAG_DATA_LENGTH;
	t[1] = 1;
	t[2] = (uint8_t)(avail > BIP_RECEIVE_MAX ? BIP_RECEIVE_MAX : avail);
	if (queue(o, BIP_RECEIVE_DATA, 0x00, BIP_DEV_CHANNEL(b->channel), t,
		  sizeof(t), 0)) {
		close_channel(o);
		return;
	}
	b->receive_queued = true;
}

int ota_bip_send(struct ota_card *o, const uint8_t *data, size_t len)
{
	struct ota_bip *b = &o->bip;

	if (b->state != BIP_OPEN && b->state != BIP_OPENING)
		return -1;
	if (b->tx_off && !b->send_queued) {
		memmove(b->tx, b->tx + b->tx_off, b->tx_len - b->tx_off);
		b->tx_len -= b->tx_off;
		b->tx_off = 0;
	}
	if (len > sizeof(b->tx) - b->tx_len)
		return -1;
	memcpy(b->tx + b->tx_len, data, len);
	b->tx_len += len;
	kick_send(o);
	return 0;
}

static int open_channel(struct ota_card *o, const struct ota_bip_cfg *c,
			const uint8_t *data, size_t len, bool stream)
{
	static const uint8_t events[] = { CR | 0x19, 2,
					  BIP_EVENT_DATA_AVAILABLE,
					  BIP_EVENT_CHANNEL_STATUS };
	struct ota_bip *b = &o->bip;
	uint8_t t[32];
	size_t n = 0;
	time_t now = o->now ? o->now() : time(NULL);
	int ret;

	if (!c->enabled || !o->queue_proactive)
		return -EOPNOTSUPP;
	if (len > sizeof(b->request))
		return -EINVAL;
	if (b->state != BIP_IDLE && now - b->started < BIP_STALE_SECONDS)
		return -EBUSY;
	b->stream = false;	/* an abandoned session is not reported */
	session_end(b);
	t[n++] = CR | BIP_TAG_BEARER;
	t[n++] = 1;
	t[n++] = BEARER_DEFAULT;
	t[n++] = CR | BIP_TAG_BUFFER_SIZE;
	t[n++] = 2;
	t[n++] = (uint8_t)(c->buffer >> 8);
	t[n++] = (uint8_t)c->buffer;
	t[n++] = CR | BIP_TAG_TRANSPORT;
	t[n++] = 3;
	t[n++] = TRANSPORT_TCP_CLIENT_REMOTE;
	t[n++] = (uint8_t)(c->port >> 8);
	t[n++] = (uint8_t)c->port;
	t[n++] = CR | BIP_TAG_OTHER_ADDRESS;	/* data destination address */
	t[n++] = 5;
	t[n++] = ADDRESS_IPV4;
	memcpy(t + n, c->ip, 4);
	n += 4;
	/* nothing is queued unless the terminal declares all of it */
	ret = queue(o, BIP_OPEN_CHANNEL, OPEN_IMMEDIATE, DEV_TERMINAL, t, n,
		    VSIM_PROACTIVE_F_DECLARED);
	if (ret)
		return ret;
	memset(&b->last, 0, sizeof(b->last));
	b->state = BIP_OPENING;
	b->started = now;
	b->channel = 0;
	b->opened = false;
	b->events_set = false;
	b->stream = stream;
	b->ready = false;
	b->finish = false;
	b->tx_room = 0;
	if (len) {
		memcpy(b->request, data, len);
		memcpy(b->tx, data, len);
	}
	b->request_len = len;
	b->tx_len = len;
	/*
	 * The events come after OPEN CHANNEL in the queue and before the
	 * first SEND DATA: set before the server can answer. A terminal that
	 * cannot report them gets its channel closed (events_failed).
	 */
	b->events_failed = queue(o, BIP_SET_UP_EVENT_LIST, 0x00, DEV_TERMINAL,
				 events, sizeof(events),
				 VSIM_PROACTIVE_F_DECLARED) != 0;
	return 0;
}

int ota_bip_start(struct ota_card *o, const uint8_t *data, size_t len)
{
	return open_channel(o, &o->bip_cfg, data, len, false);
}

int ota_bip_open_stream(struct ota_card *o, const struct ota_bip_cfg *to)
{
	return open_channel(o, to ? to : &o->bip_cfg, NULL, 0, true);
}

void ota_bip_finish(struct ota_card *o)
{
	struct ota_bip *b = &o->bip;

	if (b->state != BIP_OPEN) {
		if (b->state == BIP_OPENING)
			b->finish = true;
		return;
	}
	b->finish = true;
	kick_send(o);
}

/* The channel never opened, or could not be used: the request goes by SMS. */
static void fall_back(struct ota_card *o)
{
	struct ota_bip *b = &o->bip;

	if (b->request_len && !b->opened && !b->stream &&
	    !ota_card_request_by_sms(o, b->request, b->request_len))
		b->last.fell_back = true;
	OPENSSL_cleanse(b->request, sizeof(b->request));
	b->request_len = 0;
}

/* Whole command packets (CPL first) go to the card's OTA side. */
static void take_packets(struct ota_card *o)
{
	struct ota_bip *b = &o->bip;
	size_t need;

	while (b->rx_len >= 2) {
		need = 2 + ((size_t)b->rx[0] << 8 | b->rx[1]);
		if (need > sizeof(b->rx)) {	/* no packet is that long */
			close_channel(o);
			return;
		}
		if (b->rx_len < need)
			return;
		b->last.packets++;
		ota_card_channel_packet(o, b->rx, need);
		memmove(b->rx, b->rx + need, b->rx_len - need);
		b->rx_len -= need;
		OPENSSL_cleanse(b->rx + b->rx_len, need);
	}
}

static void on_open(struct ota_card *o, uint8_t result, const uint8_t *d,
		    size_t len)
{
	struct ota_bip *b = &o->bip;
	const uint8_t *v;
	size_t l;

	b->last.open_result = result;
	v = tlv(d, len, BIP_TAG_CHANNEL_STATUS, &l);
	b->channel = v && l >= 1 ? v[0] & 0x07 : 0;
	v = tlv(d, len, BIP_TAG_BUFFER_SIZE, &l);
	b->buffer = v && l == 2 ? (uint16_t)(v[0] << 8 | v[1]) : 0;
	/* §6.4.27: 07 when the terminal gave a smaller buffer than asked */
	if ((result != RES_OK && result != RES_MODIFIED) || !b->channel ||
	    !b->buffer || !(v = tlv(d, len, BIP_TAG_CHANNEL_STATUS, &l)) ||
	    !(v[0] & STATUS_LINK_UP)) {
		/* no channel was opened: nothing to close */
		b->channel = 0;
		session_end(b);
		fall_back(o);
		return;
	}
	b->state = BIP_OPEN;
	if (b->events_failed) {
		close_channel(o);
		fall_back(o);
		return;
	}
	kick_send(o);
}

static void on_send(struct ota_card *o, uint8_t result, const uint8_t *d,
		    size_t len)
{
	struct ota_bip *b = &o->bip;
	const uint8_t *v;
	size_t l;

	b->send_queued = false;
	if (result != RES_OK && result != RES_MODIFIED) {
		close_channel(o);
		return;
	}
	b->tx_off += b->in_flight;
	b->last.sent += b->in_flight;
	b->in_flight = 0;
	/* §8.54: the room left in the Tx buffer, FF for more than 255 */
	v = tlv(d, len, BIP_TAG_DATA_LENGTH, &l);
	b->tx_room = v && l == 1 && v[0] != 0xff ? v[0] : 0;
	if (v && l == 1 && !v[0])
		b->tx_room = 1;		/* full: send byte by byte */
	kick_send(o);
}

static void on_receive(struct ota_card *o, uint8_t result, const uint8_t *d,
		       size_t len)
{
	struct ota_bip *b = &o->bip;
	const uint8_t *v;
	size_t l, more = 0;

	b->receive_queued = false;
	if (result != RES_OK && result != RES_MISSING) {
		close_channel(o);
		return;
	}
	v = tlv(d, len, BIP_TAG_CHANNEL_DATA, &l);
	if (v && l && b->stream) {
		b->last.received += l;
		ota_scp81_input(o, v, l);
	} else if (v && l) {
		if (l > sizeof(b->rx) - b->rx_len) {
			close_channel(o);
			return;
		}
		memcpy(b->rx + b->rx_len, v, l);
		b->rx_len += l;
		b->last.received += l;
	}
	v = tlv(d, len, BIP_TAG_DATA_LENGTH, &l);
	if (v && l == 1)
		more = v[0];
	if (!b->stream)
		take_packets(o);
	kick_receive(o, more);
}

size_t ota_bip_terminal_response(struct ota_card *o, const uint8_t *capdu,
				 size_t len, uint8_t *rapdu)
{
	struct ota_bip *b = &o->bip;
	const uint8_t *d = capdu + 5, *det, *res;
	size_t dl = len - 5, l, rl;
	uint8_t result;

	/* the engine checked the shape and that it answers our command */
	det = tlv(d, dl, 0x01, &l);
	if (!det || l != 3)
		return apdu_put_sw(rapdu, SW_WRONG_DATA);
	res = tlv(d, dl, 0x03, &rl);
	result = res && rl ? res[0] : 0xff;
	switch (det[1]) {
	case BIP_SET_UP_EVENT_LIST:
		if (b->state == BIP_IDLE || b->state == BIP_CLOSING)
			break;
		if (result != RES_OK) {
			b->events_failed = true;
			if (b->state == BIP_OPEN) {
				close_channel(o);
				fall_back(o);
			}
			break;
		}
		b->events_set = true;
		kick_send(o);
		break;
	case BIP_OPEN_CHANNEL:
		if (b->state == BIP_OPENING)
			on_open(o, result, d, dl);
		break;
	case BIP_SEND_DATA:
		if (b->state == BIP_OPEN && b->send_queued)
			on_send(o, result, d, dl);
		break;
	case BIP_RECEIVE_DATA:
		if (b->state == BIP_OPEN && b->receive_queued)
			on_receive(o, result, d, dl);
		break;
	case BIP_CLOSE_CHANNEL:
		if (b->state == BIP_CLOSING) {
			b->last.closed = true;
			session_end(b);
		}
		break;
	case BIP_TIMER_MANAGEMENT:	/* an SCP81 retry's timer */
		ota_scp81_timer_response(o, det[2], result);
		break;
	default:
		break;
	}
	/* a response the session no longer waits for still ends its command */
	return apdu_put_sw(rapdu, SW_OK);
}

size_t ota_bip_event(struct ota_card *o, const uint8_t *env, size_t len,
		     uint8_t *rapdu)
{
	struct ota_bip *b = &o->bip;
	size_t off = env[1] == 0x81 ? 3 : 2, l, el;
	const uint8_t *ev, *st, *dl;

	ev = tlv(env + off, len - off, 0x19, &el);
	st = tlv(env + off, len - off, BIP_TAG_CHANNEL_STATUS, &l);
	if (!ev || el != 1 || !st || l != 2)
		return apdu_put_sw(rapdu, SW_WRONG_DATA);
	/* an event for another channel, or for none of ours: noted */
	if (b->state == BIP_IDLE || (st[0] & 0x07) != b->channel)
		return apdu_put_sw(rapdu, SW_OK);
	if (ev[0] == BIP_EVENT_DATA_AVAILABLE) {
		dl = tlv(env + off, len - off, BIP_TAG_DATA_LENGTH, &l);
		if (!dl || l != 1)
			return apdu_put_sw(rapdu, SW_WRONG_DATA);
		kick_receive(o, dl[0]);
	} else if (!(st[0] & STATUS_LINK_UP)) {
		/* §7.5.11: the link dropped (the server closed): our turn to close */
		if (b->state == BIP_OPEN)
			close_channel(o);
	}
	return apdu_put_sw(rapdu, SW_OK);
}
