// SPDX-License-Identifier: GPL-2.0-only
/*
 * Card engine behaviour that transcripts cannot show: durability ordering,
 * failed commits losing nothing, state files, image validation, and a
 * property run over random APDUs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "common/profile.h"
#include "testcard.h"

#define SELECT_USIM "00A4040C07A0000000871002"
#define VERIFY_1234 "002000010831323334FFFFFFFF"
#define VERIFY_0000 "002000010830303030FFFFFFFF"

FIXTURE(card) {
	struct testcard t;
};

FIXTURE_SETUP(card)
{
	ASSERT_EQ(0, testcard_open(&self->t, TESTCARD_PROFILE, NULL));
}

FIXTURE_TEARDOWN(card)
{
	testcard_close(&self->t);
}

TEST_F(card, oversized_apdu_is_6700)
{
	uint8_t c[600], r[VSIM_RAPDU_MAX];

	memset(c, 0, sizeof(c));
	c[1] = 0xd6;
	c[4] = 0xff;
	ASSERT_EQ(2U, vsim_card_transact(self->t.h.card, c, sizeof(c), r));
	EXPECT_EQ(0x67, r[0]);
	EXPECT_EQ(0x00, r[1]);
	ASSERT_EQ(2U, vsim_card_transact(self->t.h.card, c, 262, r));
	EXPECT_EQ(0x67, r[0]);
	EXPECT_STREQ("9000", tc(&self->t, "00A4000C023F00"));
}

TEST_F(card, powered_off_card_answers_6f00)
{
	vsim_card_power_off(self->t.h.card);
	EXPECT_STREQ("6F00", tc(&self->t, "00A4000C023F00"));
	EXPECT_FALSE(vsim_card_powered(self->t.h.card));
}

TEST_F(card, atr_is_t0_uicc)
{
	uint8_t atr[VSIM_ATR_MAX], x = 0;
	size_t n = vsim_card_power_on(self->t.h.card, atr, sizeof(atr)), i;

	ASSERT_EQ(16U, n);
	EXPECT_EQ(0x3b, atr[0]);
	EXPECT_EQ(0x80, atr[2]);	/* TD1: T=0 first */
	EXPECT_EQ(0x1f, atr[3]);	/* TD2: T=15 global bytes */
	for (i = 1; i < n; i++)
		x ^= atr[i];
	EXPECT_EQ(0, x);		/* TCK */
}

TEST_F(card, le_00_means_256)
{
	EXPECT_STREQ("9000", tc(&self->t, "00A4000C022FE2"));
	/* 256 requested from a 10-byte file: T=0 answers the exact length */
	EXPECT_STREQ("6C0A", tc(&self->t, "00B0000000"));
	EXPECT_STREQ("6C0A", tc(&self->t, "00B0000000"));
}

TEST_F(card, get_challenge_is_random)
{
	char a[80];

	strcpy(a, tc(&self->t, "0084000010"));
	EXPECT_EQ(36U, strlen(a));
	EXPECT_STRNE(a, tc(&self->t, "0084000010"));
	EXPECT_STREQ("6A86", tc(&self->t, "0084010010"));
}

TEST_F(card, keys_are_never_readable)
{
	/* K and OPc are in no file: search every EF body for them. */
	static const uint8_t k[] = { 0x46, 0x5b, 0x5c, 0xe8, 0xb1, 0x99 };
	size_t len;
	const uint8_t *st = vsim_card_state(self->t.h.card, &len);

	EXPECT_EQ(NULL, memmem(st, len, k, sizeof(k)));
}

/* The PIN counter is committed before the comparison (durable before 9000). */
TEST_F(card, pin_attempt_paid_before_compare)
{
	unsigned long before = self->t.h.persists;

	EXPECT_STREQ("63C2", tc(&self->t, VERIFY_0000));
	EXPECT_EQ(before + 1, self->t.h.persists);
	/* the commit of the decrement fails: no comparison happens at all */
	self->t.h.fail_persist = 1;
	EXPECT_STREQ("6581", tc(&self->t, VERIFY_1234));
	EXPECT_STREQ("63C2", tc(&self->t, "0020000100"));
	EXPECT_STREQ("9000", tc(&self->t, VERIFY_1234));
	EXPECT_STREQ("9000", tc(&self->t, "0020000100"));
}

/* A failed commit loses nothing and changes nothing. */
TEST_F(card, failed_commit_changes_nothing)
{
	EXPECT_STREQ("9000", tc(&self->t, SELECT_USIM));
	EXPECT_STREQ("9000", tc(&self->t, VERIFY_1234));
	EXPECT_STREQ("9000", tc(&self->t, "00A4000C026F7E"));
	self->t.h.fail_persist = 1;
	EXPECT_STREQ("6581", tc(&self->t, "00D6000002AABB"));
	EXPECT_STREQ("FFFFFFFF9000", tc(&self->t, "00B0000004"));
	EXPECT_STREQ("9000", tc(&self->t, "00D6000002AABB"));
	EXPECT_STREQ("AABBFFFF9000", tc(&self->t, "00B0000004"));
	/* and the SQN: a failed commit means no RES and a reusable SQN */
	self->t.h.fail_persist = 1;
	EXPECT_STREQ("6581", tc(&self->t,
		"00880081221023553CBE9637A89D218AE64DAE47BF35"
		"1055F328B43577B9B94A9FFAC354DFAFB3"));
	EXPECT_STREQ("6135", tc(&self->t,
		"00880081221023553CBE9637A89D218AE64DAE47BF35"
		"1055F328B43577B9B94A9FFAC354DFAFB3"));
}

