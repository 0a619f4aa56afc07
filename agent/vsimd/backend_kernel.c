// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsimd's kernel backend: the card lives in vsim.ko (docs/uapi.md). The
 * card is created through /dev/vsimx VSIM_IOC_NEW_CARD; a thread per card
 * reads the card fd and acks each VSIM_EV_PERSIST record only after the
 * store committed it ("durable before 9000": the terminal's TRANSMIT waits
 * for that ack), and answers the card's VSIM_EV_SLOW_APDU records with the
 * card's OTA side (docs/ota.md); the vpcd bridge drives the terminal side
 * /dev/vsimN, unless the card's terminal is external (another program,
 * e.g. vsim-modem --device, opens it: vsim.ko admits one opener).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/apdu_sw.h"
#include "common/kernel_wrote.h"
#include "common/log.h"
#include "ota/host.h"
#include "vsimd/config.h"
#include "vsimd/vsimd.h"

/* A VSIM_EV_SLOW_APDU record: the C-APDU the terminal waits on. */
struct slow_cmd {
	uint64_t seq;
	size_t len;
	uint8_t capdu[VSIM_CAPDU_MAX];
};

struct kcard {
	int card_fd;		/* the agent side (O_NONBLOCK); the card lives while it is open */
	int term_fd;		/* /dev/vsimN; -1 when the terminal is external */
	int stop_fd;		/* eventfd: tells the thread to leave */
	unsigned int index;
	pthread_t thread;
	int thread_started;
	struct vsimd_card *c;
	/*
	 * The OTA side (VSIM_NEW_CARD_F_SLOW_PATH): the thread serves the
	 * card's slow path with it, vsimd's main thread `vsimctl app
	 * request`; ota_lock keeps them apart.
	 */
	bool ota_on;
	struct ota_host ota;
	pthread_mutex_t ota_lock;
	/* a slow-path record read while another was served: served next */
	bool has_next;
	struct slow_cmd next;
};

static int get_state(int fd, uint8_t **blob, size_t *len)
{
	struct vsim_state st = { .size = sizeof(st) };
	uint8_t *buf;

	if (ioctl(fd, VSIM_IOC_GET_STATE, &st) && errno != ENOSPC)
		return -1;
	buf = malloc(st.len ? st.len : 1);
	if (!buf)
		return -1;
	st.buf = (uintptr_t)buf;
	if (ioctl(fd, VSIM_IOC_GET_STATE, &st)) {
		free(buf);
		return -1;
	}
	KERNEL_WROTE(buf, st.len);
	*blob = buf;
	*len = st.len;
	return 0;
}

/* The card's own state becomes the stored one again. 0 or -1. */
static int resync(struct kcard *k)
{
	uint8_t *blob;
	size_t len;
	int ret;

	if (get_state(k->card_fd, &blob, &len))
		return -1;
	ret = vsim_store_set_state(k->c->d->store, k->c->id, blob, len);
	explicit_bzero(blob, len);
	free(blob);
	return ret;
}

/*
 * VSIM_EV_PERSIST: commit, then ack when the card waits for it. Records
 * of the agent's own VSIM_IOC_EXEC carry no ack flag: the card applied
 * them already. 0, or -1 when such a change could not be made durable.
 */
static int on_persist(struct kcard *k, const struct vsim_event *ev,
		      const uint8_t *data)
{
	struct vsimd_card *c = k->c;
	struct vsim_ack ack = { .seq = ev->seq };

	if (vsim_store_persist(c->d->store, c->id, ev->offset, ev->len, data)) {
		ack.status = -EIO;
		__atomic_fetch_add(&c->persist_failures, 1, __ATOMIC_RELAXED);
		if (ev->flags & VSIM_EV_F_ACK) {
			log_err("card %s: cannot commit a change to the store; the card answers 6581",
				c->name);
		} else {
			log_err("card %s: cannot commit a change the card made; resynchronising the store",
				c->name);
			return resync(k);
		}
	} else {
		__atomic_fetch_add(&c->persists, 1, __ATOMIC_RELAXED);
	}
	if (!(ev->flags & VSIM_EV_F_ACK))
		return 0;
	if (write(k->card_fd, &ack, sizeof(ack)) != sizeof(ack)) {
		/*
		 * ENOENT: the card stopped waiting (timeout) and did not
		 * apply the change we committed: take the card's own state
		 * as the truth again.
		 */
		log_err("card %s: ack %llu refused: %s; resynchronising the store",
			c->name, (unsigned long long)ack.seq, strerror(errno));
		resync(k);
	}
	return 0;
}

