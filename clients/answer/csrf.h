/*
 * csrf.h - the answer page's form tokens: a form is good for one answer
 * link and until an expiry, proven by an HMAC under a key the page makes
 * at start (libsodium crypto_auth). Another site cannot make one, and one
 * taken from a page is good for that link only. Pure: the caller passes
 * the time.
 */
#ifndef EXPERTD_ANSWER_CSRF_H
#define EXPERTD_ANSWER_CSRF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#define CSRF_KEY_LEN crypto_auth_hmacsha512256_KEYBYTES
/* "<expiry, decimal>.<mac, hex>" and a NUL */
#define CSRF_SIZE (20 + 1 + 2 * crypto_auth_hmacsha512256_BYTES + 1)

/* The form field for `link` (the answer token as the page read it),
 * good until `expires`. */
void csrf_make(const uint8_t key[CSRF_KEY_LEN], const char *link, int64_t expires,
               char out[CSRF_SIZE]);
/* Whether `value` (as posted, n bytes) was made for link by this key and
 * has not expired at now. */
bool csrf_check(const uint8_t key[CSRF_KEY_LEN], const char *link, const char *value,
                size_t n, int64_t now);

#endif
