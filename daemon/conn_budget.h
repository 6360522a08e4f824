/*
 * conn_budget.h - a connection budget for one listening ZeroMQ socket
 * (issue #16 item 7): the answer endpoint faces the public, and must never
 * take the descriptors staff connections need. libzmq has no limit on the
 * connections a socket accepts, so a socket monitor counts them, and a
 * connection accepted beyond the budget is shut down at once (its peer
 * sees it closed and retries later). Refusals are counted, logged when the
 * budget fills and when it frees, and shown in /metrics.
 */
#ifndef EXPERTD_CONN_BUDGET_H
#define EXPERTD_CONN_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

struct conn_budget;

/*
 * Watch sock (bound, to the endpoints its ZMQ_LAST_ENDPOINT names) on
 * base; `name` labels logs and metrics. max >= 1. NULL with err set when
 * the monitor cannot be set up.
 */
struct conn_budget *conn_budget_new(struct event_base *base, void *zmq_ctx,
                                    void *sock, const char *name, int max,
                                    char *err, size_t errsz);
void conn_budget_destroy(struct conn_budget **b);

/* Connections open now, and connections refused since start. */
int conn_budget_open(const struct conn_budget *b);
uint64_t conn_budget_refused(const struct conn_budget *b);
int conn_budget_max(const struct conn_budget *b);

#endif
