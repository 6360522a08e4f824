/*
 * import_zh.h - the daemon's pool.import reasons (stable English) in
 * Chinese, for a roster whose header row is Chinese. Pure.
 */
#ifndef EXPERTCTL_IMPORT_ZH_H
#define EXPERTCTL_IMPORT_ZH_H

#include <stddef.h>

/* The Chinese of reason[0..*rlen), written to buf with its length in
 * *rlen; reason itself (and *rlen untouched) if the table has no
 * Chinese for it. */
const char *import_zh_reason(const char *reason, size_t *rlen, char *buf, size_t bufsz);

#endif
