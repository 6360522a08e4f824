/*
 * audit_log.c - appending chained entries (see audit_log.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "audit_log.h"
#include "head.h"
#include "secret.h"

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

enum store_result audit_log_init(struct store *s, const struct sign_key *k, int64_t now)
{
	int64_t last;
	uint8_t h[AUDIT_HASH_LEN];
	enum store_result r = store_audit_last(s, &last, h);
	if (r != STORE_OK || last > 0)
		return r;
	uint8_t commit[AUDIT_HASH_LEN];
	msgpack_sbuffer body;
	msgpack_packer pk;
	msgpack_sbuffer_init(&body);
	msgpack_packer_init(&pk, &body, msgpack_sbuffer_write);
	r = store_batch_begin(s);
	if (r == STORE_OK)
		r = secret_first(s, k, commit);
	if (r == STORE_OK) {
		audit_pack_genesis(&pk, commit);
		r = audit_log_append(s, AUDIT_GENESIS, now, &body, NULL, NULL);
	}
	if (r == STORE_OK)
		r = head_sign(s, k, NULL);
	if (r == STORE_OK)
		r = store_batch_commit(s);
	else
		store_batch_rollback(s);
	msgpack_sbuffer_destroy(&body);
	return r;
}

/* The key.rotated entry's body, to be appended after seq last (hash prev). */
static enum store_result rotation_body(struct store *s, const struct sign_key *old,
                                       const struct sign_key *new, msgpack_sbuffer *body,
                                       char *why, size_t whysz)
{
	struct audit_rotation rot;
	uint8_t prev[AUDIT_HASH_LEN];
	int64_t last;
	enum store_result r = store_audit_last(s, &last, prev);
	if (r == STORE_OK)
		r = secret_rotate(s, old, new, rot.secret, rot.next_commit, why, whysz);
	if (r != STORE_OK)
		return r;
	memcpy(rot.old_key, old->public_key, sizeof rot.old_key);
	memcpy(rot.new_key, new->public_key, sizeof rot.new_key);
	sign_rotation(rot.endorsement, last + 1, prev, new->public_key, old);
	msgpack_packer pk;
	msgpack_packer_init(&pk, body, msgpack_sbuffer_write);
	audit_pack_key_rotated(&pk, &rot);
	sodium_memzero(rot.secret, sizeof rot.secret);
	return STORE_OK;
}

enum store_result audit_log_rotate(struct store *s, const struct sign_key *old,
                                   const struct sign_key *new, int64_t now,
                                   char *why, size_t whysz)
{
	msgpack_sbuffer body;
	msgpack_sbuffer_init(&body);
	enum store_result r = store_batch_begin(s);
	if (r == STORE_OK)
		r = rotation_body(s, old, new, &body, why, whysz);
	if (r == STORE_OK)
		r = audit_log_append(s, AUDIT_KEY_ROTATED, now, &body, NULL, NULL);
	if (r == STORE_OK)
		r = head_sign(s, new, NULL);
	if (r == STORE_OK)
		r = store_batch_commit(s);
	else
		store_batch_rollback(s);
	msgpack_sbuffer_destroy(&body);
	return r;
}

/* The checkpoint, or seq 0 and a zero hash when none was kept. */
static enum store_result checkpoint_get(struct store *s, int64_t *seq,
                                        uint8_t hash[AUDIT_HASH_LEN])
{
	uint8_t buf[8 + AUDIT_HASH_LEN];
	size_t len = 0;
	*seq = 0;
	memset(hash, 0, AUDIT_HASH_LEN);
	enum store_result r = store_meta_get(s, AUDIT_LOG_CHECKPOINT_KEY, buf, sizeof buf,
	                                     &len);
	if (r == STORE_NOT_FOUND)
		return STORE_OK;
	if (r != STORE_OK || len != sizeof buf)
		return r == STORE_OK ? STORE_UNKNOWN : r;
	for (int i = 0; i < 8; i++)
		*seq = *seq << 8 | buf[i];
	memcpy(hash, buf + 8, AUDIT_HASH_LEN);
	return STORE_OK;
}

