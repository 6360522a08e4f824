/*
 * task.c - what each task kind needs of an expert (see task.h). Two tables
 * indexed by (kind, subject): the default group type, and the
 * recommendation form's task-type checkbox the expert must have ticked.
 */
#include "proto.h"
#include "seat_role.h"
#include "task.h"

#define TASK_KINDS (TASK_OTHER + 1)
#define TASK_SUBJECTS (TASK_SUBJECT_STANDARDS + 1)

/* Indexes into proto_group_types[]. */
enum { G_TRAINING_REVIEW, G_SKILL_EVALUATION, G_METHODS, G__COUNT };

_Static_assert(TASK_KINDS == PROTO_TASK_KINDS_COUNT,
               "enum task_kind and proto_task_kinds differ");
_Static_assert(TASK_SUBJECTS == PROTO_TASK_SUBJECTS_COUNT,
               "enum task_subject and proto_task_subjects differ");
_Static_assert(TASK_CANCELLED + 1 == PROTO_TASK_STATES_COUNT,
               "enum task_state and proto_task_states differ");
_Static_assert(TASK_FILL_CANCELLED + 1 == PROTO_FILL_STATES_COUNT,
               "enum task_fill and proto_fill_states differ");
_Static_assert(G__COUNT == PROTO_GROUP_TYPES_COUNT,
               "the group indexes and proto_group_types differ");

/* Bits of proto_task_types[]. */
#define CAP_INSTITUTION_REVIEW (1u << 0)
#define CAP_STANDARDS_REVIEW (1u << 1)
#define CAP_METHODS_GUIDANCE (1u << 2)
#define CAP_ASSESSOR_TRAINING (1u << 3)
#define CAP_EVALUATION_REVIEW (1u << 4)

/* Columns: subject training, evaluation, standards. Only reviews and
 * inspections of a training institution go to the training-review group;
 * everything about evaluation or standards, competitions and assessor
 * training is skill-evaluation work; only `other` tasks go to the methods
 * group. */
static const int task_group_table[TASK_KINDS][TASK_SUBJECTS] = {
	[TASK_REVIEW] = {G_TRAINING_REVIEW, G_SKILL_EVALUATION, G_SKILL_EVALUATION},
	[TASK_INSPECTION] = {G_TRAINING_REVIEW, G_SKILL_EVALUATION, G_SKILL_EVALUATION},
	[TASK_COMPETITION] = {G_SKILL_EVALUATION, G_SKILL_EVALUATION, G_SKILL_EVALUATION},
	[TASK_TRAINING] = {G_SKILL_EVALUATION, G_SKILL_EVALUATION, G_SKILL_EVALUATION},
	[TASK_OTHER] = {G_METHODS, G_METHODS, G_METHODS},
};

/* The form has no checkbox for competitions or "other": 0 = no need. */
static const unsigned task_capability_table[TASK_KINDS][TASK_SUBJECTS] = {
	[TASK_REVIEW] = {CAP_INSTITUTION_REVIEW, CAP_EVALUATION_REVIEW, CAP_STANDARDS_REVIEW},
	[TASK_INSPECTION] = {CAP_INSTITUTION_REVIEW, CAP_EVALUATION_REVIEW, CAP_STANDARDS_REVIEW},
	[TASK_COMPETITION] = {0, 0, 0},
	[TASK_TRAINING] = {CAP_ASSESSOR_TRAINING, CAP_ASSESSOR_TRAINING, CAP_ASSESSOR_TRAINING},
	[TASK_OTHER] = {0, 0, 0},
};

/* The codec only lets listed kinds and subjects through; this guards the
 * tables against a caller that skipped it. */
static bool task_is_known(int kind, int subject)
{
	return kind >= 0 && kind < TASK_KINDS && subject >= 0 && subject < TASK_SUBJECTS;
}

int task_default_group(enum task_kind kind, enum task_subject subject)
{
	return task_is_known(kind, subject) ? task_group_table[kind][subject] : -1;
}

unsigned task_required_capability(enum task_kind kind, enum task_subject subject)
{
	return task_is_known(kind, subject) ? task_capability_table[kind][subject] : 0;
}

const char *task_required_capability_name(enum task_kind kind, enum task_subject subject)
{
	unsigned bit = task_required_capability(kind, subject);
	for (int i = 0; bit && i < PROTO_TASK_TYPES_COUNT; i++)
		if (bit == 1u << i)
			return proto_task_types[i];
	return "";
}

int task_seats(const struct task *t)
{
	return (t->leader ? 1 : 0) + t->members + t->backups;
}

int task_needed(const struct task *t)
{
	return (t->leader ? 1 : 0) + t->members;
}

int task_places(const struct task *t, int role, int quota)
{
	if (role == SEAT_LEADER)
		return t->leader ? 1 : 0;
	if (role == SEAT_BACKUP)
		return 0;   /* a backup holds no place until promoted */
	if (t->n_quotas > 0)
		return quota >= 0 && quota < t->n_quotas ? t->quotas[quota].members : 0;
	return t->members;
}
