// SPDX-License-Identifier: GPL-2.0-only
/* A terminal's BIP for its card (bipterm.h): one TCP channel, relayed. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/bipterm.h"

/* COMPREHENSION-TLV tags, TS 102 223 §9.3 */
#define T_DETAILS	0x01
#define T_ITEM		0x0f
#define T_EVENTS	0x19
#define T_BEARER	0x35
#define T_DATA		0x36
#define T_DATA_LEN	0x37
#define T_STATUS	0x38
#define T_BUFFER	0x39
#define T_TRANSPORT	0x3c
#define T_ADDRESS	0x3e
#define T_TIMER_ID	0x24
#define T_TIMER_VALUE	0x25
#define CR		0x80

/* General results and BIP additional information, §8.12, §8.12.11 */
#define RES_OK		0x00
#define RES_MISSING	0x02
#define RES_MODIFIED	0x07
#define RES_TIMER_STATE	0x24	/* action in contradiction with the timer state */
#define RES_BEYOND	0x30	/* command beyond terminal's capabilities */
#define RES_NOT_UNDERSTOOD 0x32	/* command data not understood */
#define RES_BIP_ERROR	0x3a
#define BIP_NO_CHANNEL	0x01	/* no channel available */
#define BIP_CLOSED	0x02	/* channel closed */
#define BIP_BAD_ID	0x03	/* channel identifier not valid */
#define BIP_TRANSPORT	0x09	/* transport level not available */

#define CHANNEL		1	/* the one channel this terminal has */
#define CONNECT_MS	5000

void vsim_bipterm_profile(uint8_t tp[VSIM_MODEM_TP_LEN], bool no_timers)
{
	memcpy(tp, vsim_modem_terminal_profile, VSIM_MODEM_TP_LEN);
	vsim_bipterm_declare(tp, !no_timers);
}

void vsim_bipterm_declare(uint8_t tp[VSIM_MODEM_TP_LEN], bool timers)
{
	if (timers) {
		tp[0] |= 0x20;	/* byte 1 b6: TIMER EXPIRATION */
		tp[7] |= 0x01;	/* byte 8 b1: TIMER MANAGEMENT (start, stop) */
		tp[7] |= 0x02;	/* byte 8 b2: TIMER MANAGEMENT (current value) */
	}
	tp[4] |= 0x01;		/* byte 5 b1: SET UP EVENT LIST */
	tp[5] |= 0x0c;		/* byte 6 b3-b4: Data available, Channel status */
	tp[11] |= 0x1f;		/* byte 12 b1-b5: OPEN .. GET CHANNEL STATUS */
	tp[12] |= 0x20;		/* byte 13 b6-b8: one channel */
	tp[16] |= 0x01;		/* byte 17 b1: TCP, UICC in client mode, remote */
}

void vsim_bipterm_init(struct vsim_bipterm *bt,
		       int (*transmit)(void *, const uint8_t *, size_t,
				       uint8_t *, size_t),
		       void *ctx, FILE *out)
{
	memset(bt, 0, sizeof(*bt));
	bt->transmit = transmit;
	bt->ctx = ctx;
	bt->out = out;
	bt->fd = -1;
	bt->menu_item = -1;
}

static void hex(struct vsim_bipterm *bt, const char *dir, const uint8_t *b,
		size_t n)
{
	fprintf(bt->out, "  %s ", dir);
	for (size_t i = 0; i < n; i++)
		fprintf(bt->out, "%02X", b[i]);
	fputc('\n', bt->out);
}

/* One exchange, 61xx fetched with GET RESPONSE. The length, or -1. */
static int xfer(struct vsim_bipterm *bt, const uint8_t *c, size_t len,
		uint8_t *r, uint16_t *sw)
{
	uint8_t cmd[VSIM_CAPDU_MAX];
	int n;

	memcpy(cmd, c, len);
	for (;;) {
		hex(bt, ">", cmd, len);
		n = bt->transmit(bt->ctx, cmd, len, r, VSIM_RAPDU_MAX);
		if (n < 2) {
			fprintf(bt->out, "unexpected: the transport failed (%s)\n",
				n < 0 ? strerror(errno) : "no status word");
			return -1;
		}
		hex(bt, "<", r, (size_t)n);
		*sw = (uint16_t)(r[n - 2] << 8 | r[n - 1]);
		if (r[n - 2] != 0x61)
			return n;
		cmd[0] = 0x00, cmd[1] = 0xc0, cmd[2] = 0, cmd[3] = 0;
		cmd[4] = r[n - 1];
		len = 5;
	}
}

