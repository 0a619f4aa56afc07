// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/vsimx, the control device: VSIM_IOC_NEW_CARD takes a card image from
 * userspace, has the engine validate it, builds the card, makes /dev/vsimN
 * and hands the agent the card fd. Also the card's end: the last reference
 * wipes the engine's secrets and frees it. Flow: agent -> vsimx -> here ->
 * engine (kmod/card/) and vsim_term.c.
 */
#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "vsim_dev.h"

#define VSIM_NEW_CARD_FLAGS	(VSIM_NEW_CARD_F_VOLATILE | \
				 VSIM_NEW_CARD_F_SLOW_PATH)
#define VSIM_FID_MF		0x3f00
#define VSIM_FID_ICCID		0x2fe2	/* TS 102 221 §13.2 */

/* ---- the card's end ---------------------------------------------------- */

static void vsim_dev_release(struct kref *ref)
{
	struct vsim_dev *dev = container_of(ref, struct vsim_dev, ref);

	vsim_events_free(dev);
	if (dev->engine) {
		vsim_card_wipe(dev->engine);
		kvfree_sensitive(dev->engine, dev->engine_size);
	}
	memzero_explicit(&dev->aes, sizeof(dev->aes));
	memzero_explicit(dev->rapdu, sizeof(dev->rapdu));
	memzero_explicit(dev->slow_answer, sizeof(dev->slow_answer));
	mutex_destroy(&dev->term_lock);
	mutex_destroy(&dev->lock);
	mutex_destroy(&dev->read_lock);
	kfree(dev);
}

/**
 * vsim_dev_put() - drop one reference to a card
 * @dev: the card
 *
 * The last reference (the card fd and every terminal open hold one) wipes
 * the engine's keys, PINs and buffers and frees the card.
 */
void vsim_dev_put(struct vsim_dev *dev)
{
	kref_put(&dev->ref, vsim_dev_release);
}

/* ---- card creation ------------------------------------------------------- */

/*
 * The ICCID for sysfs, from the image's EF_ICCID under the MF: BCD with
 * swapped nibbles, padded with F (TS 102 221 §13.2). The image has passed
 * vsim_image_check(), so offsets and sizes are in bounds.
 */
static void vsim_dev_read_iccid(struct vsim_dev *dev, const void *image)
{
	const struct vsim_image_header *h = image;
	const struct vsim_image_file *files = (const void *)(h + 1);
	const u8 *data = (const u8 *)(files + h->file_count);
	unsigned int i, n = 0;
	u16 f;

	for (f = 1; f < h->file_count; f++) {
		if (files[f].fid == VSIM_FID_ICCID && files[f].parent == 0 &&
		    files[f].type == VSIM_FILE_EF)
			break;
	}
	if (f >= h->file_count)
		return;
	for (i = 0; i < files[f].size && n + 2 <= VSIM_ICCID_MAX; i++) {
		u8 b = data[files[f].data_offset + i];
		u8 lo = b & 0x0f, hi = b >> 4;

		if (lo > 9)
			break;
		dev->iccid[n++] = '0' + lo;
		if (hi > 9)
			break;
		dev->iccid[n++] = '0' + hi;
	}
	dev->iccid[n] = '\0';
}

/*
 * Build a card from a checked image (and, given one, the durable state it
 * had before): engine, index, /dev/vsimN. On success
 * the caller owns the one reference, which the card fd will carry.
 */
