// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: a sequence of C-APDUs (and power cycles) against the
 * example card, each input starting from the same durable state, PIN1 verified.
 *
 * Input format, a sequence of chunks:
 *   FF            power-cycle the card (cold reset), no APDU
 *   FE e <data>   one C-APDU of 254 + e bytes (254..509: over-long too)
 *   n  <data>     one C-APDU of n bytes, n = 00..FD
 * A chunk cut short by the end of the input is sent as far as it goes.
 *
 * The card image comes from $VSIM_FUZZ_IMAGE, default
 * build/images/test-usim.img (what `make` produces), so the fuzz loop does
 * no INI parsing (build/images/usim-complete.img reaches the BER-TLV EF,
 * the ISIM and SUCI). The card is volatile (card_host without a state
 * dir: every persist succeeds). Invariants: every R-APDU is
 * 2..VSIM_RAPDU_MAX bytes, and the durable state the card ends in is one
 * vsim_card_load_state() accepts (what a restarted vsimd would load:
 * BER-TLV bodies that parse, counters in range); anything else aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vsim.h>

#include "common/card_host.h"
#include "fuzz.h"

#define FUZZ_DEFAULT_IMAGE "build/images/test-usim.img"

static struct vsim_host_card host;
static uint8_t *saved_state;	/* the durable blob as the image made it */
static uint8_t *end_state;	/* a copy of the blob an input left */
static size_t saved_len;

static void setup(void)
{
	const char *path = getenv("VSIM_FUZZ_IMAGE");
	const uint8_t *st;
	uint8_t *img;
	char err[512];
	size_t len;

	if (!path)
		path = FUZZ_DEFAULT_IMAGE;
	img = fuzz_read_file(path, &len);
	if (!img) {
		fprintf(stderr, "fuzz_apdu: cannot read %s (run `make` first)\n",
			path);
		exit(2);
	}
	if (vsim_host_card_open(&host, img, len, NULL, err, sizeof(err))) {
		fprintf(stderr, "fuzz_apdu: %s: %s\n", path, err);
		exit(2);
	}
	free(img);
	st = vsim_card_state(host.card, &saved_len);
	saved_state = malloc(saved_len);
	end_state = malloc(saved_len);
	if (!saved_state || !end_state)
		fuzz_die("fuzz_apdu", "out of memory");
	memcpy(saved_state, st, saved_len);
}

/* Send @len bytes from an exact-size heap copy so ASan sees any over-read. */
static size_t send(const uint8_t *capdu, size_t len, uint8_t *rapdu)
{
	uint8_t *c = malloc(len);	/* malloc(0): a 0-byte block to ASan */
	size_t rl;

	if (!c && len)
		fuzz_die("fuzz_apdu", "out of memory");
	if (len)
		memcpy(c, capdu, len);
	rl = vsim_card_transact(host.card, c, len, rapdu);
	free(c);
	if (rl < 2 || rl > VSIM_RAPDU_MAX) {
		fprintf(stderr, "fuzz_apdu: R-APDU length %zu\n", rl);
		abort();
	}
	return rl;
}

static void power_cycle(void)
{
	uint8_t atr[VSIM_ATR_MAX];

	vsim_card_power_off(host.card);
	if (vsim_card_power_on(host.card, atr, sizeof(atr)) == 0)
		fuzz_die("fuzz_apdu", "no ATR");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* VERIFY PIN1 "1234" (the example profile's PIN1). */
	static const uint8_t verify[] = {
		0x00, 0x20, 0x00, 0x01, 0x08,
		'1', '2', '3', '4', 0xFF, 0xFF, 0xFF, 0xFF,
	};
	uint8_t *rapdu;
	size_t pos = 0, rl, st_len;

	if (!host.card)
		setup();
	rapdu = malloc(VSIM_RAPDU_MAX);
	if (!rapdu)
		fuzz_die("fuzz_apdu", "out of memory");

	/* Every input starts from the image's durable state, powered, PIN1 ok. */
	vsim_card_power_off(host.card);
	if (vsim_card_load_state(host.card, saved_state, saved_len))
		fuzz_die("fuzz_apdu", "load_state refused the saved blob");
	power_cycle();
	rl = send(verify, sizeof(verify), rapdu);
	if (rl != 2 || rapdu[0] != 0x90 || rapdu[1] != 0x00)
		fuzz_die("fuzz_apdu", "VERIFY PIN1 failed on a fresh state");

	while (pos < size) {
		size_t n = data[pos++];

		if (n == 0xFF) {
			power_cycle();
			continue;
		}
		if (n == 0xFE) {
			if (pos >= size)
				break;
			n = 254 + data[pos++];
		}
		if (n > size - pos)
			n = size - pos;
		send(data + pos, n, rapdu);
		pos += n;
	}

	/* The durable blob never changes size, and it loads again. */
	memcpy(end_state, vsim_card_state(host.card, &st_len), saved_len);
	if (st_len != saved_len)
		fuzz_die("fuzz_apdu", "durable state changed size");
	if (vsim_card_load_state(host.card, end_state, st_len))
		fuzz_die("fuzz_apdu", "load_state refuses the state the card made");
	free(rapdu);
	return 0;
}
