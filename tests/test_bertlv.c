// SPDX-License-Identifier: GPL-2.0-only
/*
 * BER-TLV EFs (TS 102 221 §11.3) beyond what tests/golden/bertlv.trace
 * shows: failed commits that leave nothing half done, free space reused,
 * 62F2 with a proactive command waiting, durability through vsimd's
 * store, and images, state blobs and profiles with malformed objects
 * refused with a reason. The card is the complete profile's EF_VSIM_TLV.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "common/profile.h"
#include "vsimd/store.h"
#include "testcard.h"

#define PROFILE		"examples/usim-complete.ini"
#define VERIFY_1234	"002000010831323334FFFFFFFF"
#define SELECT_TLV	"00A4000C02A001"
#define TAG_LIST	"80CB0080015C00"
#define EF_SIZE		512
#define INITIAL_USE	75	/* 80 04 "vsim", 81 01 01, A2 40 (64 bytes) */

/* The hex of @n bytes of @b, uppercase, in a static buffer. */
static const char *hex(const uint8_t *b, size_t n)
{
	static char s[2 * 300 + 1];
	size_t i;

	for (i = 0; i < n && i < 300; i++)
		sprintf(s + 2 * i, "%02X", b[i]);
	s[2 * i] = 0;
	return s;
}

/* SET DATA, first block, of a whole object: @tag (hex), @len bytes of @fill. */
static const char *set_object(struct testcard *t, const char *tag, size_t len, uint8_t fill)
{
	char apdu[2 * 300 + 32];
	uint8_t v[255];
	size_t tl = strlen(tag) / 2, hl = tl + (len < 0x80 ? 1 : 2);

	memset(v, fill, sizeof(v));
	snprintf(apdu, sizeof(apdu), "80DB0080%02zX%s%s%02zX%.540s", hl + len, tag,
		 len < 0x80 ? "" : "81", len, hex(v, len));
	return tc(t, apdu);
}

/* Bytes of the longest object that fits now: FCP A5 { 83 avail } */
static unsigned int available(struct testcard *t)
{
	const char *r = tc(t, "00A4000402A001");
	unsigned int n, a;
	char *p, get[16];

	if (sscanf(r, "61%2x", &n) != 1)
		return ~0u;
	snprintf(get, sizeof(get), "00C00000%02X", n);
	r = tc(t, get);
	p = strstr(r, "A50783");
	if (!p || sscanf(p + 8, "%4x", &a) != 1)
		return ~0u;
	return a;
}

FIXTURE(tlv) {
	struct testcard t;
};

FIXTURE_SETUP(tlv)
{
	ASSERT_EQ(0, testcard_open(&self->t, PROFILE, NULL));
	ASSERT_STREQ("9000", tc(&self->t, VERIFY_1234));
	ASSERT_STREQ("9000", tc(&self->t, SELECT_TLV));
}

FIXTURE_TEARDOWN(tlv)
{
	testcard_close(&self->t);
}

/* Durable before 9000: a refused commit leaves every object as it was. */
TEST_F(tlv, failed_commit_changes_nothing)
{
	struct testcard *t = &self->t;
	unsigned long before = t->h.persists;

	t->h.fail_persist = 1;
	EXPECT_STREQ("6581", tc(t, "80DB0080038301AA"));
	EXPECT_STREQ("6A88", tc(t, "80CB0080018300"));
	/* a replace first frees the old object: that commit fails, 80 stays */
	t->h.fail_persist = 1;
	EXPECT_STREQ("6581", tc(t, "80DB008003800155"));
	EXPECT_STREQ("80047673696D9000", tc(t, "80CB0080018000"));
	t->h.fail_persist = 1;
	EXPECT_STREQ("6581", tc(t, "80DB00800180"));
	EXPECT_STREQ("80047673696D9000", tc(t, "80CB0080018000"));
	EXPECT_STREQ("5C038081A29000", tc(t, TAG_LIST));
	EXPECT_EQ(before, t->h.persists);
	EXPECT_STREQ("9000", tc(t, "80DB00800180"));
	EXPECT_EQ(before + 1, t->h.persists);
}

