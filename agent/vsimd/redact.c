// SPDX-License-Identifier: GPL-2.0-only
/* Secrets in traced exchanges (redact.h). */
#include <string.h>

#include "vsimd/redact.h"

/*
 * EFs that hold keys: a READ BINARY answer or an UPDATE BINARY command of
 * one is blanked. TS 31.102 §4.2.4 EF_Keys, §4.2.5 EF_KeysPS (CK, IK),
 * §4.4.3.1 EF_Kc, §4.4.3.2 EF_KcGPRS (in DF_GSM-ACCESS 5F3B); TS 51.011
 * §10.3.2 EF_Kc, §10.3.29 EF_KcGPRS (in DF_GSM 7F20).
 */
static bool key_ef(uint16_t fid)
{
	switch (fid) {
	case 0x6f08: case 0x6f09: case 0x4f20: case 0x4f52:
	case 0x6f20: case 0x6f52:
		return true;
	default:
		return false;
	}
}

/* The same EFs reached by SFI (TS 31.102 Annex H) from their DF. */
static bool key_sfi(uint16_t df, uint8_t sfi)
{
	return (df == 0x7fff && (sfi == 0x08 || sfi == 0x09)) ||
	       (df == 0x5f3b && (sfi == 0x01 || sfi == 0x02));
}

static bool is_df(uint16_t fid)
{
	return fid == 0x3f00 || fid == 0x7fff || (fid >> 8) == 0x7f ||
	       (fid >> 8) == 0x5f;
}

/* A file selected: what the next READ/UPDATE BINARY reaches. */
static void selected(struct vsim_redact *s, const uint8_t *c, size_t clen)
{
	uint8_t p1 = c[2], lc = clen > 4 ? c[4] : 0;
	const uint8_t *d = c + 5;
	uint16_t fid, up;

	if (p1 == 0x04) {		/* by AID: an ADF (TS 102 221 §11.1.1) */
		s->df = 0x7fff;
		s->ef = 0;
		return;
	}
	if ((p1 != 0x00 && p1 != 0x08 && p1 != 0x09) || lc < 2 || lc % 2 ||
	    clen < 5u + lc) {
		s->df = s->ef = 0;	/* parent, child by name, ...: unknown */
		return;
	}
	fid = (uint16_t)(d[lc - 2] << 8 | d[lc - 1]);
	up = lc >= 4 ? (uint16_t)(d[lc - 4] << 8 | d[lc - 3]) : 0;
	if (is_df(fid)) {
		s->df = fid;
		s->ef = 0;
	} else {
		if (up)
			s->df = up;
		s->ef = fid;
	}
}

void vsim_redact_reset(struct vsim_redact *s)
{
	memset(s, 0, sizeof(*s));
}

unsigned int vsim_redact_next(struct vsim_redact *s, const uint8_t *c,
			      size_t clen, const uint8_t *r, size_t rlen)
{
	uint8_t sw1 = rlen >= 2 ? r[rlen - 2] : 0;
	/* the answer is still to come: 61xx, 9Fxx (GSM) or 6Cxx (wrong Le) */
	bool more = sw1 == 0x61 || sw1 == 0x9f || sw1 == 0x6c;
	bool ok = sw1 == 0x90 || sw1 == 0x91 || sw1 == 0x61 || sw1 == 0x9f;
	bool pending = s->answer_pending;
	unsigned int what = 0;

	s->answer_pending = false;
	if (clen < 4)
		return 0;
	switch (c[1]) {
	case 0x20:	/* VERIFY PIN (TS 102 221 §11.1.9) */
	case 0x24:	/* CHANGE PIN §11.1.10 */
	case 0x26:	/* DISABLE PIN §11.1.11 */
	case 0x28:	/* ENABLE PIN §11.1.12 */
	case 0x2c:	/* UNBLOCK PIN §11.1.13: PUK and new PIN */
		return clen > 5 ? VSIM_REDACT_C : 0;
	case 0x88:	/* AUTHENTICATE §11.1.16, RUN GSM ALGORITHM (A0) */
	case 0x89:	/* AUTHENTICATE, odd instruction */
		s->answer_pending = more;
		return VSIM_REDACT_R;
	case 0xc0:	/* GET RESPONSE §11.1.7: the pending answer */
		if (pending) {
			s->answer_pending = more;
			what = VSIM_REDACT_R;
		}
		return what;
	case 0xa4:	/* SELECT §11.1.1 */
		if (ok && clen >= 5)
			selected(s, c, clen);
		return 0;
	case 0xb0:	/* READ BINARY §11.1.3 */
	case 0xd6:	/* UPDATE BINARY §11.1.4 */
		if ((c[2] & 0x80) ? key_sfi(s->df, c[2] & 0x1f) : key_ef(s->ef))
			what = c[1] == 0xb0 ? VSIM_REDACT_R : VSIM_REDACT_C;
		return what;
	default:
		return 0;
	}
}

void vsim_redact_copy(unsigned int what, const uint8_t *c, size_t clen,
		      uint8_t *cout, const uint8_t *r, size_t rlen,
		      uint8_t *rout)
{
	if (clen) {
		memcpy(cout, c, clen);
		if ((what & VSIM_REDACT_C) && clen > 5)
			memset(cout + 5, 0, clen - 5);
	}
	if (rlen) {
		memcpy(rout, r, rlen);
		if ((what & VSIM_REDACT_R) && rlen > 2)
			memset(rout, 0, rlen - 2);
	}
}
