// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IMEI lock and the CAT machinery under it, against the engine in
 * userspace: every mode, match and mismatch, the encodings terminals use,
 * terminals without CAT under both policies, durability of a binding,
 * malformed and unexpected TERMINAL RESPONSEs, and the admin command.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "common/profile.h"
#include "testcard.h"

#define BOUND_PROFILE	"examples/test-usim-bound.ini"
#define SELECT_USIM	"00A4040C07A0000000871002"
#define VERIFY_1234	"002000010831323334FFFFFFFF"
#define READ_IMSI	"00B0870009"
#define VALID_IMSI	"0809101010325476989000"
#define LOCKED_IMSI	"FFFFFFFFFFFFFFFFFF9000"
#define AUTH_SET1	"00880081221023553CBE9637A89D218AE64DAE47BF35" \
			"1055F328B43577B9B94A9FFAC354DFAFB3"
/* TERMINAL PROFILE: DISPLAY TEXT, REFRESH, PLI (IMEI), PLI (IMEISV) */
#define TP_FULL		"8010000012 010081400000000000000000000000000040"
#define TP_NO_PLI	"8010000004 01008100"
#define PLI_IMEI_CMD	"D0098103012601820281829000"
/* TERMINAL RESPONSE to command 1, PLI (IMEI), result OK, with an IMEI TLV */
#define TR_IMEI(v)	"8014000016 810301260182028281830100 9408" v
/* IMEI 123456789012347 in TS 24.008 BCD, raw digits, other check digit */
#define IMEI_A		"1A32547698103274"
#define IMEI_A_RAW	"1234567890123470"
#define IMEI_A_CD9	"1A32547698103294"
#define IMEI_B		"3A55555555555555"

/* A profile: the example USIM with a [binding] section. */
static int open_bound(struct testcard *t, const char *binding,
		      const char *state)
{
	char path[] = "/tmp/vsim-bind-XXXXXX", buf[8192];
	FILE *in = fopen(TESTCARD_PROFILE, "r");
	size_t n;
	int fd = mkstemp(path), ret;
	FILE *out = fdopen(fd, "w");

	if (!in || !out)
		return -1;
	n = fread(buf, 1, sizeof(buf), in);
	fwrite(buf, 1, n, out);
	fprintf(out, "\n[binding]\n%s\n", binding);
	fclose(in);
	fclose(out);
	ret = testcard_open(t, path, state);
	unlink(path);
	return ret;
}

/* Power-on to IMEI answered: TP, FETCH, TERMINAL RESPONSE; returns its SW. */
static const char *present_raw(struct testcard *t, const char *imei)
{
	static char tr[128];

	if (strcmp(tc(t, TP_FULL), "910B") ||
	    strcmp(tc(t, "801200000B"), PLI_IMEI_CMD))
		return "no PLI";
	snprintf(tr, sizeof(tr), TR_IMEI("%s"), imei);
	return tc(t, tr);
}

/*
 * The same, then like a terminal take and acknowledge whatever the card
 * announces next (REFRESH, DISPLAY TEXT). Returns the first answer's SW.
 */
static const char *present(struct testcard *t, const char *imei)
{
	static char first[16];
	char cmd[64];
	const char *r;

	snprintf(first, sizeof(first), "%s", present_raw(t, imei));
	r = first;
	while (r[0] == '9' && r[1] == '1') {
		snprintf(cmd, sizeof(cmd), "80120000%.2s", r + 2);
		r = tc(t, cmd);
		if (strlen(r) < 14)
			break;
		/* acknowledge: echo the command details, result 00 */
		snprintf(cmd, sizeof(cmd), "801400000C%.10s82028281830100", r + 4);
		r = tc(t, cmd);
	}
	return first;
}

static void unlock_pin(struct __test_metadata *_metadata, struct testcard *t)
{
	EXPECT_STREQ("9000", tc(t, SELECT_USIM));
	EXPECT_STREQ("9000", tc(t, VERIFY_1234));
}

/* Both the USIM and the 2G view: IMSI, AUTHENTICATE, RUN GSM ALGORITHM. */
#define RUN_GSM "A08800001000112233445566778899AABBCCDDEEFF"
#define EXPECT_ALLOWED(t) do {						\
	unlock_pin(_metadata, t);					\
	EXPECT_STREQ(VALID_IMSI, tc(t, READ_IMSI));			\
	/* AKA ran: 6135 (RES) the first time, 6110 (AUTS) after */	\
	EXPECT_EQ(0, strncmp("61", tc(t, AUTH_SET1), 2));		\
	EXPECT_STREQ("9F16", tc(t, "A0A40000027F20"));			\
	EXPECT_STREQ("9F0C", tc(t, RUN_GSM));				\
} while (0)

