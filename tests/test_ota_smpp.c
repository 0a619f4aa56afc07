// SPDX-License-Identifier: GPL-2.0-only
/*
 * The OTA server's SMPP ESME (agent/ota-server/smpp.c) against a scripted
 * SMSC in a child process: many deliver_sm carrying an optional parameter
 * (SMPP 3.4 §5.3, here user_message_reference), each a card's request.
 * libsmpp34 allocates a list for the TLVs at every unpack; the ESME frees
 * it: the heap must not grow with the number of PDUs (issue #12: about
 * 1 KiB per deliver_sm was lost).
 */
#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "ota-server/smpp.h"

#define N_DELIVER 200

static int xread(int fd, uint8_t *p, size_t n)
{
	while (n) {
		ssize_t r = read(fd, p, n);

		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* One PDU's header: length, command id, status, sequence (§3.2). */
static size_t header(uint8_t *b, size_t len, uint32_t id, uint32_t seq)
{
	uint32_t v[4] = { htonl((uint32_t)len), htonl(id), 0, htonl(seq) };

	memcpy(b, v, 16);
	return 16;
}

/* Read a PDU; its command id and sequence number. */
static int read_pdu(int fd, uint32_t *id, uint32_t *seq)
{
	uint8_t b[2048];
	uint32_t len;

	if (xread(fd, b, 4))
		return -1;
	len = (uint32_t)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
	if (len < 16 || len > sizeof(b) || xread(fd, b + 4, len - 4))
		return -1;
	*id = (uint32_t)b[4] << 24 | b[5] << 16 | b[6] << 8 | b[7];
	*seq = (uint32_t)b[12] << 24 | b[13] << 16 | b[14] << 8 | b[15];
	return 0;
}

static void smsc(int lfd)
{
	static const uint8_t ud[] = { 0x02, 0x70, 0x00, 0xAA, 0xBB };
	uint8_t b[512];
	uint32_t id, seq;
	size_t n;
	int fd = accept(lfd, NULL, NULL), i;

	if (fd < 0 || read_pdu(fd, &id, &seq) || id != 0x00000009)
		_exit(1);
	n = header(b, 16 + 2, 0x80000009, seq);	/* bind_transceiver_resp */
	memcpy(b + n, "x", 2);
	if (write(fd, b, 18) != 18)
		_exit(1);
	for (i = 0; i < N_DELIVER; i++) {
		n = 16;
		b[n++] = 0;				/* service_type "" */
		b[n++] = 1;				/* source ton: international */
		b[n++] = 1;				/* npi: E.164 */
		memcpy(b + n, "15550100001", 12);
		n += 12;
		b[n++] = 0, b[n++] = 0, b[n++] = 0;	/* dest ton, npi, "" */
		b[n++] = 0x40;				/* esm_class: UDHI */
		b[n++] = 0x7f, b[n++] = 0;		/* protocol id, priority */
		b[n++] = 0, b[n++] = 0;			/* schedule, validity "" */
		b[n++] = 0, b[n++] = 0;			/* registered, replace */
		b[n++] = 0xf6, b[n++] = 0;		/* data coding, default msg */
		b[n++] = sizeof(ud);
		memcpy(b + n, ud, sizeof(ud));
		n += sizeof(ud);
		/* TLV user_message_reference (§5.3.2.17): 0204, length 2 */
		b[n++] = 0x02, b[n++] = 0x04, b[n++] = 0, b[n++] = 2;
		b[n++] = (uint8_t)(i >> 8), b[n++] = (uint8_t)i;
		header(b, n, 0x00000005, 1000 + (uint32_t)i);
		if (write(fd, b, n) != (ssize_t)n ||
		    read_pdu(fd, &id, &seq) || id != 0x80000005 ||
		    seq != 1000 + (uint32_t)i)
			_exit(2);
	}
	if (read_pdu(fd, &id, &seq) || id != 0x00000006)	/* unbind */
		_exit(3);
	header(b, 16, 0x80000006, seq);
	if (write(fd, b, 16) != 16)
		_exit(1);
	close(fd);
	_exit(0);
}

TEST(many_deliver_sm_with_tlvs)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	struct ota_smpp *s = NULL;
	char hp[32], err[256] = "", from[32];
	uint8_t ud[256];
	size_t len, before = 0, grown;
	int lfd, i, st;
	pid_t pid;

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_GE(lfd, 0);
	ASSERT_EQ(0, bind(lfd, (struct sockaddr *)&sa, sizeof(sa)));
	ASSERT_EQ(0, listen(lfd, 1));
	ASSERT_EQ(0, getsockname(lfd, (struct sockaddr *)&sa, &sl));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		smsc(lfd);
	close(lfd);
	snprintf(hp, sizeof(hp), "127.0.0.1:%u", ntohs(sa.sin_port));
	ASSERT_EQ(0, ota_smpp_open(hp, "vsim", "pw", "+15550100001", &s, err,
				   sizeof(err))) TH_LOG("%s", err);
	for (i = 0; i < N_DELIVER; i++) {
		if (i == 10)	/* past any first-use allocation */
			before = mallinfo2().uordblks;
		ASSERT_EQ(1, ota_smpp_wait_request(s, 5000, ud, sizeof(ud), &len,
						   from, sizeof(from)));
		ASSERT_EQ(5U, len);
		ASSERT_EQ(0xBB, ud[4]);
		ASSERT_STREQ("+15550100001", from);
	}
	grown = mallinfo2().uordblks - before;
	EXPECT_GT(4096U, grown) TH_LOG("heap grew %zu bytes over %d deliver_sm",
				       grown, N_DELIVER - 10);
	ota_smpp_close(s);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) TH_LOG("SMSC status %d", st);
}

TEST_HARNESS_MAIN
