/*
 * cmd_answer.c - an expert's answer to a drawn seat (PROTOCOL.md 7.12).
 * `confirm` and `decline` are the expert's own, by the one-time token the
 * draw issued, on the daemon's answer endpoint: experts hold no
 * allowlisted key, so in secure mode this run makes a CURVE key pair of
 * its own (the channel is still encrypted; the token is the credential).
 * `answer` is staff recording an answer on the expert's behalf, by
 * assignment id, on the request endpoint; `reissue` is staff getting a
 * new token for an offered seat whose first never reached the expert.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "out.h"

#define ANSWER_ID_MAX INT64_C(999999999999)
#define ANSWER_TOKEN_MIN 3    /* PROTOCOL 7.12.6: token, 3..192 bytes as sent */
#define ANSWER_TOKEN_MAX 192

/* ---- the result ----------------------------------------------------------- */

/* "label            text\n", the text cleaned: it comes from the server. */
static void answer_line(const char *label, const char *text)
{
	out_label(stdout, label, 16);
	out_text(stdout, text, strlen(text));
	putchar('\n');
}

/* filled_by of assignment.reply: the seat that took the freed place, and
 * its token, which no one else will ever show. */
static void answer_print_filled(const struct proto_reply *rep)
{
	const msgpack_object *f = proto_map_get(rep->result, "filled_by");
	char state[32], line[256];
	out_field(rep->result, "state", state, sizeof state);
	/* An expert's own answer (assignment.answer) says nothing about the
	 * seat's next holder: no filled_by key at all. */
	if (!f)
		return;
	if (f->type != MSGPACK_OBJECT_MAP) {
		if (strcmp(state, "declined") == 0 || strcmp(state, "withdrawn") == 0)
			answer_line("replaced by", _("nobody (the seat was not filled; "
			            "`expertctl task show` gives the fill state)"));
		return;
	}
	char a[32], e[32], role[32], how[32], deadline[CMD_TIME_LEN];
	snprintf(line, sizeof line, _("assignment %s: expert %s, %s, %s; answer by %s CST"),
	         out_field(f, "assignment", a, sizeof a), out_field(f, "expert", e, sizeof e),
	         out_shown(f, "role", role, sizeof role), out_shown(f, "how", how, sizeof how),
	         cmd_time_field(f, "deadline", deadline));
	answer_line("replaced by", line);
	size_t len = 0;
	const char *tok = ctl_token(rep, proto_map_int(f, "assignment", 0), &len);
	if (tok) {
		snprintf(line, sizeof line, "%.*s", (int)len, tok);
		answer_line("token", line);
		printf(_("(shown this once: give it to expert %s)\n"), e);
	}
}

static void answer_print(const struct proto_reply *rep)
{
	const msgpack_object *r = rep->result;
	char buf[700], kind[32], spec[400], district[128];
	char start[CMD_TIME_LEN], end[CMD_TIME_LEN];
	answer_line("assignment", out_field(r, "assignment", buf, sizeof buf));
	answer_line("task", out_field(r, "task", buf, sizeof buf));
	answer_line("state", out_shown(r, "state", buf, sizeof buf));
	if (proto_map_get(r, "start")) {
		out_shown(r, "kind", kind, sizeof kind);
		out_field(r, "specialty", spec, sizeof spec);
		out_field(r, "district", district, sizeof district);
		snprintf(buf, sizeof buf, "%s %s%s%s", kind, spec, district[0] ? ", " : "",
		         district);
		answer_line("work", buf);
		snprintf(buf, sizeof buf, "%s CST", cmd_time_field(r, "start", start));
		answer_line("from", buf);
		snprintf(buf, sizeof buf, "%s CST", cmd_time_field(r, "end", end));
		answer_line("to", buf);
	}
	answer_print_filled(rep);
}

/* Call op and print the result; tokens go with it in JSON. */
/* Call op, then print its result with print, or as JSON (with the
 * reply's tokens when the operation may issue any). */
