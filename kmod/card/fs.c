// SPDX-License-Identifier: GPL-2.0-only
/*
 * The UICC file system (TS 102 221 §8, §11.1): file lookup, SELECT and its
 * FCP, STATUS, and the commands that read and write EF bodies. Each logical
 * channel keeps its own current DF, EF, application and record pointer.
 *
 * Two calls leave this file by the spec's design: access.c, because
 * access rules are records of a file (EF_ARR, TS 102 221 §9.5), and
 * binding.c, whose refusal is what READ BINARY shows of EF_IMSI (one
 * call site, vsim_fs_read_binary()).
 */
#include "card_priv.h"

#define FID_MF		0x3f00
#define FID_CUR_APP	0x7fff	/* the active application's ADF, §8.3 */

u8 *vsim_fs_body(struct vsim_card *c, u16 file)
{
	return c->st.data + c->files[file].data_offset;
}

static bool is_df(const struct vsim_file *f)
{
	return f->type != VSIM_FILE_EF;
}

static u8 record_count(const struct vsim_file *f)
{
	return (u8)(f->size / f->record_length);
}

static bool is_bertlv(const struct vsim_file *f)
{
	return f->type == VSIM_FILE_EF && f->structure == VSIM_EF_BER_TLV;
}

static bool is_record_ef(const struct vsim_file *f)
{
	return f->structure == VSIM_EF_LINEAR_FIXED ||
	       f->structure == VSIM_EF_CYCLIC;
}

/* ADFs are reached by AID or 7FFF only (§8.3), never by their FID. */
u16 vsim_fs_find_child(const struct vsim_card *c, u16 df, u16 fid)
{
	u16 i;

	for (i = 1; i < c->file_count; i++)
		if (c->files[i].parent == df && c->files[i].fid == fid &&
		    c->files[i].type != VSIM_FILE_ADF)
			return i;
	return VSIM_NO_FILE;
}

void vsim_fs_reset_channel(struct vsim_card *c, struct vsim_channel *ch)
{
	(void)c;
	ch->df = 0;
	ch->ef = VSIM_NO_FILE;
	ch->app = VSIM_NO_FILE;
	ch->record = 0;
	ch->xfer = VSIM_XFER_NONE;
	ch->tag_len = 0;
}

/* SELECT by FID: the search order of TS 102 221 §8.4.1. */
static u16 select_fid(const struct vsim_card *c, const struct vsim_channel *ch,
		      u16 fid)
{
	u16 df = ch->df, parent = c->files[df].parent, hit;

	if (fid == FID_MF)
		return 0;
	if (fid == FID_CUR_APP)
		return ch->app;
	hit = vsim_fs_find_child(c, df, fid);
	if (hit != VSIM_NO_FILE)
		return hit;
	if (df != 0 && c->files[parent].fid == fid)
		return parent;
	if (df != 0 && c->files[df].fid == fid)
		return df;
	/* a DF that is a sibling of the current DF */
	hit = df != 0 ? vsim_fs_find_child(c, parent, fid) : VSIM_NO_FILE;
	if (hit != VSIM_NO_FILE && is_df(&c->files[hit]))
		return hit;
	return VSIM_NO_FILE;
}

/* Walk a path of FIDs from @start (§8.4.2); 7FFF names the active ADF. */
static u16 select_path(const struct vsim_card *c,
		       const struct vsim_channel *ch, u16 start,
		       const u8 *path, u16 len)
{
	u16 cur = start, i, fid;

	for (i = 0; i < len; i += 2) {
		if (!is_df(&c->files[cur]))
			return VSIM_NO_FILE;
		fid = vsim_get16(path + i);
		if (fid == FID_CUR_APP)
			cur = ch->app;
		else if (fid == FID_MF && i == 0 && start == 0)
			continue;	/* tolerate an explicit leading MF */
		else
			cur = vsim_fs_find_child(c, cur, fid);
		if (cur == VSIM_NO_FILE)
			return VSIM_NO_FILE;
	}
	return cur;
}

