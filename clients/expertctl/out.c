/*
 * out.c - tables, reply fields as text, JSON, and error lines. Names and
 * employers in the pool come from imported spreadsheets, so every string
 * from the server is cleaned before it is printed and measured by the
 * columns it takes on a terminal, not by its bytes.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_i18n.h"
#include "out.h"

/* Longest array of strings rendered in a cell, and JSON nesting depth. */
#define OUT_MAX_DEPTH 32

void *out_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) {
		fputs(_("expertctl: out of memory\n"), stderr);
		abort();
	}
	return q;
}

/* ---- UTF-8 and display width ----------------------------------------- */

/* Decode one UTF-8 character at s; returns its length, or 0 if invalid. */
static size_t out_utf8_next(const unsigned char *s, size_t left, uint32_t *cp)
{
	size_t n;
	uint32_t c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, c &= 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, c &= 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, c &= 0x07;
	else
		return 0;
	if (left < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3fu);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

struct out_range {
	uint32_t lo, hi;
};

/* East Asian Wide and Fullwidth blocks (Unicode 15, coarsely). */
static const struct out_range out_wide[] = {
	{0x1100, 0x115f},   {0x231a, 0x231b},   {0x2329, 0x232a},
	{0x23e9, 0x23ec},   {0x2e80, 0x303e},   {0x3041, 0x33ff},
	{0x3400, 0x4dbf},   {0x4e00, 0x9fff},   {0xa000, 0xa4cf},
	{0xa960, 0xa97f},   {0xac00, 0xd7a3},   {0xf900, 0xfaff},
	{0xfe10, 0xfe19},   {0xfe30, 0xfe6f},   {0xff00, 0xff60},
	{0xffe0, 0xffe6},   {0x16fe0, 0x16fe4}, {0x17000, 0x18cff},
	{0x1b000, 0x1b2ff}, {0x1f300, 0x1f64f}, {0x1f900, 0x1f9ff},
	{0x20000, 0x2fffd}, {0x30000, 0x3fffd},
};

/* Combining marks and zero-width characters. */
static const struct out_range out_zero[] = {
	{0x0300, 0x036f}, {0x200b, 0x200f}, {0x2060, 0x2064},
	{0x20d0, 0x20ff}, {0xfe00, 0xfe0f}, {0xfe20, 0xfe2f},
	{0xfeff, 0xfeff}, {0xe0100, 0xe01ef},
};

static bool out_in(const struct out_range *r, size_t n, uint32_t cp)
{
	for (size_t i = 0; i < n; i++)
		if (cp >= r[i].lo && cp <= r[i].hi)
			return true;
	return false;
}

static size_t out_cp_width(uint32_t cp)
{
	if (out_in(out_zero, sizeof out_zero / sizeof out_zero[0], cp))
		return 0;
	if (out_in(out_wide, sizeof out_wide / sizeof out_wide[0], cp))
		return 2;
	return 1;
}

size_t out_width(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t w = 0, i = 0;
	while (i < len) {
		uint32_t cp;
		size_t n = out_utf8_next(p + i, len - i, &cp);
		if (n == 0) {
			w++;
			i++;
			continue;
		}
		w += out_cp_width(cp);
		i += n;
	}
	return w;
}

static bool out_is_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
	       cp == 0x2028 || cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

char *out_clean(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out = out_xrealloc(NULL, len + 1);
	size_t o = 0, i = 0;
	while (i < len) {
		uint32_t cp;
		size_t n = out_utf8_next(p + i, len - i, &cp);
		if (n == 0 || out_is_control(cp)) {
			out[o++] = '?';
			i += n ? n : 1;
			continue;
		}
		memcpy(out + o, s + i, n);
		o += n;
		i += n;
	}
	out[o] = '\0';
	return out;
}

void out_text(FILE *f, const char *s, size_t len)
{
	char *c = out_clean(s, len);
	fputs(c, f);
	free(c);
}

void out_label(FILE *f, const char *key, size_t width)
{
	char scratch[CTL_VALUE_KEY_MAX];
	const char *l = ctl_value("label", key, scratch, sizeof scratch);
	fputs(l, f);
	for (size_t w = out_width(l, strlen(l)); w < width; w++)
		fputc(' ', f);
	fputc(' ', f);
}

/* ---- tables ---------------------------------------------------------- */

struct out_table {
	size_t ncols;
	size_t nrows;     /* including the header row */
	char **cells;     /* nrows * ncols, row-major */
};

static void out_table_push(struct out_table *t, const char *const *cells)
{
	t->cells = out_xrealloc(t->cells, (t->nrows + 1) * t->ncols * sizeof *t->cells);
	for (size_t c = 0; c < t->ncols; c++) {
		const char *s = cells[c] ? cells[c] : "";
		/* The header row: column names through the catalog. */
		if (t->nrows == 0 && *s)
			s = _(s);
		t->cells[t->nrows * t->ncols + c] = out_clean(s, strlen(s));
	}
	t->nrows++;
}

struct out_table *out_table_new(size_t ncols, const char *const *headers)
{
	struct out_table *t = out_xrealloc(NULL, sizeof *t);
	*t = (struct out_table){.ncols = ncols};
	out_table_push(t, headers);
	return t;
}

void out_table_destroy(struct out_table **tp)
{
	if (!tp || !*tp)
		return;
	struct out_table *t = *tp;
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
	*tp = NULL;
}

void out_table_add(struct out_table *t, const char *const *cells)
{
	out_table_push(t, cells);
}

void out_table_print(const struct out_table *t, FILE *f)
{
	size_t *widths = out_xrealloc(NULL, t->ncols * sizeof *widths);
	for (size_t c = 0; c < t->ncols; c++) {
		widths[c] = 0;
		for (size_t r = 0; r < t->nrows; r++) {
			const char *s = t->cells[r * t->ncols + c];
			size_t w = out_width(s, strlen(s));
			if (w > widths[c])
				widths[c] = w;
		}
	}
	for (size_t r = 0; r < t->nrows; r++) {
		char *const *row = &t->cells[r * t->ncols];
		size_t last = t->ncols;
		/* No trailing blanks: stop after the last non-empty cell. */
		while (last > 1 && !row[last - 1][0])
			last--;
		for (size_t c = 0; c < last; c++) {
			fputs(row[c], f);
			if (c + 1 < last)
				fprintf(f, "%*s", (int)(widths[c] - out_width(row[c], strlen(row[c])) + 2),
				        "");
		}
		fputc('\n', f);
	}
	free(widths);
}

/* ---- fields as text -------------------------------------------------- */

char *out_hex(const void *p, size_t n, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++) {
		hex[2 * i] = digits[b[i] >> 4];
		hex[2 * i + 1] = digits[b[i] & 0xf];
	}
	hex[2 * n] = '\0';
	return hex;
}

