// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsimd's control socket (control.h): accepts vsimctl connections, parses
 * one JSON request per line with json-c, runs it against the card set
 * (cards.c) and streams APDU traces to subscribers. Traces never show PIN
 * values: the data field of VERIFY/CHANGE/DISABLE/ENABLE/UNBLOCK PIN
 * (TS 102 221 §11.1.9-11.1.13) is blanked before it leaves vsimd.
 *
 * Who may do what (docs/vsimd.md "Permissions"): each connection's peer is
 * known by SO_PEERCRED and SO_PEERGROUPS; group vsim may list, status and
 * trace; root, vsimd's own user and group vsim-admin may also add, remove
 * and request applications. A connection that sends no request for
 * CTL_IDLE_MS is closed, each uid but root holds at most CTL_PER_UID of
 * them, and a refused one gets a JSON error line before the close: a
 * client never hangs in the listen backlog.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "common/log.h"
#include "common/pcsc_layout.h"
#include "vsimd/cards.h"
#include "vsimd/config.h"
#include "vsimd/control.h"
#include "vsimd/events.h"
#include "vsimd/redact.h"

#define CTL_MAX_CLIENTS	VSIMD_CONTROL_MAX_CLIENTS
#define CTL_PER_UID	8	/* connections per uid; root is not limited */
#define CTL_IDLE_MS	10000	/* without a request (trace subscribers wait) */
#define CTL_GROUPS_MAX	256
#define CTL_IN_MAX	(1024 * 1024)	/* one request: a profile fits */
#define CTL_OUT_MAX	(1024 * 1024)	/* a trace reader this far behind is dropped */

/* What a peer may do (SO_PEERCRED, SO_PEERGROUPS). */
enum ctl_role {
	CTL_NOBODY,	/* neither: refused at accept */
	CTL_USER,	/* group vsim: list, status, trace (secrets blanked) */
	CTL_ADMIN,	/* root, vsimd's own uid, group vsim-admin: everything */
};

struct ctl_client {
	int fd;
	uid_t uid;
	enum ctl_role role;
	uint64_t last_ms;		/* accepted, or last request handled */
	char *in;
	size_t in_len;
	char *out;
	size_t out_len;
	struct vsimd_card *trace;	/* subscribed card, or NULL */
	int closing;			/* close once out is flushed */
};

struct vsimd_control {
	int fd;
	char path[PATH_MAX];
	struct ctl_client c[CTL_MAX_CLIENTS];
	size_t n;
	unsigned long closes;	/* client fds closed: vsimd_control_closes() */
};

static vsimd_listener_fn on_event;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS 59	/* Linux 4.13, asm-generic/socket.h */
#endif

static int in_group(const char *name, const gid_t *g, int n)
{
	struct group *gr = getgrnam(name);
	int i;

	for (i = 0; gr && i < n; i++)
		if (g[i] == gr->gr_gid)
			return 1;
	return 0;
}

/*
 * The peer's role from its credentials at connect time: its uid and its
 * groups (primary and supplementary, SO_PEERGROUPS; the group database
 * when the kernel lacks it).
 */
static enum ctl_role peer_role(int fd, uid_t *uid)
{
	gid_t g[CTL_GROUPS_MAX];
	struct ucred cr;
	socklen_t len = sizeof(cr);
	int n = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len))
		return CTL_NOBODY;
	*uid = cr.uid;
	if (cr.uid == 0 || cr.uid == geteuid())
		return CTL_ADMIN;
	g[n++] = cr.gid;
	len = sizeof(g) - sizeof(g[0]);
	if (!getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g + 1, &len)) {
		n += (int)(len / sizeof(g[0]));
	} else {
		struct passwd *pw = getpwuid(cr.uid);
		int m = CTL_GROUPS_MAX;

		if (pw && getgrouplist(pw->pw_name, cr.gid, g, &m) >= 0)
			n = m;
	}
	if (in_group(VSIMD_GROUP_ADMIN, g, n))
		return CTL_ADMIN;
	if (in_group(VSIMD_GROUP_USER, g, n))
		return CTL_USER;
	return CTL_NOBODY;
}