/* SELECT by DF name: right-truncated AIDs match too (§11.1.1.2). */
static u16 select_aid(const struct vsim_card *c, const u8 *aid, u16 len)
{
	u16 i;

	for (i = 1; i < c->file_count; i++) {
		const struct vsim_file *f = &c->files[i];

		if (f->type == VSIM_FILE_ADF && len <= f->aid_len &&
		    !memcmp(f->aid, aid, len))
			return i;
	}
	return VSIM_NO_FILE;
}

static u8 *tlv(u8 *p, u8 tag, const u8 *v, u8 len)
{
	*p++ = tag;
	*p++ = len;
	memcpy(p, v, len);
	return p + len;
}

/* PIN status template DO, tag C6 (§9.5.2): PS_DO then the key references. */
static u8 *pin_status_do(const struct vsim_card *c, u8 *p)
{
	static const u8 refs[VSIM_PIN_COUNT] = { 0x01, 0x81, 0x0a };
	u8 ps = 0, i, *start;

	for (i = 0; i < VSIM_PIN_COUNT; i++)
		if (i == VSIM_PIN_IDX_ADM1 ||
		    (c->st.pins[i].flags & VSIM_PIN_F_ENABLED))
			ps |= 0x80 >> i;
	*p++ = 0xc6;
	start = p++;
	p = tlv(p, 0x90, &ps, 1);
	for (i = 0; i < VSIM_PIN_COUNT; i++)
		p = tlv(p, 0x83, &refs[i], 1);
	*start = (u8)(p - start - 1);
	return p;
}

/* The FCP template of §11.1.1.3: 62 L {82 83 [84] [A5] 8A 8B [C6] [80 88]} */
static u16 build_fcp(struct vsim_card *c, u16 file, u8 *out)
{
	const struct vsim_file *f = &c->files[file];
	u8 *p = out + 2;
	u8 v[5];

	if (is_df(f)) {
		v[0] = 0x78;	/* DF, shareable (§11.1.1.4.3) */
		v[1] = 0x21;	/* data coding byte */
		p = tlv(p, 0x82, v, 2);
	} else {
		v[0] = f->structure | 0x40;	/* shareable EF */
		v[1] = 0x21;
		v[2] = 0;
		v[3] = f->record_length;
		v[4] = is_record_ef(f) ? record_count(f) : 0;
		p = tlv(p, 0x82, v, is_record_ef(f) ? 5 : 2);
	}
	v[0] = f->fid >> 8;
	v[1] = (u8)f->fid;
	p = tlv(p, 0x83, v, 2);
	if (f->type == VSIM_FILE_ADF)
		p = tlv(p, 0x84, f->aid, f->aid_len);
	if (is_bertlv(f)) {
		/*
		 * Proprietary information of a BER-TLV EF: 83 available memory
		 * (the longest TLV object that fits now, tag and length
		 * included, §11.1.1.4.6.4) and 84 file details: DER coding
		 * only (§11.1.1.4.6.5).
		 */
		u16 avail = vsim_bertlv_free(vsim_fs_body(c, file), f->size);
		u8 a5[7] = { 0x83, 0x02, avail >> 8, (u8)avail, 0x84, 0x01, 0x01 };

		p = tlv(p, 0xa5, a5, sizeof(a5));
	}
	if (f->type == VSIM_FILE_MF) {
		/* UICC characteristics: clock stop allowed, §11.1.1.4.6.1 */
		static const u8 a5[] = { 0x80, 0x01, 0x71 };

		p = tlv(p, 0xa5, a5, sizeof(a5));
	}
	p = tlv(p, 0x8a, &c->st.lcsi[file], 1);
	if (f->arr_fid) {
		v[0] = f->arr_fid >> 8;
		v[1] = (u8)f->arr_fid;
		v[2] = f->arr_record;
		p = tlv(p, 0x8b, v, 3);
	}
	if (is_df(f)) {
		p = pin_status_do(c, p);
	} else {
		v[0] = (u8)(f->size >> 8);
		v[1] = (u8)f->size;
		p = tlv(p, 0x80, v, 2);
		/*
		 * 81 total file size (§11.1.1.4.2), for the BER-TLV EF whose
		 * size is memory for objects: the body is all there is.
		 */
		if (is_bertlv(f))
			p = tlv(p, 0x81, v, 2);
		/* 88 00: no SFI; absent 88 would mean "SFI = FID b5..b1" */
		v[0] = (u8)(f->sfi << 3);
		p = tlv(p, 0x88, v, f->sfi ? 1 : 0);
	}
	out[0] = 0x62;
	out[1] = (u8)(p - out - 2);
	return (u16)(p - out);
}

