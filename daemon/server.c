/*
 * server.c - the ROUTER socket on the event loop (see server.h). Wire
 * framing: [routing id][empty delimiter][msgpack body], both ways.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sysexits.h>

#include <zmq.h>

#include "conn_budget.h"
#include "dispatch.h"
#include "i18n.h"
#include "i18n_locale.h"
#include "ipc_guard.h"
#include "log.h"
#include "server.h"
#include "store.h"
#include "throttle.h"
#include "token.h"
#include "waitcount.h"
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
/* Messages received per wakeup, in batches: enough to fill the queue and
 * answer the overflow busy, few enough that timers and HTTP still run. */
#define SERVER_RECEIVE_BATCHES 4

struct slot {
	zmq_msg_t ident;
	zmq_msg_t body;
	bool framing_ok;          /* [id][empty][body] and nothing else */
	int64_t target;           /* answer endpoint: the seat the token names */
	bool over;                /* its target has no failures left */
};

/* Requests received and not yet run, in arrival order: a ring. */
struct lane {
	struct slot *ring;
	int size, head, len;
};

struct server {
	void *sock;
	struct event *readable;
	struct event *kick;
	struct dispatch *dispatch;    /* NULL: a standby (server_set_dispatch) */
	const struct i18n *i18n;
	struct zap *zap;
	bool insecure;
	bool answer;                 /* the answer endpoint */
	struct throttle *throttle;   /* answer endpoint only, by target */
	struct conn_budget *budget;
	int batch_max;
	struct metrics *metrics;
	/* PROTOCOL.md 6.5: the requests received and not yet run. Those of
	 * connections that had nothing else waiting run first (fresh), then
	 * the rest (bulk), each lane in arrival order; a connection's own
	 * requests keep their order, as one in fresh is its oldest. Up to
	 * queue_max for anything, up to twice that for a connection's first,
	 * three times for pings: each lane has room for all of them. */
	struct lane fresh, bulk;
	struct slot incoming;        /* a message received, not yet queued */
	struct waitcount *waiting;   /* requests queued per connection */
	int queue_max, pending;      /* pending = fresh.len + bulk.len */
	bool overloaded;             /* answering busy since the queue last emptied */
	unsigned long long busy_run; /* busy replies of this overload, for the log */
	struct slot **batch;         /* the batch being run: fresh's, then bulk's */
	struct dispatch_item *items;
	/* That batch, until it is over (n 0: none): its size, how many of
	 * it came from each lane, when it started, its clock reading. */
	struct server_run {
		int n, nf, nb;
		double started;
		int64_t now;
	} run;
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
	struct slot *sl = s->batch[i];
	int budget = throttle_budget(s->throttle, &sl->target, sizeof sl->target, now);
	for (int j = 0; j < i && budget > 0; j++)
		if (s->batch[j]->framing_ok && !s->items[j].answered &&
		    s->batch[j]->target == sl->target)
			budget--;
	return budget > 0;
}

/* A request answered without running it is decoded only for its id, so
 * the client can match the reply. Returns its operation, -1 when it could
 * not be read. */
static int server_read_id(const struct slot *sl, char id[PROTO_MAX_ID_LEN + 1],
                          enum proto_lang *lang)
{
	struct proto_request *req = NULL;
	struct proto_error perr;
	int op = -1;
	id[0] = '\0';
	*lang = PROTO_LANG_EN;
	if (sl->framing_ok &&
	    proto_decode_request(zmq_msg_data((zmq_msg_t *)&sl->body),
	                         zmq_msg_size(&sl->body), &req, id, &perr) == PROTO_OK) {
		op = (int)req->op;
		*lang = req->lang;
	}
	proto_request_free(&req);
	return op;
}

static void server_close_slot(struct slot *sl)
{
	zmq_msg_close(&sl->ident);
	zmq_msg_close(&sl->body);
}

static struct slot *lane_at(struct lane *l, int i)
{
	return &l->ring[(l->head + i) % l->size];
}

static int server_waiting(const struct server *s, struct slot *sl)
{
	return waitcount_get(s->waiting, zmq_msg_data(&sl->ident), zmq_msg_size(&sl->ident));
}

