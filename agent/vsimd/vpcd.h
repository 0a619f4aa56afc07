/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The card side of vsmartcard's vpcd protocol: vsimd connects to the vpcd
 * reader driver inside pcscd (TCP, port 35963 + slot) and answers frames.
 * A frame is a 2-byte big-endian length and that many bytes; one byte is a
 * control code (0 off, 1 on, 2 reset, 4 get ATR: only get ATR is
 * answered), more is a C-APDU answered with its R-APDU. The connection is
 * non-blocking and driven by the caller's poll() or epoll loop; when it drops,
 * it is retried with a doubling backoff (pcscd restarts).
 */
#ifndef VSIM_VPCD_H
#define VSIM_VPCD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VPCD_CTRL_OFF		0
#define VPCD_CTRL_ON		1
#define VPCD_CTRL_RESET		2
#define VPCD_CTRL_ATR		4
#define VPCD_FRAME_MAX		0xFFFF	/* what a 2-byte length can say */
#define VPCD_BACKOFF_MIN_MS	50
#define VPCD_BACKOFF_MAX_MS	2000

enum vpcd_state {
	VPCD_IDLE,		/* waiting for retry_at */
	VPCD_CONNECTING,	/* non-blocking connect() in progress */
	VPCD_CONNECTED,
};

struct vsim_vpcd {
	char host[256];
	int port;
	int fd;
	enum vpcd_state state;
	unsigned int backoff_ms;
	uint64_t retry_at;	/* CLOCK_MONOTONIC ms */
	/*
	 * Inbound bytes, 2 + VPCD_FRAME_MAX, only while connected: pcscd
	 * serves a few readers, a host may hold thousands of cards.
	 */
	uint8_t *buf;
	size_t have;
	size_t dirty;		/* bytes of buf ever written: wiped on free */
	uint64_t connects;	/* successful connections so far */
	/* make bench's "before" row: TCP_QUICKACK around every recv() (vpcd.c) */
	bool ack_every_read;
	/*
	 * The caller's epoll set (-1: none, it polls vpcd_events()); fd is
	 * kept in it for what the state waits for, data.ptr = this struct.
	 */
	int epfd;
	uint32_t ep_events;	/* what epfd watches fd for; 0: not in it */
	char last_error[400];
};

/*
 * Answer one frame: fill @reply (room for 2 + VSIM_RAPDU_MAX bytes) and set
 * *reply_len, 0 for nothing to send. Return -1 to drop the connection.
 */
typedef int (*vpcd_frame_fn)(void *ctx, const uint8_t *frame, size_t len,
			     uint8_t *reply, size_t *reply_len);

int vpcd_init(struct vsim_vpcd *v, const char *host, int port);
void vpcd_close(struct vsim_vpcd *v);
/* Current CLOCK_MONOTONIC time in ms. */
uint64_t vpcd_now(void);
/* Start a connection now if idle and due. */
void vpcd_tick(struct vsim_vpcd *v, uint64_t now);
/* The poll() events wanted (0 when idle). */
short vpcd_events(const struct vsim_vpcd *v);
/* Milliseconds until the next retry, -1 when not idle. */
int vpcd_timeout(const struct vsim_vpcd *v, uint64_t now);
/*
 * Handle poll() results for v->fd: finish connecting, read, answer every
 * complete frame through @fn. A closed or broken connection goes back to
 * idle with a retry scheduled; the reason is in v->last_error.
 * Returns 1 when the connection was lost, else 0.
 */
int vpcd_handle(struct vsim_vpcd *v, short revents, vpcd_frame_fn fn,
		void *ctx);
/*
 * Keep the connection's socket in epoll set @epfd from now on, for the
 * events its state waits for (data.ptr = @v); -1 leaves any set.
 */
void vpcd_watch(struct vsim_vpcd *v, int epfd);
/* Drop the connection and retry after the backoff. */
void vpcd_drop(struct vsim_vpcd *v, const char *why);

#endif /* VSIM_VPCD_H */
