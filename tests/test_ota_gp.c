// SPDX-License-Identifier: GPL-2.0-only
/*
 * Security domains over OTA, end to end in one process: the server side
 * (agent/ota-server/server.c) wraps GlobalPlatform commands in secured SMS with
 * the example profile's keys, the loopback plays the terminal, the card
 * (engine + agent slow path + SQLite store) answers with PoRs. The patent
 * flow (request, domain missing, create, default keys, storage, data,
 * PoR, data readable; second request finds the domain), persistence
 * across a restart, atomic STORE DATA, and each refusal with nothing
 * changed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wmisleading-indentation"
#include "kselftest_harness.h"

#include "ota/host.h"
#include "ota/rapdu.h"
#include "ota-server/server.h"
#include "otatest.h"

#define PROFILE		"examples/test-usim-ota.ini"
#define SD_AID		"A00000055910100101"
#define SD_TAR		0xb20100

struct rig {
	char dir[64];
	struct vsim_terminal t;
	struct ota_host ota;
	struct ota_sender isd, sd;
	uint8_t status;			/* PoR status */
	char resp[1200];		/* PoR data, hex */
};

static int rig_start(struct rig *r)
{
	char err[512];
	uint8_t atr[40];

	if (vsim_terminal_open(&r->t, NULL, PROFILE, r->dir, err, sizeof(err)) ||
	    ota_host_open(&r->ota, &r->t.host, PROFILE, r->dir, err,
			  sizeof(err))) {
		fprintf(stderr, "# %s\n", err);
		return -1;
	}
	return vsim_terminal_power_on(&r->t, atr, sizeof(atr)) < 0 ? -1 : 0;
}

static void rig_stop(struct rig *r)
{
	ota_host_close(&r->ota);
	vsim_terminal_close(&r->t);
}

static int rig_open(struct rig *r)
{
	struct ota_addr from;

	memset(r, 0, sizeof(*r));
	strcpy(r->dir, "/tmp/vsim-gp-XXXXXX");
	if (!mkdtemp(r->dir) || rig_start(r))
		return -1;
	ota_addr_from_string("+4900000001", &from);
	/* the server's copies: key set 3 for the ISD, 2 for the domain */
	ota_sender_init(&r->isd, &r->ota.prof.keysets[3], 3, &from);
	ota_sender_init(&r->sd, &r->ota.prof.keysets[2], 2, &from);
	return 0;
}

static void rig_close(struct rig *r)
{
	char cmd[128];

	rig_stop(r);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", r->dir);
	if (system(cmd))
		fprintf(stderr, "# cannot remove %s\n", r->dir);
}

/* Send a script to @tar; 0 with r->status and r->resp, -1 no PoR. */
static int run(struct rig *r, struct ota_sender *s, uint32_t tar,
	       const char *hex)
{
	static uint8_t env[OTA_MAX_ENVELOPES][OTA_ENVELOPE_MAX];
	uint8_t data[2400], por[300], buf[300];
	size_t el[OTA_MAX_ENVELOPES];
	struct ota_por p;
	uint16_t sw;
	int n = ot_unhex(hex, data, sizeof(data)), e, pl;

	if (n < 0)
		return -1;
	e = ota_sender_envelopes(s, tar, data, (size_t)n, env, el);
	if (e < 0)
		return -1;
	pl = ota_loopback(&r->t, env, el, e, por, sizeof(por), &sw);
	if (pl <= 0 || ota_sender_por(s, por, (size_t)pl, buf, &p))
		return -1;
	r->status = p.status;
	strcpy(r->resp, ot_hex(p.data, p.data_len));
	return 0;
}

/* INSTALL [for install and make selectable] of a domain (GP §11.5). */
static const char *install(const char *aid, uint32_t tar, unsigned int quota,
			   const char *priv)
{
	static char s[400];
	char params[160], data[300];
	size_t al = strlen(aid) / 2;

	/* C9 00, EF { C8 quota, CA toolkit params ending in the TAR list } */
	snprintf(params, sizeof(params),
		 "C900 EF12 C802%04X CA0C 0100 01 00 00 00 00 00 03%06X",
		 quota, tar);
	snprintf(data, sizeof(data), "07A0000005591010 07A0000005591011 %02zX%s 03%s 16%s 00",
		 al, aid, priv, params);
	{
		uint8_t b[200];
		int n = ot_unhex(data, b, sizeof(b));

		snprintf(s, sizeof(s), "80E60C00%02X%s00", n, data);
	}
	return s;
}

