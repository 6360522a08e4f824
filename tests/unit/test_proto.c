/*
 * test_proto.c - the wire codec: requests and replies survive a round trip,
 * and every class of malformed or invalid input gets the right status and
 * names the right field.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto.h"

/* ---- building messages ---- */

struct msg {
	msgpack_sbuffer sb;
	msgpack_packer pk;
};

static void msg_init(struct msg *m)
{
	msgpack_sbuffer_init(&m->sb);
	msgpack_packer_init(&m->pk, &m->sb, msgpack_sbuffer_write);
}

static void msg_free(struct msg *m)
{
	msgpack_sbuffer_destroy(&m->sb);
}

static void put_str(struct msg *m, const char *s)
{
	proto_pack_str(&m->pk, s);
}

/*
 * A request envelope whose op is given by wire name (so unknown ones can be
 * sent), followed by the header of an args map of nargs pairs.
 */
static msgpack_packer *req_begin(struct msg *m, const char *op, uint32_t nargs)
{
	msg_init(m);
	msgpack_pack_map(&m->pk, 4);
	proto_pack_kv_int(&m->pk, "v", PROTO_VERSION);
	proto_pack_kv_str(&m->pk, "id", "t-1");
	proto_pack_kv_str(&m->pk, "op", op);
	put_str(m, "args");
	msgpack_pack_map(&m->pk, nargs);
	return &m->pk;
}

static void put_str_array(msgpack_packer *pk, const char *const *items, size_t n)
{
	msgpack_pack_array(pk, n);
	for (size_t i = 0; i < n; i++)
		proto_pack_str(pk, items[i]);
}

/* One roster row; the fields a test wants wrong are chosen in opts. */
struct row_opts {
	const char *name;          /* default "张三" */
	const char *specialty2;    /* a second specialty, or NULL */
	const char *group2;        /* a second group type, or NULL */
	bool omit_phone;
	const char *extra_key;     /* an extra key with value true, or NULL */
};

static void put_row(msgpack_packer *pk, int line, const struct row_opts *o)
{
	const char *spec[2] = {"电工", o->specialty2};
	const char *groups[2] = {"training_review", o->group2};

	msgpack_pack_map(pk, 7 - o->omit_phone + (o->extra_key != NULL));
	proto_pack_kv_int(pk, "line", line);
	proto_pack_kv_str(pk, "name", o->name ? o->name : "张三");
	proto_pack_kv_str(pk, "sex", "female");
	proto_pack_kv_str(pk, "resident_id", "TEST-RESIDENT-ID-1");
	if (!o->omit_phone)
		proto_pack_kv_str(pk, "phone", "TEST-PHONE-1");
	proto_pack_str(pk, "specialties");
	put_str_array(pk, spec, o->specialty2 ? 2 : 1);
	proto_pack_str(pk, "group_types");
	put_str_array(pk, groups, o->group2 ? 2 : 1);
	if (o->extra_key)
		proto_pack_kv_bool(pk, o->extra_key, true);
}

/* pool.import.rows with the given rows. */
static void req_rows(struct msg *m, const struct row_opts *rows, int n)
{
	msgpack_packer *pk = req_begin(m, "pool.import.rows", 2);

	proto_pack_kv_int(pk, "import", 7);
	proto_pack_str(pk, "rows");
	msgpack_pack_array(pk, (size_t)n);
	for (int i = 0; i < n; i++)
		put_row(pk, i + 1, &rows[i]);
}

/* ---- decoding and checking ---- */

static char last_id[PROTO_MAX_ID_LEN + 1];

/* Decode, check the failure contract, free; returns the status. */
static enum proto_status decode_buf(const void *buf, size_t len, struct proto_error *err)
{
	struct proto_request *req = (struct proto_request *)1;
	enum proto_status st = proto_decode_request(buf, len, &req, last_id, err);

	if (st == PROTO_OK) {
		assert_non_null(req);
		assert_string_equal(req->id, last_id);
	} else {
		assert_null(req);
		assert_true(err->message[0] != '\0');
	}
	proto_request_free(&req);
	assert_null(req);
	return st;
}

static enum proto_status decode_msg(struct msg *m, struct proto_error *err)
{
	return decode_buf(m->sb.data, m->sb.size, err);
}

/* The message's decode ends in st, naming field; message frees m. */
static void expect(struct msg *m, enum proto_status st, const char *field)
{
	struct proto_error err;

	assert_int_equal(decode_msg(m, &err), st);
	if (st != PROTO_OK)
		assert_string_equal(err.field, field);
	msg_free(m);
}

/* Like expect(), and the message contains `words`. */
static void expect_msg(struct msg *m, enum proto_status st, const char *field,
                       const char *words)
{
	struct proto_error err;

	assert_int_equal(decode_msg(m, &err), st);
	assert_string_equal(err.field, field);
	if (!strstr(err.message, words))
		fail_msg("message \"%s\" lacks \"%s\"", err.message, words);
	msg_free(m);
}

static void expect_raw(const uint8_t *buf, size_t len, const char *words)
{
	struct proto_error err;

	assert_int_equal(proto_scan(buf, len, &err), PROTO_E_MALFORMED);
	if (words && !strstr(err.message, words))
		fail_msg("scan message \"%s\" lacks \"%s\"", err.message, words);
	assert_int_equal(decode_buf(buf, len, &err), PROTO_E_MALFORMED);
}

/* ---- round trips ---- */

static void test_roundtrip_ping(void **state)
{
	struct proto_request *req;
	struct proto_error err;
	char id[PROTO_MAX_ID_LEN + 1];
	msgpack_sbuffer sb;
	msgpack_packer pk;

	(void)state;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	proto_pack_request_head(&pk, "ping-42", PROTO_OP_PING);
	msgpack_pack_map(&pk, 0);
	assert_int_equal(proto_decode_request(sb.data, sb.size, &req, id, &err), PROTO_OK);
	assert_int_equal(req->op, PROTO_OP_PING);
	assert_int_equal(req->version, PROTO_VERSION);
	assert_string_equal(req->id, "ping-42");
	assert_string_equal(id, "ping-42");
	assert_int_equal(req->args->type, MSGPACK_OBJECT_MAP);
	assert_int_equal(req->args->via.map.size, 0);
	proto_request_free(&req);
	assert_null(req);
	proto_request_free(&req); /* NULL-safe */
	proto_request_free(NULL);
	msgpack_sbuffer_destroy(&sb);
}

/* Leaving "args" out means an empty map, always the same static object. */
static void test_roundtrip_args_absent(void **state)
{
	struct proto_request *a, *b;
	struct proto_error err;
	char id[PROTO_MAX_ID_LEN + 1];
	struct msg m;

	(void)state;
	msg_init(&m);
	msgpack_pack_map(&m.pk, 3);
	proto_pack_kv_int(&m.pk, "v", 1);
	proto_pack_kv_str(&m.pk, "id", "x");
	proto_pack_kv_str(&m.pk, "op", "term.list");
	assert_int_equal(proto_decode_request(m.sb.data, m.sb.size, &a, id, &err), PROTO_OK);
	assert_int_equal(proto_decode_request(m.sb.data, m.sb.size, &b, id, &err), PROTO_OK);
	assert_int_equal(a->op, PROTO_OP_TERM_LIST);
	assert_int_equal(a->args->type, MSGPACK_OBJECT_MAP);
	assert_int_equal(a->args->via.map.size, 0);
	assert_ptr_equal(a->args, b->args);
	proto_request_free(&a);
	proto_request_free(&b);
	msg_free(&m);
}

