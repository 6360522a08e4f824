/*
 * cmd_audit.c - expertctl audit show: the draw transcripts of one task,
 * decoded from the audit entries exactly as stored and printed readably
 * (or as JSON). The bytes are the daemon's; they are pre-scanned by the
 * codec before anything is unpacked, and read with the daemon's own strict
 * transcript reader. (audit verify is in cmd_audit_verify.c.)
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "audit.h"
#include "cmd.h"
#include "hint.h"
#include "out.h"
#include "quota.h"
#include "seat_role.h"

#define AUDIT_KEY_WIDTH 17

/* ---- entries as the daemon sends them --------------------------------- */

/* A bin field of exactly len bytes (len 0: any length); NULL otherwise. */
static const msgpack_object_bin *audit_bin(const msgpack_object *map, const char *key,
                                           size_t len)
{
	const msgpack_object *v = proto_map_get(map, key);
	if (!v || v->type != MSGPACK_OBJECT_BIN || (len && v->via.bin.size != len))
		return NULL;
	return &v->via.bin;
}

bool cmd_audit_entry(const msgpack_object *e, struct cmd_audit_entry *out)
{
	const msgpack_object *seq = proto_map_get(e, "seq"), *at = proto_map_get(e, "at");
	const char *type;
	size_t type_len;
	const msgpack_object_bin *body = audit_bin(e, "body", 0),
	                         *prev = audit_bin(e, "prev", AUDIT_HASH_LEN),
	                         *hash = audit_bin(e, "hash", AUDIT_HASH_LEN);
	if (!seq || seq->type != MSGPACK_OBJECT_POSITIVE_INTEGER || seq->via.u64 > INT64_MAX ||
	    !at || (at->type != MSGPACK_OBJECT_POSITIVE_INTEGER &&
	            at->type != MSGPACK_OBJECT_NEGATIVE_INTEGER) ||
	    !proto_map_str(e, "type", &type, &type_len) ||
	    type_len >= sizeof out->type || memchr(type, '\0', type_len) ||
	    !body || !prev || !hash)
		return false;
	out->seq = (int64_t)seq->via.u64;
	out->at = at->via.i64;
	memcpy(out->type, type, type_len);
	out->type[type_len] = '\0';
	out->body = body->ptr;
	out->body_len = body->size;
	memcpy(out->prev, prev->ptr, AUDIT_HASH_LEN);
	memcpy(out->hash, hash->ptr, AUDIT_HASH_LEN);
	return true;
}

bool cmd_audit_is_draw(const struct cmd_audit_entry *e)
{
	return strcmp(e->type, AUDIT_DRAW) == 0 || strcmp(e->type, AUDIT_DRAW_FAILED) == 0;
}

bool cmd_audit_transcript(const struct cmd_audit_entry *e, struct audit_transcript *tr)
{
	msgpack_unpacked u;
	struct proto_error err;
	msgpack_unpacked_init(&u);
	bool ok = proto_unpack(e->body, e->body_len, &u, &err) == PROTO_OK &&
	          audit_read_transcript(&u.data, tr);
	msgpack_unpacked_destroy(&u);
	return ok;
}

/* ---- text ------------------------------------------------------------- */

static void audit_kv(const char *key, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void audit_kv(const char *key, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	const char *label = _(key);   /* a msgid: N_() at the call */
	out_text(stdout, label, strlen(label));
	size_t w = out_width(label, strlen(label));
	do                          /* at least one space after a long label */
		putchar(' ');
	while (++w < AUDIT_KEY_WIDTH + 1);
	out_text(stdout, buf, strlen(buf));   /* names and reasons came from users */
	putchar('\n');
}

/* ids joined by ", " into buf. */
static const char *audit_ids(const int64_t *ids, size_t n, char *buf, size_t size)
{
	size_t at = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && at < size; i++) {
		int k = snprintf(buf + at, size - at, "%s%lld", i ? ", " : "", (long long)ids[i]);
		if (k < 0)
			break;
		at += (size_t)k;
	}
	return buf;
}

/* The nonce as sent when it is printable text (it usually is hex
 * characters), else as hex. */
