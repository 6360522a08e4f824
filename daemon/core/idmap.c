/*
 * idmap.c - key -> list of items (see idmap.h). Linear probing over a
 * power-of-two table kept at most half full; the lists live in one vector
 * so a slot holds a 32-bit index rather than a pointer.
 */
#include <stdlib.h>
#include <string.h>

#include "idmap.h"

void idmap_init(struct idmap *m, size_t item_size)
{
	memset(m, 0, sizeof *m);
	m->item_size = item_size;
}

void idmap_free(struct idmap *m)
{
	for (size_t i = 0; i < m->nlists; i++)
		free(m->lists[i].items);
	free(m->lists);
	free(m->keys);
	free(m->slots);
	idmap_init(m, m->item_size);
}

/* Keys are ids and day numbers, often consecutive: mix the bits so runs
 * do not form long probe chains. */
static size_t idmap_hash(int64_t key)
{
	uint64_t h = (uint64_t)key * UINT64_C(0x9e3779b97f4a7c15);
	return (size_t)(h ^ (h >> 32));
}

/* The slot holding key, or the empty slot where it would go. nslots > 0. */
static size_t idmap_probe(const struct idmap *m, int64_t key)
{
	size_t mask = m->nslots - 1;
	for (size_t i = idmap_hash(key) & mask;; i = (i + 1) & mask)
		if (m->slots[i] == 0 || m->keys[i] == key)
			return i;
}

const void *idmap_get(const struct idmap *m, int64_t key, size_t *n)
{
	*n = 0;
	if (m->nslots == 0)
		return NULL;
	size_t i = idmap_probe(m, key);
	if (m->slots[i] == 0)
		return NULL;
	const struct idmap_list *l = &m->lists[m->slots[i] - 1];
	*n = l->n;
	return l->n ? l->items : NULL;
}

struct idmap_list *idmap_find(struct idmap *m, int64_t key)
{
	if (m->nslots == 0)
		return NULL;
	size_t i = idmap_probe(m, key);
	return m->slots[i] ? &m->lists[m->slots[i] - 1] : NULL;
}

static bool idmap_rehash(struct idmap *m)
{
	size_t nn = m->nslots ? m->nslots * 2 : 64;
	int64_t *keys = malloc(nn * sizeof *keys);
	uint32_t *slots = calloc(nn, sizeof *slots);
	if (!keys || !slots) {
		free(keys);
		free(slots);
		return false;
	}
	struct idmap old = *m;
	m->keys = keys;
	m->slots = slots;
	m->nslots = nn;
	for (size_t i = 0; i < old.nslots; i++) {
		if (old.slots[i] == 0)
			continue;
		size_t j = idmap_probe(m, old.keys[i]);
		m->keys[j] = old.keys[i];
		m->slots[j] = old.slots[i];
	}
	free(old.keys);
	free(old.slots);
	return true;
}

struct idmap_list *idmap_list(struct idmap *m, int64_t key)
{
	if (m->nslots) {
		size_t i = idmap_probe(m, key);
		if (m->slots[i])
			return &m->lists[m->slots[i] - 1];
	}
	if (m->nlists >= UINT32_MAX - 1)
		return NULL;
	if ((m->nlists + 1) * 2 > m->nslots && !idmap_rehash(m))
		return NULL;
	if (m->nlists == m->caplists) {
		size_t nc = m->caplists ? m->caplists * 2 : 64;
		struct idmap_list *l = realloc(m->lists, nc * sizeof *l);
		if (!l)
			return NULL;
		m->lists = l;
		m->caplists = nc;
	}
	size_t i = idmap_probe(m, key);
	m->keys[i] = key;
	m->lists[m->nlists] = (struct idmap_list){NULL, 0, 0};
	m->slots[i] = (uint32_t)++m->nlists;
	return &m->lists[m->nlists - 1];
}

/* Grow l to hold at least `need` items: double, or `need` if more. */
static bool idmap_list_grow(const struct idmap *m, struct idmap_list *l,
                            uint64_t need)
{
	if (need <= l->cap)
		return true;
	if (need > UINT32_MAX)
		return false;
	uint64_t nc = l->cap ? (uint64_t)l->cap * 2 : 4;
	if (nc < need)
		nc = need;
	if (nc > UINT32_MAX)
		nc = UINT32_MAX;
	void *p = realloc(l->items, (size_t)nc * m->item_size);
	if (!p)
		return false;
	l->items = p;
	l->cap = (uint32_t)nc;
	return true;
}

bool idmap_reserve(struct idmap *m, int64_t key, uint32_t more)
{
	struct idmap_list *l = idmap_list(m, key);
	return l && idmap_list_grow(m, l, (uint64_t)l->n + more);
}

bool idmap_push(struct idmap *m, int64_t key, const void *item)
{
	struct idmap_list *l = idmap_list(m, key);
	if (!l || !idmap_list_grow(m, l, (uint64_t)l->n + 1))
		return false;
	memcpy((char *)l->items + (size_t)l->n * m->item_size, item, m->item_size);
	l->n++;
	return true;
}

void idmap_list_remove(struct idmap *m, struct idmap_list *l, uint32_t i)
{
	char *base = l->items;
	l->n--;
	if (i != l->n)
		memcpy(base + (size_t)i * m->item_size, base + (size_t)l->n * m->item_size,
		       m->item_size);
}
