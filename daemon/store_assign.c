/*
 * store_assign.c - the store's side of the assignment lifecycle (issue
 * #4): seats read and changed one by one, the deadline queue, each seat's
 * history, the decline ledger, and task fill and cancellation.
 */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

enum store_result store_assignment_update(struct store *s,
                                          const struct store_assignment *a)
{
	struct db_stmt *st = store_stmt(s, STMT_ASSIGN_UPDATE);
	if (!st)
		return STORE_NOT_WRITABLE;
	db_bind_int64(st, 1, a->id);
	db_bind_int(st, 2, a->state);
	db_bind_int(st, 3, a->role);
	db_bind_int64(st, 4, a->deadline);
	if (a->has_token)
		db_bind_blob(st, 5, a->token_hash, STORE_HASH_LEN);
	else
		db_bind_null(st, 5);
	db_bind_int64(st, 6, a->updated_at);
	return store_step_deferred(st);
}

enum store_result store_assignment_get(struct store *s, int64_t id,
                                       struct store_assignment *out)
{
	struct db_stmt *st = store_stmt(s, STMT_ASSIGN_GET);
	if (st)
		db_bind_int64(st, 1, id);
	return store_row(st, store_column_assignment, out);
}

struct spent_row {
	int64_t assignment;
	char *why;
	size_t size;
};

static bool column_spent(struct db_stmt *st, void *row)
{
	struct spent_row *r = row;
	r->assignment = db_column_int64(st, 0);
	store_column_copy(st, 1, r->why, r->size);
	return true;
}

enum store_result store_token_spent(struct store *s, const uint8_t hash[STORE_HASH_LEN],
                                    int64_t *assignment, char *why, size_t size)
{
	struct db_stmt *st = store_stmt(s, STMT_TOKEN_SPENT);
	if (st)
		db_bind_blob(st, 1, hash, STORE_HASH_LEN);
	struct spent_row r = {.why = why, .size = size};
	enum store_result res = store_row(st, column_spent, &r);
	*assignment = r.assignment;
	return res;
}

enum store_result store_assignment_next_expired(struct store *s, int64_t now,
                                                struct store_assignment *out)
{
	struct db_stmt *st = store_stmt(s, STMT_ASSIGN_DUE);
	if (st)
		db_bind_int64(st, 1, now);
	return store_row(st, store_column_assignment, out);
}

int64_t store_assignment_next_deadline(struct store *s)
{
	return store_single_int(s, STMT_ASSIGN_NEXT_DUE);
}

/* counts[column 0] = column 1, ignoring values outside [0, n). */
struct group_counts {
	int64_t *counts;
	size_t n;
};

static bool column_group_count(struct db_stmt *st, void *row)
{
	const struct group_counts *g = row;
	int64_t k = db_column_int64(st, 0);
	if (k >= 0 && (uint64_t)k < g->n)
		g->counts[k] = db_column_int64(st, 1);
	return true;
}

static bool count_next_cb(const void *row, void *arg)
{
	(void)row;
	(void)arg;
	return true;
}

enum store_result store_assignment_counts(struct store *s, int64_t *counts,
                                          size_t n, int64_t *fills, size_t nf)
{
	struct group_counts g = {counts, n};
	memset(counts, 0, n * sizeof *counts);
	memset(fills, 0, nf * sizeof *fills);
	enum store_result r = store_each_row(store_stmt(s, STMT_ASSIGN_COUNT_STATES),
	                                     column_group_count, &g, count_next_cb,
	                                     NULL);
	if (r != STORE_OK)
		return r;
	g = (struct group_counts){fills, nf};
	return store_each_row(store_stmt(s, STMT_TASK_COUNT_FILLS), column_group_count,
	                      &g, count_next_cb, NULL);
}

enum store_result store_task_set_fill(struct store *s, int64_t id, int fill)
{
	struct db_stmt *st = store_stmt(s, STMT_TASK_FILL);
	if (!st)
		return STORE_NOT_WRITABLE;
	db_bind_int64(st, 1, id);
	db_bind_int(st, 2, fill);
	return store_step_deferred(st);
}

enum store_result store_task_cancel(struct store *s, int64_t id, const char *reason)
{
	struct db_stmt *st = store_stmt(s, STMT_TASK_CANCEL);
	if (!st)
		return STORE_NOT_WRITABLE;
	db_bind_int64(st, 1, id);
	db_bind_int(st, 2, TASK_CANCELLED);
	db_bind_int(st, 3, TASK_FILL_CANCELLED);
	store_bind_text(st, 4, reason);
	return store_step_done(st);
}

