// SPDX-License-Identifier: GPL-2.0-only
/*
 * SUCI calculation by the USIM (TS 31.102 §7.5 GET IDENTITY, TS 33.501
 * §6.12.2 and Annex C): the host's ECIES against the Annex C.4 test data
 * byte for byte (a fixed ephemeral key through the test-only entry
 * point), the card's answers de-concealed by an independent SIDF
 * (tests/lib/sidf.c) for random SUPIs and fresh home network keys, the
 * null scheme, and every status word GET IDENTITY can answer.
 *
 * The Annex C.4.3 (profile A) and C.4.4 (profile B) values below are as
 * TS 33.501 gives them; they were taken from the spec's test data as
 * reproduced in Magma's subscriberdb ECIES unit test
 * (lte/gateway/python/magma/subscriberdb/crypto/tests) and CryptoMobile's
 * test/test_ECIES.py (P1Sec), which agree with each other.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "common/host_crypto.h"
#include "common/profile.h"
#include "common/hex.h"
#include "sidf.h"
#include "testcard.h"
#include "vsim_card.h"

/* Annex C.4.3: ECIES profile A */
static const char a_hn_priv[] = "c53c22208b61860b06c62e5406a7b330c2b577aa5558981510d128247d38bd1d";
static const char a_hn_pub[] = "5a8d38864820197c3394b92613b20b91633cbd897119273bf8e4a6f4eec0a650";
static const char a_eph_priv[] = "c80949f13ebe61af4ebdbd293ea4f942696b9e815d7e8f0096bbf6ed7de62256";
static const char a_eph_pub[] = "b2e92f836055a255837debf850b528997ce0201cb82adfe4be1f587d07d8457d";
static const char a_cipher[] = "cb02352410";
static const char a_mac[] = "cddd9e730ef3fa87";

/* Annex C.4.4: ECIES profile B (keys compressed, as the annex gives them) */
static const char b_hn_priv[] = "f1ab1074477ebcc7f554ea1c5fc368b1616730155e0041ac447d6301975fecda";
static const char b_hn_pub[] = "0272da71976234ce833a6907425867b82e074d44ef907dfb4b3e21c1c2256ebcd1";
static const char b_hn_pub_full[] =
	"0472da71976234ce833a6907425867b82e074d44ef907dfb4b3e21c1c2256ebcd1"
	"5a7ded52fcbb097a4ed250e036c7b9c8c7004c4eedc4f068cd7bf8d3f900e3b4";
static const char b_eph_priv[] = "99798858a1dc6a2c68637149a4b1dbfd1fdff5addd62a2142f06699ed7602529";
static const char b_eph_pub[] = "039aab8376597021e855679a9778ea0b67396e68c66df32c0f41e9acca2da9b9d1";
static const char b_cipher[] = "46a33fc271";
static const char b_mac[] = "6ac7dae96aa30a4d";

/* Both: the MSIN 001002086 as the scheme input (BCD, F-padded) */
static const char c4_plain[] = "00012080f6";

static size_t unhex(const char *s, uint8_t *out)
{
	size_t n = 0;

	for (; s[0] && s[1]; s += 2)
		out[n++] = (uint8_t)strtoul((char[3]){ s[0], s[1], 0 }, NULL, 16);
	return n;
}

static void tohex(const uint8_t *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * n] = 0;
}

TEST(annex_c4_3_profile_a)
{
	uint8_t eph[32], hn[32], plain[8], out[64];
	char got[129], want[129];
	int n;

	unhex(a_eph_priv, eph);
	unhex(a_hn_pub, hn);
	unhex(c4_plain, plain);
	n = vsim_host_ecies_conceal_fixed(VSIM_SUCI_PROFILE_A, eph, hn, 32, plain, 5,
					  out, sizeof(out));
	ASSERT_EQ(32 + 5 + 8, n);
	tohex(out, (size_t)n, got);
	snprintf(want, sizeof(want), "%s%s%s", a_eph_pub, a_cipher, a_mac);
	EXPECT_STREQ(want, got);
}

