/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a trace must not show: the secrets an exchange carries. Every
 * reader of traces (the control socket, GSMTAP) gets the verdict with the
 * event (events.h), computed once per exchange here. Secrets are PINs in
 * commands, the AUTHENTICATE answer (RES, CK, IK, Kc, AUTS; SRES and Kc
 * in the GSM context) and the key files. Under T=0 the answer comes with
 * GET RESPONSE after 61xx (TS 102 221 §7.3.1.1.4), so the verdict follows
 * the card's session, not one exchange.
 */
#ifndef VSIMD_REDACT_H
#define VSIMD_REDACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VSIM_REDACT_C	1u	/* blank the C-APDU's data (after the header) */
#define VSIM_REDACT_R	2u	/* blank the R-APDU's data (all but SW1 SW2) */

/* One card's session as traces see it; all zero after a power event. */
struct vsim_redact {
	bool answer_pending;	/* a secret answer waits for GET RESPONSE */
	uint16_t df;		/* the DF (7FFF: an ADF) last selected; 0 unknown */
	uint16_t ef;		/* the EF last selected; 0 unknown */
};

/* A power event: a new session. */
void vsim_redact_reset(struct vsim_redact *s);
/* The verdict (VSIM_REDACT_*) on one exchange, in order; updates @s. */
unsigned int vsim_redact_next(struct vsim_redact *s, const uint8_t *capdu,
			      size_t clen, const uint8_t *rapdu, size_t rlen);
/*
 * Copy an exchange with what @what names zeroed: @cout (@clen bytes) and
 * @rout (@rlen bytes); either may be NULL with its length 0.
 */
void vsim_redact_copy(unsigned int what, const uint8_t *capdu, size_t clen,
		      uint8_t *cout, const uint8_t *rapdu, size_t rlen,
		      uint8_t *rout);

#endif /* VSIMD_REDACT_H */
