// SPDX-License-Identifier: GPL-2.0-only
/*
 * Milenage against the 3GPP TS 35.208 §4.3 conformance test sets 1..6,
 * c2/c3, and the USIM side of AKA (AUTN check, SQN array with IND, delta,
 * age limit, AUTS) on top of the OpenSSL-backed AES from host_crypto.
 */
#include <stdio.h>
#include <string.h>

/* The 6.1 harness and its TEST()/TEST_F() bodies trip -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"

#include "milenage.h"
#include "auth.h"
#include "common/host_crypto.h"

struct ts35208 {
	const char *k, *rand, *sqn, *amf, *op, *opc;
	const char *f1, *f1s, *f2, *f5, *f3, *f4, *f5s;
};

/* 3GPP TS 35.208 §4.3, test sets 1..6. */
static const struct ts35208 sets[] = {
	{ "465b5ce8b199b49faa5f0a2ee238a6bc", "23553cbe9637a89d218ae64dae47bf35",
	  "ff9bb4d0b607", "b9b9", "cdc202d5123e20f62b6d676ac72cb318",
	  "cd63cb71954a9f4e48a5994e37a02baf", "4a9ffac354dfafb3",
	  "01cfaf9ec4e871e9", "a54211d5e3ba50bf", "aa689c648370",
	  "b40ba9a3c58b2a05bbf0d987b21bf8cb",
	  "f769bcd751044604127672711c6d3441", "451e8beca43b" },
	{ "0396eb317b6d1c36f19c1c84cd6ffd16", "c00d603103dcee52c4478119494202e8",
	  "fd8eef40df7d", "af17", "ff53bade17df5d4e793073ce9d7579fa",
	  "53c15671c60a4b731c55b4a441c0bde2", "5df5b31807e258b0",
	  "a8c016e51ef4a343", "d3a628ed988620f0", "c47783995f72",
	  "58c433ff7a7082acd424220f2b67c556",
	  "21a8c1f929702adb3e738488b9f5c5da", "30f1197061c1" },
	{ "fec86ba6eb707ed08905757b1bb44b8f", "9f7c8d021accf4db213ccff0c7f71a6a",
	  "9d0277595ffc", "725c", "dbc59adcb6f9a0ef735477b7fadf8374",
	  "1006020f0a478bf6b699f15c062e42b3", "9cabc3e99baf7281",
	  "95814ba2b3044324", "8011c48c0c214ed2", "33484dc2136b",
	  "5dbdbb2954e8f3cde665b046179a5098",
	  "59a92d3b476a0443487055cf88b2307b", "deacdd848cc6" },
	{ "9e5944aea94b81165c82fbf9f32db751", "ce83dbc54ac0274a157c17f80d017bd6",
	  "0b604a81eca8", "9e09", "223014c5806694c007ca1eeef57f004f",
	  "a64a507ae1a2a98bb88eb4210135dc87", "74a58220cba84c49",
	  "ac2cc74a96871837", "f365cd683cd92e96", "f0b9c08ad02e",
	  "e203edb3971574f5a94b0d61b816345d",
	  "0c4524adeac041c4dd830d20854fc46b", "6085a86c6f63" },
	{ "4ab1deb05ca6ceb051fc98e77d026a84", "74b0cd6031a1c8339b2b6ce2b8c4a186",
	  "e880a1b580b6", "9f07", "2d16c5cd1fdf6b22383584e3bef2a8d8",
	  "dcf07cbd51855290b92a07a9891e523e", "49e785dd12626ef2",
	  "9e85790336bb3fa2", "5860fc1bce351e7e", "31e11a609118",
	  "7657766b373d1c2138f307e3de9242f9",
	  "1c42e960d89b8fa99f2744e0708ccb53", "fe2555e54aa9" },
	{ "6c38a116ac280c454f59332ee35c8c4f", "ee6466bc96202c5a557abbeff8babf63",
	  "414b98222181", "4464", "1ba00a1a7c6700ac8c3ff3e96ad08725",
	  "3803ef5363b947c6aaa225e58fae3934", "078adfb488241a57",
	  "80246b8d0186bcf1", "16c8233f05a0ac28", "45b0f69ab06c",
	  "3f8c7587fe8e4b233af676aede30ba3b",
	  "a7466cc1e6b2a1337d49d3b66e95d7b4", "1f53cd2b1113" },
};

