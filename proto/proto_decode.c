/*
 * proto_decode.c - turns unpacked msgpack into a checked request: the
 * envelope rules, the per-field schema types of proto_ops.c, and the getters
 * handlers use on argument maps that passed those checks.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "ident.h"
#include "proto.h"

/* What "args" points at when a request leaves it out. */
static const msgpack_object decode_empty_map = {
	.type = MSGPACK_OBJECT_MAP, .via.map = {.size = 0, .ptr = NULL}};

enum decode_key { KEY_V, KEY_ID, KEY_OP, KEY_ARGS, KEY_LANG, KEY__COUNT };
static const char *const decode_envelope_keys[KEY__COUNT] = {
	"v", "id", "op", "args", "lang"};

/* The longest language tag read (BCP 47 tags are rarely longer). */
#define DECODE_LANG_MAX 35

__attribute__((format(printf, 4, 5)))
static enum proto_status decode_fail(struct proto_error *err,
                                     enum proto_status st, const char *field,
                                     const char *fmt, ...)
{
	va_list ap;

	snprintf(err->field, sizeof err->field, "%s", field);
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, _(fmt), ap);
	va_end(ap);
	return st;
}

/*
 * Copy untrusted bytes for an error message or field name: printable ASCII
 * only, so nothing a client sends can inject control bytes or broken UTF-8
 * into our replies and logs.
 */
static void decode_copy_printable(char *dst, size_t size, const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n && i + 1 < size; i++)
		dst[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	dst[i] = '\0';
}

static bool decode_is_str(const msgpack_object *o, const char *s)
{
	return o->type == MSGPACK_OBJECT_STR && o->via.str.size == strlen(s) &&
	       memcmp(o->via.str.ptr, s, o->via.str.size) == 0;
}

/* A request id: 1..PROTO_MAX_ID_LEN bytes of printable ASCII, no space. */
static bool decode_id_ok(const msgpack_object *v)
{
	if (v->type != MSGPACK_OBJECT_STR || v->via.str.size < 1 ||
	    v->via.str.size > PROTO_MAX_ID_LEN)
		return false;
	for (uint32_t i = 0; i < v->via.str.size; i++)
		if (v->via.str.ptr[i] < 0x21 || v->via.str.ptr[i] > 0x7e)
			return false;
	return true;
}

/*
 * Fetch the id before judging anything else, so even a request rejected for
 * its version or op gets a reply the client can match. Only an unambiguous
 * (single, valid) id is echoed.
 */
static void decode_peek_id(const msgpack_object *env, char id_out[PROTO_MAX_ID_LEN + 1])
{
	const msgpack_object *id = NULL;

	for (uint32_t i = 0; i < env->via.map.size; i++) {
		if (!decode_is_str(&env->via.map.ptr[i].key, "id"))
			continue;
		if (id)
			return;
		id = &env->via.map.ptr[i].val;
	}
	if (id && decode_id_ok(id)) {
		memcpy(id_out, id->via.str.ptr, id->via.str.size);
		id_out[id->via.str.size] = '\0';
	}
}

/* Sort the envelope's values into slots, refusing unknown and repeated keys. */
static enum proto_status decode_envelope_slots(const msgpack_object *env,
                                               const msgpack_object *slot[KEY__COUNT],
                                               struct proto_error *err)
{
	char name[PROTO_MAX_FIELD_LEN];

	for (uint32_t i = 0; i < env->via.map.size; i++) {
		const msgpack_object *k = &env->via.map.ptr[i].key;
		int idx = -1;

		if (k->type != MSGPACK_OBJECT_STR)
			return decode_fail(err, PROTO_E_MALFORMED, "",
			                   "request key %u is not a string", (unsigned)i);
		for (int j = 0; j < KEY__COUNT; j++)
			if (decode_is_str(k, decode_envelope_keys[j]))
				idx = j;
		decode_copy_printable(name, sizeof name, k->via.str.ptr, k->via.str.size);
		if (idx < 0)
			return decode_fail(err, PROTO_E_MALFORMED, name,
			                   "unknown request key; allowed: v, id, op, args, lang");
		if (slot[idx])
			return decode_fail(err, PROTO_E_MALFORMED, name, "duplicate key");
		slot[idx] = &env->via.map.ptr[i].val;
	}
	return PROTO_OK;
}

/* A language tag's language: "zh" or "zh-..." Simplified Chinese, any
 * other English (5.3). */