/* --- seat history ------------------------------------------------------- */

enum store_result store_seat_event_add(struct store *s,
                                       const struct store_seat_event *ev)
{
	struct db_stmt *st = store_stmt(s, STMT_AEVENT_ADD);
	if (!st)
		return STORE_NOT_WRITABLE;
	db_bind_int64(st, 1, ev->assignment);
	db_bind_int64(st, 2, ev->task);
	db_bind_int64(st, 3, ev->at);
	store_bind_text(st, 4, ev->actor);
	db_bind_int(st, 5, ev->channel);
	store_bind_text(st, 6, ev->event);
	if (ev->from >= 0)
		db_bind_int(st, 7, ev->from);
	else
		db_bind_null(st, 7);
	db_bind_int(st, 8, ev->to);
	store_bind_text(st, 9, ev->reason);
	store_bind_text(st, 10, ev->note);
	return store_step_deferred(st);
}

static bool column_seat_event(struct db_stmt *st, void *row)
{
	struct store_seat_event *ev = row;
	ev->assignment = db_column_int64(st, 0);
	ev->task = db_column_int64(st, 1);
	ev->at = db_column_int64(st, 2);
	store_column_copy(st, 3, ev->actor, sizeof ev->actor);
	ev->channel = db_column_int(st, 4);
	store_column_copy(st, 5, ev->event, sizeof ev->event);
	ev->from = db_column_int(st, 6);
	ev->to = db_column_int(st, 7);
	store_column_copy(st, 8, ev->reason, sizeof ev->reason);
	store_column_copy(st, 9, ev->note, sizeof ev->note);
	return true;
}

enum store_result store_seat_event_list(struct store *s, int64_t task,
                                        struct store_seat_event **out, size_t *n)
{
	struct db_stmt *st = store_stmt(s, STMT_AEVENT_LIST);
	if (st)
		db_bind_int64(st, 1, task);
	return store_rows(st, sizeof **out, column_seat_event, (void **)out, n);
}

/* --- the decline ledger -------------------------------------------------- */

enum store_result store_ledger_add(struct store *s,
                                   const struct store_ledger_event *ev)
{
	struct db_stmt *st = store_stmt(s, STMT_LEDGER_ADD);
	if (!st)
		return STORE_NOT_WRITABLE;
	db_bind_int64(st, 1, ev->expert);
	db_bind_int64(st, 2, ev->at);
	db_bind_int(st, 3, ev->kind);
	db_bind_int64(st, 4, ev->assignment);
	db_bind_int64(st, 5, ev->task);
	store_bind_text(st, 6, ev->reason);
	return store_step_deferred(st);
}

static bool column_ledger(struct db_stmt *st, void *row)
{
	struct store_ledger_event *ev = row;
	ev->expert = db_column_int64(st, 0);
	ev->at = db_column_int64(st, 1);
	ev->kind = db_column_int(st, 2);
	ev->assignment = db_column_int64(st, 3);
	ev->task = db_column_int64(st, 4);
	store_column_copy(st, 5, ev->reason, sizeof ev->reason);
	ev->withdrawn = db_column_int64(st, 6);
	return true;
}

enum store_result store_ledger_withdraw(struct store *s, int64_t expert,
                                        int64_t assignment, int64_t at,
                                        const char *actor, int *n)
{
	struct db_stmt *st = store_stmt(s, STMT_LEDGER_WITHDRAW);
	*n = 0;
	if (!st)
		return STORE_NOT_WRITABLE;
	db_bind_int64(st, 1, assignment);
	db_bind_int64(st, 2, at);
	store_bind_text(st, 3, actor);
	db_bind_int64(st, 4, expert);
	enum store_result r = store_step_done(st);
	if (r == STORE_OK)
		*n = db_changes(s->db);
	return r;
}

enum store_result store_ledger_list(struct store *s, int64_t expert,
                                    struct store_ledger_event **out, size_t *n)
{
	struct db_stmt *st = store_stmt(s, STMT_LEDGER_LIST);
	if (st)
		db_bind_int64(st, 1, expert);
	return store_rows(st, sizeof **out, column_ledger, (void **)out, n);
}

enum store_result store_expert_ids_by_status(struct store *s, int status,
                                             int64_t **out, size_t *n)
{
	struct db_stmt *st = store_stmt(s, STMT_EXPERT_BY_STATUS);
	if (st)
		db_bind_int(st, 1, status);
	return store_rows(st, sizeof **out, store_row_int64, (void **)out, n);
}
