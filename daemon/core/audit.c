/*
 * audit.c - entry hashes, secret commitments, and the msgpack body of each
 * entry type, packed in one fixed key order so the bytes (and so the chain)
 * are deterministic, and read back strictly for verifiers and replays.
 * Layouts are normative: PROTOCOL.md repeats them; change both together.
 */
#include "audit.h"
#include "audit_int.h"

#include <assert.h>
#include <limits.h>
#include <string.h>

#include <sodium.h>

#include "ident.h"
#include "proto.h"

/* Domain separation tags; hashed without their NUL. */
static const char AUDIT_DOMAIN[] = "expertd-audit-v1";
static const char AUDIT_COMMIT_DOMAIN[] = "expertd-commit-v1";

/* audit_transcript.kind */
static const char *const audit_draw_kinds[] = {
	"draw", "redraw", "replacement", NULL};

static size_t audit_count(const char *const *names)
{
	size_t n = 0;
	while (names[n])
		n++;
	return n;
}

static void audit_be64(uint8_t out[8], uint64_t v)
{
	for (int b = 0; b < 8; b++)
		out[b] = (uint8_t)(v >> (56 - 8 * b));
}

void audit_hash(uint8_t out[AUDIT_HASH_LEN], const uint8_t prev[AUDIT_HASH_LEN],
                int64_t seq, int64_t at, const char *type,
                const void *body, size_t body_len)
{
	uint8_t seq_be[8], at_be[8];
	crypto_generichash_state st;

	audit_be64(seq_be, (uint64_t)seq);
	audit_be64(at_be, (uint64_t)at);   /* two's complement by definition */
	crypto_generichash_init(&st, NULL, 0, AUDIT_HASH_LEN);
	crypto_generichash_update(&st, (const uint8_t *)AUDIT_DOMAIN,
	                          sizeof AUDIT_DOMAIN - 1);
	crypto_generichash_update(&st, prev, AUDIT_HASH_LEN);
	crypto_generichash_update(&st, seq_be, sizeof seq_be);
	crypto_generichash_update(&st, at_be, sizeof at_be);
	/* The NUL ends the type, so no (type, body) split is ambiguous. */
	crypto_generichash_update(&st, (const uint8_t *)type, strlen(type) + 1);
	if (body_len > 0)
		crypto_generichash_update(&st, body, body_len);
	crypto_generichash_final(&st, out, AUDIT_HASH_LEN);
}

void audit_commit(uint8_t out[AUDIT_HASH_LEN], const uint8_t secret[AUDIT_SECRET_LEN])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, AUDIT_HASH_LEN);
	crypto_generichash_update(&st, (const uint8_t *)AUDIT_COMMIT_DOMAIN,
	                          sizeof AUDIT_COMMIT_DOMAIN - 1);
	crypto_generichash_update(&st, secret, AUDIT_SECRET_LEN);
	crypto_generichash_final(&st, out, AUDIT_HASH_LEN);
}

/* ---- packing ---- */

void audit_pack_kv_uint(msgpack_packer *pk, const char *k, uint64_t v)
{
	proto_pack_str(pk, k);
	msgpack_pack_uint64(pk, v);
}

void audit_pack_kv_bin(msgpack_packer *pk, const char *k, const uint8_t *p, size_t n)
{
	proto_pack_str(pk, k);
	msgpack_pack_bin(pk, n);
	msgpack_pack_bin_body(pk, p, n);
}

static void audit_pack_kv_date(msgpack_packer *pk, const char *k, int32_t day)
{
	char buf[11];

	ident_date_format(day, buf);
	proto_pack_kv_str(pk, k, buf);
}

/* Day 0 stands for "none" (open-ended) in the records: packed as nil. */
static void audit_pack_kv_date_or_nil(msgpack_packer *pk, const char *k, int32_t day)
{
	if (day) {
		audit_pack_kv_date(pk, k, day);
	} else {
		proto_pack_str(pk, k);
		msgpack_pack_nil(pk);
	}
}

void audit_pack_kv_ints(msgpack_packer *pk, const char *k, const int64_t *v, size_t n)
{
	proto_pack_str(pk, k);
	msgpack_pack_array(pk, n);
	for (size_t i = 0; i < n; i++)
		msgpack_pack_int64(pk, v[i]);
}

void audit_pack_kv_choice(msgpack_packer *pk, const char *k, const char *const *names,
                          int i)
{
	assert(i >= 0 && (size_t)i < audit_count(names));
	proto_pack_kv_str(pk, k, names[i]);
}

void audit_pack_genesis(msgpack_packer *pk, const uint8_t commit[AUDIT_HASH_LEN])
{
	msgpack_pack_map(pk, 1);
	audit_pack_kv_bin(pk, "commit", commit, AUDIT_HASH_LEN);
}

void audit_pack_term(msgpack_packer *pk, int term, int32_t start, int32_t end)
{
	msgpack_pack_map(pk, 3);
	proto_pack_kv_int(pk, "term", term);
	audit_pack_kv_date(pk, "start", start);
	audit_pack_kv_date(pk, "end", end);
}

