/*
 * mask.h - masking of personal data for listings, logs, errors and events.
 * Full values leave the daemon only through an operator's recorded --reveal.
 */
#ifndef EXPERTD_MASK_H
#define EXPERTD_MASK_H

#include <stddef.h>

#define MASK_BUF 64

/* "440106199001011234" -> "440106********1234"; other lengths keep the
 * first 3 and last 2 characters at most, the rest stars. */
void mask_resident_id(const char *id, char out[MASK_BUF]);
/* "13812345678" -> "138****5678" */
void mask_phone(const char *phone, char out[MASK_BUF]);
/* "zhang.san@example.com" -> "z***@example.com": the first character of
 * the local part, three stars, the domain (cut to fit, unprintable bytes
 * '?'); "" stays ""; without '@' as an identifier of unexpected length. */
void mask_email(const char *email, char out[MASK_BUF]);
/* UTF-8 name: "张三明" -> "张*明", "张三" -> "张*", "A" -> "*"; keeps the
 * first and (for 3+ characters) last character. */
void mask_name(const char *name, char out[MASK_BUF]);

#endif
