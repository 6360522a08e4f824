/*
 * ctl.c - what every expertctl command shares: option parsing with
 * --help, building a request's args map, one call path that turns
 * transport failures and error statuses into a message and an exit code,
 * the call-then-show (JSON or text) most commands are, where the daemon's
 * other endpoints are, and the tokens a reply carries.
 */
#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "cmd.h"
#include "ident.h"
#include "out.h"
#include "receipt.h"

/* First wait before resending after "unavailable"; doubles each time. */
#define CTL_BACKOFF_MS 200L

/* Most options one command has. */
#define CTL_MAX_OPTIONS 24
/* getopt's value for ctl_arg_opt k: CTL_ARG_OPT_BASE + k, clear of the
 * characters getopt itself returns. */
#define CTL_ARG_OPT_BASE 256

/* ---- options ---------------------------------------------------------- */

void ctl_print_synopsis(const struct ctl_cmd *cmd, FILE *f)
{
	fprintf(f, _("usage: expertctl [global options] %s%s%s%s%s\n"), cmd->group,
	        cmd->name ? " " : "", cmd->name ? cmd->name : "",
	        cmd->args[0] ? " " : "", cmd->args);
}

int ctl_usage(const struct ctl *ctl, const char *fmt, ...)
{
	va_list ap;
	fputs(_("expertctl: "), stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	ctl_print_synopsis(ctl->cmd, stderr);
	return CTL_EXIT_USAGE;
}

int ctl_help(const struct ctl *ctl)
{
	ctl_print_synopsis(ctl->cmd, stdout);
	printf("\n%s\n", _(ctl->cmd->summary));
	if (ctl->cmd->help)
		printf("\n%s", _(ctl->cmd->help));
	return 0;
}

int ctl_getopt(const struct ctl *ctl, int argc, char **argv,
               const struct option *opts, bool *help)
{
	struct option all[CTL_MAX_OPTIONS + 2];
	size_t n = 0;
	while (opts[n].name)
		n++;
	assert(n <= CTL_MAX_OPTIONS);
	/* The command's options, --help, and the terminator. */
	memcpy(all, opts, n * sizeof *opts);
	all[n] = (struct option){"help", no_argument, NULL, 'h'};
	all[n + 1] = (struct option){NULL, 0, NULL, 0};
	opterr = 0;
	/* Long options only, and -h; ':' reports a missing value as ':'. */
	int c = getopt_long(argc, argv, ":h", all, NULL);
	if (c == 'h') {
		*help = true;
		return -1;
	}
	if (c == ':') {
		ctl_usage(ctl, _("option %s needs a value"), argv[optind - 1]);
		return '?';
	}
	if (c == '?') {
		ctl_usage(ctl, _("unknown option %s"), argv[optind - 1]);
		return '?';
	}
	return c;
}

int ctl_getopt_none(const struct ctl *ctl, int argc, char **argv, bool *help)
{
	static const struct option none[] = {{NULL, 0, NULL, 0}};
	int c = ctl_getopt(ctl, argc, argv, none, help);
	if (c == '?')
		return CTL_EXIT_USAGE;
	/* With an empty table getopt has nothing else to return; kept so a
	 * surprise is a usage error rather than silently ignored. */
	if (c != -1)
		return ctl_usage(ctl, _("unexpected option"));
	return 0;
}

bool ctl_int(const struct ctl *ctl, const char *what, const char *s,
             int64_t min, int64_t max, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		ctl_usage(ctl, _("%s must be a whole number from %lld to %lld, not \"%s\""),
		          what, (long long)min, (long long)max, s);
		return false;
	}
	*out = v;
	return true;
}

bool ctl_date(const struct ctl *ctl, const char *opt, const char *s)
{
	int32_t days;
	if (ident_date_parse(s, strlen(s), &days))
		return true;
	ctl_usage(ctl, _("%s must be a date as YYYY-MM-DD, not \"%s\""), opt, s);
	return false;
}

/* ---- request arguments ----------------------------------------------- */

void ctl_args_init(struct ctl_args *a)
{
	msgpack_sbuffer_init(&a->pairs);
	msgpack_sbuffer_init(&a->map);
	msgpack_packer_init(&a->pk, &a->pairs, msgpack_sbuffer_write);
	a->n = 0;
}

