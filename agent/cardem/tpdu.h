/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One cardem slot's T=0 exchange, the card's side of it: the board hands
 * over a TPDU header (RX_DATA{TPDU_HDR}); the engine's command tables say
 * whether P3 is Le or Lc (vsim_card_apdu_case()); for data the board is
 * told to send the procedure byte and receive (TX_DATA{PB_AND_RX, INS}),
 * and the data comes back as RX_DATA{FINAL}; the whole C-APDU goes to the
 * card, and its answer goes back as procedure byte, data and SW, split to
 * the board's buffer, the last message flagged FINAL
 * (../shared/REFERENCE-cardem.md §3). No USB here: the caller supplies
 * how to send a message and how to reach the card.
 */
#ifndef VSIM_CARDEM_TPDU_H
#define VSIM_CARDEM_TPDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/vsim.h>

#include "cardem/msg.h"

struct cardem_tpdu {
	bool waiting;			/* header seen, the terminal's data due */
	uint8_t capdu[5 + 255];
	size_t want;			/* data bytes the header announced */
	size_t have;
	uint64_t tpdus;			/* answered, for status and tests */
	uint64_t refused;		/* board messages refused */
};

struct cardem_tpdu_io {
	void *ctx;
	const char *name;		/* for log lines: "board X slot N" */
	/* One message to the board; 0, or -1 when it cannot be sent. */
	int (*send)(void *ctx, const uint8_t *msg, size_t len);
	/* The card: 0 with the R-APDU, or -1 when the card is unreachable. */
	int (*card)(void *ctx, const uint8_t *capdu, size_t len,
		    uint8_t rapdu[VSIM_RAPDU_MAX], size_t *rlen);
	/* The board's receive buffer; 0 means ST2_BOARD_RX_MAX. */
	size_t board_max;
};

/* Power or reset: a TPDU in progress is forgotten. */
void cardem_tpdu_reset(struct cardem_tpdu *t);

/*
 * An RX_DATA message from the board. 0 when handled, -1 when refused (a
 * header that is not 5 bytes, data with no TPDU waiting, more data than
 * the header announced, a failed send): logged, and the slot is back to
 * waiting for a header. Never touches the card with a malformed command.
 */
int cardem_tpdu_rx(struct cardem_tpdu *t, const struct cardem_tpdu_io *io,
		   const struct st2_data *d);

#endif /* VSIM_CARDEM_TPDU_H */
