/*
 * store_appoint.c - the store's record of each expert's appointment
 * (PROTOCOL.md 7.17: recommender kind, review and decision opinions, the
 * 聘书) and the 推荐表's kept fields (7.5.2), address and landline sealed
 * (pii.h). An expert without a row has an empty record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "expert_form.h"
#include "store_int.h"

static void appoint_step_bind(struct db_stmt *st, int i, const struct expert_appoint_step *p)
{
	store_bind_text(st, i, p->by);
	db_bind_int64(st, i + 1, p->at);
	store_bind_text(st, i + 2, p->text);
}

static void appoint_step_column(struct db_stmt *st, int i, struct expert_appoint_step *p)
{
	store_column_copy(st, i, p->by, sizeof p->by);
	p->at = db_column_int64(st, i + 1);
	store_column_copy(st, i + 2, p->text, sizeof p->text);
}

struct appoint_row {
	int *kind;
	struct expert_appoint *a;
};

static bool column_appoint(struct db_stmt *st, void *row)
{
	struct appoint_row *r = row;
	*r->kind = db_column_int(st, 0);
	appoint_step_column(st, 1, &r->a->review);
	appoint_step_column(st, 4, &r->a->decision);
	store_column_copy(st, 7, r->a->certificate, sizeof r->a->certificate);
	r->a->certificate_day = db_column_int(st, 8);
	return true;
}

enum store_result store_appoint_get(struct store *s, int64_t expert, int *kind,
                                    struct expert_appoint *out)
{
	memset(out, 0, sizeof *out);
	*kind = -1;
	struct db_stmt *st = store_stmt(s, STMT_APPOINT_GET);
	if (st)
		db_bind_int64(st, 1, expert);
	struct appoint_row r = {kind, out};
	enum store_result res = store_row(st, column_appoint, &r);
	return res == STORE_NOT_FOUND ? STORE_OK : res;
}

enum store_result store_appoint_put(struct store *s, int64_t expert, int kind,
                                    const struct expert_appoint *a)
{
	struct db_stmt *st = store_stmt(s, STMT_APPOINT_PUT);
	if (!st)
		return STORE_NOT_WRITABLE;
	db_bind_int64(st, 1, expert);
	db_bind_int(st, 2, kind);
	appoint_step_bind(st, 3, &a->review);
	appoint_step_bind(st, 6, &a->decision);
	store_bind_text(st, 9, a->certificate);
	db_bind_int(st, 10, a->certificate_day);
	return store_step_done(st);
}

/* The place of a sealed form field (pii.h). */
static void form_ad(char ad[STORE_PII_AD_MAX], size_t i, int64_t id)
{
	snprintf(ad, STORE_PII_AD_MAX, "expert_forms.%s:%lld", expert_form_texts[i].name,
	         (long long)id);
}

struct form_row {
	struct store *s;
	int64_t id;
	struct expert_form *f;
	bool lost;   /* a sealed value did not open */
};

static bool column_form(struct db_stmt *st, void *row)
{
	struct form_row *r = row;
	for (size_t i = 0; i < EXPERT_FORM_TEXTS; i++) {
		char *buf = expert_form_field(r->f, i);
		size_t size = expert_form_texts[i].size, n;
		if (!expert_form_is_sensitive(i)) {
			store_column_copy(st, (int)i, buf, size);
			continue;
		}
		char ad[STORE_PII_AD_MAX];
		form_ad(ad, i, r->id);
		if (!store_column_opened(r->s, st, (int)i, ad, buf, size, &n)) {
			buf[0] = '\0';   /* a value that does not open is not shown */
			r->lost = true;
		}
	}
	return true;
}

/* The form; *lost when a sealed value did not open (shown as ""). */
static enum store_result form_get(struct store *s, int64_t expert,
                                  struct expert_form *out, bool *lost)
{
	int kind = out->recommender_kind;
	memset(out, 0, sizeof *out);
	out->recommender_kind = kind;
	struct db_stmt *st = store_stmt(s, STMT_FORM_GET);
	if (st)
		db_bind_int64(st, 1, expert);
	struct form_row r = {s, expert, out, false};
	enum store_result res = store_row(st, column_form, &r);
	*lost = r.lost;
	return res == STORE_NOT_FOUND ? STORE_OK : res;
}

enum store_result store_form_get(struct store *s, int64_t expert, struct expert_form *out)
{
	bool lost;
	return form_get(s, expert, out, &lost);
}

/* Every expert's sealed form fields (address, landline) again under the
 * write key: pii_reseal's step for expert_forms, run while the store
 * reads with the key they were sealed under. False when one does not
 * open (nothing is written then: the caller rolls back). */
bool store_forms_reseal(struct store *s)
{
	struct db_stmt *sel = NULL;
	int64_t *ids = NULL;
	size_t n = 0, cap = 0;
	bool ok = db_prepare(s->db, "SELECT expert_id FROM expert_forms", &sel) ==
	          SQLITE_OK;
	int rc = SQLITE_ROW;
	while (ok && (rc = db_step(sel)) == SQLITE_ROW) {
		if (n == cap) {
			int64_t *more = realloc(ids, (cap = cap ? 2 * cap : 256) * sizeof *ids);
			ok = more != NULL;
			ids = more ? more : ids;
		}
		if (ok)
			ids[n++] = db_column_int64(sel, 0);
	}
	db_finalize(sel);
	ok = ok && rc == SQLITE_DONE;
	for (size_t i = 0; ok && i < n; i++) {
		struct expert_form f = {.recommender_kind = -1};
		bool lost = false;
		ok = form_get(s, ids[i], &f, &lost) == STORE_OK && !lost &&
		     store_form_put(s, ids[i], &f) == STORE_OK;
		sodium_memzero(&f, sizeof f);
	}
	free(ids);
	return ok;
}

enum store_result store_form_put(struct store *s, int64_t expert,
                                 const struct expert_form *f)
{
	struct db_stmt *st = store_stmt(s, STMT_FORM_PUT);
	if (!st)
		return STORE_NOT_WRITABLE;
	db_bind_int64(st, 1, expert);
	for (size_t i = 0; i < EXPERT_FORM_TEXTS; i++) {
		const char *v = expert_form_cfield(f, i);
		if (!expert_form_is_sensitive(i)) {
			store_bind_text(st, (int)i + 2, v);
			continue;
		}
		char ad[STORE_PII_AD_MAX];
		form_ad(ad, i, expert);
		if (!store_bind_sealed(s, st, (int)i + 2, ad, v, strlen(v)))
			return STORE_NOT_WRITABLE;
	}
	return store_step_done(st);
}
