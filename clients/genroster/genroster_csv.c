/*
 * genroster_csv.c - rows as CSV the way Excel writes it: RFC 4180 quoting,
 * CRLF line ends, UTF-8 with or without a BOM, or GB18030 converted with
 * iconv. Rows are built in a large buffer and converted and written a
 * buffer at a time, always at a row boundary.
 */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "genroster.h"
#include "genroster_data.h"
#include "proto.h"

#define OUT_BUF (1u << 20)
/* Flush before a row could overflow: rows are well under 2 KiB. */
#define OUT_ROW_MAX 4096u

struct genroster_out {
	FILE *fp;
	enum genroster_encoding enc;
	iconv_t cd;
	char *buf, *conv;
	size_t len;
	bool ok;
};

struct genroster_out *genroster_out_new(FILE *fp, enum genroster_encoding enc)
{
	struct genroster_out *o = calloc(1, sizeof *o);
	if (!o)
		return NULL;
	o->fp = fp;
	o->enc = enc;
	o->ok = true;
	o->cd = (iconv_t)-1;
	o->buf = malloc(OUT_BUF);
	/* GB18030 never takes more bytes than UTF-8 for the same text. */
	if (enc == GENROSTER_GB18030) {
		o->cd = iconv_open("GB18030", "UTF-8");
		o->conv = malloc(OUT_BUF);
	}
	if (!o->buf || (enc == GENROSTER_GB18030 && (o->cd == (iconv_t)-1 || !o->conv))) {
		genroster_out_destroy(&o);
		return NULL;
	}
	if (enc == GENROSTER_UTF8_BOM) {
		memcpy(o->buf, "\xef\xbb\xbf", 3);
		o->len = 3;
	}
	return o;
}

static void out_write(struct genroster_out *o, const char *p, size_t n)
{
	if (o->ok && n > 0 && fwrite(p, 1, n, o->fp) != n)
		o->ok = false;
}

static void out_flush(struct genroster_out *o)
{
	if (o->enc != GENROSTER_GB18030) {
		out_write(o, o->buf, o->len);
		o->len = 0;
		return;
	}
	char *in = o->buf;
	size_t inleft = o->len;
	while (o->ok && inleft > 0) {
		char *out = o->conv;
		size_t outleft = OUT_BUF;
		const size_t rc = iconv(o->cd, &in, &inleft, &out, &outleft);
		out_write(o, o->conv, OUT_BUF - outleft);
		if (rc == (size_t)-1 && errno != E2BIG)
			o->ok = false; /* our own text is valid UTF-8: a bug */
	}
	o->len = 0;
}

bool genroster_out_destroy(struct genroster_out **op)
{
	struct genroster_out *o = op ? *op : NULL;
	if (!o)
		return true;
	if (o->buf)
		out_flush(o);
	if (fflush(o->fp) != 0)
		o->ok = false;
	const bool ok = o->ok;
	if (o->cd != (iconv_t)-1)
		iconv_close(o->cd);
	free(o->buf);
	free(o->conv);
	free(o);
	*op = NULL;
	return ok;
}

bool genroster_out_ok(const struct genroster_out *o)
{
	return o->ok;
}

static void out_raw(struct genroster_out *o, const char *s, size_t n)
{
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void out_str(struct genroster_out *o, const char *s)
{
	out_raw(o, s, strlen(s));
}

/* One field, quoted only when it holds a comma, quote or line break. */
static void out_field(struct genroster_out *o, const char *s, bool first)
{
	if (!first)
		out_raw(o, ",", 1);
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		out_str(o, s);
		return;
	}
	out_raw(o, "\"", 1);
	for (; *s; s++) {
		if (*s == '"')
			out_raw(o, "\"", 1);
		out_raw(o, s, 1);
	}
	out_raw(o, "\"", 1);
}

static void out_int(struct genroster_out *o, int v)
{
	char tmp[12];
	int n = 0;
	unsigned u = v < 0 ? 0u - (unsigned)v : (unsigned)v;
	do
		tmp[n++] = (char)('0' + u % 10);
	while (u /= 10);
	out_raw(o, ",", 1);
	if (v < 0)
		out_raw(o, "-", 1);
	while (n > 0)
		out_raw(o, &tmp[--n], 1);
}

