/*
 * roster_encoding.c - bring a roster file to UTF-8. Excel on Chinese
 * Windows saves "CSV" in GBK (read here as GB18030, its superset) and
 * "CSV UTF-8" with a BOM; both are common, so by default we detect.
 * Both steps take the file in pieces of any size, so a file of any size
 * is read in bounded memory: the sniff (what the file is: it takes every
 * byte, as one byte that is not UTF-8 makes a file GB18030), then the
 * decoder (UTF-8 text, converted piece by piece).
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


static long roster_count_lines(const char *p, size_t n)
{
	long lines = 0;
	for (size_t i = 0; i < n; i++)
		lines += p[i] == '\n';
	return lines;
}

/* Bytes the UTF-8 sequence led by c takes; 0 if c leads none. */
static size_t roster_utf8_want(unsigned char c)
{
	return c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3
	       : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
}

/* Length of the valid UTF-8 sequence at p, or 0 if it is not one. */
static size_t roster_utf8_seq(const unsigned char *p, size_t left)
{
	size_t n = roster_utf8_want(p[0]);
	if (n == 1)
		return 1;
	if (n == 0 || left < n)
		return 0;
	unsigned cp = p[0] & (n == 2 ? 0x1fu : n == 3 ? 0x0fu : 0x07u);
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

bool roster_is_utf8(const char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)buf;
	for (size_t i = 0, n; i < len; i += n)
		if ((n = roster_utf8_seq(p + i, len - i)) == 0)
			return false;
	return true;
}

/* ---- the first pass: what the file is --------------------------------- */

void roster_sniff_init(struct roster_sniff *s, enum roster_encoding enc)
{
	*s = (struct roster_sniff){.enc = enc, .line = 1};
}

/*
 * p[0..len) continues the bytes already checked. A sequence the piece's
 * end cuts waits in s->cut for the next piece, and is judged whole, so
 * the first bad byte is the one a check of the whole file finds.
 */
static void roster_sniff_utf8(struct roster_sniff *s, const unsigned char *p, size_t len)
{
	size_t i = 0;
	if (s->ncut) {
		size_t want = roster_utf8_want(s->cut[0]);
		size_t take = want - s->ncut < len ? want - s->ncut : len;
		memcpy(s->cut + s->ncut, p, take);
		s->ncut += take;
		if (s->ncut < want)
			return;
		s->ncut = 0;
		if (roster_utf8_seq(s->cut, want) != want) {
			s->bad_line = s->cut_line;
			return;
		}
		i = take;
	}
	while (i < len) {
		while (i < len && p[i] < 0x80)
			i++;
		if (i == len)
			break;
		size_t n = roster_utf8_seq(p + i, len - i);
		if (n) {
			i += n;
			continue;
		}
		long line = s->line + roster_count_lines((const char *)p, i);
		if (roster_utf8_want(p[i]) > len - i) {
			memcpy(s->cut, p + i, len - i);
			s->ncut = len - i;
			s->cut_line = line;
		} else {
			s->bad_line = line;
		}
		return;
	}
}

void roster_sniff_feed(struct roster_sniff *s, const char *buf, size_t len)
{
	size_t head = sizeof s->head - s->nhead < len ? sizeof s->head - s->nhead : len;
	memcpy(s->head + s->nhead, buf, head);
	s->nhead += head;
	const char *nul = s->nul_line ? NULL : memchr(buf, '\0', len);
	if (nul)
		s->nul_line = s->line + roster_count_lines(buf, (size_t)(nul - buf));
	if (!s->bad_line)
		roster_sniff_utf8(s, (const unsigned char *)buf, len);
	s->line += roster_count_lines(buf, len);
}

/* Files that are not CSV text at all get a hint instead of garbage rows. */
static bool roster_reject_binary(const struct roster_sniff *s, char *err, size_t errsz)
{
	const unsigned char *h = s->head;
	if (s->nhead >= 4 && memcmp(h, "PK\x03\x04", 4) == 0) {
		snprintf(err, errsz, _("this is an Excel workbook (.xlsx), not CSV: "
		         "save it as \"CSV UTF-8\" or CSV first"));
		return true;
	}
	if (s->nhead >= 2 && (h[0] == 0xff || h[0] == 0xfe) && (h[1] == 0xfe || h[1] == 0xff) &&
	    h[0] != h[1]) {
		snprintf(err, errsz, _("the file is UTF-16 text: save it as \"CSV UTF-8\""));
		return true;
	}
	if (s->nul_line) {
		snprintf(err, errsz, _("line %ld: NUL byte: not a CSV text file"), s->nul_line);
		return true;
	}
	return false;
}

