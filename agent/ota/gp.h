/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * GlobalPlatform security domains behind OTA TARs (GP Card Specification
 * 2.3, Amendment B "Remote Application Management over HTTP"/OTA, ETSI
 * TS 102 226 §8): the issuer security domain at TAR 000000 creates
 * supplementary domains (INSTALL), deletes them (DELETE) and lists them
 * (GET STATUS); each supplementary domain answers at its own TAR for its
 * keys (PUT KEY, GET DATA E0) and its application data (STORE DATA, GET
 * DATA DF7A). State lives in ota_store; a STORE DATA sequence in progress
 * lives here in memory until its last block commits it whole.
 */
#ifndef VSIM_OTA_GP_H
#define VSIM_OTA_GP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ota/card.h"
#include "ota/store.h"

#define OTA_GP_QUOTA_DEFAULT	2048	/* bytes, when INSTALL names none */
#define OTA_GP_QUOTA_MAX	65536
#define OTA_GP_PAGE		200	/* GET STATUS / GET DATA answer size */

/* The ISD's AID (GlobalPlatform's default, as GlobalPlatformPro uses it) */
#define OTA_ISD_AID		"\xa0\x00\x00\x01\x51\x00\x00\x00"
#define OTA_ISD_AID_LEN		8

struct ota_gp {
	struct ota_store *store;
	struct ota_card *card;		/* for TARs the card serves itself */
	struct {			/* STORE DATA in progress */
		bool active;
		uint8_t aid[OTA_AID_MAX];
		uint8_t aid_len;
		unsigned int next_block;
		size_t len;
		uint8_t *buf;		/* quota bytes */
	} stage;
	struct {			/* GET STATUS continuation (6310) */
		bool active;
		uint8_t p1;
		unsigned int next;
		uint8_t filter[OTA_AID_MAX];
		uint8_t filter_len;
	} status;
};

/* Connect domains in @s to the card's OTA side @o (gp_exec, gp_has_tar). */
void ota_gp_init(struct ota_gp *g, struct ota_store *s, struct ota_card *o);
void ota_gp_free(struct ota_gp *g);

/* struct ota_card.gp_exec / gp_has_tar */
size_t ota_gp_exec(void *gp, uint32_t tar, const uint8_t *capdu, size_t len,
		   uint8_t *rapdu);
bool ota_gp_has_tar(void *gp, uint32_t tar, struct ota_msl *msl);

/*
 * The ISD's TLS PSK for SCP81 (key type 85): version @kvn (0: the
 * current one), from the store once a PUT KEY put one there, else the
 * profile's scp81_psk as version scp81_kvn. 0, or -1 when there is none.
 * Secret: the caller cleanses @psk.
 */
int ota_gp_psk(struct ota_gp *g, uint8_t kvn, struct ota_gp_key *psk);

/* KCV (GP Card Spec B.6): AES encrypts 16 x 01, DES 8 x 00; 3 bytes. */
int ota_gp_kcv(const struct ota_gp_key *k, uint8_t kcv[3]);

#endif /* VSIM_OTA_GP_H */
