/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The card's admin agent for remote application management over HTTP
 * (GlobalPlatform Card Specification Amendment B, "SCP81"): a TLS 1.2
 * PSK session (OpenSSL, memory BIOs) over the card's BIP channel
 * (ota/bip.h), HTTP/1.1 POSTs with the X-Admin-* headers, the C-APDUs of
 * each response (TS 102 226 expanded remote command format) run at the
 * targeted security domain, their R-APDUs posted back, the end at 204 No
 * Content. The PSK identity and key come from the profile's [ota] section
 * (docs/profile.md).
 *
 * Header values are written the way public Amendment B implementations
 * write them; the spec text itself was not at hand [unverified]:
 * X-Admin-Protocol globalplatform-remote-admin/1.0, X-Admin-From
 * //se-id/iccid/ICCID, the content types
 * application/vnd.globalplatform.card-content-mgt[-response];version=1.0.
 */
#ifndef VSIM_OTA_SCP81_H
#define VSIM_OTA_SCP81_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ota_card;

#define SCP81_PSK_MAX		32
#define SCP81_IDENTITY_MAX	64
#define SCP81_URI_MAX		128
#define SCP81_HTTP_MAX		4096	/* one HTTP message, headers and body */
/* the key version of the profile's PSK in the ISD (scp81_kvn); vsim's choice */
#define SCP81_KVN_DEFAULT	0x40

struct ota_scp81_cfg {
	bool enabled;
	char identity[SCP81_IDENTITY_MAX];
	uint8_t psk[SCP81_PSK_MAX];	/* secret: the profile's PSK */
	size_t psk_len;
	uint8_t kvn;			/* its key version (key ID 01) */
	char uri[SCP81_URI_MAX];	/* the first POST's path */
	char host[64];			/* Host: header (the server's address) */
	char iccid[21];			/* for X-Admin-From, read at start */
	char from[64];			/* X-Admin-From when a trigger names it, "" */
	char app[24];			/* the menu choice: ?app= on the first POST */
};

/*
 * The administration session triggering parameters a server pushes to
 * the ISD (GP Amendment B §4.7, "Push SMS"): in the secured data at TAR
 * 000000, instead of C-APDUs,
 *
 *   81 L { 83 L { [84 L connection parameters] [85 L security parameters]
 *                 [86 L retry policy] [89 L { [8A L host] [8B L agent ID]
 *                 [8C L URI] }] } }
 *
 * 84: COMPREHENSION-TLVs of OPEN CHANNEL (TS 102 223 §6.6.27), of which
 * the card takes the transport level (3C: TCP client, port) and the data
 * destination address (3E: IPv4); 85: LV PSK identity, LV key version
 * [and key ID] of the PSK; 86: retry counter (2 bytes), retry waiting
 * delay (timer value TLV 25, §8.38); 89: the Host header, X-Admin-From
 * and the URI of the first POST. The tags follow public implementations
 * of Amendment B; the spec's tables were not at hand [unverified].
 */
struct ota_scp81_trigger {
	bool have_to;			/* 84 named address and port */
	uint8_t ip[4];
	uint16_t port;
	char identity[SCP81_IDENTITY_MAX];	/* "" : the profile's */
	uint8_t kvn;			/* 0: the current PSK */
	bool have_retry;
	unsigned int retries;		/* 86: further sessions after a failed one */
	unsigned int retry_delay;	/* seconds */
	char host[64], from[64], uri[SCP81_URI_MAX];	/* "" : the profile's */
};

/* Parse a trigger (81 first). 0, or -1 when malformed. */
int ota_scp81_trigger_parse(const uint8_t *d, size_t len,
			    struct ota_scp81_trigger *t);

/*
 * The ISD received a trigger (ota/card.c, secured data starting with 81):
 * open the session it asks for. The status word for the PoR: 9000 (the
 * session is being opened: OPEN CHANNEL queued), 6A80 malformed, 6A88 no
 * PSK of that version, 6985 no SCP81 here (no PSK or identity, or a
 * terminal without BIP), 9300 a session is running.
 */
uint16_t ota_scp81_push(struct ota_card *o, const uint8_t *d, size_t len);

