/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The card's insides, shared by the engine's files and by nobody else.
 * The host allocates vsim_card_size() bytes once and the engine never
 * allocates again: struct vsim_card cut short after the image's EF data
 * (vsim_durable.data, the last member, holds data_size bytes of it).
 */
#ifndef VSIM_CARD_PRIV_H
#define VSIM_CARD_PRIV_H

#include "vsim_card.h"
#include "auth.h"
#include "sw.h"
#include <linux/vsim.h>

#define VSIM_CHANNELS		4	/* ATR card capabilities byte 3 = 1B */
#define VSIM_NO_FILE		0xffff
#define VSIM_STATE_MAGIC	0x54534d56	/* "VMST" */
#define VSIM_STATE_VERSION	2
#define VSIM_TP_MAX		64	/* TERMINAL PROFILE bytes kept */
#define VSIM_TCAP_MAX		32	/* TERMINAL CAPABILITY bytes kept */
#define VSIM_RESUME_TOKEN	8	/* TS 102 221 §11.1.22: resume token */

/* Life cycle status integer, TS 102 221 §11.1.1.4.9 */
#define VSIM_LCSI_ACTIVATED	0x05
#define VSIM_LCSI_DEACTIVATED	0x04

/* Durable per-PIN state: value, counters, enabled flag. */
struct vsim_pin_state {
	u8 value[8];
	u8 puk[8];
	u8 tries;		/* attempts left; 0 = blocked */
	u8 puk_tries;		/* PUK attempts left; 0 = blocked for good */
	u8 max_tries;
	u8 puk_max_tries;
	u8 flags;		/* VSIM_PIN_F_* */
	u8 reserved[3];
};

/*
 * Durable binding state (docs/binding.md): the configuration (from the
 * image, changed only by the administrator) and what the card learnt.
 */
struct vsim_binding_state {
	struct vsim_image_binding cfg;
	u8 bound;		/* first-terminal: imei[] is the bound terminal */
	u8 imsi_saved;		/* imsi_backup holds the personalised EF_IMSI */
	u8 imei[VSIM_BIND_DIGITS];
	u8 imsi_backup[9];
	u8 reserved[256 - sizeof(struct vsim_image_binding) - 2 -
		    VSIM_BIND_DIGITS - 9];
};

/*
 * Everything that must survive a power cycle, as one blob. Hosts persist
 * byte ranges of it (struct vsim_persist) and reload it whole.
 */
struct vsim_durable {
	u32 magic;
	u32 version;
	u32 data_size;		/* bytes of data[] in use (from the image) */
	u32 file_count;
	struct vsim_pin_state pins[VSIM_PIN_COUNT];
	u8 sqn[VSIM_SQN_SLOTS][6];
	u8 lcsi[VSIM_IMAGE_MAX_FILES];
	u8 cyclic_head[VSIM_IMAGE_MAX_FILES];	/* physical index of record 1 */
	struct vsim_binding_state binding;
	u8 data[VSIM_IMAGE_MAX_DATA];	/* data_size bytes exist: last */
};

/* A file as the engine sees it: the image entry, checked. */
struct vsim_file {
	u16 fid;
	u16 parent;
	u8 type;
	u8 structure;
	u8 sfi;
	u8 flags;
	u16 arr_fid;
	u8 arr_record;
	u8 record_length;
	u32 size;
	u32 data_offset;	/* into vsim_durable.data */
	u8 aid_len;
	u8 aid[VSIM_AID_MAX];
};

/* One logical channel, TS 102 221 §8.4: its own current DF, EF and app. */
struct vsim_channel {
	bool open;
	u16 df;			/* current DF, ADF or MF */
	u16 ef;			/* current EF or VSIM_NO_FILE */
	u16 app;		/* active ADF or VSIM_NO_FILE */
	u8 record;		/* current record number, 0 = none */
	/*
	 * The current tag pointer of a BER-TLV EF and the data object
	 * transfer in progress (TS 102 221 §11.3.0): any change of the
	 * current EF ends it.
	 */
	u8 xfer;		/* VSIM_XFER_* */
	u8 tag_len;
	u8 tag[3];
	u16 xfer_off;		/* bytes retrieved, or value bytes set so far */
	u16 xfer_len;		/* SET DATA: the value length being set */
};

#define VSIM_XFER_NONE		0
#define VSIM_XFER_RETRIEVE	1	/* RETRIEVE DATA: next block may follow */
#define VSIM_XFER_SET		2	/* SET DATA: next block expected */

/*
 * Whom a command runs for. The terminal has its session; the host's
 * privileged commands (vsim_card_exec()) have one of their own, as a
 * card's OTA interpreter runs remote APDUs (TS 102 226) beside the
 * terminal's session: own current files, PINs verified and data kept for
 * GET RESPONSE, on a basic channel only.
 */
