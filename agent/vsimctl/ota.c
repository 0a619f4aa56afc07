// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsimctl ota: the server side of OTA on the command line (docs/ota.md).
 *   wrap      C-APDUs -> the ENVELOPE SMS-PP downloads that carry them
 *             (to run with vsimctl exec)
 *   por       open a PoR (the ENVELOPE response data) and print it
 *   send      a script to a TAR of a card run in this process, PoR back
 *   download  the application download flow for a catalogue entry
 *   show      the security domains a card holds (its OTA store)
 *   serve     the server waiting for cards' requests behind an SMSC
 *             (SMPP), each answered with the download flow
 *   terminal  the card's side behind an SMSC (a filter for tests/smpp)
 *   request   (also vsimctl app request) the card-initiated download:
 *             SET UP MENU, MENU SELECTION, the card's secured request
 *             SMS, then the download flow
 * The card's key sets come from its profile (the server's copies); the
 * server's counters and records live in --server DIR (server.db).
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/hex.h"
#include "common/profile.h"
#include "ota-server/appserver.h"
#include "ota-server/https.h"
#include "ota-server/pcsc.h"
#include "ota-server/smpp.h"
#include "ota/host.h"
#include "ota/rapdu.h"
#include "vsimctl/vsimctl.h"

#define ERRLEN 512

#define SERVE_CARDS	16	/* --profile given to vsimctl ota serve */

struct opts {
	const char *profile, *state, *server, *catalogue;
	const char *profiles[SERVE_CARDS];	/* every --profile, for serve */
	unsigned int nprofiles;
	const char *smpp, *msisdn, *system_id, *password, *pcsc, *https;
	const char *push;			/* serve --https --push APP */
	unsigned int keyset, requests;
	uint32_t tar;
	bool have_tar, expanded, packet;
	uint8_t spi[2];
	bool have_spi;
	uint64_t counter;
};

static void usage(void)
{
	fputs("usage: vsimctl ota wrap --profile FILE --keyset N --tar XXXXXX [--counter C] [--spi XXXX] [--expanded] [--packet] APDU...\n"
	      "       vsimctl ota por --profile FILE --keyset N [--spi XXXX] HEX\n"
	      "       vsimctl ota send --profile FILE [--state DIR] --server DIR --keyset N --tar XXXXXX [--spi XXXX] [--expanded] APDU...\n"
	      "       vsimctl ota download --profile FILE [--state DIR] --server DIR --catalogue FILE APP\n"
	      "       vsimctl ota show --state DIR\n"
	      "       vsimctl ota serve --smpp HOST:PORT --profile FILE [--profile FILE...] --server DIR --catalogue FILE [--requests N]\n"
	      "       vsimctl ota serve --https A.B.C.D:PORT --profile FILE [--profile FILE...] --catalogue FILE [--requests N]\n"
	      "                         [--push APP --server DIR [--smpp HOST:PORT --msisdn NUMBER]]\n"
	      "       vsimctl ota terminal --profile FILE [--state DIR]   (the card behind an SMSC: stdin/stdout)\n"
	      "       send and download take --smpp HOST:PORT --msisdn NUMBER [--system-id ID] [--password PW]\n"
	      "       or --pcsc READER (the card in a PC/SC reader) instead of running the card here\n"
	      "       vsimctl app request --profile FILE [--state DIR] --server DIR --catalogue FILE APP\n", stderr);
}


