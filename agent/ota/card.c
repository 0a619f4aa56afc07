// SPDX-License-Identifier: GPL-2.0-only
/*
 * The card's OTA receiving entity (see ota/card.h): ENVELOPE SMS-PP
 * download → SMS (reassembled) → secured packet → the TAR's application
 * → PoR, by the ENVELOPE response (RP-ACK) or SEND SHORT MESSAGE
 * (SMS-SUBMIT) as SPI2 b6 asks (TS 31.115 §4.2, TS 102 225 §5.2).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/apdu_sw.h"
#include "ota/card.h"
#include "ota/rapdu.h"

#define SW_OK		0x9000
#define SW_WRONG_DATA	0x6a80
#define SW_NO_INS	0x6d00
#define SW_TOOLKIT_BUSY	0x9300

#define TYPE_SEND_SMS	0x13	/* TS 102 223 §9.4 */
#define DEV_NETWORK	0x83

/* PoR overhead: UDH 3, RPL RHL TAR 6, CNTR PCNTR STATUS 7, CC 8, pad 15 */
#define POR_OVERHEAD	39
#define ENVELOPE_MAX	(VSIM_RAPDU_MAX - 2)

/*
 * Defaults: a counter the card checks (TS 102 225 §5.1.1, SPI b5b4 10 or
 * 11), so a recorded packet is refused when replayed; a profile may lower
 * it, and vsimctl warns (ota_profile_warn()).
 */
static const struct ota_msl msl_rfm = { OTA_CHECK_CC, false, OTA_CNTR_HIGHER };
/* binding administration: ciphered and checksummed, always */
static const struct ota_msl msl_binding = { OTA_CHECK_CC, true, OTA_CNTR_HIGHER };

/* The card in this process: the engine itself. */
static size_t engine_exec(void *card, const uint8_t *capdu, size_t len,
			  uint8_t *rapdu)
{
	return vsim_card_exec(card, capdu, len, rapdu, true);
}

static int engine_queue(void *card, uint8_t type, uint8_t qualifier,
			uint8_t dest, const uint8_t *tlvs, size_t len,
			uint32_t flags)
{
	return vsim_card_proactive(card, type, qualifier, dest, tlvs, len,
				   flags);
}

void ota_card_init(struct ota_card *o, struct vsim_card *card)
{
	memset(o, 0, sizeof(*o));
	if (card) {
		o->exec = engine_exec;
		o->queue_proactive = engine_queue;
		o->card = card;
	}
	ota_card_set_tar(o, OTA_TAR_RFM_UICC, OTA_APP_RFM_UICC, &msl_rfm);
	ota_card_set_tar(o, OTA_TAR_RFM_USIM, OTA_APP_RFM_USIM, &msl_rfm);
	ota_card_set_tar(o, OTA_TAR_BINDING, OTA_APP_BINDING, &msl_binding);
}

void ota_card_wipe(struct ota_card *o)
{
	OPENSSL_cleanse(o->keysets, sizeof(o->keysets));
	OPENSSL_cleanse(&o->reasm, sizeof(o->reasm));
	OPENSSL_cleanse(&o->bip, sizeof(o->bip));
	ota_scp81_free(o);
	OPENSSL_cleanse(&o->scp81_cfg, sizeof(o->scp81_cfg));
}

int ota_card_set_tar(struct ota_card *o, uint32_t tar, enum ota_app app,
		     const struct ota_msl *msl)
{
	struct ota_tar_cfg *t = NULL;
	unsigned int i;

	for (i = 0; i < o->ntars; i++)
		if (o->tars[i].tar == tar)
			t = &o->tars[i];
	if (!t) {
		if (o->ntars == OTA_TARS_MAX)
			return -1;
		t = &o->tars[o->ntars++];
	}
	t->tar = tar;
	t->app = app;
	t->msl = *msl;
	/* the binding TAR never accepts less than ciphering + CC */
	if (app == OTA_APP_BINDING) {
		if (t->msl.check < OTA_CHECK_CC)
			t->msl.check = OTA_CHECK_CC;
		t->msl.cipher = true;
	}
	return 0;
}

static const struct ota_tar_cfg *find_tar(struct ota_card *o, uint32_t tar,
					  struct ota_tar_cfg *scratch)
{
	unsigned int i;

	for (i = 0; i < o->ntars; i++)
		if (o->tars[i].tar == tar)
			return o->tars[i].app == OTA_APP_GP && !o->gp_exec ?
			       NULL : &o->tars[i];
	if (o->gp_has_tar && o->gp_has_tar(o->gp, tar, &scratch->msl)) {
		scratch->tar = tar;
		scratch->app = OTA_APP_GP;
		return scratch;
	}
	return NULL;
}

