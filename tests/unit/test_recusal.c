/*
 * test_recusal.c - each eligibility and recusal rule of a draw on a small
 * pool, with the experts one day or one second on either side of every
 * boundary, and the check order when several rules apply.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engage.h"
#include "fixture.h"
#include "ident.h"
#include "pool.h"
#include "recusal.h"

#define DAY INT64_C(86400)
#define HOUR INT64_C(3600)

struct fx {
	struct pool *pool;
	struct engage *eng;
	int32_t term_start[3], term_end[3];
	struct recusal_terms terms;
	struct recusal_task t;
	struct recusal_config cfg;
	int64_t exclude[8];
	uint32_t org_a, org_b, org_c, org_d;
	int32_t d;              /* the task's start day */
	int64_t s;              /* the task's start_at */
};

static int32_t day(int y, int m, int d)
{
	return ident_days_from_civil(y, m, d);
}

/* Active, serving in term 1, capable of every task type, aged 45 on the
 * task date, no organisations: passes every rule. */
static struct expert base(int64_t id)
{
	return fx_expert(id, "焊工");
}

static void put(struct fx *f, const struct expert *e)
{
	assert_true(pool_upsert(f->pool, e));
}

static void put_task(struct fx *f, int64_t id, int64_t start, int64_t end,
                     const uint32_t *orgs, int n_orgs)
{
	struct engage_task t;
	memset(&t, 0, sizeof t);
	t.id = id;
	t.start_at = start;
	t.end_at = end;
	for (int i = 0; i < n_orgs; i++)
		t.orgs[i] = orgs[i];
	t.n_orgs = n_orgs;
	assert_true(engage_put_task(f->eng, &t));
}

static void assign(struct fx *f, int64_t expert, int64_t id, int64_t task, int st)
{
	struct engage_assignment a = {.id = id, .task = task, .state = st};
	assert_true(engage_put_assignment(f->eng, expert, &a));
}

static enum recusal_rule check(const struct fx *f, int64_t id)
{
	const struct pool_entry *pe = pool_get(f->pool, id);
	assert_non_null(pe);
	return recusal_check(pe, f->eng, &f->terms, &f->t, &f->cfg);
}

/* Expert i + 1 must fail with want[i] (RULE_OK = passes). */
static void expect(const struct fx *f, const enum recusal_rule *want, int n)
{
	for (int i = 0; i < n; i++) {
		enum recusal_rule got = check(f, i + 1);
		if (got != want[i])
			fail_msg("expert %d: got %s, want %s", i + 1,
			         recusal_rule_names[got], recusal_rule_names[want[i]]);
	}
}

static int setup(void **state)
{
	struct fx *f = test_calloc(1, sizeof *f);
	f->pool = pool_new();
	f->eng = engage_new();
	/* Organisations are interned by the pool as experts bring them in;
	 * bring four in and take the carriers out again. */
	struct expert e = base(1);
	strcpy(e.employer_code, "91440101MA59AAAA1A");
	strcpy(e.recommender_code, "91440101MA59BBBB2B");
	pool_upsert(f->pool, &e);
	e = base(2);
	strcpy(e.employer_code, "91440101MA59CCCC3C");
	strcpy(e.recommender_code, "91440101MA59DDDD4D");
	pool_upsert(f->pool, &e);
	pool_remove(f->pool, 1);
	pool_remove(f->pool, 2);
	f->org_a = pool_org_find(f->pool, "91440101MA59AAAA1A");
	f->org_b = pool_org_find(f->pool, "91440101MA59BBBB2B");
	f->org_c = pool_org_find(f->pool, "91440101MA59CCCC3C");
	f->org_d = pool_org_find(f->pool, "91440101MA59DDDD4D");

	/* Slot 0 is no term; make it admit everything, so that a check
	 * reading it would show. */
	f->term_start[0] = INT32_MIN;
	f->term_end[0] = INT32_MAX;
	f->term_start[1] = day(2024, 1, 1);
	f->term_end[1] = day(2026, 12, 31);
	f->term_start[2] = day(2027, 1, 1);
	f->term_end[2] = day(2029, 12, 31);
	f->terms = (struct recusal_terms){f->term_start, f->term_end, 2};

	/* 2025-06-10, 09:00 to 17:00 (the test treats days as UTC days). */
	f->d = day(2025, 6, 10);
	f->s = f->d * DAY + 9 * HOUR;
	f->t.start_at = f->s;
	f->t.end_at = f->s + 8 * HOUR;
	f->t.start_day = f->d;
	f->t.end_day = f->d;
	f->t.orgs[0] = f->org_a;
	f->t.n_orgs = 1;
	f->t.exclude = f->exclude;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	pool_destroy(&f->pool);
	engage_destroy(&f->eng);
	test_free(f);
	return 0;
}

