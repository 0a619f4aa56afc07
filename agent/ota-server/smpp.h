/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The application management server as an SMPP 3.4 ESME (PDUs packed and
 * unpacked by Debian's libsmpp34): bind as transceiver to an SMSC, send
 * each secured SMS as submit_sm (esm_class UDHI, protocol_id 7F, data
 * coding F6: class 2, 8-bit) to the card's MSISDN, and take the card's
 * PoR SMS (SMS-SUBMIT, UDH 71) as deliver_sm. Over SMPP the PoR must come
 * by SMS-SUBMIT (SPI2 b6): an RP-ACK does not reach an ESME.
 */
#ifndef VSIM_OTA_SMPP_H
#define VSIM_OTA_SMPP_H

#include <stddef.h>
#include <stdint.h>

#include "ota-server/server.h"

struct ota_smpp;

/*
 * Connect to HOST:PORT and bind_transceiver with @system_id/@password.
 * 0, or -1 with @err.
 */
int ota_smpp_open(const char *hostport, const char *system_id,
		  const char *password, const char *msisdn,
		  struct ota_smpp **out, char *err, size_t errlen);
/* unbind and close. */
void ota_smpp_close(struct ota_smpp *s);

/*
 * ota_transport_fn over SMPP: each ENVELOPE's SMS goes out as submit_sm;
 * the PoR is the user data of the next deliver_sm (within @timeout
 * seconds, set at open: 10). PoR length, 0 when none came, -1 on error.
 */
int ota_smpp_transport(void *ctx, uint8_t env[][OTA_ENVELOPE_MAX],
		       const size_t *elen, int n, uint8_t *por, size_t max);

/*
 * The same for a message that asks for no PoR (the SCP81 push): the
 * submit_sm acknowledged, 0 at once; -1 on error.
 */
int ota_smpp_push(void *ctx, uint8_t env[][OTA_ENVELOPE_MAX],
		  const size_t *elen, int n, uint8_t *por, size_t max);

/*
 * The server waiting for cards (vsimctl ota serve): the next deliver_sm
 * that carries a command packet (UDH IEI 70: a card's request). Every
 * deliver_sm is acknowledged; others are dropped. The user data (UDH
 * included) goes to @ud, the card's number (source_addr) to @from, and
 * later submit_sm go to that number. 1; 0 when none came within
 * @timeout_ms (-1: wait for ever); -1 when the session broke or the SMSC
 * unbound.
 */
int ota_smpp_wait_request(struct ota_smpp *s, int timeout_ms, uint8_t *ud,
			  size_t max, size_t *len, char *from, size_t fromlen);

#endif /* VSIM_OTA_SMPP_H */
