/*
 * auth.c - the key allowlist: parse the file strictly (a typo must stop
 * the daemon, not silently lock someone out or let someone in) and look
 * entries up by key (ZAP handshake) and by principal (every request).
 * Two open-addressing hash indexes over individually allocated entries,
 * so pointers handed out stay valid while the list grows.
 */
#include "auth.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "proto.h"

/* An allowlist line longer than this is certainly not an entry. */
#define AUTH_LINE_MAX 1024

struct auth_item {
	struct auth_entry e;
	int line; /* where it was defined, for duplicate messages; 0 if added */
};

struct auth_list {
	struct auth_item **items;
	size_t count, cap;
	/* Slots hold item index + 1; 0 is empty. Size is a power of two. */
	uint32_t *by_key, *by_principal;
	size_t slots;
};

static const struct {
	const char *name;
	unsigned role;
	bool bureau; /* the role acts for one bureau */
} auth_roles[] = {
	{"operator", PROTO_ROLE_OPERATOR, false},
	{"bureau", PROTO_ROLE_BUREAU, true},
	{"clerk", PROTO_ROLE_CLERK, true},
	{"notifier", PROTO_ROLE_NOTIFIER, false},
};
#define AUTH_NROLES (sizeof(auth_roles) / sizeof(auth_roles[0]))

unsigned auth_role_parse(const char *s)
{
	for (size_t i = 0; i < AUTH_NROLES; i++) {
		if (strcmp(s, auth_roles[i].name) == 0)
			return auth_roles[i].role;
	}
	return 0;
}

const char *auth_role_name(unsigned role)
{
	for (size_t i = 0; i < AUTH_NROLES; i++) {
		if (auth_roles[i].role == role)
			return auth_roles[i].name;
	}
	if (role == PROTO_ROLE_EXPERT)
		return "expert";
	return "unknown";
}

static bool auth_role_has_bureau(unsigned role)
{
	for (size_t i = 0; i < AUTH_NROLES; i++) {
		if (auth_roles[i].role == role)
			return auth_roles[i].bureau;
	}
	return false;
}

static bool auth_chars_ok(const char *s, size_t max, const char *extra)
{
	size_t len = strlen(s);
	if (len == 0 || len > max)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		             (c >= 'A' && c <= 'Z');
		if (!alnum && strchr(extra, c) == NULL)
			return false;
	}
	return true;
}

static bool auth_principal_ok(const char *s)
{
	return auth_chars_ok(s, AUTH_PRINCIPAL_MAX, "._@-");
}

static bool auth_bureau_ok(const char *s)
{
	return auth_chars_ok(s, AUTH_BUREAU_MAX, "-");
}

/* Checks one entry; why says what is wrong. */
static bool auth_entry_check(const struct auth_entry *e, char *why, size_t whysz)
{
	if (!keys_is_z85(e->key)) {
		snprintf(why, whysz, "bad key '%.48s' (need %d Z85 characters)",
		         e->key, AUTH_KEY_LEN);
		return false;
	}
	if (!auth_principal_ok(e->principal)) {
		snprintf(why, whysz, "bad principal '%.64s' (1-%d characters of "
		         "A-Z a-z 0-9 . _ @ -)", e->principal, AUTH_PRINCIPAL_MAX);
		return false;
	}
	if (e->role == 0 || auth_role_parse(auth_role_name(e->role)) != e->role) {
		snprintf(why, whysz, "bad role %u", e->role);
		return false;
	}
	if (auth_role_has_bureau(e->role) && !auth_bureau_ok(e->bureau)) {
		snprintf(why, whysz, e->bureau[0] == '\0'
		         ? "role %s needs a bureau code"
		         : "role %s needs a bureau code of 1-31 characters "
		           "of A-Z a-z 0-9 -", auth_role_name(e->role));
		return false;
	}
	if (!auth_role_has_bureau(e->role) && e->bureau[0] != '\0') {
		snprintf(why, whysz, "role %s takes no bureau code",
		         auth_role_name(e->role));
		return false;
	}
	return true;
}

/* --- the hash indexes --------------------------------------------------- */

static uint32_t auth_hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

static const char *auth_key_of(const struct auth_item *it)
{
	return it->e.key;
}

static const char *auth_principal_of(const struct auth_item *it)
{
	return it->e.principal;
}

typedef const char *auth_field_fn(const struct auth_item *);