static void print_hex(const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf("%02X", b[i]);
	putchar('\n');
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "state", required_argument, NULL, 's' },
		{ "server", required_argument, NULL, 'S' },
		{ "catalogue", required_argument, NULL, 'c' },
		{ "keyset", required_argument, NULL, 'k' },
		{ "tar", required_argument, NULL, 't' },
		{ "spi", required_argument, NULL, 'i' },
		{ "counter", required_argument, NULL, 'n' },
		{ "expanded", no_argument, NULL, 'e' },
		{ "packet", no_argument, NULL, 'P' },
		{ "https", required_argument, NULL, 'H' },
		{ "smpp", required_argument, NULL, 'M' },
		{ "msisdn", required_argument, NULL, 'D' },
		{ "system-id", required_argument, NULL, 'U' },
		{ "password", required_argument, NULL, 'W' },
		{ "pcsc", required_argument, NULL, 'R' },
		{ "requests", required_argument, NULL, 'N' },
		{ "push", required_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 }
	};
	uint8_t t[3];
	char *end;
	int c;

	memset(o, 0, sizeof(*o));
	o->system_id = "vsim-ota";
	o->password = "";
	while ((c = getopt_long(argc, argv, "p:s:S:c:k:t:i:n:ePH:M:D:U:W:R:N:", lo,
				NULL)) != -1) {
		switch (c) {
		case 'M': o->smpp = optarg; break;
		case 'D': o->msisdn = optarg; break;
		case 'U': o->system_id = optarg; break;
		case 'W': o->password = optarg; break;
		case 'R': o->pcsc = optarg; break;
		case 'p':
			o->profile = optarg;
			if (o->nprofiles == SERVE_CARDS) {
				fprintf(stderr, "vsimctl ota: at most %d --profile\n",
					SERVE_CARDS);
				return -1;
			}
			o->profiles[o->nprofiles++] = optarg;
			break;
		case 's': o->state = optarg; break;
		case 'S': o->server = optarg; break;
		case 'c': o->catalogue = optarg; break;
		case 'e': o->expanded = true; break;
		case 'P': o->packet = true; break;
		case 'H': o->https = optarg; break;
		case 'T': o->push = optarg; break;
		case 'N':
			o->requests = (unsigned int)strtoul(optarg, &end, 10);
			if (*end || !o->requests) {
				fprintf(stderr, "vsimctl ota: --requests is a positive number\n");
				return -1;
			}
			break;
		case 'k':
			o->keyset = (unsigned int)strtoul(optarg, &end, 0);
			if (*end || !o->keyset || o->keyset > 15) {
				fprintf(stderr, "vsimctl ota: --keyset 1..15\n");
				return -1;
			}
			break;
		case 't':
			if (strlen(optarg) != 6 || vsim_hex_parse(optarg, t, 3) != 3) {
				fprintf(stderr, "vsimctl ota: --tar is 6 hex digits\n");
				return -1;
			}
			o->tar = (uint32_t)(t[0] << 16 | t[1] << 8 | t[2]);
			o->have_tar = true;
			break;
		case 'i':
			if (strlen(optarg) != 4 || vsim_hex_parse(optarg, o->spi, 2) != 2) {
				fprintf(stderr, "vsimctl ota: --spi is 4 hex digits\n");
				return -1;
			}
			o->have_spi = true;
			break;
		case 'n':
			errno = 0;
			o->counter = strtoull(optarg, &end, 0);
			if (errno || *end || o->counter > OTA_CNTR_MAX) {
				fprintf(stderr, "vsimctl ota: --counter 0..0xFFFFFFFFFF\n");
				return -1;
			}
			break;
		default:
			return -1;
		}
	}
	return 0;
}

/* The C-APDU arguments as one script, compact or expanded. */
static int script_of(char **apdus, int n, bool expanded, uint8_t *out,
		     size_t max)
{
	static uint8_t one[64][261];
	const uint8_t *p[64];
	size_t l[64], off = 0;
	int i, k;

	if (n > 64)
		return -1;
	for (i = 0; i < n; i++) {
		k = vsim_hex_parse(apdus[i], one[i], sizeof(one[i]));
		if (k < 4) {
			fprintf(stderr, "vsimctl ota: APDU %d: not a C-APDU in hex\n", i + 1);
			return -1;
		}
		p[i] = one[i];
		l[i] = (size_t)k;
		if (!expanded) {
			if (off + l[i] > max)
				return -1;
			memcpy(out + off, one[i], l[i]);
			off += l[i];
		}
	}
	if (expanded)
		return ota_rapdu_expanded(p, l, (size_t)n, out, max);
	return (int)off;
}

static int load_keys(const char *profile, struct ota_profile *p)
{
	char err[ERRLEN];

	if (!profile) {
		fprintf(stderr, "vsimctl ota: --profile is required\n");
		return -1;
	}
	if (ota_profile_load(profile, p, err, sizeof(err))) {
		fprintf(stderr, "vsimctl: %s\n", err);
		return -1;
	}
	if (!p->present) {
		fprintf(stderr, "vsimctl ota: %s has no [ota] sections\n", profile);
		return -1;
	}
	return 0;
}

static const struct ota_addr *server_addr(const struct ota_profile *p)
{
	static struct ota_addr a;

	if (p->has_server)
		return &p->server;
	ota_addr_from_string("+4900000001", &a);
	return &a;
}

/* Print a PoR: status, and the script response decoded. */
static void print_por(const struct ota_por *p)
{
	printf("status %02X %s%s\n", p->status, ota_status_name(p->status),
	       p->secured ? "" : " (unsecured)");
	if (!p->data_len)
		return;
	printf("response ");
	print_hex(p->data, p->data_len);
	if (p->data[0] != 0xab && p->data[0] != 0xaf && p->data_len >= 3) {
		printf("commands %u sw %02X%02X data ", p->data[0], p->data[1],
		       p->data[2]);
		print_hex(p->data + 3, p->data_len - 3);
	}
}

