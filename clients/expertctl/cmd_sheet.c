/*
 * cmd_sheet.c - expertctl task sheet and ledger work (PROTOCOL.md 7.16.3,
 * 7.16.4): a task's result sheet for printing and signing, naming the
 * audit entries a verifier replays, and the 第十八条 work-done ledger per
 * commissioning bureau. Table, CSV or .xlsx (export_out.h).
 */
#include <stdio.h>
#include <string.h>

#include "export_out.h"
#include "out.h"

#define SHEET_CELL 1024

/* Parse the shared output options and nothing else; 0 or an exit code. */
static int sheet_parse(struct ctl *ctl, int argc, char **argv,
                       const struct option *opts, struct export_out *o,
                       const char **from, const char **to, const char **bureau,
                       bool *help)
{
	int c, k;
	while ((c = ctl_getopt(ctl, argc, argv, opts, help)) != -1) {
		if ((k = export_out_option(ctl, o, c, optarg)) < 0)
			return -k;
		if (k > 0)
			continue;
		switch (c) {
		case 'f': *from = optarg; break;
		case 't': *to = optarg; break;
		case 'b': *bureau = optarg; break;
		default: return CTL_EXIT_USAGE;
		}
	}
	return 0;
}

/* ---- task sheet ---- */

static void sheet_seat_rows(struct sheet *s, const msgpack_object *seats)
{
	static const char *const keys[] = {"role", "name", "employer", "state", "answer",
	                                   "@answered_at", "answer_reason", "attendance"};
	enum { N = sizeof keys / sizeof keys[0] };
	char cells[N + 2][SHEET_CELL];
	const char *row[N + 2];
	for (uint32_t i = 0; seats && seats->type == MSGPACK_OBJECT_ARRAY &&
	                     i < seats->via.array.size; i++) {
		const msgpack_object *m = &seats->via.array.ptr[i];
		snprintf(cells[0], SHEET_CELL, "%u", i + 1);
		for (size_t k = 0; k < N; k++) {
			if (keys[k][0] == '@')
				export_time(m, keys[k] + 1, cells[k + 1], SHEET_CELL);
			else
				out_shown(m, keys[k], cells[k + 1], SHEET_CELL);
		}
		/* A decline's reason code as people read it (生病, 时间冲突). */
		char code[64], key[CTL_VALUE_KEY_MAX];
		out_field(m, "answer_reason", code, sizeof code);
		snprintf(cells[7], SHEET_CELL, "%s", ctl_value("reason", code, key, sizeof key));
		cells[N + 1][0] = '\0'; /* the signature, on paper */
		for (size_t k = 0; k < N + 2; k++)
			row[k] = cells[k];
		sheet_add_row(s, row);
	}
}

/* Under the table: the task, each attempt's audit entry, the signatures. */
static void sheet_task_notes(struct sheet *s, const msgpack_object *res)
{
	const msgpack_object *t = proto_map_get(res, "task");
	const msgpack_object *draws = proto_map_get(res, "draws");
	char a[SHEET_CELL], b[64], c[SHEET_CELL], d[64], e[64];
	sheet_note(s, _("Commissioned by: %s; kind: %s; specialty: %s; %s to %s"),
	           out_field(t, "organiser", c, sizeof c), out_shown(t, "kind", b, sizeof b),
	           out_field(t, "specialty", a, sizeof a), export_time(t, "start", d, sizeof d),
	           export_time(t, "end", e, sizeof e));
	for (uint32_t i = 0; draws && draws->type == MSGPACK_OBJECT_ARRAY &&
	                     i < draws->via.array.size; i++) {
		const msgpack_object *m = &draws->via.array.ptr[i];
		sheet_note(s, _("Draw %s (%s, %s): audit log seq %s, hash %s"),
		           out_field(m, "draw", a, sizeof a), out_shown(m, "kind", b, sizeof b),
		           export_time(m, "at", d, sizeof d), out_field(m, "seq", e, sizeof e),
		           out_field(m, "hash", c, sizeof c));
	}
	sheet_note(s, "%s", _("Group leader (signature): ________________  Date: ____________"));
	sheet_note(s, "%s", _("Officer of the bureau (signature): ________________  "
	           "Date: ____________"));
	sheet_note(s, "%s", _("Commissioning unit (seal): ________________"));
}

static int task_sheet_show(const struct ctl *ctl, const struct export_out *o,
                           const msgpack_object *res)
{
	static const char *const head[] = {
		N_("No."), N_("Role"), N_("Name"), N_("Employer"), N_("Seat state"),
		N_("Answer"), N_("Answered at"), N_("Reason"), N_("Attendance"),
		N_("Signature")};
	struct sheet *s = export_sheet(head, sizeof head / sizeof head[0]);
	char id[32];
	(void)ctl;
	sheet_title(s, _("Task %s: result sheet"),
	            out_field(proto_map_get(res, "task"), "id", id, sizeof id));
	sheet_seat_rows(s, proto_map_get(res, "seats"));
	sheet_task_notes(s, res);
	int rc = export_out_emit(o, s, _("result sheet"));
	sheet_destroy(&s);
	return rc;
}

