/*
 * quota.h - mixed panels (DRAW.md 3.7): one draw that seats several
 * quotas, each a (specialty, group type) with its own members and
 * backups, at most one leader for the whole panel, from one word stream.
 * The daemon draws with it and the verifier replays with it. Pure.
 */
#ifndef EXPERTD_QUOTA_H
#define EXPERTD_QUOTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "draw.h"
#include "task.h"

/* Hashed before the quotas' candidate-list hashes, without its NUL. */
#define QUOTA_HASH_TAG "expertd-quotas-v1"

/* One quota's candidate list (DRAW.md 3.1 for its bucket) and seats. */
struct quota_list {
	const struct draw_candidate *cands;  /* ascending, distinct ids */
	size_t n;
	size_t members, backups;
};

/* A mixed panel in seat order (DRAW.md 3.7 step 3.4): the leader, the
 * members of quota 0, 1, ..., then the backups of quota 0, 1, ...; on
 * failure, the seats filled before it. */
struct quota_panel {
	int64_t ids[TASK_MAX_SEATS];
	int quota[TASK_MAX_SEATS];            /* the quota of each seat */
	uint32_t employer[TASK_MAX_SEATS];    /* each seat's employer, 0 = none */
	size_t n;
	size_t diversity[TASK_MAX_QUOTAS];    /* diversity drops, by quota */
	size_t seated[TASK_MAX_QUOTAS];       /* seated drops, by quota */
	int short_quota;                      /* DRAW_TOO_FEW: the quota that ran out */
};

/*
 * The quotas hash H of DRAW.md 3.7 step 2: BLAKE2b-256 of the tag and
 * the k candidate-list hashes (3.3), in quota order. The seed is
 * draw_seed() with H in place of one list's hash.
 */
void quota_hash(uint8_t out[DRAW_HASH_LEN], const uint8_t (*hashes)[DRAW_HASH_LEN],
                size_t k);

/*
 * Select a mixed panel from k lists (1 <= k <= TASK_MAX_QUOTAS, seats in
 * all at most TASK_MAX_SEATS) with one stream from seed: a leader from
 * list 0 when `leader`, then every quota's members, then every quota's
 * backups; an expert already on the panel, or (with diversity) of an
 * employer already on it, is dropped from the list it was drawn from and
 * the seat drawn again. Returns DRAW_OK, DRAW_NO_LEADER (no word taken),
 * DRAW_TOO_FEW (p->short_quota says which list ran out) or
 * DRAW_NO_MEMORY.
 */
enum draw_result quota_select(const struct quota_list *lists, size_t k, bool leader,
                              bool diversity, const uint8_t seed[DRAW_SEED_LEN],
                              struct quota_panel *p);

/* Set the one-specialty fields of a task with quotas from them: the
 * specialty and group type of quota 0, members and backups summed. */
void quota_task_totals(struct task *t);

/* The quota that seat i of a mixed panel of task t belongs to (by its
 * place in the seat order), or -1 past the last seat. */
int quota_of_seat(const struct task *t, size_t i);

#endif
