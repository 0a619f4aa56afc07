// SPDX-License-Identifier: GPL-2.0-only
/*
 * The seed writer of `make fuzz`: seeds for the targets of tests/fuzz/,
 * made at build time (never committed) from the project's own test
 * vectors and encoders: the C-APDUs of the golden transcripts, the hex
 * scripts of tests/test_ota_*.c, the example profiles and their images,
 * wrapped by the server's packet, SMS and SMPP encoders and the cardem
 * message builders.
 * Usage: seeds DIR   (run from the top; writes DIR/TARGET/seed-*)
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <libsmpp34/smpp34.h>
#include <libsmpp34/smpp34_structs.h>

#include "cardem/msg.h"
#include "common/card_host.h"
#include "common/log.h"
#include "common/profile.h"
#include "ota-server/https.h"
#include "ota-server/server.h"
#include "ota/packet.h"
#include "ota/profile.h"
#include "ota/sms.h"
#include "vsimd/vpcd.h"

#define MAXV	64	/* vectors kept per source */
#define BUF	16384

static const char *outdir;
static int written;

struct blob {
	uint8_t *p;
	size_t n;
};

struct vec {
	uint8_t b[512];
	size_t n;
};

static void die(const char *what)
{
	fprintf(stderr, "seeds: %s\n", what);
	exit(1);
}

static void put(struct blob *o, const void *p, size_t n)
{
	o->p = realloc(o->p, o->n + n + 1);
	if (!o->p)
		die("out of memory");
	memcpy(o->p + o->n, p, n);
	o->n += n;
}

static void put1(struct blob *o, uint8_t b)
{
	put(o, &b, 1);
}

static void save(const char *target, const char *name, const struct blob *o)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/seed-%s", outdir, target, name);
	f = fopen(path, "wb");
	if (!f || (o->n && fwrite(o->p, o->n, 1, f) != 1) || fclose(f))
		die(path);
	written++;
}

static void save_free(const char *target, const char *name, struct blob *o)
{
	save(target, name, o);
	free(o->p);
	o->p = NULL;
	o->n = 0;
}

static int unhex(const char *s, size_t len, uint8_t *out, size_t max)
{
	size_t n = 0, i;
	int hi = -1;

	for (i = 0; i < len; i++) {
		int v;

		if (s[i] == ' ')
			continue;
		if (s[i] >= '0' && s[i] <= '9')
			v = s[i] - '0';
		else if ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'f')
			v = (s[i] | 0x20) - 'a' + 10;
		else
			return -1;
		if (hi < 0) {
			hi = v;
		} else {
			if (n == max)
				return -1;
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	return hi < 0 ? (int)n : -1;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET))
		die(path);
	s = malloc((size_t)n + 1);
	if (!s || (n && fread(s, (size_t)n, 1, f) != 1))
		die(path);
	s[n] = 0;
	fclose(f);
	if (len)
		*len = (size_t)n;
	return s;
}

/* The hex string literals (10+ digits) of a test source: its scripts. */
static size_t hex_literals(const char *path, struct vec *v, size_t max)
{
	char *s = slurp(path, NULL), *p = s;
	size_t k = 0;

	while (k < max && (p = strchr(p, '"'))) {
		char *e = strchr(p + 1, '"');
		int n;

		if (!e)
			break;
		n = unhex(p + 1, (size_t)(e - p - 1), v[k].b, sizeof(v[k].b));
		if (n >= 5)
			v[k++].n = (size_t)n;
		p = e + 1;
	}
	free(s);
	return k;
}

/* The C-APDUs ("> hex") of a golden transcript; "reset" as n = 0. */
static size_t trace_apdus(const char *path, struct vec *v, size_t max)
{
	char *s = slurp(path, NULL), *line, *save_p = NULL;
	size_t k = 0;

	for (line = strtok_r(s, "\n", &save_p); line && k < max;
	     line = strtok_r(NULL, "\n", &save_p)) {
		int n;

		if (!strncmp(line, "reset", 5)) {
			v[k++].n = 0;
			continue;
		}
		if (line[0] != '>')
			continue;
		n = unhex(line + 1, strlen(line + 1), v[k].b, sizeof(v[k].b));
		if (n > 0)
			v[k++].n = (size_t)n;
	}
	free(s);
	return k;
}

