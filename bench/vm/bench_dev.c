// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel path's cost: round trips through /dev/vsimN of a card in
 * vsim.ko, beside a no-op ioctl on the same device as the floor.
 *
 *   VSIM_IOC_GET_ATR          the floor: copy in, copy out, no engine
 *   TRANSMIT 00 00 00 00      TRANSMIT's own cost: copies, the card's
 *                             locks, the engine's dispatch refusing the
 *                             INS at once (6D00): what SELECT+READ adds
 *                             beyond it is the file system's work
 *   TRANSMIT SELECT+READ      two APDUs per iteration, one ioctl each
 *   TRANSMIT AUTHENTICATE     3G Milenage in the kernel, fresh AUTN each time
 *   write()+read() SEL+READ   the shell interface: two syscalls per APDU
 *   TRANSMIT ENVELOPE (agent) the slow path: the ENVELOPE becomes a
 *                             VSIM_EV_SLOW_APDU record that a thread of
 *                             this process (the agent's part) answers at
 *                             once with VSIM_IOC_SLOW_ANSWER: the kernel's
 *                             round trip to the agent, no OTA work in it
 *   TRANSMIT GET IDENTITY A/B SUCI by the card (TS 31.102 §7.5): ECIES
 *                             profile A (X25519) and B (P-256) in the
 *                             kernel (kmod/vsim_ecies.c), on a second card
 *                             from build/images/usim-complete.img with its
 *                             [suci] rewritten to the TS 33.501 Annex C.4
 *                             keys; a tenth of the iterations (a row says
 *                             so when the kernel lacks the curve: 6A81)
 *
 * Each round trip is timed on its own (p50/p99 beside the rate). `make
 * bench` runs it inside the VM with --rows (only the table's rows on
 * stdout, the notes on stderr): bench/vm/run.sh prints them in one table
 * with the PC/SC and the cardem board paths of the same boot. It also runs
 * on a box with vsim.ko loaded, then with its own table header. Without
 * /dev/vsimx it says so and exits 0. The card is VOLATILE
 * (VSIM_NEW_CARD_F_VOLATILE): durable changes (PIN counter, SQN array) are
 * queued as records nobody waits for, so no agent round trip is in the
 * numbers but the slow path's; the agent thread reads and drops them. Times are reported, never judged: the exit status is non-zero
 * only when the card or the device answers wrongly.
 *
 * Card image: $VSIM_BENCH_IMAGE (default build/images/test-usim.img, made
 * by `make`); keys for the network side from $VSIM_BENCH_PROFILE (default
 * examples/test-usim.ini, the profile that image was compiled from).
 * $VSIM_BENCH_ITERS sets the iterations of every row (default below: the
 * guest runs under TCG, a few seconds per row).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <linux/vsim.h>

#include "common/host_crypto.h"
#include "milenage.h"
#include "common/profile.h"

#define DEFAULT_ITERS	100000UL
#define WARMUP_ITERS	1000UL
#define DEFAULT_IMAGE	"build/images/test-usim.img"
#define DEFAULT_PROFILE	"examples/test-usim.ini"
#define CTL_PATH	"/dev/vsimx"

struct row {
	const char *path;
	unsigned long iters;	/* round trips (APDUs, or ioctls for the floor) */
	double secs;
	double *lat;		/* each round trip's time (us), iters of them */
};

static int term = -1;
static uint8_t rapdu[VSIM_RAPDU_MAX];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Room for @n round trips' times in @r (the last run's array is reused). */
static int row_alloc(struct row *r, unsigned long n)
{
	double *lat = realloc(r->lat, n * sizeof(*lat));

	if (!lat) {
		fprintf(stderr, "bench_dev: out of memory\n");
		return -1;
	}
	r->lat = lat;
	return 0;
}

