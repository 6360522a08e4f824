/*
 * sheet.c - the files people keep: a sheet of text cells written as CSV
 * (UTF-8 with a BOM or GB18030), .xlsx through libxlsxwriter (Debian
 * libxlsxwriter-dev), or a terminal table. No I/O but the file written.
 */
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <xlsxwriter.h>

#include "ctl_i18n.h"
#include "out.h"
#include "sheet.h"

static char *sheet_strdup(const char *s)
{
	size_t n = strlen(s ? s : "");
	char *p = out_xrealloc(NULL, n + 1);
	memcpy(p, s ? s : "", n + 1);
	return p;
}

static char *sheet_vformat(const char *fmt, va_list ap)
{
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	char *p = out_xrealloc(NULL, (size_t)(n < 0 ? 0 : n) + 1);
	vsnprintf(p, (size_t)(n < 0 ? 0 : n) + 1, fmt, ap);
	return p;
}

struct sheet *sheet_new(size_t ncols, const char *const *head)
{
	struct sheet *s = out_xrealloc(NULL, sizeof *s);
	*s = (struct sheet){.ncols = ncols};
	s->head = out_xrealloc(NULL, ncols * sizeof *s->head);
	for (size_t c = 0; c < ncols; c++)
		s->head[c] = sheet_strdup(head[c]);
	s->cells = out_xrealloc(NULL, sizeof *s->cells);
	return s;
}

void sheet_destroy(struct sheet **sp)
{
	struct sheet *s = sp ? *sp : NULL;
	if (!s)
		return;
	for (size_t c = 0; c < s->ncols; c++)
		free(s->head[c]);
	for (size_t i = 0; i < s->nrows * s->ncols; i++)
		free(s->cells[i]);
	for (size_t i = 0; i < s->nnotes; i++)
		free(s->notes[i]);
	free(s->head);
	free(s->cells);
	free(s->notes);
	free(s->title);
	free(s);
	*sp = NULL;
}

void sheet_title(struct sheet *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(s->title);
	s->title = sheet_vformat(fmt, ap);
	va_end(ap);
}

void sheet_add_row(struct sheet *s, const char *const *cells)
{
	if (s->nrows == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->cells = out_xrealloc(s->cells, s->cap * s->ncols * sizeof *s->cells);
	}
	for (size_t c = 0; c < s->ncols; c++)
		s->cells[s->nrows * s->ncols + c] = sheet_strdup(cells[c]);
	s->nrows++;
}

void sheet_note(struct sheet *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	s->notes = out_xrealloc(s->notes, (s->nnotes + 1) * sizeof *s->notes);
	s->notes[s->nnotes++] = sheet_vformat(fmt, ap);
	va_end(ap);
}

/* One CSV field: quoted when it holds a comma, quote or line break. */
static void sheet_csv_cell(FILE *f, const char *v)
{
	if (!strpbrk(v, ",\"\r\n")) {
		fputs(v, f);
		return;
	}
	putc('"', f);
	for (; *v; v++) {
		if (*v == '"')
			putc('"', f);
		putc(*v, f);
	}
	putc('"', f);
}

static void sheet_csv_row(FILE *f, char *const *cells, size_t n)
{
	for (size_t c = 0; c < n; c++) {
		if (c)
			putc(',', f);
		sheet_csv_cell(f, cells[c]);
	}
	fputs("\r\n", f);
}

/* The UTF-8 text buf[0..len) in GB18030 on f. */
static bool sheet_put_gb18030(FILE *f, char *buf, size_t len)
{
	iconv_t cd = iconv_open("GB18030", "UTF-8");
	if (cd == (iconv_t)-1) {
		fprintf(stderr, _("expertctl: cannot convert to GB18030: %s\n"), strerror(errno));
		return false;
	}
	/* GB18030 never takes more bytes than UTF-8 for one character. */
	char *out = out_xrealloc(NULL, len + 1), *o = out, *in = buf;
	size_t inleft = len, oleft = len;
	bool ok = iconv(cd, &in, &inleft, &o, &oleft) != (size_t)-1;
	iconv_close(cd);
	if (!ok)
		fprintf(stderr, _("expertctl: text that GB18030 cannot hold (%s); "
		        "use --encoding utf8\n"), strerror(errno));
	ok = ok && fwrite(out, 1, (size_t)(o - out), f) == (size_t)(o - out);
	free(out);
	return ok;
}

