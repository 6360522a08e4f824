/*
 * test_audit.c - the audit chain is tamper-evident and its bodies are
 * deterministic and private: known answers for the entry hash and the
 * commitment (assembled here by hand, and from Python's hashlib), a chain
 * in which every changed byte shows, byte-exact round trips of every body,
 * the key order PROTOCOL.md documents, no personal data in expert bodies,
 * and readers that refuse anything but the canonical layout.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "assign.h"
#include "audit.h"

/* The rules every excluded map names: rule 12 (unavailable) only when
 * it kept someone out (DRAW.md 4.4). */
#define RULES_IN_MAP RULE_UNAVAILABLE
#include "fixture.h"
#include "ident.h"
#include "policy.h"
#include "proto.h"
#include "quota.h"

/* ---------------------------------------------------------------- helpers */

static void fill(uint8_t *p, size_t n, uint8_t first)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(first + i);
}

static bool contains(const char *hay, size_t n, const char *needle)
{
	size_t m = strlen(needle);
	for (size_t i = 0; m <= n && i <= n - m; i++)
		if (memcmp(hay + i, needle, m) == 0)
			return true;
	return false;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int b = 0; b < 8; b++)
		p[b] = (uint8_t)(v >> (56 - 8 * b));
}

/* A packed body and its unpacked tree. */
struct body {
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_unpacked u;
};

static void body_init(struct body *b)
{
	msgpack_sbuffer_init(&b->sb);
	msgpack_packer_init(&b->pk, &b->sb, msgpack_sbuffer_write);
	msgpack_unpacked_init(&b->u);
}

static msgpack_object *body_unpack(struct body *b)
{
	size_t off = 0;
	assert_int_equal(msgpack_unpack_next(&b->u, b->sb.data, b->sb.size, &off),
	                 MSGPACK_UNPACK_SUCCESS);
	assert_int_equal(off, b->sb.size);   /* exactly one object */
	return &b->u.data;
}

static void body_free(struct body *b)
{
	msgpack_unpacked_destroy(&b->u);
	msgpack_sbuffer_destroy(&b->sb);
}

static void assert_same_bytes(const struct body *a, const struct body *b)
{
	assert_int_equal(a->sb.size, b->sb.size);
	assert_memory_equal(a->sb.data, b->sb.data, a->sb.size);
}

/* The keys of a map, in order, equal the NULL-terminated list. */
static void assert_keys(const msgpack_object *m, const char *const *keys)
{
	uint32_t n = 0;
	assert_int_equal(m->type, MSGPACK_OBJECT_MAP);
	for (; keys[n]; n++) {
		assert_true(n < m->via.map.size);
		const msgpack_object *k = &m->via.map.ptr[n].key;
		assert_int_equal(k->type, MSGPACK_OBJECT_STR);
		assert_int_equal(k->via.str.size, strlen(keys[n]));
		assert_memory_equal(k->via.str.ptr, keys[n], k->via.str.size);
	}
	assert_int_equal(m->via.map.size, n);
}

static const msgpack_object *val_at(const msgpack_object *m, uint32_t i)
{
	assert_true(i < m->via.map.size);
	return &m->via.map.ptr[i].val;
}

/* ---------------------------------------------------------------- fixtures */

static const char NAME[] = "张三丰";
static const char RESIDENT_ID[] = "44010619800101123X";
static const char PHONE[] = "13800138000";
static const char EMAIL[] = "zsf@example.cn";
static const char POSITION[] = "总工程师";
static const char EMPLOYER[] = "广州市越秀区某某职业培训学校";
static const char NOTE[] = "call Mr Li on 13912345678";

static void make_expert(struct expert *e)
{
	*e = fx_expert(4242, "电工");
	strcpy(e->name, NAME);
	e->sex = 0;
	strcpy(e->resident_id, RESIDENT_ID);
	strcpy(e->phone, PHONE);
	e->birth = ident_days_from_civil(1980, 1, 1);
	strcpy(e->employer, EMPLOYER);
	strcpy(e->employer_code, "91440101MA59ABCD1X");
	strcpy(e->recommender_code, "");
	strcpy(e->specialties[1], "焊工");
	e->n_specialties = 2;
	e->group_types = GROUP_TRAINING_REVIEW | GROUP_SKILL_EVALUATION;
	e->task_types = 0x11;
	e->title = TITLE_SENIOR;
	e->qualification = QUAL_TECHNICIAN;
	e->assess_years = 12;
	e->training_years = 15;
	e->relaxations = RELAX_SENIOR_EXPERT;
	e->leader_eligible = true;
	strcpy(e->position, POSITION);
	strcpy(e->email, EMAIL);
	e->status = EXPERT_SUSPENDED;
	e->suspended_until = ident_days_from_civil(2025, 6, 30);
	e->term = 3;
	e->joined_term = 2;
	e->created_at = 1700000000;
	e->updated_at = 1700000500;
}

static void make_transcript(struct audit_transcript *t)
{
	memset(t, 0, sizeof *t);
	t->draw = 17;
	t->task = 5;
	strcpy(t->kind, "redraw");
	strcpy(t->actor, "bureau-tianhe");
	strcpy(t->reason, "a member withdrew");
	strcpy(t->req.bureau, "tianhe");
	strcpy(t->req.created_by, "bureau-tianhe");
	t->req.id = 5;
	t->req.kind = TASK_INSPECTION;
	t->req.subject = TASK_SUBJECT_EVALUATION;
	strcpy(t->req.specialty, "电工");
	t->req.group = 1;
	t->req.members = 4;
	t->req.leader = true;
	t->req.backups = 2;
	strcpy(t->req.orgs[0], "91440101MA59ABCD1X");
	strcpy(t->req.orgs[1], "12440000455858787K");
	t->req.n_orgs = 2;
	t->req.start_at = 1735689600;
	t->req.end_at = 1735776000;
	strcpy(t->req.district, "天河区");
	t->req.exclude[0] = 3;
	t->req.exclude[1] = 9;
	t->req.n_exclude = 2;
	strcpy(t->req.note, NOTE);
	fill(t->req.nonce, 16, 0x40);
	t->req.nonce_len = 16;
	t->req.created_at = 1735600000;
	t->rules = (struct recusal_config){.rotation_days = 365, .exposure_cap = 3,
	                                   .exposure_days = 180, .diversity = true};
	t->n_candidates = 120;
	fill(t->candidates_hash, DRAW_HASH_LEN, 0x10);
	for (int i = 0; i < RULES_IN_MAP; i++)
		t->excluded[i] = (uint64_t)i * 3 + 1;
	t->excluded[RULE_EXPOSURE] = UINT64_MAX;   /* the whole uint64 range */
	t->diversity_dropped = 2;
	t->already_drawn[0] = 11;
	t->already_drawn[1] = 12;
	t->already_drawn[2] = 13;
	t->n_already_drawn = 3;
	fill(t->secret, AUDIT_SECRET_LEN, 0x80);
	fill(t->next_commit, AUDIT_HASH_LEN, 0xa0);
	fill(t->seed, DRAW_SEED_LEN, 0xc0);
	for (size_t i = 0; i < 7; i++)
		t->panel[i] = 100 + (int64_t)i;
	t->n_panel = 7;
	t->ok = true;
}

/* ---------------------------------------------------------------- readers as predicates */

static bool read_genesis(const msgpack_object *o)
{
	uint8_t c[AUDIT_HASH_LEN];
	return audit_read_commit(o, c);
}

static bool read_term(const msgpack_object *o)
{
	int term;
	int32_t s, e;
	return audit_read_term(o, &term, &s, &e);
}

static bool read_expert(const msgpack_object *o)
{
	struct expert e;
	return audit_read_expert(o, &e);
}

static bool read_conflict(const msgpack_object *o)
{
	int64_t id, ex;
	char org[19];
	int kind;
	int32_t from, to;
	return audit_read_conflict(o, &id, &ex, org, &kind, &from, &to);
}

static bool read_org_merged(const msgpack_object *o)
{
	char from[IDENT_CODE_SIZE], into[IDENT_CODE_SIZE];
	return audit_read_org_merged(o, from, into);
}

static bool read_transcript(const msgpack_object *o)
{
	struct audit_transcript *t = malloc(sizeof *t);
	assert_non_null(t);
	bool ok = audit_read_transcript(o, t);
	free(t);
	return ok;
}

/* ---------------------------------------------------------------- hashing */

static void test_hash_known_answer(void **state)
{
	(void)state;
	uint8_t prev[32], got[32], want[32], expect[32];
	const uint8_t body[] = {0x81, 0xa1, 'a', 0x01};
	const int64_t seq = 0x0102030405060708, at = -2;
	uint8_t msg[16 + 32 + 8 + 8 + 5 + sizeof body];
	size_t n = 0;

	fill(prev, sizeof prev, 0);
	memcpy(msg + n, "expertd-audit-v1", 16), n += 16;
	memcpy(msg + n, prev, 32), n += 32;
	put_be64(msg + n, (uint64_t)seq), n += 8;
	/* -2 as a two's complement int64, big-endian */
	for (int i = 0; i < 7; i++)
		msg[n++] = 0xff;
	msg[n++] = 0xfe;
	memcpy(msg + n, "draw", 5), n += 5;       /* type and its NUL */
	memcpy(msg + n, body, sizeof body), n += sizeof body;
	assert_int_equal(n, sizeof msg);
	assert_int_equal(crypto_generichash(want, 32, msg, n, NULL, 0), 0);

	audit_hash(got, prev, seq, at, "draw", body, sizeof body);
	assert_memory_equal(got, want, 32);
	/* The same value from Python's hashlib.blake2b(digest_size=32). */
	fx_hex("64ce430dcb237d7a525fda0625427ac3c676d05350b6568b97e13d64e9566330",
	             expect, 32);
	assert_memory_equal(got, expect, 32);

	/* First entry: zero prev, empty body. */
	memset(prev, 0, sizeof prev);
	audit_hash(got, prev, 1, 1700000000, AUDIT_GENESIS, NULL, 0);
	fx_hex("2dcdcfc377b4091b201954fd6f3ad0664d1d75afca114625f842b45a0ba5d2c6",
	             expect, 32);
	assert_memory_equal(got, expect, 32);
}

static void test_commit_known_answer(void **state)
{
	(void)state;
	uint8_t secret[32], got[32], want[32], msg[17 + 32];

	fill(secret, sizeof secret, 0xa0);
	memcpy(msg, "expertd-commit-v1", 17);
	memcpy(msg + 17, secret, 32);
	assert_int_equal(crypto_generichash(want, 32, msg, sizeof msg, NULL, 0), 0);
	audit_commit(got, secret);
	assert_memory_equal(got, want, 32);
	fx_hex("ff04610577f4facd93a6718ce177c5d3bcd444a3504ea1ff5c4872dccfea43c5",
	             want, 32);
	assert_memory_equal(got, want, 32);

	secret[31] ^= 1;
	audit_commit(want, secret);
	assert_memory_not_equal(got, want, 32);
}

/* The NUL after the type keeps the type/body boundary unambiguous. */
static void test_hash_type_body_boundary(void **state)
{
	(void)state;
	uint8_t prev[32] = {0}, a[32], b[32];

	audit_hash(a, prev, 1, 0, "ab", "c", 1);
	audit_hash(b, prev, 1, 0, "a", "bc", 2);
	assert_memory_not_equal(a, b, 32);
}

#define CHAIN_N 3
struct entry {
	int64_t seq, at;
	char type[24];
	uint8_t body[64];
	size_t body_len;
};

