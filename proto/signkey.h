/*
 * signkey.h - the signing key file (PROTOCOL.md 4.3.1), beside the CURVE
 * key and, like it, never in the database. Small INI files:
 *     [sign]
 *     public-key = <64 hex: the Ed25519 public key>
 *     seed = <64 hex: the secret seed>        (secret file only)
 * The daemon signs chain heads and derives draw secrets from the seed;
 * the .pub file is what it publishes for anyone who checks receipts.
 */
#ifndef EXPERTD_SIGNKEY_H
#define EXPERTD_SIGNKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIGNKEY_LEN 32
#define SIGNKEY_HEX_LEN 64

/* Make a fresh seed and write <base>.key (0600, never overwritten) and
 * <base>.pub (0644); public_hex (may be NULL) gets the public key. */
bool signkey_generate(const char *base, char public_hex[SIGNKEY_HEX_LEN + 1],
                      char *err, size_t errsz);

/* Read a secret key file: the seed, checked against its public key. */
bool signkey_read_secret(const char *path, uint8_t seed[SIGNKEY_LEN],
                         uint8_t public_key[SIGNKEY_LEN], char *err, size_t errsz);

/* A public key given as 64 hex characters or the path of a .pub or .key. */
bool signkey_read_public(const char *path_or_hex, uint8_t public_key[SIGNKEY_LEN],
                         char *err, size_t errsz);

#endif
