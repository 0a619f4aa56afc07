// SPDX-License-Identifier: GPL-2.0-only
/*
 * vpcd client transport (vpcd.h): non-blocking connect with backoff,
 * frame reassembly, replies sent as one write.
 *
 * The cost per APDU is syscalls and context switches (docs/vsimd.md "Cost
 * per APDU"): one recv() per wakeup into the frame buffer, one send() per
 * answer, TCP_NODELAY set once at connect. The poll() loop is
 * level-triggered, so whatever a recv() leaves in the socket wakes us again.
 *
 * Debian's vpcd 3.3 writes a frame's 2-byte length and its payload in two
 * send()s without TCP_NODELAY: Nagle holds the payload until our side ACKs
 * the length. Our answers put the socket in interactive ("pingpong") mode,
 * where the kernel delays that ACK by 40 ms or more (RFC 1122 §4.2.3.2).
 * So when a read ends inside a frame, TCP_QUICKACK sends the ACK at once
 * (tcp(7): it is not permanent, hence each time). A peer that sends frames
 * whole costs no setsockopt() at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/vsim.h>

#include "vsimd/vpcd.h"

uint64_t vpcd_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int vpcd_init(struct vsim_vpcd *v, const char *host, int port)
{
	memset(v, 0, sizeof(*v));
	v->fd = -1;
	v->epfd = -1;
	v->state = VPCD_IDLE;
	v->backoff_ms = VPCD_BACKOFF_MIN_MS;
	snprintf(v->host, sizeof(v->host), "%s", host);
	v->port = port;
	v->ack_every_read = getenv("VSIMD_BENCH_QUICKACK_EVERY_READ") != NULL;
	return 0;
}

/* Bring the epoll registration in line with the state (vpcd_events()). */
static int sync_watch(struct vsim_vpcd *v)
{
	struct epoll_event ev = { .data.ptr = v };
	uint32_t want = 0;
	int op;

	if (v->epfd < 0 || v->fd < 0)
		return 0;
	if (v->state == VPCD_CONNECTING)
		want = EPOLLOUT;
	else if (v->state == VPCD_CONNECTED)
		want = EPOLLIN;
	if (want == v->ep_events)
		return 0;
	op = !v->ep_events ? EPOLL_CTL_ADD :
	     !want ? EPOLL_CTL_DEL : EPOLL_CTL_MOD;
	ev.events = want;
	if (epoll_ctl(v->epfd, op, v->fd, &ev))
		return -1;
	v->ep_events = want;
	return 0;
}

/*
 * Out of the epoll set before close(): a descriptor leaves it on its own
 * only when no copy of the file is left anywhere.
 */
static void unwatch(struct vsim_vpcd *v)
{
	if (v->ep_events && v->fd >= 0)
		epoll_ctl(v->epfd, EPOLL_CTL_DEL, v->fd, NULL);
	v->ep_events = 0;
}

static void free_buf(struct vsim_vpcd *v)
{
	if (v->buf) {
		/* frames carry PINs (VERIFY): do not leave them in the heap */
		explicit_bzero(v->buf, v->dirty);
		free(v->buf);
	}
	v->buf = NULL;
	v->have = v->dirty = 0;
}

void vpcd_close(struct vsim_vpcd *v)
{
	unwatch(v);
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
	v->state = VPCD_IDLE;
	free_buf(v);
}

static void quickack(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
}

void vpcd_drop(struct vsim_vpcd *v, const char *why)
{
	if (why)
		snprintf(v->last_error, sizeof(v->last_error), "%s", why);
	unwatch(v);
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
	free_buf(v);
	v->state = VPCD_IDLE;
	v->retry_at = vpcd_now() + v->backoff_ms;
	v->backoff_ms *= 2;
	if (v->backoff_ms > VPCD_BACKOFF_MAX_MS)
		v->backoff_ms = VPCD_BACKOFF_MAX_MS;
}

static void start_connect(struct vsim_vpcd *v)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	char port[8], why[400];
	int fd, one = 1, rc;

	snprintf(port, sizeof(port), "%d", v->port);
	rc = getaddrinfo(v->host, port, &hints, &res);
	if (rc) {
		snprintf(why, sizeof(why), "%s: %s", v->host, gai_strerror(rc));
		vpcd_drop(v, why);
		return;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0) {
		freeaddrinfo(res);
		vpcd_drop(v, strerror(errno));
		return;
	}
	/* our replies go out in one write; never wait for an ACK to send */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	rc = connect(fd, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	v->fd = fd;
	if (rc == 0) {
		v->state = VPCD_CONNECTED;
	} else if (errno == EINPROGRESS) {
		v->state = VPCD_CONNECTING;
	} else {
		snprintf(why, sizeof(why), "connect: %s", strerror(errno));
		vpcd_drop(v, why);
		return;
	}
	if (sync_watch(v)) {
		snprintf(why, sizeof(why), "epoll: %s", strerror(errno));
		vpcd_drop(v, why);
		return;
	}
	if (v->state == VPCD_CONNECTED) {
		v->connects++;
		v->backoff_ms = VPCD_BACKOFF_MIN_MS;
		v->last_error[0] = '\0';
		quickack(fd);
	}
}

void vpcd_watch(struct vsim_vpcd *v, int epfd)
{
	char why[160];

	if (epfd == v->epfd)
		return;
	unwatch(v);
	v->epfd = epfd;
	if (sync_watch(v)) {
		snprintf(why, sizeof(why), "epoll: %s", strerror(errno));
		vpcd_drop(v, why);
	}
}

void vpcd_tick(struct vsim_vpcd *v, uint64_t now)
{
	if (v->state == VPCD_IDLE && now >= v->retry_at)
		start_connect(v);
}