static void test_org_fixture(void **state)
{
	struct fx *f = *state;
	assert_int_equal(pool_count(f->pool), 0);
	assert_true(f->org_a && f->org_b && f->org_c && f->org_d);
	assert_int_not_equal(f->org_a, f->org_b);
	assert_int_equal(pool_org_find(f->pool, "91440101MA59EEEE5E"), 0);
}

static void test_rule_names(void **state)
{
	(void)state;
	static const char *const want[] = {"ok", "status", "term", "capability",
		"age", "excluded", "employer", "recommender", "conflict", "overlap",
		"rotation", "exposure", "unavailable", "relaxation"};
	assert_int_equal(sizeof want / sizeof *want, RULE__COUNT);
	for (int i = 0; i < RULE__COUNT; i++)
		assert_string_equal(recusal_rule_names[i], want[i]);
}

static void test_status(void **state)
{
	struct fx *f = *state;
	struct expert e;
	e = base(1); put(f, &e);                       /* active */
	e = base(2); e.status = EXPERT_SUSPENDED; e.suspended_until = 0;
	put(f, &e);                                    /* open-ended */
	e = base(3); e.status = EXPERT_SUSPENDED; e.suspended_until = f->d - 1;
	put(f, &e);                                    /* ended the day before */
	e = base(4); e.status = EXPERT_SUSPENDED; e.suspended_until = f->d;
	put(f, &e);                                    /* through the start day */
	e = base(5); e.status = EXPERT_FLAGGED;
	put(f, &e);
	e = base(6); e.status = EXPERT_REVOKED;
	put(f, &e);
	e = base(7); e.status = EXPERT_FLAGGED; e.suspended_until = f->d - 100;
	put(f, &e);                                    /* a stale date lifts nothing */
	e = base(8); e.status = EXPERT_SUSPENDED; e.suspended_until = f->d + 30;
	put(f, &e);
	static const enum recusal_rule want[] = {RULE_OK, RULE_STATUS, RULE_OK,
		RULE_STATUS, RULE_STATUS, RULE_STATUS, RULE_STATUS, RULE_STATUS};
	expect(f, want, 8);
}

/* Only an appointed expert is drawn (PROTOCOL.md 7.17): any other
 * appointment state is rule 1, whatever the status. */
static void test_appointment(void **state)
{
	struct fx *f = *state;
	struct expert e;
	e = base(1); put(f, &e);                                  /* appointed */
	e = base(2); e.appointment = APPOINT_RECOMMENDED; put(f, &e);
	e = base(3); e.appointment = APPOINT_UNDER_REVIEW; put(f, &e);
	e = base(4); e.appointment = APPOINT_REJECTED; put(f, &e);
	e = base(5); e.appointment = APPOINT_RECOMMENDED; e.status = EXPERT_SUSPENDED;
	e.suspended_until = f->d - 1; put(f, &e);                 /* lapsed, still not appointed */
	e = base(6); e.status = EXPERT_SUSPENDED; e.suspended_until = f->d - 1;
	put(f, &e);                                               /* lapsed and appointed */
	static const enum recusal_rule want[] = {RULE_OK, RULE_STATUS, RULE_STATUS,
		RULE_STATUS, RULE_STATUS, RULE_OK};
	expect(f, want, 6);
	/* The pool keeps the state itself; the slim form folds it into status. */
	assert_int_equal(pool_get(f->pool, 3)->appointment, APPOINT_UNDER_REVIEW);
	assert_int_equal(pool_slim_of(pool_get(f->pool, 3), 0).status, POOL_STATUS_UNAPPOINTED);
	assert_int_equal(pool_slim_of(pool_get(f->pool, 6), 0).status, EXPERT_SUSPENDED);
}