/* A connection we will not serve: one JSON error line, then close. */
static void refuse(int fd, const char *msg)
{
	char line[300];
	int n = snprintf(line, sizeof(line), "{\"ok\":false,\"error\":\"%s\"}\n",
			 msg);

	/* a fresh socket's buffer takes a line; nothing waits on it */
	if (send(fd, line, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		log_debug("control: refusal not sent: %s", strerror(errno));
	close(fd);
}

int vsimd_control_open(struct vsimd *d, const char *path, char *err,
		       size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct vsimd_control *ctl;
	struct group *g;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "socket path %s is too long", path);
		return -1;
	}
	ctl = calloc(1, sizeof(*ctl));
	if (!ctl) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(ctl->path, sizeof(ctl->path), "%s", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto err_errno;
	/* a socket left by a killed vsimd: replace it if nobody answers */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		snprintf(err, errlen, "%s: another vsimd is running", path);
		close(fd);
		free(ctl);
		return -1;
	}
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, 16))
		goto err_errno;
	/* root, and group vsim when it exists (docs/vsimd.md) */
	g = getgrnam(VSIMD_GROUP_USER);
	if ((g && chown(path, 0, g->gr_gid)) || chmod(path, 0660))
		goto err_errno;
	if (vsimd_listen(d, on_event, ctl)) {
		snprintf(err, errlen, "%s: no room for another event listener", path);
		close(fd);
		unlink(path);
		free(ctl);
		return -1;
	}
	ctl->fd = fd;
	d->control = ctl;
	return 0;

err_errno:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(ctl);
	return -1;
}

static void client_free(struct vsimd_control *ctl, struct ctl_client *cl)
{
	ctl->closes++;
	close(cl->fd);
	free(cl->in);
	free(cl->out);
	memset(cl, 0, sizeof(*cl));
	cl->fd = -1;
}

static void client_remove(struct vsimd_control *ctl, size_t i)
{
	client_free(ctl, &ctl->c[i]);
	ctl->c[i] = ctl->c[--ctl->n];
}

void vsimd_control_close(struct vsimd *d)
{
	struct vsimd_control *ctl = d->control;

	if (!ctl)
		return;
	vsimd_unlisten(d, on_event, ctl);
	while (ctl->n)
		client_remove(ctl, ctl->n - 1);
	close(ctl->fd);
	unlink(ctl->path);
	free(ctl);
	d->control = NULL;
}

/* Queue a JSON object and a newline; frees @o. */
static void client_send(struct ctl_client *cl, json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	size_t n = strlen(s);
	char *p;

	/*
	 * The bound is on the backlog: one answer alone may be larger
	 * (`list` of a few thousand cards), a reader behind by more is not.
	 */
	if (cl->out_len && cl->out_len + n + 1 > CTL_OUT_MAX) {
		cl->closing = 2;	/* too far behind: drop */
		json_object_put(o);
		return;
	}
	p = realloc(cl->out, cl->out_len + n + 1);
	if (!p) {
		cl->closing = 2;
		json_object_put(o);
		return;
	}
	cl->out = p;
	memcpy(p + cl->out_len, s, n);
	p[cl->out_len + n] = '\n';
	cl->out_len += n + 1;
	json_object_put(o);
}

/*
 * Length of the UTF-8 sequence at @p (RFC 3629 §4: no overlong forms, no
 * surrogates, nothing past U+10FFFF), or 0 when it is not one.
 */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/*
 * @in as valid UTF-8 in @out: a reply echoes names from the request, and
 * JSON text is UTF-8 (RFC 8259 §8.1), so each byte that starts no valid
 * sequence becomes U+FFFD; a cut never splits a character.
 */
static void utf8_clean(const char *in, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t n = strlen(in), o = 0, k, w;

	while (n) {
		k = utf8_seq(p, n);
		w = k ? k : 3;
		if (o + w >= outlen)
			break;
		memcpy(out + o, k ? (const char *)p : "\xef\xbf\xbd", w);
		o += w;
		k = k ? k : 1;
		p += k;
		n -= k;
	}
	out[o] = '\0';
}

