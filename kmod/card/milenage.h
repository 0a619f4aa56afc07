/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Milenage (3GPP TS 35.205/35.206) and the GSM conversion functions c2/c3
 * (TS 33.102 §6.8.1.2). Pure functions over an AES-128 block cipher that
 * the host has already keyed with K.
 */
#ifndef VSIM_CARD_MILENAGE_H
#define VSIM_CARD_MILENAGE_H

#include "port.h"

/* AES-128 encryption of one block under K, supplied by the host. */
typedef void (*vsim_aes_fn)(void *ctx, const u8 in[16], u8 out[16]);

struct vsim_milenage {
	vsim_aes_fn aes;
	void *aes_ctx;
	u8 opc[16];
};

/* OPc = E_K(OP) xor OP (TS 35.206 §4.1). */
void vsim_milenage_opc(vsim_aes_fn aes, void *aes_ctx, const u8 op[16],
		       u8 opc[16]);
/* f1 (MAC-A) and f1* (MAC-S). */
void vsim_milenage_f1(const struct vsim_milenage *m, const u8 rand[16],
		      const u8 sqn[6], const u8 amf[2], u8 mac_a[8],
		      u8 mac_s[8]);
/* f2 (RES), f3 (CK), f4 (IK), f5 (AK), f5* (AK for resynchronisation). */
void vsim_milenage_f2345(const struct vsim_milenage *m, const u8 rand[16],
			 u8 res[8], u8 ck[16], u8 ik[16], u8 ak[6],
			 u8 ak_s[6]);
/* c2: SRES from an 8-byte RES; c3: Kc from CK and IK. */
void vsim_gsm_c2(const u8 res[8], u8 sres[4]);
void vsim_gsm_c3(const u8 ck[16], const u8 ik[16], u8 kc[8]);

#endif /* VSIM_CARD_MILENAGE_H */