static void test_term(void **state)
{
	struct fx *f = *state;
	struct expert e;
	e = base(1); put(f, &e);                                /* 1..1 */
	e = base(2); e.term = 0; e.joined_term = 0; put(f, &e); /* never appointed */
	e = base(3); e.term = 3; e.joined_term = 1; put(f, &e); /* term not defined */
	e = base(4); e.term = 1; e.joined_term = 2; put(f, &e); /* reversed */
	e = base(5); e.term = 2; e.joined_term = 2; put(f, &e); /* joined later */
	e = base(6); e.term = 2; e.joined_term = 1; put(f, &e); /* renewed */
	e = base(7); e.term = 1; e.joined_term = 0; put(f, &e);
	e = base(8); e.term = 0; e.joined_term = 1; put(f, &e);
	static const enum recusal_rule want[] = {RULE_OK, RULE_TERM, RULE_TERM,
		RULE_TERM, RULE_TERM, RULE_OK, RULE_TERM, RULE_TERM};
	expect(f, want, 8);

	/* The task ends on the last day of term 1, then one day later. */
	f->t.end_day = f->term_end[1];
	assert_int_equal(check(f, 1), RULE_OK);
	f->t.end_day = f->term_end[1] + 1;
	assert_int_equal(check(f, 1), RULE_TERM);
	assert_int_equal(check(f, 6), RULE_OK);   /* served on into term 2 */
	/* The task starts on the first day of term 1, then one day earlier. */
	f->t.end_day = f->d;
	f->t.start_day = f->term_start[1];
	assert_int_equal(check(f, 1), RULE_OK);
	f->t.start_day = f->term_start[1] - 1;
	assert_int_equal(check(f, 1), RULE_TERM);
	assert_int_equal(check(f, 6), RULE_TERM);
	/* A task wholly in term 2: only those serving in it. */
	f->t.start_day = f->term_start[2];
	f->t.end_day = f->term_start[2] + 1;
	assert_int_equal(check(f, 1), RULE_TERM);
	assert_int_equal(check(f, 5), RULE_OK);
	assert_int_equal(check(f, 6), RULE_OK);
	/* No terms at all. */
	f->terms.count = 0;
	assert_int_equal(check(f, 5), RULE_TERM);
}

static void test_capability(void **state)
{
	struct fx *f = *state;
	struct expert e;
	e = base(1); e.task_types = 0; put(f, &e);
	e = base(2); e.task_types = 1u << 4; put(f, &e);
	e = base(3); e.task_types = (1u << 0) | (1u << 3); put(f, &e);
	e = base(4); e.task_types = 0x1f; put(f, &e);
	f->t.capability = 1u << 4;   /* evaluation_review */
	static const enum recusal_rule want[] = {RULE_CAPABILITY, RULE_OK,
		RULE_CAPABILITY, RULE_OK};
	expect(f, want, 4);
	/* Kinds without a checkbox need nothing. */
	f->t.capability = 0;
	static const enum recusal_rule none[] = {RULE_OK, RULE_OK, RULE_OK, RULE_OK};
	expect(f, none, 4);
}

static void test_age(void **state)
{
	struct fx *f = *state;
	struct expert e;
	/* The task starts 2025-06-10 and ends 2025-06-11. */
	f->t.end_day = f->d + 1;
	e = base(1); e.birth = day(1959, 6, 10); put(f, &e);  /* 66 on the start day */
	e = base(2); e.birth = day(1959, 6, 11); put(f, &e);  /* 65; 66 on the end day */
	e = base(3); e.birth = day(1960, 6, 10); put(f, &e);  /* 65 exactly */
	e = base(4); e.birth = day(1959, 6, 10);
	e.relaxations = RELAX_SENIOR_EXPERT; put(f, &e);
	e = base(5); e.birth = day(1940, 1, 1); e.relaxations = 1u << 0; put(f, &e);
	e = base(6); e.birth = day(1950, 1, 1); put(f, &e);
	e = base(7); e.birth = day(1940, 1, 1); e.age_exception = true; put(f, &e);
	/* Transcripts from before draft 11: any ground bent the rule. */
	static const enum recusal_rule before[] = {RULE_AGE, RULE_OK, RULE_OK,
		RULE_OK, RULE_OK, RULE_AGE, RULE_AGE};
	expect(f, before, 7);
	/* Since: only an age exception (第十一条(七) relaxes (二)(三)(四) only). */
	f->cfg.age_by_exception = true;
	static const enum recusal_rule since[] = {RULE_AGE, RULE_OK, RULE_OK,
		RULE_AGE, RULE_AGE, RULE_AGE, RULE_OK};
	expect(f, since, 7);
}

