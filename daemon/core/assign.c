/*
 * assign.c - the assignment state machine of assign.h as one table,
 * [state][event] -> next state, so the diagram and the code can be read
 * side by side and no transition hides in a branch.
 */
#include "assign.h"
#include "policy.h"
#include "proto.h"

_Static_assert(ASSIGN__COUNT == PROTO_ASSIGNMENT_STATES_COUNT,
               "enum assign_state and proto_assignment_states differ");

/* No entry means illegal; ASSIGN_OFFERED is 0, so the table stores
 * next + 1 and an empty cell reads as 0 = "no transition". */
#define TO(s) ((signed char)((s) + 1))

const char *const assign_event_names[ASSIGN_EV__COUNT + 1] = {
	[ASSIGN_EV_PROMOTE] = "promote",
	[ASSIGN_EV_ACCEPT] = "accept",
	[ASSIGN_EV_DECLINE] = "decline",
	[ASSIGN_EV_EXPIRE] = "expire",
	[ASSIGN_EV_COMPLETE] = "complete",
	[ASSIGN_EV_NO_SHOW] = "no_show",
	[ASSIGN_EV_WITHDRAW] = "withdraw",
	[ASSIGN_EV_CANCEL] = "cancel",
};

static const signed char assign_table[ASSIGN__COUNT][ASSIGN_EV__COUNT] = {
	[ASSIGN_STANDBY] = {
		[ASSIGN_EV_PROMOTE] = TO(ASSIGN_OFFERED),
		[ASSIGN_EV_CANCEL] = TO(ASSIGN_CANCELLED),
	},
	[ASSIGN_OFFERED] = {
		[ASSIGN_EV_ACCEPT] = TO(ASSIGN_ACCEPTED),
		[ASSIGN_EV_DECLINE] = TO(ASSIGN_DECLINED),
		[ASSIGN_EV_EXPIRE] = TO(ASSIGN_EXPIRED),
		[ASSIGN_EV_CANCEL] = TO(ASSIGN_CANCELLED),
	},
	[ASSIGN_ACCEPTED] = {
		[ASSIGN_EV_COMPLETE] = TO(ASSIGN_COMPLETED),
		[ASSIGN_EV_NO_SHOW] = TO(ASSIGN_NO_SHOW),
		[ASSIGN_EV_WITHDRAW] = TO(ASSIGN_WITHDRAWN),
		[ASSIGN_EV_CANCEL] = TO(ASSIGN_CANCELLED),
	},
	/* declined, expired, completed, no_show, withdrawn, cancelled: final. */
};

/* States come from the store and events from requests: out-of-range
 * values are illegal transitions, not programmer errors. */
static bool assign_state_is_valid(int state)
{
	return state >= 0 && state < ASSIGN__COUNT;
}

int assign_next(int from, enum assign_event ev)
{
	if (!assign_state_is_valid(from) || (int)ev < 0 || ev >= ASSIGN_EV__COUNT)
		return -1;
	return assign_table[from][ev] - 1;
}

bool assign_is_open(int state)
{
	return state == ASSIGN_STANDBY || state == ASSIGN_OFFERED ||
	       state == ASSIGN_ACCEPTED;
}

bool assign_frees_seat(int state)
{
	return state == ASSIGN_DECLINED || state == ASSIGN_EXPIRED ||
	       state == ASSIGN_WITHDRAWN;
}

/* What a settled state may be corrected to (PROTOCOL.md 7.12.16), as a
 * set of states: the attendances into each other; a decline or a
 * withdrawal into either with a reason (both freed the seat alike); and
 * a decline into an acceptance, where its place is still empty (the
 * caller's check, assign_holds_place()). */
#define IN(s) (1u << (s))
static const unsigned assign_corrections[ASSIGN__COUNT] = {
	[ASSIGN_COMPLETED] = IN(ASSIGN_COMPLETED) | IN(ASSIGN_NO_SHOW),
	[ASSIGN_NO_SHOW] = IN(ASSIGN_COMPLETED) | IN(ASSIGN_NO_SHOW),
	[ASSIGN_DECLINED] = IN(ASSIGN_DECLINED) | IN(ASSIGN_WITHDRAWN) | IN(ASSIGN_ACCEPTED),
	[ASSIGN_WITHDRAWN] = IN(ASSIGN_DECLINED) | IN(ASSIGN_WITHDRAWN),
};

static bool assign_is_reasoned(int state)
{
	return state == ASSIGN_DECLINED || state == ASSIGN_WITHDRAWN;
}

/* A reason where the state has one (a decline's or a withdrawal's), and
 * -1 where it has none. */
static bool assign_reason_fits(int state, int reason)
{
	if (!assign_is_reasoned(state))
		return reason == -1;
	return reason >= 0 && reason < POLICY_REASON__COUNT;
}

enum assign_correction assign_correct(int from, int from_reason, int to,
                                      int to_reason)
{
	if (!assign_state_is_valid(from) || !assign_state_is_valid(to) ||
	    !(assign_corrections[from] & IN(to)) || !assign_reason_fits(from, from_reason) ||
	    !assign_reason_fits(to, to_reason))
		return ASSIGN_CORRECT_STATE;
	if (from_reason == POLICY_REASON_CONFLICT || to_reason == POLICY_REASON_CONFLICT)
		return ASSIGN_CORRECT_CONFLICT;
	return from == to && from_reason == to_reason ? ASSIGN_CORRECT_SAME
	                                              : ASSIGN_CORRECT_OK;
}

bool assign_holds_place(int state)
{
	return state == ASSIGN_OFFERED || state == ASSIGN_ACCEPTED ||
	       state == ASSIGN_COMPLETED || state == ASSIGN_NO_SHOW;
}
