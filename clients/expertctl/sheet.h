/*
 * sheet.h - a table of text cells for the files people keep (档案): a
 * title, a header row, rows, and lines under it (for signatures), written
 * as CSV (UTF-8 with a BOM, or GB18030, as Excel on Chinese Windows reads
 * them), as .xlsx (libxlsxwriter; every cell a string, so an 18-digit ID
 * keeps its digits) or as an aligned table on a terminal.
 */
#ifndef EXPERTCTL_SHEET_H
#define EXPERTCTL_SHEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "roster.h"

/* Most columns a sheet of the outputs has (the roster's 19 and room). */
#define SHEET_MAX_COLS 32

struct sheet {
	char *title;        /* NULL: none (a roster starts with its header row) */
	size_t ncols;
	char **head;        /* ncols headers */
	char **cells;       /* nrows * ncols, row-major; never NULL */
	size_t nrows, cap;
	char **notes;       /* lines under the table */
	size_t nnotes;
};

/* A sheet with ncols columns named by head (copied). Never NULL: out of
 * memory ends expertctl (out_xrealloc). */
struct sheet *sheet_new(size_t ncols, const char *const *head);
/* NULL-safe; clears *s. */
void sheet_destroy(struct sheet **s);
/* Title (copied). */
void sheet_title(struct sheet *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append a row of ncols cells (copied; NULL = empty). */
void sheet_add_row(struct sheet *s, const char *const *cells);
/* A line under the table (copied). */
void sheet_note(struct sheet *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The whole sheet as CSV (RFC 4180, CRLF) in enc (UTF-8 gets a BOM; AUTO
 * is UTF-8): the title and notes as one-cell lines. False with a message
 * on stderr when a cell has no GB18030 form or f fails. */
bool sheet_write_csv(const struct sheet *s, FILE *f, enum roster_encoding enc);
/* The sheet as an .xlsx workbook of one worksheet named tab at path:
 * the title in bold, the header row bold and frozen, the notes under a
 * blank row. False with a message on stderr. */
bool sheet_write_xlsx(const struct sheet *s, const char *path, const char *tab);
/* Title, aligned table and notes on f, cleaned for a terminal. */
void sheet_print(const struct sheet *s, FILE *f);

#endif
