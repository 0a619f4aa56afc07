// SPDX-License-Identifier: GPL-2.0-only
/*
 * The [ota ...] profile sections (agent/ota/profile.c): the example OTA
 * profile as documented, its image the same as without the sections, and
 * each malformed field refused with the file, line and field named.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"

#include "ota/profile.h"
#include "otatest.h"
#include "common/profile.h"

#define OTA_PROFILE "examples/test-usim-ota.ini"

TEST(example_profile)
{
	struct ota_profile p;
	char err[512];
	unsigned int i;

	ASSERT_EQ(0, ota_profile_load(OTA_PROFILE, &p, err, sizeof(err))) {
		TH_LOG("%s", err);
	}
	ASSERT_TRUE(p.present);
	ASSERT_TRUE(p.has_server);
	ASSERT_STREQ("4900000001", p.server.digits);
	ASSERT_EQ(0x91, p.server.toa);
	ASSERT_EQ(100U, p.window);
	ASSERT_TRUE(p.keysets[2].present);
	ASSERT_EQ(OTA_ALG_AES, p.keysets[2].kic.algo);
	ASSERT_STREQ("200102030405060708090a0b0c0d0e0f",
		     ot_hex(p.keysets[2].kic.key, p.keysets[2].kic.len));
	ASSERT_STREQ("201102030405060708090a0b0c0d0e0f",
		     ot_hex(p.keysets[2].kid.key, p.keysets[2].kid.len));
	ASSERT_EQ(OTA_ALG_3DES2, p.keysets[3].kid.algo);
	ASSERT_STREQ("301102030405060708090a0b0c0d0e0f",
		     ot_hex(p.keysets[3].kid.key, 16));
	ASSERT_TRUE(p.keysets[1].present);
	ASSERT_FALSE(p.keysets[4].present);
	ASSERT_EQ(4U, p.ntars);
	for (i = 0; i < p.ntars; i++) {
		if (p.tars[i].tar == 0xb00010) {
			ASSERT_EQ(OTA_APP_RFM_UICC, p.tars[i].app);
			ASSERT_EQ(OTA_CNTR_HIGHER, p.tars[i].msl.counter);
			ASSERT_EQ(OTA_CHECK_CC, p.tars[i].msl.check);
		}
		if (p.tars[i].tar == 0x564241) {
			ASSERT_EQ(OTA_APP_BINDING, p.tars[i].app);
			ASSERT_TRUE(p.tars[i].msl.cipher);
		}
	}
	ota_profile_wipe(&p);
}

/* The image compiler skips [ota ...]: the same card without them. */
TEST(image_unchanged)
{
	uint8_t *a, *b;
	size_t al, bl;
	char err[512];

	ASSERT_EQ(0, vsim_profile_compile(OTA_PROFILE, &a, &al, err, sizeof(err))) {
		TH_LOG("%s", err);
	}
	ASSERT_EQ(0, vsim_profile_compile("examples/test-usim.ini", &b, &bl,
					  err, sizeof(err)));
	ASSERT_EQ(al, bl);
	ASSERT_EQ(0, memcmp(a, b, al));
	free(a);
	free(b);
}

static const char *load_text(const char *text, char *err, size_t errlen)
{
	static char path[64];
	struct ota_profile p;
	FILE *f;
	int ret;

	strcpy(path, "/tmp/vsim-otaprof-XXXXXX");
	f = fdopen(mkstemp(path), "w");
	fputs(text, f);
	fclose(f);
	ret = ota_profile_load(path, &p, err, errlen);
	unlink(path);
	ota_profile_wipe(&p);
	return ret ? strchr(err, ':') : NULL;
}

TEST(refusals)
{
	static const struct {
		const char *text, *msg;
	} v[] = {
		{ "[ota keyset 16]\nalgorithm = aes\n", ":2: [ota keyset 16] key set index must be 1..15" },
		{ "[ota keyset 1]\nalgorithm = rc4\n", ":2: [ota keyset 1] field 'algorithm': 'rc4' is not" },
		{ "[ota keyset 1]\nalgorithm = aes\nkic = 00zz\n", ":3: [ota keyset 1] field 'kic': not hex" },
		{ "[ota keyset 2]\nalgorithm = aes\nkic = 0011\nkid = 0011\n", ": [ota keyset 2]: algorithm, kic and kid are required" },
		{ "[ota keyset 2]\nkic = 00112233445566778899aabbccddeeff\n", ": [ota keyset 2]: algorithm, kic and kid are required" },
		{ "[ota tar B0001]\napp = rfm-uicc\n", ":2: [ota tar B0001] a TAR is 6 hex digits" },
		{ "[ota tar B00010]\napp = ram\n", ":2: [ota tar B00010] field 'app': 'ram' is not" },
		{ "[ota tar B00010]\ncheck = ds\n", ":2: [ota tar B00010] field 'check'" },
		{ "[ota tar B00010]\ncounter = maybe\n", ":2: [ota tar B00010] field 'counter'" },
		{ "[ota]\nserver = +49x1\n", ":2: [ota] field 'server'" },
		{ "[ota]\ncolour = red\n", ":2: [ota] unknown field 'colour'" },
		{ "[ota tls]\nx = 1\n", ":2: [ota tls] unknown section" },
	};
	char err[512];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		const char *got = load_text(v[i].text, err, sizeof(err));

		ASSERT_NE(NULL, got) {
			TH_LOG("accepted: %s", v[i].text);
		}
		ASSERT_EQ(0, strncmp(got, v[i].msg, strlen(v[i].msg))) {
			TH_LOG("%s", err);
		}
	}
	/* no [ota] at all: fine, OTA off */
	ASSERT_EQ(NULL, load_text("[card]\niccid = 1\n", err, sizeof(err)));
}

TEST_HARNESS_MAIN
