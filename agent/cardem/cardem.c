// SPDX-License-Identifier: GPL-2.0-only
/*
 * The cardem reader (cardem.h): SIMtrace2-family boards over libusb-1.0.
 * USB facts from ../shared/REFERENCE-cardem.md: the family's VID/PIDs and
 * the ff/02 interface (§1); endpoints read from the interface descriptor,
 * first bulk OUT, bulk IN and interrupt IN (as libosmousb does, §1), never
 * assumed; set_configuration only when it differs, claim, SET_INTERFACE
 * alt 0; four 4096-byte bulk IN transfers and one interrupt IN in flight
 * for ever (§3); start-up CONFIG(STATUS_IRQ), SET_ATR, CARDINSERT(1),
 * SIM_SELECT(remote) (§3, §7: the ATR before the select); a zero-length
 * packet after an OUT message of whole packets, so the board's transfer
 * ends (§2, §5).
 *
 * Everything runs on vsimd's main thread: libusb's descriptors are polled
 * there and libusb_handle_events_timeout_completed() runs the callbacks.
 * Hotplug callbacks only queue the event (libusb forbids most calls in
 * them); arrivals and departures are handled after the event pass.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libusb-1.0/libusb.h>

#include "cardem/cardem.h"
#include "cardem/msg.h"
#include "cardem/tpdu.h"
#include "common/log.h"
#include "vsimd/events.h"
#include "vsimd/vsimd.h"

#define SLOTS_MAX	2	/* qmod and owhw have two card interfaces */
#define IN_XFERS	4
#define RETRY_MS	1000
#define HOTPLUG_MAX	64

/* simtrace_usb.h:15-25 via REFERENCE-cardem.md §1; the QMOD hub 4002 is not one */
static const uint16_t family_pids[] = {
	ST2_PID_SIMTRACE2, ST2_PID_QMOD, ST2_PID_OWHW, ST2_PID_OCTSIMTEST,
	ST2_PID_NGFF_CARDEM,
};

struct board;

struct slot {
	struct board *b;
	int index;			/* among the board's cardem interfaces */
	int ifnum;
	uint8_t ep_out, ep_in, ep_irq;
	char name[200];			/* "SERIAL (PATH) slot N" for logs */
	struct vsimd_card *card;
	bool claimed;
	bool release;			/* release the interface when idle */
	struct libusb_transfer *in[IN_XFERS];
	struct libusb_transfer *irq;
	int pending;			/* transfers in flight, OUT included */
	uint64_t retry_at;		/* a failed start: try again (ms) */
	struct cardem_tpdu t0;
	uint32_t status;		/* the last STATUS flags */
	bool on;			/* VCC present and reset released */
	unsigned int errors;		/* USB errors in a row */
};

struct board {
	struct cardem *cm;
	libusb_device *dev;
	libusb_device_handle *h;
	char serial[128];
	char path[32];
	uint16_t pid;
	int nslots;
	struct slot slots[SLOTS_MAX];
	bool gone;			/* unplugged: freed when its transfers are back */
	struct board *next;
};

struct hotplug_ev {
	libusb_device *dev;
	bool arrived;
};

