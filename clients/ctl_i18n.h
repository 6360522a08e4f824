/*
 * ctl_i18n.h - what expertctl writes for people, in their language
 * (gettext; Debian `gettext`): its own messages are msgids of the text
 * domain "expertctl" (clients/po/), the daemon's arrive already in the
 * language asked for (PROTOCOL.md 5.3 `lang`), and the stable codes in
 * replies (states, roles, kinds, statuses) are shown through the
 * catalog with their key as context. --json output is never translated.
 */
#ifndef EXPERTCTL_I18N_H
#define EXPERTCTL_I18N_H

#include <libintl.h>
#include <stdbool.h>
#include <stddef.h>

#define CTL_DOMAIN "expertctl"
/* The codes of replies as people read them (msgctxt: the reply key),
 * kept by hand in clients/po/codes/ from the code lists of proto_ops.c:
 * no source file holds them as text for xgettext to find. */
#define CTL_CODES_DOMAIN "expertctl-codes"

#define _(s) dgettext(CTL_DOMAIN, s)
#define N_(s) (s)

/* Set the locale from the environment (LC_ALL, LC_MESSAGES, LANG) and bind
 * both catalogs ($EXPERTD_LOCALEDIR, else the installed locale
 * directory). Returns whether people read Chinese here. */
bool ctl_i18n_init(void);

/* --json: output for programs, in English whatever the locale (the same
 * bytes with and without LANG). */
void ctl_i18n_off(void);

/* A code as people read it: value under the context key ("state",
 * "offered" → 已通知 in Chinese); value itself when the catalog has no
 * such entry (names and other free text). buf is scratch for the lookup
 * key, of at least CTL_VALUE_KEY_MAX bytes. */
#define CTL_VALUE_KEY_MAX 128
const char *ctl_value(const char *key, const char *value, char *buf, size_t size);

#endif
