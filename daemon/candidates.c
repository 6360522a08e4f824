/*
 * candidates.c - the candidate list of a draw (see candidates.h): one pass
 * over the (specialty, group type) bucket in id order, recusal on each
 * expert, exclusions tallied by rule. Shared by the daemon and the
 * transcript verifier, so both see the same list from the same pool.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "candidates.h"

void candidates_init(struct candidates *c)
{
	memset(c, 0, sizeof *c);
}

void candidates_free(struct candidates *c)
{
	free(c->list);
	free(c->ids);
	candidates_init(c);
}

/* Room for n candidates; keeps what is there so one struct can serve many
 * draws without allocating each time. */
static bool candidates_reserve(struct candidates *c, size_t n)
{
	if (n <= c->cap)
		return true;
	struct draw_candidate *l = realloc(c->list, n * sizeof *l);
	if (!l)
		return false;
	c->list = l;
	int64_t *ids = realloc(c->ids, n * sizeof *ids);
	if (!ids)
		return false;
	c->ids = ids;
	c->cap = n;
	return true;
}

static int candidates_cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* also_exclude sorted, so the bucket walk (ascending ids) can merge with it
 * instead of scanning it for every expert. NULL only on out of memory. */
static int64_t *candidates_sorted_copy(const int64_t *ids, size_t n)
{
	int64_t *s = malloc((n ? n : 1) * sizeof *s);
	if (!s)
		return NULL;
	if (n) {
		memcpy(s, ids, n * sizeof *s);
		qsort(s, n, sizeof *s, candidates_cmp_id);
	}
	return s;
}

static void candidates_append(struct candidates *c, const struct pool_entry *pe)
{
	c->list[c->n] = (struct draw_candidate){
		.id = pe->id,
		.employer = pe->employer_org,
		.leader_ok = pe->leader,
	};
	c->ids[c->n] = pe->id;
	c->n++;
}

bool candidates_collect(struct candidates *c, const struct pool *pool,
                        const struct engage *eng, const struct recusal_terms *terms,
                        uint32_t sid, int group, const struct recusal_task *t,
                        const struct recusal_config *cfg,
                        const int64_t *also_exclude, size_t n_also)
{
	const struct pool_bucket *b = sid ? pool_bucket(pool, sid, group) : NULL;
	size_t in_bucket = b ? b->n : 0;

	c->n = 0;
	memset(c->excluded, 0, sizeof c->excluded);
	c->excluded[RULE_OK] = pool_count(pool) - in_bucket;
	if (in_bucket == 0)
		return true;
	if (!candidates_reserve(c, in_bucket))
		return false;
	int64_t *also = candidates_sorted_copy(also_exclude, n_also);
	if (!also)
		return false;

	/* How far ahead to fetch: enough to cover a memory round trip. */
	enum { AHEAD = 16 };
	size_t k = 0;
	for (size_t i = 0; i < in_bucket; i++) {
		int64_t id = b->ids[i];
		if (i + AHEAD < in_bucket) {
			pool_prefetch(pool, b->ids[i + AHEAD]);
			engage_prefetch(eng, b->ids[i + AHEAD]);
		}
		const struct pool_entry *pe = pool_get(pool, id);
		assert(pe); /* buckets only hold live entries */
		while (k < n_also && also[k] < id)
			k++;
		if (k < n_also && also[k] == id) {
			c->excluded[RULE_EXCLUDED]++;
			continue;
		}
		enum recusal_rule r = recusal_check(pe, eng, terms, t, cfg);
		if (r != RULE_OK)
			c->excluded[r]++;
		else
			candidates_append(c, pe);
	}
	free(also);
	return true;
}
