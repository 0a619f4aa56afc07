/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Card profiles: the INI file a test engineer edits, compiled into the
 * card image of <linux/vsim.h>. docs/profile.md describes the format.
 *
 * Errors come back as one line "PATH:LINE: field 'k': what is wrong"
 * (or "PATH:LINE: unknown section [x] ..." and the like); LINE is the line
 * of the offending key or section header, or the section header / last
 * line when a required field is missing.
 *
 * Parsing changes libinih's runtime settings (line length, multi-line
 * values) for its duration and restores them: not thread-safe.
 */
#ifndef VSIM_PROFILE_H
#define VSIM_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/vsim.h>

/* Default retry counters (docs/profile.md "PINs") */
#define VSIM_PROFILE_PIN_TRIES	3	/* PIN1, PIN2 */
#define VSIM_PROFILE_PUK_TRIES	10	/* PUK1, PUK2 */
#define VSIM_PROFILE_ADM_TRIES	10	/* ADM1: no PUK, so be forgiving */

/* [isim]: longest identity, domain or P-CSCF (a TLV 80 in 128 bytes) */
#define VSIM_PROFILE_ISIM_MAX	125

/*
 * A [file PATH] override: raw bytes for a whole body or one record, or
 * the value of one data object of a BER-TLV EF (object.TAG).
 */
struct vsim_profile_override {
	int file;		/* index in the profile's template (tmpl->files[]) */
	unsigned int record;	/* 0: transparent body ("data"), else record N */
	uint8_t tag_len;	/* BER-TLV object: tag bytes (1..3), else 0 */
	uint8_t tag[3];
	int line;		/* where it was given */
	size_t len;
	uint8_t *data;		/* malloc'd */
};

struct vsim_fs_tmpl;

struct vsim_profile {
	/* [card] */
	const struct vsim_fs_tmpl *tmpl;	/* template = (fs_template.h), default "default" */
	char iccid[21];		/* 18-20 digits, Luhn-checked */
	char imsi[16];		/* 6-15 digits */
	char msisdn[22];	/* "" or [+]digits (max 20 digits) */
	char spn[17];		/* "" or up to 16 chars */
	uint8_t spn_display;	/* EF_SPN byte 1 (display condition) */
	uint8_t mnc_length;	/* 2 or 3 */
	uint8_t atr[VSIM_ATR_MAX];
	uint8_t atr_len;

	/* [auth]: secrets, wiped by vsim_profile_free() */
	uint8_t k[16];
	uint8_t opc[16];	/* given, or computed from op */
	uint8_t amf[2];		/* network side only: not in the image */
	uint8_t sqn_ind_bits;
	uint64_t sqn_delta;
	uint64_t sqn_limit;

	/* [pin]: value/puk/tries/flags exactly as the image holds them */
	struct vsim_image_pin pins[VSIM_PIN_COUNT];

	/* [binding]: exactly as the image holds it (docs/binding.md) */
	struct vsim_image_binding binding;

	/* [isim] (TS 31.103 §4.2): "" / count 0 = derived from the IMSI */
	char isim_impi[VSIM_PROFILE_ISIM_MAX + 1];
	char isim_domain[VSIM_PROFILE_ISIM_MAX + 1];
	char isim_impu[3][VSIM_PROFILE_ISIM_MAX + 1];
	uint8_t isim_impu_count;
	char isim_pcscf[2][VSIM_PROFILE_ISIM_MAX + 1];
	uint8_t isim_pcscf_count;

	/* [suci] (TS 31.102 §7.5): as the image holds it, routing excepted */
	struct vsim_image_suci suci;
	char suci_routing[5];	/* 1..4 digits, default "0" */

	/* [file PATH] sections, in file order */
	struct vsim_profile_override *overrides;
	size_t n_overrides;
};

/* The default ATR (docs/profile.md "ATR"), TCK computed. Returns its length. */
size_t vsim_profile_default_atr(uint8_t atr[VSIM_ATR_MAX]);

/*
 * Parse and validate a profile. @name is the file name used in messages.
 * 0 on success (free with vsim_profile_free()), -1 with @err filled.
 * On failure *p holds nothing that needs freeing.
 */
int vsim_profile_load(const char *path, struct vsim_profile *p,
		      char *err, size_t errlen);
int vsim_profile_parse_buffer(const char *name, const char *text,
			      struct vsim_profile *p, char *err, size_t errlen);

/*
 * Build the card image from a parsed profile. *image is malloc'd; the
 * caller wipes (it holds K and OPc) and frees it. 0 or -1 with @err.
 */
int vsim_profile_build_image(const struct vsim_profile *p, uint8_t **image,
			     size_t *len, char *err, size_t errlen);

/*
 * Parse a [binding] section on its own (vsimctl binding set): the same
 * fields, rules and messages as in a profile. 0, or -1 with @err.
 */
int vsim_profile_parse_binding(const char *name, const char *text,
			       struct vsim_image_binding *b, char *err,
			       size_t errlen);

/* Wipe secrets and free the overrides. */
void vsim_profile_free(struct vsim_profile *p);

/* load + build + free in one call. */
int vsim_profile_compile(const char *path, uint8_t **image, size_t *len,
			 char *err, size_t errlen);
int vsim_profile_compile_buffer(const char *name, const char *text,
				uint8_t **image, size_t *len,
				char *err, size_t errlen);

#endif /* VSIM_PROFILE_H */
