/*
 * hint.h - what a failed draw asks the requester to change: of the causes
 * that kept experts off the candidate list (DRAW.md 3.1), those a request
 * or the roster can do something about, named with the task's own
 * specialty, group type and capability. Used by expertctl draw (from the
 * reply) and audit show (from a transcript).
 */
#ifndef EXPERTCTL_HINT_H
#define EXPERTCTL_HINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct hint_counts {
	const char *specialty;        /* NULL when the reply does not say */
	const char *group;            /* likewise */
	const char *capability;       /* "" when the task needs none; NULL unknown */
	uint64_t needed, found;       /* seats asked for, candidates */
	bool has_outside_group;       /* false: a record from before draft 9 */
	uint64_t outside_group;       /* hold the specialty, not the group type */
	uint64_t capability_excluded; /* rule 3 */
};

/* One line per hint worth giving (none if nothing would help), the first
 * preceded by `before`; returns how many were written. */
int hint_print(FILE *f, const struct hint_counts *h, const char *before);

#endif
