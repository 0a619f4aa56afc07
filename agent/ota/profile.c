// SPDX-License-Identifier: GPL-2.0-only
/*
 * [ota ...] profile sections (see ota/profile.h, docs/profile.md):
 *
 *   [ota]             window, concat_timeout, server, menu, request_keyset,
 *                     bip_server, bip_buffer, scp81_identity, scp81_psk,
 *                     scp81_kvn, scp81_uri
 *   [ota keyset N]    algorithm (des, 3des2, 3des3, aes), kic, kid, dek,
 *                     counter
 *   [ota tar XXXXXX]  app (rfm-uicc, rfm-usim, binding, isd), check
 *                     (none, rc, cc), cipher (true/false), counter (none,
 *                     any, higher, next)
 */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/hex.h"
#include "ota/profile.h"

struct pctx {
	struct ota_profile *p;
	char *err;
	size_t errlen;
	const char *path;
	bool failed;
};

static int fail(struct pctx *c, const char *section, const char *fmt,
		const char *a, const char *b)
{
	char msg[256];

	snprintf(msg, sizeof(msg), fmt, a, b);
	snprintf(c->err, c->errlen, "%s: [%s] %s", c->path, section, msg);
	c->failed = true;
	return 0;	/* inih stops and returns the line */
}

static int parse_u64(const char *v, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long n;

	if (!isdigit((unsigned char)*v))
		return -1;
	errno = 0;
	n = strtoull(v, &end, 0);
	if (errno || *end || n > max)
		return -1;
	*out = n;
	return 0;
}

static int parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1"))
		*out = true;
	else if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "0"))
		*out = false;
	else
		return -1;
	return 0;
}


static int word(const char *v, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(v, names[i]))
			return (int)i;
	return -1;
}

static const char *const algo_names[] = {
	[OTA_ALG_DES] = "des", [OTA_ALG_3DES2] = "3des2",
	[OTA_ALG_3DES3] = "3des3", [OTA_ALG_AES] = "aes",
};
static const char *const app_names[] = {
	[OTA_APP_RFM_UICC] = "rfm-uicc", [OTA_APP_RFM_USIM] = "rfm-usim",
	[OTA_APP_BINDING] = "binding", [OTA_APP_GP] = "isd",
};
static const char *const check_names[] = { "none", "rc", "cc" };
static const char *const cntr_names[] = { "none", "any", "higher", "next" };

static int keyset_key(struct pctx *c, const char *sect, unsigned int idx,
		      const char *name, const char *value)
{
	struct ota_keyset *ks = &c->p->keysets[idx];
	struct ota_key *k;
	int n, a;

	ks->present = true;
	if (!strcmp(name, "algorithm")) {
		a = word(value, algo_names, sizeof(algo_names) / sizeof(*algo_names));
		if (a < 0)
			return fail(c, sect, "field 'algorithm': '%s' is not des, 3des2, 3des3 or aes%s",
				    value, "");
		ks->kic.algo = ks->kid.algo = ks->dek.algo = (enum ota_algo)a;
		return 1;
	}
	if (!strcmp(name, "counter")) {
		if (parse_u64(value, OTA_CNTR_MAX, &ks->counter))
			return fail(c, sect, "field 'counter': not a number up to 0xFFFFFFFFFF%s%s",
				    "", "");
		return 1;
	}
	if (strcmp(name, "kic") && strcmp(name, "kid") && strcmp(name, "dek"))
		return fail(c, sect, "unknown field '%s'%s", name, "");
	k = name[0] == 'd' ? &ks->dek : name[2] == 'c' ? &ks->kic : &ks->kid;
	n = vsim_hex_parse(value, k->key, sizeof(k->key));
	if (n < 0)
		return fail(c, sect, "field '%s': not hex (at most 32 bytes)%s",
			    name, "");
	k->len = (uint8_t)n;
	return 1;
}

static int tar_key(struct pctx *c, const char *sect, struct ota_tar_cfg *t,
		   const char *name, const char *value)
{
	int w;

	if (!strcmp(name, "app")) {
		w = word(value, app_names, sizeof(app_names) / sizeof(*app_names));
		if (w < 0)
			return fail(c, sect, "field 'app': '%s' is not rfm-uicc, rfm-usim, binding or isd%s",
				    value, "");
		t->app = (enum ota_app)w;
	} else if (!strcmp(name, "check")) {
		w = word(value, check_names, 3);
		if (w < 0)
			return fail(c, sect, "field 'check': '%s' is not none, rc or cc%s",
				    value, "");
		t->msl.check = (uint8_t)w;
	} else if (!strcmp(name, "cipher")) {
		if (parse_bool(value, &t->msl.cipher))
			return fail(c, sect, "field 'cipher': '%s' is not true or false%s",
				    value, "");
	} else if (!strcmp(name, "counter")) {
		w = word(value, cntr_names, 4);
		if (w < 0)
			return fail(c, sect, "field 'counter': '%s' is not none, any, higher or next%s",
				    value, "");
		t->msl.counter = (uint8_t)w;
	} else {
		return fail(c, sect, "unknown field '%s'%s", name, "");
	}
	return 1;
}