void ctl_args_destroy(struct ctl_args *a)
{
	msgpack_sbuffer_destroy(&a->pairs);
	msgpack_sbuffer_destroy(&a->map);
}

void ctl_args_key(struct ctl_args *a, const char *key)
{
	proto_pack_str(&a->pk, key);
	a->n++;
}

void ctl_args_str(struct ctl_args *a, const char *key, const char *val)
{
	ctl_args_key(a, key);
	proto_pack_str(&a->pk, val);
}

void ctl_args_int(struct ctl_args *a, const char *key, int64_t val)
{
	ctl_args_key(a, key);
	msgpack_pack_int64(&a->pk, val);
}

void ctl_args_bool(struct ctl_args *a, const char *key, bool val)
{
	ctl_args_key(a, key);
	if (val)
		msgpack_pack_true(&a->pk);
	else
		msgpack_pack_false(&a->pk);
}

const msgpack_sbuffer *ctl_args_finish(struct ctl_args *a)
{
	msgpack_packer pk;
	msgpack_sbuffer_clear(&a->map);
	msgpack_packer_init(&pk, &a->map, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, a->n);
	if (a->pairs.size > 0)
		msgpack_sbuffer_write(&a->map, a->pairs.data, a->pairs.size);
	return &a->map;
}

/* ---- calls ------------------------------------------------------------ */

int ctl_status_exit(const struct proto_reply *rep)
{
	return rep->status == PROTO_E_INVALID_ROWS ? EX_DATAERR : CTL_EXIT_STATUS;
}

void ctl_report(const struct ctl *ctl, const struct proto_reply *rep)
{
	out_error(rep);
	if (ctl->json)
		out_json_print(out_json_reply(rep));
}

