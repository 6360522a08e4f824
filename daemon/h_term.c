/*
 * h_term.c - appointment terms (届): open a term (3 years from its start),
 * list terms, and renew experts into the next term, checking again that
 * each may serve through it (第十一条; PROTOCOL.md 7.4.3).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eligibility.h"
#include "handler.h"
#include "i18n.h"
#include "ident.h"

#define TERM_YEARS 3

/* The last day of a term that starts on `start`: 3 years later, less a day. */
static int32_t term_end(int32_t start)
{
	int y, m, d;
	ident_civil_from_days(start, &y, &m, &d);
	return ident_days_from_civil(y + TERM_YEARS, m, d) - 1;
}

enum proto_status h_term_open(struct handler_ctx *ctx, const struct proto_request *req,
                              struct reply *rep)
{
	const char *s;
	size_t n;
	int32_t start;
	proto_arg_str(req, "start", &s, &n);
	ident_date_parse(s, n, &start);
	struct store_term *terms;
	size_t nterms;
	enum proto_status st = handler_terms(ctx, &terms, &nterms, rep);
	if (st != PROTO_OK)
		return st;
	struct store_term t = {.number = 1, .start = start, .end = term_end(start),
	                       .opened_at = ctx->now};
	if (nterms) {
		const struct store_term *last = &terms[nterms - 1];
		t.number = last->number + 1;
		if (start <= last->start) {
			char buf[11];
			ident_date_format(last->start, buf);
			free(terms);
			return reply_error(rep, PROTO_E_INVALID_FIELD, "start",
			                   "a new term must start after term %d (%s)",
			                   t.number - 1, buf);
		}
	}
	free(terms);
	enum store_result r = store_term_insert(ctx->store, &t, ctx->caller->principal);
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	audit_pack_term(handler_audit_begin(ctx), t.number, t.start, t.end);
	st = handler_audit_end(ctx, AUDIT_TERM, rep, NULL, NULL);
	if (st != PROTO_OK)
		return st;
	msgpack_packer *pk = reply_result(rep);
	msgpack_pack_map(pk, 3);
	proto_pack_kv_int(pk, "term", t.number);
	handler_pack_date(pk, "start", t.start);
	handler_pack_date(pk, "end", t.end);
	return PROTO_OK;
}

enum proto_status h_term_list(struct handler_ctx *ctx, const struct proto_request *req,
                              struct reply *rep)
{
	(void)req;
	struct store_term *terms;
	size_t n;
	enum proto_status st = handler_terms(ctx, &terms, &n, rep);
	if (st != PROTO_OK)
		return st;
	int current = 0;
	msgpack_packer *pk = reply_result(rep);
	msgpack_pack_map(pk, 2);
	proto_pack_str(pk, "terms");
	msgpack_pack_array(pk, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		msgpack_pack_map(pk, 5);
		proto_pack_kv_int(pk, "term", terms[i].number);
		handler_pack_date(pk, "start", terms[i].start);
		handler_pack_date(pk, "end", terms[i].end);
		/* Appointed experts serve; those still being appointed are
		 * counted apart (PROTOCOL.md 7.4.2, 7.17). */
		int64_t by[APPOINT_REJECTED + 1];
		for (int a = 0; a <= APPOINT_REJECTED; a++) {
			struct pool_filter f = {.group = -1, .status = -1,
			                        .term = terms[i].number, .appointment = a + 1};
			by[a] = (int64_t)pool_list(ctx->pool, &f, 0, 0, NULL);
		}
		proto_pack_kv_int(pk, "experts", by[APPOINT_APPOINTED]);
		proto_pack_kv_int(pk, "pending",
		                  by[APPOINT_RECOMMENDED] + by[APPOINT_UNDER_REVIEW]);
		if (terms[i].start <= ctx->today && ctx->today <= terms[i].end)
			current = terms[i].number;
	}
	proto_pack_str(pk, "current");
	if (current)
		msgpack_pack_int(pk, current);
	else
		msgpack_pack_nil(pk);
	free(terms);
	return PROTO_OK;
}

/* A renewal in progress: the target term, its last day, and the experts
 * it leaves out, packed as they are found (PROTOCOL.md 7.4.3). */
struct renewal {
	int term;
	int32_t end_day;
	const char *reason;
	bool explicit_ids;
	int64_t renewed;
	uint32_t skipped;
	msgpack_sbuffer buf;
	msgpack_packer pk;
};

/* Why e may not serve through the new term, if it may not: 第十一条 as the
 * import checks it, the age on the term's last day, and the appointment
 * (only appointed experts serve). Returns the number of reasons packed. */
