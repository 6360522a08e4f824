/*
 * throttle.c - per-key failure counting for the answer endpoint (see
 * throttle.h). Each key keeps the times of its last `limit` failures, so
 * "limit failures within the window" is a look at the oldest of them.
 * Linear scans: the table is small and only the answer endpoint uses it.
 */
#include <stdlib.h>
#include <string.h>

#include "throttle.h"

struct throttle_slot {
	uint8_t key[THROTTLE_KEY_MAX];
	size_t len;                       /* 0: free */
	int64_t at[THROTTLE_LIMIT_MAX];   /* failure times, a ring */
	int n;                            /* failures kept, <= limit */
	int next;                         /* where the next one goes */
	int64_t last;                     /* the latest failure */
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
	t->n = slots ? slots : 1;
	t->slots = calloc(t->n, sizeof *t->slots);
	if (!t->slots) {
		free(t);
		return NULL;
	}
	t->limit = limit < 1 ? 1 : limit > THROTTLE_LIMIT_MAX ? THROTTLE_LIMIT_MAX : limit;
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

/* Failures of s within the window ending at now. */
static int throttle_recent(const struct throttle *t, const struct throttle_slot *s,
                           int64_t now)
{
	int k = 0;
	for (int i = 0; i < s->n; i++)
		k += s->at[i] > now - t->window && s->at[i] <= now;
	return k;
}

bool throttle_blocked(const struct throttle *t, const void *key, size_t len,
                      int64_t now)
{
	const struct throttle_slot *s = throttle_find(t, key, len);
	if (!s || s->n < t->limit || now >= s->last + t->window)
		return false;
	/* The last `limit` failures, all within one window? The oldest of
	 * them is the one the ring overwrites next. */
	return s->last - s->at[s->next] < t->window;
}

int throttle_budget(const struct throttle *t, const void *key, size_t len,
                    int64_t now)
{
	if (throttle_blocked(t, key, len, now))
		return 0;
	const struct throttle_slot *s = throttle_find(t, key, len);
	return t->limit - (s ? throttle_recent(t, s, now) : 0);
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
	s->at[s->next] = now;
	s->next = (s->next + 1) % t->limit;
	if (s->n < t->limit)
		s->n++;
	s->last = now;
}
