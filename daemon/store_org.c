/*
 * store_org.c - the organisation registry (REGISTRY.md 2): entries, their
 * names by matching key, and merges, which relink experts, conflicts and
 * tasks in the same transaction.
 */
#include <stdio.h>
#include <stdlib.h>

#include "store_int.h"

static bool column_org(struct db_stmt *st, void *row)
{
	struct store_org *o = row;
	o->id = db_column_int64(st, 0);
	store_column_copy(st, 1, o->key, sizeof o->key);
	store_column_copy(st, 2, o->name, sizeof o->name);
	store_column_copy(st, 3, o->code, sizeof o->code);
	o->kinds = (unsigned)db_column_int64(st, 4);
	o->merged_into = db_column_int64(st, 5);
	o->employees = o->recommended = 0;
	return true;
}

static enum store_result org_by_text(struct store *s, enum store_stmt id,
                                     const char *text, struct store_org *out)
{
	struct db_stmt *st = store_stmt(s, id);
	if (st)
		store_bind_text(st, 1, text);
	return store_row(st, column_org, out);
}

enum store_result store_org_by_code(struct store *s, const char *code,
                                    struct store_org *out)
{
	return org_by_text(s, STMT_ORG_BY_CODE, code, out);
}

enum store_result store_org_by_key(struct store *s, const char *key,
                                   struct store_org *out)
{
	return org_by_text(s, STMT_ORG_BY_KEY, key, out);
}

enum store_result store_org_by_match(struct store *s, const char *match,
                                     struct store_org *out)
{
	return org_by_text(s, STMT_ORG_BY_MATCH, match, out);
}

enum store_result store_org_by_id(struct store *s, int64_t id, struct store_org *out)
{
	struct db_stmt *st = store_stmt(s, STMT_ORG_BY_ID);
	if (st)
		db_bind_int64(st, 1, id);
	return store_row(st, column_org, out);
}

enum store_result store_org_insert(struct store *s, struct store_org *o, int64_t now)
{
	o->id = store_single_int(s, STMT_ORG_MAX_ID) + 1;
	struct store_org other;
	enum store_result r = STORE_NOT_FOUND;
	if (o->code[0])
		r = store_org_by_key(s, o->code, &other);
	if (r == STORE_NOT_FOUND && o->code[0])
		snprintf(o->key, sizeof o->key, "%s", o->code);
	else if (r == STORE_OK || r == STORE_NOT_FOUND)
		snprintf(o->key, sizeof o->key, "org:%lld", (long long)o->id);
	else
		return r;
	struct db_stmt *st = store_stmt(s, STMT_ORG_INSERT);
	if (!st)
		return STORE_NOT_WRITABLE;
	db_bind_int64(st, 1, o->id);
	store_bind_text(st, 2, o->key);
	store_bind_text(st, 3, o->name);
	store_bind_text(st, 4, o->code);
	db_bind_int64(st, 5, o->kinds);
	db_bind_int64(st, 6, now);
	o->merged_into = 0;
	return store_step_done(st);
}

enum store_result store_org_name_add(struct store *s, int64_t org, const char *match,
                                     const char *name)
{
	struct db_stmt *st = store_stmt(s, STMT_ORG_NAME_ADD);
	if (!st)
		return STORE_NOT_WRITABLE;
	store_bind_text(st, 1, match);
	db_bind_int64(st, 2, org);
	store_bind_text(st, 3, name);
	return store_step_done(st);
}

static enum store_result org_update(struct store *s, enum store_stmt id, int64_t org,
                                    const char *text, int64_t num)
{
	struct db_stmt *st = store_stmt(s, id);
	if (!st)
		return STORE_NOT_WRITABLE;
	db_bind_int64(st, 1, org);
	if (text)
		store_bind_text(st, 2, text);
	else
		db_bind_int64(st, 2, num);
	return store_step_done(st);
}

enum store_result store_org_set_code(struct store *s, int64_t org, const char *code)
{
	return org_update(s, STMT_ORG_SET_CODE, org, code, 0);
}

enum store_result store_org_add_kinds(struct store *s, int64_t org, unsigned kinds)
{
	return org_update(s, STMT_ORG_ADD_KINDS, org, NULL, kinds);
}

static enum store_result count_of(struct store *s, enum store_stmt id,
                                  const char *key, int64_t *out)
{
	struct db_stmt *st = store_stmt(s, id);
	if (st)
		store_bind_text(st, 1, key);
	return store_row(st, store_row_int64, out);
}

