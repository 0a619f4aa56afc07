/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a trace must not show: the secrets an exchange carries. Every
 * reader of traces (the control socket, GSMTAP) asks here.
 */
#ifndef VSIMD_REDACT_H
#define VSIMD_REDACT_H

#include <stddef.h>
#include <stdint.h>

/* PIN commands carry a PIN in their data (TS 102 221 §11.1.9-13). */
int vsim_apdu_carries_pin(const uint8_t *capdu, size_t clen);

#endif /* VSIMD_REDACT_H */
