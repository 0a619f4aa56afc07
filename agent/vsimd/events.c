// SPDX-License-Identifier: GPL-2.0-only
/* vsimd's publish/subscribe between cards, bridges and readers (events.h). */
#include <stdbool.h>
#include <string.h>

#include "vsimd/events.h"

int vsimd_listen(struct vsimd *d, vsimd_listener_fn *fn, void *ctx)
{
	if (d->n_listeners == VSIMD_MAX_LISTENERS)
		return -1;
	d->listeners[d->n_listeners].fn = fn;
	d->listeners[d->n_listeners].ctx = ctx;
	d->n_listeners++;
	return 0;
}

void vsimd_unlisten(struct vsimd *d, vsimd_listener_fn *fn, void *ctx)
{
	for (size_t i = 0; i < d->n_listeners; i++) {
		if (d->listeners[i].fn != fn || d->listeners[i].ctx != ctx)
			continue;
		memmove(&d->listeners[i], &d->listeners[i + 1],
			(d->n_listeners - i - 1) * sizeof(d->listeners[0]));
		d->n_listeners--;
		return;
	}
}

static void publish(struct vsimd *d, const struct vsimd_event *ev)
{
	for (size_t i = 0; i < d->n_listeners; i++)
		d->listeners[i].fn(d->listeners[i].ctx, ev);
}

void vsimd_publish_trace(struct vsimd_card *c, const char *what,
			 const uint8_t *capdu, size_t clen,
			 const uint8_t *rapdu, size_t rlen)
{
	struct vsimd_event ev = {
		.kind = VSIMD_EV_TRACE, .card = c, .what = what,
		.seq = ++c->trace_seq,
		.capdu = capdu, .clen = clen, .rapdu = rapdu, .rlen = rlen,
	};

	/* once per exchange, in order, for every reader (redact.h) */
	if (!strcmp(what, "apdu"))
		ev.redact = vsim_redact_next(&c->redact, capdu, clen, rapdu,
					     rlen);
	else
		vsim_redact_reset(&c->redact);
	publish(c->d, &ev);
}

void vsimd_publish_card_gone(struct vsimd_card *c)
{
	struct vsimd_event ev = { .kind = VSIMD_EV_CARD_GONE, .card = c };

	publish(c->d, &ev);
}

void vsimd_publish_board(struct vsimd_card *c, const struct vsimd_board *where)
{
	struct vsimd_event ev = { .kind = VSIMD_EV_BOARD, .card = c };

	if (where)
		c->board = *where;
	c->board.in_board = where != NULL;
	publish(c->d, &ev);
}