/* Every birth date over 40 years around the limit, against the calendar
 * (the rule only consults it near the limit). */
static void test_age_matches_calendar(void **state)
{
	struct fx *f = *state;
	static const int32_t starts[] = {20249 /* 2025-06-10 */,
		20147 /* 2025-02-28 */, 19782 /* 2024-02-29 */, 47540 /* 2100-02-28 */};
	f->term_start[1] = 0;          /* term 1 covers all these dates */
	f->term_end[1] = INT32_MAX;
	for (size_t k = 0; k < sizeof starts / sizeof *starts; k++) {
		const int32_t on = starts[k];
		f->t.start_day = f->t.end_day = on;
		for (int32_t b = on - 76 * 366; b <= on - 56 * 365; b++) {
			struct expert e = base(1);
			e.birth = b;
			put(f, &e);
			enum recusal_rule want =
				ident_age_on(b, on) > 65 ? RULE_AGE : RULE_OK;
			if (check(f, 1) != want)
				fail_msg("born %d, on %d: got %s", b, on,
				         recusal_rule_names[check(f, 1)]);
		}
	}
}

static void test_excluded(void **state)
{
	struct fx *f = *state;
	for (int64_t id = 1; id <= 5; id++) {
		struct expert e = base(id);
		put(f, &e);
	}
	f->exclude[0] = 4;
	f->exclude[1] = 99;    /* not in the pool: harmless */
	f->exclude[2] = 2;
	f->t.n_exclude = 3;
	static const enum recusal_rule want[] = {RULE_OK, RULE_EXCLUDED, RULE_OK,
		RULE_EXCLUDED, RULE_OK};
	expect(f, want, 5);
}

static void test_employer(void **state)
{
	struct fx *f = *state;
	struct expert e;
	/* Concerned: org A and org C; a third code was never seen (0). */
	f->t.orgs[1] = f->org_c;
	f->t.orgs[2] = pool_org_find(f->pool, "91440101MA59EEEE5E");
	f->t.n_orgs = 3;
	e = base(1); strcpy(e.employer_code, "91440101MA59AAAA1A"); put(f, &e);
	e = base(2); strcpy(e.employer_code, "91440101MA59BBBB2B"); put(f, &e);
	e = base(3); put(f, &e);                        /* no employer code */
	e = base(4); strcpy(e.employer_code, "91440101MA59CCCC3C"); put(f, &e);
	e = base(5); strcpy(e.employer_code, "91440101MA59DDDD4D"); put(f, &e);
	static const enum recusal_rule want[] = {RULE_EMPLOYER, RULE_OK, RULE_OK,
		RULE_EMPLOYER, RULE_OK};
	expect(f, want, 5);
}

static void test_recommender(void **state)
{
	struct fx *f = *state;
	struct expert e;
	f->t.orgs[0] = f->org_b;
	f->t.orgs[1] = 0;
	f->t.orgs[2] = f->org_d;
	f->t.n_orgs = 3;
	e = base(1); strcpy(e.recommender_code, "91440101MA59BBBB2B"); put(f, &e);
	e = base(2); strcpy(e.recommender_code, "91440101MA59AAAA1A"); put(f, &e);
	e = base(3); put(f, &e);
	e = base(4); strcpy(e.recommender_code, "91440101MA59DDDD4D"); put(f, &e);
	e = base(5); strcpy(e.employer_code, "91440101MA59CCCC3C");
	strcpy(e.recommender_code, "91440101MA59CCCC3C"); put(f, &e);
	static const enum recusal_rule want[] = {RULE_RECOMMENDER, RULE_OK, RULE_OK,
		RULE_RECOMMENDER, RULE_OK};
	expect(f, want, 5);
}

static void conflict(struct fx *f, int64_t expert, uint32_t org, int32_t from,
                     int32_t to)
{
	struct engage_conflict c = {.org = org, .valid_from = from, .valid_to = to};
	assert_true(engage_add_conflict(f->eng, expert, &c));
}

