/*
 * expert_form.h - the 推荐表's kept fields of a roster row: what the
 * system stores and shows but never checks (PROTOCOL.md 7.5.2). Pure.
 */
#ifndef EXPERTD_EXPERT_FORM_H
#define EXPERTD_EXPERT_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include <msgpack.h>

#include "expert.h"

#define EXPERT_FORM_TEXTS 12

/* One text field of struct expert_form: its wire name and place. */
struct expert_form_text {
	const char *name;
	size_t offset, size;
};

/* In struct expert_form order; the wire names of the row and of pool.show. */
extern const struct expert_form_text expert_form_texts[EXPERT_FORM_TEXTS];

/* The i-th text field of f (0 <= i < EXPERT_FORM_TEXTS). */
char *expert_form_field(struct expert_form *f, size_t i);
const char *expert_form_cfield(const struct expert_form *f, size_t i);

/* Fill f from a schema-checked roster row; f is zero-filled first, so two
 * forms of equal fields compare equal with memcmp. */
void expert_form_from_row(const msgpack_object *row, struct expert_form *f);
/* The fields row does not name at all (a roster without their column)
 * taken from old: a re-import from a file that lacks a column keeps what
 * the expert has there. */
void expert_form_keep_absent(const msgpack_object *row, struct expert_form *f,
                             const struct expert_form *old);

/* Personal data (address, landline): sealed at rest, shown only on a
 * reveal. */
bool expert_form_is_sensitive(size_t i);

#endif
