/*
 * cmd_audit_verify.c - expertctl audit verify (issue #3): read the whole
 * audit log page by page and feed it to the replay engine (replay.h),
 * which checks the chain and re-runs every draw; then hold the daemon's
 * tables to what the log implies: each task's request, draws and seats,
 * the number of tasks, and the head of the log. The first difference is
 * reported with the entry it concerns.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "audit.h"
#include "cmd.h"
#include "out.h"
#include "receipt.h"
#include "sigcheck.h"
#include "signkey.h"

#define VERIFY_PAGE_MAX 1000
#define VERIFY_WHY_LEN 1024
#define VERIFY_DESC_LEN 256

/* A draw the log records for a task (failed first draws have none). */
struct verify_draw {
	int64_t draw, task, seq, at;
	char kind[16];
	char actor[64];
	bool ok;
};

struct verify {
	struct ctl *ctl;
	struct replay *r;
	struct verify_draw *draws;   /* log order, then sorted by (task, draw) */
	size_t n_draws, cap_draws;
	size_t n_tasks;              /* tasks the log created: 1 .. n_tasks */
	int64_t daemon_last;         /* audit.entries' "last" */
	int64_t daemon_tasks;        /* task.list's total, read before the log */
	struct sigcheck sig;         /* signed heads and receipts (DRAW.md 4.7) */
	bool failed;
	int64_t fail_seq;            /* the entry concerned; 0 if none */
	char why[VERIFY_WHY_LEN];
};

/* Record the first failure; seq > 0 prefixes "seq N: ". Returns false. */
static bool verify_fail(struct verify *v, int64_t seq, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool verify_fail(struct verify *v, int64_t seq, const char *fmt, ...)
{
	if (v->failed)
		return false;
	v->failed = true;
	v->fail_seq = seq;
	int n = seq > 0 ? snprintf(v->why, sizeof v->why, _("seq %lld: "), (long long)seq) : 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->why + n, sizeof v->why - (size_t)n, fmt, ap);
	va_end(ap);
	return false;
}

static void *verify_grow(void *p, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return p;
	size_t nc = *cap ? *cap * 2 : 64;
	*cap = nc;
	return out_xrealloc(p, nc * size);
}

/* ---- the log ---------------------------------------------------------- */

/* What the rest of verify needs from a draw entry the replay accepted. */
static bool verify_note_draw(struct verify *v, const struct cmd_audit_entry *e)
{
	struct audit_transcript *tr = malloc(sizeof *tr);
	if (!tr || !cmd_audit_transcript(e, tr)) {
		free(tr);
		return verify_fail(v, e->seq, _("the transcript the replay accepted does not read"));
	}
	if (tr->task) {
		v->draws = verify_grow(v->draws, v->n_draws, &v->cap_draws, sizeof *v->draws);
		struct verify_draw *d = &v->draws[v->n_draws++];
		*d = (struct verify_draw){.draw = tr->draw, .task = tr->task, .seq = e->seq,
		                          .at = e->at, .ok = tr->ok};
		snprintf(d->kind, sizeof d->kind, "%s", tr->kind);
		snprintf(d->actor, sizeof d->actor, "%s", tr->actor);
	}
	/* The replay has checked that a new task takes the next id. */
	if (tr->ok && strcmp(tr->kind, "draw") == 0 && (size_t)tr->task == v->n_tasks + 1)
		v->n_tasks++;
	free(tr);
	return true;
}