static void test_conflict(void **state)
{
	struct fx *f = *state;
	const int32_t d = f->d;
	/* The task runs over days d and d + 1; org A is concerned, and a code
	 * never seen (0). */
	f->t.end_at += DAY;
	f->t.end_day = d + 1;
	f->t.orgs[1] = 0;
	f->t.n_orgs = 2;
	for (int64_t id = 1; id <= 10; id++) {
		struct expert e = base(id);
		put(f, &e);
	}
	conflict(f, 1, f->org_a, d + 2, 0);       /* starts the day after */
	conflict(f, 2, f->org_a, d + 1, 0);       /* starts on the end day */
	conflict(f, 3, f->org_a, d - 400, d - 1); /* ended the day before */
	conflict(f, 4, f->org_a, d - 400, d);     /* ends on the start day */
	conflict(f, 5, f->org_a, d - 4000, 0);    /* open-ended */
	conflict(f, 6, f->org_b, d - 4000, 0);    /* another organisation */
	/* 7: none */
	conflict(f, 8, 0, d - 4000, 0);           /* 0 never matches */
	conflict(f, 9, f->org_b, d - 4000, 0);
	conflict(f, 9, f->org_a, d, d);           /* the second of two */
	conflict(f, 10, f->org_a, d + 1, d + 1);  /* the end day only */
	static const enum recusal_rule want[] = {RULE_OK, RULE_CONFLICT, RULE_OK,
		RULE_CONFLICT, RULE_CONFLICT, RULE_OK, RULE_OK, RULE_OK,
		RULE_CONFLICT, RULE_CONFLICT};
	expect(f, want, 10);
}

static void away(struct fx *f, int64_t expert, int32_t from, int32_t to)
{
	struct engage_away w = {.expert = expert, .from = from, .to = to};
	assert_true(engage_add_away(f->eng, &w));
}

/* Rule 12: a declared period that shares a day with the task (days d and
 * d + 1), both ends included; it comes after every other rule. */
static void test_unavailable(void **state)
{
	struct fx *f = *state;
	const int32_t d = f->d;
	f->t.end_at += DAY;
	f->t.end_day = d + 1;
	for (int64_t id = 1; id <= 7; id++) {
		struct expert e = base(id);
		put(f, &e);
	}
	away(f, 1, d + 2, d + 30);      /* starts the day after */
	away(f, 2, d + 1, d + 30);      /* starts on the end day */
	away(f, 3, d - 30, d - 1);      /* ended the day before */
	away(f, 4, d - 30, d);          /* ends on the start day */
	away(f, 5, d - 30, d + 30);     /* around it */
	/* 6: none; 7: another expert's period does not count */
	away(f, 8, d, d);
	conflict(f, 7, f->org_a, d - 4000, 0);   /* an earlier rule first */
	away(f, 7, d, d);
	static const enum recusal_rule want[] = {RULE_OK, RULE_UNAVAILABLE, RULE_OK,
		RULE_UNAVAILABLE, RULE_UNAVAILABLE, RULE_OK, RULE_CONFLICT};
	expect(f, want, 7);
}

/* Rule 13 (relaxation): an expert eligible in some of its specialties
 * alone (POLICY.md 4.2) is kept off draws of the others, after every
 * other rule; the bucket's slim entries say the same. */
static void test_relaxation(void **state)
{
	struct fx *f = *state;
	for (int64_t id = 1; id <= 5; id++) {
		struct expert e = base(id);
		strcpy(e.specialties[e.n_specialties++], "电工");
		e.eligible_specialties = id == 2 ? 1u : id >= 3 ? 2u : 0u;
		if (id == 4)
			e.status = EXPERT_REVOKED;            /* an earlier rule first */
		if (id == 5)
			e.eligible_specialties = 0;           /* limited, then not */
		put(f, &e);
	}
	uint32_t welder = pool_specialty_find(f->pool, "焊工");
	uint32_t electrician = pool_specialty_find(f->pool, "电工");
	f->t.specialty = welder;
	static const enum recusal_rule in_welder[] = {RULE_OK, RULE_OK, RULE_RELAXATION,
		RULE_STATUS, RULE_OK};
	expect(f, in_welder, 5);
	f->t.specialty = electrician;
	static const enum recusal_rule in_electrician[] = {RULE_OK, RULE_RELAXATION,
		RULE_OK, RULE_STATUS, RULE_OK};
	expect(f, in_electrician, 5);
	f->t.specialty = 0;                           /* a name never seen */
	static const enum recusal_rule in_unknown[] = {RULE_OK, RULE_RELAXATION,
		RULE_RELAXATION, RULE_STATUS, RULE_OK};
	expect(f, in_unknown, 5);
	const struct pool_bucket *b = pool_bucket(f->pool, welder, 0);
	assert_non_null(b);
	assert_int_equal(b->n, 5);
	for (size_t i = 0; i < b->n; i++)
		assert_int_equal((b->slim[i].relaxations & POOL_SLIM_OTHER_OCCUPATION) != 0,
		                 b->ids[i] == 3 || b->ids[i] == 4);
	b = pool_bucket(f->pool, electrician, 0);
	for (size_t i = 0; i < b->n; i++)
		assert_int_equal((b->slim[i].relaxations & POOL_SLIM_OTHER_OCCUPATION) != 0,
		                 b->ids[i] == 2);
}

