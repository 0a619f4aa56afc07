// SPDX-License-Identifier: GPL-2.0-only
/*
 * The emulated board's firmware side (board.h). Behaviour follows the
 * facts in ../shared/REFERENCE-cardem.md: one message per IN transfer and
 * a zero-length packet after one whose length is a multiple of 64
 * (host_communication.c:37-42); OUT transfers split by msg_len, a message
 * claiming more bytes than arrived dropped (mode_cardemu.c:872-918);
 * TX_DATA outside a TPDU dropped (f1deb81); emulation only after
 * SIM_SELECT(remote) (ff434e4); STATUS flags VCC|CLK|RESET with CLK a copy
 * of VCC (mode_cardemu.c:543-558), F=1 D=1 WI=10 WT=9600 as in the wire
 * example of §2.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "board.h"
#include "cardem/msg.h"

#define BULK_PACKET	64	/* full speed (usb.c) */

static void deadline(struct timespec *ts, int s)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += s;
}

static void note_unexpected(struct board *b, const char *fmt, const char *what)
{
	b->unexpected++;
	snprintf(b->last_unexpected, sizeof(b->last_unexpected), fmt, what);
	fprintf(stderr, "cardem-gadget: from the host: ");
	fprintf(stderr, fmt, what);
	fputc('\n', stderr);
}

/*
 * One IN write. f_fs completes a write when the host took the data, so
 * the order of writes under wlock is the order the host receives them,
 * across both IN endpoints. A disabled endpoint (the host's
 * SET_INTERFACE re-enables it) fails with ESHUTDOWN: wait and retry.
 */
