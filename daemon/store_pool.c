/*
 * store_pool.c - the store's pool tables: experts, their history events,
 * declared conflicts, and staged roster imports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "store_int.h"

/* Specialty names never contain '|' (checked on import), so a joined
 * column round-trips. */
/* A list of up to 3 names (specialties, relaxation occupations) as one
 * column: joined by '|', which no name holds (PROTOCOL.md 7.5.2). */
static void join_names(const char v[][EXPERT_TEXT_MAX + 1], int n, char *buf,
                       size_t size)
{
	size_t off = 0;
	buf[0] = '\0';
	for (int i = 0; i < n && off < size; i++)
		off += (size_t)snprintf(buf + off, size - off, "%s%s", i ? "|" : "", v[i]);
}

static void split_names(const char *s, char v[][EXPERT_TEXT_MAX + 1], int *count)
{
	*count = 0;
	while (*s && *count < EXPERT_MAX_SPECIALTIES) {
		const char *bar = strchr(s, '|');
		size_t n = bar ? (size_t)(bar - s) : strlen(s);
		if (n > EXPERT_TEXT_MAX)
			n = EXPERT_TEXT_MAX;
		memcpy(v[*count], s, n);
		v[(*count)++][n] = '\0';
		if (!bar)
			break;
		s = bar + 1;
	}
}

/* The place of an expert's sealed column (pii.h). */
static void expert_ad(char ad[STORE_PII_AD_MAX], const char *column, int64_t id)
{
	snprintf(ad, STORE_PII_AD_MAX, "experts.%s:%lld", column, (long long)id);
}

/* The resident ID, phone and e-mail sealed, and the ID's blind index. */
static bool bind_expert_pii(struct store *s, struct db_stmt *st, const struct expert *e)
{
	char ad[3][STORE_PII_AD_MAX];
	expert_ad(ad[0], "resident_id", e->id);
	expert_ad(ad[1], "phone", e->id);
	expert_ad(ad[2], "email", e->id);
	return store_bind_sealed(s, st, 2, ad[0], e->resident_id, strlen(e->resident_id)) &&
	       store_bind_sealed(s, st, 5, ad[1], e->phone, strlen(e->phone)) &&
	       store_bind_sealed(s, st, 20, ad[2], e->email, strlen(e->email)) &&
	       store_bind_index(s, st, 34, "resident_id", e->resident_id);
}

static bool bind_expert(struct store *s, struct db_stmt *st, const struct expert *e)
{
	char specs[EXPERT_MAX_SPECIALTIES * (EXPERT_TEXT_MAX + 1)];
	char occs[sizeof specs];
	join_names(e->specialties, e->n_specialties, specs, sizeof specs);
	join_names(e->relax_occupations, e->n_relax_occupations, occs, sizeof occs);
	db_bind_int64(st, 1, e->id);
	store_bind_text(st, 3, e->name);
	db_bind_int(st, 4, e->sex);
	db_bind_int(st, 6, e->birth);
	store_bind_text(st, 7, e->employer);
	store_bind_text(st, 8, e->employer_code);
	store_bind_text(st, 9, e->recommender_code);
	store_bind_text(st, 10, specs);
	db_bind_int(st, 11, (int)e->group_types);
	db_bind_int(st, 12, (int)e->task_types);
	db_bind_int(st, 13, e->title);
	db_bind_int(st, 14, e->qualification);
	db_bind_int(st, 15, e->assess_years);
	db_bind_int(st, 16, e->training_years);
	db_bind_int(st, 17, (int)e->relaxations);
	db_bind_int(st, 18, e->leader_eligible);
	store_bind_text(st, 19, e->position);
	db_bind_int(st, 21, (int)e->status);
	db_bind_int(st, 22, e->suspended_until);
	db_bind_int(st, 23, e->term);
	db_bind_int64(st, 24, e->created_at);
	db_bind_int64(st, 25, e->updated_at);
	db_bind_int(st, 26, e->joined_term);
	db_bind_int(st, 27, e->age_exception);
	store_bind_text(st, 28, e->relax_evidence);
	store_bind_text(st, 29, e->relax_by);
	db_bind_int64(st, 30, e->relax_at);
	store_bind_text(st, 31, e->age_reason);
	store_bind_text(st, 32, e->age_by);
	db_bind_int64(st, 33, e->age_at);
	db_bind_int(st, 35, (int)e->appointment);
	store_bind_text(st, 36, occs);
	db_bind_int(st, 37, (int)e->eligible_specialties);
	return bind_expert_pii(s, st, e);
}