static void unhex(const char *s, u8 *out, size_t n)
{
	size_t i;
	unsigned int b;

	if (strlen(s) != 2 * n) {
		fprintf(stderr, "bad vector length: %s\n", s);
		abort();
	}
	for (i = 0; i < n; i++) {
		if (sscanf(s + 2 * i, "%2x", &b) != 1)
			abort();
		out[i] = (u8)b;
	}
}

/* 0 if buf equals the hex string; prints both on mismatch. */
static int hexcmp(const char *what, const u8 *buf, const char *want)
{
	u8 w[32];
	size_t n = strlen(want) / 2, i;

	unhex(want, w, n);
	if (!memcmp(w, buf, n))
		return 0;
	fprintf(stderr, "# %s: want %s got ", what, want);
	for (i = 0; i < n; i++)
		fprintf(stderr, "%02x", buf[i]);
	fprintf(stderr, "\n");
	return 1;
}

/* Milenage keyed with K and OPc (hex), or with OP when opc is NULL. */
static struct vsim_host_aes *mil_setup(struct vsim_milenage *m,
				       const char *k, const char *opc,
				       const char *op)
{
	struct vsim_host_aes *a = vsim_host_aes_new();
	u8 key[16], b[16];

	if (!a)
		abort();
	unhex(k, key, 16);
	if (vsim_host_aes_setkey(a, key))
		abort();
	m->aes = vsim_host_aes_encrypt;
	m->aes_ctx = a;
	if (opc) {
		unhex(opc, m->opc, 16);
	} else {
		unhex(op, b, 16);
		vsim_milenage_opc(m->aes, a, b, m->opc);
	}
	return a;
}

/* ---- Milenage conformance, one variant per TS 35.208 test set ---- */

FIXTURE(ts) {
	struct vsim_milenage m;
	struct vsim_host_aes *aes;
	u8 rand[16], sqn[6], amf[2];
};

FIXTURE_VARIANT(ts) {
	const struct ts35208 *v;
};

FIXTURE_VARIANT_ADD(ts, set1) { .v = &sets[0] };
FIXTURE_VARIANT_ADD(ts, set2) { .v = &sets[1] };
FIXTURE_VARIANT_ADD(ts, set3) { .v = &sets[2] };
FIXTURE_VARIANT_ADD(ts, set4) { .v = &sets[3] };
FIXTURE_VARIANT_ADD(ts, set5) { .v = &sets[4] };
FIXTURE_VARIANT_ADD(ts, set6) { .v = &sets[5] };

FIXTURE_SETUP(ts)
{
	const struct ts35208 *v = variant->v;

	/* OPc derived from OP here; the opc test checks it separately. */
	self->aes = mil_setup(&self->m, v->k, NULL, v->op);
	unhex(v->rand, self->rand, 16);
	unhex(v->sqn, self->sqn, 6);
	unhex(v->amf, self->amf, 2);
}

FIXTURE_TEARDOWN(ts)
{
	vsim_host_aes_free(self->aes);
}

TEST_F(ts, opc)
{
	ASSERT_EQ(0, hexcmp("OPc", self->m.opc, variant->v->opc));
}

TEST_F(ts, f1_f1star)
{
	u8 mac_a[8], mac_s[8];

	vsim_milenage_f1(&self->m, self->rand, self->sqn, self->amf, mac_a,
			 mac_s);
	EXPECT_EQ(0, hexcmp("f1", mac_a, variant->v->f1));
	EXPECT_EQ(0, hexcmp("f1*", mac_s, variant->v->f1s));
}

TEST_F(ts, f2_f3_f4_f5_f5star)
{
	u8 res[8], ck[16], ik[16], ak[6], aks[6];

	vsim_milenage_f2345(&self->m, self->rand, res, ck, ik, ak, aks);
	EXPECT_EQ(0, hexcmp("f2", res, variant->v->f2));
	EXPECT_EQ(0, hexcmp("f3", ck, variant->v->f3));
	EXPECT_EQ(0, hexcmp("f4", ik, variant->v->f4));
	EXPECT_EQ(0, hexcmp("f5", ak, variant->v->f5));
	EXPECT_EQ(0, hexcmp("f5*", aks, variant->v->f5s));
}