/* A COMPREHENSION-TLV (CR masked), lengths 1 byte or 81 xx; NULL if absent. */
static const uint8_t *tlv(const uint8_t *d, size_t len, uint8_t want,
			  size_t *vl)
{
	size_t o = 0, l;

	while (o + 2 <= len) {
		uint8_t tag = d[o++] & 0x7f;

		l = d[o++];
		if (l == 0x81 && o < len)
			l = d[o++];
		if (o + l > len)
			return NULL;
		if (tag == want) {
			*vl = l;
			return d + o;
		}
		o += l;
	}
	return NULL;
}

/* Channel status, §8.56: channel id, b8 link established; 05 link dropped. */
static size_t put_status(struct vsim_bipterm *bt, uint8_t *p)
{
	p[0] = CR | T_STATUS;
	p[1] = 2;
	p[2] = bt->open ? (uint8_t)((bt->link ? 0x80 : 0) | CHANNEL) : 0;
	p[3] = bt->open && !bt->link ? 0x05 : 0x00;
	return 4;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int connect_to(const uint8_t ip[4], uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	struct pollfd pfd;
	int fd, err = 0, one = 1;
	socklen_t el = sizeof(err);

	memcpy(&sa.sin_addr, ip, 4);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) && errno != EINPROGRESS)
		goto fail;
	pfd.fd = fd;
	pfd.events = POLLOUT;
	if (poll(&pfd, 1, CONNECT_MS) != 1) {
		errno = ETIMEDOUT;
		goto fail;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) || err) {
		errno = err ? err : errno;	/* say why, not EINPROGRESS */
		goto fail;
	}
	return fd;
fail:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

static int flush_tx(struct vsim_bipterm *bt)
{
	size_t off = 0;
	ssize_t w;
	struct pollfd pfd = { .fd = bt->fd, .events = POLLOUT };

	while (off < bt->tx_len) {
		w = send(bt->fd, bt->tx + off, bt->tx_len - off, MSG_NOSIGNAL);
		if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (poll(&pfd, 1, CONNECT_MS) != 1)
				return -1;
			continue;
		}
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	bt->sent += bt->tx_len;
	bt->tx_len = 0;
	return 0;
}

