/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A terminal's view of a card, whichever host runs it: the engine in this
 * process (from a profile, with an optional state directory), or vsim.ko's
 * /dev/vsimN. vsimctl term and vsimctl binding speak through it.
 */
#ifndef VSIM_TERMINAL_H
#define VSIM_TERMINAL_H

#include <stddef.h>
#include <stdint.h>

#include "common/card_host.h"

struct vsim_terminal {
	int fd;				/* /dev/vsimN, or -1 */
	struct vsim_host_card host;	/* when fd < 0 */
};

/*
 * Open the card: @device if given, else a card built from @profile with
 * durable state in @state_dir (may be NULL). 0, or -1 with @err set.
 */
int vsim_terminal_open(struct vsim_terminal *t, const char *device,
		       const char *profile, const char *state_dir, char *err,
		       size_t errlen);
/* Cold reset; returns the ATR length, or -1. */
int vsim_terminal_power_on(struct vsim_terminal *t, uint8_t *atr, size_t max);
/* One exchange; returns the R-APDU length (>= 2), or -1 with errno. */
int vsim_terminal_transmit(struct vsim_terminal *t, const uint8_t *capdu,
			   size_t len, uint8_t *rapdu, size_t max);
void vsim_terminal_close(struct vsim_terminal *t);

#endif /* VSIM_TERMINAL_H */
