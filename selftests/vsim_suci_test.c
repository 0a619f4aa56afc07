// SPDX-License-Identifier: GPL-2.0-only
/*
 * GET IDENTITY through /dev/vsimN (TS 31.102 §7.5): the module's own
 * ECIES (kmod/vsim_ecies.c, the crypto API's curve25519 and
 * ecdh-nist-p256 kpps) de-concealed by the tests' independent SIDF
 * (tests/lib/sidf.c, OpenSSL) with the TS 33.501 Annex C.4 home network
 * private keys; the null scheme byte for byte; the init self-test's
 * verdict in /sys/module/vsim/parameters/ecies. The card is
 * build/images/usim-complete.img with its [suci] header rewritten per
 * scheme (the kernel checks the image as any other).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "sidf.h"
#include "vsim_lib.h"

#define ECIES_PARAM	"/sys/module/vsim/parameters/ecies"

/* TS 33.501 Annex C.4.3 and C.4.4: the home network key pairs */
static const char a_priv[] = "c53c22208b61860b06c62e5406a7b330c2b577aa5558981510d128247d38bd1d";
static const char a_pub[] = "5a8d38864820197c3394b92613b20b91633cbd897119273bf8e4a6f4eec0a650";
static const char b_priv[] = "f1ab1074477ebcc7f554ea1c5fc368b1616730155e0041ac447d6301975fecda";
static const char b_pub[] =
	"0472da71976234ce833a6907425867b82e074d44ef907dfb4b3e21c1c2256ebcd1"
	"5a7ded52fcbb097a4ed250e036c7b9c8c7004c4eedc4f068cd7bf8d3f900e3b4";

