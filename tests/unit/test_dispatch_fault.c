/*
 * test_dispatch_fault.c - a batch whose transaction SQLite abandons midway
 * (an interrupted INSERT inside BEGIN rolls the whole transaction back)
 * must answer every request `unavailable`, leave nothing durable and keep
 * the daemon usable. Uses store internals (the sqlite3 handle) to inject
 * the interrupt: this is a test of the store/dispatch boundary.
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

#include "audit_log.h"
#include "dispatch.h"
#include "store_int.h"
#include "unit_db.h"

struct fx {
	struct unit_dispatch u;
};

/* The fault: interrupt the nth "INSERT INTO terms" of the armed batch;
 * then, if armed with fault_also(), every statement containing `also`
 * (those rebuilding the in-memory pool, say). */
static struct {
	bool armed;
	int inserts;
	int target;
	const char *also;
	int also_hits;
	bool pending;
	bool fired;
} fault;

static int fault_trace_cb(unsigned type, void *arg, void *p, void *x)
{
	(void)arg;
	(void)x;
	if (type != SQLITE_TRACE_STMT || !fault.armed)
		return 0;
	const char *sql = sqlite3_sql(p);
	if (sql && strncmp(sql, "INSERT INTO terms", 17) == 0 &&
	    ++fault.inserts == fault.target)
		fault.pending = true;
	if (sql && fault.also && fault.fired && strstr(sql, fault.also)) {
		fault.also_hits++;
		fault.pending = true;
	}
	return 0;
}

/* Runs every VM step; fails the statement the trace picked. */
static int fault_progress_cb(void *arg)
{
	(void)arg;
	if (!fault.pending)
		return 0;
	fault.pending = false;
	fault.fired = true;
	return 1;
}

static void fault_arm(struct store *s, int target)
{
	memset(&fault, 0, sizeof fault);
	fault.armed = true;
	fault.target = target;
	sqlite3_trace_v2(db_sqlite(s->db), SQLITE_TRACE_STMT, fault_trace_cb, NULL);
	sqlite3_progress_handler(db_sqlite(s->db), 1, fault_progress_cb, NULL);
}

static void fault_also(const char *sql)
{
	fault.also = sql;
}

