// SPDX-License-Identifier: GPL-2.0-only
/*
 * The card's OTA side against the real engine: ENVELOPE SMS-PP download
 * with single and concatenated SMS (8- and 16-bit references, parts out
 * of order, duplicates, a missing part and its timeout), remote file
 * management on the MF and ADF.USIM in compact and expanded formats, the
 * binding TAR, PoR in the ENVELOPE response and by SEND SHORT MESSAGE,
 * every refusal with its PoR status and the card left as it was, and the
 * card reached only through struct ota_card's exec / queue_proactive.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wmisleading-indentation"
#include "kselftest_harness.h"

#include "ota/card.h"
#include "ota/gp.h"
#include "ota/rapdu.h"
#include "otatest.h"
#include "testcard.h"

#define KIC3 "300102030405060708090a0b0c0d0e0f"
#define KID3 "301102030405060708090a0b0c0d0e0f"
#define KIC2 "200102030405060708090a0b0c0d0e0f"
#define KID2 "201102030405060708090a0b0c0d0e0f"

/* SPIs: CC + ciphering + counter higher; PoR CC + ciphered, in RP-ACK */
#define SPI1_FULL (OTA_CHECK_CC | OTA_SPI1_CIPHER | OTA_CNTR_HIGHER << 3)
#define SPI2_FULL (OTA_POR_REQUIRED | OTA_CHECK_CC << 2 | OTA_SPI2_POR_CIPHER)

static time_t clock_now = 1000;
static time_t rig_now(void)
{
	return clock_now;
}

struct rig {
	struct testcard t;
	struct ota_card o;
	struct ota_addr server;
	uint64_t counter;		/* the server's, for key set 3 */
	uint8_t por[300];
	size_t por_len;
	uint16_t sw;			/* of the last ENVELOPE */
	int commit_fail;
	unsigned int commits;
};

static int commit(void *ctx, unsigned int ks, uint64_t v)
{
	struct rig *r = ctx;

	if (r->commit_fail)
		return -1;
	r->commits++;
	return 0;
}

static int rig_open(struct rig *r)
{
	memset(r, 0, sizeof(*r));
	if (testcard_open(&r->t, TESTCARD_PROFILE, NULL))
		return -1;
	ota_card_init(&r->o, r->t.h.card);
	r->o.keysets[2] = (struct ota_keyset){ .present = true,
		.kic = ot_key(OTA_ALG_AES, KIC2), .kid = ot_key(OTA_ALG_AES, KID2) };
	r->o.keysets[3] = (struct ota_keyset){ .present = true,
		.kic = ot_key(OTA_ALG_3DES2, KIC3), .kid = ot_key(OTA_ALG_3DES2, KID3) };
	r->o.commit_counter = commit;
	r->o.commit_ctx = r;
	r->o.now = rig_now;
	r->t.h.slow_path = ota_card_slow_path;
	r->t.h.slow_ctx = &r->o;
	ota_addr_from_string("+4912345", &r->server);
	return 0;
}

static void rig_close(struct rig *r)
{
	ota_card_wipe(&r->o);
	testcard_close(&r->t);
}

/* One APDU; a 61xx is followed by GET RESPONSE. Data to @out. */
static uint16_t xfer(struct rig *r, const uint8_t *c, size_t len,
		     uint8_t *out, size_t *olen)
{
	uint8_t rap[VSIM_RAPDU_MAX], gr[5] = { 0x00, 0xc0, 0, 0, 0 };
	size_t n = vsim_card_transact(r->t.h.card, c, len, rap);
	uint16_t sw = (uint16_t)(rap[n - 2] << 8 | rap[n - 1]);

	if ((sw >> 8) == 0x61) {
		gr[4] = (uint8_t)sw;
		n = vsim_card_transact(r->t.h.card, gr, 5, rap);
		sw = (uint16_t)(rap[n - 2] << 8 | rap[n - 1]);
	}
	*olen = n - 2;
	memcpy(out, rap, n - 2);
	return sw;
}

static ssize_t build(struct rig *r, uint8_t spi1, uint8_t spi2, uint8_t ks,
		     uint32_t tar, uint64_t ctr, const char *hex,
		     uint8_t *pkt)
{
	uint8_t spi[2] = { spi1, spi2 }, t[3] = { tar >> 16, tar >> 8, tar };
	uint8_t data[1200];
	int n = ot_unhex(hex, data, sizeof(data));
	struct ota_key kic = ks == 2 ? ot_key(OTA_ALG_AES, KIC2) :
			     ot_key(OTA_ALG_3DES2, KIC3);
	struct ota_key kid = ks == 2 ? ot_key(OTA_ALG_AES, KID2) :
			     ot_key(OTA_ALG_3DES2, KID3);
	uint8_t coding = ks == 2 ? 0x22 : 0x35;

	return ota_cmd_build(spi, coding, coding, t, ctr, &kic, &kid, data,
			     (size_t)n, pkt, 1400);
}

/*
 * Send a packet as SMS (@ref < 0: one message) in the part order @order
 * ("" = natural, else digits 1..9 as a string). Keeps the last ENVELOPE's
 * answer in r->por / r->sw.
 */
