// SPDX-License-Identifier: GPL-2.0-only
/*
 * ECIES for SUCI (TS 33.501 Annex C.3) on OpenSSL 3: the card's side of
 * GET IDENTITY (TS 31.102 §7.5) when the engine runs in userspace. The
 * engine builds the SUCI around it (kmod/card/suci.c); this file only
 * conceals the scheme input for the home network's public key.
 *
 * Both profiles (Annex C.3.4): ECDH on the curve gives Z; ANSI X9.63 KDF
 * with SHA-256 and SharedInfo1 = the ephemeral public key stretches it to
 * 64 bytes: AES-128 key, CTR initial counter block, HMAC-SHA-256 key; the
 * MAC over the ciphertext is cut to 8 bytes.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/obj_mac.h>
#include <openssl/params.h>

#include <linux/vsim.h>

#include "common/host_crypto.h"

#define ECIES_ENC_KEY	16	/* enckeylen: AES-128 */
#define ECIES_ICB	16	/* icblen */
#define ECIES_MAC_KEY	32	/* mackeylen: HMAC-SHA-256 */
#define ECIES_KDF_OUT	(ECIES_ENC_KEY + ECIES_ICB + ECIES_MAC_KEY)
#define ECIES_SCALAR	32	/* private keys of both curves */
#define ECIES_MAX_PUB	33	/* X25519 32, compressed P-256 33 */

/* Profile B: the home network key as a point of secp256r1, or NULL. */
static EC_POINT *p256_point(const EC_GROUP *g, const u8 *key, size_t len,
			    BN_CTX *bn)
{
	EC_POINT *pt = EC_POINT_new(g);

	if (!pt)
		return NULL;
	if ((len != 33 && len != 65) ||
	    (len == 33 && key[0] != 0x02 && key[0] != 0x03) ||
	    (len == 65 && key[0] != 0x04) ||
	    EC_POINT_oct2point(g, pt, key, len, bn) != 1 ||
	    EC_POINT_is_at_infinity(g, pt)) {
		EC_POINT_free(pt);
		return NULL;
	}
	return pt;
}

const char *vsim_host_ecies_key_check(u8 scheme, const u8 *key, size_t len,
				      u8 norm[65], size_t *norm_len)
{
	const char *why = NULL;
	EC_GROUP *g;
	EC_POINT *pt;
	BN_CTX *bn;

	switch (scheme) {
	case VSIM_SUCI_PROFILE_A:
		/* RFC 7748 §5: every 32-byte string is a u-coordinate */
		if (len != 32)
			return "profile A (X25519) wants 32 bytes (64 hex digits)";
		memcpy(norm, key, 32);
		*norm_len = 32;
		return NULL;
	case VSIM_SUCI_PROFILE_B:
		if (len != 33 && len != 65)
			return "profile B (secp256r1) wants a SEC1 point: 33 bytes (02/03 + x) or 65 (04 + x + y)";
		g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
		bn = BN_CTX_new();
		pt = g && bn ? p256_point(g, key, len, bn) : NULL;
		if (!g || !bn)
			why = "cannot check the point (OpenSSL failure)";
		else if (!pt)
			why = "not a point of secp256r1";
		else if (EC_POINT_point2oct(g, pt, POINT_CONVERSION_UNCOMPRESSED, norm, 65,
					    bn) != 65)
			why = "cannot encode the point (OpenSSL failure)";
		else
			*norm_len = 65;
		EC_POINT_free(pt);
		BN_CTX_free(bn);
		EC_GROUP_free(g);
		return why;
	default:
		return "unknown protection scheme";
	}
}

/* Profile A: Z and the ephemeral public key from the ephemeral private key. */
static int x25519_shared(const u8 *priv, const u8 *hn, size_t hn_len,
			 u8 z[32], u8 *pub, size_t *pub_len)
{
	EVP_PKEY *eph = NULL, *peer = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	size_t zl = 32, pl = 32;
	int ret = -EIO;

	if (hn_len != 32)
		return -EINVAL;
	eph = priv ? EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, 32) :
		     EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, hn, 32);
	if (!eph || !peer)
		goto out;
	ctx = EVP_PKEY_CTX_new(eph, NULL);
	if (!ctx || EVP_PKEY_derive_init(ctx) != 1 ||
	    EVP_PKEY_derive_set_peer(ctx, peer) != 1 ||
	    EVP_PKEY_derive(ctx, z, &zl) != 1 || zl != 32 ||
	    EVP_PKEY_get_raw_public_key(eph, pub, &pl) != 1 || pl != 32)
		goto out;
	*pub_len = 32;
	ret = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(peer);
	EVP_PKEY_free(eph);
	return ret;
}

/*
 * Profile B: Z = x(d * HN) and the compressed d * G (Annex C.3.4.2 uses
 * point compression for the ephemeral key), with d given or drawn from
 * [1, n-1].
 */
