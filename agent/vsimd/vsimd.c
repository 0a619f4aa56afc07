// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsimd: hosts vsim cards and plugs each into pcscd through vsmartcard's
 * vpcd, keeping their durable state in an SQLite store. One thread runs a
 * epoll loop (waitset.h) over signals, the control socket and every card's vpcd
 * connection; the kernel backend adds one thread per card for its card fd.
 *
 *   vsimd [--backend embedded|kernel] [--state DIR] [--config FILE]
 *         [--socket PATH] [--log-level L] [--card NAME=PROFILE]...
 *         [--cardem NAME=SPEC]... [--terminal NAME=external]... [--reveal-keys]
 *
 * A card given a SIMtrace2 board (--cardem, `cardem =`) is served to the
 * modem behind that board instead of vpcd; libusb's descriptors join the
 * same loop (cardem.h). A kernel card with an external terminal
 * (--terminal, `terminal =`) has no bridge at all: another program opens
 * its /dev/vsimN, and vsimd only serves its card fd.
 *
 * The part agent/vsimd/, the daemon, in layers (layers.conf): this main
 * -> control socket (control.c) -> card set (cards.c) -> backends
 * (backend_*.c) and bridges (bridge.c + vpcd.c, ../cardem/) -> the core
 * (vsimd.h, events.h, store.c, config.c). Bridges and cards publish to
 * events.h; the control socket and GSMTAP subscribe. It may use ota/
 * (the card's OTA side), common/ and the engine; never ota-server/ or
 * vsimctl/.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cardem/cardem.h"
#include "common/log.h"
#include "vsimd/bridge.h"
#include "vsimd/cards.h"
#include "vsimd/config.h"
#include "vsimd/control.h"
#include "vsimd/events.h"
#include "vsimd/gsmtap.h"
#include "vsimd/vsimd.h"
#include "vsimd/waitset.h"

#define ERRLEN 600
#define USB_POLL_MAX 64
/* events taken per epoll_wait(); more stay ready for the next round */
#define EPOLL_BATCH 64

/* What was given on the command line: it wins over the file at reload. */
struct cli {
	const char *config;
	const char *backend, *state, *socket, *log_level, *gsmtap;
	bool reveal_keys;
	struct vsimd_config cards;	/* only its card list: --card */
	struct cli_cardem {
		char name[VSIM_STORE_NAME_MAX];
		struct vsimd_cardem_sel sel;
	} *cardem;
	size_t n_cardem;
	struct cli_terminal {
		char name[VSIM_STORE_NAME_MAX];
		bool external;
	} *terminal;
	size_t n_terminal;
};

static void usage(FILE *f)
{
	fputs("usage: vsimd [--backend embedded|kernel] [--state DIR] [--config FILE]\n"
	      "             [--socket PATH] [--log-level error|warn|info|debug]\n"
	      "             [--card NAME=PROFILE]... [--gsmtap HOST[:PORT]]\n"
	      "             [--cardem NAME=SPEC]... [--terminal NAME=external]...\n"
	      "             [--reveal-keys]\n"
	      "       vsimd --help | --version\n"
	      "\n"
	      "Hosts vsim cards, keeps their state in DIR/vsim.db (default "
	      VSIMD_DEFAULT_STATE ")\n"
	      "and connects card N to vsmartcard's vpcd at 127.0.0.1:35963+N.\n"
	      "--card adds a card from a profile unless one of that name is stored.\n"
	      "--cardem puts card NAME in a SIMtrace2 board instead: SPEC is any, or\n"
	      "serial=S,path=BUS-PORT,slot=0|1 (docs/modems.md).\n"
	      "--terminal NAME=external (kernel backend): vsimd leaves card NAME's\n"
	      "/dev/vsimN to another program (vsim-modem --device) and bridges nothing.\n"
	      "Control it with vsimctl (socket " VSIMD_DEFAULT_SOCKET ").\n"
	      "--reveal-keys (lab debugging): traces to admins and GSMTAP show PINs\n"
	      "and keys; by default they are blanked.\n"
	      "SIGTERM: stop cleanly. SIGHUP: reload the config file.\n", f);
}

static int parse_cli(int argc, char **argv, struct cli *cli)
{
	static const struct option opts[] = {
		{ "backend", required_argument, NULL, 'b' },
		{ "state", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 'S' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "card", required_argument, NULL, 'C' },
		{ "gsmtap", required_argument, NULL, 'g' },
		{ "cardem", required_argument, NULL, 'U' },
		{ "terminal", required_argument, NULL, 'T' },
		{ "reveal-keys", no_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	enum vsim_log_level lvl;
	int c;

	while ((c = getopt_long(argc, argv, "b:s:c:S:l:C:g:U:T:KhV", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			if (strcmp(optarg, "embedded") && strcmp(optarg, "kernel")) {
				fprintf(stderr, "vsimd: --backend %s: use embedded or kernel\n",
					optarg);
				return 2;
			}
			cli->backend = optarg;
			break;
		case 's':
			cli->state = optarg;
			break;
		case 'c':
			cli->config = optarg;
			break;
		case 'S':
			cli->socket = optarg;
			break;
		case 'g':
			cli->gsmtap = optarg;
			break;
		case 'K':
			cli->reveal_keys = true;
			break;
		case 'l':
			if (vsim_log_parse_level(optarg, &lvl)) {
				fprintf(stderr, "vsimd: --log-level %s: use error, warn, info or debug\n",
					optarg);
				return 2;
			}
			cli->log_level = optarg;
			break;
		case 'C': {
			struct vsimd_config_card *cc;
			const char *eq = strchr(optarg, '=');

			if (!eq || (size_t)(eq - optarg) >= VSIM_STORE_NAME_MAX ||
			    strlen(eq + 1) >= PATH_MAX || !eq[1]) {
				fprintf(stderr, "vsimd: --card %s: use NAME=PROFILE\n",
					optarg);
				return 2;
			}
			if (cli->cards.n_cards >= VSIMD_MAX_CARDS) {
				fprintf(stderr, "vsimd: --card %s: too many cards (at most %d)\n",
					optarg, VSIMD_MAX_CARDS);
				return 2;
			}
			cc = vsimd_config_card_new(&cli->cards);
			if (!cc) {
				fprintf(stderr, "vsimd: out of memory\n");
				return 1;
			}
			memcpy(cc->name, optarg, (size_t)(eq - optarg));
			if (!vsim_store_name_ok(cc->name)) {
				fprintf(stderr, "vsimd: --card %s: a name is 1-63 of A-Z a-z 0-9 . _ -\n",
					optarg);
				return 2;
			}
			snprintf(cc->profile, sizeof(cc->profile), "%s", eq + 1);
			break;
		}
		case 'U': {
			const char *eq = strchr(optarg, '=');
			struct vsimd_cardem_sel sel;
			struct cli_cardem *p;

			if (!eq || (size_t)(eq - optarg) >= VSIM_STORE_NAME_MAX ||
			    eq == optarg || vsimd_cardem_sel_parse(eq + 1, &sel)) {
				fprintf(stderr, "vsimd: --cardem %s: use NAME=any or NAME=serial=S,path=BUS-PORT,slot=0|1\n",
					optarg);
				return 2;
			}
			if (cli->n_cardem >= VSIMD_MAX_CARDS) {
				fprintf(stderr, "vsimd: --cardem %s: too many cards (at most %d)\n",
					optarg, VSIMD_MAX_CARDS);
				return 2;
			}
			p = realloc(cli->cardem, (cli->n_cardem + 1) * sizeof(*p));
			if (!p) {
				fprintf(stderr, "vsimd: out of memory\n");
				return 1;
			}
			cli->cardem = p;
			p += cli->n_cardem++;
			memset(p, 0, sizeof(*p));
			memcpy(p->name, optarg, (size_t)(eq - optarg));
			p->sel = sel;
			break;
		}
		case 'T': {
			const char *eq = strchr(optarg, '=');
			struct cli_terminal *p;

			if (!eq || (size_t)(eq - optarg) >= VSIM_STORE_NAME_MAX ||
			    eq == optarg ||
			    (strcmp(eq + 1, "external") && strcmp(eq + 1, "vsimd"))) {
				fprintf(stderr, "vsimd: --terminal %s: use NAME=external or NAME=vsimd\n",
					optarg);
				return 2;
			}
			if (cli->n_terminal >= VSIMD_MAX_CARDS) {
				fprintf(stderr, "vsimd: --terminal %s: too many cards (at most %d)\n",
					optarg, VSIMD_MAX_CARDS);
				return 2;
			}
			p = realloc(cli->terminal, (cli->n_terminal + 1) * sizeof(*p));
			if (!p) {
				fprintf(stderr, "vsimd: out of memory\n");
				return 1;
			}
			cli->terminal = p;
			p += cli->n_terminal++;
			memset(p, 0, sizeof(*p));
			memcpy(p->name, optarg, (size_t)(eq - optarg));
			if (!vsim_store_name_ok(p->name)) {
				fprintf(stderr, "vsimd: --terminal %s: a name is 1-63 of A-Z a-z 0-9 . _ -\n",
					optarg);
				return 2;
			}
			p->external = !strcmp(eq + 1, "external");
			break;
		}
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("vsimd %s\n", VSIM_VERSION);
			exit(0);
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "vsimd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	return 0;
}

/* The file (if any) under the command line. */
static int build_config(const struct cli *cli, struct vsimd_config *cfg,
			char *err, size_t errlen)
{
	size_t i;

	vsimd_config_defaults(cfg);
	if (cli->config && vsimd_config_load(cli->config, cfg, err, errlen))
		goto err_free;
	if (cli->backend)
		snprintf(cfg->backend, sizeof(cfg->backend), "%s", cli->backend);
	if (cli->state)
		snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s", cli->state);
	if (cli->socket)
		snprintf(cfg->socket, sizeof(cfg->socket), "%s", cli->socket);
	if (cli->log_level)
		vsim_log_parse_level(cli->log_level, &cfg->log_level);
	if (cli->gsmtap)
		snprintf(cfg->gsmtap, sizeof(cfg->gsmtap), "%s", cli->gsmtap);
	if (cli->reveal_keys)
		cfg->reveal_keys = true;
	for (i = 0; i < cli->cards.n_cards; i++) {
		struct vsimd_config_card *cc = vsimd_config_card_new(cfg);

		if (!cc) {
			snprintf(err, errlen, "--card %s: too many cards (at most %d with the file's)",
				 cli->cards.cards[i].name, VSIMD_MAX_CARDS);
			goto err_free;
		}
		*cc = cli->cards.cards[i];
	}
	/* a stored card gets a section with no profile: the options only */
	for (i = 0; i < cli->n_cardem; i++) {
		struct vsimd_config_card *cc =
			vsimd_config_card_named(cfg, cli->cardem[i].name);

		if (!cc) {
			snprintf(err, errlen, "--cardem %s: too many cards (at most %d)",
				 cli->cardem[i].name, VSIMD_MAX_CARDS);
			goto err_free;
		}
		cc->cardem = cli->cardem[i].sel;
	}
	for (i = 0; i < cli->n_terminal; i++) {
		struct vsimd_config_card *cc =
			vsimd_config_card_named(cfg, cli->terminal[i].name);

		if (!cc) {
			snprintf(err, errlen, "--terminal %s: too many cards (at most %d)",
				 cli->terminal[i].name, VSIMD_MAX_CARDS);
			goto err_free;
		}
		cc->external = cli->terminal[i].external;
	}
	if (vsimd_config_check(cfg, err, errlen))
		goto err_free;
	return 0;

err_free:
	vsimd_config_free(cfg);
	return -1;
}

static char *read_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, n;
	char chunk[4096];

	if (!f) {
		snprintf(err, errlen, "%.400s: %s", path, strerror(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		char *p = len + n > 1024 * 1024 ? NULL : realloc(buf, len + n + 1);

		if (!p) {
			snprintf(err, errlen, "%.400s: too large", path);
			free(buf);
			fclose(f);
			return NULL;
		}
		buf = p;
		memcpy(buf + len, chunk, n);
		len += n;
	}
	fclose(f);
	if (!buf)
		buf = calloc(1, 1);
	else
		buf[len] = '\0';
	explicit_bzero(chunk, sizeof(chunk));
	return buf;
}

/* Create the configured cards that are not stored yet. */
static int add_config_cards(struct vsimd *d, int fatal)
{
	struct vsimd_config *cfg = d->cfg;
	char err[ERRLEN];
	size_t i;
	int rc = 0;

	for (i = 0; i < cfg->n_cards; i++) {
		struct vsimd_config_card *cc = &cfg->cards[i];
		char *text;

		if (vsimd_card_find(d, cc->name))
			continue;	/* stored: its state wins over the profile */
		if (!cc->profile[0]) {
			log_err("card %s: --cardem or --terminal names no stored card and no --card",
				cc->name);
			rc = -1;
			if (fatal)
				return rc;
			continue;
		}
		text = read_file(cc->profile, err, sizeof(err));
		if (!text || !vsimd_card_add(d, cc->name, cc->profile, text,
					     cc->slot, cc->host[0] ? cc->host : NULL,
					     cc->port, err, sizeof(err))) {
			log_err("card %s: %s", cc->name, err);
			rc = -1;
		}
		if (text) {
			explicit_bzero(text, strlen(text));
			free(text);
		}
		if (rc && fatal)
			return rc;
	}
	return rc;
}

/*
 * The reader of each configured card: a SIMtrace2 board when the
 * configuration says so (cards added later by vsimctl use vpcd). Starts
 * libusb the first time a card wants a board.
 */
static void apply_readers(struct vsimd *d)
{
	char err[ERRLEN];
	bool any = false;
	size_t i;

	for (i = 0; i < d->cfg->n_cards; i++) {
		struct vsimd_card *c = vsimd_card_find(d, d->cfg->cards[i].name);

		if (c && c->external != d->cfg->cards[i].external)
			log_warn("card %s: terminal = %s takes effect when vsimd restarts",
				 c->name, d->cfg->cards[i].external ? "external" : "vsimd");
		if (!c || !d->cfg->cards[i].cardem.enabled)
			continue;
		if (!c->cardem.enabled) {
			vpcd_close(&c->vpcd);
			c->vpcd.state = VPCD_IDLE;
			if (c->powered)
				d->backend->power_off(c);
			c->powered = false;
		}
		c->cardem = d->cfg->cards[i].cardem;
		any = true;
	}
	if (any && vsimd_cardem_start(d, err, sizeof(err)))
		log_err("cardem: %s: cards wait for their boards in vain", err);
}

static void reload(struct vsimd *d, const struct cli *cli)
{
	struct vsimd_config *fresh = malloc(sizeof(*fresh));
	char err[ERRLEN];

	if (!fresh)
		return;
	if (build_config(cli, fresh, err, sizeof(err))) {
		log_err("reload: %s (keeping the running configuration)", err);
		free(fresh);
		return;
	}
	if (strcmp(fresh->state_dir, d->cfg->state_dir) ||
	    strcmp(fresh->socket, d->cfg->socket) ||
	    strcmp(fresh->backend, d->cfg->backend))
		log_warn("reload: state, socket and backend change only at restart");
	snprintf(fresh->state_dir, sizeof(fresh->state_dir), "%s", d->cfg->state_dir);
	snprintf(fresh->socket, sizeof(fresh->socket), "%s", d->cfg->socket);
	snprintf(fresh->backend, sizeof(fresh->backend), "%s", d->cfg->backend);
	vsimd_config_free(d->cfg);
	free(d->cfg);
	d->cfg = fresh;
	vsim_log_set_level(fresh->log_level);
	add_config_cards(d, 0);
	apply_readers(d);
	log_info("configuration reloaded");
}

struct frame_ctx {
	struct vsimd_card *c;
};

/* GSMTAP's subscription (events.h): every exchange and power-on. */
static void gsmtap_event(void *ctx, const struct vsimd_event *ev)
{
	struct vsim_gsmtap *g = ctx;
	uint8_t slot = (uint8_t)ev->card->slot;

	if (ev->kind != VSIMD_EV_TRACE)
		return;
	if (!strcmp(ev->what, "apdu"))
		vsim_gsmtap_apdu(g, slot, ev->capdu, ev->clen, ev->rapdu,
				 ev->rlen, ev->card->d->cfg->reveal_keys ? 0 :
				 ev->redact);
	else if (ev->rapdu)
		vsim_gsmtap_atr(g, slot, ev->rapdu, ev->rlen);
}

static int on_frame(void *ctx, const uint8_t *frame, size_t len,
		    uint8_t *reply, size_t *reply_len)
{
	return vsimd_bridge_frame(ctx, frame, len, reply, reply_len);
}

/*
 * A new vpcd connection is a card insertion. If vsimd restarted faster
 * than pcscd polls for presence (vpcd asks on its own schedule), pcscd
 * never saw the card leave and keeps treating it as powered: so the card
 * starts powered, as after a cold reset (ISO 7816-3 §6.2.2). When pcscd
 * does notice, its own power-on resets it again, which is harmless.
 */
static void card_inserted(struct vsimd_card *c)
{
	uint8_t atr[VSIM_ATR_MAX];

	log_info("card %s: connected to vpcd %s:%d", c->name, c->vpcd.host,
		 c->vpcd.port);
	c->down_logged = false;
	if (c->d->backend->power_on(c, atr) >= 0)
		c->powered = true;
}

static void card_io(struct vsimd_card *c, short revents)
{
	uint64_t before = c->vpcd.connects;

	if (vpcd_handle(&c->vpcd, revents, on_frame, c)) {
		if (c->powered)
			c->d->backend->power_off(c);	/* card pulled out */
		c->powered = false;
		if (!c->down_logged)
			log_warn("card %s: vpcd %s:%d: %s; retrying", c->name,
				 c->vpcd.host, c->vpcd.port, c->vpcd.last_error);
		c->down_logged = true;
	}
	if (c->vpcd.connects != before)
		card_inserted(c);
}

static struct vsimd_card *card_of(struct vsim_vpcd *v)
{
	return (struct vsimd_card *)((char *)v - offsetof(struct vsimd_card, vpcd));
}

/*
 * Upkeep of every card's vpcd connection: new cards join the epoll set,
 * due retries start, a failure is said once. Returns when it must run
 * again (UINT64_MAX: only when the card set changes). The loop runs it
 * then, not at every wake-up: an APDU costs the same with 1 or 1,000 cards.
 */
static uint64_t upkeep(struct vsimd *d, int epfd, uint64_t now)
{
	uint64_t next = UINT64_MAX;

	for (size_t i = 0; i < d->n_cards; i++) {
		struct vsimd_card *c = d->cards[i];
		uint64_t before = c->vpcd.connects;

		if (!vsimd_card_on_vpcd(c))
			continue;	/* in a board, or another's terminal */
		vpcd_watch(&c->vpcd, epfd);
		vpcd_tick(&c->vpcd, now);
		if (c->vpcd.connects != before) {
			card_inserted(c);
		} else if (c->vpcd.state == VPCD_IDLE && !c->down_logged &&
			   c->vpcd.last_error[0]) {
			log_warn("card %s: vpcd %s:%d: %s; retrying",
				 c->name, c->vpcd.host, c->vpcd.port,
				 c->vpcd.last_error);
			c->down_logged = true;
		}
		if (c->vpcd.state == VPCD_IDLE && c->vpcd.retry_at < next)
			next = c->vpcd.retry_at;
	}
	return next;
}

static int earliest(int a, int b)
{
	return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

/* The signal @sigfd holds: 1 to stop, 0 after a reload or nothing. */
static int on_signal(struct vsimd *d, const struct cli *cli, int sigfd)
{
	struct signalfd_siginfo si;

	if (read(sigfd, &si, sizeof(si)) != sizeof(si))
		return 0;
	if (si.ssi_signo == SIGHUP) {
		reload(d, cli);
		return 0;
	}
	log_info("signal %d: stopping", (int)si.ssi_signo);
	return 1;
}

static struct pollfd *aux_entry(struct pollfd *aux, size_t n, int fd)
{
	for (size_t i = 0; i < n; i++)
		if (aux[i].fd == fd)
			return &aux[i];
	return NULL;
}

static int run(struct vsimd *d, const struct cli *cli, int sigfd)
{
	struct pollfd aux[WAITSET_AUX_MAX];
	struct epoll_event ev[EPOLL_BATCH];
	struct waitset w;
	uint64_t next_upkeep = 0;
	bool requests = false;
	int rc = 1;

	if (waitset_init(&w) || waitset_add_fixed(&w, sigfd, EPOLLIN)) {
		log_err("epoll: %s", strerror(errno));
		waitset_fini(&w);
		return 1;
	}
	for (;;) {
		uint64_t now = vpcd_now();
		size_t nctl, naux;
		int timeout, n, i;
		bool stop = false, hup = false;

		/* a request may have added cards or changed where they live */
		if (now >= next_upkeep || requests)
			next_upkeep = upkeep(d, w.epfd, now);
		nctl = vsimd_control_fill(d, aux, WAITSET_AUX_MAX - USB_POLL_MAX);
		naux = nctl + vsimd_cardem_fill(d, aux + nctl, USB_POLL_MAX);
		for (size_t k = 0; k < naux; k++)
			aux[k].revents = 0;
		if (waitset_sync(&w, aux, naux, vsimd_control_closes(d) +
				 vsimd_cardem_fd_removals(d)))
			log_warn("epoll: %s; retried next round", strerror(errno));
		timeout = next_upkeep == UINT64_MAX ? -1 :
			  next_upkeep - now > INT_MAX ? INT_MAX :
			  (int)(next_upkeep - now);
		timeout = earliest(timeout, vsimd_cardem_timeout(d));
		timeout = earliest(timeout, vsimd_control_timeout(d));	/* idle clients */
		n = epoll_wait(w.epfd, ev, EPOLL_BATCH, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_err("epoll_wait: %s", strerror(errno));
			break;
		}
		for (i = 0; i < n; i++)
			if (waitset_aux_fd(&ev[i]) == sigfd)
				hup = true;
		if (hup) {
			stop = on_signal(d, cli, sigfd);
			if (stop) {
				rc = 0;
				break;
			}
			next_upkeep = 0;
			continue;	/* the card set may have changed */
		}
		requests = false;
		for (i = 0; i < n; i++) {
			int fd = waitset_aux_fd(&ev[i]);
			struct pollfd *p;

			if (fd < 0) {
				struct vsimd_card *c = card_of(ev[i].data.ptr);

				card_io(c, (short)ev[i].events);
				if (c->vpcd.state == VPCD_IDLE &&
				    c->vpcd.retry_at < next_upkeep)
					next_upkeep = c->vpcd.retry_at;
				continue;
			}
			p = aux_entry(aux, naux, fd);
			if (!p) {
				waitset_forget(&w, fd);	/* open, unlisted */
				continue;
			}
			p->revents = (short)ev[i].events;
			if (p->revents & (POLLIN | POLLHUP | POLLERR))
				requests = true;
		}
		vsimd_cardem_dispatch(d);
		/* last: a control request may remove cards */
		vsimd_control_dispatch(d, aux, nctl);
	}
	waitset_fini(&w);
	return rc;
}

/*
 * A card in vsim.ko holds two descriptors (card fd, /dev/vsimN) and a
 * connected card a vpcd socket: the usual soft limit of 1024 stops a lab
 * near 500 cards. Take what the hard limit allows (poll() has no
 * FD_SETSIZE; nothing here uses select()).
 */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		log_warn("cannot raise the open-file limit: %s", strerror(errno));
}

/* mkdir -p of the socket's directory, 0755 (the socket itself is 0660). */
static void make_parent(const char *path)
{
	char dir[PATH_MAX], *p;

	snprintf(dir, sizeof(dir), "%s", path);
	p = strrchr(dir, '/');
	if (!p || p == dir)
		return;
	*p = '\0';
	for (p = dir + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(dir, 0755);
			*p = '/';
		}
	}
	mkdir(dir, 0755);
}

int main(int argc, char **argv)
{
	struct cli cli;
	struct vsimd d;
	char err[ERRLEN];
	struct vsim_gsmtap *gsmtap = NULL;
	sigset_t mask;
	int sigfd, rc;

	memset(&cli, 0, sizeof(cli));
	memset(&d, 0, sizeof(d));
	rc = parse_cli(argc, argv, &cli);
	if (rc)
		goto out_cli;
	rc = 1;
	d.cfg = malloc(sizeof(*d.cfg));
	if (!d.cfg)
		goto out_cli;
	if (build_config(&cli, d.cfg, err, sizeof(err))) {
		fprintf(stderr, "vsimd: %s\n", err);
		free(d.cfg);
		rc = 2;
		goto out_cli;
	}
	vsim_log_set_level(d.cfg->log_level);
	raise_nofile();
	/* the store and anything else we create holds secrets */
	umask(077);
	d.backend = strcmp(d.cfg->backend, "kernel") ? &vsimd_backend_embedded :
		    &vsimd_backend_kernel;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sigfd < 0) {
		log_err("signalfd: %s", strerror(errno));
		return 1;
	}
	rc = 1;
	if (d.cfg->gsmtap[0]) {
		gsmtap = vsim_gsmtap_open(d.cfg->gsmtap, err, sizeof(err));
		if (!gsmtap) {
			log_err("%s", err);
			goto out;
		}
		vsimd_listen(&d, gsmtap_event, gsmtap);
		log_info("GSMTAP traces to %s", d.cfg->gsmtap);
	}
	if (vsim_store_open(d.cfg->state_dir, d.cfg->sync_normal, &d.store,
			    err, sizeof(err))) {
		log_err("%s", err);
		goto out;
	}
	if (vsimd_cards_load(&d, err, sizeof(err))) {
		log_err("%s", err);
		goto out;
	}
	if (add_config_cards(&d, 1))
		goto out;
	apply_readers(&d);
	make_parent(d.cfg->socket);
	if (vsimd_control_open(&d, d.cfg->socket, err, sizeof(err))) {
		log_err("%s", err);
		goto out;
	}
	if (d.cfg->reveal_keys)
		log_warn("reveal_keys: traces to admins and GSMTAP show PINs and keys (lab debugging only)");
	log_info("ready: %zu card(s), %s backend, state %s, control %s",
		 d.n_cards, d.backend->name, d.cfg->state_dir, d.cfg->socket);
	rc = run(&d, &cli, sigfd);
out:
	vsimd_control_close(&d);
	vsimd_cardem_stop(&d);	/* tells each board's modem the card left */
	vsimd_cards_close(&d);
	vsim_store_close(d.store);	/* checkpoints the WAL */
	vsim_gsmtap_close(gsmtap);
	close(sigfd);
	vsimd_config_free(d.cfg);
	free(d.cfg);
	if (!rc)
		log_info("stopped");
out_cli:
	vsimd_config_free(&cli.cards);
	free(cli.cardem);
	free(cli.terminal);
	return rc;
}