static void make_current(struct vsim_card *c, struct vsim_channel *ch,
			 u16 file)
{
	const struct vsim_file *f = &c->files[file];

	if (is_df(f)) {
		ch->df = file;
		ch->ef = VSIM_NO_FILE;
		if (f->type == VSIM_FILE_ADF)
			ch->app = file;
	} else {
		ch->df = f->parent;
		ch->ef = file;
	}
	ch->record = 0;
	/* a new current EF ends any data object transfer (§11.3.0) */
	ch->xfer = VSIM_XFER_NONE;
	ch->tag_len = 0;
}

/* SELECT (§11.1.1). P1 chooses how, P2 what comes back. */
u16 vsim_fs_select(struct vsim_card *c, const struct vsim_apdu *a,
		   struct vsim_resp *r)
{
	struct vsim_channel *ch = vsim_chan(c, a);
	u8 ret = a->p2 & 0x0c;	/* b4b3: 01 FCP, 11 nothing; 00 as FCP */
	u16 file;

	if ((ret != 0x04 && ret != 0x0c && ret != 0x00) ||
	    (a->p2 & ~0x4c) || ((a->p2 & 0x40) && a->p1 != 0x04))
		return SW_WRONG_P1P2;
	switch (a->p1) {
	case 0x00:	/* by FID; no data selects the MF (ISO 7816-4) */
		if (a->lc != 0 && a->lc != 2)
			return SW_WRONG_LENGTH;
		file = a->lc ? select_fid(c, ch, vsim_get16(a->data)) : 0;
		break;
	case 0x01:	/* child DF */
		if (a->lc != 2)
			return SW_WRONG_LENGTH;
		file = vsim_fs_find_child(c, ch->df, vsim_get16(a->data));
		if (file != VSIM_NO_FILE && !is_df(&c->files[file]))
			file = VSIM_NO_FILE;
		break;
	case 0x03:	/* parent DF */
		if (a->lc)
			return SW_WRONG_LENGTH;
		if (ch->df == 0)
			return SW_FILE_NOT_FOUND;
		file = c->files[ch->df].parent;
		break;
	case 0x04:	/* DF name (AID) */
		if (a->lc < 1 || a->lc > VSIM_AID_MAX)
			return SW_WRONG_LENGTH;
		file = select_aid(c, a->data, a->lc);
		if (file != VSIM_NO_FILE && (a->p2 & 0x40)) {
			/* b7: terminate the application session on this channel */
			if (ch->app == file)
				vsim_fs_reset_channel(c, ch);
			return SW_OK;
		}
		break;
	case 0x08:	/* path from the MF */
	case 0x09:	/* path from the current DF */
		if (!a->lc || (a->lc & 1))
			return SW_WRONG_LENGTH;
		file = select_path(c, ch, a->p1 == 0x08 ? 0 : ch->df,
				   a->data, a->lc);
		break;
	default:
		return SW_WRONG_P1P2;
	}
	if (file == VSIM_NO_FILE)
		return SW_FILE_NOT_FOUND;
	make_current(c, ch, file);
	if (c->st.lcsi[file] == VSIM_LCSI_DEACTIVATED)
		return SW_FILE_DEACTIVATED;
	if (ret != 0x0c)
		r->len = build_fcp(c, file, r->data);
	return SW_OK;
}

