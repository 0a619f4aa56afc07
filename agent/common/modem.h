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

#include "common/host_crypto.h"
#include "common/profile.h"
#include "milenage.h"

#define VSIM_MODEM_ALLOWED	0
#define VSIM_MODEM_ERROR	1
#define VSIM_MODEM_REFUSED	3

/*
 * The TERMINAL RESPONSE's tail a proactive hook adds (TS 102 223 §6.8):
 * what 255 bytes leave after command details, device identities, result.
 */
#define VSIM_MODEM_ANSWER_MAX	243
struct vsim_modem_answer {
	uint8_t info;		/* the result's additional information */
	bool has_info;
	uint8_t tlv[VSIM_MODEM_ANSWER_MAX];	/* after the result */
	size_t tlv_len;
};

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
	/* the profile to send (VSIM_MODEM_TP_LEN bytes); NULL: the default */
	const uint8_t *tp;
	FILE *out;		/* every step and APDU */
	/* the IMEI TLV as this terminal sends it (vsim_modem_set_imei) */
	uint8_t imei[9];
	uint8_t imei_len;
	uint8_t imei_tag;
	/*
	 * Proactive commands the loop does not answer itself go here (NULL:
	 * "beyond terminal's capabilities"): @det the command details, @body
	 * the COMPREHENSION-TLVs, @ans (zeroed) for the result's additional
	 * information and the TLVs after it. The general result for the
	 * TERMINAL RESPONSE (TS 102 223 §8.12), or -1 for "beyond
	 * capabilities". It runs inside the loop: it must not send the card
	 * anything.
	 */
	int (*proactive)(void *ctx, const uint8_t det[3], const uint8_t *body,
			 int blen, struct vsim_modem_answer *ans);
	void *proactive_ctx;
	/* proactive commands one command may bring; 0: 16 */
	unsigned int max_fetches;
	/* results */
	uint8_t atr[33];
	size_t atr_len;
	char imsi[17];		/* "" when EF_IMSI holds no valid IMSI */
	int mnc_len;		/* from EF_AD, 0 when it has none */
	/* the last REFRESH's qualifier (TS 102 223 §8.6), when refreshed */
	uint8_t refresh_qualifier;
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

/* The TERMINAL PROFILE this terminal sends (TS 102 223 §5.2). */
#define VSIM_MODEM_TP_LEN	18
extern const uint8_t vsim_modem_terminal_profile[VSIM_MODEM_TP_LEN];

/* A COMPREHENSION-TLV's value in @p (tag without its CR bit); NULL if none. */
const uint8_t *vsim_modem_tlv(const uint8_t *p, int len, uint8_t tag,
			      uint8_t *vlen);

/* EF_IMSI (9 bytes, TS 31.102 §4.2.2) as digits; 0, or -1 if not valid. */
int vsim_modem_imsi_text(const uint8_t *ef, char *out);

/*
 * One command as this modem's firmware sends it (61xx fetched with GET
 * RESPONSE, 6Cxx resent with the card's length), then the proactive
 * commands the card announces with 91xx, answered as in the start-up
 * (PROVIDE LOCAL INFORMATION with the IMEI). @what is printed to @m->out.
 * The final answer's length (>= 2) in @r (VSIM_RAPDU_MAX), or -1.
 */
int vsim_modem_command(struct vsim_modem *m, const char *what,
		       const uint8_t *c, size_t len, uint8_t *r);

/*
 * The network side of AKA (TS 33.102 §6.3) for a subscriber's K and OPc,
 * with Milenage from the card engine (milenage.h) over host AES.
 */
struct vsim_aka_net {
	struct vsim_milenage m;
	struct vsim_host_aes *aes;
	uint8_t amf[2];
};

/* 0, or -1 when the host's AES failed. */
int vsim_aka_net_init(struct vsim_aka_net *nw, const uint8_t k[16],
		      const uint8_t opc[16], const uint8_t amf[2]);
void vsim_aka_net_free(struct vsim_aka_net *nw);
/* AUTN = SQN xor AK || AMF || MAC-A, and XRES, for @rand and @sqn. */
void vsim_aka_net_autn(const struct vsim_aka_net *nw, const uint8_t rand[16],
		       uint64_t sqn, uint8_t autn[16], uint8_t xres[8]);
/* SQN_MS from a synchronisation failure's AUTS (§6.3.5); -1 if MAC-S is wrong. */
int vsim_aka_net_auts(const struct vsim_aka_net *nw, const uint8_t rand[16],
		      const uint8_t auts[14], uint64_t *sqn_ms);

#endif /* VSIM_MODEM_H */
