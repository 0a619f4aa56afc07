/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An SMPP 3.4 ESME session over TCP, PDUs packed and unpacked by Debian's
 * libsmpp34: bind_transceiver (§4.1), submit_sm (§4.4) of whatever an SMS
 * carries, deliver_sm (§4.6) taken one at a time so that a caller with
 * its own poll(2) loop can read the socket when it is readable,
 * enquire_link (§4.11) answered, unbind (§4.2) either way. vsim-modem's
 * network side binds to an SMSC with it (modem/smsc.h), and the OTA
 * server's ESME (ota-server/smpp.h) is a layer on top of it.
 */
#ifndef VSIM_COMMON_SMPP_H
#define VSIM_COMMON_SMPP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VSIM_SMPP_SM_MAX	254	/* §5.2.22 short_message octets */

struct vsim_smpp;

/* One short message as SMPP carries it (the fields both PDUs share). */
struct vsim_smpp_sm {
	char src[21], dst[21];	/* digits, or alphanumeric (TON 5) */
	uint8_t src_ton, dst_ton;	/* §5.2.5: 1 international, 5 alphanumeric */
	uint8_t esm_class;	/* §5.2.12: 0x40 UDHI */
	uint8_t pid;		/* §5.2.13: TP-PID */
	uint8_t dcs;		/* §5.2.19: TP-DCS as the SMS carries it */
	uint8_t ud[VSIM_SMPP_SM_MAX];
	size_t len;
};

/*
 * Connect to HOST:PORT and bind_transceiver as @system_id, serving the
 * numbers @address_range (§5.2.7; "" for none). 0, or -1 with @err
 * naming the address and what failed.
 */
int vsim_smpp_open(const char *hostport, const char *system_id,
		   const char *password, const char *address_range,
		   struct vsim_smpp **out, char *err, size_t errlen);
/*
 * A session on a socket already connected to an SMSC (a socket pair in
 * the tests and the fuzz target), taken as bound: no bind_transceiver is
 * sent. The session owns @fd from then on. NULL when out of memory.
 */
struct vsim_smpp *vsim_smpp_adopt(int fd);
/* unbind (unless the SMSC did) and close; NULL is fine. */
void vsim_smpp_close(struct vsim_smpp *s);
/* The socket, for poll(2): readable when a PDU is on its way. */
int vsim_smpp_fd(const struct vsim_smpp *s);

/*
 * submit_sm and its response: the message id the SMSC gave in @id (may
 * be NULL). 0; the SMSC's command_status (> 0) when it refused; -1 when
 * the session broke. A deliver_sm that overtakes the response is kept
 * for the next vsim_smpp_next().
 */
int vsim_smpp_submit(struct vsim_smpp *s, const struct vsim_smpp_sm *sm,
		     char *id, size_t idlen);

/*
 * Read one PDU (waiting at most @timeout_ms, -1 for ever) and deal with
 * it: a deliver_sm is acknowledged and returned in @sm (1); enquire_link
 * and stray responses are answered or dropped (0); -2 when nothing came
 * in time; -1 when the session broke or the SMSC unbound.
 */
int vsim_smpp_next(struct vsim_smpp *s, int timeout_ms,
		   struct vsim_smpp_sm *sm);
/* deliver_sm kept by vsim_smpp_submit(), for vsim_smpp_next() at once */
bool vsim_smpp_held(const struct vsim_smpp *s);
/*
 * Whether a -1 came from the socket giving out (the SMSC closed it, or
 * sent a length no PDU has: the stream is lost) rather than from the
 * dialogue (unbind, a PDU libsmpp34 cannot unpack, a failed write).
 */
bool vsim_smpp_closed(const struct vsim_smpp *s);

#endif /* VSIM_COMMON_SMPP_H */
