// SPDX-License-Identifier: GPL-2.0-only
/*
 * The card fd, the agent's side of a card: the engine's host services
 * (AES from lib/crypto, randomness, persist()), the queue of records the
 * agent read()s, the acks it write()s, and its ioctls. Flow: terminal ->
 * vsim_term.c -> engine -> persist() here -> agent -> ack -> the terminal's
 * command completes. Lock order: vsim_dev.h.
 */
#include <linux/anon_inodes.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vsim_dev.h"

/* ---- the engine's host services -------------------------------------------- */

static int vsim_engine_aes_setkey(void *priv, const u8 key[16])
{
	struct vsim_dev *dev = priv;

	return aes_expandkey(&dev->aes, key, 16);
}

static void vsim_engine_aes_encrypt(void *priv, const u8 in[16], u8 out[16])
{
	struct vsim_dev *dev = priv;

	aes_encrypt(&dev->aes, out, in);
}

static void vsim_engine_random(void *priv, u8 *buf, size_t len)
{
	get_random_bytes(buf, len);
}

/*
 * Queue a record; ev_lock held. Every record counts against VSIM_EVQ_MAX.
 * Once the agent lets that many pile up, a record that may be lost
 * (@may_drop: power events, a volatile card's changes) is dropped, counted
 * and the next one flagged; any other is refused, and the command that
 * made it fails (6581, 9300) without changing the card. Returns 0 when
 * queued, -ENOSPC when dropped or refused: the caller frees @ev.
 */
static int vsim_ev_queue_locked(struct vsim_dev *dev, struct vsim_ev *ev,
				bool may_drop)
{
	/* docs/uapi.md's ceiling: one 512-byte slab object per record */
	BUILD_BUG_ON(sizeof(struct vsim_ev) + VSIM_EV_DATA_MAX > 512);
	lockdep_assert_held(&dev->ev_lock);
	/* the record being copied out may come back: it keeps its place */
	if (dev->ev_count + dev->ev_inflight >= VSIM_EVQ_MAX) {
		if (may_drop) {
			dev->events_lost++;
			dev->lost_pending = true;
		}
		return -ENOSPC;
	}
	if (dev->lost_pending) {
		ev->hdr.flags |= VSIM_EV_F_LOST;
		dev->lost_pending = false;
	}
	ev->hdr.seq = ++dev->seq;
	list_add_tail(&ev->node, &dev->events);
	dev->ev_count++;
	return 0;
}

static void vsim_ev_free(struct vsim_ev *ev)
{
	/* persist records carry card data: PIN values among them */
	memzero_explicit(ev->data, ev->hdr.len);
	kfree(ev);
}

/**
 * vsim_ev_withdraw() - take back a waited-for record nobody has read
 * @dev: the card
 * @slot: &dev->wait_ev or &dev->slow_ev
 *
 * The wait ended without an answer (timeout, signal, card gone): the agent
 * is not to act on the record any more, and the queue must not keep it.
 * A record a reader already took is the reader's to free.
 */
void vsim_ev_withdraw(struct vsim_dev *dev, struct vsim_ev **slot)
{
	struct vsim_ev *ev;

	spin_lock(&dev->ev_lock);
	ev = *slot;
	*slot = NULL;
	if (ev) {
		list_del(&ev->node);
		dev->ev_count--;
		/* the records it announced as lost are still lost */
		if (ev->hdr.flags & VSIM_EV_F_LOST)
			dev->lost_pending = true;
	}
	spin_unlock(&dev->ev_lock);
	if (ev)
		vsim_ev_free(ev);
}

/*
 * Durable before 9000: the engine reports a change before applying it; the
 * agent gets it as a VSIM_EV_PERSIST record and must ack it within
 * persist_timeout_ms. Called by the engine with dev->lock held, in the
 * context of the terminal's (or sysfs-free) command. Volatile cards queue
 * the record and go on. The reason for a failure is kept in
 * dev->persist_err so the terminal side can turn a timeout into 6F00 and a
 * signal into -EINTR.
 */
