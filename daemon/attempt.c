/*
 * attempt.c - one draw attempt (PROTOCOL.md 7.9, 7.12.4), shared by
 * draw, draw.redraw and replacements: the candidates recusal allows,
 * the secret revealed and the next one committed, the seed, the
 * selection, a new task's row, the transcript chained into the audit
 * log and the draws row. Seating the panel is the caller's (seat.c).
 * Also recusal's view of a task, which a promotion checks too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "attempt.h"
#include "audit_log.h"
#include "candidates.h"
#include "designate.h"
#include "engage.h"
#include "i18n.h"
#include "pool.h"
#include "replace.h"
#include "reply.h"
#include "secret.h"

/* Term dates by number, for recusal's term rule (terms are numbered
 * 1, 2, ... by the daemon, so number n is at index n). */
static enum proto_status load_terms(struct handler_ctx *ctx, struct attempt_view *td,
                                   struct reply *rep)
{
	struct store_term *terms;
	size_t n;
	enum proto_status st = handler_terms(ctx, &terms, &n, rep);
	if (st != PROTO_OK)
		return st;
	td->start = calloc(n + 1, sizeof *td->start);
	td->end = calloc(n + 1, sizeof *td->end);
	if (!td->start || !td->end) {
		free(terms);
		return reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	}
	int count = 0;
	for (size_t i = 0; i < n; i++) {
		int k = terms[i].number;
		if (k <= 0 || (size_t)k > n)
			continue;
		td->start[k] = terms[i].start;
		td->end[k] = terms[i].end;
		if (k > count)
			count = k;
	}
	free(terms);
	td->terms = (struct recusal_terms){td->start, td->end, count};
	return PROTO_OK;
}

enum proto_status attempt_view_load(struct handler_ctx *ctx, const struct task *t,
                                    struct attempt_view *v, struct reply *rep)
{
	memset(v, 0, sizeof *v);
	v->rt = (struct recusal_task){
		.id = t->id, .start_at = t->start_at, .end_at = t->end_at,
		.start_day = handler_day_of(t->start_at), .end_day = handler_day_of(t->end_at),
		.capability = task_required_capability(t->kind, t->subject),
		/* A mixed panel's quota 0's; seat_refill() sets the freed seat's. */
		.specialty = pool_specialty_find(ctx->pool, t->specialty),
		.exclude = t->exclude, .n_exclude = t->n_exclude,
	};
	for (int i = 0; i < t->n_orgs; i++)
		v->rt.orgs[v->rt.n_orgs++] = pool_org_find(ctx->pool, t->orgs[i]);
	return load_terms(ctx, v, rep);
}

void attempt_view_free(struct attempt_view *v)
{
	free(v->start);
	free(v->end);
	v->start = v->end = NULL;
}

/* Reveal the committed secret and commit to the next one (DRAW.md 3.2.1). */
static enum proto_status next_secret(struct handler_ctx *ctx,
                                     struct audit_transcript *tr, struct reply *rep)
{
	char why[160] = "";
	enum store_result r = ctx->sign
		? secret_next(ctx->store, ctx->sign, tr->secret, tr->next_commit, why,
		              sizeof why)
		: STORE_UNKNOWN;
	if (r == STORE_UNKNOWN)
		return reply_error(rep, PROTO_E_INTERNAL, NULL, "%s",
		                   why[0] ? why : _("no signing key"));
	return r == STORE_OK ? PROTO_OK : handler_store_error(rep, r);
}

/* A leader named by an operator must be a leader-eligible candidate
 * (DRAW.md 3.6); if not, the request is refused before any secret is
 * revealed, so nothing is recorded. *lead gets its index in the list. */
