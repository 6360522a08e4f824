/*
 * entry.h - one dispatch-log entry as the console's browsers get it: a
 * JSON object {seq, at, type, hash, entry, signed_head}, the same whether
 * the entry came live from the event endpoint (STREAMS.md 3, masked by the
 * daemon) or from audit.entries for catch-up (PROTOCOL.md 7.11.1), which
 * the console masks the way the stream does: no birth date, no name.
 */
#ifndef EXPERTD_CONSOLE_ENTRY_H
#define EXPERTD_CONSOLE_ENTRY_H

#include <stdint.h>

#include <jansson.h>
#include <msgpack.h>

/* A stream message's body (a map). NULL when it is not one. */
json_t *entry_from_stream(const msgpack_object *body);
/* An entry of audit.entries (DRAW.md 4.1) with its body decoded, changed
 * as STREAMS.md 3 changes it: the `birth` of a pool.expert's (and an
 * expert.flagged's) expert becomes `name` nil (the log holds no names),
 * a transcript gets `panel_names` nil; no birth date is left anywhere.
 * NULL when the entry is malformed. */
json_t *entry_from_log(const msgpack_object *e);
/* The entry's seq (0 when absent). */
int64_t entry_seq(const json_t *j);

#endif
