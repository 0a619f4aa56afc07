/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The cryptographic primitives of secured packets (ETSI TS 102 225 §5.1.2,
 * §5.1.3): block ciphering in CBC mode with a zero IV, cryptographic
 * checksums (DES/3DES CBC-MAC, AES-CMAC) and redundancy checks (CRC16,
 * CRC32). OpenSSL 3 EVP does the block cipher work; ota/packet.c decides
 * what is ciphered and checked. Keys pass through, never into a log.
 */
#ifndef VSIM_OTA_CRYPTO_H
#define VSIM_OTA_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Algorithms a key can be for (the agent's view of the KIc/KID coding). */
enum ota_algo {
	OTA_ALG_NONE = 0,
	OTA_ALG_DES,		/* DES-CBC, 8-byte key */
	OTA_ALG_3DES2,		/* 3DES outer CBC, 2 keys (16 bytes) */
	OTA_ALG_3DES3,		/* 3DES outer CBC, 3 keys (24 bytes) */
	OTA_ALG_AES,		/* AES-CBC / AES-CMAC, 16, 24 or 32 bytes */
	OTA_ALG_CRC16,		/* redundancy check, no key */
	OTA_ALG_CRC32,
};

#define OTA_KEY_MAX	32
#define OTA_CC_LEN	8	/* TS 102 225 §5.1.3.1: an 8-byte CC */

/* One key with the algorithm it serves. Secret: wipe with ota_key_wipe(). */
struct ota_key {
	enum ota_algo algo;
	uint8_t len;
	uint8_t key[OTA_KEY_MAX];
};

/*
 * The algorithm a KIc (@for_kid false) or KID (@for_kid true, with @rc
 * for a redundancy check) coding names, TS 102 225 §5.1.2 / §5.1.3:
 * low nibble b2b1 = family (01 DES, 10 AES), b4b3 = mode. Returns
 * OTA_ALG_NONE for "implicit" (0) and -1 for codings vsim does not
 * implement (DES-ECB, proprietary, reserved).
 */
int ota_algo_from_coding(uint8_t coding, bool for_kid, bool rc);

/* Block size of a ciphering algorithm (8 or 16), 0 for the others. */
size_t ota_block_size(enum ota_algo algo);

/* Is @len a key length @algo accepts? */
bool ota_key_len_ok(enum ota_algo algo, size_t len);

/*
 * CBC with a zero IV and no padding (TS 102 225 §5.1.2): @len must be a
 * multiple of the block size. @out may equal @in. 0, or -1 on a wrong
 * length or key, or an OpenSSL failure.
 */
int ota_cbc(const struct ota_key *k, bool encrypt, const uint8_t *in,
	    size_t len, uint8_t *out);

/*
 * Cryptographic checksum, TS 102 225 §5.1.3.1: DES/3DES in CBC mode over
 * the data zero-padded to 8 bytes (the padding is not sent), last block;
 * AES: CMAC (NIST SP 800-38B), the leftmost 8 bytes. 0 or -1.
 */
int ota_cc(const struct ota_key *k, const uint8_t *data, size_t len,
	   uint8_t out[OTA_CC_LEN]);

/*
 * Redundancy checks, TS 102 225 §5.1.3.2 (ISO/IEC 13239): CRC-16 with
 * polynomial 1021 reflected, initial FFFF, final XOR FFFF (check value of
 * "123456789" 906E); CRC-32 polynomial 04C11DB7 reflected, initial and
 * final XOR FFFFFFFF (check value CBF43926). Sent most significant byte
 * first.
 */
uint16_t ota_crc16(const uint8_t *data, size_t len);
uint32_t ota_crc32(const uint8_t *data, size_t len);

/* Constant-time equality of two byte strings of the same length. */
bool ota_equal(const void *a, const void *b, size_t len);

/* Zeroise a key so no copy of it lingers. */
void ota_key_wipe(struct ota_key *k);

#endif /* VSIM_OTA_CRYPTO_H */
