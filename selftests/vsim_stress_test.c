// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stress (issue #12): many cards at once, each used from several threads
 * by both sides. Terminals transmit, write, read, poll and power-cycle;
 * agents read, ack (late, wrong, or not at all), answer the slow path
 * (racing its timeout), EXEC, GET_STATE/GET_STATS and queue proactive
 * commands; fuzzers send every ioctl number of the UAPI and unknown ones to
 * every kind of fd with NULL, unmapped, read-only and half-mapped pointers
 * and mutated structs; a reaper closes card fds mid-transmit and creates
 * new cards; the module parameters flip; signals interrupt the waits;
 * delete_module() is tried all along. Every call's errno must be one the
 * UAPI documents for it, every thread must finish, the kernel log must stay
 * clean, the card count must return to 0, and (VSIM_KO set) the module
 * must unload and load again once everything is closed.
 *
 * What a call may fail with (docs/uapi.md); any other errno fails the test:
 *   TRANSMIT              EIO (powered off by another thread), ENODEV (the
 *                         card fd closed), EINTR (signal)
 *   write/read /dev/vsimN ENODEV, EINTR
 *   POWER_ON, POWER_OFF   ENODEV, EINTR; RESET: also EIO; GET_ATR: ENODEV
 *   open /dev/vsimN again EBUSY; ENODEV/ENOENT once that card is gone
 *   read card fd          EAGAIN (always O_NONBLOCK), EINTR
 *   ack, SLOW_ANSWER      ENOENT (the wait ended)
 *   EXEC                  EINTR; as the terminal also EIO, EBUSY
 *   GET_STATE, GET_STATS  EINTR; ENOSPC for a buffer made too small
 *   QUEUE_PROACTIVE       ENOSPC (queue full), EINTR; EOPNOTSUPP (held
 *                         for a profile that lacks it)
 *   NEW_CARD              nothing (EBUSY only beyond max_cards, tested)
 *   delete_module         EAGAIN or EBUSY while anything is open
 *   a parameter           EINVAL, ERANGE for junk only
 *   broken calls          EFAULT, EINVAL, EMSGSIZE, E2BIG, EOPNOTSUPP,
 *                         ENOSPC, ENOENT, EIO, EBUSY, ENODEV, EINTR; never
 *                         success with a read-only struct; ENOTTY exactly
 *                         for a number the fd does not know
 *
 * VSIM_STRESS_SECONDS sets the length of the run (default 20).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vsim_lib.h"

#define PARAM_DIR	"/sys/module/vsim/parameters"
#define PARAM_SLOW	PARAM_DIR "/slow_timeout_ms"
#define PARAM_MAX	PARAM_DIR "/max_cards"
#define NSLOTS		8		/* cards in play at any time */
#define DEAF_SLOT	(NSLOTS - 1)	/* its agent hardly ever reads */
#define N_TERM		3
#define N_AGENT		2
#define N_FUZZ		2
#define N_OTHER		6	/* reaper, parameters, killer, slow pair, signals */
#define SLOW_MAX_ENV	100000		/* envelopes the slow-race pair sends */
#define DEFAULT_SECONDS	20
/* a thread still running this long after the end has hung */
#define JOIN_GRACE_S	20

/* ---- what went wrong, from any thread ---------------------------------- */

static atomic_uint unexpected;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

/* errno sets: bit e stands for errno e (all the ones we expect are < 128) */
typedef unsigned __int128 errset;
#define E(x)		((errset)1 << (x))
#define OK		E(0)

/* Counts every surprise, prints each kind (call, errno) once. */
static void bad(const char *what, int err)
{
	static char seen[32][80];
	static int nseen;
	char key[80];
	int i;

	atomic_fetch_add(&unexpected, 1);
	snprintf(key, sizeof(key), "%.70s/%d", what, err);
	pthread_mutex_lock(&log_lock);
	for (i = 0; i < nseen; i++)
		if (!strcmp(seen[i], key))
			break;
	if (i == nseen && nseen < 32) {
		strcpy(seen[nseen++], key);
		printf("# unexpected: %s: %s (%d)\n", what,
		       err ? strerror(err) : "success", err);
		fflush(stdout);
	}
	pthread_mutex_unlock(&log_lock);
}

/* @ret is the call's return (< 0: errno is the error); @ok the errno set */
static int check(const char *what, long ret, errset ok)
{
	int err = ret < 0 ? errno : 0;

	if (err >= 128 || !(ok & E(err)))
		bad(what, err);
	return err;
}

/* ---- shared state -------------------------------------------------------- */

struct slot {
	pthread_mutex_t lock;
	int card, term;		/* -1 while the reaper replaces them */
	unsigned int idx;
	uint32_t flags;
	atomic_int in_transmit;
};

static struct {
	int ctl;
	void *img;
	size_t img_len;
	struct slot slots[NSLOTS];
	atomic_bool stop;
	atomic_ulong ops;
	atomic_ulong enodev_mid_transmit;
	atomic_ulong rmmod_refused;
	atomic_int max_queued;		/* the most records seen waiting */
	atomic_int rmmod_errno;
	atomic_ulong cards_made;
	atomic_ulong slow_answered, slow_late;
	char params[4][200];	/* writable parameters */
	int param_old[4];
	int nparams;
	/* the slow-race pair: envelope i's SW, and what its answer got */
	int slow_card, slow_term;
	int slow_sw[SLOW_MAX_ENV];
	int slow_ans[SLOW_MAX_ENV];	/* 0 none, 1 accepted, 2 ENOENT */
	atomic_int slow_sent;
} S;

/* A fuzzer's own pages: RW, then RO, then PROT_NONE. */
struct pages {
	uint8_t *rw, *ro, *none;
};

static const unsigned int uapi_cmds[] = {
	VSIM_IOC_NEW_CARD, VSIM_IOC_POWER_ON, VSIM_IOC_POWER_OFF,
	VSIM_IOC_RESET, VSIM_IOC_GET_ATR, VSIM_IOC_TRANSMIT, VSIM_IOC_EXEC,
	VSIM_IOC_GET_STATE, VSIM_IOC_GET_STATS, VSIM_IOC_SLOW_ANSWER,
	VSIM_IOC_QUEUE_PROACTIVE,
};

static unsigned int rnd(unsigned int *seed, unsigned int n)
{
	return n ? rand_r(seed) % n : 0;
}

/* Half the time one of two hot cards: races need company. */
static struct slot *pick_slot(unsigned int *seed)
{
	return &S.slots[rnd(seed, 2) ? rnd(seed, 2) : rnd(seed, NSLOTS)];
}

/*
 * The agents' pick: the last card's agent hardly ever reads, so its queue
 * fills (1024 records: drops, LOST, 6581, 9300) and is drained now and then.
 */
static struct slot *pick_agent_slot(unsigned int *seed)
{
	struct slot *s = pick_slot(seed);

	if (s == &S.slots[DEAF_SLOT] && rnd(seed, 50))
		s = &S.slots[rnd(seed, DEAF_SLOT)];
	return s;
}

static void count_op(void)
{
	atomic_fetch_add_explicit(&S.ops, 1, memory_order_relaxed);
}

static void on_signal(int sig)
{
}

/*
 * A private fd for the slot's card or terminal, -1 if it has none now;
 * @idx (may be NULL): N of that card's /dev/vsimN.
 */
