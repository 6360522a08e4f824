/*
 * h_stats.c - stats (PROTOCOL.md 7.12.8): the pool by status and
 * specialty, tasks by fill state, seats by state, how experts answer, and
 * the most-drawn experts beside the seats uniform draws would have given
 * them, so an operator can see whether the draws are fair. Read-only and
 * rare: it walks every successful draw's transcript, one at a time.
 */
#include <stdlib.h>
#include <string.h>

#include "assign.h"
#include "handler.h"
#include "mask.h"

#define STATS_TOP_DEFAULT 10

/* The seat events the rates are made of (PROTOCOL.md 7.12.8). */
enum stats_answer { STATS_ACCEPT, STATS_DECLINE, STATS_EXPIRE, STATS__ANSWERS };
static const char *const stats_answer_names[STATS__ANSWERS] = {
	"accept", "decline", "expire"};
static const enum assign_event stats_answer_events[STATS__ANSWERS] = {
	ASSIGN_EV_ACCEPT, ASSIGN_EV_DECLINE, ASSIGN_EV_EXPIRE};
#define STATS_REASONS POLICY_REASON__COUNT  /* proto_decline_reasons */

struct stats_answers {
	int64_t n[STATS__ANSWERS];
	int64_t reasons[STATS_REASONS];
};

static bool stats_answer_cb(const char *event, const char *reason, int64_t count,
                            void *arg)
{
	struct stats_answers *a = arg;
	for (int i = 0; i < STATS__ANSWERS; i++)
		if (strcmp(event, assign_event_names[stats_answer_events[i]]) == 0)
			a->n[i] += count;
	/* The store gives a reason for declines only. */
	int r = reason[0] ? proto_choice_index(proto_decline_reasons, reason,
	                                       strlen(reason)) : -1;
	if (r >= 0 && r < STATS_REASONS)
		a->reasons[r] += count;
	return true;
}

/* The walk over the transcripts: each successful draw adds its share,
 * panel seats / candidates, to every listed expert of its bucket. */
struct stats_expect {
	const struct pool *pool;
	const struct store_drawn *drawn;
	double *expected;
	size_t n;
	struct audit_transcript tr;  /* scratch, a few KiB */
	int64_t bad_draw;            /* a transcript that cannot be read, or 0 */
	bool unreadable;
};

static bool stats_in_bucket(const struct pool_entry *pe, uint32_t sid, int group)
{
	if (!(pe->group_types & (1u << group)))
		return false;
	for (int i = 0; i < pe->n_specialties; i++)
		if (pe->specialties[i] == sid)
			return true;
	return false;
}

/* One list's share, seats / candidates, to every listed expert of its
 * bucket who existed then. Ids are dense and never removed: the experts
 * that existed when the draw ran are 1 .. the pool's size then, which is
 * the candidates plus every exclusion count (excluded[RULE_OK] holds
 * those outside the bucket, outside_group included, in both layouts of
 * DRAW.md 4.4). */
static void stats_share(struct stats_expect *x, const char *specialty, int group,
                        uint64_t candidates, const uint64_t excluded[RULE__COUNT],
                        size_t seats)
{
	uint64_t present = candidates;
	for (int r = 0; r < RULE__COUNT; r++)
		present += excluded[r];
	uint32_t sid = pool_specialty_find(x->pool, specialty);
	double share = (double)seats / (double)candidates;
	for (size_t i = 0; sid && i < x->n; i++) {
		const struct pool_entry *pe = pool_get(x->pool, x->drawn[i].expert);
		if (pe && (uint64_t)pe->id <= present && stats_in_bucket(pe, sid, group))
			x->expected[i] += share;
	}
}

/* A mixed panel (DRAW.md 3.7): each list with the seats of its quota. */
static void stats_share_quotas(struct stats_expect *x, const struct audit_transcript *tr)
{
	for (size_t k = 0; k < tr->n_quotas; k++) {
		int q = tr->replaces ? tr->quota : (int)k;
		size_t seats = 0;
		for (size_t s = 0; s < tr->n_panel; s++)
			seats += tr->seat_quota[s] == q;
		if (seats > 0 && tr->quotas[k].n_candidates > 0)
			stats_share(x, tr->req.quotas[q].specialty, tr->req.quotas[q].group,
			            tr->quotas[k].n_candidates, tr->quotas[k].excluded, seats);
	}
}

static bool stats_expect_cb(const void *body, size_t len, void *arg)
{
	struct stats_expect *x = arg;
	struct audit_transcript *tr = &x->tr;
	msgpack_unpacked u;
	struct proto_error err;
	msgpack_unpacked_init(&u);
	bool ok = proto_unpack(body, len, &u, &err) == PROTO_OK &&
	          audit_read_transcript(&u.data, tr);
	msgpack_unpacked_destroy(&u);
	if (!ok || !tr->ok || tr->n_panel == 0 ||
	    (tr->req.n_quotas == 0 && tr->n_candidates == 0)) {
		x->unreadable = true;
		x->bad_draw = ok ? tr->draw : 0;
		return false;
	}
	if (tr->req.n_quotas)
		stats_share_quotas(x, tr);
	else
		stats_share(x, tr->req.specialty, tr->req.group, tr->n_candidates,
		            tr->excluded, tr->n_panel);
	return true;
}

