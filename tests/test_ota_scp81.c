// SPDX-License-Identifier: GPL-2.0-only
/*
 * The SCP81 admin agent's HTTP (agent/ota/scp81.c, GP Amendment B): the
 * POST it builds, byte for byte; the responses it takes (whole, in
 * pieces, one after another) and those it refuses (no length, chunked,
 * a Next-URI that is not a plain path, oversized); the targeted
 * application's AID; the administration session trigger (the server's,
 * read back by the card; hand-written ones, taken and refused); the
 * [ota] scp81_* profile fields; and the push's retry policy (a session
 * that fails on its way is opened again at its timer's expiry, while
 * retries are left, only with a terminal that runs timers).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"

#include "common/hex.h"
#include "ota-server/https.h"
#include "ota/card.h"
#include "ota/profile.h"
#include "ota/scp81.h"

#define R200 "HTTP/1.1 200 OK\r\n" \
	"X-Admin-Protocol: globalplatform-remote-admin/1.0\r\n" \
	"X-Admin-Next-URI: /admin/next\r\n" \
	"X-Admin-Targeted-Application: //aid/A000000559/10100101\r\n" \
	"Content-Type: application/vnd.globalplatform.card-content-mgt;version=1.0\r\n" \
	"Content-Length: 4\r\n\r\nAE80"

#define CHUNKED "HTTP/1.1 200 OK\r\nX-Admin-Protocol: globalplatform-remote-admin/1.0\r\n" \
		"Transfer-Encoding: Chunked\r\n\r\n"

static long parse(const char *s, struct ota_http_response *r)
{
	return ota_http_response_parse((const uint8_t *)s, strlen(s), r);
}

TEST(post_byte_for_byte)
{
	struct ota_scp81_cfg c = { .host = "127.0.0.1:4443",
				   .iccid = "8988211000000000011" };
	static const uint8_t body[] = { 0xaf, 0x80, 0x00, 0x00 };
	uint8_t out[600];
	long n;

	n = ota_http_post_build(&c, "/admin?app=demo", NULL, NULL, 0, out,
				sizeof(out));
	ASSERT_GT(n, 0);
	out[n] = 0;
	EXPECT_STREQ("POST /admin?app=demo HTTP/1.1\r\n"
		     "Host: 127.0.0.1:4443\r\n"
		     "X-Admin-Protocol: globalplatform-remote-admin/1.0\r\n"
		     "X-Admin-From: //se-id/iccid/8988211000000000011\r\n"
		     "Content-Type: application/vnd.globalplatform.card-content-mgt-response;version=1.0\r\n"
		     "Content-Length: 0\r\n\r\n", (char *)out);
	n = ota_http_post_build(&c, "/admin/next", "ok", body, sizeof(body),
				out, sizeof(out));
	ASSERT_GT(n, 4);
	EXPECT_EQ(0, memcmp(out + n - 4, body, 4));
	out[n - 4] = 0;
	EXPECT_NE(NULL, strstr((char *)out, "\r\nX-Admin-Script-Status: ok\r\n"));
	EXPECT_NE(NULL, strstr((char *)out, "\r\nContent-Length: 4\r\n\r\n"));
	/* too small a buffer: refused, not cut */
	EXPECT_EQ(-1, ota_http_post_build(&c, "/admin/next", "ok", body,
					  sizeof(body), out, 100));
}

