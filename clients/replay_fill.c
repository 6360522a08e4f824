/*
 * replay_fill.c - what a seat transition sets off, in the entries right
 * after it (PROTOCOL.md 7.12.4; DRAW.md 4.2, 5 step 7): a seat freed
 * before its task's start is followed by its fill, a promotion or a
 * replacement draw, and by nothing else that could take its place; the
 * task's fill state is recomputed where the daemon recomputes it, and
 * task.filled / task.short come exactly when it changes, saying what the
 * daemon would have said.
 */
#include <stdio.h>
#include <string.h>

#include "assign.h"
#include "ctl_i18n.h"
#include "proto.h"
#include "replay_int.h"
#include "seat_role.h"

/* The principal that fills seats, whoever freed them (PROTOCOL.md 7.12.2). */
#define REPLAY_DAEMON "expertd"

bool replay_drawn(const struct replay_task *t, int64_t *out, size_t *n, size_t max)
{
	*n = 0;
	for (size_t i = 0; i < t->n; i++) {
		bool seen = false;
		for (size_t j = 0; j < *n && !seen; j++)
			seen = out[j] == t->slots[i].seat.expert;
		if (seen)
			continue;
		if (*n == max)
			return false;
		out[(*n)++] = t->slots[i].seat.expert;
	}
	return true;
}

/* The task's fill state as seat_refresh_fill() computes it from its
 * seats (PROTOCOL.md 7.12.4), and the needed seats without an expert. */
static int replay_fill_of(const struct replay_task *t, int64_t *empty)
{
	int accepted = 0, offered = 0;
	for (size_t i = 0; i < t->n; i++) {
		const struct replay_seat *s = &t->slots[i].seat;
		if (s->role == SEAT_BACKUP)
			continue;
		accepted += s->state == ASSIGN_ACCEPTED || s->state == ASSIGN_COMPLETED ||
		            s->state == ASSIGN_NO_SHOW;
		offered += s->state == ASSIGN_OFFERED;
	}
	int needed = task_needed(&t->req);
	*empty = needed - accepted - offered;
	return accepted >= needed ? TASK_FILLED
	       : accepted + offered < needed ? TASK_SHORT : TASK_FILLING;
}

/* The fill entry the task owes once g's entries are in: TASK_FILLED,
 * TASK_SHORT, or -1 (none: unchanged, filling, or a cancelled task). */
static int replay_fill_owed(const struct replay *r, const struct replay_settle *g,
                            int *fill, int64_t *empty)
{
	const struct replay_task *t = replay_task_get(r, g->task);
	*empty = 0;
	if (!t || t->cancelled)
		return -1;
	*fill = replay_fill_of(t, empty);
	if (*fill == t->fill)
		return -1;
	return *fill == TASK_FILLED || *fill == TASK_SHORT ? *fill : -1;
}

static const char *replay_fill_type(int want)
{
	return want == TASK_FILLED ? AUDIT_TASK_FILLED : AUDIT_TASK_SHORT;
}

static bool replay_is_caused(const char *type)
{
	return strcmp(type, AUDIT_CONFLICT) == 0 || strcmp(type, AUDIT_EXPERT_WARNED) == 0 ||
	       strcmp(type, AUDIT_EXPERT_FLAGGED) == 0;
}

static bool replay_is_fill(const char *type)
{
	return strcmp(type, AUDIT_SEAT_PREFIX "offered") == 0 ||
	       strcmp(type, AUDIT_DRAW) == 0 || strcmp(type, AUDIT_DRAW_FAILED) == 0;
}

static bool replay_waits_fill(const struct replay_settle *g)
{
	return g->seq && g->must_fill && !g->filled;
}

/* The freed seat of g is followed by `what`, not by its fill. */
static bool replay_not_filled(struct replay_at *x, const struct replay_settle *g,
                              const char *what)
{
	return replay_fail(x, _("assignment %lld of task %lld was %s at seq %lld, before "
	                   "the task's start, and is not filled: a promotion or a "
	                   "replacement draw for it must follow, not %s"),
	                   (long long)g->assignment, (long long)g->task,
	                   proto_assignment_states[g->to], (long long)g->seq, what);
}