/* OPEN CHANNEL (§6.4.27): TCP, UICC in client mode, to the card's address. */
static size_t open_channel(struct vsim_bipterm *bt, const uint8_t *b,
			   size_t bl, uint8_t *res, uint8_t *extra)
{
	const uint8_t *bearer, *buf, *tr, *addr;
	size_t l1 = 0, l2 = 0, l3 = 0, l4 = 0, n = 0;
	uint16_t want = 0;

	bearer = tlv(b, bl, T_BEARER, &l1);
	buf = tlv(b, bl, T_BUFFER, &l2);
	tr = tlv(b, bl, T_TRANSPORT, &l3);
	addr = tlv(b, bl, T_ADDRESS, &l4);
	if (buf && l2 == 2)
		want = (uint16_t)(buf[0] << 8 | buf[1]);
	bt->buffer = want > VSIM_BIPTERM_BUFFER ? VSIM_BIPTERM_BUFFER : want;
	res[0] = RES_OK;
	res[1] = 0;
	if (bt->open) {
		res[0] = RES_BIP_ERROR, res[1] = BIP_NO_CHANNEL;
	} else if (!bearer || l1 < 1 || bearer[0] != 0x03 || !want) {
		res[0] = RES_BEYOND;	/* only the default bearer here */
	} else if (!tr || l3 != 3 || tr[0] != 0x02) {
		res[0] = RES_BIP_ERROR, res[1] = BIP_TRANSPORT;
	} else if (!addr || l4 != 5 || addr[0] != 0x21) {
		res[0] = RES_BEYOND;	/* IPv4 destinations only */
	} else {
		uint16_t port = (uint16_t)(tr[1] << 8 | tr[2]);

		fprintf(bt->out, "  OPEN CHANNEL %u.%u.%u.%u:%u, buffer %u -> %u\n",
			addr[1], addr[2], addr[3], addr[4], port, want,
			bt->buffer);
		bt->open_tries++;
		bt->fd = connect_to(addr + 1, port);
		if (bt->fd < 0) {
			fprintf(bt->out, "  OPEN CHANNEL: no connection (%s)\n",
				strerror(errno));
			res[0] = RES_BIP_ERROR, res[1] = BIP_CLOSED;
		} else {
			bt->open = bt->link = true;
			bt->eof = bt->drop_reported = bt->announced = false;
			bt->timed_out = false;
			bt->rx_len = bt->tx_len = 0;
			bt->opened++;
			bt->last_ms = now_ms();
			if (want > bt->buffer)
				res[0] = RES_MODIFIED;
		}
	}
	n += put_status(bt, extra + n);
	extra[n++] = CR | T_BEARER;
	extra[n++] = 1;
	extra[n++] = 0x03;
	extra[n++] = CR | T_BUFFER;
	extra[n++] = 2;
	extra[n++] = (uint8_t)(bt->buffer >> 8);
	extra[n++] = (uint8_t)bt->buffer;
	return n;
}

static void close_socket(struct vsim_bipterm *bt)
{
	if (bt->fd >= 0)
		close(bt->fd);
	bt->fd = -1;
	bt->open = bt->link = false;
}

/* §8.38: hours, minutes, seconds, each BCD with the low nibble first. */
static int timer_seconds(const uint8_t v[3], unsigned int *secs)
{
	unsigned int f[3];

	for (int i = 0; i < 3; i++) {
		if ((v[i] & 0x0f) > 9 || (v[i] >> 4) > 9)
			return -1;
		f[i] = (v[i] & 0x0f) * 10u + (v[i] >> 4);
	}
	if (f[0] > 23 || f[1] > 59 || f[2] > 59)
		return -1;
	*secs = f[0] * 3600 + f[1] * 60 + f[2];
	return 0;
}

/* Timer identifier (§8.37), and its value (§8.38) unless @secs < 0. */
static size_t put_timer(uint8_t *x, uint8_t id, long secs)
{
	unsigned int f[3] = { (unsigned int)(secs / 3600),
			      (unsigned int)(secs / 60 % 60),
			      (unsigned int)(secs % 60) };
	size_t n = 0;

	x[n++] = CR | T_TIMER_ID;
	x[n++] = 1;
	x[n++] = id;
	if (secs < 0)
		return n;
	x[n++] = CR | T_TIMER_VALUE;
	x[n++] = 3;
	for (int i = 0; i < 3; i++)
		x[n++] = (uint8_t)((f[i] % 10) << 4 | f[i] / 10);
	return n;
}

/*
 * TIMER MANAGEMENT (§6.4.21): qualifier 00 start (timer identifier and
 * value), 01 deactivate, 10 get the current value (both answer the time
 * left). Its TERMINAL RESPONSE carries the identifier, and the value
 * for the last two.
 */
