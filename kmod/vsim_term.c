// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/vsimN, the terminal side of a card: one opener at a time, power
 * control, VSIM_IOC_TRANSMIT (the fast path: no allocation, one syscall per
 * APDU), write()+read() for shell use, poll(), and the sysfs attributes of
 * the class device. Flow: terminal -> here -> engine (under dev->lock) ->
 * persist() in vsim_cardfd.c when durable state changes. Lock order:
 * vsim_dev.h.
 */
#include <linux/cdev.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/uaccess.h>

#include "vsim_dev.h"

static struct cdev vsim_term_cdev;

/* Take the terminal and the engine; -ENODEV once the card fd has closed. */
static int vsim_term_lock(struct vsim_dev *dev)
{
	if (mutex_lock_interruptible(&dev->term_lock))
		return -ERESTARTSYS;
	if (mutex_lock_interruptible(&dev->lock)) {
		mutex_unlock(&dev->term_lock);
		return -ERESTARTSYS;
	}
	if (READ_ONCE(dev->dead)) {
		mutex_unlock(&dev->lock);
		mutex_unlock(&dev->term_lock);
		return -ENODEV;
	}
	return 0;
}

static void vsim_term_unlock(struct vsim_dev *dev)
{
	mutex_unlock(&dev->lock);
	mutex_unlock(&dev->term_lock);
}

/*
 * The engine deferred the command to the agent (slow path: OTA). Let go of
 * dev->lock so the agent's VSIM_IOC_EXEC and QUEUE_PROACTIVE can run while
 * term_lock keeps every other terminal command out, wait for its answer,
 * and complete the command with it: 6F00 when none came in time. Only a
 * fatal signal cuts the wait short; the engine is completed either way.
 * Returns the R-APDU length in @rapdu, or -ENODEV / -EINTR.
 */
static ssize_t vsim_term_slow_wait(struct vsim_dev *dev, u8 *rapdu)
{
	bool answered;
	size_t rlen;
	long left;

	mutex_unlock(&dev->lock);
	left = wait_event_killable_timeout(dev->slow_wait,
			READ_ONCE(dev->slow_len) || READ_ONCE(dev->dead),
			msecs_to_jiffies(vsim_slow_timeout_ms()));
	mutex_lock(&dev->lock);

	spin_lock(&dev->ev_lock);
	dev->slow_seq = 0;	/* a late answer gets -ENOENT */
	answered = dev->slow_len;
	spin_unlock(&dev->ev_lock);
	/* unanswered and still unread: the agent never sees it */
	vsim_ev_withdraw(dev, &dev->slow_ev);
	if (READ_ONCE(dev->dead))
		return -ENODEV;
	rlen = vsim_card_slow_done(dev->engine,
				   answered ? dev->slow_answer : NULL,
				   dev->slow_len, rapdu);
	spin_lock(&dev->ev_lock);
	memzero_explicit(dev->slow_answer, dev->slow_len);
	dev->slow_len = 0;
	spin_unlock(&dev->ev_lock);
	if (left < 0)
		return -EINTR;
	return rlen;
}

/*
 * One APDU through the engine, dev->lock held: @capdu (already in the
 * kernel) in, @rapdu (VSIM_RAPDU_MAX bytes) out. The engine answers 6581
 * when persist() fails; a timeout waiting for the agent becomes 6F00 (the
 * issue's contract: "no precise diagnosis", and the engine has changed
 * nothing), a signal or the card's removal become errors of the system
 * call.
 */
static ssize_t vsim_term_exchange(struct vsim_dev *dev, const u8 *capdu,
				  size_t len, u8 *rapdu)
{
	size_t rlen;

	dev->persist_err = 0;
	rlen = vsim_card_transact(dev->engine, capdu, len, rapdu);
	if (!rlen)
		return vsim_term_slow_wait(dev, rapdu);
	switch (dev->persist_err) {
	case -ENODEV:
		return -ENODEV;
	case -EINTR:
		return -EINTR;
	case -ETIMEDOUT:
		rapdu[0] = 0x6f;
		rapdu[1] = 0x00;
		return 2;
	}
	if (READ_ONCE(dev->dead))
		return -ENODEV;
	return rlen;
}

