/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The sending entity: what an application management server does to
 * reach a card over OTA. It wraps a script (TS 102 226) in a secured
 * command packet with the server's copy of a card key set and counter,
 * cuts it into SMS-DELIVERs, and opens the PoR that comes back.
 *
 * The loopback transport plays the terminal between server and card on
 * one box (struct vsim_terminal): each SMS goes in as ENVELOPE SMS-PP
 * download, a PoR comes back in the ENVELOPE response (61xx + GET
 * RESPONSE) or as SEND SHORT MESSAGE (91xx + FETCH + TERMINAL RESPONSE).
 */
#ifndef VSIM_OTA_SERVER_H
#define VSIM_OTA_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "common/terminal.h"
#include "ota/card.h"
#include "ota/packet.h"
#include "ota/sms.h"

/* The server's side of one card key set. Secret. */
struct ota_sender {
	unsigned int index;		/* key index 1..15 */
	struct ota_key kic, kid;
	uint8_t spi[2];
	uint64_t counter;		/* the last one sent */
	struct ota_addr from;		/* TP-OA of what it sends */
	int next_ref;			/* concatenation reference */
};

#define OTA_MAX_ENVELOPES	OTA_CONCAT_PARTS_MAX
#define OTA_ENVELOPE_MAX	261

/* Defaults: SPI CC + ciphering + counter higher, PoR CC + ciphered. */
void ota_sender_init(struct ota_sender *s, const struct ota_keyset *ks,
		     unsigned int index, const struct ota_addr *from);

/*
 * The ENVELOPE C-APDUs that carry @data to @tar (one per SMS). Takes the
 * next counter. Number of envelopes, or -1.
 */
int ota_sender_envelopes(struct ota_sender *s, uint32_t tar,
			 const uint8_t *data, size_t len,
			 uint8_t env[][OTA_ENVELOPE_MAX], size_t *elen);

/*
 * The bare command packet (CPL first) that carries @data to @tar, as a
 * BIP channel takes it. Takes the next counter. Its length, or -1.
 */
ssize_t ota_sender_packet(struct ota_sender *s, uint32_t tar,
			  const uint8_t *data, size_t len, uint8_t *pkt,
			  size_t max);

/* Open a PoR (UDH 02 71 00 first) of a command this sender sent. */
int ota_sender_por(const struct ota_sender *s, const uint8_t *por,
		   size_t len, uint8_t *buf, struct ota_por *p);

/* One exchange with the card; R-APDU length (>= 2) or -1. */
typedef int (*ota_xfer_fn)(void *ctx, const uint8_t *capdu, size_t len,
			   uint8_t *rapdu, size_t max);

/*
 * The terminal's relay over any link to the card (@fn: the loopback's
 * vsim_terminal, or PC/SC in ota-server/pcsc.c): what ota_loopback does.
 */
int ota_relay(ota_xfer_fn fn, void *ctx, uint8_t env[][OTA_ENVELOPE_MAX],
	      const size_t *elen, int n, uint8_t *por, size_t max,
	      uint16_t *sw);

/*
 * Loopback: send @n envelopes to the card through @t, relaying the PoR
 * from wherever the card puts it into @por. Returns the PoR length, 0
 * when the card sent none, -1 when the card refused a part (@sw holds
 * the status word) or the terminal failed.
 */
int ota_loopback(struct vsim_terminal *t, uint8_t env[][OTA_ENVELOPE_MAX],
		 const size_t *elen, int n, uint8_t *por, size_t max,
		 uint16_t *sw);

/*
 * Loopback, the other way: play the user choosing @app from the card's
 * SET UP MENU (FETCH, TERMINAL RESPONSE, ENVELOPE MENU SELECTION) and
 * take the SMS-SUBMIT TPDU of the SEND SHORT MESSAGE the card answers
 * with. 0; -2 when @app is not on the menu; -1 otherwise.
 */
int ota_loopback_menu_request(struct vsim_terminal *t, const char *app,
			      uint8_t *tpdu, size_t max, size_t *tlen);

/*
 * FETCH the proactive command announced by @sw (91xx), answer it
 * "performed successfully", and if it is SEND SHORT MESSAGE copy its SMS
 * TPDU (else *tlen = 0). *sw becomes the TERMINAL RESPONSE's. 0 or -1.
 */
int ota_loopback_fetch_sms(struct vsim_terminal *t, uint16_t *sw,
			   uint8_t *tpdu, size_t max, size_t *tlen);

#endif /* VSIM_OTA_SERVER_H */
