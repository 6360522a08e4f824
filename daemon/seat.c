/*
 * seat.c - the life of a seat after the draw (PROTOCOL.md 7.12):
 * offering with a deadline and a one-time token, and what a transition
 * sets off: the ledger, a promoted backup or a replacement draw, the
 * task's fill state. Every transition goes through seat_transition(),
 * the one place that consults the state table (assign.c) and writes the
 * seat, its history and its audit entry. A new token for a seat that
 * stays offered (seat_reissue) shares the offer's token and
 * notification. The requests that answer seats are in h_assignment.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "engage.h"
#include "i18n.h"
#include "ledger.h"
#include "log.h"
#include "notify_queue.h"
#include "pool.h"
#include "recusal.h"
#include "reply.h"
#include "seat.h"
#include "token.h"

_Static_assert(SEAT_CH__COUNT == PROTO_CHANNELS_COUNT,
               "enum seat_channel and proto_channels differ");

int64_t seat_deadline(const struct handler_ctx *ctx, const struct task *t)
{
	int64_t d = ctx->now + t->respond_within;
	return d < t->start_at ? d : t->start_at;
}

/* A fresh token for an offered seat, shown once: in the live reply and
 * the notify.offer. Only its hash stays, so any earlier token dies. */
static void seat_token(struct handler_ctx *ctx, struct store_assignment *a,
                       struct reply *rep)
{
	char text[TOKEN_STR_MAX];
	token_make(a->id, text, a->token_hash);
	a->has_token = true;
	if (!reply_add_token(rep, a->id, text))
		log_warn("assignment %lld: the reply holds no more tokens; only the "
		         "notification carries it", (long long)a->id);
	struct notify_item it = {.kind = NOTIFY_OFFER, .assignment = a->id,
	                         .task = a->task, .expert = a->expert,
	                         .role = a->role, .quota = a->quota,
	                         .deadline = a->deadline, .issued = ctx->now};
	memcpy(it.token, text, sizeof it.token);
	if (!notify_queue_push(ctx->notify, &it))
		log_warn("assignment %lld: out of memory queueing its notification",
		         (long long)a->id);
	sodium_memzero(text, sizeof text);
	sodium_memzero(it.token, sizeof it.token);
}

/* Make the seat offered: a deadline, a fresh token shown once. */
static void seat_offer(struct handler_ctx *ctx, const struct task *t,
                       struct store_assignment *a, struct reply *rep)
{
	a->state = ASSIGN_OFFERED;
	a->deadline = seat_deadline(ctx, t);
	seat_token(ctx, a, rep);
}

enum proto_status seat_history(struct handler_ctx *ctx, const struct store_assignment *a,
                               const char *event, int from, int channel,
                               const char *reason, const char *note,
                               struct reply *rep)
{
	struct store_seat_event ev = {.assignment = a->id, .task = a->task,
	                              .at = ctx->now, .channel = channel,
	                              .from = from, .to = a->state};
	snprintf(ev.actor, sizeof ev.actor, "%s", ctx->caller->principal);
	snprintf(ev.event, sizeof ev.event, "%s", event);
	snprintf(ev.reason, sizeof ev.reason, "%s", reason);
	snprintf(ev.note, sizeof ev.note, "%s", note);
	enum store_result r = store_seat_event_add(ctx->store, &ev);
	return r == STORE_OK ? PROTO_OK : handler_store_error(rep, r);
}

enum proto_status seat_engage(struct handler_ctx *ctx, const struct store_assignment *a,
                              struct reply *rep)
{
	struct engage_assignment ea = {.id = a->id, .task = a->task, .state = a->state};
	ctx->engage_dirty = true;
	if (!engage_put_assignment(ctx->engage, a->expert, &ea))
		return reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	return PROTO_OK;
}

enum proto_status seat_new(struct handler_ctx *ctx, const struct task *t,
                           int64_t expert, int64_t draw, enum seat_role role, int seat,
                           int quota, int state, struct reply *rep, int64_t *id)
{
	struct store_assignment a = {
		.id = store_assignment_max_id(ctx->store) + 1, .task = t->id,
		.expert = expert, .draw = draw, .role = role, .seat = seat,
		.state = state, .created_at = ctx->now, .updated_at = ctx->now,
		.quota = quota,
	};
	if (state == ASSIGN_OFFERED)
		seat_offer(ctx, t, &a, rep);
	enum store_result r = store_assignment_insert(ctx->store, &a);
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	*id = a.id;
	enum proto_status st = seat_engage(ctx, &a, rep);
	if (st == PROTO_OK)
		st = seat_history(ctx, &a, state == ASSIGN_OFFERED ? "offer" : "standby",
		                  -1, SEAT_CH_SYSTEM, "", "", rep);
	return st;
}

