// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsimctl term: play a modem's start-up against a card (TS 31.102 §5.1.1):
 * ATR, SELECT MF, TERMINAL PROFILE, the proactive FETCH/TERMINAL RESPONSE
 * loop answering PROVIDE LOCAL INFORMATION with the given IMEI, SELECT
 * ADF.USIM, VERIFY PIN1, READ EF_IMSI and EF_AD, AUTHENTICATE with a vector
 * the network side computes from the profile's keys (agent/common/modem.c, shared
 * with the emulated SIMtrace2 board). Prints every step and one verdict
 * line; exit 0 when attached, 3 when refused, 1 on an unexpected answer.
 *
 * With --request APP (a card in this process, OTA in its profile) the
 * terminal then relays for OTA on this one box (docs/ota.md): it takes
 * APP from the card's SET UP MENU, hands the card's SEND SHORT MESSAGE to
 * the application server (--server, --catalogue) and brings the server's
 * SMS back to the card as SMS-PP download envelopes. With --bip as well
 * the terminal declares the Bearer Independent Protocol in its TERMINAL
 * PROFILE and plays it (common/bipterm.h): the card opens a TCP channel
 * to its profile's bip_server from this host and the terminal relays.
 * With --bip and --push HEX instead of --request, the terminal hands the
 * card an SMS the network brought (HEX: the ENVELOPE SMS-PP download,
 * e.g. the administration session trigger vsimctl ota serve --https
 * --push prints) and plays BIP for the channel the card opens. The
 * terminal runs the card's timers too (TIMER MANAGEMENT; --no-timers: a
 * profile without them), so a push whose retry policy asks for it gets
 * its session opened again after a failure: the terminal waits for the
 * timer (up to TERM_TIMER_MAX_MS) and sends TIMER EXPIRATION.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "common/bipterm.h"
#include "common/hex.h"
#include "common/modem.h"
#include "common/profile.h"
#include "common/terminal.h"
#include "ota-server/appserver.h"
#include "ota/host.h"
#include "vsimctl/vsimctl.h"

/* After the attach: the card-initiated download of @app (exit status). */
static int relay_request(struct vsim_terminal *card, const char *profile,
			 const char *state, const char *iccid,
			 const char *server, const char *catalogue,
			 const char *app)
{
	struct ota_appserver *srv = NULL;
	struct ota_catalogue cat;
	struct ota_host ota;
	char err[512];
	int ret;

	if (ota_catalogue_load(catalogue, &cat, err, sizeof(err))) {
		fprintf(stderr, "vsimctl: %s\n", err);
		return 2;
	}
	if (ota_host_open(&ota, &card->host, profile, state, err,
			  sizeof(err)) ||
	    ota_appserver_open(server, &srv, err, sizeof(err))) {
		fprintf(stderr, "vsimctl: %s\n", err);
		ota_catalogue_free(&cat);
		return 1;
	}
	if (!ota.prof.present) {
		fprintf(stderr, "vsimctl term: %s has no [ota] sections: nothing to request\n",
			profile);
		ret = 2;
	} else {
		ret = vsimctl_app_request_flow(card, &ota, srv, iccid, &cat,
					       app);
	}
	ota_appserver_close(srv);
	ota_host_close(&ota);
	ota_catalogue_free(&cat);
	return ret;
}

static int term_transmit(void *ctx, const uint8_t *c, size_t len, uint8_t *r,
			 size_t max);

#define TERM_PUSH_MAX	4
/* the longest retry delay this terminal sits out (never forever) */
#define TERM_TIMER_MAX_MS	120000

/*
 * After the attach, over BIP: the user picks @app from the card's menu
 * (or the network brings the card the SMS-PP download ENVELOPEs @push),
 * the card sends its request on a channel it opens, the terminal relays
 * until the card closes it. 0 when a channel carried data both ways and
 * the card closed it; 3 when the card fell back to SMS or failed.
 */