static int slot_dup_idx(struct slot *s, int which_term, unsigned int *idx)
{
	int fd;

	pthread_mutex_lock(&s->lock);
	fd = which_term ? s->term : s->card;
	fd = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 0) : -1;
	if (idx)
		*idx = s->idx;
	pthread_mutex_unlock(&s->lock);
	return fd;
}

static int slot_dup(struct slot *s, int which_term)
{
	return slot_dup_idx(s, which_term, NULL);
}

/* Card fds are always O_NONBLOCK: a dup never blocks a card's end. */
static int make_card(uint32_t flags, int *card, unsigned int *idx, int *term)
{
	int ret = vsim_new_card(S.ctl, S.img, S.img_len, flags, card, idx);

	if (ret) {
		errno = -ret;
		check("NEW_CARD", -1, 0);
		return ret;
	}
	atomic_fetch_add(&S.cards_made, 1);
	fcntl(*card, F_SETFL, O_NONBLOCK);
	*term = vsim_term_open(*idx, 0);
	if (*term < 0) {
		errno = -*term;
		check("open /dev/vsimN of a new card", -1, 0);
	}
	return 0;
}

/* ---- APDUs ------------------------------------------------------------- */

static const char *const apdus[] = {
	"00A4000C023F00",		/* SELECT MF */
	"00A4000C022F00",		/* SELECT EF 2F00 */
	"00A4000C022FE2",		/* SELECT EF_ICCID */
	"00A4040C07A0000000871002",	/* SELECT ADF.USIM (partial AID) */
	"00B0000008",			/* READ BINARY */
	"00D6000004A1A2A3A4",		/* UPDATE BINARY: durable */
	"00200001083132333435FFFFFF",	/* VERIFY PIN1, maybe wrong: durable */
	"002000010831323334FFFFFFFF",
	"80F2000000",			/* STATUS */
	"0084000008",			/* GET CHALLENGE */
	"801000000401000020",		/* TERMINAL PROFILE */
	"8012000010",			/* FETCH */
	"80C2000005D103010203",		/* ENVELOPE SMS-PP: slow path */
	"80C2000009D30782020181900101",	/* ENVELOPE MENU SELECTION */
	"00C0000010",			/* GET RESPONSE */
	"0070000000",			/* MANAGE CHANNEL open */
	"0070800100",			/* ... close 1 */
	"00B2010400",			/* READ RECORD */
	"0088008122" "10000102030405060708090A0B0C0D0E0F"
	"10000102030405060708090A0B0C0D0E0F",	/* AUTHENTICATE */
};

/* A C-APDU into @c: from the list, mutated, or random bytes. */
static size_t make_apdu(unsigned int *seed, uint8_t *c)
{
	unsigned int k = rnd(seed, 10);
	int n;

	if (k < 7) {
		n = vsim_hex(apdus[rnd(seed, sizeof(apdus) / sizeof(apdus[0]))],
			     c, VSIM_CAPDU_MAX);
		if (k == 6 && n > 0)
			c[rnd(seed, n)] ^= 1 << rnd(seed, 8);
		return n;
	}
	n = 1 + rnd(seed, k == 9 ? VSIM_CAPDU_MAX : 12);
	for (int i = 0; i < n; i++)
		c[i] = rand_r(seed);
	return n;
}

/* ---- terminals ------------------------------------------------------------ */

static void term_op(unsigned int *seed, struct slot *s)
{
	uint8_t c[VSIM_CAPDU_MAX], r[VSIM_RAPDU_MAX];
	struct vsim_atr a = { .size = sizeof(a) };
	unsigned int k = rnd(seed, 100), idx;
	int fd = slot_dup_idx(s, 1, &idx);
	char path[96];
	size_t n;
	int ret;

	if (fd < 0)
		return;
	if (s == &S.slots[DEAF_SLOT] && k < 25) {
		/* power records for a card whose agent hardly reads: it fills */
		for (int i = 0; i < 32; i++) {
			ret = ioctl(fd, VSIM_IOC_POWER_ON, &a);
			check("POWER_ON (burst)", ret, OK | E(ENODEV) | E(EINTR));
		}
		k = rnd(seed, 100);
	}
	if (k < 55) {
		n = make_apdu(seed, c);
		atomic_fetch_add(&s->in_transmit, 1);
		ret = vsim_transmit(fd, c, n, r);
		atomic_fetch_sub(&s->in_transmit, 1);
		errno = -ret;
		/* TRANSMIT: powered off (EIO), card gone, signal */
		check("TRANSMIT", ret, OK | E(EIO) | E(ENODEV) | E(EINTR));
		if (ret == -ENODEV)
			atomic_fetch_add(&S.enodev_mid_transmit, 1);
		if (ret >= 0 && (ret < 2 || ret > VSIM_RAPDU_MAX))
			bad("TRANSMIT: R-APDU length", 0);
	} else if (k < 65) {
		n = make_apdu(seed, c);
		ret = write(fd, c, n);
		check("write(/dev/vsimN)", ret, OK | E(ENODEV) | E(EINTR));
		ret = read(fd, r, sizeof(r));
		check("read(/dev/vsimN)", ret, OK | E(ENODEV) | E(EINTR));
	} else if (k < 72) {
		ret = ioctl(fd, VSIM_IOC_POWER_ON, &a);
		check("POWER_ON", ret, OK | E(ENODEV) | E(EINTR));
	} else if (k < 75) {
		ret = ioctl(fd, VSIM_IOC_RESET, &a);
		check("RESET", ret, OK | E(EIO) | E(ENODEV) | E(EINTR));
	} else if (k < 77) {
		ret = ioctl(fd, VSIM_IOC_POWER_OFF);
		check("POWER_OFF", ret, OK | E(ENODEV) | E(EINTR));
	} else if (k < 82) {
		ret = ioctl(fd, VSIM_IOC_GET_ATR, &a);
		check("GET_ATR", ret, OK | E(ENODEV));
	} else if (k < 86) {
		struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };

		ret = poll(&p, 1, rnd(seed, 3));
		check("poll(/dev/vsimN)", ret, OK | E(EINTR));
		if (ret > 0 && !(p.revents & (POLLOUT | POLLHUP)))
			bad("poll(/dev/vsimN): neither POLLOUT nor POLLHUP", 0);
	} else if (k < 90) {
		/* every card and terminal at once, while the reaper works */
		struct pollfd p[2 * NSLOTS];
		int i, n = 0;

		for (i = 0; i < 2 * NSLOTS; i++) {
			p[n].fd = slot_dup(&S.slots[i / 2], i & 1);
			p[n].events = POLLIN;
			if (p[n].fd >= 0)
				n++;
		}
		ret = poll(p, n, rnd(seed, 5));
		check("poll(all cards)", ret, OK | E(EINTR));
		for (i = 0; i < n; i++) {
			if (p[i].revents & POLLNVAL)
				bad("poll(all cards): POLLNVAL", 0);
			close(p[i].fd);
		}
	} else if (k < 95) {
		/* sysfs attributes while the card may be going */
		static const char *const attrs[] = {
			"iccid", "powered", "durable", "apdus", "auth_ok",
			"auth_fail", "binding", "queued",
		};
		unsigned int attr = rnd(seed, 8);
		int sfd;

		snprintf(path, sizeof(path), "/sys/class/vsim/vsim%u/%s",
			 idx, attrs[attr]);
		sfd = open(path, O_RDONLY | O_CLOEXEC);
		if (sfd >= 0) {
			ret = read(sfd, path, sizeof(path) - 1);
			check("read sysfs", ret, OK | E(EINTR) | E(ENODEV));
			close(sfd);
			/* docs/uapi.md: at most 1024 records wait, whatever happens */
			if (ret > 0 && attr == 7) {
				int q, max;

				path[ret] = '\0';
				q = atoi(path);
				if (q > 1024)
					bad("sysfs queued: above 1024", 0);
				max = atomic_load(&S.max_queued);
				while (q > max &&
				       !atomic_compare_exchange_weak(&S.max_queued, &max, q))
					;
			}
		}
	} else {
		/*
		 * The one opener: while our dup keeps the terminal open, a
		 * second open is EBUSY; ENODEV/ENOENT once the card went, and
		 * a new card may have its index by then.
		 */
		snprintf(path, sizeof(path), "/dev/vsim%u", idx);
		ret = open(path, O_RDWR | O_CLOEXEC);
		check("second open(/dev/vsimN)", ret,
		      OK | E(EBUSY) | E(ENODEV) | E(ENOENT));
		if (ret >= 0) {
			/* only when our card is gone (gone stays gone) */
			if (!ioctl(fd, VSIM_IOC_GET_ATR, &a))
				bad("second open(/dev/vsimN) while the first is open", 0);
			close(ret);
		}
	}
	close(fd);
	count_op();
}

