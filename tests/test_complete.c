// SPDX-License-Identifier: GPL-2.0-only
/*
 * The complete template (examples/usim-complete.ini, agent/common/
 * fs_complete.c) against the engine in-process: every file is selected
 * by FID from its parent and by path, its FCP (descriptor, record length
 * and count, FID, size, SFI, EF_ARR reference) matches the table, EFs
 * with an SFI are read through it, every EF is read with PIN1 verified
 * and without it (the access rule's answer: 9000 or 6982), and EF_UST's
 * services match the optional files present (TS 31.102 §4.2.8).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "common/fs_template.h"
#include "common/profile.h"
#include "testcard.h"

#define PROFILE "examples/usim-complete.ini"

static const uint8_t usim_aid[] = { 0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02 };

/* The RID and application code of an ADF's AID (USIM unless it says). */
static const uint8_t *adf_aid(const struct vsim_fs_entry *e)
{
	return e->aid ? e->aid : usim_aid;
}

/* One exchange with T=0 chaining done here: 61xx -> GET RESPONSE, 6Cxx -> resend. */
static uint16_t xfer(struct testcard *t, const uint8_t *c, size_t n, uint8_t *data, size_t *dl)
{
	uint8_t r[VSIM_RAPDU_MAX], cc[270];
	size_t rl;
	uint16_t sw;

	memcpy(cc, c, n);
	rl = vsim_card_transact(t->h.card, cc, n, r);
	sw = (uint16_t)(r[rl - 2] << 8 | r[rl - 1]);
	if ((sw >> 8) == 0x6C && n == 5) {
		cc[4] = (uint8_t)sw;
		rl = vsim_card_transact(t->h.card, cc, n, r);
		sw = (uint16_t)(r[rl - 2] << 8 | r[rl - 1]);
	}
	if ((sw >> 8) == 0x61) {
		uint8_t gr[5] = { 0x00, 0xC0, 0x00, 0x00, (uint8_t)sw };

		rl = vsim_card_transact(t->h.card, gr, 5, r);
		sw = (uint16_t)(r[rl - 2] << 8 | r[rl - 1]);
	}
	if (data) {
		memcpy(data, r, rl - 2);
		*dl = rl - 2;
	}
	return sw;
}

static uint16_t sel(struct testcard *t, uint8_t p1, uint8_t p2, const uint8_t *d, size_t n,
		    uint8_t *fcp, size_t *fl)
{
	uint8_t c[32] = { 0x00, 0xA4, p1, p2, (uint8_t)n };

	memcpy(c + 5, d, n);
	return xfer(t, c, 5 + n, fcp, fl);
}

static uint16_t sel_fid(struct testcard *t, uint16_t fid, uint8_t *fcp, size_t *fl)
{
	uint8_t d[2] = { (uint8_t)(fid >> 8), (uint8_t)fid };

	return sel(t, 0x00, fcp ? 0x04 : 0x0C, d, 2, fcp, fl);
}

