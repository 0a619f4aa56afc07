// SPDX-License-Identifier: GPL-2.0-only
/*
 * Card profile compiler: INI (libinih) -> struct vsim_profile -> card image.
 * Every error names the file, the line and the field (docs/profile.md).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <arpa/inet.h>
#include <ini.h>

#include "common/fs_template.h"
#include "common/host_crypto.h"
#include "milenage.h"
#include "common/profile.h"

/* Longest line we accept: a 4 KiB file body as one hex line, with room. */
#define PROFILE_MAX_LINE	(16 * 1024)

enum sect { S_NONE, S_CARD, S_AUTH, S_PIN, S_BINDING, S_ISIM, S_SUCI, S_FILE, S_OTA, S_COUNT };
static const char *const sect_names[S_COUNT] = {
	[S_CARD] = "card", [S_AUTH] = "auth", [S_PIN] = "pin",
	[S_BINDING] = "binding", [S_ISIM] = "isim", [S_SUCI] = "suci",
	[S_FILE] = "file", [S_OTA] = "ota",
};

enum key {
	K_ICCID, K_IMSI, K_MSISDN, K_SPN, K_SPN_DISPLAY, K_MNC_LENGTH, K_ATR, K_TEMPLATE,
	K_K, K_OPC, K_OP, K_AMF, K_SQN_IND_BITS, K_SQN_DELTA, K_SQN_LIMIT,
	K_PIN1, K_PUK1, K_PIN2, K_PUK2, K_ADM1,
	K_PIN1_ENABLED, K_PIN2_ENABLED, K_PIN1_DISABLE_OK, K_PIN2_DISABLE_OK,
	K_PIN1_TRIES, K_PUK1_TRIES, K_PIN2_TRIES, K_PUK2_TRIES, K_ADM1_TRIES,
	K_BIND_MODE, K_BIND_IMEI, K_BIND_PATTERN, K_BIND_COMPARE,
	K_BIND_UNSUPPORTED, K_BIND_TEXT,
	K_ISIM_IMPI, K_ISIM_IMPU, K_ISIM_DOMAIN, K_ISIM_PCSCF,
	K_SUCI_SCHEME, K_SUCI_KEY_ID, K_SUCI_KEY, K_SUCI_ROUTING,
	K_COUNT
};

static const struct keydef {
	enum sect sect;
	const char *name;
	bool required;
} keys[K_COUNT] = {
	[K_ICCID] = { S_CARD, "iccid", true },
	[K_IMSI] = { S_CARD, "imsi", true },
	[K_MSISDN] = { S_CARD, "msisdn", false },
	[K_SPN] = { S_CARD, "spn", false },
	[K_SPN_DISPLAY] = { S_CARD, "spn_display", false },
	[K_MNC_LENGTH] = { S_CARD, "mnc_length", true },
	[K_ATR] = { S_CARD, "atr", false },
	[K_TEMPLATE] = { S_CARD, "template", false },
	[K_K] = { S_AUTH, "k", true },
	[K_OPC] = { S_AUTH, "opc", false },
	[K_OP] = { S_AUTH, "op", false },
	[K_AMF] = { S_AUTH, "amf", false },
	[K_SQN_IND_BITS] = { S_AUTH, "sqn_ind_bits", false },
	[K_SQN_DELTA] = { S_AUTH, "sqn_delta", false },
	[K_SQN_LIMIT] = { S_AUTH, "sqn_limit", false },
	[K_PIN1] = { S_PIN, "pin1", true },
	[K_PUK1] = { S_PIN, "puk1", true },
	[K_PIN2] = { S_PIN, "pin2", true },
	[K_PUK2] = { S_PIN, "puk2", true },
	[K_ADM1] = { S_PIN, "adm1", true },
	[K_PIN1_ENABLED] = { S_PIN, "pin1_enabled", false },
	[K_PIN2_ENABLED] = { S_PIN, "pin2_enabled", false },
	[K_PIN1_DISABLE_OK] = { S_PIN, "pin1_disable_allowed", false },
	[K_PIN2_DISABLE_OK] = { S_PIN, "pin2_disable_allowed", false },
	[K_PIN1_TRIES] = { S_PIN, "pin1_max_tries", false },
	[K_PUK1_TRIES] = { S_PIN, "puk1_max_tries", false },
	[K_PIN2_TRIES] = { S_PIN, "pin2_max_tries", false },
	[K_PUK2_TRIES] = { S_PIN, "puk2_max_tries", false },
	[K_ADM1_TRIES] = { S_PIN, "adm1_max_tries", false },
	[K_BIND_MODE] = { S_BINDING, "mode", false },
	[K_BIND_IMEI] = { S_BINDING, "imei", false },
	[K_BIND_PATTERN] = { S_BINDING, "pattern", false },
	[K_BIND_COMPARE] = { S_BINDING, "compare", false },
	[K_BIND_UNSUPPORTED] = { S_BINDING, "unsupported_terminal", false },
	[K_BIND_TEXT] = { S_BINDING, "refusal_text", false },
	[K_ISIM_IMPI] = { S_ISIM, "impi", false },
	[K_ISIM_IMPU] = { S_ISIM, "impu", false },
	[K_ISIM_DOMAIN] = { S_ISIM, "domain", false },
	[K_ISIM_PCSCF] = { S_ISIM, "pcscf", false },
	[K_SUCI_SCHEME] = { S_SUCI, "scheme", false },
	[K_SUCI_KEY_ID] = { S_SUCI, "hn_key_id", false },
	[K_SUCI_KEY] = { S_SUCI, "hn_public_key", false },
	[K_SUCI_ROUTING] = { S_SUCI, "routing_indicator", false },
};

struct ctx {
	const char *name;
	FILE *f;
	const char *buf;
	size_t pos;
	int line, next_line;
	char *err;
	size_t errlen;
	bool failed;

	enum sect sect;
	int sect_line[S_COUNT];
	int file_idx;
	char file_path[80];
	int file_line[VSIM_IMAGE_MAX_FILES];
	int first_file_line;	/* the first [file PATH] section, 0 = none yet */
	int key_line[K_COUNT];

	uint8_t op[16];
	bool pin_enabled[2], pin_disable_ok[2];
	struct vsim_profile *p;
	size_t cap;
	bool binding_only;	/* vsim_profile_parse_binding(): [binding] alone */
};

static int fail(struct ctx *c, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct ctx *c, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->failed)
		return 0;
	c->failed = true;
	if (!c->err || !c->errlen)
		return 0;
	n = snprintf(c->err, c->errlen, "%s:%d: ", c->name, line);
	if (n < 0 || (size_t)n >= c->errlen)
		return 0;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return 0;
}

/* ---- value parsers: 0 on success, else fill why ---- */

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = tolower(ch);
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/* Hex digits with optional blanks between bytes; at most max bytes. */
static int parse_hex(const char *v, uint8_t *out, size_t max, size_t *n,
		     char *why, size_t wl)
{
	size_t digits = 0, i = 0;
	int hi = -1;

	for (; *v; v++) {
		int d;

		if (*v == ' ' || *v == '\t')
			continue;
		d = hexval((unsigned char)*v);
		if (d < 0) {
			snprintf(why, wl, "'%c' is not a hex digit", *v);
			return -1;
		}
		digits++;
		if (hi < 0) {
			hi = d;
			continue;
		}
		if (i < max)
			out[i] = (uint8_t)(hi << 4 | d);
		i++;
		hi = -1;
	}
	if (hi >= 0) {
		snprintf(why, wl, "odd number of hex digits (%zu)", digits);
		return -1;
	}
	if (i > max) {
		snprintf(why, wl, "%zu bytes, at most %zu fit", i, max);
		return -1;
	}
	*n = i;
	return 0;
}

static int fixed_hex(struct ctx *c, const char *field, const char *v,
		     uint8_t *out, size_t len)
{
	char why[80] = "";
	uint8_t tmp[64];
	size_t n = 0;

	if (parse_hex(v, tmp, sizeof(tmp), &n, why, sizeof(why)) || n != len) {
		if (!why[0])
			snprintf(why, sizeof(why), "got %zu", n * 2);
		fail(c, c->line, "field '%s': expected %zu hex digits (%s)",
		     field, len * 2, why);
		memset(tmp, 0, sizeof(tmp));
		return -1;
	}
	memcpy(out, tmp, len);
	vsim_wipe(tmp, sizeof(tmp));
	return 0;
}

