// SPDX-License-Identifier: GPL-2.0-only
/* vsimd's epoll set (waitset.h). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "vsimd/waitset.h"

int waitset_init(struct waitset *w)
{
	memset(w, 0, sizeof(*w));
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	return w->epfd < 0 ? -1 : 0;
}

void waitset_fini(struct waitset *w)
{
	if (w->epfd >= 0)
		close(w->epfd);
	w->epfd = -1;
	w->n_reg = 0;
}

static int ctl(struct waitset *w, int op, int fd, short events)
{
	/* POLLIN/POLLOUT/POLLPRI share their values with the EPOLL ones */
	struct epoll_event ev = {
		.events = (uint32_t)(unsigned short)events,
		.data.u64 = (uint64_t)fd << 1 | 1,
	};

	return epoll_ctl(w->epfd, op, fd, &ev);
}

int waitset_add_fixed(struct waitset *w, int fd, uint32_t events)
{
	return ctl(w, EPOLL_CTL_ADD, fd, (short)events);
}

static const struct pollfd *find(const struct pollfd *p, size_t n, int fd)
{
	for (size_t i = 0; i < n; i++)
		if (p[i].fd == fd)
			return &p[i];
	return NULL;
}

/* Watch @fd for @events whether or not the set has it yet. */
static int put(struct waitset *w, int fd, short events, bool known)
{
	int op = known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;

	if (!ctl(w, op, fd, events))
		return 0;
	if (errno != (known ? ENOENT : EEXIST))
		return -1;
	return ctl(w, known ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, events);
}

int waitset_sync(struct waitset *w, const struct pollfd *aux, size_t n,
		 unsigned long closes)
{
	bool whole = closes != w->closes;
	int rc = 0;

	if (n > WAITSET_AUX_MAX) {
		errno = E2BIG;
		return -1;
	}
	/*
	 * No EPOLL_CTL_DEL for what left the list: a module lists every fd
	 * it has open, so one that left was closed and the kernel dropped it
	 * (its number may already be a card's socket, which a DEL would
	 * drop). An fd that leaves while open is dropped at its first event
	 * (waitset_forget()).
	 */
	for (size_t i = 0; i < n; i++) {
		const struct pollfd *was = find(w->reg, w->n_reg, aux[i].fd);

		if (!whole && was && was->events == aux[i].events)
			continue;
		if (put(w, aux[i].fd, aux[i].events, was && !whole))
			rc = -1;
	}
	memcpy(w->reg, aux, n * sizeof(*aux));
	w->n_reg = n;
	/* after a failure, everything again next round */
	w->closes = rc ? closes - 1 : closes;
	return rc;
}

void waitset_forget(struct waitset *w, int fd)
{
	ctl(w, EPOLL_CTL_DEL, fd, 0);
}
