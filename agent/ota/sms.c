// SPDX-License-Identifier: GPL-2.0-only
/*
 * SMS framing of secured packets: SMS-PP download ENVELOPEs, SMS-DELIVER
 * and SMS-SUBMIT TPDUs with 8-bit data and a user data header, and the
 * reassembly of concatenated messages (see ota/sms.h).
 */
#include <string.h>

#include "ota/sms.h"

/* TS 23.040 §9.2.3.1: TP-MTI; §9.2.3.23: TP-UDHI; §9.2.3.3: TP-VPF */
#define MTI_MASK	0x03
#define MTI_DELIVER	0x00
#define MTI_SUBMIT	0x01
#define TP_UDHI		0x40
#define VPF(b)		(((b) >> 3) & 0x03)

/* UDH information elements, TS 23.040 §9.2.3.24; TS 31.115 §4 */
#define IEI_CONCAT8	0x00
#define IEI_CONCAT16	0x08
#define IEI_CPI		0x70	/* command packet identifier */
#define IEI_RPI		0x71	/* response packet identifier */

/* TS 31.111 §7.1.1.1, TS 102 223 §9.3 */
#define BER_SMS_PP	0xd1
#define CTLV_DEVICE	0x02
#define CTLV_ADDRESS	0x06
#define CTLV_TPDU	0x0b
#define DEV_NETWORK	0x83
#define DEV_UICC	0x81

static const char bcd_digits[] = "0123456789*#abc";

/* Address field: length in digits, TOA, semi-octets low nibble first. */
static int addr_parse(const uint8_t *p, size_t len, struct ota_addr *a,
		      size_t *used)
{
	size_t n, bytes, i;

	if (len < 2)
		return -1;
	n = p[0];
	bytes = (n + 1) / 2;
	if (n > OTA_ADDR_MAX || len < 2 + bytes || (p[1] & 0x70) == 0x50)
		return -1;	/* too long, truncated, alphanumeric */
	a->toa = p[1];
	a->ndigits = (uint8_t)n;
	for (i = 0; i < n; i++) {
		uint8_t d = p[2 + i / 2];

		d = i % 2 ? d >> 4 : d & 0x0f;
		if (d > 0x0e)
			return -1;
		a->digits[i] = bcd_digits[d];
	}
	a->digits[n] = 0;
	*used = 2 + bytes;
	return 0;
}

static int addr_build(const struct ota_addr *a, uint8_t *out, size_t max)
{
	size_t bytes = (a->ndigits + 1u) / 2, i;

	if (a->ndigits > OTA_ADDR_MAX || max < 2 + bytes)
		return -1;
	out[0] = a->ndigits;
	out[1] = a->toa;
	memset(out + 2, 0xff, bytes);
	for (i = 0; i < a->ndigits; i++) {
		const char *d = strchr(bcd_digits, a->digits[i]);

		if (!d || !a->digits[i])
			return -1;
		if (i % 2)
			out[2 + i / 2] = (uint8_t)((out[2 + i / 2] & 0x0f) |
						   (d - bcd_digits) << 4);
		else
			out[2 + i / 2] = (uint8_t)(0xf0 | (d - bcd_digits));
	}
	return (int)(2 + bytes);
}

int ota_addr_from_string(const char *s, struct ota_addr *a)
{
	size_t n;

	memset(a, 0, sizeof(*a));
	a->toa = 0x81;			/* unknown type, ISDN/E.164 */
	if (*s == '+') {
		a->toa = 0x91;		/* international */
		s++;
	}
	n = strlen(s);
	if (!n || n > OTA_ADDR_MAX || strspn(s, bcd_digits) != n)
		return -1;
	memcpy(a->digits, s, n);
	a->ndigits = (uint8_t)n;
	return 0;
}

/* TS 23.038 §4: is this DCS 8-bit data? */
static bool dcs_8bit(uint8_t dcs)
{
	if ((dcs & 0xc0) == 0x00)	/* general data coding */
		return ((dcs >> 2) & 0x03) == 0x01;
	if ((dcs & 0xf0) == 0xf0)	/* data coding/message class */
		return dcs & 0x04;
	return false;
}