/*
 * An object longer than its first block is built in several records
 * inside a hole: whichever of them fails, nothing shows, and the space
 * stays free; the last record makes it appear whole.
 */
TEST_F(tlv, object_in_blocks_appears_with_its_last_record)
{
	struct testcard *t = &self->t;
	const char *first = "80DB008009A48201F4" "0102030405";	/* 500 bytes */
	unsigned int free0 = available(t), n;

	ASSERT_EQ((unsigned int)(EF_SIZE - INITIAL_USE), free0);
	ASSERT_STREQ("9000", tc(t, SELECT_TLV));
	/* 500 + 4 (tag, length) + a 4-byte hole before it: 508 > 437 */
	EXPECT_STREQ("6A84", tc(t, first));
	ASSERT_STREQ("9000", tc(t, "80DB008001A2"));
	first = "80DB008009A482012C" "0102030405";		/* 300 bytes */
	for (n = 1; n < 16; n++) {
		const char *r;

		t->h.fail_persist = (int)n;
		r = tc(t, first);
		if (!strcmp(r, "63F1"))
			break;
		EXPECT_STREQ("6581", r) TH_LOG("commit %u", n);
		EXPECT_STREQ("5C028081" "9000", tc(t, TAG_LIST)) TH_LOG("commit %u", n);
		EXPECT_EQ((unsigned int)(EF_SIZE - 9), available(t)) TH_LOG("commit %u", n);
		ASSERT_STREQ("9000", tc(t, SELECT_TLV));
	}
	t->h.fail_persist = 0;
	EXPECT_LT(2U, n);	/* hole, object, fill, commit: more than one */
	EXPECT_LT(n, 16U);
	/* placeholders until the value comes: FF */
	EXPECT_STREQ("A482012C0102030405FFFF62F1", tc(t, "80CB008001A40B"));
	EXPECT_STREQ("FFFFFF62F1", tc(t, "80CB000003"));
}

/*
 * Freed space is found again, and a replace may reuse its own. Free space
 * is not compacted: an object needs one run of it (docs/engine.md).
 */
TEST_F(tlv, space_is_reused)
{
	struct testcard *t = &self->t;

	ASSERT_STREQ("9000", tc(t, SELECT_TLV));
	/* 437 free: 200-byte objects take 203 bytes, two fit, 31 left */
	EXPECT_STREQ("9000", set_object(t, "84", 200, 0x11));
	EXPECT_STREQ("9000", set_object(t, "85", 200, 0x22));
	EXPECT_EQ(31U, available(t));
	ASSERT_STREQ("9000", tc(t, SELECT_TLV));
	EXPECT_STREQ("6A84", set_object(t, "86", 200, 0x33));
	/* 85 by 230 bytes (233): its own 203 and the 31 after it */
	EXPECT_STREQ("9000", set_object(t, "85", 230, 0x44));
	EXPECT_EQ(1U, available(t));
	ASSERT_STREQ("9000", tc(t, SELECT_TLV));
	EXPECT_STREQ("8581E644444462F1", tc(t, "80CB00800185" "06"));
	/* 84's 203 bytes, not next to free space: 233 does not fit there */
	EXPECT_STREQ("6A84", set_object(t, "84", 230, 0x66));
	/* deleted, they hold a new object of the same size again */
	EXPECT_STREQ("9000", tc(t, "80DB00800184"));
	EXPECT_EQ(203U, available(t));
	ASSERT_STREQ("9000", tc(t, SELECT_TLV));
	EXPECT_STREQ("9000", set_object(t, "86", 200, 0x55));
	EXPECT_STREQ("5C058081A28685" "9000", tc(t, TAG_LIST));
	EXPECT_STREQ("8681C855555562F1", tc(t, "80CB00800186" "06"));
	EXPECT_EQ(1U, available(t));
}

