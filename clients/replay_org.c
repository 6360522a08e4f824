/*
 * replay_org.c - organisations in the replay (DRAW.md 4.3, 5 step 5): the
 * org.merged entry relinking the replayed pool, conflicts and tasks as
 * the daemon relinks its own, and the check that no later entry names a
 * merged key (the daemon resolves one to its survivor, REGISTRY.md 2.2).
 */
#include <stdlib.h>
#include <string.h>

#include "ctl_i18n.h"
#include "ident.h"
#include "replay_int.h"

/* The seq of the org.merged entry that merged key away, or 0. */
static int64_t replay_org_merged_at(const struct replay *r, const char *key)
{
	uint32_t id = pool_org_find(r->pool, key);
	return id && id < r->cap_merged ? r->merged_at[id] : 0;
}

bool replay_org_live(struct replay_at *x, const char *key, const char *what)
{
	int64_t seq = key[0] ? replay_org_merged_at(x->r, key) : 0;
	if (seq)
		return replay_fail(x, _("%s %s names an organisation merged into another "
		                   "at seq %lld"), what, key, (long long)seq);
	return true;
}

/* Room in merged_at for org id. */
static bool replay_org_reserve(struct replay *r, uint32_t id)
{
	if (id < r->cap_merged)
		return true;
	size_t nc = r->cap_merged ? r->cap_merged : 64;
	while (nc <= id)
		nc *= 2;
	int64_t *m = realloc(r->merged_at, nc * sizeof *m);
	if (!m)
		return false;
	memset(m + r->cap_merged, 0, (nc - r->cap_merged) * sizeof *m);
	r->merged_at = m;
	r->cap_merged = nc;
	return true;
}

/* Each task keeps its orgs' count and order, `from` replaced by `into`:
 * what the daemon's store does, and so what a later redraw or
 * replacement of the task repeats (DRAW.md 5 step 6.2). */
static void replay_org_relink_tasks(struct replay *r, const char *from,
                                    const char *into)
{
	for (size_t i = 0; i < r->n_tasks; i++) {
		struct task *q = &r->tasks[i].req;
		for (int k = 0; k < q->n_orgs; k++)
			if (strcmp(q->orgs[k], from) == 0)
				strcpy(q->orgs[k], into);
	}
}

/* A key of the registry (REGISTRY.md 2.1): a credit code or org:N. */
static bool replay_org_key(struct replay_at *x, const char *key)
{
	const char *bad = NULL;
	if (ident_org_key(key, strlen(key), &bad) != IDENT_OK)
		return replay_fail(x, _("%s: %s is not an organisation key (%s)"),
		                   AUDIT_ORG_MERGED, key, bad ? bad : "?");
	return true;
}

/* Two keys, distinct, neither merged before. */
static bool replay_org_check(struct replay_at *x, const char *from,
                             const char *into)
{
	if (!from[0] || !into[0])
		return replay_fail(x, _("%s with an empty key"), AUDIT_ORG_MERGED);
	if (strcmp(from, into) == 0)
		return replay_fail(x, _("%s of %s into itself"), AUDIT_ORG_MERGED, from);
	if (!replay_org_key(x, from) || !replay_org_key(x, into))
		return false;
	int64_t seq = replay_org_merged_at(x->r, from);
	if (seq)
		return replay_fail(x, _("%s: %s was merged already, at seq %lld"),
		                   AUDIT_ORG_MERGED, from, (long long)seq);
	seq = replay_org_merged_at(x->r, into);
	if (seq)
		return replay_fail(x, _("%s: %s, merged at seq %lld, cannot take in "
		                   "another"), AUDIT_ORG_MERGED, into, (long long)seq);
	return true;
}

bool replay_org_merged(struct replay_at *x, const msgpack_object *body)
{
	struct replay *r = x->r;
	char from[IDENT_CODE_SIZE], into[IDENT_CODE_SIZE];

	if (!audit_read_org_merged(body, from, into))
		return replay_unparsed(x);
	if (!replay_org_check(x, from, into))
		return false;
	/* Keys nothing named yet are interned too: a later entry naming
	 * `from` is then recognised as merged. */
	uint32_t f = pool_org_intern(r->pool, from);
	uint32_t i = f ? pool_org_intern(r->pool, into) : 0;
	if (!i || !replay_org_reserve(r, f) ||
	    !engage_merge_org(r->engage, f, i))
		return replay_nomem(x);
	pool_merge_org(r->pool, f, i);
	replay_org_relink_tasks(r, from, into);
	r->merged_at[f] = x->seq;
	return true;
}
