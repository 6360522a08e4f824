/*
 * h_unavail.c - periods in which an expert cannot serve (rule 12, DRAW.md
 * 3.1; 第十七条: a known busy month is not a string of declines): recorded
 * by the Center or a clerk (pool.unavailable), or by the expert with the
 * token of a seat offered to them (assignment.unavailable). Draws sharing
 * a day with a period skip the expert, with no ledger event. Staff may
 * withdraw a period or shorten it (pool.unavailable.withdraw).
 */
#include <stdio.h>
#include <stdlib.h>

#include "audit.h"
#include "handler.h"
#include "ident.h"
#include "reply.h"

/* A period may not run longer than this: a standing absence is a
 * suspension, which the Center decides (POLICY.md 6.3). */
#define UNAVAIL_MAX_DAYS 366

/* from and to of the request, checked (PROTOCOL.md 7.6.5). */
static enum proto_status unavail_period(const struct handler_ctx *ctx,
                                        const struct proto_request *req,
                                        struct store_away *a, struct reply *rep)
{
	const char *s;
	size_t n;
	proto_arg_str(req, "from", &s, &n);
	ident_date_parse(s, n, &a->from);
	proto_arg_str(req, "to", &s, &n);
	ident_date_parse(s, n, &a->to);
	if (a->to < a->from)
		return reply_error(rep, PROTO_E_INVALID_FIELD, "to",
		                   "the period must end on or after its first day");
	if (a->to < ctx->today)
		return reply_error(rep, PROTO_E_INVALID_FIELD, "to",
		                   "the period has already ended");
	if (a->to - a->from >= UNAVAIL_MAX_DAYS)
		return reply_error(rep, PROTO_E_INVALID_FIELD, "to",
		                   "a period lasts at most %d days; a longer absence is "
		                   "a suspension", UNAVAIL_MAX_DAYS);
	proto_arg_strcpy(req, "reason", a->reason, sizeof a->reason);
	return PROTO_OK;
}

/* Store, history, audit entry, engage; reply {id, expert, from, to}. */
static enum proto_status unavail_record(struct handler_ctx *ctx, struct store_away *a,
                                        struct reply *rep)
{
	struct expert e;
	enum proto_status st = handler_get_expert(ctx, a->expert_id, &e, rep);
	if (st != PROTO_OK)
		return st;
	a->id = store_away_max_id(ctx->store) + 1;
	a->created_at = ctx->now;
	snprintf(a->created_by, sizeof a->created_by, "%s", ctx->caller->principal);
	enum store_result r = store_away_insert(ctx->store, a);
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	char from[11], to[11];
	ident_date_format(a->from, from);
	ident_date_format(a->to, to);
	struct store_event ev = {.expert_id = e.id, .at = ctx->now};
	snprintf(ev.actor, sizeof ev.actor, "%s", ctx->caller->principal);
	snprintf(ev.event, sizeof ev.event, "unavailable");
	snprintf(ev.reason, sizeof ev.reason, "%s", a->reason);
	snprintf(ev.detail, sizeof ev.detail, "unavailable %lld: %s .. %s (%s)",
	         (long long)a->id, from, to, a->channel);
	r = store_event_add(ctx->store, &ev);
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	audit_pack_unavailable(handler_audit_begin(ctx), a->id, a->expert_id, a->from,
	                       a->to, ctx->caller->principal);
	st = handler_audit_end(ctx, AUDIT_UNAVAILABLE, rep, NULL, NULL);
	if (st != PROTO_OK)
		return st;
	ctx->engage_dirty = true;
	struct engage_away w = {.id = a->id, .expert = a->expert_id, .from = a->from,
	                        .to = a->to};
	if (!engage_add_away(ctx->engage, &w))
		return reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	msgpack_packer *pk = reply_result(rep);
	msgpack_pack_map(pk, 4);
	proto_pack_kv_int(pk, "id", a->id);
	proto_pack_kv_int(pk, "expert", a->expert_id);
	proto_pack_kv_str(pk, "from", from);
	proto_pack_kv_str(pk, "to", to);
	return PROTO_OK;
}

enum proto_status h_pool_unavailable(struct handler_ctx *ctx,
                                     const struct proto_request *req,
                                     struct reply *rep)
{
	struct store_away a = {.expert_id = proto_arg_int(req, "expert", 0)};
	snprintf(a.channel, sizeof a.channel, "staff");
	enum proto_status st = unavail_period(ctx, req, &a, rep);
	return st == PROTO_OK ? unavail_record(ctx, &a, rep) : st;
}

