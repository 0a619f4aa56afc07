// SPDX-License-Identifier: GPL-2.0-only
/*
 * A SIDF for tests (sidf.h): ECIES de-concealment of TS 33.501 Annex
 * C.3.3, kept independent of the card's implementation.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>

#include "sidf.h"

/* The home network key as an EVP_PKEY: X25519 raw, or a P-256 scalar. */
static EVP_PKEY *hn_key(int scheme, const uint8_t priv[32])
{
	OSSL_PARAM_BLD *bld;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pk = NULL;
	BIGNUM *d = NULL;

	if (scheme == 1)
		return EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, 32);
	bld = OSSL_PARAM_BLD_new();
	d = BN_bin2bn(priv, 32, NULL);
	if (!bld || !d ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_KEYPAIR, params) != 1)
		pk = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(d);
	return pk;
}

/* The UE's ephemeral public key as an EVP_PKEY. */
static EVP_PKEY *eph_key(int scheme, const uint8_t *pub, size_t len)
{
	OSSL_PARAM params[3];
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *pk = NULL;

	if (scheme == 1)
		return EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, pub, len);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
						     (char *)"prime256v1", 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
						      (void *)pub, len);
	params[2] = OSSL_PARAM_construct_end();
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) != 1)
		pk = NULL;
	EVP_PKEY_CTX_free(ctx);
	return pk;
}

int sidf_deconceal(int scheme, const uint8_t hn_priv[32], const uint8_t *out,
		   size_t out_len, uint8_t *plain, size_t *plain_len)
{
	size_t pl = scheme == 1 ? 32 : 33, zl = 32, ct_len, i;
	uint8_t z[32], k[64], mac[32], cnt[4];
	EVP_PKEY *hn = NULL, *eph = NULL;
	EVP_PKEY_CTX *dc = NULL;
	EVP_CIPHER_CTX *cc = NULL;
	unsigned int ml = 0;
	int n = 0, fin = 0, ret = -1;

	if ((scheme != 1 && scheme != 2) || out_len <= pl + 8)
		return -1;
	ct_len = out_len - pl - 8;
	hn = hn_key(scheme, hn_priv);
	eph = eph_key(scheme, out, pl);
	dc = hn ? EVP_PKEY_CTX_new(hn, NULL) : NULL;
	if (!eph || !dc || EVP_PKEY_derive_init(dc) != 1 ||
	    EVP_PKEY_derive_set_peer(dc, eph) != 1 ||
	    EVP_PKEY_derive(dc, z, &zl) != 1 || zl != 32)
		goto out;
	/* ANSI X9.63 KDF: SHA-256(Z || counter || SharedInfo), counters 1, 2 */
	for (i = 0; i < 2; i++) {
		EVP_MD_CTX *md = EVP_MD_CTX_new();
		int ok;

		cnt[0] = cnt[1] = cnt[2] = 0;
		cnt[3] = (uint8_t)(i + 1);
		ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
		     EVP_DigestUpdate(md, z, 32) == 1 &&
		     EVP_DigestUpdate(md, cnt, 4) == 1 &&
		     EVP_DigestUpdate(md, out, pl) == 1 &&
		     EVP_DigestFinal_ex(md, k + 32 * i, NULL) == 1;
		EVP_MD_CTX_free(md);
		if (!ok)
			goto out;
	}
	if (!HMAC(EVP_sha256(), k + 32, 32, out + pl, ct_len, mac, &ml) || ml != 32 ||
	    CRYPTO_memcmp(mac, out + pl + ct_len, 8))
		goto out;
	cc = EVP_CIPHER_CTX_new();
	if (!cc || EVP_DecryptInit_ex(cc, EVP_aes_128_ctr(), NULL, k, k + 16) != 1 ||
	    EVP_DecryptUpdate(cc, plain, &n, out + pl, (int)ct_len) != 1 ||
	    EVP_DecryptFinal_ex(cc, plain + n, &fin) != 1)
		goto out;
	*plain_len = (size_t)(n + fin);
	ret = 0;
out:
	OPENSSL_cleanse(z, sizeof(z));
	OPENSSL_cleanse(k, sizeof(k));
	EVP_CIPHER_CTX_free(cc);
	EVP_PKEY_CTX_free(dc);
	EVP_PKEY_free(eph);
	EVP_PKEY_free(hn);
	return ret;
}

int sidf_keygen(int scheme, uint8_t priv[32], uint8_t *pub, size_t *pub_len)
{
	EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, scheme == 1 ? "X25519" : "EC",
					 "prime256v1");
	BIGNUM *d = NULL;
	size_t n = 32;
	int ret = -1;

	if (!pk)
		return -1;
	*pub_len = scheme == 1 ? 32 : 65;
	if (scheme == 1) {
		if (EVP_PKEY_get_raw_private_key(pk, priv, &n) == 1 && n == 32 &&
		    EVP_PKEY_get_raw_public_key(pk, pub, pub_len) == 1)
			ret = 0;
	} else if (EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_PRIV_KEY, &d) == 1 &&
		   BN_bn2binpad(d, priv, 32) == 32 &&
		   EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_PUB_KEY, pub,
						   65, pub_len) == 1) {
		ret = 0;
	}
	BN_clear_free(d);
	EVP_PKEY_free(pk);
	return ret;
}
