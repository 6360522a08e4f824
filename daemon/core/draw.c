/*
 * draw.c - the seed, the ChaCha20 word stream, unbiased bounded integers and
 * panel selection. Every output is a function of the inputs alone, so a
 * published transcript (seed, candidate list, spec) replays bit for bit;
 * the exact byte layouts are normative (draw.h, PROTOCOL.md).
 */
#include "draw.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

/* Domain separation for the seed hash; hashed without its NUL. */
static const char DRAW_DOMAIN[] = "expertd-draw-v1";

/* The key is fresh for every draw, so a fixed nonce never repeats a
 * (key, nonce) pair. */
static const uint8_t draw_nonce[crypto_stream_chacha20_ietf_NONCEBYTES];

void draw_seed(uint8_t out[DRAW_SEED_LEN], const uint8_t secret[32],
               const uint8_t *nonce, size_t nonce_len,
               const uint8_t candidates_hash[DRAW_HASH_LEN])
{
	/* The length prefix keeps (nonce, hash) boundaries unambiguous; a
	 * nonce that does not fit it is a caller bug, not network input
	 * (the codec caps nonce sizes long before this). */
	assert((uint64_t)nonce_len <= UINT32_MAX);
	uint32_t len = (uint32_t)nonce_len;
	uint8_t len_be[4] = {
		(uint8_t)(len >> 24), (uint8_t)(len >> 16),
		(uint8_t)(len >> 8), (uint8_t)len,
	};

	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, DRAW_SEED_LEN);
	crypto_generichash_update(&st, (const uint8_t *)DRAW_DOMAIN,
	                          sizeof DRAW_DOMAIN - 1);
	crypto_generichash_update(&st, secret, 32);
	crypto_generichash_update(&st, len_be, sizeof len_be);
	if (nonce_len > 0)
		crypto_generichash_update(&st, nonce, nonce_len);
	crypto_generichash_update(&st, candidates_hash, DRAW_HASH_LEN);
	crypto_generichash_final(&st, out, DRAW_SEED_LEN);
}

void draw_rng_init(struct draw_rng *r, const uint8_t seed[DRAW_SEED_LEN])
{
	memcpy(r->key, seed, DRAW_SEED_LEN);
	r->counter = 0;
	memset(r->block, 0, sizeof r->block);
	r->pos = sizeof r->block;       /* empty: the first word fetches block 0 */
	r->words = 0;
}

/* Keystream block `counter` into r->block. One block per call so the
 * 32-bit IETF counter is passed exactly and never wraps inside libsodium
 * (which would carry into the nonce word and leave RFC 8439). */
static void draw_rng_refill(struct draw_rng *r)
{
	static const uint8_t zeros[64];

	/* 2^32 blocks = 2^36 words: no draw comes near it (each bounded
	 * integer needs fewer than two words on average), so reaching the end
	 * means the state was corrupted. Continuing would silently change the
	 * stream, so stop. */
	if (r->counter > UINT32_MAX)
		abort();
	crypto_stream_chacha20_ietf_xor_ic(r->block, zeros, sizeof r->block,
	                                   draw_nonce, (uint32_t)r->counter,
	                                   r->key);
	r->counter++;
	r->pos = 0;
}

uint32_t draw_rng_u32(struct draw_rng *r)
{
	if (r->pos + 4 > sizeof r->block)
		draw_rng_refill(r);
	const uint8_t *p = r->block + r->pos;
	uint32_t w = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
	             (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	r->pos += 4;
	r->words++;
	return w;
}

uint32_t draw_rng_below(struct draw_rng *r, uint32_t n)
{
	assert(n >= 1);
	/* The lowest (2^32 mod n) words would make small residues more likely;
	 * rejecting them leaves a whole number of copies of [0, n). */
	uint32_t reject_below = (uint32_t)(((UINT64_C(1) << 32) - n) % n);
	for (;;) {
		uint32_t w = draw_rng_u32(r);
		if (w >= reject_below)
			return w % n;
	}
}

/* Is `employer` already held by the leader (lead < n) or a[0..filled)? */
static bool draw_employer_taken(const struct draw_candidate *cands, size_t n,
                                size_t lead, const uint32_t *a, size_t filled,
                                uint32_t employer)
{
	if (lead < n && cands[lead].employer == employer)
		return true;
	for (size_t k = 0; k < filled; k++)
		if (cands[a[k]].employer == employer)
			return true;
	return false;
}

/* Step 1: the index of the leader among all candidates, or n if none is
 * leader_ok. Draws exactly one bounded integer when there is one. */
size_t draw_pick_leader(const struct draw_candidate *cands, size_t n,
                               struct draw_rng *rng)
{
	uint32_t eligible = 0;
	for (size_t k = 0; k < n; k++)
		eligible += cands[k].leader_ok;
	if (eligible == 0)
		return n;
	uint32_t nth = draw_rng_below(rng, eligible);
	for (size_t k = 0; k < n; k++)
		if (cands[k].leader_ok && nth-- == 0)
			return k;
	abort();        /* unreachable: nth < eligible */
}

enum draw_result draw_select(const struct draw_candidate *cands, size_t n,
                             const struct draw_spec *spec,
                             const uint8_t seed[DRAW_SEED_LEN],
                             int64_t *out, size_t *out_n)
{
	size_t dropped;
	return draw_select_counted(cands, n, spec, seed, out, out_n, &dropped);
}

enum draw_result draw_select_counted(const struct draw_candidate *cands, size_t n,
                                     const struct draw_spec *spec,
                                     const uint8_t seed[DRAW_SEED_LEN],
                                     int64_t *out, size_t *out_n, size_t *dropped)
{
	*dropped = 0;
	/* Indices into cands are kept as uint32 so below() covers them. */
	assert((uint64_t)n <= UINT32_MAX);
	for (size_t k = 1; k < n; k++)
		assert(cands[k - 1].id < cands[k].id);

	*out_n = 0;
	struct draw_rng rng;
	draw_rng_init(&rng, seed);

	size_t lead = n;        /* n: no leader on the panel */
	if (spec->leader) {
		lead = draw_pick_leader(cands, n, &rng);
		if (lead == n)
			return DRAW_NO_LEADER;
		out[(*out_n)++] = cands[lead].id;
	}

	/* A: the candidates in id order without the leader. Out of memory is
	 * a result like the others (HACKING.md): the daemon answers internal
	 * and rolls the attempt back, nothing is recorded. */
	uint32_t *a = malloc((n > 0 ? n : 1) * sizeof *a);
	if (a == NULL)
		return DRAW_NO_MEMORY;
	size_t m = 0;
	for (size_t k = 0; k < n; k++)
		if (k != lead)
			a[m++] = (uint32_t)k;

	enum draw_result res = DRAW_OK;
	size_t seats = spec->members + spec->backups;
	size_t i = 0;
	while (i < seats) {
		if (m == i) {
			res = DRAW_TOO_FEW;
			break;
		}
		size_t j = i + draw_rng_below(&rng, (uint32_t)(m - i));
		uint32_t t = a[i];
		a[i] = a[j];
		a[j] = t;
		const struct draw_candidate *c = &cands[a[i]];
		if (spec->diversity && c->employer != 0 &&
		    draw_employer_taken(cands, n, lead, a, i, c->employer)) {
			/* Employers never leave the panel, so a clash now is a
			 * clash for every later seat: drop for good. */
			a[i] = a[m - 1];
			m--;
			(*dropped)++;
			continue;
		}
		out[(*out_n)++] = c->id;
		i++;
	}
	free(a);
	return res;
}
