/*
 * reply.h - what a handler hands back: a status, an optional result object
 * and, on error, a message and the field at fault. reply_build() is the one
 * place a reply envelope is made.
 */
#ifndef EXPERTD_REPLY_H
#define EXPERTD_REPLY_H

#include <stdbool.h>

#include <msgpack.h>

#include "proto.h"
#include "sign.h"
#include "token.h"

/* Most tokens one reply can carry: every seat of a panel. */
#define REPLY_TOKENS_MAX 64

struct reply_token {
	int64_t assignment;
	char text[TOKEN_STR_MAX];
};

struct reply {
	msgpack_sbuffer result;   /* one packed msgpack object, or empty */
	msgpack_packer pk;        /* packs into result */
	char message[PROTO_MAX_MESSAGE_LEN];
	char field[PROTO_MAX_FIELD_LEN];
	bool keep_result_on_error; /* errors with details (row errors, counts) */
	bool keep_changes_on_error; /* commit what the handler wrote anyway
	                               (a failed draw's transcript) */
	bool store_damaged;       /* the store found its file corrupt
	                             (handler_store_error(), STORE_CORRUPT) */
	/* One-time tokens made by the request: in the live reply only, never
	 * in the recorded one (PROTOCOL.md 5.4, 6.2). */
	struct reply_token tokens[REPLY_TOKENS_MAX];
	size_t n_tokens;
};

void reply_init(struct reply *r);
/* Drop any result and message; ready for the next request. */
void reply_reset(struct reply *r);
void reply_free(struct reply *r);

/* The packer for the result object (pack exactly one object). */
msgpack_packer *reply_result(struct reply *r);

/*
 * Record an error; returns st so handlers can `return reply_error(...)`.
 * field may be NULL. The message must never hold unmasked personal data.
 */
enum proto_status reply_error(struct reply *r, enum proto_status st,
                              const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Show a seat's token in the live reply; false when the reply is full
 * (the token then reaches the expert only through notifications). */
bool reply_add_token(struct reply *r, int64_t assignment, const char *text);

/* What a recorded reply proves (PROTOCOL.md 5.4.1): the last entry the
 * request appended, and the signed head it was committed under. */
struct reply_receipt {
	int64_t seq;
	uint8_t hash[SIGN_HASH_LEN];
	int64_t head_seq;
	uint8_t head_hash[SIGN_HASH_LEN];
	uint8_t sig[SIGN_SIG_LEN];
	uint8_t key[SIGN_PUBLIC_LEN];   /* the signing public key */
};

/* Add `receipt` to an envelope reply_build() made, once the batch that
 * made it is committed and its head signed. */
void reply_add_receipt(msgpack_sbuffer *envelope, const struct reply_receipt *rc);

/* Build the envelope for request id `id` with status st into out (which is
 * cleared first); with_tokens adds the tokens (live replies only). */
void reply_build(const struct reply *r, const char *id, enum proto_status st,
                 bool with_tokens, msgpack_sbuffer *out);

#endif
