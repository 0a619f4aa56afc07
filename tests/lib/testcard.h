/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A card for tests: compiled from a profile, hosted in-process, spoken to
 * in hex strings so assertions read like APDU traces.
 */
#ifndef VSIM_TESTCARD_H
#define VSIM_TESTCARD_H

#include "common/card_host.h"

#define TESTCARD_PROFILE "examples/test-usim.ini"

struct testcard {
	struct vsim_host_card h;
	char out[2 * 260 + 1];
};

/* Open (and power on) a card; NULL state_dir for a volatile one. */
int testcard_open(struct testcard *t, const char *profile,
		  const char *state_dir);
/* Send hex (spaces allowed); returns the R-APDU as uppercase hex. */
const char *tc(struct testcard *t, const char *hex);
/* Power-cycle. */
void testcard_reset(struct testcard *t);
void testcard_close(struct testcard *t);

#endif /* VSIM_TESTCARD_H */