static size_t timer_management(struct vsim_bipterm *bt, uint8_t q,
			       const uint8_t *b, size_t bl, uint8_t *res,
			       uint8_t *x)
{
	const uint8_t *id, *val;
	struct vsim_bipterm_timer *t;
	size_t l1 = 0, l2 = 0;
	unsigned int secs, left;
	uint64_t now = now_ms();

	if (bt->no_timers) {
		res[0] = RES_BEYOND;
		return 0;
	}
	id = tlv(b, bl, T_TIMER_ID, &l1);
	if (!id || l1 != 1 || !id[0] || id[0] > VSIM_BIPTERM_TIMERS) {
		res[0] = RES_NOT_UNDERSTOOD;
		return 0;
	}
	t = &bt->timers[id[0] - 1];
	switch (q & 0x03) {
	case 0x00:
		val = tlv(b, bl, T_TIMER_VALUE, &l2);
		if (!val || l2 != 3 || timer_seconds(val, &secs)) {
			res[0] = RES_NOT_UNDERSTOOD;
			return 0;
		}
		t->running = true;
		t->deadline = now + secs * 1000ull;
		memcpy(t->value, val, 3);
		fprintf(bt->out, "  TIMER MANAGEMENT: timer %u started, %u s\n",
			id[0], secs);
		return put_timer(x, id[0], -1);
	case 0x01:
	case 0x02:
		if (!t->running) {
			res[0] = RES_TIMER_STATE;
			return 0;
		}
		left = t->deadline > now ? (unsigned int)((t->deadline - now + 999) / 1000) : 0;
		if (q & 0x01)
			t->running = false;
		fprintf(bt->out, "  TIMER MANAGEMENT: timer %u %s, %u s left\n",
			id[0], (q & 0x01) ? "deactivated" : "read", left);
		return put_timer(x, id[0], left);
	default:
		res[0] = RES_NOT_UNDERSTOOD;
		return 0;
	}
}

bool vsim_bipterm_takes(uint8_t type)
{
	return type == 0x05 || type == 0x27 || (type >= 0x40 && type <= 0x44);
}

size_t vsim_bipterm_answer(struct vsim_bipterm *bt, const uint8_t det[3],
			   uint8_t dest, const uint8_t *b, size_t bl,
			   uint8_t res[2], uint8_t *x)
{
	const uint8_t *v;
	size_t l = 0, n = 0, k, room;
	bool ours = dest == 0x20 + CHANNEL && bt->open;

	res[0] = RES_OK;
	res[1] = 0;
	switch (det[1]) {
	case 0x25:	/* SET UP MENU */
		for (k = 0; (v = tlv(b + k, bl - k, T_ITEM, &l)); ) {
			if (bt->choose && l == 1 + strlen(bt->choose) &&
			    !memcmp(v + 1, bt->choose, l - 1))
				bt->menu_item = v[0];
			k = (size_t)(v - b) + l;
		}
		fprintf(bt->out, "  SET UP MENU\n");
		return 0;
	case 0x05:	/* SET UP EVENT LIST */
		v = tlv(b, bl, T_EVENTS, &l);
		bt->ev_data_available = bt->ev_channel_status = false;
		for (k = 0; v && k < l; k++) {
			bt->ev_data_available |= v[k] == 0x09;
			bt->ev_channel_status |= v[k] == 0x0a;
			/* §6.4.16: a list it cannot take whole is beyond its capabilities */
			if (v[k] != 0x09 && v[k] != 0x0a)
				res[0] = RES_BEYOND;
		}
		if (res[0] == RES_BEYOND)
			bt->ev_data_available = bt->ev_channel_status = false;
		fprintf(bt->out, "  SET UP EVENT LIST (data available %s, channel status %s)\n",
			bt->ev_data_available ? "yes" : "no",
			bt->ev_channel_status ? "yes" : "no");
		return 0;
	case 0x13:	/* SEND SHORT MESSAGE: this terminal has no network */
		fprintf(bt->out, "  SEND SHORT MESSAGE (not sent: no SMS here)\n");
		bt->sms++;
		return 0;
	case 0x40:
		return open_channel(bt, b, bl, res, x);
	case 0x41:	/* CLOSE CHANNEL */
		if (!ours) {
			res[0] = RES_BIP_ERROR, res[1] = BIP_BAD_ID;
			return 0;
		}
		fprintf(bt->out, "  CLOSE CHANNEL\n");
		close_socket(bt);
		bt->closed++;
		return 0;
	case 0x43:	/* SEND DATA */
		v = tlv(b, bl, T_DATA, &l);
		if (!ours || !v) {
			res[0] = RES_BIP_ERROR, res[1] = ours ? 0 : BIP_BAD_ID;
			return 0;
		}
		if (l > bt->buffer - bt->tx_len) {
			res[0] = RES_BIP_ERROR, res[1] = 0x07; /* §8.12.11: buffer full */
			return 0;
		}
		memcpy(bt->tx + bt->tx_len, v, l);
		bt->tx_len += l;
		bt->last_ms = now_ms();
		fprintf(bt->out, "  SEND DATA %zu bytes\n", l);
		/* qualifier b1: send now; else keep it in the Tx buffer */
		if ((det[2] & 0x01) && flush_tx(bt)) {
			res[0] = RES_BIP_ERROR, res[1] = BIP_CLOSED;
			return 0;
		}
		room = bt->buffer - bt->tx_len;
		x[n++] = CR | T_DATA_LEN;
		x[n++] = 1;
		x[n++] = (uint8_t)(room > 255 ? 0xff : room);
		return n;
	case 0x42:	/* RECEIVE DATA */
		v = tlv(b, bl, T_DATA_LEN, &l);
		if (!ours || !v || l != 1) {
			res[0] = RES_BIP_ERROR, res[1] = ours ? 0 : BIP_BAD_ID;
			return 0;
		}
		k = v[0] < bt->rx_len ? v[0] : bt->rx_len;
		if (k > VSIM_BIPTERM_RECEIVE_MAX)	/* what one TR holds */
			k = VSIM_BIPTERM_RECEIVE_MAX;
		/* §6.4.29: less than asked is "performed with missing information" */
		if (k < v[0])
			res[0] = RES_MISSING;
		x[n++] = CR | T_DATA;
		if (k > 0x7f)
			x[n++] = 0x81;
		x[n++] = (uint8_t)k;
		memcpy(x + n, bt->rx, k);
		n += k;
		memmove(bt->rx, bt->rx + k, bt->rx_len - k);
		bt->rx_len -= k;
		bt->received += k;
		bt->last_ms = now_ms();
		if (!bt->rx_len)
			bt->announced = false;	/* the next data is news */
		x[n++] = CR | T_DATA_LEN;
		x[n++] = 1;
		x[n++] = (uint8_t)(bt->rx_len > 255 ? 0xff : bt->rx_len);
		fprintf(bt->out, "  RECEIVE DATA %zu bytes, %zu left\n", k,
			bt->rx_len);
		return n;
	case 0x44:	/* GET CHANNEL STATUS */
		return put_status(bt, x);
	case 0x27:
		return timer_management(bt, det[2], b, bl, res, x);
	default:
		res[0] = RES_BEYOND;
		return 0;
	}
}

