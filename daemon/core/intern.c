/*
 * intern.c - string interning (see intern.h).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intern.h"

struct intern {
	char **strs;        /* strs[id - 1] */
	uint32_t *lens;     /* lens[id - 1] = strlen(strs[id - 1]) */
	uint32_t n, cap;
	uint32_t *slots;    /* 0 = empty, else id */
	uint32_t nslots;    /* power of two */
};

/* Eight bytes at a time (the pool's load looks up a few names for each
 * of 10^6 experts); the ids do not depend on it, only the probes. */
static uint32_t hash(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15u ^ n;
	for (; n >= 8; s += 8, n -= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdu;
		h ^= h >> 32;
	}
	uint64_t w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53u;
	return (uint32_t)(h ^ h >> 32);
}

struct intern *intern_new(void)
{
	struct intern *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->nslots = 64;
	t->slots = calloc(t->nslots, sizeof *t->slots);
	if (!t->slots) {
		free(t);
		return NULL;
	}
	return t;
}

void intern_destroy(struct intern **tp)
{
	struct intern *t = tp ? *tp : NULL;
	if (!t)
		return;
	for (uint32_t i = 0; i < t->n; i++)
		free(t->strs[i]);
	free(t->strs);
	free(t->lens);
	free(t->slots);
	free(t);
	*tp = NULL;
}

static uint32_t *slot_for(const struct intern *t, const char *s, size_t n)
{
	uint32_t mask = t->nslots - 1;
	for (uint32_t i = hash(s, n) & mask;; i = (i + 1) & mask) {
		uint32_t id = t->slots[i];
		if (id == 0 || (t->lens[id - 1] == n && memcmp(t->strs[id - 1], s, n) == 0))
			return &t->slots[i];
	}
}

static int rehash(struct intern *t)
{
	uint32_t *old = t->slots, oldn = t->nslots;
	t->nslots *= 2;
	t->slots = calloc(t->nslots, sizeof *t->slots);
	if (!t->slots) {
		t->slots = old;
		t->nslots = oldn;
		return -1;
	}
	for (uint32_t i = 0; i < oldn; i++)
		if (old[i])
			*slot_for(t, t->strs[old[i] - 1], t->lens[old[i] - 1]) = old[i];
	free(old);
	return 0;
}

uint32_t intern_find(const struct intern *t, const char *s)
{
	return *slot_for(t, s, strlen(s));
}

/* Room for one more string; false on out of memory (nothing changed). */
static bool grow(struct intern *t)
{
	if (t->n < t->cap)
		return true;
	uint32_t nc = t->cap ? t->cap * 2 : 64;
	char **p = realloc(t->strs, nc * sizeof *p);
	if (!p)
		return false;
	t->strs = p;
	uint32_t *l = realloc(t->lens, nc * sizeof *l);
	if (!l)
		return false;
	t->lens = l;
	t->cap = nc;
	return true;
}

uint32_t intern_add(struct intern *t, const char *s)
{
	size_t n = strlen(s);
	uint32_t *slot = slot_for(t, s, n);
	if (*slot)
		return *slot;
	if (n > UINT32_MAX)
		return 0;
	if ((t->n + 1) * 2 > t->nslots) {
		if (rehash(t) < 0)
			return 0;
		slot = slot_for(t, s, n);
	}
	if (!grow(t))
		return 0;
	char *copy = strdup(s);
	if (!copy)
		return 0;
	t->lens[t->n] = (uint32_t)n;
	t->strs[t->n++] = copy;
	*slot = t->n;
	return t->n;
}

const char *intern_str(const struct intern *t, uint32_t id)
{
	return (id >= 1 && id <= t->n) ? t->strs[id - 1] : NULL;
}

uint32_t intern_count(const struct intern *t)
{
	return t->n;
}