static const struct ota_key *key_at(struct ota_card *o, uint8_t b, bool kid)
{
	const struct ota_keyset *ks = &o->keysets[b >> 4];

	if (!(b >> 4) || !ks->present)
		return NULL;
	return kid ? &ks->kid : &ks->kic;
}

/* ---- the applications ---- */

struct app_ctx {
	struct ota_card *o;
	uint32_t tar;
};

/* RFM (TS 102 226 §8): each C-APDU with ADM rights on the host channel. */
static size_t exec_rfm(void *ctx, const uint8_t *capdu, size_t len,
		       uint8_t *rapdu)
{
	struct app_ctx *a = ctx;

	return a->o->exec(a->o->card, capdu, len, rapdu);
}

/* The binding TAR runs BINDING ADMIN and nothing else. */
static size_t exec_binding(void *ctx, const uint8_t *capdu, size_t len,
			   uint8_t *rapdu)
{
	struct app_ctx *a = ctx;

	if (capdu[0] != 0x80 || capdu[1] != 0x3b)
		return apdu_put_sw(rapdu, SW_NO_INS);
	return a->o->exec(a->o->card, capdu, len, rapdu);
}

static size_t exec_gp(void *ctx, const uint8_t *capdu, size_t len,
		      uint8_t *rapdu)
{
	struct app_ctx *a = ctx;

	return a->o->gp_exec(a->o->gp, a->tar, capdu, len, rapdu);
}

static size_t run_app(struct ota_card *o, const struct ota_tar_cfg *t,
		      const uint8_t *data, size_t len, uint8_t *out,
		      size_t max)
{
	/* TS 102 226 §8.1: the RFM applications start at their root */
	static const uint8_t sel_mf[] = { 0x00, 0xa4, 0x00, 0x0c, 0x02,
					  0x3f, 0x00 };
	static const uint8_t sel_usim[] = { 0x00, 0xa4, 0x04, 0x0c, 0x07,
					    0xa0, 0x00, 0x00, 0x00, 0x87,
					    0x10, 0x02 };
	struct app_ctx a = { o, t->tar };
	uint8_t r[VSIM_RAPDU_MAX];
	ota_exec_fn fn;
	uint16_t sw;

	/*
	 * GP Amendment B §4.7: the ISD's secured data may be a session
	 * trigger (81 ...) instead of C-APDUs; it answers as a compact
	 * script of one command would (ota/scp81.h)
	 */
	if (t->app == OTA_APP_GP && t->tar == OTA_TAR_ISD && len &&
	    data[0] == 0x81 && max >= 3) {
		sw = ota_scp81_push(o, data, len);
		out[0] = 1;
		out[1] = (uint8_t)(sw >> 8);
		out[2] = (uint8_t)sw;
		return 3;
	}

	switch (t->app) {
	case OTA_APP_RFM_UICC:
		o->exec(o->card, sel_mf, sizeof(sel_mf), r);
		fn = exec_rfm;
		break;
	case OTA_APP_RFM_USIM:
		o->exec(o->card, sel_usim, sizeof(sel_usim), r);
		fn = exec_rfm;
		break;
	case OTA_APP_BINDING:
		fn = exec_binding;
		break;
	default:
		fn = exec_gp;
		break;
	}
	return ota_rapdu_run(data, len, fn, &a, out, max);
}

/* ---- one secured packet ---- */

struct por_out {
	uint8_t buf[ENVELOPE_MAX];
	ssize_t len;		/* -1: no PoR */
	bool by_sms;
};

static void make_por(struct ota_card *o, const struct ota_cmd *c,
		     uint8_t status, const uint8_t *resp, size_t rlen,
		     struct por_out *p)
{
	p->len = -1;
	p->by_sms = c->spi[1] & OTA_SPI2_POR_SUBMIT;
	o->last.status = status;
	if (!ota_cmd_wants_por(c, status))
		return;
	p->len = ota_por_build(c, status, resp, rlen, key_at(o, c->kic, false),
			       key_at(o, c->kid, true), p->buf,
			       p->by_sms ? OTA_SMS_UD_MAX : sizeof(p->buf));
}

/* Returns 0, or -1 when the packet names no TAR (no PoR possible). */
static int process(struct ota_card *o, const uint8_t *pkt, size_t len,
		   struct por_out *p)
{
	struct ota_tar_cfg scratch;
	const struct ota_tar_cfg *t;
	struct ota_keyset *ks;
	uint8_t *buf, resp[ENVELOPE_MAX];
	struct ota_cmd c;
	size_t rlen = 0, budget;
	uint8_t st;
	int r;

