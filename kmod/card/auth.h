/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The USIM side of AKA: AUTN verification, SQN freshness (TS 33.102
 * Annex C.3.2: a SEQ array indexed by IND, with delta and age limit) and
 * the answers the AUTHENTICATE command returns. No APDU parsing here.
 */
#ifndef VSIM_CARD_AUTH_H
#define VSIM_CARD_AUTH_H

#include "milenage.h"

#define VSIM_SQN_SLOTS		32	/* 2^5: IND up to 5 bits */

struct vsim_sqn_policy {
	u8 ind_bits;	/* 0..5 */
	u64 delta;	/* largest accepted SEQ - SEQ_MS step, 0 = unlimited */
	u64 limit;	/* age limit L on SEQ_MS - SEQ, 0 = off */
};

enum vsim_auth_verdict {
	VSIM_AUTH_OK,		/* RES, CK, IK, Kc valid; store new_sqn */
	VSIM_AUTH_MAC_FAIL,	/* answer 9862 */
	VSIM_AUTH_SYNC_FAIL,	/* answer DC AUTS */
};

struct vsim_auth_result {
	enum vsim_auth_verdict verdict;
	u8 res[8];
	u8 ck[16];
	u8 ik[16];
	u8 kc[8];
	u8 auts[14];
	u8 slot;		/* on OK: the array slot to update */
	u8 new_sqn[6];		/* on OK: its new value (the accepted SQN) */
};

/*
 * Verify AUTN against RAND and the accepted-SQN array (slot i holds the
 * highest SQN accepted with IND = i, as 6 big-endian bytes) and produce
 * the answer. The caller persists new_sqn into slot before answering.
 */
void vsim_auth_3g(const struct vsim_milenage *m,
		  const struct vsim_sqn_policy *pol,
		  const u8 sqn_array[VSIM_SQN_SLOTS][6], const u8 rand[16],
		  const u8 autn[16], struct vsim_auth_result *out);

/* GSM context (and RUN GSM ALGORITHM): SRES and Kc via c2/c3. */
void vsim_auth_gsm(const struct vsim_milenage *m, const u8 rand[16],
		   u8 sres[4], u8 kc[8]);

#endif /* VSIM_CARD_AUTH_H */