/* ---- file operations ---------------------------------------------------- */

/**
 * vsim_term_open() - open /dev/vsimN
 * @inode: the device node
 * @filp: the new file
 *
 * Return: 0; -ENODEV when the card is gone, -EBUSY when another file has
 * the terminal open.
 */
static int vsim_term_open(struct inode *inode, struct file *filp)
{
	struct vsim_dev *dev;

	mutex_lock(&vsim_devs_lock);
	dev = idr_find(&vsim_devs, iminor(inode));
	if (dev && !READ_ONCE(dev->dead))
		kref_get(&dev->ref);
	else
		dev = NULL;
	mutex_unlock(&vsim_devs_lock);
	if (!dev)
		return -ENODEV;

	if (test_and_set_bit(VSIM_TERM_OPEN, &dev->term_flags)) {
		vsim_dev_put(dev);
		return -EBUSY;
	}
	filp->private_data = dev;
	stream_open(inode, filp);
	return 0;
}

/**
 * vsim_term_release() - close /dev/vsimN
 * @inode: the device node
 * @filp: the file
 *
 * The card keeps its power state and any response waiting for read().
 *
 * Return: 0.
 */
static int vsim_term_release(struct inode *inode, struct file *filp)
{
	struct vsim_dev *dev = filp->private_data;

	clear_bit(VSIM_TERM_OPEN, &dev->term_flags);
	vsim_dev_put(dev);
	return 0;
}

/**
 * vsim_term_write() - send one C-APDU (shell use)
 * @filp: the terminal
 * @buf: the C-APDU
 * @count: its length, 1..VSIM_CAPDU_MAX
 * @off: unused
 *
 * Powers the card on first if it is off. The R-APDU waits for read(),
 * replacing any earlier one.
 *
 * Return: @count; -EINVAL (empty), -EMSGSIZE (too long), -EFAULT,
 * -ENODEV (card gone), -EINTR (signal while the agent was committing:
 * nothing changed), -ERESTARTSYS.
 */
static ssize_t vsim_term_write(struct file *filp, const char __user *buf,
			       size_t count, loff_t *off)
{
	struct vsim_dev *dev = filp->private_data;
	bool powered_on = false;
	u8 capdu[VSIM_CAPDU_MAX];
	u8 atr[VSIM_ATR_MAX];
	ssize_t ret;

	if (!count)
		return -EINVAL;
	if (count > VSIM_CAPDU_MAX)
		return -EMSGSIZE;
	/* in before the card's locks: a fault may sleep (userfaultfd, FUSE) */
	if (copy_from_user(capdu, buf, count))
		return -EFAULT;
	ret = vsim_term_lock(dev);
	if (ret)
		goto out_wipe;
	dev->pending_len = 0;
	if (!vsim_card_powered(dev->engine)) {
		vsim_card_power_on(dev->engine, atr, sizeof(atr));
		powered_on = true;
	}
	ret = vsim_term_exchange(dev, capdu, count, dev->rapdu);
	if (ret < 0)
		goto out_unlock;
	dev->pending_len = ret;
	ret = count;
out_unlock:
	vsim_term_unlock(dev);
	if (powered_on)
		vsim_event_power(dev, VSIM_POWER_ON);
	wake_up_interruptible(&dev->term_wait);
out_wipe:
	memzero_explicit(capdu, count);	/* VERIFY carries a PIN */
	return ret;
}

/**
 * vsim_term_read() - the R-APDU of the last write()
 * @filp: the terminal
 * @buf: where it goes
 * @count: buffer size, at least the R-APDU's length
 * @off: unused
 *
 * The response leaves the card's locks before it is copied out.
 *
 * Return: the R-APDU's length, 0 when none is waiting (end of file: `cat`
 * stops), -EMSGSIZE (buffer too small: the response stays), -EFAULT (it
 * stays unless a write() left a newer one meanwhile), -ENODEV,
 * -ERESTARTSYS.
 */
