/*
 * pool.c - the in-memory expert pool (see pool.h). Entries live in a vector
 * indexed by id (the daemon makes ids densely from 1); buckets keep the
 * ids of each (specialty, group type) sorted for the draws, each with a
 * slim copy of the entry rewritten whenever the entry is (an upsert
 * takes the old entry out of its buckets and puts the new one in).
 */
#include <stdlib.h>
#include <string.h>

#include "intern.h"
#include "pool.h"

struct pool {
	struct pool_entry *entries; /* entries[id]; entries[0] unused */
	size_t cap;
	size_t count;
	int64_t max_id;
	struct intern *specialties;
	struct intern *orgs;
	struct pool_bucket *buckets; /* [(sid - 1) * 3 + group] */
	size_t nbuckets;
	/* holders[sid - 1]: experts holding the specialty in any group type
	 * (or none), so that a draw counts outside_group without a scan;
	 * nbuckets / 3 of them. */
	size_t *holders;
	/* Between pool_load_begin() and pool_load_end(): entries only, the
	 * buckets and holder counts built at the end. */
	bool loading;
};

struct pool *pool_new(void)
{
	struct pool *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->specialties = intern_new();
	p->orgs = intern_new();
	if (!p->specialties || !p->orgs)
		pool_destroy(&p);
	return p;
}

void pool_clear(struct pool *p)
{
	for (size_t i = 0; i < p->nbuckets; i++)
		p->buckets[i].n = 0;
	if (p->holders)
		memset(p->holders, 0, p->nbuckets / POOL_GROUP_TYPES * sizeof *p->holders);
	if (p->entries)
		memset(p->entries, 0, p->cap * sizeof *p->entries);
	p->count = 0;
	p->max_id = 0;
	p->loading = false;
}

void pool_destroy(struct pool **pp)
{
	struct pool *p = pp ? *pp : NULL;
	if (!p)
		return;
	for (size_t i = 0; i < p->nbuckets; i++) {
		free(p->buckets[i].ids);
		free(p->buckets[i].slim);
	}
	free(p->buckets);
	free(p->holders);
	free(p->entries);
	intern_destroy(&p->specialties);
	intern_destroy(&p->orgs);
	free(p);
	*pp = NULL;
}

bool pool_entry_eligible_in(const struct pool_entry *pe, uint32_t sid)
{
	if (pe->eligible_mask == 0)
		return true;
	for (int i = 0; i < pe->n_specialties; i++)
		if (sid != 0 && pe->specialties[i] == sid && (pe->eligible_mask >> i & 1u))
			return true;
	return false;
}

struct pool_slim pool_slim_of(const struct pool_entry *pe, uint32_t sid)
{
	return (struct pool_slim){
		.birth = pe->birth,
		.suspended_until = pe->suspended_until,
		.employer_org = pe->employer_org,
		.recommender_org = pe->recommender_org,
		.term = pe->term,
		.joined_term = pe->joined_term,
		.status = pe->appointment == APPOINT_APPOINTED ? pe->status
		                                               : POOL_STATUS_UNAPPOINTED,
		.task_types = pe->task_types,
		.relaxations = (uint8_t)(pe->relaxations |
		                         (pool_entry_eligible_in(pe, sid)
		                          ? 0u : POOL_SLIM_OTHER_OCCUPATION)),
		.leader = pe->leader,
	};
}

static bool bucket_reserve(struct pool_bucket *b)
{
	if (b->n < b->cap)
		return true;
	size_t nc = b->cap ? b->cap * 2 : 16;
	int64_t *ids = realloc(b->ids, nc * sizeof *ids);
	if (!ids)
		return false;
	b->ids = ids;
	struct pool_slim *slim = realloc(b->slim, nc * sizeof *slim);
	if (!slim)
		return false;
	b->slim = slim;
	b->cap = nc;
	return true;
}

static bool bucket_insert(struct pool_bucket *b, const struct pool_entry *pe,
                          uint32_t sid)
{
	if (!bucket_reserve(b))
		return false;
	/* Ids mostly arrive in ascending order: search from the end. */
	int64_t id = pe->id;
	size_t i = b->n;
	while (i > 0 && b->ids[i - 1] > id)
		i--;
	if (i > 0 && b->ids[i - 1] == id) {
		b->slim[i - 1] = pool_slim_of(pe, sid);
		return true;
	}
	memmove(&b->ids[i + 1], &b->ids[i], (b->n - i) * sizeof *b->ids);
	memmove(&b->slim[i + 1], &b->slim[i], (b->n - i) * sizeof *b->slim);
	b->ids[i] = id;
	b->slim[i] = pool_slim_of(pe, sid);
	b->n++;
	return true;
}

