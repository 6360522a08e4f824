/*
 * h_sheet.c - the outputs for the file about tasks (PROTOCOL.md 7.16): a
 * task's result sheet for printing and signing (panel, answers,
 * attendance, the transcripts' seq and hash), and the work-done ledger
 * of completed seats per commissioning bureau and period (第十八条).
 * Bureaus and clerks see their own bureau's tasks only. Read-only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assign.h"
#include "handler.h"
#include "seat_role.h"

/* The commissioning party's name: the registry's name for the bureau
 * code, else the code itself (as notify.offer's `organiser`, STREAMS.md 4). */
static void sheet_organiser(struct handler_ctx *ctx, const char *bureau, char *out,
                            size_t size)
{
	struct store_org o;
	if (store_org_by_code(ctx->store, bureau, &o) == STORE_OK && o.name[0])
		snprintf(out, size, "%s", o.name);
	else
		snprintf(out, size, "%s", bureau);
}

/* What the seat events say of one seat: its last answer and attendance,
 * as corrected since (PROTOCOL.md 7.12.16). */
struct sheet_seat {
	const struct store_seat_event *answer;     /* accept, decline, ... or NULL */
	const struct store_seat_event *attendance; /* complete, no_show or NULL */
	const char *answered;                      /* accept, decline, ... or "" */
	const char *answer_reason;                 /* "" if none */
	const char *attended;                      /* complete, no_show or "" */
};

/* The answer a correction's row gives (PROTOCOL.md 7.12.16), by its state. */
static const char *sheet_corrected_answer(int state)
{
	return state == ASSIGN_ACCEPTED ? "accept"
	       : state == ASSIGN_WITHDRAWN ? "withdraw" : "decline";
}

static bool sheet_is_answer(const char *event)
{
	static const char *const answers[] = {"accept", "decline", "withdraw", "expire",
	                                      NULL};
	for (int i = 0; answers[i]; i++)
		if (strcmp(event, answers[i]) == 0)
			return true;
	return false;
}

static struct sheet_seat sheet_seat_of(const struct store_seat_event *ev, size_t n,
                                       int64_t assignment)
{
	struct sheet_seat s = {.answered = "", .answer_reason = "", .attended = ""};
	for (size_t i = 0; i < n; i++) {
		if (ev[i].assignment != assignment)
			continue;
		if (sheet_is_answer(ev[i].event)) {
			s.answer = &ev[i];
			s.answered = ev[i].event;
			s.answer_reason = ev[i].reason;
		} else if (strcmp(ev[i].event, "complete") == 0 ||
		           strcmp(ev[i].event, "no_show") == 0) {
			s.attendance = &ev[i];
			s.attended = ev[i].event;
		} else if (strcmp(ev[i].event, "correct") == 0 && s.attendance) {
			/* attended_at stays when the attendance was recorded. */
			s.attended = ev[i].to == ASSIGN_COMPLETED ? "complete" : "no_show";
		} else if (strcmp(ev[i].event, "correct") == 0) {
			/* answered_at stays when the answer was recorded. */
			s.answered = sheet_corrected_answer(ev[i].to);
			s.answer_reason = ev[i].reason;
		}
	}
	return s;
}

static void pack_event_or_nil(msgpack_packer *pk, const char *k, const char *v,
                              const struct store_seat_event *ev)
{
	proto_pack_str(pk, k);
	if (ev)
		proto_pack_str(pk, v);
	else
		msgpack_pack_nil(pk);
}

static void pack_at_or_nil(msgpack_packer *pk, const char *k,
                           const struct store_seat_event *ev)
{
	proto_pack_str(pk, k);
	if (ev)
		msgpack_pack_int64(pk, ev->at);
	else
		msgpack_pack_nil(pk);
}

