/*
 * handler.h - what every request handler sees, and the handlers. A handler
 * validates, then changes the store and the pool through their interfaces,
 * and returns a status; it never sends anything itself. Each request runs
 * in its own savepoint: when a handler fails, the dispatcher rolls its
 * changes back and reloads every expert it touched from the store.
 */
#ifndef EXPERTD_HANDLER_H
#define EXPERTD_HANDLER_H

#include <stdbool.h>
#include <stdint.h>

#include "auth.h"
#include "pool.h"
#include "proto.h"
#include "reply.h"
#include "store.h"

struct handler_ctx {
	struct store *store;
	struct pool *pool;
	const struct auth_entry *caller; /* authenticated principal and role */
	int64_t now;                     /* unix seconds, one reading per batch */
	int32_t today;                   /* day number in local time */
	int64_t *touched;                /* experts changed by this request */
	size_t ntouched, touched_cap;
	bool touched_lost;               /* out of memory: undo reloads all */
};

typedef enum proto_status (*handler_fn)(struct handler_ctx *ctx,
                                        const struct proto_request *req,
                                        struct reply *rep);

/* Note that expert id was changed (pool reload on rollback). */
void handler_touch(struct handler_ctx *ctx, int64_t id);

/*
 * Store an expert (insert when is_new) with an event, and update the pool.
 * On failure fills rep and returns the error status.
 */
enum proto_status handler_save_expert(struct handler_ctx *ctx, struct expert *e,
                                      bool is_new, const char *event,
                                      const char *reason, int32_t until,
                                      const char *detail, struct reply *rep);
/* Load expert `id` or fill rep with not_found (field "expert"). */
enum proto_status handler_get_expert(struct handler_ctx *ctx, int64_t id,
                                     struct expert *e, struct reply *rep);
/* Map a failed store result to a wire error in rep. */
enum proto_status handler_store_error(struct reply *rep, enum store_result r);

/* h_misc.c */
enum proto_status h_ping(struct handler_ctx *, const struct proto_request *, struct reply *);
/* h_term.c */
enum proto_status h_term_open(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_term_list(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_term_renew(struct handler_ctx *, const struct proto_request *, struct reply *);
/* h_import.c */
enum proto_status h_import_begin(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_import_rows(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_import_commit(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_import_abort(struct handler_ctx *, const struct proto_request *, struct reply *);
/* h_pool.c */
enum proto_status h_pool_list(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_pool_show(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_pool_suspend(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_pool_reinstate(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_pool_revoke(struct handler_ctx *, const struct proto_request *, struct reply *);
/* h_conflict.c */
enum proto_status h_conflict_add(struct handler_ctx *, const struct proto_request *, struct reply *);
void h_pack_conflict(msgpack_packer *pk, const struct store_conflict *c);
enum proto_status h_conflict_list(struct handler_ctx *, const struct proto_request *, struct reply *);

#endif
