// SPDX-License-Identifier: GPL-2.0-only
/*
 * The application management server (see ota-server/appserver.h): catalogue,
 * server database and the download flow.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <sqlite3.h>

#include "common/hex.h"
#include "ota-server/appserver.h"
#include "ota/gp.h"
#include "ota/rapdu.h"

#define STORE_BLOCK		200	/* STORE DATA bytes per command */
#define BLOCKS_PER_MESSAGE	4	/* about 7 SMS per message */
#define DOWNLOAD_TRIES		3

struct ota_appserver {
	sqlite3 *db;
	uint8_t spi2_or;	/* OTA_SPI2_POR_SUBMIT over SMPP */
};

void ota_appserver_por_by_sms(struct ota_appserver *s, bool on)
{
	s->spi2_or = on ? OTA_SPI2_POR_SUBMIT : 0;
}

/* ---- catalogue ---- */

struct cat_ctx {
	struct ota_catalogue *c;
	const char *path;
	char *err;
	size_t errlen;
};


static int read_all(const char *path, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    n > OTA_GP_QUOTA_MAX || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return -1;
	}
	*out = malloc(n ? (size_t)n : 1);
	if (!*out || (n && fread(*out, (size_t)n, 1, f) != 1)) {
		free(*out);
		*out = NULL;
		fclose(f);
		return -1;
	}
	*len = (size_t)n;
	fclose(f);
	return 0;
}

static int cat_fail(struct cat_ctx *x, const char *sect, const char *what)
{
	snprintf(x->err, x->errlen, "%s: [%s] %s", x->path, sect, what);
	return 0;
}

static int cat_handler(void *user, const char *section, const char *name,
		       const char *value)
{
	struct cat_ctx *x = user;
	struct ota_catalogue *c = x->c;
	struct ota_catapp *a;
	uint8_t t[3];
	char *end;
	unsigned long n;
	int l;

	if (strncmp(section, "app ", 4) || !section[4] ||
	    strlen(section + 4) >= OTA_APP_NAME_MAX)
		return cat_fail(x, section, "sections are [app NAME] (NAME up to 31 characters)");
	a = (struct ota_catapp *)ota_catalogue_find(c, section + 4);
	if (!a) {
		if (c->n == OTA_CATALOGUE_MAX)
			return cat_fail(x, section, "more than 16 applications");
		a = &c->app[c->n++];
		snprintf(a->name, sizeof(a->name), "%s", section + 4);
		a->quota = OTA_GP_QUOTA_DEFAULT;
		a->isd_keyset = 3;
		a->sd_keyset = 2;
	}
	if (!strcmp(name, "aid")) {
		l = vsim_hex_parse(value, a->aid, sizeof(a->aid));
		if (l < 5)
			return cat_fail(x, section, "field 'aid': 5..16 bytes of hex");
		a->aid_len = (uint8_t)l;
	} else if (!strcmp(name, "tar")) {
		if (strlen(value) != 6 || vsim_hex_parse(value, t, 3) != 3)
			return cat_fail(x, section, "field 'tar': 6 hex digits");
		a->tar = (uint32_t)(t[0] << 16 | t[1] << 8 | t[2]);
	} else if (!strcmp(name, "data") || !strcmp(name, "hex")) {
		free(a->data);
		a->data = NULL;
		if (name[0] == 'd') {
			if (read_all(value, &a->data, &a->data_len))
				return cat_fail(x, section, "field 'data': cannot read the file (at most 64 KiB)");
		} else {
			a->data = malloc(strlen(value) / 2 + 1);
			l = a->data ? vsim_hex_parse(value, a->data, strlen(value) / 2 + 1) : -1;
			if (l < 0)
				return cat_fail(x, section, "field 'hex': not hex");
			a->data_len = (size_t)l;
		}
	} else if (!strcmp(name, "quota") || !strcmp(name, "isd_keyset") ||
		   !strcmp(name, "sd_keyset")) {
		errno = 0;
		n = strtoul(value, &end, 0);
		if (errno || *end || !n ||
		    n > (name[0] == 'q' ? OTA_GP_QUOTA_MAX : 15))
			return cat_fail(x, section, "a number out of range (quota 1..65536, key sets 1..15)");
		if (name[0] == 'q')
			a->quota = (uint32_t)n;
		else if (name[0] == 'i')
			a->isd_keyset = (unsigned int)n;
		else
			a->sd_keyset = (unsigned int)n;
	} else {
		return cat_fail(x, section, "unknown field");
	}
	return 1;
}