/* TRANSMIT: R-APDU length, or -1 with a message. */
static long transmit(const uint8_t *c, size_t len)
{
	struct vsim_transmit t = {
		.size = sizeof(t),
		.capdu = (uintptr_t)c,
		.rapdu = (uintptr_t)rapdu,
		.capdu_len = len,
		.rapdu_max = sizeof(rapdu),
	};

	if (ioctl(term, VSIM_IOC_TRANSMIT, &t)) {
		perror("bench_dev: VSIM_IOC_TRANSMIT");
		return -1;
	}
	return t.rapdu_len;
}

/* write() one C-APDU, read() its R-APDU: length, or -1 with a message. */
static long write_read(const uint8_t *c, size_t len)
{
	ssize_t w, r;

	w = write(term, c, len);
	if (w != (ssize_t)len) {
		fprintf(stderr, "bench_dev: write: %s\n",
			w < 0 ? strerror(errno) : "short write");
		return -1;
	}
	r = read(term, rapdu, sizeof(rapdu));
	if (r < 0) {
		perror("bench_dev: read");
		return -1;
	}
	return r;
}

static int want_sw(const char *what, long rl, uint8_t sw1, uint8_t sw2)
{
	if (rl >= 2 && rapdu[rl - 2] == sw1 && rapdu[rl - 1] == sw2)
		return 0;
	fprintf(stderr, "bench_dev: %s: got SW %02X%02X (%ld bytes), want %02X%02X\n",
		what, rl >= 2 ? rapdu[rl - 2] : 0, rl >= 2 ? rapdu[rl - 1] : 0,
		rl, sw1, sw2);
	return -1;
}

static int run_get_atr(struct row *r, unsigned long n)
{
	struct vsim_atr a = { .size = sizeof(a) };
	unsigned long i;
	double t0;

	if (row_alloc(r, n))
		return -1;
	t0 = now();
	for (i = 0; i < n; i++) {
		double s = now();

		if (ioctl(term, VSIM_IOC_GET_ATR, &a) || a.len == 0) {
			perror("bench_dev: VSIM_IOC_GET_ATR");
			return -1;
		}
		r->lat[i] = (now() - s) * 1e6;
	}
	r->secs = now() - t0;
	r->path = "/dev/vsimN ioctl GET_ATR (floor: no engine)";
	r->iters = n;
	return 0;
}

/* An INS no card knows: ISO 7816-4 §5.6 6D00 from the engine's dispatch. */
static int run_reject(struct row *r, unsigned long n)
{
	static const uint8_t bad[] = { 0x00, 0x00, 0x00, 0x00 };
	unsigned long i;
	double t0, s;
	long rl;

	if (row_alloc(r, n))
		return -1;
	t0 = now();
	for (i = 0; i < n; i++) {
		s = now();
		rl = transmit(bad, sizeof(bad));
		if (rl != 2 || rapdu[0] != 0x6D || rapdu[1] != 0x00)
			return want_sw("INS 00", rl, 0x6D, 0x00);
		r->lat[i] = (now() - s) * 1e6;
	}
	r->secs = now() - t0;
	r->path = "/dev/vsimN ioctl: INS 00, 6D00 (no files)";
	r->iters = n;
	return 0;
}

/* SELECT EF_AD by FID (P2=0C, no FCP) + READ BINARY 4 bytes, like bench_engine. */
static int run_select_read(struct row *r, unsigned long n, int use_write)
{
	static const uint8_t sel[] = { 0x00, 0xA4, 0x00, 0x0C, 0x02, 0x6F, 0xAD };
	static const uint8_t rd[] = { 0x00, 0xB0, 0x00, 0x00, 0x04 };
	long (*xfer)(const uint8_t *, size_t) = use_write ? write_read : transmit;
	unsigned long i;
	double t0, s;
	long rl;

	if (row_alloc(r, 2 * n))
		return -1;
	t0 = now();
	for (i = 0; i < n; i++) {
		s = now();
		rl = xfer(sel, sizeof(sel));
		if (rl != 2 || rapdu[0] != 0x90 || rapdu[1] != 0x00)
			return want_sw("SELECT 6FAD", rl, 0x90, 0x00);
		r->lat[2 * i] = (now() - s) * 1e6;
		s = now();
		rl = xfer(rd, sizeof(rd));
		if (rl != 6 || rapdu[4] != 0x90 || rapdu[5] != 0x00)
			return want_sw("READ BINARY 4", rl, 0x90, 0x00);
		r->lat[2 * i + 1] = (now() - s) * 1e6;
	}
	r->secs = now() - t0;
	r->path = use_write ? "/dev/vsimN write+read: SELECT, READ BINARY" :
			      "/dev/vsimN ioctl: SELECT, READ BINARY";
	r->iters = 2 * n;
	return 0;
}