static int vsim_engine_persist(void *priv, const struct vsim_persist *rec)
{
	struct vsim_dev *dev = priv;
	bool volatile_card = dev->flags & VSIM_NEW_CARD_F_VOLATILE;
	bool wait = !volatile_card && !dev->in_exec;
	struct vsim_ev *ev;
	long left;
	u64 seq;
	int ret;

	lockdep_assert_held(&dev->lock);
	if (READ_ONCE(dev->dead)) {
		ret = -ENODEV;
		goto out;
	}
	if (rec->len > VSIM_EV_DATA_MAX) {
		ret = -ENOSPC;
		goto out;
	}
	/* on behalf of the terminal's (or the agent's) process: charged to it */
	ev = kmalloc(struct_size(ev, data, rec->len), GFP_KERNEL_ACCOUNT);
	if (!ev) {
		ret = -ENOMEM;
		goto out;
	}
	memset(&ev->hdr, 0, sizeof(ev->hdr));
	ev->hdr.type = VSIM_EV_PERSIST;
	ev->hdr.flags = wait ? VSIM_EV_F_ACK : 0;
	ev->hdr.len = rec->len;
	ev->hdr.offset = rec->offset;
	memcpy(ev->data, rec->data, rec->len);

	spin_lock(&dev->ev_lock);
	ret = vsim_ev_queue_locked(dev, ev, volatile_card);
	seq = dev->seq;
	if (!ret && wait) {
		dev->wait_seq = seq;
		dev->wait_ev = ev;
	}
	spin_unlock(&dev->ev_lock);
	if (ret) {
		vsim_ev_free(ev);
		/* a volatile card goes on without the record */
		if (volatile_card)
			return 0;
		goto out;
	}
	wake_up_interruptible(&dev->ev_wait);
	if (!wait)
		return 0;

	left = wait_event_interruptible_timeout(dev->ack_wait,
			READ_ONCE(dev->acked_seq) >= seq || READ_ONCE(dev->dead),
			msecs_to_jiffies(vsim_persist_timeout_ms()));

	spin_lock(&dev->ev_lock);
	dev->wait_seq = 0;
	if (dev->acked_seq == seq)
		ret = dev->ack_status;
	else if (dev->dead)
		ret = -ENODEV;
	else if (left < 0)
		ret = -EINTR;
	else
		ret = -ETIMEDOUT;
	if (!ret)
		dev->wait_ev = NULL;	/* committed: the agent keeps it */
	spin_unlock(&dev->ev_lock);
	/* no change happened: a record still queued must not reach the agent */
	if (ret)
		vsim_ev_withdraw(dev, &dev->wait_ev);
out:
	if (ret)
		dev->persist_err = ret;
	return ret;
}

/*
 * The engine leaves ENVELOPE SMS-PP download and MENU SELECTION to the
 * agent (OTA). With VSIM_NEW_CARD_F_SLOW_PATH the C-APDU becomes a
 * VSIM_EV_SLOW_APDU record and the command is deferred: vsim_term.c lets
 * go of dev->lock and waits for VSIM_IOC_SLOW_ANSWER. Without the flag,
 * inside the agent's own VSIM_IOC_EXEC (it would wait for itself), with
 * the queue full or without memory, 0: the card answers 9300 (toolkit
 * busy).
 */
