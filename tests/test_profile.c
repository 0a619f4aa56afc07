// SPDX-License-Identifier: GPL-2.0-only
/*
 * Profile compiler: the example profile's image, OP -> OPc, the file tree,
 * and one test per class of bad profile, each checking that the error
 * names the field and the right line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"

#include "common/fs_template.h"
#include "common/profile.h"
#include "vsim_card.h"

/* A valid profile; the line numbers matter to the bad-profile table. */
static const char base[] =
	"[card]\n"						/* 1 */
	"iccid = 8988211000000000011\n"				/* 2 */
	"imsi = 001010123456789\n"				/* 3 */
	"mnc_length = 2\n"					/* 4 */
	"[auth]\n"						/* 5 */
	"k = 465b5ce8b199b49faa5f0a2ee238a6bc\n"		/* 6 */
	"opc = cd63cb71954a9f4e48a5994e37a02baf\n"		/* 7 */
	"[pin]\n"						/* 8 */
	"pin1 = 1234\n"						/* 9 */
	"puk1 = 12345678\n"					/* 10 */
	"pin2 = 5678\n"						/* 11 */
	"puk2 = 87654321\n"					/* 12 */
	"adm1 = 88888888\n"					/* 13 */
	"[file 3F00/2FE2]\n"					/* 14 */
	"data = 98881201000000000010\n"				/* 15 */
	"[file ADF.USIM/6FB7]\n"				/* 16 */
	"record.1 = 11F2FF00\n";				/* 17 */

/* base with the first occurrence of @from replaced by @to (or @to appended). */
static char *edit(const char *from, const char *to)
{
	const char *at = from ? strstr(base, from) : NULL;
	size_t n = strlen(base) + strlen(to) + 1;
	char *s = malloc(n);

	if (!s)
		abort();
	if (!at) {
		snprintf(s, n, "%s%s", base, to);
		return s;
	}
	snprintf(s, n, "%.*s%s%s", (int)(at - base), base, to, at + strlen(from));
	return s;
}