/* A multi-valued cell from a bit set, labelled from zh[] or en[]. The
 * labels never need quoting. */
static void out_set(struct genroster_out *o, unsigned bits, int n, const char *const *zh,
                    const char *const *en, bool is_zh, const char *extra)
{
	const char *sep = is_zh ? "、" : ";";
	bool any = false;
	out_raw(o, ",", 1);
	for (int i = 0; i < n; i++) {
		if (!(bits & (1u << i)))
			continue;
		if (any)
			out_str(o, sep);
		out_str(o, is_zh ? zh[i] : en[i]);
		any = true;
	}
	if (extra) {
		if (any)
			out_str(o, sep);
		out_str(o, extra);
	}
}

/* The evidence of the row's grounds (第十一条(七)), "；"-joined; empty
 * without grounds. The same words in both header languages. */
static void out_evidence(struct genroster_out *o, unsigned bits)
{
	bool any = false;
	out_raw(o, ",", 1);
	for (int i = 0; i < 5; i++) {
		if (!(bits & (1u << i)))
			continue;
		if (any)
			out_str(o, "；");
		out_str(o, genroster_relaxation_evidence[i]);
		any = true;
	}
}

void genroster_out_header(struct genroster_out *o, bool zh)
{
	const char *const *h = zh ? genroster_headers_zh : genroster_headers_en;
	for (int i = 0; i < GENROSTER_N_COLUMNS; i++)
		out_field(o, h[i], i == 0);
	out_raw(o, "\r\n", 2);
}

void genroster_out_row(struct genroster_out *o, const struct genroster_row *row, bool zh)
{
	const char *sex = row->sex < 0 ? (zh ? GENROSTER_UNKNOWN_SEX_ZH : GENROSTER_UNKNOWN_SEX_EN)
	                  : zh ? genroster_zh_sexes[row->sex] : proto_sexes[row->sex];

	out_field(o, row->name, true);
	out_field(o, sex, false);
	out_field(o, row->resident_id, false);
	out_field(o, row->phone, false);
	out_field(o, row->employer ? row->employer->name : NULL, false);
	out_field(o, row->employer_code, false);
	out_field(o, row->recommender_code, false);
	out_field(o, row->recommender ? row->recommender->name : NULL, false);
	out_raw(o, ",", 1);
	for (int i = 0; i < row->n_specialties; i++) {
		if (i > 0)
			out_str(o, zh ? "、" : ";");
		out_str(o, genroster_occupations[row->specialties[i]]);
	}
	out_set(o, row->group_types, 3, genroster_zh_group_types, proto_group_types, zh,
	        !row->unknown_group ? NULL :
	        zh ? GENROSTER_UNKNOWN_GROUP_ZH : GENROSTER_UNKNOWN_GROUP_EN);
	out_set(o, row->task_types, 5, genroster_zh_task_types, proto_task_types, zh, NULL);
	out_field(o, zh ? genroster_zh_titles[row->title] : proto_titles[row->title], false);
	out_field(o, zh ? genroster_zh_qualifications[row->qualification]
	                : proto_qualifications[row->qualification], false);
	out_int(o, row->assess_years);
	out_int(o, row->training_years);
	out_set(o, row->relaxations, 5, genroster_zh_relaxations, proto_relaxations, zh, NULL);
	out_evidence(o, row->relaxations);
	/* 紧缺工种 and 新职业 name their occupation: the row's first
	 * specialty (POLICY.md 4.2). */
	out_field(o, (row->relaxations & 3u) && row->n_specialties > 0
	             ? genroster_occupations[row->specialties[0]] : NULL, false);
	out_field(o, row->position, false);
	out_field(o, row->email, false);
	out_raw(o, "\r\n", 2);
	if (o->len > OUT_BUF - OUT_ROW_MAX)
		out_flush(o);
}
