/*
 * candidates.c - the candidate list of a draw (see candidates.h): one pass
 * over the (specialty, group type) bucket in id order, recusal on each
 * expert (the bucket-wide recusal_scan, which answers as recusal_check),
 * exclusions tallied by rule. Shared by the daemon and the transcript
 * verifier, so both see the same list from the same pool.
 */
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
	free(c->also);
	recusal_scan_free(&c->scan);
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

/* also_exclude sorted into c->also, so the bucket walk (ascending ids)
 * can merge with it instead of scanning it for every expert. False only
 * on out of memory. */
static bool candidates_sort_also(struct candidates *c, const int64_t *ids, size_t n)
{
	if (n > c->cap_also) {
		int64_t *s = realloc(c->also, n * sizeof *s);
		if (!s)
			return false;
		c->also = s;
		c->cap_also = n;
	}
	if (n > 0) {
		memcpy(c->also, ids, n * sizeof *c->also);
		qsort(c->also, n, sizeof *c->also, candidates_cmp_id);
	}
	return true;
}

static void candidates_append(struct candidates *c, int64_t id,
                              const struct pool_slim *x)
{
	c->list[c->n] = (struct draw_candidate){
		.id = id,
		.employer = x->employer_org,
		.leader_ok = x->leader,
	};
	c->ids[c->n] = id;
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
	if (!candidates_reserve(c, in_bucket) ||
	    !candidates_sort_also(c, also_exclude, n_also) ||
	    !recusal_scan_begin(&c->scan, eng, terms, t, cfg))
		return false;

	/* The bucket's ids and slim entries are read in order, so the walk
	 * streams through two arrays and never visits the pool entries. */
	const int64_t *also = c->also;
	size_t k = 0;
	for (size_t i = 0; i < in_bucket; i++) {
		int64_t id = b->ids[i];
		while (k < n_also && also[k] < id)
			k++;
		if (k < n_also && also[k] == id) {
			c->excluded[RULE_EXCLUDED]++;
			continue;
		}
		enum recusal_rule r = recusal_scan_check(&c->scan, id, &b->slim[i]);
		if (r != RULE_OK)
			c->excluded[r]++;
		else
			candidates_append(c, id, &b->slim[i]);
	}
	return true;
}
