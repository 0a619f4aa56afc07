// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/vsimN, the terminal side: one opener, power, TRANSMIT and its
 * argument checks, write()+read(), poll(), the card going away under a
 * terminal, and four terminals on four cards at once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vsim_lib.h"

#define SELECT_MF	"00A40004023F00"
#define STATUS		"80F2000C00"

FIXTURE(term) {
	int ctl;
	int card;
	unsigned int idx;
	int term;
};

FIXTURE_SETUP(term)
{
	size_t len;
	void *img;

	self->card = -1;
	self->term = -1;
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
}

FIXTURE_TEARDOWN(term)
{
	if (self->term >= 0)
		close(self->term);
	if (self->card >= 0)
		close(self->card);
	if (self->ctl >= 0)
		close(self->ctl);
}

TEST_F(term, exclusive_open)
{
	int again;

	again = vsim_term_open(self->idx, 0);
	EXPECT_EQ(-EBUSY, again);
	close(self->term);
	self->term = vsim_term_open(self->idx, 0);
	ASSERT_GE(self->term, 0);
	EXPECT_EQ(-EBUSY, vsim_term_open(self->idx, O_NONBLOCK));
}

TEST_F(term, power_and_atr)
{
	struct vsim_atr a = { .size = sizeof(a) };
	uint8_t atr[VSIM_ATR_MAX];
	unsigned int len;

	/* Off: TRANSMIT and RESET refuse, GET_ATR answers. */
	EXPECT_EQ(-EIO, vsim_sw_hex(self->term, SELECT_MF));
	EXPECT_NE(0, ioctl(self->term, VSIM_IOC_RESET, &a));
	EXPECT_EQ(EIO, errno);
	ASSERT_EQ(0, ioctl(self->term, VSIM_IOC_GET_ATR, &a));
	EXPECT_EQ(0x3b, a.atr[0]);

	ASSERT_EQ(0, vsim_power_on(self->term, atr, &len));
	EXPECT_EQ(a.len, len);
	EXPECT_EQ(0, memcmp(a.atr, atr, len));
	EXPECT_GE(vsim_sw_hex(self->term, STATUS), 0x6000);
	a.len = 0;
	ASSERT_EQ(0, ioctl(self->term, VSIM_IOC_RESET, &a));
	EXPECT_EQ(len, a.len);
	ASSERT_EQ(0, vsim_power_off(self->term));
	EXPECT_EQ(-EIO, vsim_sw_hex(self->term, SELECT_MF));

	a.size = sizeof(a) + 1;
	EXPECT_NE(0, ioctl(self->term, VSIM_IOC_POWER_ON, &a));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_NE(0, ioctl(self->term, VSIM_IOC_POWER_ON, NULL));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(term, transmit_select)
{
	uint8_t r[VSIM_RAPDU_MAX];
	uint8_t c[16];
	int n, sw;

	ASSERT_EQ(0, vsim_power_on(self->term, NULL, NULL));
	n = vsim_hex(SELECT_MF, c, sizeof(c));
	n = vsim_transmit(self->term, c, n, r);
	ASSERT_GE(n, 2);
	sw = r[n - 2] << 8 | r[n - 1];
	/* T=0 behaviour: FCP waits for GET RESPONSE (61xx), or comes at once. */
	EXPECT_TRUE((sw & 0xff00) == 0x6100 || sw == 0x9000)
		TH_LOG("SELECT MF: SW %04x", sw);
}

TEST_F(term, transmit_bad_arguments)
{
	uint8_t big[VSIM_CAPDU_MAX + 1];
	uint8_t r[VSIM_RAPDU_MAX];
	struct vsim_transmit t;

	ASSERT_EQ(0, vsim_power_on(self->term, NULL, NULL));
	memset(big, 0, sizeof(big));
	big[4] = 0xff;

	/* Larger than the largest short C-APDU. */
	EXPECT_EQ(-EMSGSIZE, vsim_transmit(self->term, big, sizeof(big), r));
	EXPECT_EQ(-EMSGSIZE, vsim_transmit(self->term, big, 1u << 31, r));
	/* The largest is fine: the engine answers with a status word. */
	EXPECT_GE(vsim_transmit(self->term, big, VSIM_CAPDU_MAX, r), 2);
	/* Empty. */
	EXPECT_EQ(-EINVAL, vsim_transmit(self->term, big, 0, r));

	memset(&t, 0, sizeof(t));
	t.size = sizeof(t);
	t.capdu = (uintptr_t)big;
	t.capdu_len = 5;
	t.rapdu = (uintptr_t)r;
	t.rapdu_max = VSIM_RAPDU_MAX - 1;
	EXPECT_NE(0, ioctl(self->term, VSIM_IOC_TRANSMIT, &t));
	EXPECT_EQ(EINVAL, errno);
	t.rapdu_max = VSIM_RAPDU_MAX;
	t.flags = 1;
	EXPECT_NE(0, ioctl(self->term, VSIM_IOC_TRANSMIT, &t));
	EXPECT_EQ(EINVAL, errno);
	t.flags = 0;
	t.reserved = 1;
	EXPECT_NE(0, ioctl(self->term, VSIM_IOC_TRANSMIT, &t));
	EXPECT_EQ(EINVAL, errno);
	t.reserved = 0;
	t.size = 0;
	EXPECT_NE(0, ioctl(self->term, VSIM_IOC_TRANSMIT, &t));
	EXPECT_EQ(EINVAL, errno);
	t.size = sizeof(t);

	/* Bad pointers: the struct, the C-APDU, the R-APDU buffer. */
	EXPECT_NE(0, ioctl(self->term, VSIM_IOC_TRANSMIT, NULL));
	EXPECT_EQ(EFAULT, errno);
	t.capdu = 16;
	EXPECT_NE(0, ioctl(self->term, VSIM_IOC_TRANSMIT, &t));
	EXPECT_EQ(EFAULT, errno);
	t.capdu = (uintptr_t)big;
	t.rapdu = (uintptr_t)-4096;
	EXPECT_NE(0, ioctl(self->term, VSIM_IOC_TRANSMIT, &t));
	EXPECT_EQ(EFAULT, errno);
	/* And still working afterwards. */
	EXPECT_GE(vsim_sw_hex(self->term, STATUS), 0);

	/* Unknown numbers on the terminal. */
	EXPECT_NE(0, ioctl(self->term, _IO(VSIM_IOC_MAGIC, 0x7f)));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_NE(0, ioctl(self->term, _IOWR(VSIM_IOC_MAGIC, 0x14, uint32_t),
			   &t));
	EXPECT_EQ(ENOTTY, errno);
}

/* An address no process has mapped, hidden from the compiler's checks. */
static void *volatile bad_ptr = (void *)16;

TEST_F(term, write_read_shell_path)
{
	uint8_t c[16], r[VSIM_RAPDU_MAX + 16];
	uint8_t big[VSIM_CAPDU_MAX + 1] = { 0 };
	ssize_t n;
	int len;

	/* Nothing pending: end of file. */
	EXPECT_EQ(0, read(self->term, r, sizeof(r)));
	/* write() powers the card on by itself. */
	len = vsim_hex(STATUS, c, sizeof(c));
	ASSERT_EQ(len, write(self->term, c, len));
	{
		struct pollfd p = { .fd = self->term, .events = POLLIN | POLLOUT };

		ASSERT_EQ(1, poll(&p, 1, 1000));
		EXPECT_TRUE(p.revents & POLLIN);
		EXPECT_TRUE(p.revents & POLLOUT);
	}
	EXPECT_NE(0, read(self->term, r, 1));
	EXPECT_EQ(EMSGSIZE, errno);
	n = read(self->term, r, sizeof(r));
	ASSERT_GE(n, 2);
	EXPECT_EQ(0, read(self->term, r, sizeof(r)));

	EXPECT_EQ(-1, write(self->term, big, sizeof(big)));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(-1, write(self->term, big, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, write(self->term, bad_ptr, 5));
	EXPECT_EQ(EFAULT, errno);
}

/* The card fd closes: the terminal's next call fails, poll reports HUP. */
TEST_F(term, card_gone_enodev)
{
	struct vsim_atr a = { .size = sizeof(a) };
	struct pollfd p;
	uint8_t r[VSIM_RAPDU_MAX];
	char path[64];

	ASSERT_EQ(0, vsim_power_on(self->term, NULL, NULL));
	close(self->card);
	self->card = -1;
	EXPECT_EQ(-ENODEV, vsim_sw_hex(self->term, STATUS));
	EXPECT_NE(0, ioctl(self->term, VSIM_IOC_POWER_ON, &a));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_NE(0, ioctl(self->term, VSIM_IOC_GET_ATR, &a));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, read(self->term, r, sizeof(r)));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, write(self->term, r, 5));
	EXPECT_EQ(ENODEV, errno);
	p.fd = self->term;
	p.events = POLLIN | POLLOUT;
	ASSERT_EQ(1, poll(&p, 1, 1000));
	EXPECT_TRUE(p.revents & POLLHUP);
	snprintf(path, sizeof(path), "/dev/vsim%u", self->idx);
	/* devtmpfs removes the node at once; udev soon after. */
	{
		int i;

		for (i = 0; i < 100 && access(path, F_OK) == 0; i++)
			usleep(10000);
	}
	EXPECT_NE(0, access(path, F_OK));
}

