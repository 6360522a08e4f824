/*
 * waitcount.c - requests waiting per connection (see waitcount.h): an
 * open-addressing table with linear probing, at most half full, whose
 * entries are removed by shifting back the ones after them.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>

#include "waitcount.h"

struct waitcount_entry {
	uint64_t key;
	int count;              /* 0: the entry is free */
};

struct waitcount {
	size_t mask;            /* entries - 1, a power of two */
	struct waitcount_entry *e;
};

/* FNV-1a. */
static uint64_t waitcount_key(const void *id, size_t len)
{
	const unsigned char *p = id;
	uint64_t h = 14695981039346656037ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

struct waitcount *waitcount_new(size_t max)
{
	struct waitcount *w = calloc(1, sizeof *w);
	size_t n = 16;
	while (n < 2 * max)
		n *= 2;
	if (w)
		w->e = calloc(n, sizeof *w->e);
	if (!w || !w->e) {
		waitcount_destroy(&w);
		return NULL;
	}
	w->mask = n - 1;
	return w;
}

void waitcount_destroy(struct waitcount **wp)
{
	struct waitcount *w = wp ? *wp : NULL;
	if (!w)
		return;
	free(w->e);
	free(w);
	*wp = NULL;
}

/* The entry of key, or the free one where it would go. */
static size_t waitcount_find(const struct waitcount *w, uint64_t key)
{
	size_t i = key & w->mask;
	while (w->e[i].count && w->e[i].key != key)
		i = (i + 1) & w->mask;
	return i;
}

int waitcount_get(const struct waitcount *w, const void *id, size_t len)
{
	return w->e[waitcount_find(w, waitcount_key(id, len))].count;
}

/* Free entry i, moving back each later entry of its run whose home is
 * not between i and it, so every lookup still finds what it looks for. */
static void waitcount_remove(struct waitcount *w, size_t i)
{
	size_t j = i;
	for (;;) {
		w->e[i].count = 0;
		for (;;) {
			j = (j + 1) & w->mask;
			if (!w->e[j].count)
				return;
			size_t home = w->e[j].key & w->mask;
			if (i <= j ? (home <= i || home > j) : (home <= i && home > j))
				break;
		}
		w->e[i] = w->e[j];
		i = j;
	}
}

void waitcount_add(struct waitcount *w, const void *id, size_t len, int delta)
{
	uint64_t key = waitcount_key(id, len);
	size_t i = waitcount_find(w, key);
	assert(w->e[i].count > 0 || delta > 0);
	w->e[i].key = key;
	w->e[i].count += delta;
	if (w->e[i].count == 0)
		waitcount_remove(w, i);
}
