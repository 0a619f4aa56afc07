// SPDX-License-Identifier: GPL-2.0-only
/*
 * vsimd's log (log.h): a level filter in front of stderr, with syslog
 * priority prefixes when stderr is connected to the journal.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

static enum vsim_log_level log_level = VSIM_LOG_INFO;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static const struct {
	const char *name;
	enum vsim_log_level level;
} log_names[] = {
	{ "error", VSIM_LOG_ERR },
	{ "warn", VSIM_LOG_WARN },
	{ "info", VSIM_LOG_INFO },
	{ "debug", VSIM_LOG_DEBUG },
};

void vsim_log_set_level(enum vsim_log_level level)
{
	log_level = level;
}

enum vsim_log_level vsim_log_get_level(void)
{
	return log_level;
}

int vsim_log_parse_level(const char *name, enum vsim_log_level *level)
{
	size_t i;

	for (i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++) {
		if (!strcmp(name, log_names[i].name)) {
			*level = log_names[i].level;
			return 0;
		}
	}
	return -1;
}

void vsim_log(enum vsim_log_level level, const char *fmt, ...)
{
	/* systemd.exec(5): JOURNAL_STREAM is set when stderr is the journal */
	static int journal = -1;
	const char *tag = "";
	va_list ap;

	if (level > log_level)
		return;
	if (journal < 0)
		journal = getenv("JOURNAL_STREAM") != NULL;
	switch (level) {
	case VSIM_LOG_ERR:
		tag = "error: ";
		break;
	case VSIM_LOG_WARN:
		tag = "warning: ";
		break;
	default:
		break;
	}
	pthread_mutex_lock(&log_lock);
	if (journal)
		fprintf(stderr, "<%d>", (int)level);
	fprintf(stderr, "vsimd: %s", tag);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	pthread_mutex_unlock(&log_lock);
}
