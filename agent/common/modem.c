// SPDX-License-Identifier: GPL-2.0-only
/*
 * A modem's start-up against a card (modem.h), moved here from vsimctl
 * term so the emulated SIMtrace2 board plays the very same one: each
 * command as a T=0 terminal sends it (61xx fetched with GET RESPONSE, 6Cxx
 * resent with the card's length), the proactive loop, and the network's
 * side of AKA from the profile's keys.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "common/host_crypto.h"
#include "milenage.h"
#include "common/modem.h"

/* TS 102 223 §5.2: profile download, DISPLAY TEXT, REFRESH, PLI (IMEI), PLI (IMEISV) */
const uint8_t vsim_modem_terminal_profile[VSIM_MODEM_TP_LEN] = {
	[0] = 0x01, [2] = 0x81, [3] = 0x40, [17] = 0x40,
};

static void hex(struct vsim_modem *t, const char *dir, const uint8_t *b, int n)
{
	fprintf(t->out, "  %s ", dir);
	for (int i = 0; i < n; i++)
		fprintf(t->out, "%02X", b[i]);
	fputc('\n', t->out);
}

/*
 * Send one command as a modem would: print it, fetch 61xx data with GET
 * RESPONSE, resend on 6Cxx. Returns the final length or -1.
 */
static int xfer(struct vsim_modem *t, const uint8_t *c, size_t len, uint8_t *r)
{
	uint8_t cmd[VSIM_CAPDU_MAX];
	int n;

	memcpy(cmd, c, len);
	for (;;) {
		hex(t, ">", cmd, (int)len);
		n = t->io.transmit(t->io.ctx, cmd, len, r, VSIM_RAPDU_MAX);
		if (n < 2) {
			fprintf(t->out, "unexpected: the transport failed (%s)\n",
				n < 0 ? strerror(errno) : "no status word");
			return -1;
		}
		hex(t, "<", r, n);
		if (r[n - 2] == 0x61) {
			static const uint8_t gr[] = { 0x00, 0xc0, 0x00, 0x00 };

			memcpy(cmd, gr, 4);
			cmd[4] = r[n - 1];
			len = 5;
			continue;
		}
		if (r[n - 2] == 0x6c && len >= 5) {
			cmd[len - 1] = r[n - 1];
			continue;
		}
		return n;
	}
}

static uint16_t sw(const uint8_t *r, int n)
{
	return (uint16_t)(r[n - 2] << 8 | r[n - 1]);
}

/*
 * Find a COMPREHENSION-TLV (CR bit ignored) in a proactive command; a
 * length of 128 or more comes as 81 xx (TS 102 223 Annex C).
 */
const uint8_t *vsim_modem_tlv(const uint8_t *p, int len, uint8_t tag,
			      uint8_t *vlen)
{
	int i = 0;

	while (i + 2 <= len) {
		uint8_t t = p[i] & 0x7f;
		int l = p[i + 1], h = 2;

		if (l == 0x81 && i + 3 <= len) {
			l = p[i + 2];
			h = 3;
		}
		if (i + h + l > len)
			return NULL;
		if (t == tag) {
			*vlen = (uint8_t)l;
			return p + i + h;
		}
		i += h + l;
	}
	return NULL;
}

