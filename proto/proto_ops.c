/*
 * proto_ops.c - the operation table built from proto_ops.def (wire names,
 * roles, recorded, reserved), the field schemas of every request, and the
 * status code names. Mirrors PROTOCOL.md sections 5, 6 and 7.1; change
 * both together (tests/unit/test_spec_ops.c checks 7.1).
 */
#include <string.h>

#include "ident.h"
#include "proto.h"

const char *const proto_group_types[] = {
	"training_review", "skill_evaluation", "methods", NULL};
const char *const proto_task_types[] = {
	"institution_review",  /* 培训机构评审 */
	"standards_review",    /* 国家标准、题库、课程开发评审 */
	"methods_guidance",    /* 技能等级认定方案及方式方法指导 */
	"assessor_training",   /* 考评人员培训指导 */
	"evaluation_review",   /* 评价机构评估 */
	NULL};
const char *const proto_relaxations[] = {
	"shortage_occupation", "new_occupation", "award_winner",
	"outstanding_achievement", "senior_expert", NULL};
const char *const proto_statuses[] = {
	"active", "suspended", "flagged", "revoked", NULL};
/* The appointment (第十四–十六条, PROTOCOL.md 7.17): appointed with a 聘书;
 * before it recommended, then under 资格审查; or rejected. Appointed
 * first, as enum expert_appointment has it (0: every older record). */
const char *const proto_appointments[] = {
	"appointed", "recommended", "under_review", "rejected", NULL};
/* Who recommended an expert (第十四条): the employer (所在单位), a
 * training or an evaluation institution, or the Center itself (直接遴选). */
const char *const proto_recommender_kinds[] = {
	"employer", "training_institution", "evaluation_institution", "center",
	NULL};
/* appointment.decide's decisions. */
const char *const proto_appoint_decisions[] = {"appoint", "reject", NULL};
const char *const proto_conflict_kinds[] = {
	"former_employer", "relative", "interest", "other", NULL};
/* Bit i of an organisation's kinds (store.h ORG_KIND_*). */
const char *const proto_org_kinds[] = {
	"employer", "recommender", "training_institution", "evaluation_institution",
	"other", NULL};
const char *const proto_sexes[] = {"male", "female", NULL};
const char *const proto_titles[] = {
	"none", "junior", "intermediate", "deputy_senior", "senior", NULL};
const char *const proto_qualifications[] = {
	"none", "junior_worker", "intermediate_worker", "senior_worker",
	"technician", "senior_technician", NULL};

const char *const proto_task_kinds[] = {
	"review", "inspection", "competition", "training", "other", NULL};
const char *const proto_task_subjects[] = {
	"training", "evaluation", "standards", NULL};
const char *const proto_task_states[] = {"open", "cancelled", NULL};
const char *const proto_assignment_states[] = {
	"offered", "standby", "accepted", "declined", "expired", "completed",
	"no_show", "withdrawn", "cancelled", NULL};
const char *const proto_seat_roles[] = {"leader", "member", "backup", NULL};
const char *const proto_fill_states[] = {
	"filling", "filled", "short", "cancelled", NULL};
const char *const proto_answers[] = {"accept", "decline", "withdraw", NULL};
const char *const proto_decline_reasons[] = {
	"conflict", "illness", "official_duty", "schedule", "other", NULL};
const char *const proto_channels[] = {
	"token", "phone", "sms", "email", "in_person", "other", "system", NULL};
const char *const proto_outcomes[] = {"completed", "no_show", NULL};
const char *const proto_ledger_levels[] = {"ok", "warn", "flag", NULL};
/* Grounds of a suspension or revocation (POLICY.md 6.3): 第十七条's
 * breach of confidentiality, 徇私舞弊, 长期不参加委派任务; then other. */
const char *const proto_status_grounds[] = {
	"confidentiality", "favouritism", "non_participation", "other", NULL};
/* What an expert may answer by token, and the channels staff may record
 * (token and system are the daemon's own). */
static const char *const proto_token_answers[] = {"accept", "decline", NULL};
static const char *const proto_staff_channels[] = {
	"phone", "sms", "email", "in_person", "other", NULL};

