// SPDX-License-Identifier: GPL-2.0-only
/*
 * Secured packets (ETSI TS 102 225 §5, 3GPP TS 31.115 §4): opening a
 * command packet on the card and building its PoR; building a command
 * packet and opening a PoR on the server. Header layout in ota/packet.h.
 *
 * What the checksum covers (TS 31.115 §4.1/§4.2, as cards in the field
 * compute it; pySim's test vectors from real cards agree): for a command,
 * CPL CHL SPI KIc KID TAR CNTR PCNTR and the secured data with its
 * padding; for a PoR, the UDH (02 71 00), RPL RHL TAR CNTR PCNTR STATUS
 * and the data with its padding. The RC/CC field itself is left out.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ota/packet.h"

#define CMD_HDR		10	/* CPL(2) CHL SPI(2) KIc KID TAR(3) */
#define CHL_MIN		13	/* SPI..PCNTR without RC/CC/DS, §5.1.1 */
#define POR_UDH_LEN	3	/* 02 71 00: UDHL, IEI 71, length 0 */
#define POR_HDR		6	/* RPL(2) RHL TAR(3) */
#define RHL_MIN		10	/* TAR CNTR PCNTR STATUS */

static const char *const status_names[] = {
	[OTA_ST_OK] = "ok",
	[OTA_ST_CHECK_FAILED] = "RC/CC/DS failed",
	[OTA_ST_CNTR_LOW] = "counter low",
	[OTA_ST_CNTR_HIGH] = "counter high",
	[OTA_ST_CNTR_BLOCKED] = "counter blocked",
	[OTA_ST_CIPHER_ERROR] = "ciphering error",
	[OTA_ST_SECURITY_ERROR] = "security error",
	[OTA_ST_NO_MEMORY] = "insufficient memory",
	[OTA_ST_MORE_TIME] = "more time needed",
	[OTA_ST_TAR_UNKNOWN] = "TAR unknown",
	[OTA_ST_INSUFFICIENT_SECURITY] = "insufficient security level",
	[OTA_ST_IN_SMS_SUBMIT] = "response by SMS-SUBMIT",
	[OTA_ST_IN_USSD] = "response by USSD",
};

const char *ota_status_name(uint8_t status)
{
	if (status < sizeof(status_names) / sizeof(status_names[0]))
		return status_names[status];
	return "reserved";
}

static void put40(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 4; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get40(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 5; i++)
		v = v << 8 | p[i];
	return v;
}

/*
 * The key a KIc/KID byte selects, if the card holds one of the algorithm
 * the byte names ("implicit" takes the key's own algorithm).
 */
static const struct ota_key *usable(const struct ota_key *k, uint8_t coding,
				    bool for_kid)
{
	int algo = ota_algo_from_coding(coding, for_kid, false);

	if (!k || algo < 0 || (algo != OTA_ALG_NONE && (int)k->algo != algo))
		return NULL;
	if (!ota_block_size(k->algo) || !ota_key_len_ok(k->algo, k->len))
		return NULL;
	return k;
}

/*
 * The RC/CC length for a check kind and KID byte: 0 (none), 2 (CRC16),
 * 4 (CRC32), 8 (CC); -1 for DS, an unknown coding or a missing key.
 * *algo says which algorithm computes it.
 */
static int sig_len(uint8_t check, uint8_t kid_b, const struct ota_key *kid,
		   enum ota_algo *algo)
{
	int a;

	*algo = OTA_ALG_NONE;
	switch (check) {
	case OTA_CHECK_NONE:
		return 0;
	case OTA_CHECK_RC:
		a = ota_algo_from_coding(kid_b, true, true);
		if (a == OTA_ALG_NONE && kid &&
		    (kid->algo == OTA_ALG_CRC16 || kid->algo == OTA_ALG_CRC32))
			a = kid->algo;
		*algo = a;
		return a == OTA_ALG_CRC16 ? 2 : a == OTA_ALG_CRC32 ? 4 : -1;
	case OTA_CHECK_CC:
		if (!usable(kid, kid_b, true))
			return -1;
		*algo = kid->algo;
		return OTA_CC_LEN;
	default:
		return -1;	/* DS: vsim has no asymmetric keys */
	}
}

static int compute_sig(enum ota_algo algo, const struct ota_key *kid,
		       const uint8_t *d, size_t n, uint8_t *out)
{
	uint32_t crc;

	switch (algo) {
	case OTA_ALG_NONE:
		return 0;
	case OTA_ALG_CRC16:
		crc = ota_crc16(d, n);
		out[0] = (uint8_t)(crc >> 8);
		out[1] = (uint8_t)crc;
		return 0;
	case OTA_ALG_CRC32:
		crc = ota_crc32(d, n);
		out[0] = (uint8_t)(crc >> 24);
		out[1] = (uint8_t)(crc >> 16);
		out[2] = (uint8_t)(crc >> 8);
		out[3] = (uint8_t)crc;
		return 0;
	default:
		return ota_cc(kid, d, n, out);
	}
}

