/*
 * replay_int.h - private to replay*.c: the replayed state and the entry
 * being replayed, shared by replay.c (chain, pool, draws) and
 * replay_seat.c (replacements, seat transitions, task and ledger entries)
 * and replay_org.c (organisations merged).
 */
#ifndef EXPERTD_REPLAY_INT_H
#define EXPERTD_REPLAY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#include "audit.h"
#include "candidates.h"
#include "draw.h"
#include "engage.h"
#include "pool.h"
#include "replay.h"

/* Draw kinds the daemon writes and this replay re-runs. */
#define REPLAY_KIND_DRAW "draw"
#define REPLAY_KIND_REDRAW "redraw"
#define REPLAY_KIND_REPLACEMENT "replacement"

struct replay_slot {
	struct replay_seat seat;
	int64_t assignment;          /* the replay's own id, keying engage */
	/* What its settling entry (or a correction since) recorded, read by
	 * a correction (DRAW.md 5 step 7); set by every transition. */
	int reason;                  /* enum policy_reason, or -1 */
	int ledger;                  /* enum policy_kind standing, or -1 */
};

struct replay_task {
	struct task req;             /* as first drawn; a redraw repeats it */
	struct replay_slot *slots;   /* creation order */
	size_t n, cap;
	bool cancelled;
	int fill;                    /* enum task_fill as the daemon keeps it */
};

/*
 * The entries one seat transition sets off (PROTOCOL.md 7.12.4, DRAW.md
 * 4.2 and 5 step 7): opened by a transition the daemon settles (accept,
 * decline, expire, withdraw, complete, no_show), and closed by the first
 * entry that is none of them: the conflict and ledger entries it causes,
 * then a freed seat's fill, then the fill state's entry when it changed.
 */
struct replay_settle {
	int64_t seq;                 /* the transition's entry; 0: none open */
	int64_t task, assignment;
	int role, quota, to;         /* the seat's, and the state it went to */
	bool must_fill;              /* freed before the start of an open task */
	bool may_skip;               /* too many drawn to draw again (DRAW.md 6) */
	bool filled;                 /* its promotion or replacement came */
	bool fill_checked;           /* the task's fill state was recomputed */
	int want;                    /* the entry owed: TASK_FILLED, TASK_SHORT, -1 */
	int64_t draw;                /* the replacement's draw id; 0: none */
	int64_t empty;               /* needed seats without an expert */
	uint64_t excluded[RULE__COUNT], outside_group;   /* the replacement's list */
};

/* Where seat (assignment) id lives: seats[id - 1]. */
struct replay_seat_ref {
	int64_t task;
	size_t slot;
};

struct replay {
	struct pool *pool;
	struct engage *engage;
	struct candidates cands;     /* reused by every draw */
	int64_t seq;                 /* last entry replayed; 0 = none */
	uint8_t hash[AUDIT_HASH_LEN];
	bool spent;                  /* a mismatch was reported */
	int64_t spent_seq;
	uint8_t commit[AUDIT_HASH_LEN];   /* what the next draw must open */
	int64_t commit_seq, commit_draw;  /* where it was made (draw 0: genesis or
	                                   * a key.rotated entry, commit_type) */
	const char *commit_type;
	int64_t gaps_draw;                /* the first draw whose lists are hashed
	                                   * as gaps (DRAW.md 3.3); 0: none yet */
	uint8_t key[32];                  /* the signing key since the last
	                                   * key.rotated (has_key) */
	bool has_key;
	int32_t *term_start, *term_end;   /* by term number; [0] unused */
	int n_terms;
	int64_t last_draw, last_conflict, last_assignment;
	int64_t last_unavailable;
	struct replay_task *tasks;   /* tasks[id - 1]: the daemon numbers 1, 2, ... */
	size_t n_tasks, cap_tasks;
	struct replay_seat_ref *seats; /* by assignment id - 1 */
	size_t cap_seats;
	int64_t *merged_at;          /* by org id: seq of its org.merged; 0 = not */
	size_t cap_merged;
	struct replay_settle settle;
	struct replay_stats stats;
};

/* The entry being replayed, and where its failure is written. */
struct replay_at {
	struct replay *r;
	int64_t seq, at;
	int64_t draw;                /* its draw id once known, for messages */
	const char *type;
	char *why;
	size_t whysz;
};

/* Write "seq N: " (or "seq N (draw D): ") and the message; returns false
 * so that checks read `return replay_fail(...)`. */
