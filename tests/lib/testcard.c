// SPDX-License-Identifier: GPL-2.0-only
/* Test cards: see testcard.h. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/profile.h"
#include "testcard.h"

int testcard_open(struct testcard *t, const char *profile,
		  const char *state_dir)
{
	char err[512];
	uint8_t *img, atr[VSIM_ATR_MAX];
	size_t len;
	int ret;

	if (vsim_profile_compile(profile, &img, &len, err, sizeof(err))) {
		fprintf(stderr, "# %s\n", err);
		return -1;
	}
	ret = vsim_host_card_open(&t->h, img, len, state_dir, err, sizeof(err));
	free(img);
	if (ret) {
		fprintf(stderr, "# %s\n", err);
		return -1;
	}
	vsim_card_power_on(t->h.card, atr, sizeof(atr));
	return 0;
}

const char *tc(struct testcard *t, const char *hex)
{
	uint8_t c[400], r[VSIM_RAPDU_MAX];
	size_t n = 0, rl, i;

	for (; *hex && n < sizeof(c); hex++) {
		if (isspace((unsigned char)*hex))
			continue;
		sscanf(hex, "%2hhx", &c[n++]);
		hex++;
	}
	rl = vsim_card_transact(t->h.card, c, n, r);
	for (i = 0; i < rl; i++)
		sprintf(t->out + 2 * i, "%02X", r[i]);
	t->out[2 * rl] = 0;
	return t->out;
}

void testcard_reset(struct testcard *t)
{
	uint8_t atr[VSIM_ATR_MAX];

	vsim_card_power_off(t->h.card);
	vsim_card_power_on(t->h.card, atr, sizeof(atr));
}

void testcard_close(struct testcard *t)
{
	vsim_host_card_close(&t->h);
}
