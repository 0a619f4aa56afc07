/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vsimd's store: one SQLite database per state directory (STATE/vsim.db,
 * mode 0600, directory 0700) holding every card's image, where it is
 * plugged in, and the engine's durable blob. vsimd commits each engine
 * change record here before the engine applies it ("durable before 9000"),
 * and rebuilds its cards from here at start. docs/vsimd.md has the schema.
 * An open store holds an flock() on STATE/vsim.lock: one vsimd per store.
 *
 * The image holds K and OPc and the blob holds PINs: nothing here logs them.
 * All functions are safe to call from several threads (one lock).
 */
#ifndef VSIM_STORE_H
#define VSIM_STORE_H

#include <stddef.h>
#include <stdint.h>

#define VSIM_STORE_FILE		"vsim.db"
#define VSIM_STORE_LOCK		"vsim.lock"	/* flock()ed by the running vsimd */
#define VSIM_STORE_NAME_MAX	64	/* card names: [A-Za-z0-9._-], 1..63 */
#define VSIM_STORE_HOST_MAX	256

struct vsim_store;

/* One row of the cards table. */
struct vsim_store_card {
	int64_t id;
	char name[VSIM_STORE_NAME_MAX];
	int slot;			/* vpcd slot: default port base + slot */
	char vpcd_host[VSIM_STORE_HOST_MAX];
	int vpcd_port;
	char iccid[21];
	uint8_t *image;			/* malloc'd; secret (K, OPc) */
	size_t image_len;
	uint8_t *state;			/* malloc'd; secret (PINs); may be NULL */
	size_t state_len;
};

/*
 * Open (create) DIR/vsim.db. DIR is created 0700 if missing. WAL journal,
 * synchronous=FULL unless @sync_normal. 0, or -1 with @err.
 */
int vsim_store_open(const char *dir, int sync_normal, struct vsim_store **out,
		    char *err, size_t errlen);
/* Close the database (checkpoints the WAL). NULL is a no-op. */
void vsim_store_close(struct vsim_store *s);

/*
 * Insert a card: name, slot, vpcd address, iccid, image and initial state
 * from @c; sets c->id. 0, or -1 with @err (a name or slot in use, I/O).
 */
int vsim_store_add(struct vsim_store *s, struct vsim_store_card *c,
		   char *err, size_t errlen);
/* Delete a card and its state. 0, or -1 (no such card, I/O). */
int vsim_store_remove(struct vsim_store *s, int64_t id);
/* Change where a card is plugged in. 0 or -1. */
int vsim_store_set_vpcd(struct vsim_store *s, int64_t id, const char *host,
			int port);

/*
 * Commit one engine change record: bytes [offset, offset + len) of the
 * card's stored blob become @data, in one transaction that is durable when
 * this returns 0. -1 when nothing was committed (the blob is unchanged).
 */
int vsim_store_persist(struct vsim_store *s, int64_t id, uint32_t offset,
		       uint32_t len, const uint8_t *data);
/* Replace the whole blob (first start of a card, resync). 0 or -1. */
int vsim_store_set_state(struct vsim_store *s, int64_t id,
			 const uint8_t *state, size_t len);

/*
 * Call @fn for every card in slot order; @fn owns nothing (the row is
 * freed after it returns). Stops at the first non-zero return and returns
 * it; -1 with @err on a database error.
 */
int vsim_store_foreach(struct vsim_store *s,
		       int (*fn)(void *ctx, struct vsim_store_card *c),
		       void *ctx, char *err, size_t errlen);

/* Wipe and free image and state of a row. */
void vsim_store_card_clear(struct vsim_store_card *c);

/* A valid card name? */
int vsim_store_name_ok(const char *name);

#endif /* VSIM_STORE_H */