/* FETCH and answer every proactive command while the card says 91xx. */
static int proactive(struct vsim_bipterm *bt, uint16_t *sw)
{
	uint8_t r[VSIM_RAPDU_MAX], tr[5 + 255], x[255], res[2];
	const uint8_t *det, *dev, *body;
	size_t dl, vl, xl, n;
	int rn, h;

	while ((*sw >> 8) == 0x91) {
		uint8_t fetch[5] = { 0x80, 0x12, 0x00, 0x00, (uint8_t)*sw };

		if (++bt->fetches > 4096) {
			fprintf(bt->out, "unexpected: the card keeps sending proactive commands\n");
			return -1;
		}
		fprintf(bt->out, "FETCH\n");
		rn = xfer(bt, fetch, 5, r, sw);
		if (rn < 0)
			return -1;
		h = rn > 3 && r[1] == 0x81 ? 3 : 2;
		if (*sw != 0x9000 || rn < 4 || r[0] != 0xd0 ||
		    (size_t)h + (r[h - 1]) != (size_t)rn - 2) {
			fprintf(bt->out, "unexpected: FETCH answered %04X without a proactive command\n",
				*sw);
			return -1;
		}
		body = r + h;
		dl = (size_t)rn - 2 - (size_t)h;
		det = tlv(body, dl, T_DETAILS, &vl);
		if (!det || vl != 3) {
			fprintf(bt->out, "unexpected: proactive command without command details\n");
			return -1;
		}
		dev = tlv(body, dl, 0x02, &vl);
		xl = vsim_bipterm_answer(bt, det, dev && vl == 2 ? dev[1] : 0, body, dl,
			    res, x);
		n = 0;
		tr[n++] = 0x80, tr[n++] = 0x14, tr[n++] = 0, tr[n++] = 0;
		tr[n++] = 0;
		tr[n++] = CR | T_DETAILS, tr[n++] = 3;
		memcpy(tr + n, det, 3), n += 3;
		tr[n++] = CR | 0x02, tr[n++] = 2, tr[n++] = 0x82, tr[n++] = 0x81;
		tr[n++] = CR | 0x03;
		/* §8.12: a BIP error carries its additional information */
		tr[n++] = res[0] == RES_BIP_ERROR ? 2 : 1;
		tr[n++] = res[0];
		if (res[0] == RES_BIP_ERROR)
			tr[n++] = res[1];
		memcpy(tr + n, x, xl), n += xl;
		tr[4] = (uint8_t)(n - 5);
		fprintf(bt->out, "TERMINAL RESPONSE\n");
		if (xfer(bt, tr, n, r, sw) < 0)
			return -1;
		if (*sw != 0x9000 && (*sw >> 8) != 0x91) {
			fprintf(bt->out, "unexpected: TERMINAL RESPONSE answered %04X\n",
				*sw);
			return -1;
		}
	}
	return 0;
}

