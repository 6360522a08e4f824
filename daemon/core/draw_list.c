/*
 * draw_list.c - the candidate-list hash a draw's seed commits to (DRAW.md
 * 3.3), in its two encodings: 8 bytes per id (transcripts before draft 16)
 * and the gaps between ids as varints under a domain tag (since). Both are
 * functions of the list alone, so a verifier that rebuilds the list
 * rebuilds the hash; the bytes are normative (draw.h, DRAW.md Appendix A).
 */
#include "draw.h"

#include <assert.h>

#include <sodium.h>

/* Domain tag of the gap encoding, hashed without its NUL. */
static const char DRAW_LIST_TAG[] = "expertd-list-v2";

void draw_list_hash(uint8_t out[DRAW_HASH_LEN], enum draw_list_encoding enc,
                    const int64_t *ids, size_t n)
{
	assert(enc == DRAW_LIST_IDS || enc == DRAW_LIST_GAPS);
	if (enc == DRAW_LIST_GAPS)
		draw_gaps_hash(out, ids, n);
	else
		draw_candidates_hash(out, ids, n);
}

void draw_candidates_hash(uint8_t out[DRAW_HASH_LEN], const int64_t *ids, size_t n)
{
	/* Encode in blocks: one hash update per id costs twice the hashing.
	 * A byte swap per id (big-endian out) lets the compiler vectorise the
	 * encoding; the bytes hashed are the same as one shift per byte. */
	enum { BLOCK = 512 };
	uint64_t buf[BLOCK];
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, DRAW_HASH_LEN);
	for (size_t i = 0; i < n;) {
		size_t k = n - i < BLOCK ? n - i : BLOCK;
		for (size_t j = 0; j < k; j++) {
			uint64_t v = (uint64_t)ids[i + j];
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			v = __builtin_bswap64(v);
#endif
			buf[j] = v;
		}
		crypto_generichash_update(&st, (const uint8_t *)buf, k * 8);
		i += k;
	}
	crypto_generichash_final(&st, out, DRAW_HASH_LEN);
}

/* v as an unsigned LEB128 varint at p (1 to 10 bytes, the shortest);
 * returns the byte after it. */
static uint8_t *draw_leb128(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

/* Gaps come in groups: when a whole group's gaps are under 128 (nearly
 * always, in a bucket of any size), each is its one byte, and the loops
 * below vectorise; else each is a varint. */
enum { DRAW_GROUP = 16, DRAW_LEB_MAX = 10, DRAW_LIST_BUF = 4096 };

/* The gaps of ids[1..k] (each from the id before it, ids[0] included) at
 * p; returns the bytes written, at most k * DRAW_LEB_MAX. */
static size_t draw_gaps_group(uint8_t *p, const int64_t *ids, size_t k)
{
	assert(k <= DRAW_GROUP);
	if (k == DRAW_GROUP) {
		/* Each gap's low byte, kept if no gap needed more. */
		uint64_t wide = 0;
		for (size_t j = 0; j < DRAW_GROUP; j++) {
			uint64_t gap = (uint64_t)ids[j + 1] - (uint64_t)ids[j];
			wide |= gap;
			p[j] = (uint8_t)gap;
		}
		if (wide < 0x80)
			return DRAW_GROUP;
	}
	uint8_t *q = p;
	for (size_t j = 0; j < k; j++)
		q = draw_leb128(q, (uint64_t)ids[j + 1] - (uint64_t)ids[j]);
	return (size_t)(q - p);
}

void draw_gaps_hash(uint8_t out[DRAW_HASH_LEN], const int64_t *ids, size_t n)
{
	uint8_t buf[DRAW_LIST_BUF + DRAW_GROUP * DRAW_LEB_MAX];
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, DRAW_HASH_LEN);
	crypto_generichash_update(&st, (const uint8_t *)DRAW_LIST_TAG,
	                          sizeof DRAW_LIST_TAG - 1);
	if (n == 0) {
		crypto_generichash_final(&st, out, DRAW_HASH_LEN);
		return;
	}
	/* The first id's gap is from 0: the id itself, as 64 bits. */
	size_t len = (size_t)(draw_leb128(buf, (uint64_t)ids[0]) - buf);
	for (size_t i = 0; i + 1 < n;) {
		size_t k = n - 1 - i < DRAW_GROUP ? n - 1 - i : DRAW_GROUP;
		len += draw_gaps_group(buf + len, ids + i, k);
		i += k;
		if (len >= DRAW_LIST_BUF) {
			crypto_generichash_update(&st, buf, len);
			len = 0;
		}
	}
	crypto_generichash_update(&st, buf, len);
	crypto_generichash_final(&st, out, DRAW_HASH_LEN);
}
