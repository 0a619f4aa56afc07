// SPDX-License-Identifier: GPL-2.0-only
/*
 * The card's side of a cardem slot's T=0 exchange (cardem/tpdu.h).
 * ISO 7816-3 §10.3 (T=0): after the header the card sends a procedure
 * byte; INS means "all remaining data", then the data flows in the
 * direction the command defines; SW1 SW2 end the command. §12.2 maps the
 * APDU cases onto it: cases 1 and 2 carry P3 = Le (0 meaning 256 for case
 * 2), cases 3 and 4 P3 = Lc with the case-4 answer left behind 61xx for
 * GET RESPONSE. The engine already answers the T=0 way (docs/engine.md).
 */
#include <string.h>

#include "cardem/tpdu.h"
#include "common/log.h"
#include "vsim_card.h"

void cardem_tpdu_reset(struct cardem_tpdu *t)
{
	t->waiting = false;
	t->want = 0;
	t->have = 0;
}

static int refuse(struct cardem_tpdu *t, const struct cardem_tpdu_io *io,
		  const char *why)
{
	log_warn("cardem %s: refused from the board: %s", io->name, why);
	t->refused++;
	cardem_tpdu_reset(t);
	return -1;
}

/*
 * Procedure byte, data and SW as one byte stream to the modem, cut into
 * TX_DATA messages that fit the board's buffer; each is PB_AND_TX (the
 * board transmits it), the last FINAL (back to WAIT_TPDU).
 */
static int send_tx(const struct cardem_tpdu_io *io, const uint8_t *bytes,
		   size_t len)
{
	size_t board_max = io->board_max ? io->board_max : ST2_BOARD_RX_MAX;
	size_t chunk = board_max - ST2_HDR_LEN - ST2_DATA_HDR_LEN;
	uint8_t msg[ST2_BOARD_RX_MAX];

	if (board_max > sizeof(msg) || board_max <= ST2_HDR_LEN + ST2_DATA_HDR_LEN)
		return -1;
	while (len) {
		size_t n = len < chunk ? len : chunk;
		uint32_t flags = ST2_DATA_F_PB_AND_TX | (n == len ? ST2_DATA_F_FINAL : 0);
		size_t m = st2_build_data(msg, board_max, ST2_CEMU_TX_DATA, flags,
					  bytes, n);

		if (!m || io->send(io->ctx, msg, m))
			return -1;
		bytes += n;
		len -= n;
	}
	return 0;
}

/* The card answers the complete C-APDU; its answer goes to the modem. */
static int answer(struct cardem_tpdu *t, const struct cardem_tpdu_io *io,
		  size_t clen, bool data_out)
{
	uint8_t r[VSIM_RAPDU_MAX], stream[1 + VSIM_RAPDU_MAX];
	size_t rlen = 0, n = 0, ne = t->capdu[4] ? t->capdu[4] : 256;

	t->waiting = false;
	if (io->card(io->ctx, t->capdu, clen, r, &rlen) || rlen < 2 ||
	    rlen > VSIM_RAPDU_MAX) {
		/* ISO 7816-4 §5.1.3: 6F00, no precise diagnosis */
		log_err("cardem %s: the card did not answer: 6F00", io->name);
		r[0] = 0x6f;
		r[1] = 0x00;
		rlen = 2;
	}
	if (rlen > 2) {
		/*
		 * T=0 moves data one way per command: only a case-2 header
		 * (data_out) can take data back, and exactly P3 bytes of it
		 * (the engine answers 6Cxx otherwise).
		 */
		if (!data_out || rlen - 2 != ne) {
			log_err("cardem %s: %zu answer bytes do not fit this T=0 command: 6F00",
				io->name, rlen - 2);
			r[0] = 0x6f;
			r[1] = 0x00;
			rlen = 2;
		} else {
			stream[n++] = t->capdu[1];	/* procedure byte: INS */
		}
	}
	memcpy(stream + n, r, rlen);
	n += rlen;
	t->tpdus++;
	if (send_tx(io, stream, n)) {
		log_warn("cardem %s: cannot send the answer to the board", io->name);
		return -1;
	}
	return 0;
}

static int header(struct cardem_tpdu *t, const struct cardem_tpdu_io *io,
		  const uint8_t *h)
{
	int apdu_case = vsim_card_apdu_case(h[0], h[1]);
	uint8_t pb[1];
	uint8_t msg[32];
	size_t m;

	memcpy(t->capdu, h, 5);
	t->have = 0;
	t->want = 0;
	switch (apdu_case) {
	case 2:
		/* P3 = Le: the card answers the header at once */
		return answer(t, io, 5, true);
	case 3:
	case 4:
		if (h[4]) {
			/* P3 = Lc: procedure byte INS, then receive P3 bytes */
			t->want = h[4];
			t->waiting = true;
			pb[0] = h[1];
			m = st2_build_data(msg, sizeof(msg), ST2_CEMU_TX_DATA,
					   ST2_DATA_F_PB_AND_RX, pb, 1);
			if (io->send(io->ctx, msg, m)) {
				cardem_tpdu_reset(t);
				return -1;
			}
			return 0;
		}
		/* no data: the command as CLA INS P1 P2 (ISO 7816-3 §12.2.2) */
		return answer(t, io, 4, false);
	case 1:
		return answer(t, io, h[4] ? 5 : 4, false);
	default:
		/*
		 * Unknown to the card: the bare header gets its own 6E00/6D00
		 * at once; a modem waiting for a procedure byte is never left
		 * hanging (osmocom's host tool exits here, §3).
		 */
		return answer(t, io, 5, false);
	}
}

int cardem_tpdu_rx(struct cardem_tpdu *t, const struct cardem_tpdu_io *io,
		   const struct st2_data *d)
{
	if (d->flags & ST2_DATA_F_TPDU_HDR) {
		if (d->len != 5)
			return refuse(t, io, "a TPDU header that is not 5 bytes");
		if (t->waiting)
			log_warn("cardem %s: new header before the data of the last one; dropped it",
				 io->name);
		return header(t, io, d->data);
	}
	if (!t->waiting)
		return refuse(t, io, "data with no command waiting for it");
	if (d->len > t->want - t->have)
		return refuse(t, io, "more data than the header announced");
	memcpy(t->capdu + 5 + t->have, d->data, d->len);
	t->have += d->len;
	if (!(d->flags & ST2_DATA_F_FINAL))
		return 0;	/* more to come */
	if (t->have != t->want)
		return refuse(t, io, "FINAL before all the data the header announced");
	return answer(t, io, 5 + t->have, false);
}
