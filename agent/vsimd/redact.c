// SPDX-License-Identifier: GPL-2.0-only
/* Secrets in traced exchanges (redact.h). */
#include "vsimd/redact.h"

int vsim_apdu_carries_pin(const uint8_t *capdu, size_t clen)
{
	if (clen < 5)
		return 0;
	switch (capdu[1]) {
	case 0x20:	/* VERIFY PIN */
	case 0x24:	/* CHANGE PIN */
	case 0x26:	/* DISABLE PIN */
	case 0x28:	/* ENABLE PIN */
	case 0x2c:	/* UNBLOCK PIN */
		return 1;
	default:
		return 0;
	}
}
