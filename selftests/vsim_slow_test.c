// SPDX-License-Identifier: GPL-2.0-only
/*
 * The slow path: with VSIM_NEW_CARD_F_SLOW_PATH the card leaves ENVELOPE
 * SMS-PP download and MENU SELECTION to the agent (OTA). The terminal's
 * TRANSMIT waits while the agent, reading a VSIM_EV_SLOW_APDU record, may
 * run its own VSIM_IOC_EXEC and VSIM_IOC_QUEUE_PROACTIVE (no deadlock),
 * then answers with VSIM_IOC_SLOW_ANSWER; the card shapes the answer for
 * T=0 (61xx, 91xx). A missing answer is 6F00 after slow_timeout_ms, a late
 * one -ENOENT; a card without the flag answers 9300; every bad argument.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vsim_lib.h"

#define PARAM_SLOW	"/sys/module/vsim/parameters/slow_timeout_ms"

/* ENVELOPE (SMS-PP download D1, MENU SELECTION D3): the module never parses */
#define ENV_SMS_PP	"80C2000005D103010203"
#define ENV_MENU	"80C2000009D30782020181900101"
/* DISPLAY TEXT "Hello", 8-bit data (TS 102 223 §6.6.1, §8.15) */
static const uint8_t text_tlv[] = { 0x8d, 0x06, 0x04, 'H', 'e', 'l', 'l', 'o' };

enum agent_does {
	ANSWER_DATA,		/* AABBCC 9000 */
	ANSWER_OK,		/* 9000 */
	EXEC_PROACTIVE_OK,	/* EXEC, QUEUE_PROACTIVE, then 9000 */
	NOTHING,		/* read the record, never answer */
	CLOSE_CARD,		/* let go of the card fd */
};

struct agent {
	int card;
	enum agent_does does;
	pthread_t thread;
	/* what the agent saw */
	uint8_t capdu[VSIM_CAPDU_MAX];
	int capdu_len;
	uint64_t seq;
	int exec_adm, exec_terminal, queued, answered;
};

static int queue_proactive_flags(int card, uint8_t type, uint8_t qualifier,
				 uint8_t dest, const void *tlvs, uint32_t len,
				 uint8_t flags)
{
	struct vsim_proactive_cmd p = {
		.size = sizeof(p),
		.type = type,
		.qualifier = qualifier,
		.dest = dest,
		.flags = flags,
		.tlvs = (uintptr_t)tlvs,
		.tlvs_len = len,
	};

	return ioctl(card, VSIM_IOC_QUEUE_PROACTIVE, &p) ? -errno : 0;
}

static int queue_proactive(int card, uint8_t type, uint8_t qualifier,
			   uint8_t dest, const void *tlvs, uint32_t len)
{
	return queue_proactive_flags(card, type, qualifier, dest, tlvs, len, 0);
}

static int slow_answer(int card, uint64_t seq, const void *rapdu, uint32_t len)
{
	struct vsim_slow_answer a = {
		.size = sizeof(a),
		.seq = seq,
		.rapdu = (uintptr_t)rapdu,
		.rapdu_len = len,
	};

	return ioctl(card, VSIM_IOC_SLOW_ANSWER, &a) ? -errno : 0;
}

static void *agent_main(void *arg)
{
	static const uint8_t data_ok[] = { 0xaa, 0xbb, 0xcc, 0x90, 0x00 };
	static const uint8_t ok[] = { 0x90, 0x00 };
	struct agent *a = arg;
	struct vsim_event ev;
	uint8_t data[512];
	int n;

	for (;;) {
		n = vsim_read_event(a->card, &ev, data, sizeof(data));
		if (n < 0)
			return NULL;
		if (ev.type == VSIM_EV_PERSIST && ev.flags & VSIM_EV_F_ACK)
			vsim_ack(a->card, ev.seq, 0);
		if (ev.type == VSIM_EV_SLOW_APDU)
			break;
	}
	a->seq = ev.seq;
	a->capdu_len = ev.len;
	memcpy(a->capdu, data, ev.len < sizeof(a->capdu) ? ev.len : 0);
	switch (a->does) {
	case ANSWER_DATA:
		a->answered = slow_answer(a->card, ev.seq, data_ok,
					  sizeof(data_ok));
		break;
	case ANSWER_OK:
		a->answered = slow_answer(a->card, ev.seq, ok, sizeof(ok));
		break;
	case EXEC_PROACTIVE_OK:
		a->exec_adm = vsim_exec_sw(a->card, VSIM_PRIV_ADM, "00A4000C022FE2");
		a->exec_terminal = vsim_exec_sw(a->card, VSIM_PRIV_TERMINAL,
					   "80F2000000");
		a->queued = queue_proactive(a->card, 0x21, 0x80, 0x02,
					    text_tlv, sizeof(text_tlv));
		a->answered = slow_answer(a->card, ev.seq, ok, sizeof(ok));
		break;
	case NOTHING:
		break;
	case CLOSE_CARD:
		close(a->card);
		break;
	}
	return NULL;
}

