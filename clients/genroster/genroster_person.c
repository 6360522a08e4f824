/*
 * genroster_person.c - who a synthetic expert is: name, birth date,
 * resident ID (unique in the run), mobile number (unique by construction)
 * and e-mail address. Also the shared weight tables and the run context.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "genroster.h"
#include "genroster_data.h"
#include "genroster_person.h"
#include "ident.h"

/* 8-digit phone suffix = (index * PHONE_MULT + offset) mod 10^8. The
 * multiplier is prime to 10^8, so distinct rows get distinct numbers. */
#define PHONE_MOD UINT64_C(100000000)
#define PHONE_MULT UINT64_C(73939133)
/* Occupation k weighs 1 / (k + 1 + ZIPF_SHIFT/2): Zipf-like, flattened
 * at the head so the top occupation holds about a fifth of the experts. */
#define ZIPF_SHIFT 1u

size_t genroster_pick(struct genroster_rng *r, const uint32_t *cum, size_t n)
{
	const uint32_t x = genroster_below(r, cum[n - 1]);
	size_t lo = 0, hi = n - 1;
	while (lo < hi) {
		const size_t mid = (lo + hi) / 2;
		if (cum[mid] > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static uint32_t *person_cum_han(const struct genroster_han *t, size_t n)
{
	uint32_t *cum = malloc(n * sizeof *cum), sum = 0;
	for (size_t i = 0; cum && i < n; i++)
		cum[i] = sum += t[i].weight;
	return cum;
}

static uint32_t *person_cum_areas(void)
{
	uint32_t *cum = malloc(genroster_n_areas * sizeof *cum), sum = 0;
	for (size_t i = 0; cum && i < genroster_n_areas; i++)
		cum[i] = sum += genroster_areas[i].weight;
	return cum;
}

static uint32_t *person_cum_zipf(size_t n)
{
	uint32_t *cum = malloc(n * sizeof *cum), sum = 0;
	for (size_t i = 0; cum && i < n; i++)
		cum[i] = sum += (uint32_t)(2000000u / (2u * (uint32_t)i + 2u + ZIPF_SHIFT));
	return cum;
}

static bool person_idset_init(struct genroster_idset *s, size_t expected)
{
	size_t cap = 1024;
	while (cap < 2 * expected + 64)
		cap *= 2;
	s->slots = calloc(cap, sizeof *s->slots);
	s->mask = cap - 1;
	return s->slots != NULL;
}

/* Insert key; false if it was already there. */
static bool person_idset_add(struct genroster_idset *s, uint64_t key)
{
	size_t i = (size_t)genroster_mix(key) & s->mask;
	while (s->slots[i] != 0) {
		if (s->slots[i] == key)
			return false;
		i = (i + 1) & s->mask;
	}
	s->slots[i] = key;
	return true;
}

bool genroster_ctx_init(struct genroster_ctx *c, uint64_t seed, int32_t today,
                        const struct genroster_pool *pool, size_t count)
{
	memset(c, 0, sizeof *c);
	c->seed = seed;
	c->today = today;
	c->pool = pool;
	c->phone_offset = genroster_mix(seed ^ UINT64_C(0x70686f6e65)) % PHONE_MOD;
	c->cum_surnames = person_cum_han(genroster_surnames, genroster_n_surnames);
	c->cum_areas = person_cum_areas();
	c->cum_occupations = person_cum_zipf(genroster_n_occupations);
	/* Defective rows may take a second ID. */
	if (!person_idset_init(&c->ids, 2 * count) || !c->cum_surnames ||
	    !c->cum_areas || !c->cum_occupations) {
		genroster_ctx_free(c);
		return false;
	}
	return true;
}

void genroster_ctx_free(struct genroster_ctx *c)
{
	free(c->ids.slots);
	free(c->cum_surnames);
	free(c->cum_areas);
	free(c->cum_occupations);
	memset(c, 0, sizeof *c);
}

void genroster_person_name(struct genroster_ctx *c, struct genroster_rng *r,
                           struct genroster_row *row)
{
	const struct genroster_han *sur =
		&genroster_surnames[genroster_pick(r, c->cum_surnames, genroster_n_surnames)];
	const struct genroster_han *given = row->sex == 0 ? genroster_given_male
	                                                  : genroster_given_female;
	const uint32_t n_given = (uint32_t)(row->sex == 0 ? genroster_n_given_male
	                                                  : genroster_n_given_female);
	const struct genroster_han *g1 = &given[genroster_below(r, n_given)];
	const struct genroster_han *g2 = NULL;

	/* Two-character given names are the norm; one character is older style. */
	if (genroster_pct(r, 78)) {
		do
			g2 = &given[genroster_below(r, n_given)];
		while (g2 == g1);
	}
	snprintf(row->name, sizeof row->name, "%s%s%s", sur->han, g1->han, g2 ? g2->han : "");
	snprintf(row->pinyin, sizeof row->pinyin, "%s%s%s", sur->pinyin, g1->pinyin,
	         g2 ? g2->pinyin : "");
}

int32_t genroster_person_birth(struct genroster_ctx *c, struct genroster_rng *r, int age)
{
	int ty, tm, td;
	ident_civil_from_days(c->today, &ty, &tm, &td);
	/* Aged `age` on today: born after today - (age+1) years, on or
	 * before today - age years. */
	const int32_t hi = ident_days_from_civil(ty - age, tm, td);
	const int32_t lo = ident_days_from_civil(ty - age - 1, tm, td) + 1;
	int32_t birth = lo + (int32_t)genroster_below(r, (uint32_t)(hi - lo + 1));
	/* 29 February "today" makes the window a day off; nudge back in. */
	while (ident_age_on(birth, c->today) > age)
		birth++;
	while (ident_age_on(birth, c->today) < age)
		birth--;
	return birth;
}

static void person_put_digits(char *out, unsigned v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		out[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* The first 17 digits as one number: the duplicate set's key. */
static uint64_t person_id_key(const char *id)
{
	uint64_t k = 0;
	for (int i = 0; i < 17; i++)
		k = k * 10 + (uint64_t)(id[i] - '0');
	return k;
}

void genroster_person_id_digits(char id[IDENT_CODE_SIZE], const char *area, int y, int m, int d,
                                unsigned seq)
{
	memcpy(id, area, 6);
	person_put_digits(id + 6, (unsigned)y, 4);
	person_put_digits(id + 10, (unsigned)m, 2);
	person_put_digits(id + 12, (unsigned)d, 2);
	person_put_digits(id + 14, seq, 3);
	id[17] = ident_resident_id_check_char(id);
	id[18] = '\0';
}

/*
 * A resident ID for row->birth and row->sex, unique in the run. The 17th
 * digit is odd for men and even for women, as in GB 11643. Collisions need
 * two people of one sex born the same day in the same district, so a new
 * sequence number nearly always resolves one; a day's shift is the fallback.
 */
void genroster_person_id(struct genroster_ctx *c, struct genroster_rng *r,
                         struct genroster_row *row)
{
	const char *area = genroster_areas[genroster_pick(r, c->cum_areas, genroster_n_areas)].code;
	for (int tries = 0;; tries++) {
		int y, m, d;
		const unsigned seq = genroster_below(r, 100) * 10 +
		                     genroster_below(r, 5) * 2 + (row->sex == 0 ? 1u : 0u);
		ident_civil_from_days(row->birth, &y, &m, &d);
		genroster_person_id_digits(row->resident_id, area, y, m, d, seq);
		if (person_idset_add(&c->ids, person_id_key(row->resident_id)))
			return;
		if (tries % 64 == 63)
			row->birth--;
	}
}

void genroster_person_phone(struct genroster_ctx *c, struct genroster_rng *r,
                            uint64_t index, struct genroster_row *row)
{
	const char *prefix = genroster_mobile_prefixes[genroster_below(
		r, (uint32_t)genroster_n_mobile_prefixes)];
	const uint64_t suffix = (index % PHONE_MOD * PHONE_MULT + c->phone_offset) % PHONE_MOD;
	memcpy(row->phone, prefix, 3);
	person_put_digits(row->phone + 3, (unsigned)suffix, 8);
	row->phone[11] = '\0';
}

void genroster_person_email(struct genroster_rng *r, struct genroster_row *row)
{
	int y, m, d;
	const uint32_t kind = genroster_below(r, 100);
	const char *domain = genroster_mail_domains[genroster_below(
		r, (uint32_t)genroster_n_mail_domains)];

	ident_civil_from_days(row->birth, &y, &m, &d);
	if (kind < 15) {
		row->email[0] = '\0';
	} else if (kind < 55) {
		/* A QQ number: 6 to 10 digits, no leading zero. */
		char qq[11];
		const int len = 6 + (int)genroster_below(r, 5);
		qq[0] = (char)('1' + genroster_below(r, 9));
		for (int i = 1; i < len; i++)
			qq[i] = (char)('0' + genroster_below(r, 10));
		qq[len] = '\0';
		snprintf(row->email, sizeof row->email, "%s@qq.com", qq);
	} else if (kind < 80) {
		snprintf(row->email, sizeof row->email, "%s%d@%s", row->pinyin, y, domain);
	} else {
		snprintf(row->email, sizeof row->email, "%s%02u@%s", row->pinyin,
		         genroster_below(r, 100), domain);
	}
}
