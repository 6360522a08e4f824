/*
 * draw.h - the random part of a draw: a deterministic ChaCha20 stream keyed
 * by the draw's seed, unbiased bounded integers by rejection sampling, and
 * panel selection by partial Fisher-Yates over the candidate list sorted by
 * expert id. Pure: anyone holding a transcript can replay it bit for bit.
 *
 * Seed  = BLAKE2b-256("expertd-draw-v1" || secret || nonce_len(u32 BE) ||
 *                     nonce || candidates_hash)
 * Stream = crypto_stream_chacha20_ietf(key = seed, nonce = 12 zero bytes),
 *          read as consecutive little-endian uint32 words.
 * Below(n) = draw words w until w >= (2^32 - n) mod n, return w mod n;
 *            it reads at least one word even for n = 1.
 * The domain string is its 15 bytes, without a NUL. "On the panel" (for
 * diversity) means the leader and every seat filled so far, backups
 * included. DRAW_NO_LEADER is checked before any member is drawn.
 */
#ifndef EXPERTD_DRAW_H
#define EXPERTD_DRAW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DRAW_SEED_LEN 32
#define DRAW_HASH_LEN 32

struct draw_rng {
	uint8_t key[DRAW_SEED_LEN];
	uint64_t counter;       /* next 64-byte block */
	uint8_t block[64];
	size_t pos;             /* bytes of block used */
	uint64_t words;         /* words drawn so far (for transcripts/tests) */
};

void draw_rng_init(struct draw_rng *r, const uint8_t seed[DRAW_SEED_LEN]);
uint32_t draw_rng_u32(struct draw_rng *r);
/* Uniform in [0, n); n >= 1. */
uint32_t draw_rng_below(struct draw_rng *r, uint32_t n);

/*
 * The candidate-list hash (DRAW.md 3.3), in one of two encodings; a
 * transcript says which (`candidates_encoding`, 4.4; without it, 1):
 *  DRAW_LIST_IDS   BLAKE2b-256 over the ids as 8-byte big-endian integers,
 *                  in order (transcripts written before draft 16);
 *  DRAW_LIST_GAPS  BLAKE2b-256 over "expertd-list-v2" (15 bytes, no NUL),
 *                  then each id minus the one before it (the first: minus
 *                  0), mod 2^64, as an unsigned LEB128 varint: one byte for
 *                  a gap under 128. The same list, about an eighth of the
 *                  bytes. New draws use it.
 * The ids are the list in order (ascending, distinct, for a candidate
 * list); each encoding is a function of the list alone.
 */
enum draw_list_encoding {
	DRAW_LIST_IDS = 1,
	DRAW_LIST_GAPS = 2,
};
#define DRAW_LIST_CURRENT DRAW_LIST_GAPS
void draw_list_hash(uint8_t out[DRAW_HASH_LEN], enum draw_list_encoding enc,
                    const int64_t *ids, size_t n);
/* The two encodings themselves. */
void draw_candidates_hash(uint8_t out[DRAW_HASH_LEN], const int64_t *ids, size_t n);
void draw_gaps_hash(uint8_t out[DRAW_HASH_LEN], const int64_t *ids, size_t n);

void draw_seed(uint8_t out[DRAW_SEED_LEN], const uint8_t secret[32],
               const uint8_t *nonce, size_t nonce_len,
               const uint8_t candidates_hash[DRAW_HASH_LEN]);

struct draw_candidate {
	int64_t id;          /* candidates are sorted by id, ascending, distinct */
	uint32_t employer;   /* interned employer code; 0 = none (never clashes) */
	bool leader_ok;      /* may lead the group */
};

struct draw_spec {
	bool leader;         /* draw a leader first */
	size_t members;      /* members besides the leader */
	size_t backups;
	bool diversity;      /* at most one expert per employer on the panel */
};

enum draw_result {
	DRAW_OK,
	DRAW_NO_LEADER,      /* no leader-eligible candidate */
	DRAW_TOO_FEW,        /* not enough candidates (after diversity) */
	DRAW_NO_MEMORY,      /* no selection made: the caller answers internal */
};

/*
 * Select the panel: out[0] is the leader (when spec->leader), then the
 * members, then the backups in order; *out_n is how many were chosen
 * (also on failure: how far it got). out must hold
 * leader + members + backups ids.
 *
 * Algorithm (normative; PROTOCOL.md repeats it):
 * 1. If a leader is wanted: L = the leader_ok candidates in id order;
 *    leader = L[below(|L|)]; remove it from the working list A (A starts as
 *    the candidate list in id order; removal keeps the order).
 * 2. Then for each remaining seat (members first, then backups), with
 *    i = seats filled from A so far and m = |A| remaining length:
 *    j = i + below(m - i); swap A[i], A[j]; if diversity and A[i].employer
 *    != 0 and an expert with that employer is already on the panel, the
 *    candidate is dropped: A[i] = A[m-1], m -= 1, and the seat is drawn
 *    again; else A[i] takes the seat and i += 1. If m == i before all seats
 *    are filled: DRAW_TOO_FEW.
 */
enum draw_result draw_select(const struct draw_candidate *cands, size_t n,
                             const struct draw_spec *spec,
                             const uint8_t seed[DRAW_SEED_LEN],
                             int64_t *out, size_t *out_n);
/* The same, also counting the candidates dropped for panel diversity
 * (recorded in transcripts). */
enum draw_result draw_select_counted(const struct draw_candidate *cands, size_t n,
                                     const struct draw_spec *spec,
                                     const uint8_t seed[DRAW_SEED_LEN],
                                     int64_t *out, size_t *out_n, size_t *dropped);
/* Step 1 alone, for mixed panels (quota.h): the index in cands of
 * L[below(|L|)], L the leader_ok candidates in id order, or n (and no
 * word taken) when there is none. */
size_t draw_pick_leader(const struct draw_candidate *cands, size_t n,
                        struct draw_rng *rng);

#endif
