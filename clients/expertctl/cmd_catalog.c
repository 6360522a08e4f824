/*
 * cmd_catalog.c - expertctl catalog import|list: the occupation catalogue
 * (REGISTRY.md section 3). import sends a whole occupation list in one
 * all-or-nothing request and names a refused row by its line and column;
 * list shows every occupation with its active experts per group type.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "catalog_csv.h"
#include "cmd.h"
#include "out.h"

#define CATALOG_MAX_ROWS 5000  /* the protocol's limit per catalog.import */

/* The group types in the words of the recommendation form. */
static const char *const catalog_group_words[] = {"培训评审", "技能评价", "方式方法"};
_Static_assert(sizeof catalog_group_words / sizeof catalog_group_words[0] ==
               PROTO_GROUP_TYPES_COUNT, "one word per group type");

static void catalog_print_issues(const struct roster_issue *list, size_t n,
                                 const char *tag)
{
	for (size_t i = 0; i < n; i++) {
		fprintf(stderr, _("%sline %ld"), tag, list[i].line);
		if (list[i].column) {
			fprintf(stderr, _(", column "));
			out_text(stderr, list[i].column, strlen(list[i].column));
		}
		fprintf(stderr, ": ");
		out_text(stderr, list[i].reason, strlen(list[i].reason));
		fputc('\n', stderr);
	}
}

/* A refused row ("rows[3].aliases[1]") by its line and column. */
static void catalog_print_refused(const struct catalog_csv *c, const char *path,
                                  const struct proto_reply *rep)
{
	unsigned long i;
	int used = 0;
	if (sscanf(rep->field, "rows[%lu]%n", &i, &used) != 1 || i >= c->nrows) {
		out_error(rep);
		return;
	}
	const char *sub = rep->field + used + (rep->field[used] == '.');
	fprintf(stderr, _("line %ld"), c->lines[i]);
	if (sub[0]) {
		fprintf(stderr, _(", column "));
		const char *col = catalog_csv_column(c, sub);
		out_text(stderr, col, strlen(col));
	}
	fprintf(stderr, ": ");
	out_text(stderr, rep->message, strlen(rep->message));
	fprintf(stderr, _("\nexpertctl: %s: nothing imported\n"), path);
}

static int catalog_send(struct ctl *ctl, const struct catalog_csv *c, const char *path)
{
	struct ctl_args a;
	struct proto_reply rep;
	ctl_args_init(&a);
	ctl_args_key(&a, "rows");
	msgpack_pack_array(&a.pk, (uint32_t)c->nrows);
	msgpack_sbuffer_write(&a.pairs, c->rows.data, c->rows.size);
	int rc = ctl_call_raw(ctl, PROTO_OP_CATALOG_IMPORT, &a, NULL, &rep);
	ctl_args_destroy(&a);
	if (rc)
		return rc;
	if (rep.status != PROTO_OK) {
		if (ctl->json)
			ctl_report(ctl, &rep);
		else if (rep.status == PROTO_E_INVALID_FIELD)
			catalog_print_refused(c, path, &rep);
		else
			out_error(&rep);
		rc = ctl_status_exit(&rep);
	} else if (ctl->json) {
		ctl_print_result_json(&rep);
	} else {
		printf(_("the catalogue holds %lld occupations: %lld added, %lld updated, "
		       "%lld unchanged\n"), (long long)proto_map_int(rep.result, "occupations", 0),
		       (long long)proto_map_int(rep.result, "added", 0),
		       (long long)proto_map_int(rep.result, "updated", 0),
		       (long long)proto_map_int(rep.result, "unchanged", 0));
	}
	proto_reply_release(&rep);
	return rc;
}

