/*
 * store_draw.c - the store's draw tables: the audit log, named values
 * (the draw secret chain), tasks, draws and assignments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* --- audit log ---------------------------------------------------------------- */

enum store_result store_audit_last(struct store *s, int64_t *seq,
                                   uint8_t hash[STORE_AUDIT_HASH_LEN])
{
	sqlite3_stmt *st = store_stmt(s, STMT_AUDIT_LAST);
	if (!st)
		return STORE_NOT_WRITABLE;
	*seq = 0;
	memset(hash, 0, STORE_AUDIT_HASH_LEN);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*seq = sqlite3_column_int64(st, 0);
		if (sqlite3_column_bytes(st, 1) == STORE_AUDIT_HASH_LEN)
			memcpy(hash, sqlite3_column_blob(st, 1), STORE_AUDIT_HASH_LEN);
	}
	sqlite3_reset(st);
	return (rc == SQLITE_ROW || rc == SQLITE_DONE) ? STORE_OK : store_result_of(rc);
}

enum store_result store_audit_insert(struct store *s, const struct store_audit_row *r)
{
	sqlite3_stmt *st = store_stmt(s, STMT_AUDIT_INSERT);
	if (!st)
		return STORE_NOT_WRITABLE;
	sqlite3_bind_int64(st, 1, r->seq);
	sqlite3_bind_int64(st, 2, r->at);
	store_bind_text(st, 3, r->type);
	sqlite3_bind_blob(st, 4, r->body, (int)r->body_len, SQLITE_TRANSIENT);
	sqlite3_bind_blob(st, 5, r->prev, STORE_AUDIT_HASH_LEN, SQLITE_TRANSIENT);
	sqlite3_bind_blob(st, 6, r->hash, STORE_AUDIT_HASH_LEN, SQLITE_TRANSIENT);
	return store_step_done(st);
}

/* Copy a blob column into dst of exactly len bytes (zeros if it differs:
 * a verifier then reports the mismatch). */
static void column_fixed(sqlite3_stmt *st, int i, uint8_t *dst, size_t len)
{
	memset(dst, 0, len);
	if ((size_t)sqlite3_column_bytes(st, i) == len)
		memcpy(dst, sqlite3_column_blob(st, i), len);
}

static bool column_audit(sqlite3_stmt *st, struct store_audit_row *r)
{
	r->seq = sqlite3_column_int64(st, 0);
	r->at = sqlite3_column_int64(st, 1);
	store_column_copy(st, 2, r->type, sizeof r->type);
	int bl = sqlite3_column_bytes(st, 3);
	r->body = malloc(bl > 0 ? (size_t)bl : 1);
	if (!r->body)
		return false;
	if (bl > 0)
		memcpy(r->body, sqlite3_column_blob(st, 3), (size_t)bl);
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
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st = store_stmt(s, STMT_AUDIT_LIST);
	if (!st)
		return STORE_NOT_WRITABLE;
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, (int64_t)limit);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_audit_row *r = store_grow((void **)out, n, &cap, sizeof *r);
		if (!r || !column_audit(st, r)) {
			if (r)
				(*n)--;
			rc = SQLITE_NOMEM;
			break;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		store_audit_rows_free(*out, *n);
		*out = NULL;
		*n = 0;
		return store_result_of(rc);
	}
	return STORE_OK;
}

enum store_result store_audit_get(struct store *s, int64_t seq,
                                  struct store_audit_row *out)
{
	sqlite3_stmt *st = store_stmt(s, STMT_AUDIT_GET);
	if (!st)
		return STORE_NOT_WRITABLE;
	sqlite3_bind_int64(st, 1, seq);
	int rc = sqlite3_step(st);
	enum store_result r = STORE_NOT_FOUND;
	if (rc == SQLITE_ROW)
		r = column_audit(st, out) ? STORE_OK : STORE_NOT_WRITABLE;
	else if (rc != SQLITE_DONE)
		r = store_result_of(rc);
	sqlite3_reset(st);
	return r;
}

/* --- meta ------------------------------------------------------------------------ */

enum store_result store_meta_get(struct store *s, const char *key, void *buf,
                                 size_t size, size_t *len)
{
	sqlite3_stmt *st = store_stmt(s, STMT_META_GET);
	if (!st)
		return STORE_NOT_WRITABLE;
	store_bind_text(st, 1, key);
	int rc = sqlite3_step(st);
	enum store_result r = STORE_NOT_FOUND;
	if (rc == SQLITE_ROW) {
		size_t bl = (size_t)sqlite3_column_bytes(st, 0);
		memcpy(buf, sqlite3_column_blob(st, 0), bl < size ? bl : size);
		*len = bl;
		r = STORE_OK;
	} else if (rc != SQLITE_DONE) {
		r = store_result_of(rc);
	}
	sqlite3_reset(st);
	return r;
}