static const char *audit_nonce(const struct task *q, char *buf)
{
	bool text = q->nonce_len > 0;
	for (size_t i = 0; i < q->nonce_len; i++)
		text = text && q->nonce[i] > 0x20 && q->nonce[i] < 0x7f;
	if (!text)
		return out_hex(q->nonce, q->nonce_len, buf);
	memcpy(buf, q->nonce, q->nonce_len);
	buf[q->nonce_len] = '\0';
	return buf;
}

static void audit_print_request(const struct task *q)
{
	char a[CMD_TIME_LEN], b[CMD_TIME_LEN], buf[2 * TASK_NONCE_MAX + 1];
	char ids[TASK_MAX_EXCLUDE * 22], w1[CTL_VALUE_KEY_MAX], w2[CTL_VALUE_KEY_MAX];
	audit_kv(N_("request"), _("%s, subject %s, bureau %s"),
	         ctl_value("kind", proto_task_kinds[q->kind], w1, sizeof w1),
	         ctl_value("subject", proto_task_subjects[q->subject], w2, sizeof w2),
	         q->bureau);
	if (q->n_quotas == 0) {
		audit_kv(N_("  specialty"), _("%s (group %s)"), q->specialty,
		         ctl_value("group_type", proto_group_types[q->group], w1, sizeof w1));
		audit_kv(N_("  seats"), _("%s%d members, %d backups"), q->leader ? _("a leader, ") : "",
		         q->members, q->backups);
	} else {
		audit_kv(N_("  leader"), "%s", q->leader ? _("one, from quota 0") : _("none"));
	}
	for (int k = 0; k < q->n_quotas; k++) {
		char key[24];
		snprintf(key, sizeof key, _("  quota %d"), k);
		audit_kv(key, _("%s (group %s), %d members, %d backups"), q->quotas[k].specialty,
		         ctl_value("group_type", proto_group_types[q->quotas[k].group], w1,
		                   sizeof w1),
		         q->quotas[k].members, q->quotas[k].backups);
	}
	char orgs[TASK_MAX_ORGS * 20] = "";
	for (int i = 0; i < q->n_orgs; i++)
		snprintf(orgs + strlen(orgs), sizeof orgs - strlen(orgs), "%s%s",
		         i ? ", " : "", q->orgs[i]);
	audit_kv(N_("  orgs"), "%s", q->n_orgs ? orgs : _("(none)"));
	audit_kv(N_("  dates"), _("%s to %s CST (%lld to %lld)"), cmd_time_format(q->start_at, a),
	         cmd_time_format(q->end_at, b), (long long)q->start_at, (long long)q->end_at);
	if (q->district[0])
		audit_kv(N_("  district"), "%s", q->district);
	audit_ids(q->exclude, (size_t)q->n_exclude, ids, sizeof ids);
	audit_kv(N_("  exclusions"), "%s", q->n_exclude ? ids : _("(none)"));
	audit_kv(N_("  nonce"), "%s", audit_nonce(q, buf));
}

/* The seats; a mixed panel's with their quota's specialty. */
static void audit_print_panel(const struct audit_transcript *tr)
{
	static const char *const head[] = {N_("SEAT"), N_("ROLE"), N_("EXPERT"), N_("QUOTA")};
	size_t leaders = tr->req.leader ? 1 : 0;
	bool mixed = tr->req.n_quotas > 0;
	if (tr->n_panel == 0) {
		audit_kv(N_("panel"), _("(none)"));
		return;
	}
	printf(_("panel:\n"));
	struct out_table *t = out_table_new(3 + mixed, head);
	for (size_t i = 0; i < tr->n_panel; i++) {
		enum seat_role role = tr->replaces ? (enum seat_role)tr->role
		                      : seat_role_of(i, leaders, (size_t)tr->req.members);
		char seat[24], expert[24], quota[160] = "", w[CTL_VALUE_KEY_MAX];
		snprintf(seat, sizeof seat, "%zu", i);
		snprintf(expert, sizeof expert, "%lld", (long long)tr->panel[i]);
		if (mixed)
			snprintf(quota, sizeof quota, "%d %s", tr->seat_quota[i],
			         tr->req.quotas[tr->seat_quota[i]].specialty);
		const char *row[] = {seat, ctl_value("role", proto_seat_roles[role], w, sizeof w),
		                     expert, quota};
		out_table_add(t, row);
	}
	out_table_print(t, stdout);
	out_table_destroy(&t);
}