#define END {NULL, 0, 0, 0, 0, NULL, NULL}
#define REQ PROTO_F_REQUIRED
#define F_STR(n, fl, lo, hi) {n, PROTO_T_STR, fl, lo, hi, NULL, NULL}
#define F_INT(n, fl, lo, hi) {n, PROTO_T_INT, fl, lo, hi, NULL, NULL}
#define F_BOOL(n, fl) {n, PROTO_T_BOOL, fl, 0, 0, NULL, NULL}
#define F_DATE(n, fl) {n, PROTO_T_DATE, fl, 0, 0, NULL, NULL}
#define F_ENUM(n, fl, c) {n, PROTO_T_ENUM, fl, 0, 0, c, NULL}
#define F_ENUMS(n, fl, lo, hi, c) {n, PROTO_T_ENUM_ARRAY, fl, lo, hi, c, NULL}
#define F_STRS(n, fl, lo, hi) {n, PROTO_T_STR_ARRAY, fl, lo, hi, NULL, NULL}
#define F_INTS(n, fl, lo, hi) {n, PROTO_T_INT_ARRAY, fl, lo, hi, NULL, NULL}
#define F_MAPS(n, fl, lo, hi, s) {n, PROTO_T_MAP_ARRAY, fl, lo, hi, NULL, s}

#define EXPERT_ID_MAX INT64_C(999999999)
#define REASON_MAX 512
/* A token as sent (PROTOCOL.md 7.12.3): 25 characters or so, but a
 * phone may send them full-width (3 bytes each) with punctuation around. */
#define TOKEN_AS_SENT_MAX 192

static const struct proto_field f_none[] = {END};

static const struct proto_field f_term_open[] = {
	F_DATE("start", REQ),
	END};

static const struct proto_field f_term_renew[] = {
	F_INT("term", REQ, 1, 9999),
	F_INTS("experts", 0, 1, 100000),
	F_STR("reason", 0, 1, REASON_MAX),
	END};

/* One roster row (pool.import.rows). Required row fields are checked
 * per row (PROTOCOL.md 7.5.4), not here: a row missing one is reported
 * with all its other problems instead of refusing the whole call. */
const struct proto_field proto_import_row[] = {
	F_INT("line", REQ, 1, 100000000),
	F_STR("name", 0, 1, 64),
	F_ENUM("sex", 0, proto_sexes),
	F_STR("resident_id", 0, 1, 32),
	F_STR("phone", 0, 1, 32),
	F_STR("employer", 0, 0, 255),
	F_STR("employer_code", 0, 0, 32),
	F_STR("recommender_code", 0, 0, 32),
	F_STR("recommender", 0, 0, 255),
	F_STRS("specialties", 0, 1, 3),
	F_ENUMS("group_types", 0, 1, 3, proto_group_types),
	F_ENUMS("task_types", 0, 0, 5, proto_task_types),
	F_ENUM("title", 0, proto_titles),
	F_ENUM("qualification", 0, proto_qualifications),
	F_INT("assess_years", 0, 0, 80),
	F_INT("training_years", 0, 0, 80),
	F_ENUMS("relaxations", 0, 0, 5, proto_relaxations),
	F_STR("relaxation_evidence", 0, 1, REASON_MAX),
	F_STRS("relaxation_occupations", 0, 0, 3),
	F_STR("position", 0, 0, 64),
	F_STR("email", 0, 0, 128),
	/* Kept from the 推荐表, never checked (PROTOCOL.md 7.5.2, 7.17). */
	F_ENUM("recommender_kind", 0, proto_recommender_kinds),
	F_STR("education", 0, 0, PROTO_FORM_SHORT_MAX),
	F_STR("politics", 0, 0, PROTO_FORM_SHORT_MAX),
	F_STR("ethnicity", 0, 0, PROTO_FORM_SHORT_MAX),
	F_STR("occupation", 0, 0, PROTO_FORM_SHORT_MAX),
	F_STR("qualification_occupation", 0, 0, PROTO_FORM_SHORT_MAX),
	F_STR("title_field", 0, 0, PROTO_FORM_SHORT_MAX),
	F_STR("address", 0, 0, PROTO_FORM_SHORT_MAX),
	F_STR("postcode", 0, 0, 16),
	F_STR("landline", 0, 0, 32),
	F_STR("experience", PROTO_F_LINES, 0, PROTO_FORM_LONG_MAX),
	F_STR("achievements", PROTO_F_LINES, 0, PROTO_FORM_LONG_MAX),
	F_STR("recommendation", PROTO_F_LINES, 0, PROTO_FORM_LONG_MAX),
	END};