TEST(annex_c4_4_profile_b)
{
	uint8_t eph[32], hn[65], plain[8], out[64];
	char got[129], want[129];
	size_t hl;
	int n;

	unhex(b_eph_priv, eph);
	unhex(c4_plain, plain);
	snprintf(want, sizeof(want), "%s%s%s", b_eph_pub, b_cipher, b_mac);
	/* the home network key compressed (as in the annex) and uncompressed */
	hl = unhex(b_hn_pub, hn);
	n = vsim_host_ecies_conceal_fixed(VSIM_SUCI_PROFILE_B, eph, hn, hl, plain, 5,
					  out, sizeof(out));
	ASSERT_EQ(33 + 5 + 8, n);
	tohex(out, (size_t)n, got);
	EXPECT_STREQ(want, got);
	hl = unhex(b_hn_pub_full, hn);
	ASSERT_EQ(65U, hl);
	n = vsim_host_ecies_conceal_fixed(VSIM_SUCI_PROFILE_B, eph, hn, hl, plain, 5,
					  out, sizeof(out));
	ASSERT_EQ(33 + 5 + 8, n);
	tohex(out, (size_t)n, got);
	EXPECT_STREQ(want, got);
}

/* The independent SIDF gets the annex's plaintext back from its output. */
TEST(sidf_deconceals_annex_c4)
{
	uint8_t priv[32], out[64], plain[16];
	char buf[129], got[33];
	size_t n, pl;

	unhex(a_hn_priv, priv);
	snprintf(buf, sizeof(buf), "%s%s%s", a_eph_pub, a_cipher, a_mac);
	n = unhex(buf, out);
	ASSERT_EQ(0, sidf_deconceal(1, priv, out, n, plain, &pl));
	tohex(plain, pl, got);
	EXPECT_STREQ(c4_plain, got);
	out[n - 1] ^= 1;	/* a wrong MAC is refused */
	EXPECT_EQ(-1, sidf_deconceal(1, priv, out, n, plain, &pl));

	unhex(b_hn_priv, priv);
	snprintf(buf, sizeof(buf), "%s%s%s", b_eph_pub, b_cipher, b_mac);
	n = unhex(buf, out);
	ASSERT_EQ(0, sidf_deconceal(2, priv, out, n, plain, &pl));
	tohex(plain, pl, got);
	EXPECT_STREQ(c4_plain, got);
}

/* Wrong keys and schemes get an errno, never output. */
TEST(conceal_refuses_bad_keys)
{
	uint8_t hn[65], plain[5] = { 0 }, out[64], small[40], norm[65], full[65];
	size_t nl = 0;

	memset(hn, 0, sizeof(hn));
	EXPECT_EQ(-EINVAL, vsim_host_ecies_conceal(3, hn, 32, plain, 5, out, sizeof(out)));
	EXPECT_EQ(-EINVAL, vsim_host_ecies_conceal(VSIM_SUCI_PROFILE_A, hn, 31, plain, 5,
						   out, sizeof(out)));
	unhex(b_hn_pub_full, hn);
	hn[64] ^= 1;	/* y + 1: off the curve */
	EXPECT_EQ(-EINVAL, vsim_host_ecies_conceal(VSIM_SUCI_PROFILE_B, hn, 65, plain, 5,
						   out, sizeof(out)));
	EXPECT_NE(NULL, vsim_host_ecies_key_check(VSIM_SUCI_PROFILE_B, hn, 65, norm, &nl));
	unhex(b_hn_pub, hn);
	EXPECT_EQ(-ENOSPC, vsim_host_ecies_conceal(VSIM_SUCI_PROFILE_B, hn, 33, plain, 5,
						   small, sizeof(small)));
	/* a compressed key is checked and given back uncompressed */
	EXPECT_EQ(NULL, vsim_host_ecies_key_check(VSIM_SUCI_PROFILE_B, hn, 33, norm, &nl));
	ASSERT_EQ(65U, nl);
	unhex(b_hn_pub_full, full);
	EXPECT_EQ(0, memcmp(norm, full, 65));
	hn[0] = 0x04;
	EXPECT_NE(NULL, vsim_host_ecies_key_check(VSIM_SUCI_PROFILE_B, hn, 33, norm, &nl));
	EXPECT_NE(NULL, vsim_host_ecies_key_check(VSIM_SUCI_PROFILE_A, hn, 33, norm, &nl));
}

