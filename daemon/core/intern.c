/*
 * intern.c - string interning (see intern.h).
 */
#include <stdlib.h>
#include <string.h>

#include "intern.h"

struct intern {
	char **strs;        /* strs[id - 1] */
	uint32_t n, cap;
	uint32_t *slots;    /* 0 = empty, else id */
	uint32_t nslots;    /* power of two */
};

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
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
	free(t->slots);
	free(t);
	*tp = NULL;
}

static uint32_t *slot_for(const struct intern *t, const char *s)
{
	uint32_t mask = t->nslots - 1;
	for (uint32_t i = hash(s) & mask;; i = (i + 1) & mask) {
		uint32_t id = t->slots[i];
		if (id == 0 || strcmp(t->strs[id - 1], s) == 0)
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
			*slot_for(t, t->strs[old[i] - 1]) = old[i];
	free(old);
	return 0;
}

uint32_t intern_find(const struct intern *t, const char *s)
{
	return *slot_for(t, s);
}

uint32_t intern_add(struct intern *t, const char *s)
{
	uint32_t *slot = slot_for(t, s);
	if (*slot)
		return *slot;
	if ((t->n + 1) * 2 > t->nslots) {
		if (rehash(t) < 0)
			return 0;
		slot = slot_for(t, s);
	}
	if (t->n == t->cap) {
		uint32_t nc = t->cap ? t->cap * 2 : 64;
		char **p = realloc(t->strs, nc * sizeof *p);
		if (!p)
			return 0;
		t->strs = p;
		t->cap = nc;
	}
	char *copy = strdup(s);
	if (!copy)
		return 0;
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
