// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/vsimx: creating and destroying cards, every way to get
 * VSIM_IOC_NEW_CARD wrong, permissions, module unload while a card
 * exists, and cards created and closed from several threads at once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vsim_lib.h"

FIXTURE(ctl) {
	int ctl;
	void *img;
	size_t len;
};

FIXTURE_SETUP(ctl)
{
	self->ctl = vsim_ctl_open();
	if (self->ctl == -ENOENT)
		SKIP(return, "vsim.ko not loaded (no " VSIM_CTL_PATH ")");
	ASSERT_GE(self->ctl, 0);
	self->img = vsim_test_image(&self->len);
	ASSERT_NE(NULL, self->img);
}

FIXTURE_TEARDOWN(ctl)
{
	if (self->ctl >= 0)
		close(self->ctl);
	free(self->img);
}

static int new_card_raw(int ctl, struct vsim_new_card *req)
{
	return ioctl(ctl, VSIM_IOC_NEW_CARD, req) ? -errno : 0;
}

TEST_F(ctl, create_destroy_100)
{
	int fds[100];
	unsigned int idx[100];
	char path[64];
	int i, j;

	for (i = 0; i < 100; i++) {
		ASSERT_EQ(0, vsim_new_card(self->ctl, self->img, self->len, 0,
					   &fds[i], &idx[i]));
		for (j = 0; j < i; j++)
			ASSERT_NE(idx[j], idx[i]);
		snprintf(path, sizeof(path), "/sys/class/vsim/vsim%u", idx[i]);
		ASSERT_EQ(0, access(path, F_OK));
		/* The card fd is close-on-exec and read-write. */
		ASSERT_EQ(FD_CLOEXEC, fcntl(fds[i], F_GETFD) & FD_CLOEXEC);
	}
	for (i = 0; i < 100; i++) {
		ASSERT_EQ(0, close(fds[i]));
		snprintf(path, sizeof(path), "/sys/class/vsim/vsim%u", idx[i]);
		ASSERT_NE(0, access(path, F_OK));
	}
	/* Indexes are reused: the next card gets a low one again. */
	ASSERT_EQ(0, vsim_new_card(self->ctl, self->img, self->len, 0,
				   &fds[0], &idx[0]));
	EXPECT_LT(idx[0], 100);
	close(fds[0]);
}

/* Several threads creating and closing cards: an index is reused at once. */
#define RACE_THREADS	4
#define RACE_SECONDS	3

struct race_arg {
	int ctl;
	const void *img;
	size_t len;
	time_t until;
	unsigned int cards;
	unsigned int failures;
	int first_err;
};

static void *race_thread(void *p)
{
	struct race_arg *a = p;
	char path[32];
	unsigned int idx;
	int card, term, ret;

	while (time(NULL) < a->until) {
		ret = vsim_new_card(a->ctl, a->img, a->len,
				    VSIM_NEW_CARD_F_VOLATILE, &card, &idx);
		if (ret) {
			if (!a->failures++)
				a->first_err = ret;
			continue;
		}
		a->cards++;
		/* every other card: its terminal still open as it goes away */
		term = -1;
		if (a->cards & 1) {
			snprintf(path, sizeof(path), "/dev/vsim%u", idx);
			term = open(path, O_RDWR | O_CLOEXEC);
		}
		close(card);
		if (term >= 0)
			close(term);
	}
	return NULL;
}

TEST_F(ctl, create_close_threads)
{
	struct race_arg arg[RACE_THREADS];
	pthread_t th[RACE_THREADS];
	unsigned int cards = 0, failures = 0;
	int i, kmsg;

	kmsg = vsim_kmsg_open();
	ASSERT_GE(kmsg, 0);
	for (i = 0; i < RACE_THREADS; i++) {
		arg[i] = (struct race_arg){
			.ctl = self->ctl, .img = self->img, .len = self->len,
			.until = time(NULL) + RACE_SECONDS,
		};
		ASSERT_EQ(0, pthread_create(&th[i], NULL, race_thread, &arg[i]));
	}
	for (i = 0; i < RACE_THREADS; i++) {
		pthread_join(th[i], NULL);
		cards += arg[i].cards;
		failures += arg[i].failures;
		if (arg[i].failures)
			TH_LOG("thread %d: %u of %u NEW_CARD failed, first %s",
			       i, arg[i].failures,
			       arg[i].failures + arg[i].cards,
			       strerror(-arg[i].first_err));
	}
	TH_LOG("%u cards created and closed by %d threads, %u failures",
	       cards, RACE_THREADS, failures);
	EXPECT_GT(cards, RACE_THREADS);
	EXPECT_EQ(0, failures);
	EXPECT_EQ(0, vsim_kmsg_trouble(kmsg));
	close(kmsg);
}

