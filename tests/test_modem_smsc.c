// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsim-modem's SMS conversions (agent/modem/smsc.c): SMS-SUBMIT to an
 * SMPP short message, deliver_sm to SMS-DELIVER, the SMS-PP download
 * ENVELOPE. 7-bit packing is checked against the textbook vector
 * ("hellohello" -> E8329BFD4697D9EC37, TS 23.038 §6.1.2.1.1 packing) and
 * a user data header with its fill bit worked out by hand.
 */
#include <string.h>

#include "kselftest_harness.h"

#include "common/hex.h"
#include "modem/smsc.h"

static size_t unhex(const char *s, uint8_t *out)
{
	return (size_t)vsim_hex_parse(s, out, 512);
}

/* The TPDU from TP-PID on: PID DCS (SCTS skipped) UDL UD, in hex. */
static void after_oa(const uint8_t *t, int n, size_t oa_len, char *out)
{
	size_t o = 1 + oa_len, i, k = 0;

	out[k] = 0;
	for (i = o; i < (size_t)n; i++) {
		if (i >= o + 2 && i < o + 9)
			continue;	/* TP-SCTS: the time of the test */
		k += (size_t)sprintf(out + k, "%02X", t[i]);
	}
}

TEST(submit_to_short_message)
{
	/* +CMGS of tests/modem_pty.sh: "ABC" to +15551000001, 7-bit */
	uint8_t t[64];
	size_t n = unhex("01000B915155010000F100000341E110", t);
	struct vsim_smpp_sm sm;
	const char *why = NULL;

	ASSERT_EQ(0, smsc_from_submit(t, n, "+15550100001", &sm, &why));
	EXPECT_STREQ("15551000001", sm.dst);
	EXPECT_EQ(1, sm.dst_ton);
	EXPECT_STREQ("15550100001", sm.src);
	EXPECT_EQ(1, sm.src_ton);
	EXPECT_EQ(0, sm.pid);
	EXPECT_EQ(0, sm.dcs);
	EXPECT_EQ(0, sm.esm_class);
	ASSERT_EQ(3u, sm.len);
	EXPECT_EQ(0, memcmp(sm.ud, "ABC", 3));
}

TEST(submit_8bit_with_udh_and_relative_vp)
{
	/* UDHI, VPF relative (one octet), PID 7F, DCS F6, UD 02 70 00 AA BB */
	uint8_t t[64];
	size_t n = unhex("5100" "0A912143658709" "7FF6" "A7" "05027000AABB", t);
	struct vsim_smpp_sm sm;
	const char *why = NULL;

	ASSERT_EQ(0, smsc_from_submit(t, n, "4912", &sm, &why));
	EXPECT_STREQ("1234567890", sm.dst);
	EXPECT_EQ(0x40, sm.esm_class);
	EXPECT_EQ(0x7f, sm.pid);
	EXPECT_EQ(0xf6, sm.dcs);
	EXPECT_EQ(0, sm.src_ton);
	ASSERT_EQ(5u, sm.len);
	EXPECT_EQ(0, memcmp(sm.ud, "\x02\x70\x00\xaa\xbb", 5));
}

TEST(submit_refused)
{
	uint8_t t[64];
	struct vsim_smpp_sm sm;
	const char *why = NULL;
	size_t n;

	/* an SMS-DELIVER is not an SMS-SUBMIT */
	n = unhex("00000B915155010000F100000341E110", t);
	EXPECT_EQ(-1, smsc_from_submit(t, n, "1", &sm, &why));
	EXPECT_STREQ("not an SMS-SUBMIT", why);
	/* TP-UDL says 4 septets, 3 octets hold only 3 */
	n = unhex("01000B915155010000F100000441E110", t);
	EXPECT_EQ(-1, smsc_from_submit(t, n, "1", &sm, &why));
	EXPECT_STREQ("TP-UDL beyond the TPDU", why);
	/* a destination with a hex digit that is not BCD */
	n = unhex("01000B91515501A000F100000341E110", t);
	EXPECT_EQ(-1, smsc_from_submit(t, n, "1", &sm, &why));
	EXPECT_STREQ("bad TP-DA", why);
	/* cut short before TP-UDL */
	EXPECT_EQ(-1, smsc_from_submit(t, 12, "1", &sm, &why));
}

TEST(deliver_7bit_textbook)
{
	struct vsim_smpp_sm sm = { .src = "15551000001", .src_ton = 1,
				   .pid = 0, .dcs = 0, .len = 10 };
	uint8_t t[200];
	char rest[400];
	int n;
	const char *why = NULL;

	memcpy(sm.ud, "hellohello", 10);
	n = smsc_to_deliver(&sm, t, sizeof(t), &why);
	ASSERT_GT(n, 0);
	EXPECT_EQ(0x04, t[0]);	/* SMS-DELIVER, TP-MMS */
	EXPECT_EQ(0, memcmp(t + 1, "\x0b\x91\x51\x55\x01\x00\x00\xf1", 8));
	after_oa(t, n, 8, rest);
	EXPECT_STREQ("00000AE8329BFD4697D9EC37", rest);
}