/* Answer every proactive command the card announces with 91xx. */
static int proactive_loop(struct vsim_modem *t, uint8_t *r, int n)
{
	while (n >= 2 && r[n - 2] == 0x91) {
		uint8_t fetch[5] = { 0x80, 0x12, 0x00, 0x00, r[n - 1] };
		uint8_t tr[255], det[3], l = 0;
		const uint8_t *v, *body;
		int len, blen, hl;

		if (++t->fetches > (t->max_fetches ? t->max_fetches : 16)) {
			fprintf(t->out, "unexpected: the card keeps sending proactive commands\n");
			return -1;
		}
		fprintf(t->out, "FETCH\n");
		n = xfer(t, fetch, 5, r);
		if (n < 0)
			return -1;
		/* BER-TLV D0, its length in one byte or 81 xx (TS 102 223 §6.6) */
		hl = n >= 4 && r[1] == 0x81 ? 3 : 2;
		if (sw(r, n) != 0x9000 || n < 4 || r[0] != 0xd0 ||
		    r[hl - 1] != n - 2 - hl) {
			fprintf(t->out, "unexpected: FETCH answered %04X without a proactive command\n",
				sw(r, n));
			return -1;
		}
		body = r + hl;
		blen = r[hl - 1];
		v = vsim_modem_tlv(body, blen, 0x01, &l);
		if (!v || l != 3) {
			fprintf(t->out, "unexpected: proactive command without command details\n");
			return -1;
		}
		memcpy(det, v, 3);
		len = 0;
		tr[len++] = 0x81, tr[len++] = 3;
		memcpy(tr + len, det, 3), len += 3;
		tr[len++] = 0x82, tr[len++] = 2, tr[len++] = 0x82, tr[len++] = 0x81;
		tr[len++] = 0x83, tr[len++] = 1;
		switch (det[1]) {
		case 0x26:	/* PROVIDE LOCAL INFORMATION */
			fprintf(t->out, "  PROVIDE LOCAL INFORMATION (%s)\n",
			       det[2] == 0x08 ? "IMEISV" : det[2] == 0x01 ? "IMEI" : "other");
			if ((det[2] == 0x01 && t->imei_tag == 0x14) ||
			    (det[2] == 0x08 && t->imei_tag == 0x62)) {
				tr[len++] = 0x00;
				tr[len++] = t->imei_tag | 0x80;
				tr[len++] = t->imei_len;
				memcpy(tr + len, t->imei, t->imei_len);
				len += t->imei_len;
			} else {
				tr[len++] = 0x30;	/* beyond terminal's capabilities */
			}
			break;
		case 0x21:	/* DISPLAY TEXT */
			v = vsim_modem_tlv(body, blen, 0x0d, &l);
			fprintf(t->out, "  DISPLAY TEXT \"%.*s\"\n", v && l ? l - 1 : 0,
			       v && l ? (const char *)v + 1 : "");
			tr[len++] = 0x00;
			break;
		case 0x01:	/* REFRESH */
			fprintf(t->out, "  REFRESH (qualifier %02X)\n", det[2]);
			t->refreshed = true;
			t->refresh_qualifier = det[2];
			tr[len++] = 0x00;
			break;
		default: {
			/* the owner's: SET UP MENU, SEND SHORT MESSAGE, BIP (vsim-modem) */
			struct vsim_modem_answer ans = { 0 };
			int res = t->proactive ?
				t->proactive(t->proactive_ctx, det, body, blen,
					     &ans) : -1;

			if (t->proactive && res < 0)
				fprintf(t->out, "  proactive command %02X: beyond this terminal\n",
					det[1]);
			tr[len++] = res < 0 ? 0x30 : (uint8_t)res;
			/* §8.12.2: "currently unable" carries a cause, 00 none */
			if (res == 0x20 || res == 0x21 || ans.has_info) {
				tr[len - 2] = 2;
				tr[len++] = ans.info;
			}
			if (res >= 0 && ans.tlv_len &&
			    ans.tlv_len <= sizeof(tr) - (size_t)len) {
				memcpy(tr + len, ans.tlv, ans.tlv_len);
				len += (int)ans.tlv_len;
			}
			break;
		}
		}
		{
			uint8_t cmd[5 + 255] = { 0x80, 0x14, 0x00, 0x00, (uint8_t)len };

			memcpy(cmd + 5, tr, (size_t)len);
			fprintf(t->out, "TERMINAL RESPONSE\n");
			n = xfer(t, cmd, 5 + (size_t)len, r);
			if (n < 0)
				return -1;
		}
	}
	return n;
}

/* A command, then whatever proactive commands follow it. */
static int step(struct vsim_modem *t, const char *what, const uint8_t *c, size_t len,
		uint8_t *r)
{
	int n;

	fprintf(t->out, "%s\n", what);
	n = xfer(t, c, len, r);
	if (n < 0)
		return -1;
	return proactive_loop(t, r, n);
}

int vsim_modem_command(struct vsim_modem *t, const char *what,
		       const uint8_t *c, size_t len, uint8_t *r)
{
	t->fetches = 0;
	return step(t, what, c, len, r);
}

static void put48(uint8_t *b, uint64_t v)
{
	for (int i = 5; i >= 0; i--, v >>= 8)
		b[i] = (uint8_t)v;
}

static uint64_t get48(const uint8_t *b)
{
	uint64_t v = 0;

	for (int i = 0; i < 6; i++)
		v = v << 8 | b[i];
	return v;
}

/*
 * The network side of AKA for a subscriber's keys: AUTN for SQN, and the
 * SQN_MS a synchronisation failure reports (TS 33.102 §6.3.3, §6.3.5).
 */
