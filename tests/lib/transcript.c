// SPDX-License-Identifier: GPL-2.0-only
/*
 * Golden transcript player (format in transcript.h): sends each "> "
 * line through the caller's transmit hook and compares with the "< " line.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transcript.h"

#define MAXBYTES 300

/* Hex with spaces; "..": any byte (mask 0). Returns the count or -1. */
static int parse(const char *s, uint8_t *v, uint8_t *mask)
{
	int n = 0;

	while (*s) {
		if (isspace((unsigned char)*s)) {
			s++;
			continue;
		}
		if (n == MAXBYTES || !s[1])
			return -1;
		if (s[0] == '.' && s[1] == '.') {
			v[n] = 0;
			mask[n++] = 0;
		} else if (isxdigit((unsigned char)s[0]) &&
			   isxdigit((unsigned char)s[1])) {
			char b[3] = { s[0], s[1], 0 };

			v[n] = (uint8_t)strtoul(b, NULL, 16);
			mask[n++] = 0xff;
		} else {
			return -1;
		}
		s += 2;
	}
	return n;
}

static void hex(char *out, size_t len, const uint8_t *b, size_t n)
{
	size_t i, o = 0;

	out[0] = 0;
	for (i = 0; i < n && o + 3 < len; i++)
		o += (size_t)snprintf(out + o, len - o, "%02X", b[i]);
}

static FILE *open_lines(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");

	if (!f)
		snprintf(err, errlen, "%s: cannot open", path);
	return f;
}

int transcript_image(const char *path, char *buf, size_t len)
{
	char *line = NULL, err[64];
	size_t cap = 0;
	FILE *f = open_lines(path, err, sizeof(err));

	snprintf(buf, len, "test-usim");
	if (!f)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		char name[128];

		if (sscanf(line, "image %127s", name) == 1) {
			snprintf(buf, len, "%s", name);
			break;
		}
	}
	free(line);
	fclose(f);
	return 0;
}

int transcript_run(const char *path, const struct transcript_ops *ops,
		   void *ctx, char *err, size_t errlen)
{
	uint8_t cap[MAXBYTES], cmask[MAXBYTES], want[MAXBYTES], mask[MAXBYTES];
	uint8_t got[MAXBYTES];
	char *line = NULL, a[2 * MAXBYTES + 1], b[2 * MAXBYTES + 1];
	size_t linecap = 0, glen;
	int lineno = 0, clen = -1, wlen, i, checked = 0;
	FILE *f = open_lines(path, err, errlen);

	if (!f)
		return -1;
	glen = sizeof(got);
	if (ops->reset(ctx, got, &glen)) {
		snprintf(err, errlen, "%s: initial power-on failed", path);
		goto fail;
	}
	while (getline(&line, &linecap, f) > 0) {
		char *p = line;

		lineno++;
		line[strcspn(line, "\r\n")] = 0;
		while (isspace((unsigned char)*p))
			p++;
		if (!*p || *p == '#' || !strncmp(p, "image ", 6))
			continue;
		if (!strncmp(p, "reset", 5)) {
			glen = sizeof(got);
			if (ops->reset(ctx, got, &glen))
				goto io_fail;
			wlen = parse(p + 5, want, mask);
			if (wlen < 0)
				goto syntax;
			if (wlen && ((size_t)wlen != glen ||
				     memcmp(want, got, glen))) {
				hex(a, sizeof(a), want, (size_t)wlen);
				hex(b, sizeof(b), got, glen);
				snprintf(err, errlen, "%s:%d: ATR %s, expected %s",
					 path, lineno, b, a);
				goto fail;
			}
			continue;
		}
		if (p[0] == '>' ) {
			clen = parse(p + 1, cap, cmask);
			if (clen < 0)
				goto syntax;
			continue;
		}
		if (p[0] != '<' || clen < 0)
			goto syntax;
		wlen = parse(p + 1, want, mask);
		if (wlen < 2)
			goto syntax;
		glen = sizeof(got);
		if (ops->transmit(ctx, cap, (size_t)clen, got, &glen))
			goto io_fail;
		clen = -1;
		checked++;
		if ((size_t)wlen == glen) {
			for (i = 0; i < wlen; i++)
				if ((got[i] & mask[i]) != want[i])
					break;
			if (i == wlen)
				continue;
		}
		hex(b, sizeof(b), got, glen);
		snprintf(err, errlen, "%s:%d: got %s, expected %s", path,
			 lineno, b, p + 1);
		goto fail;
	}
	free(line);
	fclose(f);
	return checked;
syntax:
	snprintf(err, errlen, "%s:%d: cannot parse '%s'", path, lineno, line);
	goto fail;
io_fail:
	snprintf(err, errlen, "%s:%d: the card did not answer", path, lineno);
fail:
	free(line);
	fclose(f);
	return -1;
}