static struct ota_tar_cfg *tar_for(struct pctx *c, uint32_t tar)
{
	struct ota_profile *p = c->p;
	unsigned int i;

	for (i = 0; i < p->ntars; i++)
		if (p->tars[i].tar == tar)
			return &p->tars[i];
	if (p->ntars == OTA_TARS_MAX)
		return NULL;
	p->tars[p->ntars] = (struct ota_tar_cfg){ .tar = tar,
		.app = OTA_APP_RFM_UICC,
		.msl = { OTA_CHECK_CC, false, OTA_CNTR_HIGHER } };
	return &p->tars[p->ntars++];
}

static int handler(void *user, const char *section, const char *name,
		   const char *value)
{
	struct pctx *c = user;
	struct ota_profile *p = c->p;
	uint8_t t[3];
	uint64_t n;

	if (strncmp(section, "ota", 3) || (section[3] && section[3] != ' '))
		return 1;		/* not ours */
	p->present = true;
	if (!section[3]) {
		if (!strcmp(name, "window")) {
			if (parse_u64(value, OTA_CNTR_MAX, &p->window))
				return fail(c, section, "field 'window': not a number%s%s", "", "");
		} else if (!strcmp(name, "concat_timeout")) {
			if (parse_u64(value, 86400, &n) || !n)
				return fail(c, section, "field 'concat_timeout': 1..86400 seconds%s%s", "", "");
			p->concat_timeout = (unsigned int)n;
		} else if (!strcmp(name, "menu")) {
			char buf[256], *tok, *save = NULL;

			snprintf(buf, sizeof(buf), "%s", value);
			p->nmenu = 0;
			for (tok = strtok_r(buf, " ,\t", &save); tok;
			     tok = strtok_r(NULL, " ,\t", &save)) {
				if (p->nmenu == OTA_MENU_MAX ||
				    strlen(tok) >= OTA_MENU_NAME)
					return fail(c, section, "field 'menu': at most 8 names of up to 23 characters%s%s",
						    "", "");
				strcpy(p->menu[p->nmenu++], tok);
			}
		} else if (!strcmp(name, "request_keyset")) {
			if (parse_u64(value, 15, &n) || !n)
				return fail(c, section, "field 'request_keyset': 1..15%s%s", "", "");
			p->request_keyset = (unsigned int)n;
		} else if (!strcmp(name, "bip_server")) {
			if (ota_bip_cfg_parse(value, &p->bip))
				return fail(c, section, "field 'bip_server': '%s' is not A.B.C.D:PORT (IPv4)%s",
					    value, "");
		} else if (!strcmp(name, "scp81_identity")) {
			if (!*value || strlen(value) >= sizeof(p->scp81.identity))
				return fail(c, section, "field 'scp81_identity': 1..63 characters%s%s", "", "");
			snprintf(p->scp81.identity, sizeof(p->scp81.identity), "%s", value);
		} else if (!strcmp(name, "scp81_psk")) {
			int k = vsim_hex_parse(value, p->scp81.psk, sizeof(p->scp81.psk));

			if (k != 16 && k != 32)
				return fail(c, section, "field 'scp81_psk': 16 or 32 bytes of hex%s%s", "", "");
			p->scp81.psk_len = (size_t)k;
		} else if (!strcmp(name, "scp81_kvn")) {
			if (parse_u64(value, 0x7f, &n) || !n)
				return fail(c, section, "field 'scp81_kvn': 1..127 (the PSK's key version in the ISD)%s%s", "", "");
			p->scp81.kvn = (uint8_t)n;
		} else if (!strcmp(name, "scp81_uri")) {
			if (value[0] != '/' || strlen(value) >= 100 || strpbrk(value, " \t\r\n?"))
				return fail(c, section, "field 'scp81_uri': a path starting with / (no spaces, no query)%s%s", "", "");
			snprintf(p->scp81.uri, sizeof(p->scp81.uri), "%s", value);
		} else if (!strcmp(name, "bip_buffer")) {
			if (parse_u64(value, 65535, &n) || n < 16)
				return fail(c, section, "field 'bip_buffer': 16..65535 bytes%s%s", "", "");
			p->bip.buffer = (uint16_t)n;
		} else if (!strcmp(name, "server")) {
			if (ota_addr_from_string(value, &p->server))
				return fail(c, section, "field 'server': '%s' is not [+]digits (at most 20)%s",
					    value, "");
			p->has_server = true;
		} else {
			return fail(c, section, "unknown field '%s'%s", name, "");
		}
		return 1;
	}
	if (!strncmp(section, "ota keyset ", 11)) {
		if (parse_u64(section + 11, 15, &n) || !n)
			return fail(c, section, "key set index must be 1..15%s%s", "", "");
		return keyset_key(c, section, (unsigned int)n, name, value);
	}
	if (!strncmp(section, "ota tar ", 8)) {
		struct ota_tar_cfg *tc;

		if (strlen(section + 8) != 6 || vsim_hex_parse(section + 8, t, 3) != 3)
			return fail(c, section, "a TAR is 6 hex digits%s%s", "", "");
		tc = tar_for(c, (uint32_t)(t[0] << 16 | t[1] << 8 | t[2]));
		if (!tc)
			return fail(c, section, "more than 16 TARs%s%s", "", "");
		return tar_key(c, section, tc, name, value);
	}
	return fail(c, section, "unknown section (expected [ota], [ota keyset N] or [ota tar XXXXXX])%s%s",
		    "", "");
}

