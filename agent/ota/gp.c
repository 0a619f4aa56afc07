// SPDX-License-Identifier: GPL-2.0-only
/*
 * GlobalPlatform security domains behind OTA TARs (see ota/gp.h). The
 * commands, GP Card Spec 2.3 §11: INSTALL 80 E6, DELETE 80 E4, GET STATUS
 * 80 F2, PUT KEY 80 D8, STORE DATA 80 E2, GET DATA 80 CA. Status words
 * follow GP §11.1.3 where it names one.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "ota/crypto.h"
#include "ota/gp.h"

#define SW_OK			0x9000
#define SW_MORE			0x6310	/* GET STATUS: more data available */
#define SW_MEMORY		0x6581
#define SW_WRONG_LENGTH		0x6700
#define SW_SM			0x6882	/* secure messaging: not supported */
#define SW_CONDITIONS		0x6985
#define SW_WRONG_DATA		0x6a80
#define SW_FUNC			0x6a81
#define SW_NO_SPACE		0x6a84
#define SW_WRONG_P1P2		0x6a86
#define SW_NOT_FOUND		0x6a88
#define SW_INS			0x6d00
#define SW_CLA			0x6e00

#define KEY_DES			0x80	/* GP Table 11-16: key types */
#define KEY_PSK			0x85	/* TLS pre-shared key (GP 2.3.1 §11.1.8) */
#define KEY_AES			0x88
#define LC_SELECTABLE		0x07	/* GP Table 11-5 */
#define LC_CARD_SECURED		0x0f	/* GP Table 11-3 */
#define PRIV_SD			0x80	/* GP Table 6-1, byte 1 b8 */

static const uint8_t isd_priv[3] = { 0x9e, 0xfe, 0x80 };

void ota_gp_init(struct ota_gp *g, struct ota_store *s, struct ota_card *o)
{
	memset(g, 0, sizeof(*g));
	g->store = s;
	g->card = o;
	o->gp = g;
	o->gp_exec = ota_gp_exec;
	o->gp_has_tar = ota_gp_has_tar;
}

static void stage_drop(struct ota_gp *g)
{
	if (g->stage.buf)
		OPENSSL_clear_free(g->stage.buf, OTA_GP_QUOTA_MAX);
	memset(&g->stage, 0, sizeof(g->stage));
}

void ota_gp_free(struct ota_gp *g)
{
	stage_drop(g);
}

bool ota_gp_has_tar(void *gp, uint32_t tar, struct ota_msl *msl)
{
	struct ota_gp *g = gp;
	struct ota_domain d;

	if (tar == OTA_TAR_ISD) {
		/* counter checked by default: replays refused (card.c) */
		*msl = (struct ota_msl){ OTA_CHECK_CC, false, OTA_CNTR_HIGHER };
		return true;
	}
	if (ota_store_domain_by_tar(g->store, tar, &d))
		return false;
	/* a supplementary domain: ciphered and checksummed */
	*msl = (struct ota_msl){ OTA_CHECK_CC, true, OTA_CNTR_HIGHER };
	return true;
}

int ota_gp_kcv(const struct ota_gp_key *k, uint8_t kcv[3])
{
	struct ota_key key = { .len = k->len };
	uint8_t in[16], out[16];

	memcpy(key.key, k->value, k->len);
	if (k->type == KEY_AES) {
		key.algo = OTA_ALG_AES;
		memset(in, 0x01, 16);
	} else if (k->type == KEY_DES && (k->len == 16 || k->len == 24)) {
		key.algo = k->len == 16 ? OTA_ALG_3DES2 : OTA_ALG_3DES3;
		memset(in, 0x00, 8);
	} else {
		return -1;
	}
	if (ota_cbc(&key, true, in, ota_block_size(key.algo), out)) {
		ota_key_wipe(&key);
		return -1;
	}
	memcpy(kcv, out, 3);
	ota_key_wipe(&key);
	return 0;
}

static size_t put_sw(uint8_t *r, size_t n, uint16_t sw)
{
	r[n] = (uint8_t)(sw >> 8);
	r[n + 1] = (uint8_t)sw;
	return n + 2;
}

