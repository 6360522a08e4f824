/*
 * ctl_i18n.c - expertctl's language (see ctl_i18n.h).
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_i18n.h"

/* proto/i18n.h's I18N_DOMAIN (that header defines _ for its domain). */
#define CTL_CORE_DOMAIN "expertd"

#ifndef EXPERTD_LOCALEDIR
#define EXPERTD_LOCALEDIR "/usr/share/locale"
#endif

bool ctl_i18n_init(void)
{
	const char *dir = getenv("EXPERTD_LOCALEDIR");
	if (!dir || !*dir)
		dir = EXPERTD_LOCALEDIR;
	setlocale(LC_ALL, "");
	/* Numbers are written for programs as well: keep them C's. */
	setlocale(LC_NUMERIC, "C");
	bindtextdomain(CTL_DOMAIN, dir);
	bind_textdomain_codeset(CTL_DOMAIN, "UTF-8");
	bindtextdomain(CTL_CODES_DOMAIN, dir);
	bind_textdomain_codeset(CTL_CODES_DOMAIN, "UTF-8");
	bindtextdomain(CTL_CORE_DOMAIN, dir);   /* the verifier's core messages */
	bind_textdomain_codeset(CTL_CORE_DOMAIN, "UTF-8");
	const char *m = setlocale(LC_MESSAGES, NULL);
	return m && strncmp(m, "zh", 2) == 0;
}

void ctl_i18n_off(void)
{
	setlocale(LC_MESSAGES, "C");
}

const char *ctl_value(const char *key, const char *value, char *buf, size_t size)
{
	/* gettext's msgctxt: "context" EOT "msgid". */
	int n = snprintf(buf, size, "%s\004%s", key, value);
	if (n < 0 || (size_t)n >= size)
		return value;
	const char *t = dgettext(CTL_CODES_DOMAIN, buf);
	return t == buf ? value : t;
}
