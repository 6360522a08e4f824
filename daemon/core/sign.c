/*
 * sign.c - head signatures and derived draw secrets (see sign.h).
 */
#include <string.h>

#include <sodium.h>

#include "sign.h"

static const char SIGN_DRAW_KEY_DOMAIN[] = "expertd-draw-key-v1";
static const char SIGN_DATA_KEY_DOMAIN[] = "expertd-data-key-v1";
static const char SIGN_INDEX_KEY_DOMAIN[] = "expertd-index-key-v1";
static const char SIGN_HEAD_DOMAIN[] = "expertd-head-v1";
static const char SIGN_SECRET_DOMAIN[] = "expertd-secret-v1";
static const char SIGN_ROTATE_DOMAIN[] = "expertd-rotate-v1";

#define SIGN_HEAD_MSG_LEN (sizeof SIGN_HEAD_DOMAIN - 1 + 8 + SIGN_HASH_LEN)

static void sign_be64(uint8_t out[8], uint64_t v)
{
	for (int i = 0; i < 8; i++)
		out[i] = (uint8_t)(v >> (56 - 8 * i));
}

/* BLAKE2b-256 keyed by the seed, of a domain string. */
static void sign_derive(uint8_t out[32], const char *domain,
                        const uint8_t seed[SIGN_SEED_LEN])
{
	crypto_generichash(out, 32, (const uint8_t *)domain, strlen(domain), seed,
	                   SIGN_SEED_LEN);
}

void sign_key_from_seed(struct sign_key *k, const uint8_t seed[SIGN_SEED_LEN])
{
	crypto_sign_seed_keypair(k->public_key, k->secret_key, seed);
	sign_derive(k->draw_key, SIGN_DRAW_KEY_DOMAIN, seed);
	sign_derive(k->data_key, SIGN_DATA_KEY_DOMAIN, seed);
	sign_derive(k->index_key, SIGN_INDEX_KEY_DOMAIN, seed);
}

void sign_key_wipe(struct sign_key *k)
{
	sodium_memzero(k, sizeof *k);
}

static void sign_head_message(uint8_t out[SIGN_HEAD_MSG_LEN], int64_t seq,
                              const uint8_t hash[SIGN_HASH_LEN])
{
	size_t n = sizeof SIGN_HEAD_DOMAIN - 1;
	memcpy(out, SIGN_HEAD_DOMAIN, n);
	sign_be64(out + n, (uint64_t)seq);
	memcpy(out + n + 8, hash, SIGN_HASH_LEN);
}

void sign_head(uint8_t sig[SIGN_SIG_LEN], int64_t seq, const uint8_t hash[SIGN_HASH_LEN],
               const struct sign_key *k)
{
	uint8_t msg[SIGN_HEAD_MSG_LEN];
	sign_head_message(msg, seq, hash);
	crypto_sign_detached(sig, NULL, msg, sizeof msg, k->secret_key);
}

bool sign_head_is_valid(const uint8_t sig[SIGN_SIG_LEN], int64_t seq,
                        const uint8_t hash[SIGN_HASH_LEN],
                        const uint8_t public_key[SIGN_PUBLIC_LEN])
{
	uint8_t msg[SIGN_HEAD_MSG_LEN];
	sign_head_message(msg, seq, hash);
	return crypto_sign_verify_detached(sig, msg, sizeof msg, public_key) == 0;
}

void sign_secret(uint8_t out[32], const struct sign_key *k, int64_t pos)
{
	uint8_t msg[sizeof SIGN_SECRET_DOMAIN - 1 + 8];
	size_t n = sizeof SIGN_SECRET_DOMAIN - 1;
	memcpy(msg, SIGN_SECRET_DOMAIN, n);
	sign_be64(msg + n, (uint64_t)pos);
	crypto_generichash(out, 32, msg, sizeof msg, k->draw_key, sizeof k->draw_key);
}

#define SIGN_ROTATE_MSG_LEN (sizeof SIGN_ROTATE_DOMAIN - 1 + 8 + SIGN_HASH_LEN + \
                             SIGN_PUBLIC_LEN)

static void sign_rotation_message(uint8_t out[SIGN_ROTATE_MSG_LEN], int64_t seq,
                                  const uint8_t prev[SIGN_HASH_LEN],
                                  const uint8_t new_public_key[SIGN_PUBLIC_LEN])
{
	size_t n = sizeof SIGN_ROTATE_DOMAIN - 1;
	memcpy(out, SIGN_ROTATE_DOMAIN, n);
	sign_be64(out + n, (uint64_t)seq);
	memcpy(out + n + 8, prev, SIGN_HASH_LEN);
	memcpy(out + n + 8 + SIGN_HASH_LEN, new_public_key, SIGN_PUBLIC_LEN);
}

void sign_rotation(uint8_t sig[SIGN_SIG_LEN], int64_t seq,
                   const uint8_t prev[SIGN_HASH_LEN],
                   const uint8_t new_public_key[SIGN_PUBLIC_LEN],
                   const struct sign_key *old)
{
	uint8_t msg[SIGN_ROTATE_MSG_LEN];
	sign_rotation_message(msg, seq, prev, new_public_key);
	crypto_sign_detached(sig, NULL, msg, sizeof msg, old->secret_key);
}

bool sign_rotation_is_valid(const uint8_t sig[SIGN_SIG_LEN], int64_t seq,
                            const uint8_t prev[SIGN_HASH_LEN],
                            const uint8_t new_public_key[SIGN_PUBLIC_LEN],
                            const uint8_t old_public_key[SIGN_PUBLIC_LEN])
{
	uint8_t msg[SIGN_ROTATE_MSG_LEN];
	sign_rotation_message(msg, seq, prev, new_public_key);
	return crypto_sign_verify_detached(sig, msg, sizeof msg, old_public_key) == 0;
}