/* Walk length-value fields (INSTALL data, GP §11.5.2.3). */
static const uint8_t *lv(const uint8_t **p, const uint8_t *end, size_t *l)
{
	const uint8_t *v;

	if (*p >= end || (size_t)(end - *p) < 1u + **p)
		return NULL;
	*l = **p;
	v = *p + 1;
	*p = v + *l;
	return v;
}

/* Find a one-byte-tag, one-byte-length TLV at the top level of @d. */
static const uint8_t *tlv_find(const uint8_t *d, size_t len, uint8_t tag,
			       size_t *l)
{
	size_t o = 0;

	while (o + 2 <= len) {
		size_t n = d[o + 1];

		if (n > 0x7f || o + 2 + n > len)
			return NULL;
		if (d[o] == tag) {
			*l = n;
			return d + o + 2;
		}
		o += 2 + n;
	}
	return NULL;
}

/*
 * TS 102 226 §8.2.1.3.2.2 toolkit application specific parameters: access
 * domain (LV), priority, timers, text length, menu entries (n, then n
 * pairs), channels, MSL (LV), TAR values (LV of 3-byte TARs): the first TAR.
 */
static int toolkit_tar(const uint8_t *p, size_t len, uint32_t *tar)
{
	const uint8_t *end = p + len;
	size_t l;

	if (!lv(&p, end, &l) || end - p < 4)
		return -1;
	p += 3;				/* priority, timers, text length */
	if (end - p < 1 + 2 * *p)
		return -1;
	p += 1 + 2 * *p;		/* menu entries */
	if (end - p < 1)
		return -1;
	p++;				/* channels */
	if (!lv(&p, end, &l))		/* minimum security level */
		return -1;
	p = lv(&p, end, &l);
	if (!p || l < 3 || l % 3)
		return -1;
	*tar = (uint32_t)(p[0] << 16 | p[1] << 8 | p[2]);
	return 0;
}

/* Install parameters: C9 [EF {C7, C8 quota, CA toolkit}] [EA {80 toolkit}] */
static int install_params(const uint8_t *p, size_t len, uint32_t *tar,
			  uint32_t *quota)
{
	const uint8_t *ef, *x;
	size_t efl, xl;

	*quota = OTA_GP_QUOTA_DEFAULT;
	if (!tlv_find(p, len, 0xc9, &xl))
		return -1;		/* C9 is mandatory, GP §11.5.2.3.7 */
	ef = tlv_find(p, len, 0xef, &efl);
	if (ef) {
		x = tlv_find(ef, efl, 0xc8, &xl);
		if (x && (xl == 2 || xl == 4))
			*quota = xl == 2 ? (uint32_t)(x[0] << 8 | x[1]) :
				 (uint32_t)x[0] << 24 | x[1] << 16 | x[2] << 8 | x[3];
		x = tlv_find(ef, efl, 0xca, &xl);
		if (x && !toolkit_tar(x, xl, tar))
			return 0;
	}
	ef = tlv_find(p, len, 0xea, &efl);
	if (ef) {
		x = tlv_find(ef, efl, 0x80, &xl);
		if (x && !toolkit_tar(x, xl, tar))
			return 0;
	}
	return -1;			/* a domain without a TAR is unreachable */
}

static bool tar_taken(struct ota_gp *g, uint32_t tar)
{
	struct ota_domain d;
	unsigned int i;

	if (tar == OTA_TAR_ISD || !ota_store_domain_by_tar(g->store, tar, &d))
		return true;
	for (i = 0; i < g->card->ntars; i++)
		if (g->card->tars[i].tar == tar)
			return true;
	return false;
}

/*
 * INSTALL [for install (and make selectable)], GP §11.5: a supplementary
 * security domain with its AID, privileges and TAR, a generated AES-128
 * key set (ENC, MAC, DEK as KVN 01) and an empty storage area, in one
 * transaction. Answers KVN and the three KCVs (GP would answer 00; the
 * KCVs let the server check the keys it is told about out of band).
 */
