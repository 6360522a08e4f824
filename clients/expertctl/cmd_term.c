/*
 * cmd_term.c - expertctl term open|list|renew: the three-year appointment
 * terms (届) and reappointment into them (第十五条).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "out.h"

/* Cap on --expert repetitions; the protocol allows many more per call, but
 * a longer list belongs in a file, not on a command line. */
#define TERM_MAX_EXPERTS 10000
#define TERM_ID_MAX INT64_C(999999999)

static void term_print_opened(const msgpack_object *res)
{
	char t[32], s[32], e[32];
	printf(_("opened term %s: %s to %s\n"), out_field(res, "term", t, sizeof t),
	       out_field(res, "start", s, sizeof s), out_field(res, "end", e, sizeof e));
}

int cmd_term_open(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{"start", required_argument, NULL, 's'}, {NULL, 0, NULL, 0}};
	const char *start = NULL;
	bool help = false;
	int c;
	while ((c = ctl_getopt(ctl, argc, argv, opts, &help)) != -1) {
		if (c == '?')
			return CTL_EXIT_USAGE;
		start = optarg;
	}
	if (help)
		return ctl_help(ctl);
	if (optind < argc)
		return ctl_usage(ctl, _("unexpected argument \"%s\""), argv[optind]);
	if (!start)
		return ctl_usage(ctl, _("--start is required"));
	if (!ctl_date(ctl, "--start", start))
		return CTL_EXIT_USAGE;

	struct ctl_args a;
	ctl_args_init(&a);
	ctl_args_str(&a, "start", start);
	int rc = ctl_call_show(ctl, PROTO_OP_TERM_OPEN, &a, term_print_opened);
	ctl_args_destroy(&a);
	return rc;
}

static void term_print_list(const msgpack_object *res)
{
	/* Appointed experts serve; PENDING are still recommended or under
	 * review (PROTOCOL.md 7.4.2). */
	static const char *const head[] = {N_("TERM"), N_("START"), N_("END"),
	                                   N_("APPOINTED"), N_("PENDING"), ""};
	const msgpack_object *terms = proto_map_get(res, "terms");
	int64_t current = proto_map_int(res, "current", -1);
	struct out_table *t = out_table_new(6, head);
	for (uint32_t i = 0; terms && terms->type == MSGPACK_OBJECT_ARRAY &&
	                     i < terms->via.array.size; i++) {
		const msgpack_object *o = &terms->via.array.ptr[i];
		char n[32], s[32], e[32], x[32], p[32];
		const char *row[] = {
			out_field(o, "term", n, sizeof n), out_field(o, "start", s, sizeof s),
			out_field(o, "end", e, sizeof e), out_field(o, "experts", x, sizeof x),
			out_field(o, "pending", p, sizeof p),
			proto_map_int(o, "term", 0) == current ? _("current") : ""};
		out_table_add(t, row);
	}
	out_table_print(t, stdout);
	out_table_destroy(&t);
}

int cmd_term_list(struct ctl *ctl, int argc, char **argv)
{
	return ctl_run_show(ctl, argc, argv, PROTO_OP_TERM_LIST, term_print_list);
}

/* One expert a renewal left out, with each reason (PROTOCOL.md 7.4.3):
 * "  12 陈志强: 出生日期 — 到 2029-12-31 ... ". */
static void term_print_skipped(const msgpack_object *o)
{
	char id[32], name[200], field[64], why[600], key[CTL_VALUE_KEY_MAX];
	printf("  %s ", out_field(o, "expert", id, sizeof id));
	out_field(o, "name", name, sizeof name);
	out_text(stdout, name, strlen(name));
	printf(":\n");
	const msgpack_object *rs = proto_map_get(o, "reasons");
	for (uint32_t i = 0; rs && rs->type == MSGPACK_OBJECT_ARRAY && i < rs->via.array.size;
	     i++) {
		const msgpack_object *r = &rs->via.array.ptr[i];
		printf("    %s: ", ctl_value("label", out_field(r, "field", field, sizeof field),
		                             key, sizeof key));
		out_field(r, "reason", why, sizeof why);
		out_text(stdout, why, strlen(why));
		putchar('\n');
	}
}

static void term_print_renewed(const msgpack_object *res)
{
	char t[32], n[32];
	printf(_("renewed %s experts into term %s\n"), out_field(res, "renewed", n, sizeof n),
	       out_field(res, "term", t, sizeof t));
	const msgpack_object *skipped = proto_map_get(res, "not_renewed");
	if (!skipped || skipped->type != MSGPACK_OBJECT_ARRAY || !skipped->via.array.size)
		return;
	printf(_("not renewed (第十一条, 第十六条), %u:\n"), skipped->via.array.size);
	for (uint32_t i = 0; i < skipped->via.array.size; i++)
		term_print_skipped(&skipped->via.array.ptr[i]);
}

int cmd_term_renew(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{"term", required_argument, NULL, 't'},
		{"expert", required_argument, NULL, 'e'},
		{"reason", required_argument, NULL, 'r'},
		{NULL, 0, NULL, 0}};
	int64_t term = 0, *experts = NULL;
	size_t nexperts = 0;
	const char *reason = NULL;
	bool help = false;
	int c, rc = 0;
	while (rc == 0 && (c = ctl_getopt(ctl, argc, argv, opts, &help)) != -1) {
		if (c == '?') {
			rc = CTL_EXIT_USAGE;
		} else if (c == 't') {
			if (!ctl_int(ctl, "--term", optarg, 1, 9999, &term))
				rc = CTL_EXIT_USAGE;
		} else if (c == 'e') {
			if (nexperts == TERM_MAX_EXPERTS) {
				rc = ctl_usage(ctl, _("at most %d --expert options"), TERM_MAX_EXPERTS);
				break;
			}
			experts = out_xrealloc(experts, (nexperts + 1) * sizeof *experts);
			if (!ctl_int(ctl, "--expert", optarg, 1, TERM_ID_MAX, &experts[nexperts++]))
				rc = CTL_EXIT_USAGE;
		} else {
			reason = optarg;
		}
	}
	if (rc == 0 && help)
		rc = ctl_help(ctl);
	else if (rc == 0 && optind < argc)
		rc = ctl_usage(ctl, _("unexpected argument \"%s\""), argv[optind]);
	else if (rc == 0 && term == 0)
		rc = ctl_usage(ctl, _("--term is required"));
	if (rc || help) {
		free(experts);
		return rc;
	}

	struct ctl_args a;
	ctl_args_init(&a);
	ctl_args_int(&a, "term", term);
	if (nexperts > 0) {
		ctl_args_key(&a, "experts");
		msgpack_pack_array(&a.pk, (uint32_t)nexperts);
		for (size_t i = 0; i < nexperts; i++)
			msgpack_pack_int64(&a.pk, experts[i]);
	}
	if (reason)
		ctl_args_str(&a, "reason", reason);
	free(experts);
	rc = ctl_call_show(ctl, PROTO_OP_TERM_RENEW, &a, term_print_renewed);
	ctl_args_destroy(&a);
	return rc;
}
