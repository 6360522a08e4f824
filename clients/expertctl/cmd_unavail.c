/*
 * cmd_unavail.c - expertctl pool unavailable (staff) and expertctl
 * unavailable (the expert, by token on the answer endpoint): a period in
 * which an expert cannot serve; draws then skip them, with no ledger
 * event (PROTOCOL.md 7.6.5, rule 12 of DRAW.md 3.1); and expertctl pool
 * unavailable-withdraw, which withdraws or shortens one (7.6.6).
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "out.h"

#define UNAVAIL_EXPERT_MAX INT64_C(999999999)   /* PROTOCOL: expert id */

/* "expert 12 unavailable 2026-12-10 .. 2026-12-31 (period 3)" */
static void unavail_print(const msgpack_object *res)
{
	char e[32], from[16], to[16], id[32];
	printf(_("expert %s unavailable %s .. %s (period %s): draws on these days "
	       "skip the expert\n"), out_field(res, "expert", e, sizeof e),
	       out_field(res, "from", from, sizeof from),
	       out_field(res, "to", to, sizeof to), out_field(res, "id", id, sizeof id));
}

struct unavail_opts {
	const char *from, *to, *reason, *endpoint;
};

static int unavail_parse(struct ctl *ctl, int argc, char **argv, bool by_token,
                         struct unavail_opts *o, bool *help)
{
	static const struct option opts[] = {
		{"from", required_argument, NULL, 'f'},
		{"to", required_argument, NULL, 't'},
		{"reason", required_argument, NULL, 'r'},
		{"answer-endpoint", required_argument, NULL, 'E'},
		{NULL, 0, NULL, 0}};
	static const struct option staff[] = {
		{"from", required_argument, NULL, 'f'},
		{"to", required_argument, NULL, 't'},
		{"reason", required_argument, NULL, 'r'},
		{NULL, 0, NULL, 0}};
	int c;
	while ((c = ctl_getopt(ctl, argc, argv, by_token ? opts : staff, help)) != -1) {
		switch (c) {
		case 'f': o->from = optarg; break;
		case 't': o->to = optarg; break;
		case 'r': o->reason = optarg; break;
		case 'E': o->endpoint = optarg; break;
		default: return CTL_EXIT_USAGE;
		}
	}
	if (*help)
		return 0;
	if (optind >= argc)
		return ctl_usage(ctl, by_token ? "missing TOKEN" : "missing expert ID");
	if (optind + 1 < argc)
		return ctl_usage(ctl, _("unexpected argument \"%s\""), argv[optind + 1]);
	if (!o->from || !o->to)
		return ctl_usage(ctl, _("--from and --to are required (YYYY-MM-DD, both "
		                 "days included)"));
	if (!ctl_date(ctl, "--from", o->from) || !ctl_date(ctl, "--to", o->to))
		return CTL_EXIT_USAGE;
	if (!by_token && !o->reason)
		return ctl_usage(ctl, _("--reason is required"));
	return 0;
}

static void unavail_args(struct ctl_args *a, const struct unavail_opts *o)
{
	ctl_args_str(a, "from", o->from);
	ctl_args_str(a, "to", o->to);
	if (o->reason)
		ctl_args_str(a, "reason", o->reason);
}

int cmd_pool_unavailable(struct ctl *ctl, int argc, char **argv)
{
	struct unavail_opts o = {NULL, NULL, NULL, NULL};
	bool help = false;
	int64_t id;
	int rc = unavail_parse(ctl, argc, argv, false, &o, &help);
	if (rc || help)
		return rc ? rc : ctl_help(ctl);
	if (!ctl_int(ctl, "expert ID", argv[optind], 1, UNAVAIL_EXPERT_MAX, &id))
		return CTL_EXIT_USAGE;
	struct ctl_args a;
	ctl_args_init(&a);
	ctl_args_int(&a, "expert", id);
	unavail_args(&a, &o);
	rc = ctl_call_show(ctl, PROTO_OP_POOL_UNAVAILABLE, &a, unavail_print);
	ctl_args_destroy(&a);
	return rc;
}

