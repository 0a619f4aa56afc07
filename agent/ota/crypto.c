// SPDX-License-Identifier: GPL-2.0-only
/*
 * Secured-packet primitives over OpenSSL 3 (see ota/crypto.h). Single DES
 * is run as 3DES with K1 = K2 = K3: E(K, D(K, E(K, x))) = E(K, x), so the
 * default provider suffices and the process never loads OpenSSL's legacy
 * provider (which would make every weak algorithm available to every
 * caller). The tests check the equivalence against `openssl enc -des-cbc
 * -provider legacy`.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "ota/crypto.h"

int ota_algo_from_coding(uint8_t coding, bool for_kid, bool rc)
{
	uint8_t n = coding & 0x0f;

	if (n == 0)
		return OTA_ALG_NONE;		/* implicit: known to both ends */
	if (rc) {			/* §5.1.3.2: b2b1 01 CRC, b4b3 the kind */
		switch (n) {
		case 0x1: return OTA_ALG_CRC16;
		case 0x5: return OTA_ALG_CRC32;
		default: return -1;	/* proprietary or reserved */
		}
	}
	switch (n) {		/* §5.1.2 (KIc), §5.1.3.1 (KID for CC) */
	case 0x1: return OTA_ALG_DES;	/* DES in CBC mode */
	case 0x5: return OTA_ALG_3DES2;
	case 0x9: return OTA_ALG_3DES3;
	case 0x2: return OTA_ALG_AES;	/* KIc: AES-CBC; KID: AES-CMAC */
	default:
		/* 0xD (DES-ECB, KIc only), proprietary 3, reserved codings */
		(void)for_kid;
		return -1;
	}
}

size_t ota_block_size(enum ota_algo algo)
{
	switch (algo) {
	case OTA_ALG_DES:
	case OTA_ALG_3DES2:
	case OTA_ALG_3DES3:
		return 8;
	case OTA_ALG_AES:
		return 16;
	default:
		return 0;
	}
}

bool ota_key_len_ok(enum ota_algo algo, size_t len)
{
	switch (algo) {
	case OTA_ALG_DES:
		return len == 8;
	case OTA_ALG_3DES2:
		return len == 16;
	case OTA_ALG_3DES3:
		return len == 24;
	case OTA_ALG_AES:
		return len == 16 || len == 24 || len == 32;
	case OTA_ALG_CRC16:
	case OTA_ALG_CRC32:
		return len == 0;
	default:
		return false;
	}
}

/* The OpenSSL cipher and the key bytes it takes for one of our keys. */
static const char *cbc_name(const struct ota_key *k, uint8_t *key)
{
	switch (k->algo) {
	case OTA_ALG_DES:	/* K1 = K2 = K3 (file header) */
		memcpy(key, k->key, 8);
		memcpy(key + 8, k->key, 8);
		memcpy(key + 16, k->key, 8);
		return "DES-EDE3-CBC";
	case OTA_ALG_3DES2:
		memcpy(key, k->key, 16);
		return "DES-EDE-CBC";
	case OTA_ALG_3DES3:
		memcpy(key, k->key, 24);
		return "DES-EDE3-CBC";
	case OTA_ALG_AES:
		memcpy(key, k->key, k->len);
		return k->len == 16 ? "AES-128-CBC" :
		       k->len == 24 ? "AES-192-CBC" : "AES-256-CBC";
	default:
		return NULL;
	}
}