static enum proto_status stats_expected(struct handler_ctx *ctx,
                                        const struct store_drawn *drawn, size_t n,
                                        double *expected, struct reply *rep)
{
	struct stats_expect *x = calloc(1, sizeof *x);
	if (!x)
		return reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	*x = (struct stats_expect){.pool = ctx->pool, .drawn = drawn,
	                           .expected = expected, .n = n};
	enum store_result r = store_stats_each_draw_body(ctx->store, stats_expect_cb, x);
	enum proto_status st = PROTO_OK;
	if (r != STORE_OK)
		st = handler_store_error(rep, r);
	else if (x->unreadable)
		st = reply_error(rep, PROTO_E_INTERNAL, NULL,
		                 "the transcript of a successful draw (%lld) is unreadable",
		                 (long long)x->bad_draw);
	free(x);
	return st;
}

/* --- the pool by specialty, from memory ----------------------------------- */

/* Of one specialty (PROTOCOL.md 7.12.13): the appointed experts, and
 * of them those whose status is active (rule 13 may still keep one out
 * of this specialty, DRAW.md 3.1); those still being appointed: pending. */
struct stats_specialty {
	const char *name;   /* borrowed from the pool */
	int64_t active, total, pending;
};

static int stats_specialty_cmp(const void *a, const void *b)
{
	return strcmp(((const struct stats_specialty *)a)->name,
	              ((const struct stats_specialty *)b)->name);
}

/* Every specialty some expert holds, by name (byte order); *out malloc'd. */
static bool stats_specialties(const struct pool *p, struct stats_specialty **out,
                              size_t *n)
{
	uint32_t nsid = 0;
	while (pool_specialty_name(p, nsid + 1))
		nsid++;
	struct stats_specialty *s = calloc((size_t)nsid + 1, sizeof *s);
	if (!s)
		return false;
	for (int64_t id = 1; id <= pool_max_id(p); id++) {
		const struct pool_entry *pe = pool_get(p, id);
		bool appointed = pe && pe->appointment == APPOINT_APPOINTED;
		bool pending = pe && (pe->appointment == APPOINT_RECOMMENDED ||
		                      pe->appointment == APPOINT_UNDER_REVIEW);
		for (int i = 0; pe && i < pe->n_specialties; i++) {
			struct stats_specialty *c = &s[pe->specialties[i]];
			c->total += appointed;
			c->active += appointed && pe->status == EXPERT_ACTIVE;
			c->pending += pending;
		}
	}
	/* Names interned once but no longer held (re-imports) are left out. */
	size_t k = 0;
	for (uint32_t sid = 1; sid <= nsid; sid++)
		if (s[sid].total || s[sid].pending) {
			s[k] = s[sid];
			s[k++].name = pool_specialty_name(p, sid);
		}
	qsort(s, k, sizeof *s, stats_specialty_cmp);
	*out = s;
	*n = k;
	return true;
}

/* --- packing -------------------------------------------------------------- */

