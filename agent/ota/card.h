/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The card's OTA side, the "receiving entity" of TS 102 225: the engine's
 * slow path for ENVELOPE SMS-PP download. It takes the SMS (and its
 * concatenated parts), opens the secured packet with the card's key sets
 * and counters, runs its secured data at the TAR's application (remote
 * file management through the card's privileged exec, the binding
 * administration, GlobalPlatform security domains), and returns the PoR
 * in the ENVELOPE response or queues it as SEND SHORT MESSAGE. The card
 * is the engine in this process or one in vsim.ko (struct ota_card.exec).
 *
 * One struct ota_card per card; the same serialisation rules as the
 * engine (no locking inside). docs/ota.md describes the flow.
 */
#ifndef VSIM_OTA_CARD_H
#define VSIM_OTA_CARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ota/bip.h"
#include "ota/packet.h"
#include "ota/scp81.h"
#include "ota/sms.h"
#include "vsim_card.h"

#define OTA_KEYSETS	16	/* key index 1..15 (KIc/KID high nibble) */
#define OTA_TARS_MAX	16
#define OTA_MENU_MAX	8
#define OTA_MENU_NAME	24
/* the request's data: DF71 L application name (vsim's own tag) */
#define OTA_TAG_REQUEST	0xdf71

/* What a TAR reaches. */
enum ota_app {
	OTA_APP_RFM_UICC,	/* remote file management from the MF */
	OTA_APP_RFM_USIM,	/* remote file management from ADF.USIM */
	OTA_APP_BINDING,	/* BINDING ADMIN (80 3B) only */
	OTA_APP_GP,		/* a GlobalPlatform security domain */
};

/* TARs (TS 101 220 Annex D; pySim's TAR map; vsim's own) */
#define OTA_TAR_RFM_UICC	0xb00010
#define OTA_TAR_RFM_USIM	0xb00011
#define OTA_TAR_ISD		0x000000
#define OTA_TAR_BINDING		0x564241	/* "VBA": vsim binding admin */

struct ota_tar_cfg {
	uint32_t tar;		/* 24 bits */
	enum ota_app app;
	struct ota_msl msl;
};

/*
 * A key set: KIc and KID at one key index, and its counter. Secret. The
 * DEK (key identifier 3 of the set, as KIc and KID are 1 and 2) deciphers
 * the keys a PUT KEY brings to the ISD; len 0: none.
 */
struct ota_keyset {
	bool present;
	struct ota_key kic, kid;
	uint64_t counter;	/* the card's CNTR for this key set */
	struct ota_key dek;
};

/*
 * The card the OTA code acts on: run a C-APDU with ADM rights (remote file
 * management, BINDING ADMIN; returns the R-APDU length, at least a SW) and
 * queue a proactive command (as vsim_card_proactive() with
 * VSIM_PROACTIVE_F_* @flags: 0, -EINVAL, -ENOSPC, -EOPNOTSUPP). In this
 * process that is the engine; for a card in vsim.ko, ioctls on its card
 * fd (ota/host.c).
 */
typedef size_t (*ota_card_exec_fn)(void *card, const uint8_t *capdu,
				   size_t len, uint8_t *rapdu);
typedef int (*ota_card_queue_fn)(void *card, uint8_t type, uint8_t qualifier,
				 uint8_t dest, const uint8_t *tlvs,
				 size_t len, uint32_t flags);