/* One seat of the sheet (PROTOCOL.md 7.16.3). */
static enum proto_status pack_sheet_seat(struct handler_ctx *ctx, msgpack_packer *pk,
                                         const struct store_assignment *a,
                                         const struct sheet_seat *s, struct reply *rep)
{
	struct store_contact c;
	enum store_result r = store_expert_contact(ctx->store, a->expert, &c);
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	msgpack_pack_map(pk, 11);
	proto_pack_kv_int(pk, "assignment", a->id);
	proto_pack_kv_str(pk, "role", proto_seat_roles[a->role]);
	proto_pack_kv_int(pk, "expert", a->expert);
	proto_pack_kv_str(pk, "name", c.name);
	proto_pack_kv_str(pk, "employer", c.employer);
	proto_pack_kv_str(pk, "state", proto_assignment_states[a->state]);
	pack_event_or_nil(pk, "answer", s->answered, s->answer);
	pack_at_or_nil(pk, "answered_at", s->answer);
	proto_pack_kv_str(pk, "answer_reason", s->answer_reason);
	pack_event_or_nil(pk, "attendance", s->attended, s->attendance);
	pack_at_or_nil(pk, "attended_at", s->attendance);
	return PROTO_OK;
}

/* The id of the task's last successful redraw, 0 if none: the seats of
 * earlier draws it cancelled were never the panel. */
static int64_t sheet_last_redraw(struct handler_ctx *ctx, int64_t task)
{
	struct store_draw *ds = NULL;
	size_t n = 0;
	int64_t last = 0;
	if (store_draw_list(ctx->store, task, &ds, &n) == STORE_OK)
		for (size_t i = 0; i < n; i++)
			if (ds[i].ok && strcmp(ds[i].kind, "redraw") == 0 && ds[i].id > last)
				last = ds[i].id;
	free(ds);
	return last;
}

/* A seat the sheet leaves out: one a later redraw cancelled. Seats that
 * task.cancel cancelled stay: they were the panel. */
static bool sheet_left_out(const struct store_assignment *a, int64_t last_redraw)
{
	return a->state == ASSIGN_CANCELLED && a->draw < last_redraw;
}

static enum proto_status pack_sheet_seats(struct handler_ctx *ctx, msgpack_packer *pk,
                                          int64_t task, struct reply *rep)
{
	int64_t last_redraw = sheet_last_redraw(ctx, task);
	struct store_assignment *as = NULL;
	struct store_seat_event *ev = NULL;
	size_t na = 0, nev = 0, kept = 0;
	enum store_result r = store_assignment_list(ctx->store, task, &as, &na);
	if (r == STORE_OK)
		r = store_seat_event_list(ctx->store, task, &ev, &nev);
	if (r != STORE_OK) {
		free(as);
		free(ev);
		return handler_store_error(rep, r);
	}
	for (size_t i = 0; i < na; i++)
		kept += !sheet_left_out(&as[i], last_redraw);
	proto_pack_str(pk, "seats");
	msgpack_pack_array(pk, (uint32_t)kept);
	enum proto_status st = PROTO_OK;
	for (size_t i = 0; i < na && st == PROTO_OK; i++) {
		if (sheet_left_out(&as[i], last_redraw))
			continue;
		struct sheet_seat s = sheet_seat_of(ev, nev, as[i].id);
		st = pack_sheet_seat(ctx, pk, &as[i], &s, rep);
	}
	free(as);
	free(ev);
	return st;
}

/* Every attempt with its audit entry's seq and hash (DRAW.md 4.1). */
static enum proto_status pack_sheet_draws(struct handler_ctx *ctx, msgpack_packer *pk,
                                          int64_t task, struct reply *rep)
{
	struct store_draw *ds = NULL;
	size_t n = 0;
	enum store_result r = store_draw_list(ctx->store, task, &ds, &n);
	proto_pack_str(pk, "draws");
	msgpack_pack_array(pk, (uint32_t)(r == STORE_OK ? n : 0));
	for (size_t i = 0; i < n && r == STORE_OK; i++) {
		struct store_audit_row row = {0};
		r = store_audit_get(ctx->store, ds[i].audit_seq, &row);
		if (r != STORE_OK)
			break;
		msgpack_pack_map(pk, 6);
		proto_pack_kv_int(pk, "draw", ds[i].id);
		proto_pack_kv_str(pk, "kind", ds[i].kind);
		proto_pack_kv_bool(pk, "ok", ds[i].ok);
		proto_pack_kv_int(pk, "seq", row.seq);
		proto_pack_str(pk, "hash");
		msgpack_pack_bin(pk, sizeof row.hash);
		msgpack_pack_bin_body(pk, row.hash, sizeof row.hash);
		proto_pack_kv_int(pk, "at", ds[i].at);
		free(row.body);
	}
	free(ds);
	return r == STORE_OK ? PROTO_OK : handler_store_error(rep, r);
}

