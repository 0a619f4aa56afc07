// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: card images and durable state blobs, the two things
 * userspace hands vsim.ko (VSIM_IOC_NEW_CARD, the stored state).
 *
 * Input: one mode byte, then the bytes.
 *   even  an image: vsim_image_check(); when it passes, vsim_card_init()
 *         must too, and the card must survive power-on and a short walk
 *         through its file system, and take its own state blob back.
 *   odd   a state blob for the example card: vsim_card_load_state();
 *         when it passes, the same walk.
 * Both are copied to an exact heap block first (the kernel's copy).
 */
#include <errno.h>

#include "fuzz.h"
#include "vsim_card.h"

#define T "fuzz_image"

static int fz_setkey(void *priv, const u8 key[16])
{
	(void)priv;
	(void)key;
	return 0;
}

/* Not AES: any bijection serves the fuzzer, and it is cheap. */
static void fz_encrypt(void *priv, const u8 in[16], u8 out[16])
{
	int i;

	(void)priv;
	for (i = 0; i < 16; i++)
		out[i] = (u8)(in[15 - i] ^ 0x5a);
}

static void fz_random(void *priv, u8 *buf, size_t len)
{
	(void)priv;
	memset(buf, 0x42, len);
}

static int fz_persist(void *priv, const struct vsim_persist *rec)
{
	(void)priv;
	(void)rec;
	return 0;
}

static const struct vsim_card_ops ops = {
	.aes128_setkey = fz_setkey,
	.aes128_encrypt = fz_encrypt,
	.get_random = fz_random,
	.persist = fz_persist,
};

/* A start-up's worth of APDUs (hex) that touch most of the FS code. */
static const char *const walk[] = {
	"00A40004023F00", "00C0000000", "00A4000C022FE2", "00B000000A",
	"00B2010400", "00A40404 07A0000000871002", "00F2000000",
	"0020000108 31323334FFFFFFFF", "00A4000C026F07", "00B0000009",
	"00A4000C026F40", "00B2010000", "00A2010400", "00A4000C026F06",
	"00B2010000", "0032000003000001", "00A4000C027FFF", "00B0870009",
	"0084000008", "0088008122 10000102030405060708090A0B0C0D0E0F 10000102030405060708090A0B0C0D0E0F",
	"A0A40000027F20", "A0A40000026F07", "A0B0000009", "A088000010 000102030405060708090A0B0C0D0E0F",
	"00700000 01", "01A4000C022F05",
};

static size_t unhex(const char *s, u8 *out)
{
	size_t n = 0;
	int hi = -1;

	for (; *s; s++) {
		int v;

		if (*s == ' ')
			continue;
		v = *s <= '9' ? *s - '0' : (*s | 0x20) - 'a' + 10;
		if (hi < 0) {
			hi = v;
		} else {
			out[n++] = (u8)(hi << 4 | v);
			hi = -1;
		}
	}
	return n;
}

static void walk_card(struct vsim_card *c)
{
	u8 atr[VSIM_ATR_MAX], capdu[300], rapdu[VSIM_RAPDU_MAX];
	size_t i, n, rl, len;
	const u8 *st;
	u8 *copy;

	if (!vsim_card_power_on(c, atr, sizeof(atr)))
		fuzz_die(T, "no ATR");
	for (i = 0; i < sizeof(walk) / sizeof(walk[0]); i++) {
		n = unhex(walk[i], capdu);
		rl = vsim_card_transact(c, capdu, n, rapdu);
		if (rl < 2 || rl > VSIM_RAPDU_MAX)
			fuzz_die(T, "R-APDU length out of range");
	}
	/* a card takes back its own state */
	st = vsim_card_state(c, &len);
	copy = malloc(len);
	if (!copy)
		fuzz_die(T, "out of memory");
	memcpy(copy, st, len);
	vsim_card_power_off(c);
	if (vsim_card_load_state(c, copy, len))
		fuzz_die(T, "card refused its own state");
	free(copy);
}

static struct vsim_card *example;	/* for state blobs */

/* Exactly the image's size: ASan sees any access past its EF data. */
static struct vsim_card *new_card(const void *img, size_t len)
{
	struct vsim_card *c = calloc(1, vsim_card_size(img, len));

	if (!c)
		fuzz_die(T, "out of memory");
	return c;
}

static void setup(void)
{
	const char *why = NULL;
	uint8_t *img;
	size_t len;

	img = fuzz_image("build/images/test-usim.img", &len);
	example = new_card(img, len);
	if (vsim_image_check(img, len, &why) ||
	    vsim_card_init(example, vsim_card_size(img, len), img, len, &ops,
			   NULL, &why)) {
		fprintf(stderr, T ": example image: %s\n", why);
		exit(2);
	}
	free(img);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why = NULL;
	struct vsim_card *c;
	uint8_t *buf;
	size_t n;

	if (!example)
		setup();
	if (size < 1)
		return 0;
	n = size - 1;
	buf = malloc(n ? n : 1);
	if (!buf)
		fuzz_die(T, "out of memory");
	memcpy(buf, data + 1, n);
	if (data[0] & 1) {
		vsim_card_power_off(example);
		if (!vsim_card_load_state(example, buf, n))
			walk_card(example);
	} else if (!vsim_image_check(buf, n, &why)) {
		c = new_card(buf, n);
		if (vsim_card_init(c, vsim_card_size(buf, n), buf, n, &ops,
				   NULL, &why)) {
			fprintf(stderr, T ": init refused a checked image: %s\n",
				why);
			abort();
		}
		walk_card(c);
		vsim_card_wipe(c);
		free(c);
	} else if (!why) {
		fuzz_die(T, "image refused without a reason");
	}
	free(buf);
	return 0;
}
