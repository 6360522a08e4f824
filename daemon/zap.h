/*
 * zap.h - the ZeroMQ Authentication Protocol (RFC 27) handler. It runs in
 * its own thread on inproc://zeromq.zap.01 and must be started before any
 * CURVE server socket binds: libzmq accepts every client key when no ZAP
 * handler answers, so expertd refuses to bind without one (fail closed).
 *
 * Domains:
 *   ZAP_DOMAIN_REQUEST ("expertd")        allowlisted keys only
 *   ZAP_DOMAIN_PUB     ("expertd-pub")    allowlisted operator and notifier keys
 *   ZAP_DOMAIN_NOTIFY  ("expertd-notify") allowlisted notifier keys
 *   ZAP_DOMAIN_ANSWER  ("expertd-answer") any CURVE key, User-Id
 *                                          "expert:" + the key
 * Anything else (unknown domain, non-CURVE mechanism) is refused.
 * An accepted allowlisted key gets User-Id = the key itself (Z85), so the
 * daemon can check, per request, that this very key is still allowed.
 */
#ifndef EXPERTD_ZAP_H
#define EXPERTD_ZAP_H

#include <stdbool.h>
#include <stddef.h>

#include "auth.h"

#define ZAP_DOMAIN_REQUEST "expertd"
#define ZAP_DOMAIN_PUB "expertd-pub"
#define ZAP_DOMAIN_ANSWER "expertd-answer"
#define ZAP_DOMAIN_NOTIFY "expertd-notify"
#define ZAP_USER_EXPERT_PREFIX "expert:"

struct zap;

/*
 * Start the handler on zmq_ctx. Takes ownership of list. Returns only once
 * the handler socket is bound, or NULL with err set.
 */
struct zap *zap_start(void *zmq_ctx, struct auth_list *list,
                      char *err, size_t errsz);
/* Stop the thread and free everything; NULL-safe, clears *z. */
void zap_stop(struct zap **z);

/* Swap in a new allowlist (SIGHUP); takes ownership of list. */
void zap_replace_allowlist(struct zap *z, struct auth_list *list);

/*
 * Look up the User-Id of a connection (a Z85 key) in the current allowlist
 * and copy its entry to out. The daemon calls this for every request so
 * that a key removed by a reload stops working at once, even on an open
 * connection, and a principal re-listed with a new key does not keep the
 * old one alive.
 */
bool zap_lookup_key(struct zap *z, const char *key, struct auth_entry *out);

/* Handshakes refused so far (for metrics). */
unsigned long zap_refused_count(struct zap *z);
bool zap_is_running(struct zap *z);

#endif
