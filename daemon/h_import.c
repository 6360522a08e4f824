/*
 * h_import.c - atomic roster imports. A client opens an import, sends its
 * rows in batches (each row is validated and staged in the store with its
 * CSV line number), then commits: every staged row is applied in the one
 * commit request, or none when any row is invalid (unless the import was
 * opened with skip_invalid). Re-importing a resident ID updates the expert.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appoint.h"
#include "catalog.h"
#include "eligibility.h"
#include "expert_diff.h"
#include "expert_row.h"
#include "handler.h"
#include "i18n.h"
#include "mask.h"
#include "orgs.h"

#define IMPORT_MAX_REPORTED_ERRORS 100

/* Row problems collected for a reply. */
struct row_issue {
	int64_t line;
	char field[PROTO_MAX_FIELD_LEN];
	char reason[480];   /* organisation names run long */
};
struct row_issues {
	struct row_issue *v;
	size_t n, cap;
	size_t total;  /* counted even beyond the reported cap */
	size_t rows;   /* rows with at least one issue (stage_row) */
};

static void issue_add(struct row_issues *is, int64_t line, const char *field,
                      const char *reason)
{
	is->total++;
	if (is->n >= IMPORT_MAX_REPORTED_ERRORS * 40)
		return;
	if (is->n == is->cap) {
		size_t nc = is->cap ? is->cap * 2 : 16;
		struct row_issue *v = realloc(is->v, nc * sizeof *v);
		if (!v)
			return;
		is->v = v;
		is->cap = nc;
	}
	struct row_issue *x = &is->v[is->n++];
	x->line = line;
	snprintf(x->field, sizeof x->field, "%s", field ? field : "");
	snprintf(x->reason, sizeof x->reason, "%s", reason);
}

static void pack_issues(msgpack_packer *pk, const char *key,
                        const struct row_issues *is, size_t max)
{
	size_t n = is->n < max ? is->n : max;
	proto_pack_str(pk, key);
	msgpack_pack_array(pk, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		msgpack_pack_map(pk, 3);
		proto_pack_kv_int(pk, "line", is->v[i].line);
		proto_pack_kv_str(pk, "field", is->v[i].field);
		proto_pack_kv_str(pk, "reason", is->v[i].reason);
	}
}

/* The open import `id` of the caller, or an error in rep. */
static enum proto_status open_import(struct handler_ctx *ctx, int64_t id,
                                     struct store_import *im, struct reply *rep)
{
	enum store_result r = store_import_get(ctx->store, id, im);
	if (r == STORE_NOT_FOUND || (r == STORE_OK &&
	                             strcmp(im->principal, ctx->caller->principal) != 0))
		return reply_error(rep, PROTO_E_NOT_FOUND, "import",
		                   "no import %lld of yours", (long long)id);
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	if (im->state != STORE_IMPORT_OPEN)
		return reply_error(rep, PROTO_E_INVALID_STATE, "import",
		                   "import %lld is already %s", (long long)id,
		                   im->state == STORE_IMPORT_COMMITTED ? _("committed")
		                                                       : _("aborted"));
	return PROTO_OK;
}

enum proto_status h_import_begin(struct handler_ctx *ctx, const struct proto_request *req,
                                 struct reply *rep)
{
	struct store_import im = {
		.id = store_import_max_id(ctx->store) + 1,
		.skip_invalid = proto_arg_bool(req, "skip_invalid", false),
		.appointed = proto_arg_bool(req, "appointed", false),
		.state = STORE_IMPORT_OPEN,
		.created_at = ctx->now,
	};
	snprintf(im.principal, sizeof im.principal, "%s", ctx->caller->principal);
	/* 第十一条(六) bends for the lines an operator names, with a reason. */
	const msgpack_object *lines = proto_arg(req, "age_exceptions");
	bool has_reason = proto_arg_strcpy(req, "age_exception_reason", im.age_reason,
	                                   sizeof im.age_reason);
	if (!lines != !has_reason)
		return reply_error(rep, PROTO_E_INVALID_FIELD,
		                   lines ? "age_exception_reason" : "age_exceptions",
		                   "an age exception (第十一条(六)) names its lines and its "
		                   "reason, both");
	for (uint32_t i = 0; lines && i < lines->via.array.size; i++)
		im.age_lines[im.n_age_lines++] = (int64_t)lines->via.array.ptr[i].via.u64;
	enum store_result r = store_import_create(ctx->store, &im);
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	msgpack_packer *pk = reply_result(rep);
	msgpack_pack_map(pk, 1);
	proto_pack_kv_int(pk, "import", im.id);
	return PROTO_OK;
}

