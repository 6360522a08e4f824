/*
 * cmd_task.c - expertctl task show|list: tasks as the daemon keeps them,
 * with their seats, what happened to each seat, and draws. (task cancel
 * and attendance are in cmd_task_seats.c.) Also the task-time helpers every draw
 * command shares: times are Beijing times (UTC+8, no daylight saving) on
 * screen and unix seconds on the wire, whatever the host's zone.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "ident.h"
#include "out.h"

#define TASK_ID_MAX INT64_C(999999999999)
#define TASK_CST_OFFSET (8 * 3600)

/* ---- times ------------------------------------------------------------ */

/* Two digits at s as a number, or -1. */
static int task_2digits(const char *s)
{
	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]))
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

bool cmd_time_parse(const char *s, int64_t *out)
{
	size_t n = strlen(s);
	if (n > 0 && n <= 12 && strspn(s, "0123456789") == n) {
		long long v = 0;
		sscanf(s, "%lld", &v);
		*out = v;
		return true;
	}
	/* "YYYY-MM-DD HH:MM" or "YYYY-MM-DDTHH:MM", Beijing time. */
	int32_t day;
	if (n != 16 || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' ||
	    !ident_date_parse(s, 10, &day))
		return false;
	int h = task_2digits(s + 11), m = task_2digits(s + 14);
	if (h < 0 || h > 23 || m < 0 || m > 59)
		return false;
	*out = (int64_t)day * 86400 + h * 3600 + m * 60 - TASK_CST_OFFSET;
	return true;
}