struct worker {
	int ctl;
	int ok;
	unsigned int rounds;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	unsigned int idx, i;
	size_t len;
	void *img;
	int card, term;

	img = vsim_test_image(&len);
	if (!img || vsim_new_card(w->ctl, img, len, VSIM_NEW_CARD_F_VOLATILE,
				  &card, &idx))
		return NULL;
	free(img);
	term = vsim_term_open(idx, 0);
	if (term < 0 || vsim_power_on(term, NULL, NULL))
		goto out;
	for (i = 0; i < w->rounds; i++) {
		int sw = vsim_sw_hex(term, STATUS);

		if (sw < 0)
			goto out;
	}
	w->ok = 1;
out:
	if (term >= 0)
		close(term);
	close(card);
	return NULL;
}

TEST_F(term, four_threads_four_cards)
{
	struct worker w[4];
	pthread_t th[4];
	int i;

	for (i = 0; i < 4; i++) {
		w[i].ctl = self->ctl;
		w[i].ok = 0;
		w[i].rounds = 2000;
		ASSERT_EQ(0, pthread_create(&th[i], NULL, worker_main, &w[i]));
	}
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, pthread_join(th[i], NULL));
		EXPECT_EQ(1, w[i].ok);
	}
}

TEST_F(term, apdu_counter)
{
	char path[128];
	int i, before, after;

	snprintf(path, sizeof(path), "/sys/class/vsim/vsim%u/apdus", self->idx);
	ASSERT_EQ(0, vsim_power_on(self->term, NULL, NULL));
	before = vsim_param_get(path);
	ASSERT_GE(before, 0);
	for (i = 0; i < 10; i++)
		ASSERT_GE(vsim_sw_hex(self->term, STATUS), 0);
	after = vsim_param_get(path);
	EXPECT_EQ(before + 10, after);
}

VSIM_TEST_MAIN
