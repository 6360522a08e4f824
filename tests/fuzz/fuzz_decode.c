/*
 * fuzz_decode.c - libFuzzer target for the codec's two parsers of outside
 * bytes: requests (daemon side) and replies (client side). Beyond "no crash,
 * no leak", it checks what callers rely on: a decoded request is usable, and
 * an error reply built from a failed decode always decodes again intact.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(c) do { if (!(c)) abort(); } while (0)

/* A request that decoded must have a valid op, an id and a map of args. */
static void fuzz_check_request(const struct proto_request *req)
{
	FUZZ_CHECK(req->version == PROTO_VERSION);
	FUZZ_CHECK(proto_op_info(req->op) && !proto_op_info(req->op)->reserved);
	FUZZ_CHECK(req->id[0] != '\0' && strlen(req->id) <= PROTO_MAX_ID_LEN);
	FUZZ_CHECK(req->args && req->args->type == MSGPACK_OBJECT_MAP);
	for (const struct proto_field *f = proto_op_info(req->op)->fields; f->name; f++) {
		char buf[PROTO_ITEM_MAX * 4 + 1];
		(void)proto_arg_strcpy(req, f->name, buf, sizeof buf);
		(void)proto_arg_int(req, f->name, 0);
		(void)proto_arg_bool(req, f->name, false);
	}
}

/* The reply the daemon would send for this outcome must decode to itself. */
static void fuzz_check_reply_roundtrip(const char *id, enum proto_status st,
                                       const struct proto_error *err)
{
	msgpack_sbuffer sb;
	struct proto_reply rep;
	struct proto_error rerr;

	FUZZ_CHECK(strlen(err->field) < sizeof err->field);
	FUZZ_CHECK(strlen(err->message) < sizeof err->message);
	msgpack_sbuffer_init(&sb);
	proto_pack_reply(&sb, id, st, err->message, err->field, NULL, 0);
	FUZZ_CHECK(proto_decode_reply(sb.data, sb.size, &rep, &rerr));
	FUZZ_CHECK(rep.status == st);
	FUZZ_CHECK(strcmp(rep.id, id) == 0);
	FUZZ_CHECK(strcmp(rep.field, err->field) == 0);
	FUZZ_CHECK(strcmp(rep.message, err->message) == 0);
	proto_reply_release(&rep);
	msgpack_sbuffer_destroy(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_request *req = NULL;
	struct proto_reply rep;
	struct proto_error err;
	char id[PROTO_MAX_ID_LEN + 1];
	enum proto_status st;

	/* The scan and msgpack-c agree: what the scan passes, msgpack-c parses. */
	if (proto_scan(data, size, &err) == PROTO_OK) {
		msgpack_unpacked u;
		msgpack_unpacked_init(&u);
		FUZZ_CHECK(proto_unpack(data, size, &u, &err) == PROTO_OK);
		msgpack_unpacked_destroy(&u);
	}

	st = proto_decode_request(data, size, &req, id, &err);
	if (st == PROTO_OK) {
		FUZZ_CHECK(req != NULL);
		fuzz_check_request(req);
		FUZZ_CHECK(strcmp(req->id, id) == 0);
	} else {
		FUZZ_CHECK(req == NULL && err.message[0] != '\0');
	}
	fuzz_check_reply_roundtrip(id, st, &err);
	proto_request_free(&req);
	FUZZ_CHECK(req == NULL);

	if (proto_decode_reply(data, size, &rep, &err)) {
		FUZZ_CHECK(proto_status_name(rep.status) != NULL);
		proto_reply_release(&rep);
	}
	return 0;
}