/* Exclusions by cause, as recorded (DRAW.md 4.4), and the diversity
 * drops. An entry from before outside_group was recorded says that its
 * outside_specialty counts both. */
static void audit_print_excluded(const uint64_t excluded[RULE__COUNT],
                                 uint64_t outside_group, bool split,
                                 uint64_t diversity, const uint64_t *seated)
{
	static const char *const head[] = {N_("  CAUSE"), N_("EXCLUDED")};
	struct audit_excluded x;
	audit_excluded_of(&x, excluded, outside_group, split);
	printf(_("excluded:\n"));
	struct out_table *t = out_table_new(2, head);
	for (size_t i = 0; i <= x.n + (seated != NULL); i++) {
		char cause[160], count[24], w[CTL_VALUE_KEY_MAX];
		snprintf(cause, sizeof cause, "  %s%s",
		         i == x.n ? _("diversity (dropped)") : i > x.n ? _("seated (dropped)")
		                  : ctl_value("cause", x.key[i], w, sizeof w),
		         i == 0 && !split ? _(" (or group: not told apart)") : "");
		snprintf(count, sizeof count, "%llu", (unsigned long long)
		         (i == x.n ? diversity : i > x.n ? *seated : x.count[i]));
		const char *row[] = {cause, count};
		out_table_add(t, row);
	}
	out_table_print(t, stdout);
	out_table_destroy(&t);
}

/* A failed attempt: which counts say what to change. A replacement
 * draws one seat. */
static void audit_print_hints(const struct audit_transcript *tr)
{
	const struct task *q = &tr->req;
	struct hint_counts h = {
		.specialty = q->specialty,
		.group = proto_group_types[q->group],
		.capability = task_required_capability_name(q->kind, q->subject),
		.needed = tr->replaces ? 1 : (uint64_t)task_seats(q),
		.found = tr->n_candidates,
		.has_outside_group = tr->outside_split,
		.outside_group = tr->outside_group,
		.capability_excluded = tr->excluded[RULE_CAPABILITY],
	};
	hint_print(stdout, &h, "");
}

/* A mixed panel's lists (DRAW.md 4.4): each with its counts; a failed
 * attempt's hints for the quota that ran short. */
static void audit_print_quotas(const struct audit_transcript *tr)
{
	char hex[2 * AUDIT_HASH_LEN + 1], key[32];
	int short_q = tr->ok ? -1 : tr->replaces ? tr->quota
	              : quota_of_seat(&tr->req, tr->n_panel);
	for (size_t k = 0; k < tr->n_quotas; k++) {
		const struct audit_quota_result *x = &tr->quotas[k];
		int q = tr->replaces ? tr->quota : (int)k;
		const struct task_quota *tq = &tr->req.quotas[q];
		char w[CTL_VALUE_KEY_MAX];
		snprintf(key, sizeof key, _("quota %d"), q);
		audit_kv(key, _("%s (group %s): %llu candidates"), tq->specialty,
		         ctl_value("group_type", proto_group_types[tq->group], w, sizeof w),
		         (unsigned long long)x->n_candidates);
		audit_kv(N_("candidates_hash"), "%s",
		         out_hex(x->candidates_hash, sizeof x->candidates_hash, hex));
		audit_print_excluded(x->excluded, x->outside_group, true, x->diversity_dropped,
		                     &x->dropped_seated);
		if (q != short_q)
			continue;
		struct hint_counts h = {
			.specialty = tq->specialty, .group = proto_group_types[tq->group],
			.capability = task_required_capability_name(tr->req.kind, tr->req.subject),
			.needed = tr->replaces ? 1 : (uint64_t)((q == 0 && tr->req.leader) +
			                                         tq->members + tq->backups),
			.found = x->n_candidates, .has_outside_group = true,
			.outside_group = x->outside_group,
			.capability_excluded = x->excluded[RULE_CAPABILITY],
		};
		hint_print(stdout, &h, "");
	}
}