struct vsim_session {
	struct vsim_channel channels[VSIM_CHANNELS];
	u8 verified;			/* bit i: pins[i] verified */
	u8 kept[VSIM_RAPDU_MAX];	/* data waiting for GET RESPONSE */
	u16 kept_len;
	u16 kept_off;
	u16 kept_sw;			/* SW after the last piece; 0 = 9000 */
};

/* A parsed command. ne is 0 when Le is absent, 1..256 otherwise. */
struct vsim_apdu {
	u8 cla, ins, p1, p2;
	u8 channel;
	u8 apdu_case;		/* 1..4 from the command table */
	bool gsm;		/* class A0: GSM 11.11 */
	bool privileged;	/* issued by the host, not by the terminal */
	u16 lc;
	const u8 *data;
	u16 ne;
};

/* The response a handler builds; the dispatcher adds the SW. */
struct vsim_resp {
	u8 data[VSIM_RAPDU_MAX];
	u16 len;
};

/* Proactive commands (TS 102 223 §6): a small queue, one fetched at a time. */
#define VSIM_PROACTIVE_SLOTS	4
#define VSIM_PROACTIVE_MAX	255	/* 91xx: at most 255 bytes */

struct vsim_proactive {
	u8 len;
	u8 number;		/* command number in the command details */
	u8 type;		/* type of command, TS 102 223 §9.4 */
	u8 qualifier;
	bool to_host;		/* VSIM_PROACTIVE_F_RESPONSE: its TR is the host's */
	u8 cmd[VSIM_PROACTIVE_MAX];	/* D0 L ... */
};

struct vsim_cat {
	struct vsim_proactive queue[VSIM_PROACTIVE_SLOTS];
	u8 head;
	u8 count;
	bool fetched;		/* queue[head] went out; its TERMINAL RESPONSE is due */
	u8 next_number;
	/* vsim_card_offer_proactive(): set aside until TERMINAL PROFILE */
	bool has_offer;
	struct vsim_proactive offer;
	/* timers 1..8 (bit n - 1) the host started: their expiry is its */
	u8 host_timers;
};

/* Per power cycle: what the binding check has decided (docs/binding.md). */
enum vsim_bind_verdict {
	VSIM_BIND_PENDING,	/* not decided: IMSI withheld */
	VSIM_BIND_ALLOWED,
	VSIM_BIND_REFUSED,
};

struct vsim_bind_session {
	u8 verdict;		/* enum vsim_bind_verdict */
	u8 why;			/* enum vsim_bind_reason */
	bool asked;		/* PROVIDE LOCAL INFORMATION queued this cycle */
	u8 commands;		/* commands since power-on without TERMINAL PROFILE */
};

/*
 * SUSPEND UICC (TS 102 221 §11.1.22): the terminal's session set aside
 * across a power cycle, restored by RESUME UICC with the token. Any other
 * first command after the suspension forgets it.
 */
struct vsim_suspend {
	bool active;		/* a SUSPEND succeeded; nothing else came since */
	bool cycled;		/* the card was powered off and on since */
	u8 token[VSIM_RESUME_TOKEN];
	struct vsim_session term;	/* channels, files, verified PINs */
	u8 terminal_profile[VSIM_TP_MAX];
	u8 terminal_profile_len;
	u8 terminal_cap[VSIM_TCAP_MAX];
	u8 terminal_cap_len;
	struct vsim_bind_session bind;
};

struct vsim_card {
	const struct vsim_card_ops *ops;
	void *priv;
	bool powered;
	u8 atr_len;
	u8 atr[VSIM_ATR_MAX];

	struct vsim_milenage milenage;	/* OPc; AES through the host */
	struct vsim_image_suci suci;	/* GET IDENTITY's scheme and key (suci.c) */
	struct vsim_sqn_policy sqn_policy;

	u16 file_count;
	struct vsim_file files[VSIM_IMAGE_MAX_FILES];

	/* Volatile session state: the terminal's is cleared at every power-on. */
	struct vsim_session term;
	struct vsim_session host;	/* vsim_card_exec() with privilege */
	bool in_host;			/* a privileged command runs: host */
	u8 terminal_profile[VSIM_TP_MAX];
	u8 terminal_profile_len;
	/* TERMINAL CAPABILITY (TS 102 221 §11.1.19): the A9 template's value */
	u8 terminal_cap[VSIM_TCAP_MAX];
	u8 terminal_cap_len;
	struct vsim_suspend suspend;
	struct vsim_cat cat;
	/* a command the host's slow_path deferred: how to shape its answer */
	bool slow_pending;
	struct vsim_apdu slow_apdu;	/* .data is not kept */
	struct vsim_bind_session bind;
	u16 imsi_files[2];	/* EF_IMSI under ADF.USIM and DF_GSM */