static enum proto_lang decode_lang_tag(const msgpack_object *v)
{
	if (v->type != MSGPACK_OBJECT_STR || v->via.str.size < 2)
		return PROTO_LANG_EN;
	const char *s = v->via.str.ptr;
	if ((s[0] == 'z' || s[0] == 'Z') && (s[1] == 'h' || s[1] == 'H') &&
	    (v->via.str.size == 2 || s[2] == '-' || s[2] == '_'))
		return PROTO_LANG_ZH;
	return PROTO_LANG_EN;
}

/* The language asked for, before anything is judged: a refused envelope
 * is refused in it (5.3). */
static void decode_peek_lang(const msgpack_object *env, struct proto_error *err)
{
	for (uint32_t i = 0; i < env->via.map.size; i++)
		if (decode_is_str(&env->via.map.ptr[i].key, "lang"))
			err->lang = decode_lang_tag(&env->via.map.ptr[i].val);
}

/* lang: checked, and the request's language. */
static enum proto_status decode_lang(const msgpack_object *v, enum proto_lang *lang,
                                     struct proto_error *err)
{
	*lang = PROTO_LANG_EN;
	if (!v || v->type == MSGPACK_OBJECT_NIL)
		return PROTO_OK;
	if (v->type != MSGPACK_OBJECT_STR || v->via.str.size < 2 ||
	    v->via.str.size > DECODE_LANG_MAX)
		return decode_fail(err, PROTO_E_MALFORMED, "lang",
		                   "the language \"lang\" must be a language tag of 2 to %d "
		                   "characters, such as \"zh-CN\" or \"en\"", DECODE_LANG_MAX);
	*lang = decode_lang_tag(v);
	err->lang = *lang;
	return PROTO_OK;
}

static enum proto_status decode_version(const msgpack_object *v,
                                        struct proto_error *err)
{
	if (!v || (v->type != MSGPACK_OBJECT_POSITIVE_INTEGER &&
	           v->type != MSGPACK_OBJECT_NEGATIVE_INTEGER))
		return decode_fail(err, PROTO_E_MALFORMED, "v",
		                   "the protocol version \"v\" (an integer) is required");
	if (v->type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
	    v->via.u64 != PROTO_VERSION)
		return decode_fail(err, PROTO_E_UNSUPPORTED_VERSION, "v",
		                   "protocol version not supported; this server "
		                   "speaks version %d", PROTO_VERSION);
	return PROTO_OK;
}

static enum proto_status decode_op(const msgpack_object *v, enum proto_op *op,
                                   struct proto_error *err)
{
	char name[PROTO_MAX_FIELD_LEN];

	if (!v || v->type != MSGPACK_OBJECT_STR)
		return decode_fail(err, PROTO_E_MALFORMED, "op",
		                   "the operation name \"op\" (a string) is required");
	if (!proto_op_lookup(v->via.str.ptr, v->via.str.size, op)) {
		decode_copy_printable(name, sizeof name, v->via.str.ptr, v->via.str.size);
		return decode_fail(err, PROTO_E_UNKNOWN_OP, "op",
		                   "unknown operation \"%s\"", name);
	}
	if (proto_op_info(*op)->reserved)
		return decode_fail(err, PROTO_E_NOT_IMPLEMENTED, "op",
		                   "operation \"%s\" is reserved and not implemented "
		                   "by this server", proto_op_name(*op));
	return PROTO_OK;
}

static enum proto_status decode_envelope(struct proto_request *req,
                                         char id_out[PROTO_MAX_ID_LEN + 1],
                                         struct proto_error *err)
{
	const msgpack_object *env = &req->unpacked.data;
	const msgpack_object *slot[KEY__COUNT] = {NULL};
	enum proto_status st;