static int answer_call_print(struct ctl *ctl, enum proto_op op, struct ctl_args *a,
                             void (*print)(const struct proto_reply *), bool tokens)
{
	struct proto_reply rep;
	int rc = ctl_call(ctl, op, a, NULL, &rep);
	if (rc)
		return rc;
	if (ctl->json)
		out_json_print(out_json_result(&rep, tokens));
	else
		print(&rep);
	proto_reply_release(&rep);
	return 0;
}

static int answer_call(struct ctl *ctl, enum proto_op op, struct ctl_args *a)
{
	return answer_call_print(ctl, op, a, answer_print, true);
}

/* ---- confirm / decline, by token ------------------------------------------ */

/* --reason, --note, --org: shared by decline and answer. */
struct answer_why {
	const char *reason, *note, *org;
};

static void answer_why_args(struct ctl_args *a, const struct answer_why *w)
{
	if (w->reason)
		ctl_args_str(a, "reason", w->reason);
	if (w->note)
		ctl_args_str(a, "note", w->note);
	if (w->org)
		ctl_args_str(a, "org_code", w->org);
}

int cmd_answer_endpoint(struct ctl *ctl, const char *token, const char *given,
                        char *endpoint, size_t size, const char **saved)
{
	size_t len = strlen(token);
	if (len < ANSWER_TOKEN_MIN || len > ANSWER_TOKEN_MAX)
		return ctl_usage(ctl, _("TOKEN is %d to %d characters, as the draw gave it"),
		                 ANSWER_TOKEN_MIN, ANSWER_TOKEN_MAX);
	if (!ctl_endpoint(ctl, given, "EXPERTD_ANSWER_ENDPOINT", CTL_ANSWER_PORT_OFFSET,
	                  endpoint, size))
		return ctl_usage(ctl, _("give --answer-endpoint (or EXPERTD_ANSWER_ENDPOINT): "
		                 "the answer endpoint cannot be derived from %s"),
		                 ctl->copt.endpoint);
	/* This command's one call goes to the answer endpoint; with the
	 * daemon's key but none of our own, CURVE with a pair made now. */
	*saved = ctl->copt.endpoint;
	ctl->copt.endpoint = endpoint;
	ctl->copt.fresh_key = !ctl->copt.secret_key_file && ctl->copt.server_key;
	return 0;
}

static int answer_by_token(struct ctl *ctl, int argc, char **argv, bool accept)
{
	static const struct option with_reason[] = {
		{"reason", required_argument, NULL, 'r'},
		{"note", required_argument, NULL, 'n'},
		{"org", required_argument, NULL, 'o'},
		{"answer-endpoint", required_argument, NULL, 'E'},
		{NULL, 0, NULL, 0}};
	const struct option *opts = accept ? with_reason + 3 : with_reason;
	struct answer_why w = {NULL, NULL, NULL};
	const char *given = NULL;
	bool help = false;
	int c;
	while ((c = ctl_getopt(ctl, argc, argv, opts, &help)) != -1) {
		switch (c) {
		case 'r': w.reason = optarg; break;
		case 'n': w.note = optarg; break;
		case 'o': w.org = optarg; break;
		case 'E': given = optarg; break;
		default: return CTL_EXIT_USAGE;
		}
	}
	if (help)
		return ctl_help(ctl);
	if (optind >= argc)
		return ctl_usage(ctl, _("missing TOKEN"));
	if (optind + 1 < argc)
		return ctl_usage(ctl, _("unexpected argument \"%s\""), argv[optind + 1]);
	const char *token = argv[optind];
	if (!accept && !w.reason)
		return ctl_usage(ctl, _("--reason is required: conflict, illness, "
		                 "official_duty, schedule or other"));
	char endpoint[512];
	const char *request_ep;
	int rc = cmd_answer_endpoint(ctl, token, given, endpoint, sizeof endpoint,
	                             &request_ep);
	if (rc)
		return rc;
	struct ctl_args a;
	ctl_args_init(&a);
	ctl_args_str(&a, "token", token);
	ctl_args_str(&a, "answer", accept ? "accept" : "decline");
	answer_why_args(&a, &w);
	rc = answer_call(ctl, PROTO_OP_ASSIGNMENT_ANSWER, &a);
	ctl_args_destroy(&a);
	ctl->copt.endpoint = request_ep;
	return rc;
}