TEST_F(card, power_cycle_clears_security_state)
{
	EXPECT_STREQ("9000", tc(&self->t, VERIFY_1234));
	EXPECT_STREQ("9000", tc(&self->t, SELECT_USIM));
	EXPECT_STREQ("019000", tc(&self->t, "0070000001"));
	testcard_reset(&self->t);
	EXPECT_STREQ("63C3", tc(&self->t, "0020000100"));
	EXPECT_STREQ("6986", tc(&self->t, "00B0000001"));
	EXPECT_STREQ("6881", tc(&self->t, "01A4000C023F00"));
}

static const char *host(struct testcard *t, const char *hex)
{
	uint8_t c[300], r[VSIM_RAPDU_MAX];
	size_t n = 0, rl, i;

	for (; *hex; hex++)
		if (hex[0] != ' ' && sscanf(hex++, "%2hhx", &c[n]) == 1)
			n++;
	rl = vsim_card_exec(t->h.card, c, n, r, true);
	for (i = 0; i < rl; i++)
		sprintf(t->out + 2 * i, "%02X", r[i]);
	t->out[2 * rl] = 0;
	return t->out;
}

/* The host's privileged channel: ADM rights, the terminal undisturbed. */
TEST_F(card, host_exec_has_its_own_context)
{
	/* the terminal: EF_ICCID current, the MF's FCP kept for GET RESPONSE */
	EXPECT_STREQ("9000", tc(&self->t, "00A4000C022FE2"));
	EXPECT_STREQ("6125", tc(&self->t, "00A40004023F00"));
	/* the host reads EF_IMSI without PIN1 and writes ADM-only EF_ICCID */
	EXPECT_STREQ("9000", host(&self->t, "00A4040C07A0000000871002"));
	EXPECT_STREQ("9000", host(&self->t, "00A4000C026F07"));
	EXPECT_STREQ("0809101010325476989000", host(&self->t, "00B0000009"));
	EXPECT_STREQ("9000", host(&self->t, "00A4000C023F00"));
	EXPECT_STREQ("9000", host(&self->t, "00A4000C022FE2"));
	EXPECT_STREQ("9000", host(&self->t, "00D600000199"));
	/* case 4 comes whole; channel 1 is not the host's */
	EXPECT_EQ(0, strncmp("6223", host(&self->t, "00A40004023F00"), 4));
	EXPECT_STREQ("6881", host(&self->t, "01A4000C023F00"));
	/* the terminal's kept data and current file are still there */
	EXPECT_EQ(0, strncmp("6223", tc(&self->t, "00C0000025"), 4));
	EXPECT_STREQ("9000", tc(&self->t, "00A4000C022FE2"));
	EXPECT_STREQ("998812019000", tc(&self->t, "00B0000004"));
	/* the terminal itself may not write EF_ICCID */
	EXPECT_STREQ("6982", tc(&self->t, "00D600000198"));
	/* and the host works with the card powered off */
	vsim_card_power_off(self->t.h.card);
	EXPECT_STREQ("9000", host(&self->t, "00A4000C022FE2"));
	EXPECT_STREQ("99889000", host(&self->t, "00B0000002"));
	EXPECT_FALSE(vsim_card_powered(self->t.h.card));
}

/*
 * The host's class A0 answers wait in its own buffer (GSM 11.11 §9.4.1:
 * 9Fxx, then GET RESPONSE): the terminal's kept data is not touched.
 */
TEST_F(card, host_gsm_response_is_its_own)
{
	const char *r;

	/* the terminal: DF_GSM's response kept for its GET RESPONSE */
	EXPECT_STREQ("9F16", tc(&self->t, "A0A40000027F20"));
	/* the host selects the MF in class A0 and fetches its own answer */
	EXPECT_STREQ("9F16", host(&self->t, "A0A40000023F00"));
	EXPECT_STREQ("000000003F00010000000000090102040400838A838A9000",
		     host(&self->t, "A0C0000016"));
	/* nothing more kept for the host */
	EXPECT_STREQ("6F00", host(&self->t, "A0C0000016"));
	/* the terminal's GET RESPONSE still answers DF_GSM (7F20), not the MF */
	EXPECT_STREQ("000000007F200200000000000901000B0400838A838A9000",
		     tc(&self->t, "A0C0000016"));
	/* a host's short Le: 61xx and its own GET RESPONSE */
	EXPECT_STREQ("6125", tc(&self->t, "00A40004023F00"));
	EXPECT_STREQ("62238202782183023F00A5038001718A6115",
		     host(&self->t, "00A40004023F0010"));
	r = host(&self->t, "00C0000015");
	EXPECT_EQ((size_t)2 * (0x15 + 2), strlen(r));
	EXPECT_STREQ("9000", r + 2 * 0x15);
	EXPECT_EQ(0, strncmp("6223", tc(&self->t, "00C0000025"), 4));
}

