/*
 * test_zap.c - the ZAP handler against real CURVE handshakes: a CURVE
 * ROUTER on ipc:// in a temp dir, DEALER clients with known and unknown
 * keys. Waits are bounded polls with deadlines; nothing sleeps.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <zmq.h>

#include "auth.h"
#include "fixture.h"
#include "proto.h"
#include "zap.h"

/* Long enough for a loaded CI machine; only reached when a test fails. */
#define WAIT_MS 5000
/* How long "nothing arrives" is watched after a refusal was seen. */
#define QUIET_MS 300

struct keypair {
	char pub[41], sec[41];
};

struct fixture {
	void *ctx;
	struct zap *zap;
	struct keypair server, alice, bob, stranger;
	struct keypair carol, dave; /* a notifier and a bureau */
	char dir[64];
	int seq;
	/* Open sockets, so a failed test still lets zmq_ctx_term return. */
	void *socks[32];
	int nsocks;
};

static void *sock_new(struct fixture *f, int type)
{
	void *s = zmq_socket(f->ctx, type);
	assert_non_null(s);
	int zero = 0;
	assert_int_equal(zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero)), 0);
	assert_true(f->nsocks < 32);
	f->socks[f->nsocks++] = s;
	return s;
}

static void sock_close(struct fixture *f, void *s)
{
	for (int i = 0; i < f->nsocks; i++) {
		if (f->socks[i] == s) {
			f->socks[i] = f->socks[--f->nsocks];
			break;
		}
	}
	zmq_close(s);
}

static void keypair(struct keypair *k)
{
	assert_int_equal(zmq_curve_keypair(k->pub, k->sec), 0);
}

