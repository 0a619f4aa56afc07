// SPDX-License-Identifier: GPL-2.0-only
/*
 * The board's USB presence (ffs.h): configfs gadget 1d50:<pid>, strings as
 * a SIMtrace2 shows them, configuration 1 "SIMtrace Card Emulation" with
 * one FunctionFS interface ff/02/00 holding bulk OUT, bulk IN and interrupt
 * IN, all 64-byte packets, interrupt bInterval 1 (REFERENCE-cardem.md §1).
 * Steps and pitfalls from REFERENCE-cardem.md §5 and the kernel's
 * Documentation/usb/functionfs.rst: descriptors and strings go to ep0
 * before the UDC is bound; ep0 stays open and its events are read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <endian.h>
#include <linux/usb/ch9.h>
#include <linux/usb/functionfs.h>

#include "ffs.h"
#include "cardem/simtrace2.h"

#define CONFIGFS	"/sys/kernel/config"
#define MNT_BASE	"/run/cardem-gadget"

static int put_file(const char *dir, const char *file, const char *val)
{
	char path[PATH_MAX];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "cardem-gadget: %s: %s\n", path, strerror(errno));
		return -1;
	}
	n = write(fd, val, strlen(val));
	close(fd);
	if (n != (ssize_t)strlen(val)) {
		fprintf(stderr, "cardem-gadget: write %s to %s: %s\n", val, path,
			n < 0 ? strerror(errno) : "short");
		return -1;
	}
	return 0;
}

static int mkdir_in(const char *dir, const char *sub)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if (mkdir(path, 0755) && errno != EEXIST) {
		fprintf(stderr, "cardem-gadget: mkdir %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static void rmdir_in(const char *dir, const char *sub)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	rmdir(path);
}

/* configfs: the gadget, its strings, configuration 1 and the ffs function. */
static int configfs_build(struct ffs_gadget *g)
{
	char v[64], path[PATH_MAX], link[PATH_MAX];

	if (access(CONFIGFS "/usb_gadget", F_OK) &&
	    mount("none", CONFIGFS, "configfs", 0, NULL) && errno != EBUSY) {
		fprintf(stderr, "cardem-gadget: mount configfs: %s\n", strerror(errno));
		return -1;
	}
	snprintf(g->gdir, sizeof(g->gdir), CONFIGFS "/usb_gadget/%s", g->name);
	if (mkdir(g->gdir, 0755)) {
		fprintf(stderr, "cardem-gadget: mkdir %s: %s (module libcomposite loaded?)\n",
			g->gdir, strerror(errno));
		return -1;
	}
	/* device descriptor: REFERENCE-cardem.md §1 (usb.c:307-439) */
	snprintf(v, sizeof(v), "0x%04x", ST2_VID);
	if (put_file(g->gdir, "idVendor", v))
		return -1;
	snprintf(v, sizeof(v), "0x%04x", g->pid);
	if (put_file(g->gdir, "idProduct", v) ||
	    put_file(g->gdir, "bcdDevice", "0x0002") ||
	    put_file(g->gdir, "bcdUSB", "0x0200") ||
	    /* the SAM3S is full-speed only (usb.c:670) */
	    put_file(g->gdir, "max_speed", "full-speed") ||
	    mkdir_in(g->gdir, "strings/0x409"))
		return -1;
	snprintf(path, sizeof(path), "%s/strings/0x409", g->gdir);
	if (put_file(path, "manufacturer", "sysmocom - s.f.m.c. GmbH") ||
	    put_file(path, "product", "SIMtrace 2 (vsim test emulation)") ||
	    put_file(path, "serialnumber", g->serial) ||
	    mkdir_in(g->gdir, "configs/c.1") ||
	    mkdir_in(g->gdir, "configs/c.1/strings/0x409"))
		return -1;
	snprintf(path, sizeof(path), "%s/configs/c.1/strings/0x409", g->gdir);
	if (put_file(path, "configuration", "SIMtrace Card Emulation"))
		return -1;
	snprintf(path, sizeof(path), "%s/configs/c.1", g->gdir);
	if (put_file(path, "MaxPower", "100"))
		return -1;
	snprintf(v, sizeof(v), "functions/ffs.%s", g->name);
	if (mkdir_in(g->gdir, v)) /* usb_f_fs must be loaded: no modprobe in the VM */
		return -1;
	snprintf(path, sizeof(path), "%s/functions/ffs.%s", g->gdir, g->name);
	snprintf(link, sizeof(link), "%s/configs/c.1/ffs.%s", g->gdir, g->name);
	if (symlink(path, link)) {
		fprintf(stderr, "cardem-gadget: symlink %s: %s\n", link, strerror(errno));
		return -1;
	}
	return 0;
}