static int cmd_wrap(struct opts *o, int argc, char **argv)
{
	static uint8_t env[OTA_MAX_ENVELOPES][OTA_ENVELOPE_MAX];
	size_t el[OTA_MAX_ENVELOPES];
	struct ota_profile p;
	struct ota_sender s;
	uint8_t script[2200], pkt[OTA_CONCAT_PARTS_MAX * OTA_SMS_UD_MAX];
	int n, i;

	if (!o->keyset || !o->have_tar || load_keys(o->profile, &p))
		return 2;
	if (!p.keysets[o->keyset].present) {
		fprintf(stderr, "vsimctl ota: no [ota keyset %u]\n", o->keyset);
		ota_profile_wipe(&p);
		return 2;
	}
	ota_sender_init(&s, &p.keysets[o->keyset], o->keyset, server_addr(&p));
	s.counter = o->counter ? o->counter - 1 : 0;
	if (o->have_spi)
		memcpy(s.spi, o->spi, 2);
	n = script_of(argv, argc, o->expanded, script, sizeof(script));
	if (n >= 0 && o->packet) {
		/* the bare packet, as a BIP channel carries it (CPL first) */
		n = (int)ota_sender_packet(&s, o->tar, script, (size_t)n,
					   pkt, sizeof(pkt));
		if (n > 0)
			print_hex(pkt, (size_t)n);
		ota_profile_wipe(&p);
		OPENSSL_cleanse(&s, sizeof(s));
		return n > 0 ? 0 : 2;
	} else if (n >= 0) {
		n = ota_sender_envelopes(&s, o->tar, script, (size_t)n, env, el);
	}
	ota_profile_wipe(&p);
	OPENSSL_cleanse(&s, sizeof(s));
	if (n < 0) {
		fprintf(stderr, "vsimctl ota: cannot wrap (too long, or keys unusable)\n");
		return 2;
	}
	for (i = 0; i < n; i++)
		print_hex(env[i], el[i]);
	return 0;
}

static int cmd_por(struct opts *o, int argc, char **argv)
{
	struct ota_profile p;
	struct ota_sender s;
	uint8_t in[300], buf[300];
	struct ota_por por;
	int n, ret;

	if (!o->keyset || argc != 1 || load_keys(o->profile, &p))
		return 2;
	ota_sender_init(&s, &p.keysets[o->keyset], o->keyset, server_addr(&p));
	if (o->have_spi)
		memcpy(s.spi, o->spi, 2);
	n = vsim_hex_parse(argv[0], in, sizeof(in));
	ret = n > 0 ? ota_sender_por(&s, in, (size_t)n, buf, &por) : -1;
	ota_profile_wipe(&p);
	OPENSSL_cleanse(&s, sizeof(s));
	if (ret) {
		fprintf(stderr, "vsimctl ota: not a valid PoR for these keys\n");
		return 1;
	}
	print_por(&por);
	return 0;
}

/* ---- a card in this process, reached through the loopback ---- */

/*
 * The card, reached through the loopback (in this process), or through an
 * SMSC over SMPP (--smpp: the card is elsewhere, its keys come from its
 * profile as the server's copies).
 */
struct local {
	struct vsim_terminal t;
	struct ota_host ota;
	struct ota_profile prof;	/* --smpp */
	struct ota_smpp *smpp;
	struct ota_pcsc *pcsc;		/* --pcsc */
	struct ota_appserver *srv;
	char iccid[21];
	const struct ota_profile *p;	/* the keys, either way */
	ota_transport_fn tx;
	void *tx_ctx;
};

static int term_tx(void *ctx, uint8_t env[][OTA_ENVELOPE_MAX],
		   const size_t *elen, int n, uint8_t *por, size_t max)
{
	uint16_t sw;

	return ota_loopback(ctx, env, elen, n, por, max, &sw);
}

static int loop_tx(void *ctx, uint8_t env[][OTA_ENVELOPE_MAX],
		   const size_t *elen, int n, uint8_t *por, size_t max)
{
	struct local *l = ctx;

	return term_tx(&l->t, env, elen, n, por, max);
}

static int local_open(struct opts *o, struct local *l)
{
	struct vsim_profile prof;
	char err[ERRLEN];
	uint8_t atr[40];

	memset(l, 0, sizeof(*l));
	if (!o->profile || !o->server) {
		fprintf(stderr, "vsimctl ota: --profile and --server are required\n");
		return 2;
	}
	if (vsim_profile_load(o->profile, &prof, err, sizeof(err))) {
		fprintf(stderr, "vsimctl: %s\n", err);
		return 1;
	}
	snprintf(l->iccid, sizeof(l->iccid), "%s", prof.iccid);
	vsim_profile_free(&prof);
	if (o->pcsc) {
		if (load_keys(o->profile, &l->prof))
			return 1;
		l->p = &l->prof;
		if (ota_appserver_open(o->server, &l->srv, err, sizeof(err)) ||
		    ota_pcsc_open(o->pcsc, &l->pcsc, err, sizeof(err))) {
			fprintf(stderr, "vsimctl: %s\n", err);
			return 1;
		}
		l->tx = ota_pcsc_transport;
		l->tx_ctx = l->pcsc;
		return 0;
	}
	if (o->smpp) {
		if (!o->msisdn) {
			fprintf(stderr, "vsimctl ota: --smpp needs --msisdn (the card's number)\n");
			return 2;
		}
		if (load_keys(o->profile, &l->prof))
			return 1;
		l->p = &l->prof;
		if (ota_appserver_open(o->server, &l->srv, err, sizeof(err)) ||
		    ota_smpp_open(o->smpp, o->system_id, o->password,
				  o->msisdn, &l->smpp, err, sizeof(err))) {
			fprintf(stderr, "vsimctl: %s\n", err);
			return 1;
		}
		ota_appserver_por_by_sms(l->srv, true);
		l->tx = ota_smpp_transport;
		l->tx_ctx = l->smpp;
		return 0;
	}
	l->p = &l->ota.prof;
	l->tx = loop_tx;
	l->tx_ctx = l;
	if (vsim_terminal_open(&l->t, NULL, o->profile, o->state, err,
			       sizeof(err))) {
		fprintf(stderr, "vsimctl: %s\n", err);
		return 1;
	}
	if (ota_host_open(&l->ota, &l->t.host, o->profile, o->state, err,
			  sizeof(err)) ||
	    ota_appserver_open(o->server, &l->srv, err, sizeof(err))) {
		fprintf(stderr, "vsimctl: %s\n", err);
		ota_host_close(&l->ota);
		vsim_terminal_close(&l->t);
		return 1;
	}
	if (!l->ota.prof.present) {
		fprintf(stderr, "vsimctl ota: %s has no [ota] sections\n", o->profile);
		return 1;
	}
	return vsim_terminal_power_on(&l->t, atr, sizeof(atr)) < 0 ? 1 : 0;
}

