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

#include "cardem/sel.h"
#include "vsimd/redact.h"
#include "vsimd/store.h"
#include "vsimd/vpcd.h"

#define VSIMD_DEFAULT_STATE	"/var/lib/vsim"
#define VSIMD_DEFAULT_SOCKET	"/run/vsim/vsimd.sock"
/* docs/vsimd.md "Permissions": users (list, status, trace) and admins */
#define VSIMD_GROUP_USER	"vsim"
#define VSIMD_GROUP_ADMIN	"vsim-admin"
#define VSIMD_DEFAULT_HOST	"127.0.0.1"
#define VSIMD_DEFAULT_PORT	35963	/* vpcd slot 0 (0x8C7B, reader.conf.d/vpcd) */
/*
 * Cards one vsimd hosts, and their slots 0..VSIMD_MAX_CARDS-1 (vpcd port
 * = vpcd_port + slot must stay a port): vsim.ko's default max_cards. The
 * arrays grow as cards come; this is only the ceiling.
 */
#define VSIMD_MAX_CARDS		4096
#define VSIMD_MAX_LISTENERS	4	/* events.h: control socket, GSMTAP */

struct vsimd_card;
struct vsimd;
struct vsimd_event;

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

/* Where a card with `cardem` sits, as the cardem bridge publishes it. */
struct vsimd_board {
	bool in_board;		/* false: waiting for a board; the rest is stale */
	char serial[128];	/* the board's iSerial, "(no serial)" without */
	char path[32];		/* BUS-PORT[.PORT...] as sysfs names it */
	int slot;		/* among the board's card-emulation interfaces */
	int ifnum;		/* the USB interface number */
	uint16_t pid;		/* 1d50:PID */
};

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
	struct vsimd_board board;	/* published by the cardem bridge (events.h) */
	/*
	 * terminal = external (kernel backend): vsimd neither opens
	 * /dev/vsimN nor bridges it; another program is the terminal.
	 */
	bool external;
	int dev_index;			/* N of /dev/vsimN (kernel backend), or -1 */
	void *priv;			/* the backend's */
	/* counters for status */
	uint64_t frames;		/* vpcd frames handled */
	uint64_t persists;		/* change records committed (atomic: kernel backend thread) */
	uint64_t persist_failures;
	uint64_t trace_seq;
	struct vsim_redact redact;	/* the session as traces see it (redact.h) */
	bool down_logged;		/* "cannot reach vpcd" said once */
};

/* vsimd's vpcd bridge is the card's terminal (not a board, not another's). */
static inline bool vsimd_card_on_vpcd(const struct vsimd_card *c)
{
	return !c->cardem.enabled && !c->external;
}

struct vsimd_config;

struct vsimd {
	const struct vsimd_backend *backend;
	struct vsim_store *store;
	struct vsimd_config *cfg;
	struct vsimd_card **cards;	/* grown as cards come (cards.c) */
	size_t n_cards, cap_cards;
	struct vsimd_control *control;
	struct cardem *cardem;		/* NULL until a card wants a board */
	struct vsimd_listener {		/* events.h */
		void (*fn)(void *ctx, const struct vsimd_event *ev);
		void *ctx;
	} listeners[VSIMD_MAX_LISTENERS];
	size_t n_listeners;
};

#endif /* VSIMD_H */
