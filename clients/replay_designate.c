/*
 * replay_designate.c - the replay of a designated leader (DRAW.md 3.6,
 * 5 step 6): a transcript's `designated` expert must have been a
 * leader-eligible candidate of its own list and sits in seat 0; a redraw
 * repeats its task's designation; a replacement has none. Selection
 * itself is designate_select(), the daemon's.
 */
#include <stdint.h>
#include <string.h>

#include "ctl_i18n.h"
#include "designate.h"
#include "replay_int.h"

bool replay_designation(struct replay_at *x, const struct audit_transcript *tr)
{
	const struct task *q = &tr->req;
	if (q->leader_expert && strcmp(tr->kind, REPLAY_KIND_REPLACEMENT) == 0)
		return replay_fail(x, _("a replacement names a designated leader; its "
		                   "seat is drawn at random"));
	if (q->leader_expert && !q->leader)
		return replay_fail(x, _("designated leader %lld, but the request has no "
		                   "leader seat"), (long long)q->leader_expert);
	if (strcmp(tr->kind, REPLAY_KIND_REDRAW) != 0)
		return true;
	/* replay_draw_request() found the task. */
	const struct task *first = &replay_task_get(x->r, tr->task)->req;
	if (first->leader_expert != q->leader_expert)
		return replay_fail(x, _("redraw of task %lld: designated leader %lld, the "
		                   "task's is %lld (0: none)"), (long long)tr->task,
		                   (long long)q->leader_expert,
		                   (long long)first->leader_expert);
	if (strcmp(first->leader_reason, q->leader_reason) != 0)
		return replay_fail(x, _("redraw of task %lld: the designation's reason "
		                   "differs from the task's"), (long long)tr->task);
	return true;
}

bool replay_designee(struct replay_at *x, const struct audit_transcript *tr,
                     size_t *lead)
{
	const struct task *q = &tr->req;
	const struct replay *r = x->r;
	if (!q->leader_expert)
		return true;
	struct recusal_task rt;
	struct recusal_terms terms;
	replay_recusal_view(r, tr, &rt, &terms);
	struct designate_check d = designate_check(
		&r->cands, r->pool, r->engage, &terms, &rt, &tr->rules,
		pool_specialty_find(r->pool, q->specialty), q->group, q->leader_expert);
	if (d.verdict != DESIGNATE_OK) {
		char why[256];
		designate_explain(&d, q->leader_expert, why, sizeof why);
		return replay_fail(x, _("the designated leader may not lead: %s"), why);
	}
	if (tr->n_panel == 0 || tr->panel[0] != q->leader_expert)
		return replay_fail(x, _("seat 0 is not the designated leader %lld"),
		                   (long long)q->leader_expert);
	*lead = d.index;
	return true;
}