#define EXPECT_LOCKED(t) do {						\
	unlock_pin(_metadata, t);					\
	EXPECT_STREQ(LOCKED_IMSI, tc(t, READ_IMSI));			\
	EXPECT_STREQ("6982", tc(t, AUTH_SET1));				\
	EXPECT_STREQ("9F16", tc(t, "A0A40000027F20"));			\
	EXPECT_STREQ("9F0F", tc(t, "A0A40000026F07"));			\
	EXPECT_STREQ("FFFFFFFFFFFFFFFFFF9000", tc(t, "A0B0000009"));	\
	EXPECT_STREQ("9804", tc(t, RUN_GSM));				\
} while (0)

FIXTURE(first) {
	struct testcard t;
};

FIXTURE_SETUP(first)
{
	ASSERT_EQ(0, testcard_open(&self->t, BOUND_PROFILE, NULL));
}

FIXTURE_TEARDOWN(first)
{
	testcard_close(&self->t);
}

TEST_F(first, terminal_binds_and_gets_refresh)
{
	unsigned long before = self->t.h.persists;
	struct vsim_binding_info info;

	EXPECT_STREQ("911A", present_raw(&self->t, IMEI_A));
	/* bound durably before the TERMINAL RESPONSE was answered */
	EXPECT_LT(before, self->t.h.persists);
	vsim_card_binding_info(self->t.h.card, &info);
	EXPECT_STREQ("allowed", info.session);
	EXPECT_TRUE(info.bound);
	/* REFRESH, file change notification of both EF_IMSI */
	EXPECT_STREQ("D018810302010182028182920D023F007FFF6F073F007F206F079000",
		     tc(&self->t, "801200001A"));
	EXPECT_STREQ("9000", tc(&self->t, "801400000C810302010182028281830100"));
	EXPECT_ALLOWED(&self->t);
}

TEST_F(first, other_terminal_refused_with_text)
{
	EXPECT_STREQ("911A", present(&self->t, IMEI_A));
	testcard_reset(&self->t);
	EXPECT_STREQ("9132", present_raw(&self->t, IMEI_B));
	EXPECT_STREQ("D0308103022180820281028D2504546869732053494D206973206C6F"
		     "636B656420746F20616E6F74686572206465766963659000",
		     tc(&self->t, "8012000032"));
	EXPECT_STREQ("9000", tc(&self->t, "801400000C810302218082028281830100"));
	EXPECT_LOCKED(&self->t);
	/* the bound terminal is still welcome after the stranger */
	testcard_reset(&self->t);
	EXPECT_STREQ("911A", present(&self->t, IMEI_A));
	EXPECT_ALLOWED(&self->t);
}

TEST_F(first, encodings_and_check_digit_normalised)
{
	EXPECT_STREQ("911A", present(&self->t, IMEI_A));
	testcard_reset(&self->t);
	EXPECT_STREQ("911A", present(&self->t, IMEI_A_RAW));
	testcard_reset(&self->t);
	EXPECT_STREQ("911A", present(&self->t, IMEI_A_CD9));
	EXPECT_ALLOWED(&self->t);
	/* nibbles that are no digits in either form: cannot tell, deny */
	testcard_reset(&self->t);
	EXPECT_STREQ("9000", present(&self->t, "ABCDEFABCDEFABCD"));
	EXPECT_LOCKED(&self->t);
}

TEST_F(first, locked_until_the_imei_is_answered)
{
	EXPECT_STREQ("910B", tc(&self->t, TP_FULL));
	/* the request is out: still locked, and 91xx keeps announcing it */
	EXPECT_STREQ("910B", tc(&self->t, SELECT_USIM));
	EXPECT_STREQ("910B", tc(&self->t, VERIFY_1234));
	EXPECT_STREQ("FFFFFFFFFFFFFFFFFF910B", tc(&self->t, READ_IMSI));
	EXPECT_STREQ(PLI_IMEI_CMD, tc(&self->t, "801200000B"));
	/* a repeated FETCH gets the same command */
	EXPECT_STREQ(PLI_IMEI_CMD, tc(&self->t, "801200000B"));
	EXPECT_STREQ("911A", tc(&self->t, TR_IMEI(IMEI_A)));
	EXPECT_STREQ("080910101032547698911A", tc(&self->t, READ_IMSI));
}

