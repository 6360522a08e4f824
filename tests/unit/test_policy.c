/*
 * test_policy.c - the decline ledger: each weight crossing warn and flag,
 * excused reasons (free ones, then counted), the rolling window with
 * injected times, unsorted and hostile input, custom policies, and the
 * reason -> kind mapping; one event per task and the span a flag needs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <string.h>

#include <cmocka.h>

#include "policy.h"

#define DAY INT64_C(86400)
#define NOW INT64_C(1735689600)            /* 2025-01-01T00:00:00Z */
#define YEAR (365 * DAY)
#define MAX_EV 64

/* n events of one kind, one a day, the newest a day before NOW. */
static size_t fill(struct policy_event *ev, int kind, size_t n)
{
	assert_true(n <= MAX_EV);
	for (size_t i = 0; i < n; i++) {
		ev[i].at = NOW - (int64_t)(i + 1) * DAY;
		ev[i].kind = kind;
		ev[i].task = 0;   /* no task: each counts */
	}
	return n;
}

/* Score of n same-kind events under p; checks the level too. */
static void expect_kind(const struct policy *p, int kind, size_t n,
                        int want_score, enum policy_level want_level)
{
	struct policy_event ev[MAX_EV];
	fill(ev, kind, n);
	int score = -12345;
	bool counted[MAX_EV];
	enum policy_level lv = policy_evaluate(p, ev, n, NOW, counted, &score);
	if (score != want_score || lv != want_level)
		print_error("kind %d x%zu: score %d level %d, want %d level %d\n",
		            kind, n, score, (int)lv, want_score, (int)want_level);
	assert_int_equal(score, want_score);
	assert_int_equal(lv, want_level);
}

static int score_at(const struct policy *p, const struct policy_event *ev,
                    size_t n, int64_t now, enum policy_level *lv)
{
	int score = -12345;
	bool counted[MAX_EV];
	assert_true(n <= MAX_EV);
	enum policy_level l = policy_evaluate(p, ev, n, now, counted, &score);
	if (lv != NULL)
		*lv = l;
	return score;
}

/* The score rules alone: these tests' events lie days apart, so the
 * span rule (pinned by test_flag_span) is off here. */
static void score_defaults(struct policy *p)
{
	policy_defaults(p);
	p->flag_span_days = 0;
}

static void test_defaults(void **state)
{
	(void)state;
	struct policy p;
	memset(&p, 0x5a, sizeof p);
	policy_defaults(&p);
	assert_int_equal(p.weight[POLICY_DECLINE], 1);
	assert_int_equal(p.weight[POLICY_EXCUSED], 1);
	assert_int_equal(p.weight[POLICY_EXPIRY], 1);
	assert_int_equal(p.weight[POLICY_WITHDRAWAL], 2);
	assert_int_equal(p.weight[POLICY_NO_SHOW], 3);
	assert_true(p.excused[POLICY_REASON_CONFLICT]);
	assert_true(p.excused[POLICY_REASON_ILLNESS]);
	assert_true(p.excused[POLICY_REASON_OFFICIAL_DUTY]);
	assert_false(p.excused[POLICY_REASON_SCHEDULE]);
	assert_false(p.excused[POLICY_REASON_OTHER]);
	assert_int_equal(p.excused_free, 2);
	assert_int_equal(p.window_days, 365);
	assert_int_equal(p.warn_at, 3);
	assert_int_equal(p.flag_at, 5);
	assert_int_equal(p.flag_span_days, 90);
}

static void test_names(void **state)
{
	(void)state;
	static const char *const kinds[] = {"decline", "excused_decline",
		"expiry", "withdrawal", "no_show"};
	static const char *const reasons[] = {"conflict", "illness",
		"official_duty", "schedule", "other"};
	assert_int_equal(sizeof kinds / sizeof kinds[0], POLICY_KIND__COUNT);
	assert_int_equal(sizeof reasons / sizeof reasons[0], POLICY_REASON__COUNT);
	for (int i = 0; i < POLICY_KIND__COUNT; i++)
		assert_string_equal(policy_kind_names[i], kinds[i]);
	for (int i = 0; i < POLICY_REASON__COUNT; i++)
		assert_string_equal(policy_reason_names[i], reasons[i]);
}

