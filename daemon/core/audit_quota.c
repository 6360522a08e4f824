/*
 * audit_quota.c - the parts of a transcript that only a mixed panel has
 * (DRAW.md 3.7, 4.4): the request's `quotas`, one result per candidate
 * list drawn from, and each seat's quota. audit.c packs and reads the
 * rest of the body, the same for both layouts.
 */
#include <string.h>

#include "audit.h"
#include "audit_int.h"
#include "proto.h"
#include "quota.h"

void audit_pack_request_quotas(msgpack_packer *pk, const struct task *r)
{
	proto_pack_str(pk, "quotas");
	msgpack_pack_array(pk, (size_t)r->n_quotas);
	for (int q = 0; q < r->n_quotas; q++) {
		const struct task_quota *x = &r->quotas[q];
		msgpack_pack_map(pk, 4);
		proto_pack_kv_str(pk, "specialty", x->specialty);
		audit_pack_kv_choice(pk, "group", proto_group_types, x->group);
		proto_pack_kv_int(pk, "members", x->members);
		proto_pack_kv_int(pk, "backups", x->backups);
	}
}

static bool audit_read_one_quota(struct audit_rd *rd, struct task_quota *x)
{
	audit_rd_str(rd, "specialty", x->specialty, sizeof x->specialty);
	audit_rd_choice(rd, "group", proto_group_types, &x->group);
	audit_rd_cint(rd, "members", 1, TASK_MAX_SEATS, &x->members);
	audit_rd_cint(rd, "backups", 0, TASK_MAX_SEATS, &x->backups);
	return audit_rd_end(rd);
}

/* 2 to TASK_MAX_QUOTAS quotas; the one-specialty fields of r are then
 * set from them, as the daemon sets a mixed task's. */
bool audit_read_request_quotas(struct audit_rd *rd, struct task *r)
{
	const msgpack_object_array *a = NULL;

	if (!audit_rd_array(rd, "quotas", TASK_MAX_QUOTAS, &a) ||
	    !audit_rd_check(rd, a->size >= 2))
		return false;
	for (uint32_t q = 0; q < a->size; q++) {
		struct audit_rd sub;
		if (!audit_rd_check(rd, audit_rd_begin(&sub, &a->ptr[q]) &&
		                        audit_read_one_quota(&sub, &r->quotas[q])))
			return false;
	}
	r->n_quotas = (int)a->size;
	quota_task_totals(r);
	return true;
}

void audit_pack_quota_results(msgpack_packer *pk, const struct audit_transcript *t)
{
	proto_pack_str(pk, "quotas");
	msgpack_pack_array(pk, t->n_quotas);
	for (size_t q = 0; q < t->n_quotas; q++) {
		const struct audit_quota_result *x = &t->quotas[q];
		msgpack_pack_map(pk, 5);
		audit_pack_kv_uint(pk, "candidates", x->n_candidates);
		audit_pack_kv_bin(pk, "candidates_hash", x->candidates_hash, DRAW_HASH_LEN);
		proto_pack_str(pk, "excluded");
		audit_pack_excluded(pk, x->excluded, x->outside_group, true);
		audit_pack_kv_uint(pk, "diversity_dropped", x->diversity_dropped);
		audit_pack_kv_uint(pk, "dropped_seated", x->dropped_seated);
	}
}

static bool audit_read_one_result(struct audit_rd *rd, struct audit_quota_result *x)
{
	struct audit_rd sub;
	bool split = false;

	audit_rd_uint(rd, "candidates", UINT64_MAX, &x->n_candidates);
	audit_rd_bin(rd, "candidates_hash", x->candidates_hash, DRAW_HASH_LEN,
	             DRAW_HASH_LEN, NULL);
	/* Only the 13-key map: mixed panels came after draft 9. */
	if (audit_rd_map(rd, "excluded", &sub))
		audit_rd_check(rd, audit_read_excluded(&sub, x->excluded, &x->outside_group,
		                                       &split) && split);
	audit_rd_uint(rd, "diversity_dropped", UINT64_MAX, &x->diversity_dropped);
	audit_rd_uint(rd, "dropped_seated", UINT64_MAX, &x->dropped_seated);
	return audit_rd_end(rd);
}

/* One result for a replacement (its quota's list), else one per quota. */
bool audit_read_quota_results(struct audit_rd *rd, struct audit_transcript *t)
{
	const msgpack_object_array *a = NULL;
	size_t want = t->replaces ? 1 : (size_t)t->req.n_quotas;

	if (!audit_rd_array(rd, "quotas", TASK_MAX_QUOTAS, &a) ||
	    !audit_rd_check(rd, a->size == want))
		return false;
	for (uint32_t q = 0; q < a->size; q++) {
		struct audit_rd sub;
		if (!audit_rd_check(rd, audit_rd_begin(&sub, &a->ptr[q]) &&
		                        audit_read_one_result(&sub, &t->quotas[q])))
			return false;
	}
	t->n_quotas = a->size;
	return true;
}

void audit_pack_seat_quotas(msgpack_packer *pk, const struct audit_transcript *t)
{
	proto_pack_str(pk, "seat_quotas");
	msgpack_pack_array(pk, t->n_panel);
	for (size_t s = 0; s < t->n_panel; s++)
		msgpack_pack_int(pk, t->seat_quota[s]);
}

/* One quota index per seat of the panel, each one of the request's. */
bool audit_read_seat_quotas(struct audit_rd *rd, struct audit_transcript *t)
{
	const msgpack_object_array *a = NULL;

	if (!audit_rd_array(rd, "seat_quotas", TASK_MAX_SEATS, &a) ||
	    !audit_rd_check(rd, a->size == t->n_panel))
		return false;
	for (uint32_t s = 0; s < a->size; s++) {
		const msgpack_object *v = &a->ptr[s];
		if (!audit_rd_check(rd, v->type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
		                        v->via.u64 < (uint64_t)t->req.n_quotas))
			return false;
		t->seat_quota[s] = (int)v->via.u64;
	}
	return true;
}
