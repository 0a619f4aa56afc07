/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vsimd's card set (cards.c): load from the store, add from a profile,
 * remove, stop. A card starts its bridge (vpcd or a SIMtrace2 board) and
 * publishes its departure (events.h); it never calls the control socket.
 */
#ifndef VSIMD_CARDS_H
#define VSIMD_CARDS_H

#include <stddef.h>

#include "vsimd/vsimd.h"

struct vsimd_card *vsimd_card_find(struct vsimd *d, const char *name);
/* Load every card of the store; 0, or -1 with @err (the first failure). */
int vsimd_cards_load(struct vsimd *d, char *err, size_t errlen);
/*
 * Add a card from profile text: compile, store, start. @slot < 0 picks the
 * lowest free slot; @host NULL / @port 0 take the defaults (port = base +
 * slot). Returns the card, or NULL with @err.
 */
struct vsimd_card *vsimd_card_add(struct vsimd *d, const char *name,
				  const char *profile_name,
				  const char *profile_text, int slot,
				  const char *host, int port, char *err,
				  size_t errlen);
/* Stop, unplug and delete a card and its stored state. 0 or -1 with @err. */
int vsimd_card_remove(struct vsimd *d, struct vsimd_card *c, char *err,
		      size_t errlen);
/* Stop every card (SIGTERM): power off, close vpcd, close the backend. */
void vsimd_cards_close(struct vsimd *d);

#endif /* VSIMD_CARDS_H */