/* ---- the card ---- */

struct card {
	struct vsim_card *c;
	struct vsim_host_aes *aes;
	char out[2 * VSIM_RAPDU_MAX + 1];
};

static int op_setkey(void *priv, const u8 key[16])
{
	return vsim_host_aes_setkey(((struct card *)priv)->aes, key);
}

static void op_encrypt(void *priv, const u8 in[16], u8 out[16])
{
	vsim_host_aes_encrypt(((struct card *)priv)->aes, in, out);
}

static void op_random(void *priv, u8 *buf, size_t len)
{
	(void)priv;
	if (vsim_host_random(buf, len))
		abort();
}

static int op_ecies(void *priv, u8 scheme, const u8 *hn, size_t hl, const u8 *plain,
		    size_t pl, u8 *out, size_t max)
{
	(void)priv;
	return vsim_host_ecies_conceal(scheme, hn, hl, plain, pl, out, max);
}

/* As the embedded backend hosts the card, and as vsim.ko does (no ECIES). */
static const struct vsim_card_ops ops_user = {
	.aes128_setkey = op_setkey, .aes128_encrypt = op_encrypt,
	.get_random = op_random, .ecies_conceal = op_ecies,
};
static const struct vsim_card_ops ops_no_ecies = {
	.aes128_setkey = op_setkey, .aes128_encrypt = op_encrypt,
	.get_random = op_random,
};

/* [suci] lines (or "" for none) after a complete-template card for @imsi. */
static int card_open(struct card *k, const char *tmpl, const char *imsi, int mnc,
		     const char *suci, const struct vsim_card_ops *ops)
{
	char text[2048], err[256];
	const char *why;
	uint8_t *img;
	size_t len;
	int rc;

	snprintf(text, sizeof(text),
		 "[card]\ntemplate = %s\niccid = 8988211000000000045\nimsi = %s\n"
		 "mnc_length = %d\n[auth]\nk = 465b5ce8b199b49faa5f0a2ee238a6bc\n"
		 "opc = cd63cb71954a9f4e48a5994e37a02baf\n[pin]\npin1 = 1234\n"
		 "puk1 = 12345678\npin2 = 5678\npuk2 = 87654321\nadm1 = 88888888\n%s",
		 tmpl, imsi, mnc, suci);
	if (vsim_profile_compile_buffer("suci.ini", text, &img, &len, err, sizeof(err))) {
		fprintf(stderr, "# %s\n", err);
		return -1;
	}
	k->aes = vsim_host_aes_new();
	k->c = calloc(1, vsim_card_size(img, len));
	rc = k->aes && k->c ? vsim_card_init(k->c, vsim_card_size(img, len), img,
					      len, ops, k, &why) : -1;
	free(img);
	if (!rc) {
		uint8_t atr[VSIM_ATR_MAX];

		vsim_card_power_on(k->c, atr, sizeof(atr));
	}
	return rc;
}

static void card_close(struct card *k)
{
	if (k->c)
		vsim_card_wipe(k->c);
	free(k->c);
	vsim_host_aes_free(k->aes);
}