/* The chain of DFs from the MF to @idx (exclusive of the MF), outermost first. */
static size_t chain(const struct vsim_fs_tmpl *tp, size_t idx, size_t out[8])
{
	size_t n = 0, tmp[8], i;

	while (idx != 0 && n < 8) {
		tmp[n++] = idx;
		idx = tp->files[idx].parent;
	}
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

/* Select the MF, then each DF down to (and including) @df. 0 or the failing SW. */
static uint16_t select_df(struct testcard *t, const struct vsim_fs_tmpl *tp, size_t df)
{
	size_t ch[8], n = chain(tp, df, ch), i;
	uint16_t sw = sel_fid(t, 0x3F00, NULL, NULL);

	if (sw != 0x9000)
		return sw;
	for (i = 0; i < n; i++) {
		const struct vsim_fs_entry *e = &tp->files[ch[i]];

		sw = e->type == VSIM_FILE_ADF ?
		     sel(t, 0x04, 0x0C, adf_aid(e), sizeof(usim_aid), NULL, NULL) :
		     sel_fid(t, e->fid, NULL, NULL);
		if (sw != 0x9000)
			return sw;
	}
	return 0;
}

/* Find tag @tag inside the FCP template (62 L ...); value and its length. */
static const uint8_t *fcp_tag(const uint8_t *fcp, size_t fl, uint8_t tag, size_t *len)
{
	size_t i;

	if (fl < 2 || fcp[0] != 0x62)
		return NULL;
	for (i = 2; i + 2 <= fl; i += 2 + fcp[i + 1]) {
		if (fcp[i] == tag && i + 2 + fcp[i + 1] <= fl) {
			*len = fcp[i + 1];
			return fcp + i + 2;
		}
	}
	return NULL;
}

/* Compare an FCP with the table entry; returns a message or NULL. */
static const char *check_fcp(const struct vsim_fs_tmpl *tp, size_t idx, const uint8_t *fcp,
			     size_t fl, char *why, size_t wl)
{
	const struct vsim_fs_entry *e = &tp->files[idx];
	const uint8_t *v;
	size_t l;
	uint16_t arr = vsim_fs_tmpl_arr_fid(tp, idx);

	v = fcp_tag(fcp, fl, 0x82, &l);
	if (!v || l < 2)
		return "no file descriptor 82";
	if (e->type != VSIM_FILE_EF) {
		if (v[0] != 0x78)
			return "DF descriptor not 78";
	} else {
		uint8_t want = (uint8_t)(0x40 | e->structure);	/* shareable working EF */

		if (v[0] != want) {
			snprintf(why, wl, "descriptor %02X, table says %02X", v[0], want);
			return why;
		}
		if (e->structure == VSIM_EF_BER_TLV) {
			/* TS 102 221 §11.1.1.4.2: 81 total file size, for BER-TLV */
			v = fcp_tag(fcp, fl, 0x81, &l);
			if (!v || l != 2 || (size_t)(v[0] << 8 | v[1]) != e->size)
				return "BER-TLV EF without total file size 81";
		} else if (e->structure != VSIM_EF_TRANSPARENT &&
		    (l != 5 || ((v[2] << 8) | v[3]) != e->record_length || v[4] != e->records)) {
			snprintf(why, wl, "records %u x %u in FCP, table %u x %u",
				 l == 5 ? v[4] : 0, l == 5 ? (v[2] << 8 | v[3]) : 0,
				 e->records, e->record_length);
			return why;
		}
		v = fcp_tag(fcp, fl, 0x80, &l);
		if (!v || l != 2 || (size_t)(v[0] << 8 | v[1]) != vsim_fs_body_size(e)) {
			snprintf(why, wl, "size %d, table %zu", v && l == 2 ? v[0] << 8 | v[1] : -1,
				 vsim_fs_body_size(e));
			return why;
		}
		v = fcp_tag(fcp, fl, 0x88, &l);
		if (!v || (e->sfi ? (l != 1 || v[0] != (uint8_t)(e->sfi << 3)) : l != 0)) {
			snprintf(why, wl, "SFI tag 88 wrong (table %02X)", e->sfi);
			return why;
		}
	}
	if (e->type == VSIM_FILE_ADF) {
		v = fcp_tag(fcp, fl, 0x84, &l);
		if (!v || l < sizeof(usim_aid) || memcmp(v, adf_aid(e), sizeof(usim_aid)))
			return "ADF without its AID in 84";
	} else {
		v = fcp_tag(fcp, fl, 0x83, &l);
		if (!v || l != 2 || (v[0] << 8 | v[1]) != e->fid)
			return "FID tag 83 wrong";
	}
	v = fcp_tag(fcp, fl, 0x8B, &l);
	if (!v || l != 3 || (v[0] << 8 | v[1]) != arr || v[2] != e->rule) {
		snprintf(why, wl, "8B not %04X/%u", arr, e->rule);
		return why;
	}
	return NULL;
}

static int readable_always(const struct vsim_fs_entry *e)
{
	return e->rule == VSIM_RULE_ALW_ADM || e->rule == VSIM_RULE_ALW_PIN;
}

/*
 * RETRIEVE DATA (TS 102 221 §11.3.1) of one tag on the current EF (P2
 * 80) or through an SFI (80 | SFI), next blocks (P2 00) while 62F1: the
 * SW that ends it, the object in @out.
 */
static uint16_t retrieve(struct testcard *t, uint8_t sfi, const uint8_t *tag, size_t tl,
			 uint8_t *out, size_t *ol)
{
	uint8_t c[9] = { 0x80, 0xCB, 0x00, (uint8_t)(0x80 | sfi), (uint8_t)tl };
	static const uint8_t next[5] = { 0x80, 0xCB, 0x00, 0x00, 0x00 };
	uint8_t d[260];
	size_t dl;
	uint16_t sw;

	memcpy(c + 5, tag, tl);
	c[5 + tl] = 0x00;
	sw = xfer(t, c, 6 + tl, d, &dl);
	for (*ol = 0;; sw = xfer(t, next, 5, d, &dl)) {
		memcpy(out + *ol, d, dl);
		*ol += dl;
		if (sw != 0x62F1)
			return sw;
	}
}

/* The length of the §11.3.0 tag at @p (1..3 bytes). */
static size_t tag_len(const uint8_t *p)
{
	if ((p[0] & 0x1F) != 0x1F)
		return 1;
	return p[1] & 0x80 ? 3 : 2;
}

/*
 * A BER-TLV EF whole: the tag list (tag 5C), then every object it names,
 * each of which must come back under its own tag; @body gets them in a row.
 */
static uint16_t retrieve_all(struct testcard *t, uint8_t sfi, uint8_t *body, size_t *len)
{
	uint8_t list[300];
	size_t ll, i, n, tl, h;
	uint16_t sw;

	sw = retrieve(t, sfi, (const uint8_t *)"\x5C", 1, list, &ll);
	*len = 0;
	if (sw != 0x9000)
		return sw;
	if (ll < 2 || list[0] != 0x5C)
		return 0x0001;
	h = list[1] == 0x81 ? 3 : 2;
	for (i = h; i < ll; i += tl) {
		tl = tag_len(list + i);
		sw = retrieve(t, 0, list + i, tl, body + *len, &n);
		if (sw != 0x9000)
			return sw;
		if (n < tl || memcmp(body + *len, list + i, tl))
			return 0x0002;
		*len += n;
	}
	return 0x9000;
}

/*
 * Read the current EF whole: every record, or the body in pieces. The SW
 * of the first failing read (or 9000); the bytes go to @body.
 */
static uint16_t read_all(struct testcard *t, const struct vsim_fs_entry *e, uint8_t *body)
{
	size_t off = 0, n, dl, total = vsim_fs_body_size(e);
	uint8_t c[5], d[260];
	uint16_t sw;
	unsigned int r;

	if (e->structure == VSIM_EF_BER_TLV)
		return retrieve_all(t, 0, body, &n);
	if (e->structure == VSIM_EF_TRANSPARENT) {
		while (off < total) {
			n = total - off > 255 ? 255 : total - off;
			c[0] = 0x00; c[1] = 0xB0; c[2] = (uint8_t)(off >> 8);
			c[3] = (uint8_t)off; c[4] = (uint8_t)n;
			sw = xfer(t, c, 5, d, &dl);
			if (sw != 0x9000)
				return sw;
			if (dl != n)
				return 0x0001;
			memcpy(body + off, d, n);
			off += n;
		}
		return 0x9000;
	}
	for (r = 1; r <= e->records; r++) {
		c[0] = 0x00; c[1] = 0xB2; c[2] = (uint8_t)r; c[3] = 0x04;
		c[4] = e->record_length;
		sw = xfer(t, c, 5, d, &dl);
		if (sw != 0x9000)
			return sw;
		if (dl != e->record_length)
			return 0x0001;
		memcpy(body + (r - 1) * e->record_length, d, dl);
	}
	return 0x9000;
}

/* Read via the SFI from the parent DF: READ BINARY P1=80|SFI, READ RECORD P2=SFI<<3|4. */
static uint16_t read_sfi(struct testcard *t, const struct vsim_fs_entry *e, uint8_t *d,
			 size_t *dl)
{
	uint8_t c[5] = { 0x00, 0xB0, (uint8_t)(0x80 | e->sfi), 0x00, 0x00 };

	if (e->structure == VSIM_EF_BER_TLV)
		return retrieve_all(t, e->sfi, d, dl);
	if (e->structure == VSIM_EF_TRANSPARENT) {
		c[4] = (uint8_t)(e->size > 255 ? 255 : e->size);
	} else {
		c[1] = 0xB2;
		c[2] = 0x01;
		c[3] = (uint8_t)(e->sfi << 3 | 0x04);
		c[4] = e->record_length;
	}
	return xfer(t, c, 5, d, dl);
}

FIXTURE(complete) {
	struct testcard t;
	const struct vsim_fs_tmpl *tp;
};

FIXTURE_SETUP(complete)
{
	ASSERT_EQ(0, testcard_open(&self->t, PROFILE, NULL));
	self->tp = &vsim_fs_tmpl_complete;
}

FIXTURE_TEARDOWN(complete)
{
	testcard_close(&self->t);
}

TEST(profile_selects_the_complete_template)
{
	struct vsim_profile p;
	char err[256];

	ASSERT_EQ(0, vsim_profile_load(PROFILE, &p, err, sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(&vsim_fs_tmpl_complete, p.tmpl);
	vsim_profile_free(&p);
	ASSERT_EQ(0, vsim_profile_load(TESTCARD_PROFILE, &p, err, sizeof(err)));
	EXPECT_EQ(&vsim_fs_tmpl_default, p.tmpl);
	vsim_profile_free(&p);
}

TEST(table_is_well_formed)
{
	const struct vsim_fs_tmpl *tp = &vsim_fs_tmpl_complete;
	size_t i, j, data = 0;

	for (i = 0; i < tp->count; i++) {
		const struct vsim_fs_entry *e = &tp->files[i];

		EXPECT_LT((size_t)e->parent, i == 0 ? 1 : i) TH_LOG("%s", e->name);
		EXPECT_LE(e->init_len, vsim_fs_body_size(e)) TH_LOG("%s", e->name);
		if (e->flags & VSIM_FS_INIT_EACH)
			EXPECT_LE(e->init_len, e->record_length) TH_LOG("%s", e->name);
		EXPECT_LE(e->sfi, 30) TH_LOG("%s", e->name);
		EXPECT_NE(NULL, e->clause);
		EXPECT_NE(0, e->rule) TH_LOG("%s", e->name);
		for (j = 1; j < i; j++) {
			const struct vsim_fs_entry *o = &tp->files[j];

			if (o->parent != e->parent)
				continue;
			EXPECT_NE(o->fid, e->fid) TH_LOG("%s and %s", o->name, e->name);
			if (e->sfi)
				EXPECT_NE(o->sfi, e->sfi) TH_LOG("%s and %s", o->name, e->name);
		}
		data += vsim_fs_body_size(e);
	}
	EXPECT_LE(data, (size_t)VSIM_IMAGE_MAX_DATA);
}

/*
 * TS 31.102 §4.2: the EFs every USIM has (EF_IMSI and EF_LI: on every
 * IMSI-based card; the EPS ones: service 85 is declared).
 */
TEST_F(complete, usim_mandatory_files_present)
{
	static const uint16_t mandatory[] = {
		0x6F05, 0x6F06, 0x6F07, 0x6F08, 0x6F09, 0x6F31, 0x6F38, 0x6F5B,
		0x6F5C, 0x6F73, 0x6F78, 0x6F7B, 0x6F7E, 0x6FAD, 0x6FB7, 0x6FC4,
		0x6FE3, 0x6FE4,
	};
	size_t i;

	ASSERT_EQ(0x9000, sel(&self->t, 0x04, 0x0C, usim_aid, sizeof(usim_aid), NULL, NULL));
	for (i = 0; i < sizeof(mandatory) / sizeof(mandatory[0]); i++)
		EXPECT_EQ(0x9000, sel_fid(&self->t, mandatory[i], NULL, NULL))
			TH_LOG("EF %04X", mandatory[i]);
}

/* TS 31.102 §4.2.8: an optional file exists exactly when EF_UST declares its service. */
TEST_F(complete, ust_services_match_files)
{
	static const struct { uint8_t service; uint16_t fid; } opt[] = {
		{ 2, 0x6F3B }, { 3, 0x6F4B }, { 4, 0x6F49 }, { 5, 0x6F4C },
		{ 6, 0x6F4D }, { 7, 0x6F55 }, { 8, 0x6F81 }, { 9, 0x6F80 },
		{ 10, 0x6F3C }, { 10, 0x6F43 }, { 11, 0x6F47 }, { 12, 0x6F42 },
		{ 13, 0x6F39 }, { 13, 0x6F37 }, { 13, 0x6F41 }, { 14, 0x6F4F },
		{ 15, 0x6F45 }, { 16, 0x6F50 }, { 17, 0x6F3E }, { 18, 0x6F3F },
		{ 19, 0x6F46 }, { 20, 0x6F60 }, { 21, 0x6F40 }, { 24, 0x6FB5 },
		{ 27, 0x5F3B }, { 29, 0x6F48 }, { 34, 0x6F56 }, { 35, 0x6F57 },
		{ 36, 0x6F2C }, { 37, 0x6F32 }, { 42, 0x6F61 }, { 43, 0x6F62 },
		{ 44, 0x6F4E }, { 45, 0x6FC5 }, { 46, 0x6FC6 }, { 47, 0x6FC7 },
		{ 48, 0x6FCA }, { 49, 0x6FCB }, { 51, 0x6FCD }, { 52, 0x6FCE },
		{ 71, 0x6FD9 }, { 73, 0x6FDB }, { 85, 0x6FE3 }, { 85, 0x6FE4 },
	};
	/* DF_5GS (TS 31.102 §4.4.11.2-4.4.11.12): files by service */
	static const struct { uint8_t service; uint16_t fid; } opt5g[] = {
		{ 122, 0x4F01 }, { 122, 0x4F02 }, { 122, 0x4F03 }, { 122, 0x4F04 },
		{ 123, 0x4F05 }, { 126, 0x4F06 }, { 124, 0x4F07 }, { 129, 0x4F08 },
		{ 130, 0x4F09 }, { 124, 0x4F0A }, { 132, 0x4F0B }, { 133, 0x4F0C },
		{ 137, 0x4F0D }, { 138, 0x4F0E },
	};
	uint8_t ust[32], c[5] = { 0x00, 0xB0, 0x84, 0x00, 0x00 };
	size_t ul, i;

	ASSERT_EQ(0x9000, xfer(&self->t, (const uint8_t *)"\x00\x20\x00\x01\x08" "1234\xFF\xFF\xFF\xFF",
			       13, NULL, NULL));
	ASSERT_EQ(0x9000, sel(&self->t, 0x04, 0x0C, usim_aid, sizeof(usim_aid), NULL, NULL));
	ASSERT_EQ(0x9000, xfer(&self->t, c, 5, ust, &ul));	/* EF_UST by SFI 04 */
	EXPECT_EQ(17U, ul);	/* services 1..136 */
	for (i = 0; i < sizeof(opt) / sizeof(opt[0]); i++) {
		unsigned int s = opt[i].service - 1u;
		int set = s / 8 < ul && (ust[s / 8] >> (s % 8) & 1);
		uint16_t sw = sel_fid(&self->t, opt[i].fid, NULL, NULL);

		EXPECT_EQ(set ? 0x9000 : 0x6A82, sw)
			TH_LOG("service %u EF %04X: %s", opt[i].service, opt[i].fid,
			       set ? "declared, file missing" : "not declared, file present");
		sel(&self->t, 0x04, 0x0C, usim_aid, sizeof(usim_aid), NULL, NULL);
	}
	for (i = 0; i < sizeof(opt5g) / sizeof(opt5g[0]); i++) {
		unsigned int s = opt5g[i].service - 1u;
		int set = s / 8 < ul && (ust[s / 8] >> (s % 8) & 1);
		uint16_t sw;

		ASSERT_EQ(0x9000, sel_fid(&self->t, 0x5FC0, NULL, NULL));
		sw = sel_fid(&self->t, opt5g[i].fid, NULL, NULL);
		EXPECT_EQ(set ? 0x9000 : 0x6A82, sw)
			TH_LOG("service %u EF %04X: %s", opt5g[i].service, opt5g[i].fid,
			       set ? "declared, file missing" : "not declared, file present");
		sel(&self->t, 0x04, 0x0C, usim_aid, sizeof(usim_aid), NULL, NULL);
	}
	/* 125: the card calculates the SUCI, as the profile's [suci] says */
	EXPECT_EQ(1, ust[124 / 8] >> (124 % 8) & 1);
	/* 33 "shall be set to 1" and 38 (GSM security context) are set too */
	EXPECT_EQ(1, ust[4] & 1);
	EXPECT_EQ(0x20, ust[4] & 0x20);
}

/* Every file: by FID from its parent, FCP as in the table, then by path. */
TEST_F(complete, every_file_by_fid_and_path)
{
	const struct vsim_fs_tmpl *tp = self->tp;
	uint8_t fcp[256], path[16];
	char why[96];
	size_t fl, i, n, ch[8], k;
	unsigned int files = 0;

	for (i = 1; i < tp->count; i++) {
		const struct vsim_fs_entry *e = &tp->files[i];
		const char *bad;
		uint16_t sw;

		ASSERT_EQ(0, select_df(&self->t, tp, e->parent)) TH_LOG("parent of %s", e->name);
		sw = e->type == VSIM_FILE_ADF ?
		     sel(&self->t, 0x04, 0x04, adf_aid(e), sizeof(usim_aid), fcp, &fl) :
		     sel_fid(&self->t, e->fid, fcp, &fl);
		ASSERT_EQ(0x9000, sw) TH_LOG("SELECT %s %04X", e->name, e->fid);
		bad = check_fcp(tp, i, fcp, fl, why, sizeof(why));
		EXPECT_EQ(NULL, bad) TH_LOG("%s by FID: %s", e->name, bad);

		/* by path from the MF: ADF.USIM and its files through 7FFF */
		n = chain(tp, i, ch);
		for (k = 0; k < n; k++) {
			uint16_t f = tp->files[ch[k]].type == VSIM_FILE_ADF ? 0x7FFF :
				     tp->files[ch[k]].fid;

			path[2 * k] = (uint8_t)(f >> 8);
			path[2 * k + 1] = (uint8_t)f;
		}
		ASSERT_EQ(0x9000, sel_fid(&self->t, 0x3F00, NULL, NULL));
		sw = sel(&self->t, 0x08, 0x04, path, 2 * n, fcp, &fl);
		ASSERT_EQ(0x9000, sw) TH_LOG("SELECT by path %s", e->name);
		bad = check_fcp(tp, i, fcp, fl, why, sizeof(why));
		EXPECT_EQ(NULL, bad) TH_LOG("%s by path: %s", e->name, bad);
		files++;
	}
	EXPECT_EQ(tp->count - 1, files);
}

/*
 * Every EF without PIN1 (the rule's answer), then with PIN1 (whole body);
 * EFs with an SFI read through it give the same first bytes.
 */
TEST_F(complete, every_ef_read_with_and_without_pin1)
{
	static uint8_t body[8192];
	const struct vsim_fs_tmpl *tp = self->tp;
	uint8_t d[1024];
	size_t i, dl;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		if (pass == 1)
			ASSERT_EQ(0x9000, xfer(&self->t, (const uint8_t *)"\x00\x20\x00\x01\x08"
					       "1234\xFF\xFF\xFF\xFF", 13, NULL, NULL));
		for (i = 1; i < tp->count; i++) {
			const struct vsim_fs_entry *e = &tp->files[i];
			uint16_t want = pass || readable_always(e) ? 0x9000 : 0x6982, sw;
			size_t first;

			if (e->type != VSIM_FILE_EF)
				continue;
			ASSERT_LE(vsim_fs_body_size(e), sizeof(body));
			ASSERT_EQ(0, select_df(&self->t, tp, e->parent));
			ASSERT_EQ(0x9000, sel_fid(&self->t, e->fid, NULL, NULL)) TH_LOG("%s", e->name);
			sw = read_all(&self->t, e, body);
			EXPECT_EQ(want, sw) TH_LOG("%s %s PIN1: SW %04X", e->name,
						   pass ? "with" : "without", sw);
			if (!e->sfi)
				continue;
			/* through the SFI, from the parent DF */
			ASSERT_EQ(0, select_df(&self->t, tp, e->parent));
			sw = read_sfi(&self->t, e, d, &dl);
			EXPECT_EQ(want, sw) TH_LOG("%s by SFI %02X: SW %04X", e->name, e->sfi, sw);
			first = e->structure == VSIM_EF_TRANSPARENT ?
				(e->size > 255 ? 255 : e->size) :
				e->structure == VSIM_EF_BER_TLV ? dl : e->record_length;
			if (sw == 0x9000 && pass)
				EXPECT_EQ(0, memcmp(d, body, first)) TH_LOG("%s by SFI", e->name);
		}
	}
}

/* Default contents an operator's card ships (docs/profile.md). */
TEST_F(complete, default_contents)
{
	struct testcard *t = &self->t;

	EXPECT_STREQ("9000", tc(t, "002000010831323334FFFFFFFF"));
	/* EF_VSIM_TLV: the template's 80 and 81, the profile's A2 (§11.3.1) */
	EXPECT_STREQ("9000", tc(t, "00A4000C02A001"));
	EXPECT_STREQ("5C038081A29000", tc(t, "80CB0080015C00"));
	EXPECT_STREQ("80047673696D9000", tc(t, "80CB0080018000"));
	EXPECT_STREQ("8101019000", tc(t, "80CB0080018100"));
	EXPECT_EQ(0, strncmp("A240000102", tc(t, "80CB008001A200"), 10));
	EXPECT_STREQ("9000", tc(t, "00A4040C07A0000000871002"));
	/* EF_ECC: 112, 911 */
	EXPECT_STREQ("11F2FF009000", tc(t, "00B2010C04"));
	EXPECT_STREQ("19F1FF009000", tc(t, "00B2020C04"));
	/* EF_AD: normal operation, 2-digit MNC */
	EXPECT_STREQ("000000029000", tc(t, "00B0830004"));
	/* EF_EHPLMN, EF_HPLMNwAcT: the home PLMN 001/01 */
	EXPECT_STREQ("00F110FFFFFF9000", tc(t, "00B09D0006"));
	EXPECT_STREQ("00F110C0809000", tc(t, "00B0930005"));
	/* EF_SMSP record 1: the SMSC placeholder +15550001000 */
	EXPECT_STREQ("9000", tc(t, "00A4000C026F42"));
	EXPECT_STREQ("FFFFFFFFFFFFFFFFFFFFFFFFE1FFFFFFFFFFFFFFFFFFFFFFFF07915155001000F0FFFFFFFF0000A79000",
		     tc(t, "00B2010428"));
	/* EF_LI "en" */
	EXPECT_STREQ("656EFFFFFFFFFFFFFFFF9000", tc(t, "00B082000A"));
	/* DF_GSM EF_ECC and EF_SST services 1..4 allocated and activated */
	EXPECT_STREQ("9000", tc(t, "00A4000C023F00"));
	EXPECT_STREQ("9000", tc(t, "00A4000C027F20"));
	EXPECT_STREQ("9000", tc(t, "00A4000C026FB7"));
	EXPECT_STREQ("11F2FF19F1FF9000", tc(t, "00B0000006"));
	EXPECT_STREQ("9000", tc(t, "00A4000C026F38"));
	EXPECT_STREQ("FF9000", tc(t, "00B0000001"));
	/* DF_PHONEBOOK EF_PBR names EF_ADN 4F3A with SFI 01 */
	EXPECT_STREQ("9000", tc(t, "00A4080C047F105F3A"));
	EXPECT_STREQ("9000", tc(t, "00A4000C024F30"));
	EXPECT_EQ(0, strncmp("A81EC0034F3A01", tc(t, "00B2010440"), 14));
	/* MF: EF_UMPC */
	EXPECT_STREQ("9000", tc(t, "00A4000C023F00"));
	EXPECT_STREQ("9000", tc(t, "00A4000C022F08"));
	EXPECT_STREQ("320500FFFF9000", tc(t, "00B0000005"));
}

TEST_HARNESS_MAIN