/* Replay one page of entries; *after is the last seq read, *n how many. */
static bool verify_page(struct verify *v, const msgpack_object *res, int64_t *after,
                        size_t *n)
{
	const msgpack_object *list = proto_map_get(res, "entries");
	*n = list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
	v->daemon_last = proto_map_int(res, "last", -1);
	/* Entries beyond the signed head first: what a replay of them finds
	 * matters less than that the daemon never signed them. */
	int64_t last = *n ? proto_map_int(&list->via.array.ptr[*n - 1], "seq", 0) : 0;
	if (!sigcheck_head(&v->sig, proto_map_get(res, "head"), *after + 1, last,
	                   v->daemon_last))
		return verify_fail(v, v->sig.bad, "%s", v->sig.why);
	for (size_t i = 0; i < *n; i++) {
		struct cmd_audit_entry e;
		char why[VERIFY_WHY_LEN];
		if (!cmd_audit_entry(&list->via.array.ptr[i], &e))
			return verify_fail(v, *after + 1, _("the daemon sent a malformed entry "
			                   "after seq %lld"), (long long)*after);
		if (replay_entry(v->r, e.seq, e.at, e.type, e.body, e.body_len, e.prev, e.hash,
		                 why, sizeof why) != REPLAY_OK) {
			/* why already begins "seq N". */
			verify_fail(v, 0, "%s", why);
			v->fail_seq = e.seq;
			return false;
		}
		if (cmd_audit_is_draw(&e) && !verify_note_draw(v, &e))
			return false;
		sigcheck_entry(&v->sig, e.seq, e.hash);
		if (strcmp(e.type, AUDIT_KEY_ROTATED) == 0)
			sigcheck_rotation(&v->sig, e.body, e.body_len);
		*after = e.seq;
	}
	return true;
}

/* Page through audit.entries after seq `after`, to the end or, with
 * until > 0, to seq until; returns an exit code for a failed call (a
 * mismatch is v->failed, not an exit code). */
static int verify_log(struct verify *v, int64_t page, int64_t after, int64_t until)
{
	for (int k = 0; until == 0 || after < until; k++) {
		struct ctl_args a;
		struct proto_reply rep;
		char suffix[32];
		size_t n = 0;
		int64_t limit = until && until - after < page ? until - after : page;
		snprintf(suffix, sizeof suffix, "entries/%lld/%d", (long long)after, k);
		ctl_args_init(&a);
		ctl_args_int(&a, "after", after);
		ctl_args_int(&a, "limit", limit);
		int rc = ctl_call(v->ctl, PROTO_OP_AUDIT_ENTRIES, &a, suffix, &rep);
		ctl_args_destroy(&a);
		if (rc)
			return rc;
		bool ok = verify_page(v, rep.result, &after, &n);
		proto_reply_release(&rep);
		if (!ok || (int64_t)n < limit)
			return 0;
	}
	return 0;
}

/* ---- the daemon's tables against the log ------------------------------ */

static int verify_draw_cmp(const void *pa, const void *pb)
{
	const struct verify_draw *a = pa, *b = pb;
	if (a->task != b->task)
		return a->task < b->task ? -1 : 1;
	return a->draw < b->draw ? -1 : a->draw > b->draw;
}

/* The daemon read task.show at log head snap: replay the log to snap
 * first, so that both sides describe the same moment (a draw committed
 * while verify runs is no mismatch). *at is then the task's first draw. */
static int verify_catch_up(struct verify *v, int64_t snap, int64_t id, size_t *at)
{
	int64_t head = replay_head(v->r, NULL);
	if (snap <= head)
		return 0;
	int rc = verify_log(v, VERIFY_PAGE_MAX, head, snap);
	if (v->n_draws > 1)
		qsort(v->draws, v->n_draws, sizeof *v->draws, verify_draw_cmp);
	for (*at = 0; *at < v->n_draws && v->draws[*at].task < id; (*at)++)
		;
	return rc;
}

/* The fields of a task the log fixes, and how each is rendered so that it
 * reads as out_field() renders the daemon's task.show value. */
enum verify_kind { VF_STR, VF_INT, VF_INT64, VF_BOOL, VF_CHOICE, VF_ORGS, VF_EXCLUDE };

static const struct verify_field {
	const char *key;
	enum verify_kind kind;
	size_t off;                  /* into struct task */
	const char *const *names;    /* VF_CHOICE */
} verify_fields[] = {
	{"bureau", VF_STR, offsetof(struct task, bureau), NULL},
	{"kind", VF_CHOICE, offsetof(struct task, kind), proto_task_kinds},
	{"subject", VF_CHOICE, offsetof(struct task, subject), proto_task_subjects},
	{"specialty", VF_STR, offsetof(struct task, specialty), NULL},
	{"group_type", VF_CHOICE, offsetof(struct task, group), proto_group_types},
	{"members", VF_INT, offsetof(struct task, members), NULL},
	{"leader", VF_BOOL, offsetof(struct task, leader), NULL},
	{"backups", VF_INT, offsetof(struct task, backups), NULL},
	{"orgs", VF_ORGS, 0, NULL},
	{"start", VF_INT64, offsetof(struct task, start_at), NULL},
	{"end", VF_INT64, offsetof(struct task, end_at), NULL},
	{"district", VF_STR, offsetof(struct task, district), NULL},
	{"exclude", VF_EXCLUDE, 0, NULL},
};