struct cardem {
	struct vsimd *d;
	libusb_context *ctx;
	libusb_hotplug_callback_handle hp;
	bool hotplug;
	struct board *boards;
	struct hotplug_ev q[HOTPLUG_MAX];
	size_t nq;
	unsigned long fd_removals;	/* vsimd_cardem_fd_removals() */
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- the card behind a slot ------------------------------------------ */

static void card_power(struct slot *s, bool on)
{
	struct vsimd_card *c = s->card;
	uint8_t atr[VSIM_ATR_MAX];
	int n;

	cardem_tpdu_reset(&s->t0);
	if (!c || on == c->powered)
		return;
	if (on) {
		n = c->d->backend->power_on(c, atr);
		if (n < 0) {
			log_err("card %s: power on failed", c->name);
			return;
		}
		c->powered = true;
		log_info("card %s: modem powered the card (board %s)", c->name, s->name);
		vsimd_publish_trace(c, "on", NULL, 0, atr, (size_t)n);
	} else {
		c->d->backend->power_off(c);
		c->powered = false;
		log_info("card %s: power off (board %s)", c->name, s->name);
		vsimd_publish_trace(c, "off", NULL, 0, NULL, 0);
	}
}

static int slot_card(void *ctx, const uint8_t *capdu, size_t len,
		     uint8_t rapdu[VSIM_RAPDU_MAX], size_t *rlen)
{
	struct slot *s = ctx;
	struct vsimd_card *c = s->card;

	if (!c)
		return -1;
	c->frames++;
	if (c->d->backend->transmit(c, capdu, len, rapdu, rlen))
		return -1;
	vsimd_publish_trace(c, "apdu", capdu, len, rapdu, *rlen);
	return 0;
}

/* ---- transfers ----------------------------------------------------------- */

static void board_maybe_free(struct board *b);
static void slot_release_if_idle(struct slot *s);

static void out_done(struct libusb_transfer *x)
{
	struct slot *s = x->user_data;

	s->pending--;
	if (x->status != LIBUSB_TRANSFER_COMPLETED &&
	    x->status != LIBUSB_TRANSFER_CANCELLED && !s->b->gone)
		log_warn("cardem %s: OUT transfer: %s", s->name,
			 libusb_error_name(x->status == LIBUSB_TRANSFER_NO_DEVICE ?
					   LIBUSB_ERROR_NO_DEVICE : LIBUSB_ERROR_IO));
	/* libusb frees the buffer and the transfer (FREE_* flags) */
	slot_release_if_idle(s);
	board_maybe_free(s->b);
}

static int slot_send(void *ctx, const uint8_t *msg, size_t len)
{
	struct slot *s = ctx;
	struct libusb_transfer *x;
	uint8_t *buf;
	int rc;

	if (s->b->gone)
		return -1;
	x = libusb_alloc_transfer(0);
	buf = malloc(len);
	if (!x || !buf) {
		libusb_free_transfer(x);
		free(buf);
		return -1;
	}
	memcpy(buf, msg, len);
	if (vsim_log_get_level() >= VSIM_LOG_DEBUG) {
		char name[48];

		log_debug("cardem %s: -> %s, %zu bytes", s->name,
			  st2_msg_name(msg[0], msg[1], name, sizeof(name)), len);
	}
	/* the host's own tool waits up to 100 s for an OUT transfer (§2) */
	libusb_fill_bulk_transfer(x, s->b->h, s->ep_out, buf, (int)len, out_done,
				  s, 100000);
	x->flags = LIBUSB_TRANSFER_FREE_BUFFER | LIBUSB_TRANSFER_FREE_TRANSFER |
		   LIBUSB_TRANSFER_ADD_ZERO_PACKET;
	rc = libusb_submit_transfer(x);
	if (rc) {
		log_warn("cardem %s: cannot send: %s", s->name, libusb_error_name(rc));
		libusb_free_transfer(x);	/* frees buf too (FREE_BUFFER) */
		return -1;
	}
	s->pending++;
	return 0;
}

static const struct cardem_tpdu_io *slot_io(struct slot *s)
{
	static struct cardem_tpdu_io io;

	io.ctx = s;
	io.name = s->name;
	io.send = slot_send;
	io.card = slot_card;
	io.board_max = ST2_BOARD_RX_MAX;
	return &io;
}

/*
 * STATUS (interrupt endpoint, or the answer to our request): the modem's
 * power and reset lines. The card is on while VCC is present and RST is
 * released (ISO 7816-3 §6.2); each rise is a power-on of the card, each
 * fall a power-off, so the binding check runs at every modem start-up.
 */
static void slot_status(struct slot *s, const struct st2_msg *m)
{
	struct st2_status st;
	const char *why;
	bool on;

	if (st2_status_parse(m, &st, &why)) {
		log_warn("cardem %s: refused from the board: %s", s->name, why);
		s->t0.refused++;
		return;
	}
	on = (st.flags & ST2_STATUS_F_VCC_PRESENT) &&
	     !(st.flags & ST2_STATUS_F_RESET_ACTIVE);
	log_debug("cardem %s: STATUS flags %02x", s->name, (unsigned int)st.flags);
	s->status = st.flags;
	if (on != s->on || (st.flags & ST2_STATUS_F_RESET_ACTIVE))
		cardem_tpdu_reset(&s->t0);
	if (on != s->on) {
		s->on = on;
		card_power(s, on);
	}
}

static void slot_message(struct slot *s, const struct st2_msg *m)
{
	struct st2_data d;
	const char *why;
	char name[48];

	switch (st2_from_board(m->cls, m->type)) {
	case ST2_FROM_BOARD_RX_DATA:
		if (st2_data_parse(m, &d, &why)) {
			log_warn("cardem %s: refused from the board: RX_DATA: %s",
				 s->name, why);
			s->t0.refused++;
			return;
		}
		if (!s->card)
			return;
		if ((d.flags & ST2_DATA_F_TPDU_HDR) && !s->on) {
			/*
			 * A modem sends a command only after the ATR, i.e.
			 * after releasing reset: the STATUS saying so travels
			 * on another endpoint and can arrive after this header
			 * (USB orders transfers per endpoint only). Take the
			 * header as the news.
			 */
			log_debug("cardem %s: a command before the STATUS releasing reset",
				  s->name);
			s->on = true;
			card_power(s, true);
		}
		cardem_tpdu_rx(&s->t0, slot_io(s), &d);
		return;
	case ST2_FROM_BOARD_STATUS:
		slot_status(s, m);
		return;
	case ST2_FROM_BOARD_PTS:
		/* the board answered the PPS itself; we are told only (§3) */
		log_debug("cardem %s: PPS exchanged", s->name);
		return;
	case ST2_FROM_BOARD_CONFIG:
		log_debug("cardem %s: board configuration echoed", s->name);
		return;
	case ST2_FROM_BOARD_ERROR:
		log_warn("cardem %s: the board reports an error", s->name);
		return;
	case ST2_FROM_BOARD_UNKNOWN:
		break;
	}
	log_warn("cardem %s: refused from the board: unknown message %s (%u bytes)",
		 s->name, st2_msg_name(m->cls, m->type, name, sizeof(name)),
		 (unsigned int)m->len);
	s->t0.refused++;
}

/* One IN transfer: one message as the firmware sends it, checked whole. */
static void slot_transfer_in(struct slot *s, const uint8_t *buf, size_t len)
{
	size_t off = 0;

	while (off < len) {
		struct st2_msg m;
		const char *why;
		int n = st2_msg_parse(buf + off, len - off, &m, &why);

		if (n < 0) {
			log_warn("cardem %s: refused from the board: %s (%zu bytes)",
				 s->name, why, len - off);
			s->t0.refused++;
			return;
		}
		if (vsim_log_get_level() >= VSIM_LOG_DEBUG) {
			char name[48];

			log_debug("cardem %s: <- %s, %u bytes%s", s->name,
				  st2_msg_name(m.cls, m.type, name, sizeof(name)),
				  (unsigned int)m.len,
				  m.payload_len >= 4 && m.cls == ST2_CLASS_CARDEM &&
				  m.type == ST2_CEMU_RX_DATA ?
				  (m.payload[0] & ST2_DATA_F_TPDU_HDR ? " (header)" : " (data)") : "");
		}
		slot_message(s, &m);
		off += (size_t)n;
		if (!s->card || s->b->gone)
			return;
	}
}

static void in_done(struct libusb_transfer *x)
{
	struct slot *s = x->user_data;
	int rc;

	switch (x->status) {
	case LIBUSB_TRANSFER_COMPLETED:
		s->errors = 0;
		slot_transfer_in(s, x->buffer, (size_t)x->actual_length);
		break;
	case LIBUSB_TRANSFER_CANCELLED:
		s->pending--;
		slot_release_if_idle(s);
		board_maybe_free(s->b);
		return;
	case LIBUSB_TRANSFER_NO_DEVICE:
		/* the hotplug event follows; stop this transfer now */
		s->b->gone = true;
		s->pending--;
		board_maybe_free(s->b);
		return;
	default:
		/* a USB error is logged and retried, never fatal to others */
		if (s->b->gone)
			break;
		/*
		 * An unplug fails every transfer in flight once before
		 * NO_DEVICE: that first round is only debug lines; errors
		 * that persist beyond it are warnings.
		 */
		if (s->errors++ <= IN_XFERS)
			log_debug("cardem %s: IN transfer status %d; retrying", s->name,
				  (int)x->status);
		else if (s->errors <= IN_XFERS + 4)
			log_warn("cardem %s: IN transfer status %d again; retrying",
				 s->name, (int)x->status);
		break;
	}
	if (s->b->gone || !s->card || s->errors > 100) {
		if (s->errors > 100)
			log_err("cardem %s: too many USB errors; waiting for a replug",
				s->name);
		s->pending--;
		slot_release_if_idle(s);
		board_maybe_free(s->b);
		return;
	}
	rc = libusb_submit_transfer(x);
	if (rc == LIBUSB_ERROR_NO_DEVICE) {
		s->b->gone = true;	/* unplugged: the hotplug event follows */
		s->pending--;
		board_maybe_free(s->b);
	} else if (rc) {
		log_warn("cardem %s: resubmit: %s", s->name, libusb_error_name(rc));
		s->pending--;
		slot_release_if_idle(s);
		board_maybe_free(s->b);
	}
}

static int submit_in(struct slot *s, struct libusb_transfer **px, uint8_t ep,
		     bool irq, size_t size)
{
	struct libusb_transfer *x = libusb_alloc_transfer(0);
	uint8_t *buf = malloc(size);
	int rc;

	if (!x || !buf) {
		libusb_free_transfer(x);
		free(buf);
		return LIBUSB_ERROR_NO_MEM;
	}
	if (irq)
		libusb_fill_interrupt_transfer(x, s->b->h, ep, buf, (int)size, in_done, s, 0);
	else
		libusb_fill_bulk_transfer(x, s->b->h, ep, buf, (int)size, in_done, s, 0);
	x->flags = LIBUSB_TRANSFER_FREE_BUFFER;
	rc = libusb_submit_transfer(x);
	if (rc) {
		libusb_free_transfer(x);
		return rc;
	}
	*px = x;
	s->pending++;
	return 0;
}

/* ---- slots: a card in a board ------------------------------------------ */

static void slot_cancel(struct slot *s)
{
	for (int i = 0; i < IN_XFERS; i++)
		if (s->in[i])
			libusb_cancel_transfer(s->in[i]);
	if (s->irq)
		libusb_cancel_transfer(s->irq);
}

/* Free IN transfers and the interface once nothing is in flight. */
static void slot_release_if_idle(struct slot *s)
{
	if (s->pending)
		return;
	for (int i = 0; i < IN_XFERS; i++) {
		libusb_free_transfer(s->in[i]);
		s->in[i] = NULL;
	}
	libusb_free_transfer(s->irq);
	s->irq = NULL;
	if (s->claimed && !s->card && !s->b->gone)
		s->release = true;	/* done in dispatch, outside the callbacks */
}

static void send_u8(struct slot *s, uint8_t cls, uint8_t type, uint8_t v)
{
	uint8_t m[16];

	slot_send(s, m, st2_build_u8(m, sizeof(m), cls, type, v));
}

/* Where the slot's card now sits, for `vsimctl status` (events.h). */
static void publish_board(const struct slot *s)
{
	struct vsimd_board w = {
		.slot = s->index, .ifnum = s->ifnum, .pid = s->b->pid,
	};

	snprintf(w.serial, sizeof(w.serial), "%s", s->b->serial);
	snprintf(w.path, sizeof(w.path), "%s", s->b->path);
	vsimd_publish_board(s->card, &w);
}

static int slot_start(struct slot *s, struct vsimd_card *c)
{
	struct board *b = s->b;
	uint8_t m[64];
	size_t n;
	int rc;

	if (!s->claimed) {
		rc = libusb_claim_interface(b->h, s->ifnum);
		if (rc) {
			log_warn("cardem %s: claim interface %d: %s; retrying", s->name,
				 s->ifnum, libusb_error_name(rc));
			return -1;
		}
		s->claimed = true;
		/* libosmousb always sends SET_INTERFACE(alt 0) (§1) */
		rc = libusb_set_interface_alt_setting(b->h, s->ifnum, 0);
		if (rc)
			log_warn("cardem %s: SET_INTERFACE: %s", s->name,
				 libusb_error_name(rc));
	}
	s->card = c;
	s->on = false;
	s->status = 0;
	s->errors = 0;
	cardem_tpdu_reset(&s->t0);
	for (int i = 0; i < IN_XFERS; i++) {
		rc = submit_in(s, &s->in[i], s->ep_in, false, ST2_IN_XFER);
		if (rc)
			goto fail;
	}
	rc = submit_in(s, &s->irq, s->ep_irq, true, 64);
	if (rc)
		goto fail;
	n = st2_build_config(m, sizeof(m), ST2_FEAT_STATUS_IRQ);
	if (slot_send(s, m, n))
		goto fail;
	n = st2_build_set_atr(m, sizeof(m), c->atr, c->atr_len);
	if (!n || slot_send(s, m, n))
		goto fail;
	send_u8(s, ST2_CLASS_CARDEM, ST2_CEMU_CARDINSERT, 1);
	send_u8(s, ST2_CLASS_MODEM, ST2_MODEM_SIM_SELECT, 1);
	/* the lines now: a modem that is already powered gets its card at once */
	n = st2_build(m, sizeof(m), ST2_CLASS_CARDEM, ST2_CEMU_STATUS, NULL, 0);
	slot_send(s, m, n);
	c->cardem_slot = s;
	publish_board(s);
	log_info("card %s: in board %s (1d50:%04x, interface %d, EPs %02x/%02x/%02x)",
		 c->name, s->name, b->pid, s->ifnum, s->ep_out, s->ep_in, s->ep_irq);
	return 0;
fail:
	log_warn("cardem %s: cannot start: %s; retrying", s->name,
		 libusb_error_name(rc ? rc : LIBUSB_ERROR_IO));
	s->card = NULL;
	slot_cancel(s);
	return -1;
}

/* The card leaves the slot (removed, or its board unplugged). */
static void slot_stop(struct slot *s, bool tell_board)
{
	struct vsimd_card *c = s->card;

	if (!c)
		return;
	card_power(s, false);
	if (tell_board && !s->b->gone) {
		/* what the host tool sends when it stops (§3) */
		send_u8(s, ST2_CLASS_CARDEM, ST2_CEMU_CARDINSERT, 0);
		send_u8(s, ST2_CLASS_MODEM, ST2_MODEM_SIM_SELECT, 0);
	}
	c->cardem_slot = NULL;
	vsimd_publish_board(c, NULL);
	s->card = NULL;
	s->on = false;
	slot_cancel(s);
	slot_release_if_idle(s);
}

/* ---- boards ------------------------------------------------------------- */

static bool family(uint16_t vid, uint16_t pid)
{
	if (vid != ST2_VID)
		return false;
	for (size_t i = 0; i < sizeof(family_pids) / sizeof(family_pids[0]); i++)
		if (pid == family_pids[i])
			return true;
	return false;
}

/* The cardem interfaces of one configuration; their endpoints from the descriptors. */
static int find_slots(struct board *b, const struct libusb_config_descriptor *cfg)
{
	b->nslots = 0;
	for (int i = 0; i < cfg->bNumInterfaces && b->nslots < SLOTS_MAX; i++) {
		const struct libusb_interface_descriptor *alt;
		struct slot *s = &b->slots[b->nslots];

		if (cfg->interface[i].num_altsetting < 1)
			continue;
		alt = &cfg->interface[i].altsetting[0];
		if (alt->bInterfaceClass != ST2_IF_CLASS ||
		    alt->bInterfaceSubClass != ST2_IF_SUBCLASS_CARDEM)
			continue;
		memset(s, 0, sizeof(*s));
		for (int e = 0; e < alt->bNumEndpoints; e++) {
			const struct libusb_endpoint_descriptor *ep = &alt->endpoint[e];
			uint8_t type = ep->bmAttributes & LIBUSB_TRANSFER_TYPE_MASK;
			bool in = ep->bEndpointAddress & LIBUSB_ENDPOINT_IN;

			if (type == LIBUSB_TRANSFER_TYPE_BULK && !in && !s->ep_out)
				s->ep_out = ep->bEndpointAddress;
			else if (type == LIBUSB_TRANSFER_TYPE_BULK && in && !s->ep_in)
				s->ep_in = ep->bEndpointAddress;
			else if (type == LIBUSB_TRANSFER_TYPE_INTERRUPT && in && !s->ep_irq)
				s->ep_irq = ep->bEndpointAddress;
		}
		if (!s->ep_out || !s->ep_in || !s->ep_irq) {
			log_warn("cardem %s: interface %d lacks bulk OUT, bulk IN or interrupt IN; skipped",
				 b->serial, alt->bInterfaceNumber);
			continue;
		}
		s->b = b;
		s->index = b->nslots;
		s->ifnum = alt->bInterfaceNumber;
		snprintf(s->name, sizeof(s->name), "%s (%s) slot %d", b->serial,
			 b->path, s->index);
		b->nslots++;
	}
	return b->nslots;
}

/* Pick the configuration holding the cardem interface (1 on real boards). */
static int board_configure(struct board *b)
{
	struct libusb_device_descriptor dd;
	struct libusb_config_descriptor *cfg;
	int cur = 0, rc;

	if (libusb_get_device_descriptor(b->dev, &dd))
		return -1;
	for (int i = 0; i < dd.bNumConfigurations; i++) {
		if (libusb_get_config_descriptor(b->dev, (uint8_t)i, &cfg))
			continue;
		if (find_slots(b, cfg)) {
			int value = cfg->bConfigurationValue;

			libusb_free_config_descriptor(cfg);
			/* set_configuration only when it differs (§1) */
			if (libusb_get_configuration(b->h, &cur) || cur != value) {
				rc = libusb_set_configuration(b->h, value);
				if (rc) {
					log_warn("cardem %s: set configuration %d: %s",
						 b->serial, value, libusb_error_name(rc));
					return -1;
				}
			}
			return 0;
		}
		libusb_free_config_descriptor(cfg);
	}
	log_warn("cardem %s (%s): no card-emulation interface (ff/02); not a cardem firmware?",
		 b->serial, b->path);
	return -1;
}

static void board_add(struct cardem *cm, libusb_device *dev)
{
	struct libusb_device_descriptor dd;
	uint8_t ports[8];
	struct board *b;
	int n, rc, len;

	if (libusb_get_device_descriptor(dev, &dd) || !family(dd.idVendor, dd.idProduct))
		return;
	for (b = cm->boards; b; b = b->next)
		if (b->dev == dev && !b->gone)
			return;	/* enumerated and announced: already have it */
	b = calloc(1, sizeof(*b));
	if (!b)
		return;
	b->cm = cm;
	b->dev = libusb_ref_device(dev);
	b->pid = dd.idProduct;
	len = snprintf(b->path, sizeof(b->path), "%u", libusb_get_bus_number(dev));
	n = libusb_get_port_numbers(dev, ports, sizeof(ports));
	for (int i = 0; i < n && len > 0 && (size_t)len < sizeof(b->path); i++)
		len += snprintf(b->path + len, sizeof(b->path) - (size_t)len, "%c%u",
				i ? '.' : '-', ports[i]);
	rc = libusb_open(dev, &b->h);
	if (rc) {
		log_warn("cardem board %s (1d50:%04x): open: %s (udev rule and group vsim? docs/modems.md)",
			 b->path, b->pid, libusb_error_name(rc));
		goto drop;
	}
	if (dd.iSerialNumber &&
	    libusb_get_string_descriptor_ascii(b->h, dd.iSerialNumber,
					       (unsigned char *)b->serial,
					       sizeof(b->serial)) < 0)
		b->serial[0] = '\0';
	if (!b->serial[0])
		snprintf(b->serial, sizeof(b->serial), "(no serial)");
	if (board_configure(b))
		goto drop;
	for (int i = 0; i < b->nslots; i++)
		b->slots[i].retry_at = 0;
	b->next = cm->boards;
	cm->boards = b;
	log_info("cardem board %s at %s (1d50:%04x): %d slot(s)", b->serial, b->path,
		 b->pid, b->nslots);
	return;
drop:
	if (b->h)
		libusb_close(b->h);
	libusb_unref_device(b->dev);
	free(b);
}

static void board_remove(struct cardem *cm, libusb_device *dev)
{
	for (struct board *b = cm->boards; b; b = b->next) {
		if (b->dev != dev)
			continue;
		if (!b->gone || b->slots[0].card || (b->nslots > 1 && b->slots[1].card))
			log_info("cardem board %s at %s: unplugged", b->serial, b->path);
		b->gone = true;
		for (int i = 0; i < b->nslots; i++) {
			struct vsimd_card *c = b->slots[i].card;

			slot_stop(&b->slots[i], false);
			if (c)
				log_info("card %s: released; waiting for its board", c->name);
		}
		board_maybe_free(b);
		return;
	}
}

/* Unlink and free a gone board whose transfers have all come back. */
static void board_maybe_free(struct board *b)
{
	struct board **pp;

	if (!b->gone)
		return;
	for (int i = 0; i < b->nslots; i++)
		if (b->slots[i].pending || b->slots[i].card)
			return;
	for (pp = &b->cm->boards; *pp; pp = &(*pp)->next) {
		if (*pp == b) {
			*pp = b->next;
			break;
		}
	}
	for (int i = 0; i < b->nslots; i++)
		slot_release_if_idle(&b->slots[i]);
	if (b->h)
		libusb_close(b->h);	/* the kernel drops claims on close */
	libusb_unref_device(b->dev);
	free(b);
}

static bool sel_matches(const struct vsimd_cardem_sel *sel, const struct slot *s)
{
	if (sel->serial[0] && strcmp(sel->serial, s->b->serial))
		return false;
	if (sel->path[0] && strcmp(sel->path, s->b->path))
		return false;
	return sel->slot == s->index;
}

/* Every card waiting for a board takes the first free matching slot. */
static void match_cards(struct cardem *cm)
{
	struct vsimd *d = cm->d;
	uint64_t now = now_ms();

	for (size_t i = 0; i < d->n_cards; i++) {
		struct vsimd_card *c = d->cards[i];

		if (!c->cardem.enabled || c->cardem_slot)
			continue;
		for (struct board *b = cm->boards; b && !c->cardem_slot; b = b->next) {
			if (b->gone)
				continue;
			for (int k = 0; k < b->nslots; k++) {
				struct slot *s = &b->slots[k];

				if (s->card || s->pending || now < s->retry_at ||
				    !sel_matches(&c->cardem, s))
					continue;
				if (slot_start(s, c))
					s->retry_at = now + RETRY_MS;
				break;
			}
		}
	}
}

/* ---- libusb and the poll loop ------------------------------------------- */

static int LIBUSB_CALL hotplug_cb(libusb_context *ctx, libusb_device *dev,
				  libusb_hotplug_event ev, void *user)
{
	struct cardem *cm = user;

	(void)ctx;
	if (cm->nq == HOTPLUG_MAX) {
		log_warn("cardem: too many hotplug events at once; one dropped");
		return 0;
	}
	cm->q[cm->nq].dev = libusb_ref_device(dev);
	cm->q[cm->nq].arrived = ev == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED;
	cm->nq++;
	return 0;
}

static void process_hotplug(struct cardem *cm)
{
	for (size_t i = 0; i < cm->nq; i++) {
		if (cm->q[i].arrived)
			board_add(cm, cm->q[i].dev);
		else
			board_remove(cm, cm->q[i].dev);
		libusb_unref_device(cm->q[i].dev);
	}
	cm->nq = 0;
}

static void pollfd_added(int fd, short events, void *user)
{
	(void)fd;
	(void)events;
	(void)user;	/* vsimd_cardem_fill() lists it next round */
}

static void pollfd_removed(int fd, void *user)
{
	struct cardem *cm = user;

	(void)fd;
	cm->fd_removals++;
}

unsigned long vsimd_cardem_fd_removals(const struct vsimd *d)
{
	return d->cardem ? d->cardem->fd_removals : 0;
}

int vsimd_cardem_start(struct vsimd *d, char *err, size_t errlen)
{
	struct cardem *cm;
	int rc;

	if (d->cardem)
		return 0;
	cm = calloc(1, sizeof(*cm));
	if (!cm) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	cm->d = d;
	rc = libusb_init(&cm->ctx);
	if (rc) {
		snprintf(err, errlen, "libusb: %s", libusb_error_name(rc));
		free(cm);
		return -1;
	}
	d->cardem = cm;
	libusb_set_pollfd_notifiers(cm->ctx, pollfd_added, pollfd_removed, cm);
	if (libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG)) {
		/* ENUMERATE: boards already present arrive as events too */
		rc = libusb_hotplug_register_callback(cm->ctx,
			LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT,
			LIBUSB_HOTPLUG_ENUMERATE, ST2_VID, LIBUSB_HOTPLUG_MATCH_ANY,
			LIBUSB_HOTPLUG_MATCH_ANY, hotplug_cb, cm, &cm->hp);
		cm->hotplug = rc == LIBUSB_SUCCESS;
	}
	if (!cm->hotplug) {
		libusb_device **list;
		ssize_t n = libusb_get_device_list(cm->ctx, &list);

		log_warn("cardem: no USB hotplug here: boards present now only");
		for (ssize_t i = 0; i < n; i++)
			board_add(cm, list[i]);
		if (n >= 0)
			libusb_free_device_list(list, 1);
	}
	process_hotplug(cm);
	match_cards(cm);
	log_info("cardem: watching for SIMtrace2-family boards (1d50:60e3/4004/4001/616d/616e)");
	return 0;
}