enum proto_status h_assignment_unavailable(struct handler_ctx *ctx,
                                           const struct proto_request *req,
                                           struct reply *rep)
{
	struct store_assignment sa;
	/* As assignment.answer (PROTOCOL.md 7.12.3): a live offer's token. */
	enum proto_status st = handler_token_seat(ctx, req, &sa, rep);
	if (st != PROTO_OK)
		return st;
	struct store_away a = {.expert_id = sa.expert};
	snprintf(a.channel, sizeof a.channel, "token");
	st = unavail_period(ctx, req, &a, rep);
	return st == PROTO_OK ? unavail_record(ctx, &a, rep) : st;
}

/* The period's days after the request (PROTOCOL.md 7.6.6): no days
 * withdraw it; from and to shorten it, within its current days. */
static enum proto_status unavail_shrink(const struct handler_ctx *ctx,
                                        const struct proto_request *req,
                                        struct store_away *a, struct reply *rep)
{
	char was_from[11], was_to[11];
	ident_date_format(a->from, was_from);
	ident_date_format(a->to, was_to);
	if (a->withdrawn)
		return reply_error(rep, PROTO_E_INVALID_STATE, "id",
		                   "unavailability %lld was withdrawn", (long long)a->id);
	if (a->to < ctx->today)
		return reply_error(rep, PROTO_E_INVALID_STATE, "id",
		                   "unavailability %lld ended on %s; a past period stays "
		                   "as it was", (long long)a->id, was_to);
	const char *s;
	size_t n;
	int32_t from = a->from, to = a->to;
	bool has_from = proto_arg_str(req, "from", &s, &n) && ident_date_parse(s, n, &from);
	bool has_to = proto_arg_str(req, "to", &s, &n) && ident_date_parse(s, n, &to);
	/* Days already passed stay as they were: draws made on them relied
	 * on them (POLICY.md 6.1). A period under way ends yesterday. */
	bool begun = a->from < ctx->today;
	if (!has_from && !has_to) {
		if (begun)
			a->to = ctx->today - 1;
		else
			a->withdrawn = true;
		return PROTO_OK;
	}
	if (begun && from != a->from)
		return reply_error(rep, PROTO_E_INVALID_FIELD, "from",
		                   "the period began on %s: days already passed stay as "
		                   "they were", was_from);
	if (begun && to < ctx->today - 1)
		return reply_error(rep, PROTO_E_INVALID_FIELD, "to",
		                   "the period began on %s: it can end yesterday at the "
		                   "earliest, as days already passed stay", was_from);
	if (from < a->from || from > a->to)
		return reply_error(rep, PROTO_E_INVALID_FIELD, "from",
		                   "must lie within the period, %s .. %s", was_from, was_to);
	if (to < a->from || to > a->to)
		return reply_error(rep, PROTO_E_INVALID_FIELD, "to",
		                   "must lie within the period, %s .. %s", was_from, was_to);
	if (to < from)
		return reply_error(rep, PROTO_E_INVALID_FIELD, "to",
		                   "the period must end on or after its first day");
	if (from == a->from && to == a->to)
		return reply_error(rep, PROTO_E_INVALID_FIELD, has_to ? "to" : "from",
		                   "the period already runs %s .. %s: nothing is shortened",
		                   was_from, was_to);
	a->from = from;
	a->to = to;
	return PROTO_OK;
}

/* The expert's history event for the change: what the period was, what
 * is left of it. */
static enum proto_status unavail_history(struct handler_ctx *ctx,
                                         const struct store_away *was,
                                         const struct store_away *a, const char *reason,
                                         struct reply *rep)
{
	char from[11], to[11], now_from[11], now_to[11];
	ident_date_format(was->from, from);
	ident_date_format(was->to, to);
	ident_date_format(a->from, now_from);
	ident_date_format(a->to, now_to);
	struct store_event ev = {.expert_id = a->expert_id, .at = ctx->now};
	snprintf(ev.actor, sizeof ev.actor, "%s", ctx->caller->principal);
	snprintf(ev.event, sizeof ev.event, "%s",
	         a->withdrawn ? "unavailable_withdrawn" : "unavailable_shortened");
	snprintf(ev.reason, sizeof ev.reason, "%s", reason);
	if (a->withdrawn)
		snprintf(ev.detail, sizeof ev.detail, "unavailable %lld: %s .. %s withdrawn",
		         (long long)a->id, from, to);
	else
		snprintf(ev.detail, sizeof ev.detail, "unavailable %lld: %s .. %s -> %s .. %s",
		         (long long)a->id, from, to, now_from, now_to);
	enum store_result r = store_event_add(ctx->store, &ev);
	return r == STORE_OK ? PROTO_OK : handler_store_error(rep, r);
}