static void test_roundtrip_pool_list(void **state)
{
	msgpack_packer *pk;
	struct proto_request *req;
	struct proto_error err;
	char id[PROTO_MAX_ID_LEN + 1], spec[16], small[4];
	const char *p;
	size_t n;
	struct msg m;

	(void)state;
	pk = req_begin(&m, "pool.list", 4);
	proto_pack_kv_str(pk, "specialty", "电工");
	proto_pack_kv_str(pk, "status", "flagged");
	proto_pack_kv_int(pk, "limit", 1000);
	proto_pack_kv_int(pk, "offset", 0);
	assert_int_equal(proto_decode_request(m.sb.data, m.sb.size, &req, id, &err), PROTO_OK);
	assert_int_equal(req->op, PROTO_OP_POOL_LIST);
	assert_true(proto_arg_strcpy(req, "specialty", spec, sizeof spec));
	assert_string_equal(spec, "电工");
	assert_true(proto_arg_str(req, "status", &p, &n));
	assert_int_equal(n, 7);
	assert_memory_equal(p, "flagged", 7);
	assert_int_equal(proto_arg_int(req, "limit", 5), 1000);
	assert_int_equal(proto_arg_int(req, "offset", 5), 0);
	assert_int_equal(proto_arg_int(req, "term", 5), 5);         /* absent */
	assert_null(proto_arg(req, "group_type"));
	assert_false(proto_arg_strcpy(req, "group_type", spec, sizeof spec));
	/* "电工" is 6 bytes: refused, not cut, when the buffer is too small. */
	assert_false(proto_arg_strcpy(req, "specialty", small, sizeof small));
	assert_string_equal(small, "");
	assert_int_equal(proto_arg_int(req, "specialty", -1), -1); /* not an int */
	proto_request_free(&req);
	msg_free(&m);
}

static void test_roundtrip_term_ops(void **state)
{
	msgpack_packer *pk;
	struct proto_request *req;
	struct proto_error err;
	char id[PROTO_MAX_ID_LEN + 1];
	const msgpack_object *experts;
	struct msg m;

	(void)state;
	pk = req_begin(&m, "term.open", 1);
	proto_pack_kv_str(pk, "start", "2024-02-29");
	expect(&m, PROTO_OK, "");

	/* 40 experts: past the pairwise repeat check, through the sorted one. */
	pk = req_begin(&m, "term.renew", 3);
	proto_pack_kv_int(pk, "term", 2);
	proto_pack_kv_str(pk, "reason", "续聘 renewal");
	proto_pack_str(pk, "experts");
	msgpack_pack_array(pk, 40);
	for (int i = 0; i < 40; i++)
		msgpack_pack_int(pk, 1000 - i);
	assert_int_equal(proto_decode_request(m.sb.data, m.sb.size, &req, id, &err), PROTO_OK);
	assert_int_equal(req->op, PROTO_OP_TERM_RENEW);
	experts = proto_arg(req, "experts");
	assert_non_null(experts);
	assert_int_equal(experts->via.array.size, 40);
	assert_int_equal(experts->via.array.ptr[39].via.u64, 961);
	proto_request_free(&req);
	msg_free(&m);
}

static void test_roundtrip_import_rows(void **state)
{
	struct row_opts rows[2] = {{.specialty2 = "焊工", .group2 = "methods"},
	                           {.name = "李四"}};
	struct proto_request *req;
	struct proto_error err;
	char id[PROTO_MAX_ID_LEN + 1], name[32];
	const msgpack_object *r;
	struct msg m;

	(void)state;
	req_rows(&m, rows, 2);
	assert_int_equal(proto_decode_request(m.sb.data, m.sb.size, &req, id, &err), PROTO_OK);
	assert_int_equal(proto_arg_int(req, "import", 0), 7);
	r = proto_arg(req, "rows");
	assert_non_null(r);
	assert_int_equal(r->via.array.size, 2);
	assert_true(proto_map_strcpy(&r->via.array.ptr[1], "name", name, sizeof name));
	assert_string_equal(name, "李四");
	assert_int_equal(proto_map_int(&r->via.array.ptr[1], "line", 0), 2);
	/* A row passes proto_check_map() on its own, as the daemon re-checks it. */
	assert_int_equal(proto_check_map(&r->via.array.ptr[0], proto_import_row, &err),
	                 PROTO_OK);
	proto_request_free(&req);
	msg_free(&m);
}

/* The request copies the bytes: the caller may free or reuse its buffer. */
static void test_request_owns_its_bytes(void **state)
{
	struct proto_request *req;
	struct proto_error err;
	char id[PROTO_MAX_ID_LEN + 1];
	const char *p;
	size_t n;
	struct msg m;

	(void)state;
	proto_pack_kv_str(req_begin(&m, "pool.list", 1), "specialty", "钳工");
	assert_int_equal(proto_decode_request(m.sb.data, m.sb.size, &req, id, &err), PROTO_OK);
	memset(m.sb.data, 0xff, m.sb.size);
	msg_free(&m);
	assert_true(proto_arg_str(req, "specialty", &p, &n));
	assert_int_equal(n, strlen("钳工"));
	assert_memory_equal(p, "钳工", n);
	proto_request_free(&req);
}

/* nil counts as absent: allowed for optional fields, missing for required. */
static void test_nil_is_absent(void **state)
{
	msgpack_packer *pk;
	struct proto_request *req;
	struct proto_error err;
	char id[PROTO_MAX_ID_LEN + 1];
	struct msg m;

	(void)state;
	pk = req_begin(&m, "pool.show", 2);
	proto_pack_kv_int(pk, "expert", 3);
	proto_pack_str(pk, "reveal");
	msgpack_pack_nil(pk);
	assert_int_equal(proto_decode_request(m.sb.data, m.sb.size, &req, id, &err), PROTO_OK);
	assert_null(proto_arg(req, "reveal"));
	assert_true(proto_arg_bool(req, "reveal", true));
	proto_request_free(&req);
	msg_free(&m);

	pk = req_begin(&m, "pool.show", 1);
	proto_pack_str(pk, "expert");
	msgpack_pack_nil(pk);
	expect_msg(&m, PROTO_E_INVALID_FIELD, "expert", "required field is missing");
}

static void test_reply_roundtrip(void **state)
{
	msgpack_sbuffer sb, res;
	msgpack_packer pk;
	struct proto_reply rep;
	struct proto_error err;

	(void)state;
	msgpack_sbuffer_init(&res);
	msgpack_packer_init(&pk, &res, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 1);
	proto_pack_kv_int(&pk, "total", 12);
	msgpack_sbuffer_init(&sb);
	proto_pack_reply(&sb, "r-9", PROTO_E_INVALID_ROWS, "第3行无效", "rows[2].phone",
	                 res.data, res.size);
	assert_true(proto_decode_reply(sb.data, sb.size, &rep, &err));
	assert_string_equal(rep.id, "r-9");
	assert_int_equal(rep.status, PROTO_E_INVALID_ROWS);
	assert_string_equal(rep.status_name, "invalid_rows");
	assert_string_equal(rep.message, "第3行无效");
	assert_string_equal(rep.field, "rows[2].phone");
	assert_non_null(rep.result);
	assert_int_equal(proto_map_int(rep.result, "total", 0), 12);
	proto_reply_release(&rep);
	assert_null(rep.result);
	msgpack_sbuffer_destroy(&sb);

	/* Only id and status when there is nothing else to say. */
	msgpack_sbuffer_init(&sb);
	proto_pack_reply(&sb, "r-10", PROTO_OK, "", NULL, NULL, 0);
	assert_true(proto_decode_reply(sb.data, sb.size, &rep, &err));
	assert_int_equal(rep.unpacked.data.via.map.size, 2);
	assert_int_equal(rep.status, PROTO_OK);
	assert_string_equal(rep.message, "");
	assert_null(rep.result);
	proto_reply_release(&rep);
	msgpack_sbuffer_destroy(&sb);
	msgpack_sbuffer_destroy(&res);
}

