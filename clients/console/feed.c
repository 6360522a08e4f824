/*
 * feed.c - the dispatch log from the daemon to the browsers (feed.h). The
 * SUB socket's ZMQ_FD is edge-triggered, so every wakeup drains it. Topics
 * beginning with "notify." are not audit entries (STREAMS.md 3) and carry
 * what only a messaging gateway may see: they are dropped here, whatever
 * key the console holds. The monitor's inproc PAIR does not wake ZMQ_FD
 * reliably, so a short tick reads it (and looks for a lost tail).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <zmq.h>

#include "entry.h"
#include "feed.h"

#define FEED_DRAIN_MAX 256
#define FEED_CLIENTS_MAX 64
#define FEED_KEEPALIVE_S 15
#define FEED_TICK_MS 100
/* Quiet this long and each stream asks the log for what never arrived
 * (a dropped tail of a burst), once per quiet spell. */
#define FEED_IDLE_MS 1000
/* Most entries one reconnecting browser is sent to catch up. */
#define FEED_REPLAY_MAX 10000
#define FEED_HISTORY_MAX 1000

struct feed_client {
	struct feed *f;
	struct evhttp_request *req;
	int64_t last;          /* the last seq sent; -1: none yet */
	struct feed_client *next;
};

struct feed {
	struct event_base *base;
	struct ops *ops;
	int history;
	struct client_sub z;   /* the SUB socket and its monitor */
	struct event *sub_ev, *keepalive, *tick;
	struct feed_client *clients;
	size_t n_clients;
	enum feed_state state;
	int64_t quiet_ticks;   /* ticks since the last live entry */
	bool idle_checked;
};

static const char *const feed_state_text[] = {
	[FEED_CONNECTING] = "connecting to the event endpoint",
	[FEED_UP] = "connected: the daemon accepted this key",
	[FEED_DOWN] = "the connection to the event endpoint broke; reconnecting",
	[FEED_REFUSED] = "the daemon refused this key: it must be on the daemon's "
	                 "allowlist with role operator",
	[FEED_FAILED] = "the CURVE handshake failed: the wrong --server-key, or a "
	                "daemon run with --insecure"};

enum feed_state feed_status(const struct feed *f, const char **why)
{
	if (why)
		*why = feed_state_text[f->state];
	return f->state;
}

static void feed_send(struct feed_client *c, const char *text, size_t len)
{
	struct evbuffer *b = evbuffer_new();
	if (!b)
		return;
	evbuffer_add(b, text, len);
	evhttp_send_reply_chunk(c->req, b);
	evbuffer_free(b);
}

/* One entry as an event: "id: SEQ\ndata: JSON\n\n". */
static void feed_send_entry(struct feed_client *c, const json_t *e)
{
	char *s = json_dumps(e, JSON_COMPACT);
	if (!s)
		return;
	struct evbuffer *b = evbuffer_new();
	if (b) {
		evbuffer_add_printf(b, "id: %lld\ndata: %s\n\n", (long long)entry_seq(e), s);
		evhttp_send_reply_chunk(c->req, b);
		evbuffer_free(b);
	}
	free(s);
	c->last = entry_seq(e);
}

/* A notice the page shows (event "notice", data a JSON string). */
static void feed_send_notice(struct feed_client *c, const char *text)
{
	json_t *j = json_string(text);
	char *s = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
	struct evbuffer *b = s ? evbuffer_new() : NULL;
	if (b) {
		evbuffer_add_printf(b, "event: notice\ndata: %s\n\n", s);
		evhttp_send_reply_chunk(c->req, b);
		evbuffer_free(b);
	}
	free(s);
	json_decref(j);
}

/* Send c the log's entries after c->last through upto (INT64_MAX: to the
 * end). False when the log could not be read (said to the browser). */
static bool feed_fill(struct feed_client *c, int64_t upto)
{
	char err[256];
	while (c->last < upto) {
		int64_t last = 0, want = upto - c->last;
		json_t *page = ops_entries(c->f->ops, c->last,
		                           want < OPS_PAGE ? (int)want : OPS_PAGE, &last, err,
		                           sizeof err), *e;
		size_t i;
		if (!page) {
			fprintf(stderr, "expertd-console: reading the log: %s\n", err);
			feed_send_notice(c, err);
			return false;
		}
		json_array_foreach(page, i, e)
			if (entry_seq(e) <= upto)
				feed_send_entry(c, e);
		bool done = json_array_size(page) == 0 || c->last >= last;
		json_decref(page);
		if (done)
			break;
	}
	return true;
}

/* An entry from the stream, for one browser: each seq once, in order. */
static void feed_live(struct feed_client *c, const json_t *e)
{
	int64_t seq = entry_seq(e);
	if (c->last < 0)
		c->last = seq - 1;
	if (seq <= c->last)
		return;                 /* sent already, from the log */
	if (seq > c->last + 1)
		feed_fill(c, seq - 1);  /* dropped on the way: read them */
	if (seq > c->last)
		feed_send_entry(c, e);
}

