/*
 * expert_row.h - one roster row (a schema-checked pool.import.rows item)
 * turned into an expert, applying every rule of the guideline: identifier
 * checks, 1-3 specialties, the group types (第八条, derived from the task
 * types when the row has none), eligibility (第十一条) and the derived
 * leader flag (第十二、十三条). Pure: the date of the check is passed in.
 */
#ifndef EXPERTD_EXPERT_ROW_H
#define EXPERTD_EXPERT_ROW_H

#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#include "expert.h"
#include "ident.h"

/* More problems than any row can have: one per field, a few per rule. */
#define EXPERT_ROW_MAX_PROBLEMS 24
#define EXPERT_ROW_REASON_MAX 480   /* the ID-reuse reason names two people */

/* One problem of a row: the row field at fault and a static-sized reason
 * that never holds a full resident ID or phone number. */
struct expert_row_problem {
	const char *field;   /* a wire field name (static) */
	char why[EXPERT_ROW_REASON_MAX];
};

struct expert_row_problems {
	struct expert_row_problem v[EXPERT_ROW_MAX_PROBLEMS];
	size_t n;
};

/* Append a problem (dropped silently beyond the cap). */
void expert_row_problem_add(struct expert_row_problems *p, const char *field,
                            const char *why);

/*
 * Fill e (id, status, term and timestamps are left 0) from row, checking
 * every rule and recording every failure in errors (PROTOCOL.md 7.5.4
 * order) and every warning in warnings; either may be NULL to discard.
 * Returns IDENT_INVALID if any error was found, else IDENT_WARN if any
 * warning, else IDENT_OK. e->resident_id is filled whenever the resident
 * ID itself is valid, even if the row is not (duplicate checks use it).
 */
enum ident_result expert_from_row(const msgpack_object *row, int32_t today,
                                  bool age_exception, struct expert *e,
                                  struct expert_row_problems *errors,
                                  struct expert_row_problems *warnings);

/* The group types a set of task types (bits of proto_task_types) puts
 * an expert in (第八条; PROTOCOL.md 7.5.2). */
unsigned expert_row_groups_of_tasks(unsigned task_types);

#endif
