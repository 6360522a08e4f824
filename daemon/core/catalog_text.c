/*
 * catalog_text.c - the occupation catalogue and text people type: the
 * closest entries to an unknown name and the message that lists them,
 * mapping a roster row's specialties to canonical names, and reading the
 * starter list (see catalog.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "i18n.h"
#include "proto.h"

_Static_assert(CATALOG_NAME_MAX == EXPERT_TEXT_MAX,
               "a canonical name must fit where experts keep specialties");

/* The group types as the recommendation form writes them, in the order
 * of proto_group_types. */
static const char *const catalog_group_labels[] = {"培训评审", "技能评价", "方式方法"};
_Static_assert(sizeof catalog_group_labels / sizeof catalog_group_labels[0] ==
               PROTO_GROUP_TYPES_COUNT, "one label per group type");

/* The key of entry e's name or aliases that is closest to sought by the
 * rules of textnorm_near_offer() (REGISTRY.md 1.2), into best; false
 * when none is close. */
static bool closest_key(const struct catalog_entry *e, const char *sought,
                        char best[TEXTNORM_KEY_SIZE])
{
	char keys[1 + CATALOG_MAX_ALIASES][TEXTNORM_KEY_SIZE];
	struct textnorm_near near;
	textnorm_near_init(&near);
	for (int a = -1; a < e->n_aliases; a++)
		if (textnorm_key(TEXTNORM_OCCUPATION, a < 0 ? e->name : e->aliases[a],
		                 keys[a + 1], sizeof keys[0]))
			textnorm_near_offer(&near, sought, keys[a + 1], (size_t)(a + 1));
	if (!near.n)
		return false;
	memcpy(best, keys[near.index[0]], sizeof keys[0]);
	return true;
}

size_t catalog_near(const struct catalog *c, const char *name,
                    const struct catalog_entry *out[TEXTNORM_NEAR_MAX])
{
	char sought[TEXTNORM_KEY_SIZE], best[TEXTNORM_KEY_SIZE];
	if (!textnorm_key(TEXTNORM_OCCUPATION, name, sought, sizeof sought))
		return 0;
	struct textnorm_near near;
	textnorm_near_init(&near);
	for (size_t i = 0; i < catalog_count(c); i++)
		if (closest_key(catalog_at(c, i), sought, best))
			textnorm_near_offer(&near, sought, best, i);
	for (size_t j = 0; j < near.n; j++)
		out[j] = catalog_at(c, near.index[j]);
	return near.n;
}

/* Append s to out (holding *len bytes): whole, or when cut is true as
 * much as fits, cut between characters. False when s did not fit whole. */
static bool append(char *out, size_t outsz, size_t *len, const char *s, bool cut)
{
	size_t n = strlen(s);
	if (*len + n < outsz) {
		memcpy(out + *len, s, n + 1);
		*len += n;
		return true;
	}
	if (cut && *len + 1 < outsz) {
		n = outsz - 1 - *len;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;   /* s[n] would start the cut-off part: keep it whole */
		memcpy(out + *len, s, n);
		*len += n;
		out[*len] = '\0';
	}
	return false;
}

void catalog_unknown_message(const struct catalog *c, const char *name, char *out,
                             size_t outsz)
{
	const struct catalog_entry *near[TEXTNORM_NEAR_MAX];
	size_t n = catalog_near(c, name, near), len = 0;
	if (outsz == 0)
		return;
	out[0] = '\0';
	/* TRANSLATORS: the quoted name is the one asked for. */
	bool ok = append(out, outsz, &len, _("no occupation is named '"), false) &&
	          append(out, outsz, &len, name, true) &&
	          append(out, outsz, &len, _("' in the catalogue"), false);
	for (size_t i = 0; ok && i < n; i++)
		ok = append(out, outsz, &len, i ? _(", ") : _("; closest: "), false) &&
		     append(out, outsz, &len, near[i]->name, false);
}

/* Replace each of the n names of v by its entry's canonical name, keeping
 * the first of any that map to one entry; v is left alone on failure. */
static bool catalog_map_names(const struct catalog *c,
                              char v[EXPERT_MAX_SPECIALTIES][EXPERT_TEXT_MAX + 1],
                              int *count, char *why, size_t whysz)
{
	char names[EXPERT_MAX_SPECIALTIES][EXPERT_TEXT_MAX + 1];
	int n = 0;
	memset(names, 0, sizeof names);
	for (int i = 0; i < *count; i++) {
		const struct catalog_entry *x = catalog_find(c, v[i]);
		if (!x) {
			catalog_unknown_message(c, v[i], why, whysz);
			return false;
		}
		bool seen = false;
		for (int j = 0; j < n; j++)
			seen = seen || strcmp(names[j], x->name) == 0;
		if (!seen)
			memcpy(names[n++], x->name, strlen(x->name) + 1);
	}
	/* Whole arrays, so that equal records stay equal byte for byte. */
	memcpy(v, names, sizeof names);
	*count = n;
	return true;
}

