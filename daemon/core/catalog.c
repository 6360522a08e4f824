/*
 * catalog.c - the occupation catalogue's entries and its index of
 * matching keys (see catalog.h): adding and updating entries, and making
 * the names experts already hold canonical (catalog_adopt).
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "intern.h"

struct catalog {
	struct catalog_entry *v;  /* ascending id */
	size_t n, cap;
	struct intern *keys;      /* every matching key seen */
	uint32_t *owner;          /* owner[key id] = entry index + 1; 0 = free */
	uint32_t owner_cap;
};

/* The keys of one entry's names: [0] the name, [1 + i] alias i. */
struct catalog_keys {
	char k[1 + CATALOG_MAX_ALIASES][TEXTNORM_KEY_SIZE];
	uint32_t id[1 + CATALOG_MAX_ALIASES];
	int n;
};

struct catalog *catalog_new(void)
{
	struct catalog *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->keys = intern_new();
	if (!c->keys) {
		free(c);
		return NULL;
	}
	return c;
}

void catalog_destroy(struct catalog **cp)
{
	struct catalog *c = cp ? *cp : NULL;
	if (!c)
		return;
	intern_destroy(&c->keys);
	free(c->owner);
	free(c->v);
	free(c);
	*cp = NULL;
}

void catalog_clear(struct catalog *c)
{
	c->n = 0;
	if (c->owner)
		memset(c->owner, 0, c->owner_cap * sizeof *c->owner);
}

size_t catalog_count(const struct catalog *c)
{
	return c->n;
}

const struct catalog_entry *catalog_at(const struct catalog *c, size_t i)
{
	return i < c->n ? &c->v[i] : NULL;
}

/* The entry index + 1 owning key id kid; 0 when none. */
static uint32_t owner_of(const struct catalog *c, uint32_t kid)
{
	return kid && kid < c->owner_cap ? c->owner[kid] : 0;
}

const struct catalog_entry *catalog_find(const struct catalog *c, const char *name)
{
	char key[TEXTNORM_KEY_SIZE];
	if (!textnorm_key(TEXTNORM_OCCUPATION, name, key, sizeof key))
		return NULL;
	uint32_t o = owner_of(c, intern_find(c->keys, key));
	return o ? &c->v[o - 1] : NULL;
}

static bool two_digits(const char *s)
{
	return s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9';
}

bool catalog_code_ok(const char *code)
{
	if (!code[0])
		return true;
	if (code[0] < '1' || code[0] > '8')
		return false;
	int groups = 0;
	const char *p = code + 1;
	for (; p[0] == '-' && two_digits(p + 1); p += 3)
		groups++;
	return *p == '\0' && (groups == 3 || groups == 4);
}

/* A name's key into out; false for a name no entry may have. */
static bool name_key(const char *name, char out[TEXTNORM_KEY_SIZE])
{
	return strlen(name) <= CATALOG_NAME_MAX && !strchr(name, '|') &&
	       textnorm_key(TEXTNORM_OCCUPATION, name, out, TEXTNORM_KEY_SIZE);
}

/* The keys of e's names, interned (so that claiming them later cannot
 * fail for memory); duplicates within e are CATALOG_TWICE. */
static enum catalog_result entry_keys(struct catalog *c, const struct catalog_entry *e,
                                      struct catalog_keys *ks, struct catalog_problem *p)
{
	ks->n = 1 + e->n_aliases;
	for (int i = 0; i < ks->n; i++) {
		p->alias = i - 1;
		if (!name_key(i ? e->aliases[i - 1] : e->name, ks->k[i]))
			return CATALOG_BAD_NAME;
		for (int j = 0; j < i; j++)
			if (strcmp(ks->k[j], ks->k[i]) == 0)
				return CATALOG_TWICE;
		ks->id[i] = intern_add(c->keys, ks->k[i]);
		if (!ks->id[i])
			return CATALOG_NOMEM;
	}
	uint32_t need = intern_count(c->keys) + 1;
	if (need > c->owner_cap) {
		uint32_t cap = c->owner_cap ? c->owner_cap : 64;
		while (cap < need)
			cap *= 2;
		uint32_t *o = realloc(c->owner, cap * sizeof *o);
		if (!o)
			return CATALOG_NOMEM;
		memset(o + c->owner_cap, 0, (cap - c->owner_cap) * sizeof *o);
		c->owner = o;
		c->owner_cap = cap;
	}
	return CATALOG_OK;
}

/* Room for one more entry. */
static bool grow(struct catalog *c)
{
	if (c->n < c->cap)
		return true;
	size_t cap = c->cap ? c->cap * 2 : 64;
	struct catalog_entry *v = realloc(c->v, cap * sizeof *v);
	if (!v)
		return false;
	c->v = v;
	c->cap = cap;
	return true;
}

/* Free the keys of entry index i's aliases. */
static void release_aliases(struct catalog *c, size_t i)
{
	char key[TEXTNORM_KEY_SIZE];
	for (int a = 0; a < c->v[i].n_aliases; a++)
		if (name_key(c->v[i].aliases[a], key))
			c->owner[intern_find(c->keys, key)] = 0;
}

