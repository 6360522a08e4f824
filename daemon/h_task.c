/*
 * h_task.c - tasks as bureaus and operators see them: one task with its
 * seats and draws, or a page of tasks; and what is done to a task as a
 * whole: cancelling it, reporting attendance (PROTOCOL.md 7.12.11-7.12.12;
 * the seats' transitions are seat.c's). A bureau (or its clerk) sees
 * only its own bureau's tasks; operators see every task.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handler.h"
#include "i18n.h"
#include "mask.h"
#include "seat.h"

#define TASK_LIST_DEFAULT_LIMIT 50


/* A mixed panel's quotas, in order (PROTOCOL.md 7.10.3). */
static void pack_task_quotas(msgpack_packer *pk, const struct task *t)
{
	proto_pack_str(pk, "quotas");
	msgpack_pack_array(pk, (uint32_t)t->n_quotas);
	for (int q = 0; q < t->n_quotas; q++) {
		msgpack_pack_map(pk, 4);
		proto_pack_kv_str(pk, "specialty", t->quotas[q].specialty);
		proto_pack_kv_str(pk, "group_type", proto_group_types[t->quotas[q].group]);
		proto_pack_kv_int(pk, "members", t->quotas[q].members);
		proto_pack_kv_int(pk, "backups", t->quotas[q].backups);
	}
}

static void pack_task(msgpack_packer *pk, const struct task *t)
{
	msgpack_pack_map(pk, 23 + (t->n_quotas > 0));
	proto_pack_kv_int(pk, "id", t->id);
	proto_pack_kv_str(pk, "bureau", t->bureau);
	proto_pack_kv_str(pk, "created_by", t->created_by);
	proto_pack_kv_str(pk, "kind", proto_task_kinds[t->kind]);
	proto_pack_kv_str(pk, "subject", proto_task_subjects[t->subject]);
	proto_pack_kv_str(pk, "specialty", t->specialty);
	proto_pack_kv_str(pk, "group_type", proto_group_types[t->group]);
	proto_pack_kv_int(pk, "members", t->members);
	proto_pack_kv_bool(pk, "leader", t->leader);
	proto_pack_kv_int(pk, "backups", t->backups);
	proto_pack_str(pk, "orgs");
	msgpack_pack_array(pk, (uint32_t)t->n_orgs);
	for (int i = 0; i < t->n_orgs; i++)
		proto_pack_str(pk, t->orgs[i]);
	proto_pack_kv_int(pk, "start", t->start_at);
	proto_pack_kv_int(pk, "end", t->end_at);
	proto_pack_kv_str(pk, "district", t->district);
	proto_pack_str(pk, "exclude");
	msgpack_pack_array(pk, (uint32_t)t->n_exclude);
	for (int i = 0; i < t->n_exclude; i++)
		msgpack_pack_int64(pk, t->exclude[i]);
	proto_pack_kv_str(pk, "note", t->note);
	proto_pack_kv_str(pk, "state", proto_task_states[t->state]);
	proto_pack_kv_int(pk, "created_at", t->created_at);
	proto_pack_kv_str(pk, "fill", proto_fill_states[t->fill]);
	proto_pack_kv_int(pk, "respond_within", t->respond_within);
	proto_pack_kv_str(pk, "respond_reason", t->respond_reason);
	proto_pack_kv_str(pk, "cancel_reason", t->cancel_reason);
	/* The leader an operator named (DRAW.md 3.6), or nil. */
	proto_pack_str(pk, "designated");
	if (t->leader_expert == 0) {
		msgpack_pack_nil(pk);
	} else {
		msgpack_pack_map(pk, 2);
		proto_pack_kv_int(pk, "expert", t->leader_expert);
		proto_pack_kv_str(pk, "reason", t->leader_reason);
	}
	if (t->n_quotas > 0)
		pack_task_quotas(pk, t);
}

