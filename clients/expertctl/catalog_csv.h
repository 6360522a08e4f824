/*
 * catalog_csv.h - an occupation list (CSV from Excel, UTF-8 or GB18030)
 * turned into the rows of catalog.import (REGISTRY.md 3.4). Pure parsing,
 * no I/O, like roster.h, whose encodings and cell vocabulary it shares:
 * the daemon judges what the rows say; this maps columns and labels.
 */
#ifndef EXPERTCTL_CATALOG_CSV_H
#define EXPERTCTL_CATALOG_CSV_H

#include <stddef.h>

#include <msgpack.h>

#include "roster.h"

/* The fields of one catalog.import row. */
enum catalog_csv_field {
	CATALOG_CSV_NAME,
	CATALOG_CSV_CODE,
	CATALOG_CSV_ALIASES,
	CATALOG_CSV_GROUP_TYPES,
	CATALOG_CSV__COUNT
};

struct catalog_csv {
	enum roster_encoding encoding;  /* the encoding actually used */
	char *headers[CATALOG_CSV__COUNT]; /* each field's column as written; NULL if absent */
	long *lines;                    /* lines[i]: the line row i starts on */
	msgpack_sbuffer rows;           /* the rows, packed maps one after another */
	size_t nrows;
	struct roster_issue *errors;    /* rows left out, by line */
	size_t nerrors;
	struct roster_issue *warnings;  /* ignored columns */
	size_t nwarnings;
};

/*
 * Parse a whole occupation list held in buf: a header row (工种 or name,
 * 职业编码 or code, 别名 or aliases, 专家组类型 or group_types, in any
 * order; the name column is required), then one occupation a row. NULL
 * with err set when the file is unusable as a whole; rows without a name
 * are in ->errors. Free with catalog_csv_destroy().
 */
struct catalog_csv *catalog_csv_parse(const char *buf, size_t len,
                                      enum roster_encoding enc, char *err,
                                      size_t errsz);
/* NULL-safe; clears *c. */
void catalog_csv_destroy(struct catalog_csv **c);

/* The column header to show for a row field the daemon names ("name",
 * "aliases[1]"): as written in the file, else the field itself. */
const char *catalog_csv_column(const struct catalog_csv *c, const char *field);

#endif