/* A leader named by an operator (DRAW.md 3.6); a replacement's seat is
 * drawn at random, also a designated leader's. */
static void audit_print_designated(const struct audit_transcript *tr)
{
	const struct task *q = &tr->req;
	char w[CTL_VALUE_KEY_MAX];
	if (tr->replaces)
		audit_kv(N_("replaces"), _("assignment %lld, a %s seat%s"), (long long)tr->replaces,
		         ctl_value("role", proto_seat_roles[tr->role], w, sizeof w),
		         tr->role == SEAT_LEADER
		         ? _(", drawn at random (also when the leader was designated)") : "");
	if (!q->leader_expert)
		return;
	if (strcmp(tr->kind, "redraw") == 0)
		audit_kv(N_("designated"), _("expert %lld, leader designated at the task's first "
		         "draw, kept by %s: %s"), (long long)q->leader_expert, tr->actor,
		         q->leader_reason);
	else
		audit_kv(N_("designated"), _("expert %lld, leader designated by %s: %s"),
		         (long long)q->leader_expert, tr->actor, q->leader_reason);
}

static void audit_print_transcript(const struct audit_transcript *tr)
{
	enum { MAX_DRAWN = sizeof tr->already_drawn / sizeof tr->already_drawn[0] };
	char hex[2 * AUDIT_HASH_LEN + 1], ids[MAX_DRAWN * 22], w[CTL_VALUE_KEY_MAX];
	audit_kv(N_("draw"), _("%lld (%s) for task %lld"), (long long)tr->draw,
	         ctl_value("kind", tr->kind, w, sizeof w), (long long)tr->task);
	audit_kv(N_("outcome"), "%s", tr->ok ? _("ok") : _("failed: insufficient candidates"));
	audit_kv(N_("actor"), "%s", tr->actor);
	if (tr->reason[0])
		audit_kv(N_("reason"), "%s", tr->reason);
	audit_print_designated(tr);
	audit_print_request(&tr->req);
	audit_kv(N_("rules"), _("rotation %d days, exposure cap %d in %d days, diversity %s"),
	         tr->rules.rotation_days, tr->rules.exposure_cap, tr->rules.exposure_days,
	         tr->rules.diversity ? _("on") : _("off"));
	if (audit_list_encoding(tr) == DRAW_LIST_GAPS)
		audit_kv(N_("candidates_encoding"), "%s", _("gaps between ids (DRAW.md 3.3)"));
	if (tr->req.n_quotas) {
		audit_print_quotas(tr);
	} else {
		audit_kv(N_("candidates"), "%llu", (unsigned long long)tr->n_candidates);
		audit_kv(N_("candidates_hash"), "%s",
		         out_hex(tr->candidates_hash, sizeof tr->candidates_hash, hex));
		audit_print_excluded(tr->excluded, tr->outside_group, tr->outside_split,
		                     tr->diversity_dropped, NULL);
		if (!tr->ok)
			audit_print_hints(tr);
	}
	if (tr->n_already_drawn)
		audit_kv(N_("already drawn"), "%s",
		         audit_ids(tr->already_drawn, tr->n_already_drawn, ids, sizeof ids));
	audit_kv(N_("secret"), "%s", out_hex(tr->secret, sizeof tr->secret, hex));
	audit_kv(N_("next_commit"), "%s", out_hex(tr->next_commit, sizeof tr->next_commit, hex));
	audit_kv(N_("seed"), "%s", out_hex(tr->seed, sizeof tr->seed, hex));
	audit_print_panel(tr);
}

