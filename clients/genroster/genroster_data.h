/*
 * genroster_data.h - the vocabulary of synthetic Guangzhou rosters: names,
 * places, occupations, organisations and the cell labels of the form.
 */
#ifndef GENROSTER_DATA_H
#define GENROSTER_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "genroster.h"

/* A Chinese syllable with its pinyin and a relative frequency. */
struct genroster_han {
	const char *han;
	const char *pinyin;
	uint32_t weight;
};

/* Residence code (first six digits of a resident ID) and its weight. */
struct genroster_area {
	const char *code;
	uint32_t weight;
};

struct genroster_district {
	const char *name; /* "天河区" */
	const char *code; /* "440106" */
};

extern const struct genroster_han genroster_surnames[];
extern const size_t genroster_n_surnames;
extern const struct genroster_han genroster_given_male[];
extern const size_t genroster_n_given_male;
extern const struct genroster_han genroster_given_female[];
extern const size_t genroster_n_given_female;

extern const struct genroster_area genroster_areas[];
extern const size_t genroster_n_areas;
extern const struct genroster_district genroster_districts[];
extern const size_t genroster_n_districts;

/* Real occupation (work type) names of 职业分类大典, most common first. */
extern const char *const genroster_occupations[];
extern const size_t genroster_n_occupations;

extern const char *const genroster_brands[];
extern const size_t genroster_n_brands;
extern const char *const genroster_industries[];
extern const size_t genroster_n_industries;
extern const char *const genroster_associations[];
extern const size_t genroster_n_associations;
/* NULL-terminated lists of job positions, per enum genroster_org_kind. */
extern const char *const *const genroster_positions[GENROSTER_ORG__COUNT];

extern const char *const genroster_mobile_prefixes[];
extern const size_t genroster_n_mobile_prefixes;
extern const char *const genroster_mail_domains[];
extern const size_t genroster_n_mail_domains;

/* Cell labels of the Chinese roster, indexed like the proto_* lists. */
extern const char *const genroster_zh_sexes[];
extern const char *const genroster_zh_group_types[];
extern const char *const genroster_zh_task_types[];
extern const char *const genroster_zh_relaxations[];
extern const char *const genroster_zh_titles[];
extern const char *const genroster_zh_qualifications[];

#define GENROSTER_N_COLUMNS 20
extern const char *const genroster_relaxation_evidence[5];
extern const char *const genroster_headers_zh[GENROSTER_N_COLUMNS];
extern const char *const genroster_headers_en[GENROSTER_N_COLUMNS];

#endif