/* ---- images and state blobs ---- */
static void seeds_image(void)
{
	static const char *const img[] = {
		"test-usim", "test-usim-ota", "test-usim-bound", "test-usim-eapol",
		"usim-complete",	/* [suci]: the image's SUCI header */
	};
	static const uint8_t bad_pin[] = {
		0x00, 0x20, 0x00, 0x01, 0x08, '9', '9', '9', '9', 0xff, 0xff, 0xff, 0xff,
	};
	struct vsim_host_card h;
	uint8_t r[VSIM_RAPDU_MAX], atr[VSIM_ATR_MAX];
	char path[256], err[512];
	struct blob o = { 0 };
	const uint8_t *st;
	size_t i, len;
	uint8_t *buf;

	for (i = 0; i < sizeof(img) / sizeof(img[0]); i++) {
		snprintf(path, sizeof(path), "build/images/%s.img", img[i]);
		buf = (uint8_t *)slurp(path, &len);
		put1(&o, 0);
		put(&o, buf, len);
		save_free("image", img[i], &o);
		if (vsim_host_card_open(&h, buf, len, NULL, err, sizeof(err)))
			die(err);
		free(buf);
		st = vsim_card_state(h.card, &len);
		put1(&o, 1);
		put(&o, st, len);
		snprintf(path, sizeof(path), "%s-state", img[i]);
		save_free("image", path, &o);
		/* a state that moved: a PIN try spent */
		vsim_card_power_on(h.card, atr, sizeof(atr));
		vsim_card_transact(h.card, bad_pin, sizeof(bad_pin), r);
		st = vsim_card_state(h.card, &len);
		put1(&o, 1);
		put(&o, st, len);
		snprintf(path, sizeof(path), "%s-state-pin", img[i]);
		save_free("image", path, &o);
		vsim_host_card_close(&h);
	}
}

/* ---- golden transcripts as cardem transfers and vpcd reads ---- */
static void apdu_case(const uint8_t *c, size_t n, size_t *lc)
{
	/* a data part after the header: P3 is Lc (cases 3 and 4) */
	*lc = n > 5 ? c[4] : 0;
}