	o->last.packets++;
	r = ota_cmd_parse(pkt, len, &c);
	if (r < 0)
		return -1;
	if (r) {
		make_por(o, &c, (uint8_t)r, NULL, 0, p);
		return 0;
	}
	t = find_tar(o, (uint32_t)(c.tar[0] << 16 | c.tar[1] << 8 | c.tar[2]),
		     &scratch);
	if (!t) {
		make_por(o, &c, OTA_ST_TAR_UNKNOWN, NULL, 0, p);
		return 0;
	}
	st = ota_cmd_check_msl(&c, &t->msl);
	if (st) {
		make_por(o, &c, st, NULL, 0, p);
		return 0;
	}
	/* the counter belongs to the key set that authenticates */
	ks = &o->keysets[(OTA_SPI1_CHECK(c.spi[0]) ? c.kid : c.kic) >> 4];
	buf = OPENSSL_malloc(len);
	if (!buf) {
		make_por(o, &c, OTA_ST_NO_MEMORY, NULL, 0, p);
		return 0;
	}
	st = ota_cmd_open(&c, pkt, len, key_at(o, c.kic, false),
			  key_at(o, c.kid, true), ks->counter, o->window, buf);
	if (st == OTA_ST_OK && ota_cmd_counts(&c)) {
		if (!ks->present)
			st = OTA_ST_SECURITY_ERROR;
		else if (o->commit_counter &&
			 o->commit_counter(o->commit_ctx,
					   (unsigned int)(ks - o->keysets),
					   c.counter))
			st = OTA_ST_NO_MEMORY;
		else
			ks->counter = c.counter;
	}
	if (st == OTA_ST_OK) {
		budget = ((c.spi[1] & OTA_SPI2_POR_SUBMIT) ? OTA_SMS_UD_MAX :
			  ENVELOPE_MAX) - POR_OVERHEAD;
		o->cur_keyset = (unsigned int)(ks - o->keysets);
		rlen = run_app(o, t, c.data, c.data_len, resp, budget);
		o->cur_keyset = 0;
	}
	make_por(o, &c, st, resp, rlen, p);
	OPENSSL_clear_free(buf, len);
	OPENSSL_cleanse(resp, sizeof(resp));
	return 0;
}

/* SEND SHORT MESSAGE (TS 102 223 §6.6.9) of an SMS-SUBMIT: UDH, data. */
static int send_sms(struct ota_card *o, const struct ota_addr *to,
		    const uint8_t *udh, size_t ulen, const uint8_t *ud,
		    size_t len)
{
	uint8_t tpdu[200], tlv[210];
	size_t n = 0;
	int tl;

	tl = ota_sms_build(true, to, udh, ulen, ud, len, tpdu, sizeof(tpdu));
	if (tl < 0)
		return -1;
	tlv[n++] = 0x8b;		/* SMS TPDU, comprehension required */
	if (tl > 0x7f)
		tlv[n++] = 0x81;
	tlv[n++] = (uint8_t)tl;
	memcpy(tlv + n, tpdu, (size_t)tl);
	n += (size_t)tl;
	return o->queue_proactive(o->card, TYPE_SEND_SMS, 0x00, DEV_NETWORK,
				  tlv, n, 0);
}