static enum proto_status attempt_designee(struct handler_ctx *ctx, const struct task *t,
                                          const struct attempt_view *td, uint32_t sid,
                                          size_t *lead, struct reply *rep)
{
	struct designate_check d = designate_check(&ctx->cands, ctx->pool, ctx->engage,
	                                           &td->terms, &td->rt, ctx->rules,
	                                           sid, t->group, t->leader_expert);
	*lead = d.index;
	if (d.verdict == DESIGNATE_OK)
		return PROTO_OK;
	char why[256];
	designate_explain(&d, t->leader_expert, why, sizeof why);
	if (t->id == 0)
		return reply_error(rep, PROTO_E_INVALID_FIELD, "leader_expert", "%s", why);
	/* A redraw keeps the task's designation (PROTOCOL.md 7.10.2). */
	return reply_error(rep, PROTO_E_INVALID_STATE, "task",
	                   "the task's designated leader: %s; cancel the task and "
	                   "draw it again to name another", why);
}

void attempt_free(struct attempt *a)
{
	if (a->tr)
		sodium_memzero(a->tr->secret, sizeof a->tr->secret);
	free(a->tr);
	a->tr = NULL;
}

/* The transcript's head: the secret revealed and the next committed, the
 * draw id, who drew and why, the freed seat, the rules in force and the
 * experts already drawn. */
enum proto_status attempt_begin(struct handler_ctx *ctx, const struct attempt *a,
                                struct audit_transcript *tr, struct reply *rep)
{
	enum proto_status st = next_secret(ctx, tr, rep);
	if (st != PROTO_OK)
		return st;
	tr->draw = store_draw_max_id(ctx->store) + 1;
	snprintf(tr->kind, sizeof tr->kind, "%s", a->kind);
	snprintf(tr->actor, sizeof tr->actor, "%s", ctx->caller->principal);
	snprintf(tr->reason, sizeof tr->reason, "%s", a->reason ? a->reason : "");
	tr->replaces = a->replaces;
	tr->role = a->replaces ? a->role : -1;
	tr->rules = *ctx->rules;
	tr->candidates_encoding = DRAW_LIST_CURRENT;   /* DRAW.md 3.3, draft 16 */
	for (size_t i = 0; i < a->n_also && i < sizeof tr->already_drawn / sizeof tr->already_drawn[0]; i++)
		tr->already_drawn[tr->n_already_drawn++] = a->also[i];
	return PROTO_OK;
}

enum draw_result attempt_pick(struct handler_ctx *ctx, const struct task *t,
                              const struct attempt *a, struct candidates *c,
                              size_t lead, struct audit_transcript *tr,
                              size_t *dropped)
{
	struct draw_spec spec = {.leader = t->leader, .members = (size_t)t->members,
	                         .backups = (size_t)t->backups,
	                         .diversity = ctx->rules->diversity};
	*dropped = 0;
	/* A replacement keeps one employer per panel: candidates whose
	 * employer holds a seat go after the list was hashed. */
	if (a->replaces) {
		spec = replace_spec(a->role, ctx->rules->diversity);
		if (spec.diversity)
			*dropped = replace_drop_employers(c, a->taken, a->n_taken);
	}
	size_t more = 0;
	enum draw_result dres = lead < c->n
		? designate_select(c->list, c->n, lead, &spec, tr->seed, tr->panel,
		                   &tr->n_panel, &more)
		: draw_select_counted(c->list, c->n, &spec, tr->seed, tr->panel,
		                      &tr->n_panel, &more);
	*dropped += more;
	return dres;
}

/* One specialty (DRAW.md 3.1-3.6): the candidates, a named leader
 * checked against them before any secret is revealed, the transcript's
 * head and counts, the seed, the selection. */