static void audit_print_entry(const struct cmd_audit_entry *e)
{
	char hex[2 * AUDIT_HASH_LEN + 1], at[CMD_TIME_LEN], w[CTL_VALUE_KEY_MAX];
	uint8_t h[AUDIT_HASH_LEN];
	audit_hash(h, e->prev, e->seq, e->at, e->type, e->body, e->body_len);
	bool hash_ok = memcmp(h, e->hash, sizeof h) == 0;
	audit_kv(N_("seq"), "%lld", (long long)e->seq);
	audit_kv(N_("type"), "%s", ctl_value("type", e->type, w, sizeof w));
	audit_kv(N_("at"), _("%s CST"), cmd_time_format(e->at, at));
	audit_kv(N_("hash"), "%s%s", out_hex(e->hash, sizeof e->hash, hex),
	         hash_ok ? "" : _("  (DOES NOT MATCH the entry's contents)"));
	audit_kv(N_("prev"), "%s", out_hex(e->prev, sizeof e->prev, hex));
	struct audit_transcript *tr = malloc(sizeof *tr);
	if (tr && cmd_audit_is_draw(e) && cmd_audit_transcript(e, tr))
		audit_print_transcript(tr);
	else
		audit_kv(N_("body"), _("(%zu bytes that do not read as a draw transcript)"),
		         e->body_len);
	free(tr);
}

/* ---- JSON ------------------------------------------------------------- */

/* One entry with its body decoded (binary as hex), or null when the body
 * does not even scan. */
static json_t *audit_json_entry(const struct cmd_audit_entry *e)
{
	char hex[2 * AUDIT_HASH_LEN + 1];
	json_t *j = json_object();
	json_object_set_new(j, "seq", json_integer(e->seq));
	json_object_set_new(j, "at", json_integer(e->at));
	json_object_set_new(j, "type", json_string(e->type));
	json_object_set_new(j, "prev", json_string(out_hex(e->prev, sizeof e->prev, hex)));
	json_object_set_new(j, "hash", json_string(out_hex(e->hash, sizeof e->hash, hex)));
	msgpack_unpacked u;
	struct proto_error err;
	msgpack_unpacked_init(&u);
	bool ok = proto_unpack(e->body, e->body_len, &u, &err) == PROTO_OK;
	json_object_set_new(j, "transcript", ok ? out_json(&u.data) : json_null());
	msgpack_unpacked_destroy(&u);
	return j;
}

/* ---- show ------------------------------------------------------------- */

static int audit_show_reply(const struct ctl *ctl, const msgpack_object *res)
{
	const msgpack_object *list = proto_map_get(res, "entries");
	uint32_t n = list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
	json_t *entries = ctl->json ? json_array() : NULL;
	for (uint32_t i = 0; i < n; i++) {
		struct cmd_audit_entry e;
		if (!cmd_audit_entry(&list->via.array.ptr[i], &e)) {
			fprintf(stderr, _("expertctl: malformed audit entry in the reply\n"));
			json_decref(entries);
			return EX_PROTOCOL;
		}
		if (entries) {
			json_array_append_new(entries, audit_json_entry(&e));
			continue;
		}
		if (i > 0)
			putchar('\n');
		audit_print_entry(&e);
	}
	if (entries) {
		json_t *j = json_object();
		json_object_set_new(j, "task", json_integer(proto_map_int(res, "task", 0)));
		json_object_set_new(j, "entries", entries);
		out_json_print(j);
	} else if (n == 0) {
		printf(_("(no draw entries for task %lld)\n"),
		       (long long)proto_map_int(res, "task", 0));
	}
	return 0;
}

int cmd_audit_show(struct ctl *ctl, int argc, char **argv)
{
	bool help = false;
	int64_t id;
	int rc = ctl_getopt_none(ctl, argc, argv, &help);
	if (rc || help)
		return rc ? rc : ctl_help(ctl);
	if (!cmd_task_arg(ctl, argc, argv, &id))
		return CTL_EXIT_USAGE;

	struct ctl_args a;
	struct proto_reply rep;
	ctl_args_init(&a);
	ctl_args_int(&a, "task", id);
	rc = ctl_call(ctl, PROTO_OP_AUDIT_SHOW, &a, NULL, &rep);
	ctl_args_destroy(&a);
	if (rc)
		return rc;
	rc = audit_show_reply(ctl, rep.result);
	proto_reply_release(&rep);
	return rc;
}