static void chain(const struct entry *e, size_t n, const uint8_t first_prev[32],
                  uint8_t out[][32])
{
	const uint8_t *prev = first_prev;
	for (size_t i = 0; i < n; i++) {
		audit_hash(out[i], prev, e[i].seq, e[i].at, e[i].type, e[i].body,
		           e[i].body_len);
		prev = out[i];
	}
}

static void make_chain(struct entry e[CHAIN_N])
{
	const char *types[CHAIN_N] = {AUDIT_GENESIS, AUDIT_TERM, AUDIT_CONFLICT};
	for (int i = 0; i < CHAIN_N; i++) {
		memset(&e[i], 0, sizeof e[i]);
		e[i].seq = i + 1;
		e[i].at = 1700000000 + 60 * i;
		strcpy(e[i].type, types[i]);
		e[i].body_len = 20 + (size_t)i * 5;
		fill(e[i].body, e[i].body_len, (uint8_t)(0x30 * i));
	}
}

/* Recompute after the change; entry k and everything after it differ,
 * everything before it does not. */
static void assert_tamper_shows(const struct entry *e, size_t k,
                                uint8_t orig[CHAIN_N][32])
{
	static const uint8_t zero[32];
	uint8_t now[CHAIN_N][32];

	chain(e, CHAIN_N, zero, now);
	for (size_t i = 0; i < CHAIN_N; i++) {
		if (i < k)
			assert_memory_equal(now[i], orig[i], 32);
		else
			assert_memory_not_equal(now[i], orig[i], 32);
	}
}

static void test_chain_every_byte_counts(void **state)
{
	(void)state;
	static const uint8_t zero[32];
	struct entry e[CHAIN_N];
	uint8_t orig[CHAIN_N][32];
	int checked = 0;

	make_chain(e);
	chain(e, CHAIN_N, zero, orig);
	for (size_t k = 0; k < CHAIN_N; k++) {
		for (int b = 0; b < 8; b++) {
			e[k].seq ^= (int64_t)1 << (8 * b);
			assert_tamper_shows(e, k, orig);
			e[k].seq ^= (int64_t)1 << (8 * b);
			e[k].at ^= (int64_t)1 << (8 * b);
			assert_tamper_shows(e, k, orig);
			e[k].at ^= (int64_t)1 << (8 * b);
			checked += 2;
		}
		for (size_t i = 0; e[k].type[i]; i++) {
			e[k].type[i] ^= 0x01;
			assert_tamper_shows(e, k, orig);
			e[k].type[i] ^= 0x01;
			checked++;
		}
		for (size_t i = 0; i < e[k].body_len; i++) {
			for (int bit = 0; bit < 8; bit++) {
				e[k].body[i] ^= (uint8_t)(1u << bit);
				assert_tamper_shows(e, k, orig);
				e[k].body[i] ^= (uint8_t)(1u << bit);
				checked++;
			}
		}
		/* A body cut short or grown by one byte. */
		e[k].body_len--;
		assert_tamper_shows(e, k, orig);
		e[k].body_len += 2;
		assert_tamper_shows(e, k, orig);
		e[k].body_len--;
	}
	assert_true(checked > 3 * (16 + 8 * 20));

	/* The untouched chain still verifies: the loop restored everything. */
	uint8_t again[CHAIN_N][32];
	chain(e, CHAIN_N, zero, again);
	assert_memory_equal(again, orig, sizeof orig);

	/* A different starting prev (a forged genesis link) changes all. */
	uint8_t other[32] = {1};
	chain(e, CHAIN_N, other, again);
	for (int i = 0; i < CHAIN_N; i++)
		assert_memory_not_equal(again[i], orig[i], 32);
}

/* Deleting or swapping entries breaks the links after them. */
static void test_chain_delete_and_reorder(void **state)
{
	(void)state;
	static const uint8_t zero[32];
	struct entry e[CHAIN_N], cut[2];
	uint8_t orig[CHAIN_N][32], h[2][32];

	make_chain(e);
	chain(e, CHAIN_N, zero, orig);

	/* Drop entry 2: entry 3 rehashed over entry 1's hash is not stored hash 3. */
	cut[0] = e[0];
	cut[1] = e[2];
	chain(cut, 2, zero, h);
	assert_memory_equal(h[0], orig[0], 32);
	assert_memory_not_equal(h[1], orig[2], 32);

	/* Swap entries 2 and 3 (their seqs travel with them). */
	cut[0] = e[2];
	cut[1] = e[1];
	audit_hash(h[0], orig[0], cut[0].seq, cut[0].at, cut[0].type, cut[0].body,
	           cut[0].body_len);
	assert_memory_not_equal(h[0], orig[1], 32);
}

/* ---------------------------------------------------------------- bodies: exact bytes and keys */

static void test_genesis_bytes_and_round_trip(void **state)
{
	(void)state;
	uint8_t commit[32], back[32];
	struct body a, b;
	uint8_t want[1 + 7 + 2 + 32];

	fill(commit, sizeof commit, 0x55);
	body_init(&a);
	audit_pack_genesis(&a.pk, commit);
	want[0] = 0x81;                      /* map of 1 */
	memcpy(want + 1, "\xa6" "commit", 7);
	want[8] = 0xc4;                      /* bin 8 */
	want[9] = 32;
	memcpy(want + 10, commit, 32);
	assert_int_equal(a.sb.size, sizeof want);
	assert_memory_equal(a.sb.data, want, sizeof want);

	assert_true(audit_read_commit(body_unpack(&a), back));
	assert_memory_equal(back, commit, 32);
	body_init(&b);
	audit_pack_genesis(&b.pk, back);
	assert_same_bytes(&a, &b);
	body_free(&a);
	body_free(&b);
}

static void test_term_bytes_and_round_trip(void **state)
{
	(void)state;
	int32_t start = ident_days_from_civil(2024, 1, 1);
	int32_t end = ident_days_from_civil(2026, 12, 31), s2, e2;
	int term;
	struct body a, b;
	static const char want[] =
		"\x83" "\xa4" "term" "\x03" "\xa5" "start" "\xaa" "2024-01-01"
		"\xa3" "end" "\xaa" "2026-12-31";

	body_init(&a);
	audit_pack_term(&a.pk, 3, start, end);
	assert_int_equal(a.sb.size, sizeof want - 1);
	assert_memory_equal(a.sb.data, want, sizeof want - 1);

	assert_true(audit_read_term(body_unpack(&a), &term, &s2, &e2));
	assert_int_equal(term, 3);
	assert_int_equal(s2, start);
	assert_int_equal(e2, end);
	body_init(&b);
	audit_pack_term(&b.pk, term, s2, e2);
	assert_same_bytes(&a, &b);
	body_free(&a);
	body_free(&b);
}

static void test_expert_keys_and_round_trip(void **state)
{
	(void)state;
	static const char *const top[] = {"event", "actor", "reason", "expert", NULL};
	static const char *const top_nr[] = {"event", "actor", "expert", NULL};
	static const char *const proj[] = {
		"id", "birth", "employer_code", "recommender_code", "specialties",
		"group_types", "task_types", "relaxations", "leader", "status",
		"suspended_until", "term", "joined_term", NULL};
	struct expert e, r;
	struct body a, b, c;

	make_expert(&e);
	body_init(&a);
	audit_pack_expert(&a.pk, "suspended", "operator-1", "absent twice", &e);
	msgpack_object *o = body_unpack(&a);
	assert_keys(o, top);
	assert_keys(val_at(o, 3), proj);

	/* Fill r with junk: the reader must clear what it does not restore. */
	memset(&r, 'A', sizeof r);
	assert_true(audit_read_expert(o, &r));
	assert_int_equal(r.id, e.id);
	assert_int_equal(r.birth, e.birth);
	assert_string_equal(r.employer_code, e.employer_code);
	assert_string_equal(r.recommender_code, "");
	assert_int_equal(r.n_specialties, 2);
	assert_string_equal(r.specialties[1], "焊工");
	assert_int_equal(r.group_types, e.group_types);
	assert_int_equal(r.task_types, e.task_types);
	assert_int_equal(r.relaxations, e.relaxations);
	assert_true(r.leader_eligible);
	assert_int_equal(r.status, EXPERT_SUSPENDED);
	assert_int_equal(r.suspended_until, e.suspended_until);
	assert_int_equal(r.term, 3);
	assert_int_equal(r.joined_term, 2);
	assert_string_equal(r.name, "");
	assert_string_equal(r.resident_id, "");
	assert_string_equal(r.phone, "");
	assert_string_equal(r.employer, "");
	assert_string_equal(r.email, "");
	assert_string_equal(r.position, "");
	assert_int_equal(r.title, 0);
	assert_int_equal(r.created_at, 0);

	body_init(&b);
	audit_pack_expert(&b.pk, "suspended", "operator-1", "absent twice", &r);
	assert_same_bytes(&a, &b);

	/* No reason, open-ended status: the key is absent, the date is nil. */
	e.status = EXPERT_ACTIVE;
	e.suspended_until = 0;
	body_init(&c);
	audit_pack_expert(&c.pk, "imported", "operator-1", NULL, &e);
	o = body_unpack(&c);
	assert_keys(o, top_nr);
	assert_int_equal(val_at(val_at(o, 2), 10)->type, MSGPACK_OBJECT_NIL);
	assert_true(audit_read_expert(o, &r));
	assert_int_equal(r.suspended_until, 0);
	body_free(&b);
	body_init(&b);
	audit_pack_expert(&b.pk, "imported", "operator-1", "", &r);
	assert_same_bytes(&c, &b);

	body_free(&a);
	body_free(&b);
	body_free(&c);
}

static void test_expert_body_is_private(void **state)
{
	(void)state;
	const char *personal[] = {NAME, RESIDENT_ID, PHONE, EMAIL, POSITION, EMPLOYER,
	                          "44010619800101", "1380013"};
	struct expert e;
	struct body a;

	make_expert(&e);
	body_init(&a);
	audit_pack_expert(&a.pk, "imported", "operator-1", NULL, &e);
	for (size_t i = 0; i < sizeof personal / sizeof personal[0]; i++)
		assert_false(contains(a.sb.data, a.sb.size, personal[i]));
	/* The search itself works: what is packed is found. */
	assert_true(contains(a.sb.data, a.sb.size, "91440101MA59ABCD1X"));
	assert_true(contains(a.sb.data, a.sb.size, "焊工"));
	body_free(&a);
}

/* A ground the Center configured reads as the built-in ones do; what is
 * not a ground's code at all does not (DRAW.md 4.3). */