/* The seats of a task in creation order; *as malloc'd (caller frees). */
static enum proto_status seat_list(struct handler_ctx *ctx, int64_t task,
                                   struct store_assignment **as, size_t *n,
                                   struct reply *rep)
{
	*as = NULL;
	*n = 0;
	enum store_result r = store_assignment_list(ctx->store, task, as, n);
	if (r == STORE_OK)
		return PROTO_OK;
	free(*as);
	*as = NULL;
	return handler_store_error(rep, r);
}

/* The ledger kind a transition adds, or -1. */
static int seat_ledger_kind(const struct handler_ctx *ctx, const struct task *t,
                            enum assign_event ev, int reason)
{
	switch (ev) {
	case ASSIGN_EV_DECLINE:
		return policy_decline_kind(&ctx->assign->ledger, reason);
	case ASSIGN_EV_EXPIRE:
		/* An operator's window below the minimum (POLICY.md 6.1). */
		return t->respond_reason[0] ? -1 : POLICY_EXPIRY;
	case ASSIGN_EV_WITHDRAW:
		return POLICY_WITHDRAWAL;
	case ASSIGN_EV_NO_SHOW:
		return POLICY_NO_SHOW;
	default:
		return -1;
	}
}

/*
 * The one transition function: checks the table, writes the seat, the
 * index, the history, the notification of a closed seat, and (when
 * `logged`; a redraw's transcript implies its cancellations) the audit
 * entry, which names the ledger kind seat_settle() then records. new_role >= 0 gives the seat a
 * role (a promotion takes the freed seat's).
 */
static enum proto_status seat_transition(struct handler_ctx *ctx, const struct task *t,
                                         struct store_assignment *a,
                                         const struct seat_answer *ans, int new_role,
                                         bool logged, struct reply *rep)
{
	int from = a->state, to = assign_next(from, ans->event);
	char w1[I18N_CODE_MAX], w2[I18N_CODE_MAX];
	if (to < 0)
		return reply_error(rep, PROTO_E_INVALID_STATE, "assignment",
		                   "assignment %lld is %s; it cannot %s", (long long)a->id,
		                   i18n_code("seat_state", proto_assignment_states[from], w1,
		                             sizeof w1),
		                   i18n_code("action", assign_event_names[ans->event], w2,
		                             sizeof w2));
	if (new_role >= 0)
		a->role = new_role;
	a->updated_at = ctx->now;
	if (to == ASSIGN_OFFERED) {
		seat_offer(ctx, t, a, rep);
	} else {
		a->state = to;
		a->has_token = false;
		a->deadline = 0;
	}
	enum store_result r = store_assignment_update(ctx->store, a);
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	const char *reason = ans->reason >= 0 ? proto_decline_reasons[ans->reason]
	                                      : ans->text ? ans->text : "";
	int ledger = seat_ledger_kind(ctx, t, ans->event, ans->reason);
	enum proto_status st = seat_engage(ctx, a, rep);
	if (st == PROTO_OK)
		st = seat_history(ctx, a, assign_event_names[ans->event], from, ans->channel,
		                  reason, ans->note ? ans->note : "", rep);
	if (st == PROTO_OK && (to == ASSIGN_EXPIRED || to == ASSIGN_CANCELLED) &&
	    (from == ASSIGN_OFFERED || from == ASSIGN_ACCEPTED)) {
		struct notify_item it = {.kind = NOTIFY_CLOSED, .assignment = a->id,
		                         .task = a->task, .expert = a->expert,
		                         .role = a->role, .state = to};
		if (!notify_queue_push(ctx->notify, &it))
			log_warn("assignment %lld: out of memory queueing its notification",
			         (long long)a->id);
	}
	if (st != PROTO_OK || !logged)
		return st;
	struct audit_seat as = {.assignment = a->id, .task = a->task, .expert = a->expert,
	                        .event = ans->event, .from = from, .to = to,
	                        .role = a->role, .channel = ans->channel,
	                        .deadline = a->deadline, .ledger = ledger};
	snprintf(as.actor, sizeof as.actor, "%s", ctx->caller->principal);
	snprintf(as.reason, sizeof as.reason, "%s", reason);
	char type[48];
	snprintf(type, sizeof type, "%s%s", AUDIT_SEAT_PREFIX, proto_assignment_states[to]);
	audit_pack_seat(handler_audit_begin(ctx), &as);
	return handler_audit_end(ctx, type, rep, NULL, NULL);
}

