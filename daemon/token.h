/*
 * token.h - one-time answer tokens for offered seats (PROTOCOL.md 7.12.3):
 * "<assignment id>.<22 characters>", the characters being 16 random bytes
 * in unpadded URL-safe base64. Only BLAKE2b-256 of the bytes is stored;
 * checks compare hashes in constant time. Randomness and hashing come
 * from libsodium.
 */
#ifndef EXPERTD_TOKEN_H
#define EXPERTD_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOKEN_BYTES 16
#define TOKEN_HASH_LEN 32
/* "<id up to 19 digits>.<22 chars>" and a NUL. */
#define TOKEN_STR_MAX 48

/* A fresh token for seat `assignment`: the text to show once, and the
 * hash to store. */
void token_make(int64_t assignment, char text[TOKEN_STR_MAX],
                uint8_t hash[TOKEN_HASH_LEN]);

/*
 * Split a token as received into its seat and the hash of its secret.
 * False if it does not have the form (the caller answers exactly as for
 * a wrong token).
 */
bool token_parse(const char *s, size_t n, int64_t *assignment,
                 uint8_t hash[TOKEN_HASH_LEN]);

/*
 * A token as received, cleaned of what an SMS app adds (textnorm_token():
 * spaces, trailing 。！）, full-width forms) into out; false when nothing
 * token-like is left (the caller answers exactly as for a wrong token).
 */
bool token_clean(const char *s, size_t n, char out[TOKEN_STR_MAX], size_t *len);

/*
 * The seat a token as received names by its prefix, the digits before
 * the dot (after token_clean()), or 0 when it names none: the target
 * whose failures the answer endpoint counts (PROTOCOL.md 7.12.9).
 */
int64_t token_target(const char *s, size_t n);

/* Constant-time comparison of two token hashes. */
bool token_hash_equal(const uint8_t a[TOKEN_HASH_LEN], const uint8_t b[TOKEN_HASH_LEN]);

#endif
