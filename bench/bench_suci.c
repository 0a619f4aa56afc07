// SPDX-License-Identifier: GPL-2.0-only
/*
 * GET IDENTITY per second (TS 31.102 §7.5, SUCI calculated by the card)
 * for the null scheme and ECIES profiles A (X25519) and B (secp256r1), on
 * an in-process card as the embedded backend hosts it (OpenSSL 3 ECIES,
 * agent/common/host_ecies.c), beside the ECIES call alone.
 *
 * The card is examples/usim-complete.ini (or $VSIM_BENCH_PROFILE, a
 * complete-template profile) with its [suci] replaced per row by the
 * TS 33.501 Annex C.4 keys. $VSIM_BENCH_SUCI_ITERS commands per row.
 * Printed, never judged: the exit status is non-zero only when the card
 * answers wrongly.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/vsim.h>

#include "common/card_host.h"
#include "common/host_crypto.h"
#include "common/profile.h"

#define DEFAULT_ITERS	5000UL
#define DEFAULT_PROFILE	"examples/usim-complete.ini"

/* TS 33.501 Annex C.4.3 / C.4.4 home network public keys */
static const uint8_t key_a[32] = {
	0x5a, 0x8d, 0x38, 0x86, 0x48, 0x20, 0x19, 0x7c, 0x33, 0x94, 0xb9, 0x26,
	0x13, 0xb2, 0x0b, 0x91, 0x63, 0x3c, 0xbd, 0x89, 0x71, 0x19, 0x27, 0x3b,
	0xf8, 0xe4, 0xa6, 0xf4, 0xee, 0xc0, 0xa6, 0x50,
};
static const uint8_t key_b[33] = {
	0x02, 0x72, 0xda, 0x71, 0x97, 0x62, 0x34, 0xce, 0x83, 0x3a, 0x69, 0x07,
	0x42, 0x58, 0x67, 0xb8, 0x2e, 0x07, 0x4d, 0x44, 0xef, 0x90, 0x7d, 0xfb,
	0x4b, 0x3e, 0x21, 0xc1, 0xc2, 0x25, 0x6e, 0xbc, 0xd1,
};

