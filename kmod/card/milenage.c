// SPDX-License-Identifier: GPL-2.0-only
/*
 * Milenage f1..f5, f1*, f5* (3GPP TS 35.206 §4.1) over a host-supplied
 * AES-128, and the GSM conversion functions c2/c3 (TS 33.102 §6.8.1.2).
 * Freestanding: only port.h. Every intermediate block is wiped after use.
 */
#include "port.h"
#include "milenage.h"

/* Rotation amounts r1..r5 in bytes (TS 35.206 §4.1: 64, 0, 32, 64, 96 bits). */
#define MIL_R1	8
#define MIL_R2	0
#define MIL_R3	4
#define MIL_R4	8
#define MIL_R5	12

/*
 * Constants c1..c5 (TS 35.206 §4.1): all zero except the last byte, which
 * is 0, 1, 2, 4, 8 respectively.
 */
#define MIL_C1	0x00
#define MIL_C2	0x01
#define MIL_C3	0x02
#define MIL_C4	0x04
#define MIL_C5	0x08

static void xor_block(u8 *dst, const u8 *a, const u8 *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = a[i] ^ b[i];
}

/* TEMP = E_K(RAND xor OPc) */
static void mil_temp(const struct vsim_milenage *m, const u8 rand[16],
		     u8 temp[16])
{
	u8 in[16];

	xor_block(in, rand, m->opc, 16);
	m->aes(m->aes_ctx, in, temp);
	vsim_wipe(in, sizeof(in));
}

/*
 * OUT = E_K(rot(x xor OPc, r) xor c) xor OPc, with extra (TEMP for f1) XORed
 * into the AES input when given. For f2..f5 x is TEMP and extra is NULL.
 */
static void mil_out(const struct vsim_milenage *m, const u8 x[16],
		    const u8 *extra, unsigned int r, u8 c, u8 out[16])
{
	u8 t[16], in[16];
	unsigned int i;

	xor_block(t, x, m->opc, 16);
	for (i = 0; i < 16; i++)
		in[i] = t[(i + r) & 15];
	in[15] ^= c;
	if (extra)
		xor_block(in, in, extra, 16);
	m->aes(m->aes_ctx, in, out);
	xor_block(out, out, m->opc, 16);
	vsim_wipe(t, sizeof(t));
	vsim_wipe(in, sizeof(in));
}

void vsim_milenage_opc(vsim_aes_fn aes, void *aes_ctx, const u8 op[16],
		       u8 opc[16])
{
	u8 e[16];

	aes(aes_ctx, op, e);
	xor_block(opc, e, op, 16);
	vsim_wipe(e, sizeof(e));
}

void vsim_milenage_f1(const struct vsim_milenage *m, const u8 rand[16],
		      const u8 sqn[6], const u8 amf[2], u8 mac_a[8],
		      u8 mac_s[8])
{
	u8 temp[16], in1[16], out[16];

	mil_temp(m, rand, temp);
	/* IN1 = SQN || AMF || SQN || AMF */
	memcpy(in1, sqn, 6);
	memcpy(in1 + 6, amf, 2);
	memcpy(in1 + 8, in1, 8);
	mil_out(m, in1, temp, MIL_R1, MIL_C1, out);
	if (mac_a)
		memcpy(mac_a, out, 8);
	if (mac_s)
		memcpy(mac_s, out + 8, 8);
	vsim_wipe(temp, sizeof(temp));
	vsim_wipe(in1, sizeof(in1));
	vsim_wipe(out, sizeof(out));
}

void vsim_milenage_f2345(const struct vsim_milenage *m, const u8 rand[16],
			 u8 res[8], u8 ck[16], u8 ik[16], u8 ak[6],
			 u8 ak_s[6])
{
	u8 temp[16], out[16];

	mil_temp(m, rand, temp);
	if (res || ak) {
		mil_out(m, temp, NULL, MIL_R2, MIL_C2, out);
		if (ak)
			memcpy(ak, out, 6);
		if (res)
			memcpy(res, out + 8, 8);
	}
	if (ck)
		mil_out(m, temp, NULL, MIL_R3, MIL_C3, ck);
	if (ik)
		mil_out(m, temp, NULL, MIL_R4, MIL_C4, ik);
	if (ak_s) {
		mil_out(m, temp, NULL, MIL_R5, MIL_C5, out);
		memcpy(ak_s, out, 6);
	}
	vsim_wipe(temp, sizeof(temp));
	vsim_wipe(out, sizeof(out));
}

void vsim_gsm_c2(const u8 res[8], u8 sres[4])
{
	xor_block(sres, res, res + 4, 4);
}

void vsim_gsm_c3(const u8 ck[16], const u8 ik[16], u8 kc[8])
{
	unsigned int i;

	for (i = 0; i < 8; i++)
		kc[i] = ck[i] ^ ck[i + 8] ^ ik[i] ^ ik[i + 8];
}
