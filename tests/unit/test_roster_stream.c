/*
 * test_roster_stream.c - a roster read in pieces reads as the whole file:
 * the same rows, issues, counts and fatal errors whatever the sizes of
 * the pieces, with multi-line quoted cells, stray quotes, CR-only and
 * CRLF line breaks, a BOM and GB18030 characters cut by a piece's end.
 * (`expertctl pool import` reads its file 64 KiB at a time.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gb18030.h"
#include "roster.h"

#define HDR "姓名,性别,身份证号码,手机号码,申请专家组专业,专家组类型,职务,考评工作年限"
#define ROW "张三,男,44010619800101001x,13800138000,焊工,技能评价"

/* Every feature whose reading could depend on where a piece ends, several
 * times over, with row errors around them (lines in the comments). */
static const char ROSTER[] =
	"广州市专家推荐名单（测试）,,\r\n"                                 /* 1: before the header */
	"\r\n"                                                              /* 2 */
	HDR ",备\"注\r\n"                                  /* 3: a stray quote too */
	ROW ",\"车间\r\n主任\",3,x\r\n"                                      /* 4-5 */
	"李四,女,440106198001010010,13800138000,车工,方式方法,组长,三年\r\n" /* 6: not an integer */
	ROW ",12\"3,4\r\n"                                                   /* 7: stray quote */
	"王五,不详,440106198001010010,13800138000,\"钳工\n电工\",技能评价,,\r\n" /* 8-9: sex */
	ROW ",\"\"\"引号\"\"\",5\r"                                           /* 10: CR only */
	ROW ",x,6\r"                                                         /* 10 too */
	"\r\n"                                                               /* 10 */
	",,,,,,\r\n"                                                         /* 11: all empty */
	"赵六,男,440106198001010010,13800138000,\"焊工、车工、钳工、电工\",技能评价,,\"\r\n\r\n7\"\r\n" /* 12-14 */
	/* 15: a stray quote after a quoted part, which libcsv takes as text
	 * inside the quoted cell: the cell runs on to the quote on line 16,
	 * and the record to the end of line 18. */
	ROW ",\"a\"\"b\"c,8\r\n"
	"欧阳明,女,440106198001010010,13800138000,育婴员,培训评审,\"多行\n"
	"的\n职务\",九\r\n"
	ROW ",最后一行,10";                                                  /* 19: no EOL */

/* Each row the stream hands over, against the whole file's of its rank. */
struct expect {
	const struct roster *whole;
	size_t n;
};

static bool expect_cb(const struct roster_row *row, void *arg)
{
	struct expect *e = arg;
	assert_true(e->n < e->whole->nrows);
	const struct roster_row *w = &e->whole->rows[e->n++];
	assert_int_equal(row->line, w->line);
	assert_int_equal(row->has_errors, w->has_errors);
	assert_int_equal(row->packed_len, w->packed_len);
	assert_memory_equal(row->packed, w->packed, row->packed_len);
	return true;
}

/* buf read as the import reads a file: a sniff, then a stream, each fed
 * a first piece of `first` bytes and then pieces of `piece` bytes. */
static struct roster *read_pieces(const char *buf, size_t len, enum roster_encoding enc,
                                  size_t first, size_t piece, struct expect *e, char *err,
                                  size_t errsz)
{
	struct roster_sniff sn;
	enum roster_encoding used;
	bool bom;
	roster_sniff_init(&sn, enc);
	for (size_t at = 0, n = first; at < len; at += n, n = piece)
		roster_sniff_feed(&sn, buf + at, n < len - at ? n : len - at);
	if (!roster_sniff_finish(&sn, &used, &bom, err, errsz))
		return NULL;
	struct roster_stream *s = roster_stream_new(used, bom, true, e ? expect_cb : NULL, e,
	                                            err, errsz);
	assert_non_null(s);
	for (size_t at = 0, n = first; at < len; at += n, n = piece)
		roster_stream_feed(s, buf + at, n < len - at ? n : len - at);
	return roster_stream_finish(&s, err, errsz);
}

static void assert_issues_equal(const struct roster_issue *a, size_t na,
                                const struct roster_issue *b, size_t nb, const char *what)
{
	if (na != nb)
		fail_msg("%s: %zu issues, the whole file %zu", what, nb, na);
	for (size_t i = 0; i < na; i++) {
		assert_int_equal(a[i].line, b[i].line);
		assert_true((a[i].column == NULL) == (b[i].column == NULL));
		if (a[i].column)
			assert_string_equal(a[i].column, b[i].column);
		assert_string_equal(a[i].reason, b[i].reason);
	}
}