static enum store_result checkpoint_put(struct store *s, int64_t seq,
                                        const uint8_t hash[AUDIT_HASH_LEN])
{
	uint8_t buf[8 + AUDIT_HASH_LEN];
	for (int i = 0; i < 8; i++)
		buf[i] = (uint8_t)((uint64_t)seq >> (56 - 8 * i));
	memcpy(buf + 8, hash, AUDIT_HASH_LEN);
	enum store_result r = store_batch_begin(s);
	if (r == STORE_OK)
		r = store_meta_put(s, AUDIT_LOG_CHECKPOINT_KEY, buf, sizeof buf);
	if (r == STORE_OK)
		return store_batch_commit(s);
	store_batch_rollback(s);
	return r;
}

/* One entry against the one before it; false (with c->bad) if wrong. */
static bool check_entry(const struct store_audit_row *row, int64_t expect,
                        const uint8_t prev[AUDIT_HASH_LEN], struct audit_log_check *c)
{
	uint8_t h[AUDIT_HASH_LEN];
	if (row->seq != expect) {
		c->bad = expect;
		snprintf(c->why, sizeof c->why, "entry %lld is missing (the next is %lld)",
		         (long long)expect, (long long)row->seq);
		return false;
	}
	if (memcmp(row->prev, prev, AUDIT_HASH_LEN) != 0) {
		c->bad = row->seq;
		snprintf(c->why, sizeof c->why, "its prev_hash is not the hash of entry %lld",
		         (long long)row->seq - 1);
		return false;
	}
	audit_hash(h, row->prev, row->seq, row->at, row->type, row->body, row->body_len);
	if (sodium_memcmp(h, row->hash, AUDIT_HASH_LEN) != 0) {
		c->bad = row->seq;
		snprintf(c->why, sizeof c->why, "its hash does not match its content "
		         "(the entry was changed)");
		return false;
	}
	return true;
}

/* The checkpoint entry itself: still there, same hash, hash recomputes. */
static enum store_result check_checkpoint(struct store *s, int64_t seq,
                                          const uint8_t hash[AUDIT_HASH_LEN],
                                          struct audit_log_check *c)
{
	struct store_audit_row row = {0};
	enum store_result r = store_audit_get(s, seq, &row);
	if (r == STORE_NOT_FOUND) {
		c->bad = seq;
		snprintf(c->why, sizeof c->why, "entry %lld, checked at the last start, is "
		         "gone (the log was cut)", (long long)seq);
		return STORE_OK;
	}
	if (r != STORE_OK)
		return r;
	if (sodium_memcmp(row.hash, hash, AUDIT_HASH_LEN) != 0) {
		c->bad = seq;
		snprintf(c->why, sizeof c->why, "its hash changed since the last start");
	} else {
		check_entry(&row, seq, row.prev, c);
	}
	free(row.body);
	return STORE_OK;
}

#define AUDIT_CHECK_PAGE 1000

enum store_result audit_log_check(struct store *s, struct audit_log_check *c)
{
	uint8_t prev[AUDIT_HASH_LEN];
	memset(c, 0, sizeof *c);
	enum store_result r = checkpoint_get(s, &c->from, prev);
	if (r == STORE_OK && c->from > 0)
		r = check_checkpoint(s, c->from, prev, c);
	int64_t expect = c->from + 1;
	while (r == STORE_OK && !c->bad) {
		struct store_audit_row *rows = NULL;
		size_t n = 0;
		r = store_audit_list(s, expect - 1, AUDIT_CHECK_PAGE, &rows, &n);
		for (size_t i = 0; r == STORE_OK && i < n && !c->bad; i++) {
			if (!check_entry(&rows[i], expect, prev, c))
				break;
			memcpy(prev, rows[i].hash, AUDIT_HASH_LEN);
			c->last = expect++;
			c->checked++;
		}
		store_audit_rows_free(rows, n);
		if (n < AUDIT_CHECK_PAGE)
			break;
	}
	if (r == STORE_OK && !c->bad && c->last == 0)
		c->last = c->from;
	if (r == STORE_OK && !c->bad && c->last > c->from)
		r = checkpoint_put(s, c->last, prev);
	return r;
}
