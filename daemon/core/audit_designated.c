/*
 * audit_designated.c - the optional `designated` key that ends the
 * transcript of a draw whose leader an operator named (DRAW.md 3.6,
 * 4.4): {expert, reason}, taken from and read into the request's
 * leader_expert and leader_reason. Transcripts without it are those of
 * every other draw, also all written before it existed.
 */
#include <stdint.h>

#include "audit.h"
#include "audit_int.h"

bool audit_has_designated(const struct audit_transcript *t)
{
	return t->req.leader_expert != 0;
}

void audit_pack_designated(msgpack_packer *pk, const struct audit_transcript *t)
{
	if (!audit_has_designated(t))
		return;
	proto_pack_str(pk, "designated");
	msgpack_pack_map(pk, 2);
	proto_pack_kv_int(pk, "expert", t->req.leader_expert);
	proto_pack_kv_str(pk, "reason", t->req.leader_reason);
}

bool audit_read_designated(struct audit_rd *rd, struct audit_transcript *t)
{
	const msgpack_object *v = audit_rd_peek(rd, "designated");
	struct audit_rd sub;

	t->req.leader_expert = 0;
	t->req.leader_reason[0] = '\0';
	if (!v)
		return rd->ok;
	if (!audit_rd_check(rd, audit_rd_begin(&sub, v)))
		return false;
	audit_rd_int(&sub, "expert", 1, INT64_MAX, &t->req.leader_expert);
	audit_rd_str(&sub, "reason", t->req.leader_reason, sizeof t->req.leader_reason);
	/* A reason of 1-512 bytes, as the request's. */
	audit_rd_check(&sub, t->req.leader_reason[0] != '\0');
	return audit_rd_check(rd, audit_rd_end(&sub));
}