bool roster_sniff_finish(const struct roster_sniff *s, enum roster_encoding *used,
                         bool *bom, char *err, size_t errsz)
{
	/* A sequence cut by the end of the file is bad where it starts. */
	long bad = s->bad_line ? s->bad_line : s->ncut ? s->cut_line : 0;
	err[0] = '\0';
	*bom = false;
	if (roster_reject_binary(s, err, errsz))
		return false;
	if (s->enc == ROSTER_ENC_GB18030) {
		*used = ROSTER_ENC_GB18030;
		return true;
	}
	*bom = s->nhead >= 3 && memcmp(s->head, "\xef\xbb\xbf", 3) == 0;
	if (!bad) {
		*used = ROSTER_ENC_UTF8;
		return true;
	}
	if (s->enc == ROSTER_ENC_UTF8 || *bom) {
		snprintf(err, errsz, _("line %ld: invalid UTF-8%s"), bad,
		         s->enc == ROSTER_ENC_UTF8 ? " (try --encoding gb18030)" : "");
		return false;
	}
	*used = ROSTER_ENC_GB18030;
	return true;
}

/* ---- the text: UTF-8 in pieces ---------------------------------------- */

#define ROSTER_DECODE_OUT 65536

struct roster_decoder {
	iconv_t cd;                /* (iconv_t)-1: the bytes are UTF-8 already */
	size_t skip;               /* bytes of the BOM still to drop */
	char cut[8];               /* a GB18030 character the piece's end cut */
	size_t ncut;
	long line;                 /* the line the next piece starts on */
	bool failed;
	char out[ROSTER_DECODE_OUT];
};

struct roster_decoder *roster_decoder_new(enum roster_encoding enc, bool bom, char *err,
                                          size_t errsz)
{
	struct roster_decoder *d = malloc(sizeof *d);
	if (!d) {
		snprintf(err, errsz, _("out of memory"));
		return NULL;
	}
	*d = (struct roster_decoder){.cd = (iconv_t)-1, .skip = bom ? 3 : 0, .line = 1};
	if (enc == ROSTER_ENC_GB18030 && (d->cd = iconv_open("UTF-8", "GB18030")) == (iconv_t)-1) {
		snprintf(err, errsz, _("cannot convert from GB18030: %s"), strerror(errno));
		free(d);
		return NULL;
	}
	return d;
}

void roster_decoder_destroy(struct roster_decoder **dp)
{
	if (!dp || !*dp)
		return;
	if ((*dp)->cd != (iconv_t)-1)
		iconv_close((*dp)->cd);
	free(*dp);
	*dp = NULL;
}

static bool roster_decode_fail(struct roster_decoder *d, long line, bool truncated,
                               char *err, size_t errsz)
{
	snprintf(err, errsz, _("line %ld: neither UTF-8 nor GB18030 text (%s)"), line,
	         truncated ? "truncated character" : "invalid byte sequence");
	d->failed = true;
	return false;
}

/* Convert in[0..len) (piece is where the piece began, for line numbers);
 * a character the end cuts waits in d->cut. */
static bool roster_decode_run(struct roster_decoder *d, const char *piece, const char *in,
                              size_t len, roster_text_cb cb, void *arg, char *err,
                              size_t errsz)
{
	char *ip = (char *)in;
	size_t left = len;
	while (left > 0) {
		char *o = d->out;
		size_t oleft = sizeof d->out;
		size_t r = iconv(d->cd, &ip, &left, &o, &oleft);
		int e = errno;
		if (o > d->out)
			cb(d->out, (size_t)(o - d->out), arg);
		if (r != (size_t)-1 || e == E2BIG)
			continue;
		if (e == EINVAL && left < sizeof d->cut) {
			memcpy(d->cut, ip, left);
			d->ncut = left;
			return true;
		}
		return roster_decode_fail(d, d->line + roster_count_lines(piece, (size_t)(ip - piece)),
		                          e != EILSEQ, err, errsz);
	}
	return true;
}

