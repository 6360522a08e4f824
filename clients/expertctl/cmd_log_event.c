/*
 * cmd_log_event.c - one dispatch-log entry as people read it: whether it
 * matches log's and watch's filters, and its line of text (or JSON
 * object with --json).
 *
 * An event comes either from the PUB stream or from audit.entries with
 * `masked`: the daemon masks both the same way (masked names, no birth
 * dates), and both print through the same code, names when known and
 * expert ids always.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "cmd.h"
#include "out.h"

#define EVENT_SPEC_MAX 256

/* ANSI SGR colours, only ever written to a terminal. */
#define EVENT_GREEN "\033[32m"
#define EVENT_RED "\033[31m"
#define EVENT_YELLOW "\033[33m"
#define EVENT_DIM "\033[2m"
#define EVENT_RESET "\033[0m"

/* ---- what an event says ------------------------------------------------ */

static bool event_is(const struct cmd_event *e, const char *type)
{
	return strcmp(e->type, type) == 0;
}

static bool event_is_draw(const struct cmd_event *e)
{
	return event_is(e, AUDIT_DRAW) || event_is(e, AUDIT_DRAW_FAILED);
}

/* The map a draw's bureau and specialty are in; others carry them flat. */
static const msgpack_object *event_where(const struct cmd_event *e)
{
	return event_is_draw(e) ? proto_map_get(e->entry, "request") : e->entry;
}

static bool event_str_is(const msgpack_object *o, const char *s)
{
	return o && o->type == MSGPACK_OBJECT_STR && o->via.str.size == strlen(s) &&
	       memcmp(o->via.str.ptr, s, o->via.str.size) == 0;
}

static int64_t event_task(const struct cmd_event *e)
{
	return proto_map_int(e->entry, "task", 0);
}

static bool event_has_specialty(const struct cmd_event *e, const char *s)
{
	if (event_is(e, AUDIT_EXPERT)) {
		const msgpack_object *sp =
			proto_map_get(proto_map_get(e->entry, "expert"), "specialties");
		for (uint32_t i = 0; sp && sp->type == MSGPACK_OBJECT_ARRAY &&
		                     i < sp->via.array.size; i++)
			if (event_str_is(&sp->via.array.ptr[i], s))
				return true;
		return false;
	}
	return event_str_is(proto_map_get(event_where(e), "specialty"), s);
}

bool cmd_log_match(const struct cmd_log_filter *f, const struct cmd_event *e)
{
	bool topic = f->n_topics == 0;
	for (size_t i = 0; i < f->n_topics && !topic; i++)
		topic = strncmp(e->type, f->topics[i], strlen(f->topics[i])) == 0;
	return topic && (!f->task || event_task(e) == f->task) &&
	       (!f->bureau || event_str_is(proto_map_get(event_where(e), "bureau"), f->bureau)) &&
	       (!f->specialty || event_has_specialty(e, f->specialty));
}

/* ---- text -------------------------------------------------------------- */

struct event_line {
	char task[24], bureau[40], specialty[EVENT_SPEC_MAX], expert[1024], outcome[160];
	const char *colour;
};

/* "#12 张*明" (with the name when the stream sent one), appended to buf
 * after ", " if buf is not empty. */
static void event_add_expert(char *buf, size_t size, const msgpack_object *id,
                           const msgpack_object *name)
{
	char i[32], n[128];
	size_t at = strlen(buf);
	bool named = name && name->type == MSGPACK_OBJECT_STR;
	if (!id)
		return;
	snprintf(buf + at, size - at, "%s#%s%s%s", at ? ", " : "", out_value(id, i, sizeof i),
	         named ? " " : "", named ? out_value(name, n, sizeof n) : "");
}

