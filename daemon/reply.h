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

struct reply {
	msgpack_sbuffer result;   /* one packed msgpack object, or empty */
	msgpack_packer pk;        /* packs into result */
	char message[PROTO_MAX_MESSAGE_LEN];
	char field[PROTO_MAX_FIELD_LEN];
	bool keep_result_on_error; /* errors with details (row errors, counts) */
	bool keep_changes_on_error; /* commit what the handler wrote anyway
	                               (a failed draw's transcript) */
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

/* Build the envelope for request id `id` with status st into out (which is
 * cleared first). */
void reply_build(const struct reply *r, const char *id, enum proto_status st,
                 msgpack_sbuffer *out);

#endif