/* Answer sl busy (PROTOCOL.md 6.5): never run; closed. */
static void server_busy(struct server *s, struct slot *sl, int op, const char *id,
                        enum proto_lang lang)
{
	char msg[PROTO_MAX_MESSAGE_LEN];
	i18n_use(s->i18n, lang);
	snprintf(msg, sizeof msg, _("the server is busy: %d requests are waiting; "
	         "nothing was read; retry with the same id and bytes after a back-off"),
	         s->pending);
	i18n_use(s->i18n, PROTO_LANG_EN);
	msgpack_sbuffer rep;
	msgpack_sbuffer_init(&rep);
	proto_pack_reply(&rep, id, PROTO_E_BUSY, msg, NULL, NULL, 0);
	send_reply(s, sl, rep.data, rep.size);
	msgpack_sbuffer_destroy(&rep);
	server_close_slot(sl);
	if (!s->overloaded)
		log_warn("%s endpoint overloaded: %d requests wait to run ([server] "
		         "queue_max); answering new ones busy", s->answer ? "answer" : "request",
		         s->pending);
	s->overloaded = true;
	s->busy_run++;
	if (s->metrics) {
		s->metrics->busy[s->answer ? 1 : 0]++;
		metrics_count(s->metrics, op, PROTO_E_BUSY);
	}
}

/*
 * Queue sl (PROTOCOL.md 6.5) in fresh if its connection has nothing else
 * waiting, else in bulk. Past queue_max waiting, only a connection's first
 * request still queues (up to twice queue_max), so the busy replies go to
 * those that send many at once, and a ping (up to three times); anything
 * else is answered busy.
 */
static void server_admit(struct server *s, struct slot *sl)
{
	int waiting = server_waiting(s, sl);
	if (s->pending >= s->queue_max) {
		char id[PROTO_MAX_ID_LEN + 1];
		enum proto_lang lang;
		int op = server_read_id(sl, id, &lang);
		bool room = op == PROTO_OP_PING ? s->pending < 3 * s->queue_max
		                                : !waiting && s->pending < 2 * s->queue_max;
		if (!room) {
			server_busy(s, sl, op, id, lang);
			return;
		}
	}
	struct lane *l = waiting ? &s->bulk : &s->fresh;
	struct slot *q = lane_at(l, l->len++);
	zmq_msg_init(&q->ident);
	zmq_msg_init(&q->body);
	zmq_msg_move(&q->ident, &sl->ident);
	zmq_msg_move(&q->body, &sl->body);
	q->framing_ok = sl->framing_ok;
	server_close_slot(sl);
	waitcount_add(s->waiting, zmq_msg_data(&q->ident), zmq_msg_size(&q->ident), 1);
	s->pending++;
}

/* Receive what is waiting into the queue, answering busy past the bound. */
static void server_receive(struct server *s)
{
	int budget = s->batch_max * SERVER_RECEIVE_BATCHES;
	while (budget-- > 0 && has_input(s)) {
		if (!receive_one(s, &s->incoming)) {
			server_close_slot(&s->incoming);
			break;
		}
		server_admit(s, &s->incoming);
	}
}

/* Mark each request of the batch whose target is out of failures. */
static void server_throttle_mark(struct server *s, int n, int64_t now)
{
	for (int i = 0; i < n; i++)
		if (s->batch[i]->framing_ok)
			s->batch[i]->target = server_target(&s->items[i]);
	for (int i = 0; i < n; i++)
		s->batch[i]->over = s->batch[i]->framing_ok &&
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
	struct slot *sl = s->batch[i];
	if (it->status != PROTO_E_INVALID_TOKEN)
		return;
	throttle_fail(s->throttle, &sl->target, sizeof sl->target, now);
	if (s->metrics)
		s->metrics->token_failures++;
	if (!sl->over)
		return;
	msgpack_sbuffer_clear(&it->reply);
	i18n_use(s->i18n, it->lang);
	proto_pack_reply(&it->reply, it->id, PROTO_E_THROTTLED,
	                 _("too many invalid tokens for this offer; try again in 10 "
	                   "minutes"), NULL, NULL, 0);
	i18n_use(s->i18n, PROTO_LANG_EN);
	it->status = PROTO_E_THROTTLED;
}