/* STORE DATA of @len bytes of pattern in blocks of 100 (GP §11.11). */
static const char *store_data(size_t len, uint8_t seed, bool last)
{
	static char s[3000];
	size_t off = 0, blk = 0, n, i;
	char *p = s;

	while (off < len) {
		n = len - off > 100 ? 100 : len - off;
		p += sprintf(p, "80E2%02X%02zX%02zX", last && off + n == len ? 0x80 : 0,
			     blk++, n);
		for (i = 0; i < n; i++)
			p += sprintf(p, "%02X", (uint8_t)(seed + off + i));
		off += n;
		*p++ = ' ';
	}
	*p = 0;
	return s;
}

static const char *expect_data(size_t off, size_t len, uint8_t seed)
{
	static char s[1200];
	size_t i;

	for (i = 0; i < len; i++)
		sprintf(s + 2 * i, "%02x", (uint8_t)(seed + off + i));
	s[2 * len] = 0;
	return s;
}

FIXTURE(gp) {
	struct rig r;
};

FIXTURE_SETUP(gp)
{
	ASSERT_EQ(0, rig_open(&self->r));
}

FIXTURE_TEARDOWN(gp)
{
	rig_close(&self->r);
}

#define GET_STATUS_SD	"80F24002024F0000"

TEST_F(gp, patent_flow)
{
	struct rig *r = &self->r;
	struct ota_gp_key keys[3];
	uint8_t aid[9], kcv[3];
	int i, nk;

	/* the request: does the card hold the domain? no */
	ASSERT_EQ(0, run(r, &r->isd, OTA_TAR_ISD, GET_STATUS_SD));
	ASSERT_EQ(OTA_ST_OK, r->status);
	ASSERT_STREQ("016a88", r->resp);
	/* the packet to the domain's TAR: unknown before it exists */
	ASSERT_EQ(0, run(r, &r->sd, SD_TAR, "80CA00E000"));
	ASSERT_EQ(OTA_ST_TAR_UNKNOWN, r->status);
	/* create it: KVN 01 and the KCVs of three generated AES keys */
	ASSERT_EQ(0, run(r, &r->isd, OTA_TAR_ISD, install(SD_AID, SD_TAR, 1024, "800000")));
	ASSERT_EQ(OTA_ST_OK, r->status);
	ASSERT_EQ(0, strncmp(r->resp, "01900001", 8)) {
		TH_LOG("%s", r->resp);
	}
	ASSERT_EQ(2 * (3 + 10), (int)strlen(r->resp));
	ot_unhex(SD_AID, aid, sizeof(aid));
	nk = ota_store_keys_get(r->ota.store, aid, 9, 0, keys, 3);
	ASSERT_EQ(3, nk);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0x88, keys[i].type);
		ASSERT_EQ(0, ota_gp_kcv(&keys[i], kcv));
		ASSERT_EQ(0, strncmp(r->resp + 8 + 6 * i, ot_hex(kcv, 3), 6));
	}
	/* the domain is listed, selectable, with its privileges */
	ASSERT_EQ(0, run(r, &r->isd, OTA_TAR_ISD, GET_STATUS_SD));
	ASSERT_STREQ("019000e3144f09a000000559101001019f700107c503800000",
		     r->resp);
	/* the application data: 300 bytes, 3 blocks, concatenated SMS */
	ASSERT_EQ(0, run(r, &r->sd, SD_TAR, store_data(300, 0x10, true)));
	ASSERT_EQ(OTA_ST_OK, r->status);
	ASSERT_STREQ("039000", r->resp);
	/* readable where the domain keeps it */
	ASSERT_EQ(0, run(r, &r->sd, SD_TAR, "80CBDF7A020000"));
	ASSERT_EQ(0, strncmp(r->resp, "019000", 6));
	ASSERT_STREQ(expect_data(0, 200, 0x10), r->resp + 6);
	ASSERT_EQ(0, run(r, &r->sd, SD_TAR, "80CBDF7A0200C8"));
	ASSERT_STREQ(expect_data(200, 100, 0x10), r->resp + 6);
	/* its key information */
	ASSERT_EQ(0, run(r, &r->sd, SD_TAR, "80CA00E000"));
	ASSERT_STREQ("019000e012c00401018810c00402018810c00403018810", r->resp);
	/* the second request: found, so data only */
	ASSERT_EQ(0, run(r, &r->isd, OTA_TAR_ISD, GET_STATUS_SD));
	ASSERT_EQ(0, strncmp(r->resp, "019000e314", 10));
	ASSERT_EQ(0, run(r, &r->sd, SD_TAR, store_data(50, 0x77, true)));
	ASSERT_STREQ("019000", r->resp);
	ASSERT_EQ(0, run(r, &r->sd, SD_TAR, "80CBDF7A020000"));
	ASSERT_STREQ(expect_data(0, 50, 0x77), r->resp + 6);
}

