/*
 * csrf.c - form tokens of the answer page (see csrf.h). The MAC covers a
 * domain tag, the link and the expiry, so neither can be swapped.
 */
#include <stdio.h>
#include <string.h>

#include "csrf.h"

#define CSRF_TAG "expertd-answer-form-v1"

static void csrf_mac(const uint8_t key[CSRF_KEY_LEN], const char *link, int64_t expires,
                     uint8_t mac[crypto_auth_hmacsha512256_BYTES])
{
	crypto_auth_hmacsha512256_state st;
	char exp[24];
	int n = snprintf(exp, sizeof exp, "%lld", (long long)expires);
	crypto_auth_hmacsha512256_init(&st, key, CSRF_KEY_LEN);
	crypto_auth_hmacsha512256_update(&st, (const uint8_t *)CSRF_TAG, sizeof CSRF_TAG);
	crypto_auth_hmacsha512256_update(&st, (const uint8_t *)link, strlen(link) + 1);
	crypto_auth_hmacsha512256_update(&st, (const uint8_t *)exp, (size_t)n);
	crypto_auth_hmacsha512256_final(&st, mac);
}

void csrf_make(const uint8_t key[CSRF_KEY_LEN], const char *link, int64_t expires,
               char out[CSRF_SIZE])
{
	uint8_t mac[crypto_auth_hmacsha512256_BYTES];
	char hex[2 * crypto_auth_hmacsha512256_BYTES + 1];
	csrf_mac(key, link, expires, mac);
	sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
	snprintf(out, CSRF_SIZE, "%lld.%s", (long long)expires, hex);
}

bool csrf_check(const uint8_t key[CSRF_KEY_LEN], const char *link, const char *value,
                size_t n, int64_t now)
{
	int64_t expires = 0;
	size_t i = 0;
	for (; i < n && i < 19 && value[i] >= '0' && value[i] <= '9'; i++)
		expires = expires * 10 + (value[i] - '0');
	if (i == 0 || i >= n || value[i] != '.' || n - i - 1 != 2 * crypto_auth_hmacsha512256_BYTES ||
	    now >= expires)
		return false;
	uint8_t want[crypto_auth_hmacsha512256_BYTES], got[crypto_auth_hmacsha512256_BYTES];
	size_t len = 0;
	if (sodium_hex2bin(got, sizeof got, value + i + 1, n - i - 1, NULL, &len, NULL) != 0 ||
	    len != sizeof got)
		return false;
	csrf_mac(key, link, expires, want);
	return sodium_memcmp(want, got, sizeof want) == 0;
}