static const char *verify_task_value(const struct task *q, const struct verify_field *f,
                                     char *buf, size_t size)
{
	const char *p = (const char *)q + f->off;
	size_t at = 0;
	int i;
	buf[0] = '\0';
	switch (f->kind) {
	case VF_STR: snprintf(buf, size, "%s", p); break;
	case VF_INT: memcpy(&i, p, sizeof i); snprintf(buf, size, "%d", i); break;
	case VF_CHOICE: memcpy(&i, p, sizeof i); snprintf(buf, size, "%s", f->names[i]); break;
	case VF_BOOL: snprintf(buf, size, "%s", *(const bool *)p ? "yes" : "no"); break;
	case VF_INT64: {
		int64_t v;
		memcpy(&v, p, sizeof v);
		snprintf(buf, size, "%lld", (long long)v);
		break;
	}
	case VF_ORGS:
		for (i = 0; i < q->n_orgs && at < size; i++)
			at += (size_t)snprintf(buf + at, size - at, "%s%s", i ? "," : "", q->orgs[i]);
		break;
	case VF_EXCLUDE:
		for (i = 0; i < q->n_exclude && at < size; i++)
			at += (size_t)snprintf(buf + at, size - at, "%s%lld", i ? "," : "",
			                       (long long)q->exclude[i]);
		break;
	}
	return buf;
}

/* names[i] of a NULL-terminated list, or "?" past its end. */
static const char *verify_name(const char *const *names, int i)
{
	for (int k = 0; i >= 0 && names[k]; k++)
		if (k == i)
			return names[k];
	return "?";
}

/* A mixed panel's quotas (DRAW.md 3.7) as task.show lists them; none for
 * a one-specialty task. */
static bool verify_task_quotas(struct verify *v, int64_t id, const struct task *q,
                               const msgpack_object *t, int64_t seq)
{
	const msgpack_object *a = proto_map_get(t, "quotas");
	uint32_t m = a && a->type == MSGPACK_OBJECT_ARRAY ? a->via.array.size : 0;
	if (m != (uint32_t)q->n_quotas)
		return verify_fail(v, seq, _("task %lld: the daemon lists %u quotas, the log "
		                   "%d"), (long long)id, m, q->n_quotas);
	for (uint32_t k = 0; k < m; k++) {
		const msgpack_object *d = &a->via.array.ptr[k];
		const struct task_quota *l = &q->quotas[k];
		char spec[256], group[64], daemon[VERIFY_DESC_LEN], log[VERIFY_DESC_LEN];
		snprintf(daemon, sizeof daemon, _("%s (%s), %lld members, %lld backups"),
		         out_field(d, "specialty", spec, sizeof spec),
		         out_field(d, "group_type", group, sizeof group),
		         (long long)proto_map_int(d, "members", -1),
		         (long long)proto_map_int(d, "backups", -1));
		snprintf(log, sizeof log, _("%s (%s), %d members, %d backups"), l->specialty,
		         verify_name(proto_group_types, l->group), l->members, l->backups);
		if (strcmp(daemon, log) != 0)
			return verify_fail(v, seq, _("task %lld quota %u: daemon says \"%s\", the "
			                   "log says \"%s\""), (long long)id, k, daemon, log);
	}
	return true;
}

/* The designated leader (DRAW.md 3.6) as "expert N: reason", or "none". */
static const char *verify_designated(int64_t expert, const char *reason, char *buf,
                                     size_t size)
{
	if (expert)
		snprintf(buf, size, _("expert %lld: %.600s"), (long long)expert, reason);
	else
		snprintf(buf, size, "none");
	return buf;
}