/* STATUS (§11.1.2): the current DF's FCP, or the active AID. */
u16 vsim_fs_status(struct vsim_card *c, const struct vsim_apdu *a,
		   struct vsim_resp *r)
{
	struct vsim_channel *ch = vsim_chan(c, a);
	const struct vsim_file *app;

	if (a->p1 > 0x02)
		return SW_WRONG_P1P2;
	switch (a->p2) {
	case 0x00:
		r->len = build_fcp(c, ch->df, r->data);
		return SW_OK;
	case 0x01:
		if (ch->app == VSIM_NO_FILE)
			return SW_CONDITIONS;
		app = &c->files[ch->app];
		r->len = (u16)(tlv(r->data, 0x84, app->aid, app->aid_len) -
			       r->data);
		return SW_OK;
	case 0x0c:
		return SW_OK;
	default:
		return SW_WRONG_P1P2;
	}
}

/*
 * The EF a command works on: the one named by a short file identifier
 * (which also becomes the current EF, §8.4.3), or the current EF.
 */
static u16 target_ef(struct vsim_card *c, struct vsim_channel *ch, u8 sfi,
		     u16 *file)
{
	u16 i;

	if (!sfi) {
		if (ch->ef == VSIM_NO_FILE)
			return SW_NO_CURRENT_EF;
		*file = ch->ef;
		return SW_OK;
	}
	for (i = 1; i < c->file_count; i++) {
		if (c->files[i].parent == ch->df && c->files[i].sfi == sfi &&
		    c->files[i].type == VSIM_FILE_EF) {
			make_current(c, ch, i);
			*file = i;
			return SW_OK;
		}
	}
	return SW_FILE_NOT_FOUND;
}

/* Structure, life cycle and access rule: the checks every EF command makes. */
static u16 ef_usable(struct vsim_card *c, u16 file, bool records,
		     enum vsim_access_op op, bool privileged)
{
	const struct vsim_file *f = &c->files[file];

	if (records != is_record_ef(f) || is_bertlv(f))
		return SW_INCOMPATIBLE_FILE;
	if (c->st.lcsi[file] == VSIM_LCSI_DEACTIVATED)
		return SW_CONDITIONS;
	if (!vsim_access_allowed(c, file, op, privileged))
		return SW_SECURITY_STATUS;
	return SW_OK;
}

/*
 * RETRIEVE DATA and SET DATA (§11.3): the EF named by the SFI of P2 (it
 * becomes current) or the current EF; it must be a usable BER-TLV EF.
 */
u16 vsim_fs_data_ef(struct vsim_card *c, const struct vsim_apdu *a, u8 sfi,
		    enum vsim_access_op op, u16 *file)
{
	struct vsim_channel *ch = vsim_chan(c, a);
	u16 sw = target_ef(c, ch, sfi, file);

	if (sw != SW_OK)
		return sw;
	if (!is_bertlv(&c->files[*file]))
		return SW_INCOMPATIBLE_FILE;
	if (c->st.lcsi[*file] == VSIM_LCSI_DEACTIVATED)
		return SW_CONDITIONS;
	if (!vsim_access_allowed(c, *file, op, a->privileged))
		return SW_SECURITY_STATUS;
	return SW_OK;
}

/* READ/UPDATE BINARY addressing (§11.1.3.2): SFI in P1 or a 15-bit offset. */
static u16 binary_target(struct vsim_card *c, const struct vsim_apdu *a,
			 enum vsim_access_op op, u16 *file, u32 *offset)
{
	struct vsim_channel *ch = vsim_chan(c, a);
	u8 sfi = 0;
	u16 sw;

