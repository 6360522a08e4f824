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

/*
 * "The first excused_free excused declines by time are free" makes the
 * score depend only on how many excused declines fall in the window, never
 * on their order: all excused events beyond the free ones weigh the same.
 * So the ledger is counted in one pass, unsorted and unallocated.
 */
enum policy_level policy_evaluate(const struct policy *p,
                                  const struct policy_event *ev, size_t n,
                                  int64_t now, int *score)
{
	assert(p != NULL);
	assert(ev != NULL || n == 0);
	int64_t window = p->window_days > 0 ? p->window_days * POLICY_DAY_SECONDS : 0;
	int free_left = p->excused_free;   /* <= 0: none free */
	int64_t sum = 0;

	for (size_t i = 0; i < n; i++) {
		int kind = ev[i].kind;
		/* A kind this build does not know weighs nothing. */
		if (kind < 0 || kind >= POLICY_KIND__COUNT)
			continue;
		if (window == 0 || !policy_in_window(ev[i].at, now, window))
			continue;
		if (kind == POLICY_EXCUSED && free_left > 0) {
			free_left--;
			continue;
		}
		sum = policy_add(sum, p->weight[kind]);
	}
	if (score != NULL)
		*score = (int)sum;
	if (p->flag_at > 0 && sum >= p->flag_at)
		return POLICY_FLAG;
	if (p->warn_at > 0 && sum >= p->warn_at)
		return POLICY_WARN;
	return POLICY_OK;
}
