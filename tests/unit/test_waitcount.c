/*
 * test_waitcount.c - requests waiting per connection (server.c's busy rule
 * and lanes, PROTOCOL.md 6.5): counts follow every add and remove, and
 * removing entries in any order, with runs of probes that wrap around the
 * table's end, never loses another connection's count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "waitcount.h"

/* A routing id as libzmq makes them: a zero byte and a 32-bit counter. */
static void routing_id(uint32_t n, unsigned char id[5])
{
	id[0] = 0;
	memcpy(id + 1, &n, 4);
}

static void test_counts_follow_adds_and_removes(void **state)
{
	(void)state;
	struct waitcount *w = waitcount_new(4);
	assert_non_null(w);
	unsigned char a[5], b[5];
	routing_id(1, a);
	routing_id(2, b);
	assert_int_equal(waitcount_get(w, a, 5), 0);
	waitcount_add(w, a, 5, 1);
	waitcount_add(w, a, 5, 1);
	waitcount_add(w, b, 5, 1);
	assert_int_equal(waitcount_get(w, a, 5), 2);
	assert_int_equal(waitcount_get(w, b, 5), 1);
	assert_int_equal(waitcount_get(w, "other", 5), 0);
	waitcount_add(w, a, 5, -1);
	waitcount_add(w, b, 5, -1);
	assert_int_equal(waitcount_get(w, a, 5), 1);
	assert_int_equal(waitcount_get(w, b, 5), 0);
	waitcount_add(w, a, 5, -1);
	assert_int_equal(waitcount_get(w, a, 5), 0);
	waitcount_destroy(&w);
	assert_null(w);
	waitcount_destroy(&w);   /* NULL-safe */
}

/* A full table (max connections at once), emptied and refilled in a
 * shuffled order many times: a count is never lost or misplaced. */
static void test_random_removal_keeps_every_count(void **state)
{
	(void)state;
	enum { MAX = 300, ROUNDS = 200 };
	struct waitcount *w = waitcount_new(MAX);
	assert_non_null(w);
	int expect[MAX] = {0};
	unsigned char id[5];
	srand(7);
	for (int round = 0; round < ROUNDS; round++) {
		for (int k = 0; k < 4 * MAX; k++) {
			uint32_t c = (uint32_t)(rand() % MAX);
			int add = expect[c] == 0 || rand() % 2;
			routing_id(c + (uint32_t)round * 1000003u, id);
			waitcount_add(w, id, 5, add ? 1 : -1);
			expect[c] += add ? 1 : -1;
		}
		for (uint32_t c = 0; c < MAX; c++) {
			routing_id(c + (uint32_t)round * 1000003u, id);
			assert_int_equal(waitcount_get(w, id, 5), expect[c]);
		}
		for (uint32_t c = 0; c < MAX; c++) {   /* empty it for the next round */
			routing_id(c + (uint32_t)round * 1000003u, id);
			for (; expect[c] > 0; expect[c]--)
				waitcount_add(w, id, 5, -1);
			assert_int_equal(waitcount_get(w, id, 5), 0);
		}
	}
	waitcount_destroy(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_follow_adds_and_removes),
		cmocka_unit_test(test_random_removal_keeps_every_count),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
