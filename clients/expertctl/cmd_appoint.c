/*
 * cmd_appoint.c - expertctl appointment review|decide: the appointment of
 * an imported (recommended) expert, 第十四–十六条 (PROTOCOL.md 7.17):
 * the 资格审查 opinion, then the Center's decision with the 聘书.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "out.h"

#define APPOINT_EXPERT_MAX INT64_C(999999999)

/* "expert 12: 审查中": the appointment state a step left. */
static void appoint_print(const msgpack_object *res)
{
	char e[32], s[64];
	out_shown(res, "appointment", s, sizeof s);
	printf(_("expert %s: "), out_field(res, "expert", e, sizeof e));
	out_text(stdout, s, strlen(s));
	putchar('\n');
}

/* Options of both commands; review takes --opinion only. */
struct appoint_opts {
	const char *opinion, *certificate, *date;
	int decision;   /* -1 none, 0 appoint, 1 reject */
};

static int appoint_parse(struct ctl *ctl, int argc, char **argv, bool decide,
                         struct appoint_opts *o, int64_t *id)
{
	static const struct option review[] = {
		{"opinion", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0}};
	static const struct option decide_opts[] = {
		{"opinion", required_argument, NULL, 'o'},
		{"appoint", no_argument, NULL, 'a'},
		{"reject", no_argument, NULL, 'r'},
		{"certificate", required_argument, NULL, 'c'},
		{"certificate-date", required_argument, NULL, 'd'},
		{NULL, 0, NULL, 0}};
	bool help = false;
	int c;
	while ((c = ctl_getopt(ctl, argc, argv, decide ? decide_opts : review, &help)) != -1) {
		if (c == '?')
			return CTL_EXIT_USAGE;
		if (c == 'o')
			o->opinion = optarg;
		else if (c == 'c')
			o->certificate = optarg;
		else if (c == 'd')
			o->date = optarg;
		else if (o->decision >= 0 && o->decision != (c == 'r'))
			return ctl_usage(ctl, _("--appoint and --reject exclude each other"));
		else
			o->decision = c == 'r';
	}
	if (help)
		return ctl_help(ctl);
	if (optind >= argc)
		return ctl_usage(ctl, _("missing expert ID"));
	if (optind + 1 < argc)
		return ctl_usage(ctl, _("unexpected argument \"%s\""), argv[optind + 1]);
	if (!ctl_int(ctl, "expert ID", argv[optind], 1, APPOINT_EXPERT_MAX, id))
		return CTL_EXIT_USAGE;
	if (!o->opinion || !o->opinion[0])
		return ctl_usage(ctl, _("--opinion is required"));
	if (decide && o->decision < 0)
		return ctl_usage(ctl, _("say --appoint or --reject"));
	if (o->date && !ctl_date(ctl, "--certificate-date", o->date))
		return CTL_EXIT_USAGE;
	return 0;
}

static int appoint_run(struct ctl *ctl, int argc, char **argv, bool decide)
{
	struct appoint_opts o = {.decision = -1};
	int64_t id;
	int rc = appoint_parse(ctl, argc, argv, decide, &o, &id);
	if (rc)
		return rc;
	struct ctl_args a;
	ctl_args_init(&a);
	ctl_args_int(&a, "expert", id);
	if (decide)
		ctl_args_str(&a, "decision", o.decision ? "reject" : "appoint");
	ctl_args_str(&a, "opinion", o.opinion);
	if (o.certificate)
		ctl_args_str(&a, "certificate", o.certificate);
	if (o.date)
		ctl_args_str(&a, "certificate_date", o.date);
	rc = ctl_call_show(ctl, decide ? PROTO_OP_APPOINTMENT_DECIDE
	                               : PROTO_OP_APPOINTMENT_REVIEW, &a, appoint_print);
	ctl_args_destroy(&a);
	return rc;
}

int cmd_appointment_review(struct ctl *ctl, int argc, char **argv)
{
	return appoint_run(ctl, argc, argv, false);
}

int cmd_appointment_decide(struct ctl *ctl, int argc, char **argv)
{
	return appoint_run(ctl, argc, argv, true);
}

/* ---- pool show: the appointment record and the kept form fields ---- */

/* "review            ops 2026-12-07 10:00 CST: <opinion>". */
static void appoint_print_step(const msgpack_object *rec, const char *key)
{
	const msgpack_object *s = proto_map_get(rec, key);
	if (!s || s->type != MSGPACK_OBJECT_MAP)
		return;
	char by[128], at[CMD_TIME_LEN], text[600];
	cmd_time_field(s, "at", at);
	out_label(stdout, key, 17);
	printf("%s %s%s: ", out_field(s, "by", by, sizeof by), at, at[0] ? _(" CST") : "");
	out_field(s, "opinion", text, sizeof text);
	out_text(stdout, text, strlen(text));
	putchar('\n');
}

/* Free text of the form, its lines under one another after the label. */
static void appoint_print_lines(const char *s)
{
	for (;;) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		out_text(stdout, s, n);
		putchar('\n');
		if (!nl)
			return;
		s = nl + 1;
		printf("%18s", "");
	}
}

void cmd_print_appointment(const msgpack_object *res)
{
	const msgpack_object *rec = proto_map_get(res, "appointment");
	const msgpack_object *form = proto_map_get(res, "form");
	char buf[2100];
	if (rec && rec->type == MSGPACK_OBJECT_MAP) {
		printf(_("\nappointment (第十四–十六条):\n"));
		/* The state is the expert's `appointment`, printed above. */
		static const char *const keys[] = {"recommender_kind", "certificate",
		                                   "certificate_date"};
		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
			if (!out_shown(rec, keys[i], buf, sizeof buf)[0])
				continue;
			out_label(stdout, keys[i], 17);
			out_text(stdout, buf, strlen(buf));
			putchar('\n');
		}
		appoint_print_step(rec, "review");
		appoint_print_step(rec, "decision");
	}
	if (!form || form->type != MSGPACK_OBJECT_MAP)
		return;
	bool any = false;
	for (uint32_t i = 0; i < form->via.map.size; i++) {
		const msgpack_object_kv *kv = &form->via.map.ptr[i];
		char key[64];
		if (kv->key.type != MSGPACK_OBJECT_STR || kv->key.via.str.size >= sizeof key)
			continue;
		memcpy(key, kv->key.via.str.ptr, kv->key.via.str.size);
		key[kv->key.via.str.size] = '\0';
		if (!out_field(form, key, buf, sizeof buf)[0])
			continue;
		if (!any)
			printf(_("\nrecommendation form (推荐表):\n"));
		any = true;
		out_label(stdout, key, 17);
		appoint_print_lines(buf);
	}
}