int ota_catalogue_load(const char *path, struct ota_catalogue *c, char *err,
		       size_t errlen)
{
	struct cat_ctx x = { c, path, err, errlen };
	unsigned int i;
	int line;

	memset(c, 0, sizeof(*c));
	err[0] = 0;
	line = ini_parse(path, cat_handler, &x);
	if (line) {
		if (line < 0 || !err[0])
			snprintf(err, errlen, "%s:%d: cannot read or parse",
				 path, line);
		ota_catalogue_free(c);
		return -1;
	}
	for (i = 0; i < c->n; i++)
		if (!c->app[i].aid_len || !c->app[i].tar || !c->app[i].data ||
		    c->app[i].data_len > c->app[i].quota) {
			snprintf(err, errlen,
				 "%s: [app %s] needs aid, tar and data (or hex) within its quota",
				 path, c->app[i].name);
			ota_catalogue_free(c);
			return -1;
		}
	return 0;
}

void ota_catalogue_free(struct ota_catalogue *c)
{
	unsigned int i;

	for (i = 0; i < c->n; i++)
		free(c->app[i].data);
	memset(c, 0, sizeof(*c));
}

const struct ota_catapp *ota_catalogue_find(const struct ota_catalogue *c,
					 const char *name)
{
	unsigned int i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->app[i].name, name))
			return &c->app[i];
	return NULL;
}

/* ---- the server's database ---- */

static const char schema[] =
	"PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	"CREATE TABLE IF NOT EXISTS srv_counter(iccid TEXT NOT NULL,"
	" keyset INTEGER NOT NULL, value INTEGER NOT NULL,"
	" PRIMARY KEY(iccid, keyset));"
	"CREATE TABLE IF NOT EXISTS srv_domain(iccid TEXT NOT NULL,"
	" aid BLOB NOT NULL, app TEXT NOT NULL, kcvs TEXT NOT NULL,"
	" state TEXT NOT NULL, PRIMARY KEY(iccid, aid));"
	"CREATE TABLE IF NOT EXISTS srv_log(id INTEGER PRIMARY KEY,"
	" at INTEGER NOT NULL, iccid TEXT NOT NULL, app TEXT NOT NULL,"
	" event TEXT NOT NULL);";

int ota_appserver_open(const char *dir, struct ota_appserver **out,
		       char *err, size_t errlen)
{
	struct ota_appserver *s = calloc(1, sizeof(*s));
	char path[4096], *msg = NULL;
	int fd;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (mkdir(dir, 0700) && errno != EEXIST) {
		snprintf(err, errlen, "%s: %m", dir);
		free(s);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/server.db", dir);
	/* created 0600 here; an existing one is left to SQLite alone */
	fd = access(path, F_OK) ? open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600) :
				  INT_MAX;
	if (fd < 0) {
		snprintf(err, errlen, "%s: %m", path);
		free(s);
		return -1;
	}
	if (fd != INT_MAX)
		close(fd);
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE, NULL) ||
	    sqlite3_busy_timeout(s->db, 5000) ||
	    sqlite3_exec(s->db, schema, NULL, NULL, &msg)) {
		snprintf(err, errlen, "%s: %s", path,
			 msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		ota_appserver_close(s);
		return -1;
	}
	*out = s;
	return 0;
}

void ota_appserver_close(struct ota_appserver *s)
{
	if (!s)
		return;
	sqlite3_close(s->db);
	free(s);
}

