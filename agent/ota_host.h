/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The agent's OTA side for a card hosted in this process (vsimctl exec,
 * vsimctl term, tests): the profile's [ota ...] sections, the OTA store
 * (STATE_DIR/ota.db, or in memory for a volatile card), the security
 * domains, wired into the card's slow path.
 */
#ifndef VSIM_OTA_HOST_H
#define VSIM_OTA_HOST_H

#include "card_host.h"
#include "ota_card.h"
#include "ota_gp.h"
#include "ota_profile.h"
#include "ota_store.h"

#define OTA_STORE_FILE	"ota.db"

struct ota_host {
	struct ota_card card;
	struct ota_gp gp;
	struct ota_store *store;
	struct ota_profile prof;
};

/*
 * Read @profile's [ota ...] sections and, when there are any, serve the
 * card's OTA (counters and domains in @state_dir/ota.db, or in memory).
 * 0 (o->prof.present says whether OTA is on), or -1 with @err.
 */
int ota_host_open(struct ota_host *o, struct vsim_host_card *h,
		  const char *profile, const char *state_dir, char *err,
		  size_t errlen);
void ota_host_close(struct ota_host *o);

/*
 * vsimd (the embedded backend): the OTA tables live in its database @db
 * (vsim.db), through a connection of their own so that a transaction of
 * one card's thread never takes in another thread's statements. save
 * keeps the profile text of a card being added when it has [ota ...]
 * sections; open_stored serves a card from it (nothing when there is
 * none: o->prof.present false); forget deletes all of a card's OTA rows.
 */
int ota_host_save_config(const char *db, int64_t card, const char *name,
			 const char *text, char *err, size_t errlen);
int ota_host_open_stored(struct ota_host *o, struct vsim_host_card *h,
			 const char *db, int64_t card, char *err,
			 size_t errlen);
int ota_host_forget(const char *db, int64_t card);

#endif /* VSIM_OTA_HOST_H */