#define STORE_IMPORT_AGE_LINES 100  /* daemon/store.h STORE_IMPORT_AGE_MAX */
static const struct proto_field f_import_begin[] = {
	F_BOOL("skip_invalid", 0),
	F_BOOL("appointed", 0),
	F_INTS("age_exceptions", 0, 1, STORE_IMPORT_AGE_LINES),
	F_STR("age_exception_reason", 0, 1, REASON_MAX),
	END};

static const struct proto_field f_import_rows[] = {
	F_INT("import", REQ, 1, INT64_MAX),
	F_MAPS("rows", REQ, 1, 1000, proto_import_row),
	F_STR("identity_reason", 0, 1, REASON_MAX),
	END};

static const struct proto_field f_import_commit[] = {
	F_INT("import", REQ, 1, INT64_MAX),
	F_STR("identity_reason", 0, 1, REASON_MAX),
	END};

static const struct proto_field f_import_id[] = {
	F_INT("import", REQ, 1, INT64_MAX),
	END};

static const struct proto_field f_pool_list[] = {
	F_STR("specialty", 0, 1, PROTO_ITEM_MAX),
	F_ENUM("group_type", 0, proto_group_types),
	F_ENUM("status", 0, proto_statuses),
	F_ENUM("appointment", 0, proto_appointments),
	F_INT("term", 0, 1, 9999),
	F_INT("offset", 0, 0, INT64_C(100000000)),
	F_INT("limit", 0, 1, 1000),
	END};

static const struct proto_field f_pool_show[] = {
	F_INT("expert", REQ, 1, EXPERT_ID_MAX),
	F_BOOL("reveal", 0),
	F_STR("reason", 0, 1, REASON_MAX),
	END};

static const struct proto_field f_pool_suspend[] = {
	F_INT("expert", REQ, 1, EXPERT_ID_MAX),
	F_STR("reason", REQ, 1, REASON_MAX),
	F_DATE("until", 0),
	F_STR("ground", 0, 1, IDENT_GROUND_MAX),
	F_STR("referral", 0, 1, REASON_MAX),
	END};

static const struct proto_field f_pool_revoke[] = {
	F_INT("expert", REQ, 1, EXPERT_ID_MAX),
	F_STR("reason", REQ, 1, REASON_MAX),
	F_STR("ground", 0, 1, IDENT_GROUND_MAX),
	F_STR("referral", 0, 1, REASON_MAX),
	END};

/* The appointment's steps (PROTOCOL.md 7.17). */
static const struct proto_field f_appoint_review[] = {
	F_INT("expert", REQ, 1, EXPERT_ID_MAX),
	F_STR("opinion", REQ, 1, REASON_MAX),
	END};

static const struct proto_field f_appoint_decide[] = {
	F_INT("expert", REQ, 1, EXPERT_ID_MAX),
	F_ENUM("decision", REQ, proto_appoint_decisions),
	F_STR("opinion", REQ, 1, REASON_MAX),
	F_STR("certificate", 0, 1, 64),
	F_DATE("certificate_date", 0),
	END};

static const struct proto_field f_pool_status[] = {
	F_INT("expert", REQ, 1, EXPERT_ID_MAX),
	F_STR("reason", REQ, 1, REASON_MAX),
	END};

/* An organisation by credit code, key or name (REGISTRY.md 2.2). */
#define ORG_REF_MAX 255