static void local_close(struct local *l)
{
	ota_appserver_close(l->srv);
	if (l->smpp || l->pcsc || l->prof.present) {
		ota_pcsc_close(l->pcsc);
		ota_smpp_close(l->smpp);
		ota_profile_wipe(&l->prof);
		return;
	}
	ota_host_close(&l->ota);
	vsim_terminal_close(&l->t);
}

static int cmd_send(struct opts *o, int argc, char **argv)
{
	uint8_t script[2200], buf[300];
	struct ota_por p;
	struct local l;
	int n, ret;

	if (!o->keyset || !o->have_tar || !argc) {
		usage();
		return 2;
	}
	n = script_of(argv, argc, o->expanded, script, sizeof(script));
	if (n < 0)
		return 2;
	ret = local_open(o, &l);
	if (ret)
		return ret;
	ret = ota_appserver_send(l.srv, l.iccid, l.p->keysets, o->keyset,
				 server_addr(l.p), o->have_spi ? o->spi : NULL,
				 o->tar, script, (size_t)n, l.tx, l.tx_ctx, buf,
				 &p);
	if (ret)
		fprintf(stderr, "vsimctl ota: no valid PoR\n");
	else
		print_por(&p);
	local_close(&l);
	return ret ? 1 : p.status ? 3 : 0;
}

static int cmd_download(struct opts *o, int argc, char **argv)
{
	struct ota_download_result r;
	const struct ota_catapp *a;
	struct ota_catalogue cat;
	char err[ERRLEN];
	struct local l;
	int ret;

	if (!o->catalogue || argc != 1) {
		usage();
		return 2;
	}
	if (ota_catalogue_load(o->catalogue, &cat, err, sizeof(err))) {
		fprintf(stderr, "vsimctl: %s\n", err);
		return 2;
	}
	a = ota_catalogue_find(&cat, argv[0]);
	if (!a) {
		fprintf(stderr, "vsimctl ota: no [app %s] in %s\n", argv[0], o->catalogue);
		ota_catalogue_free(&cat);
		return 2;
	}
	ret = local_open(o, &l);
	if (!ret) {
		ret = ota_appserver_download(l.srv, l.iccid, l.p->keysets,
					     server_addr(l.p), a, l.tx,
					     l.tx_ctx, &r) ? 3 : 0;
		if (ret)
			printf("download %s: failed: %s\n", a->name, r.why);
		else
			printf("download %s: %s, %zu bytes in %u messages%s%s\n",
			       a->name, r.created ? "domain created" : "domain found",
			       a->data_len, r.messages, r.created ? ", KVN+KCVs " : "",
			       r.kcvs);
		local_close(&l);
	}
	ota_catalogue_free(&cat);
	return ret;
}

int vsimctl_app_request_flow(struct vsim_terminal *t, struct ota_host *ota,
			     struct ota_appserver *srv, const char *iccid,
			     const struct ota_catalogue *cat, const char *app)
{
	struct ota_download_result r;
	const struct ota_catapp *a;
	char err[ERRLEN], name[OTA_MENU_NAME + 1];
	uint8_t tpdu[200];
	size_t tl;
	int ret;

	if (ota_card_set_up_menu(&ota->card, false)) {
		fprintf(stderr, "vsimctl app: the profile's [ota] has no menu\n");
		return 2;
	}
	ret = ota_loopback_menu_request(t, app, tpdu, sizeof(tpdu), &tl);
	if (ret == -2) {
		fprintf(stderr, "vsimctl app: %s is not on the card's menu\n", app);
		return 3;
	}
	if (ret) {
		fprintf(stderr, "vsimctl app: the card sent no request\n");
		return 3;
	}
	if (ota_appserver_request(ota->prof.keysets, tpdu, tl, name,
				  sizeof(name), err, sizeof(err))) {
		fprintf(stderr, "vsimctl app: server: %s\n", err);
		return 3;
	}
	printf("request from the card: %s\n", name);
	a = ota_catalogue_find(cat, name);
	if (!a) {
		printf("download %s: not in the catalogue\n", name);
		return 3;
	}
	if (ota_appserver_download(srv, iccid, ota->prof.keysets,
				   server_addr(&ota->prof), a, term_tx, t, &r)) {
		printf("download %s: failed: %s\n", a->name, r.why);
		return 3;
	}
	printf("download %s: %s, %zu bytes in %u messages\n", a->name,
	       r.created ? "domain created" : "domain found", a->data_len,
	       r.messages);
	return 0;
}

