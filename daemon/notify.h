/*
 * notify.h - the notification endpoint (STREAMS.md 4): after a batch
 * commits, each seat it offered (with its one-time token) and each offer
 * it closed goes out on a PUB socket of its own, CURVE in ZAP domain
 * "expertd-notify" (allowlisted notifier keys only), for a messaging
 * gateway to text or call the expert. Best effort and never stored.
 */
#ifndef EXPERTD_NOTIFY_H
#define EXPERTD_NOTIFY_H

#include <stddef.h>

#include "notify_queue.h"
#include "publish.h"
#include "store.h"

struct notify;

/* Bind the socket. Borrows zmq_ctx and store. NULL with err set. */
struct notify *notify_new(void *zmq_ctx, struct store *store,
                          const struct publish_options *opt, char *err,
                          size_t errsz);
/* NULL-safe; clears *n. */
void notify_destroy(struct notify **n);

/* dispatch_notify_fn adapter: arg is the struct notify. */
void notify_send_cb(void *arg, const struct notify_item *items, size_t n);

#endif
