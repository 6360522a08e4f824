/*
 * audit.h - the tamper-evident log. Every change to the pool, every term,
 * conflict and draw attempt (and later every assignment transition) is an
 * entry, appended in the same transaction as the change. Each entry's hash
 * covers the previous entry's hash, so editing or deleting any row breaks
 * the chain from there on:
 *
 *   hash = BLAKE2b-256("expertd-audit-v1" || prev_hash || seq (u64 BE) ||
 *                      at (i64 BE) || type || 0x00 || body)
 *
 * with prev_hash = 32 zero bytes for seq 1. Bodies are msgpack maps whose
 * layout per type is fixed here and in PROTOCOL.md; they carry only what a
 * replay needs — never names, resident IDs, phones or tokens.
 *
 * This file is pure: packing and reading bodies, hashing. The store keeps
 * the rows; dispatch and handlers decide when to append.
 */
#ifndef EXPERTD_AUDIT_H
#define EXPERTD_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#include "draw.h"
#include "expert.h"
#include "recusal.h"
#include "task.h"

#define AUDIT_HASH_LEN 32
#define AUDIT_SECRET_LEN 32

/* Entry types (the `type` column and the PUB topic of issue #5). */
#define AUDIT_GENESIS "chain.genesis"      /* {commit} */
#define AUDIT_TERM "term.opened"           /* {term, start, end} */
#define AUDIT_EXPERT "pool.expert"         /* {event, actor, reason?, expert:{...}} */
#define AUDIT_CONFLICT "pool.conflict"     /* {id, expert, org_code, kind, from, to} */
#define AUDIT_DRAW "draw"                  /* a transcript, result ok */
#define AUDIT_DRAW_FAILED "draw.failed"    /* a transcript, insufficient_candidates */
#define AUDIT_SEAT_PREFIX "assignment."    /* + the new state: a seat transition */
#define AUDIT_SEAT_REISSUED "assignment.reissued" /* a new token, the seat stays offered */
#define AUDIT_SEAT_CORRECTED "assignment.corrected" /* a settled seat's outcome corrected */
#define AUDIT_TASK_CANCELLED "task.cancelled"
#define AUDIT_TASK_FILLED "task.filled"
#define AUDIT_TASK_SHORT "task.short"
#define AUDIT_EXPERT_WARNED "expert.warned"
#define AUDIT_EXPERT_FLAGGED "expert.flagged" /* a pool.expert body */
#define AUDIT_ORG_MERGED "org.merged"      /* {from, into, actor, reason} */
#define AUDIT_UNAVAILABLE "pool.unavailable" /* {id, expert, from, to, actor} */
/* {id, expert, from, to, actor}: from and to nil when withdrawn */
#define AUDIT_UNAVAILABLE_CHANGED "pool.unavailable.changed"
#define AUDIT_KEY_ROTATED "key.rotated"    /* struct audit_rotation */
#define AUDIT_REVEALED "pool.revealed"     /* {actor, reason, op, experts} */

void audit_hash(uint8_t out[AUDIT_HASH_LEN], const uint8_t prev[AUDIT_HASH_LEN],
                int64_t seq, int64_t at, const char *type,
                const void *body, size_t body_len);

/* Commitment to a secret: BLAKE2b-256("expertd-commit-v1" || secret). */
void audit_commit(uint8_t out[AUDIT_HASH_LEN], const uint8_t secret[AUDIT_SECRET_LEN]);

/* What one quota's candidate list of a mixed panel recorded (DRAW.md 3.7,
 * 4.4): as the one-list fields of a transcript, the excluded map always
 * in 13 keys, and the candidates dropped as seated already. */
struct audit_quota_result {
	uint64_t n_candidates;
	uint8_t candidates_hash[DRAW_HASH_LEN];
	uint64_t excluded[RULE__COUNT];   /* [RULE_OK]: outside the bucket */
	uint64_t outside_group;
	uint64_t diversity_dropped;
	uint64_t dropped_seated;
};

