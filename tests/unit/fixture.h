/*
 * fixture.h - set-up shared by the unit tests: a throwaway directory
 * under /tmp and its removal, without a shell.
 */
#ifndef EXPERTD_FIXTURE_H
#define EXPERTD_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>

/* A new empty directory /tmp/expertd-<tag>-XXXXXX, its path written to
 * dir (size bytes); false if it cannot be made. (fixture.c) */
bool fx_tmpdir(char *dir, size_t size, const char *tag);
/* Remove path and everything below it, links not followed; false if
 * anything could not be removed. A path that is gone already is fine. */
bool fx_rmdir(const char *path);

#endif