/* The employer and recommender pairs of a row (REGISTRY.md 2.3). */
static void row_pairs(const msgpack_object *row, const struct expert *e,
                      char recommender[ORG_NAME_MAX + 1], struct orgs_pair p[2])
{
	proto_map_strcpy(row, "recommender", recommender, ORG_NAME_MAX + 1);
	p[0] = (struct orgs_pair){e->employer, e->employer_code, ORG_KIND_EMPLOYER,
	                          "employer"};
	p[1] = (struct orgs_pair){recommender, e->recommender_code,
	                          ORG_KIND_RECOMMENDER, "recommender"};
}

/* Check a row's organisations against the registry as it stands: an
 * error in err (field in *err_field), or warnings for a new name close
 * to registered ones. False on a store failure. */
static bool stage_orgs(struct handler_ctx *ctx, const msgpack_object *row,
                       const struct expert *e, int64_t line,
                       struct row_issues *warnings, const char **err_field,
                       char *err, size_t errsz, enum store_result *r)
{
	char recommender[ORG_NAME_MAX + 1], near[400];
	struct orgs_pair p[2];
	row_pairs(row, e, recommender, p);
	for (int i = 0; i < 2; i++) {
		struct orgs_pair_out out = {0};
		enum orgs_pair_result res = orgs_resolve_pair(ctx, &p[i], false, &out, err,
		                                              errsz);
		*r = out.r;
		if (res == ORGS_PAIR_STORE || res == ORGS_PAIR_FAILED)
			return false;
		if (res == ORGS_PAIR_INVALID) {
			*err_field = p[i].label;
			return true;
		}
		if (out.key[0] || !p[i].name[0])
			continue;
		if ((*r = orgs_closest(ctx, p[i].name, "", near, sizeof near)) != STORE_OK)
			return false;
		if (near[0]) {
			char why[600];
			snprintf(why, sizeof why, _("'%s' is not registered and will be a new "
			         "organisation; close to: %s"), p[i].name, near);
			issue_add(warnings, line, p[i].label, why);
		}
	}
	return true;
}

/*
 * A resident ID is one person: a row whose ID is expert `old` under
 * another name or sex would silently turn that expert into someone else
 * (issue #12). The field at fault, with why; NULL when it is the same
 * person.
 */
static const char *identity_clash(const struct expert *old, const struct expert *e,
                                  bool accepted, char *why, size_t whysz)
{
	bool same_name = strcmp(old->name, e->name) == 0;
	if (same_name && old->sex == e->sex)
		return NULL;
	char masked[MASK_BUF];
	mask_resident_id(e->resident_id, masked);
	snprintf(why, whysz, _("resident ID %s is expert %lld, %s (%s); this row says %s "
	         "(%s): %s"), masked, (long long)old->id, old->name, proto_sexes[old->sex],
	         e->name, proto_sexes[e->sex],
	         accepted ? _("accepted as a correction of that expert (identity_reason given)")
	                  : _("one ID is one person, so the row is refused (fix the row, "
	                      "or give a reason to correct the record)"));
	return same_name ? "sex" : "name";
}

/* identity_clash() against the pool's expert of e's resident ID, if any.
 * False on a store failure. */
static bool stage_identity(struct handler_ctx *ctx, const struct expert *e,
                           bool accepted, const char **field, char *why, size_t whysz,
                           enum store_result *r)
{
	int64_t id;
	struct expert old;
	*r = store_expert_find_resident(ctx->store, e->resident_id, &id);
	if (*r == STORE_OK)
		*r = store_expert_get(ctx->store, id, &old);
	if (*r == STORE_OK)
		*field = identity_clash(&old, e, accepted, why, whysz);
	else if (*r == STORE_NOT_FOUND)
		*r = STORE_OK;
	return *r == STORE_OK;
}

