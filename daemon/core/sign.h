/*
 * sign.h - the signing key's pure half (DRAW.md 4.7, 3.2.1): the Ed25519
 * signature over a chain head, and the draw secrets derived from the key
 * so that the store holds only their commitments. No I/O: the daemon
 * signs and derives, the verifier checks, with the same functions.
 */
#ifndef EXPERTD_SIGN_H
#define EXPERTD_SIGN_H

#include <stdbool.h>
#include <stdint.h>

#define SIGN_SEED_LEN 32
#define SIGN_PUBLIC_LEN 32
#define SIGN_SECRET_LEN 64
#define SIGN_SIG_LEN 64
#define SIGN_HASH_LEN 32

/* What one seed gives: the Ed25519 pair and the draw-secret key. */
struct sign_key {
	uint8_t public_key[SIGN_PUBLIC_LEN];
	uint8_t secret_key[SIGN_SECRET_LEN];
	uint8_t draw_key[32];   /* BLAKE2b-256 keyed by the seed, of "expertd-draw-key-v1" */
	/* Personal data at rest (expertd(8), PERSONAL DATA): the AEAD key
	 * and the blind-index key, likewise of "expertd-data-key-v1" and
	 * "expertd-index-key-v1". */
	uint8_t data_key[32];
	uint8_t index_key[32];
};

void sign_key_from_seed(struct sign_key *k, const uint8_t seed[SIGN_SEED_LEN]);
void sign_key_wipe(struct sign_key *k);

/* The signed message of a head: "expertd-head-v1" || seq (u64 BE) || hash. */
void sign_head(uint8_t sig[SIGN_SIG_LEN], int64_t seq, const uint8_t hash[SIGN_HASH_LEN],
               const struct sign_key *k);
bool sign_head_is_valid(const uint8_t sig[SIGN_SIG_LEN], int64_t seq,
                        const uint8_t hash[SIGN_HASH_LEN],
                        const uint8_t public_key[SIGN_PUBLIC_LEN]);

/* The old key endorses the new one in the key.rotated entry at seq, whose
 * prev is the hash before it (DRAW.md 3.2.3): the Ed25519 signature of
 * "expertd-rotate-v1" || seq (u64 BE) || prev || new_public_key. */
void sign_rotation(uint8_t sig[SIGN_SIG_LEN], int64_t seq,
                   const uint8_t prev[SIGN_HASH_LEN],
                   const uint8_t new_public_key[SIGN_PUBLIC_LEN],
                   const struct sign_key *old);
bool sign_rotation_is_valid(const uint8_t sig[SIGN_SIG_LEN], int64_t seq,
                            const uint8_t prev[SIGN_HASH_LEN],
                            const uint8_t new_public_key[SIGN_PUBLIC_LEN],
                            const uint8_t old_public_key[SIGN_PUBLIC_LEN]);

/* The draw secret at position pos (>= 1):
 * BLAKE2b-256(key = draw_key, "expertd-secret-v1" || pos (u64 BE)). */
void sign_secret(uint8_t out[32], const struct sign_key *k, int64_t pos);

#endif
