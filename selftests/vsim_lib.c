// SPDX-License-Identifier: GPL-2.0-only
/*
 * Helpers shared by the vsim kselftests (see vsim_lib.h).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vsim_lib.h"

static void set_pin(struct vsim_image_pin *p, const char *v, const char *puk,
		    uint8_t tries, uint8_t puk_tries, uint8_t flags)
{
	memset(p->value, 0xff, sizeof(p->value));
	memset(p->puk, 0xff, sizeof(p->puk));
	memcpy(p->value, v, strlen(v));
	if (puk)
		memcpy(p->puk, puk, strlen(puk));
	p->max_tries = tries;
	p->puk_max_tries = puk_tries;
	p->flags = flags;
}

void *vsim_test_image(size_t *len)
{
	static const uint8_t atr[] = { 0x3b, 0x9f, 0x96, 0x80, 0x1f, 0xc7,
				       0x80, 0x31, 0xa0, 0x73, 0xbe, 0x21,
				       0x13, 0x67, 0x43, 0x20, 0x07, 0x18,
				       0x00, 0x00, 0x01, 0xa5 };
	/* ICCID 89860012345678901234, nibble-swapped BCD (TS 102 221 §13.2) */
	static const uint8_t iccid[10] = { 0x98, 0x68, 0x00, 0x21, 0x43,
					   0x65, 0x87, 0x09, 0x21, 0x43 };
	const unsigned int nfiles = 3, data_size = 10 + 32;
	struct vsim_image_header *h;
	struct vsim_image_file *f;
	uint8_t *data;
	size_t total;

	total = sizeof(*h) + nfiles * sizeof(*f) + data_size;
	h = calloc(1, total);
	if (!h)
		return NULL;
	h->magic = VSIM_IMAGE_MAGIC;
	h->version = VSIM_IMAGE_VERSION;
	h->header_size = sizeof(*h);
	h->total_size = total;
	h->atr_len = sizeof(atr);
	memcpy(h->atr, atr, sizeof(atr));
	h->file_count = nfiles;
	memset(h->k, 0x11, sizeof(h->k));
	memset(h->opc, 0x22, sizeof(h->opc));
	set_pin(&h->pins[VSIM_PIN_IDX_PIN1], VSIM_TEST_PIN1, "12345678", 3, 10,
		VSIM_PIN_F_ENABLED | VSIM_PIN_F_DISABLE_OK);
	set_pin(&h->pins[VSIM_PIN_IDX_PIN2], "5678", "87654321", 3, 10, 0);
	set_pin(&h->pins[VSIM_PIN_IDX_ADM1], "11111111", NULL, 10, 0, 0);
	h->data_size = data_size;

	f = (struct vsim_image_file *)(h + 1);
	f[0].fid = 0x3f00;
	f[0].type = VSIM_FILE_MF;
	f[1].fid = 0x2fe2;
	f[1].type = VSIM_FILE_EF;
	f[1].structure = VSIM_EF_TRANSPARENT;
	f[1].size = 10;
	f[1].data_offset = 0;
	f[2].fid = VSIM_TEST_FID;
	f[2].type = VSIM_FILE_EF;
	f[2].structure = VSIM_EF_TRANSPARENT;
	f[2].size = 32;
	f[2].data_offset = 10;
	data = (uint8_t *)(f + nfiles);
	memcpy(data, iccid, sizeof(iccid));
	memset(data + 10, 0xff, 32);
	*len = total;
	return h;
}

void *vsim_load_image(const char *name, size_t *len)
{
	const char *dirs[] = { getenv("VSIM_IMAGES"), "build/images",
			       "../build/images" };
	char path[4096];
	unsigned int i;
	struct stat st;
	void *buf;
	FILE *fp;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (!dirs[i])
			continue;
		snprintf(path, sizeof(path), "%s/%s", dirs[i], name);
		fp = fopen(path, "rb");
		if (!fp)
			continue;
		if (fstat(fileno(fp), &st) || !st.st_size) {
			fclose(fp);
			continue;
		}
		buf = malloc(st.st_size);
		if (buf && fread(buf, 1, st.st_size, fp) == (size_t)st.st_size) {
			fclose(fp);
			*len = st.st_size;
			return buf;
		}
		free(buf);
		fclose(fp);
	}
	return NULL;
}