static size_t cmd_install(struct ota_gp *g, const uint8_t *a, size_t lc,
			  uint8_t p1, uint8_t *r)
{
	const uint8_t *p = a, *end = a + lc, *load, *mod, *aid, *priv, *par;
	size_t ll = 0, ml = 0, al = 0, pl = 0, prl = 0, tl = 0, i, n = 0;
	struct ota_gp_key keys[OTA_DOMAIN_KEYS];
	struct ota_domain d = { 0 };
	int ret;

	if (p1 != 0x0c && p1 != 0x04)
		return put_sw(r, 0, SW_WRONG_P1P2);
	load = lv(&p, end, &ll);
	mod = lv(&p, end, &ml);
	aid = lv(&p, end, &al);
	priv = lv(&p, end, &prl);
	par = lv(&p, end, &pl);
	if (!load || !mod || !aid || !priv || !par || !lv(&p, end, &tl) ||
	    p != end)
		return put_sw(r, 0, SW_WRONG_DATA);
	if (al < 5 || al > OTA_AID_MAX || (prl != 1 && prl != 3))
		return put_sw(r, 0, SW_WRONG_DATA);
	/* only security domains: vsim runs no applet code */
	if (!(priv[0] & PRIV_SD))
		return put_sw(r, 0, SW_FUNC);
	if (install_params(par, pl, &d.tar, &d.quota) || tar_taken(g, d.tar))
		return put_sw(r, 0, SW_WRONG_DATA);
	if (d.quota > OTA_GP_QUOTA_MAX)
		return put_sw(r, 0, SW_NO_SPACE);
	memcpy(d.aid, aid, al);
	d.aid_len = (uint8_t)al;
	memcpy(d.privileges, priv, prl);
	d.lifecycle = p1 == 0x0c ? LC_SELECTABLE : 0x03;
	r[n++] = 0x01;			/* KVN */
	for (i = 0; i < OTA_DOMAIN_KEYS; i++) {
		keys[i] = (struct ota_gp_key){ .kvn = 0x01, .id = (uint8_t)(i + 1),
					       .type = KEY_AES, .len = 16 };
		if (RAND_bytes(keys[i].value, 16) != 1 ||
		    ota_gp_kcv(&keys[i], r + n)) {
			OPENSSL_cleanse(keys, sizeof(keys));
			return put_sw(r, 0, SW_MEMORY);
		}
		n += 3;
	}
	ret = ota_store_domain_create(g->store, &d, keys, OTA_DOMAIN_KEYS);
	OPENSSL_cleanse(keys, sizeof(keys));
	if (ret)
		return put_sw(r, 0, ret > 0 ? SW_CONDITIONS : SW_MEMORY);
	return put_sw(r, n, SW_OK);
}

/* DELETE, GP §11.2: 4F L AID; the domain, its keys and its data. */
static size_t cmd_delete(struct ota_gp *g, const uint8_t *a, size_t lc,
			 uint8_t *r)
{
	int ret;

	if (lc < 2 || a[0] != 0x4f || a[1] != lc - 2 || a[1] > OTA_AID_MAX)
		return put_sw(r, 0, SW_WRONG_DATA);
	if (a[1] == OTA_ISD_AID_LEN && !memcmp(a + 2, OTA_ISD_AID, a[1]))
		return put_sw(r, 0, SW_CONDITIONS);
	ret = ota_store_domain_delete(g->store, a + 2, a[1]);
	if (ret)
		return put_sw(r, 0, ret > 0 ? SW_NOT_FOUND : SW_MEMORY);
	if (g->stage.active && g->stage.aid_len == a[1] &&
	    !memcmp(g->stage.aid, a + 2, a[1]))
		stage_drop(g);
	r[0] = 0x00;
	return put_sw(r, 1, SW_OK);
}

static size_t status_entry(uint8_t *p, const uint8_t *aid, size_t al,
			   uint8_t lc, const uint8_t priv[3])
{
	size_t n = 0;

	p[n++] = 0xe3;			/* GP Table 11-36 */
	p[n++] = (uint8_t)(2 + al + 4 + 5);
	p[n++] = 0x4f;
	p[n++] = (uint8_t)al;
	memcpy(p + n, aid, al);
	n += al;
	p[n++] = 0x9f;
	p[n++] = 0x70;
	p[n++] = 1;
	p[n++] = lc;
	p[n++] = 0xc5;
	p[n++] = 3;
	memcpy(p + n, priv, 3);
	return n + 3;
}

