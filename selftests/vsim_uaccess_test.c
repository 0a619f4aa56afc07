// SPDX-License-Identifier: GPL-2.0-only
/*
 * The terminal's user copies happen outside the card's locks: a terminal
 * whose C-APDU or R-APDU buffer faults (here: a userfaultfd page nobody
 * serves yet) must not keep the agent's ioctls and sysfs out of the card.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vsim_lib.h"

#define SELECT_MF	"00A4000C023F00"

enum which {
	TRANSMIT_CAPDU,		/* copy in of the C-APDU */
	TRANSMIT_RAPDU,		/* copy out of the R-APDU */
	WRITE_CAPDU,		/* write(): copy in */
	READ_RAPDU,		/* read(): copy out */
};

FIXTURE(uaccess) {
	int ctl;
	int card;
	unsigned int idx;
	int term;
	int uffd;
	uint8_t *page;
	long psize;
};

FIXTURE_VARIANT(uaccess) {
	enum which which;
};

FIXTURE_VARIANT_ADD(uaccess, transmit_capdu) { .which = TRANSMIT_CAPDU };
FIXTURE_VARIANT_ADD(uaccess, transmit_rapdu) { .which = TRANSMIT_RAPDU };
FIXTURE_VARIANT_ADD(uaccess, write_capdu) { .which = WRITE_CAPDU };
FIXTURE_VARIANT_ADD(uaccess, read_rapdu) { .which = READ_RAPDU };

FIXTURE_SETUP(uaccess)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	size_t len;
	void *img;

	self->card = -1;
	self->term = -1;
	self->uffd = -1;
	self->page = MAP_FAILED;
	self->ctl = vsim_ctl_open();
	if (self->ctl == -ENOENT)
		SKIP(return, "vsim.ko not loaded (no " VSIM_CTL_PATH ")");
	ASSERT_GE(self->ctl, 0);
	img = vsim_test_image(&len);
	ASSERT_NE(NULL, img);
	ASSERT_EQ(0, vsim_new_card(self->ctl, img, len,
				   VSIM_NEW_CARD_F_VOLATILE, &self->card,
				   &self->idx));
	free(img);
	self->term = vsim_term_open(self->idx, 0);
	ASSERT_GE(self->term, 0);
	ASSERT_EQ(0, vsim_power_on(self->term, NULL, NULL));

	/* kernel faults too: no UFFD_USER_MODE_ONLY (the tests run as root) */
	self->uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (self->uffd < 0)
		SKIP(return, "no userfaultfd: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(self->uffd, UFFDIO_API, &api));
	self->psize = sysconf(_SC_PAGESIZE);
	self->page = mmap(NULL, self->psize, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->page);
	reg.range.start = (uintptr_t)self->page;
	reg.range.len = self->psize;
	ASSERT_EQ(0, ioctl(self->uffd, UFFDIO_REGISTER, &reg));
}

FIXTURE_TEARDOWN(uaccess)
{
	if (self->page != MAP_FAILED)
		munmap(self->page, self->psize);
	if (self->uffd >= 0)
		close(self->uffd);
	if (self->term >= 0)
		close(self->term);
	if (self->card >= 0)
		close(self->card);
	if (self->ctl >= 0)
		close(self->ctl);
}

struct job {
	int term;
	enum which which;
	uint8_t *page;
	uint8_t capdu[16];
	int capdu_len;
	long ret;
};