/* Read in pieces, the result is whole's, row for row and byte for byte. */
static void assert_reads_as(const struct roster *whole, const char *buf, size_t len,
                            enum roster_encoding enc, size_t first, size_t piece)
{
	char err[512] = "";
	struct expect e = {.whole = whole};
	struct roster *r = read_pieces(buf, len, enc, first, piece, &e, err, sizeof err);
	if (!r)
		fail_msg("pieces %zu then %zu: %s", first, piece, err);
	assert_int_equal(r->encoding, whole->encoding);
	assert_int_equal(r->header_line, whole->header_line);
	assert_int_equal(r->zh, whole->zh);
	assert_int_equal(r->records, whole->records);
	assert_int_equal(r->nrows, whole->nrows);
	assert_int_equal(e.n, whole->nrows);
	for (int f = 0; f < ROSTER_F__COUNT; f++) {
		assert_true((r->headers[f] == NULL) == (whole->headers[f] == NULL));
		if (r->headers[f])
			assert_string_equal(r->headers[f], whole->headers[f]);
	}
	assert_issues_equal(whole->errors, whole->nerrors, r->errors, r->nerrors, "errors");
	assert_issues_equal(whole->warnings, whole->nwarnings, r->warnings, r->nwarnings,
	                    "warnings");
	roster_destroy(&r);
}

/* Every piece size that matters, and every place for a single cut. */
static void assert_any_pieces(const char *buf, size_t len, enum roster_encoding enc)
{
	static const size_t sizes[] = {1, 2, 3, 4, 5, 7, 13, 64, 4096};
	char err[512] = "";
	struct roster *whole = roster_parse(buf, len, enc, err, sizeof err);
	if (!whole)
		fail_msg("whole: %s", err);
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		assert_reads_as(whole, buf, len, enc, sizes[i], sizes[i]);
	for (size_t cut = 1; cut < len; cut++)
		assert_reads_as(whole, buf, len, enc, cut, len);
	roster_destroy(&whole);
}

static void test_utf8_in_any_pieces(void **state)
{
	(void)state;
	char err[512] = "";
	struct roster *r = roster_parse(ROSTER, sizeof ROSTER - 1, ROSTER_ENC_AUTO, err,
	                                sizeof err);
	assert_non_null(r);
	/* What the whole file gives, the reference for every piece size. */
	static const long lines[] = {4, 6, 7, 8, 10, 10, 12, 15, 19};
	assert_int_equal(r->header_line, 3);
	assert_int_equal(r->nrows, sizeof lines / sizeof lines[0]);
	for (size_t i = 0; i < r->nrows; i++)
		assert_int_equal(r->rows[i].line, lines[i]);
	/* 三年, 不详, four specialties, then on line 15 a 职务 of 95 bytes
	 * (lines 15-16) and 九 (line 18) */
	static const long elines[] = {6, 8, 12, 15, 15};
	assert_int_equal(r->nerrors, sizeof elines / sizeof elines[0]);
	for (size_t i = 0; i < r->nerrors; i++)
		assert_int_equal(r->errors[i].line, elines[i]);
	assert_string_equal(r->errors[4].column, "考评工作年限");
	/* before the header, 备"注 and its stray quote, two more stray quotes */
	assert_int_equal(r->nwarnings, 5);
	assert_string_equal(r->warnings[1].column, "备\"注");
	assert_null(r->warnings[2].column);
	assert_int_equal(r->warnings[3].line, 7);
	assert_int_equal(r->warnings[4].line, 15);
	roster_destroy(&r);
	assert_any_pieces(ROSTER, sizeof ROSTER - 1, ROSTER_ENC_AUTO);
}

static void test_bom_in_any_pieces(void **state)
{
	(void)state;
	size_t len = sizeof ROSTER - 1 + 3;
	char *buf = malloc(len);
	assert_non_null(buf);
	memcpy(buf, "\xef\xbb\xbf", 3);
	memcpy(buf + 3, ROSTER, len - 3);
	assert_any_pieces(buf, len, ROSTER_ENC_AUTO);
	assert_any_pieces(buf, len, ROSTER_ENC_UTF8);
	free(buf);
}

/* Most GB18030 characters take two bytes, some four (U+00E9 é, U+20AC €
 * and U+1F600 are four): cuts fall inside both. */
static void test_gb18030_in_any_pieces(void **state)
{
	(void)state;
	static const char text[] = HDR "\r\n"
		"Zoé,女,440106198001010010,13800138000,焊工,技能评价,\"€经理\r\n😀\",1\r\n"
		ROW ",组长,两年\r\n";
	size_t len;
	char *gb = to_gb18030(ROSTER, sizeof ROSTER - 1, &len);
	assert_false(roster_is_utf8(gb, len));
	assert_any_pieces(gb, len, ROSTER_ENC_AUTO);
	assert_any_pieces(gb, len, ROSTER_ENC_GB18030);
	free(gb);
	gb = to_gb18030(text, sizeof text - 1, &len);
	char err[512];
	struct roster *r = roster_parse(gb, len, ROSTER_ENC_AUTO, err, sizeof err);
	assert_non_null(r);
	assert_int_equal(r->encoding, ROSTER_ENC_GB18030);
	assert_int_equal(r->nrows, 2);
	assert_int_equal(r->rows[1].line, 4);
	assert_int_equal(r->nerrors, 1);
	assert_int_equal(r->errors[0].line, 4);
	roster_destroy(&r);
	assert_any_pieces(gb, len, ROSTER_ENC_AUTO);
	free(gb);
}

