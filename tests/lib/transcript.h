/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Golden APDU transcripts, one format for every layer: the engine in
 * userspace (tests/), /dev/vsimN in the VM (selftests/), PC/SC later.
 *
 *   # comment
 *   image test-usim        which card image (build/images/NAME.img)
 *   reset                  power-cycle the card; "reset HEX" checks the ATR
 *   > 00A4000C023F00       a C-APDU
 *   < 9000                 the R-APDU it must get; ".." matches any byte
 *
 * The runner needs only libc, so any test can link it.
 */
#ifndef VSIM_TRANSCRIPT_H
#define VSIM_TRANSCRIPT_H

#include <stddef.h>
#include <stdint.h>

struct transcript_ops {
	/* Power-cycle the card; fill the ATR. 0 or -1. */
	int (*reset)(void *ctx, uint8_t *atr, size_t *atr_len);
	/* One exchange; *rlen in: room, out: R-APDU length. 0 or -1. */
	int (*transmit)(void *ctx, const uint8_t *capdu, size_t clen,
			uint8_t *rapdu, size_t *rlen);
};

/* The transcript's "image" name (default "test-usim"); buf gets it. */
int transcript_image(const char *path, char *buf, size_t len);

/*
 * Play a transcript. Returns the number of exchanges checked, or -1 with
 * @err naming the file, line, and expected/actual bytes.
 */
int transcript_run(const char *path, const struct transcript_ops *ops,
		   void *ctx, char *err, size_t errlen);

#endif /* VSIM_TRANSCRIPT_H */
