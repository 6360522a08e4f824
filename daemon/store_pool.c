/*
 * store_pool.c - the store's pool tables: experts, their history events,
 * declared conflicts, and staged roster imports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* Specialty names never contain '|' (checked on import), so a joined
 * column round-trips. */
static void join_specialties(const struct expert *e, char *buf, size_t size)
{
	size_t off = 0;
	buf[0] = '\0';
	for (int i = 0; i < e->n_specialties && off < size; i++)
		off += (size_t)snprintf(buf + off, size - off, "%s%s", i ? "|" : "",
		                        e->specialties[i]);
}

static void split_specialties(const char *s, struct expert *e)
{
	e->n_specialties = 0;
	while (*s && e->n_specialties < EXPERT_MAX_SPECIALTIES) {
		const char *bar = strchr(s, '|');
		size_t n = bar ? (size_t)(bar - s) : strlen(s);
		if (n > EXPERT_TEXT_MAX)
			n = EXPERT_TEXT_MAX;
		memcpy(e->specialties[e->n_specialties], s, n);
		e->specialties[e->n_specialties++][n] = '\0';
		if (!bar)
			break;
		s = bar + 1;
	}
}

static void bind_expert(sqlite3_stmt *st, const struct expert *e)
{
	char specs[EXPERT_MAX_SPECIALTIES * (EXPERT_TEXT_MAX + 1)];
	join_specialties(e, specs, sizeof specs);
	sqlite3_bind_int64(st, 1, e->id);
	store_bind_text(st, 2, e->resident_id);
	store_bind_text(st, 3, e->name);
	sqlite3_bind_int(st, 4, e->sex);
	store_bind_text(st, 5, e->phone);
	sqlite3_bind_int(st, 6, e->birth);
	store_bind_text(st, 7, e->employer);
	store_bind_text(st, 8, e->employer_code);
	store_bind_text(st, 9, e->recommender_code);
	store_bind_text(st, 10, specs);
	sqlite3_bind_int(st, 11, (int)e->group_types);
	sqlite3_bind_int(st, 12, (int)e->task_types);
	sqlite3_bind_int(st, 13, e->title);
	sqlite3_bind_int(st, 14, e->qualification);
	sqlite3_bind_int(st, 15, e->assess_years);
	sqlite3_bind_int(st, 16, e->training_years);
	sqlite3_bind_int(st, 17, (int)e->relaxations);
	sqlite3_bind_int(st, 18, e->leader_eligible);
	store_bind_text(st, 19, e->position);
	store_bind_text(st, 20, e->email);
	sqlite3_bind_int(st, 21, (int)e->status);
	sqlite3_bind_int(st, 22, e->suspended_until);
	sqlite3_bind_int(st, 23, e->term);
	sqlite3_bind_int64(st, 24, e->created_at);
	sqlite3_bind_int64(st, 25, e->updated_at);
	sqlite3_bind_int(st, 26, e->joined_term);
	sqlite3_bind_int(st, 27, e->age_exception);
	store_bind_text(st, 28, e->relax_evidence);
	store_bind_text(st, 29, e->relax_by);
	sqlite3_bind_int64(st, 30, e->relax_at);
	store_bind_text(st, 31, e->age_reason);
	store_bind_text(st, 32, e->age_by);
	sqlite3_bind_int64(st, 33, e->age_at);
}

static bool column_expert(sqlite3_stmt *st, void *row)
{
	struct expert *e = row;
	char specs[EXPERT_MAX_SPECIALTIES * (EXPERT_TEXT_MAX + 1)];
	memset(e, 0, sizeof *e);
	e->id = sqlite3_column_int64(st, 0);
	store_column_copy(st, 1, e->resident_id, sizeof e->resident_id);
	store_column_copy(st, 2, e->name, sizeof e->name);
	e->sex = sqlite3_column_int(st, 3);
	store_column_copy(st, 4, e->phone, sizeof e->phone);
	e->birth = sqlite3_column_int(st, 5);
	store_column_copy(st, 6, e->employer, sizeof e->employer);
	store_column_copy(st, 7, e->employer_code, sizeof e->employer_code);
	store_column_copy(st, 8, e->recommender_code, sizeof e->recommender_code);
	store_column_copy(st, 9, specs, sizeof specs);
	split_specialties(specs, e);
	e->group_types = (unsigned)sqlite3_column_int(st, 10);
	e->task_types = (unsigned)sqlite3_column_int(st, 11);
	e->title = sqlite3_column_int(st, 12);
	e->qualification = sqlite3_column_int(st, 13);
	e->assess_years = sqlite3_column_int(st, 14);
	e->training_years = sqlite3_column_int(st, 15);
	e->relaxations = (unsigned)sqlite3_column_int(st, 16);
	e->leader_eligible = sqlite3_column_int(st, 17) != 0;
	store_column_copy(st, 18, e->position, sizeof e->position);
	store_column_copy(st, 19, e->email, sizeof e->email);
	e->status = (enum expert_status)sqlite3_column_int(st, 20);
	e->suspended_until = sqlite3_column_int(st, 21);
	e->term = sqlite3_column_int(st, 22);
	e->created_at = sqlite3_column_int64(st, 23);
	e->updated_at = sqlite3_column_int64(st, 24);
	e->joined_term = sqlite3_column_int(st, 25);
	e->age_exception = sqlite3_column_int(st, 26) != 0;
	store_column_copy(st, 27, e->relax_evidence, sizeof e->relax_evidence);
	store_column_copy(st, 28, e->relax_by, sizeof e->relax_by);
	e->relax_at = sqlite3_column_int64(st, 29);
	store_column_copy(st, 30, e->age_reason, sizeof e->age_reason);
	store_column_copy(st, 31, e->age_by, sizeof e->age_by);
	e->age_at = sqlite3_column_int64(st, 32);
	return true;
}