TEST_F(ctl, sysfs_attributes)
{
	char path[128], buf[64];
	unsigned int idx;
	int card, n;
	FILE *fp;

	ASSERT_EQ(0, vsim_new_card(self->ctl, self->img, self->len,
				   VSIM_NEW_CARD_F_VOLATILE, &card, &idx));
	snprintf(path, sizeof(path), "/sys/class/vsim/vsim%u/iccid", idx);
	fp = fopen(path, "r");
	ASSERT_NE(NULL, fp);
	ASSERT_NE(NULL, fgets(buf, sizeof(buf), fp));
	fclose(fp);
	EXPECT_STREQ(VSIM_TEST_ICCID "\n", buf);

	snprintf(path, sizeof(path), "/sys/class/vsim/vsim%u/powered", idx);
	EXPECT_EQ(0, vsim_param_get(path));

	snprintf(path, sizeof(path), "/sys/class/vsim/vsim%u/durable", idx);
	n = vsim_param_get(path);
	EXPECT_EQ(0, n);
	snprintf(path, sizeof(path), "/sys/class/vsim/vsim%u/apdus", idx);
	n = vsim_param_get(path);
	EXPECT_EQ(0, n);
	close(card);
}

TEST_F(ctl, bad_size_field)
{
	struct vsim_new_card req = {
		.image = (uintptr_t)self->img,
		.image_len = self->len,
	};

	req.size = sizeof(req) - 1;
	EXPECT_EQ(-EINVAL, new_card_raw(self->ctl, &req));
	req.size = sizeof(req) + 8;
	EXPECT_EQ(-EINVAL, new_card_raw(self->ctl, &req));
	req.size = 0;
	EXPECT_EQ(-EINVAL, new_card_raw(self->ctl, &req));
	req.size = sizeof(req);
	req.reserved = 1;
	EXPECT_EQ(-EINVAL, new_card_raw(self->ctl, &req));
}

TEST_F(ctl, unknown_flags)
{
	struct vsim_new_card req = {
		.size = sizeof(req),
		.image = (uintptr_t)self->img,
		.image_len = self->len,
		.flags = 0x80000000,
	};

	EXPECT_EQ(-EOPNOTSUPP, new_card_raw(self->ctl, &req));
	req.flags = VSIM_NEW_CARD_F_SLOW_PATH << 1;
	EXPECT_EQ(-EOPNOTSUPP, new_card_raw(self->ctl, &req));
}