TEST_F(first, wrong_and_malformed_terminal_responses)
{
	/* FETCH with nothing pending; a response to nothing */
	EXPECT_STREQ("6F00", tc(&self->t, "801200000B"));
	EXPECT_STREQ("6985", tc(&self->t, TR_IMEI(IMEI_A)));
	EXPECT_STREQ("910B", tc(&self->t, TP_FULL));
	/* announced but not fetched yet */
	EXPECT_STREQ("6985", tc(&self->t, TR_IMEI(IMEI_A)));
	EXPECT_STREQ(PLI_IMEI_CMD, tc(&self->t, "801200000B"));
	/* wrong command number, type, qualifier: 6985 */
	EXPECT_STREQ("6985", tc(&self->t, "8014000016 810302260182028281830100 9408" IMEI_A));
	EXPECT_STREQ("6985", tc(&self->t, "8014000016 810301210182028281830100 9408" IMEI_A));
	EXPECT_STREQ("6985", tc(&self->t, "8014000016 810301260882028281830100 9408" IMEI_A));
	/* malformed: a length past the end, a missing result, no data */
	EXPECT_STREQ("6A80", tc(&self->t, "8014000016 810301260182028281830100 9409" IMEI_A));
	EXPECT_STREQ("6A80", tc(&self->t, "8014000013 8103012601820282819408" IMEI_A));
	EXPECT_STREQ("6A80", tc(&self->t, "8014000003 000000"));
	EXPECT_STREQ("6700", tc(&self->t, "80140000"));
	/* a TERMINAL RESPONSE in class 00 is no command at all */
	EXPECT_STREQ("6D00", tc(&self->t, "0014000016 810301260182028281830100 9408" IMEI_A));
	/* still waiting; command number 00 means "the last command" (§6.8.1) */
	EXPECT_STREQ("911A", tc(&self->t, "8014000016 810300260182028281830100 9408" IMEI_A));
}

TEST_F(first, terminal_without_cat_denied)
{
	struct vsim_binding_info info;

	EXPECT_LOCKED(&self->t);
	vsim_card_binding_info(self->t.h.card, &info);
	EXPECT_STREQ("refused", info.session);
	EXPECT_STREQ("terminal cannot tell its IMEI", info.reason);
}

TEST_F(first, profile_without_pli_bit_denied)
{
	EXPECT_STREQ("9000", tc(&self->t, TP_NO_PLI));
	EXPECT_LOCKED(&self->t);
}

TEST_F(first, beyond_capabilities_denied)
{
	EXPECT_STREQ("910B", tc(&self->t, TP_FULL));
	EXPECT_STREQ(PLI_IMEI_CMD, tc(&self->t, "801200000B"));
	EXPECT_STREQ("9000", tc(&self->t, "801400000C810301260182028281830130"));
	EXPECT_LOCKED(&self->t);
}

TEST_F(first, silent_terminal_decided_after_sixteen_commands)
{
	struct vsim_binding_info info;
	int i;

	for (i = 0; i < 15; i++)
		EXPECT_STREQ("9000", tc(&self->t, "00A4000C023F00"));
	vsim_card_binding_info(self->t.h.card, &info);
	EXPECT_STREQ("pending", info.session);
	EXPECT_STREQ("9000", tc(&self->t, "00A4000C023F00"));
	vsim_card_binding_info(self->t.h.card, &info);
	EXPECT_STREQ("refused", info.session);
}

TEST_F(first, failed_commit_leaves_card_unbound)
{
	struct vsim_binding_info info;

	EXPECT_STREQ("910B", tc(&self->t, TP_FULL));
	EXPECT_STREQ(PLI_IMEI_CMD, tc(&self->t, "801200000B"));
	self->t.h.fail_persist = 1;
	EXPECT_STREQ("6581", tc(&self->t, TR_IMEI(IMEI_A)));
	vsim_card_binding_info(self->t.h.card, &info);
	EXPECT_FALSE(info.bound);
	EXPECT_STREQ("pending", info.session);
	/* the terminal may answer again */
	EXPECT_STREQ("911A", tc(&self->t, TR_IMEI(IMEI_A)));
}

