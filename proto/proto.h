/*
 * proto.h - the expertd wire protocol: operations, status codes, field
 * schemas, and the request/reply codec shared by the daemon and clients.
 * proto/PROTOCOL.md is normative; this header and proto_ops.c mirror it.
 * Nothing here does I/O.
 */
#ifndef EXPERTD_PROTO_H
#define EXPERTD_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#define PROTO_VERSION 1
/* Largest request or reply body; ZMQ_MAXMSGSIZE is set to this. */
#define PROTO_MAX_MSG (4 * 1024 * 1024)
/* Deepest nesting of maps/arrays accepted in a request. */
#define PROTO_MAX_DEPTH 6
/* Most elements (map pairs + array items, summed) in one request. */
#define PROTO_MAX_ELEMENTS 200000
#define PROTO_MAX_ID_LEN 64
#define PROTO_MAX_FIELD_LEN 64
#define PROTO_MAX_MESSAGE_LEN 512

/*
 * Operations, one row each in proto_ops.def. The order is the
 * wire-independent internal numbering; on the wire an operation is named by
 * its string (proto_op_name()).
 */
enum proto_op {
#define PROTO_OP(op, name, fields, roles, recorded, reserved) PROTO_OP_##op,
#include "proto_ops.def"
#undef PROTO_OP
	PROTO_OP__COUNT
};

/*
 * Reply status. PROTO_OK is success; every other value is a wire error code
 * listed in PROTOCOL.md's error table (same names, same meaning).
 */
enum proto_status {
	PROTO_OK,
	PROTO_E_MALFORMED,       /* not a valid msgpack request envelope */
	PROTO_E_UNSUPPORTED_VERSION,
	PROTO_E_UNKNOWN_OP,
	PROTO_E_NOT_IMPLEMENTED, /* a reserved operation */
	PROTO_E_INVALID_FIELD,   /* a field is missing, unknown, mistyped or out of range */
	PROTO_E_FORBIDDEN,       /* the caller's role may not call this operation */
	PROTO_E_NOT_FOUND,
	PROTO_E_INVALID_STATE,   /* the object is not in a state that allows this */
	PROTO_E_ALREADY_EXISTS,
	PROTO_E_INVALID_ROWS,    /* an import holds invalid rows */
	PROTO_E_ID_REUSED,       /* a request id was reused for a different request */
	PROTO_E_INSUFFICIENT_CANDIDATES,
	PROTO_E_UNAVAILABLE,     /* the store cannot write now; nothing was applied */
	PROTO_E_INTERNAL,
	PROTO_E_INVALID_TOKEN,   /* a wrong, used or dead assignment token */
	PROTO_E_THROTTLED,       /* too many invalid tokens from one connection */
	PROTO_E_BUSY,            /* the server's queue is full; nothing was read */
	PROTO_STATUS__COUNT
};

/* Roles, as a bit set so an operation can allow several. */
enum proto_role {
	PROTO_ROLE_OPERATOR = 1u << 0,
	PROTO_ROLE_BUREAU = 1u << 1,
	PROTO_ROLE_CLERK = 1u << 2,
	PROTO_ROLE_NOTIFIER = 1u << 3,
	PROTO_ROLE_EXPERT = 1u << 4, /* token-authenticated answer endpoint */
};
#define PROTO_ROLES_ANY 0x1fu
/* The staff who handle tasks, and all staff keys (PROTOCOL.md 7.1). */
#define PROTO_ROLES_TASKS (PROTO_ROLE_OPERATOR | PROTO_ROLE_BUREAU | PROTO_ROLE_CLERK)
#define PROTO_ROLES_STAFF (PROTO_ROLES_TASKS | PROTO_ROLE_NOTIFIER)

enum proto_type {
	PROTO_T_STR,        /* UTF-8 string, min..max bytes */
	PROTO_T_INT,        /* integer, min..max */
	PROTO_T_BOOL,
	PROTO_T_DATE,       /* "YYYY-MM-DD", a real calendar date */
	PROTO_T_ENUM,       /* string, one of choices */
	PROTO_T_STR_ARRAY,  /* array of min..max strings, each 1..PROTO_ITEM_MAX bytes */
	PROTO_T_ENUM_ARRAY, /* array of min..max distinct strings from choices */
	PROTO_T_INT_ARRAY,  /* array of min..max integers >= 1 */
	PROTO_T_MAP_ARRAY,  /* array of min..max maps, each checked against sub */
};
#define PROTO_ITEM_MAX 128