/* Whether the import grants the row at `line` an age exception. */
static bool import_age_exception(const struct store_import *im, int64_t line)
{
	for (size_t i = 0; i < im->n_age_lines; i++)
		if (im->age_lines[i] == line)
			return true;
	return false;
}

static bool has_problem(const struct expert_row_problems *p, const char *field)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].field, field) == 0)
			return true;
	return false;
}

/*
 * The checks that need the store: a resident ID already on another line
 * of this import, or in the pool under another person, and the row's
 * organisations. Each runs whenever its own inputs are valid, whatever
 * else is wrong with the row (issue #12). False on a store failure.
 */
static bool stage_store_checks(struct handler_ctx *ctx, int64_t import_id,
                               const msgpack_object *row, int64_t line,
                               const struct expert *e, const char *identity_reason,
                               struct expert_row_problems *errs,
                               struct row_issues *warnings, enum store_result *r)
{
	char why[600] = "";
	const char *field = NULL;
	if (e->resident_id[0]) {
		int64_t other;
		*r = store_import_find_resident(ctx->store, import_id, e->resident_id, &other);
		if (*r == STORE_OK) {
			snprintf(why, sizeof why, _("the same resident ID is on line %lld"),
			         (long long)other);
			expert_row_problem_add(errs, "resident_id", why);
		} else if (*r != STORE_NOT_FOUND) {
			return false;
		}
		/* Even when 性别 disagrees with the ID: naming both people is
		 * what tells the operator which row is wrong. */
		if (e->name[0] && proto_map_get(row, "sex")) {
			if (!stage_identity(ctx, e, identity_reason != NULL, &field, why,
			                    sizeof why, r))
				return false;
			/* An operator's stated reason turns the refusal into a
			 * warning: the row updates that expert (PROTOCOL.md 7.5.1). */
			if (field && identity_reason)
				issue_add(warnings, line, field, why);
			else if (field)
				expert_row_problem_add(errs, field, why);
		}
	}
	*r = STORE_OK;
	if (has_problem(errs, "employer_code") || has_problem(errs, "recommender_code"))
		return true;
	field = NULL;
	if (!stage_orgs(ctx, row, e, line, warnings, &field, why, sizeof why, r))
		return false;
	if (field)
		expert_row_problem_add(errs, field, why);
	return true;
}

/*
 * The row's names as the catalogue has them (REGISTRY.md 3.3): its
 * specialties, and the occupations its occupation-tied grounds name, each
 * of which must be one of them; then where the expert is eligible
 * (POLICY.md 4.2). Each problem goes to errs (those of fields already at
 * fault are not looked for); false if there was one.
 */
static bool import_map_catalogue(struct handler_ctx *ctx, struct expert *e,
                                 struct expert_row_problems *errs)
{
	char why[EXPERT_ROW_REASON_MAX];
	size_t had = errs->n;
	bool specialties_ok = !has_problem(errs, "specialties");
	if (e->n_specialties && specialties_ok &&
	    !catalog_map_specialties(ctx->catalog, e, why, sizeof why)) {
		expert_row_problem_add(errs, "specialties", why);
		specialties_ok = false;
	}
	if (e->n_relax_occupations && !has_problem(errs, "relaxation_occupations")) {
		const char *w = NULL;
		if (!catalog_map_relax_occupations(ctx->catalog, e, why, sizeof why))
			expert_row_problem_add(errs, "relaxation_occupations", why);
		else if (specialties_ok && (w = eligibility_occupations_problem(e)))
			expert_row_problem_add(errs, "relaxation_occupations", w);
	}
	e->eligible_specialties = eligibility_specialty_mask(e);
	return errs->n == had;
}

/* Validate and stage one row, reporting every problem it has. Returns
 * false on a store failure. */