static void test_reply_unusual(void **state)
{
	struct proto_reply rep;
	struct proto_error err;
	struct msg m;

	(void)state;
	/* A status this build lacks: internal, with the wire name kept; an
	 * unknown key (from a newer server) is skipped. */
	msg_init(&m);
	msgpack_pack_map(&m.pk, 3);
	proto_pack_kv_str(&m.pk, "id", "a");
	proto_pack_kv_str(&m.pk, "status", "quota_exceeded");
	proto_pack_kv_int(&m.pk, "retry_after", 5);
	assert_true(proto_decode_reply(m.sb.data, m.sb.size, &rep, &err));
	assert_int_equal(rep.status, PROTO_E_INTERNAL);
	assert_string_equal(rep.status_name, "quota_exceeded");
	proto_reply_release(&rep);
	msg_free(&m);

	/* No status. */
	msg_init(&m);
	msgpack_pack_map(&m.pk, 1);
	proto_pack_kv_str(&m.pk, "id", "a");
	assert_false(proto_decode_reply(m.sb.data, m.sb.size, &rep, &err));
	assert_string_equal(err.field, "status");
	proto_reply_release(&rep); /* safe after a failed decode */
	msg_free(&m);

	/* Not a map, and truncated bytes. */
	msg_init(&m);
	put_str(&m, "ok");
	assert_false(proto_decode_reply(m.sb.data, m.sb.size, &rep, &err));
	msg_free(&m);
	assert_false(proto_decode_reply("\x82\xa2id", 4, &rep, &err));
}

static void test_pack_request_head_shape(void **state)
{
	msgpack_unpacked u;
	struct proto_error err;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	const msgpack_object *o;

	(void)state;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	proto_pack_request_head(&pk, "h-1", PROTO_OP_CONFLICT_LIST);
	msgpack_pack_map(&pk, 1);
	proto_pack_kv_str(&pk, "org_code", "ORG-1");
	msgpack_unpacked_init(&u);
	assert_int_equal(proto_unpack(sb.data, sb.size, &u, &err), PROTO_OK);
	o = &u.data;
	assert_int_equal(o->via.map.size, 4);
	assert_int_equal(proto_map_int(o, "v", 0), PROTO_VERSION);
	assert_non_null(proto_map_get(o, "args"));
	assert_int_equal(proto_map_get(o, "args")->via.map.size, 1);
	msgpack_unpacked_destroy(&u);
	msgpack_sbuffer_destroy(&sb);
}

/* ---- malformed bytes ---- */

static void test_truncated_every_prefix(void **state)
{
	struct row_opts rows[2] = {{.specialty2 = "焊工"}, {.group2 = "methods"}};
	struct proto_error err;
	struct msg m;

	(void)state;
	req_rows(&m, rows, 2);
	assert_int_equal(decode_msg(&m, &err), PROTO_OK);
	for (size_t len = 0; len < m.sb.size; len++) {
		/* An exact-size copy, so ASan catches any read past the prefix. */
		uint8_t *p = malloc(len ? len : 1);
		memcpy(p, m.sb.data, len);
		assert_int_equal(proto_scan(p, len, &err), PROTO_E_MALFORMED);
		assert_int_equal(decode_buf(p, len, &err), PROTO_E_MALFORMED);
		free(p);
	}
	msg_free(&m);
}

static void test_trailing_bytes(void **state)
{
	struct proto_error err;
	struct msg m;
	size_t len;

	(void)state;
	req_begin(&m, "ping", 0);
	len = m.sb.size;
	msgpack_pack_nil(&m.pk);
	assert_int_equal(proto_scan(m.sb.data, m.sb.size, &err), PROTO_E_MALFORMED);
	assert_non_null(strstr(err.message, "trailing"));
	char at[32];
	snprintf(at, sizeof at, "at byte %zu", len);
	assert_non_null(strstr(err.message, at));
	expect(&m, PROTO_E_MALFORMED, "");
}

/* n nested arrays around a 1; empty_inner puts an empty array innermost. */
static void put_nested(struct msg *m, int n, bool empty_inner)
{
	for (int i = 0; i < n - empty_inner; i++)
		msgpack_pack_array(&m->pk, 1);
	if (empty_inner)
		msgpack_pack_array(&m->pk, 0);
	else
		msgpack_pack_int(&m->pk, 1);
}

static void test_depth_limit(void **state)
{
	struct proto_error err;
	struct msg m;

	(void)state;
	for (int empty = 0; empty <= 1; empty++) {
		msg_init(&m);
		put_nested(&m, PROTO_MAX_DEPTH, empty);
		assert_int_equal(proto_scan(m.sb.data, m.sb.size, &err), PROTO_OK);
		msg_free(&m);
		msg_init(&m);
		put_nested(&m, PROTO_MAX_DEPTH + 1, empty);
		assert_int_equal(proto_scan(m.sb.data, m.sb.size, &err), PROTO_E_MALFORMED);
		assert_non_null(strstr(err.message, "nested deeper"));
		assert_non_null(strstr(err.message, "at byte 6"));
		msg_free(&m);
	}
	/* In a request: envelope and args take two levels, so 5 more is too deep. */
	proto_pack_str(req_begin(&m, "pool.list", 1), "specialty");
	put_nested(&m, PROTO_MAX_DEPTH - 1, false);
	expect(&m, PROTO_E_MALFORMED, "");
}

/*
 * Tiny messages declaring huge lengths: rejected by the scan before
 * msgpack-c can size an allocation from them (msgpack-c issue #1013).
 */
static void test_huge_declared_lengths(void **state)
{
	static const struct {
		uint8_t b[12];
		size_t len;
		const char *words;
	} cases[] = {
		{{0xdd, 0xff, 0xff, 0xff, 0xff, 0x01}, 6, "array declares 4294967295"},
		{{0xdf, 0xff, 0xff, 0xff, 0xff, 0x01, 0x02}, 7, "map declares 4294967295"},
		{{0xdb, 0xff, 0xff, 0xff, 0xff, 'a'}, 6, "str declares 4294967295"},
		{{0xc6, 0xff, 0xff, 0xff, 0xff, 0x00}, 6, "bin declares 4294967295"},
		{{0xdc, 0xff, 0xff, 0x01, 0x02}, 5, "array declares 65535"},
		{{0xde, 0x00, 0x03, 0x01, 0x02, 0x03, 0x04, 0x05}, 8, "map declares 3"},
		{{0x94, 0x01, 0x02, 0x03}, 4, "array declares 4"},
		{{0xa5, 'a', 'b', 'c', 'd'}, 5, "str declares 5"},
		/* {"args": array32 of 2^32-1} in 12 bytes, its header at byte 6 */
		{{0x81, 0xa4, 'a', 'r', 'g', 's', 0xdd, 0xff, 0xff, 0xff, 0xff, 0x01},
		 12, "at byte 6"},
	};
	struct proto_error err;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		expect_raw(cases[i].b, cases[i].len, cases[i].words);
	/* The boundary: exactly as many items as bytes left is fine. */
	assert_int_equal(proto_scan("\x93\x01\x02\x03", 4, &err), PROTO_OK);
}

