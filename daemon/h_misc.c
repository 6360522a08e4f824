/*
 * h_misc.c - ping, and the helpers every handler shares: loading and
 * saving an expert with its history event, and store errors as replies.
 */
#include <stdio.h>
#include <string.h>

#include "audit_log.h"
#include "handler.h"
#include "ident.h"

#define EXPERTD_VERSION_STRING "0.1.0"

const struct auth_entry handler_daemon = {.principal = "expertd",
                                          .role = PROTO_ROLE_OPERATOR};

enum proto_status handler_store_error(struct reply *rep, enum store_result r)
{
	switch (r) {
	case STORE_NOT_FOUND:
		return reply_error(rep, PROTO_E_NOT_FOUND, NULL, "not found");
	case STORE_DUPLICATE:
		return reply_error(rep, PROTO_E_ALREADY_EXISTS, NULL, "already exists");
	case STORE_UNKNOWN:
	case STORE_NOT_WRITABLE:
	default:
		return reply_error(rep, PROTO_E_UNAVAILABLE, NULL,
		                   "the store cannot write now; nothing was applied");
	}
}

enum proto_status handler_get_expert(struct handler_ctx *ctx, int64_t id,
                                     struct expert *e, struct reply *rep)
{
	enum store_result r = store_expert_get(ctx->store, id, e);
	if (r == STORE_NOT_FOUND)
		return reply_error(rep, PROTO_E_NOT_FOUND, "expert",
		                   "no expert with id %lld", (long long)id);
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	return PROTO_OK;
}

enum proto_status handler_save_expert(struct handler_ctx *ctx, struct expert *e,
                                      bool is_new, const char *event,
                                      const char *reason, int32_t until,
                                      const char *detail, struct reply *rep)
{
	e->updated_at = ctx->now;
	if (is_new)
		e->created_at = ctx->now;
	enum store_result r = is_new ? store_expert_insert(ctx->store, e)
	                             : store_expert_update(ctx->store, e);
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	struct store_event ev = {.expert_id = e->id, .at = ctx->now, .until = until};
	snprintf(ev.actor, sizeof ev.actor, "%s", ctx->caller->principal);
	snprintf(ev.event, sizeof ev.event, "%s", event);
	snprintf(ev.reason, sizeof ev.reason, "%s", reason ? reason : "");
	snprintf(ev.detail, sizeof ev.detail, "%s", detail ? detail : "");
	r = store_event_add(ctx->store, &ev);
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	audit_pack_expert(handler_audit_begin(ctx), event, ctx->caller->principal,
	                  reason, e);
	/* A flag set by the ledger is its own event type (PROTOCOL.md 7.11.2). */
	enum proto_status st = handler_audit_end(
		ctx, strcmp(event, "flagged") == 0 ? AUDIT_EXPERT_FLAGGED : AUDIT_EXPERT,
		rep, NULL, NULL);
	if (st != PROTO_OK)
		return st;
	handler_touch(ctx, e->id);
	if (!pool_upsert(ctx->pool, e))
		return reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	return PROTO_OK;
}

int32_t handler_day_of(int64_t t)
{
	return ident_day_cst(t);
}

msgpack_packer *handler_audit_begin(struct handler_ctx *ctx)
{
	msgpack_sbuffer_clear(&ctx->audit_body);
	return &ctx->audit_pk;
}

enum proto_status handler_audit_end(struct handler_ctx *ctx, const char *type,
                                    struct reply *rep, int64_t *seq,
                                    uint8_t hash[AUDIT_HASH_LEN])
{
	enum store_result r = audit_log_append(ctx->store, type, ctx->now,
	                                       &ctx->audit_body, seq, hash);
	return r == STORE_OK ? PROTO_OK : handler_store_error(rep, r);
}

enum proto_status h_ping(struct handler_ctx *ctx, const struct proto_request *req,
                         struct reply *rep)
{
	(void)req;
	msgpack_packer *pk = reply_result(rep);
	msgpack_pack_map(pk, 4);
	proto_pack_kv_str(pk, "version", EXPERTD_VERSION_STRING);
	proto_pack_kv_str(pk, "principal", ctx->caller->principal);
	proto_pack_kv_str(pk, "role", auth_role_name(ctx->caller->role));
	proto_pack_kv_int(pk, "experts", (int64_t)pool_count(ctx->pool));
	return PROTO_OK;
}
