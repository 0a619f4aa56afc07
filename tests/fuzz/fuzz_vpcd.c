// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: vpcd framing (agent/vsimd/vpcd.c): what pcscd's vpcd
 * driver sends vsimd, arriving in pieces on a socket pair and reassembled
 * by vpcd_handle(), each frame answered as bridge.c does (a control byte,
 * or a C-APDU for the example card).
 *
 * Input, a sequence of reads: n (1 byte), then n bytes the peer writes
 * before vsimd reads; the peer closes at the end. Invariant: every frame
 * handed on lies inside the bytes received, with the length its header
 * said.
 */
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>

#include "common/card_host.h"
#include "fuzz.h"
#include "vsimd/vpcd.h"

#define T "fuzz_vpcd"

static struct vsim_host_card host;
static struct vsim_vpcd v;
static uint8_t *saved_state;
static size_t saved_len;
static size_t frames;

static int on_frame(void *ctx, const uint8_t *frame, size_t len,
		    uint8_t *reply, size_t *reply_len)
{
	uint8_t atr[VSIM_ATR_MAX], *c;

	(void)ctx;
	if (frame < v.buf + 2 || frame + len > v.buf + v.have)
		fuzz_die(T, "frame outside the received bytes");
	if (frame[-2] << 8 != (int)(len & 0xff00) || frame[-1] != (len & 0xff))
		fuzz_die(T, "frame length is not its header's");
	frames++;
	*reply_len = 0;
	if (len == 1) {
		switch (frame[0]) {
		case VPCD_CTRL_OFF:
			vsim_card_power_off(host.card);
			break;
		case VPCD_CTRL_ON:
		case VPCD_CTRL_RESET:
			vsim_card_power_off(host.card);
			vsim_card_power_on(host.card, atr, sizeof(atr));
			break;
		case VPCD_CTRL_ATR:
			*reply_len = vsim_card_power_on(host.card, reply,
							VSIM_ATR_MAX);
			break;
		default:
			return -1;	/* bridge.c drops the connection */
		}
		return 0;
	}
	if (!vsim_card_powered(host.card))
		return 0;
	c = malloc(len ? len : 1);
	if (!c)
		fuzz_die(T, "out of memory");
	memcpy(c, frame, len);
	*reply_len = vsim_card_transact(host.card, c, len, reply);
	free(c);
	return 0;
}

static void setup(void)
{
	uint8_t *img;
	const uint8_t *st;
	char err[512];
	size_t len;

	img = fuzz_image("build/images/test-usim.img", &len);
	if (vsim_host_card_open(&host, img, len, NULL, err, sizeof(err))) {
		fprintf(stderr, T ": %s\n", err);
		exit(2);
	}
	free(img);
	st = vsim_card_state(host.card, &saved_len);
	saved_state = malloc(saved_len);
	if (!saved_state || vpcd_init(&v, "127.0.0.1", 1))
		fuzz_die(T, "out of memory");
	memcpy(saved_state, st, saved_len);
}

static void drain(int fd)
{
	uint8_t buf[4096];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t pos = 0;
	int sv[2];

	if (!host.card)
		setup();
	vsim_card_power_off(host.card);
	if (vsim_card_load_state(host.card, saved_state, saved_len))
		fuzz_die(T, "load_state refused the saved blob");
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv))
		fuzz_die(T, "socketpair");
	v.fd = sv[0];
	v.state = VPCD_CONNECTED;
	v.have = 0;
	while (pos < size && v.state == VPCD_CONNECTED) {
		size_t n = data[pos++];

		if (n > size - pos)
			n = size - pos;
		if (n && send(sv[1], data + pos, n, MSG_NOSIGNAL) != (ssize_t)n)
			fuzz_die(T, "send to the socket pair");
		pos += n;
		vpcd_handle(&v, POLLIN, on_frame, NULL);
		drain(sv[1]);
	}
	if (v.state == VPCD_CONNECTED) {
		shutdown(sv[1], SHUT_WR);
		if (vpcd_handle(&v, POLLIN, on_frame, NULL) != 1)
			fuzz_die(T, "a closed peer was not noticed");
	}
	if (v.fd >= 0)
		fuzz_die(T, "dropped connection left its fd");
	close(sv[1]);
	return 0;
}
