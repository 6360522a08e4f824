/*
 * h_conflict.c - declared conflicts between an expert and an organisation
 * (by unified social credit code), used by recusal when drawing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handler.h"
#include "orgs.h"
#include "ident.h"
#include "reply.h"

/* The organisation of a conflict request: `org` (code, key or name) or
 * the older `org_code` (code or key), resolved to its key. With
 * required, one of them must be given. */
static enum proto_status org_arg(struct handler_ctx *ctx, const struct proto_request *req,
                                 bool required, char key[IDENT_CODE_SIZE],
                                 struct reply *rep)
{
	const char *s;
	size_t n;
	bool by_org = proto_arg_str(req, "org", &s, &n);
	bool by_code = proto_arg(req, "org_code") != NULL;
	key[0] = '\0';
	if (by_org && by_code)
		return reply_error(rep, PROTO_E_INVALID_FIELD, "org_code",
		                   "give org or org_code, not both");
	if (by_code)
		proto_arg_str(req, "org_code", &s, &n);
	if (by_org || by_code)
		return orgs_resolve(ctx, s, n, by_org ? "org" : "org_code", key, NULL, rep);
	return required ? reply_error(rep, PROTO_E_INVALID_FIELD, "org",
	                              "name the organisation (org)")
	                : PROTO_OK;
}

enum proto_status h_conflict_add(struct handler_ctx *ctx, const struct proto_request *req,
                                 struct reply *rep)
{
	struct store_conflict c = {.created_at = ctx->now, .valid_from = ctx->today};
	enum proto_status st = org_arg(ctx, req, true, c.org_code, rep);
	if (st != PROTO_OK)
		return st;
	const char *s;
	size_t n;
	c.expert_id = proto_arg_int(req, "expert", 0);
	proto_arg_str(req, "kind", &s, &n);
	c.kind = proto_choice_index(proto_conflict_kinds, s, n);
	if (proto_arg_str(req, "valid_from", &s, &n))
		ident_date_parse(s, n, &c.valid_from);
	if (proto_arg_str(req, "valid_to", &s, &n)) {
		ident_date_parse(s, n, &c.valid_to);
		if (c.valid_to < c.valid_from)
			return reply_error(rep, PROTO_E_INVALID_FIELD, "valid_to",
			                   "must not be before valid_from");
	}
	proto_arg_strcpy(req, "reason", c.reason, sizeof c.reason);
	st = handler_add_conflict(ctx, &c, rep);
	if (st != PROTO_OK)
		return st;
	msgpack_packer *pk = reply_result(rep);
	msgpack_pack_map(pk, 1);
	proto_pack_kv_int(pk, "conflict", c.id);
	return PROTO_OK;
}

enum proto_status h_conflict_list(struct handler_ctx *ctx, const struct proto_request *req,
                                  struct reply *rep)
{
	char code[IDENT_CODE_SIZE] = "";
	enum proto_status st = org_arg(ctx, req, false, code, rep);
	if (st != PROTO_OK)
		return st;
	struct store_conflict *cs;
	size_t n;
	enum store_result r = store_conflict_list(ctx->store, proto_arg_int(req, "expert", 0),
	                                          code, &cs, &n);
	if (r != STORE_OK) {
		free(cs); /* rows read before the error */
		return handler_store_error(rep, r);
	}
	msgpack_packer *pk = reply_result(rep);
	msgpack_pack_map(pk, 1);
	proto_pack_str(pk, "conflicts");
	msgpack_pack_array(pk, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		handler_pack_conflict(pk, &cs[i]);
	free(cs);
	return PROTO_OK;
}
