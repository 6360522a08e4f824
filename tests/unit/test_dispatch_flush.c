/*
 * test_dispatch_flush.c - what a committed batch owes the event stream:
 * dispatch_flush() hands on_commit exactly the entries the batch appended
 * (read inside the batch, before its COMMIT), runs the callback inside one
 * read snapshot of the store, and leaves no transaction open, so the next
 * batch can begin, also when that batch is what runs the flush.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <sodium.h>

#include "audit.h"
#include "audit_log.h"
#include "dispatch.h"
#include "unit_db.h"

/* What the callbacks saw. */
struct seen {
	int calls;
	int64_t first, last;
	bool in_snapshot;       /* a transaction was open during the call */
	int entries;            /* term.opened entries read in the call */
	int dues;
};

struct fx {
	struct unit_dispatch u;
	struct seen seen;
};

static void on_commit_cb(void *arg, int64_t first, int64_t last)
{
	struct fx *f = arg;
	struct store_audit_row *rows = NULL;
	size_t n = 0;
	f->seen.calls++;
	f->seen.first = first;
	f->seen.last = last;
	f->seen.in_snapshot = store_in_batch(f->u.store);
	f->seen.entries = 0;
	assert_int_equal(store_audit_list(f->u.store, first - 1, 100, &rows, &n), STORE_OK);
	for (size_t i = 0; i < n; i++)
		if (rows[i].seq <= last && strcmp(rows[i].type, AUDIT_TERM) == 0)
			f->seen.entries++;
	store_audit_rows_free(rows, n);
}

static void on_due_cb(void *arg, int64_t next)
{
	struct fx *f = arg;
	f->seen.dues++;
	assert_int_equal(next, 0);   /* no seat was ever offered */
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	assert_non_null(f);
	assert_true(unit_dispatch_open(&f->u, "flush"));
	dispatch_on_commit(f->u.d, on_commit_cb, f);
	dispatch_on_due(f->u.d, on_due_cb, f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	unit_dispatch_close(&f->u);
	free(f);
	return 0;
}

/* One batch of term.open requests by an operator; each must succeed. */
static void open_terms(struct fx *f, const char *const *starts, size_t n)
{
	msgpack_sbuffer sb[4];
	struct dispatch_item it[4];
	assert_true(n <= 4);
	for (size_t i = 0; i < n; i++) {
		msgpack_packer pk;
		char id[32];
		snprintf(id, sizeof id, "open-%s", starts[i]);
		msgpack_sbuffer_init(&sb[i]);
		msgpack_packer_init(&pk, &sb[i], msgpack_sbuffer_write);
		proto_pack_request_head(&pk, id, PROTO_OP_TERM_OPEN);
		msgpack_pack_map(&pk, 1);
		proto_pack_kv_str(&pk, "start", starts[i]);
		dispatch_item_init(&it[i]);
		it[i].body = sb[i].data;
		it[i].len = sb[i].size;
		it[i].caller_known = true;
		it[i].caller.role = PROTO_ROLE_OPERATOR;
		strcpy(it[i].caller.principal, "op");
	}
	dispatch_batch(f->u.d, it, n, time(NULL), NULL);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(it[i].status, PROTO_OK);
		dispatch_item_free(&it[i]);
		msgpack_sbuffer_destroy(&sb[i]);
	}
}

static int64_t audit_last(struct fx *f)
{
	int64_t seq;
	uint8_t h[STORE_AUDIT_HASH_LEN];
	assert_int_equal(store_audit_last(f->u.store, &seq, h), STORE_OK);
	return seq;
}

static void test_flush_publishes_the_batch_in_one_snapshot(void **state)
{
	struct fx *f = *state;
	const char *starts[] = {"2026-01-01", "2027-01-01"};
	int64_t before = audit_last(f);
	open_terms(f, starts, 2);
	assert_int_equal(f->seen.calls, 0);   /* not before the replies */
	assert_int_equal(f->seen.dues, 1);
	assert_false(store_in_batch(f->u.store));
	dispatch_flush(f->u.d);
	assert_int_equal(f->seen.calls, 1);
	assert_int_equal(f->seen.first, before + 1);
	assert_int_equal(f->seen.last, before + 2);
	assert_int_equal(audit_last(f), before + 2);
	assert_true(f->seen.in_snapshot);
	assert_int_equal(f->seen.entries, 2);
	assert_false(store_in_batch(f->u.store));
	/* Owed once: a second flush has nothing to hand over. */
	dispatch_flush(f->u.d);
	assert_int_equal(f->seen.calls, 1);
	assert_false(store_in_batch(f->u.store));
}

/* A caller that forgot the flush: the next batch runs it first, and the
 * snapshot is closed before that batch's BEGIN IMMEDIATE. */
static void test_next_batch_flushes_and_still_commits(void **state)
{
	struct fx *f = *state;
	const char *a[] = {"2026-01-01"}, *b[] = {"2027-01-01"};
	int64_t before = audit_last(f);
	open_terms(f, a, 1);
	open_terms(f, b, 1);   /* fails if the flush left a transaction open */
	assert_int_equal(f->seen.calls, 1);
	assert_int_equal(f->seen.first, before + 1);
	assert_int_equal(f->seen.last, before + 1);
	assert_true(f->seen.in_snapshot);
	dispatch_flush(f->u.d);
	assert_int_equal(f->seen.calls, 2);
	assert_int_equal(f->seen.first, before + 2);
	assert_int_equal(f->seen.last, before + 2);
	assert_false(store_in_batch(f->u.store));
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_flush_publishes_the_batch_in_one_snapshot,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_next_batch_flushes_and_still_commits,
		                                setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
