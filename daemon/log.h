/*
 * log.h - one-line log records to stderr with sd-daemon priority prefixes
 * ("<6>..."), which journald turns into priorities. Callers mask personal
 * data before logging (mask.h).
 */
#ifndef EXPERTD_LOG_H
#define EXPERTD_LOG_H

#include <stdbool.h>
#include <syslog.h>

void log_set_level(int level);    /* LOG_ERR .. LOG_DEBUG; default LOG_INFO */
int log_get_level(void);
/* Parse "error", "warning", "notice", "info", "debug"; false if unknown. */
bool log_level_parse(const char *s, int *level);

void log_msg(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* Startup failure: log at LOG_ERR "expertd: <message>" and exit(code), code
 * from <sysexits.h>. */
void log_fatal(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

#endif