/* task.show's `designated` against the first draw's transcript. */
static bool verify_task_designated(struct verify *v, int64_t id, const msgpack_object *t,
                                   const struct task *q, int64_t seq)
{
	const msgpack_object *d = proto_map_get(t, "designated");
	char daemon[700], log[700], reason[600] = "";
	int64_t expert = 0;
	if (d && d->type == MSGPACK_OBJECT_MAP) {
		expert = proto_map_int(d, "expert", 0);
		out_field(d, "reason", reason, sizeof reason);
	}
	verify_designated(expert, reason, daemon, sizeof daemon);
	verify_designated(q->leader_expert, q->leader_reason, log, sizeof log);
	if (strcmp(daemon, log) != 0)
		return verify_fail(v, seq, _("task %lld designated leader: daemon says "
		                   "\"%.300s\", the log says \"%.300s\""), (long long)id,
		                   daemon, log);
	return true;
}

static bool verify_task_fields(struct verify *v, int64_t id, const msgpack_object *t,
                               int64_t seq)
{
	/* As first drawn, but with the orgs of later merges (DRAW.md 5). */
	const struct task *q = replay_task_request(v->r, id);
	if (!q)
		return verify_fail(v, seq, _("task %lld is not in the replay"), (long long)id);
	if (!verify_task_quotas(v, id, q, t, seq))
		return false;
	for (size_t i = 0; i < sizeof verify_fields / sizeof verify_fields[0]; i++) {
		const struct verify_field *f = &verify_fields[i];
		char daemon[1200], log[1200];
		out_field(t, f->key, daemon, sizeof daemon);
		verify_task_value(q, f, log, sizeof log);
		if (strcmp(daemon, log) != 0)
			return verify_fail(v, seq, _("task %lld %s: daemon says \"%.300s\", the log "
			                   "says \"%.300s\""), (long long)id, f->key, daemon, log);
	}
	return verify_task_designated(v, id, t, q, seq);
}

static bool verify_task_seats(struct verify *v, int64_t id, const msgpack_object *seats,
                              int64_t seq)
{
	size_t n = replay_task_seats(v->r, id, NULL, 0);
	struct replay_seat *mine = out_xrealloc(NULL, (n ? n : 1) * sizeof *mine);
	replay_task_seats(v->r, id, mine, n);
	uint32_t m = seats && seats->type == MSGPACK_OBJECT_ARRAY ? seats->via.array.size : 0;
	/* A mixed panel's seats name their quota (DRAW.md 3.7). */
	const struct task *q = replay_task_request(v->r, id);
	bool mixed = q && q->n_quotas > 0;
	bool ok = true;
	for (size_t i = 0; ok && i < n && i < m; i++) {
		const msgpack_object *s = &seats->via.array.ptr[i];
		char role[32], state[32], daemon[VERIFY_DESC_LEN], log[VERIFY_DESC_LEN];
		char dq[32] = "", lq[32] = "";
		if (mixed) {
			snprintf(dq, sizeof dq, _(", quota %lld"),
			         (long long)proto_map_int(s, "quota", -1));
			snprintf(lq, sizeof lq, ", quota %d", mine[i].quota);
		}
		snprintf(daemon, sizeof daemon, _("expert %lld (%s, %s, draw %lld seat %lld%s)"),
		         (long long)proto_map_int(s, "expert", 0),
		         out_field(s, "role", role, sizeof role),
		         out_field(s, "state", state, sizeof state),
		         (long long)proto_map_int(s, "draw", 0),
		         (long long)proto_map_int(s, "seat", -1), dq);
		snprintf(log, sizeof log, _("expert %lld (%s, %s, draw %lld seat %d%s)"),
		         (long long)mine[i].expert, verify_name(proto_seat_roles, mine[i].role),
		         verify_name(proto_assignment_states, mine[i].state),
		         (long long)mine[i].draw, mine[i].seat, lq);
		/* Named by the entry that last changed the seat (its draw's, a
		 * transition's, a redraw's), not the draw that seated it. */
		if (strcmp(daemon, log) != 0)
			ok = verify_fail(v, mine[i].seq,
			                 _("task %lld seat %d: daemon says %s, the log says %s"),
			                 (long long)id, mine[i].seat, daemon, log);
	}
	if (ok && n != m)
		ok = verify_fail(v, seq, _("task %lld: the daemon has %u seats, the log %zu"),
		                 (long long)id, m, n);
	free(mine);
	return ok;
}

