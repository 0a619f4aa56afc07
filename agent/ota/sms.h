/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SMS transport of secured packets (3GPP TS 31.115 §4, TS 23.040,
 * TS 31.111 §7.1.1): the ENVELOPE SMS-PP download that brings an
 * SMS-DELIVER to the card, its user data header (command packet IEI 70,
 * concatenation IEI 00/08), the reassembly of concatenated messages with
 * bounded buffers and a timeout, and the SMS-SUBMIT (IEI 71) a PoR leaves
 * by. Both ends use it: the card (ota/card.c) and the server side.
 */
#ifndef VSIM_OTA_SMS_H
#define VSIM_OTA_SMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define OTA_SMS_UD_MAX		140	/* octets of 8-bit user data */
#define OTA_ADDR_MAX		20	/* digits of an address */
#define OTA_CONCAT_PARTS_MAX	16	/* parts of one message kept */
#define OTA_CONCAT_SLOTS	4	/* messages reassembled at once */
#define OTA_CONCAT_TIMEOUT	120	/* seconds a partial message is kept */

#define OTA_TP_PID_DATA_DOWNLOAD 0x7f	/* TS 23.040 §9.2.3.9: (U)SIM data download */
#define OTA_TP_DCS_CLASS2_8BIT	0xf6	/* TS 23.038 §4: class 2, 8-bit data */

/* An address (TP-OA / TP-DA, TS 23.040 §9.1.2.5) as digits. */
struct ota_addr {
	uint8_t toa;			/* type of number / numbering plan */
	uint8_t ndigits;
	char digits[OTA_ADDR_MAX + 1];	/* '0'-'9', '*', '#', 'a'-'c' */
};

/* One short message, decoded. */
struct ota_sms {
	struct ota_addr addr;		/* originator (DELIVER) or destination */
	uint8_t pid, dcs;
	bool udhi;
	const uint8_t *ud;		/* user data after the UDH */
	size_t ud_len;
	/* from the UDH */
	bool cpi;			/* IEI 70: a command packet (71: response) */
	bool rpi;
	bool concat;
	uint16_t ref;
	uint8_t total, seq;
};

/*
 * Decode an SMS-DELIVER TPDU with 8-bit data and its UDH. 0, or -1 with
 * *why (malformed, not 8-bit, UDH overrunning the data...).
 */
int ota_sms_deliver_parse(const uint8_t *tpdu, size_t len,
			  struct ota_sms *sms, const char **why);

/*
 * The SMS TPDU of an ENVELOPE (SMS-PP download), TS 31.111 §7.1.1.1:
 * D1 { device identities 83 → 81 } [ address 06 ] { SMS TPDU 0B }. Points
 * *tpdu into @env. 0, or -1 with *why.
 */
int ota_envelope_sms(const uint8_t *env, size_t len, const uint8_t **tpdu,
		     size_t *tpdu_len, const char **why);

/* Build an ENVELOPE SMS-PP download C-APDU around @tpdu. Length or -1. */
int ota_envelope_build(const uint8_t *tpdu, size_t len, uint8_t *out,
		       size_t max);

/*
 * The ENVELOPE MENU SELECTION C-APDU of menu item @item (TS 102 223 §7.2:
 * keypad -> UICC, item identifier), OTA_MENU_SELECTION_LEN bytes.
 */
#define OTA_MENU_SELECTION_LEN	14
void ota_envelope_menu_selection(uint8_t item,
				 uint8_t env[OTA_MENU_SELECTION_LEN]);

/*
 * Build an SMS-DELIVER (from @oa, PID 7F, DCS F6, SCTS all zero) or an
 * SMS-SUBMIT (@submit: to @oa as TP-DA, message reference 0) carrying
 * @udh (with its UDHL byte first, NULL: none) and @ud. Length or -1.
 */
int ota_sms_build(bool submit, const struct ota_addr *oa, const uint8_t *udh,
		  size_t udh_len, const uint8_t *ud, size_t ud_len,
		  uint8_t *out, size_t max);

#define OTA_TPDU_MAX	176	/* SMS-DELIVER: 13 + 20-digit address + 140 */

/*
 * The server's side: a command packet as SMS-DELIVER TPDUs from @oa. With
 * @ref < 0 and a packet that fits, one message with UDH 02 70 00; else
 * concatenated parts with reference @ref (8-bit when <= 255, 16-bit IEI 08
 * above), the command packet IEI 70 in the first part (TS 31.115 §4.1).
 * Returns the number of parts, -1 when more than @max_parts are needed.
 */
int ota_sms_deliver_parts(const uint8_t *pkt, size_t len,
			  const struct ota_addr *oa, int ref,
			  uint8_t tpdu[][OTA_TPDU_MAX], size_t *tlen,
			  size_t max_parts);

/*
 * The whole user data of an SMS-DELIVER or (@submit) SMS-SUBMIT, UDH
 * included, as SMPP carries it in short_message. 0 or -1.
 */
int ota_sms_whole_ud(const uint8_t *tpdu, size_t len, bool submit,
		     const uint8_t **ud, size_t *udlen);

/* Parse an SMS-SUBMIT TPDU (the card's PoR) like ota_sms_deliver_parse. */
int ota_sms_submit_parse(const uint8_t *tpdu, size_t len,
			 struct ota_sms *sms, const char **why);

/* "+4912345" / "12345" to an address (international TOA 91 or 81). */
int ota_addr_from_string(const char *s, struct ota_addr *a);

/* ---- concatenation (TS 23.040 §9.2.3.24.1, .8) ---- */

struct ota_reasm_slot {
	bool used;
	struct ota_addr from;
	uint16_t ref;
	uint8_t total;
	uint32_t have;			/* bit (seq - 1) per part received */
	time_t first;			/* when the first part arrived */
	bool cpi;			/* a part carried IEI 70 */
	uint8_t len[OTA_CONCAT_PARTS_MAX];
	uint8_t part[OTA_CONCAT_PARTS_MAX][OTA_SMS_UD_MAX];
};

struct ota_reasm {
	struct ota_reasm_slot slot[OTA_CONCAT_SLOTS];
	unsigned int timeout;		/* seconds; 0: OTA_CONCAT_TIMEOUT */
	unsigned long dropped;		/* partial messages given up */
};

enum ota_reasm_result {
	OTA_REASM_COMPLETE,	/* *out holds the whole user data */
	OTA_REASM_PENDING,	/* kept; more parts to come */
	OTA_REASM_DUPLICATE,	/* a part already held: ignored */
	OTA_REASM_BAD,		/* seq 0, seq > total, total changed... */
};

/*
 * Add one part (@sms with concat set) received at @now. On COMPLETE the
 * parts are laid end to end in @out (OTA_CONCAT_PARTS_MAX *
 * OTA_SMS_UD_MAX bytes) and the slot is freed. Partial messages older
 * than the timeout are dropped first; with every slot busy the oldest
 * is dropped.
 */
enum ota_reasm_result ota_reasm_add(struct ota_reasm *r,
				    const struct ota_sms *sms, time_t now,
				    uint8_t *out, size_t *out_len, bool *cpi);

/* Drop partial messages older than the timeout; returns how many. */
unsigned int ota_reasm_expire(struct ota_reasm *r, time_t now);

#endif /* VSIM_OTA_SMS_H */
