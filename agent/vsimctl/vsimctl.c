// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsimctl: the command line for vsim cards.
 *   vsimctl compile --profile FILE -o IMAGE | --list
 *   vsimctl exec --profile FILE [--state DIR] [--script FILE] [APDU...]
 *   vsimctl exec --device /dev/vsimN [--script FILE] [APDU...]
 *   vsimctl list|status CARD|add PROFILE|remove CARD|trace CARD [--json]
 *   vsimctl term --profile FILE --imei IMEI [...]   (vsimctl/term.c)
 *   vsimctl binding show|reset|set ...              (vsimctl/binding.c)
 *   vsimctl ota wrap|por|send|download|show ...      (vsimctl/ota.c)
 *   vsimctl pcscd run|bankd-slots GROUP ...          (vsimctl/pcscd.c)
 * exec runs the card in this process and prints one R-APDU per C-APDU;
 * list..trace talk to a running vsimd over its control socket (control.h).
 *
 * The part agent/vsimctl/, the CLI: this main, its sub-commands
 * (term.c, binding.c, ota.c, pcscd.c) and the control client (ctlclient.c). It
 * may use ota-server/, ota/, common/ and the engine; the daemon only
 * over its socket, never its headers (layers.conf).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/card_host.h"
#include "common/fs_template.h"
#include "common/profile.h"
#include "common/terminal.h"
#include "ota/host.h"
#include "ota/profile.h"
#include "vsimctl/ctlclient.h"
#include "vsimctl/vsimctl.h"

/* vsimd's slots (agent/vsimd/vsimd.h: VSIMD_MAX_CARDS - 1); it checks too */
#define VSIMCTL_SLOT_MAX	4095

#define ERRLEN 512
#define DEFAULT_SOCKET "/run/vsim/vsimd.sock"
/* Oversized APDUs go to the card as given: it must answer them (6700). */
#define VSIMCTL_APDU_MAX 4096