enum store_result store_org_counts(struct store *s, struct store_org *o)
{
	enum store_result r = count_of(s, STMT_ORG_EMPLOYEES, o->key, &o->employees);
	return r == STORE_OK ? count_of(s, STMT_ORG_RECOMMENDED, o->key, &o->recommended)
	                     : r;
}

static bool column_alias(struct db_stmt *st, void *row)
{
	store_column_copy(st, 0, row, ORG_NAME_MAX + 1);
	return true;
}

enum store_result store_org_aliases(struct store *s, const struct store_org *o,
                                    char (**out)[ORG_NAME_MAX + 1], size_t *n)
{
	struct db_stmt *st = store_stmt(s, STMT_ORG_ALIASES);
	if (st) {
		db_bind_int64(st, 1, o->id);
		store_bind_text(st, 2, o->name);
	}
	return store_rows(st, ORG_NAME_MAX + 1, column_alias, (void **)out, n);
}

static bool column_org_name(struct db_stmt *st, void *row)
{
	struct store_org_name *n = row;
	store_column_copy(st, 0, n->match, sizeof n->match);
	store_column_copy(st, 1, n->name, sizeof n->name);
	store_column_copy(st, 2, n->key, sizeof n->key);
	return true;
}

STORE_EACH_ADAPTER(org_name_each, struct store_org_name)

enum store_result store_org_name_each(
	struct store *s, bool (*fn)(const struct store_org_name *n, void *arg),
	void *arg)
{
	struct store_org_name row;
	struct org_name_each x = {fn, arg};
	return store_each_row(store_stmt(s, STMT_ORG_NAME_ALL), column_org_name, &row,
	                      org_name_each_cb, &x);
}

enum store_result store_org_list(struct store *s, const char *match, int64_t offset,
                                 int64_t limit, struct store_org **out, size_t *n,
                                 int64_t *total)
{
	struct db_stmt *st = store_stmt(s, STMT_ORG_LIST_COUNT);
	if (st)
		store_bind_text(st, 1, match);
	enum store_result r = store_row(st, store_row_int64, total);
	if (r != STORE_OK)
		return r;
	st = store_stmt(s, STMT_ORG_LIST);
	if (st) {
		store_bind_text(st, 1, match);
		db_bind_int64(st, 2, limit);
		db_bind_int64(st, 3, offset);
	}
	r = store_rows(st, sizeof **out, column_org, (void **)out, n);
	for (size_t i = 0; r == STORE_OK && i < *n; i++)
		r = store_org_counts(s, &(*out)[i]);
	return r;
}

static enum store_result relink(struct store *s, enum store_stmt id,
                                const char *from, const char *into)
{
	struct db_stmt *st = store_stmt(s, id);
	if (!st)
		return STORE_NOT_WRITABLE;
	store_bind_text(st, 1, from);
	store_bind_text(st, 2, into);
	return store_step_done(st);
}

enum store_result store_org_relink(struct store *s, const char *from, const char *into)
{
	static const enum store_stmt relinks[] = {
		STMT_ORG_MERGE_EMPLOYER, STMT_ORG_MERGE_RECOMMENDER,
		STMT_ORG_MERGE_CONFLICTS, STMT_ORG_MERGE_TASKS};
	enum store_result r = STORE_OK;
	for (size_t i = 0; r == STORE_OK && i < sizeof relinks / sizeof relinks[0]; i++)
		r = relink(s, relinks[i], from, into);
	return r;
}

enum store_result store_org_merge(struct store *s, const struct store_org *from,
                                  const struct store_org *into)
{
	enum store_result r = org_update(s, STMT_ORG_MERGE_NAMES, from->id, NULL, into->id);
	if (r == STORE_OK)
		r = org_update(s, STMT_ORG_MERGE_MARK, from->id, NULL, into->id);
	if (r == STORE_OK && !into->code[0] && from->code[0]) {
		r = org_update(s, STMT_ORG_SET_CODE, from->id, "", 0);
		if (r == STORE_OK)
			r = store_org_set_code(s, into->id, from->code);
	}
	if (r == STORE_OK)
		r = store_org_add_kinds(s, into->id, from->kinds);
	return r == STORE_OK ? store_org_relink(s, from->key, into->key) : r;
}
