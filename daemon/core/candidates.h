/*
 * candidates.h - the candidate list of a draw: every expert of the task's
 * specialty and group type who passes recusal, in id order, with the number
 * excluded by each rule. The daemon uses it to draw; `expertctl audit
 * verify` uses the very same code to replay a transcript. Pure.
 */
#ifndef EXPERTD_CANDIDATES_H
#define EXPERTD_CANDIDATES_H

#include <stddef.h>
#include <stdint.h>

#include "draw.h"
#include "recusal.h"

struct candidates {
	struct draw_candidate *list;   /* sorted by id */
	size_t n, cap;
	/* excluded[RULE_OK] counts pool experts outside the specialty and
	 * group type (not in the bucket), for either cause; outside_group
	 * is the part of it that holds the specialty but not the group type
	 * (DRAW.md 3.1: outside_specialty is the difference). */
	uint64_t excluded[RULE__COUNT];
	uint64_t outside_group;
	int64_t *ids;                  /* the ids of list, for hashing */
	/* Scratch kept across draws: reuse one struct to avoid allocating. */
	struct recusal_scan scan;
};

void candidates_init(struct candidates *c);
void candidates_free(struct candidates *c);

/*
 * Fill c for specialty sid and group index `group`. Experts listed in
 * also_exclude (those already drawn for this task) are left out and
 * counted under RULE_EXCLUDED. Returns false on out of memory.
 */
bool candidates_collect(struct candidates *c, const struct pool *pool,
                        const struct engage *eng, const struct recusal_terms *terms,
                        uint32_t sid, int group, const struct recusal_task *t,
                        const struct recusal_config *cfg,
                        const int64_t *also_exclude, size_t n_also);

#endif