/* Same outputs when each is asked for alone (optional NULL outputs). */
TEST_F(ts, f2345_partial_outputs)
{
	u8 res[8], ck[16], ik[16], ak[6], aks[6];

	vsim_milenage_f2345(&self->m, self->rand, res, NULL, NULL, NULL, NULL);
	vsim_milenage_f2345(&self->m, self->rand, NULL, ck, NULL, NULL, NULL);
	vsim_milenage_f2345(&self->m, self->rand, NULL, NULL, ik, NULL, NULL);
	vsim_milenage_f2345(&self->m, self->rand, NULL, NULL, NULL, ak, NULL);
	vsim_milenage_f2345(&self->m, self->rand, NULL, NULL, NULL, NULL, aks);
	EXPECT_EQ(0, hexcmp("f2", res, variant->v->f2));
	EXPECT_EQ(0, hexcmp("f3", ck, variant->v->f3));
	EXPECT_EQ(0, hexcmp("f4", ik, variant->v->f4));
	EXPECT_EQ(0, hexcmp("f5", ak, variant->v->f5));
	EXPECT_EQ(0, hexcmp("f5*", aks, variant->v->f5s));
}

/* The card accepts the network's AUTN for every set (fresh SQN array). */
TEST_F(ts, auth_3g_accepts_autn)
{
	static const u8 zero[VSIM_SQN_SLOTS][6];
	struct vsim_sqn_policy pol = { .ind_bits = 5 };
	struct vsim_auth_result r;
	u8 ak[6], autn[16];
	int i;

	vsim_milenage_f2345(&self->m, self->rand, NULL, NULL, NULL, ak, NULL);
	for (i = 0; i < 6; i++)
		autn[i] = self->sqn[i] ^ ak[i];
	memcpy(autn + 6, self->amf, 2);
	vsim_milenage_f1(&self->m, self->rand, self->sqn, self->amf,
			 autn + 8, NULL);
	vsim_auth_3g(&self->m, &pol, zero, self->rand, autn, &r);
	ASSERT_EQ(VSIM_AUTH_OK, (int)r.verdict);
	EXPECT_EQ(self->sqn[5] & 0x1f, r.slot);
	EXPECT_EQ(0, hexcmp("new_sqn", r.new_sqn, variant->v->sqn));
	EXPECT_EQ(0, hexcmp("RES", r.res, variant->v->f2));
	EXPECT_EQ(0, hexcmp("CK", r.ck, variant->v->f3));
	EXPECT_EQ(0, hexcmp("IK", r.ik, variant->v->f4));
}

/* ---- c2 / c3 ---- */

TEST(c2_c3_test_set_1)
{
	u8 res[8], ck[16], ik[16], sres[4], kc[8];

	unhex(sets[0].f2, res, 8);
	unhex(sets[0].f3, ck, 16);
	unhex(sets[0].f4, ik, 16);
	vsim_gsm_c2(res, sres);
	vsim_gsm_c3(ck, ik, kc);
	/* Same values osmo-auc-gen prints for test set 1. */
	EXPECT_EQ(0, hexcmp("SRES", sres, "46f8416a"));
	EXPECT_EQ(0, hexcmp("Kc", kc, "eae4be823af9a08b"));
}

TEST(c2_c3_properties)
{
	u8 res[8], ck[16], ik[16], sres[4], kc[8], kc2[8];
	int i;

	/* c2: halves XORed, so equal halves give zero ... */
	for (i = 0; i < 8; i++)
		res[i] = (u8)(0x5a + (i & 3));
	vsim_gsm_c2(res, sres);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, sres[i]);
	/* ... and a single-bit change in either half shows up once. */
	res[6] ^= 0x10;
	vsim_gsm_c2(res, sres);
	EXPECT_EQ(0x10, sres[2]);
	EXPECT_EQ(0, sres[0] | sres[1] | sres[3]);

	/* c3: CK == IK cancels; swapping CK and IK or their halves is neutral. */
	for (i = 0; i < 16; i++) {
		ck[i] = (u8)(i * 17 + 3);
		ik[i] = (u8)(0xa5 ^ (i * 29));
	}
	vsim_gsm_c3(ck, ck, kc);
	for (i = 0; i < 8; i++)
		EXPECT_EQ(0, kc[i]);
	vsim_gsm_c3(ck, ik, kc);
	vsim_gsm_c3(ik, ck, kc2);
	EXPECT_EQ(0, memcmp(kc, kc2, 8));
	for (i = 0; i < 8; i++)
		EXPECT_EQ((u8)(ck[i] ^ ck[i + 8] ^ ik[i] ^ ik[i + 8]), kc[i]);
}