/* Only what recusal and the draw read; names, IDs and contacts stay out. */
static void audit_pack_projection(msgpack_packer *pk, const struct expert *e)
{
	assert(e->n_specialties >= 0 && e->n_specialties <= EXPERT_MAX_SPECIALTIES);
	bool unappointed = e->appointment != APPOINT_APPOINTED;
	bool limited = e->eligible_specialties != 0;
	msgpack_pack_map(pk, 13 + e->age_exception + unappointed + limited);
	proto_pack_kv_int(pk, "id", e->id);
	audit_pack_kv_date(pk, "birth", e->birth);
	proto_pack_kv_str(pk, "employer_code", e->employer_code);
	proto_pack_kv_str(pk, "recommender_code", e->recommender_code);
	proto_pack_str(pk, "specialties");
	msgpack_pack_array(pk, (size_t)e->n_specialties);
	for (int i = 0; i < e->n_specialties; i++)
		proto_pack_str(pk, e->specialties[i]);
	audit_pack_kv_uint(pk, "group_types", e->group_types);
	audit_pack_kv_uint(pk, "task_types", e->task_types);
	audit_pack_kv_uint(pk, "relaxations", e->relaxations);
	proto_pack_kv_bool(pk, "leader", e->leader_eligible);
	proto_pack_kv_int(pk, "status", e->status);
	audit_pack_kv_date_or_nil(pk, "suspended_until", e->suspended_until);
	proto_pack_kv_int(pk, "term", e->term);
	proto_pack_kv_int(pk, "joined_term", e->joined_term);
	/* Written only when true, so entries keep their older layout. */
	if (e->age_exception)
		proto_pack_kv_bool(pk, "age_exception", true);
	/* Only when not appointed (since draft 13): every entry before it
	 * describes an expert the draws read as appointed. */
	if (unappointed)
		proto_pack_kv_int(pk, "appointment", e->appointment);
	/* Only when eligible in some specialties alone (since draft 13):
	 * absent, every specialty is, as for every entry before it. */
	if (limited)
		audit_pack_kv_uint(pk, "eligible_specialties", e->eligible_specialties);
}

void audit_pack_expert_full(msgpack_packer *pk, const char *event, const char *actor,
                            const char *reason, unsigned changed, const char *ground,
                            const char *referral, const struct expert *e)
{
	bool has_reason = reason && *reason;
	bool has_ground = ground && *ground;
	bool has_referral = referral && *referral;

	assert(!changed || strcmp(event, "updated") == 0);
	msgpack_pack_map(pk, 3 + has_reason + (changed != 0) + has_ground + has_referral);
	proto_pack_kv_str(pk, "event", event);
	proto_pack_kv_str(pk, "actor", actor);
	if (has_reason)
		proto_pack_kv_str(pk, "reason", reason);
	if (changed)
		audit_pack_kv_changed(pk, changed);
	if (has_ground)
		proto_pack_kv_str(pk, "ground", ground);
	if (has_referral)
		proto_pack_kv_str(pk, "referral", referral);
	proto_pack_str(pk, "expert");
	audit_pack_projection(pk, e);
}

void audit_pack_expert(msgpack_packer *pk, const char *event, const char *actor,
                       const char *reason, const struct expert *e)
{
	audit_pack_expert_full(pk, event, actor, reason, 0, NULL, NULL, e);
}

void audit_pack_expert_changed(msgpack_packer *pk, const char *event, const char *actor,
                               const char *reason, unsigned changed,
                               const struct expert *e)
{
	audit_pack_expert_full(pk, event, actor, reason, changed, NULL, NULL, e);
}

void audit_pack_expert_ground(msgpack_packer *pk, const char *event,
                              const char *actor, const char *reason,
                              const char *ground, const char *referral,
                              const struct expert *e)
{
	audit_pack_expert_full(pk, event, actor, reason, 0, ground, referral, e);
}

/* A period's body (DRAW.md 4.3); changed: a pool.unavailable.changed
 * one, whose from = to = 0 pack as nil (withdrawn). */
static void audit_pack_period(msgpack_packer *pk, bool changed, int64_t id,
                              int64_t expert, int32_t from, int32_t to,
                              const char *actor)
{
	msgpack_pack_map(pk, 5);
	proto_pack_kv_int(pk, "id", id);
	proto_pack_kv_int(pk, "expert", expert);
	if (changed) {
		audit_pack_kv_date_or_nil(pk, "from", from);
		audit_pack_kv_date_or_nil(pk, "to", to);
	} else {
		audit_pack_kv_date(pk, "from", from);
		audit_pack_kv_date(pk, "to", to);
	}
	proto_pack_kv_str(pk, "actor", actor);
}

void audit_pack_unavailable(msgpack_packer *pk, int64_t id, int64_t expert,
                            int32_t from, int32_t to, const char *actor)
{
	audit_pack_period(pk, false, id, expert, from, to, actor);
}

void audit_pack_unavailable_changed(msgpack_packer *pk, int64_t id, int64_t expert,
                                    int32_t from, int32_t to, const char *actor)
{
	audit_pack_period(pk, true, id, expert, from, to, actor);
}

void audit_pack_conflict(msgpack_packer *pk, int64_t id, int64_t expert,
                         const char *org_code, int kind, int32_t from, int32_t to)
{
	msgpack_pack_map(pk, 6);
	proto_pack_kv_int(pk, "id", id);
	proto_pack_kv_int(pk, "expert", expert);
	proto_pack_kv_str(pk, "org_code", org_code);
	audit_pack_kv_choice(pk, "kind", proto_conflict_kinds, kind);
	audit_pack_kv_date(pk, "from", from);
	audit_pack_kv_date_or_nil(pk, "to", to);
}