/* A row of EXPERT_COLS without its personal data (column_expert() opens
 * that). */
static bool column_expert_public(struct db_stmt *st, void *row)
{
	struct expert *e = row;
	char specs[EXPERT_MAX_SPECIALTIES * (EXPERT_TEXT_MAX + 1)];
	memset(e, 0, sizeof *e);
	e->id = db_column_int64(st, 0);
	store_column_copy(st, 2, e->name, sizeof e->name);
	e->sex = db_column_int(st, 3);
	e->birth = db_column_int(st, 5);
	store_column_copy(st, 6, e->employer, sizeof e->employer);
	store_column_copy(st, 7, e->employer_code, sizeof e->employer_code);
	store_column_copy(st, 8, e->recommender_code, sizeof e->recommender_code);
	store_column_copy(st, 9, specs, sizeof specs);
	split_names(specs, e->specialties, &e->n_specialties);
	e->group_types = (unsigned)db_column_int(st, 10);
	e->task_types = (unsigned)db_column_int(st, 11);
	e->title = db_column_int(st, 12);
	e->qualification = db_column_int(st, 13);
	e->assess_years = db_column_int(st, 14);
	e->training_years = db_column_int(st, 15);
	e->relaxations = (unsigned)db_column_int(st, 16);
	e->leader_eligible = db_column_int(st, 17) != 0;
	store_column_copy(st, 18, e->position, sizeof e->position);
	e->status = (enum expert_status)db_column_int(st, 20);
	e->suspended_until = db_column_int(st, 21);
	e->term = db_column_int(st, 22);
	e->created_at = db_column_int64(st, 23);
	e->updated_at = db_column_int64(st, 24);
	e->joined_term = db_column_int(st, 25);
	e->age_exception = db_column_int(st, 26) != 0;
	store_column_copy(st, 27, e->relax_evidence, sizeof e->relax_evidence);
	store_column_copy(st, 28, e->relax_by, sizeof e->relax_by);
	e->relax_at = db_column_int64(st, 29);
	store_column_copy(st, 30, e->age_reason, sizeof e->age_reason);
	store_column_copy(st, 31, e->age_by, sizeof e->age_by);
	e->age_at = db_column_int64(st, 32);
	e->appointment = (enum expert_appointment)db_column_int(st, 33);
	store_column_copy(st, 34, specs, sizeof specs);
	split_names(specs, e->relax_occupations, &e->n_relax_occupations);
	e->eligible_specialties = (unsigned)db_column_int(st, 35);
	return true;
}

/* store_row()'s row for a whole expert: the store opens the sealed
 * columns. */
struct expert_full {
	struct store *s;
	struct expert *e;
};

static bool column_expert(struct db_stmt *st, void *row)
{
	struct expert_full *f = row;
	struct expert *e = f->e;
	char ad[STORE_PII_AD_MAX];
	size_t n;
	column_expert_public(st, e);
	expert_ad(ad, "resident_id", e->id);
	bool ok = store_column_opened(f->s, st, 1, ad, e->resident_id,
	                              sizeof e->resident_id, &n);
	expert_ad(ad, "phone", e->id);
	ok = ok && store_column_opened(f->s, st, 4, ad, e->phone, sizeof e->phone, &n);
	expert_ad(ad, "email", e->id);
	return ok && store_column_opened(f->s, st, 19, ad, e->email, sizeof e->email, &n);
}

enum store_result store_expert_insert(struct store *s, const struct expert *e)
{
	struct db_stmt *st = store_stmt(s, STMT_EXPERT_INSERT);
	if (!st)
		return STORE_NOT_WRITABLE;
	if (!bind_expert(s, st, e))
		return STORE_NOT_WRITABLE;
	return store_step_done(st);
}

enum store_result store_expert_update(struct store *s, const struct expert *e)
{
	struct db_stmt *st = store_stmt(s, STMT_EXPERT_UPDATE);
	if (!st)
		return STORE_NOT_WRITABLE;
	if (!bind_expert(s, st, e))
		return STORE_NOT_WRITABLE;
	enum store_result r = store_step_done(st);
	if (r == STORE_OK && db_changes(s->db) == 0)
		return STORE_NOT_FOUND;
	return r;
}

enum store_result store_expert_get(struct store *s, int64_t id, struct expert *out)
{
	struct db_stmt *st = store_stmt(s, STMT_EXPERT_GET);
	if (st)
		db_bind_int64(st, 1, id);
	struct expert_full f = { s, out };
	return store_row(st, column_expert, &f);
}