/* The log's draws for task id are v->draws[*at...] (sorted by task). */
static bool verify_task_draws(struct verify *v, int64_t id, const msgpack_object *draws,
                              size_t *at)
{
	uint32_t m = draws && draws->type == MSGPACK_OBJECT_ARRAY ? draws->via.array.size : 0;
	size_t first = *at;
	while (*at < v->n_draws && v->draws[*at].task == id)
		(*at)++;
	size_t n = *at - first;
	for (size_t i = 0; i < n && i < m; i++) {
		const msgpack_object *d = &draws->via.array.ptr[i];
		const struct verify_draw *l = &v->draws[first + i];
		char kind[32], actor[128], daemon[VERIFY_DESC_LEN], log[VERIFY_DESC_LEN];
		snprintf(daemon, sizeof daemon, _("draw %lld: %s, %s, seq %lld, by %s at %lld"),
		         (long long)proto_map_int(d, "draw", 0),
		         out_field(d, "kind", kind, sizeof kind),
		         proto_map_bool(d, "ok", false) ? "ok" : "failed",
		         (long long)proto_map_int(d, "seq", 0),
		         out_field(d, "actor", actor, sizeof actor),
		         (long long)proto_map_int(d, "at", 0));
		snprintf(log, sizeof log, _("draw %lld: %s, %s, seq %lld, by %s at %lld"),
		         (long long)l->draw, l->kind, l->ok ? "ok" : "failed", (long long)l->seq,
		         l->actor, (long long)l->at);
		if (strcmp(daemon, log) != 0)
			return verify_fail(v, l->seq, _("task %lld draw %lld: daemon says \"%s\", "
			                   "the log says \"%s\""), (long long)id, (long long)l->draw,
			                   daemon, log);
	}
	if (n != m)
		return verify_fail(v, n ? v->draws[first + n - 1].seq : 0,
		                   _("task %lld: the daemon lists %u draws, the log %zu"),
		                   (long long)id, m, n);
	return true;
}

/* task.show for each task the log created; returns an exit code for a
 * failed call. */
static int verify_tasks(struct verify *v)
{
	if (v->daemon_tasks > (int64_t)v->n_tasks) {
		verify_fail(v, 0, _("the daemon has %lld tasks; the log created %zu (task %zu "
		            "has no draw in the log)"), (long long)v->daemon_tasks, v->n_tasks,
		            v->n_tasks + 1);
		return 0;
	}
	/* A log with no draw has no array: qsort's pointer must not be NULL. */
	if (v->n_draws > 1)
		qsort(v->draws, v->n_draws, sizeof *v->draws, verify_draw_cmp);
	size_t at = 0;
	for (size_t i = 0; i < v->n_tasks && !v->failed; i++) {
		int64_t id = (int64_t)i + 1;
		struct ctl_args a;
		struct proto_reply rep;
		char suffix[32];
		snprintf(suffix, sizeof suffix, "task/%lld", (long long)id);
		ctl_args_init(&a);
		ctl_args_int(&a, "task", id);
		int rc = ctl_call_raw(v->ctl, PROTO_OP_TASK_SHOW, &a, suffix, &rep);
		ctl_args_destroy(&a);
		if (rc)
			return rc;
		if (rep.status == PROTO_OK) {
			rc = verify_catch_up(v, proto_map_int(rep.result, "seq", 0), id, &at);
			if (rc || v->failed) {
				proto_reply_release(&rep);
				return rc;
			}
		}
		/* The first draw (kind "draw") created the task. */
		int64_t seq = at < v->n_draws && v->draws[at].task == id ? v->draws[at].seq : 0;
		if (rep.status != PROTO_OK) {
			verify_fail(v, seq, _("task %lld, created by this entry: the daemon says "
			            "%s: %s"), (long long)id, rep.status_name, rep.message);
		} else if (verify_task_fields(v, id, proto_map_get(rep.result, "task"), seq) &&
		           verify_task_draws(v, id, proto_map_get(rep.result, "draws"), &at)) {
			verify_task_seats(v, id, proto_map_get(rep.result, "seats"), seq);
		}
		proto_reply_release(&rep);
	}
	return 0;
}