static enum proto_status pack_seats(struct handler_ctx *ctx, msgpack_packer *pk,
                                    const struct task *t, struct reply *rep)
{
	int64_t task = t->id;
	bool mixed = t->n_quotas > 0;
	struct store_assignment *as;
	size_t n;
	enum store_result r = store_assignment_list(ctx->store, task, &as, &n);
	if (r != STORE_OK) {
		free(as); /* rows read before the error */
		return handler_store_error(rep, r);
	}
	enum proto_status st = PROTO_OK;
	proto_pack_str(pk, "seats");
	msgpack_pack_array(pk, (uint32_t)n);
	for (size_t i = 0; i < n && st == PROTO_OK; i++) {
		struct expert e;
		char phone[MASK_BUF];
		st = handler_get_expert(ctx, as[i].expert, &e, rep);
		if (st != PROTO_OK)
			break;
		mask_phone(e.phone, phone);
		msgpack_pack_map(pk, 9 + mixed);
		proto_pack_kv_int(pk, "assignment", as[i].id);
		proto_pack_kv_int(pk, "draw", as[i].draw);
		proto_pack_kv_int(pk, "seat", as[i].seat);
		proto_pack_kv_str(pk, "role", proto_seat_roles[as[i].role]);
		if (mixed)
			proto_pack_kv_int(pk, "quota", as[i].quota);
		proto_pack_kv_int(pk, "expert", e.id);
		proto_pack_kv_str(pk, "name", e.name);
		proto_pack_kv_str(pk, "phone", phone);
		proto_pack_kv_str(pk, "state", proto_assignment_states[as[i].state]);
		proto_pack_str(pk, "deadline");
		if (as[i].state == ASSIGN_OFFERED)
			msgpack_pack_int64(pk, as[i].deadline);
		else
			msgpack_pack_nil(pk);
	}
	free(as);
	return st;
}

/* Every transition of every seat, in order (PROTOCOL.md 7.10.3). */
static enum proto_status pack_history(struct handler_ctx *ctx, msgpack_packer *pk,
                                      int64_t task, struct reply *rep)
{
	struct store_seat_event *ev = NULL;
	size_t n = 0;
	enum store_result r = store_seat_event_list(ctx->store, task, &ev, &n);
	if (r != STORE_OK) {
		free(ev);
		return handler_store_error(rep, r);
	}
	proto_pack_str(pk, "history");
	msgpack_pack_array(pk, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		msgpack_pack_map(pk, 9);
		proto_pack_kv_int(pk, "assignment", ev[i].assignment);
		proto_pack_kv_int(pk, "at", ev[i].at);
		proto_pack_kv_str(pk, "actor", ev[i].actor);
		proto_pack_kv_str(pk, "channel", proto_channels[ev[i].channel]);
		proto_pack_kv_str(pk, "event", ev[i].event);
		proto_pack_str(pk, "from");
		if (ev[i].from >= 0)
			proto_pack_str(pk, proto_assignment_states[ev[i].from]);
		else
			msgpack_pack_nil(pk);
		proto_pack_kv_str(pk, "to", proto_assignment_states[ev[i].to]);
		proto_pack_kv_str(pk, "reason", ev[i].reason);
		proto_pack_kv_str(pk, "note", ev[i].note);
	}
	free(ev);
	return PROTO_OK;
}

static enum proto_status pack_draws(struct handler_ctx *ctx, msgpack_packer *pk,
                                    int64_t task, struct reply *rep)
{
	struct store_draw *ds;
	size_t n;
	enum store_result r = store_draw_list(ctx->store, task, &ds, &n);
	if (r != STORE_OK) {
		free(ds); /* rows read before the error */
		return handler_store_error(rep, r);
	}
	proto_pack_str(pk, "draws");
	msgpack_pack_array(pk, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		msgpack_pack_map(pk, 6);
		proto_pack_kv_int(pk, "draw", ds[i].id);
		proto_pack_kv_str(pk, "kind", ds[i].kind);
		proto_pack_kv_bool(pk, "ok", ds[i].ok);
		proto_pack_kv_int(pk, "seq", ds[i].audit_seq);
		proto_pack_kv_str(pk, "actor", ds[i].actor);
		proto_pack_kv_int(pk, "at", ds[i].at);
	}
	free(ds);
	return PROTO_OK;
}

