// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsimctl binding show|reset|set: local administration of the IMEI lock
 * through the card's own BINDING ADMIN command (CLA 80 INS 3B,
 * docs/binding.md), after VERIFY ADM1 where a change is asked for.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/profile.h"
#include "common/terminal.h"
#include "vsimctl/vsimctl.h"

static int send(struct vsim_terminal *t, const uint8_t *c, size_t len,
		uint8_t *r)
{
	int n = vsim_terminal_transmit(t, c, len, r, VSIM_RAPDU_MAX);

	if (n < 2)
		perror("vsimctl binding: transmit");
	return n;
}

/* ADM1 as the card compares it: 4..8 digits padded with FF, or 16 hex. */
static int adm_bytes(const char *s, uint8_t out[8])
{
	size_t n = strlen(s), i;

	memset(out, 0xff, 8);
	if (n == 16) {
		for (i = 0; i < 8; i++)
			if (sscanf(s + 2 * i, "%2hhx", &out[i]) != 1 ||
			    !isxdigit((unsigned char)s[2 * i]) ||
			    !isxdigit((unsigned char)s[2 * i + 1]))
				return -1;
		return 0;
	}
	if (n < 4 || n > 8)
		return -1;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		out[i] = (uint8_t)s[i];
	}
	return 0;
}

static int verify_adm(struct vsim_terminal *t, const char *adm)
{
	uint8_t c[13] = { 0x00, 0x20, 0x00, 0x0a, 0x08 }, r[VSIM_RAPDU_MAX];
	int n;

	if (adm_bytes(adm, c + 5)) {
		fprintf(stderr, "vsimctl binding: --adm: expected 4-8 digits or 16 hex digits\n");
		return 2;
	}
	n = send(t, c, sizeof(c), r);
	memset(c, 0, sizeof(c));
	if (n < 2)
		return 1;
	if ((r[n - 2] << 8 | r[n - 1]) == 0x9000 || r[n - 2] == 0x91)
		return 0;
	if (r[n - 2] == 0x63)
		fprintf(stderr, "vsimctl binding: ADM1 refused (%d attempts left)\n",
			r[n - 1] & 0x0f);
	else
		fprintf(stderr, "vsimctl binding: ADM1 refused (SW %02X%02X)\n",
			r[n - 2], r[n - 1]);
	return 1;
}

static int show(struct vsim_terminal *t)
{
	static const uint8_t q[] = { 0x80, 0x3b, 0x00, 0x00, 0x00 };
	static const char *const modes[] = {
		"off", "first-terminal", "imei", "pattern",
	};
	uint8_t r[VSIM_RAPDU_MAX];
	int n = send(t, q, sizeof(q), r), i;

	if (n < 2)
		return 1;
	if (r[n - 2] != 0x90 && r[n - 2] != 0x91) {
		fprintf(stderr, "vsimctl binding: the card answered %02X%02X\n",
			r[n - 2], r[n - 1]);
		return 1;
	}
	for (i = 0; i + 2 <= n - 2; i += 2 + r[i + 1]) {
		const uint8_t *v = r + i + 2;

		switch (r[i]) {
		case 0x80:
			printf("mode: %s\n", v[0] < 4 ? modes[v[0]] : "?");
			break;
		case 0x81:
			printf("compare: %s\n",
			       (v[0] & VSIM_BIND_F_IMEISV) ? "imeisv" : "imei");
			printf("unsupported_terminal: %s\n",
			       (v[0] & VSIM_BIND_F_ALLOW_NO_CAT) ? "allow" : "deny");
			break;
		case 0x82:
			printf("bound: %s\n", v[0] ? "yes" : "no");
			break;
		case 0x85:
			printf("imei: %.*s\n", (int)strnlen((const char *)v, r[i + 1]),
			       (const char *)v);
			break;
		}
	}
	return 0;
}

