/*
 * upstream.h - the answer page's one connection to the daemon's answer
 * endpoint (PROTOCOL.md 4.1, 7.12): a DEALER socket on the page's event
 * loop, CURVE with the page's own key, every request in flight matched
 * to its reply by id and bounded by its own timeout. Nothing blocks the
 * loop, so a slow or absent daemon never holds up other visitors.
 */
#ifndef EXPERTD_ANSWER_UPSTREAM_H
#define EXPERTD_ANSWER_UPSTREAM_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/event.h>

#include "client.h"
#include "proto.h"

/* Most requests in flight at once; past it a visitor is told to retry. */
#define UPSTREAM_MAX_PENDING 256

/* rep is the reply, or NULL when none came in time; valid during the
 * call only. */
typedef void (*upstream_cb)(const struct proto_reply *rep, void *arg);

struct upstream;

/* Connects (ZeroMQ connects lazily: a daemon that is down is not an
 * error here). opt as for client_new(); timeout_ms per request. */
struct upstream *upstream_new(struct event_base *base, const struct client_options *opt,
                              int timeout_ms, char *err, size_t errsz);
/* NULL-safe; clears *u; drops pending requests without calling back. */
void upstream_destroy(struct upstream **u);

/*
 * Send op with args (one packed msgpack map). cb(rep, arg) is called
 * exactly once, later, from the loop, unless upstream_cancel(u, arg)
 * comes first. False when nothing was sent (too many in flight, the
 * socket refused): then cb is never called.
 */
bool upstream_call(struct upstream *u, enum proto_op op, const void *args,
                   size_t args_len, upstream_cb cb, void *arg);
/* Forget the request whose callback argument is arg (its visitor left). */
void upstream_cancel(struct upstream *u, const void *arg);

#endif
