/*
 * cmd_draw.c - expertctl draw and redraw (第十九条 随机、回避): ask the
 * daemon for a panel and show it, or, when too few experts are left after
 * recusal, how many each cause excluded and which one to change. The
 * nonce sent with a draw is the requester's contribution to the seed, so
 * it is made here, not by the daemon.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "cmd.h"
#include "hint.h"
#include "out.h"
#include "roster.h"
#include "roster_fields.h"

#define DRAW_MAX_ORGS 8       /* PROTOCOL: orgs, 0..8 */
#define DRAW_MAX_EXCLUDE 64   /* PROTOCOL: exclude, 0..64 */
#define DRAW_MAX_QUOTAS 4     /* PROTOCOL: quotas, 2..4 */
#define DRAW_EXPERT_MAX INT64_C(999999999)
#define DRAW_RESPOND_MAX 2592000 /* PROTOCOL: respond_within, 30 days */
#define DRAW_NONCE_BYTES 16   /* 32 hex characters */
#define DRAW_NONCE_HEX (2 * DRAW_NONCE_BYTES + 1)

/* Domain tag of nonces derived from --request-id. */
static const char DRAW_NONCE_DOMAIN[] = "expertctl-nonce-v1";

/*
 * The default nonce: random; but with --request-id, derived from it, so
 * that rerunning the same command sends the same bytes and gets the first
 * reply (PROTOCOL 6.2) rather than request_id_reused. Either way it is
 * chosen on this side before the daemon sees the request.
 */
static void draw_nonce(const struct ctl *ctl, char hex[DRAW_NONCE_HEX])
{
	uint8_t b[DRAW_NONCE_BYTES];
	if (ctl->request_id)
		crypto_generichash(b, sizeof b, (const uint8_t *)ctl->request_id,
		                   strlen(ctl->request_id), (const uint8_t *)DRAW_NONCE_DOMAIN,
		                   sizeof DRAW_NONCE_DOMAIN - 1);
	else
		randombytes_buf(b, sizeof b);
	out_hex(b, sizeof b, hex);
}

/* ---- replies ---------------------------------------------------------- */

/* The specialty of a mixed panel's seat s: its quota's, from the reply's
 * quotas (DRAW.md 3.7); "" for a one-specialty panel. */
static const char *draw_seat_specialty(const msgpack_object *res,
                                       const msgpack_object *s, char *buf, size_t size)
{
	const msgpack_object *qs = proto_map_get(res, "quotas");
	int64_t q = proto_map_int(s, "quota", -1);
	buf[0] = '\0';
	if (qs && qs->type == MSGPACK_OBJECT_ARRAY && q >= 0 && q < qs->via.array.size)
		out_field(&qs->via.array.ptr[q], "specialty", buf, size);
	return buf;
}

/* The panel, one row per seat, with the one-time token of each offered
 * seat from the reply's envelope; a mixed panel's seats show their
 * specialty. Returns how many tokens were shown; *offered counts the
 * offered seats. */