void audit_pack_revealed(msgpack_packer *pk, const char *actor, const char *reason,
                         const char *op, int64_t experts)
{
	msgpack_pack_map(pk, 4);
	proto_pack_kv_str(pk, "actor", actor);
	proto_pack_kv_str(pk, "reason", reason);
	proto_pack_kv_str(pk, "op", op);
	proto_pack_kv_int(pk, "experts", experts);
}

void audit_pack_org_merged(msgpack_packer *pk, const char *from, const char *into,
                           const char *actor, const char *reason)
{
	msgpack_pack_map(pk, 4);
	proto_pack_kv_str(pk, "from", from);
	proto_pack_kv_str(pk, "into", into);
	proto_pack_kv_str(pk, "actor", actor);
	proto_pack_kv_str(pk, "reason", reason);
}

/* The request as drawn; the free-text note stays out (it may name people). */
static void audit_pack_request(msgpack_packer *pk, const struct task *r)
{
	assert(r->n_orgs >= 0 && r->n_orgs <= TASK_MAX_ORGS);
	assert(r->n_exclude >= 0 && r->n_exclude <= TASK_MAX_EXCLUDE);
	assert(r->nonce_len <= TASK_NONCE_MAX);
	/* A mixed panel's quotas take the place of specialty, group,
	 * members and backups (DRAW.md 4.4). */
	msgpack_pack_map(pk, r->n_quotas ? 11 : 14);
	proto_pack_kv_str(pk, "bureau", r->bureau);
	audit_pack_kv_choice(pk, "kind", proto_task_kinds, r->kind);
	audit_pack_kv_choice(pk, "subject", proto_task_subjects, r->subject);
	if (r->n_quotas) {
		audit_pack_request_quotas(pk, r);
		proto_pack_kv_bool(pk, "leader", r->leader);
	} else {
		proto_pack_kv_str(pk, "specialty", r->specialty);
		audit_pack_kv_choice(pk, "group", proto_group_types, r->group);
		proto_pack_kv_int(pk, "members", r->members);
		proto_pack_kv_bool(pk, "leader", r->leader);
		proto_pack_kv_int(pk, "backups", r->backups);
	}
	proto_pack_str(pk, "orgs");
	msgpack_pack_array(pk, (size_t)r->n_orgs);
	for (int i = 0; i < r->n_orgs; i++)
		proto_pack_str(pk, r->orgs[i]);
	proto_pack_kv_int(pk, "start", r->start_at);
	proto_pack_kv_int(pk, "end", r->end_at);
	proto_pack_kv_str(pk, "district", r->district);
	audit_pack_kv_ints(pk, "exclude", r->exclude, (size_t)r->n_exclude);
	audit_pack_kv_bin(pk, "nonce", r->nonce, r->nonce_len);
}

static void audit_pack_rules(msgpack_packer *pk, const struct recusal_config *c)
{
	msgpack_pack_map(pk, 4 + c->age_by_exception);
	proto_pack_kv_int(pk, "rotation_days", c->rotation_days);
	proto_pack_kv_int(pk, "exposure_cap", c->exposure_cap);
	proto_pack_kv_int(pk, "exposure_days", c->exposure_days);
	proto_pack_kv_bool(pk, "diversity", c->diversity);
	/* Written only when true: rules maps from before draft 11 lack it. */
	if (c->age_by_exception)
		proto_pack_kv_bool(pk, "age_exception_only", true);
}

enum draw_list_encoding audit_list_encoding(const struct audit_transcript *t)
{
	return t->candidates_encoding == DRAW_LIST_GAPS ? DRAW_LIST_GAPS : DRAW_LIST_IDS;
}

void audit_pack_transcript(msgpack_packer *pk, const struct audit_transcript *t)
{
	bool has_reason = t->reason[0] != '\0';
	bool replacement = t->replaces != 0;
	bool mixed = t->req.n_quotas > 0;

	assert(t->n_already_drawn <= TASK_MAX_SEATS * 4);
	assert(t->n_panel <= TASK_MAX_SEATS);
	bool gaps = t->candidates_encoding == DRAW_LIST_GAPS;

	msgpack_pack_map(pk, (mixed ? 14 + replacement : 16) + has_reason + 2 * replacement +
	                 audit_has_designated(t) + gaps);
	proto_pack_kv_int(pk, "draw", t->draw);
	proto_pack_str(pk, "task");
	if (t->task)
		msgpack_pack_int64(pk, t->task);
	else
		msgpack_pack_nil(pk);
	proto_pack_kv_str(pk, "kind", t->kind);
	proto_pack_kv_str(pk, "actor", t->actor);
	if (has_reason)
		proto_pack_kv_str(pk, "reason", t->reason);
	if (replacement) {
		proto_pack_kv_int(pk, "replaces", t->replaces);
		proto_pack_kv_str(pk, "role", proto_seat_roles[t->role]);
		if (mixed)
			proto_pack_kv_int(pk, "quota", t->quota);
	}
	proto_pack_str(pk, "request");
	audit_pack_request(pk, &t->req);
	proto_pack_str(pk, "rules");
	audit_pack_rules(pk, &t->rules);
	if (gaps)
		proto_pack_kv_int(pk, "candidates_encoding", DRAW_LIST_GAPS);
	if (mixed) {
		audit_pack_quota_results(pk, t);
	} else {
		audit_pack_kv_uint(pk, "candidates", t->n_candidates);
		audit_pack_kv_bin(pk, "candidates_hash", t->candidates_hash, DRAW_HASH_LEN);
		proto_pack_str(pk, "excluded");
		audit_pack_excluded(pk, t->excluded, t->outside_group, t->outside_split);
		audit_pack_kv_uint(pk, "diversity_dropped", t->diversity_dropped);
	}
	audit_pack_kv_ints(pk, "already_drawn", t->already_drawn, t->n_already_drawn);
	audit_pack_kv_bin(pk, "secret", t->secret, AUDIT_SECRET_LEN);
	audit_pack_kv_bin(pk, "next_commit", t->next_commit, AUDIT_HASH_LEN);
	audit_pack_kv_bin(pk, "seed", t->seed, DRAW_SEED_LEN);
	audit_pack_kv_ints(pk, "panel", t->panel, t->n_panel);
	if (mixed)
		audit_pack_seat_quotas(pk, t);
	proto_pack_kv_bool(pk, "ok", t->ok);
	audit_pack_designated(pk, t);
}

