// SPDX-License-Identifier: GPL-2.0-only
/*
 * An SMPP 3.4 ESME for OTA (see ota-server/smpp.h). PDUs are libsmpp34's
 * structs, packed and unpacked by it; this file does the TCP, the
 * sequence numbers and the dialogue (SMPP 3.4 §4.1 bind, §4.4 submit_sm,
 * §4.6 deliver_sm, §4.11 enquire_link, §4.2 unbind).
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libsmpp34/smpp34.h>
#include <libsmpp34/smpp34_structs.h>
#include <libsmpp34/smpp34_params.h>

#include "ota-server/smpp.h"

#define PDU_MAX		2048
#define SMPP_TIMEOUT_MS	10000

struct ota_smpp {
	int fd;
	uint32_t seq;
	char msisdn[21];
	uint8_t ton;
	bool unbound;		/* the SMSC ended the session */
};

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_all(int fd, uint8_t *p, size_t n, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	while (n) {
		ssize_t r;

		if (poll(&pfd, 1, timeout_ms) <= 0)
			return -1;
		r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Pack and send one PDU (libsmpp34 fills command_length). */
static int send_pdu(struct ota_smpp *s, uint32_t type, void *pdu)
{
	uint8_t buf[PDU_MAX];
	int len = 0;

	if (smpp34_pack(type, buf, sizeof(buf), &len, pdu) || len < 16)
		return -1;
	return write_all(s->fd, buf, (size_t)len);
}

/* Read one PDU: its command id, and the raw bytes in @buf. */
static int recv_pdu(struct ota_smpp *s, uint8_t *buf, size_t max,
		    uint32_t *id, int *len, int timeout_ms)
{
	uint32_t l;

	if (read_all(s->fd, buf, 4, timeout_ms))
		return -1;
	l = (uint32_t)buf[0] << 24 | buf[1] << 16 | buf[2] << 8 | buf[3];
	if (l < 16 || l > max || read_all(s->fd, buf + 4, l - 4, timeout_ms))
		return -1;
	*id = (uint32_t)buf[4] << 24 | buf[5] << 16 | buf[6] << 8 | buf[7];
	*len = (int)l;
	return 0;
}

static uint32_t seq_of(const uint8_t *buf)
{
	return (uint32_t)buf[12] << 24 | buf[13] << 16 | buf[14] << 8 | buf[15];
}

/* Answer what the SMSC asks of us in passing (enquire_link, unknowns). */
static int answer_other(struct ota_smpp *s, uint32_t id, const uint8_t *buf)
{
	if (id == ENQUIRE_LINK) {
		enquire_link_resp_t r = { .command_id = ENQUIRE_LINK_RESP,
					  .sequence_number = seq_of(buf) };

		return send_pdu(s, ENQUIRE_LINK_RESP, &r);
	}
	if (!(id & 0x80000000)) {
		generic_nack_t r = { .command_id = GENERIC_NACK,
				     .command_status = ESME_RINVCMDID,
				     .sequence_number = seq_of(buf) };

		return send_pdu(s, GENERIC_NACK, &r);
	}
	return 0;		/* a stray response: ignored */
}

/* Wait for the response @want to our request @seq; its status. */
static int wait_resp(struct ota_smpp *s, uint32_t want, uint32_t seq)
{
	uint8_t buf[PDU_MAX];
	uint32_t id;
	int len;

	for (;;) {
		if (recv_pdu(s, buf, sizeof(buf), &id, &len, SMPP_TIMEOUT_MS))
			return -1;
		if (id == want && seq_of(buf) == seq)
			return (int)((uint32_t)buf[8] << 24 | buf[9] << 16 |
				     buf[10] << 8 | buf[11]);
		if (id == GENERIC_NACK && seq_of(buf) == seq)
			return -1;
		if (answer_other(s, id, buf))
			return -1;
	}
}

int ota_smpp_open(const char *hostport, const char *system_id,
		  const char *password, const char *msisdn,
		  struct ota_smpp **out, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
	bind_transceiver_t b;
	struct ota_smpp *s;
	char host[256], *port;
	int rc;

	snprintf(host, sizeof(host), "%s", hostport);
	port = strrchr(host, ':');
	if (!port || strlen(system_id) > 15 || strlen(password) > 8) {
		snprintf(err, errlen, "--smpp HOST:PORT (system id <= 15, password <= 8)");
		return -1;
	}
	*port++ = 0;
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->fd = -1;
	s->ton = msisdn[0] == '+' ? 1 : 0;	/* international / unknown */
	snprintf(s->msisdn, sizeof(s->msisdn), "%s",
		 msisdn[0] == '+' ? msisdn + 1 : msisdn);
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc) {
		snprintf(err, errlen, "%s: %s", hostport, gai_strerror(rc));
		goto fail;
	}
	s->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0 || connect(s->fd, ai->ai_addr, ai->ai_addrlen)) {
		snprintf(err, errlen, "%s: %m", hostport);
		goto fail;
	}
	memset(&b, 0, sizeof(b));
	b.command_id = BIND_TRANSCEIVER;
	b.sequence_number = ++s->seq;
	snprintf((char *)b.system_id, sizeof(b.system_id), "%s", system_id);
	snprintf((char *)b.password, sizeof(b.password), "%s", password);
	b.interface_version = SMPP_VERSION;
	if (send_pdu(s, BIND_TRANSCEIVER, &b) ||
	    wait_resp(s, BIND_TRANSCEIVER_RESP, s->seq) != ESME_ROK) {
		snprintf(err, errlen, "%s: bind_transceiver refused or unanswered",
			 hostport);
		goto fail;
	}
	freeaddrinfo(ai);
	*out = s;
	return 0;
fail:
	if (ai)
		freeaddrinfo(ai);
	if (s->fd >= 0)
		close(s->fd);
	free(s);
	return -1;
}

