// SPDX-License-Identifier: GPL-2.0-only
/* OTA test helpers: see otatest.h. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "otatest.h"

int ot_unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	int hi = -1, v;

	for (; *s; s++) {
		if (isspace((unsigned char)*s))
			continue;
		if (!isxdigit((unsigned char)*s) || (hi >= 0 && n == max))
			return -1;
		v = isdigit((unsigned char)*s) ? *s - '0' :
		    tolower((unsigned char)*s) - 'a' + 10;
		if (hi < 0) {
			hi = v;
			continue;
		}
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? (int)n : -1;
}

const char *ot_hex(const uint8_t *b, size_t n)
{
	static char ring[8][2 * 4096 + 1];
	static int next;
	char *s = ring[next++ % 8];
	size_t i;

	if (n > 4096)
		n = 4096;
	for (i = 0; i < n; i++)
		sprintf(s + 2 * i, "%02x", b[i]);
	s[2 * n] = 0;
	return s;
}

struct ota_key ot_key(enum ota_algo algo, const char *hex)
{
	struct ota_key k = { .algo = algo };
	int n = hex ? ot_unhex(hex, k.key, sizeof(k.key)) : 0;

	k.len = n > 0 ? (uint8_t)n : 0;
	return k;
}

static uint64_t rng_state = 0x4f54412d5641534dULL;

void ot_fill(uint8_t *b, size_t n)
{
	while (n--) {
		uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		*b++ = (uint8_t)(z ^ (z >> 31));
	}
}
