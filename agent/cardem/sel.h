/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which SIMtrace2-family board and slot a card sits in, from vsimd's
 * configuration (`cardem = ...` in a [card] section, or --cardem
 * NAME=SPEC): "any" takes the first free slot of any board; otherwise
 * comma-separated serial=ISERIAL, path=BUS-PORT[.PORT...] (as sysfs names
 * the device, e.g. 1-1.2) and slot=N (the board's Nth card-emulation
 * interface, 0 or 1), each narrowing the choice (docs/modems.md).
 */
#ifndef VSIM_CARDEM_SEL_H
#define VSIM_CARDEM_SEL_H

#include <stdbool.h>

struct vsimd_cardem_sel {
	bool enabled;		/* the card's reader is a board, not vpcd */
	char serial[128];	/* "": any */
	char path[32];		/* "": any */
	int slot;		/* 0 or 1 */
};

/* 0, or -1 when SPEC is not "any" or a list of known keys. */
int vsimd_cardem_sel_parse(const char *spec, struct vsimd_cardem_sel *sel);

#endif /* VSIM_CARDEM_SEL_H */