static size_t sms_pp(struct ota_card *o, const uint8_t *env, size_t len,
		     uint8_t *rapdu)
{
	uint8_t *whole = o->whole;
	const uint8_t *tpdu, *pkt;
	struct por_out p = { .len = -1 };
	struct ota_sms sms;
	const char *why;
	size_t tl, plen;
	bool cpi;

	if (ota_envelope_sms(env, len, &tpdu, &tl, &why) ||
	    ota_sms_deliver_parse(tpdu, tl, &sms, &why))
		return apdu_put_sw(rapdu, SW_WRONG_DATA);
	if (sms.pid != OTA_TP_PID_DATA_DOWNLOAD)
		return apdu_put_sw(rapdu, SW_OK);	/* not for the card's OTA */
	if (sms.concat) {
		switch (ota_reasm_add(&o->reasm, &sms,
				      o->now ? o->now() : time(NULL), whole,
				      &plen, &cpi)) {
		case OTA_REASM_COMPLETE:
			pkt = whole;
			break;
		case OTA_REASM_BAD:
			return apdu_put_sw(rapdu, SW_WRONG_DATA);
		default:		/* kept, or a duplicate: RP-ACK */
			return apdu_put_sw(rapdu, SW_OK);
		}
	} else {
		pkt = sms.ud;
		plen = sms.ud_len;
		cpi = sms.cpi;
	}
	if (!cpi)
		return apdu_put_sw(rapdu, SW_OK);	/* no command packet in it */
	o->last.por_sent = false;
	o->last.por_by_sms = false;
	if (process(o, pkt, plen, &p))
		return apdu_put_sw(rapdu, SW_WRONG_DATA);
	if (pkt == whole)
		OPENSSL_cleanse(o->whole, sizeof(o->whole));
	if (p.len < 0)
		return apdu_put_sw(rapdu, SW_OK);
	o->last.por_sent = true;
	/* the PoR's UDH (02 71 00) is its first three bytes */
	if (p.by_sms && !send_sms(o, &sms.addr, p.buf, 3, p.buf + 3,
				  (size_t)p.len - 3)) {
		o->last.por_by_sms = true;
		return apdu_put_sw(rapdu, SW_OK);	/* 91xx follows: FETCH it */
	}
	/* in the RP-ACK, or here when no SEND SHORT MESSAGE could be queued */
	memcpy(rapdu, p.buf, (size_t)p.len);
	return (size_t)p.len + apdu_put_sw(rapdu + p.len, SW_OK);
}

/* ---- card-initiated requests ---- */

#define TYPE_SET_UP_MENU	0x25	/* TS 102 223 §9.4 */
#define DEV_TERMINAL		0x82
#define CTLV_ALPHA		0x05	/* §8.2 */
#define CTLV_ITEM		0x0f	/* §8.9 */
#define CTLV_ITEM_ID		0x10	/* §8.10 */

int ota_card_set_up_menu(struct ota_card *o, bool offer)
{
	static const char title[] = "vsim applications";
	uint8_t tlv[230];	/* a FETCH answer holds at most 255 bytes */
	size_t n = 0, l, i;

	if (!o->nmenu)
		return -1;
	tlv[n++] = 0x80 | CTLV_ALPHA;
	tlv[n++] = sizeof(title) - 1;
	memcpy(tlv + n, title, sizeof(title) - 1);
	n += sizeof(title) - 1;
	for (i = 0; i < o->nmenu; i++) {
		l = strlen(o->menu[i]);
		if (n + 3 + l > sizeof(tlv))
			return -1;
		tlv[n++] = CTLV_ITEM;	/* items: comprehension not required */
		tlv[n++] = (uint8_t)(1 + l);
		tlv[n++] = (uint8_t)(i + 1);
		memcpy(tlv + n, o->menu[i], l);
		n += l;
	}
	return o->queue_proactive(o->card, TYPE_SET_UP_MENU, 0x00,
				  DEV_TERMINAL, tlv, n,
				  offer ? VSIM_PROACTIVE_F_PROFILE : 0) ? -1 : 0;
}

/*
 * The download request: a secured packet (ciphered, CC, no counter: the
 * card keeps none for what it sends) to the ISD TAR, carrying DF71 L name,
 * in an SMS-SUBMIT with UDH 02 70 00 to the server's address.
 */
