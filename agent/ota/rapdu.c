// SPDX-License-Identifier: GPL-2.0-only
/*
 * Remote APDU scripts (ETSI TS 102 226 §5, see ota/rapdu.h). The compact
 * format gives no lengths, so the case of each command comes from its INS
 * (table below). A case-4 command carries Le only as the last command of
 * the script (one byte left after its data); scripts that need Le in the
 * middle use the expanded format, whose TLVs say every length.
 */
#include <stdbool.h>
#include <string.h>

#include "common/apdu_sw.h"
#include "ota/rapdu.h"

#define TAG_SCRIPT_DEF		0xaa	/* TS 102 226 Table 5.2 */
#define TAG_SCRIPT_INDEF	0xae	/* Table 5.2a */
#define TAG_RESP_DEF		0xab
#define TAG_RESP_INDEF		0xaf
#define TAG_CAPDU		0x22	/* TS 101 220 Table 7.19 */
#define TAG_RAPDU		0x23
#define TAG_NUMBER		0x80	/* number of executed C-APDUs */
#define TAG_BAD_FORMAT		0x90	/* value 01: unknown tag */

/*
 * ISO case of a command by INS for the compact format: 2 = P3 is Le,
 * 3 = P3 is Lc with no Le, 4 = Lc, data and an optional final Le.
 * TS 102 221 §10.1.2 Table 10.5, GP Card Spec 2.3 §11, BINDING ADMIN.
 */
static const uint8_t ins_case[256] = {
	[0x04] = 3,	/* DEACTIVATE FILE */
	[0x12] = 2,	/* FETCH */
	[0x20] = 3,	/* VERIFY */
	[0x24] = 3,	/* CHANGE PIN */
	[0x26] = 3,	/* DISABLE PIN */
	[0x28] = 3,	/* ENABLE PIN */
	[0x2c] = 3,	/* UNBLOCK PIN */
	[0x32] = 4,	/* INCREASE */
	[0x44] = 3,	/* ACTIVATE FILE */
	[0x84] = 2,	/* GET CHALLENGE */
	[0x88] = 4,	/* AUTHENTICATE */
	[0xa2] = 4,	/* SEARCH RECORD */
	[0xa4] = 4,	/* SELECT */
	[0xb0] = 2,	/* READ BINARY */
	[0xb2] = 2,	/* READ RECORD */
	[0xc0] = 2,	/* GET RESPONSE */
	[0xca] = 2,	/* GET DATA */
	[0xcb] = 4,	/* GET DATA, odd INS: with data (ISO 7816-4 §7.4.2) */
	[0xd6] = 3,	/* UPDATE BINARY */
	[0xd8] = 4,	/* PUT KEY */
	[0xdc] = 3,	/* UPDATE RECORD */
	[0xe2] = 4,	/* STORE DATA */
	[0xe4] = 3,	/* DELETE (GP), DELETE FILE */
	[0xe6] = 4,	/* INSTALL */
	[0xf0] = 3,	/* SET STATUS */
};

static int capdu_case(const uint8_t *h)
{
	if (h[1] == 0xf2)	/* STATUS (P1 < 10) or GET STATUS (GP) */
		return (h[2] & 0xf0) ? 4 : 2;
	if (h[1] == 0x3b)	/* BINDING ADMIN: P1 00 reads */
		return h[2] ? 3 : 2;
	return ins_case[h[1]] ? ins_case[h[1]] : 3;
}

int ota_rapdu_sw_error(uint16_t sw)
{
	uint8_t sw1 = sw >> 8;

	return !(sw == 0x9000 || sw1 == 0x91 || sw1 == 0x92 || sw1 == 0x61 ||
		 sw1 == 0x62 || sw1 == 0x63) || sw == OTA_SW_TRUNCATED;
}

/* Length of the compact C-APDU at @p (of @left bytes), 0 if malformed. */
static size_t compact_len(const uint8_t *p, size_t left)
{
	size_t n;

	if (left < 5)
		return left == 4 ? 4 : 0;	/* case 1 without P3 */
	switch (capdu_case(p)) {
	case 2:
		return 5;
	case 4:
		n = 5 + (size_t)p[4];
		if (!p[4] || n > left)
			return 0;
		return left == n + 1 ? n + 1 : n;	/* final Le */
	default:
		n = 5 + (size_t)p[4];
		return n <= left ? n : 0;
	}
}

/* §5.1.2 compact response: count, SW of the last command, its data. */
static size_t run_compact(const uint8_t *s, size_t len, ota_exec_fn exec,
			  void *ctx, uint8_t *out, size_t max)
{
	uint8_t r[260];
	size_t off = 0, rl = 2, n, room = max - 3;
	unsigned int count = 0;
	uint16_t sw = 0x9000;

	r[0] = 0x90, r[1] = 0x00;
	while (off < len && count < 255) {
		n = compact_len(s + off, len - off);
		count++;
		if (!n) {
			rl = apdu_put_sw(r, 0x6700);
			sw = 0x6700;
			break;
		}
		rl = exec(ctx, s + off, n, r);
		off += n;
		sw = (uint16_t)(r[rl - 2] << 8 | r[rl - 1]);
		if (ota_rapdu_sw_error(sw))
			break;
	}
	out[0] = (uint8_t)count;
	if (rl - 2 > room) {
		rl = room + 2;
		sw = OTA_SW_TRUNCATED;
	}
	apdu_put_sw(out + 1, sw);
	memcpy(out + 3, r, rl - 2);
	return 3 + rl - 2;
}

