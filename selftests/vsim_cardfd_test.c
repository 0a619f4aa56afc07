// SPDX-License-Identifier: GPL-2.0-only
/*
 * The card fd, the agent's side: power records, durable-before-9000 (a
 * change waits for the agent's ack), ack ordering, the timeout (6F00) and
 * a signal during the wait, the card fd closing under a blocked terminal,
 * GET_STATE and GET_STATS.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vsim_lib.h"

/* Wrong PIN1: the retry counter is decremented durably first. */
#define VERIFY_WRONG	"0020000108393939393939FFFF"
#define SELECT_EF	"00A4000C022F00"
#define UPDATE_EF	"00D6000004A1A2A3A4"
#define READ_EF		"00B0000004"

FIXTURE(agent) {
	int ctl;
	int card;
	unsigned int idx;
	int term;
	int old_timeout;
};

FIXTURE_VARIANT(agent) {
	uint32_t flags;
};

FIXTURE_VARIANT_ADD(agent, durable) {
	.flags = 0,
};

FIXTURE_SETUP(agent)
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
	ASSERT_EQ(0, vsim_new_card(self->ctl, img, len, variant->flags,
				   &self->card, &self->idx));
	free(img);
	self->term = vsim_term_open(self->idx, 0);
	ASSERT_GE(self->term, 0);
	ASSERT_EQ(0, vsim_power_on(self->term, NULL, NULL));
	self->old_timeout = vsim_param_get(VSIM_PARAM_TIMEOUT);
	ASSERT_GT(self->old_timeout, 0);
}

FIXTURE_TEARDOWN(agent)
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

/* Skip records until one of @type; its seq, or 0 when none is queued. */
static uint64_t next_of(int card, uint16_t type, struct vsim_event *ev,
			uint8_t *data, size_t max)
{
	int n;

	for (;;) {
		n = vsim_read_event(card, ev, data, max);
		if (n < 0)
			return 0;
		if (ev->type == type)
			return ev->seq;
	}
}

/* An address no process has mapped, hidden from the compiler's checks. */
static void *volatile bad_ptr = (void *)16;

struct transmit_job {
	int term;
	const char *hex;
	int sw;			/* result: SW or -errno */
	pthread_t th;
};

static void *transmit_thread(void *arg)
{
	struct transmit_job *j = arg;

	j->sw = vsim_sw_hex(j->term, j->hex);
	return NULL;
}

static void start_job(struct transmit_job *j, int term, const char *hex)
{
	j->term = term;
	j->hex = hex;
	j->sw = -1000;
	pthread_create(&j->th, NULL, transmit_thread, j);
}

TEST_F(agent, power_records)
{
	struct vsim_event ev;
	int fl;

	ASSERT_EQ(0, vsim_power_off(self->term));
	ASSERT_EQ(0, vsim_power_on(self->term, NULL, NULL));
	/* From setup: ON; then OFF, ON; seq increases by one each. */
	ASSERT_GT(vsim_read_event(self->card, &ev, NULL, 0), 0);
	EXPECT_EQ(VSIM_EV_POWER, ev.type);
	EXPECT_EQ(VSIM_POWER_ON, ev.arg);
	EXPECT_EQ(0, ev.flags & VSIM_EV_F_ACK);
	ASSERT_GT(vsim_read_event(self->card, &ev, NULL, 0), 0);
	EXPECT_EQ(VSIM_POWER_OFF, ev.arg);
	ASSERT_GT(vsim_read_event(self->card, &ev, NULL, 0), 0);
	EXPECT_EQ(VSIM_POWER_ON, ev.arg);
	EXPECT_EQ(3, ev.seq);

	fl = fcntl(self->card, F_GETFL);
	ASSERT_EQ(0, fcntl(self->card, F_SETFL, fl | O_NONBLOCK));
	EXPECT_EQ(-EAGAIN, vsim_read_event(self->card, &ev, NULL, 0));
	{
		struct pollfd p = { .fd = self->card, .events = POLLIN };

		EXPECT_EQ(0, poll(&p, 1, 0));
	}
}

