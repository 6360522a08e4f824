/*
 * reply.c - handler results and the single reply builder.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

void reply_build(const struct reply *r, const char *id, enum proto_status st,
                 msgpack_sbuffer *out)
{
	bool with_result = st == PROTO_OK || r->keep_result_on_error;
	msgpack_sbuffer_clear(out);
	proto_pack_reply(out, id, st,
	                 st == PROTO_OK ? NULL : r->message,
	                 st == PROTO_OK ? NULL : r->field,
	                 with_result ? r->result.data : NULL,
	                 with_result ? r->result.size : 0);
}