/* Weight 1: 2 ok, 3 warn (exactly warn_at), 4 warn, 5 flag (exactly flag_at). */
static void test_weight_one_kinds(void **state)
{
	(void)state;
	struct policy p;
	score_defaults(&p);
	static const int kinds[] = {POLICY_DECLINE, POLICY_EXPIRY};
	for (size_t k = 0; k < 2; k++) {
		expect_kind(&p, kinds[k], 0, 0, POLICY_OK);
		expect_kind(&p, kinds[k], 1, 1, POLICY_OK);
		expect_kind(&p, kinds[k], 2, 2, POLICY_OK);
		expect_kind(&p, kinds[k], 3, 3, POLICY_WARN);
		expect_kind(&p, kinds[k], 4, 4, POLICY_WARN);
		expect_kind(&p, kinds[k], 5, 5, POLICY_FLAG);
		expect_kind(&p, kinds[k], 9, 9, POLICY_FLAG);
	}
}

static void test_withdrawal_weight(void **state)
{
	(void)state;
	struct policy p;
	score_defaults(&p);
	expect_kind(&p, POLICY_WITHDRAWAL, 1, 2, POLICY_OK);
	expect_kind(&p, POLICY_WITHDRAWAL, 2, 4, POLICY_WARN);
	expect_kind(&p, POLICY_WITHDRAWAL, 3, 6, POLICY_FLAG);
}

static void test_no_show_weight(void **state)
{
	(void)state;
	struct policy p;
	score_defaults(&p);
	expect_kind(&p, POLICY_NO_SHOW, 1, 3, POLICY_WARN);
	expect_kind(&p, POLICY_NO_SHOW, 2, 6, POLICY_FLAG);
}

/* Kinds add up: withdrawal 2 + no-show 3 = 5 flags; one decline less warns. */
static void test_mixed_kinds(void **state)
{
	(void)state;
	struct policy p;
	score_defaults(&p);
	struct policy_event ev[] = {
		{NOW - 10 * DAY, POLICY_WITHDRAWAL, 0},
		{NOW - 20 * DAY, POLICY_NO_SHOW, 0},
	};
	enum policy_level lv;
	assert_int_equal(score_at(&p, ev, 2, NOW, &lv), 5);
	assert_int_equal(lv, POLICY_FLAG);
	ev[0].kind = POLICY_EXPIRY;
	assert_int_equal(score_at(&p, ev, 2, NOW, &lv), 4);
	assert_int_equal(lv, POLICY_WARN);
	ev[1].kind = POLICY_DECLINE;
	assert_int_equal(score_at(&p, ev, 2, NOW, &lv), 2);
	assert_int_equal(lv, POLICY_OK);
}

/* Two excused declines are free, then each weighs 1. */
static void test_excused(void **state)
{
	(void)state;
	struct policy p;
	score_defaults(&p);
	expect_kind(&p, POLICY_EXCUSED, 1, 0, POLICY_OK);
	expect_kind(&p, POLICY_EXCUSED, 2, 0, POLICY_OK);
	expect_kind(&p, POLICY_EXCUSED, 3, 1, POLICY_OK);
	expect_kind(&p, POLICY_EXCUSED, 5, 3, POLICY_WARN);
	expect_kind(&p, POLICY_EXCUSED, 7, 5, POLICY_FLAG);

	/* The free allowance is per window: once the oldest excused decline
	 * leaves the window, two are left and both are free. */
	struct policy_event ev[] = {
		{NOW - 300 * DAY, POLICY_EXCUSED, 0},
		{NOW - 200 * DAY, POLICY_EXCUSED, 0},
		{NOW - 100 * DAY, POLICY_EXCUSED, 0},
	};
	assert_int_equal(score_at(&p, ev, 3, NOW, NULL), 1);
	assert_int_equal(score_at(&p, ev, 3, NOW + 65 * DAY, NULL), 0);

	/* Excused declines do not spend the allowance of other kinds. */
	struct policy_event mix[] = {
		{NOW - 1 * DAY, POLICY_DECLINE, 0},
		{NOW - 2 * DAY, POLICY_EXCUSED, 0},
		{NOW - 3 * DAY, POLICY_DECLINE, 0},
		{NOW - 4 * DAY, POLICY_EXCUSED, 0},
		{NOW - 5 * DAY, POLICY_EXCUSED, 0},
	};
	assert_int_equal(score_at(&p, mix, 5, NOW, NULL), 3);
}

