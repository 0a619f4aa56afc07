// SPDX-License-Identifier: GPL-2.0-only
/*
 * Known answers for the secured-packet primitives (agent/ota/crypto.c):
 * published vectors (FIPS 81 DES-CBC, RFC 4493 / NIST SP 800-38B AES-CMAC,
 * the CRC catalogue check values), and a cross-check of every cipher and
 * checksum against the `openssl` command-line tool on data of many lengths
 * (single DES through OpenSSL's legacy provider, which our code avoids).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"

#include "ota/crypto.h"
#include "otatest.h"

static int run(const char *cmd, char *out, size_t max)
{
	FILE *p = popen(cmd, "r");
	size_t n;

	if (!p)
		return -1;
	n = fread(out, 1, max - 1, p);
	out[n] = 0;
	return pclose(p) == 0 ? 0 : -1;
}

static int write_file(const char *path, const uint8_t *b, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return -1;
	if (n && fwrite(b, 1, n, f) != n) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

static long read_file(const char *path, uint8_t *b, size_t max)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return -1;
	n = fread(b, 1, max, f);
	fclose(f);
	return (long)n;
}

/* CBC with zero IV through `openssl enc`; returns the output length. */
static long openssl_cbc(const char *cipher, const char *extra,
			const struct ota_key *k, bool enc, const uint8_t *in,
			size_t len, uint8_t *out)
{
	char cmd[512], buf[64], in_path[] = "/tmp/vsim-ota-in-XXXXXX";
	char out_path[64];
	int fd = mkstemp(in_path);
	long n;

	if (fd < 0)
		return -1;
	close(fd);
	snprintf(out_path, sizeof(out_path), "%s.out", in_path);
	if (write_file(in_path, in, len))
		return -1;
	snprintf(cmd, sizeof(cmd),
		 "openssl enc %s -%s %s -nopad -K %s -iv %s -in %s -out %s",
		 enc ? "-e" : "-d", cipher, extra, ot_hex(k->key, k->len),
		 ota_block_size(k->algo) == 16 ?
		 "00000000000000000000000000000000" : "0000000000000000",
		 in_path, out_path);
	n = run(cmd, buf, sizeof(buf)) ? -1 : read_file(out_path, out, 4096);
	unlink(in_path);
	unlink(out_path);
	return n;
}

static int openssl_cmac(const struct ota_key *k, const uint8_t *in,
			size_t len, uint8_t out[16])
{
	char cmd[512], buf[128], path[] = "/tmp/vsim-ota-mac-XXXXXX";
	int fd = mkstemp(path), ret;

	if (fd < 0)
		return -1;
	close(fd);
	if (write_file(path, in, len))
		return -1;
	snprintf(cmd, sizeof(cmd),
		 "openssl mac -cipher AES-%d-CBC -macopt hexkey:%s -in %s CMAC",
		 k->len * 8, ot_hex(k->key, k->len), path);
	ret = run(cmd, buf, sizeof(buf));
	unlink(path);
	if (ret)
		return -1;
	return ot_unhex(buf, out, 16) == 16 ? 0 : -1;
}

/* ---- published vectors ---- */

/*
 * FIPS 81 Appendix C, CBC: key 0123456789abcdef, IV 1234567890abcdef,
 * "Now is the time for all ". Our CBC has a zero IV (TS 102 225), so the
 * IV is folded into the first block (CBC's first step is P1 xor IV).
 */
TEST(des_cbc_fips81)
{
	struct ota_key k = ot_key(OTA_ALG_DES, "0123456789abcdef");
	uint8_t iv[8], in[24], out[24];
	int i;

	ot_unhex("1234567890abcdef", iv, 8);
	memcpy(in, "Now is the time for all ", 24);
	for (i = 0; i < 8; i++)
		in[i] ^= iv[i];
	ASSERT_EQ(0, ota_cbc(&k, true, in, 24, out));
	ASSERT_STREQ("e5c7cdde872bf27c43e934008c389c0f683788499a7c05f6",
		     ot_hex(out, 24));
	ASSERT_EQ(0, ota_cbc(&k, false, out, 24, out));
	ASSERT_EQ(0, memcmp(in, out, 24));
}

