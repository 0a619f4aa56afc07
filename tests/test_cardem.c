// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsimd's SIMtrace2 cardem bridge without USB: the message codec
 * (agent/cardem/msg.c) against the byte layouts and the wire example of
 * ../shared/REFERENCE-cardem.md §2 (from osmocom simtrace2's
 * simtrace_prot.h and the simtrace mailing list, June 2021), malformed
 * board messages refused with their reason, and the card's side of the
 * T=0 exchange (agent/cardem/tpdu.c) driven the way the board drives it,
 * with a real card engine behind it (examples/test-usim.ini): the
 * procedure-byte decisions of ISO 7816-3 §10.3/§12.2 for cases 1-4, an
 * unknown INS answered 6D00 at once, answers split to the board's buffer
 * and zero-length packets after whole-packet transfers. The test plays
 * the board: it builds the board's messages and checks the host's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"

#include "cardem/msg.h"
#include "cardem/tpdu.h"
#include "testcard.h"

static size_t unhex(const char *hex, uint8_t *out, size_t max)
{
	size_t n = 0;

	for (; hex[0] && n < max; hex++) {
		if (hex[0] == ' ' || hex[0] == '|')
			continue;
		if (sscanf(hex, "%2hhx", &out[n]) != 1)
			break;
		n++;
		hex++;
	}
	return n;
}

static const char *tohex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02X", b[i]);
	out[2 * n] = 0;
	return out;
}

/* ---- the codec against REFERENCE-cardem.md §2 -------------------------- */

/*
 * The wire example of §2 (simtrace ML 2021-06): one SELECT as the board
 * and the host exchanged it, and a STATUS on the interrupt endpoint.
 */
TEST(wire_example_rx_header)
{
	static const uint8_t hdr[] = { 0x00, 0xa4, 0x00, 0x04, 0x02 };
	uint8_t want[64], m[64];
	size_t wn = unhex("01 06 00 00 00 00 13 00 | 01 00 00 00 | 05 00 | 00 a4 00 04 02",
			  want, sizeof(want));
	struct st2_msg msg;
	struct st2_data d;
	const char *why = NULL;

	ASSERT_EQ(wn, st2_build_data(m, sizeof(m), ST2_CEMU_RX_DATA,
				     ST2_DATA_F_TPDU_HDR, hdr, sizeof(hdr)));
	EXPECT_EQ(0, memcmp(want, m, wn));
	ASSERT_EQ(0x13, st2_msg_parse(want, wn, &msg, &why));
	EXPECT_EQ(ST2_CLASS_CARDEM, msg.cls);
	EXPECT_EQ(ST2_CEMU_RX_DATA, msg.type);
	EXPECT_EQ(0, msg.seq);
	EXPECT_EQ(0, msg.slot);
	EXPECT_EQ(0x13, msg.len);
	EXPECT_EQ(11U, msg.payload_len);
	EXPECT_EQ(ST2_FROM_BOARD_RX_DATA, (int)st2_from_board(msg.cls, msg.type));
	ASSERT_EQ(0, st2_data_parse(&msg, &d, &why));
	EXPECT_EQ((uint32_t)ST2_DATA_F_TPDU_HDR, d.flags);
	ASSERT_EQ(5U, d.len);
	EXPECT_EQ(0, memcmp(hdr, d.data, 5));
}

TEST(wire_example_pb_and_rx)
{
	uint8_t want[32], m[32], ins = 0xa4;
	size_t wn = unhex("01 01 00 00 00 00 0f 00 | 08 00 00 00 | 01 00 | a4", want, sizeof(want));

	ASSERT_EQ(wn, st2_build_data(m, sizeof(m), ST2_CEMU_TX_DATA,
				     ST2_DATA_F_PB_AND_RX, &ins, 1));
	EXPECT_EQ(0, memcmp(want, m, wn));
}

TEST(wire_example_rx_final)
{
	uint8_t want[32];
	size_t wn = unhex("01 06 00 00 00 00 10 00 | 02 00 00 00 | 02 00 | 3f 00", want, sizeof(want));
	struct st2_msg msg;
	struct st2_data d;
	const char *why = NULL;

	ASSERT_EQ(16, st2_msg_parse(want, wn, &msg, &why));
	ASSERT_EQ(0, st2_data_parse(&msg, &d, &why));
	EXPECT_EQ((uint32_t)ST2_DATA_F_FINAL, d.flags);
	ASSERT_EQ(2U, d.len);
	EXPECT_EQ(0x3f, d.data[0]);
	EXPECT_EQ(0x00, d.data[1]);
}

TEST(wire_example_sw)
{
	static const uint8_t sw[] = { 0x6e, 0x00 };
	uint8_t want[32], m[32];
	size_t wn = unhex("01 01 00 00 00 00 10 00 | 06 00 00 00 | 02 00 | 6e 00", want, sizeof(want));

	ASSERT_EQ(wn, st2_build_data(m, sizeof(m), ST2_CEMU_TX_DATA,
				     ST2_DATA_F_PB_AND_TX | ST2_DATA_F_FINAL, sw, 2));
	EXPECT_EQ(0, memcmp(want, m, wn));
}