/* ---- reading ----
 *
 * A reader walks a map's entries in the packed order: each key must be the
 * next one expected, with the expected type, and nothing may follow the
 * last. Only the canonical form is accepted (an omitted-when-empty field
 * is never present and empty; "none" is nil, never the value standing for
 * it), so anything read packs back to the very same bytes. The first
 * failure sticks and the reader's result is false.
 */


bool audit_rd_begin(struct audit_rd *rd, const msgpack_object *o)
{
	rd->ok = o && o->type == MSGPACK_OBJECT_MAP;
	rd->kv = rd->ok ? o->via.map.ptr : NULL;
	rd->n = rd->ok ? o->via.map.size : 0;
	rd->i = 0;
	return rd->ok;
}

bool audit_rd_end(const struct audit_rd *rd)
{
	return rd->ok && rd->i == rd->n;
}

static bool audit_is_key(const msgpack_object *o, const char *k)
{
	return o->type == MSGPACK_OBJECT_STR && o->via.str.size == strlen(k) &&
	       memcmp(o->via.str.ptr, k, o->via.str.size) == 0;
}

/* The value of the next entry if its key is k, else NULL (no failure). */
const msgpack_object *audit_rd_peek(struct audit_rd *rd, const char *k)
{
	if (!rd->ok || rd->i >= rd->n || !audit_is_key(&rd->kv[rd->i].key, k))
		return NULL;
	return &rd->kv[rd->i++].val;
}

/* Record the outcome of one step; returns it. */
bool audit_rd_check(struct audit_rd *rd, bool ok)
{
	if (!ok)
		rd->ok = false;
	return rd->ok;
}

/* The value of the next entry, which must be k. */
const msgpack_object *audit_rd_val(struct audit_rd *rd, const char *k)
{
	const msgpack_object *v = audit_rd_peek(rd, k);

	audit_rd_check(rd, v != NULL);
	return v;
}

static bool audit_obj_int(const msgpack_object *v, int64_t min, int64_t max,
                          int64_t *out)
{
	int64_t x;

	if (v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
		x = v->via.i64;
	else if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER && v->via.u64 <= INT64_MAX)
		x = (int64_t)v->via.u64;
	else
		return false;
	if (x < min || x > max)
		return false;
	*out = x;
	return true;
}

/* A string that fits buf with its NUL and holds no NUL of its own (one
 * would cut it short when packed again). */
static bool audit_obj_str(const msgpack_object *v, char *buf, size_t size)
{
	if (v->type != MSGPACK_OBJECT_STR || v->via.str.size >= size ||
	    (v->via.str.size > 0 && memchr(v->via.str.ptr, '\0', v->via.str.size)))
		return false;
	if (v->via.str.size > 0)
		memcpy(buf, v->via.str.ptr, v->via.str.size);
	buf[v->via.str.size] = '\0';
	return true;
}

static bool audit_obj_date(const msgpack_object *v, int32_t *out)
{
	return v->type == MSGPACK_OBJECT_STR &&
	       ident_date_parse(v->via.str.ptr, v->via.str.size, out);
}

bool audit_rd_int(struct audit_rd *rd, const char *k, int64_t min,
                         int64_t max, int64_t *out)
{
	const msgpack_object *v = audit_rd_val(rd, k);

	return audit_rd_check(rd, v && audit_obj_int(v, min, max, out));
}

/* An int field of a C int (enum, count, term number). */
bool audit_rd_cint(struct audit_rd *rd, const char *k, int min, int max,
                          int *out)
{
	int64_t x = 0;

	if (audit_rd_int(rd, k, min, max, &x))
		*out = (int)x;
	return rd->ok;
}

bool audit_rd_uint(struct audit_rd *rd, const char *k, uint64_t max, uint64_t *out)
{
	const msgpack_object *v = audit_rd_val(rd, k);

	if (audit_rd_check(rd, v && v->type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
	                           v->via.u64 <= max))
		*out = v->via.u64;
	return rd->ok;
}

