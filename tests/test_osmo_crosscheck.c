// SPDX-License-Identifier: GPL-2.0-only
/*
 * Cross-check our Milenage/AKA with libosmocore's osmo-auc-gen on random
 * (K, OPc, RAND, SQN, AMF) from a fixed seed. osmo-auc-gen is required:
 * without it these tests fail rather than skip.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>

/* The 6.1 harness and its TEST()/TEST_F() bodies trip -Wextra. */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"

#include "milenage.h"
#include "auth.h"
#include "common/host_crypto.h"

#define NCASES	128

struct osmo_out {
	u8 autn[16], res[8], ck[16], ik[16], kc[8], sres[4];
	unsigned int have;	/* bit per field found */
	unsigned long long sqn;
};

enum {
	H_AUTN = 1, H_RES = 2, H_CK = 4, H_IK = 8, H_KC = 16, H_SRES = 32,
	H_SQN = 64, H_ALL = 127
};

/* splitmix64: a fixed-seed generator of our own, not a secret source. */
static uint64_t rng_state = 0x76534d2d4d494c45ULL;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_fill(u8 *b, size_t n)
{
	while (n--)
		*b++ = (u8)rng();
}

static void tohex(const u8 *b, size_t n, char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(s + 2 * i, "%02x", b[i]);
}

static int unhex(const char *s, u8 *out, size_t n)
{
	size_t i;
	unsigned int b;

	for (i = 0; i < n; i++) {
		if (sscanf(s + 2 * i, "%2x", &b) != 1)
			return -1;
		out[i] = (u8)b;
	}
	return 0;
}

static int field(const char *line, const char *name, u8 *out, size_t n)
{
	size_t l = strlen(name);
	const char *p;

	if (strncmp(line, name, l) || line[l] != ':')
		return 0;
	p = line + l + 1;
	while (*p == ' ' || *p == '\t')
		p++;
	return !unhex(p, out, n) && strspn(p, "0123456789abcdef") == 2 * n;
}

/*
 * osmo-auc-gen -3 -a milenage -k K -o OPC -s SQN -f AMF -r RAND. "-3" has
 * to come first; -s takes the SQN as a number (decimal or 0x-prefixed).
 * Returns 0 when the tool ran and exited 0.
 */
static int osmo_run(const char *key_opt, const u8 k[16], const u8 opx[16],
		    unsigned long long sqn, const u8 amf[2],
		    const u8 rand[16], struct osmo_out *o)
{
	char hk[33], hop[33], hamf[5], hrand[33], cmd[256], line[256];
	FILE *f;
	int st;

	tohex(k, 16, hk);
	tohex(opx, 16, hop);
	tohex(amf, 2, hamf);
	tohex(rand, 16, hrand);
	snprintf(cmd, sizeof(cmd),
		 "osmo-auc-gen -3 -a milenage -k %s %s %s -s %llu -f %s -r %s 2>&1",
		 hk, key_opt, hop, sqn, hamf, hrand);
	memset(o, 0, sizeof(*o));
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (field(line, "AUTN", o->autn, 16))
			o->have |= H_AUTN;
		else if (field(line, "RES", o->res, 8))
			o->have |= H_RES;
		else if (field(line, "CK", o->ck, 16))
			o->have |= H_CK;
		else if (field(line, "IK", o->ik, 16))
			o->have |= H_IK;
		else if (field(line, "Kc", o->kc, 8))
			o->have |= H_KC;
		else if (field(line, "SRES", o->sres, 4))
			o->have |= H_SRES;
		else if (sscanf(line, "SQN: %llu", &o->sqn) == 1)
			o->have |= H_SQN;
	}
	st = pclose(f);
	return st == 0 ? 0 : -1;
}

static void put48(unsigned long long v, u8 b[6])
{
	int i;

	for (i = 5; i >= 0; i--, v >>= 8)
		b[i] = (u8)v;
}