static size_t draw_print_seats(const struct proto_reply *rep, size_t *offered)
{
	/* Column 2, SPECIALTY, only for a mixed panel. */
	static const char *const head[] = {N_("SEAT"), N_("ROLE"), N_("SPECIALTY"), N_("EXPERT"), N_("NAME"),
	                                   N_("PHONE"), N_("EMPLOYER"), N_("ASSIGNMENT"), N_("STATE"),
	                                   N_("ANSWER BY (CST)"), N_("TOKEN")};
	static const char *const head_one[] = {N_("SEAT"), N_("ROLE"), N_("EXPERT"), N_("NAME"), N_("PHONE"),
	                                       N_("EMPLOYER"), N_("ASSIGNMENT"), N_("STATE"),
	                                       N_("ANSWER BY (CST)"), N_("TOKEN")};
	enum { NCOLS = sizeof head / sizeof head[0] };
	const msgpack_object *panel = proto_map_get(rep->result, "panel");
	uint32_t n = panel && panel->type == MSGPACK_OBJECT_ARRAY ? panel->via.array.size : 0;
	bool mixed = proto_map_get(rep->result, "quotas") != NULL;
	size_t shown = 0;
	struct out_table *t = out_table_new(NCOLS - !mixed, mixed ? head : head_one);
	for (uint32_t i = 0; i < n; i++) {
		const msgpack_object *s = &panel->via.array.ptr[i];
		char b[8][256], deadline[CMD_TIME_LEN], token[80] = "", spec[256];
		size_t len = 0;
		const char *tok = ctl_token(rep, proto_map_int(s, "assignment", 0), &len);
		if (tok) {
			snprintf(token, sizeof token, "%.*s", (int)len, tok);
			shown++;
		}
		out_field(s, "state", b[7], sizeof b[7]);
		*offered += strcmp(b[7], "offered") == 0;
		const char *row[NCOLS] = {
			out_field(s, "seat", b[0], sizeof b[0]), out_shown(s, "role", b[1], sizeof b[1]),
			draw_seat_specialty(rep->result, s, spec, sizeof spec),
			out_field(s, "expert", b[2], sizeof b[2]), out_field(s, "name", b[3], sizeof b[3]),
			out_field(s, "phone", b[4], sizeof b[4]),
			out_field(s, "employer", b[5], sizeof b[5]),
			out_field(s, "assignment", b[6], sizeof b[6]),
			out_shown(s, "state", b[7], sizeof b[7]), cmd_time_field(s, "deadline", deadline),
			token};
		if (!mixed)
			memmove(&row[2], &row[3], (NCOLS - 3) * sizeof row[0]);
		out_table_add(t, row);
	}
	out_table_print(t, stdout);
	out_table_destroy(&t);
	return shown;
}

/* A leader named by the operator (DRAW.md 3.6): what a decline does. */
static void draw_print_designated(const char *reason)
{
	printf(_("\nThe leader (seat 0) was named, not drawn: "));
	out_text(stdout, reason, strlen(reason));
	printf(_("\nShould they decline, the leader seat is filled as any other: a "
	       "leader-eligible\nbackup is promoted, else a replacement is drawn at "
	       "random.\n"));
}

static void draw_print_panel(const struct proto_reply *rep, const char *nonce)
{
	const msgpack_object *res = rep->result;
	char buf[3][80];
	printf(_("task             %s\n"), out_field(res, "task", buf[0], sizeof buf[0]));
	printf(_("draw             %s (audit seq %s)\n"),
	       out_field(res, "draw", buf[0], sizeof buf[0]),
	       out_field(res, "seq", buf[1], sizeof buf[1]));
	printf(_("transcript hash  %s\n"),
	       out_field(res, "transcript_hash", buf[2], sizeof buf[2]));
	printf(_("candidates       %s\n"),
	       out_field(res, "candidates", buf[0], sizeof buf[0]));
	const msgpack_object *qs = proto_map_get(res, "quotas");
	for (uint32_t q = 0; qs && qs->type == MSGPACK_OBJECT_ARRAY && q < qs->via.array.size; q++) {
		char spec[256];
		const msgpack_object *x = &qs->via.array.ptr[q];
		printf(_("  quota %u        %s (%s): %s candidates\n"), q,
		       out_field(x, "specialty", spec, sizeof spec),
		       out_field(x, "group", buf[1], sizeof buf[1]),
		       out_field(x, "candidates", buf[2], sizeof buf[2]));
	}
	if (nonce)
		printf(_("nonce            %s (your contribution to the seed)\n"), nonce);
	putchar('\n');
	size_t offered = 0;
	if (draw_print_seats(rep, &offered) > 0)
		printf(_("\nTokens are shown this once: expertd keeps only their hashes. Each "
		       "offered expert\nanswers with theirs (expertctl confirm TOKEN, or "
		       "decline TOKEN --reason R)\nby the time shown; staff may answer for "
		       "them with expertctl answer.\n"));
	else if (offered > 0)
		printf(_("\n(no tokens: a repeated request gets the recorded reply, and tokens "
		       "are never recorded)\n"));
}

/* Which of the counts say what to change, named as the reply names the
 * task (a reply recorded before draft 9 names nothing and has no
 * outside_group: no group hint then). */