TEST_F(gp, survives_restart_and_counters_stay)
{
	struct rig *r = &self->r;

	ASSERT_EQ(0, run(r, &r->isd, OTA_TAR_ISD, install(SD_AID, SD_TAR, 512, "800000")));
	ASSERT_EQ(0, run(r, &r->sd, SD_TAR, store_data(120, 1, true)));
	ASSERT_STREQ("029000", r->resp);
	rig_stop(r);
	ASSERT_EQ(0, rig_start(r));
	ASSERT_EQ(0, run(r, &r->isd, OTA_TAR_ISD, GET_STATUS_SD));
	ASSERT_EQ(0, strncmp(r->resp, "019000e314", 10));
	ASSERT_EQ(0, run(r, &r->sd, SD_TAR, "80CBDF7A020000"));
	ASSERT_STREQ(expect_data(0, 120, 1), r->resp + 6);
	/* the ISD counter (mode "higher") was kept: a replay is refused */
	r->isd.counter--;
	ASSERT_EQ(0, run(r, &r->isd, OTA_TAR_ISD, GET_STATUS_SD));
	ASSERT_EQ(OTA_ST_CNTR_LOW, r->status);
}

TEST_F(gp, store_data_is_atomic)
{
	struct rig *r = &self->r;
	char half[2400];

	ASSERT_EQ(0, run(r, &r->isd, OTA_TAR_ISD, install(SD_AID, SD_TAR, 1024, "800000")));
	ASSERT_EQ(0, run(r, &r->sd, SD_TAR, store_data(80, 5, true)));
	/* blocks 0 and 1 of a new download, no last block */
	strcpy(half, store_data(200, 9, false));
	ASSERT_EQ(0, run(r, &r->sd, SD_TAR, half));
	ASSERT_STREQ("029000", r->resp);
	/* not visible: the old data is still all there is */
	ASSERT_EQ(0, run(r, &r->sd, SD_TAR, "80CBDF7A020000"));
	ASSERT_STREQ(expect_data(0, 80, 5), r->resp + 6);
	/* the agent dies before the last block: nothing of it survives */
	rig_stop(r);
	ASSERT_EQ(0, rig_start(r));
	ASSERT_EQ(0, run(r, &r->sd, SD_TAR, "80E2800202 AABB"));
	ASSERT_STREQ("016a86", r->resp);	/* block 2 of nothing */
	ASSERT_EQ(0, run(r, &r->sd, SD_TAR, "80CBDF7A020000"));
	ASSERT_STREQ(expect_data(0, 80, 5), r->resp + 6);
}