static int send(struct rig *r, const uint8_t *pkt, size_t len, int ref,
		const char *order)
{
	uint8_t tpdu[OTA_CONCAT_PARTS_MAX][OTA_TPDU_MAX], env[300];
	size_t tl[OTA_CONCAT_PARTS_MAX], i, k;
	int parts = ota_sms_deliver_parts(pkt, len, &r->server, ref, tpdu, tl,
					  OTA_CONCAT_PARTS_MAX);

	if (parts < 0)
		return -1;
	k = order && *order ? strlen(order) : (size_t)parts;
	for (i = 0; i < k; i++) {
		size_t p = order && *order ? (size_t)(order[i] - '1') : i;
		int n = ota_envelope_build(tpdu[p], tl[p], env, sizeof(env));

		if (n < 0)
			return -1;
		r->sw = xfer(r, env, (size_t)n, r->por, &r->por_len);
	}
	return parts;
}

/* Open r->por as the server would; the compact/expanded data to @resp. */
static int open_por(struct rig *r, uint8_t spi1, uint8_t spi2, uint8_t ks,
		    struct ota_por *p)
{
	static uint8_t buf[300];
	uint8_t spi[2] = { spi1, spi2 }, coding = ks == 2 ? 0x22 : 0x35;
	struct ota_key kic = ks == 2 ? ot_key(OTA_ALG_AES, KIC2) :
			     ot_key(OTA_ALG_3DES2, KIC3);
	struct ota_key kid = ks == 2 ? ot_key(OTA_ALG_AES, KID2) :
			     ot_key(OTA_ALG_3DES2, KID3);

	return ota_por_open(spi, coding, coding, &kic, &kid, r->por,
			    r->por_len, buf, p);
}

#define READ_ICCID	"00A4000C022FE2 00B000000A"
#define ICCID_BYTES	"988812010000000010f1"

FIXTURE(ota) {
	struct rig r;
};

FIXTURE_SETUP(ota)
{
	ASSERT_EQ(0, rig_open(&self->r));
}

FIXTURE_TEARDOWN(ota)
{
	rig_close(&self->r);
}

TEST_F(ota, rfm_uicc_compact_read_iccid)
{
	uint8_t pkt[1400];
	struct ota_por p;
	ssize_t n = build(&self->r, SPI1_FULL, SPI2_FULL, 3, OTA_TAR_RFM_UICC,
			  1, READ_ICCID, pkt);

	ASSERT_LT(0, n);
	ASSERT_STREQ("9000", tc(&self->r.t, "00A4040C07A0000000871002"));
	ASSERT_EQ(1, send(&self->r, pkt, (size_t)n, -1, NULL));
	ASSERT_EQ(0x9000, self->r.sw);
	ASSERT_EQ(0, open_por(&self->r, SPI1_FULL, SPI2_FULL, 3, &p));
	ASSERT_EQ(OTA_ST_OK, p.status);
	ASSERT_TRUE(p.secured);
	ASSERT_EQ(1U, p.counter);
	/* compact: 2 commands, 9000, ICCID */
	ASSERT_STREQ("029000" ICCID_BYTES, ot_hex(p.data, p.data_len));
	ASSERT_EQ(1U, self->r.o.keysets[3].counter);
	ASSERT_EQ(1U, self->r.commits);
	/* the terminal's own selection (ADF.USIM, chosen before) stays */
	ASSERT_STREQ("9000", tc(&self->r.t, "00A4000C026F46"));
}

TEST_F(ota, rfm_usim_expanded_update_then_terminal_reads)
{
	uint8_t pkt[1400];
	struct ota_por p;
	/* from ADF.USIM: select EF_SPN, write it, read it back */
	ssize_t n = build(&self->r, SPI1_FULL, SPI2_FULL, 2, OTA_TAR_RFM_USIM,
			  1, "AA 28 22 07 00A4000C026F46"
			     " 22 16 00D6000011 016F7461FFFFFFFFFFFFFFFFFFFFFFFFFF"
			     " 22 05 00B0000003", pkt);

	ASSERT_LT(0, n);
	ASSERT_EQ(1, send(&self->r, pkt, (size_t)n, -1, NULL));
	ASSERT_EQ(0, open_por(&self->r, SPI1_FULL, SPI2_FULL, 2, &p));
	ASSERT_EQ(OTA_ST_OK, p.status);
	/* AB, 3 executed, R-APDUs 9000, 9000, 016F74 9000 */
	ASSERT_STREQ("ab1280010323029000230290002305016f749000",
		     ot_hex(p.data, p.data_len));
	/* the terminal now reads the new SPN */
	tc(&self->r.t, "00A4040C07A0000000871002");
	tc(&self->r.t, "00A4000C026F46");
	ASSERT_STREQ("016F7461FFFF9000", tc(&self->r.t, "00B0000006"));
}