static void seeds_traces(void)
{
	static struct vec v[400];
	struct dirent *de;
	DIR *dir = opendir("tests/golden");
	char name[300];

	if (!dir)
		die("tests/golden");
	while ((de = readdir(dir))) {
		struct blob cem = { 0 }, vp = { 0 }, frames = { 0 };
		uint8_t m[600];
		struct st2_status s = {
			.flags = ST2_STATUS_F_VCC_PRESENT | ST2_STATUS_F_CLK_ACTIVE |
				 ST2_STATUS_F_CARD_INSERT,
			.voltage_mv = 3300, .fi = 1, .di = 1, .wi = 10,
		};
		size_t k, i, lc, off;
		char *dot = strstr(de->d_name, ".trace");

		if (!dot || dot[6])
			continue;
		snprintf(name, sizeof(name), "tests/golden/%s", de->d_name);
		k = trace_apdus(name, v, sizeof(v) / sizeof(v[0]));
		put(&cem, m, st2_build_status(m, sizeof(m), &s));
		put1(&frames, 0);
		put1(&frames, 1);
		put1(&frames, VPCD_CTRL_ON);
		put1(&frames, 0);
		put1(&frames, 1);
		put1(&frames, VPCD_CTRL_ATR);
		for (i = 0; i < k; i++) {
			if (!v[i].n) {
				s.flags |= ST2_STATUS_F_RESET_ACTIVE;
				put(&cem, m, st2_build_status(m, sizeof(m), &s));
				s.flags &= ~ST2_STATUS_F_RESET_ACTIVE;
				put(&cem, m, st2_build_status(m, sizeof(m), &s));
				put1(&frames, 0);
				put1(&frames, 1);
				put1(&frames, VPCD_CTRL_RESET);
				continue;
			}
			if (v[i].n >= 5) {
				apdu_case(v[i].b, v[i].n, &lc);
				put(&cem, m, st2_build_data(m, sizeof(m),
					ST2_CEMU_RX_DATA, ST2_DATA_F_TPDU_HDR,
					v[i].b, 5));
				if (lc && v[i].n == 5 + lc)
					put(&cem, m, st2_build_data(m, sizeof(m),
						ST2_CEMU_RX_DATA, ST2_DATA_F_FINAL,
						v[i].b + 5, lc));
			}
			put1(&frames, (uint8_t)(v[i].n >> 8));
			put1(&frames, (uint8_t)v[i].n);
			put(&frames, v[i].b, v[i].n);
		}
		/* vpcd: the frames in reads of at most 200 bytes */
		for (off = 0; off < frames.n; off += 200) {
			size_t n = frames.n - off < 200 ? frames.n - off : 200;

			put1(&vp, (uint8_t)n);
			put(&vp, frames.p + off, n);
		}
		*dot = 0;
		save_free("cardem", de->d_name, &cem);
		save_free("vpcd", de->d_name, &vp);
		free(frames.p);
	}
	closedir(dir);
}

/*
 * GET IDENTITY (TS 31.102 §7.5) for the APDU fuzzer: the USIM selected,
 * then the SUCI context with and without Le, the T=0 GET RESPONSE, other
 * contexts, classes and channels, data where none belongs. Run with
 * VSIM_FUZZ_IMAGE=build/images/usim-complete.img to reach the ECIES
 * schemes ([suci] of examples/usim-complete.ini); the default image
 * answers 6985.
 */
static void seeds_suci(void)
{
	static const char *const seqs[][8] = {
		{ "00A4040C07A0000000871002", "8078008100", "80780081", "00C0000037" },
		{ "00A4040C07A0000000871002", "8078000100", "8078008200", "8078018100",
		  "80780081010000", "C078008100", "E078008110" },
		{ "8078008100", "0070000001", "81A4040C07A0000000871002", "8178008100",
		  "01A4040C07A0000000871004", "8178008100" },
		{ "00A4040C07A0000000871002", "00A4000C025FC0", "00B0870060",
		  "00B08A0004", "8078008120" },
	};
	struct blob o = { 0 };
	uint8_t b[64];
	size_t i, j, n;
	char name[32];

	for (i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		for (j = 0; j < 8 && seqs[i][j]; j++) {
			n = (size_t)unhex(seqs[i][j], strlen(seqs[i][j]), b, sizeof(b));
			put1(&o, (uint8_t)n);
			put(&o, b, n);
		}
		snprintf(name, sizeof(name), "suci-%zu", i + 1);
		save_free("apdu", name, &o);
	}
}

/*
 * RETRIEVE DATA / SET DATA (TS 102 221 §11.3) on EF_VSIM_TLV (A001) of
 * build/images/usim-complete.img (VSIM_FUZZ_IMAGE): first and next
 * blocks, T=0 GET RESPONSE, objects in blocks, deletes, the tag list,
 * SFI and channel variants, malformed tags and lengths.
 */
