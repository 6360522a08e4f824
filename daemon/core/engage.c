/*
 * engage.c - conflicts and assignments by expert, tasks by id (see
 * engage.h). Most experts have neither, so the per-expert vector holds only
 * a pointer (8 bytes an expert: 8 MB for 10^6) and the record behind it is
 * allocated on the first conflict or assignment. Tasks are indexed by id.
 * Served counts sit in a dense array of their own beside the slots, so a
 * draw reads one for every expert of a bucket without following pointers.
 * Beside them, the same records by task and organisation (idmap.h),
 * so a draw finds the few experts its task concerns without
 * reading every expert's history; and two time indexes, so that what it
 * reads there does not grow with the history either: the calendar (tasks
 * by length class and start, engage_visit_overlapping) and tasks by
 * organisation and start (engage_visit_org_near).
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "engage.h"
#include "idmap.h"

#define ENGAGE_DAY_SECONDS INT64_C(86400)

/*
 * The calendar: class k (0 <= k < ENGAGE_CLASSES) holds the tasks lasting
 * at most 2^k days (end_at - start_at, 0 or less in class 0), listed
 * under their start day's bucket of 2^k days; a task overlapping a time
 * then starts at most 2^k days before it, so each class is read over a
 * few buckets whatever the longest task held. Longer tasks, or spans
 * that do not fit the arithmetic, sit in one list read whole. The key of
 * (bucket, class) is bucket * ENGAGE_CAL_KEYS + class: a day number is
 * at most INT64_MAX / 86400, so the product fits.
 */
#define ENGAGE_CLASSES 20            /* up to 2^19 days: 1435 years */
#define ENGAGE_CAL_KEYS 32
#define ENGAGE_CAL_LONG ENGAGE_CLASSES   /* the key of the longer tasks */
/* Buckets read one by one at most, per class or organisation; a wider
 * range (a task itself held for years, a window of decades) reads the
 * whole task table or the organisation's whole list instead. */
#define ENGAGE_MAX_BUCKETS 4096
/* Tasks by organisation are bucketed by 2^5 = 32 start days. */
#define ENGAGE_ORG_SHIFT 5

struct engage_slot {
	struct engage_conflict *conflicts;
	struct engage_assignment *assignments;
	uint32_t n_conflicts, cap_conflicts;
	uint32_t n_assignments, cap_assignments;
};

struct engage {
	struct engage_slot **slots;   /* slots[expert id]; NULL = nothing */
	uint32_t *served;             /* served[expert id]: assignments in a served
	                               * state; n_slots of them too */
	size_t n_slots;
	struct engage_task *tasks;    /* tasks[id]; .id == 0: none (ids are dense) */
	size_t cap_tasks;
	struct idmap seats;           /* task id -> struct engage_seat */
	struct idmap by_org;          /* org -> held task ids */
	struct idmap calendar;        /* (start bucket, class) -> held task ids */
	uint32_t class_count[ENGAGE_CLASSES + 1]; /* held tasks per class */
	struct idmap org_time;        /* (org, 32-day start bucket) -> task ids */
	struct idmap org_conflicts;   /* org -> struct engage_org_conflict */
	struct engage_away *away;     /* unavailability, few: one flat list */
	uint32_t n_away, cap_away;
};

static void engage_index_init(struct engage *e)
{
	idmap_init(&e->seats, sizeof(struct engage_seat));
	idmap_init(&e->by_org, sizeof(int64_t));
	idmap_init(&e->calendar, sizeof(int64_t));
	idmap_init(&e->org_time, sizeof(int64_t));
	memset(e->class_count, 0, sizeof e->class_count);
	idmap_init(&e->org_conflicts, sizeof(struct engage_org_conflict));
}

static void engage_index_free(struct engage *e)
{
	idmap_free(&e->seats);
	idmap_free(&e->by_org);
	idmap_free(&e->calendar);
	idmap_free(&e->org_time);
	memset(e->class_count, 0, sizeof e->class_count);
	idmap_free(&e->org_conflicts);
}

struct engage *engage_new(void)
{
	struct engage *e = calloc(1, sizeof(struct engage));
	if (e)
		engage_index_init(e);
	return e;
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
	if (e->served)
		memset(e->served, 0, e->n_slots * sizeof *e->served);
	if (e->tasks)
		memset(e->tasks, 0, e->cap_tasks * sizeof *e->tasks);
	e->n_away = 0;
	engage_index_free(e);
}

