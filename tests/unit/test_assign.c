/*
 * test_assign.c - every (state, event) pair of the assignment state
 * machine against a table written out here independently of assign.c,
 * plus the event names and the open / frees-seat predicates.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "assign.h"
#include "policy.h"
#include "proto.h"

#define N_STATES 9

/* Short names so each row of the expected table fits on one line. */
#define NO (-1)
#define OFR ASSIGN_OFFERED
#define ACC ASSIGN_ACCEPTED
#define DEC ASSIGN_DECLINED
#define EXP ASSIGN_EXPIRED
#define CMP ASSIGN_COMPLETED
#define NSH ASSIGN_NO_SHOW
#define WDR ASSIGN_WITHDRAWN
#define CAN ASSIGN_CANCELLED

/* The diagram of assign.h, cell by cell; columns in enum assign_event order:
 *                        promote accept decline expire complete no_show withdraw cancel */
static const int expected[N_STATES][ASSIGN_EV__COUNT] = {
	[ASSIGN_STANDBY]   = { OFR,   NO,    NO,     NO,    NO,      NO,     NO,      CAN },
	[ASSIGN_OFFERED]   = { NO,    ACC,   DEC,    EXP,   NO,      NO,     NO,      CAN },
	[ASSIGN_ACCEPTED]  = { NO,    NO,    NO,     NO,    CMP,     NSH,    WDR,     CAN },
	[ASSIGN_DECLINED]  = { NO,    NO,    NO,     NO,    NO,      NO,     NO,      NO  },
	[ASSIGN_EXPIRED]   = { NO,    NO,    NO,     NO,    NO,      NO,     NO,      NO  },
	[ASSIGN_COMPLETED] = { NO,    NO,    NO,     NO,    NO,      NO,     NO,      NO  },
	[ASSIGN_NO_SHOW]   = { NO,    NO,    NO,     NO,    NO,      NO,     NO,      NO  },
	[ASSIGN_WITHDRAWN] = { NO,    NO,    NO,     NO,    NO,      NO,     NO,      NO  },
	[ASSIGN_CANCELLED] = { NO,    NO,    NO,     NO,    NO,      NO,     NO,      NO  },
};

/* The columns above assume this event order. */
static void test_event_enum_order(void **state)
{
	(void)state;
	assert_int_equal(ASSIGN_EV__COUNT, 8);
	assert_int_equal(ASSIGN_EV_PROMOTE, 0);
	assert_int_equal(ASSIGN_EV_ACCEPT, 1);
	assert_int_equal(ASSIGN_EV_DECLINE, 2);
	assert_int_equal(ASSIGN_EV_EXPIRE, 3);
	assert_int_equal(ASSIGN_EV_COMPLETE, 4);
	assert_int_equal(ASSIGN_EV_NO_SHOW, 5);
	assert_int_equal(ASSIGN_EV_WITHDRAW, 6);
	assert_int_equal(ASSIGN_EV_CANCEL, 7);
	assert_int_equal(ASSIGN_CANCELLED, N_STATES - 1);
}

/* All 72 pairs; a mismatch names the pair before failing. */
static void test_every_pair(void **state)
{
	(void)state;
	int checked = 0, legal = 0, mismatches = 0;
	for (int s = 0; s < N_STATES; s++) {
		for (int e = 0; e < ASSIGN_EV__COUNT; e++) {
			int got = assign_next(s, (enum assign_event)e);
			if (got != expected[s][e]) {
				print_error("%s --%s--> %d, expected %d\n",
				            proto_assignment_states[s],
				            assign_event_names[e], got, expected[s][e]);
				mismatches++;
			}
			checked++;
			legal += expected[s][e] != NO;
		}
	}
	assert_int_equal(mismatches, 0);
	assert_int_equal(checked, 72);
	assert_int_equal(legal, 10);
}