static size_t vsim_engine_slow_path(void *priv, const u8 *capdu, size_t len,
				    u8 *rapdu)
{
	struct vsim_dev *dev = priv;
	struct vsim_ev *ev;
	int ret;

	lockdep_assert_held(&dev->lock);
	if (!(dev->flags & VSIM_NEW_CARD_F_SLOW_PATH) || dev->in_exec ||
	    READ_ONCE(dev->dead))
		return 0;
	if (len > VSIM_EV_DATA_MAX)
		return 0;
	ev = kmalloc(struct_size(ev, data, len), GFP_KERNEL_ACCOUNT);
	if (!ev)
		return 0;
	memset(&ev->hdr, 0, sizeof(ev->hdr));
	ev->hdr.type = VSIM_EV_SLOW_APDU;
	ev->hdr.len = len;
	memcpy(ev->data, capdu, len);

	spin_lock(&dev->ev_lock);
	ret = vsim_ev_queue_locked(dev, ev, false);
	if (!ret) {
		dev->slow_seq = dev->seq;
		dev->slow_len = 0;
		dev->slow_ev = ev;
	}
	spin_unlock(&dev->ev_lock);
	if (ret) {
		vsim_ev_free(ev);	/* the agent is not reading: 9300 */
		return 0;
	}
	wake_up_interruptible(&dev->ev_wait);
	return VSIM_SLOW_DEFERRED;
}

const struct vsim_card_ops vsim_engine_ops = {
	.aes128_setkey = vsim_engine_aes_setkey,
	.aes128_encrypt = vsim_engine_aes_encrypt,
	.get_random = vsim_engine_random,
	.persist = vsim_engine_persist,
	.slow_path = vsim_engine_slow_path,
	.ecies_conceal = vsim_ecies_conceal,
};

/**
 * vsim_event_power() - tell the agent about a power change
 * @dev: the card
 * @what: VSIM_POWER_OFF, VSIM_POWER_ON or VSIM_POWER_RESET
 *
 * No ack expected; dropped (and counted) when the agent is not reading.
 */
void vsim_event_power(struct vsim_dev *dev, u32 what)
{
	struct vsim_ev *ev;
	int ret;

	ev = kzalloc(sizeof(*ev), GFP_KERNEL_ACCOUNT);
	if (!ev) {
		spin_lock(&dev->ev_lock);
		dev->events_lost++;
		dev->lost_pending = true;
		spin_unlock(&dev->ev_lock);
		return;
	}
	ev->hdr.type = VSIM_EV_POWER;
	ev->hdr.arg = what;
	spin_lock(&dev->ev_lock);
	ret = vsim_ev_queue_locked(dev, ev, true);
	spin_unlock(&dev->ev_lock);
	if (ret)
		kfree(ev);
	else
		wake_up_interruptible(&dev->ev_wait);
}

/**
 * vsim_events_free() - drop every queued record
 * @dev: a card nobody reads any more
 */
void vsim_events_free(struct vsim_dev *dev)
{
	struct vsim_ev *ev, *tmp;
	LIST_HEAD(gone);

	spin_lock(&dev->ev_lock);
	list_splice_init(&dev->events, &gone);
	dev->ev_count = 0;
	dev->wait_ev = NULL;
	dev->slow_ev = NULL;
	spin_unlock(&dev->ev_lock);
	list_for_each_entry_safe(ev, tmp, &gone, node)
		vsim_ev_free(ev);
}

/* ---- the card fd ------------------------------------------------------------ */

/*
 * A record read() took off the queue and could not copy out; ev_lock held.
 * One the card still waits for goes back to the head of the queue and to
 * its waiter's slot, so a wait ending without an answer withdraws it
 * again. One whose wait ended meanwhile (given up on, answered, or acked
 * with an error) was never read and describes nothing that happened: it
 * is not requeued (docs/uapi.md). Returns true when requeued.
 */
static bool vsim_ev_requeue_locked(struct vsim_dev *dev, struct vsim_ev *ev)
{
	u64 seq = ev->hdr.seq;

	lockdep_assert_held(&dev->ev_lock);
	if (ev->hdr.type == VSIM_EV_SLOW_APDU) {
		if (seq != dev->slow_seq || dev->slow_len)
			return false;
		dev->slow_ev = ev;
	} else if (ev->hdr.flags & VSIM_EV_F_ACK) {
		if (seq == dev->wait_seq)
			dev->wait_ev = ev;
		else if (seq != dev->acked_seq || dev->ack_status)
			return false;
	}
	list_add(&ev->node, &dev->events);
	dev->ev_count++;
	return true;
}

