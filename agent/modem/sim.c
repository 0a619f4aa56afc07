// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsim-modem's SIM slot (sim.h): the transports (pcsc-lite, /dev/vsimN,
 * an in-process card) under common/modem.c's T=0 terminal, and what a
 * modem's firmware does with the card: the start-up, the file map, PINs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <winscard.h>

#include "modem/sim.h"

/* ---- transports ------------------------------------------------------- */

struct sim_pcsc {
	SCARDCONTEXT ctx;
	SCARDHANDLE card;
	DWORD proto;
	char reader[256];
};

/* Cold reset (pcsc-lite powers the card down, then up) and the ATR. */
static int pcsc_power_on(void *ctx, uint8_t *atr, size_t max)
{
	struct sim_pcsc *p = ctx;
	BYTE a[MAX_ATR_SIZE];
	DWORD alen = sizeof(a), state, proto, rlen = 0;
	LONG rv;

	rv = SCardReconnect(p->card, SCARD_SHARE_EXCLUSIVE,
			    SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
			    SCARD_UNPOWER_CARD, &p->proto);
	if (rv == SCARD_S_SUCCESS)
		rv = SCardStatus(p->card, NULL, &rlen, &state, &proto, a, &alen);
	if (rv != SCARD_S_SUCCESS) {
		errno = EIO;
		return -1;
	}
	if (alen > max)
		alen = (DWORD)max;
	memcpy(atr, a, alen);
	return (int)alen;
}

static int pcsc_transmit(void *ctx, const uint8_t *c, size_t len, uint8_t *r,
			 size_t max)
{
	struct sim_pcsc *p = ctx;
	DWORD rl = (DWORD)max;

	if (SCardTransmit(p->card, p->proto == SCARD_PROTOCOL_T0 ?
			  SCARD_PCI_T0 : SCARD_PCI_T1, c, (DWORD)len, NULL, r,
			  &rl) != SCARD_S_SUCCESS || rl < 2) {
		errno = EIO;
		return -1;
	}
	return (int)rl;
}

/* The first reader whose name says vpcd ("Virtual PCD 00 00"), or @want. */
static int pcsc_open(struct sim *s, const char *want)
{
	struct sim_pcsc *p = calloc(1, sizeof(*p));
	char *names = NULL, *n;
	DWORD len = SCARD_AUTOALLOCATE;
	SCARD_READERSTATE st = { 0 };
	LONG rv;

	if (!p) {
		snprintf(s->why, sizeof(s->why), "out of memory");
		return -1;
	}
	rv = SCardEstablishContext(SCARD_SCOPE_USER, NULL, NULL, &p->ctx);
	if (rv != SCARD_S_SUCCESS) {
		snprintf(s->why, sizeof(s->why), "PC/SC: %s (is pcscd running?)",
			 pcsc_stringify_error(rv));
		free(p);
		return -1;
	}
	rv = SCardListReaders(p->ctx, NULL, (LPSTR)&names, &len);
	for (n = rv == SCARD_S_SUCCESS ? names : NULL; n && *n; n += strlen(n) + 1) {
		if (want ? !strcmp(n, want) :
		    (strstr(n, "Virtual PCD") || strstr(n, "vpcd"))) {
			snprintf(p->reader, sizeof(p->reader), "%s", n);
			break;
		}
	}
	if (names)
		SCardFreeMemory(p->ctx, names);
	if (!p->reader[0]) {
		snprintf(s->why, sizeof(s->why), "PC/SC: no reader %s%s%s",
			 want ? "'" : "named like vpcd's (Virtual PCD)",
			 want ? want : "", want ? "'" : "");
		goto fail;
	}
	/* a card just inserted may take a moment to show */
	st.szReader = p->reader;
	st.dwCurrentState = SCARD_STATE_UNAWARE;
	for (int i = 0; i < 50; i++) {
		if (SCardGetStatusChange(p->ctx, 0, &st, 1) == SCARD_S_SUCCESS &&
		    (st.dwEventState & SCARD_STATE_PRESENT))
			break;
		usleep(100000);
	}
	rv = SCardConnect(p->ctx, p->reader, SCARD_SHARE_EXCLUSIVE,
			  SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &p->card,
			  &p->proto);
	if (rv != SCARD_S_SUCCESS) {
		snprintf(s->why, sizeof(s->why), "PC/SC reader '%s': %s",
			 p->reader, pcsc_stringify_error(rv));
		goto fail;
	}
	s->pcsc = p;
	s->m.io.ctx = p;
	s->m.io.power_on = pcsc_power_on;
	s->m.io.transmit = pcsc_transmit;
	return 0;
fail:
	SCardReleaseContext(p->ctx);
	free(p);
	return -1;
}

