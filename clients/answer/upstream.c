/*
 * upstream.c - requests to the answer endpoint from the event loop (see
 * upstream.h). ZMQ_FD is edge-triggered and also signals for libzmq's
 * own commands, so every wakeup drains until ZMQ_EVENTS has no POLLIN,
 * and every send looks again (a send can consume the edge).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "upstream.h"

struct upstream_slot {
	bool used;
	char id[PROTO_MAX_ID_LEN + 1];
	upstream_cb cb;
	void *arg;
	struct event *timer;
	struct upstream *u;
};

struct upstream {
	void *ctx;
	void *sock;
	struct event *readable;
	struct event *kick;
	int timeout_ms;
	struct upstream_slot slots[UPSTREAM_MAX_PENDING];
};

static void upstream_finish(struct upstream_slot *s, const struct proto_reply *rep)
{
	upstream_cb cb = s->cb;
	void *arg = s->arg;
	s->used = false;
	s->cb = NULL;
	evtimer_del(s->timer);
	cb(rep, arg);
}

static void upstream_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	upstream_finish(arg, NULL);
}

static bool upstream_has_input(struct upstream *u)
{
	int events = 0;
	size_t len = sizeof events;
	/* If it cannot be read, assume input: the edge may be spent. */
	return zmq_getsockopt(u->sock, ZMQ_EVENTS, &events, &len) != 0 ||
	       (events & ZMQ_POLLIN) != 0;
}

/* One message: the reply body if it is [empty][body], else nothing. */
static bool upstream_recv(struct upstream *u, zmq_msg_t *body)
{
	zmq_msg_t part;
	int parts = 0;
	bool shape = true;
	zmq_msg_init(body);
	for (;;) {
		zmq_msg_init(&part);
		if (zmq_msg_recv(&part, u->sock, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&part);
			return false;
		}
		parts++;
		shape = shape && (parts != 1 || zmq_msg_size(&part) == 0);
		if (parts == 2)
			zmq_msg_move(body, &part);
		bool more = zmq_msg_more(&part);
		zmq_msg_close(&part);
		if (!more)
			break;
	}
	return shape && parts == 2;
}

static void upstream_deliver(struct upstream *u, const void *data, size_t len)
{
	struct proto_reply rep;
	struct proto_error perr;
	if (!proto_decode_reply(data, len, &rep, &perr))
		return;   /* malformed: its request times out */
	for (size_t i = 0; i < UPSTREAM_MAX_PENDING; i++)
		if (u->slots[i].used && strcmp(u->slots[i].id, rep.id) == 0) {
			upstream_finish(&u->slots[i], &rep);
			break;
		}
	proto_reply_release(&rep);
}

static void upstream_drain(struct upstream *u)
{
	for (int n = 0; n < 64 && upstream_has_input(u); n++) {
		zmq_msg_t body;
		bool ok = upstream_recv(u, &body);
		if (ok)
			upstream_deliver(u, zmq_msg_data(&body), zmq_msg_size(&body));
		zmq_msg_close(&body);
		if (!ok && zmq_errno() == EAGAIN)
			return;
	}
	if (upstream_has_input(u)) {
		static const struct timeval now = {0, 0};
		event_add(u->kick, &now);
	}
}

static void upstream_readable_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	upstream_drain(arg);
}

