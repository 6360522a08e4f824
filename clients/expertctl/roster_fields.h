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
	ROSTER_K_CODE,      /* an identifier: full-width folded, spaces dropped,
	                     * upper-cased (resident ID, credit code) */
	ROSTER_K_PHONE,     /* a mobile: folded, +86/0086 and separators dropped */
	ROSTER_K_TITLE,     /* a title: the alias table, then common names */
	ROSTER_K_BIRTH,     /* 出生年月: checked against the ID, not sent */
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
	const char *const *choices;        /* the wire values of an enum, or NULL */
	const char *hint_en, *hint_zh;     /* what may be written, for messages */
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

/* The label a wire value is written with (the first of the field's
 * alias table: 男, 副高级, 高级技师, 培训机构评审); NULL when the field
 * has no label for it. What `pool export` writes, so import maps it back. */
const char *roster_fields_label(enum roster_field f, const char *value);

/*
 * A whole number, optionally signed, in ASCII or full-width digits.
 * Returns false with *why set to a static reason otherwise.
 */
bool roster_fields_int(struct roster_span s, int64_t *out, const char **why);

/*
 * An identifier as typed: full-width letters, digits and spaces (U+FF01..
 * U+FF5E, U+3000) folded to ASCII, white space dropped, letters upper-
 * cased. Writes at most outsz-1 bytes and a NUL to out; returns the
 * length.
 */
size_t roster_fields_code(struct roster_span in, char *out, size_t outsz);

/*
 * A mainland mobile as typed: folded like a code, then spaces, '-', '.',
 * '(' and ')' dropped, and a leading +86, 0086 or 86 (before 11 digits)
 * removed. "+86 138 0013 8000" -> "13800138000". Returns the length.
 */
size_t roster_fields_phone(struct roster_span in, char *out, size_t outsz);

/*
 * A professional title (职称) by its level or its common name, to a wire
 * value of proto_titles; NULL if unknown. Levels (无 初级 中级 副高级 正高级,
 * 高级 = 副高级) and the names of PROTOCOL.md 7.5.2: 正高级X/教授级X ->
 * senior, 高级X -> deputy_senior, X -> intermediate, 助理X -> junior, for
 * X a title series (工程师, 讲师, 经济师, ...), and a table of others
 * (教授, 副教授, 研究员, 主任医师, 技术员, ...).
 */
const char *roster_fields_title(struct roster_span in);

/*
 * 出生年月 as typed ("1980.01", "1980-1", "1980年1月", "198001",
 * "1980/1/15", full-width digits) to year*100+month; -1 if unreadable.
 */
int roster_fields_birth_month(struct roster_span in);

#endif