static bool column_name(struct db_stmt *st, void *row)
{
	store_column_copy(st, 0, row, EXPERT_NAME_MAX + 1);
	return true;
}

enum store_result store_expert_name(struct store *s, int64_t id,
                                    char name[EXPERT_NAME_MAX + 1])
{
	struct db_stmt *st = store_stmt(s, STMT_EXPERT_NAME);
	if (st)
		db_bind_int64(st, 1, id);
	return store_row(st, column_name, name);
}

struct contact_row {
	struct store *s;
	int64_t id;
	struct store_contact *c;
};

static bool column_contact(struct db_stmt *st, void *row)
{
	struct contact_row *r = row;
	struct store_contact *c = r->c;
	char ad[STORE_PII_AD_MAX];
	size_t n;
	store_column_copy(st, 0, c->name, sizeof c->name);
	store_column_copy(st, 2, c->employer, sizeof c->employer);
	expert_ad(ad, "phone", r->id);
	return store_column_opened(r->s, st, 1, ad, c->phone, sizeof c->phone, &n);
}

enum store_result store_expert_contact(struct store *s, int64_t id,
                                       struct store_contact *out)
{
	struct db_stmt *st = store_stmt(s, STMT_EXPERT_CONTACT);
	if (st)
		db_bind_int64(st, 1, id);
	struct contact_row r = { s, id, out };
	return store_row(st, column_contact, &r);
}

enum store_result store_expert_find_resident(struct store *s, const char *resident_id,
                                             int64_t *id)
{
	struct db_stmt *st = store_stmt(s, STMT_EXPERT_BY_RESIDENT);
	if (st && !store_bind_index(s, st, 1, "resident_id", resident_id))
		return STORE_NOT_WRITABLE;
	return store_row(st, store_row_int64, id);
}

int64_t store_expert_max_id(struct store *s)
{
	return store_single_int(s, STMT_EXPERT_MAX_ID);
}

/* A row of EXPERT_COLS_POOL. The codes and names are copied, bounded as
 * a whole record's are (column_expert_public()), into the row's own
 * buffers, so that the pool interns the very strings a record would give. */
struct pool_row {
	struct pool_record r;
	char employer[IDENT_CODE_SIZE];
	char recommender[IDENT_CODE_SIZE];
	char specialties[EXPERT_MAX_SPECIALTIES][EXPERT_TEXT_MAX + 1];
};

static bool column_pool(struct db_stmt *st, void *row)
{
	struct pool_row *p = row;
	struct pool_record *r = &p->r;
	char specs[EXPERT_MAX_SPECIALTIES * (EXPERT_TEXT_MAX + 1)];
	r->id = db_column_int64(st, 0);
	r->birth = db_column_int(st, 1);
	store_column_copy(st, 2, p->employer, sizeof p->employer);
	store_column_copy(st, 3, p->recommender, sizeof p->recommender);
	store_column_copy(st, 4, specs, sizeof specs);
	split_names(specs, p->specialties, &r->n_specialties);
	r->group_types = (unsigned)db_column_int(st, 5);
	r->task_types = (unsigned)db_column_int(st, 6);
	r->relaxations = (unsigned)db_column_int(st, 7);
	r->age_exception = db_column_int(st, 8) != 0;
	r->leader_eligible = db_column_int(st, 9) != 0;
	r->eligible_specialties = (unsigned)db_column_int(st, 10);
	r->status = (enum expert_status)db_column_int(st, 11);
	r->appointment = (enum expert_appointment)db_column_int(st, 12);
	r->suspended_until = db_column_int(st, 13);
	r->term = db_column_int(st, 14);
	r->joined_term = db_column_int(st, 15);
	r->employer_code = p->employer;
	r->recommender_code = p->recommender;
	for (int i = 0; i < r->n_specialties; i++)
		r->specialties[i] = p->specialties[i];
	return true;
}

STORE_EACH_ADAPTER(pool_each, struct pool_record)

enum store_result store_pool_each(struct store *s,
                                  bool (*fn)(const struct pool_record *r, void *arg),
                                  void *arg)
{
	struct pool_row row;
	struct pool_each x = { fn, arg };
	store_cache_scan(s, true);
	enum store_result r = store_each_row(store_stmt(s, STMT_EXPERT_POOL), column_pool,
	                                     &row, pool_each_cb, &x);
	store_cache_scan(s, false);
	return r;
}

