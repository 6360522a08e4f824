/*
 * genroster_pool.c - the per-run pool of employers: a few hundred Guangzhou
 * schools, training institutions, hospitals, care homes, companies, hotels,
 * restaurants and trade associations, each with a fixed, valid and unique
 * unified social credit code shaped like a real one.
 */
#include <stdlib.h>
#include <string.h>

#include "genroster.h"
#include "textnorm.h"
#include "genroster_data.h"
#include "ident.h"

/* Purpose tag of the pool's PRNG stream (rows use others). */
#define POOL_STREAM 0x706f6f6cu

static const size_t pool_sizes[GENROSTER_ORG__COUNT] = {
	[GENROSTER_ORG_SCHOOL] = 30,   [GENROSTER_ORG_COLLEGE] = 12,
	[GENROSTER_ORG_TRAINING] = 60, [GENROSTER_ORG_HOSPITAL] = 25,
	[GENROSTER_ORG_ELDER_CARE] = 25, [GENROSTER_ORG_COMPANY] = 190,
	[GENROSTER_ORG_HOTEL] = 30,    [GENROSTER_ORG_RESTAURANT] = 30,
	[GENROSTER_ORG_ASSOCIATION] = 12,
};

/* The credit code alphabet (GB 32100) and the digits-only subset. */
static const char pool_cc_chars[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static char pool_any_char(struct genroster_rng *r)
{
	return pool_cc_chars[genroster_below(r, sizeof pool_cc_chars - 1)];
}

static char pool_digit(struct genroster_rng *r)
{
	return (char)('0' + genroster_below(r, 10));
}

/* GB 11714 organisation code check character over 8 characters: the
 * credit code embeds this code in positions 9-17. */
static char pool_org_check(const char body[8])
{
	static const int w[8] = {3, 7, 9, 10, 5, 8, 4, 2};
	int sum = 0;
	for (int i = 0; i < 8; i++) {
		const char c = body[i];
		sum += (c >= '0' && c <= '9' ? c - '0' : c - 'A' + 10) * w[i];
	}
	const int v = 11 - sum % 11;
	return v == 10 ? 'X' : v == 11 ? '0' : (char)('0' + v);
}

static const char *pool_district_code(struct genroster_rng *r)
{
	return genroster_districts[genroster_below(r, (uint32_t)genroster_n_districts)].code;
}

void genroster_credit_code(enum genroster_org_kind kind, struct genroster_rng *r,
                           char out[IDENT_CODE_SIZE])
{
	char org[8];
	const char *registrar;

	/* Registering authority + organisation type: 12 public institution,
	 * 51 social organisation, 52 private non-enterprise, 91 enterprise. */
	switch (kind) {
	case GENROSTER_ORG_SCHOOL:
	case GENROSTER_ORG_COLLEGE:
	case GENROSTER_ORG_HOSPITAL:
		registrar = "12";
		break;
	case GENROSTER_ORG_TRAINING:
		registrar = "52";
		break;
	case GENROSTER_ORG_ELDER_CARE:
		registrar = genroster_pct(r, 50) ? "52" : "91";
		break;
	case GENROSTER_ORG_ASSOCIATION:
		registrar = "51";
		break;
	default:
		registrar = "91";
		break;
	}
	memcpy(out, registrar, 2);
	if (registrar[0] == '9')
		memcpy(out + 2, genroster_pct(r, 40) ? "440101" : pool_district_code(r), 6);
	else
		memcpy(out + 2, genroster_pct(r, 50) ? "440100" : pool_district_code(r), 6);

	/* Organisation code: old all-digit codes, or the MA/MJ prefixes
	 * issued with credit codes since 2015. */
	if (registrar[0] == '9' && genroster_pct(r, 65)) {
		memcpy(org, "MA5", 3);
		for (int i = 3; i < 8; i++)
			org[i] = pool_any_char(r);
	} else if (registrar[0] == '5') {
		memcpy(org, "MJ", 2);
		for (int i = 2; i < 8; i++)
			org[i] = pool_any_char(r);
	} else {
		org[0] = (char)('1' + genroster_below(r, 7));
		for (int i = 1; i < 8; i++)
			org[i] = pool_digit(r);
	}
	memcpy(out + 8, org, 8);
	out[16] = pool_org_check(org);
	out[17] = ident_credit_code_check_char(out);
	out[18] = '\0';
}

static const char *pool_brand(struct genroster_rng *r)
{
	return genroster_brands[genroster_below(r, (uint32_t)genroster_n_brands)];
}

static const char *pool_district(struct genroster_rng *r)
{
	return genroster_districts[genroster_below(r, (uint32_t)genroster_n_districts)].name;
}

static const char *pool_industry(struct genroster_rng *r)
{
	return genroster_industries[genroster_below(r, (uint32_t)genroster_n_industries)];
}

/* Concatenate up to four parts into out (NULL parts are skipped). */
static void pool_join(char out[GENROSTER_ORG_NAME_MAX], const char *a, const char *b,
                      const char *c, const char *d)
{
	const char *parts[4] = {a, b, c, d};
	size_t o = 0;
	for (int i = 0; i < 4; i++) {
		if (!parts[i])
			continue;
		const size_t n = strlen(parts[i]);
		if (o + n >= GENROSTER_ORG_NAME_MAX)
			break;
		memcpy(out + o, parts[i], n);
		o += n;
	}
	out[o] = '\0';
}

static void pool_name(enum genroster_org_kind kind, size_t nth, struct genroster_rng *r,
                      char out[GENROSTER_ORG_NAME_MAX])
{
	static const char *const hospital_kinds[] = {
		"人民医院", "中医医院", "妇幼保健院", "第一人民医院", "中西医结合医院"};
	const uint32_t v = genroster_below(r, 3);

	switch (kind) {
	case GENROSTER_ORG_SCHOOL:
		if (v == 0)
			pool_join(out, "广州市", pool_district(r), "职业技术学校", NULL);
		else
			pool_join(out, "广州市", pool_brand(r), v == 1 ? "职业技术学校" : "技工学校", NULL);
		break;
	case GENROSTER_ORG_COLLEGE:
		pool_join(out, v == 0 ? "广东省" : "广州市", pool_brand(r),
		          v == 2 ? "高级技工学校" : "技师学院", NULL);
		break;
	case GENROSTER_ORG_TRAINING:
		if (v == 0)
			pool_join(out, "广州市", pool_district(r), pool_brand(r), "职业培训学校");
		else
			pool_join(out, "广州", pool_brand(r), v == 1 ? "职业技能培训中心" : "培训学校", NULL);
		break;
	case GENROSTER_ORG_HOSPITAL:
		if (v == 0)
			pool_join(out, "广州", pool_brand(r), "医院", NULL);
		else
			pool_join(out, "广州市", pool_district(r),
			          hospital_kinds[genroster_below(r, 5)], NULL);
		break;
	case GENROSTER_ORG_ELDER_CARE:
		if (v == 0)
			pool_join(out, "广州市", pool_district(r), pool_brand(r), "养老院");
		else
			pool_join(out, "广州", pool_brand(r), v == 1 ? "颐养院" : "养老服务有限公司", NULL);
		break;
	case GENROSTER_ORG_COMPANY:
		pool_join(out, v == 0 ? "广东" : v == 1 ? "广州市" : "广州", pool_brand(r),
		          pool_industry(r), genroster_pct(r, 8) ? "股份有限公司" : "有限公司");
		break;
	case GENROSTER_ORG_HOTEL:
		pool_join(out, "广州", pool_brand(r), v == 0 ? "大酒店有限公司" :
		          v == 1 ? "酒店管理有限公司" : "国际酒店", NULL);
		break;
	case GENROSTER_ORG_RESTAURANT:
		pool_join(out, v == 0 ? "广州市" : "广州", pool_brand(r), v == 0 ? "饮食有限公司" :
		          v == 1 ? "餐饮管理有限公司" : "酒家有限公司", NULL);
		break;
	default:
		/* Few enough to list; the nth is taken so each appears once. */
		pool_join(out, genroster_associations[nth % genroster_n_associations],
		          NULL, NULL, NULL);
		break;
	}
}

/* FNV-1a of a name's matching key (of the name itself if it has none). */
static uint64_t pool_name_hash(const char *name)
{
	char key[TEXTNORM_KEY_SIZE];
	const char *s = textnorm_key(TEXTNORM_ORG, name, key, sizeof key) ? key : name;
	uint64_t h = UINT64_C(14695981039346656037);
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
	return h;
}

/* Is the name or code taken? Names compare as the registry matches them
 * (REGISTRY.md 1.1): 广州市X and 广州X are one organisation there, and
 * one name with two codes would be a roster error. */
static bool pool_has(const struct genroster_pool *p, const char *name, const char *code)
{
	char key[TEXTNORM_KEY_SIZE], other[TEXTNORM_KEY_SIZE];
	if (!textnorm_key(TEXTNORM_ORG, name, key, sizeof key))
		return true;
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->orgs[i].code, code) == 0 ||
		    (textnorm_key(TEXTNORM_ORG, p->orgs[i].name, other, sizeof other) &&
		     strcmp(key, other) == 0))
			return true;
	return false;
}