/* IRQ: VCC|CLK|RESET, F=1, D=1, WI=10, WT=9600; 21 (0x15) bytes in all */
TEST(wire_example_status)
{
	uint8_t want[32], m[32];
	size_t wn = unhex("01 04 00 00 00 00 15 00 13 00 00 00 00 00 01 01 0a 80 25 00 00",
			  want, sizeof(want));
	struct st2_status st;
	struct st2_msg msg;
	const char *why = NULL;

	ASSERT_EQ(21U, wn);
	ASSERT_EQ(21, st2_msg_parse(want, wn, &msg, &why));
	EXPECT_EQ(ST2_FROM_BOARD_STATUS, (int)st2_from_board(msg.cls, msg.type));
	ASSERT_EQ(0, st2_status_parse(&msg, &st, &why));
	EXPECT_EQ((uint32_t)(ST2_STATUS_F_VCC_PRESENT | ST2_STATUS_F_CLK_ACTIVE |
		  ST2_STATUS_F_RESET_ACTIVE), st.flags);
	EXPECT_EQ(0, st.voltage_mv);
	EXPECT_EQ(1, st.fi);
	EXPECT_EQ(1, st.di);
	EXPECT_EQ(10, st.wi);
	EXPECT_EQ(9600U, st.waiting_time);
	ASSERT_EQ(wn, st2_build_status(m, sizeof(m), &st));
	EXPECT_EQ(0, memcmp(want, m, wn));
}

/* Multi-byte fields are little-endian: every byte of STATUS in its place. */
TEST(status_fields_little_endian)
{
	struct st2_status st = {
		.flags = 0x04030201, .voltage_mv = 0x0605, .fi = 0x07, .di = 0x08,
		.wi = 0x09, .waiting_time = 0x0d0c0b0a,
	}, back;
	uint8_t m[32], want[32];
	size_t wn = unhex("01 04 00 00 00 00 15 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d",
			  want, sizeof(want));
	struct st2_msg msg;
	const char *why = NULL;

	ASSERT_EQ(wn, st2_build_status(m, sizeof(m), &st));
	EXPECT_EQ(0, memcmp(want, m, wn));
	ASSERT_EQ(21, st2_msg_parse(m, wn, &msg, &why));
	ASSERT_EQ(0, st2_status_parse(&msg, &back, &why));
	EXPECT_EQ(st.flags, back.flags);
	EXPECT_EQ(st.voltage_mv, back.voltage_mv);
	EXPECT_EQ(st.waiting_time, back.waiting_time);
}

/* CONFIG: u32 features, u8 slot_mux_nr, u8 pres_pol (§2) */
TEST(config_layout)
{
	uint8_t want[32], m[32];
	size_t wn = unhex("01 08 00 00 00 00 0e 00 | 01 00 00 00 | 00 | 00", want, sizeof(want));

	ASSERT_EQ(wn, st2_build_config(m, sizeof(m), ST2_FEAT_STATUS_IRQ));
	EXPECT_EQ(0, memcmp(want, m, wn));
	EXPECT_EQ(ST2_FROM_BOARD_CONFIG, (int)st2_from_board(m[0], m[1]));
}

/* SET_ATR: u8 atr_len, atr[]; the firmware's default ATR; at most 33 bytes */
TEST(set_atr_layout_and_limit)
{
	static const uint8_t atr[] = { 0x3b, 0x80, 0x80, 0x81, 0x1f, 0xc7, 0x59 };
	uint8_t want[32], m[64], big[ST2_ATR_MAX + 1];
	size_t wn = unhex("01 02 00 00 00 00 10 00 | 07 | 3b 80 80 81 1f c7 59", want, sizeof(want));

	ASSERT_EQ(wn, st2_build_set_atr(m, sizeof(m), atr, sizeof(atr)));
	EXPECT_EQ(0, memcmp(want, m, wn));
	memset(big, 0x3b, sizeof(big));
	EXPECT_EQ(8U + 1 + ST2_ATR_MAX, st2_build_set_atr(m, sizeof(m), big, ST2_ATR_MAX));
	EXPECT_EQ(ST2_ATR_MAX, m[8]);
	EXPECT_EQ(0U, st2_build_set_atr(m, sizeof(m), big, sizeof(big)));
}