/* --- history --------------------------------------------------------------- */

enum store_result store_event_add(struct store *s, const struct store_event *ev)
{
	struct db_stmt *st = store_stmt(s, STMT_EVENT_ADD);
	if (!st)
		return STORE_NOT_WRITABLE;
	db_bind_int64(st, 1, ev->expert_id);
	db_bind_int64(st, 2, ev->at);
	store_bind_text(st, 3, ev->actor);
	store_bind_text(st, 4, ev->event);
	store_bind_text(st, 5, ev->reason);
	db_bind_int(st, 6, ev->until);
	store_bind_text(st, 7, ev->detail);
	store_bind_text(st, 8, ev->ground);
	store_bind_text(st, 9, ev->referral);
	store_bind_text(st, 10, ev->ground_label);
	store_bind_text(st, 11, ev->ground_label_en);
	return store_step_deferred(st);
}

static bool column_event(struct db_stmt *st, void *row)
{
	struct store_event *ev = row;
	ev->expert_id = db_column_int64(st, 0);
	ev->at = db_column_int64(st, 1);
	store_column_copy(st, 2, ev->actor, sizeof ev->actor);
	store_column_copy(st, 3, ev->event, sizeof ev->event);
	store_column_copy(st, 4, ev->reason, sizeof ev->reason);
	ev->until = db_column_int(st, 5);
	store_column_copy(st, 6, ev->detail, sizeof ev->detail);
	store_column_copy(st, 7, ev->ground, sizeof ev->ground);
	store_column_copy(st, 8, ev->referral, sizeof ev->referral);
	store_column_copy(st, 9, ev->ground_label, sizeof ev->ground_label);
	store_column_copy(st, 10, ev->ground_label_en, sizeof ev->ground_label_en);
	return true;
}

enum store_result store_event_list(struct store *s, int64_t expert_id,
                                   struct store_event **out, size_t *n)
{
	struct db_stmt *st = store_stmt(s, STMT_EVENT_LIST);
	if (st)
		db_bind_int64(st, 1, expert_id);
	return store_rows(st, sizeof **out, column_event, (void **)out, n);
}

/* --- conflicts ------------------------------------------------------------- */

enum store_result store_conflict_insert(struct store *s, const struct store_conflict *c)
{
	struct db_stmt *st = store_stmt(s, STMT_CONFLICT_INSERT);
	if (!st)
		return STORE_NOT_WRITABLE;
	db_bind_int64(st, 1, c->id);
	db_bind_int64(st, 2, c->expert_id);
	store_bind_text(st, 3, c->org_code);
	db_bind_int(st, 4, c->kind);
	db_bind_int(st, 5, c->valid_from);
	db_bind_int(st, 6, c->valid_to);
	store_bind_text(st, 7, c->reason);
	db_bind_int64(st, 8, c->created_at);
	store_bind_text(st, 9, c->created_by);
	return store_step_done(st);
}

static bool column_conflict(struct db_stmt *st, void *row)
{
	struct store_conflict *c = row;
	c->id = db_column_int64(st, 0);
	c->expert_id = db_column_int64(st, 1);
	store_column_copy(st, 2, c->org_code, sizeof c->org_code);
	c->kind = db_column_int(st, 3);
	c->valid_from = db_column_int(st, 4);
	c->valid_to = db_column_int(st, 5);
	store_column_copy(st, 6, c->reason, sizeof c->reason);
	c->created_at = db_column_int64(st, 7);
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
	struct db_stmt *st = store_stmt(s, STMT_CONFLICT_LIST);
	if (st) {
		db_bind_int64(st, 1, expert_id);
		store_bind_text(st, 2, org_code ? org_code : "");
	}
	return store_rows(st, sizeof **out, column_conflict, (void **)out, n);
}

/* --- unavailability (rule 12) ------------------------------------------------ */

enum store_result store_away_insert(struct store *s, const struct store_away *a)
{
	struct db_stmt *st = store_stmt(s, STMT_AWAY_INSERT);
	if (!st)
		return STORE_NOT_WRITABLE;
	db_bind_int64(st, 1, a->id);
	db_bind_int64(st, 2, a->expert_id);
	db_bind_int(st, 3, a->from);
	db_bind_int(st, 4, a->to);
	store_bind_text(st, 5, a->reason);
	store_bind_text(st, 6, a->channel);
	db_bind_int64(st, 7, a->created_at);
	store_bind_text(st, 8, a->created_by);
	return store_step_done(st);
}