static bool pool_is_recommender(enum genroster_org_kind k)
{
	return k == GENROSTER_ORG_SCHOOL || k == GENROSTER_ORG_COLLEGE ||
	       k == GENROSTER_ORG_TRAINING || k == GENROSTER_ORG_ASSOCIATION;
}

bool genroster_pool_init(struct genroster_pool *p, uint64_t seed)
{
	struct genroster_rng r = genroster_stream(seed, POOL_STREAM, 0);
	size_t total = 0;
	for (int k = 0; k < GENROSTER_ORG__COUNT; k++)
		total += pool_sizes[k];
	memset(p, 0, sizeof *p);
	p->orgs = calloc(total, sizeof *p->orgs);
	p->recommenders = calloc(total, sizeof *p->recommenders);
	if (!p->orgs || !p->recommenders) {
		genroster_pool_free(p);
		return false;
	}
	for (int k = 0; k < GENROSTER_ORG__COUNT; k++) {
		for (size_t i = 0; i < pool_sizes[k]; i++) {
			struct genroster_org *o = &p->orgs[p->n];
			o->kind = (enum genroster_org_kind)k;
			/* Word lists make thousands of names: a few tries suffice. */
			int tries = 0;
			do {
				pool_name(o->kind, i, &r, o->name);
				/* The code follows from the matching key, so every seed
				 * gives one organisation one code, as in real rosters. */
				struct genroster_rng cr = genroster_stream(pool_name_hash(o->name),
				                                           0x636f6465, 0);
				genroster_credit_code(o->kind, &cr, o->code);
			} while (pool_has(p, o->name, o->code) && ++tries < 100);
			if (tries < 100)
				p->n++;
		}
	}
	/* Shuffle so that the skewed pick favours no kind in particular. */
	for (size_t i = p->n; i > 1; i--) {
		const size_t j = genroster_below(&r, (uint32_t)i);
		struct genroster_org t = p->orgs[i - 1];
		p->orgs[i - 1] = p->orgs[j];
		p->orgs[j] = t;
	}
	for (size_t i = 0; i < p->n; i++)
		if (pool_is_recommender(p->orgs[i].kind))
			p->recommenders[p->n_recommenders++] = i;
	return p->n > 0 && p->n_recommenders > 0;
}

void genroster_pool_free(struct genroster_pool *p)
{
	free(p->orgs);
	free(p->recommenders);
	memset(p, 0, sizeof *p);
}

/* The smaller of two uniform draws: employer k is drawn with weight n - k,
 * so a few large employers supply many experts, as in real rosters. */
const struct genroster_org *genroster_pool_employer(const struct genroster_pool *p,
                                                    struct genroster_rng *r)
{
	const uint32_t a = genroster_below(r, (uint32_t)p->n);
	const uint32_t b = genroster_below(r, (uint32_t)p->n);
	return &p->orgs[a < b ? a : b];
}

const struct genroster_org *genroster_pool_recommender(const struct genroster_pool *p,
                                                       struct genroster_rng *r)
{
	return &p->orgs[p->recommenders[genroster_below(r, (uint32_t)p->n_recommenders)]];
}