static void seeds_bertlv(void)
{
	static const char *const seqs[][9] = {
		{ "00A4000C02A001", "80CB008001A220", "80CB000020", "80CB000000",
		  "80CB0080015C00", "80CB00800180", "00C0000006" },
		{ "00A4000C02A001", "80DB008007830568656C6C6F", "80CB0080018300",
		  "80DB00800183", "80DB00800183", "80DB008004A202CAFE",
		  "80CB0080015C" },
		{ "00A4000C02A001", "80DB0080099F2082012C0102030405", "80DB000003AABBCC",
		  "80DB000003AABBCC", "80CB0080029F2010", "80CB0000FF", "80CB000000" },
		{ "00A4000C02A001", "80DB0080059F218201F4", "80DB0080035A0100",
		  "80DB0080038380AA", "80DB0080058301AABBCC", "80CB01800180",
		  "80DB000001AA", "80DB000101AA" },
		{ "0070000001", "01A4000C02A001", "81CB008001A210", "80CB0080018000",
		  "81CB000010", "01A4000C02A001", "81CB000000", "C1CB008001A200" },
		{ "00A4000C02A001", "80DB0080049F200140", "80DB008001A2", "80DB00800180",
		  "80DB00800181", "80CB0080015C00", "00A4000402A001", "00C0000025" },
	};
	struct blob o = { 0 };
	uint8_t b[64];
	size_t i, j, n;
	char name[32];

	for (i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		for (j = 0; j < 9 && seqs[i][j]; j++) {
			n = (size_t)unhex(seqs[i][j], strlen(seqs[i][j]), b, sizeof(b));
			put1(&o, (uint8_t)n);
			put(&o, b, n);
		}
		/* and once more after a power cycle: the objects stay */
		put1(&o, 0xFF);
		n = (size_t)unhex("00A4000C02A001", 14, b, sizeof(b));
		put1(&o, (uint8_t)n);
		put(&o, b, n);
		n = (size_t)unhex("80CB0080015C00", 14, b, sizeof(b));
		put1(&o, (uint8_t)n);
		put(&o, b, n);
		snprintf(name, sizeof(name), "bertlv-%zu", i + 1);
		save_free("apdu", name, &o);
	}
}

/* ---- OTA: both sides, from the OTA tests' scripts ---- */
static struct ota_profile prof;
static struct ota_addr server_addr;

/* Envelopes of @script to @tar, as fuzz_ota_card chunks; GET RESPONSE after. */
static void ota_card_seed(const char *name, struct ota_sender *s, uint32_t tar,
			  const uint8_t *script, size_t len)
{
	static uint8_t env[OTA_MAX_ENVELOPES][OTA_ENVELOPE_MAX];
	static const uint8_t gr[] = { 0x00, 0xc0, 0x00, 0x00, 0x00 };
	size_t elen[OTA_MAX_ENVELOPES];
	struct blob o = { 0 };
	int n, i;

	n = ota_sender_envelopes(s, tar, script, len, env, elen);
	if (n <= 0)
		return;
	for (i = 0; i < n; i++) {
		if (elen[i] >= 0xfd) {
			put1(&o, 0xfe);
			put1(&o, (uint8_t)(elen[i] - 254));
		} else {
			put1(&o, (uint8_t)elen[i]);
		}
		put(&o, env[i], elen[i]);
	}
	put1(&o, sizeof(gr));
	put(&o, gr, sizeof(gr));
	save_free("ota_card", name, &o);
}

