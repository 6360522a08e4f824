/*
 * audit_log.c - appending chained entries (see audit_log.h).
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "audit_log.h"

enum store_result audit_log_append(struct store *s, const char *type, int64_t at,
                                   const msgpack_sbuffer *body, int64_t *seq,
                                   uint8_t hash[AUDIT_HASH_LEN])
{
	struct store_audit_row row = {.at = at, .body = body->data,
	                              .body_len = body->size};
	int64_t last;
	enum store_result r = store_audit_last(s, &last, row.prev);
	if (r != STORE_OK)
		return r;
	row.seq = last + 1;
	snprintf(row.type, sizeof row.type, "%s", type);
	audit_hash(row.hash, row.prev, row.seq, at, type, body->data, body->size);
	r = store_audit_insert(s, &row);
	if (r != STORE_OK)
		return r;
	if (seq)
		*seq = row.seq;
	if (hash)
		memcpy(hash, row.hash, AUDIT_HASH_LEN);
	return STORE_OK;
}

enum store_result audit_log_init(struct store *s, int64_t now)
{
	int64_t last;
	uint8_t h[AUDIT_HASH_LEN];
	enum store_result r = store_audit_last(s, &last, h);
	if (r != STORE_OK || last > 0)
		return r;
	uint8_t secret[AUDIT_SECRET_LEN], commit[AUDIT_HASH_LEN];
	randombytes_buf(secret, sizeof secret);
	audit_commit(commit, secret);
	msgpack_sbuffer body;
	msgpack_packer pk;
	msgpack_sbuffer_init(&body);
	msgpack_packer_init(&pk, &body, msgpack_sbuffer_write);
	audit_pack_genesis(&pk, commit);
	r = store_batch_begin(s);
	if (r == STORE_OK)
		r = store_meta_put(s, AUDIT_LOG_SECRET_KEY, secret, sizeof secret);
	if (r == STORE_OK)
		r = audit_log_append(s, AUDIT_GENESIS, now, &body, NULL, NULL);
	if (r == STORE_OK)
		r = store_batch_commit(s);
	else
		store_batch_rollback(s);
	sodium_memzero(secret, sizeof secret);
	msgpack_sbuffer_destroy(&body);
	return r;
}
