// SPDX-License-Identifier: GPL-2.0-only
/* vsim-modem's network side: HSS file and AKA-gated attach (net.h). */
#include <errno.h>
#include <ini.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "modem/net.h"

struct hss_parse {
	struct hss *h;
	char *err;
	size_t errlen;
	int line;
};

static int hss_key(void *user, const char *section, const char *name,
		   const char *value)
{
	struct hss_parse *p = user;
	struct hss *h = p->h;
	bool hss = !strcmp(section, "hss");
	char *end;

	if (!strcmp(name, "imsi")) {
		size_t n = strlen(value);

		if (n < 6 || n > 15 || strspn(value, "0123456789") != n)
			goto bad;
		memcpy(h->imsi, value, n + 1);
	} else if (!strcmp(name, "msisdn")) {
		size_t n = strlen(value), d = value[0] == '+';

		if (n - d < 1 || n - d > 20 || strspn(value + d, "0123456789") != n - d)
			goto bad;
		memcpy(h->msisdn, value, n + 1);
	} else if (!strcmp(name, "k")) {
		if (vsim_hex_parse(value, h->k, 16) != 16)
			goto bad;
		h->have_k = true;
	} else if (!strcmp(name, "opc")) {
		if (vsim_hex_parse(value, h->opc, 16) != 16)
			goto bad;
		h->have_opc = true;
	} else if (!strcmp(name, "op")) {
		if (vsim_hex_parse(value, h->op, 16) != 16)
			goto bad;
		h->have_op = true;
	} else if (!strcmp(name, "amf")) {
		if (vsim_hex_parse(value, h->amf, 2) != 2)
			goto bad;
	} else if (!strcmp(name, "sqn") && hss) {
		errno = 0;
		h->sqn = strtoull(value, &end, 0);
		if (errno || *end || h->sqn >> 48)
			goto bad;
	} else if (!strcmp(name, "ind_bits") || !strcmp(name, "sqn_ind_bits")) {
		h->ind_bits = (unsigned int)strtoul(value, &end, 10);
		if (*end || h->ind_bits > 5)
			goto bad;
	} else if (hss) {
		snprintf(p->err, p->errlen, "unknown key '%s' in [hss]", name);
		return 0;
	}
	return 1;
bad:
	snprintf(p->err, p->errlen, "bad value for '%s'", name);
	return 0;
}

int hss_load(struct hss *h, const char *file, char *err, size_t errlen)
{
	struct hss_parse p = { .h = h, .err = err, .errlen = errlen };
	char msg[128] = "";
	int rc;

	memset(h, 0, sizeof(*h));
	h->amf[0] = 0x80;	/* the EPS separation bit, TS 33.401 §6.1.1 */
	h->ind_bits = 5;
	p.err = msg;
	p.errlen = sizeof(msg);
	rc = ini_parse(file, hss_key, &p);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno ? errno : ENOENT));
		return -1;
	}
	if (rc > 0) {
		snprintf(err, errlen, "%s:%d: %s", file, rc, msg[0] ? msg : "syntax error");
		return -1;
	}
	if (!h->imsi[0] || !h->have_k || (h->have_opc == h->have_op)) {
		snprintf(err, errlen, "%s: needs imsi, k and one of opc or op", file);
		return -1;
	}
	h->loaded = true;
	return 0;
}

int net_attach(struct hss *h, struct sim *s, FILE *log, char *why,
	       size_t whylen)
{
	uint8_t rand[16], autn[16], xres[8], res[16], auts[14];
	struct vsim_aka_net nw;
	char imsi[17];
	size_t res_len = 0;
	uint64_t sqn_ms;
	int rc = NET_DENIED, sw;

	if (!s->present) {
		snprintf(why, whylen, "no SIM");
		return NET_DENIED;
	}
	/* TS 24.301 §5.5.1: the attach names the subscriber by its IMSI */
	if (sim_imsi(s, imsi)) {
		snprintf(why, whylen, "the card withholds its IMSI");
		return NET_DENIED;
	}
	if (!h->loaded || strcmp(imsi, h->imsi)) {
		snprintf(why, whylen, "IMSI %s unknown to the HSS", imsi);
		return NET_DENIED;
	}
	if (h->have_op) {
		struct vsim_host_aes *aes = vsim_host_aes_new();

		if (!aes || vsim_host_aes_setkey(aes, h->k)) {
			vsim_host_aes_free(aes);
			snprintf(why, whylen, "AES setup failed");
			return NET_DENIED;
		}
		vsim_milenage_opc(vsim_host_aes_encrypt, aes, h->op, h->opc);
		vsim_host_aes_free(aes);
	}
	if (vsim_aka_net_init(&nw, h->k, h->opc, h->amf)) {
		snprintf(why, whylen, "AES setup failed");
		return NET_DENIED;
	}
	for (int tries = 0; tries < 2; tries++) {
		if (vsim_host_random(rand, sizeof(rand))) {
			snprintf(why, whylen, "no random numbers");
			break;
		}
		vsim_aka_net_autn(&nw, rand, h->sqn, autn, xres);
		fprintf(log, "network: AUTHENTICATE with SQN %012llX\n",
			(unsigned long long)h->sqn);
		sw = sim_authenticate(s, rand, autn, res, &res_len, auts);
		if (sw == 0x9000) {
			/* the next vector uses the next SEQ (Annex C.3.2) */
			h->sqn = ((h->sqn >> h->ind_bits) + 1) << h->ind_bits;
			if (res_len != 8 || memcmp(res, xres, 8)) {
				snprintf(why, whylen, "RES does not match XRES");
				break;
			}
			snprintf(why, whylen, "AKA succeeded for IMSI %s", imsi);
			rc = NET_REGISTERED_HOME;
			break;
		}
		if (sw == 0xdc && !vsim_aka_net_auts(&nw, rand, auts, &sqn_ms)) {
			/* TS 33.102 §6.3.5: continue above the card's SQN_MS */
			fprintf(log, "network: resynchronisation, the card's SQN is %012llX\n",
				(unsigned long long)sqn_ms);
			h->sqn = ((sqn_ms >> h->ind_bits) + 1) << h->ind_bits;
			snprintf(why, whylen, "resynchronisation failed");
			continue;
		}
		if (sw == 0x6982)
			snprintf(why, whylen, "the card refuses AUTHENTICATE (6982: locked to another device?)");
		else if (sw == 0xdc)
			snprintf(why, whylen, "AUTS with a wrong MAC-S");
		else
			snprintf(why, whylen, "AUTHENTICATE failed (%04X)", sw < 0 ? 0 : sw);
		break;
	}
	vsim_aka_net_free(&nw);
	return rc;
}
