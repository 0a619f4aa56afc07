// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsimd's configuration file (config.h) through libinih: every key is
 * checked, and an unknown section or key is an error with its line, so a
 * typo never silently runs a different daemon.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "vsimd/config.h"

struct parse_ctx {
	struct vsimd_config *cfg;
	const char *path;
	char *err;
	size_t errlen;
	int failed;
	FILE *f;
	int line;	/* libinih reads a line, then calls the handler */
};

static char *read_line(char *buf, int size, void *stream)
{
	struct parse_ctx *p = stream;
	char *r = fgets(buf, size, p->f);

	if (r)
		p->line++;
	return r;
}

void vsimd_config_defaults(struct vsimd_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s",
		 VSIMD_DEFAULT_STATE);
	snprintf(cfg->socket, sizeof(cfg->socket), "%s", VSIMD_DEFAULT_SOCKET);
	snprintf(cfg->backend, sizeof(cfg->backend), "embedded");
	cfg->log_level = VSIM_LOG_INFO;
	snprintf(cfg->vpcd_host, sizeof(cfg->vpcd_host), "%s",
		 VSIMD_DEFAULT_HOST);
	cfg->vpcd_port = VSIMD_DEFAULT_PORT;
}

void vsimd_config_free(struct vsimd_config *cfg)
{
	free(cfg->cards);
	cfg->cards = NULL;
	cfg->n_cards = cfg->cap_cards = 0;
}

struct vsimd_config_card *vsimd_config_card_new(struct vsimd_config *cfg)
{
	struct vsimd_config_card *c;

	if (cfg->n_cards >= VSIMD_MAX_CARDS)
		return NULL;
	if (cfg->n_cards == cfg->cap_cards) {
		size_t cap = cfg->cap_cards ? 2 * cfg->cap_cards : 16;

		c = realloc(cfg->cards, cap * sizeof(*c));
		if (!c)
			return NULL;
		cfg->cards = c;
		cfg->cap_cards = cap;
	}
	c = &cfg->cards[cfg->n_cards++];
	memset(c, 0, sizeof(*c));
	c->slot = -1;
	return c;
}

struct vsimd_config_card *vsimd_config_card_find(struct vsimd_config *cfg,
						 const char *name)
{
	size_t i;

	for (i = 0; i < cfg->n_cards; i++)
		if (!strcmp(cfg->cards[i].name, name))
			return &cfg->cards[i];
	return NULL;
}

struct vsimd_config_card *vsimd_config_card_named(struct vsimd_config *cfg,
						  const char *name)
{
	struct vsimd_config_card *c = vsimd_config_card_find(cfg, name);

	if (c)
		return c;
	c = vsimd_config_card_new(cfg);
	if (c)
		snprintf(c->name, sizeof(c->name), "%s", name);
	return c;
}

int vsimd_config_check(struct vsimd_config *cfg, char *err, size_t errlen)
{
	size_t i;

	cfg->any_external = false;
	for (i = 0; i < cfg->n_cards; i++) {
		const struct vsimd_config_card *c = &cfg->cards[i];

		if (!c->external)
			continue;
		/* the embedded engine has no /dev/vsimN to leave to anyone */
		if (strcmp(cfg->backend, "kernel")) {
			snprintf(err, errlen,
				 "card %s: terminal = external needs the kernel backend (an embedded card has no /dev/vsimN)",
				 c->name);
			return -1;
		}
		if (c->cardem.enabled) {
			snprintf(err, errlen,
				 "card %s: terminal = external and cardem exclude each other (cardem is vsimd's own terminal)",
				 c->name);
			return -1;
		}
		cfg->any_external = true;
	}
	return 0;
}

