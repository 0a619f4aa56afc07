// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsimd's store (store.h) on SQLite: the cards table, and the commit of
 * engine change records with SQLite's incremental BLOB I/O inside one
 * write transaction, so a record is either wholly in the database or not
 * at all, before the card's answer leaves vsimd.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "vsimd/store.h"

#define STORE_SCHEMA_VERSION	1

struct vsim_store {
	sqlite3 *db;
	pthread_mutex_t lock;	/* one connection: serialise every use */
	int lock_fd;		/* DIR/vsim.lock, flock()ed while open */
};

/*
 * Version 1. image_sha256 ties the state to its image and catches a
 * damaged row; state is the engine's durable blob (docs/engine.md), opaque
 * here and always exactly the size the engine reported when it was added.
 */
static const char store_schema[] =
	"CREATE TABLE IF NOT EXISTS cards ("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE,"
	" slot INTEGER NOT NULL UNIQUE,"
	" vpcd_host TEXT NOT NULL,"
	" vpcd_port INTEGER NOT NULL,"
	" iccid TEXT NOT NULL,"
	" image BLOB NOT NULL,"
	" image_sha256 BLOB NOT NULL,"
	" state BLOB,"
	" created TEXT NOT NULL DEFAULT (datetime('now')));";

static void __attribute__((format(printf, 3, 4)))
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int exec_sql(struct vsim_store *s, const char *sql)
{
	return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* The database file is created 0600 before SQLite sees it; -wal and -shm
 * inherit its mode (SQLite's unix VFS copies the database's permissions). */
static int prepare_files(const char *dir, const char *path, char *err,
			 size_t errlen)
{
	struct stat st;
	int fd;

	if (mkdir(dir, 0700) && errno != EEXIST) {
		set_err(err, errlen, "state directory %s: %s", dir,
			strerror(errno));
		return -1;
	}
	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		set_err(err, errlen, "state directory %s: not a directory", dir);
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* an older file with wider permissions gets narrowed */
	if (fchmod(fd, 0600)) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * One vsimd per state directory: two serving the same cards would each
 * count PIN tries and SQNs in their own engine (flock(2) on DIR/vsim.lock,
 * released by the kernel when the holder exits, even by kill -9). The
 * holder writes its pid there for the second one's message.
 */
static int lock_dir(const char *dir, char *err, size_t errlen)
{
	char path[PATH_MAX], pid[24];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/" VSIM_STORE_LOCK, dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno == EWOULDBLOCK) {
			n = pread(fd, pid, sizeof(pid) - 1, 0);
			pid[n > 0 ? n : 0] = '\0';
			pid[strcspn(pid, "\n")] = '\0';
			set_err(err, errlen,
				"state directory %s is in use by another vsimd (pid %s, %s)",
				dir, pid[0] ? pid : "unknown", path);
		} else {
			set_err(err, errlen, "%s: flock: %s", path,
				strerror(errno));
		}
		close(fd);
		return -1;
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) || pwrite(fd, pid, (size_t)n, 0) != n) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int vsim_store_open(const char *dir, int sync_normal, struct vsim_store **out,
		    char *err, size_t errlen)
{
	struct vsim_store *s;
	sqlite3_stmt *st = NULL;
	char *path;
	int ver = -1;
	size_t n = strlen(dir) + sizeof("/" VSIM_STORE_FILE);

	*out = NULL;
	path = malloc(n);
	s = calloc(1, sizeof(*s));
	if (!path || !s) {
		set_err(err, errlen, "out of memory");
		goto err_free;
	}
	snprintf(path, n, "%s/" VSIM_STORE_FILE, dir);
	s->lock_fd = -1;
	if (prepare_files(dir, path, err, errlen))
		goto err_free;
	s->lock_fd = lock_dir(dir, err, errlen);
	if (s->lock_fd < 0)
		goto err_free;
	pthread_mutex_init(&s->lock, NULL);
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		set_err(err, errlen, "%s: %s", path,
			s->db ? sqlite3_errmsg(s->db) : "cannot open");
		goto err_close;
	}
	sqlite3_busy_timeout(s->db, 5000);
	/*
	 * WAL: a commit appends to the log and fsyncs it, no rollback journal
	 * dance. synchronous=FULL fsyncs the WAL at every commit, so a commit
	 * that returned survives power loss, not only a crash of vsimd.
	 * NORMAL (opt-in) survives kill -9 and kernel panics of other
	 * processes but may lose the last commits on power loss
	 * (sqlite.org/pragma.html#pragma_synchronous).
	 */
	if (exec_sql(s, "PRAGMA journal_mode=WAL") ||
	    exec_sql(s, sync_normal ? "PRAGMA synchronous=NORMAL" :
			 "PRAGMA synchronous=FULL") ||
	    exec_sql(s, "PRAGMA secure_delete=ON")) {
		set_err(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
		goto err_close;
	}
	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) ||
	    sqlite3_step(st) != SQLITE_ROW) {
		set_err(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
		goto err_close;
	}
	ver = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (ver == 0) {
		if (exec_sql(s, "BEGIN IMMEDIATE") ||
		    exec_sql(s, store_schema) ||
		    exec_sql(s, "PRAGMA user_version=1") ||
		    exec_sql(s, "COMMIT")) {
			set_err(err, errlen, "%s: cannot create schema: %s",
				path, sqlite3_errmsg(s->db));
			exec_sql(s, "ROLLBACK");
			goto err_close;
		}
	} else if (ver != STORE_SCHEMA_VERSION) {
		set_err(err, errlen, "%s: schema version %d not known to this vsimd",
			path, ver);
		goto err_close;
	}
	free(path);
	*out = s;
	return 0;

err_close:
	sqlite3_close(s->db);
	pthread_mutex_destroy(&s->lock);
err_free:
	if (s && s->lock_fd >= 0)
		close(s->lock_fd);
	free(path);
	free(s);
	return -1;
}

