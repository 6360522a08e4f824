/*
 * replay_seat.c - the replay of what happens to seats after a draw
 * (DRAW.md 5 steps 6-7): replacement draws' requests and their
 * one seat, seat transitions against the state table, token reissues,
 * task cancellation and fill entries, ledger warnings and flags.
 */
#include <stdio.h>
#include <string.h>

#include "assign.h"
#include "policy.h"
#include "ctl_i18n.h"
#include "proto.h"
#include "replace.h"
#include "replay_int.h"
#include "seat_role.h"

/* A replacement fills a freed seat of an open task, with its request as
 * first drawn (nonce included), leaving out everyone seated before. */
bool replay_replacement_request(struct replay_at *x,
                                       const struct audit_transcript *tr)
{
	const struct replay *r = x->r;
	const struct replay_task *t = replay_task_get(r, tr->task);
	if (!t || t->cancelled)
		return replay_fail(x, _("replacement for task %lld, which is %s"),
		                   (long long)tr->task, t ? "cancelled" : "unknown");
	const char *field = replay_request_differs(&t->req, &tr->req);
	if (!field && (t->req.nonce_len != tr->req.nonce_len ||
	               memcmp(t->req.nonce, tr->req.nonce, t->req.nonce_len) != 0))
		field = "nonce";
	if (field)
		return replay_fail(x, _("replacement for task %lld: request field %s "
		                   "differs from the task's"), (long long)tr->task, field);
	/* The daemon fills seats, whoever freed them (DRAW.md 4.4). */
	if (strcmp(tr->actor, "expertd") != 0)
		return replay_fail(x, _("replacement drawn by %s; the daemon (expertd) draws "
		                   "replacements"), tr->actor);
	if (tr->reason[0])
		return replay_fail(x, _("replacement with a reason; only a redraw has one"));
	const struct replay_seat_ref *ref =
		tr->replaces >= 1 && tr->replaces <= r->last_assignment
		? &r->seats[tr->replaces - 1] : NULL;
	if (!ref || ref->task != tr->task)
		return replay_fail(x, _("replacement for seat %lld, not a seat of task %lld"),
		                   (long long)tr->replaces, (long long)tr->task);
	const struct replay_seat *seat = &t->slots[ref->slot].seat;
	if (!assign_frees_seat(seat->state) || seat->role != tr->role ||
	    seat->role == 2)
		return replay_fail(x, _("replacement for seat %lld, which is a %s seat in "
		                   "state %s: no %s seat was freed"),
		                   (long long)tr->replaces, proto_seat_roles[seat->role],
		                   proto_assignment_states[seat->state],
		                   tr->role >= 0 ? proto_seat_roles[tr->role] : "?");
	/* A mixed panel's seat is refilled from its own quota (DRAW.md 3.7). */
	if (tr->req.n_quotas && seat->quota != tr->quota)
		return replay_fail(x, _("replacement for seat %lld, of quota %d, draws from "
		                   "quota %d"), (long long)tr->replaces, seat->quota,
		                   tr->quota);
	int64_t drawn[TASK_MAX_SEATS * 4];
	size_t n = 0;
	if (!replay_drawn(t, drawn, &n, sizeof drawn / sizeof *drawn) ||
	    n != tr->n_already_drawn ||
	    memcmp(drawn, tr->already_drawn, n * sizeof *drawn) != 0)
		return replay_fail(x, _("already_drawn is not every expert seated on task "
		                   "%lld in order (%zu of them)"), (long long)tr->task, n);
	return true;
}

/* A replacement's one seat; with diversity, the candidates whose
 * employer holds an open seat of the task leave the list (replace.h). */
struct draw_spec replay_replacement_spec(struct replay *r,
                                                const struct audit_transcript *tr,
                                                size_t *dropped)
{
	const struct replay_task *t = replay_task_get(r, tr->task);
	uint32_t taken[TASK_MAX_SEATS];
	size_t n_taken = 0;
	for (size_t i = 0; t && i < t->n && n_taken < TASK_MAX_SEATS; i++) {
		const struct pool_entry *pe = pool_get(r->pool, t->slots[i].seat.expert);
		if (assign_is_open(t->slots[i].seat.state) && pe && pe->employer_org)
			taken[n_taken++] = pe->employer_org;
	}
	struct draw_spec spec = replace_spec(tr->role, tr->rules.diversity);
	if (spec.diversity)
		*dropped = replace_drop_employers(&r->cands, taken, n_taken);
	return spec;
}

/* The seat an entry names: a known seat of its task, held by its expert,
 * in its from state; NULL (the failure recorded) otherwise. */
