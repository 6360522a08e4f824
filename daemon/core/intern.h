/*
 * intern.h - a string interning table: each distinct string gets a small
 * integer (1, 2, ...), so the pool compares specialties and organisations
 * as integers. Open addressing (a word-at-a-time hash, the length
 * compared before the bytes); strings are copied.
 */
#ifndef EXPERTD_INTERN_H
#define EXPERTD_INTERN_H

#include <stdint.h>

struct intern;

struct intern *intern_new(void);
/* NULL-safe; clears *t. */
void intern_destroy(struct intern **t);
/* The id of s, adding it if new; 0 on out of memory. */
uint32_t intern_add(struct intern *t, const char *s);
/* The id of s, or 0 if it was never added. */
uint32_t intern_find(const struct intern *t, const char *s);
/* The string of an id, or NULL. Borrowed, valid until destroy. */
const char *intern_str(const struct intern *t, uint32_t id);
uint32_t intern_count(const struct intern *t);

#endif
