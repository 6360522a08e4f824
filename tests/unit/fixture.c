/*
 * fixture.c - the directory half of fixture.h. It needs no daemon header,
 * so the tests that link only the key or infra libraries can use it.
 * nftw() is an X/Open call: _POSIX_C_SOURCE alone does not declare it.
 */
#define _XOPEN_SOURCE 700

#include "fixture.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

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
