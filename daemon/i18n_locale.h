/*
 * i18n_locale.h - the daemon's side of i18n.h: binding the "expertd"
 * catalogs and answering each request in the language its envelope asked
 * for (PROTOCOL.md 5.3 `lang`). The language is the calling thread's
 * (uselocale(3)), set around one request, so nothing else changes.
 */
#ifndef EXPERTD_I18N_LOCALE_H
#define EXPERTD_I18N_LOCALE_H

#include <locale.h>
#include <stdbool.h>
#include <stddef.h>

#include "proto.h"

struct i18n {
	locale_t zh;   /* zh_CN.UTF-8's messages; (locale_t)0 if not installed */
};

/* Bind the catalogs: $EXPERTD_LOCALEDIR, else the installed locale
 * directory. False (with why) when Chinese cannot be given; English is
 * then given to every request. */
bool i18n_init(struct i18n *t, char *why, size_t whysz);
/* Messages from now on in lang (English: the process's own locale). */
void i18n_use(const struct i18n *t, enum proto_lang lang);
void i18n_free(struct i18n *t);

#endif