/*
 * The checksum over @hdr (header fields) and @rest (counter fields, data,
 * padding) laid end to end, the RC/CC field left out.
 */
static int sig_over(enum ota_algo algo, const struct ota_key *kid,
		    const uint8_t *hdr, size_t hlen, const uint8_t *mid,
		    size_t mlen, const uint8_t *rest, size_t rlen, uint8_t *out)
{
	size_t n = hlen + mlen + rlen;
	uint8_t *tmp;
	int ret;

	if (algo == OTA_ALG_NONE)
		return 0;
	tmp = malloc(n ? n : 1);
	if (!tmp)
		return -1;
	/* memcpy(d, NULL, 0) is undefined (C11 §7.24.1): skip empty parts */
	if (hlen)
		memcpy(tmp, hdr, hlen);
	if (mlen)
		memcpy(tmp + hlen, mid, mlen);
	if (rlen)
		memcpy(tmp + hlen + mlen, rest, rlen);
	ret = compute_sig(algo, kid, tmp, n, out);
	OPENSSL_cleanse(tmp, n);
	free(tmp);
	return ret;
}

int ota_cmd_parse(const uint8_t *pkt, size_t len, struct ota_cmd *c)
{
	memset(c, 0, sizeof(*c));
	if (len < CMD_HDR)
		return -1;
	memcpy(c->spi, pkt + 3, 2);
	c->kic = pkt[5];
	c->kid = pkt[6];
	memcpy(c->tar, pkt + 7, 3);
	/* CPL counts every byte after itself; CHL at least SPI..PCNTR */
	if ((size_t)(pkt[0] << 8 | pkt[1]) != len - 2 || pkt[2] < CHL_MIN)
		return OTA_ST_SECURITY_ERROR;
	return OTA_ST_OK;
}

uint8_t ota_cmd_check_msl(const struct ota_cmd *c, const struct ota_msl *msl)
{
	uint8_t check = OTA_SPI1_CHECK(c->spi[0]);

	if (check < msl->check ||
	    (msl->cipher && !(c->spi[0] & OTA_SPI1_CIPHER)) ||
	    OTA_SPI1_COUNTER(c->spi[0]) < msl->counter)
		return OTA_ST_INSUFFICIENT_SECURITY;
	return OTA_ST_OK;
}

/* TS 102 225 §5.1.1, SPI b5b4: the counter rules. */
static uint8_t check_counter(const struct ota_cmd *c, uint64_t re,
			     uint64_t window)
{
	switch (OTA_SPI1_COUNTER(c->spi[0])) {
	case OTA_CNTR_HIGHER:
		if (re >= OTA_CNTR_MAX)
			return OTA_ST_CNTR_BLOCKED;
		if (c->counter <= re)
			return OTA_ST_CNTR_LOW;
		if (window && c->counter - re > window)
			return OTA_ST_CNTR_HIGH;
		return OTA_ST_OK;
	case OTA_CNTR_NEXT:
		if (re >= OTA_CNTR_MAX)
			return OTA_ST_CNTR_BLOCKED;
		if (c->counter <= re)
			return OTA_ST_CNTR_LOW;
		if (c->counter != re + 1)
			return OTA_ST_CNTR_HIGH;
		return OTA_ST_OK;
	default:
		return OTA_ST_OK;	/* no counter, or no replay check */
	}
}

