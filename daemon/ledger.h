/*
 * ledger.h - the decline ledger as the daemon keeps it (ledger.c): an
 * event recorded and scored, and an expert's ledger packed for a reply.
 */
#ifndef EXPERTD_LEDGER_H
#define EXPERTD_LEDGER_H

#include <stdbool.h>
#include <stdint.h>

#include <msgpack.h>

#include "handler.h"

/* Add a ledger event and apply the policy: warn, flag. */
enum proto_status ledger_record(struct handler_ctx *ctx,
                                const struct store_ledger_event *ev,
                                struct reply *rep);

/*
 * A correction of a seat's outcome (PROTOCOL.md 7.12.16, POLICY.md 6.5):
 * the seat's standing event is withdrawn, `add` (NULL: none) recorded,
 * then the policy applied again: a warning or a flag as ledger_record()
 * gives them, or, for an expert flagged before (was_flagged), the flag
 * lifted when the corrected ledger would never have set it.
 */
enum proto_status ledger_correct(struct handler_ctx *ctx, int64_t expert,
                                 int64_t assignment,
                                 const struct store_ledger_event *add,
                                 bool was_flagged, struct reply *rep);

/* The seat's standing ledger event into *out (kind -1: none). */
enum proto_status ledger_standing(struct handler_ctx *ctx, int64_t expert,
                                  int64_t assignment,
                                  struct store_ledger_event *out, struct reply *rep);

/* When the expert was last flagged (the history's last `flagged`); 0: never. */
int64_t ledger_flagged_at(struct handler_ctx *ctx, int64_t expert);

/* The ledger of an expert as pool.show and flagged.list show it: a map
 * of LEDGER_PACK_KEYS keys, or (as_map false) just its key-value pairs
 * for the caller's map. */
#define LEDGER_PACK_KEYS 5
enum proto_status ledger_pack(struct handler_ctx *ctx, int64_t expert,
                              msgpack_packer *pk, bool as_map,
                              struct reply *rep);

#endif