static uint32_t renew_refusals(struct renewal *rn, const struct expert *e,
                               msgpack_packer *pk)
{
	const char *fields[8], *whys[8];
	size_t n = 0;
	if (e->appointment != APPOINT_APPOINTED) {
		fields[n] = "appointment";
		whys[n++] = e->appointment == APPOINT_REJECTED
		                    ? N_("rejected (第十六条): never appointed")
		                    : N_("not appointed yet (第十六条): only appointed experts "
		                         "are renewed");
	}
	n += eligibility_failures(e, rn->end_day, fields + n, whys + n, 8 - n);
	if (!pk || n == 0)
		return (uint32_t)n;
	char day[11], age[200];
	ident_date_format(rn->end_day, day);
	msgpack_pack_array(pk, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		const char *why = _(whys[i]);
		if (strcmp(fields[i], "resident_id") == 0) {
			snprintf(age, sizeof age, _("will be %d on %s, the last day of term %d: %s"),
			         ident_age_on(e->birth, rn->end_day), day, rn->term, why);
			why = age;
		}
		msgpack_pack_map(pk, 2);
		proto_pack_kv_str(pk, "field", fields[i]);
		proto_pack_kv_str(pk, "reason", why);
	}
	return (uint32_t)n;
}

static void renew_skip(struct renewal *rn, const struct expert *e)
{
	msgpack_pack_map(&rn->pk, 3);
	proto_pack_kv_int(&rn->pk, "expert", e->id);
	proto_pack_kv_str(&rn->pk, "name", e->name);
	proto_pack_str(&rn->pk, "reasons");
	renew_refusals(rn, e, &rn->pk);
	rn->skipped++;
}

static enum proto_status renew_one(struct handler_ctx *ctx, struct renewal *rn, int64_t id,
                                   struct reply *rep)
{
	struct expert e;
	int term = rn->term;
	enum proto_status st = handler_get_expert(ctx, id, &e, rep);
	if (st != PROTO_OK)
		return st;
	if (e.term == term)
		return PROTO_OK;
	if (e.status == EXPERT_REVOKED || e.term != term - 1) {
		if (!rn->explicit_ids)
			return PROTO_OK;
		return reply_error(rep, PROTO_E_INVALID_STATE, "experts",
		                   "expert %lld is %s in term %d and cannot be renewed "
		                   "into term %d", (long long)id,
		                   proto_statuses[e.status], e.term, term);
	}
	if (renew_refusals(rn, &e, NULL)) {
		renew_skip(rn, &e);
		return PROTO_OK;
	}
	char detail[64];
	snprintf(detail, sizeof detail, "term %d -> %d", e.term, term);
	e.term = term;
	st = handler_save_expert(ctx, &e, false, "renewed", rn->reason, 0, detail, rep);
	if (st == PROTO_OK)
		rn->renewed++;
	return st;
}

static enum proto_status renew_all(struct handler_ctx *ctx, struct renewal *rn,
                                   const struct proto_request *req, struct reply *rep)
{
	enum proto_status st = PROTO_OK;
	const msgpack_object *list = proto_arg(req, "experts");
	if (list) {
		for (uint32_t i = 0; i < list->via.array.size && st == PROTO_OK; i++)
			st = renew_one(ctx, rn, (int64_t)list->via.array.ptr[i].via.u64, rep);
		return st;
	}
	struct pool_filter f = {.group = -1, .status = -1, .term = rn->term - 1};
	size_t total = pool_list(ctx->pool, &f, 0, 0, NULL);
	int64_t *ids = malloc((total ? total : 1) * sizeof *ids);
	if (!ids)
		return reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	pool_list(ctx->pool, &f, 0, total, ids);
	for (size_t i = 0; i < total && st == PROTO_OK; i++)
		st = renew_one(ctx, rn, ids[i], rep);
	free(ids);
	return st;
}

enum proto_status h_term_renew(struct handler_ctx *ctx, const struct proto_request *req,
                               struct reply *rep)
{
	struct renewal rn = {.term = (int)proto_arg_int(req, "term", 0),
	                     .explicit_ids = proto_arg(req, "experts") != NULL};
	char reason[PROTO_REASON_SIZE] = "";
	proto_arg_strcpy(req, "reason", reason, sizeof reason);
	rn.reason = reason;
	struct store_term *terms;
	size_t n;
	enum proto_status st = handler_terms(ctx, &terms, &n, rep);
	if (st != PROTO_OK)
		return st;
	if (rn.term < 2 || (size_t)rn.term > n) {
		free(terms);
		return reply_error(rep, PROTO_E_NOT_FOUND, "term",
		                   "term %d does not exist or has no term before it", rn.term);
	}
	rn.end_day = terms[rn.term - 1].end;
	free(terms);
	msgpack_sbuffer_init(&rn.buf);
	msgpack_packer_init(&rn.pk, &rn.buf, msgpack_sbuffer_write);
	st = renew_all(ctx, &rn, req, rep);
	if (st == PROTO_OK) {
		msgpack_packer *pk = reply_result(rep);
		msgpack_pack_map(pk, 3);
		proto_pack_kv_int(pk, "term", rn.term);
		proto_pack_kv_int(pk, "renewed", rn.renewed);
		proto_pack_str(pk, "not_renewed");
		msgpack_pack_array(pk, rn.skipped);
		if (rn.buf.size)
			pk->callback(pk->data, rn.buf.data, rn.buf.size);
	}
	msgpack_sbuffer_destroy(&rn.buf);
	return st;
}
