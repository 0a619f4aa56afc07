/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The card engine's public boundary: create a card from an image, power it,
 * exchange APDUs with it. Hosts (vsim.ko, libvsimcard for vsimctl, tests)
 * supply crypto, randomness and persistence through struct vsim_card_ops.
 * No locking inside: the host serialises every call on one card.
 * docs/engine.md is the long form of this header.
 */
#ifndef VSIM_CARD_H
#define VSIM_CARD_H

#include "port.h"
#include <linux/vsim.h>	/* the image format, VSIM_CAPDU_MAX, VSIM_RAPDU_MAX */

struct vsim_card;

/*
 * A change to durable state, reported before the engine applies it: bytes
 * [offset, offset + len) of the durable blob (vsim_card_state()) are about
 * to become @data. The engine applies the change only when persist() returns
 * 0; otherwise the command fails with 6581 and nothing changes.
 */
struct vsim_persist {
	u32 offset;
	u32 len;
	const u8 *data;
};

struct vsim_card_ops {
	/* Load the AES-128 key used by every later aes128_encrypt() call. */
	int (*aes128_setkey)(void *priv, const u8 key[16]);
	/* Encrypt one block with the key from aes128_setkey(). */
	void (*aes128_encrypt)(void *priv, const u8 in[16], u8 out[16]);
	/* Fill @buf with unpredictable bytes (GET CHALLENGE). */
	void (*get_random)(void *priv, u8 *buf, size_t len);
	/* Make a change durable; 0 when committed, negative errno otherwise. */
	int (*persist)(void *priv, const struct vsim_persist *rec);
	/*
	 * Optional: answer a command the card leaves to the agent (ENVELOPE
	 * SMS-PP download, menu selection, the events Data available and
	 * Channel status, the TERMINAL RESPONSE to a command queued with
	 * VSIM_PROACTIVE_F_RESPONSE). Returns the R-APDU length, 0
	 * when no agent is there (the card then answers 9300, busy), or
	 * VSIM_SLOW_DEFERRED: the answer will come by vsim_card_slow_done().
	 */
	size_t (*slow_path)(void *priv, const u8 *capdu, size_t len, u8 *rapdu);
	/*
	 * Optional: ECIES for GET IDENTITY (TS 33.501 Annex C.3): conceal
	 * @plain (the MSIN, BCD) for the home network key @hn_key with a fresh
	 * ephemeral key pair of @scheme (VSIM_SUCI_PROFILE_A: X25519, _B:
	 * secp256r1, compressed), writing ephemeral public key || ciphertext
	 * || 8-byte MAC to @out (@max bytes). Returns the length written or a
	 * negative errno; -EOPNOTSUPP, or no op at all, answers 6A81. Profile
	 * B keys come uncompressed (65 bytes).
	 */
	int (*ecies_conceal)(void *priv, u8 scheme, const u8 *hn_key,
			     size_t hn_len, const u8 *plain, size_t plain_len,
			     u8 *out, size_t max);
};

#define VSIM_SLOW_DEFERRED	((size_t)-1)

/*
 * Bytes the host must provide (zeroed or not) for a card built from
 * @image: a fixed part (about 8.5 KiB) and the image's EF data. For NULL,
 * or anything too short or too big to be an image, the largest card's size
 * (any image fits; vsim_card_init() refuses the image itself).
 */
size_t vsim_card_size(const void *image, size_t len);

/*
 * Check an image completely without building anything. Returns 0 or
 * -EINVAL, and sets *why to a static string naming the first problem.
 */
int vsim_image_check(const void *image, size_t len, const char **why);

/*
 * Build a card in @card (@size bytes, at least vsim_card_size(@image)) from
 * an image, checked here. The card starts powered off with its durable
 * state taken from the image. After any call, successful or not,
 * vsim_card_wipe() is safe.
 */
int vsim_card_init(struct vsim_card *card, size_t size, const void *image,
		   size_t len, const struct vsim_card_ops *ops, void *priv,
		   const char **why);

/*
 * Zeroise keys, PINs and buffers (the card's vsim_card_size() bytes); the
 * card is unusable afterwards.
 */
void vsim_card_wipe(struct vsim_card *card);

/* The durable blob: what a host stores and later hands to load_state. */
const u8 *vsim_card_state(const struct vsim_card *card, size_t *len);
/* Replace durable state with a stored blob; -EINVAL if it does not fit. */
int vsim_card_load_state(struct vsim_card *card, const void *blob, size_t len);

/* Cold reset: clears security status and channels, returns the ATR length. */
size_t vsim_card_power_on(struct vsim_card *card, u8 *atr, size_t max);
void vsim_card_power_off(struct vsim_card *card);
bool vsim_card_powered(const struct vsim_card *card);