static void test_ext_and_c1(void **state)
{
	static const uint8_t ext_types[] = {0xc7, 0xc8, 0xc9, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8};
	/* {"a": 1, "b": <ext>} with the ext header at byte 6 */
	uint8_t b[32] = {0x82, 0xa1, 'a', 0x01, 0xa1, 'b'};
	char words[64];

	(void)state;
	for (size_t i = 0; i < sizeof ext_types; i++) {
		b[6] = ext_types[i];
		memset(b + 7, 0x01, 20); /* enough payload for any of them */
		snprintf(words, sizeof words, "ext type 0x%02x is not allowed at byte 6",
		         ext_types[i]);
		expect_raw(b, 7 + 20, words);
	}
	b[6] = 0xc1;
	expect_raw(b, 7, "0xc1 is not a msgpack type byte at byte 6");
	expect_raw((const uint8_t *)"", 0, "empty");
}

static void test_element_limit(void **state)
{
	struct proto_error err;
	struct msg m;

	(void)state;
	msg_init(&m);
	msgpack_pack_array(&m.pk, PROTO_MAX_ELEMENTS);
	for (int i = 0; i < PROTO_MAX_ELEMENTS; i++)
		msgpack_pack_nil(&m.pk);
	assert_int_equal(proto_scan(m.sb.data, m.sb.size, &err), PROTO_OK);
	msg_free(&m);

	/* Over the limit, counting map pairs and array items together. */
	msg_init(&m);
	msgpack_pack_map(&m.pk, 1);
	msgpack_pack_nil(&m.pk);
	msgpack_pack_array(&m.pk, PROTO_MAX_ELEMENTS);
	for (int i = 0; i < PROTO_MAX_ELEMENTS; i++)
		msgpack_pack_nil(&m.pk);
	assert_int_equal(proto_scan(m.sb.data, m.sb.size, &err), PROTO_E_MALFORMED);
	assert_non_null(strstr(err.message, "element count"));
	msg_free(&m);
}

/* Every scalar type msgpack has, except ext, passes the scan and decodes. */
static void test_scan_accepts_all_types(void **state)
{
	static const char bin[300] = {0};
	struct proto_error err;
	msgpack_unpacked u;
	struct msg m;

	(void)state;
	msg_init(&m);
	msgpack_pack_array(&m.pk, 17);
	msgpack_pack_nil(&m.pk);
	msgpack_pack_true(&m.pk);
	msgpack_pack_false(&m.pk);
	msgpack_pack_int(&m.pk, -5);
	msgpack_pack_uint8(&m.pk, 200);
	msgpack_pack_uint16(&m.pk, 60000);
	msgpack_pack_uint32(&m.pk, 4000000000u);
	msgpack_pack_uint64(&m.pk, UINT64_MAX);
	msgpack_pack_int64(&m.pk, INT64_MIN);
	msgpack_pack_float(&m.pk, 1.5f);
	msgpack_pack_double(&m.pk, 2.5);
	msgpack_pack_str(&m.pk, 40);
	msgpack_pack_str_body(&m.pk, bin, 40);
	msgpack_pack_str(&m.pk, 300);
	msgpack_pack_str_body(&m.pk, bin, 300);
	msgpack_pack_bin(&m.pk, 3);
	msgpack_pack_bin_body(&m.pk, bin, 3);
	msgpack_pack_bin(&m.pk, 300);
	msgpack_pack_bin_body(&m.pk, bin, 300);
	msgpack_pack_array(&m.pk, 16);
	for (int i = 0; i < 16; i++)
		msgpack_pack_int(&m.pk, i);
	msgpack_pack_map(&m.pk, 16);
	for (int i = 0; i < 32; i++)
		msgpack_pack_int(&m.pk, i);
	msgpack_unpacked_init(&u);
	assert_int_equal(proto_unpack(m.sb.data, m.sb.size, &u, &err), PROTO_OK);
	assert_int_equal(u.data.via.array.size, 17);
	assert_int_equal(u.data.via.array.ptr[7].via.u64, UINT64_MAX);
	msgpack_unpacked_destroy(&u);
	msg_free(&m);
}

/* ---- the envelope ---- */

static void test_top_level_not_map(void **state)
{
	struct msg m;

	(void)state;
	msg_init(&m);
	msgpack_pack_array(&m.pk, 0);
	expect_msg(&m, PROTO_E_MALFORMED, "", "must be a msgpack map");
	msg_init(&m);
	put_str(&m, "ping");
	expect(&m, PROTO_E_MALFORMED, "");
	msg_init(&m);
	msgpack_pack_int(&m.pk, 1);
	expect(&m, PROTO_E_MALFORMED, "");
}

/* An envelope with the given id packer (NULL: no id), v and op. */
static void env(struct msg *m, int64_t v, const char *id, const char *op)
{
	msg_init(m);
	msgpack_pack_map(&m->pk, id ? 3 : 2);
	proto_pack_kv_int(&m->pk, "v", v);
	if (id)
		proto_pack_kv_str(&m->pk, "id", id);
	proto_pack_kv_str(&m->pk, "op", op);
}

static void test_request_id(void **state)
{
	char id64[PROTO_MAX_ID_LEN + 2];
	struct msg m;

	(void)state;
	memset(id64, 'a', sizeof id64);
	id64[PROTO_MAX_ID_LEN] = '\0';
	env(&m, 1, id64, "ping");
	expect(&m, PROTO_OK, "");
	assert_string_equal(last_id, id64);

	id64[PROTO_MAX_ID_LEN] = 'a';
	id64[PROTO_MAX_ID_LEN + 1] = '\0';
	env(&m, 1, id64, "ping");
	expect(&m, PROTO_E_MALFORMED, "id");
	assert_string_equal(last_id, "");

	static const char *const bad[] = {"", "a b", "请求", "tab\tid", "del\x7f"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		env(&m, 1, bad[i], "ping");
		expect(&m, PROTO_E_MALFORMED, "id");
		assert_string_equal(last_id, "");
	}
	env(&m, 1, NULL, "ping");
	expect(&m, PROTO_E_MALFORMED, "id");

	msg_init(&m); /* an integer id */
	msgpack_pack_map(&m.pk, 3);
	proto_pack_kv_int(&m.pk, "v", 1);
	proto_pack_kv_int(&m.pk, "id", 5);
	proto_pack_kv_str(&m.pk, "op", "ping");
	expect(&m, PROTO_E_MALFORMED, "id");
}

static void test_version(void **state)
{
	struct msg m;

	(void)state;
	/* The id is known even though the version is refused, for the reply. */
	env(&m, 2, "v-2", "ping");
	expect_msg(&m, PROTO_E_UNSUPPORTED_VERSION, "v", "version 1");
	assert_string_equal(last_id, "v-2");
	env(&m, -1, "v-neg", "ping");
	expect(&m, PROTO_E_UNSUPPORTED_VERSION, "v");
	env(&m, 0, "v-0", "ping");
	expect(&m, PROTO_E_UNSUPPORTED_VERSION, "v");

	msg_init(&m);
	msgpack_pack_map(&m.pk, 2);
	proto_pack_kv_str(&m.pk, "id", "no-v");
	proto_pack_kv_str(&m.pk, "op", "ping");
	expect(&m, PROTO_E_MALFORMED, "v");
	assert_string_equal(last_id, "no-v");

	msg_init(&m);
	msgpack_pack_map(&m.pk, 3);
	proto_pack_kv_str(&m.pk, "v", "1");
	proto_pack_kv_str(&m.pk, "id", "v-str");
	proto_pack_kv_str(&m.pk, "op", "ping");
	expect(&m, PROTO_E_MALFORMED, "v");
}

