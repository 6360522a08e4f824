/*
 * expert_row.c - roster row to expert (see expert_row.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "eligibility.h"
#include "expert_row.h"
#include "proto.h"

_Static_assert(EXPERT_REVOKED + 1 == PROTO_STATUSES_COUNT,
               "enum expert_status and proto_statuses differ");
_Static_assert(TITLE_SENIOR + 1 == PROTO_TITLES_COUNT,
               "enum expert_title and proto_titles differ");
_Static_assert(QUAL_SENIOR_TECHNICIAN + 1 == PROTO_QUALIFICATIONS_COUNT,
               "enum expert_qual and proto_qualifications differ");

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

static int choice_one(const msgpack_object *row, const char *key,
                      const char *const *choices)
{
	const char *s;
	size_t n;
	if (!proto_map_str(row, key, &s, &n))
		return 0;
	int k = proto_choice_index(choices, s, n);
	return k < 0 ? 0 : k;
}

static enum ident_result fail(const char **field, const char *f, char *why,
                              size_t whysz, const char *msg)
{
	*field = f;
	snprintf(why, whysz, "%s", msg);
	return IDENT_INVALID;
}

/* An optional credit code field: empty is allowed. */
static enum ident_result org_code(const msgpack_object *row, const char *key,
                                  char out[IDENT_CODE_SIZE], const char **field, char *why,
                                  size_t whysz)
{
	const char *s, *w = NULL;
	size_t n;
	out[0] = '\0';
	if (!proto_map_str(row, key, &s, &n) || n == 0)
		return IDENT_OK;
	if (ident_credit_code(s, n, &w) != IDENT_OK)
		return fail(field, key, why, whysz, w ? w : "not a unified social credit code");
	memcpy(out, s, n);
	out[n] = '\0';
	return IDENT_OK;
}

static enum ident_result specialties(const msgpack_object *row, struct expert *e,
                                     const char **field, char *why, size_t whysz)
{
	const msgpack_object *a = proto_map_get(row, "specialties");
	e->n_specialties = 0;
	for (uint32_t i = 0; a && i < a->via.array.size; i++) {
		const msgpack_object *o = &a->via.array.ptr[i];
		if (o->via.str.size > EXPERT_TEXT_MAX ||
		    memchr(o->via.str.ptr, '|', o->via.str.size))
			return fail(field, "specialties", why, whysz,
			            "a specialty name must be at most 128 bytes without '|'");
		memcpy(e->specialties[e->n_specialties], o->via.str.ptr, o->via.str.size);
		e->specialties[e->n_specialties++][o->via.str.size] = '\0';
	}
	return IDENT_OK;
}

enum ident_result expert_from_row(const msgpack_object *row, int32_t today,
                                  bool age_exception, struct expert *e,
                                  const char **field, char *why, size_t whysz)
{
	const char *s, *w = NULL;
	size_t n;
	enum ident_result warn = IDENT_OK;
	memset(e, 0, sizeof *e);
	*field = NULL;
	why[0] = '\0';

	proto_map_strcpy(row, "name", e->name, sizeof e->name);
	e->sex = choice_one(row, "sex", proto_sexes);

	proto_map_str(row, "resident_id", &s, &n);
	enum ident_result r = ident_resident_id(s, n, today, &e->birth, &w);
	if (r == IDENT_INVALID)
		return fail(field, "resident_id", why, whysz, w);
	if (r == IDENT_WARN) {
		warn = IDENT_WARN;
		*field = "resident_id";
		snprintf(why, whysz, "%s", w);
	}
	for (size_t i = 0; i < n && i < sizeof e->resident_id - 1; i++)
		e->resident_id[i] = (char)toupper((unsigned char)s[i]);

	proto_map_str(row, "phone", &s, &n);
	if (ident_mobile(s, n, &w) != IDENT_OK)
		return fail(field, "phone", why, whysz, w);
	memcpy(e->phone, s, n);

	if (org_code(row, "employer_code", e->employer_code, field, why, whysz) ||
	    org_code(row, "recommender_code", e->recommender_code, field, why, whysz))
		return IDENT_INVALID;
	if (specialties(row, e, field, why, whysz))
		return IDENT_INVALID;

	proto_map_strcpy(row, "employer", e->employer, sizeof e->employer);
	proto_map_strcpy(row, "position", e->position, sizeof e->position);
	proto_map_strcpy(row, "email", e->email, sizeof e->email);
	if (e->email[0] && !strchr(e->email, '@'))
		return fail(field, "email", why, whysz, "not an e-mail address");
	e->group_types = choice_set(row, "group_types", proto_group_types);
	e->task_types = choice_set(row, "task_types", proto_task_types);
	e->relaxations = choice_set(row, "relaxations", proto_relaxations);
	proto_map_strcpy(row, "relaxation_evidence", e->relax_evidence,
	                 sizeof e->relax_evidence);
	if (e->relaxations && !e->relax_evidence[0])
		return fail(field, "relaxation_evidence", why, whysz,
		            "a relaxation ground (第十一条(七)) needs its evidence: "
		            "the award, the occupation list or the appointment it rests on");
	e->age_exception = age_exception;
	e->title = choice_one(row, "title", proto_titles);
	e->qualification = choice_one(row, "qualification", proto_qualifications);
	e->assess_years = (int)proto_map_int(row, "assess_years", 0);
	e->training_years = (int)proto_map_int(row, "training_years", 0);

	const char *f = NULL, *msg = NULL;
	if (!eligibility_check(e, today, &f, &msg))
		return fail(field, f, why, whysz, msg);
	e->leader_eligible = eligibility_leader(e);
	return warn;
}