static const char *cx(struct card *k, const char *hex)
{
	uint8_t c[VSIM_CAPDU_MAX], r[VSIM_RAPDU_MAX];
	size_t n = 0, rl, i;

	for (i = 0; hex[i]; ) {
		if (hex[i] == ' ') {
			i++;
			continue;
		}
		c[n++] = (uint8_t)strtoul((char[3]){ hex[i], hex[i + 1], 0 }, NULL, 16);
		i += 2;
	}
	rl = vsim_card_transact(k->c, c, n, r);
	for (i = 0; i < rl; i++)
		sprintf(k->out + 2 * i, "%02X", r[i]);
	k->out[2 * rl] = 0;
	return k->out;
}

#define VERIFY_PIN1	"002000010831323334FFFFFFFF"
#define SELECT_USIM	"00A4040C07A0000000871002"
#define GET_IDENTITY	"80780081 00"

static const char suci_a[] =
	"[suci]\nscheme = A\nhn_key_id = 1\n"
	"hn_public_key = 5a8d38864820197c3394b92613b20b91633cbd897119273bf8e4a6f4eec0a650\n";

/* The null scheme: the MSIN in BCD, key id 0 (TS 24.501 §9.11.3.4). */
TEST(null_scheme)
{
	struct card k = { 0 };

	ASSERT_EQ(0, card_open(&k, "complete", "001010000000123", 2,
			       "[suci]\nscheme = null\nrouting_indicator = 17\n", &ops_user));
	EXPECT_STREQ("9000", cx(&k, VERIFY_PIN1));
	EXPECT_STREQ("9000", cx(&k, SELECT_USIM));
	/* A1 0D: 01, MCC/MNC 00F110, RI 71FF, scheme 0, key 0, MSIN 0000000123 */
	EXPECT_STREQ("A10D0100F11071FF00000000001032" "9000", cx(&k, GET_IDENTITY));
	/* T=0: no Le, the answer waits behind 61xx */
	EXPECT_STREQ("610F", cx(&k, "80780081"));
	EXPECT_STREQ("A10D0100F11071FF00000000001032" "9000", cx(&k, "00C000000F"));
	/* EF_Routing_Indicator carries the same digits */
	EXPECT_STREQ("9000", cx(&k, "00A4000C025FC0"));
	EXPECT_STREQ("9000", cx(&k, "00A4000C024F0A"));
	EXPECT_STREQ("71FFFFFF9000", cx(&k, "00B0000004"));
	card_close(&k);

	/* a 3-digit MNC and an odd MSIN (F-padded) */
	ASSERT_EQ(0, card_open(&k, "complete", "310260123456789", 3,
			       "[suci]\nscheme = null\n", &ops_user));
	cx(&k, VERIFY_PIN1);
	cx(&k, SELECT_USIM);
	EXPECT_STREQ("A10D01130062F0FF000021436587F9" "9000", cx(&k, GET_IDENTITY));
	card_close(&k);
}

/* Profile A on the card: the SIDF with the annex's private key reads the MSIN. */
TEST(profile_a_card_round_trip)
{
	uint8_t r[128], priv[32], plain[16];
	struct card k = { 0 };
	char h[2 * VSIM_RAPDU_MAX + 1], msin[33];
	size_t n, pl;

	ASSERT_EQ(0, card_open(&k, "complete", "001010000000123", 2, suci_a, &ops_user));
	cx(&k, VERIFY_PIN1);
	cx(&k, SELECT_USIM);
	snprintf(h, sizeof(h), "%s", cx(&k, GET_IDENTITY));
	n = unhex(h, r);
	/* A1 L 01 PLMN(3) RI(2) scheme key | eph 32 | MSIN 5 | MAC 8 | 90 00 */
	ASSERT_EQ(2U + 8 + 32 + 5 + 8 + 2, n);
	EXPECT_EQ(0, memcmp(r, "\xA1\x35\x01\x00\xF1\x10\xF0\xFF\x01\x01", 10));
	EXPECT_EQ(0, memcmp(r + n - 2, "\x90\x00", 2));
	unhex(a_hn_priv, priv);
	ASSERT_EQ(0, sidf_deconceal(1, priv, r + 10, n - 12, plain, &pl));
	tohex(plain, pl, msin);
	EXPECT_STREQ("0000001032", msin);
	/* a fresh ephemeral key every time: never the same output twice */
	EXPECT_STRNE(h, cx(&k, GET_IDENTITY));
	card_close(&k);
}

