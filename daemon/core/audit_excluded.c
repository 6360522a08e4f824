/*
 * audit_excluded.c - the `excluded` map of transcripts and task.short
 * (DRAW.md 4.4): the experts kept out of a candidate list, by cause, in
 * the two layouts a log holds. Entries since draft 9 have 13 keys and
 * tell the pool's experts outside the specialty from those holding it in
 * another group type; older entries have 12, one count for both, and stay
 * readable and verifiable as they were written. Rules 12 (unavailable)
 * and 13 (relaxation) end the map, each only when it kept someone out,
 * so every map written before them reads as it was.
 */
#include <assert.h>

#include "audit.h"
#include "audit_int.h"

void audit_excluded_of(struct audit_excluded *x, const uint64_t excluded[RULE__COUNT],
                       uint64_t outside_group, bool split)
{
	size_t n = 0;

	assert(!split || outside_group <= excluded[RULE_OK]);
	x->key[n] = "outside_specialty";
	x->count[n++] = excluded[RULE_OK] - (split ? outside_group : 0);
	if (split) {
		x->key[n] = "outside_group";
		x->count[n++] = outside_group;
	}
	for (int r = RULE_OK + 1; r < RULE__COUNT; r++) {
		if (r >= RULE_UNAVAILABLE && excluded[r] == 0)
			continue;
		x->key[n] = recusal_rule_names[r];
		x->count[n++] = excluded[r];
	}
	x->n = n;
}

void audit_pack_excluded(msgpack_packer *pk, const uint64_t excluded[RULE__COUNT],
                         uint64_t outside_group, bool split)
{
	struct audit_excluded x;

	audit_excluded_of(&x, excluded, outside_group, split);
	msgpack_pack_map(pk, x.n);
	for (size_t i = 0; i < x.n; i++)
		audit_pack_kv_uint(pk, x.key[i], x.count[i]);
}

/* The layout is told by the second key: outside_group, or the first rule.
 * The sum of the two outside counts must fit, as it did when counted. */
bool audit_read_excluded(struct audit_rd *rd, uint64_t excluded[RULE__COUNT],
                         uint64_t *outside_group, bool *split)
{
	uint64_t outside = 0, group = 0;

	audit_rd_uint(rd, "outside_specialty", UINT64_MAX, &outside);
	*split = audit_rd_peek(rd, "outside_group") != NULL;
	if (*split) {
		rd->i--;   /* read it again, with its range */
		audit_rd_uint(rd, "outside_group", UINT64_MAX - outside, &group);
	}
	excluded[RULE_OK] = outside + group;
	*outside_group = group;
	for (int r = RULE_OK + 1; r < RULE_UNAVAILABLE; r++)
		audit_rd_uint(rd, recusal_rule_names[r], UINT64_MAX, &excluded[r]);
	/* Rules 12 and 13, each present only when not 0, so that a map packs
	 * back the same. */
	for (int r = RULE_UNAVAILABLE; r < RULE__COUNT; r++) {
		excluded[r] = 0;
		if (audit_rd_peek(rd, recusal_rule_names[r])) {
			rd->i--;
			audit_rd_uint(rd, recusal_rule_names[r], UINT64_MAX, &excluded[r]);
			audit_rd_check(rd, excluded[r] > 0);
		}
	}
	return audit_rd_end(rd);
}