static void test_op(void **state)
{
	struct msg m;

	(void)state;
	env(&m, 1, "op-1", "pool.explode");
	expect_msg(&m, PROTO_E_UNKNOWN_OP, "op", "\"pool.explode\"");
	assert_string_equal(last_id, "op-1");
	env(&m, 1, "op-2", "log.query");
	expect_msg(&m, PROTO_E_NOT_IMPLEMENTED, "op", "\"log.query\"");
	env(&m, 1, "op-3", "stats"); /* served since PROTOCOL.md 7.12.8: args optional */
	expect(&m, PROTO_OK, NULL);
	msgpack_packer *pk = req_begin(&m, "stats", 1);
	proto_pack_kv_int(pk, "top", 100);
	expect(&m, PROTO_OK, NULL);
	pk = req_begin(&m, "stats", 1);
	proto_pack_kv_int(pk, "top", 101);
	expect(&m, PROTO_E_INVALID_FIELD, "top");
	pk = req_begin(&m, "stats", 1);
	proto_pack_kv_int(pk, "top", 0);
	expect(&m, PROTO_E_INVALID_FIELD, "top");

	msg_init(&m); /* op missing */
	msgpack_pack_map(&m.pk, 2);
	proto_pack_kv_int(&m.pk, "v", 1);
	proto_pack_kv_str(&m.pk, "id", "op-4");
	expect(&m, PROTO_E_MALFORMED, "op");

	msg_init(&m); /* op not a string */
	msgpack_pack_map(&m.pk, 3);
	proto_pack_kv_int(&m.pk, "v", 1);
	proto_pack_kv_str(&m.pk, "id", "op-5");
	proto_pack_kv_int(&m.pk, "op", 0);
	expect(&m, PROTO_E_MALFORMED, "op");
}

static void test_envelope_keys(void **state)
{
	struct msg m;

	(void)state;
	env(&m, 1, "e-1", "ping");
	m.sb.data[0] = (char)0x84; /* one more pair than packed, added next */
	proto_pack_kv_bool(&m.pk, "extra", true);
	expect_msg(&m, PROTO_E_MALFORMED, "extra", "unknown request key");
	assert_string_equal(last_id, "e-1");

	env(&m, 1, "e-2", "ping");
	m.sb.data[0] = (char)0x84;
	proto_pack_kv_str(&m.pk, "op", "ping");
	expect_msg(&m, PROTO_E_MALFORMED, "op", "duplicate");

	/* A repeated id is not echoed: which one would the client match? */
	env(&m, 1, "e-3", "ping");
	m.sb.data[0] = (char)0x84;
	proto_pack_kv_str(&m.pk, "id", "e-4");
	expect(&m, PROTO_E_MALFORMED, "id");
	assert_string_equal(last_id, "");

	env(&m, 1, "e-5", "ping");
	m.sb.data[0] = (char)0x84;
	msgpack_pack_int(&m.pk, 3);
	msgpack_pack_int(&m.pk, 4);
	expect_msg(&m, PROTO_E_MALFORMED, "", "not a string");

	env(&m, 1, "e-6", "ping");
	m.sb.data[0] = (char)0x84;
	proto_pack_kv_str(&m.pk, "args", "none");
	expect(&m, PROTO_E_MALFORMED, "args");

	env(&m, 1, "e-7", "ping");
	m.sb.data[0] = (char)0x84;
	put_str(&m, "args");
	msgpack_pack_nil(&m.pk);
	expect(&m, PROTO_OK, "");
}

/* lang (5.3): which language the message is in, nothing else. */
static enum proto_lang decode_lang_of(const char *lang, enum proto_status want)
{
	struct proto_request *req = NULL;
	struct proto_error err;
	char id[PROTO_MAX_ID_LEN + 1];
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	proto_pack_request_head_lang(&pk, "l-1", PROTO_OP_PING, lang);
	msgpack_pack_map(&pk, 0);
	assert_int_equal(proto_decode_request(sb.data, sb.size, &req, id, &err), want);
	enum proto_lang got = req ? req->lang : err.lang;
	if (want != PROTO_OK)
		assert_string_equal(err.field, "lang");
	proto_request_free(&req);
	msgpack_sbuffer_destroy(&sb);
	return got;
}

static void test_envelope_lang(void **state)
{
	(void)state;
	assert_int_equal(decode_lang_of(NULL, PROTO_OK), PROTO_LANG_EN);
	assert_int_equal(decode_lang_of("en", PROTO_OK), PROTO_LANG_EN);
	assert_int_equal(decode_lang_of("zh-CN", PROTO_OK), PROTO_LANG_ZH);
	assert_int_equal(decode_lang_of("zh", PROTO_OK), PROTO_LANG_ZH);
	assert_int_equal(decode_lang_of("ZH_cn", PROTO_OK), PROTO_LANG_ZH);
	assert_int_equal(decode_lang_of("zh-Hans-CN", PROTO_OK), PROTO_LANG_ZH);
	assert_int_equal(decode_lang_of("zu", PROTO_OK), PROTO_LANG_EN);
	assert_int_equal(decode_lang_of("zha", PROTO_OK), PROTO_LANG_EN);
	decode_lang_of("z", PROTO_E_MALFORMED);
	decode_lang_of("zh-0123456789012345678901234567890123", PROTO_E_MALFORMED);
	/* A refused envelope still says the language it asked for. */
	struct msg m;
	env(&m, 1, "l-2", "ping");
	m.sb.data[0] = (char)0x85;
	proto_pack_kv_str(&m.pk, "lang", "zh-CN");
	proto_pack_kv_bool(&m.pk, "extra", true);
	struct proto_error err;
	assert_int_equal(decode_buf(m.sb.data, m.sb.size, &err), PROTO_E_MALFORMED);
	assert_string_equal(err.field, "extra");
	assert_int_equal(err.lang, PROTO_LANG_ZH);
	msgpack_sbuffer_destroy(&m.sb);
}

/* ---- argument schemas ---- */

static void test_unknown_and_duplicate_args(void **state)
{
	msgpack_packer *pk;
	struct msg m;

	(void)state;
	pk = req_begin(&m, "pool.list", 2);
	proto_pack_kv_int(pk, "limit", 10);
	proto_pack_kv_str(pk, "colour", "red");
	expect_msg(&m, PROTO_E_INVALID_FIELD, "colour", "unknown field");
	assert_string_equal(last_id, "t-1");

	pk = req_begin(&m, "ping", 1);
	proto_pack_kv_int(pk, "limit", 10);
	expect(&m, PROTO_E_INVALID_FIELD, "limit");

	pk = req_begin(&m, "pool.list", 2);
	proto_pack_kv_int(pk, "limit", 1);
	proto_pack_kv_int(pk, "limit", 2);
	expect_msg(&m, PROTO_E_INVALID_FIELD, "limit", "duplicate");

	/* An unknown key is named with its unprintable bytes replaced. */
	pk = req_begin(&m, "pool.list", 1);
	proto_pack_kv_int(pk, "\x1b[31mé", 1);
	expect(&m, PROTO_E_INVALID_FIELD, "?[31m??");

	pk = req_begin(&m, "pool.list", 1);
	msgpack_pack_int(pk, 1);
	msgpack_pack_int(pk, 2);
	expect(&m, PROTO_E_INVALID_FIELD, "");
}