/* GET STATUS, GP §11.4: P1 80 the ISD, 40 supplementary domains; TLV. */
static size_t cmd_get_status(struct ota_gp *g, const uint8_t *a, size_t lc,
			     uint8_t p1, uint8_t p2, uint8_t *r)
{
	struct ota_domain d;
	size_t n = 0;
	unsigned int i;
	int ret;

	if (!(p2 & 0x02) || (p2 & ~0x03))
		return put_sw(r, 0, SW_WRONG_P1P2);	/* TLV format only */
	if (lc < 2 || a[0] != 0x4f || a[1] != lc - 2 || a[1] > OTA_AID_MAX)
		return put_sw(r, 0, SW_WRONG_DATA);
	if (p2 & 0x01) {
		if (!g->status.active || g->status.p1 != p1)
			return put_sw(r, 0, SW_CONDITIONS);
	} else {
		g->status.active = false;
		g->status.p1 = p1;
		g->status.next = 0;
		memcpy(g->status.filter, a + 2, a[1]);
		g->status.filter_len = a[1];
	}
	if (p1 == 0x80) {
		if (g->status.filter_len > OTA_ISD_AID_LEN ||
		    memcmp(OTA_ISD_AID, g->status.filter, g->status.filter_len))
			return put_sw(r, 0, SW_NOT_FOUND);
		n = status_entry(r, (const uint8_t *)OTA_ISD_AID,
				 OTA_ISD_AID_LEN, LC_CARD_SECURED, isd_priv);
		return put_sw(r, n, SW_OK);
	}
	if (p1 != 0x40)		/* load files (20, 10): vsim holds none */
		return put_sw(r, 0, p1 == 0x20 || p1 == 0x10 ? SW_NOT_FOUND :
			      SW_WRONG_P1P2);
	for (i = g->status.next; (ret = ota_store_domain_nth(g->store, i, &d)) == 0;
	     i++) {
		if (d.aid_len < g->status.filter_len ||
		    memcmp(d.aid, g->status.filter, g->status.filter_len))
			continue;
		if (n + 2 + 2 + d.aid_len + 9 > OTA_GP_PAGE) {
			g->status.active = true;
			g->status.next = i;
			return put_sw(r, n, SW_MORE);
		}
		n += status_entry(r + n, d.aid, d.aid_len, d.lifecycle,
				  d.privileges);
	}
	g->status.active = false;
	if (ret < 0)
		return put_sw(r, 0, SW_MEMORY);
	if (!n && !(p2 & 0x01))
		return put_sw(r, 0, SW_NOT_FOUND);
	return put_sw(r, n, SW_OK);
}

/* Decipher a key: ECB, one block at a time (GP §11.8.2.3). */
static int unwrap_with(const struct ota_key *k, const uint8_t *in, size_t len,
		       uint8_t *out)
{
	size_t bs = ota_block_size(k->algo), i;
	int ret = 0;

	if (!len || len % bs)
		return -1;
	for (i = 0; !ret && i < len; i += bs)
		ret = ota_cbc(k, false, in + i, bs, out + i);
	return ret;
}

/* ... with a domain's DEK. */
static int unwrap_key(const struct ota_gp_key *dek, const uint8_t *in,
		      size_t len, uint8_t *out)
{
	struct ota_key k = { .len = dek->len };
	int ret;

	memcpy(k.key, dek->value, dek->len);
	k.algo = dek->type == KEY_AES ? OTA_ALG_AES :
		 dek->len == 24 ? OTA_ALG_3DES3 : OTA_ALG_3DES2;
	ret = unwrap_with(&k, in, len, out);
	ota_key_wipe(&k);
	return ret;
}

int ota_gp_psk(struct ota_gp *g, uint8_t kvn, struct ota_gp_key *psk)
{
	const struct ota_scp81_cfg *c = &g->card->scp81_cfg;
	struct ota_gp_key k;
	int n;

	n = ota_store_keys_get(g->store, (const uint8_t *)OTA_ISD_AID,
			       OTA_ISD_AID_LEN, kvn, &k, 1);
	if (n < 0)
		return -1;
	if (n == 1 && k.type == KEY_PSK) {
		*psk = k;
		OPENSSL_cleanse(&k, sizeof(k));
		return 0;
	}
	OPENSSL_cleanse(&k, sizeof(k));
	/* the profile's PSK counts until a PUT KEY stores one */
	if (!c->psk_len || (kvn && kvn != c->kvn) ||
	    ota_store_keys_get(g->store, (const uint8_t *)OTA_ISD_AID,
			       OTA_ISD_AID_LEN, 0, &k, 1) != 0)
		return -1;
	*psk = (struct ota_gp_key){ .kvn = c->kvn, .id = 1, .type = KEY_PSK,
				    .len = (uint8_t)c->psk_len };
	memcpy(psk->value, c->psk, c->psk_len);
	return 0;
}