/* The ledger event a logged transition adds, if any (POLICY.md 6). */
static enum proto_status seat_ledger(struct handler_ctx *ctx, const struct task *t,
                                     const struct store_assignment *a,
                                     const struct seat_answer *ans,
                                     struct reply *rep)
{
	int kind = seat_ledger_kind(ctx, t, ans->event, ans->reason);
	if (kind < 0)
		return PROTO_OK;
	struct store_ledger_event le = {.expert = a->expert, .at = ctx->now,
	                                .kind = kind, .assignment = a->id,
	                                .task = a->task};
	if (ans->reason >= 0)
		snprintf(le.reason, sizeof le.reason, "%s", proto_decline_reasons[ans->reason]);
	return ledger_record(ctx, &le, rep);
}

/* A decline for reason conflict records the conflict it declares. */
static enum proto_status seat_conflict(struct handler_ctx *ctx,
                                       const struct store_assignment *a,
                                       const struct seat_answer *ans,
                                       struct reply *rep)
{
	struct store_conflict c = {.expert_id = a->expert, .valid_from = ctx->today,
	                           .kind = 3 /* other */};
	snprintf(c.org_code, sizeof c.org_code, "%s", ans->org_code);
	snprintf(c.reason, sizeof c.reason, "declared declining assignment %lld",
	         (long long)a->id);
	return handler_add_conflict(ctx, &c, rep);
}

/* Every expert ever seated on the task, in order of first seating; and
 * the employers of its open seats. Returns false when either overflows. */
static bool seat_drawn(const struct handler_ctx *ctx,
                       const struct store_assignment *as, size_t n,
                       int64_t *also, size_t *n_also, size_t max_also,
                       uint32_t *taken, size_t *n_taken)
{
	*n_also = *n_taken = 0;
	for (size_t i = 0; i < n; i++) {
		bool seen = false;
		for (size_t j = 0; j < *n_also && !seen; j++)
			seen = also[j] == as[i].expert;
		if (!seen) {
			if (*n_also == max_also)
				return false;
			also[(*n_also)++] = as[i].expert;
		}
		const struct pool_entry *pe = pool_get(ctx->pool, as[i].expert);
		if (assign_is_open(as[i].state) && pe && pe->employer_org &&
		    *n_taken < TASK_MAX_SEATS)
			taken[(*n_taken)++] = pe->employer_org;
	}
	return true;
}

/* Draw one seat of the freed role (PROTOCOL.md 7.12.4 step 2). */
static enum proto_status seat_redraw(struct handler_ctx *ctx, const struct task *t,
                                     const struct store_assignment *freed,
                                     const struct store_assignment *as, size_t n,
                                     struct seat_fill *out, struct attempt *a,
                                     struct reply *rep)
{
	int64_t also[TASK_MAX_SEATS * 4];
	uint32_t taken[TASK_MAX_SEATS];
	size_t n_also, n_taken;
	if (!seat_drawn(ctx, as, n, also, &n_also, sizeof also / sizeof *also,
	                taken, &n_taken)) {
		log_warn("task %lld: too many experts drawn to draw another",
		         (long long)t->id);
		return PROTO_OK;   /* a->tr stays NULL: the task is short */
	}
	struct task tc = *t;
	*a = (struct attempt){.kind = "replacement", .also = also,
	                           .n_also = n_also, .replaces = freed->id,
	                           .role = freed->role, .taken = taken,
	                           .n_taken = n_taken, .quota = freed->quota};
	enum proto_status st = attempt_run(ctx, &tc, a, rep);
	if (st != PROTO_OK || !a->tr->ok)
		return st;
	st = seat_new(ctx, t, a->tr->panel[0], a->tr->draw, freed->role, 0, freed->quota,
	              ASSIGN_OFFERED, rep, &out->assignment);
	out->expert = a->tr->panel[0];
	out->role = freed->role;
	out->deadline = seat_deadline(ctx, t);
	out->how = "drawn";
	return st;
}

/*
 * Fill a freed seat: promote the first eligible standby, else draw.
 * failed receives the failed attempt (tr NULL when none was made).
 */
