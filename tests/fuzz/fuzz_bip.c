// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the card's BIP client (agent/ota/bip.c) behind the
 * engine, as a terminal drives it. Each input starts from a card of
 * examples/test-usim-ota.ini with bip_server set, a TERMINAL PROFILE that
 * declares BIP and the user's MENU SELECTION (OPEN CHANNEL and SET UP
 * EVENT LIST queued). Then the input is a list of steps, first byte:
 *   0 n TLVs   FETCH what the card announced (if anything) and answer it:
 *              TERMINAL RESPONSE = its command details, device identities,
 *              then n fuzzed bytes (result, channel status, data, ...)
 *   1 n TLVs   ENVELOPE EVENT DOWNLOAD: D6 L 82 02 82 81 + n fuzzed bytes
 *   2 n APDU   any C-APDU
 *   3          power cycle (the session is abandoned)
 * Invariants: every R-APDU 2..VSIM_RAPDU_MAX bytes; a 91xx announces
 * exactly what FETCH returns.
 */
#include "common/card_host.h"
#include "common/log.h"
#include "common/profile.h"
#include "fuzz.h"
#include "ota/host.h"

#define T "fuzz_bip"
#define PROFILE "examples/test-usim-ota.ini"

static struct vsim_host_card host;
static struct ota_host oh;
static uint8_t *saved_state;
static size_t saved_len;
static struct ota_card ota_saved;
static uint16_t last_sw;

static void setup(void)
{
	const uint8_t *st;
	uint8_t *img;
	char err[600];
	size_t len;

	vsim_log_set_level(VSIM_LOG_ERR);
	if (vsim_profile_compile(PROFILE, &img, &len, err, sizeof(err)) ||
	    vsim_host_card_open(&host, img, len, NULL, err, sizeof(err)) ||
	    ota_host_open(&oh, &host, PROFILE, NULL, err, sizeof(err))) {
		fprintf(stderr, T ": %s\n", err);
		exit(2);
	}
	free(img);
	if (ota_bip_cfg_parse("127.0.0.1:4443", &oh.card.bip_cfg))
		fuzz_die(T, "bip_server");
	ota_saved = oh.card;
	st = vsim_card_state(host.card, &saved_len);
	saved_state = malloc(saved_len);
	if (!saved_state)
		fuzz_die(T, "out of memory");
	memcpy(saved_state, st, saved_len);
}

static size_t send(const uint8_t *capdu, size_t len, uint8_t *r)
{
	uint8_t *c = malloc(len ? len : 1);
	size_t rl;

	if (!c)
		fuzz_die(T, "out of memory");
	memcpy(c, capdu, len);
	rl = vsim_card_transact(host.card, c, len, r);
	free(c);
	if (rl < 2 || rl > VSIM_RAPDU_MAX)
		fuzz_die(T, "R-APDU length out of range");
	last_sw = (uint16_t)(r[rl - 2] << 8 | r[rl - 1]);
	return rl;
}

static void power_cycle(void)
{
	uint8_t atr[VSIM_ATR_MAX];

	vsim_card_power_off(host.card);
	if (!vsim_card_power_on(host.card, atr, sizeof(atr)))
		fuzz_die(T, "no ATR");
	last_sw = 0x9000;
}

/* FETCH the announced command and answer it with @n fuzzed bytes. */
static void respond(const uint8_t *tail, size_t n)
{
	uint8_t fetch[5] = { 0x80, 0x12, 0, 0, 0 }, r[VSIM_RAPDU_MAX];
	uint8_t tr[5 + 255];
	size_t rl, h, k = 0;

	if ((last_sw >> 8) != 0x91)
		return;
	fetch[4] = (uint8_t)last_sw;
	rl = send(fetch, sizeof(fetch), r);
	if (rl != (size_t)fetch[4] + 2u || last_sw != 0x9000)
		fuzz_die(T, "91xx did not announce what FETCH returned");
	h = r[1] == 0x81 ? 3 : 2;
	if (n > 255 - 9)
		n = 255 - 9;
	tr[k++] = 0x80, tr[k++] = 0x14, tr[k++] = 0, tr[k++] = 0, tr[k++] = 0;
	memcpy(tr + k, r + h, 5);	/* its command details */
	k += 5;
	tr[k++] = 0x82, tr[k++] = 2, tr[k++] = 0x82, tr[k++] = 0x81;
	memcpy(tr + k, tail, n);
	k += n;
	tr[4] = (uint8_t)(k - 5);
	send(tr, k, r);
}

static void event(const uint8_t *tail, size_t n)
{
	uint8_t e[5 + 255], r[VSIM_RAPDU_MAX];
	size_t k = 0;

	if (n > 255 - 9)
		n = 255 - 9;
	e[k++] = 0x80, e[k++] = 0xc2, e[k++] = 0, e[k++] = 0, e[k++] = 0;
	e[k++] = 0xd6;
	e[k++] = 0;
	if (4 + n > 0x7f)
		e[k - 1] = 0x81, e[k++] = 0;
	e[k++] = 0x82, e[k++] = 2, e[k++] = 0x82, e[k++] = 0x81;
	memcpy(e + k, tail, n);
	k += n;
	e[k - n - 5] = (uint8_t)(4 + n);
	e[4] = (uint8_t)(k - 5);
	send(e, k, r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* BIP declared: bytes 5, 6, 12, 13, 17 (TS 102 223 §5.2) */
	static const uint8_t tp[] = { 0x80, 0x10, 0, 0, 17, 0x01, 0, 0x81, 0x60,
				      0x01, 0x0c, 0, 0, 0, 0, 0, 0x1f, 0x20,
				      0, 0, 0, 0x01 };
	uint8_t env[OTA_MENU_SELECTION_LEN], r[VSIM_RAPDU_MAX];
	size_t pos = 0, n;

	if (!host.card)
		setup();
	vsim_card_power_off(host.card);
	if (vsim_card_load_state(host.card, saved_state, saved_len))
		fuzz_die(T, "load_state refused the saved blob");
	oh.card = ota_saved;
	power_cycle();
	send(tp, sizeof(tp), r);
	ota_envelope_menu_selection(1, env);
	send(env, sizeof(env), r);

	while (pos < size) {
		uint8_t op = data[pos++] % 4;

		if (op == 3) {
			power_cycle();
			continue;
		}
		if (pos >= size)
			break;
		n = data[pos++];
		if (n > size - pos)
			n = size - pos;
		if (op == 0)
			respond(data + pos, n);
		else if (op == 1)
			event(data + pos, n);
		else if (n)
			send(data + pos, n, r);
		pos += n;
	}
	return 0;
}