/*
 * One record just read (@n bytes in @buf). A slow-path record is copied
 * to @slow (and *@has_slow set) for the caller to serve. Returns 0, or -1
 * when a change the card made could not be committed.
 */
static int on_record(struct kcard *k, const uint8_t *buf, size_t n,
		     struct slow_cmd *slow, bool *has_slow)
{
	const struct vsim_event *ev = (const void *)buf;
	const uint8_t *data = buf + sizeof(*ev);
	struct vsimd_card *c = k->c;

	if (n < sizeof(*ev) || ev->len > n - sizeof(*ev)) {
		log_err("card %s: card fd: a record of %zu bytes, malformed; skipped",
			c->name, n);
		return 0;
	}
	if (ev->flags & VSIM_EV_F_LOST) {
		/* changes may be among them: the card's state is the truth */
		log_warn("card %s: the module dropped event records; resynchronising the store",
			 c->name);
		if (resync(k))
			log_err("card %s: cannot resynchronise the store", c->name);
	}
	switch (ev->type) {
	case VSIM_EV_POWER:
		log_debug("card %s: power event %u", c->name, ev->arg);
		/*
		 * The card's toolkit offers its applications (docs/ota.md),
		 * held for the terminal's profile. A terminal quicker than
		 * this record whose profile lacks SET UP MENU refuses it.
		 */
		if (ev->arg != VSIM_POWER_OFF && k->ota_on && k->ota.card.nmenu) {
			pthread_mutex_lock(&k->ota_lock);
			if (ota_card_set_up_menu(&k->ota.card, true))
				log_debug("card %s: SET UP MENU not offered",
					  c->name);
			pthread_mutex_unlock(&k->ota_lock);
		}
		return 0;
	case VSIM_EV_PERSIST:
		return on_persist(k, ev, data);
	case VSIM_EV_SLOW_APDU:
		if (ev->len > sizeof(slow->capdu)) {
			log_err("card %s: slow-path record of %u bytes, longer than a C-APDU",
				c->name, ev->len);
			slow->len = 0;	/* answered 6F00 */
		} else {
			memcpy(slow->capdu, data, ev->len);
			slow->len = ev->len;
		}
		/* vsim.ko waits for one seq at a time: a newer one wins */
		slow->seq = ev->seq;
		*has_slow = true;
		return 0;
	default:
		log_debug("card %s: record type %u ignored", c->name, ev->type);
		return 0;
	}
}

/*
 * Commit every record the card has queued so far: the VSIM_EV_PERSIST
 * records of the OTA code's VSIM_IOC_EXEC must be durable before the
 * slow-path answer (docs/ota.md). 0, or -1 when one could not be.
 */
static int drain(struct kcard *k, uint8_t *buf)
{
	int ret = 0;

	for (;;) {
		ssize_t n = read(k->card_fd, buf, VSIM_EVENT_MAX);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return ret;
		if (n <= 0) {
			log_err("card %s: card fd: %s", k->c->name,
				n < 0 ? strerror(errno) : "end of file");
			return -1;
		}
		if (on_record(k, buf, (size_t)n, &k->next, &k->has_next))
			ret = -1;
	}
}

/*
 * A VSIM_EV_SLOW_APDU record: ENVELOPE SMS-PP download or MENU SELECTION
 * (80 C2 00 00 Lc data) for the OTA side, its changes committed, then
 * VSIM_IOC_SLOW_ANSWER. The terminal's TRANSMIT waits for it.
 */
