/*
 * cmd_export.c - expertctl pool export and term publicity (PROTOCOL.md
 * 7.16.1, 7.16.2): the roster written back in the import's own format
 * (headers and values that `pool import` reads, so it round-trips), and
 * a term's 公示 list. CSV or .xlsx; task sheets and the work-done ledger
 * are in cmd_sheet.c.
 */
#include <stdio.h>
#include <string.h>

#include "export_out.h"
#include "out.h"
#include "roster_fields.h"

#define EXPORT_CELL 2048
#define EXPORT_PAGE 1000

/* The roster's columns in the order written: fields of the import
 * (roster_fields.c gives their headers and value labels). One table, so
 * a field the import gains is one line here. */
static const enum roster_field export_columns[] = {
	ROSTER_F_NAME, ROSTER_F_SEX, ROSTER_F_RESIDENT_ID, ROSTER_F_PHONE,
	ROSTER_F_EMPLOYER, ROSTER_F_EMPLOYER_CODE, ROSTER_F_RECOMMENDER,
	ROSTER_F_RECOMMENDER_CODE, ROSTER_F_SPECIALTIES, ROSTER_F_GROUP_TYPES,
	ROSTER_F_TASK_TYPES, ROSTER_F_TITLE, ROSTER_F_QUALIFICATION,
	ROSTER_F_ASSESS_YEARS, ROSTER_F_TRAINING_YEARS, ROSTER_F_RELAXATIONS,
	ROSTER_F_RELAXATION_EVIDENCE, ROSTER_F_RELAXATION_OCCUPATIONS, ROSTER_F_POSITION,
	ROSTER_F_EMAIL,
};
enum { EXPORT_NCOLS = sizeof export_columns / sizeof export_columns[0] };

/* One value as the form writes it: the field's label in Chinese, else the
 * wire value (which the import reads too). */
static void export_put(enum roster_field f, const msgpack_object *v, bool english,
                       char *buf, size_t size, size_t *len)
{
	char tmp[EXPORT_CELL];
	out_value(v, tmp, sizeof tmp);
	const char *label = english ? NULL : roster_fields_label(f, tmp);
	int n = snprintf(buf + *len, size - *len, "%s", label ? label : tmp);
	*len += n > 0 && (size_t)n < size - *len ? (size_t)n : 0;
}

/* The cell of field f of an exported row: an array's items joined by
 * 、 (| in English: neither is in any value the import accepts). */
static const char *export_cell(enum roster_field f, const msgpack_object *row,
                               bool english, char *buf, size_t size)
{
	const msgpack_object *v = proto_map_get(row, roster_field_name(f));
	size_t len = 0;
	buf[0] = '\0';
	if (!v || v->type == MSGPACK_OBJECT_NIL)
		return buf;
	if (v->type != MSGPACK_OBJECT_ARRAY) {
		export_put(f, v, english, buf, size, &len);
		return buf;
	}
	for (uint32_t i = 0; i < v->via.array.size; i++) {
		if (i) {
			int n = snprintf(buf + len, size - len, "%s", english ? "|" : "、");
			len += n > 0 && (size_t)n < size - len ? (size_t)n : 0;
		}
		export_put(f, &v->via.array.ptr[i], english, buf, size, &len);
	}
	return buf;
}

static struct sheet *export_roster_sheet(bool english)
{
	const char *head[EXPORT_NCOLS];
	for (size_t c = 0; c < EXPORT_NCOLS; c++) {
		const struct roster_field_info *fi = roster_field_info(export_columns[c]);
		head[c] = english ? fi->name : fi->headers[0];
	}
	return sheet_new(EXPORT_NCOLS, head);
}