/* {names[i]: counts[i]} for the n names. */
static void stats_pack_counts(msgpack_packer *pk, const char *key,
                              const char *const *names, const int64_t *counts,
                              size_t n)
{
	proto_pack_str(pk, key);
	msgpack_pack_map(pk, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		proto_pack_kv_int(pk, names[i], counts[i]);
}

static double stats_ratio(int64_t num, int64_t den)
{
	return den > 0 ? (double)num / (double)den : 0.0;
}

static void stats_pack_specialties(msgpack_packer *pk,
                                   const struct stats_specialty *s, size_t n)
{
	proto_pack_str(pk, "specialties");
	msgpack_pack_array(pk, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		msgpack_pack_map(pk, 4);
		proto_pack_kv_str(pk, "specialty", s[i].name);
		proto_pack_kv_int(pk, "active", s[i].active);
		proto_pack_kv_int(pk, "total", s[i].total);
		proto_pack_kv_int(pk, "pending", s[i].pending);
	}
}

static void stats_pack_answers(msgpack_packer *pk, const struct stats_answers *a)
{
	stats_pack_counts(pk, "answers", stats_answer_names, a->n, STATS__ANSWERS);
	stats_pack_counts(pk, "declines", proto_decline_reasons, a->reasons,
	                  STATS_REASONS);
	int64_t answered = a->n[STATS_ACCEPT] + a->n[STATS_DECLINE];
	proto_pack_str(pk, "rates");
	msgpack_pack_map(pk, 2);
	proto_pack_str(pk, "decline");
	msgpack_pack_double(pk, stats_ratio(a->n[STATS_DECLINE], answered));
	proto_pack_str(pk, "expiry");
	msgpack_pack_double(pk, stats_ratio(a->n[STATS_EXPIRE],
	                                    answered + a->n[STATS_EXPIRE]));
}

static enum proto_status stats_pack_drawn(struct handler_ctx *ctx, msgpack_packer *pk,
                                          const struct store_drawn *drawn,
                                          const double *expected, size_t n,
                                          struct reply *rep)
{
	proto_pack_str(pk, "most_drawn");
	msgpack_pack_array(pk, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		struct expert e;
		enum proto_status st = handler_get_expert(ctx, drawn[i].expert, &e, rep);
		if (st != PROTO_OK)
			return st;
		char name[MASK_BUF];
		mask_name(e.name, name);
		msgpack_pack_map(pk, 4);
		proto_pack_kv_int(pk, "expert", e.id);
		proto_pack_kv_str(pk, "name", name);
		proto_pack_kv_int(pk, "seats", drawn[i].seats);
		proto_pack_str(pk, "expected");
		msgpack_pack_double(pk, expected[i]);
	}
	return PROTO_OK;
}

/* --- the operation ----------------------------------------------------------- */

/* The pool proper by status: appointed experts only (PROTOCOL.md 7.17);
 * then every expert by appointment state. */
static void stats_pack_experts(const struct pool *p, msgpack_packer *pk)
{
	int64_t by_status[EXPERT_REVOKED + 1], by_appointment[APPOINT_REJECTED + 1];
	for (int s = 0; s <= EXPERT_REVOKED; s++) {
		struct pool_filter f = {.group = -1, .status = s,
		                        .appointment = APPOINT_APPOINTED + 1};
		by_status[s] = (int64_t)pool_list(p, &f, 0, 0, NULL);
	}
	for (int a = 0; a <= APPOINT_REJECTED; a++) {
		struct pool_filter f = {.group = -1, .status = -1, .appointment = a + 1};
		by_appointment[a] = (int64_t)pool_list(p, &f, 0, 0, NULL);
	}
	stats_pack_counts(pk, "experts", proto_statuses, by_status, EXPERT_REVOKED + 1);
	/* In the order of 7.17's workflow, not of the enum. */
	static const int order[] = {APPOINT_RECOMMENDED, APPOINT_UNDER_REVIEW,
	                            APPOINT_APPOINTED, APPOINT_REJECTED};
	proto_pack_str(pk, "appointments");
	msgpack_pack_map(pk, 4);
	for (size_t i = 0; i < 4; i++)
		proto_pack_kv_int(pk, proto_appointments[order[i]], by_appointment[order[i]]);
}

/* What the store counts; read before anything is packed. */
struct stats_counts {
	int64_t seats[ASSIGN_CANCELLED + 1];
	int64_t fills[TASK_FILL_CANCELLED + 1];
	int64_t draws_ok, draws_failed;
	struct stats_answers answers;
	struct store_drawn *drawn;
	size_t n_drawn;
	double *expected;
};

static enum proto_status stats_count(struct handler_ctx *ctx, int64_t top,
                                     struct stats_counts *c, struct reply *rep)
{
	enum store_result r = store_assignment_counts(
		ctx->store, c->seats, sizeof c->seats / sizeof c->seats[0], c->fills,
		sizeof c->fills / sizeof c->fills[0]);
	if (r == STORE_OK)
		r = store_stats_draws(ctx->store, &c->draws_ok, &c->draws_failed);
	if (r == STORE_OK)
		r = store_stats_seat_events(ctx->store, stats_answer_cb, &c->answers);
	if (r == STORE_OK)
		r = store_stats_most_drawn(ctx->store, top, &c->drawn, &c->n_drawn);
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	c->expected = calloc(c->n_drawn ? c->n_drawn : 1, sizeof *c->expected);
	if (!c->expected)
		return reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	return stats_expected(ctx, c->drawn, c->n_drawn, c->expected, rep);
}

enum proto_status h_stats(struct handler_ctx *ctx, const struct proto_request *req,
                          struct reply *rep)
{
	int64_t top = proto_arg_int(req, "top", STATS_TOP_DEFAULT);
	struct stats_counts c = {0};
	struct stats_specialty *spec = NULL;
	size_t n_spec = 0;
	enum proto_status st = stats_count(ctx, top, &c, rep);
	if (st == PROTO_OK && !stats_specialties(ctx->pool, &spec, &n_spec))
		st = reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	if (st == PROTO_OK) {
		int64_t draws[2] = {c.draws_ok, c.draws_failed};
		static const char *const draw_names[2] = {"ok", "failed"};
		msgpack_packer *pk = reply_result(rep);
		msgpack_pack_map(pk, 10);
		stats_pack_experts(ctx->pool, pk);
		stats_pack_specialties(pk, spec, n_spec);
		stats_pack_counts(pk, "tasks", proto_fill_states, c.fills,
		                  TASK_FILL_CANCELLED + 1);
		stats_pack_counts(pk, "assignments", proto_assignment_states, c.seats,
		                  ASSIGN_CANCELLED + 1);
		stats_pack_counts(pk, "draws", draw_names, draws, 2);
		stats_pack_answers(pk, &c.answers);
		st = stats_pack_drawn(ctx, pk, c.drawn, c.expected, c.n_drawn, rep);
	}
	free(spec);
	free(c.drawn);
	free(c.expected);
	return st;
}
