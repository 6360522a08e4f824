/*
 * expert_form.c - the 推荐表's kept fields of a roster row (expert.h
 * struct expert_form): copied as given, never checked (PROTOCOL.md 7.5.2),
 * and the appointment enum's agreement with the wire list. Pure.
 */
#include <string.h>

#include "expert_form.h"
#include "proto.h"

_Static_assert(APPOINT_REJECTED + 1 == PROTO_APPOINTMENTS_COUNT,
               "enum expert_appointment and proto_appointments differ");

/* The row's text fields, in the order pool.show lists them. */
#define FORM_TEXT(f, name) {name, offsetof(struct expert_form, f), \
                            sizeof ((struct expert_form *)0)->f}
const struct expert_form_text expert_form_texts[EXPERT_FORM_TEXTS] = {
	FORM_TEXT(education, "education"),
	FORM_TEXT(politics, "politics"),
	FORM_TEXT(ethnicity, "ethnicity"),
	FORM_TEXT(occupation, "occupation"),
	FORM_TEXT(qualification_occupation, "qualification_occupation"),
	FORM_TEXT(title_field, "title_field"),
	FORM_TEXT(address, "address"),
	FORM_TEXT(postcode, "postcode"),
	FORM_TEXT(landline, "landline"),
	FORM_TEXT(experience, "experience"),
	FORM_TEXT(achievements, "achievements"),
	FORM_TEXT(recommendation, "recommendation"),
};

char *expert_form_field(struct expert_form *f, size_t i)
{
	return (char *)f + expert_form_texts[i].offset;
}

const char *expert_form_cfield(const struct expert_form *f, size_t i)
{
	return (const char *)f + expert_form_texts[i].offset;
}

void expert_form_from_row(const msgpack_object *row, struct expert_form *f)
{
	memset(f, 0, sizeof *f);
	f->recommender_kind = -1;
	const char *s;
	size_t n;
	if (proto_map_str(row, "recommender_kind", &s, &n))
		f->recommender_kind = proto_choice_index(proto_recommender_kinds, s, n);
	/* The schema bounds each field to fit; an oversized one stays "". */
	for (size_t i = 0; i < EXPERT_FORM_TEXTS; i++)
		proto_map_strcpy(row, expert_form_texts[i].name, expert_form_field(f, i),
		                 expert_form_texts[i].size);
}

void expert_form_keep_absent(const msgpack_object *row, struct expert_form *f,
                             const struct expert_form *old)
{
	for (size_t i = 0; i < EXPERT_FORM_TEXTS; i++)
		if (!proto_map_get(row, expert_form_texts[i].name))
			memcpy(expert_form_field(f, i), expert_form_cfield(old, i),
			       expert_form_texts[i].size);
}

bool expert_form_is_sensitive(size_t i)
{
	return strcmp(expert_form_texts[i].name, "address") == 0 ||
	       strcmp(expert_form_texts[i].name, "landline") == 0;
}