static ssize_t vsim_term_read(struct file *filp, char __user *buf,
			      size_t count, loff_t *off)
{
	struct vsim_dev *dev = filp->private_data;
	u8 rapdu[VSIM_RAPDU_MAX];
	ssize_t ret;

	ret = vsim_term_lock(dev);
	if (ret)
		return ret;
	ret = dev->pending_len;
	if (!ret || count < ret) {
		vsim_term_unlock(dev);
		return ret ? -EMSGSIZE : 0;	/* too small: it stays */
	}
	/* out after the card's locks: take the response, copy it then */
	memcpy(rapdu, dev->rapdu, ret);
	memzero_explicit(dev->rapdu, ret);
	dev->pending_len = 0;
	vsim_term_unlock(dev);

	if (copy_to_user(buf, rapdu, ret)) {
		/* put it back unless a write() has left a newer one since */
		mutex_lock(&dev->lock);
		if (!dev->pending_len && !READ_ONCE(dev->dead)) {
			memcpy(dev->rapdu, rapdu, ret);
			dev->pending_len = ret;
		}
		mutex_unlock(&dev->lock);
		ret = -EFAULT;
	}
	memzero_explicit(rapdu, sizeof(rapdu));
	return ret;
}

/**
 * vsim_term_poll() - readiness of /dev/vsimN
 * @filp: the terminal
 * @wait: poll table
 *
 * Return: EPOLLIN when a response waits for read(), EPOLLOUT while the
 * card exists, EPOLLHUP | EPOLLERR once it is gone.
 */
static __poll_t vsim_term_poll(struct file *filp, poll_table *wait)
{
	struct vsim_dev *dev = filp->private_data;
	__poll_t mask = 0;

	poll_wait(filp, &dev->term_wait, wait);
	if (READ_ONCE(dev->dead))
		return EPOLLHUP | EPOLLERR;
	if (READ_ONCE(dev->pending_len))
		mask |= EPOLLIN | EPOLLRDNORM;
	return mask | EPOLLOUT | EPOLLWRNORM;
}

/* ---- ioctls --------------------------------------------------------------- */

static long vsim_term_power(struct vsim_dev *dev, unsigned int cmd,
			    struct vsim_atr __user *argp)
{
	struct vsim_atr a;
	u32 what;
	long ret;

	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	if (a.size != sizeof(a))
		return -EINVAL;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);

	if (cmd == VSIM_IOC_GET_ATR) {
		if (READ_ONCE(dev->dead))
			return -ENODEV;
		a.len = dev->atr_len;
		memcpy(a.atr, dev->atr, dev->atr_len);
		return copy_to_user(argp, &a, sizeof(a)) ? -EFAULT : 0;
	}

	ret = vsim_term_lock(dev);
	if (ret)
		return ret;
	if (cmd == VSIM_IOC_RESET && !vsim_card_powered(dev->engine)) {
		vsim_term_unlock(dev);
		return -EIO;
	}
	/* Warm or cold, the engine resets the same way (vsim_card.h). */
	dev->pending_len = 0;
	a.len = vsim_card_power_on(dev->engine, a.atr, sizeof(a.atr));
	vsim_term_unlock(dev);

	what = cmd == VSIM_IOC_RESET ? VSIM_POWER_RESET : VSIM_POWER_ON;
	vsim_event_power(dev, what);
	return copy_to_user(argp, &a, sizeof(a)) ? -EFAULT : 0;
}

static long vsim_term_power_off(struct vsim_dev *dev)
{
	long ret;

	ret = vsim_term_lock(dev);
	if (ret)
		return ret;
	dev->pending_len = 0;
	vsim_card_power_off(dev->engine);
	vsim_term_unlock(dev);
	vsim_event_power(dev, VSIM_POWER_OFF);
	return 0;
}

static long vsim_term_transmit(struct vsim_dev *dev,
			       struct vsim_transmit __user *argp)
{
	struct vsim_transmit t;
	u8 capdu[VSIM_CAPDU_MAX];
	u8 rapdu[VSIM_RAPDU_MAX];
	ssize_t rlen;
	long ret;

