// SPDX-License-Identifier: GPL-2.0-only
/*
 * GET IDENTITY in the SUCI context (TS 31.102 §7.5): the USIM conceals its
 * SUPI (the IMSI of EF_IMSI) itself, service n°125. The engine builds the
 * SUCI (TS 24.501 §9.11.3.4, octets 4 on); the ECIES of the two
 * protection scheme profiles (TS 33.501 Annex C.3) is the host's, through
 * the optional ecies_conceal op. docs/engine.md "SUCI" says why.
 */
#include "card_priv.h"

#define GET_ID_CTX_SUCI		0x01	/* P2 b7..b1: identity context */
#define TAG_SUCI		0xa1	/* TS 31.102 §7.5.2: SUCI TLV data object */
#define SUCI_TYPE_IMSI		0x01	/* octet 4: SUPI format IMSI, type SUCI */
#define SUCI_OUT_MAX		64	/* longest scheme output: B, 33 + 8 + 8 */

/* TS 101 220 Annex E: 3GPP RID and PIX application code 1002 = USIM */
static const u8 usim_aid_prefix[] = { 0xa0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02 };

/*
 * The image's [suci] settings, checked (TS 33.501 Annex C.1 schemes,
 * TS 24.501 §9.11.3.4 routing indicator). NULL when good.
 */
const char *vsim_suci_check_config(const struct vsim_image_suci *s)
{
	static const u8 zero[sizeof(*s)];
	unsigned int i, d;
	bool end = false;

	if (s->flags & ~VSIM_SUCI_F_ENABLED)
		return "unknown SUCI flags";
	if (!(s->flags & VSIM_SUCI_F_ENABLED))
		return memcmp(s, zero, sizeof(*s)) ? "SUCI fields set while SUCI is off" : NULL;
	/* before key + key_len is formed: past the array it is undefined */
	if (s->key_len > VSIM_SUCI_KEY_MAX)
		return "SUCI key longer than its field";
	if (s->reserved[0] || s->reserved[1] ||
	    memcmp(s->reserved2, zero, sizeof(s->reserved2)) ||
	    memcmp(s->key + s->key_len, zero, VSIM_SUCI_KEY_MAX - s->key_len))
		return "SUCI reserved bytes not zero";
	switch (s->scheme) {
	case VSIM_SUCI_NULL:
		if (s->key_id || s->key_len)
			return "the null scheme has no home network key";
		break;
	case VSIM_SUCI_PROFILE_A:
		if (!s->key_id || s->key_len != 32)
			return "profile A needs a key id and a 32-byte key";
		break;
	case VSIM_SUCI_PROFILE_B:
		/* uncompressed: the kernel's ECDH takes x || y */
		if (!s->key_id || s->key_len != 65 || s->key[0] != 4)
			return "profile B needs a key id and an uncompressed point (65 bytes, 04 x y)";
		break;
	default:
		return "unknown SUCI protection scheme";
	}
	/* 1..4 BCD digits, digit 1 in the low nibble, unused ones F */
	for (i = 0; i < 4; i++) {
		d = (s->routing[i / 2] >> (4 * (i % 2))) & 0x0f;
		if (d == 0x0f && i)
			end = true;
		else if (d > 9 || end)
			return "routing indicator is not 1..4 BCD digits";
	}
	return NULL;
}

/*
 * The SUPI's digits from EF_IMSI (TS 31.102 §4.2.2): length byte, then
 * digit 1 in the high nibble behind the parity nibble, then swapped BCD.
 * Returns the digit count (6..15), or 0 for a body that is no IMSI.
 */
static u8 imsi_digits(const u8 *b, u8 out[15])
{
	u8 len = b[0], n = 0, i, d;

	if (len < 4 || len > 8)
		return 0;
	for (i = 1; i <= len && n < 15; i++) {
		if (i > 1) {
			d = b[i] & 0x0f;
			if (d > 9)
				return 0;
			out[n++] = d;
		}
		d = b[i] >> 4;
		if (d == 0x0f && i == len)
			break;
		if (d > 9 || n == 15)
			return 0;
		out[n++] = d;
	}
	return n >= 6 ? n : 0;
}

