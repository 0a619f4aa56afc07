// SPDX-License-Identifier: GPL-2.0-only
/*
 * AES-128 block encryption and random bytes for the card engine when it
 * runs in userspace, on top of OpenSSL 3 EVP.
 */
#include <stdlib.h>
#include <limits.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "common/host_crypto.h"

struct vsim_host_aes {
	EVP_CIPHER_CTX *ctx;
};

struct vsim_host_aes *vsim_host_aes_new(void)
{
	struct vsim_host_aes *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->ctx = EVP_CIPHER_CTX_new();
	if (!a->ctx) {
		free(a);
		return NULL;
	}
	return a;
}

void vsim_host_aes_free(struct vsim_host_aes *a)
{
	if (!a)
		return;
	EVP_CIPHER_CTX_free(a->ctx);	/* cleanses the key schedule */
	vsim_wipe(a, sizeof(*a));
	free(a);
}

int vsim_host_aes_setkey(struct vsim_host_aes *a, const u8 key[16])
{
	if (EVP_EncryptInit_ex(a->ctx, EVP_aes_128_ecb(), NULL, key,
			       NULL) != 1)
		return -EIO;
	if (EVP_CIPHER_CTX_set_padding(a->ctx, 0) != 1)
		return -EIO;
	return 0;
}

void vsim_host_aes_encrypt(void *ctx, const u8 in[16], u8 out[16])
{
	struct vsim_host_aes *a = ctx;
	int len = 0;

	if (EVP_EncryptUpdate(a->ctx, out, &len, in, 16) != 1 || len != 16)
		memset(out, 0, 16);
}

int vsim_host_random(u8 *buf, size_t len)
{
	while (len) {
		int n = len > INT_MAX ? INT_MAX : (int)len;

		if (RAND_bytes(buf, n) != 1)
			return -EIO;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}
