// SPDX-License-Identifier: GPL-2.0-only
/*
 * The agent's record queue stays bounded whatever the terminal does: a
 * terminal hammering UPDATE BINARY with signals (or timeouts) against an
 * agent that never reads, a full queue (docs/uapi.md: at most 1024
 * records per card) answering durable changes with 6581 instead of growing,
 * and the slow path's ENVELOPEs (6F00 unanswered, 9300 when full).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vsim_lib.h"

#define QUEUE_MAX	1024	/* docs/uapi.md, "read() — records" */
#define HAMMER_MAX_S	150	/* the signal hammer's cap: a hang, not a measure */
#define SELECT_EF	"00A4000C022F00"
#define UPDATE_EF	"00D6000004A1A2A3A4"

FIXTURE(queue) {
	int ctl;
	int card;
	unsigned int idx;
	int term;
	int old_timeout;
};

FIXTURE_SETUP(queue)
{
	size_t len;
	void *img;

	self->card = -1;
	self->term = -1;
	self->old_timeout = -1;
	self->ctl = vsim_ctl_open();
	if (self->ctl == -ENOENT)
		SKIP(return, "vsim.ko not loaded (no " VSIM_CTL_PATH ")");
	ASSERT_GE(self->ctl, 0);
	img = vsim_test_image(&len);
	ASSERT_NE(NULL, img);
	/* durable: every change waits for the agent's ack */
	ASSERT_EQ(0, vsim_new_card(self->ctl, img, len, 0, &self->card,
				   &self->idx));
	free(img);
	self->term = vsim_term_open(self->idx, 0);
	ASSERT_GE(self->term, 0);
	ASSERT_EQ(0, vsim_power_on(self->term, NULL, NULL));
	ASSERT_EQ(0x9000, vsim_sw_hex(self->term, SELECT_EF));
	self->old_timeout = vsim_param_get(VSIM_PARAM_TIMEOUT);
	ASSERT_GT(self->old_timeout, 0);
}

FIXTURE_TEARDOWN(queue)
{
	if (self->old_timeout > 0)
		vsim_param_set(VSIM_PARAM_TIMEOUT, self->old_timeout);
	if (self->term >= 0)
		close(self->term);
	if (self->card >= 0)
		close(self->card);
	if (self->ctl >= 0)
		close(self->ctl);
}

/* Read every queued record without blocking: how many there were. */
static int drain(int card, unsigned int *lost_flags)
{
	struct vsim_event ev;
	int fl = fcntl(card, F_GETFL), n = 0;

	fcntl(card, F_SETFL, fl | O_NONBLOCK);
	while (vsim_read_event(card, &ev, NULL, 0) > 0) {
		if (lost_flags && (ev.flags & VSIM_EV_F_LOST))
			(*lost_flags)++;
		n++;
	}
	fcntl(card, F_SETFL, fl);
	return n;
}

/* sysfs "queued", or -1 on a module without it */
static int queued(unsigned int idx)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/class/vsim/vsim%u/queued", idx);
	return vsim_param_get(path);
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 +
	       (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

static void on_signal(int sig)
{
	(void)sig;
}

struct hammer {
	int term;
	volatile int stop;
	unsigned int ops, eintr, sw6f00, sw6581, sw9000, other;
	int other_what;
};

static void *hammer_thread(void *p)
{
	struct hammer *h = p;
	int sw;

	while (!h->stop) {
		sw = vsim_sw_hex(h->term, UPDATE_EF);
		h->ops++;
		if (sw == -EINTR) {
			h->eintr++;
		} else if (sw == 0x6f00) {
			h->sw6f00++;
		} else if (sw == 0x6581) {
			h->sw6581++;
		} else if (sw == 0x9000) {
			h->sw9000++;
		} else {
			h->other++;
			h->other_what = sw;
		}
	}
	return NULL;
}

/*
 * An unprivileged terminal's UPDATE BINARYs, each cut short by a signal,
 * while the agent reads nothing: however many, the queue never holds more
 * than the stated maximum, and each command ends in EINTR, 6F00 or 6581.
 */
TEST_F_TIMEOUT(queue, signal_hammer_stays_bounded, HAMMER_MAX_S + 30)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct hammer h = { .term = self->term };
	struct timespec t0, now, nap = { 0, 100 * 1000 };
	unsigned int max_seen = 0;
	pthread_t th;
	int q, n;

	ASSERT_EQ(0, vsim_param_set(VSIM_PARAM_TIMEOUT, 10000));
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));	/* no SA_RESTART */
	ASSERT_EQ(0, pthread_create(&th, NULL, hammer_thread, &h));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/*
	 * Until the old queue would have overflowed 3 times: a count, not a
	 * time. A loaded debug kernel managed 781 signals in 20 s, so the
	 * cap is only there to end a hang.
	 */
	for (;;) {
		pthread_kill(th, SIGUSR1);
		nanosleep(&nap, NULL);
		q = queued(self->idx);
		if (q > (int)max_seen)
			max_seen = q;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (h.ops > 3 * QUEUE_MAX || now.tv_sec - t0.tv_sec >= HAMMER_MAX_S)
			break;
	}
	h.stop = 1;
	/* the last command may wait for its ack: a signal ends it */
	while (pthread_tryjoin_np(th, NULL)) {
		pthread_kill(th, SIGUSR1);
		nanosleep(&nap, NULL);
	}
	n = drain(self->card, NULL);
	TH_LOG("%u UPDATEs: %u EINTR, %u 6F00, %u 6581, %u 9000; records queued at the end %d, most seen in sysfs %u",
	       h.ops, h.eintr, h.sw6f00, h.sw6581, h.sw9000, n, max_seen);
	ASSERT_GT(h.ops, QUEUE_MAX);	/* enough to overflow an unbounded queue */
	EXPECT_EQ(0, h.other);
	if (h.other)
		TH_LOG("unexpected answer %d", h.other_what);
	EXPECT_EQ(0, h.sw9000);		/* nobody acked */
	EXPECT_LE(n, QUEUE_MAX);
	EXPECT_LE(max_seen, QUEUE_MAX);
	/* 1 (power on) + what is left: abandoned changes do not stay */
	EXPECT_GE(queued(self->idx), 0);
}