static void draw_print_hints(const msgpack_object *res, const msgpack_object *ex)
{
	char spec[256], group[64], cap[64];
	struct hint_counts h = {
		.specialty = proto_map_get(res, "specialty")
			? out_field(res, "specialty", spec, sizeof spec) : NULL,
		.group = proto_map_get(res, "group")
			? out_field(res, "group", group, sizeof group) : NULL,
		.capability = out_field(res, "capability", cap, sizeof cap),
		.needed = (uint64_t)proto_map_int(res, "needed", 0),
		.found = (uint64_t)proto_map_int(res, "found", 0),
		.has_outside_group = proto_map_get(ex, "outside_group") != NULL,
		.outside_group = (uint64_t)proto_map_int(ex, "outside_group", 0),
		.capability_excluded = (uint64_t)proto_map_int(ex, "capability", 0),
	};
	hint_print(stdout, &h, "\n");
}

/* After the error line: how many each cause excluded, and what to change. */
static void draw_print_exclusions(const msgpack_object *res)
{
	static const char *const head[] = {N_("CAUSE"), N_("EXCLUDED")};
	const msgpack_object *ex = proto_map_get(res, "excluded");
	if (!ex || ex->type != MSGPACK_OBJECT_MAP)
		return;
	char needed[32], found[32], spec[256], group[64];
	/* A mixed panel's counts are the short quota's (PROTOCOL.md 7.9.4). */
	if (proto_map_get(res, "quota"))
		printf(_("quota %s (%s, %s): "), out_field(res, "quota", needed, sizeof needed),
		       out_field(res, "specialty", spec, sizeof spec),
		       out_field(res, "group", group, sizeof group));
	printf(_("needed %s, found %s\n"), out_field(res, "needed", needed, sizeof needed),
	       out_field(res, "found", found, sizeof found));
	struct out_table *t = out_table_new(2, head);
	for (uint32_t i = 0; i < ex->via.map.size; i++) {
		char rule[64], count[32], scratch[CTL_VALUE_KEY_MAX], cause[192];
		out_value(&ex->via.map.ptr[i].key, rule, sizeof rule);
		/* The cause as people read it, and its code, which the
		 * options and the spec name. */
		const char *said = ctl_value("cause", rule, scratch, sizeof scratch);
		if (said != rule)
			snprintf(cause, sizeof cause, "%s (%s)", said, rule);
		else
			snprintf(cause, sizeof cause, "%s", rule);
		const char *row[] = {cause, out_value(&ex->via.map.ptr[i].val, count,
		                                      sizeof count)};
		out_table_add(t, row);
	}
	out_table_print(t, stdout);
	out_table_destroy(&t);
	draw_print_hints(res, ex);
}

/*
 * Call op and show the panel; nonce (NULL if the user gave one) is shown
 * as theirs, and designated (NULL: none) as the reason the leader was
 * named. insufficient_candidates prints the error line, then the
 * exclusions (or the envelope with --json), and exits 1.
 */
static int draw_call(struct ctl *ctl, enum proto_op op, struct ctl_args *a,
                     const char *nonce, const char *designated)
{
	struct proto_reply rep;
	int rc = ctl_call_raw(ctl, op, a, NULL, &rep);
	if (rc)
		return rc;
	if (rep.status != PROTO_OK) {
		ctl_report(ctl, &rep);
		if (rep.status == PROTO_E_INSUFFICIENT_CANDIDATES && !ctl->json && rep.result)
			draw_print_exclusions(rep.result);
		rc = ctl_status_exit(&rep);
	} else if (ctl->json) {
		json_t *j = out_json_result(&rep, true);
		if (nonce && json_is_object(j))
			json_object_set_new(j, "nonce", json_string(nonce));
		out_json_print(j);
	} else {
		draw_print_panel(&rep, nonce);
		if (designated)
			draw_print_designated(designated);
	}
	proto_reply_release(&rep);
	return rc;
}

/* ---- draw ------------------------------------------------------------- */

/* One --quota SPECIALTY:MEMBERS[:GROUP[:BACKUPS]] (DRAW.md 3.7). */
struct draw_quota {
	char specialty[129];
	const char *group;          /* wire name, or as typed; NULL: default */
	char group_typed[64];
	int64_t members, backups;
};