/* One-byte payloads and the empty STATUS request */
TEST(u8_messages_and_requests)
{
	uint8_t m[32], want[32];
	size_t wn;

	wn = unhex("01 05 00 00 00 00 09 00 01", want, sizeof(want));	/* CARDINSERT(1) */
	ASSERT_EQ(wn, st2_build_u8(m, sizeof(m), ST2_CLASS_CARDEM, ST2_CEMU_CARDINSERT, 1));
	EXPECT_EQ(0, memcmp(want, m, wn));
	wn = unhex("02 02 00 00 00 00 09 00 01", want, sizeof(want));	/* SIM_SELECT(remote) */
	ASSERT_EQ(wn, st2_build_u8(m, sizeof(m), ST2_CLASS_MODEM, ST2_MODEM_SIM_SELECT, 1));
	EXPECT_EQ(0, memcmp(want, m, wn));
	wn = unhex("01 04 00 00 00 00 08 00", want, sizeof(want));	/* STATUS request */
	ASSERT_EQ(wn, st2_build(m, sizeof(m), ST2_CLASS_CARDEM, ST2_CEMU_STATUS, NULL, 0));
	EXPECT_EQ(0, memcmp(want, m, wn));
	/* MODEM_RESET pulse of 300 ms: u8 asserted=2, u16 pulse_ms */
	wn = unhex("02 01 00 00 00 00 0b 00 02 2c 01", want, sizeof(want));
	ASSERT_EQ(wn, st2_build(m, sizeof(m), ST2_CLASS_MODEM, ST2_MODEM_RESET,
				(const uint8_t *)"\x02\x2c\x01", 3));
	EXPECT_EQ(0, memcmp(want, m, wn));
	/* too small a buffer: nothing built */
	EXPECT_EQ(0U, st2_build_u8(m, 8, ST2_CLASS_CARDEM, ST2_CEMU_CARDINSERT, 1));
	EXPECT_EQ(0U, st2_build_data(m, 14, ST2_CEMU_TX_DATA, 0, m, 1));
}

/* Every class/type of §2 through build and parse, named, and classified. */
TEST(every_type_round_trips)
{
	static const struct {
		uint8_t cls, type;
		const char *name;
		enum st2_from_board from_board;
	} types[] = {
		{ ST2_CLASS_CARDEM, ST2_CEMU_TX_DATA, "CARDEM/TX_DATA", ST2_FROM_BOARD_UNKNOWN },
		{ ST2_CLASS_CARDEM, ST2_CEMU_SET_ATR, "CARDEM/SET_ATR", ST2_FROM_BOARD_UNKNOWN },
		{ ST2_CLASS_CARDEM, ST2_CEMU_STATS, "CARDEM/STATS", ST2_FROM_BOARD_UNKNOWN },
		{ ST2_CLASS_CARDEM, ST2_CEMU_STATUS, "CARDEM/STATUS", ST2_FROM_BOARD_STATUS },
		{ ST2_CLASS_CARDEM, ST2_CEMU_CARDINSERT, "CARDEM/CARDINSERT", ST2_FROM_BOARD_UNKNOWN },
		{ ST2_CLASS_CARDEM, ST2_CEMU_RX_DATA, "CARDEM/RX_DATA", ST2_FROM_BOARD_RX_DATA },
		{ ST2_CLASS_CARDEM, ST2_CEMU_PTS, "CARDEM/PTS", ST2_FROM_BOARD_PTS },
		{ ST2_CLASS_CARDEM, ST2_CEMU_CONFIG, "CARDEM/CONFIG", ST2_FROM_BOARD_CONFIG },
		{ ST2_CLASS_MODEM, ST2_MODEM_RESET, "MODEM/RESET", ST2_FROM_BOARD_UNKNOWN },
		{ ST2_CLASS_MODEM, ST2_MODEM_SIM_SELECT, "MODEM/SIM_SELECT", ST2_FROM_BOARD_UNKNOWN },
		{ ST2_CLASS_MODEM, ST2_MODEM_STATUS, "MODEM/STATUS", ST2_FROM_BOARD_UNKNOWN },
		{ ST2_CLASS_GENERIC, ST2_GENERIC_ERROR, "class 0 type 0", ST2_FROM_BOARD_ERROR },
		/* bad class, bad type: named as numbers, refused by the host */
		{ 0x55, 1, "class 85 type 1", ST2_FROM_BOARD_UNKNOWN },
		{ ST2_CLASS_CARDEM, 0x3f, "class 1 type 63", ST2_FROM_BOARD_UNKNOWN },
		{ ST2_CLASS_CARDEM, 0, "class 1 type 0", ST2_FROM_BOARD_UNKNOWN },
		{ ST2_CLASS_SNIFF, 1, "class 3 type 1", ST2_FROM_BOARD_UNKNOWN },
	};
	static const uint8_t pl[13] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 };

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		uint8_t m[64];
		char name[48];
		struct st2_msg msg;
		const char *why = NULL;
		size_t n = st2_build(m, sizeof(m), types[i].cls, types[i].type, pl, i);

		ASSERT_EQ(8 + i, n);
		EXPECT_EQ((int)n, st2_msg_parse(m, n, &msg, &why));
		EXPECT_EQ(types[i].cls, msg.cls);
		EXPECT_EQ(types[i].type, msg.type);
		EXPECT_EQ(i, msg.payload_len);
		EXPECT_EQ(0, memcmp(pl, msg.payload, i));
		EXPECT_STREQ(types[i].name, st2_msg_name(types[i].cls, types[i].type,
							 name, sizeof(name)));
		EXPECT_EQ(types[i].from_board, st2_from_board(types[i].cls, types[i].type));
	}
}

