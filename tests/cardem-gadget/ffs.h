/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The emulated SIMtrace2 board's USB side: a configfs gadget (libcomposite)
 * with one FunctionFS function on a UDC (dummy_hcd's in the tests), its
 * descriptors written to ep0, and the three endpoint files. This is the
 * fake part of the cardem tests: a real board cannot be plugged into the
 * VM, so the kernel's own gadget stack plays it (../shared/REFERENCE-cardem.md
 * §5); everything on the host side of the USB cable is real.
 */
#ifndef CARDEM_GADGET_FFS_H
#define CARDEM_GADGET_FFS_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct ffs_gadget {
	/* given */
	char name[32];		/* configfs gadget and function instance */
	char udc[64];		/* e.g. dummy_udc.0 */
	char serial[64];
	uint16_t pid;
	/* made */
	char gdir[128];	/* /sys/kernel/config/usb_gadget/NAME */
	char mnt[128];	/* the functionfs mount */
	int ep0, ep_out, ep_in, ep_irq;
	bool bound;
	pthread_t ep0_thread;
	bool ep0_running;
	/* ep0 events, guarded by lock */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool enabled;
	unsigned int enables;	/* ENABLE events so far (SET_INTERFACE adds one) */
	bool stopping;
};

/*
 * Build the gadget (configfs), mount functionfs, write descriptors and
 * strings, open the endpoints, start the ep0 event thread and bind the
 * UDC: the host then sees the board. 0, or -1 with a message on stderr.
 */
int ffs_gadget_start(struct ffs_gadget *g);
/* Unbind the UDC: the host sees an unplug, blocked endpoint I/O returns. */
void ffs_gadget_unplug(struct ffs_gadget *g);
/* Unplug if still bound, close the endpoints, unmount, remove configfs. */
void ffs_gadget_stop(struct ffs_gadget *g);
/* Wait until the host enabled the endpoints (set a configuration). */
int ffs_gadget_wait_enabled(struct ffs_gadget *g, int guard_s);

#endif /* CARDEM_GADGET_FFS_H */