static void configfs_remove(struct ffs_gadget *g)
{
	char sub[96];

	if (!g->gdir[0])
		return;
	snprintf(sub, sizeof(sub), "configs/c.1/ffs.%s", g->name);
	{
		char link[PATH_MAX];

		snprintf(link, sizeof(link), "%s/%s", g->gdir, sub);
		unlink(link);
	}
	rmdir_in(g->gdir, "configs/c.1/strings/0x409");
	rmdir_in(g->gdir, "configs/c.1");
	snprintf(sub, sizeof(sub), "functions/ffs.%s", g->name);
	rmdir_in(g->gdir, sub);
	rmdir_in(g->gdir, "strings/0x409");
	rmdir(g->gdir);
	g->gdir[0] = 0;
}

/*
 * ep0's blobs (include/uapi/linux/usb/functionfs.h): v2 descriptors with a
 * full-speed and a high-speed set listing the same endpoints in the same
 * order, then one string for the interface. Endpoint numbers here are
 * only names: the UDC picks the real addresses (dummy_hcd has no bulk
 * ep4out, so the host sees others than a real board's 0x04/0x85/0x86 and
 * must read them from the descriptors, REFERENCE-cardem.md §5).
 */
struct ep_set {
	struct usb_interface_descriptor intf;
	struct usb_endpoint_descriptor_no_audio out, in, irq;
} __attribute__((packed));

static void fill_set(struct ep_set *s, uint16_t bulk_max)
{
	memset(s, 0, sizeof(*s));
	s->intf.bLength = sizeof(s->intf);
	s->intf.bDescriptorType = USB_DT_INTERFACE;
	s->intf.bNumEndpoints = 3;
	s->intf.bInterfaceClass = ST2_IF_CLASS;
	s->intf.bInterfaceSubClass = ST2_IF_SUBCLASS_CARDEM;
	s->intf.bInterfaceProtocol = ST2_IF_PROTOCOL;
	s->intf.iInterface = 1;
	s->out.bLength = s->in.bLength = s->irq.bLength = USB_DT_ENDPOINT_SIZE;
	s->out.bDescriptorType = s->in.bDescriptorType =
		s->irq.bDescriptorType = USB_DT_ENDPOINT;
	s->out.bEndpointAddress = 1 | USB_DIR_OUT;
	s->out.bmAttributes = USB_ENDPOINT_XFER_BULK;
	s->out.wMaxPacketSize = htole16(bulk_max);
	s->in.bEndpointAddress = 2 | USB_DIR_IN;
	s->in.bmAttributes = USB_ENDPOINT_XFER_BULK;
	s->in.wMaxPacketSize = htole16(bulk_max);
	s->irq.bEndpointAddress = 3 | USB_DIR_IN;
	s->irq.bmAttributes = USB_ENDPOINT_XFER_INT;
	s->irq.wMaxPacketSize = htole16(64);
	s->irq.bInterval = 1;
}