static bool stage_row(struct handler_ctx *ctx, const struct store_import *im,
                      const msgpack_object *row, const char *identity_reason,
                      msgpack_sbuffer *buf, struct row_issues *errors,
                      struct row_issues *warnings, enum store_result *r)
{
	int64_t line = proto_map_int(row, "line", 0);
	struct expert e;
	struct expert_row_problems errs, warns;
	int64_t import_id = im->id;
	expert_from_row(row, ctx->today, import_age_exception(im, line), &e, &errs, &warns);
	import_map_catalogue(ctx, &e, &errs);
	for (size_t i = 0; i < warns.n; i++)
		issue_add(warnings, line, warns.v[i].field, warns.v[i].why);
	if (!stage_store_checks(ctx, import_id, row, line, &e, identity_reason, &errs,
	                        warnings, r))
		return false;
	msgpack_sbuffer_clear(buf);
	msgpack_packer pk;
	msgpack_packer_init(&pk, buf, msgpack_sbuffer_write);
	msgpack_pack_object(&pk, *row);
	/* The store keeps the first problem; this reply carries them all. */
	*r = store_import_add_row(ctx->store, import_id, line, e.resident_id, buf->data,
	                          buf->size, errs.n ? errs.v[0].field : NULL,
	                          errs.n ? errs.v[0].why : NULL);
	if (*r == STORE_DUPLICATE) {
		issue_add(errors, line, "line", _("this line was already sent"));
		errors->rows++;
		return true;
	}
	if (*r != STORE_OK)
		return false;
	errors->rows += errs.n > 0;
	for (size_t i = 0; i < errs.n; i++)
		issue_add(errors, line, errs.v[i].field, errs.v[i].why);
	return true;
}

enum proto_status h_import_rows(struct handler_ctx *ctx, const struct proto_request *req,
                                struct reply *rep)
{
	struct store_import im;
	int64_t id = proto_arg_int(req, "import", 0);
	enum proto_status st = open_import(ctx, id, &im, rep);
	if (st != PROTO_OK)
		return st;
	const msgpack_object *rows = proto_arg(req, "rows");
	char reason_buf[PROTO_REASON_SIZE];
	const char *identity_reason =
		proto_arg_strcpy(req, "identity_reason", reason_buf, sizeof reason_buf)
		? reason_buf : NULL;
	struct row_issues errors = {0}, warnings = {0};
	msgpack_sbuffer buf;
	msgpack_sbuffer_init(&buf);
	enum store_result r = STORE_OK;
	for (uint32_t i = 0; i < rows->via.array.size; i++) {
		if (!stage_row(ctx, &im, &rows->via.array.ptr[i], identity_reason, &buf,
		               &errors, &warnings, &r)) {
			st = handler_store_error(rep, r);
			break;
		}
	}
	msgpack_sbuffer_destroy(&buf);
	if (st == PROTO_OK) {
		msgpack_packer *pk = reply_result(rep);
		msgpack_pack_map(pk, 4);
		proto_pack_kv_int(pk, "received", rows->via.array.size);
		proto_pack_kv_int(pk, "invalid", (int64_t)errors.rows);
		pack_issues(pk, "errors", &errors, SIZE_MAX);
		pack_issues(pk, "warnings", &warnings, SIZE_MAX);
	}
	free(errors.v);
	free(warnings.v);
	return st;
}

/* The term new experts join: the newest term in force today. */
static int current_term(struct handler_ctx *ctx, enum store_result *r)
{
	struct store_term *terms;
	size_t n;
	int current = 0;
	*r = store_term_list(ctx->store, &terms, &n);
	for (size_t i = 0; *r == STORE_OK && i < n; i++)
		if (terms[i].start <= ctx->today && ctx->today <= terms[i].end)
			current = terms[i].number;
	free(terms);
	return current;
}

struct apply {
	struct handler_ctx *ctx;
	struct reply *rep;
	int64_t import_id;
	const struct store_import *im;
	int term;
	bool skip_invalid;
	bool collect_only;   /* only gather the staged errors */
	const char *identity_reason; /* accept ID reuse under another name/sex */
	int64_t inserted, updated, unchanged, skipped, orgs_created;
	struct row_issues close;   /* new organisations close to others */
	struct row_issues errors;
	enum proto_status st;
};

/* Note a new organisation that is close to registered ones (reported
 * as orgs_close, REGISTRY.md 2.3). False on a store failure. */