static struct vsim_dev *vsim_dev_create(const void *image, size_t len,
					const void *state, size_t state_len,
					u32 flags)
{
	const struct vsim_image_header *h = image;
	struct vsim_dev *dev;
	const char *why = NULL;
	int ret;

	/* the card's memory is charged to the agent that creates it */
	dev = kzalloc(sizeof(*dev), GFP_KERNEL_ACCOUNT);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	kref_init(&dev->ref);
	dev->flags = flags;
	mutex_init(&dev->term_lock);
	mutex_init(&dev->lock);
	mutex_init(&dev->read_lock);
	spin_lock_init(&dev->ev_lock);
	INIT_LIST_HEAD(&dev->events);
	init_waitqueue_head(&dev->term_wait);
	init_waitqueue_head(&dev->ev_wait);
	init_waitqueue_head(&dev->ack_wait);
	init_waitqueue_head(&dev->slow_wait);
	dev->atr_len = h->atr_len;
	memcpy(dev->atr, h->atr, h->atr_len);
	vsim_dev_read_iccid(dev, image);

	/*
	 * Pages, not kmalloc: sized to the image's EF data the engine is
	 * ~12 KiB for a typical card, which kmalloc would round up to a
	 * power of two (docs/uapi.md "Memory and limits, per card").
	 */
	dev->engine_size = vsim_card_size(image, len);
	dev->engine = __vmalloc(dev->engine_size,
				GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!dev->engine) {
		ret = -ENOMEM;
		goto err_put_dev;
	}
	ret = vsim_card_init(dev->engine, dev->engine_size, image, len,
			     &vsim_engine_ops, dev, &why);
	if (ret) {
		pr_info_ratelimited("vsim: card image refused: %s\n",
				    why ? why : "?");
		goto err_put_dev;
	}
	/* A state blob that could not come from this card is refused whole. */
	if (state_len) {
		ret = vsim_card_load_state(dev->engine, state, state_len);
		if (ret)
			goto err_put_dev;
	}

	mutex_lock(&vsim_devs_lock);
	ret = idr_alloc(&vsim_devs, dev, 0, vsim_max_cards(), GFP_KERNEL);
	mutex_unlock(&vsim_devs_lock);
	if (ret < 0) {
		if (ret == -ENOSPC)
			ret = -EBUSY;
		goto err_put_dev;
	}
	dev->index = ret;

	dev->tdev = device_create(vsim_class, NULL,
				  MKDEV(MAJOR(vsim_devt), dev->index), dev,
				  "vsim%d", dev->index);
	if (IS_ERR(dev->tdev)) {
		ret = PTR_ERR(dev->tdev);
		dev->tdev = NULL;
		goto err_remove_index;
	}
	return dev;

err_remove_index:
	mutex_lock(&vsim_devs_lock);
	idr_remove(&vsim_devs, dev->index);
	mutex_unlock(&vsim_devs_lock);
err_put_dev:
	vsim_dev_put(dev);
	return ERR_PTR(ret);
}

/**
 * vsim_dev_destroy() - the card fd closed: take the card away
 * @dev: the card
 *
 * Marks the card dead and wakes everything waiting on it (a terminal in
 * persist() returns -ENODEV), removes /dev/vsimN so no new terminal can
 * open it, then frees its index for the next card, waits for an engine
 * call in progress to finish, wipes the engine and drops the card fd's
 * reference. Terminals still open keep the memory alive and get -ENODEV
 * from every call.
 */
void vsim_dev_destroy(struct vsim_dev *dev)
{
	spin_lock(&dev->ev_lock);
	WRITE_ONCE(dev->dead, true);
	spin_unlock(&dev->ev_lock);
	wake_up_all(&dev->ack_wait);
	wake_up_all(&dev->slow_wait);
	wake_up_all(&dev->term_wait);
	wake_up_all(&dev->ev_wait);

	/* Drains sysfs readers too: none of them sees the wiped engine. */
	device_destroy(vsim_class, MKDEV(MAJOR(vsim_devt), dev->index));
	/*
	 * Only now may a new card have this index: before, its device_create()
	 * would meet our vsimN in sysfs. An open() meanwhile sees dev->dead.
	 */
	mutex_lock(&vsim_devs_lock);
	idr_remove(&vsim_devs, dev->index);
	mutex_unlock(&vsim_devs_lock);

	mutex_lock(&dev->lock);
	vsim_card_wipe(dev->engine);
	dev->pending_len = 0;
	mutex_unlock(&dev->lock);

	vsim_dev_put(dev);
}

/* ---- the control device ---------------------------------------------------- */

/* vmemdup_user(), charged to the caller's memory cgroup. */
static void *vsim_dup_user(u64 uptr, size_t len)
{
	void *p = kvmalloc(len, GFP_KERNEL_ACCOUNT);

	if (!p)
		return ERR_PTR(-ENOMEM);
	if (copy_from_user(p, u64_to_user_ptr(uptr), len)) {
		kvfree_sensitive(p, len);
		return ERR_PTR(-EFAULT);
	}
	return p;
}