/**
 * vsim_cardfd_read() - the next record for the agent
 * @filp: the card fd
 * @buf: where the struct vsim_event and its data go
 * @count: buffer size; VSIM_EVENT_MAX always suffices
 * @off: unused
 *
 * One record per call, removed from the queue once copied. Blocks unless
 * O_NONBLOCK.
 *
 * Return: the record's length; -EAGAIN (O_NONBLOCK, queue empty),
 * -EMSGSIZE (buffer too small: the record stays queued), -EFAULT (it
 * stays queued unless the card has given up on it), -ERESTARTSYS on a
 * signal.
 */
static ssize_t vsim_cardfd_read(struct file *filp, char __user *buf,
				size_t count, loff_t *off)
{
	struct vsim_dev *dev = filp->private_data;
	struct vsim_ev *ev;
	ssize_t ret;
	size_t len;

	if (mutex_lock_interruptible(&dev->read_lock))
		return -ERESTARTSYS;
	for (;;) {
		len = 0;
		spin_lock(&dev->ev_lock);
		ev = list_first_entry_or_null(&dev->events, struct vsim_ev, node);
		if (ev) {
			len = sizeof(ev->hdr) + ev->hdr.len;
			/*
			 * Take it off the queue while copying: a waiter giving
			 * up (vsim_ev_withdraw()) then leaves it to us.
			 */
			if (count >= len) {
				list_del(&ev->node);
				dev->ev_count--;
				dev->ev_inflight = true;
				if (ev == dev->wait_ev)
					dev->wait_ev = NULL;
				if (ev == dev->slow_ev)
					dev->slow_ev = NULL;
			}
		}
		spin_unlock(&dev->ev_lock);
		if (ev)
			break;
		if (filp->f_flags & O_NONBLOCK) {
			ret = -EAGAIN;
			goto out_unlock;
		}
		ret = wait_event_interruptible(dev->ev_wait,
					       READ_ONCE(dev->ev_count) != 0);
		if (ret)
			goto out_unlock;
	}
	if (count < len) {
		ret = -EMSGSIZE;	/* it stays queued */
		goto out_unlock;
	}
	if (copy_to_user(buf, &ev->hdr, sizeof(ev->hdr)) ||
	    copy_to_user(buf + sizeof(ev->hdr), ev->data, ev->hdr.len)) {
		/* back to the head of the queue, unless its wait is over */
		spin_lock(&dev->ev_lock);
		dev->ev_inflight = false;
		if (vsim_ev_requeue_locked(dev, ev))
			ev = NULL;
		spin_unlock(&dev->ev_lock);
		if (ev)
			vsim_ev_free(ev);
		ret = -EFAULT;
		goto out_unlock;
	}
	spin_lock(&dev->ev_lock);
	dev->ev_inflight = false;
	spin_unlock(&dev->ev_lock);
	vsim_ev_free(ev);
	ret = len;
out_unlock:
	mutex_unlock(&dev->read_lock);
	return ret;
}

/**
 * vsim_cardfd_write() - the agent acknowledges a change record
 * @filp: the card fd
 * @buf: exactly one struct vsim_ack
 * @count: sizeof(struct vsim_ack)
 * @off: unused
 *
 * Return: @count; -EINVAL for another size, non-zero reserved or a status
 * that is neither 0 nor a negative errno; -ENOENT when the card is not
 * waiting for that seq (never was, or already gave up on it); -EFAULT.
 */
static ssize_t vsim_cardfd_write(struct file *filp, const char __user *buf,
				 size_t count, loff_t *off)
{
	struct vsim_dev *dev = filp->private_data;
	struct vsim_ack ack;
	ssize_t ret = count;

	if (count != sizeof(ack))
		return -EINVAL;
	if (copy_from_user(&ack, buf, sizeof(ack)))
		return -EFAULT;
	if (ack.reserved || ack.status > 0 || ack.status < -MAX_ERRNO)
		return -EINVAL;

	spin_lock(&dev->ev_lock);
	if (!dev->wait_seq || ack.seq != dev->wait_seq) {
		ret = -ENOENT;
	} else {
		dev->acked_seq = ack.seq;
		dev->ack_status = ack.status;
		dev->wait_seq = 0;
	}
	spin_unlock(&dev->ev_lock);
	if (ret > 0)
		wake_up_all(&dev->ack_wait);
	return ret;
}

