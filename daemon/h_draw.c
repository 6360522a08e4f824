/*
 * h_draw.c - draws (第十九条 随机、回避): a bureau asks for a panel; the
 * candidates are exactly the experts recusal allows, the seed joins the
 * server secret committed in the previous transcript, the bureau's nonce
 * and the hash of the candidate list, and the transcript of every attempt
 * (successful or not) is chained into the audit log in the same
 * transaction (attempt.c). Here: the request, seating the panel, the
 * reply. Operators may redraw a task that has not started.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attempt.h"
#include "catalog.h"
#include "handler.h"
#include "i18n.h"
#include "ident.h"
#include "orgs.h"
#include "pool.h"
#include "quota.h"
#include "reply.h"
#include "seat.h"
#include "seat_role.h"

#define DRAW_DEFAULT_BUREAU "center"

/* The request's fields into t; errors name the field at fault. */
/* Does a task of this kind and subject concern an institution, which its
 * draw must name (REGISTRY.md 2.2)? */
static bool concerns_institution(const struct task *t)
{
	return (t->kind == TASK_REVIEW || t->kind == TASK_INSPECTION) &&
	       (t->subject == TASK_SUBJECT_TRAINING || t->subject == TASK_SUBJECT_EVALUATION);
}

/* The request's orgs, each resolved to its registry key. */
static enum proto_status draw_orgs(struct handler_ctx *ctx,
                                   const struct proto_request *req, struct task *t,
                                   struct reply *rep)
{
	const msgpack_object *orgs = proto_arg(req, "orgs");
	for (uint32_t i = 0; orgs && i < orgs->via.array.size; i++) {
		const msgpack_object *o = &orgs->via.array.ptr[i];
		char field[32];
		snprintf(field, sizeof field, "orgs[%u]", i);
		enum proto_status st = orgs_resolve(ctx, o->via.str.ptr, o->via.str.size,
		                                    field, t->orgs[t->n_orgs], NULL, rep);
		if (st != PROTO_OK)
			return st;
		t->n_orgs++;
	}
	return PROTO_OK;
}

/* A specialty (from map, the request's args or a quota) that some expert
 * holds, into out; field names it in the error. */
static enum proto_status draw_specialty(struct handler_ctx *ctx,
                                        const msgpack_object *map, const char *field,
                                        char out[129], struct reply *rep)
{
	proto_map_strcpy(map, "specialty", out, 129);
	/* The task holds the catalogue's name (REGISTRY.md 3.3); the bucket
	 * then matches it byte for byte (DRAW.md 3.1). */
	const struct catalog_entry *occ = catalog_find(ctx->catalog, out);
	if (!occ) {
		char msg[PROTO_MAX_MESSAGE_LEN];
		catalog_unknown_message(ctx->catalog, out, msg, sizeof msg);
		return reply_error(rep, PROTO_E_INVALID_FIELD, field, "%s", msg);
	}
	memset(out, 0, 129);
	memcpy(out, occ->name, strlen(occ->name));
	if (!pool_specialty_find(ctx->pool, out))
		return reply_error(rep, PROTO_E_INVALID_FIELD, field,
		                   "no expert in the pool holds the specialty '%s'", out);
	return PROTO_OK;
}

/* One quota's fields (map: an item of quotas, or the args of a
 * one-specialty request); the group type defaults by kind and subject. */
static enum proto_status draw_quota(struct handler_ctx *ctx, const msgpack_object *map,
                                    const char *field, const struct task *t,
                                    struct task_quota *q, struct reply *rep)
{
	const char *s;
	size_t n;
	enum proto_status st = draw_specialty(ctx, map, field, q->specialty, rep);
	q->group = task_default_group(t->kind, t->subject);
	if (proto_map_str(map, "group_type", &s, &n))
		q->group = proto_choice_index(proto_group_types, s, n);
	q->members = (int)proto_map_int(map, "members", 1);
	q->backups = (int)proto_map_int(map, "backups", 0);
	return st;
}

/* A mixed panel's quotas (DRAW.md 3.7): none of the one-specialty fields
 * beside them, no bucket twice, and as many seats as one panel has. */
