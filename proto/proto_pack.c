/*
 * proto_pack.c - builds request and reply envelopes, and decodes replies on
 * the client side. Replies are built here and nowhere else, so every reply
 * has the same shape whichever handler produced it.
 */
#include <string.h>

#include "proto.h"

void proto_pack_strn(msgpack_packer *pk, const char *s, size_t n)
{
	msgpack_pack_str(pk, n);
	msgpack_pack_str_body(pk, s, n);
}

void proto_pack_str(msgpack_packer *pk, const char *s)
{
	proto_pack_strn(pk, s, strlen(s));
}

void proto_pack_kv_str(msgpack_packer *pk, const char *k, const char *v)
{
	proto_pack_str(pk, k);
	proto_pack_str(pk, v);
}

void proto_pack_kv_int(msgpack_packer *pk, const char *k, int64_t v)
{
	proto_pack_str(pk, k);
	msgpack_pack_int64(pk, v);
}

void proto_pack_kv_bool(msgpack_packer *pk, const char *k, bool v)
{
	proto_pack_str(pk, k);
	if (v)
		msgpack_pack_true(pk);
	else
		msgpack_pack_false(pk);
}

void proto_pack_request_head(msgpack_packer *pk, const char *id, enum proto_op op)
{
	proto_pack_request_head_lang(pk, id, op, NULL);
}

void proto_pack_request_head_lang(msgpack_packer *pk, const char *id,
                                  enum proto_op op, const char *lang)
{
	bool has_lang = lang && *lang;
	msgpack_pack_map(pk, 4 + has_lang);
	proto_pack_kv_int(pk, "v", PROTO_VERSION);
	proto_pack_kv_str(pk, "id", id);
	proto_pack_kv_str(pk, "op", proto_op_name(op));
	if (has_lang)
		proto_pack_kv_str(pk, "lang", lang);
	proto_pack_str(pk, "args");
}

/* The length of s without a UTF-8 sequence cut short at its end (a
 * message cut to its buffer, whose translation may be Chinese). */
static size_t pack_utf8_len(const char *s)
{
	size_t n = strlen(s), i = n, back = 0;
	while (i > 0 && back < 4 && ((unsigned char)s[i - 1] & 0xC0) == 0x80) {
		i--;
		back++;
	}
	if (i == 0 || ((unsigned char)s[i - 1] & 0x80) == 0)
		return n;                     /* ASCII last, or nothing to check */
	unsigned char lead = (unsigned char)s[i - 1];
	size_t need = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
	return back == need ? n : i - 1;
}

void proto_pack_reply_tokens(msgpack_sbuffer *sb, const char *id,
                             enum proto_status st, const char *message,
                             const char *field, const void *result,
                             size_t result_len, const void *tokens,
                             size_t tokens_len)
{
	bool has_message = message && *message, has_field = field && *field;
	bool has_result = result && result_len > 0;
	bool has_tokens = tokens && tokens_len > 0;
	msgpack_packer pk;

	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 2 + has_message + has_field + has_result + has_tokens);
	proto_pack_kv_str(&pk, "id", id ? id : "");
	proto_pack_kv_str(&pk, "status", proto_status_name(st));
	if (has_message) {
		proto_pack_str(&pk, "message");
		size_t n = pack_utf8_len(message);
		msgpack_pack_str(&pk, n);
		msgpack_pack_str_body(&pk, message, n);
	}
	if (has_field)
		proto_pack_kv_str(&pk, "field", field);
	if (has_result) {
		proto_pack_str(&pk, "result");
		msgpack_sbuffer_write(sb, result, result_len);
	}
	if (has_tokens) {
		proto_pack_str(&pk, "tokens");
		msgpack_sbuffer_write(sb, tokens, tokens_len);
	}
}

void proto_pack_reply(msgpack_sbuffer *sb, const char *id, enum proto_status st,
                      const char *message, const char *field,
                      const void *result, size_t result_len)
{
	proto_pack_reply_tokens(sb, id, st, message, field, result, result_len,
	                        NULL, 0);
}

/* ---- replies (client side) ---- */

enum reply_key { RKEY_ID, RKEY_STATUS, RKEY_MESSAGE, RKEY_FIELD, RKEY_RESULT,
	         RKEY_TOKENS, RKEY_RECEIPT, RKEY__COUNT };
static const char *const pack_reply_keys[RKEY__COUNT] = {
	"id", "status", "message", "field", "result", "tokens", "receipt"};