static int get_counter(struct ota_appserver *s, const char *iccid,
		       unsigned int ks, uint64_t *v)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "SELECT value FROM srv_counter WHERE"
			       " iccid = ?1 AND keyset = ?2", -1, &st, NULL))
		return -1;
	sqlite3_bind_text(st, 1, iccid, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, (int)ks);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int set_counter(struct ota_appserver *s, const char *iccid,
		       unsigned int ks, uint64_t v)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "INSERT INTO srv_counter VALUES(?1, ?2, ?3)"
			       " ON CONFLICT(iccid, keyset) DO UPDATE SET value = ?3",
			       -1, &st, NULL))
		return -1;
	sqlite3_bind_text(st, 1, iccid, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, (int)ks);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)v);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void note(struct ota_appserver *s, const char *iccid, const char *app,
		 const char *event)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->db, "INSERT INTO srv_log(at, iccid, app, event)"
			       " VALUES(?1, ?2, ?3, ?4)", -1, &st, NULL))
		return;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)time(NULL));
	sqlite3_bind_text(st, 2, iccid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, app, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, event, -1, SQLITE_STATIC);
	sqlite3_step(st);
	sqlite3_finalize(st);
}

static void record_domain(struct ota_appserver *s, const char *iccid,
			  const struct ota_catapp *a, const char *kcvs,
			  const char *state)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(s->db, "INSERT INTO srv_domain VALUES(?1, ?2, ?3, ?4, ?5)"
			       " ON CONFLICT(iccid, aid) DO UPDATE SET state = ?5,"
			       " kcvs = CASE ?4 WHEN '' THEN kcvs ELSE ?4 END",
			       -1, &st, NULL))
		return;
	sqlite3_bind_text(st, 1, iccid, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, a->aid, a->aid_len, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, a->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, kcvs, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, state, -1, SQLITE_STATIC);
	sqlite3_step(st);
	sqlite3_finalize(st);
}

/* ---- sending ---- */

int ota_appserver_send(struct ota_appserver *s, const char *iccid,
		       const struct ota_keyset *keys, unsigned int ks,
		       const struct ota_addr *from, const uint8_t spi[2],
		       uint32_t tar, const uint8_t *script, size_t len,
		       ota_transport_fn tx, void *ctx, uint8_t *buf,
		       struct ota_por *p)
{
	static uint8_t env[OTA_MAX_ENVELOPES][OTA_ENVELOPE_MAX];
	size_t el[OTA_MAX_ENVELOPES];
	struct ota_sender snd;
	uint8_t por[300];
	int n, pl;

	if (!ks || ks >= OTA_KEYSETS || !keys[ks].present)
		return -1;
	ota_sender_init(&snd, &keys[ks], ks, from);
	if (spi)
		memcpy(snd.spi, spi, 2);
	snd.spi[1] |= s->spi2_or;
	if (get_counter(s, iccid, ks, &snd.counter))
		return -1;
	n = ota_sender_envelopes(&snd, tar, script, len, env, el);
	/* the counter is spent before anything leaves: never sent twice */
	if (n < 0 || set_counter(s, iccid, ks, snd.counter)) {
		OPENSSL_cleanse(&snd, sizeof(snd));
		return -1;
	}
	pl = tx(ctx, env, el, n, por, sizeof(por));
	n = pl > 0 ? ota_sender_por(&snd, por, (size_t)pl, buf, p) : -1;
	OPENSSL_cleanse(&snd, sizeof(snd));
	return n;
}

/* Send and expect a compact response: its last SW, data to @data. */
static int call(struct ota_appserver *s, const char *iccid,
		const struct ota_keyset *keys, unsigned int ks,
		const struct ota_addr *from, uint32_t tar,
		const uint8_t *script, size_t len, ota_transport_fn tx,
		void *ctx, uint8_t *data, size_t *dlen, unsigned int *count,
		char *why, size_t whylen)
{
	uint8_t buf[300];
	struct ota_por p;

	if (ota_appserver_send(s, iccid, keys, ks, from, NULL, tar, script,
			       len, tx, ctx, buf, &p)) {
		snprintf(why, whylen, "no valid PoR");
		return -1;
	}
	if (p.status != OTA_ST_OK || p.data_len < 3) {
		snprintf(why, whylen, "PoR status %02x (%s)", p.status,
			 ota_status_name(p.status));
		return -1;
	}
	*count = p.data[0];
	*dlen = p.data_len - 3;
	memcpy(data, p.data + 3, *dlen);
	return p.data[1] << 8 | p.data[2];
}

