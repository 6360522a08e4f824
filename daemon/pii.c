/*
 * pii.c - sealed personal data and blind indexes (see pii.h). Every
 * primitive is libsodium's.
 */
#include <string.h>

#include <sodium.h>

#include "pii.h"

static const char PII_KEY_ID_DOMAIN[] = "expertd-pii-key-id-v1";

bool pii_is_sealed(const void *b, size_t n)
{
	return b && n >= PII_OVERHEAD && ((const uint8_t *)b)[0] == PII_MARK;
}

void pii_seal(const struct sign_key *k, const char *ad, const void *m, size_t n,
              uint8_t *out)
{
	out[0] = PII_MARK;
	randombytes_buf(out + 1, PII_NONCE_LEN);
	crypto_aead_xchacha20poly1305_ietf_encrypt(
		out + 1 + PII_NONCE_LEN, NULL, m, n, (const uint8_t *)ad, strlen(ad),
		NULL, out + 1, k->data_key);
}

bool pii_open(const struct sign_key *k, const char *ad, const uint8_t *c, size_t n,
              uint8_t *out, size_t size, size_t *len)
{
	unsigned long long m = 0;
	if (!pii_is_sealed(c, n) || n - PII_OVERHEAD > size)
		return false;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		    out, &m, NULL, c + 1 + PII_NONCE_LEN, n - 1 - PII_NONCE_LEN,
		    (const uint8_t *)ad, strlen(ad), c + 1, k->data_key) != 0)
		return false;
	*len = (size_t)m;
	return true;
}

void pii_index(const struct sign_key *k, const char *what, const char *value,
               uint8_t out[PII_INDEX_LEN])
{
	crypto_generichash_state st;
	crypto_generichash_init(&st, k->index_key, sizeof k->index_key, PII_INDEX_LEN);
	crypto_generichash_update(&st, (const uint8_t *)what, strlen(what) + 1);
	crypto_generichash_update(&st, (const uint8_t *)value, strlen(value));
	crypto_generichash_final(&st, out, PII_INDEX_LEN);
}

void pii_key_id(const struct sign_key *k, uint8_t out[PII_KEY_ID_LEN])
{
	crypto_generichash(out, PII_KEY_ID_LEN, (const uint8_t *)PII_KEY_ID_DOMAIN,
	                   sizeof PII_KEY_ID_DOMAIN - 1, k->data_key, sizeof k->data_key);
}
