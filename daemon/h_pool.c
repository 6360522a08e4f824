/*
 * h_pool.c - pool management by operators: list and show experts (masked
 * unless an operator reveals, which is itself recorded), suspend,
 * reinstate and revoke. Every change is a history row with who/when/why.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "appoint.h"
#include "handler.h"
#include "i18n.h"
#include "ident.h"
#include "ledger.h"
#include "mask.h"

#define POOL_LIST_DEFAULT_LIMIT 50

static int expert_seat_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Every seat the expert was given, by assignment id; *out malloc'd. The
 * engage index holds each expert's assignments in memory (the schema
 * keeps no per-expert index: see store_schema.c, version 3). */
static enum store_result expert_seats(struct handler_ctx *ctx, int64_t expert,
                                      struct store_assignment **out, size_t *n)
{
	size_t k = 0;
	const struct engage_assignment *ea = engage_assignments(ctx->engage, expert, &k);
	*out = NULL;
	*n = 0;
	if (k == 0)
		return STORE_OK;
	int64_t *ids = malloc(k * sizeof *ids);
	struct store_assignment *as = calloc(k, sizeof *as);
	if (!ids || !as) {
		free(ids);
		free(as);
		return STORE_NOT_WRITABLE; /* out of memory, as the store reports it */
	}
	for (size_t i = 0; i < k; i++)
		ids[i] = ea[i].id;
	qsort(ids, k, sizeof *ids, expert_seat_cmp);
	enum store_result r = STORE_OK;
	for (size_t i = 0; i < k && r == STORE_OK; i++)
		r = store_assignment_get(ctx->store, ids[i], &as[i]);
	free(ids);
	if (r != STORE_OK) {
		free(as);
		return r;
	}
	*out = as;
	*n = k;
	return STORE_OK;
}

/* The fields of a listing row; `extra` more pairs follow (caller packs). */
static void pack_summary(msgpack_packer *pk, const struct expert *e, bool reveal,
                         uint32_t extra)
{
	char rid[MASK_BUF], phone[MASK_BUF];
	if (reveal) {
		snprintf(rid, sizeof rid, "%s", e->resident_id);
		snprintf(phone, sizeof phone, "%s", e->phone);
	} else {
		mask_resident_id(e->resident_id, rid);
		mask_phone(e->phone, phone);
	}
	msgpack_pack_map(pk, 12 + extra);
	proto_pack_kv_int(pk, "id", e->id);
	proto_pack_kv_str(pk, "name", e->name);
	proto_pack_kv_str(pk, "sex", proto_sexes[e->sex]);
	proto_pack_kv_str(pk, "resident_id", rid);
	proto_pack_kv_str(pk, "phone", phone);
	proto_pack_kv_str(pk, "employer", e->employer);
	handler_pack_strs(pk, "specialties", e->specialties, e->n_specialties, ~0u);
	handler_pack_names(pk, "group_types", e->group_types, proto_group_types);
	proto_pack_kv_str(pk, "status", proto_statuses[e->status]);
	proto_pack_kv_int(pk, "term", e->term);
	proto_pack_kv_bool(pk, "leader", e->leader_eligible);
	proto_pack_kv_str(pk, "appointment", proto_appointments[e->appointment]);
}

/* A relaxation's or an age exception's record (POLICY.md 4.2): what it
 * rests on, who approved it and when; nil when there is none. An approval
 * from before draft 11 has approved_by "" and approved_at 0. */
static void pack_approval(msgpack_packer *pk, const char *key, bool has,
                          const char *basis, const char *by, int64_t at)
{
	proto_pack_str(pk, key);
	if (!has) {
		msgpack_pack_nil(pk);
		return;
	}
	msgpack_pack_map(pk, 3);
	proto_pack_kv_str(pk, "basis", basis);
	proto_pack_kv_str(pk, "approved_by", by);
	proto_pack_kv_int(pk, "approved_at", at);
}

