// SPDX-License-Identifier: GPL-2.0-only
/*
 * cardem-gadget: an emulated SIMtrace2 board with a scripted modem behind
 * it, for the tests of vsimd's cardem bridge (docs/modems.md). It plugs a
 * FunctionFS gadget into a UDC (dummy_hcd in the VM: the one fake part, a
 * real board cannot reach the VM), waits until the host has configured
 * the board, plays a scenario as the modem and unplugs. Exit 0 when the
 * scenario ended as --expect says and the host broke no protocol rule.
 *
 *   cardem-gadget --udc UDC --name NAME --serial S --profile P --imei IMEI
 *                 [--pid HEX] [--expect allowed|refused] [--guard SEC]
 *                 [--scenario startup|reset-mid|unplug-mid|garbage|bench|hold]
 *                 [--count N]
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "board.h"
#include "cardem/msg.h"
#include "ffs.h"
#include "common/modem.h"
#include "common/profile.h"

struct opts {
	struct ffs_gadget g;
	const char *profile, *imei, *expect, *scenario;
	int guard_s;
	long count;
};

/* The host must have configured the board as a SIMtrace2 host does (§3). */
static int host_checks(struct board *b)
{
	int bad = 0;

	if (!b->config_seen || !(b->features & ST2_FEAT_STATUS_IRQ)) {
		fprintf(stderr, "cardem-gadget: the host did not enable STATUS interrupts\n");
		bad = 1;
	}
	if (!b->atr_set || !b->atr_before_select) {
		fprintf(stderr, "cardem-gadget: the host did not set the ATR before SIM_SELECT\n");
		bad = 1;
	}
	if (b->unexpected) {
		fprintf(stderr, "cardem-gadget: the host sent %u unexpected message(s), last: %s\n",
			b->unexpected, b->last_unexpected);
		bad = 1;
	}
	return bad;
}