static void test_expert_ground_codes(void **state)
{
	(void)state;
	static const struct {
		const char *ground;
		bool ok;
	} cases[] = {
		{"confidentiality", true}, {"other", true}, {"bribery", true},
		{"leak_exam2", true}, {"abcdefghijklmnopqrstuvwxyz012345", true},
		{"abcdefghijklmnopqrstuvwxyz0123456", false}, {"Bribery", false},
		{"9lives", false}, {"收受财物", false}, {"bri-bery", false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct expert e, r;
		struct body a;
		make_expert(&e);
		body_init(&a);
		audit_pack_expert_ground(&a.pk, "revoked", "center-ops", "r", cases[i].ground,
		                         "移送", &e);
		msgpack_object *o = body_unpack(&a);
		assert_true(audit_read_expert(o, &r) == cases[i].ok);
		const char *g;
		size_t n;
		assert_true(proto_map_str(o, "ground", &g, &n));
		assert_int_equal(n, strlen(cases[i].ground));
		body_free(&a);
	}
}

static void test_conflict_keys_and_round_trip(void **state)
{
	(void)state;
	static const char *const keys[] = {"id", "expert", "org_code", "kind",
	                                   "from", "to", NULL};
	int32_t from = ident_days_from_civil(2024, 3, 1);
	int32_t to_days[2] = {0, ident_days_from_civil(2027, 2, 28)};

	for (int i = 0; i < 2; i++) {
		struct body a, b;
		int64_t id, ex;
		char org[19];
		int kind;
		int32_t f, t;

		body_init(&a);
		audit_pack_conflict(&a.pk, 77, 4242, "91440101MA59ABCD1X", 1, from,
		                    to_days[i]);
		msgpack_object *o = body_unpack(&a);
		assert_keys(o, keys);
		assert_int_equal(val_at(o, 5)->type,
		                 i == 0 ? MSGPACK_OBJECT_NIL : MSGPACK_OBJECT_STR);
		assert_true(audit_read_conflict(o, &id, &ex, org, &kind, &f, &t));
		assert_int_equal(id, 77);
		assert_int_equal(ex, 4242);
		assert_string_equal(org, "91440101MA59ABCD1X");
		assert_int_equal(kind, 1);
		assert_int_equal(f, from);
		assert_int_equal(t, to_days[i]);
		body_init(&b);
		audit_pack_conflict(&b.pk, id, ex, org, kind, f, t);
		assert_same_bytes(&a, &b);
		body_free(&a);
		body_free(&b);
	}
}

static void test_org_merged_keys_and_round_trip(void **state)
{
	(void)state;
	static const char *const keys[] = {"from", "into", "actor", "reason", NULL};
	/* The longest key of each form fits the buffers. */
	static const char *const pairs[][2] = {
		{"org:2", "org:1"},
		{"org:9999999999", "91440101MA59ABCD1X"},
	};
	for (size_t i = 0; i < 2; i++) {
		struct body a, b;
		char from[IDENT_CODE_SIZE], into[IDENT_CODE_SIZE];
		body_init(&a);
		audit_pack_org_merged(&a.pk, pairs[i][0], pairs[i][1], "op",
		                      "one school, two entries");
		msgpack_object *o = body_unpack(&a);
		assert_keys(o, keys);
		assert_true(audit_read_org_merged(o, from, into));
		assert_string_equal(from, pairs[i][0]);
		assert_string_equal(into, pairs[i][1]);
		body_init(&b);
		audit_pack_org_merged(&b.pk, from, into, "op", "one school, two entries");
		assert_same_bytes(&a, &b);
		body_free(&a);
		body_free(&b);
	}
	/* The spec's bytes, key by key. */
	struct body a;
	body_init(&a);
	audit_pack_org_merged(&a.pk, "org:2", "org:1", "op", "dup");
	static const char want[] = "\x84\xa4" "from" "\xa5" "org:2" "\xa4" "into"
	                           "\xa5" "org:1" "\xa5" "actor" "\xa2" "op"
	                           "\xa6" "reason" "\xa3" "dup";
	assert_int_equal(a.sb.size, sizeof want - 1);
	assert_memory_equal(a.sb.data, want, sizeof want - 1);
	body_free(&a);
}

static void transcript_round_trip(const struct audit_transcript *t)
{
	struct audit_transcript *r = malloc(sizeof *r);
	struct body a, b;

	assert_non_null(r);
	body_init(&a);
	audit_pack_transcript(&a.pk, t);
	assert_true(audit_read_transcript(body_unpack(&a), r));
	body_init(&b);
	audit_pack_transcript(&b.pk, r);
	assert_same_bytes(&a, &b);

	/* Every packed field came back. */
	assert_int_equal(r->draw, t->draw);
	assert_int_equal(r->task, t->task);
	assert_string_equal(r->kind, t->kind);
	assert_string_equal(r->actor, t->actor);
	assert_string_equal(r->reason, t->reason);
	assert_string_equal(r->req.bureau, t->req.bureau);
	assert_int_equal(r->req.kind, t->req.kind);
	assert_int_equal(r->req.subject, t->req.subject);
	assert_string_equal(r->req.specialty, t->req.specialty);
	assert_int_equal(r->req.group, t->req.group);
	assert_int_equal(r->req.members, t->req.members);
	assert_int_equal(r->req.leader, t->req.leader);
	assert_int_equal(r->req.backups, t->req.backups);
	assert_int_equal(r->req.n_orgs, t->req.n_orgs);
	for (int i = 0; i < t->req.n_orgs; i++)
		assert_string_equal(r->req.orgs[i], t->req.orgs[i]);
	assert_int_equal(r->req.start_at, t->req.start_at);
	assert_int_equal(r->req.end_at, t->req.end_at);
	assert_string_equal(r->req.district, t->req.district);
	assert_int_equal(r->req.n_exclude, t->req.n_exclude);
	assert_memory_equal(r->req.exclude, t->req.exclude,
	                    sizeof t->req.exclude[0] * (size_t)t->req.n_exclude);
	assert_int_equal(r->req.nonce_len, t->req.nonce_len);
	assert_memory_equal(r->req.nonce, t->req.nonce, t->req.nonce_len);
	assert_int_equal(r->rules.rotation_days, t->rules.rotation_days);
	assert_int_equal(r->rules.exposure_cap, t->rules.exposure_cap);
	assert_int_equal(r->rules.exposure_days, t->rules.exposure_days);
	assert_int_equal(r->rules.diversity, t->rules.diversity);
	assert_int_equal(r->n_candidates, t->n_candidates);
	assert_memory_equal(r->candidates_hash, t->candidates_hash, DRAW_HASH_LEN);
	assert_memory_equal(r->excluded, t->excluded, sizeof t->excluded);
	assert_int_equal(r->diversity_dropped, t->diversity_dropped);
	assert_int_equal(r->n_already_drawn, t->n_already_drawn);
	assert_memory_equal(r->already_drawn, t->already_drawn,
	                    sizeof t->already_drawn[0] * t->n_already_drawn);
	assert_memory_equal(r->secret, t->secret, AUDIT_SECRET_LEN);
	assert_memory_equal(r->next_commit, t->next_commit, AUDIT_HASH_LEN);
	assert_memory_equal(r->seed, t->seed, DRAW_SEED_LEN);
	assert_int_equal(r->n_panel, t->n_panel);
	assert_memory_equal(r->panel, t->panel, sizeof t->panel[0] * t->n_panel);
	assert_int_equal(r->ok, t->ok);
	/* Not recorded: the note and the bookkeeping fields. */
	assert_string_equal(r->req.note, "");
	assert_int_equal(r->req.id, 0);
	assert_string_equal(r->req.created_by, "");

	body_free(&a);
	body_free(&b);
	free(r);
}

/* Draft 11 (第十一条(六)): an age exception in the projection, and the
 * rules of a draw made under it, each one key more, written only when
 * true, so entries without them keep their older bytes. */
static void test_age_exception_keys_and_round_trip(void **state)
{
	(void)state;
	static const char *const proj[] = {
		"id", "birth", "employer_code", "recommender_code", "specialties",
		"group_types", "task_types", "relaxations", "leader", "status",
		"suspended_until", "term", "joined_term", "age_exception", NULL};
	static const char *const rules[] = {
		"rotation_days", "exposure_cap", "exposure_days", "diversity",
		"age_exception_only", NULL};
	struct expert e, r;
	struct body a;
	make_expert(&e);
	e.age_exception = true;
	body_init(&a);
	audit_pack_expert(&a.pk, "imported", "operator-1", NULL, &e);
	msgpack_object *o = body_unpack(&a);
	assert_keys(val_at(o, 2), proj);
	assert_true(audit_read_expert(o, &r));
	assert_true(r.age_exception);
	body_free(&a);

	struct audit_transcript *t = malloc(sizeof *t);
	assert_non_null(t);
	make_transcript(t);
	t->rules.age_by_exception = true;
	body_init(&a);
	audit_pack_transcript(&a.pk, t);
	assert_keys(val_at(body_unpack(&a), 6), rules);
	body_free(&a);
	transcript_round_trip(t);
	free(t);
}

/* Draft 13 (the appointment, PROTOCOL.md 7.17): a 15th projection key,
 * only when the expert is not appointed, so every older entry reads as an
 * appointed expert; present, it must name a state other than appointed. */
/* eligible_specialties reads only on an expert whose grounds are
 * 紧缺工种/新职业 alone (DRAW.md 4.3): a log cannot limit anyone else. */
static void test_limited_only_by_occupation_grounds(void **state)
{
	(void)state;
	static const unsigned grounds[] = {
		RELAX_SHORTAGE_OCCUPATION, RELAX_NEW_OCCUPATION, RELAX_BY_OCCUPATION,
		0, RELAX_SENIOR_EXPERT, RELAX_SHORTAGE_OCCUPATION | RELAX_SENIOR_EXPERT,
		RELAX_NEW_OCCUPATION | (1u << 2)};
	static const bool reads[] = {true, true, true, false, false, false, false};
	for (size_t k = 0; k < sizeof grounds / sizeof grounds[0]; k++) {
		struct expert e, r;
		struct body a;
		make_expert(&e);
		e.relaxations = grounds[k];
		e.eligible_specialties = 1u;
		body_init(&a);
		audit_pack_expert(&a.pk, "updated", "operator-1", NULL, &e);
		msgpack_object *o = body_unpack(&a);
		assert_int_equal(audit_read_expert(o, &r), reads[k]);
		if (reads[k])
			assert_int_equal(r.eligible_specialties, 1u);
		body_free(&a);
	}
}

static void test_appointment_key_and_round_trip(void **state)
{
	(void)state;
	static const char *const proj[] = {
		"id", "birth", "employer_code", "recommender_code", "specialties",
		"group_types", "task_types", "relaxations", "leader", "status",
		"suspended_until", "term", "joined_term", "age_exception", "appointment", NULL};
	static const char *const plain[] = {
		"id", "birth", "employer_code", "recommender_code", "specialties",
		"group_types", "task_types", "relaxations", "leader", "status",
		"suspended_until", "term", "joined_term", NULL};
	struct expert e, r;
	struct body a;
	make_expert(&e);
	for (int st = APPOINT_RECOMMENDED; st <= APPOINT_REJECTED; st++) {
		e.age_exception = true;
		e.appointment = (enum expert_appointment)st;
		body_init(&a);
		audit_pack_expert(&a.pk, "reviewed", "operator-1", "资格审查合格", &e);
		msgpack_object *o = body_unpack(&a);
		assert_keys(val_at(o, 3), proj);
		assert_true(audit_read_expert(o, &r));
		assert_int_equal(r.appointment, st);
		assert_true(r.age_exception);
		body_free(&a);
	}
	e.age_exception = false;
	e.appointment = APPOINT_APPOINTED;
	body_init(&a);
	audit_pack_expert(&a.pk, "appointed", "operator-1", NULL, &e);
	msgpack_object *o = body_unpack(&a);
	assert_keys(val_at(o, 2), plain);
	assert_true(audit_read_expert(o, &r));
	assert_int_equal(r.appointment, APPOINT_APPOINTED);
	body_free(&a);

	/* Written out by hand: without the key the body reads (the control);
	 * "appointment": 0 (appointed) is not canonical, and 4 is no state. */
	static const int values[] = {-1, 0, 4};
	for (size_t k = 0; k < sizeof values / sizeof values[0]; k++) {
		int bad = values[k];
		body_init(&a);
		msgpack_pack_map(&a.pk, 3);
		proto_pack_kv_str(&a.pk, "event", "imported");
		proto_pack_kv_str(&a.pk, "actor", "operator-1");
		proto_pack_str(&a.pk, "expert");
		msgpack_pack_map(&a.pk, bad < 0 ? 13 : 14);
		proto_pack_kv_int(&a.pk, "id", 1);
		proto_pack_kv_str(&a.pk, "birth", "1980-01-01");
		proto_pack_kv_str(&a.pk, "employer_code", "");
		proto_pack_kv_str(&a.pk, "recommender_code", "");
		proto_pack_str(&a.pk, "specialties");
		msgpack_pack_array(&a.pk, 1);
		proto_pack_str(&a.pk, "电工");
		proto_pack_kv_int(&a.pk, "group_types", 2);
		proto_pack_kv_int(&a.pk, "task_types", 0);
		proto_pack_kv_int(&a.pk, "relaxations", 0);
		proto_pack_kv_bool(&a.pk, "leader", false);
		proto_pack_kv_int(&a.pk, "status", 0);
		proto_pack_str(&a.pk, "suspended_until");
		msgpack_pack_nil(&a.pk);
		proto_pack_kv_int(&a.pk, "term", 1);
		proto_pack_kv_int(&a.pk, "joined_term", 1);
		if (bad >= 0)
			proto_pack_kv_int(&a.pk, "appointment", bad);
		assert_int_equal(audit_read_expert(body_unpack(&a), &r), bad < 0);
		body_free(&a);
	}
}

static void test_transcript_keys_and_round_trip(void **state)
{
	(void)state;
	static const char *const top[] = {
		"draw", "task", "kind", "actor", "reason", "request", "rules",
		"candidates", "candidates_hash", "excluded", "diversity_dropped",
		"already_drawn", "secret", "next_commit", "seed", "panel", "ok", NULL};
	static const char *const req[] = {
		"bureau", "kind", "subject", "specialty", "group", "members", "leader",
		"backups", "orgs", "start", "end", "district", "exclude", "nonce", NULL};
	static const char *const rules[] = {
		"rotation_days", "exposure_cap", "exposure_days", "diversity", NULL};
	const char *excl[RULES_IN_MAP + 1];
	struct audit_transcript *t = malloc(sizeof *t);
	struct body a;

	assert_non_null(t);
	make_transcript(t);
	body_init(&a);
	audit_pack_transcript(&a.pk, t);
	msgpack_object *o = body_unpack(&a);
	assert_keys(o, top);
	assert_keys(val_at(o, 5), req);
	assert_keys(val_at(o, 6), rules);
	excl[0] = "outside_specialty";
	for (int i = 1; i < RULES_IN_MAP; i++)
		excl[i] = recusal_rule_names[i];
	excl[RULES_IN_MAP] = NULL;
	assert_keys(val_at(o, 9), excl);
	/* Wire names of the request's enums. */
	const msgpack_object *k = val_at(val_at(o, 5), 1);
	assert_int_equal(k->via.str.size, strlen("inspection"));
	assert_memory_equal(k->via.str.ptr, "inspection", k->via.str.size);
	k = val_at(val_at(o, 5), 2);
	assert_memory_equal(k->via.str.ptr, "evaluation", k->via.str.size);
	k = val_at(val_at(o, 5), 4);
	assert_memory_equal(k->via.str.ptr, "skill_evaluation", k->via.str.size);
	/* The free-text note never reaches the log. */
	assert_false(contains(a.sb.data, a.sb.size, NOTE));
	assert_false(contains(a.sb.data, a.sb.size, "13912345678"));
	body_free(&a);

	transcript_round_trip(t);
	free(t);
}

/* A failed first draw: no task, no reason, nothing drawn, empty lists. */
static void test_transcript_minimal_round_trip(void **state)
{
	(void)state;
	static const char *const top[] = {
		"draw", "task", "kind", "actor", "request", "rules",
		"candidates", "candidates_hash", "excluded", "diversity_dropped",
		"already_drawn", "secret", "next_commit", "seed", "panel", "ok", NULL};
	struct audit_transcript *t = malloc(sizeof *t);
	struct body a;

	assert_non_null(t);
	make_transcript(t);
	t->task = 0;
	strcpy(t->kind, "draw");
	t->reason[0] = '\0';
	t->req.n_orgs = 0;
	t->req.n_exclude = 0;
	t->req.nonce_len = 0;
	t->req.leader = false;
	t->req.district[0] = '\0';
	t->n_already_drawn = 0;
	t->n_panel = 0;
	t->ok = false;
	t->rules = (struct recusal_config){.exposure_days = 365};
	memset(t->excluded, 0, sizeof t->excluded);
	body_init(&a);
	audit_pack_transcript(&a.pk, t);
	msgpack_object *o = body_unpack(&a);
	assert_keys(o, top);
	assert_int_equal(val_at(o, 1)->type, MSGPACK_OBJECT_NIL);
	body_free(&a);
	transcript_round_trip(t);

	/* Largest lists the struct holds. */
	make_transcript(t);
	for (int i = 0; i < TASK_MAX_ORGS; i++)
		snprintf(t->req.orgs[i], sizeof t->req.orgs[i], "ORG%015d", i);
	t->req.n_orgs = TASK_MAX_ORGS;
	for (int i = 0; i < TASK_MAX_EXCLUDE; i++)
		t->req.exclude[i] = 1000 + i;
	t->req.n_exclude = TASK_MAX_EXCLUDE;
	fill(t->req.nonce, TASK_NONCE_MAX, 1);
	t->req.nonce_len = TASK_NONCE_MAX;
	for (size_t i = 0; i < TASK_MAX_SEATS * 4; i++)
		t->already_drawn[i] = 5000 + (int64_t)i;
	t->n_already_drawn = TASK_MAX_SEATS * 4;
	for (size_t i = 0; i < TASK_MAX_SEATS; i++)
		t->panel[i] = 9000 + (int64_t)i;
	t->n_panel = TASK_MAX_SEATS;
	t->req.start_at = -5;              /* negative ints survive too */
	transcript_round_trip(t);
	free(t);
}

/* ---------------------------------------------------------------- strict readers */

static void set_str(msgpack_object *o, const char *s)
{
	o->type = MSGPACK_OBJECT_STR;
	o->via.str.ptr = s;
	o->via.str.size = (uint32_t)strlen(s);
}

static void set_int(msgpack_object *o, int64_t v)
{
	if (v < 0) {
		o->type = MSGPACK_OBJECT_NEGATIVE_INTEGER;
		o->via.i64 = v;
	} else {
		o->type = MSGPACK_OBJECT_POSITIVE_INTEGER;
		o->via.u64 = (uint64_t)v;
	}
}

/* A value of another type than o's: a string for non-strings, else an int. */
static void set_wrong_type(msgpack_object *o)
{
	if (o->type == MSGPACK_OBJECT_STR)
		set_int(o, 7);
	else
		set_str(o, "x");
}

static bool key_is(const msgpack_object *k, const char *s)
{
	return k->via.str.size == strlen(s) && memcmp(k->via.str.ptr, s, k->via.str.size) == 0;
}

/*
 * Every way of breaking map m (inside the body `root`) must be refused:
 * each key removed (except "reason" when reason_optional), each value of the wrong
 * type, each array's first item of the wrong type (and broken the same
 * way when it is a map), each pair of
 * neighbouring keys swapped, an unknown key added; and the same for every
 * nested map. The tree is restored after each change.
 */
static int break_map(const msgpack_object *root, msgpack_object *m,
                     bool (*read)(const msgpack_object *), bool reason_optional)
{
	msgpack_object_kv *kv = m->via.map.ptr;
	uint32_t n = m->via.map.size;
	msgpack_object_kv *tmp = calloc(n + 1, sizeof *tmp);
	int cases = 0;

	assert_non_null(tmp);
	assert_true(read(root));
	for (uint32_t i = 0; i < n; i++) {
		/* removed */
		memcpy(tmp, kv, i * sizeof *kv);
		memcpy(tmp + i, kv + i + 1, (n - i - 1) * sizeof *kv);
		m->via.map.ptr = tmp;
		m->via.map.size = n - 1;
		if (reason_optional && key_is(&kv[i].key, "reason"))
			assert_true(read(root));
		else
			assert_false(read(root));
		m->via.map.ptr = kv;
		m->via.map.size = n;
		cases++;

		/* wrong type */
		msgpack_object saved = kv[i].val;
		set_wrong_type(&kv[i].val);
		assert_false(read(root));
		kv[i].val = saved;
		cases++;

		/* nested */
		if (saved.type == MSGPACK_OBJECT_MAP)
			cases += break_map(root, &kv[i].val, read, reason_optional);
		if (saved.type == MSGPACK_OBJECT_ARRAY && saved.via.array.size > 0 &&
		    saved.via.array.ptr[0].type == MSGPACK_OBJECT_MAP)
			cases += break_map(root, &saved.via.array.ptr[0], read, reason_optional);
		if (saved.type == MSGPACK_OBJECT_ARRAY && saved.via.array.size > 0) {
			msgpack_object item = saved.via.array.ptr[0];
			set_wrong_type(&saved.via.array.ptr[0]);
			assert_false(read(root));
			saved.via.array.ptr[0] = item;
			cases++;
		}

		/* swapped with the next key */
		if (i + 1 < n) {
			msgpack_object_kv x = kv[i];
			kv[i] = kv[i + 1];
			kv[i + 1] = x;
			assert_false(read(root));
			kv[i + 1] = kv[i];
			kv[i] = x;
			cases++;
		}
	}
	/* an unknown key at the end */
	memcpy(tmp, kv, n * sizeof *kv);
	set_str(&tmp[n].key, "extra");
	set_int(&tmp[n].val, 1);
	m->via.map.ptr = tmp;
	m->via.map.size = n + 1;
	assert_false(read(root));
	m->via.map.ptr = kv;
	m->via.map.size = n;
	cases++;

	assert_true(read(root));
	free(tmp);
	return cases;
}

static void assert_all_breaks_refused(struct body *a, bool (*read)(const msgpack_object *),
                                      int min_cases)
{
	msgpack_object *o = body_unpack(a);
	msgpack_object not_map;

	/* org.merged is the one body here whose reason is required. */
	assert_true(break_map(o, o, read, read != read_org_merged) >= min_cases);
	set_str(&not_map, "x");
	assert_false(read(&not_map));
	set_int(&not_map, 1);
	assert_false(read(&not_map));
	not_map.type = MSGPACK_OBJECT_NIL;
	assert_false(read(&not_map));
}

/* pool.revealed (DRAW.md 4.3): the four keys in order, the spec's bytes,
 * and a reader that refuses an empty reason or op and a negative count. */
static void test_revealed_keys_bytes_and_reader(void **state)
{
	(void)state;
	static const char *const keys[] = {"actor", "reason", "op", "experts", NULL};
	struct body a;
	int64_t n = -1;
	body_init(&a);
	audit_pack_revealed(&a.pk, "op", "dup", "pool.export", 40);
	static const char want[] = "\x84\xa5" "actor" "\xa2" "op" "\xa6" "reason"
	                           "\xa3" "dup" "\xa2" "op" "\xab" "pool.export"
	                           "\xa7" "experts" "\x28";
	assert_int_equal(a.sb.size, sizeof want - 1);
	assert_memory_equal(a.sb.data, want, sizeof want - 1);
	msgpack_object *o = body_unpack(&a);
	assert_keys(o, keys);
	assert_true(audit_read_revealed(o, &n));
	assert_int_equal(n, 40);
	set_str(&o->via.map.ptr[1].val, "");
	assert_false(audit_read_revealed(o, &n));
	set_str(&o->via.map.ptr[1].val, "why");
	set_str(&o->via.map.ptr[2].val, "");
	assert_false(audit_read_revealed(o, &n));
	set_str(&o->via.map.ptr[2].val, "pool.export");
	set_int(&o->via.map.ptr[3].val, -1);
	assert_false(audit_read_revealed(o, &n));
	set_int(&o->via.map.ptr[3].val, 0);
	assert_true(audit_read_revealed(o, &n));
	body_free(&a);
}

/* assignment.corrected (DRAW.md 4.3): an attendance's keys and a
 * reason's, round trips to the same bytes, and a reader that refuses an
 * empty reason and a from_reason without its to_reason. */
static void test_correction_keys_and_round_trip(void **state)
{
	(void)state;
	static const char *const attendance[] = {"assignment", "task", "expert", "from",
	                                         "to", "actor", "reason", "withdrawn",
	                                         NULL};
	static const char *const reason[] = {"assignment", "task", "expert", "from", "to",
	                                     "from_reason", "to_reason", "actor", "reason",
	                                     "withdrawn", "ledger", NULL};
	const struct audit_correction in[2] = {
		{.assignment = 12, .task = 3, .expert = 19, .from = ASSIGN_NO_SHOW,
		 .to = ASSIGN_COMPLETED, .from_reason = -1, .to_reason = -1, .actor = "op",
		 .reason = "签到表漏记", .withdrawn = POLICY_NO_SHOW, .ledger = -1},
		{.assignment = 7, .task = 2, .expert = 20, .from = ASSIGN_DECLINED,
		 .to = ASSIGN_DECLINED, .from_reason = POLICY_REASON_SCHEDULE,
		 .to_reason = POLICY_REASON_ILLNESS, .actor = "op", .reason = "sick note",
		 .withdrawn = POLICY_DECLINE, .ledger = POLICY_EXCUSED},
	};
	for (int i = 0; i < 2; i++) {
		struct body a, b;
		struct audit_correction r;
		body_init(&a);
		audit_pack_correction(&a.pk, &in[i]);
		msgpack_object *o = body_unpack(&a);
		assert_keys(o, i == 0 ? attendance : reason);
		assert_true(audit_read_correction(o, &r));
		assert_int_equal(r.assignment, in[i].assignment);
		assert_int_equal(r.from, in[i].from);
		assert_int_equal(r.to, in[i].to);
		assert_int_equal(r.from_reason, in[i].from_reason);
		assert_int_equal(r.to_reason, in[i].to_reason);
		assert_int_equal(r.withdrawn, in[i].withdrawn);
		assert_int_equal(r.ledger, in[i].ledger);
		assert_string_equal(r.reason, in[i].reason);
		body_init(&b);
		audit_pack_correction(&b.pk, &r);
		assert_same_bytes(&a, &b);
		body_free(&b);
		/* A correction says why. */
		set_str(&o->via.map.ptr[i == 0 ? 6 : 8].val, "");
		assert_false(audit_read_correction(o, &r));
		body_free(&a);
	}
	/* A decline corrected to an acceptance: the reason it had, none after. */
	static const char *const accept[] = {"assignment", "task", "expert", "from", "to",
	                                     "from_reason", "actor", "reason", "withdrawn",
	                                     NULL};
	struct audit_correction acc = in[1], r;
	acc.to = ASSIGN_ACCEPTED;
	acc.to_reason = acc.ledger = -1;
	struct body a, b;
	body_init(&a);
	audit_pack_correction(&a.pk, &acc);
	msgpack_object *o = body_unpack(&a);
	assert_keys(o, accept);
	assert_true(audit_read_correction(o, &r));
	assert_int_equal(r.to_reason, -1);
	assert_int_equal(r.from_reason, POLICY_REASON_SCHEDULE);
	body_init(&b);
	audit_pack_correction(&b.pk, &r);
	assert_same_bytes(&a, &b);
	body_free(&a);
	body_free(&b);
}

static void test_readers_refuse_broken_layouts(void **state)
{
	(void)state;
	uint8_t commit[32] = {0};
	struct expert e;
	struct audit_transcript *t = malloc(sizeof *t);
	struct body a;

	assert_non_null(t);
	body_init(&a);
	audit_pack_genesis(&a.pk, commit);
	assert_all_breaks_refused(&a, read_genesis, 2);
	body_free(&a);

	body_init(&a);
	audit_pack_term(&a.pk, 1, 19000, 20000);
	assert_all_breaks_refused(&a, read_term, 3 * 3);
	body_free(&a);

	make_expert(&e);
	body_init(&a);
	audit_pack_expert(&a.pk, "suspended", "op", "why", &e);
	assert_all_breaks_refused(&a, read_expert, 4 * 3 + 13 * 3);
	body_free(&a);

	body_init(&a);
	audit_pack_conflict(&a.pk, 1, 2, "91440101MA59ABCD1X", 0, 19000, 19500);
	assert_all_breaks_refused(&a, read_conflict, 6 * 3);
	body_free(&a);

	make_transcript(t);
	body_init(&a);
	audit_pack_transcript(&a.pk, t);
	assert_all_breaks_refused(&a, read_transcript, 17 * 3 + 14 * 3 + 4 * 3 + RULES_IN_MAP * 3);
	body_free(&a);
	free(t);

	body_init(&a);
	audit_pack_org_merged(&a.pk, "org:2", "org:1", "op", "the same school");
	assert_all_breaks_refused(&a, read_org_merged, 4 * 3);
	body_free(&a);
}

/* Pack one value under a key of a body made by `make`, then read. */
static void test_readers_refuse_bad_values(void **state)
{
	(void)state;
	struct expert e;
	struct audit_transcript *t = malloc(sizeof *t);
	struct body a;
	msgpack_object *o, saved;

	assert_non_null(t);
	/* genesis: a commit of 31 or 33 bytes */
	uint8_t c[33] = {0};
	for (size_t len = 31; len <= 33; len += 2) {
		body_init(&a);
		msgpack_pack_map(&a.pk, 1);
		proto_pack_str(&a.pk, "commit");
		msgpack_pack_bin(&a.pk, len);
		msgpack_pack_bin_body(&a.pk, c, len);
		assert_false(read_genesis(body_unpack(&a)));
		body_free(&a);
	}

	/* term: an impossible date, a term number below 1 */
	body_init(&a);
	audit_pack_term(&a.pk, 1, 19000, 20000);
	o = body_unpack(&a);
	saved = o->via.map.ptr[1].val;
	set_str(&o->via.map.ptr[1].val, "2024-02-30");
	assert_false(read_term(o));
	o->via.map.ptr[1].val = saved;
	set_int(&o->via.map.ptr[0].val, 0);
	assert_false(read_term(o));
	set_int(&o->via.map.ptr[0].val, -1);
	assert_false(read_term(o));
	set_int(&o->via.map.ptr[0].val, 2);
	assert_true(read_term(o));
	body_free(&a);

	/* expert: an empty reason, a status out of range, a bit beyond the
	 * list, four specialties, "1970-01-01" for "none", a long code */
	make_expert(&e);
	body_init(&a);
	audit_pack_expert(&a.pk, "suspended", "op", "why", &e);
	o = body_unpack(&a);
	msgpack_object *x = &o->via.map.ptr[3].val;
	set_str(&o->via.map.ptr[2].val, "");
	assert_false(read_expert(o));
	set_str(&o->via.map.ptr[2].val, "why");
	assert_true(read_expert(o));
	set_int(&x->via.map.ptr[9].val, EXPERT_REVOKED + 1);
	assert_false(read_expert(o));
	set_int(&x->via.map.ptr[9].val, -1);
	assert_false(read_expert(o));
	set_int(&x->via.map.ptr[9].val, EXPERT_REVOKED);
	assert_true(read_expert(o));
	set_int(&x->via.map.ptr[5].val, 1 << 3);        /* group_types: 3 kinds */
	assert_false(read_expert(o));
	set_int(&x->via.map.ptr[5].val, 7);
	assert_true(read_expert(o));
	set_int(&x->via.map.ptr[7].val, 1 << 5);        /* relaxations: 5 grounds */
	assert_false(read_expert(o));
	set_int(&x->via.map.ptr[7].val, 31);
	assert_true(read_expert(o));
	set_str(&x->via.map.ptr[10].val, "1970-01-01");
	assert_false(read_expert(o));
	set_str(&x->via.map.ptr[10].val, "1970-01-02");
	assert_true(read_expert(o));
	set_str(&x->via.map.ptr[2].val, "91440101MA59ABCD1XY");   /* 19 bytes */
	assert_false(read_expert(o));
	set_str(&x->via.map.ptr[2].val, "");
	assert_true(read_expert(o));
	msgpack_object four[4];
	for (int i = 0; i < 4; i++)
		set_str(&four[i], "s");
	saved = x->via.map.ptr[4].val;
	x->via.map.ptr[4].val.via.array.ptr = four;
	x->via.map.ptr[4].val.via.array.size = 4;
	assert_false(read_expert(o));
	x->via.map.ptr[4].val.via.array.size = 3;
	assert_true(read_expert(o));
	x->via.map.ptr[4].val = saved;
	/* an embedded NUL would be cut when packed again */
	x->via.map.ptr[3].val.type = MSGPACK_OBJECT_STR;
	x->via.map.ptr[3].val.via.str.ptr = "ab\0cd";
	x->via.map.ptr[3].val.via.str.size = 5;
	assert_false(read_expert(o));
	body_free(&a);

	/* conflict: an unknown kind, an id of 0 */
	body_init(&a);
	audit_pack_conflict(&a.pk, 1, 2, "91440101MA59ABCD1X", 0, 19000, 0);
	o = body_unpack(&a);
	set_str(&o->via.map.ptr[3].val, "enemy");
	assert_false(read_conflict(o));
	set_str(&o->via.map.ptr[3].val, "other");
	assert_true(read_conflict(o));
	set_int(&o->via.map.ptr[0].val, 0);
	assert_false(read_conflict(o));
	body_free(&a);

	/* org.merged: an empty or 513-byte reason, a 19-byte key */
	char long_reason[PROTO_REASON_SIZE + 1] = {0};
	memset(long_reason, 'r', PROTO_REASON_SIZE);
	body_init(&a);
	audit_pack_org_merged(&a.pk, "org:2", "org:1", "op", "why");
	o = body_unpack(&a);
	set_str(&o->via.map.ptr[3].val, "");
	assert_false(read_org_merged(o));
	set_str(&o->via.map.ptr[3].val, long_reason);
	assert_false(read_org_merged(o));
	long_reason[PROTO_REASON_SIZE - 1] = '\0';              /* 512 bytes */
	set_str(&o->via.map.ptr[3].val, long_reason);
	assert_true(read_org_merged(o));
	set_str(&o->via.map.ptr[1].val, "91440101MA59ABCD1XY");
	assert_false(read_org_merged(o));
	body_free(&a);

	/* transcript: task 0 (none is nil), an unknown draw kind, a negative
	 * count, too many panel ids, a short seed */
	make_transcript(t);
	body_init(&a);
	audit_pack_transcript(&a.pk, t);
	o = body_unpack(&a);
	set_int(&o->via.map.ptr[1].val, 0);
	assert_false(read_transcript(o));
	o->via.map.ptr[1].val.type = MSGPACK_OBJECT_NIL;
	assert_true(read_transcript(o));
	set_str(&o->via.map.ptr[2].val, "lottery");
	assert_false(read_transcript(o));
	/* A replacement must name the seat it fills (replaces, role). */
	set_str(&o->via.map.ptr[2].val, "replacement");
	assert_false(read_transcript(o));
	set_str(&o->via.map.ptr[2].val, "redraw");
	assert_true(read_transcript(o));
	set_int(&o->via.map.ptr[7].val, -1);
	assert_false(read_transcript(o));
	set_int(&o->via.map.ptr[7].val, 0);
	assert_true(read_transcript(o));
	msgpack_object ids[TASK_MAX_SEATS + 1];
	for (int i = 0; i <= TASK_MAX_SEATS; i++)
		set_int(&ids[i], i + 1);
	saved = o->via.map.ptr[15].val;
	o->via.map.ptr[15].val.via.array.ptr = ids;
	o->via.map.ptr[15].val.via.array.size = TASK_MAX_SEATS + 1;
	assert_false(read_transcript(o));
	o->via.map.ptr[15].val.via.array.size = TASK_MAX_SEATS;
	assert_true(read_transcript(o));
	set_int(&ids[0], 0);                 /* ids start at 1 */
	assert_false(read_transcript(o));
	o->via.map.ptr[15].val = saved;
	o->via.map.ptr[14].val.via.bin.size = DRAW_SEED_LEN - 1;
	assert_false(read_transcript(o));
	o->via.map.ptr[14].val.via.bin.size = DRAW_SEED_LEN;
	assert_true(read_transcript(o));
	msgpack_object *rq = &o->via.map.ptr[5].val;
	set_str(&rq->via.map.ptr[1].val, "picnic");         /* request kind */
	assert_false(read_transcript(o));
	set_str(&rq->via.map.ptr[1].val, "other");
	assert_true(read_transcript(o));
	set_int(&rq->via.map.ptr[5].val, TASK_MAX_SEATS + 1);  /* members */
	assert_false(read_transcript(o));
	body_free(&a);
	free(t);
}

/* ---------------------------------------------------------------- the two layouts of `excluded` */

/* DRAW.md 4.4: entries since draft 9 have 13 keys; older ones the same
 * without outside_group, their outside_specialty counting both causes. */
static const char *const EXCLUDED_13[] = {
	"outside_specialty", "outside_group", "status", "term", "capability", "age",
	"excluded", "employer", "recommender", "conflict", "overlap", "rotation",
	"exposure", NULL};
static const char *const EXCLUDED_12[] = {
	"outside_specialty", "status", "term", "capability", "age", "excluded",
	"employer", "recommender", "conflict", "overlap", "rotation", "exposure", NULL};

/* make_transcript's, recorded as since draft 9: 40 experts outside the
 * bucket, 15 of whom hold the specialty in another group type. */
static void make_split_transcript(struct audit_transcript *t)
{
	make_transcript(t);
	t->excluded[RULE_OK] = 40;
	t->outside_group = 15;
	t->outside_split = true;
}

/* Reads, and in the 13-key layout. */
static bool read_split_transcript(const msgpack_object *o)
{
	struct audit_transcript *t = malloc(sizeof *t);
	assert_non_null(t);
	bool ok = audit_read_transcript(o, t) && t->outside_split;
	free(t);
	return ok;
}

static uint64_t uint_at(const msgpack_object *m, uint32_t i)
{
	const msgpack_object *v = val_at(m, i);
	assert_int_equal(v->type, MSGPACK_OBJECT_POSITIVE_INTEGER);
	return v->via.u64;
}

/* Pack t into a (left for the caller to free), check the keys of its
 * excluded map, read it back with its layout and counts, and pack that
 * to the same bytes. Returns the excluded map. */
static const msgpack_object *excluded_round_trip(struct body *a,
                                                 const struct audit_transcript *t,
                                                 const char *const *keys)
{
	struct audit_transcript *r = malloc(sizeof *r);
	struct body b;

	assert_non_null(r);
	body_init(a);
	audit_pack_transcript(&a->pk, t);
	const msgpack_object *x = val_at(body_unpack(a), 9);
	assert_keys(x, keys);
	assert_true(audit_read_transcript(&a->u.data, r));
	assert_int_equal(r->outside_split, t->outside_split);
	assert_int_equal(r->outside_group, t->outside_split ? t->outside_group : 0);
	assert_memory_equal(r->excluded, t->excluded, sizeof t->excluded);
	body_init(&b);
	audit_pack_transcript(&b.pk, r);
	assert_same_bytes(a, &b);
	body_free(&b);
	free(r);
	return x;
}

static void test_transcript_13_keys_and_round_trip(void **state)
{
	(void)state;
	struct audit_transcript *t = malloc(sizeof *t);
	struct body a;

	assert_non_null(t);
	make_split_transcript(t);
	const msgpack_object *x = excluded_round_trip(&a, t, EXCLUDED_13);
	assert_int_equal(uint_at(x, 0), 25);
	assert_int_equal(uint_at(x, 1), 15);
	for (int i = 1; i < RULES_IN_MAP; i++)
		assert_true(uint_at(x, (uint32_t)i + 1) == t->excluded[i]);
	body_free(&a);

	/* The layout is not the value: nobody outside the group, still 13. */
	t->outside_group = 0;
	x = excluded_round_trip(&a, t, EXCLUDED_13);
	assert_int_equal(uint_at(x, 0), 40);
	assert_int_equal(uint_at(x, 1), 0);
	body_free(&a);

	/* Every other break of the layout is refused; without outside_group
	 * it is the older layout (next test). */
	make_split_transcript(t);
	body_init(&a);
	audit_pack_transcript(&a.pk, t);
	assert_all_breaks_refused(&a, read_split_transcript,
	                          17 * 3 + 14 * 3 + 4 * 3 + (RULES_IN_MAP + 1) * 3);
	body_free(&a);
	free(t);
}

/* The index of key k in map m (which must have it). */
static uint32_t key_index(const msgpack_object *m, const char *k)
{
	for (uint32_t i = 0; i < m->via.map.size; i++) {
		const msgpack_object *x = &m->via.map.ptr[i].key;
		if (x->type == MSGPACK_OBJECT_STR && x->via.str.size == strlen(k) &&
		    memcmp(x->via.str.ptr, k, x->via.str.size) == 0)
			return i;
	}
	fail_msg("no key %s", k);
	return 0;
}

/* DRAW.md 4.4, since draft 16: `candidates_encoding` 2 right after
 * `rules` says the lists are hashed as gaps; without it (every older
 * transcript) as 8-byte ids, and such a body reads and packs back as it
 * was. The key takes 2 and nothing else. */
static void test_transcript_candidates_encoding(void **state)
{
	(void)state;
	struct audit_transcript *t = malloc(sizeof *t), *r = malloc(sizeof *r);
	struct body a, b, c;

	assert_non_null(t);
	assert_non_null(r);
	make_split_transcript(t);
	body_init(&a);
	audit_pack_transcript(&a.pk, t);
	const msgpack_object *old = body_unpack(&a);
	uint32_t rules = key_index(old, "rules");
	assert_int_equal(key_index(old, "candidates"), rules + 1);
	assert_true(audit_read_transcript(old, r));
	assert_int_equal(audit_list_encoding(r), DRAW_LIST_IDS);

	t->candidates_encoding = DRAW_LIST_GAPS;
	body_init(&b);
	audit_pack_transcript(&b.pk, t);
	msgpack_object *o = body_unpack(&b);
	assert_int_equal(o->via.map.size, old->via.map.size + 1);
	assert_int_equal(key_index(o, "candidates_encoding"), rules + 1);
	assert_int_equal(uint_at(o, rules + 1), 2);
	assert_true(audit_read_transcript(o, r));
	assert_int_equal(audit_list_encoding(r), DRAW_LIST_GAPS);
	body_init(&c);
	audit_pack_transcript(&c.pk, r);
	assert_same_bytes(&b, &c);
	body_free(&c);
	static const int64_t bad[] = {0, 1, 3, 255, -2};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		set_int(&o->via.map.ptr[rules + 1].val, bad[i]);
		assert_false(read_transcript(o));
	}
	set_int(&o->via.map.ptr[rules + 1].val, 2);
	assert_true(read_transcript(o));
	/* Anywhere but after `rules` it is refused. */
	msgpack_object_kv kv = o->via.map.ptr[rules + 1];
	o->via.map.ptr[rules + 1] = o->via.map.ptr[rules + 2];
	o->via.map.ptr[rules + 2] = kv;
	assert_false(read_transcript(o));
	body_free(&a);
	body_free(&b);
	free(t);
	free(r);
}