TEST(auth_gsm_test_set_1)
{
	struct vsim_milenage m;
	struct vsim_host_aes *a = mil_setup(&m, sets[0].k, sets[0].opc, NULL);
	u8 rand[16], sres[4], kc[8];

	unhex(sets[0].rand, rand, 16);
	vsim_auth_gsm(&m, rand, sres, kc);
	EXPECT_EQ(0, hexcmp("SRES", sres, "46f8416a"));
	EXPECT_EQ(0, hexcmp("Kc", kc, "eae4be823af9a08b"));
	vsim_host_aes_free(a);
}

/* ---- vsim_auth_3g ---- */

FIXTURE(aka) {
	struct vsim_milenage m;
	struct vsim_host_aes *aes;
	u8 rand[16];
	u8 arr[VSIM_SQN_SLOTS][6];
	struct vsim_sqn_policy pol;
	struct vsim_auth_result r;
};

FIXTURE_SETUP(aka)
{
	self->aes = mil_setup(&self->m, sets[0].k, sets[0].opc, NULL);
	unhex(sets[0].rand, self->rand, 16);
	memset(self->arr, 0, sizeof(self->arr));
	self->pol.ind_bits = 5;
	self->pol.delta = 0;
	self->pol.limit = 0;
}

FIXTURE_TEARDOWN(aka)
{
	vsim_host_aes_free(self->aes);
}

static u64 be48(const u8 b[6])
{
	u64 v = 0;
	int i;

	for (i = 0; i < 6; i++)
		v = (v << 8) | b[i];
	return v;
}

static void put48(u64 v, u8 b[6])
{
	int i;

	for (i = 5; i >= 0; i--, v >>= 8)
		b[i] = (u8)v;
}

/* What the network would send for SQN (a 48-bit value) with AMF 8000. */
static void make_autn(const struct vsim_milenage *m, const u8 rand[16],
		      u64 sqn, u8 autn[16])
{
	static const u8 amf[2] = { 0x80, 0x00 };
	u8 s[6], ak[6];
	int i;

	put48(sqn, s);
	vsim_milenage_f2345(m, rand, NULL, NULL, NULL, ak, NULL);
	for (i = 0; i < 6; i++)
		autn[i] = s[i] ^ ak[i];
	memcpy(autn + 6, amf, 2);
	vsim_milenage_f1(m, rand, s, amf, autn + 8, NULL);
}

/* Run AUTHENTICATE for SEQ||IND; on OK persist new_sqn as the card would. */
static int run(struct _test_data_aka *self, u64 seq, unsigned int ind)
{
	u8 autn[16];

	make_autn(&self->m, self->rand, (seq << self->pol.ind_bits) | ind,
		  autn);
	vsim_auth_3g(&self->m, &self->pol,
		     (const u8 (*)[6])self->arr, self->rand, autn, &self->r);
	if (self->r.verdict == VSIM_AUTH_OK)
		memcpy(self->arr[self->r.slot], self->r.new_sqn, 6);
	return (int)self->r.verdict;
}

/* AUTS decodes (xor f5*) to want_sqn and its MAC-S verifies (AMF 0000). */
static int auts_ok(struct _test_data_aka *self, u64 want_sqn)
{
	static const u8 amf0[2];
	u8 aks[6], sqn_ms[6], mac_s[8];
	int i;

	vsim_milenage_f2345(&self->m, self->rand, NULL, NULL, NULL, NULL, aks);
	for (i = 0; i < 6; i++)
		sqn_ms[i] = self->r.auts[i] ^ aks[i];
	if (be48(sqn_ms) != want_sqn) {
		fprintf(stderr, "# AUTS SQN_MS %llx, want %llx\n",
			(unsigned long long)be48(sqn_ms),
			(unsigned long long)want_sqn);
		return 0;
	}
	vsim_milenage_f1(&self->m, self->rand, sqn_ms, amf0, NULL, mac_s);
	return !memcmp(mac_s, self->r.auts + 6, 8);
}

TEST_F(aka, test_set_1_autn)
{
	u8 autn[16];
	static const u8 zero[8];

	unhex("55f328b43577b9b94a9ffac354dfafb3", autn, 16);
	vsim_auth_3g(&self->m, &self->pol, (const u8 (*)[6])self->arr,
		     self->rand, autn, &self->r);
	ASSERT_EQ(VSIM_AUTH_OK, (int)self->r.verdict);
	EXPECT_EQ(0, hexcmp("RES", self->r.res, "a54211d5e3ba50bf"));
	EXPECT_EQ(0, hexcmp("CK", self->r.ck,
			    "b40ba9a3c58b2a05bbf0d987b21bf8cb"));
	EXPECT_EQ(0, hexcmp("IK", self->r.ik,
			    "f769bcd751044604127672711c6d3441"));
	EXPECT_EQ(0, hexcmp("Kc", self->r.kc, "eae4be823af9a08b"));
	EXPECT_EQ(0, hexcmp("new_sqn", self->r.new_sqn, "ff9bb4d0b607"));
	EXPECT_EQ(7, self->r.slot);	/* 0x07 & 0x1f */
	EXPECT_EQ(0, memcmp(self->r.auts, zero, 8));
}