int cmd_confirm(struct ctl *ctl, int argc, char **argv)
{
	return answer_by_token(ctl, argc, argv, true);
}

int cmd_decline(struct ctl *ctl, int argc, char **argv)
{
	return answer_by_token(ctl, argc, argv, false);
}

/* ---- answer, by staff ------------------------------------------------------ */

int cmd_answer(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{"channel", required_argument, NULL, 'c'},
		{"reason", required_argument, NULL, 'r'},
		{"note", required_argument, NULL, 'n'},
		{"org", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0}};
	struct answer_why w = {NULL, NULL, NULL};
	const char *channel = NULL;
	bool help = false;
	int c;
	int64_t id;
	while ((c = ctl_getopt(ctl, argc, argv, opts, &help)) != -1) {
		switch (c) {
		case 'c': channel = optarg; break;
		case 'r': w.reason = optarg; break;
		case 'n': w.note = optarg; break;
		case 'o': w.org = optarg; break;
		default: return CTL_EXIT_USAGE;
		}
	}
	if (help)
		return ctl_help(ctl);
	if (argc - optind != 2)
		return ctl_usage(ctl, _("give ASSIGNMENT and accept, decline or withdraw"));
	if (!ctl_int(ctl, "ASSIGNMENT", argv[optind], 1, ANSWER_ID_MAX, &id))
		return CTL_EXIT_USAGE;
	const char *answer = argv[optind + 1];
	if (proto_choice_index(proto_answers, answer, strlen(answer)) < 0)
		return ctl_usage(ctl, _("the answer is accept, decline or withdraw, not \"%s\""),
		                 answer);
	if (!channel)
		return ctl_usage(ctl, _("--channel is required: how the expert answered "
		                 "(phone, sms, email, in_person or other)"));
	if (strcmp(answer, "accept") != 0 && !w.reason)
		return ctl_usage(ctl, _("--reason is required to %s: conflict, illness, "
		                 "official_duty, schedule or other"), answer);

	struct ctl_args a;
	ctl_args_init(&a);
	ctl_args_int(&a, "assignment", id);
	ctl_args_str(&a, "answer", answer);
	ctl_args_str(&a, "channel", channel);
	answer_why_args(&a, &w);
	int rc = answer_call(ctl, PROTO_OP_ASSIGNMENT_REPLY, &a);
	ctl_args_destroy(&a);
	return rc;
}

/* ---- reissue, by staff ----------------------------------------------------- */

static void reissue_print(const struct proto_reply *rep)
{
	const msgpack_object *r = rep->result;
	char buf[256], deadline[CMD_TIME_LEN];
	answer_line("assignment", out_field(r, "assignment", buf, sizeof buf));
	answer_line("task", out_field(r, "task", buf, sizeof buf));
	answer_line("state", out_shown(r, "state", buf, sizeof buf));
	snprintf(buf, sizeof buf, "%s CST", cmd_time_field(r, "deadline", deadline));
	answer_line("answer by", buf);
	size_t len = 0;
	const char *tok = ctl_token(rep, proto_map_int(r, "assignment", 0), &len);
	if (!tok) {
		printf(_("(no token: a repeated request gets the recorded reply, and tokens "
		       "are never recorded)\n"));
		return;
	}
	snprintf(buf, sizeof buf, "%.*s", (int)len, tok);
	answer_line("token", buf);
	printf(_("(shown this once: the old token no longer works; give this one to "
	       "expert %s)\n"), out_field(r, "expert", deadline, sizeof deadline));
}