	if (a->p1 & 0x80) {
		if (a->p1 & 0x60)
			return SW_WRONG_P1P2;
		sfi = a->p1 & 0x1f;
		if (!sfi)
			return SW_WRONG_P1P2;
		*offset = a->p2;
	} else {
		*offset = (u32)a->p1 << 8 | a->p2;
	}
	sw = target_ef(c, ch, sfi, file);
	if (sw != SW_OK)
		return sw;
	return ef_usable(c, *file, false, op, a->privileged);
}

u16 vsim_fs_read_binary(struct vsim_card *c, const struct vsim_apdu *a,
			struct vsim_resp *r)
{
	u32 offset, avail;
	u16 file, sw;

	sw = binary_target(c, a, VSIM_AC_READ, &file, &offset);
	if (sw != SW_OK)
		return sw;
	if (offset >= c->files[file].size)
		return SW_WRONG_OFFSET;
	avail = c->files[file].size - offset;
	if (!a->ne)
		return SW_WRONG_LENGTH;
	/* T=0: more than the file holds gets the exact length (ISO 7816-3) */
	if (a->ne > avail)
		return SW_WRONG_LE | (u8)avail;
	memcpy(r->data, vsim_fs_body(c, file) + offset, a->ne);
	/* locked by the binding check: an unused EF_IMSI (all FF) */
	if (!a->privileged && vsim_binding_hides(c, file))
		memset(r->data, 0xff, a->ne);
	r->len = a->ne;
	return SW_OK;
}

u16 vsim_fs_update_binary(struct vsim_card *c, const struct vsim_apdu *a,
			  struct vsim_resp *r)
{
	u32 offset;
	u16 file, sw;

	(void)r;
	sw = binary_target(c, a, VSIM_AC_UPDATE, &file, &offset);
	if (sw != SW_OK)
		return sw;
	if (offset >= c->files[file].size)
		return SW_WRONG_OFFSET;
	if (!a->lc || a->lc > c->files[file].size - offset)
		return SW_WRONG_LENGTH;
	if (vsim_persist(c, vsim_fs_body(c, file) + offset, a->data, a->lc))
		return SW_MEMORY_PROBLEM;
	return SW_OK;
}

/* Logical record number -> byte offset; cyclic record 1 is the newest. */
static u32 record_offset(const struct vsim_card *c, u16 file, u8 rec)
{
	const struct vsim_file *f = &c->files[file];
	u8 n = record_count(f), phys = rec - 1;

	if (f->structure == VSIM_EF_CYCLIC)
		phys = (u8)((c->st.cyclic_head[file] + rec - 1) % n);
	return (u32)phys * f->record_length;
}

/*
 * Resolve P1 and the P2 mode of READ/UPDATE RECORD (§11.1.5.2): absolute
 * leaves the record pointer alone, next/previous move it; only cyclic
 * files wrap around.
 */
static u16 resolve_record(struct vsim_card *c, struct vsim_channel *ch,
			  u16 file, u8 p1, u8 mode, u8 *rec)
{
	const struct vsim_file *f = &c->files[file];
	u8 n = record_count(f), cur = ch->record;
	bool cyclic = f->structure == VSIM_EF_CYCLIC;

	switch (mode) {
	case 0x04:	/* absolute, or current when P1 = 0 */
		*rec = p1 ? p1 : cur;
		if (!*rec || *rec > n)
			return SW_RECORD_NOT_FOUND;
		return SW_OK;
	case 0x02:	/* next */
		if (p1)
			return SW_WRONG_P1P2;
		*rec = cur + 1;
		if (*rec > n) {
			if (!cyclic)
				return SW_RECORD_NOT_FOUND;
			*rec = 1;
		}
		break;
	case 0x03:	/* previous */
		if (p1)
			return SW_WRONG_P1P2;
		*rec = cur ? cur - 1 : n;
		if (!*rec) {
			if (!cyclic)
				return SW_RECORD_NOT_FOUND;
			*rec = n;
		}
		break;
	default:
		return SW_WRONG_P1P2;
	}
	ch->record = *rec;
	return SW_OK;
}