static int write_in(struct board *b, int fd, const uint8_t *buf, size_t len,
		    bool zlp)
{
	struct timespec until;
	ssize_t n;

	deadline(&until, b->guard_s);
	for (;;) {
		n = write(fd, buf, len);
		if (n == (ssize_t)len)
			break;
		if (n >= 0 || (errno != ESHUTDOWN && errno != EINTR &&
			       errno != EAGAIN)) {
			fprintf(stderr, "cardem-gadget: IN write: %s\n",
				n < 0 ? strerror(errno) : "short");
			return -1;
		}
		if (ffs_gadget_wait_enabled(b->g, b->guard_s))
			return -1;
		{
			struct timespec now;

			clock_gettime(CLOCK_REALTIME, &now);
			if (now.tv_sec > until.tv_sec || b->g->stopping)
				return -1;
		}
		usleep(1000);
	}
	/* the firmware ends a transfer of whole packets with a ZLP */
	if (zlp && st2_needs_zlp(len, BULK_PACKET) && write(fd, buf, 0) != 0) {
		fprintf(stderr, "cardem-gadget: ZLP: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static int send_msg(struct board *b, const uint8_t *buf, size_t len)
{
	int rc;

	pthread_mutex_lock(&b->wlock);
	rc = write_in(b, b->g->ep_in, buf, len, true);
	pthread_mutex_unlock(&b->wlock);
	return rc;
}

int board_send_raw(struct board *b, bool irq, const uint8_t *buf, size_t len)
{
	int rc;

	pthread_mutex_lock(&b->wlock);
	rc = write_in(b, irq ? b->g->ep_irq : b->g->ep_in, buf, len, false);
	pthread_mutex_unlock(&b->wlock);
	return rc;
}

/* The STATUS payload for the current VCC/RST lines. Caller holds b->lock. */
static size_t status_msg(struct board *b, uint8_t *out, size_t max)
{
	struct st2_status s = {
		.flags = (b->vcc ? ST2_STATUS_F_VCC_PRESENT | ST2_STATUS_F_CLK_ACTIVE : 0) |
			 (b->rst ? ST2_STATUS_F_RESET_ACTIVE : 0),
		.fi = 1, .di = 1, .wi = 10, .waiting_time = 9600,
	};

	return st2_build_status(out, max, &s);
}

/*
 * A line change, reported on the interrupt endpoint. The snapshot and the
 * write happen under wlock so a STATUS answered on bulk IN meanwhile
 * cannot overtake it with older lines.
 */
static int set_lines(struct board *b, bool vcc, bool rst)
{
	uint8_t m[64];
	size_t n;
	int rc;

	pthread_mutex_lock(&b->wlock);
	pthread_mutex_lock(&b->lock);
	b->vcc = vcc;
	b->rst = rst;
	/* TX_DATA is dropped while unpowered or in reset (f1deb81) */
	b->in_tpdu = false;
	b->q_n = 0;
	n = status_msg(b, m, sizeof(m));
	pthread_mutex_unlock(&b->lock);
	rc = write_in(b, b->g->ep_irq, m, n, false);
	pthread_mutex_unlock(&b->wlock);
	return rc;
}

static void host_message(struct board *b, const struct st2_msg *m)
{
	uint8_t reply[64];
	struct st2_data d;
	const char *why;
	char name[48];
	size_t n;

	st2_msg_name(m->cls, m->type, name, sizeof(name));
	if (m->cls == ST2_CLASS_CARDEM) {
		switch (m->type) {
		case ST2_CEMU_CONFIG:
			if (m->payload_len < 4) {
				note_unexpected(b, "%s shorter than its features", name);
				return;
			}
			pthread_mutex_lock(&b->lock);
			b->config_seen = true;
			b->features = (uint32_t)m->payload[0] | (uint32_t)m->payload[1] << 8 |
				      (uint32_t)m->payload[2] << 16 |
				      (uint32_t)m->payload[3] << 24;
			pthread_mutex_unlock(&b->lock);
			/* the board echoes its configuration (card_emu.c:1308-1329) */
			n = st2_build_config(reply, sizeof(reply), b->features);
			send_msg(b, reply, n);
			return;
		case ST2_CEMU_SET_ATR:
			if (m->payload_len < 1 || m->payload[0] > ST2_ATR_MAX ||
			    m->payload_len != 1u + m->payload[0]) {
				/* refused silently by the firmware; we tell */
				note_unexpected(b, "%s with a bad length", name);
				return;
			}
			pthread_mutex_lock(&b->lock);
			b->atr_len = m->payload[0];
			memcpy(b->atr, m->payload + 1, b->atr_len);
			b->atr_set = true;
			pthread_mutex_unlock(&b->lock);
			return;
		case ST2_CEMU_CARDINSERT:
			if (m->payload_len != 1) {
				note_unexpected(b, "%s with a bad length", name);
				return;
			}
			pthread_mutex_lock(&b->lock);
			b->inserted = m->payload[0];
			pthread_mutex_unlock(&b->lock);
			return;
		case ST2_CEMU_STATUS:
			pthread_mutex_lock(&b->wlock);
			pthread_mutex_lock(&b->lock);
			b->status_requests++;
			n = status_msg(b, reply, sizeof(reply));
			pthread_mutex_unlock(&b->lock);
			write_in(b, b->g->ep_in, reply, n, true);
			pthread_mutex_unlock(&b->wlock);
			return;
		case ST2_CEMU_TX_DATA:
			if (st2_data_parse(m, &d, &why)) {
				note_unexpected(b, "TX_DATA: %s", why);
				return;
			}
			pthread_mutex_lock(&b->lock);
			if (!b->in_tpdu || b->q_n == BOARD_QUEUE) {
				/* master firmware drops it (f1deb81); a test must not see it */
				pthread_mutex_unlock(&b->lock);
				note_unexpected(b, "%s outside a TPDU (dropped)", name);
				return;
			}
			{
				struct board_tx *t = &b->q[(b->q_head + b->q_n) % BOARD_QUEUE];

				t->flags = d.flags;
				t->len = d.len;
				memcpy(t->data, d.data, d.len);
				b->q_n++;
			}
			pthread_cond_broadcast(&b->cond);
			pthread_mutex_unlock(&b->lock);
			return;
		default:
			break;
		}
	} else if (m->cls == ST2_CLASS_MODEM) {
		if (m->type == ST2_MODEM_SIM_SELECT && m->payload_len == 1) {
			pthread_mutex_lock(&b->lock);
			b->remote = m->payload[0] != 0;
			if (b->remote)
				b->atr_before_select = b->atr_set;
			pthread_cond_broadcast(&b->cond);
			pthread_mutex_unlock(&b->lock);
			return;
		}
		if (m->type == ST2_MODEM_RESET)
			return;	/* no PERST pin on a SIMtrace2: a no-op */
	}
	note_unexpected(b, "unexpected message %s", name);
}

static void *rx_loop(void *arg)
{
	struct board *b = arg;
	/* f_fs rounds a read up to whole packets: 320 holds the 280-byte buffer */
	uint8_t buf[320];

	for (;;) {
		ssize_t n = read(b->g->ep_out, buf, sizeof(buf));
		size_t off = 0;

		if (n < 0) {
			if (b->g->stopping)
				break;
			if (errno != ESHUTDOWN && errno != EINTR && errno != EAGAIN) {
				fprintf(stderr, "cardem-gadget: OUT read: %s\n", strerror(errno));
				break;
			}
			if (ffs_gadget_wait_enabled(b->g, b->guard_s))
				break;
			usleep(1000);
			continue;
		}
		while (off < (size_t)n) {
			struct st2_msg m;
			const char *why;
			int len = st2_msg_parse(buf + off, (size_t)n - off, &m, &why);

			if (len < 0) {
				note_unexpected(b, "OUT transfer: %s (dropped)", why);
				break;
			}
			host_message(b, &m);
			off += (size_t)len;
		}
	}
	return NULL;
}

int board_start(struct board *b, struct ffs_gadget *g, int guard_s)
{
	memset(b, 0, sizeof(*b));
	b->g = g;
	b->guard_s = guard_s;
	b->inserted = -1;
	pthread_mutex_init(&b->lock, NULL);
	pthread_mutex_init(&b->wlock, NULL);
	pthread_cond_init(&b->cond, NULL);
	if (pthread_create(&b->rx_thread, NULL, rx_loop, b))
		return -1;
	b->rx_running = true;
	return 0;
}

void board_stop(struct board *b)
{
	if (b->rx_running)
		pthread_join(b->rx_thread, NULL);
	b->rx_running = false;
}

int board_wait_remote(struct board *b)
{
	struct timespec until;
	int rc = 0;

	deadline(&until, b->guard_s);
	pthread_mutex_lock(&b->lock);
	while (!b->remote && rc == 0)
		rc = pthread_cond_timedwait(&b->cond, &b->lock, &until);
	rc = b->remote ? 0 : -1;
	pthread_mutex_unlock(&b->lock);
	if (rc)
		fprintf(stderr, "cardem-gadget: the host never selected remote emulation\n");
	return rc;
}

int board_power_on(void *ctx, uint8_t *atr, size_t max)
{
	struct board *b = ctx;
	size_t n;

	if (board_wait_remote(b))
		return -1;
	/* ISO 7816-3 §6.2.2 cold reset: VCC and CLK with RST low, then RST high */
	if (set_lines(b, true, true) || set_lines(b, true, false))
		return -1;
	/* the firmware sends the SET_ATR ATR by itself after reset */
	pthread_mutex_lock(&b->lock);
	n = b->atr_len < max ? b->atr_len : max;
	memcpy(atr, b->atr, n);
	pthread_mutex_unlock(&b->lock);
	return b->atr_set ? (int)n : -1;
}

int board_power_off(struct board *b)
{
	return set_lines(b, false, false);
}

/* The next TX_DATA from the host (hang guard only). */
static int next_tx(struct board *b, struct board_tx *out)
{
	struct timespec until;
	int rc = 0;

	deadline(&until, b->guard_s);
	pthread_mutex_lock(&b->lock);
	while (!b->q_n && rc == 0 && !b->g->stopping)
		rc = pthread_cond_timedwait(&b->cond, &b->lock, &until);
	if (!b->q_n) {
		pthread_mutex_unlock(&b->lock);
		fprintf(stderr, "cardem-gadget: no answer from the host\n");
		errno = ETIMEDOUT;
		return -1;
	}
	*out = b->q[b->q_head];
	b->q_head = (b->q_head + 1) % BOARD_QUEUE;
	b->q_n--;
	pthread_mutex_unlock(&b->lock);
	return 0;
}

static int send_header(struct board *b, const uint8_t *hdr)
{
	uint8_t m[64];
	size_t n = st2_build_data(m, sizeof(m), ST2_CEMU_RX_DATA,
				  ST2_DATA_F_TPDU_HDR, hdr, 5);

	pthread_mutex_lock(&b->lock);
	b->in_tpdu = true;
	b->q_n = 0;
	pthread_mutex_unlock(&b->lock);
	return send_msg(b, m, n);
}

static void end_tpdu(struct board *b)
{
	pthread_mutex_lock(&b->lock);
	b->in_tpdu = false;
	pthread_mutex_unlock(&b->lock);
}

/* The next byte the board transmits, and the TX_DATA it came in. */
struct tx_stream {
	struct board_tx t;
	size_t pos;
};

static int next_byte(struct board *b, struct tx_stream *st, uint8_t *byte)
{
	while (st->pos == st->t.len) {
		if (next_tx(b, &st->t))
			return -1;
		st->pos = 0;
		if (!(st->t.flags & (ST2_DATA_F_PB_AND_TX | ST2_DATA_F_PB_AND_RX))) {
			note_unexpected(b, "%s", "TX_DATA without PB_AND_TX or PB_AND_RX");
			return -1;
		}
	}
	*byte = st->t.data[st->pos++];
	return 0;
}

/*
 * The modem's T=0 receiver (ISO 7816-3 §10.3.3) over the bytes the host
 * has the board transmit: procedure bytes (INS: data transfer, 60: NULL,
 * 6X/9X: SW1), data, SW2. The board sends the modem's data only after a
 * TX_DATA flagged PB_AND_RX, and a TPDU ends with one flagged FINAL.
 */
int board_transmit(void *ctx, const uint8_t *c, size_t len, uint8_t *r,
		   size_t max)
{
	struct board *b = ctx;
	size_t want = c[4] ? c[4] : 256, got = 0;
	bool outgoing = len > 5, moved = false;
	struct tx_stream st = { .pos = 0 };
	uint8_t byte, sw1;

	if (len < 5 || (outgoing && len != 5u + c[4]) || max < 258) {
		errno = EINVAL;
		return -1;
	}
	if (send_header(b, c))
		return -1;
	for (;;) {
		if (next_byte(b, &st, &byte))
			goto fail;
		if (byte == 0x60)	/* NULL: the card asks for more time */
			continue;
		if ((byte & 0xf0) == 0x60 || (byte & 0xf0) == 0x90)
			break;		/* SW1 */
		if (byte != c[1] || moved) {
			note_unexpected(b, "%s", "a byte that is neither PB (INS) nor SW1");
			goto fail;
		}
		moved = true;
		if (outgoing) {
			uint8_t m[ST2_BOARD_RX_MAX + 16];
			size_t n;

			/* the board receives only when told (card_emu.c:757-788) */
			if (!(st.t.flags & ST2_DATA_F_PB_AND_RX) || st.pos != st.t.len) {
				note_unexpected(b, "%s", "PB for the modem's data without PB_AND_RX");
				goto fail;
			}
			n = st2_build_data(m, sizeof(m), ST2_CEMU_RX_DATA,
					   ST2_DATA_F_FINAL, c + 5, len - 5);
			if (send_msg(b, m, n))
				goto fail;
			continue;
		}
		while (got < want)
			if (next_byte(b, &st, &r[got++]))
				goto fail;
	}
	sw1 = byte;
	if (next_byte(b, &st, &byte))
		goto fail;
	if (st.pos != st.t.len || !(st.t.flags & ST2_DATA_F_FINAL)) {
		note_unexpected(b, "%s", "SW2 not the last byte of a FINAL TX_DATA");
		goto fail;
	}
	r[got] = sw1;
	r[got + 1] = byte;
	end_tpdu(b);
	return (int)got + 2;
fail:
	end_tpdu(b);
	errno = EPROTO;
	return -1;
}

int board_header_only(struct board *b, const uint8_t hdr[5])
{
	struct board_tx t;

	if (send_header(b, hdr) || next_tx(b, &t))
		return -1;
	if (!(t.flags & ST2_DATA_F_PB_AND_RX) || t.len != 1 || t.data[0] != hdr[1]) {
		note_unexpected(b, "%s", "no PB_AND_RX(INS) after a header with data");
		return -1;
	}
	return 0;
}