/*
 * vsimctl app request: the card offers its menu (SET UP MENU), the user
 * picks APP (MENU SELECTION), the card sends the secured request by SEND
 * SHORT MESSAGE, the server checks it and runs the download.
 */
static int cmd_request(struct opts *o, int argc, char **argv)
{
	struct ota_catalogue cat;
	char err[ERRLEN];
	struct local l;
	int ret;

	if (!o->catalogue || argc != 1 || o->smpp || o->pcsc) {
		usage();
		return 2;
	}
	if (ota_catalogue_load(o->catalogue, &cat, err, sizeof(err))) {
		fprintf(stderr, "vsimctl: %s\n", err);
		return 2;
	}
	ret = local_open(o, &l);
	if (!ret) {
		ret = vsimctl_app_request_flow(&l.t, &l.ota, l.srv, l.iccid,
					       &cat, argv[0]);
		local_close(&l);
	}
	ota_catalogue_free(&cat);
	return ret;
}

/* A card the server serves: its key sets (the server's copies), its ICCID. */
struct serve_card {
	struct ota_profile p;
	char iccid[21];
};

/*
 * One request from the SMSC: find the card whose key set opens it (the
 * request is ciphered and checksummed with it), run the download.
 */
static void serve_one(struct ota_appserver *srv, struct serve_card *cards,
		      unsigned int n, const struct ota_catalogue *cat,
		      struct ota_smpp *smpp, const uint8_t *ud, size_t ul,
		      const char *from)
{
	struct ota_download_result r;
	const struct ota_catapp *a;
	struct serve_card *c = NULL;
	char err[ERRLEN] = "not an SMS", name[OTA_MENU_NAME + 1];
	uint8_t tpdu[OTA_TPDU_MAX];
	unsigned int i;
	int tl;

	for (i = 0; i < n && !c && 1u + ud[0] <= ul; i++) {
		/* the TPDU the card sent, as the request check reads it */
		tl = ota_sms_build(true, server_addr(&cards[i].p), ud,
				   1u + ud[0], ud + 1 + ud[0], ul - 1 - ud[0],
				   tpdu, sizeof(tpdu));
		if (tl >= 0 &&
		    !ota_appserver_request(cards[i].p.keysets, tpdu, (size_t)tl,
					   name, sizeof(name), err, sizeof(err)))
			c = &cards[i];
	}
	if (!c) {
		printf("request from %s: refused: %s\n", from, err);
		return;
	}
	printf("request from %s (ICCID %s): %s\n", from, c->iccid, name);
	a = ota_catalogue_find(cat, name);
	if (!a)
		printf("download %s: not in the catalogue\n", name);
	else if (ota_appserver_download(srv, c->iccid, c->p.keysets,
					server_addr(&c->p), a,
					ota_smpp_transport, smpp, &r))
		printf("download %s: failed: %s\n", a->name, r.why);
	else
		printf("download %s: %s, %zu bytes in %u messages\n", a->name,
		       r.created ? "domain created" : "domain found",
		       a->data_len, r.messages);
}

/*
 * vsimctl ota serve: the server bound to an SMSC, waiting for the
 * requests cards send by SEND SHORT MESSAGE (UDH 70) and answering each
 * with the download flow to the number it came from; the cards are the
 * --profile files (up to SERVE_CARDS); --requests N stops after N, else
 * it runs until the SMSC ends the session.
 */
/*
 * vsimctl ota serve --https --push APP: the administration session
 * trigger for the first --profile's card, secured with its ISD key set
 * (the catalogue's isd_keyset for APP) and the next counter of --server
 * DIR, no PoR asked (the session is the answer); over SMPP to --msisdn,
 * else printed ("push ENVELOPE") for the terminal in front of the card
 * (vsimctl term --push) as the loopback's SMS.
 */
struct push_ctx {
	struct opts *o;
	const struct ota_catapp *app;
	struct ota_profile p;		/* the card's keys: the server's copies */
	char iccid[21];
	struct ota_smpp *smpp;
};

static int print_tx(void *ctx, uint8_t env[][OTA_ENVELOPE_MAX],
		    const size_t *elen, int n, uint8_t *por, size_t max)
{
	(void)ctx;
	(void)por;
	(void)max;
	for (int i = 0; i < n; i++) {
		printf("push ENVELOPE ");
		print_hex(env[i], elen[i]);
	}
	return fflush(stdout) ? -1 : 0;
}

struct tx_seen {
	ota_transport_fn fn;
	void *ctx;
	int ret;
};