static const struct proto_field f_conflict_add[] = {
	F_INT("expert", REQ, 1, EXPERT_ID_MAX),
	F_STR("org", 0, 1, ORG_REF_MAX),
	F_STR("org_code", 0, 1, 32),
	F_ENUM("kind", REQ, proto_conflict_kinds),
	F_DATE("valid_from", 0),
	F_DATE("valid_to", 0),
	F_STR("reason", 0, 1, REASON_MAX),
	END};

static const struct proto_field f_conflict_list[] = {
	F_INT("expert", 0, 1, EXPERT_ID_MAX),
	F_STR("org", 0, 1, ORG_REF_MAX),
	F_STR("org_code", 0, 1, 32),
	END};

static const struct proto_field f_org_list[] = {
	F_STR("query", 0, 1, ORG_REF_MAX),
	F_INT("offset", 0, 0, INT64_C(100000000)),
	F_INT("limit", 0, 1, 1000),
	END};

static const struct proto_field f_org_show[] = {
	F_STR("org", REQ, 1, ORG_REF_MAX),
	END};

static const struct proto_field f_org_add[] = {
	F_STR("name", REQ, 1, ORG_REF_MAX),
	F_STR("code", 0, 1, 32),
	F_ENUMS("kinds", 0, 0, PROTO_ORG_KINDS_COUNT, proto_org_kinds),
	END};

static const struct proto_field f_org_alias[] = {
	F_STR("org", REQ, 1, ORG_REF_MAX),
	F_STR("name", REQ, 1, ORG_REF_MAX),
	END};

static const struct proto_field f_org_code[] = {
	F_STR("org", REQ, 1, ORG_REF_MAX),
	F_STR("code", REQ, 1, 32),
	END};

static const struct proto_field f_org_merge[] = {
	F_STR("from", REQ, 1, ORG_REF_MAX),
	F_STR("into", REQ, 1, ORG_REF_MAX),
	F_STR("reason", REQ, 1, REASON_MAX),
	END};

/* Task times are unix seconds (UTC); this bounds them to 2000..2200. */
#define TIME_MIN INT64_C(946684800)
#define TIME_MAX INT64_C(7258118400)

/* One quota of a mixed panel (PROTOCOL.md 7.10.1, DRAW.md 3.7). */
static const struct proto_field f_quota[] = {
	F_STR("specialty", REQ, 1, 128),
	F_ENUM("group_type", 0, proto_group_types),
	F_INT("members", REQ, 1, 30),
	F_INT("backups", 0, 0, 19),
	END};

/* specialty and members, or quotas: the handler checks that exactly one
 * of the two forms was sent. */
static const struct proto_field f_draw[] = {
	F_ENUM("kind", REQ, proto_task_kinds),
	F_ENUM("subject", 0, proto_task_subjects),
	F_STR("specialty", 0, 1, 128),
	F_ENUM("group_type", 0, proto_group_types),
	F_INT("members", 0, 1, 30),
	F_BOOL("leader", 0),
	F_INT("backups", 0, 0, 19),
	F_MAPS("quotas", 0, 2, 4, f_quota),
	F_STRS("orgs", 0, 0, 8),
	F_INT("start", REQ, TIME_MIN, TIME_MAX),
	F_INT("end", REQ, TIME_MIN, TIME_MAX),
	F_STR("district", 0, 0, 32),
	F_INTS("exclude", 0, 0, 64),
	F_STR("note", 0, 0, REASON_MAX),
	F_STR("nonce", REQ, 16, 64),
	F_STR("bureau", 0, 1, 31),
	F_INT("respond_within", 0, 1, 2592000),
	F_STR("respond_reason", 0, 1, REASON_MAX),
	F_INT("leader_expert", 0, 1, INT64_MAX),
	F_STR("leader_reason", 0, 1, REASON_MAX),
	END};

static const struct proto_field f_redraw[] = {
	F_INT("task", REQ, 1, INT64_MAX),
	F_STR("reason", REQ, 1, REASON_MAX),
	F_STR("nonce", REQ, 16, 64),
	END};

static const struct proto_field f_task_id[] = {
	F_INT("task", REQ, 1, INT64_MAX),
	END};

static const struct proto_field f_task_list[] = {
	F_STR("bureau", 0, 1, 31),
	F_INT("offset", 0, 0, INT64_C(100000000)),
	F_INT("limit", 0, 1, 1000),
	END};