/* The server's side: a PoR for @script, as PoR, SMS-SUBMIT and SMPP. */
static void ota_server_seeds(const char *name, const struct ota_sender *s,
			     uint32_t tar, const uint8_t *script, size_t len,
			     int idx)
{
	static const uint8_t udh71[] = { 0x02, 0x71, 0x00 };
	uint8_t pkt[1200], clear[1200], por[400], tpdu[OTA_TPDU_MAX];
	uint8_t t[3] = { (uint8_t)(tar >> 16), (uint8_t)(tar >> 8), (uint8_t)tar };
	uint8_t kb = (uint8_t)(s->index << 4 | 0x05);
	const struct ota_key *kic = &s->kic, *kid = &s->kid;
	struct blob o = { 0 };
	struct ota_cmd c;
	ssize_t n, pl;
	int tl;
	char nm[240];

	if (prof.keysets[s->index].kic.algo == OTA_ALG_AES)
		kb = (uint8_t)(s->index << 4 | 0x02);
	n = ota_cmd_build(s->spi, kb, kb, t, 1, kic, kid, script,
			  len > 100 ? 100 : len, pkt, sizeof(pkt));
	if (n < 0 || ota_cmd_parse(pkt, (size_t)n, &c) ||
	    ota_cmd_open(&c, pkt, (size_t)n, kic, kid, 0, 0, clear))
		return;
	/* the response data: the script's bytes stand in for R-APDUs */
	pl = ota_por_build(&c, OTA_ST_OK, script, len > 60 ? 60 : len, kic,
			   kid, por, sizeof(por));
	if (pl < 0)
		return;
	put1(&o, 0);
	put(&o, s->spi, 2);
	put1(&o, kb);
	put1(&o, kb);
	put(&o, por, (size_t)pl);
	save_free("ota_server", name, &o);
	/* the PoR by SMS-SUBMIT (UDH 02 71 00 is already in por) */
	tl = ota_sms_build(true, &server_addr, por, 3, por + 3, (size_t)pl - 3,
			   tpdu, sizeof(tpdu));
	if (tl > 0) {
		put1(&o, 1);
		put(&o, tpdu, (size_t)tl);
		snprintf(nm, sizeof(nm), "%.200s-submit", name);
		save_free("ota_server", nm, &o);
	}
	/* and in a deliver_sm after the submit_sm_resp (fuzz_smpp) */
	if (idx < 8 && tl > 0) {
		uint8_t pdu[2048];
		submit_sm_resp_t r = { .command_id = SUBMIT_SM_RESP,
				       .sequence_number = 1 };
		deliver_sm_t d;
		int plen = 0;

		put1(&o, 1);
		if (smpp34_pack(SUBMIT_SM_RESP, pdu, sizeof(pdu), &plen, &r))
			die("smpp34_pack");
		put(&o, pdu, (size_t)plen);
		memset(&d, 0, sizeof(d));
		d.command_id = DELIVER_SM;
		d.sequence_number = 7;
		snprintf((char *)d.source_addr, sizeof(d.source_addr), "4912345");
		d.source_addr_ton = 1;
		d.esm_class = 0x40;
		d.protocol_id = OTA_TP_PID_DATA_DOWNLOAD;
		d.data_coding = OTA_TP_DCS_CLASS2_8BIT;
		d.sm_length = (uint8_t)pl;
		memcpy(d.short_message, por, (size_t)pl);
		(void)udh71;
		if (smpp34_pack(DELIVER_SM, pdu, sizeof(pdu), &plen, &d))
			die("smpp34_pack");
		put(&o, pdu, (size_t)plen);
		snprintf(nm, sizeof(nm), "%.200s-por", name);
		save_free("smpp", nm, &o);
	}
}

