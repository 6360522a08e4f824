/*
 * roster_fields.h - what a roster column means: the header names each row
 * field goes by (Chinese as on the recommendation form, or the wire name),
 * and how a cell's text becomes wire values (trimming, splitting
 * multi-valued cells, 男 -> male, 副高级 -> deputy_senior, ...). Internal to
 * roster.c; pure functions over strings.
 */
#ifndef EXPERTCTL_ROSTER_FIELDS_H
#define EXPERTCTL_ROSTER_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "roster.h"

enum roster_kind {
	ROSTER_K_STR,       /* one string, as written */
	ROSTER_K_UPPER,     /* one string, ASCII upper-cased (resident ID) */
	ROSTER_K_ENUM,      /* one value through the alias table */
	ROSTER_K_LIST,      /* several strings, as written */
	ROSTER_K_ENUM_LIST, /* several values through the alias table */
	ROSTER_K_INT,       /* a whole number */
};

/* A label a value may be written as, and the wire value it stands for. */
struct roster_alias {
	const char *label;
	const char *value;
};

struct roster_field_info {
	const char *name;                  /* wire name */
	enum roster_kind kind;
	bool required;                     /* the column must exist */
	const char *const *headers;        /* Chinese header names, first = canonical */
	const struct roster_alias *aliases; /* NULL-terminated, or NULL */
};

/* A piece of a cell (points into the cell's text). */
struct roster_span {
	const char *s;
	size_t len;
};

/* Most items one multi-valued cell may hold. */
#define ROSTER_MAX_ITEMS 16

const struct roster_field_info *roster_field_info(enum roster_field f);

/* The field a (trimmed) header names: a Chinese alias or the wire name,
 * the latter case-insensitively. */
bool roster_fields_header(const char *s, size_t len, enum roster_field *out);

/* Strip ASCII white space, U+3000 (ideographic space), U+00A0 and U+FEFF
 * from both ends. */
struct roster_span roster_fields_trim(struct roster_span in);

/*
 * Split a multi-valued cell on 、 ， , ； ; | / ／ and line breaks into
 * trimmed, non-empty items. A label of the field's alias table that itself
 * contains a separator ("国家标准、题库、课程开发评审") stays one item.
 * Returns the number of items, or SIZE_MAX if there are more than max.
 */
size_t roster_fields_split(enum roster_field f, struct roster_span cell,
                           struct roster_span *items, size_t max);

/* The wire value for one item: the alias's value, or NULL when the item
 * has no alias (it is then sent as written). */
const char *roster_fields_alias(enum roster_field f, struct roster_span item);

/*
 * A whole number, optionally signed, in ASCII or full-width digits.
 * Returns false with *why set to a static reason otherwise.
 */
bool roster_fields_int(struct roster_span s, int64_t *out, const char **why);

#endif
