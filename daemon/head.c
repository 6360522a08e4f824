/*
 * head.c - signing the audit log's head and checking it at start (see
 * head.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "head.h"
#include "secret.h"

#define HEAD_BYTES (8 + SIGN_HASH_LEN + SIGN_SIG_LEN)

enum store_result head_get(struct store *s, struct head *h)
{
	uint8_t b[HEAD_BYTES];
	size_t len = 0;
	enum store_result r = store_meta_get(s, HEAD_KEY, b, sizeof b, &len);
	if (r != STORE_OK)
		return r;
	if (len != sizeof b)
		return STORE_UNKNOWN;
	h->seq = 0;
	for (int i = 0; i < 8; i++)
		h->seq = h->seq << 8 | b[i];
	memcpy(h->hash, b + 8, SIGN_HASH_LEN);
	memcpy(h->sig, b + 8 + SIGN_HASH_LEN, SIGN_SIG_LEN);
	return STORE_OK;
}

enum store_result head_sign(struct store *s, const struct sign_key *k, struct head *out)
{
	struct head h, old;
	enum store_result r = store_audit_last(s, &h.seq, h.hash);
	if (r != STORE_OK)
		return r;
	r = head_get(s, &old);
	if (r == STORE_OK && old.seq == h.seq &&
	    sodium_memcmp(old.hash, h.hash, SIGN_HASH_LEN) == 0) {
		if (out)
			*out = old;
		return STORE_OK;
	}
	if (r != STORE_OK && r != STORE_NOT_FOUND && r != STORE_UNKNOWN)
		return r;
	sign_head(h.sig, h.seq, h.hash, k);
	uint8_t b[HEAD_BYTES];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)((uint64_t)h.seq >> (56 - 8 * i));
	memcpy(b + 8, h.hash, SIGN_HASH_LEN);
	memcpy(b + 8 + SIGN_HASH_LEN, h.sig, SIGN_SIG_LEN);
	r = store_meta_put(s, HEAD_KEY, b, sizeof b);
	if (r == STORE_OK && out)
		*out = h;
	return r;
}

/* A store from before signed heads: sign what is there, in its own
 * transaction (DRAW.md 4.7.3). */
static enum store_result head_adopt(struct store *s, const struct sign_key *k)
{
	enum store_result r = store_batch_begin(s);
	if (r == STORE_OK)
		r = head_sign(s, k, NULL);
	if (r == STORE_OK)
		return store_batch_commit(s);
	store_batch_rollback(s);
	return r;
}

/* Where the signed head h and the log (last, last_hash) disagree. */
static int64_t head_mismatch(struct store *s, const struct head *h, int64_t last,
                             const uint8_t last_hash[SIGN_HASH_LEN], char *why,
                             size_t whysz)
{
	if (h->seq > last) {
		snprintf(why, whysz, "it was signed as the head of the log, and is gone "
		         "(the log was cut back to entry %lld)", (long long)last);
		return h->seq;
	}
	struct store_audit_row row = {0};
	bool same = h->seq == last
		? sodium_memcmp(h->hash, last_hash, SIGN_HASH_LEN) == 0
		: store_audit_get(s, h->seq, &row) == STORE_OK &&
		  sodium_memcmp(h->hash, row.hash, SIGN_HASH_LEN) == 0;
	free(row.body);
	if (!same) {
		snprintf(why, whysz, "its hash is not the one the signing key signed "
		         "(the log was rewritten)");
		return h->seq;
	}
	if (h->seq < last) {
		snprintf(why, whysz, "it comes after the last signed head (entry %lld): "
		         "it was appended without the signing key", (long long)h->seq);
		return h->seq + 1;
	}
	return 0;
}

enum store_result head_check(struct store *s, const struct sign_key *k, int64_t *bad,
                             bool *adopted, char *why, size_t whysz)
{
	struct head h;
	uint8_t raw[AUDIT_SECRET_LEN], last_hash[SIGN_HASH_LEN];
	int64_t last;
	size_t len = 0;
	*bad = 0;
	*adopted = false;
	enum store_result r = store_audit_last(s, &last, last_hash);
	if (r != STORE_OK)
		return r;
	r = head_get(s, &h);
	if (r == STORE_NOT_FOUND && last > 0) {
		r = store_meta_get(s, SECRET_LEGACY_KEY, raw, sizeof raw, &len);
		sodium_memzero(raw, sizeof raw);
		if (r == STORE_OK) {
			*adopted = true;
			return head_adopt(s, k);
		}
		if (r != STORE_NOT_FOUND)
			return r;
		*bad = last;
		snprintf(why, whysz, "no signed head covers it (the signature was removed)");
		return STORE_OK;
	}
	if (r == STORE_UNKNOWN || (r == STORE_OK &&
	                           !sign_head_is_valid(h.sig, h.seq, h.hash, k->public_key))) {
		*bad = r == STORE_OK ? h.seq : last;
		snprintf(why, whysz, "the signed head does not verify under the signing "
		         "key (forged, or another key: --previous-sign-key changes keys)");
		return STORE_OK;
	}
	if (r != STORE_OK)
		return r;
	*bad = head_mismatch(s, &h, last, last_hash, why, whysz);
	return STORE_OK;
}