FIXTURE(slow) {
	int ctl, card, term;
	unsigned int idx;
	struct agent agent;
};

FIXTURE_SETUP(slow)
{
	size_t len;
	void *img = vsim_load_image("test-usim.img", &len);

	ASSERT_NE(NULL, img);
	self->ctl = vsim_ctl_open();
	ASSERT_GE(self->ctl, 0);
	ASSERT_EQ(0, vsim_new_card(self->ctl, img, len,
				   VSIM_NEW_CARD_F_SLOW_PATH, &self->card,
				   &self->idx));
	free(img);
	self->term = vsim_term_open(self->idx, 0);
	ASSERT_GE(self->term, 0);
	ASSERT_EQ(0, vsim_power_on(self->term, NULL, NULL));
	self->agent.card = self->card;
}

FIXTURE_TEARDOWN(slow)
{
	close(self->term);
	if (self->card >= 0)
		close(self->card);
	close(self->ctl);
}

static void agent_start(struct agent *a, enum agent_does does)
{
	a->does = does;
	pthread_create(&a->thread, NULL, agent_main, a);
}

TEST_F(slow, the_agent_answers_and_the_card_shapes_it)
{
	uint8_t c[32], r[VSIM_RAPDU_MAX];
	int n = vsim_hex(ENV_SMS_PP, c, sizeof(c));

	agent_start(&self->agent, ANSWER_DATA);
	/* case 4 without Le: the data waits for GET RESPONSE */
	EXPECT_EQ(0x6103, vsim_sw_hex(self->term, ENV_SMS_PP));
	pthread_join(self->agent.thread, NULL);
	EXPECT_EQ(0, self->agent.answered);
	ASSERT_EQ(n, self->agent.capdu_len);
	EXPECT_EQ(0, memcmp(c, self->agent.capdu, n));
	ASSERT_EQ(5, vsim_transmit(self->term, (const uint8_t *)"\x00\xc0\x00\x00\x03",
				   5, r));
	EXPECT_EQ(0, memcmp(r, "\xaa\xbb\xcc\x90\x00", 5));
	/* answered once: the same seq again is nobody's */
	EXPECT_EQ(-ENOENT, slow_answer(self->card, self->agent.seq, "\x90\x00", 2));

	/* MENU SELECTION goes the same way */
	agent_start(&self->agent, ANSWER_DATA);
	EXPECT_EQ(0x6103, vsim_sw_hex(self->term, ENV_MENU));
	pthread_join(self->agent.thread, NULL);
	EXPECT_EQ(0xd3, self->agent.capdu[5]);
}

TEST_F(slow, the_agent_uses_the_card_while_the_terminal_waits)
{
	uint8_t fetch[5] = { 0x80, 0x12, 0x00, 0x00, 0x00 }, r[VSIM_RAPDU_MAX];
	int n;

	agent_start(&self->agent, EXEC_PROACTIVE_OK);
	/* the agent's proactive command is announced with the answer */
	n = vsim_sw_hex(self->term, ENV_SMS_PP);
	pthread_join(self->agent.thread, NULL);
	EXPECT_EQ(0x9000, self->agent.exec_adm);
	/* the terminal's own command is in flight: not as the terminal */
	EXPECT_EQ(-EBUSY, self->agent.exec_terminal);
	EXPECT_EQ(0, self->agent.queued);
	EXPECT_EQ(0, self->agent.answered);
	ASSERT_EQ(0x91, n >> 8);
	/* FETCH: D0 L, details 81 03 01 21 80, identities 82 02 81 02, text */
	fetch[4] = n & 0xff;
	n = vsim_transmit(self->term, fetch, sizeof(fetch), r);
	ASSERT_EQ(fetch[4] + 2, n);
	EXPECT_EQ(0xd0, r[0]);
	EXPECT_EQ(0x21, r[5]);
	EXPECT_EQ(0x80, r[6]);
	EXPECT_EQ(0x02, r[10]);
	EXPECT_EQ(0, memcmp(r + 11, text_tlv, sizeof(text_tlv)));
	/* and the terminal has its card back */
	EXPECT_EQ(0x9000, vsim_sw_hex(self->term, "00A4000C023F00"));
	/* outside a slow command the agent may act as the terminal again */
	EXPECT_EQ(0x9000, vsim_exec_sw(self->card, VSIM_PRIV_TERMINAL, "80F2000C00"));
}

