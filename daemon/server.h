/*
 * server.h - the request endpoint: a ZeroMQ ROUTER socket driven by the
 * libevent loop. Each wakeup drains up to batch_max requests, runs them as
 * one batch through the dispatcher (one group commit), and only then sends
 * the replies. ZMQ_FD is edge-triggered, so after every drain and every
 * send ZMQ_EVENTS is checked again and, while input remains, a zero-delay
 * "kick" event resumes the drain after other events had their turn.
 */
#ifndef EXPERTD_SERVER_H
#define EXPERTD_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/event.h>

#include "dispatch.h"
#include "metrics.h"
#include "zap.h"

struct server_options {
	const char *endpoint;
	/* The answer endpoint (PROTOCOL.md 7.12.6): ZAP domain expertd-answer,
	 * every caller an expert, invalid tokens throttled per target seat
	 * (PROTOCOL.md 7.12.9). */
	bool answer;
	bool insecure;            /* no CURVE; every caller is an operator */
	const char *secret_key;   /* server Z85 secret key (secure mode) */
	int batch_max;
	int max_msg_size;
	int max_connections;      /* the endpoint's budget (conn_budget.h) */
	struct metrics *metrics;  /* may be NULL */
};

struct server;

/*
 * Create and bind the socket. Borrows base, zmq_ctx, d and zap (zap may be
 * NULL only when insecure). Returns NULL with err set if binding fails.
 */
struct server *server_new(struct event_base *base, void *zmq_ctx,
                          const struct server_options *opt, struct dispatch *d,
                          struct zap *zap, char *err, size_t errsz);
/* NULL-safe; clears *s. */
void server_destroy(struct server **s);

/* Requests answered so far (for status lines). */
unsigned long long server_requests(const struct server *s);
/* Its connection budget: connections open, refused so far, the budget. */
void server_connections(const struct server *s, int *open, uint64_t *refused, int *max);

#endif