const char *cmd_time_format(int64_t t, char buf[CMD_TIME_LEN])
{
	/* gmtime of the shifted time: the host's zone plays no part. */
	time_t shifted = (time_t)(t + TASK_CST_OFFSET);
	struct tm tm;
	if (!gmtime_r(&shifted, &tm) ||
	    strftime(buf, CMD_TIME_LEN, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(buf, CMD_TIME_LEN, "%lld", (long long)t);
	return buf;
}

const char *cmd_time_field(const msgpack_object *map, const char *key,
                           char buf[CMD_TIME_LEN])
{
	const msgpack_object *v = proto_map_get(map, key);
	buf[0] = '\0';
	if (v && v->type == MSGPACK_OBJECT_POSITIVE_INTEGER && v->via.u64 <= INT64_MAX)
		cmd_time_format((int64_t)v->via.u64, buf);
	return buf;
}

size_t cmd_print_table(const char *const *head, const char *const *keys, size_t ncols,
                       const msgpack_object *list)
{
	size_t n = list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
	if (ncols > OUT_MAP_COLS)
		ncols = OUT_MAP_COLS;
	struct out_table *t = out_table_new(ncols, head);
	for (size_t i = 0; i < n; i++) {
		const msgpack_object *m = &list->via.array.ptr[i];
		char bufs[OUT_MAP_COLS][600];
		const char *row[OUT_MAP_COLS];
		for (size_t k = 0; k < ncols; k++)
			row[k] = keys[k][0] == '@' ? cmd_time_field(m, keys[k] + 1, bufs[k])
			         : keys[k][0] == '~' ? out_principal(m, keys[k] + 1, bufs[k],
			                                             sizeof bufs[k])
			         : strcmp(keys[k], "actor") == 0
			                 ? out_actor(m, bufs[k], sizeof bufs[k])
			                 : out_shown(m, keys[k], bufs[k], sizeof bufs[k]);
		out_table_add(t, row);
	}
	out_table_print(t, stdout);
	out_table_destroy(&t);
	return n;
}

bool cmd_task_arg(const struct ctl *ctl, int argc, char **argv, int64_t *id)
{
	if (optind >= argc) {
		ctl_usage(ctl, _("missing task ID"));
		return false;
	}
	if (optind + 1 < argc) {
		ctl_usage(ctl, _("unexpected argument \"%s\""), argv[optind + 1]);
		return false;
	}
	return ctl_int(ctl, "task ID", argv[optind], 1, TASK_ID_MAX, id);
}

/* ---- show ------------------------------------------------------------- */

static void task_print_fields(const msgpack_object *t)
{
	static const char *const keys[] = {
		"id", "state", "fill", "cancel_reason", "bureau", "created_by", "kind",
		"subject", "specialty", "group_type", "leader", "members", "backups", "orgs",
		"start", "end", "district", "exclude", "note", "respond_within", "respond_reason",
		"created_at"};
	char buf[1024];
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		bool is_time = strcmp(keys[i], "start") == 0 || strcmp(keys[i], "end") == 0 ||
		               strcmp(keys[i], "created_at") == 0;
		if (is_time)
			cmd_time_field(t, keys[i], buf);
		else
			out_shown(t, keys[i], buf, sizeof buf);
		if (!buf[0])
			continue;
		out_label(stdout, strcmp(keys[i], "leader") ? keys[i] : "task_leader", 17);
		out_text(stdout, buf, strlen(buf));
		puts(is_time ? _(" CST") : strcmp(keys[i], "respond_within") == 0 ? _(" seconds") : "");
	}
}

/* "leader designated by <principal>: <reason>" (DRAW.md 3.6): the
 * principal who drew the task named its leader; redraws keep it. */
static void task_print_designated(const msgpack_object *t)
{
	const msgpack_object *d = proto_map_get(t, "designated");
	if (!d || d->type != MSGPACK_OBJECT_MAP)
		return;
	char by[128], reason[1024];
	out_field(t, "created_by", by, sizeof by);
	out_field(d, "reason", reason, sizeof reason);
	out_label(stdout, "designated", 17);
	printf(_("expert %lld, leader designated by "), (long long)proto_map_int(d, "expert", 0));
	out_text(stdout, by, strlen(by));
	printf(": ");
	out_text(stdout, reason, strlen(reason));
	printf(_("\n%-17s (a freed leader seat is filled as any: a backup promoted, "
	       "else drawn at random)\n"), "");
}

/* A mixed panel's quotas (DRAW.md 3.7), one line each. */
static void task_print_quotas(const msgpack_object *t)
{
	const msgpack_object *qs = proto_map_get(t, "quotas");
	for (uint32_t q = 0; qs && qs->type == MSGPACK_OBJECT_ARRAY && q < qs->via.array.size; q++) {
		const msgpack_object *x = &qs->via.array.ptr[q];
		char spec[256], group[64], line[512];
		snprintf(line, sizeof line, _("%s (%s), %lld members, %lld backups"),
		         out_field(x, "specialty", spec, sizeof spec),
		         out_field(x, "group_type", group, sizeof group),
		         (long long)proto_map_int(x, "members", 0),
		         (long long)proto_map_int(x, "backups", 0));
		printf(_("quota %-11u "), q);
		out_text(stdout, line, strlen(line));
		putchar('\n');
	}
}

/* A mixed panel's seats show their quota. */
static void task_print_seats(const msgpack_object *seats, bool mixed)
{
	static const char *const head[] = {N_("ASSIGNMENT"), N_("DRAW"), N_("SEAT"), N_("ROLE"), N_("EXPERT"),
	                                   N_("NAME"), N_("PHONE"), N_("STATE"), N_("ANSWER BY (CST)"),
	                                   N_("QUOTA")};
	static const char *const keys[] = {"assignment", "draw", "seat", "role", "expert",
	                                   "name", "phone", "state", "@deadline", "quota"};
	printf(_("\nseats:\n"));
	cmd_print_table(head, keys, sizeof keys / sizeof keys[0] - !mixed, seats);
}

/* Every transition of every seat (PROTOCOL 7.10.3 seat events). */
static void task_print_history(const msgpack_object *hist)
{
	static const char *const head[] = {N_("AT (CST)"), N_("ASSIGNMENT"), N_("EVENT"), N_("FROM"), N_("TO"),
	                                   N_("ACTOR"), N_("CHANNEL"), N_("REASON"), N_("NOTE")};
	static const char *const keys[] = {"@at", "assignment", "event", "from", "to",
	                                   "actor", "channel", "reason", "note"};
	if (!hist || hist->type != MSGPACK_OBJECT_ARRAY || hist->via.array.size == 0)
		return;
	printf(_("\nhistory:\n"));
	cmd_print_table(head, keys, sizeof keys / sizeof keys[0], hist);
}

static void task_print_draws(const msgpack_object *draws)
{
	static const char *const head[] = {N_("DRAW"), N_("KIND"), N_("OK"), N_("SEQ"), N_("ACTOR"),
	                                   N_("AT (CST)")};
	uint32_t n = draws && draws->type == MSGPACK_OBJECT_ARRAY ? draws->via.array.size : 0;
	printf(_("\ndraws:\n"));
	struct out_table *tb = out_table_new(6, head);
	for (uint32_t i = 0; i < n; i++) {
		const msgpack_object *d = &draws->via.array.ptr[i];
		char id[32], kind[32], ok[32], seq[32], actor[128], at[CMD_TIME_LEN];
		const char *row[] = {out_field(d, "draw", id, sizeof id),
		                     out_shown(d, "kind", kind, sizeof kind),
		                     out_shown(d, "ok", ok, sizeof ok),
		                     out_field(d, "seq", seq, sizeof seq),
		                     out_actor(d, actor, sizeof actor),
		                     cmd_time_field(d, "at", at)};
		out_table_add(tb, row);
	}
	out_table_print(tb, stdout);
	out_table_destroy(&tb);
}

static void task_print_show(const msgpack_object *res)
{
	const msgpack_object *t = proto_map_get(res, "task");
	task_print_fields(t);
	task_print_designated(t);
	task_print_quotas(t);
	task_print_seats(proto_map_get(res, "seats"), proto_map_get(t, "quotas") != NULL);
	task_print_history(proto_map_get(res, "history"));
	task_print_draws(proto_map_get(res, "draws"));
}

int cmd_task_show(struct ctl *ctl, int argc, char **argv)
{
	bool help = false;
	int64_t id;
	int rc = ctl_getopt_none(ctl, argc, argv, &help);
	if (rc || help)
		return rc ? rc : ctl_help(ctl);
	if (!cmd_task_arg(ctl, argc, argv, &id))
		return CTL_EXIT_USAGE;

	struct ctl_args a;
	ctl_args_init(&a);
	ctl_args_int(&a, "task", id);
	rc = ctl_call_show(ctl, PROTO_OP_TASK_SHOW, &a, task_print_show);
	ctl_args_destroy(&a);
	return rc;
}

/* ---- list ------------------------------------------------------------- */

/* The specialty, or a mixed panel's quotas' joined by "+". */
static const char *task_specialty(const msgpack_object *t, char *buf, size_t size)
{
	const msgpack_object *qs = proto_map_get(t, "quotas");
	if (!qs || qs->type != MSGPACK_OBJECT_ARRAY)
		return out_field(t, "specialty", buf, size);
	size_t at = 0;
	buf[0] = '\0';
	for (uint32_t q = 0; q < qs->via.array.size && at < size; q++) {
		char spec[256];
		int k = snprintf(buf + at, size - at, "%s%s", q ? "+" : "",
		                 out_field(&qs->via.array.ptr[q], "specialty", spec, sizeof spec));
		if (k < 0)
			break;
		at += (size_t)k;
	}
	return buf;
}

/* "1+3+1": leader, members, backups. */
static const char *task_seats(const msgpack_object *t, char *buf, size_t size)
{
	snprintf(buf, size, "%d+%lld+%lld", proto_map_bool(t, "leader", false) ? 1 : 0,
	         (long long)proto_map_int(t, "members", 0),
	         (long long)proto_map_int(t, "backups", 0));
	return buf;
}

static void task_print_list(const msgpack_object *res)
{
	static const char *const head[] = {N_("ID"), N_("BUREAU"), N_("KIND"), N_("SPECIALTY"), N_("SEATS"),
	                                   N_("START (CST)"), N_("END (CST)"), N_("STATE"), N_("FILL")};
	enum { NCOLS = sizeof head / sizeof head[0] };
	const msgpack_object *tasks = proto_map_get(res, "tasks");
	uint32_t n = tasks && tasks->type == MSGPACK_OBJECT_ARRAY ? tasks->via.array.size : 0;
	struct out_table *tb = out_table_new(NCOLS, head);
	for (uint32_t i = 0; i < n; i++) {
		const msgpack_object *t = &tasks->via.array.ptr[i];
		char id[32], bureau[64], kind[32], spec[600], seats[32], state[32], fill[32];
		char start[CMD_TIME_LEN], end[CMD_TIME_LEN];
		const char *row[NCOLS] = {
			out_field(t, "id", id, sizeof id), out_field(t, "bureau", bureau, sizeof bureau),
			out_shown(t, "kind", kind, sizeof kind),
			task_specialty(t, spec, sizeof spec), task_seats(t, seats, sizeof seats),
			cmd_time_field(t, "start", start), cmd_time_field(t, "end", end),
			out_shown(t, "state", state, sizeof state), out_shown(t, "fill", fill, sizeof fill)};
		out_table_add(tb, row);
	}
	out_table_print(tb, stdout);
	out_table_destroy(&tb);
	out_page_footer(res, n, "tasks");
}

int cmd_task_list(struct ctl *ctl, int argc, char **argv)
{
	static const struct ctl_arg_opt opts[] = {
		{"bureau", "bureau", 0, 0}, CTL_PAGE_OPTS, {NULL, NULL, 0, 0}};
	return ctl_run_args_show(ctl, argc, argv, opts, PROTO_OP_TASK_LIST, task_print_list);
}