/* Entries written before draft 9 read and pack back byte for byte; their
 * outside_specialty is everyone outside the bucket. */
static void test_transcript_12_keys_still_read(void **state)
{
	(void)state;
	struct audit_transcript *t = malloc(sizeof *t), *r = malloc(sizeof *r);
	struct body a, b;

	assert_non_null(t);
	assert_non_null(r);
	make_transcript(t);   /* outside_split false: the older layout */
	excluded_round_trip(&a, t, EXCLUDED_12);
	body_free(&a);

	/* The same pool in both layouts reads to the same counts, but for
	 * the split. */
	make_split_transcript(t);
	body_init(&a);
	audit_pack_transcript(&a.pk, t);
	t->outside_split = false;
	body_init(&b);
	audit_pack_transcript(&b.pk, t);
	assert_true(a.sb.size > b.sb.size);
	assert_true(audit_read_transcript(body_unpack(&a), r));
	assert_int_equal(r->excluded[RULE_OK], 40);
	assert_int_equal(r->outside_group, 15);
	assert_true(audit_read_transcript(body_unpack(&b), r));
	assert_int_equal(r->excluded[RULE_OK], 40);
	assert_int_equal(r->outside_group, 0);
	assert_false(r->outside_split);
	body_free(&b);

	/* A 13-key map without outside_group is a 12-key one: its
	 * outside_specialty (25) then counts all outside the bucket. */
	msgpack_object *m = &a.u.data.via.map.ptr[9].val;
	msgpack_object_kv *kv = m->via.map.ptr;
	msgpack_object_kv drop[RULES_IN_MAP];
	drop[0] = kv[0];
	memcpy(drop + 1, kv + 2, (RULES_IN_MAP - 1) * sizeof *kv);
	m->via.map.ptr = drop;
	m->via.map.size = RULES_IN_MAP;
	assert_true(audit_read_transcript(&a.u.data, r));
	assert_false(r->outside_split);
	assert_int_equal(r->excluded[RULE_OK], 25);
	m->via.map.ptr = kv;
	m->via.map.size = RULES_IN_MAP + 1;
	body_free(&a);
	free(t);
	free(r);
}