/* A bit set over a choice list: no bit beyond the list's length. */
static bool audit_rd_bits(struct audit_rd *rd, const char *k,
                          const char *const *names, unsigned *out)
{
	uint64_t x = 0;

	if (audit_rd_uint(rd, k, (UINT64_C(1) << audit_count(names)) - 1, &x))
		*out = (unsigned)x;
	return rd->ok;
}

bool audit_rd_bool(struct audit_rd *rd, const char *k, bool *out)
{
	const msgpack_object *v = audit_rd_val(rd, k);

	if (audit_rd_check(rd, v && v->type == MSGPACK_OBJECT_BOOLEAN))
		*out = v->via.boolean;
	return rd->ok;
}

bool audit_rd_str(struct audit_rd *rd, const char *k, char *buf, size_t size)
{
	const msgpack_object *v = audit_rd_val(rd, k);

	return audit_rd_check(rd, v && audit_obj_str(v, buf, size));
}

/* An optional string, packed only when non-empty. */
bool audit_rd_opt_str(struct audit_rd *rd, const char *k, char *buf,
                             size_t size)
{
	const msgpack_object *v = audit_rd_peek(rd, k);

	buf[0] = '\0';
	if (!v)
		return rd->ok;
	return audit_rd_check(rd, audit_obj_str(v, buf, size) && buf[0] != '\0');
}

bool audit_rd_choice(struct audit_rd *rd, const char *k,
                            const char *const *names, int *out)
{
	const msgpack_object *v = audit_rd_val(rd, k);
	int i = -1;

	if (v && v->type == MSGPACK_OBJECT_STR)
		i = proto_choice_index(names, v->via.str.ptr, v->via.str.size);
	if (audit_rd_check(rd, i >= 0))
		*out = i;
	return rd->ok;
}

static bool audit_rd_date(struct audit_rd *rd, const char *k, int32_t *out)
{
	const msgpack_object *v = audit_rd_val(rd, k);

	return audit_rd_check(rd, v && audit_obj_date(v, out));
}

/* nil for none (0); day 0 itself would pack as nil, so it is refused. */
static bool audit_rd_date_or_nil(struct audit_rd *rd, const char *k, int32_t *out)
{
	const msgpack_object *v = audit_rd_val(rd, k);

	*out = 0;
	if (v && v->type == MSGPACK_OBJECT_NIL)
		return rd->ok;
	return audit_rd_check(rd, v && audit_obj_date(v, out) && *out != 0);
}

/* A bin of min..max bytes into buf; *n (may be NULL) gets the length. */
bool audit_rd_bin(struct audit_rd *rd, const char *k, uint8_t *buf,
                  size_t min, size_t max, size_t *n)
{
	const msgpack_object *v = audit_rd_val(rd, k);

	if (!audit_rd_check(rd, v && v->type == MSGPACK_OBJECT_BIN &&
	                            v->via.bin.size >= min && v->via.bin.size <= max))
		return false;
	if (v->via.bin.size > 0)
		memcpy(buf, v->via.bin.ptr, v->via.bin.size);
	if (n)
		*n = v->via.bin.size;
	return true;
}

bool audit_rd_array(struct audit_rd *rd, const char *k, size_t max,
                    const msgpack_object_array **out)
{
	const msgpack_object *v = audit_rd_val(rd, k);

	if (audit_rd_check(rd, v && v->type == MSGPACK_OBJECT_ARRAY &&
	                           v->via.array.size <= max))
		*out = &v->via.array;
	return rd->ok;
}

/* An array of at most max ids (>= 1) into out; *n gets the count. */
bool audit_rd_ids(struct audit_rd *rd, const char *k, int64_t *out,
                  size_t max, size_t *n)
{
	const msgpack_object_array *a = NULL;

	if (!audit_rd_array(rd, k, max, &a))
		return false;
	for (uint32_t i = 0; i < a->size; i++)
		if (!audit_rd_check(rd, audit_obj_int(&a->ptr[i], 1, INT64_MAX, &out[i])))
			return false;
	*n = a->size;
	return true;
}

/* An array of at most max strings, each into a row of `size` bytes. */
static bool audit_rd_strs(struct audit_rd *rd, const char *k, char *rows,
                          size_t size, size_t max, int *n)
{
	const msgpack_object_array *a = NULL;

	if (!audit_rd_array(rd, k, max, &a))
		return false;
	for (uint32_t i = 0; i < a->size; i++)
		if (!audit_rd_check(rd, audit_obj_str(&a->ptr[i], rows + i * size, size)))
			return false;
	*n = (int)a->size;
	return true;
}

/* Open the map under k as sub. */
bool audit_rd_map(struct audit_rd *rd, const char *k, struct audit_rd *sub)
{
	const msgpack_object *v = audit_rd_val(rd, k);

	return audit_rd_check(rd, v && audit_rd_begin(sub, v));
}

bool audit_read_commit(const msgpack_object *body, uint8_t commit[AUDIT_HASH_LEN])
{
	struct audit_rd rd;

	audit_rd_begin(&rd, body);
	audit_rd_bin(&rd, "commit", commit, AUDIT_HASH_LEN, AUDIT_HASH_LEN, NULL);
	return audit_rd_end(&rd);
}

