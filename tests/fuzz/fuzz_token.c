/*
 * fuzz_token.c - libFuzzer target for what the answer page and the
 * daemon read from a visitor before anything else: a token as pasted
 * (textnorm_token(), PROTOCOL.md 7.12.3) and a posted form token
 * (csrf_check(), clients/answer). Beyond "no crash": a cleaned token is
 * never longer than its input, holds only ASCII, and starts and ends with
 * a token character; no input is a valid form token for a key it was not
 * made with; the cleaning is idempotent.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "csrf.h"
#include "textnorm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(c) do { if (!(c)) abort(); } while (0)

static int fuzz_is_token_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[TEXTNORM_KEY_SIZE], again[TEXTNORM_KEY_SIZE];
	size_t n = textnorm_token((const char *)data, size, out, sizeof out);
	if (n > 0) {
		FUZZ_CHECK(n <= size && strlen(out) == n);
		FUZZ_CHECK(fuzz_is_token_char(out[0]) && fuzz_is_token_char(out[n - 1]));
		for (size_t i = 0; i < n; i++)
			FUZZ_CHECK((unsigned char)out[i] < 0x80 && out[i] > ' ');
		FUZZ_CHECK(textnorm_token(out, n, again, sizeof again) == n);
		FUZZ_CHECK(memcmp(out, again, n) == 0);
	}
	/* A fixed key: the fuzzer cannot have seen a MAC made with it. */
	static const uint8_t key[CSRF_KEY_LEN] = {1, 2, 3};
	FUZZ_CHECK(!csrf_check(key, "1.abc", (const char *)data, size, 0));
	return 0;
}
