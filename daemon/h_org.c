/*
 * h_org.c - the organisation registry's operations (REGISTRY.md 2.4):
 * list and show for every staff role, add, alias, code and merge for
 * operators. Organisations are not personal data; no reply here holds any.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handler.h"
#include "i18n.h"
#include "ident.h"
#include "orgs.h"
#include "pool.h"
#include "textnorm.h"

static void pack_kinds(msgpack_packer *pk, unsigned kinds)
{
	uint32_t n = 0;
	for (int i = 0; i < PROTO_ORG_KINDS_COUNT; i++)
		n += (kinds >> i) & 1;
	msgpack_pack_array(pk, n);
	for (int i = 0; i < PROTO_ORG_KINDS_COUNT; i++)
		if ((kinds >> i) & 1)
			proto_pack_str(pk, proto_org_kinds[i]);
}

/* The org map of REGISTRY.md 2.4, counts and aliases read here. */
static enum store_result pack_org(struct handler_ctx *ctx, msgpack_packer *pk,
                                  struct store_org *o)
{
	char (*aliases)[ORG_NAME_MAX + 1] = NULL;
	size_t n = 0;
	enum store_result r = store_org_counts(ctx->store, o);
	if (r == STORE_OK)
		r = store_org_aliases(ctx->store, o, &aliases, &n);
	if (r != STORE_OK) {
		free(aliases);
		return r;
	}
	struct store_org into = {0};
	if (o->merged_into)
		r = store_org_by_id(ctx->store, o->merged_into, &into);
	msgpack_pack_map(pk, o->merged_into ? 8 : 7);
	proto_pack_kv_str(pk, "key", o->key);
	proto_pack_kv_str(pk, "name", o->name);
	proto_pack_kv_str(pk, "code", o->code);
	proto_pack_str(pk, "kinds");
	pack_kinds(pk, o->kinds);
	proto_pack_str(pk, "aliases");
	msgpack_pack_array(pk, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		proto_pack_str(pk, aliases[i]);
	proto_pack_kv_int(pk, "employees", o->employees);
	proto_pack_kv_int(pk, "recommended", o->recommended);
	if (o->merged_into)
		proto_pack_kv_str(pk, "merged_into", into.key);
	free(aliases);
	return r;
}

static enum proto_status reply_org(struct handler_ctx *ctx, struct store_org *o,
                                   struct reply *rep)
{
	msgpack_packer *pk = reply_result(rep);
	msgpack_pack_map(pk, 1);
	proto_pack_str(pk, "org");
	enum store_result r = pack_org(ctx, pk, o);
	return r == STORE_OK ? PROTO_OK : handler_store_error(rep, r);
}

/* A reference that must be a registry entry (not a bare credit code). */
static enum proto_status registered(struct handler_ctx *ctx,
                                    const struct proto_request *req,
                                    const char *field, struct store_org *o,
                                    struct reply *rep)
{
	const char *s;
	size_t n;
	char key[IDENT_CODE_SIZE];
	proto_arg_str(req, field, &s, &n);
	enum proto_status st = orgs_resolve(ctx, s, n, field, key, o, rep);
	if (st == PROTO_OK && o->id == 0)
		return reply_error(rep, PROTO_E_INVALID_FIELD, field,
		                   "no organisation has the code %s; register it with "
		                   "org.add (expertctl org add)", key);
	return st;
}

enum proto_status h_org_list(struct handler_ctx *ctx, const struct proto_request *req,
                             struct reply *rep)
{
	char match[TEXTNORM_KEY_SIZE] = "";
	const char *s;
	size_t n;
	if (proto_arg_str(req, "query", &s, &n)) {
		char q[ORG_NAME_MAX + 1];
		snprintf(q, sizeof q, "%.*s", (int)n, s);
		if (!textnorm_key(TEXTNORM_ORG, q, match, sizeof match))
			return reply_error(rep, PROTO_E_INVALID_FIELD, "query",
			                   "nothing to search for in '%s'", q);
	}
	struct store_org *os = NULL;
	size_t count = 0;
	int64_t total = 0;
	enum store_result r = store_org_list(ctx->store, match,
	                                     proto_arg_int(req, "offset", 0),
	                                     proto_arg_int(req, "limit", 100), &os,
	                                     &count, &total);
	msgpack_packer *pk = reply_result(rep);
	msgpack_pack_map(pk, 2);
	proto_pack_str(pk, "orgs");
	msgpack_pack_array(pk, (uint32_t)count);
	for (size_t i = 0; r == STORE_OK && i < count; i++)
		r = pack_org(ctx, pk, &os[i]);
	proto_pack_kv_int(pk, "total", total);
	free(os);
	return r == STORE_OK ? PROTO_OK : handler_store_error(rep, r);
}

enum proto_status h_org_show(struct handler_ctx *ctx, const struct proto_request *req,
                             struct reply *rep)
{
	struct store_org o;
	enum proto_status st = registered(ctx, req, "org", &o, rep);
	return st == PROTO_OK ? reply_org(ctx, &o, rep) : st;
}

/* Add `name` to entry o; invalid_field on `field` when another entry has
 * it. Adding a name o already has changes nothing. */
static enum proto_status add_name(struct handler_ctx *ctx, const struct store_org *o,
                                  const char *name, const char *field,
                                  struct reply *rep)
{
	char match[TEXTNORM_KEY_SIZE];
	struct store_org other;
	if (!textnorm_key(TEXTNORM_ORG, name, match, sizeof match))
		return reply_error(rep, PROTO_E_INVALID_FIELD, field,
		                   "not a usable name: '%s'", name);
	enum store_result r = store_org_by_match(ctx->store, match, &other);
	if (r == STORE_OK && other.id == o->id)
		return PROTO_OK;
	if (r == STORE_OK)
		return reply_error(rep, PROTO_E_INVALID_FIELD, field,
		                   "'%s' is already a name of %s (%s)", name, other.name,
		                   other.key);
	if (r == STORE_NOT_FOUND)
		r = store_org_name_add(ctx->store, o->id, match, name);
	return r == STORE_OK ? PROTO_OK : handler_store_error(rep, r);
}

/* Read and check a `code` argument; "" with PROTO_OK when absent. */
static enum proto_status code_arg(struct handler_ctx *ctx,
                                  const struct proto_request *req, int64_t self,
                                  char code[IDENT_CODE_SIZE], struct reply *rep)
{
	const char *s, *why = NULL;
	size_t n;
	code[0] = '\0';
	if (!proto_arg_str(req, "code", &s, &n))
		return PROTO_OK;
	if (n >= IDENT_CODE_SIZE || ident_credit_code(s, n, &why) != IDENT_OK)
		return reply_error(rep, PROTO_E_INVALID_FIELD, "code",
		                   "not a unified social credit code: %s",
		                   why ? why : _("wrong length"));
	memcpy(code, s, n);
	code[n] = '\0';
	struct store_org other;
	enum store_result r = store_org_by_code(ctx->store, code, &other);
	if (r == STORE_OK && other.id != self)
		return reply_error(rep, PROTO_E_INVALID_FIELD, "code",
		                   "%s is already the code of %s (%s)", code, other.name,
		                   other.key);
	return r == STORE_OK || r == STORE_NOT_FOUND ? PROTO_OK
	                                             : handler_store_error(rep, r);
}

enum proto_status h_org_add(struct handler_ctx *ctx, const struct proto_request *req,
                            struct reply *rep)
{
	struct store_org o = {0};
	proto_arg_strcpy(req, "name", o.name, sizeof o.name);
	char match[TEXTNORM_KEY_SIZE];
	struct store_org other;
	if (!textnorm_key(TEXTNORM_ORG, o.name, match, sizeof match))
		return reply_error(rep, PROTO_E_INVALID_FIELD, "name",
		                   "not a usable name: '%s'", o.name);
	enum store_result r = store_org_by_match(ctx->store, match, &other);
	if (r == STORE_OK)
		return reply_error(rep, PROTO_E_INVALID_FIELD, "name",
		                   "'%s' is already a name of %s (%s)", o.name, other.name,
		                   other.key);
	if (r != STORE_NOT_FOUND)
		return handler_store_error(rep, r);
	enum proto_status st = code_arg(ctx, req, 0, o.code, rep);
	if (st != PROTO_OK)
		return st;
	const msgpack_object *kinds = proto_arg(req, "kinds");
	for (uint32_t i = 0; kinds && i < kinds->via.array.size; i++) {
		const msgpack_object *k = &kinds->via.array.ptr[i];
		o.kinds |= 1u << proto_choice_index(proto_org_kinds, k->via.str.ptr,
		                                    k->via.str.size);
	}
	r = store_org_insert(ctx->store, &o, ctx->now);
	if (r == STORE_OK)
		r = store_org_name_add(ctx->store, o.id, match, o.name);
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	return reply_org(ctx, &o, rep);
}

enum proto_status h_org_alias(struct handler_ctx *ctx, const struct proto_request *req,
                              struct reply *rep)
{
	struct store_org o;
	char name[ORG_NAME_MAX + 1];
	enum proto_status st = registered(ctx, req, "org", &o, rep);
	if (st != PROTO_OK)
		return st;
	proto_arg_strcpy(req, "name", name, sizeof name);
	st = add_name(ctx, &o, name, "name", rep);
	return st == PROTO_OK ? reply_org(ctx, &o, rep) : st;
}

enum proto_status h_org_code(struct handler_ctx *ctx, const struct proto_request *req,
                             struct reply *rep)
{
	struct store_org o;
	enum proto_status st = registered(ctx, req, "org", &o, rep);
	if (st == PROTO_OK)
		st = code_arg(ctx, req, o.id, o.code, rep);
	if (st != PROTO_OK)
		return st;
	enum store_result r = store_org_set_code(ctx->store, o.id, o.code);
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	st = orgs_claim_code(ctx, &o, "org.code", rep);
	return st == PROTO_OK ? reply_org(ctx, &o, rep) : st;
}

enum proto_status h_org_merge(struct handler_ctx *ctx, const struct proto_request *req,
                              struct reply *rep)
{
	struct store_org from, into;
	enum proto_status st = registered(ctx, req, "from", &from, rep);
	if (st == PROTO_OK)
		st = registered(ctx, req, "into", &into, rep);
	if (st != PROTO_OK)
		return st;
	if (from.id == into.id)
		return reply_error(rep, PROTO_E_INVALID_FIELD, "into",
		                   "%s (%s) is the organisation being merged", into.name,
		                   into.key);
	if (from.code[0] && into.code[0])
		return reply_error(rep, PROTO_E_INVALID_FIELD, "from",
		                   "both have credit codes (%s, %s): two legal persons; "
		                   "correct one with org.code (expertctl org code) first",
		                   from.code, into.code);
	char reason[PROTO_REASON_SIZE];
	proto_arg_strcpy(req, "reason", reason, sizeof reason);
	st = orgs_merge(ctx, &from, &into, reason, rep);
	if (st != PROTO_OK)
		return st;
	enum store_result r = store_org_by_id(ctx->store, into.id, &into);
	return r == STORE_OK ? reply_org(ctx, &into, rep) : handler_store_error(rep, r);
}
