// SPDX-License-Identifier: GPL-2.0-only
/* The OTA side of an in-process card (see ota_host.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ota_host.h"

static int commit_counter(void *ctx, unsigned int keyset, uint64_t value)
{
	struct ota_host *o = ctx;

	return ota_store_set_counter(o->store, keyset, value);
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
	if (ota_store_open(path, 0, &o->store, err, errlen)) {
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

void ota_host_close(struct ota_host *o)
{
	ota_gp_free(&o->gp);
	ota_card_wipe(&o->card);
	ota_profile_wipe(&o->prof);
	ota_store_close(o->store);
	o->store = NULL;
}