static int write_blobs(int ep0)
{
	struct {
		struct usb_functionfs_descs_head_v2 head;
		uint32_t fs_count, hs_count;
		struct ep_set fs, hs;
	} __attribute__((packed)) d;
	static const char str[] = "CardEmulator Modem 1";
	struct {
		struct usb_functionfs_strings_head head;
		uint16_t lang;
		char s[sizeof(str)];
	} __attribute__((packed)) s;

	d.head.magic = htole32(FUNCTIONFS_DESCRIPTORS_MAGIC_V2);
	d.head.length = htole32(sizeof(d));
	d.head.flags = htole32(FUNCTIONFS_HAS_FS_DESC | FUNCTIONFS_HAS_HS_DESC);
	d.fs_count = d.hs_count = htole32(4);
	fill_set(&d.fs, 64);
	fill_set(&d.hs, 512);
	if (write(ep0, &d, sizeof(d)) != (ssize_t)sizeof(d)) {
		fprintf(stderr, "cardem-gadget: ep0 descriptors: %s\n", strerror(errno));
		return -1;
	}
	s.head.magic = htole32(FUNCTIONFS_STRINGS_MAGIC);
	s.head.length = htole32(sizeof(s));
	s.head.str_count = htole32(1);
	s.head.lang_count = htole32(1);
	s.lang = htole16(0x0409);
	memcpy(s.s, str, sizeof(str));
	if (write(ep0, &s, sizeof(s)) != (ssize_t)sizeof(s)) {
		fprintf(stderr, "cardem-gadget: ep0 strings: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* ep0 events: ENABLE/DISABLE tell when the endpoints can move data. */
static void *ep0_loop(void *arg)
{
	struct ffs_gadget *g = arg;
	struct usb_functionfs_event ev[4];

	for (;;) {
		ssize_t n = read(g->ep0, ev, sizeof(ev));

		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			break;
		}
		for (ssize_t i = 0; i < n / (ssize_t)sizeof(ev[0]); i++) {
			pthread_mutex_lock(&g->lock);
			switch (ev[i].type) {
			case FUNCTIONFS_ENABLE:
				g->enabled = true;
				g->enables++;
				break;
			case FUNCTIONFS_DISABLE:
			case FUNCTIONFS_UNBIND:
				g->enabled = false;
				break;
			case FUNCTIONFS_SETUP:
				/*
				 * No class or vendor requests on a cardem
				 * interface: stall (a read on an IN setup, a
				 * write on an OUT one, functionfs.rst).
				 */
				if (ev[i].u.setup.bRequestType & USB_DIR_IN) {
					if (read(g->ep0, NULL, 0) < 0) {
						/* the stall itself reports an error */
					}
				} else if (write(g->ep0, NULL, 0) < 0) {
					/* likewise */
				}
				break;
			default:
				break;
			}
			pthread_cond_broadcast(&g->cond);
			pthread_mutex_unlock(&g->lock);
		}
		pthread_mutex_lock(&g->lock);
		if (g->stopping) {
			pthread_mutex_unlock(&g->lock);
			break;
		}
		pthread_mutex_unlock(&g->lock);
	}
	return NULL;
}

static int open_ep(struct ffs_gadget *g, int n)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/ep%d", g->mnt, n);
	/*
	 * O_NONBLOCK: while the endpoint is disabled (unplugged, or between
	 * the host's SET_INTERFACE and ENABLE) I/O fails with EAGAIN instead
	 * of waiting for an ENABLE that may never come; enabled, it still
	 * waits for the host (REFERENCE-cardem.md §5).
	 */
	fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		fprintf(stderr, "cardem-gadget: %s: %s\n", path, strerror(errno));
	return fd;
}

int ffs_gadget_start(struct ffs_gadget *g)
{
	char path[PATH_MAX];

	g->ep0 = g->ep_out = g->ep_in = g->ep_irq = -1;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->cond, NULL);
	if (configfs_build(g))
		goto fail;
	mkdir(MNT_BASE, 0755);
	snprintf(g->mnt, sizeof(g->mnt), MNT_BASE "/%s", g->name);
	mkdir(g->mnt, 0755);
	if (mount(g->name, g->mnt, "functionfs", 0, NULL)) {
		fprintf(stderr, "cardem-gadget: mount functionfs %s: %s\n", g->name,
			strerror(errno));
		g->mnt[0] = 0;
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/ep0", g->mnt);
	g->ep0 = open(path, O_RDWR | O_CLOEXEC);
	if (g->ep0 < 0) {
		fprintf(stderr, "cardem-gadget: %s: %s\n", path, strerror(errno));
		goto fail;
	}
	if (write_blobs(g->ep0))
		goto fail;
	/* epN appear in descriptor order once ep0 has both blobs */
	g->ep_out = open_ep(g, 1);
	g->ep_in = open_ep(g, 2);
	g->ep_irq = open_ep(g, 3);
	if (g->ep_out < 0 || g->ep_in < 0 || g->ep_irq < 0)
		goto fail;
	if (pthread_create(&g->ep0_thread, NULL, ep0_loop, g))
		goto fail;
	g->ep0_running = true;
	/* last: binding before the blobs fails with ENODEV (§5 pitfalls) */
	if (put_file(g->gdir, "UDC", g->udc))
		goto fail;
	g->bound = true;
	return 0;
fail:
	ffs_gadget_stop(g);
	return -1;
}

int ffs_gadget_wait_enabled(struct ffs_gadget *g, int guard_s)
{
	struct timespec until;
	int rc = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += guard_s;
	pthread_mutex_lock(&g->lock);
	while (!g->enabled && !g->stopping && rc == 0)
		rc = pthread_cond_timedwait(&g->cond, &g->lock, &until);
	rc = g->enabled && !g->stopping ? 0 : -1;
	pthread_mutex_unlock(&g->lock);
	return rc;
}

void ffs_gadget_unplug(struct ffs_gadget *g)
{
	pthread_mutex_lock(&g->lock);
	g->stopping = true;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
	/* unbinding disconnects the device: blocked endpoint I/O returns */
	if (g->bound && g->gdir[0])
		put_file(g->gdir, "UDC", "\n");
	g->bound = false;
}

void ffs_gadget_stop(struct ffs_gadget *g)
{
	ffs_gadget_unplug(g);
	if (g->ep_out >= 0)
		close(g->ep_out);
	if (g->ep_in >= 0)
		close(g->ep_in);
	if (g->ep_irq >= 0)
		close(g->ep_irq);
	g->ep_out = g->ep_in = g->ep_irq = -1;
	if (g->ep0_running) {
		/* UNBIND woke it; closing ep0 below ends it for good */
		pthread_cancel(g->ep0_thread);
		pthread_join(g->ep0_thread, NULL);
		g->ep0_running = false;
	}
	if (g->ep0 >= 0)
		close(g->ep0);
	g->ep0 = -1;
	if (g->mnt[0]) {
		umount(g->mnt);
		rmdir(g->mnt);
		g->mnt[0] = 0;
	}
	configfs_remove(g);
}
