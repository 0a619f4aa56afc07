// SPDX-License-Identifier: GPL-2.0-only
/*
 * BER-TLV EFs (TS 102 221 §11.3) through /dev/vsimN, on a durable card
 * whose agent applies every change record to its own copy of the state
 * blob, as vsimd does: RETRIEVE DATA and SET DATA (an object in blocks,
 * a delete) answer as in userspace, no record passes the module's event
 * ceiling, the agent's copy equals VSIM_IOC_GET_STATE, and a card created
 * again from the image and that copy (an agent restart) has the objects.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vsim_lib.h"

#define VERIFY_1234	"002000010831323334FFFFFFFF"
#define SELECT_TLV	"00A4000C02A001"

struct agent {
	int card;
	volatile int stop;
	uint8_t *blob;		/* the agent's copy of the durable state */
	size_t blob_len;
	unsigned int records;
	unsigned int longest;
	unsigned int outside;	/* records that did not fit the blob */
	pthread_t th;
};

/* Apply and acknowledge every change record, as vsimd's store does. */
static void *agent_main(void *arg)
{
	static uint8_t data[VSIM_IMAGE_MAX_SIZE];
	struct agent *a = arg;
	struct vsim_event ev;

	while (!a->stop) {
		struct pollfd p = { .fd = a->card, .events = POLLIN };

		if (poll(&p, 1, 50) != 1)
			continue;
		if (vsim_read_event(a->card, &ev, data, sizeof(data)) < 0)
			continue;
		if (ev.type == VSIM_EV_PERSIST) {
			a->records++;
			if (ev.len > a->longest)
				a->longest = ev.len;
			if (ev.offset > a->blob_len || ev.len > a->blob_len - ev.offset)
				a->outside++;
			else
				memcpy(a->blob + ev.offset, data, ev.len);
		}
		if (ev.flags & VSIM_EV_F_ACK)
			vsim_ack(a->card, ev.seq, 0);
	}
	return NULL;
}