/* 62F1 becomes 62F2 while a proactive command waits (TS 102 221 §10.2.1). */
TEST_F(tlv, more_data_with_proactive_pending)
{
	static const uint8_t text[] = { 0x8D, 0x02, 0x04, 0x41 };
	struct testcard *t = &self->t;

	ASSERT_EQ(0, vsim_card_queue_proactive(t->h.card, 0x21, 0x00, 0x02,
					       text, sizeof(text)));
	EXPECT_STREQ("A24000010203040562F2", tc(t, "80CB008001A208"));
	/* and 63F1 becomes 63F2 */
	EXPECT_STREQ("63F2", tc(t, "80DB0080038302AA"));
}

struct store_ctx {
	struct vsim_store *s;
	int64_t id;
};

/* vsimd's embedded backend: every change record into the SQLite store. */
static int store_commit(void *ctx, const struct vsim_persist *rec)
{
	struct store_ctx *sc = ctx;

	return vsim_store_persist(sc->s, sc->id, rec->offset, rec->len, rec->data);
}

struct stored {
	uint8_t *image, *state;
	size_t image_len, state_len;
};

static int take_row(void *ctx, struct vsim_store_card *c)
{
	struct stored *st = ctx;

	st->image = malloc(c->image_len);
	st->state = malloc(c->state_len);
	if (!st->image || !st->state)
		return -1;
	memcpy(st->image, c->image, c->image_len);
	memcpy(st->state, c->state, c->state_len);
	st->image_len = c->image_len;
	st->state_len = c->state_len;
	return 0;
}

