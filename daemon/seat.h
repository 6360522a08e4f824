/*
 * seat.h - private to h_assign.c and h_answer.c: what an answer or a
 * daemon action brings to a seat transition, seat_settle(), which
 * makes the transition and everything it sets off (PROTOCOL.md 7.12),
 * and assign_reissue(), a new token for a seat that stays offered.
 */
#ifndef EXPERTD_SEAT_H
#define EXPERTD_SEAT_H

#include "assign.h"
#include "attempt.h"
#include "handler.h"

/* Channels, as indexes into proto_channels. */
enum { SEAT_CH_TOKEN = 0, SEAT_CH_SYSTEM = 6 };

/* What an answer or a daemon action brings to a transition. */
struct seat_answer {
	enum assign_event event;
	int channel;                 /* proto_channels */
	int reason;                  /* decline/withdraw reason code, or -1 */
	const char *text;            /* a cancel reason ("" if none) */
	const char *note;            /* free text for the history, "" if none */
	char org_code[19];           /* a conflict declared by the decline */
};

/* Which seat took a freed place (assignment.reply's filled_by). */
struct seat_fill {
	int64_t assignment, expert, deadline;
	int role;
	const char *how;             /* "promoted", "drawn"; NULL: none */
};

/*
 * A transition and everything it sets off, in the order of 7.11.2: the
 * seat's entry, a declared conflict, the ledger, the refill of a freed
 * seat, the fill state. out receives the seat that took a freed place.
 */
enum proto_status seat_settle(struct handler_ctx *ctx, struct task *t,
                              struct store_assignment *a,
                              const struct seat_answer *ans,
                              struct seat_fill *out, struct reply *rep);

/*
 * A new token for an offered seat (PROTOCOL.md 7.12.13): the old one dies,
 * the deadline stays; the token goes to the live reply and a notify.offer;
 * the seat's history and the audit log record it, never the token.
 */
enum proto_status assign_reissue(struct handler_ctx *ctx, struct store_assignment *a,
                                 const char *reason, struct reply *rep);

#endif
