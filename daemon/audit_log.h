/*
 * audit_log.h - appending to the audit log from the daemon: chains a
 * packed body onto the last entry in the store, inside the caller's
 * transaction, so the entry commits or rolls back with the change it
 * records. The genesis entry commits to the first draw secret.
 */
#ifndef EXPERTD_AUDIT_LOG_H
#define EXPERTD_AUDIT_LOG_H

#include <stdint.h>

#include <msgpack.h>

#include "audit.h"
#include "store.h"

/* Append one entry; on success *seq (may be NULL) is its sequence number
 * and hash (may be NULL) its hash. */
enum store_result audit_log_append(struct store *s, const char *type, int64_t at,
                                   const msgpack_sbuffer *body, int64_t *seq,
                                   uint8_t hash[AUDIT_HASH_LEN]);

/* On an empty log: make the first draw secret, keep it in the store and
 * append the genesis entry with its commitment, in one transaction. */
enum store_result audit_log_init(struct store *s, int64_t now);

/* The store key of the secret the next draw reveals. */
#define AUDIT_LOG_SECRET_KEY "draw.secret"

#endif
