/*
 * h_export.c - the outputs for the file (档案, PROTOCOL.md 7.16): the roster
 * in the import's row format (masked, or revealed by an operator with a
 * reason, audited) and the 公示 list of a term. The task's result sheet
 * and the work-done ledger are in h_sheet.c. Read-only but for the reveal
 * record.
 */
#include <stdio.h>
#include <stdlib.h>

#include "handler.h"
#include "ident.h"
#include "mask.h"

#define EXPORT_DEFAULT_LIMIT 1000

/* The registry entry behind an expert's link (REGISTRY.md 2.1): its
 * canonical name and credit code, both "" for no link or no code. */
static enum proto_status export_org(struct handler_ctx *ctx, const char *key,
                                    struct store_org *o, struct reply *rep)
{
	*o = (struct store_org){0};
	if (!key[0])
		return PROTO_OK;
	enum store_result r = store_org_by_key(ctx->store, key, o);
	if (r == STORE_NOT_FOUND) {
		*o = (struct store_org){0}; /* a key no entry has: nothing to say */
		return PROTO_OK;
	}
	return r == STORE_OK ? PROTO_OK : handler_store_error(rep, r);
}

/*
 * One expert as a pool.import.rows row (7.5.2 keys and values, without
 * `line`), `id` first. The employer is its name as imported and the
 * code of its registry entry; the recommender the entry's canonical name
 * and code, which the import resolves back to an entry of its own.
 */
static enum proto_status pack_export_row(struct handler_ctx *ctx, msgpack_packer *pk,
                                         const struct expert *e, bool reveal,
                                         struct reply *rep)
{
	struct store_org emp, rec;
	enum proto_status st = export_org(ctx, e->employer_code, &emp, rep);
	if (st == PROTO_OK)
		st = export_org(ctx, e->recommender_code, &rec, rep);
	if (st != PROTO_OK)
		return st;
	char rid[MASK_BUF], phone[MASK_BUF], email[MASK_BUF];
	mask_resident_id(e->resident_id, rid);
	mask_phone(e->phone, phone);
	mask_email(e->email, email);
	msgpack_pack_map(pk, 21);
	proto_pack_kv_int(pk, "id", e->id);
	proto_pack_kv_str(pk, "name", e->name);
	proto_pack_kv_str(pk, "sex", proto_sexes[e->sex]);
	proto_pack_kv_str(pk, "resident_id", reveal ? e->resident_id : rid);
	proto_pack_kv_str(pk, "phone", reveal ? e->phone : phone);
	proto_pack_kv_str(pk, "employer", e->employer);
	proto_pack_kv_str(pk, "employer_code", emp.code);
	proto_pack_kv_str(pk, "recommender", rec.name);
	proto_pack_kv_str(pk, "recommender_code", rec.code);
	handler_pack_strs(pk, "specialties", e->specialties, e->n_specialties, ~0u);
	handler_pack_names(pk, "group_types", e->group_types, proto_group_types);
	handler_pack_names(pk, "task_types", e->task_types, proto_task_types);
	proto_pack_kv_str(pk, "title", proto_titles[e->title]);
	proto_pack_kv_str(pk, "qualification", proto_qualifications[e->qualification]);
	proto_pack_kv_int(pk, "assess_years", e->assess_years);
	proto_pack_kv_int(pk, "training_years", e->training_years);
	handler_pack_names(pk, "relaxations", e->relaxations, proto_relaxations);
	proto_pack_kv_str(pk, "relaxation_evidence", e->relax_evidence);
	handler_pack_strs(pk, "relaxation_occupations", e->relax_occupations,
	                  e->n_relax_occupations, ~0u);
	proto_pack_kv_str(pk, "position", e->position);
	proto_pack_kv_str(pk, "email", reveal ? e->email : email);
	return PROTO_OK;
}

/* A revealed page (PROTOCOL.md 7.16.1): a `revealed` event in each
 * expert's history, as pool.show's, and one pool.revealed audit entry. */
static enum proto_status export_record_reveal(struct handler_ctx *ctx,
                                              const int64_t *ids, size_t n,
                                              const char *reason, struct reply *rep)
{
	for (size_t i = 0; i < n; i++) {
		struct store_event ev = {.expert_id = ids[i], .at = ctx->now};
		snprintf(ev.actor, sizeof ev.actor, "%s", ctx->caller->principal);
		snprintf(ev.event, sizeof ev.event, "revealed");
		snprintf(ev.reason, sizeof ev.reason, "%s", reason);
		snprintf(ev.detail, sizeof ev.detail, "pool.export");
		enum store_result r = store_event_add(ctx->store, &ev);
		if (r != STORE_OK)
			return handler_store_error(rep, r);
	}
	audit_pack_revealed(handler_audit_begin(ctx), ctx->caller->principal, reason,
	                    "pool.export", (int64_t)n);
	return handler_audit_end(ctx, AUDIT_REVEALED, rep, NULL, NULL);
}

