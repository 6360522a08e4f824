/*
 * words.h - what expertd-console's pages say: its own sentences are
 * msgids of the text domain "expertd-console" (console/po/), in English,
 * shown in Simplified Chinese by default; the daemon's codes (fill
 * states, kinds, reasons, levels, statuses) are read through expertctl's
 * catalogue of codes (ctl_value(), clients/po/codes/), so the console
 * names them exactly as expertctl does. Pages are written under
 * weblang_begin() of the visitor's language.
 */
#ifndef EXPERTD_CONSOLE_WORDS_H
#define EXPERTD_CONSOLE_WORDS_H

#include "ctl_i18n.h"

#define CONSOLE_DOMAIN "expertd-console"
#undef _
#define _(s) dgettext(CONSOLE_DOMAIN, s)

#endif
