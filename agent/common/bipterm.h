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
 * retry a failed session. Two ways to run it: vsimctl term's, blocking
 * (vsim_bipterm_command, _relay, _wait_timer: this file's own proactive
 * loop), and an owner's event loop (vsim-modem): its proactive loop hands
 * the BIP commands to vsim_bipterm_answer, its poll(2) takes the socket
 * and the next deadline from vsim_bipterm_wait, and vsim_bipterm_next
 * gives the ENVELOPE the card is owed, which the owner sends.
 */
#ifndef VSIM_BIPTERM_H
#define VSIM_BIPTERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <poll.h>
#include <stdio.h>

#include "common/modem.h"

/* The channel buffer this terminal grants at most (§6.4.27: 07 if less). */
#define VSIM_BIPTERM_BUFFER	1024
#define VSIM_BIPTERM_TIMERS	8	/* timer identifiers 1..8, §8.37 */
/* RECEIVE DATA's most per command: what one TERMINAL RESPONSE holds */
#define VSIM_BIPTERM_RECEIVE_MAX	237
/* the TLVs vsim_bipterm_answer writes at most */
#define VSIM_BIPTERM_ANSWER_MAX		(VSIM_BIPTERM_RECEIVE_MAX + 6)
#define VSIM_BIPTERM_ENVELOPE_MAX	32	/* an event or timer ENVELOPE */

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
	uint64_t last_ms;	/* the channel's last move, CLOCK_MONOTONIC */
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
	/* the ENVELOPE vsim_bipterm_next built: 09, 0A event, D7 expiry */
	uint8_t due;
	int due_timer;		/* its timer, 1..8 */
	unsigned int tries;	/* of that expiry, answered 9300 */
};

/*
 * The TERMINAL PROFILE of vsim's modem with BIP declared
 * (VSIM_MODEM_TP_LEN), and TIMER MANAGEMENT with TIMER EXPIRATION unless
 * @no_timers.
 */
void vsim_bipterm_profile(uint8_t tp[VSIM_MODEM_TP_LEN], bool no_timers);
/* The same bits ORed into another terminal's profile @tp. */
void vsim_bipterm_declare(uint8_t tp[VSIM_MODEM_TP_LEN], bool timers);

/*
 * The proactive commands this code answers (@type, §9.4): SET UP EVENT
 * LIST, TIMER MANAGEMENT, OPEN / CLOSE CHANNEL, SEND / RECEIVE DATA, GET
 * CHANNEL STATUS.
 */
bool vsim_bipterm_takes(uint8_t type);

/*
 * Carry out one proactive command: @det its command details, @dest the
 * destination of its device identities, @b its COMPREHENSION-TLVs. The
 * general result in @res[0] (§8.12) with, for a BIP error (3A), the
 * additional information in @res[1]; the TLVs that follow the result in
 * the TERMINAL RESPONSE in @x (VSIM_BIPTERM_ANSWER_MAX), their length
 * returned. OPEN CHANNEL connects (up to 5 s); nothing else blocks.
 */
size_t vsim_bipterm_answer(struct vsim_bipterm *bt, const uint8_t det[3],
			   uint8_t dest, const uint8_t *b, size_t bl,
			   uint8_t res[2], uint8_t *x);

/*
 * For an event loop: @pfd (fd -1 when none) and the time in ms until
 * vsim_bipterm_next has something (0 now, -1 never). The channel's link
 * is dropped after @idle_ms without a move (-1: no such rule).
 */
int vsim_bipterm_wait(const struct vsim_bipterm *bt, int idle_ms,
		      struct pollfd *pfd);

/*
 * After poll (@revents of the @pfd above): read the socket, then build
 * the ENVELOPE the card is owed (Data available, Channel status, TIMER
 * EXPIRATION), its length, 0 when none. Send it, then tell
 * vsim_bipterm_answered the status word (-1: the transport failed).
 */
size_t vsim_bipterm_next(struct vsim_bipterm *bt, short revents, int idle_ms,
			 uint8_t e[VSIM_BIPTERM_ENVELOPE_MAX]);
/* 0; -1 (printed) when the card refused it; a busy card's expiry is re-armed. */
int vsim_bipterm_answered(struct vsim_bipterm *bt, int sw);

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