enum proto_status h_pool_export(struct handler_ctx *ctx, const struct proto_request *req,
                                struct reply *rep)
{
	bool reveal = proto_arg_bool(req, "reveal", false);
	char reason[PROTO_REASON_SIZE] = "";
	/* A reveal is recorded (history and audit log): never by a daemon
	 * that writes nothing now, whose log would hold an unsigned entry. */
	if (reveal && !ctx->writable)
		return reply_error(rep, PROTO_E_UNAVAILABLE, "reveal",
		                   "a revealed export is recorded, and this daemon "
		                   "writes nothing now (read-only, or the store cannot "
		                   "write); nothing was read");
	proto_arg_strcpy(req, "reason", reason, sizeof reason);
	if (reveal && !reason[0])
		return reply_error(rep, PROTO_E_INVALID_FIELD, "reason",
		                   "revealing personal data needs a reason");
	struct pool_filter f = {.group = -1, .status = -1};
	const char *s;
	size_t n;
	if (proto_arg_str(req, "status", &s, &n))
		f.status = proto_choice_index(proto_statuses, s, n);
	struct handler_page pg;
	enum proto_status st = handler_pool_page(ctx, &f, req, EXPORT_DEFAULT_LIMIT, &pg, rep);
	if (st != PROTO_OK)
		return st;
	if (reveal && pg.got > 0)
		st = export_record_reveal(ctx, pg.ids, pg.got, reason, rep);
	msgpack_packer *pk = st == PROTO_OK ? reply_result(rep) : NULL;
	if (pk) {
		msgpack_pack_map(pk, 4);
		proto_pack_kv_int(pk, "total", (int64_t)pg.total);
		proto_pack_kv_int(pk, "offset", (int64_t)pg.offset);
		proto_pack_kv_bool(pk, "revealed", reveal);
		proto_pack_str(pk, "experts");
		msgpack_pack_array(pk, (uint32_t)pg.got);
	}
	for (size_t i = 0; i < pg.got && st == PROTO_OK; i++) {
		struct expert e;
		st = handler_get_expert(ctx, pg.ids[i], &e, rep);
		if (st == PROTO_OK)
			st = pack_export_row(ctx, pk, &e, reveal, rep);
	}
	free(pg.ids);
	return st;
}

/* One line of a 公示 list: what a notice shows, no identifiers. */
static void pack_publicity_row(msgpack_packer *pk, const struct expert *e)
{
	msgpack_pack_map(pk, 10);
	proto_pack_kv_int(pk, "id", e->id);
	proto_pack_kv_str(pk, "name", e->name);
	proto_pack_kv_str(pk, "sex", proto_sexes[e->sex]);
	proto_pack_kv_str(pk, "employer", e->employer);
	proto_pack_kv_str(pk, "position", e->position);
	handler_pack_strs(pk, "specialties", e->specialties, e->n_specialties, ~0u);
	handler_pack_names(pk, "group_types", e->group_types, proto_group_types);
	proto_pack_kv_str(pk, "title", proto_titles[e->title]);
	proto_pack_kv_str(pk, "qualification", proto_qualifications[e->qualification]);
	proto_pack_kv_bool(pk, "leader", e->leader_eligible);
}

/* The term's number, first and last day, or not_found `term`. */
static enum proto_status publicity_term(struct handler_ctx *ctx, int number,
                                        struct store_term *out, struct reply *rep)
{
	struct store_term *terms;
	size_t n;
	enum proto_status st = handler_terms(ctx, &terms, &n, rep);
	if (st != PROTO_OK)
		return st;
	bool found = false;
	for (size_t i = 0; i < n; i++) {
		if (terms[i].number == number) {
			*out = terms[i];
			found = true;
		}
	}
	free(terms);
	return found ? PROTO_OK
	             : reply_error(rep, PROTO_E_NOT_FOUND, "term", "no such term");
}

enum proto_status h_term_publicity(struct handler_ctx *ctx,
                                   const struct proto_request *req, struct reply *rep)
{
	struct store_term t;
	enum proto_status st = publicity_term(ctx, (int)proto_arg_int(req, "term", 0), &t,
	                                      rep);
	if (st != PROTO_OK)
		return st;
	/* Every appointed expert serving in the term but the revoked
	 * (PROTOCOL.md 7.16.2): recommended, under review or rejected
	 * candidates are not on a 公示 of the appointed. */
	struct pool_filter f = {.group = -1, .status = -1, .term = t.number};
	size_t total = pool_list(ctx->pool, &f, 0, 0, NULL);
	int64_t *ids = malloc((total ? total : 1) * sizeof *ids);
	if (!ids)
		return reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	pool_list(ctx->pool, &f, 0, total, ids);
	struct expert *es = calloc(total ? total : 1, sizeof *es);
	size_t kept = 0;
	for (size_t i = 0; es && i < total && st == PROTO_OK; i++) {
		st = handler_get_expert(ctx, ids[i], &es[kept], rep);
		if (st == PROTO_OK && es[kept].status != EXPERT_REVOKED &&
		    es[kept].appointment == APPOINT_APPOINTED)
			kept++;
	}
	free(ids);
	if (!es)
		return reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	if (st == PROTO_OK) {
		msgpack_packer *pk = reply_result(rep);
		msgpack_pack_map(pk, 4);
		proto_pack_kv_int(pk, "term", t.number);
		handler_pack_date(pk, "start", t.start);
		handler_pack_date(pk, "end", t.end);
		proto_pack_str(pk, "experts");
		msgpack_pack_array(pk, (uint32_t)kept);
		for (size_t i = 0; i < kept; i++)
			pack_publicity_row(pk, &es[i]);
	}
	free(es);
	return st;
}