static void usage(FILE *f)
{
	fputs("usage: vsimctl --help | --version\n"
	      "       vsimctl compile --profile FILE -o IMAGE | --list\n"
	      "       vsimctl exec --profile FILE [--state DIR] [--script FILE] [APDU...]\n"
	      "       vsimctl exec --device /dev/vsimN [--script FILE] [APDU...]\n"
	      "       vsimctl term --profile FILE --imei IMEI [--raw-imei] [--no-cat]\n"
	      "                    [--state DIR | --device /dev/vsimN]\n"
	      "                    [--request APP --server DIR --catalogue FILE]\n"
	      "       vsimctl binding show|reset|set --profile FILE [--state DIR] [--adm KEY] ...\n"
	      "       vsimctl ota wrap|por|send|download|show ...   (docs/ota.md)\n"
	      "       vsimctl app request --profile FILE --server DIR --catalogue FILE APP\n"
	      "       vsimctl app request CARD APP [--json]   (a card of vsimd)\n"
	      "\n"
	      "exec powers the card on, sends each APDU (hex, spaces allowed) and\n"
	      "prints each R-APDU in hex (data then SW), one line each. It never\n"
	      "sends GET RESPONSE by itself. --state DIR keeps the card's durable\n"
	      "state between runs; --script FILE reads APDUs one per line (# comments).\n"
	      "\n"
	      "Talking to vsimd (socket --socket PATH, $VSIM_SOCKET, or " DEFAULT_SOCKET ";\n"
	      "an answer is awaited --timeout SECONDS, default 30):\n"
	      "       vsimctl list [--json]\n"
	      "       vsimctl status CARD [--json]\n"
	      "       vsimctl add PROFILE [--name NAME] [--slot N] [--vpcd HOST:PORT] [--json]\n"
	      "       vsimctl remove CARD [--json]\n"
	      "       vsimctl trace CARD [--json]     (live APDU trace until interrupted)\n"
	      "\n"
	      "pcscd groups for more than 16 cards (docs/vsimd.md; run: as root):\n"
	      "       vsimctl pcscd run GROUP [--vpcd-port PORT] [--driver PATH] [-- PCSCD-OPTION...]\n"
	      "       vsimctl pcscd bankd-slots GROUP [--bank N]\n",
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

/*
 * compile --list: the profile's file tree, one line per file: path from
 * the MF, name, kind (MF DF ADF TR LF CY BT = BER-TLV), body size, record length,
 * records, SFI (hex or -), EF_ARR FID and record (or - -), clause.
 * The PC/SC walk (tests/pcsc/walk.py) and docs/profile.md read it.
 */
static int list_files(const char *profile)
{
	static const char *const kinds[] = {
		[VSIM_FILE_MF] = "MF", [VSIM_FILE_DF] = "DF", [VSIM_FILE_ADF] = "ADF",
	};
	const struct vsim_fs_tmpl *t;
	struct vsim_profile p;
	char err[ERRLEN], path[80];
	size_t i;

	if (vsim_profile_load(profile, &p, err, sizeof(err))) {
		fprintf(stderr, "vsimctl: %s\n", err);
		return 1;
	}
	t = p.tmpl;
	for (i = 0; i < t->count; i++) {
		const struct vsim_fs_entry *e = &t->files[i];
		const char *kind = e->type == VSIM_FILE_EF ?
			(e->structure == VSIM_EF_TRANSPARENT ? "TR" :
			 e->structure == VSIM_EF_BER_TLV ? "BT" :
			 e->structure == VSIM_EF_CYCLIC ? "CY" : "LF") : kinds[e->type];
		uint16_t arr = vsim_fs_tmpl_arr_fid(t, i);
		char sfi[4] = "-", rule[12] = "- -";

		vsim_fs_tmpl_path(t, i, path, sizeof(path));
		if (e->sfi)
			snprintf(sfi, sizeof(sfi), "%02X", e->sfi);
		if (arr)
			snprintf(rule, sizeof(rule), "%04X %u", arr, e->rule);
		printf("%s %s %s %zu %u %u %s %s %s\n", path, e->name, kind,
		       vsim_fs_body_size(e), e->record_length, e->records, sfi, rule,
		       e->clause);
	}
	vsim_profile_free(&p);
	return 0;
}

static void print_warning(void *ctx, const char *msg)
{
	fprintf(stderr, "vsimctl: warning: %s: %s\n", (const char *)ctx, msg);
}

/* OTA settings that weaken the defaults, e.g. a TAR accepting replays. */
static void warn_ota(const char *profile)
{
	struct ota_profile *p = calloc(1, sizeof(*p));
	char err[ERRLEN];

	if (p && !ota_profile_load(profile, p, err, sizeof(err)))
		ota_profile_warn(p, print_warning, (void *)profile);
	if (p) {
		ota_profile_wipe(p);
		free(p);
	}
}

static int cmd_compile(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },
		{ "list", no_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	const char *profile = NULL, *out = NULL;
	char err[ERRLEN];
	uint8_t *img;
	size_t len;
	int c, fd, ret = 1, list = 0;

	while ((c = getopt_long(argc, argv, "p:o:l", opts, NULL)) != -1) {
		if (c == 'p')
			profile = optarg;
		else if (c == 'o')
			out = optarg;
		else if (c == 'l')
			list = 1;
		else
			return 2;
	}
	if (profile && list && !out && optind == argc)
		return list_files(profile);
	if (!profile || !out || list || optind != argc) {
		fprintf(stderr, "vsimctl compile: need --profile FILE and -o IMAGE (or --list)\n");
		return 2;
	}
	if (vsim_profile_compile(profile, &img, &len, err, sizeof(err))) {
		fprintf(stderr, "vsimctl: %s\n", err);
		return 1;
	}
	warn_ota(profile);
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
static int exec_one(struct vsim_terminal *t, const char *hex,
		    const char *where)
{
	uint8_t capdu[VSIMCTL_APDU_MAX], rapdu[VSIM_RAPDU_MAX];
	const char *why;
	int n = parse_hex(hex, capdu, sizeof(capdu), &why);

	if (n < 0) {
		fprintf(stderr, "vsimctl: %s: %s\n", where, why);
		return 1;
	}
	n = vsim_terminal_transmit(t, capdu, (size_t)n, rapdu, sizeof(rapdu));
	if (n < 2) {
		fprintf(stderr, "vsimctl: %s: %s\n", where, strerror(errno));
		return 1;
	}
	print_hex(rapdu, (size_t)n);
	return 0;
}

static int exec_script(struct vsim_terminal *t, const char *path)
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
		ret = exec_one(t, p, where);
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
		{ "device", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 }
	};
	const char *profile = NULL, *state = NULL, *script = NULL;
	const char *device = NULL;
	struct vsim_terminal t;
	struct ota_host ota;
	char err[ERRLEN], where[32];
	uint8_t atr[VSIM_ATR_MAX];
	int c, i, ret = 0;

	while ((c = getopt_long(argc, argv, "p:s:f:d:", opts, NULL)) != -1) {
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
		case 'd':
			device = optarg;
			break;
		default:
			return 2;
		}
	}
	if (!profile == !device || (device && state)) {
		fprintf(stderr, "vsimctl exec: give --profile FILE [--state DIR], or --device /dev/vsimN\n");
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
	if (vsim_terminal_open(&t, device, profile, state, err, sizeof(err))) {
		fprintf(stderr, "vsimctl: %s\n", err);
		return 1;
	}
	/* the profile's [ota] sections: the agent's slow path, in-process */
	if (!device && ota_host_open(&ota, &t.host, profile, state, err,
				     sizeof(err))) {
		fprintf(stderr, "vsimctl: %s\n", err);
		vsim_terminal_close(&t);
		return 1;
	}
	if (vsim_terminal_power_on(&t, atr, sizeof(atr)) < 0) {
		fprintf(stderr, "vsimctl: power on: %s\n", strerror(errno));
		ret = 1;
	}
	for (i = optind; i < argc && !ret; i++) {
		snprintf(where, sizeof(where), "APDU %d", i - optind + 1);
		ret = exec_one(&t, argv[i], where);
	}
	if (!ret && script)
		ret = exec_script(&t, script);
	if (!device)
		ota_host_close(&ota);
	vsim_terminal_close(&t);
	if (fflush(stdout))
		ret = 1;
	return ret;
}

/* ---- commands for a running vsimd (control socket, JSON lines) ---- */

struct ctl_opts {
	const char *socket;
	int json;
	const char *name;
	int slot;		/* -1: let vsimd choose */
	const char *vpcd;
	const char *arg;	/* CARD or PROFILE */
	const char *arg2;	/* app request: APP */
	unsigned int timeout;	/* seconds to wait for vsimd's answer */
};

/* Options for the daemon commands; 0, or 2 after a usage message. */
static int ctl_parse(int argc, char **argv, const char *cmd, int want_arg,
		     int add_opts, struct ctl_opts *o)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ "name", required_argument, NULL, 'n' },
		{ "slot", required_argument, NULL, 's' },
		{ "vpcd", required_argument, NULL, 'v' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	char *end;
	long v;
	int c;

	memset(o, 0, sizeof(*o));
	o->slot = -1;
	o->timeout = 30;
	o->socket = getenv("VSIM_SOCKET");
	if (!o->socket || !*o->socket)
		o->socket = DEFAULT_SOCKET;
	while ((c = getopt_long(argc, argv, "S:jn:s:v:t:", opts, NULL)) != -1) {
		switch (c) {
		case 'S':
			o->socket = optarg;
			break;
		case 't':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || v < 1 || v > 3600) {
				fprintf(stderr, "vsimctl %s: --timeout %s: seconds, 1-3600\n",
					cmd, optarg);
				return 2;
			}
			o->timeout = (unsigned int)v;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'n':
		case 's':
		case 'v':
			if (!add_opts) {
				fprintf(stderr, "vsimctl %s: --%s only goes with add\n",
					cmd, c == 'n' ? "name" : c == 's' ? "slot" : "vpcd");
				return 2;
			}
			if (c == 'n') {
				o->name = optarg;
			} else if (c == 'v') {
				o->vpcd = optarg;
			} else {
				errno = 0;
				v = strtol(optarg, &end, 10);
				if (errno || end == optarg || *end || v < 0 ||
				    v > VSIMCTL_SLOT_MAX) {
					fprintf(stderr, "vsimctl add: --slot %s: a number 0-%d\n",
						optarg, VSIMCTL_SLOT_MAX);
					return 2;
				}
				o->slot = (int)v;
			}
			break;
		default:
			return 2;
		}
	}
	if (argc - optind != want_arg) {
		fprintf(stderr, "vsimctl %s: %s\n", cmd,
			want_arg == 2 ? "needs CARD and APP" :
			want_arg ? (add_opts ? "needs one PROFILE" : "needs one CARD") :
			"takes no arguments");
		return 2;
	}
	if (want_arg)
		o->arg = argv[optind];
	if (want_arg == 2)
		o->arg2 = argv[optind + 1];
	return 0;
}