static void serve_slow(struct kcard *k, const struct slow_cmd *s, uint8_t *buf)
{
	struct vsimd_card *c = k->c;
	uint8_t r[VSIM_RAPDU_MAX];
	struct vsim_slow_answer a = {
		.size = sizeof(a),
		.seq = s->seq,
		.rapdu = (uintptr_t)r,
	};
	size_t rlen = 0;

	if (s->len < 5 || s->len != 5u + s->capdu[4]) {
		log_err("card %s: slow-path record %llu: not a C-APDU with Lc data (%zu bytes); answering 6F00",
			c->name, (unsigned long long)s->seq, s->len);
		rlen = apdu_put_sw(r, 0x6f00);
	} else if (k->ota_on) {
		pthread_mutex_lock(&k->ota_lock);
		rlen = ota_card_slow_path(&k->ota.card, s->capdu, s->len, r);
		pthread_mutex_unlock(&k->ota_lock);
	}
	/* no OTA, or not one for it: TS 102 221 §10.2.1.1 toolkit busy */
	if (rlen < 2 || rlen > VSIM_RAPDU_MAX)
		rlen = apdu_put_sw(r, 0x9300);
	if (drain(k, buf)) {
		/* durable before 9000: the terminal must not see success */
		log_err("card %s: the OTA command's changes are not in the store; answering 6581",
			c->name);
		rlen = apdu_put_sw(r, 0x6581);
	}
	a.rapdu_len = (uint32_t)rlen;
	while (ioctl(k->card_fd, VSIM_IOC_SLOW_ANSWER, &a)) {
		if (errno == EINTR)
			continue;
		if (errno == ENOENT)
			log_warn("card %s: slow-path answer %llu too late (the terminal got 6F00)",
				 c->name, (unsigned long long)s->seq);
		else
			log_err("card %s: VSIM_IOC_SLOW_ANSWER: %s", c->name,
				strerror(errno));
		break;
	}
	explicit_bzero(r, sizeof(r));
}

/* The card fd's records (docs/uapi.md "The card fd"). */
static void *kcard_thread(void *arg)
{
	struct kcard *k = arg;
	struct vsimd_card *c = k->c;
	uint8_t *buf = malloc(VSIM_EVENT_MAX);
	struct slow_cmd slow;
	bool has_slow;

	if (!buf) {
		log_err("card %s: out of memory in the event thread", c->name);
		return NULL;
	}
	for (;;) {
		struct pollfd pfd[2] = { { k->card_fd, POLLIN, 0 },
					 { k->stop_fd, POLLIN, 0 } };
		ssize_t n;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents)
			break;
		n = read(k->card_fd, buf, VSIM_EVENT_MAX);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			log_err("card %s: card fd: %s", c->name,
				n < 0 ? strerror(errno) : "end of file");
			break;
		}
		has_slow = false;
		on_record(k, buf, (size_t)n, &slow, &has_slow);
		while (has_slow) {
			serve_slow(k, &slow, buf);
			/* one may have come while this one was served */
			has_slow = k->has_next;
			slow = k->next;
			k->has_next = false;
		}
	}
	explicit_bzero(buf, VSIM_EVENT_MAX);
	free(buf);
	return NULL;
}

static void kernel_close(struct vsimd_card *c)
{
	struct kcard *k = c->priv;
	uint64_t one = 1;

	if (!k)
		return;
	if (k->thread_started) {
		if (write(k->stop_fd, &one, sizeof(one)) != sizeof(one))
			log_err("card %s: cannot stop its event thread", c->name);
		pthread_join(k->thread, NULL);
	}
	if (k->term_fd >= 0)
		close(k->term_fd);
	if (k->card_fd >= 0)
		close(k->card_fd);	/* removes /dev/vsimN, wipes the card */
	if (k->stop_fd >= 0)
		close(k->stop_fd);
	ota_host_close(&k->ota);	/* wipes the OTA keys */
	pthread_mutex_destroy(&k->ota_lock);
	explicit_bzero(&k->next, sizeof(k->next));
	free(k);
	c->priv = NULL;
}