static void fault_disarm(struct store *s)
{
	fault.armed = false;
	sqlite3_trace_v2(db_sqlite(s->db), 0, NULL, NULL);
	sqlite3_progress_handler(db_sqlite(s->db), 0, NULL, NULL);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	assert_non_null(f);
	assert_true(unit_dispatch_open(&f->u, "fault"));
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

/* One request body: op with an optional "start" argument. */
static void req_build(msgpack_sbuffer *sb, const char *id, enum proto_op op,
                      const char *start)
{
	msgpack_packer pk;
	msgpack_sbuffer_init(sb);
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	proto_pack_request_head(&pk, id, op);
	msgpack_pack_map(&pk, start ? 1 : 0);
	if (start)
		proto_pack_kv_str(&pk, "start", start);
}

/* A request of a batch as the test writes it. */
struct treq {
	const char *id;
	enum proto_op op;
	const char *start;
};

/* A reply as the test checks it. */
struct tres {
	enum proto_status status;
	char id[PROTO_MAX_ID_LEN + 1];
	char message[PROTO_MAX_MESSAGE_LEN];
};

/* Run reqs as one batch by an operator; res[i] gets each reply's decoded
 * status and id. Returns the number of terms in a term.list reply (if one
 * was asked), else -1. */
static int batch_run(struct fx *f, const struct treq *reqs, size_t n,
                     struct tres *res)
{
	msgpack_sbuffer sb[8];
	struct dispatch_item it[8];
	int nterms = -1;
	assert_true(n <= 8);
	for (size_t i = 0; i < n; i++) {
		req_build(&sb[i], reqs[i].id, reqs[i].op, reqs[i].start);
		dispatch_item_init(&it[i]);
		it[i].body = sb[i].data;
		it[i].len = sb[i].size;
		it[i].caller_known = true;
		it[i].caller.role = PROTO_ROLE_OPERATOR;
		strcpy(it[i].caller.principal, "op");
	}
	dispatch_batch(f->u.d, it, n, time(NULL), NULL);
	for (size_t i = 0; i < n; i++) {
		struct proto_reply rep;
		struct proto_error err;
		assert_true(it[i].reply.size > 0);
		assert_true(proto_decode_reply(it[i].reply.data, it[i].reply.size,
		                               &rep, &err));
		res[i].status = rep.status;
		snprintf(res[i].id, sizeof res[i].id, "%s", rep.id);
		memcpy(res[i].message, rep.message, sizeof res[i].message);
		if (reqs[i].op == PROTO_OP_TERM_LIST && rep.status == PROTO_OK) {
			assert_non_null(rep.result);
			const msgpack_object *t = proto_map_get(rep.result, "terms");
			assert_non_null(t);
			assert_int_equal(t->type, MSGPACK_OBJECT_ARRAY);
			nterms = (int)t->via.array.size;
		}
		proto_reply_release(&rep);
		dispatch_item_free(&it[i]);
		msgpack_sbuffer_destroy(&sb[i]);
	}
	return nterms;
}

static int terms_count(struct fx *f, const char *id)
{
	const struct treq q[] = {{id, PROTO_OP_TERM_LIST, NULL}};
	struct tres r[1];
	int n = batch_run(f, q, 1, r);
	assert_int_equal(r[0].status, PROTO_OK);
	assert_string_equal(r[0].id, id);
	return n;
}

/* Two term.opens around the faulted one, so a request run after the
 * abandoned transaction (in autocommit) would leave a durable term. */
static const struct treq batch[] = {
	{"open-1", PROTO_OP_TERM_OPEN, "2026-01-01"},
	{"open-2", PROTO_OP_TERM_OPEN, "2027-01-01"},
	{"open-3", PROTO_OP_TERM_OPEN, "2028-01-01"},
	{"ping-1", PROTO_OP_PING, NULL},
};
#define BATCH_N (sizeof batch / sizeof batch[0])

static void test_batch_commits_without_fault(void **state)
{
	struct fx *f = *state;
	struct tres r[BATCH_N];
	assert_int_equal(terms_count(f, "list-0"), 0);
	fault_arm(f->u.store, 99); /* traced but never fires */
	batch_run(f, batch, BATCH_N, r);
	fault_disarm(f->u.store);
	assert_false(fault.fired);
	assert_int_equal(fault.inserts, 3);
	for (size_t i = 0; i < BATCH_N; i++) {
		assert_int_equal(r[i].status, PROTO_OK);
		assert_string_equal(r[i].id, batch[i].id);
	}
	assert_int_equal(terms_count(f, "list-1"), 3);
}

static void test_abandoned_transaction_applies_nothing(void **state)
{
	struct fx *f = *state;
	struct tres r[BATCH_N];
	fault_arm(f->u.store, 2); /* the second request's INSERT */
	batch_run(f, batch, BATCH_N, r);
	fault_disarm(f->u.store);
	assert_true(fault.fired);
	/* The rest of the batch did not run: no third INSERT was started. */
	assert_int_equal(fault.inserts, 2);
	/* Every request, also those skipped after the loss, gets its own id
	 * back so the client can match the reply and retry. */
	for (size_t i = 0; i < BATCH_N; i++) {
		assert_int_equal(r[i].status, PROTO_E_UNAVAILABLE);
		assert_string_equal(r[i].id, batch[i].id);
	}
	assert_false(store_in_batch(f->u.store));
	/* Nothing durable, not even open-1 which had succeeded in-batch. */
	assert_int_equal(terms_count(f, "list-1"), 0);

	/* The daemon stays usable: a normal batch commits. */
	const struct treq again[] = {{"open-9", PROTO_OP_TERM_OPEN, "2026-01-01"}};
	struct tres r2[1];
	batch_run(f, again, 1, r2);
	assert_int_equal(r2[0].status, PROTO_OK);
	assert_string_equal(r2[0].id, "open-9");
	assert_int_equal(terms_count(f, "list-2"), 1);
}

/* The batch is lost and rebuilding the pool from the store fails too:
 * nothing but ping is served until a rebuild succeeds, so no draw can
 * run on a pool that misses experts, seats or conflicts. */
static void test_failed_rebuild_refuses_requests(void **state)
{
	struct fx *f = *state;
	struct tres r[BATCH_N];
	fault_arm(f->u.store, 2);
	fault_also("FROM experts ORDER BY id");   /* store_expert_each */
	batch_run(f, batch, BATCH_N, r);
	assert_true(fault.fired);
	assert_true(fault.also_hits >= 1);
	for (size_t i = 0; i < BATCH_N; i++)
		assert_int_equal(r[i].status, PROTO_E_UNAVAILABLE);
	assert_true(dispatch_stale(f->u.d));   /* /readyz says so */

	/* Still failing at the next batch's start: refused, ping answered. */
	int hits = fault.also_hits;
	const struct treq next[] = {{"open-9", PROTO_OP_TERM_OPEN, "2026-01-01"},
	                            {"ping-9", PROTO_OP_PING, NULL},
	                            {"list-9", PROTO_OP_TERM_LIST, NULL}};
	struct tres r2[3];
	batch_run(f, next, 3, r2);
	assert_true(fault.also_hits > hits);
	assert_int_equal(r2[0].status, PROTO_E_UNAVAILABLE);
	assert_string_equal(r2[0].id, "open-9");
	assert_non_null(strstr(r2[0].message, "could not be rebuilt"));
	assert_int_equal(r2[1].status, PROTO_OK);
	assert_int_equal(r2[2].status, PROTO_E_UNAVAILABLE);
	fault_disarm(f->u.store);

	/* The rebuild succeeds at the next batch, which runs normally. */
	struct tres r3[1];
	batch_run(f, next, 1, r3);
	assert_int_equal(r3[0].status, PROTO_OK);
	assert_false(dispatch_stale(f->u.d));
	assert_int_equal(terms_count(f, "list-10"), 1);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_batch_commits_without_fault,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_abandoned_transaction_applies_nothing,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_rebuild_refuses_requests,
		                                setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