static int term_power_on(void *ctx, uint8_t *atr, size_t max)
{
	return vsim_terminal_power_on(ctx, atr, max);
}

static int term_transmit(void *ctx, const uint8_t *c, size_t len, uint8_t *r,
			 size_t max)
{
	return vsim_terminal_transmit(ctx, c, len, r, max);
}

/* ---- the firmware's commands ------------------------------------------ */

static uint16_t sw_of(const uint8_t *r, int n)
{
	return (uint16_t)(r[n - 2] << 8 | r[n - 1]);
}

int sim_apdu(struct sim *s, const char *what, const uint8_t *c, size_t len,
	     uint8_t *r)
{
	int n;

	if (!s->m.io.transmit)
		return -1;
	n = vsim_modem_command(&s->m, what, c, len, r);
	if (s->m.refreshed) {	/* acknowledged in the loop; acted on by at.c */
		s->m.refreshed = false;
		s->refreshes++;
		s->refresh = s->m.refresh_qualifier;
	}
	return n;
}

/* SELECT with FCP (TS 102 221 §11.1.1): by FID from the current DF, or AID */
static int select_fid(struct sim *s, unsigned int fid, uint8_t *r)
{
	uint8_t c[7] = { 0x00, 0xa4, 0x00, 0x04, 0x02, (uint8_t)(fid >> 8),
			 (uint8_t)fid };

	return sim_apdu(s, "SELECT", c, sizeof(c), r);
}

static int select_adf(struct sim *s, uint8_t *r)
{
	uint8_t c[5 + 16] = { 0x00, 0xa4, 0x04, 0x04, (uint8_t)s->aid_len };

	memcpy(c + 5, s->aid, s->aid_len);
	return sim_apdu(s, "SELECT ADF.USIM", c, 5 + s->aid_len, r);
}

/* Select a list of FIDs from the MF; 7FFF is the USIM's ADF (§8.3). */
static int select_path(struct sim *s, const unsigned int *fids, int n,
		       uint8_t *r)
{
	int len = select_fid(s, 0x3f00, r);

	for (int i = 0; i < n && len >= 2 && sw_of(r, len) == 0x9000; i++)
		len = fids[i] == 0x7fff ? select_adf(s, r) : select_fid(s, fids[i], r);
	return len;
}

/*
 * The firmware's file map (what +CRSM's <fileid> means without a path):
 * 2Fxx and 7Fxx under the MF, 6Fxx and 5Fxx under ADF.USIM, and a 6Fxx
 * the ADF lacks under DF.TELECOM (EF_ADN, EF_SMS, ...).
 */