static void test_excused_custom(void **state)
{
	(void)state;
	struct policy p;
	score_defaults(&p);
	p.excused_free = 1;
	p.weight[POLICY_EXCUSED] = 4;
	expect_kind(&p, POLICY_EXCUSED, 1, 0, POLICY_OK);
	expect_kind(&p, POLICY_EXCUSED, 2, 4, POLICY_WARN);
	expect_kind(&p, POLICY_EXCUSED, 3, 8, POLICY_FLAG);
	p.excused_free = 0;
	expect_kind(&p, POLICY_EXCUSED, 1, 4, POLICY_WARN);
	p.excused_free = -3;            /* nonsense counts as none free */
	expect_kind(&p, POLICY_EXCUSED, 1, 4, POLICY_WARN);
	p.excused_free = 100;
	expect_kind(&p, POLICY_EXCUSED, 50, 0, POLICY_OK);
}

/* The window is (now - window_days, now]. */
static void test_window_edges(void **state)
{
	(void)state;
	struct policy p;
	score_defaults(&p);
	struct policy_event ev = {NOW - YEAR, POLICY_NO_SHOW, 0};
	assert_int_equal(score_at(&p, &ev, 1, NOW, NULL), 0);
	ev.at = NOW - YEAR + 1;
	assert_int_equal(score_at(&p, &ev, 1, NOW, NULL), 3);
	ev.at = NOW;
	assert_int_equal(score_at(&p, &ev, 1, NOW, NULL), 3);
	ev.at = NOW + 1;                /* the future is not counted */
	assert_int_equal(score_at(&p, &ev, 1, NOW, NULL), 0);
	ev.at = NOW + YEAR;
	assert_int_equal(score_at(&p, &ev, 1, NOW, NULL), 0);

	/* A custom window. */
	p.window_days = 30;
	ev.at = NOW - 30 * DAY;
	assert_int_equal(score_at(&p, &ev, 1, NOW, NULL), 0);
	ev.at = NOW - 30 * DAY + 1;
	assert_int_equal(score_at(&p, &ev, 1, NOW, NULL), 3);

	/* An empty window counts nothing. */
	p.window_days = 0;
	ev.at = NOW;
	assert_int_equal(score_at(&p, &ev, 1, NOW, NULL), 0);
	p.window_days = -1;
	assert_int_equal(score_at(&p, &ev, 1, NOW, NULL), 0);
}

/* The same ledger evaluated as time passes: flag, then warn, then ok,
 * with events entering (future ones) and leaving the window. */
