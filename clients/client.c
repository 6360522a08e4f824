/*
 * client.c - the request/reply client over one ZMQ_DEALER socket. A
 * request is [empty delimiter][msgpack body], and so is its reply. A
 * timeout resends the identical bytes: the daemon answers a repeated id
 * from its reply cache, so a retry never applies a change twice.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>
#include <zmq.h>

#include "client.h"
#include "ctl_i18n.h"
#include "keys.h"

#define CLIENT_DEFAULT_TIMEOUT_MS 5000
#define CLIENT_DEFAULT_RETRIES 2

/* One daemon of the list (PROTOCOL.md 6.4): its own socket. */
struct client_peer {
	void *sock;
	char *endpoint;
	void *mon;           /* the socket's handshake events (ZMQ_PAIR) */
	int lost_handshakes; /* connections closed mid-handshake since the last success */
};

struct client {
	void *ctx;
	struct client_peer peers[CLIENT_MAX_ENDPOINTS];
	int n_peers;
	int cur;          /* the peer requests go to now */
	int timeout_ms;
	int retries;
	char lang[16];    /* the replies' language (PROTOCOL.md 5.3); "" unsaid */
	enum client_failure failure;
};

/* The socket's own report of its handshakes, read while we wait; one
 * per peer ("inproc://client-handshakes-N"). */
#define CLIENT_MONITOR_EP "inproc://client-handshakes-%d"
#define CLIENT_MONITOR_EVENTS                                                    \
	(ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |       \
	 ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)
/* A server that cannot open our HELLO (we hold the wrong server key) just
 * closes the connection: the socket says "failed, no detail". A daemon
 * killed during a handshake looks the same once, and one at its connection
 * budget every time; two such closes and no success by the attempt's end
 * are named as the likely causes (client_silence). */
#define CLIENT_LOST_HANDSHAKES_MAX 2

static bool client_setopt(void *sock, int opt, const void *val, size_t len,
                          const char *what, char *err, size_t errsz)
{
	if (zmq_setsockopt(sock, opt, val, len) == 0)
		return true;
	snprintf(err, errsz, _("cannot set %s: %s"), what, zmq_strerror(zmq_errno()));
	return false;
}

/* The n-th item of a comma-separated list into out; false if none. */
static bool client_item(const char *list, int n, char *out, size_t size)
{
	for (int i = 0; list && i < n; i++) {
		list = strchr(list, ',');
		list = list ? list + 1 : NULL;
	}
	if (!list)
		return false;
	size_t len = strcspn(list, ",");
	if (len >= size)
		len = size - 1;
	memcpy(out, list, len);
	out[len] = '\0';
	return true;
}

bool client_curve(void *sock, const struct client_options *opt, char *err,
                  size_t errsz)
{
	struct keys_pair kp;
	char server[KEYS_Z85_LEN + 1];
	char why[256];
	bool ok;

	if (!opt->server_key || !opt->server_key[0]) {
		snprintf(err, errsz, _("a client key needs the server's public key too"));
		return false;
	}
	if (opt->secret_key_file) {
		if (!keys_read_secret(opt->secret_key_file, &kp, why, sizeof why)) {
			snprintf(err, errsz, "%s: %s", opt->secret_key_file, why);
			return false;
		}
	} else if (!keys_generate(&kp, why, sizeof why)) {
		snprintf(err, errsz, _("cannot make a key pair: %s"), why);
		return false;
	}
	/* One key: a request socket's peer gets its own (client_peer_open);
	 * a SUB socket, connected to every daemon of a list, holds one for
	 * all, so a list of different keys cannot serve it. */
	char first[256], other[256];
	client_item(opt->server_key, 0, first, sizeof first);
	for (int n = 1; client_item(opt->server_key, n, other, sizeof other); n++)
		if (strcmp(other, first) != 0) {
			snprintf(err, errsz, _("a subscriber holds one server key for every "
			                       "daemon of its list; %s differs from %s"), other,
			         first);
			return false;
		}
	if (!keys_read_public(first, server, why, sizeof why)) {
		sodium_memzero(&kp, sizeof kp);
		snprintf(err, errsz, _("server key %s: %s"), first, why);
		return false;
	}
	/* Z85 text: libzmq takes 41 bytes (40 characters and the NUL). */
	ok = client_setopt(sock, ZMQ_CURVE_SERVERKEY, server, sizeof server,
	                   "the server key", err, errsz) &&
	     client_setopt(sock, ZMQ_CURVE_PUBLICKEY, kp.public_key, sizeof kp.public_key,
	                   "the public key", err, errsz) &&
	     client_setopt(sock, ZMQ_CURVE_SECRETKEY, kp.secret_key, sizeof kp.secret_key,
	                   "the secret key", err, errsz);
	sodium_memzero(&kp, sizeof kp);
	return ok;
}