/* task.list's total (operators see every bureau's tasks). */
static int verify_task_total(struct verify *v)
{
	struct ctl_args a;
	struct proto_reply rep;
	ctl_args_init(&a);
	ctl_args_int(&a, "limit", 1);
	int rc = ctl_call(v->ctl, PROTO_OP_TASK_LIST, &a, "tasks", &rep);
	ctl_args_destroy(&a);
	if (rc)
		return rc;
	v->daemon_tasks = proto_map_int(rep.result, "total", 0);
	proto_reply_release(&rep);
	return 0;
}

/* ---- report ----------------------------------------------------------- */

/* receipts: how many were checked, or -1 when no anchor was asked for
 * (then the signature line is left out of the text). */
static int verify_report(const struct verify *v, int64_t receipts)
{
	struct replay_stats s;
	uint8_t hash[REPLAY_HASH_LEN];
	char hex[2 * REPLAY_HASH_LEN + 1];
	replay_stats(v->r, &s);
	int64_t head = replay_head(v->r, hash);
	out_hex(hash, sizeof hash, hex);
	if (v->ctl->json) {
		json_t *j = json_object();
		json_object_set_new(j, "ok", json_boolean(!v->failed));
		if (v->failed) {
			json_object_set_new(j, "seq", v->fail_seq ? json_integer(v->fail_seq)
			                                          : json_null());
			json_object_set_new(j, "why", json_string(v->why));
		}
		json_object_set_new(j, "entries", json_integer((json_int_t)s.entries));
		json_object_set_new(j, "experts", json_integer((json_int_t)s.experts));
		json_object_set_new(j, "terms", json_integer((json_int_t)s.terms));
		json_object_set_new(j, "conflicts", json_integer((json_int_t)s.conflicts));
		json_object_set_new(j, "draws", json_integer((json_int_t)s.draws));
		json_object_set_new(j, "failed_draws", json_integer((json_int_t)s.failed_draws));
		json_object_set_new(j, "redraws", json_integer((json_int_t)s.redraws));
		json_object_set_new(j, "transitions", json_integer((json_int_t)s.transitions));
		json_object_set_new(j, "freed", json_integer((json_int_t)s.freed));
		json_object_set_new(j, "tasks", json_integer((json_int_t)v->n_tasks));
		json_object_set_new(j, "head_seq", json_integer(head));
		json_object_set_new(j, "head_hash", json_string(hex));
		json_object_set_new(j, "receipts", json_integer(receipts < 0 ? 0 : receipts));
		json_object_set_new(j, "signed_head", v->sig.has_head
		                    ? json_integer(v->sig.head_seq) : json_null());
		out_json_print(j);
	}
	if (v->failed) {
		/* Also with --json: scripts get the JSON, people the line. */
		char *why = out_clean(v->why, strlen(v->why));
		fprintf(v->ctl->json ? stderr : stdout, _("audit verify: FAILED%s%s\n"),
		        v->fail_seq ? _(" at ") : _(": "), why);
		free(why);
		return CTL_EXIT_STATUS;
	}
	if (!v->ctl->json)
		printf(_("audit verify: OK: %llu entries (%llu expert changes, %llu terms, %llu "
		       "conflicts, %llu draws of which %llu failed and %llu redraws, %llu "
		       "seat transitions), head seq %lld hash %s\n"),
		       (unsigned long long)s.entries, (unsigned long long)s.experts,
		       (unsigned long long)s.terms, (unsigned long long)s.conflicts,
		       (unsigned long long)s.draws, (unsigned long long)s.failed_draws,
		       (unsigned long long)s.redraws, (unsigned long long)s.transitions,
		       (long long)head, hex);
	if (!v->ctl->json && v->sig.has_head && receipts >= 0)
		printf(_("audit verify: every entry is under the head signed at seq %lld; "
		       "%lld receipt%s still hold\n"), (long long)v->sig.head_seq,
		       (long long)receipts, receipts == 1 ? "" : "s");
	return 0;
}

/* --sign-key and --receipts: pin the key (the given one, else the first
 * receipt's) and load the receipts; 0 or an exit code. */
