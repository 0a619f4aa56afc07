// SPDX-License-Identifier: GPL-2.0-only
/*
 * Secured packets (agent/ota/packet.c): command packets and PoRs captured
 * from real cards (published with pySim's tests: sysmocom SJA5 samples,
 * 3DES and AES-128 key sets), every ciphering x checksum x counter x PoR
 * combination built, opened and tampered with, and each refusal with its
 * PoR status and the card's counter left alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"

#include "ota/packet.h"
#include "otatest.h"

#define KIC3 "300102030405060708090a0b0c0d0e0f"
#define KID3 "301102030405060708090a0b0c0d0e0f"
#define KIC2 "200102030405060708090a0b0c0d0e0f"
#define KID2 "201102030405060708090a0b0c0d0e0f"

static const uint8_t tar_usim[3] = { 0xb0, 0x00, 0x11 };
static const uint8_t select_mf[] = { 0x00, 0xa4, 0x00, 0x04, 0x02, 0x3f, 0x00 };
/* compact remote response: 1 command, last SW 6132, no data */
static const uint8_t compact_6132[] = { 0x01, 0x61, 0x32 };

struct card_vector {
	const char *name;
	enum ota_algo algo;
	const char *kic, *kid;
	uint8_t spi[2], kic_b, kid_b;
	const char *cmd, *por;
};

static const struct card_vector vectors[] = {
	{ "3DES ciphered CC, PoR ciphered CC", OTA_ALG_3DES2, KIC3, KID3,
	  { 0x06, 0x19 }, 0x35, 0x35,
	  "00201506193535b00011ae733256918d050b87c94fbfe12e4dc402f262c41cf67f2f",
	  "027100001c12b000118bb989492c632529326a2f4681feb37c825bc9021c9f6d0b" },
	{ "3DES ciphered CC, PoR CC", OTA_ALG_3DES2, KIC3, KID3,
	  { 0x06, 0x09 }, 0x35, 0x35,
	  "00201506093535b00011c49ac91ab8159ba5b83a54fb6385e0a5e31694f8b215fafc",
	  "027100001612b0001100000000000000b5bcd6353a421fae016132" },
	{ "3DES ciphered CC, PoR plain", OTA_ALG_3DES2, KIC3, KID3,
	  { 0x06, 0x01 }, 0x35, 0x35,
	  "00201506013535b000113190be334900f52b025f3f7eddfe868e96ebf310023b7769",
	  "027100000e0ab0001100000000000000016132" },
	{ "AES-128 ciphered CMAC, PoR ciphered CMAC", OTA_ALG_AES, KIC2, KID2,
	  { 0x06, 0x19 }, 0x22, 0x22,
	  "00281506192222b00011e87cceebb2d93083011ce294f93fc4d8de80da1abae8c37ca3e72ec4432e5058",
	  "027100002412b00011ebc6b497e2cad7aedf36ace0e3a29b38853f0fe9ccde81913be5702b73abce1f" },
};

/* The real cards' packets: we build the same bytes and open them. */
TEST(real_card_vectors)
{
	size_t i;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		const struct card_vector *v = &vectors[i];
		struct ota_key kic = ot_key(v->algo, v->kic);
		struct ota_key kid = ot_key(v->algo, v->kid);
		uint8_t pkt[256], buf[256], por[256], want[256];
		struct ota_cmd c;
		struct ota_por p;
		ssize_t n, pn;
		int wn;

		TH_LOG("%s", v->name);
		n = ota_cmd_build(v->spi, v->kic_b, v->kid_b, tar_usim, 0, &kic,
				  &kid, select_mf, sizeof(select_mf), pkt,
				  sizeof(pkt));
		ASSERT_LT(0, n);
		ASSERT_STREQ(v->cmd, ot_hex(pkt, (size_t)n));
		ASSERT_EQ(0, ota_cmd_parse(pkt, (size_t)n, &c));
		ASSERT_EQ(OTA_ST_OK, ota_cmd_open(&c, pkt, (size_t)n, &kic,
						  &kid, 0, 0, buf));
		ASSERT_EQ(sizeof(select_mf), c.data_len);
		ASSERT_EQ(0, memcmp(select_mf, c.data, c.data_len));
		/* the card's PoR, byte for byte */
		pn = ota_por_build(&c, OTA_ST_OK, compact_6132,
				   sizeof(compact_6132), &kic, &kid, por,
				   sizeof(por));
		ASSERT_LT(0, pn);
		ASSERT_STREQ(v->por, ot_hex(por, (size_t)pn));
		wn = ot_unhex(v->por, want, sizeof(want));
		ASSERT_EQ(0, ota_por_open(v->spi, v->kic_b, v->kid_b, &kic,
					  &kid, want, (size_t)wn, buf, &p));
		ASSERT_EQ(OTA_ST_OK, p.status);
		ASSERT_EQ(sizeof(compact_6132), p.data_len);
		ASSERT_EQ(0, memcmp(compact_6132, p.data, p.data_len));
		ASSERT_EQ(v->spi[1] != 0x01, p.secured);
	}
}

