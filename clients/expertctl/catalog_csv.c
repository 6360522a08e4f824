/*
 * catalog_csv.c - occupation list to catalog.import rows: decode the
 * bytes (roster_to_utf8), read CSV records with libcsv one physical line
 * at a time, so that each record knows the line it starts on, find the
 * header, and pack each occupation. Cell vocabulary (trimming, splitting,
 * group type labels) is the roster's (roster_fields.c).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <csv.h>

#include "catalog_csv.h"
#include "ctl_i18n.h"
#include "out.h"
#include "proto.h"
#include "roster_fields.h"

/* Column headers each field goes by: Chinese first, then the wire name
 * (which matches in any case). */
static const char *const catalog_csv_headers[CATALOG_CSV__COUNT][6] = {
	[CATALOG_CSV_NAME] = {"工种", "职业", "职业（工种）", "职业(工种)", "name", NULL},
	[CATALOG_CSV_CODE] = {"职业编码", "编码", "code", NULL},
	[CATALOG_CSV_ALIASES] = {"别名", "aliases", NULL},
	[CATALOG_CSV_GROUP_TYPES] = {"专家组类型", "group_types", NULL},
};

#define CATALOG_CSV_MAX_COLUMNS 64

struct catalog_csv_parse {
	struct catalog_csv *c;
	char *cells[CATALOG_CSV_MAX_COLUMNS];
	size_t ncells;
	long rec_line;          /* line the current record started on */
	bool rec_open;
	int col_field[CATALOG_CSV_MAX_COLUMNS]; /* column -> field, or -1 */
	size_t ncols;           /* 0 until the header is read */
};

static struct roster_span catalog_csv_cell(const struct catalog_csv_parse *ps,
                                           size_t i)
{
	const char *s = i < ps->ncells ? ps->cells[i] : "";
	return roster_fields_trim((struct roster_span){s, strlen(s)});
}

static int catalog_csv_header_of(struct roster_span h)
{
	for (int f = 0; f < CATALOG_CSV__COUNT; f++)
		for (size_t k = 0; catalog_csv_headers[f][k]; k++) {
			const char *name = catalog_csv_headers[f][k];
			if (strlen(name) == h.len && strncasecmp(name, h.s, h.len) == 0)
				return f;
		}
	return -1;
}

/* The header row, if this record is one: false when it is not. */
static bool catalog_csv_take_header(struct catalog_csv_parse *ps)
{
	struct catalog_csv *c = ps->c;
	int fields[CATALOG_CSV_MAX_COLUMNS];
	bool any = false;
	for (size_t i = 0; i < ps->ncells; i++)
		any |= (fields[i] = catalog_csv_header_of(catalog_csv_cell(ps, i))) >= 0;
	if (!any)
		return false;
	for (size_t i = 0; i < ps->ncells; i++) {
		struct roster_span h = catalog_csv_cell(ps, i);
		char *text = out_clean(h.s, h.len);
		ps->col_field[i] = fields[i] >= 0 && !c->headers[fields[i]] ? fields[i] : -1;
		if (ps->col_field[i] >= 0)
			c->headers[fields[i]] = text;
		else if (h.len)
			roster_issue_add(&c->warnings, &c->nwarnings, ps->rec_line, text,
			                  fields[i] >= 0 ? "a second column for the same field, "
			                  "ignored" : "unknown column, ignored");
		if (ps->col_field[i] < 0)
			free(text);
	}
	ps->ncols = ps->ncells ? ps->ncells : 1;
	return true;
}

/* The items of a multi-valued cell, as the roster splits them. */
static void catalog_csv_pack_list(msgpack_packer *pk, enum roster_field f,
                                  struct roster_span cell)
{
	struct roster_span items[ROSTER_MAX_ITEMS];
	size_t n = roster_fields_split(f, cell, items, ROSTER_MAX_ITEMS);
	if (n == SIZE_MAX)
		n = ROSTER_MAX_ITEMS;  /* more than the daemon takes anyway */
	msgpack_pack_array(pk, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		const char *mapped = roster_fields_alias(f, items[i]);
		if (mapped)
			proto_pack_str(pk, mapped);
		else
			proto_pack_strn(pk, items[i].s, items[i].len);
	}
}

static void catalog_csv_take_row(struct catalog_csv_parse *ps)
{
	struct catalog_csv *c = ps->c;
	struct roster_span v[CATALOG_CSV__COUNT] = {{0}};
	uint32_t n = 0;
	for (size_t i = 0; i < ps->ncols && i < CATALOG_CSV_MAX_COLUMNS; i++)
		if (ps->col_field[i] >= 0 && (v[ps->col_field[i]] = catalog_csv_cell(ps, i)).len)
			n++;
	if (!v[CATALOG_CSV_NAME].len) {
		roster_issue_add(&c->errors, &c->nerrors, ps->rec_line,
		                  c->headers[CATALOG_CSV_NAME], _("no occupation name"));
		return;
	}
	msgpack_packer pk;
	msgpack_packer_init(&pk, &c->rows, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, n);
	proto_pack_str(&pk, "name");
	proto_pack_strn(&pk, v[CATALOG_CSV_NAME].s, v[CATALOG_CSV_NAME].len);
	if (v[CATALOG_CSV_CODE].len) {
		proto_pack_str(&pk, "code");
		proto_pack_strn(&pk, v[CATALOG_CSV_CODE].s, v[CATALOG_CSV_CODE].len);
	}
	if (v[CATALOG_CSV_ALIASES].len) {
		proto_pack_str(&pk, "aliases");
		catalog_csv_pack_list(&pk, ROSTER_F_SPECIALTIES, v[CATALOG_CSV_ALIASES]);
	}
	if (v[CATALOG_CSV_GROUP_TYPES].len) {
		proto_pack_str(&pk, "group_types");
		catalog_csv_pack_list(&pk, ROSTER_F_GROUP_TYPES, v[CATALOG_CSV_GROUP_TYPES]);
	}
	c->lines = out_xrealloc(c->lines, (c->nrows + 1) * sizeof *c->lines);
	c->lines[c->nrows++] = ps->rec_line;
}