/* ---- malformed messages: refused, with the reason ---------------------- */

TEST(short_transfer_refused)
{
	uint8_t m[8] = { 1, 6, 0, 0, 0, 0, 8, 0 };
	struct st2_msg msg;

	for (size_t n = 0; n < 8; n++) {
		const char *why = NULL;

		EXPECT_EQ(-1, st2_msg_parse(m, n, &msg, &why));
		ASSERT_NE(NULL, why);
		EXPECT_NE(NULL, strstr(why, "shorter than a message header"));
	}
}

TEST(msg_len_below_header_refused)
{
	uint8_t m[16] = { 1, 6, 0, 0, 0, 0, 7, 0 };
	struct st2_msg msg;
	const char *why = NULL;

	EXPECT_EQ(-1, st2_msg_parse(m, sizeof(m), &msg, &why));
	EXPECT_NE(NULL, strstr(why, "smaller than the header"));
	m[6] = 0;
	why = NULL;
	EXPECT_EQ(-1, st2_msg_parse(m, sizeof(m), &msg, &why));
	EXPECT_NE(NULL, strstr(why, "smaller than the header"));
}

/* msg_len beyond the bytes received: a truncated transfer */
TEST(truncated_refused)
{
	static const uint8_t hdr[5] = { 0x00, 0xa4, 0x00, 0x04, 0x02 };
	uint8_t m[64];
	size_t n = st2_build_data(m, sizeof(m), ST2_CEMU_RX_DATA, ST2_DATA_F_TPDU_HDR, hdr, 5);
	struct st2_msg msg;

	for (size_t cut = 8; cut < n; cut++) {
		const char *why = NULL;

		EXPECT_EQ(-1, st2_msg_parse(m, cut, &msg, &why));
		EXPECT_NE(NULL, strstr(why, "truncated"));
	}
	/* msg_len = 0xffff on a short transfer */
	m[6] = 0xff;
	m[7] = 0xff;
	EXPECT_EQ(-1, st2_msg_parse(m, n, &msg, &(const char *){ NULL }));
}

/* Two messages back to back in one transfer, then trailing garbage. */
TEST(messages_back_to_back_then_garbage)
{
	uint8_t buf[64];
	struct st2_msg msg;
	const char *why = NULL;
	size_t a = st2_build_u8(buf, sizeof(buf), ST2_CLASS_CARDEM, ST2_CEMU_CARDINSERT, 1);
	size_t b = st2_build_config(buf + a, sizeof(buf) - a, ST2_FEAT_STATUS_IRQ);
	size_t n = a + b;

	memset(buf + n, 0xee, 5);
	n += 5;
	ASSERT_EQ((int)a, st2_msg_parse(buf, n, &msg, &why));
	EXPECT_EQ(ST2_CEMU_CARDINSERT, msg.type);
	ASSERT_EQ((int)b, st2_msg_parse(buf + a, n - a, &msg, &why));
	EXPECT_EQ(ST2_CEMU_CONFIG, msg.type);
	EXPECT_EQ(-1, st2_msg_parse(buf + a + b, 5, &msg, &why));
	EXPECT_NE(NULL, strstr(why, "shorter than a message header"));
}

TEST(data_lengths_checked)
{
	static const uint8_t five[5] = { 1, 2, 3, 4, 5 };
	uint8_t m[64];
	struct st2_msg msg;
	struct st2_data d;
	const char *why;
	size_t n = st2_build_data(m, sizeof(m), ST2_CEMU_RX_DATA, ST2_DATA_F_FINAL, five, 5);

	/* data_len larger than the data present */
	m[ST2_HDR_LEN + 4] = 200;
	why = NULL;
	ASSERT_EQ((int)n, st2_msg_parse(m, n, &msg, &why));
	EXPECT_EQ(-1, st2_data_parse(&msg, &d, &why));
	EXPECT_NE(NULL, strstr(why, "data_len does not match"));
	/* smaller */
	m[ST2_HDR_LEN + 4] = 4;
	why = NULL;
	EXPECT_EQ(-1, st2_data_parse(&msg, &d, &why));
	EXPECT_NE(NULL, strstr(why, "data_len does not match"));
	/* a payload shorter than flags + data_len */
	n = st2_build(m, sizeof(m), ST2_CLASS_CARDEM, ST2_CEMU_RX_DATA, five, 5);
	ASSERT_EQ((int)n, st2_msg_parse(m, n, &msg, &why));
	why = NULL;
	EXPECT_EQ(-1, st2_data_parse(&msg, &d, &why));
	EXPECT_NE(NULL, strstr(why, "shorter than its flags and data_len"));
}