bool audit_read_term(const msgpack_object *body, int *term, int32_t *start, int32_t *end)
{
	struct audit_rd rd;

	audit_rd_begin(&rd, body);
	audit_rd_cint(&rd, "term", 1, INT_MAX, term);
	audit_rd_date(&rd, "start", start);
	audit_rd_date(&rd, "end", end);
	return audit_rd_end(&rd);
}

static bool audit_read_projection(struct audit_rd *rd, struct expert *e)
{
	bool leader = false;
	int status = 0;

	audit_rd_int(rd, "id", 1, INT64_MAX, &e->id);
	audit_rd_date(rd, "birth", &e->birth);
	audit_rd_str(rd, "employer_code", e->employer_code, sizeof e->employer_code);
	audit_rd_str(rd, "recommender_code", e->recommender_code,
	             sizeof e->recommender_code);
	audit_rd_strs(rd, "specialties", (char *)e->specialties,
	              sizeof e->specialties[0], EXPERT_MAX_SPECIALTIES, &e->n_specialties);
	audit_rd_bits(rd, "group_types", proto_group_types, &e->group_types);
	audit_rd_bits(rd, "task_types", proto_task_types, &e->task_types);
	audit_rd_bits(rd, "relaxations", proto_relaxations, &e->relaxations);
	if (audit_rd_bool(rd, "leader", &leader))
		e->leader_eligible = leader;
	if (audit_rd_cint(rd, "status", EXPERT_ACTIVE, EXPERT_REVOKED, &status))
		e->status = (enum expert_status)status;
	audit_rd_date_or_nil(rd, "suspended_until", &e->suspended_until);
	audit_rd_cint(rd, "term", 0, INT_MAX, &e->term);
	audit_rd_cint(rd, "joined_term", 0, INT_MAX, &e->joined_term);
	const msgpack_object *v = audit_rd_peek(rd, "age_exception");
	e->age_exception = v != NULL;
	if (v)
		audit_rd_check(rd, v->type == MSGPACK_OBJECT_BOOLEAN && v->via.boolean);
	/* Present only when not appointed (packed so). */
	e->appointment = APPOINT_APPOINTED;
	v = audit_rd_peek(rd, "appointment");
	if (v) {
		bool ok = v->type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
		          v->via.u64 >= APPOINT_RECOMMENDED && v->via.u64 <= APPOINT_REJECTED;
		if (audit_rd_check(rd, ok))
			e->appointment = (enum expert_appointment)v->via.u64;
	}
	/* Present only when limited (packed so): a bit of a specialty the
	 * expert holds, never all of them; and only an expert whose grounds
	 * are 紧缺工种/新职业 alone can be limited (POLICY.md 4.2), so a log
	 * cannot keep anyone else out of a specialty (DRAW.md 4.3). */
	e->eligible_specialties = 0;
	v = audit_rd_peek(rd, "eligible_specialties");
	if (v) {
		uint64_t all = (UINT64_C(1) << e->n_specialties) - 1;
		bool by_occupation = (e->relaxations & RELAX_BY_OCCUPATION) &&
		                     !(e->relaxations & RELAX_GROUNDS & ~RELAX_BY_OCCUPATION);
		bool ok = v->type == MSGPACK_OBJECT_POSITIVE_INTEGER && v->via.u64 != 0 &&
		          (v->via.u64 & ~all) == 0 && v->via.u64 != all && by_occupation;
		if (audit_rd_check(rd, ok))
			e->eligible_specialties = (unsigned)v->via.u64;
	}
	return audit_rd_end(rd);
}

bool audit_read_expert_changes(const msgpack_object *body, struct expert *e,
                               unsigned *changed)
{
	/* event/actor/reason are checked here; a verifier wanting their text
	 * reads them with proto_map_str(). */
	char event[64], actor[64], reason[PROTO_REASON_SIZE], ground[IDENT_GROUND_SIZE];
	char referral[PROTO_REASON_SIZE];
	struct audit_rd rd, sub;

	memset(e, 0, sizeof *e);
	audit_rd_begin(&rd, body);
	audit_rd_str(&rd, "event", event, sizeof event);
	audit_rd_str(&rd, "actor", actor, sizeof actor);
	audit_rd_opt_str(&rd, "reason", reason, sizeof reason);
	/* Only an update says what it changed. */
	if (audit_read_changed(&rd, changed) && *changed)
		audit_rd_check(&rd, strcmp(event, "updated") == 0);
	/* Optional, so that entries written before them read as they did; a
	 * built-in ground or one the Center configured, whose codes the
	 * verifier cannot know: any code of their form (DRAW.md 4.3). */
	if (audit_rd_opt_str(&rd, "ground", ground, sizeof ground) && ground[0])
		audit_rd_check(&rd, ident_ground_code(ground, strlen(ground)));
	audit_rd_opt_str(&rd, "referral", referral, sizeof referral);
	if (audit_rd_map(&rd, "expert", &sub))
		audit_rd_check(&rd, audit_read_projection(&sub, e));
	return audit_rd_end(&rd);
}

bool audit_read_expert(const msgpack_object *body, struct expert *e)
{
	unsigned changed;
	return audit_read_expert_changes(body, e, &changed);
}

