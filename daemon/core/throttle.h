/*
 * throttle.h - counting invalid tokens per target (PROTOCOL.md 7.12.9):
 * once `limit` failures fall within `window` seconds, a key is blocked
 * until `window` seconds after the last of them; the window slides. Keys
 * are opaque bytes (the answer endpoint's: the seat a token names; the
 * answer page's: a source address). Pure: the caller passes the time. A
 * fixed table; when it is full the entry idle longest is reused, so a
 * flood of targets costs memory once, not per target.
 */
#ifndef EXPERTD_THROTTLE_H
#define EXPERTD_THROTTLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define THROTTLE_KEY_MAX 32
#define THROTTLE_LIMIT_MAX 16

struct throttle;

/* limit is 1..THROTTLE_LIMIT_MAX (clamped). NULL on out of memory. */
struct throttle *throttle_new(size_t slots, int limit, int64_t window);
/* NULL-safe; clears *t. */
void throttle_destroy(struct throttle **t);

/* Whether requests from key are refused now. */
bool throttle_blocked(const struct throttle *t, const void *key, size_t len,
                      int64_t now);
/* How many more failures key may have before it is blocked (0 when it
 * is): a batch runs at most this many of its requests. */
int throttle_budget(const struct throttle *t, const void *key, size_t len,
                    int64_t now);
/* Count one failure of key at now. */
void throttle_fail(struct throttle *t, const void *key, size_t len, int64_t now);

#endif
