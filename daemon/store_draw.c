/*
 * store_draw.c - the store's draw tables: the audit log, named values
 * (the draw secret chain), tasks, draws and assignments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* --- audit log ---------------------------------------------------------------- */

/* Where store_audit_last() puts what it reads. */
struct audit_last {
	int64_t *seq;
	uint8_t *hash;
};

static bool column_audit_last(struct db_stmt *st, void *row)
{
	const struct audit_last *x = row;
	*x->seq = db_column_int64(st, 0);
	if (db_column_bytes(st, 1) == STORE_AUDIT_HASH_LEN)
		memcpy(x->hash, db_column_blob(st, 1), STORE_AUDIT_HASH_LEN);
	return true;
}

enum store_result store_audit_last(struct store *s, int64_t *seq,
                                   uint8_t hash[STORE_AUDIT_HASH_LEN])
{
	struct db_stmt *st = store_stmt(s, STMT_AUDIT_LAST);
	if (!st)
		return STORE_NOT_WRITABLE;
	*seq = 0;
	memset(hash, 0, STORE_AUDIT_HASH_LEN);
	struct audit_last x = { seq, hash };
	enum store_result r = store_row(st, column_audit_last, &x);
	return r == STORE_NOT_FOUND ? STORE_OK : r;  /* an empty log */
}

enum store_result store_audit_insert(struct store *s, const struct store_audit_row *r)
{
	struct db_stmt *st = store_stmt(s, STMT_AUDIT_INSERT);
	if (!st)
		return STORE_NOT_WRITABLE;
	db_bind_int64(st, 1, r->seq);
	db_bind_int64(st, 2, r->at);
	store_bind_text(st, 3, r->type);
	db_bind_blob(st, 4, r->body, (int)r->body_len);
	db_bind_blob(st, 5, r->prev, STORE_AUDIT_HASH_LEN);
	db_bind_blob(st, 6, r->hash, STORE_AUDIT_HASH_LEN);
	return store_step_deferred(st);
}

/* Copy a blob column into dst of exactly len bytes (zeros if it differs:
 * a verifier then reports the mismatch). */
static void column_fixed(struct db_stmt *st, int i, uint8_t *dst, size_t len)
{
	memset(dst, 0, len);
	if ((size_t)db_column_bytes(st, i) == len)
		memcpy(dst, db_column_blob(st, i), len);
}

static bool column_audit(struct db_stmt *st, void *row)
{
	struct store_audit_row *r = row;
	r->seq = db_column_int64(st, 0);
	r->at = db_column_int64(st, 1);
	store_column_copy(st, 2, r->type, sizeof r->type);
	int bl = db_column_bytes(st, 3);
	r->body = malloc(bl > 0 ? (size_t)bl : 1);
	if (!r->body)
		return false;
	if (bl > 0)
		memcpy(r->body, db_column_blob(st, 3), (size_t)bl);
	r->body_len = (size_t)bl;
	column_fixed(st, 4, r->prev, STORE_AUDIT_HASH_LEN);
	column_fixed(st, 5, r->hash, STORE_AUDIT_HASH_LEN);
	return true;
}

void store_audit_rows_free(struct store_audit_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(rows[i].body);
	free(rows);
}