/*
 * The agent's part: read every record of the card fd; answer each slow-path
 * record 9000 at once. Runs until the process ends.
 */
static void *agent_thread(void *arg)
{
	static const uint8_t ok[] = { 0x90, 0x00 };
	static uint8_t buf[VSIM_EVENT_MAX];
	const struct vsim_event *ev = (const void *)buf;
	int card = *(const int *)arg;

	for (;;) {
		struct vsim_slow_answer a = {
			.size = sizeof(a),
			.rapdu = (uintptr_t)ok,
			.rapdu_len = sizeof(ok),
		};
		ssize_t n = read(card, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < (ssize_t)sizeof(*ev))
			return NULL;
		if (ev->type != VSIM_EV_SLOW_APDU)
			continue;
		a.seq = ev->seq;
		if (ioctl(card, VSIM_IOC_SLOW_ANSWER, &a))
			perror("bench_dev: VSIM_IOC_SLOW_ANSWER");
	}
}

/* ENVELOPE SMS-PP download, answered by the agent thread: the slow path. */
static int run_envelope(struct row *r, unsigned long n)
{
	static const uint8_t env[] = { 0x80, 0xC2, 0x00, 0x00, 0x05, 0xD1,
				       0x03, 0x01, 0x02, 0x03 };
	unsigned long i;
	double t0, s;
	long rl;

	if (row_alloc(r, n))
		return -1;
	t0 = now();
	for (i = 0; i < n; i++) {
		s = now();
		rl = transmit(env, sizeof(env));
		if (rl != 2 || rapdu[0] != 0x90 || rapdu[1] != 0x00)
			return want_sw("ENVELOPE via the agent", rl, 0x90, 0x00);
		r->lat[i] = (now() - s) * 1e6;
	}
	r->secs = now() - t0;
	r->path = "/dev/vsimN ioctl: ENVELOPE via agent (slow)";
	r->iters = n;
	return 0;
}

/* AUTHENTICATE 3G context (P2=81) with Le: C-APDU and expected RES. */
struct auth_vec {
	uint8_t capdu[5 + 1 + 16 + 1 + 16 + 1];
	uint8_t res[8];
};

/*
 * The network side (TS 33.102 §6.3.2), computed before the clock starts
 * so only the kernel is timed: SQN = SEQ << 5 with IND 0, SEQ = i + 1, so
 * each vector is fresh for the card's SQN array (Annex C.3.2); RAND
 * differs every time.
 */
