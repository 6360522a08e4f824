/*
 * pii.h - personal data sealed at rest (expertd(8), PERSONAL DATA AT
 * REST): resident IDs, phones, e-mail addresses, staged roster rows and
 * recorded replies are stored as sealed values, and a resident ID is
 * found through its keyed blind index. Both keys come from the signing
 * key (sign.h): the database alone opens nothing.
 *
 * A sealed value is 0xC1 (a byte that never begins a msgpack value or
 * UTF-8 text) || 24-byte nonce || XChaCha20-Poly1305 ciphertext and tag,
 * with associated data naming where it lives ("experts.phone:17"), so a
 * value moved to another row or column does not open.
 */
#ifndef EXPERTD_PII_H
#define EXPERTD_PII_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sign.h"

#define PII_MARK 0xC1
#define PII_NONCE_LEN 24
#define PII_OVERHEAD (1 + PII_NONCE_LEN + 16)
#define PII_INDEX_LEN 16
#define PII_KEY_ID_LEN 16

/* Whether b is a sealed value (else it is clear, from before sealing). */
bool pii_is_sealed(const void *b, size_t n);

/* Seal m (n bytes) into out, which holds n + PII_OVERHEAD. */
void pii_seal(const struct sign_key *k, const char *ad, const void *m, size_t n,
              uint8_t *out);

/* Open c (n bytes) into out (size bytes, n - PII_OVERHEAD needed); *len
 * gets the length. False when it is not sealed by k for ad, or too big. */
bool pii_open(const struct sign_key *k, const char *ad, const uint8_t *c, size_t n,
              uint8_t *out, size_t size, size_t *len);

/* The blind index of value in the domain what ("resident_id"):
 * BLAKE2b-128 keyed by the index key, of what || 0 || value. */
void pii_index(const struct sign_key *k, const char *what, const char *value,
               uint8_t out[PII_INDEX_LEN]);

/* Names the key in the database without revealing it:
 * BLAKE2b-128 keyed by the data key, of "expertd-pii-key-id-v1". */
void pii_key_id(const struct sign_key *k, uint8_t out[PII_KEY_ID_LEN]);

#endif
