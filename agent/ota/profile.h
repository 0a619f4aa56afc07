/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The [ota ...] sections of a card profile (docs/profile.md "OTA"): key
 * sets, TARs and their minimum security levels, the counter window and
 * the application management server's address. They configure the
 * agent's OTA side (ota/card.h) and never enter the card image: the
 * kernel has no use for OTA keys.
 */
#ifndef VSIM_OTA_PROFILE_H
#define VSIM_OTA_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "ota/card.h"

struct ota_profile {
	bool present;			/* any [ota ...] section */
	uint64_t window;
	unsigned int concat_timeout;
	bool has_server;
	struct ota_addr server;		/* where card-initiated requests go */
	char menu[OTA_MENU_MAX][OTA_MENU_NAME];	/* SET UP MENU entries */
	unsigned int nmenu;
	unsigned int request_keyset;	/* secures the requests (default 3) */
	struct ota_bip_cfg bip;		/* bip_server: requests over BIP */
	struct ota_scp81_cfg scp81;	/* scp81_*: HTTPS admin sessions; secret */
	struct ota_keyset keysets[OTA_KEYSETS];	/* secret */
	struct ota_tar_cfg tars[OTA_TARS_MAX];
	unsigned int ntars;
};

/*
 * Read the [ota ...] sections of the profile at @path (other sections are
 * vsim_profile_load()'s). 0, or -1 with "PATH:LINE: ..." in @err.
 */
int ota_profile_load(const char *path, struct ota_profile *p, char *err,
		     size_t errlen);
/* The same from a profile's text (vsimd: vsimctl add sends the text). */
int ota_profile_parse_buffer(const char *name, const char *text,
			     struct ota_profile *p, char *err, size_t errlen);
/* Configure a card's OTA side from a profile. */
void ota_profile_apply(const struct ota_profile *p, struct ota_card *o);
/*
 * Call @warn for each TAR whose section lowers the counter below "higher"
 * (replays accepted). Returns how many.
 */
int ota_profile_warn(const struct ota_profile *p,
		     void (*warn)(void *ctx, const char *msg), void *ctx);
/* Wipe the keys. */
void ota_profile_wipe(struct ota_profile *p);

#endif /* VSIM_OTA_PROFILE_H */
