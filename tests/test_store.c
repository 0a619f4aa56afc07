// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsimd's SQLite store on its own: file modes, change records committed
 * and found again after reopening, refused records leaving the blob as it
 * was, duplicate names and slots, removal, and a damaged database file.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vsimd/store.h"

struct found {
	int n;
	struct vsim_store_card row;
	uint8_t state[64];
};

static int collect(void *ctx, struct vsim_store_card *c)
{
	struct found *f = ctx;

	f->n++;
	f->row.id = c->id;
	f->row.slot = c->slot;
	memcpy(f->row.name, c->name, sizeof(f->row.name));
	f->row.state_len = c->state_len;
	if (c->state && c->state_len <= sizeof(f->state))
		memcpy(f->state, c->state, c->state_len);
	return 0;
}

static void card(struct vsim_store_card *c, const char *name, int slot,
		 uint8_t *image, uint8_t *state)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->slot = slot;
	snprintf(c->vpcd_host, sizeof(c->vpcd_host), "127.0.0.1");
	c->vpcd_port = 35963 + slot;
	snprintf(c->iccid, sizeof(c->iccid), "8988211000000000011");
	c->image = image;
	c->image_len = 32;
	c->state = state;
	c->state_len = 16;
}

FIXTURE(store) {
	char dir[64];
	struct vsim_store *s;
};

FIXTURE_SETUP(store)
{
	char err[256], sub[96];

	snprintf(self->dir, sizeof(self->dir), "/tmp/vsim-store-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(sub, sizeof(sub), "%s/state", self->dir);
	ASSERT_EQ(0, vsim_store_open(sub, 0, &self->s, err, sizeof(err))) TH_LOG("%s", err);
}

FIXTURE_TEARDOWN(store)
{
	char cmd[128];

	vsim_store_close(self->s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", self->dir);
	if (system(cmd))
		TH_LOG("cleanup of %s failed", self->dir);
}

TEST_F(store, files_are_owner_only)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "%s/state", self->dir);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(0700U, st.st_mode & 0777);
	snprintf(path, sizeof(path), "%s/state/" VSIM_STORE_FILE, self->dir);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(0600U, st.st_mode & 0777);
}

TEST_F(store, records_survive_reopen)
{
	uint8_t image[32] = { 1 }, state[16] = { 0 }, upd[3] = { 7, 8, 9 };
	struct vsim_store_card c;
	struct found f = { 0 };
	char err[256], sub[96];

	card(&c, "lab1", 0, image, state);
	ASSERT_EQ(0, vsim_store_add(self->s, &c, err, sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, vsim_store_persist(self->s, c.id, 4, 3, upd));
	/* a record past the blob commits nothing */
	EXPECT_EQ(-1, vsim_store_persist(self->s, c.id, 15, 2, upd));
	EXPECT_EQ(-1, vsim_store_persist(self->s, c.id + 99, 0, 1, upd));
	vsim_store_close(self->s);
	snprintf(sub, sizeof(sub), "%s/state", self->dir);
	ASSERT_EQ(0, vsim_store_open(sub, 0, &self->s, err, sizeof(err)));
	ASSERT_EQ(0, vsim_store_foreach(self->s, collect, &f, err, sizeof(err)));
	ASSERT_EQ(1, f.n);
	EXPECT_STREQ("lab1", f.row.name);
	ASSERT_EQ(16U, f.row.state_len);
	EXPECT_EQ(0, memcmp(f.state, "\0\0\0\0\x07\x08\x09\0\0\0\0\0\0\0\0\0", 16));
}

TEST_F(store, names_and_slots_are_unique)
{
	uint8_t image[32] = { 0 }, state[16] = { 0 };
	struct vsim_store_card a, b;
	struct found f = { 0 };
	char err[256];

	card(&a, "one", 0, image, state);
	ASSERT_EQ(0, vsim_store_add(self->s, &a, err, sizeof(err)));
	card(&b, "one", 1, image, state);
	EXPECT_EQ(-1, vsim_store_add(self->s, &b, err, sizeof(err)));
	EXPECT_NE(0U, strlen(err));
	card(&b, "two", 0, image, state);
	EXPECT_EQ(-1, vsim_store_add(self->s, &b, err, sizeof(err)));
	card(&b, "two", 1, image, state);
	EXPECT_EQ(0, vsim_store_add(self->s, &b, err, sizeof(err)));
	EXPECT_EQ(0, vsim_store_remove(self->s, a.id));
	EXPECT_EQ(-1, vsim_store_remove(self->s, a.id));
	ASSERT_EQ(0, vsim_store_foreach(self->s, collect, &f, err, sizeof(err)));
	EXPECT_EQ(1, f.n);
	EXPECT_STREQ("two", f.row.name);
	EXPECT_TRUE(vsim_store_name_ok("lab-1.a_b"));
	EXPECT_FALSE(vsim_store_name_ok(""));
	EXPECT_FALSE(vsim_store_name_ok("a/b"));
	EXPECT_FALSE(vsim_store_name_ok("with space"));
}

TEST(damaged_database_is_refused)
{
	char dir[] = "/tmp/vsim-store-XXXXXX", path[96], err[256] = "";
	struct vsim_store *s = NULL;
	int fd;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/" VSIM_STORE_FILE, dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(40, (int)write(fd, "this is not an SQLite database, at all!!", 40));
	close(fd);
	EXPECT_EQ(-1, vsim_store_open(dir, 0, &s, err, sizeof(err)));
	EXPECT_NE(0U, strlen(err)) TH_LOG("no message for a damaged store");
	TH_LOG("%s", err);
	unlink(path);
	snprintf(path, sizeof(path), "%s/" VSIM_STORE_LOCK, dir);
	unlink(path);
	rmdir(dir);
}

/* Two vsimd on one state directory: the second is refused (#12). */
TEST(state_directory_is_locked)
{
	char dir[] = "/tmp/vsim-store-XXXXXX", path[96], err[256] = "", want[64];
	struct vsim_store *a = NULL, *b = NULL;

	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_EQ(0, vsim_store_open(dir, 0, &a, err, sizeof(err))) TH_LOG("%s", err);
	/* a second open file description: flock() conflicts as between processes */
	EXPECT_EQ(-1, vsim_store_open(dir, 0, &b, err, sizeof(err)));
	EXPECT_EQ(NULL, b);
	snprintf(want, sizeof(want), "in use by another vsimd (pid %ld,", (long)getpid());
	EXPECT_NE(NULL, strstr(err, want)) TH_LOG("%s", err);
	vsim_store_close(a);
	/* released with the store */
	EXPECT_EQ(0, vsim_store_open(dir, 0, &b, err, sizeof(err))) TH_LOG("%s", err);
	vsim_store_close(b);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	EXPECT_EQ(0, system(path));
}

TEST_HARNESS_MAIN
