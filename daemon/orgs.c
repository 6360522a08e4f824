/*
 * orgs.c - resolving references to organisations (see orgs.h).
 */
#include <stdio.h>
#include <string.h>

#include "engage.h"
#include "i18n.h"
#include "ident.h"
#include "orgs.h"
#include "pool.h"
#include "textnorm.h"

/* Follow merges to the live entry (a merge chain is short; a loop, which
 * store_org_merge never makes, stops after a few steps). */
static enum store_result live(struct handler_ctx *ctx, struct store_org *o)
{
	enum store_result r = STORE_OK;
	for (int i = 0; r == STORE_OK && o->merged_into && i < 16; i++)
		r = store_org_by_id(ctx->store, o->merged_into, o);
	return r;
}

/* 18 characters of the credit code alphabet: a code with a typo, not a
 * name. */
static bool looks_like_code(const char *s, size_t len)
{
	return len == 18 && strspn(s, "0123456789ABCDEFGHJKLMNPQRTUWXY") == 18;
}

struct closest {
	const char *sought;     /* matching key */
	const char *except;
	struct textnorm_near near;
	size_t i;
	char *out;
	size_t outsz, len;
	int pass;
};

static bool closest_cb(const struct store_org_name *n, void *arg)
{
	struct closest *c = arg;
	size_t i = c->i++;
	if (strcmp(n->key, c->except) == 0)
		return true;
	if (c->pass == 0) {
		textnorm_near_offer(&c->near, c->sought, n->match, i);
		return true;
	}
	for (size_t k = 0; k < c->near.n; k++)
		if (c->near.index[k] == i && c->len < c->outsz) {
			int w = snprintf(c->out + c->len, c->outsz - c->len, "%s%s (%s)",
			                 c->len ? ", " : "", n->name, n->key);
			c->len += w > 0 ? (size_t)w : 0;
		}
	return true;
}

enum store_result orgs_closest(struct handler_ctx *ctx, const char *name,
                               const char *except, char *out, size_t outsz)
{
	char match[TEXTNORM_KEY_SIZE];
	out[0] = '\0';
	if (!textnorm_key(TEXTNORM_ORG, name, match, sizeof match))
		return STORE_OK;
	struct closest c = {.sought = match, .except = except, .out = out,
	                    .outsz = outsz};
	textnorm_near_init(&c.near);
	enum store_result r = store_org_name_each(ctx->store, closest_cb, &c);
	if (r != STORE_OK || c.near.n == 0)
		return r;
	/* Listed in registry order; the second pass only finds their names. */
	c.pass = 1;
	c.i = 0;
	return store_org_name_each(ctx->store, closest_cb, &c);
}

static enum proto_status by_name(struct handler_ctx *ctx, const char *text,
                                 const char *field, struct store_org *o,
                                 struct reply *rep)
{
	char match[TEXTNORM_KEY_SIZE];
	if (!textnorm_key(TEXTNORM_ORG, text, match, sizeof match))
		return reply_error(rep, PROTO_E_INVALID_FIELD, field,
		                   "not an organisation name, credit code or key: '%s'",
		                   text);
	enum store_result r = store_org_by_match(ctx->store, match, o);
	if (r == STORE_OK)
		r = live(ctx, o);
	if (r == STORE_OK)
		return PROTO_OK;
	if (r != STORE_NOT_FOUND)
		return handler_store_error(rep, r);
	char near[512];
	r = orgs_closest(ctx, text, "", near, sizeof near);
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	return reply_error(rep, PROTO_E_INVALID_FIELD, field,
	                   "no organisation is named '%s'%s%s", text,
	                   near[0] ? _("; closest: ") : _("; register it with org.add (expertctl org add)"), near);
}