size_t ota_appserver_install_apdu(const struct ota_catapp *a, uint8_t *o)
{
	size_t n = 5, q;

	/* LV load file AID, LV module AID (the application's AID, as the
	 * domain is bound to it), LV domain AID, LV privileges: SD */
	o[n++] = a->aid_len, memcpy(o + n, a->aid, a->aid_len), n += a->aid_len;
	o[n++] = a->aid_len, memcpy(o + n, a->aid, a->aid_len), n += a->aid_len;
	o[n++] = a->aid_len, memcpy(o + n, a->aid, a->aid_len), n += a->aid_len;
	o[n++] = 3, o[n++] = 0x80, o[n++] = 0, o[n++] = 0;
	/* install parameters: C9 00, EF { C8 quota, CA toolkit parameters } */
	q = n++;
	o[n++] = 0xc9, o[n++] = 0;
	o[n++] = 0xef, o[n++] = 4 + 2 + 12;
	o[n++] = 0xc8, o[n++] = 2;
	o[n++] = (uint8_t)(a->quota > 0xffff ? 0xff : a->quota >> 8);
	o[n++] = (uint8_t)(a->quota > 0xffff ? 0xff : a->quota);
	o[n++] = 0xca, o[n++] = 12;
	memcpy(o + n, "\x01\x00\x01\x00\x00\x00\x00\x00\x03", 9);
	n += 9;
	o[n++] = (uint8_t)(a->tar >> 16);
	o[n++] = (uint8_t)(a->tar >> 8);
	o[n++] = (uint8_t)a->tar;
	o[q] = (uint8_t)(n - q - 1);
	o[n++] = 0;			/* token */
	memcpy(o, "\x80\xe6\x0c\x00", 4);
	o[4] = (uint8_t)(n - 5);
	o[n++] = 0x00;			/* Le */
	return n;
}

/* The data as STORE DATA blocks, several per message. */
static int send_data(struct ota_appserver *s, const char *iccid,
		     const struct ota_keyset *keys, const struct ota_addr *from,
		     const struct ota_catapp *a, ota_transport_fn tx, void *ctx,
		     struct ota_download_result *r)
{
	size_t blocks = (a->data_len + STORE_BLOCK - 1) / STORE_BLOCK, b = 0;
	uint8_t script[BLOCKS_PER_MESSAGE * (5 + STORE_BLOCK)], out[300];
	unsigned int count;
	size_t ol;
	int sw;

	if (!blocks)
		blocks = 1;		/* empty data: one empty last block */
	while (b < blocks) {
		size_t n = 0, first = b;

		for (; b < blocks && b - first < BLOCKS_PER_MESSAGE; b++) {
			size_t off = b * STORE_BLOCK;
			size_t l = a->data_len - off < STORE_BLOCK ?
				   a->data_len - off : STORE_BLOCK;

			script[n++] = 0x80;
			script[n++] = 0xe2;
			script[n++] = b + 1 == blocks ? 0x80 : 0x00;
			script[n++] = (uint8_t)b;
			script[n++] = (uint8_t)l;
			memcpy(script + n, a->data + off, l);
			n += l;
		}
		r->messages++;
		sw = call(s, iccid, keys, a->sd_keyset, from, a->tar, script, n,
			  tx, ctx, out, &ol, &count, r->why, sizeof(r->why));
		if (sw < 0)
			return -1;
		if (sw != 0x9000 || count != b - first) {
			snprintf(r->why, sizeof(r->why),
				 "STORE DATA block %zu: SW %04X", first + count - 1,
				 sw);
			return -1;
		}
	}
	return 0;
}