struct draw_opts {
	const char *orgs[DRAW_MAX_ORGS];
	int n_orgs;
	int64_t exclude[DRAW_MAX_EXCLUDE];
	int n_exclude;
	struct draw_quota quotas[DRAW_MAX_QUOTAS];
	int n_quotas;
	const char *nonce, *start, *end;
	bool has_kind, has_specialty, has_members;
	int64_t leader_expert;        /* --leader-expert; 0: none */
	const char *leader_reason;
};

/* A number between a --quota's colons; the error names the part. */
static bool draw_quota_int(struct ctl *ctl, const char *what, const char *s, size_t n,
                           int64_t min, int64_t max, int64_t *out)
{
	char buf[24];
	snprintf(buf, sizeof buf, "%.*s", (int)(n < sizeof buf ? n : sizeof buf - 1), s);
	return ctl_int(ctl, what, buf, min, max, out);
}

/* SPECIALTY:MEMBERS[:GROUP[:BACKUPS]]; the group in the words of the
 * form (培训评审, 技能评价, 方式方法) or as on the wire. A specialty
 * cannot hold a colon. */
static int draw_quota_parse(struct ctl *ctl, const char *arg, struct draw_quota *q)
{
	const char *part[4];
	size_t len[4], n = 0;
	for (const char *p = arg; n < 4; n++) {
		const char *c = strchr(p, ':');
		part[n] = p;
		len[n] = c ? (size_t)(c - p) : strlen(p);
		if (!c) {
			n++;
			break;
		}
		p = c + 1;
	}
	memset(q, 0, sizeof *q);
	if (n < 2 || strchr(part[n - 1], ':') || len[0] == 0 || len[0] >= sizeof q->specialty)
		return ctl_usage(ctl, _("--quota takes SPECIALTY:MEMBERS[:GROUP[:BACKUPS]], "
		                 "not \"%s\""), arg);
	memcpy(q->specialty, part[0], len[0]);
	if (!draw_quota_int(ctl, "--quota members", part[1], len[1], 1, 30, &q->members) ||
	    (n == 4 && !draw_quota_int(ctl, "--quota backups", part[3], len[3], 0, 19,
	                               &q->backups)))
		return CTL_EXIT_USAGE;
	if (n >= 3 && len[2] > 0) {
		snprintf(q->group_typed, sizeof q->group_typed, "%.*s", (int)len[2], part[2]);
		struct roster_span g = {part[2], len[2]};
		q->group = roster_fields_alias(ROSTER_F_GROUP_TYPES, g);
		if (!q->group)
			q->group = q->group_typed;
	}
	return 0;
}

/* The quotas as the request's `quotas` (PROTOCOL.md 7.10.1). */
static void draw_pack_quotas(struct ctl_args *a, const struct draw_opts *o)
{
	ctl_args_key(a, "quotas");
	msgpack_pack_array(&a->pk, (size_t)o->n_quotas);
	for (int i = 0; i < o->n_quotas; i++) {
		const struct draw_quota *q = &o->quotas[i];
		msgpack_pack_map(&a->pk, 2 + (q->group != NULL) + (q->backups > 0));
		proto_pack_kv_str(&a->pk, "specialty", q->specialty);
		if (q->group)
			proto_pack_kv_str(&a->pk, "group_type", q->group);
		proto_pack_kv_int(&a->pk, "members", q->members);
		if (q->backups > 0)
			proto_pack_kv_int(&a->pk, "backups", q->backups);
	}
}