TEST_F(agent, small_read_buffer)
{
	struct vsim_event ev;
	char small[8];

	EXPECT_EQ(-1, read(self->card, small, sizeof(small)));
	EXPECT_EQ(EMSGSIZE, errno);
	/* The record is still there. */
	ASSERT_EQ(sizeof(ev), read(self->card, &ev, sizeof(ev)));
	EXPECT_EQ(VSIM_EV_POWER, ev.type);
}

/* The command completes only after the ack; its data is in the record. */
TEST_F(agent, durable_before_9000)
{
	struct transmit_job job;
	struct vsim_event ev;
	uint8_t data[VSIM_IMAGE_MAX_SIZE];
	uint64_t seq;

	ASSERT_EQ(0x9000, vsim_sw_hex(self->term, SELECT_EF));
	start_job(&job, self->term, UPDATE_EF);
	seq = next_of(self->card, VSIM_EV_PERSIST, &ev, data, sizeof(data));
	ASSERT_NE(0, seq);
	EXPECT_TRUE(ev.flags & VSIM_EV_F_ACK);
	EXPECT_EQ(4, ev.len);
	EXPECT_EQ(0, memcmp(data, "\xa1\xa2\xa3\xa4", 4));
	/* Not answered yet. */
	usleep(100000);
	EXPECT_EQ(-1000, job.sw);
	ASSERT_EQ(0, vsim_ack(self->card, seq, 0));
	pthread_join(job.th, NULL);
	EXPECT_EQ(0x9000, job.sw);
	/* A second ack of the same record: nobody waits for it. */
	EXPECT_EQ(-ENOENT, vsim_ack(self->card, seq, 0));
	/* The change took: read it back. */
	{
		uint8_t c[16], r[VSIM_RAPDU_MAX];
		int n = vsim_hex(READ_EF, c, sizeof(c));

		ASSERT_EQ(6, vsim_transmit(self->term, c, n, r));
		EXPECT_EQ(0, memcmp(r, "\xa1\xa2\xa3\xa4\x90\x00", 6));
	}
}

/* The agent refuses: 6581 and nothing changes. */
TEST_F(agent, agent_refuses)
{
	struct transmit_job job;
	struct vsim_event ev;
	uint8_t data[64];
	uint64_t seq;

	ASSERT_EQ(0x9000, vsim_sw_hex(self->term, SELECT_EF));
	start_job(&job, self->term, UPDATE_EF);
	seq = next_of(self->card, VSIM_EV_PERSIST, &ev, data, sizeof(data));
	ASSERT_NE(0, seq);
	ASSERT_EQ(0, vsim_ack(self->card, seq, -EIO));
	pthread_join(job.th, NULL);
	EXPECT_EQ(0x6581, job.sw);
	{
		uint8_t c[16], r[VSIM_RAPDU_MAX];
		int n = vsim_hex(READ_EF, c, sizeof(c));

		ASSERT_EQ(6, vsim_transmit(self->term, c, n, r));
		EXPECT_EQ(0, memcmp(r, "\xff\xff\xff\xff\x90\x00", 6));
	}
}

