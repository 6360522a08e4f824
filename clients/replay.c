/*
 * replay.c - the audit log replayed (see replay.h): the chain, then each
 * entry's body applied to a pool, terms, conflicts and tasks rebuilt from
 * the log alone, and every draw re-run from its transcript with the
 * daemon's pure code, mirroring h_draw.c step by step. Any difference is
 * the first mismatch, named with its seq.
 */
#include "replay.h"
#include "ctl_i18n.h"
#include "replay_int.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assign.h"
#include "audit.h"
#include "candidates.h"
#include "designate.h"
#include "engage.h"
#include "ident.h"
#include "pool.h"
#include "proto.h"
#include "replace.h"
#include "seat_role.h"
#include "sign.h"

_Static_assert(REPLAY_HASH_LEN == AUDIT_HASH_LEN, "one hash length");

struct replay *replay_new(void)
{
	struct replay *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->pool = pool_new();
	r->engage = engage_new();
	candidates_init(&r->cands);
	if (!r->pool || !r->engage)
		replay_destroy(&r);
	return r;
}

void replay_destroy(struct replay **rp)
{
	struct replay *r = rp ? *rp : NULL;
	if (!r)
		return;
	for (size_t i = 0; i < r->n_tasks; i++)
		free(r->tasks[i].slots);
	free(r->tasks);
	free(r->seats);
	free(r->merged_at);
	free(r->term_start);
	free(r->term_end);
	candidates_free(&r->cands);
	engage_destroy(&r->engage);
	pool_destroy(&r->pool);
	free(r);
	*rp = NULL;
}

