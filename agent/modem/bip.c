// SPDX-License-Identifier: GPL-2.0-only
/* vsim-modem's BIP channel and card timers in its event loop (bip.h). */
#include "modem/bip.h"

int modem_bip_wait(struct at *a, struct pollfd *pfd)
{
	struct sim *s = a->sim;

	if (!s->bip_on || !s->present) {
		pfd->fd = -1;
		pfd->events = pfd->revents = 0;
		return -1;
	}
	return vsim_bipterm_wait(&s->bip, MODEM_BIP_IDLE_MS, pfd);
}

void modem_bip_run(struct at *a, short revents)
{
	uint8_t e[VSIM_BIPTERM_ENVELOPE_MAX];
	struct sim *s = a->sim;
	size_t n;

	if (!s->bip_on || !s->present)
		return;
	/* each ENVELOPE ends with the card's RECEIVE DATA, CLOSE CHANNEL ... */
	while ((n = vsim_bipterm_next(&s->bip, revents, MODEM_BIP_IDLE_MS, e))) {
		revents = 0;
		vsim_bipterm_answered(&s->bip,
				      at_card_envelope(a, s->bip.due == 0xd7 ?
						       "ENVELOPE (TIMER EXPIRATION)" :
						       "ENVELOPE (EVENT DOWNLOAD)",
						       e + 5, n - 5));
	}
}