TEST(status_size_checked)
{
	uint8_t m[64], pl[14] = { 0 };
	struct st2_msg msg;
	struct st2_status st;

	for (size_t len = 0; len <= sizeof(pl); len++) {
		const char *why = NULL;
		size_t n = st2_build(m, sizeof(m), ST2_CLASS_CARDEM, ST2_CEMU_STATUS, pl, len);

		ASSERT_EQ((int)n, st2_msg_parse(m, n, &msg, &why));
		if (len == ST2_STATUS_LEN) {
			EXPECT_EQ(0, st2_status_parse(&msg, &st, &why));
		} else {
			EXPECT_EQ(-1, st2_status_parse(&msg, &st, &why));
			EXPECT_NE(NULL, strstr(why, "not 13 bytes"));
		}
	}
}

/* ---- zero-length packets ------------------------------------------------ */

TEST(zlp_after_whole_packets)
{
	uint8_t m[ST2_BOARD_RX_MAX], data[ST2_TX_DATA_MAX] = { 0 };

	EXPECT_FALSE(st2_needs_zlp(0, 64));
	EXPECT_FALSE(st2_needs_zlp(63, 64));
	EXPECT_TRUE(st2_needs_zlp(64, 64));
	EXPECT_FALSE(st2_needs_zlp(65, 64));
	EXPECT_TRUE(st2_needs_zlp(128, 64));
	EXPECT_TRUE(st2_needs_zlp(256, 64));
	EXPECT_FALSE(st2_needs_zlp(280, 64));
	EXPECT_FALSE(st2_needs_zlp(64, 512));
	EXPECT_FALSE(st2_needs_zlp(64, 0));
	/* a data message of 50 bytes is 64 on the wire: it needs one */
	EXPECT_TRUE(st2_needs_zlp(st2_build_data(m, sizeof(m), ST2_CEMU_RX_DATA, 0, data, 50), 64));
	EXPECT_FALSE(st2_needs_zlp(st2_build_data(m, sizeof(m), ST2_CEMU_RX_DATA, 0, data, 51), 64));
	EXPECT_TRUE(st2_needs_zlp(st2_build_data(m, sizeof(m), ST2_CEMU_RX_DATA, 0, data, 242), 64));
}

/* ---- the T=0 exchange with a real card ---------------------------------- */

#define MAX_SENT 64

FIXTURE(t0) {
	struct testcard card, ref;	/* ref: the same card, answering directly */
	struct cardem_tpdu t;
	struct cardem_tpdu_io io;
	uint8_t sent[MAX_SENT][ST2_BOARD_RX_MAX];
	size_t sent_len[MAX_SENT];
	size_t nsent;
	size_t card_calls;
	size_t last_clen;
	int fail_send, card_down;
	char hex[2 * 600 + 1];
};

static int io_send(void *ctx, const uint8_t *msg, size_t len)
{
	FIXTURE_DATA(t0) *self = ctx;

	if (self->fail_send || self->nsent == MAX_SENT || len > ST2_BOARD_RX_MAX)
		return -1;
	memcpy(self->sent[self->nsent], msg, len);
	self->sent_len[self->nsent++] = len;
	return 0;
}

static int io_card(void *ctx, const uint8_t *c, size_t len,
		   uint8_t r[VSIM_RAPDU_MAX], size_t *rlen)
{
	FIXTURE_DATA(t0) *self = ctx;

	self->card_calls++;
	self->last_clen = len;
	if (self->card_down)
		return -1;
	*rlen = vsim_card_transact(self->card.h.card, c, len, r);
	return 0;
}

FIXTURE_SETUP(t0)
{
	ASSERT_EQ(0, testcard_open(&self->card, TESTCARD_PROFILE, NULL));
	ASSERT_EQ(0, testcard_open(&self->ref, TESTCARD_PROFILE, NULL));
	memset(&self->t, 0, sizeof(self->t));
	self->io.ctx = self;
	self->io.name = "test slot";
	self->io.send = io_send;
	self->io.card = io_card;
	self->io.board_max = ST2_BOARD_RX_MAX;
	self->nsent = 0;
	self->card_calls = 0;
	self->fail_send = 0;
	self->card_down = 0;
}

FIXTURE_TEARDOWN(t0)
{
	testcard_close(&self->card);
	testcard_close(&self->ref);
}

/* The board hands over RX_DATA with @flags and @hex; cardem_tpdu_rx's result. */
static int board_rx(FIXTURE_DATA(t0) *self, uint32_t flags, const char *hex)
{
	uint8_t b[300], m[ST2_BOARD_RX_MAX + 64];
	size_t n = unhex(hex, b, sizeof(b));
	size_t len = st2_build_data(m, sizeof(m), ST2_CEMU_RX_DATA, flags, b, n);
	struct st2_msg msg;
	struct st2_data d;
	const char *why;

	if (!len || st2_msg_parse(m, len, &msg, &why) < 0 || st2_data_parse(&msg, &d, &why))
		return -2;
	return cardem_tpdu_rx(&self->t, &self->io, &d);
}