/* MANAGE CHANNEL from the host: its session has a basic channel only. */
TEST_F(card, host_leaves_terminal_channels_alone)
{
	EXPECT_STREQ("019000", tc(&self->t, "0070000001"));
	EXPECT_STREQ("9000", tc(&self->t, "01A4000C022FE2"));
	/* the host can neither close the terminal's channel 1 nor open one */
	EXPECT_STREQ("6881", host(&self->t, "0070800100"));
	EXPECT_STREQ("6881", host(&self->t, "0070000001"));
	EXPECT_STREQ("6881", host(&self->t, "0070000200"));
	/* channel 1 is still open with its EF; the next free one is 2 */
	EXPECT_STREQ("988812019000", tc(&self->t, "01B0000004"));
	EXPECT_STREQ("029000", tc(&self->t, "0070000001"));
}

/* A PIN the host verifies is verified for the host only. */
TEST_F(card, host_pin_is_not_the_terminals)
{
	EXPECT_STREQ("63C3", tc(&self->t, "00200001"));
	EXPECT_STREQ("9000", host(&self->t, VERIFY_1234));
	EXPECT_STREQ("9000", host(&self->t, "00200001"));
	EXPECT_STREQ("63C3", tc(&self->t, "00200001"));
	/* EF_IMSI needs PIN1: still refused to the terminal */
	EXPECT_STREQ("9000", tc(&self->t, SELECT_USIM));
	EXPECT_STREQ("9000", tc(&self->t, "00A4000C026F07"));
	EXPECT_STREQ("6982", tc(&self->t, "00B0000009"));
	/* and the terminal's own VERIFY does not reach the host */
	EXPECT_STREQ("9000", tc(&self->t, VERIFY_1234));
	EXPECT_STREQ("9000", tc(&self->t, "00B0000009") + 18);
}

/* A host that answers the slow path later (vsim.ko's kernel backend). */
static size_t defer(void *ctx, const uint8_t *capdu, size_t len, uint8_t *r)
{
	(void)ctx;
	(void)capdu;
	(void)len;
	(void)r;
	return VSIM_SLOW_DEFERRED;
}

static const char *done(struct testcard *t, const char *hex)
{
	uint8_t a[VSIM_RAPDU_MAX + 1], r[VSIM_RAPDU_MAX];
	size_t n = 0, rl, i;

	for (; hex && *hex; hex += 2)
		sscanf(hex, "%2hhx", &a[n++]);
	rl = vsim_card_slow_done(t->h.card, hex ? a : NULL, n, r);
	for (i = 0; i < rl; i++)
		sprintf(t->out + 2 * i, "%02X", r[i]);
	t->out[2 * rl] = 0;
	return t->out;
}

TEST_F(card, deferred_slow_path)
{
	self->t.h.slow_path = defer;
	/* ENVELOPE SMS-PP download: no answer yet (length 0) */
	EXPECT_STREQ("", tc(&self->t, "80C2000005D103010203"));
	/* the host may use its channel meanwhile; the terminal may not */
	EXPECT_STREQ("9000", host(&self->t, "00A4000C023F00"));
	EXPECT_STREQ("6F00", tc(&self->t, "00A4000C023F00"));
	/* the answer is shaped like any other: data behind 61xx */
	EXPECT_STREQ("6103", done(&self->t, "AABBCC9000"));
	EXPECT_STREQ("AABBCC9000", tc(&self->t, "00C0000003"));
	/* nothing deferred: 6F00 */
	EXPECT_STREQ("6F00", done(&self->t, "9000"));
	/* a malformed answer is 9300, no answer at all 6F00 */
	EXPECT_STREQ("", tc(&self->t, "80C2000005D103010203"));
	EXPECT_STREQ("9300", done(&self->t, "90"));
	EXPECT_STREQ("", tc(&self->t, "80C2000005D103010203"));
	EXPECT_STREQ("6F00", done(&self->t, NULL));
	/* a proactive command queued meanwhile is announced */
	EXPECT_STREQ("", tc(&self->t, "80C2000005D103010203"));
	EXPECT_EQ(0, vsim_card_queue_proactive(self->t.h.card, 0x21, 0x80, 0x02,
					       (const uint8_t *)"\x8d\x02\x04\x41", 4));
	EXPECT_EQ(0, strncmp("91", done(&self->t, "9000"), 2));
	/* a power cycle forgets a deferred command */
	EXPECT_STREQ("", tc(&self->t, "80C2000005D103010203"));
	testcard_reset(&self->t);
	EXPECT_STREQ("6F00", done(&self->t, "9000"));
	EXPECT_STREQ("9000", tc(&self->t, "00A4000C023F00"));
	/* the host's own ENVELOPE is never deferred: busy */
	EXPECT_STREQ("9300", host(&self->t, "80C2000005D103010203"));
}