TEST_F(aka, mac_failure_every_bit)
{
	static const u8 zero[16];
	u8 good[16], autn[16];
	int bit;

	unhex("55f328b43577b9b94a9ffac354dfafb3", good, 16);
	for (bit = 0; bit < 128; bit++) {
		memcpy(autn, good, 16);
		autn[bit / 8] ^= (u8)(0x80 >> (bit % 8));
		memset(&self->r, 0xee, sizeof(self->r));
		vsim_auth_3g(&self->m, &self->pol,
			     (const u8 (*)[6])self->arr, self->rand, autn,
			     &self->r);
		ASSERT_EQ(VSIM_AUTH_MAC_FAIL, (int)self->r.verdict)
			TH_LOG("bit %d", bit);
		/* Nothing else leaks on a MAC failure. */
		ASSERT_EQ(0, memcmp(self->r.res, zero, 8));
		ASSERT_EQ(0, memcmp(self->r.ck, zero, 16));
		ASSERT_EQ(0, memcmp(self->r.ik, zero, 16));
		ASSERT_EQ(0, memcmp(self->r.kc, zero, 8));
		ASSERT_EQ(0, memcmp(self->r.auts, zero, 14));
		ASSERT_EQ(0, memcmp(self->r.new_sqn, zero, 6));
	}
}

TEST_F(aka, replay_gives_sync_failure_with_valid_auts)
{
	u8 autn[16];
	static const u8 zero[16];

	unhex("55f328b43577b9b94a9ffac354dfafb3", autn, 16);
	vsim_auth_3g(&self->m, &self->pol, (const u8 (*)[6])self->arr,
		     self->rand, autn, &self->r);
	ASSERT_EQ(VSIM_AUTH_OK, (int)self->r.verdict);
	memcpy(self->arr[self->r.slot], self->r.new_sqn, 6);

	vsim_auth_3g(&self->m, &self->pol, (const u8 (*)[6])self->arr,
		     self->rand, autn, &self->r);
	ASSERT_EQ(VSIM_AUTH_SYNC_FAIL, (int)self->r.verdict);
	ASSERT_TRUE(auts_ok(self, 0xff9bb4d0b607ULL));
	/* No keys on a sync failure. */
	EXPECT_EQ(0, memcmp(self->r.res, zero, 8));
	EXPECT_EQ(0, memcmp(self->r.ck, zero, 16));
	EXPECT_EQ(0, memcmp(self->r.ik, zero, 16));
}

TEST_F(aka, ind_slots_independent)
{
	ASSERT_EQ(VSIM_AUTH_OK, run(self, 10, 3));
	EXPECT_EQ(3, self->r.slot);
	/* An older SEQ is fine in another, untouched slot. */
	ASSERT_EQ(VSIM_AUTH_OK, run(self, 5, 4));
	EXPECT_EQ(4, self->r.slot);
	ASSERT_EQ(VSIM_AUTH_OK, run(self, 9, 31));
	/* But not in slot 3, and not a replay in slot 4. */
	ASSERT_EQ(VSIM_AUTH_SYNC_FAIL, run(self, 10, 3));
	ASSERT_TRUE(auts_ok(self, (10 << 5) | 3));
	ASSERT_EQ(VSIM_AUTH_SYNC_FAIL, run(self, 5, 4));
	/* SQN_MS is the highest SQN anywhere in the array. */
	ASSERT_TRUE(auts_ok(self, (10 << 5) | 3));
	ASSERT_EQ(VSIM_AUTH_OK, run(self, 11, 3));
	ASSERT_EQ(VSIM_AUTH_OK, run(self, 6, 4));
	ASSERT_EQ(VSIM_AUTH_OK, run(self, 4, 0));
	ASSERT_EQ(VSIM_AUTH_SYNC_FAIL, run(self, 4, 0));
	ASSERT_TRUE(auts_ok(self, (11 << 5) | 3));
}

