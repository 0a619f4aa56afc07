/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vsim-modem's BIP in its event loop: the card's channel (a TCP socket
 * from this host) and its timers (TS 102 223 §6.4.21, §6.4.27-31) run
 * beside the pty, the SMSC and the control socket; what they owe the card
 * (Data available, Channel status, TIMER EXPIRATION) goes to it as
 * ENVELOPE between AT commands. The protocol is common/bipterm.c's, the
 * same as vsimctl term --bip's; sim.c's proactive hook answers the
 * commands.
 */
#ifndef VSIM_MODEM_BIP_H
#define VSIM_MODEM_BIP_H

#include <poll.h>

#include "modem/at.h"

/* docs/ota.md: a terminal drops a channel silent for 10 s */
#define MODEM_BIP_IDLE_MS	10000

/* The channel's socket in @pfd (fd -1: none); ms until due, -1 never. */
int modem_bip_wait(struct at *a, struct pollfd *pfd);

/* After poll: relay the socket and send the card what it is owed. */
void modem_bip_run(struct at *a, short revents);

#endif /* VSIM_MODEM_BIP_H */
