/*
 * cmd_log.c - the dispatch log as people read it: one line per audit
 * entry (or one JSON object with --json), the filters, --since, and
 * paging through audit.entries. `expertctl log` is here; `watch`, which
 * adds the live PUB stream, is in cmd_watch.c and shares all of this.
 *
 * An event comes either from the PUB stream (its entry masked by the
 * daemon, with masked names) or from audit.entries (the body as stored,
 * without names): both print through the same code, names when known and
 * expert ids always.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "cmd.h"
#include "out.h"

#define LOG_LIMIT_DEFAULT 100
#define LOG_SPEC_MAX 256

/* ANSI SGR colours, only ever written to a terminal. */
#define LOG_GREEN "\033[32m"
#define LOG_RED "\033[31m"
#define LOG_YELLOW "\033[33m"
#define LOG_DIM "\033[2m"
#define LOG_RESET "\033[0m"

/* ---- options ------------------------------------------------------------ */

int cmd_log_option(struct ctl *ctl, struct cmd_log_filter *f, int c, const char *arg)
{
	switch (c) {
	case CMD_LOG_OPT_JSON: ctl->json = true; return 1;
	case CMD_LOG_OPT_TOPIC:
		if (f->n_topics == CMD_LOG_MAX_TOPICS) {
			ctl_usage(ctl, "at most %d --topic options", CMD_LOG_MAX_TOPICS);
			return -1;
		}
		f->topics[f->n_topics++] = arg;
		return 1;
	case CMD_LOG_OPT_BUREAU: f->bureau = arg; return 1;
	case CMD_LOG_OPT_SPECIALTY: f->specialty = arg; return 1;
	case CMD_LOG_OPT_TASK:
		return ctl_int(ctl, "--task", arg, 1, INT64_MAX, &f->task) ? 1 : -1;
	case CMD_LOG_OPT_SINCE:
		if (!cmd_log_since_parse(arg, &f->since_seq, &f->since_secs)) {
			ctl_usage(ctl, "--since must be a sequence number or a duration "
			          "such as 90s, 30m, 2h or 7d, not \"%s\"", arg);
			return -1;
		}
		f->since = true;
		return 1;
	default:
		return 0;
	}
}

bool cmd_log_since_parse(const char *s, int64_t *seq, int64_t *secs)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || !isdigit((unsigned char)s[0]) || v < 0)
		return false;
	*seq = 0;
	*secs = 0;
	if (*end == '\0') {
		*seq = v;
		return v >= 1;
	}
	static const struct { char unit; long long secs; } units[] = {
		{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (end[0] == units[i].unit && end[1] == '\0' && v >= 1 &&
		    v <= INT64_MAX / 2 / units[i].secs) {
			*secs = v * units[i].secs;
			return true;
		}
	}
	return false;
}

/* ---- what an event says ------------------------------------------------ */

static bool log_is(const struct cmd_event *e, const char *type)
{
	return strcmp(e->type, type) == 0;
}

static bool log_is_draw(const struct cmd_event *e)
{
	return log_is(e, AUDIT_DRAW) || log_is(e, AUDIT_DRAW_FAILED);
}

/* The map a draw's bureau and specialty are in; others carry them flat. */
static const msgpack_object *log_where(const struct cmd_event *e)
{
	return log_is_draw(e) ? proto_map_get(e->entry, "request") : e->entry;
}

static bool log_str_is(const msgpack_object *o, const char *s)
{
	return o && o->type == MSGPACK_OBJECT_STR && o->via.str.size == strlen(s) &&
	       memcmp(o->via.str.ptr, s, o->via.str.size) == 0;
}

static int64_t log_task(const struct cmd_event *e)
{
	return proto_map_int(e->entry, "task", 0);
}

static bool log_has_specialty(const struct cmd_event *e, const char *s)
{
	if (log_is(e, AUDIT_EXPERT)) {
		const msgpack_object *sp =
			proto_map_get(proto_map_get(e->entry, "expert"), "specialties");
		for (uint32_t i = 0; sp && sp->type == MSGPACK_OBJECT_ARRAY &&
		                     i < sp->via.array.size; i++)
			if (log_str_is(&sp->via.array.ptr[i], s))
				return true;
		return false;
	}
	return log_str_is(proto_map_get(log_where(e), "specialty"), s);
}

