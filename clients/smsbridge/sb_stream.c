/*
 * sb_stream.c - the bridge's side of the daemon: the notification stream
 * (a SUB socket on libevent, drained on every wakeup as ZMQ_FD is
 * edge-triggered), a socket monitor that tells when the stream broke,
 * and notify.resync (PROTOCOL.md 7.12.15) on the request endpoint at the
 * first connection of a run that has a mark and after every break.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include <event2/event.h>
#include <zmq.h>

#include "client.h"
#include "smsbridge.h"

#define SB_TOPIC "notify."
#define SB_TICK_MS 200
#define SB_RESYNC_RETRY_S 5
#define SB_DRAIN_MAX 256

/* An offer received lately: which seat, which second. */
struct sb_recent {
	int64_t assignment, issued;
};

struct sb_stream {
	struct event_base *base;
	const struct sb_config *c;
	struct sb_journal *j;
	struct sb_deliver *d;
	struct client_sub z;   /* the SUB socket and its monitor */
	struct event *sub_ev, *tick;
	struct client *client;
	bool connected;          /* the stream's handshake succeeded, no break since */
	bool resync_due;         /* at the first connection, and after a break */
	int64_t resync_at;       /* not before (after a failed attempt) */
	/* The mark when the break began: what the resync asks from. The
	 * journal keeps it until the resync is done, so a restart meanwhile
	 * still asks from there. */
	int64_t gap_since;
	int64_t gap_held[SB_HELD_MAX];
	size_t n_gap_held;
	int64_t seen;            /* the newest `issued` received */
	struct sb_recent recent[SB_HELD_MAX];   /* a ring of the latest offers */
	size_t n_recent;         /* how many were ever put in the ring */
	int failed;              /* exit status once the key was refused */
};

/* Keep the mark: offers issued before it were all received and are
 * delivered or queued; a queued one holds it back, since a restart
 * forgets the queue and must have it reissued. */
static void stream_mark(struct sb_stream *s)
{
	if (s->resync_due)
		return;
	int64_t oldest = sb_deliver_oldest(s->d);
	int64_t mark = s->seen < oldest ? s->seen : oldest;
	int64_t held[SB_HELD_MAX];
	size_t n = 0;
	size_t count = s->n_recent < SB_HELD_MAX ? s->n_recent : SB_HELD_MAX;
	/* The seats of the mark's second whose message is handled: a resync
	 * must not kill the link they were sent. */
	for (size_t i = 0; i < count; i++) {
		const struct sb_recent *r = &s->recent[i];
		bool dup = false;
		for (size_t k = 0; k < n && !dup; k++)
			dup = held[k] == r->assignment;
		if (r->issued == mark && !dup && !sb_deliver_has_offer(s->d, r->assignment))
			held[n++] = r->assignment;
	}
	if (mark > 0 && !sb_journal_set_mark(s->j, mark, held, n))
		fprintf(stderr, "expertd-smsbridge: the journal cannot be written\n");
}

static void stream_remember(struct sb_stream *s, int64_t assignment, int64_t issued)
{
	s->recent[s->n_recent++ % SB_HELD_MAX] = (struct sb_recent){assignment, issued};
}

static void stream_note(struct sb_stream *s, const struct sb_note *n)
{
	if (n->offer) {
		if (n->issued > s->seen)
			s->seen = n->issued;
		stream_remember(s, n->assignment, n->issued);
	}
	sb_deliver_note(s->d, n, (int64_t)time(NULL));
}

/* One [topic][body] from the stream. */
static void stream_recv_one(struct sb_stream *s)
{
	zmq_msg_t topic, body;
	zmq_msg_init(&topic);
	zmq_msg_init(&body);
	bool got = zmq_msg_recv(&topic, s->z.sub, ZMQ_DONTWAIT) >= 0 && zmq_msg_more(&topic) &&
	           zmq_msg_recv(&body, s->z.sub, 0) >= 0 && !zmq_msg_more(&body);
	size_t tlen = zmq_msg_size(&topic);
	const char *t = zmq_msg_data(&topic);
	bool offer = tlen == 12 && memcmp(t, "notify.offer", 12) == 0;
	bool closed = tlen == 13 && memcmp(t, "notify.closed", 13) == 0;
	msgpack_unpacked u;
	struct proto_error perr;
	struct sb_note n;
	msgpack_unpacked_init(&u);
	if (got && (offer || closed)) {
		if (proto_unpack(zmq_msg_data(&body), zmq_msg_size(&body), &u, &perr) == PROTO_OK &&
		    sb_note_parse(&u.data, offer, &n))
			stream_note(s, &n);
		else
			fprintf(stderr, "expertd-smsbridge: ignoring a malformed notification\n");
	}
	msgpack_unpacked_destroy(&u);
	zmq_msg_close(&topic);
	zmq_msg_close(&body);
}

