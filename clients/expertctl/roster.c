/*
 * roster.c - roster file to import rows: decode the bytes to UTF-8, read
 * CSV records with libcsv while tracking the physical line each record
 * starts on, find the header row, and pack each data record as the
 * msgpack row map pool.import.rows carries. The file comes in pieces of
 * any size and each row leaves as soon as it is read, so a roster of any
 * size is read in bounded memory. Cell meanings live in roster_fields.c.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <csv.h>

#include "ctl_i18n.h"
#include "proto.h"
#include "roster.h"
#include "roster_fields.h"

/* Records before the header (a title line, say) we are willing to skip. */
#define ROSTER_HEADER_SCAN 5
/* Columns beyond this are ignored: no roster is this wide. */
#define ROSTER_MAX_COLUMNS 512

struct roster_parse {
	struct roster *r;
	char **cells;          /* the record being read */
	size_t ncells;
	long line;             /* line of the text being fed */
	long rec_line;         /* line the current record started on */
	bool rec_open;         /* a record has begun and not ended */
	bool have_header;
	int records_before;    /* non-empty records seen before the header */
	int col_field[ROSTER_MAX_COLUMNS]; /* column -> field, or -1 */
	size_t ncols;
	char err[512];
	bool failed;
	/* Reading in pieces: a physical line may come in several. */
	struct csv_parser lax, strict;
	bool strict_ok;
	bool mid_line;         /* part of the current line has been fed */
	bool stray_quote;      /* the strict parser stopped on this line */
	char last;             /* the last byte fed */
	bool keep_issues;
	roster_row_cb row_cb;
	void *row_arg;
	bool stopped;          /* row_cb asked to stop */
	msgpack_sbuffer row;   /* the row being packed, reused */
};

static void *roster_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) {
		fputs(_("expertctl: out of memory\n"), stderr);
		abort();
	}
	return q;
}

