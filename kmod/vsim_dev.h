/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vsim.ko's insides: one struct vsim_dev per card, shared by the control
 * device (vsim_ctl.c, creation), the terminal side (vsim_term.c) and the
 * agent's card fd (vsim_cardfd.c). The engine (kmod/card/) sits behind
 * dev->lock and knows nothing of any of this.
 *
 * Lock order: vsim_devs_lock (global mutex: the index -> card map)
 *             before dev->term_lock (mutex: one terminal command at a
 *             time, held while the agent answers a slow-path command),
 *             before dev->lock (mutex: the engine, the terminal's buffers;
 *             user memory is copied before or after, never under it),
 *             before dev->read_lock (mutex: one event reader at a time),
 *             before dev->ev_lock (spinlock: the event queue and ack
 *             state; innermost, never held while sleeping or copying to
 *             or from userspace).
 */
#ifndef VSIM_DEV_H
#define VSIM_DEV_H

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <crypto/aes.h>
#include <linux/vsim.h>

#include "card/vsim_card.h"

/*
 * Minors of /dev/vsimN reserved at load; the module parameter max_cards
 * (vsim_max_cards()) says how many cards may exist at once, up to this.
 */
#define VSIM_MINORS		65536
/*
 * The agent's queue, per card: at most VSIM_EVQ_MAX records of at most
 * VSIM_EV_DATA_MAX bytes each (docs/uapi.md states the ceiling).
 */
#define VSIM_EVQ_MAX		1024
#define VSIM_EV_DATA_MAX	VSIM_CAPDU_MAX	/* a slow-path C-APDU */
#define VSIM_ICCID_MAX		20	/* digits, TS 102 221 §13.2 */

/* One queued record for the agent: the UAPI header, then its data. */
struct vsim_ev {
	struct list_head node;
	struct vsim_event hdr;
	u8 data[];
};

struct vsim_dev {
	struct kref ref;		/* terminal opens + the card fd */
	int index;			/* N of /dev/vsimN */
	u32 flags;			/* VSIM_NEW_CARD_F_* */
	struct device *tdev;		/* /dev/vsimN, NULL once removed */
	char iccid[VSIM_ICCID_MAX + 1];	/* from the image's EF_ICCID */
	u8 atr_len;			/* from the image: GET_ATR at any time */
	u8 atr[VSIM_ATR_MAX];

	/*
	 * Set once, when the card fd closes. Readers outside dev->lock use
	 * READ_ONCE; waiters on ack_wait and term_wait are woken.
	 */
	bool dead;

	/*
	 * Serialises the terminal's commands. A command left to the agent
	 * (slow path) holds it but not dev->lock while it waits, so the
	 * agent's VSIM_IOC_EXEC can run and no other terminal command can.
	 */
	struct mutex term_lock;

	/* protects engine, aes, the terminal's buffers and the fields below */
	struct mutex lock;
	struct vsim_card *engine;	/* vmalloc()ed, engine_size bytes */
	size_t engine_size;		/* vsim_card_size() of the image */
	struct crypto_aes_ctx aes;	/* K, expanded: wiped on free */
	int persist_err;		/* last persist() failure in this call */
	bool in_exec;			/* the agent's own VSIM_IOC_EXEC: no ack wait */
	u8 rapdu[VSIM_RAPDU_MAX];	/* the R-APDU waiting for read() */
	u16 pending_len;		/* its length, 0 = none */

	/* Terminal side. */
	unsigned long term_flags;
#define VSIM_TERM_OPEN		0	/* bit: /dev/vsimN has its one opener */
	wait_queue_head_t term_wait;	/* poll() on /dev/vsimN */

	/* Agent side: the queue and the one record waiting for an ack. */
	struct mutex read_lock;		/* one reader of the card fd at a time */
	spinlock_t ev_lock;		/* protects the fields below */
	struct list_head events;
	unsigned int ev_count;
	/* a record read() took off and is copying out: still counted */
	bool ev_inflight;
	u64 seq;			/* last record number handed out */
	u64 wait_seq;			/* record awaiting an ack, 0 = none */
	u64 acked_seq;			/* last record acknowledged */
	int ack_status;			/* the agent's verdict on acked_seq */
	u64 events_lost;
	bool lost_pending;		/* flag the next record VSIM_EV_F_LOST */
	/*
	 * The waited-for records while still queued (NULL once a reader has
	 * taken them): a wait that ends without an answer withdraws its
	 * record, so abandoned records never pile up.
	 */
	struct vsim_ev *wait_ev;
	struct vsim_ev *slow_ev;
	wait_queue_head_t ev_wait;	/* readers of the card fd */
	wait_queue_head_t ack_wait;	/* persist() waiting for an ack */

	/* Slow path (ev_lock): the record the terminal waits on, its answer. */
	u64 slow_seq;			/* VSIM_EV_SLOW_APDU awaited, 0 = none */
	u16 slow_len;			/* answer's length, 0 = none yet */
	u8 slow_answer[VSIM_RAPDU_MAX];
	wait_queue_head_t slow_wait;	/* the terminal waiting for it */
};

/* vsim_main.c */
extern struct class *vsim_class;
extern dev_t vsim_devt;
extern struct mutex vsim_devs_lock;
extern struct idr vsim_devs;
unsigned int vsim_persist_timeout_ms(void);
unsigned int vsim_slow_timeout_ms(void);
unsigned int vsim_max_cards(void);

/* vsim_ctl.c */
int vsim_ctl_init(void);
void vsim_ctl_exit(void);
void vsim_dev_put(struct vsim_dev *dev);
void vsim_dev_destroy(struct vsim_dev *dev);

/* vsim_term.c */
int vsim_term_init(void);
void vsim_term_exit(void);
extern const struct attribute_group *vsim_term_groups[];

/* vsim_cardfd.c */
extern const struct file_operations vsim_cardfd_fops;
extern const struct vsim_card_ops vsim_engine_ops;

/* vsim_ecies.c: SUCI's ECIES (TS 33.501 Annex C.3) for GET IDENTITY */
void vsim_ecies_init(void);
void vsim_ecies_exit(void);
int vsim_ecies_conceal(void *priv, u8 scheme, const u8 *hn, size_t hn_len,
		       const u8 *plain, size_t plain_len, u8 *out, size_t max);
void vsim_event_power(struct vsim_dev *dev, u32 what);
void vsim_events_free(struct vsim_dev *dev);
void vsim_ev_withdraw(struct vsim_dev *dev, struct vsim_ev **slot);

#endif /* VSIM_DEV_H */
