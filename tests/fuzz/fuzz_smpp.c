// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: SMPP 3.4 PDUs from an SMSC (agent/ota-server/smpp.c
 * on agent/common/smpp.c, unpacked by libsmpp34). ota-server/smpp.c is
 * compiled into this file so that its session struct can sit on a socket
 * pair (vsim_smpp_adopt) instead of a TCP connection; the code under
 * test is unchanged.
 *
 * Input: a mode byte, then the bytes the SMSC sends (the peer closes at
 * the end). Even mode: the server waiting for cards' requests
 * (ota_smpp_wait_request, until nothing more comes); odd: one secured SMS
 * out as submit_sm and the PoR back (ota_smpp_transport).
 */
#include "../../agent/ota-server/smpp.c"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz.h"
#include "ota/sms.h"

#define T "fuzz_smpp"

static uint8_t env[1][OTA_ENVELOPE_MAX];
static size_t elen[1];

/* One ENVELOPE with an SMS-DELIVER carrying a (made-up) command packet. */
static void setup(void)
{
	static const uint8_t udh[] = { 0x02, 0x70, 0x00 };
	static const uint8_t pkt[] = {
		0x00, 0x10, 0x0d, 0x00, 0x00, 0x00, 0x00, 0xb0, 0x00, 0x10,
		0, 0, 0, 0, 0, 0, 0x00, 0xa4, 0x00, 0x04,
	};
	uint8_t tpdu[OTA_TPDU_MAX];
	struct ota_addr a;
	int n;

	ota_addr_from_string("+4912345", &a);
	n = ota_sms_build(false, &a, udh, sizeof(udh), pkt, sizeof(pkt), tpdu,
			  sizeof(tpdu));
	if (n < 0)
		fuzz_die(T, "cannot build the SMS");
	n = ota_envelope_build(tpdu, (size_t)n, env[0], sizeof(env[0]));
	if (n < 0)
		fuzz_die(T, "cannot build the ENVELOPE");
	elen[0] = (size_t)n;
}

static void drain(int fd)
{
	uint8_t buf[4096];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ota_smpp s = { .ton = 1, .msisdn = "4912345" };
	uint8_t ud[VSIM_SMPP_SM_MAX + 1], por[VSIM_SMPP_SM_MAX + 1];
	char from[64];
	size_t len;
	int sv[2], ret, i;

	if (!elen[0])
		setup();
	if (size < 1)
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		fuzz_die(T, "socketpair");
	/* one write: the pair's buffer (wmem_default, some 200 KiB) holds
	 * more than libFuzzer's inputs (-max_len: 4096 unless told) */
	if (size > 1 && write(sv[1], data + 1, size - 1) != (ssize_t)(size - 1))
		fuzz_die(T, "write to the socket pair");
	shutdown(sv[1], SHUT_WR);
	s.smpp = vsim_smpp_adopt(sv[0]);
	if (!s.smpp)
		fuzz_die(T, "out of memory");
	if (data[0] & 1) {
		ret = ota_smpp_transport(&s, env, elen, 1, por, sizeof(por));
		if (ret > (int)sizeof(por))
			fuzz_die(T, "PoR longer than its buffer");
	} else {
		for (i = 0; i < 64; i++) {
			ret = ota_smpp_wait_request(&s, 0, ud, sizeof(ud), &len,
						    from, sizeof(from));
			if (ret <= 0)
				break;
			if (len > sizeof(ud) || strlen(from) >= sizeof(from))
				fuzz_die(T, "request outside its buffer");
		}
	}
	/* unbind: what is left of the input is read as the SMSC's answer */
	vsim_smpp_close(s.smpp);
	drain(sv[1]);
	close(sv[1]);
	return 0;
}