/* The module's verdict on one profile: "ok", "absent", "FAILED". */
static const char *ecies_state(char scheme, char *buf, size_t len)
{
	char tag[4] = { scheme, ':', 0 }, *p, *e;
	int fd = open(ECIES_PARAM, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return "no-param";
	n = read(fd, buf, len - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	p = strstr(buf, tag);
	if (!p)
		return "unknown";
	p += 2;
	e = strpbrk(p, " \n");
	if (e)
		*e = 0;
	return p;
}

/* A card from usim-complete.img with [suci] = @scheme and @key (hex). */
static int suci_card(int ctl, uint8_t scheme, const char *key, int *card,
		     unsigned int *idx)
{
	struct vsim_image_header *h;
	size_t len;
	void *img = vsim_load_image("usim-complete.img", &len);
	int ret;

	if (!img)
		return -ENOENT;
	h = img;
	memset(&h->suci, 0, sizeof(h->suci));
	h->suci.flags = VSIM_SUCI_F_ENABLED;
	h->suci.scheme = scheme;
	h->suci.routing[0] = 0xF0;	/* routing indicator 0 */
	h->suci.routing[1] = 0xFF;
	if (key) {
		h->suci.key_id = scheme;
		h->suci.key_len = (uint8_t)vsim_hex(key, h->suci.key, sizeof(h->suci.key));
	}
	ret = vsim_new_card(ctl, img, len, VSIM_NEW_CARD_F_VOLATILE, card, idx);
	free(img);
	return ret;
}

/* Power, the USIM, PIN1, then GET IDENTITY: R-APDU length or -errno. */
static int get_identity(int term, uint8_t *r)
{
	uint8_t c[32], atr[VSIM_ATR_MAX];
	unsigned int atr_len = sizeof(atr);
	int n;

	if (vsim_power_on(term, atr, &atr_len) ||
	    vsim_sw_hex(term, "00A4040C07A0000000871002") != 0x9000 ||
	    vsim_sw_hex(term, "002000010831323334FFFFFFFF") != 0x9000)
		return -EIO;
	n = vsim_hex("8078008100", c, sizeof(c));
	return vsim_transmit(term, c, n, r);
}

FIXTURE(suci) {
	int ctl, card, term;
	unsigned int idx;
};

FIXTURE_SETUP(suci)
{
	self->card = -1;
	self->term = -1;
	self->ctl = vsim_ctl_open();
	if (self->ctl == -ENOENT)
		SKIP(return, "vsim.ko not loaded (no " VSIM_CTL_PATH ")");
	ASSERT_GE(self->ctl, 0);
}

FIXTURE_TEARDOWN(suci)
{
	if (self->term >= 0)
		close(self->term);
	if (self->card >= 0)
		close(self->card);
	if (self->ctl >= 0)
		close(self->ctl);
}

/* The null scheme needs no curve: exact bytes. */
TEST_F(suci, null_scheme)
{
	uint8_t r[VSIM_RAPDU_MAX], want[64];
	int n, wl;

	ASSERT_EQ(0, suci_card(self->ctl, VSIM_SUCI_NULL, NULL, &self->card, &self->idx));
	self->term = vsim_term_open(self->idx, 0);
	ASSERT_GE(self->term, 0);
	n = get_identity(self->term, r);
	/* A1 0D: SUCI/IMSI, 001/01, RI 0, scheme 0, key 0, MSIN 0000000123 */
	wl = vsim_hex("A10D0100F110F0FF00000000001032 9000", want, sizeof(want));
	ASSERT_EQ(wl, n);
	EXPECT_EQ(0, memcmp(r, want, wl));
}

/* Profiles A and B: the SIDF with the annex's private keys reads the MSIN. */
TEST_F(suci, ecies_profiles_deconceal)
{
	static const struct { uint8_t scheme; char name; const char *pub, *priv; } s[] = {
		{ VSIM_SUCI_PROFILE_A, 'A', a_pub, a_priv },
		{ VSIM_SUCI_PROFILE_B, 'B', b_pub, b_priv },
	};
	uint8_t r[VSIM_RAPDU_MAX], r2[VSIM_RAPDU_MAX], priv[32], plain[16];
	char state[64];
	const char *st;
	size_t pl;
	int i, n, plen;

	for (i = 0; i < 2; i++) {
		st = ecies_state(s[i].name, state, sizeof(state));
		/* a kernel without the curve: the card says so, 6A81 */
		ASSERT_NE(0, strcmp(st, "FAILED")) TH_LOG("profile %c self-test", s[i].name);
		ASSERT_EQ(0, suci_card(self->ctl, s[i].scheme, s[i].pub, &self->card,
				       &self->idx));
		self->term = vsim_term_open(self->idx, 0);
		ASSERT_GE(self->term, 0);
		n = get_identity(self->term, r);
		if (strcmp(st, "ok")) {
			TH_LOG("profile %c: %s in this kernel", s[i].name, st);
			ASSERT_EQ(2, n);
			EXPECT_EQ(0x6A, r[0]);
			EXPECT_EQ(0x81, r[1]);
		} else {
			plen = s[i].scheme == VSIM_SUCI_PROFILE_A ? 32 : 33;
			ASSERT_EQ(2 + 8 + plen + 5 + 8 + 2, n);
			EXPECT_EQ(0, memcmp(r, "\xA1", 1));
			EXPECT_EQ(0, memcmp(r + 2, "\x01\x00\xF1\x10\xF0\xFF", 6));
			EXPECT_EQ(s[i].scheme, r[8]);
			EXPECT_EQ(s[i].scheme, r[9]);
			EXPECT_EQ(0, memcmp(r + n - 2, "\x90\x00", 2));
			if (s[i].scheme == VSIM_SUCI_PROFILE_B)
				EXPECT_TRUE(r[10] == 0x02 || r[10] == 0x03);
			vsim_hex(s[i].priv, priv, sizeof(priv));
			ASSERT_EQ(0, sidf_deconceal(s[i].scheme, priv, r + 10, n - 12,
						    plain, &pl));
			ASSERT_EQ(5, pl);
			EXPECT_EQ(0, memcmp(plain, "\x00\x00\x00\x10\x32", 5));
			/* a fresh ephemeral key for every command */
			ASSERT_EQ(n, vsim_transmit(self->term, (const uint8_t *)"\x80\x78\x00\x81\x00",
						   5, r2));
			EXPECT_NE(0, memcmp(r + 10, r2 + 10, plen));
		}
		close(self->term);
		close(self->card);
		self->term = self->card = -1;
	}
}

VSIM_TEST_MAIN
