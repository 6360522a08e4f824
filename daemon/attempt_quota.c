/*
 * attempt_quota.c - one draw attempt for a mixed panel (DRAW.md 3.7):
 * a candidate list per quota, the seed over the quotas hash, the
 * selection of quota.c; or, replacing a freed seat, one seat from that
 * seat's quota alone. attempt.c records the outcome as for any attempt.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attempt.h"
#include "candidates.h"
#include "pool.h"
#include "quota.h"
#include "reply.h"

/* Quota q's candidate list (3.1 with its specialty and group type) into
 * c; false on out of memory. */
static bool attempt_quota_list(struct handler_ctx *ctx, const struct task *t,
                               const struct attempt *a, const struct attempt_view *td,
                               int q, struct candidates *c)
{
	uint32_t sid = pool_specialty_find(ctx->pool, t->quotas[q].specialty);
	return candidates_collect(c, ctx->pool, ctx->engage, &td->terms, sid,
	                          t->quotas[q].group, &td->rt, ctx->rules, a->also,
	                          a->n_also);
}

/* What the transcript records of list c, and its hash. */
static void attempt_quota_counts(const struct candidates *c,
                                 enum draw_list_encoding enc,
                                 struct audit_quota_result *res,
                                 uint8_t hash[DRAW_HASH_LEN])
{
	res->n_candidates = c->n;
	memcpy(res->excluded, c->excluded, sizeof res->excluded);
	res->outside_group = c->outside_group;
	draw_list_hash(hash, enc, c->ids, c->n);
	memcpy(res->candidates_hash, hash, DRAW_HASH_LEN);
}

/* The seed of 3.7 step 2 over the k lists' hashes. */
static void attempt_quota_seed(const struct task *t, struct audit_transcript *tr,
                               const uint8_t (*hash)[DRAW_HASH_LEN], size_t k)
{
	uint8_t h[DRAW_HASH_LEN];
	quota_hash(h, hash, k);
	draw_seed(tr->seed, tr->secret, t->nonce, t->nonce_len, h);
}

/* The panel of 3.7 step 3 into the transcript. */
static enum proto_status attempt_quota_panel(struct handler_ctx *ctx, const struct task *t,
                                             const struct candidates *c,
                                             struct audit_transcript *tr,
                                             struct reply *rep)
{
	struct quota_list lists[TASK_MAX_QUOTAS];
	for (int q = 0; q < t->n_quotas; q++)
		lists[q] = (struct quota_list){c[q].list, c[q].n,
		                               (size_t)t->quotas[q].members,
		                               (size_t)t->quotas[q].backups};
	struct quota_panel *p = malloc(sizeof *p);
	enum draw_result res = p ? quota_select(lists, (size_t)t->n_quotas, t->leader,
	                                        ctx->rules->diversity, tr->seed, p)
	                         : DRAW_NO_MEMORY;
	if (res == DRAW_NO_MEMORY) {
		free(p);
		return reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	}
	tr->ok = res == DRAW_OK;
	tr->n_panel = p->n;
	memcpy(tr->panel, p->ids, p->n * sizeof *p->ids);
	memcpy(tr->seat_quota, p->quota, p->n * sizeof *p->quota);
	for (int q = 0; q < t->n_quotas; q++) {
		tr->quotas[q].diversity_dropped = p->diversity[q];
		tr->quotas[q].dropped_seated = p->seated[q];
	}
	free(p);
	return PROTO_OK;
}

/* A draw or redraw: every quota's list, then one selection. */
static enum proto_status attempt_quota_draw(struct handler_ctx *ctx, const struct task *t,
                                            struct attempt *a, struct attempt_view *td,
                                            struct reply *rep)
{
	struct audit_transcript *tr = a->tr;
	struct candidates c[TASK_MAX_QUOTAS];
	uint8_t hash[TASK_MAX_QUOTAS][DRAW_HASH_LEN];
	enum proto_status st = PROTO_OK;
	for (int q = 0; q < TASK_MAX_QUOTAS; q++)
		candidates_init(&c[q]);
	for (int q = 0; q < t->n_quotas && st == PROTO_OK; q++)
		if (!attempt_quota_list(ctx, t, a, td, q, &c[q]))
			st = reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	if (st == PROTO_OK)
		st = attempt_begin(ctx, a, tr, rep);
	if (st == PROTO_OK) {
		for (int q = 0; q < t->n_quotas; q++)
			attempt_quota_counts(&c[q], audit_list_encoding(tr), &tr->quotas[q],
			                     hash[q]);
		tr->n_quotas = (size_t)t->n_quotas;
		attempt_quota_seed(t, tr, (const uint8_t (*)[DRAW_HASH_LEN])hash, tr->n_quotas);
		st = attempt_quota_panel(ctx, t, c, tr, rep);
	}
	for (int q = 0; q < TASK_MAX_QUOTAS; q++)
		candidates_free(&c[q]);
	return st;
}

/* A replacement: one seat of the freed role from the freed seat's quota
 * (3.7 step 5), as 3.5 draws it from a one-specialty task's list. */
static enum proto_status attempt_quota_replace(struct handler_ctx *ctx,
                                               const struct task *t, struct attempt *a,
                                               struct attempt_view *td,
                                               struct reply *rep)
{
	struct audit_transcript *tr = a->tr;
	struct candidates *c = &ctx->cands;
	uint8_t hash[1][DRAW_HASH_LEN];
	if (!attempt_quota_list(ctx, t, a, td, a->quota, c))
		return reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	enum proto_status st = attempt_begin(ctx, a, tr, rep);
	if (st != PROTO_OK)
		return st;
	attempt_quota_counts(c, audit_list_encoding(tr), &tr->quotas[0], hash[0]);
	tr->n_quotas = 1;
	tr->quota = a->quota;
	attempt_quota_seed(t, tr, (const uint8_t (*)[DRAW_HASH_LEN])hash, 1);
	size_t dropped = 0;
	enum draw_result dres = attempt_pick(ctx, t, a, c, SIZE_MAX, tr, &dropped);
	if (dres == DRAW_NO_MEMORY)
		return reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	tr->ok = dres == DRAW_OK;
	tr->quotas[0].diversity_dropped = dropped;
	for (size_t s = 0; s < tr->n_panel; s++)
		tr->seat_quota[s] = a->quota;
	return PROTO_OK;
}

enum proto_status attempt_quota_select(struct handler_ctx *ctx, const struct task *t,
                                       struct attempt *a, struct attempt_view *td,
                                       struct reply *rep)
{
	return a->replaces ? attempt_quota_replace(ctx, t, a, td, rep)
	                   : attempt_quota_draw(ctx, t, a, td, rep);
}