/*
 * Random SUPIs (MCC, 2- or 3-digit MNC, MSIN to 15 digits in all) under
 * fresh home network keys of both profiles, and profile B with the
 * annex's key compressed and not: every answer de-conceals to the MSIN.
 */
TEST(random_supis_round_trip)
{
	static const int schemes[] = { 1, 2 };
	unsigned int i, seed = 0x5C1;
	int s;

	for (s = 0; s < 2; s++) {
		for (i = 0; i < 24; i++) {
			uint8_t priv[32], pub[65], r[160], plain[16];
			char imsi[16], keyhex[131], suci[400], want[16], got[33];
			size_t pl_len, pub_len = 0, n, mlen, j, d;
			struct card k = { 0 };
			int mnc = 2 + (int)(rand_r(&seed) % 2);
			int len = 14 + (int)(rand_r(&seed) % 2);

			if (i == 0 && schemes[s] == 2) {
				/* the annex's key, uncompressed */
				unhex(b_hn_priv, priv);
				pub_len = unhex(b_hn_pub_full, pub);
			} else {
				ASSERT_EQ(0, sidf_keygen(schemes[s], priv, pub, &pub_len));
			}
			for (j = 0; j < (size_t)len; j++)
				imsi[j] = (char)('0' + rand_r(&seed) % 10);
			imsi[len] = 0;
			tohex(pub, pub_len, keyhex);
			snprintf(suci, sizeof(suci),
				 "[suci]\nscheme = %s\nhn_key_id = %u\nhn_public_key = %s\n"
				 "routing_indicator = %u\n",
				 schemes[s] == 1 ? "A" : "B", 1 + i, keyhex, i * 37 % 10000);
			ASSERT_EQ(0, card_open(&k, "complete", imsi, mnc, suci, &ops_user));
			cx(&k, VERIFY_PIN1);
			cx(&k, SELECT_USIM);
			n = unhex(cx(&k, GET_IDENTITY), r);
			ASSERT_GT(n, 12U);
			ASSERT_EQ(0, memcmp(r + n - 2, "\x90\x00", 2));
			EXPECT_EQ(schemes[s], r[8]);
			EXPECT_EQ(1 + i, r[9]);
			ASSERT_EQ(0, sidf_deconceal(schemes[s], priv, r + 10, n - 12,
						    plain, &pl_len)) TH_LOG("IMSI %s", imsi);
			/* the MSIN's digits, F-padded BCD */
			mlen = (size_t)(len - 3 - mnc);
			for (j = 0; j < mlen; j++) {
				d = j % 2 ? plain[j / 2] >> 4 : plain[j / 2] & 0x0f;
				got[j] = (char)('0' + d);
			}
			got[mlen] = 0;
			memcpy(want, imsi + 3 + mnc, mlen + 1);
			EXPECT_STREQ(want, got) TH_LOG("IMSI %s, MNC %d", imsi, mnc);
			EXPECT_EQ((mlen + 1) / 2, pl_len);
			if (mlen % 2)
				EXPECT_EQ(0xF0, plain[mlen / 2] & 0xF0);
			card_close(&k);
		}
	}
}

