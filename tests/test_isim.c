// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ISIM (TS 31.103) of the complete profile, beside the USIM on another
 * logical channel: EF_DIR, the identity files decoded back to the
 * profile's [isim] values (or the IMSI-derived defaults), IMS AKA with the
 * TS 35.208 set 1 keys and against osmo-auc-gen; and the session commands
 * of TS 102 221 a modem sends: TERMINAL CAPABILITY, SUSPEND/RESUME UICC.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "common/profile.h"
#include "testcard.h"

#define COMPLETE	"examples/usim-complete.ini"
#define SELECT_USIM	"00A4040C07A0000000871002"
#define SELECT_ISIM	"00A4040C07A0000000871004"
#define VERIFY_1234	"002000010831323334FFFFFFFF"

/* TS 35.208 test set 1: RAND, AUTN (SQN ff9bb4d0b607, AMF b9b9) */
#define SET1_RAND	"23553CBE9637A89D218AE64DAE47BF35"
#define SET1_AUTN	"55F328B43577B9B94A9FFAC354DFAFB3"
#define SET1_RES	"A54211D5E3BA50BF"
#define SET1_CK		"B40BA9A3C58B2A05BBF0D987B21BF8CB"
#define SET1_IK		"F769BCD751044604127672711C6D3441"

/* A TLV 80 at the start of a hex R-APDU, as a string (or "" if none). */
static const char *tlv80_text(const char *hex, char *out, size_t max)
{
	unsigned int tag, len, i, ch;

	out[0] = 0;
	if (sscanf(hex, "%2x%2x", &tag, &len) != 2 || tag != 0x80 || len >= max)
		return out;
	for (i = 0; i < len; i++) {
		if (sscanf(hex + 4 + 2 * i, "%2x", &ch) != 1)
			break;
		out[i] = (char)ch;
	}
	out[i] = 0;
	return out;
}