static bool upstream_socket(struct upstream *u, const struct client_options *opt,
                            char *err, size_t errsz)
{
	int zero = 0, one = 1;
	int64_t maxmsg = PROTO_MAX_MSG;
	u->ctx = zmq_ctx_new();
	u->sock = u->ctx ? zmq_socket(u->ctx, ZMQ_DEALER) : NULL;
	if (!u->sock) {
		snprintf(err, errsz, "cannot create a socket: %s", zmq_strerror(zmq_errno()));
		return false;
	}
	zmq_setsockopt(u->sock, ZMQ_LINGER, &zero, sizeof zero);
	zmq_setsockopt(u->sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
	zmq_setsockopt(u->sock, ZMQ_IPV6, &one, sizeof one);
	if ((opt->secret_key_file || opt->fresh_key) && !client_curve(u->sock, opt, err, errsz))
		return false;
	if (zmq_connect(u->sock, opt->endpoint) != 0) {
		snprintf(err, errsz, "cannot connect to %s: %s", opt->endpoint,
		         zmq_strerror(zmq_errno()));
		return false;
	}
	return true;
}

struct upstream *upstream_new(struct event_base *base, const struct client_options *opt,
                              int timeout_ms, char *err, size_t errsz)
{
	struct upstream *u = calloc(1, sizeof *u);
	if (!u) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	u->timeout_ms = timeout_ms > 0 ? timeout_ms : 5000;
	if (!upstream_socket(u, opt, err, errsz)) {
		upstream_destroy(&u);
		return NULL;
	}
	int fd;
	size_t len = sizeof fd;
	zmq_getsockopt(u->sock, ZMQ_FD, &fd, &len);
	u->readable = event_new(base, fd, EV_READ | EV_PERSIST, upstream_readable_cb, u);
	u->kick = evtimer_new(base, upstream_readable_cb, u);
	bool ok = u->readable && u->kick && event_add(u->readable, NULL) == 0;
	for (size_t i = 0; ok && i < UPSTREAM_MAX_PENDING; i++) {
		u->slots[i].u = u;
		u->slots[i].timer = evtimer_new(base, upstream_timeout_cb, &u->slots[i]);
		ok = u->slots[i].timer != NULL;
	}
	if (!ok) {
		snprintf(err, errsz, "cannot register with the event loop");
		upstream_destroy(&u);
	}
	return u;
}

void upstream_destroy(struct upstream **up)
{
	struct upstream *u = up ? *up : NULL;
	if (!u)
		return;
	for (size_t i = 0; i < UPSTREAM_MAX_PENDING; i++)
		if (u->slots[i].timer)
			event_free(u->slots[i].timer);
	if (u->readable)
		event_free(u->readable);
	if (u->kick)
		event_free(u->kick);
	if (u->sock)
		zmq_close(u->sock);
	if (u->ctx)
		zmq_ctx_term(u->ctx);
	free(u);
	*up = NULL;
}

static struct upstream_slot *upstream_free_slot(struct upstream *u)
{
	for (size_t i = 0; i < UPSTREAM_MAX_PENDING; i++)
		if (!u->slots[i].used)
			return &u->slots[i];
	return NULL;
}

bool upstream_call(struct upstream *u, enum proto_op op, const void *args,
                   size_t args_len, upstream_cb cb, void *arg)
{
	struct upstream_slot *s = upstream_free_slot(u);
	if (!s)
		return false;
	client_request_id(s->id);
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	proto_pack_request_head(&pk, s->id, op);
	msgpack_sbuffer_write(&sb, args, args_len);
	/* Never wait for room: a daemon that is away is a timeout. */
	bool sent = zmq_send(u->sock, "", 0, ZMQ_SNDMORE | ZMQ_DONTWAIT) == 0 &&
	            zmq_send(u->sock, sb.data, sb.size, ZMQ_DONTWAIT) >= 0;
	msgpack_sbuffer_destroy(&sb);
	if (sent) {
		struct timeval tv = {u->timeout_ms / 1000, (u->timeout_ms % 1000) * 1000};
		s->used = true;
		s->cb = cb;
		s->arg = arg;
		evtimer_add(s->timer, &tv);
	}
	/* A send can consume the edge of pending input: look again. */
	static const struct timeval now = {0, 0};
	event_add(u->kick, &now);
	return sent;
}

void upstream_cancel(struct upstream *u, const void *arg)
{
	for (size_t i = 0; i < UPSTREAM_MAX_PENDING; i++)
		if (u->slots[i].used && u->slots[i].arg == arg) {
			u->slots[i].used = false;
			u->slots[i].cb = NULL;
			evtimer_del(u->slots[i].timer);
		}
}
