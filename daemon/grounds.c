/*
 * grounds.c - the grounds of a suspension or revocation (POLICY.md 6.3):
 * the built-in four with their labels, the Center's own from [grounds],
 * and the lookup pool.suspend and pool.revoke check a request's against.
 */
#include "grounds.h"

#include <stdio.h>
#include <string.h>

#include "proto.h"

/* The labels of the codes catalog's "ground" entries and POLICY.md 6.3. */
const struct ground grounds_builtin[] = {
	{"confidentiality", "泄露保密信息", "breach of confidentiality"},
	{"favouritism", "徇私舞弊", "favouritism or malpractice"},
	{"non_participation", "长期不参加委派任务",
	 "long failure to take part in assigned tasks"},
	{"other", "其他", "other"},
};
_Static_assert(sizeof grounds_builtin / sizeof grounds_builtin[0] ==
               GROUNDS_BUILTIN_COUNT, "one label per built-in ground");
_Static_assert(GROUNDS_BUILTIN_COUNT == PROTO_STATUS_GROUNDS_COUNT,
               "the built-in grounds are proto_status_grounds");

/* Well-formed UTF-8 without control characters: a label people read. */
static bool grounds_text_ok(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
		           : (c & 0xf8) == 0xf0 ? 4 : 0;
		if (len == 0 || i + len > n || (len == 1 && (c < 0x20 || c == 0x7f)) ||
		    (len == 2 && c < 0xc2) || (len == 4 && c > 0xf4))
			return false;
		for (size_t k = 1; k < len; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
		if ((len == 3 && c == 0xe0 && s[i + 1] < 0xa0) ||
		    (len == 3 && c == 0xed && s[i + 1] >= 0xa0) ||
		    (len == 4 && c == 0xf0 && s[i + 1] < 0x90) ||
		    (len == 4 && c == 0xf4 && s[i + 1] >= 0x90))
			return false;
		i += len;
	}
	return true;
}

/* The n bytes at s without blanks around them into out; false when
 * empty, longer than GROUNDS_LABEL_MAX or not text. */
static bool grounds_label(const char *s, size_t n, char out[GROUNDS_LABEL_MAX + 1])
{
	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0 || n > GROUNDS_LABEL_MAX ||
	    !grounds_text_ok((const unsigned char *)s, n))
		return false;
	memcpy(out, s, n);
	out[n] = '\0';
	return true;
}

bool grounds_add(struct grounds *g, const char *code, const char *value,
                 char *why, size_t whysz)
{
	size_t n = strlen(code);
	if (!ident_ground_code(code, n)) {
		snprintf(why, whysz, "'%.64s' is not a ground code (1-%d lower-case "
		         "letters, digits and _, starting with a letter)", code,
		         IDENT_GROUND_MAX);
		return false;
	}
	if (grounds_find(g, code, n)) {
		snprintf(why, whysz, "'%s' is %s", code,
		         grounds_find(NULL, code, n) ? "a built-in ground" : "set twice");
		return false;
	}
	if (g->n == GROUNDS_MAX) {
		snprintf(why, whysz, "more than %d grounds", GROUNDS_MAX);
		return false;
	}
	struct ground *d = &g->v[g->n];
	const char *bar = strchr(value, '|');
	size_t zh = bar ? (size_t)(bar - value) : strlen(value);
	if (!grounds_label(value, zh, d->label) ||
	    (bar && !grounds_label(bar + 1, strlen(bar + 1), d->label_en))) {
		snprintf(why, whysz, "'%s' needs a Chinese label, then optionally "
		         "'| English label', each 1-%d bytes of UTF-8 text", code,
		         GROUNDS_LABEL_MAX);
		return false;
	}
	if (!bar)
		d->label_en[0] = '\0';
	memcpy(d->code, code, n + 1);
	g->n++;
	return true;
}

const struct ground *grounds_find(const struct grounds *g, const char *s, size_t n)
{
	int i = proto_choice_index(proto_status_grounds, s, n);
	if (i >= 0)
		return &grounds_builtin[i];
	for (size_t k = 0; g && k < g->n; k++)
		if (strlen(g->v[k].code) == n && memcmp(g->v[k].code, s, n) == 0)
			return &g->v[k];
	return NULL;
}

void grounds_codes(const struct grounds *g, char *buf, size_t size)
{
	static const char more[] = ", …";
	size_t at = 0, total = GROUNDS_BUILTIN_COUNT + (g ? g->n : 0);
	buf[0] = '\0';
	for (size_t k = 0; k < total; k++) {
		const char *c = k < GROUNDS_BUILTIN_COUNT ? grounds_builtin[k].code
		                                          : g->v[k - GROUNDS_BUILTIN_COUNT].code;
		size_t need = (k ? 2 : 0) + strlen(c);
		/* Whole codes only, with room left to say that more follow. */
		if (at + need + (k + 1 < total ? sizeof more - 1 : 0) >= size) {
			if (at + sizeof more <= size)
				memcpy(buf + at, more, sizeof more);
			return;
		}
		snprintf(buf + at, size - at, "%s%s", k ? ", " : "", c);
		at += need;
	}
}