bool replay_settle_admit(struct replay_at *x)
{
	struct replay_settle *g = &x->r->settle;
	if (!g->seq)
		return true;
	/* Conflict and ledger entries come first (DRAW.md 4.2). */
	if (!g->filled && !g->fill_checked && replay_is_caused(x->type))
		return true;
	if (replay_waits_fill(g)) {
		if (replay_is_fill(x->type))
			return true;   /* replay_settle_promoted / _draw check whose */
		if (!g->may_skip)
			return replay_not_filled(x, g, x->type);
		g->filled = true;  /* nothing can be drawn: the task is short */
	}
	if (!g->fill_checked) {
		int fill = -1;
		g->fill_checked = true;
		g->want = replay_fill_owed(x->r, g, &fill, &g->empty);
		if (fill >= 0)
			replay_task_get(x->r, g->task)->fill = fill;
	}
	if (g->want >= 0) {
		if (strcmp(x->type, replay_fill_type(g->want)) == 0)
			return true;   /* replay_settle_fill_entry checks its body */
		return replay_fail(x, _("task %lld is %s after seq %lld: %s must follow, not %s"),
		                   (long long)g->task, proto_fill_states[g->want],
		                   (long long)g->seq, replay_fill_type(g->want), x->type);
	}
	g->seq = 0;
	return true;
}

void replay_settle_open(struct replay_at *x, const struct audit_seat *as,
                        const struct replay_slot *sl)
{
	struct replay *r = x->r;
	struct replay_settle *g = &r->settle;
	const struct replay_task *t = replay_task_get(r, as->task);
	/* A cancellation is task.cancel's or a redraw's; a promotion is a fill. */
	if (as->event == ASSIGN_EV_CANCEL || as->event == ASSIGN_EV_PROMOTE || !t)
		return;
	*g = (struct replay_settle){.seq = x->seq, .task = as->task,
	                            .assignment = as->assignment, .role = sl->seat.role,
	                            .quota = sl->seat.quota, .to = as->to, .want = -1};
	g->must_fill = assign_frees_seat(as->to) && sl->seat.role != SEAT_BACKUP &&
	               !t->cancelled && x->at < t->req.start_at;
	if (!g->must_fill)
		return;
	int64_t drawn[TASK_MAX_SEATS * 4];
	size_t n;
	g->may_skip = !replay_drawn(t, drawn, &n, sizeof drawn / sizeof *drawn);
	r->stats.freed++;
}

void replay_settle_redrawn(struct replay_at *x, int64_t task)
{
	x->r->settle = (struct replay_settle){.seq = x->seq, .task = task, .want = -1};
}

/* The specialty a seat of task `task` in quota `quota` was drawn for
 * (a mixed panel's quota's), or NULL for a task never drawn. */
static const char *replay_seat_specialty(const struct replay *r, int64_t task,
                                         int quota)
{
	const struct replay_task *t = replay_task_get(r, task);
	if (!t)
		return NULL;
	if (t->req.n_quotas == 0)
		return t->req.specialty;
	return quota >= 0 && quota < t->req.n_quotas ? t->req.quotas[quota].specialty
	                                             : NULL;
}

bool replay_settle_promoted(struct replay_at *x, const struct audit_seat *as,
                            const struct replay_slot *sl)
{
	struct replay_settle *g = &x->r->settle;
	char what[96];
	snprintf(what, sizeof what, _("a promotion on task %lld"), (long long)as->task);
	if (!replay_waits_fill(g))
		return replay_fail(x, _("assignment %lld is promoted, but no seat of task %lld "
		                   "was freed just before"), (long long)as->assignment,
		                   (long long)as->task);
	if (as->task != g->task)
		return replay_not_filled(x, g, what);
	if (as->role != g->role || sl->seat.quota != g->quota)
		return replay_fail(x, _("assignment %lld is promoted as %s of quota %d; the "
		                   "seat freed at seq %lld is %s of quota %d"),
		                   (long long)as->assignment, proto_seat_roles[as->role],
		                   sl->seat.quota, (long long)g->seq, proto_seat_roles[g->role],
		                   g->quota);
	const struct pool_entry *pe = pool_get(x->r->pool, as->expert);
	if (as->role == SEAT_LEADER && (!pe || !pe->leader))
		return replay_fail(x, _("assignment %lld is promoted to the leader seat, but "
		                   "expert %lld may not lead"), (long long)as->assignment,
		                   (long long)as->expert);
	const char *spec = replay_seat_specialty(x->r, as->task, sl->seat.quota);
	if (pe && spec && !pool_entry_eligible_in(pe, pool_specialty_find(x->r->pool, spec)))
		return replay_fail(x, _("assignment %lld is promoted, but expert %lld is not "
		                   "eligible in the specialty %s (rule 13, relaxation)"),
		                   (long long)as->assignment, (long long)as->expert, spec);
	if (strcmp(as->actor, REPLAY_DAEMON) != 0)
		return replay_fail(x, _("a promotion by %s; the daemon (%s) fills seats"),
		                   as->actor, REPLAY_DAEMON);
	g->filled = true;
	return true;
}

