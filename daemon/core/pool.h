/*
 * pool.h - the expert pool held in memory: a compact entry per expert,
 * indexed by id and by (specialty, group type) for the draws, loaded from
 * the store at start and kept in step with every committed change.
 * Specialty names and organisation keys are interned to small integers.
 * Pure data structure: no SQL, no clock.
 */
#ifndef EXPERTD_POOL_H
#define EXPERTD_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "expert.h"

#define POOL_GROUP_TYPES 3

struct pool_entry {
	int64_t id;                 /* 0 = no expert with this id */
	int32_t birth;
	int32_t suspended_until;
	uint32_t employer_org;      /* interned org key (REGISTRY.md 2.1), 0 = none */
	uint32_t recommender_org;
	uint32_t specialties[EXPERT_MAX_SPECIALTIES];
	uint8_t n_specialties;
	uint8_t group_types;
	uint8_t task_types;
	uint8_t relaxations;        /* RELAX_GROUNDS bits, and POOL_AGE_EXCEPTION */
	uint8_t status;             /* enum expert_status */
	uint8_t appointment;        /* enum expert_appointment */
	bool leader;
	/* expert.eligible_specialties: 0 = eligible in every specialty; else
	 * bit i = in specialties[i] only (POLICY.md 4.2, DRAW.md 3.1 rule 13). */
	uint8_t eligible_mask;
	uint16_t term;
	uint16_t joined_term;       /* serves from joined_term through term */
};

/* Whether pe is eligible in specialty sid (rule 13, relaxation, does not
 * keep it out of a draw of sid). An expert whose eligibility is limited
 * is eligible in no specialty it does not hold, nor in sid 0. */
bool pool_entry_eligible_in(const struct pool_entry *pe, uint32_t sid);

/* The relaxations byte's bit for an age exception (expert.age_exception):
 * rule 4 (age) reads both, by the transcript's rules (DRAW.md 3.1). */
#define POOL_AGE_EXCEPTION 0x80u

/* What a draw reads of each expert of a bucket (recusal's rules on the
 * record, and the candidate entry), kept beside the bucket's ids: a draw
 * then streams through one array instead of visiting each pool entry. */
struct pool_slim {
	int32_t birth;
	int32_t suspended_until;
	uint32_t employer_org;
	uint32_t recommender_org;
	uint16_t term;
	uint16_t joined_term;
	uint8_t status;
	uint8_t task_types;
	uint8_t relaxations;        /* the entry's, and POOL_SLIM_OTHER_OCCUPATION */
	bool leader;
};

/* The slim relaxations byte's bit for rule 13 (relaxation): the bucket's
 * specialty is not one the expert is eligible in (pool_entry_eligible_in()).
 * A bit rather than a field keeps the slim form 24 bytes, without padding. */
#define POOL_SLIM_OTHER_OCCUPATION 0x40u
/* eligible_mask holds a bit per specialty an expert may hold. */
_Static_assert(EXPERT_MAX_SPECIALTIES <= 8, "eligible_mask is a uint8_t");
_Static_assert((POOL_SLIM_OTHER_OCCUPATION & (RELAX_GROUNDS | POOL_AGE_EXCEPTION)) == 0,
               "the slim bit of rule 13 is a bit of its own");

/* The slim status of an expert that is not appointed (PROTOCOL.md
 * 7.17): rule 1 (`status`, DRAW.md 3.1) excludes it, as it does every
 * status but active and a lapsed suspension. */
#define POOL_STATUS_UNAPPOINTED 4u

/* The slim form of an entry in the buckets of specialty sid. */
struct pool_slim pool_slim_of(const struct pool_entry *pe, uint32_t sid);

/* Ids of experts holding one specialty and group type, ascending;
 * slim[i] is expert ids[i]'s, always as current as the entry. */
struct pool_bucket {
	int64_t *ids;
	struct pool_slim *slim;
	size_t n, cap;
};

struct pool;

struct pool *pool_new(void);
/* NULL-safe; clears *p. */
void pool_destroy(struct pool **p);
/* Forget every expert (before a full reload). */
void pool_clear(struct pool *p);

