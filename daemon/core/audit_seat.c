/*
 * audit_seat.c - audit bodies of the assignment lifecycle (DRAW.md
 * 4.3): seat transitions, task cancellation and fill changes, ledger
 * warnings. Packed in the canonical form audit.c describes, and read back
 * by the verifier only in that form.
 */
#include <string.h>

#include "assign.h"
#include "audit.h"
#include "audit_int.h"
#include "policy.h"
#include "proto.h"

void audit_pack_seat(msgpack_packer *pk, const struct audit_seat *s)
{
	bool has_reason = s->reason[0] != '\0';
	bool offered = s->to == ASSIGN_OFFERED;
	bool ledger = s->ledger >= 0;

	msgpack_pack_map(pk, 9 + has_reason + offered + ledger);
	proto_pack_kv_int(pk, "assignment", s->assignment);
	proto_pack_kv_int(pk, "task", s->task);
	proto_pack_kv_int(pk, "expert", s->expert);
	proto_pack_kv_str(pk, "event", assign_event_names[s->event]);
	proto_pack_kv_str(pk, "from", proto_assignment_states[s->from]);
	proto_pack_kv_str(pk, "to", proto_assignment_states[s->to]);
	proto_pack_kv_str(pk, "role", proto_seat_roles[s->role]);
	proto_pack_kv_str(pk, "actor", s->actor);
	proto_pack_kv_str(pk, "channel", proto_channels[s->channel]);
	if (has_reason)
		proto_pack_kv_str(pk, "reason", s->reason);
	if (offered)
		proto_pack_kv_int(pk, "deadline", s->deadline);
	if (ledger)
		proto_pack_kv_str(pk, "ledger", policy_kind_names[s->ledger]);
}

void audit_pack_reissue(msgpack_packer *pk, const struct audit_seat *s)
{
	msgpack_pack_map(pk, 7);
	proto_pack_kv_int(pk, "assignment", s->assignment);
	proto_pack_kv_int(pk, "task", s->task);
	proto_pack_kv_int(pk, "expert", s->expert);
	proto_pack_kv_str(pk, "role", proto_seat_roles[s->role]);
	proto_pack_kv_str(pk, "actor", s->actor);
	proto_pack_kv_str(pk, "reason", s->reason);
	proto_pack_kv_int(pk, "deadline", s->deadline);
}

void audit_pack_correction(msgpack_packer *pk, const struct audit_correction *c)
{
	bool from_reason = c->from_reason >= 0, to_reason = c->to_reason >= 0;
	bool withdrawn = c->withdrawn >= 0, ledger = c->ledger >= 0;

	msgpack_pack_map(pk, 7 + from_reason + to_reason + withdrawn + ledger);
	proto_pack_kv_int(pk, "assignment", c->assignment);
	proto_pack_kv_int(pk, "task", c->task);
	proto_pack_kv_int(pk, "expert", c->expert);
	proto_pack_kv_str(pk, "from", proto_assignment_states[c->from]);
	proto_pack_kv_str(pk, "to", proto_assignment_states[c->to]);
	if (from_reason)
		proto_pack_kv_str(pk, "from_reason", policy_reason_names[c->from_reason]);
	if (to_reason)
		proto_pack_kv_str(pk, "to_reason", policy_reason_names[c->to_reason]);
	proto_pack_kv_str(pk, "actor", c->actor);
	proto_pack_kv_str(pk, "reason", c->reason);
	if (withdrawn)
		proto_pack_kv_str(pk, "withdrawn", policy_kind_names[c->withdrawn]);
	if (ledger)
		proto_pack_kv_str(pk, "ledger", policy_kind_names[c->ledger]);
}

void audit_pack_task_cancelled(msgpack_packer *pk, int64_t task, const char *actor,
                               const char *reason, int64_t seats)
{
	msgpack_pack_map(pk, 4);
	proto_pack_kv_int(pk, "task", task);
	proto_pack_kv_str(pk, "actor", actor);
	proto_pack_kv_str(pk, "reason", reason);
	proto_pack_kv_int(pk, "seats", seats);
}