TEST_F(ota, script_stops_at_first_error)
{
	uint8_t pkt[1400];
	struct ota_por p;
	ssize_t n = build(&self->r, SPI1_FULL, SPI2_FULL, 3, OTA_TAR_RFM_UICC,
			  1, "00A4000C02AAAA 00B000000A", pkt);

	send(&self->r, pkt, (size_t)n, -1, NULL);
	ASSERT_EQ(0, open_por(&self->r, SPI1_FULL, SPI2_FULL, 3, &p));
	ASSERT_EQ(OTA_ST_OK, p.status);
	ASSERT_STREQ("016a82", ot_hex(p.data, p.data_len));
	/* a malformed C-APDU counts as executed with 6700 */
	n = build(&self->r, SPI1_FULL, SPI2_FULL, 3, OTA_TAR_RFM_UICC, 2,
		  "00A4000C023F00 00D6000005 0102", pkt);
	send(&self->r, pkt, (size_t)n, -1, NULL);
	ASSERT_EQ(0, open_por(&self->r, SPI1_FULL, SPI2_FULL, 3, &p));
	ASSERT_STREQ("026700", ot_hex(p.data, p.data_len));
	/* an expanded script with an unknown tag: bad format */
	n = build(&self->r, SPI1_FULL, SPI2_FULL, 3, OTA_TAR_RFM_UICC, 3,
		  "AA 0C 22 07 00A4000C023F00 99 01 00", pkt);
	send(&self->r, pkt, (size_t)n, -1, NULL);
	ASSERT_EQ(0, open_por(&self->r, SPI1_FULL, SPI2_FULL, 3, &p));
	ASSERT_STREQ("ab0a80010123029000900101", ot_hex(p.data, p.data_len));
}

/* A long script: UPDATE BINARY of EF_SPN done in 3 SMS, any order. */
static const char *long_script(void)
{
	static char s[2048];
	int i;

	strcpy(s, "00A4040C07A0000000871002 00A4000C026F46");
	for (i = 0; i < 12; i++)
		strcat(s, " 00D6000011 02414243FFFFFFFFFFFFFFFFFFFFFFFFFF");
	strcat(s, " 00B0000004");
	return s;
}

TEST_F(ota, concatenated_8bit_out_of_order_with_duplicate)
{
	uint8_t pkt[1400];
	struct ota_por p;
	ssize_t n = build(&self->r, SPI1_FULL, SPI2_FULL, 3, OTA_TAR_RFM_UICC,
			  1, long_script(), pkt);

	ASSERT_LT(140, n);
	ASSERT_EQ(3, send(&self->r, pkt, (size_t)n, 0x42, "3"));
	ASSERT_EQ(0x9000, self->r.sw);
	ASSERT_EQ(0U, self->r.por_len);		/* kept, no PoR yet */
	send(&self->r, pkt, (size_t)n, 0x42, "3");	/* duplicate */
	ASSERT_EQ(0U, self->r.por_len);
	send(&self->r, pkt, (size_t)n, 0x42, "1");
	ASSERT_EQ(0U, self->r.por_len);
	ASSERT_EQ(0U, self->r.o.keysets[3].counter);	/* nothing ran */
	send(&self->r, pkt, (size_t)n, 0x42, "2");
	ASSERT_EQ(0, open_por(&self->r, SPI1_FULL, SPI2_FULL, 3, &p));
	ASSERT_EQ(OTA_ST_OK, p.status);
	ASSERT_STREQ("0f900002414243", ot_hex(p.data, p.data_len));
	ASSERT_EQ(1U, self->r.o.keysets[3].counter);
}

TEST_F(ota, concatenated_16bit)
{
	uint8_t pkt[1400];
	struct ota_por p;
	ssize_t n = build(&self->r, SPI1_FULL, SPI2_FULL, 2, OTA_TAR_RFM_UICC,
			  1, long_script(), pkt);

	ASSERT_EQ(3, send(&self->r, pkt, (size_t)n, 0x1234, "213"));
	ASSERT_EQ(0, open_por(&self->r, SPI1_FULL, SPI2_FULL, 2, &p));
	ASSERT_EQ(OTA_ST_OK, p.status);
	ASSERT_STREQ("0f900002414243", ot_hex(p.data, p.data_len));
}

TEST_F(ota, concatenated_missing_part_times_out)
{
	uint8_t pkt[1400];
	ssize_t n = build(&self->r, SPI1_FULL, SPI2_FULL, 3, OTA_TAR_RFM_UICC,
			  1, long_script(), pkt);

	send(&self->r, pkt, (size_t)n, 7, "13");
	ASSERT_EQ(0U, self->r.por_len);
	clock_now += OTA_CONCAT_TIMEOUT;	/* part 2 never came in time */
	send(&self->r, pkt, (size_t)n, 7, "2");
	ASSERT_EQ(0x9000, self->r.sw);
	ASSERT_EQ(0U, self->r.por_len);	/* a new, incomplete message */
	ASSERT_EQ(1U, self->r.o.reasm.dropped);
	ASSERT_EQ(0U, self->r.o.last.packets);	/* no packet was opened */
	/* the file was never written */
	tc(&self->r.t, "00A4040C07A0000000871002");
	tc(&self->r.t, "00A4000C026F46");
	ASSERT_STREQ("007673699000", tc(&self->r.t, "00B0000004"));
	/* bounded: more messages than slots drop the oldest */
	send(&self->r, pkt, (size_t)n, 8, "1");
	send(&self->r, pkt, (size_t)n, 9, "1");
	send(&self->r, pkt, (size_t)n, 10, "1");
	send(&self->r, pkt, (size_t)n, 11, "1");
	ASSERT_EQ(2U, self->r.o.reasm.dropped);
	/* a part numbered beyond its total is malformed */
	{
		uint8_t tp[OTA_CONCAT_PARTS_MAX][OTA_TPDU_MAX], env[300];
		size_t tl[OTA_CONCAT_PARTS_MAX], rl;
		uint8_t out[300];
		int e;

		ota_sms_deliver_parts(pkt, (size_t)n, &self->r.server, 5, tp,
				      tl, OTA_CONCAT_PARTS_MAX);
		/* UDH of part 2: 05 00 03 05 03 02: seq byte at 1+... */
		tp[1][tl[1] - (OTA_SMS_UD_MAX - 6) - 1] = 4;
		e = ota_envelope_build(tp[1], tl[1], env, sizeof(env));
		ASSERT_EQ(0x6a80, xfer(&self->r, env, (size_t)e, out, &rl));
	}
}