/* One option into a or o; returns 0 or an exit code. */
static int draw_option(struct ctl *ctl, int c, struct ctl_args *a, struct draw_opts *o)
{
	int64_t v;
	switch (c) {
	case 'k': o->has_kind = true; ctl_args_str(a, "kind", optarg); return 0;
	case 'S': ctl_args_str(a, "subject", optarg); return 0;
	case 's': o->has_specialty = true; ctl_args_str(a, "specialty", optarg); return 0;
	case 'g': ctl_args_str(a, "group_type", optarg); return 0;
	case 'L': ctl_args_bool(a, "leader", true); return 0;
	case 'd': ctl_args_str(a, "district", optarg); return 0;
	case 'N': ctl_args_str(a, "note", optarg); return 0;
	case 'B': ctl_args_str(a, "bureau", optarg); return 0;
	case 'n': o->nonce = optarg; return 0;
	case 't': o->start = optarg; return 0;
	case 'e': o->end = optarg; return 0;
	case 'm':
	case 'b':
		if (!ctl_int(ctl, c == 'm' ? "--members" : "--backups", optarg, c == 'm',
		             c == 'm' ? 30 : 19, &v))
			return CTL_EXIT_USAGE;
		o->has_members |= c == 'm';
		ctl_args_int(a, c == 'm' ? "members" : "backups", v);
		return 0;
	case 'o':
		if (o->n_orgs == DRAW_MAX_ORGS)
			return ctl_usage(ctl, _("at most %d --org"), DRAW_MAX_ORGS);
		o->orgs[o->n_orgs++] = optarg;
		return 0;
	case 'r':
		if (!ctl_int(ctl, "--respond-within", optarg, 1, DRAW_RESPOND_MAX, &v))
			return CTL_EXIT_USAGE;
		ctl_args_int(a, "respond_within", v);
		return 0;
	case 'q':
		if (o->n_quotas == DRAW_MAX_QUOTAS)
			return ctl_usage(ctl, _("at most %d --quota"), DRAW_MAX_QUOTAS);
		return draw_quota_parse(ctl, optarg, &o->quotas[o->n_quotas++]);
	case 'l':
		if (!ctl_int(ctl, "--leader-expert", optarg, 1, DRAW_EXPERT_MAX,
		             &o->leader_expert))
			return CTL_EXIT_USAGE;
		ctl_args_int(a, "leader_expert", o->leader_expert);
		return 0;
	case 'R': o->leader_reason = optarg; ctl_args_str(a, "leader_reason", optarg); return 0;
	case 'y': ctl_args_str(a, "respond_reason", optarg); return 0;
	case 'x':
		if (o->n_exclude == DRAW_MAX_EXCLUDE)
			return ctl_usage(ctl, _("at most %d --exclude"), DRAW_MAX_EXCLUDE);
		if (!ctl_int(ctl, "--exclude", optarg, 1, DRAW_EXPERT_MAX,
		             &o->exclude[o->n_exclude]))
			return CTL_EXIT_USAGE;
		o->n_exclude++;
		return 0;
	default:
		return CTL_EXIT_USAGE;
	}
}

/* The required options, the times, then the lists and the nonce. */
static int draw_finish_args(struct ctl *ctl, struct ctl_args *a,
                            const struct draw_opts *o)
{
	int64_t start, end;
	if (o->n_quotas == 1)
		return ctl_usage(ctl, _("a mixed panel has 2 to %d --quota; for one specialty "
		                 "use --specialty and --members"), DRAW_MAX_QUOTAS);
	if (o->n_quotas > 0 && (o->has_specialty || o->has_members))
		return ctl_usage(ctl, _("--quota replaces --specialty, --members, --group-type "
		                 "and --backups"));
	if (o->n_quotas > 0 && o->leader_expert)
		return ctl_usage(ctl, _("a mixed panel's leader is drawn from its first quota; "
		                 "--leader-expert names one for a single specialty only"));
	if (!o->has_kind || (o->n_quotas == 0 && (!o->has_specialty || !o->has_members)) ||
	    !o->start || !o->end)
		return ctl_usage(ctl, _("--kind, --start, --end, and --specialty with "
		                 "--members or two or more --quota are required"));
	if ((o->leader_expert != 0) != (o->leader_reason != NULL))
		return ctl_usage(ctl, _("--leader-expert and --leader-reason go together: "
		                 "a named leader is recorded with why"));
	if (!cmd_time_parse(o->start, &start))
		return ctl_usage(ctl, _("--start must be \"YYYY-MM-DD HH:MM\" (Beijing time) "
		                 "or unix seconds, not \"%s\""), o->start);
	if (!cmd_time_parse(o->end, &end))
		return ctl_usage(ctl, _("--end must be \"YYYY-MM-DD HH:MM\" (Beijing time) "
		                 "or unix seconds, not \"%s\""), o->end);
	ctl_args_int(a, "start", start);
	ctl_args_int(a, "end", end);
	if (o->n_orgs > 0) {
		ctl_args_key(a, "orgs");
		msgpack_pack_array(&a->pk, (size_t)o->n_orgs);
		for (int i = 0; i < o->n_orgs; i++)
			proto_pack_str(&a->pk, o->orgs[i]);
	}
	if (o->n_quotas > 0)
		draw_pack_quotas(a, o);
	if (o->n_exclude > 0) {
		ctl_args_key(a, "exclude");
		msgpack_pack_array(&a->pk, (size_t)o->n_exclude);
		for (int i = 0; i < o->n_exclude; i++)
			msgpack_pack_int64(&a->pk, o->exclude[i]);
	}
	return 0;
}