static void pack_sheet_task(struct handler_ctx *ctx, msgpack_packer *pk,
                            const struct task *t)
{
	char organiser[ORG_NAME_MAX + 1];
	sheet_organiser(ctx, t->bureau, organiser, sizeof organiser);
	proto_pack_str(pk, "task");
	msgpack_pack_map(pk, 14);
	proto_pack_kv_int(pk, "id", t->id);
	proto_pack_kv_str(pk, "bureau", t->bureau);
	proto_pack_kv_str(pk, "organiser", organiser);
	proto_pack_kv_str(pk, "kind", proto_task_kinds[t->kind]);
	proto_pack_kv_str(pk, "subject", proto_task_subjects[t->subject]);
	proto_pack_kv_str(pk, "specialty", t->specialty);
	proto_pack_kv_int(pk, "members", t->members);
	proto_pack_kv_bool(pk, "leader", t->leader);
	proto_pack_kv_int(pk, "start", t->start_at);
	proto_pack_kv_int(pk, "end", t->end_at);
	proto_pack_kv_str(pk, "district", t->district);
	proto_pack_kv_str(pk, "state", proto_task_states[t->state]);
	proto_pack_kv_str(pk, "fill", proto_fill_states[t->fill]);
	proto_pack_kv_str(pk, "created_by", t->created_by);
}

enum proto_status h_task_sheet(struct handler_ctx *ctx, const struct proto_request *req,
                               struct reply *rep)
{
	struct task *t = malloc(sizeof *t);
	if (!t)
		return reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	enum proto_status st = handler_get_task(ctx, proto_arg_int(req, "task", 0), t, rep);
	if (st == PROTO_OK) {
		msgpack_packer *pk = reply_result(rep);
		msgpack_pack_map(pk, 3);
		pack_sheet_task(ctx, pk, t);
		st = pack_sheet_draws(ctx, pk, t->id, rep);
		if (st == PROTO_OK)
			st = pack_sheet_seats(ctx, pk, t->id, rep);
	}
	free(t);
	return st;
}

/* ---- the work-done ledger (第十八条) ---- */

/* A task of the period: what its seats are counted under. */
struct work_task {
	int64_t id;
	char bureau[sizeof ((struct task *)0)->bureau];
	int64_t seconds;
};

/* One line: an expert's completed seats for one bureau. */
struct work_line {
	char bureau[sizeof ((struct task *)0)->bureau];
	int64_t expert;
	int64_t seats, as_leader, seconds;
};

struct work_scan {
	int32_t from, to;
	const char *bureau;          /* "" = every bureau */
	struct work_task *tasks;
	size_t n, cap;
	bool nomem;
};

static bool work_task_cb(const struct task *t, void *arg)
{
	struct work_scan *w = arg;
	int32_t day = handler_day_of(t->start_at);
	if (day < w->from || day > w->to || (w->bureau[0] && strcmp(t->bureau, w->bureau)))
		return true;
	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 64;
		struct work_task *p = realloc(w->tasks, cap * sizeof *p);
		if (!p) {
			w->nomem = true;
			return false;
		}
		w->tasks = p;
		w->cap = cap;
	}
	struct work_task *wt = &w->tasks[w->n++];
	wt->id = t->id;
	snprintf(wt->bureau, sizeof wt->bureau, "%s", t->bureau);
	wt->seconds = t->end_at - t->start_at;
	return true;
}

static int work_line_cmp(const void *a, const void *b)
{
	const struct work_line *x = a, *y = b;
	int c = strcmp(x->bureau, y->bureau);
	return c ? c : (x->expert > y->expert) - (x->expert < y->expert);
}