TEST_F(gp, refusals_change_nothing)
{
	struct rig *r = &self->r;

	ASSERT_EQ(0, run(r, &r->isd, OTA_TAR_ISD, install(SD_AID, SD_TAR, 256, "800000")));
	ASSERT_EQ(0, run(r, &r->sd, SD_TAR, store_data(40, 3, true)));
	/* past the quota: 6A84 at the third block, old data kept */
	ASSERT_EQ(0, run(r, &r->sd, SD_TAR, store_data(300, 4, true)));
	ASSERT_STREQ("036a84", r->resp);
	ASSERT_EQ(0, run(r, &r->sd, SD_TAR, "80CBDF7A020000"));
	ASSERT_STREQ(expect_data(0, 40, 3), r->resp + 6);
	/* a block out of sequence */
	ASSERT_EQ(0, run(r, &r->sd, SD_TAR, "80E200000111 80E2800201 22"));
	ASSERT_STREQ("026a86", r->resp);
	/* the same AID again; another AID on a TAR in use; the RFM TAR */
	ASSERT_EQ(0, run(r, &r->isd, OTA_TAR_ISD, install(SD_AID, 0xb20200, 256, "800000")));
	ASSERT_STREQ("016985", r->resp);
	ASSERT_EQ(0, run(r, &r->isd, OTA_TAR_ISD, install("A00000055910100102", SD_TAR, 256, "800000")));
	ASSERT_STREQ("016a80", r->resp);
	ASSERT_EQ(0, run(r, &r->isd, OTA_TAR_ISD, install("A00000055910100102", OTA_TAR_RFM_USIM, 256, "800000")));
	ASSERT_STREQ("016a80", r->resp);
	/* not a security domain; a quota beyond the card's */
	ASSERT_EQ(0, run(r, &r->isd, OTA_TAR_ISD, install("A00000055910100102", 0xb20200, 256, "000000")));
	ASSERT_STREQ("016a81", r->resp);
	ASSERT_EQ(0, run(r, &r->isd, OTA_TAR_ISD, "80E60C0012 07A0000005591010 00 08A000000559101003 0180 00 00"));
	ASSERT_STREQ("016a80", r->resp);	/* no install parameters */
	/* DELETE of an unknown AID; of the ISD */
	ASSERT_EQ(0, run(r, &r->isd, OTA_TAR_ISD, "80E400000B4F09A00000055910100199"));
	ASSERT_STREQ("016a88", r->resp);
	ASSERT_EQ(0, run(r, &r->isd, OTA_TAR_ISD, "80E400000A4F08A000000151000000"));
	ASSERT_STREQ("016985", r->resp);
	/* the domain commands are not the ISD's, nor the ISD's the domain's */
	ASSERT_EQ(0, run(r, &r->sd, SD_TAR, GET_STATUS_SD));
	ASSERT_STREQ("016985", r->resp);
	/* a domain TAR wants ciphering */
	r->sd.spi[0] &= (uint8_t)~OTA_SPI1_CIPHER;
	ASSERT_EQ(0, run(r, &r->sd, SD_TAR, "80CBDF7A020000"));
	ASSERT_EQ(OTA_ST_INSUFFICIENT_SECURITY, r->status);
	r->sd.spi[0] |= OTA_SPI1_CIPHER;
	/* all there still, and one domain only */
	ASSERT_EQ(0, run(r, &r->isd, OTA_TAR_ISD, GET_STATUS_SD));
	ASSERT_STREQ("019000e3144f09a000000559101001019f700107c503800000", r->resp);
}

TEST_F(gp, delete_domain)
{
	struct rig *r = &self->r;

	ASSERT_EQ(0, run(r, &r->isd, OTA_TAR_ISD, install(SD_AID, SD_TAR, 256, "800000")));
	ASSERT_EQ(0, run(r, &r->sd, SD_TAR, store_data(10, 3, true)));
	ASSERT_EQ(0, run(r, &r->isd, OTA_TAR_ISD, "80E400000B4F09" SD_AID));
	ASSERT_STREQ("01900000", r->resp);
	ASSERT_EQ(0, run(r, &r->isd, OTA_TAR_ISD, GET_STATUS_SD));
	ASSERT_STREQ("016a88", r->resp);
	ASSERT_EQ(0, run(r, &r->sd, SD_TAR, "80CBDF7A020000"));
	ASSERT_EQ(OTA_ST_TAR_UNKNOWN, r->status);
}

