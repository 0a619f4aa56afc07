// SPDX-License-Identifier: GPL-2.0-only
/* The OTA side of an in-process card (see ota_host.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ota_host.h"

static int commit_counter(void *ctx, unsigned int keyset, uint64_t value)
{
	struct ota_host *o = ctx;

	return ota_store_set_counter(o->store, keyset, value);
}

/* Profile read into o->prof: open the store, wire the card. */
static int setup(struct ota_host *o, struct vsim_host_card *h,
		 const char *path, int64_t card, char *err, size_t errlen)
{
	if (!o->store && ota_store_open(path, card, &o->store, err, errlen)) {
		ota_profile_wipe(&o->prof);
		return -1;
	}
	ota_card_init(&o->card, h->card);
	ota_profile_apply(&o->prof, &o->card);
	if (ota_store_load_counters(o->store, o->card.keysets)) {
		snprintf(err, errlen, "%s: cannot read the OTA counters", path);
		ota_host_close(o);
		return -1;
	}
	o->card.commit_counter = commit_counter;
	o->card.commit_ctx = o;
	ota_gp_init(&o->gp, o->store, &o->card);
	h->slow_path = ota_card_slow_path;
	h->slow_ctx = &o->card;
	return 0;
}

int ota_host_open(struct ota_host *o, struct vsim_host_card *h,
		  const char *profile, const char *state_dir, char *err,
		  size_t errlen)
{
	char path[4096];

	memset(o, 0, sizeof(*o));
	if (ota_profile_load(profile, &o->prof, err, errlen))
		return -1;
	if (!o->prof.present)
		return 0;
	if (state_dir)
		snprintf(path, sizeof(path), "%s/%s", state_dir, OTA_STORE_FILE);
	else
		snprintf(path, sizeof(path), ":memory:");
	return setup(o, h, path, 0, err, errlen);
}

int ota_host_save_config(const char *db, int64_t card, const char *name,
			 const char *text, char *err, size_t errlen)
{
	struct ota_profile p;
	struct ota_store *s;
	int ret;

	if (ota_profile_parse_buffer(name, text, &p, err, errlen))
		return -1;
	ret = p.present;
	ota_profile_wipe(&p);
	if (!ret)
		return 0;
	if (ota_store_open(db, card, &s, err, errlen))
		return -1;
	ret = ota_store_set_config(s, text);
	ota_store_close(s);
	if (ret)
		snprintf(err, errlen, "%s: cannot store the OTA configuration", db);
	return ret ? -1 : 0;
}

int ota_host_open_stored(struct ota_host *o, struct vsim_host_card *h,
			 const char *db, int64_t card, char *err,
			 size_t errlen)
{
	char *text;
	int ret;

	memset(o, 0, sizeof(*o));
	if (ota_store_open(db, card, &o->store, err, errlen))
		return -1;
	text = ota_store_get_config(o->store);
	if (!text) {			/* a card without OTA */
		ota_store_close(o->store);
		o->store = NULL;
		return 0;
	}
	ret = ota_profile_parse_buffer("stored profile", text, &o->prof, err,
				       errlen);
	OPENSSL_clear_free(text, strlen(text));
	if (ret || !o->prof.present) {
		ota_store_close(o->store);
		o->store = NULL;
		return ret;
	}
	return setup(o, h, db, card, err, errlen);
}

int ota_host_forget(const char *db, int64_t card)
{
	struct ota_store *s;
	char err[256];
	int ret;

	if (ota_store_open(db, card, &s, err, sizeof(err)))
		return -1;
	ret = ota_store_forget(s);
	ota_store_close(s);
	return ret;
}

void ota_host_close(struct ota_host *o)
{
	ota_gp_free(&o->gp);
	ota_card_wipe(&o->card);
	ota_profile_wipe(&o->prof);
	ota_store_close(o->store);
	o->store = NULL;
}