/* k, then the day as a date, or nil for 0 (withdrawn). */
static void unavail_pack_day(msgpack_packer *pk, const char *k, int32_t day)
{
	if (day) {
		handler_pack_date(pk, k, day);
	} else {
		proto_pack_str(pk, k);
		msgpack_pack_nil(pk);
	}
}

enum proto_status h_pool_unavailable_withdraw(struct handler_ctx *ctx,
                                              const struct proto_request *req,
                                              struct reply *rep)
{
	struct store_away a, was;
	int64_t id = proto_arg_int(req, "id", 0);
	enum store_result r = store_away_get(ctx->store, id, &a);
	if (r == STORE_NOT_FOUND)
		return reply_error(rep, PROTO_E_NOT_FOUND, "id",
		                   "no unavailability %lld", (long long)id);
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	was = a;
	char reason[PROTO_REASON_SIZE] = "";
	proto_arg_strcpy(req, "reason", reason, sizeof reason);
	enum proto_status st = unavail_shrink(ctx, req, &a, rep);
	if (st != PROTO_OK)
		return st;
	if ((r = store_away_change(ctx->store, &a)) != STORE_OK)
		return handler_store_error(rep, r);
	if ((st = unavail_history(ctx, &was, &a, reason, rep)) != PROTO_OK)
		return st;
	int32_t from = a.withdrawn ? 0 : a.from, to = a.withdrawn ? 0 : a.to;
	audit_pack_unavailable_changed(handler_audit_begin(ctx), a.id, a.expert_id, from,
	                               to, ctx->caller->principal);
	if ((st = handler_audit_end(ctx, AUDIT_UNAVAILABLE_CHANGED, rep, NULL, NULL)) != PROTO_OK)
		return st;
	ctx->engage_dirty = true;
	if (!engage_change_away(ctx->engage, a.id, a.withdrawn, from, to))
		return reply_error(rep, PROTO_E_INTERNAL, NULL,
		                   "unavailability %lld is not in memory", (long long)a.id);
	msgpack_packer *pk = reply_result(rep);
	msgpack_pack_map(pk, 5);
	proto_pack_kv_int(pk, "id", a.id);
	proto_pack_kv_int(pk, "expert", a.expert_id);
	proto_pack_kv_bool(pk, "withdrawn", a.withdrawn);
	unavail_pack_day(pk, "from", from);
	unavail_pack_day(pk, "to", to);
	return PROTO_OK;
}

/* One period as pool.show lists it: its days now (for a withdrawn one,
 * the days it had when withdrawn; it covers none). */
static void unavail_pack_one(msgpack_packer *pk, const struct store_away *a)
{
	msgpack_pack_map(pk, 8);
	proto_pack_kv_int(pk, "id", a->id);
	handler_pack_date(pk, "from", a->from);
	handler_pack_date(pk, "to", a->to);
	proto_pack_kv_bool(pk, "withdrawn", a->withdrawn);
	proto_pack_kv_str(pk, "reason", a->reason);
	proto_pack_kv_str(pk, "channel", a->channel);
	proto_pack_kv_int(pk, "created_at", a->created_at);
	proto_pack_kv_str(pk, "created_by", a->created_by);
}

enum proto_status unavail_pack_periods(struct handler_ctx *ctx, int64_t expert,
                                       msgpack_packer *pk, struct reply *rep)
{
	struct store_away *as = NULL;
	size_t n = 0;
	enum store_result r = store_away_list(ctx->store, expert, &as, &n);
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	/* The store lists them oldest first; the newest are the ones staff
	 * act on, and the bound keeps the reply small. */
	size_t shown = n < UNAVAIL_SHOWN ? n : UNAVAIL_SHOWN;
	proto_pack_str(pk, "unavailable");
	msgpack_pack_array(pk, (uint32_t)shown);
	for (size_t i = 0; i < shown; i++)
		unavail_pack_one(pk, &as[n - 1 - i]);
	proto_pack_kv_int(pk, "unavailable_count", (int64_t)n);
	free(as);
	return PROTO_OK;
}