static struct replay_slot *replay_seat_find(struct replay_at *x,
                                            const struct audit_seat *as)
{
	struct replay *r = x->r;
	const struct replay_seat_ref *ref =
		as->assignment <= r->last_assignment ? &r->seats[as->assignment - 1] : NULL;
	struct replay_task *t = ref ? replay_task_get(r, ref->task) : NULL;
	if (!t || ref->task != as->task) {
		replay_fail(x, _("assignment %lld is not a seat of task %lld"),
		            (long long)as->assignment, (long long)as->task);
		return NULL;
	}
	struct replay_slot *sl = &t->slots[ref->slot];
	if (sl->seat.expert != as->expert) {
		replay_fail(x, _("assignment %lld is held by expert %lld, not %lld"),
		            (long long)as->assignment, (long long)sl->seat.expert,
		            (long long)as->expert);
		return NULL;
	}
	if (sl->seat.state != as->from) {
		replay_fail(x, _("assignment %lld is %s, not %s"), (long long)as->assignment,
		            proto_assignment_states[sl->seat.state],
		            proto_assignment_states[as->from]);
		return NULL;
	}
	return sl;
}

/* A seat transition: a known seat of the task and expert, from its
 * current state, by a transition the table allows (PROTOCOL.md 7.12.1). */
bool replay_seat(struct replay_at *x, const msgpack_object *body)
{
	struct replay *r = x->r;
	struct audit_seat as;

	if (!audit_read_seat(body, &as))
		return replay_unparsed(x);
	struct replay_slot *sl = replay_seat_find(x, &as);
	if (!sl)
		return false;
	if (assign_next(as.from, (enum assign_event)as.event) != as.to)
		return replay_fail(x, _("assignment %lld: %s from %s to %s is not a "
		                   "transition"), (long long)as.assignment,
		                   assign_event_names[as.event],
		                   proto_assignment_states[as.from],
		                   proto_assignment_states[as.to]);
	char want[48];
	snprintf(want, sizeof want, "%s%s", AUDIT_SEAT_PREFIX,
	         proto_assignment_states[as.to]);
	if (strcmp(want, x->type) != 0)
		return replay_fail(x, _("an entry of type %s records a seat going to %s"),
		                   x->type, proto_assignment_states[as.to]);
	if (as.event != ASSIGN_EV_PROMOTE && as.role != sl->seat.role)
		return replay_fail(x, _("assignment %lld has role %s, not %s"),
		                   (long long)as.assignment, proto_seat_roles[sl->seat.role],
		                   proto_seat_roles[as.role]);
	/* A promotion fills the seat freed just before (PROTOCOL.md 7.12.4). */
	if (as.event == ASSIGN_EV_PROMOTE && !replay_settle_promoted(x, &as, sl))
		return false;
	sl->seat.state = as.to;
	sl->seat.role = as.role;
	sl->seat.seq = x->seq;
	sl->reason = proto_choice_index(proto_decline_reasons, as.reason, strlen(as.reason));
	sl->ledger = as.ledger;
	replay_settle_open(x, &as, sl);
	struct engage_assignment ea = {.id = sl->assignment, .task = as.task,
	                               .state = as.to};
	if (!engage_put_assignment(r->engage, as.expert, &ea))
		return replay_nomem(x);
	r->stats.transitions++;
	return true;
}

/* A new token (PROTOCOL.md 7.12.9): a known seat that is offered, with
 * its role; it stays offered. The token itself is never logged. */
bool replay_reissue(struct replay_at *x, const msgpack_object *body)
{
	struct audit_seat as;

	if (!audit_read_reissue(body, &as))
		return replay_unparsed(x);
	struct replay_slot *sl = replay_seat_find(x, &as);
	if (!sl)
		return false;
	if (as.role != sl->seat.role)
		return replay_fail(x, _("assignment %lld has role %s, not %s"),
		                   (long long)as.assignment, proto_seat_roles[sl->seat.role],
		                   proto_seat_roles[as.role]);
	/* Counted with the transitions: every assignment.* entry is. */
	x->r->stats.transitions++;
	return true;
}

/* The ledger kinds a correction names against the seat's standing one
 * and the outcome it corrects to (POLICY.md 6.1; which declines are
 * excused is the daemon's configuration, so either decline kind). */
static bool replay_correction_ledger(struct replay_at *x,
                                     const struct audit_correction *c,
                                     const struct replay_slot *sl)
{
	int want = c->to == ASSIGN_NO_SHOW ? POLICY_NO_SHOW
	           : c->to == ASSIGN_WITHDRAWN ? POLICY_WITHDRAWAL : -1;
	bool declined = c->to == ASSIGN_DECLINED &&
	                (c->ledger == POLICY_DECLINE || c->ledger == POLICY_EXCUSED);
	if (c->withdrawn != sl->ledger)
		return replay_fail(x, _("assignment %lld: the correction withdraws a %s "
		                   "ledger event; the seat's is %s"), (long long)c->assignment,
		                   c->withdrawn >= 0 ? policy_kind_names[c->withdrawn] : "no",
		                   sl->ledger >= 0 ? policy_kind_names[sl->ledger] : "none");
	if (!declined && c->ledger != want)
		return replay_fail(x, _("assignment %lld corrected to %s adds a %s ledger "
		                   "event"), (long long)c->assignment,
		                   proto_assignment_states[c->to],
		                   c->ledger >= 0 ? policy_kind_names[c->ledger] : "no");
	return true;
}

