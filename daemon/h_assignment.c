/*
 * h_assignment.c - the requests that answer seats (PROTOCOL.md
 * 7.12.6-7.12.9): an expert's answer by token, staff answering
 * on an expert's behalf, a new token for an offered seat. Each checks
 * its arguments and the caller's view of the task, then hands the
 * transition to seat_settle() (seat.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "i18n.h"
#include "seat.h"


/* reason, note and org_code of an answer, checked against the task
 * (PROTOCOL.md 7.12.6). */
static enum proto_status answer_parse(const struct proto_request *req,
                                      const struct task *t, struct seat_answer *ans,
                                      struct reply *rep)
{
	const char *s;
	size_t n;
	bool needs_reason = ans->event != ASSIGN_EV_ACCEPT;
	ans->reason = -1;
	ans->org_code[0] = '\0';
	if (proto_arg_str(req, "reason", &s, &n))
		ans->reason = proto_choice_index(proto_decline_reasons, s, n);
	if (needs_reason != (ans->reason >= 0))
		return reply_error(rep, PROTO_E_INVALID_FIELD, "reason", needs_reason
		                   ? N_("a reason is required to decline or withdraw")
		                   : N_("an acceptance takes no reason"));
	if (ans->reason == POLICY_REASON_OTHER && !proto_arg(req, "note"))
		return reply_error(rep, PROTO_E_INVALID_FIELD, "note",
		                   "reason other needs a note saying why");
	bool has_org = proto_arg_str(req, "org_code", &s, &n);
	if (has_org && ans->reason != POLICY_REASON_CONFLICT)
		return reply_error(rep, PROTO_E_INVALID_FIELD, "org_code",
		                   "org_code goes only with reason conflict");
	if (ans->reason != POLICY_REASON_CONFLICT)
		return PROTO_OK;
	if (t->n_orgs == 0)
		return reply_error(rep, PROTO_E_INVALID_FIELD, "reason",
		                   "task %lld concerns no organisation to conflict with",
		                   (long long)t->id);
	if (!has_org && t->n_orgs > 1)
		return reply_error(rep, PROTO_E_INVALID_FIELD, "org_code",
		                   "task %lld concerns %d organisations: name the one "
		                   "in conflict", (long long)t->id, t->n_orgs);
	for (int i = 0; i < t->n_orgs; i++)
		if (!has_org || (n == strlen(t->orgs[i]) && memcmp(s, t->orgs[i], n) == 0)) {
			snprintf(ans->org_code, sizeof ans->org_code, "%s", t->orgs[i]);
			return PROTO_OK;
		}
	return reply_error(rep, PROTO_E_INVALID_FIELD, "org_code",
	                   "not an organisation task %lld concerns", (long long)t->id);
}

/* The seat's specialty: a mixed panel's seat is for its quota's
 * (DRAW.md 3.7). */
static const char *seat_specialty(const struct task *t, const struct store_assignment *a)
{
	return a->quota > 0 && a->quota < t->n_quotas ? t->quotas[a->quota].specialty
	                                              : t->specialty;
}

static void pack_answer_result(msgpack_packer *pk, const struct task *t,
                               const struct store_assignment *a,
                               const struct seat_fill *fill, bool for_expert)
{
	msgpack_pack_map(pk, for_expert ? 8 : 4);
	proto_pack_kv_int(pk, "assignment", a->id);
	proto_pack_kv_int(pk, "task", t->id);
	proto_pack_kv_str(pk, "state", proto_assignment_states[a->state]);
	if (for_expert) {
		proto_pack_kv_int(pk, "start", t->start_at);
		proto_pack_kv_int(pk, "end", t->end_at);
		proto_pack_kv_str(pk, "specialty", seat_specialty(t, a));
		proto_pack_kv_str(pk, "kind", proto_task_kinds[t->kind]);
		proto_pack_kv_str(pk, "district", t->district);
		return;
	}
	proto_pack_str(pk, "filled_by");
	if (!fill->how) {
		msgpack_pack_nil(pk);
		return;
	}
	msgpack_pack_map(pk, 5);
	proto_pack_kv_int(pk, "assignment", fill->assignment);
	proto_pack_kv_int(pk, "expert", fill->expert);
	proto_pack_kv_str(pk, "role", proto_seat_roles[fill->role]);
	proto_pack_kv_int(pk, "deadline", fill->deadline);
	proto_pack_kv_str(pk, "how", fill->how);
}

/* Answer a seat: parse, settle, reply. */
static enum proto_status answer_seat(struct handler_ctx *ctx,
                                     const struct proto_request *req,
                                     struct task *t, struct store_assignment *a,
                                     struct seat_answer *ans, bool for_expert,
                                     struct reply *rep)
{
	char note[PROTO_REASON_SIZE] = "";
	enum proto_status st = answer_parse(req, t, ans, rep);
	if (st != PROTO_OK)
		return st;
	proto_arg_strcpy(req, "note", note, sizeof note);
	ans->note = note;
	struct seat_fill fill = {.how = NULL};
	st = seat_settle(ctx, t, a, ans, &fill, rep);
	if (st == PROTO_OK)
		pack_answer_result(reply_result(rep), t, a, &fill, for_expert);
	return st;
}