enum proto_status orgs_resolve(struct handler_ctx *ctx, const char *text, size_t len,
                               const char *field, char key[IDENT_CODE_SIZE],
                               struct store_org *found, struct reply *rep)
{
	char buf[ORG_NAME_MAX + 1];
	struct store_org o = {0};
	if (len == 0 || len > ORG_NAME_MAX || memchr(text, '\0', len))
		return reply_error(rep, PROTO_E_INVALID_FIELD, field,
		                   "an organisation is 1-%d bytes: a name, credit code or key",
		                   ORG_NAME_MAX);
	memcpy(buf, text, len);
	buf[len] = '\0';
	const char *why;
	enum store_result r = STORE_NOT_FOUND;
	enum proto_status st = PROTO_OK;
	if (len < IDENT_CODE_SIZE && ident_credit_code(buf, len, &why) == IDENT_OK) {
		r = store_org_by_code(ctx->store, buf, &o);
		if (r == STORE_NOT_FOUND) {
			memset(&o, 0, sizeof o);
			memcpy(o.key, buf, len + 1);
			memcpy(o.code, buf, len + 1);
			r = STORE_OK;
		} else if (r == STORE_OK) {
			r = live(ctx, &o);
		}
	} else if (ident_org_key(buf, len, &why) == IDENT_OK) {
		r = store_org_by_key(ctx->store, buf, &o);
		if (r == STORE_OK)
			r = live(ctx, &o);
		else if (r == STORE_NOT_FOUND)
			return reply_error(rep, PROTO_E_INVALID_FIELD, field,
			                   "no organisation has the key %s", buf);
	} else if (looks_like_code(buf, len)) {
		return reply_error(rep, PROTO_E_INVALID_FIELD, field,
		                   "not a unified social credit code: %s", why);
	} else {
		st = by_name(ctx, buf, field, &o, rep);
		r = STORE_OK;
	}
	if (st != PROTO_OK)
		return st;
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	memcpy(key, o.key, IDENT_CODE_SIZE);
	if (found)
		*found = o;
	return PROTO_OK;
}

enum proto_status orgs_merge(struct handler_ctx *ctx, const struct store_org *from,
                             const struct store_org *into, const char *reason,
                             struct reply *rep)
{
	enum store_result r = from->id ? store_org_merge(ctx->store, from, into)
	                               : store_org_relink(ctx->store, from->key, into->key);
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	audit_pack_org_merged(handler_audit_begin(ctx), from->key, into->key,
	                      ctx->caller->principal, reason);
	enum proto_status st = handler_audit_end(ctx, AUDIT_ORG_MERGED, rep, NULL, NULL);
	if (st != PROTO_OK)
		return st;
	/* A rollback rebuilds both from the store. */
	ctx->touched_lost = true;
	ctx->engage_dirty = true;
	uint32_t f = pool_org_find(ctx->pool, from->key);
	if (!f)
		return PROTO_OK;  /* nothing in memory names it */
	uint32_t i = pool_org_intern(ctx->pool, into->key);
	if (!i || !engage_merge_org(ctx->engage, f, i))
		return reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	pool_merge_org(ctx->pool, f, i);
	return PROTO_OK;
}

enum proto_status orgs_claim_code(struct handler_ctx *ctx, const struct store_org *o,
                                  const char *why, struct reply *rep)
{
	if (!o->code[0] || strcmp(o->code, o->key) == 0 ||
	    !pool_org_find(ctx->pool, o->code))
		return PROTO_OK;
	struct store_org bare = {0};
	memcpy(bare.key, o->code, sizeof bare.key);
	char reason[PROTO_REASON_SIZE];
	snprintf(reason, sizeof reason, "credit code %s is %s (%s): %s", o->code,
	         o->name, o->key, why);
	return orgs_merge(ctx, &bare, o, reason, rep);
}

/* An entry registered by a bare code, never named (REGISTRY.md 2.3). */
static bool code_only(const struct store_org *o)
{
	return strcmp(o->name, o->code) == 0;
}

/* A row's pair when the code is registered as entry a (REGISTRY.md 2.3):
 * out->key is the entry the pair means. */
static enum orgs_pair_result pair_code_known(struct handler_ctx *ctx,
                                             const struct orgs_pair *p,
                                             const char *match, bool apply,
                                             struct store_org *a,
                                             struct orgs_pair_out *out, char *why,
                                             size_t whysz)
{
	struct store_org b;
	out->r = match[0] ? store_org_by_match(ctx->store, match, &b) : STORE_NOT_FOUND;
	if (out->r == STORE_OK)
		out->r = live(ctx, &b);
	if (out->r == STORE_OK && b.id != a->id) {
		if (!code_only(a) || b.code[0]) {
			snprintf(why, whysz, _("%s '%s' is %s (%s) but code %s is %s (%s)"),
			         p->label, p->name, b.name, b.key, p->code, a->name, a->key);
			return ORGS_PAIR_INVALID;
		}
		/* The code was seen alone before: it is this name's. */
		char reason[PROTO_REASON_SIZE];
		snprintf(reason, sizeof reason, "roster: %s '%s' has code %s", p->label,
		         p->name, p->code);
		if (apply && (out->st = orgs_merge(ctx, a, &b, reason, out->rep)) != PROTO_OK)
			return ORGS_PAIR_FAILED;
		*a = b;
		return ORGS_PAIR_OK;
	}
	if (out->r != STORE_OK && out->r != STORE_NOT_FOUND)
		return ORGS_PAIR_STORE;
	bool alias = out->r == STORE_NOT_FOUND && match[0];
	out->r = STORE_OK;
	if (apply && alias)
		out->r = store_org_name_add(ctx->store, a->id, match, p->name);
	return out->r == STORE_OK ? ORGS_PAIR_OK : ORGS_PAIR_STORE;
}