/* Socket, keys, monitor and connection of peer n (endpoint ep). */
static bool client_peer_open(struct client *c, int n, const char *ep,
                             const struct client_options *opt, char *err, size_t errsz)
{
	int linger = 0, ipv6 = 1, immediate = 1;
	int64_t maxmsg = PROTO_MAX_MSG;
	struct client_peer *p = &c->peers[n];
	char key[256], monep[64];
	if (!(p->endpoint = strdup(ep)) || !(p->sock = zmq_socket(c->ctx, ZMQ_DEALER))) {
		snprintf(err, errsz, _("cannot create a socket: %s"), zmq_strerror(zmq_errno()));
		return false;
	}
	if (!client_setopt(p->sock, ZMQ_LINGER, &linger, sizeof linger, "ZMQ_LINGER",
	                   err, errsz) ||
	    !client_setopt(p->sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg,
	                   "ZMQ_MAXMSGSIZE", err, errsz))
		return false;
	/* With several daemons, a request waits for a connection rather than
	 * in the queue of one that is down, and goes to the next one instead. */
	if (c->n_peers > 1)
		zmq_setsockopt(p->sock, ZMQ_IMMEDIATE, &immediate, sizeof immediate);
	if (opt->secret_key_file || opt->fresh_key) {
		/* One server key for all, or one per endpoint in the same order. */
		struct client_options one = *opt;
		if (client_item(opt->server_key, n, key, sizeof key) ||
		    client_item(opt->server_key, 0, key, sizeof key))
			one.server_key = key;
		if (!client_curve(p->sock, &one, err, errsz))
			return false;
	}
	/* tcp://[::1]:P (PROTOCOL.md 4.5) needs IPv6 on; IPv4 works either way. */
	zmq_setsockopt(p->sock, ZMQ_IPV6, &ipv6, sizeof ipv6);
	snprintf(monep, sizeof monep, CLIENT_MONITOR_EP, n);
	p->mon = zmq_socket(c->ctx, ZMQ_PAIR);
	if (!p->mon ||
	    !client_setopt(p->mon, ZMQ_LINGER, &linger, sizeof linger, "ZMQ_LINGER", err,
	                   errsz) ||
	    zmq_socket_monitor(p->sock, monep, CLIENT_MONITOR_EVENTS) != 0 ||
	    zmq_connect(p->mon, monep) != 0) {
		snprintf(err, errsz, _("cannot watch the handshake: %s"), zmq_strerror(zmq_errno()));
		return false;
	}
	if (zmq_connect(p->sock, p->endpoint) != 0) {
		snprintf(err, errsz, _("cannot connect to %s: %s"), p->endpoint,
		         zmq_strerror(zmq_errno()));
		return false;
	}
	return true;
}