short vpcd_events(const struct vsim_vpcd *v)
{
	switch (v->state) {
	case VPCD_CONNECTING:
		return POLLOUT;
	case VPCD_CONNECTED:
		return POLLIN;
	default:
		return 0;
	}
}

int vpcd_timeout(const struct vsim_vpcd *v, uint64_t now)
{
	if (v->state != VPCD_IDLE)
		return -1;
	return v->retry_at > now ? (int)(v->retry_at - now) : 0;
}

static int send_all(struct vsim_vpcd *v, const uint8_t *p, size_t n)
{
	/*
	 * A reply is at most 260 bytes and the socket buffer is empty
	 * between frames (vpcd waits for each answer): one send() takes it
	 * whole. A short or failed send is a broken peer.
	 */
	ssize_t w = send(v->fd, p, n, MSG_NOSIGNAL);

	return w == (ssize_t)n ? 0 : -1;
}

/* Answer every complete frame in the buffer; -1 drops the connection. */
static int drain_frames(struct vsim_vpcd *v, vpcd_frame_fn fn, void *ctx)
{
	uint8_t reply[2 + VSIM_RAPDU_MAX + 8];
	size_t off = 0;

	while (v->have - off >= 2) {
		size_t len = (size_t)v->buf[off] << 8 | v->buf[off + 1];
		size_t rlen = 0;

		if (v->have - off - 2 < len)
			break;
		if (fn(ctx, v->buf + off + 2, len, reply + 2, &rlen))
			return -1;
		off += 2 + len;
		if (rlen) {
			reply[0] = (uint8_t)(rlen >> 8);
			reply[1] = (uint8_t)rlen;
			if (send_all(v, reply, 2 + rlen)) {
				snprintf(v->last_error, sizeof(v->last_error),
					 "send: %s", strerror(errno));
				return -1;
			}
		}
	}
	if (off) {
		memmove(v->buf, v->buf + off, v->have - off);
		v->have -= off;
	}
	return 0;
}

/*
 * Account for a recv() result @n: 0 when bytes came or none were ready,
 * -1 when the connection is gone (dropped here with the reason).
 */
static int got(struct vsim_vpcd *v, ssize_t n)
{
	char why[160];

	if (n == 0) {
		vpcd_drop(v, "vpcd closed the connection");
		return -1;
	}
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		snprintf(why, sizeof(why), "recv: %s", strerror(errno));
		vpcd_drop(v, why);
		return -1;
	}
	v->have += (size_t)n;
	if (v->have > v->dirty)
		v->dirty = v->have;
	return 0;
}

/*
 * The transport before the cost work (#15), kept for make bench's
 * comparison (VSIMD_BENCH_QUICKACK_EVERY_READ): TCP_QUICKACK around every
 * recv(), recv() until EAGAIN.
 */
static int read_every_ack(struct vsim_vpcd *v, vpcd_frame_fn fn, void *ctx)
{
	ssize_t n;

	for (;;) {
		quickack(v->fd);
		n = recv(v->fd, v->buf + v->have, 2 + VPCD_FRAME_MAX - v->have,
			 0);
		quickack(v->fd);
		if (n < 0 && errno == EINTR)
			continue;
		if (got(v, n) || drain_frames(v, fn, ctx)) {
			if (v->fd >= 0)
				vpcd_drop(v, NULL);
			return 1;
		}
		if (n < 0)
			return 0;
	}
}

int vpcd_handle(struct vsim_vpcd *v, short revents, vpcd_frame_fn fn,
		void *ctx)
{
	char why[160];
	ssize_t n;

	if (v->state == VPCD_CONNECTING) {
		int e = 0;
		socklen_t l = sizeof(e);

		if (!(revents & (POLLOUT | POLLERR | POLLHUP)))
			return 0;
		if (getsockopt(v->fd, SOL_SOCKET, SO_ERROR, &e, &l) || e) {
			snprintf(why, sizeof(why), "connect: %s",
				 strerror(e ? e : errno));
			vpcd_drop(v, why);
			return 1;
		}
		v->state = VPCD_CONNECTED;
		if (sync_watch(v)) {
			snprintf(why, sizeof(why), "epoll: %s",
				 strerror(errno));
			vpcd_drop(v, why);
			return 1;
		}
		v->connects++;
		v->backoff_ms = VPCD_BACKOFF_MIN_MS;
		v->last_error[0] = '\0';
		quickack(v->fd);
		return 0;
	}
	if (v->state != VPCD_CONNECTED ||
	    !(revents & (POLLIN | POLLERR | POLLHUP)))
		return 0;
	if (!v->buf) {
		v->buf = malloc(2 + VPCD_FRAME_MAX);
		if (!v->buf) {
			vpcd_drop(v, "out of memory");
			return 1;
		}
	}
	if (v->ack_every_read)
		return read_every_ack(v, fn, ctx);
	for (int pass = 0; pass < 2; pass++) {
		do {
			n = recv(v->fd, v->buf + v->have,
				 2 + VPCD_FRAME_MAX - v->have, 0);
		} while (n < 0 && errno == EINTR);
		if (got(v, n) || drain_frames(v, fn, ctx)) {
			if (v->fd >= 0)
				vpcd_drop(v, NULL);
			return 1;
		}
		if (!v->have || n < 0)
			break;
		/*
		 * Part of a frame waits: its rest may wait for our ACK
		 * (above). On loopback the ACK's delivery runs vpcd's held
		 * send inside this setsockopt(), so the rest is usually
		 * here at once: read it now rather than after another poll.
		 */
		quickack(v->fd);
	}
	return 0;
}
