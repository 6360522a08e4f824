/*
 * cmd_pool.c - expertctl pool list|show|suspend|reinstate|revoke|grounds:
 * looking at the pool and changing one expert's standing. (pool import is in
 * cmd_import.c; the ledger and seat tables of pool show in cmd_ledger.c.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "detail.h"
#include "ident.h"
#include "out.h"

#define POOL_EXPERT_MAX INT64_C(999999999)

/* An expert id from the first positional argument, then nothing else. */
static int pool_expert_arg(const struct ctl *ctl, int argc, char **argv, int64_t *id)
{
	if (optind >= argc)
		return ctl_usage(ctl, _("missing expert ID"));
	if (optind + 1 < argc)
		return ctl_usage(ctl, _("unexpected argument \"%s\""), argv[optind + 1]);
	return ctl_int(ctl, "expert ID", argv[optind], 1, POOL_EXPERT_MAX, id)
	               ? 0 : CTL_EXIT_USAGE;
}

/* ---- list ------------------------------------------------------------ */

static void pool_print_list(const msgpack_object *res)
{
	static const char *const head[] = {N_("ID"), N_("NAME"), N_("SEX"), N_("RESIDENT ID"), N_("PHONE"),
	                                   N_("APPOINTMENT"), N_("STATUS"), N_("TERM"),
	                                   N_("SPECIALTIES")};
	static const char *const keys[] = {"id", "name", "sex", "resident_id", "phone",
	                                   "appointment", "status", "term", "specialties"};
	enum { NCOLS = sizeof keys / sizeof keys[0] };
	size_t n = out_print_maps(head, keys, NCOLS, proto_map_get(res, "experts"));
	out_page_footer(res, n, "experts match");
}

int cmd_pool_list(struct ctl *ctl, int argc, char **argv)
{
	static const struct ctl_arg_opt opts[] = {
		{"specialty", "specialty", 0, 0},
		{"group-type", "group_type", 0, 0},
		{"status", "status", 0, 0},
		{"appointment", "appointment", 0, 0},
		{"term", "term", 1, 9999},
		CTL_PAGE_OPTS,
		{NULL, NULL, 0, 0}};
	return ctl_run_args_show(ctl, argc, argv, opts, PROTO_OP_POOL_LIST, pool_print_list);
}

/* ---- show ------------------------------------------------------------ */

/* map[key] (unix seconds) in China Standard Time, labelled, whatever the
 * host's zone; "" when absent. */
static const char *pool_time(const msgpack_object *map, const char *key, char *buf,
                             size_t size)
{
	char t[CMD_TIME_LEN];
	cmd_time_field(map, key, t);
	snprintf(buf, size, "%s%s", t, t[0] ? _(" CST") : "");
	return buf;
}

/* "relaxation        approved by ops on 2026-12-07 10:00:00: <basis>". */
static void pool_print_approval(const msgpack_object *e, const char *key,
                                const char *what)
{
	const msgpack_object *a = proto_map_get(e, key);
	char by[128], at[32], basis[600];
	if (!a || a->type != MSGPACK_OBJECT_MAP)
		return;
	out_field(a, "approved_by", by, sizeof by);
	pool_time(a, "approved_at", at, sizeof at);
	out_field(a, "basis", basis, sizeof basis);
	out_label(stdout, key, 17);
	printf(_("%s %s%s%s: "), _(what), by[0] ? by : _("(not recorded: before draft 11)"),
	       at[0] ? _(" on ") : "", at);
	out_text(stdout, basis, strlen(basis));
	putchar('\n');
}

/* Whether e is eligible in fewer specialties than it holds. */
static bool pool_is_limited(const msgpack_object *e)
{
	const msgpack_object *all = proto_map_get(e, "specialties");
	const msgpack_object *in = proto_map_get(e, "eligible_specialties");
	return all && in && all->type == MSGPACK_OBJECT_ARRAY &&
	       in->type == MSGPACK_OBJECT_ARRAY && in->via.array.size < all->via.array.size;
}

