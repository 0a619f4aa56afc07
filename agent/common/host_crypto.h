/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace crypto for the card engine: AES-128 (one block, ECB, via
 * OpenSSL 3 EVP) usable as a vsim_aes_fn, random bytes, and the ECIES
 * protection schemes of SUCI (TS 33.501 Annex C.3) for GET IDENTITY.
 */
#ifndef VSIM_HOST_CRYPTO_H
#define VSIM_HOST_CRYPTO_H

#include "port.h"

struct vsim_host_aes;

/* Returns NULL on allocation failure. */
struct vsim_host_aes *vsim_host_aes_new(void);
/* Frees and wipes the key schedule; NULL is a no-op. */
void vsim_host_aes_free(struct vsim_host_aes *a);
/* Keys the context with K; 0 on success, -EIO on an OpenSSL failure. */
int vsim_host_aes_setkey(struct vsim_host_aes *a, const u8 key[16]);
/*
 * vsim_aes_fn-compatible: ctx is a struct vsim_host_aes *. On an OpenSSL
 * failure (never expected) out is zero-filled.
 */
void vsim_host_aes_encrypt(void *ctx, const u8 in[16], u8 out[16]);

/* Cryptographically secure random bytes; 0 on success, -EIO on failure. */
int vsim_host_random(u8 *buf, size_t len);

/* ECIES scheme output: ephemeral public key, ciphertext, 8-byte MAC tag. */
#define VSIM_ECIES_MAC_LEN	8

/*
 * Is @key a home network public key for @scheme (VSIM_SUCI_PROFILE_A: 32
 * bytes, RFC 7748; _B: a SEC1 point on secp256r1, 33 or 65 bytes)? NULL
 * when it is, with the key as the image holds it in @norm (A: as given;
 * B: uncompressed, 65 bytes, which the kernel's ECDH takes); else why not.
 */
const char *vsim_host_ecies_key_check(u8 scheme, const u8 *key, size_t len,
				      u8 norm[65], size_t *norm_len);

/*
 * TS 33.501 Annex C.3.2: conceal @plain for home network key @hn_key with
 * a fresh ephemeral key pair (profile A: X25519; B: secp256r1, compressed
 * public key). Writes ephemeral public key || AES-128-CTR ciphertext ||
 * HMAC-SHA-256/64 tag to @out. Returns its length, -EINVAL for a bad
 * scheme or key, -ENOSPC when @max is too small, -EIO on an OpenSSL failure.
 */
int vsim_host_ecies_conceal(u8 scheme, const u8 *hn_key, size_t hn_len,
			    const u8 *plain, size_t plain_len, u8 *out,
			    size_t max);

/*
 * The same with the ephemeral private key given (32 bytes): for the
 * known-answer tests of Annex C.4 only. No card command reaches it.
 */
int vsim_host_ecies_conceal_fixed(u8 scheme, const u8 eph_priv[32],
				  const u8 *hn_key, size_t hn_len,
				  const u8 *plain, size_t plain_len, u8 *out,
				  size_t max);

#endif /* VSIM_HOST_CRYPTO_H */