static bool note_close(struct apply *a, int64_t line, const char *name,
                       const char *key)
{
	char near[400];
	enum store_result r = orgs_closest(a->ctx, name, key, near, sizeof near);
	if (r != STORE_OK) {
		a->st = handler_store_error(a->rep, r);
		return false;
	}
	if (near[0]) {
		char what[600];
		snprintf(what, sizeof what, _("%s (%s) is close to: %s"), name, key, near);
		issue_add(&a->close, line, key, what);
	}
	return true;
}

/* Resolve the row's organisations to keys, registering new ones. False
 * when the row cannot go in (an error noted, or a->st set). */
static bool apply_orgs(struct apply *a, int64_t line, const msgpack_object *row,
                       struct expert *e)
{
	char recommender[ORG_NAME_MAX + 1], why[600];
	char keys[2][IDENT_CODE_SIZE];
	struct orgs_pair p[2];
	row_pairs(row, e, recommender, p);
	for (int i = 0; i < 2; i++) {
		struct orgs_pair_out out = {.rep = a->rep};
		enum orgs_pair_result res = orgs_resolve_pair(a->ctx, &p[i], true, &out, why,
		                                              sizeof why);
		memcpy(keys[i], out.key, sizeof keys[i]);
		bool created = out.created;
		if (res == ORGS_PAIR_STORE || res == ORGS_PAIR_FAILED) {
			a->st = res == ORGS_PAIR_STORE ? handler_store_error(a->rep, out.r)
			                               : out.st;
			return false;
		}
		if (res == ORGS_PAIR_INVALID) {
			issue_add(&a->errors, line, p[i].label, why);
			a->skipped++;
			return false;
		}
		a->orgs_created += created;
		if (created && !note_close(a, line, p[i].name, keys[i]))
			return false;
	}
	/* Zero-filled past the NUL, as the store's reader leaves them: the
	 * unchanged test compares whole records. */
	memset(e->employer_code, 0, sizeof e->employer_code);
	memset(e->recommender_code, 0, sizeof e->recommender_code);
	snprintf(e->employer_code, sizeof e->employer_code, "%s", keys[0]);
	snprintf(e->recommender_code, sizeof e->recommender_code, "%s", keys[1]);
	return true;
}

/* What a re-imported row keeps of the expert it updates: never the
 * status, term or timestamps. */
static void keep_standing(struct expert *e, const struct expert *old)
{
	e->id = old->id;
	e->status = old->status;
	e->appointment = old->appointment;
	e->suspended_until = old->suspended_until;
	e->term = old->term;
	e->joined_term = old->joined_term;
	e->created_at = old->created_at;
	e->updated_at = old->updated_at;
}

/*
 * Who approved e's relaxation grounds and age exception, and when
 * (POLICY.md 4.2): the operator committing the import, now, unless the
 * expert held the same grounds with the same evidence (or the same
 * exception for the same reason) before; then the earlier approval stands.
 */
static void stamp_approvals(struct apply *a, struct expert *e, const struct expert *old)
{
	const char *by = a->ctx->caller->principal;
	if (e->relaxations && old && old->relaxations == e->relaxations &&
	    strcmp(old->relax_evidence, e->relax_evidence) == 0) {
		memcpy(e->relax_by, old->relax_by, sizeof e->relax_by);
		e->relax_at = old->relax_at;
	} else if (e->relaxations) {
		snprintf(e->relax_by, sizeof e->relax_by, "%s", by);
		e->relax_at = a->ctx->now;
	}
	if (!e->age_exception)
		return;
	snprintf(e->age_reason, sizeof e->age_reason, "%s", a->im->age_reason);
	if (old && old->age_exception && strcmp(old->age_reason, e->age_reason) == 0) {
		memcpy(e->age_by, old->age_by, sizeof e->age_by);
		e->age_at = old->age_at;
	} else {
		snprintf(e->age_by, sizeof e->age_by, "%s", by);
		e->age_at = a->ctx->now;
	}
}

/*
 * Store a valid row's expert e (old: the expert it updates, or NULL), its
 * kept form fields and, for a new expert, its appointment record: new
 * experts are recommended unless the import was begun `appointed`
 * (PROTOCOL.md 7.5.1, 7.17). False when a->st is set.
 */
