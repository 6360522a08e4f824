/*
 * feed.h - expertd-console's view of the dispatch log: a SUB socket on
 * the daemon's event endpoint (STREAMS.md 3) on libevent, each entry
 * relayed as one Server-Sent Event (`id:` its seq, `data:` one JSON
 * object, entry.h) to every browser that has /events open. A browser
 * that connects first gets the recent history from audit.entries (ops.h),
 * or, reconnecting with Last-Event-ID, everything after that seq; then
 * live entries, each seq once and in order, gaps filled from the log
 * (STREAMS.md 3, "Hand-over from history to live"). The daemon masks the
 * stream; history is masked the same way (entry.h). The console keeps
 * nothing.
 *
 * A monitor on the SUB socket tells at once whether the daemon accepted
 * the console's key: feed_status() for /readyz and the page, and a line
 * on standard error when it changes.
 */
#ifndef EXPERTD_CONSOLE_FEED_H
#define EXPERTD_CONSOLE_FEED_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/event.h>
#include <event2/http.h>

#include "client.h"
#include "ops.h"

/* Where the console stands with the daemon's event endpoint. */
enum feed_state {
	FEED_CONNECTING,   /* no handshake completed yet */
	FEED_UP,           /* the handshake succeeded; entries flow */
	FEED_DOWN,         /* it was up and the connection broke */
	FEED_REFUSED,      /* the daemon refused this key (not allowlisted, or
	                    * not an operator or notifier key) */
	FEED_FAILED,       /* the handshake failed otherwise: the wrong
	                    * --server-key, or a plain daemon */
};

struct feed_options {
	int history;       /* entries sent to a new browser first (0: none) */
	bool insecure;     /* plain ZeroMQ */
};

struct feed;

/* Connects to opt->endpoint (CURVE unless fo->insecure); ops (borrowed)
 * reads the log. NULL with err set. */
struct feed *feed_new(struct event_base *base, const struct client_options *opt,
                      const struct feed_options *fo, struct ops *ops, char *err,
                      size_t errsz);
/* NULL-safe; clears *f; ends every open stream. */
void feed_destroy(struct feed **f);
/* GET /events: start an event stream on req and keep it until the
 * browser goes away. */
void feed_attach(struct feed *f, struct evhttp_request *req);
/* The state, and a sentence in English saying it (for the log). */
enum feed_state feed_status(const struct feed *f, const char **why);

#endif
