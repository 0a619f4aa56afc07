// SPDX-License-Identifier: GPL-2.0-only
/*
 * USIM side of UMTS AKA (3GPP TS 33.102 §6.3.3): AUTN check, SQN freshness
 * with the SEQ/IND array of Annex C, resynchronisation token AUTS, and the
 * GSM context via c2/c3.
 */
#include "port.h"
#include "milenage.h"
#include "auth.h"

#define SQN_MAX_IND_BITS	5	/* 2^5 = VSIM_SQN_SLOTS */

static u64 sqn_get(const u8 b[6])
{
	u64 v = 0;
	unsigned int i;

	for (i = 0; i < 6; i++)
		v = (v << 8) | b[i];
	return v;
}

static void sqn_put(u64 v, u8 b[6])
{
	int i;

	for (i = 5; i >= 0; i--) {
		b[i] = (u8)v;
		v >>= 8;
	}
}

/*
 * Annex C.2.2: the highest previously accepted SQN anywhere in the array
 * (SQN_MS); its SEQ part is SEQ_MS.
 */
static u64 sqn_ms(const u8 arr[VSIM_SQN_SLOTS][6], unsigned int slots)
{
	u64 best = 0, v;
	unsigned int i;

	for (i = 0; i < slots; i++) {
		v = sqn_get(arr[i]);
		if (v > best)
			best = v;
	}
	return best;
}

/*
 * Is the received SQN fresh? (TS 33.102 Annex C.2, with profile 2's IND
 * scheme of C.3.2: SQN = SEQ || IND, IND the low ind_bits bits.)
 */
static int sqn_fresh(const struct vsim_sqn_policy *pol, unsigned int ind_bits,
		     const u8 arr[VSIM_SQN_SLOTS][6], u64 sqn, u64 ms)
{
	u64 seq = sqn >> ind_bits;
	u64 seq_ms = ms >> ind_bits;
	unsigned int ind = (unsigned int)(sqn & ((1u << ind_bits) - 1));
	u64 seq_i = sqn_get(arr[ind]) >> ind_bits;

	/*
	 * C.2.2: "The USIM shall also be able to put a limit L on the
	 * difference between SEQ_MS and a received sequence number component
	 * SEQ. If such a limit L is applied then, before verifying the above
	 * conditions (a) and (b), the sequence number shall only be accepted
	 * by the USIM if SEQ_MS - SEQ < L."
	 */
	if (pol->limit && seq_ms > seq && seq_ms - seq >= pol->limit)
		return 0;
	/*
	 * C.2.1 (protection against wrap around): the USIM only accepts SQN
	 * if SEQ - SEQ_MS <= delta.
	 */
	if (pol->delta && seq > seq_ms && seq - seq_ms > pol->delta)
		return 0;
	/* C.2.2 (a)/(b): fresh iff SEQ > SEQ_MS(i), i = IND. */
	return seq > seq_i;
}

void vsim_auth_3g(const struct vsim_milenage *m,
		  const struct vsim_sqn_policy *pol,
		  const u8 sqn_array[VSIM_SQN_SLOTS][6], const u8 rand[16],
		  const u8 autn[16], struct vsim_auth_result *out)
{
	static const u8 amf_resync[2] = { 0x00, 0x00 };	/* §6.3.3 */
	unsigned int ind_bits = pol->ind_bits;
	u8 ak[6], sqn[6], xmac[8], ms_b[6];
	u64 sqn_v, ms;
	unsigned int i;

	memset(out, 0, sizeof(*out));
	if (ind_bits > SQN_MAX_IND_BITS)
		ind_bits = SQN_MAX_IND_BITS;

	/* AUTN = SQN xor AK (6) || AMF (2) || MAC-A (8) */
	vsim_milenage_f2345(m, rand, NULL, NULL, NULL, ak, NULL);
	for (i = 0; i < 6; i++)
		sqn[i] = autn[i] ^ ak[i];
	vsim_milenage_f1(m, rand, sqn, autn + 6, xmac, NULL);
	if (vsim_ct_differ(xmac, autn + 8, 8)) {
		out->verdict = VSIM_AUTH_MAC_FAIL;
		goto wipe;
	}

	sqn_v = sqn_get(sqn);
	ms = sqn_ms(sqn_array, 1u << ind_bits);
	if (!sqn_fresh(pol, ind_bits, sqn_array, sqn_v, ms)) {
		/* AUTS = SQN_MS xor AK* || MAC-S, MAC-S over AMF 0000 */
		out->verdict = VSIM_AUTH_SYNC_FAIL;
		sqn_put(ms, ms_b);
		vsim_milenage_f2345(m, rand, NULL, NULL, NULL, NULL, ak);
		for (i = 0; i < 6; i++)
			out->auts[i] = ms_b[i] ^ ak[i];
		vsim_milenage_f1(m, rand, ms_b, amf_resync, NULL,
				 out->auts + 6);
		goto wipe;
	}

	out->verdict = VSIM_AUTH_OK;
	out->slot = (u8)(sqn_v & ((1u << ind_bits) - 1));
	memcpy(out->new_sqn, sqn, 6);
	vsim_milenage_f2345(m, rand, out->res, out->ck, out->ik, NULL, NULL);
	vsim_gsm_c3(out->ck, out->ik, out->kc);
wipe:
	vsim_wipe(ak, sizeof(ak));
	vsim_wipe(sqn, sizeof(sqn));
	vsim_wipe(xmac, sizeof(xmac));
	vsim_wipe(ms_b, sizeof(ms_b));
}

void vsim_auth_gsm(const struct vsim_milenage *m, const u8 rand[16],
		   u8 sres[4], u8 kc[8])
{
	u8 res[8], ck[16], ik[16];

	vsim_milenage_f2345(m, rand, res, ck, ik, NULL, NULL);
	vsim_gsm_c2(res, sres);
	vsim_gsm_c3(ck, ik, kc);
	vsim_wipe(res, sizeof(res));
	vsim_wipe(ck, sizeof(ck));
	vsim_wipe(ik, sizeof(ik));
}