/* The user data: UDL octets, with the UDH decoded when TP-UDHI is set. */
static int ud_parse(const uint8_t *p, size_t len, struct ota_sms *sms,
		    const char **why)
{
	size_t udl, hl, i;

	if (len < 1) {
		*why = "no TP-UDL";
		return -1;
	}
	udl = p[0];
	if (udl > OTA_SMS_UD_MAX || len - 1 != udl) {
		*why = "TP-UDL does not match the user data";
		return -1;
	}
	p++;
	sms->ud = p;
	sms->ud_len = udl;
	if (!sms->udhi)
		return 0;
	if (!udl || (size_t)p[0] + 1 > udl) {
		*why = "user data header overruns the user data";
		return -1;
	}
	hl = p[0];
	for (i = 1; i < hl + 1;) {
		uint8_t iei, iel;

		if (i + 2 > hl + 1 || i + 2 + p[i + 1] > hl + 1) {
			*why = "malformed information element in the UDH";
			return -1;
		}
		iei = p[i];
		iel = p[i + 1];
		if (iei == IEI_CPI && iel == 0) {
			sms->cpi = true;
		} else if (iei == IEI_RPI && iel == 0) {
			sms->rpi = true;
		} else if (iei == IEI_CONCAT8 && iel == 3) {
			sms->concat = true;
			sms->ref = p[i + 2];
			sms->total = p[i + 3];
			sms->seq = p[i + 4];
		} else if (iei == IEI_CONCAT16 && iel == 4) {
			sms->concat = true;
			sms->ref = (uint16_t)(p[i + 2] << 8 | p[i + 3]);
			sms->total = p[i + 4];
			sms->seq = p[i + 5];
		} else if (iei == IEI_CPI || iei == IEI_RPI ||
			   iei == IEI_CONCAT8 || iei == IEI_CONCAT16) {
			*why = "information element of the wrong length";
			return -1;
		}		/* others: not ours, skipped */
		i += 2u + iel;
	}
	sms->ud = p + 1 + hl;
	sms->ud_len = udl - 1 - hl;
	return 0;
}

int ota_sms_deliver_parse(const uint8_t *tpdu, size_t len,
			  struct ota_sms *sms, const char **why)
{
	size_t used, off;

	memset(sms, 0, sizeof(*sms));
	if (len < 1 || (tpdu[0] & MTI_MASK) != MTI_DELIVER) {
		*why = "not an SMS-DELIVER";
		return -1;
	}
	sms->udhi = tpdu[0] & TP_UDHI;
	if (addr_parse(tpdu + 1, len - 1, &sms->addr, &used)) {
		*why = "bad originating address";
		return -1;
	}
	off = 1 + used;
	if (len < off + 2 + 7) {
		*why = "SMS-DELIVER truncated";
		return -1;
	}
	sms->pid = tpdu[off];
	sms->dcs = tpdu[off + 1];
	off += 2 + 7;			/* PID, DCS, SCTS */
	if (!dcs_8bit(sms->dcs)) {
		*why = "not 8-bit data";
		return -1;
	}
	return ud_parse(tpdu + off, len - off, sms, why);
}

int ota_sms_submit_parse(const uint8_t *tpdu, size_t len,
			 struct ota_sms *sms, const char **why)
{
	static const uint8_t vp_len[4] = { 0, 7, 1, 7 };
	size_t used, off;

