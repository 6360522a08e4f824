/*
 * i18n_locale.c - per-request message language (see i18n_locale.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "i18n.h"
#include "i18n_locale.h"

#ifndef EXPERTD_LOCALEDIR
#define EXPERTD_LOCALEDIR "/usr/share/locale"
#endif

bool i18n_init(struct i18n *t, char *why, size_t whysz)
{
	const char *dir = getenv("EXPERTD_LOCALEDIR");
	bindtextdomain(I18N_DOMAIN, dir && *dir ? dir : EXPERTD_LOCALEDIR);
	bind_textdomain_codeset(I18N_DOMAIN, "UTF-8");
	bindtextdomain(I18N_CODES_DOMAIN, dir && *dir ? dir : EXPERTD_LOCALEDIR);
	bind_textdomain_codeset(I18N_CODES_DOMAIN, "UTF-8");
	/* LANGUAGE would override the language each request asks for. */
	unsetenv("LANGUAGE");
	/* Messages only: character classes stay the process's, and the
	 * bound codeset gives UTF-8 whatever LC_CTYPE says. */
	t->zh = newlocale(LC_MESSAGES_MASK, "zh_CN.UTF-8", (locale_t)0);
	if (t->zh == (locale_t)0) {
		snprintf(why, whysz, "the zh_CN.UTF-8 locale is not installed "
		         "(Debian: locales-all): every reply is in English");
		return false;
	}
	return true;
}

void i18n_use(const struct i18n *t, enum proto_lang lang)
{
	uselocale(t && lang == PROTO_LANG_ZH && t->zh ? t->zh : LC_GLOBAL_LOCALE);
}

void i18n_free(struct i18n *t)
{
	if (t->zh != (locale_t)0)
		freelocale(t->zh);
	t->zh = (locale_t)0;
}