/* The headline illegal transitions the issue names. */
static void test_named_illegal(void **state)
{
	(void)state;
	/* answering twice */
	assert_int_equal(assign_next(ASSIGN_ACCEPTED, ASSIGN_EV_ACCEPT), -1);
	assert_int_equal(assign_next(ASSIGN_DECLINED, ASSIGN_EV_DECLINE), -1);
	assert_int_equal(assign_next(ASSIGN_DECLINED, ASSIGN_EV_ACCEPT), -1);
	/* accepting after the deadline */
	assert_int_equal(assign_next(ASSIGN_EXPIRED, ASSIGN_EV_ACCEPT), -1);
	/* completing a declined seat */
	assert_int_equal(assign_next(ASSIGN_DECLINED, ASSIGN_EV_COMPLETE), -1);
	/* a standby cannot answer before it is offered */
	assert_int_equal(assign_next(ASSIGN_STANDBY, ASSIGN_EV_ACCEPT), -1);
	/* attendance only after acceptance */
	assert_int_equal(assign_next(ASSIGN_OFFERED, ASSIGN_EV_NO_SHOW), -1);
	/* cancelling twice */
	assert_int_equal(assign_next(ASSIGN_CANCELLED, ASSIGN_EV_CANCEL), -1);
}

/* States come from the store, events from requests: garbage is illegal. */
static void test_out_of_range(void **state)
{
	(void)state;
	assert_int_equal(assign_next(-1, ASSIGN_EV_CANCEL), -1);
	assert_int_equal(assign_next(N_STATES, ASSIGN_EV_CANCEL), -1);
	assert_int_equal(assign_next(1000000, ASSIGN_EV_ACCEPT), -1);
	assert_int_equal(assign_next(ASSIGN_OFFERED, ASSIGN_EV__COUNT), -1);
	assert_int_equal(assign_next(ASSIGN_OFFERED, (enum assign_event)-1), -1);
	assert_int_equal(assign_next(ASSIGN_OFFERED, (enum assign_event)99), -1);
	assert_false(assign_is_open(-1));
	assert_false(assign_is_open(N_STATES));
	assert_false(assign_frees_seat(-1));
	assert_false(assign_frees_seat(N_STATES));
}

static void test_event_names(void **state)
{
	(void)state;
	static const char *const want[] = {"promote", "accept", "decline",
		"expire", "complete", "no_show", "withdraw", "cancel"};
	assert_int_equal(sizeof want / sizeof want[0], ASSIGN_EV__COUNT);
	for (int e = 0; e < ASSIGN_EV__COUNT; e++) {
		assert_non_null(assign_event_names[e]);
		assert_string_equal(assign_event_names[e], want[e]);
	}
}

/* engage.h promises the state order of the wire names. */
static void test_state_names_match_proto(void **state)
{
	(void)state;
	static const char *const want[N_STATES] = {
		[ASSIGN_OFFERED] = "offered", [ASSIGN_STANDBY] = "standby",
		[ASSIGN_ACCEPTED] = "accepted", [ASSIGN_DECLINED] = "declined",
		[ASSIGN_EXPIRED] = "expired", [ASSIGN_COMPLETED] = "completed",
		[ASSIGN_NO_SHOW] = "no_show", [ASSIGN_WITHDRAWN] = "withdrawn",
		[ASSIGN_CANCELLED] = "cancelled"};
	for (int s = 0; s < N_STATES; s++)
		assert_string_equal(proto_assignment_states[s], want[s]);
	assert_null(proto_assignment_states[N_STATES]);
}

static void test_predicates(void **state)
{
	(void)state;
	static const struct {
		int state;
		bool open, frees;
	} want[N_STATES] = {
		{ASSIGN_STANDBY, true, false},
		{ASSIGN_OFFERED, true, false},
		{ASSIGN_ACCEPTED, true, false},
		{ASSIGN_DECLINED, false, true},
		{ASSIGN_EXPIRED, false, true},
		{ASSIGN_COMPLETED, false, false},
		{ASSIGN_NO_SHOW, false, false},
		{ASSIGN_WITHDRAWN, false, true},
		{ASSIGN_CANCELLED, false, false},
	};
	for (int i = 0; i < N_STATES; i++) {
		assert_int_equal(assign_is_open(want[i].state), want[i].open);
		assert_int_equal(assign_frees_seat(want[i].state), want[i].frees);
	}
}

/* Consistency of table and predicates: exactly the open states can
 * move, every open state can be cancelled, and a seat is freed only by
 * leaving an open state. */
static void test_table_agrees_with_predicates(void **state)
{
	(void)state;
	for (int s = 0; s < N_STATES; s++) {
		int moves = 0;
		for (int e = 0; e < ASSIGN_EV__COUNT; e++) {
			int to = assign_next(s, (enum assign_event)e);
			if (to < 0)
				continue;
			moves++;
			if (assign_frees_seat(to))
				assert_true(assign_is_open(s));
		}
		assert_int_equal(moves > 0, assign_is_open(s));
		if (assign_is_open(s))
			assert_int_equal(assign_next(s, ASSIGN_EV_CANCEL), ASSIGN_CANCELLED);
	}
}

