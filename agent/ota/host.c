// SPDX-License-Identifier: GPL-2.0-only
/* The OTA side of a card, in this process or in vsim.ko (see ota/host.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/vsim.h>
#include <openssl/crypto.h>

#include "common/apdu_sw.h"
#include "common/kernel_wrote.h"
#include "ota/host.h"

/* TS 102 221 §10.2.1.5: technical problem, no precise diagnosis */
#define SW_TECHNICAL	0x6f00

static int commit_counter(void *ctx, unsigned int keyset, uint64_t value)
{
	struct ota_host *o = ctx;

	return ota_store_set_counter(o->store, keyset, value);
}

/*
 * Profile read into o->prof: open the store, attach the card (@card: the
 * engine in this process; NULL: the caller sets o->card's exec).
 */
static int setup(struct ota_host *o, struct vsim_card *card, const char *path,
		 int64_t id, char *err, size_t errlen)
{
	if (!o->store && ota_store_open(path, id, &o->store, err, errlen)) {
		ota_profile_wipe(&o->prof);
		return -1;
	}
	ota_card_init(&o->card, card);
	ota_profile_apply(&o->prof, &o->card);
	if (ota_store_load_counters(o->store, o->card.keysets)) {
		snprintf(err, errlen, "%s: cannot read the OTA counters", path);
		ota_host_close(o);
		return -1;
	}
	o->card.commit_counter = commit_counter;
	o->card.commit_ctx = o;
	ota_gp_init(&o->gp, o->store, &o->card);
	return 0;
}

static void attach_slow_path(struct ota_host *o, struct vsim_host_card *h)
{
	h->slow_path = ota_card_slow_path;
	h->slow_ctx = &o->card;
}

int ota_host_open(struct ota_host *o, struct vsim_host_card *h,
		  const char *profile, const char *state_dir, char *err,
		  size_t errlen)
{
	char path[4096];

	memset(o, 0, sizeof(*o));
	o->card_fd = -1;
	if (ota_profile_load(profile, &o->prof, err, errlen))
		return -1;
	if (!o->prof.present)
		return 0;
	if (state_dir)
		snprintf(path, sizeof(path), "%s/%s", state_dir, OTA_STORE_FILE);
	else
		snprintf(path, sizeof(path), ":memory:");
	if (setup(o, h->card, path, 0, err, errlen))
		return -1;
	attach_slow_path(o, h);
	return 0;
}

int ota_host_save_config(const char *db, int64_t card, const char *name,
			 const char *text, char *err, size_t errlen)
{
	struct ota_profile p;
	struct ota_store *s;
	int ret;

	if (ota_profile_parse_buffer(name, text, &p, err, errlen))
		return -1;
	ret = p.present;
	ota_profile_wipe(&p);
	if (!ret)
		return 0;
	if (ota_store_open(db, card, &s, err, errlen))
		return -1;
	ret = ota_store_set_config(s, text);
	ota_store_close(s);
	if (ret)
		snprintf(err, errlen, "%s: cannot store the OTA configuration", db);
	return ret ? -1 : 0;
}

/*
 * The stored [ota ...] sections into o->prof, the store left open when
 * there are any. 0 (o->prof.present says which), or -1 with @err.
 */
static int load_stored(struct ota_host *o, const char *db, int64_t card,
		       char *err, size_t errlen)
{
	char *text;
	int ret;

	memset(o, 0, sizeof(*o));
	o->card_fd = -1;
	if (ota_store_open(db, card, &o->store, err, errlen))
		return -1;
	text = ota_store_get_config(o->store);
	if (!text) {			/* a card without OTA */
		ota_store_close(o->store);
		o->store = NULL;
		return 0;
	}
	ret = ota_profile_parse_buffer("stored profile", text, &o->prof, err,
				       errlen);
	OPENSSL_clear_free(text, strlen(text));
	if (ret || !o->prof.present) {
		ota_store_close(o->store);
		o->store = NULL;
	}
	return ret;
}

