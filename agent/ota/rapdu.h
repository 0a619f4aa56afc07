/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Remote APDU scripts, ETSI TS 102 226 §5: the secured data of a remote
 * file management or remote application management command is a list of
 * C-APDUs in the compact format (§5.1: APDUs end to end) or the expanded
 * format (§5.2: command scripting template AA/AE of C-APDU TLVs 22). Each
 * runs through @exec in order until one fails; the answer is the compact
 * response (count, last SW, last data) or the response scripting template
 * (AB/AF with TLV 80 count and R-APDU TLVs 23).
 */
#ifndef VSIM_OTA_RAPDU_H
#define VSIM_OTA_RAPDU_H

#include <stddef.h>
#include <stdint.h>

/* Run one C-APDU; returns the R-APDU length (>= 2: data then SW). */
typedef size_t (*ota_exec_fn)(void *ctx, const uint8_t *capdu, size_t len,
			      uint8_t *rapdu);

/* SW 62F1: more data than the response can carry (TS 102 226 §5.2.1.1) */
#define OTA_SW_TRUNCATED	0x62f1

/*
 * Run @script and write its response (at most @max bytes, >= 8) to @out.
 * Every input gets an answer: a C-APDU that cannot be parsed counts as
 * executed with SW 6700 and ends the list; an unknown tag in an expanded
 * script ends it with "bad format" (90 01 01). Returns the response length.
 */
size_t ota_rapdu_run(const uint8_t *script, size_t len, ota_exec_fn exec,
		     void *ctx, uint8_t *out, size_t max);

/*
 * Server side: an expanded script (definite, AA) of @n C-APDUs. Length or
 * -1 when it does not fit.
 */
int ota_rapdu_expanded(const uint8_t *const *capdu, const size_t *lens,
		       size_t n, uint8_t *out, size_t max);

/* Does SW end a script (TS 102 226 §5.1.2: not 90 00, 91/92/61/62/63 xx)? */
int ota_rapdu_sw_error(uint16_t sw);

#endif /* VSIM_OTA_RAPDU_H */
