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

#define I18N_DOMAIN "expertd"

/* A translated message; N_ marks one translated later, where it is used. */
#define _(s) dgettext(I18N_DOMAIN, s)
#define N_(s) (s)

#endif