enum store_result store_expert_insert(struct store *s, const struct expert *e)
{
	sqlite3_stmt *st = store_stmt(s, STMT_EXPERT_INSERT);
	if (!st)
		return STORE_NOT_WRITABLE;
	bind_expert(st, e);
	return store_step_done(st);
}

enum store_result store_expert_update(struct store *s, const struct expert *e)
{
	sqlite3_stmt *st = store_stmt(s, STMT_EXPERT_UPDATE);
	if (!st)
		return STORE_NOT_WRITABLE;
	bind_expert(st, e);
	enum store_result r = store_step_done(st);
	if (r == STORE_OK && sqlite3_changes(s->db) == 0)
		return STORE_NOT_FOUND;
	return r;
}

enum store_result store_expert_get(struct store *s, int64_t id, struct expert *out)
{
	sqlite3_stmt *st = store_stmt(s, STMT_EXPERT_GET);
	if (st)
		sqlite3_bind_int64(st, 1, id);
	return store_row(st, column_expert, out);
}

static bool column_name(sqlite3_stmt *st, void *row)
{
	store_column_copy(st, 0, row, EXPERT_NAME_MAX + 1);
	return true;
}

enum store_result store_expert_name(struct store *s, int64_t id,
                                    char name[EXPERT_NAME_MAX + 1])
{
	sqlite3_stmt *st = store_stmt(s, STMT_EXPERT_NAME);
	if (st)
		sqlite3_bind_int64(st, 1, id);
	return store_row(st, column_name, name);
}

static bool column_contact(sqlite3_stmt *st, void *row)
{
	struct store_contact *c = row;
	store_column_copy(st, 0, c->name, sizeof c->name);
	store_column_copy(st, 1, c->phone, sizeof c->phone);
	store_column_copy(st, 2, c->employer, sizeof c->employer);
	return true;
}

enum store_result store_expert_contact(struct store *s, int64_t id,
                                       struct store_contact *out)
{
	sqlite3_stmt *st = store_stmt(s, STMT_EXPERT_CONTACT);
	if (st)
		sqlite3_bind_int64(st, 1, id);
	return store_row(st, column_contact, out);
}

enum store_result store_expert_find_resident(struct store *s, const char *resident_id,
                                             int64_t *id)
{
	sqlite3_stmt *st = store_stmt(s, STMT_EXPERT_BY_RESIDENT);
	if (st)
		store_bind_text(st, 1, resident_id);
	return store_row(st, store_row_int64, id);
}

int64_t store_expert_max_id(struct store *s)
{
	return store_single_int(s, STMT_EXPERT_MAX_ID);
}

STORE_EACH_ADAPTER(expert_each, struct expert)

enum store_result store_expert_each(struct store *s,
                                    bool (*fn)(const struct expert *e, void *arg),
                                    void *arg)
{
	struct expert e;
	struct expert_each x = { fn, arg };
	return store_each_row(store_stmt(s, STMT_EXPERT_ALL), column_expert, &e,
	                      expert_each_cb, &x);
}

/* --- history --------------------------------------------------------------- */

enum store_result store_event_add(struct store *s, const struct store_event *ev)
{
	sqlite3_stmt *st = store_stmt(s, STMT_EVENT_ADD);
	if (!st)
		return STORE_NOT_WRITABLE;
	sqlite3_bind_int64(st, 1, ev->expert_id);
	sqlite3_bind_int64(st, 2, ev->at);
	store_bind_text(st, 3, ev->actor);
	store_bind_text(st, 4, ev->event);
	store_bind_text(st, 5, ev->reason);
	sqlite3_bind_int(st, 6, ev->until);
	store_bind_text(st, 7, ev->detail);
	return store_step_done(st);
}

