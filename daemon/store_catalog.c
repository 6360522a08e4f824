/*
 * store_catalog.c - the occupation catalogue's tables (REGISTRY.md
 * section 3): loading and writing entries, and seeding the catalogue
 * once, when the schema migration that made it asks for it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "store_int.h"

/* The row being assembled: an entry's rows come one per alias. */
struct catalog_read {
	struct catalog_entry e;
	bool have;
	bool (*fn)(const struct catalog_entry *e, void *arg);
	void *arg;
};

static bool catalog_read_row(struct db_stmt *st, struct catalog_read *r)
{
	int64_t id = db_column_int64(st, 0);
	if (r->have && r->e.id != id) {
		if (!r->fn(&r->e, r->arg))
			return false;
		r->have = false;
	}
	if (!r->have) {
		memset(&r->e, 0, sizeof r->e);
		r->e.id = id;
		store_column_copy(st, 1, r->e.name, sizeof r->e.name);
		store_column_copy(st, 2, r->e.code, sizeof r->e.code);
		r->e.group_types = (unsigned)db_column_int(st, 3);
		r->have = true;
	}
	if (!db_column_is_null(st, 4) &&
	    r->e.n_aliases < CATALOG_MAX_ALIASES)
		store_column_copy(st, 4, r->e.aliases[r->e.n_aliases++],
		                  sizeof r->e.aliases[0]);
	return true;
}

enum store_result store_catalog_each(struct store *s,
                                     bool (*fn)(const struct catalog_entry *e,
                                                void *arg),
                                     void *arg)
{
	struct db_stmt *st = store_stmt(s, STMT_CATALOG_ALL);
	if (!st)
		return STORE_NOT_WRITABLE;
	struct catalog_read r = {.fn = fn, .arg = arg};
	int rc;
	bool go = true;
	while (go && (rc = db_step(st)) == SQLITE_ROW)
		go = catalog_read_row(st, &r);
	if (go && rc == SQLITE_DONE && r.have)
		fn(&r.e, arg);
	db_reset(st);
	return !go || rc == SQLITE_DONE ? STORE_OK : store_result_of(rc);
}

enum store_result store_catalog_put(struct store *s, const struct catalog_entry *e,
                                    int64_t at, const char *actor)
{
	struct db_stmt *st = store_stmt(s, STMT_CATALOG_PUT);
	if (st) {
		db_bind_int64(st, 1, e->id);
		store_bind_text(st, 2, e->name);
		store_bind_text(st, 3, e->code);
		db_bind_int(st, 4, (int)e->group_types);
		db_bind_int64(st, 5, at);
		store_bind_text(st, 6, actor);
	}
	enum store_result r = store_step_done(st);
	if (r == STORE_OK) {
		st = store_stmt(s, STMT_CATALOG_ALIASES_CLEAR);
		if (st)
			db_bind_int64(st, 1, e->id);
		r = store_step_done(st);
	}
	for (int i = 0; r == STORE_OK && i < e->n_aliases; i++) {
		st = store_stmt(s, STMT_CATALOG_ALIAS_ADD);
		if (st) {
			db_bind_int64(st, 1, e->id);
			db_bind_int(st, 2, i);
			store_bind_text(st, 3, e->aliases[i]);
		}
		r = store_step_done(st);
	}
	return r;
}

/* ---- seeding ------------------------------------------------------------ */

/* The distinct specialties experts hold, with the union of the group
 * types of the experts holding each. */
struct held {
	char (*names)[EXPERT_TEXT_MAX + 1];
	unsigned *groups;
	size_t n, cap;
	bool failed;
};

static bool held_add(struct held *h, const char *name, unsigned groups)
{
	for (size_t i = 0; i < h->n; i++) {
		if (strcmp(h->names[i], name) == 0) {
			h->groups[i] |= groups;
			return true;
		}
	}
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 64;
		void *names = realloc(h->names, cap * sizeof *h->names);
		if (names)
			h->names = names;
		void *g = names ? realloc(h->groups, cap * sizeof *h->groups) : NULL;
		if (!g)
			return false;
		h->groups = g;
		h->cap = cap;
	}
	snprintf(h->names[h->n], sizeof h->names[0], "%s", name);
	h->groups[h->n++] = groups;
	return true;
}

