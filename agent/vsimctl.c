// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsimctl: the command line for vsim cards.
 *   vsimctl compile --profile FILE -o IMAGE
 *   vsimctl exec --profile FILE [--state DIR] [--script FILE] [APDU...]
 * exec runs the card in this process and prints one R-APDU per C-APDU.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "card_host.h"
#include "profile.h"

#define ERRLEN 512
/* Oversized APDUs go to the card as given: it must answer them (6700). */
#define VSIMCTL_APDU_MAX 4096

static void usage(FILE *f)
{
	fputs("usage: vsimctl compile --profile FILE -o IMAGE\n"
	      "       vsimctl exec --profile FILE [--state DIR] [--script FILE] [APDU...]\n"
	      "\n"
	      "exec powers the card on, sends each APDU (hex, spaces allowed) and\n"
	      "prints each R-APDU in hex (data then SW), one line each. It never\n"
	      "sends GET RESPONSE by itself. --state DIR keeps the card's durable\n"
	      "state between runs; --script FILE reads APDUs one per line (# comments).\n",
	      f);
}

/*
 * Parse hex with optional white space. Returns the byte count, or -1 with
 * @why saying what is wrong; only non-hex input is refused, never a shape.
 */
static int parse_hex(const char *s, uint8_t *out, size_t max, const char **why)
{
	size_t n = 0;
	int hi = -1, v;

	for (; *s; s++) {
		if (isspace((unsigned char)*s))
			continue;
		if (!isxdigit((unsigned char)*s)) {
			*why = "not a hex digit";
			return -1;
		}
		v = isdigit((unsigned char)*s) ? *s - '0' :
		    tolower((unsigned char)*s) - 'a' + 10;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == max) {
			*why = "longer than 4096 bytes";
			return -1;
		}
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0) {
		*why = "odd number of hex digits";
		return -1;
	}
	return (int)n;
}

static int cmd_compile(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	const char *profile = NULL, *out = NULL;
	char err[ERRLEN];
	uint8_t *img;
	size_t len;
	int c, fd, ret = 1;

	while ((c = getopt_long(argc, argv, "p:o:", opts, NULL)) != -1) {
		if (c == 'p')
			profile = optarg;
		else if (c == 'o')
			out = optarg;
		else
			return 2;
	}
	if (!profile || !out || optind != argc) {
		fprintf(stderr, "vsimctl compile: need --profile FILE and -o IMAGE\n");
		return 2;
	}
	if (vsim_profile_compile(profile, &img, &len, err, sizeof(err))) {
		fprintf(stderr, "vsimctl: %s\n", err);
		return 1;
	}
	/* the image holds K and OPc: owner-only */
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, img, len) != (ssize_t)len) {
		fprintf(stderr, "vsimctl: %s: %s\n", out, strerror(errno));
	} else {
		ret = 0;
	}
	if (fd >= 0)
		close(fd);
	memset(img, 0, len);
	free(img);
	return ret;
}

static void print_hex(const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf("%02X", b[i]);
	putchar('\n');
}

/* Send one hex APDU; returns 0, or 1 after reporting bad input. */
static int exec_one(struct vsim_host_card *h, const char *hex,
		    const char *where)
{
	uint8_t capdu[VSIMCTL_APDU_MAX], rapdu[VSIM_RAPDU_MAX];
	const char *why;
	int n = parse_hex(hex, capdu, sizeof(capdu), &why);

	if (n < 0) {
		fprintf(stderr, "vsimctl: %s: %s\n", where, why);
		return 1;
	}
	print_hex(rapdu, vsim_card_transact(h->card, capdu, (size_t)n, rapdu));
	return 0;
}

static int exec_script(struct vsim_host_card *h, const char *path)
{
	char *line = NULL, where[300];
	size_t cap = 0;
	unsigned int lineno = 0;
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	int ret = 0;

	if (!f) {
		fprintf(stderr, "vsimctl: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (!ret && getline(&line, &cap, f) > 0) {
		char *hash = strchr(line, '#'), *p = line;

		lineno++;
		if (hash)
			*hash = '\0';
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			continue;
		snprintf(where, sizeof(where), "%s:%u", path, lineno);
		ret = exec_one(h, p, where);
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return ret;
}

static int cmd_exec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "state", required_argument, NULL, 's' },
		{ "script", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	const char *profile = NULL, *state = NULL, *script = NULL;
	struct vsim_host_card h;
	char err[ERRLEN], where[32];
	uint8_t *img, atr[VSIM_ATR_MAX];
	size_t len;
	int c, i, ret = 0;

	while ((c = getopt_long(argc, argv, "p:s:f:", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			profile = optarg;
			break;
		case 's':
			state = optarg;
			break;
		case 'f':
			script = optarg;
			break;
		default:
			return 2;
		}
	}
	if (!profile) {
		fprintf(stderr, "vsimctl exec: --profile FILE is required\n");
		return 2;
	}
	/* Refuse bad hex before the card (and its state) is touched. */
	for (i = optind; i < argc; i++) {
		uint8_t tmp[VSIMCTL_APDU_MAX];
		const char *why;

		if (parse_hex(argv[i], tmp, sizeof(tmp), &why) < 0) {
			fprintf(stderr, "vsimctl: APDU %d: %s\n", i - optind + 1,
				why);
			return 2;
		}
	}
	if (vsim_profile_compile(profile, &img, &len, err, sizeof(err))) {
		fprintf(stderr, "vsimctl: %s\n", err);
		return 1;
	}
	ret = vsim_host_card_open(&h, img, len, state, err, sizeof(err));
	memset(img, 0, len);
	free(img);
	if (ret) {
		fprintf(stderr, "vsimctl: %s\n", err);
		return 1;
	}
	vsim_card_power_on(h.card, atr, sizeof(atr));
	for (i = optind; i < argc && !ret; i++) {
		snprintf(where, sizeof(where), "APDU %d", i - optind + 1);
		ret = exec_one(&h, argv[i], where);
	}
	if (!ret && script)
		ret = exec_script(&h, script);
	vsim_card_power_off(h.card);
	vsim_host_card_close(&h);
	if (fflush(stdout))
		ret = 1;
	return ret;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "compile"))
		return cmd_compile(argc - 1, argv + 1);
	if (!strcmp(argv[1], "exec"))
		return cmd_exec(argc - 1, argv + 1);
	fprintf(stderr, "vsimctl: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