static enum proto_status draw_quotas(struct handler_ctx *ctx,
                                     const struct proto_request *req, struct task *t,
                                     struct reply *rep)
{
	static const char *const single[] = {"specialty", "group_type", "members",
	                                     "backups"};
	for (size_t i = 0; i < sizeof single / sizeof *single; i++)
		if (proto_arg(req, single[i]))
			return reply_error(rep, PROTO_E_INVALID_FIELD, single[i],
			                   "give %s in each item of quotas, not beside them",
			                   single[i]);
	const msgpack_object *qs = proto_arg(req, "quotas");
	for (uint32_t i = 0; i < qs->via.array.size; i++) {
		char field[40];
		snprintf(field, sizeof field, "quotas[%u].specialty", i);
		struct task_quota *q = &t->quotas[i];
		enum proto_status st = draw_quota(ctx, &qs->via.array.ptr[i], field, t, q, rep);
		for (uint32_t j = 0; st == PROTO_OK && j < i; j++)
			if (strcmp(t->quotas[j].specialty, q->specialty) == 0 &&
			    t->quotas[j].group == q->group)
				st = reply_error(rep, PROTO_E_INVALID_FIELD, field,
				                 "quota %u repeats quota %u: the same specialty "
				                 "and group type", i, j);
		if (st != PROTO_OK)
			return st;
		t->n_quotas++;
	}
	quota_task_totals(t);
	if (t->members > 30 || t->backups > 19)
		return reply_error(rep, PROTO_E_INVALID_FIELD, "quotas",
		                   "the quotas ask for %d members and %d backups; a panel "
		                   "has at most 30 and 19", t->members, t->backups);
	return PROTO_OK;
}

/* The seats asked for: specialty, group_type, members and backups, or
 * quotas (PROTOCOL.md 7.10.1), exactly one of the two forms. */
static enum proto_status draw_seats(struct handler_ctx *ctx,
                                    const struct proto_request *req, struct task *t,
                                    struct reply *rep)
{
	if (proto_arg(req, "quotas"))
		return draw_quotas(ctx, req, t, rep);
	static const char *const needed[] = {"specialty", "members"};
	for (size_t i = 0; i < sizeof needed / sizeof *needed; i++)
		if (!proto_arg(req, needed[i]))
			return reply_error(rep, PROTO_E_INVALID_FIELD, needed[i],
			                   "required field is missing (give specialty and "
			                   "members, or quotas)");
	struct task_quota q;
	enum proto_status st = draw_quota(ctx, req->args, "specialty", t, &q, rep);
	memcpy(t->specialty, q.specialty, sizeof t->specialty);
	t->group = q.group;
	t->members = q.members;
	t->backups = q.backups;
	return st;
}

/* No draw for a day no term covers (PROTOCOL.md 7.4, 7.10.1): every day of
 * the task, from its first to its last (China Standard Time), must lie in
 * some term, whoever's service might otherwise reach it. */
static enum proto_status draw_terms_cover(struct handler_ctx *ctx, const struct task *t,
                                          struct reply *rep)
{
	struct store_term *terms;
	size_t n;
	enum proto_status st = handler_terms(ctx, &terms, &n, rep);
	if (st != PROTO_OK)
		return st;
	int32_t first = handler_day_of(t->start_at), last = handler_day_of(t->end_at);
	for (int32_t d = first; d <= last && st == PROTO_OK; d++) {
		bool covered = false;
		for (size_t i = 0; i < n && !covered; i++)
			covered = terms[i].start <= d && d <= terms[i].end;
		if (!covered) {
			char day[11];
			ident_date_format(d, day);
			st = reply_error(rep, PROTO_E_INVALID_FIELD, d == first ? "start" : "end",
			                 "no term covers %s (China Standard Time): no draw is "
			                 "made for a day outside every term", day);
		}
	}
	free(terms);
	return st;
}

