/*
 * ops.c - the console's requests to expertd (ops.h). The protocol has no
 * list of warned experts: an expert becomes warned with an expert.warned
 * entry (DRAW.md 4.2), so the console keeps the ids those entries name,
 * reading the log on from where it stopped, and asks pool.show for each
 * one's ledger now; those whose level fell back are dropped (a new
 * warning appends a new entry).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "entry.h"
#include "mask.h"
#include "ops.h"
#include "out.h"

struct ops {
	struct client *c;
	int64_t *warned;        /* ids named by expert.warned entries */
	size_t n_warned, cap_warned;
	int64_t warned_through; /* the log is read for them up to this seq */
};

struct ops *ops_new(const struct client_options *opt, char *err, size_t errsz)
{
	struct ops *o = calloc(1, sizeof *o);
	if (!o) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	if (!(o->c = client_new(opt, err, errsz))) {
		free(o);
		return NULL;
	}
	return o;
}

void ops_destroy(struct ops **op)
{
	struct ops *o = op ? *op : NULL;
	if (!o)
		return;
	client_destroy(&o->c);
	free(o->warned);
	free(o);
	*op = NULL;
}

/* One call whose arguments are packed in sb; false with err set on no
 * reply or an error status (rep released then). */
static bool ops_send(struct ops *o, enum proto_op op, const msgpack_sbuffer *sb,
                     struct proto_reply *rep, char *err, size_t errsz)
{
	bool ok = client_call(o->c, op, NULL, sb->data, sb->size, rep, err, errsz);
	if (ok && (rep->status != PROTO_OK || !rep->result ||
	           rep->result->type != MSGPACK_OBJECT_MAP)) {
		snprintf(err, errsz, "%s: %s%s%s", proto_op_name(op), rep->status_name,
		         rep->message[0] ? ": " : "", rep->message);
		proto_reply_release(rep);
		ok = false;
	}
	return ok;
}

/* One call with integer arguments, as ops_send(). */
static bool ops_call(struct ops *o, enum proto_op op, const char *const *keys,
                     const int64_t *vals, size_t n, struct proto_reply *rep, char *err,
                     size_t errsz)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		proto_pack_kv_int(&pk, keys[i], vals[i]);
	bool ok = ops_send(o, op, &sb, rep, err, errsz);
	msgpack_sbuffer_destroy(&sb);
	return ok;
}

json_t *ops_entries(struct ops *o, int64_t after, int limit, int64_t *last, char *err,
                    size_t errsz)
{
	/* Masked as the stream masks them (PROTOCOL.md 7.11.1): an entry
	 * read back is the very message a browser would have heard live. */
	msgpack_sbuffer sb;
	msgpack_packer pk;
	struct proto_reply rep;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 3);
	proto_pack_kv_int(&pk, "after", after);
	proto_pack_kv_int(&pk, "limit", limit < 1 ? 1 : limit > OPS_PAGE ? OPS_PAGE : limit);
	proto_pack_str(&pk, "masked");
	msgpack_pack_true(&pk);
	bool ok = ops_send(o, PROTO_OP_AUDIT_ENTRIES, &sb, &rep, err, errsz);
	msgpack_sbuffer_destroy(&sb);
	if (!ok)
		return NULL;
	*last = proto_map_int(rep.result, "last", 0);
	const msgpack_object *list = proto_map_get(rep.result, "entries");
	json_t *out = json_array();
	uint32_t n = list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
	for (uint32_t i = 0; i < n; i++) {
		json_t *e = entry_from_bytes(&list->via.array.ptr[i]);
		if (!e || entry_seq(e) <= after) {
			json_decref(e);
			json_decref(out);
			out = NULL;
			snprintf(err, errsz, "audit.entries: a malformed entry in the reply");
			break;
		}
		json_array_append_new(out, e);
	}
	proto_reply_release(&rep);
	return out;
}

json_t *ops_stats(struct ops *o, char *err, size_t errsz)
{
	static const char *const keys[] = {"top"};
	static const int64_t vals[] = {100};
	struct proto_reply rep;
	if (!ops_call(o, PROTO_OP_STATS, keys, vals, 1, &rep, err, errsz))
		return NULL;
	json_t *j = out_json(rep.result);
	proto_reply_release(&rep);
	return j;
}

/* The keys of a task (PROTOCOL.md 7.10.3) the console shows. */
static const char *const ops_task_keys[] = {
	"id", "bureau", "kind", "subject", "specialty", "members", "leader", "backups",
	"start", "end", "state", "fill", "created_at", "respond_within", NULL};

json_t *ops_tasks(struct ops *o, int limit, char *err, size_t errsz)
{
	static const char *const keys[] = {"limit"};
	int64_t vals[] = {limit};
	struct proto_reply rep;
	if (!ops_call(o, PROTO_OP_TASK_LIST, keys, vals, 1, &rep, err, errsz))
		return NULL;
	json_t *all = out_json(rep.result), *tasks = json_array(), *t;
	size_t i;
	proto_reply_release(&rep);
	json_array_foreach(json_object_get(all, "tasks"), i, t) {
		json_t *kept = json_object();
		for (const char *const *k = ops_task_keys; *k; k++)
			if (json_object_get(t, *k))
				json_object_set(kept, *k, json_object_get(t, *k));
		json_array_append_new(tasks, kept);
	}
	json_t *out = json_pack("{s:O,s:o}", "total", json_object_get(all, "total"),
	                        "tasks", tasks);
	json_decref(all);
	return out;
}

