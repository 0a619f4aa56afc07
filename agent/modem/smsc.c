// SPDX-License-Identifier: GPL-2.0-only
/* vsim-modem: SMS TPDUs <-> SMPP short messages, SMS-PP ENVELOPE (smsc.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "modem/smsc.h"

enum alphabet { GSM7, OCTETS, UCS2 };

/* TS 23.038 §4: the alphabet a TP-DCS names */
static enum alphabet alphabet(uint8_t dcs)
{
	if (!(dcs & 0xc0)) {		/* general data coding, 00xx */
		if (dcs & 0x20)
			return OCTETS;	/* compressed: carried as is */
		switch ((dcs >> 2) & 3) {
		case 0: return GSM7;
		case 2: return UCS2;
		default: return OCTETS;
		}
	}
	if ((dcs & 0xf0) == 0xf0)	/* data coding/message class */
		return dcs & 0x04 ? OCTETS : GSM7;
	if ((dcs & 0xf0) == 0xe0)	/* message waiting, UCS2 */
		return UCS2;
	if ((dcs & 0xf0) == 0xc0 || (dcs & 0xf0) == 0xd0)
		return GSM7;
	return OCTETS;
}

bool smsc_is_data_download(uint8_t pid, uint8_t dcs)
{
	if (pid != 0x7f)
		return false;
	/* class 2: 00x1xx10 with the class bits meaningful, or 1111xx10 */
	if (!(dcs & 0xc0))
		return (dcs & 0x10) && (dcs & 0x03) == 0x02;
	return (dcs & 0xf0) == 0xf0 && (dcs & 0x03) == 0x02;
}

/* Septet @i of a packed stream (TS 23.038 §6.1.2.1.1) */
static uint8_t septet_get(const uint8_t *p, size_t i)
{
	size_t bit = i * 7, o = bit / 8;
	unsigned int sh = bit % 8, v = p[o] >> sh;

	if (sh > 1)
		v |= (unsigned int)p[o + 1] << (8 - sh);
	return (uint8_t)(v & 0x7f);
}

static void septet_put(uint8_t *p, size_t i, uint8_t c)
{
	size_t bit = i * 7, o = bit / 8;
	unsigned int sh = bit % 8;

	p[o] |= (uint8_t)(c << sh);
	if (sh > 1)
		p[o + 1] |= (uint8_t)((c & 0x7f) >> (8 - sh));
}

/* An address field (§9.1.2.5): digits or alphanumeric. Its length, or -1. */
static int addr_get(const uint8_t *p, size_t len, char *out, size_t max,
		    uint8_t *ton)
{
	size_t n, o, i;

	if (len < 2)
		return -1;
	n = p[0];
	o = 2 + (n + 1) / 2;
	if (n > 20 || o > len || max < 21)
		return -1;
	*ton = (p[1] >> 4) & 7;
	if (*ton == 5) {		/* alphanumeric: packed septets */
		size_t chars = n * 4 / 7;

		for (i = 0; i < chars; i++)
			out[i] = (char)septet_get(p + 2, i);
		out[chars] = 0;
		return (int)o;
	}
	for (i = 0; i < n; i++) {
		uint8_t d = (p[2 + i / 2] >> (i % 2 ? 4 : 0)) & 0x0f;

		if (d > 9)
			return -1;
		out[i] = (char)('0' + d);
	}
	out[n] = 0;
	return (int)o;
}

static int addr_put(const char *s, uint8_t ton, uint8_t *p, size_t max)
{
	size_t n = strlen(s), i, o;

	if (ton == 5) {
		size_t bytes = (n * 7 + 7) / 8;

		if (n > 11 || max < 2 + bytes)
			return -1;
		memset(p, 0, 2 + bytes);
		p[0] = (uint8_t)((n * 7 + 3) / 4);	/* useful semi-octets */
		p[1] = 0xd0;
		for (i = 0; i < n; i++)
			septet_put(p + 2, i, (uint8_t)s[i] & 0x7f);
		return (int)(2 + bytes);
	}
	o = 2 + (n + 1) / 2;
	if (n > 20 || max < o || strspn(s, "0123456789") != n)
		return -1;
	p[0] = (uint8_t)n;
	p[1] = (uint8_t)(0x81 | (ton & 7) << 4);
	memset(p + 2, 0xff, (n + 1) / 2);
	for (i = 0; i < n; i++) {
		uint8_t d = (uint8_t)(s[i] - '0');

		p[2 + i / 2] &= i % 2 ? 0x0f : 0xf0;
		p[2 + i / 2] |= i % 2 ? (uint8_t)(d << 4) : d;
	}
	return (int)o;
}

int smsc_from_submit(const uint8_t *t, size_t len, const char *msisdn,
		     struct vsim_smpp_sm *sm, const char **why)
{
	static const uint8_t vp_len[4] = { 0, 7, 1, 7 };	/* by TP-VPF */
	size_t o = 2, udl, octets, i;
	bool udhi;
	int n;

