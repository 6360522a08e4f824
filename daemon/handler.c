/*
 * handler.c - the helpers every handler and service module shares: store
 * errors as replies, loading and saving an expert or a task, audit entry
 * bodies, the experts a request touched (undone on rollback), conflicts,
 * and the recusal view of a task. Nothing here answers a request itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_log.h"
#include "engage.h"
#include "handler.h"
#include "i18n.h"
#include "ident.h"
#include "pool.h"
#include "reply.h"
#include "token.h"

const struct auth_entry handler_daemon = {.principal = "expertd",
                                          .role = PROTO_ROLE_OPERATOR};

const char *const handler_damaged =
	N_("the database is corrupt: nothing was applied, and the server accepts no "
	   "writes until an operator restores it (see its log)");

enum proto_status handler_store_error(struct reply *rep, enum store_result r)
{
	switch (r) {
	case STORE_NOT_FOUND:
		return reply_error(rep, PROTO_E_NOT_FOUND, NULL, "not found");
	case STORE_DUPLICATE:
		return reply_error(rep, PROTO_E_ALREADY_EXISTS, NULL, "already exists");
	case STORE_CORRUPT:
		/* Not retryable: the dispatcher stops writes (PROTOCOL.md 6.3). */
		rep->store_damaged = true;
		return reply_error(rep, PROTO_E_INTERNAL, NULL, "%s", _(handler_damaged));
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
	struct handler_why why = {.reason = reason, .until = until, .detail = detail};
	return handler_save_expert_why(ctx, e, is_new, event, &why, rep);
}

enum proto_status handler_save_expert_changed(struct handler_ctx *ctx, struct expert *e,
                                              bool is_new, const char *event,
                                              const char *reason, int32_t until,
                                              const char *detail, unsigned changed,
                                              struct reply *rep)
{
	struct handler_why why = {.reason = reason, .until = until, .detail = detail,
	                          .changed = changed};
	return handler_save_expert_why(ctx, e, is_new, event, &why, rep);
}