static bool column_event(sqlite3_stmt *st, void *row)
{
	struct store_event *ev = row;
	ev->expert_id = sqlite3_column_int64(st, 0);
	ev->at = sqlite3_column_int64(st, 1);
	store_column_copy(st, 2, ev->actor, sizeof ev->actor);
	store_column_copy(st, 3, ev->event, sizeof ev->event);
	store_column_copy(st, 4, ev->reason, sizeof ev->reason);
	ev->until = sqlite3_column_int(st, 5);
	store_column_copy(st, 6, ev->detail, sizeof ev->detail);
	return true;
}

enum store_result store_event_list(struct store *s, int64_t expert_id,
                                   struct store_event **out, size_t *n)
{
	sqlite3_stmt *st = store_stmt(s, STMT_EVENT_LIST);
	if (st)
		sqlite3_bind_int64(st, 1, expert_id);
	return store_rows(st, sizeof **out, column_event, (void **)out, n);
}

/* --- conflicts ------------------------------------------------------------- */

enum store_result store_conflict_insert(struct store *s, const struct store_conflict *c)
{
	sqlite3_stmt *st = store_stmt(s, STMT_CONFLICT_INSERT);
	if (!st)
		return STORE_NOT_WRITABLE;
	sqlite3_bind_int64(st, 1, c->id);
	sqlite3_bind_int64(st, 2, c->expert_id);
	store_bind_text(st, 3, c->org_code);
	sqlite3_bind_int(st, 4, c->kind);
	sqlite3_bind_int(st, 5, c->valid_from);
	sqlite3_bind_int(st, 6, c->valid_to);
	store_bind_text(st, 7, c->reason);
	sqlite3_bind_int64(st, 8, c->created_at);
	store_bind_text(st, 9, c->created_by);
	return store_step_done(st);
}

static bool column_conflict(sqlite3_stmt *st, void *row)
{
	struct store_conflict *c = row;
	c->id = sqlite3_column_int64(st, 0);
	c->expert_id = sqlite3_column_int64(st, 1);
	store_column_copy(st, 2, c->org_code, sizeof c->org_code);
	c->kind = sqlite3_column_int(st, 3);
	c->valid_from = sqlite3_column_int(st, 4);
	c->valid_to = sqlite3_column_int(st, 5);
	store_column_copy(st, 6, c->reason, sizeof c->reason);
	c->created_at = sqlite3_column_int64(st, 7);
	store_column_copy(st, 8, c->created_by, sizeof c->created_by);
	return true;
}

STORE_EACH_ADAPTER(conflict_each, struct store_conflict)

enum store_result store_conflict_each(
	struct store *s, bool (*fn)(const struct store_conflict *c, void *arg),
	void *arg)
{
	struct store_conflict c;
	struct conflict_each x = { fn, arg };
	return store_each_row(store_stmt(s, STMT_CONFLICT_ALL), column_conflict, &c,
	                      conflict_each_cb, &x);
}

int64_t store_conflict_max_id(struct store *s)
{
	return store_single_int(s, STMT_CONFLICT_MAX_ID);
}

enum store_result store_conflict_list(struct store *s, int64_t expert_id,
                                      const char *org_code,
                                      struct store_conflict **out, size_t *n)
{
	sqlite3_stmt *st = store_stmt(s, STMT_CONFLICT_LIST);
	if (st) {
		sqlite3_bind_int64(st, 1, expert_id);
		store_bind_text(st, 2, org_code ? org_code : "");
	}
	return store_rows(st, sizeof **out, column_conflict, (void **)out, n);
}

/* --- roster imports ---------------------------------------------------------- */

enum store_result store_import_create(struct store *s, const struct store_import *im)
{
	sqlite3_stmt *st = store_stmt(s, STMT_IMPORT_CREATE);
	if (!st)
		return STORE_NOT_WRITABLE;
	sqlite3_bind_int64(st, 1, im->id);
	store_bind_text(st, 2, im->principal);
	sqlite3_bind_int(st, 3, im->skip_invalid);
	sqlite3_bind_int(st, 4, im->state);
	sqlite3_bind_int64(st, 5, im->created_at);
	char lines[STORE_IMPORT_AGE_MAX * 21 + 1];
	size_t off = 0;
	lines[0] = '\0';
	for (size_t i = 0; i < im->n_age_lines && off < sizeof lines; i++)
		off += (size_t)snprintf(lines + off, sizeof lines - off, "%s%lld",
		                        i ? "," : "", (long long)im->age_lines[i]);
	store_bind_text(st, 6, lines);
	store_bind_text(st, 7, im->age_reason);
	return store_step_done(st);
}

