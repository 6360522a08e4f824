/*
 * orgs.c - resolving references to organisations (see orgs.h).
 */
#include <stdio.h>
#include <string.h>

#include "ident.h"
#include "orgs.h"
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
	                   near[0] ? "; closest: " : "; register it with org.add", near);
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

/* A row's pair when the code is registered as entry a (REGISTRY.md 2.3). */
static enum orgs_pair_result pair_code_known(struct handler_ctx *ctx,
                                             const struct orgs_pair *p,
                                             const char *match, bool apply,
                                             struct store_org *a, char *why,
                                             size_t whysz, enum store_result *r)
{
	struct store_org b;
	*r = match[0] ? store_org_by_match(ctx->store, match, &b) : STORE_NOT_FOUND;
	if (*r == STORE_OK && (*r = live(ctx, &b)) == STORE_OK && b.id != a->id) {
		snprintf(why, whysz, "%s '%s' is %s (%s) but code %s is %s (%s)",
		         p->label, p->name, b.name, b.key, p->code, a->name, a->key);
		return ORGS_PAIR_INVALID;
	}
	if (*r != STORE_OK && *r != STORE_NOT_FOUND)
		return ORGS_PAIR_STORE;
	bool alias = *r == STORE_NOT_FOUND && match[0];
	*r = STORE_OK;
	if (apply && alias)
		*r = store_org_name_add(ctx->store, a->id, match, p->name);
	return *r == STORE_OK ? ORGS_PAIR_OK : ORGS_PAIR_STORE;
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
                                               struct store_org *o, bool *created,
                                               char *why, size_t whysz,
                                               enum store_result *r)
{
	*r = match[0] ? store_org_by_match(ctx->store, match, o) : STORE_NOT_FOUND;
	if (*r == STORE_OK)
		*r = live(ctx, o);
	if (*r == STORE_OK) {
		if (p->code[0] && o->code[0] && strcmp(o->code, p->code) != 0) {
			snprintf(why, whysz, "%s '%s' is %s (%s), whose code is %s, not %s",
			         p->label, p->name, o->name, o->key, o->code, p->code);
			return ORGS_PAIR_INVALID;
		}
		if (apply && p->code[0] && !o->code[0])
			*r = store_org_set_code(ctx->store, o->id, p->code);
		return *r == STORE_OK ? ORGS_PAIR_OK : ORGS_PAIR_STORE;
	}
	if (*r != STORE_NOT_FOUND)
		return ORGS_PAIR_STORE;
	*r = STORE_OK;
	o->key[0] = '\0';
	if (!apply)
		return ORGS_PAIR_OK;
	*created = true;
	*r = pair_create(ctx, p, match, o);
	return *r == STORE_OK ? ORGS_PAIR_OK : ORGS_PAIR_STORE;
}

enum orgs_pair_result orgs_resolve_pair(struct handler_ctx *ctx,
                                        const struct orgs_pair *p, bool apply,
                                        char key[IDENT_CODE_SIZE], bool *created,
                                        char *why, size_t whysz,
                                        enum store_result *r)
{
	char match[TEXTNORM_KEY_SIZE] = "";
	struct store_org o;
	*created = false;
	key[0] = '\0';
	*r = STORE_OK;
	if (p->name[0] && !textnorm_key(TEXTNORM_ORG, p->name, match, sizeof match)) {
		snprintf(why, whysz, "%s is not a usable name", p->label);
		return ORGS_PAIR_INVALID;
	}
	if (!match[0] && !p->code[0])
		return ORGS_PAIR_OK;
	*r = p->code[0] ? store_org_by_code(ctx->store, p->code, &o) : STORE_NOT_FOUND;
	if (*r == STORE_OK)
		*r = live(ctx, &o);
	enum orgs_pair_result res;
	if (*r == STORE_OK)
		res = pair_code_known(ctx, p, match, apply, &o, why, whysz, r);
	else if (*r == STORE_NOT_FOUND)
		res = pair_code_unknown(ctx, p, match, apply, &o, created, why, whysz, r);
	else
		return ORGS_PAIR_STORE;
	if (res != ORGS_PAIR_OK)
		return res;
	if (apply && !*created && (o.kinds & p->kind) != p->kind)
		*r = store_org_add_kinds(ctx->store, o.id, p->kind);
	if (*r != STORE_OK)
		return ORGS_PAIR_STORE;
	memcpy(key, o.key, IDENT_CODE_SIZE);
	return ORGS_PAIR_OK;
}