bool replay_settle_draw(struct replay_at *x, const struct audit_transcript *tr)
{
	struct replay_settle *g = &x->r->settle;
	bool replacement = strcmp(tr->kind, REPLAY_KIND_REPLACEMENT) == 0;
	if (!replay_waits_fill(g)) {
		if (!replacement)
			return true;
		return replay_fail(x, _("replacement for seat %lld, which was not freed just "
		                   "before: a replacement draw follows the entry that frees "
		                   "its seat"), (long long)tr->replaces);
	}
	char what[96];
	snprintf(what, sizeof what, _("a draw of kind %s for seat %lld"), tr->kind,
	         (long long)tr->replaces);
	if (!replacement || tr->replaces != g->assignment)
		return replay_not_filled(x, g, what);
	g->filled = true;
	g->draw = tr->draw;
	/* A mixed panel's replacement counts its one list (DRAW.md 4.4). */
	const uint64_t *ex = tr->n_quotas ? tr->quotas[0].excluded : tr->excluded;
	memcpy(g->excluded, ex, sizeof g->excluded);
	g->outside_group = tr->n_quotas ? tr->quotas[0].outside_group : tr->outside_group;
	return true;
}

/* task.short's draw, empty seats and counts against what g owes. */
static bool replay_short_body(struct replay_at *x, const struct replay_settle *g,
                              const struct audit_task_short *ts)
{
	struct audit_excluded want, got;
	static const uint64_t none[RULE__COUNT];
	if (ts->draw != g->draw && g->draw)
		return replay_fail(x, _("%s for task %lld names draw %lld; the seat freed at "
		                   "seq %lld was drawn for by draw %lld"), AUDIT_TASK_SHORT,
		                   (long long)ts->task, (long long)ts->draw, (long long)g->seq,
		                   (long long)g->draw);
	if (ts->draw != g->draw)
		return replay_fail(x, _("%s for task %lld names draw %lld; the seat freed at "
		                   "seq %lld was not drawn for"), AUDIT_TASK_SHORT,
		                   (long long)ts->task, (long long)ts->draw, (long long)g->seq);
	if (ts->empty != g->empty)
		return replay_fail(x, _("%s for task %lld: %lld empty seats; the replay has %lld"),
		                   AUDIT_TASK_SHORT, (long long)ts->task, (long long)ts->empty,
		                   (long long)g->empty);
	audit_excluded_of(&want, g->draw ? g->excluded : none,
	                  g->draw ? g->outside_group : 0, ts->split);
	audit_excluded_of(&got, ts->excluded, ts->outside_group, ts->split);
	for (size_t k = 0; k < want.n; k++)
		if (want.count[k] != got.count[k])
			return replay_fail(x, _("%s for task %lld: excluded[%s] is %llu; draw %lld "
			                   "counted %llu"), AUDIT_TASK_SHORT, (long long)ts->task,
			                   want.key[k], (unsigned long long)got.count[k],
			                   (long long)g->draw, (unsigned long long)want.count[k]);
	return true;
}

bool replay_settle_fill_entry(struct replay_at *x, const msgpack_object *body)
{
	struct replay_settle *g = &x->r->settle;
	bool filled = strcmp(x->type, AUDIT_TASK_FILLED) == 0;
	int want = filled ? TASK_FILLED : TASK_SHORT;
	struct audit_task_short ts = {0};
	if (!filled && !audit_read_task_short(body, &ts))
		return replay_unparsed(x);
	if (filled && !audit_read_task_event(x->type, body, &ts.task))
		return replay_unparsed(x);
	if (!g->seq || !g->fill_checked || g->want != want || ts.task != g->task)
		return replay_fail(x, _("%s for task %lld, whose fill did not just become %s"),
		                   x->type, (long long)ts.task, proto_fill_states[want]);
	if (!filled && !replay_short_body(x, g, &ts))
		return false;
	g->seq = 0;
	return true;
}

int64_t replay_end(struct replay *r, char *why, size_t whysz)
{
	const struct replay_settle *g = &r->settle;
	struct replay_at x = {.r = r, .seq = g->seq, .why = why, .whysz = whysz};
	if (why && whysz)
		why[0] = '\0';
	if (r->spent || !g->seq)
		return r->spent ? r->spent_seq : 0;
	int fill = -1;
	int64_t empty;
	int want = g->fill_checked ? g->want : replay_fill_owed(r, g, &fill, &empty);
	bool ok = true;
	if (replay_waits_fill(g) && !g->may_skip)
		ok = replay_not_filled(&x, g, "the end of the log");
	else if (want >= 0)
		ok = replay_fail(&x, _("task %lld is %s after this entry, and the log ends "
		                 "without %s"), (long long)g->task, proto_fill_states[want],
		                 replay_fill_type(want));
	if (ok)
		return 0;
	r->spent = true;
	r->spent_seq = g->seq;
	return g->seq;
}
