/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vsimd's log: levels, one line per message to stderr. Under systemd
 * (JOURNAL_STREAM set) each line starts with the syslog priority "<N>" so
 * journald files it at the right level (sd-daemon(3) prefixes).
 * Never pass key material, PINs or card state to these functions.
 */
#ifndef VSIM_LOG_H
#define VSIM_LOG_H

enum vsim_log_level {
	VSIM_LOG_ERR = 3,	/* syslog priorities, RFC 5424 §6.2.1 */
	VSIM_LOG_WARN = 4,
	VSIM_LOG_INFO = 6,
	VSIM_LOG_DEBUG = 7,
};

/* Messages above @level are dropped. Default: VSIM_LOG_INFO. */
void vsim_log_set_level(enum vsim_log_level level);
enum vsim_log_level vsim_log_get_level(void);
/* "error", "warn", "info", "debug": 0, or -1 for an unknown name. */
int vsim_log_parse_level(const char *name, enum vsim_log_level *level);

void vsim_log(enum vsim_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(...)	vsim_log(VSIM_LOG_ERR, __VA_ARGS__)
#define log_warn(...)	vsim_log(VSIM_LOG_WARN, __VA_ARGS__)
#define log_info(...)	vsim_log(VSIM_LOG_INFO, __VA_ARGS__)
#define log_debug(...)	vsim_log(VSIM_LOG_DEBUG, __VA_ARGS__)

#endif /* VSIM_LOG_H */