static void catalog_csv_cell_cb(void *s, size_t len, void *data)
{
	struct catalog_csv_parse *ps = data;
	if (ps->ncells >= CATALOG_CSV_MAX_COLUMNS)
		return;
	char *cell = out_xrealloc(NULL, (s ? len : 0) + 1);
	memcpy(cell, s ? s : "", s ? len : 0);
	cell[s ? len : 0] = '\0';
	ps->cells[ps->ncells++] = cell;
}

static void catalog_csv_record_cb(int ch, void *data)
{
	struct catalog_csv_parse *ps = data;
	(void)ch;
	bool blank = true;
	for (size_t i = 0; i < ps->ncells && blank; i++)
		blank = catalog_csv_cell(ps, i).len == 0;
	ps->rec_open = false;
	if (blank) {
		/* Blank lines and all-empty Excel rows carry nothing. */
	} else if (ps->ncols) {
		catalog_csv_take_row(ps);
	} else if (!catalog_csv_take_header(ps)) {
		roster_issue_add(&ps->c->warnings, &ps->c->nwarnings, ps->rec_line, NULL,
		                  _("skipped: before the header row"));
	}
	for (size_t i = 0; i < ps->ncells; i++)
		free(ps->cells[i]);
	ps->ncells = 0;
}

/* Feed one physical line at a time (CSV_REPALL_NL ends a record at every
 * unquoted line break), so a record knows the line it started on. */
static bool catalog_csv_read(struct catalog_csv_parse *ps, const char *text,
                             size_t len, char *err, size_t errsz)
{
	struct csv_parser p;
	csv_init(&p, CSV_APPEND_NULL | CSV_REPALL_NL);
	bool ok = true;
	long line = 1;
	for (const char *at = text, *end = text + len; ok && at < end; line++) {
		const char *nl = memchr(at, '\n', (size_t)(end - at));
		size_t n = nl ? (size_t)(nl - at) + 1 : (size_t)(end - at);
		if (!ps->rec_open) {
			ps->rec_line = line;
			ps->rec_open = true;
		}
		ok = csv_parse(&p, at, n, catalog_csv_cell_cb, catalog_csv_record_cb, ps) == n;
		if (!ok)
			snprintf(err, errsz, _("line %ld: %s"), line, csv_strerror(csv_error(&p)));
		at += n;
	}
	if (ok)
		csv_fini(&p, catalog_csv_cell_cb, catalog_csv_record_cb, ps);
	csv_free(&p);
	for (size_t i = 0; i < ps->ncells; i++)
		free(ps->cells[i]);
	return ok;
}

struct catalog_csv *catalog_csv_parse(const char *buf, size_t len,
                                      enum roster_encoding enc, char *err,
                                      size_t errsz)
{
	size_t tlen;
	enum roster_encoding used;
	char *text = roster_to_utf8(buf, len, enc, &tlen, &used, err, errsz);
	if (!text)
		return NULL;
	struct catalog_csv *c = out_xrealloc(NULL, sizeof *c);
	memset(c, 0, sizeof *c);
	c->encoding = used;
	msgpack_sbuffer_init(&c->rows);
	struct catalog_csv_parse ps = {.c = c};
	bool ok = catalog_csv_read(&ps, text, tlen, err, errsz);
	free(text);
	if (ok && !ps.ncols)
		snprintf(err, errsz, _("no header row (expected columns such as 工种, "
		         "职业编码, 别名, 专家组类型)"));
	else if (ok && !c->headers[CATALOG_CSV_NAME])
		snprintf(err, errsz, _("line %ld: no column 工种 (name)"), ps.rec_line);
	if (!ok || !ps.ncols || !c->headers[CATALOG_CSV_NAME])
		catalog_csv_destroy(&c);
	return c;
}

void catalog_csv_destroy(struct catalog_csv **cp)
{
	struct catalog_csv *c = cp ? *cp : NULL;
	if (!c)
		return;
	for (int f = 0; f < CATALOG_CSV__COUNT; f++)
		free(c->headers[f]);
	free(c->lines);
	msgpack_sbuffer_destroy(&c->rows);
	roster_issues_free(c->errors, c->nerrors);
	roster_issues_free(c->warnings, c->nwarnings);
	free(c);
	*cp = NULL;
}

const char *catalog_csv_column(const struct catalog_csv *c, const char *field)
{
	static const char *const names[CATALOG_CSV__COUNT] = {
		"name", "code", "aliases", "group_types"};
	size_t n = strcspn(field, "[.");
	for (int f = 0; f < CATALOG_CSV__COUNT; f++)
		if (strlen(names[f]) == n && strncmp(names[f], field, n) == 0 && c->headers[f])
			return c->headers[f];
	return field;
}