static void pack_detail(msgpack_packer *pk, const struct expert *e, bool reveal,
                        int32_t today)
{
	pack_summary(pk, e, reveal, 18);
	/* The birth date is digits 7-14 of the resident ID: only on reveal. */
	if (reveal)
		handler_pack_date(pk, "birth_date", e->birth);
	else
		proto_pack_kv_int(pk, "age", ident_age_on(e->birth, today));
	proto_pack_kv_str(pk, "employer_code", e->employer_code);
	proto_pack_kv_str(pk, "recommender_code", e->recommender_code);
	handler_pack_names(pk, "task_types", e->task_types, proto_task_types);
	proto_pack_kv_str(pk, "title", proto_titles[e->title]);
	proto_pack_kv_str(pk, "qualification", proto_qualifications[e->qualification]);
	proto_pack_kv_int(pk, "assess_years", e->assess_years);
	proto_pack_kv_int(pk, "training_years", e->training_years);
	handler_pack_names(pk, "relaxations", e->relaxations, proto_relaxations);
	handler_pack_strs(pk, "relaxation_occupations", e->relax_occupations,
	                  e->n_relax_occupations, ~0u);
	/* POLICY.md 4.2: where the expert is eligible, and so drawn. */
	handler_pack_strs(pk, "eligible_specialties", e->specialties, e->n_specialties,
	                  e->eligible_specialties ? e->eligible_specialties : ~0u);
	pack_approval(pk, "relaxation", e->relaxations != 0, e->relax_evidence,
	              e->relax_by, e->relax_at);
	pack_approval(pk, "age_exception", e->age_exception, e->age_reason, e->age_by,
	              e->age_at);
	proto_pack_kv_str(pk, "position", e->position);
	proto_pack_kv_str(pk, "email", e->email);
	proto_pack_str(pk, "suspended_until");
	if (e->suspended_until) {
		char buf[11];
		ident_date_format(e->suspended_until, buf);
		proto_pack_str(pk, buf);
	} else {
		msgpack_pack_nil(pk);
	}
	proto_pack_kv_int(pk, "created_at", e->created_at);
	proto_pack_kv_int(pk, "updated_at", e->updated_at);
}

enum proto_status h_pool_list(struct handler_ctx *ctx, const struct proto_request *req,
                              struct reply *rep)
{
	struct pool_filter f = {.group = -1, .status = -1};
	char name[PROTO_ITEM_MAX + 1];
	const char *s;
	size_t n;
	if (proto_arg_strcpy(req, "specialty", name, sizeof name)) {
		f.specialty = pool_specialty_find(ctx->pool, name);
		if (!f.specialty)
			f.specialty = UINT32_MAX; /* matches nobody */
	}
	if (proto_arg_str(req, "group_type", &s, &n))
		f.group = proto_choice_index(proto_group_types, s, n);
	if (proto_arg_str(req, "status", &s, &n))
		f.status = proto_choice_index(proto_statuses, s, n);
	if (proto_arg_str(req, "appointment", &s, &n))
		f.appointment = proto_choice_index(proto_appointments, s, n) + 1;
	f.term = (int)proto_arg_int(req, "term", 0);
	struct handler_page pg;
	enum proto_status st = handler_pool_page(ctx, &f, req, POOL_LIST_DEFAULT_LIMIT, &pg,
	                                         rep);
	if (st != PROTO_OK)
		return st;
	msgpack_packer *pk = reply_result(rep);
	msgpack_pack_map(pk, 3);
	proto_pack_kv_int(pk, "total", (int64_t)pg.total);
	proto_pack_kv_int(pk, "offset", (int64_t)pg.offset);
	proto_pack_str(pk, "experts");
	msgpack_pack_array(pk, (uint32_t)pg.got);
	for (size_t i = 0; i < pg.got; i++) {
		struct expert e;
		st = handler_get_expert(ctx, pg.ids[i], &e, rep);
		if (st != PROTO_OK)
			break;
		pack_summary(pk, &e, false, 0);
	}
	free(pg.ids);
	return st;
}

/* The labels of an event's ground (POLICY.md 6.3): those it was recorded
 * with, or for an event from before they were kept, the ground's labels
 * now if it still has any; "" for none. */
static void history_labels(const struct handler_ctx *ctx, const struct store_event *ev,
                           const char **zh, const char **en)
{
	*zh = ev->ground_label;
	*en = ev->ground_label_en;
	const struct ground *g = ev->ground[0] && !ev->ground_label[0]
	                         ? grounds_find(&ctx->assign->grounds, ev->ground,
	                                        strlen(ev->ground))
	                         : NULL;
	if (g) {
		*zh = g->label;
		*en = g->label_en;
	}
}

static void pack_history(const struct handler_ctx *ctx, msgpack_packer *pk,
                         const struct store_event *ev, size_t n)
{
	proto_pack_str(pk, "history");
	msgpack_pack_array(pk, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		const char *zh, *en;
		history_labels(ctx, &ev[i], &zh, &en);
		uint32_t extra = (ev[i].reason[0] != 0) + (ev[i].until != 0) +
		                 (ev[i].detail[0] != 0) + (ev[i].ground[0] != 0) +
		                 (ev[i].referral[0] != 0) + (zh[0] != 0) + (en[0] != 0);
		msgpack_pack_map(pk, 3 + extra);
		proto_pack_kv_int(pk, "at", ev[i].at);
		proto_pack_kv_str(pk, "actor", ev[i].actor);
		proto_pack_kv_str(pk, "event", ev[i].event);
		if (ev[i].reason[0])
			proto_pack_kv_str(pk, "reason", ev[i].reason);
		if (ev[i].until)
			handler_pack_date(pk, "until", ev[i].until);
		if (ev[i].detail[0])
			proto_pack_kv_str(pk, "detail", ev[i].detail);
		if (ev[i].ground[0])
			proto_pack_kv_str(pk, "ground", ev[i].ground);
		if (zh[0])
			proto_pack_kv_str(pk, "ground_label", zh);
		if (en[0])
			proto_pack_kv_str(pk, "ground_label_en", en);
		if (ev[i].referral[0])
			proto_pack_kv_str(pk, "referral", ev[i].referral);
	}
}