static void test_wrong_types(void **state)
{
	msgpack_packer *pk;
	struct msg m;

	(void)state;
	proto_pack_kv_str(req_begin(&m, "pool.list", 1), "limit", "10");
	expect(&m, PROTO_E_INVALID_FIELD, "limit");
	pk = req_begin(&m, "pool.list", 1);
	proto_pack_str(pk, "limit");
	msgpack_pack_double(pk, 10.0);
	expect(&m, PROTO_E_INVALID_FIELD, "limit");
	proto_pack_kv_int(req_begin(&m, "pool.import.begin", 1), "skip_invalid", 1);
	expect_msg(&m, PROTO_E_INVALID_FIELD, "skip_invalid", "true or false");
	proto_pack_kv_int(req_begin(&m, "term.open", 1), "start", 20240301);
	expect(&m, PROTO_E_INVALID_FIELD, "start");
	proto_pack_kv_int(req_begin(&m, "pool.list", 1), "specialty", 3);
	expect(&m, PROTO_E_INVALID_FIELD, "specialty");
	pk = req_begin(&m, "term.renew", 2);
	proto_pack_kv_int(pk, "term", 1);
	proto_pack_kv_str(pk, "experts", "1,2");
	expect(&m, PROTO_E_INVALID_FIELD, "experts");
	pk = req_begin(&m, "pool.list", 1);
	proto_pack_str(pk, "specialty");
	msgpack_pack_bin(pk, 2);
	msgpack_pack_bin_body(pk, "ab", 2);
	expect(&m, PROTO_E_INVALID_FIELD, "specialty");
}

static void test_int_range(void **state)
{
	msgpack_packer *pk;
	struct msg m;

	(void)state;
	proto_pack_kv_int(req_begin(&m, "pool.list", 1), "limit", 0);
	expect_msg(&m, PROTO_E_INVALID_FIELD, "limit", "must be an integer from 1 to 1000");
	proto_pack_kv_int(req_begin(&m, "pool.list", 1), "limit", 1001);
	expect(&m, PROTO_E_INVALID_FIELD, "limit");
	proto_pack_kv_int(req_begin(&m, "pool.list", 1), "limit", -5);
	expect(&m, PROTO_E_INVALID_FIELD, "limit");
	proto_pack_kv_int(req_begin(&m, "pool.list", 1), "limit", 1);
	expect(&m, PROTO_OK, "");
	proto_pack_kv_int(req_begin(&m, "pool.import.commit", 1), "import", INT64_MAX);
	expect(&m, PROTO_OK, "");
	pk = req_begin(&m, "pool.import.commit", 1);
	proto_pack_str(pk, "import");
	msgpack_pack_uint64(pk, (uint64_t)INT64_MAX + 1);
	expect(&m, PROTO_E_INVALID_FIELD, "import");
	/* 5 sent as a signed int8 (0xd0 0x05) is still a positive integer. */
	pk = req_begin(&m, "pool.list", 1);
	proto_pack_str(pk, "limit");
	msgpack_sbuffer_write(&m.sb, "\xd0\x05", 2);
	expect(&m, PROTO_OK, "");
}

static void test_missing_required(void **state)
{
	msgpack_packer *pk;
	struct msg m;

	(void)state;
	req_begin(&m, "term.open", 0);
	expect_msg(&m, PROTO_E_INVALID_FIELD, "start", "required field is missing");
	proto_pack_kv_int(req_begin(&m, "pool.suspend", 1), "expert", 3);
	expect(&m, PROTO_E_INVALID_FIELD, "reason");
	/* No "args" at all is an empty map: required fields are still missing. */
	env(&m, 1, "r-1", "pool.import.commit");
	expect(&m, PROTO_E_INVALID_FIELD, "import");
	pk = req_begin(&m, "pool.suspend", 2);
	proto_pack_kv_int(pk, "expert", 3);
	proto_pack_kv_str(pk, "reason", "");
	expect_msg(&m, PROTO_E_INVALID_FIELD, "reason", "1 to 512 bytes");
}

/* The outputs for the file (PROTOCOL.md 7.16): their fields and limits. */
static void test_file_output_schemas(void **state)
{
	msgpack_packer *pk;
	struct msg m;

	(void)state;
	pk = req_begin(&m, "pool.export", 5);
	proto_pack_kv_bool(pk, "reveal", true);
	proto_pack_kv_str(pk, "reason", "年度归档");
	proto_pack_kv_str(pk, "status", "active");
	proto_pack_kv_int(pk, "offset", 1000);
	proto_pack_kv_int(pk, "limit", 1000);
	expect(&m, PROTO_OK, "");
	proto_pack_kv_int(req_begin(&m, "pool.export", 1), "limit", 1001);
	expect(&m, PROTO_E_INVALID_FIELD, "limit");
	proto_pack_kv_str(req_begin(&m, "pool.export", 1), "status", "gone");
	expect(&m, PROTO_E_INVALID_FIELD, "status");
	proto_pack_kv_str(req_begin(&m, "pool.export", 1), "expert", "1");
	expect(&m, PROTO_E_INVALID_FIELD, "expert");               /* unknown */
	req_begin(&m, "term.publicity", 0);
	expect(&m, PROTO_E_INVALID_FIELD, "term");
	proto_pack_kv_int(req_begin(&m, "term.publicity", 1), "term", 10000);
	expect(&m, PROTO_E_INVALID_FIELD, "term");
	req_begin(&m, "task.sheet", 0);
	expect(&m, PROTO_E_INVALID_FIELD, "task");
	pk = req_begin(&m, "ledger.work", 3);
	proto_pack_kv_str(pk, "from", "2026-01-01");
	proto_pack_kv_str(pk, "to", "2026-06-30");
	proto_pack_kv_str(pk, "bureau", "440105");
	expect(&m, PROTO_OK, "");
	proto_pack_kv_str(req_begin(&m, "ledger.work", 1), "from", "2026-01-01");
	expect(&m, PROTO_E_INVALID_FIELD, "to");
	pk = req_begin(&m, "ledger.work", 2);
	proto_pack_kv_str(pk, "from", "2026-02-30");
	proto_pack_kv_str(pk, "to", "2026-06-30");
	expect_msg(&m, PROTO_E_INVALID_FIELD, "from", "YYYY-MM-DD");
}

static void test_dates(void **state)
{
	static const char *const bad[] = {
		"2023-02-29", "2024-13-01", "2024-1-01", "2024-00-10", "2024-04-31",
		"1899-12-31", "2200-01-01", "2024/01/01", "2024-01-01 ", ""};
	struct msg m;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		proto_pack_kv_str(req_begin(&m, "term.open", 1), "start", bad[i]);
		expect_msg(&m, PROTO_E_INVALID_FIELD, "start", "YYYY-MM-DD");
	}
	static const char *const good[] = {"2024-02-29", "1900-01-01", "2199-12-31"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		proto_pack_kv_str(req_begin(&m, "term.open", 1), "start", good[i]);
		expect(&m, PROTO_OK, "");
	}
}

static void test_enums(void **state)
{
	struct row_opts row = {.group2 = "training_review"};
	struct msg m;

	(void)state;
	proto_pack_kv_str(req_begin(&m, "pool.list", 1), "status", "deleted");
	expect_msg(&m, PROTO_E_INVALID_FIELD, "status",
	           "must be one of: active, suspended, flagged, revoked");
	proto_pack_kv_str(req_begin(&m, "pool.list", 1), "status", "Active");
	expect(&m, PROTO_E_INVALID_FIELD, "status");
	req_rows(&m, &row, 1);
	expect_msg(&m, PROTO_E_INVALID_FIELD, "rows[0].group_types[1]", "repeats");
	row.group2 = "cooking";
	req_rows(&m, &row, 1);
	expect_msg(&m, PROTO_E_INVALID_FIELD, "rows[0].group_types[1]",
	           "must be one of: training_review, skill_evaluation, methods");
}