/* Every status word GET IDENTITY answers, and why. */
TEST(status_words)
{
	struct card k = { 0 };

	ASSERT_EQ(0, card_open(&k, "complete", "001010000000123", 2, suci_a, &ops_user));
	/* no application on the channel yet: 6985 */
	EXPECT_STREQ("6985", cx(&k, GET_IDENTITY));
	EXPECT_STREQ("9000", cx(&k, SELECT_USIM));
	/* PIN1 not verified: the SUPI is as guarded as EF_IMSI */
	EXPECT_STREQ("6982", cx(&k, GET_IDENTITY));
	cx(&k, VERIFY_PIN1);
	EXPECT_STREQ("6A86", cx(&k, "8078008200"));	/* the 5G NSWO context */
	EXPECT_STREQ("6A86", cx(&k, "8078018100"));
	EXPECT_STREQ("6700", cx(&k, "807800810100"));	/* no command data */
	EXPECT_STREQ("6D00", cx(&k, "0078008100"));	/* a proprietary class */
	/* the ISIM on a logical channel is not the USIM */
	EXPECT_STREQ("01" "9000", cx(&k, "0070000001"));
	EXPECT_STREQ("9000", cx(&k, "01A4040C07A0000000871004"));
	EXPECT_STREQ("6985", cx(&k, "81780081 00"));
	card_close(&k);

	/* the host has no ECIES (vsim.ko): 6A81 function not supported */
	ASSERT_EQ(0, card_open(&k, "complete", "001010000000123", 2, suci_a, &ops_no_ecies));
	cx(&k, VERIFY_PIN1);
	cx(&k, SELECT_USIM);
	EXPECT_STREQ("6A81", cx(&k, GET_IDENTITY));
	card_close(&k);
}

/* Without [suci] the card does not calculate SUCI: 6985, service 125 off. */
TEST(no_home_network_key)
{
	struct card k = { 0 };
	const char *ust;

	ASSERT_EQ(0, card_open(&k, "complete", "001010000000123", 2, "", &ops_user));
	cx(&k, VERIFY_PIN1);
	cx(&k, SELECT_USIM);
	EXPECT_STREQ("6985", cx(&k, GET_IDENTITY));
	/* EF_UST byte 16: 122, 123, 124, 126 (b2 b3 b4 b6) on, 125 (b5) off */
	ust = cx(&k, "00B0840011");
	ASSERT_EQ(2U * 17 + 4, strlen(ust));
	EXPECT_EQ(0, strncmp(ust + 2 * 15, "2E", 2)) TH_LOG("UST %s", ust);
	/* EF_SUCI_Calc_Info: the null scheme only, for the ME (§4.4.11.8) */
	EXPECT_STREQ("9000", cx(&k, "00A4000C025FC0"));
	EXPECT_STREQ("A00200009000", cx(&k, "00B0870004"));
	card_close(&k);

	/* the small test tree has no DF_5GS: 6985 as well */
	ASSERT_EQ(0, card_open(&k, "default", "001010000000123", 2, "", &ops_user));
	cx(&k, VERIFY_PIN1);
	cx(&k, SELECT_USIM);
	EXPECT_STREQ("6985", cx(&k, GET_IDENTITY));
	card_close(&k);

	/* with [suci]: 125 on, and EF_SUCI_Calc_Info names the key */
	ASSERT_EQ(0, card_open(&k, "complete", "001010000000123", 2, suci_a, &ops_user));
	cx(&k, VERIFY_PIN1);
	cx(&k, SELECT_USIM);
	ust = cx(&k, "00B0840011");
	EXPECT_EQ(0, strncmp(ust + 2 * 15, "3E", 2)) TH_LOG("UST %s", ust);
	EXPECT_STREQ("9000", cx(&k, "00A4000C025FC0"));
	EXPECT_STREQ("A0020101A12580010181205A8D38864820197C3394B92613B20B91633CBD897119273BF8E4A6F4EEC0A650"
		     "9000", cx(&k, "00B087002B"));
	card_close(&k);
}