enum proto_status h_pool_show(struct handler_ctx *ctx, const struct proto_request *req,
                              struct reply *rep)
{
	int64_t id = proto_arg_int(req, "expert", 0);
	bool reveal = proto_arg_bool(req, "reveal", false);
	char reason[PROTO_REASON_SIZE] = "";
	proto_arg_strcpy(req, "reason", reason, sizeof reason);
	if (reveal && !reason[0])
		return reply_error(rep, PROTO_E_INVALID_FIELD, "reason",
		                   "revealing personal data needs a reason");
	struct expert e;
	enum proto_status st = handler_get_expert(ctx, id, &e, rep);
	if (st != PROTO_OK)
		return st;
	if (reveal) {
		/* The reveal itself becomes part of the expert's history. */
		struct store_event ev = {.expert_id = id, .at = ctx->now};
		snprintf(ev.actor, sizeof ev.actor, "%s", ctx->caller->principal);
		snprintf(ev.event, sizeof ev.event, "revealed");
		snprintf(ev.reason, sizeof ev.reason, "%s", reason);
		enum store_result r = store_event_add(ctx->store, &ev);
		if (r != STORE_OK)
			return handler_store_error(rep, r);
	}
	struct store_event *evs = NULL;
	struct store_conflict *cs = NULL;
	struct store_assignment *as = NULL;
	size_t nev = 0, nc = 0, na = 0;
	enum store_result r = store_event_list(ctx->store, id, &evs, &nev);
	if (r == STORE_OK)
		r = store_conflict_list(ctx->store, id, "", &cs, &nc);
	if (r == STORE_OK)
		r = expert_seats(ctx, id, &as, &na);
	if (r != STORE_OK) {
		free(evs);
		free(cs);
		free(as);
		return handler_store_error(rep, r);
	}
	msgpack_packer *pk = reply_result(rep);
	msgpack_pack_map(pk, 9);
	proto_pack_str(pk, "expert");
	pack_detail(pk, &e, reveal, ctx->today);
	st = appoint_pack(ctx, &e, reveal, pk, rep);
	if (st != PROTO_OK) {
		free(evs);
		free(cs);
		free(as);
		return st;
	}
	pack_history(ctx, pk, evs, nev);
	proto_pack_str(pk, "conflicts");
	msgpack_pack_array(pk, (uint32_t)nc);
	for (size_t i = 0; i < nc; i++)
		handler_pack_conflict(pk, &cs[i]);
	proto_pack_str(pk, "assignments");
	msgpack_pack_array(pk, (uint32_t)na);
	for (size_t i = 0; i < na; i++) {
		msgpack_pack_map(pk, 5);
		proto_pack_kv_int(pk, "assignment", as[i].id);
		proto_pack_kv_int(pk, "task", as[i].task);
		proto_pack_kv_str(pk, "role", proto_seat_roles[as[i].role]);
		proto_pack_kv_str(pk, "state", proto_assignment_states[as[i].state]);
		proto_pack_kv_int(pk, "at", as[i].created_at);
	}
	free(evs);
	free(cs);
	free(as);
	st = unavail_pack_periods(ctx, id, pk, rep);
	if (st != PROTO_OK)
		return st;
	proto_pack_str(pk, "ledger");
	return ledger_pack(ctx, id, pk, true, rep);
}

/* Which statuses each status change may start from. */
struct status_change {
	const char *event;
	enum expert_status to;
	unsigned from;    /* bit set of enum expert_status */
};

#define FROM(s) (1u << (s))
static const struct status_change change_suspend = {
	"suspended", EXPERT_SUSPENDED, FROM(EXPERT_ACTIVE) | FROM(EXPERT_FLAGGED)};
static const struct status_change change_reinstate = {
	"reinstated", EXPERT_ACTIVE, FROM(EXPERT_SUSPENDED) | FROM(EXPERT_FLAGGED)};