TEST_F(slow, no_answer_is_6f00_and_a_late_one_is_refused)
{
	int old = vsim_param_get(PARAM_SLOW);

	ASSERT_GT(old, 0);
	ASSERT_EQ(0, vsim_param_set(PARAM_SLOW, 200));
	agent_start(&self->agent, NOTHING);
	EXPECT_EQ(0x6f00, vsim_sw_hex(self->term, ENV_SMS_PP));
	pthread_join(self->agent.thread, NULL);
	vsim_param_set(PARAM_SLOW, old);
	EXPECT_EQ(-ENOENT, slow_answer(self->card, self->agent.seq, "\x90\x00", 2));
	/* nothing is stuck: the next command and the next envelope work */
	EXPECT_EQ(0x9000, vsim_sw_hex(self->term, "00A4000C023F00"));
	agent_start(&self->agent, ANSWER_DATA);
	EXPECT_EQ(0x6103, vsim_sw_hex(self->term, ENV_SMS_PP));
	pthread_join(self->agent.thread, NULL);
}

TEST_F(slow, the_card_goes_while_the_terminal_waits)
{
	uint8_t c[32], r[VSIM_RAPDU_MAX];
	int n = vsim_hex(ENV_SMS_PP, c, sizeof(c));

	agent_start(&self->agent, CLOSE_CARD);
	EXPECT_EQ(-ENODEV, vsim_transmit(self->term, c, n, r));
	pthread_join(self->agent.thread, NULL);
	self->card = -1;
	EXPECT_EQ(-ENODEV, vsim_transmit(self->term, c, n, r));
}

TEST_F(slow, bad_arguments)
{
	uint8_t big[VSIM_PROACTIVE_TLVS_MAX + 1] = { 0 };
	struct vsim_slow_answer a = {
		.size = sizeof(a),
		.seq = 1,
		.rapdu = (uintptr_t)"\x90\x00",
		.rapdu_len = 2,
	};
	struct vsim_proactive_cmd p = {
		.size = sizeof(p),
		.type = 0x21,
		.dest = 0x02,
		.tlvs = (uintptr_t)text_tlv,
		.tlvs_len = sizeof(text_tlv),
	};

	/* nobody waits: a well-formed answer is nobody's */
	EXPECT_EQ(-ENOENT, slow_answer(self->card, 0, "\x90\x00", 2));
	EXPECT_EQ(-ENOENT, slow_answer(self->card, 12345, "\x90\x00", 2));
	EXPECT_EQ(-EINVAL, slow_answer(self->card, 1, "\x90", 1));
	EXPECT_EQ(-EINVAL, slow_answer(self->card, 1, big, VSIM_RAPDU_MAX + 1));
	EXPECT_EQ(-EFAULT, slow_answer(self->card, 1, NULL, 2));
	a.size--;
	EXPECT_EQ(-1, ioctl(self->card, VSIM_IOC_SLOW_ANSWER, &a));
	EXPECT_EQ(EINVAL, errno);
	a.size++;
	a.reserved = 1;
	EXPECT_EQ(-1, ioctl(self->card, VSIM_IOC_SLOW_ANSWER, &a));
	EXPECT_EQ(EINVAL, errno);
	a.reserved = 0;
	a.reserved2 = 1;
	EXPECT_EQ(-1, ioctl(self->card, VSIM_IOC_SLOW_ANSWER, &a));
	EXPECT_EQ(EINVAL, errno);

	/* TLVs that do not parse, too long, size and reserved fields */
	EXPECT_EQ(-EINVAL, queue_proactive(self->card, 0x21, 0x80, 0x02,
					   text_tlv, 4));
	EXPECT_EQ(-ENOSPC, queue_proactive(self->card, 0x21, 0x80, 0x02,
					   big, sizeof(big)));
	EXPECT_EQ(-EFAULT, queue_proactive(self->card, 0x21, 0x80, 0x02,
					   NULL, 4));
	p.size++;
	EXPECT_EQ(-1, ioctl(self->card, VSIM_IOC_QUEUE_PROACTIVE, &p));
	EXPECT_EQ(EINVAL, errno);
	p.size--;
	p.flags = 0x80;
	EXPECT_EQ(-1, ioctl(self->card, VSIM_IOC_QUEUE_PROACTIVE, &p));
	EXPECT_EQ(EINVAL, errno);
	/* held for the profile: only types the profile has a bit for */
	p.flags = VSIM_PROACTIVE_F_PROFILE;
	p.type = 0x40;		/* OPEN CHANNEL: byte 12, not offered */
	EXPECT_EQ(-1, ioctl(self->card, VSIM_IOC_QUEUE_PROACTIVE, &p));
	EXPECT_EQ(EINVAL, errno);
	p.type = 0x21;
	p.flags = 0;
	p.reserved2 = 1;
	EXPECT_EQ(-1, ioctl(self->card, VSIM_IOC_QUEUE_PROACTIVE, &p));
	EXPECT_EQ(EINVAL, errno);
	/* none of it reached the terminal */
	EXPECT_EQ(0x9000, vsim_sw_hex(self->term, "00A4000C023F00"));
	/* the well-formed one does */
	p.reserved2 = 0;
	EXPECT_EQ(0, ioctl(self->card, VSIM_IOC_QUEUE_PROACTIVE, &p));
	EXPECT_EQ(0x91, vsim_sw_hex(self->term, "00A4000C023F00") >> 8);
}