/* Add a task's completed seats to lines (room for n + seats kept). */
static enum store_result work_add_task(struct handler_ctx *ctx, const struct work_task *wt,
                                       struct work_line **lines, size_t *n)
{
	struct store_assignment *as = NULL;
	size_t na = 0;
	enum store_result r = store_assignment_list(ctx->store, wt->id, &as, &na);
	struct work_line *p = r == STORE_OK ? realloc(*lines, (*n + na + 1) * sizeof *p)
	                                    : NULL;
	if (r == STORE_OK && !p)
		r = STORE_NOT_WRITABLE; /* out of memory, as the store reports it */
	for (size_t i = 0; p && i < na; i++) {
		if (as[i].state != ASSIGN_COMPLETED)
			continue;
		struct work_line *l = NULL;
		for (size_t k = 0; k < *n && !l; k++)
			if (p[k].expert == as[i].expert && strcmp(p[k].bureau, wt->bureau) == 0)
				l = &p[k];
		if (!l) {
			l = &p[(*n)++];
			*l = (struct work_line){.expert = as[i].expert};
			snprintf(l->bureau, sizeof l->bureau, "%s", wt->bureau);
		}
		l->seats++;
		l->as_leader += as[i].role == SEAT_LEADER;
		l->seconds += wt->seconds;
	}
	if (p)
		*lines = p;
	free(as);
	return r;
}

static enum proto_status pack_work_lines(struct handler_ctx *ctx, msgpack_packer *pk,
                                         const struct work_line *l, size_t n,
                                         struct reply *rep)
{
	proto_pack_str(pk, "lines");
	msgpack_pack_array(pk, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		struct store_contact c;
		enum store_result r = store_expert_contact(ctx->store, l[i].expert, &c);
		if (r != STORE_OK)
			return handler_store_error(rep, r);
		char organiser[ORG_NAME_MAX + 1];
		sheet_organiser(ctx, l[i].bureau, organiser, sizeof organiser);
		msgpack_pack_map(pk, 8);
		proto_pack_kv_str(pk, "bureau", l[i].bureau);
		proto_pack_kv_str(pk, "organiser", organiser);
		proto_pack_kv_int(pk, "expert", l[i].expert);
		proto_pack_kv_str(pk, "name", c.name);
		proto_pack_kv_str(pk, "employer", c.employer);
		proto_pack_kv_int(pk, "seats", l[i].seats);
		proto_pack_kv_int(pk, "as_leader", l[i].as_leader);
		proto_pack_kv_int(pk, "seconds", l[i].seconds);
	}
	return PROTO_OK;
}

enum proto_status h_ledger_work(struct handler_ctx *ctx, const struct proto_request *req,
                                struct reply *rep)
{
	char bureau[32] = "";
	const char *s;
	size_t n;
	struct work_scan w = {.bureau = bureau};
	proto_arg_str(req, "from", &s, &n);
	ident_date_parse(s, n, &w.from);
	proto_arg_str(req, "to", &s, &n);
	ident_date_parse(s, n, &w.to);
	if (w.to < w.from)
		return reply_error(rep, PROTO_E_INVALID_FIELD, "to",
		                   "the period must end on or after its first day");
	/* A bureau sees its own work only, whatever it asks (7.10.3). */
	if (handler_sees_all_tasks(ctx))
		proto_arg_strcpy(req, "bureau", bureau, sizeof bureau);
	else
		snprintf(bureau, sizeof bureau, "%s", ctx->caller->bureau);
	enum store_result r = store_task_each(ctx->store, work_task_cb, &w);
	struct work_line *lines = NULL;
	size_t nl = 0;
	for (size_t i = 0; i < w.n && r == STORE_OK && !w.nomem; i++)
		r = work_add_task(ctx, &w.tasks[i], &lines, &nl);
	free(w.tasks);
	enum proto_status st = w.nomem ? reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory")
	                     : r != STORE_OK ? handler_store_error(rep, r) : PROTO_OK;
	if (st == PROTO_OK) {
		if (nl > 1)
			qsort(lines, nl, sizeof *lines, work_line_cmp);
		msgpack_packer *pk = reply_result(rep);
		msgpack_pack_map(pk, 4);
		handler_pack_date(pk, "from", w.from);
		handler_pack_date(pk, "to", w.to);
		proto_pack_kv_str(pk, "bureau", bureau);
		st = pack_work_lines(ctx, pk, lines, nl, rep);
	}
	free(lines);
	return st;
}
