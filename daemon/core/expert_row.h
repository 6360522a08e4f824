/*
 * expert_row.h - one roster row (a schema-checked pool.import.rows item)
 * turned into an expert, applying every rule of the guideline: identifier
 * checks, 1-3 specialties, eligibility (第十一条) and the derived leader
 * flag (第十二、十三条). Pure: the date of the check is passed in.
 */
#ifndef EXPERTD_EXPERT_ROW_H
#define EXPERTD_EXPERT_ROW_H

#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#include "expert.h"
#include "ident.h"

/*
 * Fill e (id, status, term and timestamps are left 0) from row. Returns
 * IDENT_OK, IDENT_WARN (usable; *field and why say what to warn about) or
 * IDENT_INVALID (*field names the row field at fault, why says why). No
 * message ever contains a full resident ID or phone number.
 */
enum ident_result expert_from_row(const msgpack_object *row, int32_t today,
                                  bool age_exception, struct expert *e,
                                  const char **field, char *why, size_t whysz);

#endif