	memset(sms, 0, sizeof(*sms));
	if (len < 2 || (tpdu[0] & MTI_MASK) != MTI_SUBMIT) {
		*why = "not an SMS-SUBMIT";
		return -1;
	}
	sms->udhi = tpdu[0] & TP_UDHI;
	if (addr_parse(tpdu + 2, len - 2, &sms->addr, &used)) {
		*why = "bad destination address";
		return -1;
	}
	off = 2 + used;
	if (len < off + 2 + vp_len[VPF(tpdu[0])]) {
		*why = "SMS-SUBMIT truncated";
		return -1;
	}
	sms->pid = tpdu[off];
	sms->dcs = tpdu[off + 1];
	off += 2 + vp_len[VPF(tpdu[0])];
	if (!dcs_8bit(sms->dcs)) {
		*why = "not 8-bit data";
		return -1;
	}
	return ud_parse(tpdu + off, len - off, sms, why);
}

int ota_sms_build(bool submit, const struct ota_addr *oa, const uint8_t *udh,
		  size_t udh_len, const uint8_t *ud, size_t ud_len,
		  uint8_t *out, size_t max)
{
	size_t off = 0;
	int n;

	if (udh_len + ud_len > OTA_SMS_UD_MAX || max < 2)
		return -1;
	out[off++] = (submit ? MTI_SUBMIT : MTI_DELIVER) | (udh ? TP_UDHI : 0);
	if (submit)
		out[off++] = 0x00;	/* TP-MR: the terminal sets it */
	n = addr_build(oa, out + off, max - off);
	if (n < 0)
		return -1;
	off += (size_t)n;
	if (max < off + 2 + (submit ? 0 : 7) + 1 + udh_len + ud_len)
		return -1;
	out[off++] = OTA_TP_PID_DATA_DOWNLOAD;
	out[off++] = OTA_TP_DCS_CLASS2_8BIT;
	if (!submit) {
		memset(out + off, 0, 7);	/* TP-SCTS */
		off += 7;
	}
	out[off++] = (uint8_t)(udh_len + ud_len);
	if (udh_len)
		memcpy(out + off, udh, udh_len);
	off += udh_len;
	if (ud_len)
		memcpy(out + off, ud, ud_len);
	return (int)(off + ud_len);
}

/* One COMPREHENSION-TLV (TS 102 223 Annex C); the CR bit masked off. */
static int ctlv(const uint8_t *d, size_t len, size_t *off, uint8_t *tag,
		const uint8_t **v, size_t *vl)
{
	size_t o = *off, l;

	if (o + 2 > len || d[o] == 0x00 || d[o] == 0xff || d[o] == 0x80 ||
	    d[o] == 0x7f)
		return -1;
	*tag = d[o++] & 0x7f;
	l = d[o++];
	if (l == 0x81) {
		if (o >= len || d[o] < 0x80)
			return -1;
		l = d[o++];
	} else if (l > 0x7f) {
		return -1;
	}
	if (o + l > len)
		return -1;
	*v = d + o;
	*vl = l;
	*off = o + l;
	return 0;
}

int ota_envelope_sms(const uint8_t *env, size_t len, const uint8_t **tpdu,
		     size_t *tpdu_len, const char **why)
{
	const uint8_t *v, *dev = NULL;
	size_t off, vl, body;
	uint8_t tag;

	*tpdu = NULL;
	if (len < 2 || env[0] != BER_SMS_PP) {
		*why = "not an SMS-PP download";
		return -1;
	}
	body = env[1];
	off = 2;
	if (body == 0x81 && len >= 3) {
		body = env[2];
		off = 3;
	}
	if (off + body != len) {
		*why = "BER length does not match";
		return -1;
	}
	while (off < len) {
		if (ctlv(env, len, &off, &tag, &v, &vl)) {
			*why = "malformed COMPREHENSION-TLV";
			return -1;
		}
		if (tag == CTLV_DEVICE && vl == 2)
			dev = v;
		else if (tag == CTLV_TPDU && !*tpdu)
			*tpdu = v, *tpdu_len = vl;
	}
	if (!dev || dev[1] != DEV_UICC || !*tpdu) {
		*why = "device identities or SMS TPDU missing";
		return -1;
	}
	return 0;
}

