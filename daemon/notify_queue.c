/*
 * notify_queue.c - the per-batch notification queue (see notify_queue.h).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "notify_queue.h"

void notify_queue_init(struct notify_queue *q)
{
	q->items = NULL;
	q->n = q->cap = 0;
}

void notify_queue_free(struct notify_queue *q)
{
	notify_queue_truncate(q, 0);
	free(q->items);
	notify_queue_init(q);
}

bool notify_queue_push(struct notify_queue *q, const struct notify_item *it)
{
	if (q->n == q->cap) {
		/* Not realloc: the old block holds tokens and is wiped first. */
		size_t nc = q->cap ? q->cap * 2 : 16;
		struct notify_item *n = malloc(nc * sizeof *n);
		if (!n)
			return false;
		if (q->n) {
			memcpy(n, q->items, q->n * sizeof *n);
			sodium_memzero(q->items, q->n * sizeof *n);
		}
		free(q->items);
		q->items = n;
		q->cap = nc;
	}
	q->items[q->n++] = *it;
	return true;
}

void notify_queue_truncate(struct notify_queue *q, size_t n)
{
	if (n >= q->n)
		return;
	sodium_memzero(q->items + n, (q->n - n) * sizeof *q->items);
	q->n = n;
}