static int p256_shared(const u8 *priv, const u8 *hn, size_t hn_len,
		       u8 z[32], u8 *pub, size_t *pub_len)
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	BN_CTX *bn = BN_CTX_secure_new();
	EC_POINT *peer = NULL, *s = NULL, *q = NULL;
	BIGNUM *d = NULL, *x = NULL;
	int ret = -EIO;

	if (!g || !bn)
		goto out;
	BN_CTX_start(bn);
	d = BN_CTX_get(bn);
	x = BN_CTX_get(bn);
	if (!x)
		goto out;
	peer = p256_point(g, hn, hn_len, bn);
	if (!peer) {
		ret = -EINVAL;
		goto out;
	}
	if (priv) {
		if (!BN_bin2bn(priv, 32, d) || BN_is_zero(d) ||
		    BN_cmp(d, EC_GROUP_get0_order(g)) >= 0) {
			ret = -EINVAL;
			goto out;
		}
	} else {
		do {
			if (BN_priv_rand_range(d, EC_GROUP_get0_order(g)) != 1)
				goto out;
		} while (BN_is_zero(d));
	}
	s = EC_POINT_new(g);
	q = EC_POINT_new(g);
	if (!s || !q ||
	    EC_POINT_mul(g, s, NULL, peer, d, bn) != 1 ||
	    EC_POINT_is_at_infinity(g, s) ||
	    EC_POINT_get_affine_coordinates(g, s, x, NULL, bn) != 1 ||
	    BN_bn2binpad(x, z, 32) != 32 ||
	    EC_POINT_mul(g, q, d, NULL, NULL, bn) != 1 ||
	    EC_POINT_point2oct(g, q, POINT_CONVERSION_COMPRESSED, pub, 33,
			       bn) != 33)
		goto out;
	*pub_len = 33;
	ret = 0;
out:
	EC_POINT_free(q);
	EC_POINT_clear_free(s);
	EC_POINT_free(peer);
	if (bn) {
		if (d)
			BN_clear(d);
		BN_CTX_end(bn);
	}
	BN_CTX_free(bn);
	EC_GROUP_free(g);
	return ret;
}

/* ANSI X9.63 KDF, SHA-256, SharedInfo = the ephemeral public key (C.3.4). */
static int x963_kdf(const u8 z[32], const u8 *info, size_t info_len,
		    u8 out[ECIES_KDF_OUT])
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_X963KDF, NULL);
	EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM params[4];
	int ret = -EIO;

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						     (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
						      (void *)z, 32);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
						      (void *)info, info_len);
	params[3] = OSSL_PARAM_construct_end();
	if (ctx && EVP_KDF_derive(ctx, out, ECIES_KDF_OUT, params) == 1)
		ret = 0;
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return ret;
}

/* AES-128-CTR with the ICB, then HMAC-SHA-256 over the ciphertext, 8 bytes. */
static int encrypt_and_tag(const u8 k[ECIES_KDF_OUT], const u8 *plain,
			   size_t len, u8 *ct, u8 tag[VSIM_ECIES_MAC_LEN])
{
	EVP_CIPHER_CTX *cc = EVP_CIPHER_CTX_new();
	u8 mac[EVP_MAX_MD_SIZE];
	size_t ml = 0;
	int n = 0, fin = 0, ret = -EIO;

	if (!cc || len > INT32_MAX ||
	    EVP_EncryptInit_ex(cc, EVP_aes_128_ctr(), NULL, k, k + ECIES_ENC_KEY) != 1 ||
	    EVP_EncryptUpdate(cc, ct, &n, plain, (int)len) != 1 ||
	    EVP_EncryptFinal_ex(cc, ct + n, &fin) != 1 ||
	    (size_t)(n + fin) != len)
		goto out;
	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL,
		       k + ECIES_ENC_KEY + ECIES_ICB, ECIES_MAC_KEY,
		       ct, len, mac, sizeof(mac), &ml) || ml != 32)
		goto out;
	memcpy(tag, mac, VSIM_ECIES_MAC_LEN);
	ret = 0;
out:
	vsim_wipe(mac, sizeof(mac));
	EVP_CIPHER_CTX_free(cc);
	return ret;
}

static int conceal(u8 scheme, const u8 *eph_priv, const u8 *hn_key,
		   size_t hn_len, const u8 *plain, size_t plain_len, u8 *out,
		   size_t max)
{
	u8 z[32], k[ECIES_KDF_OUT], pub[ECIES_MAX_PUB];
	size_t pub_len = 0, total;
	int ret;

	if (!plain_len)
		return -EINVAL;
	if (scheme == VSIM_SUCI_PROFILE_A)
		ret = x25519_shared(eph_priv, hn_key, hn_len, z, pub, &pub_len);
	else if (scheme == VSIM_SUCI_PROFILE_B)
		ret = p256_shared(eph_priv, hn_key, hn_len, z, pub, &pub_len);
	else
		return -EINVAL;
	if (ret)
		goto out;
	total = pub_len + plain_len + VSIM_ECIES_MAC_LEN;
	ret = -ENOSPC;
	if (total > max)
		goto out;
	ret = x963_kdf(z, pub, pub_len, k);
	if (!ret)
		ret = encrypt_and_tag(k, plain, plain_len, out + pub_len,
				      out + pub_len + plain_len);
	if (!ret) {
		memcpy(out, pub, pub_len);
		ret = (int)total;
	}
out:
	vsim_wipe(z, sizeof(z));
	vsim_wipe(k, sizeof(k));
	return ret;
}

int vsim_host_ecies_conceal(u8 scheme, const u8 *hn_key, size_t hn_len,
			    const u8 *plain, size_t plain_len, u8 *out,
			    size_t max)
{
	return conceal(scheme, NULL, hn_key, hn_len, plain, plain_len, out, max);
}

int vsim_host_ecies_conceal_fixed(u8 scheme, const u8 eph_priv[32],
				  const u8 *hn_key, size_t hn_len,
				  const u8 *plain, size_t plain_len, u8 *out,
				  size_t max)
{
	return conceal(scheme, eph_priv, hn_key, hn_len, plain, plain_len, out, max);
}