static bool held_expert_cb(const struct pool_record *e, void *arg)
{
	struct held *h = arg;
	for (int i = 0; i < e->n_specialties && !h->failed; i++)
		h->failed = !held_add(h, e->specialties[i], e->group_types);
	return !h->failed;
}

/* Sort names (and their group types) into byte order. */
static void held_sort(struct held *h)
{
	for (size_t i = 1; i < h->n; i++) {
		for (size_t j = i; j > 0 && strcmp(h->names[j - 1], h->names[j]) > 0; j--) {
			char t[EXPERT_TEXT_MAX + 1];
			memcpy(t, h->names[j], sizeof t);
			memcpy(h->names[j], h->names[j - 1], sizeof t);
			memcpy(h->names[j - 1], t, sizeof t);
			unsigned g = h->groups[j];
			h->groups[j] = h->groups[j - 1];
			h->groups[j - 1] = g;
		}
	}
}

/* The catalogue a new database starts with, into c. */
static int seed_build(struct store *s, struct catalog *c, char *err, size_t errsz)
{
	size_t line = 0, unreachable = 0;
	if (catalog_parse_starter(c, (const char *)catalog_starter_csv,
	                          catalog_starter_csv_len, &line) != CATALOG_OK) {
		snprintf(err, errsz, "the built-in occupation list is invalid at line %zu",
		         line);
		return EX_SOFTWARE;
	}
	struct held h = {0};
	enum store_result r = store_pool_each(s, held_expert_cb, &h);
	const char **names = calloc(h.n + 1, sizeof *names);
	enum catalog_result cr = CATALOG_NOMEM;
	if (r == STORE_OK && !h.failed && names) {
		held_sort(&h);
		for (size_t i = 0; i < h.n; i++)
			names[i] = h.names[i];
		cr = catalog_adopt(c, names, h.groups, h.n, &unreachable);
	}
	free(names);
	free(h.names);
	free(h.groups);
	if (r != STORE_OK || cr != CATALOG_OK) {
		snprintf(err, errsz, "seeding the occupation catalogue failed: %s",
		         r != STORE_OK ? db_errmsg(s->db) : "out of memory");
		return EX_SOFTWARE;
	}
	return 0;
}

/* Write the seeded catalogue and drop the flag, then commit. */
static int seed_write(struct store *s, const struct catalog *c, char *err,
                      size_t errsz)
{
	enum store_result r = STORE_OK;
	for (size_t i = 0; r == STORE_OK && i < catalog_count(c); i++)
		r = store_catalog_put(s, catalog_at(c, i), 0, "expertd");
	if (r == STORE_OK) {
		struct db_stmt *st = store_stmt(s, STMT_META_DELETE);
		if (st)
			store_bind_text(st, 1, STORE_CATALOG_SEED_KEY);
		r = store_step_done(st);
	}
	if (r == STORE_OK && db_exec(s->db, "COMMIT") == SQLITE_OK)
		return 0;
	snprintf(err, errsz, "cannot seed the occupation catalogue: %s",
	         db_errmsg(s->db));
	return EX_IOERR;
}

int store_catalog_seed(struct store *s, char *err, size_t errsz)
{
	char flag[16];
	size_t len;
	enum store_result r = store_meta_get(s, STORE_CATALOG_SEED_KEY, flag,
	                                     sizeof flag, &len);
	if (r == STORE_NOT_FOUND)
		return 0;
	if (r != STORE_OK || db_exec(s->db, "BEGIN IMMEDIATE") != SQLITE_OK) {
		snprintf(err, errsz, "cannot seed the occupation catalogue: %s",
		         db_errmsg(s->db));
		return EX_IOERR;
	}
	struct catalog *c = catalog_new();
	int code = c ? seed_build(s, c, err, errsz) : EX_OSERR;
	if (!c)
		snprintf(err, errsz, "cannot seed the occupation catalogue: out of memory");
	if (!code)
		code = seed_write(s, c, err, errsz);
	if (code)
		db_exec(s->db, "ROLLBACK");
	catalog_destroy(&c);
	return code;
}