static void pool_print_expert(const msgpack_object *e)
{
	static const char *const keys[] = {
		"id", "name", "sex", "age", "birth_date", "resident_id", "phone", "email",
		"appointment", "status",
		"suspended_until", "term", "leader", "employer", "employer_code",
		"recommender_code", "position", "specialties", "group_types", "task_types",
		"title", "qualification", "assess_years", "training_years", "relaxations",
		"relaxation_occupations", "eligible_specialties"};
	char buf[1024];
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		out_shown(e, keys[i], buf, sizeof buf);
		/* Where the expert is drawn: said only when not everywhere
		 * (POLICY.md 4.2). */
		if (!buf[0] || (strcmp(keys[i], "eligible_specialties") == 0 &&
		                !pool_is_limited(e)))
			continue;
		out_label(stdout, keys[i], 17);
		out_text(stdout, buf, strlen(buf));
		putchar('\n');
	}
	pool_print_approval(e, "relaxation", N_("relaxation grounds approved by"));
	pool_print_approval(e, "age_exception", N_("age exception (第十一条(六)) approved by"));
	out_label(stdout, "created_at", 17);
	printf("%s\n", pool_time(e, "created_at", buf, sizeof buf));
	out_label(stdout, "updated_at", 17);
	printf("%s\n", pool_time(e, "updated_at", buf, sizeof buf));
}

/* A ground as people read it (POLICY.md 6.3): its label in the reader's
 * language, which the Center's own grounds have in no catalogue; else its
 * code in words. */
static const char *pool_ground_words(const msgpack_object *o, bool zh, char *buf,
                                     size_t size)
{
	const char *key = zh ? "ground_label" : "ground_label_en";
	if (proto_map_get(o, key))
		return out_field(o, key, buf, size);
	return out_shown(o, "ground", buf, size);
}

static const char *pool_text(const char *msgid)
{
	return _(msgid);
}

/* The detail as people read it: its pattern (PROTOCOL.md 7.2) in their
 * words, the codes in it through the catalog; unknown text as it is. */
static const char *pool_detail(const msgpack_object *o, char *buf, size_t size)
{
	static const struct detail_words words = {pool_text, ctl_value};
	char wire[1100];
	detail_words(out_field(o, "detail", wire, sizeof wire), &words, buf, size);
	return buf;
}

static void pool_print_history(const msgpack_object *h, bool zh)
{
	static const char *const head[] = {N_("AT"), N_("ACTOR"), N_("EVENT"), N_("UNTIL"), N_("GROUND"),
	                                   N_("REASON"), N_("REFERRAL"), N_("DETAIL")};
	if (!h || h->type != MSGPACK_OBJECT_ARRAY || h->via.array.size == 0)
		return;
	printf(_("\nhistory:\n"));
	struct out_table *t = out_table_new(8, head);
	for (uint32_t i = 0; i < h->via.array.size; i++) {
		const msgpack_object *o = &h->via.array.ptr[i];
		char at[32], actor[128], ev[64], until[16], ground[128], why[600];
		char referral[600], detail[1400];
		const char *row[] = {pool_time(o, "at", at, sizeof at),
		                     out_actor(o, actor, sizeof actor),
		                     out_shown(o, "event", ev, sizeof ev),
		                     out_field(o, "until", until, sizeof until),
		                     pool_ground_words(o, zh, ground, sizeof ground),
		                     out_shown(o, "reason", why, sizeof why),
		                     out_field(o, "referral", referral, sizeof referral),
		                     pool_detail(o, detail, sizeof detail)};
		out_table_add(t, row);
	}
	out_table_print(t, stdout);
	out_table_destroy(&t);
}

/* The expert's periods of unavailability, newest first (PROTOCOL.md
 * 7.6.2): the id pool unavailable-withdraw takes, the days as they now
 * are. Days are China Standard Time days already; the time is labelled. */
