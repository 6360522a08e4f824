/*
 * genroster.h - internals of expert-genroster, the synthetic roster
 * generator: a seeded PRNG, the per-run employer pool, one roster row and
 * its defects, and the CSV writer. Test data only: nothing here is secret
 * or needs to be unpredictable.
 */
#ifndef GENROSTER_H
#define GENROSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ident.h"

/* ---- PRNG: splitmix64, one 64-bit state, seeded per row ---- */

struct genroster_rng {
	uint64_t state;
};

static inline uint64_t genroster_mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static inline uint64_t genroster_next(struct genroster_rng *r)
{
	r->state += UINT64_C(0x9e3779b97f4a7c15);
	return genroster_mix(r->state);
}

/* Uniform in [0, n) for 0 < n < 2^32 (Lemire's multiply-shift). */
static inline uint32_t genroster_below(struct genroster_rng *r, uint32_t n)
{
	return (uint32_t)(((genroster_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* True with probability pct/100. */
static inline bool genroster_pct(struct genroster_rng *r, uint32_t pct)
{
	return genroster_below(r, 100) < pct;
}

/* An independent stream for (seed, purpose, index): rows do not depend on
 * how many draws earlier rows made. */
static inline struct genroster_rng genroster_stream(uint64_t seed, uint64_t purpose,
                                                    uint64_t index)
{
	struct genroster_rng r = {
		genroster_mix(seed ^ genroster_mix(purpose * UINT64_C(0x9e3779b97f4a7c15) + index))};
	return r;
}

/* Index into a cumulative weight table of n entries (cum[n-1] = total). */
size_t genroster_pick(struct genroster_rng *r, const uint32_t *cum, size_t n);

/* ---- the employer pool ---- */

enum genroster_org_kind {
	GENROSTER_ORG_SCHOOL,      /* 职业技术学校, 技工学校 */
	GENROSTER_ORG_COLLEGE,     /* 技师学院 */
	GENROSTER_ORG_TRAINING,    /* 民办职业培训学校 */
	GENROSTER_ORG_HOSPITAL,
	GENROSTER_ORG_ELDER_CARE,
	GENROSTER_ORG_COMPANY,
	GENROSTER_ORG_HOTEL,
	GENROSTER_ORG_RESTAURANT,
	GENROSTER_ORG_ASSOCIATION, /* 行业协会 */
	GENROSTER_ORG__COUNT
};

#define GENROSTER_ORG_NAME_MAX 96

struct genroster_org {
	enum genroster_org_kind kind;
	char name[GENROSTER_ORG_NAME_MAX];
	char code[IDENT_CODE_SIZE]; /* a valid unified social credit code */
};

struct genroster_pool {
	struct genroster_org *orgs;
	size_t n;
	/* Indexes of orgs that typically recommend experts (schools,
	 * training institutions, associations). */
	size_t *recommenders;
	size_t n_recommenders;
};

/* Build the pool for a seed. Returns false on allocation failure. */
bool genroster_pool_init(struct genroster_pool *p, uint64_t seed);
void genroster_pool_free(struct genroster_pool *p);
/* Pick an employer, bigger ones more often. */
const struct genroster_org *genroster_pool_employer(const struct genroster_pool *p,
                                                    struct genroster_rng *r);
const struct genroster_org *genroster_pool_recommender(const struct genroster_pool *p,
                                                       struct genroster_rng *r);
/* A credit code for a kind of organisation (exposed for the self-check). */
void genroster_credit_code(enum genroster_org_kind kind, struct genroster_rng *r,
                           char out[IDENT_CODE_SIZE]);

/* ---- one row ---- */

/*
 * Indexes into the proto_* lists (proto.h), as daemon/core/expert.h numbers
 * them; repeated here so that a client does not reach into daemon/.
 */
#define GENROSTER_GROUP_TRAINING_REVIEW (1u << 0)
#define GENROSTER_GROUP_SKILL_EVALUATION (1u << 1)
#define GENROSTER_GROUP_METHODS (1u << 2)
enum { GENROSTER_TITLE_INTERMEDIATE = 2 };
enum { GENROSTER_QUAL_JUNIOR_WORKER = 1, GENROSTER_QUAL_TECHNICIAN = 4 };

/* Values planted by the unknown-group and unknown-sex defects. */
#define GENROSTER_UNKNOWN_GROUP_ZH "考试评审"
#define GENROSTER_UNKNOWN_GROUP_EN "exam_review"
#define GENROSTER_UNKNOWN_SEX_ZH "未知"
#define GENROSTER_UNKNOWN_SEX_EN "unspecified"

enum genroster_defect {
	GENROSTER_D_NONE = -1,
	GENROSTER_D_ID_CHECK,
	GENROSTER_D_PHONE_PREFIX,
	GENROSTER_D_NO_SPECIALTY,
	GENROSTER_D_UNKNOWN_GROUP,
	GENROSTER_D_UNDER_QUALIFIED,
	GENROSTER_D_TRAINING_YEARS,
	GENROSTER_D_ASSESS_YEARS,
	GENROSTER_D_OVER_AGE,
	GENROSTER_D_BIRTH_DATE,
	GENROSTER_D_EMPLOYER_CODE,
	GENROSTER_D_SEX,
	GENROSTER_D_PHONE_SHORT,
	GENROSTER_D__COUNT
};

struct genroster_row {
	char name[32];
	char pinyin[48];          /* for the e-mail address */
	int sex;                  /* 0 male, 1 female; -1 = defect: unknown */
	char resident_id[IDENT_CODE_SIZE];
	int32_t birth;
	char phone[12];
	const struct genroster_org *employer;
	char employer_code[IDENT_CODE_SIZE]; /* "" if not given */
	char recommender_code[IDENT_CODE_SIZE];
	const struct genroster_org *recommender; /* NULL: none named */
	int specialties[3];       /* indexes into genroster_occupations */
	int n_specialties;
	unsigned group_types;     /* GENROSTER_GROUP_* bits */
	bool unknown_group;       /* defect: one more, unknown, group type */
	unsigned task_types;
	int title, qualification; /* indexes into proto_titles / proto_qualifications */
	int assess_years, training_years;
	unsigned relaxations;
	const char *position;
	char email[64];
	char defect_why[96];      /* set by genroster_row_defect() */
};

/* Duplicate detection for resident IDs (first 17 digits as a number). */
struct genroster_idset {
	uint64_t *slots; /* 0 = empty; keys are never 0 */
	size_t mask;
};

struct genroster_ctx {
	uint64_t seed;
	int32_t today;
	const struct genroster_pool *pool;
	struct genroster_idset ids;
	uint64_t phone_offset;
	/* Cumulative weights of the data tables of the same names. */
	uint32_t *cum_surnames, *cum_areas, *cum_occupations;
};

/* count: rows to be made (sizes the duplicate set). Borrows pool. */
bool genroster_ctx_init(struct genroster_ctx *c, uint64_t seed, int32_t today,
                        const struct genroster_pool *pool, size_t count);
void genroster_ctx_free(struct genroster_ctx *c);

/* Fill row number `index` (0-based), valid under 第十一条. */
void genroster_row_make(struct genroster_ctx *c, uint64_t index, struct genroster_row *row);
/* Turn a valid row into one with exactly defect d; returns the field at
 * fault (wire name) and leaves a description in row->defect_why. */
const char *genroster_row_defect(struct genroster_ctx *c, uint64_t index,
                                 struct genroster_row *row, enum genroster_defect d,
                                 bool zh);

/* ---- output ---- */

enum genroster_encoding { GENROSTER_UTF8, GENROSTER_UTF8_BOM, GENROSTER_GB18030 };

struct genroster_out;

struct genroster_out *genroster_out_new(FILE *fp, enum genroster_encoding enc);
/* Flushes; returns false if any write or conversion failed. NULL-safe. */
bool genroster_out_destroy(struct genroster_out **o);
void genroster_out_header(struct genroster_out *o, bool zh);
void genroster_out_row(struct genroster_out *o, const struct genroster_row *row, bool zh);
/* False once a write or conversion has failed. */
bool genroster_out_ok(const struct genroster_out *o);

#endif