static long vsim_ctl_new_card(struct vsim_new_card __user *argp)
{
	struct vsim_new_card req = {};
	struct vsim_dev *dev;
	struct file *file;
	const char *why = "?";
	void *image, *state = NULL;
	u32 size;
	int fd, ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (get_user(size, &argp->size))
		return -EFAULT;
	/* The version-1 struct ends before state: both sizes are ABI. */
	if (size != sizeof(req) && size != VSIM_NEW_CARD_SIZE_V1)
		return -EINVAL;
	if (copy_from_user(&req, argp, size))
		return -EFAULT;
	if (req.size != size || req.reserved || req.reserved2)
		return -EINVAL;
	if (req.flags & ~VSIM_NEW_CARD_FLAGS)
		return -EOPNOTSUPP;
	if (req.image_len > VSIM_IMAGE_MAX_SIZE ||
	    req.state_len > VSIM_STATE_MAX_SIZE)
		return -E2BIG;
	if (req.image_len < sizeof(struct vsim_image_header))
		return -EINVAL;

	if (req.state_len) {
		state = vsim_dup_user(req.state, req.state_len);
		if (IS_ERR(state))
			return PTR_ERR(state);
	}
	image = vsim_dup_user(req.image, req.image_len);
	if (IS_ERR(image)) {
		ret = PTR_ERR(image);
		image = NULL;
		goto err_free_image;
	}
	/* Completely, before anything exists. */
	ret = vsim_image_check(image, req.image_len, &why);
	if (ret) {
		pr_info_ratelimited("vsim: card image refused: %s\n", why);
		ret = -EINVAL;
		goto err_free_image;
	}

	dev = vsim_dev_create(image, req.image_len, state, req.state_len,
			      req.flags);
	if (IS_ERR(dev)) {
		ret = PTR_ERR(dev);
		goto err_free_image;
	}
	/* Image and state hold K and PINs: gone as soon as the card has them. */
	kvfree_sensitive(image, req.image_len);
	image = NULL;
	if (state)
		kvfree_sensitive(state, req.state_len);
	state = NULL;

	fd = get_unused_fd_flags(O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_destroy_dev;
	}
	file = anon_inode_getfile("[vsim-card]", &vsim_cardfd_fops, dev,
				  O_RDWR);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto err_put_unused_fd;
	}

	req.index = dev->index;
	req.fd = fd;
	if (copy_to_user(argp, &req, size)) {
		ret = -EFAULT;
		goto err_fput;
	}
	/* Last: userspace never sees a card fd for a half-built card. */
	fd_install(fd, file);
	return 0;

	/* From here on the file owns the card: fput() destroys it. */
err_fput:
	put_unused_fd(fd);
	fput(file);
	return ret;
err_put_unused_fd:
	put_unused_fd(fd);
err_destroy_dev:
	vsim_dev_destroy(dev);
	return ret;
err_free_image:
	if (image)
		kvfree_sensitive(image, req.image_len);
	if (state)
		kvfree_sensitive(state, req.state_len);
	return ret;
}

/**
 * vsim_ctl_ioctl() - ioctls of /dev/vsimx
 * @filp: the open control device
 * @cmd: VSIM_IOC_NEW_CARD
 * @arg: pointer to a struct vsim_new_card
 *
 * Return: 0 with the card fd and index written back; -EPERM without
 * CAP_SYS_ADMIN, -EFAULT on a bad pointer, -EINVAL for a wrong size,
 * non-zero reserved fields or an image the engine refuses, -EOPNOTSUPP for
 * unknown flags, -E2BIG for an image above VSIM_IMAGE_MAX_SIZE, -EBUSY when
 * max_cards (the module parameter) cards exist, -ENOMEM, -EMFILE, -ENOTTY for any
 * other command.
 */
static long vsim_ctl_ioctl(struct file *filp, unsigned int cmd,
			   unsigned long arg)
{
	switch (cmd) {
	case VSIM_IOC_NEW_CARD:
		return vsim_ctl_new_card((struct vsim_new_card __user *)arg);
	default:
		return -ENOIOCTLCMD;
	}
}

static const struct file_operations vsim_ctl_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
	.unlocked_ioctl = vsim_ctl_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = no_llseek,
};

static struct miscdevice vsim_ctl_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "vsimx",
	.fops = &vsim_ctl_fops,
	.mode = 0600,
};

/**
 * vsim_ctl_init() - register /dev/vsimx
 *
 * Return: 0 or the misc_register() error.
 */
int vsim_ctl_init(void)
{
	return misc_register(&vsim_ctl_misc);
}

/**
 * vsim_ctl_exit() - unregister /dev/vsimx
 */
void vsim_ctl_exit(void)
{
	misc_deregister(&vsim_ctl_misc);
}