static int seen_tx(void *ctx, uint8_t env[][OTA_ENVELOPE_MAX],
		   const size_t *elen, int n, uint8_t *por, size_t max)
{
	struct tx_seen *t = ctx;

	t->ret = t->fn(t->ctx, env, elen, n, por, max);
	return t->ret;
}

static int push_now(void *ctx)
{
	static const uint8_t spi[2] = { OTA_CHECK_CC | OTA_SPI1_CIPHER |
					OTA_CNTR_HIGHER << 3, OTA_POR_NONE };
	struct push_ctx *c = ctx;
	struct tx_seen t = { print_tx, NULL, -1 };
	struct ota_appserver *srv = NULL;
	uint8_t trig[200], buf[300];
	char err[ERRLEN];
	struct ota_por por;
	long n;

	n = ota_https_trigger(c->o->https, c->p.scp81.identity,
			      c->p.scp81.kvn ? c->p.scp81.kvn : SCP81_KVN_DEFAULT,
			      c->app->name, trig, sizeof(trig));
	if (n < 0) {
		fprintf(stderr, "vsimctl ota serve: --push %s: the trigger does not fit\n",
			c->app->name);
		return -1;
	}
	if (ota_appserver_open(c->o->server, &srv, err, sizeof(err))) {
		fprintf(stderr, "vsimctl: %s\n", err);
		return -1;
	}
	if (c->smpp) {
		t.fn = ota_smpp_push;
		t.ctx = c->smpp;
	}
	ota_appserver_send(srv, c->iccid, c->p.keysets, c->app->isd_keyset,
			   &c->p.server, spi, OTA_TAR_ISD, trig, (size_t)n,
			   seen_tx, &t, buf, &por);
	ota_appserver_close(srv);
	if (t.ret < 0) {
		fprintf(stderr, "vsimctl ota serve: --push %s: the trigger was not sent\n",
			c->app->name);
		return -1;
	}
	printf("push %s to ICCID %s: administration session trigger sent%s\n",
	       c->app->name, c->iccid, c->smpp ? " over SMPP" : "");
	return fflush(stdout) ? -1 : 0;
}

/*
 * vsimctl ota serve --https: the admin server for SCP81 sessions
 * (ota-server/https.h); the cards' PSKs come from their profiles.
 */
