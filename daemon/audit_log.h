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
#include "sign.h"
#include "store.h"

/* Append one entry; on success *seq (may be NULL) is its sequence number
 * and hash (may be NULL) its hash. */
enum store_result audit_log_append(struct store *s, const char *type, int64_t at,
                                   const msgpack_sbuffer *body, int64_t *seq,
                                   uint8_t hash[AUDIT_HASH_LEN]);

/* On an empty log: commit to the first draw secret (derived from k),
 * append the genesis entry with the commitment and sign it as the head,
 * in one transaction. */
enum store_result audit_log_init(struct store *s, const struct sign_key *k, int64_t now);

/*
 * The signing key changes from old to new (DRAW.md 3.2.3), in one
 * transaction: the pending secret is revealed with old and the next
 * committed under new in a key.rotated entry that old endorses; the head
 * is then signed with new. STORE_UNKNOWN with why set when old cannot
 * reveal the pending secret.
 */
enum store_result audit_log_rotate(struct store *s, const struct sign_key *old,
                                   const struct sign_key *new, int64_t now,
                                   char *why, size_t whysz);

/* What the start-up check of the chain found (DRAW.md 4.1). */
struct audit_log_check {
	int64_t from;          /* the checkpoint it started after (0: none) */
	int64_t checked;       /* entries whose hash and link it recomputed */
	int64_t last;          /* the last seq */
	int64_t bad;           /* 0 if intact, else the first entry at fault */
	char why[160];         /* what is wrong with it */
};

/*
 * Check the chain from the checkpoint the last check left (the entry
 * there must still have the hash it had) to the end: consecutive seqs,
 * each prev_hash the previous hash, each hash recomputed from the entry.
 * When intact, move the checkpoint to the last entry (its own
 * transaction). STORE_OK with c->bad set when broken.
 */
enum store_result audit_log_check(struct store *s, struct audit_log_check *c);

/* The store key of the checkpoint: seq (8 bytes, big-endian), hash. */
#define AUDIT_LOG_CHECKPOINT_KEY "audit.checkpoint"

#endif
