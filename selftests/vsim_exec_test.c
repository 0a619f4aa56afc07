// SPDX-License-Identifier: GPL-2.0-only
/*
 * VSIM_IOC_EXEC on the card fd: the agent's APDUs with ADM rights on a
 * channel of their own (remote file management), the terminal's session
 * left alone, changes queued as records the agent commits itself, and
 * every argument error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vsim_lib.h"

FIXTURE(exec) {
	int ctl, card, term;
	unsigned int idx;
};

FIXTURE_SETUP(exec)
{
	size_t len;
	void *img = vsim_load_image("test-usim.img", &len);

	ASSERT_NE(NULL, img);
	self->ctl = vsim_ctl_open();
	ASSERT_GE(self->ctl, 0);
	/* durable: a terminal's change would wait for an ack */
	ASSERT_EQ(0, vsim_new_card(self->ctl, img, len, 0, &self->card,
				   &self->idx));
	free(img);
	self->term = vsim_term_open(self->idx, 0);
	ASSERT_GE(self->term, 0);
	ASSERT_EQ(0, vsim_power_on(self->term, NULL, NULL));
}

FIXTURE_TEARDOWN(exec)
{
	close(self->term);
	close(self->card);
	close(self->ctl);
}

TEST_F(exec, adm_rights_on_its_own_channel)
{
	struct vsim_event ev;
	uint8_t r[VSIM_RAPDU_MAX], data[64];
	uint32_t n = 0;

	/* the terminal has EF_ICCID current and no PIN verified */
	ASSERT_EQ(0x9000, vsim_sw_hex(self->term, "00A4000C022FE2"));
	/* the agent reads EF_IMSI without PIN1 */
	ASSERT_EQ(0x9000, vsim_exec_sw(self->card, VSIM_PRIV_ADM, "00A4040C07A0000000871002"));
	ASSERT_EQ(0x9000, vsim_exec_sw(self->card, VSIM_PRIV_ADM, "00A4000C026F07"));
	ASSERT_EQ(0, vsim_exec_hex(self->card, VSIM_PRIV_ADM, "00B0000009", r, &n));
	ASSERT_EQ(11, n);
	EXPECT_EQ(0, memcmp(r, "\x08\x09\x10\x10\x10\x32\x54\x76\x98\x90\x00", 11));
	/* and writes ADM-only EF_ICCID: queued as a record, no ack awaited */
	ASSERT_EQ(0x9000, vsim_exec_sw(self->card, VSIM_PRIV_ADM, "00A4000C023F00"));
	ASSERT_EQ(0x9000, vsim_exec_sw(self->card, VSIM_PRIV_ADM, "00A4000C022FE2"));
	ASSERT_EQ(0x9000, vsim_exec_sw(self->card, VSIM_PRIV_ADM, "00D600000199"));
	do {
		ASSERT_GE(vsim_read_event(self->card, &ev, data, sizeof(data)), 0);
	} while (ev.type != VSIM_EV_PERSIST);
	EXPECT_EQ(0, ev.flags & VSIM_EV_F_ACK);
	EXPECT_EQ(1, ev.len);
	EXPECT_EQ(0x99, data[0]);
	/* the terminal's current file is still EF_ICCID, now changed */
	EXPECT_EQ(0x9000, vsim_sw_hex(self->term, "00B0000001"));
	/* the terminal itself may not write it */
	EXPECT_EQ(0x6982, vsim_sw_hex(self->term, "00D600000198"));
	/* the agent only has channel 0; terminal privilege is the terminal's */
	EXPECT_EQ(0x6881, vsim_exec_sw(self->card, VSIM_PRIV_ADM, "01A4000C023F00"));
	EXPECT_EQ(0x6982, vsim_exec_sw(self->card, VSIM_PRIV_TERMINAL, "00D600000198"));
}

/* R-APDU as hex, for comparing answers whole */
static const char *hex_of(const uint8_t *r, uint32_t n, char *out)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02X", r[i]);
	out[2 * n] = 0;
	return out;
}

/*
 * The agent's commands run in a session of their own: a class A0 answer
 * waits in the agent's own GET RESPONSE buffer, its MANAGE CHANNEL never
 * reaches the terminal's channels, its VERIFY never the terminal's PINs.
 */
