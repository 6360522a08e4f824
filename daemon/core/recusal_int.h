/*
 * recusal_int.h - private to recusal*.c: the rule predicates both the
 * per-expert check (recusal.c) and the bucket scan (recusal_scan.c) use,
 * so that the two cannot drift apart. Inline: small, and the scan's slow
 * paths still run them for many experts.
 */
#ifndef EXPERTD_RECUSAL_INT_H
#define EXPERTD_RECUSAL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eligibility.h"
#include "ident.h"
#include "recusal.h"

#define RECUSAL_DAY_SECONDS INT64_C(86400)

/* An org code never seen is interned as 0 and concerns nobody. */
static inline bool recusal_task_has_org(const struct recusal_task *t, uint32_t org)
{
	if (org == 0)
		return false;
	for (int i = 0; i < t->n_orgs; i++)
		if (t->orgs[i] == org)
			return true;
	return false;
}

/* |a - b| without signed overflow, whatever the stored times. */
static inline uint64_t recusal_distance(int64_t a, int64_t b)
{
	return a >= b ? (uint64_t)a - (uint64_t)b : (uint64_t)b - (uint64_t)a;
}

/* Seconds in `days` days; 0 or less gives 0. */
static inline uint64_t recusal_window(int days)
{
	return days > 0 ? (uint64_t)days * (uint64_t)RECUSAL_DAY_SECONDS : 0;
}

/* Older than the limit on day `on`. A draw checks every expert of a
 * bucket, so the calendar is consulted only near the limit: the years up
 * to the next birthday span between 365 and 366 days each. */
static inline bool recusal_is_over_age(int32_t birth, int32_t on)
{
	const int64_t years = ELIGIBILITY_MAX_AGE + 1, lived = (int64_t)on - birth;
	if (lived < years * 365)
		return false;
	if (lived >= years * 366)
		return true;
	return ident_age_on(birth, on) > ELIGIBILITY_MAX_AGE;
}

static inline bool recusal_fails_employer(const struct pool_slim *pe,
                                          const struct recusal_task *t)
{
	return recusal_task_has_org(t, pe->employer_org);
}

static inline bool recusal_fails_recommender(const struct pool_slim *pe,
                                             const struct recusal_task *t)
{
	return recusal_task_has_org(t, pe->recommender_org);
}

/* A conflict counts when its days [valid_from, valid_to] (valid_to 0 =
 * open-ended) meet the task's days [start_day, end_day]. */
static inline bool recusal_fails_conflict(const struct engage_conflict *c, size_t n,
                                          const struct recusal_task *t)
{
	for (size_t i = 0; i < n; i++) {
		if (!recusal_task_has_org(t, c[i].org))
			continue;
		if (c[i].valid_from <= t->end_day &&
		    (c[i].valid_to == 0 || c[i].valid_to >= t->start_day))
			return true;
	}
	return false;
}

/* Rule 12: a declared period shares a day with the task. */
static inline bool recusal_is_away(const struct engage_away *w,
                                   const struct recusal_task *t)
{
	return w->from <= t->end_day && w->to >= t->start_day;
}

static inline bool recusal_state_is_live(int state)
{
	return state == ASSIGN_OFFERED || state == ASSIGN_ACCEPTED;
}

static inline bool recusal_state_is_served(int state)
{
	return recusal_state_is_live(state) || state == ASSIGN_COMPLETED;
}

#endif