/* A decline corrected to an acceptance: an open task, and a place of
 * the seat's role (and quota) that no seat holds (PROTOCOL.md 7.12.16). */
static bool replay_correction_place(struct replay_at *x,
                                    const struct audit_correction *c,
                                    const struct replay_slot *sl)
{
	const struct replay_task *t = replay_task_get(x->r, c->task);
	if (t->cancelled)
		return replay_fail(x, _("assignment %lld is accepted on task %lld, which "
		                   "is cancelled"), (long long)c->assignment, (long long)c->task);
	int held = 0, role = sl->seat.role;
	for (size_t i = 0; i < t->n; i++) {
		const struct replay_seat *s = &t->slots[i].seat;
		held += s->role == role && assign_holds_place(s->state) &&
		        (role == SEAT_LEADER || s->quota == sl->seat.quota);
	}
	if (held < task_places(&t->req, role, sl->seat.quota))
		return true;
	return replay_fail(x, _("assignment %lld is accepted again, but every %s place of "
	                   "task %lld is held"), (long long)c->assignment,
	                   proto_seat_roles[role], (long long)c->task);
}

/* A correction (PROTOCOL.md 7.12.16): a known settled seat, from the
 * state and reason last recorded, to what assign_correct() allows; the
 * seat's state, reason and ledger kind become the entry's. */
bool replay_correction(struct replay_at *x, const msgpack_object *body)
{
	struct audit_correction c;
	if (!audit_read_correction(body, &c))
		return replay_unparsed(x);
	struct audit_seat as = {.assignment = c.assignment, .task = c.task,
	                        .expert = c.expert, .from = c.from};
	struct replay_slot *sl = replay_seat_find(x, &as);
	if (!sl)
		return false;
	if (c.from_reason >= 0 && c.from_reason != sl->reason)
		return replay_fail(x, _("assignment %lld: the correction is from reason %s; "
		                   "the seat's is %s"), (long long)c.assignment,
		                   policy_reason_names[c.from_reason],
		                   sl->reason >= 0 ? policy_reason_names[sl->reason] : "none");
	if (assign_correct(c.from, c.from_reason, c.to, c.to_reason) != ASSIGN_CORRECT_OK)
		return replay_fail(x, _("assignment %lld: %s to %s is not a correction"),
		                   (long long)c.assignment, proto_assignment_states[c.from],
		                   proto_assignment_states[c.to]);
	if (!replay_correction_ledger(x, &c, sl) ||
	    (c.to == ASSIGN_ACCEPTED && !replay_correction_place(x, &c, sl)))
		return false;
	sl->seat.state = c.to;
	sl->seat.seq = x->seq;
	sl->reason = c.to_reason;
	sl->ledger = c.ledger;
	struct engage_assignment ea = {.id = sl->assignment, .task = c.task, .state = c.to};
	if (!engage_put_assignment(x->r->engage, c.expert, &ea))
		return replay_nomem(x);
	/* An acceptance may fill the task: its fill state's entry is owed. */
	if (c.to == ASSIGN_ACCEPTED)
		replay_settle_redrawn(x, c.task);
	x->r->stats.transitions++;
	return true;
}

/* task.cancelled, task.filled, task.short: a known task; a cancellation
 * needs it open, and its open seats were cancelled just before. */
bool replay_task_event(struct replay_at *x, const msgpack_object *body)
{
	int64_t id;
	if (!audit_read_task_event(x->type, body, &id))
		return replay_unparsed(x);
	struct replay_task *t = replay_task_get(x->r, id);
	if (!t || t->cancelled)
		return replay_fail(x, _("task %lld is %s"), (long long)id,
		                   t ? "cancelled" : "unknown");
	if (strcmp(x->type, AUDIT_TASK_CANCELLED) != 0)
		return replay_settle_fill_entry(x, body);
	for (size_t i = 0; i < t->n; i++)
		if (assign_is_open(t->slots[i].seat.state))
			return replay_fail(x, _("task %lld is cancelled while assignment %lld "
			                   "is still %s"), (long long)id,
			                   (long long)t->slots[i].assignment,
			                   proto_assignment_states[t->slots[i].seat.state]);
	t->cancelled = true;
	return true;
}

bool replay_expert_warned(struct replay_at *x, const msgpack_object *body)
{
	int64_t id;
	if (!audit_read_expert_warned(body, &id))
		return replay_unparsed(x);
	if (!pool_get(x->r->pool, id))
		return replay_fail(x, _("expert %lld is not in the pool"), (long long)id);
	return true;
}

/* A flag set by the ledger: a pool change like pool.expert, to flagged. */
bool replay_expert_flagged(struct replay_at *x, const msgpack_object *body)
{
	struct expert e;
	if (!audit_read_expert(body, &e))
		return replay_unparsed(x);
	if (e.status != EXPERT_FLAGGED || !pool_get(x->r->pool, e.id))
		return replay_fail(x, _("%s must flag a known expert"), AUDIT_EXPERT_FLAGGED);
	return replay_expert(x, body);
}