static void test_window_slides(void **state)
{
	(void)state;
	struct policy p;
	score_defaults(&p);
	const int64_t t0 = NOW;
	struct policy_event ev[] = {
		{t0, POLICY_NO_SHOW, 0},                   /* 3 */
		{t0 + 100 * DAY, POLICY_WITHDRAWAL, 0},    /* 2 */
		{t0 + 200 * DAY, POLICY_DECLINE, 0},       /* 1 */
	};
	enum policy_level lv;
	assert_int_equal(score_at(&p, ev, 3, t0 - 1, &lv), 0);
	assert_int_equal(lv, POLICY_OK);
	assert_int_equal(score_at(&p, ev, 3, t0, &lv), 3);
	assert_int_equal(lv, POLICY_WARN);
	assert_int_equal(score_at(&p, ev, 3, t0 + 100 * DAY - 1, &lv), 3);
	assert_int_equal(score_at(&p, ev, 3, t0 + 100 * DAY, &lv), 5);
	assert_int_equal(lv, POLICY_FLAG);
	assert_int_equal(score_at(&p, ev, 3, t0 + 200 * DAY, &lv), 6);
	assert_int_equal(lv, POLICY_FLAG);
	/* the no-show is a year old one second later */
	assert_int_equal(score_at(&p, ev, 3, t0 + YEAR - 1, &lv), 6);
	assert_int_equal(score_at(&p, ev, 3, t0 + YEAR, &lv), 3);
	assert_int_equal(lv, POLICY_WARN);
	assert_int_equal(score_at(&p, ev, 3, t0 + 100 * DAY + YEAR, &lv), 1);
	assert_int_equal(lv, POLICY_OK);
	assert_int_equal(score_at(&p, ev, 3, t0 + 200 * DAY + YEAR, &lv), 0);
	assert_int_equal(lv, POLICY_OK);
}

/* Order does not matter, and the ledger is left as it was. */
static void test_unsorted_input(void **state)
{
	(void)state;
	struct policy p;
	score_defaults(&p);
	struct policy_event ev[] = {
		{NOW - 3 * DAY, POLICY_EXCUSED, 0},
		{NOW + 5 * DAY, POLICY_NO_SHOW, 0},        /* future */
		{NOW - 400 * DAY, POLICY_EXCUSED, 0},      /* out of window */
		{NOW - 1 * DAY, POLICY_EXCUSED, 0},
		{NOW - 200 * DAY, POLICY_DECLINE, 0},
		{NOW - 9 * DAY, POLICY_EXCUSED, 0},
		{NOW - 500 * DAY, POLICY_WITHDRAWAL, 0},   /* out of window */
		{NOW - 2 * DAY, POLICY_EXPIRY, 0},
	};
	const size_t n = sizeof ev / sizeof ev[0];
	struct policy_event copy[sizeof ev / sizeof ev[0]];
	memcpy(copy, ev, sizeof ev);
	/* 3 excused in window: 2 free + 1, decline 1, expiry 1 */
	enum policy_level lv;
	assert_int_equal(score_at(&p, ev, n, NOW, &lv), 3);
	assert_int_equal(lv, POLICY_WARN);
	assert_memory_equal(ev, copy, sizeof ev);

	/* Every rotation of the ledger scores the same. */
	struct policy_event rot[sizeof ev / sizeof ev[0]];
	for (size_t r = 0; r < n; r++) {
		for (size_t i = 0; i < n; i++)
			rot[i] = ev[(i + r) % n];
		assert_int_equal(score_at(&p, rot, n, NOW, NULL), 3);
	}
}