static const char *jstr(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

/* a string field, or "-" where it is null or absent (no pcscd known) */
static const char *jdash(json_object *o, const char *key)
{
	const char *s = jstr(o, key);	/* NULL for a JSON null */

	return s && *s ? s : "-";
}

static int64_t jint(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

static int jbool(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

/* Send one request, read its reply; NULL after printing why (exit 1). */
static json_object *ctl_call(struct vsim_ctl *ctl, const struct ctl_opts *o,
			     json_object *req)
{
	char err[ERRLEN];
	json_object *rep;

	if (vsim_ctl_connect(ctl, o->socket, err, sizeof(err))) {
		fprintf(stderr, "vsimctl: %s\n", err);
		return NULL;
	}
	vsim_ctl_set_timeout(ctl, o->timeout);
	/* a refused connection: vsimd wrote why and closed; read that */
	if (vsim_ctl_send(ctl, req) && errno != EPIPE && errno != ECONNRESET) {
		fprintf(stderr, "vsimctl: %s: %s\n", o->socket, strerror(errno));
		return NULL;
	}
	rep = vsim_ctl_recv(ctl, err, sizeof(err));
	if (!rep) {
		fprintf(stderr, "vsimctl: %s\n", err[0] ? err :
			"vsimd closed the connection without answering");
		return NULL;
	}
	if (!jbool(rep, "ok")) {
		if (o->json)
			puts(json_object_to_json_string_ext(rep, JSON_C_TO_STRING_PLAIN));
		fprintf(stderr, "vsimctl: %s\n", jstr(rep, "error"));
		json_object_put(rep);
		return NULL;
	}
	return rep;
}

static void print_card(json_object *c)
{
	json_object *b;

	printf("card %s\n", jstr(c, "name"));
	printf("  iccid            %s\n", jstr(c, "iccid"));
	printf("  slot             %lld\n", (long long)jint(c, "slot"));
	printf("  backend          %s\n", jstr(c, "backend"));
	if (*jstr(c, "device"))
		printf("  device           %s\n", jstr(c, "device"));
	if (!strcmp(jstr(c, "terminal"), "external")) {
		printf("  terminal         external (vsimd leaves %s to another program)\n",
		       jstr(c, "device"));
	} else if (json_object_object_get_ex(c, "cardem", &b)) {
		if (jbool(b, "in_board"))
			printf("  reader           SIMtrace2 board %s at %s (1d50:%s), slot %lld (interface %lld)\n",
			       jstr(b, "serial"), jstr(b, "path"), jstr(b, "pid"),
			       (long long)jint(b, "slot"), (long long)jint(b, "interface"));
		else
			printf("  reader           SIMtrace2 board (waiting for one)\n");
	} else {
		printf("  vpcd             %s (%s)\n", jstr(c, "vpcd"),
		       jbool(c, "connected") ? "connected" : "not connected");
		printf("  pcscd, reader    %s, %s\n", jdash(c, "pcscd"),
		       jdash(c, "reader"));
	}
	printf("  powered          %s\n", jbool(c, "powered") ? "yes" : "no");
	printf("  apdus            %lld\n", (long long)jint(c, "apdus"));
	printf("  auth ok/failed   %lld/%lld\n", (long long)jint(c, "auth_ok"),
	       (long long)jint(c, "auth_fail"));
	printf("  commits          %lld (%lld failed)\n",
	       (long long)jint(c, "persists"),
	       (long long)jint(c, "persist_failures"));
	if (*jstr(c, "last_error"))
		printf("  last error       %s\n", jstr(c, "last_error"));
}

static int cmd_daemon(int argc, char **argv)
{
	const char *cmd = argv[0];
	int is_add = !strcmp(cmd, "add"), want = strcmp(cmd, "list") ? 1 : 0;
	struct vsim_ctl ctl = { .fd = -1 };
	struct ctl_opts o;
	json_object *req, *rep = NULL, *cards, *c;
	char *text = NULL, name[64];
	int rc, ret = 1;
	size_t i;

	rc = ctl_parse(argc, argv, cmd, want, is_add, &o);
	if (rc)
		return rc;
	req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string(cmd));
	if (is_add) {
		const char *base = strrchr(o.arg, '/');
		size_t n;
		FILE *f = fopen(o.arg, "r");

		if (!f) {
			fprintf(stderr, "vsimctl: %s: %s\n", o.arg, strerror(errno));
			json_object_put(req);
			return 1;
		}
		text = calloc(1, 1024 * 1024 + 1);
		n = text ? fread(text, 1, 1024 * 1024, f) : 0;
		fclose(f);
		if (!text || n == 1024 * 1024) {
			fprintf(stderr, "vsimctl: %s: larger than 1 MiB\n", o.arg);
			free(text);
			json_object_put(req);
			return 1;
		}
		/* default name: the profile's file name without .ini */
		base = base ? base + 1 : o.arg;
		snprintf(name, sizeof(name), "%s", base);
		if (strlen(name) > 4 && !strcmp(name + strlen(name) - 4, ".ini"))
			name[strlen(name) - 4] = '\0';
		json_object_object_add(req, "name",
				       json_object_new_string(o.name ? o.name : name));
		json_object_object_add(req, "profile_name", json_object_new_string(o.arg));
		json_object_object_add(req, "profile", json_object_new_string(text));
		explicit_bzero(text, n);
		free(text);
		if (o.slot >= 0)
			json_object_object_add(req, "slot", json_object_new_int(o.slot));
		if (o.vpcd)
			json_object_object_add(req, "vpcd", json_object_new_string(o.vpcd));
	} else if (want) {
		json_object_object_add(req, "card", json_object_new_string(o.arg));
	}
	rep = ctl_call(&ctl, &o, req);
	json_object_put(req);	/* json-c does not wipe: the profile text was in it */
	if (!rep)
		goto out;
	if (o.json && strcmp(cmd, "trace"))
		puts(json_object_to_json_string_ext(rep, JSON_C_TO_STRING_PLAIN));
	ret = 0;
	if (!strcmp(cmd, "list") && !o.json) {
		json_object_object_get_ex(rep, "cards", &cards);
		printf("%-16s %4s %-20s %-22s %-9s %7s  %-30s %s\n", "NAME", "SLOT",
		       "ICCID", "VPCD", "STATE", "APDUS", "PCSCD", "READER");
		for (i = 0; cards && i < json_object_array_length(cards); i++) {
			bool ext;

			c = json_object_array_get_idx(cards, i);
			/* an external terminal: no vpcd, its device instead */
			ext = !strcmp(jstr(c, "terminal"), "external");
			printf("%-16s %4lld %-20s %-22s %-9s %7lld  %-30s %s\n",
			       jstr(c, "name"), (long long)jint(c, "slot"),
			       jstr(c, "iccid"), jstr(c, ext ? "device" : "vpcd"),
			       ext ? "external" : jbool(c, "connected") ?
			       "connected" : "waiting",
			       (long long)jint(c, "apdus"), jdash(c, "pcscd"),
			       jdash(c, "reader"));
		}
	} else if (!strcmp(cmd, "status") && !o.json) {
		json_object_object_get_ex(rep, "card", &c);
		print_card(c);
	} else if (is_add && !o.json) {
		json_object_object_get_ex(rep, "card", &c);
		printf("added card %s (ICCID %s) in slot %lld, vpcd %s\n",
		       jstr(c, "name"), jstr(c, "iccid"), (long long)jint(c, "slot"),
		       jstr(c, "vpcd"));
	} else if (!strcmp(cmd, "remove") && !o.json) {
		printf("removed card %s\n", o.arg);
	} else if (!strcmp(cmd, "trace")) {
		char err[ERRLEN];
		json_object *ev, *t;

		setvbuf(stdout, NULL, _IOLBF, 0);
		vsim_ctl_set_timeout(&ctl, 0);	/* a trace waits for APDUs */
		while ((ev = vsim_ctl_recv(&ctl, err, sizeof(err)))) {
			if (o.json) {
				puts(json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN));
			} else if (jbool(ev, "gone")) {
				printf("card %s is gone\n", o.arg);
			} else if (json_object_object_get_ex(ev, "trace", &t)) {
				const char *what = jstr(t, "event");

				if (!strcmp(what, "apdu"))
					printf("%6lld > %s%s\n       < %s\n",
					       (long long)jint(t, "seq"), jstr(t, "c"),
					       jbool(t, "redacted") ? " (secrets blanked)" : "",
					       jstr(t, "r"));
				else
					printf("%6lld %s%s%s\n", (long long)jint(t, "seq"),
					       what, *jstr(t, "atr") ? " ATR " : "",
					       jstr(t, "atr"));
			}
			json_object_put(ev);
		}
		if (err[0]) {
			fprintf(stderr, "vsimctl: %s\n", err);
			ret = 1;
		}
	}
	json_object_put(rep);
out:
	vsim_ctl_close(&ctl);
	if (fflush(stdout))
		ret = 1;
	return ret;
}

/*
 * vsimctl app request CARD APP: the user of vsimd's card CARD picks APP
 * from its OTA menu; the card's request SMS then waits for the terminal
 * (91xx, FETCH, SEND SHORT MESSAGE). With --profile it is the loopback
 * form instead (vsimctl/ota.c).
 */
static int cmd_app_daemon(int argc, char **argv)
{
	struct vsim_ctl ctl = { .fd = -1 };
	struct ctl_opts o;
	json_object *req, *rep;
	int rc;

	rc = ctl_parse(argc, argv, "app request", 2, 0, &o);
	if (rc)
		return rc;
	req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string("app-request"));
	json_object_object_add(req, "card", json_object_new_string(o.arg));
	json_object_object_add(req, "app", json_object_new_string(o.arg2));
	rep = ctl_call(&ctl, &o, req);
	json_object_put(req);
	vsim_ctl_close(&ctl);
	if (!rep)
		return 1;
	if (o.json)
		puts(json_object_to_json_string_ext(rep, JSON_C_TO_STRING_PLAIN));
	else
		printf("card %s: %s chosen; its request SMS waits for the terminal (91xx, FETCH)\n",
		       o.arg, o.arg2);
	json_object_put(rep);
	return fflush(stdout) ? 1 : 0;
}