/* Bad messages a broken board could send; the host must refuse each. */
static int send_garbage(struct board *b)
{
	static const uint8_t hdr[5] = { 0x00, 0xa4, 0x00, 0x04, 0x02 };
	uint8_t m[128];
	size_t n;
	int rc = 0;

	/* an unknown class, and an unknown CARDEM type */
	n = st2_build(m, sizeof(m), 0x55, 1, (const uint8_t *)"xx", 2);
	rc |= board_send_raw(b, false, m, n);
	n = st2_build(m, sizeof(m), ST2_CLASS_CARDEM, 0x3f, NULL, 0);
	rc |= board_send_raw(b, false, m, n);
	/* msg_len beyond the transfer: a truncated TPDU header message */
	n = st2_build_data(m, sizeof(m), ST2_CEMU_RX_DATA, ST2_DATA_F_TPDU_HDR, hdr, 5);
	rc |= board_send_raw(b, false, m, n - 4);
	/* a transfer shorter than a header */
	rc |= board_send_raw(b, false, m, 3);
	/* msg_len smaller than the header */
	m[6] = 4, m[7] = 0;
	rc |= board_send_raw(b, false, m, 13);
	/* data_len larger than the data present */
	n = st2_build_data(m, sizeof(m), ST2_CEMU_RX_DATA, ST2_DATA_F_TPDU_HDR, hdr, 5);
	m[ST2_HDR_LEN + 4] = 200;
	rc |= board_send_raw(b, false, m, n);
	/* a "header" of 3 bytes */
	n = st2_build_data(m, sizeof(m), ST2_CEMU_RX_DATA, ST2_DATA_F_TPDU_HDR, hdr, 3);
	rc |= board_send_raw(b, false, m, n);
	/* data with no TPDU in progress */
	n = st2_build_data(m, sizeof(m), ST2_CEMU_RX_DATA, ST2_DATA_F_FINAL, hdr, 5);
	rc |= board_send_raw(b, false, m, n);
	/* a STATUS of the wrong size on the interrupt endpoint */
	n = st2_build(m, sizeof(m), ST2_CLASS_CARDEM, ST2_CEMU_STATUS, hdr, 5);
	rc |= board_send_raw(b, true, m, n);
	/* trailing bytes after a valid message: the rest is garbage */
	n = st2_build(m, sizeof(m), ST2_CLASS_CARDEM, ST2_CEMU_PTS,
		      (const uint8_t *)"\x01\xff\0\0\0\0\0\xff\0\0\0\0\0", 13);
	memset(m + n, 0xee, 5);
	rc |= board_send_raw(b, false, m, n + 5);
	return rc;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One bench row in bench/vm/run.sh's table (the same columns as bench/pcsc/loop.c). */
static void bench_row(const char *label, long n, uint64_t total_ns, uint64_t *lat)
{
	qsort(lat, (size_t)n, sizeof(*lat), cmp_u64);
	printf("| %-44s | %7ld | %13.0f | %9.2f | %9.2f |\n", label, n,
	       (double)n * 1e9 / (double)total_ns, (double)lat[n / 2] / 1e3,
	       (double)lat[(n * 99) / 100] / 1e3);
}

/*
 * make bench: TPDU round trips modem -> board -> USB -> vsimd -> card and
 * back, a case-2 READ BINARY of EF_ICCID (header; PB, 10 data bytes and SW
 * in one FINAL TX_DATA) and a case-3 UPDATE BINARY of EF_NETPAR (header;
 * PB_AND_RX; RX_DATA{FINAL} with the data; SW). A round trip is the
 * modem's whole command, header to SW2. An untimed warm-up of a tenth of
 * the iterations first (under TCG the first passes translate code). The
 * times are printed, never judged: non-zero only when an answer is wrong.
 */
struct apdu {
	const uint8_t *c;
	size_t len;
};

static int bench(struct board *b, long count)
{
	static const uint8_t sel_iccid[] = { 0x00, 0xa4, 0x00, 0x0c, 0x02, 0x2f, 0xe2 };
	static const uint8_t rd[] = { 0x00, 0xb0, 0x00, 0x00, 0x0a };
	static const uint8_t sel_usim[] = { 0x00, 0xa4, 0x04, 0x0c, 0x07, 0xa0, 0x00,
					    0x00, 0x00, 0x87, 0x10, 0x02 };
	/* EF_NETPAR's update needs PIN1 (examples/test-usim.ini: PIN 1234) */
	static const uint8_t verify[] = { 0x00, 0x20, 0x00, 0x01, 0x08, '1', '2', '3',
					  '4', 0xff, 0xff, 0xff, 0xff };
	static const uint8_t sel_netpar[] = { 0x00, 0xa4, 0x00, 0x0c, 0x02, 0x6f, 0xc4 };
	static const uint8_t upd[] = { 0x00, 0xd6, 0x00, 0x00, 0x04, 0xde, 0xad, 0xbe, 0xef };
	static const struct apdu setup_rd[] = {
		{ sel_iccid, sizeof(sel_iccid) },
	}, setup_upd[] = {
		{ sel_usim, sizeof(sel_usim) }, { verify, sizeof(verify) },
		{ sel_netpar, sizeof(sel_netpar) },
	};
	const struct {
		const char *label;
		const uint8_t *c;
		size_t len, rlen;
		const struct apdu *setup;
		size_t nsetup;
	} rows[] = {
		{ "board->USB->vsimd: READ BINARY (case 2)", rd, sizeof(rd), 12,
		  setup_rd, sizeof(setup_rd) / sizeof(setup_rd[0]) },
		{ "board->USB->vsimd: UPDATE BINARY (case 3)", upd, sizeof(upd), 2,
		  setup_upd, sizeof(setup_upd) / sizeof(setup_upd[0]) },
	};
	uint64_t *lat = calloc((size_t)count, sizeof(*lat));
	uint8_t atr[64], r[300];
	int rc = 1;

	if (!lat || board_power_on(b, atr, sizeof(atr)) < 0)
		goto out;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct apdu *su = rows[i].setup;
		long warm = count / 10 ? count / 10 : 1;
		uint64_t t0 = 0;
		int n;

		for (size_t k = 0; k < rows[i].nsetup; k++) {
			n = board_transmit(b, su[k].c, su[k].len, r, sizeof(r));
			if (n != 2 || r[0] != 0x90 || r[1] != 0x00) {
				fprintf(stderr, "cardem-gadget: bench: set-up of %s: SW %02X%02X\n",
					rows[i].label, n >= 2 ? r[n - 2] : 0, n >= 2 ? r[n - 1] : 0);
				goto out;
			}
		}
		for (long k = -warm; k < count; k++) {
			uint64_t s;

			if (k == 0)
				t0 = now_ns();
			s = now_ns();
			n = board_transmit(b, rows[i].c, rows[i].len, r, sizeof(r));
			if (n != (int)rows[i].rlen || r[n - 2] != 0x90 || r[n - 1] != 0x00) {
				fprintf(stderr, "cardem-gadget: bench: %s: %d bytes, SW %02X%02X\n",
					rows[i].label, n, n >= 2 ? r[n - 2] : 0,
					n >= 2 ? r[n - 1] : 0);
				goto out;
			}
			if (k >= 0)
				lat[k] = now_ns() - s;
		}
		bench_row(rows[i].label, count, now_ns() - t0, lat);
	}
	rc = 0;
out:
	free(lat);
	return rc;
}