int vsim_ctl_open(void)
{
	int fd = open(VSIM_CTL_PATH, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int vsim_new_card(int ctl, const void *img, size_t len, uint32_t flags,
		  int *card_fd, unsigned int *index)
{
	struct vsim_new_card req = {
		.size = sizeof(req),
		.flags = flags,
		.image = (uintptr_t)img,
		.image_len = len,
	};

	if (ioctl(ctl, VSIM_IOC_NEW_CARD, &req))
		return -errno;
	*card_fd = req.fd;
	*index = req.index;
	return 0;
}

int vsim_term_open(unsigned int index, int flags)
{
	char path[64];
	int fd, tries;

	snprintf(path, sizeof(path), "/dev/vsim%u", index);
	for (tries = 0; tries < 200; tries++) {
		fd = open(path, O_RDWR | O_CLOEXEC | flags);
		if (fd >= 0)
			return fd;
		if (errno != ENOENT)
			return -errno;
		usleep(10000);	/* devtmpfs is immediate; udev may lag */
	}
	return -ENOENT;
}

int vsim_power_on(int term, uint8_t *atr, unsigned int *atr_len)
{
	struct vsim_atr a = { .size = sizeof(a) };

	if (ioctl(term, VSIM_IOC_POWER_ON, &a))
		return -errno;
	if (atr)
		memcpy(atr, a.atr, a.len);
	if (atr_len)
		*atr_len = a.len;
	return 0;
}

int vsim_power_off(int term)
{
	return ioctl(term, VSIM_IOC_POWER_OFF) ? -errno : 0;
}

int vsim_transmit(int term, const uint8_t *capdu, size_t len, uint8_t *rapdu)
{
	struct vsim_transmit t = {
		.size = sizeof(t),
		.capdu = (uintptr_t)capdu,
		.rapdu = (uintptr_t)rapdu,
		.capdu_len = len,
		.rapdu_max = VSIM_RAPDU_MAX,
	};

	if (ioctl(term, VSIM_IOC_TRANSMIT, &t))
		return -errno;
	return t.rapdu_len;
}

int vsim_sw(int term, const uint8_t *capdu, size_t len)
{
	uint8_t r[VSIM_RAPDU_MAX];
	int n = vsim_transmit(term, capdu, len, r);

	if (n < 0)
		return n;
	if (n < 2)
		return -EPROTO;
	return r[n - 2] << 8 | r[n - 1];
}

int vsim_hex(const char *hex, uint8_t *buf, size_t max)
{
	size_t n = 0;
	unsigned int v;

	while (*hex) {
		if (*hex == ' ') {
			hex++;
			continue;
		}
		if (n == max || sscanf(hex, "%2x", &v) != 1 || !hex[1])
			return -1;
		buf[n++] = v;
		hex += 2;
	}
	return n;
}

int vsim_sw_hex(int term, const char *hex)
{
	uint8_t c[VSIM_CAPDU_MAX + 16];
	int n = vsim_hex(hex, c, sizeof(c));

	if (n < 0)
		return -EINVAL;
	return vsim_sw(term, c, n);
}

int vsim_read_event(int card, struct vsim_event *ev, uint8_t *data,
		    size_t max)
{
	static uint8_t buf[VSIM_EVENT_MAX];
	ssize_t n = read(card, buf, sizeof(buf));

	if (n < 0)
		return -errno;
	if ((size_t)n < sizeof(*ev))
		return -EPROTO;
	memcpy(ev, buf, sizeof(*ev));
	if (data)
		memcpy(data, buf + sizeof(*ev),
		       ev->len < max ? ev->len : max);
	return n;
}

int vsim_ack(int card, uint64_t seq, int32_t status)
{
	struct vsim_ack a = { .seq = seq, .status = status };
	ssize_t n = write(card, &a, sizeof(a));

	if (n < 0)
		return -errno;
	return n == sizeof(a) ? 0 : -EPROTO;
}

int vsim_param_get(const char *path)
{
	FILE *fp = fopen(path, "r");
	int v;

	if (!fp)
		return -errno;
	if (fscanf(fp, "%d", &v) != 1)
		v = -EINVAL;
	fclose(fp);
	return v;
}

int vsim_param_set(const char *path, int value)
{
	FILE *fp = fopen(path, "w");
	int ret = 0;

	if (!fp)
		return -errno;
	if (fprintf(fp, "%d\n", value) < 0)
		ret = -EIO;
	if (fclose(fp))
		ret = -errno;
	return ret;
}

int vsim_exec_hex(int card, uint32_t priv, const char *hex, uint8_t *r,
		  uint32_t *rlen)
{
	uint8_t c[VSIM_CAPDU_MAX + 8];
	struct vsim_exec ex = {
		.size = sizeof(ex),
		.privilege = priv,
		.capdu = (uintptr_t)c,
		.rapdu = (uintptr_t)r,
		.rapdu_max = VSIM_RAPDU_MAX,
	};
	int n = vsim_hex(hex, c, sizeof(c));

	if (n < 0)
		return -EINVAL;
	ex.capdu_len = n;
	if (ioctl(card, VSIM_IOC_EXEC, &ex))
		return -errno;
	*rlen = ex.rapdu_len;
	return 0;
}

int vsim_exec_sw(int card, uint32_t priv, const char *hex)
{
	uint8_t r[VSIM_RAPDU_MAX];
	uint32_t n = 0;
	int ret = vsim_exec_hex(card, priv, hex, r, &n);

	if (ret)
		return ret;
	return n >= 2 ? r[n - 2] << 8 | r[n - 1] : -EIO;
}

int vsim_kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (lseek(fd, 0, SEEK_END) < 0) {
		close(fd);
		return -errno;
	}
	return fd;
}

int vsim_kmsg_trouble(int kmsg)
{
	static const char *const bad[] = {
		"WARNING:", "BUG:", "Call Trace", "cannot create duplicate",
		"Oops",
	};
	char rec[2048];
	unsigned int i;
	int found = 0;
	ssize_t n;

	for (;;) {
		n = read(kmsg, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: read on */
		if (n <= 0)
			break;
		rec[n] = '\0';
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			if (strstr(rec, bad[i])) {
				printf("# kmsg: %s", rec);
				found++;
				break;
			}
		}
	}
	return found;
}

int vsim_count_cards(void)
{
	DIR *d = opendir("/sys/class/vsim");
	struct dirent *e;
	int n = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "vsim", 4))
			n++;
	closedir(d);
	return n;
}
