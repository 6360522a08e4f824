/*
 * throttle.c - per-key failure counting for the answer endpoint (see
 * throttle.h). Linear scans: the table is small and only failures and
 * answer-endpoint requests look at it.
 */
#include <stdlib.h>
#include <string.h>

#include "throttle.h"

struct throttle_slot {
	uint8_t key[THROTTLE_KEY_MAX];
	size_t len;              /* 0: free */
	int failures;            /* within the window ending at `last` */
	int64_t first, last;     /* first failure of the run, latest failure */
};

struct throttle {
	struct throttle_slot *slots;
	size_t n;
	int limit;
	int64_t window;
};

struct throttle *throttle_new(size_t slots, int limit, int64_t window)
{
	struct throttle *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->slots = calloc(slots ? slots : 1, sizeof *t->slots);
	if (!t->slots) {
		free(t);
		return NULL;
	}
	t->n = slots ? slots : 1;
	t->limit = limit;
	t->window = window;
	return t;
}

void throttle_destroy(struct throttle **tp)
{
	struct throttle *t = tp ? *tp : NULL;
	if (!t)
		return;
	free(t->slots);
	free(t);
	*tp = NULL;
}

/* Keys longer than the slot are cut: routing ids are 5 bytes. */
static size_t throttle_len(size_t len)
{
	return len < THROTTLE_KEY_MAX ? len : THROTTLE_KEY_MAX;
}

static struct throttle_slot *throttle_find(const struct throttle *t,
                                           const void *key, size_t len)
{
	len = throttle_len(len);
	for (size_t i = 0; i < t->n; i++)
		if (t->slots[i].len == len && len > 0 &&
		    memcmp(t->slots[i].key, key, len) == 0)
			return &t->slots[i];
	return NULL;
}

bool throttle_blocked(const struct throttle *t, const void *key, size_t len,
                      int64_t now)
{
	const struct throttle_slot *s = throttle_find(t, key, len);
	return s && s->failures >= t->limit && now < s->last + t->window;
}

void throttle_fail(struct throttle *t, const void *key, size_t len, int64_t now)
{
	struct throttle_slot *s = throttle_find(t, key, len);
	if (!s) {
		/* A free slot, else the one idle longest. */
		s = &t->slots[0];
		for (size_t i = 0; i < t->n && s->len; i++)
			if (!t->slots[i].len || t->slots[i].last < s->last)
				s = &t->slots[i];
		memset(s, 0, sizeof *s);
		s->len = throttle_len(len);
		memcpy(s->key, key, s->len);
	}
	/* A run older than the window starts again, unless it is blocking:
	 * then every failure extends the block. */
	bool blocking = s->failures >= t->limit && now < s->last + t->window;
	if (!blocking && now >= s->first + t->window) {
		s->failures = 0;
		s->first = now;
	}
	if (s->failures == 0)
		s->first = now;
	s->failures++;
	s->last = now;
}
