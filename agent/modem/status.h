/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vsim-modem's status: one JSON object built from the AT side's state and
 * the card, asked now (status.c), served on the control socket and shown
 * by `vsim-modem --status SOCKET [--json]`.
 */
#ifndef VSIM_MODEM_STATUS_H
#define VSIM_MODEM_STATUS_H

#include <stdbool.h>
#include <stdio.h>

#include "modem/at.h"

/* What the AT side does not know: where the modem is and its SIM slot */
struct status_host {
	const char *kind;	/* "pty" or "gadget" */
	const char *port;	/* /dev/pts/N or /dev/ttyGSN */
	const char *link;	/* --link, or NULL */
	const char *slot;	/* "reader NAME", "device PATH", "profile FILE" */
};

/* The status as JSON text with a newline; malloc'd, NULL without memory */
char *status_json(struct at *a, const struct status_host *h);

/*
 * The client side: the JSON text as it came (as_json), or as indented
 * "key: value" lines. 0, or -1 for text that is not a JSON object.
 */
int status_print(const char *text, bool as_json, FILE *out);

#endif /* VSIM_MODEM_STATUS_H */