/* Write @text to a temp file and compile it as a file. */
static int compile_tmp(const char *text, char *path, size_t plen, uint8_t **img,
		       size_t *len, char *err, size_t errlen)
{
	FILE *f;
	int fd, rc;

	snprintf(path, plen, "/tmp/vsim-profile-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -2;
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	rc = vsim_profile_compile(path, img, len, err, errlen);
	unlink(path);
	return rc;
}

static const char *example_path(void)
{
	static const char *const c[] = {
		"examples/test-usim.ini", "../examples/test-usim.ini",
		"../../examples/test-usim.ini",
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		if (access(c[i], R_OK) == 0)
			return c[i];
	return c[0];
}

/* Find a file's body in an image: parent FID (0 = any), FID. */
static const uint8_t *body(const uint8_t *img, uint16_t parent_fid, uint16_t fid, uint32_t *size)
{
	const struct vsim_image_header *h = (const void *)img;
	const struct vsim_image_file *f = (const void *)(img + h->header_size);
	const uint8_t *data = (const uint8_t *)(f + h->file_count);
	unsigned int i;

	for (i = 0; i < h->file_count; i++) {
		if (f[i].fid != fid || f[i].type != VSIM_FILE_EF)
			continue;
		if (parent_fid && f[f[i].parent].fid != parent_fid)
			continue;
		*size = f[i].size;
		return data + f[i].data_offset;
	}
	return NULL;
}

static const uint8_t k1[16] = {
	0x46, 0x5b, 0x5c, 0xe8, 0xb1, 0x99, 0xb4, 0x9f,
	0xaa, 0x5f, 0x0a, 0x2e, 0xe2, 0x38, 0xa6, 0xbc,
};
static const uint8_t opc1[16] = {
	0xcd, 0x63, 0xcb, 0x71, 0x95, 0x4a, 0x9f, 0x4e,
	0x48, 0xa5, 0x99, 0x4e, 0x37, 0xa0, 0x2b, 0xaf,
};

TEST(example_image)
{
	static const uint8_t imsi[9] = { 0x08, 0x09, 0x10, 0x10, 0x10, 0x32, 0x54, 0x76, 0x98 };
	static const uint8_t iccid[10] = { 0x98, 0x88, 0x12, 0x01, 0x00, 0x00, 0x00, 0x00, 0x10, 0xF1 };
	static const uint8_t ad[4] = { 0x00, 0x00, 0x00, 0x02 };
	const struct vsim_image_header *h;
	const uint8_t *b;
	uint8_t *img = NULL, atr[VSIM_ATR_MAX];
	size_t len = 0, atr_len;
	uint32_t sz;
	char err[256] = "";
	const char *why = NULL;

	ASSERT_EQ(0, vsim_profile_compile(example_path(), &img, &len, err, sizeof(err)))
		TH_LOG("%s", err);
	h = (const void *)img;
	EXPECT_EQ((unsigned)VSIM_IMAGE_MAGIC, h->magic);
	EXPECT_EQ(VSIM_IMAGE_VERSION, h->version);
	EXPECT_EQ(sizeof(*h), h->header_size);
	EXPECT_EQ(len, h->total_size);
	EXPECT_EQ(0U, h->flags);
	EXPECT_EQ(vsim_fs_template_count, h->file_count);
	EXPECT_EQ(len, sizeof(*h) + h->file_count * sizeof(struct vsim_image_file) + h->data_size);
	EXPECT_LE(h->data_size, (unsigned)VSIM_IMAGE_MAX_DATA);
	EXPECT_EQ(0, memcmp(h->k, k1, 16));
	EXPECT_EQ(0, memcmp(h->opc, opc1, 16));
	EXPECT_EQ(5, h->sqn_ind_bits);
	EXPECT_EQ(0ULL, h->sqn_delta);
	EXPECT_EQ(0ULL, h->sqn_limit);
	atr_len = vsim_profile_default_atr(atr);
	ASSERT_EQ(atr_len, h->atr_len);
	EXPECT_EQ(0, memcmp(atr, h->atr, atr_len));
	EXPECT_EQ(0x26, h->atr[atr_len - 1]);	/* TCK */
	EXPECT_EQ(0, memcmp(h->pins[VSIM_PIN_IDX_PIN1].value, "1234\xff\xff\xff\xff", 8));
	EXPECT_EQ(0, memcmp(h->pins[VSIM_PIN_IDX_PIN1].puk, "12345678", 8));
	EXPECT_EQ(3, h->pins[VSIM_PIN_IDX_PIN1].max_tries);
	EXPECT_EQ(10, h->pins[VSIM_PIN_IDX_PIN1].puk_max_tries);
	EXPECT_EQ(VSIM_PIN_F_ENABLED | VSIM_PIN_F_DISABLE_OK, h->pins[VSIM_PIN_IDX_PIN1].flags);
	EXPECT_EQ(0, memcmp(h->pins[VSIM_PIN_IDX_ADM1].value, "88888888", 8));
	EXPECT_EQ(0, h->pins[VSIM_PIN_IDX_ADM1].puk_max_tries);

	b = body(img, 0x7FF0, 0x6F07, &sz);
	ASSERT_NE(NULL, b);
	ASSERT_EQ(9U, sz);
	EXPECT_EQ(0, memcmp(b, imsi, 9));
	b = body(img, 0x7F20, 0x6F07, &sz);
	ASSERT_NE(NULL, b);
	EXPECT_EQ(0, memcmp(b, imsi, 9));
	b = body(img, 0x3F00, 0x2FE2, &sz);
	ASSERT_NE(NULL, b);
	ASSERT_EQ(10U, sz);
	EXPECT_EQ(0, memcmp(b, iccid, 10));
	b = body(img, 0x7FF0, 0x6FAD, &sz);
	ASSERT_NE(NULL, b);
	ASSERT_EQ(4U, sz);
	EXPECT_EQ(0, memcmp(b, ad, 4));
	/* [file ADF.USIM/6F7B] data = 00 F1 20: padded with FF */
	b = body(img, 0x7FF0, 0x6F7B, &sz);
	ASSERT_NE(NULL, b);
	ASSERT_EQ(12U, sz);
	EXPECT_EQ(0, memcmp(b, "\x00\xF1\x20\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF", 12));
	/* EF_SPN: display byte, "vsim test", FF */
	b = body(img, 0x7FF0, 0x6F46, &sz);
	ASSERT_NE(NULL, b);
	EXPECT_EQ(0, memcmp(b, "\x00vsim test\xFF", 11));
	/* EF_MSISDN record 1: 10 alpha FF, len 07, 91, 515510 0000F1 */
	b = body(img, 0x7FF0, 0x6F40, &sz);
	ASSERT_NE(NULL, b);
	EXPECT_EQ(0, memcmp(b + 10, "\x07\x91\x51\x55\x10\x00\x00\xF1\xFF", 9));

	EXPECT_EQ(0, vsim_image_check(img, len, &why)) TH_LOG("%s", why ? why : "");
	free(img);
}

TEST(op_to_opc_test_set_1)
{
	struct vsim_profile p;
	char err[256] = "";
	char *s = edit("opc = cd63cb71954a9f4e48a5994e37a02baf",
		       "op = cdc202d5123e20f62b6d676ac72cb318");

	ASSERT_EQ(0, vsim_profile_parse_buffer("op.ini", s, &p, err, sizeof(err)))
		TH_LOG("%s", err);
	EXPECT_EQ(0, memcmp(p.opc, opc1, 16));
	EXPECT_EQ(0, memcmp(p.k, k1, 16));
	EXPECT_EQ(0x80, p.amf[0]);
	EXPECT_EQ(0x00, p.amf[1]);
	vsim_profile_free(&p);
	free(s);
}

TEST(imsi_even_digits_and_pysim_vector)
{
	static const uint8_t v1[9] = { 0x08, 0x29, 0x82, 0x60, 0x82, 0x00, 0x00, 0x20, 0x80 };
	static const uint8_t v2[9] = { 0x08, 0x11, 0x10, 0x10, 0x32, 0x54, 0x76, 0x98, 0xF0 };
	uint8_t *img = NULL;
	size_t len;
	uint32_t sz;
	char err[256] = "";
	char *s = edit("imsi = 001010123456789", "imsi = 228062800000208");
	const uint8_t *b;

	ASSERT_EQ(0, vsim_profile_compile_buffer("x.ini", s, &img, &len, err, sizeof(err)))
		TH_LOG("%s", err);
	b = body(img, 0x7FF0, 0x6F07, &sz);
	ASSERT_NE(NULL, b);
	EXPECT_EQ(0, memcmp(b, v1, 9));
	free(img);
	free(s);
	/* 14 digits: parity nibble 1, last high nibble F */
	s = edit("imsi = 001010123456789", "imsi = 10101234567890");
	ASSERT_EQ(0, vsim_profile_compile_buffer("x.ini", s, &img, &len, err, sizeof(err)))
		TH_LOG("%s", err);
	b = body(img, 0x7FF0, 0x6F07, &sz);
	ASSERT_NE(NULL, b);
	EXPECT_EQ(0, memcmp(b, v2, 9));
	free(img);
	free(s);
}

TEST(overrides_applied)
{
	uint8_t *img = NULL;
	size_t len;
	uint32_t sz;
	char err[256] = "";
	const uint8_t *b;

	ASSERT_EQ(0, vsim_profile_compile_buffer("x.ini", base, &img, &len, err, sizeof(err)))
		TH_LOG("%s", err);
	b = body(img, 0x3F00, 0x2FE2, &sz);
	ASSERT_NE(NULL, b);
	EXPECT_EQ(0, memcmp(b, "\x98\x88\x12\x01\x00\x00\x00\x00\x00\x10", 10));
	b = body(img, 0x7FF0, 0x6FB7, &sz);
	ASSERT_NE(NULL, b);
	EXPECT_EQ(20U, sz);
	EXPECT_EQ(0, memcmp(b, "\x11\xF2\xFF\x00\x19\xF1\xFF\x00\xFF", 9));
	free(img);
}

TEST(long_line_sms_record)
{
	char line[600], *s;
	uint8_t *img = NULL;
	size_t len, i, n;
	uint32_t sz;
	char err[256] = "";
	const uint8_t *b;

	n = (size_t)snprintf(line, sizeof(line), "[file ADF.USIM/EF_SMS]\nrecord.10 = 01");
	for (i = 0; i < 175; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "AB");
	snprintf(line + n, sizeof(line) - n, "\n");
	s = edit(NULL, line);
	ASSERT_EQ(0, vsim_profile_compile_buffer("x.ini", s, &img, &len, err, sizeof(err)))
		TH_LOG("%s", err);
	b = body(img, 0x7FF0, 0x6F3C, &sz);
	ASSERT_NE(NULL, b);
	ASSERT_EQ(1760U, sz);
	EXPECT_EQ(0x00, b[0]);		/* record 1: free */
	EXPECT_EQ(0x01, b[9 * 176]);
	EXPECT_EQ(0xAB, b[9 * 176 + 175]);
	free(img);
	free(s);
}

TEST(file_tree)
{
	size_t i;

	ASSERT_EQ(0, vsim_fs_lookup("3F00"));
	EXPECT_EQ(vsim_fs_lookup("3F00/2FE2"), vsim_fs_lookup("2fe2"));
	EXPECT_EQ(vsim_fs_lookup("ADF.USIM/6F38"), vsim_fs_lookup("3F00/7FF0/EF_UST"));
	EXPECT_NE(vsim_fs_lookup("3F00/7F20/6F07"), vsim_fs_lookup("ADF.USIM/6F07"));
	EXPECT_EQ(-1, vsim_fs_lookup("3F00/2FE3"));
	EXPECT_EQ(-1, vsim_fs_lookup("3F00/2FE2/6F07"));
	EXPECT_EQ(-1, vsim_fs_lookup("ADF.USIM/"));
	EXPECT_EQ(-1, vsim_fs_lookup(""));
	for (i = 0; i < vsim_fs_template_count; i++) {
		const struct vsim_fs_entry *e = &vsim_fs_template[i];

		EXPECT_LT((size_t)e->parent, i == 0 ? 1 : i) TH_LOG("%s", e->name);
		EXPECT_LE(e->init_len, vsim_fs_body_size(e)) TH_LOG("%s", e->name);
		EXPECT_LE(e->sfi, 30) TH_LOG("%s", e->name);
		EXPECT_NE(NULL, e->clause);
	}
}

FIXTURE(bad) {
	char path[64];
};

FIXTURE_VARIANT(bad) {
	const char *from;	/* NULL: append */
	const char *to;
	const char *field;	/* must appear in the message */
	int line;
	const char *hint;	/* must appear too */
};

FIXTURE_SETUP(bad) { self->path[0] = 0; }
FIXTURE_TEARDOWN(bad) { }

#define BAD(n, f, t, fld, l, h) \
	FIXTURE_VARIANT_ADD(bad, n) { .from = f, .to = t, .field = fld, .line = l, .hint = h }

BAD(iccid_luhn, "0000000011", "0000000012", "'iccid'", 2, "Luhn");
BAD(iccid_short, "8988211000000000011", "89882110000000011", "'iccid'", 2, "18 to 20 digits");
BAD(k_not_hex, "a6bc\n", "a6bz\n", "'k'", 6, "hex digit");
BAD(k_short, "38a6bc\n", "38a6\n", "'k'", 6, "32 hex digits");
BAD(op_and_opc, "2baf\n", "2baf\nop = cdc202d5123e20f62b6d676ac72cb318\n", "'op'", 8, "not both");
BAD(neither_op_nor_opc, "opc = cd63cb71954a9f4e48a5994e37a02baf\n", "", "'opc'", 5, "op");
BAD(pin_3_digits, "pin1 = 1234", "pin1 = 123", "'pin1'", 9, "4 to 8 digits");
BAD(pin_letters, "pin1 = 1234", "pin1 = 12a4", "'pin1'", 9, "digits");
BAD(puk_7_digits, "puk1 = 12345678", "puk1 = 1234567", "'puk1'", 10, "8 digits");
BAD(unknown_key, "mnc_length = 2\n", "mnc_length = 2\ncolour = blue\n", "'colour'", 5, "[card]");
BAD(unknown_section, NULL, "[extra]\nfoo = 1\n", "[extra]", 18, "unknown section");
BAD(empty_unknown_section, NULL, "[extra]\n", "[extra]", 18, "unknown section");
BAD(duplicate_key, "imsi = 001010123456789\n",
    "imsi = 001010123456789\nimsi = 001010123456789\n", "'imsi'", 4, "line 3");
BAD(duplicate_section, NULL, "[card]\n", "[card]", 18, "twice");
BAD(data_too_long, "0000000010\n", "0000000010FF\n", "'data'", 15, "fit");
BAD(unknown_file_path, "[file 3F00/2FE2]", "[file 3F00/2FE3]", "3F00/2FE3", 14, "unknown file");
BAD(file_is_df, "[file 3F00/2FE2]", "[file 3F00/7F20]", "7F20", 14, "DF");
BAD(record_out_of_range, "record.1 = ", "record.6 = ", "'record.6'", 17, "1 to 5");
BAD(record_on_transparent, "data = 9888", "record.1 = 9888", "'record.1'", 15, "transparent");
BAD(record_too_long, "11F2FF00\n", "11F2FF0000\n", "'record.1'", 17, "fit");
BAD(mnc_length_4, "mnc_length = 2", "mnc_length = 4", "'mnc_length'", 4, "2 or 3");
BAD(atr_bad_ts, "mnc_length = 2\n", "mnc_length = 2\natr = 3C 00\n", "'atr'", 5, "TS");
BAD(atr_bad_tck, "mnc_length = 2\n",
    "mnc_length = 2\natr = 3B 8A 80 1F C7 80 31 E0 73 FE 21 1B 82 90 00 27\n", "'atr'", 5, "TCK");
BAD(atr_bad_length, "mnc_length = 2\n",
    "mnc_length = 2\natr = 3B 8A 80 1F C7 80 31 E0 73 FE 21 1B 82 90 26\n", "'atr'", 5, "announce");
BAD(atr_too_long, "mnc_length = 2\n",
    "mnc_length = 2\natr = 3B0F000000000000000000000000000000000000000000000000000000000000000000\n",
    "'atr'", 5, "33");
BAD(spn_too_long, "mnc_length = 2\n", "mnc_length = 2\nspn = 12345678901234567\n", "'spn'", 5, "16");
BAD(sqn_ind_bits_6, "2baf\n", "2baf\nsqn_ind_bits = 6\n", "'sqn_ind_bits'", 8, "0 to 5");
BAD(tries_0, "adm1 = 88888888\n", "adm1 = 88888888\nadm1_max_tries = 0\n", "'adm1_max_tries'", 14, "1 to 15");
BAD(missing_imsi, "imsi = 001010123456789\n", "", "'imsi'", 1, "missing");
BAD(missing_pin_section, "[pin]\npin1 = 1234\npuk1 = 12345678\npin2 = 5678\npuk2 = 87654321\nadm1 = 88888888\n",
    "", "'pin1'", 11, "absent");
BAD(key_outside_section, "[card]\n", "iccid = 1\n[card]\n", "'iccid'", 1, "outside");
BAD(syntax_error, "mnc_length = 2\n", "mnc_length = 2\njust some words\n", "syntax", 5, "key = value");
BAD(template_unknown, "mnc_length = 2\n", "mnc_length = 2\ntemplate = huge\n", "'template'", 5,
    "default or complete");
BAD(template_after_file, "[card]\n", "[file 3F00/2F05]\ndata = 00\n[card]\ntemplate = complete\n",
    "'template'", 4, "before the first [file PATH] section (line 1)");
/* files of the complete tree are unknown to the default one */
BAD(file_not_in_default, "[file 3F00/2FE2]", "[file 3F00/7F10/5F3A/4F30]", "4F30", 14, "unknown file");
BAD(bool_bad, "adm1 = 88888888\n", "adm1 = 88888888\npin1_enabled = maybe\n", "'pin1_enabled'", 14, "true or false");

TEST_F(bad, reports_field_and_line)
{
	char *text = edit(variant->from, variant->to);
	char err[512] = "", want[128];
	uint8_t *img = NULL;
	size_t len = 0;
	int rc = compile_tmp(text, self->path, sizeof(self->path), &img, &len, err, sizeof(err));

	free(text);
	ASSERT_EQ(-1, rc);
	EXPECT_EQ(NULL, img);
	TH_LOG("message: %s", err);
	EXPECT_NE(NULL, strstr(err, variant->field));
	EXPECT_NE(NULL, strstr(err, variant->hint));
	/* "PATH:LINE: " with the temp file's path */
	snprintf(want, sizeof(want), "%s:%d: ", self->path, variant->line);
	EXPECT_EQ(0, strncmp(err, want, strlen(want))) TH_LOG("want prefix %s", want);
}

/* template = complete: the tree of fs_complete.c, with [file] paths into it */
TEST(complete_template)
{
	char *s = edit("mnc_length = 2\n", "mnc_length = 2\ntemplate = complete\n");
	char *t = edit("[file ADF.USIM/6FB7]", "[file 7F10/5F3A/EF_PBR]");
	char *u = edit("mnc_length = 2\n", "mnc_length = 2\ntemplate = complete\n");
	char err[256] = "";
	struct vsim_image_header *h;
	uint8_t *img;
	size_t len;

	ASSERT_EQ(0, vsim_profile_compile_buffer("x.ini", s, &img, &len, err, sizeof(err)))
		TH_LOG("%s", err);
	h = (struct vsim_image_header *)img;
	EXPECT_EQ(vsim_fs_tmpl_complete.count, h->file_count);
	EXPECT_LT(vsim_fs_template_count, h->file_count);
	free(img);
	/* EF_PBR: a file of the complete tree only */
	EXPECT_EQ(-1, vsim_profile_compile_buffer("x.ini", t, &img, &len, err, sizeof(err)));
	free(t);
	t = malloc(strlen(u) + 64);
	ASSERT_NE(NULL, t);
	strcpy(t, u);
	strcpy(strstr(t, "[file ADF.USIM/6FB7]"), "[file 7F10/5F3A/EF_PBR]\nrecord.1 = A800\n");
	ASSERT_EQ(0, vsim_profile_compile_buffer("x.ini", t, &img, &len, err, sizeof(err)))
		TH_LOG("%s", err);
	free(img);
	EXPECT_NE(NULL, vsim_fs_tmpl_find("Complete"));
	EXPECT_EQ(NULL, vsim_fs_tmpl_find("full"));
	EXPECT_EQ(-1, vsim_fs_tmpl_lookup(&vsim_fs_tmpl_default, "7F10/5F3A"));
	EXPECT_LT(0, vsim_fs_tmpl_lookup(&vsim_fs_tmpl_complete, "DF_TELECOM/DF_PHONEBOOK/EF_ADN"));
	free(s);
	free(t);
	free(u);
}

TEST(buffer_errors_use_name)
{
	struct vsim_profile p;
	char err[256] = "";
	char *s = edit("pin1 = 1234", "pin1 = 12");

	ASSERT_EQ(-1, vsim_profile_parse_buffer("mycard.ini", s, &p, err, sizeof(err)));
	EXPECT_EQ(0, strncmp(err, "mycard.ini:9: field 'pin1': ", 28)) TH_LOG("%s", err);
	free(s);
	ASSERT_EQ(-1, vsim_profile_compile("/nonexistent/x.ini", (uint8_t **)&s, (size_t[]){0},
					   err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "/nonexistent/x.ini"));
}

TEST_HARNESS_MAIN