static const struct proto_field f_answer[] = {
	F_STR("token", REQ, 3, TOKEN_AS_SENT_MAX),
	F_ENUM("answer", REQ, proto_token_answers),
	F_ENUM("reason", 0, proto_decline_reasons),
	F_STR("note", 0, 1, REASON_MAX),
	F_STR("org_code", 0, 5, 18),
	END};

static const struct proto_field f_offer[] = {
	F_STR("token", REQ, 3, TOKEN_AS_SENT_MAX),
	END};

static const struct proto_field f_pool_unavailable[] = {
	F_INT("expert", REQ, 1, EXPERT_ID_MAX),
	F_DATE("from", REQ),
	F_DATE("to", REQ),
	F_STR("reason", REQ, 1, REASON_MAX),
	END};

/* Withdraw a period (no days) or shorten it to from..to (PROTOCOL.md 7.6.6). */
static const struct proto_field f_unavail_withdraw[] = {
	F_INT("id", REQ, 1, EXPERT_ID_MAX),
	F_DATE("from", 0),
	F_DATE("to", 0),
	F_STR("reason", REQ, 1, REASON_MAX),
	END};

static const struct proto_field f_unavailable[] = {
	F_STR("token", REQ, 3, TOKEN_AS_SENT_MAX),
	F_DATE("from", REQ),
	F_DATE("to", REQ),
	F_STR("reason", 0, 1, REASON_MAX),
	END};

static const struct proto_field f_reply[] = {
	F_INT("assignment", REQ, 1, INT64_MAX),
	F_ENUM("answer", REQ, proto_answers),
	F_ENUM("channel", REQ, proto_staff_channels),
	F_ENUM("reason", 0, proto_decline_reasons),
	F_STR("note", 0, 1, REASON_MAX),
	F_STR("org_code", 0, 5, 18),
	END};

static const struct proto_field f_reissue[] = {
	F_INT("assignment", REQ, 1, INT64_MAX),
	F_STR("reason", REQ, 1, REASON_MAX),
	END};

/* assignment.correct (PROTOCOL.md 7.12.16): attendance, or an answer
 * and/or a decline_reason, checked by the handler. */
static const struct proto_field f_correct[] = {
	F_INT("assignment", REQ, 1, INT64_MAX),
	F_ENUM("attendance", 0, proto_outcomes),
	F_ENUM("answer", 0, proto_answers),
	F_ENUM("decline_reason", 0, proto_decline_reasons),
	F_STR("reason", REQ, 1, REASON_MAX),
	END};

static const struct proto_field f_notify_resync[] = {
	F_INT("since", REQ, 0, INT64_MAX),
	F_INT("after", 0, 0, INT64_MAX),
	F_INT("limit", 0, 1, 64),
	F_INTS("skip", 0, 0, 256),
	END};

/* The outputs for the file (PROTOCOL.md 7.16). */
static const struct proto_field f_pool_export[] = {
	F_BOOL("reveal", 0),
	F_STR("reason", 0, 1, REASON_MAX),
	F_ENUM("status", 0, proto_statuses),
	F_INT("offset", 0, 0, INT64_C(100000000)),
	F_INT("limit", 0, 1, 1000),
	END};

static const struct proto_field f_term_publicity[] = {
	F_INT("term", REQ, 1, 9999),
	END};

static const struct proto_field f_ledger_work[] = {
	F_DATE("from", REQ),
	F_DATE("to", REQ),
	F_STR("bureau", 0, 1, 31),
	END};

static const struct proto_field f_task_cancel[] = {
	F_INT("task", REQ, 1, INT64_MAX),
	F_STR("reason", REQ, 1, REASON_MAX),
	END};

static const struct proto_field f_attendance_seat[] = {
	F_INT("assignment", REQ, 1, INT64_MAX),
	F_ENUM("outcome", REQ, proto_outcomes),
	END};

static const struct proto_field f_attendance[] = {
	F_INT("task", REQ, 1, INT64_MAX),
	F_MAPS("seats", REQ, 1, 50, f_attendance_seat),
	END};