/*
 * PUT KEY at the ISD. Its SCP80 key sets are the profile's; what it takes
 * is the TLS PSK of SCP81 (GP Amendment B): type 85, key ID 01, 16 or 32
 * bytes ciphered with the DEK of the key set that secured this packet,
 * no KCV (length 00). P1 00 adds version KVN, else replaces version P1
 * (the profile's scp81_kvn while no PSK is stored). One transaction;
 * answers the KVN.
 */
static size_t put_psk(struct ota_gp *g, const uint8_t *a, size_t lc,
		      uint8_t p1, uint8_t p2, uint8_t *r)
{
	const struct ota_card *o = g->card;
	const struct ota_keyset *ks = &o->keysets[o->cur_keyset % OTA_KEYSETS];
	struct ota_gp_key nk = { 0 }, cur;
	size_t kl;
	int ret;

	if (lc < 1 || !a[0] || a[0] > 0x7f || p2 != 0x01)
		return put_sw(r, 0, lc < 1 ? SW_WRONG_LENGTH : SW_WRONG_P1P2);
	if (!o->cur_keyset || !ks->dek.len)
		return put_sw(r, 0, SW_CONDITIONS);	/* no DEK to open it */
	kl = lc >= 3 ? a[2] : 0;
	if (lc < 4 || a[1] != KEY_PSK || (kl != 16 && kl != 32) ||
	    lc != 4 + kl || a[3 + kl] != 0)
		return put_sw(r, 0, SW_WRONG_DATA);
	nk = (struct ota_gp_key){ .kvn = a[0], .id = 1, .type = KEY_PSK,
				  .len = (uint8_t)kl };
	if (unwrap_with(&ks->dek, a + 3, kl, nk.value)) {
		OPENSSL_cleanse(&nk, sizeof(nk));
		return put_sw(r, 0, SW_WRONG_DATA);
	}
	/* replacing the profile's PSK: nothing stored to delete */
	if (p1 && p1 == o->scp81_cfg.kvn && o->scp81_cfg.psk_len &&
	    ota_store_keys_get(g->store, (const uint8_t *)OTA_ISD_AID,
			       OTA_ISD_AID_LEN, 0, &cur, 1) == 0)
		p1 = 0;
	OPENSSL_cleanse(&cur, sizeof(cur));
	ret = ota_store_keys_put(g->store, (const uint8_t *)OTA_ISD_AID,
				 OTA_ISD_AID_LEN, p1, &nk, 1);
	OPENSSL_cleanse(&nk, sizeof(nk));
	if (ret)
		return put_sw(r, 0, ret > 0 ? SW_NOT_FOUND : SW_CONDITIONS);
	r[0] = a[0];
	return put_sw(r, 1, SW_OK);
}

/*
 * PUT KEY, GP §11.8: P1 old KVN (00: a new version), P2 first key ID
 * (b8: several keys). Data: new KVN, then {type, length, key ciphered with
 * the current DEK, 03, KCV} per key. Answers the new KVN and the KCVs.
 */