static void export_add_rows(struct sheet *s, const msgpack_object *list, bool english,
                            json_t *json)
{
	char cells[EXPORT_NCOLS][EXPORT_CELL];
	const char *row[EXPORT_NCOLS];
	for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY &&
	                     i < list->via.array.size; i++) {
		const msgpack_object *m = &list->via.array.ptr[i];
		if (json) {
			json_array_append_new(json, out_json(m));
			continue;
		}
		for (size_t c = 0; c < EXPORT_NCOLS; c++)
			row[c] = export_cell(export_columns[c], m, english, cells[c], EXPORT_CELL);
		sheet_add_row(s, row);
	}
}

struct export_opts {
	struct export_out out;
	bool reveal;
	const char *reason, *status;
};

static int export_parse(struct ctl *ctl, int argc, char **argv, struct export_opts *o,
                        bool *help)
{
	static const struct option opts[] = {
		{"reveal", no_argument, NULL, 'R'},
		{"reason", required_argument, NULL, 'r'},
		{"status", required_argument, NULL, 's'},
		{"english", no_argument, NULL, EXPORT_OPT_ENGLISH},
		EXPORT_OUT_OPTIONS,
		{NULL, 0, NULL, 0}};
	int c, k;
	while ((c = ctl_getopt(ctl, argc, argv, opts, help)) != -1) {
		if ((k = export_out_option(ctl, &o->out, c, optarg)) != 0) {
			if (k < 0)
				return -k;
			continue;
		}
		switch (c) {
		case 'R': o->reveal = true; break;
		case 'r': o->reason = optarg; break;
		case 's': o->status = optarg; break;
		default: return CTL_EXIT_USAGE;
		}
	}
	if (*help)
		return 0;
	if (optind < argc)
		return ctl_usage(ctl, _("unexpected argument \"%s\""), argv[optind]);
	if (o->reveal && !o->reason)
		return ctl_usage(ctl, _("--reveal needs --reason (it is audited)"));
	return 0;
}

/* One page from offset; *n rows added, *total as the daemon counts. */
static int export_page(struct ctl *ctl, const struct export_opts *o, int64_t offset,
                       struct sheet *s, json_t *json, int64_t *n, int64_t *total)
{
	struct ctl_args a;
	char suffix[32];
	ctl_args_init(&a);
	if (o->reveal) {
		ctl_args_bool(&a, "reveal", true);
		ctl_args_str(&a, "reason", o->reason);
	}
	if (o->status)
		ctl_args_str(&a, "status", o->status);
	ctl_args_int(&a, "offset", offset);
	ctl_args_int(&a, "limit", EXPORT_PAGE);
	snprintf(suffix, sizeof suffix, "page/%lld", (long long)offset);
	struct proto_reply rep;
	int rc = ctl_call(ctl, PROTO_OP_POOL_EXPORT, &a, suffix, &rep);
	ctl_args_destroy(&a);
	if (rc)
		return rc;
	const msgpack_object *list = proto_map_get(rep.result, "experts");
	*total = proto_map_int(rep.result, "total", 0);
	*n = list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
	export_add_rows(s, list, o->out.english, json);
	proto_reply_release(&rep);
	return 0;
}

int cmd_pool_export(struct ctl *ctl, int argc, char **argv)
{
	struct export_opts o = {.out = {.csv = true, .enc = ROSTER_ENC_UTF8}};
	bool help = false;
	int rc = export_parse(ctl, argc, argv, &o, &help);
	if (rc || help)
		return rc ? rc : ctl_help(ctl);
	struct sheet *s = export_roster_sheet(o.out.english);
	json_t *json = ctl->json ? json_array() : NULL;
	int64_t offset = 0, total = 1, n = 0;
	while (rc == 0 && offset < total) {
		rc = export_page(ctl, &o, offset, s, json, &n, &total);
		offset += n;
		if (n == 0)
			break;
	}
	if (rc == 0 && json)
		out_json_print(json_pack("{s:o}", "experts", json));
	else if (rc == 0)
		rc = export_out_emit(&o.out, s, _("roster"));
	else if (json)
		json_decref(json);
	sheet_destroy(&s);
	return rc;
}