	memset(sm, 0, sizeof(*sm));
	*why = "not an SMS-SUBMIT";
	if (len < 7 || (t[0] & 0x03) != 0x01)
		return -1;
	udhi = t[0] & 0x40;
	*why = "bad TP-DA";
	n = addr_get(t + o, len - o, sm->dst, sizeof(sm->dst), &sm->dst_ton);
	if (n < 0)
		return -1;
	o += (size_t)n;
	*why = "TPDU too short";
	if (o + 3 + vp_len[(t[0] >> 3) & 3] > len)
		return -1;
	sm->pid = t[o];
	sm->dcs = t[o + 1];
	o += 2 + vp_len[(t[0] >> 3) & 3];	/* TP-VP: not passed on */
	udl = t[o++];
	octets = alphabet(sm->dcs) == GSM7 ? (udl * 7 + 7) / 8 : udl;
	*why = "TP-UDL beyond the TPDU";
	if (o + octets != len || udl > 160)
		return -1;
	sm->esm_class = udhi ? 0x40 : 0x00;
	if (alphabet(sm->dcs) != GSM7) {
		memcpy(sm->ud, t + o, octets);
		sm->len = octets;
	} else {
		/* the UDH as octets, then one octet per septet after the fill */
		size_t hl = udhi ? 1u + t[o] : 0, skip = (hl * 8 + 6) / 7;

		*why = "UDH beyond TP-UDL";
		if (hl > octets || skip > udl)
			return -1;
		memcpy(sm->ud, t + o, hl);
		for (i = skip; i < udl; i++)
			sm->ud[hl + i - skip] = septet_get(t + o, i);
		sm->len = hl + udl - skip;
	}
	sm->src_ton = msisdn[0] == '+' ? 1 : 0;
	snprintf(sm->src, sizeof(sm->src), "%s", msisdn + (msisdn[0] == '+'));
	return 0;
}

static uint8_t bcd2(int v)
{
	return (uint8_t)((v % 10) << 4 | (v / 10) % 10);
}

int smsc_to_deliver(const struct vsim_smpp_sm *sm, uint8_t *t, size_t max,
		    const char **why)
{
	bool udhi = sm->esm_class & 0x40;
	time_t now = time(NULL);
	struct tm tm;
	size_t o = 1, udl;
	int n;

	*why = "no room";
	if (max < 64)
		return -1;
	memset(t, 0, max);
	/* MTI SMS-DELIVER, TP-MMS: no more messages waiting (§9.2.3.2) */
	t[0] = (uint8_t)(0x04 | (udhi ? 0x40 : 0));
	*why = "bad source_addr";
	n = addr_put(sm->src, sm->src_ton, t + o, max - o);
	if (n < 0)
		return -1;
	o += (size_t)n;
	t[o++] = sm->pid;
	t[o++] = sm->dcs;
	gmtime_r(&now, &tm);	/* TP-SCTS (§9.2.3.11), time zone 0 */
	t[o++] = bcd2(tm.tm_year % 100);
	t[o++] = bcd2(tm.tm_mon + 1);
	t[o++] = bcd2(tm.tm_mday);
	t[o++] = bcd2(tm.tm_hour);
	t[o++] = bcd2(tm.tm_min);
	t[o++] = bcd2(tm.tm_sec);
	t[o++] = 0;
	*why = "short_message too long for one SMS";
	if (alphabet(sm->dcs) != GSM7) {
		if (sm->len > 140 || o + 1 + sm->len > max)
			return -1;
		t[o++] = (uint8_t)sm->len;
		memcpy(t + o, sm->ud, sm->len);
		return (int)(o + sm->len);
	}
	{
		size_t hl = udhi && sm->len ? 1u + sm->ud[0] : 0;
		size_t skip = (hl * 8 + 6) / 7, i;

		*why = "UDH beyond short_message";
		if (hl > sm->len)
			return -1;
		udl = skip + sm->len - hl;
		*why = "short_message too long for one SMS";
		if (udl > 160 || o + 1 + (udl * 7 + 7) / 8 > max)
			return -1;
		t[o++] = (uint8_t)udl;
		memcpy(t + o, sm->ud, hl);
		for (i = hl; i < sm->len; i++)
			septet_put(t + o, skip + i - hl, sm->ud[i] & 0x7f);
		return (int)(o + (udl * 7 + 7) / 8);
	}
}

int smsc_envelope(const uint8_t *sca, const uint8_t *tpdu, size_t len,
		  uint8_t *out, size_t max)
{
	size_t al = sca ? 2u + sca[0] : 0;	/* the address TLV */
	size_t tl = len > 0x7f ? 3 : 2;
	size_t body = 4 + al + tl + len;
	size_t dl = body > 0x7f ? 3 : 2, lc = dl + body, o = 0;

	if (lc > 255 || max < 5 + lc || (sca && (sca[0] < 1 || sca[0] > 11)))
		return -1;
	out[o++] = 0x80;
	out[o++] = 0xc2;	/* ENVELOPE, TS 102 221 §11.2.2 */
	out[o++] = 0x00;
	out[o++] = 0x00;
	out[o++] = (uint8_t)lc;
	out[o++] = 0xd1;	/* SMS-PP download, TS 102 223 §9.1 */
	if (dl == 3)
		out[o++] = 0x81;
	out[o++] = (uint8_t)body;
	out[o++] = 0x82;	/* device identities: network to UICC */
	out[o++] = 0x02;
	out[o++] = 0x83;
	out[o++] = 0x81;
	if (al) {		/* address: the service centre (§8.1) */
		out[o++] = 0x86;
		out[o++] = sca[0];
		memcpy(out + o, sca + 1, sca[0]);
		o += sca[0];
	}
	out[o++] = 0x8b;	/* SMS TPDU (§8.13) */
	if (tl == 3)
		out[o++] = 0x81;
	out[o++] = (uint8_t)len;
	memcpy(out + o, tpdu, len);
	return (int)(o + len);
}