static void event_draw(const struct cmd_event *e, struct event_line *l)
{
	const msgpack_object *panel = proto_map_get(e->entry, "panel"),
	                     *names = proto_map_get(e->entry, "panel_names");
	uint32_t n = panel && panel->type == MSGPACK_OBJECT_ARRAY ? panel->via.array.size : 0;
	bool named = names && names->type == MSGPACK_OBJECT_ARRAY &&
	             names->via.array.size == n;
	for (uint32_t i = 0; i < n; i++)
		event_add_expert(l->expert, sizeof l->expert, &panel->via.array.ptr[i],
		               named ? &names->via.array.ptr[i] : NULL);
	char kind[32];
	out_field(e->entry, "kind", kind, sizeof kind);
	bool ok = event_is(e, AUDIT_DRAW);
	char w[CTL_VALUE_KEY_MAX];
	snprintf(l->outcome, sizeof l->outcome, "%s%s%s",
	         ok ? _("drawn") : _("insufficient candidates"), strcmp(kind, "draw") ? " " : "",
	         strcmp(kind, "draw") ? ctl_value("kind", kind, w, sizeof w) : "");
	l->colour = ok ? EVENT_GREEN : EVENT_RED;
}

static void event_pool_expert(const struct cmd_event *e, struct event_line *l)
{
	const msgpack_object *x = proto_map_get(e->entry, "expert");
	event_add_expert(l->expert, sizeof l->expert, proto_map_get(x, "id"),
	               proto_map_get(x, "name"));
	out_field(x, "specialties", l->specialty, sizeof l->specialty);
	char ev[32], w[CTL_VALUE_KEY_MAX];
	out_field(e->entry, "event", ev, sizeof ev);
	snprintf(l->outcome, sizeof l->outcome, "%s", ctl_value("event", ev, w, sizeof w));
	if (strcmp(ev, "suspended") == 0 || strcmp(ev, "revoked") == 0)
		l->colour = EVENT_YELLOW;
}

/* Seat transitions, task, ledger and organisation events (DRAW.md 4.3). */
static void event_other(const struct cmd_event *e, struct event_line *l)
{
	char a[32], from[32], to[32], why[64], n[32], m[32];
	char w1[CTL_VALUE_KEY_MAX], w2[CTL_VALUE_KEY_MAX];
	const msgpack_object *x = e->entry;
	event_add_expert(l->expert, sizeof l->expert, proto_map_get(x, "expert"), NULL);
	out_field(x, "reason", why, sizeof why);
	if (event_is(e, AUDIT_SEAT_REISSUED)) {
		snprintf(l->outcome, sizeof l->outcome, _("seat %s: new token (%s)"),
		         out_field(x, "assignment", a, sizeof a), why);
	} else if (strncmp(e->type, AUDIT_SEAT_PREFIX, strlen(AUDIT_SEAT_PREFIX)) == 0) {
		out_field(x, "from", from, sizeof from);
		out_field(x, "to", to, sizeof to);
		snprintf(l->outcome, sizeof l->outcome, _("seat %s: %s -> %s%s%s%s"),
		         out_field(x, "assignment", a, sizeof a),
		         ctl_value("state", from, w1, sizeof w1),
		         ctl_value("state", to, w2, sizeof w2), why[0] ? _(" (") : "", why,
		         why[0] ? _(")") : "");
		if (strcmp(to, "accepted") == 0 || strcmp(to, "completed") == 0)
			l->colour = EVENT_GREEN;
		else if (proto_map_get(x, "ledger"))
			l->colour = EVENT_YELLOW;
	} else if (event_is(e, AUDIT_TASK_CANCELLED)) {
		snprintf(l->outcome, sizeof l->outcome, _("cancelled, %s seats"), out_field(x,
		         "seats", n, sizeof n));
	} else if (event_is(e, AUDIT_TASK_FILLED)) {
		snprintf(l->outcome, sizeof l->outcome, "%s", _("filled"));
		l->colour = EVENT_GREEN;
	} else if (event_is(e, AUDIT_TASK_SHORT)) {
		snprintf(l->outcome, sizeof l->outcome, _("short: %s seat(s) empty, draw %s"),
		         out_field(x, "empty", n, sizeof n), out_field(x, "draw", m, sizeof m));
		l->colour = EVENT_RED;
	} else if (event_is(e, AUDIT_EXPERT_WARNED)) {
		snprintf(l->outcome, sizeof l->outcome, _("warned: ledger score %s"),
		         out_field(x, "score", n, sizeof n));
		l->colour = EVENT_YELLOW;
	} else if (event_is(e, AUDIT_UNAVAILABLE)) {
		snprintf(l->outcome, sizeof l->outcome, _("unavailable %s .. %s"),
		         out_field(x, "from", from, sizeof from),
		         out_field(x, "to", to, sizeof to));
	} else if (event_is(e, AUDIT_UNAVAILABLE_CHANGED)) {
		const msgpack_object *f = proto_map_get(x, "from");
		if (f && f->type == MSGPACK_OBJECT_STR)
			snprintf(l->outcome, sizeof l->outcome, _("unavailable %s: now %s .. %s"),
			         out_field(x, "id", n, sizeof n), out_field(x, "from", from, sizeof from),
			         out_field(x, "to", to, sizeof to));
		else
			snprintf(l->outcome, sizeof l->outcome, _("unavailable %s: withdrawn"),
			         out_field(x, "id", n, sizeof n));
	} else if (event_is(e, AUDIT_ORG_MERGED)) {
		snprintf(l->outcome, sizeof l->outcome, _("%s merged into %s (%s)"),
		         out_field(x, "from", from, sizeof from),
		         out_field(x, "into", to, sizeof to), why);
	} else if (event_is(e, AUDIT_REVEALED)) {
		snprintf(l->outcome, sizeof l->outcome, _("%s: %s experts revealed (%s)"),
		         out_field(x, "op", a, sizeof a), out_field(x, "experts", n, sizeof n),
		         why);
		l->colour = EVENT_YELLOW;
	} else {
		/* A type this build does not know: what a later one may say. */
		out_field(x, "specialty", l->specialty, sizeof l->specialty);
		out_field(x, "state", n, sizeof n);
		snprintf(l->outcome, sizeof l->outcome, "%s", ctl_value("state", n, w1, sizeof w1));
	}
}