TEST_F(ctl, bad_pointers)
{
	struct vsim_new_card req = {
		.size = sizeof(req),
		.image_len = self->len,
	};
	void *unmapped;

	/* The argument itself. */
	EXPECT_NE(0, ioctl(self->ctl, VSIM_IOC_NEW_CARD, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_NE(0, ioctl(self->ctl, VSIM_IOC_NEW_CARD, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	/* The image pointer. */
	req.image = 0;
	EXPECT_EQ(-EFAULT, new_card_raw(self->ctl, &req));
	req.image = (uintptr_t)-4096;
	EXPECT_EQ(-EFAULT, new_card_raw(self->ctl, &req));
	unmapped = mmap(NULL, 65536, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	ASSERT_NE(MAP_FAILED, unmapped);
	req.image = (uintptr_t)unmapped;
	EXPECT_EQ(-EFAULT, new_card_raw(self->ctl, &req));
	munmap(unmapped, 65536);
	/* Write-back to a read-only struct: no card fd may leak. */
	{
		struct vsim_new_card *ro;

		ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(MAP_FAILED, ro);
		*ro = req;
		ro->image = (uintptr_t)self->img;
		ASSERT_EQ(0, mprotect(ro, 4096, PROT_READ));
		EXPECT_NE(0, ioctl(self->ctl, VSIM_IOC_NEW_CARD, ro));
		EXPECT_EQ(EFAULT, errno);
		munmap(ro, 4096);
	}
}

TEST_F(ctl, bad_images)
{
	struct vsim_new_card req = {
		.size = sizeof(req),
		.image = (uintptr_t)self->img,
	};
	struct vsim_image_header *h = self->img;
	uint8_t *big;

	req.image_len = 0;
	EXPECT_EQ(-EINVAL, new_card_raw(self->ctl, &req));
	req.image_len = self->len - 1;
	EXPECT_EQ(-EINVAL, new_card_raw(self->ctl, &req));
	req.image_len = VSIM_IMAGE_MAX_SIZE + 1;
	EXPECT_EQ(-E2BIG, new_card_raw(self->ctl, &req));
	req.image_len = UINT_MAX;
	EXPECT_EQ(-E2BIG, new_card_raw(self->ctl, &req));

	req.image_len = self->len;
	h->magic ^= 1;
	EXPECT_EQ(-EINVAL, new_card_raw(self->ctl, &req));
	h->magic ^= 1;
	h->atr[0] = 0;
	EXPECT_EQ(-EINVAL, new_card_raw(self->ctl, &req));
	h->atr[0] = 0x3b;

	/* An image of the largest size that is garbage. */
	big = calloc(1, VSIM_IMAGE_MAX_SIZE);
	ASSERT_NE(NULL, big);
	memset(big, 0xa5, VSIM_IMAGE_MAX_SIZE);
	req.image = (uintptr_t)big;
	req.image_len = VSIM_IMAGE_MAX_SIZE;
	EXPECT_EQ(-EINVAL, new_card_raw(self->ctl, &req));
	free(big);
}

TEST_F(ctl, unknown_ioctls)
{
	int dummy = 0;

	EXPECT_NE(0, ioctl(self->ctl, _IO(VSIM_IOC_MAGIC, 0x7f)));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_NE(0, ioctl(self->ctl, VSIM_IOC_TRANSMIT, &dummy));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_NE(0, ioctl(self->ctl, VSIM_IOC_GET_STATE, &dummy));
	EXPECT_EQ(ENOTTY, errno);
	/* NEW_CARD with another size encoded in the number is another number. */
	EXPECT_NE(0, ioctl(self->ctl, _IOWR(VSIM_IOC_MAGIC, 0x00, uint64_t),
			   &dummy));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(ctl, wrong_fd_type)
{
	uint8_t capdu[5] = { 0x00, 0xa4, 0x00, 0x04, 0x00 };
	struct vsim_new_card req = { .size = sizeof(req) };
	unsigned int idx;
	int card, term;

	ASSERT_EQ(0, vsim_new_card(self->ctl, self->img, self->len,
				   VSIM_NEW_CARD_F_VOLATILE, &card, &idx));
	term = vsim_term_open(idx, 0);
	ASSERT_GE(term, 0);
	/* Control ioctl on the card fd and on the terminal. */
	EXPECT_NE(0, ioctl(card, VSIM_IOC_NEW_CARD, &req));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_NE(0, ioctl(term, VSIM_IOC_NEW_CARD, &req));
	EXPECT_EQ(ENOTTY, errno);
	/* Terminal ioctls on the card fd. */
	{
		struct vsim_atr a = { .size = sizeof(a) };

		EXPECT_NE(0, ioctl(card, VSIM_IOC_POWER_ON, &a));
		EXPECT_EQ(ENOTTY, errno);
		EXPECT_EQ(-ENOTTY, vsim_transmit(card, capdu, 5, capdu));
	}
	/* Agent ioctls on the terminal. */
	{
		struct vsim_state st = { .size = sizeof(st) };

		EXPECT_NE(0, ioctl(term, VSIM_IOC_GET_STATE, &st));
		EXPECT_EQ(ENOTTY, errno);
	}
	/* Terminal ioctls on something that is not vsim at all. */
	{
		int null = open("/dev/null", O_RDWR);

		EXPECT_EQ(-ENOTTY, vsim_transmit(null, capdu, 5, capdu));
		close(null);
	}
	close(term);
	close(card);
}

TEST_F(ctl, non_root_denied)
{
	unsigned int idx;
	pid_t pid;
	int status, card;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int fd;

		/* Keep an fd opened as root to test the capability check. */
		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(10);
		fd = open(VSIM_CTL_PATH, O_RDWR);
		if (fd >= 0 || (errno != EACCES && errno != EPERM))
			_exit(11);
		if (vsim_new_card(self->ctl, self->img, self->len, 0, &card,
				  &idx) != -EPERM)
			_exit(12);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

static int delete_module(const char *name, int flags)
{
	return syscall(__NR_delete_module, name, flags) ? -errno : 0;
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

/*
 * Unloading is refused while a card exists and works once it is gone.
 * Needs VSIM_KO (the module file) to load it back: set by the VM runner,
 * never assumed on a real box.
 */
TEST_F(ctl, unload_refused_while_card_exists)
{
	const char *ko = getenv("VSIM_KO");
	unsigned int idx;
	int card, ret;

	if (!ko)
		SKIP(return, "set VSIM_KO=path/to/vsim.ko to unload and reload");
	ASSERT_EQ(0, vsim_new_card(self->ctl, self->img, self->len, 0, &card,
				   &idx));
	/* The control fd alone pins the module too: let it go. */
	close(self->ctl);
	self->ctl = -1;
	ret = delete_module("vsim", O_NONBLOCK);
	EXPECT_TRUE(ret == -EAGAIN || ret == -EBUSY) TH_LOG("delete_module: %d", ret);
	/* Still working. */
	{
		int term = vsim_term_open(idx, 0);

		ASSERT_GE(term, 0);
		EXPECT_EQ(0, vsim_power_on(term, NULL, NULL));
		close(term);
	}
	close(card);
	ASSERT_EQ(0, delete_module("vsim", O_NONBLOCK));
	EXPECT_NE(0, access(VSIM_CTL_PATH, F_OK));
	ASSERT_EQ(0, load_module(ko));
	self->ctl = vsim_ctl_open();
	ASSERT_GE(self->ctl, 0);
}

VSIM_TEST_MAIN