/*
 * pySim's 3DES vector with an unciphered, CC-protected command to the RAM
 * TAR (its encoder leaves the CPL out of this variant; the CC covers it:
 * 001d): keys KIc3/KID3 of card 8988211000000467285.
 */
TEST(real_card_signed_only)
{
	struct ota_key kid = ot_key(OTA_ALG_3DES2, "12110C78E678C25408233076AA033615");
	struct ota_key kic = ot_key(OTA_ALG_3DES2, "C21DD66ACAC13CB3BC8B331B24AFB57B");
	static const uint8_t spi[2] = { 0x02, 0x19 }, tar[3] = { 0xb0, 0, 0 };
	static const uint8_t sel[] = { 0x00, 0xa4, 0x00, 0x00, 0x02, 0x3f, 0x00 };
	uint8_t pkt[128];
	ssize_t n;

	n = ota_cmd_build(spi, 0x35, 0x35, tar, 0, &kic, &kid, sel,
			  sizeof(sel), pkt, sizeof(pkt));
	ASSERT_STREQ("001d1502193535b00000000000000000072ea17bdb72060e00a40000023f00",
		     ot_hex(pkt, (size_t)n));
}

/* ---- every combination ---- */

struct algo_case {
	enum ota_algo algo;
	uint8_t coding;		/* low nibble of KIc/KID */
	const char *key;
};