int ota_appserver_download(struct ota_appserver *s, const char *iccid,
			   const struct ota_keyset *keys,
			   const struct ota_addr *from,
			   const struct ota_catapp *a, ota_transport_fn tx,
			   void *ctx, struct ota_download_result *r)
{
	uint8_t script[300], out[300];
	unsigned int count, try;
	size_t n = 0, ol, i;
	int sw;

	memset(r, 0, sizeof(*r));
	note(s, iccid, a->name, "request");
	/* does the card hold the domain? GET STATUS at the ISD */
	memcpy(script, "\x80\xf2\x40\x02", 4);
	script[4] = (uint8_t)(2 + a->aid_len);
	script[5] = 0x4f;
	script[6] = a->aid_len;
	memcpy(script + 7, a->aid, a->aid_len);
	n = 7 + a->aid_len;
	script[n++] = 0x00;
	r->messages++;
	sw = call(s, iccid, keys, a->isd_keyset, from, OTA_TAR_ISD, script, n,
		  tx, ctx, out, &ol, &count, r->why, sizeof(r->why));
	if (sw < 0)
		goto fail;
	if (sw == 0x6a88) {
		note(s, iccid, a->name, "domain missing: create");
		n = ota_appserver_install_apdu(a, script);
		r->messages++;
		sw = call(s, iccid, keys, a->isd_keyset, from, OTA_TAR_ISD,
			  script, n, tx, ctx, out, &ol, &count, r->why,
			  sizeof(r->why));
		if (sw != 0x9000 || ol != 10) {
			if (sw >= 0)
				snprintf(r->why, sizeof(r->why),
					 "INSTALL: SW %04X", sw);
			goto fail;
		}
		for (i = 0; i < ol; i++)
			sprintf(r->kcvs + 2 * i, "%02x", out[i]);
		r->created = true;
		record_domain(s, iccid, a, r->kcvs, "created");
	} else if (sw != 0x9000) {
		snprintf(r->why, sizeof(r->why), "GET STATUS: SW %04X", sw);
		goto fail;
	} else {
		note(s, iccid, a->name, "domain found: data only");
	}
	for (try = 0; try < DOWNLOAD_TRIES; try++) {
		if (!send_data(s, iccid, keys, from, a, tx, ctx, r))
			break;
		r->retries++;
		note(s, iccid, a->name, r->why);
	}
	if (try == DOWNLOAD_TRIES)
		goto fail;
	record_domain(s, iccid, a, "", "complete");
	note(s, iccid, a->name, "complete");
	r->why[0] = 0;
	return 0;
fail:
	note(s, iccid, a->name, r->why);
	return -1;
}

int ota_appserver_request(const struct ota_keyset *keys, const uint8_t *tpdu,
			  size_t len, char *app, size_t applen, char *why,
			  size_t whylen)
{
	const struct ota_keyset *ks;
	uint8_t buf[OTA_SMS_UD_MAX];
	struct ota_sms sms;
	struct ota_cmd c;
	const char *w;
	uint8_t st;

	if (ota_sms_submit_parse(tpdu, len, &sms, &w)) {
		snprintf(why, whylen, "request SMS: %s", w);
		return -1;
	}
	if (!sms.cpi || ota_cmd_parse(sms.ud, sms.ud_len, &c)) {
		snprintf(why, whylen, "request SMS: no command packet");
		return -1;
	}
	ks = &keys[c.kid >> 4];
	/* a request must be ciphered and checksummed with a known key set */
	if (!ks->present || OTA_SPI1_CHECK(c.spi[0]) != OTA_CHECK_CC ||
	    !(c.spi[0] & OTA_SPI1_CIPHER) || (c.kic >> 4) != (c.kid >> 4)) {
		snprintf(why, whylen, "request: not secured with a known key set");
		return -1;
	}
	st = ota_cmd_open(&c, sms.ud, sms.ud_len, &ks->kic, &ks->kid, 0, 0, buf);
	if (st || c.data_len < 3 ||
	    (c.data[0] << 8 | c.data[1]) != OTA_TAG_REQUEST ||
	    c.data[2] != c.data_len - 3 || c.data[2] >= applen) {
		snprintf(why, whylen, "request: status %02x (%s) or no DF71 name",
			 st, ota_status_name(st));
		OPENSSL_cleanse(buf, sizeof(buf));
		return -1;
	}
	memcpy(app, c.data + 3, c.data[2]);
	app[c.data[2]] = 0;
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;
}