static int bip_request(struct vsim_terminal *card, const char *profile,
		       const char *state, const char *app,
		       char *const *push, unsigned int npush, bool no_timers)
{
	static const uint8_t sel_mf[] = { 0x00, 0xa4, 0x00, 0x0c, 0x02, 0x3f,
					  0x00 };
	uint8_t env[OTA_MENU_SELECTION_LEN];
	struct vsim_bipterm bt;
	struct ota_host ota;
	char err[512];
	uint16_t sw;
	int ret = 3, relay = -1, w;

	if (ota_host_open(&ota, &card->host, profile, state, err,
			  sizeof(err))) {
		fprintf(stderr, "vsimctl: %s\n", err);
		return 1;
	}
	if (!ota.prof.present || !ota.prof.bip.enabled ||
	    (!npush && ota_card_set_up_menu(&ota.card, false))) {
		fprintf(stderr, "vsimctl term: %s has no [ota] menu and bip_server: nothing to request over BIP\n",
			profile);
		ota_host_close(&ota);
		return 2;
	}
	vsim_bipterm_init(&bt, term_transmit, card, stdout);
	bt.no_timers = no_timers;
	bt.choose = app ? app : "";
	/* any command: the card announces SET UP MENU with 91xx */
	if (vsim_bipterm_command(&bt, sel_mf, sizeof(sel_mf), &sw))
		goto out;
	if (npush) {
		app = "push";
		for (unsigned int i = 0; i < npush; i++) {
			uint8_t c[300];
			int n = vsim_hex_parse(push[i], c, sizeof(c));

			if (n < 7 || memcmp(c, "\x80\xc2", 2) || c[5] != 0xd1) {
				fprintf(stderr, "vsimctl term: --push %s: not an ENVELOPE SMS-PP download (80 C2 .. D1 ..)\n",
					push[i]);
				ret = 2;
				goto out;
			}
			if (vsim_bipterm_command(&bt, c, (size_t)n, &sw))
				goto out;
			printf("push: the card answered %04X\n", sw);
		}
	} else {
		if (bt.menu_item < 0) {
			printf("request %s: not on the card's menu\n", app);
			goto out;
		}
		ota_envelope_menu_selection((uint8_t)bt.menu_item, env);
		if (vsim_bipterm_command(&bt, env, sizeof(env), &sw))
			goto out;
	}
	/*
	 * relay while the card has a channel; then its retry's timer, if it
	 * started one, and the channel the expiry makes it open. What counts
	 * is how the last channel went.
	 */
	for (;;) {
		if (bt.open)
			relay = vsim_bipterm_relay(&bt, 10000);
		w = vsim_bipterm_wait_timer(&bt, TERM_TIMER_MAX_MS);
		if (w < 0)
			relay = -1;
		if (w <= 0)
			break;
	}
	if (ota.card.scp81_retry.attempts > 1 || ota.card.scp81_retry.stopped)
		printf("SCP81 retry policy: %u attempts (%u OPEN CHANNEL), %u timer expirations, %s\n",
		       ota.card.scp81_retry.attempts, bt.open_tries,
		       bt.expirations, ota.card.scp81_retry.stopped ?
		       ota.card.scp81_retry.stopped : "no further attempt");
	if (!bt.opened) {
		printf("request %s: %s\n", app, bt.sms ?
		       "the card sent it by SMS (no BIP)" :
		       "the card opened no channel");
		goto out;
	}
	/* a relay that failed still says what went over the channel */
	printf("request %s over BIP: %lu bytes sent, %lu received, %lu packets run by the card\n",
	       app, bt.sent, bt.received, ota.card.bip.last.packets);
	ret = !relay && bt.sent && bt.received && bt.closed ? 0 : 3;
	if (ota.card.scp81_cfg.enabled) {
		const struct ota_scp81_result *s = &ota.card.scp81_last;

		printf("SCP81: TLS %s, %u POSTs, %u scripts, %u commands, %s\n",
		       s->handshake ? "established" : "not established",
		       s->posts, s->scripts, s->commands,
		       s->done ? "ended by 204 No Content" :
		       s->why ? s->why : "not ended");
		if (!s->done)
			ret = 3;
	}
out:
	vsim_bipterm_close(&bt);
	ota_host_close(&ota);
	return ret;
}