static struct auth_list *list_with(const struct keypair *k, const char *principal,
                                   unsigned role, const char *bureau)
{
	struct auth_list *l = auth_list_new();
	assert_non_null(l);
	if (k != NULL) {
		struct auth_entry e;
		memset(&e, 0, sizeof(e));
		snprintf(e.key, sizeof(e.key), "%s", k->pub);
		snprintf(e.principal, sizeof(e.principal), "%s", principal);
		e.role = role;
		snprintf(e.bureau, sizeof(e.bureau), "%s", bureau);
		assert_true(auth_list_add(l, &e));
	}
	return l;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (f == NULL)
		return -1;
	f->ctx = zmq_ctx_new();
	if (f->ctx == NULL)
		return -1;
	keypair(&f->server);
	keypair(&f->alice);
	keypair(&f->bob);
	keypair(&f->stranger);
	keypair(&f->carol);
	keypair(&f->dave);
	if (!fx_tmpdir(f->dir, sizeof(f->dir), "zap"))
		return -1;

	struct auth_list *l = list_with(&f->alice, "alice", PROTO_ROLE_OPERATOR, "");
	struct auth_entry e;
	memset(&e, 0, sizeof(e));
	snprintf(e.key, sizeof(e.key), "%s", f->bob.pub);
	snprintf(e.principal, sizeof(e.principal), "bob@th");
	e.role = PROTO_ROLE_CLERK;
	snprintf(e.bureau, sizeof(e.bureau), "TH-01");
	assert_true(auth_list_add(l, &e));
	memset(&e, 0, sizeof(e));
	snprintf(e.key, sizeof(e.key), "%s", f->carol.pub);
	snprintf(e.principal, sizeof(e.principal), "sms-gateway");
	e.role = PROTO_ROLE_NOTIFIER;
	assert_true(auth_list_add(l, &e));
	memset(&e, 0, sizeof(e));
	snprintf(e.key, sizeof(e.key), "%s", f->dave.pub);
	snprintf(e.principal, sizeof(e.principal), "gz-haizhu");
	e.role = PROTO_ROLE_BUREAU;
	snprintf(e.bureau, sizeof(e.bureau), "440105");
	assert_true(auth_list_add(l, &e));

	char err[256] = "";
	f->zap = zap_start(f->ctx, l, err, sizeof(err));
	if (f->zap == NULL) {
		fprintf(stderr, "zap_start: %s\n", err);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	while (f->nsocks > 0)
		sock_close(f, f->socks[0]);
	zap_stop(&f->zap);
	assert_null(f->zap);
	zap_stop(&f->zap); /* NULL-safe */
	int rc = zmq_ctx_term(f->ctx);
	if (!fx_rmdir(f->dir))
		rc = -1;
	free(f);
	return rc;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Poll sock for input until the deadline; true if readable. */
static bool wait_readable(void *sock, int ms)
{
	int64_t deadline = now_ms() + ms;
	for (;;) {
		zmq_pollitem_t it = {sock, 0, ZMQ_POLLIN, 0};
		int64_t left = deadline - now_ms();
		if (left < 0)
			left = 0;
		int rc = zmq_poll(&it, 1, (long)left);
		if (rc > 0)
			return true;
		if (rc == 0 || now_ms() >= deadline)
			return false;
	}
}

/* A CURVE ROUTER with a ZAP domain on a fresh ipc:// endpoint. */
static void *curve_server(struct fixture *f, const char *domain, char *ep,
                          size_t epsz)
{
	void *s = sock_new(f, ZMQ_ROUTER);
	int one = 1;
	assert_int_equal(zmq_setsockopt(s, ZMQ_CURVE_SERVER, &one, sizeof(one)), 0);
	assert_int_equal(zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, f->server.sec, 40), 0);
	/* "" means no domain at all: libzmq then asks ZAP with domain "". */
	if (domain[0] != '\0')
		assert_int_equal(zmq_setsockopt(s, ZMQ_ZAP_DOMAIN, domain,
		                                strlen(domain)), 0);
	snprintf(ep, epsz, "ipc://%s/s%d", f->dir, ++f->seq);
	assert_int_equal(zmq_bind(s, ep), 0);
	return s;
}

static void *curve_client(struct fixture *f, const struct keypair *k,
                          const char *ep)
{
	void *c = sock_new(f, ZMQ_DEALER);
	/* One attempt only, so each refusal is counted once. */
	int no_reconnect = -1;
	assert_int_equal(zmq_setsockopt(c, ZMQ_RECONNECT_IVL, &no_reconnect,
	                                sizeof(no_reconnect)), 0);
	assert_int_equal(zmq_setsockopt(c, ZMQ_CURVE_SERVERKEY, f->server.pub, 40), 0);
	assert_int_equal(zmq_setsockopt(c, ZMQ_CURVE_PUBLICKEY, k->pub, 40), 0);
	assert_int_equal(zmq_setsockopt(c, ZMQ_CURVE_SECRETKEY, k->sec, 40), 0);
	assert_int_equal(zmq_connect(c, ep), 0);
	return c;
}

/*
 * Send "ping" from client; the server must receive it with User-Id
 * expect_user and echo it; the client must get the echo.
 */
static void echo_once(void *server, void *client, const char *expect_user)
{
	assert_int_equal(zmq_send(client, "ping", 4, 0), 4);

	assert_true(wait_readable(server, WAIT_MS));
	zmq_msg_t rid, body;
	zmq_msg_init(&rid);
	zmq_msg_init(&body);
	assert_true(zmq_msg_recv(&rid, server, 0) >= 0);
	assert_true(zmq_msg_more(&rid));
	assert_int_equal(zmq_msg_recv(&body, server, 0), 4);
	const char *user = zmq_msg_gets(&body, "User-Id");
	assert_non_null(user);
	assert_string_equal(user, expect_user);
	assert_true(zmq_msg_send(&rid, server, ZMQ_SNDMORE) >= 0);
	assert_true(zmq_msg_send(&body, server, 0) >= 0);

	assert_true(wait_readable(client, WAIT_MS));
	char buf[16];
	assert_int_equal(zmq_recv(client, buf, sizeof(buf), 0), 4);
	assert_memory_equal(buf, "ping", 4);
}

/* Monitor server for failed authentications on an inproc PAIR. */
static void *auth_monitor(struct fixture *f, void *server)
{
	char ep[64];
	snprintf(ep, sizeof(ep), "inproc://test-zap-mon-%d", ++f->seq);
	assert_int_equal(zmq_socket_monitor(server, ep,
	                                    ZMQ_EVENT_HANDSHAKE_FAILED_AUTH), 0);
	void *mon = sock_new(f, ZMQ_PAIR);
	assert_int_equal(zmq_connect(mon, ep), 0);
	return mon;
}

/* Wait for one HANDSHAKE_FAILED_AUTH event; returns its status code. */
static int wait_auth_failure(void *mon)
{
	assert_true(wait_readable(mon, WAIT_MS));
	zmq_msg_t ev, addr;
	zmq_msg_init(&ev);
	zmq_msg_init(&addr);
	assert_int_equal(zmq_msg_recv(&ev, mon, 0), 6);
	assert_true(zmq_msg_more(&ev));
	assert_true(zmq_msg_recv(&addr, mon, 0) >= 0);
	uint16_t event;
	uint32_t value;
	memcpy(&event, zmq_msg_data(&ev), 2);
	memcpy(&value, (char *)zmq_msg_data(&ev) + 2, 4);
	zmq_msg_close(&ev);
	zmq_msg_close(&addr);
	assert_int_equal(event, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
	return (int)value;
}

/* A refused client: the server logs a 400 and never sees its message. */
static void expect_refused(struct fixture *f, const char *domain,
                           const struct keypair *k)
{
	char ep[128];
	void *server = curve_server(f, domain, ep, sizeof(ep));
	void *mon = auth_monitor(f, server);
	unsigned long before = zap_refused_count(f->zap);
	void *client = curve_client(f, k, ep);
	assert_int_equal(zmq_send(client, "ping", 4, ZMQ_DONTWAIT) == 4 ||
	                 zmq_errno() == EAGAIN, 1);

	assert_int_equal(wait_auth_failure(mon), 400);
	assert_true(zap_refused_count(f->zap) > before);
	assert_false(wait_readable(server, QUIET_MS));

	sock_close(f, client);
	zmq_socket_monitor(server, NULL, 0);
	sock_close(f, mon);
	sock_close(f, server);
}

static void expect_accepted(struct fixture *f, const char *domain,
                            const struct keypair *k, const char *user)
{
	char ep[128];
	void *server = curve_server(f, domain, ep, sizeof(ep));
	void *client = curve_client(f, k, ep);
	echo_once(server, client, user);
	sock_close(f, client);
	sock_close(f, server);
}

static void test_allowlisted_key_gets_principal(void **state)
{
	struct fixture *f = *state;
	assert_true(zap_is_running(f->zap));
	/* User-Id is the key itself; the daemon maps it to the principal. */
	expect_accepted(f, ZAP_DOMAIN_REQUEST, &f->alice, f->alice.pub);
	expect_accepted(f, ZAP_DOMAIN_REQUEST, &f->bob, f->bob.pub);
	expect_accepted(f, ZAP_DOMAIN_PUB, &f->alice, f->alice.pub);
	assert_int_equal(zap_refused_count(f->zap), 0);
}

static void test_unknown_key_refused(void **state)
{
	struct fixture *f = *state;
	expect_refused(f, ZAP_DOMAIN_REQUEST, &f->stranger);
	expect_refused(f, ZAP_DOMAIN_PUB, &f->stranger);
	assert_int_equal(zap_refused_count(f->zap), 2);
	/* Refusals leave the handler working. */
	expect_accepted(f, ZAP_DOMAIN_REQUEST, &f->alice, f->alice.pub);
}

/* The event stream is for operators and notifiers only: bureaus and
 * clerks may see only their own tasks, and the stream has every draw. */
static void test_pub_domain_roles(void **state)
{
	struct fixture *f = *state;
	expect_accepted(f, ZAP_DOMAIN_PUB, &f->alice, f->alice.pub);
	expect_accepted(f, ZAP_DOMAIN_PUB, &f->carol, f->carol.pub);
	assert_int_equal(zap_refused_count(f->zap), 0);
	expect_refused(f, ZAP_DOMAIN_PUB, &f->bob);
	expect_refused(f, ZAP_DOMAIN_PUB, &f->dave);
	assert_int_equal(zap_refused_count(f->zap), 2);
	/* The same keys are still served on the request endpoint. */
	expect_accepted(f, ZAP_DOMAIN_REQUEST, &f->bob, f->bob.pub);
	expect_accepted(f, ZAP_DOMAIN_REQUEST, &f->dave, f->dave.pub);
	expect_accepted(f, ZAP_DOMAIN_REQUEST, &f->carol, f->carol.pub);

	/* A reload that demotes the operator refuses her next subscription. */
	zap_replace_allowlist(f->zap, list_with(&f->alice, "alice", PROTO_ROLE_BUREAU,
	                                        "440105"));
	expect_refused(f, ZAP_DOMAIN_PUB, &f->alice);
	expect_accepted(f, ZAP_DOMAIN_REQUEST, &f->alice, f->alice.pub);
}

static void test_unknown_domain_refused(void **state)
{
	struct fixture *f = *state;
	expect_refused(f, "expertd-other", &f->alice);
	expect_refused(f, "", &f->alice);
}

static void test_answer_domain_accepts_any_key(void **state)
{
	struct fixture *f = *state;
	char user[64];
	snprintf(user, sizeof user, "%s%s", ZAP_USER_EXPERT_PREFIX, f->stranger.pub);
	expect_accepted(f, ZAP_DOMAIN_ANSWER, &f->stranger, user);
	/* An allowlisted key is still only an expert there. */
	snprintf(user, sizeof user, "%s%s", ZAP_USER_EXPERT_PREFIX, f->alice.pub);
	expect_accepted(f, ZAP_DOMAIN_ANSWER, &f->alice, user);
}

/* Notifications carry tokens: only notifier keys, not even operators. */
static void test_notify_domain_notifiers_only(void **state)
{
	struct fixture *f = *state;
	expect_accepted(f, ZAP_DOMAIN_NOTIFY, &f->carol, f->carol.pub);
	expect_refused(f, ZAP_DOMAIN_NOTIFY, &f->alice);
	expect_refused(f, ZAP_DOMAIN_NOTIFY, &f->dave);
	expect_refused(f, ZAP_DOMAIN_NOTIFY, &f->stranger);
}

static void test_lookup_and_replace(void **state)
{
	struct fixture *f = *state;
	struct auth_entry e;
	memset(&e, 0, sizeof(e));
	assert_true(zap_lookup_key(f->zap, f->bob.pub, &e));
	assert_string_equal(e.principal, "bob@th");
	assert_int_equal(e.role, PROTO_ROLE_CLERK);
	assert_string_equal(e.bureau, "TH-01");
	assert_true(zap_lookup_key(f->zap, f->alice.pub, &e));
	assert_string_equal(e.principal, "alice");
	assert_false(zap_lookup_key(f->zap, f->stranger.pub, &e));

	/* Reload without alice: she is gone at once, for lookups and handshakes. */
	zap_replace_allowlist(f->zap, list_with(&f->stranger, "stranger",
	                                        PROTO_ROLE_NOTIFIER, ""));
	assert_false(zap_lookup_key(f->zap, f->alice.pub, &e));
	assert_false(zap_lookup_key(f->zap, f->bob.pub, &e));
	assert_true(zap_lookup_key(f->zap, f->stranger.pub, &e));
	assert_string_equal(e.principal, "stranger");
	expect_refused(f, ZAP_DOMAIN_REQUEST, &f->alice);
	expect_accepted(f, ZAP_DOMAIN_REQUEST, &f->stranger, f->stranger.pub);

	/* An empty list refuses everyone (and NULL counts as empty). */
	zap_replace_allowlist(f->zap, NULL);
	assert_false(zap_lookup_key(f->zap, f->stranger.pub, &e));
	expect_refused(f, ZAP_DOMAIN_REQUEST, &f->stranger);
}

/* Send a raw ZAP request; returns the status code frame ("" if none). */
static void zap_raw(void *req, const char *const *frames, int n, char status[8],
                    char user[64])
{
	for (int i = 0; i < n; i++) {
		size_t len = strlen(frames[i]);
		assert_int_equal(zmq_send(req, frames[i], len,
		                          i + 1 < n ? ZMQ_SNDMORE : 0), (int)len);
	}
	assert_true(wait_readable(req, WAIT_MS));
	char parts[6][64];
	int got = 0;
	for (int more = 1; more;) {
		zmq_msg_t m;
		zmq_msg_init(&m);
		assert_true(zmq_msg_recv(&m, req, 0) >= 0);
		more = zmq_msg_more(&m);
		if (got < 6) {
			size_t len = zmq_msg_size(&m) < 63 ? zmq_msg_size(&m) : 63;
			memcpy(parts[got], zmq_msg_data(&m), len);
			parts[got][len] = '\0';
		}
		got++;
		zmq_msg_close(&m);
	}
	assert_int_equal(got, 6);
	assert_string_equal(parts[0], "1.0");
	snprintf(status, 8, "%.7s", parts[2]);
	snprintf(user, 64, "%s", parts[4]);
	assert_string_equal(parts[5], "");
}

static void test_malformed_requests(void **state)
{
	struct fixture *f = *state;
	void *req = sock_new(f, ZMQ_REQ);
	assert_int_equal(zmq_connect(req, "inproc://zeromq.zap.01"), 0);
	char status[8], user[64];

	const char *one[] = {"garbage"};
	zap_raw(req, one, 1, status, user);
	assert_string_equal(status, "500");

	const char *badver[] = {"2.0", "1", "expertd", "1.2.3.4", "", "CURVE",
	                        "0123456789abcdef0123456789abcdef"};
	zap_raw(req, badver, 7, status, user);
	assert_string_equal(status, "500");

	const char *shortkey[] = {"1.0", "1", "expertd", "", "", "CURVE", "short"};
	zap_raw(req, shortkey, 7, status, user);
	assert_string_equal(status, "400");

	const char *nocred[] = {"1.0", "1", "expertd", "", "", "CURVE"};
	zap_raw(req, nocred, 6, status, user);
	assert_string_equal(status, "400");

	const char *plain[] = {"1.0", "1", "expertd", "", "", "PLAIN", "u", "p"};
	zap_raw(req, plain, 8, status, user);
	assert_string_equal(status, "400");

	const char *null_mech[] = {"1.0", "1", ZAP_DOMAIN_ANSWER, "", "", "NULL"};
	zap_raw(req, null_mech, 6, status, user);
	assert_string_equal(status, "400");

	/* 32 bytes that are not alice's key, then far too many frames. */
	const char *unknown[] = {"1.0", "7", "expertd", "", "", "CURVE",
	                         "0123456789abcdef0123456789abcdef"};
	zap_raw(req, unknown, 7, status, user);
	assert_string_equal(status, "400");
	assert_string_equal(user, "");
	const char *many[12] = {"1.0", "1", "expertd", "", "", "CURVE",
	                        "0123456789abcdef0123456789abcdef",
	                        "x", "x", "x", "x", "x"};
	zap_raw(req, many, 12, status, user);
	assert_string_equal(status, "400");

	const char *answer[] = {"1.0", "9", ZAP_DOMAIN_ANSWER, "", "", "CURVE",
	                        "0123456789abcdef0123456789abcdef"};
	zap_raw(req, answer, 7, status, user);
	assert_string_equal(status, "200");
	assert_true(strncmp(user, ZAP_USER_EXPERT_PREFIX,
	                    strlen(ZAP_USER_EXPERT_PREFIX)) == 0);
	assert_int_equal(strlen(user), strlen(ZAP_USER_EXPERT_PREFIX) + 40);

	sock_close(f, req);
	assert_true(zap_is_running(f->zap));
	assert_int_equal(zap_refused_count(f->zap), 8);
	/* And real handshakes still work. */
	expect_accepted(f, ZAP_DOMAIN_REQUEST, &f->alice, f->alice.pub);
}

/* A second handler on the same context cannot bind: start fails cleanly. */
static void test_second_start_fails(void **state)
{
	struct fixture *f = *state;
	char err[256] = "";
	struct zap *z2 = zap_start(f->ctx, auth_list_new(), err, sizeof(err));
	assert_null(z2);
	assert_non_null(strstr(err, "zeromq.zap.01"));
	assert_true(zap_is_running(f->zap));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_allowlisted_key_gets_principal,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_key_refused, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_pub_domain_roles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_domain_refused, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_notify_domain_notifiers_only,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_answer_domain_accepts_any_key,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_lookup_and_replace, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_malformed_requests, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_second_start_fails, setup,
		                                teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