int ota_envelope_build(const uint8_t *tpdu, size_t len, uint8_t *out,
		       size_t max)
{
	size_t tl = len > 0x7f ? 3 : 2, body = 4 + tl + len;
	size_t dl = body > 0x7f ? 3 : 2, lc = dl + body, o = 0;

	if (lc > 255 || max < 5 + lc)
		return -1;
	out[o++] = 0x80;
	out[o++] = 0xc2;		/* ENVELOPE, TS 102 221 §11.2.2 */
	out[o++] = 0;
	out[o++] = 0;
	out[o++] = (uint8_t)lc;
	out[o++] = BER_SMS_PP;
	if (dl == 3)
		out[o++] = 0x81;
	out[o++] = (uint8_t)body;
	out[o++] = 0x80 | CTLV_DEVICE;
	out[o++] = 2;
	out[o++] = DEV_NETWORK;
	out[o++] = DEV_UICC;
	out[o++] = 0x80 | CTLV_TPDU;
	if (tl == 3)
		out[o++] = 0x81;
	out[o++] = (uint8_t)len;
	memcpy(out + o, tpdu, len);
	return (int)(o + len);
}

void ota_envelope_menu_selection(uint8_t item,
				 uint8_t env[OTA_MENU_SELECTION_LEN])
{
	static const uint8_t head[OTA_MENU_SELECTION_LEN - 1] = {
		0x80, 0xc2, 0x00, 0x00, 0x09,	/* ENVELOPE, Lc */
		0xd3, 0x07,			/* MENU SELECTION */
		0x82, 0x02, 0x01, 0x81,		/* device identities */
		0x90, 0x01,			/* item identifier */
	};

	memcpy(env, head, sizeof(head));
	env[sizeof(head)] = item;
}

/* ---- reassembly ---- */

static time_t timeout_of(const struct ota_reasm *r)
{
	return r->timeout ? (time_t)r->timeout : OTA_CONCAT_TIMEOUT;
}

unsigned int ota_reasm_expire(struct ota_reasm *r, time_t now)
{
	unsigned int i, n = 0;

	for (i = 0; i < OTA_CONCAT_SLOTS; i++) {
		struct ota_reasm_slot *s = &r->slot[i];

		if (s->used && (now - s->first >= timeout_of(r) ||
				now < s->first)) {
			memset(s, 0, sizeof(*s));
			r->dropped++;
			n++;
		}
	}
	return n;
}

static bool same_addr(const struct ota_addr *a, const struct ota_addr *b)
{
	return a->toa == b->toa && a->ndigits == b->ndigits &&
	       !memcmp(a->digits, b->digits, a->ndigits);
}

enum ota_reasm_result ota_reasm_add(struct ota_reasm *r,
				    const struct ota_sms *sms, time_t now,
				    uint8_t *out, size_t *out_len, bool *cpi)
{
	struct ota_reasm_slot *s = NULL, *oldest = NULL;
	unsigned int i;
	size_t n = 0;

	if (!sms->total || sms->total > OTA_CONCAT_PARTS_MAX || !sms->seq ||
	    sms->seq > sms->total || sms->ud_len > OTA_SMS_UD_MAX)
		return OTA_REASM_BAD;
	ota_reasm_expire(r, now);
	for (i = 0; i < OTA_CONCAT_SLOTS; i++) {
		struct ota_reasm_slot *t = &r->slot[i];

		if (t->used && t->ref == sms->ref &&
		    same_addr(&t->from, &sms->addr)) {
			s = t;
			break;
		}
	}
	if (s && s->total != sms->total)
		return OTA_REASM_BAD;	/* kept parts stay as they were */
	if (!s) {
		for (i = 0; i < OTA_CONCAT_SLOTS && !s; i++)
			if (!r->slot[i].used)
				s = &r->slot[i];
			else if (!oldest || r->slot[i].first < oldest->first)
				oldest = &r->slot[i];
		if (!s) {		/* all busy: the oldest gives way */
			s = oldest;
			r->dropped++;
		}
		memset(s, 0, sizeof(*s));
		s->used = true;
		s->from = sms->addr;
		s->ref = sms->ref;
		s->total = sms->total;
		s->first = now;
	}
	if (s->have & (1u << (sms->seq - 1)))
		return OTA_REASM_DUPLICATE;
	s->have |= 1u << (sms->seq - 1);
	s->len[sms->seq - 1] = (uint8_t)sms->ud_len;
	memcpy(s->part[sms->seq - 1], sms->ud, sms->ud_len);
	if (sms->cpi)
		s->cpi = true;
	if (s->have != (1u << s->total) - 1)
		return OTA_REASM_PENDING;
	for (i = 0; i < s->total; i++) {
		memcpy(out + n, s->part[i], s->len[i]);
		n += s->len[i];
	}
	*out_len = n;
	*cpi = s->cpi;
	memset(s, 0, sizeof(*s));
	return OTA_REASM_COMPLETE;
}

