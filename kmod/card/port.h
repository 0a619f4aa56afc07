/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The card engine's only window on its host. The engine is freestanding C:
 * it includes this header and nothing else from the kernel or libc, so the
 * same files build into vsim.ko and into libvsimcard.a for userspace.
 */
#ifndef VSIM_CARD_PORT_H
#define VSIM_CARD_PORT_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#include <linux/errno.h>
#include <linux/stddef.h>
#else
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <errno.h>
#include <stdbool.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
#endif

#define VSIM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Keep a secret from outliving its use: the compiler may not elide this. */
static inline void vsim_wipe(void *p, size_t n)
{
#ifdef __KERNEL__
	memzero_explicit(p, n);
#else
	explicit_bzero(p, n);
#endif
}

/* Compare secrets without a data-dependent early exit. */
static inline int vsim_ct_differ(const u8 *a, const u8 *b, size_t n)
{
	u8 d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		d |= a[i] ^ b[i];
	return d != 0;
}

#endif /* VSIM_CARD_PORT_H */