TEST_F(agent, ack_ordering_and_bad_acks)
{
	struct transmit_job job;
	struct vsim_event ev;
	struct vsim_ack a;
	uint8_t data[64];
	uint64_t seq, prev = 0;
	int i;

	ASSERT_EQ(0x9000, vsim_sw_hex(self->term, SELECT_EF));
	for (i = 0; i < 5; i++) {
		start_job(&job, self->term, UPDATE_EF);
		seq = next_of(self->card, VSIM_EV_PERSIST, &ev, data,
			      sizeof(data));
		ASSERT_NE(0, seq);
		EXPECT_GT(seq, prev);
		/* Any other seq, earlier or later, is not the one waiting. */
		EXPECT_EQ(-ENOENT, vsim_ack(self->card, seq + 1, 0));
		EXPECT_EQ(-ENOENT, vsim_ack(self->card, seq - 1, 0));
		EXPECT_EQ(-ENOENT, vsim_ack(self->card, 0, 0));
		/* Malformed acks. */
		EXPECT_EQ(-EINVAL, vsim_ack(self->card, seq, 1));
		EXPECT_EQ(-EINVAL, vsim_ack(self->card, seq, -100000));
		memset(&a, 0, sizeof(a));
		a.seq = seq;
		a.reserved = 1;
		EXPECT_EQ(-1, write(self->card, &a, sizeof(a)));
		EXPECT_EQ(EINVAL, errno);
		a.reserved = 0;
		EXPECT_EQ(-1, write(self->card, &a, sizeof(a) - 1));
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(-1, write(self->card, bad_ptr, sizeof(a)));
		EXPECT_EQ(EFAULT, errno);
		/* The right one. */
		ASSERT_EQ(0, vsim_ack(self->card, seq, 0));
		pthread_join(job.th, NULL);
		EXPECT_EQ(0x9000, job.sw);
		prev = seq;
	}
}

/*
 * No ack within persist_timeout_ms: 6F00, nothing changed, late ack
 * refused; a record the agent had not read yet is withdrawn.
 */
TEST_F(agent, timeout_6f00)
{
	struct transmit_job job;
	struct vsim_event ev;
	uint8_t data[64];
	struct timespec t0, t1;
	uint64_t seq;
	long ms;
	int fl;

	ASSERT_EQ(0, vsim_param_set(VSIM_PARAM_TIMEOUT, 300));
	ASSERT_EQ(0x9000, vsim_sw_hex(self->term, SELECT_EF));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	EXPECT_EQ(0x6f00, vsim_sw_hex(self->term, UPDATE_EF));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	/* the bound only tells "timed out" from "waited forever": wide, as
	 * TCG on a loaded host can stall a vCPU for seconds */
	EXPECT_GE(ms, 250);
	EXPECT_LT(ms, 15000);
	fl = fcntl(self->card, F_GETFL);
	ASSERT_EQ(0, fcntl(self->card, F_SETFL, fl | O_NONBLOCK));
	EXPECT_EQ(0, next_of(self->card, VSIM_EV_PERSIST, &ev, data,
			     sizeof(data)));
	ASSERT_EQ(0, fcntl(self->card, F_SETFL, fl));
	/* read while the terminal waits, never acked: the late ack is refused */
	start_job(&job, self->term, UPDATE_EF);
	seq = next_of(self->card, VSIM_EV_PERSIST, &ev, data, sizeof(data));
	ASSERT_NE(0, seq);
	pthread_join(job.th, NULL);
	EXPECT_EQ(0x6f00, job.sw);
	EXPECT_EQ(-ENOENT, vsim_ack(self->card, seq, 0));
	{
		uint8_t c[16], r[VSIM_RAPDU_MAX];
		int n = vsim_hex(READ_EF, c, sizeof(c));

		ASSERT_EQ(6, vsim_transmit(self->term, c, n, r));
		EXPECT_EQ(0, memcmp(r, "\xff\xff\xff\xff\x90\x00", 6));
	}
	/* A wrong PIN is counted durably first: without the agent, no count. */
	EXPECT_EQ(0x6f00, vsim_sw_hex(self->term, VERIFY_WRONG));
	EXPECT_EQ(0x63c3, vsim_sw_hex(self->term, "00200001"));
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* A signal ends the wait with EINTR; the command had no effect. */
TEST_F(agent, signal_interrupts_wait)
{
	/* repeating, so a signal lands inside the wait however late the
	 * vCPU gets there */
	struct itimerval every = { { 0, 200000 }, { 0, 200000 } };
	struct itimerval stop = { 0 };
	struct sigaction sa = { .sa_handler = on_alarm };
	uint8_t c[16], r[VSIM_RAPDU_MAX];
	int n;

	ASSERT_EQ(0, vsim_param_set(VSIM_PARAM_TIMEOUT, 10000));
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));	/* no SA_RESTART */
	ASSERT_EQ(0x9000, vsim_sw_hex(self->term, SELECT_EF));
	n = vsim_hex(UPDATE_EF, c, sizeof(c));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &every, NULL));
	EXPECT_EQ(-EINTR, vsim_transmit(self->term, c, n, r));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &stop, NULL));
	n = vsim_hex(READ_EF, c, sizeof(c));
	ASSERT_EQ(6, vsim_transmit(self->term, c, n, r));
	EXPECT_EQ(0, memcmp(r, "\xff\xff\xff\xff\x90\x00", 6));
}