static enum proto_status attempt_select(struct handler_ctx *ctx, const struct task *t,
                                        struct attempt *a, struct attempt_view *td,
                                        struct reply *rep)
{
	struct audit_transcript *tr = a->tr;
	struct candidates *c = &ctx->cands;
	uint32_t sid = pool_specialty_find(ctx->pool, t->specialty);
	if (!candidates_collect(c, ctx->pool, ctx->engage, &td->terms, sid, t->group,
	                        &td->rt, ctx->rules, a->also, a->n_also))
		return reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	size_t lead = SIZE_MAX; /* the designated leader's index; SIZE_MAX: none */
	enum proto_status st = t->leader_expert != 0 && !a->replaces
		? attempt_designee(ctx, t, td, sid, &lead, rep) : PROTO_OK;
	if (st == PROTO_OK)
		st = attempt_begin(ctx, a, tr, rep);
	if (st != PROTO_OK)
		return st;
	tr->n_candidates = c->n;
	memcpy(tr->excluded, c->excluded, sizeof tr->excluded);
	tr->outside_group = c->outside_group;
	tr->outside_split = true;   /* the 13-key map (DRAW.md 4.4) */
	draw_list_hash(tr->candidates_hash, audit_list_encoding(tr), c->ids, c->n);
	draw_seed(tr->seed, tr->secret, t->nonce, t->nonce_len, tr->candidates_hash);
	size_t dropped = 0;
	enum draw_result dres = attempt_pick(ctx, t, a, c, lead, tr, &dropped);
	if (dres == DRAW_NO_MEMORY)
		return reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	tr->ok = dres == DRAW_OK;
	tr->diversity_dropped = dropped;
	return PROTO_OK;
}

/* The outcome recorded: a new task's row (an ok first draw), the
 * transcript chained into the audit log, the draws row. */
static enum proto_status attempt_record(struct handler_ctx *ctx, struct task *t,
                                        struct attempt *a, struct reply *rep)
{
	struct audit_transcript *tr = a->tr;
	bool new_task = t->id == 0;
	if (tr->ok && new_task)
		t->id = store_task_max_id(ctx->store) + 1;
	tr->task = tr->ok || !new_task ? t->id : 0;
	tr->req = *t;
	/* A replacement draws at random, also for a designated task's leader
	 * seat; its transcript has no `designated` (DRAW.md 3.6). */
	if (a->replaces) {
		tr->req.leader_expert = 0;
		tr->req.leader_reason[0] = '\0';
	}

	enum store_result r = STORE_OK;
	if (tr->ok && new_task) {
		r = store_task_insert(ctx->store, t);
		struct engage_task et;
		handler_engage_task(ctx->pool, t, &et);
		ctx->engage_dirty = true;
		if (r == STORE_OK && !engage_put_task(ctx->engage, &et))
			return reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	}
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	audit_pack_transcript(handler_audit_begin(ctx), tr);
	enum proto_status st = handler_audit_end(ctx, tr->ok ? AUDIT_DRAW : AUDIT_DRAW_FAILED,
	                                         rep, &a->seq, a->hash);
	if (st != PROTO_OK)
		return st;
	struct store_draw dr = {.id = tr->draw, .task = tr->task, .ok = tr->ok,
	                        .audit_seq = a->seq, .at = ctx->now};
	snprintf(dr.kind, sizeof dr.kind, "%s", a->kind);
	snprintf(dr.actor, sizeof dr.actor, "%s", ctx->caller->principal);
	r = store_draw_insert(ctx->store, &dr);
	return r == STORE_OK ? PROTO_OK : handler_store_error(rep, r);
}

enum proto_status attempt_run(struct handler_ctx *ctx, struct task *t,
                              struct attempt *a, struct reply *rep)
{
	struct attempt_view *td = calloc(1, sizeof *td);
	a->tr = calloc(1, sizeof *a->tr);
	enum proto_status st = (!td || !a->tr)
		? reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory")
		: attempt_view_load(ctx, t, td, rep);
	/* A mixed panel's quotas are attempt_quota.c's (DRAW.md 3.7); its
	 * leader is always drawn. */
	if (st == PROTO_OK)
		st = t->n_quotas ? attempt_quota_select(ctx, t, a, td, rep)
		                 : attempt_select(ctx, t, a, td, rep);
	if (st == PROTO_OK)
		st = attempt_record(ctx, t, a, rep);
	if (td)
		attempt_view_free(td);
	free(td);
	return st;
}
