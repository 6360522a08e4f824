/*
 * sigcheck.c - signed heads and receipts against the log (see sigcheck.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "audit.h"
#include "ctl_i18n.h"
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

void sigcheck_rotation(struct sigcheck *c, const void *body, size_t len)
{
	msgpack_unpacked u;
	struct proto_error err;
	struct audit_rotation rot;
	msgpack_unpacked_init(&u);
	if (proto_unpack(body, len, &u, &err) == PROTO_OK &&
	    audit_read_key_rotated(&u.data, &rot)) {
		c->links = out_xrealloc(c->links, (c->n_links + 1) * sizeof *c->links);
		memcpy(c->links[c->n_links][0], rot.old_key, SIGN_PUBLIC_LEN);
		memcpy(c->links[c->n_links][1], rot.new_key, SIGN_PUBLIC_LEN);
		c->n_links++;
	}
	msgpack_unpacked_destroy(&u);
}

/* key is the pinned key or linked to it by rotations, either way round
 * (the log under the later key vouches for the earlier; the earlier key
 * endorsed the later). */
static bool sigcheck_accepts(const struct sigcheck *c, const uint8_t key[SIGN_PUBLIC_LEN])
{
	const uint8_t *cur = c->key;
	if (sodium_memcmp(cur, key, SIGN_PUBLIC_LEN) == 0)
		return true;
	/* Links form one chain in log order: walk it from the pinned key. */
	bool *seen = calloc(c->n_links ? c->n_links : 1, sizeof *seen);
	bool found = false, grew = seen != NULL;
	uint8_t (*acc)[SIGN_PUBLIC_LEN] = out_xrealloc(NULL, (c->n_links + 1) *
	                                                     sizeof *acc);
	size_t n = 1;
	memcpy(acc[0], cur, SIGN_PUBLIC_LEN);
	while (grew && !found) {
		grew = false;
		for (size_t i = 0; i < c->n_links; i++) {
			for (size_t j = 0; !seen[i] && j < n; j++) {
				int side = sodium_memcmp(c->links[i][0], acc[j], SIGN_PUBLIC_LEN) == 0
					? 1 : sodium_memcmp(c->links[i][1], acc[j], SIGN_PUBLIC_LEN) == 0
					? 0 : -1;
				if (side < 0)
					continue;
				seen[i] = grew = true;
				memcpy(acc[n++], c->links[i][side], SIGN_PUBLIC_LEN);
				found = found || sodium_memcmp(acc[n - 1], key, SIGN_PUBLIC_LEN) == 0;
			}
		}
	}
	free(seen);
	free(acc);
	return found;
}

bool sigcheck_head(struct sigcheck *c, const msgpack_object *head, int64_t first,
                   int64_t last, int64_t end)
{
	uint8_t hash[SIGN_HASH_LEN], sig[SIGN_SIG_LEN], key[SIGN_PUBLIC_LEN];
	if (!head)
		return true;   /* a daemon from before signed heads */
	int64_t seq = proto_map_int(head, "seq", 0);
	if (seq <= 0 || !receipt_map_bin(head, "hash", hash, sizeof hash) ||
	    !receipt_map_bin(head, "sig", sig, sizeof sig) ||
	    !receipt_map_bin(head, "key", key, sizeof key))
		return sigcheck_fail(c, 0, _("the daemon sent a malformed signed head"));
	if (!c->pinned) {
		memcpy(c->key, key, SIGN_PUBLIC_LEN);
		c->pinned = true;
	}
	/* Whose key it is waits for the rotations in the log (sigcheck_end). */
	if (!sign_head_is_valid(sig, seq, hash, key))
		return sigcheck_fail(c, seq, _("the daemon's signed head does not verify "
		                     "under the signing key (forged)"));
	if (last >= first && last > seq)
		return sigcheck_fail(c, seq + 1 > first ? seq + 1 : first, _("it is not under "
		                     "the last signed head (seq %lld): it was appended "
		                     "without the signing key"), (long long)seq);
	/* Where the reader stands after this page: its last entry, or just
	 * before first when the page is empty (a log cut to nothing). */
	int64_t pos = last > 0 ? last : first - 1;
	bool reached = seq <= last || (end >= 0 && pos >= end);
	if (reached && (!c->has_head || seq >= c->head_seq)) {
		c->has_head = true;
		c->head_seq = seq;
		memcpy(c->head_hash, hash, SIGN_HASH_LEN);
		memcpy(c->head_key, key, SIGN_PUBLIC_LEN);
	}
	return true;
}

bool sigcheck_end(struct sigcheck *c)
{
	char hex[2 * SIGN_PUBLIC_LEN + 1];
	if (!c->has_head)
		return true;
	if (!sigcheck_accepts(c, c->head_key))
		return sigcheck_fail(c, c->head_seq, _("the daemon's head is signed by key %s, "
		                     "which is not the signing key nor one a key.rotated "
		                     "entry links to it"), out_hex(c->head_key,
		                     SIGN_PUBLIC_LEN, hex));
	if (c->head_seq > c->end)
		return sigcheck_fail(c, c->head_seq, _("the daemon's signed head names this "
		                     "entry, but its log ends at seq %lld"), (long long)c->end);
	if (sodium_memcmp(c->hashes[c->head_seq], c->head_hash, SIGN_HASH_LEN) != 0)
		return sigcheck_fail(c, c->head_seq, _("its hash is not the one the daemon's "
		                     "signed head holds"));
	return true;
}

/* One receipt against the log. */
static bool sigcheck_receipt(struct sigcheck *c, const struct receipt *r)
{
	char hex[2 * SIGN_PUBLIC_LEN + 1];
	if (!sigcheck_accepts(c, r->key))
		return sigcheck_fail(c, r->seq, _("receipt %s is signed by key %s, which is not "
		                     "the signing key nor one a key.rotated entry links to "
		                     "it"), r->file, out_hex(r->key, SIGN_PUBLIC_LEN, hex));
	if (!receipt_is_signed_by(r, r->key))
		return sigcheck_fail(c, r->seq, _("receipt %s: its signature does not verify "
		                     "(the receipt was altered)"), r->file);
	if (r->head_seq > c->end)
		return sigcheck_fail(c, r->seq, _("receipt %s: the log ends at seq %lld, before "
		                     "the head %lld the receipt was signed under (the log was "
		                     "cut)"), r->file, (long long)c->end, (long long)r->head_seq);
	if (sodium_memcmp(c->hashes[r->seq], r->hash, SIGN_HASH_LEN) != 0)
		return sigcheck_fail(c, r->seq, _("receipt %s: the entry's hash is not the one "
		                     "the receipt holds (the entry was rewritten)"), r->file);
	if (sodium_memcmp(c->hashes[r->head_seq], r->head_hash, SIGN_HASH_LEN) != 0)
		return sigcheck_fail(c, r->head_seq, _("receipt %s: the hash of the head it was "
		                     "signed under is not the one the receipt holds (the log "
		                     "was rewritten)"), r->file);
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
	free(c->links);
	c->links = NULL;
	free(c->hashes);
	c->hashes = NULL;
	c->cap = 0;
}