u16 vsim_fs_read_record(struct vsim_card *c, const struct vsim_apdu *a,
			struct vsim_resp *r)
{
	struct vsim_channel *ch = vsim_chan(c, a);
	u16 file, sw;
	u8 rec, rl;

	sw = target_ef(c, ch, a->p2 >> 3, &file);
	if (sw == SW_OK)
		sw = ef_usable(c, file, true, VSIM_AC_READ, a->privileged);
	if (sw != SW_OK)
		return sw;
	/* Le first: a 6Cxx retry must find the record pointer unmoved. */
	rl = c->files[file].record_length;
	if (!a->ne)
		return SW_WRONG_LENGTH;
	if (a->ne != rl)
		return SW_WRONG_LE | rl;
	sw = resolve_record(c, ch, file, a->p1, a->p2 & 7, &rec);
	if (sw != SW_OK)
		return sw;
	memcpy(r->data, vsim_fs_body(c, file) + record_offset(c, file, rec), rl);
	r->len = rl;
	return SW_OK;
}

/* A cyclic write goes to the oldest record, which becomes record 1. */
static u16 cyclic_write(struct vsim_card *c, struct vsim_channel *ch, u16 file,
			const u8 *data)
{
	const struct vsim_file *f = &c->files[file];
	u8 n = record_count(f);
	u8 head = (u8)((c->st.cyclic_head[file] + n - 1) % n);

	if (vsim_persist(c, vsim_fs_body(c, file) + head * f->record_length,
			 data, f->record_length) ||
	    vsim_persist(c, &c->st.cyclic_head[file], &head, 1))
		return SW_MEMORY_PROBLEM;
	ch->record = 1;
	return SW_OK;
}

u16 vsim_fs_update_record(struct vsim_card *c, const struct vsim_apdu *a,
			  struct vsim_resp *r)
{
	struct vsim_channel *ch = vsim_chan(c, a);
	u16 file, sw;
	u8 rec, mode = a->p2 & 7;

	(void)r;
	sw = target_ef(c, ch, a->p2 >> 3, &file);
	if (sw == SW_OK)
		sw = ef_usable(c, file, true, VSIM_AC_UPDATE, a->privileged);
	if (sw != SW_OK)
		return sw;
	if (a->lc != c->files[file].record_length)
		return SW_WRONG_LENGTH;
	if (c->files[file].structure == VSIM_EF_CYCLIC) {
		/* §11.1.6: cyclic files are written in PREVIOUS mode only */
		if (mode != 0x03 || a->p1)
			return SW_WRONG_P1P2;
		return cyclic_write(c, ch, file, a->data);
	}
	sw = resolve_record(c, ch, file, a->p1, mode, &rec);
	if (sw != SW_OK)
		return sw;
	if (vsim_persist(c, vsim_fs_body(c, file) + record_offset(c, file, rec),
			 a->data, a->lc))
		return SW_MEMORY_PROBLEM;
	return SW_OK;
}

/* SEARCH RECORD, simple search (§11.1.7): pattern at the record start. */
u16 vsim_fs_search_record(struct vsim_card *c, const struct vsim_apdu *a,
			  struct vsim_resp *r)
{
	struct vsim_channel *ch = vsim_chan(c, a);
	u8 mode = a->p2 & 7, n, rec, rl, first = 0;
	int step;
	u16 file, sw;

	sw = target_ef(c, ch, a->p2 >> 3, &file);
	if (sw == SW_OK)
		sw = ef_usable(c, file, true, VSIM_AC_READ, a->privileged);
	if (sw != SW_OK)
		return sw;
	if (mode != 0x04 && mode != 0x05)
		return SW_WRONG_P1P2;
	n = record_count(&c->files[file]);
	rl = c->files[file].record_length;
	if (!a->lc || a->lc > rl)
		return SW_WRONG_LENGTH;
	if (a->p1 > n)
		return SW_RECORD_NOT_FOUND;
	step = mode == 0x04 ? 1 : -1;
	rec = a->p1 ? a->p1 : (step > 0 ? 1 : n);
	for (; rec >= 1 && rec <= n; rec = (u8)(rec + step)) {
		const u8 *body = vsim_fs_body(c, file) +
				 record_offset(c, file, rec);

		if (!memcmp(body, a->data, a->lc)) {
			r->data[r->len++] = rec;
			if (!first)
				first = rec;
		}
	}
	if (!first)
		return SW_RECORD_NOT_FOUND;
	ch->record = first;
	return SW_OK;
}