int64_t store_away_max_id(struct store *s)
{
	return store_single_int(s, STMT_AWAY_MAX_ID);
}

static bool column_away(struct db_stmt *st, void *row)
{
	struct store_away *a = row;
	a->id = db_column_int64(st, 0);
	a->expert_id = db_column_int64(st, 1);
	a->from = db_column_int(st, 2);
	a->to = db_column_int(st, 3);
	store_column_copy(st, 4, a->reason, sizeof a->reason);
	store_column_copy(st, 5, a->channel, sizeof a->channel);
	a->created_at = db_column_int64(st, 6);
	store_column_copy(st, 7, a->created_by, sizeof a->created_by);
	a->withdrawn = db_column_int(st, 8) != 0;
	return true;
}

enum store_result store_away_list(struct store *s, int64_t expert_id,
                                  struct store_away **out, size_t *n)
{
	struct db_stmt *st = store_stmt(s, STMT_AWAY_LIST);
	if (st)
		db_bind_int64(st, 1, expert_id);
	return store_rows(st, sizeof **out, column_away, (void **)out, n);
}

enum store_result store_away_get(struct store *s, int64_t id, struct store_away *a)
{
	struct db_stmt *st = store_stmt(s, STMT_AWAY_GET);
	if (st)
		db_bind_int64(st, 1, id);
	return store_row(st, column_away, a);
}

enum store_result store_away_change(struct store *s, const struct store_away *a)
{
	struct db_stmt *st = store_stmt(s, STMT_AWAY_CHANGE);
	if (!st)
		return STORE_NOT_WRITABLE;
	db_bind_int64(st, 1, a->id);
	db_bind_int(st, 2, a->from);
	db_bind_int(st, 3, a->to);
	db_bind_int(st, 4, a->withdrawn);
	return store_step_done(st);
}

/* --- roster imports ---------------------------------------------------------- */

enum store_result store_import_create(struct store *s, const struct store_import *im)
{
	struct db_stmt *st = store_stmt(s, STMT_IMPORT_CREATE);
	if (!st)
		return STORE_NOT_WRITABLE;
	db_bind_int64(st, 1, im->id);
	store_bind_text(st, 2, im->principal);
	db_bind_int(st, 3, im->skip_invalid);
	db_bind_int(st, 4, im->state);
	db_bind_int64(st, 5, im->created_at);
	char lines[STORE_IMPORT_AGE_MAX * 21 + 1];
	size_t off = 0;
	lines[0] = '\0';
	for (size_t i = 0; i < im->n_age_lines && off < sizeof lines; i++)
		off += (size_t)snprintf(lines + off, sizeof lines - off, "%s%lld",
		                        i ? "," : "", (long long)im->age_lines[i]);
	store_bind_text(st, 6, lines);
	store_bind_text(st, 7, im->age_reason);
	db_bind_int(st, 8, im->appointed);
	return store_step_done(st);
}

static bool column_import(struct db_stmt *st, void *row)
{
	struct store_import *im = row;
	im->id = db_column_int64(st, 0);
	store_column_copy(st, 1, im->principal, sizeof im->principal);
	im->skip_invalid = db_column_int(st, 2) != 0;
	im->state = db_column_int(st, 3);
	im->created_at = db_column_int64(st, 4);
	im->rows = db_column_int64(st, 5);
	im->invalid = db_column_int64(st, 6);
	const char *p = (const char *)db_column_text(st, 7);
	im->n_age_lines = 0;
	while (p && *p && im->n_age_lines < STORE_IMPORT_AGE_MAX) {
		char *end;
		im->age_lines[im->n_age_lines++] = strtoll(p, &end, 10);
		p = *end == ',' ? end + 1 : end;
		if (end == p && *p)
			break;
	}
	store_column_copy(st, 8, im->age_reason, sizeof im->age_reason);
	im->appointed = db_column_int(st, 9) != 0;
	return true;
}

enum store_result store_import_get(struct store *s, int64_t id, struct store_import *out)
{
	struct db_stmt *st = store_stmt(s, STMT_IMPORT_GET);
	if (st)
		db_bind_int64(st, 1, id);
	return store_row(st, column_import, out);
}

int64_t store_import_max_id(struct store *s)
{
	return store_single_int(s, STMT_IMPORT_MAX_ID);
}