enum store_result store_audit_list(struct store *s, int64_t after, size_t limit,
                                   struct store_audit_row **out, size_t *n)
{
	struct db_stmt *st = store_stmt(s, STMT_AUDIT_LIST);
	if (st) {
		db_bind_int64(st, 1, after);
		db_bind_int64(st, 2, (int64_t)limit);
	}
	enum store_result r = store_rows(st, sizeof **out, column_audit, (void **)out, n);
	if (r != STORE_OK) {
		store_audit_rows_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return r;
}

enum store_result store_audit_get(struct store *s, int64_t seq,
                                  struct store_audit_row *out)
{
	struct db_stmt *st = store_stmt(s, STMT_AUDIT_GET);
	if (st)
		db_bind_int64(st, 1, seq);
	return store_row(st, column_audit, out);
}

/* --- meta ------------------------------------------------------------------------ */

/* Where store_meta_get() puts what it reads. */
struct meta_value {
	void *buf;
	size_t size;
	size_t *len;
};

static bool column_meta(struct db_stmt *st, void *row)
{
	const struct meta_value *v = row;
	size_t bl = (size_t)db_column_bytes(st, 0);
	if (bl && v->size)  /* an empty blob is NULL, and memcpy's source must not be */
		memcpy(v->buf, db_column_blob(st, 0), bl < v->size ? bl : v->size);
	*v->len = bl;
	return true;
}

enum store_result store_meta_get(struct store *s, const char *key, void *buf,
                                 size_t size, size_t *len)
{
	struct meta_value v = { buf, size, len };
	struct db_stmt *st = store_stmt(s, STMT_META_GET);
	if (st)
		store_bind_text(st, 1, key);
	return store_row(st, column_meta, &v);
}

enum store_result store_meta_put(struct store *s, const char *key,
                                 const void *val, size_t len)
{
	struct db_stmt *st = store_stmt(s, STMT_META_PUT);
	if (!st)
		return STORE_NOT_WRITABLE;
	store_bind_text(st, 1, key);
	db_bind_blob(st, 2, val, (int)len);
	return store_step_deferred(st);
}

enum store_result store_meta_delete(struct store *s, const char *key)
{
	struct db_stmt *st = store_stmt(s, STMT_META_DELETE);
	if (!st)
		return STORE_NOT_WRITABLE;
	store_bind_text(st, 1, key);
	return store_step_done(st);
}

/* --- tasks ---------------------------------------------------------------------- */

static void join_orgs(const struct task *t, char *buf, size_t size)
{
	size_t off = 0;
	buf[0] = '\0';
	for (int i = 0; i < t->n_orgs && off < size; i++)
		off += (size_t)snprintf(buf + off, size - off, "%s%s", i ? "|" : "",
		                        t->orgs[i]);
}

static void join_ids(const int64_t *ids, int n, char *buf, size_t size)
{
	size_t off = 0;
	buf[0] = '\0';
	for (int i = 0; i < n && off < size; i++)
		off += (size_t)snprintf(buf + off, size - off, "%s%lld", i ? "," : "",
		                        (long long)ids[i]);
}

static void split_orgs(const char *s, struct task *t)
{
	t->n_orgs = 0;
	while (*s && t->n_orgs < TASK_MAX_ORGS) {
		size_t n = strcspn(s, "|");
		snprintf(t->orgs[t->n_orgs++], sizeof t->orgs[0], "%.*s", (int)n, s);
		s += n;
		if (*s == '|')
			s++;
	}
}

static void split_ids(const char *s, struct task *t)
{
	t->n_exclude = 0;
	while (*s && t->n_exclude < TASK_MAX_EXCLUDE) {
		char *end;
		t->exclude[t->n_exclude++] = strtoll(s, &end, 10);
		s = *end == ',' ? end + 1 : end;
		if (end == s && *s)
			break;
	}
}

enum store_result store_task_insert(struct store *s, const struct task *t)
{
	struct db_stmt *st = store_stmt(s, STMT_TASK_INSERT);
	if (!st)
		return STORE_NOT_WRITABLE;
	char orgs[TASK_MAX_ORGS * 20], excl[TASK_MAX_EXCLUDE * 21];
	join_orgs(t, orgs, sizeof orgs);
	join_ids(t->exclude, t->n_exclude, excl, sizeof excl);
	db_bind_int64(st, 1, t->id);
	store_bind_text(st, 2, t->bureau);
	store_bind_text(st, 3, t->created_by);
	db_bind_int(st, 4, t->kind);
	db_bind_int(st, 5, t->subject);
	store_bind_text(st, 6, t->specialty);
	db_bind_int(st, 7, t->group);
	db_bind_int(st, 8, t->members);
	db_bind_int(st, 9, t->leader);
	db_bind_int(st, 10, t->backups);
	store_bind_text(st, 11, orgs);
	db_bind_int64(st, 12, t->start_at);
	db_bind_int64(st, 13, t->end_at);
	store_bind_text(st, 14, t->district);
	store_bind_text(st, 15, excl);
	store_bind_text(st, 16, t->note);
	db_bind_blob(st, 17, t->nonce, (int)t->nonce_len);
	db_bind_int(st, 18, t->state);
	db_bind_int64(st, 19, t->created_at);
	db_bind_int64(st, 20, t->respond_within);
	db_bind_int(st, 21, t->fill);
	store_bind_text(st, 22, t->cancel_reason);
	db_bind_int64(st, 23, t->leader_expert);
	store_bind_text(st, 24, t->leader_reason);
	store_bind_text(st, 25, t->respond_reason);
	enum store_result r = store_step_deferred(st);
	return r == STORE_OK ? store_task_quotas_put(s, t) : r;
}

static bool column_task(struct db_stmt *st, void *row)
{
	struct task *t = row;
	char buf[TASK_MAX_EXCLUDE * 21];
	memset(t, 0, sizeof *t);
	t->id = db_column_int64(st, 0);
	store_column_copy(st, 1, t->bureau, sizeof t->bureau);
	store_column_copy(st, 2, t->created_by, sizeof t->created_by);
	t->kind = db_column_int(st, 3);
	t->subject = db_column_int(st, 4);
	store_column_copy(st, 5, t->specialty, sizeof t->specialty);
	t->group = db_column_int(st, 6);
	t->members = db_column_int(st, 7);
	t->leader = db_column_int(st, 8) != 0;
	t->backups = db_column_int(st, 9);
	store_column_copy(st, 10, buf, sizeof buf);
	split_orgs(buf, t);
	t->start_at = db_column_int64(st, 11);
	t->end_at = db_column_int64(st, 12);
	store_column_copy(st, 13, t->district, sizeof t->district);
	store_column_copy(st, 14, buf, sizeof buf);
	split_ids(buf, t);
	store_column_copy(st, 15, t->note, sizeof t->note);
	size_t nl = (size_t)db_column_bytes(st, 16);
	t->nonce_len = nl <= TASK_NONCE_MAX ? nl : TASK_NONCE_MAX;
	if (t->nonce_len)
		memcpy(t->nonce, db_column_blob(st, 16), t->nonce_len);
	t->state = db_column_int(st, 17);
	t->created_at = db_column_int64(st, 18);
	t->respond_within = db_column_int64(st, 19);
	t->fill = db_column_int(st, 20);
	store_column_copy(st, 21, t->cancel_reason, sizeof t->cancel_reason);
	t->leader_expert = db_column_int64(st, 22);
	store_column_copy(st, 23, t->leader_reason, sizeof t->leader_reason);
	store_column_copy(st, 24, t->respond_reason, sizeof t->respond_reason);
	return true;
}

enum store_result store_task_get(struct store *s, int64_t id, struct task *out)
{
	struct db_stmt *st = store_stmt(s, STMT_TASK_GET);
	if (st)
		db_bind_int64(st, 1, id);
	enum store_result r = store_row(st, column_task, out);
	return r == STORE_OK ? store_task_quotas_get(s, out) : r;
}

static bool column_task_brief(struct db_stmt *st, void *row)
{
	struct store_task_brief *b = row;
	store_column_copy(st, 0, b->bureau, sizeof b->bureau);
	b->kind = db_column_int(st, 1);
	store_column_copy(st, 2, b->specialty, sizeof b->specialty);
	b->start_at = db_column_int64(st, 3);
	b->end_at = db_column_int64(st, 4);
	store_column_copy(st, 5, b->district, sizeof b->district);
	store_column_copy(st, 6, b->note, sizeof b->note);
	return true;
}

enum store_result store_task_brief(struct store *s, int64_t id, int quota,
                                   struct store_task_brief *out)
{
	struct db_stmt *st = store_stmt(s, STMT_TASK_BRIEF);
	if (st) {
		db_bind_int64(st, 1, id);
		db_bind_int(st, 2, quota);
	}
	return store_row(st, column_task_brief, out);
}

enum store_result store_task_set_state(struct store *s, int64_t id, int state)
{
	struct db_stmt *st = store_stmt(s, STMT_TASK_STATE);
	if (!st)
		return STORE_NOT_WRITABLE;
	db_bind_int64(st, 1, id);
	db_bind_int(st, 2, state);
	return store_step_done(st);
}

int64_t store_task_max_id(struct store *s)
{
	return store_single_int(s, STMT_TASK_MAX_ID);
}

enum store_result store_task_list(struct store *s, const char *bureau,
                                  int64_t offset, int64_t limit,
                                  int64_t **ids, size_t *n, int64_t *total)
{
	bool all = bureau[0] == '\0';
	struct db_stmt *st = store_stmt(s, all ? STMT_TASK_COUNT_ALL : STMT_TASK_COUNT);
	if (st) {
		/* A count that fails reads as 0; the list's result is returned. */
		if (!all)
			store_bind_text(st, 1, bureau);
		*total = 0;
		store_row(st, store_row_int64, total);
		st = store_stmt(s, all ? STMT_TASK_LIST_ALL : STMT_TASK_LIST);
	}
	if (st) {
		if (!all)
			store_bind_text(st, 1, bureau);
		db_bind_int64(st, 2, offset);
		db_bind_int64(st, 3, limit);
	}
	return store_rows(st, sizeof **ids, store_row_int64, (void **)ids, n);
}

STORE_EACH_ADAPTER(task_each, struct task)

enum store_result store_task_each(struct store *s,
                                  bool (*fn)(const struct task *t, void *arg),
                                  void *arg)
{
	struct task t;
	struct task_each x = { fn, arg };
	return store_each_row(store_stmt(s, STMT_TASK_ALL), column_task, &t,
	                      task_each_cb, &x);
}

/* --- draws ------------------------------------------------------------------------ */

enum store_result store_draw_insert(struct store *s, const struct store_draw *d)
{
	struct db_stmt *st = store_stmt(s, STMT_DRAW_INSERT);
	if (!st)
		return STORE_NOT_WRITABLE;
	db_bind_int64(st, 1, d->id);
	if (d->task)
		db_bind_int64(st, 2, d->task);
	else
		db_bind_null(st, 2);
	store_bind_text(st, 3, d->kind);
	db_bind_int(st, 4, d->ok);
	db_bind_int64(st, 5, d->audit_seq);
	store_bind_text(st, 6, d->actor);
	db_bind_int64(st, 7, d->at);
	return store_step_deferred(st);
}

int64_t store_draw_max_id(struct store *s)
{
	return store_single_int(s, STMT_DRAW_MAX_ID);
}

static bool column_draw(struct db_stmt *st, void *row)
{
	struct store_draw *d = row;
	d->id = db_column_int64(st, 0);
	d->task = db_column_int64(st, 1);
	store_column_copy(st, 2, d->kind, sizeof d->kind);
	d->ok = db_column_int(st, 3) != 0;
	d->audit_seq = db_column_int64(st, 4);
	store_column_copy(st, 5, d->actor, sizeof d->actor);
	d->at = db_column_int64(st, 6);
	return true;
}

enum store_result store_draw_list(struct store *s, int64_t task,
                                  struct store_draw **out, size_t *n)
{
	struct db_stmt *st = store_stmt(s, STMT_DRAW_LIST);
	if (st)
		db_bind_int64(st, 1, task);
	return store_rows(st, sizeof **out, column_draw, (void **)out, n);
}

/* --- assignments ------------------------------------------------------------------ */

enum store_result store_assignment_insert(struct store *s,
                                          const struct store_assignment *a)
{
	struct db_stmt *st = store_stmt(s, STMT_ASSIGN_INSERT);
	if (!st)
		return STORE_NOT_WRITABLE;
	db_bind_int64(st, 1, a->id);
	db_bind_int64(st, 2, a->task);
	db_bind_int64(st, 3, a->expert);
	db_bind_int64(st, 4, a->draw);
	db_bind_int(st, 5, a->role);
	db_bind_int(st, 6, a->seat);
	db_bind_int(st, 7, a->state);
	db_bind_int64(st, 8, a->created_at);
	db_bind_int64(st, 9, a->updated_at);
	db_bind_int64(st, 10, a->deadline);
	if (a->has_token)
		db_bind_blob(st, 11, a->token_hash, STORE_HASH_LEN);
	else
		db_bind_null(st, 11);
	db_bind_int(st, 12, a->quota);
	return store_step_deferred(st);
}

enum store_result store_assignment_set_state(struct store *s, int64_t id,
                                             int state, int64_t at)
{
	struct db_stmt *st = store_stmt(s, STMT_ASSIGN_STATE);
	if (!st)
		return STORE_NOT_WRITABLE;
	db_bind_int64(st, 1, id);
	db_bind_int(st, 2, state);
	db_bind_int64(st, 3, at);
	return store_step_done(st);
}

int64_t store_assignment_max_id(struct store *s)
{
	return store_single_int(s, STMT_ASSIGN_MAX_ID);
}

bool store_column_assignment(struct db_stmt *st, void *row)
{
	struct store_assignment *a = row;
	a->id = db_column_int64(st, 0);
	a->task = db_column_int64(st, 1);
	a->expert = db_column_int64(st, 2);
	a->draw = db_column_int64(st, 3);
	a->role = db_column_int(st, 4);
	a->seat = db_column_int(st, 5);
	a->state = db_column_int(st, 6);
	a->created_at = db_column_int64(st, 7);
	a->updated_at = db_column_int64(st, 8);
	a->deadline = db_column_int64(st, 9);
	a->has_token = db_column_bytes(st, 10) == STORE_HASH_LEN;
	memset(a->token_hash, 0, sizeof a->token_hash);
	if (a->has_token)
		memcpy(a->token_hash, db_column_blob(st, 10), STORE_HASH_LEN);
	a->quota = db_column_int(st, 11);
	return true;
}

enum store_result store_assignment_list(struct store *s, int64_t task,
                                        struct store_assignment **out, size_t *n)
{
	struct db_stmt *st = store_stmt(s, STMT_ASSIGN_LIST);
	if (st)
		db_bind_int64(st, 1, task);
	return store_rows(st, sizeof **out, store_column_assignment, (void **)out, n);
}

enum store_result store_assignment_offered_since(struct store *s, int64_t since,
                                                int64_t now, int64_t after, int limit,
                                                struct store_assignment **out,
                                                size_t *n)
{
	struct db_stmt *st = store_stmt(s, STMT_ASSIGN_OFFERED_SINCE);
	if (st) {
		db_bind_int64(st, 1, since);
		db_bind_int64(st, 2, now);
		db_bind_int64(st, 3, after);
		db_bind_int(st, 4, limit);
	}
	return store_rows(st, sizeof **out, store_column_assignment, (void **)out, n);
}

STORE_EACH_ADAPTER(assignment_each, struct store_assignment)

enum store_result store_assignment_each(
	struct store *s, bool (*fn)(const struct store_assignment *a, void *arg),
	void *arg)
{
	struct store_assignment a;
	struct assignment_each x = { fn, arg };
	return store_each_row(store_stmt(s, STMT_ASSIGN_ALL), store_column_assignment, &a,
	                      assignment_each_cb, &x);
}
