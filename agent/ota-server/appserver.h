/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The application management server (docs/ota.md "Server"): a catalogue
 * of applications (AID, the domain's TAR, data, quota, key sets), its own
 * SQLite database (per card and key set the last counter sent; per card
 * the domains it knows; a log of downloads), and the download flow: ask
 * the card (GET STATUS), create the domain when missing (INSTALL), send
 * the data (STORE DATA in as many concatenated secured SMS as it takes),
 * follow every PoR, retry what failed, record the result. The transport
 * is a callback: the loopback (ota_loopback) on one box.
 *
 * The part agent/ota-server/, OTA on the server's side: this application
 * management server, the sending entity and loopback (server.c), and the
 * transports PC/SC (pcsc.c) and SMPP (smpp.c). It may use ota/ (the
 * formats both ends speak), common/ and the engine (layers.conf).
 */
#ifndef VSIM_OTA_APPSERVER_H
#define VSIM_OTA_APPSERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ota-server/server.h"
#include "ota/profile.h"

#define OTA_APP_NAME_MAX	32
#define OTA_CATALOGUE_MAX	16

struct ota_catapp {
	char name[OTA_APP_NAME_MAX];
	uint8_t aid[16];
	uint8_t aid_len;
	uint32_t tar;			/* the domain's TAR */
	uint32_t quota;
	unsigned int isd_keyset;	/* key set for the ISD (000000) */
	unsigned int sd_keyset;		/* key set for the domain's TAR */
	uint8_t *data;			/* malloc'd */
	size_t data_len;
};

struct ota_catalogue {
	struct ota_catapp app[OTA_CATALOGUE_MAX];
	unsigned int n;
};

/* Read a catalogue INI ([app NAME] aid, tar, data/hex, quota, keysets). */
int ota_catalogue_load(const char *path, struct ota_catalogue *c, char *err,
		       size_t errlen);
void ota_catalogue_free(struct ota_catalogue *c);
const struct ota_catapp *ota_catalogue_find(const struct ota_catalogue *c,
					 const char *name);

/* Send envelopes to the card, put its PoR in @por; length, 0, or -1. */
typedef int (*ota_transport_fn)(void *ctx, uint8_t env[][OTA_ENVELOPE_MAX],
				const size_t *elen, int n, uint8_t *por,
				size_t max);

struct ota_appserver;

/* Open (create) DIR/server.db. */
int ota_appserver_open(const char *dir, struct ota_appserver **out,
		       char *err, size_t errlen);
void ota_appserver_close(struct ota_appserver *s);
/* Ask for PoRs by SMS-SUBMIT (SPI2 b6): the transport is SMPP. */
void ota_appserver_por_by_sms(struct ota_appserver *s, bool on);

/* What a download did. */
/*
 * The INSTALL [install + make selectable] that creates @a's domain (GP
 * Card Spec §11.5, the TS 102 226 toolkit parameters with its TAR), Le
 * 00; its length (at most 100 bytes for a 16-byte AID). The SMS and the
 * HTTPS servers send the same.
 */
size_t ota_appserver_install_apdu(const struct ota_catapp *a, uint8_t *o);

struct ota_download_result {
	bool created;			/* the domain was missing and is now there */
	unsigned int messages;		/* secured messages sent */
	unsigned int retries;
	char kcvs[32];			/* hex KVN + KCVs from INSTALL */
	char why[128];			/* on failure */
};

/*
 * Download @app to the card @iccid whose key sets are @keys (the
 * server's copies, from the card's profile), from address @from. 0, or
 * -1 with r->why. Every message and result is recorded.
 */
int ota_appserver_download(struct ota_appserver *s, const char *iccid,
			   const struct ota_keyset *keys,
			   const struct ota_addr *from,
			   const struct ota_catapp *app, ota_transport_fn tx,
			   void *ctx, struct ota_download_result *r);

/*
 * One script to one TAR with key set @ks (vsimctl ota send): the counter
 * comes from and goes back to the database. Returns 0 with the PoR in @p
 * (data in @buf), or -1.
 */
int ota_appserver_send(struct ota_appserver *s, const char *iccid,
		       const struct ota_keyset *keys, unsigned int ks,
		       const struct ota_addr *from, const uint8_t spi[2],
		       uint32_t tar, const uint8_t *script, size_t len,
		       ota_transport_fn tx, void *ctx, uint8_t *buf,
		       struct ota_por *p);

/*
 * A card's download request (an SMS-SUBMIT TPDU, ota/card.h): check its
 * packet with the card's key sets and name the application in @app.
 * 0, or -1 with @why.
 */
int ota_appserver_request(const struct ota_keyset *keys, const uint8_t *tpdu,
			  size_t len, char *app, size_t applen, char *why,
			  size_t whylen);

#endif /* VSIM_OTA_APPSERVER_H */
