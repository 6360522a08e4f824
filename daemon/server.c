/*
 * server.c - the ROUTER socket on the event loop (see server.h). Wire
 * framing: [routing id][empty delimiter][msgpack body], both ways.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zmq.h>

#include "conn_budget.h"
#include "ipc_guard.h"
#include "log.h"
#include "server.h"
#include "throttle.h"
#include "token.h"
#include "zbind.h"

#define SERVER_INSECURE_PRINCIPAL "local-operator"
#define SERVER_INSECURE_EXPERT "expert:local"
/* PROTOCOL.md 7.12.9: 5 invalid tokens in 10 minutes block a target (the
 * seat a token's prefix names) for 10 minutes after the last; 4096
 * targets are remembered. */
#define SERVER_THROTTLE_LIMIT 5
#define SERVER_THROTTLE_WINDOW 600
#define SERVER_THROTTLE_SLOTS 4096
#define SERVER_BACKLOG 1024

struct slot {
	zmq_msg_t ident;
	zmq_msg_t body;
	bool framing_ok;          /* [id][empty][body] and nothing else */
	int64_t target;           /* answer endpoint: the seat the token names */
	bool over;                /* its target has no failures left */
};

struct server {
	void *sock;
	struct event *readable;
	struct event *kick;
	struct dispatch *dispatch;
	struct zap *zap;
	bool insecure;
	bool answer;                 /* the answer endpoint */
	struct throttle *throttle;   /* answer endpoint only, by target */
	struct conn_budget *budget;
	int batch_max;
	struct metrics *metrics;
	struct slot *slots;
	struct dispatch_item *items;
	unsigned long long requests;
};

static bool has_input(struct server *s)
{
	int events = 0;
	size_t len = sizeof events;
	int rc;
	do
		rc = zmq_getsockopt(s->sock, ZMQ_EVENTS, &events, &len);
	while (rc != 0 && errno == EINTR);
	/* If it cannot be read, assume input: the fd's edge may be spent. */
	return rc != 0 || (events & ZMQ_POLLIN) != 0;
}

/* Resume draining after the loop has polled once more: a zero-delay
 * timer, not event_active(), which libevent would run in the same pass
 * and so starve signals, timers (the watchdog) and HTTP under load. */
static void schedule_kick(struct server *s)
{
	static const struct timeval now = {0, 0};
	event_add(s->kick, &now);
}

/* Discard the rest of a multipart message. */
static void drain_parts(void *sock)
{
	zmq_msg_t m;
	int more = 1;
	size_t len = sizeof more;
	while (zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &len) == 0 && more) {
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, sock, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&m);
			return;
		}
		zmq_msg_close(&m);
	}
}

static bool more_parts(void *sock)
{
	int more = 0;
	size_t len = sizeof more;
	return zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &len) == 0 && more;
}

/* Receive one request into slot; false when nothing was there. */
static bool receive_one(struct server *s, struct slot *sl)
{
	zmq_msg_init(&sl->ident);
	zmq_msg_init(&sl->body);
	if (zmq_msg_recv(&sl->ident, s->sock, ZMQ_DONTWAIT) < 0)
		return false;
	sl->framing_ok = false;
	if (!more_parts(s->sock))
		return true;
	if (zmq_msg_recv(&sl->body, s->sock, ZMQ_DONTWAIT) < 0)
		return true;
	if (zmq_msg_size(&sl->body) != 0 || !more_parts(s->sock)) {
		drain_parts(s->sock);
		return true;
	}
	zmq_msg_close(&sl->body);
	zmq_msg_init(&sl->body);
	if (zmq_msg_recv(&sl->body, s->sock, ZMQ_DONTWAIT) < 0)
		return true;
	sl->framing_ok = !more_parts(s->sock);
	drain_parts(s->sock);
	return true;
}

