/*
 * secret.h - the draw secret chain off the disk (DRAW.md 3.2.1): each
 * secret is derived from the signing key and its position, so the store
 * keeps only the position and the commitment of the secret the next draw
 * reveals. A store written before this keeps its one pending raw secret
 * until the next draw reveals it (the transition, DRAW.md 3.2.2).
 */
#ifndef EXPERTD_SECRET_H
#define EXPERTD_SECRET_H

#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "sign.h"
#include "store.h"

/* Store keys: the position (8 bytes, big-endian) and the commitment of
 * the pending secret; the pre-transition raw secret. */
#define SECRET_POS_KEY "draw.secret.pos"
#define SECRET_COMMIT_KEY "draw.secret.commit"
#define SECRET_LEGACY_KEY "draw.secret"

/* Commit to the first secret (position 1) of a new log: commit gets its
 * commitment. Inside the caller's transaction. */
enum store_result secret_first(struct store *s, const struct sign_key *k,
                               uint8_t commit[AUDIT_HASH_LEN]);

/* Reveal the pending secret into secret and commit to the next one
 * (next_commit), inside the caller's transaction. STORE_UNKNOWN when the
 * pending secret is missing or does not match its commitment (why says
 * which). */
enum store_result secret_next(struct store *s, const struct sign_key *k,
                              uint8_t secret[AUDIT_SECRET_LEN],
                              uint8_t next_commit[AUDIT_HASH_LEN],
                              char *why, size_t whysz);

/* The key changes (DRAW.md 3.2.3): reveal the pending secret with old
 * into secret, and commit to the next one under new (next_commit). */
enum store_result secret_rotate(struct store *s, const struct sign_key *old,
                                const struct sign_key *new,
                                uint8_t secret[AUDIT_SECRET_LEN],
                                uint8_t next_commit[AUDIT_HASH_LEN],
                                char *why, size_t whysz);

/* At start: can this key reveal the pending secret? STORE_UNKNOWN with
 * why set when not (another key, or the chain is missing). */
enum store_result secret_check(struct store *s, const struct sign_key *k,
                               char *why, size_t whysz);

#endif
