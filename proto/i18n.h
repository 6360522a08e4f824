/*
 * i18n.h - messages people read, through gettext (Debian `gettext`):
 * every English message the protocol, the pure core and the daemon write
 * is a msgid of the text domain "expertd", translated by the catalogs in
 * daemon/po/ (zh_CN: Simplified Chinese). A lookup is all this does: which
 * language is the caller's to choose (the daemon per request, from the
 * envelope's `lang`, PROTOCOL.md 5.3; expertctl from its locale).
 */
#ifndef EXPERTD_I18N_H
#define EXPERTD_I18N_H

#include <libintl.h>
#include <stdio.h>

#define I18N_DOMAIN "expertd"
/* The words for the protocol's codes (states, kinds, roles, ...), kept in
 * clients/po/codes/ with the reply key as msgctxt; shared by expertctl,
 * the daemon's messages and the SMS bridge. */
#define I18N_CODES_DOMAIN "expertctl-codes"
#define I18N_CODE_MAX 96

/* A translated message; N_ marks one translated later, where it is used. */
#define _(s) dgettext(I18N_DOMAIN, s)
#define N_(s) (s)

/* A code inside a message, as people read it: its word under context key
 * in the codes catalog, in this thread's language; the code itself when
 * there is none (English). buf is scratch of at least I18N_CODE_MAX. */
static inline const char *i18n_code(const char *key, const char *code, char *buf,
                                    size_t size)
{
	int n = snprintf(buf, size, "%s\004%s", key, code);
	if (n < 0 || (size_t)n >= size)
		return code;
	const char *t = dgettext(I18N_CODES_DOMAIN, buf);
	return t == buf ? code : t;
}

#endif