struct client *client_new(const struct client_options *opt, char *err, size_t errsz)
{
	char ep[512];
	if (sodium_init() < 0) {
		snprintf(err, errsz, _("libsodium failed to initialise"));
		return NULL;
	}
	if (!opt->endpoint || !opt->endpoint[0]) {
		snprintf(err, errsz, _("no endpoint given"));
		return NULL;
	}
	struct client *c = calloc(1, sizeof *c);
	if (!c) {
		snprintf(err, errsz, _("out of memory"));
		return NULL;
	}
	c->timeout_ms = opt->timeout_ms > 0 ? opt->timeout_ms : CLIENT_DEFAULT_TIMEOUT_MS;
	c->retries = opt->retries >= 0 ? opt->retries : CLIENT_DEFAULT_RETRIES;
	while (client_item(opt->endpoint, c->n_peers, ep, sizeof ep)) {
		if (!ep[0] || c->n_peers == CLIENT_MAX_ENDPOINTS) {
			snprintf(err, errsz, ep[0] ? _("%s: more than %d endpoints")
			                           : _("%s: an empty endpoint in the list"),
			         opt->endpoint, CLIENT_MAX_ENDPOINTS);
			free(c);
			return NULL;
		}
		c->n_peers++;
	}
	/* One server key for all daemons, or one each (PROTOCOL.md 6.4). */
	char key[256];
	int keys = 0;
	while (opt->server_key && client_item(opt->server_key, keys, key, sizeof key))
		keys++;
	if (keys > 1 && keys != c->n_peers) {
		snprintf(err, errsz, _("%d server keys for %d endpoints: give one for all, "
		                       "or one for each endpoint in the same order"), keys,
		         c->n_peers);
		free(c);
		return NULL;
	}
	c->ctx = zmq_ctx_new();
	for (int n = 0; c->ctx && n < c->n_peers; n++) {
		client_item(opt->endpoint, n, ep, sizeof ep);
		if (!client_peer_open(c, n, ep, opt, err, errsz))
			goto fail;
	}
	if (c->ctx)
		return c;
	snprintf(err, errsz, _("cannot create a ZeroMQ context: %s"), zmq_strerror(zmq_errno()));
fail:
	client_destroy(&c);
	return NULL;
}

void client_destroy(struct client **cp)
{
	if (!cp || !*cp)
		return;
	struct client *c = *cp;
	for (int n = 0; n < CLIENT_MAX_ENDPOINTS; n++) {
		struct client_peer *p = &c->peers[n];
		if (p->sock) {
			zmq_socket_monitor(p->sock, NULL, 0);
			zmq_close(p->sock);
		}
		if (p->mon)
			zmq_close(p->mon);
		free(p->endpoint);
	}
	if (c->ctx)
		zmq_ctx_term(c->ctx);
	free(c);
	*cp = NULL;
}