static enum proto_status draw_parse(struct handler_ctx *ctx,
                                    const struct proto_request *req,
                                    struct task *t, struct reply *rep)
{
	const char *s;
	size_t n;
	memset(t, 0, sizeof *t);
	proto_arg_str(req, "kind", &s, &n);
	t->kind = proto_choice_index(proto_task_kinds, s, n);
	t->subject = TASK_SUBJECT_TRAINING;
	if (proto_arg_str(req, "subject", &s, &n))
		t->subject = proto_choice_index(proto_task_subjects, s, n);
	enum proto_status st = draw_seats(ctx, req, t, rep);
	if (st != PROTO_OK)
		return st;
	t->leader = proto_arg_bool(req, "leader", false);
	st = draw_orgs(ctx, req, t, rep);
	if (st != PROTO_OK)
		return st;
	t->start_at = proto_arg_int(req, "start", 0);
	t->end_at = proto_arg_int(req, "end", 0);
	if (t->start_at <= ctx->now)
		return reply_error(rep, PROTO_E_INVALID_FIELD, "start",
		                   "the task must start in the future");
	if (t->end_at <= t->start_at)
		return reply_error(rep, PROTO_E_INVALID_FIELD, "end",
		                   "the task must end after it starts");
	if (t->end_at - t->start_at > (int64_t)ctx->rules->max_task_days * 86400)
		return reply_error(rep, PROTO_E_INVALID_FIELD, "end",
		                   "a task may last at most %d days", ctx->rules->max_task_days);
	st = draw_terms_cover(ctx, t, rep);
	if (st != PROTO_OK)
		return st;
	proto_arg_strcpy(req, "district", t->district, sizeof t->district);
	const msgpack_object *ex = proto_arg(req, "exclude");
	for (uint32_t i = 0; ex && i < ex->via.array.size; i++)
		t->exclude[t->n_exclude++] = (int64_t)ex->via.array.ptr[i].via.u64;
	proto_arg_strcpy(req, "note", t->note, sizeof t->note);
	proto_arg_str(req, "nonce", &s, &n);
	memcpy(t->nonce, s, n);
	t->nonce_len = n;
	if (ctx->caller->role & (PROTO_ROLE_BUREAU | PROTO_ROLE_CLERK))
		snprintf(t->bureau, sizeof t->bureau, "%s", ctx->caller->bureau);
	else if (!proto_arg_strcpy(req, "bureau", t->bureau, sizeof t->bureau))
		snprintf(t->bureau, sizeof t->bureau, "%s", DRAW_DEFAULT_BUREAU);
	snprintf(t->created_by, sizeof t->created_by, "%s", ctx->caller->principal);
	t->created_at = ctx->now;
	t->state = TASK_OPEN;
	t->fill = TASK_FILLING;
	t->respond_within = proto_arg_int(req, "respond_within",
	                                  ctx->assign->respond_within);
	char w1[I18N_CODE_MAX], w2[I18N_CODE_MAX];
	if (t->n_orgs == 0 && concerns_institution(t))
		return reply_error(rep, PROTO_E_INVALID_FIELD, "orgs",
		                   "kind %s on subject %s concerns an institution: name "
		                   "it in orgs, so that its staff and recommendees are "
		                   "recused",
		                   i18n_code("kind", proto_task_kinds[t->kind], w1, sizeof w1),
		                   i18n_code("subject", proto_task_subjects[t->subject], w2,
		                             sizeof w2));
	return PROTO_OK;
}

/* A response window below [assign] min_response_minutes is an operator's,
 * with respond_reason (PROTOCOL.md 7.10.1, POLICY.md 6.1): a bureau's
 * one-second window would turn every offer and replacement into an
 * expiry counted against experts. Such a task's expiries never count. */