/*
 * VSIM_IOC_NEW_CARD; a card with an OTA side asks for the slow path. A
 * module without it (-EOPNOTSUPP: unknown flag) still gets the card,
 * whose ENVELOPEs then answer 9300. 0 or -1 with errno.
 */
static int new_card(struct kcard *k, int ctl, struct vsim_new_card *nc)
{
	if (k->ota_on)
		nc->flags |= VSIM_NEW_CARD_F_SLOW_PATH;
	if (!ioctl(ctl, VSIM_IOC_NEW_CARD, nc))
		return 0;
	if (!k->ota_on || errno != EOPNOTSUPP)
		return -1;
	log_warn("card %s: this vsim.ko has no slow path: OTA is not served (ENVELOPE answers 9300)",
		 k->c->name);
	k->ota_on = false;
	ota_host_close(&k->ota);
	nc->flags &= ~VSIM_NEW_CARD_F_SLOW_PATH;
	return ioctl(ctl, VSIM_IOC_NEW_CARD, nc);
}

static int kernel_open(struct vsimd_card *c, const struct vsim_store_card *row,
		       char *err, size_t errlen)
{
	struct vsim_new_card nc = { .size = sizeof(nc) };
	struct kcard *k = calloc(1, sizeof(*k));
	char path[64], db[PATH_MAX + 16];
	uint8_t *blob = NULL;
	size_t len = 0;
	int ctl, fl;

	if (!k) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	k->card_fd = k->term_fd = k->stop_fd = -1;
	k->c = c;
	pthread_mutex_init(&k->ota_lock, NULL);
	c->priv = k;
	/* the OTA side first: it decides whether the card has a slow path */
	snprintf(db, sizeof(db), "%s/%s", c->d->cfg->state_dir, VSIM_STORE_FILE);
	if (ota_host_open_kernel(&k->ota, db, row->id, err, errlen))
		goto err;
	k->ota_on = k->ota.prof.present;
	ctl = open("/dev/vsimx", O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		snprintf(err, errlen, "/dev/vsimx: %s (is vsim.ko loaded?)",
			 strerror(errno));
		goto err;
	}
	nc.image = (uintptr_t)row->image;
	nc.image_len = (uint32_t)row->image_len;
	/* a stored card comes back with its state (UAPI: NEW_CARD size 48) */
	nc.state = (uintptr_t)row->state;
	nc.state_len = row->state ? (uint32_t)row->state_len : 0;
	if (new_card(k, ctl, &nc)) {
		snprintf(err, errlen, "VSIM_IOC_NEW_CARD: %s%s", strerror(errno),
			 errno == EINVAL && row->state ?
			 " (stored state refused by vsim.ko)" : "");
		close(ctl);
		goto err;
	}
	close(ctl);
	k->card_fd = nc.fd;
	k->index = nc.index;
	c->dev_index = (int)nc.index;
	k->ota.card_fd = nc.fd;
	/* the thread polls; a drain before a slow-path answer must not block */
	fl = fcntl(k->card_fd, F_GETFL);
	if (fl < 0 || fcntl(k->card_fd, F_SETFL, fl | O_NONBLOCK)) {
		snprintf(err, errlen, "card fd: O_NONBLOCK: %s", strerror(errno));
		goto err;
	}
	if (get_state(k->card_fd, &blob, &len)) {
		snprintf(err, errlen, "VSIM_IOC_GET_STATE: %s", strerror(errno));
		goto err;
	}
	/* a row always holds its blob (cards.c): none is damage, not a start */
	if (!row->state || row->state_len != len ||
	    memcmp(row->state, blob, len)) {
		/* the module must hold exactly what the store holds */
		snprintf(err, errlen,
			 "vsim.ko did not restore the stored state (%zu bytes stored, %zu in the card)",
			 row->state_len, len);
		goto err_blob;
	}
	explicit_bzero(blob, len);
	free(blob);
	blob = NULL;
	k->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (k->stop_fd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		goto err;
	}
	/* an external terminal: /dev/vsimN stays free for its one opener */
	snprintf(path, sizeof(path), "/dev/vsim%u", k->index);
	if (!c->external) {
		k->term_fd = open(path, O_RDWR | O_CLOEXEC);
		if (k->term_fd < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto err;
		}
	}
	if (pthread_create(&k->thread, NULL, kcard_thread, k)) {
		snprintf(err, errlen, "cannot start the card's event thread");
		goto err;
	}
	k->thread_started = 1;
	if (k->ota_on)
		log_info("card %s: OTA served by the agent", c->name);
	return 0;

err_blob:
	explicit_bzero(blob, len);
	free(blob);
err:
	kernel_close(c);
	return -1;
}