static void pool_print_periods(const msgpack_object *res)
{
	static const char *const head[] = {N_("ID"), N_("FROM"), N_("TO"), N_("WITHDRAWN"),
	                                   N_("CHANNEL"), N_("BY"), N_("RECORDED (CST)"),
	                                   N_("REASON")};
	static const char *const keys[] = {"id", "from", "to", "withdrawn",
	                                   "channel", "~created_by", "@created_at", "reason"};
	const msgpack_object *list = proto_map_get(res, "unavailable");
	char total[32];
	if (!list || list->type != MSGPACK_OBJECT_ARRAY)
		return;
	printf(_("\nperiods of unavailability:\n"));
	if (list->via.array.size == 0) {
		printf(_("(none)\n"));
		return;
	}
	cmd_print_table(head, keys, sizeof keys / sizeof keys[0], list);
	out_field(res, "unavailable_count", total, sizeof total);
	if (strtoull(total, NULL, 10) > list->via.array.size)
		printf(_("(the newest %u of %s periods)\n"), (unsigned)list->via.array.size, total);
}

static void pool_print_show(const msgpack_object *res, bool zh)
{
	pool_print_expert(proto_map_get(res, "expert"));
	cmd_print_appointment(res);
	pool_print_history(proto_map_get(res, "history"), zh);
	const msgpack_object *c = proto_map_get(res, "conflicts");
	if (c && c->type == MSGPACK_OBJECT_ARRAY && c->via.array.size > 0) {
		printf(_("\nconflicts:\n"));
		cmd_print_conflicts(c);
	}
	pool_print_periods(res);
	if (proto_map_get(res, "ledger")) {
		printf(_("\ndecline ledger: "));
		cmd_print_ledger(proto_map_get(res, "ledger"));
	}
	if (proto_map_get(res, "assignments")) {
		printf(_("\nassignments:\n"));
		cmd_print_assignments(proto_map_get(res, "assignments"));
	}
}

int cmd_pool_show(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{"reveal", no_argument, NULL, 'R'},
		{"reason", required_argument, NULL, 'r'},
		{NULL, 0, NULL, 0}};
	const char *reason = NULL;
	bool reveal = false, help = false;
	int c;
	int64_t id;
	while ((c = ctl_getopt(ctl, argc, argv, opts, &help)) != -1) {
		if (c == '?')
			return CTL_EXIT_USAGE;
		if (c == 'R')
			reveal = true;
		else
			reason = optarg;
	}
	if (help)
		return ctl_help(ctl);
	int rc = pool_expert_arg(ctl, argc, argv, &id);
	if (rc)
		return rc;
	if (reveal && !reason)
		return ctl_usage(ctl, _("--reveal needs --reason: revealing is audited"));
	if (reason && !reveal)
		return ctl_usage(ctl, _("--reason goes with --reveal"));

	struct ctl_args a;
	ctl_args_init(&a);
	ctl_args_int(&a, "expert", id);
	if (reveal) {
		ctl_args_bool(&a, "reveal", true);
		ctl_args_str(&a, "reason", reason);
	}
	rc = ctl_call_show_lang(ctl, PROTO_OP_POOL_SHOW, &a, pool_print_show);
	ctl_args_destroy(&a);
	return rc;
}

/* ---- suspend / reinstate / revoke ------------------------------------ */

/* "expert 12: suspended": the standing a change left. */
static void pool_print_status(const msgpack_object *res)
{
	char e[32], s[64];
	out_shown(res, "status", s, sizeof s);
	printf(_("expert %s: "), out_field(res, "expert", e, sizeof e));
	out_text(stdout, s, strlen(s));
	putchar('\n');
}

/* Which options a status change takes: reinstate only --reason. */
enum pool_change_opts { POOL_REASON, POOL_GROUND, POOL_GROUND_UNTIL };

