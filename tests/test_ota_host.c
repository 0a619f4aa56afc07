// SPDX-License-Identifier: GPL-2.0-only
/*
 * The OTA side of a card that lives in vsim.ko (ota_host_open_kernel, as
 * vsimd's kernel backend opens it): found only for a card with a stored
 * OTA configuration, served without any card in this process, its remote
 * management and proactive commands sent to the card fd; a card fd that
 * refuses them (not yet there, or not vsim's) gives 6F00 and nothing
 * else goes wrong. The real ioctls run in tests/vm/ota_kernel.sh.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wmisleading-indentation"
#include "kselftest_harness.h"

#include "ota/host.h"
#include "ota-server/server.h"
#include "otatest.h"

#define PROFILE		"examples/test-usim-ota.ini"
#define READ_ICCID	"00A4000C022FE2 00B000000A"

struct rig {
	char dir[64];
	char db[96];
	struct ota_host ota;
	struct ota_sender isd;
};

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 65536);
	size_t n;

	if (!f || !buf) {
		if (f)
			fclose(f);
		free(buf);
		return NULL;
	}
	n = fread(buf, 1, 65535, f);
	fclose(f);
	buf[n] = 0;
	return buf;
}

/* vsim.db with card 1's OTA configuration (as `vsimctl add` stores it). */
static int rig_open(struct rig *r)
{
	struct ota_addr from;
	char err[256], *text;
	int ret;

	memset(r, 0, sizeof(*r));
	strcpy(r->dir, "/tmp/vsim-otahost-XXXXXX");
	if (!mkdtemp(r->dir))
		return -1;
	snprintf(r->db, sizeof(r->db), "%s/vsim.db", r->dir);
	text = slurp(PROFILE);
	if (!text)
		return -1;
	ret = ota_host_save_config(r->db, 1, PROFILE, text, err, sizeof(err));
	free(text);
	if (ret || ota_host_open_kernel(&r->ota, r->db, 1, err, sizeof(err))) {
		fprintf(stderr, "# %s\n", err);
		return -1;
	}
	ota_addr_from_string("+4900000001", &from);
	ota_sender_init(&r->isd, &r->ota.prof.keysets[3], 3, &from);
	return 0;
}

static void rig_close(struct rig *r)
{
	char cmd[128];

	ota_host_close(&r->ota);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", r->dir);
	if (system(cmd))
		fprintf(stderr, "# cannot remove %s\n", r->dir);
}

/* One single-SMS script to @tar through the slow path; the PoR opened. */
static int run(struct rig *r, uint32_t tar, const char *hex,
	       struct ota_por *p, uint16_t *sw)
{
	static uint8_t env[OTA_MAX_ENVELOPES][OTA_ENVELOPE_MAX];
	static uint8_t buf[300];
	uint8_t data[256], rapdu[VSIM_RAPDU_MAX];
	size_t el[OTA_MAX_ENVELOPES], rl;
	int n = ot_unhex(hex, data, sizeof(data));

	if (n < 0 || ota_sender_envelopes(&r->isd, tar, data, (size_t)n, env,
					  el) != 1)
		return -1;
	rl = ota_card_slow_path(&r->ota.card, env[0], el[0], rapdu);
	if (rl < 2)
		return -1;
	*sw = (uint16_t)(rapdu[rl - 2] << 8 | rapdu[rl - 1]);
	if (rl == 2)
		return 1;		/* no PoR in the answer */
	return ota_sender_por(&r->isd, rapdu, rl - 2, buf, p);
}

FIXTURE(host) {
	struct rig r;
};

FIXTURE_SETUP(host)
{
	ASSERT_EQ(0, rig_open(&self->r));
}

FIXTURE_TEARDOWN(host)
{
	rig_close(&self->r);
}

TEST_F(host, card_without_ota_config)
{
	struct ota_host o;
	char err[256];

	ASSERT_EQ(0, ota_host_open_kernel(&o, self->r.db, 2, err, sizeof(err)));
	ASSERT_FALSE(o.prof.present);
	ASSERT_EQ(NULL, o.store);
	ota_host_close(&o);
}

TEST_F(host, served_with_no_card_fd_yet)
{
	struct ota_por p;
	uint16_t sw;
	struct ota_host o;
	char err[256];

	ASSERT_TRUE(self->r.ota.prof.present);
	ASSERT_EQ(-1, self->r.ota.card_fd);
	ASSERT_NE(NULL, self->r.ota.card.exec);
	ASSERT_NE(NULL, self->r.ota.card.queue_proactive);
	/* the packet opens, its counter is committed, the card says 6F00 */
	ASSERT_EQ(0, run(&self->r, OTA_TAR_RFM_UICC, READ_ICCID, &p, &sw));
	ASSERT_EQ(0x9000, sw);
	ASSERT_EQ(OTA_ST_OK, p.status);
	ASSERT_STREQ("016f00", ot_hex(p.data, p.data_len));
	ASSERT_EQ(1U, self->r.ota.card.keysets[3].counter);
	/* the counter is in vsim.db: a second opening has it */
	ASSERT_EQ(0, ota_host_open_kernel(&o, self->r.db, 1, err, sizeof(err)));
	ASSERT_EQ(1U, o.card.keysets[3].counter);
	ota_host_close(&o);
}

/* A card fd that takes no vsim ioctl (ENOTTY): 6F00, refusals. */
TEST_F(host, card_fd_refuses)
{
	static const char menu_selection[] = "80C2000009 D307 82020181 900101";
	uint8_t c[32], rapdu[VSIM_RAPDU_MAX];
	struct ota_por p;
	uint16_t sw;
	int n;

	self->r.ota.card_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->r.ota.card_fd);
	ASSERT_EQ(0, run(&self->r, OTA_TAR_RFM_USIM, READ_ICCID, &p, &sw));
	ASSERT_STREQ("016f00", ot_hex(p.data, p.data_len));
	/* SET UP MENU cannot be queued */
	ASSERT_EQ(-1, ota_card_set_up_menu(&self->r.ota.card, false));
	/* MENU SELECTION: the request cannot be queued, try later */
	n = ot_unhex(menu_selection, c, sizeof(c));
	ASSERT_EQ(2U, ota_card_slow_path(&self->r.ota.card, c, (size_t)n,
					 rapdu));
	ASSERT_STREQ("6f00", ot_hex(rapdu, 2));
	close(self->r.ota.card_fd);
}

TEST_HARNESS_MAIN
