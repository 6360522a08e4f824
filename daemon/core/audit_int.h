/*
 * audit_int.h - private to audit*.c: the canonical-form body reader and
 * the packing helpers shared by the body families (audit.c: pool, terms,
 * conflicts, transcripts; audit_seat.c: seats, tasks, the ledger;
 * audit_excluded.c: the exclusion counts of transcripts and task.short).
 *
 * A reader walks a map's entries in the packed order: each key must be the
 * next one expected, with the expected type, and nothing may follow the
 * last. The first failure sticks and the reader's result is false.
 */
#ifndef EXPERTD_AUDIT_INT_H
#define EXPERTD_AUDIT_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <msgpack.h>

#include "recusal.h"

struct audit_rd {
	const msgpack_object_kv *kv;
	uint32_t n, i;
	bool ok;
};

void audit_pack_kv_uint(msgpack_packer *pk, const char *k, uint64_t v);
void audit_pack_kv_bin(msgpack_packer *pk, const char *k, const uint8_t *p, size_t n);
void audit_pack_kv_ints(msgpack_packer *pk, const char *k, const int64_t *v, size_t n);
void audit_pack_kv_choice(msgpack_packer *pk, const char *k, const char *const *names,
                          int i);
/* The `excluded` map (audit_excluded.c): the 13-key layout when split,
 * else the 12-key one of older entries (audit.h, struct audit_excluded). */
void audit_pack_excluded(msgpack_packer *pk, const uint64_t excluded[RULE__COUNT],
                         uint64_t outside_group, bool split);

bool audit_rd_begin(struct audit_rd *rd, const msgpack_object *o);
bool audit_rd_end(const struct audit_rd *rd);
/* The value of the next entry if its key is k, else NULL (no failure). */
const msgpack_object *audit_rd_peek(struct audit_rd *rd, const char *k);
bool audit_rd_check(struct audit_rd *rd, bool ok);
const msgpack_object *audit_rd_val(struct audit_rd *rd, const char *k);
bool audit_rd_int(struct audit_rd *rd, const char *k, int64_t min, int64_t max,
                  int64_t *out);
bool audit_rd_cint(struct audit_rd *rd, const char *k, int min, int max, int *out);
bool audit_rd_uint(struct audit_rd *rd, const char *k, uint64_t max, uint64_t *out);
bool audit_rd_str(struct audit_rd *rd, const char *k, char *buf, size_t size);
bool audit_rd_opt_str(struct audit_rd *rd, const char *k, char *buf, size_t size);
bool audit_rd_choice(struct audit_rd *rd, const char *k, const char *const *names,
                     int *out);
bool audit_rd_map(struct audit_rd *rd, const char *k, struct audit_rd *sub);
bool audit_rd_bool(struct audit_rd *rd, const char *k, bool *out);
/* A bin of min..max bytes into buf; *n (may be NULL) gets the length. */
bool audit_rd_bin(struct audit_rd *rd, const char *k, uint8_t *buf,
                  size_t min, size_t max, size_t *n);
bool audit_rd_array(struct audit_rd *rd, const char *k, size_t max,
                    const msgpack_object_array **out);
bool audit_rd_ids(struct audit_rd *rd, const char *k, int64_t *out,
                  size_t max, size_t *n);
/* Either layout: excluded[RULE_OK] gets outside_specialty + outside_group
 * (all outside the bucket), *outside_group the latter (0 in the 12-key
 * layout), *split whether the map had it. */
bool audit_read_excluded(struct audit_rd *rd, uint64_t excluded[RULE__COUNT],
                         uint64_t *outside_group, bool *split);

/* Mixed panels (audit_quota.c; DRAW.md 4.4): the request's `quotas`, the
 * transcript's per-quota `quotas`, its `seat_quotas`. */
struct audit_transcript;
struct task;
void audit_pack_request_quotas(msgpack_packer *pk, const struct task *r);
bool audit_read_request_quotas(struct audit_rd *rd, struct task *r);
void audit_pack_quota_results(msgpack_packer *pk, const struct audit_transcript *t);
bool audit_read_quota_results(struct audit_rd *rd, struct audit_transcript *t);
void audit_pack_seat_quotas(msgpack_packer *pk, const struct audit_transcript *t);
bool audit_read_seat_quotas(struct audit_rd *rd, struct audit_transcript *t);
/* The optional `designated` key ending a transcript (audit_designated.c,
 * DRAW.md 4.4): packed when t->req.leader_expert is set; read into it and
 * t->req.leader_reason, which stay empty when the key is absent. */
bool audit_has_designated(const struct audit_transcript *t);
void audit_pack_designated(msgpack_packer *pk, const struct audit_transcript *t);
bool audit_read_designated(struct audit_rd *rd, struct audit_transcript *t);

/* The optional `changed` key of pool.expert (audit_changed.c): packed
 * only when changed is not 0; read into a mask over expert_diff_fields. */
void audit_pack_kv_changed(msgpack_packer *pk, unsigned changed);
bool audit_read_changed(struct audit_rd *rd, unsigned *changed);

#endif
