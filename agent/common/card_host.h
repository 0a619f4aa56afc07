/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A card engine hosted in this process: the engine plus OpenSSL AES,
 * random bytes, and (optionally) durable state in a directory. vsimctl
 * exec, the tests, the benchmarks and vsimd's embedded backend use it.
 *
 * The part agent/common/ holds what several parts share: this host, the
 * profile compiler (profile.c) and default FS template (fs_template.c),
 * host crypto, hex, log, the terminal (terminal.c) and a modem's start-up
 * (modem.c). It may use the engine and the UAPI only (layers.conf).
 */
#ifndef VSIM_CARD_HOST_H
#define VSIM_CARD_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "vsim_card.h"

struct vsim_host_card {
	struct vsim_card *card;
	struct vsim_host_aes *aes;
	char *state_file;	/* NULL: volatile card */
	uint8_t *shadow;	/* the durable blob as last committed */
	size_t shadow_len;
	uint8_t image_digest[32];
	unsigned long persists;	/* commits so far (tests, benchmarks) */
	int fail_persist;	/* tests: make the Nth commit from now fail (1: the next) */
	/*
	 * vsimd: commit each change record somewhere else (its SQLite store)
	 * instead of a state file; 0 once durable. Set after open.
	 */
	int (*commit)(void *ctx, const struct vsim_persist *rec);
	void *commit_ctx;
	/*
	 * The agent's slow path (OTA, agent/ota/card.h): answers ENVELOPE
	 * SMS-PP download and menu selection; NULL: the card answers 9300.
	 * It may call vsim_card_exec() on this card (remote file management).
	 */
	size_t (*slow_path)(void *ctx, const uint8_t *capdu, size_t len,
			    uint8_t *rapdu);
	void *slow_ctx;
};

/*
 * Create a card from an image. With @state_dir, durable state is loaded
 * from and committed to STATE_DIR/card.state (created 0600). Returns 0, or
 * -1 with a message naming the problem in @err.
 */
int vsim_host_card_open(struct vsim_host_card *h, const uint8_t *image,
			size_t len, const char *state_dir, char *err,
			size_t errlen);
void vsim_host_card_close(struct vsim_host_card *h);

#endif /* VSIM_CARD_HOST_H */