void vsim_store_close(struct vsim_store *s)
{
	if (!s)
		return;
	sqlite3_close(s->db);
	pthread_mutex_destroy(&s->lock);
	close(s->lock_fd);	/* the directory is free for the next vsimd */
	free(s);
}

int vsim_store_name_ok(const char *name)
{
	size_t n = strlen(name), i;

	if (n == 0 || n >= VSIM_STORE_NAME_MAX || name[0] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return 0;
	}
	return 1;
}

static int sha256(const uint8_t *p, size_t n, uint8_t out[32])
{
	unsigned int len = 0;

	return EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) ? 0 : -1;
}

int vsim_store_add(struct vsim_store *s, struct vsim_store_card *c,
		   char *err, size_t errlen)
{
	static const char sql[] =
		"INSERT INTO cards (name, slot, vpcd_host, vpcd_port, iccid,"
		" image, image_sha256, state) VALUES (?,?,?,?,?,?,?,?)";
	sqlite3_stmt *st = NULL;
	uint8_t digest[32];
	int rc = -1;

	if (sha256(c->image, c->image_len, digest)) {
		set_err(err, errlen, "SHA-256 failed");
		return -1;
	}
	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(st, 1, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, c->slot);
	sqlite3_bind_text(st, 3, c->vpcd_host, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, c->vpcd_port);
	sqlite3_bind_text(st, 5, c->iccid, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 6, c->image, (int)c->image_len, SQLITE_STATIC);
	sqlite3_bind_blob(st, 7, digest, 32, SQLITE_STATIC);
	if (c->state)
		sqlite3_bind_blob(st, 8, c->state, (int)c->state_len,
				  SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 8);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto out;
	c->id = sqlite3_last_insert_rowid(s->db);
	rc = 0;
out:
	if (rc) {
		if (sqlite3_extended_errcode(s->db) ==
		    SQLITE_CONSTRAINT_UNIQUE) {
			set_err(err, errlen,
				"card name '%s' or slot %d is already in use",
				c->name, c->slot);
		} else {
			set_err(err, errlen, "store: %s%s",
				sqlite3_errmsg(s->db), "");
		}
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

static int exec_id(struct vsim_store *s, const char *sql, int64_t id)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_DONE && sqlite3_changes(s->db) == 1)
		rc = 0;
	sqlite3_finalize(st);
	return rc;
}