static void seeds_ota(void)
{
	static const char *const src[] = {
		"tests/test_ota_card.c", "tests/test_ota_gp.c",
		"tests/test_ota_host.c", "tests/test_ota_packet.c",
	};
	static const uint32_t tars[] = {
		OTA_TAR_RFM_UICC, OTA_TAR_RFM_USIM, OTA_TAR_ISD, OTA_TAR_BINDING,
	};
	static struct vec v[MAXV];
	struct ota_sender plain, full;
	char err[600], name[200];
	size_t i, j, k, total = 0;

	if (ota_profile_load("examples/test-usim-ota.ini", &prof, err,
			     sizeof(err)))
		die(err);
	ota_addr_from_string("+4900000001", &server_addr);
	for (i = 0; i < sizeof(src) / sizeof(src[0]); i++) {
		k = hex_literals(src[i], v, MAXV);
		for (j = 0; j < k; j++, total++) {
			uint32_t tar = tars[total % 4];

			/* unsecured (the fuzz TARs take it) and fully secured */
			ota_sender_init(&plain, &prof.keysets[3], 3, &server_addr);
			plain.spi[0] = 0;
			plain.spi[1] = OTA_POR_REQUIRED;
			plain.next_ref = total % 3 ? -1 : (int)total;
			snprintf(name, sizeof(name), "%zu-plain", total);
			ota_card_seed(name, &plain, tar, v[j].b, v[j].n);
			ota_sender_init(&full, &prof.keysets[3], 3, &server_addr);
			snprintf(name, sizeof(name), "%zu-secured", total);
			ota_card_seed(name, &full, tar, v[j].b, v[j].n);
			snprintf(name, sizeof(name), "%zu", total);
			ota_server_seeds(name, total % 2 ? &full : &plain, tar,
					 v[j].b, v[j].n, (int)total);
		}
	}
	/* a card's download request: SMS-SUBMIT of DF71 "demo", secured */
	{
		static const uint8_t req[] = { 0xdf, 0x71, 4, 'd', 'e', 'm', 'o' };
		uint8_t pkt[300], tpdu[OTA_TPDU_MAX], udh[] = { 0x02, 0x70, 0x00 };
		uint8_t t[3] = { 0 }, kb = 0x35;
		struct ota_sender s;
		struct blob o = { 0 };
		ssize_t n;
		int tl;

		ota_sender_init(&s, &prof.keysets[3], 3, &server_addr);
		n = ota_cmd_build(s.spi, kb, kb, t, 1, &s.kic, &s.kid, req,
				  sizeof(req), pkt, sizeof(pkt));
		tl = n < 0 ? -1 : ota_sms_build(true, &server_addr, udh,
						sizeof(udh), pkt, (size_t)n,
						tpdu, sizeof(tpdu));
		if (tl < 0)
			die("request");
		put1(&o, 2);
		put(&o, tpdu, (size_t)tl);
		save_free("ota_server", "request", &o);
		/* the same as a deliver_sm the server waits for */
		{
			uint8_t pdu[2048];
			deliver_sm_t d;
			int plen = 0;

			memset(&d, 0, sizeof(d));
			d.command_id = DELIVER_SM;
			d.sequence_number = 3;
			snprintf((char *)d.source_addr, sizeof(d.source_addr),
				 "4912345");
			d.source_addr_ton = 1;
			d.esm_class = 0x40;
			d.sm_length = (uint8_t)(n + 3);
			memcpy(d.short_message, udh, 3);
			memcpy(d.short_message + 3, pkt, (size_t)n);
			if (smpp34_pack(DELIVER_SM, pdu, sizeof(pdu), &plen, &d))
				die("smpp34_pack");
			put1(&o, 0);
			put(&o, pdu, (size_t)plen);
			save_free("smpp", "request", &o);
		}
	}
	/* the ENVELOPE form (mode 3) of a plain single SMS */
	{
		uint8_t env[OTA_MAX_ENVELOPES][OTA_ENVELOPE_MAX];
		size_t elen[OTA_MAX_ENVELOPES];
		struct ota_sender s;
		struct blob o = { 0 };

		ota_sender_init(&s, &prof.keysets[3], 3, &server_addr);
		s.next_ref = -1;
		if (ota_sender_envelopes(&s, OTA_TAR_RFM_UICC, v[0].b, v[0].n,
					 env, elen) > 0) {
			put1(&o, 3);
			put(&o, env[0] + 5, elen[0] - 5);
			save_free("ota_server", "envelope", &o);
		}
	}
}

