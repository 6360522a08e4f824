/* fixture_expert.c - the expert half of fixture.h. */
#include "fixture.h"

#include <string.h>

#include "expert.h"
#include "ident.h"

struct expert fx_expert(int64_t id, const char *specialty)
{
	struct expert e;
	memset(&e, 0, sizeof e);
	e.id = id;
	strcpy(e.name, "李秀英");
	e.birth = ident_days_from_civil(1980, 5, 20);
	if (specialty) {
		strcpy(e.specialties[0], specialty);
		e.n_specialties = 1;
	}
	e.group_types = GROUP_TRAINING_REVIEW | GROUP_SKILL_EVALUATION | GROUP_METHODS;
	e.task_types = 0x1f;
	e.status = EXPERT_ACTIVE;
	e.term = 1;
	e.joined_term = 1;
	return e;
}
