/*
 * quota.c - the selection of a mixed panel (DRAW.md 3.7; quota.h): the
 * quotas' candidate lists joined into one seed, then the partial
 * Fisher-Yates of DRAW.md 3.4 on each quota's own list in turn, reading
 * one word stream, with the whole panel's seats and employers as what a
 * later pick may clash with.
 */
#include "quota.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

/* A quota's working list: indexes into its candidates; a[0..i) are
 * seated, a[i..m) still drawable. */
struct quota_lane {
	uint32_t *a;
	size_t m, i;
};

void quota_hash(uint8_t out[DRAW_HASH_LEN], const uint8_t (*hashes)[DRAW_HASH_LEN],
                size_t k)
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, DRAW_HASH_LEN);
	crypto_generichash_update(&st, (const uint8_t *)QUOTA_HASH_TAG,
	                          sizeof QUOTA_HASH_TAG - 1);
	for (size_t q = 0; q < k; q++)
		crypto_generichash_update(&st, hashes[q], DRAW_HASH_LEN);
	crypto_generichash_final(&st, out, DRAW_HASH_LEN);
}

static bool quota_has_expert(const struct quota_panel *p, int64_t id)
{
	for (size_t s = 0; s < p->n; s++)
		if (p->ids[s] == id)
			return true;
	return false;
}

static bool quota_has_employer(const struct quota_panel *p, uint32_t employer)
{
	for (size_t s = 0; s < p->n; s++)
		if (p->employer[s] == employer)
			return true;
	return false;
}

static void quota_seat(struct quota_panel *p, const struct draw_candidate *c, int q)
{
	assert(p->n < TASK_MAX_SEATS);
	p->ids[p->n] = c->id;
	p->employer[p->n] = c->employer;
	p->quota[p->n++] = q;
}

/*
 * One seat from quota q's lane (DRAW.md 3.7 step 3.3): pick among the
 * drawable, then drop the pick for good if it is on the panel already
 * (seated from another quota, or the leader) or, with diversity, shares
 * an employer with the panel, and pick again. False when the lane ran
 * out. Nobody leaves the panel, so a clash now is one for every later
 * seat.
 */
static bool quota_fill_seat(const struct quota_list *list, struct quota_lane *l, int q,
                            bool diversity, struct draw_rng *rng,
                            struct quota_panel *p)
{
	for (;;) {
		if (l->m == l->i)
			return false;
		size_t j = l->i + draw_rng_below(rng, (uint32_t)(l->m - l->i));
		uint32_t t = l->a[l->i];
		l->a[l->i] = l->a[j];
		l->a[j] = t;
		const struct draw_candidate *c = &list->cands[l->a[l->i]];
		bool seated = quota_has_expert(p, c->id);
		if (!seated && !(diversity && c->employer != 0 &&
		                 quota_has_employer(p, c->employer))) {
			quota_seat(p, c, q);
			l->i++;
			return true;
		}
		l->a[l->i] = l->a[l->m - 1];
		l->m--;
		if (seated)
			p->seated[q]++;
		else
			p->diversity[q]++;
	}
}

/* Step 3.2: each lane is its list in id order, quota 0's without the
 * leader (index lead; none when it is past the end). */
static void quota_lanes(const struct quota_list *lists, size_t k, size_t lead,
                        uint32_t *all, struct quota_lane *lane)
{
	for (size_t q = 0; q < k; q++) {
		lane[q] = (struct quota_lane){.a = all};
		for (size_t c = 0; c < lists[q].n; c++)
			if (q != 0 || c != lead)
				lane[q].a[lane[q].m++] = (uint32_t)c;
		all += lists[q].n;
	}
}

enum draw_result quota_select(const struct quota_list *lists, size_t k, bool leader,
                              bool diversity, const uint8_t seed[DRAW_SEED_LEN],
                              struct quota_panel *p)
{
	size_t total = 0, seats = leader ? 1 : 0;

	assert(k >= 1 && k <= TASK_MAX_QUOTAS);
	memset(p, 0, sizeof *p);
	p->short_quota = -1;
	for (size_t q = 0; q < k; q++) {
		/* Indexes are kept as uint32 so below() covers them. */
		assert((uint64_t)lists[q].n <= UINT32_MAX);
		for (size_t c = 1; c < lists[q].n; c++)
			assert(lists[q].cands[c - 1].id < lists[q].cands[c].id);
		total += lists[q].n;
		seats += lists[q].members + lists[q].backups;
	}
	assert(seats <= TASK_MAX_SEATS);

	struct draw_rng rng;
	draw_rng_init(&rng, seed);
	size_t lead = lists[0].n;
	if (leader) {
		lead = draw_pick_leader(lists[0].cands, lists[0].n, &rng);
		if (lead == lists[0].n)
			return DRAW_NO_LEADER;
		quota_seat(p, &lists[0].cands[lead], 0);
	}
	/* Out of memory is a result (HACKING.md): nothing is recorded. */
	uint32_t *all = malloc((total > 0 ? total : 1) * sizeof *all);
	if (all == NULL)
		return DRAW_NO_MEMORY;
	struct quota_lane lane[TASK_MAX_QUOTAS];
	quota_lanes(lists, k, lead, all, lane);

	enum draw_result res = DRAW_OK;
	/* Members of every quota, then backups of every quota. */
	for (int backups = 0; backups < 2 && res == DRAW_OK; backups++)
		for (size_t q = 0; q < k && res == DRAW_OK; q++) {
			size_t want = backups ? lists[q].backups : lists[q].members;
			for (size_t s = 0; s < want && res == DRAW_OK; s++)
				if (!quota_fill_seat(&lists[q], &lane[q], (int)q, diversity,
				                     &rng, p)) {
					p->short_quota = (int)q;
					res = DRAW_TOO_FEW;
				}
		}
	free(all);
	return res;
}

void quota_task_totals(struct task *t)
{
	assert(t->n_quotas >= 1 && t->n_quotas <= TASK_MAX_QUOTAS);
	memcpy(t->specialty, t->quotas[0].specialty, sizeof t->specialty);
	t->group = t->quotas[0].group;
	t->members = t->backups = 0;
	for (int q = 0; q < t->n_quotas; q++) {
		t->members += t->quotas[q].members;
		t->backups += t->quotas[q].backups;
	}
}

int quota_of_seat(const struct task *t, size_t i)
{
	if (t->leader && i-- == 0)
		return 0;
	for (int backups = 0; backups < 2; backups++)
		for (int q = 0; q < t->n_quotas; q++) {
			size_t n = (size_t)(backups ? t->quotas[q].backups : t->quotas[q].members);
			if (i < n)
				return q;
			i -= n;
		}
	return -1;
}
