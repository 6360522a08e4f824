/*
 * fixture.h - set-up shared by the unit tests: a throwaway directory
 * under /tmp and its removal (no shell), files written into it, two
 * small assertions, and one expert built with sane defaults that each
 * test then adjusts to the case it checks.
 */
#ifndef EXPERTD_FIXTURE_H
#define EXPERTD_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct expert;

/* A new empty directory /tmp/expertd-<tag>-XXXXXX, its path written to
 * dir (size bytes); false if it cannot be made. (fixture.c) */
bool fx_tmpdir(char *dir, size_t size, const char *tag);
/* Remove path and everything below it, links not followed; false if
 * anything could not be removed. A path that is gone already is fine. */
bool fx_rmdir(const char *path);
/* Write text to a new file in dir, named <stem><n><ext> with n counting
 * up per call; returns its path (a static buffer, valid until the next
 * call). Fails the test if the file cannot be written. */
const char *fx_write_file(const char *dir, const char *stem, const char *ext,
                          const char *text);
/* Fail the test unless needle occurs in haystack. */
void fx_assert_contains(const char *haystack, const char *needle);
/* Decode 2*len hex digits into out; fails the test on anything else. */
void fx_hex(const char *hex, uint8_t *out, size_t len);

/* An expert who passes every record rule of a task in 2025 (fixture_expert.c):
 * the given id, name 李秀英, born 1980-05-20, active, serving in term 1
 * (joined in term 1), in all three groups, capable of every task type, no
 * organisations, no title, qualification or relaxation. specialty is
 * the one specialty, or NULL for none. */
struct expert fx_expert(int64_t id, const char *specialty);

#endif