/* The terminal's call with one buffer on the userfaultfd page. */
static void *terminal_thread(void *p)
{
	struct job *j = p;
	uint8_t rapdu[VSIM_RAPDU_MAX];
	struct vsim_transmit t = {
		.size = sizeof(t),
		.capdu = (uintptr_t)j->capdu,
		.capdu_len = j->capdu_len,
		.rapdu = (uintptr_t)rapdu,
		.rapdu_max = VSIM_RAPDU_MAX,
	};

	switch (j->which) {
	case TRANSMIT_CAPDU:
	case TRANSMIT_RAPDU:
		if (j->which == TRANSMIT_CAPDU)
			t.capdu = (uintptr_t)j->page;
		else
			t.rapdu = (uintptr_t)j->page;
		j->ret = ioctl(j->term, VSIM_IOC_TRANSMIT, &t);
		break;
	case WRITE_CAPDU:
		j->ret = write(j->term, j->page, j->capdu_len);
		break;
	case READ_RAPDU:
		j->ret = read(j->term, j->page, VSIM_RAPDU_MAX);
		break;
	}
	if (j->ret < 0)
		j->ret = -errno;
	return NULL;
}

struct stats_job {
	int card;
	int ret;
};

static void *stats_thread(void *p)
{
	struct stats_job *s = p;
	struct vsim_stats st = { .size = sizeof(st) };

	s->ret = ioctl(s->card, VSIM_IOC_GET_STATS, &st) ? -errno : 0;
	return NULL;
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 +
	       (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

TEST_F(uaccess, fault_outside_card_locks)
{
	struct job j = { .term = self->term, .which = variant->which,
			 .page = self->page };
	struct stats_job s = { .card = self->card, .ret = 1 };
	struct uffdio_copy copy = { 0 };
	struct pollfd pfd = { .fd = self->uffd, .events = POLLIN };
	struct uffd_msg msg;
	struct timespec t0, deadline;
	pthread_t th, sth;
	uint8_t *src;
	bool stats_done;
	long ms;

	j.capdu_len = vsim_hex(SELECT_MF, j.capdu, sizeof(j.capdu));
	ASSERT_GT(j.capdu_len, 0);
	if (variant->which == READ_RAPDU)	/* a response for read() */
		ASSERT_EQ(j.capdu_len, write(self->term, j.capdu, j.capdu_len));

	ASSERT_EQ(0, pthread_create(&th, NULL, terminal_thread, &j));
	/* the terminal is now stuck in its fault */
	ASSERT_EQ(1, poll(&pfd, 1, 5000));
	ASSERT_EQ(sizeof(msg), read(self->uffd, &msg, sizeof(msg)));
	ASSERT_EQ(UFFD_EVENT_PAGEFAULT, msg.event);

	/* the agent reaches the card meanwhile */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(0, pthread_create(&sth, NULL, stats_thread, &s));
	clock_gettime(CLOCK_REALTIME, &deadline);
	/* blocked would be forever (the fault waits for us): 10 s is wide */
	deadline.tv_sec += 10;
	stats_done = !pthread_timedjoin_np(sth, NULL, &deadline);
	ms = ms_since(&t0);
	TH_LOG("GET_STATS during the terminal's fault: %s after %ld ms",
	       stats_done ? "done" : "still blocked", ms);
	EXPECT_TRUE(stats_done);

	/* serve the page: the C-APDU for a copy in, anything for a copy out */
	src = aligned_alloc(self->psize, self->psize);
	ASSERT_NE(NULL, src);
	memset(src, 0, self->psize);
	memcpy(src, j.capdu, j.capdu_len);
	copy.dst = (uintptr_t)self->page;
	copy.src = (uintptr_t)src;
	copy.len = self->psize;
	ASSERT_EQ(0, ioctl(self->uffd, UFFDIO_COPY, &copy));
	free(src);
	pthread_join(th, NULL);
	if (!stats_done)
		pthread_join(sth, NULL);
	EXPECT_EQ(0, s.ret);
	switch (variant->which) {
	case TRANSMIT_CAPDU:
	case TRANSMIT_RAPDU:
		EXPECT_EQ(0, j.ret);
		break;
	case WRITE_CAPDU:
		EXPECT_EQ(j.capdu_len, j.ret);
		break;
	case READ_RAPDU:
		EXPECT_LT(0, j.ret);	/* the SELECT's R-APDU, whole */
		EXPECT_EQ(0x90, self->page[j.ret - 2]);
		break;
	}
}

VSIM_TEST_MAIN