bool sheet_write_csv(const struct sheet *s, FILE *f, enum roster_encoding enc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m)
		out_xrealloc(NULL, SIZE_MAX); /* reports out of memory and ends */
	if (s->title)
		sheet_csv_row(m, &s->title, 1);
	sheet_csv_row(m, s->head, s->ncols);
	for (size_t r = 0; r < s->nrows; r++)
		sheet_csv_row(m, s->cells + r * s->ncols, s->ncols);
	for (size_t i = 0; i < s->nnotes; i++)
		sheet_csv_row(m, &s->notes[i], 1);
	fclose(m);
	bool ok;
	if (enc == ROSTER_ENC_GB18030) {
		ok = sheet_put_gb18030(f, buf, len);
	} else {
		ok = fwrite("\xef\xbb\xbf", 1, 3, f) == 3 && fwrite(buf, 1, len, f) == len;
	}
	free(buf);
	ok = fflush(f) == 0 && ok;
	if (!ok && !ferror(f))
		return false;
	if (!ok)
		fprintf(stderr, _("expertctl: cannot write the CSV: %s\n"), strerror(errno));
	return ok;
}

/* Column widths for Excel: the widest cell of each column, in terminal
 * columns (a CJK character is two), within 6..60. */
static void sheet_xlsx_widths(const struct sheet *s, lxw_worksheet *ws)
{
	for (size_t c = 0; c < s->ncols; c++) {
		size_t w = out_width(s->head[c], strlen(s->head[c]));
		for (size_t r = 0; r < s->nrows; r++) {
			const char *v = s->cells[r * s->ncols + c];
			size_t vw = out_width(v, strlen(v));
			w = vw > w ? vw : w;
		}
		w = w < 6 ? 6 : w > 60 ? 60 : w;
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, (double)w + 2, NULL);
	}
}

bool sheet_write_xlsx(const struct sheet *s, const char *path, const char *tab)
{
	lxw_workbook *wb = workbook_new(path);
	lxw_worksheet *ws = wb ? workbook_add_worksheet(wb, tab) : NULL;
	if (!ws) {
		fprintf(stderr, _("expertctl: cannot create %s\n"), path);
		if (wb)
			workbook_close(wb);
		return false;
	}
	lxw_format *bold = workbook_add_format(wb);
	format_set_bold(bold);
	lxw_row_t row = 0;
	if (s->title)
		worksheet_write_string(ws, row++, 0, s->title, bold);
	for (size_t c = 0; c < s->ncols; c++)
		worksheet_write_string(ws, row, (lxw_col_t)c, s->head[c], bold);
	worksheet_freeze_panes(ws, row + 1, 0);
	row++;
	for (size_t r = 0; r < s->nrows; r++, row++)
		for (size_t c = 0; c < s->ncols; c++)
			worksheet_write_string(ws, row, (lxw_col_t)c, s->cells[r * s->ncols + c],
			                       NULL);
	row++;
	for (size_t i = 0; i < s->nnotes; i++)
		worksheet_write_string(ws, row++, 0, s->notes[i], NULL);
	sheet_xlsx_widths(s, ws);
	lxw_error e = workbook_close(wb);
	if (e != LXW_NO_ERROR)
		fprintf(stderr, _("expertctl: cannot write %s: %s\n"), path, lxw_strerror(e));
	return e == LXW_NO_ERROR;
}

void sheet_print(const struct sheet *s, FILE *f)
{
	if (s->title) {
		out_text(f, s->title, strlen(s->title));
		fputs("\n\n", f);
	}
	struct out_table *t = out_table_new(s->ncols, (const char *const *)s->head);
	for (size_t r = 0; r < s->nrows; r++)
		out_table_add(t, (const char *const *)s->cells + r * s->ncols);
	out_table_print(t, f);
	out_table_destroy(&t);
	if (s->nnotes)
		putc('\n', f);
	for (size_t i = 0; i < s->nnotes; i++) {
		out_text(f, s->notes[i], strlen(s->notes[i]));
		putc('\n', f);
	}
}
