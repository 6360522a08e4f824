/*
 * entry.c - dispatch-log entries as JSON for the browsers (entry.h). The
 * catch-up from audit.entries must carry no more than the live stream:
 * the log keeps each expert's birth date (DRAW.md 4.5), which the stream
 * replaces by a masked name; the console has no name to give, so nil.
 * Whatever the daemon changes before it publishes, the console changes
 * the same way here.
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

/* A copy of expert with `birth` replaced, at its place, by `name` nil. */
static json_t *entry_unbirth(json_t *expert)
{
	json_t *out = json_object();
	const char *k;
	json_t *v;
	json_object_foreach(expert, k, v) {
		if (strcmp(k, "birth") == 0)
			json_object_set_new(out, "name", json_null());
		else
			json_object_set(out, k, v);
	}
	return out;
}

/* Any birth date left anywhere in j (none today, DRAW.md 4.5) is not
 * shown at all rather than shown in full. */
static void entry_scrub(json_t *j)
{
	const char *k;
	json_t *v;
	size_t i;
	if (json_is_object(j)) {
		json_object_del(j, "birth");
		json_object_foreach(j, k, v)
			entry_scrub(v);
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			entry_scrub(v);
	}
}

/* The daemon's changes to a decoded log body before it publishes it
 * (STREAMS.md 3; daemon/publish.c): pool.expert and expert.flagged (which
 * has pool.expert's body) lose the birth date, transcripts get names. */
static void entry_mask(const char *type, json_t *body)
{
	if (!json_is_object(body))
		return;
	json_t *expert = json_object_get(body, "expert");
	if ((strcmp(type, "pool.expert") == 0 || strcmp(type, "expert.flagged") == 0) &&
	    json_is_object(expert))
		json_object_set_new(body, "expert", entry_unbirth(expert));
	if (strcmp(type, "draw") == 0 || strcmp(type, "draw.failed") == 0)
		json_object_set_new(body, "panel_names", json_null());
	entry_scrub(body);
}

json_t *entry_from_log(const msgpack_object *e)
{
	const msgpack_object *seq = proto_map_get(e, "seq"), *type = proto_map_get(e, "type"),
	                     *body = proto_map_get(e, "body");
	if (e->type != MSGPACK_OBJECT_MAP || !seq || seq->type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
	    !type || type->type != MSGPACK_OBJECT_STR || type->via.str.size >= 64 || !body ||
	    body->type != MSGPACK_OBJECT_BIN)
		return NULL;
	char t[64];
	memcpy(t, type->via.str.ptr, type->via.str.size);
	t[type->via.str.size] = '\0';
	msgpack_unpacked u;
	struct proto_error perr;
	json_t *decoded = NULL;
	msgpack_unpacked_init(&u);
	if (proto_unpack(body->via.bin.ptr, body->via.bin.size, &u, &perr) == PROTO_OK &&
	    u.data.type == MSGPACK_OBJECT_MAP) {
		decoded = out_json(&u.data);
		entry_mask(t, decoded);
	}
	msgpack_unpacked_destroy(&u);
	return entry_make((int64_t)seq->via.u64, proto_map_int(e, "at", 0), json_string(t),
	                  proto_map_get(e, "hash"), decoded, false);
}

int64_t entry_seq(const json_t *j)
{
	return json_integer_value(json_object_get(j, "seq"));
}
