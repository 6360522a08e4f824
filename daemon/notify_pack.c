/*
 * notify_pack.c - the notification maps (see notify_pack.h). Keys are
 * only ever added at the end of a map (STREAMS.md 5).
 */
#include "notify_pack.h"

#include <stdio.h>
#include <string.h>

#include "proto.h"

bool notify_pack_read_task(struct store *s, int64_t task, int quota,
                           struct notify_detail *d)
{
	if (store_task_brief(s, task, quota, &d->task) != STORE_OK)
		return false;
	struct store_org o;
	if (store_org_by_code(s, d->task.bureau, &o) == STORE_OK && o.name[0])
		snprintf(d->organiser, sizeof d->organiser, "%s", o.name);
	else
		snprintf(d->organiser, sizeof d->organiser, "%s", d->task.bureau);
	return true;
}

void notify_pack_offer(msgpack_packer *pk, const struct notify_item *it,
                       const struct notify_detail *d, bool with_token)
{
	const struct store_contact *e = &d->contact;
	const struct store_task_brief *t = &d->task;
	msgpack_pack_map(pk, with_token ? 17 : 16);
	proto_pack_kv_int(pk, "assignment", it->assignment);
	proto_pack_kv_int(pk, "task", it->task);
	proto_pack_kv_int(pk, "expert", it->expert);
	proto_pack_kv_str(pk, "name", e->name);
	proto_pack_kv_str(pk, "phone", e->phone);
	proto_pack_kv_str(pk, "role", proto_seat_roles[it->role]);
	proto_pack_kv_int(pk, "deadline", it->deadline);
	if (with_token)
		proto_pack_kv_str(pk, "token", it->token);
	proto_pack_kv_str(pk, "bureau", t->bureau);
	proto_pack_kv_str(pk, "kind", proto_task_kinds[t->kind]);
	proto_pack_kv_str(pk, "specialty", t->specialty);
	proto_pack_kv_int(pk, "start", t->start_at);
	proto_pack_kv_int(pk, "end", t->end_at);
	proto_pack_kv_str(pk, "district", t->district);
	/* Draft 12: what an SMS needs besides (STREAMS.md 4). */
	proto_pack_kv_str(pk, "note", t->note);
	proto_pack_kv_str(pk, "organiser", d->organiser);
	proto_pack_kv_int(pk, "issued", it->issued);
}

void notify_pack_closed(msgpack_packer *pk, const struct notify_item *it,
                        const struct notify_detail *d)
{
	msgpack_pack_map(pk, 6);
	proto_pack_kv_int(pk, "assignment", it->assignment);
	proto_pack_kv_int(pk, "task", it->task);
	proto_pack_kv_int(pk, "expert", it->expert);
	proto_pack_kv_str(pk, "name", d->contact.name);
	proto_pack_kv_str(pk, "phone", d->contact.phone);
	proto_pack_kv_str(pk, "state", proto_assignment_states[it->state]);
}