static void *term_thread(void *arg)
{
	unsigned int seed = (uintptr_t)arg * 7919 + time(NULL);

	while (!atomic_load(&S.stop))
		term_op(&seed, pick_slot(&seed));
	return NULL;
}

/* ---- agents --------------------------------------------------------------- */

static int slow_answer(int card, uint64_t seq, const void *r, uint32_t len)
{
	struct vsim_slow_answer a = {
		.size = sizeof(a),
		.seq = seq,
		.rapdu = (uintptr_t)r,
		.rapdu_len = len,
	};

	return ioctl(card, VSIM_IOC_SLOW_ANSWER, &a);
}

static int queue_proactive(int card, uint8_t type, uint8_t flags)
{
	static const uint8_t text[] = { 0x8d, 0x03, 0x04, 'h', 'i' };
	static const uint8_t menu[] = { 0x85, 0x01, 'm', 0x0f, 0x02, 0x01, 'a' };
	struct vsim_proactive_cmd p = {
		.size = sizeof(p),
		.type = type,
		.dest = 0x82,
		.flags = flags,
		.tlvs = (uintptr_t)(type == 0x25 ? menu : text),
		.tlvs_len = type == 0x25 ? sizeof(menu) : sizeof(text),
	};

	return ioctl(card, VSIM_IOC_QUEUE_PROACTIVE, &p);
}

static void agent_op(unsigned int *seed, struct slot *s, uint8_t *buf,
		     int epfd)
{
	struct vsim_event *ev = (struct vsim_event *)buf;
	unsigned int k = rnd(seed, 100);
	int fd = slot_dup(s, 0);
	int ret;

	if (fd < 0)
		return;
	if (k < 50) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		ret = poll(&p, 1, rnd(seed, 5));
		check("poll(card)", ret, OK | E(EINTR));
		ret = read(fd, buf, VSIM_EVENT_MAX);
		check("read(card)", ret, OK | E(EAGAIN) | E(EINTR));
		if (ret > 0 && ret != (int)(sizeof(*ev) + ev->len))
			bad("read(card): record length", 0);
		if (ret > 0 && ev->type == VSIM_EV_PERSIST &&
		    ev->flags & VSIM_EV_F_ACK && rnd(seed, 10)) {
			if (!rnd(seed, 4))
				usleep(rnd(seed, 30000));
			ret = vsim_ack(fd, ev->seq, rnd(seed, 5) ? 0 : -EIO);
			errno = -ret;
			/* ENOENT: the wait timed out or was interrupted */
			check("ack", ret, OK | E(ENOENT));
		}
		if (ret > 0 && ev->type == VSIM_EV_SLOW_APDU && rnd(seed, 8)) {
			if (!rnd(seed, 3))
				usleep(rnd(seed, 60000));
			ret = slow_answer(fd, ev->seq, "\xaa\x90\x00", 3);
			check("SLOW_ANSWER", ret, OK | E(ENOENT));
		}
	} else if (k < 60) {
		uint8_t c[VSIM_CAPDU_MAX], r[VSIM_RAPDU_MAX];
		struct vsim_exec x = {
			.size = sizeof(x),
			.privilege = rnd(seed, 2),
			.capdu = (uintptr_t)c,
			.rapdu = (uintptr_t)r,
			.rapdu_max = sizeof(r),
		};

		x.capdu_len = make_apdu(seed, c);
		ret = ioctl(fd, VSIM_IOC_EXEC, &x);
		/* EIO, EBUSY: as the terminal, card off or its command waits */
		check("EXEC", ret, OK | E(EINTR) |
		      (x.privilege == VSIM_PRIV_TERMINAL ? E(EIO) | E(EBUSY) : 0));
		if (!ret && (x.rapdu_len < 2 || x.rapdu_len > VSIM_RAPDU_MAX))
			bad("EXEC: R-APDU length", 0);
	} else if (k < 70) {
		struct vsim_state st = {
			.size = sizeof(st),
			.buf = (uintptr_t)buf,
			.len = rnd(seed, 2) ? VSIM_STATE_MAX_SIZE : rnd(seed, 64),
		};

		bool small = st.len < 64;

		ret = ioctl(fd, VSIM_IOC_GET_STATE, &st);
		/* ENOSPC: the buffer was too small on purpose */
		check("GET_STATE", ret, OK | E(EINTR) | (small ? E(ENOSPC) : 0));
	} else if (k < 78) {
		struct vsim_stats st = { .size = sizeof(st) };

		ret = ioctl(fd, VSIM_IOC_GET_STATS, &st);
		check("GET_STATS", ret, OK | E(EINTR));
	} else if (k < 88) {
		bool held = rnd(seed, 3) == 0;

		ret = queue_proactive(fd, held ? 0x25 : 0x21,
				      held ? VSIM_PROACTIVE_F_PROFILE : 0);
		/* ENOSPC: queue (4) full; EOPNOTSUPP: the profile lacks it */
		check("QUEUE_PROACTIVE", ret, OK | E(ENOSPC) | E(EINTR) |
		      (held ? E(EOPNOTSUPP) : 0));
	} else if (k < 94) {
		/* acks and answers for records nobody waits for */
		ret = vsim_ack(fd, 1ULL << 40, 0);
		errno = -ret;
		check("ack of an unknown seq", ret, E(ENOENT));
		ret = slow_answer(fd, 1ULL << 40, "\x90\x00", 2);
		check("SLOW_ANSWER of an unknown seq", ret, E(ENOENT));
	} else if (k < 97) {
		struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };

		ret = poll(&p, 1, 0);
		check("poll(card)", ret, OK | E(EINTR));
		if (ret == 1 && !(p.revents & POLLOUT))
			bad("poll(card): no POLLOUT", 0);
	} else {
		/*
		 * epoll keeps its entry on the card's wait queues after the
		 * dup is closed, until the file goes: as the card goes.
		 */
		struct epoll_event ee = { .events = EPOLLIN | EPOLLOUT }, out[8];
		int tfd = slot_dup(s, 1);

		ret = epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ee);
		check("epoll_ctl(card)", ret, OK | E(EEXIST));
		if (tfd >= 0) {
			ret = epoll_ctl(epfd, EPOLL_CTL_ADD, tfd, &ee);
			check("epoll_ctl(/dev/vsimN)", ret, OK | E(EEXIST));
			close(tfd);
		}
		ret = epoll_wait(epfd, out, 8, rnd(seed, 3));
		check("epoll_wait", ret, OK | E(EINTR));
	}
	close(fd);
	count_op();
}