static bool apply_save(struct apply *a, int64_t line, const msgpack_object *row,
                       struct expert *e, const struct expert *old, const char *why)
{
	struct handler_ctx *ctx = a->ctx;
	char detail[1025], diff[1000] = "";
	unsigned changed = 0;
	bool form_changed = false;
	struct expert_form form;
	expert_form_from_row(row, &form);
	snprintf(detail, sizeof detail, "import %lld line %lld", (long long)a->import_id,
	         (long long)line);
	if (!old) {
		e->id = pool_max_id(ctx->pool) + 1;
		e->status = EXPERT_ACTIVE;
		e->appointment = a->im->appointed ? APPOINT_APPOINTED : APPOINT_RECOMMENDED;
		e->term = a->term;
		e->joined_term = a->term;
	} else {
		keep_standing(e, old);
		a->st = appoint_form_differs(ctx, old->id, row, &form, &form_changed, a->rep);
		if (a->st != PROTO_OK)
			return false;
		/* Both records start zero-filled (expert_from_row and the store's
		 * reader clear them), so equal fields mean equal bytes. */
		if (memcmp(e, old, sizeof *e) == 0) {
			if (!form_changed) {
				a->unchanged++;
				return true;   /* nothing to record: no event, no audit entry */
			}
			a->st = appoint_form_only(ctx, e, &form, detail, a->rep);
			a->updated += a->st == PROTO_OK;
			return a->st == PROTO_OK;
		}
		expert_diff(old, e, diff, sizeof diff, &changed);
	}
	size_t n = strlen(detail);
	snprintf(detail + n, sizeof detail - n, "%s%s%s", diff[0] ? ": " : "", diff,
	         form_changed ? "; form fields changed" : "");
	a->st = handler_save_expert_changed(ctx, e, !old, old ? "updated" : "imported", why,
	                                    0, detail, changed, a->rep);
	if (a->st == PROTO_OK)
		a->st = appoint_keep_row(ctx, e, !old, &form, a->im->appointed, a->import_id,
		                         line, a->rep);
	if (a->st != PROTO_OK)
		return false;
	if (!old)
		a->inserted++;
	else
		a->updated++;
	return true;
}

static bool apply_valid_row(struct apply *a, int64_t line, const msgpack_object *row)
{
	struct handler_ctx *ctx = a->ctx;
	struct expert e, old;
	const char *field;
	char why[480];
	struct expert_row_problems errs;
	bool valid = expert_from_row(row, ctx->today, import_age_exception(a->im, line), &e,
	                             &errs, NULL) != IDENT_INVALID;
	if (!valid) {
		field = errs.v[0].field;
		snprintf(why, sizeof why, "%s", errs.v[0].why);
	}
	/* Mapped again: the catalogue may have changed since the row was staged. */
	if (valid && !import_map_catalogue(ctx, &e, &errs)) {
		valid = false;
		field = errs.v[0].field;
		snprintf(why, sizeof why, "%s", errs.v[0].why);
	}
	if (!valid) {
		issue_add(&a->errors, line, field, why);
		a->skipped++;
		return true;
	}
	int64_t id;
	enum store_result r = store_expert_find_resident(ctx->store, e.resident_id, &id);
	bool is_new = r == STORE_NOT_FOUND;
	if (r != STORE_OK && !is_new) {
		a->st = handler_store_error(a->rep, r);
		return false;
	}
	if (!is_new && (a->st = handler_get_expert(ctx, id, &old, a->rep)) != PROTO_OK)
		return false;
	/* Checked before the row registers any organisation. */
	field = is_new ? NULL : identity_clash(&old, &e, false, why, sizeof why);
	bool reidentified = field != NULL;
	if (reidentified && !a->identity_reason) {
		issue_add(&a->errors, line, field, why);
		a->skipped++;
		return true;
	}
	if (!apply_orgs(a, line, row, &e))
		return a->st == PROTO_OK;
	stamp_approvals(a, &e, is_new ? NULL : &old);
	return apply_save(a, line, row, &e, is_new ? NULL : &old,
	                  reidentified ? a->identity_reason : NULL);
}

