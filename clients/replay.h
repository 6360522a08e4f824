/*
 * replay.h - the replay engine behind `expertctl audit verify` (issue #3):
 * fed the audit log entry by entry, in order, it checks the hash chain,
 * rebuilds the pool, terms, conflicts, tasks and seats from the entries
 * alone, and re-runs every draw from its transcript against that state
 * with the daemon's own pure code (candidates, recusal, draw), so any
 * entry the daemon could not have written is reported, with what differs.
 *
 * Pure: no I/O, no clock. The caller reads the rows (audit.entries) and
 * compares the derived seats with task.show.
 */
#ifndef EXPERTD_REPLAY_H
#define EXPERTD_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REPLAY_HASH_LEN 32   /* = AUDIT_HASH_LEN */

struct replay;
struct task;

enum replay_verdict { REPLAY_OK, REPLAY_MISMATCH };

/* NULL on out of memory. */
struct replay *replay_new(void);
/* NULL-safe; clears *r. */
void replay_destroy(struct replay **r);

/*
 * Replay one log entry; entries must be fed in the order read, starting
 * with seq 1. Checks, in order, stopping at the first failure:
 *  1. chain: seq follows the previous one (the first is 1), prev is the
 *     previous entry's hash (zeros for the first), and hash is
 *     audit_hash() of (prev, seq, at, type, body);
 *  2. the type is known and the body has its layout; chain.genesis is
 *     seq 1 and only seq 1; term numbers run 1, 2, ..., each term starting
 *     after the last and ending no earlier than it starts; a pool.expert
 *     names a known expert or the next id (ids are dense); a conflict
 *     names a known expert and a valid credit code or org:N key, ends no
 *     earlier than it starts, and conflict ids run 1, 2, ...; an
 *     org.merged names two distinct keys, neither merged before; no
 *     pool.expert, conflict or draw request names a key merged before;
 *  3. draws: the secret opens the pending commitment (genesis or the
 *     previous draw's next_commit); no transcript lists hashed as 8-byte
 *     ids after one hashed as gaps (DRAW.md 3.3); draw ids run 1, 2, ...;
 *     ok matches
 *     the type (draw / draw.failed); the task starts after the entry's
 *     time and ends after it starts; 1 to TASK_MAX_SEATS seats; the task
 *     is the next new id (ok first draw), none (failed first draw) or an
 *     existing one whose request the redraw repeats field for field (the
 *     nonce aside), or, for a replacement, an open task whose request it
 *     repeats (nonce included), by expertd without a reason, a freed
 *     seat of the same role, and every expert seated before as
 *     already_drawn; the candidate list rebuilt
 *     from the replayed state (count, hash in the transcript's encoding,
 *     exclusions by rule), the
 *     seed, the outcome, the panel seat by seat and the diversity drops
 *     equal the transcript's;
 *  4. seat transitions (assignment.*): a known seat of that task and
 *     expert, in the `from` state, by a transition assign_next() allows;
 *     assignment.reissued names a known seat that is offered, of that
 *     role, and leaves it so; task.cancelled only once no seat is open; expert.flagged flags a
 *     known expert;
 *  5. what a transition sets off (DRAW.md 4.2, 5 step 7): after a
 *     transition the daemon settles, only the conflict and ledger entries
 *     it causes, then, for a seat freed before its task's start, its fill
 *     (a promotion to its role and quota by expertd, or a replacement
 *     for it; none only when over 200 experts were seated), then
 *     task.filled / task.short exactly when the recomputed fill changes
 *     so; promotions and replacements nowhere else.
 * Then the entry's effect is applied as the daemon applies it: the pool
 * upsert, the conflict, the term; for org.merged every expert, conflict
 * and task naming `from` relinked to `into` (a task's request too, so a
 * later redraw repeats it with `into`); for an ok draw a new task and its seats,
 * for an ok redraw the open seats cancelled and the new panel seated, for
 * a replacement its one seat offered; a transition's new state and role.
 *
 * On REPLAY_MISMATCH, why (whysz > 0) names the seq and what differs,
 * e.g. "seq 2005: secret does not open the commitment of seq 2004
 * (draw 2)"; the replay is then spent: every later call is a mismatch.
 * Running out of memory is reported as a mismatch saying so.
 * body (body_len bytes) is borrowed for the call only.
 */
enum replay_verdict replay_entry(struct replay *r, int64_t seq, int64_t at,
                                 const char *type, const void *body,
                                 size_t body_len,
                                 const uint8_t prev[REPLAY_HASH_LEN],
                                 const uint8_t hash[REPLAY_HASH_LEN],
                                 char *why, size_t whysz);

/*
 * The log ends here, at a head the daemon committed (every request's
 * entries are whole). Returns 0 when nothing is owed; else the seq of the
 * transition that still owes an entry (a freed seat's fill, or
 * task.filled / task.short), why naming it. Changes nothing else: more
 * entries may follow, as when verify catches up with a later head. A
 * spent replay returns the seq that did not match.
 */
int64_t replay_end(struct replay *r, char *why, size_t whysz);

/* Counts over the entries replayed so far (up to the first mismatch).
 * draws counts every draw entry, ok or failed; failed_draws and redraws
 * are subsets of it. */
struct replay_stats {
	uint64_t entries, experts, conflicts, terms, draws, failed_draws, redraws;
	uint64_t transitions;   /* seat transitions and reissues (assignment.*) */
	uint64_t freed;         /* seats freed before the start that were filled
	                         * (or could not be: DRAW.md 5 step 7) */
};
void replay_stats(const struct replay *r, struct replay_stats *out);

/* The last entry replayed: its seq (0 if none) and hash (zeros if none),
 * to compare with the head the daemon reports. hash may be NULL. */
int64_t replay_head(const struct replay *r, uint8_t hash[REPLAY_HASH_LEN]);

/* The request of task `task` as first drawn, its orgs relinked by every
 * org.merged replayed since (as the daemon's task.show then lists them),
 * or NULL for a task the log never created. Borrowed until the next
 * replay_entry(). */
const struct task *replay_task_request(const struct replay *r, int64_t task);

/* One seat of a task as the log implies it. Assignment ids are not in the
 * log, so compare draw, expert, seat, role and state. */
struct replay_seat {
	int64_t draw;          /* the draw that seated it */
	int64_t expert;
	int seat;              /* index in that draw's panel */
	int role;              /* index into proto_seat_roles: leader, member, backup */
	int state;             /* enum assign_state */
	int quota;             /* a mixed panel's quota (DRAW.md 3.7); else 0 */
	int64_t seq;           /* the entry that last changed it: its draw's, a
	                        * transition's, or the redraw that cancelled it */
};

/*
 * The seats of task `task` in the order they were created (the order of
 * the store's assignment ids): copies at most max into out and returns
 * how many there are (0 for a task the log never created).
 */
size_t replay_task_seats(const struct replay *r, int64_t task,
                         struct replay_seat *out, size_t max);

#endif
