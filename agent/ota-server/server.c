// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sending entity and the loopback transport (see ota-server/server.h).
 */
#include <string.h>

#include <openssl/crypto.h>

#include "ota-server/server.h"

void ota_sender_init(struct ota_sender *s, const struct ota_keyset *ks,
		     unsigned int index, const struct ota_addr *from)
{
	memset(s, 0, sizeof(*s));
	s->index = index;
	s->kic = ks->kic;
	s->kid = ks->kid;
	s->counter = ks->counter;
	s->from = *from;
	s->spi[0] = OTA_CHECK_CC | OTA_SPI1_CIPHER | OTA_CNTR_HIGHER << 3;
	s->spi[1] = OTA_POR_REQUIRED | OTA_CHECK_CC << 2 | OTA_SPI2_POR_CIPHER;
	s->next_ref = 1;
}

/* KIc/KID byte: key index, then the algorithm coding (TS 102 225 §5.1.2) */
static uint8_t coding(unsigned int index, enum ota_algo a)
{
	static const uint8_t nib[] = {
		[OTA_ALG_DES] = 0x1, [OTA_ALG_3DES2] = 0x5,
		[OTA_ALG_3DES3] = 0x9, [OTA_ALG_AES] = 0x2,
	};

	return (uint8_t)(index << 4 | (a <= OTA_ALG_AES ? nib[a] : 0));
}

static ssize_t packet(struct ota_sender *s, uint32_t tar, const uint8_t *data,
		      size_t len, uint8_t *pkt, size_t max)
{
	uint8_t t[3] = { tar >> 16, tar >> 8, tar };

	return ota_cmd_build(s->spi, coding(s->index, s->kic.algo),
			     coding(s->index, s->kid.algo), t, s->counter + 1,
			     &s->kic, &s->kid, data, len, pkt, max);
}

ssize_t ota_sender_packet(struct ota_sender *s, uint32_t tar,
			  const uint8_t *data, size_t len, uint8_t *pkt,
			  size_t max)
{
	ssize_t n = packet(s, tar, data, len, pkt, max);

	if (n >= 0)
		s->counter++;
	return n;
}

int ota_sender_envelopes(struct ota_sender *s, uint32_t tar,
			 const uint8_t *data, size_t len,
			 uint8_t env[][OTA_ENVELOPE_MAX], size_t *elen)
{
	uint8_t pkt[OTA_CONCAT_PARTS_MAX * OTA_SMS_UD_MAX];
	uint8_t tpdu[OTA_MAX_ENVELOPES][OTA_TPDU_MAX];
	size_t tl[OTA_MAX_ENVELOPES];
	ssize_t n;
	int parts, i, e;

	n = packet(s, tar, data, len, pkt, sizeof(pkt));
	if (n < 0)
		return -1;
	parts = ota_sms_deliver_parts(pkt, (size_t)n, &s->from, -1, tpdu, tl,
				      1);
	if (parts < 0) {
		parts = ota_sms_deliver_parts(pkt, (size_t)n, &s->from,
					      s->next_ref, tpdu, tl,
					      OTA_MAX_ENVELOPES);
		s->next_ref = s->next_ref % 255 + 1;
	}
	OPENSSL_cleanse(pkt, sizeof(pkt));
	if (parts < 0)
		return -1;
	for (i = 0; i < parts; i++) {
		e = ota_envelope_build(tpdu[i], tl[i], env[i], OTA_ENVELOPE_MAX);
		if (e < 0)
			return -1;
		elen[i] = (size_t)e;
	}
	s->counter++;
	return parts;
}

int ota_sender_por(const struct ota_sender *s, const uint8_t *por,
		   size_t len, uint8_t *buf, struct ota_por *p)
{
	return ota_por_open(s->spi, coding(s->index, s->kic.algo),
			    coding(s->index, s->kid.algo), &s->kic, &s->kid,
			    por, len, buf, p);
}

/* ---- loopback: the terminal's part ---- */

static int term_link(void *ctx, const uint8_t *c, size_t len, uint8_t *r,
		     size_t max)
{
	return vsim_terminal_transmit(ctx, c, len, r, max);
}

/* The terminal's side, over whatever reaches the card. */
struct link {
	ota_xfer_fn fn;
	void *ctx;
};