static bool apply_row_cb(int64_t line, const void *data, size_t len,
                         const char *field, const char *error, void *arg)
{
	struct apply *a = arg;
	if (error) {
		issue_add(&a->errors, line, field, error);
		a->skipped++;
		return true;
	}
	if (a->collect_only)
		return true;
	msgpack_unpacked up;
	msgpack_unpacked_init(&up);
	bool ok = msgpack_unpack_next(&up, data, len, NULL) == MSGPACK_UNPACK_SUCCESS &&
	          up.data.type == MSGPACK_OBJECT_MAP;
	if (!ok) {
		a->st = reply_error(a->rep, PROTO_E_INTERNAL, NULL,
		                    "staged row of line %lld is unreadable", (long long)line);
	} else {
		ok = apply_valid_row(a, line, &up.data);
	}
	msgpack_unpacked_destroy(&up);
	return ok;
}

enum proto_status h_import_commit(struct handler_ctx *ctx, const struct proto_request *req,
                                  struct reply *rep)
{
	struct store_import im;
	int64_t id = proto_arg_int(req, "import", 0);
	enum proto_status st = open_import(ctx, id, &im, rep);
	if (st != PROTO_OK)
		return st;
	/* Known-invalid rows refuse the commit before anything is applied. */
	char reason_buf[PROTO_REASON_SIZE];
	struct apply a = {.ctx = ctx, .rep = rep, .import_id = id, .im = &im,
	                  .identity_reason = proto_arg_strcpy(req, "identity_reason",
	                                                      reason_buf, sizeof reason_buf)
	                                     ? reason_buf : NULL,
	                  .skip_invalid = im.skip_invalid, .st = PROTO_OK,
	                  .collect_only = im.invalid > 0 && !im.skip_invalid};
	enum store_result r;
	a.term = current_term(ctx, &r);
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	if (!a.term)
		return reply_error(rep, PROTO_E_INVALID_STATE, NULL,
		                   "no term is in force today; open one with term.open "
		                   "(expertctl term open)");
	r = store_import_each_row(ctx->store, id, apply_row_cb, &a);
	if (a.st == PROTO_OK && r != STORE_OK)
		a.st = handler_store_error(rep, r);
	if (a.st == PROTO_OK && a.errors.total && !a.skip_invalid) {
		msgpack_packer *pk = reply_result(rep);
		msgpack_pack_map(pk, 2);
		proto_pack_kv_int(pk, "invalid", (int64_t)a.errors.total);
		pack_issues(pk, "errors", &a.errors, IMPORT_MAX_REPORTED_ERRORS);
		rep->keep_result_on_error = true;
		a.st = reply_error(rep, PROTO_E_INVALID_ROWS, "rows",
		                   "%zu row(s) are invalid; nothing was imported",
		                   a.errors.total);
	}
	if (a.st == PROTO_OK) {
		r = store_import_finish(ctx->store, id, STORE_IMPORT_COMMITTED, ctx->now);
		if (r != STORE_OK)
			a.st = handler_store_error(rep, r);
	}
	if (a.st == PROTO_OK) {
		msgpack_packer *pk = reply_result(rep);
		msgpack_pack_map(pk, 6);
		proto_pack_kv_int(pk, "inserted", a.inserted);
		proto_pack_kv_int(pk, "updated", a.updated);
		proto_pack_kv_int(pk, "unchanged", a.unchanged);
		proto_pack_kv_int(pk, "skipped", a.skipped);
		proto_pack_kv_int(pk, "orgs_created", a.orgs_created);
		pack_issues(pk, "orgs_close", &a.close, IMPORT_MAX_REPORTED_ERRORS);
	}
	free(a.errors.v);
	free(a.close.v);
	return a.st;
}

enum proto_status h_import_abort(struct handler_ctx *ctx, const struct proto_request *req,
                                 struct reply *rep)
{
	struct store_import im;
	int64_t id = proto_arg_int(req, "import", 0);
	enum proto_status st = open_import(ctx, id, &im, rep);
	if (st != PROTO_OK)
		return st;
	enum store_result r = store_import_finish(ctx->store, id, STORE_IMPORT_ABORTED,
	                                          ctx->now);
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	msgpack_pack_map(reply_result(rep), 0);
	return PROTO_OK;
}