int ota_sms_deliver_parts(const uint8_t *pkt, size_t len,
			  const struct ota_addr *oa, int ref,
			  uint8_t tpdu[][OTA_TPDU_MAX], size_t *tlen,
			  size_t max_parts)
{
	static const uint8_t cpi_only[] = { 0x02, IEI_CPI, 0x00 };
	bool r16 = ref > 0xff;
	size_t hdr = r16 ? 6 : 5, per, parts, i, off = 0;
	int n;

	if (len + sizeof(cpi_only) <= OTA_SMS_UD_MAX && ref < 0) {
		if (!max_parts)
			return -1;
		n = ota_sms_build(false, oa, cpi_only, sizeof(cpi_only), pkt,
				  len, tpdu[0], OTA_TPDU_MAX);
		if (n < 0)
			return -1;
		tlen[0] = (size_t)n;
		return 1;
	}
	if (ref < 0 || ref > 0xffff)
		return -1;
	/* every part: UDHL, concatenation IE; the first also IEI 70 */
	per = OTA_SMS_UD_MAX - 1 - hdr;
	parts = len + 2 <= per ? 1 : 1 + (len + 2 - per + per - 1) / per;
	if (parts > max_parts || parts > OTA_CONCAT_PARTS_MAX)
		return -1;
	for (i = 0; i < parts; i++) {
		uint8_t udh[10];
		size_t u = 0, take;

		udh[u++] = (uint8_t)(hdr + (i ? 0 : 2));
		udh[u++] = r16 ? IEI_CONCAT16 : IEI_CONCAT8;
		udh[u++] = (uint8_t)(hdr - 2);
		if (r16)
			udh[u++] = (uint8_t)(ref >> 8);
		udh[u++] = (uint8_t)ref;
		udh[u++] = (uint8_t)parts;
		udh[u++] = (uint8_t)(i + 1);
		if (!i) {
			udh[u++] = IEI_CPI;
			udh[u++] = 0;
		}
		take = OTA_SMS_UD_MAX - u;
		if (take > len - off)
			take = len - off;
		n = ota_sms_build(false, oa, udh, u, pkt + off, take, tpdu[i],
				  OTA_TPDU_MAX);
		if (n < 0)
			return -1;
		tlen[i] = (size_t)n;
		off += take;
	}
	return off == len ? (int)parts : -1;
}

int ota_sms_whole_ud(const uint8_t *tpdu, size_t len, bool submit,
		     const uint8_t **ud, size_t *udlen)
{
	static const uint8_t vp_len[4] = { 0, 7, 1, 7 };
	size_t off;

	if (len < (submit ? 4u : 3u))
		return -1;
	/* MTI byte [, MR], address (length in digits, TOA, BCD), PID, DCS,
	 * then SCTS (DELIVER) or the validity period (SUBMIT) */
	off = submit ? 2 : 1;
	off += 2 + (tpdu[off] + 1u) / 2 + 2;
	off += submit ? vp_len[VPF(tpdu[0])] : 7;
	if (off >= len || tpdu[off] != len - off - 1)
		return -1;
	*ud = tpdu + off + 1;
	*udlen = tpdu[off];
	return 0;
}
