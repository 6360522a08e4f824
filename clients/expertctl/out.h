/*
 * out.h - everything expertctl writes for people and scripts: aligned
 * tables that measure CJK text by display width, reply fields rendered as
 * text, replies converted to JSON, and the one-line error report. Text
 * from the server is cleaned of control characters before it reaches the
 * terminal.
 */
#ifndef EXPERTCTL_OUT_H
#define EXPERTCTL_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>
#include <msgpack.h>

#include "proto.h"

/*
 * Terminal columns the UTF-8 text s[0..len) occupies: East Asian wide and
 * full-width characters count 2, combining marks 0, everything else 1
 * (an invalid byte counts 1, as it is printed as '?').
 */
size_t out_width(const char *s, size_t len);

/*
 * A copy of s[0..len) safe to print: control characters and invalid UTF-8
 * become '?'. Returns a new string (caller frees).
 */
char *out_clean(const char *s, size_t len);

/* A field's name as people read it (its key through the catalog, context
 * "label": resident_id → 身份证号), padded to width terminal columns and
 * a space. */
void out_label(FILE *f, const char *key, size_t width);

/* Write s cleaned (see out_clean) to f. */
void out_text(FILE *f, const char *s, size_t len);

struct out_table;
/* A table with ncols columns; headers are copied. */
struct out_table *out_table_new(size_t ncols, const char *const *headers);
/* NULL-safe; clears *t. */
void out_table_destroy(struct out_table **t);
/* Append a row of ncols cells (NULL = empty); cells are cleaned copies. */
void out_table_add(struct out_table *t, const char *const *cells);
/* Print with each column padded to its widest cell, two spaces apart. */
void out_table_print(const struct out_table *t, FILE *f);
/*
 * Print a table with one row per map of `list` (an array; anything else
 * prints just the header), column k showing out_field(map, keys[k]).
 * Returns the number of rows. At most OUT_MAP_COLS columns.
 */
#define OUT_MAP_COLS 16
size_t out_print_maps(const char *const *head, const char *const *keys,
                      size_t ncols, const msgpack_object *list);

/* The line under a paged listing: which rows of how many were shown, or
 * "(no <what>; N in all)". res holds "total" and "offset"; n rows shown. */
void out_page_footer(const msgpack_object *res, size_t n, const char *what);

/* p[0..n) as lowercase hex into hex (2n + 1 bytes, NUL-terminated);
 * returns hex. */
char *out_hex(const void *p, size_t n, char *hex);

/*
 * Render map[key] as text into buf (always NUL-terminated, cut at a
 * character boundary): strings as they are, integers in decimal, booleans
 * as yes/no, binary as lowercase hex, arrays of those joined by ",".
 * Absent or nil gives "".
 * Returns buf.
 */
const char *out_field(const msgpack_object *map, const char *key, char *buf,
                      size_t size);
/* out_field() for people: codes read under key as the catalog names
 * them (state offered → 已通知待答复 in Chinese). Only for printing: what
 * is compared or sent on is out_field()'s. */
const char *out_shown(const msgpack_object *map, const char *key, char *buf,
                      size_t size);
/* map["actor"] as people read it: an expert's own answer ("expert:" and
 * the key of the answering connection) as the expert, the daemon
 * ("expertd") as itself acting on its own; principals as they are. */
const char *out_actor(const msgpack_object *map, char *buf, size_t size);
/* The same for map[key]. */
const char *out_principal(const msgpack_object *map, const char *key, char *buf,
                          size_t size);
/* The same for one object. */
const char *out_value(const msgpack_object *o, char *buf, size_t size);

/* A generic msgpack object as a new JSON value (map keys become strings,
 * binary becomes lowercase hex). */
json_t *out_json(const msgpack_object *o);
/* Print j (which this steals) to stdout, indented, with a newline. */
void out_json_print(json_t *j);
/* The whole reply envelope as JSON: {"id","status","message"?,...}. */
json_t *out_json_reply(const struct proto_reply *rep);
/*
 * The reply's result (or {}) as JSON. with_tokens adds the key "tokens":
 * the envelope's one-time tokens by assignment id (PROTOCOL 5.4), {} when
 * the reply has none (a repeated request's recorded reply never does).
 */
json_t *out_json_result(const struct proto_reply *rep, bool with_tokens);

/* "expertctl: <status>: <message> (field: <field>)" on stderr. */
void out_error(const struct proto_reply *rep);

/* realloc that never returns NULL: out of memory ends expertctl with
 * "expertctl: out of memory" (HACKING.md, Errors). n == 0 allocates 1. */
void *out_xrealloc(void *p, size_t n);

#endif
