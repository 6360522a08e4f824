/*
 * keys.h - CURVE key files, shared by expertd and the clients. A secret
 * key file (mode 0600) and a public key file are small INI files:
 *     [curve]
 *     public-key = <40 Z85 chars>
 *     secret-key = <40 Z85 chars>      (secret file only)
 */
#ifndef EXPERTD_KEYS_H
#define EXPERTD_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#define KEYS_Z85_LEN 40

struct keys_pair {
	char public_key[KEYS_Z85_LEN + 1];
	char secret_key[KEYS_Z85_LEN + 1]; /* "" when only the public key is known */
};

/* A fresh keypair (zmq_curve_keypair). Returns false with err set. */
bool keys_generate(struct keys_pair *out, char *err, size_t errsz);

/*
 * Write <base>.key (both keys, created 0600, refuses to overwrite) and
 * <base>.pub (public key only, 0644).
 */
bool keys_write(const char *base, const struct keys_pair *kp,
                char *err, size_t errsz);

/* Read a secret key file; both keys must be present, valid Z85, and match. */
bool keys_read_secret(const char *path, struct keys_pair *out,
                      char *err, size_t errsz);

/* A public key given either as 40 Z85 chars or as the path of a .pub or
 * .key file. */
bool keys_read_public(const char *path_or_z85, char out[KEYS_Z85_LEN + 1],
                      char *err, size_t errsz);

/* True if s is exactly 40 valid Z85 characters decoding to 32 bytes. */
bool keys_is_z85(const char *s);

#endif