/* Commands held for a TERMINAL PROFILE that declares them (TS 102 223 §5.2). */
TEST_F(card, offered_proactive_waits_for_the_profile)
{
	static const uint8_t menu[] = { 0x85, 0x01, 'm', 0x0f, 0x02, 0x01, 'a' };
	static const uint8_t text[] = { 0x8d, 0x02, 0x04, 'A' };
	struct vsim_card *c = self->t.h.card;

	ASSERT_EQ(0, vsim_card_offer_proactive(c, 0x25, 0, 0x82, menu,
					       sizeof(menu)));
	ASSERT_EQ(0, vsim_card_queue_proactive(c, 0x21, 0x80, 0x02, text,
					       sizeof(text)));
	/* the offer waits aside and holds nothing back */
	EXPECT_STREQ("910F", tc(&self->t, "00A4000C023F00"));
	EXPECT_EQ(0, strncmp("D00D8103022180", tc(&self->t, "801200000F"), 14));
	EXPECT_STREQ("9000", tc(&self->t, "801400000C810302218082028281830100"));
	EXPECT_STREQ("6F00", tc(&self->t, "8012000010"));
	/* declared: it joins the queue */
	EXPECT_STREQ("9112", tc(&self->t, "801000000401000020"));
	EXPECT_EQ(0, strncmp("D0108103012500", tc(&self->t, "8012000012"), 14));
	EXPECT_STREQ("9000", tc(&self->t, "801400000C810301250082028281830100"));

	/* not declared: dropped, and what was behind it comes forward */
	testcard_reset(&self->t);
	ASSERT_EQ(0, vsim_card_offer_proactive(c, 0x25, 0, 0x82, menu,
					       sizeof(menu)));
	ASSERT_EQ(0, vsim_card_queue_proactive(c, 0x21, 0x80, 0x02, text,
					       sizeof(text)));
	EXPECT_STREQ("910F", tc(&self->t, "801000000401000000"));
	EXPECT_EQ(-EOPNOTSUPP, vsim_card_offer_proactive(c, 0x25, 0, 0x82, menu,
							 sizeof(menu)));
	/* after a profile that declares it: offered like any command */
	testcard_reset(&self->t);
	EXPECT_STREQ("9000", tc(&self->t, "801000000401000020"));
	EXPECT_EQ(0, vsim_card_offer_proactive(c, 0x25, 0, 0x82, menu,
					       sizeof(menu)));
	EXPECT_STREQ("9112", tc(&self->t, "00A4000C023F00"));
	/* a type without a profile bit cannot be offered */
	EXPECT_EQ(-EINVAL, vsim_card_offer_proactive(c, 0x40, 0, 0x82, menu,
						     sizeof(menu)));
}

/* Random APDUs: every one gets a status word, none breaks the card. */
/* The host's slow path as a recorder: the last C-APDU, a fixed answer. */
static char slow_seen[600];
static const char *slow_answer = "9000";
static struct vsim_card *slow_card;
static bool slow_queue_next;

static size_t record(void *ctx, const uint8_t *capdu, size_t len,
		     uint8_t *r)
{
	static const uint8_t data[] = { 0xb6, 0x01, 0x00 };
	size_t i, n = 0;

	(void)ctx;
	for (i = 0; i < len; i++)
		sprintf(slow_seen + 2 * i, "%02X", capdu[i]);
	if (slow_queue_next)	/* the agent's next command, queued meanwhile */
		vsim_card_proactive(slow_card, 0x43, 0x01, 0x21, data,
				    sizeof(data), VSIM_PROACTIVE_F_RESPONSE);
	for (const char *h = slow_answer; *h; h += 2)
		sscanf(h, "%2hhx", &r[n++]);
	return n;
}

/*
 * BIP (TS 102 223 §6.4.27): the host's commands queued only for a
 * TERMINAL PROFILE that declares them (§5.2), their TERMINAL RESPONSEs and
 * the channel events handed to its slow path.
 */