/* A standby's answer to every request of the batch (server_set_dispatch). */
static void server_standby_batch(struct server *s, int n)
{
	for (int i = 0; i < n; i++) {
		struct dispatch_item *it = &s->items[i];
		if (it->answered)
			continue;
		enum proto_lang lang;
		it->op = server_read_id(s->batch[i], it->id, &lang);
		i18n_use(s->i18n, lang);
		proto_pack_reply(&it->reply, it->id, PROTO_E_UNAVAILABLE,
		                 _("this expertd is a standby: another one holds the "
		                   "database; nothing was read; retry with the same id "
		                   "and bytes, or on the next daemon"), NULL, NULL, 0);
		i18n_use(s->i18n, PROTO_LANG_EN);
		it->status = PROTO_E_UNAVAILABLE;
	}
}

/* The batch is over (its COMMIT answered): send its replies, free its
 * slots, and publish after the replies. */
static void finish_batch(struct server *s)
{
	int n = s->run.n;
	for (int i = 0; i < n; i++) {
		struct dispatch_item *it = &s->items[i];
		struct slot *sl = s->batch[i];
		if (s->throttle && !it->answered)
			server_throttle_count(s, i, s->run.now);
		if (it->reply.size)
			send_reply(s, sl, it->reply.data, it->reply.size);
		if (s->metrics)
			metrics_request(s->metrics, it->op, it->status,
			                now_seconds() - s->run.started);
		dispatch_item_free(it);
		server_close_slot(sl);
	}
	s->fresh.head = (s->fresh.head + s->run.nf) % s->fresh.size;
	s->fresh.len -= s->run.nf;
	s->bulk.head = (s->bulk.head + s->run.nb) % s->bulk.size;
	s->bulk.len -= s->run.nb;
	s->pending -= n;
	s->run.n = 0;
	/* The event stream and the gateway after the replies: publishing
	 * never delays an answer (STREAMS.md 3). */
	if (s->dispatch) {
		dispatch_flush(s->dispatch);
		dispatch_idle(s->dispatch);
		server_exit_if_lost(dispatch_store(s->dispatch));
	}
	s->requests += (unsigned long long)n;
}

/* An awaited COMMIT answered: this server's batch is over. */
static void batch_done_cb(void *arg)
{
	finish_batch(arg);
}

/* Any awaited COMMIT answered: requests queued meanwhile may run. */
static void dispatch_idle_cb(void *arg)
{
	schedule_kick(arg);
}

void server_set_dispatch(struct server *s, struct dispatch *d)
{
	s->dispatch = d;
	if (d && !dispatch_on_idle(d, dispatch_idle_cb, s))
		log_fatal(EX_SOFTWARE, "too many servers on one dispatcher");
}

static void process_batch(struct server *s)
{
	/* The last batch's COMMIT is awaited (this server's or the other
	 * endpoint's): requests wait in the queue, and its end kicks us. */
	if (s->run.n || (s->dispatch && dispatch_busy(s->dispatch)))
		return;
	s->run.started = now_seconds();
	int n = 0, nf = 0, nb = 0;
	while (n < s->batch_max && n < s->pending) {
		struct slot *sl = nf < s->fresh.len ? lane_at(&s->fresh, nf++)
		                                    : lane_at(&s->bulk, nb++);
		struct dispatch_item *it = &s->items[n];
		/* Running, not waiting (and sending the reply takes the id). */
		waitcount_add(s->waiting, zmq_msg_data(&sl->ident), zmq_msg_size(&sl->ident),
		              -1);
		s->batch[n] = sl;
		dispatch_item_init(it);
		it->body = zmq_msg_data(&sl->body);
		it->len = zmq_msg_size(&sl->body);
		identify(s, sl, it);
		n++;
	}
	if (n == 0)
		return;
	s->run = (struct server_run){ .n = n, .nf = nf, .nb = nb,
	                              .started = s->run.started,
	                              .now = (int64_t)time(NULL) };
	/* Requests with broken framing are answered without the dispatcher. */
	for (int i = 0; i < n; i++) {
		struct dispatch_item *it = &s->items[i];
		if (!s->batch[i]->framing_ok) {
			proto_pack_reply(&it->reply, "", PROTO_E_MALFORMED,
			                 "a request is [empty frame][msgpack body]", NULL,
			                 NULL, 0);
			it->answered = true;
			it->status = PROTO_E_MALFORMED;
		}
	}
	if (s->throttle)
		server_throttle_mark(s, n, s->run.now);
	if (!s->dispatch)
		server_standby_batch(s, n);
	else if (!dispatch_batch_start(s->dispatch, s->items, (size_t)n, s->run.now,
	                               s->metrics, batch_done_cb, s))
		return;   /* PostgreSQL: batch_done_cb() once the COMMIT answers */
	finish_batch(s);
}