	if (env->type != MSGPACK_OBJECT_MAP)
		return decode_fail(err, PROTO_E_MALFORMED, "",
		                   "a request must be a msgpack map");
	decode_peek_id(env, id_out);
	decode_peek_lang(env, err);
	if ((st = decode_envelope_slots(env, slot, err)) != PROTO_OK ||
	    (st = decode_lang(slot[KEY_LANG], &req->lang, err)) != PROTO_OK ||
	    (st = decode_version(slot[KEY_V], err)) != PROTO_OK)
		return st;
	if (!slot[KEY_ID] || !decode_id_ok(slot[KEY_ID]))
		return decode_fail(err, PROTO_E_MALFORMED, "id",
		                   "the request id \"id\" must be a string of 1 to %d "
		                   "printable ASCII characters without spaces",
		                   PROTO_MAX_ID_LEN);
	memcpy(req->id, slot[KEY_ID]->via.str.ptr, slot[KEY_ID]->via.str.size);
	req->id[slot[KEY_ID]->via.str.size] = '\0';
	if ((st = decode_op(slot[KEY_OP], &req->op, err)) != PROTO_OK)
		return st;
	req->version = PROTO_VERSION;
	if (!slot[KEY_ARGS] || slot[KEY_ARGS]->type == MSGPACK_OBJECT_NIL)
		req->args = &decode_empty_map;
	else if (slot[KEY_ARGS]->type == MSGPACK_OBJECT_MAP)
		req->args = slot[KEY_ARGS];
	else
		return decode_fail(err, PROTO_E_MALFORMED, "args",
		                   "the arguments \"args\" must be a map");
	return proto_check_map(req->args, proto_op_info(req->op)->fields, err);
}

enum proto_status proto_decode_request(const void *buf, size_t len,
                                       struct proto_request **out,
                                       char id_out[PROTO_MAX_ID_LEN + 1],
                                       struct proto_error *err)
{
	struct proto_request *req;
	enum proto_status st;

	*out = NULL;
	id_out[0] = '\0';
	err->field[0] = err->message[0] = '\0';
	err->lang = PROTO_LANG_EN;
	req = calloc(1, sizeof *req);
	if (!req)
		return decode_fail(err, PROTO_E_INTERNAL, "", "out of memory");
	msgpack_unpacked_init(&req->unpacked);
	if ((st = proto_unpack(buf, len, &req->unpacked, err)) != PROTO_OK ||
	    (st = decode_envelope(req, id_out, err)) != PROTO_OK) {
		proto_request_free(&req);
		return st;
	}
	*out = req;
	return PROTO_OK;
}

void proto_request_free(struct proto_request **req)
{
	if (!req || !*req)
		return;
	msgpack_unpacked_destroy(&(*req)->unpacked);
	free(*req);
	*req = NULL;
}

/* ---- schema checks (PROTOCOL.md section 5 types) ---- */

/* Arrays up to this size are checked for repeats pairwise, larger sorted. */
#define CHECK_PAIRWISE_MAX 32

/*
 * NULL if s is well-formed UTF-8 (no overlongs, surrogates or code points
 * past U+10FFFF) without control characters (but line feeds and tabs when
 * `lines`), else what is wrong with it.
 */
static const char *check_text_lines(const char *str, size_t n, bool lines)
{
	const unsigned char *s = (const unsigned char *)str;

	for (size_t i = 0; i < n;) {
		unsigned char c = s[i], lo = 0x80, hi = 0xbf;
		size_t more;

		if (c < 0x80) {
			if ((c < 0x20 || c == 0x7f) && !(lines && (c == '\n' || c == '\t')))
				return "must not contain control characters";
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			more = 1;
		else if (c >= 0xe0 && c <= 0xef)
			more = 2, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
		else if (c >= 0xf0 && c <= 0xf4)
			more = 3, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
		else
			return "must be valid UTF-8";
		if (n - i - 1 < more || s[i + 1] < lo || s[i + 1] > hi)
			return "must be valid UTF-8";
		for (size_t k = 2; k <= more; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return "must be valid UTF-8";
		i += more + 1;
	}
	return NULL;
}

static const char *check_text(const char *str, size_t n)
{
	return check_text_lines(str, n, false);
}

/* "name" or "name[idx]" (idx >= 0) into err->field. */
static void check_name(struct proto_error *err, const char *name, long idx)
{
	if (idx < 0)
		snprintf(err->field, sizeof err->field, "%s", name);
	else
		snprintf(err->field, sizeof err->field, "%s[%ld]", name, idx);
}

__attribute__((format(printf, 4, 5)))
static enum proto_status check_fail(struct proto_error *err, const char *name,
                                    long idx, const char *fmt, ...)
{
	va_list ap;

	check_name(err, name, idx);
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, _(fmt), ap);
	va_end(ap);
	return PROTO_E_INVALID_FIELD;
}

static enum proto_status check_choice_fail(struct proto_error *err,
                                           const struct proto_field *f, long idx)
{
	char list[PROTO_MAX_MESSAGE_LEN - 32] = "";
	size_t used = 0;

	for (int i = 0; f->choices[i] && used < sizeof list; i++)
		used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
		                         i ? ", " : "", f->choices[i]);
	return check_fail(err, f->name, idx, "must be one of: %s", list);
}