/* outside_specialty + outside_group is a count of the pool: it must fit
 * the uint64 it was counted in. */
static void test_excluded_sum_must_fit(void **state)
{
	(void)state;
	struct audit_transcript *t = malloc(sizeof *t);
	struct body a;

	assert_non_null(t);
	make_split_transcript(t);
	body_init(&a);
	audit_pack_transcript(&a.pk, t);
	msgpack_object *x = &body_unpack(&a)->via.map.ptr[9].val;
	x->via.map.ptr[0].val.via.u64 = UINT64_MAX;
	assert_false(audit_read_transcript(&a.u.data, t));
	x->via.map.ptr[1].val.via.u64 = 0;
	assert_true(audit_read_transcript(&a.u.data, t));
	assert_true(t->excluded[RULE_OK] == UINT64_MAX);
	x->via.map.ptr[0].val.via.u64 = UINT64_MAX - 1;
	x->via.map.ptr[1].val.via.u64 = 1;
	assert_true(audit_read_transcript(&a.u.data, t));
	assert_true(t->excluded[RULE_OK] == UINT64_MAX);
	assert_int_equal(t->outside_group, 1);
	body_free(&a);
	free(t);
}

/* A task.short body as the old daemon wrote it: its map of `keys`. */
static void pack_task_short_counts(msgpack_packer *pk, const char *const *keys,
                                   const uint64_t *counts);