enum store_result store_meta_put(struct store *s, const char *key,
                                 const void *val, size_t len)
{
	sqlite3_stmt *st = store_stmt(s, STMT_META_PUT);
	if (!st)
		return STORE_NOT_WRITABLE;
	store_bind_text(st, 1, key);
	sqlite3_bind_blob(st, 2, val, (int)len, SQLITE_TRANSIENT);
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
	sqlite3_stmt *st = store_stmt(s, STMT_TASK_INSERT);
	if (!st)
		return STORE_NOT_WRITABLE;
	char orgs[TASK_MAX_ORGS * 20], excl[TASK_MAX_EXCLUDE * 21];
	join_orgs(t, orgs, sizeof orgs);
	join_ids(t->exclude, t->n_exclude, excl, sizeof excl);
	sqlite3_bind_int64(st, 1, t->id);
	store_bind_text(st, 2, t->bureau);
	store_bind_text(st, 3, t->created_by);
	sqlite3_bind_int(st, 4, t->kind);
	sqlite3_bind_int(st, 5, t->subject);
	store_bind_text(st, 6, t->specialty);
	sqlite3_bind_int(st, 7, t->group);
	sqlite3_bind_int(st, 8, t->members);
	sqlite3_bind_int(st, 9, t->leader);
	sqlite3_bind_int(st, 10, t->backups);
	store_bind_text(st, 11, orgs);
	sqlite3_bind_int64(st, 12, t->start_at);
	sqlite3_bind_int64(st, 13, t->end_at);
	store_bind_text(st, 14, t->district);
	store_bind_text(st, 15, excl);
	store_bind_text(st, 16, t->note);
	sqlite3_bind_blob(st, 17, t->nonce, (int)t->nonce_len, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 18, t->state);
	sqlite3_bind_int64(st, 19, t->created_at);
	return store_step_done(st);
}

static void column_task(sqlite3_stmt *st, struct task *t)
{
	char buf[TASK_MAX_EXCLUDE * 21];
	memset(t, 0, sizeof *t);
	t->id = sqlite3_column_int64(st, 0);
	store_column_copy(st, 1, t->bureau, sizeof t->bureau);
	store_column_copy(st, 2, t->created_by, sizeof t->created_by);
	t->kind = sqlite3_column_int(st, 3);
	t->subject = sqlite3_column_int(st, 4);
	store_column_copy(st, 5, t->specialty, sizeof t->specialty);
	t->group = sqlite3_column_int(st, 6);
	t->members = sqlite3_column_int(st, 7);
	t->leader = sqlite3_column_int(st, 8) != 0;
	t->backups = sqlite3_column_int(st, 9);
	store_column_copy(st, 10, buf, sizeof buf);
	split_orgs(buf, t);
	t->start_at = sqlite3_column_int64(st, 11);
	t->end_at = sqlite3_column_int64(st, 12);
	store_column_copy(st, 13, t->district, sizeof t->district);
	store_column_copy(st, 14, buf, sizeof buf);
	split_ids(buf, t);
	store_column_copy(st, 15, t->note, sizeof t->note);
	size_t nl = (size_t)sqlite3_column_bytes(st, 16);
	t->nonce_len = nl <= TASK_NONCE_MAX ? nl : TASK_NONCE_MAX;
	if (t->nonce_len)
		memcpy(t->nonce, sqlite3_column_blob(st, 16), t->nonce_len);
	t->state = sqlite3_column_int(st, 17);
	t->created_at = sqlite3_column_int64(st, 18);
}

enum store_result store_task_get(struct store *s, int64_t id, struct task *out)
{
	sqlite3_stmt *st = store_stmt(s, STMT_TASK_GET);
	if (!st)
		return STORE_NOT_WRITABLE;
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	enum store_result r = STORE_NOT_FOUND;
	if (rc == SQLITE_ROW) {
		column_task(st, out);
		r = STORE_OK;
	} else if (rc != SQLITE_DONE) {
		r = store_result_of(rc);
	}
	sqlite3_reset(st);
	return r;
}

enum store_result store_task_set_state(struct store *s, int64_t id, int state)
{
	sqlite3_stmt *st = store_stmt(s, STMT_TASK_STATE);
	if (!st)
		return STORE_NOT_WRITABLE;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, state);
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
	*ids = NULL;
	*n = 0;
	sqlite3_stmt *st = store_stmt(s, STMT_TASK_COUNT);
	if (!st)
		return STORE_NOT_WRITABLE;
	store_bind_text(st, 1, bureau);
	*total = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	st = store_stmt(s, STMT_TASK_LIST);
	if (!st)
		return STORE_NOT_WRITABLE;
	store_bind_text(st, 1, bureau);
	sqlite3_bind_int64(st, 2, offset);
	sqlite3_bind_int64(st, 3, limit);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t *p = store_grow((void **)ids, n, &cap, sizeof *p);
		if (!p) {
			rc = SQLITE_NOMEM;
			break;
		}
		*p = sqlite3_column_int64(st, 0);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? STORE_OK : store_result_of(rc);
}

