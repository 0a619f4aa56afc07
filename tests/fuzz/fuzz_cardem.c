// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: what a SIMtrace2 board sends vsimd (agent/cardem/):
 * the input is the bytes of bulk IN transfers, parsed message by message
 * as cardem.c does (st2_msg_parse), RX_DATA through the T=0 state machine
 * (cardem_tpdu_rx) to the example card, STATUS parsed and acted on.
 * Invariants: a parsed message lies inside the input; every message the
 * state machine sends parses back and fits the board's buffer.
 */
#include "cardem/msg.h"
#include "cardem/tpdu.h"
#include "common/card_host.h"
#include "common/log.h"
#include "fuzz.h"

#define T "fuzz_cardem"

static struct vsim_host_card host;
static uint8_t *saved_state;
static size_t saved_len;

static int board_send(void *ctx, const uint8_t *msg, size_t len)
{
	struct st2_msg m;
	struct st2_data d;
	const char *why;
	int n;

	(void)ctx;
	if (len > ST2_BOARD_RX_MAX)
		fuzz_die(T, "a message larger than the board's buffer");
	n = st2_msg_parse(msg, len, &m, &why);
	if (n != (int)len)
		fuzz_die(T, "own message does not parse back");
	if (m.cls == ST2_CLASS_CARDEM && m.type == ST2_CEMU_TX_DATA &&
	    st2_data_parse(&m, &d, &why))
		fuzz_die(T, "own TX_DATA does not parse back");
	return 0;
}

static int card_io(void *ctx, const uint8_t *capdu, size_t len,
		   uint8_t rapdu[VSIM_RAPDU_MAX], size_t *rlen)
{
	uint8_t *c = malloc(len ? len : 1);

	(void)ctx;
	if (!c)
		fuzz_die(T, "out of memory");
	memcpy(c, capdu, len);
	*rlen = vsim_card_transact(host.card, c, len, rapdu);
	free(c);
	if (*rlen < 2 || *rlen > VSIM_RAPDU_MAX)
		fuzz_die(T, "R-APDU length out of range");
	return 0;
}

static void setup(void)
{
	uint8_t *img;
	const uint8_t *st;
	char err[512];
	size_t len;

	vsim_log_set_level(VSIM_LOG_ERR);
	img = fuzz_image("build/images/test-usim.img", &len);
	if (vsim_host_card_open(&host, img, len, NULL, err, sizeof(err))) {
		fprintf(stderr, T ": %s\n", err);
		exit(2);
	}
	free(img);
	st = vsim_card_state(host.card, &saved_len);
	saved_state = malloc(saved_len);
	if (!saved_state)
		fuzz_die(T, "out of memory");
	memcpy(saved_state, st, saved_len);
}

static void power(bool on)
{
	uint8_t atr[VSIM_ATR_MAX];

	vsim_card_power_off(host.card);
	if (on && !vsim_card_power_on(host.card, atr, sizeof(atr)))
		fuzz_die(T, "no ATR");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cardem_tpdu t;
	struct cardem_tpdu_io io = {
		.name = "fuzz", .send = board_send, .card = card_io,
	};
	size_t off = 0;
	char name[48];

	if (!host.card)
		setup();
	vsim_card_power_off(host.card);
	if (vsim_card_load_state(host.card, saved_state, saved_len))
		fuzz_die(T, "load_state refused the saved blob");
	power(true);
	memset(&t, 0, sizeof(t));
	while (off < size) {
		struct st2_msg m;
		struct st2_data d;
		struct st2_status s;
		const char *why = NULL;
		int n = st2_msg_parse(data + off, size - off, &m, &why);

		if (n < 0) {
			if (!why)
				fuzz_die(T, "refused without a reason");
			break;
		}
		if ((size_t)n > size - off || n < ST2_HDR_LEN ||
		    m.payload + m.payload_len > data + off + n)
			fuzz_die(T, "message outside the transfer");
		st2_msg_name(m.cls, m.type, name, sizeof(name));
		switch (st2_from_board(m.cls, m.type)) {
		case ST2_FROM_BOARD_RX_DATA:
			if (!st2_data_parse(&m, &d, &why)) {
				if (d.data + d.len > m.payload + m.payload_len)
					fuzz_die(T, "data outside the message");
				cardem_tpdu_rx(&t, &io, &d);
			}
			break;
		case ST2_FROM_BOARD_STATUS:
			if (!st2_status_parse(&m, &s, &why)) {
				cardem_tpdu_reset(&t);
				power((s.flags & ST2_STATUS_F_VCC_PRESENT) &&
				      !(s.flags & ST2_STATUS_F_RESET_ACTIVE));
			}
			break;
		default:
			break;
		}
		off += (size_t)n;
	}
	return 0;
}
