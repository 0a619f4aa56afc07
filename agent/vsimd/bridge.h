/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The vpcd bridge (bridge.c): what a card does with one vpcd frame
 * (vpcd.h). Returns 0 with the answer in @reply (possibly empty), or -1
 * when the connection must be dropped (the reason in c->vpcd.last_error).
 */
#ifndef VSIMD_BRIDGE_H
#define VSIMD_BRIDGE_H

#include <stddef.h>
#include <stdint.h>

#include "vsimd/vsimd.h"

int vsimd_bridge_frame(struct vsimd_card *c, const uint8_t *frame,
		       size_t len, uint8_t *reply, size_t *reply_len);

#endif /* VSIMD_BRIDGE_H */