uint8_t ota_cmd_open(struct ota_cmd *c, const uint8_t *pkt, size_t len,
		     const struct ota_key *kic, const struct ota_key *kid,
		     uint64_t re_counter, uint64_t window, uint8_t *buf)
{
	bool ciphered = c->spi[0] & OTA_SPI1_CIPHER;
	uint8_t sig[OTA_CC_LEN];
	const uint8_t *rx_sig;
	size_t blen = len - CMD_HDR, bs = 0;
	enum ota_algo algo;
	int slen;

	c->authentic = false;
	slen = sig_len(OTA_SPI1_CHECK(c->spi[0]), c->kid, kid, &algo);
	if (slen < 0)
		return OTA_ST_SECURITY_ERROR;	/* KID unknown, DS */
	if (pkt[2] != CHL_MIN + slen)
		return OTA_ST_SECURITY_ERROR;
	memcpy(buf, pkt, CMD_HDR);
	if (ciphered) {
		kic = usable(kic, c->kic, false);
		if (!kic)
			return OTA_ST_CIPHER_ERROR;	/* KIc unknown */
		bs = ota_block_size(kic->algo);
		if (!blen || blen % bs ||
		    ota_cbc(kic, false, pkt + CMD_HDR, blen, buf + CMD_HDR))
			return OTA_ST_CIPHER_ERROR;
	} else {
		memcpy(buf + CMD_HDR, pkt + CMD_HDR, blen);
	}
	if (blen < 6 + (size_t)slen)
		return OTA_ST_SECURITY_ERROR;	/* truncated */
	memcpy(c->cntr, buf + CMD_HDR, 5);
	c->counter = get40(c->cntr);
	c->pcntr = buf[CMD_HDR + 5];
	rx_sig = buf + CMD_HDR + 6;
	c->data = rx_sig + slen;
	c->data_len = blen - 6 - slen;
	if (sig_over(algo, kid, buf, CMD_HDR, buf + CMD_HDR, 6, c->data,
		     c->data_len, sig))
		return OTA_ST_SECURITY_ERROR;
	if (slen && !ota_equal(sig, rx_sig, slen)) {
		OPENSSL_cleanse(sig, sizeof(sig));
		return OTA_ST_CHECK_FAILED;
	}
	OPENSSL_cleanse(sig, sizeof(sig));
	c->authentic = true;
	/* PCNTR counts the padding ciphering added, less than one block */
	if (ciphered ? c->pcntr >= bs || c->pcntr > c->data_len : c->pcntr)
		return ciphered ? OTA_ST_CIPHER_ERROR : OTA_ST_SECURITY_ERROR;
	c->data_len -= c->pcntr;
	return check_counter(c, re_counter, window);
}

bool ota_cmd_counts(const struct ota_cmd *c)
{
	return OTA_SPI1_COUNTER(c->spi[0]) >= OTA_CNTR_HIGHER;
}

bool ota_cmd_wants_por(const struct ota_cmd *c, uint8_t status)
{
	switch (OTA_SPI2_POR(c->spi[1])) {
	case OTA_POR_NONE:
		return false;
	case OTA_POR_ON_ERROR:
		return status != OTA_ST_OK;
	default:		/* 01 required; 11 reserved: answer anyway */
		return true;
	}
}

ssize_t ota_por_build(const struct ota_cmd *c, uint8_t status,
		      const uint8_t *resp, size_t rlen,
		      const struct ota_key *kic, const struct ota_key *kid,
		      uint8_t *out, size_t max)
{
	static const uint8_t udh[POR_UDH_LEN] = { 0x02, 0x71, 0x00 };
	bool cipher = c->spi[1] & OTA_SPI2_POR_CIPHER;
	uint8_t check = OTA_SPI2_POR_CHECK(c->spi[1]);
	size_t plain, pad = 0, bs = 0, rpl, total;
	uint8_t *body;
	enum ota_algo algo = OTA_ALG_NONE;
	int slen = 0;

	if (c->authentic) {
		slen = sig_len(check, c->kid, kid, &algo);
		if (cipher) {
			kic = usable(kic, c->kic, false);
			bs = kic ? ota_block_size(kic->algo) : 0;
		}
	}
	if (!c->authentic || slen < 0 || (cipher && !kic)) {
		/* an unauthenticated or unanswerable command: a plain PoR */
		slen = 0;
		algo = OTA_ALG_NONE;
		cipher = false;
	}
	plain = 7 + (size_t)slen + rlen;	/* CNTR PCNTR STATUS sig data */
	if (cipher)
		pad = (bs - plain % bs) % bs;
	rpl = 1 + 3 + plain + pad;
	total = POR_UDH_LEN + 2 + rpl;
	if (rpl > 0xffff || total > max)
		return -1;
	memcpy(out, udh, POR_UDH_LEN);
	out[3] = (uint8_t)(rpl >> 8);
	out[4] = (uint8_t)rpl;
	out[5] = (uint8_t)(RHL_MIN + slen);
	memcpy(out + 6, c->tar, 3);
	body = out + POR_UDH_LEN + POR_HDR;
	memcpy(body, c->cntr, 5);
	body[5] = (uint8_t)pad;
	body[6] = status;
	if (rlen)	/* a PoR without data may come with resp NULL */
		memcpy(body + 7 + slen, resp, rlen);
	memset(body + 7 + slen + rlen, 0, pad);
	if (sig_over(algo, kid, out, POR_UDH_LEN + POR_HDR, body, 7,
		     body + 7 + slen, rlen + pad, body + 7))
		return -1;
	if (cipher && ota_cbc(kic, true, body, plain + pad, body))
		return -1;
	return (ssize_t)total;
}