	if (copy_from_user(&t, argp, sizeof(t)))
		return -EFAULT;
	if (t.size != sizeof(t) || t.flags || t.reserved || !t.capdu_len ||
	    t.rapdu_max < VSIM_RAPDU_MAX)
		return -EINVAL;
	if (t.capdu_len > VSIM_CAPDU_MAX)
		return -EMSGSIZE;
	/* in before the card's locks, out after them: a fault may sleep */
	if (copy_from_user(capdu, u64_to_user_ptr(t.capdu), t.capdu_len))
		return -EFAULT;

	ret = vsim_term_lock(dev);
	if (ret)
		goto out_wipe;
	dev->pending_len = 0;
	if (!vsim_card_powered(dev->engine)) {
		vsim_term_unlock(dev);
		ret = -EIO;
		goto out_wipe;
	}
	rlen = vsim_term_exchange(dev, capdu, t.capdu_len, rapdu);
	vsim_term_unlock(dev);
	if (rlen < 0) {
		ret = rlen;
		goto out_wipe;
	}
	if (copy_to_user(u64_to_user_ptr(t.rapdu), rapdu, rlen) ||
	    put_user((u32)rlen, &argp->rapdu_len))
		ret = -EFAULT;
	memzero_explicit(rapdu, rlen);	/* AUTHENTICATE answers CK, IK */
out_wipe:
	memzero_explicit(capdu, t.capdu_len);	/* VERIFY carries a PIN */
	return ret;
}

/**
 * vsim_term_ioctl() - the terminal's ioctls
 * @filp: the terminal
 * @cmd: VSIM_IOC_POWER_ON, _POWER_OFF, _RESET, _GET_ATR or _TRANSMIT
 * @arg: pointer to a struct vsim_atr or struct vsim_transmit
 *
 * Return: 0; -EFAULT, -EINVAL (size, flags, reserved, empty C-APDU,
 * rapdu_max < VSIM_RAPDU_MAX), -EMSGSIZE (C-APDU > VSIM_CAPDU_MAX), -EIO
 * (TRANSMIT or RESET on a card that is off), -ENODEV (card gone, also for
 * a TRANSMIT that was waiting for the agent), -EINTR (signal while waiting
 * for the agent: the command had no effect), -ERESTARTSYS, -ENOTTY for any
 * other command.
 */
static long vsim_term_ioctl(struct file *filp, unsigned int cmd,
			    unsigned long arg)
{
	struct vsim_dev *dev = filp->private_data;
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case VSIM_IOC_TRANSMIT:
		return vsim_term_transmit(dev, argp);
	case VSIM_IOC_POWER_ON:
	case VSIM_IOC_RESET:
	case VSIM_IOC_GET_ATR:
		return vsim_term_power(dev, cmd, argp);
	case VSIM_IOC_POWER_OFF:
		return vsim_term_power_off(dev);
	default:
		return -ENOIOCTLCMD;
	}
}

static const struct file_operations vsim_term_fops = {
	.owner = THIS_MODULE,
	.open = vsim_term_open,
	.release = vsim_term_release,
	.read = vsim_term_read,
	.write = vsim_term_write,
	.poll = vsim_term_poll,
	.unlocked_ioctl = vsim_term_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = no_llseek,
};

/* ---- sysfs: /sys/class/vsim/vsimN/ ---------------------------------------- */

static ssize_t iccid_show(struct device *d, struct device_attribute *attr,
			  char *buf)
{
	struct vsim_dev *dev = dev_get_drvdata(d);

	return sysfs_emit(buf, "%s\n", dev->iccid);
}
static DEVICE_ATTR_RO(iccid);

/* "power" is taken by the driver core's PM group: the card's is "powered". */
static ssize_t powered_show(struct device *d, struct device_attribute *attr,
			    char *buf)
{
	struct vsim_dev *dev = dev_get_drvdata(d);
	bool on;

	if (mutex_lock_interruptible(&dev->lock))
		return -ERESTARTSYS;
	on = vsim_card_powered(dev->engine);
	mutex_unlock(&dev->lock);
	return sysfs_emit(buf, "%d\n", on);
}
static DEVICE_ATTR_RO(powered);