/* SET UP MENU offered at power-on: only a terminal that declares it sees it */
TEST_F(slow, offered_only_after_a_profile_that_declares_it)
{
	uint8_t fetch[5] = { 0x80, 0x12, 0x00, 0x00, 0x00 }, r[VSIM_RAPDU_MAX];
	static const uint8_t menu[] = { 0x85, 0x01, 'm', 0x0f, 0x02, 0x01, 'a' };
	int sw, n;

	ASSERT_EQ(0, queue_proactive_flags(self->card, 0x25, 0x00, 0x82, menu,
					   sizeof(menu), VSIM_PROACTIVE_F_PROFILE));
	/* held: no 91xx, nothing to FETCH before the profile */
	EXPECT_EQ(0x9000, vsim_sw_hex(self->term, "00A4000C023F00"));
	EXPECT_EQ(0x6f00, vsim_sw_hex(self->term, "8012000010"));
	/* a profile with SET UP MENU (byte 4 b6): announced */
	sw = vsim_sw_hex(self->term, "801000000401000020");
	ASSERT_EQ(0x91, sw >> 8);
	fetch[4] = sw & 0xff;
	n = vsim_transmit(self->term, fetch, sizeof(fetch), r);
	ASSERT_EQ(fetch[4] + 2, n);
	EXPECT_EQ(0x25, r[5]);

	/* next power cycle: a profile without it drops the offer */
	ASSERT_EQ(0, vsim_power_on(self->term, NULL, NULL));
	ASSERT_EQ(0, queue_proactive_flags(self->card, 0x25, 0x00, 0x82, menu,
					   sizeof(menu), VSIM_PROACTIVE_F_PROFILE));
	EXPECT_EQ(0x9000, vsim_sw_hex(self->term, "801000000401000000"));
	EXPECT_EQ(0x9000, vsim_sw_hex(self->term, "00A4000C023F00"));
	/* and a later offer is refused outright */
	EXPECT_EQ(-EOPNOTSUPP,
		  queue_proactive_flags(self->card, 0x25, 0x00, 0x82, menu,
					sizeof(menu), VSIM_PROACTIVE_F_PROFILE));
	/* what is not held still goes out */
	EXPECT_EQ(0, queue_proactive(self->card, 0x21, 0x80, 0x02, text_tlv,
				     sizeof(text_tlv)));
	EXPECT_EQ(0x91, vsim_sw_hex(self->term, "00A4000C023F00") >> 8);
}

/*
 * BIP (TS 102 223 §6.4.27): the agent's OPEN CHANNEL goes out only to a
 * terminal whose profile declares it (VSIM_PROACTIVE_F_DECLARED), and its
 * TERMINAL RESPONSE and the channel events come to the agent as slow-path
 * records (VSIM_PROACTIVE_F_RESPONSE); the agent's 9000 ends the command.
 */