TEST_F(exec, agent_session_leaves_terminal_alone)
{
	uint8_t c[16], r[VSIM_RAPDU_MAX];
	char h[2 * VSIM_RAPDU_MAX + 1];
	uint32_t n = 0;
	int len;

	/* the terminal: DF_GSM's answer kept for its GET RESPONSE, channel 1 */
	ASSERT_EQ(0x9f16, vsim_sw_hex(self->term, "A0A40000027F20"));
	/* the agent: the MF in class A0, then its own GET RESPONSE */
	ASSERT_EQ(0x9f16, vsim_exec_sw(self->card, VSIM_PRIV_ADM, "A0A40000023F00"));
	ASSERT_EQ(0, vsim_exec_hex(self->card, VSIM_PRIV_ADM, "A0C0000016", r, &n));
	EXPECT_STREQ("000000003F00010000000000090102040400838A838A9000",
		     hex_of(r, n, h));
	/* the terminal's GET RESPONSE: DF_GSM (7F20), not the agent's MF */
	len = vsim_hex("A0C0000016", c, sizeof(c));
	ASSERT_EQ(0x18, vsim_transmit(self->term, c, len, r));
	EXPECT_STREQ("000000007F200200000000000901000B0400838A838A9000",
		     hex_of(r, 0x18, h));

	/* channels: the terminal opens 1; the agent can neither close nor open */
	len = vsim_hex("0070000001", c, sizeof(c));
	ASSERT_EQ(3, vsim_transmit(self->term, c, len, r));
	EXPECT_EQ(1, r[0]);
	EXPECT_EQ(0x6881, vsim_exec_sw(self->card, VSIM_PRIV_ADM, "0070800100"));
	EXPECT_EQ(0x6881, vsim_exec_sw(self->card, VSIM_PRIV_ADM, "0070000001"));
	EXPECT_EQ(0x9000, vsim_sw_hex(self->term, "01A4000C022FE2"));
	ASSERT_EQ(3, vsim_transmit(self->term, c, len, r));
	EXPECT_EQ(2, r[0]);

	/* PIN1 verified by the agent is not verified for the terminal */
	EXPECT_EQ(0x63c3, vsim_sw_hex(self->term, "00200001"));
	EXPECT_EQ(0x9000, vsim_exec_sw(self->card, VSIM_PRIV_ADM,
				       "002000010831323334FFFFFFFF"));
	EXPECT_EQ(0x63c3, vsim_sw_hex(self->term, "00200001"));
}

TEST_F(exec, bad_arguments)
{
	uint8_t c[VSIM_CAPDU_MAX + 1] = { 0 }, r[VSIM_RAPDU_MAX];
	struct vsim_exec ex = {
		.size = sizeof(ex),
		.privilege = VSIM_PRIV_ADM,
		.capdu = (uintptr_t)c,
		.rapdu = (uintptr_t)r,
		.capdu_len = 4,
		.rapdu_max = VSIM_RAPDU_MAX,
	};
	struct vsim_exec bad;

	bad = ex, bad.size = 4;
	EXPECT_EQ(-1, ioctl(self->card, VSIM_IOC_EXEC, &bad));
	EXPECT_EQ(EINVAL, errno);
	bad = ex, bad.privilege = 7;
	EXPECT_EQ(-1, ioctl(self->card, VSIM_IOC_EXEC, &bad));
	EXPECT_EQ(EINVAL, errno);
	bad = ex, bad.reserved = 1;
	EXPECT_EQ(-1, ioctl(self->card, VSIM_IOC_EXEC, &bad));
	EXPECT_EQ(EINVAL, errno);
	bad = ex, bad.rapdu_max = VSIM_RAPDU_MAX - 1;
	EXPECT_EQ(-1, ioctl(self->card, VSIM_IOC_EXEC, &bad));
	EXPECT_EQ(EINVAL, errno);
	bad = ex, bad.capdu_len = VSIM_CAPDU_MAX + 1;
	EXPECT_EQ(-1, ioctl(self->card, VSIM_IOC_EXEC, &bad));
	EXPECT_EQ(EMSGSIZE, errno);
	bad = ex, bad.capdu = 16;
	EXPECT_EQ(-1, ioctl(self->card, VSIM_IOC_EXEC, &bad));
	EXPECT_EQ(EFAULT, errno);
	bad = ex, bad.rapdu = 16;
	EXPECT_EQ(-1, ioctl(self->card, VSIM_IOC_EXEC, &bad));
	EXPECT_EQ(EFAULT, errno);
	/* on the terminal's device it is no command at all */
	EXPECT_EQ(-1, ioctl(self->term, VSIM_IOC_EXEC, &ex));
	EXPECT_EQ(ENOTTY, errno);
	/* terminal privilege on a card powered off */
	ASSERT_EQ(0, vsim_power_off(self->term));
	bad = ex, bad.privilege = VSIM_PRIV_TERMINAL;
	EXPECT_EQ(-1, ioctl(self->card, VSIM_IOC_EXEC, &bad));
	EXPECT_EQ(EIO, errno);
	/* ADM privilege works powered off */
	EXPECT_EQ(0, ioctl(self->card, VSIM_IOC_EXEC, &ex));
}

VSIM_TEST_MAIN