int ota_cbc(const struct ota_key *k, bool encrypt, const uint8_t *in,
	    size_t len, uint8_t *out)
{
	uint8_t key[OTA_KEY_MAX], iv[16] = { 0 };
	size_t bs = ota_block_size(k->algo);
	EVP_CIPHER_CTX *ctx = NULL;
	EVP_CIPHER *cipher = NULL;
	const char *name;
	int ret = -1, n = 0, f = 0;

	if (!bs || !ota_key_len_ok(k->algo, k->len) || len % bs ||
	    len > (size_t)0x7fffffff)
		return -1;
	name = cbc_name(k, key);
	cipher = EVP_CIPHER_fetch(NULL, name, NULL);
	ctx = EVP_CIPHER_CTX_new();
	if (!cipher || !ctx)
		goto out;
	if (!EVP_CipherInit_ex2(ctx, cipher, key, iv, encrypt ? 1 : 0, NULL) ||
	    !EVP_CIPHER_CTX_set_padding(ctx, 0))
		goto out;
	if (len && !EVP_CipherUpdate(ctx, out, &n, in, (int)len))
		goto out;
	if (!EVP_CipherFinal_ex(ctx, out + n, &f) || (size_t)(n + f) != len)
		goto out;
	ret = 0;
out:
	EVP_CIPHER_CTX_free(ctx);	/* clears the key schedule */
	EVP_CIPHER_free(cipher);
	OPENSSL_cleanse(key, sizeof(key));
	return ret;
}

/* DES/3DES CBC-MAC: CBC over the zero-padded data, one block at a time. */
static int cbc_mac(const struct ota_key *k, const uint8_t *data, size_t len,
		   uint8_t out[OTA_CC_LEN])
{
	uint8_t chain[8] = { 0 }, block[8];
	size_t i, j;
	int ret = 0;

	/* an empty message is one block of padding (ISO 9797-1 method 1) */
	for (i = 0; i < len || (i == 0 && len == 0); i += 8) {
		for (j = 0; j < 8; j++)
			block[j] = chain[j] ^ (i + j < len ? data[i + j] : 0);
		if (ota_cbc(k, true, block, 8, chain)) {
			ret = -1;
			break;
		}
	}
	memcpy(out, chain, OTA_CC_LEN);
	OPENSSL_cleanse(block, sizeof(block));
	OPENSSL_cleanse(chain, sizeof(chain));
	return ret;
}

static int aes_cmac(const struct ota_key *k, const uint8_t *data, size_t len,
		    uint8_t out[OTA_CC_LEN])
{
	char cipher[16];
	OSSL_PARAM params[2];
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "CMAC", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	uint8_t full[16];
	size_t n = 0;
	int ret = -1;

	snprintf(cipher, sizeof(cipher), "AES-%u-CBC", k->len * 8u);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER,
						     cipher, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!ctx || !EVP_MAC_init(ctx, k->key, k->len, params) ||
	    !EVP_MAC_update(ctx, data, len) ||
	    !EVP_MAC_final(ctx, full, &n, sizeof(full)) || n != sizeof(full))
		goto out;
	memcpy(out, full, OTA_CC_LEN);
	ret = 0;
out:
	OPENSSL_cleanse(full, sizeof(full));
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return ret;
}

int ota_cc(const struct ota_key *k, const uint8_t *data, size_t len,
	   uint8_t out[OTA_CC_LEN])
{
	if (!ota_key_len_ok(k->algo, k->len))
		return -1;
	switch (k->algo) {
	case OTA_ALG_DES:
	case OTA_ALG_3DES2:
	case OTA_ALG_3DES3:
		return cbc_mac(k, data, len, out);
	case OTA_ALG_AES:
		return aes_cmac(k, data, len, out);
	default:
		return -1;
	}
}

uint16_t ota_crc16(const uint8_t *data, size_t len)
{
	uint16_t crc = 0xffff;
	size_t i;
	int b;

	for (i = 0; i < len; i++) {
		crc ^= data[i];
		for (b = 0; b < 8; b++)
			crc = (crc & 1) ? (crc >> 1) ^ 0x8408 : crc >> 1;
	}
	return crc ^ 0xffff;
}

uint32_t ota_crc32(const uint8_t *data, size_t len)
{
	uint32_t crc = 0xffffffff;
	size_t i;
	int b;

	for (i = 0; i < len; i++) {
		crc ^= data[i];
		for (b = 0; b < 8; b++)
			crc = (crc & 1) ? (crc >> 1) ^ 0xedb88320u : crc >> 1;
	}
	return crc ^ 0xffffffff;
}

bool ota_equal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

void ota_key_wipe(struct ota_key *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}