bool client_sub_open(struct client_sub *s, const struct client_options *opt, bool plain,
                     const char *topic, int events, char *err, size_t errsz)
{
	int linger = 0, ipv6 = 1;
	int64_t maxmsg = PROTO_MAX_MSG;
	char inproc[64];
	s->ctx = zmq_ctx_new();
	s->sub = s->ctx ? zmq_socket(s->ctx, ZMQ_SUB) : NULL;
	s->mon = s->ctx ? zmq_socket(s->ctx, ZMQ_PAIR) : NULL;
	if (!s->sub || !s->mon) {
		snprintf(err, errsz, _("cannot create a socket: %s"), zmq_strerror(zmq_errno()));
		return false;
	}
	zmq_setsockopt(s->sub, ZMQ_LINGER, &linger, sizeof linger);
	zmq_setsockopt(s->mon, ZMQ_LINGER, &linger, sizeof linger);
	zmq_setsockopt(s->sub, ZMQ_IPV6, &ipv6, sizeof ipv6);
	zmq_setsockopt(s->sub, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
	if (!plain && !client_curve(s->sub, opt, err, errsz))
		return false;
	/* One name per subscriber: a process may hold several. */
	snprintf(inproc, sizeof inproc, "inproc://client-sub-monitor-%p", (void *)s);
	if (zmq_setsockopt(s->sub, ZMQ_SUBSCRIBE, topic, strlen(topic)) != 0 ||
	    zmq_socket_monitor(s->sub, inproc, events) != 0 ||
	    zmq_connect(s->mon, inproc) != 0) {
		snprintf(err, errsz, _("cannot connect to %s: %s"), opt->endpoint,
		         zmq_strerror(zmq_errno()));
		return false;
	}
	/* Of several daemons (PROTOCOL.md 6.6), the one that serves publishes:
	 * a SUB socket connects to them all. */
	char ep[512];
	for (int n = 0; client_item(opt->endpoint, n, ep, sizeof ep); n++)
		if (!ep[0] || zmq_connect(s->sub, ep) != 0) {
			snprintf(err, errsz, _("cannot connect to %s: %s"), ep,
			         ep[0] ? zmq_strerror(zmq_errno()) : _("an empty endpoint"));
			return false;
		}
	return true;
}

void client_sub_close(struct client_sub *s)
{
	if (s->sub) {
		zmq_socket_monitor(s->sub, NULL, 0);
		zmq_close(s->sub);
	}
	if (s->mon)
		zmq_close(s->mon);
	if (s->ctx)
		zmq_ctx_term(s->ctx);
	memset(s, 0, sizeof *s);
}

bool client_monitor_next(void *mon, uint16_t *event)
{
	zmq_msg_t head, addr;
	zmq_msg_init(&head);
	zmq_msg_init(&addr);
	bool got = zmq_msg_recv(&head, mon, ZMQ_DONTWAIT) >= 0;
	if (got) {
		zmq_msg_recv(&addr, mon, 0);   /* the second frame comes with it */
		*event = 0;
		if (zmq_msg_size(&head) >= 2)
			memcpy(event, zmq_msg_data(&head), 2);
	}
	zmq_msg_close(&head);
	zmq_msg_close(&addr);
	return got;
}

/*
 * Unique without any state (80 random bits per millisecond), and the ids
 * one client makes sort in the order it made them, to the millisecond
 * and while the clock does not step back (PROTOCOL.md 6.1): the
 * server indexes its retry records by id, and an id after the last lands
 * on the index's last page, where a random one lands on any page of a
 * tree that grows with every recorded request (tests/bench/README.md,
 * "The pages a draw writes").
 */
void client_request_id(char out[PROTO_MAX_ID_LEN + 1])
{
	unsigned char raw[16];
	struct timespec ts;
	if (sodium_init() < 0)
		abort(); /* cannot happen after client_new; nothing sane to do */
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	for (int i = 0; i < CLIENT_ID_TIME_BYTES; i++)
		raw[i] = (unsigned char)(ms >> (8 * (CLIENT_ID_TIME_BYTES - 1 - i)));
	randombytes_buf(raw + CLIENT_ID_TIME_BYTES, sizeof raw - CLIENT_ID_TIME_BYTES);
	sodium_bin2hex(out, PROTO_MAX_ID_LEN + 1, raw, sizeof raw);
}

static int64_t client_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Read the handshake events that arrived. Returns -1 with err set when the
 * server refused this client (its key is not allowed, or the mechanisms
 * do not match), so the caller stops waiting at once instead of timing
 * out; 0 otherwise. A connection the server closed mid-handshake is only
 * counted: a server that cannot open our hello (the wrong server key)
 * does that, and so does a daemon at its connection budget, which the
 * next attempt may find free (client_silence).
 */
static int client_handshakes(struct client *c, char *err, size_t errsz)
{
	struct client_peer *p = &c->peers[c->cur];
	uint16_t event;
	while (client_monitor_next(p->mon, &event)) {
		if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
			p->lost_handshakes = 0;
		} else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) {
			p->lost_handshakes++;
		} else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
			c->failure = CLIENT_REFUSED;
			snprintf(err, errsz, _("%s refused this client's key: it is not on "
			                       "the server's allowlist"), p->endpoint);
			return -1;
		} else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) {
			c->failure = CLIENT_HANDSHAKE;
			snprintf(err, errsz, _("the handshake with %s failed: a plain client "
			                       "and a secure server (or the reverse)"),
			         p->endpoint);
			return -1;
		}
	}
	return 0;
}

