// SPDX-License-Identifier: GPL-2.0-only
/* Hex text to bytes (hex.h). */
#include <ctype.h>

#include "common/hex.h"

int vsim_hex_parse(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	int hi = -1;

	for (; *s; s++) {
		int d;

		if (isspace((unsigned char)*s))
			continue;
		if (!isxdigit((unsigned char)*s) || n == max)
			return -1;
		d = isdigit((unsigned char)*s) ? *s - '0' :
		    tolower((unsigned char)*s) - 'a' + 10;
		if (hi < 0) {
			hi = d;
		} else {
			out[n++] = (uint8_t)(hi << 4 | d);
			hi = -1;
		}
	}
	return hi < 0 ? (int)n : -1;
}
