/*
 * test_replay.c - the audit log replay. A realistic log is built here by
 * driving the daemon's pure code the way its handlers do (sim_draw mirrors
 * h_draw.c's draw_perform, sim_expert handler_save_expert, and so on):
 * 200 experts, conflicts, terms and over fifty draws that hit every
 * recusal rule, with redraws and failed draws. The replay must accept it
 * whole and derive the same seats; then each kind of tampering must be
 * caught at the right seq, with a message naming what differs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "assign.h"
#include "audit.h"
#include "candidates.h"
#include "designate.h"
#include "fixture.h"
#include "ident.h"
#include "policy.h"
#include "proto.h"
#include "quota.h"
#include "replace.h"
#include "replay.h"
#include "seat_role.h"

#define DAY INT64_C(86400)
#define HOUR INT64_C(3600)
#define N_EXPERTS 200
#define N_ORGS 10          /* held by experts; two more are held by nobody */
#define SIM_MAX_TASKS 128
#define SIM_MAX_DRAWS 128
#define NANNY "育婴员"      /* the small specialty: failed draws */

static const char *const SPECS[] = {"焊工", "电工", "车工"};
static char ORGS[N_ORGS + 2][19];

/* ------------------------------------------------------------ the log */

struct entry {
	int64_t seq, at;
	char type[32];
	uint8_t *body;
	size_t len;
	uint8_t prev[AUDIT_HASH_LEN], hash[AUDIT_HASH_LEN];
};

struct log {
	struct entry *e;
	size_t n, cap;
};

static void log_free(struct log *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->e[i].body);
	free(l->e);
	memset(l, 0, sizeof *l);
}

static void entry_set_body(struct entry *e, const void *p, size_t n)
{
	free(e->body);
	e->body = malloc(n ? n : 1);
	assert_non_null(e->body);
	if (n)
		memcpy(e->body, p, n);
	e->len = n;
}

static void log_copy(struct log *dst, const struct log *src)
{
	dst->n = dst->cap = src->n;
	dst->e = calloc(src->n, sizeof *dst->e);
	assert_non_null(dst->e);
	for (size_t i = 0; i < src->n; i++) {
		dst->e[i] = src->e[i];
		dst->e[i].body = NULL;
		entry_set_body(&dst->e[i], src->e[i].body, src->e[i].len);
	}
}

/* Recompute prev and hash from entry `from` on, as a forger would. */
static void log_rehash(struct log *l, size_t from)
{
	for (size_t i = from; i < l->n; i++) {
		struct entry *e = &l->e[i];
		if (i == 0)
			memset(e->prev, 0, sizeof e->prev);
		else
			memcpy(e->prev, l->e[i - 1].hash, sizeof e->prev);
		audit_hash(e->hash, e->prev, e->seq, e->at, e->type, e->body, e->len);
	}
}

static void log_renumber(struct log *l)
{
	for (size_t i = 0; i < l->n; i++)
		l->e[i].seq = (int64_t)i + 1;
}

static void log_delete(struct log *l, size_t k)
{
	free(l->e[k].body);
	memmove(&l->e[k], &l->e[k + 1], (l->n - k - 1) * sizeof *l->e);
	l->n--;
}

static void log_swap(struct log *l, size_t a, size_t b)
{
	struct entry t = l->e[a];
	l->e[a] = l->e[b];
	l->e[b] = t;
}

static bool is_draw(const struct entry *e)
{
	return strcmp(e->type, AUDIT_DRAW) == 0 || strcmp(e->type, AUDIT_DRAW_FAILED) == 0;
}

static void entry_unpack(const struct entry *e, msgpack_unpacked *u)
{
	struct proto_error err;
	msgpack_unpacked_init(u);
	assert_int_equal(proto_unpack(e->body, e->len, u, &err), PROTO_OK);
}

static void entry_transcript(const struct entry *e, struct audit_transcript *tr)
{
	msgpack_unpacked u;
	assert_true(is_draw(e));
	entry_unpack(e, &u);
	assert_true(audit_read_transcript(&u.data, tr));
	msgpack_unpacked_destroy(&u);
}

static void entry_set_transcript(struct entry *e, const struct audit_transcript *tr)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	audit_pack_transcript(&pk, tr);
	entry_set_body(e, sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
}

/* ------------------------------------------------------ the simulation */

struct sim_seat {
	int64_t assignment;
	struct replay_seat s;
};

struct sim_task {
	struct task t;
	struct sim_seat seats[160];
	size_t n;
};

/* What the daemon holds, and the log it writes. */
struct sim {
	struct pool *pool;
	struct engage *eng;
	struct expert *experts;           /* by id */
	int32_t term_start[4], term_end[4];
	int n_terms;
	struct recusal_config rules;
	uint8_t secret[AUDIT_SECRET_LEN];
	uint64_t secrets_made;
	int64_t now;
	int64_t last_draw, last_conflict, last_assignment, last_unavailable;
	struct sim_task *tasks;           /* tasks[id - 1] */
	size_t n_tasks;
	struct log log;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	/* What the scenario exercised. */
	uint64_t excluded[RULE__COUNT], outside_group, dropped;
	/* The log keeps the 12-key `excluded` map of entries written before
	 * draft 9 (DRAW.md 4.4; the tests below were pinned on those bytes);
	 * each draw's outside_group, for rewriting it in today's layout. */
	uint64_t outside_group_of[SIM_MAX_DRAWS];
	struct replay_stats want;         /* entries left 0 */
	uint64_t failed_redraws;
	int64_t failed_redraw_task, failed_redraw_draw;
	/* Lists hashed as gaps (DRAW.md 3.3, since draft 16), as a daemon
	 * since then hashes them; false: as 8-byte ids, as before. */
	bool gaps;
};

/* A list's hash in the sim's encoding, which tr then records. */
static void sim_list_hash(const struct sim *s, struct audit_transcript *tr,
                          uint8_t out[DRAW_HASH_LEN], const struct candidates *c)
{
	tr->candidates_encoding = s->gaps ? DRAW_LIST_GAPS : 0;
	draw_list_hash(out, audit_list_encoding(tr), c->ids, c->n);
}

static msgpack_packer *sim_begin(struct sim *s)
{
	msgpack_sbuffer_clear(&s->sb);
	return &s->pk;
}

/* audit_log_append(): the packed body chained onto the last entry. */
static int64_t sim_end(struct sim *s, const char *type)
{
	struct log *l = &s->log;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->e = realloc(l->e, l->cap * sizeof *l->e);
		assert_non_null(l->e);
	}
	struct entry *e = &l->e[l->n];
	memset(e, 0, sizeof *e);
	e->seq = (int64_t)l->n + 1;
	e->at = s->now;
	snprintf(e->type, sizeof e->type, "%s", type);
	entry_set_body(e, s->sb.data, s->sb.size);
	if (l->n)
		memcpy(e->prev, l->e[l->n - 1].hash, sizeof e->prev);
	audit_hash(e->hash, e->prev, e->seq, e->at, type, e->body, e->len);
	l->n++;
	s->now += 17;
	return e->seq;
}

/* The draw secret chain, deterministic so that runs are repeatable. */
static void sim_make_secret(struct sim *s, uint8_t out[AUDIT_SECRET_LEN])
{
	uint8_t seed[randombytes_SEEDBYTES] = {0x5e, 0xc2};
	memcpy(seed + 8, &s->secrets_made, sizeof s->secrets_made);
	s->secrets_made++;
	randombytes_buf_deterministic(out, AUDIT_SECRET_LEN, seed);
}

static void sim_genesis(struct sim *s)
{
	uint8_t commit[AUDIT_HASH_LEN];
	sim_make_secret(s, s->secret);
	audit_commit(commit, s->secret);
	audit_pack_genesis(sim_begin(s), commit);
	sim_end(s, AUDIT_GENESIS);
}

/* h_term_open: 3 years from the start, less a day. */
static void sim_term(struct sim *s, int y, int m, int d)
{
	int n = ++s->n_terms;
	s->term_start[n] = ident_days_from_civil(y, m, d);
	s->term_end[n] = ident_days_from_civil(y + 3, m, d) - 1;
	audit_pack_term(sim_begin(s), n, s->term_start[n], s->term_end[n]);
	sim_end(s, AUDIT_TERM);
	s->want.terms++;
}

/* handler_save_expert: the entry, then the pool. */
static void sim_expert(struct sim *s, const struct expert *e, const char *event,
                       const char *reason)
{
	audit_pack_expert(sim_begin(s), event, "operator", reason, e);
	sim_end(s, AUDIT_EXPERT);
	assert_true(pool_upsert(s->pool, e));
	s->want.experts++;
}

/* h_conflict_add: the entry, then engage with the org interned. */
static void sim_conflict(struct sim *s, int64_t expert, const char *org, int kind,
                         int32_t from, int32_t to)
{
	int64_t id = ++s->last_conflict;
	audit_pack_conflict(sim_begin(s), id, expert, org, kind, from, to);
	sim_end(s, AUDIT_CONFLICT);
	struct engage_conflict c = {.org = pool_org_intern(s->pool, org),
	                            .valid_from = from, .valid_to = to};
	assert_true(engage_add_conflict(s->eng, expert, &c));
	s->want.conflicts++;
}

/* h_pool_unavailable: the entry, then engage. */
static void sim_unavailable(struct sim *s, int64_t expert, int32_t from, int32_t to)
{
	int64_t id = ++s->last_unavailable;
	audit_pack_unavailable(sim_begin(s), id, expert, from, to, "center-ops");
	sim_end(s, AUDIT_UNAVAILABLE);
	struct engage_away w = {.id = id, .expert = expert, .from = from, .to = to};
	assert_true(engage_add_away(s->eng, &w));
}

/* h_pool_unavailable_withdraw: the entry, then engage (from = to = 0:
 * withdrawn). */
static void sim_unavailable_changed(struct sim *s, int64_t id, int64_t expert,
                                    int32_t from, int32_t to)
{
	audit_pack_unavailable_changed(sim_begin(s), id, expert, from, to, "haizhu-clerk");
	sim_end(s, AUDIT_UNAVAILABLE_CHANGED);
	assert_true(engage_change_away(s->eng, id, from == 0, from, to));
}

/* cancel_open_seats() */
static void sim_cancel_open(struct sim *s, struct sim_task *st)
{
	for (size_t i = 0; i < st->n; i++) {
		struct sim_seat *a = &st->seats[i];
		if (a->s.state != ASSIGN_OFFERED && a->s.state != ASSIGN_STANDBY &&
		    a->s.state != ASSIGN_ACCEPTED)
			continue;
		a->s.state = ASSIGN_CANCELLED;
		struct engage_assignment ea = {.id = a->assignment, .task = st->t.id,
		                               .state = ASSIGN_CANCELLED};
		assert_true(engage_put_assignment(s->eng, a->s.expert, &ea));
	}
}

/* seat_panel() */
static void sim_seat_panel(struct sim *s, struct sim_task *st,
                           const struct audit_transcript *tr)
{
	size_t leaders = st->t.leader ? 1 : 0;
	for (size_t i = 0; i < tr->n_panel; i++) {
		bool backup = i >= leaders + (size_t)st->t.members;
		assert_true(st->n < sizeof st->seats / sizeof *st->seats);
		struct sim_seat *a = &st->seats[st->n++];
		a->assignment = ++s->last_assignment;
		a->s = (struct replay_seat){
			.draw = tr->draw, .expert = tr->panel[i], .seat = (int)i,
			.role = i < leaders ? 0 : backup ? 2 : 1,
			.state = backup ? ASSIGN_STANDBY : ASSIGN_OFFERED,
			.quota = tr->req.n_quotas ? tr->seat_quota[i] : 0};
		struct engage_assignment ea = {.id = a->assignment, .task = st->t.id,
		                               .state = a->s.state};
		assert_true(engage_put_assignment(s->eng, a->s.expert, &ea));
	}
}

/* A new task: kept, and given to engage with its orgs interned
 * (handler_engage_task). */
static void sim_task_create(struct sim *s, const struct task *t)
{
	assert_true(s->n_tasks < SIM_MAX_TASKS);
	struct sim_task *st = &s->tasks[s->n_tasks++];
	memset(st, 0, sizeof *st);
	st->t = *t;
	struct engage_task et = {.id = t->id, .start_at = t->start_at,
	                         .end_at = t->end_at};
	for (int i = 0; i < t->n_orgs; i++)
		et.orgs[et.n_orgs++] = pool_org_intern(s->pool, t->orgs[i]);
	assert_true(engage_put_task(s->eng, &et));
}

/* attempt_view_load(): recusal's view of t. */
static void sim_view(const struct sim *s, const struct task *t, struct recusal_task *rt,
                     struct recusal_terms *terms)
{
	*terms = (struct recusal_terms){s->term_start, s->term_end, s->n_terms};
	*rt = (struct recusal_task){
		.id = t->id, .start_at = t->start_at, .end_at = t->end_at,
		.start_day = ident_day_cst(t->start_at), .end_day = ident_day_cst(t->end_at),
		.capability = task_required_capability(t->kind, t->subject),
		.exclude = t->exclude, .n_exclude = t->n_exclude,
	};
	for (int i = 0; i < t->n_orgs; i++)
		rt->orgs[rt->n_orgs++] = pool_org_find(s->pool, t->orgs[i]);
}

/* attempt_begin(): the secret revealed, the next committed, the head. */
static void sim_begin_transcript(struct sim *s, const struct task *t, const char *kind,
                                 struct audit_transcript *tr)
{
	bool redraw = strcmp(kind, "redraw") == 0;
	memcpy(tr->secret, s->secret, sizeof tr->secret);
	sim_make_secret(s, s->secret);
	audit_commit(tr->next_commit, s->secret);
	tr->draw = ++s->last_draw;
	snprintf(tr->kind, sizeof tr->kind, "%s", kind);
	snprintf(tr->actor, sizeof tr->actor, "%s", redraw ? "operator" : t->bureau);
	snprintf(tr->reason, sizeof tr->reason, "%s", redraw ? "组长因病不能参加" : "");
	tr->rules = s->rules;
}

static bool sim_mixed(struct sim *s, struct task *t, const char *kind);

/* draw_perform() step by step: candidates from recusal, the committed
 * secret revealed, seed, selection, the transcript chained, then the task
 * and seats. also: experts already drawn for the task (the daemon passes
 * none yet). A designated leader (t->leader_expert) must be one who may
 * lead. A mixed panel is sim_mixed()'s. Returns whether the draw
 * succeeded. */
static bool sim_draw_also(struct sim *s, struct task *t, const char *kind,
                          const int64_t *also, size_t n_also)
{
	if (t->n_quotas)
		return sim_mixed(s, t, kind);
	bool redraw = strcmp(kind, "redraw") == 0;
	struct audit_transcript *tr = calloc(1, sizeof *tr);
	struct candidates c;
	assert_non_null(tr);
	candidates_init(&c);
	struct recusal_terms terms;
	struct recusal_task rt;
	sim_view(s, t, &rt, &terms);
	uint32_t sid = pool_specialty_find(s->pool, t->specialty);
	assert_true(candidates_collect(&c, s->pool, s->eng, &terms, sid, t->group, &rt,
	                               &s->rules, also, n_also));
	size_t lead = SIZE_MAX;
	if (t->leader_expert) {
		struct designate_check d = designate_check(&c, s->pool, s->eng, &terms, &rt,
		                                           &s->rules, sid, t->group,
		                                           t->leader_expert);
		assert_int_equal(d.verdict, DESIGNATE_OK);
		lead = d.index;
	}
	for (size_t i = 0; i < n_also; i++)
		tr->already_drawn[tr->n_already_drawn++] = also[i];
	sim_begin_transcript(s, t, kind, tr);
	tr->n_candidates = c.n;
	memcpy(tr->excluded, c.excluded, sizeof tr->excluded);
	assert_true(tr->draw < SIM_MAX_DRAWS);
	s->outside_group_of[tr->draw] = c.outside_group;
	sim_list_hash(s, tr, tr->candidates_hash, &c);
	draw_seed(tr->seed, tr->secret, t->nonce, t->nonce_len, tr->candidates_hash);
	struct draw_spec spec = {.leader = t->leader, .members = (size_t)t->members,
	                         .backups = (size_t)t->backups,
	                         .diversity = s->rules.diversity};
	size_t dropped = 0;
	tr->ok = (lead != SIZE_MAX
	          ? designate_select(c.list, c.n, lead, &spec, tr->seed, tr->panel,
	                             &tr->n_panel, &dropped)
	          : draw_select_counted(c.list, c.n, &spec, tr->seed, tr->panel,
	                                &tr->n_panel, &dropped)) == DRAW_OK;
	tr->diversity_dropped = dropped;
	bool new_task = t->id == 0;
	if (tr->ok && new_task)
		t->id = (int64_t)s->n_tasks + 1;
	tr->task = tr->ok || !new_task ? t->id : 0;
	tr->req = *t;
	if (tr->ok && new_task)
		sim_task_create(s, t);
	audit_pack_transcript(sim_begin(s), tr);
	sim_end(s, tr->ok ? AUDIT_DRAW : AUDIT_DRAW_FAILED);
	if (tr->ok) {
		struct sim_task *st = &s->tasks[t->id - 1];
		if (redraw)
			sim_cancel_open(s, st);
		sim_seat_panel(s, st, tr);
	}
	for (int r = 0; r < RULE__COUNT; r++)
		s->excluded[r] += c.excluded[r];
	s->outside_group += c.outside_group;
	s->dropped += dropped;
	s->want.draws++;
	s->want.failed_draws += !tr->ok;
	s->want.redraws += redraw;
	s->failed_redraws += redraw && !tr->ok;
	if (redraw && !tr->ok) {
		s->failed_redraw_task = t->id;
		s->failed_redraw_draw = tr->draw;
	}
	bool ok = tr->ok;
	candidates_free(&c);
	free(tr);
	return ok;
}

