/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The card's Bearer Independent Protocol client (TS 102 223 §6.4.27-31,
 * §7.5.10-11): one TCP channel in UICC client mode to the application
 * management server, opened with OPEN CHANNEL on the terminal's default
 * bearer, fed with SEND DATA, emptied with RECEIVE DATA when the terminal
 * reports Data available, closed with CLOSE CHANNEL. The commands are
 * queued by the agent with VSIM_PROACTIVE_F_RESPONSE, so their TERMINAL
 * RESPONSEs and the two events reach it through the slow path (ota/card.c
 * hands them here); the engine only carries them.
 *
 * The card speaks TS 102 225 secured packets over the channel: its
 * download request (a command packet), then for every command packet the
 * server sends, the response packet (PoR) without the SMS user data
 * header. Both are self-delimiting (CPL, RPL: two bytes of length first).
 */
#ifndef VSIM_OTA_BIP_H
#define VSIM_OTA_BIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct ota_card;

/* COMPREHENSION-TLV tags, TS 102 223 §9.3 (CR bit clear) */
#define BIP_TAG_BEARER		0x35	/* bearer description, §8.52 */
#define BIP_TAG_CHANNEL_DATA	0x36	/* §8.53 */
#define BIP_TAG_DATA_LENGTH	0x37	/* channel data length, §8.54 */
#define BIP_TAG_CHANNEL_STATUS	0x38	/* §8.56 */
#define BIP_TAG_BUFFER_SIZE	0x39	/* §8.55 */
#define BIP_TAG_TRANSPORT	0x3c	/* UICC/terminal interface transport level, §8.59 */
#define BIP_TAG_OTHER_ADDRESS	0x3e	/* §8.58 */

/* Types of command, TS 102 223 §9.4 */
#define BIP_SET_UP_EVENT_LIST	0x05
#define BIP_TIMER_MANAGEMENT	0x27	/* not BIP: the SCP81 retry's timer */
#define BIP_OPEN_CHANNEL	0x40
#define BIP_CLOSE_CHANNEL	0x41
#define BIP_RECEIVE_DATA	0x42
#define BIP_SEND_DATA		0x43
#define BIP_GET_CHANNEL_STATUS	0x44

/* Events, §8.25 */
#define BIP_EVENT_DATA_AVAILABLE 0x09
#define BIP_EVENT_CHANNEL_STATUS 0x0a

/* §8.7: channel n is device identity 20 + n */
#define BIP_DEV_CHANNEL(n)	(0x20 + (n))

/*
 * The most channel data one command carries: SEND DATA within a FETCH
 * (255 bytes: D0 81 L, command details, device identities, 36 81 L),
 * RECEIVE DATA within its TERMINAL RESPONSE (255 bytes of data: command
 * details, device identities, result, 36 81 L, 37 01 L).
 */
#define BIP_SEND_MAX		240
#define BIP_RECEIVE_MAX		237
#define BIP_BUFFER_DEFAULT	1400	/* asked for in OPEN CHANNEL */
#define BIP_TX_MAX		8192	/* an HTTP message in TLS records */
#define BIP_RX_MAX		2304	/* one secured packet: 16 SMS */
/* a session older than this is taken as lost (a power cycle emptied the queue) */
#define BIP_STALE_SECONDS	120

/* Where the channel goes: the profile's [ota] bip_server. */
struct ota_bip_cfg {
	bool enabled;
	uint8_t ip[4];		/* IPv4, §8.58 type 21 */
	uint16_t port;
	uint16_t buffer;	/* buffer size asked for, §8.55 */
};

enum ota_bip_state {
	BIP_IDLE,
	BIP_OPENING,	/* OPEN CHANNEL queued, its TERMINAL RESPONSE due */
	BIP_OPEN,
	BIP_CLOSING,	/* CLOSE CHANNEL queued */
};

struct ota_bip {
	enum ota_bip_state state;
	time_t started;
	bool events_failed;	/* the terminal refused SET UP EVENT LIST */
	bool events_set;	/* ... or accepted it */
	bool opened;		/* data went out: no SMS fallback any more */
	bool stream;		/* SCP81: raw bytes to ota/scp81.c, not packets */
	bool ready;		/* ota_scp81_ready() was called */
	bool finish;		/* close once everything queued is sent */
	uint8_t channel;	/* 1..7 */
	uint16_t buffer;	/* as the terminal granted it */
	uint16_t tx_room;	/* free space the last SEND DATA reported */
	/* bytes for the server: [tx_off, tx_len) not yet sent */
	uint8_t tx[BIP_TX_MAX];
	size_t tx_len, tx_off, in_flight;
	bool send_queued, receive_queued;
	/* bytes from the server, not yet a whole packet */
	uint8_t rx[BIP_RX_MAX];
	size_t rx_len;
	/* the request, sent by SMS if the channel does not open */
	uint8_t request[BIP_TX_MAX];
	size_t request_len;
	/* what happened (tests, vsimctl) */
	struct {
		uint8_t open_result;	/* general result of OPEN CHANNEL */
		unsigned long sent, received, packets;
		bool fell_back;		/* the request went by SMS */
		bool closed;		/* the session ended with CLOSE CHANNEL */
	} last;
};

/*
 * Parse "A.B.C.D:PORT" into @cfg (enabled). 0, or -1 for anything else.
 */
int ota_bip_cfg_parse(const char *s, struct ota_bip_cfg *cfg);

/*
 * Send @len bytes (the download request) to the server over a new
 * channel: OPEN CHANNEL and SET UP EVENT LIST are queued (the terminal
 * learns of them by 91xx), the data follows once the channel is open. 0;
 * -EOPNOTSUPP when this power cycle's TERMINAL PROFILE does not declare
 * OPEN CHANNEL with TCP in client mode (the caller sends an SMS); -EBUSY
 * while a session runs; -ENOSPC, -EINVAL otherwise.
 */
int ota_bip_start(struct ota_card *o, const uint8_t *data, size_t len);

/*
 * The TERMINAL RESPONSE (80 14 00 00 Lc ...) to a command this client
 * queued; returns the R-APDU length (9000: the engine then ends the
 * command and announces the next with 91xx).
 */
size_t ota_bip_terminal_response(struct ota_card *o, const uint8_t *capdu,
				 size_t len, uint8_t *rapdu);

/* EVENT DOWNLOAD (D6 ...): Data available, Channel status. */
size_t ota_bip_event(struct ota_card *o, const uint8_t *env, size_t len,
		     uint8_t *rapdu);

/* Queue @len bytes for the server on the open channel; 0 or -1. */
int ota_bip_send(struct ota_card *o, const uint8_t *data, size_t len);

/*
 * SCP81 (ota/scp81.h): open a channel whose bytes go to and come from
 * ota/scp81.c unframed; no SMS fallback. To @to (NULL: the profile's
 * bip_server). 0 or as ota_bip_start().
 */
int ota_bip_open_stream(struct ota_card *o, const struct ota_bip_cfg *to);
/* Close the channel once everything queued has been sent. */
void ota_bip_finish(struct ota_card *o);

#endif /* VSIM_OTA_BIP_H */
