/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What cards and bridges tell the rest of vsimd: an exchange or power event
 * (a trace line), a card that goes away, a card entering or leaving a
 * SIMtrace2 board. Publishers (cards.c, bridge.c, cardem/) call
 * vsimd_publish_*(); readers (the control socket, GSMTAP) subscribe with
 * vsimd_listen(). Publishers never know who reads, so the daemon's arrows
 * run one way: control -> cards -> bridges -> this (docs/vsimd.md).
 */
#ifndef VSIMD_EVENTS_H
#define VSIMD_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "vsimd/vsimd.h"

enum vsimd_event_kind {
	VSIMD_EV_TRACE,		/* an APDU exchange or a power event */
	VSIMD_EV_CARD_GONE,	/* the card is being removed or stopped */
	VSIMD_EV_BOARD,		/* card->board changed (in a board, or waiting) */
};

struct vsimd_event {
	enum vsimd_event_kind kind;
	struct vsimd_card *card;
	/* VSIMD_EV_TRACE: "apdu", or "on"/"reset"/"off" with the ATR in rapdu */
	const char *what;
	uint64_t seq;		/* the card's trace sequence number */
	const uint8_t *capdu;
	size_t clen;
	const uint8_t *rapdu;
	size_t rlen;
	/* what a reader must blank (VSIM_REDACT_*) unless keys are revealed */
	unsigned int redact;
};

typedef void vsimd_listener_fn(void *ctx, const struct vsimd_event *ev);

/* Subscribe; 0, or -1 when VSIMD_MAX_LISTENERS are taken. */
int vsimd_listen(struct vsimd *d, vsimd_listener_fn *fn, void *ctx);
/* Unsubscribe (a listener that was never added is ignored). */
void vsimd_unlisten(struct vsimd *d, vsimd_listener_fn *fn, void *ctx);

void vsimd_publish_trace(struct vsimd_card *c, const char *what,
			 const uint8_t *capdu, size_t clen,
			 const uint8_t *rapdu, size_t rlen);
void vsimd_publish_card_gone(struct vsimd_card *c);
/* @where NULL: the card waits for a board. */
void vsimd_publish_board(struct vsimd_card *c,
			 const struct vsimd_board *where);

#endif /* VSIMD_EVENTS_H */