static bool sim_draw(struct sim *s, struct task *t, const char *kind)
{
	return sim_draw_also(s, t, kind, NULL, 0);
}

/* h_draw_redraw: the stored task with the redraw's own nonce. */
static bool sim_redraw(struct sim *s, int64_t task, uint8_t salt)
{
	struct task *t = malloc(sizeof *t);
	assert_non_null(t);
	*t = s->tasks[task - 1].t;
	t->nonce_len = 20;
	for (size_t i = 0; i < t->nonce_len; i++)
		t->nonce[i] = (uint8_t)(salt * 31 + i);
	bool ok = sim_draw(s, t, "redraw");
	free(t);
	return ok;
}

/* ------------------------------------------------------------ scenario */

/* xorshift64*: a fixed pseudo-random scenario, the same on every run. */
static uint64_t rnd(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * UINT64_C(2685821657736338717);
}

static void make_orgs(void)
{
	for (int i = 0; i < N_ORGS + 2; i++) {
		snprintf(ORGS[i], sizeof ORGS[i], "91440101MA5%06d", 104729 + i * 7919);
		ORGS[i][17] = ident_credit_code_check_char(ORGS[i]);
		assert_true(ORGS[i][17] != '\0');
		ORGS[i][18] = '\0';
		assert_int_equal(ident_credit_code(ORGS[i], 18, NULL), IDENT_OK);
	}
}

static void make_expert(struct expert *e, int64_t id, uint64_t *x)
{
	static const unsigned groups[8] = {3, 3, 3, 3, 3, 7, 2, 1};
	*e = fx_expert(id, NULL);   /* active, serving in term 1 */
	snprintf(e->name, sizeof e->name, "专家%lld", (long long)id);
	e->birth = ident_days_from_civil(1958 + (int)(rnd(x) % 33),
	                                 1 + (int)(rnd(x) % 12), 1 + (int)(rnd(x) % 28));
	if (id % 25 == 0) {   /* 70 on every task day; half may still serve */
		e->birth = ident_days_from_civil(1955, 5, 5);
		e->relaxations = id % 50 == 0 ? RELAX_SENIOR_EXPERT : 0;
	}
	if (id % 16 == 0) {
		strcpy(e->specialties[e->n_specialties++], NANNY);
	} else {
		int a = (int)(rnd(x) % 3);
		strcpy(e->specialties[e->n_specialties++], SPECS[a]);
		if (rnd(x) % 4 == 0)
			strcpy(e->specialties[e->n_specialties++], SPECS[(a + 1) % 3]);
	}
	e->group_types = id % 16 == 0 ? 3 : groups[rnd(x) % 8];
	e->task_types = rnd(x) % 6 == 0 ? 1u << 3 : 0x1f;
	if (rnd(x) % 10 < 9)
		strcpy(e->employer_code, ORGS[rnd(x) % N_ORGS]);
	if (rnd(x) % 10 < 3)
		strcpy(e->recommender_code, ORGS[rnd(x) % N_ORGS]);
	e->leader_eligible = rnd(x) % 3 == 0;
	if (id % 37 == 0)
		e->status = EXPERT_REVOKED;
	else if (id % 41 == 0)
		e->status = EXPERT_FLAGGED;
	else if (id % 29 == 0) {   /* a suspension that ended, or one that did not */
		e->status = EXPERT_SUSPENDED;
		e->suspended_until = id % 2 ? ident_days_from_civil(2025, 1, 20) : 0;
	}
	if (id % 43 == 0)
		e->term = e->joined_term = 2;     /* serves from 2027 only */
	else if (id % 47 == 0)
		e->term = 2;                      /* renewed ahead: still covers */
}

static int64_t unix_cst(int y, int m, int d, int hour)
{
	return (int64_t)ident_days_from_civil(y, m, d) * DAY + (hour - 8) * HOUR;
}

/* The k-th bureau request: specialties, kinds and orgs rotate so tasks
 * share dates (overlap) and organisations (rotation), and name orgs that
 * experts work for, were recommended by, or declared conflicts with. */
static void make_request(struct task *t, int k, const char *specialty, int members)
{
	memset(t, 0, sizeof *t);
	snprintf(t->bureau, sizeof t->bureau, "%s", k % 2 ? "yuexiu" : "tianhe");
	snprintf(t->created_by, sizeof t->created_by, "%s", t->bureau);
	t->kind = k % 5;
	t->subject = (k / 5) % 3;
	snprintf(t->specialty, sizeof t->specialty, "%s", specialty);
	t->group = task_default_group(t->kind, t->subject);
	t->members = members;
	t->leader = k % 3 == 0;
	t->backups = k % 3;
	t->n_orgs = k % 4 == 3 ? 0 : 1 + k % 2;
	for (int i = 0; i < t->n_orgs; i++)
		strcpy(t->orgs[i], ORGS[(k * 3 + i * 5) % (N_ORGS + 2)]);
	t->start_at = unix_cst(2025, 2, 3, 9) + (k % 12) * 5 * DAY;
	t->end_at = t->start_at + (1 + k % 3) * DAY - 9 * HOUR;
	snprintf(t->district, sizeof t->district, "越秀区");
	if (k % 6 == 5) {
		t->exclude[t->n_exclude++] = (k * 7) % N_EXPERTS + 1;
		t->exclude[t->n_exclude++] = (k * 11) % N_EXPERTS + 1;
	}
	snprintf(t->note, sizeof t->note, "联系人 13912345678");
	t->nonce_len = 16 + (size_t)(k % 16);
	for (size_t i = 0; i < t->nonce_len; i++)
		t->nonce[i] = (uint8_t)(k * 7 + i);
}

/* pool.suspend / pool.reinstate through handler_save_expert. */
static void sim_set_status(struct sim *s, int64_t id, enum expert_status st,
                           int32_t until, const char *event, const char *reason)
{
	struct expert *e = &s->experts[id];
	e->status = st;
	e->suspended_until = until;
	sim_expert(s, e, event, reason);
}

static bool sim_request(struct sim *s, int k, const char *specialty, int members)
{
	struct task *t = malloc(sizeof *t);
	assert_non_null(t);
	make_request(t, k, specialty, members);
	bool ok = sim_draw(s, t, "draw");
	free(t);
	return ok;
}

/* A failed redraw: the nanny task's pool shrinks below its seats, the
 * redraw fails and must leave the panel; then the pool recovers. */
static void sim_failed_redraw(struct sim *s)
{
	assert_true(sim_request(s, 100, NANNY, 2));
	int64_t task = (int64_t)s->n_tasks;
	for (int64_t id = 16; id <= N_EXPERTS; id += 16)
		if (id > 32 && s->experts[id].status == EXPERT_ACTIVE)
			sim_set_status(s, id, EXPERT_SUSPENDED, 0, "suspended", "资格复核");
	assert_false(sim_redraw(s, task, 99));
	for (int64_t id = 16; id <= N_EXPERTS; id += 16)
		if (id > 32 && s->experts[id].status == EXPERT_SUSPENDED)
			sim_set_status(s, id, EXPERT_ACTIVE, 0, "reinstated", NULL);
	assert_true(sim_redraw(s, task, 98));
}

/* Days are Beijing days: a suspension through 31 March no longer stands
 * for a task at 07:00 on 1 April in Guangzhou, though it is still 31 March
 * in UTC then. */
static void sim_day_edge(struct sim *s)
{
	int lifted = 0;
	for (int64_t id = 1; id <= N_EXPERTS && lifted < 6; id++) {
		struct expert *e = &s->experts[id];
		if (strcmp(e->specialties[0], SPECS[0]) == 0 && e->status == EXPERT_ACTIVE &&
		    (e->group_types & GROUP_SKILL_EVALUATION)) {
			sim_set_status(s, id, EXPERT_SUSPENDED,
			               ident_days_from_civil(2025, 3, 31), "suspended", "请假");
			lifted++;
		}
	}
	struct task *t = malloc(sizeof *t);
	assert_non_null(t);
	make_request(t, 2, SPECS[0], 4);           /* a competition: no capability */
	t->start_at = unix_cst(2025, 4, 1, 7);
	t->end_at = unix_cst(2025, 4, 1, 18);
	assert_true(sim_draw(s, t, "draw"));
	free(t);
}

/* Rule 13, late as rule 12 is: experts of two specialties re-imported
 * with a 紧缺工种 ground naming their first, eligible there alone
 * (POLICY.md 4.2); the entries carry eligible_specialties. */
static void sim_limit_eligibility(struct sim *s)
{
	int limited = 0;
	for (int64_t id = 1; id <= N_EXPERTS && limited < 8; id++) {
		struct expert *e = &s->experts[id];
		if (e->n_specialties != 2 || e->status != EXPERT_ACTIVE)
			continue;
		e->relaxations = RELAX_SHORTAGE_OCCUPATION;
		strcpy(e->relax_occupations[0], e->specialties[0]);
		e->n_relax_occupations = 1;
		e->eligible_specialties = 1u;
		sim_expert(s, e, "updated", NULL);
		limited++;
	}
	assert_int_equal(limited, 8);
}

static void sim_scenario(struct sim *s)
{
	uint64_t x = UINT64_C(0x9e3779b97f4a7c15);
	s->now = unix_cst(2025, 1, 6, 9);
	sim_genesis(s);
	sim_term(s, 2024, 1, 1);
	sim_term(s, 2027, 1, 1);
	for (int64_t id = 1; id <= N_EXPERTS; id++) {
		make_expert(&s->experts[id], id, &x);
		sim_expert(s, &s->experts[id], "imported", NULL);
	}
	for (int k = 0; k < 15; k++)
		sim_conflict(s, 1 + (int64_t)(rnd(&x) % N_EXPERTS),
		             ORGS[rnd(&x) % (N_ORGS + 1)], (int)(rnd(&x) % 4),
		             ident_days_from_civil(2024, 6, 1),
		             k % 3 ? 0 : ident_days_from_civil(2025, 3, 31));
	for (int k = 0; k < 46; k++) {
		/* Rule 12, late, so that the earlier draws the tests pick stay
		 * as they were: a busy season declared. */
		for (int j = 0; k == 30 && j < 6; j++)
			sim_unavailable(s, 3 + j * 31, ident_days_from_civil(2025, 1, 1),
			                ident_days_from_civil(2025, 12, 31));
		/* Plans change (PROTOCOL.md 7.6.6): one withdrawn, one back early. */
		if (k == 38) {
			/* Under way since 1 January: days passed stay (7.6.6). */
			sim_unavailable_changed(s, 1, 3, ident_days_from_civil(2025, 1, 1),
			                        ident_days_from_civil(2025, 1, 9));
			sim_unavailable_changed(s, 2, 34, ident_days_from_civil(2025, 1, 1),
			                        ident_days_from_civil(2025, 1, 8));
		}
		if (k == 33)
			sim_limit_eligibility(s);
		s->now += HOUR;
		sim_request(s, k, SPECS[k % 3], 2 + k % 4);
		if (k % 7 == 6 && s->n_tasks >= 3)
			sim_redraw(s, (int64_t)s->n_tasks - 2, (uint8_t)k);
		if (k % 5 == 4) {
			int64_t id = 1 + (k * 13) % N_EXPERTS;
			if (s->experts[id].status == EXPERT_ACTIVE)
				sim_set_status(s, id, EXPERT_SUSPENDED,
				               ident_days_from_civil(2025, 12, 31),
				               "suspended", "多次无故缺席");
			else
				sim_set_status(s, id, EXPERT_ACTIVE, 0, "reinstated", NULL);
		}
		if (k % 9 == 8)
			sim_conflict(s, 1 + (k * 17) % N_EXPERTS, ORGS[k % N_ORGS], 1,
			             ident_days_from_civil(2025, 1, 1), 0);
	}
	assert_false(sim_request(s, 47, NANNY, 20));   /* too many seats */
	sim_day_edge(s);
	sim_failed_redraw(s);
	for (int k = 48; k < 52; k++)
		sim_request(s, k, SPECS[k % 3], 3);
}

/* The scenario, built once: the log and what the daemon then holds. */
static struct sim SIM;

static int sim_setup(void **state)
{
	(void)state;
	make_orgs();
	struct sim *s = &SIM;
	memset(s, 0, sizeof *s);
	s->pool = pool_new();
	s->eng = engage_new();
	s->experts = calloc(N_EXPERTS + 1, sizeof *s->experts);
	s->tasks = calloc(SIM_MAX_TASKS, sizeof *s->tasks);
	if (!s->pool || !s->eng || !s->experts || !s->tasks)
		return -1;
	s->rules = (struct recusal_config){.rotation_days = 365, .exposure_cap = 3,
	                                   .exposure_days = 365, .diversity = true};
	msgpack_sbuffer_init(&s->sb);
	msgpack_packer_init(&s->pk, &s->sb, msgpack_sbuffer_write);
	sim_scenario(s);
	return 0;
}

static int sim_teardown(void **state)
{
	(void)state;
	log_free(&SIM.log);
	msgpack_sbuffer_destroy(&SIM.sb);
	pool_destroy(&SIM.pool);
	engage_destroy(&SIM.eng);
	free(SIM.experts);
	free(SIM.tasks);
	return 0;
}

/* ---------------------------------------------------------- replaying */

struct outcome {
	size_t bad;            /* index of the first entry refused; n if none */
	int64_t bad_seq;
	char why[512];
};

/* Replay l; keep (may be NULL) receives the replay for inspection. */
static void replay_log(const struct log *l, struct outcome *o, struct replay **keep)
{
	struct replay *r = replay_new();
	assert_non_null(r);
	o->bad = l->n;
	o->bad_seq = 0;
	o->why[0] = '\0';
	for (size_t i = 0; i < l->n; i++) {
		const struct entry *e = &l->e[i];
		if (replay_entry(r, e->seq, e->at, e->type, e->body, e->len, e->prev,
		                 e->hash, o->why, sizeof o->why) != REPLAY_OK) {
			o->bad = i;
			o->bad_seq = e->seq;
			break;
		}
		assert_string_equal(o->why, "");
	}
	if (keep)
		*keep = r;
	else
		replay_destroy(&r);
}

/* The first entry refused is l->e[bad], and why starts with its seq and
 * contains `what`. */
static void assert_caught(const struct log *l, const struct outcome *o,
                          size_t bad, const char *what)
{
	char prefix[48];
	if (o->bad != bad)
		fail_msg("caught at index %zu, want %zu: %s", o->bad, bad, o->why);
	snprintf(prefix, sizeof prefix, "seq %lld", (long long)l->e[bad].seq);
	if (strncmp(o->why, prefix, strlen(prefix)) != 0 || !strstr(o->why, what))
		fail_msg("why = \"%s\"; want \"%s...%s...\"", o->why, prefix, what);
}

/* Index of the n-th draw entry (0-based) for which pred holds. */
static size_t nth_draw(const struct log *l, size_t n, bool ok_only, size_t min_panel)
{
	for (size_t i = 0; i < l->n; i++) {
		if (!is_draw(&l->e[i]) || (ok_only && strcmp(l->e[i].type, AUDIT_DRAW) != 0))
			continue;
		struct audit_transcript tr;
		entry_transcript(&l->e[i], &tr);
		if (tr.n_panel >= min_panel && n-- == 0)
			return i;
	}
	fail_msg("no such draw");
	return 0;
}

/* --------------------------------------------------------------- tests */

/* The scenario is the realistic one it claims to be. */
static void test_scenario_covers_every_rule(void **state)
{
	(void)state;
	for (int r = 0; r < RULE__COUNT; r++)
		if (SIM.excluded[r] == 0)
			fail_msg("no draw excluded anyone under %s", recusal_rule_names[r]);
	/* Both causes of being outside the bucket. */
	assert_true(SIM.outside_group > 0);
	assert_true(SIM.excluded[RULE_OK] > SIM.outside_group);
	assert_true(SIM.dropped > 0);
	assert_true(SIM.want.draws >= 50);
	assert_true(SIM.want.failed_draws >= 2);
	assert_true(SIM.want.redraws >= 6);
	assert_int_equal(SIM.failed_redraws, 1);
	assert_true(SIM.n_tasks >= 40);
}

static void test_whole_log_replays(void **state)
{
	(void)state;
	struct outcome o;
	struct replay *r;
	replay_log(&SIM.log, &o, &r);
	if (o.bad != SIM.log.n)
		fail_msg("refused: %s", o.why);

	struct replay_stats st;
	replay_stats(r, &st);
	assert_int_equal(st.entries, SIM.log.n);
	assert_int_equal(st.experts, SIM.want.experts);
	assert_int_equal(st.conflicts, SIM.want.conflicts);
	assert_int_equal(st.terms, SIM.want.terms);
	assert_int_equal(st.draws, SIM.want.draws);
	assert_int_equal(st.failed_draws, SIM.want.failed_draws);
	assert_int_equal(st.redraws, SIM.want.redraws);

	uint8_t head[REPLAY_HASH_LEN];
	assert_int_equal(replay_head(r, head), SIM.log.e[SIM.log.n - 1].seq);
	assert_memory_equal(head, SIM.log.e[SIM.log.n - 1].hash, sizeof head);

	/* Every task's seats, as the daemon's store holds them. */
	struct replay_seat seats[160];
	size_t cancelled = 0;
	for (size_t t = 0; t < SIM.n_tasks; t++) {
		const struct sim_task *want = &SIM.tasks[t];
		size_t n = replay_task_seats(r, (int64_t)t + 1, seats, 160);
		assert_int_equal(n, want->n);
		for (size_t i = 0; i < n; i++) {
			assert_int_equal(seats[i].draw, want->seats[i].s.draw);
			assert_int_equal(seats[i].expert, want->seats[i].s.expert);
			assert_int_equal(seats[i].seat, want->seats[i].s.seat);
			assert_int_equal(seats[i].role, want->seats[i].s.role);
			assert_int_equal(seats[i].state, want->seats[i].s.state);
			cancelled += seats[i].state == ASSIGN_CANCELLED;
		}
	}
	assert_true(cancelled > 0);
	/* Copies stop at max; the count is still the whole. */
	assert_int_equal(replay_task_seats(r, 1, seats, 1), SIM.tasks[0].n);
	assert_int_equal(replay_task_seats(r, 0, seats, 160), 0);
	assert_int_equal(replay_task_seats(r, (int64_t)SIM.n_tasks + 1, seats, 160), 0);
	replay_destroy(&r);
	assert_null(r);
	replay_destroy(&r);
	replay_destroy(NULL);
}

