/*
 * store_stats.c - the store's side of `stats` (PROTOCOL.md 7.12.8):
 * counts over whole tables and a streamed walk over the transcripts of
 * the successful draws. An operator asks rarely, so these scan; nothing
 * here is on a draw's or an answer's path.
 */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

static bool column_drawn(struct db_stmt *st, void *row)
{
	struct store_drawn *d = row;
	d->expert = db_column_int64(st, 0);
	d->seats = db_column_int64(st, 1);
	return true;
}

enum store_result store_stats_most_drawn(struct store *s, int64_t limit,
                                         struct store_drawn **out, size_t *n)
{
	struct db_stmt *st = store_stmt(s, STMT_STATS_MOST_DRAWN);
	if (st)
		db_bind_int64(st, 1, limit);
	return store_rows(st, sizeof **out, column_drawn, (void **)out, n);
}

/* One (event, reason, count) group of the seat history. */
struct seat_event_count {
	char event[16];
	char reason[32];        /* decline reason codes are short */
	int64_t count;
};

static bool column_seat_event_count(struct db_stmt *st, void *row)
{
	struct seat_event_count *c = row;
	store_column_copy(st, 0, c->event, sizeof c->event);
	store_column_copy(st, 1, c->reason, sizeof c->reason);
	c->count = db_column_int64(st, 2);
	return true;
}

struct seat_event_each {
	bool (*fn)(const char *event, const char *reason, int64_t count, void *arg);
	void *arg;
};

static bool seat_event_each_cb(const void *row, void *arg)
{
	const struct seat_event_count *c = row;
	const struct seat_event_each *x = arg;
	return x->fn(c->event, c->reason, c->count, x->arg);
}

enum store_result store_stats_seat_events(
	struct store *s,
	bool (*fn)(const char *event, const char *reason, int64_t count, void *arg),
	void *arg)
{
	struct seat_event_count row;
	struct seat_event_each x = {fn, arg};
	return store_each_row(store_stmt(s, STMT_STATS_SEAT_EVENTS),
	                      column_seat_event_count, &row, seat_event_each_cb, &x);
}

/* ok (0 or 1) -> its count. */
static bool column_draw_count(struct db_stmt *st, void *row)
{
	int64_t *counts = row;
	counts[db_column_int(st, 0) ? 1 : 0] += db_column_int64(st, 1);
	return true;
}

static bool draw_count_next_cb(const void *row, void *arg)
{
	(void)row;
	(void)arg;
	return true;
}

enum store_result store_stats_draws(struct store *s, int64_t *ok, int64_t *failed)
{
	int64_t counts[2] = {0, 0};
	enum store_result r = store_each_row(store_stmt(s, STMT_STATS_DRAWS),
	                                     column_draw_count, counts,
	                                     draw_count_next_cb, NULL);
	*failed = counts[0];
	*ok = counts[1];
	return r;
}

/* One body at a time in a buffer that grows to the largest seen, so the
 * walk holds one transcript however long the log is. */
struct body_row {
	void *buf;
	size_t len, cap;
};

static bool column_body(struct db_stmt *st, void *row)
{
	struct body_row *b = row;
	int bl = db_column_bytes(st, 0);
	size_t len = bl > 0 ? (size_t)bl : 0;
	if (len > b->cap) {
		void *p = realloc(b->buf, len);
		if (!p)
			return false;
		b->buf = p;
		b->cap = len;
	}
	if (len)
		memcpy(b->buf, db_column_blob(st, 0), len);
	b->len = len;
	return true;
}

struct body_each {
	bool (*fn)(const void *body, size_t len, void *arg);
	void *arg;
};

static bool body_each_cb(const void *row, void *arg)
{
	const struct body_row *b = row;
	const struct body_each *x = arg;
	return x->fn(b->buf, b->len, x->arg);
}

enum store_result store_stats_each_draw_body(
	struct store *s, bool (*fn)(const void *body, size_t len, void *arg),
	void *arg)
{
	struct body_row row = {NULL, 0, 0};
	struct body_each x = {fn, arg};
	enum store_result r = store_each_row(store_stmt(s, STMT_STATS_DRAW_BODIES),
	                                     column_body, &row, body_each_cb, &x);
	free(row.buf);
	return r;
}
