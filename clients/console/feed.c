/*
 * feed.c - the dispatch log from the daemon's event endpoint to the
 * browsers (feed.h). The SUB socket's ZMQ_FD is edge-triggered, so every
 * wakeup drains it. Topics beginning with "notify." are not audit entries
 * (STREAMS.md 3) and carry what only a messaging gateway may see: they are
 * dropped here, whatever key the console holds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <jansson.h>
#include <zmq.h>

#include "feed.h"
#include "out.h"

#define FEED_DRAIN_MAX 256
#define FEED_CLIENTS_MAX 64
#define FEED_KEEPALIVE_S 15

struct feed_client {
	struct feed *f;
	struct evhttp_request *req;
	struct feed_client *next;
};

struct feed {
	struct event_base *base;
	void *zctx, *sub;
	struct event *sub_ev, *keepalive;
	struct feed_client *clients;
	size_t n_clients;
};

/* Send text to every open stream. */
static void feed_broadcast(struct feed *f, const char *text, size_t len)
{
	for (struct feed_client *c = f->clients; c; c = c->next) {
		struct evbuffer *b = evbuffer_new();
		if (!b)
			continue;
		evbuffer_add(b, text, len);
		evhttp_send_reply_chunk(c->req, b);
		evbuffer_free(b);
	}
}

/* The entry's body as the stream carries it, as one JSON object:
 * seq, at, type, hash (hex), entry, and signed_head when it was one. */
static char *feed_json(const msgpack_object *body)
{
	char hex[2 * 32 + 1] = "";
	const msgpack_object *hash = proto_map_get(body, "hash");
	if (hash && hash->type == MSGPACK_OBJECT_BIN && hash->via.bin.size == 32)
		out_hex(hash->via.bin.ptr, 32, hex);
	const msgpack_object *type = proto_map_get(body, "type");
	json_t *j = json_object();
	json_object_set_new(j, "seq", json_integer(proto_map_int(body, "seq", 0)));
	json_object_set_new(j, "at", json_integer(proto_map_int(body, "at", 0)));
	json_object_set_new(j, "type", type ? out_json(type) : json_null());
	json_object_set_new(j, "hash", json_string(hex));
	json_object_set_new(j, "entry", out_json(proto_map_get(body, "entry")));
	json_object_set_new(j, "signed_head", json_boolean(proto_map_get(body, "head")));
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(j);
	return s;
}

/* One [topic][body] from the stream, relayed as "data: JSON\n\n". */
static void feed_recv_one(struct feed *f)
{
	zmq_msg_t topic, body;
	zmq_msg_init(&topic);
	zmq_msg_init(&body);
	bool got = zmq_msg_recv(&topic, f->sub, ZMQ_DONTWAIT) >= 0 && zmq_msg_more(&topic) &&
	           zmq_msg_recv(&body, f->sub, 0) >= 0 && !zmq_msg_more(&body);
	bool notify = zmq_msg_size(&topic) >= 7 && memcmp(zmq_msg_data(&topic), "notify.", 7) == 0;
	msgpack_unpacked u;
	struct proto_error perr;
	msgpack_unpacked_init(&u);
	if (got && !notify && f->clients) {
		char *s = NULL;
		if (proto_unpack(zmq_msg_data(&body), zmq_msg_size(&body), &u, &perr) == PROTO_OK &&
		    u.data.type == MSGPACK_OBJECT_MAP && (s = feed_json(&u.data))) {
			feed_broadcast(f, "data: ", 6);
			feed_broadcast(f, s, strlen(s));
			feed_broadcast(f, "\n\n", 2);
		} else {
			fprintf(stderr, "expertd-console: ignoring a malformed message from the "
			        "event endpoint\n");
		}
		free(s);
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
		if (zmq_getsockopt(f->sub, ZMQ_EVENTS, &events, &len) != 0 ||
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
	(void)fd;
	(void)what;
	feed_broadcast(arg, ": keepalive\n\n", 13);
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

void feed_attach(struct feed *f, struct evhttp_request *req)
{
	struct feed_client *c = f->n_clients < FEED_CLIENTS_MAX ? calloc(1, sizeof *c) : NULL;
	if (!c) {
		evhttp_send_error(req, 503, "Too many open event streams");
		return;
	}
	*c = (struct feed_client){.f = f, .req = req, .next = f->clients};
	f->clients = c;
	f->n_clients++;
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "X-Accel-Buffering", "no");
	evhttp_connection_set_closecb(evhttp_request_get_connection(req), feed_gone_cb, c);
	evhttp_send_reply_start(req, 200, "OK");
	struct evbuffer *b = evbuffer_new();
	if (b) {
		/* At once, so the browser knows the stream is open. */
		evbuffer_add(b, ": expertd-console\n\n", 19);
		evhttp_send_reply_chunk(req, b);
		evbuffer_free(b);
	}
}

static bool feed_connect(struct feed *f, const struct client_options *opt, bool insecure,
                         char *err, size_t errsz)
{
	int linger = 0, fd = -1;
	size_t len = sizeof fd;
	f->zctx = zmq_ctx_new();
	f->sub = f->zctx ? zmq_socket(f->zctx, ZMQ_SUB) : NULL;
	if (!f->sub) {
		snprintf(err, errsz, "cannot create a ZeroMQ socket: %s", zmq_strerror(zmq_errno()));
		return false;
	}
	zmq_setsockopt(f->sub, ZMQ_LINGER, &linger, sizeof linger);
	if (!insecure && !client_curve(f->sub, opt, err, errsz))
		return false;
	if (zmq_setsockopt(f->sub, ZMQ_SUBSCRIBE, "", 0) != 0 ||
	    zmq_connect(f->sub, opt->endpoint) != 0) {
		snprintf(err, errsz, "cannot connect to the event endpoint %s: %s", opt->endpoint,
		         zmq_strerror(zmq_errno()));
		return false;
	}
	struct timeval ka = {FEED_KEEPALIVE_S, 0};
	if (zmq_getsockopt(f->sub, ZMQ_FD, &fd, &len) != 0 ||
	    !(f->sub_ev = event_new(f->base, fd, EV_READ | EV_PERSIST, feed_sub_cb, f)) ||
	    !(f->keepalive = event_new(f->base, -1, EV_PERSIST, feed_keepalive_cb, f)) ||
	    event_add(f->sub_ev, NULL) != 0 || event_add(f->keepalive, &ka) != 0) {
		snprintf(err, errsz, "cannot watch the event endpoint's socket");
		return false;
	}
	return true;
}

struct feed *feed_new(struct event_base *base, const struct client_options *opt,
                      bool insecure, char *err, size_t errsz)
{
	struct feed *f = calloc(1, sizeof *f);
	if (!f) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	f->base = base;
	if (!feed_connect(f, opt, insecure, err, errsz))
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
	if (f->sub)
		zmq_close(f->sub);
	if (f->zctx)
		zmq_ctx_term(f->zctx);
	free(f);
	*fp = NULL;
}