static enum proto_status seat_refill(struct handler_ctx *ctx, const struct task *t,
                                     const struct store_assignment *freed,
                                     struct seat_fill *out, struct attempt *failed,
                                     struct reply *rep)
{
	struct store_assignment *as = NULL;
	size_t n = 0;
	struct attempt_view v = {0};
	enum proto_status st = seat_list(ctx, t->id, &as, &n, rep);
	if (st == PROTO_OK)
		st = attempt_view_load(ctx, t, &v, rep);
	/* Rule 13 (relaxation) reads the specialty of the freed seat's quota. */
	if (t->n_quotas && freed->quota >= 0 && freed->quota < t->n_quotas)
		v.rt.specialty = pool_specialty_find(ctx->pool, t->quotas[freed->quota].specialty);
	for (size_t i = 0; i < n && st == PROTO_OK && !out->how; i++) {
		const struct pool_entry *pe = pool_get(ctx->pool, as[i].expert);
		/* Standby blocks nothing: since the draw the backup may have been
		 * seated on an overlapping task, declared a conflict, reached the
		 * cap or left the pool. The rules a draw applies apply now. */
		/* A mixed panel's seat takes a backup of its own quota. */
		if (as[i].state != ASSIGN_STANDBY || !pe || as[i].quota != freed->quota ||
		    (freed->role == SEAT_LEADER && !pe->leader) ||
		    recusal_check(pe, ctx->engage, &v.terms, &v.rt, ctx->rules) != RULE_OK)
			continue;
		struct seat_answer promote = {.event = ASSIGN_EV_PROMOTE,
		                              .channel = SEAT_CH_SYSTEM, .reason = -1};
		st = seat_transition(ctx, t, &as[i], &promote, freed->role, true, rep);
		*out = (struct seat_fill){.assignment = as[i].id, .expert = as[i].expert,
		                          .deadline = as[i].deadline, .role = freed->role,
		                          .how = "promoted"};
	}
	attempt_view_free(&v);
	if (st == PROTO_OK && !out->how)
		st = seat_redraw(ctx, t, freed, as, n, out, failed, rep);
	free(as);
	return st;
}

enum proto_status seat_refresh_fill(struct handler_ctx *ctx, struct task *t,
                                    const struct attempt *failed,
                                    struct reply *rep)
{
	if (t->state != TASK_OPEN)
		return PROTO_OK;
	struct store_assignment *as = NULL;
	size_t n = 0;
	enum proto_status st = seat_list(ctx, t->id, &as, &n, rep);
	if (st != PROTO_OK)
		return st;
	int accepted = 0, offered = 0;
	for (size_t i = 0; i < n; i++) {
		if (as[i].role == SEAT_BACKUP)
			continue;
		accepted += as[i].state == ASSIGN_ACCEPTED || as[i].state == ASSIGN_COMPLETED ||
		            as[i].state == ASSIGN_NO_SHOW;
		offered += as[i].state == ASSIGN_OFFERED;
	}
	free(as);
	int needed = task_needed(t);
	enum task_fill fill = accepted >= needed ? TASK_FILLED
	           : accepted + offered < needed ? TASK_SHORT : TASK_FILLING;
	if (fill == t->fill)
		return PROTO_OK;
	t->fill = fill;
	enum store_result r = store_task_set_fill(ctx->store, t->id, fill);
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	if (fill == TASK_FILLED) {
		audit_pack_task_filled(handler_audit_begin(ctx), t->id);
		return handler_audit_end(ctx, AUDIT_TASK_FILLED, rep, NULL, NULL);
	}
	if (fill == TASK_SHORT) {
		static const uint64_t none[RULE__COUNT];
		const struct audit_transcript *tr = failed ? failed->tr : NULL;
		/* A mixed panel's replacement counts its one list (DRAW.md 4.4). */
		const struct audit_quota_result *q = tr && tr->n_quotas ? &tr->quotas[0] : NULL;
		audit_pack_task_short(handler_audit_begin(ctx), t->id, tr ? tr->draw : 0,
		                      needed - accepted - offered,
		                      q ? q->excluded : tr ? tr->excluded : none,
		                      q ? q->outside_group : tr ? tr->outside_group : 0);
		return handler_audit_end(ctx, AUDIT_TASK_SHORT, rep, NULL, NULL);
	}
	return PROTO_OK;
}