/* The failed redraw left the first panel standing: no seat of its draw,
 * and the panel before it still open. */
static void test_failed_redraw_keeps_panel(void **state)
{
	(void)state;
	struct outcome o;
	struct replay *r;
	struct replay_seat seats[160];
	replay_log(&SIM.log, &o, &r);
	assert_int_equal(o.bad, SIM.log.n);
	size_t n = replay_task_seats(r, SIM.failed_redraw_task, seats, 160);
	assert_true(n > 0);
	int64_t first = seats[0].draw;
	size_t open_first = 0, cancelled_first = 0;
	for (size_t i = 0; i < n; i++) {
		assert_int_not_equal(seats[i].draw, SIM.failed_redraw_draw);
		if (seats[i].draw == first) {
			cancelled_first += seats[i].state == ASSIGN_CANCELLED;
			open_first += seats[i].state != ASSIGN_CANCELLED;
		}
	}
	/* The later successful redraw cancelled all of the first panel... */
	assert_int_equal(open_first, 0);
	assert_true(cancelled_first > 0);
	/* ...and seated its own, which is open. */
	assert_true(seats[n - 1].draw > SIM.failed_redraw_draw);
	assert_int_not_equal(seats[n - 1].state, ASSIGN_CANCELLED);
	replay_destroy(&r);
}

static void test_flipped_byte_breaks_hash(void **state)
{
	(void)state;
	struct log l;
	struct outcome o;
	log_copy(&l, &SIM.log);
	size_t k = nth_draw(&l, 20, false, 0);
	l.e[k].body[l.e[k].len / 2] ^= 0x01;
	replay_log(&l, &o, NULL);
	assert_caught(&l, &o, k, "hash does not match its contents");

	/* The type and the time are covered too. */
	log_free(&l);
	log_copy(&l, &SIM.log);
	l.e[k].at += 1;
	replay_log(&l, &o, NULL);
	assert_caught(&l, &o, k, "hash does not match its contents");
	log_free(&l);
}

/* A forger who rehashes the entry they changed must rehash every later
 * one: the actor of a draw is not replayed, but the chain covers it. */
static void test_rehashed_entry_breaks_next_prev(void **state)
{
	(void)state;
	struct log l;
	struct outcome o;
	struct audit_transcript tr;
	char want[64];
	log_copy(&l, &SIM.log);
	size_t k = nth_draw(&l, 20, false, 0);
	entry_transcript(&l.e[k], &tr);
	snprintf(tr.actor, sizeof tr.actor, "intruder");
	entry_set_transcript(&l.e[k], &tr);
	audit_hash(l.e[k].hash, l.e[k].prev, l.e[k].seq, l.e[k].at, l.e[k].type,
	           l.e[k].body, l.e[k].len);
	replay_log(&l, &o, NULL);
	snprintf(want, sizeof want, "prev_hash is not the hash of entry %lld",
	         (long long)l.e[k].seq);
	assert_caught(&l, &o, k + 1, want);
	log_free(&l);

	/* Rehashed garbage gets past the chain but not the reader. */
	log_copy(&l, &SIM.log);
	l.e[k].body[l.e[k].len / 2] ^= 0x80;
	audit_hash(l.e[k].hash, l.e[k].prev, l.e[k].seq, l.e[k].at, l.e[k].type,
	           l.e[k].body, l.e[k].len);
	replay_log(&l, &o, NULL);
	if (o.bad == k + 1)
		assert_caught(&l, &o, k + 1, "prev_hash");
	else
		assert_caught(&l, &o, k, "body of type draw does not parse");
	log_free(&l);
}

static void test_changed_panel_is_caught(void **state)
{
	(void)state;
	struct log l;
	struct outcome o;
	struct audit_transcript tr;
	char want[96];
	log_copy(&l, &SIM.log);
	size_t k = nth_draw(&l, 25, true, 3);
	entry_transcript(&l.e[k], &tr);
	int64_t real = tr.panel[1], forged = 1;
	for (bool taken = true; taken; forged++) {
		taken = false;
		for (size_t i = 0; i < tr.n_panel; i++)
			taken |= tr.panel[i] == forged;
		if (!taken)
			break;
	}
	tr.panel[1] = forged;
	entry_set_transcript(&l.e[k], &tr);
	log_rehash(&l, k);
	replay_log(&l, &o, NULL);
	snprintf(want, sizeof want, "panel differs at seat 1: transcript %lld, "
	         "replay %lld", (long long)forged, (long long)real);
	assert_caught(&l, &o, k, want);
	log_free(&l);
}

/* A rewritten status before a draw changes who recusal lets through: the
 * first draw that saw the expert no longer matches. */
static void test_changed_status_changes_candidates(void **state)
{
	(void)state;
	struct log l;
	struct outcome o;
	struct audit_transcript tr;
	log_copy(&l, &SIM.log);
	size_t d = nth_draw(&l, 30, true, 1);
	entry_transcript(&l.e[d], &tr);
	int64_t x = tr.panel[0];
	size_t p = d;
	struct expert e;
	for (size_t i = 0; i < d; i++) {
		if (strcmp(l.e[i].type, AUDIT_EXPERT) != 0)
			continue;
		msgpack_unpacked u;
		entry_unpack(&l.e[i], &u);
		assert_true(audit_read_expert(&u.data, &e));
		msgpack_unpacked_destroy(&u);
		if (e.id == x)
			p = i;
	}
	assert_true(p < d);

	msgpack_unpacked u;
	const char *s;
	size_t n;
	char event[64] = "", reason[513] = "";
	entry_unpack(&l.e[p], &u);
	assert_true(audit_read_expert(&u.data, &e));
	assert_true(proto_map_str(&u.data, "event", &s, &n));
	memcpy(event, s, n);
	if (proto_map_str(&u.data, "reason", &s, &n))
		memcpy(reason, s, n);
	msgpack_unpacked_destroy(&u);
	assert_int_equal(e.status, EXPERT_ACTIVE);
	e.status = EXPERT_REVOKED;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	audit_pack_expert(&pk, event, "operator", reason, &e);
	entry_set_body(&l.e[p], sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
	log_rehash(&l, p);

	replay_log(&l, &o, NULL);
	if (o.bad <= p || o.bad > d || !is_draw(&l.e[o.bad]))
		fail_msg("caught at index %zu (expert entry %zu, draw %zu): %s", o.bad,
		         p, d, o.why);
	assert_caught(&l, &o, o.bad, "excluded[status]");
	log_free(&l);
}

static void test_replaced_secret_breaks_commitment(void **state)
{
	(void)state;
	struct log l;
	struct outcome o;
	struct audit_transcript tr, before;
	char want[96];
	log_copy(&l, &SIM.log);
	size_t k = nth_draw(&l, 12, false, 0);
	size_t j = k;
	while (!is_draw(&l.e[--j]))
		;
	entry_transcript(&l.e[j], &before);
	entry_transcript(&l.e[k], &tr);
	memset(tr.secret, 0xab, sizeof tr.secret);
	entry_set_transcript(&l.e[k], &tr);
	log_rehash(&l, k);
	replay_log(&l, &o, NULL);
	snprintf(want, sizeof want, "secret does not open the commitment of seq "
	         "%lld (draw %lld)", (long long)l.e[j].seq, (long long)before.draw);
	assert_caught(&l, &o, k, want);
	log_free(&l);

	/* The first draw opens the genesis commitment. */
	log_copy(&l, &SIM.log);
	k = nth_draw(&l, 0, false, 0);
	entry_transcript(&l.e[k], &tr);
	tr.secret[0] ^= 1;
	entry_set_transcript(&l.e[k], &tr);
	log_rehash(&l, k);
	replay_log(&l, &o, NULL);
	assert_caught(&l, &o, k, "commitment of seq 1 (chain.genesis)");
	log_free(&l);
}

static void test_deleted_entry_is_caught(void **state)
{
	(void)state;
	struct log l;
	struct outcome o;
	char want[64];
	log_copy(&l, &SIM.log);
	size_t k = l.n / 2;
	int64_t missing = l.e[k].seq;
	log_delete(&l, k);
	replay_log(&l, &o, NULL);
	snprintf(want, sizeof want, "expected seq %lld after seq %lld",
	         (long long)missing, (long long)missing - 1);
	assert_caught(&l, &o, k, want);
	log_free(&l);

	/* Renumbered and rehashed, a missing draw still shows: the next draw's
	 * secret opens no commitment the log holds. */
	log_copy(&l, &SIM.log);
	k = nth_draw(&l, 18, false, 0);
	log_delete(&l, k);
	log_renumber(&l);
	log_rehash(&l, 0);
	replay_log(&l, &o, NULL);
	assert_true(o.bad >= k && is_draw(&l.e[o.bad]));
	assert_caught(&l, &o, o.bad, "secret does not open the commitment");
	log_free(&l);

	/* A missing import: the next new expert's id skips one. */
	log_copy(&l, &SIM.log);
	k = 10;
	assert_string_equal(l.e[k].type, AUDIT_EXPERT);
	log_delete(&l, k);
	log_renumber(&l);
	log_rehash(&l, 0);
	replay_log(&l, &o, NULL);
	assert_caught(&l, &o, k, "neither in the pool nor the next id");
	log_free(&l);
}

static void test_swapped_entries_are_caught(void **state)
{
	(void)state;
	struct log l;
	struct outcome o;
	log_copy(&l, &SIM.log);
	size_t k = nth_draw(&l, 15, false, 0);
	log_swap(&l, k, k + 1);
	replay_log(&l, &o, NULL);
	assert_caught(&l, &o, k, "out of order");
	log_free(&l);

	/* Two draws swapped, renumbered and rehashed: the chain holds, the
	 * commitments do not. */
	log_copy(&l, &SIM.log);
	k = nth_draw(&l, 15, false, 0);
	size_t k2 = nth_draw(&l, 16, false, 0);
	log_swap(&l, k, k2);
	log_renumber(&l);
	log_rehash(&l, 0);
	replay_log(&l, &o, NULL);
	assert_caught(&l, &o, k, "secret does not open the commitment");
	log_free(&l);
}

/* Fields the replay recomputes rather than reads: the seed, the
 * diversity drops and the outcome. */
static void test_forged_seed_drops_and_outcome(void **state)
{
	(void)state;
	struct log l;
	struct outcome o;
	struct audit_transcript tr;
	char want[96];

	log_copy(&l, &SIM.log);
	size_t k = nth_draw(&l, 22, true, 0);
	entry_transcript(&l.e[k], &tr);
	tr.seed[5] ^= 0x10;
	entry_set_transcript(&l.e[k], &tr);
	log_rehash(&l, k);
	replay_log(&l, &o, NULL);
	assert_caught(&l, &o, k, "seed differs");
	log_free(&l);

	log_copy(&l, &SIM.log);
	entry_transcript(&l.e[k], &tr);
	tr.diversity_dropped += 1;
	entry_set_transcript(&l.e[k], &tr);
	log_rehash(&l, k);
	replay_log(&l, &o, NULL);
	snprintf(want, sizeof want, "diversity_dropped: transcript %llu, replay %llu",
	         (unsigned long long)tr.diversity_dropped,
	         (unsigned long long)tr.diversity_dropped - 1);
	assert_caught(&l, &o, k, want);
	log_free(&l);

	/* A failed first draw passed off as a success: first under its own
	 * type, then retyped and given the next task id. */
	log_copy(&l, &SIM.log);
	size_t f = l.n, tasks_before = 0;
	for (size_t i = 0; i < l.n && f == l.n; i++) {
		if (!is_draw(&l.e[i]))
			continue;
		entry_transcript(&l.e[i], &tr);
		if (!tr.ok && strcmp(tr.kind, "draw") == 0)
			f = i;
		else if (tr.ok && strcmp(tr.kind, "draw") == 0)
			tasks_before++;
	}
	assert_true(f < l.n);
	tr.ok = true;
	tr.task = (int64_t)tasks_before + 1;
	entry_set_transcript(&l.e[f], &tr);
	log_rehash(&l, f);
	replay_log(&l, &o, NULL);
	assert_caught(&l, &o, f, "an entry of type draw.failed records ok = true");
	snprintf(l.e[f].type, sizeof l.e[f].type, "%s", AUDIT_DRAW);
	log_rehash(&l, f);
	replay_log(&l, &o, NULL);
	assert_caught(&l, &o, f, "outcome differs: transcript ok, replay failed");
	log_free(&l);
}

/* Apply f to the transcript of draw entry k of a copy of the log, rehash
 * from there, replay, and expect the mismatch at k naming `what`. */
static void assert_forgery_caught(size_t k, void (*f)(struct audit_transcript *,
                                                      const struct entry *),
                                  const char *what)
{
	struct log l;
	struct outcome o;
	struct audit_transcript tr;
	log_copy(&l, &SIM.log);
	entry_transcript(&l.e[k], &tr);
	f(&tr, &l.e[k]);
	entry_set_transcript(&l.e[k], &tr);
	log_rehash(&l, k);
	replay_log(&l, &o, NULL);
	assert_caught(&l, &o, k, what);
	log_free(&l);
}

static void forge_draw_id(struct audit_transcript *tr, const struct entry *e)
{
	(void)e;
	tr->draw += 5;
}

static void forge_task_id(struct audit_transcript *tr, const struct entry *e)
{
	(void)e;
	tr->task += 1;
}

static void forge_candidates_hash(struct audit_transcript *tr, const struct entry *e)
{
	(void)e;
	tr->candidates_hash[0] ^= 1;
}

static void forge_exclusions(struct audit_transcript *tr, const struct entry *e)
{
	(void)e;
	tr->excluded[RULE_OVERLAP]--;
	tr->excluded[RULE_ROTATION]++;
}

static void forge_start(struct audit_transcript *tr, const struct entry *e)
{
	tr->req.start_at = e->at;
}

/* Index of the first ok first draw (kind "draw") with an overlap exclusion. */
static size_t first_draw_with_overlap(const struct log *l)
{
	struct audit_transcript tr;
	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->e[i].type, AUDIT_DRAW) != 0)
			continue;
		entry_transcript(&l->e[i], &tr);
		if (strcmp(tr.kind, "draw") == 0 && tr.excluded[RULE_OVERLAP] > 0)
			return i;
	}
	fail_msg("no draw excluded anyone for overlap");
	return 0;
}

static void test_forged_ids_lists_and_dates(void **state)
{
	(void)state;
	size_t k = first_draw_with_overlap(&SIM.log);
	struct audit_transcript tr;
	char want[96];
	entry_transcript(&SIM.log.e[k], &tr);

	snprintf(want, sizeof want, "draw id %lld, expected %lld",
	         (long long)tr.draw + 5, (long long)tr.draw);
	assert_forgery_caught(k, forge_draw_id, want);
	snprintf(want, sizeof want, "task %lld, expected the new task %lld",
	         (long long)tr.task + 1, (long long)tr.task);
	assert_forgery_caught(k, forge_task_id, want);
	snprintf(want, sizeof want, "candidate list differs: %llu candidates in "
	         "both, not the same experts", (unsigned long long)tr.n_candidates);
	assert_forgery_caught(k, forge_candidates_hash, want);
	snprintf(want, sizeof want, "excluded[overlap]: transcript %llu, replay %llu",
	         (unsigned long long)tr.excluded[RULE_OVERLAP] - 1,
	         (unsigned long long)tr.excluded[RULE_OVERLAP]);
	assert_forgery_caught(k, forge_exclusions, want);
	assert_forgery_caught(k, forge_start, "not after the draw");
}

/* A redraw must repeat its task: one that names other orgs is refused
 * even if everything after it is made consistent. */
static void test_redraw_of_another_request_is_caught(void **state)
{
	(void)state;
	struct log l;
	struct outcome o;
	struct audit_transcript tr;
	log_copy(&l, &SIM.log);
	size_t k = 0;
	for (size_t i = 0; i < l.n && !k; i++) {
		if (!is_draw(&l.e[i]))
			continue;
		entry_transcript(&l.e[i], &tr);
		if (strcmp(tr.kind, "redraw") == 0 && tr.req.n_orgs > 0)
			k = i;
	}
	assert_true(k > 0);
	strcpy(tr.req.orgs[0], ORGS[N_ORGS + 1]);
	entry_set_transcript(&l.e[k], &tr);
	log_rehash(&l, k);
	replay_log(&l, &o, NULL);
	assert_caught(&l, &o, k, "request field orgs differs from the task's");
	log_free(&l);
}

/* Experts a transcript lists as already drawn are left out of the
 * candidates, counted under "excluded", as the transcript says. */