void engage_destroy(struct engage **pe)
{
	struct engage *e = pe ? *pe : NULL;
	if (!e)
		return;
	engage_clear(e);
	free(e->slots);
	free(e->served);
	free(e->tasks);
	free(e->away);
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
		/* Both arrays keep n_slots entries: only the second can fail
		 * now, and the first is merely larger than needed until then. */
		uint32_t *v = realloc(e->served, nn * sizeof *v);
		if (!v)
			return NULL;
		memset(v + e->n_slots, 0, (nn - e->n_slots) * sizeof *v);
		e->served = v;
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
	struct engage_org_conflict oc = {.expert = expert, .c = *c};
	if (!idmap_push(&e->org_conflicts, c->org, &oc))
		return false;
	s->conflicts[s->n_conflicts++] = *c;
	return true;
}

bool engage_add_away(struct engage *e, const struct engage_away *a)
{
	struct engage_away *v = engage_grow(e->away, &e->cap_away, e->n_away,
	                                    sizeof *v, 8);
	if (!v)
		return false;
	e->away = v;
	e->away[e->n_away++] = *a;
	return true;
}

const struct engage_away *engage_find_away(const struct engage *e, int64_t id)
{
	for (uint32_t i = 0; i < e->n_away; i++)
		if (e->away[i].id == id)
			return &e->away[i];
	return NULL;
}

bool engage_change_away(struct engage *e, int64_t id, bool withdrawn, int32_t from,
                        int32_t to)
{
	struct engage_away *w = (struct engage_away *)engage_find_away(e, id);
	if (!w)
		return false;
	if (withdrawn) {
		size_t i = (size_t)(w - e->away);
		memmove(w, w + 1, (e->n_away - i - 1) * sizeof *w);
		e->n_away--;
	} else {
		w->from = from;
		w->to = to;
	}
	return true;
}

const struct engage_away *engage_aways(const struct engage *e, size_t *n)
{
	*n = e->n_away;
	return e->n_away ? e->away : NULL;
}

/* Task ids are made densely by the daemon (1, 2, ...), so tasks are
 * indexed by id: the overlap and rotation rules look one up for every
 * assignment of every expert they check. */
#define ENGAGE_TASK_ID_MAX (INT64_C(1) << 31)

int64_t engage_start_day(int64_t start_at)
{
	int64_t d = start_at / ENGAGE_DAY_SECONDS;
	return start_at % ENGAGE_DAY_SECONDS < 0 ? d - 1 : d;
}

/* Does org appear in orgs[0..i)? A task listing an org twice is indexed
 * under it once. */
static bool engage_org_seen(const uint32_t *orgs, int i, uint32_t org)
{
	for (int k = 0; k < i; k++)
		if (orgs[k] == org)
			return true;
	return false;
}

/* Remove one copy of id from key's list (there is one when indexed). */
static void engage_unlist(struct idmap *m, int64_t key, int64_t id)
{
	struct idmap_list *l = idmap_find(m, key);
	if (!l)
		return;
	const int64_t *ids = l->items;
	for (uint32_t i = 0; i < l->n; i++)
		if (ids[i] == id) {
			idmap_list_remove(m, l, i);
			return;
		}
}

/* floor(a / 2^k) for k < 63, also for negative a. */
static int64_t engage_floor_shift(int64_t a, int k)
{
	int64_t d = INT64_C(1) << k, q = a / d;
	return a % d < 0 ? q - 1 : q;
}

/* The calendar class of t (ENGAGE_CAL_LONG past the last one). */
static int engage_class(const struct engage_task *t)
{
	int64_t span;
	if (__builtin_sub_overflow(t->end_at, t->start_at, &span))
		return ENGAGE_CAL_LONG;
	for (int k = 0; k < ENGAGE_CLASSES; k++)
		if (span <= (INT64_C(1) << k) * ENGAGE_DAY_SECONDS)
			return k;
	return ENGAGE_CAL_LONG;
}

static int64_t engage_cal_key(int k, int64_t day)
{
	if (k == ENGAGE_CAL_LONG)
		return ENGAGE_CAL_LONG;
	return engage_floor_shift(day, k) * ENGAGE_CAL_KEYS + k;
}

static int64_t engage_cal_key_of(const struct engage_task *t)
{
	return engage_cal_key(engage_class(t), engage_start_day(t->start_at));
}

/* (org, 32-day bucket): the bucket's low 32 bits. Buckets 2^32 apart
 * share a key; the readers test every task they visit, and read fewer
 * consecutive buckets than that, so each task is still visited once. */