/*
 * One C-APDU in, one R-APDU out (data then SW1 SW2). @rapdu must hold
 * VSIM_RAPDU_MAX bytes. Returns the R-APDU length, always >= 2: every
 * input, however malformed, gets a status word. The one exception is 0:
 * the host's slow_path deferred the command, and the host must call
 * vsim_card_slow_done() before any other terminal command (it may run
 * vsim_card_exec() with privilege and vsim_card_queue_proactive() first).
 */
size_t vsim_card_transact(struct vsim_card *card, const u8 *capdu, size_t len,
			  u8 *rapdu);

/*
 * Complete the deferred command with the agent's R-APDU @answer (data,
 * SW1, SW2; 2..VSIM_RAPDU_MAX bytes), shaped like any answer (61xx, 91xx).
 * NULL: the agent did not answer in time, 6F00. A malformed answer is
 * 9300. With no command deferred (a power cycle came between), 6F00.
 * Returns the R-APDU length in @rapdu (VSIM_RAPDU_MAX bytes).
 */
size_t vsim_card_slow_done(struct vsim_card *card, const u8 *answer,
			   size_t len, u8 *rapdu);
/* A deferred command waits for vsim_card_slow_done(). */
bool vsim_card_slow_pending(const struct vsim_card *card);

/*
 * The APDU case (1..4, ISO 7816-3 §12.1.2) of a command from the engine's
 * own command tables, or 0 for a class or instruction the card does not
 * know. Needs no card: T=0 readers ask it after a TPDU header.
 */
int vsim_card_apdu_case(u8 cla, u8 ins);

/* The binding check, for sysfs and vsimctl: words, never the IMEI itself. */
struct vsim_binding_info {
	const char *mode;	/* off, first-terminal, imei, pattern */
	bool bound;		/* first-terminal: a terminal is bound */
	const char *session;	/* this power cycle: pending, allowed, refused */
	const char *reason;	/* why, in a few words */
};
void vsim_card_binding_info(const struct vsim_card *card,
			    struct vsim_binding_info *info);

/*
 * An APDU from the host rather than the terminal. With @privileged it runs
 * with ADM rights in a session of its own, as an OTA interpreter does
 * (TS 102 226): own channel 0, verified PINs and GET RESPONSE data; the
 * terminal's channels, selection, PINs, kept data and power state are
 * untouched; powered or not; MANAGE CHANNEL is 6881; case-4 answers come
 * whole, without 61xx, when Le is absent. Without, vsim_card_transact().
 */
size_t vsim_card_exec(struct vsim_card *card, const u8 *capdu, size_t len,
		      u8 *rapdu, bool privileged);

/*
 * Queue a proactive command from the host (TS 102 223 §6.6): command
 * details {number, @type, @qualifier} and device identities {UICC, @dest}
 * are the card's; @tlvs (COMPREHENSION-TLVs, checked for shape) follow.
 * The terminal learns of it by 91xx. 0, -EINVAL (malformed @tlvs) or
 * -ENOSPC (queue full, or longer than a FETCH can carry).
 */
int vsim_card_queue_proactive(struct vsim_card *card, u8 type, u8 qualifier,
			      u8 dest, const u8 *tlvs, size_t len);

/*
 * The same, for a command only a terminal that declares it in TERMINAL
 * PROFILE may see (TS 102 223 §5.2; SET UP MENU at power-on): set aside,
 * out of the queue (one; a newer offer replaces it), until this power
 * cycle's TERMINAL PROFILE, then queued, or dropped when the profile lacks
 * its bit. -EOPNOTSUPP when the profile already came without it, -EINVAL
 * for a type without a profile bit (§5.2 bytes 3 and 4), else as
 * vsim_card_queue_proactive().
 */
int vsim_card_offer_proactive(struct vsim_card *card, u8 type, u8 qualifier,
			      u8 dest, const u8 *tlvs, size_t len);

/*
 * Either of the above, or more, by VSIM_PROACTIVE_F_* @flags
 * (linux/vsim.h): F_PROFILE as vsim_card_offer_proactive(); F_RESPONSE:
 * the TERMINAL RESPONSE goes to the host's slow_path (80 14 ...) and
 * ends the command when it answers 90xx (-EOPNOTSUPP without a
 * slow_path); F_DECLARED: -EOPNOTSUPP unless this power cycle's TERMINAL
 * PROFILE declares the command. -EINVAL for unknown flags or F_PROFILE
 * with F_DECLARED.
 */
int vsim_card_proactive(struct vsim_card *card, u8 type, u8 qualifier,
			u8 dest, const u8 *tlvs, size_t len, u32 flags);

/* Counters for sysfs and benchmarks. */
struct vsim_card_stats {
	u64 apdus;
	u64 auth_ok;
	u64 auth_fail;
};
void vsim_card_get_stats(const struct vsim_card *card, struct vsim_card_stats *st);

#endif /* VSIM_CARD_H */