static void *agent_thread(void *arg)
{
	unsigned int seed = (uintptr_t)arg * 104729 + time(NULL);
	uint8_t *buf = malloc(VSIM_STATE_MAX_SIZE + VSIM_EVENT_MAX);
	int epfd = epoll_create1(EPOLL_CLOEXEC);

	if (!buf || epfd < 0) {
		bad("agent setup", errno);
		return NULL;
	}
	while (!atomic_load(&S.stop))
		agent_op(&seed, pick_agent_slot(&seed), buf, epfd);
	close(epfd);
	free(buf);
	return NULL;
}

/* ---- fuzzers: every ioctl number, bad pointers, wrong fds ------------------ */

/* An argument pointer: good, NULL, kernel, unmapped, read-only, half-mapped. */
static void *fuzz_ptr(unsigned int *seed, const struct pages *pg, size_t len)
{
	switch (rnd(seed, 9)) {
	case 0:
		return NULL;
	case 1:
		return (void *)(uintptr_t)(8 + rnd(seed, 4096));
	case 2:
		return (void *)0xffff888000000000ULL;	/* kernel memory */
	case 3:
		return pg->none + rnd(seed, 64);	/* PROT_NONE */
	case 4:
		return pg->ro + rnd(seed, 64);		/* read-only */
	case 5:		/* the end of the RW page runs into the RO one */
		return pg->rw + 4096 - 1 - rnd(seed, len < 4096 ? len : 4096);
	case 6:		/* the end of the RO page runs into PROT_NONE */
		return pg->ro + 4096 - 1 - rnd(seed, len < 4096 ? len : 4096);
	default:
		return pg->rw + rnd(seed, 1024);
	}
}

/* A struct of the command's shape with one field broken, or garbage. */
static void fuzz_struct(unsigned int *seed, const struct pages *pg,
			unsigned int cmd, uint8_t *p)
{
	unsigned int size = _IOC_SIZE(cmd), i;
	uint32_t *w = (uint32_t *)p;
	uint64_t *q = (uint64_t *)p;

	for (i = 0; i < 512; i++)
		p[i] = rand_r(seed);
	if (size < 8 || size > 256 || rnd(seed, 4) == 0)
		return;
	/* mostly sane: a known size, zero reserved, pointers into scratch */
	memset(p, 0, size);
	w[0] = size;
	for (i = 1; i < size / 8; i++)
		q[i] = (uintptr_t)fuzz_ptr(seed, pg, 64);
	for (i = 2; i < size / 4; i++)
		if (rnd(seed, 3) == 0)
			w[i] = rnd(seed, 2) ? rand_r(seed) : rnd(seed, 300);
	if (rnd(seed, 2))
		w[rnd(seed, size / 4)] ^= 1u << rnd(seed, 32);
	/*
	 * Half a pointer changed may point into this process (a stack, the
	 * heap): the kernel would write there. Only our pages, or nowhere.
	 */
	for (i = 1; i < size / 8; i++)
		if (q[i] >> 32 == (uintptr_t)pg->rw >> 32 &&
		    (q[i] < (uintptr_t)pg->rw ||
		     q[i] >= (uintptr_t)pg->rw + 3 * 4096))
			q[i] = (uintptr_t)pg->none;
}

static bool known_on(int kind, unsigned int cmd)
{
	switch (cmd) {
	case VSIM_IOC_NEW_CARD:
		return kind == 0;
	case VSIM_IOC_POWER_ON: case VSIM_IOC_POWER_OFF: case VSIM_IOC_RESET:
	case VSIM_IOC_GET_ATR: case VSIM_IOC_TRANSMIT:
		return kind == 2;
	case VSIM_IOC_EXEC: case VSIM_IOC_GET_STATE: case VSIM_IOC_GET_STATS:
	case VSIM_IOC_SLOW_ANSWER: case VSIM_IOC_QUEUE_PROACTIVE:
		return kind == 1;
	}
	return false;
}

static unsigned int fuzz_cmd(unsigned int *seed)
{
	static const unsigned int magics[] = { 0xb8, 0xba, 0xa1, 0xc3 };
	unsigned int k = rnd(seed, 10), c;

	if (k < 6)
		return uapi_cmds[rnd(seed, sizeof(uapi_cmds) / sizeof(uapi_cmds[0]))];
	c = uapi_cmds[rnd(seed, sizeof(uapi_cmds) / sizeof(uapi_cmds[0]))];
	if (k == 6)	/* a known number with another size */
		return _IOC(_IOC_DIR(c), VSIM_IOC_MAGIC, _IOC_NR(c),
			    rnd(seed, 512));
	if (k == 7)	/* ... or another direction */
		return _IOC(rnd(seed, 4), VSIM_IOC_MAGIC, _IOC_NR(c),
			    _IOC_SIZE(c));
	if (k == 8)	/* unknown numbers of our magic */
		return _IOC(rnd(seed, 4), VSIM_IOC_MAGIC, 0x25 + rnd(seed, 0xda),
			    rnd(seed, 128));
	return _IOC(rnd(seed, 4), magics[rnd(seed, 4)], rnd(seed, 256),
		    rnd(seed, 128));
}

/*
 * Well-formed structs in the read-only page: the command runs, then its
 * answer cannot be written back (NEW_CARD must leave no card behind).
 */
#define RO_CAPDU	1792
static const struct { unsigned int cmd, off; } ro_cmds[] = {
	{ VSIM_IOC_NEW_CARD, 0 }, { VSIM_IOC_TRANSMIT, 256 },
	{ VSIM_IOC_EXEC, 512 }, { VSIM_IOC_GET_STATE, 768 },
	{ VSIM_IOC_POWER_ON, 1024 }, { VSIM_IOC_RESET, 1024 },
	{ VSIM_IOC_GET_ATR, 1024 }, { VSIM_IOC_GET_STATS, 1280 },
};

static void ro_structs(const struct pages *pg)
{
	static const uint8_t sel[] = { 0x00, 0xa4, 0x00, 0x0c, 0x02, 0x3f, 0x00 };
	uint8_t *ro = pg->ro;

	memset(ro, 0, 2048);
	memcpy(ro + RO_CAPDU, sel, sizeof(sel));
	*(struct vsim_new_card *)ro = (struct vsim_new_card){
		.size = sizeof(struct vsim_new_card),
		.flags = VSIM_NEW_CARD_F_VOLATILE,
		.image = (uintptr_t)S.img, .image_len = S.img_len,
	};
	*(struct vsim_transmit *)(ro + 256) = (struct vsim_transmit){
		.size = sizeof(struct vsim_transmit),
		.capdu = (uintptr_t)(ro + RO_CAPDU), .capdu_len = sizeof(sel),
		.rapdu = (uintptr_t)(pg->rw + 2048), .rapdu_max = VSIM_RAPDU_MAX,
	};
	*(struct vsim_exec *)(ro + 512) = (struct vsim_exec){
		.size = sizeof(struct vsim_exec), .privilege = VSIM_PRIV_ADM,
		.capdu = (uintptr_t)(ro + RO_CAPDU), .capdu_len = sizeof(sel),
		.rapdu = (uintptr_t)(pg->rw + 2048), .rapdu_max = VSIM_RAPDU_MAX,
	};
	*(struct vsim_state *)(ro + 768) = (struct vsim_state){
		.size = sizeof(struct vsim_state),
		.buf = (uintptr_t)pg->rw, .len = 4096,
	};
	*(struct vsim_atr *)(ro + 1024) = (struct vsim_atr){
		.size = sizeof(struct vsim_atr),
	};
	*(struct vsim_stats *)(ro + 1280) = (struct vsim_stats){
		.size = sizeof(struct vsim_stats),
	};
}