/*
 * What the pool keeps of one expert, before its names are interned: the
 * store fills one from the few columns the draws read (at start, for
 * every expert: no personal data, no text a draw never reads), and
 * pool_upsert() from a whole record. The strings are borrowed for the
 * call; "" is no organisation.
 */
struct pool_record {
	int64_t id;
	int32_t birth;
	int32_t suspended_until;
	const char *employer_code;
	const char *recommender_code;
	const char *specialties[EXPERT_MAX_SPECIALTIES];
	int n_specialties;
	unsigned group_types;
	unsigned task_types;
	unsigned relaxations;       /* expert.relaxations (RELAX_GROUNDS kept) */
	bool age_exception;
	bool leader_eligible;
	unsigned eligible_specialties;
	enum expert_status status;
	enum expert_appointment appointment;
	int term;
	int joined_term;
};

/* The record of a whole expert; its strings are e's. */
void pool_record_of(const struct expert *e, struct pool_record *r);

/* Insert or replace the entry for r->id. Returns false on out of memory. */
bool pool_put(struct pool *p, const struct pool_record *r);
/* The same from a whole record (pool_record_of()). */
bool pool_upsert(struct pool *p, const struct expert *e);
/*
 * A load of the whole pool: pool_load_begin() clears it, the pool_put()
 * calls that follow keep the entries only, and pool_load_end() builds
 * every bucket and holder count at once, each bucket allocated to its
 * size (the same buckets as the same puts outside a load). False on out
 * of memory: the pool is then incomplete, to be cleared or loaded again.
 */
void pool_load_begin(struct pool *p);
bool pool_load_end(struct pool *p);
/* Room for every id up to max_id, before a load of that many: the
 * entries are allocated once instead of doubling. False on out of
 * memory (the pool unchanged). */
bool pool_reserve(struct pool *p, int64_t max_id);
/* Hint that pool_get(p, id) comes soon (scans of large buckets are
 * bound by memory latency, not by the rules). */
void pool_prefetch(const struct pool *p, int64_t id);

/* Drop an entry (undoing an insert that was rolled back). */
void pool_remove(struct pool *p, int64_t id);
/* Borrowed; NULL if there is no such expert. Valid until the next upsert. */
const struct pool_entry *pool_get(const struct pool *p, int64_t id);
size_t pool_count(const struct pool *p);
size_t pool_count_status(const struct pool *p, enum expert_status st);
/* Largest id held (the next id the daemon makes is one more). */
int64_t pool_max_id(const struct pool *p);

/* Intern ids: 0 if the string was never seen. */
uint32_t pool_specialty_find(const struct pool *p, const char *name);
const char *pool_specialty_name(const struct pool *p, uint32_t sid);
uint32_t pool_org_find(const struct pool *p, const char *key);
/* Intern an organisation key (conflicts name orgs no expert works for). */
uint32_t pool_org_intern(struct pool *p, const char *key);
/*
 * Organisation `from` merged into `into` (REGISTRY.md 2.4): every expert
 * whose employer or recommender is `from` gets `into`, in its entry and in
 * the slim copies of its buckets. Both ids are kept (`from` stays interned
 * and is simply no longer referred to). Allocates nothing, so cannot fail.
 */
void pool_merge_org(struct pool *p, uint32_t from, uint32_t into);
/* The bucket of a specialty and group-type index (0..2), or NULL. */
const struct pool_bucket *pool_bucket(const struct pool *p, uint32_t sid, int group);
/* Experts (any status) whose specialties include sid, whatever their
 * group types: the union of sid's buckets, and those with no group type.
 * Kept up to date by every upsert and removal, so it costs no scan. */
size_t pool_specialty_holders(const struct pool *p, uint32_t sid);

/* Filters of pool.list; 0 / -1 fields mean "any". */
struct pool_filter {
	uint32_t specialty;   /* 0 = any; (uint32_t)-1 = a name never seen */
	int group;            /* -1 = any */
	int status;           /* -1 = any */
	int term;             /* 0 = any; else serving in that term */
	int appointment;      /* 0 = any; else enum expert_appointment + 1 */
};
/*
 * Ids matching f in ascending order: skips `offset`, writes at most
 * `limit` into ids, and returns the total number of matches.
 */
size_t pool_list(const struct pool *p, const struct pool_filter *f,
                 size_t offset, size_t limit, int64_t *ids);

#endif