/* What a draw transcript records (the body of AUDIT_DRAW / _FAILED). */
struct audit_transcript {
	int64_t draw;                     /* draw id */
	int64_t task;                     /* task id; 0 for a failed first draw */
	char kind[16];                    /* "draw", "redraw", "replacement" */
	char actor[64];                   /* principal */
	char reason[PROTO_REASON_SIZE];   /* redraw reason, "" otherwise */
	int64_t replaces;                 /* replacement: the freed seat; else 0 */
	int role;                         /* replacement: its role; else -1 */
	struct task req;                  /* the request as drawn (orgs, dates...);
	                                   * its leader_expert and leader_reason
	                                   * are the `designated` key (DRAW.md 3.6) */
	struct recusal_config rules;
	/* How its candidate lists were hashed (DRAW.md 3.3, 4.4): 0, the key
	 * absent, for the 8-byte ids of transcripts before draft 16;
	 * DRAW_LIST_GAPS (the key, 2) since. audit_list_encoding reads it. */
	int candidates_encoding;
	uint64_t n_candidates;
	uint8_t candidates_hash[DRAW_HASH_LEN];
	/* [RULE_OK]: outside the specialty and group-type bucket, either
	 * cause; outside_group: of those, the ones holding the specialty
	 * (DRAW.md 3.1). outside_split: recorded with outside_group, the
	 * 13-key map; false for the 12-key map of entries written before
	 * draft 9, which does not tell the causes apart (outside_group 0). */
	uint64_t excluded[RULE__COUNT];
	uint64_t outside_group;
	bool outside_split;
	uint64_t diversity_dropped;
	int64_t already_drawn[TASK_MAX_SEATS * 4]; /* excluded as drawn before */
	size_t n_already_drawn;
	uint8_t secret[AUDIT_SECRET_LEN]; /* the revealed server secret */
	uint8_t next_commit[AUDIT_HASH_LEN]; /* commitment to the next secret */
	uint8_t seed[DRAW_SEED_LEN];
	int64_t panel[TASK_MAX_SEATS];    /* leader first (if any), members, backups */
	size_t n_panel;
	bool ok;
	/* A mixed panel, req.n_quotas > 0 (DRAW.md 3.7, 4.4): the one-list
	 * fields from n_candidates to diversity_dropped are unused; instead
	 * one result per list drawn from (a replacement: one, of quota
	 * `quota`, the freed seat's; else one per quota) and each seat's
	 * quota. */
	int quota;
	struct audit_quota_result quotas[TASK_MAX_QUOTAS];
	size_t n_quotas;
	int seat_quota[TASK_MAX_SEATS];
};

/* The encoding a transcript's candidate-list hashes are in. */
enum draw_list_encoding audit_list_encoding(const struct audit_transcript *t);

/* The `excluded` map of a transcript or task.short (DRAW.md 4.4): its
 * keys and counts in recorded order. Split: 13 keys, outside_specialty
 * (excluded[RULE_OK] - outside_group), outside_group, then the rules;
 * else the 12 keys of older entries, whose outside_specialty is all of
 * excluded[RULE_OK]. One list for the packers, the reply of a failed draw,
 * the verifier's comparison and what expertctl prints. */
#define AUDIT_EXCLUDED_MAX (RULE__COUNT + 1)
struct audit_excluded {
	size_t n;
	const char *key[AUDIT_EXCLUDED_MAX];
	uint64_t count[AUDIT_EXCLUDED_MAX];
};
void audit_excluded_of(struct audit_excluded *x, const uint64_t excluded[RULE__COUNT],
                       uint64_t outside_group, bool split);

/* Body packers; each packs exactly one map. */
void audit_pack_genesis(msgpack_packer *pk, const uint8_t commit[AUDIT_HASH_LEN]);
void audit_pack_term(msgpack_packer *pk, int term, int32_t start, int32_t end);
/* The draw-relevant projection of e: no name, resident ID, phone or email. */
void audit_pack_expert(msgpack_packer *pk, const char *event, const char *actor,
                       const char *reason, const struct expert *e);