int cmd_task_sheet(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {EXPORT_OUT_OPTIONS, {NULL, 0, NULL, 0}};
	struct export_out o = {.enc = ROSTER_ENC_UTF8};
	const char *unused = NULL;
	bool help = false;
	int64_t task;
	int rc = sheet_parse(ctl, argc, argv, opts, &o, &unused, &unused, &unused, &help);
	if (rc || help)
		return rc ? rc : ctl_help(ctl);
	if (!cmd_task_arg(ctl, argc, argv, &task))
		return CTL_EXIT_USAGE;
	struct ctl_args a;
	ctl_args_init(&a);
	ctl_args_int(&a, "task", task);
	rc = export_out_call(ctl, PROTO_OP_TASK_SHEET, &a, &o, task_sheet_show);
	ctl_args_destroy(&a);
	return rc;
}

/* ---- the work-done ledger ---- */

static void ledger_rows(struct sheet *s, const msgpack_object *lines)
{
	static const char *const keys[] = {"bureau", "organiser", "expert", "name",
	                                   "employer", "seats", "as_leader"};
	enum { N = sizeof keys / sizeof keys[0] };
	char cells[N + 1][SHEET_CELL];
	const char *row[N + 1];
	for (uint32_t i = 0; lines && lines->type == MSGPACK_OBJECT_ARRAY &&
	                     i < lines->via.array.size; i++) {
		const msgpack_object *m = &lines->via.array.ptr[i];
		for (size_t k = 0; k < N; k++)
			out_field(m, keys[k], cells[k], SHEET_CELL);
		int64_t secs = proto_map_int(m, "seconds", 0);
		snprintf(cells[N], SHEET_CELL, "%lld.%02lld", (long long)(secs / 3600),
		         (long long)(secs % 3600 * 100 / 3600));
		for (size_t k = 0; k <= N; k++)
			row[k] = cells[k];
		sheet_add_row(s, row);
	}
}

static int ledger_work_show(const struct ctl *ctl, const struct export_out *o,
                            const msgpack_object *res)
{
	static const char *const head[] = {
		N_("Bureau"), N_("Commissioning party"), N_("Expert"), N_("Name"), N_("Employer"),
		N_("Completed seats"), N_("As leader"), N_("Hours")};
	struct sheet *s = export_sheet(head, sizeof head / sizeof head[0]);
	char from[16], to[16], bureau[40];
	(void)ctl;
	out_field(res, "bureau", bureau, sizeof bureau);
	sheet_title(s, _("Work done by experts (Article 18), tasks starting %s to %s "
	            "(China Standard Time days), bureau: %s"),
	            out_field(res, "from", from, sizeof from),
	            out_field(res, "to", to, sizeof to), bureau[0] ? bureau : _("all"));
	ledger_rows(s, proto_map_get(res, "lines"));
	sheet_note(s, "%s", _("Hours: the tasks' scheduled time from start to end."));
	sheet_note(s, "%s", _("Prepared by (signature): ________________  "
	           "Checked by (signature): ________________"));
	int rc = export_out_emit(o, s, _("work done"));
	sheet_destroy(&s);
	return rc;
}

int cmd_ledger_work(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{"from", required_argument, NULL, 'f'},
		{"to", required_argument, NULL, 't'},
		{"bureau", required_argument, NULL, 'b'},
		EXPORT_OUT_OPTIONS, {NULL, 0, NULL, 0}};
	struct export_out o = {.enc = ROSTER_ENC_UTF8};
	const char *from = NULL, *to = NULL, *bureau = NULL;
	bool help = false;
	int rc = sheet_parse(ctl, argc, argv, opts, &o, &from, &to, &bureau, &help);
	if (rc || help)
		return rc ? rc : ctl_help(ctl);
	if (optind < argc)
		return ctl_usage(ctl, _("unexpected argument \"%s\""), argv[optind]);
	if (!from || !to)
		return ctl_usage(ctl, _("--from and --to are required (YYYY-MM-DD, both "
		                 "days included)"));
	if (!ctl_date(ctl, "--from", from) || !ctl_date(ctl, "--to", to))
		return CTL_EXIT_USAGE;
	struct ctl_args a;
	ctl_args_init(&a);
	ctl_args_str(&a, "from", from);
	ctl_args_str(&a, "to", to);
	if (bureau)
		ctl_args_str(&a, "bureau", bureau);
	rc = export_out_call(ctl, PROTO_OP_LEDGER_WORK, &a, &o, ledger_work_show);
	ctl_args_destroy(&a);
	return rc;
}