/* The card's durable state (VSIM_IOC_GET_STATE), malloc'd, in *len. */
static uint8_t *get_state(int card, size_t *len)
{
	struct vsim_state st = { .size = sizeof(st) };
	uint8_t *buf;

	if (!ioctl(card, VSIM_IOC_GET_STATE, &st) || errno != ENOSPC)
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

/* TRANSMIT a hex C-APDU; the R-APDU as uppercase hex in @out. */
static const char *xfer(int term, const char *hex, char *out)
{
	uint8_t c[VSIM_CAPDU_MAX], r[VSIM_RAPDU_MAX];
	int n = vsim_hex(hex, c, sizeof(c)), rl, i;

	rl = n < 0 ? -1 : vsim_transmit(term, c, (size_t)n, r);
	if (rl < 0)
		return "transmit failed";
	for (i = 0; i < rl; i++)
		sprintf(out + 2 * i, "%02X", r[i]);
	out[2 * rl] = 0;
	return out;
}

TEST(set_and_retrieve_through_the_device_and_an_agent_restart)
{
	struct vsim_new_card nc = { .size = sizeof(nc) };
	char out[2 * VSIM_RAPDU_MAX + 1], apdu[2 * VSIM_CAPDU_MAX + 1];
	struct agent a = { 0 };
	unsigned int idx, atr_len = VSIM_ATR_MAX, i;
	uint8_t atr[VSIM_ATR_MAX], *state;
	size_t len, slen;
	int ctl, term;
	void *img;

	ctl = vsim_ctl_open();
	if (ctl == -ENOENT)
		SKIP(return, "vsim.ko not loaded (no " VSIM_CTL_PATH ")");
	ASSERT_GE(ctl, 0);
	img = vsim_load_image("usim-complete.img", &len);
	ASSERT_NE(NULL, img) TH_LOG("build/images/usim-complete.img (make images)");
	ASSERT_EQ(0, vsim_new_card(ctl, img, len, 0, &a.card, &idx));
	a.blob = get_state(a.card, &a.blob_len);
	ASSERT_NE(NULL, a.blob);
	ASSERT_EQ(0, pthread_create(&a.th, NULL, agent_main, &a));
	term = vsim_term_open(idx, 0);
	ASSERT_GE(term, 0);
	ASSERT_EQ(0, vsim_power_on(term, atr, &atr_len));

	EXPECT_STREQ("9000", xfer(term, VERIFY_1234, out));
	EXPECT_STREQ("9000", xfer(term, SELECT_TLV, out));
	EXPECT_STREQ("80047673696D9000", xfer(term, "80CB0080018000", out));
	EXPECT_STREQ("6A88", xfer(term, "80CB0080029F2000", out));
	/* 9F20, 300 bytes (i & 0xFF): 250 value bytes, then 50 */
	strcpy(apdu, "80DB0080FF9F2082012C");
	for (i = 0; i < 250; i++)
		sprintf(apdu + 20 + 2 * i, "%02X", i & 0xFF);
	EXPECT_STREQ("63F1", xfer(term, apdu, out));
	strcpy(apdu, "80DB000032");
	for (i = 250; i < 300; i++)
		sprintf(apdu + 10 + 2 * (i - 250), "%02X", i & 0xFF);
	EXPECT_STREQ("9000", xfer(term, apdu, out));
	EXPECT_STREQ("9000", xfer(term, "80DB00800180", out));
	/* the last block of the object: byte 299 is 2B */
	EXPECT_STREQ("9F2082012C00010262F1", xfer(term, "80CB0080029F2008", out));
	EXPECT_EQ(2U * 255 + 4, strlen(xfer(term, "80CB0000FF", out)));
	EXPECT_STREQ("62F1", out + 2 * 255);
	/* 42 bytes left, the last three 29 2A 2B (299 & FF = 2B) */
	EXPECT_STREQ("292A2B9000", xfer(term, "80CB000000", out) + 2 * 39);
	EXPECT_STREQ("5C0481A29F209000", xfer(term, "80CB0080015C00", out));

	/* the agent saw every change, none longer than a C-APDU */
	a.stop = 1;
	pthread_join(a.th, NULL);
	EXPECT_LT(3U, a.records);
	EXPECT_GE((unsigned int)VSIM_CAPDU_MAX, a.longest);
	EXPECT_EQ(0U, a.outside);
	state = get_state(a.card, &slen);
	ASSERT_NE(NULL, state);
	ASSERT_EQ(a.blob_len, slen);
	EXPECT_EQ(0, memcmp(state, a.blob, slen));
	free(state);
	close(term);
	close(a.card);

	/* the agent restarts: a new card from the image and its copy */
	nc.image = (uintptr_t)img;
	nc.image_len = (uint32_t)len;
	nc.state = (uintptr_t)a.blob;
	nc.state_len = (uint32_t)a.blob_len;
	nc.flags = VSIM_NEW_CARD_F_VOLATILE;
	ASSERT_EQ(0, ioctl(ctl, VSIM_IOC_NEW_CARD, &nc)) TH_LOG("errno %d", errno);
	term = vsim_term_open(nc.index, 0);
	ASSERT_GE(term, 0);
	atr_len = VSIM_ATR_MAX;
	ASSERT_EQ(0, vsim_power_on(term, atr, &atr_len));
	EXPECT_STREQ("9000", xfer(term, VERIFY_1234, out));
	EXPECT_STREQ("9000", xfer(term, SELECT_TLV, out));
	EXPECT_STREQ("5C0481A29F209000", xfer(term, "80CB0080015C00", out));
	EXPECT_STREQ("9F2082012C00010262F1", xfer(term, "80CB0080029F2008", out));
	EXPECT_STREQ("6A88", xfer(term, "80CB0080018000", out));
	close(term);
	close(nc.fd);
	free(a.blob);
	free(img);
	close(ctl);
}

TEST_HARNESS_MAIN
