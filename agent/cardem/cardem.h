/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vsimd's second reader: SIMtrace2-family boards in card-emulation mode,
 * driven through libusb-1.0 (docs/modems.md). A modem's SIM slot holds the
 * board; the board hands the modem's T=0 TPDUs to vsimd, which answers
 * them from the card (cardem/tpdu.c). Boards come and go by libusb
 * hotplug; each card configured with `cardem = ...` takes the first free
 * slot that matches. libusb's file descriptors join vsimd's poll() loop,
 * so every card call stays on the main thread (vsimd.h).
 *
 * The part agent/cardem/, the SIMtrace2 cardem bridge: this bridge, the
 * board's message format (msg.c, simtrace2.h), the card's T=0 side
 * (tpdu.c) and the board selector (sel.c). It may use vsimd's core (the
 * card and its backend, events.h), common/ and the engine; never the card
 * set or the control socket (layers.conf).
 */
#ifndef VSIM_CARDEM_H
#define VSIM_CARDEM_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

struct vsimd;
struct vsimd_card;

/* Start libusb and hotplug (once; later calls do nothing). 0 or -1 with @err. */
int vsimd_cardem_start(struct vsimd *d, char *err, size_t errlen);
/* Tell every board's modem the card left, release and close everything. */
void vsimd_cardem_stop(struct vsimd *d);
/* libusb's descriptors for poll(); returns how many were filled. */
size_t vsimd_cardem_fill(struct vsimd *d, struct pollfd *pfd, size_t max);
/* Milliseconds until vsimd_cardem_dispatch() must run again, -1: no limit. */
int vsimd_cardem_timeout(struct vsimd *d);
/*
 * How many of libusb's descriptors went away so far: a number may come
 * back for another file, so vsimd's epoll set re-registers them (waitset.h).
 */
unsigned long vsimd_cardem_fd_removals(const struct vsimd *d);
/* After poll(): USB events, hotplug, retries, cards waiting for boards. */
void vsimd_cardem_dispatch(struct vsimd *d);
/*
 * A card entering or leaving a slot is published as card->board
 * (vsimd/events.h); the bridge never calls the control socket.
 */
/* A card is being removed: free its slot (the board's modem sees it go). */
void vsimd_cardem_card_gone(struct vsimd *d, struct vsimd_card *c);

#endif /* VSIM_CARDEM_H */