TEST_F(card, bip_commands_declared_and_answered_by_the_host)
{
	/* bearer default, buffer 1400, TCP client remote 4443, 127.0.0.1 */
	static const uint8_t open[] = { 0xb5, 0x01, 0x03, 0xb9, 0x02, 0x05, 0x78,
					0xbc, 0x03, 0x02, 0x11, 0x5b, 0xbe, 0x05,
					0x21, 0x7f, 0x00, 0x00, 0x01 };
	static const uint8_t events[] = { 0x99, 0x02, 0x09, 0x0a };
	struct vsim_card *c = self->t.h.card;
	const int F = VSIM_PROACTIVE_F_DECLARED | VSIM_PROACTIVE_F_RESPONSE;

	slow_card = c;
	slow_queue_next = false;
	slow_answer = "9000";
	self->t.h.slow_path = record;
	/* no profile yet: not declared */
	EXPECT_EQ(-EOPNOTSUPP, vsim_card_proactive(c, 0x40, 1, 0x82, open,
						   sizeof(open), F));
	/* OPEN CHANNEL (byte 12 b1) without TCP client remote (byte 17 b1) */
	EXPECT_STREQ("9000", tc(&self->t, "8010000011 0000000000000000000000 01 20 00000000"));
	EXPECT_EQ(-EOPNOTSUPP, vsim_card_proactive(c, 0x40, 1, 0x82, open,
						   sizeof(open), F));
	/* ... and without a channel (byte 13 b6-b8) */
	EXPECT_STREQ("9000", tc(&self->t, "8010000011 0000000000000000000000 01 00 00000001"));
	EXPECT_EQ(-EOPNOTSUPP, vsim_card_proactive(c, 0x40, 1, 0x82, open,
						   sizeof(open), F));
	/* events: byte 5 b1 alone does not declare Data available (byte 6 b3) */
	EXPECT_STREQ("9000", tc(&self->t, "8010000011 00000000010000000000001F 20 00000001"));
	EXPECT_EQ(-EOPNOTSUPP, vsim_card_proactive(c, 0x05, 0, 0x82, events,
						   sizeof(events), F));
	/* flags that make no sense */
	EXPECT_EQ(-EINVAL, vsim_card_proactive(c, 0x40, 1, 0x82, open,
					       sizeof(open), 0x08));
	EXPECT_EQ(-EINVAL, vsim_card_proactive(c, 0x25, 0, 0x82, open,
					       sizeof(open),
					       VSIM_PROACTIVE_F_PROFILE |
					       VSIM_PROACTIVE_F_DECLARED));
	/* the whole of it declared */
	EXPECT_STREQ("9000", tc(&self->t, "8010000011 00000000010C00000000001F 20 000000 01"));
	ASSERT_EQ(0, vsim_card_proactive(c, 0x40, 1, 0x82, open, sizeof(open), F));
	ASSERT_EQ(0, vsim_card_proactive(c, 0x05, 0, 0x82, events,
					 sizeof(events), F));
	EXPECT_STREQ("911E", tc(&self->t, "00A4000C023F00"));
	EXPECT_STREQ("D01C810301400182028182B50103B9020578BC0302115BBE05217F0000019000",
		     tc(&self->t, "801200001E"));
	/* its TERMINAL RESPONSE goes to the host, as it came */
	slow_seen[0] = 0;
	slow_answer = "6F00";
	EXPECT_STREQ("6F00", tc(&self->t, "8014000017810301400182028281830107B8028100B50103B9020400"));
	EXPECT_STREQ("8014000017810301400182028281830107B8028100B50103B9020400", slow_seen);
	/* refused by the host: the command stays, the terminal may answer again */
	EXPECT_STREQ("D01C810301400182028182B50103B9020578BC0302115BBE05217F0000019000",
		     tc(&self->t, "801200001E"));
	slow_answer = "9000";
	EXPECT_STREQ("910F", tc(&self->t, "8014000017810301400182028281830107B8028100B50103B9020400"));
	/* a TERMINAL RESPONSE to another command still goes nowhere */
	EXPECT_EQ(0, strncmp("D00D8103020500", tc(&self->t, "801200000F"), 14));
	slow_queue_next = true;	/* the host queues SEND DATA while it answers */
	EXPECT_STREQ("910E", tc(&self->t, "801400000C810302050082028281830100"));
	slow_queue_next = false;
	EXPECT_STREQ("D00C810303430182028121B601009000", tc(&self->t, "801200000E"));
	/* deferred: the command ends when the host's answer comes */
	self->t.h.slow_path = defer;
	EXPECT_STREQ("", tc(&self->t, "801400000F810303430182028281830100B701FF"));
	EXPECT_STREQ("9000", done(&self->t, "9000"));
	EXPECT_STREQ("6F00", tc(&self->t, "8012000010"));
	/* events: Data available and Channel status are the host's, others not */
	self->t.h.slow_path = record;
	slow_seen[0] = 0;
	EXPECT_STREQ("9000", tc(&self->t, "80C2000010D60E99010982028281B8028100B7012A"));
	EXPECT_STREQ("80C2000010D60E99010982028281B8028100B7012A", slow_seen);
	slow_seen[0] = 0;
	EXPECT_STREQ("9000", tc(&self->t, "80C200000DD60B99010A82028281B8020105"));
	EXPECT_STREQ("80C200000DD60B99010A82028281B8020105", slow_seen);
	slow_seen[0] = 0;
	EXPECT_STREQ("9000", tc(&self->t, "80C2000005D603990105"));
	EXPECT_STREQ("", slow_seen);
	/* a power cycle empties the queue and forgets the profile */
	testcard_reset(&self->t);
	EXPECT_EQ(-EOPNOTSUPP, vsim_card_proactive(c, 0x40, 1, 0x82, open,
						   sizeof(open), F));
}

