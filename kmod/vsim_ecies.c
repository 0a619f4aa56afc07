// SPDX-License-Identifier: GPL-2.0-only
/*
 * ECIES for SUCI in the kernel (TS 33.501 Annex C.3): the module's
 * ecies_conceal op, which the engine's GET IDENTITY (kmod/card/suci.c)
 * calls. ECDH through the crypto API's kpp ("curve25519" for profile A,
 * "ecdh-nist-p256" for profile B), so vsim.ko links no curve module and
 * loads without them; SHA-256 and AES from lib/crypto. At module init
 * each profile runs the Annex C.4 known answer with its fixed ephemeral
 * key (the only caller that passes one); a profile whose algorithm is
 * missing or whose answer is wrong stays off, and GET IDENTITY answers
 * 6A81 for it. /sys/module/vsim/parameters/ecies says which. A kernel
 * built without the kpp API or lib/crypto's SHA-256 (a minimal debug
 * kernel) gets the stubs at the end: the module loads, both profiles off.
 */
#include <linux/module.h>
#include <linux/random.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <crypto/aes.h>
#include <crypto/kpp.h>
#include <crypto/sha2.h>
#include <crypto/algapi.h>

#include "vsim_dev.h"

#define ECIES_KDF_OUT	64	/* AES-128 key, ICB, HMAC-SHA-256 key */
#define ECIES_MAC_LEN	8
#define ECIES_PLAIN_MAX	16	/* the MSIN: at most 10 digits, 5 bytes */

static char ecies_state[48] = "not initialised";
module_param_string(ecies, ecies_state, sizeof(ecies_state), 0444);
MODULE_PARM_DESC(ecies, "SUCI ECIES profiles and their init self-test (read-only)");

#if IS_ENABLED(CONFIG_CRYPTO_KPP) && IS_ENABLED(CONFIG_CRYPTO_LIB_SHA256)

/* One tfm per curve; its secret is per command, so one command at a time. */
static DEFINE_MUTEX(ecies_lock);
static struct crypto_kpp *ecies_tfm[3];		/* [VSIM_SUCI_PROFILE_A], [_B] */

/* The packed secret of ecdh-nist-p256 (crypto/ecdh_helper.c's layout). */
static unsigned int ecdh_secret(u8 *buf, const u8 *key, unsigned short len)
{
	struct kpp_secret hdr = {
		.type = CRYPTO_KPP_SECRET_TYPE_ECDH,
		.len = sizeof(hdr) + sizeof(len) + len,
	};

	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(buf + sizeof(hdr), &len, sizeof(len));
	if (len)
		memcpy(buf + sizeof(hdr) + sizeof(len), key, len);
	return hdr.len;
}

/**
 * ecies_ecdh() - an ephemeral key pair and the shared secret Z
 * @scheme: VSIM_SUCI_PROFILE_A or _B
 * @priv: 32-byte ephemeral private key, or NULL for a fresh one
 * @hn: the home network key (A: 32 bytes; B: 65, 04 x y)
 * @z: Z, 32 bytes (B: the x-coordinate)
 * @pub: the ephemeral public key (A: 32 bytes; B: 33, compressed)
 *
 * Called with ecies_lock held.
 * Return: the public key's length, or a negative errno.
 */