struct row {
	const char *path;
	unsigned long iters;
	double secs;
	size_t bytes;		/* the answer's SUCI TLV */
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void set_scheme(struct vsim_profile *p, uint8_t scheme)
{
	struct vsim_image_suci *s = &p->suci;

	memset(s, 0, sizeof(*s));
	s->flags = VSIM_SUCI_F_ENABLED;
	s->scheme = scheme;
	if (scheme == VSIM_SUCI_PROFILE_A) {
		s->key_id = 1;
		s->key_len = sizeof(key_a);
		memcpy(s->key, key_a, sizeof(key_a));
	} else if (scheme == VSIM_SUCI_PROFILE_B) {
		s->key_id = 2;
		s->key_len = sizeof(key_b);
		memcpy(s->key, key_b, sizeof(key_b));
	}
}

/* n GET IDENTITY on a card of @scheme; every answer A1 L ... 9000. */
static int run_card(struct vsim_profile *p, uint8_t scheme, const char *path,
		    unsigned long n, struct row *r)
{
	static const uint8_t sel_usim[] = { 0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0,
		0x00, 0x00, 0x00, 0x87, 0x10, 0x02 };
	static const uint8_t verify[] = { 0x00, 0x20, 0x00, 0x01, 0x08,
		'1', '2', '3', '4', 0xFF, 0xFF, 0xFF, 0xFF };
	static const uint8_t get_id[] = { 0x80, 0x78, 0x00, 0x81, 0x00 };
	uint8_t *img, atr[VSIM_ATR_MAX], rapdu[VSIM_RAPDU_MAX];
	struct vsim_host_card host;
	char err[512];
	unsigned long i;
	size_t len, rl;
	double t0;
	int bad;

	set_scheme(p, scheme);
	if (vsim_profile_build_image(p, &img, &len, err, sizeof(err))) {
		fprintf(stderr, "bench_suci: %s\n", err);
		return -1;
	}
	bad = vsim_host_card_open(&host, img, len, NULL, err, sizeof(err));
	free(img);
	if (bad) {
		fprintf(stderr, "bench_suci: %s\n", err);
		return -1;
	}
	vsim_card_power_on(host.card, atr, sizeof(atr));
	vsim_card_transact(host.card, sel_usim, sizeof(sel_usim), rapdu);
	vsim_card_transact(host.card, verify, sizeof(verify), rapdu);
	t0 = now();
	for (i = 0; i < n; i++) {
		rl = vsim_card_transact(host.card, get_id, sizeof(get_id), rapdu);
		if (rl < 4 || rapdu[0] != 0xA1 || rapdu[rl - 2] != 0x90 || rapdu[rl - 1]) {
			fprintf(stderr, "bench_suci: %s: GET IDENTITY answered %02X%02X\n",
				path, rl >= 2 ? rapdu[rl - 2] : 0, rl >= 2 ? rapdu[rl - 1] : 0);
			vsim_host_card_close(&host);
			return -1;
		}
	}
	r->secs = now() - t0;
	r->path = path;
	r->iters = n;
	r->bytes = rl - 2;
	vsim_host_card_close(&host);
	return 0;
}

/* The ECIES call alone, as the card makes it (no APDU, no IMSI parsing). */
static int run_ecies(uint8_t scheme, const char *path, unsigned long n, struct row *r)
{
	static const uint8_t msin[5] = { 0x00, 0x00, 0x00, 0x10, 0x32 };
	const uint8_t *key = scheme == VSIM_SUCI_PROFILE_A ? key_a : key_b;
	size_t kl = scheme == VSIM_SUCI_PROFILE_A ? sizeof(key_a) : sizeof(key_b);
	uint8_t out[64];
	unsigned long i;
	double t0 = now();
	int got = 0;

	for (i = 0; i < n; i++) {
		got = vsim_host_ecies_conceal(scheme, key, kl, msin, sizeof(msin), out,
					      sizeof(out));
		if (got <= 0) {
			fprintf(stderr, "bench_suci: %s: error %d\n", path, got);
			return -1;
		}
	}
	r->secs = now() - t0;
	r->path = path;
	r->iters = n;
	r->bytes = (size_t)got;
	return 0;
}

int main(void)
{
	const char *profile = getenv("VSIM_BENCH_PROFILE");
	const char *env = getenv("VSIM_BENCH_SUCI_ITERS");
	unsigned long n = DEFAULT_ITERS;
	struct vsim_profile p;
	struct row rows[5];
	char err[512];
	size_t i;
	int bad;

	if (!profile)
		profile = DEFAULT_PROFILE;
	if (env) {
		char *end;

		n = strtoul(env, &end, 10);
		if (*end || n == 0) {
			fprintf(stderr, "bench_suci: VSIM_BENCH_SUCI_ITERS=%s: want a positive integer\n",
				env);
			return 2;
		}
	}
	if (vsim_profile_load(profile, &p, err, sizeof(err))) {
		fprintf(stderr, "bench_suci: %s\n", err);
		return 2;
	}
	printf("# bench_suci: GET IDENTITY (SUCI by the USIM) on an in-process card from %s,\n"
	       "# OpenSSL ECIES (the embedded backend's); %lu commands per row\n", profile, n);
	bad = run_card(&p, VSIM_SUCI_NULL, "GET IDENTITY, null scheme", n, &rows[0]) ||
	      run_card(&p, VSIM_SUCI_PROFILE_A, "GET IDENTITY, profile A (X25519)", n, &rows[1]) ||
	      run_card(&p, VSIM_SUCI_PROFILE_B, "GET IDENTITY, profile B (P-256)", n, &rows[2]) ||
	      run_ecies(VSIM_SUCI_PROFILE_A, "ECIES alone, profile A", n, &rows[3]) ||
	      run_ecies(VSIM_SUCI_PROFILE_B, "ECIES alone, profile B", n, &rows[4]);
	vsim_profile_free(&p);
	if (bad)
		return 1;
	printf("%-36s %10s %8s %10s %10s %7s\n", "path", "commands", "seconds", "ops/s",
	       "us/op", "bytes");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		printf("%-36s %10lu %8.3f %10.0f %10.1f %7zu\n", rows[i].path, rows[i].iters,
		       rows[i].secs, (double)rows[i].iters / rows[i].secs,
		       rows[i].secs * 1e6 / (double)rows[i].iters, rows[i].bytes);
	return 0;
}
