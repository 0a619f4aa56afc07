// SPDX-License-Identifier: GPL-2.0-only
/*
 * BER-TLV structured EFs (TS 102 221 §11.3): files of data objects found
 * by tag, read with RETRIEVE DATA and created, replaced or deleted with
 * SET DATA, in blocks when an object is longer than one APDU. fs.c names
 * the EF and checks its access rule; every change goes through
 * vsim_persist() as UPDATE BINARY's does.
 *
 * The body (in the image and in the durable blob) is a run of units: a
 * data object (a tag of §11.3.0, a DER length, the value), a hole
 * (00 82 HH LL and HHLL free bytes: where an object was) or one padding
 * byte FF (ISO 7816-4 lets 00/FF stand between objects). Free space is
 * the holes and padding; a new object goes into the first run of free
 * units long enough. A delete is one record (the object becomes a hole);
 * an object written in several records is assembled inside a hole and
 * appears with the last one, so a failed commit shows nothing half done.
 */
#include "card_priv.h"

#define TAG_LIST	0x5c	/* §11.3.0: the tags of the file, not an object */
#define UNIT_PAD	0xff
#define UNIT_HOLE	0x00
#define HOLE_HDR	4	/* 00 82 HH LL */
#define OBJECTS_MAX	256	/* per file; bounds the image check's work */
#define P2_FIRST	0x80	/* §11.3.1, §11.3.2: b8 first block, else next */
#define P2_SFI		0x1f	/* b5..b1: SFI, 0 = current EF */
#define P2_RFU		0x60
#define NO_UNIT		0xffffffffu

struct unit {
	u32 off;	/* start in the body */
	u32 len;	/* the whole unit */
	u8 hdr;		/* object: tag and length bytes */
	u8 tag_len;	/* object: tag bytes; 0 = free (hole or padding) */
};

/*
 * A tag of §11.3.0: context-specific class, '80'-'9E'/'A0'-'BE', or
 * '9F'/'BF' with '1F'-'7F', or '9F'/'BF' with '81'-'FF' and '00'-'7F'.
 * Returns its length, 0 for anything else.
 */
static u8 tag_length(const u8 *p, u32 avail)
{
	if (!avail || (p[0] & 0xc0) != 0x80)
		return 0;
	if ((p[0] & 0x1f) != 0x1f)
		return 1;
	if (avail >= 2 && p[1] >= 0x1f && p[1] <= 0x7f)
		return 2;
	if (avail >= 3 && p[1] >= 0x81 && p[2] <= 0x7f)
		return 3;
	return 0;
}