static void test_overlap(void **state)
{
	struct fx *f = *state;
	const int64_t s = f->t.start_at, e = f->t.end_at;
	put_task(f, 10, e, e + HOUR, NULL, 0);        /* starts when t ends */
	put_task(f, 11, s - HOUR, s, NULL, 0);        /* ends when t starts */
	put_task(f, 12, e - 1, e + 100, NULL, 0);     /* one second inside */
	put_task(f, 13, s - 100, s + 1, NULL, 0);
	put_task(f, 14, s - 1000, e + 1000, NULL, 0); /* around it */
	for (int64_t id = 1; id <= 12; id++) {
		struct expert x = base(id);
		put(f, &x);
	}
	assign(f, 1, 1, 10, ASSIGN_OFFERED);
	assign(f, 2, 2, 11, ASSIGN_ACCEPTED);
	assign(f, 3, 3, 12, ASSIGN_OFFERED);
	assign(f, 4, 4, 13, ASSIGN_ACCEPTED);
	assign(f, 5, 5, 14, ASSIGN_DECLINED);
	assign(f, 6, 6, 14, ASSIGN_STANDBY);
	assign(f, 7, 7, 14, ASSIGN_COMPLETED);
	assign(f, 8, 8, 14, ASSIGN_OFFERED);
	assign(f, 9, 9, 14, ASSIGN_EXPIRED);
	assign(f, 9, 10, 14, ASSIGN_WITHDRAWN);
	assign(f, 9, 11, 14, ASSIGN_NO_SHOW);
	assign(f, 9, 12, 14, ASSIGN_CANCELLED);
	assign(f, 10, 13, 999, ASSIGN_ACCEPTED);      /* task not held */
	assign(f, 11, 14, 10, ASSIGN_ACCEPTED);
	assign(f, 11, 15, 13, ASSIGN_DECLINED);
	assign(f, 11, 16, 14, ASSIGN_ACCEPTED);       /* the third one clashes */
	/* 12: nothing */
	static const enum recusal_rule want[] = {RULE_OK, RULE_OK, RULE_OVERLAP,
		RULE_OVERLAP, RULE_OK, RULE_OK, RULE_OK, RULE_OVERLAP, RULE_OK,
		RULE_OK, RULE_OVERLAP, RULE_OK};
	expect(f, want, 12);

	/* Redrawing task 14 itself: its own offers do not clash with it. */
	f->t.id = 14;
	assert_int_equal(check(f, 8), RULE_OK);
	assert_int_equal(check(f, 11), RULE_OK);
	assert_int_equal(check(f, 3), RULE_OVERLAP);
}

