/*
 * words.h - what the answer page says, in Simplified Chinese (the
 * default) or English, through gettext: English source strings, one
 * zh_CN catalogue (po/zh_CN.po). The language is chosen per visitor, so
 * each page is written under uselocale() of its language, never under
 * the process locale. Wire codes (kinds, reasons, roles) become the words
 * of the form here and nowhere else.
 */
#ifndef EXPERTD_ANSWER_WORDS_H
#define EXPERTD_ANSWER_WORDS_H

#include <locale.h>
#include <stdbool.h>
#include <stddef.h>

#include <libintl.h>

#include "weblang.h"

#define WORDS_DOMAIN "expertd-answer"
#define _(s) dgettext(WORDS_DOMAIN, s)
/* Marks a string for the catalogue where it is only listed. */
#define N_(s) s

enum words_lang { WORDS_ZH, WORDS_EN };

struct words {
	struct weblang lang;
};

/* Bind the catalogue in locale_dir and make both locales. False with err
 * set when zh_CN.UTF-8 is missing (the pages would be English only). */
bool words_open(struct words *w, const char *locale_dir, char *err, size_t errsz);
void words_close(struct words *w);
/* Write in lang from now on; returns what to give words_end(). */
locale_t words_begin(const struct words *w, enum words_lang lang);
void words_end(locale_t previous);

/* The words for wire codes; the code itself when it is not known. */
const char *words_kind(const char *code);
const char *words_role(const char *code);
const char *words_reason(const char *code);
/* The wire codes of decline reasons, in the form's order (NULL-ended). */
extern const char *const words_reasons[];

#endif