static size_t cmd_put_key(struct ota_gp *g, const struct ota_domain *d,
			  const uint8_t *a, size_t lc, uint8_t p1, uint8_t p2,
			  uint8_t *r)
{
	struct ota_gp_key cur[OTA_DOMAIN_KEYS], nk[OTA_DOMAIN_KEYS], *dek = NULL;
	size_t off = 1, n = 1;
	unsigned int cnt = 0, i;
	uint8_t kcv[3];
	int nc, ret;
	uint16_t sw = SW_OK;

	if (!d)
		return put_psk(g, a, lc, p1, p2, r);
	if (lc < 1 || !a[0] || a[0] > 0x7f || (p2 & 0x7f) != 1)
		return put_sw(r, 0, lc < 1 ? SW_WRONG_LENGTH : SW_WRONG_P1P2);
	nc = ota_store_keys_get(g->store, d->aid, d->aid_len, 0, cur,
				OTA_DOMAIN_KEYS);
	for (i = 0; nc > 0 && i < (unsigned int)nc; i++)
		if (cur[i].id == 3)
			dek = &cur[i];
	if (!dek) {
		sw = SW_CONDITIONS;
		goto out;
	}
	r[0] = a[0];
	while (off < lc && cnt < OTA_DOMAIN_KEYS && sw == SW_OK) {
		size_t kl;

		if (lc - off < 2 || lc - off < 2u + a[off + 1] + 4) {
			sw = SW_WRONG_DATA;
			break;
		}
		kl = a[off + 1];
		nk[cnt] = (struct ota_gp_key){ .kvn = a[0],
			.id = (uint8_t)((p2 & 0x7f) + cnt), .type = a[off],
			.len = (uint8_t)kl };
		if ((a[off] != KEY_AES && a[off] != KEY_DES) || kl > 32 ||
		    a[off + 2 + kl] != 3 ||
		    unwrap_key(dek, a + off + 2, kl, nk[cnt].value) ||
		    ota_gp_kcv(&nk[cnt], kcv) ||
		    !ota_equal(kcv, a + off + 3 + kl, 3)) {
			sw = SW_WRONG_DATA;
			break;
		}
		memcpy(r + n, kcv, 3);
		n += 3;
		off += 2 + kl + 4;
		cnt++;
		if (!(p2 & 0x80))
			break;
	}
	if (sw == SW_OK && off != lc)
		sw = SW_WRONG_DATA;
	if (sw == SW_OK) {
		ret = ota_store_keys_put(g->store, d->aid, d->aid_len, p1, nk,
					 cnt);
		if (ret)
			sw = ret > 0 ? SW_NOT_FOUND : SW_CONDITIONS;
	}
out:
	OPENSSL_cleanse(cur, sizeof(cur));
	OPENSSL_cleanse(nk, sizeof(nk));
	return sw == SW_OK ? put_sw(r, n, SW_OK) : put_sw(r, 0, sw);
}

/*
 * STORE DATA, GP §11.11: P2 block number from 00, P1 b8 last block. The
 * blocks gather here; the last one replaces the domain's data in one
 * transaction, so the data is seen whole or not at all. Past the quota:
 * 6A84; a block out of sequence: 6A86; both forget the sequence.
 */
static size_t cmd_store_data(struct ota_gp *g, const struct ota_domain *d,
			     const uint8_t *a, size_t lc, uint8_t p1,
			     uint8_t p2, uint8_t *r)
{
	int ret;

	if (!d)
		return put_sw(r, 0, SW_CONDITIONS);	/* the ISD keeps none */
	if (p2 == 0) {
		stage_drop(g);
		g->stage.buf = OPENSSL_malloc(OTA_GP_QUOTA_MAX);
		if (!g->stage.buf)
			return put_sw(r, 0, SW_MEMORY);
		g->stage.active = true;
		memcpy(g->stage.aid, d->aid, d->aid_len);
		g->stage.aid_len = d->aid_len;
	}
	if (!g->stage.active || g->stage.next_block != p2 ||
	    g->stage.aid_len != d->aid_len ||
	    memcmp(g->stage.aid, d->aid, d->aid_len)) {
		stage_drop(g);
		return put_sw(r, 0, SW_WRONG_P1P2);
	}
	if (g->stage.len + lc > d->quota) {
		stage_drop(g);
		return put_sw(r, 0, SW_NO_SPACE);
	}
	memcpy(g->stage.buf + g->stage.len, a, lc);
	g->stage.len += lc;
	g->stage.next_block++;
	if (!(p1 & 0x80))
		return put_sw(r, 0, SW_OK);
	ret = ota_store_data_set(g->store, d->aid, d->aid_len, g->stage.buf,
				 g->stage.len);
	stage_drop(g);
	return put_sw(r, 0, ret ? SW_MEMORY : SW_OK);
}

/*
 * GET DATA, GP §11.3: E0, the key information template {C0 04 ID KVN
 * type length} of the domain's current keys; DF7A (vsim's own tag, from
 * the proprietary range): the domain's application data, at most
 * OTA_GP_PAGE bytes per answer: from the start (80 CA DF 7A Le), or from
 * the 2-byte offset in the data of the odd-INS form (80 CB DF 7A 02 off).
 */
