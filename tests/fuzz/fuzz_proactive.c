// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: what the agent hands the engine (kmod/card/
 * vsim_card.h; in vsim.ko these come by ioctl): a proactive command's
 * TLVs (vsim_card_queue_proactive / _offer_proactive, VSIM_IOC_QUEUE_
 * PROACTIVE) and the slow path's answer to a deferred ENVELOPE
 * (vsim_card_slow_done), shaped into 61xx / 91xx for the terminal.
 *
 * Input: type qualifier dest flags n, n TLV bytes, then the agent's
 * answer (the rest). flags: 1 offer instead of queue, 2 TERMINAL PROFILE
 * first, 4 the agent answers nothing (NULL), 8 MENU SELECTION instead of
 * SMS-PP download. Invariants: every R-APDU 2..VSIM_RAPDU_MAX bytes; a
 * 61xx / 91xx announces exactly what GET RESPONSE / FETCH then returns.
 */
#include "common/card_host.h"
#include "fuzz.h"

#define T "fuzz_proactive"

static struct vsim_host_card host;
static uint8_t *saved_state;
static size_t saved_len;

static size_t defer(void *ctx, const uint8_t *capdu, size_t len,
		    uint8_t *rapdu)
{
	(void)ctx;
	(void)capdu;
	(void)len;
	(void)rapdu;
	return VSIM_SLOW_DEFERRED;
}

static void setup(void)
{
	uint8_t *img;
	const uint8_t *st;
	char err[512];
	size_t len;

	img = fuzz_image("build/images/test-usim.img", &len);
	if (vsim_host_card_open(&host, img, len, NULL, err, sizeof(err))) {
		fprintf(stderr, T ": %s\n", err);
		exit(2);
	}
	free(img);
	host.slow_path = defer;
	st = vsim_card_state(host.card, &saved_len);
	saved_state = malloc(saved_len);
	if (!saved_state)
		fuzz_die(T, "out of memory");
	memcpy(saved_state, st, saved_len);
}

static uint16_t sw_of(const uint8_t *r, size_t rl)
{
	if (rl < 2 || rl > VSIM_RAPDU_MAX)
		fuzz_die(T, "R-APDU length out of range");
	return (uint16_t)(r[rl - 2] << 8 | r[rl - 1]);
}

static uint16_t xfer(const uint8_t *c, size_t len, uint8_t *r)
{
	return sw_of(r, vsim_card_transact(host.card, c, len, r));
}

/* Follow 61xx and 91xx: what they announce must come whole. */
static void follow(uint16_t sw)
{
	uint8_t c[5] = { 0x00, 0xc0, 0, 0, 0 }, r[VSIM_RAPDU_MAX];
	size_t rl;
	int i;

	for (i = 0; i < 4; i++) {
		if (sw >> 8 == 0x61) {
			c[0] = 0x00;
			c[1] = 0xc0;
		} else if (sw >> 8 == 0x91) {
			c[0] = 0x80;
			c[1] = 0x12;
		} else {
			return;
		}
		c[4] = (uint8_t)sw;
		rl = vsim_card_transact(host.card, c, 5, r);
		sw = sw_of(r, rl);
		if ((sw == 0x9000 || sw >> 8 == 0x91 || sw >> 8 == 0x61) &&
		    rl - 2 != (c[4] ? c[4] : 256u))
			fuzz_die(T, "announced length not returned");
		if (c[1] == 0x12 && sw >> 8 == 0x91)
			return;	/* next command waits for TERMINAL RESPONSE */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t tp[] = {
		0x80, 0x10, 0x00, 0x00, 0x08,
		0xff, 0xff, 0xff, 0xff, 0x1f, 0xff, 0xff, 0xff,
	};
	static const uint8_t sms_pp[] = {
		0x80, 0xc2, 0x00, 0x00, 0x0d, 0xd1, 0x0b, 0x82, 0x02, 0x83,
		0x81, 0x8b, 0x05, 0x04, 0x00, 0x00, 0x7f, 0xf6,
	};
	static const uint8_t menu[] = {
		0x80, 0xc2, 0x00, 0x00, 0x09, 0xd3, 0x07, 0x82, 0x02, 0x01,
		0x81, 0x90, 0x01, 0x01,
	};
	uint8_t atr[VSIM_ATR_MAX], r[VSIM_RAPDU_MAX], *tlvs, *ans;
	size_t n, alen, rl;
	uint8_t flags;

	if (!host.card)
		setup();
	if (size < 5)
		return 0;
	vsim_card_power_off(host.card);
	if (vsim_card_load_state(host.card, saved_state, saved_len))
		fuzz_die(T, "load_state refused the saved blob");
	if (!vsim_card_power_on(host.card, atr, sizeof(atr)))
		fuzz_die(T, "no ATR");
	flags = data[3];
	n = data[4] < size - 5 ? data[4] : size - 5;
	tlvs = malloc(n ? n : 1);
	alen = size - 5 - n;
	ans = malloc(alen ? alen : 1);
	if (!tlvs || !ans)
		fuzz_die(T, "out of memory");
	memcpy(tlvs, data + 5, n);
	memcpy(ans, data + 5 + n, alen);

	if (flags & 2)
		follow(xfer(tp, sizeof(tp), r));
	if (flags & 1)
		vsim_card_offer_proactive(host.card, data[0], data[1], data[2],
					  tlvs, n);
	else
		vsim_card_queue_proactive(host.card, data[0], data[1], data[2],
					  tlvs, n);
	if (flags & 2)
		follow(xfer(tp, sizeof(tp), r));	/* an offer comes in now */

	/* a deferred ENVELOPE, and the agent's answer */
	if (flags & 8)
		rl = vsim_card_transact(host.card, menu, sizeof(menu), r);
	else
		rl = vsim_card_transact(host.card, sms_pp, sizeof(sms_pp), r);
	if (rl == 0) {
		if (!vsim_card_slow_pending(host.card))
			fuzz_die(T, "deferred but not pending");
		rl = vsim_card_slow_done(host.card, flags & 4 ? NULL : ans,
					 alen, r);
		if (vsim_card_slow_pending(host.card))
			fuzz_die(T, "still pending after slow_done");
	}
	follow(sw_of(r, rl));
	free(tlvs);
	free(ans);
	return 0;
}