bool replay_fail(struct replay_at *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool replay_unparsed(struct replay_at *x);
bool replay_nomem(struct replay_at *x);
struct replay_task *replay_task_get(const struct replay *r, int64_t id);
/* The first request field in which b does not repeat task a, or NULL
 * (the nonce is not compared). */
const char *replay_request_differs(const struct task *a, const struct task *b);
/* pool.expert: the expert known or the next id, then upserted. */
bool replay_expert(struct replay_at *x, const msgpack_object *body);
/* Recusal's view of the transcript's task and the replayed terms, as
 * the daemon's attempt sees them (terms borrows the replay's arrays). */
void replay_recusal_view(const struct replay *r, const struct audit_transcript *tr,
                         struct recusal_task *rt, struct recusal_terms *terms);

/* What a transcript recorded of one candidate list. */
struct replay_list {
	enum draw_list_encoding enc; /* how hash was computed (DRAW.md 3.3) */
	uint64_t n;
	const uint8_t *hash;
	const uint64_t *excluded;
	uint64_t outside_group;
	bool split;                  /* the 13-key excluded map */
};
bool replay_collect_list(struct replay_at *x, const struct audit_transcript *tr,
                         const char *specialty, int group, struct candidates *c);
bool replay_compare_list(struct replay_at *x, const struct candidates *c,
                         const struct replay_list *w, const char *what,
                         uint8_t hash[DRAW_HASH_LEN]);
bool replay_compare_panel(struct replay_at *x, const struct audit_transcript *tr,
                          bool ok, const int64_t *panel, size_t n_panel);

/* replay_quota.c: mixed panels (DRAW.md 3.7, 5) */
/* Whether two requests' quotas differ (both one-specialty: they do not). */
bool replay_quotas_differ(const struct task *a, const struct task *b);
/* The request's quotas are distinct, then each list, the seed, the
 * outcome, the panel and its seat quotas, and the drops, recomputed. */
bool replay_quota_draw(struct replay_at *x, const struct audit_transcript *tr);

/* replay_seat.c */
/* A replacement's task, freed seat and already_drawn (DRAW.md 5). */
bool replay_replacement_request(struct replay_at *x,
                                const struct audit_transcript *tr);
/* Its one seat, after the diversity drops into *dropped. */
struct draw_spec replay_replacement_spec(struct replay *r,
                                         const struct audit_transcript *tr,
                                         size_t *dropped);
bool replay_seat(struct replay_at *x, const msgpack_object *body);
/* assignment.reissued: a known seat, offered, of that role; unchanged. */
bool replay_reissue(struct replay_at *x, const msgpack_object *body);
/* assignment.corrected: a settled seat's outcome, as assign_correct()
 * allows, from what was recorded, with the ledger kinds it implies. */
bool replay_correction(struct replay_at *x, const msgpack_object *body);
bool replay_task_event(struct replay_at *x, const msgpack_object *body);
bool replay_expert_warned(struct replay_at *x, const msgpack_object *body);
bool replay_expert_flagged(struct replay_at *x, const msgpack_object *body);

/* replay_fill.c (PROTOCOL.md 7.12.4; DRAW.md 5 step 7) */
/* Before an entry is applied: whether it may come now, given what the
 * last transition set off; closes that when the entry is none of it. */
bool replay_settle_admit(struct replay_at *x);
/* A transition replayed: opens what it sets off, if the daemon settles it. */
void replay_settle_open(struct replay_at *x, const struct audit_seat *as,
                        const struct replay_slot *sl);
/* An ok redraw (or a decline corrected to an acceptance): the task's
 * fill recomputed, its entry owed if it changed. */
void replay_settle_redrawn(struct replay_at *x, int64_t task);
/* A promotion (event promote) of slot sl: the fill of the seat just freed. */
bool replay_settle_promoted(struct replay_at *x, const struct audit_seat *as,
                            const struct replay_slot *sl);
/* Any draw: a replacement is the fill of the seat just freed, and
 * nothing else may stand where a fill is owed. */
bool replay_settle_draw(struct replay_at *x, const struct audit_transcript *tr);
/* task.filled / task.short: the entry the fill state owes. */
bool replay_settle_fill_entry(struct replay_at *x, const msgpack_object *body);
/* Every expert seated on t, in order of first seating, into out (at most
 * max); false if more. */
bool replay_drawn(const struct replay_task *t, int64_t *out, size_t *n, size_t max);

/* replay_designate.c (DRAW.md 3.6, 5 step 6) */
/* A designation only on a draw or redraw with a leader seat; a redraw
 * repeats its task's designation (or its lack) exactly. */
bool replay_designation(struct replay_at *x, const struct audit_transcript *tr);
/* After the candidate list matched: the designee is a leader-eligible
 * candidate and panel[0]; *lead gets its index (untouched when the
 * transcript designates nobody). */
bool replay_designee(struct replay_at *x, const struct audit_transcript *tr,
                     size_t *lead);

/* replay_org.c */
/* org.merged: two keys, distinct, neither merged before; the pool,
 * conflicts and tasks relinked from the one to the other. */
bool replay_org_merged(struct replay_at *x, const msgpack_object *body);
/* key ("" for none) is not one that an org.merged merged away; else the
 * failure is recorded, naming the field `what`. */
bool replay_org_live(struct replay_at *x, const char *key, const char *what);

#endif
