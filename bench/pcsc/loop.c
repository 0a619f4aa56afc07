// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PC/SC benchmark client: send the same C-APDU(s) N times and print
 * one table row: APDUs/s and p50/p99 latency. Through pcsc-lite to a
 * reader (vsimd or vicc behind pcscd + vpcd), or straight into the card
 * engine in this process, so each layer's cost shows. Never fails on
 * time; exits non-zero only when a card does not answer 90xx/61xx.
 *
 *   loop --reader NAME | --engine IMAGE   LABEL N [--setup APDU]... APDU...
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <winscard.h>

#include "common/card_host.h"

#define MAX_APDUS 8

struct target {
	/* PC/SC */
	SCARDCONTEXT ctx;
	SCARDHANDLE h;
	const SCARD_IO_REQUEST *pci;
	/* in-process engine */
	struct vsim_host_card card;
	int engine;
};

static int hex(const char *s, uint8_t *out, size_t max)
{
	size_t n = strlen(s), i;

	if (n % 2 || n / 2 > max)
		return -1;
	for (i = 0; i < n / 2; i++) {
		unsigned int b;

		if (sscanf(s + 2 * i, "%2x", &b) != 1)
			return -1;
		out[i] = (uint8_t)b;
	}
	return (int)(n / 2);
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int transmit(struct target *t, const uint8_t *c, size_t clen,
		    uint8_t *r, size_t *rlen)
{
	DWORD n = (DWORD)*rlen;
	LONG rv;

	if (t->engine) {
		*rlen = vsim_card_transact(t->card.card, c, clen, r);
		return 0;
	}
	rv = SCardTransmit(t->h, t->pci, c, (DWORD)clen, NULL, r, &n);
	if (rv != SCARD_S_SUCCESS) {
		fprintf(stderr, "loop: SCardTransmit: %s\n", pcsc_stringify_error(rv));
		return -1;
	}
	*rlen = n;
	return 0;
}

static int open_reader(struct target *t, const char *reader)
{
	DWORD proto;
	LONG rv = SCardEstablishContext(SCARD_SCOPE_USER, NULL, NULL, &t->ctx);

	if (rv == SCARD_S_SUCCESS)
		rv = SCardConnect(t->ctx, reader, SCARD_SHARE_SHARED,
				  SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
				  &t->h, &proto);
	if (rv != SCARD_S_SUCCESS) {
		fprintf(stderr, "loop: %s: %s\n", reader, pcsc_stringify_error(rv));
		return -1;
	}
	t->pci = proto == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
	return 0;
}

static int open_engine(struct target *t, const char *path)
{
	static uint8_t img[VSIM_IMAGE_MAX_SIZE];
	uint8_t atr[VSIM_ATR_MAX];
	char err[256];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		fprintf(stderr, "loop: %s: %s\n", path, strerror(errno));
		return -1;
	}
	n = fread(img, 1, sizeof(img), f);
	fclose(f);
	if (vsim_host_card_open(&t->card, img, n, NULL, err, sizeof(err))) {
		fprintf(stderr, "loop: %s\n", err);
		return -1;
	}
	vsim_card_power_on(t->card.card, atr, sizeof(atr));
	t->engine = 1;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	uint8_t apdu[MAX_APDUS][VSIM_CAPDU_MAX], r[VSIM_RAPDU_MAX + 2];
	size_t alen[MAX_APDUS], na = 0, rlen;
	struct target t;
	const char *label;
	double *lat, t0, total;
	long n, i;
	int a;

	memset(&t, 0, sizeof(t));
	if (argc < 6 || (strcmp(argv[1], "--reader") && strcmp(argv[1], "--engine"))) {
		fprintf(stderr, "usage: loop --reader NAME | --engine IMAGE LABEL N [--setup APDU]... APDU...\n");
		return 2;
	}
	label = argv[3];
	n = strtol(argv[4], NULL, 10);
	if (n < 1 || n > 10000000) {
		fprintf(stderr, "loop: N must be 1..10000000\n");
		return 2;
	}
	if (!strcmp(argv[1], "--reader") ? open_reader(&t, argv[2]) :
	    open_engine(&t, argv[2]))
		return 1;
	for (a = 5; a < argc; a++) {
		int setup = !strcmp(argv[a], "--setup") && a + 1 < argc;
		int len;

		if (setup)
			a++;
		len = hex(argv[a], apdu[na], VSIM_CAPDU_MAX);
		if (len < 4 || (!setup && na == MAX_APDUS)) {
			fprintf(stderr, "loop: bad APDU '%s'\n", argv[a]);
			return 2;
		}
		if (setup) {
			rlen = sizeof(r);
			if (transmit(&t, apdu[na], (size_t)len, r, &rlen))
				return 1;
			continue;
		}
		alen[na++] = (size_t)len;
	}
	lat = calloc((size_t)n, sizeof(*lat));
	if (!lat || !na)
		return 2;
	t0 = now_us();
	for (i = 0; i < n; i++) {
		double s = now_us();
		size_t k = (size_t)i % na;

		rlen = sizeof(r);
		if (transmit(&t, apdu[k], alen[k], r, &rlen))
			return 1;
		lat[i] = now_us() - s;
		if (rlen < 2 || (r[rlen - 2] != 0x90 && r[rlen - 2] != 0x61)) {
			fprintf(stderr, "loop: %s: APDU %zu answered %02X%02X\n",
				label, k, rlen >= 2 ? r[rlen - 2] : 0,
				rlen >= 2 ? r[rlen - 1] : 0);
			return 1;
		}
	}
	total = now_us() - t0;
	qsort(lat, (size_t)n, sizeof(*lat), cmp_double);
	printf("| %-44s | %7ld | %13.0f | %9.2f | %9.2f |\n", label, n,
	       n / (total / 1e6), lat[n / 2], lat[(n * 99) / 100]);
	free(lat);
	if (t.engine)
		vsim_host_card_close(&t.card);
	else
		SCardReleaseContext(t.ctx);
	return 0;
}