/* Objects set, replaced, deleted come back after a restart from the store. */
TEST(objects_survive_a_vsimd_store_restart)
{
	char dir[] = "/tmp/vsim-bertlv-XXXXXX", err[256], cmd[96];
	struct vsim_store_card row = { 0 };
	struct stored got = { 0 };
	struct store_ctx sc;
	struct testcard t;
	uint8_t *img, atr[VSIM_ATR_MAX];
	size_t len;

	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_EQ(0, vsim_store_open(dir, 0, &sc.s, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, vsim_profile_compile(PROFILE, &img, &len, err, sizeof(err)));
	ASSERT_EQ(0, testcard_open(&t, PROFILE, NULL));
	snprintf(row.name, sizeof(row.name), "tlv");
	snprintf(row.vpcd_host, sizeof(row.vpcd_host), "127.0.0.1");
	row.vpcd_port = 35963;
	row.image = img;
	row.image_len = len;
	row.state = (uint8_t *)vsim_card_state(t.h.card, &row.state_len);
	ASSERT_EQ(0, vsim_store_add(sc.s, &row, err, sizeof(err))) TH_LOG("%s", err);
	sc.id = row.id;
	t.h.commit = store_commit;
	t.h.commit_ctx = &sc;
	ASSERT_STREQ("9000", tc(&t, VERIFY_1234));
	ASSERT_STREQ("9000", tc(&t, SELECT_TLV));
	EXPECT_STREQ("9000", tc(&t, "80DB008007830568656C6C6F"));
	EXPECT_STREQ("9000", tc(&t, "80DB00800180"));
	EXPECT_STREQ("9000", tc(&t, "80DB008004A202CAFE"));
	/* left half done: the value's rest stays FF placeholders, durably */
	EXPECT_STREQ("63F1", tc(&t, "80DB0080069F20820100" "AA"));
	testcard_close(&t);
	vsim_store_close(sc.s);
	free(img);

	/* vsimd starts again: image and blob from the store */
	ASSERT_EQ(0, vsim_store_open(dir, 0, &sc.s, err, sizeof(err)));
	ASSERT_EQ(0, vsim_store_foreach(sc.s, take_row, &got, err, sizeof(err)));
	ASSERT_NE(NULL, got.state);
	ASSERT_EQ(0, vsim_host_card_open(&t.h, got.image, got.image_len, NULL, err,
					 sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, vsim_card_load_state(t.h.card, got.state, got.state_len));
	vsim_card_power_on(t.h.card, atr, sizeof(atr));
	ASSERT_STREQ("9000", tc(&t, VERIFY_1234));
	ASSERT_STREQ("9000", tc(&t, SELECT_TLV));
	EXPECT_STREQ("5C05A281839F20" "9000", tc(&t, TAG_LIST));
	EXPECT_STREQ("830568656C6C6F9000", tc(&t, "80CB0080018300"));
	EXPECT_STREQ("A202CAFE9000", tc(&t, "80CB008001A200"));
	EXPECT_STREQ("9F20820100AAFF62F1", tc(&t, "80CB0080029F2007"));
	EXPECT_STREQ("6A88", tc(&t, "80CB0080018000"));
	testcard_close(&t);
	vsim_store_close(sc.s);
	free(got.image);
	free(got.state);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ASSERT_EQ(0, system(cmd));
}

/* The complete image and the index of EF_VSIM_TLV's entry in it. */
static uint8_t *tlv_image(size_t *len, struct vsim_image_file **f, uint8_t **body)
{
	struct vsim_image_header *h;
	struct vsim_image_file *ft;
	char err[256];
	uint8_t *img;
	size_t i;

	if (vsim_profile_compile(PROFILE, &img, len, err, sizeof(err)))
		return NULL;
	h = (void *)img;
	ft = (void *)(h + 1);
	for (i = 0; i < h->file_count; i++) {
		if (ft[i].structure == VSIM_EF_BER_TLV) {
			*f = &ft[i];
			*body = (uint8_t *)(ft + h->file_count) + ft[i].data_offset;
			return img;
		}
	}
	free(img);
	return NULL;
}

/* Image bodies reach the kernel: malformed objects are refused by name. */
TEST(image_check_refuses_malformed_objects)
{
	static const struct {
		const char *what;
		uint8_t bytes[8];
		size_t n;
	} bad[] = {
		{ "tag outside §11.3.0", { 0x5A, 0x01, 0x00 }, 3 },
		{ "universal class tag", { 0x04, 0x01, 0x00 }, 3 },
		{ "length past the file", { 0x80, 0x82, 0x02, 0x00 }, 4 },
		{ "length not DER (81 < 80)", { 0x80, 0x81, 0x05 }, 3 },
		{ "length byte 84", { 0x80, 0x84, 0, 0, 0, 1 }, 6 },
		{ "tag twice", { 0x80, 0x00, 0x80, 0x00 }, 4 },
		{ "hole header not 00 82", { 0x00, 0x81, 0x02 }, 3 },
		{ "two-byte tag 9F 1E", { 0x9F, 0x1E, 0x00 }, 3 },
	};
	struct vsim_image_file *f;
	const char *why = NULL;
	uint8_t *img, *body, *copy;
	size_t len, i;

	img = tlv_image(&len, &f, &body);
	ASSERT_NE(NULL, img);
	ASSERT_EQ(0, vsim_image_check(img, len, &why));
	copy = malloc(len);
	ASSERT_NE(NULL, copy);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(copy, img, len);
		memcpy(copy + (body - img), bad[i].bytes, bad[i].n);
		why = NULL;
		EXPECT_EQ(-EINVAL, vsim_image_check(copy, len, &why)) TH_LOG("%s", bad[i].what);
		EXPECT_NE(NULL, why);
		if (why)
			EXPECT_NE(NULL, strstr(why, "BER-TLV")) TH_LOG("%s: %s", bad[i].what, why);
	}
	/* and the structural ones */
	memcpy(copy, img, len);
	((struct vsim_image_file *)(copy + ((uint8_t *)f - img)))->record_length = 4;
	EXPECT_EQ(-EINVAL, vsim_image_check(copy, len, &why));
	EXPECT_NE(NULL, strstr(why, "BER-TLV EF with record length"));
	/* an empty file (all FF) and a hole are fine */
	memcpy(copy, img, len);
	memset(copy + (body - img), 0xFF, f->size);
	EXPECT_EQ(0, vsim_image_check(copy, len, &why));
	memcpy(copy + (body - img), "\x00\x82\x00\x10", 4);
	EXPECT_EQ(0, vsim_image_check(copy, len, &why));
	free(copy);
	free(img);
}

/* A state blob is loaded only when its BER-TLV bodies parse. */
TEST(load_state_refuses_malformed_objects)
{
	struct vsim_image_file *f;
	struct testcard t;
	uint8_t *img, *body, *blob;
	const uint8_t *st;
	size_t len, sl;

	img = tlv_image(&len, &f, &body);
	ASSERT_NE(NULL, img);
	ASSERT_EQ(0, testcard_open(&t, PROFILE, NULL));
	st = vsim_card_state(t.h.card, &sl);
	blob = malloc(sl);
	ASSERT_NE(NULL, blob);
	memcpy(blob, st, sl);
	/* the body sits at the end of the blob as in the image's data area */
	ASSERT_EQ(0, memcmp(blob + sl - (len - (size_t)(body - img)), body, 16));
	blob[sl - (len - (size_t)(body - img))] = 0x5A;
	EXPECT_EQ(-EINVAL, vsim_card_load_state(t.h.card, blob, sl));
	EXPECT_STREQ("9000", tc(&t, VERIFY_1234));
	EXPECT_STREQ("9000", tc(&t, SELECT_TLV));
	EXPECT_STREQ("80047673696D9000", tc(&t, "80CB0080018000"));
	free(blob);
	free(img);
	testcard_close(&t);
}

/* The profile compiler: object.TAG adds or replaces; bad ones are named. */
TEST(profile_objects)
{
	static const struct {
		const char *add, *err;
	} bad[] = {
		{ "object.5A = 00", "not a data object tag" },
		{ "object.9F = 00", "not a data object tag" },
		{ "data = 8000", "use object.TAG" },
		{ "record.1 = 00", "use object.TAG" },
		{ "object.80 = 01\nobject.80 = 02", "given twice" },
	};
	char *text, *buf, err[512];
	uint8_t *img, atr[VSIM_ATR_MAX];
	size_t len, i;
	FILE *f = fopen(PROFILE, "r");
	struct testcard t;
	long n;

	ASSERT_NE(NULL, f);
	ASSERT_EQ(0, fseek(f, 0, SEEK_END));
	n = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)n + 1);
	buf = calloc(1, (size_t)n + 4096);
	ASSERT_NE(NULL, text);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ((size_t)n, fread(text, 1, (size_t)n, f));
	fclose(f);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* the profile ends with EF_VSIM_TLV's section: more lines for it */
		snprintf(buf, (size_t)n + 4096, "%s%s\n", text, bad[i].add);
		err[0] = 0;
		EXPECT_NE(0, vsim_profile_compile_buffer("p.ini", buf, &img, &len, err,
							 sizeof(err))) TH_LOG("%s", bad[i].add);
		EXPECT_NE(NULL, strstr(err, bad[i].err)) TH_LOG("%s: %s", bad[i].add, err);
	}
	/* 437 bytes free after the template's and the profile's objects */
	snprintf(buf, (size_t)n + 4096, "%sobject.83 = %0*d\nobject.84 = %0*d\n",
		 text, 2 * 250, 0, 2 * 190, 0);
	EXPECT_NE(0, vsim_profile_compile_buffer("p.ini", buf, &img, &len, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "do not fit")) TH_LOG("%s", err);

	/* object.80 replaces the template's 80 (and moves to the end) */
	snprintf(buf, (size_t)n + 4096, "%sobject.80 = 6C6162\n"
		 "object.BF20 = 01\n", text);
	ASSERT_EQ(0, vsim_profile_compile_buffer("p.ini", buf, &img, &len, err, sizeof(err)))
		TH_LOG("%s", err);
	ASSERT_EQ(0, vsim_host_card_open(&t.h, img, len, NULL, err, sizeof(err)));
	vsim_card_power_on(t.h.card, atr, sizeof(atr));
	EXPECT_STREQ("9000", tc(&t, VERIFY_1234));
	EXPECT_STREQ("9000", tc(&t, SELECT_TLV));
	EXPECT_STREQ("5C0581A280BF209000", tc(&t, TAG_LIST));
	EXPECT_STREQ("80036C61629000", tc(&t, "80CB0080018000"));
	EXPECT_STREQ("BF2001019000", tc(&t, "80CB008002BF2000"));
	testcard_close(&t);
	free(img);
	free(buf);
	free(text);
}

TEST_HARNESS_MAIN
