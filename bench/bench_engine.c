// SPDX-License-Identifier: GPL-2.0-only
/*
 * Engine throughput: APDUs per second through vsim_card_transact for a
 * dispatch floor, SELECT+READ BINARY and AUTHENTICATE 3G, side by side.
 *
 * A volatile in-process card (card_host, no state dir) built from
 * $VSIM_BENCH_PROFILE (default examples/test-usim.ini). Every path runs
 * $VSIM_BENCH_ITERS iterations (default below). Times are reported, never
 * judged: the exit status is non-zero only when the card answers wrongly.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/vsim.h>

#include "auth.h"
#include "common/card_host.h"
#include "common/host_crypto.h"
#include "milenage.h"
#include "common/profile.h"

#define DEFAULT_ITERS	1000000UL
#define DEFAULT_PROFILE	"examples/test-usim.ini"

struct row {
	const char *path;
	unsigned long iters;	/* APDUs */
	double secs;
};

static struct vsim_host_card host;
static uint8_t rapdu[VSIM_RAPDU_MAX];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t xfer(const uint8_t *c, size_t len)
{
	return vsim_card_transact(host.card, c, len, rapdu);
}

static int expect_sw(const char *what, size_t rl, uint8_t sw1, uint8_t sw2)
{
	if (rl >= 2 && rapdu[rl - 2] == sw1 && rapdu[rl - 1] == sw2)
		return 0;
	fprintf(stderr, "bench_engine: %s: got SW %02X%02X (%zu bytes), want %02X%02X\n",
		what, rl >= 2 ? rapdu[rl - 2] : 0, rl >= 2 ? rapdu[rl - 1] : 0,
		rl, sw1, sw2);
	return -1;
}

static void cpu_model(char *out, size_t n)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	snprintf(out, n, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) || !colon)
			continue;
		colon++;
		while (*colon == ' ' || *colon == '\t')
			colon++;
		colon[strcspn(colon, "\n")] = 0;
		snprintf(out, n, "%s", colon);
		break;
	}
	fclose(f);
}

/* (c) the floor: an APDU that does almost nothing. */
static int run_simple(struct row *r, const char *path, const uint8_t *c,
		      size_t len, uint8_t sw1, uint8_t sw2, unsigned long n)
{
	unsigned long i;
	double t0;

	t0 = now();
	for (i = 0; i < n; i++) {
		size_t rl = xfer(c, len);

		if (rl != 2 || rapdu[0] != sw1 || rapdu[1] != sw2)
			return expect_sw(path, rl, sw1, sw2);
	}
	r->secs = now() - t0;
	r->path = path;
	r->iters = n;
	return 0;
}

/* (a) SELECT EF_AD by FID (P2=0C) + READ BINARY 4 bytes; two APDUs each. */
static int run_select_read(struct row *r, unsigned long n)
{
	static const uint8_t sel[] = { 0x00, 0xA4, 0x00, 0x0C, 0x02, 0x6F, 0xAD };
	static const uint8_t rd[] = { 0x00, 0xB0, 0x00, 0x00, 0x04 };
	unsigned long i;
	double t0;
	size_t rl;

	t0 = now();
	for (i = 0; i < n; i++) {
		rl = xfer(sel, sizeof(sel));
		if (rl != 2 || rapdu[0] != 0x90)
			return expect_sw("SELECT 6FAD", rl, 0x90, 0x00);
		rl = xfer(rd, sizeof(rd));
		if (rl != 6 || rapdu[4] != 0x90 || rapdu[5] != 0x00)
			return expect_sw("READ BINARY", rl, 0x90, 0x00);
	}
	r->secs = now() - t0;
	r->path = "SELECT FID (P2=0C) + READ BINARY";
	r->iters = 2 * n;
	return 0;
}

/* (b) AUTHENTICATE 3G with Le: fresh RAND and AUTN each time, DB answer. */
struct auth_vec {
	uint8_t capdu[5 + 34 + 1];
	uint8_t res[8];
};