/* The seat of the request's token and its task (PROTOCOL.md 7.12.3):
 * *t is malloc'd on PROTO_OK (the caller frees it), NULL otherwise. */
static enum proto_status token_task(struct handler_ctx *ctx,
                                    const struct proto_request *req,
                                    struct store_assignment *a, struct task **t,
                                    struct reply *rep)
{
	*t = NULL;
	enum proto_status st = handler_token_seat(ctx, req, a, rep);
	if (st != PROTO_OK)
		return st;
	if (!(*t = malloc(sizeof **t)))
		return reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	enum store_result r = store_task_get(ctx->store, a->task, *t);
	if (r == STORE_OK)
		return PROTO_OK;
	free(*t);
	*t = NULL;
	return handler_store_error(rep, r);
}

enum proto_status h_assignment_answer(struct handler_ctx *ctx,
                                      const struct proto_request *req,
                                      struct reply *rep)
{
	const char *s;
	size_t n;
	struct store_assignment a;
	struct task *t;
	/* A dead token is refused before the rules between fields. */
	enum proto_status st = token_task(ctx, req, &a, &t, rep);
	if (st != PROTO_OK)
		return st;
	proto_arg_str(req, "answer", &s, &n);
	struct seat_answer ans = {.channel = SEAT_CH_TOKEN,
	                          .event = proto_choice_index(proto_answers, s, n) == 0
	                                   ? ASSIGN_EV_ACCEPT : ASSIGN_EV_DECLINE};
	st = answer_seat(ctx, req, t, &a, &ans, true, rep);
	/* A decline may offer someone else's seat: that token is not for
	 * this caller; the notification carries it. */
	sodium_memzero(rep->tokens, sizeof rep->tokens);
	rep->n_tokens = 0;
	free(t);
	return st;
}

/* What the answer page shows (PROTOCOL.md 7.12.14): the offer and its
 * task, nothing about anyone else. */
static void pack_offer(msgpack_packer *pk, const struct task *t,
                       const struct store_assignment *a)
{
	msgpack_pack_map(pk, 13);
	proto_pack_kv_int(pk, "assignment", a->id);
	proto_pack_kv_int(pk, "task", t->id);
	proto_pack_kv_str(pk, "role", proto_seat_roles[a->role]);
	proto_pack_kv_str(pk, "state", proto_assignment_states[a->state]);
	proto_pack_kv_int(pk, "deadline", a->deadline);
	proto_pack_kv_str(pk, "kind", proto_task_kinds[t->kind]);
	proto_pack_kv_str(pk, "specialty", seat_specialty(t, a));
	proto_pack_kv_int(pk, "start", t->start_at);
	proto_pack_kv_int(pk, "end", t->end_at);
	proto_pack_kv_str(pk, "district", t->district);
	proto_pack_kv_str(pk, "note", t->note);
	proto_pack_kv_str(pk, "organiser", t->bureau);
	proto_pack_str(pk, "orgs");
	msgpack_pack_array(pk, (uint32_t)t->n_orgs);
	for (int i = 0; i < t->n_orgs; i++)
		proto_pack_str(pk, t->orgs[i]);
}

enum proto_status h_assignment_offer(struct handler_ctx *ctx,
                                     const struct proto_request *req,
                                     struct reply *rep)
{
	struct store_assignment a;
	struct task *t;
	/* The same token check as assignment.answer (PROTOCOL.md 7.12.3). */
	enum proto_status st = token_task(ctx, req, &a, &t, rep);
	if (st == PROTO_OK)
		pack_offer(reply_result(rep), t, &a);
	free(t);
	return st;
}

/* The seat and its task, if the caller may see the task. */
static enum proto_status seat_get(struct handler_ctx *ctx, int64_t id,
                                  struct store_assignment *a, struct task *t,
                                  struct reply *rep)
{
	enum store_result r = store_assignment_get(ctx->store, id, a);
	enum proto_status st = r == STORE_OK ? handler_get_task(ctx, a->task, t, rep)
	                       : r == STORE_NOT_FOUND ? PROTO_E_NOT_FOUND
	                       : handler_store_error(rep, r);
	if (st == PROTO_E_NOT_FOUND)
		return reply_error(rep, PROTO_E_NOT_FOUND, "assignment",
		                   "no assignment %lld", (long long)id);
	return st;
}