/* SMSC chatter: enquire_link, a stray response, unbind. */
static void seeds_smpp(void)
{
	uint8_t pdu[256];
	enquire_link_t e = { .command_id = ENQUIRE_LINK, .sequence_number = 9 };
	generic_nack_t g = { .command_id = GENERIC_NACK, .sequence_number = 2 };
	unbind_t u = { .command_id = UNBIND, .sequence_number = 10 };
	struct blob o = { 0 };
	int n = 0;

	put1(&o, 0);
	if (smpp34_pack(ENQUIRE_LINK, pdu, sizeof(pdu), &n, &e))
		die("smpp34_pack");
	put(&o, pdu, (size_t)n);
	if (smpp34_pack(GENERIC_NACK, pdu, sizeof(pdu), &n, &g))
		die("smpp34_pack");
	put(&o, pdu, (size_t)n);
	if (smpp34_pack(UNBIND, pdu, sizeof(pdu), &n, &u))
		die("smpp34_pack");
	put(&o, pdu, (size_t)n);
	save_free("smpp", "chatter", &o);
}

/* ---- control requests: every command, with the example profiles ---- */
static void seeds_control(void)
{
	static const char *const ini[] = {
		"examples/test-usim.ini", "examples/test-usim-ota.ini",
	};
	struct blob o = { 0 };
	char name[64];
	size_t i;

	for (i = 0; i < sizeof(ini) / sizeof(ini[0]); i++) {
		json_object *a = json_object_new_object();
		char *text = slurp(ini[i], NULL);
		const char *s;

		json_object_object_add(a, "cmd", json_object_new_string("add"));
		json_object_object_add(a, "name", json_object_new_string("c"));
		json_object_object_add(a, "profile", json_object_new_string(text));
		json_object_object_add(a, "profile_name",
				       json_object_new_string(ini[i]));
		json_object_object_add(a, "slot", json_object_new_int((int)i + 1));
		json_object_object_add(a, "vpcd",
				       json_object_new_string("127.0.0.1:1"));
		s = json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN);
		put1(&o, 40);
		put(&o, s, strlen(s));
		s = "\n{\"cmd\":\"list\"}\n{\"cmd\":\"status\",\"card\":\"c\"}\n"
		    "{\"cmd\":\"app-request\",\"card\":\"c\",\"app\":\"demo\"}\n"
		    "{\"cmd\":\"trace\",\"card\":\"c\"}\n"
		    "{\"cmd\":\"remove\",\"card\":\"c\"}\n";
		put(&o, s, strlen(s));
		snprintf(name, sizeof(name), "add-%zu", i);
		save_free("control", name, &o);
		json_object_put(a);
		free(text);
	}
	put1(&o, 3);
	put(&o, "{\"cmd\":\"list\"}\n[1]\n{\"cmd\":7}\n{\"cmd\":\"nope\"}\n{", 47);
	save_free("control", "odd", &o);
}

/* ---- proactive commands and slow-path answers ---- */
static void seeds_proactive(void)
{
	static const struct {
		const char *name;
		uint8_t type, qual, dest, flags;
		const char *tlvs, *answer;
	} p[] = {
		{ "menu", 0x25, 0x00, 0x82, 3,
		  "85 05 76 73 69 6d 20 8f 05 01 64 65 6d 6f", "9000" },
		{ "sms", 0x13, 0x00, 0x83, 2,
		  "8b 0c 01 00 06 91 94 21 43 65 7f f6 01 aa", "027100 9000" },
		{ "display", 0x21, 0x80, 0x02, 0,
		  "8d 06 04 68 65 6c 6c 6f", "0102030405 9000" },
		{ "refused", 0x13, 0x00, 0x83, 8, "", "6a80" },
		{ "silent", 0x25, 0x00, 0x82, 4, "85 01 41", "" },
	};
	uint8_t b[300];
	struct blob o = { 0 };
	size_t i;
	int n;

	for (i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
		put1(&o, p[i].type);
		put1(&o, p[i].qual);
		put1(&o, p[i].dest);
		put1(&o, p[i].flags);
		n = unhex(p[i].tlvs, strlen(p[i].tlvs), b, sizeof(b));
		if (n < 0)
			die(p[i].name);
		put1(&o, (uint8_t)n);
		put(&o, b, (size_t)n);
		n = unhex(p[i].answer, strlen(p[i].answer), b, sizeof(b));
		if (n < 0)
			die(p[i].name);
		put(&o, b, (size_t)n);
		save_free("proactive", p[i].name, &o);
	}
}

