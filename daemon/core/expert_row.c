/*
 * expert_row.c - roster row to expert (see expert_row.h). Every rule is
 * checked and every failure kept, so one pass over a roster shows all of
 * a row's problems (issue #12).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "eligibility.h"
#include "expert_row.h"
#include "i18n.h"
#include "proto.h"

_Static_assert(EXPERT_REVOKED + 1 == PROTO_STATUSES_COUNT,
               "enum expert_status and proto_statuses differ");
_Static_assert(TITLE_SENIOR + 1 == PROTO_TITLES_COUNT,
               "enum expert_title and proto_titles differ");
_Static_assert(QUAL_SENIOR_TECHNICIAN + 1 == PROTO_QUALIFICATIONS_COUNT,
               "enum expert_qual and proto_qualifications differ");

#define EXPERT_ROW_REQUIRED N_("required, and missing or empty")

void expert_row_problem_add(struct expert_row_problems *p, const char *field,
                            const char *why)
{
	if (!p || p->n >= EXPERT_ROW_MAX_PROBLEMS)
		return;
	p->v[p->n].field = field;
	/* A msgid, or a message already in the caller's language (a lookup
	 * of which gives it back). */
	snprintf(p->v[p->n].why, sizeof p->v[p->n].why, "%s", _(why));
	p->n++;
}

/*
 * 第八条 sorts experts by the tasks they undertake; the form's five boxes
 * (proto_task_types order) fall to the groups thus: training-institution
 * review to training review; standards and question development, assessor
 * training and evaluation-institution assessment to skill evaluation
 * (第四条(一)(二)(五), 第六条); level-certification plans and methods
 * guidance to methods.
 */
unsigned expert_row_groups_of_tasks(unsigned task_types)
{
	static const unsigned group_of_task[] = {
		GROUP_TRAINING_REVIEW, GROUP_SKILL_EVALUATION, GROUP_METHODS,
		GROUP_SKILL_EVALUATION, GROUP_SKILL_EVALUATION};
	_Static_assert(sizeof group_of_task / sizeof group_of_task[0] ==
	               PROTO_TASK_TYPES_COUNT, "a task type without a group");
	unsigned groups = 0;
	for (unsigned i = 0; i < PROTO_TASK_TYPES_COUNT; i++)
		if (task_types & (1u << i))
			groups |= group_of_task[i];
	return groups;
}

static unsigned choice_set(const msgpack_object *row, const char *key,
                           const char *const *choices)
{
	const msgpack_object *a = proto_map_get(row, key);
	unsigned set = 0;
	if (!a || a->type != MSGPACK_OBJECT_ARRAY)
		return 0;
	for (uint32_t i = 0; i < a->via.array.size; i++) {
		const msgpack_object *o = &a->via.array.ptr[i];
		int k = proto_choice_index(choices, o->via.str.ptr, o->via.str.size);
		if (k >= 0)
			set |= 1u << k;
	}
	return set;
}

/* The choice index of an optional enum field; -1 if absent. */
static int choice_one(const msgpack_object *row, const char *key,
                      const char *const *choices)
{
	const char *s;
	size_t n;
	if (!proto_map_str(row, key, &s, &n))
		return -1;
	return proto_choice_index(choices, s, n);
}

/* An optional credit code field: empty is allowed. */
static void org_code(const msgpack_object *row, const char *key,
                     char out[IDENT_CODE_SIZE], struct expert_row_problems *errors)
{
	const char *s, *w = NULL;
	size_t n;
	out[0] = '\0';
	if (!proto_map_str(row, key, &s, &n) || n == 0)
		return;
	if (ident_credit_code(s, n, &w) != IDENT_OK) {
		expert_row_problem_add(errors, key, w ? w : "not a unified social credit code");
		return;
	}
	memcpy(out, s, n);
	out[n] = '\0';
}