	struct vsim_card_stats stats;
	struct vsim_durable st;		/* last: cut short, see the top */
};

typedef u16 (*vsim_cmd_fn)(struct vsim_card *c, const struct vsim_apdu *a,
			   struct vsim_resp *r);

/* durable.c */
int vsim_persist(struct vsim_card *c, void *dst, const void *src, u32 len);

/* fs.c */
u16 vsim_fs_select(struct vsim_card *c, const struct vsim_apdu *a,
		   struct vsim_resp *r);
u16 vsim_fs_status(struct vsim_card *c, const struct vsim_apdu *a,
		   struct vsim_resp *r);
u16 vsim_fs_read_binary(struct vsim_card *c, const struct vsim_apdu *a,
			struct vsim_resp *r);
u16 vsim_fs_update_binary(struct vsim_card *c, const struct vsim_apdu *a,
			  struct vsim_resp *r);
u16 vsim_fs_read_record(struct vsim_card *c, const struct vsim_apdu *a,
			struct vsim_resp *r);
u16 vsim_fs_update_record(struct vsim_card *c, const struct vsim_apdu *a,
			  struct vsim_resp *r);
u16 vsim_fs_search_record(struct vsim_card *c, const struct vsim_apdu *a,
			  struct vsim_resp *r);
u16 vsim_fs_increase(struct vsim_card *c, const struct vsim_apdu *a,
		     struct vsim_resp *r);
u16 vsim_fs_activate(struct vsim_card *c, const struct vsim_apdu *a,
		     struct vsim_resp *r);
u16 vsim_fs_deactivate(struct vsim_card *c, const struct vsim_apdu *a,
		       struct vsim_resp *r);
void vsim_fs_reset_channel(struct vsim_card *c, struct vsim_channel *ch);
u16 vsim_fs_find_child(const struct vsim_card *c, u16 df, u16 fid);
u8 *vsim_fs_body(struct vsim_card *c, u16 file);

/* gsm.c: class A0 (GSM 11.11) */
u16 vsim_gsm_select(struct vsim_card *c, const struct vsim_apdu *a,
		    struct vsim_resp *r);
u16 vsim_gsm_status(struct vsim_card *c, const struct vsim_apdu *a,
		    struct vsim_resp *r);
u16 vsim_gsm_read_binary(struct vsim_card *c, const struct vsim_apdu *a,
			 struct vsim_resp *r);
u16 vsim_gsm_update_binary(struct vsim_card *c, const struct vsim_apdu *a,
			   struct vsim_resp *r);
u16 vsim_gsm_read_record(struct vsim_card *c, const struct vsim_apdu *a,
			 struct vsim_resp *r);
u16 vsim_gsm_update_record(struct vsim_card *c, const struct vsim_apdu *a,
			   struct vsim_resp *r);
u16 vsim_gsm_chv(struct vsim_card *c, const struct vsim_apdu *a,
		 struct vsim_resp *r);
u16 vsim_gsm_invalidate(struct vsim_card *c, const struct vsim_apdu *a,
			struct vsim_resp *r);
u16 vsim_gsm_rehabilitate(struct vsim_card *c, const struct vsim_apdu *a,
			  struct vsim_resp *r);
u16 vsim_gsm_sw(u16 sw);

/* access.c */
enum vsim_access_op {
	VSIM_AC_READ,
	VSIM_AC_UPDATE,
	VSIM_AC_INCREASE,
	VSIM_AC_DEACTIVATE,
	VSIM_AC_ACTIVATE,
};
#define VSIM_RULE_ALWAYS	0x00	/* else: the key reference required */
#define VSIM_RULE_NEVER		0xff
u8 vsim_access_rule(struct vsim_card *c, u16 file, enum vsim_access_op op);
bool vsim_access_allowed(struct vsim_card *c, u16 file,
			 enum vsim_access_op op, bool privileged);
bool vsim_pin_satisfied(const struct vsim_card *c, u8 key_ref);

/* pin.c */
u16 vsim_pin_verify(struct vsim_card *c, const struct vsim_apdu *a,
		    struct vsim_resp *r);
u16 vsim_pin_change(struct vsim_card *c, const struct vsim_apdu *a,
		    struct vsim_resp *r);
u16 vsim_pin_disable(struct vsim_card *c, const struct vsim_apdu *a,
		     struct vsim_resp *r);
u16 vsim_pin_enable(struct vsim_card *c, const struct vsim_apdu *a,
		    struct vsim_resp *r);
u16 vsim_pin_unblock(struct vsim_card *c, const struct vsim_apdu *a,
		     struct vsim_resp *r);
int vsim_pin_index(u8 key_ref);
bool vsim_pin_digits_ok(const u8 v[8]);

/* authenticate.c */
u16 vsim_cmd_authenticate(struct vsim_card *c, const struct vsim_apdu *a,
			  struct vsim_resp *r);