/* RFC 4493 §4 (AES-128) and NIST SP 800-38B Appendix D (192, 256). */
TEST(aes_cmac_published)
{
	static const struct {
		const char *key, *msg, *mac;
	} v[] = {
		{ "2b7e151628aed2a6abf7158809cf4f3c", "",
		  "bb1d6929e9593728" },
		{ "2b7e151628aed2a6abf7158809cf4f3c",
		  "6bc1bee22e409f96e93d7e117393172a", "070a16b46b4d4144" },
		{ "2b7e151628aed2a6abf7158809cf4f3c",
		  "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411",
		  "dfa66747de9ae630" },
		{ "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b", "",
		  "d17ddf46adaacde5" },
		{ "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
		  "6bc1bee22e409f96e93d7e117393172a", "9e99a7bf31e71090" },
		{ "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
		  "", "028962f61b7bf89e" },
		{ "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
		  "6bc1bee22e409f96e93d7e117393172a", "28a7023f452e8f82" },
	};
	uint8_t msg[64], mac[8];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct ota_key k = ot_key(OTA_ALG_AES, v[i].key);
		int n = ot_unhex(v[i].msg, msg, sizeof(msg));

		ASSERT_EQ(0, ota_cc(&k, msg, (size_t)n, mac));
		EXPECT_STREQ(v[i].mac, ot_hex(mac, 8));
	}
}

/* CRC catalogue check values over "123456789" (TS 102 225 §5.1.3.2). */
TEST(crc_check_values)
{
	const uint8_t *s = (const uint8_t *)"123456789";

	ASSERT_EQ(0x906e, ota_crc16(s, 9));	/* CRC-16/IBM-SDLC (X.25) */
	ASSERT_EQ(0xcbf43926u, ota_crc32(s, 9));	/* CRC-32 (ISO-HDLC) */
	ASSERT_EQ(0x0000, ota_crc16(s, 0));
	ASSERT_EQ(0x00000000u, ota_crc32(s, 0));
}

TEST(algo_codings)
{
	/* TS 102 225 §5.1.2 KIc, §5.1.3 KID */
	ASSERT_EQ(OTA_ALG_DES, ota_algo_from_coding(0x11, false, false));
	ASSERT_EQ(OTA_ALG_3DES2, ota_algo_from_coding(0x35, false, false));
	ASSERT_EQ(OTA_ALG_3DES3, ota_algo_from_coding(0x29, true, false));
	ASSERT_EQ(OTA_ALG_AES, ota_algo_from_coding(0x22, true, false));
	ASSERT_EQ(OTA_ALG_NONE, ota_algo_from_coding(0x30, false, false));
	ASSERT_EQ(-1, ota_algo_from_coding(0x1d, false, false)); /* DES-ECB */
	ASSERT_EQ(-1, ota_algo_from_coding(0x13, false, false)); /* proprietary */
	ASSERT_EQ(OTA_ALG_CRC16, ota_algo_from_coding(0x11, true, true));
	ASSERT_EQ(OTA_ALG_CRC32, ota_algo_from_coding(0x15, true, true));
	ASSERT_EQ(-1, ota_algo_from_coding(0x12, true, true));
}

TEST(refuses_bad_lengths)
{
	struct ota_key k = ot_key(OTA_ALG_3DES2, "00112233445566778899aabbccddeeff");
	struct ota_key bad = ot_key(OTA_ALG_AES, "0011223344");
	uint8_t b[32] = { 0 }, mac[8];

	ASSERT_EQ(-1, ota_cbc(&k, true, b, 12, b));	/* not whole blocks */
	ASSERT_EQ(-1, ota_cbc(&bad, true, b, 16, b));	/* 5-byte AES key */
	ASSERT_EQ(-1, ota_cc(&bad, b, 16, mac));
	k.len = 8;					/* 2-key 3DES of 8 bytes */
	ASSERT_EQ(-1, ota_cbc(&k, true, b, 16, b));
}

/* ---- cross-checks against the openssl command-line tool ---- */