/* A file that is no roster fails with the same message in any pieces. */
static void assert_fails_alike(const char *buf, size_t len, enum roster_encoding enc,
                               const char *want)
{
	char err[512] = "", perr[512];
	assert_null(roster_parse(buf, len, enc, err, sizeof err));
	if (!strstr(err, want))
		fail_msg("whole: \"%s\", want \"%s\"", err, want);
	for (size_t piece = 1; piece <= len; piece += piece < 16 ? 1 : 61) {
		perr[0] = '\0';
		assert_null(read_pieces(buf, len, enc, piece, piece, NULL, perr, sizeof perr));
		assert_string_equal(perr, err);
	}
}

static void test_fatal_errors_in_any_pieces(void **state)
{
	(void)state;
	char buf[8192];
	size_t n = sizeof ROSTER - 1;
	memcpy(buf, ROSTER, n);
	/* A quote left open at the end, with and without a last line break. */
	memcpy(buf + n, "\r\n\"张三,男\r\n", 15);
	assert_fails_alike(buf, n + 15, ROSTER_ENC_AUTO,
	                   "line 20: quoted cell is not closed before the end of the file");
	assert_fails_alike(buf, n + 13, ROSTER_ENC_AUTO,
	                   "line 20: quoted cell is not closed before the end of the file");
	/* A NUL byte far down, a bad UTF-8 sequence after a BOM. */
	memcpy(buf + n, "\r\nx\0y", 5);
	assert_fails_alike(buf, n + 5, ROSTER_ENC_AUTO, "line 20: NUL byte");
	memcpy(buf, "\xef\xbb\xbf", 3);
	memcpy(buf + 3, ROSTER, n);
	memcpy(buf + 3 + n, "\r\n\xe5\xbc", 4);
	assert_fails_alike(buf, n + 7, ROSTER_ENC_AUTO, "line 20: invalid UTF-8");
	assert_fails_alike(buf, n + 7, ROSTER_ENC_UTF8,
	                   "line 20: invalid UTF-8 (try --encoding gb18030)");

	/* GB18030: an invalid byte, a character cut by the end of the file,
	 * and one after a header that already failed (the bytes win, as
	 * when the whole file was converted first). */
	size_t len;
	char *gb = to_gb18030(ROSTER, n, &len);
	memcpy(buf, gb, len);
	free(gb);
	memcpy(buf + len, "\r\n\x80", 3);
	assert_fails_alike(buf, len + 3, ROSTER_ENC_AUTO,
	                   "line 20: neither UTF-8 nor GB18030 text (invalid byte sequence)");
	memcpy(buf + len, "\r\n\x81\x30", 4);
	assert_fails_alike(buf, len + 4, ROSTER_ENC_AUTO,
	                   "line 20: neither UTF-8 nor GB18030 text (truncated character)");
	assert_fails_alike(buf, len + 3, ROSTER_ENC_GB18030,
	                   "line 20: neither UTF-8 nor GB18030 text (truncated character)");
	static const char twice[] = "姓名,姓名\r\n张三,李四\r\n";
	gb = to_gb18030(twice, sizeof twice - 1, &len);
	memcpy(buf, gb, len);
	free(gb);
	memcpy(buf + len, "\xff\xff", 2);
	assert_fails_alike(buf, len + 2, ROSTER_ENC_AUTO,
	                   "line 3: neither UTF-8 nor GB18030 text (invalid byte sequence)");
	assert_fails_alike(buf, len, ROSTER_ENC_AUTO, "第 1 行：“姓名”与“姓名”两列是同一项（name）");
}

/* A row callback that says stop: the reading stops there. */
static bool stop_cb(const struct roster_row *row, void *arg)
{
	(void)row;
	return ++*(int *)arg < 2;
}

static void test_stop_from_the_row_callback(void **state)
{
	(void)state;
	struct roster_sniff sn;
	enum roster_encoding used;
	bool bom;
	char err[512];
	int calls = 0;
	roster_sniff_init(&sn, ROSTER_ENC_AUTO);
	roster_sniff_feed(&sn, ROSTER, sizeof ROSTER - 1);
	assert_true(roster_sniff_finish(&sn, &used, &bom, err, sizeof err));
	struct roster_stream *s = roster_stream_new(used, bom, true, stop_cb, &calls, err,
	                                            sizeof err);
	assert_non_null(s);
	bool go_on = true;
	for (size_t at = 0; at < sizeof ROSTER - 1 && go_on; at += 16)
		go_on = roster_stream_feed(s, ROSTER + at, sizeof ROSTER - 1 - at < 16
		                                           ? sizeof ROSTER - 1 - at : 16);
	assert_false(go_on);
	assert_null(roster_stream_finish(&s, err, sizeof err));
	assert_null(s);
	assert_string_equal(err, "");
	assert_int_equal(calls, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_in_any_pieces),
		cmocka_unit_test(test_bom_in_any_pieces),
		cmocka_unit_test(test_gb18030_in_any_pieces),
		cmocka_unit_test(test_fatal_errors_in_any_pieces),
		cmocka_unit_test(test_stop_from_the_row_callback),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