static void bucket_remove(struct pool_bucket *b, int64_t id)
{
	size_t lo = 0, hi = b->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (b->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < b->n && b->ids[lo] == id) {
		memmove(&b->ids[lo], &b->ids[lo + 1], (b->n - lo - 1) * sizeof *b->ids);
		memmove(&b->slim[lo], &b->slim[lo + 1], (b->n - lo - 1) * sizeof *b->slim);
		b->n--;
	}
}

/* Room for specialty sid's buckets and holder count; false on out of
 * memory, with the pool unchanged. */
static bool specialty_reserve(struct pool *p, uint32_t sid)
{
	size_t need = (size_t)sid * POOL_GROUP_TYPES;
	if (need <= p->nbuckets)
		return true;
	size_t nn = p->nbuckets ? p->nbuckets : 64;
	while (nn < need)
		nn *= 2;
	size_t had = p->nbuckets / POOL_GROUP_TYPES, has = nn / POOL_GROUP_TYPES;
	size_t *h = realloc(p->holders, has * sizeof *h);
	if (!h)
		return false;
	memset(h + had, 0, (has - had) * sizeof *h);
	p->holders = h;
	struct pool_bucket *b = realloc(p->buckets, nn * sizeof *b);
	if (!b)
		return false;
	memset(b + p->nbuckets, 0, (nn - p->nbuckets) * sizeof *b);
	p->buckets = b;
	p->nbuckets = nn;
	return true;
}

static struct pool_bucket *bucket_for(struct pool *p, uint32_t sid, int group)
{
	if (!specialty_reserve(p, sid))
		return NULL;
	return &p->buckets[(sid - 1) * POOL_GROUP_TYPES + (size_t)group];
}

/* Whether specialties[i] is the first occurrence of its specialty in pe
 * (a holder is counted once, however often the record names it). */
static bool is_first_specialty(const struct pool_entry *pe, int i)
{
	for (int j = 0; j < i; j++)
		if (pe->specialties[j] == pe->specialties[i])
			return false;
	return true;
}

static void unindex(struct pool *p, const struct pool_entry *pe)
{
	for (int i = 0; i < pe->n_specialties; i++) {
		if (is_first_specialty(pe, i))
			p->holders[pe->specialties[i] - 1]--;
		for (int g = 0; g < POOL_GROUP_TYPES; g++)
			if (pe->group_types & (1u << g))
				bucket_remove(bucket_for(p, pe->specialties[i], g), pe->id);
	}
}

static bool grow_entries_to(struct pool *p, size_t nc)
{
	struct pool_entry *e = realloc(p->entries, nc * sizeof *e);
	if (!e)
		return false;
	memset(e + p->cap, 0, (nc - p->cap) * sizeof *e);
	p->entries = e;
	p->cap = nc;
	return true;
}

static bool grow_entries(struct pool *p, int64_t id)
{
	if ((size_t)id < p->cap)
		return true;
	size_t nc = p->cap ? p->cap : 1024;
	while (nc <= (size_t)id)
		nc *= 2;
	return grow_entries_to(p, nc);
}

/* Count pe as a holder of its specialties and add its id to the buckets
 * of its specialties and group types; on failure, takes back what it
 * did. */
static bool index_entry(struct pool *p, const struct pool_entry *pe)
{
	for (int i = 0; i < pe->n_specialties; i++)
		if (!specialty_reserve(p, pe->specialties[i]))
			return false;
	for (int i = 0; i < pe->n_specialties; i++)
		if (is_first_specialty(pe, i))
			p->holders[pe->specialties[i] - 1]++;
	for (int i = 0; i < pe->n_specialties; i++)
		for (int g = 0; g < POOL_GROUP_TYPES; g++) {
			if (!(pe->group_types & (1u << g)))
				continue;
			struct pool_bucket *b = bucket_for(p, pe->specialties[i], g);
			if (!b || !bucket_insert(b, pe, pe->specialties[i])) {
				unindex(p, pe); /* removing ids not inserted is a no-op */
				return false;
			}
		}
	return true;
}

/* Drop entry id, already out of every bucket and holder count. */
static void forget_entry(struct pool *p, int64_t id)
{
	memset(&p->entries[id], 0, sizeof p->entries[id]);
	p->count--;
	while (p->max_id > 0 && !p->entries[p->max_id].id)
		p->max_id--;
}

void pool_record_of(const struct expert *e, struct pool_record *r)
{
	*r = (struct pool_record){
		.id = e->id,
		.birth = e->birth,
		.suspended_until = e->suspended_until,
		.employer_code = e->employer_code,
		.recommender_code = e->recommender_code,
		.n_specialties = e->n_specialties,
		.group_types = e->group_types,
		.task_types = e->task_types,
		.relaxations = e->relaxations,
		.age_exception = e->age_exception,
		.leader_eligible = e->leader_eligible,
		.eligible_specialties = e->eligible_specialties,
		.status = e->status,
		.appointment = e->appointment,
		.term = e->term,
		.joined_term = e->joined_term,
	};
	for (int i = 0; i < e->n_specialties && i < EXPERT_MAX_SPECIALTIES; i++)
		r->specialties[i] = e->specialties[i];
}

