// SPDX-License-Identifier: GPL-2.0-only
/*
 * The engine's golden APDU transcripts (tests/golden/NAME.trace), replayed
 * through /dev/vsimN with the runner the host tests use
 * (tests/lib/transcript.c): once on a volatile card, once on a durable
 * card whose agent (a thread here) acknowledges every change record.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <glob.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "transcript.h"
#include "vsim_lib.h"

struct golden_card {
	int card;
	int term;
	volatile int stop;
	unsigned long acked;
	pthread_t agent;
};

static int golden_reset(void *ctx, uint8_t *atr, size_t *atr_len)
{
	struct golden_card *g = ctx;
	unsigned int len;

	if (vsim_power_off(g->term) || vsim_power_on(g->term, atr, &len))
		return -1;
	*atr_len = len;
	return 0;
}

static int golden_transmit(void *ctx, const uint8_t *capdu, size_t clen,
			   uint8_t *rapdu, size_t *rlen)
{
	struct golden_card *g = ctx;
	uint8_t r[VSIM_RAPDU_MAX];
	int n = vsim_transmit(g->term, capdu, clen, r);

	if (n < 0 || (size_t)n > *rlen)
		return -1;
	memcpy(rapdu, r, n);
	*rlen = n;
	return 0;
}

static const struct transcript_ops golden_ops = {
	.reset = golden_reset,
	.transmit = golden_transmit,
};

/* The agent: acknowledge every change record, until told to stop. */
static void *golden_agent(void *arg)
{
	struct golden_card *g = arg;
	struct vsim_event ev;

	while (!g->stop) {
		struct pollfd p = { .fd = g->card, .events = POLLIN };

		if (poll(&p, 1, 50) != 1)
			continue;
		if (vsim_read_event(g->card, &ev, NULL, 0) < 0)
			continue;
		if ((ev.flags & VSIM_EV_F_ACK) && !vsim_ack(g->card, ev.seq, 0))
			g->acked++;
	}
	return NULL;
}

FIXTURE(golden) {
	int ctl;
	glob_t traces;
};

FIXTURE_VARIANT(golden) {
	uint32_t flags;
};

FIXTURE_VARIANT_ADD(golden, volatile_card) {
	.flags = VSIM_NEW_CARD_F_VOLATILE,
};

FIXTURE_VARIANT_ADD(golden, durable_card_with_agent) {
	.flags = 0,
};

FIXTURE_SETUP(golden)
{
	const char *dir = getenv("GOLDEN_DIR");
	char pattern[4096];

	memset(&self->traces, 0, sizeof(self->traces));
	self->ctl = vsim_ctl_open();
	if (self->ctl == -ENOENT)
		SKIP(return, "vsim.ko not loaded (no " VSIM_CTL_PATH ")");
	ASSERT_GE(self->ctl, 0);
	snprintf(pattern, sizeof(pattern), "%s/*.trace",
		 dir ? dir : "tests/golden");
	if (glob(pattern, 0, NULL, &self->traces) || !self->traces.gl_pathc)
		SKIP(return, "no transcripts in %s", dir ? dir : "tests/golden");
}

FIXTURE_TEARDOWN(golden)
{
	globfree(&self->traces);
	if (self->ctl >= 0)
		close(self->ctl);
}

TEST_F(golden, replay)
{
	unsigned int i, idx, played = 0, checked = 0;
	char name[256], err[1024];
	struct golden_card g;
	size_t len;
	void *img;
	int n;

	for (i = 0; i < self->traces.gl_pathc; i++) {
		const char *path = self->traces.gl_pathv[i];

		ASSERT_EQ(0, transcript_image(path, name, sizeof(name)));
		strncat(name, ".img", sizeof(name) - strlen(name) - 1);
		img = vsim_load_image(name, &len);
		ASSERT_NE(NULL, img) TH_LOG("%s: image %s not found (make images)",
					    path, name);
		memset(&g, 0, sizeof(g));
		ASSERT_EQ(0, vsim_new_card(self->ctl, img, len, variant->flags,
					   &g.card, &idx));
		free(img);
		g.term = vsim_term_open(idx, 0);
		ASSERT_GE(g.term, 0);
		ASSERT_EQ(0, vsim_power_on(g.term, NULL, NULL));
		if (!variant->flags)
			ASSERT_EQ(0, pthread_create(&g.agent, NULL,
						    golden_agent, &g));

		n = transcript_run(path, &golden_ops, &g, err, sizeof(err));

		if (!variant->flags) {
			g.stop = 1;
			pthread_join(g.agent, NULL);
		}
		close(g.term);
		close(g.card);
		EXPECT_GE(n, 0) TH_LOG("%s", err);
		if (n >= 0) {
			played++;
			checked += n;
		}
	}
	TH_LOG("%u transcripts, %u exchanges checked", played, checked);
}

VSIM_TEST_MAIN
