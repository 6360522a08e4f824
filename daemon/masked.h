/*
 * masked.h - an audit entry with personal data masked, as the event
 * stream carries it (STREAMS.md 3): pool.expert's birth dates give way to
 * masked names, draws get their panel's masked names.
 */
#ifndef EXPERTD_MASKED_H
#define EXPERTD_MASKED_H

#include <stdint.h>

#include <msgpack.h>

#include "store.h"

/* Pack r as the map {seq, at, type, hash, entry} with room for `extra`
 * more keys, which the caller packs after it (the stream's head). Names
 * are read from store as they are now. */
void masked_pack(struct store *store, msgpack_packer *pk,
                 const struct store_audit_row *r, uint32_t extra);

#endif