int vsim_bipterm_command(struct vsim_bipterm *bt, const uint8_t *c,
			 size_t len, uint16_t *sw)
{
	uint8_t r[VSIM_RAPDU_MAX];

	if (xfer(bt, c, len, r, sw) < 0)
		return -1;
	return proactive(bt, sw);
}

/* ENVELOPE EVENT DOWNLOAD (§7.5.10 Data available, §7.5.11 Channel status). */
static size_t put_event(struct vsim_bipterm *bt, uint8_t ev, uint8_t *e)
{
	size_t n = 7;

	e[0] = 0x80, e[1] = 0xc2, e[2] = 0, e[3] = 0;
	e[5] = 0xd6;
	e[n++] = CR | T_EVENTS, e[n++] = 1, e[n++] = ev;
	e[n++] = CR | 0x02, e[n++] = 2, e[n++] = 0x82, e[n++] = 0x81;
	n += put_status(bt, e + n);
	if (ev == 0x09) {
		e[n++] = CR | T_DATA_LEN;
		e[n++] = 1;
		e[n++] = (uint8_t)(bt->rx_len > 255 ? 0xff : bt->rx_len);
	}
	e[6] = (uint8_t)(n - 7);
	e[4] = (uint8_t)(n - 5);
	bt->due = ev;
	fprintf(bt->out, "EVENT %s\n", ev == 0x09 ? "data available" :
		"channel status");
	return n;
}

/* §7.4.2: D7 {82 02 82 81} {A4 01 id} {A5 03 value}, for timer @k + 1 */
static size_t put_expiry(struct vsim_bipterm *bt, int k, uint8_t *e)
{
	size_t n = 7;

	e[0] = 0x80, e[1] = 0xc2, e[2] = 0, e[3] = 0;
	e[5] = 0xd7;
	e[n++] = CR | 0x02, e[n++] = 2, e[n++] = 0x82, e[n++] = 0x81;
	e[n++] = CR | T_TIMER_ID, e[n++] = 1, e[n++] = (uint8_t)(k + 1);
	e[n++] = CR | T_TIMER_VALUE, e[n++] = 3;
	memcpy(e + n, bt->timers[k].value, 3);
	n += 3;
	e[6] = (uint8_t)(n - 7);
	e[4] = (uint8_t)(n - 5);
	bt->due = 0xd7;
	bt->due_timer = k + 1;
	fprintf(bt->out, "TIMER EXPIRATION timer %d\n", k + 1);
	return n;
}

static int earliest_timer(const struct vsim_bipterm *bt)
{
	int k = -1;

	for (int i = 0; i < VSIM_BIPTERM_TIMERS; i++)
		if (bt->timers[i].running &&
		    (k < 0 || bt->timers[i].deadline < bt->timers[k].deadline))
			k = i;
	return k;
}

