/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * APDU traces as GSMTAP over UDP, so Wireshark's gsm_sim dissector decodes
 * them live (libosmocore's gsmtap.h defines the header; port 4729).
 */
#ifndef VSIM_GSMTAP_H
#define VSIM_GSMTAP_H

#include <stddef.h>
#include <stdint.h>

#define VSIM_GSMTAP_PORT	4729

struct vsim_gsmtap;

/* "HOST" or "HOST:PORT" ("[v6]:PORT"). NULL with @err on a bad address. */
struct vsim_gsmtap *vsim_gsmtap_open(const char *spec, char *err,
				     size_t errlen);
/*
 * One exchange: the C-APDU then the R-APDU in one packet (sub-type APDU),
 * with what @blank names (VSIM_REDACT_*, redact.h) zeroed. Best effort: a
 * lost datagram never holds up the card.
 */
void vsim_gsmtap_apdu(struct vsim_gsmtap *g, uint8_t slot,
		      const uint8_t *capdu, size_t clen, const uint8_t *rapdu,
		      size_t rlen, unsigned int blank);
/* A power-on: the ATR (sub-type ATR). */
void vsim_gsmtap_atr(struct vsim_gsmtap *g, uint8_t slot, const uint8_t *atr,
		     size_t len);
void vsim_gsmtap_close(struct vsim_gsmtap *g);

#endif /* VSIM_GSMTAP_H */