static int select_mapped(struct sim *s, unsigned int fid, uint8_t *r)
{
	unsigned int p[2];
	int n;

	switch (fid >> 8) {
	case 0x3f:
		return select_fid(s, 0x3f00, r);
	case 0x2f:
	case 0x7f:
		p[0] = fid;
		return select_path(s, p, 1, r);
	default:
		p[0] = 0x7fff, p[1] = fid;
		n = select_path(s, p, 2, r);
		if (n >= 2 && sw_of(r, n) == 0x6a82 && (fid >> 8) == 0x6f) {
			p[0] = 0x7f10;
			n = select_path(s, p, 2, r);
		}
		return n;
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int sim_crsm(struct sim *s, int cmd, unsigned int fid, int p1, int p2, int p3,
	     const uint8_t *data, size_t dlen, const char *path, uint8_t *r)
{
	uint8_t c[VSIM_CAPDU_MAX];
	unsigned int fids[8];
	int n, nf = 0;

	if (path && *path) {	/* TS 27.007 §8.18 <pathid>: FIDs from the MF */
		size_t pl = strlen(path);

		if (pl % 4 || pl / 4 > 8)
			return -1;
		for (size_t i = 0; i < pl; i += 4) {
			unsigned int f = 0;

			for (int k = 0; k < 4; k++) {
				int v = hexval(path[i + k]);

				if (v < 0)
					return -1;
				f = f << 4 | (unsigned int)v;
			}
			if (!(i == 0 && f == 0x3f00))
				fids[nf++] = f;
		}
		fids[nf++] = fid;
		n = fid == 0x3f00 ? select_fid(s, 0x3f00, r) : select_path(s, fids, nf, r);
	} else {
		n = select_mapped(s, fid, r);
	}
	if (n < 2 || sw_of(r, n) != 0x9000 || cmd == 192)
		return n;	/* GET RESPONSE: the FCP of the SELECT */
	memset(c, 0, 5);
	c[2] = (uint8_t)p1, c[3] = (uint8_t)p2, c[4] = (uint8_t)p3;
	switch (cmd) {
	case 176: c[1] = 0xb0; break;
	case 178: c[1] = 0xb2; break;
	case 242: c[0] = 0x80, c[1] = 0xf2; break;
	case 214: c[1] = 0xd6; break;
	case 220: c[1] = 0xdc; break;
	default: return -1;
	}
	if (cmd == 214 || cmd == 220) {
		if (dlen != (size_t)p3 || dlen > 255)
			return -1;
		memcpy(c + 5, data, dlen);
		return sim_apdu(s, "UPDATE", c, 5 + dlen, r);
	}
	return sim_apdu(s, "READ", c, 5, r);
}

int sim_read_ef(struct sim *s, unsigned int fid, uint8_t *out, size_t max)
{
	uint8_t r[VSIM_RAPDU_MAX];
	int n = sim_crsm(s, 176, fid, 0, 0, 0, NULL, 0, NULL, r);

	if (n < 2 || sw_of(r, n) != 0x9000 || (size_t)(n - 2) > max)
		return -1;
	memcpy(out, r, (size_t)n - 2);
	return n - 2;
}

int sim_read_record(struct sim *s, unsigned int fid, int rec, uint8_t *out,
		    size_t max)
{
	uint8_t r[VSIM_RAPDU_MAX];
	int n = sim_crsm(s, 178, fid, rec, 4, 0, NULL, 0, NULL, r);

	if (n < 2 || sw_of(r, n) != 0x9000 || (size_t)(n - 2) > max)
		return -1;
	memcpy(out, r, (size_t)n - 2);
	return n - 2;
}

int sim_imsi(struct sim *s, char out[17])
{
	uint8_t ef[16];

	out[0] = 0;
	if (sim_read_ef(s, 0x6f07, ef, sizeof(ef)) != 9 ||
	    vsim_modem_imsi_text(ef, out)) {
		out[0] = 0;
		return -1;
	}
	return 0;
}

/* TS 102 221 §9.5.1: PIN1 is key reference 01, PIN2 81 */
static uint8_t pin_ref(enum sim_pin p)
{
	return p == SIM_PIN1 ? 0x01 : 0x81;
}

/* 4-8 digits, padded with FF to 8 bytes (§9.5.1); -1 otherwise. */
static int pin_block(const char *pin, uint8_t b[8], size_t minlen)
{
	size_t n = strlen(pin);

	if (n < minlen || n > 8)
		return -1;
	memset(b, 0xff, 8);
	for (size_t i = 0; i < n; i++) {
		if (pin[i] < '0' || pin[i] > '9')
			return -1;
		b[i] = (uint8_t)pin[i];
	}
	return 0;
}

/* PS_DO of the ADF's FCP (§9.5.2): the bit in order of the 83 key refs */
bool sim_pin_enabled(struct sim *s, enum sim_pin p)
{
	uint8_t r[VSIM_RAPDU_MAX], ps = 0;
	int n = select_adf(s, r), bit = 0;

	if (n < 4 || sw_of(r, n) != 0x9000 || r[0] != 0x62)
		return true;
	for (int i = 2; i + 2 <= n - 2; i += 2 + r[i + 1]) {
		if (r[i] != 0xc6)
			continue;
		for (int j = i + 2; j + 2 <= i + 2 + r[i + 1] && j + 2 <= n - 2;
		     j += 2 + r[j + 1]) {
			if (r[j] == 0x90 && r[j + 1] >= 1)
				ps = r[j + 2];
			if (r[j] == 0x83 && r[j + 1] == 1) {
				if (r[j + 2] == pin_ref(p))
					return ps & (0x80 >> bit);
				bit++;
			}
		}
	}
	return true;
}

/* VERIFY / UNBLOCK without data: 63Cx tries, 9000 verified, 6983 blocked */
static int tries_of(struct sim *s, uint8_t ins, enum sim_pin p, bool *verified)
{
	uint8_t c[5] = { 0x00, ins, 0x00, pin_ref(p), 0x00 };
	uint8_t r[VSIM_RAPDU_MAX];
	int n = sim_apdu(s, "PIN STATUS", c, 5, r);

	if (verified)
		*verified = false;
	if (n < 2)
		return -1;
	if (sw_of(r, n) == 0x9000) {
		if (verified)
			*verified = true;
		return 0;
	}
	if ((sw_of(r, n) & 0xfff0) == 0x63c0)
		return r[n - 1] & 0x0f;
	return 0;	/* 6983: blocked */
}

int sim_pin_tries(struct sim *s, enum sim_pin p, bool *verified)
{
	bool v;
	int t = tries_of(s, 0x20, p, &v);

	if (verified)
		*verified = v;
	/* verified says nothing of the counter: it is then full or unknown */
	return t;
}

int sim_puk_tries(struct sim *s, enum sim_pin p)
{
	return tries_of(s, 0x2c, p, NULL);
}

static int pin_cmd(struct sim *s, const char *what, uint8_t ins, uint8_t p1,
		   enum sim_pin p, const char *a, size_t amin, const char *b)
{
	uint8_t c[5 + 16] = { 0x00, ins, p1, pin_ref(p), 8 };
	uint8_t r[VSIM_RAPDU_MAX];
	int n;

	if (pin_block(a, c + 5, amin))
		return -1;
	if (b) {
		if (pin_block(b, c + 13, 4))
			return -1;
		c[4] = 16;
	}
	n = sim_apdu(s, what, c, 5 + c[4], r);
	memset(c, 0, sizeof(c));
	return n < 2 ? -1 : sw_of(r, n);
}

int sim_pin_verify(struct sim *s, enum sim_pin p, const char *pin)
{
	return pin_cmd(s, "VERIFY", 0x20, 0, p, pin, 4, NULL);
}

int sim_pin_unblock(struct sim *s, enum sim_pin p, const char *puk,
		    const char *newpin)
{
	return pin_cmd(s, "UNBLOCK", 0x2c, 0, p, puk, 8, newpin);
}

int sim_pin_enable(struct sim *s, enum sim_pin p, bool on, const char *pin)
{
	return pin_cmd(s, on ? "ENABLE VERIFICATION" : "DISABLE VERIFICATION",
		       on ? 0x28 : 0x26, 0, p, pin, 4, NULL);
}

int sim_pin_change(struct sim *s, enum sim_pin p, const char *old,
		   const char *newpin)
{
	return pin_cmd(s, "CHANGE", 0x24, 0, p, old, 4, newpin);
}

int sim_authenticate(struct sim *s, const uint8_t rand[16],
		     const uint8_t autn[16], uint8_t res[16], size_t *res_len,
		     uint8_t auts[14])
{
	uint8_t c[39] = { 0x00, 0x88, 0x00, 0x81, 0x22, 0x10 };
	uint8_t r[VSIM_RAPDU_MAX];
	int n;

	memcpy(c + 6, rand, 16);
	c[22] = 0x10;
	memcpy(c + 23, autn, 16);
	n = select_adf(s, r);
	if (n < 2)
		return -1;
	n = sim_apdu(s, "AUTHENTICATE", c, sizeof(c), r);
	if (n < 2)
		return -1;
	/* TS 31.102 §7.1.2.1: DB L RES L CK L IK [L Kc] or DC 0E AUTS */
	if (sw_of(r, n) == 0x9000 && n >= 4 && r[0] == 0xdb &&
	    r[1] >= 4 && r[1] <= 16 && 2 + r[1] <= n - 2) {
		memcpy(res, r + 2, r[1]);
		*res_len = r[1];
		return 0x9000;
	}
	if (sw_of(r, n) == 0x9000 && n == 18 && r[0] == 0xdc && r[1] == 14) {
		memcpy(auts, r + 2, 14);
		return 0xdc;
	}
	return sw_of(r, n) == 0x9000 ? 0x6f00 : sw_of(r, n);
}

/* ---- the card's toolkit (TS 102 223) ----------------------------------- */

/*
 * Byte 1 b2 SMS-PP data download, b4 MENU SELECTION; byte 4 b2 SEND
 * SHORT MESSAGE, b6 SET UP MENU (and common's PROVIDE LOCAL INFORMATION).
 */
const uint8_t sim_terminal_profile[VSIM_MODEM_TP_LEN] = {
	[0] = 0x01 | 0x02 | 0x08, [2] = 0x81, [3] = 0x40 | 0x02 | 0x20,
	[17] = 0x40,
};

/* a RECEIVE DATA's answer fits the loop's TERMINAL RESPONSE */
_Static_assert(VSIM_BIPTERM_ANSWER_MAX <= VSIM_MODEM_ANSWER_MAX,
	       "bipterm's answers outgrow common/modem.c's TERMINAL RESPONSE");

#define CTLV_ALPHA	0x05	/* §8.2 */
#define CTLV_ITEM	0x0f	/* §8.9 */
#define CTLV_TPDU	0x0b	/* §8.13 */

/* The text of an alpha identifier / item: GSM default alphabet, 8-bit */
static void alpha(const uint8_t *v, size_t l, char *out, size_t max)
{
	size_t n = 0;

	if (l && v[0] >= 0x80)		/* UCS2 forms (Annex D): not shown */
		l = 0;
	for (size_t i = 0; i < l && n + 1 < max && v[i] != 0xff; i++)
		out[n++] = v[i] >= 0x20 && v[i] < 0x7f ? (char)v[i] : '?';
	out[n] = 0;
}

/*
 * The proactive commands common's loop leaves to the modem: SET UP MENU
 * is kept for +STGI/+STGR (at.c), SEND SHORT MESSAGE queued for the
 * network side, which sends it once the command that fetched it is done.
 */
static int sim_proactive(void *ctx, const uint8_t det[3], const uint8_t *body,
			 int blen, struct vsim_modem_answer *ans)
{
	struct sim *s = ctx;
	const uint8_t *v;
	uint8_t l, res[2];
	int off;

	if (s->bip_on && vsim_bipterm_takes(det[1])) {
		/* the channel and timers: bipterm.c, the same as vsimctl term's */
		v = vsim_modem_tlv(body, blen, 0x02, &l);
		ans->tlv_len = vsim_bipterm_answer(&s->bip, det,
						   v && l == 2 ? v[1] : 0, body,
						   (size_t)blen, res, ans->tlv);
		ans->has_info = res[0] == 0x3a;	/* §8.12.11 */
		ans->info = res[1];
		return res[0];
	}
	switch (det[1]) {
	case 0x25:	/* SET UP MENU, §6.4.8 */
		s->nmenu = 0;
		v = vsim_modem_tlv(body, blen, CTLV_ALPHA, &l);
		alpha(v, v ? l : 0, s->menu_title, sizeof(s->menu_title));
		/* the items are one TLV each, in order: walk them all */
		for (off = 0; off + 2 <= blen; ) {
			int h = body[off + 1] == 0x81 ? 3 : 2;
			int vl = h == 3 ? body[off + 2] : body[off + 1];

			if (off + h + vl > blen)
				return 0x32;	/* command data not understood */
			if ((body[off] & 0x7f) == CTLV_ITEM && vl >= 1 &&
			    s->nmenu < SIM_MENU_MAX) {
				struct sim_menu_item *it = &s->menu[s->nmenu++];

				it->id = body[off + h];
				alpha(body + off + h + 1, (size_t)vl - 1, it->text,
				      sizeof(it->text));
			}
			off += h + vl;
		}
		/* one empty item removes the menu (§6.4.8) */
		s->has_menu = !(s->nmenu == 1 && !s->menu[0].text[0] && !s->menu[0].id);
		if (!s->has_menu)
			s->nmenu = 0;
		fprintf(s->m.out, "  SET UP MENU \"%s\", %d items\n", s->menu_title,
			s->nmenu);
		return 0x00;
	case 0x13:	/* SEND SHORT MESSAGE, §6.4.10 */
		v = vsim_modem_tlv(body, blen, CTLV_TPDU, &l);
		if (!v || l < 7 || l > SIM_TPDU_MAX)
			return 0x32;
		if (!s->can_send_sms) {
			fprintf(s->m.out, "  SEND SHORT MESSAGE: not registered\n");
			return 0x21;	/* network currently unable */
		}
		if (s->nmo == SIM_MO_MAX)
			return 0x20;	/* terminal currently unable */
		/* qualifier b1 "packing by the terminal": not offered */
		memcpy(s->mo[s->nmo].tpdu, v, l);
		s->mo[s->nmo++].len = l;
		fprintf(s->m.out, "  SEND SHORT MESSAGE of %u octets queued\n", l);
		return 0x00;
	default:
		return -1;
	}
}

int sim_envelope(struct sim *s, const char *what, const uint8_t *env,
		 size_t len, uint8_t *r, size_t *rlen)
{
	uint8_t c[5 + 255] = { 0x80, 0xc2, 0x00, 0x00 };
	int n;

	*rlen = 0;
	if (!s->present || len > 255)
		return -1;
	c[4] = (uint8_t)len;
	memcpy(c + 5, env, len);
	n = sim_apdu(s, what, c, 5 + len, r);
	if (n < 2)
		return -1;
	*rlen = (size_t)n - 2;
	return sw_of(r, n);
}

/* ---- the start-up (TS 31.102 §5.1.1) ---------------------------------- */

/* The USIM's AID from EF_DIR (TS 102 221 §13.1): 61 L 4F L AID ... */
static int find_usim(struct sim *s)
{
	static const uint8_t usim[7] = { 0xa0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02 };
	uint8_t rec[256];

	for (int i = 1; i <= 16; i++) {
		int n = sim_read_record(s, 0x2f00, i, rec, sizeof(rec));

		if (n < 0)
			break;
		if (n >= 4 && rec[0] == 0x61 && rec[2] == 0x4f &&
		    rec[3] >= 7 && rec[3] <= 16 && 4 + rec[3] <= n &&
		    !memcmp(rec + 4, usim, sizeof(usim))) {
			memcpy(s->aid, rec + 4, rec[3]);
			s->aid_len = rec[3];
			return 0;
		}
	}
	return -1;
}

static int startup(struct sim *s)
{
	uint8_t r[VSIM_RAPDU_MAX], c[5 + VSIM_MODEM_TP_LEN] = {
		0x80, 0x10, 0x00, 0x00, VSIM_MODEM_TP_LEN };
	int n;

	n = s->m.io.power_on(s->m.io.ctx, s->m.atr, sizeof(s->m.atr));
	if (n <= 0) {
		snprintf(s->why, sizeof(s->why), "no ATR: the card did not power up");
		return -1;
	}
	s->m.atr_len = (size_t)n;
	n = select_fid(s, 0x3f00, r);
	if (n < 2 || sw_of(r, n) != 0x9000) {
		snprintf(s->why, sizeof(s->why), "SELECT MF failed");
		return -1;
	}
	/* TERMINAL PROFILE (TS 102 223 §5.2), then the card's proactive commands */
	memcpy(c + 5, sim_terminal_profile, VSIM_MODEM_TP_LEN);
	if (s->bip_on)
		vsim_bipterm_declare(c + 5, true);
	n = sim_apdu(s, "TERMINAL PROFILE", c, sizeof(c), r);
	if (n < 2 || sw_of(r, n) != 0x9000)
		fprintf(s->m.out, "TERMINAL PROFILE refused: no CAT\n");
	if (find_usim(s)) {
		snprintf(s->why, sizeof(s->why), "EF_DIR names no USIM");
		return -1;
	}
	n = select_adf(s, r);
	if (n < 2 || sw_of(r, n) != 0x9000) {
		snprintf(s->why, sizeof(s->why), "SELECT ADF.USIM failed");
		return -1;
	}
	return 0;
}

/* A new card session: no channel, no timers (a power cycle ends them). */
static void bip_reset(struct sim *s)
{
	vsim_bipterm_close(&s->bip);
	vsim_bipterm_init(&s->bip, NULL, NULL, s->m.out);
	/* a TLS session's records come as many RECEIVE / SEND DATA */
	s->m.max_fetches = s->bip_on ? 4096 : 0;
}

int sim_reset(struct sim *s)
{
	bip_reset(s);
	s->present = false;
	s->has_menu = false;
	s->nmenu = 0;
	s->nmo = 0;
	if (startup(s))
		return -1;
	s->present = true;
	return 0;
}

int sim_open(struct sim *s, bool pcsc, const char *reader, const char *device,
	     const char *profile, const char *state_dir, FILE *log)
{
	s->m.out = log;
	s->m.cat = true;
	s->m.proactive = sim_proactive;
	s->m.proactive_ctx = s;
	s->refresh = -1;
	s->present = false;
	s->why[0] = 0;
	s->bip.fd = -1;
	bip_reset(s);
	if (pcsc) {
		if (pcsc_open(s, reader))
			return -1;
	} else {
		if (vsim_terminal_open(&s->term, device, profile, state_dir,
				       s->why, sizeof(s->why))) {
			/* vsim.ko: /dev/vsimN takes one opener (docs/uapi.md) */
			if (device && errno == EBUSY)
				strncat(s->why, " (another terminal holds the card: vsimd without terminal = external, or another vsim-modem)",
					sizeof(s->why) - strlen(s->why) - 1);
			return -1;
		}
		s->term_open = true;
		s->m.io.ctx = &s->term;
		s->m.io.power_on = term_power_on;
		s->m.io.transmit = term_transmit;
	}
	if (startup(s))
		return -1;
	s->present = true;
	return 0;
}

void sim_close(struct sim *s)
{
	struct sim_pcsc *p = s->pcsc;

	if (p) {
		SCardDisconnect(p->card, SCARD_RESET_CARD);
		SCardReleaseContext(p->ctx);
		free(p);
		s->pcsc = NULL;
	}
	vsim_bipterm_close(&s->bip);
	if (s->term_open)
		vsim_terminal_close(&s->term);
	s->term_open = false;
	s->present = false;
	memset(&s->m.io, 0, sizeof(s->m.io));
}