static int parse_int(const char *s, int min, int max, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

int vsimd_parse_hostport(const char *s, char *host, size_t hostlen, int *port)
{
	const char *colon = strrchr(s, ':');
	size_t n;

	if (!colon)
		return parse_int(s, 1, 65535, port);
	if (parse_int(colon + 1, 1, 65535, port))
		return -1;
	n = (size_t)(colon - s);
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	if (n == 0 || n >= hostlen)
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	return 0;
}

static int __attribute__((format(printf, 3, 4)))
fail(struct parse_ctx *p, int line, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s:%d: %s", p->path, line, msg);
	p->failed = 1;
	return 0;	/* libinih: stop at the first error */
}

static int copy(char *dst, size_t max, const char *v)
{
	if (strlen(v) >= max)
		return -1;
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

static int vsimd_key(struct parse_ctx *p, const char *k, const char *v,
		     int line)
{
	struct vsimd_config *cfg = p->cfg;

	if (!strcmp(k, "state")) {
		if (!*v || copy(cfg->state_dir, sizeof(cfg->state_dir), v))
			return fail(p, line, "state '%s': not a usable path", v);
	} else if (!strcmp(k, "socket")) {
		if (!*v || copy(cfg->socket, sizeof(cfg->socket), v))
			return fail(p, line, "socket '%s': not a usable path", v);
	} else if (!strcmp(k, "backend")) {
		if (strcmp(v, "embedded") && strcmp(v, "kernel"))
			return fail(p, line, "backend '%s': use embedded or kernel", v);
		copy(cfg->backend, sizeof(cfg->backend), v);
	} else if (!strcmp(k, "log_level")) {
		if (vsim_log_parse_level(v, &cfg->log_level))
			return fail(p, line, "log_level '%s': use error, warn, info or debug", v);
	} else if (!strcmp(k, "sync")) {
		if (strcmp(v, "full") && strcmp(v, "normal"))
			return fail(p, line, "sync '%s': use full or normal", v);
		cfg->sync_normal = !strcmp(v, "normal");
	} else if (!strcmp(k, "vpcd_host")) {
		if (!*v || copy(cfg->vpcd_host, sizeof(cfg->vpcd_host), v))
			return fail(p, line, "vpcd_host '%s': not a host name", v);
	} else if (!strcmp(k, "gsmtap")) {
		if (!*v || copy(cfg->gsmtap, sizeof(cfg->gsmtap), v))
			return fail(p, line, "gsmtap '%s': use HOST or HOST:PORT", v);
	} else if (!strcmp(k, "reveal_keys")) {
		/* an explicit opt-in: anything but yes or no is a mistake */
		if (strcmp(v, "yes") && strcmp(v, "no"))
			return fail(p, line, "reveal_keys '%s': use yes or no", v);
		cfg->reveal_keys = !strcmp(v, "yes");
	} else if (!strcmp(k, "pcscd_groups")) {
		if (strcmp(v, "yes") && strcmp(v, "no"))
			return fail(p, line, "pcscd_groups '%s': use yes or no", v);
		cfg->pcscd_groups = !strcmp(v, "yes");
	} else if (!strcmp(k, "vpcd_port")) {
		if (parse_int(v, 1, 65535, &cfg->vpcd_port))
			return fail(p, line, "vpcd_port '%s': not a port (1-65535)", v);
	} else {
		return fail(p, line, "unknown key '%s' in [vsimd]", k);
	}
	return 1;
}

static struct vsimd_config_card *card_section(struct parse_ctx *p,
					      const char *name, int line)
{
	struct vsimd_config *cfg = p->cfg;
	struct vsimd_config_card *c;
	size_t i;

	/* the section being read is the last one: no search per key */
	if (cfg->n_cards && !strcmp(cfg->cards[cfg->n_cards - 1].name, name))
		return &cfg->cards[cfg->n_cards - 1];
	for (i = 0; i < cfg->n_cards; i++)
		if (!strcmp(cfg->cards[i].name, name))
			return &cfg->cards[i];
	if (!vsim_store_name_ok(name)) {
		fail(p, line, "[card %s]: a name is 1-63 of A-Z a-z 0-9 . _ -",
		     name);
		return NULL;
	}
	if (cfg->n_cards >= VSIMD_MAX_CARDS) {
		fail(p, line, "[card %s]: too many [card] sections (at most %d)",
		     name, VSIMD_MAX_CARDS);
		return NULL;
	}
	c = vsimd_config_card_new(cfg);
	if (!c) {
		fail(p, line, "out of memory");
		return NULL;
	}
	snprintf(c->name, VSIM_STORE_NAME_MAX, "%s", name);
	c->line = line;
	return c;
}

static int card_key(struct parse_ctx *p, struct vsimd_config_card *c,
		    const char *k, const char *v, int line)
{
	if (!strcmp(k, "profile")) {
		if (!*v || copy(c->profile, sizeof(c->profile), v))
			return fail(p, line, "profile '%s': not a usable path", v);
	} else if (!strcmp(k, "slot")) {
		if (parse_int(v, 0, VSIMD_MAX_CARDS - 1, &c->slot))
			return fail(p, line, "slot '%s': not a slot number (0-%d)",
				    v, VSIMD_MAX_CARDS - 1);
	} else if (!strcmp(k, "vpcd")) {
		if (vsimd_parse_hostport(v, c->host, sizeof(c->host), &c->port))
			return fail(p, line, "vpcd '%s': use HOST:PORT", v);
	} else if (!strcmp(k, "cardem")) {
		if (!*v || vsimd_cardem_sel_parse(v, &c->cardem))
			return fail(p, line, "cardem '%s': use any, or serial=S,path=BUS-PORT,slot=0|1", v);
	} else if (!strcmp(k, "terminal")) {
		/* who opens /dev/vsimN: vsimd's bridge, or another program */
		if (strcmp(v, "vsimd") && strcmp(v, "external"))
			return fail(p, line, "terminal '%s': use vsimd or external", v);
		c->external = !strcmp(v, "external");
	} else {
		return fail(p, line, "unknown key '%s' in [card]", k);
	}
	return 1;
}

static int handler(void *user, const char *section, const char *key,
		   const char *value)
{
	struct parse_ctx *p = user;
	struct vsimd_config_card *c;
	int line = p->line;

	if (p->failed)
		return 0;
	if (!strcmp(section, "vsimd")) {
		if (!key)
			return 1;
		return vsimd_key(p, key, value, line);
	}
	if (!strncmp(section, "card ", 5)) {
		c = card_section(p, section + 5, line);
		if (!c)
			return 0;
		return key ? card_key(p, c, key, value, line) : 1;
	}
	return fail(p, line, "unknown section [%s] (use [vsimd] or [card NAME])",
		    section);
}

int vsimd_config_load(const char *path, struct vsimd_config *cfg, char *err,
		      size_t errlen)
{
	struct parse_ctx p = { cfg, path, err, errlen, 0, NULL, 0 };
	size_t i;
	int rc;

	cfg->n_cards = 0;
	p.f = fopen(path, "r");
	if (!p.f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = ini_parse_stream(read_line, &p, handler, &p);
	fclose(p.f);
	if (p.failed)
		return -1;
	if (rc > 0) {
		snprintf(err, errlen, "%s:%d: not an INI line", path, rc);
		return -1;
	}
	for (i = 0; i < cfg->n_cards; i++) {
		if (!cfg->cards[i].profile[0]) {
			snprintf(err, errlen, "%s:%d: [card %s] needs profile =",
				 path, cfg->cards[i].line, cfg->cards[i].name);
			return -1;
		}
	}
	return 0;
}