TEST_F(slow, bip_responses_and_events_go_to_the_agent)
{
	/* default bearer, buffer 1400, TCP client remote 4443, 127.0.0.1 */
	static const uint8_t open[] = { 0xb5, 0x01, 0x03, 0xb9, 0x02, 0x05, 0x78,
					0xbc, 0x03, 0x02, 0x11, 0x5b, 0xbe, 0x05,
					0x21, 0x7f, 0x00, 0x00, 0x01 };
	static const char tr[] = "8014000017810301400182028281830107B8028100B50103B9020400";
	static const char ev[] = "80C2000010D60E99010982028281B8028100B7012A";
	const uint8_t f = VSIM_PROACTIVE_F_DECLARED | VSIM_PROACTIVE_F_RESPONSE;
	uint8_t want[64], r[VSIM_RAPDU_MAX];
	int n;

	EXPECT_EQ(-EOPNOTSUPP, queue_proactive_flags(self->card, 0x40, 0x01, 0x82,
						     open, sizeof(open), f));
	/* a profile without byte 17 b1 (TCP, UICC client, remote) */
	EXPECT_EQ(0x9000, vsim_sw_hex(self->term,
				      "801000001100000000010C00000000001F2000000000"));
	EXPECT_EQ(-EOPNOTSUPP, queue_proactive_flags(self->card, 0x40, 0x01, 0x82,
						     open, sizeof(open), f));
	EXPECT_EQ(0x9000, vsim_sw_hex(self->term,
				      "801000001100000000010C00000000001F2000000001"));
	ASSERT_EQ(0, queue_proactive_flags(self->card, 0x40, 0x01, 0x82, open,
					   sizeof(open), f));
	EXPECT_EQ(0x911e, vsim_sw_hex(self->term, "00A4000C023F00"));
	n = vsim_hex("801200001E", want, sizeof(want));
	EXPECT_EQ(0x1e + 2, vsim_transmit(self->term, want, n, r));
	EXPECT_EQ(0x40, r[5]);
	/* the TERMINAL RESPONSE: the agent's, as the terminal sent it */
	agent_start(&self->agent, ANSWER_OK);
	EXPECT_EQ(0x9000, vsim_sw_hex(self->term, tr));
	pthread_join(self->agent.thread, NULL);
	EXPECT_EQ(0, self->agent.answered);
	n = vsim_hex(tr, want, sizeof(want));
	ASSERT_EQ(n, self->agent.capdu_len);
	EXPECT_EQ(0, memcmp(want, self->agent.capdu, n));
	/* its 9000 ended the command */
	EXPECT_EQ(0x6f00, vsim_sw_hex(self->term, "801200001E"));
	/* Data available: the agent's too */
	agent_start(&self->agent, ANSWER_OK);
	EXPECT_EQ(0x9000, vsim_sw_hex(self->term, ev));
	pthread_join(self->agent.thread, NULL);
	n = vsim_hex(ev, want, sizeof(want));
	ASSERT_EQ(n, self->agent.capdu_len);
	EXPECT_EQ(0, memcmp(want, self->agent.capdu, n));
	/* other events stay the card's: acknowledged, no record */
	EXPECT_EQ(0x9000, vsim_sw_hex(self->term, "80C2000005D603990105"));
	/* F_PROFILE and F_DECLARED together make no sense */
	EXPECT_EQ(-EINVAL, queue_proactive_flags(self->card, 0x25, 0x00, 0x82,
						 open, sizeof(open),
						 VSIM_PROACTIVE_F_PROFILE |
						 VSIM_PROACTIVE_F_DECLARED));
}

/* Without VSIM_NEW_CARD_F_SLOW_PATH the toolkit is busy, no record queued. */
TEST(without_the_flag_9300)
{
	struct vsim_event ev;
	uint8_t data[512];
	unsigned int idx;
	int ctl, card, term, n;
	size_t len;
	void *img = vsim_load_image("test-usim.img", &len);

	ASSERT_NE(NULL, img);
	ctl = vsim_ctl_open();
	ASSERT_GE(ctl, 0);
	ASSERT_EQ(0, vsim_new_card(ctl, img, len, VSIM_NEW_CARD_F_VOLATILE,
				   &card, &idx));
	free(img);
	term = vsim_term_open(idx, 0);
	ASSERT_GE(term, 0);
	ASSERT_EQ(0, vsim_power_on(term, NULL, NULL));
	EXPECT_EQ(0x9300, vsim_sw_hex(term, ENV_SMS_PP));
	/* nobody could take a TERMINAL RESPONSE: refused */
	EXPECT_EQ(-EOPNOTSUPP, queue_proactive_flags(card, 0x21, 0x80, 0x02,
						     text_tlv, sizeof(text_tlv),
						     VSIM_PROACTIVE_F_RESPONSE));
	fcntl(card, F_SETFL, O_NONBLOCK);
	while ((n = vsim_read_event(card, &ev, data, sizeof(data))) >= 0)
		EXPECT_NE(VSIM_EV_SLOW_APDU, ev.type);
	EXPECT_EQ(-EAGAIN, n);
	close(term);
	close(card);
	close(ctl);
}

VSIM_TEST_MAIN