static int change(struct vsim_terminal *t, uint8_t p1, const void *data,
		  uint8_t len)
{
	uint8_t c[5 + 255] = { 0x80, 0x3b, p1, 0x00, len }, r[VSIM_RAPDU_MAX];
	size_t clen = len ? 5u + len : 4u;
	int n;

	memcpy(c + 5, data, len);
	n = send(t, c, clen, r);
	if (n < 2)
		return 1;
	if (r[n - 2] == 0x90 || r[n - 2] == 0x91)
		return 0;
	fprintf(stderr, "vsimctl binding: the card refused the change (SW %02X%02X)\n",
		r[n - 2], r[n - 1]);
	return 1;
}

static void usage(void)
{
	fputs("usage: vsimctl binding show  --profile FILE [--state DIR | --device DEV] [--adm KEY]\n"
	      "       vsimctl binding reset --profile FILE [--state DIR | --device DEV] --adm KEY\n"
	      "       vsimctl binding set   --profile FILE [--state DIR | --device DEV] --adm KEY\n"
	      "                             --mode MODE [--imei LIST] [--pattern LIST]\n"
	      "                             [--compare imei|imeisv] [--unsupported deny|allow]\n"
	      "                             [--text TEXT]\n", stderr);
}

int vsimctl_binding(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "state", required_argument, NULL, 's' },
		{ "device", required_argument, NULL, 'd' },
		{ "adm", required_argument, NULL, 'a' },
		{ "mode", required_argument, NULL, 'm' },
		{ "imei", required_argument, NULL, 'i' },
		{ "pattern", required_argument, NULL, 't' },
		{ "compare", required_argument, NULL, 'c' },
		{ "unsupported", required_argument, NULL, 'u' },
		{ "text", required_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 }
	};
	const char *profile = NULL, *state = NULL, *device = NULL, *adm = NULL;
	char set[1024] = "[binding]\n", err[512];
	struct vsim_image_binding cfg;
	struct vsim_terminal t;
	const char *what;
	uint8_t atr[VSIM_ATR_MAX];
	int c, ret;
	size_t used;

	if (argc < 2) {
		usage();
		return 2;
	}
	what = argv[1];
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "p:s:d:a:m:i:t:c:u:x:", opts, NULL)) != -1) {
		const char *key = NULL;

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
		case 'a':
			adm = optarg;
			break;
		case 'm':
			key = "mode";
			break;
		case 'i':
			key = "imei";
			break;
		case 't':
			key = "pattern";
			break;
		case 'c':
			key = "compare";
			break;
		case 'u':
			key = "unsupported_terminal";
			break;
		case 'x':
			key = "refusal_text";
			break;
		default:
			usage();
			return 2;
		}
		if (key) {
			used = strlen(set);
			if (strchr(optarg, '\n') ||
			    (size_t)snprintf(set + used, sizeof(set) - used,
					     "%s = %s\n", key, optarg) >= sizeof(set) - used) {
				fprintf(stderr, "vsimctl binding: --%s: value too long or has a newline\n",
					key);
				return 2;
			}
		}
	}
	if (!profile || optind != argc ||
	    (strcmp(what, "show") && strcmp(what, "reset") && strcmp(what, "set"))) {
		usage();
		return 2;
	}
	if (strcmp(what, "show") && !adm) {
		fprintf(stderr, "vsimctl binding %s: --adm KEY is required\n", what);
		return 2;
	}
	if (!strcmp(what, "set") &&
	    vsim_profile_parse_binding("vsimctl binding set", set, &cfg, err, sizeof(err))) {
		fprintf(stderr, "vsimctl: %s\n", err);
		return 2;
	}
	if (vsim_terminal_open(&t, device, profile, state, err, sizeof(err))) {
		fprintf(stderr, "vsimctl: %s\n", err);
		return 1;
	}
	ret = vsim_terminal_power_on(&t, atr, sizeof(atr)) < 0;
	if (!ret && adm)
		ret = verify_adm(&t, adm);
	if (!ret) {
		if (!strcmp(what, "show"))
			ret = show(&t);
		else if (!strcmp(what, "reset"))
			ret = change(&t, 0x01, NULL, 0);
		else
			ret = change(&t, 0x02, &cfg, sizeof(cfg));
	}
	if (!ret && strcmp(what, "show"))
		printf("binding %s: done\n", what);
	vsim_terminal_close(&t);
	return ret;
}
