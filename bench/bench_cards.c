// SPDX-License-Identifier: GPL-2.0-only
/*
 * Many cards on one host (issue #15): for 1, 16, 256 and 1,000 cards of
 * $VSIM_BENCH_PROFILE (default examples/test-usim.ini), the start-up time
 * and memory per card, and the cost of one APDU (SELECT EF_ICCID by FID,
 * READ BINARY) when the exchanges go round the cards in turn, as a lab's
 * traffic does. Two hosts of the same engine side by side:
 *
 *   embedded   the engine in this process (card_host, volatile cards):
 *              what vsimd's embedded backend does per card; memory is the
 *              growth of this process's resident set
 *   kernel     (--kernel, in the VM: bench/vm/run.sh) cards in vsim.ko,
 *              each with its card fd and an open /dev/vsimN, APDUs by
 *              VSIM_IOC_TRANSMIT; memory is the growth of SUnreclaim +
 *              VmallocUsed
 *
 * $VSIM_BENCH_ITERS APDUs per row (default below). Times are printed,
 * never judged: the exit status is non-zero only for a wrong answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <linux/vsim.h>

#include "common/card_host.h"
#include "common/profile.h"

#define DEFAULT_ITERS	200000UL
#define DEFAULT_PROFILE	"examples/test-usim.ini"
#define MAX_CARDS	1000

static const unsigned int counts[] = { 1, 16, 256, MAX_CARDS };
static const uint8_t sel[] = { 0x00, 0xA4, 0x00, 0x0C, 0x02, 0x2F, 0xE2 };
static const uint8_t rd[] = { 0x00, 0xB0, 0x00, 0x00, 0x0A };

struct row {
	unsigned int cards;
	double start_us;	/* per card: create, power on */
	long long bytes;	/* per card */
	unsigned long apdus;
	double apdu_ns;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* VmRSS of this process, or a meminfo field, in bytes (-1 if absent) */
static long long proc_kb(const char *file, const char *field)
{
	char line[256];
	size_t n = strlen(field);
	long long v = -1;
	FILE *f = fopen(file, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':') {
			v = strtoll(line + n + 1, NULL, 10) * 1024;
			break;
		}
	fclose(f);
	return v;
}

static long long kernel_bytes(void)
{
	return proc_kb("/proc/meminfo", "SUnreclaim") +
	       proc_kb("/proc/meminfo", "VmallocUsed");
}

static int check(const char *what, const uint8_t *r, long rl, long want)
{
	if (rl == want && r[rl - 2] == 0x90 && r[rl - 1] == 0x00)
		return 0;
	fprintf(stderr, "bench_cards: %s: %ld bytes, SW %02X%02X\n", what, rl,
		rl >= 2 ? r[rl - 2] : 0, rl >= 2 ? r[rl - 1] : 0);
	return -1;
}

/* ---- embedded: the engine in this process ---------------------------- */

static int run_embedded(struct row *row, const uint8_t *img, size_t len,
			unsigned long iters)
{
	static struct vsim_host_card cards[MAX_CARDS];
	uint8_t atr[VSIM_ATR_MAX], r[VSIM_RAPDU_MAX];
	unsigned int n = row->cards, i;
	long long rss0 = proc_kb("/proc/self/status", "VmRSS");
	char err[512];
	unsigned long k;
	double t0;
	int bad = 0;

	t0 = now();
	for (i = 0; i < n; i++) {
		if (vsim_host_card_open(&cards[i], img, len, NULL, err,
					sizeof(err))) {
			fprintf(stderr, "bench_cards: card %u: %s\n", i, err);
			n = i;
			bad = -1;
			goto out;
		}
		vsim_card_power_on(cards[i].card, atr, sizeof(atr));
	}
	row->start_us = (now() - t0) * 1e6 / n;
	row->bytes = (proc_kb("/proc/self/status", "VmRSS") - rss0) / n;

	t0 = now();
	for (k = 0; k < iters / 2 && !bad; k++) {
		struct vsim_card *c = cards[k % n].card;

		bad = check("SELECT", r, (long)vsim_card_transact(c, sel, sizeof(sel), r), 2) ||
		      check("READ BINARY", r, (long)vsim_card_transact(c, rd, sizeof(rd), r), 12);
	}
	row->apdus = 2 * k;
	row->apdu_ns = (now() - t0) * 1e9 / (double)row->apdus;
out:
	for (i = 0; i < n; i++)
		vsim_host_card_close(&cards[i]);
	return bad;
}

/* ---- kernel: vsim.ko ---------------------------------------------------- */

static long transmit(int term, const uint8_t *c, size_t len, uint8_t *r)
{
	struct vsim_transmit t = {
		.size = sizeof(t),
		.capdu = (uintptr_t)c,
		.rapdu = (uintptr_t)r,
		.capdu_len = (uint32_t)len,
		.rapdu_max = VSIM_RAPDU_MAX,
	};

	return ioctl(term, VSIM_IOC_TRANSMIT, &t) ? -errno : (long)t.rapdu_len;
}

