/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by the vsim kselftests: a small card image built in
 * memory (so most tests need no vsimctl), card creation, the terminal's
 * ioctls, the agent's records. The tests run against a loaded vsim.ko, in
 * the VM (scripts/vmtest) or on a real box (make -C selftests run_tests).
 */
#ifndef VSIM_SELFTEST_LIB_H
#define VSIM_SELFTEST_LIB_H

#include <stddef.h>
#include <stdint.h>
#include <linux/vsim.h>

#define VSIM_CTL_PATH		"/dev/vsimx"
#define VSIM_PARAM_TIMEOUT	"/sys/module/vsim/parameters/persist_timeout_ms"

/* The in-memory image: MF, EF_ICCID 2FE2 (10 bytes), EF 2F00 (32 bytes). */
#define VSIM_TEST_ICCID		"89860012345678901234"
#define VSIM_TEST_FID		0x2f00
#define VSIM_TEST_PIN1		"1234"

/* Returns a malloc()ed image of *len bytes. */
void *vsim_test_image(size_t *len);
/* The image vsimctl compiled (build/images/test-usim.img), or NULL. */
void *vsim_load_image(const char *name, size_t *len);

/* Open /dev/vsimx: fd or -errno. */
int vsim_ctl_open(void);
/* VSIM_IOC_NEW_CARD: 0 or -errno; *card_fd and *index on success. */
int vsim_new_card(int ctl, const void *img, size_t len, uint32_t flags,
		  int *card_fd, unsigned int *index);
/* Open /dev/vsimN: fd or -errno. Retries briefly while udev creates it. */
int vsim_term_open(unsigned int index, int flags);

/* Terminal ioctls: 0 or -errno. */
int vsim_power_on(int term, uint8_t *atr, unsigned int *atr_len);
int vsim_power_off(int term);
/* TRANSMIT: R-APDU length or -errno. @rapdu holds VSIM_RAPDU_MAX bytes. */
int vsim_transmit(int term, const uint8_t *capdu, size_t len, uint8_t *rapdu);
/* TRANSMIT and return SW1SW2 (or -errno). */
int vsim_sw(int term, const uint8_t *capdu, size_t len);
/* Parse "00A40004022FE2" (spaces allowed) into buf: length or -1. */
int vsim_hex(const char *hex, uint8_t *buf, size_t max);
/* TRANSMIT a hex C-APDU: SW1SW2 or -errno. */
int vsim_sw_hex(int term, const char *hex);

/* The agent: next record (data in @data, up to @max bytes): length or -errno. */
int vsim_read_event(int card, struct vsim_event *ev, uint8_t *data,
		    size_t max);
/* VSIM_IOC_EXEC of a hex C-APDU: 0 with the R-APDU in @r (*@rlen bytes,
 * VSIM_RAPDU_MAX room), or -errno. */
int vsim_exec_hex(int card, uint32_t priv, const char *hex, uint8_t *r,
		  uint32_t *rlen);
/* The same, returning SW1SW2 or -errno. */
int vsim_exec_sw(int card, uint32_t priv, const char *hex);

/* Ack record @seq with @status: 0 or -errno. */
int vsim_ack(int card, uint64_t seq, int32_t status);

/*
 * The kernel log from now on: vsim_kmsg_open() gives an fd at the end of
 * /dev/kmsg (or -errno); vsim_kmsg_trouble() reads what was logged since
 * and returns how many lines show WARNING, BUG, a stack dump or a
 * duplicate sysfs name, printing them.
 */
int vsim_kmsg_open(void);
int vsim_kmsg_trouble(int kmsg);

/* The cards that exist now (entries in /sys/class/vsim), or -errno. */
int vsim_count_cards(void);
/* Read/write a module parameter; -errno on failure. */
int vsim_param_get(const char *path);
int vsim_param_set(const char *path, int value);

#ifdef TEST_HARNESS_MAIN
/*
 * TEST_HARNESS_MAIN, but the whole program is skipped when the module is
 * not loaded: 6.1's harness runs a test body even after SKIP() in its
 * fixture's setup.
 */
#include <stdio.h>
#include <unistd.h>
#define VSIM_TEST_MAIN \
	static void __attribute__((constructor)) \
	__constructor_order_last(void) \
	{ \
		if (!__constructor_order) \
			__constructor_order = _CONSTRUCTOR_ORDER_BACKWARD; \
	} \
	int main(int argc, char **argv) \
	{ \
		if (access(VSIM_CTL_PATH, F_OK)) { \
			printf("TAP version 13\n1..0 # SKIP vsim.ko not loaded (no %s)\n", \
			       VSIM_CTL_PATH); \
			return KSFT_SKIP; \
		} \
		return test_harness_run(argc, argv); \
	}
#endif

#endif /* VSIM_SELFTEST_LIB_H */
