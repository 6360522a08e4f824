/*
 * designate.h - a leader named by an operator instead of drawn (第七条;
 * DRAW.md 3.6): whether that expert may lead the task, and if not the
 * one rule that keeps them off; and selection with them in seat 0. The
 * daemon and the verifier run the same code, so a designated draw
 * replays bit for bit. Pure.
 */
#ifndef EXPERTD_DESIGNATE_H
#define EXPERTD_DESIGNATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "candidates.h"
#include "draw.h"
#include "engage.h"
#include "pool.h"
#include "recusal.h"

/* Why a designee may not lead, in the order they are looked for. */
enum designate_verdict {
	DESIGNATE_OK,                /* a leader-eligible candidate */
	DESIGNATE_UNKNOWN,           /* no expert has the id */
	DESIGNATE_OUTSIDE_SPECIALTY, /* does not hold the task's specialty */
	DESIGNATE_OUTSIDE_GROUP,     /* holds it, not in the task's group type */
	DESIGNATE_RULE,              /* excluded by rule `rule` (DRAW.md 3.1) */
	DESIGNATE_NOT_CANDIDATE,     /* off the list for no rule: already drawn */
	DESIGNATE_NOT_LEADER,        /* a candidate, not leader-eligible */
};

struct designate_check {
	enum designate_verdict verdict;
	enum recusal_rule rule;      /* DESIGNATE_RULE: the first rule failed */
	size_t index;                /* DESIGNATE_OK: its index in the list */
};

/*
 * Where `expert` stands for the task whose candidate list is c (built by
 * candidates_collect() from pool, eng, terms, t and cfg for specialty
 * sid and group index `group`). The list decides; the rest only names
 * the cause of an expert not on it, with recusal_check().
 */
struct designate_check designate_check(const struct candidates *c,
                                       const struct pool *pool,
                                       const struct engage *eng,
                                       const struct recusal_terms *terms,
                                       const struct recusal_task *t,
                                       const struct recusal_config *cfg,
                                       uint32_t sid, int group, int64_t expert);

/* The failure for people, e.g. "expert 12 is excluded by rule employer:
 * works for an organisation of the task" (empty for DESIGNATE_OK). */
void designate_explain(const struct designate_check *d, int64_t expert,
                       char *buf, size_t size);

/*
 * Selection with cands[lead] as the leader (DRAW.md 3.6): out[0] is it;
 * then, when spec->diversity, every other candidate of its employer
 * (not 0) leaves the list, counted in *dropped and using no word; then
 * members and backups are drawn by draw_select_counted() with no leader
 * on what is left, from the seed's first word. spec->leader is ignored;
 * *out_n counts seat 0. DRAW_NO_MEMORY when a list cannot be made.
 */
enum draw_result designate_select(const struct draw_candidate *cands, size_t n,
                                  size_t lead, const struct draw_spec *spec,
                                  const uint8_t seed[DRAW_SEED_LEN],
                                  int64_t *out, size_t *out_n, size_t *dropped);

#endif