static void test_rotation(void **state)
{
	struct fx *f = *state;
	const int64_t s = f->s, w = 365 * DAY;
	const uint32_t a[] = {f->org_a}, b[] = {f->org_b}, ba[] = {f->org_b, f->org_a};
	const uint32_t zero[] = {0};
	f->cfg.rotation_days = 365;
	put_task(f, 20, s - w, s - w + HOUR, a, 1);          /* exactly the window before */
	put_task(f, 21, s - w - 1, s - w + HOUR, a, 1);      /* one second more */
	put_task(f, 22, s + w, s + w + HOUR, a, 1);          /* the window after */
	put_task(f, 23, s + w + 1, s + w + HOUR, a, 1);
	put_task(f, 24, s - DAY, s - DAY + HOUR, ba, 2);     /* A as second org */
	put_task(f, 25, s - DAY, s - DAY + HOUR, b, 1);      /* another org */
	put_task(f, 26, s - DAY, s - DAY + HOUR, zero, 1);   /* unknown org */
	for (int64_t id = 1; id <= 12; id++) {
		struct expert x = base(id);
		put(f, &x);
	}
	assign(f, 1, 1, 20, ASSIGN_COMPLETED);
	assign(f, 2, 2, 21, ASSIGN_COMPLETED);
	assign(f, 3, 3, 22, ASSIGN_ACCEPTED);
	assign(f, 4, 4, 23, ASSIGN_ACCEPTED);
	assign(f, 5, 5, 24, ASSIGN_OFFERED);
	assign(f, 6, 6, 25, ASSIGN_COMPLETED);
	assign(f, 7, 7, 20, ASSIGN_DECLINED);
	assign(f, 8, 8, 20, ASSIGN_NO_SHOW);
	assign(f, 8, 9, 24, ASSIGN_WITHDRAWN);
	assign(f, 9, 10, 20, ASSIGN_STANDBY);
	assign(f, 10, 11, 26, ASSIGN_COMPLETED);
	assign(f, 11, 12, 22, ASSIGN_COMPLETED);
	/* 12: nothing */
	static const enum recusal_rule want[] = {RULE_ROTATION, RULE_OK,
		RULE_ROTATION, RULE_OK, RULE_ROTATION, RULE_OK, RULE_OK, RULE_OK,
		RULE_OK, RULE_OK, RULE_ROTATION, RULE_OK};
	expect(f, want, 12);

	/* With t concerning only a code never seen, nothing rotates out. */
	f->t.orgs[0] = 0;
	for (int64_t id = 1; id <= 12; id++)
		assert_int_equal(check(f, id), RULE_OK);
	f->t.orgs[0] = f->org_a;

	/* Replacing on task 20 itself: its own assignments do not count. */
	f->t.id = 20;
	assert_int_equal(check(f, 1), RULE_OK);
	assert_int_equal(check(f, 3), RULE_ROTATION);
	f->t.id = 0;

	/* Off. */
	f->cfg.rotation_days = 0;
	for (int64_t id = 1; id <= 12; id++)
		assert_int_equal(check(f, id), RULE_OK);
}

static void test_exposure(void **state)
{
	struct fx *f = *state;
	const int64_t s = f->s, w = 30 * DAY;
	f->cfg.exposure_cap = 3;
	f->cfg.exposure_days = 30;
	f->t.id = 39;
	/* Tasks 31..35 within the window; 36 exactly at its edge; 37 one
	 * second inside; 38 inside on the other side; 39 is t itself. */
	for (int64_t k = 1; k <= 5; k++)
		put_task(f, 30 + k, s - k * DAY, s - k * DAY + HOUR, NULL, 0);
	put_task(f, 36, s - w, s - w + HOUR, NULL, 0);
	put_task(f, 37, s - w + 1, s - w + HOUR, NULL, 0);
	put_task(f, 38, s + w - 1, s + w + HOUR, NULL, 0);
	put_task(f, 39, s, s + HOUR, NULL, 0);
	for (int64_t id = 1; id <= 9; id++) {
		struct expert x = base(id);
		put(f, &x);
	}
	int64_t aid = 0;
	for (int64_t id = 1; id <= 9; id++) {   /* two within for everyone */
		assign(f, id, ++aid, 31, ASSIGN_COMPLETED);
		assign(f, id, ++aid, 32, ASSIGN_COMPLETED);
	}
	/* 1: cap - 1 */
	assign(f, 2, ++aid, 33, ASSIGN_COMPLETED);   /* cap */
	assign(f, 3, ++aid, 36, ASSIGN_COMPLETED);   /* at the edge: outside */
	assign(f, 4, ++aid, 37, ASSIGN_COMPLETED);   /* a second inside */
	assign(f, 5, ++aid, 38, ASSIGN_ACCEPTED);    /* ahead, inside */
	assign(f, 6, ++aid, 33, ASSIGN_DECLINED);
	assign(f, 6, ++aid, 34, ASSIGN_STANDBY);
	assign(f, 7, ++aid, 39, ASSIGN_OFFERED);     /* t's own offer */
	assign(f, 8, ++aid, 33, ASSIGN_OFFERED);
	assign(f, 8, ++aid, 34, ASSIGN_ACCEPTED);    /* cap + 1 */
	assign(f, 9, ++aid, 999, ASSIGN_COMPLETED);  /* task not held */
	static const enum recusal_rule want[] = {RULE_OK, RULE_EXPOSURE, RULE_OK,
		RULE_EXPOSURE, RULE_EXPOSURE, RULE_OK, RULE_OK, RULE_EXPOSURE, RULE_OK};
	expect(f, want, 9);

	/* A lower cap catches everyone with two. */
	f->cfg.exposure_cap = 2;
	for (int64_t id = 1; id <= 9; id++)
		assert_int_equal(check(f, id), RULE_EXPOSURE);
	/* Off. */
	f->cfg.exposure_cap = 0;
	for (int64_t id = 1; id <= 9; id++)
		assert_int_equal(check(f, id), RULE_OK);
}

