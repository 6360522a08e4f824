/*
 * dispatch.h - runs a batch of requests as one group commit: decode, check
 * the caller's role against the operation table, answer retried request
 * ids from their first reply, run each handler in its own savepoint, then
 * COMMIT once. Replies are built here and handed back only after the
 * COMMIT returned, so a success reply always means durable.
 */
#ifndef EXPERTD_DISPATCH_H
#define EXPERTD_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <msgpack.h>

#include "auth.h"
#include "engage.h"
#include "handler.h"
#include "notify_queue.h"
#include "metrics.h"
#include "recusal.h"
#include "pool.h"
#include "proto.h"
#include "sign.h"
#include "store.h"

/* One request of a batch. The caller fills body/len/caller; dispatch
 * fills reply (initialised by dispatch_item_init). */
struct dispatch_item {
	const void *body;           /* borrowed until dispatch_batch returns */
	size_t len;
	struct auth_entry caller;   /* the authenticated principal */
	bool caller_known;          /* false: principal not (or no longer) allowed */
	bool answered;              /* reply already set by the caller: skip */
	msgpack_sbuffer reply;      /* the reply envelope to send */
	int status;                 /* enum proto_status of the reply */
	int op;                     /* enum proto_op, or -1 if not decoded */
	char id[PROTO_MAX_ID_LEN + 1]; /* request id, "" if unreadable */
	enum proto_lang lang;       /* the reply message's (PROTOCOL.md 5.3) */
};

void dispatch_item_init(struct dispatch_item *it);
void dispatch_item_free(struct dispatch_item *it);

struct dispatch;

/* Borrows store, pool, engage and the rules for its lifetime; loads and
 * owns the occupation catalogue (when that fails it starts stale,
 * dispatch_stale()). */
struct dispatch *dispatch_new(struct store *store, struct pool *pool,
                              struct engage *engage,
                              const struct recusal_config *rules,
                              const struct assign_rules *assign);
/* The store d serves from. */
struct store *dispatch_store(const struct dispatch *d);
void dispatch_destroy(struct dispatch **d);
/* The key that signs each batch's head and derives draw secrets
 * (borrowed; DRAW.md 4.7). Without one nothing is recorded. */
void dispatch_set_sign_key(struct dispatch *d, const struct sign_key *k);
/* Answer each request in the language it asks for (PROTOCOL.md 5.3);
 * without this, in English. */
struct i18n;
void dispatch_set_i18n(struct dispatch *d, const struct i18n *t);

/*
 * Whether every served operation of proto_ops.def has a handler and no
 * reserved one has; if not, *unbound is the first that disagrees. The
 * daemon refuses to start on false, so a forgotten binding shows at once,
 * not as `forbidden` on the first call.
 */
bool dispatch_handlers_complete(enum proto_op *unbound);

/*
 * Called by dispatch_flush() with the audit entries the last committed
 * batch appended (first..last seq, inclusive), e.g. to publish them.
 * Optional.
 */
typedef void (*dispatch_commit_fn)(void *arg, int64_t first, int64_t last);
void dispatch_on_commit(struct dispatch *d, dispatch_commit_fn fn, void *arg);

/*
 * Called by dispatch_flush() with what the last committed batch owes the
 * messaging gateway (seats offered, with tokens; seats closed); and after
 * every batch with the earliest deadline of any offered seat (0: none)
 * for the expiry timer. Optional.
 */
typedef void (*dispatch_notify_fn)(void *arg, const struct notify_item *items,
                                   size_t n);
typedef void (*dispatch_due_fn)(void *arg, int64_t next_deadline);
void dispatch_on_notify(struct dispatch *d, dispatch_notify_fn fn, void *arg);
void dispatch_on_due(struct dispatch *d, dispatch_due_fn fn, void *arg);

/* Run n requests as one transaction; `now` is the batch's clock reading.
 * Before the requests, every offered seat whose deadline is <= now
 * expires (n may be 0 to run only that). metrics (may be NULL) receives
 * the commit's duration and size. Waits for the COMMIT; does nothing
 * while another batch's COMMIT is awaited (dispatch_busy()), which its
 * callers (timers, n 0) may ignore: the next batch expires what is due. */
void dispatch_batch(struct dispatch *d, struct dispatch_item *items, size_t n,
                    int64_t now, struct metrics *metrics);

typedef void (*dispatch_done_fn)(void *arg);
/*
 * The same, not waiting for a PostgreSQL COMMIT's answer when a loop is
 * set (dispatch_set_loop()): false then, and done(arg) is called from
 * the loop once the batch is over, its items answered as dispatch_batch()
 * leaves them (the items and their bodies stay the caller's until then).
 * True when it is over already (SQLite always). Never call it while
 * dispatch_busy().
 */
bool dispatch_batch_start(struct dispatch *d, struct dispatch_item *items, size_t n,
                          int64_t now, struct metrics *metrics,
                          dispatch_done_fn done, void *arg);
/* A batch's COMMIT is awaited: no batch may start, and nothing else may
 * use the store (dispatch_flush() and dispatch_idle() do nothing). */
bool dispatch_busy(const struct dispatch *d);
/* Await COMMITs on base. NULL-safe. */
void dispatch_set_loop(struct dispatch *d, struct event_base *base);
/* fn(arg) after every awaited COMMIT, once its batch is over: for whoever
 * found the dispatcher busy. False when DISPATCH_WAKERS are taken. */
bool dispatch_on_idle(struct dispatch *d, dispatch_done_fn fn, void *arg);
/* Wait here for an awaited COMMIT, and end its batch (before shutting
 * down). NULL-safe. */
void dispatch_finish(struct dispatch *d);

/*
 * Hand the last committed batch's entries and notifications to the
 * on_commit and on_notify callbacks. The server calls it once the
 * batch's replies are sent, so that publishing never delays a reply;
 * dispatch_batch() also calls it first, so nothing waits past the next
 * batch. Both callbacks run inside one read snapshot of the store
 * (store_read_begin()): they may read it, never write.
 */
void dispatch_flush(struct dispatch *d);
/*
 * Between batches, after the replies: housekeeping that may take a
 * moment. A WAL grown past DISPATCH_WAL_BYTES by a long reader is
 * checkpointed and truncated once no reader needs it (tried at most once
 * a second, never waiting for a lock). The server calls it after every
 * batch, the status timer when no request comes.
 */
void dispatch_idle(struct dispatch *d);
/* True while the in-memory pool and recusal index could not be rebuilt
 * from the store: every request but ping is refused (PROTOCOL.md 6.3). */
bool dispatch_stale(const struct dispatch *d);
/* Where the store was found corrupt, NULL while it was not: from then on
 * nothing is written and recorded requests are answered internal
 * (PROTOCOL.md 6.3). */
const char *dispatch_damage(const struct dispatch *d);

/* Serve reads only from now on: every recorded operation is answered
 * unavailable with `why`, and no seat expires (expertd --read-only). */
void dispatch_set_read_only(struct dispatch *d, const char *why);

/* Reload the whole pool, the recusal index or the occupation catalogue
 * from the store (start-up, failed COMMIT, a rolled-back request that
 * changed them). */
bool dispatch_reload_pool(struct store *store, struct pool *pool);
bool dispatch_reload_engage(struct store *store, struct pool *pool,
                            struct engage *engage);
bool dispatch_reload_catalog(struct store *store, struct catalog *catalog);

#endif
