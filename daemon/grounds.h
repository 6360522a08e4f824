/*
 * grounds.h - the grounds of a suspension or revocation (第十七条,
 * POLICY.md 6.3): the four built in, then those the Center configures in
 * [grounds] (expertd.conf(5)), each a stable code with a Chinese label
 * and optionally an English one. SIGHUP replaces the configured list.
 */
#ifndef EXPERTD_GROUNDS_H
#define EXPERTD_GROUNDS_H

#include <stdbool.h>
#include <stddef.h>

#include "ident.h"

#define GROUNDS_MAX 32          /* configured grounds, besides the built-in */
#define GROUNDS_LABEL_MAX 96    /* bytes of a label */

struct ground {
	char code[IDENT_GROUND_SIZE];
	char label[GROUNDS_LABEL_MAX + 1];     /* Chinese */
	char label_en[GROUNDS_LABEL_MAX + 1];  /* English, "" if none */
};

/* The configured grounds, in the order of the file. */
struct grounds {
	struct ground v[GROUNDS_MAX];
	size_t n;
};

/* The built-in grounds, in the order of proto_status_grounds. */
extern const struct ground grounds_builtin[];
#define GROUNDS_BUILTIN_COUNT 4

/*
 * Add `code = value` of [grounds] to g: value is the Chinese label,
 * optionally followed by '|' and the English one (blanks around each are
 * dropped). False with a reason in why: a bad code, a built-in or repeated
 * one, an empty, overlong or non-UTF-8 label, too many grounds.
 */
bool grounds_add(struct grounds *g, const char *code, const char *value,
                 char *why, size_t whysz);

/* The ground named by the n bytes of s, built-in or in g (may be NULL);
 * NULL when neither has it. */
const struct ground *grounds_find(const struct grounds *g, const char *s, size_t n);

/* "confidentiality, favouritism, ..., bribery": every accepted code, in
 * order; whole codes only, ending ", …" when not all fit in buf. */
void grounds_codes(const struct grounds *g, char *buf, size_t size);

#endif