/* A JSON string of text that came from outside (requests, USB, vpcd). */
static json_object *json_text(const char *s)
{
	char clean[1024];

	utf8_clean(s, clean, sizeof(clean));
	return json_object_new_string(clean);
}

static void send_error(struct ctl_client *cl, const char *msg)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "ok", json_object_new_boolean(0));
	json_object_object_add(o, "error", json_text(msg));
	client_send(cl, o);
}

/* The pcscd socket and reader the card's vpcd port lands in; null if none. */
static void add_pcsc_place(struct vsimd *d, struct vsimd_card *c,
			   json_object *o)
{
	struct vsim_pcsc_place p;
	int known = !vsim_pcsc_place(d->cfg->pcscd_groups, d->cfg->vpcd_port,
				     c->vpcd.port, &p);

	json_object_object_add(o, "pcscd", known ? json_text(p.socket) : NULL);
	json_object_object_add(o, "reader", known ? json_text(p.reader) : NULL);
}

static json_object *card_json(struct vsimd *d, struct vsimd_card *c)
{
	json_object *o = json_object_new_object();
	uint64_t apdus = 0, ok = 0, fail = 0;
	char addr[300];

	d->backend->stats(c, &apdus, &ok, &fail);
	snprintf(addr, sizeof(addr), strchr(c->vpcd.host, ':') ? "[%s]:%d" :
		 "%s:%d", c->vpcd.host, c->vpcd.port);
	json_object_object_add(o, "name", json_text(c->name));
	json_object_object_add(o, "slot", json_object_new_int(c->slot));
	json_object_object_add(o, "iccid", json_text(c->iccid));
	json_object_object_add(o, "backend",
			       json_object_new_string(d->backend->name));
	json_object_object_add(o, "vpcd", json_text(addr));
	/* who opens /dev/vsimN: vsimd (vpcd, a board) or another program */
	json_object_object_add(o, "terminal", json_object_new_string(c->external ?
			       "external" : "vsimd"));
	if (c->dev_index >= 0) {
		char dev[32];

		snprintf(dev, sizeof(dev), "/dev/vsim%d", c->dev_index);
		json_object_object_add(o, "device", json_object_new_string(dev));
	}
	json_object_object_add(o, "connected",
			       json_object_new_boolean(c->vpcd.state ==
						       VPCD_CONNECTED));
	json_object_object_add(o, "powered", json_object_new_boolean(c->powered));
	json_object_object_add(o, "apdus", json_object_new_int64((int64_t)apdus));
	json_object_object_add(o, "auth_ok", json_object_new_int64((int64_t)ok));
	json_object_object_add(o, "auth_fail",
			       json_object_new_int64((int64_t)fail));
	json_object_object_add(o, "persists",
			       json_object_new_int64((int64_t)__atomic_load_n(&c->persists, __ATOMIC_RELAXED)));
	json_object_object_add(o, "persist_failures",
			       json_object_new_int64((int64_t)__atomic_load_n(&c->persist_failures, __ATOMIC_RELAXED)));
	json_object_object_add(o, "vpcd_connects",
			       json_object_new_int64((int64_t)c->vpcd.connects));
	json_object_object_add(o, "last_error",
			       json_text(c->vpcd.last_error));
	/* a board's card, or one whose terminal is another program: no reader */
	if (vsimd_card_on_vpcd(c))
		add_pcsc_place(d, c, o);
	if (c->cardem.enabled) {
		/* the card's reader is a SIMtrace2 board (docs/modems.md) */
		json_object *b = json_object_new_object();
		const struct vsimd_board *w = &c->board;
		char pid[8];

		if (!w->in_board) {
			json_object_object_add(b, "in_board", json_object_new_boolean(0));
		} else {
			snprintf(pid, sizeof(pid), "%04x", w->pid);
			json_object_object_add(b, "in_board", json_object_new_boolean(1));
			json_object_object_add(b, "serial", json_text(w->serial));
			json_object_object_add(b, "path", json_text(w->path));
			json_object_object_add(b, "slot", json_object_new_int(w->slot));
			json_object_object_add(b, "interface", json_object_new_int(w->ifnum));
			json_object_object_add(b, "pid", json_object_new_string(pid));
		}
		json_object_object_add(o, "cardem", b);
	}
	return o;
}

