// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsimd's card set: cards come from the store at start and from `vsimctl
 * add` (a profile compiled here), each hosted by the chosen backend and
 * plugged into its vpcd slot; `vsimctl remove` unplugs and deletes one.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardem/cardem.h"
#include "common/card_host.h"
#include "common/log.h"
#include "common/profile.h"
#include "ota/host.h"
#include "ota/profile.h"
#include "vsimd/cards.h"
#include "vsimd/config.h"
#include "vsimd/events.h"
#include "vsimd/vsimd.h"

struct vsimd_card *vsimd_card_find(struct vsimd *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->n_cards; i++)
		if (!strcmp(d->cards[i]->name, name))
			return d->cards[i];
	return NULL;
}

static void card_free(struct vsimd_card *c)
{
	if (c->cardem_slot)
		vsimd_cardem_card_gone(c->d, c);
	if (c->priv)
		c->d->backend->close(c);
	vpcd_close(&c->vpcd);
	free(c);
}

/*
 * Whether the configuration leaves this card's /dev/vsimN to another
 * program: known before the backend opens the card, which then does not
 * take the terminal. Searched only when some card asks for it.
 */
static bool config_external(const struct vsimd *d, const char *name)
{
	const struct vsimd_config_card *c;

	if (!d->cfg->any_external)
		return false;
	c = vsimd_config_card_find(d->cfg, name);
	return c && c->external;
}

/* Build a running card from a store row. */
static struct vsimd_card *card_start(struct vsimd *d,
				     const struct vsim_store_card *row,
				     char *err, size_t errlen)
{
	const struct vsim_image_header *hdr = (const void *)row->image;
	struct vsimd_card *c;
	char why[400];

	if (d->n_cards >= VSIMD_MAX_CARDS) {
		snprintf(err, errlen, "card %s: too many cards (at most %d)",
			 row->name, VSIMD_MAX_CARDS);
		return NULL;
	}
	if (d->n_cards == d->cap_cards) {
		size_t cap = d->cap_cards ? 2 * d->cap_cards : 16;
		struct vsimd_card **p = realloc(d->cards, cap * sizeof(*p));

		if (!p) {
			snprintf(err, errlen, "out of memory");
			return NULL;
		}
		d->cards = p;
		d->cap_cards = cap;
	}
	c = calloc(1, sizeof(*c));
	if (!c || vpcd_init(&c->vpcd, row->vpcd_host, row->vpcd_port)) {
		free(c);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->d = d;
	c->id = row->id;
	c->slot = row->slot;
	snprintf(c->name, sizeof(c->name), "%s", row->name);
	snprintf(c->iccid, sizeof(c->iccid), "%s", row->iccid);
	c->dev_index = -1;
	c->external = config_external(d, row->name);
	if (d->backend->open(c, row, why, sizeof(why))) {
		snprintf(err, errlen, "card %s: %s", row->name, why);
		card_free(c);
		return NULL;
	}
	/* the backend checked the image: the header is sound */
	c->atr_len = hdr->atr_len;
	memcpy(c->atr, hdr->atr, c->atr_len);
	d->cards[d->n_cards++] = c;
	if (c->external)
		log_info("card %s (ICCID %s): %s backend, terminal /dev/vsim%d left to another program",
			 c->name, c->iccid, d->backend->name, c->dev_index);
	else
		log_info("card %s (ICCID %s): %s backend, vpcd %s:%d", c->name,
			 c->iccid, d->backend->name, c->vpcd.host, c->vpcd.port);
	return c;
}

struct load_ctx {
	struct vsimd *d;
	char *err;
	size_t errlen;
};

static int load_one(void *ctx, struct vsim_store_card *row)
{
	struct load_ctx *l = ctx;

	return card_start(l->d, row, l->err, l->errlen) ? 0 : -1;
}

int vsimd_cards_load(struct vsimd *d, char *err, size_t errlen)
{
	struct load_ctx l = { d, err, errlen };

	return vsim_store_foreach(d->store, load_one, &l, err, errlen);
}

static int slot_used(struct vsimd *d, int slot)
{
	size_t i;

	for (i = 0; i < d->n_cards; i++)
		if (d->cards[i]->slot == slot)
			return 1;
	return 0;
}

/* The lowest slot no card has: one pass over the cards, not one per slot. */
static int free_slot(struct vsimd *d)
{
	uint8_t used[VSIMD_MAX_CARDS / 8] = { 0 };
	size_t i;
	int s;

	for (i = 0; i < d->n_cards; i++) {
		s = d->cards[i]->slot;
		if (s >= 0 && s < VSIMD_MAX_CARDS)
			used[s / 8] |= 1u << (s % 8);
	}
	/* fewer than VSIMD_MAX_CARDS cards: one slot below it is free */
	for (s = 0; used[s / 8] & (1u << (s % 8)); s++)
		;
	return s;
}

static void log_warning(void *ctx, const char *msg)
{
	log_warn("card %s: %s", ((struct vsimd_card *)ctx)->name, msg);
}

/* OTA settings that weaken the defaults, e.g. a TAR accepting replays. */
static void warn_ota(struct vsimd_card *c, const char *name, const char *text)
{
	struct ota_profile *p = calloc(1, sizeof(*p));
	char err[300];

	if (p && !ota_profile_parse_buffer(name, text, p, err, sizeof(err)))
		ota_profile_warn(p, log_warning, c);
	if (p) {
		ota_profile_wipe(p);
		free(p);
	}
}

struct vsimd_card *vsimd_card_add(struct vsimd *d, const char *name,
				  const char *profile_name,
				  const char *profile_text, int slot,
				  const char *host, int port, char *err,
				  size_t errlen)
{
	struct vsim_store_card row;
	struct vsim_profile p;
	struct vsim_host_card tmp;
	struct vsimd_card *c = NULL;
	const u8 *state;
	char why[512], db[PATH_MAX + 16];

	if (!vsim_store_name_ok(name)) {
		snprintf(err, errlen,
			 "card name '%s': use 1-63 of A-Z a-z 0-9 . _ - (not starting with -)",
			 name);
		return NULL;
	}
	if (vsimd_card_find(d, name)) {
		snprintf(err, errlen, "card '%s' exists already", name);
		return NULL;
	}
	if (d->n_cards >= VSIMD_MAX_CARDS) {
		snprintf(err, errlen, "card '%s': too many cards (at most %d)",
			 name, VSIMD_MAX_CARDS);
		return NULL;
	}
	if (slot < 0) {
		slot = free_slot(d);
	} else if (slot_used(d, slot)) {
		snprintf(err, errlen, "slot %d is in use", slot);
		return NULL;
	}
	memset(&row, 0, sizeof(row));
	if (vsim_profile_parse_buffer(profile_name, profile_text, &p, why,
				      sizeof(why))) {
		snprintf(err, errlen, "%s", why);
		return NULL;
	}
	snprintf(row.iccid, sizeof(row.iccid), "%s", p.iccid);
	if (vsim_profile_build_image(&p, &row.image, &row.image_len, why,
				     sizeof(why))) {
		vsim_profile_free(&p);
		snprintf(err, errlen, "%s", why);
		return NULL;
	}
	vsim_profile_free(&p);
	/* The initial durable blob, exactly as the engine builds it. */
	if (vsim_host_card_open(&tmp, row.image, row.image_len, NULL, why,
				sizeof(why))) {
		snprintf(err, errlen, "%s", why);
		goto out;
	}
	state = vsim_card_state(tmp.card, &row.state_len);
	row.state = malloc(row.state_len);
	if (row.state)
		memcpy(row.state, state, row.state_len);
	vsim_host_card_close(&tmp);
	if (!row.state) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	snprintf(row.name, sizeof(row.name), "%s", name);
	row.slot = slot;
	snprintf(row.vpcd_host, sizeof(row.vpcd_host), "%s",
		 host ? host : d->cfg->vpcd_host);
	row.vpcd_port = port ? port : d->cfg->vpcd_port + slot;
	if (vsim_store_add(d->store, &row, err, errlen))
		goto out;
	/* the [ota ...] sections: kept for the agent's OTA side (docs/ota.md) */
	snprintf(db, sizeof(db), "%s/%s", d->cfg->state_dir, VSIM_STORE_FILE);
	if (ota_host_save_config(db, row.id, profile_name, profile_text, err,
				 errlen)) {
		vsim_store_remove(d->store, row.id);
		goto out;
	}
	c = card_start(d, &row, err, errlen);
	if (!c)
		vsim_store_remove(d->store, row.id);	/* nothing half-added */
	else
		warn_ota(c, profile_name, profile_text);
out:
	vsim_store_card_clear(&row);
	return c;
}

static void card_stop(struct vsimd_card *c)
{
	if (c->powered)
		c->d->backend->power_off(c);
	c->powered = false;
	card_free(c);
}

int vsimd_card_remove(struct vsimd *d, struct vsimd_card *c, char *err,
		      size_t errlen)
{
	char db[PATH_MAX + 16];
	size_t i;

	if (vsim_store_remove(d->store, c->id)) {
		snprintf(err, errlen, "store: cannot delete card '%s'", c->name);
		return -1;
	}
	snprintf(db, sizeof(db), "%s/%s", d->cfg->state_dir, VSIM_STORE_FILE);
	if (ota_host_forget(db, c->id))
		log_err("card %s: cannot delete its OTA state", c->name);
	vsimd_publish_card_gone(c);
	for (i = 0; i < d->n_cards; i++) {
		if (d->cards[i] == c) {
			memmove(&d->cards[i], &d->cards[i + 1],
				(d->n_cards - i - 1) * sizeof(d->cards[0]));
			d->n_cards--;
			break;
		}
	}
	log_info("card %s removed", c->name);
	card_stop(c);
	return 0;
}

void vsimd_cards_close(struct vsimd *d)
{
	while (d->n_cards) {
		struct vsimd_card *c = d->cards[--d->n_cards];

		vsimd_publish_card_gone(c);
		card_stop(c);
	}
	free(d->cards);
	d->cards = NULL;
	d->cap_cards = 0;
}
