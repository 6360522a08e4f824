/*
 * client.h - the expertd client library: connect to the request endpoint
 * (CURVE or, for local development, plain), send one request and wait for
 * its reply, retrying with the same request id so a retry never applies
 * twice. Used by expertctl and the tests; other utilities reuse it.
 */
#ifndef EXPERTD_CLIENT_H
#define EXPERTD_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

/* The daemons one client may try in turn (PROTOCOL.md 6.4). */
#define CLIENT_MAX_ENDPOINTS 8

struct client_options {
	const char *endpoint;        /* e.g. "tcp://127.0.0.1:5570", or a comma-
	                              * separated list of daemons tried in turn */
	const char *secret_key_file; /* client key file; NULL = no CURVE */
	const char *server_key;      /* server public key (Z85 or a file); needed with
	                              * CURVE; with several endpoints one for all or
	                              * a comma-separated list in the same order */
	int timeout_ms;              /* per attempt; default 5000 */
	int retries;                 /* extra attempts after a timeout; default 2 */
	bool fresh_key;              /* no key file: CURVE with a key pair made for
	                              * this connection (the answer endpoint, where
	                              * experts hold no allowlisted key); needs
	                              * server_key */
};

struct client;

/* Returns NULL with err set (bad key file, bad endpoint). */
struct client *client_new(const struct client_options *opt, char *err, size_t errsz);
/* NULL-safe; clears *c. */
void client_destroy(struct client **c);

/*
 * Set CURVE client options on any ZeroMQ socket (also SUB sockets): the
 * server key from opt->server_key and this client's pair from
 * opt->secret_key_file, or a fresh pair with opt->fresh_key. Returns false
 * with err set.
 */
bool client_curve(void *sock, const struct client_options *opt, char *err,
                  size_t errsz);

/* A subscriber with a monitor (client_sub_open); the caller owns all
 * three and ends them with client_sub_close. */
struct client_sub {
	void *ctx, *sub, *mon;
};

/*
 * A SUB socket connected to opt->endpoint and subscribed to topic, with
 * CURVE and opt's keys unless plain, ZMQ_MAXMSGSIZE capped and IPv6 on;
 * and a PAIR socket (s->mon) receiving the monitor events in `events`
 * (ZMQ_EVENT_* bits; client_monitor_next() reads them). False with err
 * set; s is to be closed either way.
 */
bool client_sub_open(struct client_sub *s, const struct client_options *opt, bool plain,
                     const char *topic, int events, char *err, size_t errsz);
/* NULL-safe on each socket; clears s. */
void client_sub_close(struct client_sub *s);

/*
 * The next event of a socket monitor (zmq_socket_monitor's PAIR end), if
 * one is waiting: its two frames read without blocking, *event set to its
 * number (ZMQ_EVENT_*). False when none is waiting.
 */
bool client_monitor_next(void *mon, uint16_t *event);

/* A fresh request id, 32 hex chars (PROTOCOL.md 6.1): the Unix time in
 * milliseconds as 12 hex digits, then 80 random bits from libsodium. */
#define CLIENT_ID_TIME_BYTES 6
void client_request_id(char out[PROTO_MAX_ID_LEN + 1]);

/* Ask for replies' messages in lang (a language tag, PROTOCOL.md 5.3:
 * "zh-CN" or "en"); NULL or "" leaves it unsaid (English). */
void client_set_lang(struct client *c, const char *lang);

/* Why the last client_call returned false. */
enum client_failure {
	CLIENT_NO_REPLY,  /* no reply after every attempt (or a socket error) */
	CLIENT_MALFORMED, /* a reply came that is not a reply (PROTOCOL.md 5) */
	CLIENT_REFUSED,   /* the server refused this client's key (ZAP) */
	CLIENT_HANDSHAKE, /* the CURVE handshake failed: the wrong server key,
	                   * or plain against secure */
};
enum client_failure client_failure(const struct client *c);

/*
 * Send one request: op with args (one packed msgpack map, or NULL/0 for
 * an empty map) under request id `id` (NULL: a fresh one). Waits up to
 * timeout_ms per attempt and resends the identical bytes on timeout; with
 * several endpoints, to the next daemon, also after `unavailable` or a
 * failed handshake, every daemon getting one attempt at least.
 * Replies to other ids are ignored. Returns true when a reply arrived (its
 * status may still be an error) and fills *rep, which the caller releases
 * with proto_reply_release(). Returns false with err set when no reply came
 * ("no reply from ENDPOINT after N attempts"), the reply was malformed, or
 * the handshake failed, which is reported as soon as the socket sees it,
 * without waiting for the timeout; client_failure() tells which.
 */
bool client_call(struct client *c, enum proto_op op, const char *id,
                 const void *args, size_t args_len, struct proto_reply *rep,
                 char *err, size_t errsz);

#endif