static void specialties(const msgpack_object *row, struct expert *e,
                        struct expert_row_problems *errors)
{
	const msgpack_object *a = proto_map_get(row, "specialties");
	e->n_specialties = 0;
	if (!a || a->via.array.size == 0) {
		expert_row_problem_add(errors, "specialties", EXPERT_ROW_REQUIRED);
		return;
	}
	for (uint32_t i = 0; i < a->via.array.size; i++) {
		const msgpack_object *o = &a->via.array.ptr[i];
		if (o->via.str.size > EXPERT_TEXT_MAX ||
		    memchr(o->via.str.ptr, '|', o->via.str.size)) {
			expert_row_problem_add(errors, "specialties", "a specialty name must be "
			                       "at most 128 bytes without '|'");
			return;
		}
		memcpy(e->specialties[e->n_specialties], o->via.str.ptr, o->via.str.size);
		e->specialties[e->n_specialties++][o->via.str.size] = '\0';
	}
}

/* The occupations the occupation-tied grounds name (PROTOCOL.md 7.5.2
 * relaxation_occupations): required with such a ground, refused without
 * one; that each is a specialty is checked once the catalogue mapped
 * both (eligibility_occupations_problem()). */
static void relax_occupations(const msgpack_object *row, struct expert *e,
                              struct expert_row_problems *errors)
{
	const msgpack_object *a = proto_map_get(row, "relaxation_occupations");
	uint32_t n = a ? a->via.array.size : 0;
	e->n_relax_occupations = 0;
	if ((e->relaxations & RELAX_BY_OCCUPATION) && n == 0) {
		expert_row_problem_add(errors, "relaxation_occupations",
		                       "required with the grounds shortage_occupation "
		                       "(我市紧缺工种) and new_occupation (国家新职业): the "
		                       "occupation they are about, one of the row's specialties");
		return;
	}
	if (!(e->relaxations & RELAX_BY_OCCUPATION) && n > 0) {
		expert_row_problem_add(errors, "relaxation_occupations",
		                       "given without the ground shortage_occupation or "
		                       "new_occupation, the only grounds that name an occupation");
		return;
	}
	/* The schema holds each to 1-128 bytes and the list to 1-3. */
	for (uint32_t i = 0; i < n && i < EXPERT_MAX_SPECIALTIES; i++) {
		const msgpack_object *o = &a->via.array.ptr[i];
		memcpy(e->relax_occupations[i], o->via.str.ptr, o->via.str.size);
		e->relax_occupations[i][o->via.str.size] = '\0';
		e->n_relax_occupations++;
	}
}

/* Name, sex and the resident ID, and the ID's sex digit against 性别. */
static void identity(const msgpack_object *row, int32_t today, struct expert *e,
                     struct expert_row_problems *errors,
                     struct expert_row_problems *warnings)
{
	const char *s, *w = NULL;
	size_t n;
	if (!proto_map_strcpy(row, "name", e->name, sizeof e->name) || !e->name[0])
		expert_row_problem_add(errors, "name", EXPERT_ROW_REQUIRED);
	int sex = choice_one(row, "sex", proto_sexes);
	if (sex < 0)
		expert_row_problem_add(errors, "sex", EXPERT_ROW_REQUIRED);
	e->sex = sex < 0 ? 0 : sex;
	if (!proto_map_str(row, "resident_id", &s, &n) || n == 0) {
		expert_row_problem_add(errors, "resident_id", EXPERT_ROW_REQUIRED);
		return;
	}
	enum ident_result r = ident_resident_id(s, n, today, &e->birth, &w);
	if (r == IDENT_INVALID) {
		expert_row_problem_add(errors, "resident_id", w);
		return;
	}
	if (r == IDENT_WARN)
		expert_row_problem_add(warnings, "resident_id", w);
	for (size_t i = 0; i < n && i < sizeof e->resident_id - 1; i++)
		e->resident_id[i] = (char)toupper((unsigned char)s[i]);
	/* GB 11643: the 17th digit is odd for men, even for women. */
	int id_sex = (e->resident_id[16] - '0') % 2 == 1 ? 0 : 1;
	if (sex >= 0 && sex != id_sex) {
		char why[EXPERT_ROW_REASON_MAX];
		snprintf(why, sizeof why, _("does not match the resident ID, whose 17th digit "
		         "says %s"), proto_sexes[id_sex]);
		expert_row_problem_add(errors, "sex", why);
	}
}