enum proto_status h_task_show(struct handler_ctx *ctx, const struct proto_request *req,
                              struct reply *rep)
{
	struct task *t = malloc(sizeof *t);
	if (!t)
		return reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	enum proto_status st = handler_get_task(ctx, proto_arg_int(req, "task", 0), t, rep);
	int64_t head = 0;
	uint8_t hash[STORE_AUDIT_HASH_LEN];
	enum store_result r = st == PROTO_OK ? store_audit_last(ctx->store, &head, hash)
	                                     : STORE_OK;
	if (r != STORE_OK)
		st = handler_store_error(rep, r);
	if (st == PROTO_OK) {
		msgpack_packer *pk = reply_result(rep);
		msgpack_pack_map(pk, 5);
		/* The log's head in the same read: what a verifier replays to
		 * before comparing (PROTOCOL.md 7.10.3). */
		proto_pack_kv_int(pk, "seq", head);
		proto_pack_str(pk, "task");
		pack_task(pk, t);
		st = pack_seats(ctx, pk, t, rep);
		if (st == PROTO_OK)
			st = pack_draws(ctx, pk, t->id, rep);
		if (st == PROTO_OK)
			st = pack_history(ctx, pk, t->id, rep);
	}
	free(t);
	return st;
}

enum proto_status h_task_list(struct handler_ctx *ctx, const struct proto_request *req,
                              struct reply *rep)
{
	char bureau[32] = "";
	if (!handler_sees_all_tasks(ctx))
		snprintf(bureau, sizeof bureau, "%s", ctx->caller->bureau);
	else
		proto_arg_strcpy(req, "bureau", bureau, sizeof bureau);
	int64_t offset = proto_arg_int(req, "offset", 0);
	int64_t limit = proto_arg_int(req, "limit", TASK_LIST_DEFAULT_LIMIT);
	int64_t *ids, total;
	size_t n;
	enum store_result r = store_task_list(ctx->store, bureau, offset, limit, &ids,
	                                      &n, &total);
	if (r != STORE_OK) {
		free(ids); /* rows read before the error */
		return handler_store_error(rep, r);
	}
	struct task *t = malloc(sizeof *t);
	if (!t) {
		free(ids);
		return reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	}
	msgpack_packer *pk = reply_result(rep);
	msgpack_pack_map(pk, 3);
	proto_pack_kv_int(pk, "total", total);
	proto_pack_kv_int(pk, "offset", offset);
	proto_pack_str(pk, "tasks");
	msgpack_pack_array(pk, (uint32_t)n);
	enum proto_status st = PROTO_OK;
	for (size_t i = 0; i < n && st == PROTO_OK; i++) {
		r = store_task_get(ctx->store, ids[i], t);
		if (r != STORE_OK) {
			st = handler_store_error(rep, r);
			break;
		}
		pack_task(pk, t);
	}
	free(t);
	free(ids);
	return st;
}

enum proto_status h_task_cancel(struct handler_ctx *ctx, const struct proto_request *req,
                                struct reply *rep)
{
	char reason[PROTO_REASON_SIZE] = "";
	int64_t id = proto_arg_int(req, "task", 0), seats = 0;
	proto_arg_strcpy(req, "reason", reason, sizeof reason);
	struct task *t = malloc(sizeof *t);
	if (!t)
		return reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	enum proto_status st = handler_get_task(ctx, id, t, rep);
	if (st == PROTO_OK && t->state == TASK_CANCELLED)
		st = reply_error(rep, PROTO_E_INVALID_STATE, "task",
		                 "task %lld is already cancelled", (long long)id);
	else if (st == PROTO_OK && ctx->now >= t->end_at)
		st = reply_error(rep, PROTO_E_INVALID_STATE, "task",
		                 "task %lld has ended; it can no longer be cancelled",
		                 (long long)id);
	if (st == PROTO_OK)
		st = seat_cancel_open(ctx, t, reason, true, &seats, rep);
	if (st == PROTO_OK) {
		enum store_result r = store_task_cancel(ctx->store, id, reason);
		if (r != STORE_OK)
			st = handler_store_error(rep, r);
	}
	if (st == PROTO_OK) {
		audit_pack_task_cancelled(handler_audit_begin(ctx), id,
		                          ctx->caller->principal, reason, seats);
		st = handler_audit_end(ctx, AUDIT_TASK_CANCELLED, rep, NULL, NULL);
	}
	if (st == PROTO_OK) {
		msgpack_packer *pk = reply_result(rep);
		msgpack_pack_map(pk, 2);
		proto_pack_kv_int(pk, "task", id);
		proto_pack_kv_int(pk, "cancelled", seats);
	}
	free(t);
	return st;
}