void ota_smpp_close(struct ota_smpp *s)
{
	unbind_t u = { .command_id = UNBIND };

	if (!s)
		return;
	u.sequence_number = ++s->seq;
	if (!s->unbound && !send_pdu(s, UNBIND, &u))
		wait_resp(s, UNBIND_RESP, s->seq);
	close(s->fd);
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
static int recv_deliver(struct ota_smpp *s, int timeout_ms, deliver_sm_t *d)
{
	uint8_t buf[PDU_MAX];
	deliver_sm_resp_t r;
	uint32_t id;
	int len, ret;

	for (;;) {
		/* a closed socket, or silence past the timeout */
		if (recv_pdu(s, buf, sizeof(buf), &id, &len, timeout_ms))
			return timeout_ms < 0 ? -1 : 0;
		if (id == UNBIND) {	/* §4.2: the SMSC may end it too */
			unbind_resp_t u = { .command_id = UNBIND_RESP,
					    .sequence_number = seq_of(buf) };

			s->unbound = true;
			send_pdu(s, UNBIND_RESP, &u);
			return -1;
		}
		if (id != DELIVER_SM) {
			if (answer_other(s, id, buf))
				return -1;
			continue;
		}
		memset(d, 0, sizeof(*d));
		ret = smpp34_unpack(DELIVER_SM, d, buf, len);
		/* the optional parameters (§5.3), a list libsmpp34 allocated
		 * for this PDU: nothing here reads them */
		destroy_tlv(d->tlv);
		d->tlv = NULL;
		if (ret)
			return -1;
		memset(&r, 0, sizeof(r));
		r.command_id = DELIVER_SM_RESP;
		r.sequence_number = d->sequence_number;
		return send_pdu(s, DELIVER_SM_RESP, &r) ? -1 : 1;
	}
}

int ota_smpp_wait_request(struct ota_smpp *s, int timeout_ms, uint8_t *ud,
			  size_t max, size_t *len, char *from, size_t fromlen)
{
	deliver_sm_t d;
	int ret;

	for (;;) {
		ret = recv_deliver(s, timeout_ms, &d);
		if (ret <= 0)
			return ret;
		/* UDHI, and a UDH that opens with the command-packet IEI */
		if (!(d.esm_class & 0x40) || d.sm_length < 3 ||
		    d.sm_length > max || d.short_message[1] != 0x70)
			continue;
		memcpy(ud, d.short_message, d.sm_length);
		*len = d.sm_length;
		s->ton = d.source_addr_ton;
		snprintf(s->msisdn, sizeof(s->msisdn), "%s",
			 (const char *)d.source_addr);
		snprintf(from, fromlen, "%s%s", s->ton == 1 ? "+" : "",
			 s->msisdn);
		return 1;
	}
}

/* Each ENVELOPE's SMS as submit_sm, acknowledged: 0 or -1. */
static int submit_all(struct ota_smpp *s, uint8_t env[][OTA_ENVELOPE_MAX],
		      const size_t *elen, int n)
{
	submit_sm_t sm;
	const uint8_t *ud;
	size_t ul;
	int i;

	for (i = 0; i < n; i++) {
		if (envelope_ud(env[i], elen[i], &ud, &ul))
			return -1;
		memset(&sm, 0, sizeof(sm));
		sm.command_id = SUBMIT_SM;
		sm.sequence_number = ++s->seq;
		snprintf((char *)sm.source_addr, sizeof(sm.source_addr), "vsim-ota");
		sm.source_addr_ton = 5;			/* alphanumeric */
		sm.dest_addr_ton = s->ton;
		sm.dest_addr_npi = 1;			/* E.164 */
		snprintf((char *)sm.destination_addr,
			 sizeof(sm.destination_addr), "%s", s->msisdn);
		sm.esm_class = 0x40;			/* UDHI */
		sm.protocol_id = OTA_TP_PID_DATA_DOWNLOAD;
		sm.data_coding = OTA_TP_DCS_CLASS2_8BIT;
		sm.sm_length = (uint8_t)ul;
		memcpy(sm.short_message, ud, ul);
		if (send_pdu(s, SUBMIT_SM, &sm) ||
		    wait_resp(s, SUBMIT_SM_RESP, s->seq) != ESME_ROK)
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
		deliver_sm_t d;
		int ret = recv_deliver(s, SMPP_TIMEOUT_MS, &d);

		if (ret <= 0)
			return ret;	/* 0: none came */
		if (d.sm_length < 3 || d.sm_length > max ||
		    d.short_message[1] != 0x71)
			continue;	/* not a PoR: acknowledged, not ours */
		memcpy(por, d.short_message, d.sm_length);
		return d.sm_length;
	}
}

int ota_smpp_push(void *ctx, uint8_t env[][OTA_ENVELOPE_MAX],
		  const size_t *elen, int n, uint8_t *por, size_t max)
{
	(void)por;
	(void)max;
	return submit_all(ctx, env, elen, n);
}
