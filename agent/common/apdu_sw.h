/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A status word written after an R-APDU's data (ISO 7816-4 §5.1.3: SW1
 * SW2, big-endian), for the agent's code that answers in the card's
 * place: the OTA side, remote APDUs, the kernel backend's slow path.
 */
#ifndef VSIM_APDU_SW_H
#define VSIM_APDU_SW_H

#include <stddef.h>
#include <stdint.h>

/* Write @sw at @r; returns its length, 2. */
static inline size_t apdu_put_sw(uint8_t *r, uint16_t sw)
{
	r[0] = (uint8_t)(sw >> 8);
	r[1] = (uint8_t)sw;
	return 2;
}

#endif /* VSIM_APDU_SW_H */