static int kernel_power_on(struct vsimd_card *c, uint8_t atr[VSIM_ATR_MAX])
{
	struct kcard *k = c->priv;
	struct vsim_atr a = { .size = sizeof(a) };

	if (ioctl(k->term_fd, VSIM_IOC_POWER_ON, &a) || a.len > VSIM_ATR_MAX)
		return -1;
	memcpy(atr, a.atr, a.len);
	return (int)a.len;
}

static void kernel_power_off(struct vsimd_card *c)
{
	struct kcard *k = c->priv;

	if (ioctl(k->term_fd, VSIM_IOC_POWER_OFF))
		log_warn("card %s: power off: %s", c->name, strerror(errno));
}

static int kernel_transmit(struct vsimd_card *c, const uint8_t *capdu,
			   size_t clen, uint8_t rapdu[VSIM_RAPDU_MAX],
			   size_t *rlen)
{
	struct kcard *k = c->priv;
	struct vsim_transmit t = {
		.size = sizeof(t),
		.capdu = (uintptr_t)capdu,
		.rapdu = (uintptr_t)rapdu,
		.capdu_len = (uint32_t)clen,
		.rapdu_max = VSIM_RAPDU_MAX,
	};

	while (ioctl(k->term_fd, VSIM_IOC_TRANSMIT, &t)) {
		if (errno == EINTR)
			continue;	/* the command had no effect: resend */
		if (errno == EIO) {
			/* powered off: the answer the engine gives then (6F00) */
			rapdu[0] = 0x6F;
			rapdu[1] = 0x00;
			*rlen = 2;
			return 0;
		}
		log_err("card %s: VSIM_IOC_TRANSMIT: %s", c->name,
			strerror(errno));
		return -1;
	}
	KERNEL_WROTE(rapdu, t.rapdu_len);
	*rlen = t.rapdu_len;
	return 0;
}

static int kernel_stats(struct vsimd_card *c, uint64_t *apdus,
			uint64_t *auth_ok, uint64_t *auth_fail)
{
	struct kcard *k = c->priv;
	struct vsim_stats st = { .size = sizeof(st) };

	if (ioctl(k->card_fd, VSIM_IOC_GET_STATS, &st))
		return -1;
	*apdus = st.apdus;
	*auth_ok = st.auth_ok;
	*auth_fail = st.auth_fail;
	return 0;
}

static int kernel_app_request(struct vsimd_card *c, const char *app,
			      char *err, size_t errlen)
{
	struct kcard *k = c->priv;
	int ret;

	/* without an OTA side (or its slow path) the profile reads as none */
	pthread_mutex_lock(&k->ota_lock);
	ret = ota_host_choose(&k->ota, app, err, errlen);
	pthread_mutex_unlock(&k->ota_lock);
	return ret;
}

const struct vsimd_backend vsimd_backend_kernel = {
	.name = "kernel",
	.open = kernel_open,
	.close = kernel_close,
	.power_on = kernel_power_on,
	.power_off = kernel_power_off,
	.transmit = kernel_transmit,
	.stats = kernel_stats,
	.app_request = kernel_app_request,
};