enum catalog_result catalog_put(struct catalog *c, const struct catalog_entry *e,
                                const struct catalog_entry **out, bool *created,
                                struct catalog_problem *p)
{
	struct catalog_keys ks;
	assert(e->n_aliases >= 0 && e->n_aliases <= CATALOG_MAX_ALIASES);
	p->alias = -1;
	p->other = NULL;
	if (!catalog_code_ok(e->code) || strlen(e->code) > CATALOG_CODE_MAX)
		return CATALOG_BAD_CODE;
	enum catalog_result r = entry_keys(c, e, &ks, p);
	if (r != CATALOG_OK)
		return r;
	uint32_t self = c->owner[ks.id[0]];
	char own[TEXTNORM_KEY_SIZE];
	p->alias = -1;   /* entry_keys() left it at the last alias */
	if (self && (!name_key(c->v[self - 1].name, own) || strcmp(own, ks.k[0]) != 0)) {
		p->other = &c->v[self - 1];   /* the name is another entry's alias */
		return CATALOG_CLASH;
	}
	for (int i = 1; i < ks.n; i++) {
		uint32_t o = c->owner[ks.id[i]];
		if (o && o != self) {
			p->alias = i - 1;
			p->other = &c->v[o - 1];
			return CATALOG_CLASH;
		}
	}
	bool is_new = !self;
	if (is_new) {
		if (!grow(c))
			return CATALOG_NOMEM;
		int64_t last = c->n ? c->v[c->n - 1].id : 0;
		struct catalog_entry *fresh = &c->v[c->n];
		memset(fresh, 0, sizeof *fresh);
		fresh->id = e->id > last ? e->id : last + 1;
		memcpy(fresh->name, e->name, sizeof fresh->name);
		self = (uint32_t)++c->n;
	} else {
		release_aliases(c, self - 1);
	}
	struct catalog_entry *x = &c->v[self - 1];
	memcpy(x->code, e->code, sizeof x->code);
	memset(x->aliases, 0, sizeof x->aliases);
	memcpy(x->aliases, e->aliases, (size_t)e->n_aliases * sizeof x->aliases[0]);
	x->n_aliases = e->n_aliases;
	x->group_types = e->group_types;
	for (int i = 0; i < ks.n; i++)
		c->owner[ks.id[i]] = self;
	if (out)
		*out = x;
	if (created)
		*created = is_new;
	return CATALOG_OK;
}

/* Take the alias whose key is key from entry index i (its key is free). */
static void drop_alias(struct catalog *c, size_t i, const char *key)
{
	struct catalog_entry *x = &c->v[i];
	char k[TEXTNORM_KEY_SIZE];
	for (int a = 0; a < x->n_aliases; a++) {
		if (!name_key(x->aliases[a], k) || strcmp(k, key) != 0)
			continue;
		memmove(x->aliases[a], x->aliases[a + 1],
		        (size_t)(x->n_aliases - a - 1) * sizeof x->aliases[0]);
		memset(x->aliases[--x->n_aliases], 0, sizeof x->aliases[0]);
		c->owner[intern_find(c->keys, key)] = 0;
		return;
	}
}

/* One held name (see catalog_adopt); claimed[i]: entry i's name is held. */
static enum catalog_result adopt_one(struct catalog *c, const char *name,
                                     unsigned groups, bool *claimed, size_t *unreachable)
{
	char key[TEXTNORM_KEY_SIZE], own[TEXTNORM_KEY_SIZE];
	if (!name_key(name, key)) {
		(*unreachable)++;
		return CATALOG_OK;
	}
	uint32_t o = owner_of(c, intern_find(c->keys, key));
	if (o && strcmp(c->v[o - 1].name, name) == 0)
		return CATALOG_OK;
	if (o && name_key(c->v[o - 1].name, own) && strcmp(own, key) == 0) {
		if (claimed[o - 1]) {
			(*unreachable)++;   /* two held spellings of one key */
		} else {
			memcpy(c->v[o - 1].name, name, strlen(name) + 1);
			claimed[o - 1] = true;
		}
		return CATALOG_OK;
	}
	if (o)
		drop_alias(c, o - 1, key);
	struct catalog_entry e;
	memset(&e, 0, sizeof e);
	memcpy(e.name, name, strlen(name) + 1);
	e.group_types = groups;
	struct catalog_problem p;
	enum catalog_result r = catalog_put(c, &e, NULL, NULL, &p);
	if (r == CATALOG_OK)
		claimed[c->n - 1] = true;
	return r;
}

enum catalog_result catalog_adopt(struct catalog *c, const char *const *names,
                                  const unsigned *groups, size_t n,
                                  size_t *unreachable)
{
	*unreachable = 0;
	bool *claimed = calloc(c->n + n + 1, sizeof *claimed);
	if (!claimed)
		return CATALOG_NOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct catalog_entry *e = catalog_find(c, names[i]);
		if (e && strcmp(e->name, names[i]) == 0)
			claimed[e - c->v] = true;
	}
	enum catalog_result r = CATALOG_OK;
	for (size_t i = 0; i < n && r == CATALOG_OK; i++)
		r = adopt_one(c, names[i], groups[i], claimed, unreachable);
	free(claimed);
	return r;
}
