/*
 * export_out.c - where an output for the file goes (export_out.h): the
 * shared options, and the sheet written as .xlsx, CSV or a table.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "export_out.h"
#include "out.h"

int export_out_option(const struct ctl *ctl, struct export_out *o, int c,
                      const char *arg)
{
	switch (c) {
	case EXPORT_OPT_CSV:
		o->csv = true;
		return 1;
	case EXPORT_OPT_XLSX:
		o->xlsx = arg;
		return 1;
	case EXPORT_OPT_ENGLISH:
		o->english = true;
		return 1;
	case EXPORT_OPT_ENCODING:
		if (!roster_encoding_parse(arg, &o->enc) || o->enc == ROSTER_ENC_AUTO)
			return -ctl_usage(ctl, _("--encoding must be utf8 or gb18030"));
		return 1;
	default:
		return 0;
	}
}

int export_out_emit(const struct export_out *o, const struct sheet *s, const char *tab)
{
	if (o->xlsx) {
		if (!sheet_write_xlsx(s, o->xlsx, tab))
			return 1;
		printf(_("wrote %s: %zu rows\n"), o->xlsx, s->nrows);
		return 0;
	}
	if (o->csv)
		return sheet_write_csv(s, stdout, o->enc) ? 0 : 1;
	sheet_print(s, stdout);
	return 0;
}

struct sheet *export_sheet(const char *const *head, size_t n)
{
	const char *h[SHEET_MAX_COLS];
	assert(n <= SHEET_MAX_COLS);
	for (size_t k = 0; k < n; k++)
		h[k] = _(head[k]);
	return sheet_new(n, h);
}

int export_out_call(struct ctl *ctl, enum proto_op op, struct ctl_args *args,
                    const struct export_out *o, export_show_fn show)
{
	struct proto_reply rep;
	int rc = ctl_call(ctl, op, args, NULL, &rep);
	if (rc)
		return rc;
	rc = ctl->json ? ctl_print_result_json(&rep) : show(ctl, o, rep.result);
	proto_reply_release(&rep);
	return rc;
}

const char *export_time(const msgpack_object *map, const char *key, char *buf,
                        size_t size)
{
	char t[CMD_TIME_LEN];
	cmd_time_field(map, key, t);
	snprintf(buf, size, "%s%s", t, t[0] ? _(" CST") : "");
	return buf;
}
