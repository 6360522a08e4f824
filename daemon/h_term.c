/*
 * h_term.c - appointment terms (届): open a term (3 years from its start),
 * list terms, and renew experts into the next term.
 */
#include <stdio.h>
#include <stdlib.h>

#include "handler.h"
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
		msgpack_pack_map(pk, 4);
		proto_pack_kv_int(pk, "term", terms[i].number);
		handler_pack_date(pk, "start", terms[i].start);
		handler_pack_date(pk, "end", terms[i].end);
		struct pool_filter f = {.group = -1, .status = -1, .term = terms[i].number};
		proto_pack_kv_int(pk, "experts",
		                  (int64_t)pool_list(ctx->pool, &f, 0, 0, NULL));
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

static enum proto_status renew_one(struct handler_ctx *ctx, int64_t id, int term,
                                   const char *reason, bool explicit_ids,
                                   struct reply *rep, int64_t *renewed)
{
	struct expert e;
	enum proto_status st = handler_get_expert(ctx, id, &e, rep);
	if (st != PROTO_OK)
		return st;
	if (e.term == term)
		return PROTO_OK;
	if (e.status == EXPERT_REVOKED || e.term != term - 1) {
		if (!explicit_ids)
			return PROTO_OK;
		return reply_error(rep, PROTO_E_INVALID_STATE, "experts",
		                   "expert %lld is %s in term %d and cannot be renewed "
		                   "into term %d", (long long)id,
		                   proto_statuses[e.status], e.term, term);
	}
	char detail[64];
	snprintf(detail, sizeof detail, "term %d -> %d", e.term, term);
	e.term = term;
	st = handler_save_expert(ctx, &e, false, "renewed", reason, 0, detail, rep);
	if (st == PROTO_OK)
		(*renewed)++;
	return st;
}

enum proto_status h_term_renew(struct handler_ctx *ctx, const struct proto_request *req,
                               struct reply *rep)
{
	int term = (int)proto_arg_int(req, "term", 0);
	char reason[PROTO_REASON_SIZE] = "";
	proto_arg_strcpy(req, "reason", reason, sizeof reason);
	struct store_term *terms;
	size_t n;
	enum proto_status st = handler_terms(ctx, &terms, &n, rep);
	if (st != PROTO_OK)
		return st;
	free(terms);
	if (term < 2 || (size_t)term > n)
		return reply_error(rep, PROTO_E_NOT_FOUND, "term",
		                   "term %d does not exist or has no term before it", term);
	const msgpack_object *list = proto_arg(req, "experts");
	int64_t renewed = 0;
	if (list) {
		for (uint32_t i = 0; i < list->via.array.size && st == PROTO_OK; i++)
			st = renew_one(ctx, (int64_t)list->via.array.ptr[i].via.u64, term,
			               reason, true, rep, &renewed);
	} else {
		struct pool_filter f = {.group = -1, .status = -1, .term = term - 1};
		size_t total = pool_list(ctx->pool, &f, 0, 0, NULL);
		int64_t *ids = malloc((total ? total : 1) * sizeof *ids);
		if (!ids)
			return reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
		pool_list(ctx->pool, &f, 0, total, ids);
		for (size_t i = 0; i < total && st == PROTO_OK; i++)
			st = renew_one(ctx, ids[i], term, reason, false, rep, &renewed);
		free(ids);
	}
	if (st != PROTO_OK)
		return st;
	msgpack_packer *pk = reply_result(rep);
	msgpack_pack_map(pk, 2);
	proto_pack_kv_int(pk, "term", term);
	proto_pack_kv_int(pk, "renewed", renewed);
	return PROTO_OK;
}
