/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The descriptors vsimd's loop waits on, in one epoll set. A poll() over
 * every card's vpcd socket made each wake-up cost O(cards): with 256
 * connected cards vsimd spent 71 µs per APDU instead of 27 (docs/vsimd.md
 * "Cost per APDU"). Here the cards' sockets are registered once, when
 * their connection changes state (vpcd.c, data.ptr = the struct
 * vsim_vpcd), and a wake-up costs what is ready.
 *
 * The few other descriptors (the control socket and its clients,
 * libusb's) come from their modules as pollfd lists each round; what is
 * new or changed is registered, and all of them again when their module
 * reports that it closed a descriptor: a number closed and reused between
 * two rounds would otherwise look registered while the kernel dropped it
 * with the old file.
 */
#ifndef VSIMD_WAITSET_H
#define VSIMD_WAITSET_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>

/* At most this many other descriptors (control and libusb) per round. */
#define WAITSET_AUX_MAX 160

struct waitset {
	int epfd;
	struct pollfd reg[WAITSET_AUX_MAX];	/* other fds, as registered */
	size_t n_reg;
	unsigned long closes;	/* the modules' close count at the last sync */
};

int waitset_init(struct waitset *w);
void waitset_fini(struct waitset *w);
/*
 * Make the other descriptors of this round (@aux, @n) the registered
 * ones; @closes counts the descriptors their modules ever closed. 0, or
 * -1 with errno (the set is then re-synced whole next round).
 */
int waitset_sync(struct waitset *w, const struct pollfd *aux, size_t n,
		 unsigned long closes);
/* An event for one of the other descriptors: its fd, or -1 for a card's. */
static inline int waitset_aux_fd(const struct epoll_event *ev)
{
	/* cards register an aligned pointer; others the odd (fd << 1) | 1 */
	return (ev->data.u64 & 1) ? (int)(ev->data.u64 >> 1) : -1;
}

/* An event came for an fd that is no longer listed: out of the set. */
void waitset_forget(struct waitset *w, int fd);
/* Register a descriptor for the life of the set (signals). */
int waitset_add_fixed(struct waitset *w, int fd, uint32_t events);

#endif /* VSIMD_WAITSET_H */