/* Compare one case; returns a description of the first mismatch or NULL. */
static const char *check_case(const u8 k[16], const u8 opc[16],
			      const u8 rand[16], unsigned long long sqn,
			      const u8 amf[2], const struct osmo_out *o)
{
	static const u8 zero_arr[VSIM_SQN_SLOTS][6];
	struct vsim_sqn_policy pol = { .ind_bits = 5 };
	struct vsim_host_aes *a = vsim_host_aes_new();
	struct vsim_milenage m;
	struct vsim_auth_result r;
	u8 res[8], ck[16], ik[16], ak[6], s[6], mac_a[8], sres[4], kc[8];
	const char *bad = NULL;
	int i;

	if (!a || vsim_host_aes_setkey(a, k))
		abort();
	m.aes = vsim_host_aes_encrypt;
	m.aes_ctx = a;
	memcpy(m.opc, opc, 16);
	put48(sqn, s);

	vsim_milenage_f2345(&m, rand, res, ck, ik, ak, NULL);
	vsim_milenage_f1(&m, rand, s, amf, mac_a, NULL);
	vsim_gsm_c2(res, sres);
	vsim_gsm_c3(ck, ik, kc);
	for (i = 0; i < 6; i++)
		if ((o->autn[i] ^ s[i]) != ak[i])
			bad = "AK (AUTN[0..5] xor SQN)";
	if (memcmp(o->autn + 6, amf, 2))
		bad = "AMF in AUTN";
	if (memcmp(o->autn + 8, mac_a, 8))
		bad = "MAC-A";
	if (memcmp(o->res, res, 8))
		bad = "RES";
	if (memcmp(o->ck, ck, 16))
		bad = "CK";
	if (memcmp(o->ik, ik, 16))
		bad = "IK";
	if (memcmp(o->kc, kc, 8))
		bad = "Kc";
	if (memcmp(o->sres, sres, 4))
		bad = "SRES";
	if (o->sqn != sqn)
		bad = "SQN echoed by osmo-auc-gen";

	/* And the card side accepts osmo's AUTN with the same answers. */
	if (!bad) {
		vsim_auth_3g(&m, &pol, zero_arr, rand, o->autn, &r);
		/* SEQ 0 is never fresh against an all-zero array. */
		if ((sqn >> 5) == 0) {
			if (r.verdict != VSIM_AUTH_SYNC_FAIL)
				bad = "vsim_auth_3g verdict (SEQ 0)";
		} else if (r.verdict != VSIM_AUTH_OK)
			bad = "vsim_auth_3g verdict";
		else if (memcmp(r.res, res, 8) || memcmp(r.ck, ck, 16) ||
			 memcmp(r.ik, ik, 16) || memcmp(r.kc, kc, 8) ||
			 memcmp(r.new_sqn, s, 6) || r.slot != (sqn & 31))
			bad = "vsim_auth_3g outputs";
	}
	vsim_host_aes_free(a);
	return bad;
}

TEST(osmo_auc_gen_present)
{
	int rc = system("command -v osmo-auc-gen >/dev/null 2>&1");

	ASSERT_EQ(0, rc)
		TH_LOG("osmo-auc-gen not found: apt-get install libosmocore-utils");
}

/* TS 35.208 test set 1, given OP (-O) so osmo derives OPc itself. */
TEST(test_set_1_via_op)
{
	struct osmo_out o;
	u8 k[16], op[16], opc[16], rand[16], amf[2] = { 0xb9, 0xb9 };
	struct vsim_host_aes *a = vsim_host_aes_new();

	unhex("465b5ce8b199b49faa5f0a2ee238a6bc", k, 16);
	unhex("cdc202d5123e20f62b6d676ac72cb318", op, 16);
	unhex("23553cbe9637a89d218ae64dae47bf35", rand, 16);
	ASSERT_NE(NULL, a);
	ASSERT_EQ(0, vsim_host_aes_setkey(a, k));
	vsim_milenage_opc(vsim_host_aes_encrypt, a, op, opc);
	vsim_host_aes_free(a);

	ASSERT_EQ(0, osmo_run("-O", k, op, 0xff9bb4d0b607ULL, amf, rand, &o))
		TH_LOG("osmo-auc-gen failed or is missing");
	ASSERT_EQ((unsigned int)H_ALL, o.have);
	ASSERT_EQ(NULL, check_case(k, opc, rand, 0xff9bb4d0b607ULL, amf, &o));
}

TEST(random_cases)
{
	int n;

	for (n = 0; n < NCASES; n++) {
		struct osmo_out o;
		u8 k[16], opc[16], rand[16], amf[2];
		unsigned long long sqn;
		const char *bad;

		rng_fill(k, 16);
		rng_fill(opc, 16);
		rng_fill(rand, 16);
		rng_fill(amf, 2);
		sqn = rng() & 0xffffffffffffULL;
		/* A few edge SQNs: smallest, IND-only, largest. */
		if (n == 0)
			sqn = 0;
		else if (n == 1)
			sqn = 31;
		else if (n == 2)
			sqn = 0xffffffffffffULL;

		ASSERT_EQ(0, osmo_run("-o", k, opc, sqn, amf, rand, &o))
			TH_LOG("case %d: osmo-auc-gen failed or is missing", n);
		ASSERT_EQ((unsigned int)H_ALL, o.have)
			TH_LOG("case %d: osmo-auc-gen output incomplete", n);
		bad = check_case(k, opc, rand, sqn, amf, &o);
		ASSERT_EQ(NULL, bad)
			TH_LOG("case %d (sqn %llu): %s differs", n, sqn, bad);
	}
	TH_LOG("%d random cases agree with osmo-auc-gen", n);
}

TEST_HARNESS_MAIN