static void event_describe(const struct cmd_event *e, struct event_line *l)
{
	memset(l, 0, sizeof *l);
	if (!e->entry) {
		snprintf(l->outcome, sizeof l->outcome, _("(entry not readable)"));
		return;
	}
	int64_t task = event_task(e);
	if (task)
		snprintf(l->task, sizeof l->task, _("task %lld"), (long long)task);
	out_field(event_where(e), "bureau", l->bureau, sizeof l->bureau);
	if (event_is_draw(e)) {
		out_field(event_where(e), "specialty", l->specialty, sizeof l->specialty);
		event_draw(e, l);
	} else if (event_is(e, AUDIT_EXPERT)) {
		event_pool_expert(e, l);
	} else if (event_is(e, AUDIT_GENESIS)) {
		snprintf(l->outcome, sizeof l->outcome, _("the log begins"));
	} else if (event_is(e, AUDIT_TERM)) {
		char t[24], a[16], b[16];
		snprintf(l->outcome, sizeof l->outcome, _("term %s, %s to %s"),
		         out_field(e->entry, "term", t, sizeof t),
		         out_field(e->entry, "start", a, sizeof a),
		         out_field(e->entry, "end", b, sizeof b));
	} else if (event_is(e, AUDIT_CONFLICT)) {
		char kind[32], org[32], w[CTL_VALUE_KEY_MAX];
		event_add_expert(l->expert, sizeof l->expert, proto_map_get(e->entry, "expert"),
		               NULL);
		out_field(e->entry, "kind", kind, sizeof kind);
		snprintf(l->outcome, sizeof l->outcome, "%s %s",
		         ctl_value("kind", kind, w, sizeof w),
		         out_field(e->entry, "org_code", org, sizeof org));
	} else if (event_is(e, AUDIT_EXPERT_FLAGGED)) {
		event_pool_expert(e, l);
		l->colour = EVENT_RED;
	} else {
		event_other(e, l);
	}
}

/* s cleaned and padded to `width` terminal columns. */
static void event_col(const char *s, size_t width)
{
	out_text(stdout, s, strlen(s));
	for (size_t w = out_width(s, strlen(s)); w < width; w++)
		putchar(' ');
	putchar(' ');
}

/* Column widths of the text lines, header included. */
#define EVENT_W_WHEN 19
#define EVENT_W_SEQ 7
#define EVENT_W_TYPE 20
#define EVENT_W_TASK 9
#define EVENT_W_BUREAU 8
#define EVENT_W_SPEC 12
#define EVENT_W_EXPERT 12