/* One [topic][body] from the stream, to every browser. */
static void feed_recv_one(struct feed *f)
{
	zmq_msg_t topic, body;
	zmq_msg_init(&topic);
	zmq_msg_init(&body);
	bool got = zmq_msg_recv(&topic, f->z.sub, ZMQ_DONTWAIT) >= 0 && zmq_msg_more(&topic) &&
	           zmq_msg_recv(&body, f->z.sub, 0) >= 0 && !zmq_msg_more(&body);
	bool notify = zmq_msg_size(&topic) >= 7 && memcmp(zmq_msg_data(&topic), "notify.", 7) == 0;
	msgpack_unpacked u;
	struct proto_error perr;
	msgpack_unpacked_init(&u);
	if (got && !notify) {
		json_t *e = NULL;
		if (proto_unpack(zmq_msg_data(&body), zmq_msg_size(&body), &u, &perr) == PROTO_OK &&
		    (e = entry_from_stream(&u.data)) && entry_seq(e) > 0) {
			f->quiet_ticks = 0;
			f->idle_checked = false;
			for (struct feed_client *c = f->clients; c; c = c->next)
				feed_live(c, e);
		} else {
			fprintf(stderr, "expertd-console: ignoring a malformed message from the "
			        "event endpoint\n");
		}
		json_decref(e);
	}
	msgpack_unpacked_destroy(&u);
	zmq_msg_close(&topic);
	zmq_msg_close(&body);
}

static void feed_sub_cb(evutil_socket_t fd, short what, void *arg)
{
	struct feed *f = arg;
	int events = 0;
	size_t len = sizeof events;
	(void)fd;
	(void)what;
	for (int i = 0; i < FEED_DRAIN_MAX; i++) {
		if (zmq_getsockopt(f->z.sub, ZMQ_EVENTS, &events, &len) != 0 ||
		    !(events & ZMQ_POLLIN))
			return;
		feed_recv_one(f);
	}
	/* More is waiting: come back on the next loop turn, not on the next
	 * edge, which may never come. */
	event_active(f->sub_ev, EV_READ, 0);
}

/* A comment line now and then, so proxies and idle timers keep the
 * stream open and a browser that went away is noticed. */
static void feed_keepalive_cb(evutil_socket_t fd, short what, void *arg)
{
	struct feed *f = arg;
	(void)fd;
	(void)what;
	for (struct feed_client *c = f->clients; c; c = c->next)
		feed_send(c, ": keepalive\n\n", 13);
}

static void feed_set_state(struct feed *f, enum feed_state s)
{
	if (f->state == s)
		return;
	f->state = s;
	fprintf(stderr, "expertd-console: %s\n", feed_state_text[s]);
}

/* What the monitor says about the SUB socket's connection. A refused
 * handshake is retried by ZeroMQ and fails the same way, so the state
 * stays until a handshake succeeds. */