static void test_custom_policies(void **state)
{
	(void)state;
	struct policy p;
	score_defaults(&p);

	/* Weight 0: declines are recorded but do not count. */
	p.weight[POLICY_DECLINE] = 0;
	expect_kind(&p, POLICY_DECLINE, 20, 0, POLICY_OK);
	expect_kind(&p, POLICY_EXPIRY, 3, 3, POLICY_WARN);

	/* warn_at 0: no warning level, flag still works. */
	score_defaults(&p);
	p.warn_at = 0;
	expect_kind(&p, POLICY_DECLINE, 0, 0, POLICY_OK);
	expect_kind(&p, POLICY_DECLINE, 4, 4, POLICY_OK);
	expect_kind(&p, POLICY_DECLINE, 5, 5, POLICY_FLAG);

	/* flag_at 0: nobody is flagged, warnings still come. */
	score_defaults(&p);
	p.flag_at = 0;
	expect_kind(&p, POLICY_DECLINE, 2, 2, POLICY_OK);
	expect_kind(&p, POLICY_DECLINE, 3, 3, POLICY_WARN);
	expect_kind(&p, POLICY_DECLINE, 40, 40, POLICY_WARN);

	/* Both off: the score is still reported. */
	p.warn_at = 0;
	expect_kind(&p, POLICY_NO_SHOW, 10, 30, POLICY_OK);

	/* Stricter thresholds: one decline flags. */
	score_defaults(&p);
	p.warn_at = 1;
	p.flag_at = 1;
	expect_kind(&p, POLICY_DECLINE, 1, 1, POLICY_FLAG);
	expect_kind(&p, POLICY_EXCUSED, 2, 0, POLICY_OK);

	/* Custom weights per kind. */
	score_defaults(&p);
	p.weight[POLICY_EXPIRY] = 5;
	expect_kind(&p, POLICY_EXPIRY, 1, 5, POLICY_FLAG);
}

/* A ledger row of a kind this build does not know weighs nothing;
 * absurd weights saturate instead of overflowing. */
static void test_hostile_input(void **state)
{
	(void)state;
	struct policy p;
	score_defaults(&p);
	struct policy_event ev[] = {
		{NOW - DAY, -1, 0},
		{NOW - DAY, POLICY_KIND__COUNT, 0},
		{NOW - DAY, 1000, 0},
		{NOW - DAY, POLICY_DECLINE, 0},
	};
	assert_int_equal(score_at(&p, ev, 4, NOW, NULL), 1);

	enum policy_level lv;
	assert_int_equal(score_at(&p, NULL, 0, NOW, &lv), 0);
	assert_int_equal(lv, POLICY_OK);
	/* score may be NULL when only the level matters */
	bool counted[4];
	assert_int_equal(policy_evaluate(&p, ev, 4, NOW, counted, NULL), POLICY_OK);

	p.weight[POLICY_NO_SHOW] = INT_MAX;
	expect_kind(&p, POLICY_NO_SHOW, 3, INT_MAX, POLICY_FLAG);
	p.weight[POLICY_NO_SHOW] = INT_MIN;
	expect_kind(&p, POLICY_NO_SHOW, 3, INT_MIN, POLICY_OK);

	/* Times at the ends of int64 neither overflow nor count wrongly. */
	score_defaults(&p);
	struct policy_event far[] = {
		{INT64_MIN, POLICY_NO_SHOW, 0},
		{INT64_MAX, POLICY_NO_SHOW, 0},
	};
	assert_int_equal(score_at(&p, far, 2, NOW, NULL), 0);
	assert_int_equal(score_at(&p, far, 2, INT64_MIN, NULL), 3);
	assert_int_equal(score_at(&p, far, 2, INT64_MIN + YEAR, NULL), 0);
	assert_int_equal(score_at(&p, far, 2, INT64_MIN + YEAR - 1, NULL), 3);
	assert_int_equal(score_at(&p, far, 2, INT64_MAX, NULL), 3);
	p.window_days = INT_MAX;
	assert_int_equal(score_at(&p, far, 2, INT64_MAX, NULL), 3);
}

