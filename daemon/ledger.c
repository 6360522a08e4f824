/*
 * ledger.c - the decline ledger (POLICY.md 6, 第十七条): events
 * written as seats are declined, expire, are withdrawn or missed; the
 * policy (policy.c) scores them after each new one, warning and flagging.
 * It also packs an expert's ledger for pool.show and flagged.list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger.h"
#include "reply.h"

/* An expert's ledger as the policy reads it, and what it counts: the
 * events a correction withdrew stay in rows but never reach the policy. */
struct ledger_view {
	struct store_ledger_event *rows;
	struct policy_event *ev;     /* the standing rows, oldest first */
	bool *counted;               /* per ev */
	size_t n, n_ev;
};

static void ledger_view_free(struct ledger_view *v)
{
	free(v->rows);
	free(v->ev);
	free(v->counted);
	*v = (struct ledger_view){0};
}

static enum proto_status ledger_load(struct handler_ctx *ctx, int64_t expert,
                                     struct ledger_view *v, struct reply *rep)
{
	*v = (struct ledger_view){0};
	enum store_result r = store_ledger_list(ctx->store, expert, &v->rows, &v->n);
	if (r != STORE_OK) {
		ledger_view_free(v);
		return handler_store_error(rep, r);
	}
	size_t m = v->n ? v->n : 1;
	v->ev = malloc(m * sizeof *v->ev);
	v->counted = malloc(m * sizeof *v->counted);
	if (!v->ev || !v->counted) {
		ledger_view_free(v);
		return reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	}
	for (size_t i = 0; i < v->n; i++)
		if (!v->rows[i].withdrawn)
			v->ev[v->n_ev++] = (struct policy_event){
				.at = v->rows[i].at, .kind = v->rows[i].kind,
				.task = v->rows[i].task};
	return PROTO_OK;
}

/* The policy changes an expert's status (POLICY.md 6.2, 6.5), as the
 * daemon, not whoever recorded the event; nothing unless the expert is
 * `from`. */
static enum proto_status ledger_set_status(struct handler_ctx *ctx, int64_t expert,
                                           enum expert_status from,
                                           enum expert_status to, const char *event,
                                           const char *reason, struct reply *rep)
{
	struct expert e;
	enum proto_status st = handler_get_expert(ctx, expert, &e, rep);
	if (st != PROTO_OK || e.status != from)
		return st;
	e.status = to;
	const struct auth_entry *caller = ctx->caller;
	ctx->caller = &handler_daemon;
	st = handler_save_expert(ctx, &e, false, event, reason, 0, NULL, rep);
	ctx->caller = caller;
	return st;
}

/* Set the flag: the expert leaves the draws until an operator decides. */
static enum proto_status ledger_flag(struct handler_ctx *ctx, int64_t expert,
                                     int score, struct reply *rep)
{
	char reason[128];
	snprintf(reason, sizeof reason,
	         "decline ledger score %d reached flag_at %d over at least %d days",
	         score, ctx->assign->ledger.flag_at, ctx->assign->ledger.flag_span_days);
	return ledger_set_status(ctx, expert, EXPERT_ACTIVE, EXPERT_FLAGGED, "flagged",
	                         reason, rep);
}

/* After the ledger changed from a score of `before` to `after` (level
 * now): a warning when it rose to warn_at, a flag at the flag level. */
static enum proto_status ledger_apply(struct handler_ctx *ctx, int64_t expert,
                                      int before, int after,
                                      enum policy_level level, struct reply *rep)
{
	const struct policy *p = &ctx->assign->ledger;
	enum proto_status st = PROTO_OK;
	if (p->warn_at > 0 && after >= p->warn_at && before < p->warn_at) {
		audit_pack_expert_warned(handler_audit_begin(ctx), expert, after,
		                         p->warn_at, p->flag_at);
		st = handler_audit_end(ctx, AUDIT_EXPERT_WARNED, rep, NULL, NULL);
	}
	if (st == PROTO_OK && level == POLICY_FLAG)
		st = ledger_flag(ctx, expert, after, rep);
	return st;
}

enum proto_status ledger_record(struct handler_ctx *ctx,
                                const struct store_ledger_event *ev,
                                struct reply *rep)
{
	const struct policy *p = &ctx->assign->ledger;
	enum store_result r = store_ledger_add(ctx->store, ev);
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	struct ledger_view v;
	enum proto_status st = ledger_load(ctx, ev->expert, &v, rep);
	if (st != PROTO_OK)
		return st;
	/* The new event is the last one standing: score without it, then with it. */
	int before = 0, after = 0;
	policy_evaluate(p, v.ev, v.n_ev ? v.n_ev - 1 : 0, ctx->now, v.counted, &before);
	enum policy_level level = policy_evaluate(p, v.ev, v.n_ev, ctx->now, v.counted,
	                                          &after);
	ledger_view_free(&v);
	return ledger_apply(ctx, ev->expert, before, after, level, rep);
}

int64_t ledger_flagged_at(struct handler_ctx *ctx, int64_t expert)
{
	struct store_event *ev = NULL;
	size_t n = 0;
	int64_t at = 0;
	if (store_event_list(ctx->store, expert, &ev, &n) == STORE_OK)
		for (size_t i = 0; i < n; i++)
			if (strcmp(ev[i].event, "flagged") == 0)
				at = ev[i].at;
	free(ev);
	return at;
}