/* Append s[0..n) to buf at *at, cutting at a character boundary. */
static void out_append(char *buf, size_t size, size_t *at, const char *s, size_t n)
{
	size_t room = size - 1 - *at;
	if (n > room) {
		n = room;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(buf + *at, s, n);
	*at += n;
	buf[*at] = '\0';
}

/* A string under key as people read it: a code through the catalog
 * (ctl_value), anything else as it is. */
static void out_str(const char *key, const msgpack_object *o, char *buf, size_t size,
                    size_t *at)
{
	char code[CTL_VALUE_KEY_MAX / 2], scratch[CTL_VALUE_KEY_MAX];
	if (!key || o->via.str.size >= sizeof code) {
		out_append(buf, size, at, o->via.str.ptr, o->via.str.size);
		return;
	}
	memcpy(code, o->via.str.ptr, o->via.str.size);
	code[o->via.str.size] = '\0';
	const char *t = ctl_value(key, code, scratch, sizeof scratch);
	out_append(buf, size, at, t, strlen(t));
}

static void out_scalar(const char *key, const msgpack_object *o, char *buf,
                       size_t size, size_t *at)
{
	char num[32];
	/* Booleans in words only for people (out_shown): compared, they
	 * are "yes" and "no". */
	const char *yes = key ? _("yes") : "yes", *no = key ? _("no") : "no";
	switch (o->type) {
	case MSGPACK_OBJECT_STR:
		out_str(key, o, buf, size, at);
		break;
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		snprintf(num, sizeof num, "%" PRIu64, o->via.u64);
		out_append(buf, size, at, num, strlen(num));
		break;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		snprintf(num, sizeof num, "%" PRId64, o->via.i64);
		out_append(buf, size, at, num, strlen(num));
		break;
	case MSGPACK_OBJECT_BOOLEAN:
		out_append(buf, size, at, o->via.boolean ? yes : no,
		           strlen(o->via.boolean ? yes : no));
		break;
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		snprintf(num, sizeof num, "%g", o->via.f64);
		out_append(buf, size, at, num, strlen(num));
		break;
	case MSGPACK_OBJECT_BIN: {
		/* Hex, cut whole bytes at a time when buf is short. */
		size_t room = (size - 1 - *at) / 2;
		size_t n = o->via.bin.size < room ? o->via.bin.size : room;
		out_hex(o->via.bin.ptr, n, buf + *at);
		*at += 2 * n;
		break;
	}
	case MSGPACK_OBJECT_NIL:
		break;
	default:
		out_append(buf, size, at, "?", 1);
		break;
	}
}

/* out_value(), codes read under key (NULL: none). */
static const char *out_value_keyed(const char *key, const msgpack_object *o,
                                   char *buf, size_t size)
{
	size_t at = 0;
	buf[0] = '\0';
	if (!o)
		return buf;
	if (o->type != MSGPACK_OBJECT_ARRAY) {
		out_scalar(key, o, buf, size, &at);
		return buf;
	}
	for (uint32_t i = 0; i < o->via.array.size; i++) {
		if (i > 0)
			out_append(buf, size, &at, ",", 1);
		out_scalar(key, &o->via.array.ptr[i], buf, size, &at);
	}
	return buf;
}

const char *out_value(const msgpack_object *o, char *buf, size_t size)
{
	return out_value_keyed(NULL, o, buf, size);
}

const char *out_field(const msgpack_object *map, const char *key, char *buf,
                      size_t size)
{
	return out_value_keyed(NULL, proto_map_get(map, key), buf, size);
}

const char *out_actor(const msgpack_object *map, char *buf, size_t size)
{
	return out_principal(map, "actor", buf, size);
}

const char *out_principal(const msgpack_object *map, const char *key, char *buf,
                          size_t size)
{
	out_field(map, key, buf, size);
	if (strncmp(buf, "expert:", 7) == 0)
		snprintf(buf, size, "%s", _("the expert (own token)"));
	else if (strcmp(buf, "expertd") == 0)
		snprintf(buf, size, "%s", _("expertd (by itself)"));
	return buf;
}

const char *out_shown(const msgpack_object *map, const char *key, char *buf,
                      size_t size)
{
	return out_value_keyed(key, proto_map_get(map, key), buf, size);
}

/* ---- JSON ------------------------------------------------------------ */

static json_t *out_json_str(const char *s, size_t n)
{
	json_t *j = json_stringn(s, n);
	if (!j) {
		/* Not UTF-8: keep what we can rather than drop the value. */
		char *c = out_clean(s, n);
		j = json_string(c);
		free(c);
	}
	return j;
}

/* Binary fields (hashes, seeds, secrets) as lowercase hex strings. */
static json_t *out_json_hex(const char *p, size_t n)
{
	char *hex = out_xrealloc(NULL, 2 * n + 1);
	out_hex(p, n, hex);
	json_t *j = json_string(hex);
	free(hex);
	return j;
}

static json_t *out_json_at(const msgpack_object *o, int depth)
{
	char key[32];
	if (depth > OUT_MAX_DEPTH)
		return json_null();
	switch (o->type) {
	case MSGPACK_OBJECT_BOOLEAN:
		return json_boolean(o->via.boolean);
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		return o->via.u64 <= INT64_MAX ? json_integer((json_int_t)o->via.u64)
		                               : json_real((double)o->via.u64);
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		return json_integer(o->via.i64);
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		return json_real(o->via.f64);
	case MSGPACK_OBJECT_STR:
		return out_json_str(o->via.str.ptr, o->via.str.size);
	case MSGPACK_OBJECT_BIN:
		return out_json_hex(o->via.bin.ptr, o->via.bin.size);
	case MSGPACK_OBJECT_ARRAY: {
		json_t *a = json_array();
		for (uint32_t i = 0; i < o->via.array.size; i++)
			json_array_append_new(a, out_json_at(&o->via.array.ptr[i], depth + 1));
		return a;
	}
	case MSGPACK_OBJECT_MAP: {
		json_t *m = json_object();
		for (uint32_t i = 0; i < o->via.map.size; i++) {
			const msgpack_object_kv *kv = &o->via.map.ptr[i];
			json_t *v = out_json_at(&kv->val, depth + 1);
			if (kv->key.type == MSGPACK_OBJECT_STR) {
				char *k = out_clean(kv->key.via.str.ptr, kv->key.via.str.size);
				json_object_set_new(m, k, v);
				free(k);
			} else {
				json_object_set_new(m, out_value(&kv->key, key, sizeof key), v);
			}
		}
		return m;
	}
	default:
		return json_null();
	}
}

json_t *out_json(const msgpack_object *o)
{
	return o ? out_json_at(o, 0) : json_null();
}

void out_json_print(json_t *j)
{
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_ENCODE_ANY);
	fputc('\n', stdout);
	json_decref(j);
}

