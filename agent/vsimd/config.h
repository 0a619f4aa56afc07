/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vsimd's configuration file (INI, parsed by libinih like profiles):
 *
 *   [vsimd]
 *   state = /var/lib/vsim        ; the store's directory
 *   socket = /run/vsim/vsimd.sock
 *   backend = embedded           ; or kernel (/dev/vsimx)
 *   log_level = info             ; error, warn, info, debug
 *   sync = full                  ; or normal (docs/vsimd.md)
 *   vpcd_host = 127.0.0.1        ; slot N connects to vpcd_port + N
 *   vpcd_port = 35963
 *   pcscd_groups = no            ; yes: cards shown by `vsimctl pcscd run` groups
 *   reveal_keys = no             ; yes: traces show PINs and keys (lab only)
 *
 *   [card NAME]                  ; created at start/SIGHUP if not stored
 *   profile = /etc/vsim/NAME.ini
 *   slot = 0                     ; optional
 *   vpcd = 127.0.0.1:35963       ; optional
 *   cardem = serial=X,slot=0     ; optional: a SIMtrace2 board instead of
 *                                ; vpcd ("any", serial=, path=, slot=)
 *   terminal = external          ; optional, kernel backend: vsimd leaves
 *                                ; /dev/vsimN to another program (default
 *                                ; vsimd: it opens and bridges it)
 *
 * Errors name the file, line and key. Command-line options win.
 */
#ifndef VSIMD_CONFIG_H
#define VSIMD_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/log.h"
#include "vsimd/vsimd.h"

struct vsimd_config_card {
	char name[VSIM_STORE_NAME_MAX];
	char profile[PATH_MAX];
	int slot;			/* -1: any free slot */
	char host[VSIM_STORE_HOST_MAX];	/* "": default */
	int port;			/* 0: default */
	struct vsimd_cardem_sel cardem;	/* enabled: a board, not vpcd */
	bool external;			/* terminal = external */
	int line;
};

struct vsimd_config {
	char state_dir[PATH_MAX];
	char socket[PATH_MAX];
	char backend[16];
	enum vsim_log_level log_level;
	int sync_normal;
	char vpcd_host[VSIM_STORE_HOST_MAX];
	int vpcd_port;
	bool pcscd_groups;	/* list names group sockets (common/pcsc_layout.h) */
	char gsmtap[VSIM_STORE_HOST_MAX + 8];	/* "" or HOST[:PORT] */
	bool reveal_keys;	/* traces show PINs and keys to admins (lab) */
	bool any_external;	/* a card has terminal = external (vsimd_config_check) */
	/* grown as sections come, up to VSIMD_MAX_CARDS (vsimd_config_card_new) */
	struct vsimd_config_card *cards;
	size_t n_cards, cap_cards;
};

/* Defaults, no cards. Over a used configuration: vsimd_config_free first. */
void vsimd_config_defaults(struct vsimd_config *cfg);
/* Free the card list (the struct itself is the caller's). */
void vsimd_config_free(struct vsimd_config *cfg);
/*
 * A new card entry at the end: zeroed, slot -1. NULL at VSIMD_MAX_CARDS
 * or out of memory. Pointers to earlier entries may move.
 */
struct vsimd_config_card *vsimd_config_card_new(struct vsimd_config *cfg);
/* Read @path over @cfg. 0, or -1 with "PATH:LINE: ..." in @err. */
int vsimd_config_load(const char *path, struct vsimd_config *cfg, char *err,
		      size_t errlen);
/* The card section named @name, NULL if there is none. */
struct vsimd_config_card *vsimd_config_card_find(struct vsimd_config *cfg,
						 const char *name);
/*
 * The card section named @name, created without a profile (a stored
 * card's options) if there is none. NULL at VSIMD_MAX_CARDS or out of
 * memory.
 */
struct vsimd_config_card *vsimd_config_card_named(struct vsimd_config *cfg,
						  const char *name);
/*
 * Options that exclude each other, once file and command line are merged:
 * terminal = external needs the kernel backend and no cardem. Sets
 * any_external. 0, or -1 with @err.
 */
int vsimd_config_check(struct vsimd_config *cfg, char *err, size_t errlen);
/* "HOST:PORT" (or "[v6]:PORT", or "PORT"). 0 or -1. */
int vsimd_parse_hostport(const char *s, char *host, size_t hostlen,
			 int *port);

#endif /* VSIMD_CONFIG_H */