/*
 * TIMER MANAGEMENT (TS 102 223 §6.4.21) for the host: queued only for a
 * profile with byte 8 b1 and byte 1 b6 (TIMER EXPIRATION); the expiry
 * (§7.4) of a timer the host started goes to its slow path, any other is
 * acknowledged; a malformed one is 6A80 and reaches nobody.
 */
TEST_F(card, host_timers_declared_and_their_expiry)
{
	/* timer 1, 2 s */
	static const uint8_t start[] = { 0xa4, 0x01, 0x01, 0xa5, 0x03, 0x00,
					 0x00, 0x20 };
	struct vsim_card *c = self->t.h.card;
	const int F = VSIM_PROACTIVE_F_DECLARED | VSIM_PROACTIVE_F_RESPONSE;

	slow_card = c;
	slow_queue_next = false;
	slow_answer = "9000";
	self->t.h.slow_path = record;
	/* TIMER MANAGEMENT without TIMER EXPIRATION, and the reverse */
	EXPECT_STREQ("9000", tc(&self->t, "8010000011 00000000000000 01 000000000000000000"));
	EXPECT_EQ(-EOPNOTSUPP, vsim_card_proactive(c, 0x27, 0, 0x82, start,
						   sizeof(start), F));
	EXPECT_STREQ("9000", tc(&self->t, "8010000011 20000000000000 00 000000000000000000"));
	EXPECT_EQ(-EOPNOTSUPP, vsim_card_proactive(c, 0x27, 0, 0x82, start,
						   sizeof(start), F));
	/* before the host starts one: an expiry is the card's, acknowledged */
	slow_seen[0] = 0;
	EXPECT_STREQ("9000", tc(&self->t, "80C200000ED70C820282812401012503000020"));
	EXPECT_STREQ("", slow_seen);
	EXPECT_STREQ("9000", tc(&self->t, "8010000011 20000000000000 01 000000000000000000"));
	ASSERT_EQ(0, vsim_card_proactive(c, 0x27, 0, 0x82, start, sizeof(start), F));
	EXPECT_STREQ("9113", tc(&self->t, "00A4000C023F00"));
	EXPECT_STREQ("D011810301270082028182A40101A503000020" "9000",
		     tc(&self->t, "8012000013"));
	EXPECT_STREQ("9000", tc(&self->t, "801400000F810301270082028281830100A40101"));
	/* timer 1 expires: the host's */
	slow_seen[0] = 0;
	EXPECT_STREQ("9000", tc(&self->t, "80C200000ED70C820282812401012503000020"));
	EXPECT_STREQ("80C200000ED70C820282812401012503000020", slow_seen);
	/* timer 2 is not the host's */
	slow_seen[0] = 0;
	EXPECT_STREQ("9000", tc(&self->t, "80C200000ED70C820282812401022503000020"));
	EXPECT_STREQ("", slow_seen);
	/* malformed: no value, a short value, timer 0, timer 9, from the network, a TLV cut */
	EXPECT_STREQ("6A80", tc(&self->t, "80C2000009D70782028281240101"));
	EXPECT_STREQ("6A80", tc(&self->t, "80C200000DD70B8202828124010125020000"));
	EXPECT_STREQ("6A80", tc(&self->t, "80C200000ED70C820282812401002503000020"));
	EXPECT_STREQ("6A80", tc(&self->t, "80C200000ED70C820282812401092503000020"));
	EXPECT_STREQ("6A80", tc(&self->t, "80C200000ED70C820283812401012503000020"));
	EXPECT_STREQ("6A80", tc(&self->t, "80C200000ED70C820282812401012505000020"));
	EXPECT_STREQ("", slow_seen);
	/* a power cycle forgets the host's timers */
	testcard_reset(&self->t);
	EXPECT_STREQ("9000", tc(&self->t, "80C200000ED70C820282812401012503000020"));
	EXPECT_STREQ("", slow_seen);
}

TEST_F(card, random_apdus_always_answered)
{
	static const uint8_t clas[] = { 0x00, 0x01, 0x40, 0x80, 0x81, 0xa0,
					0xc0, 0x0c, 0xff };
	static const uint8_t ins[] = { 0xa4, 0xb0, 0xd6, 0xb2, 0xdc, 0xa2,
				       0x20, 0x24, 0x26, 0x28, 0x2c, 0x04,
				       0x44, 0x88, 0x84, 0x70, 0xc0, 0xf2,
				       0x32, 0x10, 0xfa };
	uint8_t c[300], r[VSIM_RAPDU_MAX];
	size_t len, n;
	int i, j;

	srandom(1234);
	EXPECT_STREQ("9000", tc(&self->t, VERIFY_1234));
	for (i = 0; i < 200000; i++) {
		len = (size_t)(random() % 270);
		for (j = 0; j < (int)len; j++)
			c[j] = (uint8_t)random();
		if (len > 1) {
			c[0] = clas[random() % sizeof(clas)];
			c[1] = ins[random() % sizeof(ins)];
		}
		if (len > 4 && random() % 2)
			c[4] = (uint8_t)(len - 5 - random() % 2);
		n = vsim_card_transact(self->t.h.card, c, len, r);
		ASSERT_GE(n, 2U);
		ASSERT_LE(n, (size_t)VSIM_RAPDU_MAX);
		if (i % 5000 == 0)
			testcard_reset(&self->t);
	}
	testcard_reset(&self->t);
	EXPECT_STREQ("9000", tc(&self->t, "00A4000C022FE2"));
}

