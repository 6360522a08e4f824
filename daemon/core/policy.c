/*
 * policy.c - scores an expert's decline ledger against the policy of
 * policy.h and names the level (ok, warn, flag). Pure: the ledger and the
 * time of evaluation come from the caller.
 */
#include <assert.h>
#include <limits.h>
#include <string.h>

#include "policy.h"
#include "proto.h"

/* The wire's decline reasons and ledger levels are these enums' names. */
_Static_assert(POLICY_REASON__COUNT == PROTO_DECLINE_REASONS_COUNT,
               "enum policy_reason and proto_decline_reasons differ");
_Static_assert(POLICY_FLAG + 1 == PROTO_LEDGER_LEVELS_COUNT,
               "enum policy_level and proto_ledger_levels differ");

#define POLICY_DAY_SECONDS INT64_C(86400)

const char *const policy_kind_names[POLICY_KIND__COUNT + 1] = {
	[POLICY_DECLINE] = "decline",
	[POLICY_EXCUSED] = "excused_decline",
	[POLICY_EXPIRY] = "expiry",
	[POLICY_WITHDRAWAL] = "withdrawal",
	[POLICY_NO_SHOW] = "no_show",
};

const char *const policy_reason_names[POLICY_REASON__COUNT + 1] = {
	[POLICY_REASON_CONFLICT] = "conflict",
	[POLICY_REASON_ILLNESS] = "illness",
	[POLICY_REASON_OFFICIAL_DUTY] = "official_duty",
	[POLICY_REASON_SCHEDULE] = "schedule",
	[POLICY_REASON_OTHER] = "other",
};

void policy_defaults(struct policy *p)
{
	assert(p != NULL);
	memset(p, 0, sizeof *p);
	p->weight[POLICY_DECLINE] = 1;
	p->weight[POLICY_EXCUSED] = 1;
	p->weight[POLICY_EXPIRY] = 1;
	p->weight[POLICY_WITHDRAWAL] = 2;
	p->weight[POLICY_NO_SHOW] = 3;
	p->excused[POLICY_REASON_CONFLICT] = true;
	p->excused[POLICY_REASON_ILLNESS] = true;
	p->excused[POLICY_REASON_OFFICIAL_DUTY] = true;
	p->excused_free = 2;
	p->window_days = 365;
	p->flag_span_days = 90;
	p->warn_at = 3;
	p->flag_at = 5;
}

int policy_decline_kind(const struct policy *p, int reason)
{
	assert(p != NULL);
	/* A reason the policy does not know is not an excuse. */
	if (reason < 0 || reason >= POLICY_REASON__COUNT)
		return POLICY_DECLINE;
	return p->excused[reason] ? POLICY_EXCUSED : POLICY_DECLINE;
}

/* Within the window (now - window, now]. Written as two comparisons
 * against `at` so that no subtraction of ledger times can overflow. */
static bool policy_in_window(int64_t at, int64_t now, int64_t window)
{
	if (at > now)
		return false;
	if (now < INT64_MIN + window)   /* the window reaches before time began */
		return true;
	return at > now - window;
}

/* Weights come from a config file: saturate rather than overflow. */
static int64_t policy_add(int64_t acc, int w)
{
	acc += w;
	if (acc > INT_MAX)
		return INT_MAX;
	if (acc < INT_MIN)
		return INT_MIN;
	return acc;
}

/* Scored at all: a kind this build knows, inside the window. */
static bool policy_is_live(const struct policy_event *e, int64_t now, int64_t window)
{
	/* A kind this build does not know weighs nothing. */
	if (e->kind < 0 || e->kind >= POLICY_KIND__COUNT)
		return false;
	return window != 0 && policy_in_window(e->at, now, window);
}

/* Of two events of one task, which one the task counts: the heavier,
 * then the earlier, then the first given. Strict and total, so exactly
 * one event of each task wins whatever the order of the ledger. */
static bool policy_outranks(const struct policy *p, const struct policy_event *ev,
                            size_t a, size_t b)
{
	int wa = p->weight[ev[a].kind], wb = p->weight[ev[b].kind];
	if (wa != wb)
		return wa > wb;
	if (ev[a].at != ev[b].at)
		return ev[a].at < ev[b].at;
	return a < b;
}

/* counted[i]: live, and no live event of the same task outranks it
 * (POLICY.md 6.2: at most one event per task). Task 0 is no task. */
static void policy_mark(const struct policy *p, const struct policy_event *ev,
                        size_t n, int64_t now, int64_t window, bool *counted)
{
	for (size_t i = 0; i < n; i++) {
		counted[i] = policy_is_live(&ev[i], now, window);
		for (size_t j = 0; counted[i] && ev[i].task != 0 && j < n; j++)
			if (j != i && ev[j].task == ev[i].task &&
			    policy_is_live(&ev[j], now, window) && policy_outranks(p, ev, j, i))
				counted[i] = false;
	}
}

/* A counted excused decline among the first excused_free of them by
 * time (then by position) weighs 0. */
static bool policy_is_free(const struct policy *p, const struct policy_event *ev,
                           size_t n, const bool *counted, size_t i)
{
	if (ev[i].kind != POLICY_EXCUSED || p->excused_free <= 0)
		return false;
	int earlier = 0;
	for (size_t j = 0; j < n; j++)
		if (counted[j] && ev[j].kind == POLICY_EXCUSED &&
		    (ev[j].at < ev[i].at || (ev[j].at == ev[i].at && j < i)))
			earlier++;
	return earlier < p->excused_free;
}

/* Whether [first, last] spans at least span seconds, without overflow:
 * last - first >= span  <=>  first <= last - span. */
static bool policy_spans(int64_t first, int64_t last, int64_t span)
{
	if (span <= 0)
		return true;
	if (last < INT64_MIN + span)
		return false;
	return first <= last - span;
}

/*
 * Two passes over the unsorted ledger, O(n^2) in the events of one
 * expert: which event each task counts, then the free excused ones and
 * the weights. The caller's counted[] is the only storage.
 */
enum policy_level policy_evaluate(const struct policy *p,
                                  const struct policy_event *ev, size_t n,
                                  int64_t now, bool *counted, int *score)
{
	assert(p != NULL);
	assert((ev != NULL && counted != NULL) || n == 0);
	int64_t window = p->window_days > 0 ? p->window_days * POLICY_DAY_SECONDS : 0;
	int64_t sum = 0, first = INT64_MAX, last = INT64_MIN;

	policy_mark(p, ev, n, now, window, counted);
	for (size_t i = 0; i < n; i++) {
		if (!counted[i] || policy_is_free(p, ev, n, counted, i))
			continue;
		int w = p->weight[ev[i].kind];
		sum = policy_add(sum, w);
		if (w > 0) {
			first = ev[i].at < first ? ev[i].at : first;
			last = ev[i].at > last ? ev[i].at : last;
		}
	}
	if (score != NULL)
		*score = (int)sum;
	int64_t span = p->flag_span_days > 0 ? p->flag_span_days * POLICY_DAY_SECONDS : 0;
	if (p->flag_at > 0 && sum >= p->flag_at && first <= last &&
	    policy_spans(first, last, span))
		return POLICY_FLAG;
	if (p->warn_at > 0 && sum >= p->warn_at)
		return POLICY_WARN;
	return POLICY_OK;
}