/* The i-th message the host sent: a whole, well-formed TX_DATA. */
static int sent_data(FIXTURE_DATA(t0) *self, size_t i, struct st2_data *d)
{
	struct st2_msg msg;
	const char *why;

	if (i >= self->nsent ||
	    st2_msg_parse(self->sent[i], self->sent_len[i], &msg, &why) !=
	    (int)self->sent_len[i] || msg.cls != ST2_CLASS_CARDEM ||
	    msg.type != ST2_CEMU_TX_DATA)
		return -1;
	return st2_data_parse(&msg, d, &why);
}

/* "flags:HEX" of the i-th message, e.g. "06:B0...9000". */
static const char *sent(FIXTURE_DATA(t0) *self, size_t i)
{
	struct st2_data d;
	int n;

	if (sent_data(self, i, &d))
		return "(none)";
	n = sprintf(self->hex, "%02X:", (unsigned int)d.flags);
	tohex(d.data, d.len, self->hex + n);
	return self->hex;
}

#define PB_TX_FINAL	"06:"	/* PB_AND_TX | FINAL */
#define PB_RX		"08:"	/* PB_AND_RX */

/* Case 1 (GSM INVALIDATE, CLA A0): P3 = 0, the card gets CLA INS P1 P2. */
TEST_F(t0, case1_no_data)
{
	char want[64];

	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_TPDU_HDR, "A004000000"));
	EXPECT_EQ(4U, self->last_clen);
	ASSERT_EQ(1U, self->nsent);
	snprintf(want, sizeof(want), PB_TX_FINAL "%s", tc(&self->ref, "A0040000"));
	EXPECT_STREQ(want, sent(self, 0));
	EXPECT_EQ(1U, self->t.tpdus);
}

/* Case 2 (READ BINARY EF_ICCID): P3 = Le, answered at once with PB INS. */
TEST_F(t0, case2_data_back_with_pb)
{
	char want[64];

	/* SELECT 2FE2 (P2=0C: no answer data) */
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_TPDU_HDR, "00A4000C02"));
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_FINAL, "2FE2"));
	EXPECT_STREQ(PB_TX_FINAL "9000", sent(self, 1));
	EXPECT_STREQ("9000", tc(&self->ref, "00A4000C022FE2"));
	self->nsent = 0;
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_TPDU_HDR, "00B000000A"));
	EXPECT_EQ(5U, self->last_clen);
	ASSERT_EQ(1U, self->nsent);
	snprintf(want, sizeof(want), PB_TX_FINAL "B0%s", tc(&self->ref, "00B000000A"));
	EXPECT_STREQ(want, sent(self, 0));
	EXPECT_EQ(2U + 2 * (1 + 10 + 2), strlen(sent(self, 0)) - 1);
}

/* Case 2 with the wrong Le: the card's 6Cxx goes back alone, no PB. */
TEST_F(t0, case2_wrong_le_6cxx_then_retry)
{
	tc(&self->ref, "00A4000C022FE2");
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_TPDU_HDR, "00A4000C02"));
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_FINAL, "2FE2"));
	self->nsent = 0;
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_TPDU_HDR, "00B0000020"));
	EXPECT_STREQ(PB_TX_FINAL "6C0A", sent(self, 0));
	/* P3 = 0 means Le = 256 (ISO 7816-3 §10.3.2): also too long, 6C0A */
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_TPDU_HDR, "00B0000000"));
	EXPECT_STREQ(PB_TX_FINAL "6C0A", sent(self, 1));
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_TPDU_HDR, "00B000000A"));
	EXPECT_EQ(0, strncmp(PB_TX_FINAL "B0", sent(self, 2), 5));
}

/* Case 3 (VERIFY PIN1): PB_AND_RX with INS, the data, then the SW alone. */
TEST_F(t0, case3_pb_and_rx_then_sw)
{
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_TPDU_HDR, "0020000108"));
	EXPECT_EQ(0U, self->card_calls);	/* not before the data */
	ASSERT_EQ(1U, self->nsent);
	EXPECT_STREQ(PB_RX "20", sent(self, 0));
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_FINAL, "31323334FFFFFFFF"));
	EXPECT_EQ(1U, self->card_calls);
	EXPECT_EQ(13U, self->last_clen);
	ASSERT_EQ(2U, self->nsent);
	EXPECT_STREQ(PB_TX_FINAL "9000", sent(self, 1));
	/* a wrong PIN: the card's own counter answer */
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_TPDU_HDR, "0020000108"));
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_FINAL, "30303030FFFFFFFF"));
	EXPECT_STREQ(PB_TX_FINAL "63C2", sent(self, 3));
}

/* Case 3 data in pieces: nothing reaches the card before FINAL. */
TEST_F(t0, case3_data_in_pieces)
{
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_TPDU_HDR, "0020000108"));
	ASSERT_EQ(0, board_rx(self, 0, "31323334"));
	ASSERT_EQ(0, board_rx(self, 0, "FFFF"));
	EXPECT_EQ(0U, self->card_calls);
	EXPECT_EQ(1U, self->nsent);
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_FINAL, "FFFF"));
	EXPECT_EQ(1U, self->card_calls);
	EXPECT_STREQ(PB_TX_FINAL "9000", sent(self, 1));
}

