/*
 * catalog.h - the occupation catalogue (职业/工种): each entry has a
 * canonical name, an optional national code (职业编码), aliases and the
 * group types it serves. Names and aliases are found by their matching
 * keys (textnorm.h, TEXTNORM_OCCUPATION), and each key belongs to one
 * entry only. A specialty typed in a roster or a draw is mapped to the
 * canonical name of its entry, which is what experts and tasks hold.
 * Pure: the daemon loads it from the store and keeps it in step
 * (proto/REGISTRY.md section 3).
 */
#ifndef EXPERTD_CATALOG_H
#define EXPERTD_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "expert.h"
#include "textnorm.h"

#define CATALOG_NAME_MAX 128     /* bytes: a specialty's limit (PROTOCOL.md 7.5.2) */
#define CATALOG_CODE_MAX 32
#define CATALOG_MAX_ALIASES 8

struct catalog_entry {
	int64_t id;                       /* 1, 2, ... in the order entries were made */
	char name[CATALOG_NAME_MAX + 1];  /* canonical: what experts hold */
	char code[CATALOG_CODE_MAX + 1];  /* national code, "" if none */
	char aliases[CATALOG_MAX_ALIASES][CATALOG_NAME_MAX + 1];
	int n_aliases;
	unsigned group_types;             /* GROUP_* bits of expert.h */
};

enum catalog_result {
	CATALOG_OK,
	CATALOG_NOMEM,
	CATALOG_BAD_NAME,  /* no matching key (empty, not UTF-8), '|', too long */
	CATALOG_BAD_CODE,  /* not "" nor a code such as 6-31-01-03 */
	CATALOG_CLASH,     /* its key belongs to another entry */
	CATALOG_TWICE,     /* an alias repeats the name or an earlier alias */
};

/* Where catalog_put found a problem. */
struct catalog_problem {
	int alias;                          /* -1: the name (or code); else the alias */
	const struct catalog_entry *other;  /* CATALOG_CLASH: the key's entry */
};

struct catalog;

struct catalog *catalog_new(void);
/* NULL-safe; clears *c. */
void catalog_destroy(struct catalog **c);
/* Forget every entry (before a reload). */
void catalog_clear(struct catalog *c);

size_t catalog_count(const struct catalog *c);
/* Entry i (0-based) in id order; borrowed until the next change. */
const struct catalog_entry *catalog_at(const struct catalog *c, size_t i);
/* The entry one of whose names has the matching key of name, or NULL. */
const struct catalog_entry *catalog_find(const struct catalog *c, const char *name);

/* True for "" and for codes of the national classification's form:
 * a digit 1-8, then three or four groups of "-" and two digits. */
bool catalog_code_ok(const char *code);

/*
 * Add e, or update the entry whose canonical name has the key of e->name:
 * its code, aliases and group types become e's; its name stays as first
 * written (experts hold it). A new entry gets e->id when that is larger
 * than every id so far (loading from the store), else the next id.
 * Nothing changes unless the result is CATALOG_OK; then *out (may be
 * NULL) is the stored entry and *created says whether it is new.
 */
enum catalog_result catalog_put(struct catalog *c, const struct catalog_entry *e,
                                const struct catalog_entry **out, bool *created,
                                struct catalog_problem *p);

/*
 * Make names already held by experts (distinct, in byte order, with the
 * group types of their experts) canonical names, so that each keeps
 * finding exactly the experts it found before the catalogue existed:
 * a name that is an entry's name is left alone; one whose key is an
 * alias of an entry takes that key from the entry and becomes an entry of
 * its own; one whose key is an entry's name renames that entry unless the
 * entry's own name is held too; any other name becomes an entry of its
 * own (no code, no aliases). *unreachable counts the names that cannot be
 * made canonical (no key, or a key another held name already has).
 */
enum catalog_result catalog_adopt(struct catalog *c, const char *const *names,
                                  const unsigned *groups, size_t n,
                                  size_t *unreachable);

/* Up to TEXTNORM_NEAR_MAX entries closest to name (REGISTRY.md 1.2),
 * closest first; returns how many. */
size_t catalog_near(const struct catalog *c, const char *name,
                    const struct catalog_entry *out[TEXTNORM_NEAR_MAX]);

/*
 * "no occupation is named 'X' in the catalogue; closest: A, B" in out,
 * cut only between characters. For invalid_field on a draw's specialty
 * and a roster row's specialties.
 */
void catalog_unknown_message(const struct catalog *c, const char *name, char *out,
                             size_t outsz);

/*
 * Replace each of e's specialties by its entry's canonical name, keeping
 * the first of any that map to one entry. False, with why set by
 * catalog_unknown_message(), when one has no entry.
 */
bool catalog_map_specialties(const struct catalog *c, struct expert *e, char *why,
                             size_t whysz);

/* The same for e's relax_occupations (PROTOCOL.md 7.5.2
 * relaxation_occupations). */
bool catalog_map_relax_occupations(const struct catalog *c, struct expert *e,
                                   char *why, size_t whysz);

/*
 * The starter list shipped as daemon/catalog/occupations.csv (embedded at
 * build time: catalog_starter.c): a header row, then name, code, aliases
 * (separated by 、 or |) and group types (培训评审, 技能评价, 方式方法 or the
 * wire names, separated likewise); no quoting. Adds every row to c.
 * Returns CATALOG_OK, or the first row's failure with *line its line.
 */
extern const unsigned char catalog_starter_csv[];
extern const size_t catalog_starter_csv_len;
enum catalog_result catalog_parse_starter(struct catalog *c, const char *csv,
                                          size_t len, size_t *line);

#endif
