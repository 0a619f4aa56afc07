/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A modem's start-up against a card (TS 31.102 §5.1.1), whatever carries
 * the APDUs: ATR, SELECT MF, TERMINAL PROFILE, the proactive FETCH /
 * TERMINAL RESPONSE loop answering PROVIDE LOCAL INFORMATION with the
 * modem's IMEI, SELECT ADF.USIM, VERIFY PIN1, READ EF_IMSI and EF_AD,
 * AUTHENTICATE with a vector the network side computes from the profile's
 * keys. Every answer is checked. `vsimctl term` plays it straight against
 * a card (terminal.h); the emulated SIMtrace2 board (tests/cardem-gadget/)
 * plays it through the USB protocol and vsimd.
 */
#ifndef VSIM_MODEM_H
#define VSIM_MODEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/profile.h"

#define VSIM_MODEM_ALLOWED	0
#define VSIM_MODEM_ERROR	1
#define VSIM_MODEM_REFUSED	3

/* How the modem reaches the card. */
struct vsim_modem_io {
	void *ctx;
	/* Power up and reset the card; the ATR's length, or -1. */
	int (*power_on)(void *ctx, uint8_t *atr, size_t max);
	/*
	 * One T=0 command (the 5-byte header, then Lc data bytes if any);
	 * the answer (data, SW1 SW2) in @r (VSIM_RAPDU_MAX bytes). The
	 * length (>= 2), or -1 when the transport failed (errno set).
	 */
	int (*transmit)(void *ctx, const uint8_t *c, size_t len, uint8_t *r,
			size_t max);
};

struct vsim_modem {
	struct vsim_modem_io io;
	const struct vsim_profile *prof;	/* K, OPc, AMF, SQN policy, PIN1 */
	bool cat;		/* TERMINAL PROFILE + proactive loop */
	FILE *out;		/* every step and APDU */
	/* the IMEI TLV as this terminal sends it (vsim_modem_set_imei) */
	uint8_t imei[9];
	uint8_t imei_len;
	uint8_t imei_tag;
	/* results */
	uint8_t atr[33];
	size_t atr_len;
	char imsi[17];		/* "" when EF_IMSI holds no valid IMSI */
	int mnc_len;		/* from EF_AD, 0 when it has none */
	/* internal */
	bool refreshed;
	unsigned int fetches;
};

/*
 * IMEI (15 digits, or 14 and the check digit computed) or IMEISV (16
 * digits) as the terminal will send it: TS 24.008 §10.5.1.4 BCD, or with
 * @raw the digits high nibble first as some terminals do. 0 or -1.
 */
int vsim_modem_set_imei(struct vsim_modem *m, const char *imei, bool raw);

/*
 * Play the start-up. VSIM_MODEM_ALLOWED (the card gave a valid IMSI and a
 * matching RES), VSIM_MODEM_REFUSED (the card withheld them; the reason is
 * printed), or VSIM_MODEM_ERROR when the transport failed or an answer was
 * not what the specs require (printed as "unexpected ...").
 */
int vsim_modem_attach(struct vsim_modem *m);

#endif /* VSIM_MODEM_H */