/* A new entry for the pair. */
static enum store_result pair_create(struct handler_ctx *ctx, const struct orgs_pair *p,
                                     const char *match, struct store_org *o)
{
	memset(o, 0, sizeof *o);
	snprintf(o->name, sizeof o->name, "%s", p->name[0] ? p->name : p->code);
	snprintf(o->code, sizeof o->code, "%s", p->code);
	o->kinds = p->kind;
	enum store_result r = store_org_insert(ctx->store, o, ctx->now);
	if (r == STORE_OK && match[0])
		r = store_org_name_add(ctx->store, o->id, match, p->name);
	return r;
}

/* A row's pair when the code is not registered (or absent). */
static enum orgs_pair_result pair_code_unknown(struct handler_ctx *ctx,
                                               const struct orgs_pair *p,
                                               const char *match, bool apply,
                                               struct store_org *o,
                                               struct orgs_pair_out *out, char *why,
                                               size_t whysz)
{
	out->r = match[0] ? store_org_by_match(ctx->store, match, o) : STORE_NOT_FOUND;
	if (out->r == STORE_OK)
		out->r = live(ctx, o);
	if (out->r == STORE_OK) {
		if (p->code[0] && o->code[0] && strcmp(o->code, p->code) != 0) {
			snprintf(why, whysz, _("%s '%s' is %s (%s), whose code is %s, not %s"),
			         p->label, p->name, o->name, o->key, o->code, p->code);
			return ORGS_PAIR_INVALID;
		}
		if (!apply || !p->code[0] || o->code[0])
			return ORGS_PAIR_OK;
		snprintf(o->code, sizeof o->code, "%s", p->code);
		out->r = store_org_set_code(ctx->store, o->id, o->code);
		if (out->r != STORE_OK)
			return ORGS_PAIR_STORE;
		out->st = orgs_claim_code(ctx, o, "learnt from a roster", out->rep);
		return out->st == PROTO_OK ? ORGS_PAIR_OK : ORGS_PAIR_FAILED;
	}
	if (out->r != STORE_NOT_FOUND)
		return ORGS_PAIR_STORE;
	out->r = STORE_OK;
	o->key[0] = '\0';
	if (!apply)
		return ORGS_PAIR_OK;
	out->created = true;
	out->r = pair_create(ctx, p, match, o);
	return out->r == STORE_OK ? ORGS_PAIR_OK : ORGS_PAIR_STORE;
}

enum orgs_pair_result orgs_resolve_pair(struct handler_ctx *ctx,
                                        const struct orgs_pair *p, bool apply,
                                        struct orgs_pair_out *out, char *why,
                                        size_t whysz)
{
	char match[TEXTNORM_KEY_SIZE] = "";
	struct store_org o;
	out->created = false;
	out->key[0] = '\0';
	out->r = STORE_OK;
	if (p->name[0] && !textnorm_key(TEXTNORM_ORG, p->name, match, sizeof match)) {
		snprintf(why, whysz, _("%s is not a usable name"), p->label);
		return ORGS_PAIR_INVALID;
	}
	if (!match[0] && !p->code[0])
		return ORGS_PAIR_OK;
	out->r = p->code[0] ? store_org_by_code(ctx->store, p->code, &o) : STORE_NOT_FOUND;
	if (out->r == STORE_OK)
		out->r = live(ctx, &o);
	enum orgs_pair_result res;
	if (out->r == STORE_OK)
		res = pair_code_known(ctx, p, match, apply, &o, out, why, whysz);
	else if (out->r == STORE_NOT_FOUND)
		res = pair_code_unknown(ctx, p, match, apply, &o, out, why, whysz);
	else
		return ORGS_PAIR_STORE;
	if (res != ORGS_PAIR_OK)
		return res;
	if (apply && !out->created && (o.kinds & p->kind) != p->kind)
		out->r = store_org_add_kinds(ctx->store, o.id, p->kind);
	if (out->r != STORE_OK)
		return ORGS_PAIR_STORE;
	memcpy(out->key, o.key, IDENT_CODE_SIZE);
	return ORGS_PAIR_OK;
}
