// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IMEI lock through /dev/vsimN: a first terminal binds, a stranger is
 * refused, and the binding outlives the card and the module itself when
 * the agent hands the kept state back in VSIM_IOC_NEW_CARD. Also the
 * binding sysfs attribute and the state argument's errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vsim_lib.h"

/* TERMINAL PROFILE with PROVIDE LOCAL INFORMATION (IMEI), REFRESH, DISPLAY TEXT */
#define TP	"8010000012010081400000000000000000000000000040"
#define FETCH_PLI "801200000B"
/* TERMINAL RESPONSE to PLI (IMEI) carrying an IMEI in TS 24.008 BCD */
#define TR(imei) "801400001681030126018202828183010094084A" imei
#define IMEI_A	"09512430325781"	/* 490154203237518 */
#define IMEI_B	"65390853468390"	/* 356938035643809, as 3A... below */

static int xfer_hex(int term, const char *hex, char *out)
{
	uint8_t c[VSIM_CAPDU_MAX + 16], r[VSIM_RAPDU_MAX];
	int n = vsim_hex(hex, c, sizeof(c)), m, i;

	if (n < 0)
		return -EINVAL;
	m = vsim_transmit(term, c, n, r);
	if (m < 2)
		return m < 0 ? m : -EIO;
	for (i = 0; i < m; i++)
		sprintf(out + 2 * i, "%02X", r[i]);
	out[2 * m] = 0;
	return 0;
}

/* A terminal's start-up to its IMEI answered; returns the answer's SW text. */
static const char *present(int term, const char *tr)
{
	static char out[2 * VSIM_RAPDU_MAX + 1];

	if (vsim_power_on(term, NULL, NULL) || xfer_hex(term, TP, out) ||
	    strcmp(out, "910B") || xfer_hex(term, FETCH_PLI, out) ||
	    strcmp(out, "D0098103012601820281829000") || xfer_hex(term, tr, out))
		return "start-up failed";
	return out;
}

static int new_card_state(int ctl, const void *img, size_t len,
			  const void *state, size_t state_len, int *card,
			  unsigned int *idx)
{
	struct vsim_new_card req = {
		.size = sizeof(req),
		.flags = VSIM_NEW_CARD_F_VOLATILE,
		.image = (uintptr_t)img,
		.image_len = len,
		.state = (uintptr_t)state,
		.state_len = state_len,
	};

	if (ioctl(ctl, VSIM_IOC_NEW_CARD, &req))
		return -errno;
	*card = req.fd;
	*idx = req.index;
	return 0;
}

static void *get_state(int card, size_t *len)
{
	struct vsim_state st = { .size = sizeof(st) };
	void *buf;

	if (ioctl(card, VSIM_IOC_GET_STATE, &st) && errno != ENOSPC)
		return NULL;
	buf = malloc(st.len);
	if (!buf)
		return NULL;
	st.buf = (uintptr_t)buf;
	if (ioctl(card, VSIM_IOC_GET_STATE, &st)) {
		free(buf);
		return NULL;
	}
	*len = st.len;
	return buf;
}

static int read_sysfs(unsigned int idx, const char *attr, char *buf, size_t n)
{
	char path[96];
	int fd;
	ssize_t r;

	snprintf(path, sizeof(path), "/sys/class/vsim/vsim%u/%s", idx, attr);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	r = read(fd, buf, n - 1);
	close(fd);
	if (r < 0)
		return -errno;
	buf[r] = 0;
	return 0;
}

