/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Userspace crypto for the card engine: AES-128 (one block, ECB, via
 * OpenSSL 3 EVP) usable as a vsim_aes_fn, and random bytes.
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

#endif /* VSIM_HOST_CRYPTO_H */
