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

/* The ledger of an expert as pool.show and flagged.list show it: a map
 * of LEDGER_PACK_KEYS keys, or (as_map false) just its key-value pairs
 * for the caller's map. */
#define LEDGER_PACK_KEYS 5
enum proto_status ledger_pack(struct handler_ctx *ctx, int64_t expert,
                              msgpack_packer *pk, bool as_map,
                              struct reply *rep);

#endif