static void feed_monitor(struct feed *f)
{
	uint16_t ev;
	while (client_monitor_next(f->z.mon, &ev)) {
		if (ev == ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
			feed_set_state(f, FEED_UP);
		else if (ev == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
			feed_set_state(f, FEED_REFUSED);
		else if (ev == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL ||
		         ev == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)
			feed_set_state(f, FEED_FAILED);
		else if (ev == ZMQ_EVENT_DISCONNECTED && f->state == FEED_UP)
			feed_set_state(f, FEED_DOWN);
	}
}

/* Quiet for a while: each stream reads what committed and never came. */
static void feed_idle(struct feed *f)
{
	if (f->idle_checked || f->quiet_ticks * FEED_TICK_MS < FEED_IDLE_MS ||
	    f->state != FEED_UP)
		return;
	f->idle_checked = true;
	for (struct feed_client *c = f->clients; c; c = c->next)
		if (c->last >= 0)
			feed_fill(c, INT64_MAX);
}

static void feed_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct feed *f = arg;
	(void)fd;
	(void)what;
	f->quiet_ticks++;
	feed_monitor(f);
	feed_idle(f);
}

static void feed_unlink(struct feed *f, struct feed_client *gone)
{
	for (struct feed_client **p = &f->clients; *p; p = &(*p)->next)
		if (*p == gone) {
			*p = gone->next;
			f->n_clients--;
			free(gone);
			return;
		}
}

/* The browser went away. libevent (2.1) detaches a request whose reply
 * was started but not ended from its failed connection and leaves it to
 * its owner: free it here. One still attached goes with its connection. */
static void feed_gone_cb(struct evhttp_connection *con, void *arg)
{
	struct feed_client *c = arg;
	(void)con;
	if (!evhttp_request_get_connection(c->req))
		evhttp_request_free(c->req);
	feed_unlink(c->f, c);
}

/* Last-Event-ID: the seq of the last entry a reconnecting browser has;
 * -1 when absent or not a seq. */
static int64_t feed_last_event_id(struct evhttp_request *req)
{
	const char *v = evhttp_find_header(evhttp_request_get_input_headers(req),
	                                   "Last-Event-ID");
	char *end;
	if (!v || *v < '0' || *v > '9')
		return -1;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	return errno || *end || n < 0 ? -1 : (int64_t)n;
}

/* Where a new stream starts: after Last-Event-ID, or `history` entries
 * before the log's end; at most FEED_REPLAY_MAX entries back. */
static void feed_catch_up(struct feed_client *c, int64_t asked)
{
	char err[256];
	int64_t last = 0;
	if (c->f->state == FEED_REFUSED || c->f->state == FEED_FAILED) {
		feed_send_notice(c, feed_state_text[c->f->state]);
		return;
	}
	json_t *probe = ops_entries(c->f->ops, INT64_MAX, 1, &last, err, sizeof err);
	if (!probe) {
		fprintf(stderr, "expertd-console: reading the log: %s\n", err);
		feed_send_notice(c, err);
		return;             /* live entries only, from the first heard */
	}
	json_decref(probe);
	int64_t from = asked >= 0 ? asked : last - c->f->history;
	if (from < last - FEED_REPLAY_MAX) {
		char text[160];
		snprintf(text, sizeof text, "entries %lld to %lld are not sent again: read them "
		         "with expertctl log", (long long)from + 1,
		         (long long)(last - FEED_REPLAY_MAX));
		feed_send_notice(c, text);
		from = last - FEED_REPLAY_MAX;
	}
	c->last = from < 0 ? 0 : from > last ? last : from;
	feed_fill(c, INT64_MAX);
}

void feed_attach(struct feed *f, struct evhttp_request *req)
{
	struct feed_client *c = f->n_clients < FEED_CLIENTS_MAX ? calloc(1, sizeof *c) : NULL;
	if (!c) {
		evhttp_send_error(req, 503, "Too many open event streams");
		return;
	}
	*c = (struct feed_client){.f = f, .req = req, .last = -1, .next = f->clients};
	f->clients = c;
	f->n_clients++;
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "X-Accel-Buffering", "no");
	evhttp_connection_set_closecb(evhttp_request_get_connection(req), feed_gone_cb, c);
	evhttp_send_reply_start(req, 200, "OK");
	/* At once, so the browser knows the stream is open; then what it
	 * missed, before anything live. */
	feed_send(c, ": expertd-console\nretry: 2000\n\n", 31);
	feed_catch_up(c, feed_last_event_id(req));
}

static bool feed_connect(struct feed *f, const struct client_options *opt, bool insecure,
                         char *err, size_t errsz)
{
	int fd = -1;
	size_t len = sizeof fd;
	if (!client_sub_open(&f->z, opt, insecure, "", ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
	                     ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
	                     ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_DISCONNECTED,
	                     err, errsz))
		return false;
	struct timeval ka = {FEED_KEEPALIVE_S, 0}, tick = {0, FEED_TICK_MS * 1000};
	if (zmq_getsockopt(f->z.sub, ZMQ_FD, &fd, &len) != 0 ||
	    !(f->sub_ev = event_new(f->base, fd, EV_READ | EV_PERSIST, feed_sub_cb, f)) ||
	    !(f->keepalive = event_new(f->base, -1, EV_PERSIST, feed_keepalive_cb, f)) ||
	    !(f->tick = event_new(f->base, -1, EV_PERSIST, feed_tick_cb, f)) ||
	    event_add(f->sub_ev, NULL) != 0 || event_add(f->keepalive, &ka) != 0 ||
	    event_add(f->tick, &tick) != 0) {
		snprintf(err, errsz, "cannot watch the event endpoint's socket");
		return false;
	}
	/* Whatever arrived before the loop watched the edge. */
	event_active(f->sub_ev, EV_READ, 0);
	return true;
}

struct feed *feed_new(struct event_base *base, const struct client_options *opt,
                      const struct feed_options *fo, struct ops *ops, char *err,
                      size_t errsz)
{
	struct feed *f = calloc(1, sizeof *f);
	if (!f) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	f->base = base;
	f->ops = ops;
	f->history = fo->history < 0 ? 0 : fo->history > FEED_HISTORY_MAX ? FEED_HISTORY_MAX
	                                                                   : fo->history;
	if (!feed_connect(f, opt, fo->insecure, err, errsz))
		feed_destroy(&f);
	return f;
}

void feed_destroy(struct feed **fp)
{
	struct feed *f = fp ? *fp : NULL;
	if (!f)
		return;
	while (f->clients) {
		struct feed_client *c = f->clients;
		evhttp_connection_set_closecb(evhttp_request_get_connection(c->req), NULL, NULL);
		evhttp_send_reply_end(c->req);
		feed_unlink(f, c);
	}
	if (f->sub_ev)
		event_free(f->sub_ev);
	if (f->keepalive)
		event_free(f->keepalive);
	if (f->tick)
		event_free(f->tick);
	client_sub_close(&f->z);
	free(f);
	*fp = NULL;
}