/* A parsed HTTP response (ota_http_response_parse). */
struct ota_http_response {
	int status;			/* 200, 204, ... */
	size_t header_len;		/* through the empty line */
	size_t body_len;		/* Content-Length, or the chunks' sum */
	const uint8_t *body;		/* in the message, or in body_buf */
	uint8_t body_buf[SCP81_HTTP_MAX];	/* a chunked body, joined */
	bool admin_protocol;		/* X-Admin-Protocol names 1.0 */
	char next_uri[SCP81_URI_MAX];	/* X-Admin-Next-URI, "" if absent */
	char target[64];		/* X-Admin-Targeted-Application, "" */
};

/*
 * Parse one HTTP/1.1 response at the start of @buf: > 0 the bytes it
 * takes (headers and a Content-Length or chunked body) with @r filled; 0
 * when more bytes are needed; -1 when it cannot be one (no status line, a
 * length-less body, both a length and chunks, a transfer coding other
 * than chunked, a broken chunk, a header or URI too long, a body beyond
 * SCP81_HTTP_MAX).
 */
long ota_http_response_parse(const uint8_t *buf, size_t len,
			     struct ota_http_response *r);

/*
 * Build the card's POST to @uri: the X-Admin headers, @status (NULL for
 * the first POST, else X-Admin-Script-Status), @body. The length, or -1
 * when it does not fit @max.
 */
long ota_http_post_build(const struct ota_scp81_cfg *cfg, const char *uri,
			 const char *status, const uint8_t *body, size_t blen,
			 uint8_t *out, size_t max);

/* "//aid/RID/PIX" or "//aid/AID" of X-Admin-Targeted-Application: the AID. */
int ota_http_target_aid(const char *target, uint8_t *aid, size_t max);

/*
 * Start an admin session over a new BIP channel to the profile's
 * bip_server; the first POST goes to the configured URI with "?app=APP"
 * (vsim's way of naming what the user asked for). 0; -EOPNOTSUPP (no
 * SCP81 configuration, or the terminal does not declare BIP), -EBUSY,
 * -ENOMEM.
 */
int ota_scp81_start(struct ota_card *o);

/* What the session did last (tests, vsimctl). */
struct ota_scp81_result {
	bool handshake;		/* TLS established */
	unsigned int posts;	/* POSTs sent */
	unsigned int scripts;	/* 200 responses run */
	unsigned int commands;	/* C-APDUs executed */
	bool done;		/* ended by 204 No Content */
	const char *why;	/* why it ended otherwise, NULL */
};

/*
 * The push's retry policy in force (GP Amendment B §4.7, tag 86): after a
 * session that failed on its way to the server (the channel did not open
 * or dropped, the TLS handshake or a record failed), the card asks its
 * terminal for a timer (TIMER MANAGEMENT, TS 102 223 §6.4.21) and opens
 * the session again when it expires (ENVELOPE TIMER EXPIRATION, §7.4),
 * while retries are left. Memory only: a power cycle empties the
 * terminal's timers and the card's queue alike.
 */
#define SCP81_RETRY_TIMER	1	/* timer identifier (§8.37): vsim's choice */

struct ota_scp81_retry {
	bool armed;		/* the current session may be followed by another */
	bool waiting;		/* TIMER MANAGEMENT queued, or its timer running */
	unsigned int left;	/* retries left */
	unsigned int delay;	/* seconds, at least 1 */
	unsigned int attempts;	/* sessions this push opened */
	const char *stopped;	/* why no further attempt comes, NULL */
	struct ota_scp81_trigger trig;	/* what each attempt opens */
};

/*
 * ENVELOPE (TIMER EXPIRATION) (D7 ..., the engine checked its shape and
 * that the host started the timer): the retry's session is opened. 9000
 * (then 91xx), or 6A80 when the TLVs do not parse; a timer this agent
 * does not wait on is acknowledged (9000) and changes nothing.
 */
size_t ota_scp81_timer_expiration(struct ota_card *o, const uint8_t *env,
				  size_t len, uint8_t *rapdu);
/* For ota/bip.c: the TERMINAL RESPONSE to TIMER MANAGEMENT (§6.4.21). */
void ota_scp81_timer_response(struct ota_card *o, uint8_t qualifier,
			      uint8_t result);

/* For ota/bip.c: the channel is up; bytes came; the channel is gone. */
void ota_scp81_ready(struct ota_card *o);
void ota_scp81_input(struct ota_card *o, const uint8_t *data, size_t len);
void ota_scp81_closed(struct ota_card *o);
void ota_scp81_free(struct ota_card *o);

#endif /* VSIM_OTA_SCP81_H */
