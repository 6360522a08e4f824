/*
 * seat_correct.c - an operator corrects a settled seat's recorded
 * outcome (PROTOCOL.md 7.12.16, POLICY.md 6.5): attendance completed <->
 * no_show, or the reason of a decline or withdrawal. Not a transition:
 * the seat stays settled and its place on the panel is what it was. The
 * seat's history, the expert's history and the audit log keep the
 * outcome recorded and the one corrected to; the ledger follows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "seat_role.h"
#include "ledger.h"
#include "reply.h"
#include "seat.h"

/* What the seat's history recorded: its reason (enum policy_reason, -1:
 * none; a correction's row carries the reason it gave) and when its
 * outcome was settled (the last row that is not a correction). */
static enum proto_status seat_correct_recorded(struct handler_ctx *ctx,
                                               const struct store_assignment *a,
                                               int *reason, int64_t *settled_at,
                                               struct reply *rep)
{
	struct store_seat_event *ev = NULL;
	size_t n = 0;
	*reason = -1;
	*settled_at = a->updated_at;
	enum store_result r = store_seat_event_list(ctx->store, a->task, &ev, &n);
	if (r != STORE_OK) {
		free(ev);
		return handler_store_error(rep, r);
	}
	for (size_t i = 0; i < n; i++) {
		if (ev[i].assignment != a->id)
			continue;
		bool corrects = strcmp(ev[i].event, "correct") == 0;
		if (!corrects)
			*settled_at = ev[i].at;
		if (!corrects || ev[i].reason[0])
			*reason = proto_choice_index(proto_decline_reasons, ev[i].reason,
			                             strlen(ev[i].reason));
	}
	free(ev);
	return PROTO_OK;
}

/* Why assign_correct() refused, as the request's error. */
static enum proto_status seat_correct_refused(enum assign_correction why,
                                              const struct store_assignment *a,
                                              int from_reason,
                                              const struct seat_correction *c,
                                              int to_reason, struct reply *rep)
{
	char w[I18N_CODE_MAX], w2[I18N_CODE_MAX];
	const char *state = i18n_code("seat_state", proto_assignment_states[a->state], w,
	                              sizeof w);
	long long id = (long long)a->id;
	if (why == ASSIGN_CORRECT_CONFLICT && from_reason == POLICY_REASON_CONFLICT)
		return reply_error(rep, PROTO_E_INVALID_STATE, "assignment",
		                   "assignment %lld gave a conflict of interest as its "
		                   "reason, which stays recorded; that reason is not "
		                   "corrected", id);
	if (why == ASSIGN_CORRECT_CONFLICT)
		return reply_error(rep, PROTO_E_INVALID_FIELD, "decline_reason",
		                   "a correction does not give the reason conflict: record "
		                   "the conflict of interest with conflict.add");
	if (why == ASSIGN_CORRECT_SAME && to_reason >= 0)
		return reply_error(rep, PROTO_E_INVALID_STATE, "assignment",
		                   "assignment %lld is already %s for the reason %s: nothing "
		                   "to correct", id, state,
		                   i18n_code("reason", proto_decline_reasons[to_reason], w2,
		                             sizeof w2));
	if (why == ASSIGN_CORRECT_SAME)
		return reply_error(rep, PROTO_E_INVALID_STATE, "assignment",
		                   "assignment %lld is already %s: nothing to correct", id,
		                   state);
	if (c->to == ASSIGN_ACCEPTED && a->state == ASSIGN_DECLINED)
		return reply_error(rep, PROTO_E_INVALID_FIELD, "decline_reason",
		                   "an acceptance takes no reason");
	if ((c->to == ASSIGN_COMPLETED || c->to == ASSIGN_NO_SHOW) && to_reason < 0)
		return reply_error(rep, PROTO_E_INVALID_STATE, "assignment",
		                   "assignment %lld is %s; only a completed or no_show seat's "
		                   "attendance is corrected", id, state);
	return reply_error(rep, PROTO_E_INVALID_STATE, "assignment",
	                   "assignment %lld is %s; only a declined or withdrawn seat's "
	                   "answer is corrected (a decline to an acceptance, where its "
	                   "place is still empty)", id, state);
}

/* The ledger kind the corrected outcome adds (POLICY.md 6.1), or -1. */
static int seat_correct_kind(const struct handler_ctx *ctx, int to, int to_reason)
{
	switch (to) {
	case ASSIGN_NO_SHOW:
		return POLICY_NO_SHOW;
	case ASSIGN_WITHDRAWN:
		return POLICY_WITHDRAWAL;
	case ASSIGN_DECLINED:
		return policy_decline_kind(&ctx->assign->ledger, to_reason);
	default:
		return -1;
	}
}

/* "declined (schedule)", "completed": a state and its reason, if any. */
static void seat_correct_outcome(char *buf, size_t size, int state, int reason)
{
	if (reason >= 0)
		snprintf(buf, size, "%s (%s)", proto_assignment_states[state],
		         proto_decline_reasons[reason]);
	else
		snprintf(buf, size, "%s", proto_assignment_states[state]);
}

/* The expert's history: who corrected what, from what to what, and why. */
static enum proto_status seat_correct_expert_event(struct handler_ctx *ctx,
                                                   const struct audit_correction *ac,
                                                   struct reply *rep)
{
	struct store_event ev = {.expert_id = ac->expert, .at = ctx->now};
	char from[64], to[64];
	seat_correct_outcome(from, sizeof from, ac->from, ac->from_reason);
	seat_correct_outcome(to, sizeof to, ac->to, ac->to_reason);
	snprintf(ev.actor, sizeof ev.actor, "%s", ac->actor);
	snprintf(ev.event, sizeof ev.event, "corrected");
	snprintf(ev.reason, sizeof ev.reason, "%s", ac->reason);
	snprintf(ev.detail, sizeof ev.detail, "assignment %lld of task %lld: %s -> %s",
	         (long long)ac->assignment, (long long)ac->task, from, to);
	enum store_result r = store_event_add(ctx->store, &ev);
	return r == STORE_OK ? PROTO_OK : handler_store_error(rep, r);
}

