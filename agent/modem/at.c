// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsim-modem's AT interpreter (at.h): a V.250 command line is split into
 * basic (E0, V1, &C1 ...) and extended (+CPIN? ...) commands, each
 * answered in turn; the first error ends the line. Answers come from the
 * SIM session wherever a modem asks its SIM, URCs follow the final result.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "common/hex.h"
#include "modem/at.h"
#include "modem/smsc.h"

#define MANUFACTURER	"vsim"
#define MODEL		"vsim-modem"
#define OPERATOR_NAME	"vsim"
#define TAC		"0001"
#define CELL_ID		"00000001"
#define ACT_EUTRAN	7	/* TS 27.007 §7.3 <AcT> */

/* Result of one command: OK, an error of TS 27.007 §9.2 / 27.005 §3.2.5 */
#define AT_OK		0
#define AT_ERROR		(-1)		/* plain ERROR */
#define CMS(n)		(1000 + (n))	/* +CMS ERROR: n */
/* TS 27.007 §9.2.1 <err> */
#define E_NOT_ALLOWED	3
#define E_NOT_SUPPORTED	4
#define E_NO_SIM	10
#define E_SIM_PIN	11
#define E_SIM_PUK	12
#define E_SIM_FAILURE	13
#define E_WRONG_PASSWD	16
#define E_SIM_PIN2	17
#define E_SIM_PUK2	18
#define E_NO_NETWORK	30
#define E_BAD_PARAM	50
#define E_UNKNOWN	100

enum kind { ACTION, READ, TEST, SET };

#define MAX_ARGS 8
struct args {
	int n;
	char v[MAX_ARGS][512];
	bool quoted[MAX_ARGS];
	bool given[MAX_ARGS];
};

/* ---- output ----------------------------------------------------------- */

static void put(struct at *a, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (a->olen >= sizeof(a->out))
		return;
	va_start(ap, fmt);
	n = vsnprintf(a->out + a->olen, sizeof(a->out) - a->olen, fmt, ap);
	va_end(ap);
	if (n > 0)
		a->olen += (size_t)n;
	if (a->olen > sizeof(a->out))
		a->olen = sizeof(a->out);
}

/* An information text line, V.250 §5.7.1: <CR><LF>text<CR><LF> */
static void info(struct at *a, const char *fmt, ...)
{
	va_list ap;
	char b[1024];

	va_start(ap, fmt);
	vsnprintf(b, sizeof(b), fmt, ap);
	va_end(ap);
	put(a, "\r\n%s\r\n", b);
}