static bool all_digits(const char *v, size_t *n)
{
	size_t i;

	for (i = 0; v[i]; i++)
		if (!isdigit((unsigned char)v[i]))
			return false;
	*n = i;
	return true;
}

static int digits_field(struct ctx *c, const char *field, const char *v,
			size_t lo, size_t hi, char *out)
{
	size_t n;

	if (!all_digits(v, &n) || n < lo || n > hi) {
		if (lo == hi)
			return fail(c, c->line, "field '%s': expected exactly %zu digits",
				    field, lo) - 1;
		return fail(c, c->line, "field '%s': expected %zu to %zu digits",
			    field, lo, hi) - 1;
	}
	memcpy(out, v, n + 1);
	return 0;
}

static int parse_u64(struct ctx *c, const char *field, const char *v,
		     uint64_t lo, uint64_t hi, uint64_t *out)
{
	unsigned long long x;
	char *end;
	int base = 10;

	if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X'))
		base = 16;
	errno = 0;
	x = strtoull(v, &end, base);
	if (!isdigit((unsigned char)v[0]) || *end || errno || x < lo || x > hi)
		return fail(c, c->line, "field '%s': expected a number from %" PRIu64
			    " to %" PRIu64, field, lo, hi) - 1;
	*out = x;
	return 0;
}

