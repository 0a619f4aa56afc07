/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Secured packets, ETSI TS 102 225 §5 as 3GPP TS 31.115 carries them in
 * SMS: the card (receiving entity) opens a command packet and builds the
 * response packet (Proof of Receipt); the server (sending entity) builds
 * command packets and opens PoRs. Transport framing (UDH, concatenation)
 * lives in ota/sms.c, what the secured data means in ota/card.c.
 *
 * Command packet (after the UDH IEI 70):
 *   CPL(2) CHL(1) SPI(2) KIc(1) KID(1) TAR(3) | CNTR(5) PCNTR(1) RC/CC(n) data pad
 * Response packet (after UDH 02 71 00):
 *   RPL(2) RHL(1) TAR(3) | CNTR(5) PCNTR(1) STATUS(1) RC/CC(n) data pad
 * The part after "|" is ciphered when the SPI says so.
 */
#ifndef VSIM_OTA_PACKET_H
#define VSIM_OTA_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ota/crypto.h"

/* SPI, TS 102 225 §5.1.1; first byte */
#define OTA_SPI1_CHECK(s)	((s) & 0x03)	/* OTA_CHECK_* */
#define OTA_SPI1_CIPHER		0x04
#define OTA_SPI1_COUNTER(s)	(((s) >> 3) & 0x03)	/* OTA_CNTR_* */
/* second byte */
#define OTA_SPI2_POR(s)		((s) & 0x03)	/* OTA_POR_* */
#define OTA_SPI2_POR_CHECK(s)	(((s) >> 2) & 0x03)
#define OTA_SPI2_POR_CIPHER	0x10
#define OTA_SPI2_POR_SUBMIT	0x20	/* PoR by SMS-SUBMIT, else in the RP-ACK */

#define OTA_CHECK_NONE		0
#define OTA_CHECK_RC		1
#define OTA_CHECK_CC		2
#define OTA_CHECK_DS		3	/* digital signature: not implemented */

#define OTA_CNTR_NONE		0	/* no counter */
#define OTA_CNTR_ANY		1	/* counter present, no replay check */
#define OTA_CNTR_HIGHER		2	/* process only if CNTR > the card's */
#define OTA_CNTR_NEXT		3	/* process only if CNTR = the card's + 1 */

#define OTA_POR_NONE		0
#define OTA_POR_REQUIRED	1
#define OTA_POR_ON_ERROR	2

#define OTA_CNTR_MAX		0xffffffffffULL	/* 5 bytes */

/* Response status codes, TS 102 225 §5.2.2 Table 5.6 (TS 31.115 §5) */
enum ota_status {
	OTA_ST_OK = 0x00,
	OTA_ST_CHECK_FAILED = 0x01,	/* RC/CC/DS failed */
	OTA_ST_CNTR_LOW = 0x02,
	OTA_ST_CNTR_HIGH = 0x03,
	OTA_ST_CNTR_BLOCKED = 0x04,
	OTA_ST_CIPHER_ERROR = 0x05,
	OTA_ST_SECURITY_ERROR = 0x06,	/* undefined security error */
	OTA_ST_NO_MEMORY = 0x07,
	OTA_ST_MORE_TIME = 0x08,
	OTA_ST_TAR_UNKNOWN = 0x09,
	OTA_ST_INSUFFICIENT_SECURITY = 0x0a,
	OTA_ST_IN_SMS_SUBMIT = 0x0b,	/* actual response sent by SMS-SUBMIT */
	OTA_ST_IN_USSD = 0x0c,		/* actual response sent by USSD */
};

/* Short name of a status, for logs and vsimctl ("ok", "counter low"...). */
const char *ota_status_name(uint8_t status);

/* The minimum security level a TAR demands (TS 102 226 §8.2.1.3.2.4.2). */
struct ota_msl {
	uint8_t check;		/* least OTA_CHECK_* (RC < CC) */
	bool cipher;		/* ciphering required */
	uint8_t counter;	/* least OTA_CNTR_* */
};