static struct auth_vec *auth_vectors(const struct vsim_profile *p,
				     unsigned long n)
{
	struct vsim_host_aes *aes = vsim_host_aes_new();
	struct vsim_milenage m = { .aes = vsim_host_aes_encrypt };
	struct auth_vec *v = calloc(n, sizeof(*v));
	unsigned long i;

	if (!aes || !v || vsim_host_aes_setkey(aes, p->k)) {
		fprintf(stderr, "bench_dev: AES or memory failure\n");
		free(v);
		vsim_host_aes_free(aes);
		return NULL;
	}
	m.aes_ctx = aes;
	memcpy(m.opc, p->opc, sizeof(m.opc));
	for (i = 0; i < n; i++) {
		uint8_t *c = v[i].capdu, *rand = c + 6, *autn = c + 23;
		uint8_t ck[16], ik[16], ak[6], ak_s[6], sqn[6], mac_a[8], mac_s[8];
		uint64_t s = (uint64_t)(i + 1) << 5;
		int k;

		for (k = 0; k < 6; k++)
			sqn[k] = (uint8_t)(s >> (8 * (5 - k)));
		for (k = 0; k < 16; k++)
			rand[k] = (uint8_t)((i >> (8 * (k & 7))) ^ (0xA5 + 3 * k));
		vsim_milenage_f2345(&m, rand, v[i].res, ck, ik, ak, ak_s);
		vsim_milenage_f1(&m, rand, sqn, p->amf, mac_a, mac_s);
		for (k = 0; k < 6; k++)
			autn[k] = sqn[k] ^ ak[k];
		memcpy(autn + 6, p->amf, 2);
		memcpy(autn + 8, mac_a, 8);
		c[0] = 0x00;
		c[1] = 0x88;
		c[2] = 0x00;
		c[3] = 0x81;
		c[4] = 0x22;	/* Lc: len RAND, RAND, len AUTN, AUTN */
		c[5] = 0x10;
		c[22] = 0x10;
		c[39] = 0x00;	/* Le */
		memset(ck, 0, sizeof(ck));
		memset(ik, 0, sizeof(ik));
	}
	vsim_host_aes_free(aes);
	return v;
}

static int run_auth(struct row *r, const struct auth_vec *v, unsigned long n)
{
	unsigned long i;
	double t0;

	if (row_alloc(r, n))
		return -1;
	t0 = now();
	for (i = 0; i < n; i++) {
		double s = now();
		long rl = transmit(v[i].capdu, sizeof(v[i].capdu));

		r->lat[i] = (now() - s) * 1e6;

		/* DB 08 RES 10 CK 10 IK (TS 31.102 §7.1.2.1), then 9000 */
		if (rl != 0x35 + 2 || rapdu[0] != 0xDB || rapdu[1] != 8 ||
		    memcmp(rapdu + 2, v[i].res, 8) || rapdu[rl - 2] != 0x90 ||
		    rapdu[rl - 1] != 0x00) {
			fprintf(stderr, "bench_dev: AUTHENTICATE %lu: want DB 08 RES ... 9000, got %ld bytes starting %02X, SW %02X%02X\n",
				i, rl, rl > 0 ? rapdu[0] : 0,
				rl >= 2 ? rapdu[rl - 2] : 0,
				rl >= 2 ? rapdu[rl - 1] : 0);
			return -1;
		}
	}
	r->secs = now() - t0;
	r->path = "/dev/vsimN ioctl: AUTHENTICATE 3G";
	r->iters = n;
	return 0;
}

/* TS 33.501 Annex C.4.3 / C.4.4 home network public keys (B uncompressed) */
static const uint8_t suci_key_a[32] = {
	0x5a, 0x8d, 0x38, 0x86, 0x48, 0x20, 0x19, 0x7c, 0x33, 0x94, 0xb9, 0x26,
	0x13, 0xb2, 0x0b, 0x91, 0x63, 0x3c, 0xbd, 0x89, 0x71, 0x19, 0x27, 0x3b,
	0xf8, 0xe4, 0xa6, 0xf4, 0xee, 0xc0, 0xa6, 0x50,
};
static const uint8_t suci_key_b[65] = {
	0x04, 0x72, 0xda, 0x71, 0x97, 0x62, 0x34, 0xce, 0x83, 0x3a, 0x69, 0x07,
	0x42, 0x58, 0x67, 0xb8, 0x2e, 0x07, 0x4d, 0x44, 0xef, 0x90, 0x7d, 0xfb,
	0x4b, 0x3e, 0x21, 0xc1, 0xc2, 0x25, 0x6e, 0xbc, 0xd1, 0x5a, 0x7d, 0xed,
	0x52, 0xfc, 0xbb, 0x09, 0x7a, 0x4e, 0xd2, 0x50, 0xe0, 0x36, 0xc7, 0xb9,
	0xc8, 0xc7, 0x00, 0x4c, 0x4e, 0xed, 0xc4, 0xf0, 0x68, 0xcd, 0x7b, 0xf8,
	0xd3, 0xf9, 0x00, 0xe3, 0xb4,
};