static int run_auth(struct row *r, const struct vsim_profile *p,
		    unsigned long n)
{
	struct vsim_host_aes *aes = vsim_host_aes_new();
	struct vsim_milenage m = { .aes = vsim_host_aes_encrypt };
	struct auth_vec *v;
	unsigned long i;
	double t0;
	int ret = -1;

	v = calloc(n, sizeof(*v));
	if (!aes || !v || vsim_host_aes_setkey(aes, p->k)) {
		fprintf(stderr, "bench_engine: AES or memory failure\n");
		goto out;
	}
	m.aes_ctx = aes;
	memcpy(m.opc, p->opc, 16);

	/* The network side, precomputed so only the card is timed. */
	for (i = 0; i < n; i++) {
		uint8_t *c = v[i].capdu, *rand = c + 6, *autn = c + 23;
		uint8_t ck[16], ik[16], ak[6], ak_s[6], sqn[6], mac_a[8], mac_s[8];
		/* SQN = SEQ << 5 | IND 0: +32 each time, same IND slot. */
		uint64_t s = (uint64_t)(i + 1) * 32;
		int k;

		for (k = 0; k < 6; k++)
			sqn[k] = (uint8_t)(s >> (8 * (5 - k)));
		for (k = 0; k < 16; k++)
			rand[k] = (uint8_t)((i >> (8 * (k & 7))) ^ (0x5A + k));
		vsim_milenage_f2345(&m, rand, v[i].res, ck, ik, ak, ak_s);
		vsim_milenage_f1(&m, rand, sqn, p->amf, mac_a, mac_s);
		for (k = 0; k < 6; k++)
			autn[k] = sqn[k] ^ ak[k];
		memcpy(autn + 6, p->amf, 2);
		memcpy(autn + 8, mac_a, 8);
		c[0] = 0x00; c[1] = 0x88; c[2] = 0x00; c[3] = 0x81;
		c[4] = 0x22; c[5] = 0x10; c[22] = 0x10;
		c[39] = 0x00;	/* Le */
	}

	t0 = now();
	for (i = 0; i < n; i++) {
		size_t rl = xfer(v[i].capdu, sizeof(v[i].capdu));

		if (rl != 0x35 + 2 || rapdu[0] != 0xDB || rapdu[1] != 8 ||
		    memcmp(rapdu + 2, v[i].res, 8) || rapdu[rl - 2] != 0x90 ||
		    rapdu[rl - 1] != 0x00) {
			fprintf(stderr, "bench_engine: AUTHENTICATE %lu: ", i);
			expect_sw("want DB 08 RES ... 9000", rl, 0x90, 0x00);
			goto out;
		}
	}
	r->secs = now() - t0;
	r->path = "AUTHENTICATE 3G (Milenage, OpenSSL AES)";
	r->iters = n;
	ret = 0;
out:
	free(v);
	vsim_host_aes_free(aes);
	return ret;
}

int main(void)
{
	static const uint8_t status[] = { 0x80, 0xF2, 0x00, 0x0C };
	static const uint8_t unknown[] = { 0x00, 0xFE, 0x00, 0x00 };
	static const uint8_t sel_usim[] = { 0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0,
		0x00, 0x00, 0x00, 0x87, 0x10, 0x02 };
	static const uint8_t verify[] = { 0x00, 0x20, 0x00, 0x01, 0x08,
		'1', '2', '3', '4', 0xFF, 0xFF, 0xFF, 0xFF };
	const char *profile = getenv("VSIM_BENCH_PROFILE");
	const char *env = getenv("VSIM_BENCH_ITERS");
	unsigned long n = DEFAULT_ITERS;
	struct vsim_profile p;
	struct row rows[4];
	uint8_t *img, atr[VSIM_ATR_MAX];
	char err[512], cpu[256];
	size_t len, i;
	double floor_ns;
	int bad;

	if (!profile)
		profile = DEFAULT_PROFILE;
	if (env) {
		char *end;

		n = strtoul(env, &end, 10);
		if (*end || n == 0) {
			fprintf(stderr, "bench_engine: VSIM_BENCH_ITERS=%s: want a positive integer\n", env);
			return 2;
		}
	}
	if (vsim_profile_load(profile, &p, err, sizeof(err)) ||
	    vsim_profile_build_image(&p, &img, &len, err, sizeof(err))) {
		fprintf(stderr, "bench_engine: %s\n", err);
		return 2;
	}
	bad = vsim_host_card_open(&host, img, len, NULL, err, sizeof(err));
	memset(img, 0, len);
	free(img);
	if (bad) {
		fprintf(stderr, "bench_engine: %s\n", err);
		vsim_profile_free(&p);
		return 2;
	}
	vsim_card_power_on(host.card, atr, sizeof(atr));

	cpu_model(cpu, sizeof(cpu));
	printf("# bench_engine: volatile card (no state dir) from %s, %lu iterations per path\n",
	       profile, n);
	printf("# cpu: %s, %ld online cores (single-threaded run)\n", cpu,
	       sysconf(_SC_NPROCESSORS_ONLN));

	bad = expect_sw("SELECT ADF.USIM", xfer(sel_usim, sizeof(sel_usim)), 0x90, 0) ||
	      expect_sw("VERIFY PIN1", xfer(verify, sizeof(verify)), 0x90, 0) ||
	      run_simple(&rows[0], "STATUS P2=0C (floor: full dispatch)", status,
			 sizeof(status), 0x90, 0x00, n) ||
	      run_simple(&rows[1], "unknown INS 6D00 (rejected pre-dispatch)", unknown,
			 sizeof(unknown), 0x6D, 0x00, n) ||
	      run_select_read(&rows[2], n) ||
	      run_auth(&rows[3], &p, n);
	vsim_profile_free(&p);
	vsim_host_card_close(&host);
	if (bad)
		return 1;

	floor_ns = rows[0].secs * 1e9 / (double)rows[0].iters;
	printf("%-42s %10s %8s %12s %9s %8s\n", "path", "iterations",
	       "seconds", "ops/s", "ns/op", "x floor");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		double ns = rows[i].secs * 1e9 / (double)rows[i].iters;

		printf("%-42s %10lu %8.3f %12.0f %9.1f %8.2f\n", rows[i].path,
		       rows[i].iters, rows[i].secs,
		       (double)rows[i].iters / rows[i].secs, ns, ns / floor_ns);
	}
	return 0;
}
