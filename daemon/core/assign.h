/*
 * assign.h - the assignment state machine (issue #4), table-driven and
 * pure. A panel seat is an assignment:
 *
 *   standby --promote--> offered --accept--> accepted --complete--> completed
 *                           |                   |---no_show--> no_show
 *                           |--decline--> declined
 *                           |--expire---> expired  |---withdraw--> withdrawn
 *   any open state (standby, offered, accepted) --cancel--> cancelled
 *
 * States are enum assign_state. Every transition names who made
 * it and why; the table decides only whether it is legal and where it goes.
 */
#ifndef EXPERTD_ASSIGN_H
#define EXPERTD_ASSIGN_H

#include <stdbool.h>

/* Order matches proto_assignment_states[] (asserted in assign.c). */
enum assign_state {
	ASSIGN_OFFERED,
	ASSIGN_STANDBY,
	ASSIGN_ACCEPTED,
	ASSIGN_DECLINED,
	ASSIGN_EXPIRED,
	ASSIGN_COMPLETED,
	ASSIGN_NO_SHOW,
	ASSIGN_WITHDRAWN,
	ASSIGN_CANCELLED,
	ASSIGN__COUNT
};

enum assign_event {
	ASSIGN_EV_PROMOTE,   /* a standby backup takes a freed seat */
	ASSIGN_EV_ACCEPT,
	ASSIGN_EV_DECLINE,
	ASSIGN_EV_EXPIRE,    /* no answer by the deadline */
	ASSIGN_EV_COMPLETE,  /* attendance reported after the task */
	ASSIGN_EV_NO_SHOW,
	ASSIGN_EV_WITHDRAW,  /* declined after accepting */
	ASSIGN_EV_CANCEL,    /* the task was cancelled or redrawn */
	ASSIGN_EV__COUNT
};

/* Wire names of the events ("promote", "accept", ...). */
/* NULL-terminated, for proto_choice_index(). */
extern const char *const assign_event_names[ASSIGN_EV__COUNT + 1];

/*
 * The state `ev` leads to from `from`, or -1 when the transition is illegal
 * (answering twice, completing a declined seat, ...).
 */
int assign_next(int from, enum assign_event ev);

/*
 * A correction of a settled seat's recorded outcome (PROTOCOL.md
 * 7.12.16): attendance completed <-> no_show; a declined or withdrawn
 * seat into either, with a reason (enum policy_reason; -1 for states
 * without one); a declined seat into accepted, where assign_holds_place()
 * finds its place still empty (the caller checks). Not a transition:
 * what was recorded changes, the panel around it does not.
 */
enum assign_correction {
	ASSIGN_CORRECT_OK,
	ASSIGN_CORRECT_STATE,    /* the seat's state takes no such correction */
	ASSIGN_CORRECT_CONFLICT, /* to or from conflict: its conflict stays recorded */
	ASSIGN_CORRECT_SAME,     /* nothing would change */
};
enum assign_correction assign_correct(int from, int from_reason, int to,
                                      int to_reason);

/* Seats that hold a place on the panel: offered, accepted, completed,
 * no_show (a standby holds none until promoted). */
bool assign_holds_place(int state);

/* Open seats still hold (or may hold) an expert: standby, offered, accepted. */
bool assign_is_open(int state);
/* Seats that free a place to refill: declined, expired, withdrawn. */
bool assign_frees_seat(int state);

#endif
