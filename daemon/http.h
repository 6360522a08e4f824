/*
 * http.h - the operators' HTTP endpoint on libevent's evhttp (default
 * 127.0.0.1:9570, GET and HEAD only): /metrics in the Prometheus text
 * format, /livez (the event loop answers) and /readyz (database open,
 * sockets bound, ZAP handler up).
 */
#ifndef EXPERTD_HTTP_H
#define EXPERTD_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/event.h>

#include "metrics.h"

struct http_sources {
	const struct metrics *metrics;
	void (*gauges)(void *arg, struct metrics_gauges *g);
	/* NULL when ready, else why not (a static string). */
	const char *(*not_ready)(void *arg);
	void *arg;
};

struct http;

/* Listen on "HOST:PORT"; returns NULL with err set. Borrows base and src. */
struct http *http_start(struct event_base *base, const char *listen,
                        const struct http_sources *src, char *err, size_t errsz);
/* NULL-safe; clears *h. */
void http_stop(struct http **h);

#endif