/* An attempt that got no reply: why, when the handshakes say. */
static void client_silence(struct client *c, char *err, size_t errsz)
{
	struct client_peer *p = &c->peers[c->cur];
	c->failure = CLIENT_NO_REPLY;
	if (p->lost_handshakes < CLIENT_LOST_HANDSHAKES_MAX)
		return;
	c->failure = CLIENT_HANDSHAKE;
	snprintf(err, errsz, _("%s closed every connection during the secure handshake: "
	                       "the wrong server key, or the daemon is at its connection "
	                       "limit"), p->endpoint);
}

/*
 * Queue the request without blocking: a DEALER with no usable peer (the
 * daemon is down, or refused our key during the handshake) blocks in
 * zmq_send, so wait for room only until the attempt's deadline. Returns
 * 1 when sent, 0 on timeout, -1 on an error (err set).
 */
static int client_send(struct client *c, const void *body, size_t len,
                       int64_t deadline, char *err, size_t errsz)
{
	struct client_peer *p = &c->peers[c->cur];
	for (;;) {
		if (zmq_send(p->sock, "", 0, ZMQ_SNDMORE | ZMQ_DONTWAIT) == 0) {
			/* The rest of a message whose first frame was queued
			 * always goes the same way. */
			if (zmq_send(p->sock, body, len, ZMQ_DONTWAIT) >= 0)
				return 1;
			break;
		}
		if (zmq_errno() != EAGAIN && zmq_errno() != EINTR)
			break;
		int64_t left = deadline - client_now_ms();
		if (left <= 0)
			return 0;
		zmq_pollitem_t items[] = {{p->sock, 0, ZMQ_POLLOUT, 0},
		                          {p->mon, 0, ZMQ_POLLIN, 0}};
		if (zmq_poll(items, 2, (long)left) < 0 && zmq_errno() != EINTR)
			break;
		if ((items[1].revents & ZMQ_POLLIN) && client_handshakes(c, err, errsz) < 0)
			return -1;
	}
	snprintf(err, errsz, _("cannot send to %s: %s"), p->endpoint, zmq_strerror(zmq_errno()));
	return -1;
}

/*
 * Receive one whole message. Returns 1 with *body (a zmq_msg the caller
 * closes) when it had the [empty][body] shape, 0 for any other shape
 * (drained and dropped), -1 on a socket error.
 */
static int client_recv(struct client *c, zmq_msg_t *body)
{
	struct client_peer *p = &c->peers[c->cur];
	zmq_msg_t part;
	int nparts = 0, shape_ok = 1;
	zmq_msg_init(body);
	for (;;) {
		zmq_msg_init(&part);
		if (zmq_msg_recv(&part, p->sock, 0) < 0) {
			zmq_msg_close(&part);
			return -1;
		}
		nparts++;
		if (nparts == 1 && zmq_msg_size(&part) != 0)
			shape_ok = 0;
		if (nparts == 2) {
			zmq_msg_move(body, &part);
		}
		bool more = zmq_msg_more(&part);
		zmq_msg_close(&part);
		if (!more)
			break;
	}
	if (nparts != 2)
		shape_ok = 0;
	return shape_ok;
}

/*
 * Wait until deadline for the reply to id. Returns 1 with *rep filled, 0 on
 * timeout, -1 on an error (err set).
 */