static void test_already_drawn_are_left_out(void **state)
{
	(void)state;
	struct sim s;
	struct outcome o;
	struct audit_transcript tr;
	memset(&s, 0, sizeof s);
	s.pool = pool_new();
	s.eng = engage_new();
	s.experts = calloc(N_EXPERTS + 1, sizeof *s.experts);
	s.tasks = calloc(SIM_MAX_TASKS, sizeof *s.tasks);
	assert_non_null(s.experts);
	assert_non_null(s.tasks);
	msgpack_sbuffer_init(&s.sb);
	msgpack_packer_init(&s.pk, &s.sb, msgpack_sbuffer_write);
	s.rules = SIM.rules;
	s.now = unix_cst(2025, 1, 6, 9);
	sim_genesis(&s);
	sim_term(&s, 2024, 1, 1);
	uint64_t x = 11;
	for (int64_t id = 1; id <= 80; id++) {
		make_expert(&s.experts[id], id, &x);
		sim_expert(&s, &s.experts[id], "imported", NULL);
	}
	struct task *t = malloc(sizeof *t);
	assert_non_null(t);
	make_request(t, 2, SPECS[1], 2);
	assert_true(sim_draw(&s, t, "draw"));
	entry_transcript(&s.log.e[s.log.n - 1], &tr);
	assert_int_equal(tr.n_panel, 4);
	make_request(t, 2, SPECS[1], 2);
	t->start_at += 60 * DAY;
	t->end_at += 60 * DAY;
	t->nonce[0] ^= 1;
	assert_true(sim_draw_also(&s, t, "draw", tr.panel, tr.n_panel));
	free(t);
	entry_transcript(&s.log.e[s.log.n - 1], &tr);
	assert_int_equal(tr.n_already_drawn, 4);
	assert_int_equal(tr.excluded[RULE_EXCLUDED], 4);   /* all in the bucket */

	replay_log(&s.log, &o, NULL);
	if (o.bad != s.log.n)
		fail_msg("refused: %s", o.why);
	/* Forget the list: the replay sees more candidates than the draw did. */
	tr.n_already_drawn = 0;
	entry_set_transcript(&s.log.e[s.log.n - 1], &tr);
	log_rehash(&s.log, s.log.n - 1);
	replay_log(&s.log, &o, NULL);
	assert_caught(&s.log, &o, s.log.n - 1, "candidate list differs");
	log_free(&s.log);
	msgpack_sbuffer_destroy(&s.sb);
	pool_destroy(&s.pool);
	engage_destroy(&s.eng);
	free(s.experts);
	free(s.tasks);
}

/* ---- the two layouts of a transcript's counts (DRAW.md 4.4) ---- */

/* Rewrite the draws of l from draw id `from` on as the daemon writes them
 * since draft 9: the 13-key map, with outside_group. Rehashed from the
 * first change. */
static void log_split_from(struct log *l, int64_t from)
{
	size_t first = l->n;
	for (size_t i = 0; i < l->n; i++) {
		struct audit_transcript tr;
		if (!is_draw(&l->e[i]))
			continue;
		entry_transcript(&l->e[i], &tr);
		assert_false(tr.outside_split);
		if (tr.draw < from)
			continue;
		tr.outside_group = SIM.outside_group_of[tr.draw];
		tr.outside_split = true;
		entry_set_transcript(&l->e[i], &tr);
		if (first == l->n)
			first = i;
	}
	log_rehash(l, first);
}

/* Index of the first draw for which some holder of the specialty was
 * outside the bucket for want of the group type, and some expert for
 * want of the specialty. */
static size_t first_draw_with_outside_group(const struct log *l)
{
	struct audit_transcript tr;
	for (size_t i = 0; i < l->n; i++) {
		if (!is_draw(&l->e[i]))
			continue;
		entry_transcript(&l->e[i], &tr);
		uint64_t group = SIM.outside_group_of[tr.draw];
		if (group > 0 && tr.excluded[RULE_OK] > group)
			return i;
	}
	fail_msg("no draw had a holder outside the group type");
	return 0;
}

/* Logs of the 12-key layout (the scenario's), of the 13-key one, and
 * begun in one and continued in the other all replay. */
static void test_both_layouts_replay(void **state)
{
	(void)state;
	struct outcome o;
	struct log l;
	struct audit_transcript tr;
	size_t k = first_draw_with_outside_group(&SIM.log);
	entry_transcript(&SIM.log.e[k], &tr);
	const int64_t draw = tr.draw;

	const int64_t from[] = {1, draw, draw + 1, SIM.last_draw};
	for (size_t i = 0; i < sizeof from / sizeof from[0]; i++) {
		log_copy(&l, &SIM.log);
		log_split_from(&l, from[i]);
		entry_transcript(&l.e[k], &tr);
		assert_int_equal(tr.outside_split, draw >= from[i]);
		if (tr.outside_split)
			assert_int_equal(tr.outside_group, SIM.outside_group_of[draw]);
		replay_log(&l, &o, NULL);
		if (o.bad != l.n)
			fail_msg("13 keys from draw %lld: refused: %s", (long long)from[i], o.why);
		log_free(&l);
	}
}

/* Apply f to draw entry k of `base` (copied), rehash, replay, and expect
 * the mismatch at k naming `what`. */
static void assert_caught_in(const struct log *base, size_t k,
                             void (*f)(struct audit_transcript *), const char *what)
{
	struct log l;
	struct outcome o;
	struct audit_transcript tr;
	log_copy(&l, base);
	entry_transcript(&l.e[k], &tr);
	f(&tr);
	entry_set_transcript(&l.e[k], &tr);
	log_rehash(&l, k);
	replay_log(&l, &o, NULL);
	assert_caught(&l, &o, k, what);
	log_free(&l);
}

/* 13 keys: one expert moved from outside_specialty to outside_group
 * leaves the sum as it was, and is caught. */
static void forge_outside_cause(struct audit_transcript *tr)
{
	tr->outside_group++;
}

/* 12 keys: outside_specialty must be the replay's outside_specialty +
 * outside_group; one counting only those outside the specialty is
 * caught. */
static void forge_without_group(struct audit_transcript *tr)
{
	tr->excluded[RULE_OK] -= SIM.outside_group_of[tr->draw];
}

static void test_counts_checked_in_both_layouts(void **state)
{
	(void)state;
	size_t k = first_draw_with_outside_group(&SIM.log);
	struct audit_transcript tr;
	struct log split;
	char want[96];
	entry_transcript(&SIM.log.e[k], &tr);
	uint64_t all = tr.excluded[RULE_OK], group = SIM.outside_group_of[tr.draw];

	log_copy(&split, &SIM.log);
	log_split_from(&split, 1);
	snprintf(want, sizeof want,
	         "excluded[outside_specialty]: transcript %llu, replay %llu",
	         (unsigned long long)(all - group - 1), (unsigned long long)(all - group));
	assert_caught_in(&split, k, forge_outside_cause, want);
	log_free(&split);

	snprintf(want, sizeof want,
	         "excluded[outside_specialty]: transcript %llu, replay %llu",
	         (unsigned long long)(all - group), (unsigned long long)all);
	assert_caught_in(&SIM.log, k, forge_without_group, want);
}

/* ---- small logs: layouts, types and order ---- */

/* A fresh log: genesis, a term and one expert. */
static void mini_log(struct sim *s)
{
	memset(s, 0, sizeof *s);
	s->pool = pool_new();
	s->eng = engage_new();
	s->experts = calloc(3, sizeof *s->experts);
	assert_non_null(s->experts);
	msgpack_sbuffer_init(&s->sb);
	msgpack_packer_init(&s->pk, &s->sb, msgpack_sbuffer_write);
	s->now = unix_cst(2025, 1, 6, 9);
	sim_genesis(s);
	sim_term(s, 2024, 1, 1);
	uint64_t x = 7;
	make_expert(&s->experts[1], 1, &x);
	sim_expert(s, &s->experts[1], "imported", NULL);
}

static void mini_free(struct sim *s)
{
	log_free(&s->log);
	msgpack_sbuffer_destroy(&s->sb);
	pool_destroy(&s->pool);
	engage_destroy(&s->eng);
	free(s->experts);
}

/* Append raw bytes under any type, chained correctly. */
static void mini_raw(struct sim *s, const char *type, const void *p, size_t n)
{
	msgpack_sbuffer_clear(&s->sb);
	msgpack_sbuffer_write(&s->sb, p, n);
	sim_end(s, type);
}

static void test_types_and_layouts(void **state)
{
	(void)state;
	struct sim s;
	struct outcome o;
	static const uint8_t map0[] = {0x80};

	mini_log(&s);
	replay_log(&s.log, &o, NULL);
	assert_int_equal(o.bad, s.log.n);
	mini_raw(&s, "pool.renamed", map0, sizeof map0);
	replay_log(&s.log, &o, NULL);
	assert_caught(&s.log, &o, 3, "unknown entry type 'pool.renamed'");
	mini_free(&s);

	mini_log(&s);
	mini_raw(&s, AUDIT_EXPERT, "\xc1", 1);
	replay_log(&s.log, &o, NULL);
	assert_caught(&s.log, &o, 3, "body of type pool.expert does not parse");
	mini_free(&s);

	mini_log(&s);
	mini_raw(&s, AUDIT_CONFLICT, map0, sizeof map0);
	replay_log(&s.log, &o, NULL);
	assert_caught(&s.log, &o, 3, "body of type pool.conflict does not parse");
	mini_free(&s);

	/* A huge declared array is refused before msgpack-c sizes anything. */
	static const uint8_t huge[] = {0xdd, 0x7f, 0xff, 0xff, 0xff};
	mini_log(&s);
	mini_raw(&s, AUDIT_DRAW, huge, sizeof huge);
	replay_log(&s.log, &o, NULL);
	assert_caught(&s.log, &o, 3, "body of type draw does not parse");
	mini_free(&s);

	/* A second genesis would restart the commitments. */
	mini_log(&s);
	sim_genesis(&s);
	replay_log(&s.log, &o, NULL);
	assert_caught(&s.log, &o, 3, "chain.genesis may only open the log");
	mini_free(&s);

	/* The log opens with a genesis and nothing else. */
	mini_log(&s);
	log_delete(&s.log, 0);
	log_renumber(&s.log);
	log_rehash(&s.log, 0);
	replay_log(&s.log, &o, NULL);
	assert_caught(&s.log, &o, 0, "the log must open with chain.genesis");
	mini_free(&s);
}

static void test_terms_experts_conflicts_are_checked(void **state)
{
	(void)state;
	struct sim s;
	struct outcome o;

	mini_log(&s);
	s.n_terms = 2;                       /* term 3 after term 1 */
	sim_term(&s, 2030, 1, 1);
	replay_log(&s.log, &o, NULL);
	assert_caught(&s.log, &o, 3, "term 3 opened after term 1");
	mini_free(&s);

	mini_log(&s);                        /* term 2 no later than term 1 */
	sim_term(&s, 2023, 1, 1);
	replay_log(&s.log, &o, NULL);
	assert_caught(&s.log, &o, 3, "term 2 does not start after term 1");
	mini_free(&s);

	mini_log(&s);                        /* an id out of nowhere */
	s.experts[1].id = 1000000000;      /* written, never applied here */
	audit_pack_expert(sim_begin(&s), "imported", "operator", NULL, &s.experts[1]);
	sim_end(&s, AUDIT_EXPERT);
	replay_log(&s.log, &o, NULL);
	assert_caught(&s.log, &o, 3, "expert 1000000000 is neither in the pool "
	              "nor the next id (2)");
	mini_free(&s);

	mini_log(&s);                        /* an update of a known expert */
	s.experts[1].status = EXPERT_SUSPENDED;
	sim_expert(&s, &s.experts[1], "suspended", "复核");
	sim_conflict(&s, 1, ORGS[0], 0, ident_days_from_civil(2024, 1, 1), 0);
	replay_log(&s.log, &o, NULL);
	assert_int_equal(o.bad, s.log.n);
	sim_conflict(&s, 2, ORGS[0], 0, ident_days_from_civil(2024, 1, 1), 0);
	replay_log(&s.log, &o, NULL);
	assert_caught(&s.log, &o, 5, "conflict 2 names expert 2, who is not in "
	              "the pool");
	mini_free(&s);

	mini_log(&s);
	s.last_conflict = 4;                 /* ids skip */
	sim_conflict(&s, 1, ORGS[0], 0, ident_days_from_civil(2024, 1, 1), 0);
	replay_log(&s.log, &o, NULL);
	assert_caught(&s.log, &o, 3, "conflict id 5, expected 1");
	mini_free(&s);

	mini_log(&s);                        /* a conflict that ends first */
	sim_conflict(&s, 1, ORGS[0], 0, ident_days_from_civil(2024, 1, 1),
	             ident_days_from_civil(2023, 12, 31));
	replay_log(&s.log, &o, NULL);
	assert_caught(&s.log, &o, 3, "conflict 1 ends before it starts");
	mini_free(&s);

	mini_log(&s);                        /* a term that ends first */
	audit_pack_term(sim_begin(&s), 2, ident_days_from_civil(2027, 1, 1),
	                ident_days_from_civil(2026, 1, 1));
	sim_end(&s, AUDIT_TERM);
	replay_log(&s.log, &o, NULL);
	assert_caught(&s.log, &o, 3, "term 2 ends before it starts");
	mini_free(&s);

	mini_log(&s);                        /* not a credit code */
	sim_conflict(&s, 1, "91440101MA5000000X", 0, ident_days_from_civil(2024, 1, 1), 0);
	replay_log(&s.log, &o, NULL);
	assert_caught(&s.log, &o, 3, "not a unified social credit code");
	mini_free(&s);

	mini_log(&s);                        /* a registry key (REGISTRY.md 2.1) */
	sim_conflict(&s, 1, "org:17", 0, ident_days_from_civil(2024, 1, 1), 0);
	replay_log(&s.log, &o, NULL);
	assert_int_equal(o.bad, s.log.n);
	sim_conflict(&s, 1, "org:017", 0, ident_days_from_civil(2024, 1, 1), 0);
	replay_log(&s.log, &o, NULL);
	assert_caught(&s.log, &o, 4, "org_code is not a unified social credit code "
	              "or an org:N key (the number after org: must not start with 0)");
	mini_free(&s);
}

/* ---- organisations merged ---- */

#define KEY_INTO "org:1"
#define KEY_FROM "org:2"

/* org.merge as the daemon does it (REGISTRY.md 2.4): the entry, then the
 * pool, conflicts and tasks relinked and the stored tasks' orgs
 * rewritten. relink false: the entry alone, as a daemon that forgot. */
static void sim_org_merged(struct sim *s, const char *from, const char *into,
                           bool relink)
{
	audit_pack_org_merged(sim_begin(s), from, into, "operator", "同一单位两条记录");
	sim_end(s, AUDIT_ORG_MERGED);
	if (!relink)
		return;
	uint32_t f = pool_org_intern(s->pool, from), i = pool_org_intern(s->pool, into);
	assert_true(f && i && engage_merge_org(s->eng, f, i));
	pool_merge_org(s->pool, f, i);
	for (size_t k = 0; k < s->n_tasks; k++)
		for (int j = 0; j < s->tasks[k].t.n_orgs; j++)
			if (strcmp(s->tasks[k].t.orgs[j], from) == 0)
				strcpy(s->tasks[k].t.orgs[j], into);
}

/* A welders' competition naming org, `days` after the usual date. */
static bool merge_draw(struct sim *s, const char *org, int days, int members)
{
	struct task *t = malloc(sizeof *t);
	assert_non_null(t);
	make_request(t, 2, SPECS[0], members);
	t->backups = 0;
	t->n_orgs = 1;
	strcpy(t->orgs[0], org);
	t->start_at += days * DAY;
	t->end_at += days * DAY;
	t->nonce[0] ^= (uint8_t)days;
	bool ok = sim_draw(s, t, "draw");
	free(t);
	return ok;
}

/* Eight welders: 1 employed by org:1, 2 by org:2, 3 with a conflict on
 * org:2. Task 1 names org:2; then org:2 is merged into org:1 (relinked
 * or not); then task 2, 60 days later, names org:1. */
static void merge_log(struct sim *s, bool relink)
{
	memset(s, 0, sizeof *s);
	s->pool = pool_new();
	s->eng = engage_new();
	s->experts = calloc(9, sizeof *s->experts);
	s->tasks = calloc(SIM_MAX_TASKS, sizeof *s->tasks);
	assert_true(s->pool && s->eng && s->experts && s->tasks);
	msgpack_sbuffer_init(&s->sb);
	msgpack_packer_init(&s->pk, &s->sb, msgpack_sbuffer_write);
	s->rules = (struct recusal_config){.rotation_days = 365, .exposure_days = 365,
	                                   .diversity = true};
	s->now = unix_cst(2025, 1, 6, 9);
	sim_genesis(s);
	sim_term(s, 2024, 1, 1);
	for (int64_t id = 1; id <= 8; id++) {
		s->experts[id] = fx_expert(id, SPECS[0]);
		strcpy(s->experts[id].employer_code, id == 1 ? KEY_INTO : id == 2 ? KEY_FROM : "");
		sim_expert(s, &s->experts[id], "imported", NULL);
	}
	sim_conflict(s, 3, KEY_FROM, 0, ident_days_from_civil(2024, 1, 1), 0);
	assert_true(merge_draw(s, KEY_FROM, 0, 2));
	sim_org_merged(s, KEY_FROM, KEY_INTO, relink);
	assert_true(merge_draw(s, KEY_INTO, 60, 1));
}

static void merge_free(struct sim *s)
{
	mini_free(s);
	free(s->tasks);
}