static json_object *ok_reply(void)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "ok", json_object_new_boolean(1));
	return o;
}

static const char *get_str(json_object *req, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(req, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static struct vsimd_card *need_card(struct vsimd *d, struct ctl_client *cl,
				    json_object *req)
{
	const char *name = get_str(req, "card");
	struct vsimd_card *c;
	char msg[128];

	if (!name) {
		send_error(cl, "request needs \"card\"");
		return NULL;
	}
	c = vsimd_card_find(d, name);
	if (!c) {
		snprintf(msg, sizeof(msg), "no card named '%.64s'", name);
		send_error(cl, msg);
	}
	return c;
}

static void cmd_add(struct vsimd *d, struct ctl_client *cl, json_object *req)
{
	const char *name = get_str(req, "name"), *text = get_str(req, "profile");
	const char *pname = get_str(req, "profile_name"), *vpcd;
	char err[600], host[VSIM_STORE_HOST_MAX];
	struct vsimd_card *c;
	json_object *v, *o;
	int slot = -1, port = 0;

	if (!name || !text) {
		send_error(cl, "add needs \"name\" and \"profile\"");
		return;
	}
	if (json_object_object_get_ex(req, "slot", &v)) {
		if (!json_object_is_type(v, json_type_int) ||
		    json_object_get_int(v) < 0 ||
		    json_object_get_int(v) >= VSIMD_MAX_CARDS) {
			char msg[64];

			snprintf(msg, sizeof(msg), "slot: a number 0-%d",
				 VSIMD_MAX_CARDS - 1);
			send_error(cl, msg);
			return;
		}
		slot = json_object_get_int(v);
	}
	vpcd = get_str(req, "vpcd");
	if (vpcd && vsimd_parse_hostport(vpcd, host, sizeof(host), &port)) {
		send_error(cl, "vpcd: use HOST:PORT");
		return;
	}
	if (vpcd && !strchr(vpcd, ':'))
		vpcd = NULL;	/* a bare port: default host */
	c = vsimd_card_add(d, name, pname ? pname : "profile", text, slot,
			   vpcd ? host : NULL, port, err, sizeof(err));
	if (!c) {
		send_error(cl, err);
		return;
	}
	o = ok_reply();
	json_object_object_add(o, "card", card_json(d, c));
	client_send(cl, o);
}

/*
 * The user picks an application from the card's OTA menu: the card queues
 * its request SMS; the terminal learns of it by 91xx (docs/ota.md).
 */
static void cmd_app_request(struct vsimd *d, struct ctl_client *cl,
			    json_object *req)
{
	const char *app = get_str(req, "app");
	struct vsimd_card *c = need_card(d, cl, req);
	char err[300];

	if (!c)
		return;
	if (!app || !*app) {
		send_error(cl, "app-request needs \"app\"");
		return;
	}
	if (d->backend->app_request(c, app, err, sizeof(err))) {
		send_error(cl, err);
		return;
	}
	log_info("card %s: %s chosen from the menu: the request SMS waits for the terminal",
		 c->name, app);
	client_send(cl, ok_reply());
}

static void handle_request(struct vsimd *d, struct ctl_client *cl,
			   const char *line)
{
	enum json_tokener_error jerr;
	json_object *req = json_tokener_parse_verbose(line, &jerr), *o, *a;
	struct vsimd_card *c;
	const char *cmd;
	char err[300];
	size_t i;

	if (!req || !json_object_is_type(req, json_type_object)) {
		snprintf(err, sizeof(err), "request is not a JSON object: %s",
			 req ? "wrong type" : json_tokener_error_desc(jerr));
		send_error(cl, err);
		json_object_put(req);
		return;
	}
	cmd = get_str(req, "cmd");
	if (cmd && cl->role != CTL_ADMIN && (!strcmp(cmd, "add") ||
	    !strcmp(cmd, "remove") || !strcmp(cmd, "app-request"))) {
		snprintf(err, sizeof(err),
			 "%s: permission denied (root or group %s only)", cmd,
			 VSIMD_GROUP_ADMIN);
		send_error(cl, err);
	} else if (!cmd) {
		send_error(cl, "request needs \"cmd\"");
	} else if (!strcmp(cmd, "list")) {
		o = ok_reply();
		a = json_object_new_array();
		for (i = 0; i < d->n_cards; i++)
			json_object_array_add(a, card_json(d, d->cards[i]));
		json_object_object_add(o, "cards", a);
		client_send(cl, o);
	} else if (!strcmp(cmd, "status")) {
		c = need_card(d, cl, req);
		if (c) {
			o = ok_reply();
			json_object_object_add(o, "card", card_json(d, c));
			client_send(cl, o);
		}
	} else if (!strcmp(cmd, "add")) {
		cmd_add(d, cl, req);
	} else if (!strcmp(cmd, "remove")) {
		c = need_card(d, cl, req);
		if (c && vsimd_card_remove(d, c, err, sizeof(err)))
			send_error(cl, err);
		else if (c)
			client_send(cl, ok_reply());
	} else if (!strcmp(cmd, "trace")) {
		c = need_card(d, cl, req);
		if (c) {
			cl->trace = c;
			client_send(cl, ok_reply());
		}
	} else if (!strcmp(cmd, "app-request")) {
		cmd_app_request(d, cl, req);
	} else {
		snprintf(err, sizeof(err), "unknown cmd '%.64s' (list, status, add, remove, trace, app-request)",
			 cmd);
		send_error(cl, err);
	}
	json_object_put(req);
}

/* Bytes a client sent: answer every complete line (tests/fuzz too). */
static void client_take(struct vsimd *d, struct ctl_client *cl,
			const char *buf, size_t n)
{
	char *nl;

	if (cl->in_len + (size_t)n > CTL_IN_MAX) {
		send_error(cl, "request longer than 1 MiB");
		cl->closing = 1;
		return;
	}
	nl = realloc(cl->in, cl->in_len + (size_t)n + 1);
	if (!nl) {
		cl->closing = 2;
		return;
	}
	cl->in = nl;
	memcpy(cl->in + cl->in_len, buf, (size_t)n);
	cl->in_len += (size_t)n;
	cl->in[cl->in_len] = '\0';
	while (!cl->closing && (nl = memchr(cl->in, '\n', cl->in_len))) {
		size_t used = (size_t)(nl - cl->in) + 1;

		*nl = '\0';
		if (nl > cl->in)
			handle_request(d, cl, cl->in);
		cl->last_ms = now_ms();
		/* the request may hold a profile with K: wipe it */
		explicit_bzero(cl->in, used);
		memmove(cl->in, cl->in + used, cl->in_len - used + 1);
		cl->in_len -= used;
	}
}

static void client_read(struct vsimd *d, struct ctl_client *cl)
{
	char buf[65536];
	ssize_t n = read(cl->fd, buf, sizeof(buf));

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		cl->closing = 2;
		return;
	}
	if (n > 0)
		client_take(d, cl, buf, (size_t)n);
}

static void client_write(struct ctl_client *cl)
{
	ssize_t n;

	if (!cl->out_len)
		return;
	n = send(cl->fd, cl->out, cl->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			cl->closing = 2;
		return;
	}
	memmove(cl->out, cl->out + n, cl->out_len - (size_t)n);
	cl->out_len -= (size_t)n;
}

static size_t clients_of(const struct vsimd_control *ctl, uid_t uid)
{
	size_t i, k = 0;

	for (i = 0; i < ctl->n; i++)
		k += ctl->c[i].uid == uid;
	return k;
}

/* Take every waiting connection: serve it, or refuse it with a line. */
static void accept_clients(struct vsimd_control *ctl)
{
	char msg[200];
	int i;

	for (i = 0; i < CTL_MAX_CLIENTS; i++) {
		int fd = accept4(ctl->fd, NULL, NULL,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct ctl_client *cl;
		enum ctl_role role;
		uid_t uid = (uid_t)-1;

		if (fd < 0)
			return;
		role = peer_role(fd, &uid);
		if (role == CTL_NOBODY) {
			snprintf(msg, sizeof(msg),
				 "permission denied: uid %ld is not root nor in group %s or %s",
				 (long)uid, VSIMD_GROUP_USER, VSIMD_GROUP_ADMIN);
			refuse(fd, msg);
			continue;
		}
		if (uid != 0 && clients_of(ctl, uid) >= CTL_PER_UID) {
			snprintf(msg, sizeof(msg),
				 "too many connections from uid %ld (%d held; idle ones close after %d s)",
				 (long)uid, CTL_PER_UID, CTL_IDLE_MS / 1000);
			refuse(fd, msg);
			continue;
		}
		if (ctl->n == CTL_MAX_CLIENTS) {
			snprintf(msg, sizeof(msg),
				 "vsimd is busy: %d connections held (idle ones close after %d s)",
				 CTL_MAX_CLIENTS, CTL_IDLE_MS / 1000);
			refuse(fd, msg);
			continue;
		}
		cl = &ctl->c[ctl->n++];
		memset(cl, 0, sizeof(*cl));
		cl->fd = fd;
		cl->uid = uid;
		cl->role = role;
		cl->last_ms = now_ms();
	}
}

/* A connection that asks nothing gives its slot back (trace waits). */
static void expire_idle(struct vsimd_control *ctl)
{
	uint64_t now = now_ms();
	size_t i;

	for (i = ctl->n; i-- > 0;) {
		struct ctl_client *cl = &ctl->c[i];

		if (cl->trace || cl->closing ||
		    now - cl->last_ms < CTL_IDLE_MS)
			continue;
		if (cl->out_len) {
			client_remove(ctl, i);	/* not even reading its answers */
			continue;
		}
		send_error(cl, "idle: closing (send a request on connecting)");
		cl->closing = 1;
		client_write(cl);
		if (!cl->out_len)
			client_remove(ctl, i);
	}
}

size_t vsimd_control_fill(struct vsimd *d, struct pollfd *pfd, size_t max)
{
	struct vsimd_control *ctl = d->control;
	size_t i, n = 0;

	if (!ctl || max < ctl->n + 1)
		return 0;
	pfd[n].fd = ctl->fd;
	pfd[n++].events = POLLIN;	/* when full: refused with a line */
	for (i = 0; i < ctl->n; i++) {
		pfd[n].fd = ctl->c[i].fd;
		pfd[n++].events = POLLIN | (ctl->c[i].out_len ? POLLOUT : 0);
	}
	return n;
}

void vsimd_control_dispatch(struct vsimd *d, const struct pollfd *pfd,
			    size_t n)
{
	struct vsimd_control *ctl = d->control;
	size_t i, nclients = ctl->n;

	/* clients first: indexes in pfd match ctl->c until one is removed */
	for (i = 0; i < nclients && i + 1 < n; i++) {
		struct ctl_client *cl = &ctl->c[i];

		if (pfd[i + 1].fd != cl->fd)
			continue;
		if (pfd[i + 1].revents & (POLLIN | POLLHUP | POLLERR))
			client_read(d, cl);
		if (pfd[i + 1].revents & POLLOUT)
			client_write(cl);
	}
	for (i = ctl->n; i-- > 0;) {
		struct ctl_client *cl = &ctl->c[i];

		client_write(cl);
		if (cl->closing == 2 || (cl->closing == 1 && !cl->out_len))
			client_remove(ctl, i);
	}
	if (n && (pfd[0].revents & POLLIN))
		accept_clients(ctl);
	expire_idle(ctl);
}

unsigned long vsimd_control_closes(const struct vsimd *d)
{
	return d->control ? d->control->closes : 0;
}

int vsimd_control_timeout(struct vsimd *d)
{
	struct vsimd_control *ctl = d->control;
	uint64_t now = now_ms(), t;
	int best = -1;
	size_t i;

	for (i = 0; ctl && i < ctl->n; i++) {
		if (ctl->c[i].trace || ctl->c[i].closing)
			continue;
		t = ctl->c[i].last_ms + CTL_IDLE_MS;
		t = t > now ? t - now : 0;
		if (best < 0 || t < (uint64_t)best)
			best = (int)t;
	}
	return best;
}

static char *hex(const uint8_t *p, size_t n, char *buf)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		buf[2 * i] = digits[p[i] >> 4];
		buf[2 * i + 1] = digits[p[i] & 15];
	}
	buf[2 * n] = '\0';
	return buf;
}

