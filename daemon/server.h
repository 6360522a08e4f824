/*
 * server.h - the request endpoint: a ZeroMQ ROUTER socket driven by the
 * libevent loop. Each wakeup receives what arrived into the endpoint's
 * queue (past queue_max, a request is answered busy at once: PROTOCOL.md
 * 6.5), runs up to batch_max of the oldest as one batch through the
 * dispatcher (one group commit), and only then sends their replies. ZMQ_FD is edge-triggered, so after every drain and every
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
	/* Pending requests past which new ones are answered busy
	 * (PROTOCOL.md 6.5): past it, only a connection's first and pings
	 * queue, up to twice and three times as many. */
	int queue_max;
	int max_msg_size;
	int max_connections;      /* the endpoint's budget (conn_budget.h) */
	struct metrics *metrics;  /* may be NULL */
	const struct i18n *i18n;  /* the server's own replies in the request's
	                           * language; NULL: English */
};

struct server;

/*
 * Create and bind the socket. Borrows base, zmq_ctx, d and zap (zap may be
 * NULL only when insecure). Returns NULL with err set if binding fails.
 */
struct server *server_new(struct event_base *base, void *zmq_ctx,
                          const struct server_options *opt, struct dispatch *d,
                          struct zap *zap, char *err, size_t errsz);
/* Without a dispatcher (d NULL: a standby waiting for the store another
 * expertd holds, PROTOCOL.md 6.6) every request is answered `unavailable`
 * at once and nothing is run; attaching one starts serving. */
void server_set_dispatch(struct server *s, struct dispatch *d);
/* NULL-safe; clears *s. */
void server_destroy(struct server **s);
/* Stop the process (EX_TEMPFAIL) when s is a PostgreSQL store that lost
 * its connection (store_lost()); NULL-safe. */
struct store;
void server_exit_if_lost(struct store *s);

/* Requests answered so far (for status lines). */
unsigned long long server_requests(const struct server *s);
/* Its connection budget: connections open, refused so far, the budget. */
void server_connections(const struct server *s, int *open, uint64_t *refused, int *max);

#endif
