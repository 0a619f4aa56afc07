// SPDX-License-Identifier: GPL-2.0-only
/*
 * An SMPP 3.4 ESME session (common/smpp.h): the TCP, the sequence
 * numbers and the dialogue; libsmpp34 packs and unpacks the PDUs.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libsmpp34/smpp34.h>
#include <libsmpp34/smpp34_structs.h>
#include <libsmpp34/smpp34_params.h>

#include "common/smpp.h"

#define PDU_MAX		2048
#define RESP_TIMEOUT_MS	10000
#define HELD_MAX	8

struct vsim_smpp {
	int fd;
	uint32_t seq;
	bool unbound;		/* the SMSC ended the session */
	bool closed;		/* reading failed: the stream is lost */
	/* deliver_sm that came while a response was awaited, acknowledged */
	struct vsim_smpp_sm held[HELD_MAX];
	unsigned int nheld;
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

/* 0, -2 when nothing came within @timeout_ms, -1 on a closed socket */
static int read_all(int fd, uint8_t *p, size_t n, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	while (n) {
		ssize_t r;
		int rc = poll(&pfd, 1, timeout_ms);

		if (rc < 0 && errno == EINTR)
			continue;
		if (rc == 0)
			return -2;
		if (rc < 0)
			return -1;
		r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
		timeout_ms = RESP_TIMEOUT_MS;	/* the rest of a PDU begun */
	}
	return 0;
}

static int send_pdu(struct vsim_smpp *s, uint32_t type, void *pdu)
{
	uint8_t buf[PDU_MAX];
	int len = 0;

	if (smpp34_pack(type, buf, sizeof(buf), &len, pdu) || len < 16)
		return -1;
	return write_all(s->fd, buf, (size_t)len);
}

static uint32_t be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* One PDU's bytes; 0, -2 (nothing in time) or -1 (the stream is lost) */
static int recv_pdu(struct vsim_smpp *s, uint8_t *buf, int *len, int timeout_ms)
{
	uint32_t l;
	int rc = read_all(s->fd, buf, 4, timeout_ms);

	if (rc == -2)
		return rc;
	if (!rc) {
		l = be32(buf);
		if (l >= 16 && l <= PDU_MAX &&
		    !read_all(s->fd, buf + 4, l - 4, RESP_TIMEOUT_MS)) {
			*len = (int)l;
			return 0;
		}
	}
	s->closed = true;
	return -1;
}

/* A deliver_sm: unpacked into @sm and acknowledged. 0 or -1. */
static int take_deliver(struct vsim_smpp *s, const uint8_t *buf, int len,
			struct vsim_smpp_sm *sm)
{
	deliver_sm_resp_t r = { .command_id = DELIVER_SM_RESP };
	deliver_sm_t d;
	int ret;

	memset(&d, 0, sizeof(d));
	ret = smpp34_unpack(DELIVER_SM, &d, (uint8_t *)buf, len);
	destroy_tlv(d.tlv);	/* optional parameters: none is read */
	r.sequence_number = be32(buf + 12);
	if (ret || d.sm_length > sizeof(sm->ud)) {
		r.command_status = ESME_RSYSERR;
		send_pdu(s, DELIVER_SM_RESP, &r);
		return -1;
	}
	memset(sm, 0, sizeof(*sm));
	snprintf(sm->src, sizeof(sm->src), "%s", (const char *)d.source_addr);
	snprintf(sm->dst, sizeof(sm->dst), "%s", (const char *)d.destination_addr);
	sm->src_ton = d.source_addr_ton;
	sm->dst_ton = d.dest_addr_ton;
	sm->esm_class = d.esm_class;
	sm->pid = d.protocol_id;
	sm->dcs = d.data_coding;
	memcpy(sm->ud, d.short_message, d.sm_length);
	sm->len = d.sm_length;
	return send_pdu(s, DELIVER_SM_RESP, &r);
}

/*
 * What the SMSC sends unasked: enquire_link answered, unbind accepted
 * (-1: the session is over), an unknown request nacked, a stray response
 * dropped. 0 or -1.
 */
static int answer_other(struct vsim_smpp *s, uint32_t id, const uint8_t *buf)
{
	uint32_t seq = be32(buf + 12);

	if (id == ENQUIRE_LINK) {
		enquire_link_resp_t r = { .command_id = ENQUIRE_LINK_RESP,
					  .sequence_number = seq };

		return send_pdu(s, ENQUIRE_LINK_RESP, &r);
	}
	if (id == UNBIND) {
		unbind_resp_t r = { .command_id = UNBIND_RESP,
				    .sequence_number = seq };

		s->unbound = true;
		send_pdu(s, UNBIND_RESP, &r);
		return -1;
	}
	if (!(id & 0x80000000)) {
		generic_nack_t r = { .command_id = GENERIC_NACK,
				     .command_status = ESME_RINVCMDID,
				     .sequence_number = seq };

		return send_pdu(s, GENERIC_NACK, &r);
	}
	return 0;
}

/* The response @want to our request @seq: its status, the PDU in @buf. */
static int wait_resp(struct vsim_smpp *s, uint32_t want, uint32_t seq,
		     uint8_t *buf, int *len)
{
	for (;;) {
		uint32_t id;

		if (recv_pdu(s, buf, len, RESP_TIMEOUT_MS))
			return -1;
		id = be32(buf + 4);
		if ((id == want || id == GENERIC_NACK) && be32(buf + 12) == seq)
			return id == GENERIC_NACK ? -1 : (int)be32(buf + 8);
		if (id == DELIVER_SM) {
			struct vsim_smpp_sm sm;

			if (take_deliver(s, buf, *len, &sm))
				return -1;
			if (s->nheld < HELD_MAX)
				s->held[s->nheld++] = sm;
			continue;
		}
		if (answer_other(s, id, buf))
			return -1;
	}
}

