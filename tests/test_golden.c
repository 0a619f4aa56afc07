// SPDX-License-Identifier: GPL-2.0-only
/*
 * Golden APDU transcripts (the .trace files in tests/golden) against the engine in
 * userspace. The same files are replayed through /dev/vsimN by the
 * kselftests, so both layers must give byte-identical answers.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "kselftest_harness.h"
#include "testcard.h"
#include "transcript.h"

#define GOLDEN_DIR "tests/golden"

static int tc_reset(void *ctx, uint8_t *atr, size_t *len)
{
	struct testcard *t = ctx;

	vsim_card_power_off(t->h.card);
	*len = vsim_card_power_on(t->h.card, atr, *len);
	return 0;
}

static int tc_transmit(void *ctx, const uint8_t *c, size_t clen, uint8_t *r,
		       size_t *rlen)
{
	struct testcard *t = ctx;

	if (*rlen < VSIM_RAPDU_MAX)
		return -1;
	*rlen = vsim_card_transact(t->h.card, c, clen, r);
	return 0;
}

static const struct transcript_ops engine_ops = {
	.reset = tc_reset,
	.transmit = tc_transmit,
};

/* Every transcript below, and no other file in the directory. */
static const char *const traces[] = {
	"select", "usim_auth", "bad_input", "pins", "records", "channels",
	"gsm", "binding", "isim", "bertlv",
};

static int play(struct __test_metadata *_metadata, const char *name)
{
	char path[256], err[1024], image[64];
	struct testcard t;
	int n;

	snprintf(path, sizeof(path), GOLDEN_DIR "/%s.trace", name);
	transcript_image(path, image, sizeof(image));
	snprintf(err, sizeof(err), "examples/%s.ini", image);
	if (testcard_open(&t, err, NULL))
		return -1;
	n = transcript_run(path, &engine_ops, &t, err, sizeof(err));
	if (n < 0)
		TH_LOG("%s", err);
	testcard_close(&t);
	return n;
}

#define GOLDEN(name) \
	TEST(golden_##name) { ASSERT_GT(play(_metadata, #name), 5); }

GOLDEN(select)
GOLDEN(usim_auth)
GOLDEN(bad_input)
GOLDEN(pins)
GOLDEN(records)
GOLDEN(channels)
GOLDEN(gsm)
GOLDEN(binding)
GOLDEN(isim)
GOLDEN(bertlv)

/* A transcript added to the directory but not to the list is a mistake. */
TEST(golden_all_listed)
{
	DIR *d = opendir(GOLDEN_DIR);
	struct dirent *e;
	unsigned int i, found = 0, files = 0;

	ASSERT_NE(NULL, d);
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);

		if (l < 7 || strcmp(e->d_name + l - 6, ".trace"))
			continue;
		files++;
		for (i = 0; i < sizeof(traces) / sizeof(traces[0]); i++)
			if (!strncmp(e->d_name, traces[i], l - 6) &&
			    strlen(traces[i]) == l - 6)
				found++;
	}
	closedir(d);
	EXPECT_EQ(files, found);
	EXPECT_EQ(sizeof(traces) / sizeof(traces[0]), files);
}

/* The player itself must notice a wrong answer (a test that cannot fail is a defect). */
TEST(golden_player_detects_mismatch)
{
	char path[] = "/tmp/vsim-golden-XXXXXX", err[512];
	struct testcard t;
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	ASSERT_NE(NULL, f);
	fputs("> 00A4000C023F00\n< 6A82\n", f);
	fclose(f);
	ASSERT_EQ(0, testcard_open(&t, TESTCARD_PROFILE, NULL));
	EXPECT_EQ(-1, transcript_run(path, &engine_ops, &t, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "got 9000, expected"));
	testcard_close(&t);
	unlink(path);
}

TEST_HARNESS_MAIN