bool pool_upsert(struct pool *p, const struct expert *e)
{
	struct pool_record r;
	pool_record_of(e, &r);
	return pool_put(p, &r);
}

bool pool_reserve(struct pool *p, int64_t max_id)
{
	return max_id < 0 || (size_t)max_id < p->cap ||
	       grow_entries_to(p, (size_t)max_id + 1);
}

/* r's entry, its names interned (a failure leaves the pool untouched). */
static bool entry_of(struct pool *p, const struct pool_record *r, struct pool_entry *n)
{
	*n = (struct pool_entry){
		.id = r->id,
		.birth = r->birth,
		.suspended_until = r->suspended_until,
		.n_specialties = (uint8_t)r->n_specialties,
		.group_types = (uint8_t)r->group_types,
		.task_types = (uint8_t)r->task_types,
		.relaxations = (uint8_t)((r->relaxations & RELAX_GROUNDS) |
		                         (r->age_exception ? POOL_AGE_EXCEPTION : 0u)),
		.status = (uint8_t)r->status,
		.appointment = (uint8_t)r->appointment,
		.leader = r->leader_eligible,
		.eligible_mask = (uint8_t)r->eligible_specialties,
		.term = (uint16_t)r->term,
		.joined_term = (uint16_t)r->joined_term,
	};
	if (r->employer_code[0] &&
	    !(n->employer_org = intern_add(p->orgs, r->employer_code)))
		return false;
	if (r->recommender_code[0] &&
	    !(n->recommender_org = intern_add(p->orgs, r->recommender_code)))
		return false;
	for (int i = 0; i < r->n_specialties; i++)
		if (!(n->specialties[i] = intern_add(p->specialties, r->specialties[i])))
			return false;
	return true;
}

bool pool_put(struct pool *p, const struct pool_record *r)
{
	struct pool_entry n;
	if (r->id <= 0 || !grow_entries(p, r->id) || !entry_of(p, r, &n))
		return false;
	struct pool_entry *pe = &p->entries[r->id];
	struct pool_entry old = *pe;
	if (p->loading) {
		for (int i = 0; i < n.n_specialties; i++)
			if (!specialty_reserve(p, n.specialties[i]))
				return false;
	} else if (old.id) {
		unindex(p, &old);
	}
	if (!p->loading && !index_entry(p, &n)) {
		/* Out of memory: put the old entry back as it was, or, if even
		 * that fails, forget it (it is in no bucket and counted nowhere). */
		if (old.id && !index_entry(p, &old))
			forget_entry(p, old.id);
		return false;
	}
	if (!old.id)
		p->count++;
	*pe = n;
	if (r->id > p->max_id)
		p->max_id = r->id;
	return true;
}

void pool_load_begin(struct pool *p)
{
	pool_clear(p);
	p->loading = true;
}

/* Each bucket's size once the load is in: the first occurrence of each
 * of an entry's specialties, in each of its group types (an expert
 * holding a specialty twice is in its buckets once, as index_entry()
 * puts it). */
static bool load_sizes(struct pool *p, size_t *sizes)
{
	for (int64_t id = 1; id <= p->max_id; id++) {
		const struct pool_entry *pe = &p->entries[id];
		for (int i = 0; pe->id && i < pe->n_specialties; i++) {
			if (!is_first_specialty(pe, i))
				continue;
			p->holders[pe->specialties[i] - 1]++;
			for (int g = 0; g < POOL_GROUP_TYPES; g++)
				sizes[(pe->specialties[i] - 1) * POOL_GROUP_TYPES + (size_t)g] +=
					(pe->group_types >> g) & 1u;
		}
	}
	for (size_t b = 0; b < p->nbuckets; b++) {
		struct pool_bucket *k = &p->buckets[b];
		if (sizes[b] <= k->cap)
			continue;
		int64_t *ids = realloc(k->ids, sizes[b] * sizeof *ids);
		if (ids)
			k->ids = ids;
		struct pool_slim *slim = ids ? realloc(k->slim, sizes[b] * sizeof *slim) : NULL;
		if (!slim)
			return false;
		k->slim = slim;
		k->cap = sizes[b];
	}
	return true;
}