bool audit_read_conflict(const msgpack_object *body, int64_t *id, int64_t *expert,
                         char org_code[IDENT_CODE_SIZE], int *kind, int32_t *from, int32_t *to)
{
	struct audit_rd rd;

	audit_rd_begin(&rd, body);
	audit_rd_int(&rd, "id", 1, INT64_MAX, id);
	audit_rd_int(&rd, "expert", 1, INT64_MAX, expert);
	audit_rd_str(&rd, "org_code", org_code, IDENT_CODE_SIZE);
	audit_rd_choice(&rd, "kind", proto_conflict_kinds, kind);
	audit_rd_date(&rd, "from", from);
	audit_rd_date_or_nil(&rd, "to", to);
	return audit_rd_end(&rd);
}

/* A pool.unavailable body, or (changed) a pool.unavailable.changed one,
 * whose from and to may both be nil: withdrawn (DRAW.md 4.3). */
static bool audit_read_period(const msgpack_object *body, bool changed, int64_t *id,
                              int64_t *expert, int32_t *from, int32_t *to)
{
	struct audit_rd rd;
	char actor[64];

	audit_rd_begin(&rd, body);
	audit_rd_int(&rd, "id", 1, INT64_MAX, id);
	audit_rd_int(&rd, "expert", 1, INT64_MAX, expert);
	if (changed) {
		audit_rd_date_or_nil(&rd, "from", from);
		audit_rd_date_or_nil(&rd, "to", to);
	} else {
		audit_rd_date(&rd, "from", from);
		audit_rd_date(&rd, "to", to);
	}
	audit_rd_str(&rd, "actor", actor, sizeof actor);
	/* Both nil (withdrawn) or both days, in order. */
	audit_rd_check(&rd, (*from == 0) == (*to == 0) && *from <= *to);
	return audit_rd_end(&rd);
}

bool audit_read_unavailable(const msgpack_object *body, int64_t *id,
                            int64_t *expert, int32_t *from, int32_t *to)
{
	return audit_read_period(body, false, id, expert, from, to);
}

bool audit_read_unavailable_changed(const msgpack_object *body, int64_t *id,
                                    int64_t *expert, int32_t *from, int32_t *to)
{
	return audit_read_period(body, true, id, expert, from, to);
}

bool audit_read_org_merged(const msgpack_object *body, char from[IDENT_CODE_SIZE],
                           char into[IDENT_CODE_SIZE])
{
	struct audit_rd rd;
	char actor[64], reason[PROTO_REASON_SIZE];

	audit_rd_begin(&rd, body);
	audit_rd_str(&rd, "from", from, IDENT_CODE_SIZE);
	audit_rd_str(&rd, "into", into, IDENT_CODE_SIZE);
	audit_rd_str(&rd, "actor", actor, sizeof actor);
	if (audit_rd_str(&rd, "reason", reason, sizeof reason))
		audit_rd_check(&rd, reason[0] != '\0');
	return audit_rd_end(&rd);
}

bool audit_read_revealed(const msgpack_object *body, int64_t *experts)
{
	struct audit_rd rd;
	char actor[64], reason[PROTO_REASON_SIZE], op[32];

	audit_rd_begin(&rd, body);
	audit_rd_str(&rd, "actor", actor, sizeof actor);
	if (audit_rd_str(&rd, "reason", reason, sizeof reason))
		audit_rd_check(&rd, reason[0] != '\0');
	if (audit_rd_str(&rd, "op", op, sizeof op))
		audit_rd_check(&rd, op[0] != '\0');
	audit_rd_int(&rd, "experts", 0, INT64_MAX, experts);
	return audit_rd_end(&rd);
}

static bool audit_read_request(struct audit_rd *rd, struct task *r)
{
	size_t n_exclude = 0;
	int kind = 0, subject = 0;   /* indexes into the lists, as read */

	audit_rd_str(rd, "bureau", r->bureau, sizeof r->bureau);
	audit_rd_choice(rd, "kind", proto_task_kinds, &kind);
	audit_rd_choice(rd, "subject", proto_task_subjects, &subject);
	r->kind = (enum task_kind)kind;
	r->subject = (enum task_subject)subject;
	if (audit_rd_peek(rd, "quotas")) {
		rd->i--;   /* a mixed panel's (DRAW.md 4.4) */
		audit_read_request_quotas(rd, r);
		audit_rd_bool(rd, "leader", &r->leader);
	} else {
		audit_rd_str(rd, "specialty", r->specialty, sizeof r->specialty);
		audit_rd_choice(rd, "group", proto_group_types, &r->group);
		audit_rd_cint(rd, "members", 0, TASK_MAX_SEATS, &r->members);
		audit_rd_bool(rd, "leader", &r->leader);
		audit_rd_cint(rd, "backups", 0, TASK_MAX_SEATS, &r->backups);
	}
	audit_rd_strs(rd, "orgs", (char *)r->orgs, sizeof r->orgs[0], TASK_MAX_ORGS,
	              &r->n_orgs);
	audit_rd_int(rd, "start", INT64_MIN, INT64_MAX, &r->start_at);
	audit_rd_int(rd, "end", INT64_MIN, INT64_MAX, &r->end_at);
	audit_rd_str(rd, "district", r->district, sizeof r->district);
	if (audit_rd_ids(rd, "exclude", r->exclude, TASK_MAX_EXCLUDE, &n_exclude))
		r->n_exclude = (int)n_exclude;
	audit_rd_bin(rd, "nonce", r->nonce, 0, TASK_NONCE_MAX, &r->nonce_len);
	return audit_rd_end(rd);
}