/**
 * vsim_cardfd_poll() - readiness of the card fd
 * @filp: the card fd
 * @wait: poll table
 *
 * Return: EPOLLIN when a record is queued; always EPOLLOUT (acks).
 */
static __poll_t vsim_cardfd_poll(struct file *filp, poll_table *wait)
{
	struct vsim_dev *dev = filp->private_data;
	__poll_t mask = EPOLLOUT | EPOLLWRNORM;

	poll_wait(filp, &dev->ev_wait, wait);
	if (READ_ONCE(dev->ev_count))
		mask |= EPOLLIN | EPOLLRDNORM;
	return mask;
}

static long vsim_cardfd_get_state(struct vsim_dev *dev,
				  struct vsim_state __user *argp)
{
	struct vsim_state req;
	size_t len, max;
	const u8 *blob;
	u8 *copy = NULL;
	long ret = 0;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.size != sizeof(req))
		return -EINVAL;
	/*
	 * The blob (at most VSIM_STATE_MAX_SIZE) goes out through a copy
	 * taken under dev->lock, so no user fault happens under it.
	 */
	max = min_t(size_t, req.len, VSIM_STATE_MAX_SIZE);
	if (max) {
		copy = kvmalloc(max, GFP_KERNEL_ACCOUNT);
		if (!copy)
			return -ENOMEM;
	}
	if (mutex_lock_interruptible(&dev->lock)) {
		ret = -ERESTARTSYS;
		goto out_free;
	}
	blob = vsim_card_state(dev->engine, &len);
	if (len > max)
		ret = -ENOSPC;
	else
		memcpy(copy, blob, len);
	spin_lock(&dev->ev_lock);
	req.seq = dev->seq;
	spin_unlock(&dev->ev_lock);
	mutex_unlock(&dev->lock);

	if (!ret && copy_to_user(u64_to_user_ptr(req.buf), copy, len))
		ret = -EFAULT;
	req.len = len;
	if (ret != -EFAULT && copy_to_user(argp, &req, sizeof(req)))
		ret = -EFAULT;
out_free:
	if (copy)
		kvfree_sensitive(copy, max);	/* PINs, file contents */
	return ret;
}

static long vsim_cardfd_get_stats(struct vsim_dev *dev,
				  struct vsim_stats __user *argp)
{
	struct vsim_card_stats st;
	struct vsim_stats out;
	u32 size;

	if (get_user(size, &argp->size))
		return -EFAULT;
	if (size != sizeof(out))
		return -EINVAL;
	if (mutex_lock_interruptible(&dev->lock))
		return -ERESTARTSYS;
	vsim_card_get_stats(dev->engine, &st);
	mutex_unlock(&dev->lock);

	memset(&out, 0, sizeof(out));
	out.size = sizeof(out);
	out.apdus = st.apdus;
	out.auth_ok = st.auth_ok;
	out.auth_fail = st.auth_fail;
	spin_lock(&dev->ev_lock);
	out.events_lost = dev->events_lost;
	spin_unlock(&dev->ev_lock);
	return copy_to_user(argp, &out, sizeof(out)) ? -EFAULT : 0;
}

/*
 * VSIM_IOC_EXEC: an APDU from the agent. With VSIM_PRIV_ADM it runs on the
 * engine's own host channel with ADM rights (TS 102 226 remote file
 * management); with VSIM_PRIV_TERMINAL as the terminal would send it. The
 * caller is the agent itself, so its changes are queued without waiting
 * for an ack: the agent commits them before it lets the answer out.
 */