/* The character cut at the end of the last piece, completed from this
 * one; *used: the bytes of buf it took. */
static bool roster_decode_cut(struct roster_decoder *d, const char *buf, size_t len,
                              size_t *used, roster_text_cb cb, void *arg, char *err,
                              size_t errsz)
{
	char tmp[sizeof d->cut + 4];
	size_t take = len < 4 ? len : 4, n = d->ncut + take;
	memcpy(tmp, d->cut, d->ncut);
	memcpy(tmp + d->ncut, buf, take);
	char *ip = tmp, *o = d->out;
	size_t left = n, oleft = sizeof d->out;
	size_t r = iconv(d->cd, &ip, &left, &o, &oleft);
	int e = errno;
	if (o > d->out)
		cb(d->out, (size_t)(o - d->out), arg);
	if (n - left >= d->ncut) {
		/* What follows the cut character is this piece's to convert. */
		*used = n - left - d->ncut;
		d->ncut = 0;
		return true;
	}
	if (r == (size_t)-1 && e == EINVAL && take == len && n < sizeof d->cut) {
		memcpy(d->cut, tmp, n);  /* a piece shorter than the character */
		d->ncut = n;
		*used = len;
		return true;
	}
	return roster_decode_fail(d, d->line, e != EILSEQ, err, errsz);
}

bool roster_decoder_feed(struct roster_decoder *d, const char *buf, size_t len,
                         roster_text_cb cb, void *arg, char *err, size_t errsz)
{
	if (d->failed)
		return false;
	size_t skip = d->skip < len ? d->skip : len;
	d->skip -= skip;
	buf += skip;
	len -= skip;
	if (d->cd == (iconv_t)-1) {
		if (len)
			cb(buf, len, arg);
		return true;
	}
	size_t used = 0;
	bool ok = !d->ncut || roster_decode_cut(d, buf, len, &used, cb, arg, err, errsz);
	if (ok && !d->ncut)
		ok = roster_decode_run(d, buf, buf + used, len - used, cb, arg, err, errsz);
	d->line += roster_count_lines(buf, len);
	return ok;
}

bool roster_decoder_finish(struct roster_decoder *d, char *err, size_t errsz)
{
	if (d->failed)
		return false;
	if (d->ncut)
		return roster_decode_fail(d, d->line, true, err, errsz);
	return true;
}

/* ---- a whole buffer --------------------------------------------------- */

struct roster_text {
	char *s;
	size_t len, cap;
	bool oom;
};

static void roster_text_append_cb(const char *text, size_t len, void *arg)
{
	struct roster_text *t = arg;
	if (t->oom)
		return;
	if (t->cap - t->len < len + 1) {
		size_t cap = t->cap ? t->cap : 4096;
		while (cap - t->len < len + 1)
			cap *= 2;
		char *s = realloc(t->s, cap);
		if (!s) {
			t->oom = true;
			return;
		}
		t->s = s;
		t->cap = cap;
	}
	memcpy(t->s + t->len, text, len);
	t->len += len;
}

char *roster_to_utf8(const char *buf, size_t len, enum roster_encoding enc,
                     size_t *outlen, enum roster_encoding *used,
                     char *err, size_t errsz)
{
	struct roster_sniff sn;
	bool bom;
	roster_sniff_init(&sn, enc);
	roster_sniff_feed(&sn, buf, len);
	if (!roster_sniff_finish(&sn, used, &bom, err, errsz))
		return NULL;
	struct roster_decoder *d = roster_decoder_new(*used, bom, err, errsz);
	if (!d)
		return NULL;
	struct roster_text t = {0};
	bool ok = roster_decoder_feed(d, buf, len, roster_text_append_cb, &t, err, errsz) &&
	          roster_decoder_finish(d, err, errsz);
	roster_decoder_destroy(&d);
	roster_text_append_cb("", 0, &t); /* room for the NUL, even when empty */
	if (ok && t.oom)
		snprintf(err, errsz, _("out of memory"));
	if (!ok || t.oom) {
		free(t.s);
		return NULL;
	}
	t.s[t.len] = '\0';
	*outlen = t.len;
	return t.s;
}