int cmd_catalog_import(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{"encoding", required_argument, NULL, 'e'}, {NULL, 0, NULL, 0}};
	enum roster_encoding enc = ROSTER_ENC_AUTO;
	bool help = false;
	int c;
	while ((c = ctl_getopt(ctl, argc, argv, opts, &help)) != -1) {
		if (c == '?')
			return CTL_EXIT_USAGE;
		if (!roster_encoding_parse(optarg, &enc))
			return ctl_usage(ctl, _("--encoding must be auto, utf8 or gb18030"));
	}
	if (help)
		return ctl_help(ctl);
	if (optind + 1 != argc)
		return ctl_usage(ctl, "%s", optind >= argc ? _("missing FILE")
		                                           : _("one FILE, nothing after it"));
	const char *path = argv[optind];
	size_t len;
	char err[512];
	char *buf = cmd_read_file(path, &len);
	if (!buf) {
		fprintf(stderr, _("expertctl: cannot read %s\n"), path);
		return EX_NOINPUT;
	}
	struct catalog_csv *list = catalog_csv_parse(buf, len, enc, err, sizeof err);
	free(buf);
	if (!list) {
		fprintf(stderr, _("expertctl: %s: %s\n"), path, err);
		return EX_DATAERR;
	}
	catalog_print_issues(list->warnings, list->nwarnings, "warning: ");
	catalog_print_issues(list->errors, list->nerrors, "");
	int rc = EX_DATAERR;
	if (list->nerrors)
		fprintf(stderr, _("expertctl: %s: nothing imported\n"), path);
	else if (list->nrows == 0)
		fprintf(stderr, _("expertctl: %s: no occupations below the header\n"), path);
	else if (list->nrows > CATALOG_MAX_ROWS)
		fprintf(stderr, _("expertctl: %s: %zu occupations; one import takes at most "
		        "%d\n"), path, list->nrows, CATALOG_MAX_ROWS);
	else
		rc = catalog_send(ctl, list, path);
	catalog_csv_destroy(&list);
	return rc;
}

/* An entry's group types in the form's words, joined by 、. */
static const char *catalog_groups(const msgpack_object *e, char *buf, size_t size)
{
	const msgpack_object *g = proto_map_get(e, "group_types");
	size_t len = 0;
	buf[0] = '\0';
	for (uint32_t i = 0; g && g->type == MSGPACK_OBJECT_ARRAY && i < g->via.array.size;
	     i++) {
		const msgpack_object *o = &g->via.array.ptr[i];
		int k = o->type == MSGPACK_OBJECT_STR
		        ? proto_choice_index(proto_group_types, o->via.str.ptr, o->via.str.size)
		        : -1;
		if (k >= 0 && len + 40 < size)
			len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? "、" : "",
			                        catalog_group_words[k]);
	}
	return buf;
}

static void catalog_print_list(const msgpack_object *res)
{
	static const char *const head[] = {N_("NAME"), N_("CODE"), N_("ALIASES"), N_("GROUP TYPES"),
	                                   N_("培训评审"), N_("技能评价"), N_("方式方法")};
	const msgpack_object *list = proto_map_get(res, "occupations");
	struct out_table *t = out_table_new(7, head);
	uint32_t n = list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
	for (uint32_t i = 0; i < n; i++) {
		const msgpack_object *e = &list->via.array.ptr[i];
		const msgpack_object *active = proto_map_get(e, "active");
		char name[256], code[64], aliases[1200], groups[96], cnt[3][24];
		const char *row[7] = {out_field(e, "name", name, sizeof name),
		                      out_field(e, "code", code, sizeof code),
		                      out_field(e, "aliases", aliases, sizeof aliases),
		                      catalog_groups(e, groups, sizeof groups)};
		for (int g = 0; g < PROTO_GROUP_TYPES_COUNT; g++)
			row[4 + g] = out_field(active, proto_group_types[g], cnt[g], sizeof cnt[g]);
		out_table_add(t, row);
	}
	out_table_print(t, stdout);
	out_table_destroy(&t);
	printf(_("(%u occupations; the last three columns count active experts)\n"), n);
}

int cmd_catalog_list(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'}, {NULL, 0, NULL, 0}};
	bool help = false;
	int c;
	while ((c = ctl_getopt(ctl, argc, argv, opts, &help)) != -1) {
		if (c == '?')
			return CTL_EXIT_USAGE;
		ctl->json = true;
		ctl_i18n_off();
	}
	if (help)
		return ctl_help(ctl);
	if (optind < argc)
		return ctl_usage(ctl, _("unexpected argument \"%s\""), argv[optind]);
	return ctl_call_show(ctl, PROTO_OP_CATALOG_LIST, NULL, catalog_print_list);
}