TEST_F(first, admin_needs_adm1)
{
	char s[200];

	EXPECT_STREQ("911A", present(&self->t, IMEI_A));
	/* status without ADM1: no IMEI (tag 85) */
	strcpy(s, tc(&self->t, "803B000000"));
	EXPECT_STREQ("8001018101048201018301018401039000", s);
	EXPECT_STREQ("6982", tc(&self->t, "803B0100"));
	EXPECT_STREQ("9000", tc(&self->t, "002000 0A08 3838383838383838"));
	strcpy(s, tc(&self->t, "803B000000"));
	EXPECT_NE(NULL, strstr(s, "851031323334353637383930313233340000"));
	EXPECT_STREQ("6A86", tc(&self->t, "803B0900"));
	EXPECT_STREQ("9000", tc(&self->t, "803B0100"));
	/* unbound: the next terminal binds */
	testcard_reset(&self->t);
	EXPECT_STREQ("911A", present(&self->t, IMEI_B));
	EXPECT_ALLOWED(&self->t);
}

/* First-terminal binding survives the host going away (agent restart). */
TEST(binding_survives_restart)
{
	char dir[] = "/tmp/vsim-bindst-XXXXXX", path[64];
	struct testcard t;

	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_EQ(0, testcard_open(&t, BOUND_PROFILE, dir));
	EXPECT_STREQ("911A", present(&t, IMEI_A));
	testcard_close(&t);
	ASSERT_EQ(0, testcard_open(&t, BOUND_PROFILE, dir));
	EXPECT_STREQ("9132", present(&t, IMEI_B));
	testcard_reset(&t);
	EXPECT_STREQ("911A", present(&t, IMEI_A));
	testcard_close(&t);
	snprintf(path, sizeof(path), "%s/card.state", dir);
	unlink(path);
	rmdir(dir);
}

TEST(allow_policy_lets_cat_less_terminals_in)
{
	struct testcard t;

	ASSERT_EQ(0, open_bound(&t, "mode = first-terminal\n"
				    "unsupported_terminal = allow", NULL));
	EXPECT_ALLOWED(&t);
	/* a terminal that can answer is still checked, and binds */
	testcard_reset(&t);
	EXPECT_STREQ("911A", present(&t, IMEI_A));
	EXPECT_ALLOWED(&t);
	testcard_reset(&t);
	EXPECT_STREQ("9000", present(&t, IMEI_B));
	EXPECT_LOCKED(&t);
	testcard_close(&t);
}

TEST(imei_list_mode)
{
	struct testcard t;

	ASSERT_EQ(0, open_bound(&t, "mode = imei\n"
				    "imei = 123456789012347, 35555555555555", NULL));
	EXPECT_STREQ("911A", present(&t, IMEI_A));
	EXPECT_ALLOWED(&t);
	testcard_reset(&t);
	EXPECT_STREQ("911A", present(&t, IMEI_B));
	EXPECT_ALLOWED(&t);
	testcard_reset(&t);
	EXPECT_STREQ("9000", present(&t, "3A55555555555556"));
	EXPECT_LOCKED(&t);
	testcard_close(&t);
}

TEST(pattern_mode)
{
	struct testcard t;

	/* one handset model (TAC 35555555) or 1234?678 */
	ASSERT_EQ(0, open_bound(&t, "mode = pattern\n"
				    "pattern = 35555555, 1234x678", NULL));
	EXPECT_STREQ("911A", present(&t, IMEI_B));
	EXPECT_ALLOWED(&t);
	testcard_reset(&t);
	EXPECT_STREQ("911A", present(&t, IMEI_A));
	EXPECT_ALLOWED(&t);
	testcard_reset(&t);
	/* 12345978... does not fit 1234?678 */
	EXPECT_STREQ("9000", present(&t, "1A32547998103274"));
	EXPECT_LOCKED(&t);
	testcard_close(&t);
}

