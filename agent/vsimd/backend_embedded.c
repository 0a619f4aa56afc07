// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsimd's embedded backend: the card engine in this process (card_host.c),
 * its durable state loaded from the store, and every change record
 * committed to the store before the engine applies it (docs/engine.md
 * "Durable before 9000"). Used where vsim.ko cannot be loaded.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/card_host.h"
#include "common/log.h"
#include "ota/host.h"
#include "vsimd/config.h"
#include "vsimd/store.h"
#include "vsimd/vsimd.h"

/* The engine calls this from inside vsim_card_transact(). */
static int embedded_commit(void *ctx, const struct vsim_persist *rec)
{
	struct vsimd_card *c = ctx;

	if (vsim_store_persist(c->d->store, c->id, rec->offset, rec->len,
			       rec->data)) {
		c->persist_failures++;
		log_err("card %s: cannot commit a change to the store; the card answers 6581",
			c->name);
		return -1;
	}
	c->persists++;
	return 0;
}

/*
 * The card, and its OTA side when its profile had [ota ...] (docs/ota.md):
 * 15 KiB that a card without OTA does not carry (a host holds thousands).
 */
struct embedded {
	struct vsim_host_card h;	/* first: c->priv is also the host card */
	struct ota_host *ota;		/* NULL: no OTA */
};

static int embedded_open(struct vsimd_card *c, const struct vsim_store_card *row,
			 char *err, size_t errlen)
{
	struct embedded *e = calloc(1, sizeof(*e));
	struct vsim_host_card *h = e ? &e->h : NULL;
	char db[PATH_MAX + 16];
	size_t len;

	if (!e) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (vsim_host_card_open(h, row->image, row->image_len, NULL, err,
				errlen)) {
		free(e);
		return -1;
	}
	vsim_card_state(h->card, &len);
	/* a row always holds its blob (cards.c): none is damage, not a start */
	if (!row->state || row->state_len != len ||
	    vsim_card_load_state(h->card, row->state, row->state_len)) {
		snprintf(err, errlen,
			 "stored state does not fit this card (%zu bytes, engine wants %zu)",
			 row->state_len, len);
		goto err_close;
	}
	h->commit = embedded_commit;
	h->commit_ctx = c;
	snprintf(db, sizeof(db), "%s/%s", c->d->cfg->state_dir, VSIM_STORE_FILE);
	e->ota = calloc(1, sizeof(*e->ota));
	if (!e->ota) {
		snprintf(err, errlen, "out of memory");
		goto err_close;
	}
	if (ota_host_open_stored(e->ota, h, db, row->id, err, errlen))
		goto err_close_ota;
	if (e->ota->prof.present) {
		log_info("card %s: OTA served by the agent", c->name);
	} else {
		ota_host_close(e->ota);
		free(e->ota);
		e->ota = NULL;
	}
	c->priv = e;
	return 0;

err_close_ota:
	ota_host_close(e->ota);
	free(e->ota);
err_close:
	vsim_host_card_close(h);
	free(e);
	return -1;
}

static void embedded_close(struct vsimd_card *c)
{
	struct embedded *e = c->priv;

	if (!e)
		return;
	if (e->ota) {
		ota_host_close(e->ota);	/* wipes the OTA keys */
		free(e->ota);
	}
	vsim_host_card_close(&e->h);	/* wipes the card */
	free(e);
	c->priv = NULL;
}

static int embedded_power_on(struct vsimd_card *c, uint8_t atr[VSIM_ATR_MAX])
{
	struct embedded *e = c->priv;
	int n = (int)vsim_card_power_on(e->h.card, atr, VSIM_ATR_MAX);

	/* the card's toolkit offers its applications (docs/ota.md) */
	if (e->ota && e->ota->card.nmenu &&
	    ota_card_set_up_menu(&e->ota->card, true))
		log_warn("card %s: cannot offer SET UP MENU", c->name);
	return n;
}

static void embedded_power_off(struct vsimd_card *c)
{
	struct vsim_host_card *h = c->priv;

	vsim_card_power_off(h->card);
}

static int embedded_transmit(struct vsimd_card *c, const uint8_t *capdu,
			     size_t clen, uint8_t rapdu[VSIM_RAPDU_MAX],
			     size_t *rlen)
{
	struct vsim_host_card *h = c->priv;

	*rlen = vsim_card_transact(h->card, capdu, clen, rapdu);
	return 0;
}

static int embedded_stats(struct vsimd_card *c, uint64_t *apdus,
			  uint64_t *auth_ok, uint64_t *auth_fail)
{
	struct vsim_host_card *h = c->priv;
	struct vsim_card_stats st;

	vsim_card_get_stats(h->card, &st);
	*apdus = st.apdus;
	*auth_ok = st.auth_ok;
	*auth_fail = st.auth_fail;
	return 0;
}

static int embedded_app_request(struct vsimd_card *c, const char *app,
				char *err, size_t errlen)
{
	struct embedded *e = c->priv;

	if (!e->ota) {
		snprintf(err, errlen, "the card has no OTA menu ([ota] menu)");
		return -1;
	}
	return ota_host_choose(e->ota, app, err, errlen);
}

const struct vsimd_backend vsimd_backend_embedded = {
	.name = "embedded",
	.open = embedded_open,
	.close = embedded_close,
	.power_on = embedded_power_on,
	.power_off = embedded_power_off,
	.transmit = embedded_transmit,
	.stats = embedded_stats,
	.app_request = embedded_app_request,
};
