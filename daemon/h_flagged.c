/*
 * h_flagged.c - flagged.list: the experts the decline ledger flagged,
 * whom an operator must reinstate or revoke (POLICY.md 6).
 */
#include <stdlib.h>
#include <string.h>

#include "handler.h"
#include "ledger.h"
#include "mask.h"
#include "reply.h"

enum proto_status h_flagged_list(struct handler_ctx *ctx, const struct proto_request *req,
                                 struct reply *rep)
{
	(void)req;
	int64_t *ids = NULL;
	size_t n = 0;
	enum store_result r = store_expert_ids_by_status(ctx->store, EXPERT_FLAGGED,
	                                                 &ids, &n);
	if (r != STORE_OK) {
		free(ids);
		return handler_store_error(rep, r);
	}
	msgpack_packer *pk = reply_result(rep);
	msgpack_pack_map(pk, 1);
	proto_pack_str(pk, "experts");
	msgpack_pack_array(pk, (uint32_t)n);
	enum proto_status st = PROTO_OK;
	for (size_t i = 0; i < n && st == PROTO_OK; i++) {
		struct expert e;
		st = handler_get_expert(ctx, ids[i], &e, rep);
		if (st != PROTO_OK)
			break;
		char name[MASK_BUF];
		mask_name(e.name, name);
		/* The ledger's keys inline: nested, the reply would be deeper
		 * than a reply may be (PROTO_MAX_DEPTH). */
		msgpack_pack_map(pk, 3 + LEDGER_PACK_KEYS);
		proto_pack_kv_int(pk, "expert", e.id);
		proto_pack_kv_str(pk, "name", name);
		proto_pack_kv_int(pk, "flagged_at", ledger_flagged_at(ctx, e.id));
		st = ledger_pack(ctx, e.id, pk, false, rep);
	}
	free(ids);
	return st;
}