enum store_result store_task_each(struct store *s,
                                  bool (*fn)(const struct task *t, void *arg),
                                  void *arg)
{
	sqlite3_stmt *st = store_stmt(s, STMT_TASK_ALL);
	if (!st)
		return STORE_NOT_WRITABLE;
	struct task t;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		column_task(st, &t);
		if (!fn(&t, arg)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? STORE_OK : store_result_of(rc);
}

/* --- draws ------------------------------------------------------------------------ */

enum store_result store_draw_insert(struct store *s, const struct store_draw *d)
{
	sqlite3_stmt *st = store_stmt(s, STMT_DRAW_INSERT);
	if (!st)
		return STORE_NOT_WRITABLE;
	sqlite3_bind_int64(st, 1, d->id);
	if (d->task)
		sqlite3_bind_int64(st, 2, d->task);
	else
		sqlite3_bind_null(st, 2);
	store_bind_text(st, 3, d->kind);
	sqlite3_bind_int(st, 4, d->ok);
	sqlite3_bind_int64(st, 5, d->audit_seq);
	store_bind_text(st, 6, d->actor);
	sqlite3_bind_int64(st, 7, d->at);
	return store_step_done(st);
}

int64_t store_draw_max_id(struct store *s)
{
	return store_single_int(s, STMT_DRAW_MAX_ID);
}

enum store_result store_draw_list(struct store *s, int64_t task,
                                  struct store_draw **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st = store_stmt(s, STMT_DRAW_LIST);
	if (!st)
		return STORE_NOT_WRITABLE;
	sqlite3_bind_int64(st, 1, task);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_draw *d = store_grow((void **)out, n, &cap, sizeof *d);
		if (!d) {
			rc = SQLITE_NOMEM;
			break;
		}
		d->id = sqlite3_column_int64(st, 0);
		d->task = sqlite3_column_int64(st, 1);
		store_column_copy(st, 2, d->kind, sizeof d->kind);
		d->ok = sqlite3_column_int(st, 3) != 0;
		d->audit_seq = sqlite3_column_int64(st, 4);
		store_column_copy(st, 5, d->actor, sizeof d->actor);
		d->at = sqlite3_column_int64(st, 6);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? STORE_OK : store_result_of(rc);
}

/* --- assignments ------------------------------------------------------------------ */

enum store_result store_assignment_insert(struct store *s,
                                          const struct store_assignment *a)
{
	sqlite3_stmt *st = store_stmt(s, STMT_ASSIGN_INSERT);
	if (!st)
		return STORE_NOT_WRITABLE;
	sqlite3_bind_int64(st, 1, a->id);
	sqlite3_bind_int64(st, 2, a->task);
	sqlite3_bind_int64(st, 3, a->expert);
	sqlite3_bind_int64(st, 4, a->draw);
	sqlite3_bind_int(st, 5, a->role);
	sqlite3_bind_int(st, 6, a->seat);
	sqlite3_bind_int(st, 7, a->state);
	sqlite3_bind_int64(st, 8, a->created_at);
	sqlite3_bind_int64(st, 9, a->updated_at);
	return store_step_done(st);
}

enum store_result store_assignment_set_state(struct store *s, int64_t id,
                                             int state, int64_t at)
{
	sqlite3_stmt *st = store_stmt(s, STMT_ASSIGN_STATE);
	if (!st)
		return STORE_NOT_WRITABLE;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, state);
	sqlite3_bind_int64(st, 3, at);
	return store_step_done(st);
}

int64_t store_assignment_max_id(struct store *s)
{
	return store_single_int(s, STMT_ASSIGN_MAX_ID);
}

static void column_assignment(sqlite3_stmt *st, struct store_assignment *a)
{
	a->id = sqlite3_column_int64(st, 0);
	a->task = sqlite3_column_int64(st, 1);
	a->expert = sqlite3_column_int64(st, 2);
	a->draw = sqlite3_column_int64(st, 3);
	a->role = sqlite3_column_int(st, 4);
	a->seat = sqlite3_column_int(st, 5);
	a->state = sqlite3_column_int(st, 6);
	a->created_at = sqlite3_column_int64(st, 7);
	a->updated_at = sqlite3_column_int64(st, 8);
}

enum store_result store_assignment_list(struct store *s, int64_t task,
                                        struct store_assignment **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st = store_stmt(s, STMT_ASSIGN_LIST);
	if (!st)
		return STORE_NOT_WRITABLE;
	sqlite3_bind_int64(st, 1, task);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct store_assignment *a = store_grow((void **)out, n, &cap, sizeof *a);
		if (!a) {
			rc = SQLITE_NOMEM;
			break;
		}
		column_assignment(st, a);
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? STORE_OK : store_result_of(rc);
}

enum store_result store_assignment_each(
	struct store *s, bool (*fn)(const struct store_assignment *a, void *arg),
	void *arg)
{
	sqlite3_stmt *st = store_stmt(s, STMT_ASSIGN_ALL);
	if (!st)
		return STORE_NOT_WRITABLE;
	struct store_assignment a;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		column_assignment(st, &a);
		if (!fn(&a, arg)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? STORE_OK : store_result_of(rc);
}