int vsim_aka_net_init(struct vsim_aka_net *nw, const uint8_t k[16],
		      const uint8_t opc[16], const uint8_t amf[2])
{
	memset(nw, 0, sizeof(*nw));
	nw->aes = vsim_host_aes_new();
	if (!nw->aes || vsim_host_aes_setkey(nw->aes, k)) {
		vsim_host_aes_free(nw->aes);
		nw->aes = NULL;
		return -1;
	}
	nw->m.aes = vsim_host_aes_encrypt;
	nw->m.aes_ctx = nw->aes;
	memcpy(nw->m.opc, opc, 16);
	memcpy(nw->amf, amf, 2);
	return 0;
}

void vsim_aka_net_free(struct vsim_aka_net *nw)
{
	vsim_host_aes_free(nw->aes);
	nw->aes = NULL;
}

void vsim_aka_net_autn(const struct vsim_aka_net *nw, const uint8_t rand[16],
		       uint64_t sqn, uint8_t autn[16], uint8_t xres[8])
{
	uint8_t s[6], ak[6], mac[8], ck[16], ik[16];

	put48(s, sqn);
	vsim_milenage_f2345(&nw->m, rand, xres, ck, ik, ak, NULL);
	vsim_milenage_f1(&nw->m, rand, s, nw->amf, mac, NULL);
	for (int i = 0; i < 6; i++)
		autn[i] = s[i] ^ ak[i];
	memcpy(autn + 6, nw->amf, 2);
	memcpy(autn + 8, mac, 8);
}

int vsim_aka_net_auts(const struct vsim_aka_net *nw, const uint8_t rand[16],
		      const uint8_t auts[14], uint64_t *sqn_ms)
{
	static const uint8_t amf0[2];
	uint8_t aks[6], s[6], macs[8];

	vsim_milenage_f2345(&nw->m, rand, NULL, NULL, NULL, NULL, aks);
	for (int i = 0; i < 6; i++)
		s[i] = auts[i] ^ aks[i];
	vsim_milenage_f1(&nw->m, rand, s, amf0, NULL, macs);
	if (memcmp(macs, auts + 6, 8))
		return -1;
	*sqn_ms = get48(s);
	return 0;
}

/* IMEI (15 digits, or 14 + computed check digit) or IMEISV (16) as sent. */
int vsim_modem_set_imei(struct vsim_modem *t, const char *s, bool raw)
{
	char d[17];
	size_t n = strlen(s);

	if (n < 14 || n > 16)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return -1;
	memcpy(d, s, n + 1);
	if (n == 14) {	/* TS 23.003 Annex B: Luhn over the 14 digits */
		int sum = 0;

		for (int i = 13, dbl = 1; i >= 0; i--, dbl = !dbl) {
			int x = (d[i] - '0') * (dbl ? 2 : 1);

			sum += x > 9 ? x - 9 : x;
		}
		d[14] = (char)('0' + (10 - sum % 10) % 10);
		d[15] = 0;
		n = 15;
	}
	t->imei_tag = n == 16 ? 0x62 : 0x14;
	t->imei_len = n == 16 ? 9 : 8;
	memset(t->imei, 0, sizeof(t->imei));
	if (raw) {	/* digits high nibble first, as some terminals send */
		for (size_t i = 0; i < n; i++)
			t->imei[i / 2] |= (uint8_t)((d[i] - '0') << (i % 2 ? 0 : 4));
		return 0;
	}
	/* TS 24.008 §10.5.1.4: digit 1, odd/even, type; then swapped pairs */
	t->imei[0] = (uint8_t)((d[0] - '0') << 4 | (n == 16 ? 0x3 : 0xa));
	for (size_t i = 1; i < n; i++) {
		size_t b = (i + 1) / 2;

		if (i % 2)
			t->imei[b] |= (uint8_t)(d[i] - '0');
		else
			t->imei[b] |= (uint8_t)((d[i] - '0') << 4);
	}
	if (n == 16)
		t->imei[8] |= 0xf0;
	return 0;
}

int vsim_modem_imsi_text(const uint8_t *b, char *out)
{
	int n = 0;

	if (b[0] < 1 || b[0] > 8)
		return -1;
	out[n++] = (char)('0' + (b[1] >> 4));
	for (int i = 2; i <= b[0]; i++) {
		if ((b[i] & 0x0f) > 9)
			return -1;
		out[n++] = (char)('0' + (b[i] & 0x0f));
		if ((b[i] >> 4) <= 9)
			out[n++] = (char)('0' + (b[i] >> 4));
	}
	out[n] = 0;
	return (b[1] & 0x0f) == 0x9 || (b[1] & 0x0f) == 0x1 ? 0 : -1;
}