TEST_F(gp, get_status_isd_and_continuation)
{
	struct rig *r = &self->r;
	char aid[40];
	int i;

	ASSERT_EQ(0, run(r, &r->isd, OTA_TAR_ISD, "80F28002024F0000"));
	ASSERT_STREQ("019000e3134f08a0000001510000009f70010fc5039efe80", r->resp);
	for (i = 0; i < 8; i++) {
		snprintf(aid, sizeof(aid), "A000000559101001020304050607080%X", i);
		ASSERT_EQ(0, run(r, &r->isd, OTA_TAR_ISD, install(aid, 0xb20100 + i, 64, "800000")));
		ASSERT_EQ(0, strncmp(r->resp, "019000", 6));
	}
	/* 8 entries of 29 bytes: 6 fit in a page, then 6310 */
	ASSERT_EQ(0, run(r, &r->isd, OTA_TAR_ISD, GET_STATUS_SD));
	ASSERT_EQ(0, strncmp(r->resp, "016310", 6));
	ASSERT_EQ(6 * 29 * 2, (int)strlen(r->resp + 6));
	ASSERT_EQ(0, run(r, &r->isd, OTA_TAR_ISD, "80F24003024F0000"));
	ASSERT_EQ(0, strncmp(r->resp, "019000", 6));
	ASSERT_EQ(2 * 29 * 2, (int)strlen(r->resp + 6));
	ASSERT_NE(NULL, strstr(r->resp, "a0000005591010010203040506070807"));
	/* a filter by AID prefix, and "next" without a first */
	ASSERT_EQ(0, run(r, &r->isd, OTA_TAR_ISD, "80F24002124F10A000000559101001020304050607080300"));
	ASSERT_EQ(0, strncmp(r->resp, "019000e31b4f10a0000005591010010203040506070803", 46));
	ASSERT_EQ(0, run(r, &r->isd, OTA_TAR_ISD, "80F24003024F0000"));
	ASSERT_STREQ("016985", r->resp);
	/* load files: none; P2 not TLV */
	ASSERT_EQ(0, run(r, &r->isd, OTA_TAR_ISD, "80F22002024F0000"));
	ASSERT_STREQ("016a88", r->resp);
	ASSERT_EQ(0, run(r, &r->isd, OTA_TAR_ISD, "80F24000024F0000"));
	ASSERT_STREQ("016a86", r->resp);
}

/* PUT KEY with the domain's DEK: known here from the store, as a
 * personalisation bureau would export it; the card checks each KCV. */
TEST_F(gp, put_key)
{
	struct rig *r = &self->r;
	struct ota_gp_key k[3], nk = { .type = 0x88, .len = 16 };
	struct ota_key dek = { .algo = OTA_ALG_AES, .len = 16 };
	uint8_t aid[9], wrapped[16], kcv[3];
	char cmd[400];
	int i;

	ASSERT_EQ(0, run(r, &r->isd, OTA_TAR_ISD, install(SD_AID, SD_TAR, 256, "800000")));
	ot_unhex(SD_AID, aid, sizeof(aid));
	ASSERT_EQ(3, ota_store_keys_get(r->ota.store, aid, 9, 1, k, 3));
	memcpy(dek.key, k[2].value, 16);
	/* new version 02: three keys, each wrapped with the DEK */
	i = sprintf(cmd, "80D80081%02X02", 1 + 3 * 22);
	for (int j = 0; j < 3; j++) {
		memset(nk.value, 0x40 + j, 16);
		ASSERT_EQ(0, ota_cbc(&dek, true, nk.value, 16, wrapped));
		ASSERT_EQ(0, ota_gp_kcv(&nk, kcv));
		i += sprintf(cmd + i, "8810%s03%s", ot_hex(wrapped, 16),
			     ot_hex(kcv, 3));
	}
	ASSERT_EQ(0, run(r, &r->sd, SD_TAR, cmd));
	ASSERT_EQ(0, strncmp(r->resp, "01900002", 8)) {
		TH_LOG("%s", r->resp);
	}
	ASSERT_EQ(0, run(r, &r->sd, SD_TAR, "80CA00E000"));
	ASSERT_STREQ("019000e012c00401028810c00402028810c00403028810", r->resp);
	/* replace version 02 with a wrong KCV: refused, 02 stays */
	memcpy(dek.key, "\x42\x42\x42\x42\x42\x42\x42\x42\x42\x42\x42\x42\x42\x42\x42\x42", 16);
	memset(nk.value, 0x55, 16);
	ASSERT_EQ(0, ota_cbc(&dek, true, nk.value, 16, wrapped));
	sprintf(cmd, "80D8020117 03 8810%s03000000", ot_hex(wrapped, 16));
	ASSERT_EQ(0, run(r, &r->sd, SD_TAR, cmd));
	ASSERT_STREQ("016a80", r->resp);
	/* an old version that does not exist */
	ASSERT_EQ(0, ota_gp_kcv(&nk, kcv));
	sprintf(cmd, "80D8070117 03 8810%s03%s", ot_hex(wrapped, 16), ot_hex(kcv, 3));
	ASSERT_EQ(0, run(r, &r->sd, SD_TAR, cmd));
	ASSERT_STREQ("016a88", r->resp);
	ASSERT_EQ(0, run(r, &r->sd, SD_TAR, "80CA00E000"));
	ASSERT_STREQ("019000e012c00401028810c00402028810c00403028810", r->resp);
}

TEST_HARNESS_MAIN
