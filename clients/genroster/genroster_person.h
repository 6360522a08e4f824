/*
 * genroster_person.h - the personal fields of a synthetic row (see
 * genroster_person.c). Internal to expert-genroster.
 */
#ifndef GENROSTER_PERSON_H
#define GENROSTER_PERSON_H

#include <stdint.h>

#include "genroster.h"

/* Name and its pinyin, for row->sex. */
void genroster_person_name(struct genroster_ctx *c, struct genroster_rng *r,
                           struct genroster_row *row);
/* A birth day on which the person is exactly `age` on c->today. */
int32_t genroster_person_birth(struct genroster_ctx *c, struct genroster_rng *r, int age);
/* A run-unique resident ID for row->birth and row->sex (may move
 * row->birth by a day in the rare case of many collisions). */
void genroster_person_id(struct genroster_ctx *c, struct genroster_rng *r,
                         struct genroster_row *row);
/* 17 digits from their parts plus the right check digit; the date is
 * written as given, even when it is not a real one. */
void genroster_person_id_digits(char id[IDENT_CODE_SIZE], const char *area, int y, int m, int d,
                                unsigned seq);
/* A mobile number unique to row `index`. */
void genroster_person_phone(struct genroster_ctx *c, struct genroster_rng *r,
                            uint64_t index, struct genroster_row *row);
/* An address (or none) built from row->pinyin and the birth year. */
void genroster_person_email(struct genroster_rng *r, struct genroster_row *row);

#endif