/* Case 3 with P3 = 0: no data to ask for, the card gets 4 bytes at once. */
TEST_F(t0, case3_p3_zero)
{
	char want[16];

	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_TPDU_HDR, "0020000100"));
	EXPECT_EQ(4U, self->last_clen);
	ASSERT_EQ(1U, self->nsent);
	snprintf(want, sizeof(want), PB_TX_FINAL "%s", tc(&self->ref, "00200001"));
	EXPECT_STREQ(want, sent(self, 0));
	EXPECT_STREQ(PB_TX_FINAL "63C3", sent(self, 0));
}

/*
 * Case 4 (SELECT MF with FCP): PB_AND_RX, the data, then 61xx; the modem's
 * GET RESPONSE (case 2) fetches the FCP with PB C0.
 */
TEST_F(t0, case4_61xx_then_get_response)
{
	char want[200], sw[8], get[16];
	const char *r;

	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_TPDU_HDR, "00A4000402"));
	EXPECT_STREQ(PB_RX "A4", sent(self, 0));
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_FINAL, "3F00"));
	EXPECT_EQ(7U, self->last_clen);	/* header + Dc, never Le (§3) */
	r = tc(&self->ref, "00A40004023F00");
	ASSERT_EQ(4U, strlen(r));
	ASSERT_EQ(0, strncmp("61", r, 2));
	snprintf(sw, sizeof(sw), "%s", r);
	snprintf(want, sizeof(want), PB_TX_FINAL "%s", sw);
	EXPECT_STREQ(want, sent(self, 1));
	snprintf(get, sizeof(get), "00C00000%s", sw + 2);
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_TPDU_HDR, get));
	snprintf(want, sizeof(want), PB_TX_FINAL "C0%s", tc(&self->ref, get));
	EXPECT_STREQ(want, sent(self, 2));
	EXPECT_EQ(0, strcmp("9000", sent(self, 2) + strlen(sent(self, 2)) - 4));
	EXPECT_EQ(3U, self->nsent);
}

/* An instruction no card knows: 6D00 at once, no procedure byte asked. */
TEST_F(t0, unknown_ins_6d00_at_once)
{
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_TPDU_HDR, "00FE000010"));
	ASSERT_EQ(1U, self->nsent);
	EXPECT_STREQ(PB_TX_FINAL "6D00", sent(self, 0));
	EXPECT_FALSE(self->t.waiting);
	/* the same for a proprietary CLA 80 command the card lacks */
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_TPDU_HDR, "80FE000008"));
	EXPECT_STREQ(PB_TX_FINAL "6D00", sent(self, 1));
	/* an unknown class: 6E00 at once */
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_TPDU_HDR, "20A4000002"));
	EXPECT_STREQ(PB_TX_FINAL "6E00", sent(self, 2));
	/* and the next command works */
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_TPDU_HDR, "0020000108"));
	EXPECT_STREQ(PB_RX "20", sent(self, 3));
}

/*
 * An answer bigger than the board's buffer goes in pieces: each fits,
 * each is PB_AND_TX, only the last FINAL, and together they are PB, data
 * and SW in order. A small board buffer makes the READ BINARY of EF_ICCID
 * (PB + 10 + SW = 13 bytes) need three.
 */
TEST_F(t0, answer_split_to_board_buffer)
{
	uint8_t stream[64];
	char want[64], got[64];
	size_t n = 0;

	self->io.board_max = ST2_HDR_LEN + ST2_DATA_HDR_LEN + 6;	/* 6 data bytes */
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_TPDU_HDR, "00A4000C02"));
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_FINAL, "2FE2"));
	tc(&self->ref, "00A4000C022FE2");
	self->nsent = 0;
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_TPDU_HDR, "00B000000A"));
	ASSERT_EQ(3U, self->nsent);
	for (size_t i = 0; i < self->nsent; i++) {
		struct st2_data d;

		ASSERT_EQ(0, sent_data(self, i, &d));
		EXPECT_LE(self->sent_len[i], self->io.board_max);
		EXPECT_EQ(i == 2 ? 1U : 6U, d.len);
		EXPECT_EQ((uint32_t)(ST2_DATA_F_PB_AND_TX | (i == 2 ? ST2_DATA_F_FINAL : 0)), d.flags);
		memcpy(stream + n, d.data, d.len);
		n += d.len;
	}
	snprintf(want, sizeof(want), "B0%s", tc(&self->ref, "00B000000A"));
	EXPECT_STREQ(want, tohex(stream, n, got));
}

