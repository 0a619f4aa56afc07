// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: vsimd's configuration file (agent/vsimd/config.c),
 * read from a memfd, and its HOST:PORT parser on the first line.
 */
#include "fuzz.h"
#include "vsimd/config.h"

#define T "fuzz_config"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vsimd_config cfg;
	char err[600], host[VSIM_STORE_HOST_MAX], *line;
	int port;

	vsim_log_set_level(VSIM_LOG_ERR);
	vsimd_config_defaults(&cfg);
	err[0] = '\0';
	if (vsimd_config_load(fuzz_as_file(data, size), &cfg, err, sizeof(err)) &&
	    !err[0])
		fuzz_die(T, "refused without a message");
	if (cfg.n_cards > VSIMD_MAX_CARDS)
		fuzz_die(T, "more cards than slots");
	vsimd_config_free(&cfg);
	line = fuzz_strdup(data, size);
	line[strcspn(line, "\n")] = '\0';
	if (!vsimd_parse_hostport(line, host, sizeof(host), &port) &&
	    (port < 0 || port > 65535))
		fuzz_die(T, "port out of range");
	free(line);
	return 0;
}