TEST(responses_taken)
{
	struct ota_http_response r;
	char two[600];
	size_t i;

	EXPECT_EQ((long)strlen(R200), parse(R200, &r));
	EXPECT_EQ(200, r.status);
	EXPECT_TRUE(r.admin_protocol);
	EXPECT_STREQ("/admin/next", r.next_uri);
	EXPECT_STREQ("//aid/A000000559/10100101", r.target);
	EXPECT_EQ(4, r.body_len);
	EXPECT_EQ(0, memcmp(r.body, "AE80", 4));
	/* every shorter prefix asks for more */
	for (i = 0; i < strlen(R200); i++)
		EXPECT_EQ(0, ota_http_response_parse((const uint8_t *)R200, i, &r));
	/* 204 needs no length; two responses back to back: the first */
	snprintf(two, sizeof(two), "%s%s",
		 "HTTP/1.1 204 No Content\r\nX-Admin-Protocol: globalplatform-remote-admin/1.0\r\n\r\n",
		 R200);
	EXPECT_EQ(78, parse(two, &r));
	EXPECT_EQ(204, r.status);
	EXPECT_EQ((long)strlen(R200), parse(two + 78, &r));
	/* header names are case-insensitive; another protocol is noted */
	EXPECT_GT(parse("HTTP/1.1 200 OK\r\nx-admin-protocol: other/2.0\r\ncontent-length: 0\r\n\r\n", &r), 0);
	EXPECT_FALSE(r.admin_protocol);
}

/* RFC 9112 §7.1: chunks, extensions and trailers, joined into one body */
TEST(chunked_taken)
{
	static const char one[] = CHUNKED "2;name=\"v\"\r\nAE\r\n2 \r\n80\r\n0\r\nX-T: 1\r\n\r\n";
	static const char two[] = CHUNKED "a\r\n0123456789\r\n0\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n";
	struct ota_http_response r;
	size_t i;

	EXPECT_EQ((long)strlen(one), parse(one, &r));
	EXPECT_EQ(200, r.status);
	EXPECT_TRUE(r.admin_protocol);
	EXPECT_EQ(4, r.body_len);
	EXPECT_EQ(0, memcmp(r.body, "AE80", 4));
	/* every shorter prefix asks for more */
	for (i = 0; i < strlen(one); i++)
		EXPECT_EQ(0, ota_http_response_parse((const uint8_t *)one, i, &r));
	/* the first of two responses back to back; an empty body */
	EXPECT_EQ((long)strlen(two) - 27, parse(two, &r));
	EXPECT_EQ(10, r.body_len);
	EXPECT_EQ(0, memcmp(r.body, "0123456789", 10));
	EXPECT_EQ((long)strlen(CHUNKED "0\r\n\r\n"), parse(CHUNKED "0\r\n\r\n", &r));
	EXPECT_EQ(0, r.body_len);
}

/* chunks that each fit but add up past SCP81_HTTP_MAX */
TEST(chunked_too_long)
{
	static char msg[2 * SCP81_HTTP_MAX];
	struct ota_http_response r;
	int n = snprintf(msg, sizeof(msg), CHUNKED);

	for (int k = 0; k < 3; k++) {
		n += snprintf(msg + n, sizeof(msg) - n, "600\r\n");
		memset(msg + n, 'A', 0x600);
		n += 0x600;
		n += snprintf(msg + n, sizeof(msg) - n, "\r\n");
	}
	EXPECT_EQ(-1, ota_http_response_parse((const uint8_t *)msg, n, &r));
}

