/*
 * log.c - the daemon's only log sink: one record per line on stderr, with
 * the sd-daemon "<N>" priority prefix that journald (and our tests) read.
 * Safe to call from any thread: each record goes out in a single write().
 */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Longest record, prefix and newline included; longer ones are cut. */
#define LOG_RECORD_MAX 2048
#define LOG_TRUNCATED "..."

/* Read by the ZAP thread while main may set it: keep it atomic. */
static atomic_int log_level = LOG_INFO;

static const struct {
	const char *name;
	int level;
} log_levels[] = {
	{"error", LOG_ERR},
	{"warning", LOG_WARNING},
	{"notice", LOG_NOTICE},
	{"info", LOG_INFO},
	{"debug", LOG_DEBUG},
};

void log_set_level(int level)
{
	if (level < LOG_ERR)
		level = LOG_ERR;
	if (level > LOG_DEBUG)
		level = LOG_DEBUG;
	atomic_store(&log_level, level);
}

int log_get_level(void)
{
	return atomic_load(&log_level);
}

bool log_level_parse(const char *s, int *level)
{
	for (size_t i = 0; i < sizeof(log_levels) / sizeof(log_levels[0]); i++) {
		if (strcmp(s, log_levels[i].name) == 0) {
			*level = log_levels[i].level;
			return true;
		}
	}
	return false;
}

/*
 * A record must stay one line whatever the message holds (a name from a
 * request, a strerror text), or a reader of the journal could be fooled
 * by a forged second record. Every control byte becomes a space.
 */
static void log_flatten(char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			s[i] = ' ';
	}
}

static void log_write_all(const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(STDERR_FILENO, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return; /* nowhere left to report it */
		}
		buf += n;
		len -= (size_t)n;
	}
}

static void log_vmsg(int prio, const char *prefix, const char *fmt, va_list ap)
{
	char buf[LOG_RECORD_MAX];
	int saved_errno = errno;

	int head = snprintf(buf, sizeof(buf), "<%d>%s", prio, prefix);
	if (head < 0 || (size_t)head >= sizeof(buf))
		return;
	/* Leave room for the newline. */
	size_t room = sizeof(buf) - (size_t)head - 1;
	int n = vsnprintf(buf + head, room, fmt, ap);
	if (n < 0)
		n = 0;
	size_t body = (size_t)n;
	if (body >= room) {
		body = room - 1;
		memcpy(buf + head + body - (sizeof(LOG_TRUNCATED) - 1),
		       LOG_TRUNCATED, sizeof(LOG_TRUNCATED) - 1);
	}
	log_flatten(buf + head, body);
	size_t len = (size_t)head + body;
	buf[len++] = '\n';
	log_write_all(buf, len);
	errno = saved_errno;
}

void log_msg(int prio, const char *fmt, ...)
{
	if (prio > atomic_load(&log_level))
		return;
	va_list ap;
	va_start(ap, fmt);
	log_vmsg(prio, "", fmt, ap);
	va_end(ap);
}

void log_fatal(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vmsg(LOG_ERR, "expertd: ", fmt, ap);
	va_end(ap);
	exit(code);
}