static size_t menu_selection(struct ota_card *o, const uint8_t *env,
			     size_t len, uint8_t *rapdu)
{
	static const uint8_t spi[2] = { OTA_CHECK_CC | OTA_SPI1_CIPHER,
					OTA_POR_NONE };
	static const uint8_t isd[3] = { 0 };
	const struct ota_keyset *ks = &o->keysets[o->request_keyset % OTA_KEYSETS];
	uint8_t data[4 + OTA_MENU_NAME], pkt[OTA_SMS_UD_MAX - 3];
	size_t off = 2, nl;
	int item = -1;
	ssize_t pl;

	if (env[1] == 0x81)
		off = 3;
	while (off + 2 <= len) {	/* COMPREHENSION-TLVs, short lengths */
		uint8_t tag = env[off] & 0x7f, l = env[off + 1];

		if (l > 0x7f || off + 2 + l > len)
			return apdu_put_sw(rapdu, SW_WRONG_DATA);
		if (tag == CTLV_ITEM_ID && l == 1)
			item = env[off + 2];
		off += 2u + l;
	}
	if (off != len || item < 1 || (unsigned int)item > o->nmenu)
		return apdu_put_sw(rapdu, SW_WRONG_DATA);
	/* with SCP81 the choice opens an admin session over HTTPS (ota/scp81.h) */
	if (o->scp81_cfg.enabled) {
		snprintf(o->scp81_cfg.app, sizeof(o->scp81_cfg.app), "%s",
			 o->menu[item - 1]);
		switch (ota_scp81_start(o)) {
		case 0:
			return apdu_put_sw(rapdu, SW_OK);
		case -EBUSY:
			return apdu_put_sw(rapdu, SW_TOOLKIT_BUSY);
		case -EOPNOTSUPP:
			break;		/* no BIP here: the request by SMS */
		default:
			return apdu_put_sw(rapdu, 0x6f00);
		}
	}
	if (!o->has_server || !o->request_keyset || !ks->present)
		return apdu_put_sw(rapdu, 0x6985);
	nl = strlen(o->menu[item - 1]);
	data[0] = OTA_TAG_REQUEST >> 8;
	data[1] = OTA_TAG_REQUEST & 0xff;
	data[2] = (uint8_t)nl;
	memcpy(data + 3, o->menu[item - 1], nl);
	pl = ota_cmd_build(spi, (uint8_t)(o->request_keyset << 4),
			   (uint8_t)(o->request_keyset << 4), isd, 0,
			   &ks->kic, &ks->kid, data, 3 + nl, pkt, sizeof(pkt));
	if (pl < 0)
		return apdu_put_sw(rapdu, 0x6f00);
	/* over the IP bearer when the terminal has one (ota/bip.h) */
	switch (ota_bip_start(o, pkt, (size_t)pl)) {
	case 0:
		return apdu_put_sw(rapdu, SW_OK);
	case -EBUSY:
		return apdu_put_sw(rapdu, SW_TOOLKIT_BUSY);
	default:
		break;		/* no BIP: SMS */
	}
	if (ota_card_request_by_sms(o, pkt, (size_t)pl))
		return apdu_put_sw(rapdu, 0x6f00);	/* queue full: try later */
	return apdu_put_sw(rapdu, SW_OK);
}

int ota_card_request_by_sms(struct ota_card *o, const uint8_t *pkt,
			    size_t len)
{
	static const uint8_t udh[3] = { 0x02, 0x70, 0x00 };

	if (!o->has_server || len > OTA_SMS_UD_MAX - sizeof(udh))
		return -1;
	return send_sms(o, &o->server, udh, sizeof(udh), pkt, len) ? -1 : 0;
}

void ota_card_channel_packet(struct ota_card *o, const uint8_t *pkt,
			     size_t len)
{
	struct por_out p = { .len = -1 };

	/* a packet without a TAR gets no PoR, as over SMS */
	if (process(o, pkt, len, &p) || p.len < 3)
		return;
	o->last.por_sent = true;
	o->last.por_by_sms = false;
	/* the PoR without its UDH (02 71 00): RPL leads, as CPL does */
	ota_bip_send(o, p.buf + 3, (size_t)p.len - 3);
	OPENSSL_cleanse(p.buf, sizeof(p.buf));
}

int ota_card_choose(struct ota_card *o, const char *app, uint16_t *sw)
{
	uint8_t env[OTA_MENU_SELECTION_LEN], r[VSIM_RAPDU_MAX];
	unsigned int i;
	size_t n;

	*sw = SW_WRONG_DATA;
	for (i = 0; i < o->nmenu && strcmp(o->menu[i], app); i++)
		;
	if (i == o->nmenu)
		return -2;
	ota_envelope_menu_selection((uint8_t)(i + 1), env);
	n = ota_card_slow_path(o, env, sizeof(env), r);
	*sw = n >= 2 ? (uint16_t)(r[n - 2] << 8 | r[n - 1]) : SW_TOOLKIT_BUSY;
	return *sw == SW_OK ? 0 : -1;
}

size_t ota_card_slow_path(void *ota, const uint8_t *capdu, size_t len,
			  uint8_t *rapdu)
{
	struct ota_card *o = ota;

	/* the engine hands over 80 C2/14 00 00 Lc TLVs, shape checked */
	if (len < 7 || !o->exec || !o->queue_proactive)
		return 0;
	if (capdu[1] == 0x14)
		return ota_bip_terminal_response(o, capdu, len, rapdu);
	if (capdu[1] != 0xc2)
		return 0;
	if (capdu[5] == 0xd1)
		return sms_pp(o, capdu + 5, len - 5, rapdu);
	if (capdu[5] == 0xd3)
		return menu_selection(o, capdu + 5, len - 5, rapdu);
	if (capdu[5] == 0xd6)
		return ota_bip_event(o, capdu + 5, len - 5, rapdu);
	if (capdu[5] == 0xd7)
		return ota_scp81_timer_expiration(o, capdu + 5, len - 5, rapdu);
	return 0;
}