int cmd_draw(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{"kind", required_argument, NULL, 'k'},
		{"subject", required_argument, NULL, 'S'},
		{"specialty", required_argument, NULL, 's'},
		{"group-type", required_argument, NULL, 'g'},
		{"members", required_argument, NULL, 'm'},
		{"leader", no_argument, NULL, 'L'},
		{"backups", required_argument, NULL, 'b'},
		{"org", required_argument, NULL, 'o'},
		{"start", required_argument, NULL, 't'},
		{"end", required_argument, NULL, 'e'},
		{"district", required_argument, NULL, 'd'},
		{"exclude", required_argument, NULL, 'x'},
		{"note", required_argument, NULL, 'N'},
		{"nonce", required_argument, NULL, 'n'},
		{"bureau", required_argument, NULL, 'B'},
		{"respond-within", required_argument, NULL, 'r'},
		{"respond-reason", required_argument, NULL, 'y'},
		{"quota", required_argument, NULL, 'q'},
		{"leader-expert", required_argument, NULL, 'l'},
		{"leader-reason", required_argument, NULL, 'R'},
		{NULL, 0, NULL, 0}};
	struct draw_opts o = {.n_orgs = 0};
	struct ctl_args a;
	bool help = false;
	int c, rc = 0;
	ctl_args_init(&a);
	while (rc == 0 && (c = ctl_getopt(ctl, argc, argv, opts, &help)) != -1)
		rc = draw_option(ctl, c, &a, &o);
	if (rc == 0 && help)
		rc = ctl_help(ctl);
	else if (rc == 0 && optind < argc)
		rc = ctl_usage(ctl, _("unexpected argument \"%s\""), argv[optind]);
	if (rc == 0 && !help)
		rc = draw_finish_args(ctl, &a, &o);
	if (rc == 0 && !help) {
		char made[DRAW_NONCE_HEX];
		if (!o.nonce)
			draw_nonce(ctl, made);
		ctl_args_str(&a, "nonce", o.nonce ? o.nonce : made);
		rc = draw_call(ctl, PROTO_OP_DRAW, &a, o.nonce ? NULL : made,
		               o.leader_reason);
	}
	ctl_args_destroy(&a);
	return rc;
}

/* ---- redraw ----------------------------------------------------------- */

int cmd_redraw(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{"reason", required_argument, NULL, 'r'},
		{"nonce", required_argument, NULL, 'n'},
		{NULL, 0, NULL, 0}};
	const char *reason = NULL, *nonce = NULL;
	bool help = false;
	int c;
	int64_t task;
	while ((c = ctl_getopt(ctl, argc, argv, opts, &help)) != -1) {
		if (c == '?')
			return CTL_EXIT_USAGE;
		if (c == 'r')
			reason = optarg;
		else
			nonce = optarg;
	}
	if (help)
		return ctl_help(ctl);
	if (!cmd_task_arg(ctl, argc, argv, &task))
		return CTL_EXIT_USAGE;
	if (!reason)
		return ctl_usage(ctl, _("--reason is required: a redraw is recorded with why"));

	char made[DRAW_NONCE_HEX];
	if (!nonce)
		draw_nonce(ctl, made);
	struct ctl_args a;
	ctl_args_init(&a);
	ctl_args_int(&a, "task", task);
	ctl_args_str(&a, "reason", reason);
	ctl_args_str(&a, "nonce", nonce ? nonce : made);
	int rc = draw_call(ctl, PROTO_OP_DRAW_REDRAW, &a, nonce ? NULL : made, NULL);
	ctl_args_destroy(&a);
	return rc;
}
