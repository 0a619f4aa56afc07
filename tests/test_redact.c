// SPDX-License-Identifier: GPL-2.0-only
/*
 * What traces blank (agent/vsimd/redact.c), exchange by exchange, on the
 * golden transcripts' sessions: PINs, the AUTHENTICATE answer whether it
 * comes at once or by GET RESPONSE after 61xx (T=0), the GSM context and
 * RUN GSM ALGORITHM (9Fxx), AUTS, and the key EFs; and nothing else, so
 * a SELECT's FCP fetched by GET RESPONSE stays readable (issue #12).
 */
#include <stdio.h>
#include <string.h>

#include "kselftest_harness.h"

#include "otatest.h"
#include "vsimd/redact.h"

struct step {
	const char *c, *r;
	unsigned int want;
};

#define C VSIM_REDACT_C
#define R VSIM_REDACT_R

static void run(struct __test_metadata *_metadata, const struct step *s,
		size_t n)
{
	struct vsim_redact st = { 0 };
	uint8_t c[300], r[300], co[300], ro[300];
	size_t i;

	for (i = 0; i < n; i++) {
		int cl = ot_unhex(s[i].c, c, sizeof(c));
		int rl = ot_unhex(s[i].r, r, sizeof(r));
		unsigned int got = vsim_redact_next(&st, c, (size_t)cl, r,
						    (size_t)rl);

		EXPECT_EQ(s[i].want, got) TH_LOG("step %zu: %s -> %s", i, s[i].c, s[i].r);
		vsim_redact_copy(got, c, (size_t)cl, co, r, (size_t)rl, ro);
		/* the status word and the header always show */
		EXPECT_EQ(0, memcmp(ro + rl - 2, r + rl - 2, 2));
		EXPECT_EQ(0, memcmp(co, c, cl < 5 ? (size_t)cl : 5));
		if (got & R)
			EXPECT_EQ(0, memcmp(ro, (uint8_t[300]){ 0 }, (size_t)rl - 2));
	}
}

/* tests/golden/usim_auth.trace */
TEST(usim_aka_under_t0)
{
	static const struct step s[] = {
		{ "00A4040C07A0000000871002", "9000", 0 },
		{ "0020000100", "63C3", 0 },
		{ "002000010831323334FFFFFFFF", "9000", C },
		{ "00B0870009", "0809101010325476989000", 0 },	/* IMSI */
		{ "00880081221023553CBE9637A89D218AE64DAE47BF351055F328B43577B9B94A9FFAC354DFAFB3",
		  "6135", R },
		{ "00C0000035", "DB08A54211D5E3BA50BF10B40BA9A3C58B2A05BBF0D987B21BF8CB10F769BCD751044604127672711C6D344108EAE4BE823AF9A08B9000", R },
		/* AUTS */
		{ "00880081221023553CBE9637A89D218AE64DAE47BF351055F328B43577B9B94A9FFAC354DFAFB3",
		  "6110", R },
		{ "00C0000010", "DC0EBA853F3C123CCF44E93596E355C69000", R },
		/* a wrong Le first: 6Cxx, then the right one */
		{ "00880080111023553CBE9637A89D218AE64DAE47BF35", "610E", R },
		{ "00C0000020", "6C0E", R },
		{ "00C000000E", "0446F8416A08EAE4BE823AF9A08B9000", R },
		/* nothing pending any more: a GET RESPONSE now shows */
		{ "00C000000E", "6985", 0 },
		/* case 4 with Le: the answer at once */
		{ "008800801110000102030405060708090A0B0C0D0E0F00",
		  "04C2C26EF20824BE7D751EDFA99C9000", R },
		/* a SELECT's FCP by GET RESPONSE is no secret */
		{ "00A40004023F00", "6125", 0 },
		{ "00C0000025", "62238202782183023F00A50B80017183040003B8A28A01058B032F06018C0100C60C90016083010183010A83010B9000", 0 },
	};

	run(_metadata, s, sizeof(s) / sizeof(s[0]));
}

/* tests/golden/gsm.trace: class A0, 9Fxx then GET RESPONSE */
TEST(run_gsm_algorithm)
{
	static const struct step s[] = {
		{ "A0A40000027F20", "9F16", 0 },
		{ "A0C0000016", "000000007F200200000000000009910016040000830A9000", 0 },
		{ "A08800001023553CBE9637A89D218AE64DAE47BF35", "9F0C", R },
		{ "A0C000000C", "46F8416AEAE4BE823AF9A08B9000", R },
		{ "A0F2000016", "000000007F200200000000000009910016040000830A9000", 0 },
	};

	run(_metadata, s, sizeof(s) / sizeof(s[0]));
}

/* Kc and CK/IK written and read back by the terminal (TS 31.102 §4.2.4) */
TEST(key_files)
{
	static const struct step s[] = {
		{ "00A4040C07A0000000871002", "9000", 0 },
		{ "00A4000C026F08", "9000", 0 },		/* EF_Keys */
		{ "00D600002107000102030405060708090A0B0C0D0E0F000102030405060708090A0B0C0D0E0F", "9000", C },
		{ "00B0000021", "07000102030405060708090A0B0C0D0E0F000102030405060708090A0B0C0D0E0F9000", R },
		{ "00A4000C026F07", "9000", 0 },		/* EF_IMSI: not secret */
		{ "00B0000009", "0809101010325476989000", 0 },
		{ "00B0880021", "07000102030405060708090A0B0C0D0E0F000102030405060708090A0B0C0D0E0F9000", R },	/* SFI 08 */
		{ "00A40804045F3B4F20", "9000", 0 },		/* DF_GSM-ACCESS/EF_Kc */
		{ "00B0000009", "0001020304050607089000", R },
		{ "00B0820009", "0001020304050607089000", R },	/* SFI 02: KcGPRS */
		{ "00A4000C023F00", "9000", 0 },
		{ "00B0000009", "0001020304050607089000", 0 },	/* nothing selected */
	};

	run(_metadata, s, sizeof(s) / sizeof(s[0]));
}

/* A power event starts a new session: nothing pending survives it. */
TEST(reset_forgets)
{
	struct vsim_redact st = { 0 };
	uint8_t auth[] = { 0x00, 0x88, 0x00, 0x81, 0x22 }, sw[] = { 0x61, 0x35 };
	uint8_t gr[] = { 0x00, 0xc0, 0x00, 0x00, 0x35 }, ok[] = { 0x6f, 0x00 };

	EXPECT_EQ(R, vsim_redact_next(&st, auth, 5, sw, 2));
	vsim_redact_reset(&st);
	EXPECT_EQ(0U, vsim_redact_next(&st, gr, 5, ok, 2));
}

TEST_HARNESS_MAIN
