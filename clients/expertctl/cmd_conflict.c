/*
 * cmd_conflict.c - expertctl conflict add|list: declared conflicts of
 * interest between an expert and an organisation, which recusal uses.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "out.h"

#define CONFLICT_EXPERT_MAX INT64_C(999999999)

void cmd_print_conflicts(const msgpack_object *list)
{
	static const char *const head[] = {N_("ID"), N_("EXPERT"), N_("ORG"), N_("KIND"), N_("FROM"), N_("TO"),
	                                   N_("BY"), N_("REASON")};
	static const char *const keys[] = {"id", "expert", "org_code", "kind",
	                                   "valid_from", "valid_to", "created_by", "reason"};
	enum { NCOLS = sizeof keys / sizeof keys[0] };
	out_print_maps(head, keys, NCOLS, list);
}

static void conflict_print_added(const msgpack_object *res)
{
	char n[32];
	printf(_("conflict %s recorded\n"), out_field(res, "conflict", n, sizeof n));
}

/* conflict list's result: the table of its `conflicts`. */
static void conflict_print_list(const msgpack_object *res)
{
	cmd_print_conflicts(proto_map_get(res, "conflicts"));
}

int cmd_conflict_add(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{"org", required_argument, NULL, 'o'},
		{"kind", required_argument, NULL, 'k'},
		{"from", required_argument, NULL, 'f'},
		{"to", required_argument, NULL, 't'},
		{"reason", required_argument, NULL, 'r'},
		{NULL, 0, NULL, 0}};
	const char *org = NULL, *kind = NULL, *from = NULL, *to = NULL, *reason = NULL;
	bool help = false;
	int c;
	int64_t id;
	while ((c = ctl_getopt(ctl, argc, argv, opts, &help)) != -1) {
		switch (c) {
		case 'o': org = optarg; break;
		case 'k': kind = optarg; break;
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		case 'r': reason = optarg; break;
		default: return CTL_EXIT_USAGE;
		}
	}
	if (help)
		return ctl_help(ctl);
	if (optind >= argc)
		return ctl_usage(ctl, _("missing expert ID"));
	if (optind + 1 < argc)
		return ctl_usage(ctl, _("unexpected argument \"%s\""), argv[optind + 1]);
	if (!ctl_int(ctl, "expert ID", argv[optind], 1, CONFLICT_EXPERT_MAX, &id))
		return CTL_EXIT_USAGE;
	if (!org || !kind)
		return ctl_usage(ctl, _("--org and --kind are required"));
	if ((from && !ctl_date(ctl, "--from", from)) || (to && !ctl_date(ctl, "--to", to)))
		return CTL_EXIT_USAGE;

	struct ctl_args a;
	ctl_args_init(&a);
	ctl_args_int(&a, "expert", id);
	ctl_args_str(&a, "org", org);
	ctl_args_str(&a, "kind", kind);
	if (from)
		ctl_args_str(&a, "valid_from", from);
	if (to)
		ctl_args_str(&a, "valid_to", to);
	if (reason)
		ctl_args_str(&a, "reason", reason);
	int rc = ctl_call_show(ctl, PROTO_OP_CONFLICT_ADD, &a, conflict_print_added);
	ctl_args_destroy(&a);
	return rc;
}

int cmd_conflict_list(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{"expert", required_argument, NULL, 'e'},
		{"org", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0}};
	const char *org = NULL;
	int64_t expert = 0;
	bool help = false;
	int c;
	while ((c = ctl_getopt(ctl, argc, argv, opts, &help)) != -1) {
		if (c == '?')
			return CTL_EXIT_USAGE;
		if (c == 'o')
			org = optarg;
		else if (!ctl_int(ctl, "--expert", optarg, 1, CONFLICT_EXPERT_MAX, &expert))
			return CTL_EXIT_USAGE;
	}
	if (help)
		return ctl_help(ctl);
	if (optind < argc)
		return ctl_usage(ctl, _("unexpected argument \"%s\""), argv[optind]);

	struct ctl_args a;
	ctl_args_init(&a);
	if (expert)
		ctl_args_int(&a, "expert", expert);
	if (org)
		ctl_args_str(&a, "org", org);
	int rc = ctl_call_show(ctl, PROTO_OP_CONFLICT_LIST, &a, conflict_print_list);
	ctl_args_destroy(&a);
	return rc;
}