void audit_pack_task_filled(msgpack_packer *pk, int64_t task)
{
	msgpack_pack_map(pk, 1);
	proto_pack_kv_int(pk, "task", task);
}

void audit_pack_task_short(msgpack_packer *pk, int64_t task, int64_t draw,
                           int64_t empty, const uint64_t excluded[RULE__COUNT],
                           uint64_t outside_group)
{
	msgpack_pack_map(pk, 4);
	proto_pack_kv_int(pk, "task", task);
	proto_pack_kv_int(pk, "draw", draw);
	proto_pack_kv_int(pk, "empty", empty);
	proto_pack_str(pk, "excluded");
	audit_pack_excluded(pk, excluded, outside_group, true);
}

void audit_pack_expert_warned(msgpack_packer *pk, int64_t expert, int score,
                              int warn_at, int flag_at)
{
	msgpack_pack_map(pk, 4);
	proto_pack_kv_int(pk, "expert", expert);
	proto_pack_kv_int(pk, "score", score);
	proto_pack_kv_int(pk, "warn_at", warn_at);
	proto_pack_kv_int(pk, "flag_at", flag_at);
}

/* ---- reading ---- */

bool audit_read_seat(const msgpack_object *body, struct audit_seat *s)
{
	struct audit_rd rd;

	memset(s, 0, sizeof *s);
	s->ledger = -1;
	audit_rd_begin(&rd, body);
	audit_rd_int(&rd, "assignment", 1, INT64_MAX, &s->assignment);
	audit_rd_int(&rd, "task", 1, INT64_MAX, &s->task);
	audit_rd_int(&rd, "expert", 1, INT64_MAX, &s->expert);
	audit_rd_choice(&rd, "event", assign_event_names, &s->event);
	audit_rd_choice(&rd, "from", proto_assignment_states, &s->from);
	audit_rd_choice(&rd, "to", proto_assignment_states, &s->to);
	audit_rd_choice(&rd, "role", proto_seat_roles, &s->role);
	audit_rd_str(&rd, "actor", s->actor, sizeof s->actor);
	audit_rd_choice(&rd, "channel", proto_channels, &s->channel);
	audit_rd_opt_str(&rd, "reason", s->reason, sizeof s->reason);
	if (rd.ok && s->to == ASSIGN_OFFERED)
		audit_rd_int(&rd, "deadline", 1, INT64_MAX, &s->deadline);
	if (audit_rd_peek(&rd, "ledger")) {
		rd.i--;
		audit_rd_choice(&rd, "ledger", policy_kind_names, &s->ledger);
	}
	return audit_rd_end(&rd);
}

bool audit_read_reissue(const msgpack_object *body, struct audit_seat *s)
{
	struct audit_rd rd;

	memset(s, 0, sizeof *s);
	s->event = -1;
	s->ledger = -1;
	s->from = s->to = ASSIGN_OFFERED;
	audit_rd_begin(&rd, body);
	audit_rd_int(&rd, "assignment", 1, INT64_MAX, &s->assignment);
	audit_rd_int(&rd, "task", 1, INT64_MAX, &s->task);
	audit_rd_int(&rd, "expert", 1, INT64_MAX, &s->expert);
	audit_rd_choice(&rd, "role", proto_seat_roles, &s->role);
	audit_rd_str(&rd, "actor", s->actor, sizeof s->actor);
	audit_rd_str(&rd, "reason", s->reason, sizeof s->reason);
	audit_rd_int(&rd, "deadline", 1, INT64_MAX, &s->deadline);
	return audit_rd_end(&rd);
}

