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

/* Order = check order = index into recusal_rule_names[]; each value is
 * the rule's number in DRAW.md 3.1 (RULE_STATUS = 1 ... RULE_RELAXATION
 * = 13). Comments name a rule by that number and its wire name. */
enum recusal_rule {
	RULE_OK = 0,
	RULE_STATUS,       /* 1: not active (or suspended through the task start) */
	RULE_TERM,         /* 2: no valid term covering the task dates */
	RULE_CAPABILITY,   /* 3: lacks the task-type capability the kind needs */
	RULE_AGE,          /* 4: over 65 on the start date, no relaxation ground */
	RULE_EXCLUDED,     /* 5: named by the request */
	RULE_EMPLOYER,     /* 6: works for an organisation concerned */
	RULE_RECOMMENDER,  /* 7: recommended by an organisation concerned */
	RULE_CONFLICT,     /* 8: declared conflict valid on the task dates */
	RULE_OVERLAP,      /* 9: offered/accepted on an overlapping task */
	RULE_ROTATION,     /* 10: served on the same organisation within the window */
	RULE_EXPOSURE,     /* 11: reached the assignment cap in the rolling window */
	RULE_UNAVAILABLE,  /* 12: declared unavailable on a day of the task */
	RULE_RELAXATION,   /* 13: eligible only in other specialties (POLICY.md 4.2) */
	RULE__COUNT
};
/* Panel diversity (DRAW.md 3.4), not one of the numbered rules,
 * acts during selection (draw.h); its drops are
 * counted separately under "diversity". */

extern const char *const recusal_rule_names[RULE__COUNT];

/* Rule parameters, from the configuration; recorded in every transcript. */
struct recusal_config {
	int rotation_days;     /* rule 10 (rotation) window; 0 = off; default 365 */
	int exposure_cap;      /* rule 11 (exposure): max seats in the window; 0 = off */
	int exposure_days;     /* rule 11 (exposure) window; default 365 */
	bool diversity;        /* panel diversity (DRAW.md 3.4); default on */
	/* Rule 4 (age) bends only for an age exception; false in transcripts
	 * from before draft 11, where any relaxation ground bent it. */
	bool age_by_exception;
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
	/* The interned specialty drawn for (a mixed panel's: the quota's),
	 * for rule 13 (relaxation) in recusal_check(); a bucket's slim
	 * entries carry it for the scan. 0 = a name never seen. */
	uint32_t specialty;
	const int64_t *exclude;
	int n_exclude;
};

/* The term dates recusal needs: term number -> [start, end] days. */
struct recusal_terms {
	const int32_t *start;             /* indexed by term number */
	const int32_t *end;
	int count;                        /* valid numbers are 1..count */
};

/* The relaxations bits (pool.h) that bend rule 4 (age) under cfg. */
uint8_t recusal_age_waivers(const struct recusal_config *cfg);

/*
 * The first rule that keeps expert pe off task t, or RULE_OK. Assignments
 * belonging to task t itself are ignored for rules 9 (overlap), 10
 * (rotation) and 11 (exposure): a redraw or replacement does not clash
 * with its own task.
 */
enum recusal_rule recusal_check(const struct pool_entry *pe,
                                const struct engage *eng,
                                const struct recusal_terms *terms,
                                const struct recusal_task *t,
                                const struct recusal_config *cfg);

/*
 * The same rules for every expert of a bucket, as candidates_collect()
 * needs them. recusal_scan_begin() works out the task's side once: the
 * record rules as thresholds (term table, age cut-off, a filter of the
 * task's organisations), and, from the engagement indexes, the few experts
 * the task concerns (conflicts on its organisations, seats on tasks
 * overlapping it or sharing an organisation within the rotation window),
 * noted as sorted marks. recusal_scan_check() then gives, for each expert
 * in ascending id order, exactly what recusal_check() gives, in a few
 * compares for an expert with no mark, without reading the expert's
 * history (except for rule 11 (exposure), only for experts with at least
 * the cap of served assignments). The scan borrows eng, terms, t and cfg until the
 * next begin; it keeps its buffers across draws.
 */

/* Marks: expert `expert` is kept off by `rule` unless an earlier rule
 * already is. RECUSAL_MARK_NAMED sorts before every rule: an id the caller
 * leaves out whatever the rules say (already drawn for the task). Of an
 * expert's marks the smallest rule counts. */
#define RECUSAL_MARK_NAMED (-1)
struct recusal_mark {
	int64_t expert;
	int32_t rule;          /* RECUSAL_MARK_NAMED, excluded, conflict, overlap,
	                        * rotation or unavailable */
};

/* term_ok[] bits: the term may start (joined_term) / end (term) a service
 * covering the task. */
#define RECUSAL_TERM_FROM 1u
#define RECUSAL_TERM_TO 2u
#define RECUSAL_ORG_FILTER_BITS 1024