static int client_await(struct client *c, const char *id, int64_t deadline,
                        struct proto_reply *rep, char *err, size_t errsz)
{
	struct client_peer *p = &c->peers[c->cur];
	for (;;) {
		int64_t left = deadline - client_now_ms();
		if (left <= 0)
			return 0;
		zmq_pollitem_t items[] = {{p->sock, 0, ZMQ_POLLIN, 0},
		                          {p->mon, 0, ZMQ_POLLIN, 0}};
		int n = zmq_poll(items, 2, (long)left);
		if (n < 0 && zmq_errno() == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errsz, _("poll: %s"), zmq_strerror(zmq_errno()));
			return -1;
		}
		if ((items[1].revents & ZMQ_POLLIN) && client_handshakes(c, err, errsz) < 0)
			return -1;
		if (!(items[0].revents & ZMQ_POLLIN))
			continue;
		zmq_msg_t body;
		int got = client_recv(c, &body);
		if (got < 0) {
			zmq_msg_close(&body);
			if (zmq_errno() == EINTR || zmq_errno() == EAGAIN)
				continue;
			snprintf(err, errsz, _("receive: %s"), zmq_strerror(zmq_errno()));
			return -1;
		}
		if (got == 0) {
			zmq_msg_close(&body);
			continue;
		}
		struct proto_error perr;
		bool ok = proto_decode_reply(zmq_msg_data(&body), zmq_msg_size(&body), rep,
		                             &perr);
		zmq_msg_close(&body);
		if (!ok) {
			c->failure = CLIENT_MALFORMED;
			snprintf(err, errsz, _("malformed reply from %s: %s%s%s"), p->endpoint,
			         perr.field, perr.field[0] ? ": " : "", perr.message);
			return -1;
		}
		if (strcmp(rep->id, id) == 0)
			return 1;
		/* A late answer to an earlier request: not ours. */
		proto_reply_release(rep);
	}
}

enum client_failure client_failure(const struct client *c)
{
	return c->failure;
}

void client_set_lang(struct client *c, const char *lang)
{
	snprintf(c->lang, sizeof c->lang, "%s", lang ? lang : "");
}

bool client_call(struct client *c, enum proto_op op, const char *id,
                 const void *args, size_t args_len, struct proto_reply *rep,
                 char *err, size_t errsz)
{
	char fresh[PROTO_MAX_ID_LEN + 1];
	msgpack_sbuffer sb;
	msgpack_packer pk;
	bool done = false;

	if (!id) {
		client_request_id(fresh);
		id = fresh;
	}
	c->failure = CLIENT_NO_REPLY;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	proto_pack_request_head_lang(&pk, id, op, c->lang);
	if (args && args_len > 0)
		msgpack_sbuffer_write(&sb, args, args_len);
	else
		msgpack_pack_map(&pk, 0);

	/* With several daemons (PROTOCOL.md 6.4), each gets an attempt at
	 * least; a timeout, a failed handshake or `unavailable` moves to the
	 * next, with the same bytes, and the one that answers is kept. */
	int attempts = 1 + c->retries > c->n_peers ? 1 + c->retries : c->n_peers;
	bool many = c->n_peers > 1;
	for (int i = 0; i < attempts && !done; i++) {
		if (i > 0 && many)
			c->cur = (c->cur + 1) % c->n_peers;
		int64_t deadline = client_now_ms() + c->timeout_ms;
		int got = client_send(c, sb.data, sb.size, deadline, err, errsz);
		if (got > 0)
			got = client_await(c, id, deadline, rep, err, errsz);
		if (got == 0)
			client_silence(c, err, errsz);
		bool last = i + 1 == attempts;
		if (got > 0 && many && !last && rep->status == PROTO_E_UNAVAILABLE) {
			proto_reply_release(rep);
			continue;
		}
		if (got < 0 && (!many || last))
			break;
		if (got > 0)
			done = true;
		else if (got == 0 && last && c->failure == CLIENT_NO_REPLY)
			/* Not a refusal: that is reported as soon as the
			 * handshake fails (client_handshakes). */
			snprintf(err, errsz,
			         dngettext(CTL_DOMAIN, "no reply from %s after %d attempt",
			                   "no reply from %s after %d attempts", attempts),
			         many ? _("any of the endpoints") : c->peers[c->cur].endpoint,
			         attempts);
	}
	msgpack_sbuffer_destroy(&sb);
	return done;
}