int cmd_reissue(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{"reason", required_argument, NULL, 'r'},
		{NULL, 0, NULL, 0}};
	const char *reason = NULL;
	bool help = false;
	int c;
	int64_t id;
	while ((c = ctl_getopt(ctl, argc, argv, opts, &help)) != -1) {
		switch (c) {
		case 'r': reason = optarg; break;
		default: return CTL_EXIT_USAGE;
		}
	}
	if (help)
		return ctl_help(ctl);
	if (argc - optind != 1)
		return ctl_usage(ctl, _("give ASSIGNMENT, the offered seat"));
	if (!ctl_int(ctl, "ASSIGNMENT", argv[optind], 1, ANSWER_ID_MAX, &id))
		return CTL_EXIT_USAGE;
	if (!reason || !reason[0])
		return ctl_usage(ctl, _("--reason is required: why a new token (e.g. "
		                 "\"sms lost\")"));

	struct ctl_args a;
	ctl_args_init(&a);
	ctl_args_int(&a, "assignment", id);
	ctl_args_str(&a, "reason", reason);
	int rc = answer_call_print(ctl, PROTO_OP_ASSIGNMENT_REISSUE, &a, reissue_print, true);
	ctl_args_destroy(&a);
	return rc;
}

/* ---- seat correct, by an operator ------------------------------------------ */

static void correct_print(const struct proto_reply *rep)
{
	const msgpack_object *r = rep->result;
	char buf[256];
	answer_line("assignment", out_field(r, "assignment", buf, sizeof buf));
	answer_line("task", out_field(r, "task", buf, sizeof buf));
	answer_line("expert", out_field(r, "expert", buf, sizeof buf));
	answer_line("state", out_shown(r, "state", buf, sizeof buf));
	if (out_shown(r, "decline_reason", buf, sizeof buf)[0])
		answer_line("decline reason", buf);
	answer_line("expert status", out_shown(r, "expert_status", buf, sizeof buf));
}

int cmd_seat_correct(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{"attendance", required_argument, NULL, 'a'},
		{"answer", required_argument, NULL, 'w'},
		{"decline-reason", required_argument, NULL, 'd'},
		{"reason", required_argument, NULL, 'r'},
		{NULL, 0, NULL, 0}};
	const char *attendance = NULL, *answer = NULL, *decline = NULL, *reason = NULL;
	bool help = false;
	int c;
	int64_t id;
	while ((c = ctl_getopt(ctl, argc, argv, opts, &help)) != -1) {
		switch (c) {
		case 'a': attendance = optarg; break;
		case 'w': answer = optarg; break;
		case 'd': decline = optarg; break;
		case 'r': reason = optarg; break;
		default: return CTL_EXIT_USAGE;
		}
	}
	if (help)
		return ctl_help(ctl);
	if (argc - optind != 1)
		return ctl_usage(ctl, _("give ASSIGNMENT, the seat to correct"));
	if (!ctl_int(ctl, "ASSIGNMENT", argv[optind], 1, ANSWER_ID_MAX, &id))
		return CTL_EXIT_USAGE;
	if (!attendance == !(answer || decline))
		return ctl_usage(ctl, _("give --attendance, or --answer and/or --decline-reason"));
	if (!reason || !reason[0])
		return ctl_usage(ctl, _("--reason is required: why the record was wrong"));

	struct ctl_args a;
	ctl_args_init(&a);
	ctl_args_int(&a, "assignment", id);
	if (attendance)
		ctl_args_str(&a, "attendance", attendance);
	if (answer)
		ctl_args_str(&a, "answer", answer);
	if (decline)
		ctl_args_str(&a, "decline_reason", decline);
	ctl_args_str(&a, "reason", reason);
	int rc = answer_call_print(ctl, PROTO_OP_ASSIGNMENT_CORRECT, &a, correct_print, false);
	ctl_args_destroy(&a);
	return rc;
}