#define PROTO_F_REQUIRED 1u
/* A STR that may hold line feeds and tabs (a form's free text, PROTOCOL.md
 * 5.5 `text`); every other string refuses all control characters. */
#define PROTO_F_LINES 2u

struct proto_field {
	const char *name;
	enum proto_type type;
	unsigned flags;
	int64_t min, max;             /* INT: value range; others: length/count */
	const char *const *choices;   /* ENUM and ENUM_ARRAY: NULL-terminated */
	const struct proto_field *sub; /* MAP_ARRAY: item schema */
};

/* What the protocol says of one operation (PROTOCOL.md 7.1); the daemon
 * enforces roles and recorded from here, so the spec's table is checked
 * against this one. */
struct proto_op_info {
	const char *name;
	const struct proto_field *fields; /* terminated by an entry with name NULL */
	unsigned roles;                   /* PROTO_ROLE_* bits that may call it */
	bool recorded;                    /* changes state: replies kept for retried ids */
	bool reserved;                    /* named by the spec, not yet served */
};

/* A buffer for a reason or a note: the schemas' limit of 512 bytes
 * (proto_ops.c's REASON_MAX) and the NUL. */
#define PROTO_REASON_SIZE 513

/*
 * Value lists shared by schemas and by the daemon's domain code, each
 * NULL-terminated. They are declared with their lengths (names, without
 * the NULL): a list given a name its count does not allow for has excess
 * elements and no longer compiles, and every enum that indexes a list
 * _Static_asserts its count against the list's, so an enum and its list
 * can no longer drift apart silently when a value is added.
 */
#define PROTO_GROUP_TYPES_COUNT 3        /* training_review, ... */
#define PROTO_TASK_TYPES_COUNT 5         /* the form's five boxes */
#define PROTO_RELAXATIONS_COUNT 5        /* 第十一条(七) grounds 1-5 */
#define PROTO_STATUSES_COUNT 4           /* active, suspended, ... */
#define PROTO_CONFLICT_KINDS_COUNT 4
#define PROTO_ORG_KINDS_COUNT 5          /* employer, recommender, ... */
#define PROTO_SEXES_COUNT 2
#define PROTO_TITLES_COUNT 5
#define PROTO_QUALIFICATIONS_COUNT 6
#define PROTO_TASK_KINDS_COUNT 5         /* review, inspection, ... */
#define PROTO_TASK_SUBJECTS_COUNT 3      /* training, evaluation, standards */
#define PROTO_TASK_STATES_COUNT 2
#define PROTO_ASSIGNMENT_STATES_COUNT 9
#define PROTO_SEAT_ROLES_COUNT 3         /* leader, member, backup */
#define PROTO_FILL_STATES_COUNT 4        /* filling, filled, short, cancelled */
#define PROTO_ANSWERS_COUNT 3            /* accept, decline, withdraw */
#define PROTO_DECLINE_REASONS_COUNT 5    /* = policy_reason_names order */
#define PROTO_CHANNELS_COUNT 7           /* token, phone, sms, ... system */
#define PROTO_OUTCOMES_COUNT 2           /* completed, no_show */
#define PROTO_LEDGER_LEVELS_COUNT 3      /* ok, warn, flag */
#define PROTO_STATUS_GROUNDS_COUNT 4     /* 第十七条's three, other */
#define PROTO_APPOINTMENTS_COUNT 4       /* recommended ... rejected */
#define PROTO_RECOMMENDER_KINDS_COUNT 4  /* employer ... center */
#define PROTO_APPOINT_DECISIONS_COUNT 2  /* appoint, reject */
#define PROTO_FORM_SHORT_MAX 255         /* a kept form field of one line */
#define PROTO_FORM_LONG_MAX 2000         /* 工作经历, 业绩, 推荐意见 */
extern const char *const proto_group_types[PROTO_GROUP_TYPES_COUNT + 1];
extern const char *const proto_task_types[PROTO_TASK_TYPES_COUNT + 1];
extern const char *const proto_relaxations[PROTO_RELAXATIONS_COUNT + 1];
extern const char *const proto_statuses[PROTO_STATUSES_COUNT + 1];
extern const char *const proto_conflict_kinds[PROTO_CONFLICT_KINDS_COUNT + 1];
extern const char *const proto_org_kinds[PROTO_ORG_KINDS_COUNT + 1];
extern const char *const proto_sexes[PROTO_SEXES_COUNT + 1];
extern const char *const proto_titles[PROTO_TITLES_COUNT + 1];
extern const char *const proto_qualifications[PROTO_QUALIFICATIONS_COUNT + 1];
extern const char *const proto_task_kinds[PROTO_TASK_KINDS_COUNT + 1];
extern const char *const proto_task_subjects[PROTO_TASK_SUBJECTS_COUNT + 1];
extern const char *const proto_task_states[PROTO_TASK_STATES_COUNT + 1];
extern const char *const proto_assignment_states[PROTO_ASSIGNMENT_STATES_COUNT + 1];
extern const char *const proto_seat_roles[PROTO_SEAT_ROLES_COUNT + 1];
extern const char *const proto_fill_states[PROTO_FILL_STATES_COUNT + 1];
extern const char *const proto_answers[PROTO_ANSWERS_COUNT + 1];
extern const char *const proto_decline_reasons[PROTO_DECLINE_REASONS_COUNT + 1];
extern const char *const proto_channels[PROTO_CHANNELS_COUNT + 1];
extern const char *const proto_outcomes[PROTO_OUTCOMES_COUNT + 1];
extern const char *const proto_ledger_levels[PROTO_LEDGER_LEVELS_COUNT + 1];
extern const char *const proto_status_grounds[PROTO_STATUS_GROUNDS_COUNT + 1];
extern const char *const proto_appointments[PROTO_APPOINTMENTS_COUNT + 1];
extern const char *const proto_recommender_kinds[PROTO_RECOMMENDER_KINDS_COUNT + 1];
extern const char *const proto_appoint_decisions[PROTO_APPOINT_DECISIONS_COUNT + 1];

