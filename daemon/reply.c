/*
 * reply.c - handler results and the single reply builder.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "reply.h"

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
	vsnprintf(r->message, sizeof r->message, fmt, ap);
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
