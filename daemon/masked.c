/*
 * masked.c - an audit entry as the event stream carries it (STREAMS.md 3):
 * the stored body decoded, with personal data masked. The PUB socket
 * (publish.c) and audit.entries with `masked` (PROTOCOL.md 7.11.1) both
 * build it here, so a subscriber that re-reads what it missed gets the
 * very message it would have heard.
 */
#include "masked.h"

#include <string.h>

#include "audit.h"
#include "log.h"
#include "mask.h"
#include "proto.h"

static bool masked_is_key(const msgpack_object *o, const char *k)
{
	return o->type == MSGPACK_OBJECT_STR && o->via.str.size == strlen(k) &&
	       memcmp(o->via.str.ptr, k, o->via.str.size) == 0;
}

/* The masked current name of an expert, or nil when it cannot be read. */
static void masked_pack_name(struct store *store, msgpack_packer *pk,
                              const msgpack_object *id)
{
	char name[EXPERT_NAME_MAX + 1];
	if (id && id->type == MSGPACK_OBJECT_POSITIVE_INTEGER && id->via.u64 <= INT64_MAX &&
	    store_expert_name(store, (int64_t)id->via.u64, name) == STORE_OK) {
		char masked[MASK_BUF];
		mask_name(name, masked);
		proto_pack_str(pk, masked);
	} else {
		msgpack_pack_nil(pk);
	}
}

/* The expert map of a pool.expert entry: "birth" (personal, and only the
 * age rule needs it) gives way to "name", the masked name, in its place. */
static void masked_pack_expert(struct store *store, msgpack_packer *pk,
                                const msgpack_object *m)
{
	const msgpack_object *id = proto_map_get(m, "id");
	bool has_birth = proto_map_get(m, "birth") != NULL;
	msgpack_pack_map(pk, m->via.map.size + !has_birth);
	for (uint32_t i = 0; i < m->via.map.size; i++) {
		const msgpack_object_kv *kv = &m->via.map.ptr[i];
		if (masked_is_key(&kv->key, "birth")) {
			proto_pack_str(pk, "name");
			masked_pack_name(store, pk, id);
			continue;
		}
		msgpack_pack_object(pk, kv->key);
		msgpack_pack_object(pk, kv->val);
	}
	if (!has_birth) {
		proto_pack_str(pk, "name");
		masked_pack_name(store, pk, id);
	}
}

static void masked_pack_pool_expert(struct store *store, msgpack_packer *pk,
                                     const msgpack_object *body)
{
	msgpack_pack_map(pk, body->via.map.size);
	for (uint32_t i = 0; i < body->via.map.size; i++) {
		const msgpack_object_kv *kv = &body->via.map.ptr[i];
		msgpack_pack_object(pk, kv->key);
		if (masked_is_key(&kv->key, "expert") && kv->val.type == MSGPACK_OBJECT_MAP)
			masked_pack_expert(store, pk, &kv->val);
		else
			msgpack_pack_object(pk, kv->val);
	}
}

/* A transcript as stored, and "panel_names": the panel's masked names in
 * seat order. */
static void masked_pack_draw(struct store *store, msgpack_packer *pk,
                              const msgpack_object *body)
{
	const msgpack_object *panel = proto_map_get(body, "panel");
	uint32_t n = panel && panel->type == MSGPACK_OBJECT_ARRAY ? panel->via.array.size : 0;
	msgpack_pack_map(pk, body->via.map.size + 1);
	for (uint32_t i = 0; i < body->via.map.size; i++) {
		msgpack_pack_object(pk, body->via.map.ptr[i].key);
		msgpack_pack_object(pk, body->via.map.ptr[i].val);
	}
	proto_pack_str(pk, "panel_names");
	msgpack_pack_array(pk, n);
	for (uint32_t i = 0; i < n; i++)
		masked_pack_name(store, pk, &panel->via.array.ptr[i]);
}

/*
 * The "entry" of a message. Bodies hold no names, resident IDs, phones or
 * tokens (audit.h), so only the birth dates of pool.expert come out, and
 * masked names go in. A body that does not unpack is sent as nil, so the
 * seq still arrives and nobody mistakes the hole for a lost message.
 */
static void masked_pack_entry(struct store *store, msgpack_packer *pk,
                               const struct store_audit_row *r)
{
	msgpack_unpacked u;
	struct proto_error perr;
	msgpack_unpacked_init(&u);
	if (proto_unpack(r->body, r->body_len, &u, &perr) != PROTO_OK ||
	    u.data.type != MSGPACK_OBJECT_MAP) {
		log_error("audit entry %lld does not unpack: %s",
		          (long long)r->seq, perr.message);
		msgpack_pack_nil(pk);
	} else if (strcmp(r->type, AUDIT_EXPERT) == 0 ||
	           strcmp(r->type, AUDIT_EXPERT_FLAGGED) == 0) {
		masked_pack_pool_expert(store, pk, &u.data);
	} else if (strcmp(r->type, AUDIT_DRAW) == 0 ||
	           strcmp(r->type, AUDIT_DRAW_FAILED) == 0) {
		masked_pack_draw(store, pk, &u.data);
	} else {
		msgpack_pack_object(pk, u.data);
	}
	msgpack_unpacked_destroy(&u);
}

void masked_pack(struct store *store, msgpack_packer *pk,
                 const struct store_audit_row *r, uint32_t extra)
{
	msgpack_pack_map(pk, 5 + extra);
	proto_pack_kv_int(pk, "seq", r->seq);
	proto_pack_kv_int(pk, "at", r->at);
	proto_pack_kv_str(pk, "type", r->type);
	proto_pack_str(pk, "hash");
	msgpack_pack_bin(pk, sizeof r->hash);
	msgpack_pack_bin_body(pk, r->hash, sizeof r->hash);
	proto_pack_str(pk, "entry");
	masked_pack_entry(store, pk, r);
}
