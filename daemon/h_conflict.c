/*
 * h_conflict.c - declared conflicts between an expert and an organisation
 * (by unified social credit code), used by recusal when drawing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handler.h"
#include "ident.h"

void h_pack_conflict(msgpack_packer *pk, const struct store_conflict *c)
{
	char from[11], to[11];
	ident_date_format(c->valid_from, from);
	msgpack_pack_map(pk, 7 + (c->valid_to != 0) + (c->reason[0] != 0));
	proto_pack_kv_int(pk, "id", c->id);
	proto_pack_kv_int(pk, "expert", c->expert_id);
	proto_pack_kv_str(pk, "org_code", c->org_code);
	proto_pack_kv_str(pk, "kind", proto_conflict_kinds[c->kind]);
	proto_pack_kv_str(pk, "valid_from", from);
	if (c->valid_to) {
		ident_date_format(c->valid_to, to);
		proto_pack_kv_str(pk, "valid_to", to);
	}
	if (c->reason[0])
		proto_pack_kv_str(pk, "reason", c->reason);
	proto_pack_kv_int(pk, "created_at", c->created_at);
	proto_pack_kv_str(pk, "created_by", c->created_by);
}

enum proto_status handler_add_conflict(struct handler_ctx *ctx,
                                       struct store_conflict *c, struct reply *rep)
{
	struct expert e;
	enum proto_status st = handler_get_expert(ctx, c->expert_id, &e, rep);
	if (st != PROTO_OK)
		return st;
	c->id = store_conflict_max_id(ctx->store) + 1;
	c->created_at = ctx->now;
	snprintf(c->created_by, sizeof c->created_by, "%s", ctx->caller->principal);
	enum store_result r = store_conflict_insert(ctx->store, c);
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	struct store_event ev = {.expert_id = e.id, .at = ctx->now};
	snprintf(ev.actor, sizeof ev.actor, "%s", ctx->caller->principal);
	snprintf(ev.event, sizeof ev.event, "conflict_added");
	snprintf(ev.reason, sizeof ev.reason, "%s", c->reason);
	snprintf(ev.detail, sizeof ev.detail, "conflict %lld with %s (%s)",
	         (long long)c->id, c->org_code, proto_conflict_kinds[c->kind]);
	r = store_event_add(ctx->store, &ev);
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	audit_pack_conflict(handler_audit_begin(ctx), c->id, c->expert_id, c->org_code,
	                    c->kind, c->valid_from, c->valid_to);
	st = handler_audit_end(ctx, AUDIT_CONFLICT, rep, NULL, NULL);
	if (st != PROTO_OK)
		return st;
	struct engage_conflict ec = {.org = pool_org_intern(ctx->pool, c->org_code),
	                             .valid_from = c->valid_from, .valid_to = c->valid_to};
	ctx->engage_dirty = true;
	if (!ec.org || !engage_add_conflict(ctx->engage, c->expert_id, &ec))
		return reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	return PROTO_OK;
}

/* Read an org code argument and check it; fills code on success. */
static enum proto_status org_code_arg(const struct proto_request *req,
                                      char code[19], struct reply *rep)
{
	const char *s, *why = NULL;
	size_t n;
	proto_arg_str(req, "org_code", &s, &n);
	if (ident_credit_code(s, n, &why) != IDENT_OK)
		return reply_error(rep, PROTO_E_INVALID_FIELD, "org_code",
		                   "not a unified social credit code: %s", why);
	memcpy(code, s, n);
	code[n] = '\0';
	return PROTO_OK;
}

enum proto_status h_conflict_add(struct handler_ctx *ctx, const struct proto_request *req,
                                 struct reply *rep)
{
	struct store_conflict c = {.created_at = ctx->now, .valid_from = ctx->today};
	enum proto_status st = org_code_arg(req, c.org_code, rep);
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
	char code[19] = "";
	if (proto_arg(req, "org_code")) {
		enum proto_status st = org_code_arg(req, code, rep);
		if (st != PROTO_OK)
			return st;
	}
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
		h_pack_conflict(pk, &cs[i]);
	free(cs);
	return PROTO_OK;
}