/* --state DIR: a second card sees the first one's writes and PIN counters. */
TEST(state_dir_survives_restart)
{
	char dir[] = "/tmp/vsim-state-XXXXXX", path[64];
	struct testcard t;
	struct stat st;

	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_EQ(0, testcard_open(&t, TESTCARD_PROFILE, dir));
	EXPECT_STREQ("63C2", tc(&t, VERIFY_0000));
	EXPECT_STREQ("9000", tc(&t, SELECT_USIM));
	EXPECT_STREQ("9000", tc(&t, VERIFY_1234));
	EXPECT_STREQ("9000", tc(&t, "00A4000C026F7E"));
	EXPECT_STREQ("9000", tc(&t, "00D6000003112233"));
	EXPECT_STREQ("63C2", tc(&t, VERIFY_0000));
	testcard_close(&t);

	snprintf(path, sizeof(path), "%s/card.state", dir);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(0600U, st.st_mode & 0777);

	ASSERT_EQ(0, testcard_open(&t, TESTCARD_PROFILE, dir));
	EXPECT_STREQ("63C2", tc(&t, "0020000100"));
	EXPECT_STREQ("9000", tc(&t, SELECT_USIM));
	EXPECT_STREQ("9000", tc(&t, VERIFY_1234));
	EXPECT_STREQ("9000", tc(&t, "00A4000C026F7E"));
	EXPECT_STREQ("1122339000", tc(&t, "00B0000003"));
	testcard_close(&t);

	/* a damaged state file is refused with a message, not half-loaded */
	ASSERT_EQ(0, truncate(path, 100));
	EXPECT_EQ(-1, testcard_open(&t, TESTCARD_PROFILE, dir));
	unlink(path);
	rmdir(dir);
}

static uint8_t *example_image(size_t *len)
{
	char err[256];
	uint8_t *img;

	if (vsim_profile_compile(TESTCARD_PROFILE, &img, len, err, sizeof(err)))
		return NULL;
	return img;
}

/* Each corruption of an image is refused with its own reason. */
TEST(image_check_refuses_corruption)
{
	struct vsim_image_header *h;
	struct vsim_image_file *f;
	const char *why;
	size_t len;
	uint8_t *img = example_image(&len), *bad;

	ASSERT_NE(NULL, img);
	ASSERT_EQ(0, vsim_image_check(img, len, &why));
	bad = malloc(len);
	ASSERT_NE(NULL, bad);

#define CORRUPT(stmt, reason) do {					\
	memcpy(bad, img, len);						\
	h = (void *)bad;						\
	f = (void *)(h + 1);						\
	stmt;								\
	EXPECT_EQ(-EINVAL, vsim_image_check(bad, len, &why));		\
	EXPECT_NE(NULL, why);						\
	if (why)							\
		EXPECT_NE(NULL, strstr(why, reason));			\
} while (0)

	CORRUPT(h->magic ^= 1, "magic");
	CORRUPT(h->version = VSIM_IMAGE_VERSION + 1, "version");
	CORRUPT(h->version = 1, "version");
	CORRUPT(h->total_size++, "total_size");
	CORRUPT(h->flags = 1, "flags");
	CORRUPT(h->atr[0] = 0x3c, "ATR");
	CORRUPT(h->atr_len = 40, "ATR");
	CORRUPT(h->sqn_ind_bits = 6, "sqn_ind_bits");
	CORRUPT(h->file_count = 0, "file count");
	CORRUPT(h->file_count++, "add up");
	CORRUPT(h->pins[0].max_tries = 0, "max_tries");
	CORRUPT(h->pins[0].value[0] = 'x', "digits");
	CORRUPT(f[0].fid = 0x3f01, "MF");
	CORRUPT(f[3].parent = 3, "parent");
	CORRUPT(f[3].type = 9, "type");
	CORRUPT(f[2].data_offset = h->data_size, "data area");
	CORRUPT(f[2].size = 0xffffffff, "data area");
	CORRUPT(f[2].sfi = 31, "SFI");
	CORRUPT(f[2].fid = f[1].fid, "duplicate file identifier");
	CORRUPT(f[2].data_offset = f[1].data_offset, "overlap");
	CORRUPT(f[1].record_length = 0, "records");
	CORRUPT(f[2].structure = 3, "structure");
	CORRUPT(f[2].aid_len = 5, "AID");
	CORRUPT(f[2].flags = VSIM_FILE_F_INCREASE, "INCREASE");
	CORRUPT(f[2].fid = 0x7fff, "reserved");
	/* [suci] (TS 31.102 §7.5): off means all zero; on, a coherent scheme */
	CORRUPT(h->suci.scheme = 1, "SUCI fields set");
	CORRUPT(h->suci.flags = 0x80, "SUCI flags");
	CORRUPT((h->suci.flags = 1, h->suci.scheme = 3), "protection scheme");
	CORRUPT((h->suci.flags = 1, h->suci.routing[0] = 0xF0, h->suci.key_id = 1),
		"null scheme");
	CORRUPT((h->suci.flags = 1, h->suci.scheme = 1, h->suci.key_id = 1,
		 h->suci.key_len = 33), "profile A");
	CORRUPT((h->suci.flags = 1, h->suci.scheme = 2, h->suci.key_id = 1,
		 h->suci.key_len = 33, h->suci.key[0] = 4), "profile B");
	CORRUPT((h->suci.flags = 1, h->suci.routing[0] = 0xFA), "routing indicator");
	CORRUPT((h->suci.flags = 1, h->suci.routing[0] = 0xF1, h->suci.routing[1] = 0xF1),
		"routing indicator");
	CORRUPT((h->suci.flags = 1, h->suci.routing[0] = 0xF0, h->suci.reserved2[6] = 1),
		"reserved");
	CORRUPT((h->suci.flags = 1, h->suci.routing[0] = 0xF0, h->suci.key[64] = 1),
		"reserved");
	EXPECT_EQ(-EINVAL, vsim_image_check(img, 10, &why));
	EXPECT_EQ(-EINVAL, vsim_image_check(img, VSIM_IMAGE_MAX_SIZE + 1, &why));
	free(bad);
	free(img);
}

