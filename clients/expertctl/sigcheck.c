/*
 * sigcheck.c - signed heads and receipts against the log (see sigcheck.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "out.h"
#include "proto.h"
#include "sigcheck.h"

static bool sigcheck_fail(struct sigcheck *c, int64_t seq, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool sigcheck_fail(struct sigcheck *c, int64_t seq, const char *fmt, ...)
{
	va_list ap;
	c->bad = seq;
	va_start(ap, fmt);
	vsnprintf(c->why, sizeof c->why, fmt, ap);
	va_end(ap);
	return false;
}

void sigcheck_entry(struct sigcheck *c, int64_t seq, const uint8_t hash[SIGN_HASH_LEN])
{
	if ((size_t)seq >= c->cap) {
		size_t nc = c->cap ? c->cap : 1024;
		while (nc <= (size_t)seq)
			nc *= 2;
		c->hashes = out_xrealloc(c->hashes, nc * sizeof *c->hashes);
		c->cap = nc;
	}
	memcpy(c->hashes[seq], hash, SIGN_HASH_LEN);
	c->end = seq;
}

static bool sigcheck_bin(const msgpack_object *m, const char *k, uint8_t *dst, size_t n)
{
	const msgpack_object *o = proto_map_get(m, k);
	if (!o || o->type != MSGPACK_OBJECT_BIN || o->via.bin.size != n)
		return false;
	memcpy(dst, o->via.bin.ptr, n);
	return true;
}

/* Pin key, or hold it to the pinned one; what names it for a message. */
static bool sigcheck_key(struct sigcheck *c, const uint8_t key[SIGN_PUBLIC_LEN],
                         int64_t seq, const char *what)
{
	char hex[2 * SIGN_PUBLIC_LEN + 1];
	if (!c->pinned) {
		memcpy(c->key, key, SIGN_PUBLIC_LEN);
		c->pinned = true;
		return true;
	}
	if (sodium_memcmp(c->key, key, SIGN_PUBLIC_LEN) == 0)
		return true;
	return sigcheck_fail(c, seq, "%s is signed by key %s, not the signing key %s",
	                     what, out_hex(key, SIGN_PUBLIC_LEN, hex),
	                     out_hex(c->key, SIGN_PUBLIC_LEN, (char[65]){0}));
}

bool sigcheck_head(struct sigcheck *c, const msgpack_object *head, int64_t first,
                   int64_t last)
{
	uint8_t hash[SIGN_HASH_LEN], sig[SIGN_SIG_LEN], key[SIGN_PUBLIC_LEN];
	if (!head)
		return true;   /* a daemon from before signed heads */
	int64_t seq = proto_map_int(head, "seq", 0);
	if (seq <= 0 || !sigcheck_bin(head, "hash", hash, sizeof hash) ||
	    !sigcheck_bin(head, "sig", sig, sizeof sig) ||
	    !sigcheck_bin(head, "key", key, sizeof key))
		return sigcheck_fail(c, 0, "the daemon sent a malformed signed head");
	if (!sigcheck_key(c, key, seq, "the daemon's head"))
		return false;
	if (!sign_head_is_valid(sig, seq, hash, c->key))
		return sigcheck_fail(c, seq, "the daemon's signed head does not verify "
		                     "under the signing key (forged)");
	if (last >= first && last > seq)
		return sigcheck_fail(c, seq + 1 > first ? seq + 1 : first, "it is not under "
		                     "the last signed head (seq %lld): it was appended "
		                     "without the signing key", (long long)seq);
	if (!c->has_head || seq >= c->head_seq) {
		c->has_head = true;
		c->head_seq = seq;
		memcpy(c->head_hash, hash, SIGN_HASH_LEN);
	}
	return true;
}

bool sigcheck_end(struct sigcheck *c)
{
	if (!c->has_head)
		return true;
	if (c->head_seq > c->end)
		return sigcheck_fail(c, c->head_seq, "the daemon's signed head names this "
		                     "entry, but its log ends at seq %lld", (long long)c->end);
	if (sodium_memcmp(c->hashes[c->head_seq], c->head_hash, SIGN_HASH_LEN) != 0)
		return sigcheck_fail(c, c->head_seq, "its hash is not the one the daemon's "
		                     "signed head holds");
	return true;
}

/* One receipt against the log. */
static bool sigcheck_receipt(struct sigcheck *c, const struct receipt *r)
{
	if (!sigcheck_key(c, r->key, r->seq, r->file))
		return false;
	if (!receipt_is_signed_by(r, c->key))
		return sigcheck_fail(c, r->seq, "receipt %s: its signature does not verify "
		                     "(the receipt was altered)", r->file);
	if (r->head_seq > c->end)
		return sigcheck_fail(c, r->seq, "receipt %s: the log ends at seq %lld, before "
		                     "the head %lld the receipt was signed under (the log was "
		                     "cut)", r->file, (long long)c->end, (long long)r->head_seq);
	if (sodium_memcmp(c->hashes[r->seq], r->hash, SIGN_HASH_LEN) != 0)
		return sigcheck_fail(c, r->seq, "receipt %s: the entry's hash is not the one "
		                     "the receipt holds (the entry was rewritten)", r->file);
	if (sodium_memcmp(c->hashes[r->head_seq], r->head_hash, SIGN_HASH_LEN) != 0)
		return sigcheck_fail(c, r->head_seq, "receipt %s: the hash of the head it was "
		                     "signed under is not the one the receipt holds (the log "
		                     "was rewritten)", r->file);
	return true;
}

bool sigcheck_receipts(struct sigcheck *c, const struct receipt *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!sigcheck_receipt(c, &r[i]))
			return false;
	return true;
}

void sigcheck_free(struct sigcheck *c)
{
	free(c->hashes);
	c->hashes = NULL;
	c->cap = 0;
}