static int parse_bool(struct ctx *c, const char *field, const char *v, bool *out)
{
	static const char *const t[] = { "true", "yes", "on", "1" };
	static const char *const f[] = { "false", "no", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (!strcasecmp(v, t[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(v, f[i])) {
			*out = false;
			return 0;
		}
	}
	return fail(c, c->line, "field '%s': expected true or false", field) - 1;
}

static int luhn_digit(const char *d, size_t n)
{
	int sum = 0;
	size_t i;

	/* check digit for the n digits d[0..n-1] */
	for (i = 0; i < n; i++) {
		int x = d[n - 1 - i] - '0';

		if (i % 2 == 0) {
			x *= 2;
			if (x > 9)
				x -= 9;
		}
		sum += x;
	}
	return (10 - sum % 10) % 10;
}

/* GSM 7-bit default alphabet (TS 23.038 §6.2.1) for the ASCII subset. */
static int gsm7(int ch)
{
	if (ch == '@')
		return 0x00;
	if (ch == '$')
		return 0x02;
	if (ch == '_')
		return 0x11;
	if (ch < 0x20 || ch > 0x7E || strchr("[]\\^`{|}~", ch))
		return -1;
	return ch;
}

/* ISO 7816-3 §8: TS, T0, interface bytes, historical bytes, TCK. */
static int atr_check(const uint8_t *a, size_t n, char *why, size_t wl)
{
	size_t pos = 2, k;
	bool tck = false;
	uint8_t y, x = 0;
	size_t i;

	if (n < 2) {
		snprintf(why, wl, "too short (TS and T0 at least)");
		return -1;
	}
	if (a[0] != 0x3B && a[0] != 0x3F) {
		snprintf(why, wl, "TS is %02X, must be 3B (direct) or 3F (inverse convention)", a[0]);
		return -1;
	}
	y = a[1] >> 4;
	k = a[1] & 0x0F;
	for (;;) {
		pos += (y & 1) + ((y >> 1) & 1) + ((y >> 2) & 1);
		if (!(y & 8))
			break;
		if (pos >= n) {
			snprintf(why, wl, "truncated in the interface bytes");
			return -1;
		}
		if (a[pos] & 0x0F)
			tck = true;
		y = a[pos] >> 4;
		pos++;
	}
	pos += k + (tck ? 1 : 0);
	if (pos != n) {
		snprintf(why, wl, "T0 and the TDi bytes announce %zu bytes%s, the value has %zu",
			 pos, tck ? " including TCK" : "", n);
		return -1;
	}
	if (tck) {
		for (i = 1; i < n - 1; i++)
			x ^= a[i];
		if (x != a[n - 1]) {
			snprintf(why, wl, "TCK is %02X, expected %02X", a[n - 1], x);
			return -1;
		}
	}
	return 0;
}

size_t vsim_profile_default_atr(uint8_t atr[VSIM_ATR_MAX])
{
	/* TS 102 221 §6.3: T=0 + T=15 global bytes, classes A/B/C */
	static const uint8_t base[] = {
		0x3B,		/* TS: direct convention */
		0x8A,		/* T0: TD1 follows, 10 historical bytes */
		0x80,		/* TD1: TD2 follows, T=0 */
		0x1F,		/* TD2: TA3 follows, T=15 */
		0xC7,		/* TA3: clock stop no preference, classes A, B, C */
		0x80,		/* category indicator: COMPACT-TLV follows */
		0x31, 0xE0,	/* card service data */
		0x73, 0xFE, 0x21, 0x1B,	/* card capabilities: no ext. Lc/Le, 4 channels */
		0x82, 0x90, 0x00,	/* status indicator 9000 */
	};
	uint8_t tck = 0;
	size_t i;

	memcpy(atr, base, sizeof(base));
	for (i = 1; i < sizeof(base); i++)
		tck ^= base[i];
	atr[sizeof(base)] = tck;
	return sizeof(base) + 1;
}

/* ---- PINs (TS 102 221 §9.5.2: digits in ASCII, padded with FF) ---- */

static int pin_field(struct ctx *c, const char *field, const char *v,
		     size_t lo, size_t hi, uint8_t out[8], bool hex16)
{
	size_t n, dummy;

	if (hex16 && strlen(v) == 16 && !all_digits(v, &dummy)) {
		char why[80];

		if (parse_hex(v, out, 8, &n, why, sizeof(why)) || n != 8)
			return fail(c, c->line, "field '%s': expected %zu-%zu digits or 16 hex digits (%s)",
				    field, lo, hi, why) - 1;
		return 0;
	}
	if (!all_digits(v, &n) || n < lo || n > hi) {
		if (lo == hi)
			return fail(c, c->line, "field '%s': expected exactly %zu digits", field, lo) - 1;
		return fail(c, c->line, "field '%s': expected %zu to %zu digits%s", field, lo, hi,
			    hex16 ? " or 16 hex digits" : "") - 1;
	}
	memset(out, 0xFF, 8);
	memcpy(out, v, n);
	return 0;
}

/* ---- sections and keys ---- */

static void section_header(struct ctx *c, const char *s)
{
	const struct vsim_fs_tmpl *t;
	const char *end = strchr(s, ']');
	char name[80];
	size_t n;
	int i;

	if (!end) {
		fail(c, c->line, "section header without ']'");
		return;
	}
	s++;
	while (*s == ' ' || *s == '\t')
		s++;
	n = (size_t)(end - s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n >= sizeof(name)) {
		fail(c, c->line, "unknown section [%.40s...]", s);
		return;
	}
	memcpy(name, s, n);
	name[n] = 0;

	if (!strncmp(name, "file", 4) && (name[4] == ' ' || name[4] == '\t')) {
		const char *path = name + 5;

		while (*path == ' ' || *path == '\t')
			path++;
		t = c->p->tmpl;
		i = vsim_fs_tmpl_lookup(t, path);
		if (i < 0) {
			fail(c, c->line, "section [file %s]: unknown file path '%s' (see docs/profile.md for the file tree)",
			     path, path);
			return;
		}
		if (t->files[i].type != VSIM_FILE_EF) {
			fail(c, c->line, "section [file %s]: %s is a DF, it has no contents",
			     path, t->files[i].name);
			return;
		}
		if (c->file_line[i]) {
			fail(c, c->line, "section [file %s]: %s already has a section at line %d",
			     path, t->files[i].name, c->file_line[i]);
			return;
		}
		c->file_line[i] = c->line;
		if (!c->first_file_line)
			c->first_file_line = c->line;
		c->file_idx = i;
		snprintf(c->file_path, sizeof(c->file_path), "%s", path);
		c->sect = S_FILE;
		return;
	}
	/* [ota], [ota keyset N], [ota tar T]: the agent's (agent/ota/profile.c) */
	if (!strcmp(name, "ota") ||
	    (!strncmp(name, "ota", 3) && (name[3] == ' ' || name[3] == '\t'))) {
		c->sect = S_OTA;
		return;
	}
	for (i = S_CARD; i < S_FILE; i++) {
		if (!strcmp(name, sect_names[i])) {
			if (c->sect_line[i]) {
				fail(c, c->line, "section [%s] given twice (first at line %d)",
				     name, c->sect_line[i]);
				return;
			}
			c->sect_line[i] = c->line;
			c->sect = (enum sect)i;
			return;
		}
	}
	fail(c, c->line, "unknown section [%s] (expected [card], [auth], [pin], [binding], [isim], [suci], [file PATH] or [ota ...])", name);
}

static char *reader(char *str, int num, void *stream)
{
	struct ctx *c = stream;
	size_t i = 0;
	const char *s;

	if (c->failed)
		return NULL;
	if (c->f) {
		if (!fgets(str, num, c->f))
			return NULL;
		i = strlen(str);
	} else {
		if (!c->buf[c->pos])
			return NULL;
		while (i + 1 < (size_t)num && c->buf[c->pos]) {
			char ch = c->buf[c->pos++];

			str[i++] = ch;
			if (ch == '\n')
				break;
		}
		str[i] = 0;
	}
	c->line = c->next_line;
	if (i && str[i - 1] == '\n') {
		c->next_line++;
	} else if (i + 1 >= (size_t)num) {
		fail(c, c->line, "line longer than %d characters", num - 2);
		return NULL;
	}
	for (s = str; *s == ' ' || *s == '\t'; s++)
		;
	if (*s == '[')
		section_header(c, s);
	return c->failed ? NULL : str;
}

static struct vsim_profile_override *find_override(struct ctx *c, int file, unsigned int rec,
						   const uint8_t *tag, size_t tag_len)
{
	size_t i;

	for (i = 0; i < c->p->n_overrides; i++) {
		struct vsim_profile_override *o = &c->p->overrides[i];

		if (o->file == file && o->record == rec && o->tag_len == tag_len &&
		    !memcmp(o->tag, tag, tag_len))
			return o;
	}
	return NULL;
}

/*
 * A data object tag of TS 102 221 §11.3.0 at @p (@n bytes available):
 * context-specific, '80'-'9E' or 'A0'-'BE', '9F'/'BF' with '1F'-'7F', or
 * '9F'/'BF' with '81'-'FF' then '00'-'7F'. Its length, or 0.
 */
static size_t bertlv_tag_len(const uint8_t *p, size_t n)
{
	if (!n || (p[0] & 0xC0) != 0x80)
		return 0;
	if ((p[0] & 0x1F) != 0x1F)
		return 1;
	if (n >= 2 && p[1] >= 0x1F && p[1] <= 0x7F)
		return 2;
	if (n >= 3 && p[1] >= 0x81 && p[2] <= 0x7F)
		return 3;
	return 0;
}

/* DER length (§11.3.0) of @len into @p; returns its size (1..3 here). */
static size_t der_put(uint8_t *p, size_t len)
{
	if (len < 0x80) {
		p[0] = (uint8_t)len;
		return 1;
	}
	if (len < 0x100) {
		p[0] = 0x81;
		p[1] = (uint8_t)len;
		return 2;
	}
	p[0] = 0x82;
	p[1] = (uint8_t)(len >> 8);
	p[2] = (uint8_t)len;
	return 3;
}

/* Length of the object at @p (tag, DER length, value), 0 if malformed. */
static size_t bertlv_object_len(const uint8_t *p, size_t n)
{
	size_t t = bertlv_tag_len(p, n), l, v;

	if (!t || t >= n)
		return 0;
	if (p[t] < 0x80) {
		l = 1;
		v = p[t];
	} else if (p[t] == 0x81 && n > t + 1) {
		l = 2;
		v = p[t + 1];
	} else if (p[t] == 0x82 && n > t + 2) {
		l = 3;
		v = (size_t)p[t + 1] << 8 | p[t + 2];
	} else {
		return 0;
	}
	return t + l + v <= n ? t + l + v : 0;
}

static int file_key(struct ctx *c, const char *name, const char *v)
{
	const struct vsim_fs_entry *e = &c->p->tmpl->files[c->file_idx];
	struct vsim_profile_override *o;
	unsigned int rec = 0;
	size_t max, n, tag_len = 0;
	uint8_t tag[3] = { 0 };
	char why[80];
	uint8_t *data;

	if (e->structure == VSIM_EF_BER_TLV) {
		/* TS 102 221 §11.3: a BER-TLV EF holds data objects, by tag */
		if (strncmp(name, "object.", 7))
			return fail(c, c->line, "field '%s' of [file %s]: %s is a BER-TLV EF, use object.TAG = hex (the value of the data object TAG)",
				    name, c->file_path, e->name);
		if (parse_hex(name + 7, tag, sizeof(tag), &tag_len, why, sizeof(why)) ||
		    !tag_len || bertlv_tag_len(tag, tag_len) != tag_len)
			return fail(c, c->line, "field '%s' of [file %s]: '%s' is not a data object tag of TS 102 221 §11.3.0 (80-9E, A0-BE, 9F/BF 1F-7F, 9F/BF 81-FF 00-7F)",
				    name, c->file_path, name + 7);
		max = e->size;
	} else if (!strcmp(name, "data")) {
		if (e->structure != VSIM_EF_TRANSPARENT)
			return fail(c, c->line, "field 'data' of [file %s]: %s is a record file, use record.N = hex",
				    c->file_path, e->name);
		max = e->size;
	} else if (!strncmp(name, "record.", 7)) {
		char *end;
		unsigned long r;

		if (e->structure == VSIM_EF_TRANSPARENT)
			return fail(c, c->line, "field '%s' of [file %s]: %s is transparent, use data = hex",
				    name, c->file_path, e->name);
		errno = 0;
		r = strtoul(name + 7, &end, 10);
		if (!isdigit((unsigned char)name[7]) || *end || errno || r < 1 || r > e->records)
			return fail(c, c->line, "field '%s' of [file %s]: record number out of range (%s has records 1 to %u)",
				    name, c->file_path, e->name, e->records);
		rec = (unsigned int)r;
		max = e->record_length;
	} else {
		return fail(c, c->line, "unknown field '%s' in section [file %s] (expected 'data' or 'record.N')",
			    name, c->file_path);
	}
	o = find_override(c, c->file_idx, rec, tag, tag_len);
	if (o)
		return fail(c, c->line, "field '%s' of [file %s]: given twice (first at line %d)",
			    name, c->file_path, o->line);
	data = malloc(max ? max : 1);
	if (!data)
		return fail(c, c->line, "out of memory");
	if (parse_hex(v, data, max, &n, why, sizeof(why))) {
		free(data);
		if (strstr(why, "fit"))
			return fail(c, c->line, "field '%s' of [file %s]: data does not fit: %s (%s %s is %zu bytes)",
				    name, c->file_path, why, e->name, rec ? "record" : "file", max);
		return fail(c, c->line, "field '%s' of [file %s]: expected hex bytes (%s)",
			    name, c->file_path, why);
	}
	if (c->p->n_overrides == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		void *np = realloc(c->p->overrides, cap * sizeof(*o));

		if (!np) {
			free(data);
			return fail(c, c->line, "out of memory");
		}
		c->p->overrides = np;
		c->cap = cap;
	}
	o = &c->p->overrides[c->p->n_overrides++];
	o->file = c->file_idx;
	o->record = rec;
	o->tag_len = (uint8_t)tag_len;
	memcpy(o->tag, tag, sizeof(o->tag));
	o->line = c->line;
	o->len = n;
	o->data = data;
	return 1;
}

/*
 * A list of IMEIs or patterns, separated by commas or blanks, into the
 * image's binding entries. IMEIs: 14 digits, or 15 with a valid check
 * digit (dropped: TS 23.003 §6.2.1), or 16 for an IMEISV. Patterns: 1..16
 * digits or '?' (any digit), matched as a prefix.
 */
static int binding_list(struct ctx *c, const char *f, const char *v,
			bool pattern)
{
	struct vsim_image_binding *b = &c->p->binding;
	char item[40];
	size_t n;

	b->count = 0;
	memset(b->entries, 0, sizeof(b->entries));
	while (*v) {
		v += strspn(v, ", \t");
		n = strcspn(v, ", \t");
		if (!n)
			break;
		if (b->count == VSIM_BIND_ENTRIES)
			return fail(c, c->line, "field '%s': at most %d entries",
				    f, VSIM_BIND_ENTRIES);
		if (n >= sizeof(item))
			return fail(c, c->line, "field '%s': entry %u is too long",
				    f, b->count + 1);
		memcpy(item, v, n);
		item[n] = 0;
		v += n;
		for (size_t i = 0; i < n; i++) {
			if (pattern && (item[i] == 'x' || item[i] == 'X'))
				item[i] = '?';
			if (!isdigit((unsigned char)item[i]) &&
			    !(pattern && item[i] == '?'))
				return fail(c, c->line, "field '%s': entry '%s' has '%c' (expected digits%s)",
					    f, item, item[i], pattern ? " or '?'" : "");
		}
		if (pattern && n > VSIM_BIND_DIGITS)
			return fail(c, c->line, "field '%s': pattern '%s' is longer than 16 digits",
				    f, item);
		if (!pattern) {
			if (n == 15) {
				int cd = luhn_digit(item, 14);

				if (item[14] - '0' != cd)
					return fail(c, c->line, "field '%s': IMEI %s: Luhn check digit is %c, expected %d (TS 23.003 Annex B)",
						    f, item, item[14], cd);
				item[14] = 0;
				n = 14;
			}
			if (n != 14 && n != 16)
				return fail(c, c->line, "field '%s': '%s' is not an IMEI (14 or 15 digits) or IMEISV (16 digits)",
					    f, item);
		}
		memcpy(b->entries[b->count++], item, n);
	}
	if (!b->count)
		return fail(c, c->line, "field '%s': no entries", f);
	return 1;
}

/* An IMS identity or domain (TS 23.003 §13): printable, no blanks. */
static int isim_text(struct ctx *c, const char *f, const char *v, size_t n, char *out)
{
	size_t i;

	if (n < 1 || n > VSIM_PROFILE_ISIM_MAX)
		return fail(c, c->line, "field '%s': %zu characters (1 to %d fit in TLV 80 of a %d-byte record)",
			    f, n, VSIM_PROFILE_ISIM_MAX, VSIM_FS_ISIM_LEN);
	for (i = 0; i < n; i++)
		if (v[i] <= 0x20 || v[i] >= 0x7f)
			return fail(c, c->line, "field '%s': character %zu is not printable ASCII",
				    f, i + 1);
	memcpy(out, v, n);
	out[n] = 0;
	return 1;
}

/* "a, b c": up to max entries separated by blanks or commas. */
static int isim_list(struct ctx *c, const char *f, const char *v,
		     char (*out)[VSIM_PROFILE_ISIM_MAX + 1], size_t max, uint8_t *count)
{
	size_t n;

	*count = 0;
	while (*v) {
		v += strspn(v, ", \t");
		n = strcspn(v, ", \t");
		if (!n)
			break;
		if (*count == max)
			return fail(c, c->line, "field '%s': at most %zu entries (records of the EF)",
				    f, max);
		if (!isim_text(c, f, v, n, out[*count]))
			return 0;
		(*count)++;
		v += n;
	}
	return *count ? 1 : fail(c, c->line, "field '%s': no entries", f);
}

/* A P-CSCF is an IPv4 or IPv6 address, or an FQDN (TS 31.103 §4.2.8). */
static int pcscf_check(struct ctx *c, const struct vsim_profile *p)
{
	uint8_t a[16];
	size_t i, j;

	for (i = 0; i < p->isim_pcscf_count; i++) {
		const char *s = p->isim_pcscf[i];

		if (inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1)
			continue;
		for (j = 0; s[j]; j++)
			if (!isalnum((unsigned char)s[j]) && s[j] != '-' && s[j] != '.')
				return fail(c, c->line, "field 'pcscf': '%s' is no IPv4 or IPv6 address and no FQDN",
					    s);
	}
	return 1;
}

static int set_key(struct ctx *c, enum key k, const char *v)
{
	struct vsim_profile *p = c->p;
	const char *f = keys[k].name;
	uint64_t x;
	size_t n, i;
	char why[120];

	switch (k) {
	case K_ICCID: {
		int cd;

		if (digits_field(c, f, v, 18, 20, p->iccid))
			return 0;
		n = strlen(v);
		cd = luhn_digit(v, n - 1);
		if (v[n - 1] - '0' != cd)
			return fail(c, c->line, "field 'iccid': Luhn check digit is %c, expected %d (ITU-T E.118)",
				    v[n - 1], cd);
		return 1;
	}
	case K_IMSI:
		return digits_field(c, f, v, 6, 15, p->imsi) ? 0 : 1;
	case K_MSISDN: {
		const char *d = v[0] == '+' ? v + 1 : v;

		if (!all_digits(d, &n) || n < 1 || n > 20)
			return fail(c, c->line, "field 'msisdn': expected 1 to 20 digits, optionally after '+'");
		snprintf(p->msisdn, sizeof(p->msisdn), "%s", v);
		return 1;
	}
	case K_SPN:
		if (strlen(v) > 16)
			return fail(c, c->line, "field 'spn': %zu characters, at most 16 fit in EF_SPN",
				    strlen(v));
		for (i = 0; v[i]; i++)
			if (gsm7((unsigned char)v[i]) < 0)
				return fail(c, c->line, "field 'spn': character '%c' is not in the GSM 7-bit default alphabet subset vsim supports",
					    v[i]);
		snprintf(p->spn, sizeof(p->spn), "%s", v);
		return 1;
	case K_SPN_DISPLAY:
		return fixed_hex(c, f, v, &p->spn_display, 1) ? 0 : 1;
	case K_MNC_LENGTH:
		if (strcmp(v, "2") && strcmp(v, "3"))
			return fail(c, c->line, "field 'mnc_length': expected 2 or 3");
		p->mnc_length = (uint8_t)(v[0] - '0');
		return 1;
	case K_ATR: {
		uint8_t a[VSIM_ATR_MAX];

		if (parse_hex(v, a, sizeof(a), &n, why, sizeof(why)))
			return fail(c, c->line, "field 'atr': %s (an ATR is at most %d bytes)",
				    why, VSIM_ATR_MAX);
		if (atr_check(a, n, why, sizeof(why)))
			return fail(c, c->line, "field 'atr': %s", why);
		memcpy(p->atr, a, n);
		p->atr_len = (uint8_t)n;
		return 1;
	}
	case K_TEMPLATE: {
		const struct vsim_fs_tmpl *t = vsim_fs_tmpl_find(v);

		if (!t)
			return fail(c, c->line, "field 'template': '%s' (expected default or complete)", v);
		/* [file PATH] sections name files of the template: it comes first */
		if (c->first_file_line)
			return fail(c, c->line, "field 'template': must come before the first [file PATH] section (line %d)",
				    c->first_file_line);
		p->tmpl = t;
		return 1;
	}
	case K_K:
		return fixed_hex(c, f, v, p->k, 16) ? 0 : 1;
	case K_OPC:
	case K_OP: {
		enum key other = k == K_OP ? K_OPC : K_OP;

		if (c->key_line[other])
			return fail(c, c->line, "field '%s': give either 'op' or 'opc', not both ('%s' is at line %d)",
				    f, keys[other].name, c->key_line[other]);
		return fixed_hex(c, f, v, k == K_OP ? c->op : p->opc, 16) ? 0 : 1;
	}
	case K_AMF:
		return fixed_hex(c, f, v, p->amf, 2) ? 0 : 1;
	case K_SQN_IND_BITS:
		if (parse_u64(c, f, v, 0, 5, &x))
			return 0;
		p->sqn_ind_bits = (uint8_t)x;
		return 1;
	case K_SQN_DELTA:
		return parse_u64(c, f, v, 0, (1ULL << 48) - 1, &p->sqn_delta) ? 0 : 1;
	case K_SQN_LIMIT:
		return parse_u64(c, f, v, 0, (1ULL << 48) - 1, &p->sqn_limit) ? 0 : 1;
	case K_PIN1:
		return pin_field(c, f, v, 4, 8, p->pins[VSIM_PIN_IDX_PIN1].value, false) ? 0 : 1;
	case K_PIN2:
		return pin_field(c, f, v, 4, 8, p->pins[VSIM_PIN_IDX_PIN2].value, false) ? 0 : 1;
	case K_PUK1:
		return pin_field(c, f, v, 8, 8, p->pins[VSIM_PIN_IDX_PIN1].puk, false) ? 0 : 1;
	case K_PUK2:
		return pin_field(c, f, v, 8, 8, p->pins[VSIM_PIN_IDX_PIN2].puk, false) ? 0 : 1;
	case K_ADM1:
		return pin_field(c, f, v, 4, 8, p->pins[VSIM_PIN_IDX_ADM1].value, true) ? 0 : 1;
	case K_PIN1_ENABLED:
		return parse_bool(c, f, v, &c->pin_enabled[0]) ? 0 : 1;
	case K_PIN2_ENABLED:
		return parse_bool(c, f, v, &c->pin_enabled[1]) ? 0 : 1;
	case K_PIN1_DISABLE_OK:
		return parse_bool(c, f, v, &c->pin_disable_ok[0]) ? 0 : 1;
	case K_PIN2_DISABLE_OK:
		return parse_bool(c, f, v, &c->pin_disable_ok[1]) ? 0 : 1;
	case K_PIN1_TRIES:
	case K_PUK1_TRIES:
	case K_PIN2_TRIES:
	case K_PUK2_TRIES:
	case K_ADM1_TRIES: {
		static const struct tries_def { uint8_t idx; bool puk; } t[] = {
			[K_PIN1_TRIES - K_PIN1_TRIES] = { VSIM_PIN_IDX_PIN1, false },
			[K_PUK1_TRIES - K_PIN1_TRIES] = { VSIM_PIN_IDX_PIN1, true },
			[K_PIN2_TRIES - K_PIN1_TRIES] = { VSIM_PIN_IDX_PIN2, false },
			[K_PUK2_TRIES - K_PIN1_TRIES] = { VSIM_PIN_IDX_PIN2, true },
			[K_ADM1_TRIES - K_PIN1_TRIES] = { VSIM_PIN_IDX_ADM1, false },
		};
		const struct tries_def *e = &t[k - K_PIN1_TRIES];

		if (parse_u64(c, f, v, 1, 15, &x))
			return 0;
		if (e->puk)
			p->pins[e->idx].puk_max_tries = (uint8_t)x;
		else
			p->pins[e->idx].max_tries = (uint8_t)x;
		return 1;
	}
	case K_BIND_MODE: {
		static const char *const modes[] = {
			[VSIM_BIND_OFF] = "off",
			[VSIM_BIND_FIRST_TERMINAL] = "first-terminal",
			[VSIM_BIND_IMEI] = "imei",
			[VSIM_BIND_PATTERN] = "pattern",
		};

		for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
			if (!strcmp(v, modes[i])) {
				p->binding.mode = (uint8_t)i;
				return 1;
			}
		}
		return fail(c, c->line, "field 'mode': '%s' (expected off, first-terminal, imei or pattern)", v);
	}
	case K_BIND_IMEI:
		return binding_list(c, f, v, false);
	case K_BIND_PATTERN:
		return binding_list(c, f, v, true);
	case K_BIND_COMPARE:
		if (!strcmp(v, "imeisv"))
			p->binding.flags |= VSIM_BIND_F_IMEISV;
		else if (strcmp(v, "imei"))
			return fail(c, c->line, "field 'compare': '%s' (expected imei or imeisv)", v);
		return 1;
	case K_BIND_UNSUPPORTED:
		if (!strcmp(v, "allow"))
			p->binding.flags |= VSIM_BIND_F_ALLOW_NO_CAT;
		else if (strcmp(v, "deny"))
			return fail(c, c->line, "field 'unsupported_terminal': '%s' (expected deny or allow)", v);
		return 1;
	case K_BIND_TEXT:
		n = strlen(v);
		if (n > VSIM_BIND_TEXT_MAX)
			return fail(c, c->line, "field 'refusal_text': %zu characters, at most %d",
				    n, VSIM_BIND_TEXT_MAX);
		for (i = 0; i < n; i++)
			if (v[i] < 0x20 || v[i] > 0x7e)
				return fail(c, c->line, "field 'refusal_text': only printable ASCII");
		memcpy(p->binding.text, v, n);
		p->binding.text_len = (uint8_t)n;
		p->binding.flags |= VSIM_BIND_F_DISPLAY;
		return 1;
	case K_ISIM_IMPI:
		return isim_text(c, f, v, strlen(v), p->isim_impi);
	case K_ISIM_DOMAIN:
		return isim_text(c, f, v, strlen(v), p->isim_domain);
	case K_ISIM_IMPU:
		return isim_list(c, f, v, p->isim_impu, VSIM_FS_IMPU_RECORDS,
				 &p->isim_impu_count);
	case K_ISIM_PCSCF:
		if (!isim_list(c, f, v, p->isim_pcscf, VSIM_FS_PCSCF_RECORDS,
			       &p->isim_pcscf_count))
			return 0;
		return pcscf_check(c, p);
	case K_SUCI_SCHEME:
		if (!strcasecmp(v, "null"))
			p->suci.scheme = VSIM_SUCI_NULL;
		else if (!strcasecmp(v, "A") || !strcasecmp(v, "profile_a"))
			p->suci.scheme = VSIM_SUCI_PROFILE_A;
		else if (!strcasecmp(v, "B") || !strcasecmp(v, "profile_b"))
			p->suci.scheme = VSIM_SUCI_PROFILE_B;
		else
			return fail(c, c->line, "field 'scheme': '%s' (expected null, A or B)", v);
		return 1;
	case K_SUCI_KEY_ID:
		/* TS 24.501 §9.11.3.4: 0 belongs to the null scheme */
		if (parse_u64(c, f, v, 1, 255, &x))
			return 0;
		p->suci.key_id = (uint8_t)x;
		return 1;
	case K_SUCI_KEY:
		if (parse_hex(v, p->suci.key, sizeof(p->suci.key), &n, why, sizeof(why)))
			return fail(c, c->line, "field 'hn_public_key': %s", why);
		p->suci.key_len = (uint8_t)n;
		return 1;
	case K_SUCI_ROUTING:
		/* TS 23.003 §2.2B: 1 to 4 decimal digits */
		return digits_field(c, f, v, 1, 4, p->suci_routing) ? 0 : 1;
	case K_COUNT:
		break;
	}
	return 0;
}

/*
 * [suci] (docs/profile.md): the scheme, and for ECIES the key and its
 * identifier; the key must be a point of the scheme's curve.
 */
static int suci_finish(struct ctx *c)
{
	struct vsim_profile *p = c->p;
	struct vsim_image_suci *s = &p->suci;
	uint8_t norm[VSIM_SUCI_KEY_MAX];
	const char *why;
	size_t n = 0;

	if (!c->sect_line[S_SUCI])
		return 1;
	if (vsim_fs_tmpl_lookup(p->tmpl, "ADF.USIM/5FC0") < 0)
		return fail(c, c->sect_line[S_SUCI], "section [suci]: template '%s' has no DF_5GS (use template = complete)",
			    p->tmpl->name);
	if (!c->key_line[K_SUCI_SCHEME])
		return fail(c, c->sect_line[S_SUCI], "field 'scheme': missing in section [suci]");
	s->flags = VSIM_SUCI_F_ENABLED;
	if (s->scheme == VSIM_SUCI_NULL) {
		if (c->key_line[K_SUCI_KEY] || c->key_line[K_SUCI_KEY_ID])
			return fail(c, c->key_line[K_SUCI_KEY] ? c->key_line[K_SUCI_KEY] :
				    c->key_line[K_SUCI_KEY_ID],
				    "field '%s': the null scheme has no home network key",
				    c->key_line[K_SUCI_KEY] ? "hn_public_key" : "hn_key_id");
		return 1;
	}
	if (!c->key_line[K_SUCI_KEY])
		return fail(c, c->sect_line[S_SUCI], "field 'hn_public_key': missing in section [suci] (scheme %s)",
			    s->scheme == VSIM_SUCI_PROFILE_A ? "A" : "B");
	if (!c->key_line[K_SUCI_KEY_ID])
		return fail(c, c->sect_line[S_SUCI], "field 'hn_key_id': missing in section [suci]");
	why = vsim_host_ecies_key_check(s->scheme, s->key, s->key_len, norm, &n);
	if (why)
		return fail(c, c->key_line[K_SUCI_KEY], "field 'hn_public_key': %s", why);
	memset(s->key, 0, sizeof(s->key));
	memcpy(s->key, norm, n);
	s->key_len = (uint8_t)n;
	return 1;
}

/* The [binding] fields must fit together (docs/binding.md). */
static int binding_finish(struct ctx *c)
{
	struct vsim_image_binding *b = &c->p->binding;
	bool sv = b->flags & VSIM_BIND_F_IMEISV;
	int i, j;

	if (!c->sect_line[S_BINDING])
		return 1;
	if (!c->key_line[K_BIND_MODE])
		return fail(c, c->sect_line[S_BINDING], "field 'mode': missing in section [binding]");
	if (b->mode == VSIM_BIND_IMEI && !c->key_line[K_BIND_IMEI])
		return fail(c, c->key_line[K_BIND_MODE], "field 'imei': mode imei needs a list of IMEIs");
	if (b->mode == VSIM_BIND_PATTERN && !c->key_line[K_BIND_PATTERN])
		return fail(c, c->key_line[K_BIND_MODE], "field 'pattern': mode pattern needs a list of patterns");
	if (b->mode != VSIM_BIND_IMEI && c->key_line[K_BIND_IMEI])
		return fail(c, c->key_line[K_BIND_IMEI], "field 'imei': only for mode imei");
	if (b->mode != VSIM_BIND_PATTERN && c->key_line[K_BIND_PATTERN])
		return fail(c, c->key_line[K_BIND_PATTERN], "field 'pattern': only for mode pattern");
	for (i = 0; i < b->count && b->mode == VSIM_BIND_IMEI; i++) {
		j = (int)strnlen((const char *)b->entries[i], VSIM_BIND_DIGITS);
		if (j != (sv ? 16 : 14))
			return fail(c, c->key_line[K_BIND_IMEI], "field 'imei': entry %d has %d digits; compare = %s wants %s",
				    i + 1, j, sv ? "imeisv" : "imei",
				    sv ? "16 (IMEISV)" : "14 or 15 (IMEI)");
	}
	return 1;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct ctx *c = user;
	size_t i;

	(void)section;		/* the reader tracks sections itself */
	if (c->failed)
		return 0;
	if (c->sect == S_NONE)
		return fail(c, c->line, "field '%s' outside any section (start with [card], [auth], [pin] or [file PATH])",
			    name);
	if (!*value)
		return fail(c, c->line, "field '%s': empty value", name);
	if (c->sect == S_FILE && !c->binding_only)
		return file_key(c, name, value);
	if (c->binding_only && c->sect != S_BINDING)
		return fail(c, c->line, "field '%s': only [binding] fields belong here", name);
	if (c->sect == S_OTA)
		return 1;	/* checked by agent/ota/profile.c, not in the image */
	for (i = 0; i < K_COUNT; i++) {
		if (keys[i].sect != c->sect || strcmp(keys[i].name, name))
			continue;
		if (c->key_line[i])
			return fail(c, c->line, "field '%s': given twice (first at line %d)",
				    name, c->key_line[i]);
		c->key_line[i] = c->line;
		return set_key(c, (enum key)i, value);
	}
	return fail(c, c->line, "unknown field '%s' in section [%s]", name, sect_names[c->sect]);
}

static void defaults(struct ctx *c)
{
	struct vsim_profile *p = c->p;
	int i;

	memset(p, 0, sizeof(*p));
	p->spn_display = 0x00;
	p->amf[0] = 0x80;
	p->amf[1] = 0x00;
	p->sqn_ind_bits = 5;
	p->atr_len = (uint8_t)vsim_profile_default_atr(p->atr);
	p->tmpl = &vsim_fs_tmpl_default;
	strcpy(p->suci_routing, "0");	/* TS 23.003 §2.2B: none configured */
	for (i = 0; i < VSIM_PIN_COUNT; i++) {
		memset(p->pins[i].value, 0xFF, 8);
		memset(p->pins[i].puk, 0xFF, 8);
		p->pins[i].max_tries = VSIM_PROFILE_PIN_TRIES;
		p->pins[i].puk_max_tries = VSIM_PROFILE_PUK_TRIES;
	}
	p->pins[VSIM_PIN_IDX_ADM1].max_tries = VSIM_PROFILE_ADM_TRIES;
	p->pins[VSIM_PIN_IDX_ADM1].puk_max_tries = 0;
	c->pin_enabled[0] = c->pin_enabled[1] = true;
	c->pin_disable_ok[0] = c->pin_disable_ok[1] = true;
	c->file_idx = -1;
	c->next_line = 1;
}

static int finish(struct ctx *c)
{
	struct vsim_profile *p = c->p;
	int last = c->next_line > 1 ? c->next_line - 1 : 1;
	int i;

	if (c->line > last)
		last = c->line;
	if (c->binding_only) {
		if (!c->sect_line[S_BINDING])
			return fail(c, last, "section [binding] is missing");
		return binding_finish(c);
	}
	for (i = 0; i < K_COUNT; i++) {
		if (!keys[i].required || c->key_line[i])
			continue;
		if (c->sect_line[keys[i].sect])
			return fail(c, c->sect_line[keys[i].sect], "field '%s': missing in section [%s]",
				    keys[i].name, sect_names[keys[i].sect]);
		return fail(c, last, "field '%s': missing (section [%s] is absent)",
			    keys[i].name, sect_names[keys[i].sect]);
	}
	if (!c->key_line[K_OP] && !c->key_line[K_OPC])
		return fail(c, c->sect_line[S_AUTH], "field 'opc': missing in section [auth] (give exactly one of 'opc' or 'op')");
	if ((size_t)p->mnc_length + 3 > strlen(p->imsi))
		return fail(c, c->key_line[K_IMSI], "field 'imsi': shorter than MCC + %u-digit MNC",
			    p->mnc_length);
	if (c->key_line[K_OP]) {
		struct vsim_host_aes *aes = vsim_host_aes_new();

		if (!aes || vsim_host_aes_setkey(aes, p->k)) {
			vsim_host_aes_free(aes);
			return fail(c, c->key_line[K_OP], "field 'op': cannot compute OPc (AES setup failed)");
		}
		vsim_milenage_opc(vsim_host_aes_encrypt, aes, c->op, p->opc);
		vsim_host_aes_free(aes);
	}
	for (i = 0; i < 2; i++) {
		struct vsim_image_pin *pin = &p->pins[i == 0 ? VSIM_PIN_IDX_PIN1 : VSIM_PIN_IDX_PIN2];

		pin->flags = (c->pin_enabled[i] ? VSIM_PIN_F_ENABLED : 0) |
			     (c->pin_disable_ok[i] ? VSIM_PIN_F_DISABLE_OK : 0);
	}
	p->pins[VSIM_PIN_IDX_ADM1].flags = VSIM_PIN_F_ENABLED;
	if (c->sect_line[S_ISIM] && !vsim_fs_tmpl_has_isim(p->tmpl))
		return fail(c, c->sect_line[S_ISIM], "section [isim]: template '%s' has no ISIM (use template = complete)",
			    p->tmpl->name);
	if (!suci_finish(c))
		return 0;
	return binding_finish(c);
}

static int run(struct ctx *c)
{
	int old_max = ini_max_line;
	bool old_multi = ini_allow_multiline, old_stop = ini_stop_on_first_error;
	bool old_stack = ini_use_stack;
	int rc;

	ini_max_line = PROFILE_MAX_LINE;
	ini_allow_multiline = false;
	ini_stop_on_first_error = true;
	ini_use_stack = true;	/* a VLA of ini_max_line bytes */
	rc = ini_parse_stream(reader, c, handler, c);
	ini_max_line = old_max;
	ini_allow_multiline = old_multi;
	ini_stop_on_first_error = old_stop;
	ini_use_stack = old_stack;

	if (!c->failed && rc > 0)
		fail(c, rc, "syntax error (expected 'key = value', '[section]' or a comment)");
	else if (!c->failed && rc == -2)
		fail(c, c->line, "out of memory");
	if (!c->failed)
		finish(c);
	vsim_wipe(c->op, sizeof(c->op));
	if (c->failed) {
		vsim_profile_free(c->p);
		return -1;
	}
	return 0;
}

int vsim_profile_load(const char *path, struct vsim_profile *p, char *err, size_t errlen)
{
	struct ctx c = { .name = path, .err = err, .errlen = errlen, .p = p };
	int rc;

	defaults(&c);
	c.f = fopen(path, "r");
	if (!c.f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = run(&c);
	fclose(c.f);
	return rc;
}

int vsim_profile_parse_buffer(const char *name, const char *text, struct vsim_profile *p,
			      char *err, size_t errlen)
{
	struct ctx c = { .name = name, .buf = text, .err = err, .errlen = errlen, .p = p };

	defaults(&c);
	return run(&c);
}

int vsim_profile_parse_binding(const char *name, const char *text,
			       struct vsim_image_binding *b, char *err,
			       size_t errlen)
{
	struct vsim_profile p;
	struct ctx c = { .name = name, .buf = text, .err = err,
			 .errlen = errlen, .p = &p, .binding_only = true };
	int ret;

	defaults(&c);
	ret = run(&c);
	if (!ret)
		*b = p.binding;
	vsim_profile_free(&p);
	return ret;
}

void vsim_profile_free(struct vsim_profile *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n_overrides; i++) {
		vsim_wipe(p->overrides[i].data, p->overrides[i].len);
		free(p->overrides[i].data);
	}
	free(p->overrides);
	vsim_wipe(p, sizeof(*p));
}

/* ---- image builder ---- */

static uint8_t nib(char d)
{
	return (uint8_t)(d - '0');
}

/* Digits as swapped-nibble BCD (TS 102 221 §13.2, TS 31.102 §4.2.2), F-padded. */
static void bcd_swapped(const char *d, uint8_t *out, size_t outlen)
{
	size_t i, n = strlen(d);

	memset(out, 0xFF, outlen);
	for (i = 0; i < n && i / 2 < outlen; i++) {
		if (i % 2 == 0)
			out[i / 2] = (uint8_t)(0xF0 | nib(d[i]));
		else
			out[i / 2] = (uint8_t)((out[i / 2] & 0x0F) | nib(d[i]) << 4);
	}
}

/* EF_IMSI (TS 31.102 §4.2.2, TS 24.008 §10.5.1.4). */
static void enc_imsi(const char *imsi, uint8_t b[9])
{
	size_t n = strlen(imsi);

	memset(b, 0xFF, 9);
	b[0] = (uint8_t)((n + 2) / 2);	/* bytes for parity nibble + digits */
	b[1] = (uint8_t)(nib(imsi[0]) << 4 | (n % 2 ? 0x9 : 0x1));
	bcd_swapped(imsi + 1, b + 2, 7);
}

/* PLMN as in TS 24.008 §10.5.1.3: MCC2 MCC1, MNC3 MCC3, MNC2 MNC1. */
static void enc_plmn(const char *imsi, unsigned int mnc_len, uint8_t b[3])
{
	b[0] = (uint8_t)(nib(imsi[1]) << 4 | nib(imsi[0]));
	b[1] = (uint8_t)((mnc_len == 3 ? nib(imsi[5]) : 0xF) << 4 | nib(imsi[2]));
	b[2] = (uint8_t)(nib(imsi[4]) << 4 | nib(imsi[3]));
}

/*
 * The home network domain of TS 23.003 §13.2, from the IMSI:
 * ims.mnc<MNC, 3 digits>.mcc<MCC>.3gppnetwork.org
 */
static void isim_home_domain(const struct vsim_profile *p, char *out, size_t len)
{
	snprintf(out, len, "ims.mnc%s%.*s.mcc%.3s.3gppnetwork.org",
		 p->mnc_length == 2 ? "0" : "", (int)p->mnc_length, p->imsi + 3, p->imsi);
}

/* One TLV 80 (TS 31.103 §4.2.2-4.2.4: NAI / domain / URI). */
static void tlv80(uint8_t *b, const char *v)
{
	size_t n = strlen(v);

	b[0] = 0x80;
	b[1] = (uint8_t)n;
	memcpy(b + 2, v, n);
}

/* TS 31.103 §4.2.8: 80 L, address type (00 FQDN, 01 IPv4, 02 IPv6), address */
static void pcscf_record(uint8_t *b, const char *v)
{
	uint8_t a[16];
	size_t n = strlen(v);

	b[0] = 0x80;
	if (inet_pton(AF_INET, v, a) == 1) {
		b[1] = 5;
		b[2] = 0x01;
		memcpy(b + 3, a, 4);
	} else if (inet_pton(AF_INET6, v, a) == 1) {
		b[1] = 17;
		b[2] = 0x02;
		memcpy(b + 3, a, 16);
	} else {
		b[1] = (uint8_t)(1 + n);
		b[2] = 0x00;
		memcpy(b + 3, v, n);
	}
}

static void fill_content(const struct vsim_profile *p, const struct vsim_fs_tmpl *t,
			 const struct vsim_fs_entry *e, uint8_t *b)
{
	char dom[VSIM_PROFILE_ISIM_MAX + 1], id[2 * VSIM_PROFILE_ISIM_MAX];
	size_t i, n, len, rec = 0;
	const uint8_t *r;

	switch (e->content) {
	case VSIM_FS_C_DIR:
		/* TS 102 221 §13.1: one record 61 L { 4F AID, 50 label } per ADF */
		for (i = 0; i < t->count && rec < e->records; i++) {
			const struct vsim_fs_entry *a = &t->files[i];
			const char *label = a->label ? a->label : t->app_label;
			size_t ll = strlen(label);
			uint8_t *d;

			if (a->type != VSIM_FILE_ADF)
				continue;
			d = b + rec++ * e->record_length;
			d[0] = 0x61;
			d[1] = (uint8_t)(2 + 16 + 2 + ll);
			d[2] = 0x4F;
			d[3] = 16;
			memcpy(d + 4, a->aid ? a->aid : vsim_usim_aid, 16);
			d[20] = 0x50;
			d[21] = (uint8_t)ll;
			memcpy(d + 22, label, ll);
		}
		break;
	case VSIM_FS_C_IMPI:
		/* TS 23.003 §13.3: the IMSI-derived private identity by default */
		isim_home_domain(p, dom, sizeof(dom));
		snprintf(id, sizeof(id), "%s@%s", p->imsi, dom);
		tlv80(b, p->isim_impi[0] ? p->isim_impi : id);
		break;
	case VSIM_FS_C_DOMAIN:
		isim_home_domain(p, dom, sizeof(dom));
		tlv80(b, p->isim_domain[0] ? p->isim_domain : dom);
		break;
	case VSIM_FS_C_IMPU:
		/* TS 23.003 §13.4B: the temporary public identity by default */
		isim_home_domain(p, dom, sizeof(dom));
		snprintf(id, sizeof(id), "sip:%s@%s", p->imsi, dom);
		if (!p->isim_impu_count)
			tlv80(b, id);
		for (i = 0; i < p->isim_impu_count; i++)
			tlv80(b + i * e->record_length, p->isim_impu[i]);
		break;
	case VSIM_FS_C_PCSCF:
		for (i = 0; i < p->isim_pcscf_count; i++)
			pcscf_record(b + i * e->record_length, p->isim_pcscf[i]);
		break;
	case VSIM_FS_C_IST:
		memset(b, 0, e->size);
		for (i = 0; i < t->ist_count; i++) {
			unsigned int s = t->ist[i] - 1u;

			b[s / 8] |= (uint8_t)(1u << (s % 8));
		}
		break;
	case VSIM_FS_C_ARR:
		for (i = 1; i <= e->records; i++) {
			r = vsim_fs_rule_bytes((unsigned int)i, &len);
			if (r)
				memcpy(b + (i - 1) * e->record_length, r, len);
		}
		break;
	case VSIM_FS_C_ICCID:
		bcd_swapped(p->iccid, b, 10);
		break;
	case VSIM_FS_C_IMSI:
		enc_imsi(p->imsi, b);
		break;
	case VSIM_FS_C_AD:
		b[3] = p->mnc_length;
		break;
	case VSIM_FS_C_SPN:
		b[0] = p->spn_display;
		for (i = 0; p->spn[i]; i++)
			b[1 + i] = (uint8_t)gsm7((unsigned char)p->spn[i]);
		break;
	case VSIM_FS_C_MSISDN: {
		/* TS 31.102 §4.2.26: alpha (X bytes), len, TON/NPI, 10 BCD, CCP2, EXT5 */
		const char *d = p->msisdn;
		size_t x = e->record_length - 14u;
		bool intl = d[0] == '+';

		if (!*d)
			break;
		if (intl)
			d++;
		n = strlen(d);
		b[x] = (uint8_t)(1 + (n + 1) / 2);
		b[x + 1] = intl ? 0x91 : 0x81;
		bcd_swapped(d, b + x + 2, 10);
		break;
	}
	case VSIM_FS_C_UST:
		memset(b, 0, e->size);
		for (i = 0; i < t->ust_count; i++) {
			unsigned int s = t->ust[i] - 1u;

			b[s / 8] |= (uint8_t)(1u << (s % 8));
		}
		/* 125: SUCI calculation by the USIM (GET IDENTITY), with [suci] */
		if ((p->suci.flags & VSIM_SUCI_F_ENABLED) && e->size >= 16)
			b[124 / 8] |= 1u << (124 % 8);
		break;
	case VSIM_FS_C_SUCI_INFO: {
		/*
		 * TS 31.102 §4.4.11.8: A0 {scheme id, key index} (index 1 names
		 * the first A1 entry, 0 for the null scheme), A1 {80 id, 81 key}.
		 * Without [suci]: the null scheme alone.
		 */
		const struct vsim_image_suci *sc = &p->suci;
		bool key = (sc->flags & VSIM_SUCI_F_ENABLED) && sc->scheme != VSIM_SUCI_NULL;

		b[0] = 0xA0;
		b[1] = 2;
		b[2] = key ? sc->scheme : VSIM_SUCI_NULL;
		b[3] = key ? 1 : 0;
		if (!key)
			break;
		b[4] = 0xA1;
		b[5] = (uint8_t)(3 + 2 + sc->key_len);
		b[6] = 0x80;
		b[7] = 1;
		b[8] = sc->key_id;
		b[9] = 0x81;
		b[10] = sc->key_len;
		memcpy(b + 11, sc->key, sc->key_len);
		break;
	}
	case VSIM_FS_C_ROUTING:
		/* TS 31.102 §4.4.11.11: 2 bytes BCD (TS 24.501 §9.11.3.4), 2 RFU */
		bcd_swapped(p->suci_routing, b, 2);
		break;
	case VSIM_FS_C_SST:
		memset(b, 0, e->size);
		for (i = 0; i < t->sst_count; i++) {
			unsigned int s = t->sst[i] - 1u;

			/* allocated (b1) and activated (b2) per service */
			b[s / 4] |= (uint8_t)(3u << (2 * (s % 4)));
		}
		break;
	case VSIM_FS_C_ACC: {
		/* TS 22.011 §4.2: access class = last IMSI digit */
		unsigned int cls = (unsigned int)nib(p->imsi[strlen(p->imsi) - 1]);

		b[0] = cls >= 8 ? (uint8_t)(1u << (cls - 8)) : 0;
		b[1] = cls < 8 ? (uint8_t)(1u << cls) : 0;
		break;
	}
	default:
		break;
	}
}

/*
 * A BER-TLV EF's body (TS 102 221 §11.3): the template's objects, then
 * each object.TAG of its [file] section in the profile's order, replacing
 * an object of the same tag; FF after the last. -1 when they do not fit.
 */
static int bertlv_body(const struct vsim_profile *p, size_t idx,
		       const struct vsim_fs_entry *e, uint8_t *b, size_t sz,
		       char *err, size_t errlen)
{
	size_t used = e->init_len, off, n, need, j;

	for (j = 0; j < p->n_overrides; j++) {
		const struct vsim_profile_override *o = &p->overrides[j];

		if ((size_t)o->file != idx || !o->tag_len)
			continue;
		for (off = 0; off < used; off += n) {
			n = bertlv_object_len(b + off, used - off);
			if (!n)
				break;
			if (bertlv_tag_len(b + off, n) == o->tag_len &&
			    !memcmp(b + off, o->tag, o->tag_len)) {
				memmove(b + off, b + off + n, used - off - n);
				used -= n;
				memset(b + used, 0xFF, n);
				break;
			}
		}
		need = o->tag_len + (o->len < 0x80 ? 1 : o->len < 0x100 ? 2 : 3) + o->len;
		if (used + need > sz) {
			snprintf(err, errlen, "line %d: data objects of %s do not fit: %zu bytes, the file holds %zu",
				 o->line, e->name, used + need, sz);
			return -1;
		}
		memcpy(b + used, o->tag, o->tag_len);
		used += o->tag_len;
		used += der_put(b + used, o->len);
		memcpy(b + used, o->data, o->len);
		used += o->len;
	}
	return 0;
}

int vsim_profile_build_image(const struct vsim_profile *p, uint8_t **image, size_t *len,
			     char *err, size_t errlen)
{
	const struct vsim_fs_tmpl *t = p->tmpl ? p->tmpl : &vsim_fs_tmpl_default;
	size_t nf = t->count, data = 0, total, i, j, off;
	struct vsim_image_header *h;
	struct vsim_image_file *ft;
	uint8_t *img, *d;

	for (i = 0; i < nf; i++)
		data += vsim_fs_body_size(&t->files[i]);
	total = sizeof(*h) + nf * sizeof(*ft) + data;
	if (data > VSIM_IMAGE_MAX_DATA || total > VSIM_IMAGE_MAX_SIZE || nf > VSIM_IMAGE_MAX_FILES) {
		snprintf(err, errlen, "image too large (%zu bytes of file data, %zu in all)", data, total);
		return -1;
	}
	img = calloc(1, total);
	if (!img) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	h = (struct vsim_image_header *)img;
	ft = (struct vsim_image_file *)(img + sizeof(*h));
	d = img + sizeof(*h) + nf * sizeof(*ft);

	h->magic = VSIM_IMAGE_MAGIC;
	h->version = VSIM_IMAGE_VERSION;
	h->header_size = sizeof(*h);
	h->total_size = (__u32)total;
	h->flags = 0;
	h->atr_len = p->atr_len;
	memcpy(h->atr, p->atr, p->atr_len);
	h->sqn_ind_bits = p->sqn_ind_bits;
	h->file_count = (__u16)nf;
	memcpy(h->k, p->k, 16);
	memcpy(h->opc, p->opc, 16);
	h->sqn_delta = p->sqn_delta;
	h->sqn_limit = p->sqn_limit;
	memcpy(h->pins, p->pins, sizeof(h->pins));
	h->binding = p->binding;
	h->suci = p->suci;
	if (p->suci.flags & VSIM_SUCI_F_ENABLED)
		bcd_swapped(p->suci_routing, h->suci.routing, 2);
	h->data_size = (__u32)data;

	for (i = 0, off = 0; i < nf; i++) {
		const struct vsim_fs_entry *e = &t->files[i];
		struct vsim_image_file *f = &ft[i];
		size_t sz = vsim_fs_body_size(e);
		uint8_t *b = d + off;

		f->fid = e->fid;
		f->parent = e->parent;
		f->type = e->type;
		f->structure = e->structure;
		f->sfi = e->sfi;
		f->flags = e->flags & (VSIM_FILE_F_DEACTIVATED | VSIM_FILE_F_INCREASE);
		f->arr_fid = vsim_fs_tmpl_arr_fid(t, i);
		f->arr_record = f->arr_fid ? e->rule : 0;
		f->record_length = e->record_length;
		f->size = (__u32)sz;
		f->data_offset = sz ? (__u32)off : 0;
		if (e->type == VSIM_FILE_ADF) {
			f->aid_len = sizeof(vsim_usim_aid);
			memcpy(f->aid, e->aid ? e->aid : vsim_usim_aid, sizeof(vsim_usim_aid));
		}
		if (!sz)
			continue;
		memset(b, 0xFF, sz);
		if (e->init && (e->flags & VSIM_FS_INIT_EACH)) {
			for (j = 0; j < e->records; j++)
				memcpy(b + j * e->record_length, e->init, e->init_len);
		} else if (e->init) {
			memcpy(b, e->init, e->init_len);
		}
		if (e->plmn_at)
			enc_plmn(p->imsi, p->mnc_length, b + e->plmn_at - 1);
		fill_content(p, t, e, b);
		if (e->structure == VSIM_EF_BER_TLV &&
		    bertlv_body(p, i, e, b, sz, err, errlen)) {
			free(img);
			return -1;
		}
		for (j = 0; j < p->n_overrides; j++) {
			const struct vsim_profile_override *o = &p->overrides[j];
			uint8_t *t;
			size_t room;

			if ((size_t)o->file != i || o->tag_len)
				continue;
			t = o->record ? b + (o->record - 1) * e->record_length : b;
			room = o->record ? e->record_length : sz;
			memset(t, 0xFF, room);
			memcpy(t, o->data, o->len);
		}
		off += sz;
	}
	*image = img;
	*len = total;
	return 0;
}

int vsim_profile_compile_buffer(const char *name, const char *text, uint8_t **image,
				size_t *len, char *err, size_t errlen)
{
	struct vsim_profile p;
	int rc;

	if (vsim_profile_parse_buffer(name, text, &p, err, errlen))
		return -1;
	rc = vsim_profile_build_image(&p, image, len, err, errlen);
	vsim_profile_free(&p);
	return rc;
}

int vsim_profile_compile(const char *path, uint8_t **image, size_t *len, char *err,
			 size_t errlen)
{
	struct vsim_profile p;
	int rc;

	if (vsim_profile_load(path, &p, err, errlen))
		return -1;
	rc = vsim_profile_build_image(&p, image, len, err, errlen);
	vsim_profile_free(&p);
	return rc;
}