/* A profile file made from text, for profiles no example has. */
static int write_profile(char *path, size_t len, const char *text)
{
	FILE *f;
	int fd;

	snprintf(path, len, "/tmp/vsim-isim-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	f = fdopen(fd, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static const char complete_no_isim[] =
	"[card]\ntemplate = complete\niccid = 8988211000000000045\n"
	"imsi = 310150123456789\nmnc_length = 3\n"
	"[auth]\nk = 465b5ce8b199b49faa5f0a2ee238a6bc\n"
	"opc = cd63cb71954a9f4e48a5994e37a02baf\n"
	"[pin]\npin1 = 1234\npuk1 = 12345678\npin2 = 5678\npuk2 = 87654321\n"
	"adm1 = 88888888\n";

FIXTURE(isim) {
	struct testcard t;
};

FIXTURE_SETUP(isim)
{
	ASSERT_EQ(0, testcard_open(&self->t, COMPLETE, NULL));
}

FIXTURE_TEARDOWN(isim)
{
	testcard_close(&self->t);
}

/* EF_DIR record 2: 61 L { 4F 10 AID, 50 04 "ISIM" } (TS 102 221 §13.1) */
TEST_F(isim, ef_dir_lists_isim)
{
	EXPECT_STREQ("9000", tc(&self->t, "00A4000C022F00"));
	EXPECT_STREQ("61184F10A0000000871002FFFFFFFF890709000050045553494D"
		     "FFFFFFFFFFFF9000", tc(&self->t, "00B2010420"));
	EXPECT_STREQ("61184F10A0000000871004FFFFFFFF890709000050044953494D"
		     "FFFFFFFFFFFF9000", tc(&self->t, "00B2020420"));
}

/* SELECT by the partial AID an IMS client uses gives the ISIM's FCP. */
TEST_F(isim, select_isim_fcp)
{
	const char *r = tc(&self->t, "00A4040407A0000000871004");
	char le[16];

	ASSERT_EQ(0, strncmp(r, "61", 2));
	snprintf(le, sizeof(le), "00C00000%.2s", r + 2);
	r = tc(&self->t, le);
	EXPECT_NE(NULL, strstr(r, "8410A0000000871004FFFFFFFF8907090000"));
	/* STATUS names the active application */
	EXPECT_STREQ("8410A0000000871004FFFFFFFF89070900009000",
		     tc(&self->t, "80F2000112"));
}

/* EF_IMPI, EF_DOMAIN, EF_IMPU, EF_P-CSCF decode to the profile's [isim]. */
TEST_F(isim, identities_are_the_profiles)
{
	char s[200];

	EXPECT_STREQ("9000", tc(&self->t, SELECT_ISIM));
	/* PIN1 first: IMPI, DOMAIN, IMPU are READ PIN (TS 31.103 §4.2) */
	EXPECT_STREQ("6982", tc(&self->t, "00B0820080"));
	EXPECT_STREQ("9000", tc(&self->t, VERIFY_1234));
	EXPECT_STREQ("001010000000123@ims.mnc001.mcc001.3gppnetwork.org",
		     tlv80_text(tc(&self->t, "00B0820080"), s, sizeof(s)));
	EXPECT_STREQ("ims.mnc001.mcc001.3gppnetwork.org",
		     tlv80_text(tc(&self->t, "00B0850080"), s, sizeof(s)));
	EXPECT_STREQ("sip:001010000000123@ims.mnc001.mcc001.3gppnetwork.org",
		     tlv80_text(tc(&self->t, "00B2012480"), s, sizeof(s)));
	EXPECT_STREQ("tel:+15550100123",
		     tlv80_text(tc(&self->t, "00B2022480"), s, sizeof(s)));
	EXPECT_EQ(0, strncmp("FFFF", tc(&self->t, "00B2032480"), 4));
	/* EF_P-CSCF: 80 L, type 00 FQDN / 01 IPv4, address (§4.2.8) */
	EXPECT_STREQ("9000", tc(&self->t, "00A4000C026F09"));
	EXPECT_EQ(0, strncmp("8028007063736366", tc(&self->t, "00B2010480"), 16));
	EXPECT_EQ(0, strncmp("800501C000020AFF", tc(&self->t, "00B2020480"), 16));
	/* EF_IST: services 1, 6, 7, 8; EF_AD; EF_ARR by SFI 06 */
	EXPECT_STREQ("E100009000", tc(&self->t, "00B0870003"));
	EXPECT_STREQ("0000009000", tc(&self->t, "00B0830003"));
	EXPECT_EQ(0, strncmp("8001019000", tc(&self->t, "00B2013430"), 10));
	/* the SMS files IST services 6-8 bring */
	EXPECT_STREQ("9000", tc(&self->t, "00A4000C026F3C"));
	EXPECT_STREQ("9000", tc(&self->t, "00A4000C026F43"));
	EXPECT_STREQ("9000", tc(&self->t, "00A4000C026F47"));
	EXPECT_STREQ("9000", tc(&self->t, "00A4000C026F42"));
	/* EF_IST is 6F07 here; the binding lock guards the USIM's EF_IMSI only */
	EXPECT_STREQ("9000", tc(&self->t, "00A4000C026F07"));
}

/* Without [isim]: TS 23.003 §13.2-13.4B identities from the IMSI. */
TEST(isim_identities_default_from_imsi)
{
	struct testcard t;
	char path[64], s[200];

	ASSERT_EQ(0, write_profile(path, sizeof(path), complete_no_isim));
	ASSERT_EQ(0, testcard_open(&t, path, NULL));
	unlink(path);
	EXPECT_STREQ("9000", tc(&t, SELECT_ISIM));
	EXPECT_STREQ("9000", tc(&t, VERIFY_1234));
	EXPECT_STREQ("310150123456789@ims.mnc150.mcc310.3gppnetwork.org",
		     tlv80_text(tc(&t, "00B0820080"), s, sizeof(s)));
	EXPECT_STREQ("ims.mnc150.mcc310.3gppnetwork.org",
		     tlv80_text(tc(&t, "00B0850080"), s, sizeof(s)));
	EXPECT_STREQ("sip:310150123456789@ims.mnc150.mcc310.3gppnetwork.org",
		     tlv80_text(tc(&t, "00B2012480"), s, sizeof(s)));
	/* no P-CSCF configured: empty records */
	EXPECT_STREQ("9000", tc(&t, "00A4000C026F09"));
	EXPECT_EQ(0, strncmp("FFFF", tc(&t, "00B2010480"), 4));
	testcard_close(&t);
}

/* [isim] errors name the line; the default template has no ISIM. */
TEST(isim_profile_errors)
{
	struct vsim_profile p;
	char err[256], text[2048];

	snprintf(text, sizeof(text), "%s[isim]\npcscf = bad_name!\n", complete_no_isim);
	EXPECT_EQ(-1, vsim_profile_parse_buffer("x.ini", text, &p, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "x.ini:16: field 'pcscf'")) TH_LOG("%s", err);
	snprintf(text, sizeof(text), "%s[isim]\nimpu = a b c d\n", complete_no_isim);
	EXPECT_EQ(-1, vsim_profile_parse_buffer("x.ini", text, &p, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "at most 3 entries")) TH_LOG("%s", err);
	snprintf(text, sizeof(text), "%s", complete_no_isim);
	memcpy(strstr(text, "complete"), "default ", 8);
	strcat(text, "[isim]\nimpi = a@b\n");
	EXPECT_EQ(-1, vsim_profile_parse_buffer("x.ini", text, &p, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "x.ini:15: section [isim]: template 'default' has no ISIM"))
		TH_LOG("%s", err);
}

/* The minimal test profile has no ISIM: its transcripts stay as they were. */
TEST(default_template_has_no_isim)
{
	struct testcard t;

	ASSERT_EQ(0, testcard_open(&t, TESTCARD_PROFILE, NULL));
	EXPECT_STREQ("6A82", tc(&t, SELECT_ISIM));
	testcard_close(&t);
}

/*
 * The IMS client's way in: the USIM stays on channel 0, the ISIM opens on
 * a channel of its own (MANAGE CHANNEL + SELECT by AID) and runs IMS AKA
 * there (TS 31.103 §7.1.2.1): DB RES CK IK, no Kc.
 */
TEST_F(isim, ims_aka_set1_on_channel_1_beside_usim)
{
	EXPECT_STREQ("9000", tc(&self->t, SELECT_USIM));
	EXPECT_STREQ("9000", tc(&self->t, VERIFY_1234));
	EXPECT_STREQ("019000", tc(&self->t, "0070000001"));
	EXPECT_STREQ("9000", tc(&self->t, "01A4040C07A0000000871004"));
	EXPECT_STREQ("612C", tc(&self->t, "018800812210" SET1_RAND "10" SET1_AUTN));
	EXPECT_STREQ("DB08" SET1_RES "10" SET1_CK "10" SET1_IK "9000",
		     tc(&self->t, "01C000002C"));
	/* each channel keeps its application */
	EXPECT_STREQ("8410A0000000871002FFFFFFFF89070900009000",
		     tc(&self->t, "80F2000112"));
	EXPECT_STREQ("8410A0000000871004FFFFFFFF89070900009000",
		     tc(&self->t, "81F2000112"));
	EXPECT_EQ(0, strncmp("0809101000000010329000", tc(&self->t, "00B0870009"), 22));
	/*
	 * One SQN array for the card (docs/engine.md): the vector the ISIM
	 * used is stale for the USIM too, which answers with AUTS.
	 */
	EXPECT_STREQ("6110", tc(&self->t, "008800812210" SET1_RAND "10" SET1_AUTN));
	EXPECT_EQ(0, strncmp("DC0E", tc(&self->t, "00C0000010"), 4));
	/* and a replay on the ISIM itself is stale as well */
	EXPECT_STREQ("6110", tc(&self->t, "018800812210" SET1_RAND "10" SET1_AUTN));
	/* a bad MAC: 9862 */
	EXPECT_STREQ("9862", tc(&self->t, "018800812210" SET1_RAND
				"1055F328B43577B9B94A9FFAC354DFAF00"));
}

/* The ISIM runs IMS AKA only: GSM, HTTP Digest, GBA contexts are 9864. */
TEST_F(isim, isim_contexts)
{
	EXPECT_STREQ("9000", tc(&self->t, SELECT_ISIM));
	EXPECT_STREQ("9000", tc(&self->t, VERIFY_1234));
	EXPECT_STREQ("9864", tc(&self->t, "00880080111000112233445566778899AABBCCDDEEFF"));
	EXPECT_STREQ("9864", tc(&self->t, "0088008211" "1000112233445566778899AABBCCDDEEFF"));
	EXPECT_STREQ("9864", tc(&self->t, "0088008411" "1000112233445566778899AABBCCDDEEFF"));
	EXPECT_STREQ("6A86", tc(&self->t, "0088000111" "1000112233445566778899AABBCCDDEEFF"));
	/* the USIM keeps its GSM context */
	EXPECT_STREQ("9000", tc(&self->t, SELECT_USIM));
	EXPECT_STREQ("610E", tc(&self->t, "00880080111000112233445566778899AABBCCDDEEFF"));
}

static void hex(const uint8_t *b, size_t n, char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(s + 2 * i, "%02X", b[i]);
}

/* IMS AKA against libosmocore's osmo-auc-gen: same RES, CK, IK. */
TEST_F(isim, ims_aka_matches_osmo_auc_gen)
{
	char cmd[256], line[256], autn[33] = "", res[17] = "", ck[33] = "", ik[33] = "";
	char rand_hex[33], capdu[128], want[128];
	uint8_t rnd[16];
	unsigned int i, j;
	FILE *f;

	EXPECT_STREQ("9000", tc(&self->t, VERIFY_1234));
	EXPECT_STREQ("019000", tc(&self->t, "0070000001"));
	EXPECT_STREQ("9000", tc(&self->t, "01A4040C07A0000000871004"));
	for (i = 0; i < 8; i++) {
		for (j = 0; j < 16; j++)
			rnd[j] = (uint8_t)(i * 37 + j * 11 + 5);
		hex(rnd, 16, rand_hex);
		/* SQN (i + 1) << 5 | i: a fresh SEQ in slot i each time */
		snprintf(cmd, sizeof(cmd),
			 "osmo-auc-gen -3 -a milenage -k 465b5ce8b199b49faa5f0a2ee238a6bc "
			 "-o cd63cb71954a9f4e48a5994e37a02baf -s %u -f 8000 -r %s 2>&1",
			 ((i + 1) << 5) | i, rand_hex);
		f = popen(cmd, "r");
		ASSERT_NE(NULL, f);
		while (fgets(line, sizeof(line), f)) {
			sscanf(line, "AUTN: %32s", autn);
			sscanf(line, "RES: %16s", res);
			sscanf(line, "CK: %32s", ck);
			sscanf(line, "IK: %32s", ik);
		}
		ASSERT_EQ(0, pclose(f)) TH_LOG("osmo-auc-gen is required");
		snprintf(capdu, sizeof(capdu), "018800812210%s10%s", rand_hex, autn);
		EXPECT_STREQ("612C", tc(&self->t, capdu));
		snprintf(want, sizeof(want), "DB08%s10%s10%s9000", res, ck, ik);
		for (j = 0; want[j]; j++)
			want[j] = (char)toupper((unsigned char)want[j]);
		EXPECT_STREQ(want, tc(&self->t, "01C000002C"));
	}
}

/* TERMINAL CAPABILITY (TS 102 221 §11.1.19) and its status words. */
TEST_F(isim, terminal_capability)
{
	/* A9 { 80 03 power supply: class C, 60 mA, 5 MHz; 81 00 extended channels } */
	EXPECT_STREQ("9000", tc(&self->t, "80AA000009A90780031C3C058100"));
	EXPECT_STREQ("6A86", tc(&self->t, "80AA010009A90780031C3C058100"));
	EXPECT_STREQ("6A80", tc(&self->t, "80AA000005A80380011C"));
	EXPECT_STREQ("6A80", tc(&self->t, "80AA000005A90380051C"));
	EXPECT_STREQ("6A80", tc(&self->t, "80AA000004A9038001"));
	EXPECT_STREQ("6700", tc(&self->t, "80AA000000"));
	/* channel coding of class 8X works; the ISO class has no AA */
	EXPECT_STREQ("9000", tc(&self->t, "80AA000005A90380011C"));
	EXPECT_STREQ("6D00", tc(&self->t, "00AA000005A90380011C"));
	EXPECT_EQ(3, vsim_card_apdu_case(0x80, 0xaa));
	EXPECT_EQ(4, vsim_card_apdu_case(0x80, 0x76));
	EXPECT_EQ(0, vsim_card_apdu_case(0x81, 0x76));
}

/* SUSPEND with 5 s .. 10 min; answers 61 0A, then max duration + token. */
static void suspend(struct __test_metadata *_metadata, struct testcard *t,
		    char token[17])
{
	const char *r;

	EXPECT_STREQ("610A", tc(t, "8076000004000501 0A"));
	r = tc(t, "00C000000A");
	ASSERT_EQ(24U, strlen(r));
	EXPECT_EQ(0, strncmp(r, "010A", 4));
	EXPECT_STREQ("9000", r + 20);
	memcpy(token, r + 4, 16);
	token[16] = 0;
}

/*
 * The session survives a power cycle: verified PIN, channels, their
 * applications and current files come back with the token.
 */
TEST_F(isim, suspend_resume_keeps_session)
{
	char token[17], capdu[64];

	EXPECT_STREQ("9000", tc(&self->t, SELECT_USIM));
	EXPECT_STREQ("9000", tc(&self->t, VERIFY_1234));
	EXPECT_STREQ("019000", tc(&self->t, "0070000001"));
	EXPECT_STREQ("9000", tc(&self->t, "01A4040C07A0000000871004"));
	suspend(_metadata, &self->t, token);
	testcard_reset(&self->t);
	snprintf(capdu, sizeof(capdu), "8076010008%s", token);
	EXPECT_STREQ("9000", tc(&self->t, capdu));
	/* no VERIFY: PIN1 is still verified, the USIM still active on 0 */
	EXPECT_EQ(0, strncmp("0809101000000010329000", tc(&self->t, "00B0870009"), 22));
	EXPECT_STREQ("8410A0000000871004FFFFFFFF89070900009000",
		     tc(&self->t, "81F2000112"));
	EXPECT_STREQ("612C", tc(&self->t, "018800812210" SET1_RAND "10" SET1_AUTN));
	/* the token was good once */
	testcard_reset(&self->t);
	EXPECT_STREQ("6985", tc(&self->t, capdu));
}

/* A wrong token: 6982, and the card is as after any reset. */
TEST_F(isim, resume_with_wrong_token)
{
	char token[17], capdu[64];

	EXPECT_STREQ("9000", tc(&self->t, SELECT_USIM));
	EXPECT_STREQ("9000", tc(&self->t, VERIFY_1234));
	EXPECT_STREQ("019000", tc(&self->t, "0070000001"));
	suspend(_metadata, &self->t, token);
	testcard_reset(&self->t);
	token[0] = token[0] == '0' ? '1' : '0';
	snprintf(capdu, sizeof(capdu), "8076010008%s", token);
	EXPECT_STREQ("6982", tc(&self->t, capdu));
	EXPECT_STREQ("6881", tc(&self->t, "81F2000112"));
	EXPECT_STREQ("9000", tc(&self->t, SELECT_USIM));
	EXPECT_STREQ("6982", tc(&self->t, "00B0870009"));
	/* the suspension is over: even the right token is too late */
	token[0] = token[0] == '0' ? '1' : '0';
	snprintf(capdu, sizeof(capdu), "8076010008%s", token);
	EXPECT_STREQ("6985", tc(&self->t, capdu));
}

/* RESUME must be the first command after the power-on (§11.1.22). */
TEST_F(isim, suspend_status_words)
{
	char token[17], capdu[64];

	/* nothing suspended */
	EXPECT_STREQ("6985", tc(&self->t, "80760100080011223344556677"));
	/* not yet powered off */
	suspend(_metadata, &self->t, token);
	snprintf(capdu, sizeof(capdu), "8076010008%s", token);
	EXPECT_STREQ("6985", tc(&self->t, capdu));
	/* another command first ends the suspension */
	testcard_reset(&self->t);
	EXPECT_STREQ("9000", tc(&self->t, "00A4000C023F00"));
	EXPECT_STREQ("6985", tc(&self->t, capdu));
	/* shapes: min > max, unit 05, zero, Lc, P1, P2, class */
	EXPECT_STREQ("6A80", tc(&self->t, "8076000004010A0005"));
	EXPECT_STREQ("6A80", tc(&self->t, "807600000405010501"));
	EXPECT_STREQ("6A80", tc(&self->t, "807600000400000001"));
	EXPECT_STREQ("6700", tc(&self->t, "8076000003000501"));
	EXPECT_STREQ("6700", tc(&self->t, "807601000400000001"));
	EXPECT_STREQ("6A86", tc(&self->t, "807602000400050105"));
	EXPECT_STREQ("6A86", tc(&self->t, "807600010400050105"));
	EXPECT_STREQ("6D00", tc(&self->t, "847600000400050105"));
}

TEST_HARNESS_MAIN