bool ctl_request_id_ok(const char *id)
{
	size_t n = strlen(id);
	if (n < 1 || n > PROTO_MAX_ID_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (id[i] < 0x21 || id[i] > 0x7e)
			return false;
	return true;
}

/* --receipts DIR: keep the reply's receipt (PROTOCOL.md 5.4.1). The
 * request was applied either way: a receipt that cannot be kept is said,
 * not an error of the call. */
static void ctl_keep_receipt(const struct ctl *ctl, enum proto_op op,
                             const struct proto_reply *rep)
{
	struct receipt r;
	char err[512];
	if (!ctl->receipts || !rep->receipt)
		return;
	if (!receipt_from_reply(rep->receipt, &r))
		fprintf(stderr, _("expertctl: the daemon sent a malformed receipt; not kept\n"));
	else if (!receipt_save(ctl->receipts, &r, proto_op_name(op), rep->id, err,
	                       sizeof err))
		fprintf(stderr, _("expertctl: the receipt of seq %lld was not kept: %s\n"),
		        (long long)r.seq, err);
}

/* The exit status of a call that got no reply (expertctl(1) EXIT STATUS). */
static int ctl_call_failed(enum client_failure why)
{
	switch (why) {
	case CLIENT_MALFORMED:
	case CLIENT_HANDSHAKE:
		return EX_PROTOCOL;
	case CLIENT_REFUSED:
		return EX_NOPERM;
	case CLIENT_NO_REPLY:
		break;
	}
	return EX_UNAVAILABLE;
}

int ctl_call_raw(struct ctl *ctl, enum proto_op op, struct ctl_args *args,
                 const char *suffix, struct proto_reply *rep)
{
	char err[512], id[PROTO_MAX_ID_LEN + 1];
	if (!ctl->request_id) {
		client_request_id(id);
	} else {
		int n = snprintf(id, sizeof id, "%s%s%s", ctl->request_id, suffix ? "/" : "",
		                 suffix ? suffix : "");
		if (n < 0 || (size_t)n >= sizeof id || !ctl_request_id_ok(id)) {
			fprintf(stderr, _("expertctl: --request-id is too long for \"%s\"\n"),
			        suffix ? suffix : "");
			return CTL_EXIT_USAGE;
		}
	}
	if (!ctl->client) {
		ctl->client = client_new(&ctl->copt, err, sizeof err);
		if (!ctl->client) {
			fprintf(stderr, _("expertctl: %s\n"), err);
			return EX_CONFIG;
		}
		/* Messages for people in theirs; --json is for programs, and
		 * stays the same bytes whatever the locale. */
		if (ctl->zh && !ctl->json)
			client_set_lang(ctl->client, "zh-CN");
	}
	const void *body = NULL;
	size_t len = 0;
	if (args) {
		const msgpack_sbuffer *m = ctl_args_finish(args);
		body = m->data;
		len = m->size;
	}
	/* PROTOCOL.md 6.4: on unavailable or busy, back off and resend the
	 * same id and bytes; nothing was applied, or the retry gets the first
	 * reply. */
	for (int attempt = 0;; attempt++) {
		err[0] = '\0';
		if (!client_call(ctl->client, op, id, body, len, rep, err, sizeof err)) {
			fprintf(stderr, _("expertctl: %s\n"), err);
			return ctl_call_failed(client_failure(ctl->client));
		}
		bool transient = rep->status == PROTO_E_UNAVAILABLE ||
		                 rep->status == PROTO_E_BUSY;
		if (!transient || attempt >= ctl->copt.retries) {
			ctl_keep_receipt(ctl, op, rep);
			return 0;
		}
		proto_reply_release(rep);
		long ms = CTL_BACKOFF_MS << (attempt < 4 ? attempt : 4);
		struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
		nanosleep(&ts, NULL);
	}
}

int ctl_call(struct ctl *ctl, enum proto_op op, struct ctl_args *args,
             const char *suffix, struct proto_reply *rep)
{
	int rc = ctl_call_raw(ctl, op, args, suffix, rep);
	if (rc != 0)
		return rc;
	if (rep->status == PROTO_OK)
		return 0;
	ctl_report(ctl, rep);
	rc = ctl_status_exit(rep);
	proto_reply_release(rep);
	return rc;
}

int ctl_print_result_json(const struct proto_reply *rep)
{
	out_json_print(rep->result ? out_json(rep->result) : json_object());
	return 0;
}

/* One of show and show_lang prints the result for people. */
static int ctl_call_show_any(struct ctl *ctl, enum proto_op op, struct ctl_args *args,
                             ctl_show_fn show, ctl_show_lang_fn show_lang)
{
	struct proto_reply rep;
	int rc = ctl_call(ctl, op, args, NULL, &rep);
	if (rc)
		return rc;
	if (ctl->json)
		ctl_print_result_json(&rep);
	else if (show)
		show(rep.result);
	else
		show_lang(rep.result, ctl->zh);
	proto_reply_release(&rep);
	return 0;
}

int ctl_call_show(struct ctl *ctl, enum proto_op op, struct ctl_args *args,
                  ctl_show_fn show)
{
	return ctl_call_show_any(ctl, op, args, show, NULL);
}

int ctl_call_show_lang(struct ctl *ctl, enum proto_op op, struct ctl_args *args,
                       ctl_show_lang_fn show)
{
	return ctl_call_show_any(ctl, op, args, NULL, show);
}

static int ctl_run_show_any(struct ctl *ctl, int argc, char **argv, enum proto_op op,
                            ctl_show_fn show, ctl_show_lang_fn show_lang)
{
	bool help = false;
	int rc = ctl_getopt_none(ctl, argc, argv, &help);
	if (rc || help)
		return rc ? rc : ctl_help(ctl);
	if (optind < argc)
		return ctl_usage(ctl, _("unexpected argument \"%s\""), argv[optind]);
	return ctl_call_show_any(ctl, op, NULL, show, show_lang);
}

int ctl_run_show(struct ctl *ctl, int argc, char **argv, enum proto_op op,
                 ctl_show_fn show)
{
	return ctl_run_show_any(ctl, argc, argv, op, show, NULL);
}

int ctl_run_show_lang(struct ctl *ctl, int argc, char **argv, enum proto_op op,
                      ctl_show_lang_fn show)
{
	return ctl_run_show_any(ctl, argc, argv, op, NULL, show);
}

/* Option o's value into a; false after a usage error. */
static bool ctl_arg_opt_add(const struct ctl *ctl, const struct ctl_arg_opt *o,
                            const char *s, struct ctl_args *a)
{
	char what[64];
	int64_t v;
	if (o->max == 0) {
		ctl_args_str(a, o->key, s);
		return true;
	}
	snprintf(what, sizeof what, "--%s", o->name);
	if (!ctl_int(ctl, what, s, o->min, o->max, &v))
		return false;
	ctl_args_int(a, o->key, v);
	return true;
}

int ctl_run_args_show(struct ctl *ctl, int argc, char **argv,
                      const struct ctl_arg_opt *opts, enum proto_op op, ctl_show_fn show)
{
	struct option lo[CTL_MAX_OPTIONS + 1];
	size_t n = 0;
	for (; opts[n].name; n++) {
		assert(n < CTL_MAX_OPTIONS);
		lo[n] = (struct option){opts[n].name, required_argument, NULL,
		                        CTL_ARG_OPT_BASE + (int)n};
	}
	lo[n] = (struct option){NULL, 0, NULL, 0};
	struct ctl_args a;
	bool help = false;
	int c, rc = 0;
	ctl_args_init(&a);
	while (rc == 0 && (c = ctl_getopt(ctl, argc, argv, lo, &help)) != -1) {
		/* '?' (already reported) is the only value outside the table. */
		if (c < CTL_ARG_OPT_BASE ||
		    !ctl_arg_opt_add(ctl, &opts[c - CTL_ARG_OPT_BASE], optarg, &a))
			rc = CTL_EXIT_USAGE;
	}
	if (rc == 0 && help)
		rc = ctl_help(ctl);
	else if (rc == 0 && optind < argc)
		rc = ctl_usage(ctl, _("unexpected argument \"%s\""), argv[optind]);
	else if (rc == 0)
		rc = ctl_call_show(ctl, op, &a, show);
	ctl_args_destroy(&a);
	return rc;
}

/* ---- the daemon's other endpoints ------------------------------------- */

/* tcp://HOST:PORT+offset from ep[0..len) into out at *at. */
static bool ctl_endpoint_one(const char *ep, size_t len, int offset, char *out,
                             size_t size, size_t *at)
{
	char one[512];
	if (len >= sizeof one)
		return false;
	memcpy(one, ep, len);
	one[len] = '\0';
	const char *colon = strrchr(one, ':');
	char *end;
	long port = colon ? strtol(colon + 1, &end, 10) : 0;
	if (strncmp(one, "tcp://", 6) != 0 || !colon || colon[1] == '\0' || *end ||
	    port < 1 || port + offset > 65535)
		return false;
	int n = snprintf(out + *at, size - *at, "%s%.*s:%ld", *at ? "," : "",
	                 (int)(colon - one), one, port + offset);
	if (n < 0 || (size_t)n >= size - *at)
		return false;
	*at += (size_t)n;
	return true;
}

bool ctl_endpoint(const struct ctl *ctl, const char *given, const char *env,
                  int offset, char *out, size_t size)
{
	const char *from_env = getenv(env), *ep = ctl->copt.endpoint;
	if (given || (from_env && from_env[0])) {
		snprintf(out, size, "%s", given ? given : from_env);
		return true;
	}
	/* A list of daemons gives the list of their endpoints. */
	size_t at = 0;
	out[0] = '\0';
	for (const char *p = ep;; p += strcspn(p, ",") + 1) {
		if (!ctl_endpoint_one(p, strcspn(p, ","), offset, out, size, &at))
			return false;
		if (!p[strcspn(p, ",")])
			return true;
	}
}

/* ---- one-time tokens -------------------------------------------------- */

/* A tokens key names assignment: an int, or the id in decimal (which
 * readers that refuse integer map keys get). */
static bool ctl_token_key_is(const msgpack_object *k, int64_t assignment)
{
	char want[24];
	if (k->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
		return k->via.u64 == (uint64_t)assignment;
	snprintf(want, sizeof want, "%lld", (long long)assignment);
	return k->type == MSGPACK_OBJECT_STR && k->via.str.size == strlen(want) &&
	       memcmp(k->via.str.ptr, want, k->via.str.size) == 0;
}

const char *ctl_token(const struct proto_reply *rep, int64_t assignment, size_t *len)
{
	const msgpack_object *t = rep->tokens;
	if (!t || t->type != MSGPACK_OBJECT_MAP || assignment < 1)
		return NULL;
	for (uint32_t i = 0; i < t->via.map.size; i++) {
		const msgpack_object_kv *kv = &t->via.map.ptr[i];
		if (ctl_token_key_is(&kv->key, assignment) && kv->val.type == MSGPACK_OBJECT_STR) {
			*len = kv->val.via.str.size;
			return kv->val.via.str.ptr;
		}
	}
	return NULL;
}