TEST_F(ota, por_by_send_short_message)
{
	uint8_t pkt[1400], rap[300], spi2 = SPI2_FULL | OTA_SPI2_POR_SUBMIT;
	struct ota_sms sms;
	const char *why;
	struct ota_por p;
	size_t rl;
	ssize_t n = build(&self->r, SPI1_FULL, spi2, 3, OTA_TAR_RFM_UICC, 1,
			  READ_ICCID, pkt);
	char fetch[16];

	send(&self->r, pkt, (size_t)n, -1, NULL);
	/* ENVELOPE: 91xx, nothing in the RP-ACK */
	ASSERT_EQ(0x91, self->r.sw >> 8);
	ASSERT_EQ(0U, self->r.por_len);
	snprintf(fetch, sizeof(fetch), "80120000%02X", self->r.sw & 0xff);
	ASSERT_EQ(0x9000, xfer(&self->r, (uint8_t[]){ 0x80, 0x12, 0, 0,
			       (uint8_t)self->r.sw }, 5, rap, &rl));
	/* D0 L 81 03 01 13 00 82 02 81 83 8B L <SMS-SUBMIT> */
	ASSERT_EQ(0xd0, rap[0]);
	ASSERT_STREQ("8103011300820281838b", ot_hex(rap + 2, 10));
	ASSERT_EQ(0, ota_sms_submit_parse(rap + 13, rap[12], &sms, &why));
	ASSERT_TRUE(sms.rpi);
	ASSERT_STREQ("4912345", sms.addr.digits);
	ASSERT_EQ(0x7f, sms.pid);
	/* the UD is the response packet; give it back its UDH to open it */
	self->r.por[0] = 0x02, self->r.por[1] = 0x71, self->r.por[2] = 0x00;
	memcpy(self->r.por + 3, sms.ud, sms.ud_len);
	self->r.por_len = 3 + sms.ud_len;
	ASSERT_EQ(0, open_por(&self->r, SPI1_FULL, spi2, 3, &p));
	ASSERT_EQ(OTA_ST_OK, p.status);
	ASSERT_STREQ("029000" ICCID_BYTES, ot_hex(p.data, p.data_len));
	/* the terminal reports the SMS sent */
	ASSERT_STREQ("9000", tc(&self->r.t, "801400000C 810301130082028281830100"));
}

/* More response than one SMS-SUBMIT carries: cut, marked 62F1, stopped. */
TEST_F(ota, expanded_response_truncated)
{
	uint8_t pkt[1400], rap[300], spi2 = SPI2_FULL | OTA_SPI2_POR_SUBMIT;
	struct ota_sms sms;
	const char *why;
	struct ota_por p;
	size_t rl;
	const char *hex;
	ssize_t n = build(&self->r, SPI1_FULL, spi2, 3, OTA_TAR_RFM_USIM, 1,
			  "AA 33 22 07 00A4000C026F46 22 05 00B0000011"
			  " 22 05 00B0000011 22 05 00B0000011 22 05 00B0000011"
			  " 22 05 00B0000011 22 05 00B0000011", pkt);

	send(&self->r, pkt, (size_t)n, -1, NULL);
	ASSERT_EQ(0x91, self->r.sw >> 8);
	xfer(&self->r, (uint8_t[]){ 0x80, 0x12, 0, 0, (uint8_t)self->r.sw },
	     5, rap, &rl);
	/* D0 81 L {81 03 ..} {82 02 ..} 8B 81 L <SMS-SUBMIT> */
	ASSERT_STREQ("d081", ot_hex(rap, 2)) {
		TH_LOG("%s status %d", ot_hex(rap, rl), self->r.o.last.status);
	}
	ASSERT_STREQ("8b81", ot_hex(rap + 12, 2));
	ASSERT_EQ(0, ota_sms_submit_parse(rap + 15, rap[14], &sms, &why));
	self->r.por[0] = 0x02, self->r.por[1] = 0x71, self->r.por[2] = 0x00;
	memcpy(self->r.por + 3, sms.ud, sms.ud_len);
	self->r.por_len = 3 + sms.ud_len;
	ASSERT_EQ(0, open_por(&self->r, SPI1_FULL, spi2, 3, &p));
	hex = ot_hex(p.data, p.data_len);
	/* SELECT and 4 whole READs fit; the 5th is cut, says 62f1, ends it */
	ASSERT_EQ(0, strncmp(hex + 4, "800106", 6)) {
		TH_LOG("%s", hex);
	}
	ASSERT_STREQ("62f1", hex + strlen(hex) - 4);
	ASSERT_GE((size_t)OTA_SMS_UD_MAX, sms.ud_len);
}