bool cmd_log_match(const struct cmd_log_filter *f, const struct cmd_event *e)
{
	bool topic = f->n_topics == 0;
	for (size_t i = 0; i < f->n_topics && !topic; i++)
		topic = strncmp(e->type, f->topics[i], strlen(f->topics[i])) == 0;
	return topic && (!f->task || log_task(e) == f->task) &&
	       (!f->bureau || log_str_is(proto_map_get(log_where(e), "bureau"), f->bureau)) &&
	       (!f->specialty || log_has_specialty(e, f->specialty));
}

/* ---- text -------------------------------------------------------------- */

struct log_line {
	char task[24], bureau[40], specialty[LOG_SPEC_MAX], expert[1024], outcome[160];
	const char *colour;
};

/* "#12 张*明" (with the name when the stream sent one), appended to buf
 * after ", " if buf is not empty. */
static void log_add_expert(char *buf, size_t size, const msgpack_object *id,
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

static void log_draw(const struct cmd_event *e, struct log_line *l)
{
	const msgpack_object *panel = proto_map_get(e->entry, "panel"),
	                     *names = proto_map_get(e->entry, "panel_names");
	uint32_t n = panel && panel->type == MSGPACK_OBJECT_ARRAY ? panel->via.array.size : 0;
	bool named = names && names->type == MSGPACK_OBJECT_ARRAY &&
	             names->via.array.size == n;
	for (uint32_t i = 0; i < n; i++)
		log_add_expert(l->expert, sizeof l->expert, &panel->via.array.ptr[i],
		               named ? &names->via.array.ptr[i] : NULL);
	char kind[32];
	out_field(e->entry, "kind", kind, sizeof kind);
	bool ok = log_is(e, AUDIT_DRAW);
	snprintf(l->outcome, sizeof l->outcome, "%s%s%s", ok ? "ok" : "insufficient",
	         strcmp(kind, "draw") ? " " : "", strcmp(kind, "draw") ? kind : "");
	l->colour = ok ? LOG_GREEN : LOG_RED;
}

static void log_pool_expert(const struct cmd_event *e, struct log_line *l)
{
	const msgpack_object *x = proto_map_get(e->entry, "expert");
	log_add_expert(l->expert, sizeof l->expert, proto_map_get(x, "id"),
	               proto_map_get(x, "name"));
	out_field(x, "specialties", l->specialty, sizeof l->specialty);
	out_field(e->entry, "event", l->outcome, sizeof l->outcome);
	if (strcmp(l->outcome, "suspended") == 0 || strcmp(l->outcome, "revoked") == 0)
		l->colour = LOG_YELLOW;
}

/* Seat transitions, task and ledger events (PROTOCOL.md 7.11.3). */
static void log_other(const struct cmd_event *e, struct log_line *l)
{
	char a[32], from[32], to[32], why[64], n[32], m[32];
	const msgpack_object *x = e->entry;
	log_add_expert(l->expert, sizeof l->expert, proto_map_get(x, "expert"), NULL);
	out_field(x, "reason", why, sizeof why);
	if (strncmp(e->type, AUDIT_SEAT_PREFIX, strlen(AUDIT_SEAT_PREFIX)) == 0) {
		snprintf(l->outcome, sizeof l->outcome, "seat %s: %s -> %s%s%s%s",
		         out_field(x, "assignment", a, sizeof a), out_field(x, "from", from,
		         sizeof from), out_field(x, "to", to, sizeof to), why[0] ? " (" : "",
		         why, why[0] ? ")" : "");
		if (strcmp(to, "accepted") == 0 || strcmp(to, "completed") == 0)
			l->colour = LOG_GREEN;
		else if (proto_map_get(x, "ledger"))
			l->colour = LOG_YELLOW;
	} else if (log_is(e, AUDIT_TASK_CANCELLED)) {
		snprintf(l->outcome, sizeof l->outcome, "cancelled, %s seats", out_field(x,
		         "seats", n, sizeof n));
	} else if (log_is(e, AUDIT_TASK_FILLED)) {
		snprintf(l->outcome, sizeof l->outcome, "filled");
		l->colour = LOG_GREEN;
	} else if (log_is(e, AUDIT_TASK_SHORT)) {
		snprintf(l->outcome, sizeof l->outcome, "short: %s seat(s) empty, draw %s",
		         out_field(x, "empty", n, sizeof n), out_field(x, "draw", m, sizeof m));
		l->colour = LOG_RED;
	} else if (log_is(e, AUDIT_EXPERT_WARNED)) {
		snprintf(l->outcome, sizeof l->outcome, "warned: ledger score %s",
		         out_field(x, "score", n, sizeof n));
		l->colour = LOG_YELLOW;
	} else {
		/* A type this build does not know: what a later one may say. */
		out_field(x, "specialty", l->specialty, sizeof l->specialty);
		out_field(x, "state", l->outcome, sizeof l->outcome);
	}
}

static void log_describe(const struct cmd_event *e, struct log_line *l)
{
	memset(l, 0, sizeof *l);
	if (!e->entry) {
		snprintf(l->outcome, sizeof l->outcome, "(entry not readable)");
		return;
	}
	int64_t task = log_task(e);
	if (task)
		snprintf(l->task, sizeof l->task, "task %lld", (long long)task);
	out_field(log_where(e), "bureau", l->bureau, sizeof l->bureau);
	if (log_is_draw(e)) {
		out_field(log_where(e), "specialty", l->specialty, sizeof l->specialty);
		log_draw(e, l);
	} else if (log_is(e, AUDIT_EXPERT)) {
		log_pool_expert(e, l);
	} else if (log_is(e, AUDIT_GENESIS)) {
		snprintf(l->outcome, sizeof l->outcome, "the log begins");
	} else if (log_is(e, AUDIT_TERM)) {
		char t[24], a[16], b[16];
		snprintf(l->outcome, sizeof l->outcome, "term %s, %s to %s",
		         out_field(e->entry, "term", t, sizeof t),
		         out_field(e->entry, "start", a, sizeof a),
		         out_field(e->entry, "end", b, sizeof b));
	} else if (log_is(e, AUDIT_CONFLICT)) {
		char kind[32], org[32];
		log_add_expert(l->expert, sizeof l->expert, proto_map_get(e->entry, "expert"),
		               NULL);
		snprintf(l->outcome, sizeof l->outcome, "%s %s",
		         out_field(e->entry, "kind", kind, sizeof kind),
		         out_field(e->entry, "org_code", org, sizeof org));
	} else if (log_is(e, AUDIT_EXPERT_FLAGGED)) {
		log_pool_expert(e, l);
		l->colour = LOG_RED;
	} else {
		log_other(e, l);
	}
}

/* s cleaned and padded to `width` terminal columns. */
static void log_col(const char *s, size_t width)
{
	out_text(stdout, s, strlen(s));
	for (size_t w = out_width(s, strlen(s)); w < width; w++)
		putchar(' ');
	putchar(' ');
}

static void log_print_text(const struct cmd_event *e, bool colour)
{
	struct log_line l;
	char when[32], seq[24];
	time_t t = (time_t)e->at;
	struct tm tm;
	if (!localtime_r(&t, &tm) || !strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(when, sizeof when, "%lld", (long long)e->at);
	log_describe(e, &l);
	snprintf(seq, sizeof seq, "#%lld", (long long)e->seq);
	if (colour)
		fputs(LOG_DIM, stdout);
	log_col(when, 19);
	log_col(seq, 7);
	if (colour)
		fputs(LOG_RESET, stdout);
	log_col(e->type, 20);   /* "assignment.cancelled" */
	log_col(l.task[0] ? l.task : "-", 9);
	log_col(l.bureau[0] ? l.bureau : "-", 8);
	log_col(l.specialty[0] ? l.specialty : "-", 12);
	log_col(l.expert[0] ? l.expert : "-", 12);
	if (colour && l.colour)
		fputs(l.colour, stdout);
	out_text(stdout, l.outcome, strlen(l.outcome));
	if (colour && l.colour)
		fputs(LOG_RESET, stdout);
	putchar('\n');
}

/* ---- JSON -------------------------------------------------------------- */

/* The shape of a PUB message body (PROTOCOL.md 4.7) whichever way the
 * event came; a stored body loses its birth dates as the stream's do. */
static void log_print_json(const struct cmd_event *e)
{
	char hex[2 * sizeof e->hash + 1];
	json_t *j = json_object(), *entry = out_json(e->entry);
	json_object_set_new(j, "seq", json_integer(e->seq));
	json_object_set_new(j, "at", json_integer(e->at));
	json_object_set_new(j, "type", json_string(e->type));
	json_object_set_new(j, "hash", json_string(out_hex(e->hash, sizeof e->hash, hex)));
	json_object_del(json_object_get(entry, "expert"), "birth");
	json_object_set_new(j, "entry", entry);
	json_dumpf(j, stdout, JSON_COMPACT | JSON_ENCODE_ANY);
	putchar('\n');
	json_decref(j);
}

void cmd_log_print(const struct cmd_event *e, bool json, bool colour)
{
	if (json)
		log_print_json(e);
	else
		log_print_text(e, colour);
	fflush(stdout);
}

/* ---- paging through audit.entries -------------------------------------- */

int cmd_log_page(struct ctl *ctl, struct cmd_log_page *pg)
{
	struct ctl_args a;
	struct proto_reply rep;
	pg->through = pg->after;
	pg->n = 0;
	pg->status = PROTO_E_UNAVAILABLE;   /* until a reply says otherwise */
	ctl_args_init(&a);
	ctl_args_int(&a, "after", pg->after);
	ctl_args_int(&a, "limit", pg->limit > 0 && pg->limit < CMD_LOG_PAGE ? pg->limit
	                                                                    : CMD_LOG_PAGE);
	int rc = ctl_call_raw(ctl, PROTO_OP_AUDIT_ENTRIES, &a, NULL, &rep);
	ctl_args_destroy(&a);
	if (rc)
		return rc;
	pg->status = rep.status;
	if (rep.status != PROTO_OK) {
		if (!pg->quiet_forbidden || rep.status != PROTO_E_FORBIDDEN)
			ctl_report(ctl, &rep);
		rc = ctl_status_exit(&rep);
		proto_reply_release(&rep);
		return rc;
	}
	pg->head = proto_map_int(rep.result, "last", 0);
	const msgpack_object *list = proto_map_get(rep.result, "entries");
	uint32_t n = list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
	for (uint32_t i = 0; i < n && rc == 0; i++) {
		struct cmd_audit_entry ae;
		struct cmd_event ev;
		msgpack_unpacked u;
		struct proto_error err;
		if (!cmd_audit_entry(&list->via.array.ptr[i], &ae) || ae.seq <= pg->through) {
			fprintf(stderr, "expertctl: malformed audit entry in the reply\n");
			rc = EX_PROTOCOL;
			break;
		}
		memset(&ev, 0, sizeof ev);
		ev.seq = ae.seq;
		ev.at = ae.at;
		snprintf(ev.type, sizeof ev.type, "%s", ae.type);
		memcpy(ev.hash, ae.hash, sizeof ev.hash);
		msgpack_unpacked_init(&u);
		if (proto_unpack(ae.body, ae.body_len, &u, &err) == PROTO_OK &&
		    u.data.type == MSGPACK_OBJECT_MAP)
			ev.entry = &u.data;
		pg->through = ae.seq;
		pg->n++;
		bool more = pg->fn(&ev, pg->arg);
		msgpack_unpacked_destroy(&u);
		if (!more)
			break;
	}
	proto_reply_release(&rep);
	return rc;
}

/* ---- --since ----------------------------------------------------------- */

/* The `at` of entry seq, via a one-entry page. */
static bool log_at_cb(const struct cmd_event *e, void *arg)
{
	*(int64_t *)arg = e->at;
	return false;
}

/* Entries' `at` never decreases (each batch reads the clock once, in
 * order), so the first entry of the last `secs` seconds is found by
 * bisection over the dense seqs: about 17 requests for 100 000 entries. */
static int log_since_duration(struct ctl *ctl, int64_t secs, int64_t *first)
{
	int64_t cutoff = (int64_t)time(NULL) - secs, at = 0;
	struct cmd_log_page pg = {.after = INT64_MAX, .limit = 1, .fn = log_at_cb,
	                          .arg = &at};
	int rc = cmd_log_page(ctl, &pg);
	int64_t lo = 1, hi = pg.head + 1;   /* the answer is in [lo, hi] */
	while (rc == 0 && lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;
		pg.after = mid - 1;
		rc = cmd_log_page(ctl, &pg);
		if (rc == 0 && pg.n == 0) {
			hi = mid;   /* the log cannot shrink; treat it as the end */
			continue;
		}
		if (at >= cutoff)
			hi = mid;
		else
			lo = mid + 1;
	}
	*first = lo;
	return rc;
}

int cmd_log_since(struct ctl *ctl, const struct cmd_log_filter *f, int64_t *first)
{
	if (f->since_seq) {
		*first = f->since_seq;
		return 0;
	}
	return log_since_duration(ctl, f->since_secs, first);
}

bool cmd_log_colour(const struct ctl *ctl)
{
	const char *no = getenv("NO_COLOR");
	return !ctl->json && isatty(STDOUT_FILENO) && !(no && no[0]);
}

/* ---- expertctl log ------------------------------------------------------- */

struct log_run {
	const struct cmd_log_filter *f;
	bool json, colour;
	int64_t limit, printed;
};

static bool log_print_cb(const struct cmd_event *e, void *arg)
{
	struct log_run *r = arg;
	if (!cmd_log_match(r->f, e))
		return true;
	cmd_log_print(e, r->json, r->colour);
	return ++r->printed < r->limit;
}

int cmd_log(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		CMD_LOG_OPTIONS,
		{"limit", required_argument, NULL, 'l'},
		{NULL, 0, NULL, 0},
	};
	struct cmd_log_filter f = {0};
	struct log_run r = {.f = &f, .limit = LOG_LIMIT_DEFAULT};
	bool help = false;
	int c, k;
	while ((c = ctl_getopt(ctl, argc, argv, opts, &help)) != -1) {
		if (c == 'l') {
			if (!ctl_int(ctl, "--limit", optarg, 1, 1000000, &r.limit))
				return CTL_EXIT_USAGE;
		} else if (c == '?' || (k = cmd_log_option(ctl, &f, c, optarg)) < 0) {
			return CTL_EXIT_USAGE;
		} else if (k == 0) {
			return ctl_usage(ctl, "unexpected option");
		}
	}
	if (help)
		return ctl_help(ctl);
	if (optind < argc)
		return ctl_usage(ctl, "unexpected argument \"%s\"", argv[optind]);
	r.json = ctl->json;
	r.colour = cmd_log_colour(ctl);
	int64_t first = 1;
	int rc = f.since ? cmd_log_since(ctl, &f, &first) : 0;
	struct cmd_log_page pg = {.after = first - 1, .fn = log_print_cb, .arg = &r};
	while (rc == 0 && r.printed < r.limit) {
		rc = cmd_log_page(ctl, &pg);
		if (rc || pg.n == 0 || pg.through >= pg.head)
			break;
		pg.after = pg.through;
	}
	if (rc == 0 && r.printed == r.limit && pg.through < pg.head)
		fprintf(stderr, "expertctl: more entries follow: expertctl log --since %lld\n",
		        (long long)pg.through + 1);
	if (rc == 0 && r.printed == 0 && !r.json)
		fprintf(stderr, "expertctl: no matching entries\n");
	return rc;
}