static struct auth_item *auth_index_find(const struct auth_list *l,
                                         const uint32_t *index,
                                         auth_field_fn *field, const char *s)
{
	if (l->slots == 0)
		return NULL;
	size_t mask = l->slots - 1;
	for (size_t i = auth_hash(s) & mask;; i = (i + 1) & mask) {
		if (index[i] == 0)
			return NULL;
		struct auth_item *it = l->items[index[i] - 1];
		if (strcmp(field(it), s) == 0)
			return it;
	}
}

static void auth_index_put(uint32_t *index, size_t slots, const char *s,
                           uint32_t value)
{
	size_t mask = slots - 1;
	size_t i = auth_hash(s) & mask;
	while (index[i] != 0)
		i = (i + 1) & mask;
	index[i] = value;
}

/* Keep the load under one half so probes stay short. */
static bool auth_index_grow(struct auth_list *l)
{
	size_t slots = l->slots ? l->slots * 2 : 64;
	uint32_t *by_key = calloc(slots, sizeof(*by_key));
	uint32_t *by_principal = calloc(slots, sizeof(*by_principal));
	if (by_key == NULL || by_principal == NULL) {
		free(by_key);
		free(by_principal);
		return false;
	}
	for (size_t i = 0; i < l->count; i++) {
		auth_index_put(by_key, slots, l->items[i]->e.key, (uint32_t)i + 1);
		auth_index_put(by_principal, slots, l->items[i]->e.principal,
		               (uint32_t)i + 1);
	}
	free(l->by_key);
	free(l->by_principal);
	l->by_key = by_key;
	l->by_principal = by_principal;
	l->slots = slots;
	return true;
}

/* --- the list ---------------------------------------------------------- */

struct auth_list *auth_list_new(void)
{
	return calloc(1, sizeof(struct auth_list));
}

void auth_list_destroy(struct auth_list **l)
{
	if (l == NULL || *l == NULL)
		return;
	for (size_t i = 0; i < (*l)->count; i++)
		free((*l)->items[i]);
	free((*l)->items);
	free((*l)->by_key);
	free((*l)->by_principal);
	free(*l);
	*l = NULL;
}

size_t auth_list_count(const struct auth_list *l)
{
	return l ? l->count : 0;
}

const struct auth_entry *auth_list_find_key(const struct auth_list *l,
                                            const char *z85_key)
{
	if (l == NULL)
		return NULL;
	struct auth_item *it = auth_index_find(l, l->by_key, auth_key_of, z85_key);
	return it ? &it->e : NULL;
}

const struct auth_entry *auth_list_find_principal(const struct auth_list *l,
                                                  const char *principal)
{
	if (l == NULL)
		return NULL;
	struct auth_item *it = auth_index_find(l, l->by_principal,
	                                       auth_principal_of, principal);
	return it ? &it->e : NULL;
}

/*
 * Check e and add a copy; line is where it came from (0: not a file).
 * Returns false with why set on a bad entry, a duplicate or no memory.
 */
static bool auth_list_insert(struct auth_list *l, const struct auth_entry *e,
                             int line, char *why, size_t whysz)
{
	const struct auth_item *old;

	if (!auth_entry_check(e, why, whysz))
		return false;
	if ((old = auth_index_find(l, l->by_key, auth_key_of, e->key)) != NULL) {
		if (old->line > 0)
			snprintf(why, whysz, "duplicate key (first on line %d)",
			         old->line);
		else
			snprintf(why, whysz, "duplicate key");
		return false;
	}
	old = auth_index_find(l, l->by_principal, auth_principal_of, e->principal);
	if (old != NULL) {
		if (old->line > 0)
			snprintf(why, whysz, "duplicate principal '%s' (first on "
			         "line %d)", e->principal, old->line);
		else
			snprintf(why, whysz, "duplicate principal '%s'", e->principal);
		return false;
	}
	if (l->count >= UINT32_MAX - 1 ||
	    ((l->count + 1) * 2 > l->slots && !auth_index_grow(l))) {
		snprintf(why, whysz, "out of memory");
		return false;
	}
	if (l->count == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct auth_item **items = realloc(l->items, cap * sizeof(*items));
		if (items == NULL) {
			snprintf(why, whysz, "out of memory");
			return false;
		}
		l->items = items;
		l->cap = cap;
	}
	struct auth_item *it = calloc(1, sizeof(*it));
	if (it == NULL) {
		snprintf(why, whysz, "out of memory");
		return false;
	}
	it->e = *e;
	it->line = line;
	l->items[l->count] = it;
	l->count++;
	auth_index_put(l->by_key, l->slots, e->key, (uint32_t)l->count);
	auth_index_put(l->by_principal, l->slots, e->principal, (uint32_t)l->count);
	return true;
}