struct ota_card {
	ota_card_exec_fn exec;
	ota_card_queue_fn queue_proactive;
	void *card;		/* their context */
	struct ota_keyset keysets[OTA_KEYSETS];
	struct ota_tar_cfg tars[OTA_TARS_MAX];
	unsigned int ntars;
	uint64_t window;	/* most a counter may jump (mode 10); 0: any */
	struct ota_reasm reasm;
	/* the key set of the packet being run (PUT KEY's DEK); 0: none */
	unsigned int cur_keyset;
	uint8_t whole[OTA_CONCAT_PARTS_MAX * OTA_SMS_UD_MAX];	/* reassembled */
	/*
	 * Make a key set's new counter durable before the command runs
	 * (durable before 9000); non-zero: PoR status 07, nothing done.
	 * NULL: counters live in memory only.
	 */
	int (*commit_counter)(void *ctx, unsigned int keyset, uint64_t value);
	void *commit_ctx;
	/*
	 * GlobalPlatform: run one C-APDU at a security domain's TAR
	 * (ota/gp.c); NULL: OTA_APP_GP TARs are unknown (status 09).
	 */
	size_t (*gp_exec)(void *gp, uint32_t tar, const uint8_t *capdu,
			  size_t len, uint8_t *rapdu);
	void *gp;
	/* Is a TAR served by a security domain not in tars[] (ota/gp.c)? */
	bool (*gp_has_tar)(void *gp, uint32_t tar, struct ota_msl *msl);
	time_t (*now)(void);	/* NULL: time(NULL); tests set a clock */
	/*
	 * Card-initiated requests: the applications SET UP MENU offers
	 * (item i + 1 is menu[i]), the server's address, and the key set
	 * that secures the request.
	 */
	char menu[OTA_MENU_MAX][OTA_MENU_NAME];
	unsigned int nmenu;
	bool has_server;
	struct ota_addr server;
	unsigned int request_keyset;
	/* the request over an IP bearer (ota/bip.h), when configured */
	struct ota_bip_cfg bip_cfg;
	struct ota_bip bip;
	/* remote management over HTTPS on that channel (ota/scp81.h) */
	struct ota_scp81_cfg scp81_cfg;		/* secret: the PSK */
	struct ota_scp81 *scp81;		/* the session, NULL */
	struct ota_scp81_result scp81_last;
	struct ota_scp81_retry scp81_retry;	/* a push's retry policy */
	/* what happened last (tests, vsimctl) */
	struct {
		uint8_t status;		/* PoR status of the last packet */
		bool por_sent;
		bool por_by_sms;
		unsigned long packets;
	} last;
};

/*
 * Zero the struct, attach the engine's @card (vsim_card_exec() privileged,
 * vsim_card_queue_proactive(); NULL: the caller sets exec, queue_proactive
 * and card itself), add the standard TARs of docs/ota.md.
 */
void ota_card_init(struct ota_card *o, struct vsim_card *card);
/* Wipe every key. */
void ota_card_wipe(struct ota_card *o);

/* Add or replace a TAR. 0, or -1 when the table is full. */
int ota_card_set_tar(struct ota_card *o, uint32_t tar, enum ota_app app,
		     const struct ota_msl *msl);

/*
 * Queue SET UP MENU (TS 102 223 §6.6.7) with the menu[] entries, title
 * "vsim applications". @offer: as a card does at power-on, for a terminal
 * that declares SET UP MENU in its TERMINAL PROFILE (held until then);
 * without, at once (a script playing the user). 0, or -1 (no entries,
 * queue full, the terminal's profile lacks SET UP MENU).
 */
int ota_card_set_up_menu(struct ota_card *o, bool offer);

/*
 * The user picks @app from the menu, for scripts (vsimctl app request
 * CARD APP): what a MENU SELECTION of its item does, the request queued
 * as SEND SHORT MESSAGE for the terminal to FETCH. 0; -2 when @app is not
 * on the menu; -1 otherwise (@sw: the status word MENU SELECTION would
 * have answered).
 */
int ota_card_choose(struct ota_card *o, const char *app, uint16_t *sw);

/*
 * The slow path (vsim_card_ops.slow_path via struct vsim_host_card, or a
 * VSIM_EV_SLOW_APDU record of vsim.ko's card fd):
 * answers ENVELOPE (D1) with the PoR + 9000, or 9000 alone; 6A80 for an
 * SMS-PP download that is malformed or holds a packet without a TAR.
 * MENU SELECTION (D3) of a menu entry queues the download request, over
 * a BIP channel when the profile names a bip_server and the TERMINAL
 * PROFILE declares BIP, else as a SEND SHORT MESSAGE to the server, and
 * answers 9000 (then 91xx); the TERMINAL RESPONSEs to the BIP commands
 * (80 14) and the events Data available and Channel status (D6) go to
 * ota/bip.c, TIMER EXPIRATION (D7) to ota/scp81.c. 6A80 for
 * an unknown item or a malformed envelope, 6985 without a server address
 * or request key set. Returns the R-APDU length; 0 (the card answers
 * 9300) for anything else or without exec / queue_proactive.
 */
size_t ota_card_slow_path(void *ota, const uint8_t *capdu, size_t len,
			  uint8_t *rapdu);

/*
 * For ota/bip.c: a command packet (CPL first) that came over the channel,
 * run as one from an SMS, its PoR (RPL first, no UDH) sent back on the
 * channel; and the download request sent by SMS after all (0 or -1).
 */
void ota_card_channel_packet(struct ota_card *o, const uint8_t *pkt,
			     size_t len);
int ota_card_request_by_sms(struct ota_card *o, const uint8_t *pkt,
			    size_t len);

#endif /* VSIM_OTA_CARD_H */