static size_t cmd_get_data(struct ota_gp *g, const struct ota_domain *d,
			   const uint8_t *a, size_t lc, uint8_t p1, uint8_t p2,
			   bool odd, uint8_t *r)
{
	struct ota_gp_key k[OTA_DOMAIN_KEYS];
	size_t n = 0;
	int i, nk;
	long got;

	if (!d && p1 == 0x00 && p2 == 0xe0 && !odd) {
		/* the ISD's key in the store or profile: its TLS PSK */
		r[n++] = 0xe0;
		r[n++] = 0;
		if (!ota_gp_psk(g, 0, &k[0])) {
			r[1] = 6;
			r[n++] = 0xc0, r[n++] = 4;
			r[n++] = k[0].id, r[n++] = k[0].kvn;
			r[n++] = k[0].type, r[n++] = k[0].len;
			OPENSSL_cleanse(k, sizeof(k));
		}
		return put_sw(r, n, SW_OK);
	}
	if (!d)
		return put_sw(r, 0, SW_NOT_FOUND);
	if (p1 == 0x00 && p2 == 0xe0 && !odd) {
		nk = ota_store_keys_get(g->store, d->aid, d->aid_len, 0, k,
					OTA_DOMAIN_KEYS);
		if (nk < 0)
			return put_sw(r, 0, SW_MEMORY);
		r[n++] = 0xe0;
		r[n++] = (uint8_t)(6 * nk);
		for (i = 0; i < nk; i++) {
			r[n++] = 0xc0, r[n++] = 4;
			r[n++] = k[i].id, r[n++] = k[i].kvn;
			r[n++] = k[i].type, r[n++] = k[i].len;
		}
		OPENSSL_cleanse(k, sizeof(k));
		return put_sw(r, n, SW_OK);
	}
	if (p1 == 0xdf && p2 == 0x7a) {
		if (odd ? lc != 2 : lc != 0)
			return put_sw(r, 0, SW_WRONG_LENGTH);
		got = ota_store_data_get(g->store, d->aid, d->aid_len,
					 odd ? (size_t)(a[0] << 8 | a[1]) : 0,
					 r, OTA_GP_PAGE);
		return got < 0 ? put_sw(r, 0, SW_MEMORY) :
				 put_sw(r, (size_t)got, SW_OK);
	}
	return put_sw(r, 0, SW_NOT_FOUND);
}

size_t ota_gp_exec(void *gp, uint32_t tar, const uint8_t *capdu, size_t len,
		   uint8_t *rapdu)
{
	struct ota_gp *g = gp;
	struct ota_domain dom, *d = NULL;
	const uint8_t *data = capdu + 5;
	size_t lc = 0;
	uint8_t ins;

	if (len < 4)
		return put_sw(rapdu, 0, SW_WRONG_LENGTH);
	if ((capdu[0] & 0xf0) != 0x80)
		return put_sw(rapdu, 0, SW_CLA);
	if (capdu[0] & 0x0c)
		return put_sw(rapdu, 0, SW_SM);
	if (len > 5) {			/* Lc data [Le] */
		lc = capdu[4];
		if (!lc || (len != 5 + lc && len != 6 + lc))
			return put_sw(rapdu, 0, SW_WRONG_LENGTH);
	}
	ins = capdu[1];
	if (tar != OTA_TAR_ISD) {
		if (ota_store_domain_by_tar(g->store, tar, &dom))
			return put_sw(rapdu, 0, SW_CONDITIONS);
		d = &dom;
	}
	switch (ins) {
	case 0xe6:
		return d ? put_sw(rapdu, 0, SW_CONDITIONS) :
			   cmd_install(g, data, lc, capdu[2], rapdu);
	case 0xe4:
		return d ? put_sw(rapdu, 0, SW_CONDITIONS) :
			   cmd_delete(g, data, lc, rapdu);
	case 0xf2:
		return d ? put_sw(rapdu, 0, SW_CONDITIONS) :
			   cmd_get_status(g, data, lc, capdu[2], capdu[3],
					  rapdu);
	case 0xd8:
		return cmd_put_key(g, d, data, lc, capdu[2], capdu[3], rapdu);
	case 0xe2:
		return cmd_store_data(g, d, data, lc, capdu[2], capdu[3],
				      rapdu);
	case 0xca:
	case 0xcb:
		return cmd_get_data(g, d, data, lc, capdu[2], capdu[3],
				    ins == 0xcb, rapdu);
	default:
		return put_sw(rapdu, 0, SW_INS);
	}
}