/* The profile compiler's [suci] errors name the field. */
TEST(profile_errors)
{
	static const struct { const char *tmpl, *suci, *msg; } bad[] = {
		{ "default", "[suci]\nscheme = null\n", "has no DF_5GS" },
		{ "complete", "[suci]\nscheme = C\n", "expected null, A or B" },
		{ "complete", "[suci]\nhn_key_id = 1\n", "field 'scheme': missing" },
		{ "complete", "[suci]\nscheme = A\nhn_key_id = 1\n", "'hn_public_key': missing" },
		{ "complete", "[suci]\nscheme = null\nhn_key_id = 3\n", "null scheme has no" },
		{ "complete", "[suci]\nscheme = A\nhn_key_id = 0\nhn_public_key = 00\n",
		  "'hn_key_id'" },
		{ "complete", "[suci]\nscheme = A\nhn_key_id = 1\nhn_public_key = 0011\n",
		  "wants 32 bytes" },
		/* the annex's point with y + 1 */
		{ "complete", "[suci]\nscheme = B\nhn_key_id = 1\nhn_public_key = "
		  "0472da71976234ce833a6907425867b82e074d44ef907dfb4b3e21c1c2256ebcd1"
		  "5a7ded52fcbb097a4ed250e036c7b9c8c7004c4eedc4f068cd7bf8d3f900e3b5\n",
		  "not a point of secp256r1" },
		{ "complete", "[suci]\nscheme = null\nrouting_indicator = 12345\n",
		  "'routing_indicator'" },
	};
	char text[1024], err[256];
	uint8_t *img;
	size_t len, i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text),
			 "[card]\ntemplate = %s\niccid = 8988211000000000045\n"
			 "imsi = 001010000000123\nmnc_length = 2\n[auth]\n"
			 "k = 465b5ce8b199b49faa5f0a2ee238a6bc\n"
			 "opc = cd63cb71954a9f4e48a5994e37a02baf\n[pin]\npin1 = 1234\n"
			 "puk1 = 12345678\npin2 = 5678\npuk2 = 87654321\nadm1 = 88888888\n%s",
			 bad[i].tmpl, bad[i].suci);
		err[0] = 0;
		EXPECT_EQ(-1, vsim_profile_compile_buffer("p.ini", text, &img, &len, err,
							  sizeof(err))) TH_LOG("case %zu", i);
		EXPECT_NE(NULL, strstr(err, bad[i].msg)) TH_LOG("%s", err);
	}
}

/*
 * An image whose SUCI key length passes its field is refused by name,
 * before the check of the bytes behind the key forms a pointer past it
 * (UBSan found that in fuzz_image).
 */
TEST(image_key_len_beyond_field)
{
	static const unsigned int lens[] = { VSIM_SUCI_KEY_MAX + 1, 149, 255 };
	char text[1024], err[256];
	struct vsim_image_header *h;
	const char *why = NULL;
	uint8_t *img;
	size_t len, i;

	snprintf(text, sizeof(text),
		 "[card]\ntemplate = complete\niccid = 8988211000000000045\n"
		 "imsi = 001010000000123\nmnc_length = 2\n[auth]\n"
		 "k = 465b5ce8b199b49faa5f0a2ee238a6bc\n"
		 "opc = cd63cb71954a9f4e48a5994e37a02baf\n[pin]\npin1 = 1234\n"
		 "puk1 = 12345678\npin2 = 5678\npuk2 = 87654321\nadm1 = 88888888\n%s",
		 suci_a);
	ASSERT_EQ(0, vsim_profile_compile_buffer("p.ini", text, &img, &len, err,
						 sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(0, vsim_image_check(img, len, &why)) TH_LOG("%s", why);
	h = (struct vsim_image_header *)img;
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		h->suci.key_len = (uint8_t)lens[i];
		why = NULL;
		EXPECT_NE(0, vsim_image_check(img, len, &why));
		EXPECT_STREQ("SUCI key longer than its field", why ? why : "(none)");
	}
	free(img);
}

TEST_HARNESS_MAIN