/* Item schema of one roster row in pool.import.rows. */
extern const struct proto_field proto_import_row[];

const struct proto_op_info *proto_op_info(enum proto_op op);
/* Look up an operation by wire name; returns false if unknown. */
bool proto_op_lookup(const char *name, size_t len, enum proto_op *out);
const char *proto_op_name(enum proto_op op);
/* The wire name of a status ("ok", "invalid_field", ...). */
const char *proto_status_name(enum proto_status st);
bool proto_status_lookup(const char *name, size_t len, enum proto_status *out);
/* Index of s in a NULL-terminated choice list, or -1. */
int proto_choice_index(const char *const *choices, const char *s, size_t len);

/* A decode failure: which field (may be empty) and why. */
/* The language of a reply's message (PROTOCOL.md 5.3 `lang`). */
enum proto_lang { PROTO_LANG_EN, PROTO_LANG_ZH };

struct proto_error {
	char field[PROTO_MAX_FIELD_LEN];
	char message[PROTO_MAX_MESSAGE_LEN];
	enum proto_lang lang;   /* the request's, when its envelope said */
};

/*
 * A decoded, schema-checked request. All fields of the op's schema that are
 * present have the declared type and are within limits; unknown keys were
 * rejected. The msgpack objects point into the request's own zone.
 */
struct proto_request {
	int version;
	enum proto_op op;
	char id[PROTO_MAX_ID_LEN + 1];
	enum proto_lang lang;         /* of the reply's message; English if not said */
	const msgpack_object *args;   /* a map; never NULL after a successful decode */
	msgpack_unpacked unpacked;    /* owns the zone */
};

/*
 * Pre-scan untrusted bytes without allocating: every declared length fits in
 * the bytes left, nesting <= PROTO_MAX_DEPTH, element count bounded, no
 * trailing bytes, no ext types. Returns PROTO_OK or PROTO_E_MALFORMED with
 * err filled.
 */
enum proto_status proto_scan(const void *buf, size_t len, struct proto_error *err);

/*
 * proto_scan(), then unpack into u (msgpack_unpacked_init()ed by the caller,
 * who calls msgpack_unpacked_destroy() whatever the outcome). The bytes are
 * copied into u's zone first, so the objects do not borrow buf. Returns
 * PROTO_OK, PROTO_E_MALFORMED, or PROTO_E_INTERNAL when out of memory.
 */
enum proto_status proto_unpack(const void *buf, size_t len, msgpack_unpacked *u,
                               struct proto_error *err);

