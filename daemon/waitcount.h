/*
 * waitcount.h - how many requests each connection has waiting in an
 * endpoint's queue (server.c, PROTOCOL.md 6.5), by its ZeroMQ routing id,
 * in O(1). Keys are 64-bit hashes of the id: two connections whose ids
 * collide count together, which can only make one of them wait its turn.
 */
#ifndef EXPERTD_WAITCOUNT_H
#define EXPERTD_WAITCOUNT_H

#include <stddef.h>

struct waitcount;

/* Room for at most max connections with requests waiting at once. */
struct waitcount *waitcount_new(size_t max);
/* NULL-safe; clears *w. */
void waitcount_destroy(struct waitcount **w);
/* Requests waiting for the connection with routing id (id, len). */
int waitcount_get(const struct waitcount *w, const void *id, size_t len);
/* One more (delta 1) or one fewer (delta -1) waiting. */
void waitcount_add(struct waitcount *w, const void *id, size_t len, int delta);

#endif