/* Who sent this message, from the ZAP User-Id of its connection. */
static void identify(struct server *s, struct slot *sl, struct dispatch_item *it)
{
	if (s->answer) {
		/* Experts are no principals of the allowlist: the ZAP handler
		 * named the connection by its key. */
		const char *user = s->insecure ? SERVER_INSECURE_EXPERT
		                               : zmq_msg_gets(&sl->body, "User-Id");
		snprintf(it->caller.principal, sizeof it->caller.principal, "%s",
		         user ? user : "");
		it->caller.role = PROTO_ROLE_EXPERT;
		it->caller_known = user != NULL;
		return;
	}
	if (s->insecure) {
		snprintf(it->caller.principal, sizeof it->caller.principal, "%s",
		         SERVER_INSECURE_PRINCIPAL);
		it->caller.role = PROTO_ROLE_OPERATOR;
		it->caller_known = true;
		return;
	}
	/* Metadata rides on frames from the wire, not on the routing id that
	 * the ROUTER socket makes up. */
	const char *user = zmq_msg_gets(&sl->body, "User-Id");
	it->caller_known = user && zap_lookup_key(s->zap, user, &it->caller);
}

static void send_reply(struct server *s, struct slot *sl, const void *data, size_t len)
{
	if (zmq_msg_send(&sl->ident, s->sock, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
	    zmq_send(s->sock, "", 0, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
	    zmq_send(s->sock, data, len, ZMQ_DONTWAIT) < 0) {
		/* EHOSTUNREACH: the client left; EAGAIN: it stopped reading. */
		log_debug("reply dropped: %s", zmq_strerror(errno));
	}
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The target of an answer-endpoint request (PROTOCOL.md 7.12.9): the
 * seat its token's prefix names, 0 for a token that names none (they
 * share one target) or a request without a token. Decoded here only for
 * the token; the dispatcher decodes it again. */
static int64_t server_target(const struct dispatch_item *it)
{
	struct proto_request *req = NULL;
	struct proto_error perr;
	char id[PROTO_MAX_ID_LEN + 1];
	const char *tok;
	size_t n;
	int64_t target = 0;
	if (proto_decode_request(it->body, it->len, &req, id, &perr) == PROTO_OK &&
	    proto_arg_str(req, "token", &tok, &n))
		target = token_target(tok, n);
	proto_request_free(&req);
	return target;
}

/*
 * Answer endpoint: has request i's target failures left? A target has a
 * budget of failures before it is throttled, and every request for it in
 * one batch could be a failure, so only that many of them count as
 * within it; for the rest a wrong token is answered `throttled`.
 */
static bool server_within_budget(struct server *s, int i, int64_t now)
{
	struct slot *sl = &s->slots[i];
	int budget = throttle_budget(s->throttle, &sl->target, sizeof sl->target, now);
	for (int j = 0; j < i && budget > 0; j++)
		if (s->slots[j].framing_ok && !s->items[j].answered &&
		    s->slots[j].target == sl->target)
			budget--;
	return budget > 0;
}

/* Mark each request of the batch whose target is out of failures. */
static void server_throttle_mark(struct server *s, int n, int64_t now)
{
	for (int i = 0; i < n; i++)
		if (s->slots[i].framing_ok)
			s->slots[i].target = server_target(&s->items[i]);
	for (int i = 0; i < n; i++)
		s->slots[i].over = s->slots[i].framing_ok &&
		                   !server_within_budget(s, i, now);
}

/*
 * After the dispatcher: count each invalid token against its target, and
 * answer a wrong token whose target was out of failures `throttled`,
 * without its `why`. A right token is served even then, so nobody can
 * lock an expert out by guessing at their seat.
 */
static void server_throttle_count(struct server *s, int i, int64_t now)
{
	struct dispatch_item *it = &s->items[i];
	struct slot *sl = &s->slots[i];
	if (it->status != PROTO_E_INVALID_TOKEN)
		return;
	throttle_fail(s->throttle, &sl->target, sizeof sl->target, now);
	if (s->metrics)
		s->metrics->token_failures++;
	if (!sl->over)
		return;
	msgpack_sbuffer_clear(&it->reply);
	proto_pack_reply(&it->reply, it->id, PROTO_E_THROTTLED,
	                 "too many invalid tokens for this offer; try again in 10 "
	                 "minutes", NULL, NULL, 0);
	it->status = PROTO_E_THROTTLED;
}

static void process_batch(struct server *s)
{
	double started = now_seconds();
	int n = 0;
	while (n < s->batch_max && has_input(s)) {
		struct slot *sl = &s->slots[n];
		if (!receive_one(s, sl)) {
			zmq_msg_close(&sl->ident);
			zmq_msg_close(&sl->body);
			break;
		}
		struct dispatch_item *it = &s->items[n];
		dispatch_item_init(it);
		it->body = zmq_msg_data(&sl->body);
		it->len = zmq_msg_size(&sl->body);
		identify(s, sl, it);
		n++;
	}
	if (n == 0)
		return;
	int64_t now = (int64_t)time(NULL);
	/* Requests with broken framing are answered without the dispatcher. */
	for (int i = 0; i < n; i++) {
		struct slot *sl = &s->slots[i];
		if (!sl->framing_ok) {
			proto_pack_reply(&s->items[i].reply, "", PROTO_E_MALFORMED,
			                 "a request is [empty frame][msgpack body]", NULL,
			                 NULL, 0);
			s->items[i].answered = true;
			s->items[i].status = PROTO_E_MALFORMED;
		}
	}
	if (s->throttle)
		server_throttle_mark(s, n, now);
	dispatch_batch(s->dispatch, s->items, (size_t)n, now, s->metrics);
	for (int i = 0; i < n; i++) {
		struct dispatch_item *it = &s->items[i];
		if (s->throttle && !it->answered)
			server_throttle_count(s, i, now);
		if (it->reply.size)
			send_reply(s, &s->slots[i], it->reply.data, it->reply.size);
		if (s->metrics)
			metrics_request(s->metrics, it->op, it->status,
			                now_seconds() - started);
		dispatch_item_free(it);
		zmq_msg_close(&s->slots[i].ident);
		zmq_msg_close(&s->slots[i].body);
	}
	/* The event stream and the gateway after the replies: publishing
	 * never delays an answer (STREAMS.md 3). */
	dispatch_flush(s->dispatch);
	s->requests += (unsigned long long)n;
}

static void server_drain(struct server *s)
{
	process_batch(s);
	/* Sends can consume the edge of pending input: look again. */
	if (has_input(s))
		schedule_kick(s);
}

static void server_readable_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	server_drain(arg);
}

static void server_kick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	server_drain(arg);
}