/* Ask the card why it refused (BINDING ADMIN status, docs/binding.md). */
static const char *refusal_reason(struct vsim_modem *t)
{
	static const uint8_t q[] = { 0x80, 0x3b, 0x00, 0x00, 0x00 };
	static const char *const why[] = {
		"no binding decision", "binding off", "terminal matches",
		"bound to this terminal", "terminal does not match the binding",
		"terminal cannot tell its IMEI",
	};
	uint8_t r[VSIM_RAPDU_MAX];
	int n = xfer(t, q, sizeof(q), r);

	for (int i = 0; n >= 2 && i + 3 <= n - 2; i += 2 + r[i + 1])
		if (r[i] == 0x84 && r[i + 1] == 1 &&
		    r[i + 2] < sizeof(why) / sizeof(why[0]))
			return why[r[i + 2]];
	return "card locked";
}

/* The answer's status word must be @want; say so when it is not. */
static int expect(struct vsim_modem *t, const char *what, const uint8_t *r,
		  int n, uint16_t want)
{
	if (n < 0)
		return -1;
	if (sw(r, n) != want) {
		fprintf(t->out, "unexpected: %s answered %04X, not %04X\n", what,
			sw(r, n), want);
		return -1;
	}
	return 0;
}

/* A SELECT with FCP (P2 04) answers an FCP template, TS 102 221 §11.1.1.3. */
static int expect_fcp(struct vsim_modem *t, const char *what, const uint8_t *r,
		      int n)
{
	if (expect(t, what, r, n, 0x9000))
		return -1;
	if (n < 4 || r[0] != 0x62 || r[1] != n - 4) {
		fprintf(t->out, "unexpected: %s answered no FCP template\n", what);
		return -1;
	}
	return 0;
}

/* EF_AD byte 4: the MNC length, TS 31.102 §4.2.18 (0 when absent). */
static int read_ad(struct vsim_modem *t, uint8_t *r)
{
	/* SFI 03; Le 00 asks for 256 and the card says 6Cxx with the size */
	static const uint8_t read_ad_cmd[] = { 0x00, 0xb0, 0x83, 0x00, 0x00 };
	int n = step(t, "READ EF_AD", read_ad_cmd, sizeof(read_ad_cmd), r);

	if (expect(t, "READ EF_AD", r, n, 0x9000))
		return -1;
	if (n - 2 < 3) {
		fprintf(t->out, "unexpected: EF_AD of %d bytes\n", n - 2);
		return -1;
	}
	t->mnc_len = n - 2 >= 4 ? (r[3] & 0x0f) : 0;
	fprintf(t->out, "  MNC length %d\n", t->mnc_len);
	if (t->mnc_len && t->mnc_len != t->prof->mnc_length) {
		fprintf(t->out, "unexpected: MNC length %d, the profile says %d\n",
			t->mnc_len, t->prof->mnc_length);
		return -1;
	}
	return 0;
}