static int scenario(struct opts *o, struct board *b, struct vsim_modem *m)
{
	/* VERIFY PIN1 with 8 bytes of data: the host asks for them (PB_AND_RX) */
	static const uint8_t verify_hdr[5] = { 0x00, 0x20, 0x00, 0x01, 0x08 };
	uint8_t atr[64];
	int rc;

	if (!strcmp(o->scenario, "bench"))
		return bench(b, o->count);
	if (!strcmp(o->scenario, "hold")) {
		/* the card powered and the board plugged until stdin ends */
		char buf[64];

		if (board_power_on(b, atr, sizeof(atr)) < 0)
			return 1;
		printf("holding the card until stdin ends\n");
		while (fread(buf, 1, sizeof(buf), stdin) > 0)
			;
		return board_power_off(b) ? 1 : 0;
	}
	/* garbage once the host has configured the board, before the modem starts */
	if (!strcmp(o->scenario, "garbage") &&
	    (board_wait_remote(b) || send_garbage(b)))
		return 1;
	if (!strcmp(o->scenario, "reset-mid") || !strcmp(o->scenario, "unplug-mid")) {
		if (board_power_on(b, atr, sizeof(atr)) < 0 ||
		    board_header_only(b, verify_hdr))
			return 1;
		printf("interrupted VERIFY PIN1 after its procedure byte\n");
		if (!strcmp(o->scenario, "unplug-mid"))
			return 0;	/* main() unplugs mid-command */
		/* the modem resets the card in the middle of the command */
	}
	rc = vsim_modem_attach(m);
	fflush(stdout);
	if (rc == VSIM_MODEM_ERROR)
		return 1;
	if (strcmp(o->expect, rc == VSIM_MODEM_ALLOWED ? "allowed" : "refused")) {
		fprintf(stderr, "cardem-gadget: attach %s, expected %s\n",
			rc == VSIM_MODEM_ALLOWED ? "allowed" : "refused", o->expect);
		return 1;
	}
	/*
	 * An instruction no card knows: the host must answer 6D00 at once
	 * (REFERENCE-cardem.md §7), not ask for data or leave the modem
	 * waiting for a procedure byte.
	 */
	{
		static const uint8_t unknown[5] = { 0x00, 0xfe, 0x00, 0x00, 0x10 };
		uint8_t r[300];
		int n = board_transmit(b, unknown, sizeof(unknown), r, sizeof(r));

		if (n != 2 || r[0] != 0x6d || r[1] != 0x00) {
			fprintf(stderr, "cardem-gadget: unknown INS answered badly\n");
			return 1;
		}
		printf("unknown INS: 6D00\n");
	}
	/* the modem switches off: the card sees its power go */
	return board_power_off(b) ? 1 : 0;
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "udc", required_argument, NULL, 'u' },
		{ "name", required_argument, NULL, 'n' },
		{ "serial", required_argument, NULL, 's' },
		{ "pid", required_argument, NULL, 'P' },
		{ "profile", required_argument, NULL, 'p' },
		{ "imei", required_argument, NULL, 'i' },
		{ "expect", required_argument, NULL, 'e' },
		{ "scenario", required_argument, NULL, 'S' },
		{ "guard", required_argument, NULL, 'g' },
		{ "count", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	o->g.pid = ST2_PID_SIMTRACE2;
	snprintf(o->g.udc, sizeof(o->g.udc), "dummy_udc.0");
	snprintf(o->g.name, sizeof(o->g.name), "cardem0");
	snprintf(o->g.serial, sizeof(o->g.serial), "vsim-test-0");
	o->expect = "allowed";
	o->scenario = "startup";
	o->guard_s = 60;
	o->count = 1000;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'u':
			snprintf(o->g.udc, sizeof(o->g.udc), "%s", optarg);
			break;
		case 'n':
			snprintf(o->g.name, sizeof(o->g.name), "%s", optarg);
			break;
		case 's':
			snprintf(o->g.serial, sizeof(o->g.serial), "%s", optarg);
			break;
		case 'P':
			o->g.pid = (uint16_t)strtoul(optarg, NULL, 16);
			break;
		case 'p':
			o->profile = optarg;
			break;
		case 'i':
			o->imei = optarg;
			break;
		case 'e':
			o->expect = optarg;
			break;
		case 'S':
			o->scenario = optarg;
			break;
		case 'g':
			o->guard_s = atoi(optarg);
			break;
		case 'c':
			o->count = atol(optarg);
			break;
		default:
			return -1;
		}
	}
	if (!o->profile || !o->imei || optind != argc || o->count < 1 ||
	    (strcmp(o->expect, "allowed") && strcmp(o->expect, "refused")))
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct vsim_profile prof;
	struct vsim_modem m = { 0 };
	struct board b;
	char err[512];
	int rc = 1;

	if (parse(argc, argv, &o)) {
		fprintf(stderr, "usage: cardem-gadget --profile P --imei IMEI [--udc UDC] [--name N]\n"
				"       [--serial S] [--pid HEX] [--expect allowed|refused] [--guard SEC]\n"
				"       [--scenario startup|reset-mid|unplug-mid|garbage|bench|hold] [--count N]\n");
		return 2;
	}
	if (vsim_profile_load(o.profile, &prof, err, sizeof(err))) {
		fprintf(stderr, "cardem-gadget: %s\n", err);
		return 2;
	}
	if (vsim_modem_set_imei(&m, o.imei, false)) {
		fprintf(stderr, "cardem-gadget: bad IMEI %s\n", o.imei);
		vsim_profile_free(&prof);
		return 2;
	}
	m.prof = &prof;
	m.cat = true;
	m.out = stdout;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (ffs_gadget_start(&o.g))
		goto out;
	if (board_start(&b, &o.g, o.guard_s)) {
		ffs_gadget_stop(&o.g);
		goto out;
	}
	m.io.ctx = &b;
	m.io.power_on = board_power_on;
	m.io.transmit = board_transmit;
	printf("board %s (1d50:%04x) plugged into %s\n", o.g.serial, o.g.pid, o.g.udc);
	rc = scenario(&o, &b, &m);
	if (host_checks(&b))
		rc = 1;
	ffs_gadget_unplug(&o.g);
	board_stop(&b);
	ffs_gadget_stop(&o.g);
	printf("board %s unplugged: %s\n", o.g.serial, rc ? "FAIL" : "ok");
out:
	vsim_profile_free(&prof);
	return rc;
}