/* One expert failing every rule: each check reports the first in order;
 * lifting it reveals the next. */
static void test_first_failing_rule_wins(void **state)
{
	struct fx *f = *state;
	const int64_t s = f->s;
	const uint32_t d[] = {f->org_d};
	f->t.orgs[1] = f->org_b;
	f->t.orgs[2] = f->org_c;
	f->t.orgs[3] = f->org_d;
	f->t.n_orgs = 4;
	f->t.capability = 1u << 0;
	f->exclude[0] = 1;
	f->t.n_exclude = 1;
	f->cfg.rotation_days = 365;
	f->cfg.exposure_cap = 1;
	f->cfg.exposure_days = 30;

	struct expert e = base(1);
	e.status = EXPERT_FLAGGED;
	e.term = 3;
	e.task_types = 1u << 1;
	e.birth = day(1950, 1, 1);
	strcpy(e.employer_code, "91440101MA59AAAA1A");
	strcpy(e.recommender_code, "91440101MA59BBBB2B");
	put(f, &e);
	conflict(f, 1, f->org_c, f->d - 10, 0);
	put_task(f, 50, s + HOUR, s + 2 * HOUR, NULL, 0);     /* overlaps t */
	put_task(f, 51, s - 10 * DAY, s - 10 * DAY + HOUR, d, 1);
	put_task(f, 52, s - 5 * DAY, s - 5 * DAY + HOUR, NULL, 0);
	assign(f, 1, 1, 50, ASSIGN_OFFERED);
	assign(f, 1, 2, 51, ASSIGN_COMPLETED);
	assign(f, 1, 3, 52, ASSIGN_COMPLETED);

	assert_int_equal(check(f, 1), RULE_STATUS);
	e.status = EXPERT_ACTIVE; put(f, &e);
	assert_int_equal(check(f, 1), RULE_TERM);
	e.term = 1; put(f, &e);
	assert_int_equal(check(f, 1), RULE_CAPABILITY);
	e.task_types |= 1u << 0; put(f, &e);
	assert_int_equal(check(f, 1), RULE_AGE);
	e.relaxations = 1u << 2; put(f, &e);
	assert_int_equal(check(f, 1), RULE_EXCLUDED);
	f->t.n_exclude = 0;
	assert_int_equal(check(f, 1), RULE_EMPLOYER);
	e.employer_code[0] = '\0'; put(f, &e);
	assert_int_equal(check(f, 1), RULE_RECOMMENDER);
	e.recommender_code[0] = '\0'; put(f, &e);
	assert_int_equal(check(f, 1), RULE_CONFLICT);
	f->t.orgs[2] = 0;             /* org C no longer concerned */
	assert_int_equal(check(f, 1), RULE_OVERLAP);
	assign(f, 1, 1, 50, ASSIGN_DECLINED);
	assert_int_equal(check(f, 1), RULE_ROTATION);
	assign(f, 1, 2, 51, ASSIGN_WITHDRAWN);
	assert_int_equal(check(f, 1), RULE_EXPOSURE);
	f->cfg.exposure_cap = 2;
	assert_int_equal(check(f, 1), RULE_OK);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_org_fixture),
		T(test_rule_names),
		T(test_status),
		T(test_appointment),
		T(test_term),
		T(test_capability),
		T(test_age),
		T(test_age_matches_calendar),
		T(test_excluded),
		T(test_employer),
		T(test_recommender),
		T(test_conflict),
		T(test_unavailable),
		T(test_relaxation),
		T(test_overlap),
		T(test_rotation),
		T(test_exposure),
		T(test_first_failing_rule_wins),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
