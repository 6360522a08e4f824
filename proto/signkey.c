/*
 * signkey.c - the signing key files (see signkey.h): created 0600 and
 * never overwritten, read strictly, the seed checked against the public
 * key beside it so a mixed-up file fails at start, not at verification.
 */
#include "signkey.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>
#include <sodium.h>

#define SIGNKEY_SECTION "sign"

struct signkey_file {
	const char *path;
	uint8_t seed[SIGNKEY_LEN], public_key[SIGNKEY_LEN];
	bool has_seed, has_public;
	char err[256];
};

static void signkey_err(char *err, size_t errsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void signkey_err(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

static bool signkey_hex(const char *hex, uint8_t out[SIGNKEY_LEN])
{
	size_t n = 0;
	return strlen(hex) == SIGNKEY_HEX_LEN &&
	       sodium_hex2bin(out, SIGNKEY_LEN, hex, SIGNKEY_HEX_LEN, NULL, &n, NULL) == 0 &&
	       n == SIGNKEY_LEN;
}

static bool signkey_create(const char *path, mode_t mode, const char *text,
                           char *err, size_t errsz)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0) {
		signkey_err(err, errsz, errno == EEXIST ? "%s already exists; not "
		            "overwriting it" : "cannot create %s", path);
		return false;
	}
	size_t len = strlen(text);
	bool ok = fchmod(fd, mode) == 0 && write(fd, text, len) == (ssize_t)len &&
	          fsync(fd) == 0;
	if (close(fd) != 0 || !ok) {
		signkey_err(err, errsz, "cannot write %s: %s", path, strerror(errno));
		unlink(path);
		return false;
	}
	return true;
}

bool signkey_generate(const char *base, char public_hex[SIGNKEY_HEX_LEN + 1],
                      char *err, size_t errsz)
{
	uint8_t seed[SIGNKEY_LEN], pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	char key_path[4096], pub_path[4096], pk_hex[SIGNKEY_HEX_LEN + 1],
	     seed_hex[SIGNKEY_HEX_LEN + 1], text[300];
	if (snprintf(key_path, sizeof key_path, "%s.key", base) >= (int)sizeof key_path ||
	    snprintf(pub_path, sizeof pub_path, "%s.pub", base) >= (int)sizeof pub_path) {
		signkey_err(err, errsz, "key file name too long");
		return false;
	}
	randombytes_buf(seed, sizeof seed);
	crypto_sign_seed_keypair(pk, sk, seed);
	sodium_bin2hex(pk_hex, sizeof pk_hex, pk, sizeof pk);
	sodium_bin2hex(seed_hex, sizeof seed_hex, seed, sizeof seed);
	snprintf(text, sizeof text, "# expertd signing key: keep this file private\n"
	         "[" SIGNKEY_SECTION "]\npublic-key = %s\nseed = %s\n", pk_hex, seed_hex);
	bool ok = signkey_create(key_path, 0600, text, err, errsz);
	sodium_memzero(text, sizeof text);
	sodium_memzero(seed_hex, sizeof seed_hex);
	sodium_memzero(seed, sizeof seed);
	sodium_memzero(sk, sizeof sk);
	if (!ok)
		return false;
	snprintf(text, sizeof text, "# expertd signing public key\n"
	         "[" SIGNKEY_SECTION "]\npublic-key = %s\n", pk_hex);
	if (!signkey_create(pub_path, 0644, text, err, errsz)) {
		unlink(key_path);
		return false;
	}
	if (public_hex)
		memcpy(public_hex, pk_hex, sizeof pk_hex);
	return true;
}

static int signkey_handler(void *user, const char *section, const char *name,
                           const char *value)
{
	struct signkey_file *f = user;
	bool *has;
	uint8_t *dst;
	if (strcmp(section, SIGNKEY_SECTION) != 0) {
		snprintf(f->err, sizeof f->err, "'%.64s' is not in a [" SIGNKEY_SECTION
		         "] section", name);
		return 0;
	}
	if (strcmp(name, "public-key") == 0) {
		has = &f->has_public;
		dst = f->public_key;
	} else if (strcmp(name, "seed") == 0) {
		has = &f->has_seed;
		dst = f->seed;
	} else {
		snprintf(f->err, sizeof f->err, "unknown key '%.64s'", name);
		return 0;
	}
	if (*has || !signkey_hex(value, dst)) {
		snprintf(f->err, sizeof f->err, *has ? "%s is given twice"
		         : "%s is not 64 hexadecimal characters", name);
		return 0;
	}
	*has = true;
	return 1;
}

static bool signkey_parse(const char *path, struct signkey_file *f, char *err,
                          size_t errsz)
{
	memset(f, 0, sizeof *f);
	f->path = path;
	int rc = ini_parse(path, signkey_handler, f);
	if (rc == -1) {
		signkey_err(err, errsz, "cannot open %s: %s", path, strerror(errno));
	} else if (rc != 0) {
		signkey_err(err, errsz, "%s:%d: %s", path, rc,
		            f->err[0] ? f->err : "syntax error");
	} else if (!f->has_public) {
		signkey_err(err, errsz, "%s: no public-key in [" SIGNKEY_SECTION "]", path);
	} else {
		return true;
	}
	sodium_memzero(f, sizeof *f);
	return false;
}

bool signkey_read_secret(const char *path, uint8_t seed[SIGNKEY_LEN],
                         uint8_t public_key[SIGNKEY_LEN], char *err, size_t errsz)
{
	struct signkey_file f;
	if (!signkey_parse(path, &f, err, errsz))
		return false;
	uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	bool ok = false;
	if (!f.has_seed) {
		signkey_err(err, errsz, "%s: no seed in [" SIGNKEY_SECTION "] (is it the "
		            ".pub file?)", path);
	} else {
		crypto_sign_seed_keypair(pk, sk, f.seed);
		ok = sodium_memcmp(pk, f.public_key, sizeof pk) == 0;
		if (!ok)
			signkey_err(err, errsz, "%s: seed does not belong to public-key", path);
	}
	if (ok) {
		memcpy(seed, f.seed, SIGNKEY_LEN);
		memcpy(public_key, pk, SIGNKEY_LEN);
	}
	sodium_memzero(sk, sizeof sk);
	sodium_memzero(&f, sizeof f);
	return ok;
}

bool signkey_read_public(const char *path_or_hex, uint8_t public_key[SIGNKEY_LEN],
                         char *err, size_t errsz)
{
	if (signkey_hex(path_or_hex, public_key))
		return true;
	struct signkey_file f;
	if (!signkey_parse(path_or_hex, &f, err, errsz))
		return false;
	memcpy(public_key, f.public_key, SIGNKEY_LEN);
	sodium_memzero(&f, sizeof f);
	return true;
}