/* The MNC length from the application's EF_AD byte 4 (§4.2.18); 2 if unsaid. */
static u8 mnc_length(struct vsim_card *c, u16 app)
{
	u16 ad = vsim_fs_find_child(c, app, 0x6fad);
	u8 v;

	if (ad == VSIM_NO_FILE || c->files[ad].size < 4)
		return 2;
	v = vsim_fs_body(c, ad)[3] & 0x0f;
	return v == 3 ? 3 : 2;
}

/* Digits as swapped BCD, F-padded (TS 24.501 §9.11.3.4 null-scheme output). */
static u8 put_bcd(u8 *p, const u8 *d, u8 n)
{
	u8 i;

	for (i = 0; i < n; i += 2)
		p[i / 2] = (u8)(d[i] | (i + 1 < n ? d[i + 1] << 4 : 0xf0));
	return (n + 1) / 2;
}

/*
 * GET IDENTITY (TS 31.102 §7.5.1): P1 00, P2 b7..b1 the identity context
 * (1 SUCI; b8 the reference scope), no data, answer A1 L SUCI (§7.5.2).
 * 6985 when the card has no SUCI calculation (no [suci]: service n°125
 * not available), 6A81 when the host has no ECIES for the scheme
 * (docs/engine.md).
 */
u16 vsim_suci_get_identity(struct vsim_card *c, const struct vsim_apdu *a,
			   struct vsim_resp *r)
{
	const struct vsim_image_suci *s = &c->suci;
	u16 app = vsim_chan(c, a)->app, imsi;
	u8 digits[15], n, mnc, msin[8], msin_len, *p = r->data + 2;
	int out;

	if (a->p1 || (a->p2 & 0x7f) != GET_ID_CTX_SUCI)
		return SW_WRONG_P1P2;
	if (a->lc)
		return SW_WRONG_LENGTH;
	/* the USIM must be the channel's application (§7.5.1) */
	if (app == VSIM_NO_FILE || c->files[app].aid_len < sizeof(usim_aid_prefix) ||
	    memcmp(c->files[app].aid, usim_aid_prefix, sizeof(usim_aid_prefix)))
		return SW_CONDITIONS;
	if (!(s->flags & VSIM_SUCI_F_ENABLED))
		return SW_CONDITIONS;
	/* the SUPI is as secret as EF_IMSI (PIN1), and the binding withholds it */
	if (!vsim_pin_satisfied(c, 0x01) || !vsim_binding_gate(c))
		return SW_SECURITY_STATUS;
	imsi = vsim_fs_find_child(c, app, 0x6f07);
	if (imsi == VSIM_NO_FILE || c->files[imsi].size < 9)
		return SW_TECHNICAL;
	n = imsi_digits(vsim_fs_body(c, imsi), digits);
	mnc = mnc_length(c, app);
	if (n < 3 + mnc + 1)
		return SW_TECHNICAL;

	/* octet 4: SUPI format IMSI, type of identity SUCI */
	*p++ = SUCI_TYPE_IMSI;
	/* octets 5-7: MCC and MNC as TS 24.008 §10.5.1.3 */
	*p++ = (u8)(digits[1] << 4 | digits[0]);
	*p++ = (u8)((mnc == 3 ? digits[5] : 0x0f) << 4 | digits[2]);
	*p++ = (u8)(digits[4] << 4 | digits[3]);
	*p++ = s->routing[0];
	*p++ = s->routing[1];
	*p++ = s->scheme;
	*p++ = s->key_id;
	msin_len = put_bcd(msin, digits + 3 + mnc, n - 3 - mnc);
	if (s->scheme == VSIM_SUCI_NULL) {
		memcpy(p, msin, msin_len);
		p += msin_len;
	} else {
		/* Annex C.3.2: the scheme input is the MSIN in BCD */
		if (!c->ops->ecies_conceal)
			return SW_FUNC_UNSUPPORTED;
		out = c->ops->ecies_conceal(c->priv, s->scheme, s->key,
					    s->key_len, msin, msin_len, p,
					    SUCI_OUT_MAX);
		vsim_wipe(msin, sizeof(msin));
		if (out == -EOPNOTSUPP)
			return SW_FUNC_UNSUPPORTED;	/* the host lacks the curve */
		if (out <= 0 || out > SUCI_OUT_MAX)
			return SW_TECHNICAL;
		p += out;
	}
	r->data[0] = TAG_SUCI;
	r->data[1] = (u8)(p - r->data - 2);
	r->len = (u16)(p - r->data);
	return SW_OK;
}