/* The channel's part of vsim_bipterm_wait(): its socket and idle clock. */
static int channel_wait(const struct vsim_bipterm *bt, int idle_ms,
			struct pollfd *pfd, uint64_t now)
{
	uint64_t end;

	pfd->fd = -1;
	pfd->events = 0;
	pfd->revents = 0;
	if (!bt->open)
		return -1;
	/* news the card has not heard yet: now */
	if ((bt->rx_len && !bt->announced && bt->ev_data_available) ||
	    (bt->eof && !bt->rx_len && !bt->drop_reported))
		return 0;
	if (bt->fd < 0)
		return -1;
	/* after the end, only the idle clock: a hung-up socket polls at once */
	pfd->fd = bt->eof ? -1 : bt->fd;
	pfd->events = bt->rx_len == sizeof(bt->rx) ||
		      bt->rx_len >= bt->buffer ? 0 : POLLIN;
	if (idle_ms < 0)
		return -1;
	end = bt->last_ms + (uint64_t)idle_ms;
	return end > now ? (int)(end - now) : 0;
}

int vsim_bipterm_wait(const struct vsim_bipterm *bt, int idle_ms,
		      struct pollfd *pfd)
{
	uint64_t now = now_ms();
	int t = channel_wait(bt, idle_ms, pfd, now), k = earliest_timer(bt);

	if (k >= 0) {
		uint64_t d = bt->timers[k].deadline;
		int tt = d > now ? (int)(d - now) : 0;

		if (t < 0 || tt < t)
			t = tt;
	}
	return t;
}

/*
 * Read what the socket holds (@revents from poll), apply the idle rule,
 * and build the event the channel owes the card, if any.
 */
static size_t channel_due(struct vsim_bipterm *bt, short revents, int idle_ms,
			  uint8_t *e)
{
	uint64_t now = now_ms();
	ssize_t got;

	bt->due = 0;
	if (!bt->open)
		return 0;
	if (bt->fd >= 0 && !bt->eof && (revents & (POLLIN | POLLHUP | POLLERR))) {
		got = recv(bt->fd, bt->rx + bt->rx_len,
			   (bt->buffer < sizeof(bt->rx) ? bt->buffer :
			    sizeof(bt->rx)) - bt->rx_len, MSG_DONTWAIT);
		if (got > 0) {
			fprintf(bt->out, "  channel: %zd bytes from the server\n",
				got);
			bt->rx_len += (size_t)got;
			bt->last_ms = now;
		} else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
			bt->eof = true;
		}
	}
	if (bt->fd >= 0 && idle_ms >= 0 && !bt->timed_out &&
	    now >= bt->last_ms + (uint64_t)idle_ms &&
	    !(bt->rx_len && !bt->announced && bt->ev_data_available)) {
		/*
		 * a terminal never waits forever: it drops the link and
		 * tells the card, whose session then ends
		 */
		fprintf(bt->out, "unexpected: nothing moved on the channel for %d ms: the link dropped\n",
			idle_ms);
		bt->timed_out = true;
		bt->eof = true;
		bt->rx_len = 0;
	}
	if (bt->rx_len && !bt->announced && bt->ev_data_available) {
		bt->announced = true;
		return put_event(bt, 0x09, e);
	}
	if (bt->eof && !bt->rx_len && !bt->drop_reported) {
		bt->drop_reported = true;
		/* the link is down: the card learns it by the event */
		if (bt->fd >= 0)
			close(bt->fd);
		bt->fd = -1;
		bt->link = false;
		if (bt->ev_channel_status)
			return put_event(bt, 0x0a, e);
	}
	return 0;
}

/* TIMER EXPIRATION of a timer whose time has come, if any. */
static size_t timer_due(struct vsim_bipterm *bt, uint8_t *e)
{
	int k = earliest_timer(bt);

	if (k < 0 || bt->timers[k].deadline > now_ms())
		return 0;
	bt->timers[k].running = false;
	bt->expirations++;
	return put_expiry(bt, k, e);
}

