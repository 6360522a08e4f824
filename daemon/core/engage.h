/*
 * engage.h - what binds each expert beyond the pool record: declared
 * conflicts with organisations, and assignments to tasks. Indexed by expert
 * for recusal; kept in memory beside the pool, loaded at start and updated
 * with every committed change. Pure data structure.
 */
#ifndef EXPERTD_ENGAGE_H
#define EXPERTD_ENGAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "assign.h"
#include "task.h"

struct engage_conflict {
	uint32_t org;          /* interned org key (pool_org_*) */
	int32_t valid_from;    /* day number */
	int32_t valid_to;      /* day number; 0 = open-ended */
};

/* The parts of a task recusal needs. */
struct engage_task {
	int64_t id;
	int64_t start_at, end_at;
	uint32_t orgs[TASK_MAX_ORGS];
	int n_orgs;
};

struct engage_assignment {
	int64_t id;
	int64_t task;          /* engage_task id */
	int state;             /* enum assign_state */
};

struct engage;

struct engage *engage_new(void);
/* NULL-safe; clears *e. */
void engage_destroy(struct engage **e);
void engage_clear(struct engage *e);

bool engage_add_conflict(struct engage *e, int64_t expert,
                         const struct engage_conflict *c);

/* A period in which an expert cannot serve (rule 12, DRAW.md 3.1): days
 * from..to, both inclusive. */
struct engage_away {
	int64_t id;            /* the period's (PROTOCOL.md 7.6.5) */
	int64_t expert;
	int32_t from, to;      /* day numbers, from <= to */
};
bool engage_add_away(struct engage *e, const struct engage_away *a);
/* Period id, or NULL when there is none (never added, or withdrawn). */
const struct engage_away *engage_find_away(const struct engage *e, int64_t id);
/* Period id shortened to from..to, or withdrawn: gone from the list
 * (PROTOCOL.md 7.6.6). False when there is no such period. */
bool engage_change_away(struct engage *e, int64_t id, bool withdrawn, int32_t from,
                        int32_t to);
/* Every period, in the order added. Borrowed, valid until the next change;
 * NULL with *n = 0 when none. */
const struct engage_away *engage_aways(const struct engage *e, size_t *n);
/*
 * Organisation `from` merged into `into` (REGISTRY.md 2.4): every conflict
 * on `from` becomes one on `into` (the expert's own list and the
 * by-organisation index), and every task listing `from` lists `into` in
 * its place, indexed under `into` once (a task that listed both keeps
 * both entries, now equal, as a task listing an org twice does).
 * All or nothing: on out of memory it returns false having changed no
 * record and no index (every conflict and task still names `from`); the
 * only trace is room reserved in `into`'s index lists.
 */
bool engage_merge_org(struct engage *e, uint32_t from, uint32_t into);
/* Insert or replace a task (by id). */
bool engage_put_task(struct engage *e, const struct engage_task *t);
const struct engage_task *engage_task(const struct engage *e, int64_t id);
/* Insert or replace an assignment (by id) of an expert. */
bool engage_put_assignment(struct engage *e, int64_t expert,
                           const struct engage_assignment *a);

/* Hint that this expert's records are read soon (see pool_prefetch). */
void engage_prefetch(const struct engage *e, int64_t expert);

/* Borrowed arrays, valid until the next change; *n = 0 when none. */
const struct engage_conflict *engage_conflicts(const struct engage *e,
                                               int64_t expert, size_t *n);
const struct engage_assignment *engage_assignments(const struct engage *e,
                                                   int64_t expert, size_t *n);

/* Both of the above with one lookup: recusal reads them together for every
 * expert of a bucket. Same borrowing; NULL with a count of 0 when none. */
void engage_records(const struct engage *e, int64_t expert,
                    const struct engage_conflict **conflicts, size_t *nc,
                    const struct engage_assignment **assignments, size_t *na);

/* The task table behind engage_task(), for scans that look up many tasks:
 * tasks[id] for 0 <= id < *n is task id when its .id equals id (else no
 * such task). Borrowed; valid until the next engage_put_task. */
const struct engage_task *engage_task_table(const struct engage *e, size_t *n);

/*
 * The same records seen from the task's side, for a draw that checks a
 * whole bucket at once (recusal_scan): a few tasks and organisations
 * concern a draw, while most experts have nothing to do with them. All
 * borrowed, valid until the next change; NULL with *n = 0 when none; the
 * order of the items is unspecified.
 */

/* An assignment as its task sees it. */
struct engage_seat {
	int64_t expert;
	int64_t assignment;
	int state;             /* enum assign_state */
};
/* Every assignment whose .task is `task`, held or not. */
const struct engage_seat *engage_task_seats(const struct engage *e, int64_t task,
                                            size_t *n);

/* Day number of a start time: floor(start_at / 86400). */
int64_t engage_start_day(int64_t start_at);
/* Ids of the held tasks listing org among their orgs (each task once). */
const int64_t *engage_tasks_of_org(const struct engage *e, uint32_t org, size_t *n);

/*
 * The time indexes, for the rules that look at the tasks near the draw's
 * (overlap, rotation): what they read grows with the tasks near that
 * time, not with every task ever held. Each calls visit(ctx, id) for
 * every held task it must, each once, and for some others near them: the
 * caller tests every task it is given. No change to engage while one
 * runs.
 */
typedef void (*engage_visit_fn)(void *ctx, int64_t task);
/* Every held task overlapping [start_at, end_at) (start_at < its end_at
 * and its start_at < end_at), in any order. */
void engage_visit_overlapping(const struct engage *e, int64_t start_at, int64_t end_at,
                              engage_visit_fn visit, void *ctx);
/* Every held task listing org whose start_at is at most `window` seconds
 * from `at` either way. */
void engage_visit_org_near(const struct engage *e, uint32_t org, int64_t at,
                           uint64_t window, engage_visit_fn visit, void *ctx);

/* A conflict as its organisation sees it. */
struct engage_org_conflict {
	int64_t expert;
	struct engage_conflict c;
};
const struct engage_org_conflict *engage_org_conflicts(const struct engage *e,
                                                       uint32_t org, size_t *n);

/* Offered, accepted or completed: the states rules 5 and 8 count. */
bool engage_state_is_served(int state);
/* How many of the expert's assignments are in a served state (of any
 * task): a bound on what rule 8 can count for the expert. */
uint32_t engage_served_count(const struct engage *e, int64_t expert);
/* The same for every expert at once: counts[id] for 0 <= id < *n (0 past
 * the end), for a draw reading it across a whole bucket. Borrowed; valid
 * until the next change. */
const uint32_t *engage_served_counts(const struct engage *e, size_t *n);

#endif
