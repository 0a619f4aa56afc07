/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The server's terminal through PC/SC (pcsc-lite): the card in a reader
 * (vsimd behind pcscd + vpcd, or a real card), reached like the loopback
 * reaches an in-process card (ota_relay). For tests and labs: a real
 * network would carry the SMS (ota-server/smpp.h).
 */
#ifndef VSIM_OTA_PCSC_H
#define VSIM_OTA_PCSC_H

#include <stddef.h>
#include <stdint.h>

#include "ota-server/server.h"

struct ota_pcsc;

/* Connect to @reader (shared, T=0 or T=1). 0, or -1 with @err. */
int ota_pcsc_open(const char *reader, struct ota_pcsc **out, char *err,
		  size_t errlen);
void ota_pcsc_close(struct ota_pcsc *p);
/* ota_transport_fn: the envelopes through the reader, the PoR back. */
int ota_pcsc_transport(void *ctx, uint8_t env[][OTA_ENVELOPE_MAX],
		       const size_t *elen, int n, uint8_t *por, size_t max);

#endif /* VSIM_OTA_PCSC_H */