enum proto_status ledger_standing(struct handler_ctx *ctx, int64_t expert,
                                  int64_t assignment,
                                  struct store_ledger_event *out, struct reply *rep)
{
	struct ledger_view v;
	enum proto_status st = ledger_load(ctx, expert, &v, rep);
	out->kind = -1;
	for (size_t i = 0; st == PROTO_OK && i < v.n; i++)
		if (v.rows[i].assignment == assignment && !v.rows[i].withdrawn)
			*out = v.rows[i];
	ledger_view_free(&v);
	return st;
}

/* Whether the ledger, as it stands now, reaches the flag level at the
 * time a flag was set (since) or at any later event, or now: what the
 * policy would have found had it been recorded so (POLICY.md 6.5). */
static bool ledger_flag_stands(const struct policy *p, const struct ledger_view *v,
                               int64_t since, int64_t now)
{
	if (policy_evaluate(p, v->ev, v->n_ev, since, v->counted, NULL) == POLICY_FLAG ||
	    policy_evaluate(p, v->ev, v->n_ev, now, v->counted, NULL) == POLICY_FLAG)
		return true;
	for (size_t i = 0; i < v->n_ev; i++)
		if (v->ev[i].at > since && v->ev[i].at < now &&
		    policy_evaluate(p, v->ev, v->n_ev, v->ev[i].at, v->counted,
		                    NULL) == POLICY_FLAG)
			return true;
	return false;
}

/* Lift a flag the corrected ledger would never have set: the expert is
 * active again, the history naming the correction. */
static enum proto_status ledger_unflag(struct handler_ctx *ctx, int64_t expert,
                                       int64_t assignment, int score,
                                       struct reply *rep)
{
	char reason[160];
	snprintf(reason, sizeof reason,
	         "correction of assignment %lld: the decline ledger would not have "
	         "flagged (score now %d, flag_at %d)", (long long)assignment, score,
	         ctx->assign->ledger.flag_at);
	return ledger_set_status(ctx, expert, EXPERT_FLAGGED, EXPERT_ACTIVE, "reinstated",
	                         reason, rep);
}

enum proto_status ledger_correct(struct handler_ctx *ctx, int64_t expert,
                                 int64_t assignment,
                                 const struct store_ledger_event *add,
                                 bool was_flagged, struct reply *rep)
{
	const struct policy *p = &ctx->assign->ledger;
	struct ledger_view v;
	int before = 0, after = 0, n = 0;
	enum proto_status st = ledger_load(ctx, expert, &v, rep);
	if (st != PROTO_OK)
		return st;
	policy_evaluate(p, v.ev, v.n_ev, ctx->now, v.counted, &before);
	ledger_view_free(&v);
	enum store_result r = store_ledger_withdraw(ctx->store, expert, assignment,
	                                            ctx->now, ctx->caller->principal, &n);
	if (r == STORE_OK && add)
		r = store_ledger_add(ctx->store, add);
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	if ((st = ledger_load(ctx, expert, &v, rep)) != PROTO_OK)
		return st;
	enum policy_level level = policy_evaluate(p, v.ev, v.n_ev, ctx->now, v.counted,
	                                          &after);
	bool stands = !was_flagged ||
	              ledger_flag_stands(p, &v, ledger_flagged_at(ctx, expert), ctx->now);
	ledger_view_free(&v);
	if (!stands)
		return ledger_unflag(ctx, expert, assignment, after, rep);
	return ledger_apply(ctx, expert, before, after, level, rep);
}

enum proto_status ledger_pack(struct handler_ctx *ctx, int64_t expert,
                              msgpack_packer *pk, bool as_map,
                              struct reply *rep)
{
	const struct policy *p = &ctx->assign->ledger;
	struct ledger_view v;
	enum proto_status st = ledger_load(ctx, expert, &v, rep);
	if (st != PROTO_OK)
		return st;
	int score = 0;
	enum policy_level level = policy_evaluate(p, v.ev, v.n, ctx->now, v.counted, &score);
	const struct store_ledger_event *rows = v.rows;
	const bool *counted = v.counted;
	if (as_map)
		msgpack_pack_map(pk, LEDGER_PACK_KEYS);
	proto_pack_kv_int(pk, "score", score);
	proto_pack_kv_str(pk, "level", proto_ledger_levels[level]);
	proto_pack_kv_int(pk, "window_days", p->window_days);
	proto_pack_kv_int(pk, "flag_span_days", p->flag_span_days);
	proto_pack_str(pk, "events");
	msgpack_pack_array(pk, (uint32_t)v.n);
	for (size_t i = 0; i < v.n; i++) {
		bool counts = !rows[i].withdrawn && *counted++;
		msgpack_pack_map(pk, 7);
		proto_pack_kv_int(pk, "at", rows[i].at);
		proto_pack_kv_str(pk, "kind", policy_kind_names[rows[i].kind]);
		proto_pack_kv_int(pk, "assignment", rows[i].assignment);
		proto_pack_kv_int(pk, "task", rows[i].task);
		proto_pack_kv_str(pk, "reason", rows[i].reason);
		proto_pack_kv_bool(pk, "counts", counts);
		/* When a correction withdrew it (PROTOCOL.md 7.12.16); nil: it stands. */
		proto_pack_str(pk, "withdrawn");
		if (rows[i].withdrawn)
			msgpack_pack_int64(pk, rows[i].withdrawn);
		else
			msgpack_pack_nil(pk);
	}
	ledger_view_free(&v);
	return PROTO_OK;
}
