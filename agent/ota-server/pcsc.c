// SPDX-License-Identifier: GPL-2.0-only
/* The server's terminal through PC/SC (see ota-server/pcsc.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <winscard.h>

#include "ota-server/pcsc.h"

struct ota_pcsc {
	SCARDCONTEXT ctx;
	SCARDHANDLE card;
	DWORD proto;
};

int ota_pcsc_open(const char *reader, struct ota_pcsc **out, char *err,
		  size_t errlen)
{
	struct ota_pcsc *p = calloc(1, sizeof(*p));
	LONG rv;

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rv = SCardEstablishContext(SCARD_SCOPE_USER, NULL, NULL, &p->ctx);
	if (rv == SCARD_S_SUCCESS)
		rv = SCardConnect(p->ctx, reader, SCARD_SHARE_SHARED,
				  SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
				  &p->card, &p->proto);
	if (rv != SCARD_S_SUCCESS) {
		snprintf(err, errlen, "PC/SC reader '%s': %s", reader,
			 pcsc_stringify_error(rv));
		if (p->ctx)
			SCardReleaseContext(p->ctx);
		free(p);
		return -1;
	}
	*out = p;
	return 0;
}

void ota_pcsc_close(struct ota_pcsc *p)
{
	if (!p)
		return;
	SCardDisconnect(p->card, SCARD_LEAVE_CARD);
	SCardReleaseContext(p->ctx);
	free(p);
}

static int pcsc_xfer(void *ctx, const uint8_t *c, size_t len, uint8_t *r,
		     size_t max)
{
	struct ota_pcsc *p = ctx;
	DWORD rl = (DWORD)max;

	if (SCardTransmit(p->card, p->proto == SCARD_PROTOCOL_T0 ?
			  SCARD_PCI_T0 : SCARD_PCI_T1, c, (DWORD)len, NULL, r,
			  &rl) != SCARD_S_SUCCESS || rl < 2)
		return -1;
	return (int)rl;
}

int ota_pcsc_transport(void *ctx, uint8_t env[][OTA_ENVELOPE_MAX],
		       const size_t *elen, int n, uint8_t *por, size_t max)
{
	uint16_t sw;

	return ota_relay(pcsc_xfer, ctx, env, elen, n, por, max, &sw);
}