static int xfer(const struct link *t, const uint8_t *c, size_t len,
		uint8_t *r, uint16_t *sw)
{
	int n = t->fn(t->ctx, c, len, r, VSIM_RAPDU_MAX);

	if (n < 2)
		return -1;
	*sw = (uint16_t)(r[n - 2] << 8 | r[n - 1]);
	return n - 2;
}

/* The SMS TPDU of a SEND SHORT MESSAGE (TS 102 223 §6.6.9). */
static const uint8_t *sms_tpdu(const uint8_t *cmd, size_t len, size_t *tl)
{
	size_t o = 2, l;

	if (len < 2 || cmd[0] != 0xd0)
		return NULL;
	if (cmd[1] == 0x81)
		o = 3;
	while (o + 2 <= len) {
		uint8_t tag = cmd[o] & 0x7f;

		l = cmd[o + 1];
		o += 2;
		if (l == 0x81 && o < len)
			l = cmd[o++];
		if (o + l > len)
			return NULL;
		if (tag == 0x0b) {
			*tl = l;
			return cmd + o;
		}
		o += l;
	}
	return NULL;
}

/* FETCH the proactive commands the card announced; keep a PoR SMS. */
static int relay_proactive(const struct link *t, uint16_t sw, uint8_t *por,
			   size_t max, size_t *plen)
{
	uint8_t r[VSIM_RAPDU_MAX], tr[32];
	const uint8_t *tp;
	struct ota_sms sms;
	const char *why;
	size_t tl = 0;
	int n;

	while ((sw >> 8) == 0x91) {
		uint8_t fetch[5] = { 0x80, 0x12, 0, 0, (uint8_t)sw };

		n = xfer(t, fetch, 5, r, &sw);
		if (n < 0 || sw != 0x9000 || n < 11)
			return -1;
		/* command details are the first TLV: 81 03 nn type qual */
		tp = sms_tpdu(r, (size_t)n, &tl);
		if (r[r[1] == 0x81 ? 6 : 5] == 0x13 && tp &&
		    !ota_sms_submit_parse(tp, tl, &sms, &why) && sms.rpi &&
		    3 + sms.ud_len <= max) {
			por[0] = 0x02, por[1] = 0x71, por[2] = 0x00;
			memcpy(por + 3, sms.ud, sms.ud_len);
			*plen = 3 + sms.ud_len;
		}
		/* TERMINAL RESPONSE: command performed successfully */
		memcpy(tr, "\x80\x14\x00\x00\x0c\x81\x03", 7);
		memcpy(tr + 7, r + (r[1] == 0x81 ? 5 : 4), 3);
		memcpy(tr + 10, "\x82\x02\x82\x81\x83\x01\x00", 7);
		if (xfer(t, tr, 17, r, &sw) < 0)
			return -1;
	}
	return 0;
}

int ota_relay(ota_xfer_fn fn, void *ctx, uint8_t env[][OTA_ENVELOPE_MAX],
	      const size_t *elen, int n, uint8_t *por, size_t max,
	      uint16_t *sw)
{
	const struct link l = { fn, ctx }, *t = &l;
	uint8_t r[VSIM_RAPDU_MAX], gr[5] = { 0x00, 0xc0, 0, 0, 0 };
	size_t plen = 0;
	int i, rl = 0;

	for (i = 0; i < n; i++) {
		rl = xfer(t, env[i], elen[i], r, sw);
		if (rl < 0)
			return -1;
		if ((*sw >> 8) == 0x61) {
			gr[4] = (uint8_t)*sw;
			rl = xfer(t, gr, 5, r, sw);
			if (rl < 0)
				return -1;
		}
		if (*sw != 0x9000 && (*sw >> 8) != 0x91)
			return -1;
		if (relay_proactive(t, *sw, por, max, &plen))
			return -1;
	}
	if (rl > 0 && (size_t)rl <= max) {	/* PoR in the RP-ACK */
		memcpy(por, r, (size_t)rl);
		plen = (size_t)rl;
	}
	return (int)plen;
}