bool auth_list_add(struct auth_list *l, const struct auth_entry *e)
{
	char why[128];
	return auth_list_insert(l, e, 0, why, sizeof(why));
}

/* --- the file ---------------------------------------------------------- */

/* Copy a field, or fail if it does not fit (then it is invalid anyway). */
static bool auth_copy(char *dst, size_t dstsz, const char *src)
{
	size_t len = strlen(src);
	if (len >= dstsz)
		return false;
	memcpy(dst, src, len + 1);
	return true;
}

/*
 * Parse one line into e. Returns 1 for an entry, 0 for a blank or comment
 * line, -1 with why set. A field starting with '#' begins a comment: '#'
 * is a Z85 digit, but too large to open a 5-character group, so no valid
 * key starts with it.
 */
static int auth_parse_line(char *line, struct auth_entry *e,
                           char *why, size_t whysz)
{
	char *fields[5];
	int n = 0;
	char *save = NULL;

	for (char *tok = strtok_r(line, " \t\r\n\v\f", &save); tok != NULL;
	     tok = strtok_r(NULL, " \t\r\n\v\f", &save)) {
		if (tok[0] == '#')
			break;
		if (n == 5) {
			snprintf(why, whysz, "too many fields");
			return -1;
		}
		fields[n++] = tok;
	}
	if (n == 0)
		return 0;
	memset(e, 0, sizeof(*e));
	if (n < 3) {
		snprintf(why, whysz, "need <key> <principal> <role> [bureau code]");
		return -1;
	}
	if (!auth_copy(e->key, sizeof(e->key), fields[0]) ||
	    !keys_is_z85(e->key)) {
		snprintf(why, whysz, "bad key '%.48s' (need %d Z85 characters)",
		         fields[0], AUTH_KEY_LEN);
		return -1;
	}
	if (!auth_copy(e->principal, sizeof(e->principal), fields[1]) ||
	    !auth_principal_ok(e->principal)) {
		snprintf(why, whysz, "bad principal '%.64s' (1-%d characters of "
		         "A-Z a-z 0-9 . _ @ -)", fields[1], AUTH_PRINCIPAL_MAX);
		return -1;
	}
	e->role = auth_role_parse(fields[2]);
	if (e->role == 0) {
		snprintf(why, whysz, "unknown role '%.32s' (operator, bureau, "
		         "clerk or notifier)", fields[2]);
		return -1;
	}
	if (n == 5) {
		snprintf(why, whysz, "too many fields");
		return -1;
	}
	if (n == 4 && !auth_copy(e->bureau, sizeof(e->bureau), fields[3])) {
		snprintf(why, whysz, "bad bureau code '%.40s' (1-%d characters of "
		         "A-Z a-z 0-9 -)", fields[3], AUTH_BUREAU_MAX);
		return -1;
	}
	return 1;
}

struct auth_list *auth_list_load(const char *path, char *err, size_t errsz)
{
	FILE *fp = fopen(path, "r");
	if (fp == NULL) {
		snprintf(err, errsz, "cannot open allowlist %s: %s", path,
		         strerror(errno));
		return NULL;
	}
	struct auth_list *l = auth_list_new();
	char *line = NULL;
	size_t linesz = 0;
	ssize_t len;
	int lineno = 0;
	char why[256];
	bool ok = l != NULL;

	if (!ok)
		snprintf(err, errsz, "%s: out of memory", path);
	while (ok && (len = getline(&line, &linesz, fp)) >= 0) {
		struct auth_entry e;
		lineno++;
		if (len > AUTH_LINE_MAX || memchr(line, '\0', (size_t)len) != NULL) {
			snprintf(why, sizeof(why), len > AUTH_LINE_MAX
			         ? "line too long" : "NUL byte in line");
			ok = false;
		} else {
			int rc = auth_parse_line(line, &e, why, sizeof(why));
			ok = rc >= 0 && (rc == 0 || auth_list_insert(l, &e, lineno,
			                                             why, sizeof(why)));
		}
		if (!ok)
			snprintf(err, errsz, "%s:%d: %s", path, lineno, why);
	}
	if (ok && ferror(fp)) {
		snprintf(err, errsz, "%s: read error", path);
		ok = false;
	}
	free(line);
	fclose(fp);
	if (!ok)
		auth_list_destroy(&l);
	return l;
}
