/*
 * weblang.h - the language of a page of the web programs in clients/
 * (expertd-answer, expertd-console): Simplified Chinese or English, chosen
 * per request, written under uselocale() of that language (never under
 * the process locale), so that gettext's catalogues answer in it.
 */
#ifndef EXPERTD_WEBLANG_H
#define EXPERTD_WEBLANG_H

#include <locale.h>
#include <stdbool.h>
#include <stddef.h>

#include <event2/http.h>

struct weblang {
	locale_t zh;   /* (locale_t)0 when zh_CN.UTF-8 is not installed */
	locale_t en;
};

/* Make both locales. False with err set when zh_CN.UTF-8 is missing (the
 * pages would be English only); w is usable either way. */
bool weblang_open(struct weblang *w, char *err, size_t errsz);
void weblang_close(struct weblang *w);
/* Write in English (or Chinese) from now on; returns what to give
 * weblang_end(). */
locale_t weblang_begin(const struct weblang *w, bool english);
void weblang_end(locale_t previous);

/* Whether req asks for English: ?lang=en or ?lang=zh (*asked set), else
 * English first in Accept-Language, else english_default. */
bool weblang_is_english(struct evhttp_request *req, bool english_default, bool *asked);

#endif
