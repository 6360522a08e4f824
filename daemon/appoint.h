/*
 * appoint.h - the appointment record beside an expert (PROTOCOL.md 7.17)
 * and the 推荐表's kept fields (7.5.2): what an import commit keeps of a
 * row, and what appointment.review / appointment.decide record. Used by
 * the import and appointment handlers.
 */
#ifndef EXPERTD_APPOINT_H
#define EXPERTD_APPOINT_H

#include <stdbool.h>
#include <stdint.h>

#include "expert_form.h"
#include "handler.h"

/*
 * Whether `form` (from `row`) differs from what the store keeps for
 * expert `id` (*differs). The recommender kind counts only when the row
 * says one; a field the row does not name is first taken into `form`
 * from the store (expert_form_keep_absent).
 */
enum proto_status appoint_form_differs(struct handler_ctx *ctx, int64_t id,
                                       const msgpack_object *row, struct expert_form *form,
                                       bool *differs, struct reply *rep);

/*
 * Keep a committed row's form for expert e. A new expert also gets its
 * appointment record: the row's recommender kind, and when the import was
 * begun `appointed` (7.5.5) the decision, by the committing principal,
 * naming the import and the line ("import 3 line 7: appointed"). An update replaces the kept fields, and the
 * recommender kind when the row gives one.
 */
enum proto_status appoint_keep_row(struct handler_ctx *ctx, const struct expert *e,
                                   bool is_new, const struct expert_form *form,
                                   bool appointed, int64_t import_id, int64_t line,
                                   struct reply *rep);

/* An update that changed the kept fields alone: they are stored and the
 * history says so (`updated`, no audit entry: the log never holds them). */
enum proto_status appoint_form_only(struct handler_ctx *ctx, const struct expert *e,
                                    const struct expert_form *form, const char *detail,
                                    struct reply *rep);

/*
 * Pack pool.show's `appointment` and `form` pairs (two key-value pairs)
 * for expert e (PROTOCOL.md 7.6.2): the record, and the kept fields with
 * address and landline masked unless `reveal`.
 */
enum proto_status appoint_pack(struct handler_ctx *ctx, const struct expert *e,
                               bool reveal, msgpack_packer *pk, struct reply *rep);

#endif
