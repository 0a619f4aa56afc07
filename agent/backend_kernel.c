// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsimd's kernel backend: the card lives in vsim.ko (docs/uapi.md). The
 * card is created through /dev/vsimx VSIM_IOC_NEW_CARD; a thread per card
 * reads the card fd and acks each VSIM_EV_PERSIST record only after the
 * store committed it ("durable before 9000": the terminal's TRANSMIT waits
 * for that ack); the vpcd bridge drives the terminal side /dev/vsimN.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "log.h"
#include "vsimd.h"

/*
 * vsim.ko writes through pointers inside its ioctl structs (the R-APDU of
 * VSIM_IOC_TRANSMIT, the blob of VSIM_IOC_GET_STATE). Valgrind's memcheck
 * takes an unknown ioctl's struct from the _IOWR size in its number but
 * cannot know what the struct points to, so it would call those bytes
 * uninitialised at their first use (found running tests/cardem/vm.sh with
 * VSIM_CARDEM_VALGRIND=1). Its client request VALGRIND_MAKE_MEM_DEFINED
 * (valgrind manual, "Client Requests") says what the kernel wrote; it is a
 * few no-op instructions outside valgrind, and absent without the header.
 */
#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define KERNEL_WROTE(p, n)	((void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#endif
#endif
#ifndef KERNEL_WROTE
#define KERNEL_WROTE(p, n)	((void)(p), (void)(n))
#endif

struct kcard {
	int card_fd;		/* the agent side; the card lives while it is open */
	int term_fd;		/* /dev/vsimN */
	int stop_fd;		/* eventfd: tells the thread to leave */
	unsigned int index;
	pthread_t thread;
	int thread_started;
	struct vsimd_card *c;
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

/* The card fd's records: commit, then ack (docs/uapi.md "The card fd"). */
static void *kcard_thread(void *arg)
{
	struct kcard *k = arg;
	struct vsimd_card *c = k->c;
	uint8_t *buf = malloc(VSIM_EVENT_MAX);

	if (!buf) {
		log_err("card %s: out of memory in the event thread", c->name);
		return NULL;
	}
	for (;;) {
		struct pollfd pfd[2] = { { k->card_fd, POLLIN, 0 },
					 { k->stop_fd, POLLIN, 0 } };
		struct vsim_event *ev = (void *)buf;
		struct vsim_ack ack = { 0 };
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
		if (n < (ssize_t)sizeof(*ev)) {
			log_err("card %s: card fd: %s", c->name,
				n < 0 ? strerror(errno) : "short record");
			break;
		}
		if (ev->flags & VSIM_EV_F_LOST)
			log_warn("card %s: the module dropped event records",
				 c->name);
		if (ev->type == VSIM_EV_POWER) {
			log_debug("card %s: power event %u", c->name, ev->arg);
			continue;
		}
		if (ev->type != VSIM_EV_PERSIST)
			continue;
		if (sizeof(*ev) + ev->len > (size_t)n) {
			log_err("card %s: persist record longer than its read", c->name);
			break;
		}
		ack.seq = ev->seq;
		if (vsim_store_persist(c->d->store, c->id, ev->offset, ev->len,
				       buf + sizeof(*ev))) {
			ack.status = -EIO;
			__atomic_fetch_add(&c->persist_failures, 1, __ATOMIC_RELAXED);
			log_err("card %s: cannot commit a change to the store; the card answers 6581",
				c->name);
		} else {
			__atomic_fetch_add(&c->persists, 1, __ATOMIC_RELAXED);
		}
		if (!(ev->flags & VSIM_EV_F_ACK))
			continue;
		if (write(k->card_fd, &ack, sizeof(ack)) != sizeof(ack)) {
			/*
			 * ENOENT: the card stopped waiting (timeout) and did
			 * not apply the change we committed: take the card's
			 * own state as the truth again.
			 */
			uint8_t *blob;
			size_t len;

			log_err("card %s: ack %llu refused: %s; resynchronising the store",
				c->name, (unsigned long long)ack.seq,
				strerror(errno));
			if (!get_state(k->card_fd, &blob, &len)) {
				vsim_store_set_state(c->d->store, c->id, blob, len);
				explicit_bzero(blob, len);
				free(blob);
			}
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
	free(k);
	c->priv = NULL;
}

static int kernel_open(struct vsimd_card *c, const struct vsim_store_card *row,
		       char *err, size_t errlen)
{
	struct vsim_new_card nc = { .size = sizeof(nc) };
	struct kcard *k = calloc(1, sizeof(*k));
	char path[64];
	uint8_t *blob = NULL;
	size_t len = 0;
	int ctl;

	if (!k) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	k->card_fd = k->term_fd = k->stop_fd = -1;
	k->c = c;
	c->priv = k;
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
	if (ioctl(ctl, VSIM_IOC_NEW_CARD, &nc)) {
		snprintf(err, errlen, "VSIM_IOC_NEW_CARD: %s%s", strerror(errno),
			 errno == EINVAL && row->state ?
			 " (stored state refused by vsim.ko)" : "");
		close(ctl);
		goto err;
	}
	close(ctl);
	k->card_fd = nc.fd;
	k->index = nc.index;
	if (get_state(k->card_fd, &blob, &len)) {
		snprintf(err, errlen, "VSIM_IOC_GET_STATE: %s", strerror(errno));
		goto err;
	}
	if (!row->state) {
		if (vsim_store_set_state(c->d->store, row->id, blob, len)) {
			snprintf(err, errlen, "store: cannot write the initial state");
			goto err_blob;
		}
	} else if (row->state_len != len || memcmp(row->state, blob, len)) {
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
	snprintf(path, sizeof(path), "/dev/vsim%u", k->index);
	k->term_fd = open(path, O_RDWR | O_CLOEXEC);
	if (k->stop_fd < 0 || k->term_fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto err;
	}
	if (pthread_create(&k->thread, NULL, kcard_thread, k)) {
		snprintf(err, errlen, "cannot start the card's event thread");
		goto err;
	}
	k->thread_started = 1;
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

const struct vsimd_backend vsimd_backend_kernel = {
	.name = "kernel",
	.open = kernel_open,
	.close = kernel_close,
	.power_on = kernel_power_on,
	.power_off = kernel_power_off,
	.transmit = kernel_transmit,
	.stats = kernel_stats,
};