static int verify_anchors(struct verify *v, const char *key, const char *dir,
                          struct receipt **rs, size_t *n)
{
	char err[512];
	if (key && !signkey_read_public(key, v->sig.key, err, sizeof err)) {
		fprintf(stderr, _("expertctl: --sign-key: %s\n"), err);
		return EX_NOINPUT;
	}
	v->sig.pinned = key != NULL;
	if (dir && !receipt_load_dir(dir, rs, n, err, sizeof err)) {
		fprintf(stderr, _("expertctl: --receipts: %s\n"), err);
		return EX_NOINPUT;
	}
	if (!v->sig.pinned && *n > 0) {
		memcpy(v->sig.key, (*rs)[0].key, sizeof v->sig.key);
		v->sig.pinned = true;
	}
	return 0;
}

/* The log as the daemon serves it (entries beyond its signed head fail
 * as they are read), then the daemon's tables against it; 0 or an exit
 * code (a mismatch is v->failed). */
/* The log read so far ends at a committed head: nothing may be owed. */
static void verify_end(struct verify *v)
{
	char why[VERIFY_WHY_LEN];
	int64_t seq = v->failed ? 0 : replay_end(v->r, why, sizeof why);
	if (seq) {
		verify_fail(v, 0, "%s", why);   /* why already begins "seq N" */
		v->fail_seq = seq;
	}
}

static int verify_chain(struct verify *v, int64_t page)
{
	int rc = verify_log(v, page, 0, 0);
	if (rc == 0)
		verify_end(v);
	if (rc == 0 && !v->failed && v->daemon_last != replay_head(v->r, NULL))
		verify_fail(v, 0, _("the daemon says the log ends at seq %lld, its entries end "
		            "at seq %lld"), (long long)v->daemon_last,
		            (long long)replay_head(v->r, NULL));
	if (rc == 0 && !v->failed)
		rc = verify_tasks(v);
	if (rc == 0)
		verify_end(v);   /* verify_tasks may have read on to a later head */
	return rc;
}

/* Then the anchors: the newest signed head in the log as signed, and each
 * receipt (DRAW.md 5 step 9). What the replay and the tables find is
 * said first: it names the entry more precisely. */
static void verify_anchored(struct verify *v, const struct receipt *rs, size_t n)
{
	if (!v->failed && (!sigcheck_end(&v->sig) || !sigcheck_receipts(&v->sig, rs, n)))
		verify_fail(v, v->sig.bad, "%s", v->sig.why);
}

int cmd_audit_verify(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{"page", required_argument, NULL, 'p'},
		{"receipts", required_argument, NULL, 'r'},
		{"sign-key", required_argument, NULL, 'k'},
		{NULL, 0, NULL, 0}};
	int64_t page = VERIFY_PAGE_MAX;
	const char *dir = NULL, *key = NULL;
	bool help = false;
	int c;
	while ((c = ctl_getopt(ctl, argc, argv, opts, &help)) != -1) {
		if (c == 'r')
			dir = optarg;
		else if (c == 'k')
			key = optarg;
		else if (c == '?' || !ctl_int(ctl, "--page", optarg, 1, VERIFY_PAGE_MAX, &page))
			return CTL_EXIT_USAGE;
	}
	if (help)
		return ctl_help(ctl);
	if (optind < argc)
		return ctl_usage(ctl, _("unexpected argument \"%s\""), argv[optind]);

	struct verify v = {.ctl = ctl, .r = replay_new()};
	struct receipt *rs = NULL;
	size_t n = 0;
	if (!v.r) {
		fputs(_("expertctl: out of memory\n"), stderr);
		return EX_SOFTWARE;
	}
	int rc = verify_anchors(&v, key, dir, &rs, &n);
	if (rc == 0)
		rc = verify_task_total(&v);
	if (rc == 0)
		rc = verify_chain(&v, page);
	if (rc == 0)
		verify_anchored(&v, rs, n);
	if (rc == 0)
		rc = verify_report(&v, dir || key ? (int64_t)n : -1);
	replay_destroy(&v.r);
	sigcheck_free(&v.sig);
	free(rs);
	free(v.draws);
	return rc;
}