static const struct status_change change_revoke = {
	"revoked", EXPERT_REVOKED,
	FROM(EXPERT_ACTIVE) | FROM(EXPERT_SUSPENDED) | FROM(EXPERT_FLAGGED)};

static enum proto_status change_status(struct handler_ctx *ctx,
                                       const struct proto_request *req,
                                       const struct status_change *ch,
                                       struct reply *rep)
{
	int64_t id = proto_arg_int(req, "expert", 0);
	char reason[PROTO_REASON_SIZE] = "", referral[PROTO_REASON_SIZE] = "";
	proto_arg_strcpy(req, "reason", reason, sizeof reason);
	proto_arg_strcpy(req, "referral", referral, sizeof referral);
	int32_t until = 0;
	const char *s;
	size_t n;
	if (proto_arg_str(req, "until", &s, &n)) {
		ident_date_parse(s, n, &until);
		if (until < ctx->today)
			return reply_error(rep, PROTO_E_INVALID_FIELD, "until",
			                   "the suspension must end today or later");
	}
	const struct ground *ground = NULL;
	if (proto_arg_str(req, "ground", &s, &n) &&
	    !(ground = grounds_find(&ctx->assign->grounds, s, n))) {
		/* The message is at most PROTO_MAX_MESSAGE_LEN bytes with the
		 * words around the list; grounds.list has them all. */
		char codes[320];
		grounds_codes(&ctx->assign->grounds, codes, sizeof codes);
		return reply_error(rep, PROTO_E_INVALID_FIELD, "ground",
		                   "unknown ground \"%.*s\"; the grounds are: %s "
		                   "(grounds.list gives them with their labels)",
		                   (int)(n > IDENT_GROUND_MAX ? IDENT_GROUND_MAX : n), s, codes);
	}
	struct expert e;
	char w1[I18N_CODE_MAX], w2[I18N_CODE_MAX];
	enum proto_status st = handler_get_expert(ctx, id, &e, rep);
	if (st != PROTO_OK)
		return st;
	if (!(ch->from & FROM(e.status)))
		return reply_error(rep, PROTO_E_INVALID_STATE, "expert",
		                   "expert %lld is %s; cannot be %s", (long long)id,
		                   i18n_code("status", proto_statuses[e.status], w1, sizeof w1),
		                   i18n_code("change", ch->event, w2, sizeof w2));
	e.status = ch->to;
	e.suspended_until = ch->to == EXPERT_SUSPENDED ? until : 0;
	struct handler_why why = {.reason = reason, .until = until, .ground = ground,
	                          .referral = referral};
	st = handler_save_expert_why(ctx, &e, false, ch->event, &why, rep);
	if (st != PROTO_OK)
		return st;
	msgpack_packer *pk = reply_result(rep);
	msgpack_pack_map(pk, 2);
	proto_pack_kv_int(pk, "expert", id);
	proto_pack_kv_str(pk, "status", proto_statuses[e.status]);
	return PROTO_OK;
}

enum proto_status h_pool_suspend(struct handler_ctx *ctx, const struct proto_request *req,
                                 struct reply *rep)
{
	return change_status(ctx, req, &change_suspend, rep);
}

enum proto_status h_pool_reinstate(struct handler_ctx *ctx,
                                   const struct proto_request *req, struct reply *rep)
{
	return change_status(ctx, req, &change_reinstate, rep);
}

enum proto_status h_pool_revoke(struct handler_ctx *ctx, const struct proto_request *req,
                                struct reply *rep)
{
	return change_status(ctx, req, &change_revoke, rep);
}

/* PROTOCOL.md 7.6.4: the built-in grounds, then the Center's own. */
enum proto_status h_grounds_list(struct handler_ctx *ctx, const struct proto_request *req,
                                 struct reply *rep)
{
	(void)req;
	const struct grounds *g = &ctx->assign->grounds;
	msgpack_packer *pk = reply_result(rep);
	msgpack_pack_map(pk, 1);
	proto_pack_str(pk, "grounds");
	msgpack_pack_array(pk, (uint32_t)(GROUNDS_BUILTIN_COUNT + g->n));
	for (size_t k = 0; k < GROUNDS_BUILTIN_COUNT + g->n; k++) {
		bool builtin = k < GROUNDS_BUILTIN_COUNT;
		const struct ground *d = builtin ? &grounds_builtin[k]
		                                 : &g->v[k - GROUNDS_BUILTIN_COUNT];
		msgpack_pack_map(pk, 4);
		proto_pack_kv_str(pk, "code", d->code);
		proto_pack_kv_str(pk, "label", d->label);
		proto_pack_kv_str(pk, "label_en", d->label_en);
		proto_pack_kv_bool(pk, "configured", !builtin);
	}
	return PROTO_OK;
}
