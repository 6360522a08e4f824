/*
 * feed.h - expertd-console's view of the dispatch log: a SUB socket on
 * the daemon's event endpoint (STREAMS.md 3) on libevent, each entry
 * relayed as one Server-Sent Event (`data:` one JSON object) to every
 * browser that has /events open. The daemon masks the stream already;
 * the console adds nothing and keeps nothing.
 */
#ifndef EXPERTD_CONSOLE_FEED_H
#define EXPERTD_CONSOLE_FEED_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/event.h>
#include <event2/http.h>

#include "client.h"

struct feed;

/* Connects to opt->endpoint (CURVE unless insecure). NULL with err set. */
struct feed *feed_new(struct event_base *base, const struct client_options *opt,
                      bool insecure, char *err, size_t errsz);
/* NULL-safe; clears *f; ends every open stream. */
void feed_destroy(struct feed **f);
/* GET /events: start an event stream on req and keep it until the
 * browser goes away. */
void feed_attach(struct feed *f, struct evhttp_request *req);

#endif