/* Task 1's panel members other than expert 1: whom rotation keeps off
 * task 2 once task 1 names org:1 (1 is kept off by employment first). */
static uint64_t merge_rotated(const struct sim *s)
{
	uint64_t n = 0;
	for (size_t i = 0; i < s->tasks[0].n; i++)
		n += s->tasks[0].seats[i].s.expert != 1;
	return n;
}

static void test_org_merge_relinks_the_replay(void **state)
{
	(void)state;
	struct sim s;
	struct outcome o;
	struct audit_transcript tr;
	struct replay *r = NULL;
	merge_log(&s, true);
	/* The daemon's transcript: 2 (employed by org:2) excluded as employer,
	 * 3 by conflict, task 1's panel by rotation. */
	entry_transcript(&s.log.e[s.log.n - 1], &tr);
	assert_int_equal(tr.excluded[RULE_EMPLOYER], 2);
	assert_int_equal(tr.excluded[RULE_CONFLICT], 1);
	assert_int_equal(tr.excluded[RULE_ROTATION], merge_rotated(&s));
	assert_true(tr.excluded[RULE_ROTATION] >= 1);
	/* A redraw of task 1 repeats its stored request: org:1 now. */
	assert_true(sim_redraw(&s, 1, 5));
	entry_transcript(&s.log.e[s.log.n - 1], &tr);
	assert_string_equal(tr.req.orgs[0], KEY_INTO);

	replay_log(&s.log, &o, &r);
	if (o.bad != s.log.n)
		fail_msg("refused: %s", o.why);
	/* What audit verify holds task.show to. */
	assert_string_equal(replay_task_request(r, 1)->orgs[0], KEY_INTO);
	assert_string_equal(replay_task_request(r, 2)->orgs[0], KEY_INTO);
	assert_null(replay_task_request(r, 3));
	replay_destroy(&r);
	merge_free(&s);
}

/* A daemon that logged the merge but kept drawing with org:2 apart: its
 * expert 2 is a candidate of task 2, which the replay refuses. */
static void test_org_merge_not_applied_is_caught(void **state)
{
	(void)state;
	struct sim s;
	struct outcome o;
	struct audit_transcript tr;
	merge_log(&s, false);
	entry_transcript(&s.log.e[s.log.n - 1], &tr);
	assert_int_equal(tr.excluded[RULE_EMPLOYER], 1);
	replay_log(&s.log, &o, NULL);
	assert_caught(&s.log, &o, s.log.n - 1, "excluded[employer]: transcript 1, replay 2");
	merge_free(&s);
}

/* After the merge nothing may name org:2: not a redraw repeating the
 * request as first drawn, nor an expert, nor a conflict. */
static void test_org_merged_key_stays_merged(void **state)
{
	(void)state;
	struct sim s;
	struct outcome o;
	merge_log(&s, true);
	strcpy(s.tasks[0].t.orgs[0], KEY_FROM);
	sim_redraw(&s, 1, 5);
	replay_log(&s.log, &o, NULL);
	assert_caught(&s.log, &o, s.log.n - 1, "request orgs item org:2 names an "
	              "organisation merged into another at seq");
	merge_free(&s);

	merge_log(&s, true);
	strcpy(s.experts[4].employer_code, KEY_FROM);
	sim_expert(&s, &s.experts[4], "updated", NULL);
	replay_log(&s.log, &o, NULL);
	assert_caught(&s.log, &o, s.log.n - 1, "employer_code org:2 names an "
	              "organisation merged");
	merge_free(&s);

	merge_log(&s, true);
	sim_conflict(&s, 4, KEY_FROM, 0, ident_days_from_civil(2024, 1, 1), 0);
	replay_log(&s.log, &o, NULL);
	assert_caught(&s.log, &o, s.log.n - 1, "org_code org:2 names an organisation");
	merge_free(&s);
}