static bool check_int_in(const msgpack_object *v, int64_t min, int64_t max)
{
	if (v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
		return v->via.i64 >= min && v->via.i64 <= max;
	return v->type == MSGPACK_OBJECT_POSITIVE_INTEGER && max >= 0 &&
	       v->via.u64 <= (uint64_t)max &&
	       (min <= 0 || v->via.u64 >= (uint64_t)min);
}

/* Items are ints or strs (one kind per array); orders them for repeats. */
static int check_item_order(const msgpack_object *x, const msgpack_object *y)
{
	if (x->type != MSGPACK_OBJECT_STR)
		return (x->via.u64 > y->via.u64) - (x->via.u64 < y->via.u64);
	if (x->via.str.size != y->via.str.size)
		return x->via.str.size < y->via.str.size ? -1 : 1;
	return memcmp(x->via.str.ptr, y->via.str.ptr, x->via.str.size);
}

/* qsort order: by value, then by position, so equal runs keep array order. */
static int check_item_cmp(const void *a, const void *b)
{
	const msgpack_object *x = *(const msgpack_object *const *)a;
	const msgpack_object *y = *(const msgpack_object *const *)b;
	int c = check_item_order(x, y);

	return c ? c : (x > y) - (x < y);
}

/*
 * Index of the first item that repeats an earlier one, -1 if none, -2 when
 * out of memory. Sorting keeps a 100000-item array from costing 5e9
 * comparisons.
 */
static long check_repeat(const msgpack_object_array *a)
{
	const msgpack_object **sorted;
	long found = -1;

	if (a->size <= CHECK_PAIRWISE_MAX) {
		for (uint32_t i = 1; i < a->size; i++)
			for (uint32_t j = 0; j < i; j++)
				if (check_item_order(&a->ptr[i], &a->ptr[j]) == 0)
					return (long)i;
		return -1;
	}
	sorted = malloc(a->size * sizeof *sorted);
	if (!sorted)
		return -2;
	for (uint32_t i = 0; i < a->size; i++)
		sorted[i] = &a->ptr[i];
	qsort(sorted, a->size, sizeof *sorted, check_item_cmp);
	for (uint32_t i = 1; i < a->size; i++) {
		long later = sorted[i] - a->ptr;
		if (check_item_order(sorted[i - 1], sorted[i]) == 0 &&
		    (found < 0 || later < found))
			found = later;
	}
	free(sorted);
	return found;
}

static enum proto_status check_repeat_fail(struct proto_error *err,
                                          const struct proto_field *f,
                                          const msgpack_object_array *a)
{
	long r = check_repeat(a);

	if (r == -2) {
		snprintf(err->field, sizeof err->field, "%s", f->name);
		snprintf(err->message, sizeof err->message, "out of memory");
		return PROTO_E_INTERNAL;
	}
	if (r >= 0)
		return check_fail(err, f->name, r, "repeats an earlier item");
	return PROTO_OK;
}

static enum proto_status check_str(const struct proto_field *f,
                                   const msgpack_object *v, struct proto_error *err)
{
	const char *bad;

	if (v->type != MSGPACK_OBJECT_STR || v->via.str.size < f->min ||
	    v->via.str.size > f->max)
		return check_fail(err, f->name, -1, "must be a string of %lld to %lld "
		                  "bytes", (long long)f->min, (long long)f->max);
	if ((bad = check_text_lines(v->via.str.ptr, v->via.str.size,
	                            f->flags & PROTO_F_LINES)))
		return check_fail(err, f->name, -1, "%s", bad);
	return PROTO_OK;
}

static enum proto_status check_int(const struct proto_field *f,
                                   const msgpack_object *v, struct proto_error *err)
{
	if (!check_int_in(v, f->min, f->max))
		return check_fail(err, f->name, -1, "must be an integer from %lld to "
		                  "%lld", (long long)f->min, (long long)f->max);
	return PROTO_OK;
}

static enum proto_status check_bool(const struct proto_field *f,
                                    const msgpack_object *v, struct proto_error *err)
{
	if (v->type != MSGPACK_OBJECT_BOOLEAN)
		return check_fail(err, f->name, -1, "must be true or false");
	return PROTO_OK;
}

static enum proto_status check_date(const struct proto_field *f,
                                    const msgpack_object *v, struct proto_error *err)
{
	int32_t days;

	if (v->type != MSGPACK_OBJECT_STR ||
	    !ident_date_parse(v->via.str.ptr, v->via.str.size, &days))
		return check_fail(err, f->name, -1, "must be a real date written "
		                  "YYYY-MM-DD, in the years 1900 to 2199");
	return PROTO_OK;
}

static enum proto_status check_enum(const struct proto_field *f,
                                    const msgpack_object *v, struct proto_error *err)
{
	if (v->type != MSGPACK_OBJECT_STR ||
	    proto_choice_index(f->choices, v->via.str.ptr, v->via.str.size) < 0)
		return check_choice_fail(err, f, -1);
	return PROTO_OK;
}

/* The array itself and its item count; items are checked by the caller. */
static enum proto_status check_array(const struct proto_field *f,
                                     const msgpack_object *v,
                                     const char *items, struct proto_error *err)
{
	if (v->type != MSGPACK_OBJECT_ARRAY || v->via.array.size < f->min ||
	    v->via.array.size > f->max)
		return check_fail(err, f->name, -1, "must be an array of %lld to %lld "
		                  "%s", (long long)f->min, (long long)f->max, items);
	return PROTO_OK;
}

static enum proto_status check_str_array(const struct proto_field *f,
                                         const msgpack_object *v,
                                         struct proto_error *err)
{
	enum proto_status st = check_array(f, v, "strings", err);

	for (uint32_t i = 0; st == PROTO_OK && i < v->via.array.size; i++) {
		const msgpack_object *it = &v->via.array.ptr[i];
		const char *bad;
		if (it->type != MSGPACK_OBJECT_STR || it->via.str.size < 1 ||
		    it->via.str.size > PROTO_ITEM_MAX)
			return check_fail(err, f->name, i, "must be a string of 1 to %d "
			                  "bytes", PROTO_ITEM_MAX);
		if ((bad = check_text(it->via.str.ptr, it->via.str.size)))
			return check_fail(err, f->name, i, "%s", bad);
	}
	return st == PROTO_OK ? check_repeat_fail(err, f, &v->via.array) : st;
}

static enum proto_status check_enum_array(const struct proto_field *f,
                                          const msgpack_object *v,
                                          struct proto_error *err)
{
	enum proto_status st = check_array(f, v, "items", err);
	uint64_t seen = 0;

	for (uint32_t i = 0; st == PROTO_OK && i < v->via.array.size; i++) {
		const msgpack_object *it = &v->via.array.ptr[i];
		int c = it->type != MSGPACK_OBJECT_STR ? -1 :
		        proto_choice_index(f->choices, it->via.str.ptr, it->via.str.size);
		if (c < 0)
			return check_choice_fail(err, f, i);
		assert(c < 64); /* choice lists are short, fixed tables */
		if (seen & (UINT64_C(1) << c))
			return check_fail(err, f->name, i, "repeats an earlier item");
		seen |= UINT64_C(1) << c;
	}
	return st;
}

static enum proto_status check_int_array(const struct proto_field *f,
                                         const msgpack_object *v,
                                         struct proto_error *err)
{
	enum proto_status st = check_array(f, v, "integers", err);

	for (uint32_t i = 0; st == PROTO_OK && i < v->via.array.size; i++)
		if (!check_int_in(&v->via.array.ptr[i], 1, INT64_MAX))
			return check_fail(err, f->name, i, "must be an integer of at "
			                  "least 1");
	return st == PROTO_OK ? check_repeat_fail(err, f, &v->via.array) : st;
}

static enum proto_status check_map_array(const struct proto_field *f,
                                         const msgpack_object *v,
                                         struct proto_error *err)
{
	enum proto_status st = check_array(f, v, "maps", err);
	struct proto_error sub;

	for (uint32_t i = 0; st == PROTO_OK && i < v->via.array.size; i++) {
		if ((st = proto_check_map(&v->via.array.ptr[i], f->sub, &sub)) == PROTO_OK)
			continue;
		/* Name the row's field the way a user would: "rows[3].phone". */
		check_name(err, f->name, i);
		if (sub.field[0]) {
			size_t n = strlen(err->field);
			snprintf(err->field + n, sizeof err->field - n, ".%s", sub.field);
		}
		memcpy(err->message, sub.message, sizeof err->message);
	}
	return st;
}

typedef enum proto_status (*check_fn)(const struct proto_field *,
                                      const msgpack_object *, struct proto_error *);
static const check_fn check_type[] = {
	[PROTO_T_STR] = check_str,
	[PROTO_T_INT] = check_int,
	[PROTO_T_BOOL] = check_bool,
	[PROTO_T_DATE] = check_date,
	[PROTO_T_ENUM] = check_enum,
	[PROTO_T_STR_ARRAY] = check_str_array,
	[PROTO_T_ENUM_ARRAY] = check_enum_array,
	[PROTO_T_INT_ARRAY] = check_int_array,
	[PROTO_T_MAP_ARRAY] = check_map_array,
};

static int check_field_index(const struct proto_field *schema, const msgpack_object *k)
{
	for (int i = 0; schema[i].name; i++)
		if (decode_is_str(k, schema[i].name))
			return i;
	return -1;
}

/*
 * Keys are matched against the schema before anything else, so the seen
 * bit set catches repeats in linear time whatever the map's size.
 */
enum proto_status proto_check_map(const msgpack_object *map,
                                  const struct proto_field *schema,
                                  struct proto_error *err)
{
	uint64_t seen = 0, present = 0;
	char name[PROTO_MAX_FIELD_LEN];
	enum proto_status st;

	err->field[0] = err->message[0] = '\0';
	if (map->type != MSGPACK_OBJECT_MAP)
		return check_fail(err, "", -1, "must be a map");
	for (uint32_t i = 0; i < map->via.map.size; i++) {
		const msgpack_object *k = &map->via.map.ptr[i].key;
		const msgpack_object *v = &map->via.map.ptr[i].val;
		int f;

		if (k->type != MSGPACK_OBJECT_STR)
			return check_fail(err, "", -1, "field names must be strings");
		if ((f = check_field_index(schema, k)) < 0) {
			decode_copy_printable(name, sizeof name, k->via.str.ptr,
			                      k->via.str.size);
			return check_fail(err, name, -1, "unknown field");
		}
		assert(f < 64); /* schemas are short, fixed tables */
		if (seen & (UINT64_C(1) << f))
			return check_fail(err, schema[f].name, -1, "duplicate field");
		seen |= UINT64_C(1) << f;
		if (v->type == MSGPACK_OBJECT_NIL)
			continue;
		present |= UINT64_C(1) << f;
		if ((st = check_type[schema[f].type](&schema[f], v, err)) != PROTO_OK)
			return st;
	}
	for (int f = 0; schema[f].name; f++)
		if ((schema[f].flags & PROTO_F_REQUIRED) && !(present & (UINT64_C(1) << f)))
			return check_fail(err, schema[f].name, -1,
			                  "required field is missing");
	return PROTO_OK;
}

/* ---- getters: only used on maps proto_check_map() accepted ---- */

const msgpack_object *proto_map_get(const msgpack_object *map, const char *key)
{
	if (!map || map->type != MSGPACK_OBJECT_MAP)
		return NULL;
	for (uint32_t i = 0; i < map->via.map.size; i++)
		if (decode_is_str(&map->via.map.ptr[i].key, key))
			return map->via.map.ptr[i].val.type == MSGPACK_OBJECT_NIL
			               ? NULL
			               : &map->via.map.ptr[i].val;
	return NULL;
}

bool proto_map_str(const msgpack_object *map, const char *key,
                   const char **p, size_t *len)
{
	const msgpack_object *v = proto_map_get(map, key);

	if (!v || v->type != MSGPACK_OBJECT_STR)
		return false;
	*p = v->via.str.ptr;
	*len = v->via.str.size;
	return true;
}

/* A string that does not fit is refused rather than silently cut. */
bool proto_map_strcpy(const msgpack_object *map, const char *key,
                      char *buf, size_t size)
{
	const char *p;
	size_t n;

	if (size > 0)
		buf[0] = '\0';
	if (!proto_map_str(map, key, &p, &n) || n >= size)
		return false;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return true;
}

int64_t proto_map_int(const msgpack_object *map, const char *key, int64_t def)
{
	const msgpack_object *v = proto_map_get(map, key);

	if (!v)
		return def;
	if (v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
		return v->via.i64;
	if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER && v->via.u64 <= INT64_MAX)
		return (int64_t)v->via.u64;
	return def;
}

bool proto_map_bool(const msgpack_object *map, const char *key, bool def)
{
	const msgpack_object *v = proto_map_get(map, key);

	return v && v->type == MSGPACK_OBJECT_BOOLEAN ? v->via.boolean : def;
}