static long vsim_cardfd_exec(struct vsim_dev *dev,
			     struct vsim_exec __user *argp)
{
	struct vsim_exec req;
	size_t rlen;
	u8 *buf;
	long ret;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.size != sizeof(req) || req.reserved || !req.capdu_len ||
	    req.rapdu_max < VSIM_RAPDU_MAX ||
	    (req.privilege != VSIM_PRIV_TERMINAL &&
	     req.privilege != VSIM_PRIV_ADM))
		return -EINVAL;
	if (req.capdu_len > VSIM_CAPDU_MAX)
		return -EMSGSIZE;
	/* not the terminal's buffers: a shell read() may still want them */
	buf = kmalloc(VSIM_CAPDU_MAX + VSIM_RAPDU_MAX, GFP_KERNEL_ACCOUNT);
	if (!buf)
		return -ENOMEM;
	if (copy_from_user(buf, u64_to_user_ptr(req.capdu), req.capdu_len)) {
		ret = -EFAULT;
		goto out_free;
	}
	if (mutex_lock_interruptible(&dev->lock)) {
		ret = -ERESTARTSYS;
		goto out_free;
	}
	if (READ_ONCE(dev->dead)) {
		ret = -ENODEV;
		goto out_unlock;
	}
	if (req.privilege == VSIM_PRIV_TERMINAL &&
	    !vsim_card_powered(dev->engine)) {
		ret = -EIO;
		goto out_unlock;
	}
	/* the terminal's command in flight is waiting for this agent */
	if (req.privilege == VSIM_PRIV_TERMINAL &&
	    vsim_card_slow_pending(dev->engine)) {
		ret = -EBUSY;
		goto out_unlock;
	}
	dev->in_exec = true;
	rlen = vsim_card_exec(dev->engine, buf, req.capdu_len,
			      buf + VSIM_CAPDU_MAX,
			      req.privilege == VSIM_PRIV_ADM);
	dev->in_exec = false;
	mutex_unlock(&dev->lock);
	req.rapdu_len = rlen;
	if (copy_to_user(u64_to_user_ptr(req.rapdu), buf + VSIM_CAPDU_MAX,
			 rlen) ||
	    copy_to_user(argp, &req, sizeof(req)))
		ret = -EFAULT;
	else
		ret = 0;
	goto out_free;

out_unlock:
	mutex_unlock(&dev->lock);
out_free:
	kfree_sensitive(buf);
	return ret;
}

/* VSIM_IOC_SLOW_ANSWER: the agent's R-APDU for the deferred command. */
static long vsim_cardfd_slow_answer(struct vsim_dev *dev,
				    struct vsim_slow_answer __user *argp)
{
	struct vsim_slow_answer req;
	u8 rapdu[VSIM_RAPDU_MAX];
	long ret = 0;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.size != sizeof(req) || req.reserved || req.reserved2 ||
	    req.rapdu_len < 2 || req.rapdu_len > VSIM_RAPDU_MAX)
		return -EINVAL;
	if (copy_from_user(rapdu, u64_to_user_ptr(req.rapdu), req.rapdu_len))
		return -EFAULT;

	spin_lock(&dev->ev_lock);
	if (!req.seq || req.seq != dev->slow_seq || dev->slow_len) {
		ret = -ENOENT;
	} else {
		memcpy(dev->slow_answer, rapdu, req.rapdu_len);
		dev->slow_len = req.rapdu_len;
	}
	spin_unlock(&dev->ev_lock);
	memzero_explicit(rapdu, sizeof(rapdu));
	if (!ret)
		wake_up(&dev->slow_wait);
	return ret;
}