bool pool_load_end(struct pool *p)
{
	p->loading = false;
	size_t *sizes = calloc(p->nbuckets ? p->nbuckets : 1, sizeof *sizes);
	bool ok = sizes && load_sizes(p, sizes);
	free(sizes);
	/* Ids ascending: each goes at its bucket's end. */
	for (int64_t id = 1; ok && id <= p->max_id; id++) {
		const struct pool_entry *pe = &p->entries[id];
		for (int i = 0; pe->id && i < pe->n_specialties; i++) {
			uint32_t sid = pe->specialties[i];
			for (int g = 0; is_first_specialty(pe, i) && g < POOL_GROUP_TYPES; g++) {
				if (!(pe->group_types & (1u << g)))
					continue;
				struct pool_bucket *b = &p->buckets[(sid - 1) * POOL_GROUP_TYPES +
				                                    (size_t)g];
				b->ids[b->n] = id;
				b->slim[b->n++] = pool_slim_of(pe, sid);
			}
		}
	}
	return ok;
}

void pool_prefetch(const struct pool *p, int64_t id)
{
	if (id > 0 && (size_t)id < p->cap)
		__builtin_prefetch(&p->entries[id]);
}

void pool_remove(struct pool *p, int64_t id)
{
	if (id <= 0 || (size_t)id >= p->cap || !p->entries[id].id)
		return;
	unindex(p, &p->entries[id]);
	forget_entry(p, id);
}

const struct pool_entry *pool_get(const struct pool *p, int64_t id)
{
	if (id <= 0 || (size_t)id >= p->cap || !p->entries[id].id)
		return NULL;
	return &p->entries[id];
}

size_t pool_count(const struct pool *p)
{
	return p->count;
}

size_t pool_count_status(const struct pool *p, enum expert_status st)
{
	size_t n = 0;
	for (int64_t id = 1; id <= p->max_id; id++)
		if (p->entries[id].id && p->entries[id].status == st)
			n++;
	return n;
}

int64_t pool_max_id(const struct pool *p)
{
	return p->max_id;
}

uint32_t pool_specialty_find(const struct pool *p, const char *name)
{
	return intern_find(p->specialties, name);
}

const char *pool_specialty_name(const struct pool *p, uint32_t sid)
{
	return intern_str(p->specialties, sid);
}

uint32_t pool_org_find(const struct pool *p, const char *key)
{
	return intern_find(p->orgs, key);
}

uint32_t pool_org_intern(struct pool *p, const char *key)
{
	return intern_add(p->orgs, key);
}

static void pool_relink(uint32_t *org, uint32_t from, uint32_t into)
{
	if (*org == from)
		*org = into;
}

/* Entries and slim copies are rewritten alike, each bucket's ids staying
 * where they are: a merge changes no bucket membership. */
void pool_merge_org(struct pool *p, uint32_t from, uint32_t into)
{
	if (from == 0 || from == into)
		return;
	for (int64_t id = 1; id <= p->max_id; id++) {
		pool_relink(&p->entries[id].employer_org, from, into);
		pool_relink(&p->entries[id].recommender_org, from, into);
	}
	for (size_t i = 0; i < p->nbuckets; i++)
		for (size_t k = 0; k < p->buckets[i].n; k++) {
			pool_relink(&p->buckets[i].slim[k].employer_org, from, into);
			pool_relink(&p->buckets[i].slim[k].recommender_org, from, into);
		}
}

const struct pool_bucket *pool_bucket(const struct pool *p, uint32_t sid, int group)
{
	if (sid == 0 || group < 0 || group >= POOL_GROUP_TYPES ||
	    (size_t)sid * POOL_GROUP_TYPES > p->nbuckets)
		return NULL;
	return &p->buckets[(sid - 1) * POOL_GROUP_TYPES + (size_t)group];
}

size_t pool_specialty_holders(const struct pool *p, uint32_t sid)
{
	if (sid == 0 || (size_t)sid * POOL_GROUP_TYPES > p->nbuckets)
		return 0;
	return p->holders[sid - 1];
}

static bool has_specialty(const struct pool_entry *pe, uint32_t sid)
{
	for (int i = 0; i < pe->n_specialties; i++)
		if (pe->specialties[i] == sid)
			return true;
	return false;
}

static bool matches(const struct pool_entry *pe, const struct pool_filter *f)
{
	if (f->specialty && !has_specialty(pe, f->specialty))
		return false;
	if (f->group >= 0 && !(pe->group_types & (1u << f->group)))
		return false;
	if (f->status >= 0 && pe->status != f->status)
		return false;
	if (f->term && (f->term < pe->joined_term || f->term > pe->term))
		return false;
	if (f->appointment && pe->appointment != f->appointment - 1)
		return false;
	return true;
}

size_t pool_list(const struct pool *p, const struct pool_filter *f,
                 size_t offset, size_t limit, int64_t *ids)
{
	size_t total = 0, written = 0;
	for (int64_t id = 1; id <= p->max_id; id++) {
		const struct pool_entry *pe = &p->entries[id];
		if (!pe->id || !matches(pe, f))
			continue;
		if (total >= offset && written < limit)
			ids[written++] = id;
		total++;
	}
	return total;
}