static enum proto_status draw_respond(struct handler_ctx *ctx,
                                      const struct proto_request *req,
                                      struct task *t, struct reply *rep)
{
	int64_t min = ctx->assign->min_respond_within;
	bool reason = proto_arg_strcpy(req, "respond_reason", t->respond_reason,
	                               sizeof t->respond_reason);
	if (t->respond_within >= min) {
		if (reason)
			return reply_error(rep, PROTO_E_INVALID_FIELD, "respond_reason",
			                   "respond_reason goes with a respond_within below "
			                   "the minimum of %lld seconds", (long long)min);
		return PROTO_OK;
	}
	if (!(ctx->caller->role & PROTO_ROLE_OPERATOR))
		return reply_error(rep, PROTO_E_INVALID_FIELD, "respond_within",
		                   "respond_within %lld is below the minimum of %lld "
		                   "seconds (%lld minutes); only an operator may set a "
		                   "shorter window, with a reason",
		                   (long long)t->respond_within, (long long)min,
		                   (long long)(min / 60));
	if (!reason)
		return reply_error(rep, PROTO_E_INVALID_FIELD, "respond_reason",
		                   "a respond_within below the minimum of %lld seconds "
		                   "needs respond_reason", (long long)min);
	return PROTO_OK;
}

/* An operator may name the task's leader instead of drawing one (第七条,
 * DRAW.md 3.6, PROTOCOL.md 7.10.1): leader_expert with leader_reason,
 * which imply the leader seat. Whether the expert may lead is decided
 * against the candidate list, by the attempt. */
static enum proto_status draw_designate(struct handler_ctx *ctx,
                                        const struct proto_request *req,
                                        struct task *t, struct reply *rep)
{
	bool named = proto_arg(req, "leader_expert") != NULL;
	bool reason = proto_arg_strcpy(req, "leader_reason", t->leader_reason,
	                               sizeof t->leader_reason);
	if (!named && !reason)
		return PROTO_OK;
	if (!(ctx->caller->role & PROTO_ROLE_OPERATOR))
		return reply_error(rep, PROTO_E_FORBIDDEN,
		                   named ? "leader_expert" : "leader_reason",
		                   "only an operator may name a task's leader (第七条); "
		                   "leave it to the draw");
	if (!named)
		return reply_error(rep, PROTO_E_INVALID_FIELD, "leader_reason",
		                   "leader_reason goes with leader_expert");
	if (!reason)
		return reply_error(rep, PROTO_E_INVALID_FIELD, "leader_reason",
		                   "naming a leader needs a reason (1-512 bytes)");
	if (proto_arg(req, "leader") && !t->leader)
		return reply_error(rep, PROTO_E_INVALID_FIELD, "leader",
		                   "leader_expert names the leader, so leader cannot be "
		                   "false");
	if (t->n_quotas)
		return reply_error(rep, PROTO_E_INVALID_FIELD, "leader_expert",
		                   "a mixed panel's leader is drawn from its first quota "
		                   "(DRAW.md 3.7); name a leader only for one specialty");
	t->leader_expert = proto_arg_int(req, "leader_expert", 0);
	t->leader = true;
	return PROTO_OK;
}

/* Seat the panel of a successful draw or redraw: leader and members
 * offered, backups on standby. ids[i] receives seat i's assignment. */
static enum proto_status seat_panel(struct handler_ctx *ctx, const struct task *t,
                                    const struct audit_transcript *tr,
                                    int64_t *ids, struct reply *rep)
{
	size_t leaders = t->leader ? 1 : 0;
	enum proto_status st = PROTO_OK;
	for (size_t i = 0; i < tr->n_panel && st == PROTO_OK; i++) {
		enum seat_role role = seat_role_of(i, leaders, (size_t)t->members);
		st = seat_new(ctx, t, tr->panel[i], tr->draw, role, (int)i,
		              t->n_quotas ? tr->seat_quota[i] : 0,
		              role == SEAT_BACKUP ? ASSIGN_STANDBY : ASSIGN_OFFERED,
		              rep, &ids[i]);
	}
	return st;
}

/* What a reply counts of one candidate list: a one-specialty attempt's,
 * quota q's of a mixed panel, or (q < 0) the sum over a mixed panel's. */
struct draw_counts {
	uint64_t found, excluded[RULE__COUNT], outside_group, diversity, seated;
	bool split;
};