int vsim_modem_attach(struct vsim_modem *t)
{
	static const uint8_t select_mf[] = { 0x00, 0xa4, 0x00, 0x04, 0x02, 0x3f, 0x00 };
	static const uint8_t select_usim[] = { 0x00, 0xa4, 0x04, 0x04, 0x07, 0xa0,
					       0x00, 0x00, 0x00, 0x87, 0x10, 0x02 };
	static const uint8_t read_imsi[] = { 0x00, 0xb0, 0x87, 0x00, 0x09 };
	uint8_t r[VSIM_RAPDU_MAX], c[VSIM_CAPDU_MAX];
	uint8_t rand[16], xres[8];
	struct vsim_aka_net nw;
	char *imsi = t->imsi;
	uint64_t sqn;
	int n, ret = VSIM_MODEM_REFUSED, tries;

	t->fetches = 0;
	t->imsi[0] = 0;
	t->mnc_len = 0;
	n = t->io.power_on(t->io.ctx, t->atr, sizeof(t->atr));
	if (n < 0) {
		fprintf(t->out, "unexpected: power on failed (%s)\n", strerror(errno));
		return VSIM_MODEM_ERROR;
	}
	t->atr_len = (size_t)n;
	fprintf(t->out, "ATR\n");
	hex(t, "<", t->atr, n);
	/* the card's ATR, as the profile sets it (docs/profile.md) */
	if (t->atr_len != t->prof->atr_len ||
	    memcmp(t->atr, t->prof->atr, t->atr_len)) {
		fprintf(t->out, "unexpected: the ATR is not the profile's\n");
		return VSIM_MODEM_ERROR;
	}
	n = step(t, "SELECT MF", select_mf, sizeof(select_mf), r);
	if (expect_fcp(t, "SELECT MF", r, n))
		return VSIM_MODEM_ERROR;
	if (t->cat) {
		c[0] = 0x80, c[1] = 0x10, c[2] = 0, c[3] = 0;
		c[4] = VSIM_MODEM_TP_LEN;
		memcpy(c + 5, t->tp ? t->tp : vsim_modem_terminal_profile,
		       VSIM_MODEM_TP_LEN);
		n = step(t, "TERMINAL PROFILE", c, 5 + VSIM_MODEM_TP_LEN, r);
		if (expect(t, "TERMINAL PROFILE", r, n, 0x9000))
			return VSIM_MODEM_ERROR;
	}
	n = step(t, "SELECT ADF.USIM", select_usim, sizeof(select_usim), r);
	if (expect_fcp(t, "SELECT ADF.USIM", r, n))
		return VSIM_MODEM_ERROR;
	if (t->prof->pins[VSIM_PIN_IDX_PIN1].flags & VSIM_PIN_F_ENABLED) {
		c[0] = 0x00, c[1] = 0x20, c[2] = 0x00, c[3] = 0x01, c[4] = 8;
		memcpy(c + 5, t->prof->pins[VSIM_PIN_IDX_PIN1].value, 8);
		n = step(t, "VERIFY PIN1", c, 13, r);
		if (n < 0 || (sw(r, n) != 0x9000 && r[n - 2] != 0x91)) {
			fprintf(t->out, "attach: refused (PIN1 not accepted)\n");
			return VSIM_MODEM_REFUSED;
		}
	}
	do {
		t->refreshed = false;
		n = step(t, "READ EF_IMSI", read_imsi, sizeof(read_imsi), r);
		if (expect(t, "READ EF_IMSI", r, n, 0x9000))
			return VSIM_MODEM_ERROR;
	} while (t->refreshed);
	if (n != 11 || vsim_modem_imsi_text(r, imsi)) {
		fprintf(t->out, "  EF_IMSI holds no valid IMSI\n");
		imsi[0] = 0;
	} else {
		fprintf(t->out, "  IMSI %s\n", imsi);
		if (strcmp(imsi, t->prof->imsi)) {
			fprintf(t->out, "unexpected: the IMSI is not the profile's\n");
			return VSIM_MODEM_ERROR;
		}
	}
	if (read_ad(t, r))
		return VSIM_MODEM_ERROR;

	if (vsim_aka_net_init(&nw, t->prof->k, t->prof->opc, t->prof->amf)) {
		fprintf(t->out, "unexpected: AES setup failed\n");
		return VSIM_MODEM_ERROR;
	}
	/* A time-based SEQ (TS 33.102 Annex C.3.2), IND 0; resync if stale. */
	sqn = ((uint64_t)time(NULL) & 0x3ffffffffULL) << t->prof->sqn_ind_bits;
	for (tries = 0; tries < 2; tries++) {
		if (vsim_host_random(rand, sizeof(rand)))
			break;
		c[0] = 0x00, c[1] = 0x88, c[2] = 0x00, c[3] = 0x81, c[4] = 0x22;
		c[5] = 0x10;
		memcpy(c + 6, rand, 16);
		c[22] = 0x10;
		vsim_aka_net_autn(&nw, rand, sqn, c + 23, xres);
		n = step(t, "AUTHENTICATE", c, 39, r);
		if (n < 0) {
			ret = VSIM_MODEM_ERROR;
			break;
		}
		if (n >= 12 && r[0] == 0xdb && r[1] == 8) {
			if (memcmp(r + 2, xres, 8)) {
				fprintf(t->out, "attach: refused (RES does not match)\n");
				break;
			}
			if (!imsi[0]) {
				fprintf(t->out, "attach: refused (%s)\n", refusal_reason(t));
				break;
			}
			fprintf(t->out, "attach: allowed IMSI=%s\n", imsi);
			ret = VSIM_MODEM_ALLOWED;
			break;
		}
		if (n == 18 && r[0] == 0xdc && r[1] == 14 &&
		    !vsim_aka_net_auts(&nw, rand, r + 2, &sqn)) {
			fprintf(t->out, "  resynchronisation: the card's SQN is %012llX\n",
			       (unsigned long long)sqn);
			sqn = ((sqn >> t->prof->sqn_ind_bits) + 1) << t->prof->sqn_ind_bits;
			continue;
		}
		fprintf(t->out, "attach: refused (%s)\n", sw(r, n) == 0x6982 ?
		       refusal_reason(t) : "AUTHENTICATE failed");
		break;
	}
	vsim_aka_net_free(&nw);
	return ret;
}

