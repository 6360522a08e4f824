/*
 * head.h - the signed head of the audit log (DRAW.md 4.7): once per
 * committed batch, inside its transaction, the daemon signs the last
 * entry's seq and hash with the signing key and keeps the signature in
 * the store. Every entry is then under a signed head, so one appended by
 * whoever holds the database but not the key shows as unsigned.
 */
#ifndef EXPERTD_HEAD_H
#define EXPERTD_HEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sign.h"
#include "store.h"

/* The store key: seq (8 bytes, big-endian), hash, signature. */
#define HEAD_KEY "audit.head"

struct head {
	int64_t seq;
	uint8_t hash[SIGN_HASH_LEN];
	uint8_t sig[SIGN_SIG_LEN];
};

/* The signed head as stored; STORE_NOT_FOUND if none was ever signed. */
enum store_result head_get(struct store *s, struct head *h);

/* Sign the log's last entry and store it (inside the caller's
 * transaction) unless it is already the signed head; h (may be NULL)
 * gets the head. */
enum store_result head_sign(struct store *s, const struct sign_key *k, struct head *h);

/*
 * At start, after the chain itself was found intact: the signed head must verify under k, still be in the log
 * with the hash it was signed with, and be the last entry. *bad gets the
 * first entry at fault (0: all well) and why the reason. A store from
 * before signed heads (it still holds a raw draw secret) has its head
 * signed now instead, once; *adopted says so.
 */
enum store_result head_check(struct store *s, const struct sign_key *k, int64_t *bad,
                             bool *adopted, char *why, size_t whysz);

#endif