static void draw_counts_of(const struct audit_transcript *tr, int q,
                           struct draw_counts *c)
{
	memset(c, 0, sizeof *c);
	c->split = tr->req.n_quotas ? true : tr->outside_split;
	if (!tr->req.n_quotas) {
		c->found = tr->n_candidates;
		memcpy(c->excluded, tr->excluded, sizeof c->excluded);
		c->outside_group = tr->outside_group;
		c->diversity = tr->diversity_dropped;
		return;
	}
	for (size_t k = q < 0 ? 0 : (size_t)q; k < tr->n_quotas; k++) {
		const struct audit_quota_result *x = &tr->quotas[k];
		c->found += x->n_candidates;
		for (int r = 0; r < RULE__COUNT; r++)
			c->excluded[r] += x->excluded[r];
		c->outside_group += x->outside_group;
		c->diversity += x->diversity_dropped;
		c->seated += x->dropped_seated;
		if (q >= 0)
			break;
	}
}

/* The counts by cause (DRAW.md 4.4), then the diversity drops
 * (PROTOCOL.md 7.9.4), and a mixed panel quota's seated drops. */
static void pack_excluded(msgpack_packer *pk, const struct draw_counts *c, bool seated)
{
	struct audit_excluded x;
	audit_excluded_of(&x, c->excluded, c->outside_group, c->split);
	msgpack_pack_map(pk, x.n + 1 + seated);
	for (size_t i = 0; i < x.n; i++)
		proto_pack_kv_int(pk, x.key[i], (int64_t)x.count[i]);
	proto_pack_kv_int(pk, "diversity", (int64_t)c->diversity);
	if (seated)
		proto_pack_kv_int(pk, "seated", (int64_t)c->seated);
}

/* A mixed panel's quotas with what each list counted (PROTOCOL.md 7.10.1). */
static void pack_quotas(msgpack_packer *pk, const struct task *t,
                        const struct audit_transcript *tr)
{
	proto_pack_str(pk, "quotas");
	msgpack_pack_array(pk, tr->n_quotas);
	for (size_t k = 0; k < tr->n_quotas; k++) {
		int q = tr->replaces ? tr->quota : (int)k;
		struct draw_counts c;
		draw_counts_of(tr, (int)k, &c);
		msgpack_pack_map(pk, 4);
		proto_pack_kv_str(pk, "specialty", t->quotas[q].specialty);
		proto_pack_kv_str(pk, "group", proto_group_types[t->quotas[q].group]);
		proto_pack_kv_int(pk, "candidates", (int64_t)c.found);
		proto_pack_str(pk, "excluded");
		pack_excluded(pk, &c, true);
	}
}

/* The quota whose list ran short (quota 0 when no leader could be drawn). */
static int draw_short_quota(const struct task *t, const struct audit_transcript *tr)
{
	int q = quota_of_seat(t, tr->n_panel);
	return q < 0 ? 0 : q;
}

/* The seats asked of quota q (the leader is quota 0's), or of the task. */
static int draw_needed(const struct task *t, int q)
{
	if (q < 0)
		return task_seats(t);
	return (q == 0 && t->leader) + t->quotas[q].members + t->quotas[q].backups;
}