static void test_strings(void **state)
{
	static const char *const bad_utf8[] = {
		"\xc0\xaf", "\xed\xa0\x80", "\xe4\xb8", "\xf4\x90\x80\x80", "\xff", "a\x80"};
	char long_reason[514];
	msgpack_packer *pk;
	struct msg m;

	(void)state;
	for (size_t i = 0; i < sizeof bad_utf8 / sizeof bad_utf8[0]; i++) {
		pk = req_begin(&m, "pool.suspend", 2);
		proto_pack_kv_int(pk, "expert", 1);
		proto_pack_kv_str(pk, "reason", bad_utf8[i]);
		expect_msg(&m, PROTO_E_INVALID_FIELD, "reason", "UTF-8");
	}
	static const char *const controls[] = {"line\nbreak", "nul\x01", "del\x7f"};
	for (size_t i = 0; i < sizeof controls / sizeof controls[0]; i++) {
		pk = req_begin(&m, "pool.suspend", 2);
		proto_pack_kv_int(pk, "expert", 1);
		proto_pack_kv_str(pk, "reason", controls[i]);
		expect_msg(&m, PROTO_E_INVALID_FIELD, "reason", "control characters");
	}
	memset(long_reason, 'x', sizeof long_reason);
	long_reason[513] = '\0';
	pk = req_begin(&m, "pool.suspend", 2);
	proto_pack_kv_int(pk, "expert", 1);
	proto_pack_kv_str(pk, "reason", long_reason);
	expect(&m, PROTO_E_INVALID_FIELD, "reason");
	long_reason[512] = '\0';
	pk = req_begin(&m, "pool.suspend", 2);
	proto_pack_kv_int(pk, "expert", 1);
	proto_pack_kv_str(pk, "reason", long_reason);
	expect(&m, PROTO_OK, "");
	pk = req_begin(&m, "pool.suspend", 2);
	proto_pack_kv_int(pk, "expert", 1);
	proto_pack_kv_str(pk, "reason", "长期不参加委派任务 \xf0\x9f\x98\x80");
	expect(&m, PROTO_OK, "");
}

static void test_string_arrays(void **state)
{
	char long_item[PROTO_ITEM_MAX + 2];
	struct row_opts row = {.specialty2 = "电工"};
	struct msg m;

	(void)state;
	req_rows(&m, &row, 1);
	expect_msg(&m, PROTO_E_INVALID_FIELD, "rows[0].specialties[1]", "repeats");
	row.specialty2 = "";
	req_rows(&m, &row, 1);
	expect(&m, PROTO_E_INVALID_FIELD, "rows[0].specialties[1]");
	memset(long_item, 'y', sizeof long_item);
	long_item[PROTO_ITEM_MAX + 1] = '\0';
	row.specialty2 = long_item;
	req_rows(&m, &row, 1);
	expect(&m, PROTO_E_INVALID_FIELD, "rows[0].specialties[1]");
	long_item[PROTO_ITEM_MAX] = '\0';
	req_rows(&m, &row, 1);
	expect(&m, PROTO_OK, "");
	row.specialty2 = "tab\there";
	req_rows(&m, &row, 1);
	expect_msg(&m, PROTO_E_INVALID_FIELD, "rows[0].specialties[1]",
	           "control characters");
}

/*
 * term.renew with n experts numbered from first; the items at dup_at and
 * every dup_step after it repeat the first one.
 */
static void req_experts(struct msg *m, uint32_t n, int64_t first, long dup_at,
                        long dup_step)
{
	msgpack_packer *pk = req_begin(m, "term.renew", 2);

	proto_pack_kv_int(pk, "term", 1);
	proto_pack_str(pk, "experts");
	msgpack_pack_array(pk, n);
	for (uint32_t i = 0; i < n; i++)
		msgpack_pack_int64(pk, dup_at >= 0 && (long)i >= dup_at &&
		                       ((long)i - dup_at) % dup_step == 0 ? first : first + i);
}

static void test_array_counts_and_items(void **state)
{
	struct row_opts row = {0};
	struct msg m;

	(void)state;
	req_experts(&m, 100000, 1, -1, 1);
	expect(&m, PROTO_OK, "");
	req_experts(&m, 100001, 1, -1, 1);
	expect_msg(&m, PROTO_E_INVALID_FIELD, "experts", "1 to 100000");
	req_experts(&m, 0, 1, -1, 1);
	expect(&m, PROTO_E_INVALID_FIELD, "experts");
	req_experts(&m, 3, 0, -1, 1);
	expect_msg(&m, PROTO_E_INVALID_FIELD, "experts[0]", "at least 1");
	req_experts(&m, 3, 1, 2, 1);
	expect(&m, PROTO_E_INVALID_FIELD, "experts[2]");
	/* Sorted path: of several repeats, the first one is named. */
	req_experts(&m, 5000, 1, 4321, 97);
	expect_msg(&m, PROTO_E_INVALID_FIELD, "experts[4321]", "repeats");

	/* Four specialties where at most three are allowed. */
	msgpack_packer *pk = req_begin(&m, "pool.import.rows", 2);
	proto_pack_kv_int(pk, "import", 1);
	proto_pack_str(pk, "rows");
	msgpack_pack_array(pk, 1);
	msgpack_pack_map(pk, 7);
	proto_pack_kv_int(pk, "line", 1);
	proto_pack_kv_str(pk, "name", "王五");
	proto_pack_kv_str(pk, "sex", "male");
	proto_pack_kv_str(pk, "resident_id", "R");
	proto_pack_kv_str(pk, "phone", "P");
	proto_pack_str(pk, "specialties");
	put_str_array(pk, (const char *const[]){"a", "b", "c", "d"}, 4);
	proto_pack_str(pk, "group_types");
	put_str_array(pk, (const char *const[]){"methods"}, 1);
	expect_msg(&m, PROTO_E_INVALID_FIELD, "rows[0].specialties", "1 to 3 strings");

	/* Zero rows, and more rows than allowed. */
	req_rows(&m, &row, 0);
	expect(&m, PROTO_E_INVALID_FIELD, "rows");
	struct row_opts *many = calloc(1001, sizeof *many);
	assert_non_null(many);
	req_rows(&m, many, 1000);
	expect(&m, PROTO_OK, "");
	req_rows(&m, many, 1001);
	expect_msg(&m, PROTO_E_INVALID_FIELD, "rows", "1 to 1000 maps");
	free(many);
}

static void test_map_array_rows(void **state)
{
	struct row_opts rows[3] = {{0}, {.name = ""}, {0}};
	struct msg m;

	(void)state;
	req_rows(&m, rows, 2);
	expect_msg(&m, PROTO_E_INVALID_FIELD, "rows[1].name", "1 to 64 bytes");
	rows[1] = (struct row_opts){.extra_key = "nickname"};
	req_rows(&m, rows, 3);
	expect_msg(&m, PROTO_E_INVALID_FIELD, "rows[1].nickname", "unknown field");
	rows[1] = (struct row_opts){0};
	/* A row missing a required field is the row's problem, reported with
	 * its others by pool.import.rows (PROTOCOL.md 7.5.4), not a schema
	 * error that would refuse the whole call. */
	rows[2] = (struct row_opts){.omit_phone = true};
	req_rows(&m, rows, 3);
	expect(&m, PROTO_OK, NULL);

	msgpack_packer *pk = req_begin(&m, "pool.import.rows", 2);
	proto_pack_kv_int(pk, "import", 1);
	proto_pack_str(pk, "rows");
	msgpack_pack_array(pk, 2);
	put_row(pk, 1, &rows[0]);
	msgpack_pack_int(pk, 5);
	expect_msg(&m, PROTO_E_INVALID_FIELD, "rows[1]", "must be a map");
}

/* The 推荐表's free text may span lines (PROTOCOL.md 5.5 `text`); its
 * one-line kept fields and every other string may not. */