u16 vsim_cmd_run_gsm_algorithm(struct vsim_card *c, const struct vsim_apdu *a,
			       struct vsim_resp *r);

/*
 * The longest record vsim.ko carries to the agent (VSIM_EV_DATA_MAX):
 * a change longer than this is split into records that are invisible
 * until the last one commits (bertlv.c).
 */
#define VSIM_PERSIST_MAX	VSIM_CAPDU_MAX

/* fs.c: the EF a data oriented command works on (TS 102 221 §11.3) */
u16 vsim_fs_data_ef(struct vsim_card *c, const struct vsim_apdu *a, u8 sfi,
		    enum vsim_access_op op, u16 *file);

/* bertlv.c: BER-TLV EFs, RETRIEVE DATA and SET DATA (TS 102 221 §11.3) */
u16 vsim_bertlv_retrieve(struct vsim_card *c, const struct vsim_apdu *a,
			 struct vsim_resp *r);
u16 vsim_bertlv_set(struct vsim_card *c, const struct vsim_apdu *a,
		    struct vsim_resp *r);
const char *vsim_bertlv_check(const u8 *body, u32 size);
u16 vsim_bertlv_free(const u8 *body, u32 size);

/* uicc.c: TERMINAL CAPABILITY, SUSPEND UICC (TS 102 221 §11.1.19, §11.1.22) */
u16 vsim_uicc_terminal_capability(struct vsim_card *c,
				  const struct vsim_apdu *a,
				  struct vsim_resp *r);
u16 vsim_uicc_suspend(struct vsim_card *c, const struct vsim_apdu *a,
		      struct vsim_resp *r);
void vsim_uicc_power_on(struct vsim_card *c);
void vsim_uicc_command(struct vsim_card *c, const struct vsim_apdu *a);

/* suci.c: GET IDENTITY (TS 31.102 §7.5) */
u16 vsim_suci_get_identity(struct vsim_card *c, const struct vsim_apdu *a,
			   struct vsim_resp *r);
const char *vsim_suci_check_config(const struct vsim_image_suci *s);

/* cat.c: proactive UICC (TS 102 223), TERMINAL PROFILE, ENVELOPE */
u16 vsim_cat_terminal_profile(struct vsim_card *c, const struct vsim_apdu *a,
			      struct vsim_resp *r);
u16 vsim_cat_fetch(struct vsim_card *c, const struct vsim_apdu *a,
		   struct vsim_resp *r);
u16 vsim_cat_terminal_response(struct vsim_card *c, const struct vsim_apdu *a,
			       struct vsim_resp *r);
u16 vsim_cat_envelope(struct vsim_card *c, const struct vsim_apdu *a,
		      struct vsim_resp *r);
struct vsim_tp_bit {
	u8 byte;		/* 1-based, as TS 102 223 §5.2 counts */
	u8 mask;
};
bool vsim_tp_has(const struct vsim_card *c, struct vsim_tp_bit bit);
int vsim_cat_queue(struct vsim_card *c, u8 type, u8 qualifier, u8 dest,
		   const u8 *tlvs, u16 len);
u8 vsim_cat_pending_len(const struct vsim_card *c);
void vsim_cat_reset(struct vsim_card *c);
void vsim_cat_slow_done(struct vsim_card *c, u16 sw);

/* A parsed TERMINAL RESPONSE, handed to whoever queued the command. */
struct vsim_tr {
	u8 result;		/* general result, TS 102 223 §8.12 */
	const u8 *imei;		/* tag 14, 8 bytes, or NULL */
	const u8 *imeisv;	/* tag 62, 9 bytes, or NULL */
};

/* binding.c: the IMEI lock */
void vsim_binding_init(struct vsim_card *c);
void vsim_binding_power_on(struct vsim_card *c);
void vsim_binding_terminal_profile(struct vsim_card *c);
u16 vsim_binding_pli_response(struct vsim_card *c, const struct vsim_tr *tr);
void vsim_binding_count_command(struct vsim_card *c);
bool vsim_binding_gate(struct vsim_card *c);
bool vsim_binding_hides(struct vsim_card *c, u16 file);
u16 vsim_binding_admin(struct vsim_card *c, const struct vsim_apdu *a,
		       struct vsim_resp *r);
const char *vsim_binding_check_config(const struct vsim_image_binding *b);

/* The running command's session (no pointer: a card may be copied). */
static inline struct vsim_session *vsim_sess(struct vsim_card *c)
{
	return c->in_host ? &c->host : &c->term;
}

static inline struct vsim_channel *vsim_chan(struct vsim_card *c,
					     const struct vsim_apdu *a)
{
	return &vsim_sess(c)->channels[a->channel];
}

static inline u16 vsim_get16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

#endif /* VSIM_CARD_PRIV_H */