/* What a known command may answer to a broken call. */
#define FUZZ_ERRNOS (OK | E(EFAULT) | E(EINVAL) | E(EMSGSIZE) | E(E2BIG) | \
		     E(EOPNOTSUPP) | E(ENOSPC) | E(ENOENT) | E(EIO) | \
		     E(EBUSY) | E(ENODEV) | E(EINTR))

static void fuzz_op(unsigned int *seed, const struct pages *pg)
{
	struct slot *s = pick_slot(seed);
	int kind = rnd(seed, 3);	/* 0 vsimx, 1 card fd, 2 /dev/vsimN */
	unsigned int k = rnd(seed, 10), cmd;
	uint8_t *scratch = pg->rw;
	char what[80];
	void *arg;
	int fd, ret;

	fd = kind == 0 ? fcntl(S.ctl, F_DUPFD_CLOEXEC, 0) : slot_dup(s, kind == 2);
	if (fd < 0)
		return;
	if (k == 0) {
		unsigned int j = rnd(seed, sizeof(ro_cmds) / sizeof(ro_cmds[0]));

		cmd = ro_cmds[j].cmd;
		ret = ioctl(fd, cmd, pg->ro + ro_cmds[j].off);
		snprintf(what, sizeof(what), "ioctl %#x, read-only struct, on %s",
			 cmd, kind == 0 ? "vsimx" : kind == 1 ? "card fd" : "vsimN");
		/* the answer cannot go back: never success */
		check(what, ret, known_on(kind, cmd) ? FUZZ_ERRNOS & ~OK : E(ENOTTY));
	} else if (k < 7) {
		cmd = fuzz_cmd(seed);
		if (rnd(seed, 3)) {
			fuzz_struct(seed, pg, cmd, scratch);
			arg = scratch;
		} else {
			arg = fuzz_ptr(seed, pg, _IOC_SIZE(cmd));
		}
		ret = ioctl(fd, cmd, arg);
		snprintf(what, sizeof(what), "ioctl %#x on %s", cmd,
			 kind == 0 ? "vsimx" : kind == 1 ? "card fd" : "vsimN");
		check(what, ret, known_on(kind, cmd) ? FUZZ_ERRNOS : E(ENOTTY));
		if (!ret && cmd == VSIM_IOC_NEW_CARD) {
			close(((struct vsim_new_card *)arg)->fd);
			atomic_fetch_add(&S.cards_made, 1);
		}
	} else if (k < 9) {
		size_t len = rnd(seed, 2) ? rnd(seed, 300) : rnd(seed, 1 << 17);
		uint8_t *p = rnd(seed, 2) ? scratch : fuzz_ptr(seed, pg, len);

		if (rnd(seed, 2)) {
			if (p == scratch)
				for (size_t i = 0; i < 300; i++)
					scratch[i] = rand_r(seed);
			ret = write(fd, p, len);
			snprintf(what, sizeof(what), "write(%zu) on %s", len,
				 kind == 0 ? "vsimx" : kind == 1 ? "card fd" : "vsimN");
			/* vsimx has no write: EINVAL from the VFS */
			check(what, ret, kind == 0 ? E(EINVAL) :
			      OK | E(EFAULT) | E(EINVAL) | E(EMSGSIZE) |
			      E(ENOENT) | E(ENODEV) | E(EINTR));
		} else {
			if (p == scratch && len > 1 << 16)
				len = 1 << 16;
			ret = read(fd, p, len);
			snprintf(what, sizeof(what), "read(%zu) on %s", len,
				 kind == 0 ? "vsimx" : kind == 1 ? "card fd" : "vsimN");
			check(what, ret, kind == 0 ? E(EINVAL) :
			      OK | E(EFAULT) | E(EMSGSIZE) | E(EAGAIN) |
			      E(ENODEV) | E(EINTR));
		}
	} else {
		struct pollfd p = { .fd = fd, .events = rand_r(seed) };

		ret = poll(&p, 1, 0);
		check("poll (fuzz)", ret, OK | E(EINTR));
	}
	close(fd);
	count_op();
}

static void *fuzz_thread(void *arg)
{
	unsigned int seed = (uintptr_t)arg * 1299709 + time(NULL);
	struct pages pg;

	pg.rw = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pg.rw == MAP_FAILED) {
		bad("mmap", errno);
		return NULL;
	}
	pg.ro = pg.rw + 4096;
	pg.none = pg.rw + 8192;
	memset(pg.rw, 0x5a, 8192);
	ro_structs(&pg);
	if (mprotect(pg.ro, 4096, PROT_READ) || mprotect(pg.none, 4096, PROT_NONE))
		bad("mprotect", errno);
	while (!atomic_load(&S.stop))
		fuzz_op(&seed, &pg);
	munmap(pg.rw, 3 * 4096);
	return NULL;
}

/* ---- the reaper: cards closed mid-transmit, new ones made ------------------ */

static void *reaper_thread(void *arg)
{
	unsigned int seed = 4242 + time(NULL);

	while (!atomic_load(&S.stop)) {
		struct slot *s = &S.slots[rnd(&seed, NSLOTS)];
		static const uint32_t flags[] = {
			0, VSIM_NEW_CARD_F_VOLATILE, VSIM_NEW_CARD_F_SLOW_PATH,
			VSIM_NEW_CARD_F_SLOW_PATH | VSIM_NEW_CARD_F_VOLATILE,
		};
		int card, term, ncard, nterm;
		unsigned int idx;
		uint32_t f;

		usleep(rnd(&seed, 20000));
		/* prefer a card whose terminal is in the middle of a command */
		for (int i = 0; i < 4 && !atomic_load(&s->in_transmit); i++)
			s = &S.slots[rnd(&seed, NSLOTS)];
		/* the deaf card lives long enough to fill its queue */
		if (s == &S.slots[DEAF_SLOT] && rnd(&seed, 30))
			continue;
		pthread_mutex_lock(&s->lock);
		card = s->card;
		term = s->term;
		if (rnd(&seed, 4) == 0) {
			/* only the terminal goes and comes back */
			s->term = -1;
			pthread_mutex_unlock(&s->lock);
			if (term >= 0)
				close(term);
			nterm = vsim_term_open(s->idx, 0);
			/* a dup may keep the old open a moment: EBUSY */
			if (nterm < 0) {
				errno = -nterm;
				check("reopen /dev/vsimN", -1, E(EBUSY) | E(ENODEV));
			}
			pthread_mutex_lock(&s->lock);
			s->term = nterm;
			pthread_mutex_unlock(&s->lock);
			count_op();
			continue;
		}
		s->card = -1;
		s->term = -1;
		pthread_mutex_unlock(&s->lock);
		if (card >= 0)
			close(card);	/* mid-transmit, mid-slow-wait */
		if (term >= 0)
			close(term);
		f = flags[rnd(&seed, 4)];
		if (make_card(f, &ncard, &idx, &nterm))
			continue;
		if (nterm >= 0 && rnd(&seed, 4))
			vsim_power_on(nterm, NULL, NULL);
		pthread_mutex_lock(&s->lock);
		s->card = ncard;
		s->term = nterm;
		s->idx = idx;
		s->flags = f;
		pthread_mutex_unlock(&s->lock);
		count_op();
	}
	return NULL;
}