/* ---- term publicity ---- */

/* out_shown's "a,b" as "a、b" in Chinese, "a, b" otherwise. */
static void publicity_sep(const struct ctl *ctl, char *cell, size_t size)
{
	char tmp[EXPORT_CELL];
	const char *sep = ctl->zh ? "、" : ", ";
	size_t o = 0, sl = strlen(sep);
	for (const char *p = cell; *p && o + sl < sizeof tmp; p++) {
		if (*p == ',') {
			memcpy(tmp + o, sep, sl);
			o += sl;
		} else {
			tmp[o++] = *p;
		}
	}
	tmp[o] = '\0';
	snprintf(cell, size, "%s", tmp);
}

static void publicity_rows(const struct ctl *ctl, struct sheet *s,
                           const msgpack_object *list)
{
	static const char *const keys[] = {"name", "sex", "employer", "position",
	                                   "specialties", "group_types", "title",
	                                   "qualification"};
	enum { N = sizeof keys / sizeof keys[0] };
	char cells[N + 1][EXPORT_CELL];
	const char *row[N + 1];
	for (uint32_t i = 0; list && list->type == MSGPACK_OBJECT_ARRAY &&
	                     i < list->via.array.size; i++) {
		const msgpack_object *m = &list->via.array.ptr[i];
		snprintf(cells[0], EXPORT_CELL, "%u", i + 1);
		for (size_t k = 0; k < N; k++)
			out_shown(m, keys[k], cells[k + 1], EXPORT_CELL);
		/* Several values read as the form lists them: 焊工、电工. */
		publicity_sep(ctl, cells[5], EXPORT_CELL);
		publicity_sep(ctl, cells[6], EXPORT_CELL);
		for (size_t k = 0; k <= N; k++)
			row[k] = cells[k];
		sheet_add_row(s, row);
	}
}

static int publicity_show(const struct ctl *ctl, const struct export_out *o,
                          const msgpack_object *res)
{
	static const char *const head[] = {
		N_("No."), N_("Name"), N_("Sex"), N_("Employer"), N_("Position"),
		N_("Specialties"), N_("Group types"), N_("Title"), N_("Qualification")};
	struct sheet *s = export_sheet(head, sizeof head / sizeof head[0]);
	char term[16], start[16], end[16];
	sheet_title(s, _("Experts of term %s: public notice (term %s to %s)"),
	            out_field(res, "term", term, sizeof term),
	            out_field(res, "start", start, sizeof start),
	            out_field(res, "end", end, sizeof end));
	publicity_rows(ctl, s, proto_map_get(res, "experts"));
	sheet_note(s, "%s", _("Notice period: from ____________ to ____________. "
	           "Objections, in writing and signed, to: ________________________"));
	int rc = export_out_emit(o, s, _("public notice"));
	sheet_destroy(&s);
	return rc;
}

int cmd_term_publicity(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {EXPORT_OUT_OPTIONS, {NULL, 0, NULL, 0}};
	struct export_out o = {.enc = ROSTER_ENC_UTF8};
	bool help = false;
	int c, k;
	int64_t term;
	while ((c = ctl_getopt(ctl, argc, argv, opts, &help)) != -1)
		if ((k = export_out_option(ctl, &o, c, optarg)) <= 0)
			return k < 0 ? -k : CTL_EXIT_USAGE;
	if (help)
		return ctl_help(ctl);
	if (optind + 1 != argc)
		return ctl_usage(ctl, _("give one term number"));
	if (!ctl_int(ctl, "term", argv[optind], 1, 9999, &term))
		return CTL_EXIT_USAGE;
	struct ctl_args a;
	ctl_args_init(&a);
	ctl_args_int(&a, "term", term);
	int rc = export_out_call(ctl, PROTO_OP_TERM_PUBLICITY, &a, &o, publicity_show);
	ctl_args_destroy(&a);
	return rc;
}