/* What a settled seat may be corrected to (PROTOCOL.md 7.12.16), written
 * out: from (rows) to (columns), 1 where the table allows it. */
static const int correctable[N_STATES][N_STATES] = {
	/*                  OFR SBY ACC DEC EXP CMP NSH WDR CAN */
	[ASSIGN_DECLINED]  = {0,  0,  1,  1,  0,  0,  0,  1,  0},
	[ASSIGN_COMPLETED] = {0,  0,  0,  0,  0,  1,  1,  0,  0},
	[ASSIGN_NO_SHOW]   = {0,  0,  0,  0,  0,  1,  1,  0,  0},
	[ASSIGN_WITHDRAWN] = {0,  0,  0,  1,  0,  0,  0,  1,  0},
};

static bool has_reason(int state)
{
	return state == DEC || state == WDR;
}

/* Pair by pair and reason by reason (-1, each reason, one past them): a
 * reason exactly where the state has one, never conflict, and a change. */
static void test_corrections(void **state)
{
	(void)state;
	for (int from = 0; from < N_STATES; from++)
		for (int to = 0; to < N_STATES; to++)
			for (int r1 = -1; r1 <= POLICY_REASON__COUNT; r1++)
				for (int r2 = -1; r2 <= POLICY_REASON__COUNT; r2++) {
					bool fits1 = has_reason(from) ? r1 >= 0 && r1 < POLICY_REASON__COUNT
					                              : r1 == -1;
					bool fits2 = has_reason(to) ? r2 >= 0 && r2 < POLICY_REASON__COUNT
					                            : r2 == -1;
					enum assign_correction want =
						!correctable[from][to] || !fits1 || !fits2 ? ASSIGN_CORRECT_STATE
						: r1 == POLICY_REASON_CONFLICT || r2 == POLICY_REASON_CONFLICT
						? ASSIGN_CORRECT_CONFLICT
						: from == to && r1 == r2 ? ASSIGN_CORRECT_SAME : ASSIGN_CORRECT_OK;
					assert_int_equal(assign_correct(from, r1, to, r2), want);
				}
	/* The cases the spec names. */
	assert_int_equal(assign_correct(NSH, -1, CMP, -1), ASSIGN_CORRECT_OK);
	assert_int_equal(assign_correct(DEC, POLICY_REASON_SCHEDULE, DEC,
	                                POLICY_REASON_ILLNESS), ASSIGN_CORRECT_OK);
	assert_int_equal(assign_correct(DEC, POLICY_REASON_SCHEDULE, ACC, -1),
	                 ASSIGN_CORRECT_OK);
	assert_int_equal(assign_correct(WDR, POLICY_REASON_SCHEDULE, DEC,
	                                POLICY_REASON_SCHEDULE), ASSIGN_CORRECT_OK);
	assert_int_equal(assign_correct(ACC, -1, DEC, POLICY_REASON_SCHEDULE),
	                 ASSIGN_CORRECT_STATE);   /* not settled: answered instead */
	assert_int_equal(assign_correct(WDR, POLICY_REASON_SCHEDULE, ACC, -1),
	                 ASSIGN_CORRECT_STATE);
	assert_int_equal(assign_correct(EXP, -1, ACC, -1), ASSIGN_CORRECT_STATE);
	assert_int_equal(assign_correct(-1, -1, CMP, -1), ASSIGN_CORRECT_STATE);
	assert_int_equal(assign_correct(CMP, -1, N_STATES, -1), ASSIGN_CORRECT_STATE);
}

/* The seats that hold a place on the panel. */
static void test_holds_place(void **state)
{
	(void)state;
	for (int s = 0; s < N_STATES; s++)
		assert_int_equal(assign_holds_place(s),
		                 s == OFR || s == ACC || s == CMP || s == NSH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_enum_order),
		cmocka_unit_test(test_every_pair),
		cmocka_unit_test(test_named_illegal),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_event_names),
		cmocka_unit_test(test_state_names_match_proto),
		cmocka_unit_test(test_predicates),
		cmocka_unit_test(test_table_agrees_with_predicates),
		cmocka_unit_test(test_corrections),
		cmocka_unit_test(test_holds_place),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
