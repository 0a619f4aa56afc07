// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: the OTA server's application catalogue
 * (ota_catalogue_load in agent/ota-server/appserver.c), from a memfd.
 */
#include "fuzz.h"
#include "ota-server/appserver.h"

#define T "fuzz_catalogue"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ota_catalogue cat;
	char err[600];
	unsigned int i;

	memset(&cat, 0, sizeof(cat));
	err[0] = '\0';
	if (ota_catalogue_load(fuzz_as_file(data, size), &cat, err,
			       sizeof(err))) {
		if (!err[0])
			fuzz_die(T, "refused without a message");
		return 0;
	}
	if (cat.n > OTA_CATALOGUE_MAX)
		fuzz_die(T, "catalogue overflow");
	for (i = 0; i < cat.n; i++) {
		if (cat.app[i].aid_len > sizeof(cat.app[i].aid))
			fuzz_die(T, "AID overflow");
		if (ota_catalogue_find(&cat, cat.app[i].name) == NULL)
			fuzz_die(T, "an app cannot be found by its name");
	}
	ota_catalogue_free(&cat);
	return 0;
}