/* VSIM_IOC_QUEUE_PROACTIVE: a proactive command from the agent (OTA). */
static long vsim_cardfd_queue_proactive(struct vsim_dev *dev,
					struct vsim_proactive_cmd __user *argp)
{
	struct vsim_proactive_cmd req;
	u8 tlvs[VSIM_PROACTIVE_TLVS_MAX];
	long ret;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.size != sizeof(req) || req.reserved2 ||
	    req.flags & ~VSIM_PROACTIVE_F_ALL)
		return -EINVAL;
	/* only the slow path can take the TERMINAL RESPONSE to the agent */
	if ((req.flags & VSIM_PROACTIVE_F_RESPONSE) &&
	    !(dev->flags & VSIM_NEW_CARD_F_SLOW_PATH))
		return -EOPNOTSUPP;
	if (req.tlvs_len > sizeof(tlvs))
		return -ENOSPC;
	if (copy_from_user(tlvs, u64_to_user_ptr(req.tlvs), req.tlvs_len))
		return -EFAULT;
	if (mutex_lock_interruptible(&dev->lock))
		return -ERESTARTSYS;
	if (READ_ONCE(dev->dead))
		ret = -ENODEV;
	else
		ret = vsim_card_proactive(dev->engine, req.type, req.qualifier,
					  req.dest, tlvs, req.tlvs_len,
					  req.flags);
	mutex_unlock(&dev->lock);
	return ret;
}

/**
 * vsim_cardfd_ioctl() - the agent's ioctls
 * @filp: the card fd
 * @cmd: VSIM_IOC_GET_STATE, _GET_STATS, _EXEC, _SLOW_ANSWER or
 *	_QUEUE_PROACTIVE
 * @arg: pointer to the command's struct
 *
 * Return: 0; -EFAULT, -EINVAL (size, reserved fields, SLOW_ANSWER length
 * outside 2..VSIM_RAPDU_MAX, QUEUE_PROACTIVE TLVs malformed, unknown flags
 * or VSIM_PROACTIVE_F_PROFILE for a type without a profile bit, or with
 * VSIM_PROACTIVE_F_DECLARED), -EOPNOTSUPP (VSIM_PROACTIVE_F_PROFILE or
 * _F_DECLARED: the terminal's profile lacks the command;
 * VSIM_PROACTIVE_F_RESPONSE on a card without the slow path), -ENOSPC
 * (GET_STATE buffer too small: len tells the size needed; QUEUE_PROACTIVE
 * queue full or command too long for a FETCH), -EMSGSIZE (EXEC: C-APDU
 * too long), -EIO (EXEC as the terminal on a card powered off), -EBUSY
 * (EXEC as the terminal while the terminal's command waits for the
 * agent), -ENOENT (SLOW_ANSWER for a record nobody waits for), -ENODEV,
 * -ERESTARTSYS, -ENOTTY for any other command.
 */
static long vsim_cardfd_ioctl(struct file *filp, unsigned int cmd,
			      unsigned long arg)
{
	struct vsim_dev *dev = filp->private_data;
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case VSIM_IOC_GET_STATE:
		return vsim_cardfd_get_state(dev, argp);
	case VSIM_IOC_GET_STATS:
		return vsim_cardfd_get_stats(dev, argp);
	case VSIM_IOC_EXEC:
		return vsim_cardfd_exec(dev, argp);
	case VSIM_IOC_SLOW_ANSWER:
		return vsim_cardfd_slow_answer(dev, argp);
	case VSIM_IOC_QUEUE_PROACTIVE:
		return vsim_cardfd_queue_proactive(dev, argp);
	default:
		return -ENOIOCTLCMD;
	}
}

/**
 * vsim_cardfd_release() - the agent let go: the card ceases to exist
 * @inode: anon inode
 * @filp: the card fd
 *
 * Return: 0.
 */
static int vsim_cardfd_release(struct inode *inode, struct file *filp)
{
	vsim_dev_destroy(filp->private_data);
	return 0;
}

const struct file_operations vsim_cardfd_fops = {
	.owner = THIS_MODULE,
	.read = vsim_cardfd_read,
	.write = vsim_cardfd_write,
	.poll = vsim_cardfd_poll,
	.unlocked_ioctl = vsim_cardfd_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.release = vsim_cardfd_release,
	.llseek = no_llseek,
};