/* BER-TLV length (ISO 8825-1): one byte, 81 xx or 82 xx xx. */
static int ber_len(const uint8_t *p, size_t left, size_t *len, size_t *used)
{
	if (!left)
		return -1;
	if (p[0] < 0x80) {
		*len = p[0], *used = 1;
	} else if (p[0] == 0x81 && left >= 2 && p[1] >= 0x80) {
		*len = p[1], *used = 2;
	} else if (p[0] == 0x82 && left >= 3 && (p[1] << 8 | p[2]) >= 0x100) {
		*len = (size_t)(p[1] << 8 | p[2]), *used = 3;
	} else {
		return -1;
	}
	return 0;
}

static size_t put_len(uint8_t *p, size_t len)
{
	if (len < 0x80) {
		p[0] = (uint8_t)len;
		return 1;
	}
	if (len < 0x100) {
		p[0] = 0x81, p[1] = (uint8_t)len;
		return 2;
	}
	p[0] = 0x82, p[1] = (uint8_t)(len >> 8), p[2] = (uint8_t)len;
	return 3;
}

/* §5.2: the command scripting template, definite or indefinite. */
static size_t run_expanded(const uint8_t *s, size_t len, ota_exec_fn exec,
			   void *ctx, uint8_t *out, size_t max)
{
	bool indef = s[0] == TAG_SCRIPT_INDEF;
	uint8_t body[512], r[260];
	size_t off = 1, end = len, blen = 0, l, u, rl, room;
	unsigned int count = 0;
	bool bad = false;

	if (indef) {
		if (len < 4 || s[1] != 0x80 || s[len - 2] || s[len - 1])
			bad = true;
		off = 2;
		end = len - 2;
	} else if (ber_len(s + 1, len - 1, &l, &u) || 1 + u + l != len) {
		bad = true;
	} else {
		off = 1 + u;
	}
	/* room for the template header, count TLV and end-of-contents */
	room = (max > sizeof(body) ? sizeof(body) : max) - (indef ? 4 : 7);
	while (!bad && off < end) {
		uint16_t sw;
		size_t need, hdr;

		if (s[off] != TAG_CAPDU ||
		    ber_len(s + off + 1, end - off - 1, &l, &u) ||
		    off + 1 + u + l > end) {
			bad = true;
			break;
		}
		count++;
		if (l < 4 || l > 261) {
			r[0] = 0x67, r[1] = 0x00, rl = 2;
		} else {
			rl = exec(ctx, s + off + 1 + u, l, r);
		}
		off += 1 + u + l;
		sw = (uint16_t)(r[rl - 2] << 8 | r[rl - 1]);
		hdr = 1 + (rl < 0x80 ? 1 : 2);
		need = hdr + rl;
		if (blen + need > room) {
			/* keep what fits of the data, mark it 62F1, stop */
			size_t keep = room > blen + hdr + 2 ?
				      room - blen - hdr - 2 : 0;

			if (keep > rl - 2)
				keep = rl - 2;
			if (room < blen + 1 + 1 + 2) {
				count--;
				break;
			}
			body[blen++] = TAG_RAPDU;
			blen += put_len(body + blen, keep + 2);
			memcpy(body + blen, r, keep);
			blen += keep;
			blen += apdu_put_sw(body + blen, OTA_SW_TRUNCATED);
			break;
		}
		body[blen++] = TAG_RAPDU;
		blen += put_len(body + blen, rl);
		memcpy(body + blen, r, rl);
		blen += rl;
		if (ota_rapdu_sw_error(sw))
			break;
	}
	if (bad && blen + 3 <= room) {
		body[blen++] = TAG_BAD_FORMAT;
		body[blen++] = 1;
		body[blen++] = 0x01;	/* unknown or malformed tag */
	}
	if (indef) {
		out[0] = TAG_RESP_INDEF;
		out[1] = 0x80;
		memcpy(out + 2, body, blen);
		out[2 + blen] = 0;
		out[3 + blen] = 0;
		return 4 + blen;
	}
	l = 0;
	out[l++] = TAG_RESP_DEF;
	l += put_len(out + l, blen + 3);
	out[l++] = TAG_NUMBER;
	out[l++] = 1;
	out[l++] = (uint8_t)count;
	memcpy(out + l, body, blen);
	return l + blen;
}

size_t ota_rapdu_run(const uint8_t *script, size_t len, ota_exec_fn exec,
		     void *ctx, uint8_t *out, size_t max)
{
	if (len && (script[0] == TAG_SCRIPT_DEF ||
		    script[0] == TAG_SCRIPT_INDEF))
		return run_expanded(script, len, exec, ctx, out, max);
	return run_compact(script, len, exec, ctx, out, max);
}

int ota_rapdu_expanded(const uint8_t *const *capdu, const size_t *lens,
		       size_t n, uint8_t *out, size_t max)
{
	size_t body = 0, i, o = 0;

	for (i = 0; i < n; i++)
		body += 1 + (lens[i] < 0x80 ? 1 : 2) + lens[i];
	if (body > 0xffff || max < 4 + body)
		return -1;
	out[o++] = TAG_SCRIPT_DEF;
	o += put_len(out + o, body);
	for (i = 0; i < n; i++) {
		out[o++] = TAG_CAPDU;
		o += put_len(out + o, lens[i]);
		memcpy(out + o, capdu[i], lens[i]);
		o += lens[i];
	}
	return (int)o;
}