static void stream_drain(struct sb_stream *s)
{
	int events = 0;
	size_t len = sizeof events;
	for (int i = 0; i < SB_DRAIN_MAX; i++) {
		if (zmq_getsockopt(s->z.sub, ZMQ_EVENTS, &events, &len) != 0 ||
		    !(events & ZMQ_POLLIN))
			break;
		stream_recv_one(s);
	}
	stream_mark(s);
}

static void stream_sub_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	stream_drain(arg);
}

/* The offers of one resync reply; false when it was not ok. */
static bool resync_page(struct sb_stream *s, const struct proto_reply *rep,
                        int64_t *after, bool *more)
{
	const msgpack_object *offers = rep->result ? proto_map_get(rep->result, "offers")
	                               : NULL;
	if (rep->status != PROTO_OK || !offers || offers->type != MSGPACK_OBJECT_ARRAY) {
		fprintf(stderr, "expertd-smsbridge: notify.resync: %s: %s\n", rep->status_name,
		        rep->message);
		return false;
	}
	for (uint32_t i = 0; i < offers->via.array.size; i++) {
		struct sb_note n;
		char id[24];
		if (!sb_note_parse(&offers->via.array.ptr[i], true, &n))
			continue;
		fprintf(stderr, "expertd-smsbridge: notify.resync sent assignment %" PRId64
		        " again\n", n.assignment);
		snprintf(id, sizeof id, "%" PRId64, n.assignment);
		/* A retried request's recorded reply has no tokens: the stream
		 * carried them. */
		if (rep->tokens && proto_map_strcpy(rep->tokens, id, n.token, sizeof n.token))
			stream_note(s, &n);
	}
	*after = proto_map_int(rep->result, "next", *after);
	*more = proto_map_bool(rep->result, "more", false);
	return true;
}

/* The arguments of one page. */
static void resync_args(msgpack_sbuffer *sb, int64_t since, int64_t after,
                        const int64_t *held, size_t n_held)
{
	msgpack_packer pk;
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, n_held ? 3 : 2);
	proto_pack_kv_int(&pk, "since", since);
	proto_pack_kv_int(&pk, "after", after);
	if (!n_held)
		return;
	proto_pack_str(&pk, "skip");
	msgpack_pack_array(&pk, (uint32_t)n_held);
	for (size_t i = 0; i < n_held; i++)
		msgpack_pack_int64(&pk, held[i]);
}

/* The break begins: keep the mark as it is now for the resync. */
static void stream_gap(struct sb_stream *s)
{
	const int64_t *held;
	stream_mark(s);
	s->resync_due = true;
	s->gap_since = sb_journal_mark(s->j, &held, &s->n_gap_held);
	memcpy(s->gap_held, held, s->n_gap_held * sizeof *held);
}

/* Ask for every live offer whose token was made at or after the mark of
 * the break, but those of its second that were handled. */
/* What the resync may pass over: the seats of the mark's second that
 * were handled before the break, and those whose offer came on the
 * stream since it is back (their token is the live one). */
static size_t resync_skip(const struct sb_stream *s, int64_t held[SB_HELD_MAX])
{
	size_t n = s->n_gap_held;
	size_t count = s->n_recent < SB_HELD_MAX ? s->n_recent : SB_HELD_MAX;
	memcpy(held, s->gap_held, n * sizeof *held);
	for (size_t i = 0; i < count && n < SB_HELD_MAX; i++) {
		const struct sb_recent *r = &s->recent[i];
		bool dup = r->issued < s->gap_since;
		for (size_t k = 0; k < n && !dup; k++)
			dup = held[k] == r->assignment;
		if (!dup)
			held[n++] = r->assignment;
	}
	return n;
}

static bool stream_resync(struct sb_stream *s)
{
	int64_t held[SB_HELD_MAX];
	size_t n_held = resync_skip(s, held);
	int64_t since = s->gap_since, after = 0;
	bool more = true, ok = true;
	int pages = 0;
	while (ok && more) {
		msgpack_sbuffer sb;
		msgpack_sbuffer_init(&sb);
		resync_args(&sb, since, after, held, n_held);
		struct proto_reply rep;
		char err[256];
		ok = client_call(s->client, PROTO_OP_NOTIFY_RESYNC, NULL, sb.data, sb.size, &rep,
		                 err, sizeof err);
		msgpack_sbuffer_destroy(&sb);
		if (!ok) {
			fprintf(stderr, "expertd-smsbridge: notify.resync: %s\n", err);
			break;
		}
		ok = resync_page(s, &rep, &after, &more);
		proto_reply_release(&rep);
		pages++;
	}
	if (ok)
		fprintf(stderr, "expertd-smsbridge: resynchronised since %" PRId64 " (%d "
		        "page%s, %zu offer%s held)\n", since, pages, pages == 1 ? "" : "s",
		        n_held, n_held == 1 ? "" : "s");
	return ok;
}