static const struct algo_case algos[] = {
	{ OTA_ALG_DES, 0x1, "0123456789abcdef" },
	{ OTA_ALG_3DES2, 0x5, KIC3 },
	{ OTA_ALG_3DES3, 0x9, "00112233445566778899aabbccddeeff0011223344556677" },
	{ OTA_ALG_AES, 0x2, KIC2 },
	{ OTA_ALG_AES, 0x2, "000102030405060708090a0b0c0d0e0f1011121314151617" },
	{ OTA_ALG_AES, 0x2, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f" },
};
#define NALGOS (sizeof(algos) / sizeof(algos[0]))

/* Build and open one packet, its PoR, and tamper with every byte. */
static int roundtrip(struct __test_metadata *_metadata, uint8_t spi1,
		     uint8_t spi2, const struct algo_case *ci,
		     const struct algo_case *ck, uint8_t rc_coding,
		     size_t dlen)
{
	struct ota_key kic = ci ? ot_key(ci->algo, ci->key) : (struct ota_key){ 0 };
	struct ota_key kid = ck ? ot_key(ck->algo, ck->key) : (struct ota_key){ 0 };
	uint8_t kic_b = 0x10 | (ci ? ci->coding : 0);
	uint8_t kid_b = 0x10 | (ck ? ck->coding : rc_coding);
	uint8_t spi[2] = { spi1, spi2 }, data[200], pkt[400], buf[400];
	uint8_t por[400], pbuf[400];
	uint8_t check = OTA_SPI1_CHECK(spi1);
	uint64_t ctr = 0x0102030405ULL;
	struct ota_cmd c;
	struct ota_por p;
	ssize_t n, pn;
	size_t i;

	ot_fill(data, dlen);
	n = ota_cmd_build(spi, kic_b, kid_b, tar_usim, ctr, &kic, &kid, data,
			  dlen, pkt, sizeof(pkt));
	ASSERT_LT(0, n);
	if (spi1 & OTA_SPI1_CIPHER)	/* whole blocks after TAR */
		ASSERT_EQ(0U, (size_t)(n - 10) % ota_block_size(kic.algo));
	ASSERT_EQ(0, ota_cmd_parse(pkt, (size_t)n, &c));
	ASSERT_EQ(OTA_ST_OK, ota_cmd_open(&c, pkt, (size_t)n, &kic, &kid,
					  ctr - 1, 0, buf));
	ASSERT_EQ(dlen, c.data_len);
	ASSERT_EQ(0, memcmp(data, c.data, dlen));
	ASSERT_EQ(ctr, c.counter);
	pn = ota_por_build(&c, OTA_ST_OK, data, dlen / 2, &kic, &kid, por,
			   sizeof(por));
	ASSERT_LT(0, pn);
	ASSERT_EQ(0, ota_por_open(spi, kic_b, kid_b, &kic, &kid, por,
				  (size_t)pn, pbuf, &p));
	ASSERT_EQ(OTA_ST_OK, p.status);
	ASSERT_EQ(ctr, p.counter);
	ASSERT_EQ(dlen / 2, p.data_len);
	ASSERT_EQ(0, memcmp(data, p.data, p.data_len));
	ASSERT_EQ((spi2 & OTA_SPI2_POR_CIPHER) || OTA_SPI2_POR_CHECK(spi2),
		  p.secured);
	/*
	 * A CRC catches every single-bit change of clear text, but not a
	 * changed cipher block (1 in 65536 for CRC16): it is no MAC.
	 */
	if (check == OTA_CHECK_NONE ||
	    (check == OTA_CHECK_RC && (spi1 & OTA_SPI1_CIPHER)))
		return 0;
	if (dlen != 13 && dlen != 20)	/* tampering: one length is enough */
		return 0;
	/* any changed bit after the header is caught by the RC/CC */
	for (i = 10; i < (size_t)n; i++) {
		uint8_t t[400];
		uint8_t st;

		memcpy(t, pkt, (size_t)n);
		t[i] ^= 0x01;
		ASSERT_EQ(0, ota_cmd_parse(t, (size_t)n, &c));
		st = ota_cmd_open(&c, t, (size_t)n, &kic, &kid, ctr - 1, 0, buf);
		ASSERT_NE(OTA_ST_OK, st) {
			TH_LOG("byte %zu flipped, SPI %02x%02x", i, spi1, spi2);
		}
	}
	/* and in the header the checksum covers (not CPL: length check) */
	for (i = 3; i < 10; i++) {
		uint8_t t[400];

		memcpy(t, pkt, (size_t)n);
		t[i] ^= 0x40;
		if (ota_cmd_parse(t, (size_t)n, &c))
			continue;
		ASSERT_NE(OTA_ST_OK, ota_cmd_open(&c, t, (size_t)n, &kic, &kid,
						  ctr - 1, 0, buf));
	}
	/* a PoR with a flipped bit is refused by the server */
	if (OTA_SPI2_POR_CHECK(spi2)) {
		for (i = 3; i < (size_t)pn; i++) {
			por[i] ^= 0x04;
			ASSERT_FALSE(ota_por_open(spi, kic_b, kid_b, &kic, &kid,
						  por, (size_t)pn, pbuf, &p) == 0 &&
					     p.secured && p.status == OTA_ST_OK &&
					     !memcmp(p.data, data, dlen / 2) &&
					     p.data_len == dlen / 2);
			por[i] ^= 0x04;
		}
	}
	return 0;
}

TEST(every_cipher_and_cc)
{
	static const size_t lens[] = { 0, 1, 7, 13, 16, 140 };
	size_t i, j, l;

	for (i = 0; i <= NALGOS; i++)		/* NALGOS: no ciphering */
		for (j = 0; j < NALGOS; j++)
			for (l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
				const struct algo_case *ci = i < NALGOS ? &algos[i] : NULL;
				uint8_t spi1 = OTA_CHECK_CC | (ci ? OTA_SPI1_CIPHER : 0) |
					       OTA_CNTR_HIGHER << 3;
				uint8_t spi2 = OTA_POR_REQUIRED | OTA_CHECK_CC << 2 |
					       (ci ? OTA_SPI2_POR_CIPHER : 0);

				roundtrip(_metadata, spi1, spi2, ci, &algos[j], 0,
					  lens[l]);
				if (!ci)
					continue;
				/* PoR: plain, CC only, ciphered only */
				roundtrip(_metadata, spi1, OTA_POR_REQUIRED, ci,
					  &algos[j], 0, lens[l]);
				roundtrip(_metadata, spi1, OTA_POR_REQUIRED |
					  OTA_CHECK_CC << 2, ci, &algos[j], 0,
					  lens[l]);
				roundtrip(_metadata, spi1, OTA_POR_REQUIRED |
					  OTA_SPI2_POR_CIPHER, ci, &algos[j], 0,
					  lens[l]);
			}
}

TEST(redundancy_checks_and_none)
{
	size_t i;

	for (i = 0; i <= NALGOS; i++) {
		const struct algo_case *ci = i < NALGOS ? &algos[i] : NULL;
		uint8_t c = ci ? OTA_SPI1_CIPHER : 0;

		/* CRC16 (KID x1), CRC32 (KID x5), no check at all */
		roundtrip(_metadata, OTA_CHECK_RC | c, OTA_POR_REQUIRED |
			  OTA_CHECK_RC << 2, ci, NULL, 0x1, 20);
		roundtrip(_metadata, OTA_CHECK_RC | c, OTA_POR_REQUIRED |
			  OTA_CHECK_RC << 2, ci, NULL, 0x5, 20);
		roundtrip(_metadata, OTA_CHECK_NONE | c, OTA_POR_REQUIRED, ci,
			  NULL, 0, 20);
	}
}

/* ---- refusals ---- */

struct fixture_pkt {
	struct ota_key kic, kid;
	uint8_t pkt[300], buf[300];
	ssize_t n;
	struct ota_cmd c;
};

static void make(struct fixture_pkt *f, uint8_t spi1, uint8_t spi2,
		 uint64_t ctr)
{
	uint8_t spi[2] = { spi1, spi2 };

	f->kic = ot_key(OTA_ALG_3DES2, KIC3);
	f->kid = ot_key(OTA_ALG_3DES2, KID3);
	f->n = ota_cmd_build(spi, 0x35, 0x35, tar_usim, ctr, &f->kic, &f->kid,
			     select_mf, sizeof(select_mf), f->pkt,
			     sizeof(f->pkt));
}

static uint8_t open_with(struct fixture_pkt *f, uint64_t re, uint64_t window)
{
	if (ota_cmd_parse(f->pkt, (size_t)f->n, &f->c))
		return 0xff;
	return ota_cmd_open(&f->c, f->pkt, (size_t)f->n, &f->kic, &f->kid, re,
			    window, f->buf);
}

#define SPI1_FULL (OTA_CHECK_CC | OTA_SPI1_CIPHER)
#define SPI2_FULL (OTA_POR_REQUIRED | OTA_CHECK_CC << 2 | OTA_SPI2_POR_CIPHER)

TEST(wrong_checksum)
{
	struct fixture_pkt f;
	uint8_t por[128], pbuf[128];
	struct ota_por p;
	ssize_t pn;

	make(&f, SPI1_FULL, SPI2_FULL, 0);
	f.kid.key[0] ^= 0x02;		/* the card holds another KID */
	ASSERT_EQ(OTA_ST_CHECK_FAILED, open_with(&f, 0, 0));
	ASSERT_FALSE(f.c.authentic);
	/* its PoR goes out plain: RHL 10, status 01, nothing ciphered */
	pn = ota_por_build(&f.c, OTA_ST_CHECK_FAILED, NULL, 0, &f.kic, &f.kid,
			   por, sizeof(por));
	ASSERT_STREQ("027100000b0ab0001100000000000001", ot_hex(por, (size_t)pn));
	f.kid.key[0] ^= 0x02;
	ASSERT_EQ(0, ota_por_open((uint8_t[]){ SPI1_FULL, SPI2_FULL }, 0x35,
				  0x35, &f.kic, &f.kid, por, (size_t)pn, pbuf,
				  &p));
	ASSERT_EQ(OTA_ST_CHECK_FAILED, p.status);
	ASSERT_FALSE(p.secured);
}

TEST(counter_modes)
{
	struct fixture_pkt f;
	uint8_t hi = OTA_CNTR_HIGHER << 3, next = OTA_CNTR_NEXT << 3;

	/* mode 10: higher than the card's */
	make(&f, SPI1_FULL | hi, SPI2_FULL, 5);
	ASSERT_EQ(OTA_ST_OK, open_with(&f, 4, 0));
	ASSERT_TRUE(ota_cmd_counts(&f.c));
	ASSERT_EQ(OTA_ST_CNTR_LOW, open_with(&f, 5, 0));	/* replay */
	ASSERT_EQ(OTA_ST_CNTR_LOW, open_with(&f, 9, 0));
	ASSERT_EQ(OTA_ST_OK, open_with(&f, 1, 4));		/* in window */
	ASSERT_EQ(OTA_ST_CNTR_HIGH, open_with(&f, 0, 4));	/* beyond */
	ASSERT_EQ(OTA_ST_CNTR_BLOCKED, open_with(&f, OTA_CNTR_MAX, 0));
	/* mode 11: exactly one more */
	make(&f, SPI1_FULL | next, SPI2_FULL, 5);
	ASSERT_EQ(OTA_ST_OK, open_with(&f, 4, 0));
	ASSERT_EQ(OTA_ST_CNTR_LOW, open_with(&f, 5, 0));
	ASSERT_EQ(OTA_ST_CNTR_HIGH, open_with(&f, 3, 0));
	ASSERT_EQ(OTA_ST_CNTR_BLOCKED, open_with(&f, OTA_CNTR_MAX, 0));
	/* mode 01: counter there, no check; 00: none. Neither counts. */
	make(&f, SPI1_FULL | OTA_CNTR_ANY << 3, SPI2_FULL, 2);
	ASSERT_EQ(OTA_ST_OK, open_with(&f, 9, 0));
	ASSERT_FALSE(ota_cmd_counts(&f.c));
	make(&f, SPI1_FULL, SPI2_FULL, 0);
	ASSERT_EQ(OTA_ST_OK, open_with(&f, 9, 0));
	ASSERT_FALSE(ota_cmd_counts(&f.c));
	/* a counter error is authentic: its PoR is secured */
	make(&f, SPI1_FULL | hi, SPI2_FULL, 5);
	ASSERT_EQ(OTA_ST_CNTR_LOW, open_with(&f, 5, 0));
	ASSERT_TRUE(f.c.authentic);
}

TEST(insufficient_security)
{
	struct fixture_pkt f;
	struct ota_msl full = { OTA_CHECK_CC, true, OTA_CNTR_HIGHER };
	struct ota_msl cc = { OTA_CHECK_CC, false, 0 };

	make(&f, OTA_CHECK_CC | OTA_CNTR_HIGHER << 3, SPI2_FULL, 1);
	ASSERT_EQ(0, ota_cmd_parse(f.pkt, (size_t)f.n, &f.c));
	ASSERT_EQ(OTA_ST_INSUFFICIENT_SECURITY, ota_cmd_check_msl(&f.c, &full));
	ASSERT_EQ(OTA_ST_OK, ota_cmd_check_msl(&f.c, &cc));
	make(&f, OTA_CHECK_RC | OTA_SPI1_CIPHER | OTA_CNTR_HIGHER << 3,
	     SPI2_FULL, 1);
	ASSERT_EQ(0, ota_cmd_parse(f.pkt, (size_t)f.n, &f.c));
	ASSERT_EQ(OTA_ST_INSUFFICIENT_SECURITY, ota_cmd_check_msl(&f.c, &cc));
	make(&f, SPI1_FULL | OTA_CNTR_ANY << 3, SPI2_FULL, 1);
	ASSERT_EQ(0, ota_cmd_parse(f.pkt, (size_t)f.n, &f.c));
	ASSERT_EQ(OTA_ST_INSUFFICIENT_SECURITY, ota_cmd_check_msl(&f.c, &full));
}

/* PCNTR is inside the CC: forge one with a correct CC to test the check. */
TEST(bad_padding)
{
	struct ota_key kic = ot_key(OTA_ALG_3DES2, KIC3);
	struct ota_key kid = ot_key(OTA_ALG_3DES2, KID3);
	uint8_t pkt[128], buf[128], plain[64], cc[8];
	struct ota_cmd c;
	ssize_t n;
	size_t blen;

	/* a ciphered packet whose PCNTR (7 + 8) exceeds a block */
	make(&(struct fixture_pkt){ 0 }, 0, 0, 0);
	n = ota_cmd_build((uint8_t[]){ SPI1_FULL, SPI2_FULL }, 0x35, 0x35,
			  tar_usim, 0, &kic, &kid, select_mf, 7, pkt,
			  sizeof(pkt));
	ASSERT_LT(0, n);
	blen = (size_t)n - 10;
	ASSERT_EQ(0, ota_cbc(&kic, false, pkt + 10, blen, plain));
	plain[5] = 8;				/* PCNTR */
	memcpy(buf, pkt, 10);
	memcpy(buf + 10, plain, 6);
	memcpy(buf + 16, plain + 14, blen - 14);
	ASSERT_EQ(0, ota_cc(&kid, buf, 10 + 6 + blen - 14, cc));
	memcpy(plain + 6, cc, 8);
	ASSERT_EQ(0, ota_cbc(&kic, true, plain, blen, pkt + 10));
	ASSERT_EQ(0, ota_cmd_parse(pkt, (size_t)n, &c));
	ASSERT_EQ(OTA_ST_CIPHER_ERROR, ota_cmd_open(&c, pkt, (size_t)n, &kic,
						    &kid, 0, 0, buf));
	/* unciphered with a PCNTR: a security error */
	n = ota_cmd_build((uint8_t[]){ OTA_CHECK_NONE, 1 }, 0x35, 0x35,
			  tar_usim, 0, NULL, NULL, select_mf, 7, pkt,
			  sizeof(pkt));
	pkt[15] = 2;
	ASSERT_EQ(0, ota_cmd_parse(pkt, (size_t)n, &c));
	ASSERT_EQ(OTA_ST_SECURITY_ERROR, ota_cmd_open(&c, pkt, (size_t)n, NULL,
						      NULL, 0, 0, buf));
}

TEST(truncated_and_malformed)
{
	struct fixture_pkt f;
	uint8_t buf[300];
	struct ota_cmd c;
	size_t cut;

	make(&f, SPI1_FULL, SPI2_FULL, 0);
	/* too short to name a TAR: no PoR at all */
	for (cut = 0; cut < 10; cut++)
		ASSERT_EQ(-1, ota_cmd_parse(f.pkt, cut, &c));
	/* CPL disagrees with what arrived: security error, TAR known */
	for (cut = 10; cut < (size_t)f.n; cut++) {
		ASSERT_EQ(OTA_ST_SECURITY_ERROR, ota_cmd_parse(f.pkt, cut, &c));
		ASSERT_EQ(0, memcmp(c.tar, tar_usim, 3));
	}
	/* CPL fixed up to a short body: not whole blocks, ciphering error */
	f.pkt[1] = (uint8_t)(f.n - 2 - 3);
	ASSERT_EQ(0, ota_cmd_parse(f.pkt, (size_t)f.n - 3, &c));
	ASSERT_EQ(OTA_ST_CIPHER_ERROR, ota_cmd_open(&c, f.pkt, (size_t)f.n - 3,
						    &f.kic, &f.kid, 0, 0, buf));
	/* CHL not 13 + 8 for a CC */
	make(&f, SPI1_FULL, SPI2_FULL, 0);
	f.pkt[2] = 13 + 4;
	ASSERT_EQ(0, ota_cmd_parse(f.pkt, (size_t)f.n, &c));
	ASSERT_EQ(OTA_ST_SECURITY_ERROR, ota_cmd_open(&c, f.pkt, (size_t)f.n,
						      &f.kic, &f.kid, 0, 0, buf));
	/* CHL below 13 */
	f.pkt[2] = 12;
	ASSERT_EQ(OTA_ST_SECURITY_ERROR, ota_cmd_parse(f.pkt, (size_t)f.n, &c));
	/* digital signature: not supported */
	make(&f, OTA_CHECK_DS, 1, 0);
	ASSERT_GT(0, f.n);
}

TEST(unknown_keys)
{
	struct fixture_pkt f;
	struct ota_key aes = ot_key(OTA_ALG_AES, KIC2);

	make(&f, SPI1_FULL, SPI2_FULL, 0);
	ASSERT_EQ(0, ota_cmd_parse(f.pkt, (size_t)f.n, &f.c));
	/* no key at the KIc index; a key of another algorithm */
	ASSERT_EQ(OTA_ST_CIPHER_ERROR, ota_cmd_open(&f.c, f.pkt, (size_t)f.n,
						    NULL, &f.kid, 0, 0, f.buf));
	ASSERT_EQ(OTA_ST_CIPHER_ERROR, ota_cmd_open(&f.c, f.pkt, (size_t)f.n,
						    &aes, &f.kid, 0, 0, f.buf));
	/* no key at the KID index, or another algorithm */
	ASSERT_EQ(OTA_ST_SECURITY_ERROR, ota_cmd_open(&f.c, f.pkt, (size_t)f.n,
						      &f.kic, NULL, 0, 0, f.buf));
	ASSERT_EQ(OTA_ST_SECURITY_ERROR, ota_cmd_open(&f.c, f.pkt, (size_t)f.n,
						      &f.kic, &aes, 0, 0, f.buf));
	/* implicit coding (0) takes the key's own algorithm */
	f.pkt[5] = 0x30;
	f.pkt[6] = 0x30;
	ASSERT_EQ(0, ota_cmd_parse(f.pkt, (size_t)f.n, &f.c));
	ASSERT_EQ(OTA_ST_CHECK_FAILED,	/* KIc/KID bytes are inside the CC */
		  ota_cmd_open(&f.c, f.pkt, (size_t)f.n, &f.kic, &f.kid, 0, 0,
			       f.buf));
}

/* Every status code, in a plain and in a secured PoR, read back. */
TEST(every_por_status)
{
	struct fixture_pkt f;
	uint8_t st, por[128], pbuf[128];
	struct ota_por p;
	ssize_t pn;

	make(&f, SPI1_FULL, SPI2_FULL, 7);
	ASSERT_EQ(OTA_ST_OK, open_with(&f, 0, 0));
	for (st = 0; st <= OTA_ST_IN_USSD; st++) {
		ASSERT_STRNE("reserved", ota_status_name(st));
		f.c.authentic = true;
		pn = ota_por_build(&f.c, st, NULL, 0, &f.kic, &f.kid, por,
				   sizeof(por));
		ASSERT_EQ(0, ota_por_open((uint8_t[]){ SPI1_FULL, SPI2_FULL },
					  0x35, 0x35, &f.kic, &f.kid, por,
					  (size_t)pn, pbuf, &p));
		ASSERT_EQ(st, p.status);
		ASSERT_TRUE(p.secured);
		ASSERT_EQ(7U, p.counter);
		f.c.authentic = false;
		pn = ota_por_build(&f.c, st, NULL, 0, &f.kic, &f.kid, por,
				   sizeof(por));
		ASSERT_EQ(0, ota_por_open((uint8_t[]){ SPI1_FULL, SPI2_FULL },
					  0x35, 0x35, &f.kic, &f.kid, por,
					  (size_t)pn, pbuf, &p));
		ASSERT_EQ(st, p.status);
		ASSERT_FALSE(p.secured);
	}
	ASSERT_STREQ("reserved", ota_status_name(0x0d));
	/* SPI2 PoR modes */
	f.c.spi[1] = OTA_POR_NONE;
	ASSERT_FALSE(ota_cmd_wants_por(&f.c, OTA_ST_CHECK_FAILED));
	f.c.spi[1] = OTA_POR_ON_ERROR;
	ASSERT_FALSE(ota_cmd_wants_por(&f.c, OTA_ST_OK));
	ASSERT_TRUE(ota_cmd_wants_por(&f.c, OTA_ST_CNTR_LOW));
	f.c.spi[1] = OTA_POR_REQUIRED;
	ASSERT_TRUE(ota_cmd_wants_por(&f.c, OTA_ST_OK));
	/* too small a buffer */
	ASSERT_EQ(-1, ota_por_build(&f.c, 0, NULL, 0, &f.kic, &f.kid, por, 10));
}

TEST_HARNESS_MAIN