/* A decline corrected to an acceptance takes its place back only where
 * the panel still has one of its role empty: a place refilled since is
 * another expert's, and the draws that seated them stand. */
static enum proto_status seat_correct_place(struct handler_ctx *ctx, const struct task *t,
                                            const struct store_assignment *a,
                                            struct reply *rep)
{
	char w[I18N_CODE_MAX];
	if (t->state != TASK_OPEN)
		return reply_error(rep, PROTO_E_INVALID_STATE, "assignment",
		                   "task %lld is cancelled: assignment %lld cannot be "
		                   "accepted", (long long)t->id, (long long)a->id);
	struct store_assignment *as = NULL;
	size_t n = 0;
	enum store_result r = store_assignment_list(ctx->store, t->id, &as, &n);
	if (r != STORE_OK) {
		free(as);
		return handler_store_error(rep, r);
	}
	int held = 0;
	for (size_t i = 0; i < n; i++)
		held += as[i].role == a->role && assign_holds_place(as[i].state) &&
		        (a->role == SEAT_LEADER || as[i].quota == a->quota);
	free(as);
	if (held < task_places(t, a->role, a->quota))
		return PROTO_OK;
	return reply_error(rep, PROTO_E_INVALID_STATE, "assignment",
	                   "assignment %lld cannot be accepted: every %s place of task "
	                   "%lld is held by another expert since its decline; a new "
	                   "draw, not a correction, gives it back", (long long)a->id,
	                   i18n_code("role", proto_seat_roles[a->role], w, sizeof w),
	                   (long long)t->id);
}

/* The seat, its history row and the audit entry of the correction. */
static enum proto_status seat_correct_write(struct handler_ctx *ctx,
                                            struct store_assignment *a,
                                            const struct audit_correction *ac,
                                            struct reply *rep)
{
	a->state = ac->to;
	a->updated_at = ctx->now;
	enum store_result r = store_assignment_update(ctx->store, a);
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	enum proto_status st = seat_engage(ctx, a, rep);
	if (st == PROTO_OK)
		st = seat_history(ctx, a, "correct", ac->from, SEAT_CH_OTHER,
		                  ac->to_reason >= 0 ? proto_decline_reasons[ac->to_reason] : "",
		                  ac->reason, rep);
	if (st != PROTO_OK)
		return st;
	audit_pack_correction(handler_audit_begin(ctx), ac);
	return handler_audit_end(ctx, AUDIT_SEAT_CORRECTED, rep, NULL, NULL);
}

enum proto_status seat_correct(struct handler_ctx *ctx, struct task *t,
                               struct store_assignment *a,
                               struct seat_correction *c, struct reply *rep)
{
	int64_t settled_at;
	int recorded;
	enum proto_status st = seat_correct_recorded(ctx, a, &recorded, &settled_at, rep);
	if (st != PROTO_OK)
		return st;
	bool reasoned = a->state == ASSIGN_DECLINED || a->state == ASSIGN_WITHDRAWN;
	int reason = reasoned ? recorded : -1;
	int to_reason = c->keep_reason ? reason : c->to_reason;
	c->to_reason = to_reason;   /* the caller's result */
	c->keep_reason = false;
	enum assign_correction why = assign_correct(a->state, reason, c->to, to_reason);
	if (why != ASSIGN_CORRECT_OK)
		return seat_correct_refused(why, a, reason, c, to_reason, rep);
	if (c->to == ASSIGN_ACCEPTED && (st = seat_correct_place(ctx, t, a, rep)) != PROTO_OK)
		return st;
	struct store_ledger_event old, add = {.expert = a->expert, .assignment = a->id,
	                                      .task = a->task};
	struct expert e;
	if ((st = ledger_standing(ctx, a->expert, a->id, &old, rep)) != PROTO_OK ||
	    (st = handler_get_expert(ctx, a->expert, &e, rep)) != PROTO_OK)
		return st;
	struct audit_correction ac = {.assignment = a->id, .task = a->task,
	                              .expert = a->expert, .from = a->state, .to = c->to,
	                              .from_reason = reason, .to_reason = to_reason,
	                              .withdrawn = old.kind,
	                              .ledger = seat_correct_kind(ctx, c->to, to_reason)};
	snprintf(ac.actor, sizeof ac.actor, "%s", ctx->caller->principal);
	snprintf(ac.reason, sizeof ac.reason, "%s", c->why);
	/* As if recorded right: the new event stands when the old one did. */
	add.kind = ac.ledger;
	add.at = old.kind >= 0 ? old.at : settled_at;
	if (to_reason >= 0)
		snprintf(add.reason, sizeof add.reason, "%s", proto_decline_reasons[to_reason]);
	st = seat_correct_write(ctx, a, &ac, rep);
	/* An acceptance may fill the task: its entry before the ledger's. */
	if (st == PROTO_OK && c->to == ASSIGN_ACCEPTED)
		st = seat_refresh_fill(ctx, t, NULL, rep);
	if (st == PROTO_OK)
		st = seat_correct_expert_event(ctx, &ac, rep);
	if (st == PROTO_OK)
		st = ledger_correct(ctx, a->expert, a->id, add.kind >= 0 ? &add : NULL,
		                    e.status == EXPERT_FLAGGED, rep);
	return st;
}
