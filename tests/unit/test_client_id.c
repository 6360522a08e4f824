/*
 * test_client_id.c - the reference client's request ids (PROTOCOL.md
 * 6.1): 32 lowercase hex characters, the first 12 the Unix time in
 * milliseconds when it was made, the rest random; so ids made later sort
 * later, and two made in the same millisecond still differ.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "client.h"

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The id's time prefix, in milliseconds. */
static int64_t id_ms(const char *id)
{
	char prefix[2 * CLIENT_ID_TIME_BYTES + 1];
	memcpy(prefix, id, sizeof prefix - 1);
	prefix[sizeof prefix - 1] = '\0';
	return (int64_t)strtoll(prefix, NULL, 16);
}

static void test_id_form_and_time(void **state)
{
	(void)state;
	char id[PROTO_MAX_ID_LEN + 1];
	int64_t before = now_ms();
	client_request_id(id);
	int64_t after = now_ms();
	assert_int_equal(strlen(id), 32);
	assert_int_equal(strspn(id, "0123456789abcdef"), 32);
	assert_in_range(id_ms(id), before, after);
}

/* 1,000 ids in a row: never two alike, and each sorts at or after the
 * one before in its time prefix (whatever the random part). */
static void test_ids_sort_in_order_made(void **state)
{
	(void)state;
	char prev[PROTO_MAX_ID_LEN + 1], id[PROTO_MAX_ID_LEN + 1];
	client_request_id(prev);
	for (int i = 0; i < 1000; i++) {
		client_request_id(id);
		assert_string_not_equal(id, prev);
		assert_true(memcmp(id, prev, 2 * CLIENT_ID_TIME_BYTES) >= 0);
		memcpy(prev, id, sizeof id);
	}
}

/* The random part, 80 bits: ids made within the same few milliseconds
 * differ there (64 of 20 random hex digits clash with probability
 * ~2^-69). */
static void test_random_part_differs(void **state)
{
	(void)state;
	char ids[64][PROTO_MAX_ID_LEN + 1];
	for (int i = 0; i < 64; i++)
		client_request_id(ids[i]);
	for (int i = 0; i < 64; i++)
		for (int j = i + 1; j < 64; j++)
			assert_true(strcmp(ids[i] + 2 * CLIENT_ID_TIME_BYTES,
			                   ids[j] + 2 * CLIENT_ID_TIME_BYTES) != 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_id_form_and_time),
		cmocka_unit_test(test_ids_sort_in_order_made),
		cmocka_unit_test(test_random_part_differs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