/*
 * fuzz_bip: a whole BIP session as tests/bip_term.sh plays it (steps: 0
 * TERMINAL RESPONSE tail, 1 event tail), with the remote file read the
 * server sends; fuzz_http: the admin server's 200 and 204, a chunked
 * 200, its push (the administration session trigger), and a terminal's
 * TIMER EXPIRATION of the retry's timer.
 */
static void seeds_bip_http(void)
{
	static const char *const steps[] = {
		"00 83 01 07 B8 02 81 00 B5 01 03 B9 02 04 00",	/* OPEN CHANNEL */
		"00 83 01 00",					/* SET UP EVENT LIST */
		"00 83 01 00 B7 01 FF",				/* SEND DATA */
		"01 99 01 09 B8 02 81 00 B7 01 2A",		/* Data available */
		"00 83 01 00 B6 2A 00281516193535B0001050356116120E6273236E5AD8CB41AA0EB7E15B290A43053B31FE327BB0AD39D5 B7 01 00",
		"00 83 01 00 B7 01 FF",				/* SEND DATA (PoR) */
		"01 99 01 0A B8 02 01 05",			/* link dropped */
		"00 83 01 00",					/* CLOSE CHANNEL */
	};
	static const char r200[] = "HTTP/1.1 200 OK\r\n"
		"X-Admin-Protocol: globalplatform-remote-admin/1.0\r\n"
		"X-Admin-Next-URI: /admin/next\r\n"
		"X-Admin-Targeted-Application: //aid/A000000559/10100101\r\n"
		"Content-Length: 4\r\n\r\n\xae\x80\x00\x00"
		"HTTP/1.1 204 No Content\r\n"
		"X-Admin-Protocol: globalplatform-remote-admin/1.0\r\n\r\n";
	static const char chunked[] = "HTTP/1.1 200 OK\r\n"
		"X-Admin-Protocol: globalplatform-remote-admin/1.0\r\n"
		"Transfer-Encoding: chunked\r\n\r\n"
		"2;x=y\r\n\xae\x80\r\n2\r\n\x00\x00\r\n0\r\nX-T: 1\r\n\r\n";
	struct blob o = { 0 };
	uint8_t b[300];
	size_t i;
	int n;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		n = unhex(steps[i], strlen(steps[i]), b, sizeof(b));
		if (n < 1)
			die("bip seed");
		put1(&o, b[0]);
		put1(&o, (uint8_t)(n - 1));
		put(&o, b + 1, (size_t)n - 1);
	}
	save_free("bip", "session", &o);
	put(&o, r200, sizeof(r200) - 1);
	save_free("http", "session", &o);
	put(&o, chunked, sizeof(chunked) - 1);
	save_free("http", "chunked", &o);
	n = (int)ota_https_trigger("127.0.0.1:4443", "vsim-test-card", 0x40,
				   "demo", b, sizeof(b));
	if (n < 0)
		die("trigger seed");
	put(&o, b, (size_t)n);
	save_free("http", "trigger", &o);
	/* the retry timer's expiry (D7: terminal to UICC, timer 1, 00:00:02) */
	n = unhex("D70C820282812401012503000020", 28, b, sizeof(b));
	if (n < 0)
		die("expiry seed");
	put(&o, b, (size_t)n);
	save_free("http", "expiry", &o);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: seeds DIR\n");
		return 2;
	}
	outdir = argv[1];
	vsim_log_set_level(VSIM_LOG_ERR);
	seeds_image();
	seeds_bertlv();
	seeds_traces();
	seeds_suci();
	seeds_ota();
	seeds_smpp();
	seeds_control();
	seeds_proactive();
	seeds_bip_http();
	printf("seeds: %d seeds in %s\n", written, outdir);
	return 0;
}
