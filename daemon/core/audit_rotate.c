/*
 * audit_rotate.c - the body of key.rotated (DRAW.md 3.2.3, 4.3).
 */
#include "audit.h"
#include "audit_int.h"

void audit_pack_key_rotated(msgpack_packer *pk, const struct audit_rotation *r)
{
	msgpack_pack_map(pk, 5);
	audit_pack_kv_bin(pk, "old_key", r->old_key, sizeof r->old_key);
	audit_pack_kv_bin(pk, "new_key", r->new_key, sizeof r->new_key);
	audit_pack_kv_bin(pk, "secret", r->secret, sizeof r->secret);
	audit_pack_kv_bin(pk, "next_commit", r->next_commit, sizeof r->next_commit);
	audit_pack_kv_bin(pk, "endorsement", r->endorsement, sizeof r->endorsement);
}

bool audit_read_key_rotated(const msgpack_object *body, struct audit_rotation *r)
{
	struct audit_rd rd;

	audit_rd_begin(&rd, body);
	audit_rd_bin(&rd, "old_key", r->old_key, 32, 32, NULL);
	audit_rd_bin(&rd, "new_key", r->new_key, 32, 32, NULL);
	audit_rd_bin(&rd, "secret", r->secret, AUDIT_SECRET_LEN, AUDIT_SECRET_LEN, NULL);
	audit_rd_bin(&rd, "next_commit", r->next_commit, AUDIT_HASH_LEN, AUDIT_HASH_LEN,
	             NULL);
	audit_rd_bin(&rd, "endorsement", r->endorsement, 64, 64, NULL);
	return audit_rd_end(&rd);
}
