/*
 * attempt.h - one draw attempt, shared by draw, draw.redraw and
 * replacements (PROTOCOL.md 7.9, 7.12.4), and recusal's view of a task
 * as a draw for it sees it (attempt.c).
 */
#ifndef EXPERTD_ATTEMPT_H
#define EXPERTD_ATTEMPT_H

#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "handler.h"
#include "recusal.h"

struct attempt {
	const char *kind;                /* "draw", "redraw", "replacement" */
	const char *reason;              /* a redraw's reason, or NULL */
	const int64_t *also;             /* experts already drawn for the task */
	size_t n_also;
	int64_t replaces;                /* replacement: the freed seat */
	int role;                        /* replacement: its enum seat_role; else -1 */
	const uint32_t *taken;           /* replacement: employers on the panel */
	size_t n_taken;
	int quota;                       /* replacement in a mixed panel: the
	                                  * freed seat's quota (DRAW.md 3.7) */
	/* Results: the transcript (malloc'd; attempt_free) and its entry. */
	struct audit_transcript *tr;
	int64_t seq;
	uint8_t hash[AUDIT_HASH_LEN];
};

/*
 * Make and record one attempt for t (t->id == 0: a new task, created only
 * if the attempt succeeds): candidates, secret, seed, selection, the
 * transcript in the audit log and the draws row. Seats nothing. Returns
 * PROTO_OK when the attempt was recorded, whatever its outcome
 * (a->tr->ok), else an error in rep.
 */
enum proto_status attempt_run(struct handler_ctx *ctx, struct task *t,
                              struct attempt *a, struct reply *rep);
void attempt_free(struct attempt *a);

/* The parts of an attempt that attempt_quota.c shares (a mixed panel,
 * DRAW.md 3.7). attempt_begin: the transcript's head, the secret
 * revealed and the next committed. attempt_pick: DRAW.md 3.4 (3.5 for a
 * replacement; 3.6 with the designated leader at index lead of c, or
 * SIZE_MAX for none) on list c with seed tr->seed, the panel into tr and
 * the diversity drops into *dropped. */
struct candidates;
struct attempt_view;
enum proto_status attempt_begin(struct handler_ctx *ctx, const struct attempt *a,
                                struct audit_transcript *tr, struct reply *rep);
enum draw_result attempt_pick(struct handler_ctx *ctx, const struct task *t,
                              const struct attempt *a, struct candidates *c,
                              size_t lead, struct audit_transcript *tr,
                              size_t *dropped);
/* attempt_quota.c: the candidates, head, seed and selection of an
 * attempt for a task with quotas; attempt_run records it. */
enum proto_status attempt_quota_select(struct handler_ctx *ctx, const struct task *t,
                                       struct attempt *a, struct attempt_view *td,
                                       struct reply *rep);

/* Recusal's view of a task, as a draw for it sees it: the term dates and
 * the task's dates, capability, organisations and exclusions (rt borrows
 * the task's exclusion list). attempt_view_load fills it;
 * attempt_view_free releases the term arrays. */
struct attempt_view {
	int32_t *start, *end;            /* term dates by number */
	struct recusal_terms terms;
	struct recusal_task rt;
};
enum proto_status attempt_view_load(struct handler_ctx *ctx, const struct task *t,
                                    struct attempt_view *v, struct reply *rep);
void attempt_view_free(struct attempt_view *v);

#endif
