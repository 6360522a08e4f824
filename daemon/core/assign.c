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

/* What a settled state may be corrected to (PROTOCOL.md 7.12.16): the
 * other attendance, or the same state with another reason. A seat that
 * was declined stays declined: its place was filled or left short, and
 * an acceptance now would not give it back. */
static const signed char assign_corrections[ASSIGN__COUNT] = {
	[ASSIGN_COMPLETED] = TO(ASSIGN_NO_SHOW),
	[ASSIGN_NO_SHOW] = TO(ASSIGN_COMPLETED),
	[ASSIGN_DECLINED] = TO(ASSIGN_DECLINED),
	[ASSIGN_WITHDRAWN] = TO(ASSIGN_WITHDRAWN),
};

enum assign_correction assign_correct(int from, int from_reason, int to,
                                      int to_reason)
{
	if (!assign_state_is_valid(from) || !assign_corrections[from])
		return ASSIGN_CORRECT_STATE;
	bool reasoned = from == ASSIGN_DECLINED || from == ASSIGN_WITHDRAWN;
	if (!reasoned && from == to)
		return ASSIGN_CORRECT_SAME;   /* completed again, no_show again */
	if (assign_corrections[from] - 1 != to)
		return ASSIGN_CORRECT_STATE;
	if (!reasoned)
		return from_reason < 0 && to_reason < 0 ? ASSIGN_CORRECT_OK
		                                        : ASSIGN_CORRECT_STATE;
	if (from_reason < 0 || from_reason >= POLICY_REASON__COUNT || to_reason < 0 ||
	    to_reason >= POLICY_REASON__COUNT)
		return ASSIGN_CORRECT_STATE;
	if (from_reason == POLICY_REASON_CONFLICT || to_reason == POLICY_REASON_CONFLICT)
		return ASSIGN_CORRECT_CONFLICT;
	return from_reason == to_reason ? ASSIGN_CORRECT_SAME : ASSIGN_CORRECT_OK;
}
