/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The application management server over HTTPS (GlobalPlatform Amendment
 * B, "SCP81"): a TLS 1.2 PSK server (OpenSSL) that takes the admin
 * sessions cards open over BIP (agent/ota/scp81.c) and runs the same
 * download decisions as the SMS server (appserver.h): GET STATUS at the
 * ISD; domain missing: INSTALL with the card's generated keys; then the
 * data by STORE DATA at the domain; 204 No Content. Each answer is an
 * HTTP 200 with an expanded remote command script (TS 102 226 §5.2).
 */
#ifndef VSIM_OTA_HTTPS_H
#define VSIM_OTA_HTTPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ota-server/appserver.h"
#include "ota/scp81.h"

/* A card the server knows: its PSK (secret) and ICCID. */
struct ota_https_card {
	char identity[SCP81_IDENTITY_MAX];
	uint8_t psk[SCP81_PSK_MAX];
	size_t psk_len;
	char iccid[21];
};

/*
 * Listen on @listen ("A.B.C.D:PORT") and serve @sessions admin sessions
 * (0: for ever), one at a time, printing a line per request and per
 * download to @out. A session whose client says nothing for 10 s ends.
 * @ready (NULL: none) runs once the socket listens: the push goes out
 * then; non-zero from it ends the server. 0, or -1 with @err (cannot
 * listen, TLS context, @ready failed).
 */
int ota_https_serve(const char *listen, const struct ota_https_card *cards,
		    unsigned int ncards, const struct ota_catalogue *cat,
		    unsigned int sessions, FILE *out,
		    int (*ready)(void *ctx), void *ready_ctx, char *err,
		    size_t errlen);

/*
 * The administration session trigger (ota/scp81.h, GP Amendment B §4.7)
 * that sends a card to this server: 84 with OPEN CHANNEL's destination
 * (@listen, TCP), 85 with the PSK identity and key version @kvn, 89 with
 * the URI of the first POST, /vsim/push?app=APP (the application, as a
 * menu choice names it). Host and X-Admin-From are left to the card (its
 * address and ICCID), so the trigger fits one SMS. Its length, or -1.
 */
long ota_https_trigger(const char *listen, const char *identity, uint8_t kvn,
		       const char *app, uint8_t *out, size_t max);

/*
 * The card's response script (AB L / AF 80 of R-APDU TLVs 23): how many
 * commands ran, the last one's SW and data. 0, or -1 when malformed.
 */
int ota_https_response_script(const uint8_t *b, size_t len,
			      unsigned int *count, uint16_t *sw,
			      const uint8_t **data, size_t *dlen);

#endif /* VSIM_OTA_HTTPS_H */