/* /dev/vsimN, retried while udev (if any) catches up */
static int open_term(unsigned int index)
{
	char path[64];
	int fd, tries;

	snprintf(path, sizeof(path), "/dev/vsim%u", index);
	for (tries = 0; tries < 200; tries++) {
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd >= 0 || errno != ENOENT)
			return fd;
		usleep(10000);
	}
	return -1;
}

static int run_kernel(struct row *row, int ctl, const uint8_t *img,
		      size_t len, unsigned long iters)
{
	static int card_fd[MAX_CARDS], term[MAX_CARDS];
	uint8_t r[VSIM_RAPDU_MAX];
	unsigned int n = row->cards, i;
	long long mem0 = kernel_bytes();
	unsigned long k;
	double t0;
	int bad = 0;

	t0 = now();
	for (i = 0; i < n; i++) {
		struct vsim_new_card req = {
			.size = sizeof(req),
			.flags = VSIM_NEW_CARD_F_VOLATILE,
			.image = (uintptr_t)img,
			.image_len = (uint32_t)len,
		};
		struct vsim_atr a = { .size = sizeof(a) };

		if (ioctl(ctl, VSIM_IOC_NEW_CARD, &req)) {
			fprintf(stderr, "bench_cards: NEW_CARD %u: %s\n", i,
				strerror(errno));
			bad = -1;
			break;
		}
		card_fd[i] = req.fd;
		term[i] = open_term(req.index);
		if (term[i] < 0 || ioctl(term[i], VSIM_IOC_POWER_ON, &a)) {
			fprintf(stderr, "bench_cards: /dev/vsim%u: %s\n",
				req.index, strerror(errno));
			i++;
			bad = -1;
			break;
		}
	}
	n = i;
	if (!bad) {
		row->start_us = (now() - t0) * 1e6 / n;
		row->bytes = (kernel_bytes() - mem0) / n;
		t0 = now();
		for (k = 0; k < iters / 2 && !bad; k++) {
			int t = term[k % n];

			bad = check("SELECT", r, transmit(t, sel, sizeof(sel), r), 2) ||
			      check("READ BINARY", r, transmit(t, rd, sizeof(rd), r), 12);
		}
		row->apdus = 2 * k;
		row->apdu_ns = (now() - t0) * 1e9 / (double)row->apdus;
	}
	for (i = 0; i < n; i++) {
		if (term[i] >= 0)
			close(term[i]);
		close(card_fd[i]);
	}
	return bad;
}

int main(int argc, char **argv)
{
	const char *profile = getenv("VSIM_BENCH_PROFILE");
	const char *env = getenv("VSIM_BENCH_ITERS");
	int kernel = argc == 2 && !strcmp(argv[1], "--kernel");
	struct row rows[sizeof(counts) / sizeof(counts[0])];
	unsigned long iters = DEFAULT_ITERS;
	struct rlimit rl;
	char err[512];
	uint8_t *img;
	size_t len, i;
	int ctl = -1, bad = 0;

	if (argc > 1 && !kernel) {
		fprintf(stderr, "usage: bench_cards [--kernel]\n");
		return 2;
	}
	if (!profile)
		profile = DEFAULT_PROFILE;
	if (env) {
		char *end;

		iters = strtoul(env, &end, 10);
		if (*end || iters < 2) {
			fprintf(stderr, "bench_cards: VSIM_BENCH_ITERS=%s: want an integer >= 2\n", env);
			return 2;
		}
	}
	/* two descriptors a kernel card */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (vsim_profile_compile(profile, &img, &len, err, sizeof(err))) {
		fprintf(stderr, "bench_cards: %s\n", err);
		return 2;
	}
	if (kernel) {
		ctl = open("/dev/vsimx", O_RDWR | O_CLOEXEC);
		if (ctl < 0) {
			fprintf(stderr, "bench_cards: /dev/vsimx: %s\n", strerror(errno));
			free(img);
			return 2;
		}
	}
	memset(rows, 0, sizeof(rows));
	for (i = 0; i < sizeof(counts) / sizeof(counts[0]) && !bad; i++) {
		rows[i].cards = counts[i];
		bad = kernel ? run_kernel(&rows[i], ctl, img, len, iters) :
			       run_embedded(&rows[i], img, len, iters);
	}
	free(img);
	if (ctl >= 0)
		close(ctl);
	if (bad)
		return 1;

	printf("# bench_cards (%s): cards of %s, SELECT EF_ICCID + READ BINARY round the cards in turn\n",
	       kernel ? "vsim.ko, TRANSMIT on /dev/vsimN" : "embedded engine, in-process",
	       profile);
	printf("# memory per card: %s\n", kernel ?
	       "SUnreclaim + VmallocUsed growth" : "growth of this process's VmRSS");
	printf("%-9s %6s %16s %16s %10s %10s\n", "host", "cards",
	       "start-up us/card", "bytes/card", "APDUs", "ns/APDU");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		printf("%-9s %6u %16.1f %16lld %10lu %10.1f\n",
		       kernel ? "kernel" : "embedded", rows[i].cards,
		       rows[i].start_us, rows[i].bytes, rows[i].apdus,
		       rows[i].apdu_ns);
	return 0;
}
