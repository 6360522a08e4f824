/*
 * engage.c - conflicts and assignments by expert, tasks by id (see
 * engage.h). Most experts have neither, so the per-expert vector holds only
 * a pointer (8 bytes an expert: 8 MB for 10^6) and the record behind it is
 * allocated on the first conflict or assignment. Tasks are kept sorted by
 * id; the daemon makes ids in ascending order, so inserts append.
 */
#include <stdlib.h>
#include <string.h>

#include "engage.h"

struct engage_slot {
	struct engage_conflict *conflicts;
	struct engage_assignment *assignments;
	uint32_t n_conflicts, cap_conflicts;
	uint32_t n_assignments, cap_assignments;
};

struct engage {
	struct engage_slot **slots;   /* slots[expert id]; NULL = nothing */
	size_t n_slots;
	struct engage_task *tasks;    /* tasks[id]; .id == 0: none (ids are dense) */
	size_t cap_tasks;
};

struct engage *engage_new(void)
{
	return calloc(1, sizeof(struct engage));
}

static void engage_slot_free(struct engage_slot *s)
{
	if (!s)
		return;
	free(s->conflicts);
	free(s->assignments);
	free(s);
}

void engage_clear(struct engage *e)
{
	for (size_t i = 0; i < e->n_slots; i++) {
		engage_slot_free(e->slots[i]);
		e->slots[i] = NULL;
	}
	if (e->tasks)
		memset(e->tasks, 0, e->cap_tasks * sizeof *e->tasks);
}

void engage_destroy(struct engage **pe)
{
	struct engage *e = pe ? *pe : NULL;
	if (!e)
		return;
	engage_clear(e);
	free(e->slots);
	free(e->tasks);
	free(e);
	*pe = NULL;
}

/* arr itself when it has room for one more than n; else arr resized to
 * double its capacity (`first` when empty), or NULL with arr untouched. */
static void *engage_grow(void *arr, uint32_t *cap, uint32_t n, size_t size,
                         uint32_t first)
{
	if (n < *cap)
		return arr;
	if (*cap > UINT32_MAX / 2)
		return NULL;
	uint32_t nc = *cap ? *cap * 2 : first;
	void *p = realloc(arr, (size_t)nc * size);
	if (p)
		*cap = nc;
	return p;
}

/* The slot of an expert, created on demand; NULL on out of memory. */
static struct engage_slot *engage_slot_for(struct engage *e, int64_t expert)
{
	if (expert <= 0 || (uint64_t)expert >= SIZE_MAX / sizeof *e->slots)
		return NULL;
	size_t id = (size_t)expert;
	if (id >= e->n_slots) {
		size_t nn = e->n_slots ? e->n_slots : 1024;
		while (nn <= id)
			nn *= 2;
		struct engage_slot **s = realloc(e->slots, nn * sizeof *s);
		if (!s)
			return NULL;
		memset(s + e->n_slots, 0, (nn - e->n_slots) * sizeof *s);
		e->slots = s;
		e->n_slots = nn;
	}
	if (!e->slots[id])
		e->slots[id] = calloc(1, sizeof **e->slots);
	return e->slots[id];
}

static const struct engage_slot *engage_slot_get(const struct engage *e,
                                                 int64_t expert)
{
	if (expert <= 0 || (uint64_t)expert >= e->n_slots)
		return NULL;
	return e->slots[expert];
}

bool engage_add_conflict(struct engage *e, int64_t expert,
                         const struct engage_conflict *c)
{
	struct engage_slot *s = engage_slot_for(e, expert);
	if (!s)
		return false;
	struct engage_conflict *v = engage_grow(s->conflicts, &s->cap_conflicts,
	                                        s->n_conflicts, sizeof *v, 2);
	if (!v)
		return false;
	s->conflicts = v;
	s->conflicts[s->n_conflicts++] = *c;
	return true;
}

/* Task ids are made densely by the daemon (1, 2, ...), so tasks are
 * indexed by id: the overlap and rotation rules look one up for every
 * assignment of every expert they check. */
#define ENGAGE_TASK_ID_MAX (INT64_C(1) << 31)

bool engage_put_task(struct engage *e, const struct engage_task *t)
{
	if (t->id <= 0 || t->id >= ENGAGE_TASK_ID_MAX)
		return false;
	if ((size_t)t->id >= e->cap_tasks) {
		size_t nc = e->cap_tasks ? e->cap_tasks : 256;
		while (nc <= (size_t)t->id)
			nc *= 2;
		struct engage_task *nt = realloc(e->tasks, nc * sizeof *nt);
		if (!nt)
			return false;
		memset(nt + e->cap_tasks, 0, (nc - e->cap_tasks) * sizeof *nt);
		e->tasks = nt;
		e->cap_tasks = nc;
	}
	e->tasks[t->id] = *t;
	return true;
}

const struct engage_task *engage_task(const struct engage *e, int64_t id)
{
	if (id <= 0 || (size_t)id >= e->cap_tasks || e->tasks[id].id != id)
		return NULL;
	return &e->tasks[id];
}

/* An assignment belongs to one expert for life (a replacement is a new
 * assignment), so replacing by id searches that expert's list only. */
bool engage_put_assignment(struct engage *e, int64_t expert,
                           const struct engage_assignment *a)
{
	struct engage_slot *s = engage_slot_for(e, expert);
	if (!s)
		return false;
	for (uint32_t i = 0; i < s->n_assignments; i++) {
		if (s->assignments[i].id == a->id) {
			s->assignments[i] = *a;
			return true;
		}
	}
	struct engage_assignment *v = engage_grow(s->assignments, &s->cap_assignments,
	                                          s->n_assignments, sizeof *v, 4);
	if (!v)
		return false;
	s->assignments = v;
	s->assignments[s->n_assignments++] = *a;
	return true;
}

void engage_prefetch(const struct engage *e, int64_t expert)
{
	if (expert > 0 && (size_t)expert < e->n_slots)
		__builtin_prefetch(&e->slots[expert]);
}

const struct engage_conflict *engage_conflicts(const struct engage *e,
                                               int64_t expert, size_t *n)
{
	const struct engage_slot *s = engage_slot_get(e, expert);
	*n = s ? s->n_conflicts : 0;
	return *n ? s->conflicts : NULL;
}

const struct engage_assignment *engage_assignments(const struct engage *e,
                                                   int64_t expert, size_t *n)
{
	const struct engage_slot *s = engage_slot_get(e, expert);
	*n = s ? s->n_assignments : 0;
	return *n ? s->assignments : NULL;
}

void engage_records(const struct engage *e, int64_t expert,
                    const struct engage_conflict **conflicts, size_t *nc,
                    const struct engage_assignment **assignments, size_t *na)
{
	const struct engage_slot *s = engage_slot_get(e, expert);
	*nc = s ? s->n_conflicts : 0;
	*na = s ? s->n_assignments : 0;
	*conflicts = *nc ? s->conflicts : NULL;
	*assignments = *na ? s->assignments : NULL;
}

const struct engage_task *engage_task_table(const struct engage *e, size_t *n)
{
	*n = e->tasks ? e->cap_tasks : 0;
	return e->tasks;
}