/* The engine's queue for the host's proactive commands. */
TEST_F(ota, queue_proactive_checks_shape)
{
	struct vsim_card *c = self->r.t.h.card;
	uint8_t big[300] = { 0x8b, 0x81, 250 };

	ASSERT_EQ(-EINVAL, vsim_card_queue_proactive(c, 0x13, 0, 0x83,
						     (uint8_t[]){ 0x8b, 0x05, 1 }, 3));
	ASSERT_EQ(-ENOSPC, vsim_card_queue_proactive(c, 0x13, 0, 0x83, big, 253));
	ASSERT_EQ(0, vsim_card_queue_proactive(c, 0x25, 0, 0x82,
					       (uint8_t[]){ 0x85, 0x01, 'M' }, 3));
	/* the terminal is told: 91 xx after the next command */
	ASSERT_STREQ("910E", tc(&self->r.t, "00A4000C023F00"));
	ASSERT_STREQ("D00C81030125008202818285014D9000",
		     tc(&self->r.t, "801200000E"));
}

/* ---- refusals: PoR status, nothing changed ---- */

static void assert_spn_untouched(struct __test_metadata *_metadata,
				 struct rig *r)
{
	tc(&r->t, "00A4040C07A0000000871002");
	tc(&r->t, "00A4000C026F46");
	ASSERT_STREQ("007673699000", tc(&r->t, "00B0000004"));
}

#define WRITE_SPN "00A4040C07A0000000871002 00A4000C026F46 00D6000003 02585858"

TEST_F(ota, wrong_checksum)
{
	uint8_t pkt[1400];
	struct ota_por p;
	ssize_t n = build(&self->r, SPI1_FULL, SPI2_FULL, 3, OTA_TAR_RFM_UICC,
			  1, WRITE_SPN, pkt);

	pkt[n - 1] ^= 0x20;	/* last cipher block: CC no longer matches */
	send(&self->r, pkt, (size_t)n, -1, NULL);
	ASSERT_EQ(0, open_por(&self->r, SPI1_FULL, SPI2_FULL, 3, &p));
	ASSERT_EQ(OTA_ST_CHECK_FAILED, p.status);
	ASSERT_FALSE(p.secured);
	ASSERT_EQ(0U, self->r.o.keysets[3].counter);
	ASSERT_EQ(0U, self->r.commits);
	assert_spn_untouched(_metadata, &self->r);
}

TEST_F(ota, replayed_and_out_of_window_counter)
{
	uint8_t pkt[1400];
	struct ota_por p;
	ssize_t n = build(&self->r, SPI1_FULL, SPI2_FULL, 3, OTA_TAR_RFM_UICC,
			  5, READ_ICCID, pkt);

	send(&self->r, pkt, (size_t)n, -1, NULL);
	ASSERT_EQ(0, open_por(&self->r, SPI1_FULL, SPI2_FULL, 3, &p));
	ASSERT_EQ(OTA_ST_OK, p.status);
	/* the same packet again: counter low, secured PoR */
	send(&self->r, pkt, (size_t)n, -1, NULL);
	ASSERT_EQ(0, open_por(&self->r, SPI1_FULL, SPI2_FULL, 3, &p));
	ASSERT_EQ(OTA_ST_CNTR_LOW, p.status);
	ASSERT_TRUE(p.secured);
	ASSERT_EQ(0U, p.data_len);
	/* a jump past the window */
	self->r.o.window = 10;
	n = build(&self->r, SPI1_FULL, SPI2_FULL, 3, OTA_TAR_RFM_UICC, 16,
		  WRITE_SPN, pkt);
	send(&self->r, pkt, (size_t)n, -1, NULL);
	ASSERT_EQ(0, open_por(&self->r, SPI1_FULL, SPI2_FULL, 3, &p));
	ASSERT_EQ(OTA_ST_CNTR_HIGH, p.status);
	ASSERT_EQ(5U, self->r.o.keysets[3].counter);
	ASSERT_EQ(1U, self->r.commits);
	assert_spn_untouched(_metadata, &self->r);
}

TEST_F(ota, counter_commit_failure)
{
	uint8_t pkt[1400];
	struct ota_por p;
	ssize_t n = build(&self->r, SPI1_FULL, SPI2_FULL, 3, OTA_TAR_RFM_UICC,
			  1, WRITE_SPN, pkt);

	self->r.commit_fail = 1;
	send(&self->r, pkt, (size_t)n, -1, NULL);
	ASSERT_EQ(0, open_por(&self->r, SPI1_FULL, SPI2_FULL, 3, &p));
	ASSERT_EQ(OTA_ST_NO_MEMORY, p.status);
	ASSERT_EQ(0U, self->r.o.keysets[3].counter);
	assert_spn_untouched(_metadata, &self->r);
}

TEST_F(ota, unknown_tar)
{
	uint8_t pkt[1400];
	struct ota_por p;
	ssize_t n = build(&self->r, SPI1_FULL, SPI2_FULL, 3, 0xb0ffff, 1,
			  WRITE_SPN, pkt);

	send(&self->r, pkt, (size_t)n, -1, NULL);
	ASSERT_EQ(0, open_por(&self->r, SPI1_FULL, SPI2_FULL, 3, &p));
	ASSERT_EQ(OTA_ST_TAR_UNKNOWN, p.status);
	ASSERT_EQ(0, memcmp(p.tar, "\xb0\xff\xff", 3));
	assert_spn_untouched(_metadata, &self->r);
}

