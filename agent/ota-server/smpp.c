// SPDX-License-Identifier: GPL-2.0-only
/*
 * An SMPP 3.4 ESME for OTA (see ota-server/smpp.h): what an OTA server
 * puts in submit_sm and looks for in deliver_sm. The session itself (the
 * TCP, sequence numbers, enquire_link, unbind) is common/smpp.c's.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/smpp.h"
#include "ota-server/smpp.h"

#define SMPP_TIMEOUT_MS	10000

struct ota_smpp {
	struct vsim_smpp *smpp;
	char msisdn[21];	/* the card's number, without '+' */
	uint8_t ton;		/* §5.2.5: 1 international, 0 unknown */
};

int ota_smpp_open(const char *hostport, const char *system_id,
		  const char *password, const char *msisdn,
		  struct ota_smpp **out, char *err, size_t errlen)
{
	struct ota_smpp *s;

	if (!strrchr(hostport, ':') || strlen(system_id) > 15 ||
	    strlen(password) > 8) {
		snprintf(err, errlen, "--smpp HOST:PORT (system id <= 15, password <= 8)");
		return -1;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->ton = msisdn[0] == '+' ? 1 : 0;	/* international / unknown */
	snprintf(s->msisdn, sizeof(s->msisdn), "%s",
		 msisdn[0] == '+' ? msisdn + 1 : msisdn);
	if (vsim_smpp_open(hostport, system_id, password, "", &s->smpp, err,
			   errlen)) {
		free(s);
		return -1;
	}
	*out = s;
	return 0;
}

void ota_smpp_close(struct ota_smpp *s)
{
	if (!s)
		return;
	vsim_smpp_close(s->smpp);
	free(s);
}

/* The whole user data (UDH included) of an ENVELOPE's SMS-DELIVER. */
static int envelope_ud(const uint8_t *env, size_t len, const uint8_t **ud,
		       size_t *udlen)
{
	const uint8_t *tpdu;
	const char *why;
	size_t tl;

	if (len < 6 || ota_envelope_sms(env + 5, len - 5, &tpdu, &tl, &why))
		return -1;
	return ota_sms_whole_ud(tpdu, tl, false, ud, udlen);
}

/*
 * The next deliver_sm (SMPP 3.4 §4.6), acknowledged; whatever else comes
 * first is answered. 1; 0 when nothing came within @timeout_ms (or the
 * socket closed meanwhile); -1 on a broken or ended session, and for a
 * closed socket when waiting for ever.
 */
static int recv_deliver(struct ota_smpp *s, int timeout_ms,
			struct vsim_smpp_sm *sm)
{
	for (;;) {
		int rc = vsim_smpp_next(s->smpp, timeout_ms, sm);

		if (rc == 1)
			return 1;
		if (rc == 0)
			continue;	/* enquire_link and the like */
		if (rc == -2 || (timeout_ms >= 0 && vsim_smpp_closed(s->smpp)))
			return 0;
		return -1;
	}
}

int ota_smpp_wait_request(struct ota_smpp *s, int timeout_ms, uint8_t *ud,
			  size_t max, size_t *len, char *from, size_t fromlen)
{
	struct vsim_smpp_sm sm;
	int ret;

	for (;;) {
		ret = recv_deliver(s, timeout_ms, &sm);
		if (ret <= 0)
			return ret;
		/* UDHI, and a UDH that opens with the command-packet IEI */
		if (!(sm.esm_class & 0x40) || sm.len < 3 || sm.len > max ||
		    sm.ud[1] != 0x70)
			continue;
		memcpy(ud, sm.ud, sm.len);
		*len = sm.len;
		s->ton = sm.src_ton;
		snprintf(s->msisdn, sizeof(s->msisdn), "%s", sm.src);
		snprintf(from, fromlen, "%s%s", s->ton == 1 ? "+" : "",
			 s->msisdn);
		return 1;
	}
}

/* Each ENVELOPE's SMS as submit_sm, acknowledged: 0 or -1. */
static int submit_all(struct ota_smpp *s, uint8_t env[][OTA_ENVELOPE_MAX],
		      const size_t *elen, int n)
{
	struct vsim_smpp_sm sm = {
		.src = "vsim-ota",
		.src_ton = 5,			/* alphanumeric */
		.dst_ton = s->ton,		/* NPI 1 (E.164): common/smpp.c */
		.esm_class = 0x40,		/* UDHI */
		.pid = OTA_TP_PID_DATA_DOWNLOAD,
		.dcs = OTA_TP_DCS_CLASS2_8BIT,
	};
	const uint8_t *ud;
	size_t ul;
	int i;

	snprintf(sm.dst, sizeof(sm.dst), "%s", s->msisdn);
	for (i = 0; i < n; i++) {
		if (envelope_ud(env[i], elen[i], &ud, &ul) || ul > sizeof(sm.ud))
			return -1;
		memcpy(sm.ud, ud, ul);
		sm.len = ul;
		if (vsim_smpp_submit(s->smpp, &sm, NULL, 0))
			return -1;
	}
	return 0;
}

int ota_smpp_transport(void *ctx, uint8_t env[][OTA_ENVELOPE_MAX],
		       const size_t *elen, int n, uint8_t *por, size_t max)
{
	struct ota_smpp *s = ctx;

	if (submit_all(s, env, elen, n))
		return -1;
	/* the PoR: the card's SMS-SUBMIT, delivered to us */
	for (;;) {
		struct vsim_smpp_sm sm;
		int ret = recv_deliver(s, SMPP_TIMEOUT_MS, &sm);

		if (ret <= 0)
			return ret;	/* 0: none came */
		if (sm.len < 3 || sm.len > max || sm.ud[1] != 0x71)
			continue;	/* not a PoR: acknowledged, not ours */
		memcpy(por, sm.ud, sm.len);
		return (int)sm.len;
	}
}

int ota_smpp_push(void *ctx, uint8_t env[][OTA_ENVELOPE_MAX],
		  const size_t *elen, int n, uint8_t *por, size_t max)
{
	(void)por;
	(void)max;
	return submit_all(ctx, env, elen, n);
}