static int64_t engage_org_bucket_key(uint32_t org, int64_t bucket)
{
	return (int64_t)((uint64_t)org << 32 | ((uint64_t)bucket & UINT32_MAX));
}

static int64_t engage_org_bucket(int64_t start_at)
{
	return engage_floor_shift(engage_start_day(start_at), ENGAGE_ORG_SHIFT);
}

static int64_t engage_org_key(uint32_t org, int64_t start_at)
{
	return engage_org_bucket_key(org, engage_org_bucket(start_at));
}

static void engage_unindex_task(struct engage *e, const struct engage_task *t)
{
	engage_unlist(&e->calendar, engage_cal_key_of(t), t->id);
	e->class_count[engage_class(t)]--;
	for (int i = 0; i < t->n_orgs; i++)
		if (!engage_org_seen(t->orgs, i, t->orgs[i])) {
			engage_unlist(&e->by_org, t->orgs[i], t->id);
			engage_unlist(&e->org_time, engage_org_key(t->orgs[i], t->start_at),
			              t->id);
		}
}

/* Index t under each of its orgs (by_org and org_time); on out of
 * memory, takes back what it added. */
static bool engage_index_orgs(struct engage *e, const struct engage_task *t)
{
	for (int i = 0; i < t->n_orgs; i++) {
		if (engage_org_seen(t->orgs, i, t->orgs[i]))
			continue;
		int64_t key = engage_org_key(t->orgs[i], t->start_at);
		bool listed = idmap_push(&e->by_org, t->orgs[i], &t->id);
		if (!listed || !idmap_push(&e->org_time, key, &t->id)) {
			if (listed)
				engage_unlist(&e->by_org, t->orgs[i], t->id);
			for (int k = 0; k < i; k++)
				if (!engage_org_seen(t->orgs, k, t->orgs[k])) {
					engage_unlist(&e->by_org, t->orgs[k], t->id);
					engage_unlist(&e->org_time,
					              engage_org_key(t->orgs[k], t->start_at), t->id);
				}
			return false;
		}
	}
	return true;
}

/* Index t in the calendar and by orgs; on out of memory, takes back
 * what it added. */
static bool engage_index_task(struct engage *e, const struct engage_task *t)
{
	if (!idmap_push(&e->calendar, engage_cal_key_of(t), &t->id))
		return false;
	if (!engage_index_orgs(e, t)) {
		engage_unlist(&e->calendar, engage_cal_key_of(t), t->id);
		return false;
	}
	e->class_count[engage_class(t)]++;
	return true;
}

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
	if (!engage_index_task(e, t))
		return false;
	if (e->tasks[t->id].id == t->id)
		engage_unindex_task(e, &e->tasks[t->id]);
	e->tasks[t->id] = *t;
	return true;
}

/* The conflicts on `from`, seen from the index: each expert's own records
 * and the index items name `into`, and the items move to `into`'s list,
 * for which the caller reserved room. */
static void engage_merge_conflicts(struct engage *e, uint32_t from, uint32_t into)
{
	struct idmap_list *src = idmap_find(&e->org_conflicts, from);
	if (!src || src->n == 0)
		return;
	struct engage_org_conflict *items = src->items;
	for (uint32_t i = 0; i < src->n; i++) {
		struct engage_slot *s = e->slots[items[i].expert];
		for (uint32_t k = 0; k < s->n_conflicts; k++)
			if (s->conflicts[k].org == from)
				s->conflicts[k].org = into;
		items[i].c.org = into;
		bool ok = idmap_push(&e->org_conflicts, into, &items[i]);
		assert(ok);   /* the room was reserved */
		(void)ok;
	}
	src->n = 0;
}

/* The tasks listing `from` list `into` instead; a task already listing
 * `into` is indexed under it already, the others join its list. */
static void engage_merge_tasks(struct engage *e, uint32_t from, uint32_t into)
{
	struct idmap_list *src = idmap_find(&e->by_org, from);
	if (!src || src->n == 0)
		return;
	const int64_t *ids = src->items;
	for (uint32_t i = 0; i < src->n; i++) {
		struct engage_task *t = &e->tasks[ids[i]];
		bool listed = engage_org_seen(t->orgs, t->n_orgs, into);
		for (int k = 0; k < t->n_orgs; k++)
			if (t->orgs[k] == from)
				t->orgs[k] = into;
		engage_unlist(&e->org_time, engage_org_key(from, t->start_at), ids[i]);
		bool ok = listed ||
		          (idmap_push(&e->by_org, into, &ids[i]) &&
		           idmap_push(&e->org_time, engage_org_key(into, t->start_at), &ids[i]));
		assert(ok);
		(void)ok;
	}
	src->n = 0;
}