/* The real board's 280 bytes: a 256-byte answer (PB + 256 + SW) is one message. */
TEST_F(t0, board_buffer_holds_largest_answer)
{
	EXPECT_EQ(266, ST2_TX_DATA_MAX);
	EXPECT_LE(1 + 256 + 2, ST2_TX_DATA_MAX);
	/* and a split at exactly the limit: 259 bytes in 258 + 1 */
	self->io.board_max = ST2_HDR_LEN + ST2_DATA_HDR_LEN + 1;
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_TPDU_HDR, "00FE000000"));
	ASSERT_EQ(2U, self->nsent);
	EXPECT_STREQ("04:6D", sent(self, 0));
	EXPECT_STREQ(PB_TX_FINAL "00", sent(self, 1));
}

/* ---- refusals: logged, counted, and the slot waits for a new header ----- */

TEST_F(t0, header_not_5_bytes_refused)
{
	EXPECT_EQ(-1, board_rx(self, ST2_DATA_F_TPDU_HDR, "00A40000"));
	EXPECT_EQ(-1, board_rx(self, ST2_DATA_F_TPDU_HDR, "00A4000002AA"));
	EXPECT_EQ(2U, self->t.refused);
	EXPECT_EQ(0U, self->nsent);
	EXPECT_EQ(0U, self->card_calls);
}

TEST_F(t0, data_without_header_refused)
{
	EXPECT_EQ(-1, board_rx(self, ST2_DATA_F_FINAL, "3F00"));
	EXPECT_EQ(-1, board_rx(self, 0, "3F00"));
	EXPECT_EQ(2U, self->t.refused);
	EXPECT_EQ(0U, self->card_calls);
	/* a case-2 header takes no data after it either */
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_TPDU_HDR, "00B0000001"));
	EXPECT_EQ(-1, board_rx(self, ST2_DATA_F_FINAL, "00"));
}

TEST_F(t0, more_data_than_announced_refused)
{
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_TPDU_HDR, "0020000108"));
	EXPECT_EQ(-1, board_rx(self, ST2_DATA_F_FINAL, "31323334FFFFFFFFFF"));
	EXPECT_EQ(1U, self->t.refused);
	EXPECT_EQ(0U, self->card_calls);
	EXPECT_FALSE(self->t.waiting);
	/* in pieces too */
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_TPDU_HDR, "0020000102"));
	ASSERT_EQ(0, board_rx(self, 0, "3132"));
	EXPECT_EQ(-1, board_rx(self, ST2_DATA_F_FINAL, "33"));
	EXPECT_EQ(0U, self->card_calls);
}

TEST_F(t0, final_before_all_data_refused)
{
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_TPDU_HDR, "0020000108"));
	EXPECT_EQ(-1, board_rx(self, ST2_DATA_F_FINAL, "31323334"));
	EXPECT_EQ(1U, self->t.refused);
	EXPECT_EQ(0U, self->card_calls);
	/* the PIN counter is untouched: the card never saw a half VERIFY */
	EXPECT_STREQ("63C3", tc(&self->card, "00200001"));
}

/* A reset in the middle of a command forgets it; the data is refused. */
TEST_F(t0, reset_mid_command)
{
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_TPDU_HDR, "0020000108"));
	cardem_tpdu_reset(&self->t);
	EXPECT_EQ(-1, board_rx(self, ST2_DATA_F_FINAL, "31323334FFFFFFFF"));
	EXPECT_EQ(0U, self->card_calls);
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_TPDU_HDR, "0020000108"));
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_FINAL, "31323334FFFFFFFF"));
	EXPECT_STREQ(PB_TX_FINAL "9000", sent(self, 2));
}

/* A new header while data is due: the old command is dropped, the new one runs. */
TEST_F(t0, new_header_replaces_waiting_one)
{
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_TPDU_HDR, "0020000108"));
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_TPDU_HDR, "00FE000000"));
	EXPECT_STREQ(PB_TX_FINAL "6D00", sent(self, 1));
	EXPECT_EQ(-1, board_rx(self, ST2_DATA_F_FINAL, "31323334FFFFFFFF"));
}

/* The card unreachable: 6F00 goes back, the modem is never left waiting. */
TEST_F(t0, card_down_answers_6f00)
{
	self->card_down = 1;
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_TPDU_HDR, "00B000000A"));
	EXPECT_STREQ(PB_TX_FINAL "6F00", sent(self, 0));
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_TPDU_HDR, "0020000108"));
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_FINAL, "31323334FFFFFFFF"));
	EXPECT_STREQ(PB_TX_FINAL "6F00", sent(self, 2));
}

/* A send that fails: reported, and the slot waits for a new header. */
TEST_F(t0, send_failure_reported)
{
	self->fail_send = 1;
	EXPECT_EQ(-1, board_rx(self, ST2_DATA_F_TPDU_HDR, "0020000108"));
	EXPECT_FALSE(self->t.waiting);
	EXPECT_EQ(-1, board_rx(self, ST2_DATA_F_TPDU_HDR, "00FE000000"));
	self->fail_send = 0;
	ASSERT_EQ(0, board_rx(self, ST2_DATA_F_TPDU_HDR, "00FE000000"));
	EXPECT_STREQ(PB_TX_FINAL "6D00", sent(self, 0));
}

TEST_HARNESS_MAIN