/* ---- processes killed mid-command ------------------------------------------- */

/*
 * A child shares a card's terminal (and sometimes its card fd) and loops
 * on commands that wait for the agent; SIGKILL ends it inside a wait, and
 * its exit may close the card's last fd.
 */
static void *killer_thread(void *arg)
{
	static const uint8_t env[] = { 0x80, 0xc2, 0, 0, 5, 0xd1, 3, 1, 2, 3 };
	static const uint8_t upd[] = { 0x00, 0xd6, 0, 0, 4, 1, 2, 3, 4 };
	static const uint8_t sel[] = { 0x00, 0xa4, 0, 0x0c, 2, 0x2f, 0x00 };
	unsigned int seed = 555 + time(NULL);
	uint8_t r[VSIM_RAPDU_MAX], ev[VSIM_EVENT_MAX];
	int term, card, status;
	pid_t pid, ret;

	while (!atomic_load(&S.stop)) {
		struct slot *s = &S.slots[rnd(&seed, NSLOTS)];

		usleep(rnd(&seed, 500000));	/* fork is costly under TCG */
		term = slot_dup(s, 1);
		if (term < 0)
			continue;
		card = rnd(&seed, 2) ? slot_dup(s, 0) : -1;
		pid = fork();
		if (pid == 0) {
			/* syscalls only: the parent has threads */
			for (;;) {
				vsim_transmit(term, sel, sizeof(sel), r);
				vsim_transmit(term, upd, sizeof(upd), r);
				vsim_transmit(term, env, sizeof(env), r);
				if (card >= 0)
					(void)!read(card, ev, sizeof(ev));
			}
		}
		close(term);
		if (card >= 0)
			close(card);
		if (pid < 0) {
			bad("fork", errno);
			continue;
		}
		usleep(rnd(&seed, 30000));
		kill(pid, SIGKILL);
		while ((ret = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
			;
		if (ret != pid ||
		    !WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
			bad("killed child", 0);
		count_op();
	}
	return NULL;
}

/* ---- module parameters and delete_module() ---------------------------------- */

static int write_str(const char *path, const char *v)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	ret = write(fd, v, strlen(v));
	close(fd);
	return ret < 0 ? -1 : 0;
}

static void *param_thread(void *arg)
{
	static const char *const junk[] = { "-1", "abc", "0x", "99999999999999999999" };
	unsigned int seed = 99 + time(NULL);
	char v[32];
	int ret;

	while (!atomic_load(&S.stop)) {
		const char *p = S.params[rnd(&seed, S.nparams)];

		usleep(rnd(&seed, 50000));
		if (rnd(&seed, 5) == 0) {
			ret = write_str(p, junk[rnd(&seed, 4)]);
			check("parameter: junk", ret, E(EINVAL) | E(ERANGE));
		} else {
			/* 0 is clamped to 1; never long: threads must end */
			snprintf(v, sizeof(v), "%u\n", rnd(&seed, 4) ?
				 rnd(&seed, 200) : rnd(&seed, 2));
			ret = write_str(p, v);
			check("parameter", ret, OK);
		}
		count_op();
		/* the module is in use all along: never unloaded */
		ret = syscall(__NR_delete_module, "vsim", O_NONBLOCK);
		check("delete_module while in use", ret, E(EAGAIN) | E(EBUSY));
		if (ret) {
			atomic_fetch_add(&S.rmmod_refused, 1);
			atomic_store(&S.rmmod_errno, errno);
		}
	}
	return NULL;
}

/* Signals to random workers: every interruptible wait gets its EINTR. */
static pthread_t *sig_targets;
static int n_sig_targets;

static void *signal_thread(void *arg)
{
	unsigned int seed = 7 + time(NULL);

	while (!atomic_load(&S.stop)) {
		usleep(2000 + rnd(&seed, 20000));
		pthread_kill(sig_targets[rnd(&seed, n_sig_targets)], SIGUSR1);
	}
	return NULL;
}

/* ---- the slow-race pair: answers against slow_timeout_ms ------------------- */

static void *slow_term_thread(void *arg)
{
	uint8_t c[16], r[VSIM_RAPDU_MAX];
	int i, n;

	for (i = 0; i < SLOW_MAX_ENV && !atomic_load(&S.stop); i++) {
		n = vsim_hex("80C2000005D103000000", c, sizeof(c));
		c[7] = i >> 16;
		c[8] = i >> 8;
		c[9] = i;
		n = vsim_transmit(S.slow_term, c, n, r);
		/* -EINTR: a signal before the command reached the card */
		if (n >= 2)
			S.slow_sw[i] = r[n - 2] << 8 | r[n - 1];
		else
			S.slow_sw[i] = n;
		atomic_store(&S.slow_sent, i + 1);
		count_op();
	}
	return NULL;
}

/* An address no process has mapped, hidden from the compiler's checks. */
static void *volatile unmapped = (void *)16;

static void *slow_agent_thread(void *arg)
{
	unsigned int seed = 31337 + time(NULL);
	uint8_t buf[VSIM_EVENT_MAX];
	struct vsim_event *ev = (void *)buf;
	struct pollfd p = { .fd = S.slow_card, .events = POLLIN };
	int ret, t, i, sent;

	while (!atomic_load(&S.stop)) {
		if (poll(&p, 1, 20) <= 0)
			continue;
		t = vsim_param_get(PARAM_SLOW);
		if (t < 1 || t > 1000)
			t = 100;
		if (!rnd(&seed, 4)) {
			/* a read that faults leaves the record queued ... */
			ret = read(S.slow_card, unmapped, sizeof(buf));
			check("read(card) into an unmapped buffer", ret,
			      E(EFAULT) | E(EAGAIN) | E(EINTR));
			usleep(rnd(&seed, t * 1500 + 1000));
		}
		sent = atomic_load(&S.slow_sent);
		ret = read(S.slow_card, buf, sizeof(buf));
		if (ret < 0 || ev->type != VSIM_EV_SLOW_APDU || ev->len != 10)
			continue;
		i = buf[sizeof(*ev) + 7] << 16 | buf[sizeof(*ev) + 8] << 8 |
		    buf[sizeof(*ev) + 9];
		/*
		 * ... but not once the card has given up on it: the terminal
		 * had its 6F00 before this read began (docs/uapi.md: the
		 * record is withdrawn).
		 */
		if (i < sent)
			bad("read(card): a slow-path record after its command ended", 0);
		/* around the timeout: before it, at it, after it */
		usleep(rnd(&seed, t * 1500 + 1000));
		ret = slow_answer(S.slow_card, ev->seq, "\xab\xcd\x90\x00", 4);
		check("SLOW_ANSWER (race)", ret, OK | E(ENOENT));
		if (i < SLOW_MAX_ENV)
			S.slow_ans[i] = ret ? 2 : 1;
		atomic_fetch_add(ret ? &S.slow_late : &S.slow_answered, 1);
		count_op();
	}
	return NULL;
}

/* ---- the test -------------------------------------------------------------- */

static int delete_module(const char *name)
{
	return syscall(__NR_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

static int load_module(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(__NR_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret;
}

static void find_params(void)
{
	DIR *d = opendir(PARAM_DIR);
	struct dirent *e;
	struct stat st;

	S.nparams = 0;
	if (!d)
		return;
	while ((e = readdir(d)) && S.nparams < 4) {
		char *p = S.params[S.nparams];

		/* the timeouts flip; max_cards stays (vsim_scale_test) */
		if (e->d_name[0] == '.' || !strstr(e->d_name, "_timeout_ms"))
			continue;
		snprintf(p, sizeof(S.params[0]), "%s/%.64s", PARAM_DIR, e->d_name);
		/* the mode, not access(): root may write anything (ecies is 0444) */
		if (stat(p, &st) || !(st.st_mode & S_IWUSR))
			continue;
		S.param_old[S.nparams] = vsim_param_get(p);
		S.nparams++;
	}
	closedir(d);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int stress_seconds(void)
{
	const char *s = getenv("VSIM_STRESS_SECONDS");
	int n = s ? atoi(s) : DEFAULT_SECONDS;

	return n > 0 ? n : DEFAULT_SECONDS;
}

FIXTURE(stress) {
	int kmsg;
};

FIXTURE_SETUP(stress)
{
	self->kmsg = vsim_kmsg_open();
	ASSERT_GE(self->kmsg, 0);
}

FIXTURE_TEARDOWN(stress)
{
	if (self->kmsg >= 0)
		close(self->kmsg);
}

/* Join with a deadline: a thread still running then has hung. */
static int join_by(pthread_t th, time_t deadline)
{
	struct timespec ts = { .tv_sec = deadline };

	return pthread_timedjoin_np(th, NULL, &ts);
}

TEST_F_TIMEOUT(stress, chaos, 90)
{
	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART */
	pthread_t th[N_TERM + N_AGENT + N_FUZZ + N_OTHER];
	const char *names[N_TERM + N_AGENT + N_FUZZ + N_OTHER];
	int seconds = stress_seconds(), nth = 0, i, hung = 0, ret;
	unsigned int slow_idx;
	struct timespec rt;
	double t0, t1;
	unsigned long ops;
	int sw_ok = 0, sw_timeout = 0, mismatch = 0;

	ASSERT_EQ(0, vsim_count_cards()) TH_LOG("cards left over by an earlier test");
	S.img = vsim_load_image("test-usim.img", &S.img_len);
	if (!S.img)
		S.img = vsim_test_image(&S.img_len);
	ASSERT_NE(NULL, S.img);
	S.ctl = vsim_ctl_open();
	ASSERT_GE(S.ctl, 0);
	find_params();
	ASSERT_GE(S.nparams, 1);
	for (i = 0; i < S.nparams; i++)
		ASSERT_GT(S.param_old[i], 0);
	/* short waits from the start: a thread blocks at most ~200 ms */
	for (i = 0; i < S.nparams; i++)
		ASSERT_EQ(0, vsim_param_set(S.params[i], 100));
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));

	/* max_cards (here 256) cards exist: EBUSY, then all free again */
	{
		static int fds[300];
		unsigned int idx;
		int n = 0, limit = vsim_param_get(PARAM_MAX);

		ASSERT_GT(limit, 0);
		ASSERT_EQ(0, vsim_param_set(PARAM_MAX, 256));
		do {
			ret = vsim_new_card(S.ctl, S.img, S.img_len,
					    VSIM_NEW_CARD_F_VOLATILE, &fds[n], &idx);
		} while (!ret && ++n < 300);
		EXPECT_EQ(-EBUSY, ret);
		EXPECT_EQ(256, n);
		EXPECT_EQ(n, vsim_count_cards());
		while (n)
			close(fds[--n]);
		ASSERT_EQ(0, vsim_count_cards());
		ASSERT_EQ(0, vsim_param_set(PARAM_MAX, limit));
	}

	for (i = 0; i < NSLOTS; i++) {
		struct slot *s = &S.slots[i];

		pthread_mutex_init(&s->lock, NULL);
		s->flags = i % 4 == 0 ? 0 : i % 4 == 1 ? VSIM_NEW_CARD_F_VOLATILE :
			   VSIM_NEW_CARD_F_SLOW_PATH | (i % 4 == 3 ?
			   VSIM_NEW_CARD_F_VOLATILE : 0);
		ASSERT_EQ(0, make_card(s->flags, &s->card, &s->idx, &s->term));
		ASSERT_GE(s->term, 0);
		ASSERT_EQ(0, vsim_power_on(s->term, NULL, NULL));
	}
	ASSERT_EQ(0, make_card(VSIM_NEW_CARD_F_SLOW_PATH | VSIM_NEW_CARD_F_VOLATILE,
			       &S.slow_card, &slow_idx, &S.slow_term));
	ASSERT_GE(S.slow_term, 0);
	ASSERT_EQ(0, vsim_power_on(S.slow_term, NULL, NULL));

	TH_LOG("%d s, %d cards + 1 slow-race card, %d terminal, %d agent, %d fuzz threads, parameters: %d writable",
	       seconds, NSLOTS, N_TERM, N_AGENT, N_FUZZ, S.nparams);
	t0 = now();
	for (i = 0; i < N_TERM; i++, nth++) {
		names[nth] = "terminal";
		ASSERT_EQ(0, pthread_create(&th[nth], NULL, term_thread,
					    (void *)(uintptr_t)i));
	}
	for (i = 0; i < N_AGENT; i++, nth++) {
		names[nth] = "agent";
		ASSERT_EQ(0, pthread_create(&th[nth], NULL, agent_thread,
					    (void *)(uintptr_t)i));
	}
	for (i = 0; i < N_FUZZ; i++, nth++) {
		names[nth] = "fuzz";
		ASSERT_EQ(0, pthread_create(&th[nth], NULL, fuzz_thread,
					    (void *)(uintptr_t)i));
	}
	names[nth] = "reaper";
	ASSERT_EQ(0, pthread_create(&th[nth++], NULL, reaper_thread, NULL));
	names[nth] = "parameters";
	ASSERT_EQ(0, pthread_create(&th[nth++], NULL, param_thread, NULL));
	names[nth] = "killer";
	ASSERT_EQ(0, pthread_create(&th[nth++], NULL, killer_thread, NULL));
	names[nth] = "slow terminal";
	ASSERT_EQ(0, pthread_create(&th[nth++], NULL, slow_term_thread, NULL));
	names[nth] = "slow agent";
	ASSERT_EQ(0, pthread_create(&th[nth++], NULL, slow_agent_thread, NULL));
	/* the signal thread interrupts the others, not itself */
	sig_targets = th;
	n_sig_targets = nth;
	names[nth] = "signals";
	ASSERT_EQ(0, pthread_create(&th[nth++], NULL, signal_thread, NULL));

	sleep(seconds);
	atomic_store(&S.stop, true);
	clock_gettime(CLOCK_REALTIME, &rt);
	/*
	 * The signal thread first: a pthread_kill() aimed at a thread that
	 * has been joined reads a freed descriptor (glibc may unmap its
	 * stack), which crashed this test with SIGSEGV once in many runs.
	 */
	for (i = nth - 1; i >= 0; i--) {
		ret = join_by(th[i], rt.tv_sec + JOIN_GRACE_S);
		if (ret) {
			TH_LOG("thread %d (%s) did not finish: %s", i,
			       names[i], strerror(ret));
			hung++;
		}
	}
	t1 = now();
	ASSERT_EQ(0, hung);
	ops = atomic_load(&S.ops);
	TH_LOG("%lu operations in %.1f s: %.0f/s; %lu cards made, %lu TRANSMITs saw their card go, delete_module refused %lu times (%s)",
	       ops, t1 - t0, ops / (t1 - t0), atomic_load(&S.cards_made),
	       atomic_load(&S.enodev_mid_transmit),
	       atomic_load(&S.rmmod_refused),
	       strerror(atomic_load(&S.rmmod_errno)));

	/* the slow race: an accepted answer reached the terminal, a late one did not */
	for (i = 0; i < atomic_load(&S.slow_sent); i++) {
		if (S.slow_sw[i] == 0x6f00)
			sw_timeout++;
		else if (S.slow_sw[i] == 0x6102)
			sw_ok++;
		if ((S.slow_ans[i] == 1 && S.slow_sw[i] != 0x6102) ||
		    (S.slow_ans[i] != 1 && S.slow_sw[i] != 0x6f00 &&
		     !(S.slow_ans[i] == 0 && S.slow_sw[i] == -EINTR))) {
			if (mismatch++ < 5)
				TH_LOG("envelope %d: SW %04x, answer %s", i,
				       S.slow_sw[i], S.slow_ans[i] == 1 ?
				       "accepted" : S.slow_ans[i] == 2 ?
				       "refused (ENOENT)" : "never read");
		}
	}
	TH_LOG("most records seen waiting on a card: %d", atomic_load(&S.max_queued));
	TH_LOG("slow race: %d envelopes, %d answered in time, %d timed out (%lu answers accepted, %lu refused)",
	       atomic_load(&S.slow_sent), sw_ok, sw_timeout,
	       atomic_load(&S.slow_answered), atomic_load(&S.slow_late));
	EXPECT_EQ(0, mismatch);
	EXPECT_EQ(0, atomic_load(&unexpected));

	/* fds still open: the module stays (EAGAIN, or EBUSY) */
	ret = delete_module("vsim");
	EXPECT_TRUE(ret == -EAGAIN || ret == -EBUSY) TH_LOG("delete_module: %d", ret);
	if (!access("/sbin/rmmod", X_OK))
		EXPECT_NE(0, system("/sbin/rmmod vsim 2>/dev/null"));
	EXPECT_EQ(0, access(VSIM_CTL_PATH, F_OK));

	for (i = 0; i < S.nparams; i++)
		EXPECT_EQ(0, vsim_param_set(S.params[i], S.param_old[i]));
	for (i = 0; i < NSLOTS; i++) {
		if (S.slots[i].term >= 0)
			close(S.slots[i].term);
		if (S.slots[i].card >= 0)
			close(S.slots[i].card);
	}
	close(S.slow_term);
	close(S.slow_card);
	close(S.ctl);
	EXPECT_EQ(0, vsim_count_cards());
	EXPECT_EQ(0, vsim_param_get("/sys/module/vsim/refcnt"));
	EXPECT_EQ(0, vsim_kmsg_trouble(self->kmsg));
	free(S.img);
}

/* Opens /dev/vsimx and makes a card until told to stop; the module may go. */
static void *opener_thread(void *arg)
{
	unsigned int idx;
	int ctl, card, ret;

	while (!atomic_load(&S.stop)) {
		ctl = open(VSIM_CTL_PATH, O_RDWR | O_CLOEXEC);
		/* ENOENT: the node is gone; ENXIO/ENODEV: going */
		check("open(/dev/vsimx) during unload", ctl,
		      OK | E(ENOENT) | E(ENODEV) | E(ENXIO));
		if (ctl < 0) {
			usleep(1000);
			continue;
		}
		ret = vsim_new_card(ctl, S.img, S.img_len,
				    VSIM_NEW_CARD_F_VOLATILE, &card, &idx);
		errno = -ret;
		check("NEW_CARD during unload", ret, OK);
		if (!ret) {
			atomic_fetch_add(&S.cards_made, 1);
			close(card);
		}
		close(ctl);
	}
	return NULL;
}

/*
 * Everything closed: the module unloads and loads again. Needs VSIM_KO
 * (the module file) to load it back, as vsim_ctl_test does.
 */
TEST_F(stress, unload_and_reload)
{
	const char *ko = getenv("VSIM_KO");
	int ctl, card, term, pfd, tries, ret;
	unsigned int idx;
	pthread_t th;
	size_t len;
	void *img;

	if (!ko)
		SKIP(return, "set VSIM_KO=path/to/vsim.ko to unload and reload");
	EXPECT_EQ(0, vsim_count_cards());
	/* a parameter file held open across the unload */
	pfd = open(VSIM_PARAM_TIMEOUT, O_RDWR | O_CLOEXEC);
	EXPECT_GE(pfd, 0);
	/* an opener of /dev/vsimx racing the unload: it may delay it, no more */
	S.img = vsim_test_image(&S.img_len);
	ASSERT_NE(NULL, S.img);
	atomic_store(&S.stop, false);
	ASSERT_EQ(0, pthread_create(&th, NULL, opener_thread, NULL));
	for (tries = 0; tries < 300 && atomic_load(&S.cards_made) < 5; tries++)
		usleep(10000);
	for (tries = 0; tries < 2000; tries++) {
		ret = delete_module("vsim");
		if (!ret)
			break;
		EXPECT_TRUE(ret == -EAGAIN || ret == -EBUSY) TH_LOG("delete_module: %d", ret);
		usleep(1000);
	}
	usleep(100000);	/* the opener meets the module gone */
	atomic_store(&S.stop, true);
	pthread_join(th, NULL);
	if (ret)
		ret = delete_module("vsim");
	TH_LOG("unloaded after %d refusals; the opener made %lu cards meanwhile",
	       tries, atomic_load(&S.cards_made));
	ASSERT_EQ(0, ret);
	EXPECT_NE(0, access(VSIM_CTL_PATH, F_OK));
	EXPECT_EQ(0, atomic_load(&unexpected));
	if (pfd >= 0) {
		char v[16];

		EXPECT_GT(0, read(pfd, v, sizeof(v)));
		EXPECT_GT(0, write(pfd, "7\n", 2));
		close(pfd);
	}
	free(S.img);
	ASSERT_EQ(0, load_module(ko));
	ctl = vsim_ctl_open();
	ASSERT_GE(ctl, 0);
	img = vsim_test_image(&len);
	ASSERT_NE(NULL, img);
	ASSERT_EQ(0, vsim_new_card(ctl, img, len, VSIM_NEW_CARD_F_VOLATILE,
				   &card, &idx));
	free(img);
	term = vsim_term_open(idx, 0);
	ASSERT_GE(term, 0);
	EXPECT_EQ(0, vsim_power_on(term, NULL, NULL));
	EXPECT_EQ(0x9000, vsim_sw_hex(term, "00A4000C023F00"));
	close(term);
	close(card);
	close(ctl);
	EXPECT_EQ(0, vsim_count_cards());
	EXPECT_EQ(0, vsim_kmsg_trouble(self->kmsg));
}

/* The harness's alarm: the run plus the join grace plus room to report. */
static void __attribute__((constructor)) stress_timeout(void)
{
	_stress_chaos_object.timeout = stress_seconds() + JOIN_GRACE_S + 60;
}

VSIM_TEST_MAIN