/* task.short with these excluded keys, counting 0, 1, 2, ... */
static void pack_task_short_keys(msgpack_packer *pk, const char *const *keys)
{
	uint64_t counts[RULES_IN_MAP + 3];
	uint32_t n = 0;
	for (; keys[n]; n++) {
		assert_true(n < sizeof counts / sizeof counts[0]);
		counts[n] = n;
	}
	pack_task_short_counts(pk, keys, counts);
}

static bool read_task_short(const msgpack_object *o)
{
	int64_t task = 0;
	bool ok = audit_read_task_event(AUDIT_TASK_SHORT, o, &task);
	assert_true(!ok || task == 7);
	return ok;
}

/* task.short with these excluded keys and values (NULL-terminated). */
static void pack_task_short_counts(msgpack_packer *pk, const char *const *keys,
                                   const uint64_t *counts)
{
	uint32_t n = 0;
	while (keys[n])
		n++;
	msgpack_pack_map(pk, 4);
	proto_pack_kv_int(pk, "task", 7);
	proto_pack_kv_int(pk, "draw", 3);
	proto_pack_kv_int(pk, "empty", 2);
	proto_pack_str(pk, "excluded");
	msgpack_pack_map(pk, n);
	for (uint32_t i = 0; i < n; i++)
		proto_pack_kv_int(pk, keys[i], (int64_t)counts[i]);
}

