/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the OTA tests: hex in and out, keys from hex, and a
 * fixed-seed byte generator for cross-checks (not a secret source).
 */
#ifndef VSIM_OTATEST_H
#define VSIM_OTATEST_H

#include <stddef.h>
#include <stdint.h>

#include "ota/crypto.h"

/* Hex (spaces allowed) to bytes; returns the count, -1 on bad input. */
int ot_unhex(const char *s, uint8_t *out, size_t max);
/* Bytes to lowercase hex in a static ring of buffers (for assertions). */
const char *ot_hex(const uint8_t *b, size_t n);
/* A key of @algo from hex. */
struct ota_key ot_key(enum ota_algo algo, const char *hex);
/* splitmix64 bytes from a fixed seed. */
void ot_fill(uint8_t *b, size_t n);

#endif /* VSIM_OTATEST_H */