/* Unload and load vsim.ko again (the VM runner sets VSIM_KO). */
static int reload_module(const char *ko, int *ctl)
{
	int fd, ret;

	close(*ctl);
	*ctl = -1;
	if (syscall(__NR_delete_module, "vsim", O_NONBLOCK))
		return -errno;
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(__NR_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	*ctl = vsim_ctl_open();
	return ret ? ret : (*ctl < 0 ? *ctl : 0);
}

FIXTURE(bind) {
	int ctl;
	void *img;
	size_t len;
};

FIXTURE_SETUP(bind)
{
	self->img = vsim_load_image("test-usim-bound.img", &self->len);
	ASSERT_NE(NULL, self->img) TH_LOG("build/images/test-usim-bound.img missing");
	self->ctl = vsim_ctl_open();
	ASSERT_GE(self->ctl, 0);
}

FIXTURE_TEARDOWN(bind)
{
	if (self->ctl >= 0)
		close(self->ctl);
	free(self->img);
}

TEST_F(bind, first_terminal_then_stranger)
{
	char out[600], attr[128];
	unsigned int idx = 0;
	int card = -1, term;

	ASSERT_EQ(0, new_card_state(self->ctl, self->img, self->len, NULL, 0,
				    &card, &idx));
	term = vsim_term_open(idx, 0);
	ASSERT_GE(term, 0);
	ASSERT_EQ(0, read_sysfs(idx, "binding", attr, sizeof(attr)));
	EXPECT_STREQ("mode=first-terminal bound=0 session=pending\n", attr);
	EXPECT_STREQ("911A", present(term, TR(IMEI_A)));
	ASSERT_EQ(0, read_sysfs(idx, "binding", attr, sizeof(attr)));
	EXPECT_STREQ("mode=first-terminal bound=1 session=allowed\n", attr);
	/* the sysfs attribute never shows the IMEI */
	EXPECT_EQ(NULL, strstr(attr, "4901"));
	/* a stranger: refused, IMSI withheld, AUTHENTICATE 6982 */
	EXPECT_STREQ("9132", present(term, "801400001681030126018202828183010094083A"
					  IMEI_B));
	ASSERT_EQ(0, xfer_hex(term, "00A4040C07A0000000871002", out));
	ASSERT_EQ(0, xfer_hex(term, "002000010831323334FFFFFFFF", out));
	ASSERT_EQ(0, xfer_hex(term, "00B0870009", out));
	EXPECT_STREQ("FFFFFFFFFFFFFFFFFF9132", out);
	ASSERT_EQ(0, read_sysfs(idx, "binding", attr, sizeof(attr)));
	EXPECT_STREQ("mode=first-terminal bound=1 session=refused\n", attr);
	close(term);
	close(card);
}

/*
 * The agent keeps the state blob; after the card (and, with VSIM_KO, the
 * module) is gone, a card made from image + blob still knows its terminal.
 */
TEST_F(bind, binding_survives_card_and_module_reload)
{
	const char *ko = getenv("VSIM_KO");
	unsigned int idx = 0;
	int card = -1, term;
	size_t slen = 0;
	void *state;

	ASSERT_EQ(0, new_card_state(self->ctl, self->img, self->len, NULL, 0,
				    &card, &idx));
	term = vsim_term_open(idx, 0);
	ASSERT_GE(term, 0);
	EXPECT_STREQ("911A", present(term, TR(IMEI_A)));
	state = get_state(card, &slen);
	ASSERT_NE(NULL, state);
	close(term);
	close(card);
	if (ko)
		ASSERT_EQ(0, reload_module(ko, &self->ctl));
	ASSERT_EQ(0, new_card_state(self->ctl, self->img, self->len, state,
				    slen, &card, &idx));
	term = vsim_term_open(idx, 0);
	ASSERT_GE(term, 0);
	EXPECT_STREQ("9132", present(term, "801400001681030126018202828183010094083A"
					  IMEI_B));
	EXPECT_STREQ("911A", present(term, TR(IMEI_A)));
	close(term);
	close(card);
	free(state);
}

TEST_F(bind, state_argument_errors)
{
	unsigned int idx = 0;
	int card = -1;
	size_t slen = 0;
	uint8_t *state;
	struct vsim_new_card v1 = {
		.size = VSIM_NEW_CARD_SIZE_V1,
		.flags = VSIM_NEW_CARD_F_VOLATILE,
		.image = (uintptr_t)self->img,
		.image_len = self->len,
	};

	/* the version-1 struct still works */
	ASSERT_EQ(0, ioctl(self->ctl, VSIM_IOC_NEW_CARD, &v1));
	state = get_state(v1.fd, &slen);
	ASSERT_NE(NULL, state);
	close(v1.fd);
	EXPECT_EQ(-E2BIG, new_card_state(self->ctl, self->img, self->len, state,
					 VSIM_STATE_MAX_SIZE + 1, &card, &idx));
	EXPECT_EQ(-EINVAL, new_card_state(self->ctl, self->img, self->len, state,
					  slen - 1, &card, &idx));
	EXPECT_EQ(-EFAULT, new_card_state(self->ctl, self->img, self->len,
					  (void *)16, slen, &card, &idx));
	state[0] ^= 0xff;	/* not a state blob any more */
	EXPECT_EQ(-EINVAL, new_card_state(self->ctl, self->img, self->len, state,
					  slen, &card, &idx));
	free(state);
}

VSIM_TEST_MAIN
