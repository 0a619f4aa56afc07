// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsimd's epoll set (agent/vsimd/waitset.c) on real descriptors: the
 * other descriptors follow their lists, and a number closed and reused
 * (by another of them, or by a card's socket) is never lost, the case a
 * poll() loop never had to think about (issue #15).
 */
#include <fcntl.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "vsimd/waitset.h"

/* Events of one zero-timeout wait: for @fd (odd tag) and for @card. */
static void ready(struct waitset *w, int fd, void *card, bool *fd_ready,
		  bool *card_ready)
{
	struct epoll_event ev[8];
	int n = epoll_wait(w->epfd, ev, 8, 0);

	*fd_ready = *card_ready = false;
	for (int i = 0; i < n; i++) {
		if (waitset_aux_fd(&ev[i]) == fd)
			*fd_ready = true;
		else if (waitset_aux_fd(&ev[i]) < 0 && ev[i].data.ptr == card)
			*card_ready = true;
	}
}

/* A pipe whose read end is readable. */
static int readable_pipe(int *wr)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC))
		return -1;
	if (write(p[1], "x", 1) != 1)
		return -1;
	*wr = p[1];
	return p[0];
}

FIXTURE(ws) {
	struct waitset w;
};

FIXTURE_SETUP(ws)
{
	ASSERT_EQ(0, waitset_init(&self->w));
}

FIXTURE_TEARDOWN(ws)
{
	waitset_fini(&self->w);
}

TEST_F(ws, listed_fd_reports_and_follows_its_events)
{
	int wr, rd = readable_pipe(&wr);
	struct pollfd aux = { .fd = rd, .events = POLLIN };
	bool fr, cr;

	ASSERT_LE(0, rd);
	ASSERT_EQ(0, waitset_sync(&self->w, &aux, 1, 0));
	ready(&self->w, rd, NULL, &fr, &cr);
	EXPECT_TRUE(fr);
	/* asked for nothing readable any more: silent */
	aux.events = POLLOUT;
	ASSERT_EQ(0, waitset_sync(&self->w, &aux, 1, 0));
	ready(&self->w, rd, NULL, &fr, &cr);
	EXPECT_FALSE(fr);
	close(rd);
	close(wr);
}

TEST_F(ws, number_reused_by_another_listed_fd_is_registered_again)
{
	int wr = -1, wr2 = -1, rd2;
	int rd = readable_pipe(&wr);
	struct pollfd aux = { .fd = rd, .events = POLLIN };
	bool fr, cr;

	ASSERT_LE(0, rd);
	ASSERT_EQ(0, waitset_sync(&self->w, &aux, 1, 0));
	close(rd);			/* the kernel drops it from the set */
	rd2 = readable_pipe(&wr2);	/* and the number comes back */
	ASSERT_EQ(rd, rd2);
	/* same list, same events: only the module's close count tells */
	ASSERT_EQ(0, waitset_sync(&self->w, &aux, 1, 1));
	ready(&self->w, rd2, NULL, &fr, &cr);
	EXPECT_TRUE(fr);
	close(rd2);
	close(wr2);
	close(wr);
}

TEST_F(ws, number_reused_by_a_card_keeps_the_card)
{
	int wr = -1, wr2 = -1, card_fd;
	int rd = readable_pipe(&wr);
	struct pollfd aux = { .fd = rd, .events = POLLIN };
	static int card;	/* stands for the card's struct vsim_vpcd */
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &card };
	bool fr, cr;

	ASSERT_LE(0, rd);
	ASSERT_EQ(0, waitset_sync(&self->w, &aux, 1, 0));
	close(rd);
	card_fd = readable_pipe(&wr2);	/* a card's socket takes the number */
	ASSERT_EQ(rd, card_fd);
	ASSERT_EQ(0, epoll_ctl(self->w.epfd, EPOLL_CTL_ADD, card_fd, &ev));
	/* the closed fd left the list, its module counted the close */
	ASSERT_EQ(0, waitset_sync(&self->w, NULL, 0, 1));
	ready(&self->w, card_fd, &card, &fr, &cr);
	EXPECT_TRUE(cr);
	EXPECT_FALSE(fr);
	close(card_fd);
	close(wr2);
	close(wr);
}

TEST_F(ws, open_fd_that_left_the_list_is_forgotten)
{
	int wr, rd = readable_pipe(&wr);
	struct pollfd aux = { .fd = rd, .events = POLLIN };
	bool fr, cr;

	ASSERT_LE(0, rd);
	ASSERT_EQ(0, waitset_sync(&self->w, &aux, 1, 0));
	ASSERT_EQ(0, waitset_sync(&self->w, NULL, 0, 0));
	ready(&self->w, rd, NULL, &fr, &cr);
	EXPECT_TRUE(fr);	/* still registered: the loop forgets it */
	waitset_forget(&self->w, rd);
	ready(&self->w, rd, NULL, &fr, &cr);
	EXPECT_FALSE(fr);
	close(rd);
	close(wr);
}

TEST_F(ws, too_many_listed_is_refused)
{
	static struct pollfd aux[WAITSET_AUX_MAX + 1];

	errno = 0;
	EXPECT_EQ(-1, waitset_sync(&self->w, aux, WAITSET_AUX_MAX + 1, 0));
	EXPECT_EQ(E2BIG, errno);
}

TEST_HARNESS_MAIN