TEST(responses_refused)
{
	struct ota_http_response r;
	char big[200];

	EXPECT_EQ(-1, parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", &r));
	EXPECT_EQ(-1, parse("HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n", &r));
	EXPECT_EQ(-1, parse("HTTP/1.1 200 OK\r\n\r\n", &r));	/* no length */
	/* chunks and a length at once (smuggling), another coding, 204 with chunks */
	EXPECT_EQ(-1, parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n4\r\nAE80\r\n0\r\n\r\n", &r));
	EXPECT_EQ(-1, parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", &r));
	EXPECT_EQ(-1, parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", &r));
	EXPECT_EQ(-1, parse("HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", &r));
	/* broken chunks: no size, junk after it, data longer than said, too big, a trailer without a colon */
	EXPECT_EQ(-1, parse(CHUNKED "\r\nAE80\r\n0\r\n\r\n", &r));
	EXPECT_EQ(-1, parse(CHUNKED "4x\r\nAE80\r\n0\r\n\r\n", &r));
	EXPECT_EQ(-1, parse(CHUNKED "2\r\nAE80\r\n0\r\n\r\n", &r));
	EXPECT_EQ(-1, parse(CHUNKED "1001\r\n", &r));
	EXPECT_EQ(-1, parse(CHUNKED "FFFFFFFFFFFFFFFFF1\r\n", &r));
	EXPECT_EQ(-1, parse(CHUNKED "0\r\nno colon\r\n\r\n", &r));
	EXPECT_EQ(-1, parse("HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", &r));
	EXPECT_EQ(-1, parse("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nA", &r));
	EXPECT_EQ(-1, parse("HTTP/1.1 200 OK\r\nContent-Length: 99999\r\n\r\n", &r));
	/* the Next-URI goes into our request line: a path of visible ASCII */
	EXPECT_EQ(-1, parse("HTTP/1.1 200 OK\r\nX-Admin-Next-URI: http://x/\r\nContent-Length: 0\r\n\r\n", &r));
	EXPECT_EQ(-1, parse("HTTP/1.1 200 OK\r\nX-Admin-Next-URI: /a b\r\nContent-Length: 0\r\n\r\n", &r));
	memset(big, 'a', sizeof(big) - 1);
	big[0] = '/';
	big[sizeof(big) - 1] = 0;
	{
		char msg[400];

		snprintf(msg, sizeof(msg), "HTTP/1.1 200 OK\r\nX-Admin-Next-URI: %s\r\nContent-Length: 0\r\n\r\n", big);
		EXPECT_EQ(-1, parse(msg, &r));
	}
}

TEST(targeted_application)
{
	uint8_t aid[16];

	EXPECT_EQ(9, ota_http_target_aid("//aid/A000000559/10100101", aid, sizeof(aid)));
	EXPECT_EQ(0, memcmp(aid, "\xa0\x00\x00\x05\x59\x10\x10\x01\x01", 9));
	EXPECT_EQ(8, ota_http_target_aid("//aid/A000000151000000", aid, sizeof(aid)));
	EXPECT_EQ(-1, ota_http_target_aid("//se-id/A000000151000000", aid, sizeof(aid)));
	EXPECT_EQ(-1, ota_http_target_aid("//aid/A0000001", aid, sizeof(aid)));	/* < 5 */
	EXPECT_EQ(-1, ota_http_target_aid("//aid/A00000015G", aid, sizeof(aid)));
	EXPECT_EQ(-1, ota_http_target_aid("//aid/A0000001510000000000000000000000FF", aid, sizeof(aid)));
}

TEST(profile_fields)
{
	static const char ok[] =
		"[ota]\nbip_server = 127.0.0.1:4443\nscp81_identity = card-1\n"
		"scp81_psk = 000102030405060708090a0b0c0d0e0f\nscp81_uri = /admin\n";
	struct ota_profile p;
	struct ota_card o;
	char err[256];

	ASSERT_EQ(0, ota_profile_parse_buffer("t.ini", ok, &p, err, sizeof(err))) {
		TH_LOG("%s", err);
	}
	ota_card_init(&o, NULL);
	ota_profile_apply(&p, &o);
	EXPECT_TRUE(o.scp81_cfg.enabled);
	EXPECT_STREQ("card-1", o.scp81_cfg.identity);
	EXPECT_EQ(16, o.scp81_cfg.psk_len);
	EXPECT_STREQ("/admin", o.scp81_cfg.uri);
	EXPECT_STREQ("127.0.0.1:4443", o.scp81_cfg.host);
	EXPECT_EQ(SCP81_KVN_DEFAULT, o.scp81_cfg.kvn);	/* the PSK's key version */
	ota_card_wipe(&o);
	ota_profile_wipe(&p);
	ASSERT_EQ(0, ota_profile_parse_buffer("t.ini", "[ota]\nscp81_kvn = 0x41\n"
		"[ota keyset 2]\nalgorithm = aes\nkic = 000102030405060708090a0b0c0d0e0f\n"
		"kid = 000102030405060708090a0b0c0d0e0f\ndek = 0f0102030405060708090a0b0c0d0e0f\n",
		&p, err, sizeof(err))) {
		TH_LOG("%s", err);
	}
	EXPECT_EQ(0x41, p.scp81.kvn);
	EXPECT_EQ(16, p.keysets[2].dek.len);
	EXPECT_EQ(OTA_ALG_AES, p.keysets[2].dek.algo);
	ota_profile_wipe(&p);
	EXPECT_EQ(-1, ota_profile_parse_buffer("t.ini", "[ota]\nscp81_kvn = 0x80\n", &p, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "field 'scp81_kvn': 1..127"));
	EXPECT_EQ(-1, ota_profile_parse_buffer("t.ini", "[ota]\nscp81_kvn = 0\n", &p, err, sizeof(err)));
	/* a DEK of another length than the key set's algorithm takes */
	EXPECT_EQ(-1, ota_profile_parse_buffer("t.ini", "[ota keyset 2]\nalgorithm = aes\n"
		"kic = 000102030405060708090a0b0c0d0e0f\nkid = 000102030405060708090a0b0c0d0e0f\n"
		"dek = 0001020304050607\n", &p, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "[ota keyset 2]: algorithm, kic and kid are required (dek optional)"));
	EXPECT_EQ(-1, ota_profile_parse_buffer("t.ini", "[ota]\nscp81_psk = 0001\n", &p, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "t.ini:2: [ota] field 'scp81_psk': 16 or 32 bytes of hex"));
	EXPECT_EQ(-1, ota_profile_parse_buffer("t.ini", "[ota]\nscp81_uri = admin\n", &p, err, sizeof(err)));
	EXPECT_EQ(-1, ota_profile_parse_buffer("t.ini", "[ota]\nscp81_uri = /a?b=1\n", &p, err, sizeof(err)));
	EXPECT_EQ(-1, ota_profile_parse_buffer("t.ini", "[ota]\nbip_server = 127.0.0.1\n", &p, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "field 'bip_server'"));
	EXPECT_EQ(-1, ota_profile_parse_buffer("t.ini", "[ota]\nbip_server = 256.0.0.1:1\n", &p, err, sizeof(err)));
}

static int trig(const char *hex, struct ota_scp81_trigger *t)
{
	uint8_t b[300];
	int n = vsim_hex_parse(hex, b, sizeof(b));

	if (n < 0)
		return -2;
	return ota_scp81_trigger_parse(b, (size_t)n, t);
}

TEST(trigger_round_trip)
{
	struct ota_scp81_trigger t;
	uint8_t b[200];
	long n;

	n = ota_https_trigger("127.0.0.1:4443", "vsim-test-card", 0x41, "demo",
			      b, sizeof(b));
	ASSERT_GT(n, 0);
	/* 81 L 83 L 84 13 {35 01 03, 39 02 0578, 3C 03 02 115B, 3E 05 21 7F000001} ... */
	EXPECT_EQ(0x81, b[0]);
	EXPECT_EQ(n - 2, b[1]);
	EXPECT_EQ(0x83, b[2]);
	EXPECT_EQ(0, memcmp(b + 4, "\x84\x13\x35\x01\x03\x39\x02\x05\x78"
			    "\x3c\x03\x02\x11\x5b\x3e\x05\x21\x7f\x00\x00\x01", 21));
	ASSERT_EQ(0, ota_scp81_trigger_parse(b, (size_t)n, &t));
	EXPECT_TRUE(t.have_to);
	EXPECT_EQ(4443, t.port);
	EXPECT_EQ(0, memcmp(t.ip, "\x7f\x00\x00\x01", 4));
	EXPECT_STREQ("vsim-test-card", t.identity);
	EXPECT_EQ(0x41, t.kvn);
	EXPECT_STREQ("/vsim/push?app=demo", t.uri);
	EXPECT_STREQ("", t.host);
	EXPECT_FALSE(t.have_retry);
	/* it fits one SMS with the secured packet's 16-byte header, CC, padding */
	EXPECT_LE(n + 16 + 8 + 16, 137);
	EXPECT_EQ(-1, ota_https_trigger("localhost:4443", "x", 1, "demo", b,
					sizeof(b)));
	EXPECT_EQ(-1, ota_https_trigger("127.0.0.1:4443", "x", 0x80, "demo", b,
					sizeof(b)));
}

TEST(trigger_taken)
{
	struct ota_scp81_trigger t;

	/* all four: 84, 85 (identity, KVN 42 key 01), 86 (3 retries, 00:01:30), 89 (8A 8B 8C) */
	ASSERT_EQ(0, trig("813C833A840C3C0302115C3E05210A000002"
			  "850602696402420186070003250300100389198A04682E696F"
			  "8B092F2F73652D69642F318C062F612F623F63", &t));
	EXPECT_TRUE(t.have_to);
	EXPECT_EQ(4444, t.port);
	EXPECT_EQ(0, memcmp(t.ip, "\x0a\x00\x00\x02", 4));
	EXPECT_STREQ("id", t.identity);
	EXPECT_EQ(0x42, t.kvn);
	EXPECT_TRUE(t.have_retry);
	EXPECT_EQ(3, t.retries);
	EXPECT_EQ(90, t.retry_delay);
	EXPECT_STREQ("h.io", t.host);
	EXPECT_STREQ("//se-id/1", t.from);
	EXPECT_STREQ("/a/b?c", t.uri);
	/* nothing but the wrapper: the profile's values */
	ASSERT_EQ(0, trig("81028300", &t));
	EXPECT_FALSE(t.have_to);
	EXPECT_EQ(0, t.kvn);
	EXPECT_STREQ("", t.uri);
	/* a parameter vsim does not use is skipped */
	ASSERT_EQ(0, trig("8105830387010F", &t));
}

TEST(trigger_refused)
{
	static const char *const bad[] = {
		"8200",					/* not 81 */
		"81038300",				/* a length past the end */
		"810283000000",				/* bytes after it */
		"81028400",				/* no 83 */
		"8109830784053C0302115C",		/* a port, no address */
		"810B830984073E05217F000001",		/* an address, no port */
		"8109830784053E05217F00",		/* a short address */
		"8110830E840C3C0301115C3E05217F000001",	/* UDP */
		"811E831C840C3C0302115C3E05217F000001840C3C0302115C3E05217F000001", /* 84 twice */
		"8106830485020561",			/* identity past its TLV */
		"81088306850401610180",			/* KVN 80 */
		"8109830785050161024202",		/* key ID 02 */
		"8105830386010A",			/* retry: 1 byte */
		"810B830986070001250300000A",		/* BCD digit A */
		"810B8309860700012503001600",		/* 61 minutes */
		"8109830789058C03612F62",		/* a URI without / */
		"8109830789058C032F2062",		/* a space in the URI */
		"8106830489028A00",			/* an empty host */
	};
	struct ota_scp81_trigger t;
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		EXPECT_EQ(-1, trig(bad[i], &t)) {
			TH_LOG("taken: %s", bad[i]);
		}
	}
}

/* ---- the retry policy: a card whose terminal is this test ---- */

static char queued[8][300];	/* the proactive commands, "type qualifier TLVs" */
static unsigned int nqueued;
static bool terminal_has_timers;

static size_t no_card(void *card, const uint8_t *c, size_t len, uint8_t *r)
{
	(void)card, (void)c, (void)len;
	r[0] = 0x6a, r[1] = 0x82;
	return 2;
}

static int record_cmd(void *card, uint8_t type, uint8_t q, uint8_t dest,
		      const uint8_t *tlvs, size_t len, uint32_t flags)
{
	int n;

	(void)card, (void)dest;
	/* as the engine does for VSIM_PROACTIVE_F_DECLARED */
	if (type == 0x27 && (!terminal_has_timers ||
			     !(flags & VSIM_PROACTIVE_F_DECLARED)))
		return -EOPNOTSUPP;
	if (nqueued == 8)
		return -ENOSPC;
	n = snprintf(queued[nqueued], sizeof(queued[0]), "%02X %02X ", type, q);
	for (size_t i = 0; i < len; i++)
		n += snprintf(queued[nqueued] + n, sizeof(queued[0]) - n, "%02X",
			      tlvs[i]);
	nqueued++;
	return 0;
}

/* Hand the card one C-APDU in hex; its status word. */
static uint16_t card_apdu(struct ota_card *o, const char *hex)
{
	uint8_t c[300], r[VSIM_RAPDU_MAX];
	int n = vsim_hex_parse(hex, c, sizeof(c));
	size_t rl;

	if (n < 0)
		return 0;
	rl = ota_card_slow_path(o, c, (size_t)n, r);
	return rl < 2 ? 0 : (uint16_t)(r[rl - 2] << 8 | r[rl - 1]);
}

static void retry_card(struct ota_card *o)
{
	ota_card_init(o, NULL);
	o->exec = no_card;
	o->queue_proactive = record_cmd;
	o->card = o;
	o->scp81_cfg.enabled = true;
	strcpy(o->scp81_cfg.identity, "card-1");
	memset(o->scp81_cfg.psk, 0x11, 16);
	o->scp81_cfg.psk_len = 16;
	o->scp81_cfg.kvn = SCP81_KVN_DEFAULT;
	strcpy(o->scp81_cfg.uri, "/");
	ota_bip_cfg_parse("127.0.0.1:4443", &o->bip_cfg);
	nqueued = 0;
	terminal_has_timers = true;
}

/* the push: to 127.0.0.1:4444, retry counter @n, delay 00:00:02 */
static uint16_t push(struct ota_card *o, unsigned int n)
{
	char hex[100];
	uint8_t b[60];
	int l;

	snprintf(hex, sizeof(hex), "8121831F840C3C0302115C3E05217F000001"
		 "8607%04X2503000020" "89068C042F612F62", n);
	l = vsim_hex_parse(hex, b, sizeof(b));
	return l < 0 ? 0 : ota_scp81_push(o, b, (size_t)l);
}

/* OPEN CHANNEL answered "BIP error, channel closed": the server unreachable */
#define OPEN_FAILED	"80140000118103014001820282818302" "3A02B8020000"
#define EVENTS_OK	"801400000C810302050082028281830100"
#define TIMER_OK	"801400000F810303270082028281830100A40101"
#define EXPIRED(id)	"80C200000ED70C8202828124010" id "2503000020"

TEST(retry_until_exhausted)
{
	static struct ota_card o;

	retry_card(&o);
	ASSERT_EQ(0x9000, push(&o, 2));
	ASSERT_EQ(2, nqueued);
	EXPECT_EQ(0, strncmp("40 01 ", queued[0], 6));
	EXPECT_NE(NULL, strstr(queued[0], "BC0302115C"));	/* the trigger's port */
	EXPECT_EQ(2, o.scp81_retry.left);
	EXPECT_EQ(1, o.scp81_retry.attempts);
	for (unsigned int attempt = 1; attempt <= 3; attempt++) {
		nqueued = 0;
		EXPECT_EQ(0x9000, card_apdu(&o, OPEN_FAILED));
		EXPECT_STREQ("the channel did not open", o.scp81_last.why);
		EXPECT_EQ(0x9000, card_apdu(&o, EVENTS_OK));
		if (attempt == 3)
			break;
		/* TIMER MANAGEMENT start: timer 1, 00:00:02 (BCD, low nibble first) */
		ASSERT_EQ(1, nqueued);
		EXPECT_STREQ("27 00 A40101A503000020", queued[0]);
		EXPECT_TRUE(o.scp81_retry.waiting);
		EXPECT_EQ(0x9000, card_apdu(&o, TIMER_OK));
		/* a malformed expiry, and one of another timer: nothing */
		EXPECT_EQ(0x6a80, card_apdu(&o, "80C200000BD7098202828124010125"));
		EXPECT_EQ(0x6a80, card_apdu(&o, "80C200000ED70C820283812401012503000020"));
		EXPECT_EQ(0x9000, card_apdu(&o, EXPIRED("2")));
		EXPECT_EQ(1, nqueued);
		EXPECT_EQ(attempt, o.scp81_retry.attempts);
		/* ours: the session again, to the trigger's address */
		nqueued = 0;
		EXPECT_EQ(0x9000, card_apdu(&o, EXPIRED("1")));
		ASSERT_EQ(2, nqueued);
		EXPECT_EQ(0, strncmp("40 01 ", queued[0], 6));
		EXPECT_NE(NULL, strstr(queued[0], "BC0302115C"));
		EXPECT_EQ(attempt + 1, o.scp81_retry.attempts);
		EXPECT_EQ(2 - attempt, o.scp81_retry.left);
		/* the same expiry again (a stale or doubled one): nothing */
		nqueued = 0;
		EXPECT_EQ(0x9000, card_apdu(&o, EXPIRED("1")));
		EXPECT_EQ(0, nqueued);
	}
	/* counter 2: three sessions, then no timer */
	EXPECT_EQ(0, nqueued);
	EXPECT_EQ(3, o.scp81_retry.attempts);
	EXPECT_STREQ("retries exhausted", o.scp81_retry.stopped);
	EXPECT_EQ(0x9000, card_apdu(&o, EXPIRED("1")));
	EXPECT_EQ(0, nqueued);
	ota_card_wipe(&o);
}

TEST(retry_needs_a_policy_and_the_terminal_timers)
{
	static struct ota_card o;

	/* counter 0: no retry */
	retry_card(&o);
	ASSERT_EQ(0x9000, push(&o, 0));
	nqueued = 0;
	EXPECT_EQ(0x9000, card_apdu(&o, OPEN_FAILED));
	EXPECT_EQ(0, nqueued);
	EXPECT_EQ(NULL, o.scp81_retry.stopped);
	ota_card_wipe(&o);
	/* the menu's session has no retry policy */
	retry_card(&o);
	ASSERT_EQ(0, ota_scp81_start(&o));
	nqueued = 0;
	EXPECT_EQ(0x9000, card_apdu(&o, OPEN_FAILED));
	EXPECT_EQ(0, nqueued);
	ota_card_wipe(&o);
	/* a terminal whose profile declares no timers: not retried */
	retry_card(&o);
	terminal_has_timers = false;
	ASSERT_EQ(0x9000, push(&o, 2));
	nqueued = 0;
	EXPECT_EQ(0x9000, card_apdu(&o, OPEN_FAILED));
	EXPECT_EQ(0, nqueued);
	EXPECT_STREQ("the terminal declares no timers: not retried",
		     o.scp81_retry.stopped);
	ota_card_wipe(&o);
	/* a terminal that refuses the timer (command beyond its capabilities) */
	retry_card(&o);
	ASSERT_EQ(0x9000, push(&o, 2));
	nqueued = 0;
	EXPECT_EQ(0x9000, card_apdu(&o, OPEN_FAILED));
	ASSERT_EQ(1, nqueued);
	EXPECT_EQ(0x9000, card_apdu(&o, "801400000C810301270082028281830130"));
	EXPECT_STREQ("the terminal refused the retry's timer", o.scp81_retry.stopped);
	nqueued = 0;
	EXPECT_EQ(0x9000, card_apdu(&o, EXPIRED("1")));
	EXPECT_EQ(0, nqueued);
	ota_card_wipe(&o);
	/* a new push while a retry waits: the old timer's expiry opens nothing */
	retry_card(&o);
	ASSERT_EQ(0x9000, push(&o, 2));
	EXPECT_EQ(0x9000, card_apdu(&o, OPEN_FAILED));
	EXPECT_EQ(0x9000, card_apdu(&o, TIMER_OK));
	ASSERT_EQ(0x9000, push(&o, 0));
	nqueued = 0;
	EXPECT_EQ(0x9000, card_apdu(&o, EXPIRED("1")));
	EXPECT_EQ(0, nqueued);
	ota_card_wipe(&o);
}

TEST_HARNESS_MAIN
