// SPDX-License-Identifier: GPL-2.0-only
/*
 * OTA state in SQLite (see ota/store.h). Three tables, keyed by card:
 * ota_counter (key set counters), ota_domain (a security domain and its
 * storage area: the data column), ota_key (domain keys). Writes run in
 * BEGIN IMMEDIATE ... COMMIT, so each change is all there or not at all.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <sqlite3.h>

#include "ota/store.h"

struct ota_store {
	sqlite3 *db;
	bool own;		/* opened here: closed here */
	int64_t card;
};

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS ota_counter("
	" card INTEGER NOT NULL, keyset INTEGER NOT NULL,"
	" value INTEGER NOT NULL, PRIMARY KEY(card, keyset));"
	"CREATE TABLE IF NOT EXISTS ota_domain("
	" card INTEGER NOT NULL, aid BLOB NOT NULL, tar INTEGER NOT NULL,"
	" privileges BLOB NOT NULL, lifecycle INTEGER NOT NULL,"
	" quota INTEGER NOT NULL, data BLOB NOT NULL DEFAULT x'',"
	" PRIMARY KEY(card, aid), UNIQUE(card, tar));"
	"CREATE TABLE IF NOT EXISTS ota_config("
	" card INTEGER PRIMARY KEY, profile TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS ota_key("
	" card INTEGER NOT NULL, aid BLOB NOT NULL, kvn INTEGER NOT NULL,"
	" id INTEGER NOT NULL, type INTEGER NOT NULL, value BLOB NOT NULL,"
	" PRIMARY KEY(card, aid, kvn, id));";

static int setup(struct ota_store *s, char *err, size_t errlen)
{
	char *msg = NULL;

	sqlite3_busy_timeout(s->db, 5000);
	if (sqlite3_exec(s->db, "PRAGMA secure_delete=ON", NULL, NULL, NULL) ||
	    sqlite3_exec(s->db, schema, NULL, NULL, &msg)) {
		snprintf(err, errlen, "OTA tables: %s",
			 msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int ota_store_open(const char *path, int64_t card, struct ota_store **out,
		   char *err, size_t errlen)
{
	struct ota_store *s = calloc(1, sizeof(*s));
	int fd;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/*
	 * Create it 0600 before SQLite does (umask would decide otherwise),
	 * but never open and close a database that exists: closing any fd
	 * of the file drops the POSIX locks of every other connection in
	 * this process (vsimd's own, on vsim.db).
	 */
	if (strcmp(path, ":memory:") && access(path, F_OK)) {
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0) {
			snprintf(err, errlen, "%s: %m", path);
			free(s);
			return -1;
		}
		close(fd);
	}
	s->own = true;
	s->card = card;
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE, NULL) ||
	    sqlite3_exec(s->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) ||
	    sqlite3_exec(s->db, "PRAGMA synchronous=FULL", NULL, NULL, NULL)) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
		ota_store_close(s);
		return -1;
	}
	if (setup(s, err, errlen)) {
		ota_store_close(s);
		return -1;
	}
	*out = s;
	return 0;
}

int ota_store_attach(struct sqlite3 *db, int64_t card,
		     struct ota_store **out, char *err, size_t errlen)
{
	struct ota_store *s = calloc(1, sizeof(*s));

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->db = db;
	s->card = card;
	if (setup(s, err, errlen)) {
		free(s);
		return -1;
	}
	*out = s;
	return 0;
}

void ota_store_close(struct ota_store *s)
{
	if (!s)
		return;
	if (s->own)
		sqlite3_close(s->db);
	free(s);
}

/* ---- statements ---- */

static sqlite3_stmt *prep(struct ota_store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(st, 1, s->card);
	return st;
}

/* Run a statement that returns no rows; 0, 1 (constraint), -1. */
static int step_done(sqlite3_stmt *st)
{
	int rc;

	if (!st)
		return -1;
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return 0;
	return (rc & 0xff) == SQLITE_CONSTRAINT ? 1 : -1;
}

static int begin(struct ota_store *s)
{
	return sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) ? -1 : 0;
}

static int end(struct ota_store *s, int ret)
{
	if (ret == 0 &&
	    sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return ret ? ret : -1;
}

int ota_store_set_counter(struct ota_store *s, unsigned int keyset,
			  uint64_t value)
{
	sqlite3_stmt *st = prep(s, "INSERT INTO ota_counter VALUES(?1, ?2, ?3)"
				" ON CONFLICT(card, keyset) DO UPDATE SET value = ?3");

	if (!st)
		return -1;
	sqlite3_bind_int(st, 2, (int)keyset);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)value);
	return step_done(st);
}