/* The modem reaches the card straight through terminal.h. */
static int term_power_on(void *ctx, uint8_t *atr, size_t max)
{
	return vsim_terminal_power_on(ctx, atr, max);
}

static int term_transmit(void *ctx, const uint8_t *c, size_t len, uint8_t *r,
			 size_t max)
{
	return vsim_terminal_transmit(ctx, c, len, r, max);
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
		{ "request", required_argument, NULL, 'R' },
		{ "server", required_argument, NULL, 'S' },
		{ "catalogue", required_argument, NULL, 'C' },
		{ "bip", no_argument, NULL, 'B' },
		{ "push", required_argument, NULL, 'P' },
		{ "no-timers", no_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 }
	};
	char *push[TERM_PUSH_MAX];
	unsigned int npush = 0;
	const char *profile = NULL, *state = NULL, *device = NULL, *imei = NULL;
	const char *request = NULL, *server = NULL, *catalogue = NULL;
	bool cat = true, raw = false, bip = false, no_timers = false;
	uint8_t tp[VSIM_MODEM_TP_LEN];
	struct vsim_modem m = { 0 };
	struct vsim_terminal card;
	struct vsim_profile prof;
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
		case 'R':
			request = optarg;
			break;
		case 'S':
			server = optarg;
			break;
		case 'C':
			catalogue = optarg;
			break;
		case 'B':
			bip = true;
			break;
		case 'T':
			no_timers = true;
			break;
		case 'P':
			if (npush == TERM_PUSH_MAX) {
				fprintf(stderr, "vsimctl term: at most %d --push\n",
					TERM_PUSH_MAX);
				return 2;
			}
			push[npush++] = optarg;
			break;
		default:
			return 2;
		}
	}
	if (!profile || optind != argc || (cat && !imei) ||
	    (request && !bip && (!server || !catalogue)) ||
	    (bip && (!request == !npush || !cat)) || (npush && !bip) ||
	    (no_timers && !bip)) {
		fprintf(stderr, "usage: vsimctl term --profile FILE --imei IMEI [--raw-imei] [--no-cat]\n"
				"                    [--state DIR | --device /dev/vsimN]\n"
				"                    [--request APP --server DIR --catalogue FILE]\n"
				"                    [--request APP --bip]\n"
				"                    [--push ENVELOPE [--push ...] --bip]\n"
				"                    [--no-timers] (with --bip)\n");
		return 2;
	}
	if ((request || npush) && device) {
		/* the card's OTA side belongs to whoever holds its card fd */
		fprintf(stderr, "vsimctl term: --request needs the card in this process (--profile, --state); a card in vsim.ko gets OTA from vsimd\n");
		return 2;
	}
	if (imei && vsim_modem_set_imei(&m, imei, raw)) {
		fprintf(stderr, "vsimctl term: --imei %s: expected 14 or 15 digits (IMEI) or 16 (IMEISV)\n",
			imei);
		return 2;
	}
	if (vsim_profile_load(profile, &prof, err, sizeof(err))) {
		fprintf(stderr, "vsimctl: %s\n", err);
		return 1;
	}
	if (vsim_terminal_open(&card, device, profile, state, err, sizeof(err))) {
		fprintf(stderr, "vsimctl: %s\n", err);
		vsim_profile_free(&prof);
		return 1;
	}
	m.io.ctx = &card;
	m.io.power_on = term_power_on;
	m.io.transmit = term_transmit;
	m.prof = &prof;
	m.cat = cat;
	m.out = stdout;
	if (bip) {
		vsim_bipterm_profile(tp, no_timers);
		m.tp = tp;
	}
	ret = vsim_modem_attach(&m);
	if (!ret && bip)
		ret = bip_request(&card, profile, state, request, push, npush,
				  no_timers);
	else if (!ret && request)
		ret = relay_request(&card, profile, state, prof.iccid, server,
				    catalogue, request);
	vsim_terminal_close(&card);
	vsim_profile_free(&prof);
	if (fflush(stdout))
		ret = 1;
	return ret;
}