static char *roster_strndup(const char *s, size_t n)
{
	char *d = roster_xrealloc(NULL, n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

void roster_issue_add(struct roster_issue **list, size_t *n, long line,
                      const char *column, const char *fmt, ...)
{
	char reason[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	*list = roster_xrealloc(*list, (*n + 1) * sizeof **list);
	(*list)[*n] = (struct roster_issue){
		.line = line,
		.column = column ? roster_strndup(column, strlen(column)) : NULL,
		.reason = roster_strndup(reason, strlen(reason)),
	};
	(*n)++;
}

static void roster_fail(struct roster_parse *ps, const char *fmt, ...)
{
	if (ps->failed)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ps->err, sizeof ps->err, fmt, ap);
	va_end(ap);
	ps->failed = true;
}

/* ---- header ---------------------------------------------------------- */

static bool roster_is_header(struct roster_parse *ps)
{
	for (size_t i = 0; i < ps->ncells; i++) {
		struct roster_span h = roster_fields_trim(
			(struct roster_span){ps->cells[i], strlen(ps->cells[i])});
		enum roster_field f;
		if (roster_fields_header(h.s, h.len, &f))
			return true;
	}
	return false;
}

static void roster_take_header(struct roster_parse *ps)
{
	struct roster *r = ps->r;
	r->header_line = ps->rec_line;
	ps->ncols = ps->ncells;
	/* Messages follow the header row: Chinese labels, Chinese messages. */
	for (size_t i = 0; i < ps->ncells && !r->zh; i++) {
		struct roster_span h = roster_fields_trim(
			(struct roster_span){ps->cells[i], strlen(ps->cells[i])});
		enum roster_field f;
		for (size_t k = 0; k < h.len && roster_fields_header(h.s, h.len, &f); k++)
			r->zh = r->zh || (unsigned char)h.s[k] >= 0x80;
	}
	for (size_t i = 0; i < ps->ncells; i++) {
		struct roster_span h = roster_fields_trim(
			(struct roster_span){ps->cells[i], strlen(ps->cells[i])});
		char *text = roster_strndup(h.s, h.len);
		enum roster_field f;
		ps->col_field[i] = -1;
		if (h.len == 0) {
			/* Excel pads rows with empty columns; nothing to say. */
		} else if (!roster_fields_header(h.s, h.len, &f)) {
			roster_issue_add(&r->warnings, &r->nwarnings, ps->rec_line, text,
			                 r->zh ? "不是导入所用的列，已忽略" : "unknown column, ignored");
		} else if (r->headers[f]) {
			roster_fail(ps, r->zh ? "第 %ld 行：“%s”与“%s”两列是同一项（%s）"
			                      : "line %ld: columns \"%s\" and \"%s\" both mean %s",
			            ps->rec_line, r->headers[f], text, roster_field_name(f));
		} else {
			r->headers[f] = text;
			text = NULL;
			ps->col_field[i] = (int)f;
		}
		free(text);
	}
	char missing[512] = "";
	for (int f = 0; f < ROSTER_F__COUNT; f++) {
		const struct roster_field_info *fi = roster_field_info((enum roster_field)f);
		if (!fi->required || r->headers[f])
			continue;
		size_t at = strlen(missing);
		snprintf(missing + at, sizeof missing - at, "%s%s (%s)", at ? ", " : "",
		         fi->headers[0], fi->name);
	}
	if (missing[0])
		roster_fail(ps, r->zh ? "第 %ld 行：缺少必需的列：%s"
		                      : "line %ld: missing required columns: %s",
		            ps->rec_line, missing);
	ps->have_header = true;
}

/* ---- rows ------------------------------------------------------------ */

/* One field's value(s) for the row being packed. */
struct roster_value {
	bool present;
	struct roster_span items[ROSTER_MAX_ITEMS];
	const char *mapped[ROSTER_MAX_ITEMS]; /* wire value, or NULL: as written */
	size_t nitems;
	int64_t num;
	char norm[64];                        /* a normalised identifier */
	bool derived;                         /* from another column's cell */
};

/* A row error on field f's column, in the language of the header row. */
#define ROSTER_ROW_ERR(ps, f, fmt_en, fmt_zh, ...) \
	roster_issue_add(&(ps)->r->errors, &(ps)->r->nerrors, (ps)->rec_line, \
	                 (ps)->r->headers[f], (ps)->r->zh ? (fmt_zh) : (fmt_en), __VA_ARGS__)

/*
 * The level part of a 职业资格 or 职称 cell that carries the occupation or
 * field too, as the form's two lines do ("等级：高级技师 职业（工种）：焊工",
 * "高级技师（焊工）", "高级工程师/机械"): after a leading 等级： and up to the
 * first bracket, slash, comma or space.
 */
static struct roster_span roster_level_part(struct roster_span s)
{
	static const char *const prefixes[] = {"等级：", "等级:", NULL};
	static const char *const stops[] = {"（", "(", "/", "／", "，", ",", "；", ";", " ",
	                                    "\xe3\x80\x80", "职业（工种）", "专业：", NULL};
	for (size_t i = 0; prefixes[i]; i++) {
		size_t n = strlen(prefixes[i]);
		if (s.len > n && memcmp(s.s, prefixes[i], n) == 0) {
			s.s += n;
			s.len -= n;
			break;
		}
	}
	size_t cut = s.len;
	for (size_t i = 0; stops[i]; i++) {
		size_t n = strlen(stops[i]);
		for (size_t at = 0; at + n <= cut; at++)
			if (memcmp(s.s + at, stops[i], n) == 0) {
				cut = at;
				break;
			}
	}
	return roster_fields_trim((struct roster_span){s.s, cut});
}

/* The wire value an enum item stands for: an alias, the wire name itself,
 * or (titles) a common name; NULL if none. */
static const char *roster_enum_value_of(enum roster_field f, struct roster_span item);

static const char *roster_enum_value(enum roster_field f, struct roster_span item)
{
	const char *v = roster_enum_value_of(f, item);
	if (!v && (f == ROSTER_F_TITLE || f == ROSTER_F_QUALIFICATION)) {
		struct roster_span level = roster_level_part(item);
		if (level.len > 0 && level.len < item.len)
			v = roster_enum_value_of(f, level);
	}
	return v;
}

static const char *roster_enum_value_of(enum roster_field f, struct roster_span item)
{
	const struct roster_field_info *fi = roster_field_info(f);
	const char *v = fi->kind == ROSTER_K_TITLE ? roster_fields_title(item)
	                                           : roster_fields_alias(f, item);
	for (size_t i = 0; !v && fi->choices && fi->choices[i]; i++)
		if (strlen(fi->choices[i]) == item.len &&
		    strncasecmp(fi->choices[i], item.s, item.len) == 0)
			v = fi->choices[i];
	return v;
}

/*
 * The occupation or field a 职业资格 or 职称 cell carries after its level
 * ("高级技师（焊工）" -> 焊工, "等级：高级技师 职业（工种）：焊工" -> 焊工,
 * "高级工程师/机械" -> 机械); empty when the cell is a level alone, or a
 * level's own wording ("高级技师（一级）").
 */
static struct roster_span roster_rest_part(enum roster_field f, struct roster_span item)
{
	static const char *const skip[] = {
		"职业（工种）：", "职业（工种）:", "职业(工种)：", "职业(工种):", "专业：",
		"专业:", "（", "(", "/", "／", "，", ",", "；", ";", " ", "\xe3\x80\x80", "：",
		":", NULL};
	struct roster_span none = {item.s, 0};
	if (roster_enum_value_of(f, item))
		return none;
	struct roster_span level = roster_level_part(item);
	if (level.len == 0 || !roster_enum_value_of(f, level))
		return none;
	const char *p = level.s + level.len, *end = item.s + item.len;
	for (size_t i = 0; skip[i];) {
		size_t n = strlen(skip[i]);
		if ((size_t)(end - p) >= n && memcmp(p, skip[i], n) == 0) {
			p += n;
			i = 0;
		} else {
			i++;
		}
	}
	while (end - p >= 3 && memcmp(end - 3, "）", 3) == 0)
		end -= 3;
	while (end > p && end[-1] == ')')
		end--;
	return roster_fields_trim((struct roster_span){p, (size_t)(end - p)});
}

/* A kept field (7.5.2) the roster has no column for, from the cell of
 * `from` that carries it beside the level. */
static void roster_derive_rest(const struct roster_parse *ps, struct roster_value *vals,
                               enum roster_field from, enum roster_field to)
{
	if (ps->r->headers[to] || !ps->r->headers[from] || !vals[from].present ||
	    vals[from].nitems != 1)
		return;
	struct roster_span rest = roster_rest_part(from, vals[from].items[0]);
	if (rest.len == 0)
		return;
	vals[to] = (struct roster_value){.present = true, .nitems = 1, .derived = true};
	vals[to].items[0] = rest;
}

/* Map every item of v through the field's values; an item that stands
 * for none is reported and dropped. False if any was. */
static bool roster_map_items(struct roster_parse *ps, enum roster_field f,
                             struct roster_value *v)
{
	const struct roster_field_info *fi = roster_field_info(f);
	bool ok = true;
	for (size_t i = 0; i < v->nitems; i++) {
		v->mapped[i] = roster_enum_value(f, v->items[i]);
		bool repeat = false;
		/* 培训评审、培训评审专家组 is one value said twice. */
		for (size_t j = 0; v->mapped[i] && j < i; j++)
			repeat = repeat || strcmp(v->mapped[j], v->mapped[i]) == 0;
		if (!v->mapped[i]) {
			ROSTER_ROW_ERR(ps, f, "\"%.*s\" is not a value of this column (%s)",
			               "无法识别“%.*s”（可填：%s）", (int)v->items[i].len,
			               v->items[i].s, ps->r->zh ? fi->hint_zh : fi->hint_en);
			ok = false;
		}
		if (!v->mapped[i] || repeat) {
			memmove(&v->items[i], &v->items[i + 1],
			        (v->nitems - i - 1) * sizeof v->items[0]);
			memmove(&v->mapped[i], &v->mapped[i + 1],
			        (v->nitems - i - 1) * sizeof v->mapped[0]);
			v->nitems--;
			i--;
		}
	}
	v->present = v->nitems > 0;
	return ok;
}

/* Fill v from one cell; false (with errors added, and the bad part left
 * out of v) if the cell is bad. */
static bool roster_read_value(struct roster_parse *ps, enum roster_field f,
                              const char *cell, struct roster_value *v)
{
	const struct roster_field_info *fi = roster_field_info(f);
	struct roster_span sp = roster_fields_trim((struct roster_span){cell, strlen(cell)});
	int cut = (int)(sp.len > 64 ? 64 : sp.len);
	memset(v, 0, sizeof *v);
	if (sp.len == 0)
		return true;
	v->present = true;
	v->items[0] = sp;
	v->nitems = 1;
	switch (fi->kind) {
	case ROSTER_K_INT: {
		const char *why = NULL;
		if (roster_fields_int(sp, &v->num, &why))
			return true;
		v->present = false;
		ROSTER_ROW_ERR(ps, f, "%s: \"%.*s\"", "%s：“%.*s”", ps->r->zh ? "不是整数" : why,
		               cut, sp.s);
		return false;
	}
	case ROSTER_K_BIRTH:
		v->num = roster_fields_birth_month(sp);
		if (v->num > 0)
			return true;
		v->present = false;
		ROSTER_ROW_ERR(ps, f, "not a year and month: \"%.*s\"",
		               "不是年月（如 1980.01）：“%.*s”", cut, sp.s);
		return false;
	case ROSTER_K_CODE:
	case ROSTER_K_PHONE:
		v->items[0].len = fi->kind == ROSTER_K_CODE
		                  ? roster_fields_code(sp, v->norm, sizeof v->norm)
		                  : roster_fields_phone(sp, v->norm, sizeof v->norm);
		v->items[0].s = v->norm;
		v->present = v->items[0].len > 0;
		return true;
	case ROSTER_K_LIST:
	case ROSTER_K_ENUM_LIST:
		v->nitems = roster_fields_split(f, sp, v->items, ROSTER_MAX_ITEMS);
		if (v->nitems == SIZE_MAX) {
			memset(v, 0, sizeof *v);
			ROSTER_ROW_ERR(ps, f, "too many values: \"%.*s\"", "值太多：“%.*s”", cut,
			               sp.s);
			return false;
		}
		v->present = v->nitems > 0;
		return fi->kind == ROSTER_K_LIST || roster_map_items(ps, f, v);
	case ROSTER_K_ENUM:
	case ROSTER_K_TITLE:
		return roster_map_items(ps, f, v);
	default:
		return true;
	}
}

/*
 * The row schema's limits (PROTOCOL.md 7.5.2), checked here so that a cell
 * beyond them is this row's error, reported with its others, rather than
 * a schema error refusing the whole call: lengths of strings, counts of
 * lists (at most 3 specialties), ranges of numbers. A cell past them is
 * left out of the row.
 */
static bool roster_check_limits(struct roster_parse *ps, enum roster_field f,
                                struct roster_value *v)
{
	const char *name = roster_field_name(f);
	const struct proto_field *pf = proto_import_row;
	while (pf->name && strcmp(pf->name, name) != 0)
		pf++;
	if (!pf->name || !v->present)
		return true;
	if (pf->type == PROTO_T_INT && (v->num < pf->min || v->num > pf->max)) {
		ROSTER_ROW_ERR(ps, f, "must be %lld to %lld", "应为 %lld 至 %lld",
		               (long long)pf->min, (long long)pf->max);
	} else if ((pf->type == PROTO_T_STR_ARRAY || pf->type == PROTO_T_ENUM_ARRAY) &&
	           (int64_t)v->nitems > pf->max) {
		ROSTER_ROW_ERR(ps, f, "at most %lld values, not %zu", "最多 %lld 个，此处有 %zu 个",
		               (long long)pf->max, v->nitems);
	} else if (pf->type == PROTO_T_STR && (int64_t)v->items[0].len > pf->max) {
		ROSTER_ROW_ERR(ps, f, "at most %lld bytes (about %lld Chinese characters), "
		               "not %zu",
		               "最长 %lld 字节（约 %lld 个汉字），此处有 %zu 字节",
		               (long long)pf->max, (long long)pf->max / 3, v->items[0].len);
	} else {
		return true;
	}
	v->present = false;
	return false;
}

/* 出生年月 against digits 7-12 of the resident ID (when both are readable). */
static bool roster_check_birth(struct roster_parse *ps, const struct roster_value *vals)
{
	const struct roster_value *b = &vals[ROSTER_F_BIRTH_MONTH];
	const struct roster_value *id = &vals[ROSTER_F_RESIDENT_ID];
	if (!ps->r->headers[ROSTER_F_BIRTH_MONTH] || !ps->r->headers[ROSTER_F_RESIDENT_ID] ||
	    !b->present || !id->present || id->items[0].len != 18)
		return true;
	int ym = 0;
	for (size_t i = 6; i < 12; i++) {
		char c = id->items[0].s[i];
		if (c < '0' || c > '9')
			return true;  /* the daemon says what is wrong with the ID */
		ym = ym * 10 + (c - '0');
	}
	if (ym == b->num)
		return true;
	ROSTER_ROW_ERR(ps, ROSTER_F_BIRTH_MONTH,
	               "%04d-%02d does not match the birth date in the resident ID",
	               "%04d年%02d月与身份证号码中的出生日期不符", (int)(b->num / 100),
	               (int)(b->num % 100));
	return false;
}

/* Pack the row and hand it to row_cb, if any. */
static void roster_pack_row(struct roster_parse *ps, const struct roster_value *vals,
                            bool has_errors)
{
	struct roster *r = ps->r;
	size_t npresent = 0;
	r->nrows++;
	if (!ps->row_cb)
		return;  /* a reading that only checks */
	for (int f = 0; f < ROSTER_F__COUNT; f++)
		npresent += (r->headers[f] || vals[f].derived) && vals[f].present &&
		            f != ROSTER_F_BIRTH_MONTH;
	msgpack_packer pk;
	ps->row.size = 0;
	msgpack_packer_init(&pk, &ps->row, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, (uint32_t)npresent + 1);
	proto_pack_kv_int(&pk, "line", ps->rec_line);
	for (int f = 0; f < ROSTER_F__COUNT; f++) {
		if (!(r->headers[f] || vals[f].derived) || !vals[f].present ||
		    f == ROSTER_F_BIRTH_MONTH)
			continue;
		const struct roster_field_info *fi = roster_field_info((enum roster_field)f);
		const struct roster_value *v = &vals[f];
		proto_pack_str(&pk, fi->name);
		if (fi->kind == ROSTER_K_INT) {
			msgpack_pack_int64(&pk, v->num);
			continue;
		}
		bool list = fi->kind == ROSTER_K_LIST || fi->kind == ROSTER_K_ENUM_LIST;
		if (list)
			msgpack_pack_array(&pk, (uint32_t)v->nitems);
		for (size_t i = 0; i < (list ? v->nitems : 1); i++) {
			if (v->mapped[i])
				proto_pack_str(&pk, v->mapped[i]);
			else
				proto_pack_strn(&pk, v->items[i].s, v->items[i].len);
		}
	}
	struct roster_row row = {.line = ps->rec_line, .packed = ps->row.data,
	                         .packed_len = ps->row.size, .has_errors = has_errors};
	ps->stopped = !ps->row_cb(&row, ps->row_arg);
}

/* Every problem of the row is reported; the row goes on without its bad
 * cells so the daemon can report its own (issue #12). */
static void roster_take_row(struct roster_parse *ps)
{
	struct roster_value vals[ROSTER_F__COUNT];
	bool ok = true;
	memset(vals, 0, sizeof vals);
	ps->r->records++;
	for (size_t c = 0; c < ps->ncols; c++) {
		int f = ps->col_field[c];
		if (f < 0)
			continue;
		const char *cell = c < ps->ncells ? ps->cells[c] : "";
		ok = roster_read_value(ps, (enum roster_field)f, cell, &vals[f]) && ok;
		ok = roster_check_limits(ps, (enum roster_field)f, &vals[f]) && ok;
	}
	ok = roster_check_birth(ps, vals) && ok;
	roster_derive_rest(ps, vals, ROSTER_F_QUALIFICATION, ROSTER_F_QUALIFICATION_OCCUPATION);
	roster_derive_rest(ps, vals, ROSTER_F_TITLE, ROSTER_F_TITLE_FIELD);
	roster_pack_row(ps, vals, !ok);
}

/* ---- CSV ------------------------------------------------------------- */

static void roster_cell_cb(void *s, size_t len, void *data)
{
	struct roster_parse *ps = data;
	if (ps->ncells >= ROSTER_MAX_COLUMNS)
		return;
	ps->cells = roster_xrealloc(ps->cells, (ps->ncells + 1) * sizeof *ps->cells);
	ps->cells[ps->ncells++] = roster_strndup(s ? s : "", s ? len : 0);
}

static bool roster_record_is_blank(const struct roster_parse *ps)
{
	for (size_t i = 0; i < ps->ncells; i++) {
		struct roster_span t = roster_fields_trim(
			(struct roster_span){ps->cells[i], strlen(ps->cells[i])});
		if (t.len > 0)
			return false;
	}
	return true;
}

static void roster_record_cb(int c, void *data)
{
	struct roster_parse *ps = data;
	(void)c;
	ps->rec_open = false;
	if (ps->failed || ps->stopped || roster_record_is_blank(ps)) {
		/* Blank lines and all-empty Excel rows carry nothing. */
	} else if (ps->have_header) {
		roster_take_row(ps);
	} else if (roster_is_header(ps)) {
		roster_take_header(ps);
	} else if (++ps->records_before >= ROSTER_HEADER_SCAN) {
		roster_fail(ps, "no header row in the first %d records "
		            "(expected columns such as 姓名, 身份证号, 专家组类型)",
		            ROSTER_HEADER_SCAN);
	} else {
		roster_issue_add(&ps->r->warnings, &ps->r->nwarnings, ps->rec_line, NULL,
		                 _("skipped: before the header row"));
	}
	for (size_t i = 0; i < ps->ncells; i++)
		free(ps->cells[i]);
	ps->ncells = 0;
}

/*
 * The text is read one physical line at a time, a line perhaps in several
 * pieces. With CSV_REPALL_NL libcsv ends a record at every unquoted line
 * break, so a record that is still open when a line begins continues
 * inside a quoted cell, and the line it started on is the one to report.
 */
static void roster_csv_line_end(struct roster_parse *ps)
{
	/* Excel writes stray quotes (12"3) that the lax parser keeps as
	 * text; say where, since the cell may not be what was meant. Said
	 * once the line is read, wherever its pieces ended. */
	if (ps->stray_quote)
		roster_issue_add(&ps->r->warnings, &ps->r->nwarnings, ps->rec_line, NULL,
		                 _("stray quote character; read as ordinary text"));
	ps->stray_quote = false;
	if (!ps->strict_ok && !ps->rec_open) {
		/* Resynchronise at the record boundary to catch the next one. */
		csv_free(&ps->strict);
		csv_init(&ps->strict, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL);
		ps->strict_ok = true;
	}
	ps->line++;
	ps->mid_line = false;
}

/* p[0..n): part of one physical line, its line break last if any. */
static void roster_csv_piece(struct roster_parse *ps, const char *p, size_t n)
{
	if (!ps->mid_line) {
		if (!ps->rec_open) {
			ps->rec_line = ps->line;
			ps->rec_open = true;
		}
		ps->mid_line = true;
	}
	if (csv_parse(&ps->lax, p, n, roster_cell_cb, roster_record_cb, ps) != n) {
		roster_fail(ps, "line %ld: %s", ps->line, csv_strerror(csv_error(&ps->lax)));
		return;
	}
	if (ps->strict_ok && csv_parse(&ps->strict, p, n, NULL, NULL, NULL) != n) {
		ps->strict_ok = false;
		ps->stray_quote = true;
	}
	ps->last = p[n - 1];
	if (ps->last == '\n')
		roster_csv_line_end(ps);
}

static void roster_csv_text_cb(const char *text, size_t len, void *arg)
{
	struct roster_parse *ps = arg;
	const char *p = text, *end = text + len;
	while (p < end && !ps->failed && !ps->stopped) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		roster_csv_piece(ps, p, n);
		p += n;
	}
}

static void roster_csv_finish(struct roster_parse *ps)
{
	if (ps->failed || ps->stopped)
		return;
	if (ps->mid_line)
		roster_csv_line_end(ps);  /* the last line, without a line break */
	/* A record still open after a line break is inside quotes; on the
	 * last line alone, only the strict parser can tell. */
	bool unclosed = ps->rec_open &&
	                (ps->last == '\n' || ps->rec_line < ps->line - 1 ||
	                 (ps->strict_ok && csv_fini(&ps->strict, NULL, NULL, NULL) != CSV_SUCCESS));
	if (unclosed)
		roster_fail(ps, "line %ld: quoted cell is not closed before the end of the file",
		            ps->rec_line);
	if (!ps->failed)
		csv_fini(&ps->lax, roster_cell_cb, roster_record_cb, ps);
	if (!ps->failed && !ps->stopped && !ps->have_header)
		roster_fail(ps, "no header row: the file holds no records");
}

/* ---- reading in pieces ----------------------------------------------- */

struct roster_stream {
	struct roster_parse ps;
	struct roster_decoder *dec;
	char dec_err[512];     /* why the bytes are not text, once they are not */
};

struct roster_stream *roster_stream_new(enum roster_encoding enc, bool bom,
                                        bool keep_issues, roster_row_cb cb, void *arg,
                                        char *err, size_t errsz)
{
	struct roster_decoder *dec = roster_decoder_new(enc, bom, err, errsz);
	if (!dec)
		return NULL;
	struct roster_stream *s = roster_xrealloc(NULL, sizeof *s);
	memset(s, 0, sizeof *s);
	s->dec = dec;
	struct roster_parse *ps = &s->ps;
	ps->r = roster_xrealloc(NULL, sizeof *ps->r);
	memset(ps->r, 0, sizeof *ps->r);
	ps->r->encoding = enc;
	ps->line = 1;
	ps->strict_ok = true;
	ps->keep_issues = keep_issues;
	ps->row_cb = cb;
	ps->row_arg = arg;
	msgpack_sbuffer_init(&ps->row);
	csv_init(&ps->lax, CSV_APPEND_NULL | CSV_REPALL_NL);
	csv_init(&ps->strict, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL);
	return s;
}

/* The decoder goes on after the text has failed the CSV reading: as when
 * the whole file was converted first, bytes that are no text anywhere in
 * it are what the user hears about. */
bool roster_stream_feed(struct roster_stream *s, const char *buf, size_t len)
{
	struct roster *r = s->ps.r;
	bool go_on = !s->ps.stopped &&
	             roster_decoder_feed(s->dec, buf, len, roster_csv_text_cb, &s->ps,
	                                 s->dec_err, sizeof s->dec_err);
	if (!s->ps.keep_issues) {
		roster_issues_free(r->errors, r->nerrors);
		roster_issues_free(r->warnings, r->nwarnings);
		r->errors = r->warnings = NULL;
		r->nerrors = r->nwarnings = 0;
	}
	return go_on;
}

static int roster_issue_cmp(const void *a, const void *b)
{
	const struct roster_issue *x = a, *y = b;
	return (x->line > y->line) - (x->line < y->line);
}

struct roster *roster_stream_finish(struct roster_stream **sp, char *err, size_t errsz)
{
	struct roster_stream *s = *sp;
	struct roster_parse *ps = &s->ps;
	struct roster *r = ps->r;
	err[0] = '\0';
	if (!roster_decoder_finish(s->dec, s->dec_err, sizeof s->dec_err))
		snprintf(err, errsz, "%s", s->dec_err);
	else
		roster_csv_finish(ps);
	if (!err[0] && ps->failed)
		snprintf(err, errsz, "%s", ps->err);
	if (err[0] || ps->stopped)
		roster_destroy(&r);
	else if (r->nerrors > 1)
		qsort(r->errors, r->nerrors, sizeof *r->errors, roster_issue_cmp);
	csv_free(&ps->lax);
	csv_free(&ps->strict);
	for (size_t i = 0; i < ps->ncells; i++)
		free(ps->cells[i]);
	free(ps->cells);
	msgpack_sbuffer_destroy(&ps->row);
	roster_decoder_destroy(&s->dec);
	free(s);
	*sp = NULL;
	return r;
}

/* ---- whole file ------------------------------------------------------ */

/* roster_parse keeps every row: a copy of each in r->rows. */
struct roster_kept {
	struct roster_row *rows;
	size_t n;
};

static bool roster_keep_row_cb(const struct roster_row *row, void *arg)
{
	struct roster_kept *k = arg;
	k->rows = roster_xrealloc(k->rows, (k->n + 1) * sizeof *k->rows);
	k->rows[k->n] = *row;
	k->rows[k->n].packed = roster_xrealloc(NULL, row->packed_len);
	memcpy(k->rows[k->n].packed, row->packed, row->packed_len);
	k->n++;
	return true;
}

struct roster *roster_parse(const char *buf, size_t len, enum roster_encoding enc,
                            char *err, size_t errsz)
{
	struct roster_sniff sn;
	enum roster_encoding used;
	bool bom;
	roster_sniff_init(&sn, enc);
	roster_sniff_feed(&sn, buf, len);
	if (!roster_sniff_finish(&sn, &used, &bom, err, errsz))
		return NULL;
	struct roster_kept kept = {0};
	struct roster_stream *s = roster_stream_new(used, bom, true, roster_keep_row_cb, &kept,
	                                            err, errsz);
	if (!s)
		return NULL;
	roster_stream_feed(s, buf, len);
	struct roster *r = roster_stream_finish(&s, err, errsz);
	if (r) {
		r->rows = kept.rows;
		return r;
	}
	for (size_t i = 0; i < kept.n; i++)
		free(kept.rows[i].packed);
	free(kept.rows);
	return NULL;
}

void roster_issues_free(struct roster_issue *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(list[i].column);
		free(list[i].reason);
	}
	free(list);
}

void roster_destroy(struct roster **rp)
{
	if (!rp || !*rp)
		return;
	struct roster *r = *rp;
	for (int f = 0; f < ROSTER_F__COUNT; f++)
		free(r->headers[f]);
	for (size_t i = 0; r->rows && i < r->nrows; i++)
		free(r->rows[i].packed);
	free(r->rows);
	roster_issues_free(r->errors, r->nerrors);
	roster_issues_free(r->warnings, r->nwarnings);
	free(r);
	*rp = NULL;
}

const char *roster_column_for(const struct roster *r, const char *field)
{
	char name[PROTO_MAX_FIELD_LEN];
	size_t n = strcspn(field, "[.");
	if (n >= sizeof name)
		return field;
	memcpy(name, field, n);
	name[n] = '\0';
	enum roster_field f;
	if (roster_field_lookup(name, &f) && r && r->headers[f])
		return r->headers[f];
	return field;
}
