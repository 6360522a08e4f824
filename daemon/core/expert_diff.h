/*
 * expert_diff.h - what an update changed, field by field, for the
 * expert's history (issue #12). Pure. Personal data never appears in
 * it: the resident ID, phone and e-mail are said to have changed, no
 * more.
 */
#ifndef EXPERTD_EXPERT_DIFF_H
#define EXPERTD_EXPERT_DIFF_H

#include <stddef.h>

#include "expert.h"

/*
 * Write "field old → new; ..." for every row field (PROTOCOL.md 7.5.2)
 * that differs between old and e, in the table's order, to out (always
 * NUL-terminated; a text that does not fit ends in "…"). Returns the
 * number of fields that differ.
 */
int expert_diff(const struct expert *old, const struct expert *e, char *out,
                size_t outsz);

#endif