/* Rule 12 (unavailable) ends either layout of the excluded map, only
 * when it kept someone out (DRAW.md 4.4): a map without it is exactly
 * the map written before the rule. */
static void test_excluded_unavailable(void **state)
{
	(void)state;
	const char *keys[RULES_IN_MAP + 3];
	uint64_t counts[RULES_IN_MAP + 3], ex[RULE__COUNT];
	struct body a;

	for (int i = 0; i < RULE__COUNT; i++)
		ex[i] = (uint64_t)i + 1;
	ex[RULE_RELAXATION] = 0;     /* rule 13: test_excluded_relaxation */
	body_init(&a);
	audit_pack_task_short(&a.pk, 7, 3, 2, ex, 1);
	const msgpack_object *x = val_at(body_unpack(&a), 3);
	assert_int_equal(x->via.map.size, 14);
	assert_int_equal(uint_at(x, 13), RULE_UNAVAILABLE + 1);
	assert_true(read_task_short(body_unpack(&a)));
	body_free(&a);
	ex[RULE_UNAVAILABLE] = 0;
	body_init(&a);
	audit_pack_task_short(&a.pk, 7, 3, 2, ex, 1);
	assert_keys(val_at(body_unpack(&a), 3), EXCLUDED_13);
	body_free(&a);

	/* By hand: both layouts with the key at the end, count >= 1. */
	for (int layout = 12; layout <= 13; layout++) {
		const char *const *base = layout == 12 ? EXCLUDED_12 : EXCLUDED_13;
		size_t n = 0;
		for (; base[n]; n++) {
			keys[n] = base[n];
			counts[n] = n;
		}
		keys[n] = "unavailable";
		keys[n + 1] = NULL;
		counts[n] = 5;
		body_init(&a);
		pack_task_short_counts(&a.pk, keys, counts);
		assert_true(read_task_short(body_unpack(&a)));
		body_free(&a);
		counts[n] = 0;               /* 0 is written by leaving it out */
		body_init(&a);
		pack_task_short_counts(&a.pk, keys, counts);
		assert_false(read_task_short(body_unpack(&a)));
		body_free(&a);
		counts[n] = 5;               /* and nowhere but at the end */
		keys[n] = keys[n - 1];
		keys[n - 1] = "unavailable";
		counts[n - 1] = 5;
		body_init(&a);
		pack_task_short_counts(&a.pk, keys, counts);
		assert_false(read_task_short(body_unpack(&a)));
		body_free(&a);
	}
}

/* Rule 13 (relaxation) ends the map after rule 12, only when it kept
 * someone out (DRAW.md 4.4): alone, after `unavailable`, never 0, never
 * before it. */