static int cmd_serve_https(struct opts *o)
{
	struct ota_https_card *cards;
	struct push_ctx push = { .o = o };
	struct ota_catalogue cat;
	struct vsim_profile card;
	struct ota_profile p;
	char err[ERRLEN];
	unsigned int n;
	int ret = 1;

	if (!o->catalogue || !o->nprofiles || o->pcsc || o->state ||
	    (o->smpp && (!o->push || !o->msisdn)) ||
	    (o->push && !o->server)) {
		usage();
		return 2;
	}
	if (ota_catalogue_load(o->catalogue, &cat, err, sizeof(err))) {
		fprintf(stderr, "vsimctl: %s\n", err);
		return 2;
	}
	if (o->push) {
		push.app = ota_catalogue_find(&cat, o->push);
		if (!push.app) {
			fprintf(stderr, "vsimctl ota serve: --push %s: not in the catalogue\n",
				o->push);
			ota_catalogue_free(&cat);
			return 2;
		}
	}
	cards = calloc(o->nprofiles, sizeof(*cards));
	for (n = 0; cards && n < o->nprofiles; n++) {
		if (load_keys(o->profiles[n], &p))
			goto out;
		if (!p.scp81.psk_len || !p.scp81.identity[0]) {
			fprintf(stderr, "vsimctl ota serve: %s has no scp81_identity and scp81_psk\n",
				o->profiles[n]);
			ota_profile_wipe(&p);
			goto out;
		}
		snprintf(cards[n].identity, sizeof(cards[n].identity), "%s",
			 p.scp81.identity);
		memcpy(cards[n].psk, p.scp81.psk, p.scp81.psk_len);
		cards[n].psk_len = p.scp81.psk_len;
		if (!n)
			push.p = p;	/* the card a push goes to */
		else
			ota_profile_wipe(&p);
		if (vsim_profile_load(o->profiles[n], &card, err, sizeof(err))) {
			fprintf(stderr, "vsimctl: %s\n", err);
			goto out;
		}
		snprintf(cards[n].iccid, sizeof(cards[n].iccid), "%s", card.iccid);
		vsim_profile_free(&card);
	}
	if (!cards)
		goto out;
	snprintf(push.iccid, sizeof(push.iccid), "%s", cards[0].iccid);
	if (o->push && o->smpp &&
	    ota_smpp_open(o->smpp, o->system_id, o->password, o->msisdn,
			  &push.smpp, err, sizeof(err))) {
		fprintf(stderr, "vsimctl: %s\n", err);
		goto out;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	ret = ota_https_serve(o->https, cards, n, &cat, o->requests, stdout,
			      o->push ? push_now : NULL, &push, err,
			      sizeof(err)) ? 1 : 0;
	if (ret)
		fprintf(stderr, "vsimctl: %s\n", err);
out:
	ota_smpp_close(push.smpp);
	ota_profile_wipe(&push.p);
	if (cards)
		OPENSSL_cleanse(cards, o->nprofiles * sizeof(*cards));
	free(cards);
	ota_catalogue_free(&cat);
	return ret;
}

static int cmd_serve(struct opts *o)
{
	uint8_t ud[OTA_SMS_UD_MAX + 1];
	struct ota_appserver *srv = NULL;
	struct ota_catalogue cat;
	struct ota_smpp *smpp = NULL;
	struct serve_card *cards;
	struct vsim_profile card;
	char err[ERRLEN], from[32];
	unsigned int served = 0, n = 0;
	size_t ul;
	int ret = 1;

	if (o->https)
		return cmd_serve_https(o);
	if (!o->smpp || !o->server || !o->catalogue || !o->nprofiles ||
	    o->pcsc || o->state) {
		usage();
		return 2;
	}
	if (ota_catalogue_load(o->catalogue, &cat, err, sizeof(err))) {
		fprintf(stderr, "vsimctl: %s\n", err);
		return 2;
	}
	cards = calloc(o->nprofiles, sizeof(*cards));
	if (!cards) {
		fprintf(stderr, "vsimctl: out of memory\n");
		goto out;
	}
	for (n = 0; n < o->nprofiles; n++) {
		if (load_keys(o->profiles[n], &cards[n].p))
			goto out;
		if (vsim_profile_load(o->profiles[n], &card, err, sizeof(err))) {
			fprintf(stderr, "vsimctl: %s\n", err);
			ota_profile_wipe(&cards[n].p);
			goto out;
		}
		snprintf(cards[n].iccid, sizeof(cards[n].iccid), "%s", card.iccid);
		vsim_profile_free(&card);
	}
	if (ota_appserver_open(o->server, &srv, err, sizeof(err)) ||
	    ota_smpp_open(o->smpp, o->system_id, o->password, "", &smpp, err,
			  sizeof(err))) {
		fprintf(stderr, "vsimctl: %s\n", err);
		goto out;
	}
	/* an RP-ACK never reaches an ESME: PoRs by SMS-SUBMIT */
	ota_appserver_por_by_sms(srv, true);
	setvbuf(stdout, NULL, _IOLBF, 0);
	ret = 0;
	while (!o->requests || served < o->requests) {
		if (ota_smpp_wait_request(smpp, -1, ud, sizeof(ud), &ul, from,
					  sizeof(from)) != 1) {
			/* the SMSC went: the end of a daemon, a failure for N */
			if (o->requests) {
				fprintf(stderr, "vsimctl ota serve: the SMSC ended the session after %u of %u requests\n",
					served, o->requests);
				ret = 1;
			}
			break;
		}
		serve_one(srv, cards, n, &cat, smpp, ud, ul, from);
		served++;
	}
out:
	ota_smpp_close(smpp);
	ota_appserver_close(srv);
	while (cards && n)
		ota_profile_wipe(&cards[--n].p);
	free(cards);
	ota_catalogue_free(&cat);
	return ret;
}

/* "mo TO UDHEX": an SMS-SUBMIT the card sent, for the SMSC. */
static void print_mo(const uint8_t *mo, size_t ml)
{
	struct ota_sms sms;
	const uint8_t *u;
	const char *why;
	size_t ul;

	if (ml && !ota_sms_submit_parse(mo, ml, &sms, &why) &&
	    !ota_sms_whole_ud(mo, ml, true, &u, &ul)) {
		printf("mo %s%s ", sms.addr.toa == 0x91 ? "+" : "",
		       sms.addr.digits);
		print_hex(u, ul);
	}
}

/*
 * vsimctl ota terminal: the card's side of an SMSC, as a filter. Each
 * input line "FROM UDHEX" is an SMS-DELIVER (PID 7F, DCS F6) with that
 * user data, UDH included, brought to the card as ENVELOPE SMS-PP
 * download; the output is one "mo TO UDHEX" line per SMS-SUBMIT the card
 * sends (SEND SHORT MESSAGE), "ack HEX" (the RP-ACK data, "-" for none)
 * or "error SW", then ".". The line "menu APP" is the user choosing APP
 * from the card's SET UP MENU: the card's request comes out as "mo"
 * ("error menu" when it sends none). tests/smpp/smsc.pl drives it.
 */
static int cmd_terminal(struct opts *o)
{
	char line[1024], from[32], udhex[600], err[ERRLEN];
	uint8_t ud[300], tpdu[OTA_TPDU_MAX], env[OTA_ENVELOPE_MAX];
	uint8_t r[VSIM_RAPDU_MAX], atr[40];
	struct vsim_terminal t;
	struct ota_host ota;
	struct ota_addr oa;
	int n, tl, el, rl;
	uint16_t sw;

	if (!o->profile) {
		usage();
		return 2;
	}
	if (vsim_terminal_open(&t, NULL, o->profile, o->state, err, sizeof(err)) ||
	    ota_host_open(&ota, &t.host, o->profile, o->state, err, sizeof(err))) {
		fprintf(stderr, "vsimctl: %s\n", err);
		return 1;
	}
	vsim_terminal_power_on(&t, atr, sizeof(atr));
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (fgets(line, sizeof(line), stdin)) {
		char app[OTA_MENU_NAME + 1];
		uint8_t req[200];
		size_t reql;

		if (sscanf(line, "menu %24s", app) == 1) {
			if (ota_card_set_up_menu(&ota.card, false) ||
			    ota_loopback_menu_request(&t, app, req, sizeof(req),
						      &reql))
				printf("error menu\n");
			else
				print_mo(req, reql);
			printf(".\n");
			continue;
		}
		if (sscanf(line, "%31s %599s", from, udhex) != 2 ||
		    ota_addr_from_string(from, &oa) ||
		    (n = vsim_hex_parse(udhex, ud, sizeof(ud))) < 1 ||
		    (size_t)n < 1u + ud[0] ||
		    (tl = ota_sms_build(false, &oa, ud, 1u + ud[0], ud + 1 + ud[0],
					(size_t)n - 1 - ud[0], tpdu,
					sizeof(tpdu))) < 0 ||
		    (el = ota_envelope_build(tpdu, (size_t)tl, env,
					     sizeof(env))) < 0) {
			printf("error input\n.\n");
			continue;
		}
		rl = vsim_terminal_transmit(&t, env, (size_t)el, r, sizeof(r));
		sw = rl >= 2 ? (uint16_t)(r[rl - 2] << 8 | r[rl - 1]) : 0x6f00;
		if ((sw >> 8) == 0x61) {
			uint8_t gr[5] = { 0x00, 0xc0, 0, 0, (uint8_t)sw };

			rl = vsim_terminal_transmit(&t, gr, 5, r, sizeof(r));
			sw = rl >= 2 ? (uint16_t)(r[rl - 2] << 8 | r[rl - 1]) : 0x6f00;
		}
		if (sw == 0x9000 && rl > 2) {
			printf("ack ");
			print_hex(r, (size_t)rl - 2);
		} else if (sw == 0x9000 || (sw >> 8) == 0x91) {
			printf("ack -\n");
		} else {
			printf("error %04X\n", sw);
		}
		while ((sw >> 8) == 0x91) {
			uint8_t mo[200];
			size_t ml;

			/* FETCH, TERMINAL RESPONSE; a SEND SHORT MESSAGE goes out */
			if (ota_loopback_fetch_sms(&t, &sw, mo, sizeof(mo), &ml))
				break;
			print_mo(mo, ml);
		}
		printf(".\n");
	}
	ota_host_close(&ota);
	vsim_terminal_close(&t);
	return 0;
}

static int cmd_show(struct opts *o)
{
	struct ota_store *s;
	struct ota_domain d;
	char path[4096], err[ERRLEN];
	unsigned int i;
	int k;

	if (!o->state) {
		usage();
		return 2;
	}
	snprintf(path, sizeof(path), "%s/%s", o->state, OTA_STORE_FILE);
	if (ota_store_open(path, 0, &s, err, sizeof(err))) {
		fprintf(stderr, "vsimctl: %s\n", err);
		return 1;
	}
	for (i = 0; !ota_store_domain_nth(s, i, &d); i++) {
		struct ota_gp_key keys[OTA_DOMAIN_KEYS];
		int nk = ota_store_keys_get(s, d.aid, d.aid_len, 0, keys,
					    OTA_DOMAIN_KEYS);

		OPENSSL_cleanse(keys, sizeof(keys));
		for (k = 0; k < d.aid_len; k++)
			printf("%02X", d.aid[k]);
		printf(" tar %06X lifecycle %02X privileges %02X%02X%02X keys %d data %u/%u\n",
		       d.tar, d.lifecycle, d.privileges[0], d.privileges[1],
		       d.privileges[2], nk, d.data_len, d.quota);
	}
	ota_store_close(s);
	return 0;
}

int vsimctl_ota(int argc, char **argv)
{
	struct opts o;
	const char *cmd;

	if (argc < 2) {
		usage();
		return 2;
	}
	cmd = argv[1];
	optind = 1;
	if (parse(argc - 1, argv + 1, &o))
		return 2;
	argc -= 1 + optind;
	argv += 1 + optind;
	if (!strcmp(cmd, "wrap"))
		return cmd_wrap(&o, argc, argv);
	if (!strcmp(cmd, "por"))
		return cmd_por(&o, argc, argv);
	if (!strcmp(cmd, "send"))
		return cmd_send(&o, argc, argv);
	if (!strcmp(cmd, "download"))
		return cmd_download(&o, argc, argv);
	if (!strcmp(cmd, "show"))
		return cmd_show(&o);
	if (!strcmp(cmd, "request"))
		return cmd_request(&o, argc, argv);
	if (!strcmp(cmd, "terminal"))
		return cmd_terminal(&o);
	if (!strcmp(cmd, "serve"))
		return cmd_serve(&o);
	usage();
	return 2;
}

/* vsimctl app request ...: the same as vsimctl ota request. */
int vsimctl_app(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "request")) {
		usage();
		return 2;
	}
	return vsimctl_ota(argc, argv);
}