TEST_F(ota, insufficient_security)
{
	uint8_t pkt[1400];
	struct ota_por p;
	/* RFM needs a CC: an RC (CRC32) is not enough */
	uint8_t spi[2] = { OTA_CHECK_RC, OTA_POR_REQUIRED };
	uint8_t tar[3] = { 0xb0, 0x00, 0x10 }, data[64];
	int dl = ot_unhex(WRITE_SPN, data, sizeof(data));
	ssize_t n = ota_cmd_build(spi, 0x00, 0x05, tar, 0, NULL, NULL, data,
				  (size_t)dl, pkt, sizeof(pkt));

	send(&self->r, pkt, (size_t)n, -1, NULL);
	ASSERT_EQ(0, open_por(&self->r, spi[0], spi[1], 3, &p));
	ASSERT_EQ(OTA_ST_INSUFFICIENT_SECURITY, p.status);
	assert_spn_untouched(_metadata, &self->r);
	/* the binding TAR needs ciphering on top of the CC */
	n = build(&self->r, OTA_CHECK_CC, SPI2_FULL, 3, OTA_TAR_BINDING, 1,
		  "803B010000", pkt);
	send(&self->r, pkt, (size_t)n, -1, NULL);
	ASSERT_EQ(0, open_por(&self->r, OTA_CHECK_CC, SPI2_FULL, 3, &p));
	ASSERT_EQ(OTA_ST_INSUFFICIENT_SECURITY, p.status);
	/* and configuration cannot lower it */
	ota_card_set_tar(&self->r.o, OTA_TAR_BINDING, OTA_APP_BINDING,
			 &(struct ota_msl){ 0 });
	send(&self->r, pkt, (size_t)n, -1, NULL);
	ASSERT_EQ(0, open_por(&self->r, OTA_CHECK_CC, SPI2_FULL, 3, &p));
	ASSERT_EQ(OTA_ST_INSUFFICIENT_SECURITY, p.status);
}

/*
 * Replays (#12): by default remote file management and the ISD want a
 * counter the card checks (TS 102 225 §5.1.1, SPI b5b4 10 or 11), so a
 * recorded packet cannot be played again.
 */
TEST_F(ota, replay_refused_by_default)
{
	uint8_t pkt[1400], spi1 = OTA_CHECK_CC | OTA_SPI1_CIPHER;
	struct ota_msl msl;
	struct ota_por p;
	ssize_t n;
	int i;

	/* no counter at all: refused, however often it comes */
	n = build(&self->r, spi1, SPI2_FULL, 3, OTA_TAR_RFM_UICC, 0, WRITE_SPN,
		  pkt);
	for (i = 0; i < 2; i++) {
		send(&self->r, pkt, (size_t)n, -1, NULL);
		ASSERT_EQ(0, open_por(&self->r, spi1, SPI2_FULL, 3, &p));
		ASSERT_EQ(OTA_ST_INSUFFICIENT_SECURITY, p.status);
	}
	assert_spn_untouched(_metadata, &self->r);
	/* counter present but unchecked (01): refused too */
	spi1 = OTA_CHECK_CC | OTA_SPI1_CIPHER | OTA_CNTR_ANY << 3;
	n = build(&self->r, spi1, SPI2_FULL, 3, OTA_TAR_RFM_USIM, 5, WRITE_SPN,
		  pkt);
	send(&self->r, pkt, (size_t)n, -1, NULL);
	ASSERT_EQ(0, open_por(&self->r, spi1, SPI2_FULL, 3, &p));
	ASSERT_EQ(OTA_ST_INSUFFICIENT_SECURITY, p.status);
	/* counter higher: runs once; the same packet again is refused */
	n = build(&self->r, SPI1_FULL, SPI2_FULL, 3, OTA_TAR_RFM_UICC, 1,
		  WRITE_SPN, pkt);
	send(&self->r, pkt, (size_t)n, -1, NULL);
	ASSERT_EQ(0, open_por(&self->r, SPI1_FULL, SPI2_FULL, 3, &p));
	ASSERT_EQ(OTA_ST_OK, p.status);
	send(&self->r, pkt, (size_t)n, -1, NULL);
	ASSERT_EQ(0, open_por(&self->r, SPI1_FULL, SPI2_FULL, 3, &p));
	ASSERT_EQ(OTA_ST_CNTR_LOW, p.status);
	/* the ISD's default (it needs no domain store to answer for 000000) */
	ASSERT_TRUE(ota_gp_has_tar(NULL, OTA_TAR_ISD, &msl));
	ASSERT_LE(OTA_CNTR_HIGHER, msl.counter);
	/* a profile may lower it explicitly */
	ota_card_set_tar(&self->r.o, OTA_TAR_RFM_UICC, OTA_APP_RFM_UICC,
			 &(struct ota_msl){ OTA_CHECK_CC, false, OTA_CNTR_NONE });
	spi1 = OTA_CHECK_CC | OTA_SPI1_CIPHER;
	n = build(&self->r, spi1, SPI2_FULL, 3, OTA_TAR_RFM_UICC, 0, WRITE_SPN,
		  pkt);
	send(&self->r, pkt, (size_t)n, -1, NULL);
	ASSERT_EQ(0, open_por(&self->r, spi1, SPI2_FULL, 3, &p));
	ASSERT_EQ(OTA_ST_OK, p.status);
}