static bool column_import(sqlite3_stmt *st, void *row)
{
	struct store_import *im = row;
	im->id = sqlite3_column_int64(st, 0);
	store_column_copy(st, 1, im->principal, sizeof im->principal);
	im->skip_invalid = sqlite3_column_int(st, 2) != 0;
	im->state = sqlite3_column_int(st, 3);
	im->created_at = sqlite3_column_int64(st, 4);
	im->rows = sqlite3_column_int64(st, 5);
	im->invalid = sqlite3_column_int64(st, 6);
	const char *p = (const char *)sqlite3_column_text(st, 7);
	im->n_age_lines = 0;
	while (p && *p && im->n_age_lines < STORE_IMPORT_AGE_MAX) {
		char *end;
		im->age_lines[im->n_age_lines++] = strtoll(p, &end, 10);
		p = *end == ',' ? end + 1 : end;
		if (end == p && *p)
			break;
	}
	store_column_copy(st, 8, im->age_reason, sizeof im->age_reason);
	return true;
}

enum store_result store_import_get(struct store *s, int64_t id, struct store_import *out)
{
	sqlite3_stmt *st = store_stmt(s, STMT_IMPORT_GET);
	if (st)
		sqlite3_bind_int64(st, 1, id);
	return store_row(st, column_import, out);
}

int64_t store_import_max_id(struct store *s)
{
	return store_single_int(s, STMT_IMPORT_MAX_ID);
}

enum store_result store_import_finish(struct store *s, int64_t id, int state,
                                      int64_t at)
{
	sqlite3_stmt *st = store_stmt(s, STMT_IMPORT_FINISH);
	if (!st)
		return STORE_NOT_WRITABLE;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, state);
	sqlite3_bind_int64(st, 3, at);
	return store_step_done(st);
}

enum store_result store_import_add_row(struct store *s, int64_t import_id,
                                       int64_t line, const char *resident_id,
                                       const void *row, size_t row_len,
                                       const char *field, const char *error)
{
	sqlite3_stmt *st = store_stmt(s, STMT_IMPORT_ADD_ROW);
	if (!st)
		return STORE_NOT_WRITABLE;
	sqlite3_bind_int64(st, 1, import_id);
	sqlite3_bind_int64(st, 2, line);
	store_bind_text(st, 3, resident_id);
	sqlite3_bind_blob(st, 4, row, (int)row_len, SQLITE_TRANSIENT);
	if (error) {
		store_bind_text(st, 5, field ? field : "");
		store_bind_text(st, 6, error);
	}
	enum store_result r = store_step_done(st);
	if (r != STORE_OK)
		return r;
	st = store_stmt(s, STMT_IMPORT_COUNT);
	if (!st)
		return STORE_NOT_WRITABLE;
	sqlite3_bind_int64(st, 1, import_id);
	sqlite3_bind_int(st, 2, error != NULL);
	return store_step_done(st);
}

enum store_result store_import_find_resident(struct store *s, int64_t import_id,
                                             const char *resident_id,
                                             int64_t *line)
{
	sqlite3_stmt *st = store_stmt(s, STMT_IMPORT_FIND_RESIDENT);
	if (st) {
		sqlite3_bind_int64(st, 1, import_id);
		store_bind_text(st, 2, resident_id);
	}
	return store_row(st, store_row_int64, line);
}

/* A staged row as store_import_each_row() hands it out: the pointers are
 * the statement's, valid until its next step. */
struct import_row {
	int64_t line;
	const void *row;
	size_t row_len;
	const char *field;
	const char *error;
};

static bool column_import_row(sqlite3_stmt *st, void *row)
{
	struct import_row *r = row;
	r->line = sqlite3_column_int64(st, 0);
	r->row = sqlite3_column_blob(st, 1);
	r->row_len = (size_t)sqlite3_column_bytes(st, 1);
	r->field = (const char *)sqlite3_column_text(st, 2);
	r->error = (const char *)sqlite3_column_text(st, 3);
	return true;
}

struct import_each {
	bool (*fn)(int64_t line, const void *row, size_t row_len,
	           const char *field, const char *error, void *arg);
	void *arg;
};

static bool import_each_cb(const void *row, void *arg)
{
	const struct import_row *r = row;
	const struct import_each *x = arg;
	return x->fn(r->line, r->row, r->row_len, r->field, r->error, x->arg);
}

enum store_result store_import_each_row(
	struct store *s, int64_t import_id,
	bool (*fn)(int64_t line, const void *row, size_t row_len,
	           const char *field, const char *error, void *arg),
	void *arg)
{
	/* A dedicated statement: fn may call other store functions. */
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT line, row, field, error FROM import_rows"
	                       " WHERE import_id = ?1 ORDER BY line", -1, &st,
	                       NULL) != SQLITE_OK)
		return STORE_NOT_WRITABLE;
	sqlite3_bind_int64(st, 1, import_id);
	struct import_row r;
	struct import_each x = { fn, arg };
	enum store_result res = store_each_row(st, column_import_row, &r,
	                                       import_each_cb, &x);
	sqlite3_finalize(st);
	return res;
}