json_t *out_json_reply(const struct proto_reply *rep)
{
	json_t *j = json_object();
	json_object_set_new(j, "id", out_json_str(rep->id, strlen(rep->id)));
	json_object_set_new(j, "status",
	                    out_json_str(rep->status_name, strlen(rep->status_name)));
	if (rep->message[0])
		json_object_set_new(j, "message",
		                    out_json_str(rep->message, strlen(rep->message)));
	if (rep->field[0])
		json_object_set_new(j, "field", out_json_str(rep->field, strlen(rep->field)));
	if (rep->result)
		json_object_set_new(j, "result", out_json(rep->result));
	if (rep->tokens)
		json_object_set_new(j, "tokens", out_json(rep->tokens));
	return j;
}

json_t *out_json_result(const struct proto_reply *rep, bool with_tokens)
{
	json_t *j = rep->result ? out_json(rep->result) : json_object();
	if (with_tokens && json_is_object(j))
		json_object_set_new(j, "tokens",
		                    rep->tokens ? out_json(rep->tokens) : json_object());
	return j;
}

void out_error(const struct proto_reply *rep)
{
	char scratch[CTL_VALUE_KEY_MAX];
	const char *status = ctl_value("status", rep->status_name, scratch, sizeof scratch);
	const char *none = _("(no message)");
	fputs(_("expertctl: "), stderr);
	out_text(stderr, status, strlen(status));
	fputs(_(": "), stderr);
	out_text(stderr, rep->message[0] ? rep->message : none,
	         strlen(rep->message[0] ? rep->message : none));
	if (rep->field[0]) {
		fputs(_(" (field: "), stderr);
		out_text(stderr, rep->field, strlen(rep->field));
		fputs(_(")"), stderr);
	}
	fputc('\n', stderr);
}

void out_page_footer(const msgpack_object *res, size_t n, const char *what)
{
	int64_t total = proto_map_int(res, "total", (int64_t)n);
	int64_t offset = proto_map_int(res, "offset", 0);
	if (n == 0)
		printf(_("(no %s; %lld in all)\n"), _(what), (long long)total);
	else if ((int64_t)n < total)
		printf(_("(%lld-%lld of %lld; use --offset for more)\n"), (long long)offset + 1,
		       (long long)offset + (long long)n, (long long)total);
}

size_t out_print_maps(const char *const *head, const char *const *keys,
                      size_t ncols, const msgpack_object *list)
{
	size_t n = list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
	if (ncols > OUT_MAP_COLS)
		ncols = OUT_MAP_COLS;
	struct out_table *t = out_table_new(ncols, head);
	for (size_t i = 0; i < n; i++) {
		char bufs[OUT_MAP_COLS][256];
		const char *row[OUT_MAP_COLS];
		for (size_t k = 0; k < ncols; k++)
			row[k] = out_shown(&list->via.array.ptr[i], keys[k], bufs[k],
			                   sizeof bufs[k]);
		out_table_add(t, row);
	}
	out_table_print(t, stdout);
	out_table_destroy(&t);
	return n;
}