/* The loopback form of app request names its card by --profile. */
static int has_profile_opt(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++)
		if (!strcmp(argv[i], "--profile") ||
		    !strncmp(argv[i], "--profile=", 10))
			return 1;
	return 0;
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
	if (!strcmp(argv[1], "--version")) {
		printf("vsimctl %s\n", VSIM_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "compile"))
		return cmd_compile(argc - 1, argv + 1);
	if (!strcmp(argv[1], "exec"))
		return cmd_exec(argc - 1, argv + 1);
	if (!strcmp(argv[1], "list") || !strcmp(argv[1], "status") ||
	    !strcmp(argv[1], "add") || !strcmp(argv[1], "remove") ||
	    !strcmp(argv[1], "trace"))
		return cmd_daemon(argc - 1, argv + 1);
	if (!strcmp(argv[1], "term"))
		return vsimctl_term(argc - 1, argv + 1);
	if (!strcmp(argv[1], "binding"))
		return vsimctl_binding(argc - 1, argv + 1);
	if (!strcmp(argv[1], "ota"))
		return vsimctl_ota(argc - 1, argv + 1);
	if (!strcmp(argv[1], "pcscd"))
		return vsimctl_pcscd(argc - 1, argv + 1);
	if (!strcmp(argv[1], "app") && argc > 2 && !strcmp(argv[2], "request") &&
	    !has_profile_opt(argc, argv))
		return cmd_app_daemon(argc - 2, argv + 2);
	if (!strcmp(argv[1], "app"))
		return vsimctl_app(argc - 1, argv + 1);
	fprintf(stderr, "vsimctl: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