static void send_trace(struct vsimd_control *ctl, const struct vsimd_event *ev)
{
	struct vsimd_card *c = ev->card;
	char chex[2 * VSIM_CAPDU_MAX + 1], rhex[2 * VSIM_RAPDU_MAX + 1];
	uint8_t shown[VSIM_CAPDU_MAX], rshown[VSIM_RAPDU_MAX];
	size_t i;

	for (i = 0; i < ctl->n; i++) {
		/* secrets in clear only to admins of a vsimd told reveal_keys */
		unsigned int blank = c->d->cfg->reveal_keys &&
				     ctl->c[i].role == CTL_ADMIN ? 0 : ev->redact;
		json_object *o, *t;

		if (ctl->c[i].trace != c)
			continue;
		t = json_object_new_object();
		json_object_object_add(t, "card", json_object_new_string(c->name));
		json_object_object_add(t, "seq",
				       json_object_new_int64((int64_t)ev->seq));
		json_object_object_add(t, "event", json_object_new_string(ev->what));
		if (ev->capdu && ev->clen <= VSIM_CAPDU_MAX &&
		    ev->rlen <= VSIM_RAPDU_MAX) {
			vsim_redact_copy(blank, ev->capdu, ev->clen, shown,
					 ev->rapdu, ev->rapdu ? ev->rlen : 0, rshown);
			json_object_object_add(t, "c",
					       json_object_new_string(hex(shown, ev->clen, chex)));
			if (blank)
				json_object_object_add(t, "redacted",
						       json_object_new_boolean(1));
			if (ev->rapdu)
				json_object_object_add(t, "r",
						       json_object_new_string(hex(rshown, ev->rlen, rhex)));
		} else if (ev->rapdu && ev->rlen <= VSIM_RAPDU_MAX) {
			json_object_object_add(t, "atr",
					       json_object_new_string(hex(ev->rapdu, ev->rlen, rhex)));
		}
		o = json_object_new_object();
		json_object_object_add(o, "trace", t);
		client_send(&ctl->c[i], o);
	}
	explicit_bzero(shown, sizeof(shown));
	explicit_bzero(rshown, sizeof(rshown));
}

static void send_gone(struct vsimd_control *ctl, const struct vsimd_card *c)
{
	size_t i;

	for (i = 0; i < ctl->n; i++) {
		json_object *o;

		if (ctl->c[i].trace != c)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "gone", json_object_new_boolean(1));
		client_send(&ctl->c[i], o);
		ctl->c[i].trace = NULL;
		ctl->c[i].closing = 1;
	}
}

/* The control socket's subscription (events.h): traces and departures. */
static void on_event(void *ctx, const struct vsimd_event *ev)
{
	struct vsimd_control *ctl = ctx;

	if (ev->kind == VSIMD_EV_TRACE)
		send_trace(ctl, ev);
	else if (ev->kind == VSIMD_EV_CARD_GONE)
		send_gone(ctl, ev->card);
}
