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
                                              struct reply *rep)
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
	if (why == ASSIGN_CORRECT_SAME && c->to_reason >= 0)
		return reply_error(rep, PROTO_E_INVALID_STATE, "assignment",
		                   "assignment %lld already has the reason %s: nothing to "
		                   "correct", id,
		                   i18n_code("reason", proto_decline_reasons[c->to_reason], w2,
		                             sizeof w2));
	if (why == ASSIGN_CORRECT_SAME)
		return reply_error(rep, PROTO_E_INVALID_STATE, "assignment",
		                   "assignment %lld is already %s: nothing to correct", id,
		                   state);
	if (c->to_reason >= 0)
		return reply_error(rep, PROTO_E_INVALID_STATE, "assignment",
		                   "assignment %lld is %s; only a declined or withdrawn "
		                   "seat's reason is corrected", id, state);
	return reply_error(rep, PROTO_E_INVALID_STATE, "assignment",
	                   "assignment %lld is %s; only a completed or no_show seat's "
	                   "attendance is corrected", id, state);
}

/* The ledger kind the corrected outcome adds (POLICY.md 6.1), or -1. */
static int seat_correct_kind(const struct handler_ctx *ctx,
                             const struct seat_correction *c)
{
	switch (c->to) {
	case ASSIGN_NO_SHOW:
		return POLICY_NO_SHOW;
	case ASSIGN_WITHDRAWN:
		return POLICY_WITHDRAWAL;
	case ASSIGN_DECLINED:
		return policy_decline_kind(&ctx->assign->ledger, c->to_reason);
	default:
		return -1;
	}
}

/* The expert's history: who corrected what, from what to what, and why. */
static enum proto_status seat_correct_expert_event(struct handler_ctx *ctx,
                                                   const struct audit_correction *ac,
                                                   struct reply *rep)
{
	struct store_event ev = {.expert_id = ac->expert, .at = ctx->now};
	snprintf(ev.actor, sizeof ev.actor, "%s", ac->actor);
	snprintf(ev.event, sizeof ev.event, "corrected");
	snprintf(ev.reason, sizeof ev.reason, "%s", ac->reason);
	if (ac->from_reason >= 0)
		snprintf(ev.detail, sizeof ev.detail,
		         "assignment %lld of task %lld: %s (%s) -> %s (%s)",
		         (long long)ac->assignment, (long long)ac->task,
		         proto_assignment_states[ac->from], proto_decline_reasons[ac->from_reason],
		         proto_assignment_states[ac->to], proto_decline_reasons[ac->to_reason]);
	else
		snprintf(ev.detail, sizeof ev.detail, "assignment %lld of task %lld: %s -> %s",
		         (long long)ac->assignment, (long long)ac->task,
		         proto_assignment_states[ac->from], proto_assignment_states[ac->to]);
	enum store_result r = store_event_add(ctx->store, &ev);
	return r == STORE_OK ? PROTO_OK : handler_store_error(rep, r);
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

enum proto_status seat_correct(struct handler_ctx *ctx, struct store_assignment *a,
                               const struct seat_correction *c, int *from_reason,
                               struct reply *rep)
{
	int64_t settled_at;
	enum proto_status st = seat_correct_recorded(ctx, a, from_reason, &settled_at, rep);
	if (st != PROTO_OK)
		return st;
	int reason = a->state == ASSIGN_DECLINED || a->state == ASSIGN_WITHDRAWN
	             ? *from_reason : -1;
	enum assign_correction why = assign_correct(a->state, reason, c->to, c->to_reason);
	if (why != ASSIGN_CORRECT_OK)
		return seat_correct_refused(why, a, reason, c, rep);
	struct store_ledger_event old, add = {.expert = a->expert, .assignment = a->id,
	                                      .task = a->task};
	struct expert e;
	if ((st = ledger_standing(ctx, a->expert, a->id, &old, rep)) != PROTO_OK ||
	    (st = handler_get_expert(ctx, a->expert, &e, rep)) != PROTO_OK)
		return st;
	struct audit_correction ac = {.assignment = a->id, .task = a->task,
	                              .expert = a->expert, .from = a->state, .to = c->to,
	                              .from_reason = reason, .to_reason = c->to_reason,
	                              .withdrawn = old.kind, .ledger = seat_correct_kind(ctx, c)};
	snprintf(ac.actor, sizeof ac.actor, "%s", ctx->caller->principal);
	snprintf(ac.reason, sizeof ac.reason, "%s", c->why);
	/* As if recorded right: the new event stands when the old one did. */
	add.kind = ac.ledger;
	add.at = old.kind >= 0 ? old.at : settled_at;
	if (c->to_reason >= 0)
		snprintf(add.reason, sizeof add.reason, "%s", proto_decline_reasons[c->to_reason]);
	st = seat_correct_write(ctx, a, &ac, rep);
	if (st == PROTO_OK)
		st = seat_correct_expert_event(ctx, &ac, rep);
	if (st == PROTO_OK)
		st = ledger_correct(ctx, a->expert, a->id, add.kind >= 0 ? &add : NULL,
		                    e.status == EXPERT_FLAGGED, rep);
	return st;
}
