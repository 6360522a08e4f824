/*
 * replay_quota.c - the replay of a mixed panel's attempts (DRAW.md 3.7,
 * 5 step 6): each quota's candidate list rebuilt and compared, the seed
 * over their hashes, the selection of quota.c or, for a replacement, of
 * one seat from the freed seat's quota, with the panel, each seat's
 * quota and the drops compared seat by seat.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_i18n.h"
#include "proto.h"
#include "quota.h"
#include "replay_int.h"

bool replay_quotas_differ(const struct task *a, const struct task *b)
{
	if (a->n_quotas != b->n_quotas)
		return true;
	for (int q = 0; q < a->n_quotas; q++) {
		const struct task_quota *x = &a->quotas[q], *y = &b->quotas[q];
		if (strcmp(x->specialty, y->specialty) != 0 || x->group != y->group ||
		    x->members != y->members || x->backups != y->backups)
			return true;
	}
	return false;
}

/* No two quotas draw from the same bucket (DRAW.md 3.7). */
static bool replay_quota_request(struct replay_at *x, const struct task *q)
{
	for (int i = 0; i < q->n_quotas; i++)
		for (int j = i + 1; j < q->n_quotas; j++)
			if (strcmp(q->quotas[i].specialty, q->quotas[j].specialty) == 0 &&
			    q->quotas[i].group == q->quotas[j].group)
				return replay_fail(x, _("quotas %d and %d have the same specialty "
				                   "and group type"), i, j);
	return true;
}

/* Result k of the transcript: quota q's list, rebuilt into c and
 * compared; its hash into hash. */
static bool replay_quota_list(struct replay_at *x, const struct audit_transcript *tr,
                              size_t k, int q, struct candidates *c,
                              uint8_t hash[DRAW_HASH_LEN])
{
	const struct audit_quota_result *res = &tr->quotas[k];
	struct replay_list w = {.enc = audit_list_encoding(tr),
	                        .n = res->n_candidates, .hash = res->candidates_hash,
	                        .excluded = res->excluded,
	                        .outside_group = res->outside_group, .split = true};
	char what[24];
	snprintf(what, sizeof what, "quota %d ", q);
	return replay_collect_list(x, tr, tr->req.quotas[q].specialty,
	                           tr->req.quotas[q].group, c) &&
	       replay_compare_list(x, c, &w, what, hash);
}

/* The seed from the secret, the nonce and the quotas hash of the k
 * lists' hashes. */
static bool replay_quota_seed(struct replay_at *x, const struct audit_transcript *tr,
                              const uint8_t (*hash)[DRAW_HASH_LEN], size_t k,
                              uint8_t seed[DRAW_SEED_LEN])
{
	uint8_t h[DRAW_HASH_LEN];
	quota_hash(h, hash, k);
	draw_seed(seed, tr->secret, tr->req.nonce, tr->req.nonce_len, h);
	if (memcmp(seed, tr->seed, DRAW_SEED_LEN) != 0)
		return replay_fail(x, _("seed differs"));
	return true;
}

/* Each seat's quota and each list's drops, against the transcript's. */
static bool replay_quota_counts(struct replay_at *x, const struct audit_transcript *tr,
                                const int *seat_quota, const size_t *diversity,
                                const size_t *seated)
{
	for (size_t s = 0; s < tr->n_panel; s++)
		if (seat_quota[s] != tr->seat_quota[s])
			return replay_fail(x, _("seat %zu is of quota %d in the transcript, "
			                   "%d in the replay"), s, tr->seat_quota[s],
			                   seat_quota[s]);
	for (size_t k = 0; k < tr->n_quotas; k++) {
		const struct audit_quota_result *res = &tr->quotas[k];
		if (res->diversity_dropped != diversity[k] || res->dropped_seated != seated[k])
			return replay_fail(x, _("quota %zu drops: transcript %llu for diversity, "
			                   "%llu as seated; replay %zu, %zu"), k,
			                   (unsigned long long)res->diversity_dropped,
			                   (unsigned long long)res->dropped_seated,
			                   diversity[k], seated[k]);
	}
	return true;
}

/* A draw or redraw: every quota's list, then DRAW.md 3.7 selection. */
static bool replay_quota_panel(struct replay_at *x, const struct audit_transcript *tr,
                               struct candidates *c)
{
	const struct task *q = &tr->req;
	uint8_t hash[TASK_MAX_QUOTAS][DRAW_HASH_LEN], seed[DRAW_SEED_LEN];
	struct quota_list lists[TASK_MAX_QUOTAS];
	size_t k = (size_t)q->n_quotas;

	for (size_t i = 0; i < k; i++) {
		if (!replay_quota_list(x, tr, i, (int)i, &c[i], hash[i]))
			return false;
		lists[i] = (struct quota_list){c[i].list, c[i].n,
		                               (size_t)q->quotas[i].members,
		                               (size_t)q->quotas[i].backups};
	}
	if (!replay_quota_seed(x, tr, (const uint8_t (*)[DRAW_HASH_LEN])hash, k, seed))
		return false;
	struct quota_panel *p = malloc(sizeof *p);
	if (!p)
		return replay_nomem(x);
	enum draw_result res = quota_select(lists, k, q->leader, tr->rules.diversity,
	                                    seed, p);
	bool ok = res == DRAW_NO_MEMORY
		? replay_nomem(x)
		: replay_compare_panel(x, tr, res == DRAW_OK, p->ids, p->n) &&
		  replay_quota_counts(x, tr, p->quota, p->diversity, p->seated);
	free(p);
	return ok;
}

/* A replacement: one seat of its role from its quota's list, which the
 * employers holding open seats leave after hashing (DRAW.md 3.5, 3.7). */
static bool replay_quota_replacement(struct replay_at *x,
                                     const struct audit_transcript *tr)
{
	struct candidates *c = &x->r->cands;
	uint8_t hash[1][DRAW_HASH_LEN], seed[DRAW_SEED_LEN];
	int64_t panel[1];
	int seat_quota[1] = {tr->quota};
	size_t n = 0, dropped = 0, more = 0, none = 0;

	if (!replay_quota_list(x, tr, 0, tr->quota, c, hash[0]) ||
	    !replay_quota_seed(x, tr, (const uint8_t (*)[DRAW_HASH_LEN])hash, 1, seed))
		return false;
	struct draw_spec spec = replay_replacement_spec(x->r, tr, &dropped);
	enum draw_result res = draw_select_counted(c->list, c->n, &spec, seed, panel, &n,
	                                           &more);
	if (res == DRAW_NO_MEMORY)
		return replay_nomem(x);
	dropped += more;
	return replay_compare_panel(x, tr, res == DRAW_OK, panel, n) &&
	       replay_quota_counts(x, tr, seat_quota, &dropped, &none);
}

bool replay_quota_draw(struct replay_at *x, const struct audit_transcript *tr)
{
	if (!replay_quota_request(x, &tr->req))
		return false;
	if (tr->replaces)
		return replay_quota_replacement(x, tr);
	struct candidates c[TASK_MAX_QUOTAS];
	for (int q = 0; q < TASK_MAX_QUOTAS; q++)
		candidates_init(&c[q]);
	bool ok = replay_quota_panel(x, tr, c);
	for (int q = 0; q < TASK_MAX_QUOTAS; q++)
		candidates_free(&c[q]);
	return ok;
}