int ota_store_load_counters(struct ota_store *s, struct ota_keyset *ks)
{
	sqlite3_stmt *st = prep(s, "SELECT keyset, value FROM ota_counter"
				" WHERE card = ?1");
	int rc;

	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int k = sqlite3_column_int(st, 0);

		if (k > 0 && k < OTA_KEYSETS)
			ks[k].counter = (uint64_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* ---- domains ---- */

static int put_keys(struct ota_store *s, const uint8_t *aid, size_t aid_len,
		    const struct ota_gp_key *keys, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		sqlite3_stmt *st = prep(s, "INSERT INTO ota_key VALUES"
					"(?1, ?2, ?3, ?4, ?5, ?6)");

		if (!st)
			return -1;
		sqlite3_bind_blob(st, 2, aid, (int)aid_len, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, keys[i].kvn);
		sqlite3_bind_int(st, 4, keys[i].id);
		sqlite3_bind_int(st, 5, keys[i].type);
		sqlite3_bind_blob(st, 6, keys[i].value, keys[i].len,
				  SQLITE_STATIC);
		if (step_done(st))
			return -1;
	}
	return 0;
}

int ota_store_domain_create(struct ota_store *s, const struct ota_domain *d,
			    const struct ota_gp_key *keys, unsigned int n)
{
	sqlite3_stmt *st;
	int ret;

	if (begin(s))
		return -1;
	st = prep(s, "INSERT INTO ota_domain(card, aid, tar, privileges,"
		  " lifecycle, quota) VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
	if (st) {
		sqlite3_bind_blob(st, 2, d->aid, d->aid_len, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, d->tar);
		sqlite3_bind_blob(st, 4, d->privileges, 3, SQLITE_STATIC);
		sqlite3_bind_int(st, 5, d->lifecycle);
		sqlite3_bind_int64(st, 6, d->quota);
	}
	ret = step_done(st);
	if (!ret)
		ret = put_keys(s, d->aid, d->aid_len, keys, n);
	return end(s, ret);
}

#define DOMAIN_COLS "aid, tar, privileges, lifecycle, quota, length(data)"

static void row_domain(sqlite3_stmt *st, struct ota_domain *d)
{
	int n = sqlite3_column_bytes(st, 0);

	memset(d, 0, sizeof(*d));
	if (n > OTA_AID_MAX)
		n = OTA_AID_MAX;
	memcpy(d->aid, sqlite3_column_blob(st, 0), (size_t)n);
	d->aid_len = (uint8_t)n;
	d->tar = (uint32_t)sqlite3_column_int64(st, 1);
	if (sqlite3_column_bytes(st, 2) == 3)
		memcpy(d->privileges, sqlite3_column_blob(st, 2), 3);
	d->lifecycle = (uint8_t)sqlite3_column_int(st, 3);
	d->quota = (uint32_t)sqlite3_column_int64(st, 4);
	d->data_len = (uint32_t)sqlite3_column_int64(st, 5);
}

static int one_domain(sqlite3_stmt *st, struct ota_domain *d)
{
	int rc;

	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		row_domain(st, d);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int ota_store_domain_get(struct ota_store *s, const uint8_t *aid,
			 size_t aid_len, struct ota_domain *d)
{
	sqlite3_stmt *st = prep(s, "SELECT " DOMAIN_COLS " FROM ota_domain"
				" WHERE card = ?1 AND aid = ?2");

	if (st)
		sqlite3_bind_blob(st, 2, aid, (int)aid_len, SQLITE_STATIC);
	return one_domain(st, d);
}

int ota_store_domain_by_tar(struct ota_store *s, uint32_t tar,
			    struct ota_domain *d)
{
	sqlite3_stmt *st = prep(s, "SELECT " DOMAIN_COLS " FROM ota_domain"
				" WHERE card = ?1 AND tar = ?2");

	if (st)
		sqlite3_bind_int64(st, 2, tar);
	return one_domain(st, d);
}

int ota_store_domain_nth(struct ota_store *s, unsigned int index,
			 struct ota_domain *d)
{
	sqlite3_stmt *st = prep(s, "SELECT " DOMAIN_COLS " FROM ota_domain"
				" WHERE card = ?1 ORDER BY aid LIMIT 1 OFFSET ?2");

	if (st)
		sqlite3_bind_int(st, 2, (int)index);
	return one_domain(st, d);
}

int ota_store_domain_delete(struct ota_store *s, const uint8_t *aid,
			    size_t aid_len)
{
	sqlite3_stmt *st;
	int ret;

	if (begin(s))
		return -1;
	st = prep(s, "DELETE FROM ota_key WHERE card = ?1 AND aid = ?2");
	if (st)
		sqlite3_bind_blob(st, 2, aid, (int)aid_len, SQLITE_STATIC);
	ret = step_done(st);
	if (!ret) {
		st = prep(s, "DELETE FROM ota_domain WHERE card = ?1 AND aid = ?2");
		if (st)
			sqlite3_bind_blob(st, 2, aid, (int)aid_len,
					  SQLITE_STATIC);
		ret = step_done(st);
		if (!ret && !sqlite3_changes(s->db))
			ret = 1;
	}
	return end(s, ret);
}

/* ---- keys ---- */

int ota_store_keys_get(struct ota_store *s, const uint8_t *aid,
		       size_t aid_len, uint8_t kvn, struct ota_gp_key *keys,
		       unsigned int max)
{
	sqlite3_stmt *st = prep(s, "SELECT kvn, id, type, value FROM ota_key"
				" WHERE card = ?1 AND aid = ?2 AND kvn ="
				" CASE ?3 WHEN 0 THEN (SELECT max(kvn) FROM ota_key"
				"  WHERE card = ?1 AND aid = ?2) ELSE ?3 END"
				" ORDER BY id");
	unsigned int n = 0;
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_blob(st, 2, aid, (int)aid_len, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, kvn);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < max) {
		int l = sqlite3_column_bytes(st, 3);

		if (l > 32)
			l = 32;
		keys[n].kvn = (uint8_t)sqlite3_column_int(st, 0);
		keys[n].id = (uint8_t)sqlite3_column_int(st, 1);
		keys[n].type = (uint8_t)sqlite3_column_int(st, 2);
		keys[n].len = (uint8_t)l;
		memcpy(keys[n].value, sqlite3_column_blob(st, 3), (size_t)l);
		n++;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? (int)n : -1;
}

int ota_store_keys_put(struct ota_store *s, const uint8_t *aid,
		       size_t aid_len, uint8_t old_kvn,
		       const struct ota_gp_key *keys, unsigned int n)
{
	sqlite3_stmt *st;
	int ret = 0;

	if (begin(s))
		return -1;
	if (old_kvn) {
		st = prep(s, "DELETE FROM ota_key WHERE card = ?1 AND aid = ?2"
			  " AND kvn = ?3");
		if (st) {
			sqlite3_bind_blob(st, 2, aid, (int)aid_len,
					  SQLITE_STATIC);
			sqlite3_bind_int(st, 3, old_kvn);
		}
		ret = step_done(st);
		if (!ret && !sqlite3_changes(s->db))
			ret = 1;
	}
	if (!ret)
		ret = put_keys(s, aid, aid_len, keys, n);
	return end(s, ret);
}

/* ---- application data ---- */

int ota_store_data_set(struct ota_store *s, const uint8_t *aid,
		       size_t aid_len, const uint8_t *data, size_t len)
{
	sqlite3_stmt *st;
	int ret;

	if (begin(s))
		return -1;
	st = prep(s, "UPDATE ota_domain SET data = ?3 WHERE card = ?1 AND aid = ?2");
	if (st) {
		sqlite3_bind_blob(st, 2, aid, (int)aid_len, SQLITE_STATIC);
		sqlite3_bind_blob(st, 3, len ? (const void *)data : "",
				  (int)len, SQLITE_STATIC);
	}
	ret = step_done(st);
	if (!ret && !sqlite3_changes(s->db))
		ret = 1;
	return end(s, ret);
}

long ota_store_data_get(struct ota_store *s, const uint8_t *aid,
			size_t aid_len, size_t offset, uint8_t *buf,
			size_t max)
{
	sqlite3_stmt *st = prep(s, "SELECT data FROM ota_domain WHERE card = ?1"
				" AND aid = ?2");
	long n = -1;

	if (!st)
		return -1;
	sqlite3_bind_blob(st, 2, aid, (int)aid_len, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		size_t len = (size_t)sqlite3_column_bytes(st, 0);
		const uint8_t *d = sqlite3_column_blob(st, 0);

		n = 0;
		if (offset < len) {
			n = (long)(len - offset < max ? len - offset : max);
			memcpy(buf, d + offset, (size_t)n);
		}
	}
	sqlite3_finalize(st);
	return n;
}

/* ---- a card's OTA configuration (vsimd) ---- */

int ota_store_set_config(struct ota_store *s, const char *text)
{
	sqlite3_stmt *st = prep(s, "INSERT INTO ota_config VALUES(?1, ?2)"
				" ON CONFLICT(card) DO UPDATE SET profile = ?2");

	if (!st)
		return -1;
	sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	return step_done(st);
}

char *ota_store_get_config(struct ota_store *s)
{
	sqlite3_stmt *st = prep(s, "SELECT profile FROM ota_config WHERE card = ?1");
	char *text = NULL;

	if (!st)
		return NULL;
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);

		text = t ? strdup(t) : NULL;
	}
	sqlite3_finalize(st);
	return text;
}

int ota_store_forget(struct ota_store *s)
{
	static const char *const sql[] = {
		"DELETE FROM ota_config WHERE card = ?1",
		"DELETE FROM ota_counter WHERE card = ?1",
		"DELETE FROM ota_key WHERE card = ?1",
		"DELETE FROM ota_domain WHERE card = ?1",
	};
	size_t i;
	int ret = 0;

	if (begin(s))
		return -1;
	for (i = 0; i < sizeof(sql) / sizeof(sql[0]) && !ret; i++)
		ret = step_done(prep(s, sql[i]));
	return end(s, ret);
}