/*
 * A PostgreSQL store whose connection is gone cannot know what its last
 * COMMIT did, nor hold the one-writer lock (the server dropped it with the
 * session): stop at once. Everything acknowledged is committed; a client
 * whose request got no reply retries the same bytes, elsewhere or here
 * after the restart (Restart= in expertd.service), and gets the stored
 * reply if it had committed.
 */
void server_exit_if_lost(struct store *s)
{
	if (store_lost(s))
		log_fatal(EX_TEMPFAIL, "the PostgreSQL connection is lost: stopping "
		          "(exit 75) so that a standby or a restart takes over");
}

static void server_drain(struct server *s)
{
	server_receive(s);
	process_batch(s);
	if (s->overloaded && s->pending == 0) {
		log_notice("%s endpoint: the queue is empty again; %llu requests were "
		           "answered busy", s->answer ? "answer" : "request", s->busy_run);
		s->overloaded = false;
		s->busy_run = 0;
	}
	if (s->metrics)
		s->metrics->pending[s->answer ? 1 : 0] = s->pending;
	/* Sends can consume the edge of pending input: look again; while a
	 * COMMIT is awaited, its end kicks (dispatch_idle_cb()). */
	bool waiting = s->run.n || (s->dispatch && dispatch_busy(s->dispatch));
	if (!waiting && (s->pending > 0 || has_input(s)))
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
	server_set_dispatch(s, d);
	s->i18n = opt->i18n;
	s->zap = zap;
	s->insecure = opt->insecure;
	s->answer = opt->answer;
	s->metrics = opt->metrics;
	s->batch_max = opt->batch_max > 0 ? opt->batch_max : 1;
	s->queue_max = opt->queue_max > 0 ? opt->queue_max : s->batch_max;
	s->fresh.size = s->bulk.size = 3 * s->queue_max;
	s->fresh.ring = calloc((size_t)s->fresh.size, sizeof *s->fresh.ring);
	s->bulk.ring = calloc((size_t)s->bulk.size, sizeof *s->bulk.ring);
	s->waiting = waitcount_new((size_t)s->fresh.size);
	s->batch = calloc((size_t)s->batch_max, sizeof *s->batch);
	s->items = calloc((size_t)s->batch_max, sizeof *s->items);
	s->sock = zmq_socket(zmq_ctx, ZMQ_ROUTER);
	if (s->answer)
		s->throttle = throttle_new(SERVER_THROTTLE_SLOTS, SERVER_THROTTLE_LIMIT,
		                           SERVER_THROTTLE_WINDOW);
	if (!s->fresh.ring || !s->bulk.ring || !s->waiting || !s->batch || !s->items ||
	    !s->sock ||
	    (s->answer && !s->throttle)) {
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
	struct lane *lanes[2] = {&s->fresh, &s->bulk};
	for (int k = 0; k < 2; k++) {
		for (int i = 0; lanes[k]->ring && i < lanes[k]->len; i++)
			server_close_slot(lane_at(lanes[k], i));
		free(lanes[k]->ring);
	}
	waitcount_destroy(&s->waiting);
	free(s->batch);
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