static bool pack_is_str(const msgpack_object *o, const char *s)
{
	return o->type == MSGPACK_OBJECT_STR && o->via.str.size == strlen(s) &&
	       memcmp(o->via.str.ptr, s, o->via.str.size) == 0;
}

/*
 * Copy reply text into a fixed buffer: control bytes become '?' (the text
 * ends up on terminals and in logs), and a cut never splits a UTF-8
 * character.
 */
static void pack_copy_text(char *dst, size_t size, const msgpack_object *o)
{
	const char *s = o->via.str.ptr;
	size_t n = o->via.str.size, i = n < size - 1 ? n : size - 1;

	if (i < n)
		while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80)
			i--;
	for (size_t j = 0; j < i; j++)
		dst[j] = (unsigned char)s[j] < 0x20 || s[j] == 0x7f ? '?' : s[j];
	dst[i] = '\0';
}

static bool pack_reply_fail(struct proto_error *err, const char *field,
                            const char *message)
{
	strcpy(err->field, field);
	strcpy(err->message, message);
	return false;
}

/*
 * Sort the reply's values into slots. Keys this build does not know are
 * skipped: a newer server may add some.
 */
static bool pack_reply_slots(const msgpack_object *top,
                             const msgpack_object *slot[RKEY__COUNT],
                             struct proto_error *err)
{
	if (top->type != MSGPACK_OBJECT_MAP)
		return pack_reply_fail(err, "", "a reply must be a msgpack map");
	for (uint32_t i = 0; i < top->via.map.size; i++) {
		for (int j = 0; j < RKEY__COUNT; j++) {
			if (!pack_is_str(&top->via.map.ptr[i].key, pack_reply_keys[j]))
				continue;
			if (slot[j])
				return pack_reply_fail(err, pack_reply_keys[j],
				                       "duplicate key in reply");
			slot[j] = &top->via.map.ptr[i].val;
		}
	}
	for (int j = RKEY_ID; j <= RKEY_FIELD; j++)
		if (slot[j] && slot[j]->type != MSGPACK_OBJECT_STR)
			return pack_reply_fail(err, pack_reply_keys[j], "must be a string");
	if (!slot[RKEY_ID] || slot[RKEY_ID]->via.str.size > PROTO_MAX_ID_LEN)
		return pack_reply_fail(err, "id", "reply id missing or too long");
	if (!slot[RKEY_STATUS])
		return pack_reply_fail(err, "status", "reply status missing");
	return true;
}

bool proto_decode_reply(const void *buf, size_t len, struct proto_reply *out,
                        struct proto_error *err)
{
	const msgpack_object *slot[RKEY__COUNT] = {NULL};

	memset(out, 0, sizeof *out);
	msgpack_unpacked_init(&out->unpacked);
	if (proto_unpack(buf, len, &out->unpacked, err) != PROTO_OK ||
	    !pack_reply_slots(&out->unpacked.data, slot, err)) {
		proto_reply_release(out);
		return false;
	}
	pack_copy_text(out->id, sizeof out->id, slot[RKEY_ID]);
	pack_copy_text(out->status_name, sizeof out->status_name, slot[RKEY_STATUS]);
	/* A code this build lacks still fails the call; the name is kept. */
	if (!proto_status_lookup(slot[RKEY_STATUS]->via.str.ptr,
	                         slot[RKEY_STATUS]->via.str.size, &out->status))
		out->status = PROTO_E_INTERNAL;
	if (slot[RKEY_MESSAGE])
		pack_copy_text(out->message, sizeof out->message, slot[RKEY_MESSAGE]);
	if (slot[RKEY_FIELD])
		pack_copy_text(out->field, sizeof out->field, slot[RKEY_FIELD]);
	out->result = slot[RKEY_RESULT];
	/* Only a map of tokens is one; anything else is ignored. */
	if (slot[RKEY_TOKENS] && slot[RKEY_TOKENS]->type == MSGPACK_OBJECT_MAP)
		out->tokens = slot[RKEY_TOKENS];
	if (slot[RKEY_RECEIPT] && slot[RKEY_RECEIPT]->type == MSGPACK_OBJECT_MAP)
		out->receipt = slot[RKEY_RECEIPT];
	return true;
}

void proto_reply_release(struct proto_reply *rep)
{
	if (!rep)
		return;
	msgpack_unpacked_destroy(&rep->unpacked);
	rep->result = NULL;
	rep->tokens = NULL;
	rep->receipt = NULL;
}