void cmd_log_header(bool json)
{
	if (json)
		return;
	event_col(_("TIME (CST)"), EVENT_W_WHEN);
	event_col(_("SEQ"), EVENT_W_SEQ);
	event_col(_("TYPE"), EVENT_W_TYPE);
	event_col(_("TASK"), EVENT_W_TASK);
	event_col(_("BUREAU"), EVENT_W_BUREAU);
	event_col(_("SPECIALTY"), EVENT_W_SPEC);
	event_col(_("EXPERT"), EVENT_W_EXPERT);
	puts(_("OUTCOME"));
}

static void event_print_text(const struct cmd_event *e, bool colour)
{
	struct event_line l;
	char when[32], seq[24], w[CTL_VALUE_KEY_MAX];
	/* China Standard Time whatever the host's zone: gmtime of t + 8 h. */
	time_t t = (time_t)(e->at + 8 * 3600);
	struct tm tm;
	if (!gmtime_r(&t, &tm) || !strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(when, sizeof when, "%lld", (long long)e->at);
	event_describe(e, &l);
	snprintf(seq, sizeof seq, "#%lld", (long long)e->seq);
	if (colour)
		fputs(EVENT_DIM, stdout);
	event_col(when, EVENT_W_WHEN);
	event_col(seq, EVENT_W_SEQ);
	if (colour)
		fputs(EVENT_RESET, stdout);
	/* "assignment.cancelled", as people read it */
	event_col(ctl_value("type", e->type, w, sizeof w), EVENT_W_TYPE);
	event_col(l.task[0] ? l.task : "-", EVENT_W_TASK);
	event_col(l.bureau[0] ? l.bureau : "-", EVENT_W_BUREAU);
	event_col(l.specialty[0] ? l.specialty : "-", EVENT_W_SPEC);
	event_col(l.expert[0] ? l.expert : "-", EVENT_W_EXPERT);
	if (colour && l.colour)
		fputs(l.colour, stdout);
	out_text(stdout, l.outcome, strlen(l.outcome));
	if (colour && l.colour)
		fputs(EVENT_RESET, stdout);
	/* watch --sign-key: the head checked (DRAW.md 4.7.1). */
	if (e->head == CMD_HEAD_VERIFIED)
		fputs(_("  [signed head: verified]"), stdout);
	else if (e->head == CMD_HEAD_BAD)
		printf(_("  %s[signed head: BAD SIGNATURE]%s"), colour ? EVENT_RED : "",
		       colour ? EVENT_RESET : "");
	putchar('\n');
}

/* ---- JSON -------------------------------------------------------------- */

/* The shape of a PUB message body (STREAMS.md 3) whichever way the
 * event came. The daemon sends no birth date either way; one would not
 * be printed. */
static void event_print_json(const struct cmd_event *e)
{
	char hex[2 * sizeof e->hash + 1];
	json_t *j = json_object(), *entry = out_json(e->entry);
	json_object_set_new(j, "seq", json_integer(e->seq));
	json_object_set_new(j, "at", json_integer(e->at));
	json_object_set_new(j, "type", json_string(e->type));
	json_object_set_new(j, "hash", json_string(out_hex(e->hash, sizeof e->hash, hex)));
	json_object_del(json_object_get(entry, "expert"), "birth");
	json_object_set_new(j, "entry", entry);
	if (e->head != CMD_HEAD_NONE)
		json_object_set_new(j, "signed_head", json_string(e->head == CMD_HEAD_VERIFIED
		                                                  ? "verified" : "bad"));
	json_dumpf(j, stdout, JSON_COMPACT | JSON_ENCODE_ANY);
	putchar('\n');
	json_decref(j);
}

void cmd_log_print(const struct cmd_event *e, bool json, bool colour)
{
	if (json)
		event_print_json(e);
	else
		event_print_text(e, colour);
	fflush(stdout);
}

bool cmd_log_colour(const struct ctl *ctl)
{
	const char *no = getenv("NO_COLOR");
	return !ctl->json && isatty(STDOUT_FILENO) && !(no && no[0]);
}