struct cipher_case {
	enum ota_algo algo;
	const char *name, *extra;
	size_t keylen;
};

static const struct cipher_case ciphers[] = {
	/* single DES lives in the legacy provider only */
	{ OTA_ALG_DES, "des-cbc", "-provider legacy -provider default", 8 },
	{ OTA_ALG_3DES2, "des-ede-cbc", "", 16 },
	{ OTA_ALG_3DES3, "des-ede3-cbc", "", 24 },
	{ OTA_ALG_AES, "aes-128-cbc", "", 16 },
	{ OTA_ALG_AES, "aes-192-cbc", "", 24 },
	{ OTA_ALG_AES, "aes-256-cbc", "", 32 },
};

static const size_t lengths[] = { 0, 1, 7, 8, 9, 15, 16, 17, 31, 64, 140, 255 };

TEST(cbc_matches_openssl_enc)
{
	size_t c, l;

	for (c = 0; c < sizeof(ciphers) / sizeof(ciphers[0]); c++) {
		struct ota_key k = { .algo = ciphers[c].algo,
				     .len = (uint8_t)ciphers[c].keylen };
		size_t bs = ota_block_size(k.algo);

		ot_fill(k.key, k.len);
		for (l = 0; l < sizeof(lengths) / sizeof(lengths[0]); l++) {
			size_t n = (lengths[l] + bs - 1) / bs * bs;
			uint8_t in[272], ours[272], theirs[4096];

			if (!n)
				continue;
			ot_fill(in, n);
			ASSERT_EQ(0, ota_cbc(&k, true, in, n, ours));
			ASSERT_EQ((long)n, openssl_cbc(ciphers[c].name,
						       ciphers[c].extra, &k,
						       true, in, n, theirs)) {
				TH_LOG("openssl %s failed", ciphers[c].name);
			}
			ASSERT_EQ(0, memcmp(ours, theirs, n)) {
				TH_LOG("%s, %zu bytes", ciphers[c].name, n);
			}
			ASSERT_EQ(0, ota_cbc(&k, false, ours, n, ours));
			ASSERT_EQ(0, memcmp(ours, in, n));
		}
	}
}

/* DES/3DES CBC-MAC = last block of CBC over the zero-padded data. */
TEST(cbc_mac_matches_openssl_enc)
{
	size_t c, l;

	for (c = 0; c < 3; c++) {
		struct ota_key k = { .algo = ciphers[c].algo,
				     .len = (uint8_t)ciphers[c].keylen };

		ot_fill(k.key, k.len);
		for (l = 0; l < sizeof(lengths) / sizeof(lengths[0]); l++) {
			size_t n = lengths[l], padded = n ? (n + 7) / 8 * 8 : 8;
			uint8_t in[272] = { 0 }, mac[8], theirs[4096];

			ot_fill(in, n);
			ASSERT_EQ(0, ota_cc(&k, in, n, mac));
			ASSERT_EQ((long)padded,
				  openssl_cbc(ciphers[c].name, ciphers[c].extra,
					      &k, true, in, padded, theirs));
			ASSERT_EQ(0, memcmp(mac, theirs + padded - 8, 8)) {
				TH_LOG("%s, %zu bytes", ciphers[c].name, n);
			}
		}
	}
}

TEST(aes_cmac_matches_openssl_mac)
{
	size_t c, l;

	for (c = 3; c < 6; c++) {
		struct ota_key k = { .algo = OTA_ALG_AES,
				     .len = (uint8_t)ciphers[c].keylen };

		ot_fill(k.key, k.len);
		for (l = 0; l < sizeof(lengths) / sizeof(lengths[0]); l++) {
			uint8_t in[272], mac[8], theirs[16];

			ot_fill(in, lengths[l]);
			ASSERT_EQ(0, ota_cc(&k, in, lengths[l], mac));
			ASSERT_EQ(0, openssl_cmac(&k, in, lengths[l], theirs));
			ASSERT_EQ(0, memcmp(mac, theirs, 8)) {
				TH_LOG("AES-%d, %zu bytes", k.len * 8, lengths[l]);
			}
		}
	}
}

TEST_HARNESS_MAIN
