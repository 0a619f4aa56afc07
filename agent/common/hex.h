/* SPDX-License-Identifier: GPL-2.0-only */
/* Hex text to bytes, white space allowed between digits (OTA tools). */
#ifndef VSIM_HEX_H
#define VSIM_HEX_H

#include <stddef.h>
#include <stdint.h>

/* The byte count, or -1 for a non-hex character, odd digits or > @max. */
int vsim_hex_parse(const char *s, uint8_t *out, size_t max);

#endif /* VSIM_HEX_H */
