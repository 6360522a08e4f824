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

/* Indexes into proto_titles[] / proto_qualifications[] (expert_row.c asserts). */
enum expert_title { TITLE_NONE, TITLE_JUNIOR, TITLE_INTERMEDIATE,
                    TITLE_DEPUTY_SENIOR, TITLE_SENIOR };
enum expert_qual { QUAL_NONE, QUAL_JUNIOR_WORKER, QUAL_INTERMEDIATE_WORKER,
                   QUAL_SENIOR_WORKER, QUAL_TECHNICIAN, QUAL_SENIOR_TECHNICIAN };

/* Bit i of a set = the i-th entry of the matching proto_* choice list. */
#define GROUP_TRAINING_REVIEW (1u << 0)
#define GROUP_SKILL_EVALUATION (1u << 1)
#define GROUP_METHODS (1u << 2)
#define RELAX_SENIOR_EXPERT (1u << 4) /* 部、省级培训评价专家 */
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
	int32_t suspended_until;         /* day number; 0 = open-ended */
	int term;                        /* last term number the expert serves in */
	int joined_term;                 /* first term of the unbroken service
	                                    that runs to `term` (renewals keep it) */
	int64_t created_at, updated_at;  /* unix seconds */
};

#endif