static void flush(struct at *a)
{
	size_t off = 0;

	while (off < a->olen) {
		ssize_t w = write(a->fd, a->out + off, a->olen - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;	/* nobody reads the pty: the bytes are dropped */
		off += (size_t)w;
	}
	a->olen = 0;
}

static const char *cme_text(int e)
{
	switch (e) {
	case E_NOT_ALLOWED: return "operation not allowed";
	case E_NOT_SUPPORTED: return "operation not supported";
	case E_NO_SIM: return "SIM not inserted";
	case E_SIM_PIN: return "SIM PIN required";
	case E_SIM_PUK: return "SIM PUK required";
	case E_SIM_FAILURE: return "SIM failure";
	case E_WRONG_PASSWD: return "incorrect password";
	case E_SIM_PIN2: return "SIM PIN2 required";
	case E_SIM_PUK2: return "SIM PUK2 required";
	case E_NO_NETWORK: return "no network service";
	case E_BAD_PARAM: return "incorrect parameters";
	default: return "unknown";
	}
}

/* The final result code (V.250 §5.7.2, TS 27.007 §9.2 with +CMEE) */
static void final(struct at *a, int r)
{
	if (r == AT_OK) {
		put(a, a->verbose ? "\r\nOK\r\n" : "0\r");
	} else if (r == AT_ERROR || a->cmee == 0) {
		put(a, a->verbose ? "\r\nERROR\r\n" : "4\r");
	} else if (r >= 1000) {
		put(a, "\r\n+CMS ERROR: %d\r\n", r - 1000);
	} else if (a->cmee == 2) {
		put(a, "\r\n+CME ERROR: %s\r\n", cme_text(r));
	} else {
		put(a, "\r\n+CME ERROR: %d\r\n", r);
	}
}

/* ---- arguments (V.250 §5.4.2) ----------------------------------------- */

static int parse_args(const char *s, struct args *g)
{
	int i = 0;
	size_t k = 0;

	memset(g, 0, sizeof(*g));
	if (!*s)
		return 0;
	g->n = 1;
	for (; *s; s++) {
		if (*s == '"') {
			g->quoted[i] = true;
			g->given[i] = true;
			for (s++; *s && *s != '"'; s++)
				if (k + 1 < sizeof(g->v[i]))
					g->v[i][k++] = *s;
			if (!*s)
				return -1;	/* unterminated string */
			continue;
		}
		if (*s == ',') {
			if (++i >= MAX_ARGS)
				return -1;
			g->n = i + 1;
			k = 0;
			continue;
		}
		if (k + 1 < sizeof(g->v[i]))
			g->v[i][k++] = *s, g->given[i] = true;
	}
	return 0;
}

/* Argument @i as an integer in [lo, hi]; @def when absent. */
static int arg_int(const struct args *g, int i, int lo, int hi, int def, int *out)
{
	char *end;
	long v;

	if (i >= g->n || !g->given[i]) {
		*out = def;
		return def < lo || def > hi ? -1 : 0;
	}
	errno = 0;
	v = strtol(g->v[i], &end, 10);
	if (errno || *end || end == g->v[i] || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

/* ---- the SIM's state -------------------------------------------------- */

/* TS 27.007 §8.3 +CPIN: AT_OK (READY), E_SIM_PIN, E_SIM_PUK or an error */
static int pin_state(struct at *a, int *tries)
{
	bool verified;
	int t;

	*tries = 0;
	if (!a->sim->present)
		return E_NO_SIM;
	if (!sim_pin_enabled(a->sim, SIM_PIN1))
		return AT_OK;
	t = sim_pin_tries(a->sim, SIM_PIN1, &verified);
	if (t < 0)
		return E_SIM_FAILURE;
	if (verified)
		return AT_OK;
	if (t > 0) {
		*tries = t;
		return E_SIM_PIN;
	}
	t = sim_puk_tries(a->sim, SIM_PIN1);
	*tries = t;
	return t > 0 ? E_SIM_PUK : E_SIM_FAILURE;
}

const char *at_sim_state(struct at *a, int *tries)
{
	switch (pin_state(a, tries)) {
	case AT_OK: return "READY";
	case E_SIM_PIN: return "SIM PIN";
	case E_SIM_PUK: return "SIM PUK";
	case E_NO_SIM: return "absent";
	default: return "failure";
	}
}

/* A command that needs the SIM unlocked: its error, or AT_OK */
static int need_ready(struct at *a)
{
	int tries;

	return pin_state(a, &tries);
}

/* A PIN command's status word as TS 27.007 §9.2 errors */
static int pin_sw(int sw, bool pin2)
{
	if (sw == 0x9000)
		return AT_OK;
	if (sw < 0)
		return E_BAD_PARAM;
	if ((sw & 0xfff0) == 0x63c0)
		return E_WRONG_PASSWD;
	if (sw == 0x6983)
		return pin2 ? E_SIM_PUK2 : E_SIM_PUK;
	return E_NOT_ALLOWED;
}

/* ---- registration (TS 27.007 §7.2, §10.1.19, §10.1.22) ---------------- */

static void reg_urc(struct at *a, const char *name, int n)
{
	if (n == 0)
		return;
	if (n >= 2 && (a->stat == NET_REGISTERED_HOME))
		put(a, "\r\n%s: %d,\"%s\",\"%s\",%d\r\n", name, a->stat, TAC,
		    CELL_ID, ACT_EUTRAN);
	else
		put(a, "\r\n%s: %d\r\n", name, a->stat);
}

static void set_stat(struct at *a, int stat)
{
	/* the card's SEND SHORT MESSAGE needs a network (TS 102 223 §6.4.10) */
	a->sim->can_send_sms = stat == NET_REGISTERED_HOME;
	if (stat == a->stat)
		return;
	a->stat = stat;
	reg_urc(a, "+CREG", a->creg_n);
	reg_urc(a, "+CGREG", a->cgreg_n);
	reg_urc(a, "+CEREG", a->cereg_n);
}

static void refresh(struct at *a);

void at_register(struct at *a)
{
	char why[160];
	int st;

	if (a->cfun != 1 || a->cops_mode == 2 || !a->sim->present ||
	    need_ready(a) != AT_OK) {
		set_stat(a, NET_NOT_REGISTERED);
		return;
	}
	if (!a->hss->loaded) {
		fprintf(a->log, "network: no HSS (--hss): not registering\n");
		set_stat(a, NET_NOT_REGISTERED);
		return;
	}
	if (a->stat == NET_REGISTERED_HOME)
		return;	/* still attached */
	if (a->sim->refresh >= 0 && a->sim->refresh != 0x04) {
		fprintf(a->log, "stk: REFRESH (qualifier %02X): this attach reads the card afresh\n",
			a->sim->refresh);
		a->sim->refresh = -1;
	}
	set_stat(a, NET_SEARCHING);
	st = net_attach(a->hss, a->sim, a->log, why, sizeof(why));
	fprintf(a->log, "network: registration %s: %s\n",
		st == NET_REGISTERED_HOME ? "accepted" : "denied", why);
	snprintf(a->reg_why, sizeof(a->reg_why), "%s", why);
	fflush(a->log);
	set_stat(a, st);
	refresh(a);	/* one the attach itself brought */
}

/*
 * The card's REFRESH (TS 102 223 §6.4.7), acknowledged in the proactive
 * loop, acted on here once the command that fetched it is done: a UICC
 * reset (qualifier 04) restarts the session, so the PIN is asked again;
 * any other mode may have changed EF_IMSI or the keys, so a registered
 * modem detaches and attaches again (the attach reads the card afresh:
 * this firmware caches nothing else).
 */
static void refresh(struct at *a)
{
	int q = a->sim->refresh;

	if (q < 0 || a->in_refresh)
		return;
	a->sim->refresh = -1;
	a->in_refresh = true;
	if (q == 0x04) {
		fprintf(a->log, "stk: REFRESH (UICC reset): the card is reset and started again\n");
		if (sim_reset(a->sim))
			fprintf(a->log, "stk: the card did not start again: %s\n",
				a->sim->why);
		set_stat(a, NET_NOT_REGISTERED);
		at_register(a);
	} else if (a->stat == NET_REGISTERED_HOME) {
		fprintf(a->log, "stk: REFRESH (qualifier %02X): attaching again\n", q);
		set_stat(a, NET_NOT_REGISTERED);
		at_register(a);
	} else {
		fprintf(a->log, "stk: REFRESH (qualifier %02X): not attached; the next attach reads the card afresh\n",
			q);
	}
	a->in_refresh = false;
}

/* ---- identification (TS 27.007 §5) ------------------------------------ */

static int c_cgmi(struct at *a, enum kind k, struct args *g)
{
	(void)g;
	if (k != TEST)
		info(a, "%s", MANUFACTURER);
	return AT_OK;
}

static int c_cgmm(struct at *a, enum kind k, struct args *g)
{
	(void)g;
	if (k != TEST)
		info(a, "%s", MODEL);
	return AT_OK;
}

static int c_cgmr(struct at *a, enum kind k, struct args *g)
{
	(void)g;
	if (k != TEST)
		info(a, "%s", VSIM_VERSION);
	return AT_OK;
}

/* §5.4 +CGSN: the IMEI the card is told in PROVIDE LOCAL INFORMATION */
static int c_cgsn(struct at *a, enum kind k, struct args *g)
{
	(void)g;
	if (k != TEST)
		info(a, "%s", a->imei);
	return AT_OK;
}

/* V.250 §6.1.4 +GCAP: the command sets this modem has */
static int c_gcap(struct at *a, enum kind k, struct args *g)
{
	(void)g;
	if (k != TEST)
		info(a, "+GCAP: +CGSM");
	return AT_OK;
}

/* §5.6 +CIMI: EF_IMSI, once the PIN is verified */
static int c_cimi(struct at *a, enum kind k, struct args *g)
{
	char imsi[17];
	int e;

	(void)g;
	if (k == TEST)
		return AT_OK;
	e = need_ready(a);
	if (e)
		return e;
	if (sim_imsi(a->sim, imsi))
		return E_SIM_FAILURE;	/* withheld: EF_IMSI is all FF */
	info(a, "%s", imsi);
	return AT_OK;
}

int at_iccid(struct at *a, char out[21])
{
	uint8_t ef[16];
	int n, m = 0;

	out[0] = 0;
	if (!a->sim->present)
		return -1;
	n = sim_read_ef(a->sim, 0x2fe2, ef, sizeof(ef));
	if (n != 10)
		return -1;
	for (int i = 0; i < n && m < 20; i++) {	/* TS 102 221 §13.2: swapped BCD */
		if ((ef[i] & 0x0f) > 9)
			break;
		out[m++] = (char)('0' + (ef[i] & 0x0f));
		if ((ef[i] >> 4) > 9)
			break;
		out[m++] = (char)('0' + (ef[i] >> 4));
	}
	out[m] = 0;
	return 0;
}

/* +CCID (no TS 27.007 clause; as modems answer it): EF_ICCID's digits */
static int c_ccid(struct at *a, enum kind k, struct args *g)
{
	char d[21];

	(void)g;
	if (k == TEST)
		return AT_OK;
	if (!a->sim->present)
		return E_NO_SIM;
	if (at_iccid(a, d))
		return E_SIM_FAILURE;
	info(a, "+CCID: %s", d);
	return AT_OK;
}

/* §7.1 +CNUM: EF_MSISDN's records (TS 31.102 §4.2.26) */
static int c_cnum(struct at *a, enum kind k, struct args *g)
{
	uint8_t rec[256];
	int e;

	(void)g;
	if (k == TEST)
		return AT_OK;
	e = need_ready(a);
	if (e)
		return e;
	for (int i = 1; i <= 8; i++) {
		int n = sim_read_record(a->sim, 0x6f40, i, rec, sizeof(rec));
		char num[24];
		int x, len, m = 0;

		if (n < 14)
			break;
		x = n - 14;
		len = rec[x];
		if (len < 2 || len > 11)
			continue;	/* empty record */
		for (int j = 0; j < len - 1 && m < 20; j++) {
			uint8_t b = rec[x + 2 + j];

			if ((b & 0x0f) > 9)
				break;
			num[m++] = (char)('0' + (b & 0x0f));
			if ((b >> 4) > 9)
				break;
			num[m++] = (char)('0' + (b >> 4));
		}
		num[m] = 0;
		info(a, "+CNUM: ,\"%s%s\",%d", (rec[x + 1] & 0x70) == 0x10 ? "+" : "",
		     num, (rec[x + 1] & 0x70) == 0x10 ? 145 : 129);
	}
	return AT_OK;
}

/* ---- SIM access (TS 27.007 §8) ---------------------------------------- */

static int c_cpin(struct at *a, enum kind k, struct args *g)
{
	int tries, st, sw;

	if (k == TEST)
		return AT_OK;
	st = pin_state(a, &tries);
	if (k == READ) {
		if (st == AT_OK)
			info(a, "+CPIN: READY");
		else if (st == E_SIM_PIN)
			info(a, "+CPIN: SIM PIN");
		else if (st == E_SIM_PUK)
			info(a, "+CPIN: SIM PUK");
		else
			return st;
		return AT_OK;
	}
	if (k != SET || g->n < 1 || g->n > 2)
		return E_BAD_PARAM;
	if (st == AT_OK)
		return AT_OK;	/* nothing pending: like most modems, accept */
	if (st == E_SIM_PIN) {
		sw = sim_pin_verify(a->sim, SIM_PIN1, g->v[0]);
	} else if (st == E_SIM_PUK) {
		if (g->n != 2)
			return E_SIM_PUK;
		sw = sim_pin_unblock(a->sim, SIM_PIN1, g->v[0], g->v[1]);
	} else {
		return st;
	}
	st = pin_sw(sw, false);
	return st;
}

/* +CPINR (§8.65): the retry counters of the card's PINs and PUKs */
static int c_cpinr(struct at *a, enum kind k, struct args *g)
{
	static const struct { const char *name; enum sim_pin p; bool puk; } c[] = {
		{ "SIM PIN", SIM_PIN1, false }, { "SIM PUK", SIM_PIN1, true },
		{ "SIM PIN2", SIM_PIN2, false }, { "SIM PUK2", SIM_PIN2, true },
	};

	if (k == TEST)
		return AT_OK;
	if (!a->sim->present)
		return E_NO_SIM;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		bool verified = false;
		int t;

		/* <sel_code>: a name, or a prefix ending in the wildcard '*' */
		if (k == SET && g->n >= 1) {
			size_t l = strlen(g->v[0]);

			if (l && g->v[0][l - 1] == '*' ?
			    strncasecmp(g->v[0], c[i].name, l - 1) :
			    strcasecmp(g->v[0], c[i].name))
				continue;
		}
		t = c[i].puk ? sim_puk_tries(a->sim, c[i].p) :
			       sim_pin_tries(a->sim, c[i].p, &verified);
		if (t < 0)
			return E_SIM_FAILURE;
		if (verified)	/* the card tells no counter for a verified PIN */
			info(a, "+CPINR: %s,,", c[i].name);
		else
			info(a, "+CPINR: %s,%d,", c[i].name, t);
	}
	return AT_OK;
}

/* §7.4 +CLCK, facility "SC" (PIN1) only */
static int c_clck(struct at *a, enum kind k, struct args *g)
{
	int mode, sw;

	if (k == TEST) {
		info(a, "+CLCK: (\"SC\")");
		return AT_OK;
	}
	if (k != SET || g->n < 2 || arg_int(g, 1, 0, 2, 0, &mode))
		return E_BAD_PARAM;
	if (strcasecmp(g->v[0], "SC"))
		return E_NOT_SUPPORTED;
	if (!a->sim->present)
		return E_NO_SIM;
	if (mode == 2) {
		info(a, "+CLCK: %d", sim_pin_enabled(a->sim, SIM_PIN1) ? 1 : 0);
		return AT_OK;
	}
	if (g->n < 3 || !g->given[2])
		return E_BAD_PARAM;
	sw = sim_pin_enable(a->sim, SIM_PIN1, mode == 1, g->v[2]);
	return pin_sw(sw, false);
}

/* §7.5 +CPWD: change PIN1 ("SC") or PIN2 ("P2") */
static int c_cpwd(struct at *a, enum kind k, struct args *g)
{
	bool pin2;
	int sw;

	if (k == TEST) {
		info(a, "+CPWD: (\"SC\",8),(\"P2\",8)");
		return AT_OK;
	}
	if (k != SET || g->n != 3)
		return E_BAD_PARAM;
	if (!strcasecmp(g->v[0], "SC"))
		pin2 = false;
	else if (!strcasecmp(g->v[0], "P2"))
		pin2 = true;
	else
		return E_NOT_SUPPORTED;
	if (!a->sim->present)
		return E_NO_SIM;
	sw = sim_pin_change(a->sim, pin2 ? SIM_PIN2 : SIM_PIN1, g->v[1], g->v[2]);
	return pin_sw(sw, pin2);
}

static void hex_out(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02X", b[i]);
	out[2 * n] = 0;
}

/* §8.17 +CSIM=<length>,<command>: a C-APDU to the card as it is */
static int c_csim(struct at *a, enum kind k, struct args *g)
{
	uint8_t c[VSIM_CAPDU_MAX], r[VSIM_RAPDU_MAX];
	char hx[2 * VSIM_RAPDU_MAX + 1];
	int len, n, rl;

	if (k == TEST)
		return AT_OK;
	if (k != SET || g->n != 2 || arg_int(g, 0, 8, 2 * VSIM_CAPDU_MAX, 0, &len) ||
	    (size_t)len != strlen(g->v[1]))
		return E_BAD_PARAM;
	n = vsim_hex_parse(g->v[1], c, sizeof(c));
	if (n < 4)
		return E_BAD_PARAM;
	if (n == 4)
		c[4] = 0, n = 5;	/* case 1: P3 = 0 on T=0 */
	if (!a->sim->present)
		return E_NO_SIM;
	rl = sim_apdu(a->sim, "+CSIM", c, (size_t)n, r);
	if (rl < 2)
		return E_SIM_FAILURE;
	hex_out(r, (size_t)rl, hx);
	info(a, "+CSIM: %d,\"%s\"", 2 * rl, hx);
	return AT_OK;
}

/*
 * §8.18 +CRSM=<command>[,<fileid>[,<P1>,<P2>,<P3>[,<data>[,<pathid>]]]]:
 * the firmware selects the file (sim.h's file map) and answers
 * +CRSM: <sw1>,<sw2>[,<response>].
 */
static int c_crsm(struct at *a, enum kind k, struct args *g)
{
	uint8_t data[256], r[VSIM_RAPDU_MAX];
	char hx[2 * VSIM_RAPDU_MAX + 1];
	int cmd, fid, p1, p2, p3, dl = 0, n;

	if (k == TEST)
		return AT_OK;
	if (k != SET || arg_int(g, 0, 0, 255, 0, &cmd) ||
	    arg_int(g, 1, 0, 0xffff, 0x3f00, &fid) ||
	    arg_int(g, 2, 0, 255, 0, &p1) || arg_int(g, 3, 0, 255, 0, &p2) ||
	    arg_int(g, 4, 0, 255, 0, &p3))
		return E_BAD_PARAM;
	if (cmd != 176 && cmd != 178 && cmd != 192 && cmd != 214 &&
	    cmd != 220 && cmd != 242)
		return E_BAD_PARAM;
	if (g->n > 5 && g->given[5]) {
		dl = vsim_hex_parse(g->v[5], data, sizeof(data));
		if (dl < 0)
			return E_BAD_PARAM;
	}
	if ((cmd == 214 || cmd == 220) && dl != p3)
		return E_BAD_PARAM;
	if (!a->sim->present)
		return E_NO_SIM;
	n = sim_crsm(a->sim, cmd, (unsigned int)fid, p1, p2, p3, data,
		     (size_t)dl, g->n > 6 ? g->v[6] : NULL, r);
	if (n < 2)
		return n < 0 && g->n > 6 ? E_BAD_PARAM : E_SIM_FAILURE;
	if (n > 2) {
		hex_out(r, (size_t)n - 2, hx);
		info(a, "+CRSM: %d,%d,\"%s\"", r[n - 2], r[n - 1], hx);
	} else {
		info(a, "+CRSM: %d,%d", r[n - 2], r[n - 1]);
	}
	return AT_OK;
}

/* ---- network (TS 27.007 §7, §8.2) ------------------------------------- */

/* §8.2 +CFUN: 1 full, 0 minimum and 4 radio off both deregister */
static int c_cfun(struct at *a, enum kind k, struct args *g)
{
	int fun, rst;

	if (k == TEST) {
		info(a, "+CFUN: (0,1,4),(0-1)");
		return AT_OK;
	}
	if (k == READ) {
		info(a, "+CFUN: %d", a->cfun);
		return AT_OK;
	}
	if (k != SET || arg_int(g, 0, 0, 4, 1, &fun) || fun == 2 || fun == 3 ||
	    arg_int(g, 1, 0, 1, 0, &rst))
		return E_BAD_PARAM;
	a->cfun = fun;
	return AT_OK;
}

/* +CREG (§7.2), +CGREG (§10.1.20), +CEREG (§10.1.22): n = 0..2 */
static int reg_cmd(struct at *a, enum kind k, struct args *g, const char *name,
		   int *n)
{
	if (k == TEST) {
		info(a, "%s: (0-2)", name);
		return AT_OK;
	}
	if (k == READ) {
		if (*n >= 2 && a->stat == NET_REGISTERED_HOME)
			info(a, "%s: %d,%d,\"%s\",\"%s\",%d", name, *n, a->stat,
			     TAC, CELL_ID, ACT_EUTRAN);
		else
			info(a, "%s: %d,%d", name, *n, a->stat);
		return AT_OK;
	}
	if (k != SET || arg_int(g, 0, 0, 2, 0, n))
		return E_BAD_PARAM;
	return AT_OK;
}

static int c_creg(struct at *a, enum kind k, struct args *g)
{
	return reg_cmd(a, k, g, "+CREG", &a->creg_n);
}

static int c_cgreg(struct at *a, enum kind k, struct args *g)
{
	return reg_cmd(a, k, g, "+CGREG", &a->cgreg_n);
}

static int c_cereg(struct at *a, enum kind k, struct args *g)
{
	return reg_cmd(a, k, g, "+CEREG", &a->cereg_n);
}

/* The network's PLMN: the subscriber's home (MCC + MNC from the HSS IMSI) */
static void plmn(struct at *a, char out[8])
{
	snprintf(out, 8, "%.5s", a->hss->loaded ? a->hss->imsi : "00101");
}

/* Text in the +CSCS character set (§5.5): UCS2 as hex of 16-bit units */
static void cscs_text(struct at *a, const char *s, char *out, size_t max)
{
	size_t m = 0;

	if (strcasecmp(a->cscs, "UCS2")) {
		snprintf(out, max, "%s", s);
		return;
	}
	for (; *s && m + 5 < max; s++, m += 4)
		sprintf(out + m, "00%02X", (unsigned char)*s);
	out[m] = 0;
}

/* §7.3 +COPS */
static int c_cops(struct at *a, enum kind k, struct args *g)
{
	char p[8], name[64];
	int mode, fmt;

	plmn(a, p);
	cscs_text(a, OPERATOR_NAME, name, sizeof(name));
	if (k == TEST) {
		info(a, "+COPS: (2,\"%s\",\"%s\",\"%s\",%d),,(0-4),(0-2)", name,
		     name, p, ACT_EUTRAN);
		return AT_OK;
	}
	if (k == READ) {
		if (a->stat != NET_REGISTERED_HOME)
			info(a, "+COPS: %d", a->cops_mode);
		else
			info(a, "+COPS: %d,%d,\"%s\",%d", a->cops_mode,
			     a->cops_format, a->cops_format == 2 ? p : name,
			     ACT_EUTRAN);
		return AT_OK;
	}
	if (k != SET || arg_int(g, 0, 0, 4, 0, &mode) ||
	    arg_int(g, 1, 0, 2, a->cops_format, &fmt))
		return E_BAD_PARAM;
	if (mode == 3) {
		a->cops_format = fmt;
		return AT_OK;
	}
	if ((mode == 1 || mode == 4) && (g->n < 3 ||
	    (fmt == 2 ? strcmp(g->v[2], p) : strcmp(g->v[2], OPERATOR_NAME))))
		return mode == 4 ? AT_OK : E_NO_NETWORK;
	a->cops_mode = mode == 4 ? 0 : mode;
	a->cops_format = fmt;
	return AT_OK;
}

/* §8.5 +CSQ and §8.69 +CESQ: a good, fixed LTE signal when registered */
static int c_csq(struct at *a, enum kind k, struct args *g)
{
	(void)g;
	if (k == TEST)
		info(a, "+CSQ: (0-31,99),(0-7,99)");
	else
		info(a, "+CSQ: %d,99", a->stat == NET_REGISTERED_HOME ? 20 : 99);
	return AT_OK;
}

static int c_cesq(struct at *a, enum kind k, struct args *g)
{
	bool reg = a->stat == NET_REGISTERED_HOME;

	(void)g;
	if (k == TEST)
		info(a, "+CESQ: (0-63,99),(0-7,99),(0-96,255),(0-49,255),(0-34,255),(0-97,255)");
	else
		info(a, "+CESQ: 99,99,255,255,%d,%d", reg ? 20 : 255, reg ? 50 : 255);
	return AT_OK;
}

/* §5.5 +CSCS */
static int c_cscs(struct at *a, enum kind k, struct args *g)
{
	if (k == TEST) {
		info(a, "+CSCS: (\"IRA\",\"GSM\",\"UCS2\")");
		return AT_OK;
	}
	if (k == READ) {
		info(a, "+CSCS: \"%s\"", a->cscs);
		return AT_OK;
	}
	if (k != SET || g->n != 1 || (strcasecmp(g->v[0], "IRA") &&
	    strcasecmp(g->v[0], "GSM") && strcasecmp(g->v[0], "UCS2")))
		return E_BAD_PARAM;
	snprintf(a->cscs, sizeof(a->cscs), "%.4s", g->v[0]);
	for (char *p = a->cscs; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return AT_OK;
}

/* §5.9 +WS46: E-UTRAN only (28) */
static int c_ws46(struct at *a, enum kind k, struct args *g)
{
	int v;

	if (k == TEST)
		info(a, "+WS46: (28)");
	else if (k == READ)
		info(a, "+WS46: 28");
	else if (k != SET || arg_int(g, 0, 28, 28, 28, &v))
		return E_NOT_SUPPORTED;
	return AT_OK;
}

/* §10.1.1 +CGDCONT=?: the PDP types; no context is ever activated */
static int c_cgdcont(struct at *a, enum kind k, struct args *g)
{
	(void)g;
	if (k == TEST) {
		info(a, "+CGDCONT: (1-11),\"IP\",,,(0-2),(0-4)");
		info(a, "+CGDCONT: (1-11),\"IPV6\",,,(0-2),(0-4)");
		info(a, "+CGDCONT: (1-11),\"IPV4V6\",,,(0-2),(0-4)");
		return AT_OK;
	}
	return k == READ ? AT_OK : E_NOT_SUPPORTED;
}

/* §10.1.9 +CGATT: attached means registered here */
static int c_cgatt(struct at *a, enum kind k, struct args *g)
{
	(void)g;
	if (k == TEST)
		info(a, "+CGATT: (0,1)");
	else if (k == READ)
		info(a, "+CGATT: %d", a->stat == NET_REGISTERED_HOME);
	else
		return E_NOT_SUPPORTED;
	return AT_OK;
}

/* §8.15 +CCLK?: the host's clock in UTC */
static int c_cclk(struct at *a, enum kind k, struct args *g)
{
	time_t now = time(NULL);
	struct tm tm;

	(void)g;
	if (k != READ)
		return k == TEST ? AT_OK : E_NOT_SUPPORTED;
	gmtime_r(&now, &tm);
	info(a, "+CCLK: \"%02d/%02d/%02d,%02d:%02d:%02d+00\"", tm.tm_year % 100,
	     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return AT_OK;
}

/* §9.1 +CMEE */
static int c_cmee(struct at *a, enum kind k, struct args *g)
{
	if (k == TEST)
		info(a, "+CMEE: (0-2)");
	else if (k == READ)
		info(a, "+CMEE: %d", a->cmee);
	else if (k != SET || arg_int(g, 0, 0, 2, 0, &a->cmee))
		return E_BAD_PARAM;
	return AT_OK;
}

/* Settings a modem takes that change nothing here (+CLIP, +CRC, +CCWA, +CTZU) */
static int c_accept(struct at *a, enum kind k, struct args *g)
{
	int v;

	(void)a;
	if (k == SET && arg_int(g, 0, 0, 2, 0, &v))
		return E_BAD_PARAM;
	return k == SET || k == TEST ? AT_OK : E_NOT_SUPPORTED;
}

/* ---- SMS, TS 27.005 PDU mode (§3, §4) --------------------------------- */

static int count_sms(struct at *a)
{
	int n = 0;

	for (int i = 0; i < AT_SMS_SLOTS; i++)
		n += a->sms[i].used;
	return n;
}

/* §3.2.3 +CMGF: PDU mode only */
static int c_cmgf(struct at *a, enum kind k, struct args *g)
{
	int v;

	if (k == TEST)
		info(a, "+CMGF: (0)");
	else if (k == READ)
		info(a, "+CMGF: 0");
	else if (k != SET || arg_int(g, 0, 0, 1, 0, &v))
		return CMS(304);
	else if (v != 0)
		return CMS(303);	/* text mode: operation not supported */
	return AT_OK;
}

/* §3.2.1 +CSMS: phase 2+ services */
static int c_csms(struct at *a, enum kind k, struct args *g)
{
	int v;

	if (k == TEST)
		info(a, "+CSMS: (0)");
	else if (k == READ)
		info(a, "+CSMS: 0,1,1,1");
	else if (k != SET || arg_int(g, 0, 0, 0, 0, &v))
		return CMS(303);
	else
		info(a, "+CSMS: 1,1,1");
	return AT_OK;
}

/* §3.2.2 +CPMS: "ME" and "SM" name the one in-memory store */
static int c_cpms(struct at *a, enum kind k, struct args *g)
{
	int used = count_sms(a);

	if (k == TEST) {
		info(a, "+CPMS: (\"ME\",\"SM\"),(\"ME\",\"SM\"),(\"ME\",\"SM\")");
		return AT_OK;
	}
	if (k == READ) {
		info(a, "+CPMS: \"%s\",%d,%d,\"%s\",%d,%d,\"%s\",%d,%d",
		     a->mem[0], used, AT_SMS_SLOTS, a->mem[1], used, AT_SMS_SLOTS,
		     a->mem[2], used, AT_SMS_SLOTS);
		return AT_OK;
	}
	if (k != SET || g->n < 1 || g->n > 3)
		return CMS(302);
	for (int i = 0; i < g->n; i++)
		if (strcasecmp(g->v[i], "ME") && strcasecmp(g->v[i], "SM"))
			return CMS(302);
	for (int i = 0; i < g->n; i++) {
		snprintf(a->mem[i], sizeof(a->mem[i]), "%.2s", g->v[i]);
		a->mem[i][0] = (char)toupper((unsigned char)a->mem[i][0]);
		a->mem[i][1] = (char)toupper((unsigned char)a->mem[i][1]);
	}
	info(a, "+CPMS: %d,%d,%d,%d,%d,%d", used, AT_SMS_SLOTS, used,
	     AT_SMS_SLOTS, used, AT_SMS_SLOTS);
	return AT_OK;
}

/* §3.4.1 +CNMI=<mode>,<mt>: mt 1 stores and says +CMTI, 2 routes +CMT */
static int c_cnmi(struct at *a, enum kind k, struct args *g)
{
	int mode, mt, bm, ds, bfr;

	/*
	 * <bm> (cell broadcast) and <ds> (status reports) are accepted in
	 * their whole §3.4.1 range, as ModemManager sets 2,1,2,1,0 and gives
	 * up on messaging URCs when that fails; neither ever routes anything
	 * here: the network side sends no CBM and makes no status reports.
	 */
	if (k == TEST) {
		info(a, "+CNMI: (0-2),(0-2),(0-3),(0-2),(0,1)");
		return AT_OK;
	}
	if (k == READ) {
		info(a, "+CNMI: %d,%d,%d,%d,0", a->cnmi_mode, a->cnmi_mt,
		     a->cnmi_bm, a->cnmi_ds);
		return AT_OK;
	}
	if (k != SET || arg_int(g, 0, 0, 2, 0, &mode) ||
	    arg_int(g, 1, 0, 2, 0, &mt) || arg_int(g, 2, 0, 3, 0, &bm) ||
	    arg_int(g, 3, 0, 2, 0, &ds) || arg_int(g, 4, 0, 1, 0, &bfr))
		return CMS(303);
	a->cnmi_mode = mode;
	a->cnmi_mt = mt;
	a->cnmi_bm = bm;
	a->cnmi_ds = ds;
	return AT_OK;
}

static void put_pdu(struct at *a, const struct at_sms *m)
{
	char hx[2 * AT_PDU_MAX + 1];

	hex_out(m->pdu, m->len, hx);
	put(a, "\r\n%s\r\n", hx);
}

/* §3.4.2 +CMGL=<stat>: 0 unread, 1 read, 2 unsent, 3 sent, 4 all */
static int c_cmgl(struct at *a, enum kind k, struct args *g)
{
	int stat;

	if (k == TEST) {
		info(a, "+CMGL: (0-4)");
		return AT_OK;
	}
	if (arg_int(g, 0, 0, 4, 0, &stat))
		return CMS(304);
	for (int i = 0; i < AT_SMS_SLOTS; i++) {
		struct at_sms *m = &a->sms[i];

		if (!m->used || (stat != 4 && m->stat != stat))
			continue;
		put(a, "\r\n+CMGL: %d,%d,,%zu", i, m->stat, m->tpdu_len);
		put_pdu(a, m);
		if (m->stat == 0)
			m->stat = 1;	/* listed: received read */
	}
	return AT_OK;
}

/* §3.4.3 +CMGR=<index> */
static int c_cmgr(struct at *a, enum kind k, struct args *g)
{
	struct at_sms *m;
	int i;

	if (k == TEST)
		return AT_OK;
	if (k != SET || arg_int(g, 0, 0, AT_SMS_SLOTS - 1, 0, &i))
		return CMS(321);
	m = &a->sms[i];
	if (!m->used)
		return CMS(321);	/* invalid memory index */
	put(a, "\r\n+CMGR: %d,,%zu", m->stat, m->tpdu_len);
	put_pdu(a, m);
	if (m->stat == 0)
		m->stat = 1;
	return AT_OK;
}

/* §3.5.4 +CMGD=<index>[,<delflag>] */
static int c_cmgd(struct at *a, enum kind k, struct args *g)
{
	int i, flag;

	if (k == TEST) {
		info(a, "+CMGD: (0-%d),(0-4)", AT_SMS_SLOTS - 1);
		return AT_OK;
	}
	if (k != SET || arg_int(g, 0, 0, AT_SMS_SLOTS - 1, 0, &i) ||
	    arg_int(g, 1, 0, 4, 0, &flag))
		return CMS(321);
	if (flag == 0) {
		if (!a->sms[i].used)
			return CMS(321);
		a->sms[i].used = false;
		return AT_OK;
	}
	/* 1 read, 2 read+sent, 3 read+sent+unsent, 4 all */
	for (int j = 0; j < AT_SMS_SLOTS; j++) {
		int st = a->sms[j].stat;

		if (a->sms[j].used && (flag == 4 || st == 1 ||
		    (flag >= 2 && st == 3) || (flag >= 3 && st == 2)))
			a->sms[j].used = false;
	}
	return AT_OK;
}

/* §3.5.1 +CMGS=<length>: the PDU follows the "> " prompt, ended by ^Z */
static int c_cmgs(struct at *a, enum kind k, struct args *g)
{
	int len;

	if (k == TEST)
		return AT_OK;
	if (k != SET || arg_int(g, 0, 7, 164, 0, &len))
		return CMS(304);
	a->in_pdu = true;
	a->pdu_len = len;
	a->llen = 0;
	return AT_OK;	/* the caller prompts */
}

/* An SMS PDU as +CMGS/+CMGR carry it: SCA then the TPDU (TS 23.040 §9.2) */
static int parse_pdu(const char *hex, int tpdu_len, uint8_t *pdu, size_t *len)
{
	int n = vsim_hex_parse(hex, pdu, AT_PDU_MAX);

	if (n < 2 || pdu[0] > 11 || n < 1 + pdu[0] + 1)
		return -1;
	if (tpdu_len >= 0 && n != 1 + pdu[0] + tpdu_len)
		return -1;
	*len = (size_t)n;
	return 0;
}

/*
 * An MO SMS to the network side: submit_sm to the SMSC when bound
 * (--smsc), and a line in --sms-out. AT_OK or a TS 27.005 §3.2.5 error.
 */
static int network_mo(struct at *a, const uint8_t *t, size_t len,
		      const char *who)
{
	if (a->smpp) {
		struct vsim_smpp_sm sm;
		const char *why;
		char id[66] = "";
		int rc;

		if (smsc_from_submit(t, len, a->hss->msisdn, &sm, &why)) {
			fprintf(a->log, "network: %s SMS refused: %s\n", who, why);
			return CMS(304);
		}
		rc = vsim_smpp_submit(a->smpp, &sm, id, sizeof(id));
		if (rc) {
			fprintf(a->log, "network: the SMSC %s %s SMS (%d)\n",
				rc < 0 ? "did not take" : "refused", who, rc);
			return rc < 0 ? CMS(332) : CMS(500);
		}
		fprintf(a->log, "network: %s SMS to %s%s went to the SMSC as submit_sm (PID %02X DCS %02X, %zu octets, message id %s)\n",
			who, sm.dst_ton == 1 ? "+" : "", sm.dst, sm.pid, sm.dcs,
			sm.len, id);
	}
	if (a->sms_out) {
		fprintf(a->sms_out, "MO ");
		for (size_t i = 0; i < len; i++)
			fprintf(a->sms_out, "%02X", t[i]);
		fprintf(a->sms_out, "\n");
		fflush(a->sms_out);
	}
	a->sms_mo++;
	return AT_OK;
}

/* The card's SEND SHORT MESSAGE TPDUs (sim.c's hook queued them) */
static void card_mo(struct at *a)
{
	struct sim *s = a->sim;

	for (int i = 0; i < s->nmo; i++)
		network_mo(a, s->mo[i].tpdu, s->mo[i].len, "the card's");
	s->nmo = 0;
}

static void cmgs_done(struct at *a)
{
	uint8_t pdu[AT_PDU_MAX];
	size_t len;
	const uint8_t *t;
	int r;

	a->line[a->llen] = 0;
	a->in_pdu = false;
	a->llen = 0;
	if (parse_pdu(a->line, a->pdu_len, pdu, &len) ||
	    (pdu[1 + pdu[0]] & 0x03) != 0x01) {	/* TP-MTI SMS-SUBMIT */
		final(a, CMS(304));
		return;
	}
	if (a->stat != NET_REGISTERED_HOME) {
		final(a, CMS(331));	/* no network service */
		return;
	}
	t = pdu + 1 + pdu[0];
	r = network_mo(a, t, len - (size_t)(t - pdu), "an");
	if (r != AT_OK) {
		final(a, r);
		return;
	}
	a->mr = (a->mr + 1) & 0xff;
	fprintf(a->log, "network: MO SMS of %d octets accepted (MR %d)\n",
		a->pdu_len, a->mr);
	info(a, "+CMGS: %d", a->mr);
	final(a, AT_OK);
}

/* An MT SMS (SCA + SMS-DELIVER) to the handset: stored or routed (+CNMI) */
static int store_mt(struct at *a, const uint8_t *pdu, size_t len)
{
	int i;

	a->sms_mt++;
	if (a->cnmi_mt == 2) {	/* §3.4.1 mt 2: routed, not stored */
		char hx[2 * AT_PDU_MAX + 1];

		hex_out(pdu, len, hx);
		put(a, "\r\n+CMT: ,%zu\r\n%s\r\n", len - 1 - pdu[0], hx);
		if (!a->in_pdu)
			flush(a);
		return 0;
	}
	for (i = 0; i < AT_SMS_SLOTS && a->sms[i].used; i++)
		;
	if (i == AT_SMS_SLOTS) {
		fprintf(a->log, "sms-in: the store is full; SMS dropped\n");
		return -1;
	}
	a->sms[i].used = true;
	a->sms[i].stat = 0;
	memcpy(a->sms[i].pdu, pdu, len);
	a->sms[i].len = len;
	a->sms[i].tpdu_len = len - 1 - pdu[0];
	if (a->cnmi_mt == 1)
		put(a, "\r\n+CMTI: \"%s\",%d\r\n", a->mem[2], i);
	if (!a->in_pdu)
		flush(a);
	return 0;
}

int at_sms_deliver(struct at *a, const char *hex)
{
	uint8_t pdu[AT_PDU_MAX];
	size_t len;

	if (parse_pdu(hex, -1, pdu, &len) || (pdu[1 + pdu[0]] & 0x03) != 0x00) {
		fprintf(a->log, "sms-in: not an SMS-DELIVER PDU (SCA + TPDU in hex)\n");
		return -1;
	}
	return store_mt(a, pdu, len);
}

void at_network_sm(struct at *a, const struct vsim_smpp_sm *sm)
{
	uint8_t pdu[AT_PDU_MAX], env[5 + 255], r[VSIM_RAPDU_MAX];
	int sca = vsim_hex_parse(SMSC_SCA_HEX, pdu, AT_PDU_MAX), n, el, sw;
	const char *why;
	size_t rl;

	n = smsc_to_deliver(sm, pdu + sca, sizeof(pdu) - (size_t)sca, &why);
	if (n < 0) {
		fprintf(a->log, "network: deliver_sm from %s dropped: %s\n",
			sm->src, why);
		return;
	}
	if (!smsc_is_data_download(sm->pid, sm->dcs)) {
		fprintf(a->log, "network: SMS from %s%s to the handset (PID %02X DCS %02X)\n",
			sm->src_ton == 1 ? "+" : "", sm->src, sm->pid, sm->dcs);
		store_mt(a, pdu, (size_t)(sca + n));
		return;
	}
	/* TS 31.111 §7.1.1: class 2 with PID 7F is for the card alone */
	el = smsc_envelope(pdu, pdu + sca, (size_t)n, env, sizeof(env));
	if (el < 0 || !a->sim->present) {
		fprintf(a->log, "network: SMS-PP data download from %s dropped: %s\n",
			sm->src, el < 0 ? "too long for one ENVELOPE" : "no SIM");
		return;
	}
	a->data_downloads++;
	sw = sim_envelope(a->sim, "ENVELOPE (SMS-PP download)", env + 5,
			  (size_t)el - 5, r, &rl);
	/* the RP-ACK's data cannot reach an ESME: only logged (smpp.h) */
	fprintf(a->log, "network: SMS-PP data download from %s%s: the card answered %04X%s\n",
		sm->src_ton == 1 ? "+" : "", sm->src, sw < 0 ? 0 : sw,
		rl ? " with RP-ACK data" : "");
	card_mo(a);
	refresh(a);
	if (!a->in_pdu)
		flush(a);
}

int at_card_envelope(struct at *a, const char *what, const uint8_t *env,
		     size_t len)
{
	uint8_t r[VSIM_RAPDU_MAX];
	size_t rl;
	int sw = sim_envelope(a->sim, what, env, len, r, &rl);

	card_mo(a);
	refresh(a);
	if (!a->in_pdu)
		flush(a);
	return sw;
}

/* ---- the card's toolkit (TS 102 223): menu and ENVELOPE -------------- */

/* The card's SET UP MENU; polled for with STATUS (TS 102 221 §14.5.2) */
static bool have_menu(struct at *a)
{
	static const uint8_t status[5] = { 0x80, 0xf2, 0x00, 0x0c, 0x00 };
	uint8_t r[VSIM_RAPDU_MAX];

	if (!a->sim->has_menu && a->sim->present)
		sim_apdu(a->sim, "STATUS (proactive polling)", status, 5, r);
	return a->sim->has_menu;
}

/* One ENVELOPE from the TE: the card's status word, or an error */
static int envelope(struct at *a, const uint8_t *env, size_t len, int *sw,
		    uint8_t *r, size_t *rl)
{
	if (!a->sim->present)
		return E_NO_SIM;
	*sw = sim_envelope(a->sim, "ENVELOPE", env, len, r, rl);
	if (*sw < 0)
		return E_SIM_FAILURE;
	card_mo(a);
	return AT_OK;
}

/*
 * +STGI=25 (SIM toolkit get information, as Telit's #STGI): the card's
 * SET UP MENU, "+STGI: "<title>",<items>" then "+STGI: <id>,"<text>"".
 */
static int c_stgi(struct at *a, enum kind k, struct args *g)
{
	int type;

	if (k == TEST) {
		info(a, "+STGI: (25)");
		return AT_OK;
	}
	if (k != SET || g->n != 1 || arg_int(g, 0, 0, 255, 0, &type) ||
	    strcmp(g->v[0], "25"))
		return E_BAD_PARAM;
	if (!have_menu(a))
		return E_NOT_ALLOWED;	/* the card set up no menu */
	info(a, "+STGI: \"%s\",%d", a->sim->menu_title, a->sim->nmenu);
	for (int i = 0; i < a->sim->nmenu; i++)
		info(a, "+STGI: %d,\"%s\"", a->sim->menu[i].id, a->sim->menu[i].text);
	return AT_OK;
}

/*
 * +STGR=25,1,<id>: the user selects item <id> of the card's menu: MENU
 * SELECTION (TS 102 223 §7.2); OK when the card took it (90xx/91xx).
 */
static int c_stgr(struct at *a, enum kind k, struct args *g)
{
	uint8_t env[9] = { 0xd3, 0x07, 0x82, 0x02, 0x01, 0x81, 0x90, 0x01 };
	uint8_t r[VSIM_RAPDU_MAX];
	int id, resp, e, sw, i;
	size_t rl;

	if (k == TEST) {
		info(a, "+STGR: (25),(1),(1-255)");
		return AT_OK;
	}
	if (k != SET || g->n != 3 || strcmp(g->v[0], "25") ||
	    arg_int(g, 1, 1, 1, 0, &resp) || arg_int(g, 2, 1, 255, 0, &id))
		return E_BAD_PARAM;
	if (!have_menu(a))
		return E_NOT_ALLOWED;
	for (i = 0; i < a->sim->nmenu && a->sim->menu[i].id != id; i++)
		;
	if (i == a->sim->nmenu)
		return E_BAD_PARAM;	/* not an item of the menu */
	env[8] = (uint8_t)id;
	e = envelope(a, env, sizeof(env), &sw, r, &rl);
	if (e)
		return e;
	fprintf(a->log, "stk: MENU SELECTION of %d (%s): %04X\n", id,
		a->sim->menu[i].text, sw);
	return (sw >> 8) == 0x90 || (sw >> 8) == 0x91 ? AT_OK : E_UNKNOWN;
}

/*
 * TS 27.007 §12.2.5 +CUSATE=<envelope_command>: a BER-TLV to the card as
 * ENVELOPE; +CUSATE: <envelope_response>[,<busy>] and +CUSATE2: <sw1>,<sw2>.
 */
static int c_cusate(struct at *a, enum kind k, struct args *g)
{
	uint8_t env[255], r[VSIM_RAPDU_MAX];
	char hx[2 * VSIM_RAPDU_MAX + 1];
	int n, e, sw;
	size_t rl;

	if (k == TEST)
		return AT_OK;
	if (k != SET || g->n != 1)
		return E_BAD_PARAM;
	n = vsim_hex_parse(g->v[0], env, sizeof(env));
	if (n < 2 || (size_t)n * 2 != strlen(g->v[0]))
		return E_BAD_PARAM;
	e = envelope(a, env, (size_t)n, &sw, r, &rl);
	if (e)
		return e;
	hex_out(r, rl, hx);
	if (sw == 0x9300)	/* toolkit busy: <busy> 1 */
		info(a, "+CUSATE: \"%s\",1", hx);
	else
		info(a, "+CUSATE: \"%s\"", hx);
	info(a, "+CUSATE2: %d,%d", sw >> 8, sw & 0xff);
	return AT_OK;
}

/* ---- the command table ------------------------------------------------ */

typedef int (*at_fn)(struct at *a, enum kind k, struct args *g);

static const struct { const char *name; at_fn fn; } commands[] = {
	{ "+CGMI", c_cgmi }, { "+GMI", c_cgmi },
	{ "+CGMM", c_cgmm }, { "+GMM", c_cgmm },
	{ "+CGMR", c_cgmr }, { "+GMR", c_cgmr },
	{ "+CGSN", c_cgsn }, { "+GSN", c_cgsn },
	{ "+GCAP", c_gcap },
	{ "+CIMI", c_cimi }, { "+CCID", c_ccid }, { "+CNUM", c_cnum },
	{ "+CPIN", c_cpin }, { "+CPINR", c_cpinr },
	{ "+CLCK", c_clck }, { "+CPWD", c_cpwd },
	{ "+CSIM", c_csim }, { "+CRSM", c_crsm },
	{ "+CFUN", c_cfun },
	{ "+CREG", c_creg }, { "+CGREG", c_cgreg }, { "+CEREG", c_cereg },
	{ "+COPS", c_cops }, { "+CSQ", c_csq }, { "+CESQ", c_cesq },
	{ "+CSCS", c_cscs }, { "+WS46", c_ws46 },
	{ "+CGDCONT", c_cgdcont }, { "+CGATT", c_cgatt },
	{ "+CCLK", c_cclk }, { "+CMEE", c_cmee },
	{ "+CLIP", c_accept }, { "+CRC", c_accept }, { "+CCWA", c_accept },
	{ "+CTZU", c_accept },
	{ "+CMGF", c_cmgf }, { "+CSMS", c_csms }, { "+CPMS", c_cpms },
	{ "+CNMI", c_cnmi }, { "+CMGL", c_cmgl }, { "+CMGR", c_cmgr },
	{ "+CMGD", c_cmgd }, { "+CMGS", c_cmgs },
	{ "+STGI", c_stgi }, { "+STGR", c_stgr }, { "+CUSATE", c_cusate },
};

/* One extended command "+NAME", "+NAME?", "+NAME=?" or "+NAME=args" */
static int extended(struct at *a, char *cmd)
{
	char *p = cmd + 1;
	enum kind k = ACTION;
	struct args g;
	char *rest = NULL;

	while (*p && (isalnum((unsigned char)*p) || strchr("!%-./:_", *p)))
		p++;
	if (*p == '?' && !p[1]) {
		k = READ;
	} else if (p[0] == '=' && p[1] == '?' && !p[2]) {
		k = TEST;
	} else if (*p == '=') {
		k = SET;
		rest = p + 1;
	} else if (*p) {
		return E_BAD_PARAM;
	}
	*p = 0;
	for (char *q = cmd; *q; q++)
		*q = (char)toupper((unsigned char)*q);
	if (parse_args(rest ? rest : "", &g))
		return E_BAD_PARAM;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, cmd))
			return commands[i].fn(a, k, &g);
	fprintf(a->log, "at: unsupported command %s\n", cmd);
	return E_NOT_SUPPORTED;
}

/* Basic V.250 commands: E, V, Q, X, Z, I, &C, &D, &F, S */
static int basic(struct at *a, char c, int val, bool amp)
{
	if (amp)
		return (c == 'C' || c == 'D' || c == 'F' || c == 'K') ? AT_OK : AT_ERROR;
	switch (c) {
	case 'E': a->echo = val != 0; return AT_OK;
	case 'V': a->verbose = val != 0; return AT_OK;
	case 'Q': case 'X': case 'L': case 'M': return AT_OK;
	case 'Z':
		a->echo = true, a->verbose = true, a->cmee = 1;
		return AT_OK;
	case 'I':
		info(a, "%s %s %s", MANUFACTURER, MODEL, VSIM_VERSION);
		return AT_OK;
	default:
		return AT_ERROR;
	}
}

/* A whole command line after "AT", spaces outside strings removed */
static void command_line(struct at *a, char *s)
{
	int r = AT_OK;
	bool urc_reg = false;

	while (*s && r == AT_OK) {
		if (*s == ';') {
			s++;
			continue;
		}
		if (*s == '+' || *s == '%' || *s == '*' || *s == '^' || *s == '$') {
			char *end = s;
			bool q = false;
			char name[16];
			bool is_set;

			for (; *end && (q || *end != ';'); end++)
				if (*end == '"')
					q = !q;
			if (*end)
				*end++ = 0;
			snprintf(name, sizeof(name), "%.*s", (int)strcspn(s, "=?"), s);
			is_set = strchr(s, '=') && !strstr(s, "=?");
			r = extended(a, s);
			/* the events that (re)start the attach */
			if (r == AT_OK && is_set &&
			    (!strcasecmp(name, "+CPIN") ||
					  !strcasecmp(name, "+CFUN") ||
					  !strcasecmp(name, "+COPS")))
				urc_reg = true;
			if (a->in_pdu) {	/* +CMGS: the prompt, V.250-free */
				put(a, "\r\n> ");
				flush(a);
				return;
			}
			s = end;
			continue;
		}
		{
			bool amp = *s == '&';
			char c;
			int val = 0;

			if (amp)
				s++;
			c = (char)toupper((unsigned char)*s);
			if (!c)
				break;
			s++;
			if (c == 'S' && !amp) {	/* S<n>=<v> or S<n>? */
				while (isdigit((unsigned char)*s))
					s++;
				if (*s == '?') {
					info(a, "000");
					s++;
				} else if (*s == '=') {
					for (s++; isdigit((unsigned char)*s); s++)
						;
				}
				continue;
			}
			while (isdigit((unsigned char)*s))
				val = val * 10 + (*s++ - '0');
			r = basic(a, c, val, amp);
		}
	}
	final(a, r);
	if (urc_reg)
		at_register(a);
	refresh(a);
	flush(a);
}

static void line_done(struct at *a)
{
	char buf[sizeof(a->line)], *d = buf;
	const char *s = a->line;
	bool q = false;

	a->line[a->llen] = 0;
	a->llen = 0;
	while (*s == ' ')
		s++;
	if (!*s)
		return;	/* an empty line gets no answer */
	for (; *s; s++) {
		if (*s == '"')
			q = !q;
		if (*s != ' ' || q)
			*d++ = *s;
	}
	*d = 0;
	if (strncasecmp(buf, "AT", 2)) {
		fprintf(a->log, "at: not a command line: %.40s\n", buf);
		return;	/* V.250 §5.2.1: no "AT" prefix, no command line */
	}
	command_line(a, buf + 2);
}

void at_input(struct at *a, const uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = (char)buf[i];

		if (a->in_pdu) {
			if (c == 0x1a) {	/* ^Z sends */
				if (a->echo)
					put(a, "\r\n");
				cmgs_done(a);
				flush(a);
			} else if (c == 0x1b) {	/* ESC cancels: OK, nothing sent */
				a->in_pdu = false;
				a->llen = 0;
				final(a, AT_OK);
				flush(a);
			} else if (isxdigit((unsigned char)c) && a->llen + 1 < sizeof(a->line)) {
				a->line[a->llen++] = c;
				if (a->echo)
					put(a, "%c", c), flush(a);
			}
			continue;
		}
		if (c == '\r') {	/* S3 */
			if (a->echo) {
				a->line[a->llen] = 0;
				put(a, "%s\r", a->line);
			}
			line_done(a);
			flush(a);
		} else if (c == '\b' || c == 0x7f) {	/* S5 */
			if (a->llen)
				a->llen--;
		} else if (c != '\n' && c != 0 && a->llen + 1 < sizeof(a->line)) {
			a->line[a->llen++] = c;
		}
	}
}

void at_init(struct at *a, int fd, struct sim *sim, struct hss *hss,
	     FILE *log, const char *imei)
{
	memset(a, 0, sizeof(*a));
	a->fd = fd;
	a->sim = sim;
	a->hss = hss;
	a->log = log;
	snprintf(a->imei, sizeof(a->imei), "%s", imei);
	a->echo = true;
	a->verbose = true;
	a->cmee = 1;	/* errors say why (+CME ERROR: 4 for unknown commands) */
	a->cfun = 1;
	a->cops_format = 0;
	snprintf(a->cscs, sizeof(a->cscs), "IRA");
	for (int i = 0; i < 3; i++)
		snprintf(a->mem[i], sizeof(a->mem[i]), "ME");
}
