/*
 * mask.c - masked forms of resident IDs, phone numbers and names. The input
 * is treated as hostile: any length, any bytes. Only the characters a rule
 * allows are copied, and those only when printable; all else becomes '*'
 * (hidden) or '?' (shown position, unprintable character).
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "mask.h"

/* Room for the characters kept at both ends of a masked value: two UTF-8
 * sequences of at most 4 bytes, or a few ASCII characters. */
#define MASK_MAX_STARS (MASK_BUF - 1 - 8)

static char mask_ascii(unsigned char c)
{
	return c >= 0x20 && c < 0x7f ? (char)c : '*';
}

/* Keep `head` leading and `tail` trailing bytes of an ASCII identifier of
 * length n and star the rest (at most MASK_MAX_STARS stars). */
static void mask_ascii_ends(const char *s, size_t n, size_t head, size_t tail,
                            char out[MASK_BUF])
{
	size_t stars = n - head - tail, o = 0;
	if (stars > MASK_MAX_STARS)
		stars = MASK_MAX_STARS;
	for (size_t i = 0; i < head; i++)
		out[o++] = mask_ascii((unsigned char)s[i]);
	memset(out + o, '*', stars);
	o += stars;
	for (size_t i = n - tail; i < n; i++)
		out[o++] = mask_ascii((unsigned char)s[i]);
	out[o] = '\0';
}

/* A value of unexpected length: keep up to 3 leading and 2 trailing
 * characters, fewer for short values so that at least half stays hidden. */
static void mask_other(const char *s, size_t n, char out[MASK_BUF])
{
	const size_t head = n / 4 < 3 ? n / 4 : 3;
	const size_t tail = n / 5 < 2 ? n / 5 : 2;
	mask_ascii_ends(s, n, head, tail, out);
}

void mask_resident_id(const char *id, char out[MASK_BUF])
{
	const size_t n = id ? strlen(id) : 0;
	if (n == 18)
		mask_ascii_ends(id, n, 6, 4, out);
	else
		mask_other(id, n, out);
}

void mask_email(const char *email, char out[MASK_BUF])
{
	const size_t n = email ? strlen(email) : 0;
	const char *at = n ? strchr(email, '@') : NULL;
	if (!at || at == email) {
		mask_other(email, n, out);
		return;
	}
	size_t o = 0;
	out[o++] = mask_ascii((unsigned char)email[0]);
	memcpy(out + o, "***", 3);
	o += 3;
	for (const char *p = at; *p && o < MASK_BUF - 1; p++) {
		unsigned char c = (unsigned char)*p;
		out[o++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	out[o] = '\0';
}

void mask_phone(const char *phone, char out[MASK_BUF])
{
	const size_t n = phone ? strlen(phone) : 0;
	if (n == 11)
		mask_ascii_ends(phone, n, 3, 4, out);
	else
		mask_other(phone, n, out);
}

/*
 * Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), or 0 if the byte at s starts none.
 */
static size_t mask_utf8_len(const unsigned char *s, size_t avail, uint32_t *cp)
{
	const unsigned char c = s[0];
	size_t len;
	uint32_t v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		len = 2, v = c & 0x1fu, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3, v = c & 0x0fu, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4, v = c & 0x07u, min = 0x10000;
	} else {
		return 0;
	}
	if (len > avail)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3fu);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

/* Controls and bidi overrides could forge or hide text in a log line. */
static bool mask_is_printable(uint32_t cp)
{
	return cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp <= 0x9f) &&
	       !(cp >= 0x202a && cp <= 0x202e) && !(cp >= 0x2066 && cp <= 0x2069);
}

/* Copy the character at s (len bytes, 0 = malformed) or '?' in its place. */
static size_t mask_put_char(const unsigned char *s, size_t len, uint32_t cp, char *out)
{
	if (len == 0 || !mask_is_printable(cp)) {
		*out = '?';
		return 1;
	}
	memcpy(out, s, len);
	return len;
}

void mask_name(const char *name, char out[MASK_BUF])
{
	const unsigned char *s = (const unsigned char *)(name ? name : "");
	const size_t n = strlen((const char *)s);
	size_t chars = 0, first_len = 0, last_at = 0, last_len = 0;
	uint32_t first_cp = 0, last_cp = 0;

	/* A malformed byte counts as one character of its own. */
	for (size_t i = 0; i < n;) {
		uint32_t cp = 0;
		const size_t len = mask_utf8_len(s + i, n - i, &cp);
		if (chars == 0)
			first_len = len, first_cp = cp;
		last_at = i, last_len = len, last_cp = cp;
		chars++;
		i += len ? len : 1;
	}

	size_t o = 0;
	if (chars == 1) {
		out[o++] = '*';
	} else if (chars >= 2) {
		o += mask_put_char(s, first_len, first_cp, out + o);
		size_t stars = chars >= 3 ? chars - 2 : 1;
		if (stars > MASK_MAX_STARS)
			stars = MASK_MAX_STARS;
		memset(out + o, '*', stars);
		o += stars;
		if (chars >= 3)
			o += mask_put_char(s + last_at, last_len, last_cp, out + o);
	}
	out[o] = '\0';
}