static void test_text_fields(void **state)
{
	static const struct {
		const char *key, *value;
		enum proto_status want;
	} cases[] = {
		{"experience", "2010年起任考评员\n\t2018年起任督导员", PROTO_OK},
		{"achievements", "a\nb", PROTO_OK},
		{"recommendation", "同意推荐\n（盖章）", PROTO_OK},
		{"experience", "a\x01b", PROTO_E_INVALID_FIELD},
		{"recommendation", "a\rb", PROTO_E_INVALID_FIELD},
		{"education", "本科\n硕士", PROTO_E_INVALID_FIELD},
		{"address", "a\tb", PROTO_E_INVALID_FIELD},
		{"recommender_kind", "center", PROTO_OK},
		{"recommender_kind", "self", PROTO_E_INVALID_FIELD},
	};
	struct msg m;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		msgpack_packer *pk = req_begin(&m, "pool.import.rows", 2);
		proto_pack_kv_int(pk, "import", 1);
		proto_pack_str(pk, "rows");
		msgpack_pack_array(pk, 1);
		msgpack_pack_map(pk, 2);
		proto_pack_kv_int(pk, "line", 2);
		proto_pack_kv_str(pk, cases[i].key, cases[i].value);
		char field[64];
		snprintf(field, sizeof field, "rows[0].%s", cases[i].key);
		expect(&m, cases[i].want, cases[i].want == PROTO_OK ? NULL : field);
	}
}

/* appointment.decide: the decision is one of two words; the 聘书's
 * number at most 64 bytes; the date a date. */
static void test_appointment_decide_schema(void **state)
{
	struct msg m;
	msgpack_packer *pk;

	(void)state;
	pk = req_begin(&m, "appointment.decide", 5);
	proto_pack_kv_int(pk, "expert", 1);
	proto_pack_kv_str(pk, "decision", "appoint");
	proto_pack_kv_str(pk, "opinion", "同意聘任");
	proto_pack_kv_str(pk, "certificate", "穗职建聘〔2026〕1号");
	proto_pack_kv_str(pk, "certificate_date", "2026-12-07");
	expect(&m, PROTO_OK, NULL);
	pk = req_begin(&m, "appointment.decide", 3);
	proto_pack_kv_int(pk, "expert", 1);
	proto_pack_kv_str(pk, "decision", "approve");
	proto_pack_kv_str(pk, "opinion", "同意");
	expect(&m, PROTO_E_INVALID_FIELD, "decision");
	pk = req_begin(&m, "appointment.decide", 2);
	proto_pack_kv_int(pk, "expert", 1);
	proto_pack_kv_str(pk, "decision", "reject");
	expect(&m, PROTO_E_INVALID_FIELD, "opinion");
	pk = req_begin(&m, "appointment.decide", 4);
	proto_pack_kv_int(pk, "expert", 1);
	proto_pack_kv_str(pk, "decision", "appoint");
	proto_pack_kv_str(pk, "opinion", "同意");
	proto_pack_kv_str(pk, "certificate_date", "2026-02-30");
	expect(&m, PROTO_E_INVALID_FIELD, "certificate_date");
}

/* assignment.correct (PROTOCOL.md 7.12.16): the schema checks each
 * field; which of attendance, answer and decline_reason go together is
 * the handler's rule. */
static void test_assignment_correct_schema(void **state)
{
	struct msg m;
	msgpack_packer *pk;

	(void)state;
	pk = req_begin(&m, "assignment.correct", 3);
	proto_pack_kv_int(pk, "assignment", 12);
	proto_pack_kv_str(pk, "attendance", "completed");
	proto_pack_kv_str(pk, "reason", "签到表漏记");
	expect(&m, PROTO_OK, NULL);
	pk = req_begin(&m, "assignment.correct", 3);
	proto_pack_kv_int(pk, "assignment", 12);
	proto_pack_kv_str(pk, "decline_reason", "illness");
	proto_pack_kv_str(pk, "reason", "病假条");
	expect(&m, PROTO_OK, NULL);
	pk = req_begin(&m, "assignment.correct", 2);
	proto_pack_kv_int(pk, "assignment", 12);
	proto_pack_kv_str(pk, "attendance", "completed");
	expect(&m, PROTO_E_INVALID_FIELD, "reason");
	pk = req_begin(&m, "assignment.correct", 3);
	proto_pack_kv_int(pk, "assignment", 12);
	proto_pack_kv_str(pk, "attendance", "present");
	proto_pack_kv_str(pk, "reason", "x");
	expect(&m, PROTO_E_INVALID_FIELD, "attendance");
	pk = req_begin(&m, "assignment.correct", 3);
	proto_pack_kv_int(pk, "assignment", 12);
	proto_pack_kv_str(pk, "decline_reason", "lazy");
	proto_pack_kv_str(pk, "reason", "x");
	expect(&m, PROTO_E_INVALID_FIELD, "decline_reason");
	pk = req_begin(&m, "assignment.correct", 3);
	proto_pack_kv_int(pk, "assignment", 12);
	proto_pack_kv_str(pk, "answer", "accept");
	proto_pack_kv_str(pk, "reason", "电话核实");
	expect(&m, PROTO_OK, NULL);
	pk = req_begin(&m, "assignment.correct", 3);
	proto_pack_kv_int(pk, "assignment", 12);
	proto_pack_kv_str(pk, "answer", "maybe");
	proto_pack_kv_str(pk, "reason", "x");
	expect(&m, PROTO_E_INVALID_FIELD, "answer");
	pk = req_begin(&m, "assignment.correct", 3);
	proto_pack_kv_int(pk, "assignment", 0);
	proto_pack_kv_str(pk, "attendance", "no_show");
	proto_pack_kv_str(pk, "reason", "x");
	expect(&m, PROTO_E_INVALID_FIELD, "assignment");
}

static void test_check_map_direct(void **state)
{
	static const msgpack_object not_map = {.type = MSGPACK_OBJECT_BOOLEAN};
	struct proto_error err;

	(void)state;
	assert_int_equal(proto_check_map(&not_map, proto_import_row, &err),
	                 PROTO_E_INVALID_FIELD);
	assert_null(proto_map_get(NULL, "x"));
	assert_null(proto_map_get(&not_map, "x"));
	assert_int_equal(proto_map_int(&not_map, "x", 9), 9);
	assert_false(proto_map_bool(&not_map, "x", false));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_ping),
		cmocka_unit_test(test_roundtrip_args_absent),
		cmocka_unit_test(test_roundtrip_pool_list),
		cmocka_unit_test(test_roundtrip_term_ops),
		cmocka_unit_test(test_roundtrip_import_rows),
		cmocka_unit_test(test_request_owns_its_bytes),
		cmocka_unit_test(test_nil_is_absent),
		cmocka_unit_test(test_reply_roundtrip),
		cmocka_unit_test(test_reply_unusual),
		cmocka_unit_test(test_pack_request_head_shape),
		cmocka_unit_test(test_truncated_every_prefix),
		cmocka_unit_test(test_trailing_bytes),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_huge_declared_lengths),
		cmocka_unit_test(test_ext_and_c1),
		cmocka_unit_test(test_element_limit),
		cmocka_unit_test(test_scan_accepts_all_types),
		cmocka_unit_test(test_top_level_not_map),
		cmocka_unit_test(test_request_id),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_op),
		cmocka_unit_test(test_envelope_keys),
		cmocka_unit_test(test_envelope_lang),
		cmocka_unit_test(test_unknown_and_duplicate_args),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_int_range),
		cmocka_unit_test(test_missing_required),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_file_output_schemas),
		cmocka_unit_test(test_enums),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_string_arrays),
		cmocka_unit_test(test_array_counts_and_items),
		cmocka_unit_test(test_map_array_rows),
		cmocka_unit_test(test_text_fields),
		cmocka_unit_test(test_appointment_decide_schema),
		cmocka_unit_test(test_assignment_correct_schema),
		cmocka_unit_test(test_check_map_direct),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