/* 1 when changes wait for the agent's ack, 0 for a VOLATILE card */
static ssize_t durable_show(struct device *d, struct device_attribute *attr,
			    char *buf)
{
	struct vsim_dev *dev = dev_get_drvdata(d);

	return sysfs_emit(buf, "%d\n",
			  !(dev->flags & VSIM_NEW_CARD_F_VOLATILE));
}
static DEVICE_ATTR_RO(durable);

static ssize_t vsim_term_stat_show(struct device *d, char *buf, int which)
{
	struct vsim_dev *dev = dev_get_drvdata(d);
	struct vsim_card_stats st;
	u64 v;

	if (mutex_lock_interruptible(&dev->lock))
		return -ERESTARTSYS;
	vsim_card_get_stats(dev->engine, &st);
	mutex_unlock(&dev->lock);
	v = which == 0 ? st.apdus : which == 1 ? st.auth_ok : st.auth_fail;
	return sysfs_emit(buf, "%llu\n", v);
}

static ssize_t apdus_show(struct device *d, struct device_attribute *attr,
			  char *buf)
{
	return vsim_term_stat_show(d, buf, 0);
}
static DEVICE_ATTR_RO(apdus);

static ssize_t auth_ok_show(struct device *d, struct device_attribute *attr,
			    char *buf)
{
	return vsim_term_stat_show(d, buf, 1);
}
static DEVICE_ATTR_RO(auth_ok);

static ssize_t auth_fail_show(struct device *d, struct device_attribute *attr,
			      char *buf)
{
	return vsim_term_stat_show(d, buf, 2);
}
static DEVICE_ATTR_RO(auth_fail);

/* Records waiting for the agent's read(): at most VSIM_EVQ_MAX. */
static ssize_t queued_show(struct device *d, struct device_attribute *attr,
			   char *buf)
{
	struct vsim_dev *dev = dev_get_drvdata(d);

	return sysfs_emit(buf, "%u\n", READ_ONCE(dev->ev_count));
}
static DEVICE_ATTR_RO(queued);

/* The binding check in words: mode, bound, this power cycle; never the IMEI. */
static ssize_t binding_show(struct device *d, struct device_attribute *attr,
			    char *buf)
{
	struct vsim_dev *dev = dev_get_drvdata(d);
	struct vsim_binding_info info;

	if (mutex_lock_interruptible(&dev->lock))
		return -ERESTARTSYS;
	vsim_card_binding_info(dev->engine, &info);
	mutex_unlock(&dev->lock);
	return sysfs_emit(buf, "mode=%s bound=%d session=%s\n", info.mode,
			  info.bound, info.session);
}
static DEVICE_ATTR_RO(binding);

static struct attribute *vsim_term_attrs[] = {
	&dev_attr_iccid.attr,
	&dev_attr_powered.attr,
	&dev_attr_durable.attr,
	&dev_attr_apdus.attr,
	&dev_attr_auth_ok.attr,
	&dev_attr_auth_fail.attr,
	&dev_attr_binding.attr,
	&dev_attr_queued.attr,
	NULL,
};

static const struct attribute_group vsim_term_group = {
	.attrs = vsim_term_attrs,
};

const struct attribute_group *vsim_term_groups[] = {
	&vsim_term_group,
	NULL,
};

/**
 * vsim_term_init() - the character device behind every /dev/vsimN
 *
 * Return: 0 or the cdev_add() error.
 */
int vsim_term_init(void)
{
	cdev_init(&vsim_term_cdev, &vsim_term_fops);
	vsim_term_cdev.owner = THIS_MODULE;
	return cdev_add(&vsim_term_cdev, vsim_devt, VSIM_MINORS);
}

/**
 * vsim_term_exit() - remove the character device
 */
void vsim_term_exit(void)
{
	cdev_del(&vsim_term_cdev);
}