bool audit_read_correction(const msgpack_object *body, struct audit_correction *c)
{
	struct audit_rd rd;

	memset(c, 0, sizeof *c);
	c->from_reason = c->to_reason = c->withdrawn = c->ledger = -1;
	audit_rd_begin(&rd, body);
	audit_rd_int(&rd, "assignment", 1, INT64_MAX, &c->assignment);
	audit_rd_int(&rd, "task", 1, INT64_MAX, &c->task);
	audit_rd_int(&rd, "expert", 1, INT64_MAX, &c->expert);
	audit_rd_choice(&rd, "from", proto_assignment_states, &c->from);
	audit_rd_choice(&rd, "to", proto_assignment_states, &c->to);
	if (audit_rd_peek(&rd, "from_reason")) {
		rd.i--;
		audit_rd_choice(&rd, "from_reason", policy_reason_names, &c->from_reason);
	}
	if (audit_rd_peek(&rd, "to_reason")) {
		rd.i--;
		audit_rd_choice(&rd, "to_reason", policy_reason_names, &c->to_reason);
	}
	audit_rd_str(&rd, "actor", c->actor, sizeof c->actor);
	audit_rd_str(&rd, "reason", c->reason, sizeof c->reason);
	audit_rd_check(&rd, c->reason[0] != '\0');   /* a correction says why */
	if (audit_rd_peek(&rd, "withdrawn")) {
		rd.i--;
		audit_rd_choice(&rd, "withdrawn", policy_kind_names, &c->withdrawn);
	}
	if (audit_rd_peek(&rd, "ledger")) {
		rd.i--;
		audit_rd_choice(&rd, "ledger", policy_kind_names, &c->ledger);
	}
	return audit_rd_end(&rd);
}

/* task.short's keys after `task`, into s. */
static void audit_rd_short(struct audit_rd *rd, struct audit_task_short *s)
{
	struct audit_rd sub;

	audit_rd_int(rd, "draw", 0, INT64_MAX, &s->draw);
	audit_rd_int(rd, "empty", 1, INT64_MAX, &s->empty);
	if (audit_rd_map(rd, "excluded", &sub))
		audit_rd_check(rd, audit_read_excluded(&sub, s->excluded, &s->outside_group,
		                                       &s->split));
}

bool audit_read_task_short(const msgpack_object *body, struct audit_task_short *s)
{
	struct audit_rd rd;

	memset(s, 0, sizeof *s);
	audit_rd_begin(&rd, body);
	audit_rd_int(&rd, "task", 1, INT64_MAX, &s->task);
	audit_rd_short(&rd, s);
	return audit_rd_end(&rd);
}

bool audit_read_task_event(const char *type, const msgpack_object *body,
                           int64_t *task)
{
	struct audit_rd rd;
	struct audit_task_short ts;
	char text[PROTO_REASON_SIZE];
	int64_t x;

	audit_rd_begin(&rd, body);
	audit_rd_int(&rd, "task", 1, INT64_MAX, task);
	if (strcmp(type, AUDIT_TASK_CANCELLED) == 0) {
		audit_rd_str(&rd, "actor", text, sizeof text);
		audit_rd_str(&rd, "reason", text, sizeof text);
		audit_rd_int(&rd, "seats", 0, INT64_MAX, &x);
	} else if (strcmp(type, AUDIT_TASK_SHORT) == 0) {
		audit_rd_short(&rd, &ts);
	} else if (strcmp(type, AUDIT_TASK_FILLED) != 0) {
		return false;
	}
	return audit_rd_end(&rd);
}

bool audit_read_expert_warned(const msgpack_object *body, int64_t *expert)
{
	struct audit_rd rd;
	int64_t x;

	audit_rd_begin(&rd, body);
	audit_rd_int(&rd, "expert", 1, INT64_MAX, expert);
	audit_rd_int(&rd, "score", 0, INT64_MAX, &x);
	audit_rd_int(&rd, "warn_at", 0, INT64_MAX, &x);
	audit_rd_int(&rd, "flag_at", 0, INT64_MAX, &x);
	return audit_rd_end(&rd);
}