/* Every listed seat is an accepted seat of the task, or nothing runs. */
static enum proto_status attendance_check(struct handler_ctx *ctx,
                                          const msgpack_object *seats, int64_t task,
                                          struct store_assignment *as,
                                          struct reply *rep)
{
	for (uint32_t i = 0; i < seats->via.array.size; i++) {
		const msgpack_object *m = &seats->via.array.ptr[i];
		int64_t id = proto_map_int(m, "assignment", 0);
		char field[40], w[I18N_CODE_MAX];
		snprintf(field, sizeof field, "seats[%u].assignment", i);
		for (uint32_t j = 0; j < i; j++)
			if (as[j].id == id)
				return reply_error(rep, PROTO_E_INVALID_FIELD, field,
				                   "assignment %lld is listed twice",
				                   (long long)id);
		enum store_result r = store_assignment_get(ctx->store, id, &as[i]);
		if (r == STORE_OK && as[i].task != task)
			r = STORE_NOT_FOUND;
		if (r == STORE_NOT_FOUND)
			return reply_error(rep, PROTO_E_INVALID_FIELD, field,
			                   "assignment %lld is not a seat of task %lld",
			                   (long long)id, (long long)task);
		if (r != STORE_OK)
			return handler_store_error(rep, r);
		if (as[i].state != ASSIGN_ACCEPTED)
			return reply_error(rep, PROTO_E_INVALID_STATE, field,
			                   "assignment %lld is %s, not accepted", (long long)id,
			                   i18n_code("seat_state",
			                             proto_assignment_states[as[i].state], w,
			                             sizeof w));
	}
	return PROTO_OK;
}

enum proto_status h_task_attendance(struct handler_ctx *ctx,
                                    const struct proto_request *req,
                                    struct reply *rep)
{
	int64_t id = proto_arg_int(req, "task", 0);
	const msgpack_object *seats = proto_arg(req, "seats");
	struct task *t = malloc(sizeof *t);
	struct store_assignment *as = calloc(seats->via.array.size, sizeof *as);
	enum proto_status st = t && as ? handler_get_task(ctx, id, t, rep)
	                       : reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	if (st == PROTO_OK && t->state == TASK_CANCELLED)
		st = reply_error(rep, PROTO_E_INVALID_STATE, "task",
		                 "task %lld is cancelled", (long long)id);
	else if (st == PROTO_OK && ctx->now < t->start_at)
		st = reply_error(rep, PROTO_E_INVALID_STATE, "task",
		                 "task %lld has not started", (long long)id);
	if (st == PROTO_OK)
		st = attendance_check(ctx, seats, id, as, rep);
	for (uint32_t i = 0; st == PROTO_OK && i < seats->via.array.size; i++) {
		const char *s;
		size_t n;
		proto_map_str(&seats->via.array.ptr[i], "outcome", &s, &n);
		struct seat_answer ans = {.channel = SEAT_CH_SYSTEM, .reason = -1,
		                          .event = proto_choice_index(proto_outcomes, s, n) == 0
		                                   ? ASSIGN_EV_COMPLETE : ASSIGN_EV_NO_SHOW};
		struct seat_fill fill = {.how = NULL};
		st = seat_settle(ctx, t, &as[i], &ans, &fill, rep);
	}
	if (st == PROTO_OK) {
		msgpack_packer *pk = reply_result(rep);
		msgpack_pack_map(pk, 2);
		proto_pack_kv_int(pk, "task", id);
		proto_pack_kv_int(pk, "recorded", (int64_t)seats->via.array.size);
	}
	free(as);
	free(t);
	return st;
}