/*
 * Decode and validate a request: scan, unpack, check the envelope and the
 * op's field schema. On success *out is a new request the caller frees with
 * proto_request_free(). On failure *out is NULL, err says why, and the
 * returned status is the wire error; if the request id could be read it is
 * copied to id_out (for the error reply), else id_out is "".
 */
enum proto_status proto_decode_request(const void *buf, size_t len,
                                       struct proto_request **out,
                                       char id_out[PROTO_MAX_ID_LEN + 1],
                                       struct proto_error *err);
/* NULL-safe; clears *req. */
void proto_request_free(struct proto_request **req);

/*
 * Validate one map against a schema (used by decode, and by the daemon for
 * rows of pool.import.rows). On failure err->field names the field.
 */
enum proto_status proto_check_map(const msgpack_object *map,
                                  const struct proto_field *schema,
                                  struct proto_error *err);

/* Argument access on a checked map. Absent fields give NULL / false / def. */
const msgpack_object *proto_map_get(const msgpack_object *map, const char *key);
bool proto_map_str(const msgpack_object *map, const char *key,
                   const char **p, size_t *len);
/*
 * Copy a string field into buf (NUL-terminated); returns false, leaving buf
 * "", if absent or if it does not fit (never silently cut).
 */
bool proto_map_strcpy(const msgpack_object *map, const char *key,
                      char *buf, size_t size);
int64_t proto_map_int(const msgpack_object *map, const char *key, int64_t def);
bool proto_map_bool(const msgpack_object *map, const char *key, bool def);

/* Shorthands on req->args. */
#define proto_arg(req, k) proto_map_get((req)->args, (k))
#define proto_arg_str(req, k, p, n) proto_map_str((req)->args, (k), (p), (n))
#define proto_arg_strcpy(req, k, b, s) proto_map_strcpy((req)->args, (k), (b), (s))
#define proto_arg_int(req, k, d) proto_map_int((req)->args, (k), (d))
#define proto_arg_bool(req, k, d) proto_map_bool((req)->args, (k), (d))

/* msgpack packing helpers used by both sides. */
void proto_pack_str(msgpack_packer *pk, const char *s);
void proto_pack_strn(msgpack_packer *pk, const char *s, size_t n);
void proto_pack_kv_str(msgpack_packer *pk, const char *k, const char *v);
void proto_pack_kv_int(msgpack_packer *pk, const char *k, int64_t v);
void proto_pack_kv_bool(msgpack_packer *pk, const char *k, bool v);

/*
 * Start a request envelope {"v","id","op","args"} in pk; the caller then
 * packs the args map (exactly one msgpack map) next.
 */
void proto_pack_request_head(msgpack_packer *pk, const char *id, enum proto_op op);
/* The same with "lang" (5.3) before "args" when lang is not NULL or "". */
void proto_pack_request_head_lang(msgpack_packer *pk, const char *id,
                                  enum proto_op op, const char *lang);

/*
 * Build a reply envelope into sb: {"id","status"[,"message"][,"field"]
 * [,"result"][,"tokens"]}. result is one already-packed msgpack object or
 * NULL/0; tokens likewise (a packed map), NULL/0 for none.
 */
void proto_pack_reply(msgpack_sbuffer *sb, const char *id, enum proto_status st,
                      const char *message, const char *field,
                      const void *result, size_t result_len);
void proto_pack_reply_tokens(msgpack_sbuffer *sb, const char *id,
                             enum proto_status st, const char *message,
                             const char *field, const void *result,
                             size_t result_len, const void *tokens,
                             size_t tokens_len);

/* A decoded reply (client side). Strings point into the unpacked zone. */
struct proto_reply {
	char id[PROTO_MAX_ID_LEN + 1];
	enum proto_status status;
	char status_name[40];   /* the wire name, also for codes this build lacks */
	char message[PROTO_MAX_MESSAGE_LEN];
	char field[PROTO_MAX_FIELD_LEN];
	const msgpack_object *result; /* NULL if none */
	const msgpack_object *tokens; /* map "assignment id" -> token; NULL if none */
	const msgpack_object *receipt; /* map (PROTOCOL.md 5.4.1); NULL if none */
	msgpack_unpacked unpacked;
};
/* Decode a reply; returns false with err filled on malformed bytes. */
bool proto_decode_reply(const void *buf, size_t len, struct proto_reply *out,
                        struct proto_error *err);
void proto_reply_release(struct proto_reply *rep);

#endif