/* The agent goes away while a terminal waits for it: -ENODEV at once. */
TEST_F(agent, card_fd_closed_while_terminal_blocked)
{
	struct transmit_job job;
	struct vsim_event ev;
	uint8_t data[64];
	struct timespec t0, t1;
	long ms;

	ASSERT_EQ(0, vsim_param_set(VSIM_PARAM_TIMEOUT, 20000));
	ASSERT_EQ(0x9000, vsim_sw_hex(self->term, SELECT_EF));
	start_job(&job, self->term, UPDATE_EF);
	ASSERT_NE(0, next_of(self->card, VSIM_EV_PERSIST, &ev, data,
			     sizeof(data)));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	close(self->card);
	self->card = -1;
	pthread_join(job.th, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	EXPECT_EQ(-ENODEV, job.sw);
	EXPECT_LT(ms, 10000);	/* well before the 20 s timeout */
	EXPECT_EQ(-ENODEV, vsim_sw_hex(self->term, READ_EF));
}

TEST_F(agent, get_state_and_stats)
{
	struct vsim_state st = { .size = sizeof(st) };
	struct vsim_stats s = { .size = sizeof(s) };
	struct vsim_exec ex = { .size = sizeof(ex) };
	uint8_t *buf;

	/* Size query: too small a buffer tells the size needed. */
	EXPECT_NE(0, ioctl(self->card, VSIM_IOC_GET_STATE, &st));
	EXPECT_EQ(ENOSPC, errno);
	ASSERT_GT(st.len, 0);
	buf = malloc(st.len);
	ASSERT_NE(NULL, buf);
	st.buf = (uintptr_t)buf;
	ASSERT_EQ(0, ioctl(self->card, VSIM_IOC_GET_STATE, &st));
	EXPECT_GT(st.seq, 0);
	st.buf = 8;
	EXPECT_NE(0, ioctl(self->card, VSIM_IOC_GET_STATE, &st));
	EXPECT_EQ(EFAULT, errno);
	st.size = 4;
	EXPECT_NE(0, ioctl(self->card, VSIM_IOC_GET_STATE, &st));
	EXPECT_EQ(EINVAL, errno);
	free(buf);

	ASSERT_EQ(0x9000, vsim_sw_hex(self->term, SELECT_EF));
	ASSERT_EQ(0, ioctl(self->card, VSIM_IOC_GET_STATS, &s));
	EXPECT_EQ(1, s.apdus);
	s.size = 0;
	EXPECT_NE(0, ioctl(self->card, VSIM_IOC_GET_STATS, &s));
	EXPECT_EQ(EINVAL, errno);

	/* EXEC's own tests: vsim_exec_test.c; an empty C-APDU is refused */
	EXPECT_NE(0, ioctl(self->card, VSIM_IOC_EXEC, &ex));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_NE(0, ioctl(self->card, _IO(VSIM_IOC_MAGIC, 0x7f)));
	EXPECT_EQ(ENOTTY, errno);
}

VSIM_TEST_MAIN
