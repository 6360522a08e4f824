/*
 * genroster_row.c - one synthetic roster row: the person, the employer and
 * recommender, specialties, group and task types, title, qualification and
 * experience, consistent with 第十一条; and the defects --invalid plants.
 */
#include <stdio.h>
#include <string.h>

#include "genroster.h"
#include "genroster_data.h"
#include "genroster_person.h"
#include "ident.h"
#include "proto.h"

/* Purpose tags of the PRNG streams: a row and the defect planted in it. */
#define ROW_STREAM 0x726f77u
#define DEFECT_STREAM 0x646566u

#define ROW_RELAXED_PCT 5
#define N_GROUPS 3
#define N_TASKS 5
#define N_GROUNDS 5

/* Weighted pick from a small fixed table of weights. */
static int row_weighted(struct genroster_rng *r, const uint32_t *w, int n)
{
	uint32_t total = 0;
	for (int i = 0; i < n; i++)
		total += w[i];
	uint32_t x = genroster_below(r, total);
	for (int i = 0; i < n; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}

static int row_min(int a, int b)
{
	return a < b ? a : b;
}

static int row_age(const struct genroster_ctx *c, const struct genroster_row *row)
{
	return ident_age_on(row->birth, c->today);
}

/* A new birth date and resident ID for someone aged `age`. */
static void row_set_age(struct genroster_ctx *c, struct genroster_rng *r,
                        struct genroster_row *row, int age)
{
	row->birth = genroster_person_birth(c, r, age);
	genroster_person_id(c, r, row);
}

static void row_specialties(struct genroster_ctx *c, struct genroster_rng *r,
                            struct genroster_row *row)
{
	static const uint32_t how_many[3] = {58, 30, 12};
	const int n = row_weighted(r, how_many, 3) + 1;
	row->n_specialties = 0;
	while (row->n_specialties < n) {
		const int k = (int)genroster_pick(r, c->cum_occupations, genroster_n_occupations);
		bool dup = false;
		for (int i = 0; i < row->n_specialties; i++)
			dup |= row->specialties[i] == k;
		if (!dup)
			row->specialties[row->n_specialties++] = k;
	}
}

/* Group types, then the form's task boxes that go with them. */
static void row_groups_and_tasks(struct genroster_rng *r, struct genroster_row *row, int age)
{
	row->group_types = 0;
	if (genroster_pct(r, 75))
		row->group_types |= GENROSTER_GROUP_SKILL_EVALUATION;
	/* Ten years of training work are hard to have before 30. */
	if (age >= 30 && genroster_pct(r, 35))
		row->group_types |= GENROSTER_GROUP_TRAINING_REVIEW;
	if (genroster_pct(r, 12))
		row->group_types |= GENROSTER_GROUP_METHODS;
	if (row->group_types == 0)
		row->group_types = GENROSTER_GROUP_SKILL_EVALUATION;

	unsigned t = 0;
	if (row->group_types & GENROSTER_GROUP_TRAINING_REVIEW) {
		if (genroster_pct(r, 80))
			t |= 1u << 0; /* institution_review */
		if (genroster_pct(r, 30))
			t |= 1u << 1; /* standards_review */
	}
	if (row->group_types & GENROSTER_GROUP_SKILL_EVALUATION) {
		if (genroster_pct(r, 50))
			t |= 1u << 3; /* assessor_training */
		if (genroster_pct(r, 35))
			t |= 1u << 4; /* evaluation_review */
		if (genroster_pct(r, 20))
			t |= 1u << 1;
	}
	if ((row->group_types & GENROSTER_GROUP_METHODS) && genroster_pct(r, 90))
		t |= 1u << 2; /* methods_guidance */
	if (t == 0)
		t = row->group_types & GENROSTER_GROUP_SKILL_EVALUATION ? 1u << 3 :
		    row->group_types & GENROSTER_GROUP_TRAINING_REVIEW ? 1u << 0 : 1u << 2;
	row->task_types = t;
}

/*
 * Title and qualification such that 第十一条(二) holds: a title below
 * intermediate comes with a technician qualification or better. About a
 * quarter end up leader-eligible (deputy senior title or senior technician).
 */
static void row_title_and_qualification(struct genroster_rng *r, struct genroster_row *row)
{
	static const uint32_t titles[5] = {28, 12, 44, 13, 3};
	static const uint32_t quals_low_title[2] = {86, 14};    /* 技师, 高级技师 */
	static const uint32_t quals_high_title[6] = {50, 3, 5, 15, 20, 7};

	row->title = row_weighted(r, titles, 5);
	if (row->title < GENROSTER_TITLE_INTERMEDIATE)
		row->qualification = GENROSTER_QUAL_TECHNICIAN + row_weighted(r, quals_low_title, 2);
	else
		row->qualification = row_weighted(r, quals_high_title, 6);
}

static void row_experience(struct genroster_rng *r, struct genroster_row *row, int age)
{
	const int career = age - 22; /* >= 6 for the ages made here */

	if (row->group_types & GENROSTER_GROUP_SKILL_EVALUATION)
		row->assess_years = 1 + (int)genroster_below(r, (uint32_t)row_min(career, 25));
	else
		row->assess_years = genroster_pct(r, 60) ? 0 :
		                    (int)genroster_below(r, (uint32_t)(career / 2 + 1));
	if (row->group_types & GENROSTER_GROUP_TRAINING_REVIEW)
		row->training_years = 10 + (int)genroster_below(r, (uint32_t)(age - 29));
	else
		row->training_years = (int)genroster_below(r, (uint32_t)(row_min(career, 30) + 1));
}

/*
 * A relaxation ground (第十一条(七)), and in most cases a use for it: a
 * lower qualification or too little experience.
 */
static void row_relax(struct genroster_rng *r, struct genroster_row *row)
{
	static const uint32_t grounds[N_GROUNDS] = {30, 25, 20, 15, 10};
	row->relaxations = 1u << row_weighted(r, grounds, N_GROUNDS);
	if (genroster_pct(r, 20))
		row->relaxations |= 1u << row_weighted(r, grounds, N_GROUNDS);

	switch (genroster_below(r, 4)) {
	case 0:
		row->title = (int)genroster_below(r, 2);
		row->qualification = GENROSTER_QUAL_JUNIOR_WORKER + (int)genroster_below(r, 3);
		break;
	case 1:
		if (row->group_types & GENROSTER_GROUP_TRAINING_REVIEW)
			row->training_years = 3 + (int)genroster_below(r, 7);
		break;
	case 2:
		if (row->group_types & GENROSTER_GROUP_SKILL_EVALUATION)
			row->assess_years = 0;
		break;
	default:
		break;
	}
}

static void row_employment(struct genroster_ctx *c, struct genroster_rng *r,
                           struct genroster_row *row)
{
	row->employer = genroster_pool_employer(c->pool, r);
	if (genroster_pct(r, 80))
		memcpy(row->employer_code, row->employer->code, 19);
	else
		row->employer_code[0] = '\0';

	/* Half name a recommending unit: usually the employer itself,
	 * otherwise a school, training institution or association. */
	row->recommender_code[0] = '\0';
	row->recommender = NULL;
	if (genroster_pct(r, 50)) {
		if (row->employer_code[0] && genroster_pct(r, 60))
			row->recommender = row->employer;
		else
			row->recommender = genroster_pool_recommender(c->pool, r);
		memcpy(row->recommender_code, row->recommender->code, 19);
	}

	const char *const *positions = genroster_positions[row->employer->kind];
	size_t n = 0;
	while (positions[n])
		n++;
	row->position = genroster_pct(r, 92) ? positions[genroster_below(r, (uint32_t)n)] : NULL;
}

void genroster_row_make(struct genroster_ctx *c, uint64_t index, struct genroster_row *row)
{
	struct genroster_rng r = genroster_stream(c->seed, ROW_STREAM, index);
	const bool relaxed = genroster_pct(&r, ROW_RELAXED_PCT);

	memset(row, 0, sizeof *row);
	row->sex = genroster_pct(&r, 52) ? 0 : 1;
	/* Ages 28-64, peaking in the mid-forties; a few relaxed experts are
	 * near the limit (a ground never bends it: 第十一条(七) relaxes
	 * (二)(三)(四) only). */
	const int age = relaxed && genroster_pct(&r, 20)
	                        ? 59 + (int)genroster_below(&r, 6)
	                        : 28 + (int)genroster_below(&r, 19) + (int)genroster_below(&r, 19);
	row_set_age(c, &r, row, age);
	genroster_person_name(c, &r, row);
	genroster_person_phone(c, &r, index, row);
	row_employment(c, &r, row);
	row_specialties(c, &r, row);
	row_groups_and_tasks(&r, row, age);
	row_title_and_qualification(&r, row);
	row_experience(&r, row, age);
	if (relaxed)
		row_relax(&r, row);
	genroster_person_email(&r, row);
}

/* Undo what a relaxation ground allowed, so that exactly one planted
 * defect makes the row ineligible. */
static void row_unrelax(struct genroster_ctx *c, struct genroster_rng *r,
                        struct genroster_row *row)
{
	row->relaxations = 0;
	if (row->title < GENROSTER_TITLE_INTERMEDIATE &&
	    row->qualification < GENROSTER_QUAL_TECHNICIAN)
		row->title = GENROSTER_TITLE_INTERMEDIATE;
	if (row_age(c, row) > 64)
		row_set_age(c, r, row, 45 + (int)genroster_below(r, 15));
	if ((row->group_types & GENROSTER_GROUP_SKILL_EVALUATION) && row->assess_years < 1)
		row->assess_years = 1;
	if ((row->group_types & GENROSTER_GROUP_TRAINING_REVIEW) && row->training_years < 10)
		row->training_years = 10;
}

static const char *row_bad_birth_date(struct genroster_rng *r, struct genroster_row *row)
{
	static const int bad[][2] = {{2, 30}, {4, 31}, {6, 31}, {9, 31}, {11, 31},
	                             {2, 29}, {13, 1}, {0, 15}};
	int y, m, d;
	ident_civil_from_days(row->birth, &y, &m, &d);
	const int k = (int)genroster_below(r, sizeof bad / sizeof bad[0]);
	m = bad[k][0];
	d = bad[k][1];
	if (m == 2 && d == 29 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		y++; /* the year after a leap year is a common one */
	char area[7];
	memcpy(area, row->resident_id, 6);
	area[6] = '\0';
	genroster_person_id_digits(row->resident_id, area, y, m, d,
	                           (unsigned)((row->resident_id[14] - '0') * 100 +
	                                      (row->resident_id[15] - '0') * 10 +
	                                      (row->resident_id[16] - '0')));
	snprintf(row->defect_why, sizeof row->defect_why,
	         "birth date %.8s is not a real date", row->resident_id + 6);
	return "resident_id";
}

/* Replace a check character by another one of the same alphabet. */
static char row_other_char(struct genroster_rng *r, const char *alphabet, char right)
{
	const size_t n = strlen(alphabet);
	const size_t at = (size_t)(strchr(alphabet, right) - alphabet);
	return alphabet[(at + 1 + genroster_below(r, (uint32_t)(n - 1))) % n];
}

const char *genroster_row_defect(struct genroster_ctx *c, uint64_t index,
                                 struct genroster_row *row, enum genroster_defect d,
                                 bool zh)
{
	struct genroster_rng r = genroster_stream(c->seed, DEFECT_STREAM, index);
	char *why = row->defect_why;
	const size_t whysz = sizeof row->defect_why;
	int age;

	switch (d) {
	case GENROSTER_D_ID_CHECK: {
		const char right = row->resident_id[17];
		row->resident_id[17] = row_other_char(&r, "0123456789X", right);
		snprintf(why, whysz, "check digit is %c, should be %c", row->resident_id[17], right);
		return "resident_id";
	}
	case GENROSTER_D_PHONE_PREFIX:
		row->phone[1] = '2';
		snprintf(why, whysz, "second digit is 2, must be 3-9");
		return "phone";
	case GENROSTER_D_NO_SPECIALTY:
		row->n_specialties = 0;
		snprintf(why, whysz, "empty, at least one specialty is required");
		return "specialties";
	case GENROSTER_D_UNKNOWN_GROUP:
		row->unknown_group = true;
		snprintf(why, whysz, "unknown group type \"%s\"",
		         zh ? GENROSTER_UNKNOWN_GROUP_ZH : GENROSTER_UNKNOWN_GROUP_EN);
		return "group_types";
	case GENROSTER_D_UNDER_QUALIFIED:
		row_unrelax(c, &r, row);
		row->title = (int)genroster_below(&r, 2);
		row->qualification = (int)genroster_below(&r, 4);
		snprintf(why, whysz, "title %s and qualification %s, no relaxation ground",
		         zh ? genroster_zh_titles[row->title] : proto_titles[row->title],
		         zh ? genroster_zh_qualifications[row->qualification]
		            : proto_qualifications[row->qualification]);
		return "title";
	case GENROSTER_D_TRAINING_YEARS:
		row_unrelax(c, &r, row);
		age = 27 + (int)genroster_below(&r, 3);
		row_set_age(c, &r, row, age);
		row->group_types |= GENROSTER_GROUP_TRAINING_REVIEW;
		row->training_years = age - 20;
		if (row->assess_years > age - 22)
			row->assess_years = age - 22;
		if (row->assess_years < 1 && (row->group_types & GENROSTER_GROUP_SKILL_EVALUATION))
			row->assess_years = 1;
		snprintf(why, whysz, "training review needs 10 years, has %d (aged %d)",
		         row->training_years, age);
		return "training_years";
	case GENROSTER_D_ASSESS_YEARS:
		row_unrelax(c, &r, row);
		row->group_types |= GENROSTER_GROUP_SKILL_EVALUATION;
		row->assess_years = 0;
		snprintf(why, whysz, "skill evaluation needs 1 year of assessment work, has 0");
		return "assess_years";
	case GENROSTER_D_OVER_AGE:
		row_unrelax(c, &r, row);
		age = 66 + (int)genroster_below(&r, 5);
		row_set_age(c, &r, row, age);
		snprintf(why, whysz, "aged %d, over 65 without an age exception", age);
		return "resident_id";
	case GENROSTER_D_BIRTH_DATE:
		return row_bad_birth_date(&r, row);
	case GENROSTER_D_EMPLOYER_CODE: {
		memcpy(row->employer_code, row->employer->code, 19);
		const char right = row->employer_code[17];
		row->employer_code[17] = row_other_char(&r, "0123456789ABCDEFGHJKLMNPQRTUWXY", right);
		snprintf(why, whysz, "check character is %c, should be %c",
		         row->employer_code[17], right);
		return "employer_code";
	}
	case GENROSTER_D_SEX:
		row->sex = -1;
		snprintf(why, whysz, "unknown sex \"%s\"",
		         zh ? GENROSTER_UNKNOWN_SEX_ZH : GENROSTER_UNKNOWN_SEX_EN);
		return "sex";
	case GENROSTER_D_PHONE_SHORT:
	default:
		row->phone[10] = '\0';
		snprintf(why, whysz, "10 digits, must be 11");
		return "phone";
	}
}