static enum proto_status reply_insufficient(const struct task *t,
                                            const struct audit_transcript *tr,
                                            int64_t seq, struct reply *rep)
{
	/* A mixed panel's counts are those of the quota that ran short. */
	int q = t->n_quotas ? draw_short_quota(t, tr) : -1;
	struct draw_counts c;
	draw_counts_of(tr, q, &c);
	int needed = draw_needed(t, q);
	msgpack_packer *pk = reply_result(rep);
	msgpack_pack_map(pk, q < 0 ? 8 : 10);
	proto_pack_kv_int(pk, "needed", needed);
	proto_pack_kv_int(pk, "found", (int64_t)c.found);
	proto_pack_str(pk, "excluded");
	pack_excluded(pk, &c, q >= 0);
	/* What the counts refer to, so the requester can tell what to change
	 * (the group type after defaulting; a redraw's from its task). */
	proto_pack_kv_str(pk, "specialty", q < 0 ? t->specialty : t->quotas[q].specialty);
	proto_pack_kv_str(pk, "group", proto_group_types[q < 0 ? t->group : t->quotas[q].group]);
	proto_pack_kv_str(pk, "capability",
	                  task_required_capability_name(t->kind, t->subject));
	proto_pack_kv_int(pk, "draw", tr->draw);
	proto_pack_kv_int(pk, "seq", seq);
	if (q >= 0) {
		proto_pack_kv_int(pk, "quota", q);
		pack_quotas(pk, t, tr);
	}
	rep->keep_result_on_error = true;
	rep->keep_changes_on_error = true; /* the failed attempt's transcript */
	char where[200] = "";
	if (q >= 0)
		snprintf(where, sizeof where, _("quota %d (%s): "), q, t->quotas[q].specialty);
	if (t->leader && tr->n_panel == 0)
		return reply_error(rep, PROTO_E_INSUFFICIENT_CANDIDATES, NULL,
		                   "%sno leader-eligible candidate among %llu", where,
		                   (unsigned long long)c.found);
	/* PROTOCOL.md 7.9.4: the drops, if any, after the counts. */
	char drops[200] = "";
	if (c.diversity)
		snprintf(drops, sizeof drops, _(", of whom %llu were dropped for panel "
		         "diversity (one expert per employer)"), (unsigned long long)c.diversity);
	if (c.seated)
		snprintf(drops + strlen(drops), sizeof drops - strlen(drops),
		         _("%s %llu were seated already from another quota"),
		         c.diversity ? _(" and") : _(", of whom"), (unsigned long long)c.seated);
	return reply_error(rep, PROTO_E_INSUFFICIENT_CANDIDATES, NULL,
	                   "%sneeded %d candidates, found %llu after recusal%s",
	                   where, needed, (unsigned long long)c.found, drops);
}

static enum proto_status reply_panel(struct handler_ctx *ctx, const struct task *t,
                                     const struct audit_transcript *tr, int64_t seq,
                                     const uint8_t hash[AUDIT_HASH_LEN],
                                     const int64_t *ids, struct reply *rep)
{
	int64_t deadline = seat_deadline(ctx, t);
	size_t leaders = t->leader ? 1 : 0;
	bool mixed = t->n_quotas > 0;
	struct draw_counts c;
	draw_counts_of(tr, -1, &c);
	msgpack_packer *pk = reply_result(rep);
	msgpack_pack_map(pk, 7 + mixed);
	proto_pack_kv_int(pk, "task", t->id);
	proto_pack_kv_int(pk, "draw", tr->draw);
	proto_pack_kv_int(pk, "seq", seq);
	proto_pack_str(pk, "transcript_hash");
	msgpack_pack_bin(pk, AUDIT_HASH_LEN);
	msgpack_pack_bin_body(pk, hash, AUDIT_HASH_LEN);
	proto_pack_kv_int(pk, "candidates", (int64_t)c.found);
	proto_pack_str(pk, "excluded");
	pack_excluded(pk, &c, false);
	if (mixed)
		pack_quotas(pk, t, tr);
	proto_pack_str(pk, "panel");
	msgpack_pack_array(pk, (uint32_t)tr->n_panel);
	for (size_t i = 0; i < tr->n_panel; i++) {
		/* Only the columns shown: the whole row is several KB. */
		struct store_contact e;
		enum store_result r = store_expert_contact(ctx->store, tr->panel[i], &e);
		if (r != STORE_OK)
			return r == STORE_NOT_FOUND
			       ? reply_error(rep, PROTO_E_NOT_FOUND, "expert",
			                     "no expert with id %lld", (long long)tr->panel[i])
			       : handler_store_error(rep, r);
		enum seat_role role = seat_role_of(i, leaders, (size_t)t->members);
		bool backup = role == SEAT_BACKUP;
		/* The requesting bureau gets the contact it needs: full phone. */
		msgpack_pack_map(pk, 9 + mixed);
		proto_pack_kv_int(pk, "seat", (int64_t)i);
		proto_pack_kv_str(pk, "role", proto_seat_roles[role]);
		if (mixed)
			proto_pack_kv_int(pk, "quota", tr->seat_quota[i]);
		proto_pack_kv_int(pk, "expert", tr->panel[i]);
		proto_pack_kv_str(pk, "name", e.name);
		proto_pack_kv_str(pk, "phone", e.phone);
		proto_pack_kv_str(pk, "employer", e.employer);
		proto_pack_kv_int(pk, "assignment", ids[i]);
		proto_pack_kv_str(pk, "state", proto_assignment_states[backup ? ASSIGN_STANDBY
		                                                             : ASSIGN_OFFERED]);
		proto_pack_str(pk, "deadline");
		if (backup)
			msgpack_pack_nil(pk);
		else
			msgpack_pack_int64(pk, deadline);
	}
	return PROTO_OK;
}

