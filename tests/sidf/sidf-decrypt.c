// SPDX-License-Identifier: GPL-2.0-only
/*
 * sidf-decrypt: the home network's side of a card's GET IDENTITY answer
 * for shell tests (tests/pcsc_complete.sh): reads the SUCI TLV (TS 31.102
 * §7.5.2, "A1 L ...", hex, SW optional) and prints the SUPI it conceals
 * as "imsi-DIGITS", de-concealing ECIES profiles A and B with the home
 * network private key (tests/lib/sidf.c, OpenSSL; TS 33.501 Annex C.3).
 *
 *   sidf-decrypt PRIVATE_KEY_HEX SUCI_HEX
 *
 * Exit 0 with the SUPI; 1 when the MAC does not match; 2 for bad input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sidf.h"

static size_t unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	int hi = -1;

	for (; *s; s++) {
		int d;

		if (*s == ' ' || *s == ':')
			continue;
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')
			d = (*s | 0x20) - 'a' + 10;
		else
			return 0;
		if (hi < 0) {
			hi = d;
			continue;
		}
		if (n == max)
			return 0;
		out[n++] = (uint8_t)(hi << 4 | d);
		hi = -1;
	}
	return hi < 0 ? n : 0;
}

/* Swapped BCD digits until an F nibble or the end. */
static int bcd(const uint8_t *b, size_t n, char *out, size_t max)
{
	size_t i, k = 0;

	for (i = 0; i < 2 * n; i++) {
		unsigned int d = i % 2 ? b[i / 2] >> 4 : b[i / 2] & 0x0f;

		if (d == 0x0f && i == 2 * n - 1)
			break;
		if (d > 9 || k + 1 >= max)
			return -1;
		out[k++] = (char)('0' + d);
	}
	out[k] = 0;
	return 0;
}

int main(int argc, char **argv)
{
	uint8_t priv[32], r[300], plain[32];
	char mcc[8], mnc[8], msin[24];
	size_t n, pl;
	int scheme;

	if (argc != 3 || unhex(argv[1], priv, sizeof(priv)) != 32) {
		fprintf(stderr, "usage: sidf-decrypt PRIVATE_KEY_HEX(32 bytes) SUCI_HEX\n");
		return 2;
	}
	n = unhex(argv[2], r, sizeof(r));
	if (n >= 2 && r[n - 2] == 0x90 && r[n - 1] == 0x00 && n == (size_t)r[1] + 4)
		n -= 2;
	if (n < 10 || r[0] != 0xA1 || r[1] != n - 2 || r[2] != 0x01) {
		fprintf(stderr, "sidf-decrypt: not an A1 SUCI TLV of an IMSI\n");
		return 2;
	}
	/* TS 24.008 §10.5.1.3: MCC2 MCC1, MNC3 MCC3, MNC2 MNC1 */
	snprintf(mcc, sizeof(mcc), "%u%u%u", r[3] & 0x0f, r[3] >> 4, r[4] & 0x0f);
	if ((r[4] >> 4) == 0x0f)
		snprintf(mnc, sizeof(mnc), "%u%u", r[5] & 0x0f, r[5] >> 4);
	else
		snprintf(mnc, sizeof(mnc), "%u%u%u", r[5] & 0x0f, r[5] >> 4, r[4] >> 4);
	scheme = r[8] & 0x0f;
	if (scheme == 0) {
		if (bcd(r + 10, n - 10, msin, sizeof(msin)))
			return 2;
	} else {
		if (sidf_deconceal(scheme, priv, r + 10, n - 10, plain, &pl)) {
			fprintf(stderr, "sidf-decrypt: MAC mismatch (wrong key, or a forged SUCI)\n");
			return 1;
		}
		if (bcd(plain, pl, msin, sizeof(msin)))
			return 2;
	}
	printf("imsi-%s%s%s\n", mcc, mnc, msin);
	return 0;
}
