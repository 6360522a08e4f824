/*
 * store_quota.c - the quotas of a mixed panel's task (DRAW.md 3.7), kept
 * beside its row in tasks: written when the task is, read back with it.
 */
#include <stdio.h>
#include <string.h>

#include "store_int.h"

enum store_result store_task_quotas_put(struct store *s, const struct task *t)
{
	enum store_result r = STORE_OK;
	for (int q = 0; q < t->n_quotas && r == STORE_OK; q++) {
		struct db_stmt *st = store_stmt(s, STMT_QUOTA_INSERT);
		if (!st)
			return STORE_NOT_WRITABLE;
		const struct task_quota *x = &t->quotas[q];
		db_bind_int64(st, 1, t->id);
		db_bind_int(st, 2, q);
		store_bind_text(st, 3, x->specialty);
		db_bind_int(st, 4, x->group);
		db_bind_int(st, 5, x->members);
		db_bind_int(st, 6, x->backups);
		r = store_step_deferred(st);
	}
	return r;
}

/* Rows beyond TASK_MAX_QUOTAS cannot have been written; they are ignored. */
static bool column_quota(struct db_stmt *st, void *row)
{
	struct task *t = row;
	if (t->n_quotas == TASK_MAX_QUOTAS)
		return true;
	struct task_quota *x = &t->quotas[t->n_quotas++];
	store_column_copy(st, 0, x->specialty, sizeof x->specialty);
	x->group = db_column_int(st, 1);
	x->members = db_column_int(st, 2);
	x->backups = db_column_int(st, 3);
	return true;
}

static bool task_quotas_cb(const void *row, void *arg)
{
	(void)row;
	(void)arg;
	return true;
}

enum store_result store_task_quotas_get(struct store *s, struct task *t)
{
	struct db_stmt *st = store_stmt(s, STMT_QUOTA_LIST);
	if (st)
		db_bind_int64(st, 1, t->id);
	t->n_quotas = 0;
	memset(t->quotas, 0, sizeof t->quotas);
	return store_each_row(st, column_quota, t, task_quotas_cb, NULL);
}
