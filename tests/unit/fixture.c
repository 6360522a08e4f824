/*
 * fixture.c - the directory, file and assertion half of fixture.h. It needs no daemon header,
 * so the tests that link only the key or infra libraries can use it.
 * nftw() is an X/Open call: _POSIX_C_SOURCE alone does not declare it.
 */
#define _XOPEN_SOURCE 700

#include "fixture.h"

#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

bool fx_tmpdir(char *dir, size_t size, const char *tag)
{
	int n = snprintf(dir, size, "/tmp/expertd-%s-XXXXXX", tag);
	if (n < 0 || (size_t)n >= size)
		return false;
	return mkdtemp(dir) != NULL;
}

static int remove_one(const char *path, const struct stat *st, int flag,
                      struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	if (remove(path) != 0 && errno != ENOENT) {
		perror(path);
		return -1;
	}
	return 0;
}

bool fx_rmdir(const char *path)
{
	/* Depth first so each directory is empty when its turn comes. */
	if (nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS) == 0)
		return true;
	return errno == ENOENT;
}

const char *fx_write_file(const char *dir, const char *stem, const char *ext,
                          const char *text)
{
	static char path[256];
	static int seq;
	snprintf(path, sizeof path, "%s/%s%d%s", dir, stem, ++seq, ext);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	assert_true(fputs(text, fp) >= 0);
	assert_int_equal(fclose(fp), 0);
	return path;
}

void fx_assert_contains(const char *haystack, const char *needle)
{
	if (strstr(haystack, needle) == NULL)
		fail_msg("'%s' does not contain '%s'", haystack, needle);
}

void fx_hex(const char *hex, uint8_t *out, size_t len)
{
	assert_int_equal(strlen(hex), 2 * len);
	for (size_t i = 0; i < len; i++) {
		unsigned v;
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}