int ota_host_open_stored(struct ota_host *o, struct vsim_host_card *h,
			 const char *db, int64_t card, char *err,
			 size_t errlen)
{
	if (load_stored(o, db, card, err, errlen))
		return -1;
	if (!o->prof.present)
		return 0;
	if (setup(o, h->card, db, card, err, errlen))
		return -1;
	attach_slow_path(o, h);
	return 0;
}

/* ---- a card in vsim.ko: its card fd (docs/uapi.md) ---- */

static size_t kernel_exec(void *ctx, const uint8_t *capdu, size_t len,
			  uint8_t *rapdu)
{
	struct ota_host *o = ctx;
	struct vsim_exec x = {
		.size = sizeof(x),
		.privilege = VSIM_PRIV_ADM,
		.capdu = (uintptr_t)capdu,
		.rapdu = (uintptr_t)rapdu,
		.capdu_len = (uint32_t)len,
		.rapdu_max = VSIM_RAPDU_MAX,
	};

	if (o->card_fd < 0)
		return apdu_put_sw(rapdu, SW_TECHNICAL);
	while (ioctl(o->card_fd, VSIM_IOC_EXEC, &x))
		if (errno != EINTR)	/* EINTR: it did not run, again */
			return apdu_put_sw(rapdu, SW_TECHNICAL);
	if (x.rapdu_len < 2 || x.rapdu_len > VSIM_RAPDU_MAX)
		return apdu_put_sw(rapdu, SW_TECHNICAL);
	KERNEL_WROTE(rapdu, x.rapdu_len);
	return x.rapdu_len;
}

static int kernel_queue(void *ctx, uint8_t type, uint8_t qualifier,
			uint8_t dest, const uint8_t *tlvs, size_t len,
			uint32_t flags)
{
	struct ota_host *o = ctx;
	struct vsim_proactive_cmd p = {
		.size = sizeof(p),
		.type = type,
		.qualifier = qualifier,
		.dest = dest,
		.flags = (uint8_t)flags,
		.tlvs = (uintptr_t)tlvs,
		.tlvs_len = (uint32_t)len,
	};

	if (o->card_fd < 0)
		return -EBADF;
	if (len > VSIM_PROACTIVE_TLVS_MAX)
		return -ENOSPC;
	while (ioctl(o->card_fd, VSIM_IOC_QUEUE_PROACTIVE, &p))
		if (errno != EINTR)
			return -errno;
	return 0;
}

int ota_host_open_kernel(struct ota_host *o, const char *db, int64_t card,
			 char *err, size_t errlen)
{
	if (load_stored(o, db, card, err, errlen))
		return -1;
	if (!o->prof.present)
		return 0;
	if (setup(o, NULL, db, card, err, errlen))
		return -1;
	o->card.exec = kernel_exec;
	o->card.queue_proactive = kernel_queue;
	o->card.card = o;
	return 0;
}

int ota_host_forget(const char *db, int64_t card)
{
	struct ota_store *s;
	char err[256];
	int ret;

	if (ota_store_open(db, card, &s, err, sizeof(err)))
		return -1;
	ret = ota_store_forget(s);
	ota_store_close(s);
	return ret;
}

void ota_host_close(struct ota_host *o)
{
	ota_gp_free(&o->gp);
	ota_card_wipe(&o->card);
	ota_profile_wipe(&o->prof);
	ota_store_close(o->store);
	o->store = NULL;
}

int ota_host_choose(struct ota_host *o, const char *app, char *err,
		    size_t errlen)
{
	uint16_t sw;
	int ret;

	if (!o->prof.present || !o->card.nmenu) {
		snprintf(err, errlen, "the card has no OTA menu ([ota] menu)");
		return -1;
	}
	ret = ota_card_choose(&o->card, app, &sw);
	if (ret == -2)
		snprintf(err, errlen, "%s is not on the card's menu", app);
	else if (ret)
		snprintf(err, errlen, "the card sent no request (MENU SELECTION answers %04X%s)",
			 sw, sw == 0x6985 ? ": no server address or request key set" :
			 sw == SW_TECHNICAL ? ": its proactive queue is full" : "");
	return ret;
}
