/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers the libFuzzer targets of tests/fuzz/ share: file input, a
 * path for parsers that only open files, and the example card.
 */
#ifndef VSIM_FUZZ_H
#define VSIM_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant broke: libFuzzer saves the input as a crash. */
static inline void fuzz_die(const char *target, const char *what)
{
	fprintf(stderr, "%s: %s\n", target, what);
	abort();
}

static inline uint8_t *fuzz_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 0 ||
	    fseek(f, 0, SEEK_SET))
		goto out;
	buf = malloc((size_t)n);
	if (buf && fread(buf, (size_t)n, 1, f) != 1) {
		free(buf);
		buf = NULL;
	}
	*len = (size_t)n;
out:
	fclose(f);
	return buf;
}

/*
 * A file that holds @data, for parsers that take a path: one memfd per
 * process, rewritten per input; returns "/proc/self/fd/N".
 */
static inline const char *fuzz_as_file(const uint8_t *data, size_t size)
{
	static char path[64];
	static int fd = -1;

	if (fd < 0) {
		fd = memfd_create("fuzz", 0);
		if (fd < 0)
			fuzz_die("fuzz", "memfd_create");
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		fuzz_die("fuzz", "memfd write");
	return path;
}

/* A NUL-terminated heap copy (text parsers). */
static inline char *fuzz_strdup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		fuzz_die("fuzz", "out of memory");
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* The example card image ($VSIM_FUZZ_IMAGE or @def); exits if missing. */
static inline uint8_t *fuzz_image(const char *def, size_t *len)
{
	const char *path = getenv("VSIM_FUZZ_IMAGE");
	uint8_t *img = fuzz_read_file(path ? path : def, len);

	if (!img) {
		fprintf(stderr, "cannot read %s (run `make` first)\n",
			path ? path : def);
		exit(2);
	}
	return img;
}

#endif /* VSIM_FUZZ_H */
