/*
 * secret.c - derived draw secrets and their stored commitments (see
 * secret.h).
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "secret.h"

static enum store_result secret_pos_get(struct store *s, int64_t *pos)
{
	uint8_t b[8];
	size_t len = 0;
	enum store_result r = store_meta_get(s, SECRET_POS_KEY, b, sizeof b, &len);
	if (r == STORE_OK && len != sizeof b)
		return STORE_UNKNOWN;
	*pos = 0;
	for (int i = 0; r == STORE_OK && i < 8; i++)
		*pos = *pos << 8 | b[i];
	return r;
}

/* Position pos becomes the pending secret: its position and commitment. */
static enum store_result secret_pend(struct store *s, const struct sign_key *k,
                                     int64_t pos, uint8_t commit[AUDIT_HASH_LEN])
{
	uint8_t b[8], secret[AUDIT_SECRET_LEN];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)((uint64_t)pos >> (56 - 8 * i));
	sign_secret(secret, k, pos);
	audit_commit(commit, secret);
	sodium_memzero(secret, sizeof secret);
	enum store_result r = store_meta_put(s, SECRET_POS_KEY, b, sizeof b);
	if (r == STORE_OK)
		r = store_meta_put(s, SECRET_COMMIT_KEY, commit, AUDIT_HASH_LEN);
	return r;
}

enum store_result secret_first(struct store *s, const struct sign_key *k,
                               uint8_t commit[AUDIT_HASH_LEN])
{
	return secret_pend(s, k, 1, commit);
}

/* The pending secret into secret, and its position (0: the legacy one). */
static enum store_result secret_pending(struct store *s, const struct sign_key *k,
                                        uint8_t secret[AUDIT_SECRET_LEN], int64_t *pos,
                                        char *why, size_t whysz)
{
	size_t len = 0;
	*pos = 0;
	enum store_result r = store_meta_get(s, SECRET_LEGACY_KEY, secret,
	                                     AUDIT_SECRET_LEN, &len);
	if (r == STORE_OK && len == AUDIT_SECRET_LEN)
		return STORE_OK;
	if (r != STORE_OK && r != STORE_NOT_FOUND)
		return r;
	uint8_t stored[AUDIT_HASH_LEN], commit[AUDIT_HASH_LEN];
	r = secret_pos_get(s, pos);
	if (r == STORE_OK)
		r = store_meta_get(s, SECRET_COMMIT_KEY, stored, sizeof stored, &len);
	if (r != STORE_OK || len != AUDIT_HASH_LEN) {
		snprintf(why, whysz, "the draw secret chain is missing");
		return r == STORE_OK || r == STORE_NOT_FOUND ? STORE_UNKNOWN : r;
	}
	sign_secret(secret, k, *pos);
	audit_commit(commit, secret);
	if (sodium_memcmp(commit, stored, sizeof commit) != 0) {
		sodium_memzero(secret, AUDIT_SECRET_LEN);
		snprintf(why, whysz, "the signing key does not derive the committed draw "
		         "secret %lld (it is not the key that committed it)", (long long)*pos);
		return STORE_UNKNOWN;
	}
	return STORE_OK;
}

enum store_result secret_rotate(struct store *s, const struct sign_key *old,
                                const struct sign_key *new,
                                uint8_t secret[AUDIT_SECRET_LEN],
                                uint8_t next_commit[AUDIT_HASH_LEN],
                                char *why, size_t whysz)
{
	int64_t pos;
	enum store_result r = secret_pending(s, old, secret, &pos, why, whysz);
	/* The legacy secret, once revealed, is gone from the store. */
	if (r == STORE_OK && pos == 0)
		r = store_meta_delete(s, SECRET_LEGACY_KEY);
	if (r == STORE_OK && pos == 0)
		r = secret_pos_get(s, &pos);
	if (r == STORE_NOT_FOUND)
		r = STORE_OK;   /* never derived yet: the next is position 1 */
	if (r == STORE_OK)
		r = secret_pend(s, new, pos + 1, next_commit);
	return r;
}

enum store_result secret_next(struct store *s, const struct sign_key *k,
                              uint8_t secret[AUDIT_SECRET_LEN],
                              uint8_t next_commit[AUDIT_HASH_LEN],
                              char *why, size_t whysz)
{
	return secret_rotate(s, k, k, secret, next_commit, why, whysz);
}

enum store_result secret_check(struct store *s, const struct sign_key *k,
                               char *why, size_t whysz)
{
	uint8_t secret[AUDIT_SECRET_LEN];
	int64_t pos;
	enum store_result r = secret_pending(s, k, secret, &pos, why, whysz);
	sodium_memzero(secret, sizeof secret);
	return r;
}