static const struct proto_field f_audit_entries[] = {
	F_INT("after", 0, 0, INT64_MAX),
	F_INT("limit", 0, 1, 1000),
	F_BOOL("masked", 0),
	END};

static const struct proto_field f_stats[] = {
	F_INT("top", 0, 1, 100),
	END};

/* store.backup (PROTOCOL.md 7.15): no fields takes one, backup + offset
 * reads it. */
static const struct proto_field f_store_backup[] = {
	F_STR("backup", 0, 32, 32),
	F_INT("offset", 0, 0, INT64_MAX),
	END};

/* One occupation of catalog.import (REGISTRY.md 3.4). */
static const struct proto_field f_catalog_row[] = {
	F_STR("name", REQ, 1, PROTO_ITEM_MAX),
	F_STR("code", 0, 0, 32),
	F_STRS("aliases", 0, 0, 8),
	F_ENUMS("group_types", 0, 0, 3, proto_group_types),
	END};

static const struct proto_field f_catalog_import[] = {
	F_MAPS("rows", REQ, 1, 5000, f_catalog_row),
	END};

static const struct proto_op_info ops[PROTO_OP__COUNT] = {
#define PROTO_OP(op, name, fields, roles, recorded, reserved) \
	[PROTO_OP_##op] = {name, fields, roles, recorded, reserved},
#include "proto_ops.def"
#undef PROTO_OP
};

static const char *const status_names[PROTO_STATUS__COUNT] = {
	[PROTO_OK] = "ok",
	[PROTO_E_MALFORMED] = "malformed",
	[PROTO_E_UNSUPPORTED_VERSION] = "unsupported_version",
	[PROTO_E_UNKNOWN_OP] = "unknown_op",
	[PROTO_E_NOT_IMPLEMENTED] = "not_implemented",
	[PROTO_E_INVALID_FIELD] = "invalid_field",
	[PROTO_E_FORBIDDEN] = "forbidden",
	[PROTO_E_NOT_FOUND] = "not_found",
	[PROTO_E_INVALID_STATE] = "invalid_state",
	[PROTO_E_ALREADY_EXISTS] = "already_exists",
	[PROTO_E_INVALID_ROWS] = "invalid_rows",
	[PROTO_E_ID_REUSED] = "request_id_reused",
	[PROTO_E_INSUFFICIENT_CANDIDATES] = "insufficient_candidates",
	[PROTO_E_UNAVAILABLE] = "unavailable",
	[PROTO_E_INTERNAL] = "internal",
	[PROTO_E_INVALID_TOKEN] = "invalid_token",
	[PROTO_E_THROTTLED] = "throttled",
	[PROTO_E_BUSY] = "busy",
};

const struct proto_op_info *proto_op_info(enum proto_op op)
{
	if ((unsigned)op >= PROTO_OP__COUNT)
		return NULL;
	return &ops[op];
}

const char *proto_op_name(enum proto_op op)
{
	const struct proto_op_info *oi = proto_op_info(op);
	return oi ? oi->name : "?";
}

bool proto_op_lookup(const char *name, size_t len, enum proto_op *out)
{
	for (int i = 0; i < PROTO_OP__COUNT; i++) {
		if (strlen(ops[i].name) == len && memcmp(ops[i].name, name, len) == 0) {
			*out = (enum proto_op)i;
			return true;
		}
	}
	return false;
}

const char *proto_status_name(enum proto_status st)
{
	if ((unsigned)st >= PROTO_STATUS__COUNT)
		return "internal";
	return status_names[st];
}

bool proto_status_lookup(const char *name, size_t len, enum proto_status *out)
{
	for (int i = 0; i < PROTO_STATUS__COUNT; i++) {
		if (strlen(status_names[i]) == len &&
		    memcmp(status_names[i], name, len) == 0) {
			*out = (enum proto_status)i;
			return true;
		}
	}
	return false;
}

int proto_choice_index(const char *const *choices, const char *s, size_t len)
{
	for (int i = 0; choices[i]; i++)
		if (strlen(choices[i]) == len && memcmp(choices[i], s, len) == 0)
			return i;
	return -1;
}
