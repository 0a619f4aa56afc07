/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The home network's side of SUCI for tests: a SIDF (TS 33.501 §6.12.2)
 * that de-conceals ECIES scheme output with the home network private key.
 * Written apart from the card's agent/common/host_ecies.c, on other
 * OpenSSL interfaces (EVP_PKEY_fromdata, the KDF by hand with EVP_Digest,
 * HMAC()), so that the two check each other.
 */
#ifndef VSIM_TEST_SIDF_H
#define VSIM_TEST_SIDF_H

#include <stddef.h>
#include <stdint.h>

/*
 * De-conceal @out (ephemeral public key || ciphertext || 8-byte MAC) of
 * @scheme (1: profile A, 2: profile B) with the 32-byte private key
 * @hn_priv. 0 and the scheme input in @plain (@plain_len bytes), -1 when
 * the MAC does not match or the input is malformed.
 */
int sidf_deconceal(int scheme, const uint8_t hn_priv[32], const uint8_t *out,
		   size_t out_len, uint8_t *plain, size_t *plain_len);

/* A fresh home network key pair: private key, public key (A: 32, B: 65). */
int sidf_keygen(int scheme, uint8_t priv[32], uint8_t *pub, size_t *pub_len);

#endif /* VSIM_TEST_SIDF_H */