bool catalog_map_specialties(const struct catalog *c, struct expert *e, char *why,
                             size_t whysz)
{
	return catalog_map_names(c, e->specialties, &e->n_specialties, why, whysz);
}

bool catalog_map_relax_occupations(const struct catalog *c, struct expert *e,
                                   char *why, size_t whysz)
{
	return catalog_map_names(c, e->relax_occupations, &e->n_relax_occupations, why,
	                         whysz);
}

/* ---- the starter list ---------------------------------------------------- */

struct span {
	const char *s;
	size_t len;
};

static struct span trim(struct span x)
{
	while (x.len && (x.s[0] == ' ' || x.s[0] == '\t'))
		x.s++, x.len--;
	while (x.len && (x.s[x.len - 1] == ' ' || x.s[x.len - 1] == '\t' ||
	                 x.s[x.len - 1] == '\r'))
		x.len--;
	return x;
}

/* Split x at the first separator (、 or |) into *item; false at the end. */
static bool next_item(struct span *x, struct span *item)
{
	for (;;) {
		*x = trim(*x);
		if (!x->len)
			return false;
		size_t i = 0, sep = 0;
		for (; i < x->len; i++) {
			if (x->s[i] == '|')
				sep = 1;
			else if (x->len - i >= 3 && memcmp(x->s + i, "、", 3) == 0)
				sep = 3;
			if (sep)
				break;
		}
		*item = trim((struct span){x->s, i});
		x->s += i + sep;
		x->len -= i + sep;
		if (item->len)
			return true;
	}
}

static bool copy(struct span x, char *out, size_t size)
{
	if (x.len >= size)
		return false;
	if (x.len)   /* an absent cell's span has no pointer */
		memcpy(out, x.s, x.len);
	out[x.len] = '\0';
	return true;
}

static bool group_bit(struct span x, unsigned *set)
{
	for (int g = 0; g < PROTO_GROUP_TYPES_COUNT; g++) {
		const char *label = catalog_group_labels[g], *wire = proto_group_types[g];
		if ((x.len == strlen(label) && memcmp(x.s, label, x.len) == 0) ||
		    (x.len == strlen(wire) && memcmp(x.s, wire, x.len) == 0)) {
			*set |= 1u << g;
			return true;
		}
	}
	return false;
}

/* One row "name,code,aliases,group types" into e. */
static enum catalog_result starter_row(struct span row, struct catalog_entry *e)
{
	struct span cell[4] = {{0}};
	int n = 0;
	memset(e, 0, sizeof *e);
	if (memchr(row.s, '"', row.len))
		return CATALOG_BAD_NAME;   /* the starter list is never quoted */
	for (const char *p = row.s, *end = row.s + row.len; n < 4; n++) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		cell[n] = trim((struct span){p, (size_t)((comma ? comma : end) - p)});
		if (!comma)
			break;
		p = comma + 1;
	}
	if (n == 4 || !copy(cell[0], e->name, sizeof e->name))
		return CATALOG_BAD_NAME;   /* a fifth cell, or a name too long */
	if (!copy(cell[1], e->code, sizeof e->code))
		return CATALOG_BAD_CODE;
	struct span item;
	while (next_item(&cell[2], &item))
		if (e->n_aliases == CATALOG_MAX_ALIASES ||
		    !copy(item, e->aliases[e->n_aliases++], sizeof e->aliases[0]))
			return CATALOG_BAD_NAME;
	while (next_item(&cell[3], &item))
		if (!group_bit(item, &e->group_types))
			return CATALOG_BAD_NAME;
	return CATALOG_OK;
}

enum catalog_result catalog_parse_starter(struct catalog *c, const char *csv,
                                          size_t len, size_t *line)
{
	const char *p = csv, *end = csv + len;
	bool header = true;
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	for (*line = 1; p < end; ++*line) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct span row = trim((struct span){p, (size_t)((nl ? nl : end) - p)});
		p = nl ? nl + 1 : end;
		if (!row.len || header) {
			header = header && !row.len;
			continue;
		}
		struct catalog_entry e;
		struct catalog_problem pr;
		enum catalog_result r = starter_row(row, &e);
		if (r == CATALOG_OK)
			r = catalog_put(c, &e, NULL, NULL, &pr);
		if (r != CATALOG_OK)
			return r;
	}
	return CATALOG_OK;
}
