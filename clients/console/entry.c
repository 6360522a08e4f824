/*
 * entry.c - dispatch-log entries as JSON for the browsers (entry.h). The
 * daemon masks them, live and read back alike (STREAMS.md 3, PROTOCOL.md
 * 7.11.1 `masked`): the console never sees a birth date to drop.
 */
#include <string.h>

#include "entry.h"
#include "out.h"

/* The common shape; takes ownership of body_json. */
static json_t *entry_make(int64_t seq, int64_t at, json_t *type, const msgpack_object *hash,
                          json_t *body_json, bool head)
{
	char hex[2 * 32 + 1] = "";
	if (hash && hash->type == MSGPACK_OBJECT_BIN && hash->via.bin.size == 32)
		out_hex(hash->via.bin.ptr, 32, hex);
	json_t *j = json_object();
	json_object_set_new(j, "seq", json_integer(seq));
	json_object_set_new(j, "at", json_integer(at));
	json_object_set_new(j, "type", type ? type : json_null());
	json_object_set_new(j, "hash", json_string(hex));
	json_object_set_new(j, "entry", body_json ? body_json : json_null());
	json_object_set_new(j, "signed_head", json_boolean(head));
	return j;
}

json_t *entry_from_stream(const msgpack_object *body)
{
	if (body->type != MSGPACK_OBJECT_MAP)
		return NULL;
	const msgpack_object *type = proto_map_get(body, "type");
	return entry_make(proto_map_int(body, "seq", 0), proto_map_int(body, "at", 0),
	                  type ? out_json(type) : NULL, proto_map_get(body, "hash"),
	                  out_json(proto_map_get(body, "entry")), proto_map_get(body, "head"));
}

json_t *entry_from_bytes(const msgpack_object *bin)
{
	if (bin->type != MSGPACK_OBJECT_BIN)
		return NULL;
	msgpack_unpacked u;
	struct proto_error perr;
	json_t *e = NULL;
	msgpack_unpacked_init(&u);
	if (proto_unpack(bin->via.bin.ptr, bin->via.bin.size, &u, &perr) == PROTO_OK)
		e = entry_from_stream(&u.data);
	msgpack_unpacked_destroy(&u);
	return e;
}

int64_t entry_seq(const json_t *j)
{
	return json_integer_value(json_object_get(j, "seq"));
}
