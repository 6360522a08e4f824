/*
 * sigcheck.h - the signed part of `audit verify` (DRAW.md 4.7): every
 * entry must lie under a head signed by the signing key, the signed head
 * must still be in the log with the hash it was signed with, and each
 * kept receipt must still be true of the log. The key is pinned by
 * --sign-key, else by the first receipt, else by the daemon's first head;
 * the keys that key.rotated entries link to it are accepted too.
 */
#ifndef EXPERTCTL_SIGCHECK_H
#define EXPERTCTL_SIGCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#include "receipt.h"
#include "sign.h"

struct sigcheck {
	uint8_t (*hashes)[SIGN_HASH_LEN]; /* [seq]: each entry's hash as read */
	size_t cap;
	int64_t end;                      /* the last seq read */
	uint8_t key[SIGN_PUBLIC_LEN];
	bool pinned;
	uint8_t (*links)[2][SIGN_PUBLIC_LEN]; /* key.rotated: old, new */
	size_t n_links;
	uint8_t head_key[SIGN_PUBLIC_LEN];    /* the newest head's */
	bool has_head;                    /* the daemon sent a signed head */
	int64_t head_seq;                 /* the newest one */
	uint8_t head_hash[SIGN_HASH_LEN];
	int64_t bad;                      /* the entry at fault; 0 none */
	char why[512];
};

/* Note an entry read from the log. */
void sigcheck_entry(struct sigcheck *c, int64_t seq, const uint8_t hash[SIGN_HASH_LEN]);
/* A page's signed head (audit.entries' `head`, may be NULL) before its
 * entries (first..last) are noted; false with c->why when wrong. The
 * head is kept for sigcheck_end when the page reaches it or the daemon's
 * end (end: the page's `last`, so a head beyond a cut log is caught); a
 * head beyond a page the reader cut short is checked, not kept. */
bool sigcheck_head(struct sigcheck *c, const msgpack_object *head, int64_t first,
                   int64_t last, int64_t end);
/* A key.rotated entry the replay accepted (its body): old and new key
 * are linked. */
void sigcheck_rotation(struct sigcheck *c, const void *body, size_t len);
/* After the whole log: the newest signed head is in it as signed, by a
 * key linked to the pinned one. */
bool sigcheck_end(struct sigcheck *c);
/* Each receipt holds of the log (call after sigcheck_end). */
bool sigcheck_receipts(struct sigcheck *c, const struct receipt *r, size_t n);
void sigcheck_free(struct sigcheck *c);

#endif