bool replay_fail(struct replay_at *x, const char *fmt, ...)
{
	if (!x->why || x->whysz == 0)
		return false;
	int n = x->draw
		? snprintf(x->why, x->whysz, _("seq %lld (draw %lld): "),
		           (long long)x->seq, (long long)x->draw)
		: snprintf(x->why, x->whysz, _("seq %lld: "), (long long)x->seq);
	if (n >= 0 && (size_t)n < x->whysz) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(x->why + n, x->whysz - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return false;
}

bool replay_unparsed(struct replay_at *x)
{
	return replay_fail(x, _("body of type %s does not parse"), x->type);
}

bool replay_nomem(struct replay_at *x)
{
	return replay_fail(x, _("out of memory while replaying"));
}

/* ---- the chain ---- */

static bool replay_chain(struct replay_at *x, const void *body, size_t body_len,
                         const uint8_t prev[AUDIT_HASH_LEN],
                         const uint8_t hash[AUDIT_HASH_LEN])
{
	const struct replay *r = x->r;
	uint8_t h[AUDIT_HASH_LEN];

	if (x->seq != r->seq + 1) {
		if (r->seq == 0)
			return replay_fail(x, _("the log must start at seq 1"));
		return replay_fail(x, _("expected seq %lld after seq %lld: an entry is "
		                   "missing or out of order"),
		                   (long long)r->seq + 1, (long long)r->seq);
	}
	if (memcmp(prev, r->hash, AUDIT_HASH_LEN) != 0) {
		if (r->seq == 0)
			return replay_fail(x, _("prev_hash of the first entry is not zero"));
		return replay_fail(x, _("prev_hash is not the hash of entry %lld"),
		                   (long long)r->seq);
	}
	audit_hash(h, prev, x->seq, x->at, x->type, body, body_len);
	if (memcmp(h, hash, AUDIT_HASH_LEN) != 0)
		return replay_fail(x, _("hash does not match its contents"));
	return true;
}

/* ---- genesis, terms, experts, conflicts ---- */

static bool replay_genesis(struct replay_at *x, const msgpack_object *body)
{
	struct replay *r = x->r;

	if (x->seq != 1)
		return replay_fail(x, _("%s may only open the log"), AUDIT_GENESIS);
	if (!audit_read_commit(body, r->commit))
		return replay_unparsed(x);
	r->commit_seq = x->seq;
	r->commit_draw = 0;
	r->commit_type = AUDIT_GENESIS;
	return true;
}

/* A revealed export (DRAW.md 4.3): a record of who saw personal data;
 * it changes nothing a draw depends on, so only its layout is checked. */
static bool replay_revealed(struct replay_at *x, const msgpack_object *body)
{
	int64_t experts;

	return audit_read_revealed(body, &experts) || replay_unparsed(x);
}

/* The signing key changes (DRAW.md 3.2.3): the old key reveals its
 * pending secret and endorses the new key, which commits to the next. */
static bool replay_key_rotated(struct replay_at *x, const msgpack_object *body)
{
	struct replay *r = x->r;
	struct audit_rotation rot;
	uint8_t c[AUDIT_HASH_LEN];

	if (!audit_read_key_rotated(body, &rot))
		return replay_unparsed(x);
	if (r->has_key && memcmp(rot.old_key, r->key, sizeof r->key) != 0)
		return replay_fail(x, _("rotates from a key that is not the one the log "
		                   "rotated to before"));
	if (!sign_rotation_is_valid(rot.endorsement, x->seq, r->hash, rot.new_key,
	                            rot.old_key))
		return replay_fail(x, _("the old key's endorsement of the new key does not "
		                   "verify"));
	audit_commit(c, rot.secret);
	if (memcmp(c, r->commit, sizeof c) != 0)
		return replay_fail(x, _("secret does not open the pending commitment of seq "
		                   "%lld"), (long long)r->commit_seq);
	memcpy(r->commit, rot.next_commit, sizeof r->commit);
	r->commit_seq = x->seq;
	r->commit_draw = 0;
	r->commit_type = AUDIT_KEY_ROTATED;
	memcpy(r->key, rot.new_key, sizeof r->key);
	r->has_key = true;
	return true;
}

static bool replay_term(struct replay_at *x, const msgpack_object *body)
{
	struct replay *r = x->r;
	int term;
	int32_t start, end;

	if (!audit_read_term(body, &term, &start, &end))
		return replay_unparsed(x);
	if (term != r->n_terms + 1)
		return replay_fail(x, _("term %d opened after term %d"), term, r->n_terms);
	if (r->n_terms > 0 && start <= r->term_start[r->n_terms])
		return replay_fail(x, _("term %d does not start after term %d"), term,
		                   r->n_terms);
	if (end < start)
		return replay_fail(x, _("term %d ends before it starts"), term);
	size_t n = (size_t)term + 1;
	int32_t *s = realloc(r->term_start, n * sizeof *s);
	if (s)
		r->term_start = s;
	int32_t *e = realloc(r->term_end, n * sizeof *e);
	if (e)
		r->term_end = e;
	if (!s || !e)
		return replay_nomem(x);
	s[0] = e[0] = 0;
	s[term] = start;
	e[term] = end;
	r->n_terms = term;
	r->stats.terms++;
	return true;
}

/* The daemon makes expert ids densely (the pool's largest + 1), so an
 * entry names a known expert or the next one; this also keeps a forged
 * id from sizing the pool's vectors. */
bool replay_expert(struct replay_at *x, const msgpack_object *body)
{
	struct replay *r = x->r;
	struct expert e;

	if (!audit_read_expert(body, &e))
		return replay_unparsed(x);
	if (!replay_org_live(x, e.employer_code, "employer_code") ||
	    !replay_org_live(x, e.recommender_code, "recommender_code"))
		return false;
	int64_t next = pool_max_id(r->pool) + 1;
	if (!pool_get(r->pool, e.id) && e.id != next)
		return replay_fail(x, _("expert %lld is neither in the pool nor the next "
		                   "id (%lld)"), (long long)e.id, (long long)next);
	if (!pool_upsert(r->pool, &e))
		return replay_nomem(x);
	r->stats.experts++;
	return true;
}

static bool replay_conflict(struct replay_at *x, const msgpack_object *body)
{
	struct replay *r = x->r;
	int64_t id, expert;
	char org[IDENT_CODE_SIZE];
	int kind;
	int32_t from, to;
	const char *bad = NULL;

	if (!audit_read_conflict(body, &id, &expert, org, &kind, &from, &to))
		return replay_unparsed(x);
	if (id != r->last_conflict + 1)
		return replay_fail(x, _("conflict id %lld, expected %lld"), (long long)id,
		                   (long long)r->last_conflict + 1);
	if (!pool_get(r->pool, expert))
		return replay_fail(x, _("conflict %lld names expert %lld, who is not in "
		                   "the pool"), (long long)id, (long long)expert);
	if (ident_org_key(org, strlen(org), &bad) != IDENT_OK)
		return replay_fail(x, _("conflict %lld: org_code is not a unified social "
		                   "credit code or an org:N key (%s)"), (long long)id,
		                   bad ? bad : "?");
	if (!replay_org_live(x, org, "org_code"))
		return false;
	if (to != 0 && to < from)
		return replay_fail(x, _("conflict %lld ends before it starts"), (long long)id);
	/* As the daemon: conflicts intern orgs no expert works for. */
	struct engage_conflict ec = {.org = pool_org_intern(r->pool, org),
	                             .valid_from = from, .valid_to = to};
	if (!ec.org || !engage_add_conflict(r->engage, expert, &ec))
		return replay_nomem(x);
	r->last_conflict = id;
	r->stats.conflicts++;
	return true;
}

/* A declared unavailability (DRAW.md 4.3): rule 12 of later draws. */
static bool replay_unavailable(struct replay_at *x, const msgpack_object *body)
{
	struct replay *r = x->r;
	int64_t id, expert;
	int32_t from, to;

	if (!audit_read_unavailable(body, &id, &expert, &from, &to))
		return replay_unparsed(x);
	if (id != r->last_unavailable + 1)
		return replay_fail(x, _("unavailability id %lld, expected %lld"),
		                   (long long)id, (long long)r->last_unavailable + 1);
	if (!pool_get(r->pool, expert))
		return replay_fail(x, _("unavailability %lld names expert %lld, who is "
		                   "not in the pool"), (long long)id, (long long)expert);
	struct engage_away w = {.id = id, .expert = expert, .from = from, .to = to};
	if (!engage_add_away(r->engage, &w))
		return replay_nomem(x);
	r->last_unavailable = id;
	return true;
}

/* A period withdrawn or shortened (DRAW.md 4.3): rule 12 of later draws
 * reads what is left; it may only shrink. */
static bool replay_unavailable_changed(struct replay_at *x, const msgpack_object *body)
{
	struct replay *r = x->r;
	int64_t id, expert;
	int32_t from, to;

	if (!audit_read_unavailable_changed(body, &id, &expert, &from, &to))
		return replay_unparsed(x);
	const struct engage_away *w = engage_find_away(r->engage, id);
	if (!w || w->expert != expert)
		return replay_fail(x, _("unavailability %lld of expert %lld changed, but no "
		                   "such period is in force"), (long long)id, (long long)expert);
	if (from && (from < w->from || to > w->to || (from == w->from && to == w->to)))
		return replay_fail(x, _("unavailability %lld does not shrink"), (long long)id);
	/* Days passed stay as they were (PROTOCOL.md 7.6.6). */
	int32_t day = ident_day_cst(x->at);
	if (w->to < day || (w->from < day && (!from || from != w->from || to < day - 1)))
		return replay_fail(x, _("unavailability %lld changes days already passed"),
		                   (long long)id);
	if (!engage_change_away(r->engage, id, from == 0, from, to))
		return replay_nomem(x);
	return true;
}

/* ---- tasks and seats ---- */

struct replay_task *replay_task_get(const struct replay *r, int64_t id)
{
	if (id < 1 || (uint64_t)id > r->n_tasks)
		return NULL;
	return &r->tasks[id - 1];
}

/* The first request field (as packed in transcripts) in which a redraw
 * does not repeat its task, or NULL. The nonce is the redraw's own. */
const char *replay_request_differs(const struct task *a, const struct task *b)
{
	if (strcmp(a->bureau, b->bureau) != 0)
		return "bureau";
	if (a->kind != b->kind)
		return "kind";
	if (a->subject != b->subject)
		return "subject";
	if (replay_quotas_differ(a, b))
		return "quotas";
	if (strcmp(a->specialty, b->specialty) != 0)
		return "specialty";
	if (a->group != b->group)
		return "group";
	if (a->members != b->members || a->leader != b->leader ||
	    a->backups != b->backups)
		return a->members != b->members ? "members"
		       : a->leader != b->leader ? "leader" : "backups";
	if (a->n_orgs != b->n_orgs)
		return "orgs";
	for (int i = 0; i < a->n_orgs; i++)
		if (strcmp(a->orgs[i], b->orgs[i]) != 0)
			return "orgs";
	if (a->start_at != b->start_at)
		return "start";
	if (a->end_at != b->end_at)
		return "end";
	if (strcmp(a->district, b->district) != 0)
		return "district";
	if (a->n_exclude != b->n_exclude ||
	    memcmp(a->exclude, b->exclude, (size_t)a->n_exclude * sizeof *a->exclude))
		return "exclude";
	return NULL;
}

/* A task created by an ok draw: kept for redraws, and given to engage
 * with its orgs interned, as handler_engage_task() does. */
static bool replay_task_create(struct replay *r, int64_t id, const struct task *req)
{
	assert((uint64_t)id == r->n_tasks + 1);
	if (r->n_tasks == r->cap_tasks) {
		size_t nc = r->cap_tasks ? r->cap_tasks * 2 : 16;
		struct replay_task *t = realloc(r->tasks, nc * sizeof *t);
		if (!t)
			return false;
		r->tasks = t;
		r->cap_tasks = nc;
	}
	struct replay_task *t = &r->tasks[r->n_tasks++];
	memset(t, 0, sizeof *t);
	t->req = *req;
	t->req.id = id;

	struct engage_task et = {.id = id, .start_at = req->start_at,
	                         .end_at = req->end_at};
	for (int i = 0; i < req->n_orgs; i++) {
		et.orgs[et.n_orgs] = pool_org_intern(r->pool, req->orgs[i]);
		if (!et.orgs[et.n_orgs++])
			return false;
	}
	return engage_put_task(r->engage, &et);
}

/* A redraw cancels the open seats (offered, standby, accepted) first. */
static bool replay_cancel_open(struct replay *r, int64_t task, struct replay_task *t,
                               int64_t seq)
{
	for (size_t i = 0; i < t->n; i++) {
		struct replay_slot *s = &t->slots[i];
		if (s->seat.state != ASSIGN_OFFERED && s->seat.state != ASSIGN_STANDBY &&
		    s->seat.state != ASSIGN_ACCEPTED)
			continue;
		s->seat.state = ASSIGN_CANCELLED;
		s->seat.seq = seq;
		struct engage_assignment ea = {.id = s->assignment, .task = task,
		                               .state = ASSIGN_CANCELLED};
		if (!engage_put_assignment(r->engage, s->seat.expert, &ea))
			return false;
	}
	return true;
}

/* Seat a panel as seat_panel() does: leader, members offered, backups on
 * standby. */
static bool replay_seat_panel(struct replay *r, int64_t task, struct replay_task *t,
                              const struct audit_transcript *tr, int64_t seq)
{
	size_t leaders = t->req.leader ? 1 : 0;
	if (t->cap - t->n < tr->n_panel) {
		size_t nc = t->n + tr->n_panel + 8;
		struct replay_slot *s = realloc(t->slots, nc * sizeof *s);
		if (!s)
			return false;
		t->slots = s;
		t->cap = nc;
	}
	if (r->cap_seats < (size_t)r->last_assignment + tr->n_panel) {
		size_t nc = (size_t)r->last_assignment + tr->n_panel + 64;
		struct replay_seat_ref *ref = realloc(r->seats, nc * sizeof *ref);
		if (!ref)
			return false;
		r->seats = ref;
		r->cap_seats = nc;
	}
	bool replacement = tr->replaces != 0;
	for (size_t i = 0; i < tr->n_panel; i++) {
		int role = replacement ? tr->role
		           : (int)seat_role_of(i, leaders, (size_t)t->req.members);
		bool backup = role == SEAT_BACKUP;
		struct replay_slot *s = &t->slots[t->n++];
		*s = (struct replay_slot){
			.seat = {.draw = tr->draw, .expert = tr->panel[i], .seat = (int)i,
			         .role = role,
			         .state = backup ? ASSIGN_STANDBY : ASSIGN_OFFERED,
			         .quota = tr->req.n_quotas ? tr->seat_quota[i] : 0,
			         .seq = seq},
			.assignment = ++r->last_assignment,
		};
		r->seats[s->assignment - 1] = (struct replay_seat_ref){task, t->n - 1};
		struct engage_assignment ea = {.id = s->assignment, .task = task,
		                               .state = s->seat.state};
		if (!engage_put_assignment(r->engage, s->seat.expert, &ea))
			return false;
	}
	return true;
}

const struct task *replay_task_request(const struct replay *r, int64_t task)
{
	const struct replay_task *t = replay_task_get(r, task);
	return t ? &t->req : NULL;
}

size_t replay_task_seats(const struct replay *r, int64_t task,
                         struct replay_seat *out, size_t max)
{
	const struct replay_task *t = replay_task_get(r, task);
	if (!t)
		return 0;
	for (size_t i = 0; i < t->n && i < max; i++)
		out[i] = t->slots[i].seat;
	return t->n;
}

/* ---- draws ---- */

/* The secret must open the commitment made before it; its successor is
 * committed to here. */
static bool replay_draw_secret(struct replay_at *x, const struct audit_transcript *tr)
{
	struct replay *r = x->r;
	uint8_t c[AUDIT_HASH_LEN];

	audit_commit(c, tr->secret);
	if (memcmp(c, r->commit, sizeof c) != 0) {
		if (r->commit_draw)
			return replay_fail(x, _("secret does not open the commitment of "
			                   "seq %lld (draw %lld)"), (long long)r->commit_seq,
			                   (long long)r->commit_draw);
		return replay_fail(x, _("secret does not open the commitment of seq "
		                   "%lld (%s)"), (long long)r->commit_seq,
		                   r->commit_type ? r->commit_type : AUDIT_GENESIS);
	}
	memcpy(r->commit, tr->next_commit, sizeof r->commit);
	r->commit_seq = x->seq;
	r->commit_draw = tr->draw;
	return true;
}

/* What the daemon checks before drawing, and which task the draw is for. */
static bool replay_draw_request(struct replay_at *x, const struct audit_transcript *tr)
{
	const struct replay *r = x->r;
	const struct task *q = &tr->req;
	int seats = task_seats(q);

	if (tr->draw != r->last_draw + 1)
		return replay_fail(x, _("draw id %lld, expected %lld"), (long long)tr->draw,
		                   (long long)r->last_draw + 1);
	if (tr->ok != (strcmp(x->type, AUDIT_DRAW) == 0))
		return replay_fail(x, _("an entry of type %s records ok = %s"), x->type,
		                   tr->ok ? "true" : "false");
	if (q->start_at <= x->at)
		return replay_fail(x, _("the task starts at %lld, not after the draw at "
		                   "%lld"), (long long)q->start_at, (long long)x->at);
	if (q->end_at <= q->start_at)
		return replay_fail(x, _("the task ends at %lld, not after it starts"),
		                   (long long)q->end_at);
	if (seats < 1 || seats > TASK_MAX_SEATS)
		return replay_fail(x, _("the request asks for %d seats; 1 to %d can be "
		                   "drawn"), seats, TASK_MAX_SEATS);
	for (int i = 0; i < q->n_orgs; i++)
		if (!replay_org_live(x, q->orgs[i], "request orgs item"))
			return false;
	if (!replay_settle_draw(x, tr))
		return false;
	if (strcmp(tr->kind, REPLAY_KIND_DRAW) == 0) {
		int64_t want = tr->ok ? (int64_t)r->n_tasks + 1 : 0;
		if (tr->task != want)
			return tr->ok
				? replay_fail(x, _("task %lld, expected the new task %lld"),
				              (long long)tr->task, (long long)want)
				: replay_fail(x, _("a failed first draw names task %lld"),
				              (long long)tr->task);
		return true;
	}
	if (strcmp(tr->kind, REPLAY_KIND_REDRAW) == 0) {
		const struct replay_task *t = replay_task_get(r, tr->task);
		if (!t)
			return replay_fail(x, _("redraw of task %lld, which no draw created"),
			                   (long long)tr->task);
		const char *field = replay_request_differs(&t->req, q);
		if (field)
			return replay_fail(x, _("redraw of task %lld: request field %s "
			                   "differs from the task's"),
			                   (long long)tr->task, field);
		return true;
	}
	if (strcmp(tr->kind, REPLAY_KIND_REPLACEMENT) == 0)
		return replay_replacement_request(x, tr);
	return replay_fail(x, _("draws of kind %s are not replayed by this version"),
	                   tr->kind);
}

void replay_recusal_view(const struct replay *r, const struct audit_transcript *tr,
                         struct recusal_task *rt, struct recusal_terms *terms)
{
	const struct task *q = &tr->req;
	*rt = (struct recusal_task){
		/* The daemon collects before a new task has its id. */
		.id = strcmp(tr->kind, REPLAY_KIND_DRAW) == 0 ? 0 : tr->task,
		.start_at = q->start_at, .end_at = q->end_at,
		.start_day = ident_day_cst(q->start_at), .end_day = ident_day_cst(q->end_at),
		.capability = task_required_capability(q->kind, q->subject),
		.specialty = pool_specialty_find(r->pool, q->specialty),
		.exclude = q->exclude, .n_exclude = q->n_exclude,
	};
	for (int i = 0; i < q->n_orgs; i++)
		rt->orgs[rt->n_orgs++] = pool_org_find(r->pool, q->orgs[i]);
	*terms = (struct recusal_terms){r->term_start, r->term_end, r->n_terms};
}

/* A candidate list as attempt.c builds it, from the replayed state: the
 * bucket of (specialty, group), the rest of the request as drawn, into c. */
bool replay_collect_list(struct replay_at *x, const struct audit_transcript *tr,
                         const char *specialty, int group, struct candidates *c)
{
	struct replay *r = x->r;
	struct recusal_task rt;
	struct recusal_terms terms;
	replay_recusal_view(r, tr, &rt, &terms);
	uint32_t sid = pool_specialty_find(r->pool, specialty);
	if (!candidates_collect(c, r->pool, r->engage, &terms, sid, group, &rt,
	                        &tr->rules, tr->already_drawn, tr->n_already_drawn))
		return replay_nomem(x);
	return true;
}

static bool replay_collect(struct replay_at *x, const struct audit_transcript *tr)
{
	return replay_collect_list(x, tr, tr->req.specialty, tr->req.group, &x->r->cands);
}

/*
 * A list c against what a transcript recorded of it (what: "" or
 * "quota N " to begin the messages), its hash into hash. The replay's
 * counts are put in the recorded layout (DRAW.md 4.4): a 12-key map's
 * outside_specialty is compared with the replay's outside_specialty +
 * outside_group, a 13-key map's with each.
 */
bool replay_compare_list(struct replay_at *x, const struct candidates *c,
                         const struct replay_list *w, const char *what,
                         uint8_t hash[DRAW_HASH_LEN])
{
	struct audit_excluded want, got;
	size_t k = 0;

	draw_list_hash(hash, w->enc, c->ids, c->n);
	audit_excluded_of(&want, w->excluded, w->outside_group, w->split);
	audit_excluded_of(&got, c->excluded, c->outside_group, w->split);
	while (k < want.n && want.count[k] == got.count[k])
		k++;
	if (c->n != w->n) {
		if (k == want.n)
			return replay_fail(x, _("%scandidate list differs: transcript %llu "
			                   "candidates, replay %zu"), what,
			                   (unsigned long long)w->n, c->n);
		return replay_fail(x, _("%scandidate list differs: transcript %llu "
		                   "candidates, replay %zu; excluded[%s]: transcript "
		                   "%llu, replay %llu"), what,
		                   (unsigned long long)w->n, c->n, want.key[k],
		                   (unsigned long long)want.count[k],
		                   (unsigned long long)got.count[k]);
	}
	if (memcmp(hash, w->hash, DRAW_HASH_LEN) != 0)
		return replay_fail(x, _("%scandidate list differs: %zu candidates in both, "
		                   "not the same experts"), what, c->n);
	if (k < want.n)
		return replay_fail(x, _("%sexcluded[%s]: transcript %llu, replay %llu"), what,
		                   want.key[k], (unsigned long long)want.count[k],
		                   (unsigned long long)got.count[k]);
	return true;
}

static bool replay_compare_candidates(struct replay_at *x,
                                      const struct audit_transcript *tr,
                                      uint8_t hash[DRAW_HASH_LEN])
{
	struct replay_list w = {.enc = audit_list_encoding(tr),
	                        .n = tr->n_candidates, .hash = tr->candidates_hash,
	                        .excluded = tr->excluded,
	                        .outside_group = tr->outside_group,
	                        .split = tr->outside_split};
	return replay_compare_list(x, &x->r->cands, &w, "", hash);
}

/* The outcome and the panel, seat by seat, against the transcript's. */
bool replay_compare_panel(struct replay_at *x, const struct audit_transcript *tr,
                          bool ok, const int64_t *panel, size_t n_panel)
{
	if (ok != tr->ok)
		return replay_fail(x, _("outcome differs: transcript %s, replay %s"),
		                   tr->ok ? "ok" : "failed", ok ? "ok" : "failed");
	for (size_t i = 0; i < n_panel && i < tr->n_panel; i++)
		if (panel[i] != tr->panel[i])
			return replay_fail(x, _("panel differs at seat %zu: transcript %lld, "
			                   "replay %lld"), i, (long long)tr->panel[i],
			                   (long long)panel[i]);
	if (n_panel != tr->n_panel)
		return replay_fail(x, _("panel differs: transcript %zu seats, replay %zu"),
		                   tr->n_panel, n_panel);
	return true;
}

/* Seed, outcome, panel and diversity drops, recomputed; with the
 * designated leader at index lead of the list (SIZE_MAX: none). */
static bool replay_select(struct replay_at *x, const struct audit_transcript *tr,
                          const uint8_t hash[DRAW_HASH_LEN], size_t lead)
{
	const struct candidates *c = &x->r->cands;
	const struct task *q = &tr->req;
	uint8_t seed[DRAW_SEED_LEN];
	int64_t panel[TASK_MAX_SEATS];
	size_t n_panel = 0, dropped = 0;

	draw_seed(seed, tr->secret, q->nonce, q->nonce_len, hash);
	if (memcmp(seed, tr->seed, sizeof seed) != 0)
		return replay_fail(x, _("seed differs"));
	struct draw_spec spec = {.leader = q->leader, .members = (size_t)q->members,
	                         .backups = (size_t)q->backups,
	                         .diversity = tr->rules.diversity};
	size_t more = 0;
	if (tr->replaces) {
		spec = replay_replacement_spec(x->r, tr, &dropped);
	}
	enum draw_result dres = lead < c->n
		? designate_select(c->list, c->n, lead, &spec, seed, panel, &n_panel, &more)
		: draw_select_counted(c->list, c->n, &spec, seed, panel, &n_panel, &more);
	if (dres == DRAW_NO_MEMORY)
		return replay_fail(x, _("out of memory while replaying"));
	dropped += more;
	if (!replay_compare_panel(x, tr, dres == DRAW_OK, panel, n_panel))
		return false;
	if (dropped != tr->diversity_dropped)
		return replay_fail(x, _("diversity_dropped: transcript %llu, replay %zu"),
		                   (unsigned long long)tr->diversity_dropped, dropped);
	return true;
}

/* What a draw changed: nothing if it failed; else a new task (first
 * draw) or the old panel's open seats cancelled (redraw), then seats. */
static bool replay_draw_apply(struct replay_at *x, const struct audit_transcript *tr)
{
	struct replay *r = x->r;
	bool redraw = strcmp(tr->kind, REPLAY_KIND_REDRAW) == 0;

	r->last_draw = tr->draw;
	r->stats.draws++;
	r->stats.failed_draws += !tr->ok;
	r->stats.redraws += redraw;
	if (!tr->ok)
		return true;
	if (!redraw && !tr->replaces && !replay_task_create(r, tr->task, &tr->req))
		return replay_nomem(x);
	struct replay_task *t = replay_task_get(r, tr->task);
	if ((redraw && !replay_cancel_open(r, tr->task, t, x->seq)) ||
	    !replay_seat_panel(r, tr->task, t, tr, x->seq))
		return replay_nomem(x);
	/* A redraw replaces seats a filled or short task had (seat.c). */
	if (redraw)
		replay_settle_redrawn(x, tr->task);
	return true;
}

/* The list encoding (DRAW.md 3.3): 8-byte ids until the first draw
 * that hashes gaps, gaps in every draw from it on, so that a server
 * never chooses between the two for a draw. */
static bool replay_draw_encoding(struct replay_at *x, const struct audit_transcript *tr)
{
	struct replay *r = x->r;
	bool gaps = audit_list_encoding(tr) == DRAW_LIST_GAPS;
	if (r->gaps_draw && !gaps)
		return replay_fail(x, _("its candidate lists are hashed as 8-byte ids, but "
		                   "draw %lld hashed its lists as gaps, and so must every "
		                   "draw after it"), (long long)r->gaps_draw);
	if (gaps && !r->gaps_draw)
		r->gaps_draw = tr->draw;
	return true;
}

static bool replay_draw(struct replay_at *x, const msgpack_object *body)
{
	struct audit_transcript *tr = malloc(sizeof *tr);
	uint8_t hash[DRAW_HASH_LEN];
	size_t lead = SIZE_MAX;

	if (!tr)
		return replay_nomem(x);
	bool ok = audit_read_transcript(body, tr);
	if (!ok) {
		replay_unparsed(x);
	} else {
		x->draw = tr->draw;
		ok = replay_draw_secret(x, tr) && replay_draw_encoding(x, tr) &&
		     replay_draw_request(x, tr) &&
		     replay_designation(x, tr) &&
		     (tr->req.n_quotas
		      ? replay_quota_draw(x, tr)   /* a mixed panel (replay_quota.c) */
		      : replay_collect(x, tr) && replay_compare_candidates(x, tr, hash) &&
		        replay_designee(x, tr, &lead) && replay_select(x, tr, hash, lead)) &&
		     replay_draw_apply(x, tr);
	}
	free(tr);
	return ok;
}

/* ---- entries ---- */

/* Genesis first: seq 1 must be it. */
static const struct replay_type {
	const char *name;
	bool (*apply)(struct replay_at *x, const msgpack_object *body);
} replay_types[] = {
	{AUDIT_GENESIS, replay_genesis},
	{AUDIT_TERM, replay_term},
	{AUDIT_EXPERT, replay_expert},
	{AUDIT_CONFLICT, replay_conflict},
	{AUDIT_UNAVAILABLE, replay_unavailable},
	{AUDIT_UNAVAILABLE_CHANGED, replay_unavailable_changed},
	{AUDIT_DRAW, replay_draw},
	{AUDIT_DRAW_FAILED, replay_draw},
	{AUDIT_SEAT_PREFIX "offered", replay_seat},
	{AUDIT_SEAT_PREFIX "accepted", replay_seat},
	{AUDIT_SEAT_PREFIX "declined", replay_seat},
	{AUDIT_SEAT_PREFIX "expired", replay_seat},
	{AUDIT_SEAT_PREFIX "completed", replay_seat},
	{AUDIT_SEAT_PREFIX "no_show", replay_seat},
	{AUDIT_SEAT_PREFIX "withdrawn", replay_seat},
	{AUDIT_SEAT_PREFIX "cancelled", replay_seat},
	{AUDIT_SEAT_REISSUED, replay_reissue},
	{AUDIT_SEAT_CORRECTED, replay_correction},
	{AUDIT_TASK_CANCELLED, replay_task_event},
	{AUDIT_TASK_FILLED, replay_task_event},
	{AUDIT_TASK_SHORT, replay_task_event},
	{AUDIT_EXPERT_WARNED, replay_expert_warned},
	{AUDIT_EXPERT_FLAGGED, replay_expert_flagged},
	{AUDIT_ORG_MERGED, replay_org_merged},
	{AUDIT_KEY_ROTATED, replay_key_rotated},
	{AUDIT_REVEALED, replay_revealed},
};

static bool replay_body(struct replay_at *x, const void *body, size_t body_len)
{
	const struct replay_type *t = NULL;

	for (size_t i = 0; i < sizeof replay_types / sizeof *replay_types; i++)
		if (strcmp(x->type, replay_types[i].name) == 0)
			t = &replay_types[i];
	if (x->seq == 1 && t != &replay_types[0])
		return replay_fail(x, _("the log must open with %s, not '%.64s'"),
		                   AUDIT_GENESIS, x->type);
	if (!t)
		return replay_fail(x, _("unknown entry type '%.64s'"), x->type);
	/* Scanned before msgpack-c sizes anything from the bytes. */
	msgpack_unpacked u;
	struct proto_error err;
	msgpack_unpacked_init(&u);
	enum proto_status st = proto_unpack(body, body_len, &u, &err);
	bool ok = st == PROTO_OK
		? t->apply(x, &u.data)
		: st == PROTO_E_MALFORMED
		? replay_fail(x, _("body of type %s does not parse: %s"), x->type, err.message)
		: replay_nomem(x);
	msgpack_unpacked_destroy(&u);
	return ok;
}

enum replay_verdict replay_entry(struct replay *r, int64_t seq, int64_t at,
                                 const char *type, const void *body,
                                 size_t body_len,
                                 const uint8_t prev[REPLAY_HASH_LEN],
                                 const uint8_t hash[REPLAY_HASH_LEN],
                                 char *why, size_t whysz)
{
	struct replay_at x = {.r = r, .seq = seq, .at = at, .type = type,
	                      .why = why, .whysz = whysz};

	assert(r && type && prev && hash && (body || body_len == 0));
	if (why && whysz)
		why[0] = '\0';
	if (r->spent) {
		replay_fail(&x, _("not replayed: seq %lld did not match"),
		            (long long)r->spent_seq);
		return REPLAY_MISMATCH;
	}
	if (!replay_chain(&x, body, body_len, prev, hash) ||
	    !replay_settle_admit(&x) || !replay_body(&x, body, body_len)) {
		r->spent = true;
		r->spent_seq = seq;
		return REPLAY_MISMATCH;
	}
	r->seq = seq;
	memcpy(r->hash, hash, AUDIT_HASH_LEN);
	r->stats.entries++;
	return REPLAY_OK;
}

void replay_stats(const struct replay *r, struct replay_stats *out)
{
	*out = r->stats;
}

int64_t replay_head(const struct replay *r, uint8_t hash[REPLAY_HASH_LEN])
{
	if (hash)
		memcpy(hash, r->hash, AUDIT_HASH_LEN);
	return r->seq;
}