/* Each org.merged entry the replay refuses, with what it says. */
static void test_org_merged_is_checked(void **state)
{
	(void)state;
	static const struct { const char *from, *into, *why; } bad[] = {
		{"", KEY_INTO, "org.merged with an empty key"},
		{KEY_INTO, "", "org.merged with an empty key"},
		{KEY_INTO, KEY_INTO, "org.merged of org:1 into itself"},
		{"org:02", KEY_INTO, "org:02 is not an organisation key"},
		{KEY_FROM, "91440101MA5000000X", "is not an organisation key (check"},
		{KEY_FROM, "org:3", "org:2 was merged already, at seq"},
		{"org:3", KEY_FROM, "org:2, merged at seq"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct sim s;
		struct outcome o;
		merge_log(&s, true);
		sim_org_merged(&s, bad[i].from, bad[i].into, false);
		replay_log(&s.log, &o, NULL);
		assert_caught(&s.log, &o, s.log.n - 1, bad[i].why);
		merge_free(&s);
	}
	/* Keys no entry named before merge too; then they stay merged. */
	struct sim s;
	struct outcome o;
	mini_log(&s);
	sim_org_merged(&s, "org:7", ORGS[0], false);
	sim_conflict(&s, 1, "org:7", 0, ident_days_from_civil(2024, 1, 1), 0);
	replay_log(&s.log, &o, NULL);
	assert_caught(&s.log, &o, 4, "org_code org:7 names an organisation merged");
	mini_free(&s);
}

/* A revealed export (DRAW.md 4.3) replays as a record: it changes
 * nothing; a body without its reason or with a negative count is refused. */
static void test_revealed_is_a_record_checked_for_layout(void **state)
{
	(void)state;
	struct sim s;
	struct outcome o;
	mini_log(&s);
	audit_pack_revealed(sim_begin(&s), "center-ops", "年度归档", "pool.export", 3);
	sim_end(&s, AUDIT_REVEALED);
	replay_log(&s.log, &o, NULL);
	assert_int_equal(o.bad, s.log.n);
	audit_pack_revealed(sim_begin(&s), "center-ops", "", "pool.export", 3);
	sim_end(&s, AUDIT_REVEALED);
	replay_log(&s.log, &o, NULL);
	assert_caught(&s.log, &o, s.log.n - 1, "pool.revealed");
	mini_free(&s);

	mini_log(&s);
	audit_pack_revealed(sim_begin(&s), "center-ops", "why", "pool.export", -1);
	sim_end(&s, AUDIT_REVEALED);
	replay_log(&s.log, &o, NULL);
	assert_caught(&s.log, &o, s.log.n - 1, "pool.revealed");
	mini_free(&s);
}

/* A period's change is replayed only when it shrinks a live period of
 * the expert it names (DRAW.md 5 step 5). */
static void test_unavailable_changes_are_checked(void **state)
{
	(void)state;
	int32_t first = ident_days_from_civil(2025, 3, 1), last = first + 30;
	const struct {
		int64_t id, expert;
		int32_t from, to;
		const char *why;
	} bad[] = {
		{2, 1, 0, 0, "no such period"},                 /* never recorded */
		{1, 2, 0, 0, "no such period"},                 /* another's */
		{1, 1, first - 1, last, "does not shrink"},     /* earlier */
		{1, 1, first, last + 1, "does not shrink"},     /* later */
		{1, 1, first, last, "does not shrink"},         /* the same */
		{1, 1, first, 0, "pool.unavailable.changed"},    /* half nil */
		{1, 1, first + 5, first + 4, "pool.unavailable.changed"}, /* reversed */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct sim s;
		struct outcome o;
		mini_log(&s);
		sim_unavailable(&s, 1, first, last);
		audit_pack_unavailable_changed(sim_begin(&s), bad[i].id, bad[i].expert,
		                               bad[i].from, bad[i].to, "center-ops");
		sim_end(&s, AUDIT_UNAVAILABLE_CHANGED);
		replay_log(&s.log, &o, NULL);
		assert_caught(&s.log, &o, s.log.n - 1, bad[i].why);
		mini_free(&s);
	}
	/* Shortened, then withdrawn; a withdrawn period cannot change again. */
	struct sim s;
	struct outcome o;
	mini_log(&s);
	sim_unavailable(&s, 1, first, last);
	sim_unavailable_changed(&s, 1, 1, first + 3, first + 9);
	sim_unavailable_changed(&s, 1, 1, 0, 0);
	replay_log(&s.log, &o, NULL);
	assert_int_equal(o.bad, s.log.n);
	audit_pack_unavailable_changed(sim_begin(&s), 1, 1, first + 3, first + 4, "x");
	sim_end(&s, AUDIT_UNAVAILABLE_CHANGED);
	replay_log(&s.log, &o, NULL);
	assert_caught(&s.log, &o, s.log.n - 1, "no such period");
	mini_free(&s);
	/* A period under way keeps the days passed: it ends yesterday at the
	 * earliest, keeps its first day, is never withdrawn (PROTOCOL.md
	 * 7.6.6); one that has ended never changes. */
	const struct { int32_t from, to, change_from, change_to; const char *why; } past[] = {
		{-5, 5, 0, 0, "days already passed"},
		{-5, 5, -4, 5, "days already passed"},
		{-5, 5, -5, -2, "days already passed"},
		{-5, -1, -5, -2, "days already passed"},
		{-5, 5, -5, -1, NULL},
		{0, 5, 0, 0, NULL},
	};
	for (size_t i = 0; i < sizeof past / sizeof past[0]; i++) {
		mini_log(&s);
		int32_t day = ident_day_cst(s.now);
		sim_unavailable(&s, 1, day + past[i].from, day + past[i].to);
		bool withdraw = past[i].change_from == 0 && past[i].change_to == 0;
		audit_pack_unavailable_changed(sim_begin(&s), 1, 1,
		                               withdraw ? 0 : day + past[i].change_from,
		                               withdraw ? 0 : day + past[i].change_to, "x");
		sim_end(&s, AUDIT_UNAVAILABLE_CHANGED);
		replay_log(&s.log, &o, NULL);
		if (past[i].why)
			assert_caught(&s.log, &o, s.log.n - 1, past[i].why);
		else
			assert_int_equal(o.bad, s.log.n);
		mini_free(&s);
	}
}

/* After a mismatch every later entry is refused, naming the first. */
static void test_replay_is_spent_after_mismatch(void **state)
{
	(void)state;
	struct sim s;
	char why[256];
	mini_log(&s);
	struct replay *r = replay_new();
	const struct entry *e = s.log.e;
	assert_int_equal(replay_entry(r, e[0].seq, e[0].at, e[0].type, e[0].body,
	                              e[0].len, e[0].prev, e[0].hash, why, sizeof why),
	                 REPLAY_OK);
	assert_int_equal(replay_entry(r, e[2].seq, e[2].at, e[2].type, e[2].body,
	                              e[2].len, e[2].prev, e[2].hash, why, sizeof why),
	                 REPLAY_MISMATCH);
	assert_string_equal(why, "seq 3: expected seq 2 after seq 1: an entry is "
	                    "missing or out of order");
	assert_int_equal(replay_entry(r, e[1].seq, e[1].at, e[1].type, e[1].body,
	                              e[1].len, e[1].prev, e[1].hash, why, sizeof why),
	                 REPLAY_MISMATCH);
	assert_string_equal(why, "seq 2: not replayed: seq 3 did not match");
	/* A short buffer is cut, never overrun; none at all is allowed. */
	char tiny[8];
	assert_int_equal(replay_entry(r, e[1].seq, e[1].at, e[1].type, e[1].body,
	                              e[1].len, e[1].prev, e[1].hash, tiny, sizeof tiny),
	                 REPLAY_MISMATCH);
	assert_string_equal(tiny, "seq 2: ");
	assert_int_equal(replay_entry(r, e[1].seq, e[1].at, e[1].type, e[1].body,
	                              e[1].len, e[1].prev, e[1].hash, NULL, 0),
	                 REPLAY_MISMATCH);
	struct replay_stats st;
	replay_stats(r, &st);
	assert_int_equal(st.entries, 1);
	assert_int_equal(replay_head(r, NULL), 1);
	replay_destroy(&r);

	/* The first entry must be seq 1 with a zero prev_hash. */
	r = replay_new();
	uint8_t prev[REPLAY_HASH_LEN], hash[REPLAY_HASH_LEN];
	memset(prev, 1, sizeof prev);
	audit_hash(hash, prev, 1, e[0].at, e[0].type, e[0].body, e[0].len);
	assert_int_equal(replay_entry(r, 1, e[0].at, e[0].type, e[0].body, e[0].len,
	                              prev, hash, why, sizeof why), REPLAY_MISMATCH);
	assert_string_equal(why, "seq 1: prev_hash of the first entry is not zero");
	replay_destroy(&r);
	r = replay_new();
	assert_int_equal(replay_entry(r, 2, e[1].at, e[1].type, e[1].body, e[1].len,
	                              e[1].prev, e[1].hash, why, sizeof why),
	                 REPLAY_MISMATCH);
	assert_string_equal(why, "seq 2: the log must start at seq 1");
	replay_destroy(&r);
	mini_free(&s);
}


/* ---- mixed panels (DRAW.md 3.7) ---- */

/* The outcome of an attempt, as sim_draw_also() records it: the task,
 * the entry, the seats. */
static void sim_record(struct sim *s, struct task *t, struct audit_transcript *tr,
                       bool redraw)
{
	bool new_task = t->id == 0;
	if (tr->ok && new_task)
		t->id = (int64_t)s->n_tasks + 1;
	tr->task = tr->ok || !new_task ? t->id : 0;
	tr->req = *t;
	if (tr->ok && new_task)
		sim_task_create(s, t);
	audit_pack_transcript(sim_begin(s), tr);
	sim_end(s, tr->ok ? AUDIT_DRAW : AUDIT_DRAW_FAILED);
	if (tr->ok) {
		struct sim_task *st = &s->tasks[t->id - 1];
		if (redraw)
			sim_cancel_open(s, st);
		sim_seat_panel(s, st, tr);
	}
	s->want.draws++;
	s->want.failed_draws += !tr->ok;
	s->want.redraws += redraw;
}

/* attempt_quota.c: a list per quota, the quotas hash, one selection. */
static bool sim_mixed(struct sim *s, struct task *t, const char *kind)
{
	struct audit_transcript *tr = calloc(1, sizeof *tr);
	struct quota_panel *p = malloc(sizeof *p);
	struct candidates c[TASK_MAX_QUOTAS];
	struct quota_list lists[TASK_MAX_QUOTAS];
	uint8_t hash[TASK_MAX_QUOTAS][DRAW_HASH_LEN], h[DRAW_HASH_LEN];
	struct recusal_terms terms;
	struct recusal_task rt;
	assert_non_null(tr);
	assert_non_null(p);
	sim_view(s, t, &rt, &terms);
	for (int q = 0; q < t->n_quotas; q++) {
		candidates_init(&c[q]);
		uint32_t sid = pool_specialty_find(s->pool, t->quotas[q].specialty);
		assert_true(candidates_collect(&c[q], s->pool, s->eng, &terms, sid,
		                               t->quotas[q].group, &rt, &s->rules, NULL, 0));
		struct audit_quota_result *x = &tr->quotas[q];
		x->n_candidates = c[q].n;
		memcpy(x->excluded, c[q].excluded, sizeof x->excluded);
		x->outside_group = c[q].outside_group;
		sim_list_hash(s, tr, hash[q], &c[q]);
		memcpy(x->candidates_hash, hash[q], DRAW_HASH_LEN);
		lists[q] = (struct quota_list){c[q].list, c[q].n,
		                               (size_t)t->quotas[q].members,
		                               (size_t)t->quotas[q].backups};
	}
	tr->n_quotas = (size_t)t->n_quotas;
	sim_begin_transcript(s, t, kind, tr);
	quota_hash(h, (const uint8_t (*)[DRAW_HASH_LEN])hash, tr->n_quotas);
	draw_seed(tr->seed, tr->secret, t->nonce, t->nonce_len, h);
	enum draw_result res = quota_select(lists, tr->n_quotas, t->leader,
	                                    s->rules.diversity, tr->seed, p);
	assert_true(res != DRAW_NO_MEMORY);
	tr->ok = res == DRAW_OK;
	tr->n_panel = p->n;
	memcpy(tr->panel, p->ids, p->n * sizeof *p->ids);
	memcpy(tr->seat_quota, p->quota, p->n * sizeof *p->quota);
	for (int q = 0; q < t->n_quotas; q++) {
		tr->quotas[q].diversity_dropped = p->diversity[q];
		tr->quotas[q].dropped_seated = p->seated[q];
		s->dropped += p->seated[q];
		candidates_free(&c[q]);
	}
	sim_record(s, t, tr, strcmp(kind, "redraw") == 0);
	bool ok = tr->ok;
	free(p);
	free(tr);
	return ok;
}

/* seat_settle(): seat `slot` of task `task`, offered, is declined by
 * phone; the entry, then the seat's state. */
static void sim_decline(struct sim *s, int64_t task, size_t slot)
{
	struct sim_task *st = &s->tasks[task - 1];
	struct sim_seat *a = &st->seats[slot];
	assert_int_equal(a->s.state, ASSIGN_OFFERED);
	struct audit_seat as = {.assignment = a->assignment, .task = task,
	                        .expert = a->s.expert, .event = ASSIGN_EV_DECLINE,
	                        .from = ASSIGN_OFFERED, .to = ASSIGN_DECLINED,
	                        .role = a->s.role, .channel = 1, .ledger = POLICY_DECLINE};
	snprintf(as.actor, sizeof as.actor, "operator");
	snprintf(as.reason, sizeof as.reason, "schedule");
	audit_pack_seat(sim_begin(s), &as);
	sim_end(s, AUDIT_SEAT_PREFIX "declined");
	a->s.state = ASSIGN_DECLINED;
	struct engage_assignment ea = {.id = a->assignment, .task = task,
	                               .state = ASSIGN_DECLINED};
	assert_true(engage_put_assignment(s->eng, a->s.expert, &ea));
}

/* seat_drawn(): every expert seated on the task, in order of first
 * seating, and the employers of its open seats. */
static void sim_drawn(const struct sim *s, const struct sim_task *st,
                      struct audit_transcript *tr, uint32_t *taken, size_t *n_taken)
{
	*n_taken = 0;
	for (size_t i = 0; i < st->n; i++) {
		const struct replay_seat *x = &st->seats[i].s;
		bool seen = false;
		for (size_t j = 0; j < tr->n_already_drawn; j++)
			seen = seen || tr->already_drawn[j] == x->expert;
		if (!seen)
			tr->already_drawn[tr->n_already_drawn++] = x->expert;
		const struct pool_entry *pe = pool_get(s->pool, x->expert);
		if ((x->state == ASSIGN_OFFERED || x->state == ASSIGN_STANDBY ||
		     x->state == ASSIGN_ACCEPTED) && pe && pe->employer_org)
			taken[(*n_taken)++] = pe->employer_org;
	}
}

/* seat.c's seat_redraw() (DRAW.md 3.5; on a mixed panel attempt_quota.c,
 * 3.7 step 5): one seat of the freed seat's role, from its quota's list
 * alone on a mixed panel (seeded over that list's hash), seated offered
 * with the freed seat's quota. out (may be NULL) gets the transcript.
 * Returns whether it seated one. */
static bool sim_replace(struct sim *s, int64_t task, size_t slot,
                        struct audit_transcript *out)
{
	struct sim_task *st = &s->tasks[task - 1];
	const struct sim_seat *freed = &st->seats[slot];
	int q = freed->s.quota;
	bool mixed = st->t.n_quotas > 0;
	struct audit_transcript *tr = calloc(1, sizeof *tr);
	assert_non_null(tr);
	uint32_t taken[TASK_MAX_SEATS];
	size_t n_taken, more = 0;
	sim_drawn(s, st, tr, taken, &n_taken);
	struct recusal_terms terms;
	struct recusal_task rt;
	struct candidates c;
	uint8_t hash[1][DRAW_HASH_LEN], h[DRAW_HASH_LEN];
	candidates_init(&c);
	sim_view(s, &st->t, &rt, &terms);
	const char *specialty = mixed ? st->t.quotas[q].specialty : st->t.specialty;
	assert_true(candidates_collect(&c, s->pool, s->eng, &terms,
	                               pool_specialty_find(s->pool, specialty),
	                               mixed ? st->t.quotas[q].group : st->t.group, &rt,
	                               &s->rules, tr->already_drawn, tr->n_already_drawn));
	sim_list_hash(s, tr, hash[0], &c);
	if (mixed) {
		tr->n_quotas = 1;
		tr->quotas[0].n_candidates = c.n;
		memcpy(tr->quotas[0].excluded, c.excluded, sizeof c.excluded);
		tr->quotas[0].outside_group = c.outside_group;
		memcpy(tr->quotas[0].candidates_hash, hash[0], DRAW_HASH_LEN);
		quota_hash(h, (const uint8_t (*)[DRAW_HASH_LEN])hash, 1);
	} else {
		tr->n_candidates = c.n;
		memcpy(tr->excluded, c.excluded, sizeof c.excluded);
		tr->outside_group = c.outside_group;
		tr->outside_split = true;
		memcpy(tr->candidates_hash, hash[0], DRAW_HASH_LEN);
		memcpy(h, hash[0], DRAW_HASH_LEN);
	}
	sim_begin_transcript(s, &st->t, "replacement", tr);
	snprintf(tr->actor, sizeof tr->actor, "expertd");
	tr->replaces = freed->assignment;
	tr->role = freed->s.role;
	tr->quota = q;
	draw_seed(tr->seed, tr->secret, st->t.nonce, st->t.nonce_len, h);
	struct draw_spec spec = replace_spec((enum seat_role)tr->role, s->rules.diversity);
	size_t dropped = spec.diversity ? replace_drop_employers(&c, taken, n_taken) : 0;
	enum draw_result res = draw_select_counted(c.list, c.n, &spec, tr->seed, tr->panel,
	                                           &tr->n_panel, &more);
	candidates_free(&c);
	tr->ok = res == DRAW_OK;
	if (mixed)
		tr->quotas[0].diversity_dropped = dropped + more;
	else
		tr->diversity_dropped = dropped + more;
	tr->seat_quota[0] = q;
	tr->task = task;
	tr->req = st->t;
	audit_pack_transcript(sim_begin(s), tr);
	sim_end(s, tr->ok ? AUDIT_DRAW : AUDIT_DRAW_FAILED);
	s->want.draws++;
	s->want.failed_draws += !tr->ok;
	if (tr->ok) {
		struct sim_seat *a = &st->seats[st->n++];
		a->assignment = ++s->last_assignment;
		a->s = (struct replay_seat){.draw = tr->draw, .expert = tr->panel[0],
		                            .role = tr->role, .state = ASSIGN_OFFERED,
		                            .quota = q};
		struct engage_assignment ea = {.id = a->assignment, .task = task,
		                               .state = ASSIGN_OFFERED};
		assert_true(engage_put_assignment(s->eng, a->s.expert, &ea));
	}
	bool ok = tr->ok;
	if (out)
		*out = *tr;
	free(tr);
	return ok;
}

/* 120 experts of make_expert() (some hold two specialties); mixed draws
 * of two and three quotas, with and without a leader, redraws, one that
 * fails, and one-specialty draws between them. s->dropped counts the
 * seated drops. */
static void mixed_log_gaps(struct sim *s, int gaps_from)
{
	memset(s, 0, sizeof *s);
	s->pool = pool_new();
	s->eng = engage_new();
	s->experts = calloc(121, sizeof *s->experts);
	s->tasks = calloc(SIM_MAX_TASKS, sizeof *s->tasks);
	assert_true(s->pool && s->eng && s->experts && s->tasks);
	msgpack_sbuffer_init(&s->sb);
	msgpack_packer_init(&s->pk, &s->sb, msgpack_sbuffer_write);
	s->rules = SIM.rules;
	s->now = unix_cst(2025, 1, 6, 9);
	sim_genesis(s);
	sim_term(s, 2024, 1, 1);
	uint64_t x = 23;
	for (int64_t id = 1; id <= 120; id++) {
		make_expert(&s->experts[id], id, &x);
		sim_expert(s, &s->experts[id], "imported", NULL);
	}
	struct task *t = malloc(sizeof *t);
	assert_non_null(t);
	for (int k = 0; k < 24; k++) {
		make_request(t, k, SPECS[k % 3], 2);
		if (k % 4 != 3) {
			t->n_quotas = 2 + k % 2;
			for (int q = 0; q < t->n_quotas; q++) {
				snprintf(t->quotas[q].specialty, sizeof t->quotas[q].specialty,
				         "%s", SPECS[(k + q) % 3]);
				t->quotas[q].group = q == 0 ? t->group : (t->group + q) % 3 == 2
				                     ? 1 : (t->group + q) % 3;
				t->quotas[q].members = 1 + (k + q) % 3;
				t->quotas[q].backups = (k + q) % 2;
			}
			quota_task_totals(t);
		}
		s->now += HOUR;
		s->gaps = gaps_from >= 0 && k >= gaps_from;
		sim_draw(s, t, "draw");
		if (k % 5 == 4)
			sim_redraw(s, (int64_t)s->n_tasks, (uint8_t)k);
	}
	make_request(t, 30, SPECS[0], 2);      /* a quota too big: fails */
	t->n_quotas = 2;
	t->quotas[0] = (struct task_quota){.group = t->group, .members = 1};
	strcpy(t->quotas[0].specialty, SPECS[0]);
	t->quotas[1] = (struct task_quota){.group = 1, .members = 30};
	strcpy(t->quotas[1].specialty, SPECS[1]);
	quota_task_totals(t);
	assert_false(sim_draw(s, t, "draw"));
	free(t);
}

/* mixed_log() with every list hashed as 8-byte ids, as before draft 16. */
static void mixed_log(struct sim *s)
{
	mixed_log_gaps(s, -1);
}

/* Index of the last ok mixed draw entry of l with a panel of min seats. */
static size_t last_mixed(const struct log *l, size_t min)
{
	for (size_t i = l->n; i-- > 0;) {
		struct audit_transcript tr;
		if (strcmp(l->e[i].type, AUDIT_DRAW) != 0)
			continue;
		entry_transcript(&l->e[i], &tr);
		if (tr.req.n_quotas && tr.n_panel >= min)
			return i;
	}
	fail_msg("no mixed draw");
	return 0;
}

static void test_mixed_panels_replay(void **state)
{
	(void)state;
	struct sim s;
	struct outcome o;
	struct replay *r = NULL;
	mixed_log(&s);
	assert_true(s.want.redraws >= 4);
	assert_true(s.want.failed_draws >= 1);
	assert_true(s.dropped > 0);            /* some expert was in two lists */
	replay_log(&s.log, &o, &r);
	if (o.bad != s.log.n)
		fail_msg("refused: %s", o.why);
	struct replay_stats st;
	replay_stats(r, &st);
	assert_int_equal(st.draws, s.want.draws);
	assert_int_equal(st.redraws, s.want.redraws);
	/* Seats with their quotas, as the daemon's store holds them. */
	struct replay_seat seats[160];
	size_t mixed = 0;
	for (size_t t = 0; t < s.n_tasks; t++) {
		const struct sim_task *want = &s.tasks[t];
		size_t n = replay_task_seats(r, (int64_t)t + 1, seats, 160);
		assert_int_equal(n, want->n);
		for (size_t i = 0; i < n; i++) {
			assert_int_equal(seats[i].expert, want->seats[i].s.expert);
			assert_int_equal(seats[i].role, want->seats[i].s.role);
			assert_int_equal(seats[i].state, want->seats[i].s.state);
			assert_int_equal(seats[i].quota, want->seats[i].s.quota);
			mixed += seats[i].quota > 0;
		}
		assert_int_equal(replay_task_request(r, (int64_t)t + 1)->n_quotas,
		                 want->t.n_quotas);
	}
	assert_true(mixed > 10);
	replay_destroy(&r);
	mini_free(&s);
	free(s.tasks);
}

/* Entry k of s's log changed, the log rehashed: refused there, with
 * why. Frees s. */
static void tamper_at(struct sim *s, size_t k,
                      void (*change)(struct audit_transcript *tr), const char *why)
{
	struct outcome o;
	struct audit_transcript tr;
	entry_transcript(&s->log.e[k], &tr);
	change(&tr);
	entry_set_transcript(&s->log.e[k], &tr);
	log_rehash(&s->log, k);
	replay_log(&s->log, &o, NULL);
	assert_caught(&s->log, &o, k, why);
	mini_free(s);
	free(s->tasks);
}

/* One field of the last mixed draw changed, the log rehashed: refused
 * there, with what differs. */
static void mixed_tamper(void (*change)(struct audit_transcript *tr), const char *why)
{
	struct sim s;
	mixed_log(&s);
	tamper_at(&s, last_mixed(&s.log, 3), change, why);
}

static void swap_seat_quota(struct audit_transcript *tr)
{
	size_t last = tr->n_panel - 1;
	tr->seat_quota[last] = tr->seat_quota[last] ? 0 : 1;
}

static void more_seated(struct audit_transcript *tr)
{
	tr->quotas[tr->n_quotas - 1].dropped_seated++;
}

static void other_list(struct audit_transcript *tr)
{
	tr->quotas[1].candidates_hash[0] ^= 1;
}

static void one_list_for_all(struct audit_transcript *tr)
{
	tr->quotas[1] = tr->quotas[0];
	tr->req.quotas[1] = tr->req.quotas[0];
}

static void swap_quota_members(struct audit_transcript *tr)
{
	struct task_quota q = tr->req.quotas[0];
	tr->req.quotas[0].members = tr->req.quotas[1].members;
	tr->req.quotas[1].members = q.members;
	quota_task_totals(&tr->req);
}

static void test_mixed_panels_tampering_is_caught(void **state)
{
	(void)state;
	mixed_tamper(swap_seat_quota, "is of quota");
	mixed_tamper(more_seated, "drops: transcript");
	mixed_tamper(other_list, "quota 1 candidate list differs");
	mixed_tamper(one_list_for_all, "same specialty and group type");
}

/* How many of l's transcripts record each encoding: [0] 8-byte ids,
 * [1] gaps; *first_gaps is the index of the first with gaps. */
static void count_encodings(const struct log *l, size_t n[2], size_t *first_gaps)
{
	n[0] = n[1] = 0;
	*first_gaps = l->n;
	for (size_t i = 0; i < l->n; i++) {
		struct audit_transcript tr;
		if (strcmp(l->e[i].type, AUDIT_DRAW) != 0 &&
		    strcmp(l->e[i].type, AUDIT_DRAW_FAILED) != 0)
			continue;
		entry_transcript(&l->e[i], &tr);
		bool gaps = audit_list_encoding(&tr) == DRAW_LIST_GAPS;
		if (gaps && *first_gaps == l->n)
			*first_gaps = i;
		n[gaps]++;
	}
}

/* DRAW.md 3.3: a log written before draft 16 (lists hashed as 8-byte
 * ids) that a daemon since then carries on (gaps, from one draw on)
 * replays whole, and so does one in gaps from its first draw; mixed
 * panels, redraws and a failed draw on both sides of the change. */
static void test_list_encodings_replay(void **state)
{
	(void)state;
	static const int from[] = {-1, 9, 0};
	for (size_t f = 0; f < sizeof from / sizeof *from; f++) {
		struct sim s;
		struct outcome o;
		size_t n[2], first;
		mixed_log_gaps(&s, from[f]);
		count_encodings(&s.log, n, &first);
		assert_true(from[f] == 0 ? n[0] == 0 : n[0] > 5);
		assert_true(from[f] < 0 ? n[1] == 0 : n[1] > 5);
		replay_log(&s.log, &o, NULL);
		if (o.bad != s.log.n)
			fail_msg("from %d: refused: %s", from[f], o.why);
		mini_free(&s);
		free(s.tasks);
	}
}

/* mixed_log_gaps(9) with one transcript's candidates_encoding taken
 * away (the first in gaps, or the last mixed draw), the log rehashed:
 * refused there, with why. */
static void no_encoding(struct audit_transcript *tr)
{
	tr->candidates_encoding = 0;
}

static void drop_encoding(bool first_gaps, const char *why)
{
	struct sim s;
	size_t n[2], first;
	mixed_log_gaps(&s, 9);
	count_encodings(&s.log, n, &first);
	size_t k = first_gaps ? first : last_mixed(&s.log, 3);
	assert_true(k > first || (first_gaps && k == first));
	tamper_at(&s, k, no_encoding, why);
}

/* Once a draw hashed its lists as gaps, a later one in 8-byte ids is
 * refused before its lists are looked at: the log changes encoding once
 * (DRAW.md 5 step 6.1). And the key names the encoding a hash is checked
 * in: the first draw in gaps, claimed as ids, has a list that differs. */
static void test_list_encoding_changes_once(void **state)
{
	(void)state;
	drop_encoding(false, "hashed its lists as gaps, and so must every draw");
	drop_encoding(true, "candidate list differs");
}

/* A redraw must repeat the task's quotas. */
static void test_mixed_redraw_repeats_the_quotas(void **state)
{
	(void)state;
	struct sim s;
	struct outcome o;
	struct audit_transcript tr;
	mixed_log(&s);
	size_t k = s.log.n;
	for (size_t i = 0; i < s.log.n && k == s.log.n; i++) {
		if (!is_draw(&s.log.e[i]))
			continue;
		entry_transcript(&s.log.e[i], &tr);
		if (strcmp(tr.kind, "redraw") == 0 && tr.req.n_quotas &&
		    tr.req.quotas[0].members != tr.req.quotas[1].members)
			k = i;
	}
	assert_true(k < s.log.n);
	swap_quota_members(&tr);
	entry_set_transcript(&s.log.e[k], &tr);
	log_rehash(&s.log, k);
	replay_log(&s.log, &o, NULL);
	assert_caught(&s.log, &o, k, "request field quotas differs");
	mini_free(&s);
	free(s.tasks);
}

/* The slot of task st's first offered seat of role `role` and quota q,
 * or st->n. */
static size_t offered_slot(const struct sim_task *st, int role, int q)
{
	for (size_t i = 0; i < st->n; i++)
		if (st->seats[i].s.state == ASSIGN_OFFERED && st->seats[i].s.role == role &&
		    st->seats[i].s.quota == q)
			return i;
	return st->n;
}

/* mixed_log(), then on its last mixed task with a leader, a quota 1
 * member and the leader decline and are replaced: at[0] and at[1] are
 * the index of each replacement's entry, *task the task. */
static void mixed_replace_log(struct sim *s, size_t at[2], int64_t *task)
{
	mixed_log(s);
	const struct sim_task *st = NULL;
	for (size_t t = s->n_tasks; t-- > 0 && !st;)
		if (s->tasks[t].t.n_quotas && s->tasks[t].t.leader &&
		    offered_slot(&s->tasks[t], 1, 1) < s->tasks[t].n &&
		    offered_slot(&s->tasks[t], 0, 0) < s->tasks[t].n)
			st = &s->tasks[t];
	assert_non_null(st);
	*task = st->t.id;
	size_t member = offered_slot(st, 1, 1), leader = offered_slot(st, 0, 0);
	s->now += HOUR;
	sim_decline(s, *task, member);
	assert_true(sim_replace(s, *task, member, NULL));
	at[0] = s->log.n - 1;
	sim_decline(s, *task, leader);
	assert_true(sim_replace(s, *task, leader, NULL));
	at[1] = s->log.n - 1;
}

/* A freed seat of a mixed panel is refilled from its own quota (DRAW.md
 * 3.7 step 5): the replay agrees, and seats each replacement with it. */
static void test_mixed_replacement_replays(void **state)
{
	(void)state;
	struct sim s;
	struct outcome o;
	struct replay *r = NULL;
	struct audit_transcript tr;
	size_t at[2];
	int64_t task;
	mixed_replace_log(&s, at, &task);
	entry_transcript(&s.log.e[at[0]], &tr);
	assert_int_equal(tr.quota, 1);
	assert_int_equal(tr.n_quotas, 1);
	assert_int_equal(tr.seat_quota[0], 1);
	assert_int_equal(tr.role, 1);
	entry_transcript(&s.log.e[at[1]], &tr);
	assert_int_equal(tr.quota, 0);
	assert_int_equal(tr.role, 0);
	replay_log(&s.log, &o, &r);
	if (o.bad != s.log.n)
		fail_msg("refused: %s", o.why);
	const struct sim_task *want = &s.tasks[task - 1];
	struct replay_seat seats[160];
	size_t n = replay_task_seats(r, task, seats, 160);
	assert_int_equal(n, want->n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(seats[i].expert, want->seats[i].s.expert);
		assert_int_equal(seats[i].role, want->seats[i].s.role);
		assert_int_equal(seats[i].state, want->seats[i].s.state);
		assert_int_equal(seats[i].quota, want->seats[i].s.quota);
	}
	assert_int_equal(seats[n - 2].quota, 1);   /* the member's replacement */
	assert_int_equal(seats[n - 1].quota, 0);   /* the leader's */
	replay_destroy(&r);
	mini_free(&s);
	free(s.tasks);
}

static void replace_from_quota_0(struct audit_transcript *tr)
{
	tr->quota = 0;
}

static void replace_seat_quota_0(struct audit_transcript *tr)
{
	tr->seat_quota[0] = 0;
}

static void replace_other_list(struct audit_transcript *tr)
{
	tr->quotas[0].candidates_hash[5] ^= 0x10;
}

static void replace_more_dropped(struct audit_transcript *tr)
{
	tr->quotas[0].diversity_dropped++;
}

/* The member's replacement changed, the log rehashed: refused there. */
static void replace_tamper(void (*change)(struct audit_transcript *tr), const char *why)
{
	struct sim s;
	struct outcome o;
	struct audit_transcript tr;
	size_t at[2];
	int64_t task;
	mixed_replace_log(&s, at, &task);
	entry_transcript(&s.log.e[at[0]], &tr);
	change(&tr);
	entry_set_transcript(&s.log.e[at[0]], &tr);
	log_rehash(&s.log, at[0]);
	replay_log(&s.log, &o, NULL);
	assert_caught(&s.log, &o, at[0], why);
	mini_free(&s);
	free(s.tasks);
}

static void test_mixed_replacement_tampering_is_caught(void **state)
{
	(void)state;
	replace_tamper(replace_from_quota_0, "of quota 1, draws from quota 0");
	replace_tamper(replace_seat_quota_0, "seat 0 is of quota 0 in the transcript, 1 in the replay");
	replace_tamper(replace_other_list, "quota 1 candidate list differs");
	replace_tamper(replace_more_dropped, "drops: transcript");
}

/* ---------------------------------------------- a designated leader */

#define LEAD_ORG "org:1"        /* the task's organisation */
#define LEAD_SHARED "org:5"     /* the designee's employer, and 6's */
#define LEAD_REASON "中心指定"
enum { LEAD_POOL = 12, LEAD_DESIGNEE = 5, LEAD_COLLEAGUE = 6, LEAD_EMPLOYEE = 2,
       LEAD_NOT_LEADER = 3 };

/* Twelve welders, all leader-eligible but 3; 2 works for the task's
 * organisation; 5 and 6 share an employer. Entries: task 1 drawn with 5
 * named as its leader (4 members, 2 backups), then redrawn; a plain draw
 * with a drawn leader on another day; a designated draw that fails (too
 * many members). idx[] gets the draws' entries in that order. */
static void leader_log(struct sim *s, size_t idx[4])
{
	memset(s, 0, sizeof *s);
	s->pool = pool_new();
	s->eng = engage_new();
	s->experts = calloc(LEAD_POOL + 1, sizeof *s->experts);
	s->tasks = calloc(SIM_MAX_TASKS, sizeof *s->tasks);
	assert_true(s->pool && s->eng && s->experts && s->tasks);
	msgpack_sbuffer_init(&s->sb);
	msgpack_packer_init(&s->pk, &s->sb, msgpack_sbuffer_write);
	s->rules = (struct recusal_config){.rotation_days = 0, .exposure_days = 365,
	                                   .diversity = true};
	s->now = unix_cst(2025, 1, 6, 9);
	sim_genesis(s);
	sim_term(s, 2024, 1, 1);
	for (int64_t id = 1; id <= LEAD_POOL; id++) {
		struct expert *e = &s->experts[id];
		*e = fx_expert(id, SPECS[0]);
		e->leader_eligible = id != LEAD_NOT_LEADER;
		strcpy(e->employer_code, id == LEAD_EMPLOYEE ? LEAD_ORG
		       : id == LEAD_DESIGNEE || id == LEAD_COLLEAGUE ? LEAD_SHARED : "");
		sim_expert(s, e, "imported", NULL);
	}
	struct task *t = malloc(sizeof *t);
	assert_non_null(t);
	static const struct { int days, members, backups; bool named; } d[] = {
		{0, 4, 2, true}, {10, 3, 0, false}, {20, 10, 0, true}};
	for (size_t k = 0; k < 3; k++) {
		make_request(t, 2, SPECS[0], d[k].members);
		t->backups = d[k].backups;
		t->leader = true;
		t->n_orgs = 1;
		strcpy(t->orgs[0], LEAD_ORG);
		t->start_at += d[k].days * DAY;
		t->end_at += d[k].days * DAY;
		t->nonce[0] ^= (uint8_t)k;
		t->leader_expert = d[k].named ? LEAD_DESIGNEE : 0;
		strcpy(t->leader_reason, d[k].named ? LEAD_REASON : "");
		assert_int_equal(sim_draw(s, t, "draw"), k < 2);
		idx[k == 0 ? 0 : k + 1] = s->log.n - 1;
		if (k == 0) {
			assert_true(sim_redraw(s, 1, 3));
			idx[1] = s->log.n - 1;
		}
	}
	free(t);
}

/* The log replays; seat 0 is the designee, its colleague sits nowhere,
 * and the redraw and the failed draw record the designation too. */
static void test_designated_draws_replay(void **state)
{
	(void)state;
	struct sim s;
	struct outcome o;
	struct replay *r = NULL;
	struct audit_transcript tr;
	size_t idx[4];
	leader_log(&s, idx);
	replay_log(&s.log, &o, &r);
	if (o.bad != s.log.n)
		fail_msg("refused: %s", o.why);
	for (size_t k = 0; k < 4; k++) {
		entry_transcript(&s.log.e[idx[k]], &tr);
		assert_int_equal(tr.req.leader_expert, k == 2 ? 0 : LEAD_DESIGNEE);
		if (k != 2)
			assert_int_equal(tr.panel[0], LEAD_DESIGNEE);
		for (size_t i = 0; i < tr.n_panel; i++)
			assert_int_not_equal(tr.panel[i], LEAD_COLLEAGUE);
	}
	assert_false(tr.ok);
	assert_int_equal(replay_task_request(r, 1)->leader_expert, LEAD_DESIGNEE);
	assert_string_equal(replay_task_request(r, 1)->leader_reason, LEAD_REASON);
	assert_int_equal(replay_task_request(r, 2)->leader_expert, 0);
	replay_destroy(&r);
	merge_free(&s);
}

/* Each forgery of a designation is caught at its entry, saying why. */
static void test_designation_forgeries_are_caught(void **state)
{
	(void)state;
	static const struct {
		int entry;              /* index into idx[] */
		int64_t expert;         /* the designee written; -1: unchanged */
		const char *reason;     /* NULL: unchanged */
		bool no_leader, swap;
		const char *why;
	} v[] = {
		{0, LEAD_EMPLOYEE, NULL, false, false,
		 "may not lead: expert 2 is excluded by rule employer"},
		{0, LEAD_NOT_LEADER, NULL, false, false, "expert 3 is not leader-eligible"},
		{0, 99, NULL, false, false, "may not lead: no expert 99"},
		{0, -1, NULL, false, true, "seat 0 is not the designated leader 5"},
		{0, -1, NULL, true, false, "but the request has no leader seat"},
		{0, 0, NULL, false, false, "panel differs"},
		{1, 7, NULL, false, false, "designated leader 7, the task's is 5"},
		{1, 0, NULL, false, false, "designated leader 0, the task's is 5"},
		{1, -1, "另有安排", false, false, "the designation's reason differs"},
		{2, LEAD_DESIGNEE, LEAD_REASON, false, false, "panel differs"},
		{3, LEAD_NOT_LEADER, NULL, false, false, "not leader-eligible"},
	};
	struct sim s;
	size_t idx[4];
	leader_log(&s, idx);
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct log l;
		struct outcome o;
		struct audit_transcript tr;
		size_t at = idx[v[i].entry];
		log_copy(&l, &s.log);
		entry_transcript(&l.e[at], &tr);
		if (v[i].expert >= 0) {
			tr.req.leader_expert = v[i].expert;
			if (v[i].expert && v[i].entry != 1)
				tr.panel[0] = v[i].expert;
		}
		if (v[i].reason)
			snprintf(tr.req.leader_reason, sizeof tr.req.leader_reason, "%s",
			         v[i].reason);
		if (v[i].expert == 0)
			tr.req.leader_reason[0] = '\0';
		tr.req.leader = !v[i].no_leader;
		if (v[i].swap) {
			int64_t x = tr.panel[0];
			tr.panel[0] = tr.panel[1];
			tr.panel[1] = x;
		}
		entry_set_transcript(&l.e[at], &tr);
		log_rehash(&l, at);
		replay_log(&l, &o, NULL);
		assert_caught(&l, &o, at, v[i].why);
		log_free(&l);
	}
	merge_free(&s);
}

