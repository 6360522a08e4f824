/*
 * receipt.h - keeping receipts (PROTOCOL.md 5.4.1) and reading them back
 * for `audit verify --receipts DIR`. A receipt is a small JSON file,
 * DIR/receipt-<seq>.json: the entry's seq and hash, the signed head it
 * was committed under, the signature and the signing public key, in hex.
 */
#ifndef EXPERTCTL_RECEIPT_H
#define EXPERTCTL_RECEIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#include "sign.h"

struct receipt {
	int64_t seq;
	uint8_t hash[SIGN_HASH_LEN];
	int64_t head_seq;
	uint8_t head_hash[SIGN_HASH_LEN];
	uint8_t sig[SIGN_SIG_LEN];
	uint8_t key[SIGN_PUBLIC_LEN];
	char file[256];            /* its name in the directory */
};

/* The bin value of key k in map m, exactly n bytes, into dst. */
bool receipt_map_bin(const msgpack_object *m, const char *k, uint8_t *dst, size_t n);

/* Read a reply's receipt map; false if it is not one. */
bool receipt_from_reply(const msgpack_object *o, struct receipt *out);

/* Write r into dir (made if missing) for request id of op. */
bool receipt_save(const char *dir, const struct receipt *r, const char *op,
                  const char *id, char *err, size_t errsz);

/* Every receipt-*.json in dir, sorted by seq; *out is malloc'd. A file
 * that does not read is an error naming it. */
bool receipt_load_dir(const char *dir, struct receipt **out, size_t *n,
                      char *err, size_t errsz);

/* The signature over the receipt's head verifies under key. */
bool receipt_is_signed_by(const struct receipt *r, const uint8_t key[SIGN_PUBLIC_LEN]);

#endif