int cmd_unavailable(struct ctl *ctl, int argc, char **argv)
{
	struct unavail_opts o = {NULL, NULL, NULL, NULL};
	bool help = false;
	int rc = unavail_parse(ctl, argc, argv, true, &o, &help);
	if (rc || help)
		return rc ? rc : ctl_help(ctl);
	const char *token = argv[optind];
	char endpoint[512];
	const char *request_ep;
	/* As confirm and decline: the answer endpoint, with a key made now. */
	rc = cmd_answer_endpoint(ctl, token, o.endpoint, endpoint, sizeof endpoint,
	                         &request_ep);
	if (rc)
		return rc;
	struct ctl_args a;
	ctl_args_init(&a);
	ctl_args_str(&a, "token", token);
	unavail_args(&a, &o);
	rc = ctl_call_show(ctl, PROTO_OP_ASSIGNMENT_UNAVAILABLE, &a, unavail_print);
	ctl_args_destroy(&a);
	ctl->copt.endpoint = request_ep;
	return rc;
}

/* "period 3 of expert 12 withdrawn" / "... now 2027-01-05 .. 2027-01-20" */
static void unavail_print_change(const msgpack_object *res)
{
	char e[32], from[16], to[16], id[32];
	const msgpack_object *w = proto_map_get(res, "withdrawn");
	out_field(res, "expert", e, sizeof e);
	out_field(res, "id", id, sizeof id);
	if (w && w->type == MSGPACK_OBJECT_BOOLEAN && w->via.boolean)
		printf(_("period %s of expert %s withdrawn: draws on its days may draw the "
		       "expert again\n"), id, e);
	else
		printf(_("period %s of expert %s now runs %s .. %s: draws on the days freed "
		       "may draw the expert again\n"), id, e,
		       out_field(res, "from", from, sizeof from), out_field(res, "to", to, sizeof to));
}

int cmd_pool_unavailable_withdraw(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{"from", required_argument, NULL, 'f'},
		{"to", required_argument, NULL, 't'},
		{"reason", required_argument, NULL, 'r'},
		{NULL, 0, NULL, 0}};
	struct unavail_opts o = {NULL, NULL, NULL, NULL};
	bool help = false;
	int c;
	int64_t id;
	while ((c = ctl_getopt(ctl, argc, argv, opts, &help)) != -1) {
		if (c == '?')
			return CTL_EXIT_USAGE;
		*(c == 'f' ? &o.from : c == 't' ? &o.to : &o.reason) = optarg;
	}
	if (help)
		return ctl_help(ctl);
	if (optind >= argc)
		return ctl_usage(ctl, _("missing period ID"));
	if (optind + 1 < argc)
		return ctl_usage(ctl, _("unexpected argument \"%s\""), argv[optind + 1]);
	if (!ctl_int(ctl, _("period ID"), argv[optind], 1, UNAVAIL_EXPERT_MAX, &id))
		return CTL_EXIT_USAGE;
	if (!o.reason)
		return ctl_usage(ctl, _("--reason is required"));
	if ((o.from && !ctl_date(ctl, "--from", o.from)) ||
	    (o.to && !ctl_date(ctl, "--to", o.to)))
		return CTL_EXIT_USAGE;
	struct ctl_args a;
	ctl_args_init(&a);
	ctl_args_int(&a, "id", id);
	if (o.from)
		ctl_args_str(&a, "from", o.from);
	if (o.to)
		ctl_args_str(&a, "to", o.to);
	ctl_args_str(&a, "reason", o.reason);
	int rc = ctl_call_show(ctl, PROTO_OP_POOL_UNAVAILABLE_WITHDRAW, &a, unavail_print_change);
	ctl_args_destroy(&a);
	return rc;
}