/* The same, with `changed` (DRAW.md 4.2) when changed (a mask over
 * expert_diff_fields) is not 0: only for event "updated". */
void audit_pack_expert_changed(msgpack_packer *pk, const char *event, const char *actor,
                               const char *reason, unsigned changed,
                               const struct expert *e);
/* The same with a suspension's or revocation's ground (its code, built
 * in or configured; NULL or "": none) and referral note (NULL or "":
 * none), DRAW.md 4.3. */
void audit_pack_expert_ground(msgpack_packer *pk, const char *event,
                              const char *actor, const char *reason,
                              const char *ground, const char *referral,
                              const struct expert *e);
/* All of them: changed (0: none) and ground (NULL: none) never together. */
void audit_pack_expert_full(msgpack_packer *pk, const char *event, const char *actor,
                            const char *reason, unsigned changed, const char *ground,
                            const char *referral, const struct expert *e);
/* A period an expert cannot serve (rule 12, DRAW.md 4.3); the reason
 * stays out of the log, as a conflict's does. */
void audit_pack_unavailable(msgpack_packer *pk, int64_t id, int64_t expert,
                            int32_t from, int32_t to, const char *actor);
/* A period withdrawn (from = to = 0) or shortened to from..to
 * (PROTOCOL.md 7.6.6, DRAW.md 4.3). */
void audit_pack_unavailable_changed(msgpack_packer *pk, int64_t id, int64_t expert,
                                    int32_t from, int32_t to, const char *actor);
void audit_pack_conflict(msgpack_packer *pk, int64_t id, int64_t expert,
                         const char *org_code, int kind, int32_t from, int32_t to);
void audit_pack_transcript(msgpack_packer *pk, const struct audit_transcript *t);
/* Organisation `from` merged into `into` (REGISTRY.md 2.4): their keys
 * (REGISTRY.md 2.1), the principal and the request's reason. */
/* pool.revealed (DRAW.md 4.3): who saw personal data in full, why, by
 * which operation and how many experts' (never the data itself). */
void audit_pack_revealed(msgpack_packer *pk, const char *actor, const char *reason,
                         const char *op, int64_t experts);
void audit_pack_org_merged(msgpack_packer *pk, const char *from, const char *into,
                           const char *actor, const char *reason);

/* A seat transition (DRAW.md 4.3), the body of assignment.<to>. */
struct audit_seat {
	int64_t assignment, task, expert;
	int event;                        /* enum assign_event */
	int from, to;                     /* enum assign_state */
	int role;                         /* index into proto_seat_roles */
	char actor[64];
	int channel;                      /* index into proto_channels */
	char reason[PROTO_REASON_SIZE];   /* "" if none */
	int64_t deadline;                 /* only when to is offered; else 0 */
	int ledger;                       /* enum policy_kind, or -1 */
};
void audit_pack_seat(msgpack_packer *pk, const struct audit_seat *s);
/* A settled seat's recorded outcome corrected (DRAW.md 4.3, PROTOCOL.md
 * 7.12.16), the body of assignment.corrected. */
struct audit_correction {
	int64_t assignment, task, expert;
	int from, to;                     /* enum assign_state */
	int from_reason, to_reason;       /* enum policy_reason; -1: attendance */
	char actor[64];
	char reason[PROTO_REASON_SIZE];   /* why, 1-512 bytes */
	int withdrawn;                    /* the ledger kind withdrawn, or -1 */
	int ledger;                       /* the ledger kind added, or -1 */
};
void audit_pack_correction(msgpack_packer *pk, const struct audit_correction *c);
bool audit_read_correction(const msgpack_object *body, struct audit_correction *c);
/* The body of assignment.reissued: assignment, task, expert, role, actor,
 * reason, deadline of s (DRAW.md 4.3); never the token. */
