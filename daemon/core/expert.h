/*
 * expert.h - the full record of one expert as validated, stored and shown.
 * The compact form the draw uses lives in pool.h.
 */
#ifndef EXPERTD_EXPERT_H
#define EXPERTD_EXPERT_H

#include <stdbool.h>
#include <stdint.h>

#include "ident.h"
#include "proto.h"

#define EXPERT_MAX_SPECIALTIES 3
#define EXPERT_NAME_MAX 64
#define EXPERT_TEXT_MAX 128
#define EXPERT_EMPLOYER_MAX 255   /* bytes: about 85 Chinese characters */

/* Order matches proto_statuses[] (asserted in expert_row.c). */
enum expert_status {
	EXPERT_ACTIVE,
	EXPERT_SUSPENDED,
	EXPERT_FLAGGED,
	EXPERT_REVOKED,
};

/* Order matches proto_appointments[] (asserted in expert_form.c): the
 * appointment (第十四–十六条, PROTOCOL.md 7.17). Only an appointed expert
 * is drawn (DRAW.md 3.1 rule 1). Appointed is 0, as active is: a record
 * from before the appointment existed, in the store or the audit log,
 * describes an appointed expert. */
enum expert_appointment {
	APPOINT_APPOINTED,
	APPOINT_RECOMMENDED,
	APPOINT_UNDER_REVIEW,
	APPOINT_REJECTED,
};

/* Indexes into proto_titles[] / proto_qualifications[] (expert_row.c asserts). */
enum expert_title { TITLE_NONE, TITLE_JUNIOR, TITLE_INTERMEDIATE,
                    TITLE_DEPUTY_SENIOR, TITLE_SENIOR };
enum expert_qual { QUAL_NONE, QUAL_JUNIOR_WORKER, QUAL_INTERMEDIATE_WORKER,
                   QUAL_SENIOR_WORKER, QUAL_TECHNICIAN, QUAL_SENIOR_TECHNICIAN };

/* Bit i of a set = the i-th entry of the matching proto_* choice list. */
#define GROUP_TRAINING_REVIEW (1u << 0)
#define GROUP_SKILL_EVALUATION (1u << 1)
#define GROUP_METHODS (1u << 2)
#define RELAX_SHORTAGE_OCCUPATION (1u << 0) /* 我市紧缺工种 */
#define RELAX_NEW_OCCUPATION (1u << 1)       /* 国家新职业（工种） */
#define RELAX_SENIOR_EXPERT (1u << 4) /* 部、省级培训评价专家 */
/* The grounds about one occupation (第十一条(七)1、2): they relax only in
 * the occupations the row names (POLICY.md 4.2). */
#define RELAX_BY_OCCUPATION (RELAX_SHORTAGE_OCCUPATION | RELAX_NEW_OCCUPATION)
#define RELAX_GROUNDS 0x1fu           /* the five grounds of 第十一条(七) */

struct expert {
	int64_t id;                      /* made by the daemon, never reused */
	char name[EXPERT_NAME_MAX + 1];
	int sex;                         /* index into proto_sexes[] */
	char resident_id[IDENT_CODE_SIZE]; /* upper-case X */
	char phone[12];
	int32_t birth;                   /* day number, from the resident ID */
	char employer[EXPERT_EMPLOYER_MAX + 1];
	char employer_code[IDENT_CODE_SIZE]; /* "" if not given */
	char recommender_code[IDENT_CODE_SIZE]; /* "" if not given */
	char specialties[EXPERT_MAX_SPECIALTIES][EXPERT_TEXT_MAX + 1];
	int n_specialties;
	unsigned group_types;
	unsigned task_types;
	enum expert_title title;
	enum expert_qual qualification;
	int assess_years;
	int training_years;
	unsigned relaxations;
	/* The occupations the grounds of RELAX_BY_OCCUPATION name, each one
	 * of specialties[] (canonical); none without such a ground. */
	char relax_occupations[EXPERT_MAX_SPECIALTIES][EXPERT_TEXT_MAX + 1];
	int n_relax_occupations;
	/* Derived (POLICY.md 4.2, eligibility_specialty_mask()): 0 = eligible
	 * in every specialty; else bit i set = eligible in specialties[i],
	 * and in no specialty whose bit is clear (DRAW.md 3.1 rule 13).
	 * Never every bit: that is written 0. In the audit projection. */
	unsigned eligible_specialties;
	/* 第十一条(六) bent for this expert by an operator's recorded age
	 * exception; relaxation grounds never bend it (POLICY.md 4.2). */
	bool age_exception;
	/* Who approved what, when (POLICY.md 4.2): the relaxation grounds'
	 * evidence and the age exception's reason, each with the principal
	 * that imported them and the time of its commit; "" and 0 if none
	 * (or recorded before draft 11). Not in the audit projection. */
	char relax_evidence[PROTO_REASON_SIZE];
	char relax_by[64];
	int64_t relax_at;
	char age_reason[PROTO_REASON_SIZE];
	char age_by[64];
	int64_t age_at;
	bool leader_eligible;            /* derived: 第十二、十三条 */
	char position[65];
	char email[EXPERT_TEXT_MAX + 1];
	enum expert_status status;
	enum expert_appointment appointment;
	int32_t suspended_until;         /* day number; 0 = open-ended */
	int term;                        /* last term number the expert serves in */
	int joined_term;                 /* first term of the unbroken service
	                                    that runs to `term` (renewals keep it) */
	int64_t created_at, updated_at;  /* unix seconds */
};

/*
 * The fields of the 推荐表 the system keeps but never checks (PROTOCOL.md
 * 7.5.2 "kept fields"): stored beside the expert, shown by pool.show,
 * never in the audit log. address and landline are personal data, sealed
 * at rest like the phone (pii.h).
 */
#define EXPERT_FORM_SHORT 256    /* PROTO_FORM_SHORT_MAX + 1 */
#define EXPERT_FORM_LONG 2001    /* PROTO_FORM_LONG_MAX + 1 */

struct expert_form {
	int recommender_kind;         /* index into proto_recommender_kinds[], -1 = not said */
	char education[EXPERT_FORM_SHORT];        /* 学历 */
	char politics[EXPERT_FORM_SHORT];         /* 政治面貌 */
	char ethnicity[EXPERT_FORM_SHORT];        /* 民族 */
	char occupation[EXPERT_FORM_SHORT];       /* 从事职业 */
	char qualification_occupation[EXPERT_FORM_SHORT]; /* 职业资格 职业（工种） */
	char title_field[EXPERT_FORM_SHORT];      /* 职称 专业 */
	char address[EXPERT_FORM_SHORT];          /* 通讯地址 (sealed) */
	char postcode[17];                        /* 邮编 */
	char landline[33];                        /* 联系电话 (sealed) */
	char experience[EXPERT_FORM_LONG];        /* 职业技能培训评价工作经历 */
	char achievements[EXPERT_FORM_LONG];      /* 业务、业绩、成果和著作 */
	char recommendation[EXPERT_FORM_LONG];    /* 推荐单位意见 */
};

/* The appointment's record (PROTOCOL.md 7.17): each opinion with who gave
 * it and when (0 = not yet), and the 聘书. */
struct expert_appoint_step {
	char by[64];
	int64_t at;
	char text[PROTO_REASON_SIZE];
};

struct expert_appoint {
	struct expert_appoint_step review;    /* 资格审查意见 */
	struct expert_appoint_step decision;  /* 聘任意见 (appoint or reject) */
	char certificate[65];                 /* 聘书编号, "" = none */
	int32_t certificate_day;              /* day number, 0 = none */
};

#endif