size_t vsimd_cardem_fill(struct vsimd *d, struct pollfd *pfd, size_t max)
{
	struct cardem *cm = d->cardem;
	const struct libusb_pollfd **fds;
	size_t n = 0;

	if (!cm)
		return 0;
	fds = libusb_get_pollfds(cm->ctx);
	for (size_t i = 0; fds && fds[i] && n < max; i++) {
		pfd[n].fd = fds[i]->fd;
		pfd[n].events = fds[i]->events;
		pfd[n].revents = 0;
		n++;
	}
	libusb_free_pollfds(fds);
	return n;
}

int vsimd_cardem_timeout(struct vsimd *d)
{
	struct cardem *cm = d->cardem;
	struct timeval tv;
	uint64_t now, next = 0;
	int t = -1;

	if (!cm)
		return -1;
	if (libusb_get_next_timeout(cm->ctx, &tv) == 1)
		t = (int)(tv.tv_sec * 1000 + tv.tv_usec / 1000) + 1;
	now = now_ms();
	for (struct board *b = cm->boards; b; b = b->next)
		for (int i = 0; i < b->nslots; i++)
			if (b->slots[i].retry_at > now &&
			    (!next || b->slots[i].retry_at < next))
				next = b->slots[i].retry_at;
	for (size_t i = 0; i < d->n_cards; i++)
		if (d->cards[i]->cardem.enabled && !d->cards[i]->cardem_slot && next) {
			int r = (int)(next - now);

			if (t < 0 || r < t)
				t = r;
			break;
		}
	return t;
}

