/*
 * eligibility.h - who may be appointed (第十一条) and who may lead a group
 * (第十二、十三条). Pure: the caller passes the date of the check.
 */
#ifndef EXPERTD_ELIGIBILITY_H
#define EXPERTD_ELIGIBILITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "expert.h"

#define ELIGIBILITY_MAX_AGE 65

/*
 * Check appointment eligibility of e on day `today`. Returns true if
 * eligible. Otherwise returns false, sets *field to the protocol field
 * at fault ("title", "assess_years", "training_years", "resident_id" for
 * age) and *why to a static human reason. Conditions (二)(三)(四) are
 * waived when any relaxation ground is recorded; the age limit (六) only
 * by an age exception.
 */
bool eligibility_check(const struct expert *e, int32_t today,
                       const char **field, const char **why);

/* Every failed condition of eligibility_check(), not just the first:
 * up to max (field, reason) pairs, in the same order. Returns how many. */
size_t eligibility_failures(const struct expert *e, int32_t today,
                            const char **fields, const char **whys, size_t max);

/*
 * Where e is eligible (POLICY.md 4.2): 0 = in every specialty; else a
 * bit set over e->specialties (bit i = specialties[i]): an expert who
 * fails rules 1-3 and whose only grounds are shortage_occupation and
 * new_occupation is eligible only in the occupations they name
 * (e->relax_occupations). Never every bit (that is 0). The caller has
 * checked eligibility_occupations_problem(); what eligibility_failures()
 * reports is unaffected (the expert is eligible somewhere).
 */
unsigned eligibility_specialty_mask(const struct expert *e);

/*
 * The problem of e's relax_occupations (the row field
 * relaxation_occupations), or NULL: one names an occupation that is not
 * one of e's specialties (both canonical names, REGISTRY.md 3.3, so
 * called after the catalogue mapped them). A msgid.
 */
const char *eligibility_occupations_problem(const struct expert *e);

/* 第十二、十三条: senior title (deputy_senior or senior) or senior
 * technician, or a ministry/province-level expert (senior_expert). */
bool eligibility_leader(const struct expert *e);

/* Age limit on `on` (a draw date), waived by an age exception only. */
bool eligibility_age_ok(const struct expert *e, int32_t on);

#endif