int vsim_smpp_open(const char *hostport, const char *system_id,
		   const char *password, const char *address_range,
		   struct vsim_smpp **out, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
	bind_transceiver_t b;
	struct vsim_smpp *s;
	uint8_t buf[PDU_MAX];
	char host[256], *port;
	int rc, len;

	snprintf(host, sizeof(host), "%s", hostport);
	port = strrchr(host, ':');
	if (!port || port == host || strlen(system_id) > 15 ||
	    strlen(password) > 8 || strlen(address_range) > 40) {
		snprintf(err, errlen, "%s: HOST:PORT expected", hostport);
		return -1;
	}
	*port++ = 0;
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->fd = -1;
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc) {
		snprintf(err, errlen, "%s: %s", hostport, gai_strerror(rc));
		goto fail;
	}
	s->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0 || connect(s->fd, ai->ai_addr, ai->ai_addrlen)) {
		snprintf(err, errlen, "%s: %s", hostport, strerror(errno));
		goto fail;
	}
	memset(&b, 0, sizeof(b));
	b.command_id = BIND_TRANSCEIVER;
	b.sequence_number = ++s->seq;
	snprintf((char *)b.system_id, sizeof(b.system_id), "%s", system_id);
	snprintf((char *)b.password, sizeof(b.password), "%s", password);
	snprintf((char *)b.address_range, sizeof(b.address_range), "%s",
		 address_range);
	b.addr_ton = 1;		/* international */
	b.addr_npi = 1;		/* E.164 */
	b.interface_version = SMPP_VERSION;
	if (send_pdu(s, BIND_TRANSCEIVER, &b) ||
	    wait_resp(s, BIND_TRANSCEIVER_RESP, s->seq, buf, &len) != ESME_ROK) {
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

struct vsim_smpp *vsim_smpp_adopt(int fd)
{
	struct vsim_smpp *s = calloc(1, sizeof(*s));

	if (s)
		s->fd = fd;
	return s;
}

void vsim_smpp_close(struct vsim_smpp *s)
{
	unbind_t u = { .command_id = UNBIND };
	uint8_t buf[PDU_MAX];
	int len;

	if (!s)
		return;
	u.sequence_number = ++s->seq;
	if (!s->unbound && !send_pdu(s, UNBIND, &u))
		wait_resp(s, UNBIND_RESP, s->seq, buf, &len);
	close(s->fd);
	free(s);
}

int vsim_smpp_fd(const struct vsim_smpp *s)
{
	return s->fd;
}

int vsim_smpp_submit(struct vsim_smpp *s, const struct vsim_smpp_sm *sm,
		     char *id, size_t idlen)
{
	submit_sm_resp_t r;
	submit_sm_t p;
	uint8_t buf[PDU_MAX];
	int len, st;

	if (s->unbound || sm->len > sizeof(p.short_message))
		return -1;
	memset(&p, 0, sizeof(p));
	p.command_id = SUBMIT_SM;
	p.sequence_number = ++s->seq;
	snprintf((char *)p.source_addr, sizeof(p.source_addr), "%s", sm->src);
	snprintf((char *)p.destination_addr, sizeof(p.destination_addr), "%s",
		 sm->dst);
	p.source_addr_ton = sm->src_ton;
	p.source_addr_npi = sm->src_ton == 5 ? 0 : 1;
	p.dest_addr_ton = sm->dst_ton;
	p.dest_addr_npi = sm->dst_ton == 5 ? 0 : 1;
	p.esm_class = sm->esm_class;
	p.protocol_id = sm->pid;
	p.data_coding = sm->dcs;
	p.sm_length = (uint8_t)sm->len;
	memcpy(p.short_message, sm->ud, sm->len);
	if (send_pdu(s, SUBMIT_SM, &p))
		return -1;
	st = wait_resp(s, SUBMIT_SM_RESP, s->seq, buf, &len);
	if (st != ESME_ROK)
		return st;
	if (id) {
		memset(&r, 0, sizeof(r));
		if (smpp34_unpack(SUBMIT_SM_RESP, &r, buf, len))
			snprintf(id, idlen, "?");
		else
			snprintf(id, idlen, "%s", (const char *)r.message_id);
	}
	return 0;
}

int vsim_smpp_next(struct vsim_smpp *s, int timeout_ms,
		   struct vsim_smpp_sm *sm)
{
	uint8_t buf[PDU_MAX];
	uint32_t id;
	int len, rc;

	if (s->nheld) {
		*sm = s->held[0];
		memmove(s->held, s->held + 1, --s->nheld * sizeof(s->held[0]));
		return 1;
	}
	if (s->unbound)
		return -1;
	rc = recv_pdu(s, buf, &len, timeout_ms);
	if (rc)
		return rc;
	id = be32(buf + 4);
	if (id == DELIVER_SM)
		return take_deliver(s, buf, len, sm) ? -1 : 1;
	return answer_other(s, id, buf);
}

bool vsim_smpp_held(const struct vsim_smpp *s)
{
	return s->nheld > 0;
}

bool vsim_smpp_closed(const struct vsim_smpp *s)
{
	return s->closed;
}