static void test_excluded_relaxation(void **state)
{
	(void)state;
	const char *keys[RULES_IN_MAP + 4];
	uint64_t counts[RULES_IN_MAP + 4], ex[RULE__COUNT] = {0};
	struct body a;

	ex[RULE_OK] = 5;
	ex[RULE_RELAXATION] = 4;
	body_init(&a);
	audit_pack_task_short(&a.pk, 7, 3, 2, ex, 1);
	const msgpack_object *x = val_at(body_unpack(&a), 3);
	assert_int_equal(x->via.map.size, 14);
	assert_true(key_is(&x->via.map.ptr[13].key, "relaxation"));
	assert_int_equal(uint_at(x, 13), 4);
	assert_true(read_task_short(body_unpack(&a)));
	body_free(&a);
	ex[RULE_UNAVAILABLE] = 2;
	body_init(&a);
	audit_pack_task_short(&a.pk, 7, 3, 2, ex, 1);
	x = val_at(body_unpack(&a), 3);
	assert_int_equal(x->via.map.size, 15);
	assert_true(key_is(&x->via.map.ptr[13].key, "unavailable"));
	assert_true(key_is(&x->via.map.ptr[14].key, "relaxation"));
	assert_true(read_task_short(body_unpack(&a)));
	body_free(&a);

	size_t n = 0;
	for (; EXCLUDED_13[n]; n++) {
		keys[n] = EXCLUDED_13[n];
		counts[n] = n;
	}
	static const struct {
		const char *k1, *k2;
		uint64_t c1, c2;
		bool ok;
	} cases[] = {
		{"relaxation", NULL, 1, 0, true},
		{"unavailable", "relaxation", 1, 2, true},
		{"relaxation", NULL, 0, 0, false},            /* 0 is left out */
		{"unavailable", "relaxation", 1, 0, false},
		{"relaxation", "unavailable", 2, 1, false},   /* out of order */
		{"relaxation", "relaxation", 2, 1, false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		keys[n] = cases[i].k1;
		counts[n] = cases[i].c1;
		keys[n + 1] = cases[i].k2;
		counts[n + 1] = cases[i].c2;
		keys[n + 2] = NULL;
		body_init(&a);
		pack_task_short_counts(&a.pk, keys, counts);
		assert_int_equal(read_task_short(body_unpack(&a)), cases[i].ok);
		body_free(&a);
	}
}

/* task.short carries the failed replacement's counts: 13 keys now, and
 * its 12-key bodies still read. */
static void test_task_short_layouts(void **state)
{
	(void)state;
	static const char *const top[] = {"task", "draw", "empty", "excluded", NULL};
	uint64_t ex[RULE__COUNT] = {0};
	struct body a;

	for (int i = 0; i < RULES_IN_MAP; i++)
		ex[i] = (uint64_t)i + 2;
	body_init(&a);
	audit_pack_task_short(&a.pk, 7, 3, 2, ex, 1);
	const msgpack_object *o = body_unpack(&a);
	assert_keys(o, top);
	assert_keys(val_at(o, 3), EXCLUDED_13);
	assert_int_equal(uint_at(val_at(o, 3), 0), 1);
	assert_int_equal(uint_at(val_at(o, 3), 1), 1);
	assert_int_equal(uint_at(val_at(o, 3), 2), 3);
	assert_true(read_task_short(o));
	body_free(&a);

	body_init(&a);
	pack_task_short_keys(&a.pk, EXCLUDED_12);
	assert_true(read_task_short(body_unpack(&a)));
	body_free(&a);

	/* Neither layout with a key short, nor outside_group out of place. */
	const char *keys[RULES_IN_MAP + 2];
	memcpy(keys, EXCLUDED_12, sizeof keys[0] * RULES_IN_MAP);
	keys[RULES_IN_MAP - 1] = NULL;
	body_init(&a);
	pack_task_short_keys(&a.pk, keys);
	assert_false(read_task_short(body_unpack(&a)));
	body_free(&a);
	memcpy(keys, EXCLUDED_13, sizeof keys[0] * (RULES_IN_MAP + 2));
	keys[1] = "status";
	keys[2] = "outside_group";
	body_init(&a);
	pack_task_short_keys(&a.pk, keys);
	assert_false(read_task_short(body_unpack(&a)));
	body_free(&a);
}


/* ---------------------------------------------------------------- mixed panels */

/* make_transcript's redraw as a mixed panel (DRAW.md 3.7, 4.4): two
 * quotas, a result per quota, each seat's quota. */
static void make_mixed_transcript(struct audit_transcript *t)
{
	make_transcript(t);
	t->req.n_quotas = 2;
	t->req.quotas[0] = (struct task_quota){ .specialty = "电工", .group = 0,
	                                        .members = 3, .backups = 1 };
	t->req.quotas[1] = (struct task_quota){ .specialty = "焊工", .group = 1,
	                                        .members = 2, .backups = 0 };
	quota_task_totals(&t->req);
	t->n_quotas = 2;
	for (size_t q = 0; q < 2; q++) {
		struct audit_quota_result *x = &t->quotas[q];
		x->n_candidates = 30 + q;
		fill(x->candidates_hash, DRAW_HASH_LEN, (uint8_t)(0x20 + q));
		for (int i = 0; i < RULE__COUNT; i++)
			x->excluded[i] = (uint64_t)i + q;
		x->excluded[RULE_OK] = 50;
		/* `unavailable` only when not 0: quota 0's map has 13 keys,
		 * quota 1's 14 (DRAW.md 4.4). */
		x->excluded[RULE_UNAVAILABLE] = 3 * q;
		x->excluded[RULE_RELAXATION] = 0;
		x->outside_group = 7 + q;
		x->diversity_dropped = 1 + q;
		x->dropped_seated = q;
	}
	/* leader, 3 + 2 members, 1 backup */
	static const int quota[7] = { 0, 0, 0, 0, 1, 1, 0 };
	memcpy(t->seat_quota, quota, sizeof quota);
	t->n_panel = 7;
}

static void mixed_round_trip(const struct audit_transcript *t)
{
	struct audit_transcript *r = malloc(sizeof *r);
	struct body a, b;

	assert_non_null(r);
	body_init(&a);
	audit_pack_transcript(&a.pk, t);
	assert_true(audit_read_transcript(body_unpack(&a), r));
	body_init(&b);
	audit_pack_transcript(&b.pk, r);
	assert_same_bytes(&a, &b);
	assert_int_equal(r->req.n_quotas, t->req.n_quotas);
	for (int q = 0; q < t->req.n_quotas; q++) {
		assert_string_equal(r->req.quotas[q].specialty, t->req.quotas[q].specialty);
		assert_int_equal(r->req.quotas[q].group, t->req.quotas[q].group);
		assert_int_equal(r->req.quotas[q].members, t->req.quotas[q].members);
		assert_int_equal(r->req.quotas[q].backups, t->req.quotas[q].backups);
	}
	/* The one-specialty fields, as the daemon sets a mixed task's. */
	assert_string_equal(r->req.specialty, t->req.quotas[0].specialty);
	assert_int_equal(r->req.members, t->req.members);
	assert_int_equal(r->req.backups, t->req.backups);
	assert_int_equal(r->quota, t->quota);
	assert_int_equal(r->n_quotas, t->n_quotas);
	assert_memory_equal(r->quotas, t->quotas, t->n_quotas * sizeof t->quotas[0]);
	assert_memory_equal(r->seat_quota, t->seat_quota,
	                    t->n_panel * sizeof t->seat_quota[0]);
	body_free(&a);
	body_free(&b);
	free(r);
}

static void test_mixed_transcript_keys_and_round_trip(void **state)
{
	(void)state;
	static const char *const top[] = {
		"draw", "task", "kind", "actor", "reason", "request", "rules", "quotas",
		"already_drawn", "secret", "next_commit", "seed", "panel", "seat_quotas",
		"ok", NULL};
	static const char *const req[] = {
		"bureau", "kind", "subject", "quotas", "leader", "orgs", "start", "end",
		"district", "exclude", "nonce", NULL};
	static const char *const quota[] = {
		"specialty", "group", "members", "backups", NULL};
	static const char *const result[] = {
		"candidates", "candidates_hash", "excluded", "diversity_dropped",
		"dropped_seated", NULL};
	struct audit_transcript *t = malloc(sizeof *t);
	struct body a;

	assert_non_null(t);
	make_mixed_transcript(t);
	body_init(&a);
	audit_pack_transcript(&a.pk, t);
	msgpack_object *o = body_unpack(&a);
	assert_keys(o, top);
	assert_keys(val_at(o, 5), req);
	const msgpack_object *qs = val_at(val_at(o, 5), 3);
	assert_int_equal(qs->via.array.size, 2);
	assert_keys(&qs->via.array.ptr[1], quota);
	const msgpack_object *rs = val_at(o, 7);
	assert_int_equal(rs->via.array.size, 2);
	assert_keys(&rs->via.array.ptr[0], result);
	assert_keys(val_at(&rs->via.array.ptr[0], 2), EXCLUDED_13);
	assert_int_equal(val_at(o, 13)->via.array.size, 7);
	body_free(&a);
	mixed_round_trip(t);

	/* A replacement: replaces, role, then its quota; one result. */
	static const char *const rtop[] = {
		"draw", "task", "kind", "actor", "replaces", "role", "quota", "request",
		"rules", "quotas", "already_drawn", "secret", "next_commit", "seed",
		"panel", "seat_quotas", "ok", NULL};
	strcpy(t->kind, "replacement");
	t->reason[0] = '\0';
	t->replaces = 44;
	t->role = 1;
	t->quota = 1;
	t->n_quotas = 1;
	t->seat_quota[0] = 1;
	t->n_panel = 1;
	body_init(&a);
	audit_pack_transcript(&a.pk, t);
	assert_keys(body_unpack(&a), rtop);
	body_free(&a);
	mixed_round_trip(t);
	t->n_panel = 0;           /* failed: no seat */
	t->ok = false;
	mixed_round_trip(t);
	free(t);
}

static void test_mixed_readers_refuse_broken_layouts(void **state)
{
	(void)state;
	struct audit_transcript *t = malloc(sizeof *t);
	struct body a;

	assert_non_null(t);
	make_mixed_transcript(t);
	body_init(&a);
	audit_pack_transcript(&a.pk, t);
	assert_all_breaks_refused(&a, read_transcript,
	                          15 * 3 + 11 * 3 + 4 * 3 + 5 * 3 + 13 * 3);
	body_free(&a);
	free(t);
}

/* Pack t, change one value with `change`, and expect `ok` from the reader. */
static void mixed_expect(const struct audit_transcript *t,
                         void (*change)(msgpack_object *o), bool ok)
{
	struct body a;
	body_init(&a);
	audit_pack_transcript(&a.pk, t);
	msgpack_object *o = body_unpack(&a);
	change(o);
	assert_int_equal(read_transcript(o), ok);
	body_free(&a);
}

static void seat_quota_2(msgpack_object *o)
{
	set_int(&val_at(o, 13)->via.array.ptr[4], 2);    /* only quotas 0 and 1 */
}

static void seat_quotas_short(msgpack_object *o)
{
	o->via.map.ptr[13].val.via.array.size--;
}

static void one_result(msgpack_object *o)
{
	o->via.map.ptr[7].val.via.array.size = 1;
}

static void one_request_quota(msgpack_object *o)
{
	o->via.map.ptr[5].val.via.map.ptr[3].val.via.array.size = 1;
}

static void members_0(msgpack_object *o)
{
	msgpack_object *q = &o->via.map.ptr[5].val.via.map.ptr[3].val.via.array.ptr[1];
	set_int(&q->via.map.ptr[2].val, 0);
}

static void no_change(msgpack_object *o)
{
	(void)o;
}

/* A result's `excluded` in the 12-key layout of older entries. */
static void twelve_keys(msgpack_object *o)
{
	msgpack_object *x = &o->via.map.ptr[7].val.via.array.ptr[0].via.map.ptr[2].val;
	memmove(&x->via.map.ptr[1], &x->via.map.ptr[2],
	        (x->via.map.size - 2) * sizeof x->via.map.ptr[0]);
	x->via.map.size--;
}

/* Seat quotas within the request's, one per seat; one result per quota;
 * 2 to 4 quotas of at least one member; only the 13-key map; no
 * `designated`. */
static void test_mixed_readers_refuse_bad_values(void **state)
{
	(void)state;
	struct audit_transcript *t = malloc(sizeof *t);
	assert_non_null(t);
	make_mixed_transcript(t);
	mixed_expect(t, no_change, true);
	mixed_expect(t, seat_quota_2, false);
	mixed_expect(t, seat_quotas_short, false);
	mixed_expect(t, one_result, false);
	mixed_expect(t, one_request_quota, false);
	mixed_expect(t, members_0, false);
	mixed_expect(t, twelve_keys, false);
	/* A mixed panel's leader is drawn, never named (DRAW.md 3.7). */
	t->req.leader_expert = 100;
	strcpy(t->req.leader_reason, "中心指定");
	struct body d;
	body_init(&d);
	audit_pack_transcript(&d.pk, t);
	assert_false(read_transcript(body_unpack(&d)));
	body_free(&d);
	t->req.leader_expert = 0;
	t->req.leader_reason[0] = '\0';
	/* A replacement's quota is one of the request's. */
	strcpy(t->kind, "replacement");
	t->reason[0] = '\0';
	t->replaces = 44;
	t->role = 1;
	t->quota = 2;
	t->n_quotas = 1;
	t->n_panel = 0;
	struct body a;
	body_init(&a);
	audit_pack_transcript(&a.pk, t);
	assert_false(read_transcript(body_unpack(&a)));
	body_free(&a);
	free(t);
}

/*
 * A designated leader (DRAW.md 3.6, 4.4): the optional `designated` map
 * {expert, reason} ends the transcript, reads back into the request and
 * packs to the same bytes; a transcript without a designation has no key.
 * The map must be whole: an expert >= 1, a reason of 1-512 bytes, nothing
 * else, and after `ok`.
 */
static void test_transcript_designated(void **state)
{
	(void)state;
	static const char *const top[] = {
		"draw", "task", "kind", "actor", "reason", "request", "rules",
		"candidates", "candidates_hash", "excluded", "diversity_dropped",
		"already_drawn", "secret", "next_commit", "seed", "panel", "ok",
		"designated", NULL};
	static const char *const inner[] = {"expert", "reason", NULL};
	struct audit_transcript *t = malloc(sizeof *t), *r = malloc(sizeof *r);
	struct body a, b;

	assert_non_null(t);
	assert_non_null(r);
	make_transcript(t);
	t->req.leader_expert = 100;
	strcpy(t->req.leader_reason, "中心指定：熟悉该校情况");
	body_init(&a);
	audit_pack_transcript(&a.pk, t);
	msgpack_object *o = body_unpack(&a);
	assert_keys(o, top);
	msgpack_object *d = &o->via.map.ptr[17].val;
	assert_keys(d, inner);
	assert_true(audit_read_transcript(o, r));
	assert_int_equal(r->req.leader_expert, 100);
	assert_string_equal(r->req.leader_reason, t->req.leader_reason);
	body_init(&b);
	audit_pack_transcript(&b.pk, r);
	assert_same_bytes(&a, &b);
	body_free(&b);
	transcript_round_trip(t);

	msgpack_object saved = d->via.map.ptr[0].val;
	set_int(&d->via.map.ptr[0].val, 0);            /* no expert 0 */
	assert_false(read_transcript(o));
	set_str(&d->via.map.ptr[0].val, "100");
	assert_false(read_transcript(o));
	d->via.map.ptr[0].val = saved;
	saved = d->via.map.ptr[1].val;
	set_str(&d->via.map.ptr[1].val, "");           /* a reason is required */
	assert_false(read_transcript(o));
	d->via.map.ptr[1].val = saved;
	d->via.map.size = 1;                           /* no reason */
	assert_false(read_transcript(o));
	d->via.map.size = 2;
	assert_true(read_transcript(o));
	msgpack_object_kv last = o->via.map.ptr[17];    /* before ok */
	o->via.map.ptr[17] = o->via.map.ptr[16];
	o->via.map.ptr[16] = last;
	assert_false(read_transcript(o));
	o->via.map.ptr[16] = o->via.map.ptr[17];
	o->via.map.ptr[17] = last;
	saved = o->via.map.ptr[17].val;
	set_int(&o->via.map.ptr[17].val, 100);          /* not a map */
	assert_false(read_transcript(o));
	o->via.map.ptr[17].val = saved;
	assert_true(read_transcript(o));
	body_free(&a);

	/* No designation, no key: the layout of every other transcript. */
	t->req.leader_expert = 0;
	t->req.leader_reason[0] = '\0';
	body_init(&a);
	audit_pack_transcript(&a.pk, t);
	o = body_unpack(&a);
	assert_int_equal(o->via.map.size, 17);
	assert_true(audit_read_transcript(o, r));
	assert_int_equal(r->req.leader_expert, 0);
	body_free(&a);
	free(t);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_known_answer),
		cmocka_unit_test(test_commit_known_answer),
		cmocka_unit_test(test_hash_type_body_boundary),
		cmocka_unit_test(test_chain_every_byte_counts),
		cmocka_unit_test(test_chain_delete_and_reorder),
		cmocka_unit_test(test_genesis_bytes_and_round_trip),
		cmocka_unit_test(test_term_bytes_and_round_trip),
		cmocka_unit_test(test_expert_keys_and_round_trip),
		cmocka_unit_test(test_expert_body_is_private),
		cmocka_unit_test(test_expert_ground_codes),
		cmocka_unit_test(test_conflict_keys_and_round_trip),
		cmocka_unit_test(test_org_merged_keys_and_round_trip),
		cmocka_unit_test(test_revealed_keys_bytes_and_reader),
		cmocka_unit_test(test_correction_keys_and_round_trip),
		cmocka_unit_test(test_transcript_keys_and_round_trip),
		cmocka_unit_test(test_age_exception_keys_and_round_trip),
		cmocka_unit_test(test_appointment_key_and_round_trip),
		cmocka_unit_test(test_limited_only_by_occupation_grounds),
		cmocka_unit_test(test_transcript_minimal_round_trip),
		cmocka_unit_test(test_readers_refuse_broken_layouts),
		cmocka_unit_test(test_readers_refuse_bad_values),
		cmocka_unit_test(test_transcript_13_keys_and_round_trip),
		cmocka_unit_test(test_transcript_candidates_encoding),
		cmocka_unit_test(test_transcript_12_keys_still_read),
		cmocka_unit_test(test_transcript_designated),
		cmocka_unit_test(test_excluded_sum_must_fit),
		cmocka_unit_test(test_task_short_layouts),
		cmocka_unit_test(test_excluded_unavailable),
		cmocka_unit_test(test_excluded_relaxation),
		cmocka_unit_test(test_mixed_transcript_keys_and_round_trip),
		cmocka_unit_test(test_mixed_readers_refuse_broken_layouts),
		cmocka_unit_test(test_mixed_readers_refuse_bad_values),
	};
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