TEST(imeisv_mode)
{
	struct testcard t;

	ASSERT_EQ(0, open_bound(&t, "mode = imei\ncompare = imeisv\n"
				    "imei = 1234567890123456", NULL));
	EXPECT_STREQ("910B", tc(&t, TP_FULL));
	/* qualifier 08: IMEISV */
	EXPECT_STREQ("D0098103012608820281829000", tc(&t, "801200000B"));
	EXPECT_STREQ("911A", tc(&t, "8014000017 810301260882028281830100"
				 "E209 1332547698103254F6"));
	EXPECT_STREQ("D018810302010182028182920D023F007FFF6F073F007F206F079000",
		     tc(&t, "801200001A"));
	EXPECT_STREQ("9000", tc(&t, "801400000C810302010182028281830100"));
	EXPECT_ALLOWED(&t);
	testcard_reset(&t);
	EXPECT_STREQ("910B", tc(&t, TP_FULL));
	EXPECT_STREQ("D0098103012608820281829000", tc(&t, "801200000B"));
	EXPECT_STREQ("9000", tc(&t, "8014000017 810301260882028281830100"
				 "E209 1332547698103254F5"));
	EXPECT_LOCKED(&t);
	testcard_close(&t);
}

TEST(envelope_dispatch)
{
	struct testcard t;

	ASSERT_EQ(0, testcard_open(&t, TESTCARD_PROFILE, NULL));
	/* SMS-PP download with no agent attached: toolkit busy */
	EXPECT_STREQ("9300", tc(&t, "80C2000005 D103 820283"));
	/* event download: acknowledged */
	EXPECT_STREQ("9000", tc(&t, "80C2000005 D603 990100"));
	/* unknown tag, bad lengths */
	EXPECT_STREQ("6A80", tc(&t, "80C2000003 AB0100"));
	EXPECT_STREQ("6A80", tc(&t, "80C2000003 D10500"));
	EXPECT_STREQ("6700", tc(&t, "80C2000001 D1"));
	testcard_close(&t);
}

TEST(profile_binding_errors_name_line_and_field)
{
	static const struct {
		const char *binding, *expect;
	} bad[] = {
		{ "mode = sometimes", "field 'mode': 'sometimes'" },
		{ "mode = imei\nimei = 123456789012345", "Luhn check digit" },
		{ "mode = imei", "field 'imei': mode imei needs" },
		{ "mode = pattern\npattern = 35a5", "field 'pattern'" },
		{ "mode = first-terminal\nimei = 12345678901234", "only for mode imei" },
		{ "imei = 12345678901234", "field 'mode': missing" },
		{ "mode = imei\ncompare = imeisv\nimei = 12345678901234", "16 (IMEISV)" },
		{ "mode = off\nunsupported_terminal = maybe", "expected deny or allow" },
	};
	char text[8192], err[512];
	FILE *in = fopen(TESTCARD_PROFILE, "r");
	size_t base, len, i;
	uint8_t *img;

	ASSERT_NE(NULL, in);
	base = fread(text, 1, sizeof(text) - 600, in);
	fclose(in);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text + base, sizeof(text) - base, "\n[binding]\n%s\n",
			 bad[i].binding);
		EXPECT_EQ(-1, vsim_profile_compile_buffer("p.ini", text, &img, &len,
							  err, sizeof(err)));
		EXPECT_NE(NULL, strstr(err, bad[i].expect)) TH_LOG("%s", err);
		EXPECT_NE(NULL, strstr(err, "p.ini:")) TH_LOG("%s", err);
	}
}

TEST(image_check_refuses_bad_binding)
{
	struct vsim_image_header *h;
	const char *why;
	char err[256];
	uint8_t *img;
	size_t len;

	ASSERT_EQ(0, vsim_profile_compile(BOUND_PROFILE, &img, &len, err, sizeof(err)));
	h = (void *)img;
	EXPECT_EQ(0, vsim_image_check(img, len, &why));
	h->binding.mode = 9;
	EXPECT_EQ(-EINVAL, vsim_image_check(img, len, &why));
	EXPECT_STREQ("unknown binding mode", why);
	h->binding.mode = VSIM_BIND_IMEI;
	EXPECT_EQ(-EINVAL, vsim_image_check(img, len, &why));
	h->binding.count = 1;
	memcpy(h->binding.entries[0], "1234567890123x", 14);
	EXPECT_EQ(-EINVAL, vsim_image_check(img, len, &why));
	memcpy(h->binding.entries[0], "12345678901234", 14);
	EXPECT_EQ(0, vsim_image_check(img, len, &why));
	h->binding.flags = 0x80;
	EXPECT_EQ(-EINVAL, vsim_image_check(img, len, &why));
	free(img);
}

TEST_HARNESS_MAIN