static int ecies_ecdh(u8 scheme, const u8 *priv, const u8 *hn, u8 *z, u8 *pub)
{
	struct crypto_kpp *tfm = ecies_tfm[scheme];
	bool b = scheme == VSIM_SUCI_PROFILE_B;
	unsigned int plen = b ? 64 : 32, slen;
	struct scatterlist src, dst;
	struct kpp_request *req;
	DECLARE_CRYPTO_WAIT(wait);
	u8 *buf;
	int ret, i;

	/* kpp reads and writes through scatterlists: heap, not stack */
	buf = kzalloc(3 * 64 + 8, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	if (!b) {
		/* the curve25519 kpp draws a fresh key for an empty secret */
		slen = priv ? 32 : 0;
		if (priv)
			memcpy(buf, priv, 32);
		ret = crypto_kpp_set_secret(tfm, buf, slen);
	} else if (priv) {
		slen = ecdh_secret(buf, priv, 32);
		ret = crypto_kpp_set_secret(tfm, buf, slen);
	} else {
		/*
		 * A scalar from get_random_bytes(), drawn again in the rare
		 * case it is outside [2, n-3]: ecdh's own key generation
		 * wants the crypto API's default RNG (a DRBG module).
		 */
		for (i = 0, ret = -EINVAL; i < 8 && ret == -EINVAL; i++) {
			get_random_bytes(buf + 128, 32);
			slen = ecdh_secret(buf, buf + 128, 32);
			ret = crypto_kpp_set_secret(tfm, buf, slen);
		}
		memzero_explicit(buf, 128 + 32);
	}
	if (ret)
		goto err_free_buf;
	req = kpp_request_alloc(tfm, GFP_KERNEL);
	if (!req) {
		ret = -ENOMEM;
		goto err_free_buf;
	}
	kpp_request_set_callback(req, CRYPTO_TFM_REQ_MAY_SLEEP, crypto_req_done, &wait);

	sg_init_one(&dst, buf + 64, plen);
	kpp_request_set_input(req, NULL, 0);
	kpp_request_set_output(req, &dst, plen);
	ret = crypto_wait_req(crypto_kpp_generate_public_key(req), &wait);
	if (ret)
		goto err_free_req;

	memcpy(buf + 128, b ? hn + 1 : hn, plen);
	sg_init_one(&src, buf + 128, plen);
	sg_init_one(&dst, buf, 32);
	kpp_request_set_input(req, &src, plen);
	kpp_request_set_output(req, &dst, 32);
	ret = crypto_wait_req(crypto_kpp_compute_shared_secret(req), &wait);
	if (ret)
		goto err_free_req;
	memcpy(z, buf, 32);
	if (b) {
		/* SEC1 §2.3.3 point compression: 02/03 by the parity of y */
		pub[0] = 0x02 | (buf[64 + 63] & 1);
		memcpy(pub + 1, buf + 64, 32);
		ret = 33;
	} else {
		memcpy(pub, buf + 64, 32);
		ret = 32;
	}
err_free_req:
	kpp_request_free(req);
err_free_buf:
	kfree_sensitive(buf);
	return ret;
}

/* ANSI X9.63 KDF with SHA-256, SharedInfo1 = the ephemeral public key. */
static void ecies_kdf(const u8 z[32], const u8 *pub, unsigned int plen,
		      u8 out[ECIES_KDF_OUT])
{
	struct sha256_state s;
	u8 cnt[4] = { 0, 0, 0, 0 };
	int i;

	for (i = 0; i < ECIES_KDF_OUT / SHA256_DIGEST_SIZE; i++) {
		cnt[3] = i + 1;
		sha256_init(&s);
		sha256_update(&s, z, 32);
		sha256_update(&s, cnt, sizeof(cnt));
		sha256_update(&s, pub, plen);
		sha256_final(&s, out + i * SHA256_DIGEST_SIZE);
	}
}

/* HMAC-SHA-256 (RFC 2104) with a 32-byte key. */
static void ecies_hmac(const u8 key[32], const u8 *msg, unsigned int len,
		       u8 mac[SHA256_DIGEST_SIZE])
{
	u8 pad[SHA256_BLOCK_SIZE];
	struct sha256_state s;
	int i;

	for (i = 0; i < SHA256_BLOCK_SIZE; i++)
		pad[i] = (i < 32 ? key[i] : 0) ^ 0x36;
	sha256_init(&s);
	sha256_update(&s, pad, sizeof(pad));
	sha256_update(&s, msg, len);
	sha256_final(&s, mac);
	for (i = 0; i < SHA256_BLOCK_SIZE; i++)
		pad[i] ^= 0x36 ^ 0x5c;
	sha256_init(&s);
	sha256_update(&s, pad, sizeof(pad));
	sha256_update(&s, mac, SHA256_DIGEST_SIZE);
	sha256_final(&s, mac);
	memzero_explicit(pad, sizeof(pad));
}

static int ecies_conceal(u8 scheme, const u8 *priv, const u8 *hn, size_t hn_len,
			 const u8 *plain, size_t plain_len, u8 *out, size_t max)
{
	u8 z[32], k[ECIES_KDF_OUT], ks[AES_BLOCK_SIZE], mac[SHA256_DIGEST_SIZE];
	struct crypto_aes_ctx aes;
	size_t i, total;
	int plen;

	if (scheme != VSIM_SUCI_PROFILE_A && scheme != VSIM_SUCI_PROFILE_B)
		return -EINVAL;
	if (hn_len != (scheme == VSIM_SUCI_PROFILE_A ? 32 : 65) ||
	    (scheme == VSIM_SUCI_PROFILE_B && hn[0] != 0x04) ||
	    !plain_len || plain_len > ECIES_PLAIN_MAX)
		return -EINVAL;
	total = (scheme == VSIM_SUCI_PROFILE_A ? 32 : 33) + plain_len + ECIES_MAC_LEN;
	if (total > max)
		return -ENOSPC;
	mutex_lock(&ecies_lock);
	if (!ecies_tfm[scheme]) {
		mutex_unlock(&ecies_lock);
		return -EOPNOTSUPP;
	}
	plen = ecies_ecdh(scheme, priv, hn, z, out);
	mutex_unlock(&ecies_lock);
	if (plen < 0)
		return plen;
	ecies_kdf(z, out, plen, k);
	/* AES-128-CTR: one block covers the MSIN; the ICB is the counter */
	aes_expandkey(&aes, k, 16);
	aes_encrypt(&aes, ks, k + 16);
	for (i = 0; i < plain_len; i++)
		out[plen + i] = plain[i] ^ ks[i];
	ecies_hmac(k + 32, out + plen, plain_len, mac);
	memcpy(out + plen + plain_len, mac, ECIES_MAC_LEN);
	memzero_explicit(z, sizeof(z));
	memzero_explicit(k, sizeof(k));
	memzero_explicit(ks, sizeof(ks));
	memzero_explicit(&aes, sizeof(aes));
	return total;
}

/**
 * vsim_ecies_conceal() - the engine's ecies_conceal op
 * @priv: the card (unused: the curves are the module's)
 * @scheme: VSIM_SUCI_PROFILE_A or _B
 * @hn: the home network public key
 * @hn_len: its length (A: 32, B: 65)
 * @plain: the scheme input (the MSIN in BCD)
 * @plain_len: its length
 * @out: ephemeral public key || ciphertext || MAC
 * @max: room in @out
 *
 * Return: the bytes written, -EOPNOTSUPP when the scheme's curve is not
 * available (6A81), or another negative errno (6F00).
 */
int vsim_ecies_conceal(void *priv, u8 scheme, const u8 *hn, size_t hn_len,
		       const u8 *plain, size_t plain_len, u8 *out, size_t max)
{
	return ecies_conceal(scheme, NULL, hn, hn_len, plain, plain_len, out, max);
}

/* TS 33.501 Annex C.4.3 (A) and C.4.4 (B): MSIN 001002086 */
static const u8 kat_plain[] = { 0x00, 0x01, 0x20, 0x80, 0xf6 };

static const struct {
	u8 eph_priv[32];
	u8 hn[65];
	u8 hn_len;
	u8 out[33 + 5 + 8];
	u8 out_len;
} kat[3] = {
	[VSIM_SUCI_PROFILE_A] = {
		.eph_priv = {
			0xc8, 0x09, 0x49, 0xf1, 0x3e, 0xbe, 0x61, 0xaf, 0x4e, 0xbd, 0xbd, 0x29,
			0x3e, 0xa4, 0xf9, 0x42, 0x69, 0x6b, 0x9e, 0x81, 0x5d, 0x7e, 0x8f, 0x00,
			0x96, 0xbb, 0xf6, 0xed, 0x7d, 0xe6, 0x22, 0x56 },
		.hn = {
			0x5a, 0x8d, 0x38, 0x86, 0x48, 0x20, 0x19, 0x7c, 0x33, 0x94, 0xb9, 0x26,
			0x13, 0xb2, 0x0b, 0x91, 0x63, 0x3c, 0xbd, 0x89, 0x71, 0x19, 0x27, 0x3b,
			0xf8, 0xe4, 0xa6, 0xf4, 0xee, 0xc0, 0xa6, 0x50 },
		.hn_len = 32,
		.out = {
			0xb2, 0xe9, 0x2f, 0x83, 0x60, 0x55, 0xa2, 0x55, 0x83, 0x7d, 0xeb, 0xf8,
			0x50, 0xb5, 0x28, 0x99, 0x7c, 0xe0, 0x20, 0x1c, 0xb8, 0x2a, 0xdf, 0xe4,
			0xbe, 0x1f, 0x58, 0x7d, 0x07, 0xd8, 0x45, 0x7d,
			0xcb, 0x02, 0x35, 0x24, 0x10,
			0xcd, 0xdd, 0x9e, 0x73, 0x0e, 0xf3, 0xfa, 0x87 },
		.out_len = 32 + 5 + 8,
	},
	[VSIM_SUCI_PROFILE_B] = {
		.eph_priv = {
			0x99, 0x79, 0x88, 0x58, 0xa1, 0xdc, 0x6a, 0x2c, 0x68, 0x63, 0x71, 0x49,
			0xa4, 0xb1, 0xdb, 0xfd, 0x1f, 0xdf, 0xf5, 0xad, 0xdd, 0x62, 0xa2, 0x14,
			0x2f, 0x06, 0x69, 0x9e, 0xd7, 0x60, 0x25, 0x29 },
		.hn = {
			0x04,
			0x72, 0xda, 0x71, 0x97, 0x62, 0x34, 0xce, 0x83, 0x3a, 0x69, 0x07, 0x42,
			0x58, 0x67, 0xb8, 0x2e, 0x07, 0x4d, 0x44, 0xef, 0x90, 0x7d, 0xfb, 0x4b,
			0x3e, 0x21, 0xc1, 0xc2, 0x25, 0x6e, 0xbc, 0xd1,
			0x5a, 0x7d, 0xed, 0x52, 0xfc, 0xbb, 0x09, 0x7a, 0x4e, 0xd2, 0x50, 0xe0,
			0x36, 0xc7, 0xb9, 0xc8, 0xc7, 0x00, 0x4c, 0x4e, 0xed, 0xc4, 0xf0, 0x68,
			0xcd, 0x7b, 0xf8, 0xd3, 0xf9, 0x00, 0xe3, 0xb4 },
		.hn_len = 65,
		.out = {
			0x03, 0x9a, 0xab, 0x83, 0x76, 0x59, 0x70, 0x21, 0xe8, 0x55, 0x67, 0x9a,
			0x97, 0x78, 0xea, 0x0b, 0x67, 0x39, 0x6e, 0x68, 0xc6, 0x6d, 0xf3, 0x2c,
			0x0f, 0x41, 0xe9, 0xac, 0xca, 0x2d, 0xa9, 0xb9, 0xd1,
			0x46, 0xa3, 0x3f, 0xc2, 0x71,
			0x6a, 0xc7, 0xda, 0xe9, 0x6a, 0xa3, 0x0a, 0x4d },
		.out_len = 33 + 5 + 8,
	},
};

/* Allocate the curve and run its known answer; "ok", "absent" or "FAILED". */
static const char *ecies_init_one(u8 scheme, const char *alg)
{
	u8 out[sizeof(kat[0].out)];
	struct crypto_kpp *tfm;
	int n;

	tfm = crypto_alloc_kpp(alg, 0, 0);
	if (IS_ERR(tfm))
		return "absent";
	ecies_tfm[scheme] = tfm;
	n = ecies_conceal(scheme, kat[scheme].eph_priv, kat[scheme].hn,
			  kat[scheme].hn_len, kat_plain, sizeof(kat_plain), out,
			  sizeof(out));
	if (n == kat[scheme].out_len && !crypto_memneq(out, kat[scheme].out, n))
		return "ok";
	pr_err("vsim: SUCI ECIES profile %c fails the TS 33.501 Annex C.4 known answer (%d): off\n",
	       'A' + scheme - 1, n);
	ecies_tfm[scheme] = NULL;
	crypto_free_kpp(tfm);
	return "FAILED";
}

/**
 * vsim_ecies_init() - set up both profiles and self-test them
 *
 * Never fails: a profile that cannot run stays off (GET IDENTITY 6A81).
 */
void vsim_ecies_init(void)
{
	const char *a = ecies_init_one(VSIM_SUCI_PROFILE_A, "curve25519");
	const char *b = ecies_init_one(VSIM_SUCI_PROFILE_B, "ecdh-nist-p256");

	snprintf(ecies_state, sizeof(ecies_state), "A:%s B:%s", a, b);
}

/**
 * vsim_ecies_exit() - free the curves
 */
void vsim_ecies_exit(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(ecies_tfm); i++) {
		if (ecies_tfm[i])
			crypto_free_kpp(ecies_tfm[i]);
		ecies_tfm[i] = NULL;
	}
}

#else	/* no kpp or no lib/crypto SHA-256 in this kernel */

int vsim_ecies_conceal(void *priv, u8 scheme, const u8 *hn, size_t hn_len,
		       const u8 *plain, size_t plain_len, u8 *out, size_t max)
{
	return -EOPNOTSUPP;
}

void vsim_ecies_init(void)
{
	snprintf(ecies_state, sizeof(ecies_state), "A:absent B:absent");
}

void vsim_ecies_exit(void)
{
}

#endif
