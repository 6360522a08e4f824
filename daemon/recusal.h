/*
 * recusal.h - who may be drawn for a task (第十九条 随机、回避): each
 * eligibility and recusal condition is a named rule, checked in a fixed
 * order; the first rule that fails is the one an exclusion is counted
 * under. Pure: the task's dates stand in for "now".
 */
#ifndef EXPERTD_RECUSAL_H
#define EXPERTD_RECUSAL_H

#include <stdbool.h>
#include <stdint.h>

#include "engage.h"
#include "pool.h"
#include "task.h"

/* Order = check order = index into recusal_rule_names[]. */
enum recusal_rule {
	RULE_OK = 0,
	RULE_STATUS,       /* not active (or suspended through the task start) */
	RULE_TERM,         /* no valid term covering the task dates */
	RULE_CAPABILITY,   /* lacks the task-type capability the kind needs */
	RULE_AGE,          /* over 65 on the start date, no relaxation ground */
	RULE_EXCLUDED,     /* 6: named by the request */
	RULE_EMPLOYER,     /* 1: works for an organisation concerned */
	RULE_RECOMMENDER,  /* 2: recommended by an organisation concerned */
	RULE_CONFLICT,     /* 3: declared conflict valid on the task dates */
	RULE_OVERLAP,      /* 4: offered/accepted on an overlapping task */
	RULE_ROTATION,     /* 5: served on the same organisation within the window */
	RULE_EXPOSURE,     /* 8: reached the assignment cap in the rolling window */
	RULE__COUNT
};
/* Panel diversity (rule 7) acts during selection (draw.h); its drops are
 * counted separately under "diversity". */

extern const char *const recusal_rule_names[RULE__COUNT];

/* Rule parameters, from the configuration; recorded in every transcript. */
struct recusal_config {
	int rotation_days;     /* rule 5 window; 0 = off; default 365 */
	int exposure_cap;      /* rule 8: max assignments in the window; 0 = off */
	int exposure_days;     /* rule 8 window; default 365 */
	bool diversity;        /* rule 7; default on */
	/* Not a recusal rule and not in transcripts: the longest task a
	 * request may ask for, so that no bureau holds experts for years. */
	int max_task_days;     /* default 31 */
};

/* A task as recusal sees it: interned orgs, days, capability needed. */
struct recusal_task {
	int64_t id;                       /* 0 for a new task */
	int64_t start_at, end_at;
	int32_t start_day, end_day;       /* local days of start_at / end_at */
	uint32_t orgs[TASK_MAX_ORGS];     /* interned; 0 = an org never seen */
	int n_orgs;
	unsigned capability;              /* proto_task_types bit, 0 = none */
	const int64_t *exclude;
	int n_exclude;
};

/* The term dates recusal needs: term number -> [start, end] days. */
struct recusal_terms {
	const int32_t *start;             /* indexed by term number */
	const int32_t *end;
	int count;                        /* valid numbers are 1..count */
};

/*
 * The first rule that keeps expert pe off task t, or RULE_OK. Assignments
 * belonging to task t itself are ignored for rules 4, 5 and 8 (a redraw
 * or replacement does not clash with its own task).
 */
enum recusal_rule recusal_check(const struct pool_entry *pe,
                                const struct engage *eng,
                                const struct recusal_terms *terms,
                                const struct recusal_task *t,
                                const struct recusal_config *cfg);

/*
 * The same rules for every expert of a bucket, as candidates_collect()
 * needs them: recusal_scan_begin() looks at the task's side once (the
 * conflicts on its organisations, the tasks overlapping it or sharing an
 * organisation within the rotation window, and who holds seats on them),
 * then recusal_scan_check() gives, for each expert in ascending id order,
 * exactly what recusal_check() gives, without reading the expert's
 * history (except for rule 8, only for experts with at least the cap of
 * served assignments). The scan borrows eng, terms, t and cfg until the
 * next begin; it keeps its buffers across draws.
 */
struct recusal_hit {
	int64_t expert;
	int32_t rule;          /* enum recusal_rule: conflict, overlap or rotation */
};

struct recusal_scan {
	const struct engage *eng;
	const struct recusal_terms *terms;
	const struct recusal_task *t;
	const struct recusal_config *cfg;
	struct recusal_hit *hits;          /* sorted by expert, then rule */
	size_t n_hits, cap_hits, next_hit;
	int64_t *exclude;                  /* t->exclude, sorted */
	size_t n_exclude, cap_exclude, next_exclude;
	int64_t last_id;                   /* ascending order check */
	bool oom;                          /* a hit could not be recorded */
};

void recusal_scan_init(struct recusal_scan *s);
/* Frees the buffers; s is left as after init. */
void recusal_scan_free(struct recusal_scan *s);
/* Prepare for task t. False on out of memory. */
bool recusal_scan_begin(struct recusal_scan *s, const struct engage *eng,
                        const struct recusal_terms *terms,
                        const struct recusal_task *t,
                        const struct recusal_config *cfg);
/* recusal_check() of expert `id` whose entry's slim form is x (a bucket's
 * slim[i], see pool.h); id above the previous one. */
enum recusal_rule recusal_scan_check(struct recusal_scan *s, int64_t id,
                                     const struct pool_slim *x);

#endif