/*
 * A card is as big as its image's EF data needs (a lab's thousand cards
 * cost their data, not the largest image's), and init refuses less.
 */
TEST(card_size_follows_the_image)
{
	static const struct vsim_card_ops no_ops;	/* never reached */
	struct vsim_image_header *h;
	const char *why = NULL;
	size_t len, size, max = vsim_card_size(NULL, 0);
	uint8_t *img = example_image(&len), *card;

	ASSERT_NE(NULL, img);
	h = (void *)img;
	size = vsim_card_size(img, len);
	EXPECT_LT(size, max);
	EXPECT_LT(size, 16384U) TH_LOG("test profile: %zu bytes", size);
	EXPECT_EQ(max, vsim_card_size(img, 10));
	h->data_size += 100;
	EXPECT_EQ(size + 100, vsim_card_size(img, len));
	h->data_size = VSIM_IMAGE_MAX_DATA + 1;
	EXPECT_EQ(max, vsim_card_size(img, len));
	free(img);

	img = example_image(&len);
	ASSERT_NE(NULL, img);
	card = calloc(1, size);
	ASSERT_NE(NULL, card);
	EXPECT_EQ(-EINVAL, vsim_card_init((void *)card, size - 1, img, len,
					  &no_ops, NULL, &why));
	ASSERT_NE(NULL, why);
	EXPECT_NE(NULL, strstr(why, "smaller"));
	why = NULL;
	EXPECT_EQ(-EINVAL, vsim_card_init((void *)card, 16, img, len, &no_ops,
					  NULL, &why));
	ASSERT_NE(NULL, why);
	EXPECT_NE(NULL, strstr(why, "smaller"));
	/* after a refusal the card is safe to wipe */
	vsim_card_wipe((void *)card);
	free(card);
	free(img);
}

/* A state blob that could not come from this card is refused whole. */
TEST(load_state_refuses_foreign_blobs)
{
	struct testcard t;
	const uint8_t *st;
	uint8_t *copy;
	size_t len;

	ASSERT_EQ(0, testcard_open(&t, TESTCARD_PROFILE, NULL));
	st = vsim_card_state(t.h.card, &len);
	copy = malloc(len);
	ASSERT_NE(NULL, copy);
	memcpy(copy, st, len);
	EXPECT_EQ(0, vsim_card_load_state(t.h.card, copy, len));
	EXPECT_EQ(-EINVAL, vsim_card_load_state(t.h.card, copy, len - 1));
	copy[0] ^= 1;
	EXPECT_EQ(-EINVAL, vsim_card_load_state(t.h.card, copy, len));
	copy[0] ^= 1;
	/* PIN1 tries (offset of pins[0].tries) beyond its maximum */
	copy[16 + 16] = 15;
	EXPECT_EQ(-EINVAL, vsim_card_load_state(t.h.card, copy, len));
	EXPECT_STREQ("63C3", tc(&t, "0020000100"));
	free(copy);
	testcard_close(&t);
}

TEST_HARNESS_MAIN
