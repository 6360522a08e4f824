/*
 * audit_changed.c - the optional `changed` key of a pool.expert body
 * (DRAW.md 4.2): the names of the row fields an import's update changed,
 * in PROTOCOL.md 7.5.2 order (expert_diff.h), never their values. Bodies
 * without it are every other change, also all written before it existed.
 */
#include <string.h>

#include "audit.h"
#include "audit_int.h"
#include "expert_diff.h"

void audit_pack_kv_changed(msgpack_packer *pk, unsigned changed)
{
	unsigned n = 0;
	for (unsigned i = 0; i < EXPERT_DIFF_FIELDS; i++)
		n += (changed >> i) & 1u;
	proto_pack_str(pk, "changed");
	msgpack_pack_array(pk, n);
	for (unsigned i = 0; i < EXPERT_DIFF_FIELDS; i++)
		if (changed & (1u << i))
			proto_pack_str(pk, expert_diff_fields[i]);
}

/* The index of the field named by v, or -1. */
static int audit_changed_index(const msgpack_object *v)
{
	if (v->type != MSGPACK_OBJECT_STR)
		return -1;
	for (int i = 0; i < EXPERT_DIFF_FIELDS; i++)
		if (strlen(expert_diff_fields[i]) == v->via.str.size &&
		    memcmp(expert_diff_fields[i], v->via.str.ptr, v->via.str.size) == 0)
			return i;
	return -1;
}

bool audit_read_changed(struct audit_rd *rd, unsigned *changed)
{
	const msgpack_object *v = audit_rd_peek(rd, "changed");
	*changed = 0;
	if (!v)
		return rd->ok;
	/* 1 to 17 known names, each once, in the table's order. */
	bool ok = v->type == MSGPACK_OBJECT_ARRAY && v->via.array.size >= 1 &&
	          v->via.array.size <= EXPERT_DIFF_FIELDS;
	int last = -1;
	for (uint32_t i = 0; ok && i < v->via.array.size; i++) {
		int k = audit_changed_index(&v->via.array.ptr[i]);
		ok = k > last;
		last = k;
		*changed |= ok ? 1u << k : 0;
	}
	return audit_rd_check(rd, ok);
}