TEST(deliver_7bit_udh_fill_bit)
{
	/* UDH 05 00 03 CC 02 01: 48 bits, one fill bit, "AB" from septet 7 */
	struct vsim_smpp_sm sm = { .src = "1", .src_ton = 1, .esm_class = 0x40,
				   .len = 8 };
	uint8_t t[200];
	char rest[400];
	const char *why = NULL;
	int n;

	memcpy(sm.ud, "\x05\x00\x03\xcc\x02\x01" "AB", 8);
	n = smsc_to_deliver(&sm, t, sizeof(t), &why);
	ASSERT_GT(n, 0);
	EXPECT_EQ(0x44, t[0]);	/* UDHI */
	after_oa(t, n, 3, rest);
	EXPECT_STREQ("000009050003CC02018242", rest);
}

TEST(deliver_8bit_alphanumeric_originator)
{
	struct vsim_smpp_sm sm = { .src = "vsim-ota", .src_ton = 5,
				   .esm_class = 0x40, .pid = 0x7f, .dcs = 0xf6,
				   .len = 4 };
	uint8_t t[200];
	char rest[400];
	const char *why = NULL;
	int n;

	memcpy(sm.ud, "\x02\x70\x00\x01", 4);
	n = smsc_to_deliver(&sm, t, sizeof(t), &why);
	ASSERT_GT(n, 0);
	/* 8 characters, 56 bits: 14 semi-octets, TON 5 */
	EXPECT_EQ(0, memcmp(t + 1, "\x0e\xd0\xf6\x79\xba\xdd\x7a\xd3\xc3", 9));
	after_oa(t, n, 9, rest);
	EXPECT_STREQ("7FF60402700001", rest);
}

TEST(deliver_refused)
{
	struct vsim_smpp_sm sm = { .src = "1", .src_ton = 1, .len = 161 };
	uint8_t t[200];
	const char *why = NULL;

	memset(sm.ud, 'x', sizeof(sm.ud));
	EXPECT_EQ(-1, smsc_to_deliver(&sm, t, sizeof(t), &why));
	EXPECT_STREQ("short_message too long for one SMS", why);
	sm.len = 141;
	sm.dcs = 0x04;	/* 8-bit: 140 octets at most */
	EXPECT_EQ(-1, smsc_to_deliver(&sm, t, sizeof(t), &why));
	sm.len = 3;
	memcpy(sm.src, "12a", 4);	/* not digits with TON 1 */
	EXPECT_EQ(-1, smsc_to_deliver(&sm, t, sizeof(t), &why));
	EXPECT_STREQ("bad source_addr", why);
}

TEST(data_download_by_pid_and_class)
{
	EXPECT_TRUE(smsc_is_data_download(0x7f, 0xf6));	/* class 2, 8-bit */
	EXPECT_TRUE(smsc_is_data_download(0x7f, 0xf2));	/* class 2, 7-bit */
	EXPECT_TRUE(smsc_is_data_download(0x7f, 0x16));	/* general, class 2 */
	EXPECT_FALSE(smsc_is_data_download(0x7f, 0x06));	/* class bits off */
	EXPECT_FALSE(smsc_is_data_download(0x7f, 0xf5));	/* class 1 */
	EXPECT_FALSE(smsc_is_data_download(0x00, 0xf6));	/* plain PID */
	EXPECT_FALSE(smsc_is_data_download(0x7f, 0x04));
}

TEST(envelope_sms_pp_download)
{
	uint8_t sca[12], tpdu[200], env[300];
	size_t sl = unhex(SMSC_SCA_HEX, sca);
	int n;

	ASSERT_EQ(8u, sl);
	memcpy(tpdu, "\x04\x01\x00", 3);
	n = smsc_envelope(sca, tpdu, 3, env, sizeof(env));
	ASSERT_EQ(5 + 2 + 4 + 9 + 5, n);
	EXPECT_EQ(0, memcmp(env, "\x80\xc2\x00\x00\x14" "\xd1\x12" "\x82\x02\x83\x81"
			    "\x86\x07\x91\x51\x55\x00\x10\x00\xf0" "\x8b\x03\x04\x01\x00",
			    (size_t)n));
	/* a 160-octet TPDU: both lengths in the 81 xx form */
	memset(tpdu, 0, 160);
	n = smsc_envelope(sca, tpdu, 160, env, sizeof(env));
	ASSERT_EQ(5 + 3 + 4 + 9 + 3 + 160, n);
	EXPECT_EQ(0, memcmp(env + 4, "\xb3\xd1\x81\xb0", 4));
	EXPECT_EQ(0, memcmp(env + 21, "\x8b\x81\xa0", 3));
	/* more than one ENVELOPE holds */
	EXPECT_EQ(-1, smsc_envelope(sca, tpdu, 240, env, sizeof(env)));
	/* without the address */
	n = smsc_envelope(NULL, tpdu, 3, env, sizeof(env));
	EXPECT_EQ(5 + 2 + 4 + 5, n);
}

TEST_HARNESS_MAIN