enum store_result store_import_finish(struct store *s, int64_t id, int state,
                                      int64_t at)
{
	struct db_stmt *st = store_stmt(s, STMT_IMPORT_FINISH);
	if (!st)
		return STORE_NOT_WRITABLE;
	db_bind_int64(st, 1, id);
	db_bind_int(st, 2, state);
	db_bind_int64(st, 3, at);
	enum store_result r = store_step_done(st);
	if (r != STORE_OK || state == STORE_IMPORT_OPEN)
		return r;
	st = store_stmt(s, STMT_IMPORT_PURGE);
	if (!st)
		return STORE_NOT_WRITABLE;
	db_bind_int64(st, 1, id);
	return store_step_done(st);
}

/* The place of a staged row's sealed copy (pii.h). */
static void import_row_ad(char ad[STORE_PII_AD_MAX], int64_t import_id, int64_t line)
{
	snprintf(ad, STORE_PII_AD_MAX, "import_rows.row:%lld:%lld", (long long)import_id,
	         (long long)line);
}

enum store_result store_import_add_row(struct store *s, int64_t import_id,
                                       int64_t line, const char *resident_id,
                                       const void *row, size_t row_len,
                                       const char *field, const char *error)
{
	struct db_stmt *st = store_stmt(s, STMT_IMPORT_ADD_ROW);
	if (!st)
		return STORE_NOT_WRITABLE;
	char ad[STORE_PII_AD_MAX];
	import_row_ad(ad, import_id, line);
	db_bind_int64(st, 1, import_id);
	db_bind_int64(st, 2, line);
	bool ok = resident_id[0] ? store_bind_index(s, st, 3, "resident_id", resident_id)
	                         : (db_bind_blob(st, 3, "", 0), true);
	if (!ok || !store_bind_sealed(s, st, 4, ad, row, row_len))
		return STORE_NOT_WRITABLE;
	if (error) {
		store_bind_text(st, 5, field ? field : "");
		store_bind_text(st, 6, error);
	}
	enum store_result r = store_step_done(st);
	if (r != STORE_OK)
		return r;
	if (db_changes(s->db) == 0)
		return STORE_DUPLICATE;
	st = store_stmt(s, STMT_IMPORT_COUNT);
	if (!st)
		return STORE_NOT_WRITABLE;
	db_bind_int64(st, 1, import_id);
	db_bind_int(st, 2, error != NULL);
	return store_step_done(st);
}

enum store_result store_import_find_resident(struct store *s, int64_t import_id,
                                             const char *resident_id,
                                             int64_t *line)
{
	struct db_stmt *st = store_stmt(s, STMT_IMPORT_FIND_RESIDENT);
	if (st) {
		db_bind_int64(st, 1, import_id);
		if (!store_bind_index(s, st, 2, "resident_id", resident_id))
			return STORE_NOT_WRITABLE;
	}
	return store_row(st, store_row_int64, line);
}

/* A staged row as store_import_each_row() hands it out: row is opened
 * into buf, the other pointers are the statement's, valid until its next
 * step. */
struct import_row {
	struct store *s;
	int64_t import_id;
	uint8_t *buf;
	size_t cap;
	int64_t line;
	const void *row;
	size_t row_len;
	const char *field;
	const char *error;
};

static bool column_import_row(struct db_stmt *st, void *row)
{
	struct import_row *r = row;
	char ad[STORE_PII_AD_MAX];
	size_t need = (size_t)db_column_bytes(st, 1) + 1;
	r->line = db_column_int64(st, 0);
	if (need > r->cap) {
		uint8_t *b = realloc(r->buf, need);
		if (!b)
			return false;
		r->buf = b;
		r->cap = need;
	}
	import_row_ad(ad, r->import_id, r->line);
	if (!store_column_opened(r->s, st, 1, ad, r->buf, r->cap, &r->row_len))
		return false;
	r->row = r->buf;
	r->field = (const char *)db_column_text(st, 2);
	r->error = (const char *)db_column_text(st, 3);
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
	struct db_stmt *st = NULL;
	if (db_prepare(s->db, "SELECT line, row, field, error FROM import_rows"
	               " WHERE import_id = ?1 ORDER BY line", &st) != SQLITE_OK)
		return STORE_NOT_WRITABLE;
	db_bind_int64(st, 1, import_id);
	struct import_row r = { .s = s, .import_id = import_id };
	struct import_each x = { fn, arg };
	enum store_result res = store_each_row(st, column_import_row, &r,
	                                       import_each_cb, &x);
	db_finalize(st);
	if (r.buf)
		sodium_memzero(r.buf, r.cap);
	free(r.buf);
	return res;
}