ssize_t ota_cmd_build(const uint8_t spi[2], uint8_t kic_b, uint8_t kid_b,
		      const uint8_t tar[3], uint64_t counter,
		      const struct ota_key *kic, const struct ota_key *kid,
		      const uint8_t *data, size_t len, uint8_t *out,
		      size_t max)
{
	bool cipher = spi[0] & OTA_SPI1_CIPHER;
	size_t plain, pad = 0, cpl, total;
	enum ota_algo algo;
	uint8_t *body;
	int slen;

	slen = sig_len(OTA_SPI1_CHECK(spi[0]), kid_b, kid, &algo);
	if (slen < 0 || counter > OTA_CNTR_MAX)
		return -1;
	if (cipher) {
		kic = usable(kic, kic_b, false);
		if (!kic)
			return -1;
	}
	plain = 6 + (size_t)slen + len;
	if (cipher)
		pad = (ota_block_size(kic->algo) -
		       plain % ota_block_size(kic->algo)) %
		      ota_block_size(kic->algo);
	cpl = CMD_HDR - 2 + plain + pad;
	total = 2 + cpl;
	if (cpl > 0xffff || total > max)
		return -1;
	out[0] = (uint8_t)(cpl >> 8);
	out[1] = (uint8_t)cpl;
	out[2] = (uint8_t)(CHL_MIN + slen);
	memcpy(out + 3, spi, 2);
	out[5] = kic_b;
	out[6] = kid_b;
	memcpy(out + 7, tar, 3);
	body = out + CMD_HDR;
	put40(body, counter);
	body[5] = (uint8_t)pad;
	if (len)	/* an empty command may come with data NULL */
		memcpy(body + 6 + slen, data, len);
	memset(body + 6 + slen + len, 0, pad);
	if (sig_over(algo, kid, out, CMD_HDR, body, 6, body + 6 + slen,
		     len + pad, body + 6))
		return -1;
	if (cipher && ota_cbc(kic, true, body, plain + pad, body))
		return -1;
	return (ssize_t)total;
}

int ota_por_open(const uint8_t spi[2], uint8_t kic_b, uint8_t kid_b,
		 const struct ota_key *kic, const struct ota_key *kid,
		 const uint8_t *in, size_t len, uint8_t *buf,
		 struct ota_por *p)
{
	bool cipher = spi[1] & OTA_SPI2_POR_CIPHER;
	size_t rpl, blen, bs = 0;
	uint8_t sig[OTA_CC_LEN];
	enum ota_algo algo;
	bool secured;
	int slen;

	memset(p, 0, sizeof(*p));
	if (len < POR_UDH_LEN + POR_HDR || in[0] != 0x02 || in[1] != 0x71 ||
	    in[2] != 0x00)
		return -1;
	rpl = (size_t)in[3] << 8 | in[4];
	if (rpl != len - POR_UDH_LEN - 2 || in[5] < RHL_MIN)
		return -1;
	blen = len - POR_UDH_LEN - POR_HDR;
	slen = sig_len(OTA_SPI2_POR_CHECK(spi[1]), kid_b, kid, &algo);
	if (cipher) {
		kic = usable(kic, kic_b, false);
		bs = kic ? ota_block_size(kic->algo) : 0;
	}
	if (slen < 0)
		return -1;
	/* secured as asked, or the plain PoR of a refused command */
	secured = in[5] == RHL_MIN + slen && (slen || cipher);
	if (secured && cipher && (!bs || blen % bs))
		secured = false;
	if (!secured && in[5] != RHL_MIN)
		return -1;
	if (!secured)
		slen = 0, algo = OTA_ALG_NONE, cipher = false;
	memcpy(buf, in, POR_UDH_LEN + POR_HDR);
	if (cipher) {
		if (ota_cbc(kic, false, in + POR_UDH_LEN + POR_HDR, blen,
			    buf + POR_UDH_LEN + POR_HDR))
			return -1;
	} else {
		memcpy(buf + POR_UDH_LEN + POR_HDR,
		       in + POR_UDH_LEN + POR_HDR, blen);
	}
	if (blen < 7 + (size_t)slen)
		return -1;
	memcpy(p->tar, buf + 6, 3);
	buf += POR_UDH_LEN + POR_HDR;
	p->counter = get40(buf);
	p->pcntr = buf[5];
	p->status = buf[6];
	p->data = buf + 7 + slen;
	p->data_len = blen - 7 - slen;
	if (sig_over(algo, kid, in, POR_UDH_LEN + POR_HDR, buf, 7, p->data,
		     p->data_len, sig))
		return -1;
	if (slen && !ota_equal(sig, buf + 7, slen))
		return -1;
	if (cipher ? p->pcntr >= bs || p->pcntr > p->data_len : p->pcntr)
		return -1;
	p->data_len -= p->pcntr;
	p->secured = secured;
	return 0;
}