static int load(const char *path, const char *text, struct ota_profile *p,
		char *err, size_t errlen)
{
	struct pctx c = { p, err, errlen, path, false };
	unsigned int i;
	int line;

	memset(p, 0, sizeof(*p));
	line = text ? ini_parse_string(text, handler, &c) :
		      ini_parse(path, handler, &c);
	if (line < 0) {
		snprintf(err, errlen, "%s: cannot read", path);
		return -1;
	}
	if (line > 0) {
		if (c.failed) {		/* put the line after the path */
			char tmp[512];

			snprintf(tmp, sizeof(tmp), "%s", err);
			snprintf(err, errlen, "%s:%d:%s", path, line,
				 tmp + strlen(path) + 1);
		} else {
			snprintf(err, errlen, "%s:%d: syntax error", path, line);
		}
		ota_profile_wipe(p);
		return -1;
	}
	for (i = 1; i < OTA_KEYSETS; i++) {
		struct ota_keyset *ks = &p->keysets[i];

		if (!ks->present)
			continue;
		if (!ks->kic.algo || !ota_key_len_ok(ks->kic.algo, ks->kic.len) ||
		    !ota_key_len_ok(ks->kid.algo, ks->kid.len) ||
		    (ks->dek.len && !ota_key_len_ok(ks->dek.algo, ks->dek.len))) {
			snprintf(err, errlen,
				 "%s: [ota keyset %u]: algorithm, kic and kid are required (dek optional); keys of the algorithm's length (des 8, 3des2 16, 3des3 24, aes 16/24/32 bytes)",
				 path, i);
			ota_profile_wipe(p);
			return -1;
		}
	}
	return 0;
}

int ota_profile_load(const char *path, struct ota_profile *p, char *err,
		     size_t errlen)
{
	return load(path, NULL, p, err, errlen);
}

int ota_profile_parse_buffer(const char *name, const char *text,
			     struct ota_profile *p, char *err, size_t errlen)
{
	return load(name, text, p, err, errlen);
}

void ota_profile_apply(const struct ota_profile *p, struct ota_card *o)
{
	unsigned int i;

	memcpy(o->keysets, p->keysets, sizeof(o->keysets));
	memcpy(o->menu, p->menu, sizeof(o->menu));
	o->nmenu = p->nmenu;
	o->has_server = p->has_server;
	o->bip_cfg = p->bip;
	o->scp81_cfg = p->scp81;
	o->scp81_cfg.enabled = p->scp81.psk_len && p->scp81.identity[0] &&
			       p->bip.enabled;
	if (!o->scp81_cfg.uri[0])
		strcpy(o->scp81_cfg.uri, "/");
	if (!o->scp81_cfg.kvn)
		o->scp81_cfg.kvn = SCP81_KVN_DEFAULT;
	snprintf(o->scp81_cfg.host, sizeof(o->scp81_cfg.host), "%u.%u.%u.%u:%u",
		 p->bip.ip[0], p->bip.ip[1], p->bip.ip[2], p->bip.ip[3],
		 p->bip.port);
	if (o->bip_cfg.enabled && !o->bip_cfg.buffer)
		o->bip_cfg.buffer = BIP_BUFFER_DEFAULT;
	o->server = p->server;
	o->request_keyset = p->request_keyset ? p->request_keyset : 3;
	o->window = p->window;
	o->reasm.timeout = p->concat_timeout;
	for (i = 0; i < p->ntars; i++)
		ota_card_set_tar(o, p->tars[i].tar, p->tars[i].app,
				 &p->tars[i].msl);
}

int ota_profile_warn(const struct ota_profile *p,
		     void (*warn)(void *ctx, const char *msg), void *ctx)
{
	char msg[200];
	unsigned int i;
	int n = 0;

	for (i = 0; i < p->ntars; i++) {
		const struct ota_tar_cfg *t = &p->tars[i];

		if (t->msl.counter >= OTA_CNTR_HIGHER)
			continue;
		snprintf(msg, sizeof(msg),
			 "[ota tar %06X] counter = %s: a replayed packet is accepted again (TS 102 225 §5.1.1: use higher or next)",
			 (unsigned int)t->tar, cntr_names[t->msl.counter & 3]);
		warn(ctx, msg);
		n++;
	}
	return n;
}

void ota_profile_wipe(struct ota_profile *p)
{
	OPENSSL_cleanse(p, sizeof(*p));
}
