/*
 * textnorm.c - matching keys and edit distances of typed names (see
 * textnorm.h and proto/REGISTRY.md section 1).
 */
#include <stdint.h>
#include <string.h>

#include "textnorm.h"

#define TEXTNORM_MAX_CHARS (TEXTNORM_KEY_SIZE - 1)

/* Decode one code point at s; returns its length in bytes, 0 when the
 * bytes there are not valid UTF-8 (overlong, surrogate or past U+10FFFF). */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 0;
	if (len == 0 || s[0] > 0xf4)
		return 0;
	uint32_t c = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
	if (c < min[len] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

static size_t utf8_encode(uint32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | c >> 6);
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | c >> 12);
		out[1] = (char)(0x80 | (c >> 6 & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | c >> 18);
	out[1] = (char)(0x80 | (c >> 12 & 0x3f));
	out[2] = (char)(0x80 | (c >> 6 & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* The code points of valid UTF-8 s, at most max of them; -1 when s is not
 * valid or longer. */
static long utf8_chars(const char *s, uint32_t *cps, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;
	while (*p) {
		uint32_t c;
		size_t len = utf8_decode(p, &c);
		if (len == 0 || n == max)
			return -1;
		cps[n++] = c;
		p += len;
	}
	return (long)n;
}

static bool is_space(uint32_t c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0 || c == 0x3000 ||
	       (c >= 0x2000 && c <= 0x200b) || c == 0xfeff;
}

/* One character as the key has it: forms folded, brackets unified, ASCII
 * lower case; 0 for a character the key drops. */
static uint32_t fold(uint32_t c)
{
	if (is_space(c))
		return 0;
	if (c >= 0xff01 && c <= 0xff5e) /* full-width ASCII forms */
		c -= 0xfee0;
	switch (c) {
	case '[': case '{': case 0x3010: case 0x3014: case 0x3016: case 0x3008:
	case 0x300a:
		return '(';
	case ']': case '}': case 0x3011: case 0x3015: case 0x3017: case 0x3009:
	case 0x300b:
		return ')';
	default:
		break;
	}
	if (c >= 'A' && c <= 'Z')
		c += 'a' - 'A';
	return c;
}

static bool starts_with(const uint32_t *cps, size_t n, const char *prefix,
                        size_t *prefix_chars)
{
	uint32_t p[8];
	long np = utf8_chars(prefix, p, 8);
	if (np < 0 || (size_t)np > n)
		return false;
	for (long i = 0; i < np; i++)
		if (cps[i] != p[i])
			return false;
	*prefix_chars = (size_t)np;
	return true;
}

/* The characters of the 广州 prefix at the front of cps (0 when none). */
static size_t gz_prefix(const uint32_t *cps, size_t n)
{
	static const char *const prefixes[] = {
		"广东省广州市", "广东省广州", "广州市", "广州"};
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
		size_t k;
		if (starts_with(cps, n, prefixes[i], &k))
			return k;
	}
	return 0;
}

static bool key_put(char *out, size_t outsz, size_t *len, uint32_t c)
{
	char buf[4];
	size_t k = utf8_encode(c, buf);
	if (*len + k >= outsz)
		return false;
	memcpy(out + *len, buf, k);
	*len += k;
	return true;
}

bool textnorm_key(enum textnorm_kind kind, const char *s, char *out, size_t outsz)
{
	uint32_t cps[TEXTNORM_MAX_CHARS];
	long n = utf8_chars(s, cps, TEXTNORM_MAX_CHARS);
	if (n < 0 || outsz == 0)
		return false;
	size_t m = 0;
	for (long i = 0; i < n; i++) {
		uint32_t c = fold(cps[i]);
		if (c)
			cps[m++] = c;
	}
	size_t from = kind == TEXTNORM_ORG ? gz_prefix(cps, m) : 0;
	size_t len = 0;
	/* A short rest keeps the city, always written 广州. */
	if (from > 0 && m - from < 4 &&
	    !(key_put(out, outsz, &len, 0x5e7f) && key_put(out, outsz, &len, 0x5dde)))
		return false;
	for (size_t i = from; i < m; i++)
		if (!key_put(out, outsz, &len, cps[i]))
			return false;
	out[len] = '\0';
	return len > 0;
}

size_t textnorm_chars(const char *s)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		n += (*p & 0xc0) != 0x80;
	return n;
}

size_t textnorm_distance(const char *a, const char *b, size_t limit)
{
	uint32_t ca[TEXTNORM_MAX_CHARS], cb[TEXTNORM_MAX_CHARS];
	long na = utf8_chars(a, ca, TEXTNORM_MAX_CHARS);
	long nb = utf8_chars(b, cb, TEXTNORM_MAX_CHARS);
	if (na < 0 || nb < 0)
		return limit + 1;
	size_t diff = (size_t)(na > nb ? na - nb : nb - na);
	if (diff > limit)
		return limit + 1;
	/* One row of the Wagner-Fischer table; stop once a row's minimum
	 * passes the limit. */
	size_t row[TEXTNORM_MAX_CHARS + 1];
	for (long j = 0; j <= nb; j++)
		row[j] = (size_t)j;
	for (long i = 1; i <= na; i++) {
		size_t diag = row[0], best = row[0] = (size_t)i;
		for (long j = 1; j <= nb; j++) {
			size_t up = row[j];
			size_t v = diag + (ca[i - 1] != cb[j - 1]);
			if (up + 1 < v)
				v = up + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			diag = up;
			if (v < best)
				best = v;
		}
		if (best > limit)
			return limit + 1;
	}
	return row[nb] > limit ? limit + 1 : row[nb];
}

size_t textnorm_near_limit(const char *a, const char *b)
{
	size_t la = textnorm_chars(a), lb = textnorm_chars(b);
	size_t quarter = (la > lb ? la : lb) / 4;
	return quarter ? quarter : 1;
}

/* One key inside the other (电工 in 维修电工, 某学校 in 某学校(天河)):
 * their distance, the characters added; else SIZE_MAX. */
static size_t contained(const char *a, const char *b)
{
	size_t la = textnorm_chars(a), lb = textnorm_chars(b);
	const char *shorter = la < lb ? a : b, *longer = la < lb ? b : a;
	size_t ls = la < lb ? la : lb;
	if (ls < 2 || !strstr(longer, shorter))
		return SIZE_MAX;
	return la > lb ? la - lb : lb - la;
}

void textnorm_near_init(struct textnorm_near *n)
{
	memset(n, 0, sizeof *n);
}

void textnorm_near_offer(struct textnorm_near *n, const char *sought,
                         const char *key, size_t index)
{
	size_t limit = textnorm_near_limit(sought, key);
	if (n->n == TEXTNORM_NEAR_MAX && n->distance[n->n - 1] <= limit)
		limit = n->distance[n->n - 1] - (n->distance[n->n - 1] > 0);
	size_t d = textnorm_distance(sought, key, limit);
	size_t c = contained(sought, key);
	if (c != SIZE_MAX && (d > limit || c < d))
		d = c;
	if (d > limit && d != c)
		return;  /* neither close nor contained; the full list's worst
		          * is beaten below or not at all */
	size_t at = n->n;
	while (at > 0 && n->distance[at - 1] > d)
		at--;
	if (at == TEXTNORM_NEAR_MAX)
		return;
	size_t last = n->n < TEXTNORM_NEAR_MAX ? n->n : TEXTNORM_NEAR_MAX - 1;
	for (size_t i = last; i > at; i--) {
		n->index[i] = n->index[i - 1];
		n->distance[i] = n->distance[i - 1];
	}
	n->index[at] = index;
	n->distance[at] = d;
	if (n->n < TEXTNORM_NEAR_MAX)
		n->n++;
}

static bool is_token_char(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* One character of a pasted token: printable ASCII, '?' for any other
 * (control characters too), 0 to drop. */
static int token_fold(uint32_t c)
{
	if (is_space(c) || c == 0x200c || c == 0x200d || c == 0x2060)
		return 0;
	if (c >= 0xff01 && c <= 0xff5e)  /* full-width ASCII forms */
		c -= 0xfee0;
	if (c == 0x3002 || c == 0xff61)  /* 。 ｡ */
		c = '.';
	return c > ' ' && c < 0x7f ? (int)c : '?';
}

size_t textnorm_token(const char *s, size_t n, char *out, size_t outsz)
{
	char buf[TEXTNORM_KEY_SIZE];
	if (n >= sizeof buf || outsz == 0 || memchr(s, '\0', n))
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	const unsigned char *p = (const unsigned char *)buf;
	size_t len = 0, first = SIZE_MAX, last = 0;
	while (*p) {
		uint32_t c;
		size_t k = utf8_decode(p, &c);
		if (k == 0)
			return 0;
		p += k;
		int a = token_fold(c);
		if (!a)
			continue;
		if (is_token_char(a)) {
			first = first == SIZE_MAX ? len : first;
			last = len + 1;
		}
		buf[len++] = (char)a;   /* never ahead of p: ASCII is one byte */
	}
	if (first == SIZE_MAX || last - first >= outsz)
		return 0;
	memcpy(out, buf + first, last - first);
	out[last - first] = '\0';
	return last - first;
}