void audit_pack_reissue(msgpack_packer *pk, const struct audit_seat *s);
void audit_pack_task_cancelled(msgpack_packer *pk, int64_t task, const char *actor,
                               const char *reason, int64_t seats);
void audit_pack_task_filled(msgpack_packer *pk, int64_t task);
/* Always the 13-key `excluded` map (excluded[] as in a transcript). */
void audit_pack_task_short(msgpack_packer *pk, int64_t task, int64_t draw,
                           int64_t empty, const uint64_t excluded[RULE__COUNT],
                           uint64_t outside_group);
void audit_pack_expert_warned(msgpack_packer *pk, int64_t expert, int score,
                              int warn_at, int flag_at);

/* Readers (verifier side): false if the body does not have the layout. */
bool audit_read_seat(const msgpack_object *body, struct audit_seat *s);
/* assignment.reissued; from and to are set to offered, event to -1. */
bool audit_read_reissue(const msgpack_object *body, struct audit_seat *s);
/* task.cancelled, task.filled, task.short: the task id. */
bool audit_read_task_event(const char *type, const msgpack_object *body,
                           int64_t *task);
/* task.short (DRAW.md 4.3): the failed replacement's draw id (0: none),
 * the empty seats, the counts in either layout of 4.4 (split: 13 keys). */
struct audit_task_short {
	int64_t task, draw, empty;
	uint64_t excluded[RULE__COUNT], outside_group;
	bool split;
};
bool audit_read_task_short(const msgpack_object *body, struct audit_task_short *s);
bool audit_read_expert_warned(const msgpack_object *body, int64_t *expert);
bool audit_read_commit(const msgpack_object *body, uint8_t commit[AUDIT_HASH_LEN]);

/* The signing key changed (DRAW.md 3.2.3): the old key's pending secret
 * is revealed, the new key's first commitment made, and the old key
 * endorses the new one (sign.h, sign_rotation). Keys in packed order. */
struct audit_rotation {
	uint8_t old_key[32];
	uint8_t new_key[32];
	uint8_t secret[AUDIT_SECRET_LEN];
	uint8_t next_commit[AUDIT_HASH_LEN];
	uint8_t endorsement[64];
};
void audit_pack_key_rotated(msgpack_packer *pk, const struct audit_rotation *r);
bool audit_read_key_rotated(const msgpack_object *body, struct audit_rotation *r);
bool audit_read_term(const msgpack_object *body, int *term, int32_t *start, int32_t *end);
bool audit_read_expert(const msgpack_object *body, struct expert *e);
/* The same, and the `changed` mask (0 if the body has none). */
bool audit_read_expert_changes(const msgpack_object *body, struct expert *e,
                               unsigned *changed);
bool audit_read_unavailable(const msgpack_object *body, int64_t *id,
                            int64_t *expert, int32_t *from, int32_t *to);
/* from = to = 0: withdrawn. */
bool audit_read_unavailable_changed(const msgpack_object *body, int64_t *id,
                                    int64_t *expert, int32_t *from, int32_t *to);
bool audit_read_conflict(const msgpack_object *body, int64_t *id, int64_t *expert,
                         char org_code[IDENT_CODE_SIZE], int *kind, int32_t *from, int32_t *to);
bool audit_read_transcript(const msgpack_object *body, struct audit_transcript *t);
/* org.merged: the two keys (each fitting IDENT_CODE_SIZE; the verifier
 * checks what they say); actor is checked for layout, reason for 1-512
 * bytes. */
bool audit_read_org_merged(const msgpack_object *body, char from[IDENT_CODE_SIZE],
                           char into[IDENT_CODE_SIZE]);
/* pool.revealed: actor and op (1-31 bytes) for layout, reason 1-512
 * bytes, experts >= 0 (the count is returned). */
bool audit_read_revealed(const msgpack_object *body, int64_t *experts);

#endif
