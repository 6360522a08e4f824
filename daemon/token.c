/*
 * token.c - making and checking answer tokens (see token.h).
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "textnorm.h"
#include "token.h"

#define TOKEN_B64_LEN 22   /* 16 bytes, unpadded */

static void token_hash(const uint8_t secret[TOKEN_BYTES], uint8_t hash[TOKEN_HASH_LEN])
{
	crypto_generichash(hash, TOKEN_HASH_LEN, secret, TOKEN_BYTES, NULL, 0);
}

void token_make(int64_t assignment, char text[TOKEN_STR_MAX],
                uint8_t hash[TOKEN_HASH_LEN])
{
	uint8_t secret[TOKEN_BYTES];
	char b64[TOKEN_B64_LEN + 1];

	randombytes_buf(secret, sizeof secret);
	sodium_bin2base64(b64, sizeof b64, secret, sizeof secret,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	snprintf(text, TOKEN_STR_MAX, "%lld.%s", (long long)assignment, b64);
	token_hash(secret, hash);
	sodium_memzero(secret, sizeof secret);
}

bool token_clean(const char *s, size_t n, char out[TOKEN_STR_MAX], size_t *len)
{
	*len = textnorm_token(s, n, out, TOKEN_STR_MAX);
	return *len > 0;
}

/* The decimal prefix of s up to its dot, without a leading zero and no
 * larger than int64 holds; 0 when there is none. */
static int64_t token_prefix(const char *s, size_t n, size_t *digits)
{
	int64_t id = 0;
	size_t i = 0;
	if (n == 0 || s[0] == '0')
		return 0;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		int d = s[i] - '0';
		if (id > (INT64_MAX - d) / 10)
			return 0;
		id = id * 10 + d;
	}
	if (i == 0 || i >= n || s[i] != '.')
		return 0;
	*digits = i;
	return id;
}

int64_t token_target(const char *s, size_t n)
{
	char clean[TOKEN_STR_MAX];
	size_t len, digits;
	return token_clean(s, n, clean, &len) ? token_prefix(clean, len, &digits) : 0;
}

bool token_parse(const char *s, size_t n, int64_t *assignment,
                 uint8_t hash[TOKEN_HASH_LEN])
{
	size_t i = 0;
	int64_t id = token_prefix(s, n, &i);
	if (id == 0 || n - i - 1 != TOKEN_B64_LEN)
		return false;
	uint8_t secret[TOKEN_BYTES];
	size_t len = 0;
	const char *end = NULL;
	if (sodium_base642bin(secret, sizeof secret, s + i + 1, TOKEN_B64_LEN, NULL,
	                      &len, &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len != TOKEN_BYTES || end != s + n)
		return false;
	*assignment = id;
	token_hash(secret, hash);
	sodium_memzero(secret, sizeof secret);
	return true;
}

bool token_hash_equal(const uint8_t a[TOKEN_HASH_LEN], const uint8_t b[TOKEN_HASH_LEN])
{
	return sodium_memcmp(a, b, TOKEN_HASH_LEN) == 0;
}
