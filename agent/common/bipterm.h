/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The terminal's side of the Bearer Independent Protocol (TS 102 223
 * §6.4.27-31, §7.5.10-11), as a handset runs it for its card: the
 * proactive FETCH / TERMINAL RESPONSE loop with OPEN CHANNEL becoming a
 * TCP connection from this host (UICC in client mode, default bearer),
 * SEND DATA written to it, what the server sends kept in the channel's
 * buffer for RECEIVE DATA and announced by the event Data available, the
 * server's close reported by the event Channel status, CLOSE CHANNEL
 * closing the socket. One channel. With it the card's timers (TIMER
 * MANAGEMENT, §6.4.21): started, stopped, read, and their expiry sent as
 * ENVELOPE (TIMER EXPIRATION) (§7.4), which the SCP81 admin agent uses to
 * retry a failed session. vsimctl term plays it against a card.
 */
#ifndef VSIM_BIPTERM_H
#define VSIM_BIPTERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/modem.h"

/* The channel buffer this terminal grants at most (§6.4.27: 07 if less). */
#define VSIM_BIPTERM_BUFFER	1024
#define VSIM_BIPTERM_TIMERS	8	/* timer identifiers 1..8, §8.37 */

struct vsim_bipterm {
	int (*transmit)(void *ctx, const uint8_t *c, size_t len, uint8_t *r,
			size_t max);
	void *ctx;
	FILE *out;		/* every APDU and step */
	const char *choose;	/* SET UP MENU: the item to remember */
	int menu_item;		/* its identifier, -1 until seen */
	/* SET UP EVENT LIST: the events the card wants */
	bool ev_data_available, ev_channel_status;
	/* the channel */
	int fd;			/* the TCP socket, -1 */
	bool open;		/* channel 1 allocated to the card */
	bool link;		/* its TCP connection is up */
	bool eof, drop_reported, announced;
	bool timed_out;		/* nothing moved for idle_ms: the link dropped */
	uint16_t buffer;
	uint8_t rx[VSIM_BIPTERM_BUFFER];	/* from the server, for RECEIVE DATA */
	size_t rx_len;
	uint8_t tx[VSIM_BIPTERM_BUFFER];	/* SEND DATA stored, not sent */
	size_t tx_len;
	/* the card's timers; no_timers: the profile declares none */
	bool no_timers;
	struct vsim_bipterm_timer {
		bool running;
		uint64_t deadline;	/* CLOCK_MONOTONIC, ms */
		uint8_t value[3];	/* as started (§8.38) */
	} timers[VSIM_BIPTERM_TIMERS];
	/* what happened */
	unsigned int opened, closed, sms, open_tries, expirations;
	unsigned long sent, received;
	unsigned int fetches;
};

/*
 * The TERMINAL PROFILE of vsim's modem with BIP declared
 * (VSIM_MODEM_TP_LEN), and TIMER MANAGEMENT with TIMER EXPIRATION unless
 * @no_timers.
 */
void vsim_bipterm_profile(uint8_t tp[VSIM_MODEM_TP_LEN], bool no_timers);

void vsim_bipterm_init(struct vsim_bipterm *bt,
		       int (*transmit)(void *, const uint8_t *, size_t,
				       uint8_t *, size_t),
		       void *ctx, FILE *out);

/*
 * Send one command (61xx fetched, printed), then answer every proactive
 * command it announces. The final status word in @sw; 0, or -1 when the
 * transport failed or the card answered nonsense (printed).
 */
int vsim_bipterm_command(struct vsim_bipterm *bt, const uint8_t *c,
			 size_t len, uint16_t *sw);

/*
 * Relay until the card closes the channel: the server's data in, Data
 * available and Channel status out as events. 0 when the card closed it;
 * -1 on a transport failure, or when nothing moved for @idle_ms (the
 * terminal never waits forever: it drops the link and reports Channel
 * status to the card, so the card's session ends and it closes).
 */
int vsim_bipterm_relay(struct vsim_bipterm *bt, int idle_ms);

/*
 * Wait for the card's earliest running timer and send its TIMER
 * EXPIRATION, then answer what the card announces. 1 when one was sent;
 * 0 when no timer runs; -1 on a transport failure, an answer other than
 * 9000 (9300 is tried again a few times), or a timer further away than
 * @max_ms (a terminal never waits forever: printed).
 */
int vsim_bipterm_wait_timer(struct vsim_bipterm *bt, int max_ms);

/* Close the socket, if any. */
void vsim_bipterm_close(struct vsim_bipterm *bt);

#endif /* VSIM_BIPTERM_H */