/* What the console shows of a flagged.list item: no ledger events, their
 * number and the newest one's time. */
static json_t *ops_flagged_item(json_t *f)
{
	json_t *events = json_object_get(f, "events"), *ev;
	json_int_t counted = 0, last_at = 0;
	size_t i;
	json_array_foreach(events, i, ev) {
		counted += json_is_true(json_object_get(ev, "counts"));
		json_int_t at = json_integer_value(json_object_get(ev, "at"));
		last_at = at > last_at ? at : last_at;
	}
	return json_pack("{s:O,s:O,s:O,s:O,s:O,s:I,s:I}", "expert",
	                 json_object_get(f, "expert"), "name", json_object_get(f, "name"),
	                 "flagged_at", json_object_get(f, "flagged_at"), "score",
	                 json_object_get(f, "score"), "level", json_object_get(f, "level"),
	                 "counted", counted, "last_event_at", last_at);
}

static bool ops_warned_add(struct ops *o, int64_t id)
{
	for (size_t i = 0; i < o->n_warned; i++)
		if (o->warned[i] == id)
			return true;
	if (o->n_warned == o->cap_warned) {
		size_t cap = o->cap_warned ? 2 * o->cap_warned : 16;
		int64_t *w = realloc(o->warned, cap * sizeof *w);
		if (!w)
			return false;
		o->warned = w;
		o->cap_warned = cap;
	}
	o->warned[o->n_warned++] = id;
	return true;
}

static bool ops_is_type(const json_t *e, const char *type)
{
	const char *t = json_string_value(json_object_get(e, "type"));
	return t && strcmp(t, type) == 0;
}

/* Read the log on from warned_through for expert.warned entries. */
static bool ops_warned_scan(struct ops *o, char *err, size_t errsz)
{
	for (;;) {
		int64_t last = 0;
		json_t *page = ops_entries(o, o->warned_through, OPS_PAGE, &last, err, errsz), *e;
		size_t i;
		if (!page)
			return false;
		json_array_foreach(page, i, e) {
			json_t *body = json_object_get(e, "entry");
			if (ops_is_type(e, "expert.warned") &&
			    !ops_warned_add(o, json_integer_value(json_object_get(body, "expert")))) {
				snprintf(err, errsz, "out of memory");
				json_decref(page);
				return false;
			}
			o->warned_through = entry_seq(e);
		}
		bool done = json_array_size(page) == 0 || o->warned_through >= last;
		json_decref(page);
		if (done)
			return true;
	}
}

/* pool.show of a warned expert: its row while its ledger's level is
 * still `warn`, NULL otherwise (*gone: drop it from the list). */
static json_t *ops_warned_row(struct ops *o, int64_t id, bool *gone, char *err, size_t errsz)
{
	static const char *const keys[] = {"expert"};
	int64_t vals[] = {id};
	struct proto_reply rep;
	*gone = false;
	if (!ops_call(o, PROTO_OP_POOL_SHOW, keys, vals, 1, &rep, err, errsz)) {
		*gone = strstr(err, "not_found") != NULL;
		return NULL;
	}
	const msgpack_object *ex = proto_map_get(rep.result, "expert"),
	                     *ledger = proto_map_get(rep.result, "ledger");
	char name[256] = "", masked[MASK_BUF], level[16] = "", status[16] = "";
	json_t *row = NULL;
	if (ex && ledger && ex->type == MSGPACK_OBJECT_MAP && ledger->type == MSGPACK_OBJECT_MAP) {
		proto_map_strcpy(ex, "name", name, sizeof name);
		proto_map_strcpy(ex, "status", status, sizeof status);
		proto_map_strcpy(ledger, "level", level, sizeof level);
		mask_name(name, masked);
		sodium_memzero(name, sizeof name);
		if (strcmp(level, "warn") == 0)
			row = json_pack("{s:I,s:s,s:s,s:I,s:s}", "expert", (json_int_t)id, "name",
			                masked, "status", status, "score",
			                (json_int_t)proto_map_int(ledger, "score", 0), "level", level);
	}
	*gone = !row;
	proto_reply_release(&rep);
	return row;
}

static json_t *ops_warned(struct ops *o, char *err, size_t errsz)
{
	if (!ops_warned_scan(o, err, errsz))
		return NULL;
	json_t *rows = json_array();
	size_t kept = 0;
	for (size_t i = 0; i < o->n_warned; i++) {
		bool gone;
		json_t *row = ops_warned_row(o, o->warned[i], &gone, err, errsz);
		if (!row && !gone) {
			json_decref(rows);
			return NULL;
		}
		if (row)
			json_array_append_new(rows, row);
		if (!gone)
			o->warned[kept++] = o->warned[i];
	}
	o->n_warned = kept;
	return rows;
}

json_t *ops_experts(struct ops *o, char *err, size_t errsz)
{
	struct proto_reply rep;
	if (!ops_call(o, PROTO_OP_FLAGGED_LIST, NULL, NULL, 0, &rep, err, errsz))
		return NULL;
	json_t *all = out_json(rep.result), *flagged = json_array(), *f;
	size_t i;
	proto_reply_release(&rep);
	json_array_foreach(json_object_get(all, "experts"), i, f)
		json_array_append_new(flagged, ops_flagged_item(f));
	json_decref(all);
	json_t *warned = ops_warned(o, err, errsz);
	if (!warned) {
		json_decref(flagged);
		return NULL;
	}
	return json_pack("{s:o,s:o}", "flagged", flagged, "warned", warned);
}
