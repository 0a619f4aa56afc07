// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsimctl term: play a modem's start-up against a card (TS 31.102 §5.1.1):
 * ATR, SELECT MF, TERMINAL PROFILE, the proactive FETCH/TERMINAL RESPONSE
 * loop answering PROVIDE LOCAL INFORMATION with the given IMEI, SELECT
 * ADF.USIM, VERIFY PIN1, READ EF_IMSI, AUTHENTICATE with a vector the
 * network side computes from the profile's keys. Prints every step and one
 * verdict line; exit 0 when attached, 3 when refused.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "host_crypto.h"
#include "milenage.h"
#include "profile.h"
#include "terminal.h"
#include "vsimctl.h"

#define EXIT_REFUSED 3

/* TS 102 223 §5.2: profile download, DISPLAY TEXT, REFRESH, PLI (IMEI), PLI (IMEISV) */
static const uint8_t terminal_profile[18] = {
	[0] = 0x01, [2] = 0x81, [3] = 0x40, [17] = 0x40,
};

struct term {
	struct vsim_terminal card;
	struct vsim_profile prof;
	uint8_t imei[9];	/* the TLV value as this terminal sends it */
	uint8_t imei_len;
	uint8_t imei_tag;
	bool refreshed;
	unsigned int fetches;
};

static void hex(const char *dir, const uint8_t *b, int n)
{
	printf("  %s ", dir);
	for (int i = 0; i < n; i++)
		printf("%02X", b[i]);
	putchar('\n');
}

/*
 * Send one command as a modem would: print it, fetch 61xx data with GET
 * RESPONSE, resend on 6Cxx. Returns the final length or -1.
 */