static int engage_key_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Room in org_time for the tasks listing `from` (and not `into`) to join
 * `into`'s buckets: as many items in each bucket as will arrive there. */
static bool engage_reserve_org_time(struct engage *e, uint32_t from, uint32_t into)
{
	size_t n;
	const int64_t *ids = idmap_get(&e->by_org, from, &n);
	if (n == 0)
		return true;
	int64_t *keys = malloc(n * sizeof *keys);
	if (!keys)
		return false;
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		const struct engage_task *t = &e->tasks[ids[i]];
		if (!engage_org_seen(t->orgs, t->n_orgs, into))
			keys[m++] = engage_org_key(into, t->start_at);
	}
	qsort(keys, m, sizeof *keys, engage_key_cmp);
	bool ok = true;
	for (size_t i = 0, j; i < m && ok; i = j) {
		for (j = i; j < m && keys[j] == keys[i]; j++)
			;
		ok = idmap_reserve(&e->org_time, keys[i], (uint32_t)(j - i));
	}
	free(keys);
	return ok;
}

bool engage_merge_org(struct engage *e, uint32_t from, uint32_t into)
{
	if (from == 0 || into == 0 || from == into)
		return true;
	size_t nc = 0, nt = 0;
	idmap_get(&e->org_conflicts, from, &nc);
	idmap_get(&e->by_org, from, &nt);
	/* Room first: past this point nothing allocates, so nothing fails. */
	if ((nc && !idmap_reserve(&e->org_conflicts, into, (uint32_t)nc)) ||
	    (nt && !idmap_reserve(&e->by_org, into, (uint32_t)nt)) ||
	    !engage_reserve_org_time(e, from, into))
		return false;
	engage_merge_conflicts(e, from, into);
	engage_merge_tasks(e, from, into);
	return true;
}

const struct engage_task *engage_task(const struct engage *e, int64_t id)
{
	if (id <= 0 || (size_t)id >= e->cap_tasks || e->tasks[id].id != id)
		return NULL;
	return &e->tasks[id];
}

bool engage_state_is_served(int state)
{
	return state == ASSIGN_OFFERED || state == ASSIGN_ACCEPTED ||
	       state == ASSIGN_COMPLETED;
}

/* The seat of (expert, assignment) in its task's list, or NULL. */
static struct engage_seat *engage_seat_find(struct engage *e, int64_t task,
                                            int64_t expert, int64_t assignment,
                                            struct idmap_list **list, uint32_t *at)
{
	struct idmap_list *l = idmap_find(&e->seats, task);
	if (!l)
		return NULL;
	struct engage_seat *seats = l->items;
	for (uint32_t i = 0; i < l->n; i++)
		if (seats[i].expert == expert && seats[i].assignment == assignment) {
			*list = l;
			*at = i;
			return &seats[i];
		}
	return NULL;
}

/* An assignment that changes task moves between the task lists; one that
 * only changes state is updated in place. */
static bool engage_replace_assignment(struct engage *e, int64_t expert,
                                      struct engage_assignment *old,
                                      const struct engage_assignment *a)
{
	struct idmap_list *l = NULL;
	uint32_t at = 0;
	struct engage_seat *seat = engage_seat_find(e, old->task, expert, old->id, &l, &at);
	if (old->task == a->task) {
		if (seat)
			seat->state = a->state;
	} else {
		struct engage_seat ns = {.expert = expert, .assignment = a->id,
		                         .state = a->state};
		if (!idmap_push(&e->seats, a->task, &ns))
			return false;
		/* The push may have moved the lists: find the old seat again. */
		if (engage_seat_find(e, old->task, expert, old->id, &l, &at))
			idmap_list_remove(&e->seats, l, at);
	}
	e->served[expert] -= engage_state_is_served(old->state);
	e->served[expert] += engage_state_is_served(a->state);
	*old = *a;
	return true;
}

/* An assignment belongs to one expert for life (a replacement is a new
 * assignment), so replacing by id searches that expert's list only. */
