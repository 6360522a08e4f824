/*
 * task.h - what a bureau asks experts for (第四条): the task record a draw
 * is made for, its kinds, and what each kind needs of an expert (group type
 * and the recommendation form's task-type capability). Pure.
 */
#ifndef EXPERTD_TASK_H
#define EXPERTD_TASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ident.h"
#include "proto.h"

#define TASK_MAX_ORGS 8
#define TASK_MAX_EXCLUDE 64
#define TASK_MAX_SEATS 50           /* leader + members + backups */
#define TASK_NONCE_MAX 64
#define TASK_MAX_QUOTAS 4           /* a mixed panel: 2 to 4 quotas (DRAW.md 3.7) */

/* Order matches proto_task_kinds[] (asserted in task.c). */
enum task_kind {
	TASK_REVIEW,       /* training-institution reviews; question bank / standards */
	TASK_INSPECTION,   /* class supervision; evaluation-institution inspection */
	TASK_COMPETITION,  /* technical guidance, question setting, judging */
	TASK_TRAINING,     /* assessor training */
	TASK_OTHER,
};

/* What the task concerns; order matches proto_task_subjects[] (task.c asserts). */
enum task_subject {
	TASK_SUBJECT_TRAINING,    /* a training institution or class (default) */
	TASK_SUBJECT_EVALUATION,  /* an evaluation institution */
	TASK_SUBJECT_STANDARDS,   /* question bank, national standards, curricula */
};

/* Order matches proto_task_states[] (asserted in task.c). */
enum task_state { TASK_OPEN, TASK_CANCELLED };

/* Order matches proto_fill_states[] (PROTOCOL.md 7.12.4; asserted in task.c). */
enum task_fill { TASK_FILLING, TASK_FILLED, TASK_SHORT, TASK_FILL_CANCELLED };

/* One quota of a mixed panel (DRAW.md 3.7). */
struct task_quota {
	char specialty[129];
	int group;                        /* index into proto_group_types */
	int members;                      /* 1 or more */
	int backups;
};

struct task {
	int64_t id;                       /* 0 until created */
	char bureau[32];                  /* the requesting bureau's code */
	char created_by[64];              /* principal */
	enum task_kind kind;
	enum task_subject subject;
	char specialty[129];
	int group;                        /* index into proto_group_types */
	int members;                      /* members besides the leader */
	bool leader;
	int backups;
	char orgs[TASK_MAX_ORGS][IDENT_CODE_SIZE]; /* credit codes of organisations concerned */
	int n_orgs;
	int64_t start_at, end_at;         /* unix seconds, end > start */
	char district[33];
	int64_t exclude[TASK_MAX_EXCLUDE];/* expert ids excluded by the request */
	int n_exclude;
	char note[PROTO_REASON_SIZE];
	uint8_t nonce[TASK_NONCE_MAX];    /* the bureau's contribution to the seed */
	size_t nonce_len;
	enum task_state state;
	int64_t created_at;
	int64_t respond_within;           /* seconds an offered expert has */
	/* Why an operator set respond_within below the minimum ("" when
	 * not): such a task's expiries add no ledger event (POLICY.md 6.1). */
	char respond_reason[PROTO_REASON_SIZE];
	enum task_fill fill;
	char cancel_reason[PROTO_REASON_SIZE]; /* "" unless cancelled */
	/* 0: one specialty, the fields above. 2 to 4: a mixed panel; then
	 * specialty and group are quota 0's and members and backups the sums
	 * (quota_task_totals()). */
	int n_quotas;
	struct task_quota quotas[TASK_MAX_QUOTAS];
	/* A leader an operator named instead of drawing one (DRAW.md 3.6):
	 * the expert (0 = the leader, if any, is drawn) and why. */
	int64_t leader_expert;
	char leader_reason[PROTO_REASON_SIZE];
};

/* The group type a kind draws from by default (overridable per request). */
int task_default_group(enum task_kind kind, enum task_subject subject);
/* The proto_task_types bit an expert must hold for this kind and subject,
 * or 0 when the form has no matching checkbox (competition, other). */
unsigned task_required_capability(enum task_kind kind, enum task_subject subject);
/* The same as its wire name in proto_task_types[], "" for none. */
const char *task_required_capability_name(enum task_kind kind, enum task_subject subject);
/* Seats a draw fills: leader (0/1) + members + backups. */
int task_seats(const struct task *t);
/* Seats that must accept for the task to be filled: leader + members. */
int task_needed(const struct task *t);
/* The places of one role a task's panel has (PROTOCOL.md 7.12.16): the
 * leader's (1, or 0 without a leader) for SEAT_LEADER, none for
 * SEAT_BACKUP, else its members, on a mixed panel quota's. */
int task_places(const struct task *t, int role, int quota);

#endif
