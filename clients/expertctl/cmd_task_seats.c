/*
 * cmd_task_seats.c - expertctl task cancel|attendance: what happens to a
 * task's seats after the draw besides the experts' answers. A cancelled
 * task frees its experts without counting against them; attendance,
 * reported after the start, counts a no-show against the expert
 * (PROTOCOL.md 7.12.11, 7.12.11).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "out.h"

#define SEATS_MAX 50                 /* PROTOCOL: seats, 1..50 */
#define SEATS_ID_MAX INT64_C(999999999999)

static void seats_print_cancelled(const msgpack_object *res)
{
	char t[32], n[32];
	printf(_("task %s cancelled; %s seat(s) cancelled (not counted against the "
	       "experts)\n"), out_field(res, "task", t, sizeof t),
	       out_field(res, "cancelled", n, sizeof n));
}

int cmd_task_cancel(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{"reason", required_argument, NULL, 'r'},
		{NULL, 0, NULL, 0}};
	const char *reason = NULL;
	bool help = false;
	int c;
	int64_t task;
	while ((c = ctl_getopt(ctl, argc, argv, opts, &help)) != -1) {
		if (c == '?')
			return CTL_EXIT_USAGE;
		reason = optarg;
	}
	if (help)
		return ctl_help(ctl);
	if (!cmd_task_arg(ctl, argc, argv, &task))
		return CTL_EXIT_USAGE;
	if (!reason)
		return ctl_usage(ctl, _("--reason is required: a cancellation is recorded "
		                 "with why"));

	struct ctl_args a;
	ctl_args_init(&a);
	ctl_args_int(&a, "task", task);
	ctl_args_str(&a, "reason", reason);
	int rc = ctl_call_show(ctl, PROTO_OP_TASK_CANCEL, &a, seats_print_cancelled);
	ctl_args_destroy(&a);
	return rc;
}

/* "ASSIGNMENT=completed|no_show" into one {assignment, outcome} map. */
static bool seats_pack(const struct ctl *ctl, const char *arg, msgpack_packer *pk)
{
	const char *eq = strchr(arg, '=');
	char id[32];
	int64_t assignment;
	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof id ||
	    proto_choice_index(proto_outcomes, eq + 1, strlen(eq + 1)) < 0) {
		ctl_usage(ctl, _("each seat is ASSIGNMENT=completed or ASSIGNMENT=no_show, "
		          "not \"%s\""), arg);
		return false;
	}
	snprintf(id, sizeof id, "%.*s", (int)(eq - arg), arg);
	if (!ctl_int(ctl, "ASSIGNMENT", id, 1, SEATS_ID_MAX, &assignment))
		return false;
	msgpack_pack_map(pk, 2);
	proto_pack_str(pk, "assignment");
	msgpack_pack_int64(pk, assignment);
	proto_pack_str(pk, "outcome");
	proto_pack_str(pk, eq + 1);
	return true;
}

static void seats_print_recorded(const msgpack_object *res)
{
	char t[32], r[32];
	printf(_("task %s: attendance recorded for %s seat(s)\n"),
	       out_field(res, "task", t, sizeof t), out_field(res, "recorded", r, sizeof r));
}

int cmd_task_attendance(struct ctl *ctl, int argc, char **argv)
{
	bool help = false;
	int64_t task;
	int rc = ctl_getopt_none(ctl, argc, argv, &help);
	if (rc || help)
		return rc ? rc : ctl_help(ctl);
	if (optind >= argc)
		return ctl_usage(ctl, _("missing task ID"));
	if (!ctl_int(ctl, "task ID", argv[optind], 1, SEATS_ID_MAX, &task))
		return CTL_EXIT_USAGE;
	int n = argc - optind - 1;
	if (n < 1 || n > SEATS_MAX)
		return ctl_usage(ctl, _("give 1 to %d seats as ASSIGNMENT=completed|no_show"),
		                 SEATS_MAX);

	struct ctl_args a;
	ctl_args_init(&a);
	ctl_args_int(&a, "task", task);
	ctl_args_key(&a, "seats");
	msgpack_pack_array(&a.pk, (size_t)n);
	for (int i = 0; i < n && rc == 0; i++)
		if (!seats_pack(ctl, argv[optind + 1 + i], &a.pk))
			rc = CTL_EXIT_USAGE;
	if (rc == 0)
		rc = ctl_call_show(ctl, PROTO_OP_TASK_ATTENDANCE, &a, seats_print_recorded);
	ctl_args_destroy(&a);
	return rc;
}
