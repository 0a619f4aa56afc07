/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The agent's OTA side of a card: the profile's [ota ...] sections, the
 * OTA store (STATE_DIR/ota.db, in memory for a volatile card, or vsimd's
 * vsim.db), the security domains, wired to the card. For a card hosted in
 * this process (vsimctl exec, vsimctl term, tests, vsimd's embedded
 * backend) into its slow path; for one in vsim.ko (vsimd's kernel backend)
 * to ioctls on its card fd.
 *
 * The part agent/ota/, OTA on the card's side: secured packets
 * (packet.c, crypto.c), SMS transport (sms.c), remote APDU scripts
 * (rapdu.c), GlobalPlatform domains (gp.c) and their store (store.c), the
 * [ota] profile sections (profile.c), the receiving entity (card.c), and
 * this host. It may use common/ and the engine; never ota-server/, the
 * daemon or the CLI (layers.conf).
 */
#ifndef VSIM_OTA_HOST_H
#define VSIM_OTA_HOST_H

#include "common/card_host.h"
#include "ota/card.h"
#include "ota/gp.h"
#include "ota/profile.h"
#include "ota/store.h"

#define OTA_STORE_FILE	"ota.db"

struct ota_host {
	struct ota_card card;
	struct ota_gp gp;
	struct ota_store *store;
	struct ota_profile prof;
	int card_fd;		/* ota_host_open_kernel: vsim.ko's card fd */
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
 * ota_card_choose() for vsimd (vsimctl app request CARD APP): 0, or -1
 * with @err naming why (no OTA, not on the menu, the card's answer).
 */
int ota_host_choose(struct ota_host *o, const char *app, char *err,
		    size_t errlen);

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

/*
 * vsimd's kernel backend: as ota_host_open_stored, for a card that lives
 * in vsim.ko. Remote management runs as VSIM_IOC_EXEC (VSIM_PRIV_ADM) and
 * proactive commands go in by VSIM_IOC_QUEUE_PROACTIVE on o->card_fd,
 * which the caller sets once the card exists (-1 until then: the card
 * answers 6F00). The caller hands each VSIM_EV_SLOW_APDU record to
 * ota_card_slow_path(&o->card, ...) and commits the VSIM_EV_PERSIST
 * records VSIM_IOC_EXEC queued before it answers (docs/ota.md).
 */
int ota_host_open_kernel(struct ota_host *o, const char *db, int64_t card,
			 char *err, size_t errlen);

#endif /* VSIM_OTA_HOST_H */