static bool audit_read_rules(struct audit_rd *rd, struct recusal_config *c)
{
	audit_rd_cint(rd, "rotation_days", 0, INT_MAX, &c->rotation_days);
	audit_rd_cint(rd, "exposure_cap", 0, INT_MAX, &c->exposure_cap);
	audit_rd_cint(rd, "exposure_days", 0, INT_MAX, &c->exposure_days);
	audit_rd_bool(rd, "diversity", &c->diversity);
	const msgpack_object *v = audit_rd_peek(rd, "age_exception_only");
	c->age_by_exception = v != NULL;
	if (v)
		audit_rd_check(rd, v->type == MSGPACK_OBJECT_BOOLEAN && v->via.boolean);
	return audit_rd_end(rd);
}

/* "task": an id >= 1, or nil for none (0 would pack as nil). */
static bool audit_rd_task_id(struct audit_rd *rd, int64_t *task)
{
	const msgpack_object *v = audit_rd_val(rd, "task");

	*task = 0;
	if (v && v->type == MSGPACK_OBJECT_NIL)
		return rd->ok;
	return audit_rd_check(rd, v && audit_obj_int(v, 1, INT64_MAX, task));
}

bool audit_read_transcript(const msgpack_object *body, struct audit_transcript *t)
{
	struct audit_rd rd, sub;
	int kind = 0;
	bool has_quota = false;

	memset(t, 0, sizeof *t);
	audit_rd_begin(&rd, body);
	audit_rd_int(&rd, "draw", 1, INT64_MAX, &t->draw);
	audit_rd_task_id(&rd, &t->task);
	if (audit_rd_choice(&rd, "kind", audit_draw_kinds, &kind))
		strcpy(t->kind, audit_draw_kinds[kind]);
	audit_rd_str(&rd, "actor", t->actor, sizeof t->actor);
	audit_rd_opt_str(&rd, "reason", t->reason, sizeof t->reason);
	t->role = -1;
	if (audit_rd_peek(&rd, "replaces")) {
		rd.i--;   /* read it again, with its range */
		audit_rd_int(&rd, "replaces", 1, INT64_MAX, &t->replaces);
		audit_rd_choice(&rd, "role", proto_seat_roles, &t->role);
		has_quota = audit_rd_peek(&rd, "quota") != NULL;
		if (has_quota) {
			rd.i--;
			audit_rd_cint(&rd, "quota", 0, TASK_MAX_QUOTAS - 1, &t->quota);
		}
	}
	/* Exactly replacements name the seat they fill. */
	audit_rd_check(&rd, (t->replaces != 0) == (strcmp(t->kind, "replacement") == 0));
	if (audit_rd_map(&rd, "request", &sub))
		audit_rd_check(&rd, audit_read_request(&sub, &t->req));
	/* A mixed panel's replacement, and only one, names its quota. */
	bool mixed = t->req.n_quotas > 0;
	audit_rd_check(&rd, has_quota == (mixed && t->replaces != 0) &&
	                    t->quota < (mixed ? t->req.n_quotas : 1));
	if (audit_rd_map(&rd, "rules", &sub))
		audit_rd_check(&rd, audit_read_rules(&sub, &t->rules));
	/* Since draft 16; only the value 2, so older bodies read as they were. */
	if (audit_rd_peek(&rd, "candidates_encoding")) {
		rd.i--;
		audit_rd_cint(&rd, "candidates_encoding", DRAW_LIST_GAPS, DRAW_LIST_GAPS,
		              &t->candidates_encoding);
	}
	if (mixed) {
		audit_read_quota_results(&rd, t);
	} else {
		audit_rd_uint(&rd, "candidates", UINT64_MAX, &t->n_candidates);
		audit_rd_bin(&rd, "candidates_hash", t->candidates_hash, DRAW_HASH_LEN,
		             DRAW_HASH_LEN, NULL);
		if (audit_rd_map(&rd, "excluded", &sub))
			audit_rd_check(&rd, audit_read_excluded(&sub, t->excluded,
			                                        &t->outside_group,
			                                        &t->outside_split));
		audit_rd_uint(&rd, "diversity_dropped", UINT64_MAX, &t->diversity_dropped);
	}
	audit_rd_ids(&rd, "already_drawn", t->already_drawn,
	             sizeof t->already_drawn / sizeof t->already_drawn[0],
	             &t->n_already_drawn);
	audit_rd_bin(&rd, "secret", t->secret, AUDIT_SECRET_LEN, AUDIT_SECRET_LEN, NULL);
	audit_rd_bin(&rd, "next_commit", t->next_commit, AUDIT_HASH_LEN,
	             AUDIT_HASH_LEN, NULL);
	audit_rd_bin(&rd, "seed", t->seed, DRAW_SEED_LEN, DRAW_SEED_LEN, NULL);
	audit_rd_ids(&rd, "panel", t->panel, TASK_MAX_SEATS, &t->n_panel);
	if (mixed)
		audit_read_seat_quotas(&rd, t);
	audit_rd_bool(&rd, "ok", &t->ok);
	audit_read_designated(&rd, t);
	/* A mixed panel's leader is drawn, never named (DRAW.md 3.7). */
	audit_rd_check(&rd, !(mixed && t->req.leader_expert));
	return audit_rd_end(&rd);
}