static void test_decline_kind(void **state)
{
	(void)state;
	struct policy p;
	policy_defaults(&p);
	assert_int_equal(policy_decline_kind(&p, POLICY_REASON_CONFLICT), POLICY_EXCUSED);
	assert_int_equal(policy_decline_kind(&p, POLICY_REASON_ILLNESS), POLICY_EXCUSED);
	assert_int_equal(policy_decline_kind(&p, POLICY_REASON_OFFICIAL_DUTY), POLICY_EXCUSED);
	assert_int_equal(policy_decline_kind(&p, POLICY_REASON_SCHEDULE), POLICY_DECLINE);
	assert_int_equal(policy_decline_kind(&p, POLICY_REASON_OTHER), POLICY_DECLINE);
	/* unknown reasons are no excuse */
	assert_int_equal(policy_decline_kind(&p, -1), POLICY_DECLINE);
	assert_int_equal(policy_decline_kind(&p, POLICY_REASON__COUNT), POLICY_DECLINE);

	/* The mapping follows the policy, not a fixed list. */
	p.excused[POLICY_REASON_ILLNESS] = false;
	p.excused[POLICY_REASON_SCHEDULE] = true;
	assert_int_equal(policy_decline_kind(&p, POLICY_REASON_ILLNESS), POLICY_DECLINE);
	assert_int_equal(policy_decline_kind(&p, POLICY_REASON_SCHEDULE), POLICY_EXCUSED);

	/* Through to the score: three schedule declines, two of them free. */
	struct policy_event ev[3];
	for (int i = 0; i < 3; i++) {
		ev[i].at = NOW - (i + 1) * DAY;
		ev[i].kind = policy_decline_kind(&p, POLICY_REASON_SCHEDULE);
		ev[i].task = i + 1;
	}
	assert_int_equal(score_at(&p, ev, 3, NOW, NULL), 1);
	for (int i = 0; i < 3; i++)
		ev[i].kind = policy_decline_kind(&p, POLICY_REASON_ILLNESS);
	assert_int_equal(score_at(&p, ev, 3, NOW, NULL), 3);
}

/* At most one event per task counts: its heaviest, then its earliest;
 * task 0 is no task; events outside the window compete with nothing. */
static void test_one_event_per_task(void **state)
{
	(void)state;
	struct policy p;
	score_defaults(&p);
	struct policy_event ev[] = {
		{NOW - 3 * DAY, POLICY_DECLINE, 7},
		{NOW - 2 * DAY, POLICY_NO_SHOW, 7},
		{NOW - 1 * DAY, POLICY_EXPIRY, 7},
		{NOW - 2 * DAY, POLICY_DECLINE, 8},
		{NOW - 1 * DAY, POLICY_DECLINE, 0},
		{NOW - 1 * DAY, POLICY_DECLINE, 0},
	};
	bool counted[6];
	int score = 0;
	policy_evaluate(&p, ev, 6, NOW, counted, &score);
	assert_int_equal(score, 3 + 1 + 1 + 1);
	bool want[] = {false, true, false, true, true, true};
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(counted[i], want[i]);
	/* Whatever the order. */
	struct policy_event rev[6];
	for (size_t i = 0; i < 6; i++)
		rev[i] = ev[5 - i];
	assert_int_equal(score_at(&p, rev, 6, NOW, NULL), 6);
	/* Equal weights: the earlier counts, and only once. */
	struct policy_event tie[] = {
		{NOW - 1 * DAY, POLICY_EXPIRY, 9},
		{NOW - 5 * DAY, POLICY_DECLINE, 9},
	};
	policy_evaluate(&p, tie, 2, NOW, counted, &score);
	assert_int_equal(score, 1);
	assert_false(counted[0]);
	assert_true(counted[1]);
	/* A heavier event of the task outside the window does not hide one inside. */
	struct policy_event old[] = {
		{NOW - 2 * YEAR, POLICY_NO_SHOW, 4},
		{NOW - DAY, POLICY_DECLINE, 4},
	};
	policy_evaluate(&p, old, 2, NOW, counted, &score);
	assert_int_equal(score, 1);
	assert_false(counted[0]);
	assert_true(counted[1]);
	/* Excused declines of one task are one excused decline. */
	struct policy_event exc[] = {
		{NOW - 3 * DAY, POLICY_EXCUSED, 5},
		{NOW - 2 * DAY, POLICY_EXCUSED, 5},
		{NOW - 1 * DAY, POLICY_EXCUSED, 5},
	};
	assert_int_equal(score_at(&p, exc, 3, NOW, NULL), 0);
}