/* ---------------------------------- freed seats and their fills (5 step 7) */

/* assignment.<to>: seat `slot` of task `task` goes by `event`, taking
 * role new_role (>= 0, a promotion); the entry, then the seat's state. */
static void sim_transition(struct sim *s, int64_t task, size_t slot,
                           enum assign_event event, int new_role, const char *actor)
{
	struct sim_seat *a = &s->tasks[task - 1].seats[slot];
	int to = assign_next(a->s.state, event);
	assert_true(to >= 0);
	if (new_role >= 0)
		a->s.role = new_role;
	bool daemon = strcmp(actor, "expertd") == 0;
	struct audit_seat as = {.assignment = a->assignment, .task = task,
	                        .expert = a->s.expert, .event = event,
	                        .from = a->s.state, .to = to, .role = a->s.role,
	                        .channel = daemon ? 6 /* system */ : 1 /* phone */,
	                        .deadline = to == ASSIGN_OFFERED ? s->now + DAY : 0,
	                        .ledger = event == ASSIGN_EV_DECLINE ? POLICY_DECLINE : -1};
	snprintf(as.actor, sizeof as.actor, "%s", actor);
	snprintf(as.reason, sizeof as.reason, "%s",
	         event == ASSIGN_EV_DECLINE ? "schedule" : "");
	char type[48];
	snprintf(type, sizeof type, "%s%s", AUDIT_SEAT_PREFIX, proto_assignment_states[to]);
	audit_pack_seat(sim_begin(s), &as);
	sim_end(s, type);
	a->s.state = to;
	struct engage_assignment ea = {.id = a->assignment, .task = task, .state = to};
	assert_true(engage_put_assignment(s->eng, a->s.expert, &ea));
}

/* seat_refresh_fill(): the fill from the seats; its entry when it
 * becomes filled or short. tr: the settle's replacement, or NULL. */
static void sim_refresh_fill(struct sim *s, struct sim_task *st,
                             const struct audit_transcript *tr)
{
	static const uint64_t none[RULE__COUNT];
	int accepted = 0, offered = 0;
	for (size_t i = 0; i < st->n; i++) {
		int x = st->seats[i].s.state;
		if (st->seats[i].s.role == SEAT_BACKUP)
			continue;
		accepted += x == ASSIGN_ACCEPTED || x == ASSIGN_COMPLETED || x == ASSIGN_NO_SHOW;
		offered += x == ASSIGN_OFFERED;
	}
	int needed = task_needed(&st->t);
	enum task_fill fill = accepted >= needed ? TASK_FILLED
	                      : accepted + offered < needed ? TASK_SHORT : TASK_FILLING;
	if (fill == st->t.fill)
		return;
	st->t.fill = fill;
	if (fill == TASK_FILLED) {
		audit_pack_task_filled(sim_begin(s), st->t.id);
		sim_end(s, AUDIT_TASK_FILLED);
	} else if (fill == TASK_SHORT) {
		audit_pack_task_short(sim_begin(s), st->t.id, tr ? tr->draw : 0,
		                      needed - accepted - offered, tr ? tr->excluded : none,
		                      tr ? tr->outside_group : 0);
		sim_end(s, AUDIT_TASK_SHORT);
	}
}

/* seat_settle(): the transition; a seat freed before the start is
 * promoted from the first standby seat, else drawn for; then the fill. */
static void sim_settle(struct sim *s, int64_t task, size_t slot, enum assign_event event)
{
	struct sim_task *st = &s->tasks[task - 1];
	sim_transition(s, task, slot, event, -1,
	               event == ASSIGN_EV_EXPIRE ? "expertd" : "operator");
	const struct replay_seat *x = &st->seats[slot].s;
	struct audit_transcript *tr = calloc(1, sizeof *tr);
	assert_non_null(tr);
	bool drew = false;
	if (assign_frees_seat(x->state) && x->role != SEAT_BACKUP && s->now < st->t.start_at) {
		size_t b = 0;
		while (b < st->n && st->seats[b].s.state != ASSIGN_STANDBY)
			b++;
		if (b < st->n)
			sim_transition(s, task, b, ASSIGN_EV_PROMOTE, x->role, "expertd");
		else
			drew = (sim_replace(s, task, slot, tr), true);
	}
	sim_refresh_fill(s, st, drew ? tr : NULL);
	free(tr);
}

/* Where fill_log() put things: indices into the log. */
struct fill_at {
	size_t decline, promote, repl, filled_by, filled, withdraw, repl2, failed, shortd,
	       expire, repl3, short0;
	int64_t declined;          /* the first declined assignment */
};

static size_t fill_last(const struct sim *s)
{
	return s->log.n - 1;
}

/* Six welders and three electricians, all able to lead, no employers.
 * Task 1 (welders; leader, 2 members, 1 backup): a member declines and
 * the backup is promoted; the other declines and a replacement is
 * drawn; all three accept (filled); the replacement withdraws and is
 * replaced again (the last welder); that one declines and the draw fails
 * (short). Task 2 (an electrician): the seat expires and is replaced.
 * Task 3 (an electrician, starting soon): accepted (filled), then
 * withdrawn after the start: not refilled, short with draw 0. */
static void fill_log_limited(struct sim *s, struct fill_at *at, bool limit_backup);

static void fill_log(struct sim *s, struct fill_at *at)
{
	fill_log_limited(s, at, false);
}

/* fill_log(); with limit_backup, task 1's backup is re-imported before
 * the first decline as an expert eligible only in its new second
 * specialty (POLICY.md 4.2), and the simulated daemon still promotes
 * it, as the daemon must not (rule 13). */
static void fill_log_limited(struct sim *s, struct fill_at *at, bool limit_backup)
{
	memset(s, 0, sizeof *s);
	s->pool = pool_new();
	s->eng = engage_new();
	s->experts = calloc(10, sizeof *s->experts);
	s->tasks = calloc(SIM_MAX_TASKS, sizeof *s->tasks);
	assert_true(s->pool && s->eng && s->experts && s->tasks);
	msgpack_sbuffer_init(&s->sb);
	msgpack_packer_init(&s->pk, &s->sb, msgpack_sbuffer_write);
	s->rules = (struct recusal_config){.exposure_days = 365, .diversity = true};
	s->now = unix_cst(2025, 1, 6, 9);
	sim_genesis(s);
	sim_term(s, 2024, 1, 1);
	for (int64_t id = 1; id <= 9; id++) {
		s->experts[id] = fx_expert(id, SPECS[id <= 6 ? 0 : 1]);
		s->experts[id].leader_eligible = true;
		sim_expert(s, &s->experts[id], "imported", NULL);
	}
	struct task *t = malloc(sizeof *t);
	assert_non_null(t);
	make_request(t, 0, SPECS[0], 2);
	t->backups = 1;
	assert_true(sim_draw(s, t, "draw"));
	for (int k = 1; k <= 2; k++) {
		make_request(t, k, SPECS[1], 1);
		t->leader = false;
		t->backups = 0;
		if (k == 2) {
			t->start_at = s->now + 3 * HOUR;
			t->end_at = t->start_at + 4 * HOUR;
		}
		assert_true(sim_draw(s, t, "draw"));
	}
	free(t);
	if (limit_backup) {
		struct expert *e = &s->experts[s->tasks[0].seats[3].s.expert];
		strcpy(e->specialties[e->n_specialties++], SPECS[1]);
		e->relaxations = RELAX_SHORTAGE_OCCUPATION;
		strcpy(e->relax_occupations[e->n_relax_occupations++], SPECS[1]);
		e->eligible_specialties = 2u;
		sim_expert(s, e, "updated", NULL);
	}
	s->now += HOUR;
	at->declined = s->tasks[0].seats[1].assignment;
	sim_settle(s, 1, 1, ASSIGN_EV_DECLINE);
	at->promote = fill_last(s);
	at->decline = at->promote - 1;
	sim_settle(s, 1, 2, ASSIGN_EV_DECLINE);
	at->repl = fill_last(s);
	sim_settle(s, 1, 0, ASSIGN_EV_ACCEPT);
	sim_settle(s, 1, 3, ASSIGN_EV_ACCEPT);
	sim_settle(s, 1, 4, ASSIGN_EV_ACCEPT);
	at->filled = fill_last(s);
	at->filled_by = at->filled - 1;
	sim_settle(s, 1, 4, ASSIGN_EV_WITHDRAW);
	at->repl2 = fill_last(s);
	at->withdraw = at->repl2 - 1;
	sim_settle(s, 1, 5, ASSIGN_EV_DECLINE);
	at->shortd = fill_last(s);
	at->failed = at->shortd - 1;
	sim_settle(s, 2, 0, ASSIGN_EV_EXPIRE);
	at->repl3 = fill_last(s);
	at->expire = at->repl3 - 1;
	sim_settle(s, 3, 0, ASSIGN_EV_ACCEPT);
	s->now = s->tasks[2].t.start_at + HOUR;
	sim_settle(s, 3, 0, ASSIGN_EV_WITHDRAW);
	at->short0 = fill_last(s);
}