enum proto_status seat_settle(struct handler_ctx *ctx, struct task *t,
                              struct store_assignment *a,
                              const struct seat_answer *ans,
                              struct seat_fill *out, struct reply *rep)
{
	struct attempt failed = {.tr = NULL};
	enum proto_status st = seat_transition(ctx, t, a, ans, -1, true, rep);
	if (st == PROTO_OK && ans->org_code[0])
		st = seat_conflict(ctx, a, ans, rep);
	if (st == PROTO_OK)
		st = seat_ledger(ctx, t, a, ans, rep);
	if (st == PROTO_OK && assign_frees_seat(a->state) && a->role != SEAT_BACKUP &&
	    t->state == TASK_OPEN && ctx->now < t->start_at) {
		/* The daemon fills the seat, whoever freed it. */
		const struct auth_entry *caller = ctx->caller;
		ctx->caller = &handler_daemon;
		st = seat_refill(ctx, t, a, out, &failed, rep);
		ctx->caller = caller;
	}
	if (st == PROTO_OK)
		st = seat_refresh_fill(ctx, t, &failed, rep);
	attempt_free(&failed);
	return st;
}

enum proto_status seat_expire(struct handler_ctx *ctx, struct store_assignment *a,
                              struct reply *rep)
{
	struct task *t = malloc(sizeof *t);
	if (!t)
		return reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	enum store_result r = store_task_get(ctx->store, a->task, t);
	struct seat_answer ans = {.event = ASSIGN_EV_EXPIRE, .channel = SEAT_CH_SYSTEM,
	                          .reason = -1};
	struct seat_fill fill = {.how = NULL};
	enum proto_status st = r == STORE_OK ? seat_settle(ctx, t, a, &ans, &fill, rep)
	                                     : handler_store_error(rep, r);
	free(t);
	return st;
}

enum proto_status seat_cancel_open(struct handler_ctx *ctx, const struct task *t,
                                   const char *reason, bool logged,
                                   int64_t *cancelled, struct reply *rep)
{
	struct store_assignment *as = NULL;
	size_t n = 0;
	enum proto_status st = seat_list(ctx, t->id, &as, &n, rep);
	if (st != PROTO_OK)
		return st;
	struct seat_answer ans = {.event = ASSIGN_EV_CANCEL, .channel = SEAT_CH_SYSTEM,
	                          .reason = -1, .text = reason ? reason : ""};
	int64_t count = 0;
	for (size_t i = 0; i < n && st == PROTO_OK; i++) {
		if (!assign_is_open(as[i].state))
			continue;
		st = seat_transition(ctx, t, &as[i], &ans, -1, logged, rep);
		count++;
	}
	free(as);
	if (cancelled)
		*cancelled = count;
	return st;
}

enum proto_status seat_reissue(struct handler_ctx *ctx, struct store_assignment *a,
                               const char *reason, struct reply *rep)
{
	char w[I18N_CODE_MAX];
	if (a->state != ASSIGN_OFFERED)
		return reply_error(rep, PROTO_E_INVALID_STATE, "assignment",
		                   "assignment %lld is %s; only an offered seat gets a "
		                   "new token", (long long)a->id,
		                   i18n_code("seat_state", proto_assignment_states[a->state],
		                             w, sizeof w));
	/* Due seats expire at batch start; this holds if that failed. */
	if (ctx->now >= a->deadline)
		return reply_error(rep, PROTO_E_INVALID_STATE, "assignment",
		                   "assignment %lld: its deadline has passed",
		                   (long long)a->id);
	a->updated_at = ctx->now;
	seat_token(ctx, a, rep);
	enum store_result r = store_assignment_update(ctx->store, a);
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	enum proto_status st = seat_history(ctx, a, "reissue", ASSIGN_OFFERED,
	                                    SEAT_CH_SYSTEM, reason, "", rep);
	if (st != PROTO_OK)
		return st;
	struct audit_seat as = {.assignment = a->id, .task = a->task, .expert = a->expert,
	                        .from = ASSIGN_OFFERED, .to = ASSIGN_OFFERED,
	                        .role = a->role, .channel = SEAT_CH_SYSTEM,
	                        .deadline = a->deadline, .ledger = -1};
	snprintf(as.actor, sizeof as.actor, "%s", ctx->caller->principal);
	snprintf(as.reason, sizeof as.reason, "%s", reason);
	audit_pack_reissue(handler_audit_begin(ctx), &as);
	return handler_audit_end(ctx, AUDIT_SEAT_REISSUED, rep, NULL, NULL);
}