int vsim_store_remove(struct vsim_store *s, int64_t id)
{
	int rc;

	pthread_mutex_lock(&s->lock);
	rc = exec_id(s, "DELETE FROM cards WHERE id = ?", id);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int vsim_store_set_vpcd(struct vsim_store *s, int64_t id, const char *host,
			int port)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db, "UPDATE cards SET vpcd_host = ?,"
			       " vpcd_port = ? WHERE id = ?", -1, &st,
			       NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, host, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, port);
		sqlite3_bind_int64(st, 3, id);
		if (sqlite3_step(st) == SQLITE_DONE &&
		    sqlite3_changes(s->db) == 1)
			rc = 0;
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int vsim_store_persist(struct vsim_store *s, int64_t id, uint32_t offset,
		       uint32_t len, const uint8_t *data)
{
	sqlite3_blob *b = NULL;
	int rc = -1;

	pthread_mutex_lock(&s->lock);
	if (exec_sql(s, "BEGIN IMMEDIATE"))
		goto out;
	/*
	 * Incremental BLOB I/O writes in place and cannot grow a blob: a
	 * record outside the stored blob fails here, before COMMIT.
	 */
	if (sqlite3_blob_open(s->db, "main", "cards", "state", id, 1, &b) !=
	    SQLITE_OK)
		goto rollback;
	if ((uint64_t)offset + len > (uint64_t)sqlite3_blob_bytes(b) ||
	    sqlite3_blob_write(b, data, (int)len, (int)offset) != SQLITE_OK)
		goto rollback;
	if (sqlite3_blob_close(b) != SQLITE_OK) {
		b = NULL;
		goto rollback;
	}
	b = NULL;
	if (exec_sql(s, "COMMIT"))
		goto rollback;
	rc = 0;
	goto out;
rollback:
	if (b)
		sqlite3_blob_close(b);
	exec_sql(s, "ROLLBACK");
out:
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int vsim_store_set_state(struct vsim_store *s, int64_t id,
			 const uint8_t *state, size_t len)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db, "UPDATE cards SET state = ? WHERE id = ?",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_blob(st, 1, state, (int)len, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, id);
		if (sqlite3_step(st) == SQLITE_DONE &&
		    sqlite3_changes(s->db) == 1)
			rc = 0;
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

static uint8_t *dup_blob(sqlite3_stmt *st, int col, size_t *len)
{
	const void *p = sqlite3_column_blob(st, col);
	int n = sqlite3_column_bytes(st, col);
	uint8_t *d;

	*len = 0;
	if (!p || n <= 0)
		return NULL;
	d = malloc((size_t)n);
	if (d) {
		memcpy(d, p, (size_t)n);
		*len = (size_t)n;
	}
	return d;
}

static void copy_text(char *dst, size_t max, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	snprintf(dst, max, "%s", t ? (const char *)t : "");
}

int vsim_store_foreach(struct vsim_store *s,
		       int (*fn)(void *ctx, struct vsim_store_card *c),
		       void *ctx, char *err, size_t errlen)
{
	static const char sql[] =
		"SELECT id, name, slot, vpcd_host, vpcd_port, iccid, image,"
		" image_sha256, state FROM cards ORDER BY slot";
	struct vsim_store_card *rows = NULL, *c;
	size_t n = 0, i;
	sqlite3_stmt *st = NULL;
	int rc = 0, step;

	/* read every row first: the callback may use the store */
	pthread_mutex_lock(&s->lock);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		set_err(err, errlen, "store: %s", sqlite3_errmsg(s->db));
		pthread_mutex_unlock(&s->lock);
		return -1;
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		uint8_t digest[32];

		c = realloc(rows, (n + 1) * sizeof(*rows));
		if (!c) {
			set_err(err, errlen, "out of memory");
			rc = -1;
			break;
		}
		rows = c;
		c = &rows[n++];
		memset(c, 0, sizeof(*c));
		c->id = sqlite3_column_int64(st, 0);
		copy_text(c->name, sizeof(c->name), st, 1);
		c->slot = sqlite3_column_int(st, 2);
		copy_text(c->vpcd_host, sizeof(c->vpcd_host), st, 3);
		c->vpcd_port = sqlite3_column_int(st, 4);
		copy_text(c->iccid, sizeof(c->iccid), st, 5);
		c->image = dup_blob(st, 6, &c->image_len);
		c->state = dup_blob(st, 8, &c->state_len);
		if (!c->image || sqlite3_column_bytes(st, 7) != 32 ||
		    sha256(c->image, c->image_len, digest) ||
		    memcmp(digest, sqlite3_column_blob(st, 7), 32)) {
			set_err(err, errlen,
				"store: card '%s': image damaged (SHA-256 mismatch)",
				c->name);
			rc = -1;
			break;
		}
		/*
		 * vsimd_card_add() stores the initial blob with the card: a
		 * missing or empty one is damage, never a first start (a reset
		 * would restore PIN tries and rewind the SQN array).
		 */
		if (!c->state) {
			set_err(err, errlen,
				"store: card '%s': state %s (damaged store: restore it or remove the card)",
				c->name, sqlite3_column_type(st, 8) == SQLITE_NULL ?
				"missing" : "empty");
			rc = -1;
			break;
		}
	}
	if (!rc && step != SQLITE_DONE) {
		set_err(err, errlen, "store: %s", sqlite3_errmsg(s->db));
		rc = -1;
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&s->lock);
	for (i = 0; i < n; i++) {
		if (!rc)
			rc = fn(ctx, &rows[i]);
		vsim_store_card_clear(&rows[i]);
	}
	free(rows);
	return rc;
}

void vsim_store_card_clear(struct vsim_store_card *c)
{
	if (c->image) {
		explicit_bzero(c->image, c->image_len);
		free(c->image);
	}
	if (c->state) {
		explicit_bzero(c->state, c->state_len);
		free(c->state);
	}
	c->image = c->state = NULL;
	c->image_len = c->state_len = 0;
}