/* What the monitor says about the stream's connection. */
static void stream_monitor(struct sb_stream *s)
{
	uint16_t ev;
	while (client_monitor_next(s->z.mon, &ev)) {
		if (ev == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
			s->connected = true;
		} else if (ev == ZMQ_EVENT_DISCONNECTED && s->connected) {
			s->connected = false;
			stream_gap(s);          /* what was sent meanwhile is lost */
			fprintf(stderr, "expertd-smsbridge: the notification stream broke; "
			        "resynchronising once it is back\n");
		} else if (ev == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
			fprintf(stderr, "expertd-smsbridge: %s refused this key: it must be on "
			        "the daemon's allowlist with role notifier\n",
			        s->c->notify_endpoint);
			s->failed = EX_NOPERM;
			event_base_loopexit(s->base, NULL);
		}
	}
}

static void stream_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct sb_stream *s = arg;
	stream_monitor(s);
	stream_drain(s);
	int64_t now = (int64_t)time(NULL);
	if (s->connected && s->resync_due && now >= s->resync_at) {
		s->resync_due = !stream_resync(s);
		s->resync_at = now + SB_RESYNC_RETRY_S;
		stream_mark(s);
	}
}

/* The SUB socket, its monitor, and their events on the loop. */
static bool stream_open(struct sb_stream *s, char *err, size_t errsz)
{
	const struct sb_config *c = s->c;
	struct client_options opt = {.endpoint = c->notify_endpoint,
	                             .secret_key_file = c->insecure ? NULL : c->key,
	                             .server_key = c->insecure ? NULL : c->server_key};
	if (!client_sub_open(&s->z, &opt, c->insecure, SB_TOPIC, ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
	                     ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, err, errsz))
		return false;
	int fd;
	size_t len = sizeof fd;
	struct timeval tv = {0, SB_TICK_MS * 1000};
	if (zmq_getsockopt(s->z.sub, ZMQ_FD, &fd, &len) != 0 ||
	    !(s->sub_ev = event_new(s->base, fd, EV_READ | EV_PERSIST, stream_sub_cb, s)) ||
	    !(s->tick = event_new(s->base, -1, EV_PERSIST, stream_tick_cb, s)) ||
	    event_add(s->sub_ev, NULL) != 0 || event_add(s->tick, &tv) != 0) {
		snprintf(err, errsz, "cannot watch the notification socket");
		return false;
	}
	return true;
}

struct sb_stream *sb_stream_new(struct event_base *base, const struct sb_config *c,
                                struct sb_journal *j, struct sb_deliver *d,
                                char *err, size_t errsz)
{
	struct sb_stream *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	s->base = base;
	s->c = c;
	s->j = j;
	s->d = d;
	struct client_options opt = {.endpoint = c->endpoint,
	                             .secret_key_file = c->insecure ? NULL : c->key,
	                             .server_key = c->insecure ? NULL : c->server_key,
	                             .timeout_ms = 5000, .retries = 2};
	s->client = client_new(&opt, err, errsz);
	if (!s->client || !stream_open(s, err, errsz)) {
		sb_stream_free(&s);
		return NULL;
	}
	/* A first run has missed nothing: it starts from now. */
	const int64_t *held;
	size_t n_held;
	s->seen = sb_journal_mark(j, &held, &n_held);
	for (size_t i = 0; i < n_held; i++)
		stream_remember(s, held[i], s->seen);
	if (s->seen > 0) {
		stream_gap(s);
	} else {
		s->seen = (int64_t)time(NULL);
		stream_mark(s);
	}
	return s;
}

void sb_stream_free(struct sb_stream **sp)
{
	struct sb_stream *s = sp ? *sp : NULL;
	if (!s)
		return;
	stream_mark(s);   /* what was delivered since the last tick */
	if (s->sub_ev)
		event_free(s->sub_ev);
	if (s->tick)
		event_free(s->tick);
	client_sub_close(&s->z);
	client_destroy(&s->client);
	free(s);
	*sp = NULL;
}

int sb_stream_failed(const struct sb_stream *s)
{
	return s->failed;
}
