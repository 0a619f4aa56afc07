// SPDX-License-Identifier: GPL-2.0-only
/*
 * Access conditions: a file's security attributes reference a record of an
 * EF_ARR (TS 102 221 §9.2.5, tag 8B). The record holds ISO 7816-4 expanded
 * format rules, evaluated here against the PINs verified in this session.
 * Reading that record goes through fs.c: the rules live in a file.
 */
#include "card_priv.h"

/* ISO 7816-4 §5.4.3.2 Table 18: access mode byte bits for EFs */
static const u8 am_bit[] = {
	[VSIM_AC_READ] = 0x01,
	[VSIM_AC_UPDATE] = 0x02,
	[VSIM_AC_INCREASE] = 0x02,	/* unless an AM_DO 84 names INS 32 */
	[VSIM_AC_DEACTIVATE] = 0x08,
	[VSIM_AC_ACTIVATE] = 0x10,
};

/* Tags of the expanded format, ISO 7816-4 §5.4.3.3 */
#define AM_DO_BYTE	0x80	/* access mode byte */
#define AM_DO_INS	0x84	/* one command's INS */
#define SC_DO_ALWAYS	0x90
#define SC_DO_NEVER	0x97
#define SC_DO_USER_AUTH	0xa4	/* CRT: 83 key reference, 95 usage qualifier */
#define INS_INCREASE	0x32

int vsim_pin_index(u8 key_ref)
{
	/* TS 102 221 §9.5.1 Table 9.3 */
	switch (key_ref) {
	case 0x01:
		return VSIM_PIN_IDX_PIN1;
	case 0x81:
		return VSIM_PIN_IDX_PIN2;
	case 0x0a:
		return VSIM_PIN_IDX_ADM1;
	default:
		return -1;
	}
}

bool vsim_pin_satisfied(const struct vsim_card *c, u8 key_ref)
{
	int i = vsim_pin_index(key_ref);

	if (i < 0)
		return false;
	/* A disabled PIN is a satisfied condition (TS 102 221 §9.5.1). */
	if (i != VSIM_PIN_IDX_ADM1 &&
	    !(c->st.pins[i].flags & VSIM_PIN_F_ENABLED))
		return true;
	/* the running session's: the host's own PINs are not the terminal's */
	return (c->in_host ? c->host.verified : c->term.verified) & (1u << i);
}

/* The key reference an SC_DO asks for, or ALWAYS / NEVER. */
static u8 sc_do_rule(const u8 *p, u8 len, u8 tag)
{
	unsigned int i;	/* i + 2 + length may pass 255: no u8 wrap-around */

	switch (tag) {
	case SC_DO_ALWAYS:
		return VSIM_RULE_ALWAYS;
	case SC_DO_USER_AUTH:
		for (i = 0; i + 2 <= len; i += 2 + p[i + 1])
			if (p[i] == 0x83 && p[i + 1] == 1 && i + 3 <= len)
				return p[i + 2];
		return VSIM_RULE_NEVER;
	default:
		/* NEVER, and OR/AND templates we do not evaluate, deny */
		return VSIM_RULE_NEVER;
	}
}

/* Find the EF_ARR by FID from the file's DF upwards, §9.2.5. */
static u16 find_arr(const struct vsim_card *c, u16 file, u16 arr_fid)
{
	u16 df = c->files[file].type == VSIM_FILE_EF ?
		 c->files[file].parent : file;
	u16 hit;

	for (;;) {
		hit = vsim_fs_find_child(c, df, arr_fid);
		if (hit != VSIM_NO_FILE &&
		    c->files[hit].structure == VSIM_EF_LINEAR_FIXED)
			return hit;
		if (df == 0)
			return VSIM_NO_FILE;
		df = c->files[df].parent;
	}
}

static const u8 *arr_record(struct vsim_card *c, u16 file, u8 *len)
{
	const struct vsim_file *f = &c->files[file];
	const struct vsim_file *arr;
	u16 a = find_arr(c, file, f->arr_fid);

	if (a == VSIM_NO_FILE)
		return NULL;
	arr = &c->files[a];
	if (f->arr_record > arr->size / arr->record_length)
		return NULL;
	*len = arr->record_length;
	return vsim_fs_body(c, a) + (f->arr_record - 1) * arr->record_length;
}

u8 vsim_access_rule(struct vsim_card *c, u16 file, enum vsim_access_op op)
{
	const u8 *rec;
	unsigned int i;	/* i + 2 + length may pass 255: no u8 wrap-around */
	u8 len, tag, l;
	bool matched = false, ins_rule = false;

	if (!c->files[file].arr_fid)
		return VSIM_RULE_ALWAYS;
	rec = arr_record(c, file, &len);
	/* A rule that cannot be found protects nothing: deny. */
	if (!rec)
		return VSIM_RULE_NEVER;
	if (op == VSIM_AC_INCREASE) {
		for (i = 0; i + 2 <= len && rec[i] != 0xff; i += 2 + rec[i + 1])
			if (rec[i] == AM_DO_INS && rec[i + 1] == 1 &&
			    i + 3 <= len && rec[i + 2] == INS_INCREASE)
				ins_rule = true;
	}
	/* Walk the (AM_DO, SC_DO) pairs; FF padding ends the record. */
	for (i = 0; i + 2 <= len && rec[i] != 0xff; i += 2 + l) {
		tag = rec[i];
		l = rec[i + 1];
		if (i + 2 + l > len)
			return VSIM_RULE_NEVER;
		if (tag == AM_DO_BYTE || tag == AM_DO_INS) {
			if (ins_rule)
				matched = tag == AM_DO_INS && l == 1 &&
					  rec[i + 2] == INS_INCREASE;
			else
				matched = tag == AM_DO_BYTE && l == 1 &&
					  (rec[i + 2] & am_bit[op]);
			continue;
		}
		if (matched)
			return sc_do_rule(rec + i + 2, l, tag);
	}
	return VSIM_RULE_NEVER;
}

bool vsim_access_allowed(struct vsim_card *c, u16 file,
			 enum vsim_access_op op, bool privileged)
{
	u8 rule;

	if (privileged)
		return true;
	rule = vsim_access_rule(c, file, op);
	if (rule == VSIM_RULE_ALWAYS)
		return true;
	if (rule == VSIM_RULE_NEVER)
		return false;
	return vsim_pin_satisfied(c, rule);
}
