// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the card's OTA side (agent/ota/card.c and below):
 * ENVELOPE SMS-PP download -> SMS-DELIVER -> concatenation -> secured
 * packet -> remote APDU script (RFM) or GlobalPlatform domain, with the
 * card of examples/test-usim-ota.ini hosted here, its OTA wired as vsimctl
 * does (ota_host_open: in-memory store). The TARs accept packets without
 * security, so that mutated scripts get past the checksum to the parsers
 * behind it; seeds carry both plain and fully secured packets.
 *
 * Input: C-APDU chunks as in fuzz_apdu.c (FF power cycle, FE e long
 * APDU, n APDU), plus FD: the clock jumps 61 s (concatenation timeout).
 * Each input starts from the same card and key set counters; the
 * in-memory store (security domains) is opened afresh every
 * REOPEN_EVERY inputs only, since opening it costs ~8 ms.
 */
#include "common/card_host.h"
#include "common/log.h"
#include "common/profile.h"
#include "fuzz.h"
#include "ota/host.h"

#define T "fuzz_ota_card"
#define PROFILE "examples/test-usim-ota.ini"
#define REOPEN_EVERY 256

static struct vsim_host_card host;
static struct ota_host oh;
static uint8_t *saved_state;
static size_t saved_len;
static time_t fz_clock;
static struct ota_card ota_saved;	/* as opened: counters, reassembly */
static unsigned long inputs;

static time_t fz_now(void)
{
	return fz_clock;
}

static void ota_open(void)
{
	static const struct ota_msl none;
	const char *prof = getenv("VSIM_FUZZ_OTA_PROFILE");
	char err[600];

	if (ota_host_open(&oh, &host, prof ? prof : PROFILE, NULL, err,
			  sizeof(err)) || !oh.prof.present) {
		fprintf(stderr, T ": %s\n", err);
		exit(2);
	}
	oh.card.now = fz_now;
	ota_card_set_tar(&oh.card, OTA_TAR_RFM_UICC, OTA_APP_RFM_UICC, &none);
	ota_card_set_tar(&oh.card, OTA_TAR_RFM_USIM, OTA_APP_RFM_USIM, &none);
	ota_card_set_tar(&oh.card, OTA_TAR_ISD, OTA_APP_GP, &none);
	ota_saved = oh.card;
}

static void setup(void)
{
	const char *prof = getenv("VSIM_FUZZ_OTA_PROFILE");
	const uint8_t *st;
	uint8_t *img;
	char err[600];
	size_t len;

	vsim_log_set_level(VSIM_LOG_ERR);
	if (vsim_profile_compile(prof ? prof : PROFILE, &img, &len, err,
				 sizeof(err)) ||
	    vsim_host_card_open(&host, img, len, NULL, err, sizeof(err))) {
		fprintf(stderr, T ": %s\n", err);
		exit(2);
	}
	free(img);
	st = vsim_card_state(host.card, &saved_len);
	saved_state = malloc(saved_len);
	if (!saved_state)
		fuzz_die(T, "out of memory");
	memcpy(saved_state, st, saved_len);
	ota_open();
}

static void send(const uint8_t *capdu, size_t len)
{
	uint8_t *c = malloc(len ? len : 1), rapdu[VSIM_RAPDU_MAX];
	size_t rl;

	if (!c)
		fuzz_die(T, "out of memory");
	memcpy(c, capdu, len);
	rl = vsim_card_transact(host.card, c, len, rapdu);
	free(c);
	if (rl < 2 || rl > VSIM_RAPDU_MAX)
		fuzz_die(T, "R-APDU length out of range");
}

static void power_cycle(void)
{
	uint8_t atr[VSIM_ATR_MAX];

	vsim_card_power_off(host.card);
	if (!vsim_card_power_on(host.card, atr, sizeof(atr)))
		fuzz_die(T, "no ATR");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t pos = 0;

	if (!host.card)
		setup();
	/* the same card, counters, domains and clock for every input */
	vsim_card_power_off(host.card);
	if (vsim_card_load_state(host.card, saved_state, saved_len))
		fuzz_die(T, "load_state refused the saved blob");
	if (++inputs % REOPEN_EVERY == 0) {
		ota_host_close(&oh);
		ota_open();
	} else {
		oh.card = ota_saved;
	}
	fz_clock = 1000;
	power_cycle();

	while (pos < size) {
		size_t n = data[pos++];

		if (n == 0xFF) {
			power_cycle();
			continue;
		}
		if (n == 0xFD) {
			fz_clock += 61;
			continue;
		}
		if (n == 0xFE) {
			if (pos >= size)
				break;
			n = 254 + data[pos++];
		}
		if (n > size - pos)
			n = size - pos;
		send(data + pos, n);
		pos += n;
	}
	return 0;
}
