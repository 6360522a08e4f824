/*
 * detail.h - an expert's history `detail` (PROTOCOL.md 7.2) as people
 * read it. The daemon writes each detail in one of a few stable English
 * patterns, which programs read; this module matches a detail against
 * them and writes it again through the reader's words. Pure: no I/O, no
 * catalog of its own; the words come from the caller.
 */
#ifndef EXPERTCTL_DETAIL_H
#define EXPERTCTL_DETAIL_H

#include <stdbool.h>
#include <stddef.h>

/* The reader's words. text: a pattern (an msgid with {1}..{5} where the
 * values go) in the reader's language. value: a code under its reply key
 * ("title", "channel") as people read it, buf being scratch of size bytes
 * (ctl_value()). With both the identity a detail is written back as it
 * came. */
struct detail_words {
	const char *(*text)(const char *msgid);
	const char *(*value)(const char *key, const char *value, char *buf, size_t size);
};

/* The detail in the reader's words into out (size bytes, cut at a
 * character boundary if too long). True when it has a known pattern;
 * false, with the detail copied as it is, when not. */
bool detail_words(const char *detail, const struct detail_words *w, char *out,
                  size_t size);

#endif