/* A command packet as the card sees it. */
struct ota_cmd {
	/* the clear header (ota_cmd_parse) */
	uint8_t spi[2];
	uint8_t kic, kid;
	uint8_t tar[3];
	/* after ota_cmd_open */
	uint8_t cntr[5];
	uint64_t counter;	/* cntr as a number */
	uint8_t pcntr;
	const uint8_t *data;	/* the secured data, padding removed */
	size_t data_len;
	/* checksum (if asked) verified: the PoR may be secured too */
	bool authentic;
};

/*
 * Read the clear header of a command packet. Returns 0, a PoR status
 * (the header named a TAR, so a PoR can say what is wrong), or -1 when
 * the packet is too short to name a TAR (no PoR is possible).
 */
int ota_cmd_parse(const uint8_t *pkt, size_t len, struct ota_cmd *c);

/* Does the command's SPI meet @msl? OTA_ST_OK or _INSUFFICIENT_SECURITY. */
uint8_t ota_cmd_check_msl(const struct ota_cmd *c, const struct ota_msl *msl);

/*
 * Decipher and verify a parsed command packet. @kic and @kid are the keys
 * the card holds at the KIc/KID key indexes (NULL: none); @re_counter is
 * the card's counter for them and @window, when not 0, the largest step
 * OTA_CNTR_HIGHER accepts. @buf (at least @len bytes) receives the clear
 * text; c->data points into it. Order (each refusal changes nothing):
 * keys 05/06, length 05/06, RC/CC 01, padding 05/06, counter 02/03/04.
 * Returns a PoR status; OTA_ST_OK means the caller should commit
 * ota_cmd_new_counter() (when ota_cmd_counts()) and then act on the data.
 */
uint8_t ota_cmd_open(struct ota_cmd *c, const uint8_t *pkt, size_t len,
		     const struct ota_key *kic, const struct ota_key *kid,
		     uint64_t re_counter, uint64_t window, uint8_t *buf);

/* Does an accepted command move the card's counter (modes 10 and 11)? */
bool ota_cmd_counts(const struct ota_cmd *c);

/* Will the card send a PoR for this status (SPI2 b2b1)? */
bool ota_cmd_wants_por(const struct ota_cmd *c, uint8_t status);

/*
 * Build the PoR for @c: UDH 02 71 00 then the response packet carrying
 * @resp (the additional response data). It is ciphered and checksummed as
 * SPI2 asks when the command was authentic and the keys exist; otherwise
 * it goes out plain (RHL 10), since an unauthenticated request must not
 * make the card produce ciphertext on demand. Returns the length or -1
 * (does not fit @max).
 */
ssize_t ota_por_build(const struct ota_cmd *c, uint8_t status,
		      const uint8_t *resp, size_t rlen,
		      const struct ota_key *kic, const struct ota_key *kid,
		      uint8_t *out, size_t max);

/* ---- the sending entity (server, tests) ---- */

/*
 * Build a command packet (CPL onwards, no UDH): ciphered, checksummed and
 * padded as @spi says, KIc/KID bytes as given. @kic/@kid may be NULL when
 * the SPI needs no key. Returns the length or -1.
 */
ssize_t ota_cmd_build(const uint8_t spi[2], uint8_t kic_b, uint8_t kid_b,
		      const uint8_t tar[3], uint64_t counter,
		      const struct ota_key *kic, const struct ota_key *kid,
		      const uint8_t *data, size_t len, uint8_t *out,
		      size_t max);

struct ota_por {
	uint8_t tar[3];
	uint64_t counter;
	uint8_t pcntr;
	uint8_t status;
	bool secured;		/* came ciphered/checksummed as the SPI asked */
	const uint8_t *data;	/* additional response data */
	size_t data_len;
};

/*
 * Open a PoR (starting with its UDH 02 71 00) for a command sent with
 * @spi, @kic_b and @kid_b. A PoR with RHL 10 where SPI2 asks for a checksum is
 * an unsecured error PoR: accepted with secured = false. Returns 0, or -1
 * when malformed or its checksum is wrong. @buf holds @len bytes.
 */
int ota_por_open(const uint8_t spi[2], uint8_t kic_b, uint8_t kid_b,
		 const struct ota_key *kic, const struct ota_key *kid,
		 const uint8_t *in, size_t len, uint8_t *buf,
		 struct ota_por *p);

#endif /* VSIM_OTA_PACKET_H */
