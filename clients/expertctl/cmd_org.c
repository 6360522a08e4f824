/*
 * cmd_org.c - expertctl org list|show|add|alias|code|merge: the
 * organisation registry (REGISTRY.md 2), through which employers,
 * recommenders and reviewed institutions are recognised by name or code.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "out.h"

static const char *const org_head[] = {N_("KEY"), N_("NAME"), N_("CODE"), N_("KINDS"), N_("EMPLOYEES"),
                                       N_("RECOMMENDED"), N_("ALIASES")};
static const char *const org_keys[] = {"key", "name", "code", "kinds", "employees",
                                       "recommended", "aliases"};
enum { ORG_NCOLS = sizeof org_keys / sizeof org_keys[0] };

static void org_print_list(const msgpack_object *res)
{
	const msgpack_object *orgs = proto_map_get(res, "orgs");
	size_t n = out_print_maps(org_head, org_keys, ORG_NCOLS, orgs);
	char total[32];
	printf(_("%zu of %s organisations\n"), n, out_field(res, "total", total, sizeof total));
}

static void org_print_one(const msgpack_object *res)
{
	const msgpack_object *o = proto_map_get(res, "org");
	char buf[2048];
	for (size_t i = 0; i < ORG_NCOLS; i++)
		printf("%-12s %s\n", _(org_head[i]), out_shown(o, org_keys[i], buf, sizeof buf));
	if (proto_map_get(o, "merged_into"))
		printf("%-12s %s\n", _("MERGED INTO"), out_field(o, "merged_into", buf, sizeof buf));
}

int cmd_org_list(struct ctl *ctl, int argc, char **argv)
{
	static const struct ctl_arg_opt opts[] = {
		{"query", "query", 0, 0}, CTL_PAGE_OPTS, {NULL, NULL, 0, 0}};
	return ctl_run_args_show(ctl, argc, argv, opts, PROTO_OP_ORG_LIST, org_print_list);
}

/* Commands of the form: org VERB ARG... [--opt V]..., each positional
 * argument and option one string argument. */
struct org_call {
	enum proto_op op;
	const char *const *pos;      /* argument keys of the positionals */
	size_t npos;
	const struct option *opts;   /* each sets opt_keys[val] */
	const char *const *opt_keys;
	bool reason_required;
};

static int org_run(struct ctl *ctl, int argc, char **argv, const struct org_call *c)
{
	const char *vals[4] = {NULL, NULL, NULL, NULL};
	bool help = false;
	int ch;
	while ((ch = ctl_getopt(ctl, argc, argv, c->opts, &help)) != -1) {
		if (ch < 0 || ch >= 4)
			return CTL_EXIT_USAGE;
		vals[ch] = optarg;
	}
	if (help)
		return ctl_help(ctl);
	if (argc - optind < (int)c->npos)
		return ctl_usage(ctl, _("missing %s"), c->pos[argc - optind]);
	if (argc - optind > (int)c->npos)
		return ctl_usage(ctl, _("unexpected argument \"%s\""), argv[optind + c->npos]);
	if (c->reason_required && !vals[0])
		return ctl_usage(ctl, _("--reason is required"));
	struct ctl_args a;
	ctl_args_init(&a);
	for (size_t i = 0; i < c->npos; i++)
		ctl_args_str(&a, c->pos[i], argv[optind + (int)i]);
	for (int i = 0; c->opt_keys && i < 4; i++)
		if (vals[i] && c->opt_keys[i])
			ctl_args_str(&a, c->opt_keys[i], vals[i]);
	int rc = ctl_call_show(ctl, c->op, &a, org_print_one);
	ctl_args_destroy(&a);
	return rc;
}

static const struct option no_opts[] = {{NULL, 0, NULL, 0}};

int cmd_org_show(struct ctl *ctl, int argc, char **argv)
{
	static const char *const pos[] = {"org"};
	struct org_call c = {PROTO_OP_ORG_SHOW, pos, 1, no_opts, NULL, false};
	return org_run(ctl, argc, argv, &c);
}

int cmd_org_alias(struct ctl *ctl, int argc, char **argv)
{
	static const char *const pos[] = {"org", "name"};
	struct org_call c = {PROTO_OP_ORG_ALIAS, pos, 2, no_opts, NULL, false};
	return org_run(ctl, argc, argv, &c);
}

int cmd_org_code(struct ctl *ctl, int argc, char **argv)
{
	static const char *const pos[] = {"org", "code"};
	struct org_call c = {PROTO_OP_ORG_CODE, pos, 2, no_opts, NULL, false};
	return org_run(ctl, argc, argv, &c);
}

int cmd_org_merge(struct ctl *ctl, int argc, char **argv)
{
	static const char *const pos[] = {"from", "into"};
	static const struct option opts[] = {
		{"reason", required_argument, NULL, 0}, {NULL, 0, NULL, 0}};
	static const char *const keys[] = {"reason", NULL, NULL, NULL};
	struct org_call c = {PROTO_OP_ORG_MERGE, pos, 2, opts, keys, true};
	return org_run(ctl, argc, argv, &c);
}

int cmd_org_add(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{"code", required_argument, NULL, 'c'},
		{"kind", required_argument, NULL, 'k'},
		{NULL, 0, NULL, 0}};
	const char *code = NULL, *kinds[PROTO_ORG_KINDS_COUNT];
	size_t nkinds = 0;
	bool help = false;
	int ch;
	while ((ch = ctl_getopt(ctl, argc, argv, opts, &help)) != -1) {
		if (ch == 'c')
			code = optarg;
		else if (ch == 'k' && nkinds < PROTO_ORG_KINDS_COUNT)
			kinds[nkinds++] = optarg;
		else
			return ch == 'k' ? ctl_usage(ctl, _("too many --kind")) : CTL_EXIT_USAGE;
	}
	if (help)
		return ctl_help(ctl);
	if (optind >= argc)
		return ctl_usage(ctl, _("missing the organisation's name"));
	if (optind + 1 < argc)
		return ctl_usage(ctl, _("unexpected argument \"%s\""), argv[optind + 1]);
	struct ctl_args a;
	ctl_args_init(&a);
	ctl_args_str(&a, "name", argv[optind]);
	if (code)
		ctl_args_str(&a, "code", code);
	if (nkinds) {
		ctl_args_key(&a, "kinds");
		msgpack_pack_array(&a.pk, nkinds);
		for (size_t i = 0; i < nkinds; i++)
			proto_pack_str(&a.pk, kinds[i]);
	}
	int rc = ctl_call_show(ctl, PROTO_OP_ORG_ADD, &a, org_print_one);
	ctl_args_destroy(&a);
	return rc;
}
