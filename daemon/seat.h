/*
 * seat.h - seats and their transitions (PROTOCOL.md 7.12, seat.c): a
 * new seat, what an answer or a daemon action brings to a transition,
 * seat_settle(), which makes the transition and everything it sets
 * off, expiry, cancellation, the task's fill, and seat_reissue(), a new
 * token for a seat that stays offered. Used by the draw, assignment and
 * task handlers and by the dispatcher (expiry at batch start).
 */
#ifndef EXPERTD_SEAT_H
#define EXPERTD_SEAT_H

#include "assign.h"
#include "attempt.h"
#include "seat_role.h"
#include "handler.h"

/* How an answer came; order matches proto_channels[] (asserted in seat.c). */
enum seat_channel {
	SEAT_CH_TOKEN,               /* the expert, by token */
	SEAT_CH_PHONE,
	SEAT_CH_SMS,
	SEAT_CH_EMAIL,
	SEAT_CH_IN_PERSON,
	SEAT_CH_OTHER,
	SEAT_CH_SYSTEM,              /* the daemon's own transitions */
	SEAT_CH__COUNT
};

/* What an answer or a daemon action brings to a transition. */
struct seat_answer {
	enum assign_event event;
	int channel;                 /* enum seat_channel */
	int reason;                  /* decline/withdraw reason code, or -1 */
	const char *text;            /* a cancel reason ("" if none) */
	const char *note;            /* free text for the history, "" if none */
	char org_code[IDENT_CODE_SIZE]; /* a conflict declared by the decline */
};

/* Which seat took a freed place (assignment.reply's filled_by). */
struct seat_fill {
	int64_t assignment, expert, deadline;
	enum seat_role role;
	const char *how;             /* "promoted", "drawn"; NULL: none */
};

/* When a seat offered now must be answered by. */
int64_t seat_deadline(const struct handler_ctx *ctx, const struct task *t);

/*
 * Seat expert on task t: offered (deadline, token in the reply and the
 * notifications) or standby, for quota `quota` of a mixed panel (0 for a
 * one-specialty task). *id receives the assignment id.
 */
enum proto_status seat_new(struct handler_ctx *ctx, const struct task *t,
                           int64_t expert, int64_t draw, enum seat_role role, int seat,
                           int quota, int state, struct reply *rep, int64_t *id);

/*
 * A transition and everything it sets off, in the order of DRAW.md 4.2: the
 * seat's entry, a declared conflict, the ledger, the refill of a freed
 * seat, the fill state. out receives the seat that took a freed place.
 */
enum proto_status seat_settle(struct handler_ctx *ctx, struct task *t,
                              struct store_assignment *a,
                              const struct seat_answer *ans,
                              struct seat_fill *out, struct reply *rep);

/* A row of the seat's history: event, from state, channel, reason, note;
 * the actor is the caller, the new state the seat's. */
enum proto_status seat_history(struct handler_ctx *ctx, const struct store_assignment *a,
                               const char *event, int from, int channel,
                               const char *reason, const char *note,
                               struct reply *rep);

/* The seat's state into the recusal index (overlap, rotation, exposure). */
enum proto_status seat_engage(struct handler_ctx *ctx, const struct store_assignment *a,
                              struct reply *rep);

/* A correction of a settled seat's outcome (PROTOCOL.md 7.12.16). */
struct seat_correction {
	int to;                      /* enum assign_state: the outcome as it was */
	int to_reason;               /* enum policy_reason, or -1: none */
	bool keep_reason;            /* to_reason: the one recorded (an answer
	                              * corrected, its reason not) */
	const char *why;             /* the operator's reason, 1-512 bytes */
};

/*
 * Correct seat a of task t (seat_correct.c): checked against
 * assign_correct() (and, for an acceptance, an empty place of its role),
 * then the seat, its history (event `correct`), the assignment.corrected
 * entry, the task's fill for an acceptance, the expert's history (event
 * `corrected`) and the ledger (ledger_correct). c->to_reason receives
 * the seat's reason as corrected (-1: none).
 */
enum proto_status seat_correct(struct handler_ctx *ctx, struct task *t,
                               struct store_assignment *a,
                               struct seat_correction *c, struct reply *rep);

/*
 * A new token for an offered seat (PROTOCOL.md 7.12.9): the old one dies,
 * the deadline stays; the token goes to the live reply and a notify.offer;
 * the seat's history and the audit log record it, never the token.
 */
enum proto_status seat_reissue(struct handler_ctx *ctx, struct store_assignment *a,
                               const char *reason, struct reply *rep);

/* Expire one offered seat whose deadline has passed, with everything it
 * sets off (the dispatcher runs it at batch start, one savepoint each). */
enum proto_status seat_expire(struct handler_ctx *ctx, struct store_assignment *a,
                              struct reply *rep);

/* Cancel the open seats of a task (task.cancel, redraw); audit entries
 * only when `logged` (a redraw's transcript implies them). */
enum proto_status seat_cancel_open(struct handler_ctx *ctx, const struct task *t,
                                   const char *reason, bool logged,
                                   int64_t *cancelled, struct reply *rep);

/* Recompute the task's fill (PROTOCOL.md 7.12.4) after its seats
 * changed; a change to filled or short is an audit entry. failed: the
 * attempt that could not fill a seat, or NULL. */
enum proto_status seat_refresh_fill(struct handler_ctx *ctx, struct task *t,
                                    const struct attempt *failed,
                                    struct reply *rep);

#endif