TEST_F(ota, bad_padding_and_truncated)
{
	uint8_t pkt[1400];
	struct ota_por p;
	ssize_t n = build(&self->r, SPI1_FULL, SPI2_FULL, 3, OTA_TAR_RFM_UICC,
			  1, WRITE_SPN, pkt);

	/* one byte less than CPL says */
	send(&self->r, pkt, (size_t)n - 1, -1, NULL);
	ASSERT_EQ(0, open_por(&self->r, SPI1_FULL, SPI2_FULL, 3, &p));
	ASSERT_EQ(OTA_ST_SECURITY_ERROR, p.status);
	/* CPL made to agree: the ciphertext is no longer whole blocks */
	pkt[1]--;
	send(&self->r, pkt, (size_t)n - 1, -1, NULL);
	ASSERT_EQ(0, open_por(&self->r, SPI1_FULL, SPI2_FULL, 3, &p));
	ASSERT_EQ(OTA_ST_CIPHER_ERROR, p.status);
	/* no TAR at all: no PoR, the ENVELOPE says wrong data */
	send(&self->r, pkt, 9, -1, NULL);
	ASSERT_EQ(0x6a80, self->r.sw);
	ASSERT_EQ(0U, self->r.o.keysets[3].counter);
	assert_spn_untouched(_metadata, &self->r);
}

TEST_F(ota, por_only_on_error_and_none)
{
	uint8_t pkt[1400];
	struct ota_por p;
	uint8_t spi2 = OTA_POR_ON_ERROR | OTA_CHECK_CC << 2;
	ssize_t n = build(&self->r, SPI1_FULL, spi2, 3, OTA_TAR_RFM_UICC, 1,
			  READ_ICCID, pkt);

	send(&self->r, pkt, (size_t)n, -1, NULL);
	ASSERT_EQ(0x9000, self->r.sw);
	ASSERT_EQ(0U, self->r.por_len);
	send(&self->r, pkt, (size_t)n, -1, NULL);	/* replay: error */
	ASSERT_EQ(0, open_por(&self->r, SPI1_FULL, spi2, 3, &p));
	ASSERT_EQ(OTA_ST_CNTR_LOW, p.status);
	n = build(&self->r, SPI1_FULL, OTA_POR_NONE, 3, OTA_TAR_RFM_UICC, 1,
		  READ_ICCID, pkt);
	send(&self->r, pkt, (size_t)n, -1, NULL);
	ASSERT_EQ(0U, self->r.por_len);
}

TEST_F(ota, malformed_envelopes)
{
	uint8_t out[300];
	size_t rl;
	static const char *const bad[] = {
		"80C2000004 D1028281",			/* device ids short */
		"80C2000008 D106820283818B00",		/* empty TPDU */
		"80C2000006 D1058202838100",		/* bad CTLV */
		"80C2000005 D104820283 81",		/* no TPDU */
	};
	uint8_t c[64];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int n = ot_unhex(bad[i], c, sizeof(c));

		ASSERT_EQ(0x6a80, xfer(&self->r, c, (size_t)n, out, &rl)) {
			TH_LOG("%s", bad[i]);
		}
	}
	/* a 7-bit SMS: not OTA data */
	{
		uint8_t tp[64], env[128];
		int tn = ota_sms_build(false, &self->r.server, NULL, 0,
				       (const uint8_t *)"hi", 2, tp, sizeof(tp));
		int en;

		tp[1 + 2 + 4 + 1] = 0x00;	/* DCS: GSM 7-bit */
		en = ota_envelope_build(tp, (size_t)tn, env, sizeof(env));
		ASSERT_EQ(0x6a80, xfer(&self->r, env, (size_t)en, out, &rl));
	}
}

TEST_F(ota, binding_tar)
{
	uint8_t pkt[1400];
	struct ota_por p;
	/* read the state, then a command that is not BINDING ADMIN */
	ssize_t n = build(&self->r, SPI1_FULL, SPI2_FULL, 3, OTA_TAR_BINDING,
			  1, "AA 0E 22 05 803B000000 22 05 00B0000001", pkt);

	send(&self->r, pkt, (size_t)n, -1, NULL);
	ASSERT_EQ(0, open_por(&self->r, SPI1_FULL, SPI2_FULL, 3, &p));
	ASSERT_EQ(OTA_ST_OK, p.status);
	/* mode off (0), flags, unbound, session, reason; then 6D00 */
	ASSERT_EQ(0, strncmp("ab", ot_hex(p.data, p.data_len), 2));
	ASSERT_NE(NULL, strstr(ot_hex(p.data, p.data_len), "2302" "6d00"));
	ASSERT_NE(NULL, strstr(ot_hex(p.data, p.data_len), "800100"));
	/* unbind */
	n = build(&self->r, SPI1_FULL, SPI2_FULL, 3, OTA_TAR_BINDING, 2,
		  "803B010000", pkt);
	send(&self->r, pkt, (size_t)n, -1, NULL);
	ASSERT_EQ(0, open_por(&self->r, SPI1_FULL, SPI2_FULL, 3, &p));
	ASSERT_STREQ("019000", ot_hex(p.data, p.data_len));
}

/* ---- the card behind function pointers (vsimd's kernel backend) ---- */