/* A COMPREHENSION-TLV of a proactive command by tag (CR masked). */
static const uint8_t *ctlv_find(const uint8_t *cmd, size_t len, uint8_t want,
				size_t *vl, size_t *from)
{
	size_t o = *from, l;

	while (o + 2 <= len) {
		uint8_t tag = cmd[o] & 0x7f;

		l = cmd[o + 1];
		o += 2;
		if (l == 0x81 && o < len)
			l = cmd[o++];
		if (o + l > len)
			return NULL;
		if (tag == want) {
			*vl = l;
			*from = o + l;
			return cmd + o;
		}
		o += l;
	}
	return NULL;
}

/* FETCH the pending command; answer it "performed successfully". */
static int fetch_one(const struct link *t, uint16_t *sw, uint8_t *cmd)
{
	uint8_t fetch[5] = { 0x80, 0x12, 0, 0, (uint8_t)*sw }, tr[17], r[260];
	int n, h;

	if ((*sw >> 8) != 0x91)
		return -1;
	n = xfer(t, fetch, 5, cmd, sw);
	if (n < 11 || *sw != 0x9000)
		return -1;
	h = cmd[1] == 0x81 ? 3 : 2;
	memcpy(tr, "\x80\x14\x00\x00\x0c\x81\x03", 7);
	memcpy(tr + 7, cmd + h + 2, 3);
	memcpy(tr + 10, "\x82\x02\x82\x81\x83\x01\x00", 7);
	if (xfer(t, tr, 17, r, sw) < 0)
		return -1;
	return n;
}

int ota_loopback_menu_request(struct vsim_terminal *term, const char *app,
			      uint8_t *tpdu, size_t max, size_t *tlen)
{
	const struct link l = { term_link, term }, *t = &l;
	static const uint8_t sel_mf[] = { 0x00, 0xa4, 0x00, 0x0c, 0x02, 0x3f,
					  0x00 };
	uint8_t cmd[260], env[OTA_MENU_SELECTION_LEN], r[260];
	const uint8_t *v;
	size_t vl, from;
	uint16_t sw;
	int n, h, item = -1;

	/* any command: the card announces SET UP MENU with 91xx */
	if (xfer(t, sel_mf, sizeof(sel_mf), r, &sw) < 0)
		return -1;
	n = fetch_one(t, &sw, cmd);
	h = cmd[1] == 0x81 ? 3 : 2;
	if (n < 0 || cmd[h + 3] != 0x25)
		return -1;
	from = (size_t)h;
	while ((v = ctlv_find(cmd, (size_t)n, 0x0f, &vl, &from)))
		if (vl == 1 + strlen(app) && !memcmp(v + 1, app, vl - 1))
			item = v[0];
	if (item < 0)
		return -2;		/* not on the card's menu */
	ota_envelope_menu_selection((uint8_t)item, env);
	if (xfer(t, env, sizeof(env), r, &sw) < 0)
		return -1;
	n = fetch_one(t, &sw, cmd);
	h = cmd[1] == 0x81 ? 3 : 2;
	if (n < 0 || cmd[h + 3] != 0x13)
		return -1;
	from = (size_t)h;
	v = ctlv_find(cmd, (size_t)n, 0x0b, &vl, &from);
	if (!v || vl > max)
		return -1;
	memcpy(tpdu, v, vl);
	*tlen = vl;
	return 0;
}

int ota_loopback_fetch_sms(struct vsim_terminal *term, uint16_t *sw,
			   uint8_t *tpdu, size_t max, size_t *tlen)
{
	const struct link l = { term_link, term }, *t = &l;
	uint8_t cmd[260];
	const uint8_t *v;
	size_t vl, from;
	int n, h;

	*tlen = 0;
	n = fetch_one(t, sw, cmd);
	if (n < 0)
		return -1;
	h = cmd[1] == 0x81 ? 3 : 2;
	if (cmd[h + 3] != 0x13)
		return 0;		/* not SEND SHORT MESSAGE: answered */
	from = (size_t)h;
	v = ctlv_find(cmd, (size_t)n, 0x0b, &vl, &from);
	if (v && vl <= max) {
		memcpy(tpdu, v, vl);
		*tlen = vl;
	}
	return 0;
}

int ota_loopback(struct vsim_terminal *t, uint8_t env[][OTA_ENVELOPE_MAX],
		 const size_t *elen, int n, uint8_t *por, size_t max,
		 uint16_t *sw)
{
	return ota_relay(term_link, t, env, elen, n, por, max, sw);
}
