/*
 * h_ping.c - ping: the daemon's version, and who the caller is.
 */
#include "handler.h"
#include "pool.h"
#include "reply.h"

#define EXPERTD_VERSION_STRING "0.1.0"

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