static void *read_file(const char *path, size_t *len);
static int open_term(unsigned int index);

/*
 * GET IDENTITY on a card of its own with [suci] = @scheme. 0 with the row
 * (iters 0: the kernel has no such curve, said on stderr), or -1.
 */
static int run_get_identity(struct row *r, uint8_t scheme, unsigned long n)
{
	static const uint8_t sel_usim[] = { 0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0,
		0x00, 0x00, 0x00, 0x87, 0x10, 0x02 };
	static const uint8_t verify[] = { 0x00, 0x20, 0x00, 0x01, 0x08,
		'1', '2', '3', '4', 0xFF, 0xFF, 0xFF, 0xFF };
	static const uint8_t get_id[] = { 0x80, 0x78, 0x00, 0x81, 0x00 };
	struct vsim_new_card nc = { .size = sizeof(nc) };
	struct vsim_atr atr = { .size = sizeof(atr) };
	struct vsim_image_header *h;
	int ctl, saved = term, ret = -1;
	unsigned long i;
	size_t len;
	double t0;
	long rl;

	h = read_file("build/images/usim-complete.img", &len);
	if (!h) {
		fprintf(stderr, "bench_dev: build/images/usim-complete.img: cannot read it\n");
		return -1;
	}
	memset(&h->suci, 0, sizeof(h->suci));
	h->suci.flags = VSIM_SUCI_F_ENABLED;
	h->suci.scheme = scheme;
	h->suci.key_id = scheme;
	h->suci.routing[0] = 0xF0;
	h->suci.routing[1] = 0xFF;
	h->suci.key_len = scheme == VSIM_SUCI_PROFILE_A ? 32 : 65;
	memcpy(h->suci.key, scheme == VSIM_SUCI_PROFILE_A ? suci_key_a : suci_key_b,
	       h->suci.key_len);
	nc.flags = VSIM_NEW_CARD_F_VOLATILE;
	nc.image = (uintptr_t)h;
	nc.image_len = len;
	ctl = open(CTL_PATH, O_RDWR | O_CLOEXEC);
	if (ctl < 0 || ioctl(ctl, VSIM_IOC_NEW_CARD, &nc)) {
		perror("bench_dev: GET IDENTITY card");
		free(h);
		return -1;
	}
	free(h);
	close(ctl);
	term = open_term(nc.index);
	if (term < 0 || ioctl(term, VSIM_IOC_POWER_ON, &atr) ||
	    want_sw("SELECT ADF.USIM", transmit(sel_usim, sizeof(sel_usim)), 0x90, 0) ||
	    want_sw("VERIFY PIN1", transmit(verify, sizeof(verify)), 0x90, 0))
		goto out;
	r->path = scheme == VSIM_SUCI_PROFILE_A ? "/dev/vsimN ioctl: GET IDENTITY, profile A" :
						  "/dev/vsimN ioctl: GET IDENTITY, profile B";
	rl = transmit(get_id, sizeof(get_id));
	if (rl == 2 && rapdu[0] == 0x6A && rapdu[1] == 0x81) {
		fprintf(stderr, "# bench_dev: %s: 6A81, the kernel has no such curve (see /sys/module/vsim/parameters/ecies)\n",
			r->path);
		r->iters = 0;
		ret = 0;
		goto out;
	}
	if (row_alloc(r, n))
		goto out;
	t0 = now();
	for (i = 0; i < n; i++) {
		double s = now();

		rl = transmit(get_id, sizeof(get_id));
		r->lat[i] = (now() - s) * 1e6;
		if (rl < 4 || rapdu[0] != 0xA1 || want_sw("GET IDENTITY", rl, 0x90, 0))
			goto out;
	}
	r->secs = now() - t0;
	r->iters = n;
	ret = 0;
out:
	if (term >= 0)
		close(term);
	close(nc.fd);
	term = saved;
	return ret;
}

