/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vsimd's shared structures: the daemon, its cards, and the backend
 * interface that hosts a card's engine (in-process, or in vsim.ko behind
 * /dev/vsimx). Flow of an APDU: pcscd/vpcd -> vpcd.c -> bridge.c ->
 * backend (engine; its change records -> store.c) -> back the same way.
 */
#ifndef VSIMD_H
#define VSIMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/vsim.h>

#include "cardem_sel.h"
#include "store.h"
#include "vpcd.h"

#define VSIMD_DEFAULT_STATE	"/var/lib/vsim"
#define VSIMD_DEFAULT_SOCKET	"/run/vsim/vsimd.sock"
#define VSIMD_DEFAULT_HOST	"127.0.0.1"
#define VSIMD_DEFAULT_PORT	35963	/* vpcd slot 0 (0x8C7B, reader.conf.d/vpcd) */
#define VSIMD_MAX_CARDS		64

struct vsimd_card;
struct vsimd;

/* A card engine host; every call is made from vsimd's main thread. */
struct vsimd_backend {
	const char *name;
	/* Build the card from a store row (image + durable blob). */
	int (*open)(struct vsimd_card *c, const struct vsim_store_card *row,
		    char *err, size_t errlen);
	void (*close)(struct vsimd_card *c);
	/* Cold reset (power on or reset); returns the ATR length or -1. */
	int (*power_on)(struct vsimd_card *c, uint8_t atr[VSIM_ATR_MAX]);
	void (*power_off)(struct vsimd_card *c);
	/* One exchange; 0 with *rlen set, or -1 when the card is unreachable. */
	int (*transmit)(struct vsimd_card *c, const uint8_t *capdu, size_t clen,
			uint8_t rapdu[VSIM_RAPDU_MAX], size_t *rlen);
	/* Engine counters; 0 or -1. */
	int (*stats)(struct vsimd_card *c, uint64_t *apdus, uint64_t *auth_ok,
		     uint64_t *auth_fail);
	/*
	 * The user picks @app from the card's OTA menu (vsimctl app request
	 * CARD APP): the card queues its request SMS for the terminal. 0, or
	 * -1 with @err.
	 */
	int (*app_request)(struct vsimd_card *c, const char *app, char *err,
			   size_t errlen);
};

extern const struct vsimd_backend vsimd_backend_embedded;
extern const struct vsimd_backend vsimd_backend_kernel;

struct vsimd_card {
	struct vsimd *d;
	int64_t id;			/* store row */
	char name[VSIM_STORE_NAME_MAX];
	char iccid[21];
	int slot;
	uint8_t atr[VSIM_ATR_MAX];	/* from the image: get-ATR has no side effects */
	size_t atr_len;
	bool powered;
	struct vsim_vpcd vpcd;		/* the reader, unless cardem.enabled */
	struct vsimd_cardem_sel cardem;	/* a SIMtrace2 board instead (cardem.h) */
	void *cardem_slot;		/* the board slot it is in, NULL while waiting */
	void *priv;			/* the backend's */
	/* counters for status */
	uint64_t frames;		/* vpcd frames handled */
	uint64_t persists;		/* change records committed (atomic: kernel backend thread) */
	uint64_t persist_failures;
	uint64_t trace_seq;
	bool down_logged;		/* "cannot reach vpcd" said once */
};

struct vsimd_config;

struct vsimd {
	const struct vsimd_backend *backend;
	struct vsim_store *store;
	struct vsimd_config *cfg;
	struct vsimd_card *cards[VSIMD_MAX_CARDS];
	size_t n_cards;
	struct vsimd_control *control;
	struct vsim_gsmtap *gsmtap;	/* NULL: no GSMTAP traces */
	struct cardem *cardem;		/* NULL until a card wants a board */
};

/* cards.c: the card set */
struct vsimd_card *vsimd_card_find(struct vsimd *d, const char *name);
/* Load every card of the store; 0, or -1 with @err (the first failure). */
int vsimd_cards_load(struct vsimd *d, char *err, size_t errlen);
/*
 * Add a card from profile text: compile, store, start. @slot < 0 picks the
 * lowest free slot; @host NULL / @port 0 take the defaults (port = base +
 * slot). Returns the card, or NULL with @err.
 */
struct vsimd_card *vsimd_card_add(struct vsimd *d, const char *name,
				  const char *profile_name,
				  const char *profile_text, int slot,
				  const char *host, int port, char *err,
				  size_t errlen);
/* Stop, unplug and delete a card and its stored state. 0 or -1 with @err. */
int vsimd_card_remove(struct vsimd *d, struct vsimd_card *c, char *err,
		      size_t errlen);
/* Stop every card (SIGTERM): power off, close vpcd, close the backend. */
void vsimd_cards_close(struct vsimd *d);

/* bridge.c: one vpcd frame in, the card's answer out */
int vsimd_bridge_frame(struct vsimd_card *c, const uint8_t *frame,
		       size_t len, uint8_t *reply, size_t *reply_len);

/*
 * bridge.c: every exchange and power event of a card, to `vsimctl trace`
 * subscribers and to GSMTAP. @what: "apdu", or a power event with the ATR
 * in @rapdu.
 */
void vsimd_trace(struct vsimd_card *c, const char *what, const uint8_t *capdu,
		 size_t clen, const uint8_t *rapdu, size_t rlen);

/* control.c: hands every exchange to `vsimctl trace` subscribers */
void vsimd_control_trace(struct vsimd *d, struct vsimd_card *c,
			 const char *what, const uint8_t *capdu, size_t clen,
			 const uint8_t *rapdu, size_t rlen);
void vsimd_control_card_gone(struct vsimd *d, struct vsimd_card *c);

#endif /* VSIMD_H */
