// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: what an SCP81 admin server sends the card's admin
 * agent (agent/ota/scp81.c) once TLS is open: HTTP/1.1 responses, parsed
 * one after the other as the agent does (ota_http_response_parse), and
 * the X-Admin-Targeted-Application value (ota_http_target_aid); and the
 * whole input as the administration session trigger a server pushes
 * (ota_scp81_trigger_parse), and as the ENVELOPE (TIMER EXPIRATION) a
 * terminal sends an agent whose retry waits on its timer
 * (ota_scp81_timer_expiration).
 * Invariants: a parsed response lies inside the input, its body after its
 * headers (or, chunked, joined from fewer bytes than follow them) and no
 * longer than SCP81_HTTP_MAX; an AID is 5..16 bytes; a
 * trigger taken has terminated texts, a URI starting with /, a key
 * version of at most 7F and a destination with a port; an expiry is
 * answered 9000 or 6A80, and a 6A80 changes nothing (no command queued,
 * the retry still waiting).
 */
#include <errno.h>

#include "fuzz.h"
#include "ota/card.h"
#include "ota/scp81.h"

#define T "fuzz_http"

static struct ota_card card;
static unsigned int queued;

static size_t no_card(void *c, const uint8_t *capdu, size_t len, uint8_t *r)
{
	(void)c, (void)capdu, (void)len;
	r[0] = 0x6a, r[1] = 0x82;
	return 2;
}

static int count_cmd(void *c, uint8_t type, uint8_t q, uint8_t dest,
		     const uint8_t *tlvs, size_t len, uint32_t flags)
{
	(void)c, (void)type, (void)q, (void)dest, (void)tlvs, (void)len;
	(void)flags;
	queued++;
	return 0;
}

static void timer_expiration(const uint8_t *data, size_t size)
{
	struct ota_scp81_retry *rt = &card.scp81_retry;
	uint8_t r[VSIM_RAPDU_MAX];
	size_t n;
	uint16_t sw;

	if (!card.exec) {
		ota_card_init(&card, NULL);
		card.exec = no_card;
		card.queue_proactive = count_cmd;
		card.card = &card;
		card.scp81_cfg.enabled = true;
		strcpy(card.scp81_cfg.identity, "card");
		card.scp81_cfg.psk_len = 16;
		strcpy(card.scp81_cfg.uri, "/");
		if (ota_bip_cfg_parse("127.0.0.1:4443", &card.bip_cfg))
			fuzz_die(T, "bip_server");
	}
	ota_scp81_free(&card);
	memset(&card.bip, 0, sizeof(card.bip));
	memset(rt, 0, sizeof(*rt));
	rt->waiting = true;
	rt->left = 1;
	rt->delay = 1;
	queued = 0;
	n = ota_scp81_timer_expiration(&card, data, size, r);
	sw = n == 2 ? (uint16_t)(r[0] << 8 | r[1]) : 0;
	if (sw != 0x9000 && sw != 0x6a80)
		fuzz_die(T, "an expiry answered other than 9000 or 6A80");
	if (sw == 0x6a80 && (queued || !rt->waiting || rt->left != 1))
		fuzz_die(T, "a malformed expiry changed something");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ota_scp81_trigger t;
	struct ota_http_response r;
	uint8_t *buf = malloc(size ? size : 1), aid[16];
	size_t off = 0;
	long used;
	int n;

	if (!buf)
		fuzz_die(T, "out of memory");
	memcpy(buf, data, size);
	while (off < size) {
		used = ota_http_response_parse(buf + off, size - off, &r);
		if (used <= 0)
			break;
		if ((size_t)used > size - off || r.header_len > (size_t)used ||
		    r.body_len > SCP81_HTTP_MAX)
			fuzz_die(T, "a response outside its bytes");
		/* a length's body lies in the input; chunks are joined apart */
		if (r.body == r.body_buf ?
		    r.header_len + r.body_len > (size_t)used :
		    r.body != buf + off + r.header_len ||
		    r.header_len + r.body_len != (size_t)used)
			fuzz_die(T, "a body outside its response");
		if (strlen(r.next_uri) >= sizeof(r.next_uri) ||
		    strlen(r.target) >= sizeof(r.target))
			fuzz_die(T, "an unterminated header value");
		n = ota_http_target_aid(r.target, aid, sizeof(aid));
		if (n != -1 && (n < 5 || n > 16))
			fuzz_die(T, "an AID of impossible length");
		off += (size_t)used;
	}
	memcpy(buf, data, size);
	if (!ota_scp81_trigger_parse(buf, size, &t)) {
		if (strnlen(t.identity, sizeof(t.identity)) == sizeof(t.identity) ||
		    strnlen(t.host, sizeof(t.host)) == sizeof(t.host) ||
		    strnlen(t.from, sizeof(t.from)) == sizeof(t.from) ||
		    strnlen(t.uri, sizeof(t.uri)) == sizeof(t.uri))
			fuzz_die(T, "a trigger text unterminated");
		if ((t.uri[0] && t.uri[0] != '/') || t.kvn > 0x7f ||
		    (t.have_to && !t.port))
			fuzz_die(T, "a trigger taken with a value it refuses");
	}
	timer_expiration(data, size);
	free(buf);
	return 0;
}