static void *read_file(const char *path, size_t *len)
{
	struct stat st;
	void *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) || st.st_size <= 0 ||
	    st.st_size > VSIM_IMAGE_MAX_SIZE)
		goto out;
	buf = malloc(st.st_size);
	if (buf && read(fd, buf, st.st_size) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	*len = st.st_size;
out:
	if (fd >= 0)
		close(fd);
	return buf;
}

static int open_term(unsigned int index)
{
	char path[32];
	int tries, fd;

	snprintf(path, sizeof(path), "/dev/vsim%u", index);
	/* devtmpfs creates the node at once; with udev it may lag a little */
	for (tries = 0; tries < 200; tries++) {
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd >= 0 || errno != ENOENT)
			break;
		usleep(10000);
	}
	if (fd < 0)
		fprintf(stderr, "bench_dev: open %s: %s\n", path, strerror(errno));
	return fd;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The columns of bench/vm/run.sh's table (and bench/pcsc/loop.c's). */
static void print_row(struct row *r)
{
	qsort(r->lat, r->iters, sizeof(*r->lat), cmp_double);
	printf("| %-44s | %7lu | %13.0f | %9.2f | %9.2f |\n", r->path, r->iters,
	       (double)r->iters / r->secs, r->lat[r->iters / 2],
	       r->lat[(r->iters * 99) / 100]);
}

