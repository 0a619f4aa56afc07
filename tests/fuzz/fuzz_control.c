// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target: vsimd's control-socket requests (agent/vsimd/
 * control.c), fed to a client with no socket behind it (client_take),
 * against a vsimd with the embedded backend and a store in a scratch
 * directory. control.c is compiled into this file for its statics.
 *
 * Input: the bytes a client sends, in two reads split where the first
 * byte says. Invariant: every answer line is a JSON object with "ok"
 * (or a trace line). Cards an input added are removed after it.
 */
#include "../../agent/vsimd/control.c"

#include "fuzz.h"

#define T "fuzz_control"

static struct vsimd d;
static struct vsimd_config cfg;

static void setup(void)
{
	/* tmpfs when there is one: each input commits to SQLite, and on a
	 * disk the fsyncs, not the parser, would set the pace */
	char err[600], tmpl[] = "/dev/shm/vsim-fuzz-control-XXXXXX";
	const char *dir;

	vsim_log_set_level(VSIM_LOG_ERR);
	dir = mkdtemp(tmpl);
	if (!dir)
		fuzz_die(T, "mkdtemp");
	vsimd_config_defaults(&cfg);
	snprintf(cfg.state_dir, sizeof(cfg.state_dir), "%s", dir);
	cfg.sync_normal = 1;
	d.cfg = &cfg;
	d.backend = &vsimd_backend_embedded;
	if (vsim_store_open(cfg.state_dir, 1, &d.store, err, sizeof(err))) {
		fprintf(stderr, T ": %s\n", err);
		exit(2);
	}
}

static void check_answers(const char *out, size_t len)
{
	const char *p = out, *end = out ? out + len : out;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		char *line;
		json_object *o, *v;

		if (!nl)
			fuzz_die(T, "answer without a newline");
		line = fuzz_strdup((const uint8_t *)p, (size_t)(nl - p));
		o = json_tokener_parse(line);
		if (!o || !json_object_is_type(o, json_type_object) ||
		    (!json_object_object_get_ex(o, "ok", &v) &&
		     !json_object_object_get_ex(o, "trace", &v) &&
		     !json_object_object_get_ex(o, "gone", &v)))
			fuzz_die(T, "answer is not a JSON object with ok");
		json_object_put(o);
		free(line);
		p = nl + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_client cl = { .fd = -1 };
	char err[600];
	size_t cut;

	if (!d.store)
		setup();
	if (size < 1)
		return 0;
	cut = data[0] < size - 1 ? data[0] : size - 1;
	client_take(&d, &cl, (const char *)data + 1, cut);
	if (!cl.closing && size - 1 > cut)
		client_take(&d, &cl, (const char *)data + 1 + cut,
			    size - 1 - cut);
	check_answers(cl.out, cl.out_len);
	free(cl.in);
	free(cl.out);
	while (d.n_cards)
		if (vsimd_card_remove(&d, d.cards[d.n_cards - 1], err,
				      sizeof(err)))
			fuzz_die(T, err);
	return 0;
}