TEST_F(aka, ind_bits_zero_single_slot)
{
	self->pol.ind_bits = 0;
	ASSERT_EQ(VSIM_AUTH_OK, run(self, 5, 0));
	EXPECT_EQ(0, self->r.slot);
	ASSERT_EQ(VSIM_AUTH_SYNC_FAIL, run(self, 5, 0));
	ASSERT_TRUE(auts_ok(self, 5));
	ASSERT_EQ(VSIM_AUTH_SYNC_FAIL, run(self, 4, 0));
	ASSERT_EQ(VSIM_AUTH_OK, run(self, 6, 0));
	EXPECT_EQ(0, self->r.slot);
	ASSERT_EQ(VSIM_AUTH_OK, run(self, 0xffffffffffffULL, 0));
	ASSERT_EQ(VSIM_AUTH_SYNC_FAIL, run(self, 0xffffffffffffULL, 0));
	ASSERT_TRUE(auts_ok(self, 0xffffffffffffULL));
}

/* TS 33.102 C.2.1: SEQ - SEQ_MS <= delta. */
TEST_F(aka, delta_edge)
{
	ASSERT_EQ(VSIM_AUTH_OK, run(self, 100, 2));
	self->pol.delta = 16;
	ASSERT_EQ(VSIM_AUTH_SYNC_FAIL, run(self, 117, 9));
	ASSERT_TRUE(auts_ok(self, (100 << 5) | 2));
	ASSERT_EQ(VSIM_AUTH_OK, run(self, 116, 9));	/* exactly delta */
	/* SEQ_MS is now 116: delta is measured from the whole array. */
	ASSERT_EQ(VSIM_AUTH_SYNC_FAIL, run(self, 133, 2));
	ASSERT_EQ(VSIM_AUTH_OK, run(self, 132, 2));
}

TEST_F(aka, delta_from_empty_array)
{
	u8 autn[16];

	self->pol.delta = 1ULL << 28;
	/* Test set 1's SEQ is far beyond 2^28 from an all-zero array. */
	unhex("55f328b43577b9b94a9ffac354dfafb3", autn, 16);
	vsim_auth_3g(&self->m, &self->pol, (const u8 (*)[6])self->arr,
		     self->rand, autn, &self->r);
	ASSERT_EQ(VSIM_AUTH_SYNC_FAIL, (int)self->r.verdict);
	ASSERT_TRUE(auts_ok(self, 0));
	ASSERT_EQ(VSIM_AUTH_OK, run(self, 1ULL << 28, 0));
}

/*
 * TS 33.102 C.2.2: with an age limit L, SQN is only accepted if
 * SEQ_MS - SEQ < L.
 */
TEST_F(aka, limit_edge)
{
	ASSERT_EQ(VSIM_AUTH_OK, run(self, 100, 2));
	self->pol.limit = 10;
	ASSERT_EQ(VSIM_AUTH_SYNC_FAIL, run(self, 90, 5));	/* 10, not < L */
	ASSERT_TRUE(auts_ok(self, (100 << 5) | 2));
	ASSERT_EQ(VSIM_AUTH_OK, run(self, 91, 5));	/* 9 < L */
	ASSERT_EQ(VSIM_AUTH_OK, run(self, 95, 6));
	/* Newer than SEQ_MS is never too old. */
	ASSERT_EQ(VSIM_AUTH_OK, run(self, 101, 7));
	ASSERT_EQ(VSIM_AUTH_SYNC_FAIL, run(self, 91, 8));	/* now 10 */
	self->pol.limit = 0;
	ASSERT_EQ(VSIM_AUTH_OK, run(self, 1, 8));	/* limit off */
}

TEST_F(aka, delta_and_limit_together)
{
	self->pol.delta = 1000;
	self->pol.limit = 32;
	ASSERT_EQ(VSIM_AUTH_OK, run(self, 1000, 0));	/* exactly delta */
	ASSERT_EQ(VSIM_AUTH_SYNC_FAIL, run(self, 2001, 1));
	ASSERT_EQ(VSIM_AUTH_OK, run(self, 2000, 1));
	ASSERT_EQ(VSIM_AUTH_SYNC_FAIL, run(self, 1968, 2));
	ASSERT_EQ(VSIM_AUTH_OK, run(self, 1969, 2));
	ASSERT_TRUE(be48(self->arr[2]) == ((1969ULL << 5) | 2));
}

TEST_HARNESS_MAIN