int main(int argc, char **argv)
{
	static const uint8_t sel_usim[] = { 0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0,
		0x00, 0x00, 0x00, 0x87, 0x10, 0x02 };
	static const uint8_t verify[] = { 0x00, 0x20, 0x00, 0x01, 0x08,
		'1', '2', '3', '4', 0xFF, 0xFF, 0xFF, 0xFF };
	const char *image = getenv("VSIM_BENCH_IMAGE");
	const char *profile = getenv("VSIM_BENCH_PROFILE");
	const char *env = getenv("VSIM_BENCH_ITERS");
	unsigned long n = DEFAULT_ITERS;
	struct vsim_new_card nc = { .size = sizeof(nc) };
	struct vsim_atr atr = { .size = sizeof(atr) };
	struct auth_vec *vec = NULL;
	struct vsim_profile p;
	static const uint8_t order[] = { 0, 7, 1, 2, 3, 4, 5, 6 };
	struct row rows[8] = { { 0 } };
	pthread_t agent;
	struct utsname u;
	char err[512];
	size_t img_len = 0, i;
	void *img;
	int ctl, bad, rows_only = argc == 2 && !strcmp(argv[1], "--rows");

	if (argc > 1 && !rows_only) {
		fprintf(stderr, "usage: bench_dev [--rows]\n");
		return 2;
	}

	if (!image)
		image = DEFAULT_IMAGE;
	if (!profile)
		profile = DEFAULT_PROFILE;
	if (env) {
		char *end;

		errno = 0;
		n = strtoul(env, &end, 10);
		if (errno || *end || n == 0 || n > 100000000UL) {
			fprintf(stderr, "bench_dev: VSIM_BENCH_ITERS=%s: want an integer 1..100000000\n", env);
			return 2;
		}
	}
	ctl = open(CTL_PATH, O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		if (errno == ENOENT) {
			printf("# bench_dev: skipped: no %s (vsim.ko not loaded; `make bench` runs this in the VM)\n",
			       CTL_PATH);
			return 0;
		}
		fprintf(stderr, "bench_dev: open %s: %s\n", CTL_PATH, strerror(errno));
		return 1;
	}
	img = read_file(image, &img_len);
	if (!img) {
		fprintf(stderr, "bench_dev: %s: cannot read a card image (run make)\n", image);
		return 2;
	}
	if (vsim_profile_load(profile, &p, err, sizeof(err))) {
		fprintf(stderr, "bench_dev: %s\n", err);
		return 2;
	}
	nc.flags = VSIM_NEW_CARD_F_VOLATILE | VSIM_NEW_CARD_F_SLOW_PATH;
	nc.image = (uintptr_t)img;
	nc.image_len = img_len;
	if (ioctl(ctl, VSIM_IOC_NEW_CARD, &nc)) {
		fprintf(stderr, "bench_dev: VSIM_IOC_NEW_CARD(%s): %s\n", image,
			strerror(errno));
		return 1;
	}
	free(img);
	close(ctl);
	if (pthread_create(&agent, NULL, agent_thread, &nc.fd)) {
		fprintf(stderr, "bench_dev: cannot start the agent thread\n");
		return 1;
	}
	term = open_term(nc.index);
	if (term < 0 || ioctl(term, VSIM_IOC_POWER_ON, &atr)) {
		if (term >= 0)
			perror("bench_dev: VSIM_IOC_POWER_ON");
		return 1;
	}
	vec = auth_vectors(&p, n);
	vsim_profile_free(&p);
	if (!vec)
		return 1;

	uname(&u);
	/* --rows: only the table rows on stdout (bench/vm/run.sh prints the rest) */
	fprintf(rows_only ? stderr : stdout,
		"# bench_dev: /dev/vsim%u of vsim.ko on %s %s, volatile card (VSIM_NEW_CARD_F_VOLATILE) from %s\n"
		"# %lu iterations per row (SELECT+READ rows: %lu APDUs); one process, one card; its records read and dropped by an agent thread\n",
		nc.index, u.sysname, u.release, image, n, 2 * n);

	/*
	 * An untimed warm-up of the cheap rows first: under TCG the first
	 * passes through a code path include translating it.
	 */
	bad = want_sw("SELECT ADF.USIM", transmit(sel_usim, sizeof(sel_usim)), 0x90, 0) ||
	      want_sw("VERIFY PIN1", transmit(verify, sizeof(verify)), 0x90, 0) ||
	      run_get_atr(&rows[0], WARMUP_ITERS) ||
	      run_reject(&rows[7], WARMUP_ITERS) ||
	      run_select_read(&rows[1], WARMUP_ITERS, 0) ||
	      run_select_read(&rows[3], WARMUP_ITERS, 1) ||
	      run_envelope(&rows[4], WARMUP_ITERS) ||
	      run_get_atr(&rows[0], n) ||
	      run_reject(&rows[7], n) ||
	      run_select_read(&rows[1], n, 0) ||
	      run_auth(&rows[2], vec, n) ||
	      run_select_read(&rows[3], n, 1) ||
	      run_envelope(&rows[4], n) ||
	      run_get_identity(&rows[5], VSIM_SUCI_PROFILE_A, n / 10 ? n / 10 : 1) ||
	      run_get_identity(&rows[6], VSIM_SUCI_PROFILE_B, n / 10 ? n / 10 : 1);
	free(vec);
	close(term);
	/* the agent thread still reads the card fd: the card ends with us */
	if (!bad && !rows_only) {
		printf("| %-44s | %7s | %13s | %9s | %9s |\n", "path", "iters",
		       "round trips/s", "p50 (us)", "p99 (us)");
		printf("|----------------------------------------------|---------|---------------|-----------|-----------|\n");
	}
	/* the floor, then TRANSMIT's own cost, then what the card does */
	for (i = 0; !bad && i < sizeof(order); i++)
		if (rows[order[i]].iters)
			print_row(&rows[order[i]]);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		free(rows[i].lat);
	return bad ? 1 : 0;
}