/*
 * A full queue refuses the change the terminal's command would wait on:
 * 6581 at once (memory problem), the card unchanged, the queue no longer.
 */
TEST_F(queue, full_queue_answers_6581)
{
	uint8_t c[16], r[VSIM_RAPDU_MAX];
	unsigned int lost = 0, i;
	struct timespec t0, t1;
	long ms;
	int n;

	/* a wait would last 20 s: far from a refusal even on a stalled vCPU */
	ASSERT_EQ(0, vsim_param_set(VSIM_PARAM_TIMEOUT, 20000));
	/* power records fill the queue; beyond it they are dropped */
	for (i = 0; i < QUEUE_MAX + 16; i++)
		ASSERT_EQ(0, vsim_power_on(self->term, NULL, NULL));
	ASSERT_EQ(0x9000, vsim_sw_hex(self->term, SELECT_EF));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	EXPECT_EQ(0x6581, vsim_sw_hex(self->term, UPDATE_EF));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	EXPECT_LT(ms, 10000);		/* refused, not waited for */
	/* the agent's own durable change is refused too, not lost */
	EXPECT_EQ(0x9000, vsim_exec_sw(self->card, VSIM_PRIV_ADM, SELECT_EF));
	EXPECT_EQ(0x6581, vsim_exec_sw(self->card, VSIM_PRIV_ADM, UPDATE_EF));
	EXPECT_EQ(QUEUE_MAX, queued(self->idx));

	n = drain(self->card, &lost);
	EXPECT_EQ(QUEUE_MAX, n);
	EXPECT_EQ(0, queued(self->idx));
	/* nothing was written: EF 2F00 still holds FF */
	n = vsim_hex("00B0000004", c, sizeof(c));
	ASSERT_EQ(6, vsim_transmit(self->term, c, n, r));
	EXPECT_EQ(0, memcmp(r, "\xff\xff\xff\xff\x90\x00", 6));

	/* drained: the change is queued again (and times out unacked) */
	ASSERT_EQ(0, vsim_param_set(VSIM_PARAM_TIMEOUT, 200));
	EXPECT_EQ(0x6f00, vsim_sw_hex(self->term, UPDATE_EF));
	/* the timed-out record was withdrawn: nothing left for the agent */
	EXPECT_EQ(0, queued(self->idx));
}

#define PARAM_SLOW	"/sys/module/vsim/parameters/slow_timeout_ms"
#define ENV_SMS_PP	"80C2000005D103010203"

/*
 * The slow path: an ENVELOPE nobody answers leaves no record behind, and
 * with the queue full it answers 9300 (toolkit busy) at once.
 */
TEST(slow_path_stays_bounded)
{
	struct timespec t0;
	unsigned int idx, i;
	int ctl, card, term, old, n;
	size_t len;
	void *img;
	long ms;

	ctl = vsim_ctl_open();
	ASSERT_GE(ctl, 0);
	img = vsim_load_image("test-usim.img", &len);
	ASSERT_NE(NULL, img);
	ASSERT_EQ(0, vsim_new_card(ctl, img, len, VSIM_NEW_CARD_F_SLOW_PATH |
				   VSIM_NEW_CARD_F_VOLATILE, &card, &idx));
	free(img);
	term = vsim_term_open(idx, 0);
	ASSERT_GE(term, 0);
	ASSERT_EQ(0, vsim_power_on(term, NULL, NULL));
	old = vsim_param_get(PARAM_SLOW);
	ASSERT_GT(old, 0);
	ASSERT_EQ(0, vsim_param_set(PARAM_SLOW, 200));

	/* unanswered: 6F00, and only the power-on record is left */
	EXPECT_EQ(0x6f00, vsim_sw_hex(term, ENV_SMS_PP));
	EXPECT_EQ(0x6f00, vsim_sw_hex(term, ENV_SMS_PP));
	n = drain(card, NULL);
	EXPECT_EQ(1, n);

	/* a wait would now last 20 s: far from a refusal on a stalled vCPU */
	ASSERT_EQ(0, vsim_param_set(PARAM_SLOW, 20000));
	for (i = 0; i < QUEUE_MAX + 16; i++)
		ASSERT_EQ(0, vsim_power_on(term, NULL, NULL));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	EXPECT_EQ(0x9300, vsim_sw_hex(term, ENV_SMS_PP));
	ms = ms_since(&t0);
	EXPECT_LT(ms, 10000);		/* refused, not waited for */
	n = drain(card, NULL);
	EXPECT_EQ(QUEUE_MAX, n);

	vsim_param_set(PARAM_SLOW, old);
	close(term);
	close(card);
	close(ctl);
}

VSIM_TEST_MAIN