/* Group types as given, or derived from the task types (第八条). */
static void groups(const msgpack_object *row, struct expert *e,
                   struct expert_row_problems *errors)
{
	e->task_types = choice_set(row, "task_types", proto_task_types);
	e->group_types = choice_set(row, "group_types", proto_group_types);
	if (!e->group_types)
		e->group_types = expert_row_groups_of_tasks(e->task_types);
	if (!e->group_types)
		expert_row_problem_add(errors, "group_types", "no group type, and no task "
		                       "types to derive one from (第八条)");
}

static void eligibility(struct expert *e, int32_t today,
                        struct expert_row_problems *errors)
{
	const char *fields[4], *whys[4];
	size_t n = eligibility_failures(e, today, fields, whys, 4);
	/* An age cannot be judged without a valid ID. */
	for (size_t i = 0; i < n; i++)
		if (e->resident_id[0] || strcmp(fields[i], "resident_id") != 0)
			expert_row_problem_add(errors, fields[i], whys[i]);
	e->leader_eligible = eligibility_leader(e);
}

enum ident_result expert_from_row(const msgpack_object *row, int32_t today,
                                  bool age_exception, struct expert *e,
                                  struct expert_row_problems *errors,
                                  struct expert_row_problems *warnings)
{
	struct expert_row_problems errs = {.n = 0}, warns = {.n = 0};
	const char *s, *w = NULL;
	size_t n;
	memset(e, 0, sizeof *e);
	identity(row, today, e, &errs, &warns);
	if (!proto_map_str(row, "phone", &s, &n) || n == 0)
		expert_row_problem_add(&errs, "phone", EXPERT_ROW_REQUIRED);
	else if (ident_mobile(s, n, &w) != IDENT_OK)
		expert_row_problem_add(&errs, "phone", w);
	else
		memcpy(e->phone, s, n);
	org_code(row, "employer_code", e->employer_code, &errs);
	org_code(row, "recommender_code", e->recommender_code, &errs);
	specialties(row, e, &errs);
	proto_map_strcpy(row, "employer", e->employer, sizeof e->employer);
	proto_map_strcpy(row, "position", e->position, sizeof e->position);
	proto_map_strcpy(row, "email", e->email, sizeof e->email);
	if (e->email[0] && !strchr(e->email, '@'))
		expert_row_problem_add(&errs, "email", "not an e-mail address");
	groups(row, e, &errs);
	e->relaxations = choice_set(row, "relaxations", proto_relaxations);
	proto_map_strcpy(row, "relaxation_evidence", e->relax_evidence,
	                 sizeof e->relax_evidence);
	if (e->relaxations && !e->relax_evidence[0])
		expert_row_problem_add(&errs, "relaxation_evidence",
		                       "a relaxation ground (第十一条(七)) needs its evidence: "
		                       "the award, the occupation list or the appointment it "
		                       "rests on");
	relax_occupations(row, e, &errs);
	int k = choice_one(row, "title", proto_titles);
	e->title = k < 0 ? 0 : k;
	k = choice_one(row, "qualification", proto_qualifications);
	e->qualification = k < 0 ? 0 : k;
	e->assess_years = (int)proto_map_int(row, "assess_years", 0);
	e->training_years = (int)proto_map_int(row, "training_years", 0);
	e->age_exception = age_exception;
	eligibility(e, today, &errs);
	if (errors)
		*errors = errs;
	if (warnings)
		*warnings = warns;
	return errs.n ? IDENT_INVALID : warns.n ? IDENT_WARN : IDENT_OK;
}