/* INCREASE (§11.1.8): record 1 + value, written as the new record 1. */
u16 vsim_fs_increase(struct vsim_card *c, const struct vsim_apdu *a,
		     struct vsim_resp *r)
{
	struct vsim_channel *ch = vsim_chan(c, a);
	u8 sum[255], rl;
	u16 file, sw, carry = 0;
	int i, j;

	if (a->p1 || a->p2)
		return SW_WRONG_P1P2;
	sw = target_ef(c, ch, 0, &file);
	if (sw != SW_OK)
		return sw;
	if (!(c->files[file].flags & VSIM_FILE_F_INCREASE))
		return SW_INCOMPATIBLE_FILE;
	sw = ef_usable(c, file, true, VSIM_AC_INCREASE, a->privileged);
	if (sw != SW_OK)
		return sw;
	rl = c->files[file].record_length;
	if (!a->lc || a->lc > rl || (u16)rl + a->lc > VSIM_RAPDU_MAX - 2)
		return SW_WRONG_LENGTH;
	memcpy(sum, vsim_fs_body(c, file) + record_offset(c, file, 1), rl);
	for (i = rl - 1, j = a->lc - 1; i >= 0; i--, j--) {
		carry += sum[i] + (j >= 0 ? a->data[j] : 0);
		sum[i] = (u8)carry;
		carry >>= 8;
	}
	if (carry)
		return SW_MAX_VALUE_REACHED;
	sw = cyclic_write(c, ch, file, sum);
	if (sw != SW_OK)
		return sw;
	memcpy(r->data, sum, rl);
	memcpy(r->data + rl, a->data, a->lc);
	r->len = rl + a->lc;
	return SW_OK;
}

/* DEACTIVATE / ACTIVATE FILE (§11.1.14-15): current EF, or one by FID. */
static u16 set_life_cycle(struct vsim_card *c, const struct vsim_apdu *a,
			  enum vsim_access_op op, u8 lcsi)
{
	struct vsim_channel *ch = vsim_chan(c, a);
	u16 file;

	if (a->p1 || a->p2)
		return SW_WRONG_P1P2;
	if (a->lc && a->lc != 2)
		return SW_WRONG_LENGTH;
	file = a->lc ? select_fid(c, ch, vsim_get16(a->data)) : ch->ef;
	if (file == VSIM_NO_FILE)
		return a->lc ? SW_FILE_NOT_FOUND : SW_NO_CURRENT_EF;
	if (is_df(&c->files[file]))
		return SW_INCOMPATIBLE_FILE;
	make_current(c, ch, file);
	if (!vsim_access_allowed(c, file, op, a->privileged))
		return SW_SECURITY_STATUS;
	if (vsim_persist(c, &c->st.lcsi[file], &lcsi, 1))
		return SW_MEMORY_PROBLEM;
	return SW_OK;
}

u16 vsim_fs_activate(struct vsim_card *c, const struct vsim_apdu *a,
		     struct vsim_resp *r)
{
	(void)r;
	return set_life_cycle(c, a, VSIM_AC_ACTIVATE, VSIM_LCSI_ACTIVATED);
}

u16 vsim_fs_deactivate(struct vsim_card *c, const struct vsim_apdu *a,
		       struct vsim_resp *r)
{
	(void)r;
	return set_life_cycle(c, a, VSIM_AC_DEACTIVATE, VSIM_LCSI_DEACTIVATED);
}