struct recusal_scan {
	const struct engage *eng;
	const struct recusal_terms *terms;
	const struct recusal_task *t;
	const struct recusal_config *cfg;
	/* The record rules seen from the task, so that they cost an expert
	 * a few compares. */
	int32_t start_day;
	uint32_t capability;
	int64_t age_born_by;               /* born on or before: over the age limit */
	uint8_t age_waivers;               /* relaxations bits that bend rule 4 */
	uint16_t term_max;                 /* terms->count clamped to 0..UINT16_MAX */
	uint8_t *term_ok;                  /* [0..term_max], RECUSAL_TERM_* bits */
	size_t cap_term_ok;
	/* Bit (org % BITS) of each of the task's organisations: an expert
	 * whose employer and recommender miss it concerns none of them. */
	uint64_t org_filter[RECUSAL_ORG_FILTER_BITS / 64];
	/* Rule 11 (exposure) only when it can exclude: NULL when the cap or
	 * the window is
	 * off, else engage_served_counts() (n_served of them). */
	const uint32_t *served;
	size_t n_served;
	uint32_t exposure_cap;
	/* The experts the task concerns, sorted by expert; spare is the
	 * sort's other buffer. */
	struct recusal_mark *marks, *spare;
	size_t n_marks, cap_marks, cap_spare, next_mark;
	int64_t mark_id;                   /* marks[next_mark].expert; INT64_MAX after */
	bool oom;                          /* a mark could not be recorded */
};

void recusal_scan_init(struct recusal_scan *s);
/* Frees the buffers; s is left as after init. */
void recusal_scan_free(struct recusal_scan *s);
/* Prepare for task t. The n_named ids of `named` (any order, may repeat)
 * are excluded before any rule and counted as RULE_EXCLUDED. False on out
 * of memory. */
bool recusal_scan_begin(struct recusal_scan *s, const struct engage *eng,
                        const struct recusal_terms *terms,
                        const struct recusal_task *t,
                        const struct recusal_config *cfg,
                        const int64_t *named, size_t n_named);

/* The uncommon cases of recusal_scan_check(), out of line: an expert with
 * a mark, and one that may concern an organisation or reach the cap. */
enum recusal_rule recusal_scan_marked(struct recusal_scan *s, int64_t id,
                                      const struct pool_slim *x);
enum recusal_rule recusal_scan_unusual(const struct recusal_scan *s, int64_t id,
                                       const struct pool_slim *x);

/* The record rules (status, term, capability, age) from the thresholds
 * worked out by begin. */
static inline enum recusal_rule recusal_scan_record(const struct recusal_scan *s,
                                                    const struct pool_slim *x)
{
	/* A suspension with an end date that passed before the task starts
	 * no longer stands; an open-ended one (0) always does. */
	if (x->status != EXPERT_ACTIVE &&
	    !(x->status == EXPERT_SUSPENDED && x->suspended_until != 0 &&
	      x->suspended_until < s->start_day))
		return RULE_STATUS;
	if (!(x->term <= s->term_max && x->joined_term <= x->term &&
	      (s->term_ok[x->joined_term] & RECUSAL_TERM_FROM) &&
	      (s->term_ok[x->term] & RECUSAL_TERM_TO)))
		return RULE_TERM;
	if (s->capability != 0 && !(x->task_types & s->capability))
		return RULE_CAPABILITY;
	if (!(x->relaxations & s->age_waivers) && x->birth <= s->age_born_by)
		return RULE_AGE;
	return RULE_OK;
}

/* Org 0 (none) shares its bit with some organisations; without the test
 * a task naming one would send every expert without a recommender down
 * the slow path. */
static inline bool recusal_scan_may_concern(const struct recusal_scan *s, uint32_t org)
{
	uint32_t bit = org % RECUSAL_ORG_FILTER_BITS;
	return (org != 0) & (s->org_filter[bit / 64] >> (bit % 64) & 1);
}

/*
 * recusal_check() of expert `id` whose entry's slim form is x (a bucket's
 * slim[i], see pool.h); ids must come in ascending order. Inline: a draw
 * runs it for every expert of a bucket, and most pass every rule.
 */
static inline enum recusal_rule recusal_scan_check(struct recusal_scan *s, int64_t id,
                                                   const struct pool_slim *x)
{
	enum recusal_rule r;
	if (id >= s->mark_id)
		r = recusal_scan_marked(s, id, x);
	else if ((r = recusal_scan_record(s, x)) != RULE_OK)
		return r;
	else if (recusal_scan_may_concern(s, x->employer_org) ||
	         recusal_scan_may_concern(s, x->recommender_org) ||
	         (s->served && (uint64_t)id < s->n_served &&
	          s->served[id] >= s->exposure_cap))
		r = recusal_scan_unusual(s, id, x);
	/* Rule 13 (relaxation), the last: the bucket's specialty is one the
	 * expert's occupation-tied grounds do not name. */
	return r == RULE_OK && (x->relaxations & POOL_SLIM_OTHER_OCCUPATION)
	       ? RULE_RELAXATION : r;
}

#endif