enum proto_status handler_save_expert_why(struct handler_ctx *ctx, struct expert *e,
                                          bool is_new, const char *event,
                                          const struct handler_why *why,
                                          struct reply *rep)
{
	const char *reason = why->reason;
	e->updated_at = ctx->now;
	if (is_new)
		e->created_at = ctx->now;
	enum store_result r = is_new ? store_expert_insert(ctx->store, e)
	                             : store_expert_update(ctx->store, e);
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	struct store_event ev = {.expert_id = e->id, .at = ctx->now, .until = why->until};
	snprintf(ev.actor, sizeof ev.actor, "%s", ctx->caller->principal);
	snprintf(ev.event, sizeof ev.event, "%s", event);
	snprintf(ev.reason, sizeof ev.reason, "%s", reason ? reason : "");
	snprintf(ev.detail, sizeof ev.detail, "%s", why->detail ? why->detail : "");
	if (why->ground) {
		/* The labels as they were, should the ground leave the settings. */
		snprintf(ev.ground, sizeof ev.ground, "%s", why->ground->code);
		snprintf(ev.ground_label, sizeof ev.ground_label, "%s", why->ground->label);
		snprintf(ev.ground_label_en, sizeof ev.ground_label_en, "%s",
		         why->ground->label_en);
	}
	snprintf(ev.referral, sizeof ev.referral, "%s",
	         why->referral ? why->referral : "");
	r = store_event_add(ctx->store, &ev);
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	audit_pack_expert_full(handler_audit_begin(ctx), event, ctx->caller->principal,
	                       reason, why->changed, why->ground ? why->ground->code : NULL,
	                       why->referral, e);
	/* A flag set by the ledger is its own event type (DRAW.md 4.2). */
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

bool handler_sees_all_tasks(const struct handler_ctx *ctx)
{
	return ctx->caller->role == PROTO_ROLE_OPERATOR;
}

/* Never say that a task of another bureau exists: not_found. */
enum proto_status handler_get_task(struct handler_ctx *ctx, int64_t id,
                                   struct task *t, struct reply *rep)
{
	enum store_result r = store_task_get(ctx->store, id, t);
	if (r == STORE_OK && !handler_sees_all_tasks(ctx) &&
	    strcmp(t->bureau, ctx->caller->bureau) != 0)
		r = STORE_NOT_FOUND;
	if (r == STORE_NOT_FOUND)
		return reply_error(rep, PROTO_E_NOT_FOUND, "task", "no task %lld",
		                   (long long)id);
	return r == STORE_OK ? PROTO_OK : handler_store_error(rep, r);
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

void handler_pack_conflict(msgpack_packer *pk, const struct store_conflict *c)
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

void handler_touch(struct handler_ctx *ctx, int64_t id)
{
	if (ctx->ntouched == ctx->touched_cap) {
		size_t nc = ctx->touched_cap ? ctx->touched_cap * 2 : 16;
		int64_t *t = realloc(ctx->touched, nc * sizeof *t);
		if (!t) {
			ctx->touched_lost = true; /* an undo reloads everything */
			return;
		}
		ctx->touched = t;
		ctx->touched_cap = nc;
	}
	ctx->touched[ctx->ntouched++] = id;
}

void handler_engage_task(struct pool *pool, const struct task *t,
                          struct engage_task *out)
{
	memset(out, 0, sizeof *out);
	out->id = t->id;
	out->start_at = t->start_at;
	out->end_at = t->end_at;
	for (int i = 0; i < t->n_orgs; i++)
		out->orgs[out->n_orgs++] = pool_org_intern(pool, t->orgs[i]);
}

enum proto_status handler_terms(struct handler_ctx *ctx, struct store_term **out,
                                size_t *n, struct reply *rep)
{
	enum store_result r = store_term_list(ctx->store, out, n);
	if (r == STORE_OK)
		return PROTO_OK;
	free(*out); /* rows read before the error */
	*out = NULL;
	return handler_store_error(rep, r);
}

/*
 * Refuse a token that is not a live offer's (PROTOCOL.md 7.12.3):
 * invalid_token, with a result saying why. Only a token whose secret was
 * once the seat's (its hash is the seat's, or among the spent ones)
 * learns why and the seat's state; any other learns `unknown`.
 */
static enum proto_status token_refuse(struct handler_ctx *ctx, int64_t id,
                                      const uint8_t *hash, bool lapsed,
                                      struct reply *rep)
{
	char why[16] = "unknown";
	int64_t seat = 0;
	struct store_assignment a;
	if (lapsed)
		snprintf(why, sizeof why, "expired");
	else if (!hash || store_token_spent(ctx->store, hash, &seat, why, sizeof why)
	                  != STORE_OK || seat != id)
		snprintf(why, sizeof why, "unknown");
	bool known = strcmp(why, "unknown") != 0 &&
	             store_assignment_get(ctx->store, id, &a) == STORE_OK;
	reply_error(rep, PROTO_E_INVALID_TOKEN, "token",
	            "the token is not valid: wrong, already used, or its offer "
	            "has ended");
	rep->keep_result_on_error = true;
	msgpack_packer *pk = reply_result(rep);
	msgpack_pack_map(pk, known ? 4 : 1);
	proto_pack_kv_str(pk, "why", known ? why : "unknown");
	if (known) {
		proto_pack_kv_int(pk, "assignment", a.id);
		proto_pack_kv_int(pk, "task", a.task);
		proto_pack_kv_str(pk, "state", proto_assignment_states[a.state]);
	}
	return PROTO_E_INVALID_TOKEN;
}

enum proto_status handler_token_seat(struct handler_ctx *ctx,
                                     const struct proto_request *req,
                                     struct store_assignment *a, struct reply *rep)
{
	const char *s;
	size_t n;
	int64_t id = 0;
	uint8_t hash[TOKEN_HASH_LEN];
	char clean[TOKEN_STR_MAX];
	proto_arg_str(req, "token", &s, &n);
	/* What an SMS app adds (spaces, a trailing 。) is not the token's. */
	if (!token_clean(s, n, clean, &n) || !token_parse(clean, n, &id, hash))
		return token_refuse(ctx, 0, NULL, false, rep);
	bool live = store_assignment_get(ctx->store, id, a) == STORE_OK &&
	            a->has_token && token_hash_equal(a->token_hash, hash);
	if (!live || a->state != ASSIGN_OFFERED || ctx->now >= a->deadline)
		/* A live token past its deadline: the expiry has not run yet. */
		return token_refuse(ctx, id, hash, live && ctx->now >= a->deadline, rep);
	return PROTO_OK;
}

void handler_pack_strs(msgpack_packer *pk, const char *k,
                       const char (*v)[EXPERT_TEXT_MAX + 1], int n, unsigned mask)
{
	uint32_t count = 0;
	for (int i = 0; i < n; i++)
		count += (mask >> i) & 1u;
	proto_pack_str(pk, k);
	msgpack_pack_array(pk, count);
	for (int i = 0; i < n; i++)
		if (mask & (1u << i))
			proto_pack_str(pk, v[i]);
}

void handler_pack_names(msgpack_packer *pk, const char *k, unsigned set,
                        const char *const *names)
{
	int n = 0;
	for (int i = 0; names[i]; i++)
		n += (set >> i) & 1u;
	proto_pack_str(pk, k);
	msgpack_pack_array(pk, (uint32_t)n);
	for (int i = 0; names[i]; i++)
		if (set & (1u << i))
			proto_pack_str(pk, names[i]);
}

void handler_pack_date(msgpack_packer *pk, const char *k, int32_t day)
{
	char buf[11];
	ident_date_format(day, buf);
	proto_pack_kv_str(pk, k, buf);
}

enum proto_status handler_pool_page(struct handler_ctx *ctx, const struct pool_filter *f,
                                    const struct proto_request *req,
                                    size_t default_limit, struct handler_page *pg,
                                    struct reply *rep)
{
	size_t limit = (size_t)proto_arg_int(req, "limit", (int64_t)default_limit);
	pg->offset = (size_t)proto_arg_int(req, "offset", 0);
	pg->ids = malloc(limit * sizeof *pg->ids);
	if (!pg->ids)
		return reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	pg->total = pool_list(ctx->pool, f, pg->offset, limit, pg->ids);
	pg->got = pg->total > pg->offset ? pg->total - pg->offset : 0;
	if (pg->got > limit)
		pg->got = limit;
	return PROTO_OK;
}