static int xfer(struct term *t, const uint8_t *c, size_t len, uint8_t *r)
{
	uint8_t cmd[VSIM_CAPDU_MAX];
	int n;

	memcpy(cmd, c, len);
	for (;;) {
		hex(">", cmd, (int)len);
		n = vsim_terminal_transmit(&t->card, cmd, len, r, VSIM_RAPDU_MAX);
		if (n < 2) {
			perror("vsimctl term: transmit");
			return -1;
		}
		hex("<", r, n);
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

/* Find a COMPREHENSION-TLV (CR bit ignored) in a proactive command. */
static const uint8_t *find_tlv(const uint8_t *p, int len, uint8_t tag,
			       uint8_t *vlen)
{
	int i = 0;

	while (i + 2 <= len) {
		uint8_t t = p[i] & 0x7f, l = p[i + 1];

		if (i + 2 + l > len)
			return NULL;
		if (t == tag) {
			*vlen = l;
			return p + i + 2;
		}
		i += 2 + l;
	}
	return NULL;
}

/* Answer every proactive command the card announces with 91xx. */
static int proactive_loop(struct term *t, uint8_t *r, int n)
{
	while (n >= 2 && r[n - 2] == 0x91) {
		uint8_t fetch[5] = { 0x80, 0x12, 0x00, 0x00, r[n - 1] };
		uint8_t tr[64], det[3], l = 0;
		const uint8_t *v, *body;
		int len, blen;

		if (++t->fetches > 16) {
			fprintf(stderr, "vsimctl term: the card keeps sending proactive commands\n");
			return -1;
		}
		printf("FETCH\n");
		n = xfer(t, fetch, 5, r);
		if (n < 0 || sw(r, n) != 0x9000 || n < 4 || r[0] != 0xd0)
			return -1;
		body = r + 2;
		blen = r[1];
		v = find_tlv(body, blen, 0x01, &l);
		if (!v || l != 3)
			return -1;
		memcpy(det, v, 3);
		len = 0;
		tr[len++] = 0x81, tr[len++] = 3;
		memcpy(tr + len, det, 3), len += 3;
		tr[len++] = 0x82, tr[len++] = 2, tr[len++] = 0x82, tr[len++] = 0x81;
		tr[len++] = 0x83, tr[len++] = 1;
		switch (det[1]) {
		case 0x26:	/* PROVIDE LOCAL INFORMATION */
			printf("  PROVIDE LOCAL INFORMATION (%s)\n",
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
			v = find_tlv(body, blen, 0x0d, &l);
			printf("  DISPLAY TEXT \"%.*s\"\n", v && l ? l - 1 : 0,
			       v && l ? (const char *)v + 1 : "");
			tr[len++] = 0x00;
			break;
		case 0x01:	/* REFRESH */
			printf("  REFRESH (qualifier %02X)\n", det[2]);
			t->refreshed = true;
			tr[len++] = 0x00;
			break;
		default:
			tr[len++] = 0x30;
			break;
		}
		{
			uint8_t cmd[5 + 64] = { 0x80, 0x14, 0x00, 0x00, (uint8_t)len };

			memcpy(cmd + 5, tr, (size_t)len);
			printf("TERMINAL RESPONSE\n");
			n = xfer(t, cmd, 5 + (size_t)len, r);
			if (n < 0)
				return -1;
		}
	}
	return n;
}

/* A command, then whatever proactive commands follow it. */
static int step(struct term *t, const char *what, const uint8_t *c, size_t len,
		uint8_t *r)
{
	int n;

	printf("%s\n", what);
	n = xfer(t, c, len, r);
	if (n < 0)
		return -1;
	return proactive_loop(t, r, n);
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
 * The network side of AKA for the profile's keys: AUTN for SQN, and the
 * SQN_MS a synchronisation failure reports (TS 33.102 §6.3.3, §6.3.5).
 */
struct network {
	struct vsim_milenage m;
	struct vsim_host_aes *aes;
	uint8_t amf[2];
};

static void make_autn(const struct network *nw, const uint8_t rand[16],
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

static int sqn_from_auts(const struct network *nw, const uint8_t rand[16],
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
static int encode_imei(struct term *t, const char *s, bool raw)
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

static int imsi_text(const uint8_t *b, char *out)
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
static const char *refusal_reason(struct term *t)
{
	static const uint8_t q[] = { 0x80, 0x3b, 0x00, 0x00, 0x00 };
	static const char *const why[] = {
		"no binding decision", "binding off", "terminal matches",
		"bound to this terminal", "terminal does not match the binding",
		"terminal cannot tell its IMEI",
	};
	uint8_t r[VSIM_RAPDU_MAX];
	int n = vsim_terminal_transmit(&t->card, q, sizeof(q), r, sizeof(r));

	for (int i = 0; n >= 2 && i + 3 <= n - 2; i += 2 + r[i + 1])
		if (r[i] == 0x84 && r[i + 1] == 1 &&
		    r[i + 2] < sizeof(why) / sizeof(why[0]))
			return why[r[i + 2]];
	return "card locked";
}

static int attach(struct term *t, bool cat)
{
	static const uint8_t select_mf[] = { 0x00, 0xa4, 0x00, 0x04, 0x02, 0x3f, 0x00 };
	static const uint8_t select_usim[] = { 0x00, 0xa4, 0x04, 0x04, 0x07, 0xa0,
					       0x00, 0x00, 0x00, 0x87, 0x10, 0x02 };
	static const uint8_t read_imsi[] = { 0x00, 0xb0, 0x87, 0x00, 0x09 };
	uint8_t r[VSIM_RAPDU_MAX], c[VSIM_CAPDU_MAX], atr[VSIM_ATR_MAX];
	uint8_t rand[16], xres[8];
	struct network nw = { 0 };
	char imsi[17];
	uint64_t sqn;
	int n, ret = EXIT_REFUSED, tries;

	n = vsim_terminal_power_on(&t->card, atr, sizeof(atr));
	if (n < 0) {
		perror("vsimctl term: power on");
		return 1;
	}
	printf("ATR\n");
	hex("<", atr, n);
	if (step(t, "SELECT MF", select_mf, sizeof(select_mf), r) < 0)
		return 1;
	if (cat) {
		c[0] = 0x80, c[1] = 0x10, c[2] = 0, c[3] = 0;
		c[4] = sizeof(terminal_profile);
		memcpy(c + 5, terminal_profile, sizeof(terminal_profile));
		if (step(t, "TERMINAL PROFILE", c, 5 + sizeof(terminal_profile), r) < 0)
			return 1;
	}
	if (step(t, "SELECT ADF.USIM", select_usim, sizeof(select_usim), r) < 0)
		return 1;
	if (t->prof.pins[VSIM_PIN_IDX_PIN1].flags & VSIM_PIN_F_ENABLED) {
		c[0] = 0x00, c[1] = 0x20, c[2] = 0x00, c[3] = 0x01, c[4] = 8;
		memcpy(c + 5, t->prof.pins[VSIM_PIN_IDX_PIN1].value, 8);
		n = step(t, "VERIFY PIN1", c, 13, r);
		if (n < 0 || (sw(r, n) != 0x9000 && r[n - 2] != 0x91)) {
			printf("attach: refused (PIN1 not accepted)\n");
			return EXIT_REFUSED;
		}
	}
	do {
		t->refreshed = false;
		n = step(t, "READ EF_IMSI", read_imsi, sizeof(read_imsi), r);
		if (n < 0)
			return 1;
	} while (t->refreshed);
	if (n != 11 || imsi_text(r, imsi)) {
		printf("  EF_IMSI holds no valid IMSI\n");
		imsi[0] = 0;
	} else {
		printf("  IMSI %s\n", imsi);
	}

	nw.aes = vsim_host_aes_new();
	if (!nw.aes || vsim_host_aes_setkey(nw.aes, t->prof.k)) {
		fprintf(stderr, "vsimctl term: AES setup failed\n");
		vsim_host_aes_free(nw.aes);
		return 1;
	}
	nw.m.aes = vsim_host_aes_encrypt;
	nw.m.aes_ctx = nw.aes;
	memcpy(nw.m.opc, t->prof.opc, 16);
	memcpy(nw.amf, t->prof.amf, 2);
	/* A time-based SEQ (TS 33.102 Annex C.3.2), IND 0; resync if stale. */
	sqn = ((uint64_t)time(NULL) & 0x3ffffffffULL) << t->prof.sqn_ind_bits;
	for (tries = 0; tries < 2; tries++) {
		if (vsim_host_random(rand, sizeof(rand)))
			break;
		c[0] = 0x00, c[1] = 0x88, c[2] = 0x00, c[3] = 0x81, c[4] = 0x22;
		c[5] = 0x10;
		memcpy(c + 6, rand, 16);
		c[22] = 0x10;
		make_autn(&nw, rand, sqn, c + 23, xres);
		n = step(t, "AUTHENTICATE", c, 39, r);
		if (n < 0) {
			ret = 1;
			break;
		}
		if (n >= 12 && r[0] == 0xdb && r[1] == 8) {
			if (memcmp(r + 2, xres, 8)) {
				printf("attach: refused (RES does not match)\n");
				break;
			}
			if (!imsi[0]) {
				printf("attach: refused (%s)\n", refusal_reason(t));
				break;
			}
			printf("attach: allowed IMSI=%s\n", imsi);
			ret = 0;
			break;
		}
		if (n == 18 && r[0] == 0xdc && r[1] == 14 &&
		    !sqn_from_auts(&nw, rand, r + 2, &sqn)) {
			printf("  resynchronisation: the card's SQN is %012llX\n",
			       (unsigned long long)sqn);
			sqn = ((sqn >> t->prof.sqn_ind_bits) + 1) << t->prof.sqn_ind_bits;
			continue;
		}
		printf("attach: refused (%s)\n", sw(r, n) == 0x6982 ?
		       refusal_reason(t) : "AUTHENTICATE failed");
		break;
	}
	vsim_host_aes_free(nw.aes);
	return ret;
}

int vsimctl_term(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "state", required_argument, NULL, 's' },
		{ "device", required_argument, NULL, 'd' },
		{ "imei", required_argument, NULL, 'i' },
		{ "raw-imei", no_argument, NULL, 'r' },
		{ "no-cat", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	const char *profile = NULL, *state = NULL, *device = NULL, *imei = NULL;
	bool cat = true, raw = false;
	struct term t = { 0 };
	char err[512];
	int c, ret;

	while ((c = getopt_long(argc, argv, "p:s:d:i:rn", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			profile = optarg;
			break;
		case 's':
			state = optarg;
			break;
		case 'd':
			device = optarg;
			break;
		case 'i':
			imei = optarg;
			break;
		case 'r':
			raw = true;
			break;
		case 'n':
			cat = false;
			break;
		default:
			return 2;
		}
	}
	if (!profile || optind != argc || (cat && !imei)) {
		fprintf(stderr, "usage: vsimctl term --profile FILE --imei IMEI [--raw-imei] [--no-cat]\n"
				"                    [--state DIR | --device /dev/vsimN]\n");
		return 2;
	}
	if (imei && encode_imei(&t, imei, raw)) {
		fprintf(stderr, "vsimctl term: --imei %s: expected 14 or 15 digits (IMEI) or 16 (IMEISV)\n",
			imei);
		return 2;
	}
	if (vsim_profile_load(profile, &t.prof, err, sizeof(err))) {
		fprintf(stderr, "vsimctl: %s\n", err);
		return 1;
	}
	if (vsim_terminal_open(&t.card, device, profile, state, err, sizeof(err))) {
		fprintf(stderr, "vsimctl: %s\n", err);
		vsim_profile_free(&t.prof);
		return 1;
	}
	ret = attach(&t, cat);
	vsim_terminal_close(&t.card);
	vsim_profile_free(&t.prof);
	if (fflush(stdout))
		ret = 1;
	return ret;
}
