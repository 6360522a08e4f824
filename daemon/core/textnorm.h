/*
 * textnorm.h - the matching keys of names people type: organisation names
 * (工作单位, 推荐单位) and occupation names (工种), and how far apart two
 * keys are, for "did you mean" lists. Pure; the rules are those of
 * proto/REGISTRY.md section 1 and each has a unit test.
 */
#ifndef EXPERTD_TEXTNORM_H
#define EXPERTD_TEXTNORM_H

#include <stdbool.h>
#include <stddef.h>

/* Longest key kept, in bytes with the NUL (names are at most 255 bytes). */
#define TEXTNORM_KEY_SIZE 256

enum textnorm_kind {
	TEXTNORM_OCCUPATION, /* forms, brackets, spaces, case */
	TEXTNORM_ORG,        /* the same, then the 广东省/广州市 prefix rule */
};

/*
 * The matching key of s (UTF-8) in out: full-width ASCII forms become
 * ASCII, the ideographic space a space; every bracket form becomes ( or );
 * white space is dropped; ASCII letters are lower-cased; for an
 * organisation, a leading 广东省广州市, 广东省广州, 广州市 or 广州 is
 * dropped when at least four characters remain, else written 广州. False when s is not
 * valid UTF-8, is empty after normalising, or the key does not fit.
 */
bool textnorm_key(enum textnorm_kind kind, const char *s, char *out, size_t outsz);

/* Number of characters (code points) of valid UTF-8 s. */
size_t textnorm_chars(const char *s);

/*
 * Edit distance (insertions, deletions, substitutions of characters)
 * between keys a and b, or limit + 1 when it is more than limit (the
 * work stops early). Both must be valid UTF-8 of at most
 * TEXTNORM_KEY_SIZE - 1 bytes.
 */
size_t textnorm_distance(const char *a, const char *b, size_t limit);

/* The largest distance at which b is worth suggesting for a: a quarter
 * of the longer key's characters, at least 1. (A key inside the other,
 * of at least two characters, is near at any distance.) */
size_t textnorm_near_limit(const char *a, const char *b);

/*
 * The closest of a set of keys, for suggestions: keep up to TEXTNORM_NEAR_MAX
 * (index, distance) pairs with the smallest distance, ties to the smaller
 * index. Offer each key in turn.
 */
#define TEXTNORM_NEAR_MAX 3
struct textnorm_near {
	size_t index[TEXTNORM_NEAR_MAX];
	size_t distance[TEXTNORM_NEAR_MAX];
	size_t n;
};
void textnorm_near_init(struct textnorm_near *n);
/* Consider candidate key `key` (number `index`) against the sought key. */
void textnorm_near_offer(struct textnorm_near *n, const char *sought,
                         const char *key, size_t index);

/*
 * An answer token as an SMS app or a person hands it over (PROTOCOL.md
 * 7.12.3), as the daemon reads it: full-width forms become ASCII, 。 and
 * the half-width ｡ a dot; white space and zero-width characters anywhere
 * are dropped; then everything before the first and after the last token
 * character (A-Z a-z 0-9 _ -) goes, so `12.abc…。`, ` 12.abc…）` and
 * `１２．abc…！` all read `12.abc…`. Any other character inside (not
 * printable ASCII) is kept as `?`, which no token holds. The n bytes of s need no NUL. Returns the
 * length written to out (with a NUL), 0 when s is not valid UTF-8, longer
 * than TEXTNORM_KEY_SIZE - 1 bytes, or nothing is left.
 */
size_t textnorm_token(const char *s, size_t n, char *out, size_t outsz);

#endif
