/*
 * roster_encoding.c - bring a roster file to UTF-8. Excel on Chinese
 * Windows saves "CSV" in GBK (read here as GB18030, its superset) and
 * "CSV UTF-8" with a BOM; both are common, so by default we detect.
 */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctl_i18n.h"
#include "roster.h"

bool roster_encoding_parse(const char *s, enum roster_encoding *out)
{
	static const struct {
		const char *name;
		enum roster_encoding enc;
	} names[] = {
		{"auto", ROSTER_ENC_AUTO}, {"utf8", ROSTER_ENC_UTF8},
		{"utf-8", ROSTER_ENC_UTF8}, {"gb18030", ROSTER_ENC_GB18030},
		{"gbk", ROSTER_ENC_GB18030},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcasecmp(s, names[i].name) == 0) {
			*out = names[i].enc;
			return true;
		}
	}
	return false;
}

const char *roster_encoding_name(enum roster_encoding enc)
{
	switch (enc) {
	case ROSTER_ENC_UTF8:
		return "utf8";
	case ROSTER_ENC_GB18030:
		return "gb18030";
	default:
		return "auto";
	}
}

/* Length of the valid UTF-8 sequence at p, or 0 if it is not one. */
static size_t roster_utf8_seq(const unsigned char *p, size_t left)
{
	unsigned char c = p[0];
	size_t n;
	unsigned cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1fu;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0fu;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07u;
	} else {
		return 0;
	}
	if (left < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3fu);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* Offset of the first byte that is not valid UTF-8, or len. */
static size_t roster_utf8_bad_at(const char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)buf;
	size_t i = 0;
	while (i < len) {
		size_t n = roster_utf8_seq(p + i, len - i);
		if (n == 0)
			return i;
		i += n;
	}
	return len;
}

bool roster_is_utf8(const char *buf, size_t len)
{
	return roster_utf8_bad_at(buf, len) == len;
}

static long roster_line_of(const char *buf, size_t off)
{
	long line = 1;
	for (size_t i = 0; i < off; i++)
		line += buf[i] == '\n';
	return line;
}

static char *roster_dup(const char *buf, size_t len, size_t *outlen)
{
	char *out = malloc(len + 1);
	if (!out)
		return NULL;
	memcpy(out, buf, len);
	out[len] = '\0';
	*outlen = len;
	return out;
}

static char *roster_from_gb18030(const char *buf, size_t len, size_t *outlen,
                                 char *err, size_t errsz)
{
	iconv_t cd = iconv_open("UTF-8", "GB18030");
	if (cd == (iconv_t)-1) {
		snprintf(err, errsz, _("cannot convert from GB18030: %s"), strerror(errno));
		return NULL;
	}
	/* GB18030 takes at most 4 bytes for what UTF-8 writes in 4, and 2 bytes
	 * for what UTF-8 writes in 3: twice the input always suffices. */
	size_t cap = len * 2 + 1;
	char *out = malloc(cap);
	char *in = (char *)buf, *o = out;
	size_t inleft = len, oleft = cap - 1;
	if (out && iconv(cd, &in, &inleft, &o, &oleft) == (size_t)-1) {
		snprintf(err, errsz, _("line %ld: neither UTF-8 nor GB18030 text (%s)"),
		         roster_line_of(buf, (size_t)(in - buf)),
		         errno == EILSEQ ? "invalid byte sequence" : "truncated character");
		free(out);
		out = NULL;
	}
	iconv_close(cd);
	if (!out) {
		if (!err[0])
			snprintf(err, errsz, _("out of memory"));
		return NULL;
	}
	*o = '\0';
	*outlen = (size_t)(o - out);
	return out;
}

/* Files that are not CSV text at all get a hint instead of garbage rows. */
static bool roster_reject_binary(const char *buf, size_t len, char *err, size_t errsz)
{
	if (len >= 4 && memcmp(buf, "PK\x03\x04", 4) == 0) {
		snprintf(err, errsz, _("this is an Excel workbook (.xlsx), not CSV: "
		         "save it as \"CSV UTF-8\" or CSV first"));
		return true;
	}
	if (len >= 2 && ((unsigned char)buf[0] == 0xff || (unsigned char)buf[0] == 0xfe) &&
	    ((unsigned char)buf[1] == 0xfe || (unsigned char)buf[1] == 0xff) &&
	    buf[0] != buf[1]) {
		snprintf(err, errsz, _("the file is UTF-16 text: save it as \"CSV UTF-8\""));
		return true;
	}
	const char *nul = memchr(buf, '\0', len);
	if (nul) {
		snprintf(err, errsz, _("line %ld: NUL byte: not a CSV text file"),
		         roster_line_of(buf, (size_t)(nul - buf)));
		return true;
	}
	return false;
}

char *roster_to_utf8(const char *buf, size_t len, enum roster_encoding enc,
                     size_t *outlen, enum roster_encoding *used,
                     char *err, size_t errsz)
{
	err[0] = '\0';
	if (roster_reject_binary(buf, len, err, errsz))
		return NULL;
	bool bom = len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0;
	if (enc == ROSTER_ENC_GB18030) {
		*used = ROSTER_ENC_GB18030;
		return roster_from_gb18030(buf, len, outlen, err, errsz);
	}
	if (bom) {
		buf += 3;
		len -= 3;
	}
	size_t bad = roster_utf8_bad_at(buf, len);
	if (bad == len) {
		*used = ROSTER_ENC_UTF8;
		return roster_dup(buf, len, outlen);
	}
	if (enc == ROSTER_ENC_UTF8 || bom) {
		snprintf(err, errsz, _("line %ld: invalid UTF-8%s"), roster_line_of(buf, bad),
		         enc == ROSTER_ENC_UTF8 ? " (try --encoding gb18030)" : "");
		return NULL;
	}
	*used = ROSTER_ENC_GB18030;
	return roster_from_gb18030(buf, len, outlen, err, errsz);
}
