/*
 * publish.h - the live dispatch log (issue #5): every audit entry, after
 * the transaction that wrote it commits, goes out on a ZeroMQ PUB socket
 * (default tcp://127.0.0.1:5571; CURVE with the operator allowlist, ZAP
 * domain "expertd-pub", same fail-closed rule as the request socket).
 *
 * A message is two frames: [topic][msgpack body]. The topic is the entry
 * type ("draw", "draw.failed", "pool.expert", "term.opened",
 * "pool.conflict", "chain.genesis"; later "assignment.*", "task.*",
 * "expert.*", "org.merged"), so a subscription to "draw" also receives
 * "draw.failed".
 * The body is {"seq": int, "at": int, "type": str, "hash": bin32,
 * "entry": map} where entry is the audit body with personal data masked
 * (names as 张*明, resident IDs and phones as in listings; birth dates
 * dropped) and, for draws, the panel's masked names added. Sequence
 * numbers are consecutive, so a subscriber detects a gap (a slow
 * subscriber's dropped messages) and re-fetches with audit.entries.
 * The message of the entry that is the signed head (DRAW.md 4.7.1) also
 * carries "head" {seq, hash, sig, key}: fresh anchors for a watcher.
 */
#ifndef EXPERTD_PUBLISH_H
#define EXPERTD_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sign.h"
#include "store.h"
#include "zap.h"

struct publish;

struct publish_options {
	const char *endpoint;
	bool insecure;
	const char *secret_key;   /* server Z85 secret key (secure mode) */
	struct zap *zap;          /* borrowed; must be running unless insecure */
	const struct sign_key *sign; /* borrowed: its public key goes out with
	                              * each signed head (NULL: none) */
};

/* Bind the PUB socket. Borrows zmq_ctx and store. NULL with err set
 * (naming the endpoint); in secure mode also when no ZAP handler runs. */
struct publish *publish_new(void *zmq_ctx, struct store *store,
                            const struct publish_options *opt,
                            char *err, size_t errsz);
/* NULL-safe; clears *p. */
void publish_destroy(struct publish **p);

/* Set up and bind a PUB socket of the daemon (also the notification
 * socket): linger 0, the high-water mark, CURVE in ZAP domain `domain`
 * unless insecure. `what` names it in errors ("event"). */
bool publish_bind(void *sock, const struct publish_options *opt, const char *domain,
                  const char *what, char *err, size_t errsz);

/* Publish the committed entries first..last (inclusive), in order. */
void publish_range(struct publish *p, int64_t first, int64_t last);

/* dispatch_commit_fn adapter: arg is the struct publish. */
void publish_commit_cb(void *arg, int64_t first, int64_t last);

#endif
