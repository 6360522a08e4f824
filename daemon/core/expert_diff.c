/*
 * expert_diff.c - field-by-field differences of two expert records (see
 * expert_diff.h).
 */
#include <stdio.h>
#include <string.h>

#include "expert_diff.h"
#include "proto.h"

const char *const expert_diff_fields[EXPERT_DIFF_FIELDS + 1] = {
	"name", "sex", "resident_id", "phone", "employer", "employer_code",
	"recommender_code", "specialties", "group_types", "task_types", "title",
	"qualification", "assess_years", "training_years", "relaxations",
	"relaxation_occupations", "position", "email", NULL};

struct expert_diff_out {
	char *buf;
	size_t size, len;
	int count;
	unsigned mask;
};

static void expert_diff_add(struct expert_diff_out *o, const char *field,
                            const char *from, const char *to)
{
	static const char ellipsis[] = "\xe2\x80\xa6"; /* … */
	for (unsigned i = 0; i < EXPERT_DIFF_FIELDS; i++)
		if (strcmp(expert_diff_fields[i], field) == 0)
			o->mask |= 1u << i;
	o->count++;
	if (o->len + 1 >= o->size)
		return;
	int n = to ? snprintf(o->buf + o->len, o->size - o->len, "%s%s %s \xe2\x86\x92 %s",
	                      o->len ? "; " : "", field, from[0] ? from : "\"\"",
	                      to[0] ? to : "\"\"")
	           : snprintf(o->buf + o->len, o->size - o->len, "%s%s changed",
	                      o->len ? "; " : "", field);
	if (n >= 0 && (size_t)n < o->size - o->len) {
		o->len += (size_t)n;
		return;
	}
	/* Cut at a character boundary and mark the cut. */
	size_t end = o->size - sizeof ellipsis;
	while (end > 0 && ((unsigned char)o->buf[end] & 0xc0) == 0x80)
		end--;
	memcpy(o->buf + end, ellipsis, sizeof ellipsis);
	o->len = o->size;
}

static void expert_diff_str(struct expert_diff_out *o, const char *field,
                            const char *a, const char *b)
{
	if (strcmp(a, b) != 0)
		expert_diff_add(o, field, a, b);
}

static void expert_diff_choice(struct expert_diff_out *o, const char *field,
                               const char *const *choices, int a, int b)
{
	if (a != b)
		expert_diff_add(o, field, choices[a], choices[b]);
}

/* A bit set as its wire names joined by '|'. */
static void expert_diff_set_text(const char *const *choices, unsigned set, char *out,
                                 size_t outsz)
{
	size_t len = 0;
	out[0] = '\0';
	for (unsigned i = 0; choices[i] && len < outsz; i++)
		if (set & (1u << i))
			len += (size_t)snprintf(out + len, outsz - len, "%s%s", len ? "|" : "",
			                        choices[i]);
}

static void expert_diff_set(struct expert_diff_out *o, const char *field,
                            const char *const *choices, unsigned a, unsigned b)
{
	char ta[160], tb[160];
	if (a == b)
		return;
	expert_diff_set_text(choices, a, ta, sizeof ta);
	expert_diff_set_text(choices, b, tb, sizeof tb);
	expert_diff_add(o, field, ta, tb);
}

static void expert_diff_int(struct expert_diff_out *o, const char *field, int a, int b)
{
	char ta[16], tb[16];
	if (a == b)
		return;
	snprintf(ta, sizeof ta, "%d", a);
	snprintf(tb, sizeof tb, "%d", b);
	expert_diff_add(o, field, ta, tb);
}

/* A list of names (specialties, relaxation occupations) joined by '|'. */
static void expert_diff_names(struct expert_diff_out *o, const char *field,
                              const char a[][EXPERT_TEXT_MAX + 1], int na,
                              const char b[][EXPERT_TEXT_MAX + 1], int nb)
{
	char ta[EXPERT_MAX_SPECIALTIES * (EXPERT_TEXT_MAX + 1) + 4];
	char tb[sizeof ta];
	const char (*x[2])[EXPERT_TEXT_MAX + 1] = {a, b};
	int nx[2] = {na, nb};
	char *t[2] = {ta, tb};
	for (int k = 0; k < 2; k++) {
		size_t len = 0;
		t[k][0] = '\0';
		for (int i = 0; i < nx[k]; i++)
			len += (size_t)snprintf(t[k] + len, sizeof ta - len, "%s%s",
			                        i ? "|" : "", x[k][i]);
	}
	expert_diff_str(o, field, ta, tb);
}

int expert_diff(const struct expert *old, const struct expert *e, char *out,
                size_t outsz, unsigned *mask)
{
	struct expert_diff_out o = {out, outsz, 0, 0, 0};
	if (outsz)
		out[0] = '\0';
	expert_diff_str(&o, "name", old->name, e->name);
	expert_diff_choice(&o, "sex", proto_sexes, old->sex, e->sex);
	if (strcmp(old->resident_id, e->resident_id) != 0)
		expert_diff_add(&o, "resident_id", "", NULL);
	if (strcmp(old->phone, e->phone) != 0)
		expert_diff_add(&o, "phone", "", NULL);
	expert_diff_str(&o, "employer", old->employer, e->employer);
	expert_diff_str(&o, "employer_code", old->employer_code, e->employer_code);
	expert_diff_str(&o, "recommender_code", old->recommender_code,
	                e->recommender_code);
	expert_diff_names(&o, "specialties", old->specialties, old->n_specialties,
	                  e->specialties, e->n_specialties);
	expert_diff_set(&o, "group_types", proto_group_types, old->group_types,
	                e->group_types);
	expert_diff_set(&o, "task_types", proto_task_types, old->task_types, e->task_types);
	expert_diff_choice(&o, "title", proto_titles, old->title, e->title);
	expert_diff_choice(&o, "qualification", proto_qualifications, old->qualification,
	                   e->qualification);
	expert_diff_int(&o, "assess_years", old->assess_years, e->assess_years);
	expert_diff_int(&o, "training_years", old->training_years, e->training_years);
	expert_diff_set(&o, "relaxations", proto_relaxations, old->relaxations,
	                e->relaxations);
	expert_diff_names(&o, "relaxation_occupations", old->relax_occupations,
	                  old->n_relax_occupations, e->relax_occupations,
	                  e->n_relax_occupations);
	expert_diff_str(&o, "position", old->position, e->position);
	if (strcmp(old->email, e->email) != 0)
		expert_diff_add(&o, "email", "", NULL);
	if (mask)
		*mask = o.mask;
	return o.count;
}
