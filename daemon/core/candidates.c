/*
 * candidates.c - the candidate list of a draw (see candidates.h): one pass
 * over the (specialty, group type) bucket in id order, recusal on each
 * expert (the bucket-wide recusal_scan, which answers as recusal_check),
 * exclusions tallied by rule; those outside the bucket come from the
 * pool's counts, without a scan. Shared by the daemon and the transcript
 * verifier, so both see the same list from the same pool. The pass costs
 * a few nanoseconds an expert: the scan turns the rules into compares,
 * and the list is written into buffers kept from draw to draw.
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
	/* Every expert of the bucket holds the specialty. */
	size_t holders = pool_specialty_holders(pool, sid);
	assert(holders >= in_bucket);
	c->outside_group = holders - in_bucket;
	if (in_bucket == 0)
		return true;
	if (!candidates_reserve(c, in_bucket) ||
	    !recusal_scan_begin(&c->scan, eng, terms, t, cfg, also_exclude, n_also))
		return false;

	/* The bucket's ids and slim entries are read in order, so the walk
	 * streams through two arrays and never visits the pool entries; the
	 * ids must ascend for the scan's merge with its marks. */
	const int64_t *ids = b->ids;
	const struct pool_slim *slim = b->slim;
	struct draw_candidate *list = c->list;
	int64_t *out = c->ids;
	size_t n = 0;
	for (size_t i = 0; i < in_bucket; i++) {
		int64_t id = ids[i];
		assert(i == 0 || ids[i - 1] < id);
		enum recusal_rule r = recusal_scan_check(&c->scan, id, &slim[i]);
		if (r != RULE_OK) {
			c->excluded[r]++;
			continue;
		}
		list[n] = (struct draw_candidate){
			.id = id,
			.employer = slim[i].employer_org,
			.leader_ok = slim[i].leader,
		};
		out[n++] = id;
	}
	c->n = n;
	return true;
}
