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

/* The fields compared, by their PROTOCOL.md 7.5.2 names, in the order
 * expert_diff() reports them; bit i of a mask is the i-th. */
#define EXPERT_DIFF_FIELDS 18
extern const char *const expert_diff_fields[EXPERT_DIFF_FIELDS + 1];

/*
 * Write "field old → new; ..." for every row field (PROTOCOL.md 7.5.2)
 * that differs between old and e, in the order above, to out (always
 * NUL-terminated; a text that does not fit ends in "…"), and set the
 * fields' bits in *mask if mask is not NULL. Returns the number of
 * fields that differ.
 */
int expert_diff(const struct expert *old, const struct expert *e, char *out,
                size_t outsz, unsigned *mask);

#endif