bool engage_put_assignment(struct engage *e, int64_t expert,
                           const struct engage_assignment *a)
{
	struct engage_slot *s = engage_slot_for(e, expert);
	if (!s)
		return false;
	for (uint32_t i = 0; i < s->n_assignments; i++)
		if (s->assignments[i].id == a->id)
			return engage_replace_assignment(e, expert, &s->assignments[i], a);
	struct engage_assignment *v = engage_grow(s->assignments, &s->cap_assignments,
	                                          s->n_assignments, sizeof *v, 4);
	if (!v)
		return false;
	s->assignments = v;
	struct engage_seat seat = {.expert = expert, .assignment = a->id,
	                           .state = a->state};
	if (!idmap_push(&e->seats, a->task, &seat))
		return false;
	s->assignments[s->n_assignments++] = *a;
	e->served[expert] += engage_state_is_served(a->state);
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

const struct engage_seat *engage_task_seats(const struct engage *e, int64_t task,
                                            size_t *n)
{
	return idmap_get(&e->seats, task, n);
}

const int64_t *engage_tasks_of_org(const struct engage *e, uint32_t org, size_t *n)
{
	return idmap_get(&e->by_org, org, n);
}

static void engage_visit_list(const struct idmap *m, int64_t key, engage_visit_fn visit,
                              void *ctx)
{
	size_t n;
	const int64_t *ids = idmap_get(m, key, &n);
	for (size_t i = 0; i < n; i++)
		visit(ctx, ids[i]);
}

/* Class k's buckets that may hold a task overlapping [start_at, end_at):
 * *lo..*hi. False when there are too many to read one by one. */
static bool engage_class_range(int k, int64_t start_at, int64_t end_at, int64_t *lo,
                               int64_t *hi)
{
	int64_t from;
	if (__builtin_sub_overflow(start_at, (INT64_C(1) << k) * ENGAGE_DAY_SECONDS,
	                           &from))
		return false;
	*lo = engage_floor_shift(engage_start_day(from), k);
	*hi = engage_floor_shift(engage_start_day(end_at), k);
	return *hi < *lo || (uint64_t)*hi - (uint64_t)*lo < ENGAGE_MAX_BUCKETS;
}

void engage_visit_overlapping(const struct engage *e, int64_t start_at, int64_t end_at,
                              engage_visit_fn visit, void *ctx)
{
	int64_t lo[ENGAGE_CLASSES], hi[ENGAGE_CLASSES];
	for (int k = 0; k < ENGAGE_CLASSES; k++) {
		if (e->class_count[k] == 0 ||
		    engage_class_range(k, start_at, end_at, &lo[k], &hi[k]))
			continue;
		for (size_t id = 1; id < e->cap_tasks; id++)   /* too wide: all */
			if (e->tasks[id].id == (int64_t)id)
				visit(ctx, (int64_t)id);
		return;
	}
	engage_visit_list(&e->calendar, ENGAGE_CAL_LONG, visit, ctx);
	for (int k = 0; k < ENGAGE_CLASSES; k++)
		for (int64_t b = lo[k]; e->class_count[k] && b <= hi[k]; b++)
			engage_visit_list(&e->calendar, b * ENGAGE_CAL_KEYS + k, visit, ctx);
}

void engage_visit_org_near(const struct engage *e, uint32_t org, int64_t at,
                           uint64_t window, engage_visit_fn visit, void *ctx)
{
	int64_t from, to;
	if (window <= (uint64_t)INT64_MAX &&
	    !__builtin_sub_overflow(at, (int64_t)window, &from) &&
	    !__builtin_add_overflow(at, (int64_t)window, &to)) {
		int64_t lo = engage_org_bucket(from), hi = engage_org_bucket(to);
		if ((uint64_t)hi - (uint64_t)lo < ENGAGE_MAX_BUCKETS) {
			for (int64_t b = lo; b <= hi; b++)
				engage_visit_list(&e->org_time, engage_org_bucket_key(org, b),
				                  visit, ctx);
			return;
		}
	}
	engage_visit_list(&e->by_org, org, visit, ctx);
}

const struct engage_org_conflict *engage_org_conflicts(const struct engage *e,
                                                       uint32_t org, size_t *n)
{
	return idmap_get(&e->org_conflicts, org, n);
}

uint32_t engage_served_count(const struct engage *e, int64_t expert)
{
	if (expert <= 0 || (uint64_t)expert >= e->n_slots)
		return 0;
	return e->served[expert];
}

const uint32_t *engage_served_counts(const struct engage *e, size_t *n)
{
	*n = e->served ? e->n_slots : 0;
	return e->served;
}