static void fill_free(struct sim *s)
{
	mini_free(s);
	free(s->tasks);
}

/* The log replays; each entry is what the scenario says it is; seats
 * are named by the entry that last changed them. */
static void test_freed_seats_and_fills_replay(void **state)
{
	(void)state;
	static const struct { size_t off; const char *type; } want[] = {
		{offsetof(struct fill_at, decline), AUDIT_SEAT_PREFIX "declined"},
		{offsetof(struct fill_at, promote), AUDIT_SEAT_PREFIX "offered"},
		{offsetof(struct fill_at, repl), AUDIT_DRAW},
		{offsetof(struct fill_at, filled_by), AUDIT_SEAT_PREFIX "accepted"},
		{offsetof(struct fill_at, filled), AUDIT_TASK_FILLED},
		{offsetof(struct fill_at, withdraw), AUDIT_SEAT_PREFIX "withdrawn"},
		{offsetof(struct fill_at, repl2), AUDIT_DRAW},
		{offsetof(struct fill_at, failed), AUDIT_DRAW_FAILED},
		{offsetof(struct fill_at, shortd), AUDIT_TASK_SHORT},
		{offsetof(struct fill_at, expire), AUDIT_SEAT_PREFIX "expired"},
		{offsetof(struct fill_at, repl3), AUDIT_DRAW},
		{offsetof(struct fill_at, short0), AUDIT_TASK_SHORT},
	};
	struct sim s;
	struct fill_at at;
	struct outcome o;
	struct replay *r = NULL;
	struct replay_stats st;
	fill_log(&s, &at);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		size_t k = *(const size_t *)((const char *)&at + want[i].off);
		assert_string_equal(s.log.e[k].type, want[i].type);
	}
	assert_int_equal(s.log.n, at.short0 + 1);
	assert_string_equal(s.log.e[at.short0 - 1].type, AUDIT_SEAT_PREFIX "withdrawn");
	replay_log(&s.log, &o, &r);
	if (o.bad != s.log.n)
		fail_msg("refused: %s", o.why);
	char why[256];
	assert_int_equal(replay_end(r, why, sizeof why), 0);
	replay_stats(r, &st);
	assert_int_equal(st.freed, 5);   /* not task 3's, freed after its start */
	struct replay_seat seats[16];
	assert_int_equal(replay_task_seats(r, 1, seats, 16), 6);
	assert_int_equal(seats[1].seq, s.log.e[at.decline].seq);
	assert_int_equal(seats[3].seq, s.log.e[at.filled_by - 1].seq);   /* accepted */
	assert_int_equal(seats[3].role, 1);                                /* promoted */
	assert_int_equal(seats[4].seq, s.log.e[at.withdraw].seq);
	assert_int_equal(seats[4].draw, 4);
	assert_int_equal(seats[5].seq, s.log.e[at.failed - 1].seq);
	assert_int_equal(replay_task_seats(r, 2, seats, 16), 2);
	assert_int_equal(seats[0].seq, s.log.e[at.expire].seq);
	assert_int_equal(seats[1].seq, s.log.e[at.repl3].seq);
	replay_destroy(&r);
	fill_free(&s);
}

/* Entry k of a copy of l removed, the rest renumbered and rehashed: as
 * a forger who can rewrite the whole log would. */
static void log_cut(struct log *dst, const struct log *l, size_t k)
{
	log_copy(dst, l);
	log_delete(dst, k);
	log_renumber(dst);
	log_rehash(dst, k);
}

static void entry_edit_seat(struct entry *e, void (*change)(struct audit_seat *))
{
	msgpack_unpacked u;
	struct audit_seat as;
	entry_unpack(e, &u);
	assert_true(audit_read_seat(&u.data, &as));
	msgpack_unpacked_destroy(&u);
	change(&as);
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	audit_pack_seat(&pk, &as);
	entry_set_body(e, sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
}

static void entry_edit_short(struct entry *e, int64_t task, int64_t draw, int64_t empty,
                             int bump)
{
	msgpack_unpacked u;
	struct audit_task_short ts;
	entry_unpack(e, &u);
	assert_true(audit_read_task_short(&u.data, &ts));
	msgpack_unpacked_destroy(&u);
	ts.excluded[RULE_EXCLUDED] += (uint64_t)bump;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	audit_pack_task_short(&pk, task ? task : ts.task, draw >= 0 ? draw : ts.draw,
	                      empty ? empty : ts.empty, ts.excluded, ts.outside_group);
	entry_set_body(e, sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
}

/* The log up to and with entry k replays, and ends owing something: the
 * replay names the transition at index owed. */
static void assert_ends_owing(const struct log *l, size_t k, size_t owed, const char *what)
{
	struct log cut;
	struct outcome o;
	struct replay *r = NULL;
	char why[512];
	log_copy(&cut, l);
	while (cut.n > k + 1)
		log_delete(&cut, cut.n - 1);
	replay_log(&cut, &o, &r);
	if (o.bad != cut.n)
		fail_msg("refused: %s", o.why);
	int64_t seq = replay_end(r, why, sizeof why);
	if (seq != cut.e[owed].seq || !strstr(why, what))
		fail_msg("replay_end = %lld, \"%s\"; want seq %lld, \"%s\"", (long long)seq, why,
		         (long long)cut.e[owed].seq, what);
	replay_destroy(&r);
	log_free(&cut);
}

/* A freed seat's fill taken out of a log that is otherwise whole and
 * consistent: named where the fill should stand, or, at the log's end,
 * at the entry that freed the seat. */
static void test_a_freed_seat_without_its_fill_is_caught(void **state)
{
	(void)state;
	struct sim s;
	struct fill_at at;
	struct log l;
	struct outcome o;
	char why[160];
	fill_log(&s, &at);
	snprintf(why, sizeof why, "assignment %lld of task 1 was declined at seq %lld, "
	         "before the task's start, and is not filled",
	         (long long)at.declined, (long long)s.log.e[at.decline].seq);
	const size_t fills[] = {at.promote, at.repl, at.repl2, at.failed, at.repl3};
	const char *freed[] = {why, "was declined", "was withdrawn", "was declined",
	                       "was expired"};
	for (size_t i = 0; i < sizeof fills / sizeof fills[0]; i++) {
		log_cut(&l, &s.log, fills[i]);
		replay_log(&l, &o, NULL);
		assert_caught(&l, &o, fills[i], freed[i]);
		log_free(&l);
		/* The log ends where the fill should have been. */
		assert_ends_owing(&s.log, fills[i] - 1, fills[i] - 1, "not filled: a "
		                  "promotion or a replacement draw for it must follow, not "
		                  "the end of the log");
	}
	/* task.filled and task.short left out, or a log that ends before them. */
	log_cut(&l, &s.log, at.filled);
	replay_log(&l, &o, NULL);
	assert_caught(&l, &o, at.filled, "task 1 is filled after seq");
	log_free(&l);
	assert_ends_owing(&s.log, at.filled_by, at.filled_by, "the log ends without "
	                  "task.filled");
	log_cut(&l, &s.log, at.shortd);
	replay_log(&l, &o, NULL);
	assert_caught(&l, &o, at.shortd, "task.short must follow, not assignment.expired");
	log_free(&l);
	assert_ends_owing(&s.log, at.short0 - 1, at.short0 - 1, "task 3 is short");
	fill_free(&s);
}

/* The verifier checks rule 13 at a promotion too: a backup limited to
 * another specialty since the draw may not take the freed seat. */
static void test_a_promotion_outside_eligibility_is_caught(void **state)
{
	(void)state;
	struct sim s;
	struct fill_at at;
	struct outcome o;
	fill_log_limited(&s, &at, false);
	replay_log(&s.log, &o, NULL);
	assert_int_equal(o.bad, s.log.n);
	fill_free(&s);
	fill_log_limited(&s, &at, true);
	replay_log(&s.log, &o, NULL);
	assert_caught(&s.log, &o, at.promote, "is not eligible in the specialty");
	fill_free(&s);
}

static void promote_as_leader(struct audit_seat *as)
{
	as->role = 0;
}

static void promote_by_operator(struct audit_seat *as)
{
	snprintf(as->actor, sizeof as->actor, "operator");
}

/* A fill that is not the freed seat's: refused at that entry, saying why. */
static void test_a_fill_of_another_seat_is_caught(void **state)
{
	(void)state;
	struct sim s;
	struct fill_at at;
	struct outcome o;
	struct audit_transcript tr;
	fill_log(&s, &at);
	static const struct { void (*change)(struct audit_seat *); const char *why; } p[] = {
		{promote_as_leader, "is promoted as leader of quota 0; the seat freed"},
		{promote_by_operator, "a promotion by operator; the daemon (expertd)"},
	};
	for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) {
		struct log l;
		log_copy(&l, &s.log);
		entry_edit_seat(&l.e[at.promote], p[i].change);
		log_rehash(&l, at.promote);
		replay_log(&l, &o, NULL);
		assert_caught(&l, &o, at.promote, p[i].why);
		log_free(&l);
	}
	/* The replacement names the seat declined before, not the one just
	 * freed. */
	struct log l;
	log_copy(&l, &s.log);
	entry_transcript(&l.e[at.repl], &tr);
	tr.replaces = at.declined;
	entry_set_transcript(&l.e[at.repl], &tr);
	log_rehash(&l, at.repl);
	replay_log(&l, &o, NULL);
	assert_caught(&l, &o, at.repl, "not a draw of kind replacement for seat");
	log_free(&l);
	/* A replacement where no seat has just freed: the withdrawal removed. */
	log_cut(&l, &s.log, at.withdraw);
	replay_log(&l, &o, NULL);
	assert_caught(&l, &o, at.withdraw, "which was not freed just before");
	log_free(&l);
	/* A fill entry where the fill did not change. */
	log_copy(&l, &s.log);
	entry_edit_short(&l.e[at.short0], 1, -1, 0, 0);
	log_rehash(&l, at.short0);
	replay_log(&l, &o, NULL);
	assert_caught(&l, &o, at.short0, "task.short for task 1, whose fill did not just "
	              "become short");
	log_free(&l);
	fill_free(&s);
}

/* task.short says what the daemon would say: the failed draw (0 when
 * none was made), the empty seats, that draw's counts. */
static void test_task_short_is_checked(void **state)
{
	(void)state;
	static const struct { int64_t draw, empty; int bump; bool zero; const char *why; } v[] = {
		{0, 0, 0, false, "names draw 0; the seat freed at seq"},
		{3, 0, 0, false, "names draw 3; the seat freed at seq"},
		{-1, 2, 0, false, "2 empty seats; the replay has 1"},
		{-1, 0, 1, false, "excluded[excluded] is 7; draw"},
		{4, 0, 0, true, "names draw 4; the seat freed at seq"},
		{-1, 0, 1, true, "excluded[excluded] is 1; draw 0 counted 0"},
	};
	struct sim s;
	struct fill_at at;
	fill_log(&s, &at);
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct log l;
		struct outcome o;
		size_t k = v[i].zero ? at.short0 : at.shortd;
		log_copy(&l, &s.log);
		entry_edit_short(&l.e[k], 0, v[i].draw, v[i].empty, v[i].bump);
		log_rehash(&l, k);
		replay_log(&l, &o, NULL);
		assert_caught(&l, &o, k, v[i].why);
		log_free(&l);
	}
	fill_free(&s);
}

/* A replacement repeats its task's request as first drawn, nonce
 * included, and is the daemon's, with no reason (DRAW.md 3.5, 4.4). */
static void test_a_replacement_repeats_the_request(void **state)
{
	(void)state;
	static const char *const fields[] = {
		"bureau", "kind", "subject", "specialty", "group", "members", "leader",
		"backups", "orgs", "start", "end", "district", "exclude", "nonce",
		"actor", "reason"};
	struct sim s;
	struct fill_at at;
	fill_log(&s, &at);
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		struct log l;
		struct outcome o;
		struct audit_transcript tr;
		char why[96];
		log_copy(&l, &s.log);
		entry_transcript(&l.e[at.repl], &tr);
		struct task *q = &tr.req;
		switch (i) {
		case 0: strcpy(q->bureau, "haizhu"); break;
		case 1: q->kind = (q->kind + 1) % 5; break;
		case 2: q->subject = (q->subject + 1) % 3; break;
		case 3: strcpy(q->specialty, SPECS[1]); break;
		case 4: q->group = (q->group + 1) % 3; break;
		case 5: q->members++; break;
		case 6: q->leader = !q->leader; break;
		case 7: q->backups++; break;
		case 8: strcpy(q->orgs[0], ORGS[3]); break;
		case 9: q->start_at += HOUR; break;
		case 10: q->end_at += HOUR; break;
		case 11: strcpy(q->district, "海珠区"); break;
		case 12: q->exclude[q->n_exclude++] = 9; break;
		case 13: q->nonce[0] ^= 1; break;
		case 14: strcpy(tr.actor, "operator"); break;
		default: strcpy(tr.reason, "再抽一次"); break;
		}
		if (i < 14)
			snprintf(why, sizeof why, "request field %s differs from the task's",
			         fields[i]);
		else
			snprintf(why, sizeof why, "%s", i == 14 ? "replacement drawn by operator"
			                                        : "replacement with a reason");
		entry_set_transcript(&l.e[at.repl], &tr);
		log_rehash(&l, at.repl);
		replay_log(&l, &o, NULL);
		assert_caught(&l, &o, at.repl, why);
		log_free(&l);
	}
	fill_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scenario_covers_every_rule),
		cmocka_unit_test(test_whole_log_replays),
		cmocka_unit_test(test_unavailable_changes_are_checked),
		cmocka_unit_test(test_failed_redraw_keeps_panel),
		cmocka_unit_test(test_flipped_byte_breaks_hash),
		cmocka_unit_test(test_rehashed_entry_breaks_next_prev),
		cmocka_unit_test(test_changed_panel_is_caught),
		cmocka_unit_test(test_changed_status_changes_candidates),
		cmocka_unit_test(test_replaced_secret_breaks_commitment),
		cmocka_unit_test(test_deleted_entry_is_caught),
		cmocka_unit_test(test_swapped_entries_are_caught),
		cmocka_unit_test(test_forged_seed_drops_and_outcome),
		cmocka_unit_test(test_forged_ids_lists_and_dates),
		cmocka_unit_test(test_redraw_of_another_request_is_caught),
		cmocka_unit_test(test_already_drawn_are_left_out),
		cmocka_unit_test(test_both_layouts_replay),
		cmocka_unit_test(test_counts_checked_in_both_layouts),
		cmocka_unit_test(test_types_and_layouts),
		cmocka_unit_test(test_terms_experts_conflicts_are_checked),
		cmocka_unit_test(test_org_merge_relinks_the_replay),
		cmocka_unit_test(test_org_merge_not_applied_is_caught),
		cmocka_unit_test(test_org_merged_key_stays_merged),
		cmocka_unit_test(test_org_merged_is_checked),
		cmocka_unit_test(test_revealed_is_a_record_checked_for_layout),
		cmocka_unit_test(test_replay_is_spent_after_mismatch),
		cmocka_unit_test(test_mixed_panels_replay),
		cmocka_unit_test(test_mixed_panels_tampering_is_caught),
		cmocka_unit_test(test_mixed_redraw_repeats_the_quotas),
		cmocka_unit_test(test_list_encodings_replay),
		cmocka_unit_test(test_list_encoding_changes_once),
		cmocka_unit_test(test_mixed_replacement_replays),
		cmocka_unit_test(test_mixed_replacement_tampering_is_caught),
		cmocka_unit_test(test_designated_draws_replay),
		cmocka_unit_test(test_designation_forgeries_are_caught),
		cmocka_unit_test(test_freed_seats_and_fills_replay),
		cmocka_unit_test(test_a_freed_seat_without_its_fill_is_caught),
		cmocka_unit_test(test_a_fill_of_another_seat_is_caught),
		cmocka_unit_test(test_a_promotion_outside_eligibility_is_caught),
		cmocka_unit_test(test_task_short_is_checked),
		cmocka_unit_test(test_a_replacement_repeats_the_request),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, sim_setup, sim_teardown);
}