/* A DER length of §11.3.0: 1 to 4 bytes, shortest form. Its size, or 0. */
static u8 der_length(const u8 *p, u32 avail, u32 *len)
{
	if (!avail)
		return 0;
	if (p[0] < 0x80) {
		*len = p[0];
		return 1;
	}
	switch (p[0]) {
	case 0x81:
		if (avail < 2 || p[1] < 0x80)
			return 0;
		*len = p[1];
		return 2;
	case 0x82:
		if (avail < 3)
			return 0;
		*len = (u32)p[1] << 8 | p[2];
		return *len >= 0x100 ? 3 : 0;
	case 0x83:
		if (avail < 4)
			return 0;
		*len = (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
		return *len >= 0x10000 ? 4 : 0;
	default:
		return 0;
	}
}

static u8 der_put(u8 *p, u32 len)
{
	if (len < 0x80) {
		p[0] = (u8)len;
		return 1;
	}
	if (len < 0x100) {
		p[0] = 0x81;
		p[1] = (u8)len;
		return 2;
	}
	p[0] = 0x82;
	p[1] = (u8)(len >> 8);
	p[2] = (u8)len;
	return 3;
}

/* The unit at @off; false where the body is not well formed. */
static bool unit_at(const u8 *b, u32 size, u32 off, struct unit *u)
{
	u32 avail = size - off, vlen;
	u8 t, l;

	u->off = off;
	u->hdr = 0;
	u->tag_len = 0;
	if (b[off] == UNIT_PAD) {
		u->len = 1;
		return true;
	}
	if (b[off] == UNIT_HOLE) {
		if (avail < HOLE_HDR || b[off + 1] != 0x82)
			return false;
		vlen = vsim_get16(b + off + 2);
		if (vlen > avail - HOLE_HDR)
			return false;
		u->len = HOLE_HDR + vlen;
		return true;
	}
	t = tag_length(b + off, avail);
	if (!t)
		return false;
	l = der_length(b + off + t, avail - t, &vlen);
	if (!l || vlen > avail - t - l)
		return false;
	u->tag_len = t;
	u->hdr = t + l;
	u->len = t + l + vlen;
	return true;
}

#define for_each_unit(b, size, off, u) \
	for ((off) = 0; (off) < (size) && unit_at(b, size, off, u); \
	     (off) += (u)->len)

static bool find(const u8 *b, u32 size, const u8 *tag, u8 tag_len,
		 struct unit *u)
{
	u32 off;

	for_each_unit(b, size, off, u)
		if (u->tag_len == tag_len && !memcmp(b + off, tag, tag_len))
			return true;
	return false;
}

static u32 count_objects(const u8 *b, u32 size)
{
	struct unit u;
	u32 off, n = 0;

	for_each_unit(b, size, off, &u)
		n += u.tag_len != 0;
	return n;
}

/*
 * Runs of free units, the object at @skip counted as free (a replace may
 * reuse its space): the first run at least @need long in @start/@len, or
 * with @need 0 the longest. False when none is long enough.
 */
static bool free_run(const u8 *b, u32 size, u32 need, u32 skip, u32 *start,
		     u32 *len)
{
	struct unit u;
	u32 off, s = 0, n = 0, best = 0;

	for_each_unit(b, size, off, &u) {
		if (u.tag_len && off != skip) {
			if (need && n >= need)
				break;
			if (n > best)
				best = n;
			n = 0;
			continue;
		}
		if (!n)
			s = off;
		n += u.len;
	}
	if (need) {
		*start = s;
		*len = n;
		return n >= need;
	}
	*len = n > best ? n : best;
	return true;
}

u16 vsim_bertlv_free(const u8 *body, u32 size)
{
	u32 start, len;

	free_run(body, size, 0, NO_UNIT, &start, &len);
	return (u16)len;
}

/*
 * The image and the durable blob reach the kernel from userspace: a body
 * is refused unless every unit parses, tags are unique and few enough.
 */
const char *vsim_bertlv_check(const u8 *b, u32 size)
{
	u16 objs[OBJECTS_MAX];	/* offsets of the objects seen so far */
	struct unit u;
	u32 off, n = 0, i;

	if (!size || size > 0xffff)
		return "BER-TLV EF size must be 1..65535 bytes";
	for (off = 0; off < size; off += u.len) {
		if (!unit_at(b, size, off, &u))
			return "BER-TLV EF content is not data objects (TS 102 221 §11.3.0 tags, DER lengths), holes or FF padding";
		if (!u.tag_len)
			continue;
		if (n == OBJECTS_MAX)
			return "BER-TLV EF holds more than 256 data objects";
		for (i = 0; i < n; i++)
			if (tag_length(b + objs[i], size - objs[i]) == u.tag_len &&
			    !memcmp(b + objs[i], b + off, u.tag_len))
				return "BER-TLV EF holds a tag twice";
		objs[n++] = (u16)off;
	}
	return NULL;
}

/* The object at @u goes: one record turns it into a hole (or padding). */
static int remove_unit(struct vsim_card *c, u16 file, const struct unit *u)
{
	static const u8 pad[HOLE_HDR - 1] = { UNIT_PAD, UNIT_PAD, UNIT_PAD };
	u8 *b = vsim_fs_body(c, file) + u->off;
	u8 h[HOLE_HDR] = { UNIT_HOLE, 0x82 };

	if (u->len < HOLE_HDR)
		return vsim_persist(c, b, pad, u->len);
	h[2] = (u8)((u->len - HOLE_HDR) >> 8);
	h[3] = (u8)(u->len - HOLE_HDR);
	return vsim_persist(c, b, h, HOLE_HDR);
}

/* @n bytes of free space as units: padding below 4 bytes, else one hole. */
static u8 free_units(u8 *p, u32 n)
{
	if (!n)
		return 0;
	if (n < HOLE_HDR) {
		memset(p, UNIT_PAD, n);
		return (u8)n;
	}
	p[0] = UNIT_HOLE;
	p[1] = 0x82;
	p[2] = (u8)((n - HOLE_HDR) >> 8);
	p[3] = (u8)(n - HOLE_HDR);
	return HOLE_HDR;
}

/*
 * A whole object from one APDU (at most 255 bytes) into the free run at
 * @s: the object and the rest of the run as free units, one record.
 */
static u16 put_whole(struct vsim_card *c, u16 file, u32 s, u32 run,
		     const u8 *obj, u32 len)
{
	u8 rec[VSIM_PERSIST_MAX];
	u32 n = len;

	memcpy(rec, obj, len);
	n += free_units(rec + len, run - len);
	if (vsim_persist(c, vsim_fs_body(c, file) + s, rec, n))
		return SW_MEMORY_PROBLEM;
	return SW_OK;
}

/*
 * An object longer than its first block: the run becomes one hole, the
 * object is written at its end (its value FF until SET DATA's next blocks
 * bring it), and shrinking the hole, a two-byte record, makes it appear.
 */
static u16 put_in_blocks(struct vsim_card *c, u16 file, u32 s, u32 run,
			 const u8 *first, u32 first_len, u32 len)
{
	u8 *b = vsim_fs_body(c, file);
	u8 rec[VSIM_PERSIST_MAX];
	u32 at = s + run - len, done, n;
	struct unit u;

	if (!unit_at(b, s + run, s, &u) || u.tag_len || u.len != run) {
		free_units(rec, run);
		if (vsim_persist(c, b + s, rec, HOLE_HDR))
			return SW_MEMORY_PROBLEM;
	}
	if (vsim_persist(c, b + at, first, first_len))
		return SW_MEMORY_PROBLEM;
	memset(rec, UNIT_PAD, sizeof(rec));
	for (done = first_len; done < len; done += n) {
		n = len - done < sizeof(rec) ? len - done : sizeof(rec);
		if (vsim_persist(c, b + at + done, rec, n))
			return SW_MEMORY_PROBLEM;
	}
	free_units(rec, run - len);
	if (vsim_persist(c, b + s + 2, rec + 2, 2))
		return SW_MEMORY_PROBLEM;
	return SW_OK;
}

/* Copy the window [from, from + max) of @len bytes at stream position *pos. */
static void window(u8 *out, u32 *pos, u32 from, u32 max, u32 *n,
		   const u8 *src, u32 len)
{
	u32 i;

	for (i = 0; i < len; i++, (*pos)++)
		if (*pos >= from && *pos < from + max)
			out[(*n)++] = src[i];
}

/*
 * RETRIEVE DATA of tag 5C (§11.3.0): 5C L and the tags of the file's
 * objects. Bytes [from, from + max) of it into @out; returns its length.
 */
static u32 tag_list(const u8 *b, u32 size, u8 *out, u32 from, u32 max,
		    u32 *n)
{
	struct unit u;
	u32 off, tags = 0, pos = 0;
	u8 hdr[4];
	u8 h = 1;

	for_each_unit(b, size, off, &u)
		tags += u.tag_len;
	hdr[0] = TAG_LIST;
	h += der_put(hdr + 1, tags);
	window(out, &pos, from, max, n, hdr, h);
	for_each_unit(b, size, off, &u)
		window(out, &pos, from, max, n, b + off, u.tag_len);
	return h + tags;
}

/*
 * RETRIEVE DATA (§11.3.1): P1 00; P2 b8 = 1 first block with the tag as
 * data (b5..b1 an SFI or 0 for the current EF), b8 = 0 the next block of
 * the same object on the current EF. The answer is the object, tag and
 * length first, at most Le bytes (256 without Le) per block; 62F1 says
 * more follows.
 */
u16 vsim_bertlv_retrieve(struct vsim_card *c, const struct vsim_apdu *a,
			 struct vsim_resp *r)
{
	struct vsim_channel *ch = vsim_chan(c, a);
	bool first = a->p2 & P2_FIRST;
	u32 size, total, max, n = 0;
	struct unit u;
	const u8 *b;
	u16 file, sw;

	if (a->p1 || (a->p2 & P2_RFU) || (!first && (a->p2 & P2_SFI)))
		return SW_WRONG_P1P2;
	if (first ? !a->lc : a->lc)
		return SW_WRONG_LENGTH;
	if (first && !(a->lc == 1 && a->data[0] == TAG_LIST) &&
	    tag_length(a->data, a->lc) != a->lc)
		return SW_WRONG_DATA;
	if (!first && ch->xfer != VSIM_XFER_RETRIEVE)
		return SW_CONDITIONS;
	sw = vsim_fs_data_ef(c, a, a->p2 & P2_SFI, VSIM_AC_READ, &file);
	if (sw != SW_OK)
		return sw;
	if (first) {
		ch->xfer = VSIM_XFER_NONE;
		memcpy(ch->tag, a->data, a->lc);
		ch->tag_len = (u8)a->lc;
		ch->xfer_off = 0;
	}
	b = vsim_fs_body(c, file);
	size = c->files[file].size;
	max = a->ne ? a->ne : 256;
	if (ch->tag_len == 1 && ch->tag[0] == TAG_LIST) {
		total = tag_list(b, size, r->data, ch->xfer_off, max, &n);
	} else if (find(b, size, ch->tag, ch->tag_len, &u)) {
		total = u.len;
		if (ch->xfer_off < total) {
			n = total - ch->xfer_off < max ? total - ch->xfer_off : max;
			memcpy(r->data, b + u.off + ch->xfer_off, n);
		}
	} else {
		ch->xfer = VSIM_XFER_NONE;
		return SW_REF_NOT_FOUND;
	}
	/* the object shrank under a transfer (SET DATA on another channel) */
	if (!n) {
		ch->xfer = VSIM_XFER_NONE;
		return SW_REF_NOT_FOUND;
	}
	r->len = (u16)n;
	ch->xfer_off += (u16)n;
	if (ch->xfer_off < total) {
		ch->xfer = VSIM_XFER_RETRIEVE;
		return SW_MORE_DATA;
	}
	ch->xfer = VSIM_XFER_NONE;
	return SW_OK;
}

/*
 * SET DATA, next block (§11.3.2): the next part of the value of the
 * object the first block created. More than the object's length removes
 * the object, as the error case of Annex L.1 does.
 */
static u16 set_next(struct vsim_card *c, const struct vsim_apdu *a,
		    struct vsim_channel *ch)
{
	u32 left = ch->xfer_len - ch->xfer_off;
	struct unit u;
	u16 file, sw;
	u8 *b;

	if (ch->xfer != VSIM_XFER_SET)
		return SW_CONDITIONS;
	sw = vsim_fs_data_ef(c, a, 0, VSIM_AC_UPDATE, &file);
	if (sw != SW_OK)
		return sw;
	b = vsim_fs_body(c, file);
	if (!find(b, c->files[file].size, ch->tag, ch->tag_len, &u) ||
	    u.len - u.hdr != ch->xfer_len) {
		ch->xfer = VSIM_XFER_NONE;
		return SW_REF_NOT_FOUND;
	}
	if (a->lc > left) {
		ch->xfer = VSIM_XFER_NONE;
		if (remove_unit(c, file, &u))
			return SW_MEMORY_PROBLEM;
		return SW_WRONG_LENGTH;
	}
	if (vsim_persist(c, b + u.off + u.hdr + ch->xfer_off, a->data, a->lc))
		return SW_MEMORY_PROBLEM;
	ch->xfer_off += a->lc;
	if (ch->xfer_off < ch->xfer_len)
		return SW_MORE_EXPECTED;
	ch->xfer = VSIM_XFER_NONE;
	return SW_OK;
}

/*
 * SET DATA (§11.3.2): P1 00; P2 as RETRIEVE DATA's. First block: the tag
 * alone deletes the object; tag, length and all or part of the value
 * create it or replace the object of that tag (63F1: send the rest with
 * next blocks). 6A84 when the file has no room, counting the space of the
 * object being replaced.
 */
u16 vsim_bertlv_set(struct vsim_card *c, const struct vsim_apdu *a,
		    struct vsim_resp *r)
{
	struct vsim_channel *ch = vsim_chan(c, a);
	u32 size, vlen, total, part, need, s, run;
	bool found, whole;
	struct unit old;
	u16 file, sw;
	const u8 *b;
	u8 t, l;

	(void)r;
	if (a->p1 || (a->p2 & P2_RFU) ||
	    (!(a->p2 & P2_FIRST) && (a->p2 & P2_SFI)))
		return SW_WRONG_P1P2;
	if (!a->lc)
		return SW_WRONG_LENGTH;
	if (!(a->p2 & P2_FIRST))
		return set_next(c, a, ch);
	sw = vsim_fs_data_ef(c, a, a->p2 & P2_SFI, VSIM_AC_UPDATE, &file);
	if (sw != SW_OK)
		return sw;
	ch->xfer = VSIM_XFER_NONE;
	t = tag_length(a->data, a->lc);
	if (!t)
		return SW_WRONG_DATA;
	memcpy(ch->tag, a->data, t);
	ch->tag_len = t;
	b = vsim_fs_body(c, file);
	size = c->files[file].size;
	found = find(b, size, a->data, t, &old);
	if (a->lc == t) {
		if (!found)
			return SW_REF_NOT_FOUND;
		return remove_unit(c, file, &old) ? SW_MEMORY_PROBLEM : SW_OK;
	}
	l = der_length(a->data + t, a->lc - t, &vlen);
	if (!l)
		return SW_WRONG_DATA;
	part = a->lc - t - l;
	if (part > vlen)
		return SW_WRONG_LENGTH;
	total = t + l + vlen;
	whole = part == vlen;
	/* an object in several records needs a hole of 4 before it */
	need = whole ? total : total + HOLE_HDR;
	if (total > size || (!found && count_objects(b, size) >= OBJECTS_MAX) ||
	    !free_run(b, size, need, found ? old.off : NO_UNIT, &s, &run))
		return SW_NOT_ENOUGH_MEMORY;
	if (found) {
		if (remove_unit(c, file, &old))
			return SW_MEMORY_PROBLEM;
		free_run(b, size, need, NO_UNIT, &s, &run);
	}
	if (whole)
		return put_whole(c, file, s, run, a->data, a->lc);
	sw = put_in_blocks(c, file, s, run, a->data, a->lc, total);
	if (sw != SW_OK)
		return sw;
	ch->xfer = VSIM_XFER_SET;
	ch->xfer_off = (u16)part;
	ch->xfer_len = (u16)vlen;
	return SW_MORE_EXPECTED;
}