/* A draw or redraw: the attempt, then the reply; a successful redraw
 * replaces the earlier panel, a failed one leaves it as it was. */
static enum proto_status draw_panel(struct handler_ctx *ctx, struct task *t,
                                    const char *kind, const char *reason,
                                    struct reply *rep)
{
	struct attempt a = {.kind = kind, .reason = reason, .role = -1};
	int64_t ids[TASK_MAX_SEATS];
	enum proto_status st = attempt_run(ctx, t, &a, rep);
	if (st == PROTO_OK && !a.tr->ok)
		st = reply_insufficient(t, a.tr, a.seq, rep);
	else if (st == PROTO_OK && strcmp(kind, "redraw") == 0)
		st = seat_cancel_open(ctx, t, reason, false, NULL, rep);
	if (st == PROTO_OK)
		st = seat_panel(ctx, t, a.tr, ids, rep);
	/* A redraw replaces seats a filled or short task had. */
	if (st == PROTO_OK && strcmp(kind, "redraw") == 0)
		st = seat_refresh_fill(ctx, t, NULL, rep);
	if (st == PROTO_OK)
		st = reply_panel(ctx, t, a.tr, a.seq, a.hash, ids, rep);
	attempt_free(&a);
	return st;
}

enum proto_status h_draw(struct handler_ctx *ctx, const struct proto_request *req,
                         struct reply *rep)
{
	struct task *t = malloc(sizeof *t);
	if (!t)
		return reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	enum proto_status st = draw_parse(ctx, req, t, rep);
	if (st == PROTO_OK)
		st = draw_respond(ctx, req, t, rep);
	if (st == PROTO_OK)
		st = draw_designate(ctx, req, t, rep);
	if (st == PROTO_OK)
		st = draw_panel(ctx, t, "draw", NULL, rep);
	free(t);
	return st;
}

enum proto_status h_draw_redraw(struct handler_ctx *ctx, const struct proto_request *req,
                                struct reply *rep)
{
	int64_t id = proto_arg_int(req, "task", 0);
	char reason[PROTO_REASON_SIZE] = "", w[I18N_CODE_MAX];
	proto_arg_strcpy(req, "reason", reason, sizeof reason);
	struct task *t = malloc(sizeof *t);
	if (!t)
		return reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	enum proto_status st = PROTO_OK;
	enum store_result r = store_task_get(ctx->store, id, t);
	if (r == STORE_NOT_FOUND)
		st = reply_error(rep, PROTO_E_NOT_FOUND, "task", "no task %lld",
		                 (long long)id);
	else if (r != STORE_OK)
		st = handler_store_error(rep, r);
	else if (t->state != TASK_OPEN)
		st = reply_error(rep, PROTO_E_INVALID_STATE, "task",
		                 "task %lld is %s", (long long)id,
		                 i18n_code("task_state", proto_task_states[t->state], w,
		                           sizeof w));
	else if (ctx->now >= t->start_at)
		st = reply_error(rep, PROTO_E_INVALID_STATE, "task",
		                 "task %lld has started; it can no longer be redrawn",
		                 (long long)id);
	if (st == PROTO_OK) {
		const char *s;
		size_t n;
		proto_arg_str(req, "nonce", &s, &n);
		memcpy(t->nonce, s, n);
		t->nonce_len = n;
		st = draw_panel(ctx, t, "redraw", reason, rep);
	}
	free(t);
	return st;
}
