/*
 * entry.h - one dispatch-log entry as the console's browsers get it: a
 * JSON object {seq, at, type, hash, entry, signed_head}, the same whether
 * the entry came live from the event endpoint (STREAMS.md 3) or from
 * audit.entries with `masked` for catch-up (PROTOCOL.md 7.11.1): the
 * daemon masks both the same way, names included.
 */
#ifndef EXPERTD_CONSOLE_ENTRY_H
#define EXPERTD_CONSOLE_ENTRY_H

#include <stdint.h>

#include <jansson.h>
#include <msgpack.h>

/* A stream message's body. NULL when it is not a map. */
json_t *entry_from_stream(const msgpack_object *body);
/* An entry of audit.entries with `masked`: the bytes of that body
 * (without `head`). NULL when it is not one. */
json_t *entry_from_bytes(const msgpack_object *bin);
/* The entry's seq (0 when absent). */
int64_t entry_seq(const json_t *j);

#endif