/* 第十七条's 长期: the score reaches flag_at and the weighing events span
 * at least flag_span_days, or it is only a warning. */
static void test_flag_span(void **state)
{
	(void)state;
	struct policy p;
	policy_defaults(&p);            /* flag_at 5, span 90 days */
	struct policy_event ev[6];
	for (int i = 0; i < 5; i++)     /* five declines within a minute */
		ev[i] = (struct policy_event){NOW - 60 + i * 10, POLICY_DECLINE, 10 + i};
	enum policy_level lv;
	assert_int_equal(score_at(&p, ev, 5, NOW, &lv), 5);
	assert_int_equal(lv, POLICY_WARN);
	/* Spread over exactly the span: a flag; a second less: a warning. */
	ev[0].at = ev[4].at - 90 * DAY;
	assert_int_equal(score_at(&p, ev, 5, NOW, &lv), 5);
	assert_int_equal(lv, POLICY_FLAG);
	ev[0].at = ev[4].at - 90 * DAY + 1;
	score_at(&p, ev, 5, NOW, &lv);
	assert_int_equal(lv, POLICY_WARN);
	/* A free excused decline long ago weighs nothing and spans nothing. */
	ev[0].at = NOW - 60;
	ev[5] = (struct policy_event){NOW - 200 * DAY, POLICY_EXCUSED, 99};
	assert_int_equal(score_at(&p, ev, 6, NOW, &lv), 5);
	assert_int_equal(lv, POLICY_WARN);
	/* Nor does an event of a kind weighted 0. */
	ev[5].kind = POLICY_EXPIRY;
	p.weight[POLICY_EXPIRY] = 0;
	score_at(&p, ev, 6, NOW, &lv);
	assert_int_equal(lv, POLICY_WARN);
	/* Counted once its weight is not 0. */
	p.weight[POLICY_EXPIRY] = 1;
	assert_int_equal(score_at(&p, ev, 6, NOW, &lv), 6);
	assert_int_equal(lv, POLICY_FLAG);
	/* Span 0: the score alone flags; no warn level: a short span is ok. */
	p.flag_span_days = 0;
	assert_int_equal(score_at(&p, ev, 5, NOW, &lv), 5);
	assert_int_equal(lv, POLICY_FLAG);
	p.flag_span_days = 90;
	p.warn_at = 0;
	score_at(&p, ev, 5, NOW, &lv);
	assert_int_equal(lv, POLICY_OK);
	/* Times at the ends of int64 do not overflow the span. */
	policy_defaults(&p);
	p.window_days = INT_MAX;
	p.flag_at = 2;
	p.warn_at = 1;
	struct policy_event far[] = {
		{INT64_MIN, POLICY_DECLINE, 1},
		{INT64_MIN + 1, POLICY_DECLINE, 2},
	};
	assert_int_equal(score_at(&p, far, 2, INT64_MIN + 1, &lv), 2);
	assert_int_equal(lv, POLICY_WARN);
	far[0].at = INT64_MAX - 90 * DAY;
	far[1].at = INT64_MAX;
	assert_int_equal(score_at(&p, far, 2, INT64_MAX, &lv), 2);
	assert_int_equal(lv, POLICY_FLAG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_weight_one_kinds),
		cmocka_unit_test(test_withdrawal_weight),
		cmocka_unit_test(test_no_show_weight),
		cmocka_unit_test(test_mixed_kinds),
		cmocka_unit_test(test_excused),
		cmocka_unit_test(test_excused_custom),
		cmocka_unit_test(test_window_edges),
		cmocka_unit_test(test_window_slides),
		cmocka_unit_test(test_unsorted_input),
		cmocka_unit_test(test_custom_policies),
		cmocka_unit_test(test_hostile_input),
		cmocka_unit_test(test_decline_kind),
		cmocka_unit_test(test_one_event_per_task),
		cmocka_unit_test(test_flag_span),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
