// SPDX-License-Identifier: GPL-2.0-only
/*
 * make bench only: an LD_PRELOAD for pcscd that sets TCP_NODELAY on every
 * connection vpcd accepts, to measure what Debian's vpcd 3.3 costs by not
 * setting it (scripts/bench-pcsc, docs/vsimd.md "Cost per APDU"). vpcd
 * writes a frame's length and payload in two send()s; with Nagle on, the
 * payload waits for the card's ACK of the length.
 */
#include <dlfcn.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

typedef int accept4_fn(int, struct sockaddr *, socklen_t *, int);

static int nodelay(int fd)
{
	int one = 1;

	/* a Unix socket (pcscd's clients) refuses it: harmless */
	if (fd >= 0)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	static accept4_fn *next;

	if (!next)
		next = (accept4_fn *)dlsym(RTLD_NEXT, "accept4");
	return nodelay(next(fd, addr, len, flags));
}

int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
	return accept4(fd, addr, len, 0);
}