enum proto_status h_assignment_reply(struct handler_ctx *ctx,
                                     const struct proto_request *req,
                                     struct reply *rep)
{
	static const enum assign_event events[] = {ASSIGN_EV_ACCEPT, ASSIGN_EV_DECLINE,
	                                           ASSIGN_EV_WITHDRAW};
	const char *s;
	size_t n;
	struct store_assignment a;
	struct task *t = malloc(sizeof *t);
	if (!t)
		return reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	enum proto_status st = seat_get(ctx, proto_arg_int(req, "assignment", 0), &a,
	                                t, rep);
	proto_arg_str(req, "answer", &s, &n);
	struct seat_answer ans = {.event = events[proto_choice_index(proto_answers, s, n)]};
	proto_arg_str(req, "channel", &s, &n);
	ans.channel = proto_choice_index(proto_channels, s, n);
	/* Due seats expire at batch start; this holds if that failed. */
	if (st == PROTO_OK && a.state == ASSIGN_OFFERED && ctx->now >= a.deadline)
		st = reply_error(rep, PROTO_E_INVALID_STATE, "assignment",
		                 "assignment %lld: its deadline has passed",
		                 (long long)a.id);
	if (st == PROTO_OK)
		st = answer_seat(ctx, req, t, &a, &ans, false, rep);
	free(t);
	return st;
}

enum proto_status h_assignment_reissue(struct handler_ctx *ctx,
                                       const struct proto_request *req,
                                       struct reply *rep)
{
	char reason[PROTO_REASON_SIZE] = "";
	struct store_assignment a;
	proto_arg_strcpy(req, "reason", reason, sizeof reason);
	struct task *t = malloc(sizeof *t);
	if (!t)
		return reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	enum proto_status st = seat_get(ctx, proto_arg_int(req, "assignment", 0), &a,
	                                t, rep);
	if (st == PROTO_OK)
		st = seat_reissue(ctx, &a, reason, rep);
	if (st == PROTO_OK) {
		msgpack_packer *pk = reply_result(rep);
		msgpack_pack_map(pk, 5);
		proto_pack_kv_int(pk, "assignment", a.id);
		proto_pack_kv_int(pk, "task", t->id);
		proto_pack_kv_int(pk, "expert", a.expert);
		proto_pack_kv_str(pk, "state", proto_assignment_states[a.state]);
		proto_pack_kv_int(pk, "deadline", a.deadline);
	}
	free(t);
	return st;
}

/* The outcome a correction asks for (PROTOCOL.md 7.12.16): an
 * attendance; or an answer, its reason the one recorded unless
 * decline_reason gives another; or a reason alone, the state kept. */
static void correct_parse(const struct proto_request *req,
                          const struct store_assignment *a, struct seat_correction *c)
{
	static const int answers[] = {ASSIGN_ACCEPTED, ASSIGN_DECLINED, ASSIGN_WITHDRAWN};
	const char *s;
	size_t n;
	if (proto_arg_str(req, "attendance", &s, &n))
		c->to = proto_choice_index(proto_outcomes, s, n) == 0 ? ASSIGN_COMPLETED
		                                                      : ASSIGN_NO_SHOW;
	c->to = proto_arg_str(req, "answer", &s, &n)
	        ? answers[proto_choice_index(proto_answers, s, n)]
	        : c->to >= 0 ? c->to : a->state;
	if (proto_arg_str(req, "decline_reason", &s, &n))
		c->to_reason = proto_choice_index(proto_decline_reasons, s, n);
	else
		c->keep_reason = c->to != ASSIGN_ACCEPTED && proto_arg(req, "answer");
}

enum proto_status h_assignment_correct(struct handler_ctx *ctx,
                                       const struct proto_request *req,
                                       struct reply *rep)
{
	char why[PROTO_REASON_SIZE] = "";
	struct store_assignment a;
	struct seat_correction c = {.to = -1, .to_reason = -1, .why = why};
	proto_arg_strcpy(req, "reason", why, sizeof why);
	bool attendance = proto_arg(req, "attendance") != NULL;
	bool answer = proto_arg(req, "answer") || proto_arg(req, "decline_reason");
	if (attendance == answer)
		return reply_error(rep, PROTO_E_INVALID_FIELD, "attendance", attendance
		                   ? N_("an attendance goes without answer and decline_reason")
		                   : N_("give attendance, answer or decline_reason: what to "
		                        "correct"));
	struct task *t = malloc(sizeof *t);
	if (!t)
		return reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	enum proto_status st = seat_get(ctx, proto_arg_int(req, "assignment", 0), &a,
	                                t, rep);
	if (st == PROTO_OK) {
		correct_parse(req, &a, &c);
		st = seat_correct(ctx, t, &a, &c, rep);
	}
	free(t);
	struct expert e;
	if (st == PROTO_OK)
		st = handler_get_expert(ctx, a.expert, &e, rep);
	if (st != PROTO_OK)
		return st;
	msgpack_packer *pk = reply_result(rep);
	msgpack_pack_map(pk, 6);
	proto_pack_kv_int(pk, "assignment", a.id);
	proto_pack_kv_int(pk, "task", a.task);
	proto_pack_kv_int(pk, "expert", a.expert);
	proto_pack_kv_str(pk, "state", proto_assignment_states[a.state]);
	proto_pack_kv_str(pk, "decline_reason",
	                  c.to_reason >= 0 ? proto_decline_reasons[c.to_reason] : "");
	proto_pack_kv_str(pk, "expert_status", proto_statuses[e.status]);
	return PROTO_OK;
}