size_t vsim_bipterm_next(struct vsim_bipterm *bt, short revents, int idle_ms,
			 uint8_t e[VSIM_BIPTERM_ENVELOPE_MAX])
{
	size_t n = channel_due(bt, revents, idle_ms, e);

	if (!n)
		n = timer_due(bt, e);
	if (n)
		bt->tries = 0;
	return n;
}

int vsim_bipterm_answered(struct vsim_bipterm *bt, int sw)
{
	if (sw == 0x9000)
		return 0;
	/* §7.4: a busy card (9300) gets the expiry again later */
	if (bt->due == 0xd7 && sw == 0x9300 && ++bt->tries < 5) {
		struct vsim_bipterm_timer *t = &bt->timers[bt->due_timer - 1];

		t->running = true;
		t->deadline = now_ms() + 1000;
		bt->expirations--;
		return 0;
	}
	fprintf(bt->out, "unexpected: %s answered %04X\n",
		bt->due == 0xd7 ? "TIMER EXPIRATION" : "the event",
		sw < 0 ? 0 : sw);
	return -1;
}

int vsim_bipterm_relay(struct vsim_bipterm *bt, int idle_ms)
{
	uint8_t e[VSIM_BIPTERM_ENVELOPE_MAX];
	struct pollfd pfd;
	short rev = 0;
	size_t n;
	uint16_t sw;
	int pr;

	bt->last_ms = now_ms();
	while (bt->open) {
		n = channel_due(bt, rev, idle_ms, e);
		rev = 0;
		if (n) {
			if (vsim_bipterm_command(bt, e, n, &sw))
				return -1;
			if (sw != 0x9000) {
				fprintf(bt->out, "unexpected: the event answered %04X\n",
					sw);
				return -1;
			}
			if (bt->due != 0x0a)
				continue;
		}
		if (bt->drop_reported) {
			/* a card that does not close now is left behind */
			if (!bt->open)
				return bt->timed_out ? -1 : 0;
			fprintf(bt->out, "unexpected: the card kept the dropped channel\n");
			return -1;
		}
		pr = channel_wait(bt, idle_ms, &pfd, now_ms());
		if (pr < 0 && pfd.fd < 0) {
			fprintf(bt->out, "unexpected: the channel has no link and the card keeps it\n");
			return -1;
		}
		pr = poll(&pfd, 1, pr);
		if (pr < 0 && errno != EINTR)
			return -1;
		rev = pr > 0 ? pfd.revents : 0;
	}
	return bt->closed && !bt->timed_out ? 0 : -1;
}

int vsim_bipterm_wait_timer(struct vsim_bipterm *bt, int max_ms)
{
	uint8_t e[VSIM_BIPTERM_ENVELOPE_MAX];
	uint64_t now;
	size_t n;
	uint16_t sw;
	int k = earliest_timer(bt), tries;

	if (k < 0)
		return 0;
	now = now_ms();
	if (bt->timers[k].deadline > now + (uint64_t)max_ms) {
		fprintf(bt->out, "unexpected: timer %d expires in %llu ms, beyond the %d ms this terminal waits\n",
			k + 1, (unsigned long long)(bt->timers[k].deadline - now),
			max_ms);
		return -1;
	}
	fprintf(bt->out, "waiting for timer %d\n", k + 1);
	fflush(bt->out);	/* a log line should not sit out the wait */
	while ((now = now_ms()) < bt->timers[k].deadline)
		poll(NULL, 0, (int)(bt->timers[k].deadline - now));
	n = timer_due(bt, e);
	/* §7.4: a busy card (9300) gets the expiry again later */
	for (tries = 0; tries < 5; tries++) {
		if (tries)
			fprintf(bt->out, "TIMER EXPIRATION timer %d\n", k + 1);
		if (vsim_bipterm_command(bt, e, n, &sw))
			return -1;
		if (sw != 0x9300)
			break;
		poll(NULL, 0, 1000);
	}
	if (sw != 0x9000) {
		fprintf(bt->out, "unexpected: TIMER EXPIRATION answered %04X\n", sw);
		return -1;
	}
	return 1;
}

void vsim_bipterm_close(struct vsim_bipterm *bt)
{
	close_socket(bt);
}
