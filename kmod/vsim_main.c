// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsim.ko: a virtual UICC/USIM as a character device. This file holds the
 * module's global state (the class "vsim", the /dev/vsimN number range,
 * the index -> card map) and brings the control device (vsim_ctl.c) and the
 * terminal devices (vsim_term.c) up and down. The lock order is in
 * vsim_dev.h.
 */
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/module.h>

#include "vsim_dev.h"

static unsigned int persist_timeout_ms = 5000;
module_param(persist_timeout_ms, uint, 0644);
MODULE_PARM_DESC(persist_timeout_ms,
		 "How long a command waits for the agent's ack before it fails with 6F00 (ms, 1..600000)");

static unsigned int slow_timeout_ms = 10000;
module_param(slow_timeout_ms, uint, 0644);
MODULE_PARM_DESC(slow_timeout_ms,
		 "How long a command left to the agent (OTA) waits for its answer before it fails with 6F00 (ms, 1..600000)");

static unsigned int max_cards = 4096;
module_param(max_cards, uint, 0644);
MODULE_PARM_DESC(max_cards,
		 "How many cards may exist at once; NEW_CARD beyond is EBUSY (1..65536, default 4096; lowering it removes no card)");

struct class *vsim_class;
dev_t vsim_devt;
DEFINE_MUTEX(vsim_devs_lock);
DEFINE_IDR(vsim_devs);

/**
 * vsim_persist_timeout_ms() - the module parameter, clamped to a sane range
 *
 * Return: milliseconds a durable change may wait for the agent.
 */
unsigned int vsim_persist_timeout_ms(void)
{
	return clamp_t(unsigned int, READ_ONCE(persist_timeout_ms), 1, 600000);
}

/**
 * vsim_slow_timeout_ms() - the module parameter, clamped to a sane range
 *
 * Return: milliseconds a terminal waits for the agent's slow-path answer.
 */
unsigned int vsim_slow_timeout_ms(void)
{
	return clamp_t(unsigned int, READ_ONCE(slow_timeout_ms), 1, 600000);
}

/**
 * vsim_max_cards() - the module parameter, clamped to the minors reserved
 *
 * Return: how many cards may exist at once (1..VSIM_MINORS).
 */
unsigned int vsim_max_cards(void)
{
	return clamp_t(unsigned int, READ_ONCE(max_cards), 1, VSIM_MINORS);
}

static int __init vsim_init(void)
{
	int ret;

	ret = alloc_chrdev_region(&vsim_devt, 0, VSIM_MINORS, "vsim");
	if (ret)
		return ret;

	vsim_class = class_create(THIS_MODULE, "vsim");
	if (IS_ERR(vsim_class)) {
		ret = PTR_ERR(vsim_class);
		goto err_unregister_region;
	}
	vsim_class->dev_groups = vsim_term_groups;

	ret = vsim_term_init();
	if (ret)
		goto err_destroy_class;

	/* the curves and their known answers, before any card exists */
	vsim_ecies_init();

	/* Last: from here on userspace can create cards. */
	ret = vsim_ctl_init();
	if (ret)
		goto err_term_exit;
	return 0;

err_term_exit:
	vsim_ecies_exit();
	vsim_term_exit();
err_destroy_class:
	class_destroy(vsim_class);
err_unregister_region:
	unregister_chrdev_region(vsim_devt, VSIM_MINORS);
	return ret;
}

static void __exit vsim_exit(void)
{
	/* Every card fd pins the module: no card exists any more. */
	vsim_ctl_exit();
	vsim_ecies_exit();
	vsim_term_exit();
	class_destroy(vsim_class);
	unregister_chrdev_region(vsim_devt, VSIM_MINORS);
	idr_destroy(&vsim_devs);
}

module_init(vsim_init);
module_exit(vsim_exit);

MODULE_DESCRIPTION("Virtual UICC/USIM: a card engine behind /dev/vsimx and /dev/vsimN");
MODULE_LICENSE("GPL");
