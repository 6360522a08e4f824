/*
 * reply.c - handler results and the single reply builder.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "reply.h"
#include "i18n.h"

void reply_init(struct reply *r)
{
	memset(r, 0, sizeof *r);
	msgpack_sbuffer_init(&r->result);
	msgpack_packer_init(&r->pk, &r->result, msgpack_sbuffer_write);
}

void reply_reset(struct reply *r)
{
	msgpack_sbuffer_clear(&r->result);
	r->message[0] = '\0';
	r->field[0] = '\0';
	r->keep_result_on_error = false;
	r->keep_changes_on_error = false;
	r->store_damaged = false;
	sodium_memzero(r->tokens, sizeof r->tokens);
	r->n_tokens = 0;
}

void reply_free(struct reply *r)
{
	msgpack_sbuffer_destroy(&r->result);
}

msgpack_packer *reply_result(struct reply *r)
{
	return &r->pk;
}

enum proto_status reply_error(struct reply *r, enum proto_status st,
                              const char *field, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->message, sizeof r->message, _(fmt), ap);
	va_end(ap);
	snprintf(r->field, sizeof r->field, "%s", field ? field : "");
	return st;
}

bool reply_add_token(struct reply *r, int64_t assignment, const char *text)
{
	if (r->n_tokens == REPLY_TOKENS_MAX)
		return false;
	struct reply_token *t = &r->tokens[r->n_tokens++];
	t->assignment = assignment;
	snprintf(t->text, sizeof t->text, "%s", text);
	return true;
}

void reply_build(const struct reply *r, const char *id, enum proto_status st,
                 bool with_tokens, msgpack_sbuffer *out)
{
	bool with_result = st == PROTO_OK || r->keep_result_on_error;
	msgpack_sbuffer tokens;
	msgpack_packer pk;

	msgpack_sbuffer_init(&tokens);
	if (with_tokens && st == PROTO_OK && r->n_tokens) {
		msgpack_packer_init(&pk, &tokens, msgpack_sbuffer_write);
		msgpack_pack_map(&pk, (uint32_t)r->n_tokens);
		/* Keys are the ids in decimal: many msgpack and JSON readers
		 * refuse integer map keys. */
		for (size_t i = 0; i < r->n_tokens; i++) {
			char key[24];
			snprintf(key, sizeof key, "%lld", (long long)r->tokens[i].assignment);
			proto_pack_str(&pk, key);
			proto_pack_str(&pk, r->tokens[i].text);
		}
	}
	msgpack_sbuffer_clear(out);
	proto_pack_reply_tokens(out, id, st,
	                        st == PROTO_OK ? NULL : r->message,
	                        st == PROTO_OK ? NULL : r->field,
	                        with_result ? r->result.data : NULL,
	                        with_result ? r->result.size : 0,
	                        tokens.data, tokens.size);
	if (tokens.data)
		sodium_memzero(tokens.data, tokens.size);
	msgpack_sbuffer_destroy(&tokens);
}

static void reply_pack_bin(msgpack_packer *pk, const char *k, const uint8_t *b, size_t n)
{
	proto_pack_str(pk, k);
	msgpack_pack_bin(pk, n);
	msgpack_pack_bin_body(pk, b, n);
}

void reply_add_receipt(msgpack_sbuffer *envelope, const struct reply_receipt *rc)
{
	/* The envelope is a fixmap of at most 6 keys (reply_build): one more
	 * key is its first byte plus one and a pair at the end. */
	uint8_t *top = (uint8_t *)envelope->data;
	assert(envelope->size > 0 && (top[0] & 0xf0) == 0x80 && (top[0] & 0x0f) < 15);
	top[0]++;
	msgpack_packer pk;
	msgpack_packer_init(&pk, envelope, msgpack_sbuffer_write);
	proto_pack_str(&pk, "receipt");
	msgpack_pack_map(&pk, 6);
	proto_pack_kv_int(&pk, "seq", rc->seq);
	reply_pack_bin(&pk, "hash", rc->hash, sizeof rc->hash);
	proto_pack_kv_int(&pk, "head_seq", rc->head_seq);
	reply_pack_bin(&pk, "head_hash", rc->head_hash, sizeof rc->head_hash);
	reply_pack_bin(&pk, "sig", rc->sig, sizeof rc->sig);
	reply_pack_bin(&pk, "key", rc->key, sizeof rc->key);
}
