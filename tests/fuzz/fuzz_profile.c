// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the profile compiler (agent/common/profile.c), INI
 * text in, card image out. Invariant: what it compiles the engine's
 * image check accepts (the kernel would load it), and a refusal always
 * says why.
 */
#include "common/profile.h"
#include "fuzz.h"
#include "vsim_card.h"

#define T "fuzz_profile"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strdup(data, size), err[600];
	const char *why = NULL;
	uint8_t *img = NULL;
	size_t len = 0;

	err[0] = '\0';
	if (vsim_profile_compile_buffer("fuzz.ini", text, &img, &len, err,
					sizeof(err))) {
		if (!err[0])
			fuzz_die(T, "refused without a message");
	} else {
		if (vsim_image_check(img, len, &why)) {
			fprintf(stderr, T ": compiled image refused: %s\n", why);
			abort();
		}
		free(img);
	}
	free(text);
	return 0;
}