void vsimd_cardem_dispatch(struct vsimd *d)
{
	struct cardem *cm = d->cardem;
	struct timeval zero = { 0, 0 };

	if (!cm)
		return;
	libusb_handle_events_timeout_completed(cm->ctx, &zero, NULL);
	process_hotplug(cm);
	for (struct board *b = cm->boards, *next; b; b = next) {
		next = b->next;
		if (b->gone) {
			/* NO_DEVICE without (or before) a hotplug event */
			board_remove(cm, b->dev);
			continue;
		}
		for (int i = 0; i < b->nslots; i++) {
			struct slot *s = &b->slots[i];

			if (s->release && !s->card && !s->pending && !b->gone) {
				libusb_release_interface(b->h, s->ifnum);
				s->claimed = false;
			}
			s->release = false;
		}
	}
	match_cards(cm);
}

void vsimd_cardem_card_gone(struct vsimd *d, struct vsimd_card *c)
{
	struct slot *s = c->cardem_slot;

	(void)d;
	if (s) {
		log_info("card %s: leaves board %s", c->name, s->name);
		slot_stop(s, true);
	}
}

void vsimd_cardem_stop(struct vsimd *d)
{
	struct cardem *cm = d->cardem;
	uint64_t until;
	bool busy;

	if (!cm)
		return;
	for (struct board *b = cm->boards; b; b = b->next)
		for (int i = 0; i < b->nslots; i++)
			slot_stop(&b->slots[i], true);
	/* let the goodbyes and cancellations come back, briefly */
	until = now_ms() + 1000;
	do {
		struct timeval tv = { 0, 50000 };

		busy = false;
		for (struct board *b = cm->boards; b; b = b->next)
			for (int i = 0; i < b->nslots; i++)
				busy |= b->slots[i].pending > 0;
		if (busy)
			libusb_handle_events_timeout_completed(cm->ctx, &tv, NULL);
	} while (busy && now_ms() < until);
	if (cm->hotplug)
		libusb_hotplug_deregister_callback(cm->ctx, cm->hp);
	process_hotplug(cm);
	while (cm->boards) {
		struct board *b = cm->boards;

		cm->boards = b->next;
		for (int i = 0; i < b->nslots; i++) {
			if (b->slots[i].claimed)
				libusb_release_interface(b->h, b->slots[i].ifnum);
			for (int k = 0; k < IN_XFERS; k++)
				libusb_free_transfer(b->slots[i].in[k]);
			libusb_free_transfer(b->slots[i].irq);
		}
		libusb_close(b->h);
		libusb_unref_device(b->dev);
		free(b);
	}
	libusb_exit(cm->ctx);
	free(cm);
	d->cardem = NULL;
}