static int pool_change(struct ctl *ctl, int argc, char **argv, enum proto_op op,
                       enum pool_change_opts which)
{
	/* --ground and --referral: POLICY.md 6.3 (第十七条). */
	static const struct option opts[] = {
		{"reason", required_argument, NULL, 'r'},
		{"ground", required_argument, NULL, 'g'},
		{"referral", required_argument, NULL, 'f'},
		{"until", required_argument, NULL, 'u'},
		{NULL, 0, NULL, 0}};
	static const struct option reason_only[] = {
		{"reason", required_argument, NULL, 'r'},
		{NULL, 0, NULL, 0}};
	static const struct option grounds[] = {
		{"reason", required_argument, NULL, 'r'},
		{"ground", required_argument, NULL, 'g'},
		{"referral", required_argument, NULL, 'f'},
		{NULL, 0, NULL, 0}};
	const char *reason = NULL, *until = NULL, *ground = NULL, *referral = NULL;
	bool help = false;
	int c;
	int64_t id;
	const struct option *o = which == POOL_REASON ? reason_only
	                         : which == POOL_GROUND ? grounds : opts;
	while ((c = ctl_getopt(ctl, argc, argv, o, &help)) != -1) {
		if (c == '?')
			return CTL_EXIT_USAGE;
		if (c == 'r')
			reason = optarg;
		else if (c == 'g')
			ground = optarg;
		else if (c == 'f')
			referral = optarg;
		else
			until = optarg;
	}
	if (help)
		return ctl_help(ctl);
	int rc = pool_expert_arg(ctl, argc, argv, &id);
	if (rc)
		return rc;
	if (!reason)
		return ctl_usage(ctl, _("--reason is required"));
	if (until && !ctl_date(ctl, "--until", until))
		return CTL_EXIT_USAGE;
	/* Which grounds there are is the daemon's to say: the Center adds its own. */
	if (ground && !ident_ground_code(ground, strlen(ground)))
		return ctl_usage(ctl, _("--ground takes a ground's code, such as "
		                 "confidentiality (泄密), favouritism (徇私舞弊), "
		                 "non_participation (长期不参加委派任务) or other (expertctl "
		                 "pool grounds lists them all), not \"%s\""), ground);

	struct ctl_args a;
	ctl_args_init(&a);
	ctl_args_int(&a, "expert", id);
	ctl_args_str(&a, "reason", reason);
	if (until)
		ctl_args_str(&a, "until", until);
	if (ground)
		ctl_args_str(&a, "ground", ground);
	if (referral)
		ctl_args_str(&a, "referral", referral);
	rc = ctl_call_show(ctl, op, &a, pool_print_status);
	ctl_args_destroy(&a);
	return rc;
}

int cmd_pool_suspend(struct ctl *ctl, int argc, char **argv)
{
	return pool_change(ctl, argc, argv, PROTO_OP_POOL_SUSPEND, POOL_GROUND_UNTIL);
}

int cmd_pool_reinstate(struct ctl *ctl, int argc, char **argv)
{
	return pool_change(ctl, argc, argv, PROTO_OP_POOL_REINSTATE, POOL_REASON);
}

int cmd_pool_revoke(struct ctl *ctl, int argc, char **argv)
{
	return pool_change(ctl, argc, argv, PROTO_OP_POOL_REVOKE, POOL_GROUND);
}

/* ---- grounds ---------------------------------------------------------- */

static void pool_print_grounds(const msgpack_object *res, bool zh)
{
	static const char *const head[] = {N_("CODE"), N_("GROUND"), N_("CONFIGURED")};
	const msgpack_object *g = proto_map_get(res, "grounds");
	if (!g || g->type != MSGPACK_OBJECT_ARRAY)
		return;
	struct out_table *t = out_table_new(3, head);
	for (uint32_t i = 0; i < g->via.array.size; i++) {
		const msgpack_object *o = &g->via.array.ptr[i];
		char code[64], label[128], conf[32];
		const msgpack_object *en = proto_map_get(o, "label_en");
		bool has_en = en && en->type == MSGPACK_OBJECT_STR && en->via.str.size > 0;
		const char *row[] = {out_field(o, "code", code, sizeof code),
		                     out_field(o, zh || !has_en ? "label" : "label_en", label,
		                               sizeof label),
		                     out_shown(o, "configured", conf, sizeof conf)};
		out_table_add(t, row);
	}
	out_table_print(t, stdout);
	out_table_destroy(&t);
}

int cmd_pool_grounds(struct ctl *ctl, int argc, char **argv)
{
	return ctl_run_show_lang(ctl, argc, argv, PROTO_OP_GROUNDS_LIST, pool_print_grounds);
}
