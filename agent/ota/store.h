/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The OTA state of a card in SQLite: key set counters, GlobalPlatform
 * security domains with their keys, and each domain's application data.
 * Every change is one transaction, durable (synchronous=FULL) when the
 * call returns 0: the card answers only after that. The tables live in
 * vsimd's database (vsim.db, next to the cards table: ota_store_attach)
 * or in a file of their own (vsimctl --state DIR: DIR/ota.db).
 * docs/ota.md has the schema. Keys are secrets: nothing here logs them.
 */
#ifndef VSIM_OTA_STORE_H
#define VSIM_OTA_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "ota/card.h"

struct sqlite3;
struct ota_store;

#define OTA_AID_MAX		16
#define OTA_DOMAIN_KEYS		3	/* ENC, MAC, DEK (key IDs 1..3) */

/* One GlobalPlatform key (GP Card Spec 2.3 §11.8). */
struct ota_gp_key {
	uint8_t kvn;		/* key version number */
	uint8_t id;		/* key identifier */
	uint8_t type;		/* 0x80 DES (3DES), 0x88 AES */
	uint8_t len;
	uint8_t value[32];
};

struct ota_domain {
	uint8_t aid[OTA_AID_MAX];
	uint8_t aid_len;
	uint32_t tar;			/* its OTA TAR */
	uint8_t privileges[3];		/* GP Table 6-1 */
	uint8_t lifecycle;		/* GP Table 11-5: 0F personalized */
	uint32_t quota;			/* bytes of application data */
	uint32_t data_len;		/* stored now */
};

/*
 * Open (create) a database file of its own, 0600 (":memory:": a volatile
 * one). 0 or -1 with @err.
 */
int ota_store_open(const char *path, int64_t card, struct ota_store **out,
		   char *err, size_t errlen);
/* Use an open connection (vsimd's); it stays the caller's to close. */
int ota_store_attach(struct sqlite3 *db, int64_t card,
		     struct ota_store **out, char *err, size_t errlen);
void ota_store_close(struct ota_store *s);

/* Counters: commit one; load every stored one over @ks (others kept). */
int ota_store_set_counter(struct ota_store *s, unsigned int keyset,
			  uint64_t value);
int ota_store_load_counters(struct ota_store *s, struct ota_keyset *ks);

/*
 * A new domain with its key set and an empty storage area, in one
 * transaction. 0; 1 when the AID or TAR is taken; -1 on error.
 */
int ota_store_domain_create(struct ota_store *s, const struct ota_domain *d,
			    const struct ota_gp_key *keys, unsigned int n);
/* 0 found, 1 not found, -1 error. */
int ota_store_domain_get(struct ota_store *s, const uint8_t *aid,
			 size_t aid_len, struct ota_domain *d);
int ota_store_domain_by_tar(struct ota_store *s, uint32_t tar,
			    struct ota_domain *d);
/* The @index-th domain in AID order (GET STATUS): 0, 1 past the end, -1. */
int ota_store_domain_nth(struct ota_store *s, unsigned int index,
			 struct ota_domain *d);
/* Domain, keys and data gone in one transaction: 0, 1 unknown, -1. */
int ota_store_domain_delete(struct ota_store *s, const uint8_t *aid,
			    size_t aid_len);

/* The keys of a domain with version @kvn (0: the highest). Count or -1. */
int ota_store_keys_get(struct ota_store *s, const uint8_t *aid,
		       size_t aid_len, uint8_t kvn, struct ota_gp_key *keys,
		       unsigned int max);
/*
 * PUT KEY: replace version @old_kvn (0: add) by @keys in one transaction.
 * 0, 1 when @old_kvn does not exist, -1.
 */
int ota_store_keys_put(struct ota_store *s, const uint8_t *aid,
		       size_t aid_len, uint8_t old_kvn,
		       const struct ota_gp_key *keys, unsigned int n);

/* The domain's application data: replaced whole, in one transaction. */
int ota_store_data_set(struct ota_store *s, const uint8_t *aid,
		       size_t aid_len, const uint8_t *data, size_t len);
/* Read up to @max bytes from @offset; returns bytes read or -1. */
long ota_store_data_get(struct ota_store *s, const uint8_t *aid,
			size_t aid_len, size_t offset, uint8_t *buf,
			size_t max);

/*
 * vsimd: the profile text whose [ota ...] sections configure the card
 * (it holds keys: the database is 0600). get returns malloc'd text or
 * NULL. forget deletes everything of the card, in one transaction.
 */
int ota_store_set_config(struct ota_store *s, const char *text);
char *ota_store_get_config(struct ota_store *s);
int ota_store_forget(struct ota_store *s);

#endif /* VSIM_OTA_STORE_H */