static bool setup_socket(struct server *s, const struct server_options *opt,
                         char *err, size_t errsz)
{
	int one = 1, zero = 0;
	int64_t maxmsg = opt->max_msg_size;
	zmq_setsockopt(s->sock, ZMQ_LINGER, &zero, sizeof zero);
	zmq_setsockopt(s->sock, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
	zmq_setsockopt(s->sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
	/* A crowd of phones connects at once after an SMS round: the kernel's
	 * queue of unaccepted connections, not libzmq's default of 100,
	 * decides how many wait instead of being refused. */
	int backlog = SERVER_BACKLOG;
	zmq_setsockopt(s->sock, ZMQ_BACKLOG, &backlog, sizeof backlog);
	if (!opt->insecure) {
		if (zmq_setsockopt(s->sock, ZMQ_CURVE_SERVER, &one, sizeof one) ||
		    zmq_setsockopt(s->sock, ZMQ_CURVE_SECRETKEY, opt->secret_key, 40) ||
		    zmq_setsockopt(s->sock, ZMQ_ZAP_DOMAIN, s->answer ? ZAP_DOMAIN_ANSWER
		                                                      : ZAP_DOMAIN_REQUEST,
		                   strlen(s->answer ? ZAP_DOMAIN_ANSWER : ZAP_DOMAIN_REQUEST))) {
			snprintf(err, errsz, "cannot enable CURVE: %s", zmq_strerror(errno));
			return false;
		}
	}
	if (!ipc_guard_check(opt->endpoint, err, errsz))
		return false;
	if (zbind(s->sock, opt->endpoint) != 0) {
		snprintf(err, errsz, "cannot listen on %s: %s", opt->endpoint,
		         zmq_strerror(errno));
		return false;
	}
	return true;
}

struct server *server_new(struct event_base *base, void *zmq_ctx,
                          const struct server_options *opt, struct dispatch *d,
                          struct zap *zap, char *err, size_t errsz)
{
	if (!opt->insecure && (!zap || !zap_is_running(zap))) {
		/* CURVE without a ZAP handler would accept every key. */
		snprintf(err, errsz, "refusing to listen: no ZAP handler is running");
		return NULL;
	}
	struct server *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	s->dispatch = d;
	s->zap = zap;
	s->insecure = opt->insecure;
	s->answer = opt->answer;
	s->metrics = opt->metrics;
	s->batch_max = opt->batch_max > 0 ? opt->batch_max : 1;
	s->slots = calloc((size_t)s->batch_max, sizeof *s->slots);
	s->items = calloc((size_t)s->batch_max, sizeof *s->items);
	s->sock = zmq_socket(zmq_ctx, ZMQ_ROUTER);
	if (s->answer)
		s->throttle = throttle_new(SERVER_THROTTLE_SLOTS, SERVER_THROTTLE_LIMIT,
		                           SERVER_THROTTLE_WINDOW);
	if (!s->slots || !s->items || !s->sock || (s->answer && !s->throttle)) {
		snprintf(err, errsz, "cannot create the socket: %s", zmq_strerror(errno));
		server_destroy(&s);
		return NULL;
	}
	if (!setup_socket(s, opt, err, errsz)) {
		server_destroy(&s);
		return NULL;
	}
	s->budget = conn_budget_new(base, zmq_ctx, s->sock, s->answer ? "answer" : "request",
	                            opt->max_connections > 0 ? opt->max_connections : 1,
	                            err, errsz);
	if (!s->budget) {
		server_destroy(&s);
		return NULL;
	}
	int fd;
	size_t len = sizeof fd;
	zmq_getsockopt(s->sock, ZMQ_FD, &fd, &len);
	s->readable = event_new(base, fd, EV_READ | EV_PERSIST, server_readable_cb, s);
	s->kick = event_new(base, -1, 0, server_kick_cb, s);
	if (!s->readable || !s->kick || event_add(s->readable, NULL) != 0) {
		snprintf(err, errsz, "cannot register the socket with the event loop");
		server_destroy(&s);
		return NULL;
	}
	/* Input may already be queued: the edge could be gone. */
	schedule_kick(s);
	return s;
}

void server_destroy(struct server **sp)
{
	struct server *s = sp ? *sp : NULL;
	if (!s)
		return;
	if (s->readable)
		event_free(s->readable);
	if (s->kick)
		event_free(s->kick);
	/* The monitor first: it sends to the budget's socket. */
	if (s->sock && s->budget)
		zmq_socket_monitor(s->sock, NULL, 0);
	conn_budget_destroy(&s->budget);
	if (s->sock)
		zmq_close(s->sock);
	throttle_destroy(&s->throttle);
	free(s->slots);
	free(s->items);
	free(s);
	*sp = NULL;
}

unsigned long long server_requests(const struct server *s)
{
	return s->requests;
}

void server_connections(const struct server *s, int *open, uint64_t *refused, int *max)
{
	*open = conn_budget_open(s->budget);
	*refused = conn_budget_refused(s->budget);
	*max = conn_budget_max(s->budget);
}
