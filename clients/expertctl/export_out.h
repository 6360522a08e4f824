/*
 * export_out.h - the options every output for the file (档案) shares
 * (--csv, --xlsx FILE, --encoding, --english) and where its sheet goes:
 * an .xlsx file, CSV on stdout, or a table on the terminal.
 */
#ifndef EXPERTCTL_EXPORT_OUT_H
#define EXPERTCTL_EXPORT_OUT_H

#include <getopt.h>
#include <stdbool.h>

#include "cmd.h"
#include "roster.h"
#include "sheet.h"

struct export_out {
	bool csv;                  /* CSV on stdout */
	const char *xlsx;          /* write this .xlsx file */
	enum roster_encoding enc;  /* of the CSV: UTF-8 (with BOM) or GB18030 */
	bool english;              /* pool export: the wire names and values */
};

/* The long options of export_out, to put in a command's table. */
enum { EXPORT_OPT_CSV = 400, EXPORT_OPT_XLSX, EXPORT_OPT_ENCODING, EXPORT_OPT_ENGLISH };
#define EXPORT_OUT_OPTIONS                                          \
	{"csv", no_argument, NULL, EXPORT_OPT_CSV},                     \
	{"xlsx", required_argument, NULL, EXPORT_OPT_XLSX},             \
	{"encoding", required_argument, NULL, EXPORT_OPT_ENCODING}

/* Apply option c: 1 if it was one of them, 0 if not, or a usage exit
 * code (negated) for a bad --encoding. */
int export_out_option(const struct ctl *ctl, struct export_out *o, int c,
                      const char *arg);
/* Write s as o says (tab: the worksheet's name). 0, or 1 after a
 * message on stderr. */
int export_out_emit(const struct export_out *o, const struct sheet *s, const char *tab);

/* A sheet whose headers are the msgids head[0..n) in the reader's
 * language. */
struct sheet *export_sheet(const char *const *head, size_t n);

/* Renders an ok reply's result as o says; an exit code. */
typedef int (*export_show_fn)(const struct ctl *ctl, const struct export_out *o,
                              const msgpack_object *result);
/* Call op with args (borrowed), then the result as JSON with --json,
 * else through show. 0, or an exit code (reported). */
int export_out_call(struct ctl *ctl, enum proto_op op, struct ctl_args *args,
                    const struct export_out *o, export_show_fn show);

/* "2026-12-07 10:00 北京时间" (the CST label through the catalog) of
 * map[key]; "" when absent or nil. Returns buf. */
const char *export_time(const msgpack_object *map, const char *key, char *buf,
                        size_t size);
#endif
