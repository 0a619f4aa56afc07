// SPDX-License-Identifier: GPL-2.0-only
/*
 * GSMTAP sender (gsmtap.h): a 16-byte version-2 header, type SIM, then the
 * exchange. The socket is non-blocking and not connected (sendto): a
 * connected one would fail the next datagram after each ICMP "port
 * unreachable", so with nobody listening every other packet would be lost.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/vsim.h>

#include "vsimd/config.h"
#include "vsimd/gsmtap.h"
#include "vsimd/redact.h"

/* libosmocore include/osmocom/core/gsmtap.h */
#define GSMTAP_VERSION		0x02
#define GSMTAP_HDR_WORDS	4	/* 16 bytes */
#define GSMTAP_TYPE_SIM		0x04
#define GSMTAP_SIM_APDU		0x00	/* a complete APDU */
#define GSMTAP_SIM_ATR		0x01

struct vsim_gsmtap {
	int fd;
	struct sockaddr_storage to;
	socklen_t tolen;
};

struct vsim_gsmtap *vsim_gsmtap_open(const char *spec, char *err,
				     size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res = NULL;
	struct vsim_gsmtap *g;
	char host[256], port[8];
	int p = VSIM_GSMTAP_PORT, rc;

	/* a bare host keeps the default port; HOST:PORT as vpcd addresses */
	if (spec[0] == '[' && !strstr(spec, "]:")) {	/* "[v6]" */
		size_t n = strlen(spec);

		if (n < 3 || spec[n - 1] != ']' || n - 2 >= sizeof(host))
			goto bad;
		memcpy(host, spec + 1, n - 2);
		host[n - 2] = '\0';
	} else if (!strchr(spec, ':')) {
		if (strlen(spec) >= sizeof(host) || !*spec)
			goto bad;
		snprintf(host, sizeof(host), "%s", spec);
	} else if (vsimd_parse_hostport(spec, host, sizeof(host), &p)) {
		goto bad;
	}
	snprintf(port, sizeof(port), "%d", p);
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc) {
		snprintf(err, errlen, "gsmtap %s: %s", spec, gai_strerror(rc));
		return NULL;
	}
	g = calloc(1, sizeof(*g));
	if (!g) {
		freeaddrinfo(res);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	g->fd = socket(res->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (g->fd < 0 || res->ai_addrlen > sizeof(g->to)) {
		snprintf(err, errlen, "gsmtap %s: %s", spec, strerror(errno));
		freeaddrinfo(res);
		vsim_gsmtap_close(g);
		return NULL;
	}
	memcpy(&g->to, res->ai_addr, res->ai_addrlen);
	g->tolen = res->ai_addrlen;
	freeaddrinfo(res);
	return g;
bad:
	snprintf(err, errlen, "gsmtap '%s': use HOST or HOST:PORT", spec);
	return NULL;
}

static void send_packet(struct vsim_gsmtap *g, uint8_t sub_type, uint8_t slot,
			const uint8_t *a, size_t alen, const uint8_t *b,
			size_t blen, unsigned int blank)
{
	uint8_t pkt[16 + VSIM_CAPDU_MAX + VSIM_RAPDU_MAX] = {
		GSMTAP_VERSION, GSMTAP_HDR_WORDS, GSMTAP_TYPE_SIM,
	};

	if (!g || alen > VSIM_CAPDU_MAX || blen > VSIM_RAPDU_MAX)
		return;
	pkt[12] = sub_type;
	pkt[14] = slot;		/* sub_slot: the card's vpcd slot */
	vsim_redact_copy(blank, a, alen, pkt + 16, b, blen, pkt + 16 + alen);
	/* best effort by design: see the file header */
	(void)!sendto(g->fd, pkt, 16 + alen + blen, MSG_DONTWAIT | MSG_NOSIGNAL,
		      (const struct sockaddr *)&g->to, g->tolen);
	explicit_bzero(pkt + 16, alen + blen);
}

void vsim_gsmtap_apdu(struct vsim_gsmtap *g, uint8_t slot,
		      const uint8_t *capdu, size_t clen, const uint8_t *rapdu,
		      size_t rlen, unsigned int blank)
{
	send_packet(g, GSMTAP_SIM_APDU, slot, capdu, clen, rapdu, rlen, blank);
}

void vsim_gsmtap_atr(struct vsim_gsmtap *g, uint8_t slot, const uint8_t *atr,
		     size_t len)
{
	send_packet(g, GSMTAP_SIM_ATR, slot, atr, len, NULL, 0, 0);
}

void vsim_gsmtap_close(struct vsim_gsmtap *g)
{
	if (!g)
		return;
	if (g->fd >= 0)
		close(g->fd);
	free(g);
}