/* Counts what reaches the card; @fail: the card fd is gone. */
struct spy {
	struct vsim_card *card;
	unsigned int execs, queued;
	bool fail;
};

static size_t spy_exec(void *ctx, const uint8_t *capdu, size_t len,
		       uint8_t *rapdu)
{
	struct spy *s = ctx;

	s->execs++;
	if (s->fail) {
		rapdu[0] = 0x6f, rapdu[1] = 0x00;
		return 2;
	}
	return vsim_card_exec(s->card, capdu, len, rapdu, true);
}

static int spy_queue(void *ctx, uint8_t type, uint8_t qualifier,
		     uint8_t dest, const uint8_t *tlvs, size_t len, uint32_t flags)
{
	(void)flags;
	struct spy *s = ctx;

	s->queued++;
	if (s->fail)
		return -ENOSPC;
	return vsim_card_queue_proactive(s->card, type, qualifier, dest, tlvs,
					 len);
}

/* The OTA side reaches its card only through the spy. */
static void use_spy(struct ota_card *o, struct spy *spy)
{
	o->exec = spy_exec;
	o->queue_proactive = spy_queue;
	o->card = spy;
}

TEST_F(ota, card_reached_only_through_exec_and_queue)
{
	uint8_t pkt[1400], spi2 = SPI2_FULL | OTA_SPI2_POR_SUBMIT;
	struct spy spy = { .card = self->r.t.h.card };
	struct ota_por p;
	ssize_t n;

	use_spy(&self->r.o, &spy);
	/* SELECT MF (the RFM root), then the script's 2 commands */
	n = build(&self->r, SPI1_FULL, SPI2_FULL, 3, OTA_TAR_RFM_UICC, 1,
		  READ_ICCID, pkt);
	send(&self->r, pkt, (size_t)n, -1, NULL);
	ASSERT_EQ(0, open_por(&self->r, SPI1_FULL, SPI2_FULL, 3, &p));
	ASSERT_STREQ("029000" ICCID_BYTES, ot_hex(p.data, p.data_len));
	ASSERT_EQ(3U, spy.execs);
	ASSERT_EQ(0U, spy.queued);
	/* a PoR by SMS-SUBMIT is queued through the pointer: 91xx */
	n = build(&self->r, SPI1_FULL, spi2, 3, OTA_TAR_RFM_UICC, 2,
		  READ_ICCID, pkt);
	send(&self->r, pkt, (size_t)n, -1, NULL);
	ASSERT_EQ(0x91, self->r.sw >> 8);
	ASSERT_EQ(6U, spy.execs);
	ASSERT_EQ(1U, spy.queued);
}

TEST_F(ota, card_that_fails)
{
	uint8_t pkt[1400], spi2 = SPI2_FULL | OTA_SPI2_POR_SUBMIT;
	struct spy spy = { .card = self->r.t.h.card, .fail = true };
	struct ota_por p;
	ssize_t n;

	use_spy(&self->r.o, &spy);
	/* the script stops at the first 6F00, the PoR says so */
	n = build(&self->r, SPI1_FULL, SPI2_FULL, 3, OTA_TAR_RFM_UICC, 1,
		  READ_ICCID, pkt);
	send(&self->r, pkt, (size_t)n, -1, NULL);
	ASSERT_EQ(0x9000, self->r.sw);
	ASSERT_EQ(0, open_por(&self->r, SPI1_FULL, SPI2_FULL, 3, &p));
	ASSERT_EQ(OTA_ST_OK, p.status);
	ASSERT_STREQ("016f00", ot_hex(p.data, p.data_len));
	/* no SEND SHORT MESSAGE possible: the PoR comes in the RP-ACK */
	n = build(&self->r, SPI1_FULL, spi2, 3, OTA_TAR_RFM_UICC, 2,
		  READ_ICCID, pkt);
	send(&self->r, pkt, (size_t)n, -1, NULL);
	ASSERT_EQ(0x9000, self->r.sw);
	ASSERT_EQ(1U, spy.queued);
	ASSERT_EQ(0, open_por(&self->r, SPI1_FULL, spi2, 3, &p));
	ASSERT_STREQ("016f00", ot_hex(p.data, p.data_len));
}

/* ota_card_init(o, NULL) and no pointers set: the card answers 9300 */
TEST_F(ota, no_card_attached_is_toolkit_busy)
{
	uint8_t pkt[1400], out[300];
	size_t rl;
	ssize_t n = build(&self->r, SPI1_FULL, SPI2_FULL, 3, OTA_TAR_RFM_UICC,
			  1, READ_ICCID, pkt);
	uint8_t tp[OTA_CONCAT_PARTS_MAX][OTA_TPDU_MAX], env[300];
	size_t tl[OTA_CONCAT_PARTS_MAX];
	int e;

	ota_card_wipe(&self->r.o);
	ota_card_init(&self->r.o, NULL);
	ASSERT_EQ(1, ota_sms_deliver_parts(pkt, (size_t)n, &self->r.server,
					   -1, tp, tl, OTA_CONCAT_PARTS_MAX));
	e = ota_envelope_build(tp[0], tl[0], env, sizeof(env));
	ASSERT_EQ(0x9300, xfer(&self->r, env, (size_t)e, out, &rl));
	ASSERT_EQ(0UL, self->r.o.last.packets);
}

TEST_HARNESS_MAIN
