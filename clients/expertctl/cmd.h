/*
 * cmd.h - expertctl's commands: the table entry each command is, the
 * context they run in (global options, the lazily opened client), and the
 * helpers they share for options, request arguments and calls. Each
 * command group lives in its own cmd_<group>.c; main.c holds the table.
 */
#ifndef EXPERTCTL_CMD_H
#define EXPERTCTL_CMD_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <msgpack.h>

#include "client.h"
#include "ctl_i18n.h"
#include "proto.h"
#include "replay.h"

/* Exit codes beyond <sysexits.h>'s: a server error status, and usage. */
#define CTL_EXIT_STATUS 1
#define CTL_EXIT_USAGE 2

struct ctl_cmd;

struct ctl {
	struct client_options copt;
	const char *request_id;    /* --request-id, or NULL for fresh ids */
	const char *receipts;      /* --receipts DIR: keep each receipt there */
	bool json;                 /* --json */
	bool zh;                   /* the locale's messages are Chinese */
	const struct ctl_cmd *cmd; /* the command being run */
	struct client *client;     /* opened on the first call */
};

struct ctl_cmd {
	const char *group;   /* "pool" */
	const char *name;    /* "list"; NULL for a one-word command ("ping") */
	int (*run)(struct ctl *ctl, int argc, char **argv);
	const char *args;    /* synopsis after the command words */
	const char *summary; /* one line */
	const char *help;    /* option lines for --help, or NULL */
};

extern const struct ctl_cmd ctl_cmds[];

/* Handlers: argv[0] is the last command word; return an exit code. */
int cmd_ping(struct ctl *ctl, int argc, char **argv);
int cmd_keygen(struct ctl *ctl, int argc, char **argv);
int cmd_term_open(struct ctl *ctl, int argc, char **argv);
int cmd_term_list(struct ctl *ctl, int argc, char **argv);
int cmd_term_renew(struct ctl *ctl, int argc, char **argv);
int cmd_pool_import(struct ctl *ctl, int argc, char **argv);
int cmd_pool_list(struct ctl *ctl, int argc, char **argv);
int cmd_pool_show(struct ctl *ctl, int argc, char **argv);
int cmd_pool_suspend(struct ctl *ctl, int argc, char **argv);
int cmd_pool_reinstate(struct ctl *ctl, int argc, char **argv);
int cmd_pool_revoke(struct ctl *ctl, int argc, char **argv);
int cmd_appointment_review(struct ctl *ctl, int argc, char **argv);
int cmd_appointment_decide(struct ctl *ctl, int argc, char **argv);
/* pool show's appointment record and kept form fields (cmd_appoint.c). */
void cmd_print_appointment(const msgpack_object *res);
int cmd_conflict_add(struct ctl *ctl, int argc, char **argv);
int cmd_conflict_list(struct ctl *ctl, int argc, char **argv);
int cmd_org_list(struct ctl *ctl, int argc, char **argv);
int cmd_org_show(struct ctl *ctl, int argc, char **argv);
int cmd_org_add(struct ctl *ctl, int argc, char **argv);
int cmd_org_alias(struct ctl *ctl, int argc, char **argv);
int cmd_org_code(struct ctl *ctl, int argc, char **argv);
int cmd_org_merge(struct ctl *ctl, int argc, char **argv);
int cmd_draw(struct ctl *ctl, int argc, char **argv);
int cmd_redraw(struct ctl *ctl, int argc, char **argv);
int cmd_task_show(struct ctl *ctl, int argc, char **argv);
int cmd_task_list(struct ctl *ctl, int argc, char **argv);
int cmd_audit_show(struct ctl *ctl, int argc, char **argv);
int cmd_audit_verify(struct ctl *ctl, int argc, char **argv);
int cmd_log(struct ctl *ctl, int argc, char **argv);
int cmd_watch(struct ctl *ctl, int argc, char **argv);
int cmd_confirm(struct ctl *ctl, int argc, char **argv);
int cmd_decline(struct ctl *ctl, int argc, char **argv);
/* The token checked and ctl pointed at the answer endpoint (given, else
 * EXPERTD_ANSWER_ENDPOINT, else derived), with a key made now when it has
 * none; *saved is the request endpoint, to put back after the call.
 * 0, or a usage exit code with ctl unchanged. */
int cmd_answer_endpoint(struct ctl *ctl, const char *token, const char *given,
                        char *endpoint, size_t size, const char **saved);
/* cmd_unavail.c */
int cmd_pool_unavailable(struct ctl *ctl, int argc, char **argv);
int cmd_pool_unavailable_withdraw(struct ctl *ctl, int argc, char **argv);
int cmd_pool_grounds(struct ctl *ctl, int argc, char **argv);
int cmd_unavailable(struct ctl *ctl, int argc, char **argv);
int cmd_answer(struct ctl *ctl, int argc, char **argv);
int cmd_reissue(struct ctl *ctl, int argc, char **argv);
int cmd_seat_correct(struct ctl *ctl, int argc, char **argv);
int cmd_task_cancel(struct ctl *ctl, int argc, char **argv);
int cmd_task_attendance(struct ctl *ctl, int argc, char **argv);
int cmd_flagged(struct ctl *ctl, int argc, char **argv);
int cmd_stats(struct ctl *ctl, int argc, char **argv);

int cmd_catalog_import(struct ctl *ctl, int argc, char **argv);
int cmd_catalog_list(struct ctl *ctl, int argc, char **argv);
int cmd_backup(struct ctl *ctl, int argc, char **argv);
/* Outputs for the file (PROTOCOL.md 7.16): cmd_export.c, cmd_sheet.c. */
int cmd_pool_export(struct ctl *ctl, int argc, char **argv);
int cmd_term_publicity(struct ctl *ctl, int argc, char **argv);
int cmd_task_sheet(struct ctl *ctl, int argc, char **argv);
int cmd_ledger_work(struct ctl *ctl, int argc, char **argv);

/* A roster or list file larger than this is not one. */
#define CMD_MAX_FILE (256L * 1024 * 1024)
/* The whole file (cmd_import.c), or NULL if it cannot be read or is over
 * CMD_MAX_FILE; *len its length. The caller frees it. */
char *cmd_read_file(const char *path, size_t *len);

/* The conflicts table (cmd_conflict.c), also under pool show. */
void cmd_print_conflicts(const msgpack_object *list);

/* ---- assignments and the decline ledger (cmd_ledger.c) ---- */

/* A ledger (PROTOCOL 7.6.2): its score and level, then its events. */
void cmd_print_ledger(const msgpack_object *ledger);
/* pool show's `assignments`: every seat the expert was given. */
void cmd_print_assignments(const msgpack_object *list);

/* ---- task times and ids (cmd_task.c) ---- */

/* "YYYY-MM-DD HH:MM" and its NUL. */
#define CMD_TIME_LEN 24  /* "YYYY-MM-DD HH:MM", or an int64 in decimal */
/*
 * A task time: "YYYY-MM-DD HH:MM" or "YYYY-MM-DDTHH:MM" in China Standard
 * Time (UTC+8 all year, whatever the host's zone), or unix seconds.
 * Returns false if s is neither.
 */
bool cmd_time_parse(const char *s, int64_t *out);
/* Unix seconds as "YYYY-MM-DD HH:MM" in China Standard Time; returns buf. */
const char *cmd_time_format(int64_t t, char buf[CMD_TIME_LEN]);
/* map[key] (unix seconds) formatted so; "" if absent. Returns buf. */
const char *cmd_time_field(const msgpack_object *map, const char *key,
                           char buf[CMD_TIME_LEN]);
/* out_print_maps with times: a key "@at" shows map["at"] as a CST time;
 * a key "~by" shows map["by"] as a principal (out_principal).
 * Returns the number of rows. */
size_t cmd_print_table(const char *const *head, const char *const *keys, size_t ncols,
                       const msgpack_object *list);
/* The task ID that must be the only positional argument; on failure a
 * usage error was printed. */
bool cmd_task_arg(const struct ctl *ctl, int argc, char **argv, int64_t *id);

/* ---- audit entries (cmd_audit.c) ---- */

struct audit_transcript;

/* One audit entry as audit.entries and audit.show send it; body borrows
 * the reply. */
struct cmd_audit_entry {
	int64_t seq, at;
	char type[64];
	const void *body;
	size_t body_len;
	uint8_t prev[REPLAY_HASH_LEN], hash[REPLAY_HASH_LEN];
};
/* Read entry map e; false if a field is missing or mistyped. */
bool cmd_audit_entry(const msgpack_object *e, struct cmd_audit_entry *out);
/* True for draw and draw.failed entries. */
bool cmd_audit_is_draw(const struct cmd_audit_entry *e);
/* Decode a draw entry's body (pre-scanned, strictly read) into *tr. */
bool cmd_audit_transcript(const struct cmd_audit_entry *e, struct audit_transcript *tr);

/* ---- the dispatch log (cmd_log.c, entries in cmd_log_event.c; watch in
 * cmd_watch.c) ---- */

#define CMD_LOG_MAX_TOPICS 8
/* Entries per audit.entries request: the protocol's maximum. */
#define CMD_LOG_PAGE 1000

/* One audit entry, from the PUB stream (entry masked, with names) or from
 * audit.entries (entry as stored, without names). */
/* The signed head a live message carried (STREAMS.md 3), as `watch
 * --sign-key` found it; NONE when there was none or no key to check. */
enum cmd_head { CMD_HEAD_NONE, CMD_HEAD_VERIFIED, CMD_HEAD_BAD };

struct cmd_event {
	int64_t seq, at;
	char type[64];
	uint8_t hash[32];
	const msgpack_object *entry; /* a map, or NULL if unreadable; borrowed */
	enum cmd_head head;
};

/* A stream message's body, or an entry of audit.entries with `masked`
 * ({"seq","at","type","hash","entry"}), into e; e->entry borrows b.
 * False when it is not one. */
bool cmd_event_decode(const msgpack_object *b, struct cmd_event *e);

/* What log and watch select. */
struct cmd_log_filter {
	const char *topics[CMD_LOG_MAX_TOPICS]; /* type prefixes; none: all */
	size_t n_topics;
	const char *bureau, *specialty;  /* NULL: any */
	int64_t task;                    /* 0: any */
	bool since;                      /* --since given: */
	int64_t since_seq;               /*   from this seq (>= 1), or */
	int64_t since_secs;              /*   the entries of the last seconds */
};

/* The options log and watch share, for their option tables. */
enum {
	CMD_LOG_OPT_TOPIC = 300,
	CMD_LOG_OPT_BUREAU,
	CMD_LOG_OPT_SPECIALTY,
	CMD_LOG_OPT_TASK,
	CMD_LOG_OPT_SINCE,
	CMD_LOG_OPT_JSON,
};
#define CMD_LOG_OPTIONS                                            \
	{"topic", required_argument, NULL, CMD_LOG_OPT_TOPIC},         \
	{"bureau", required_argument, NULL, CMD_LOG_OPT_BUREAU},       \
	{"specialty", required_argument, NULL, CMD_LOG_OPT_SPECIALTY}, \
	{"task", required_argument, NULL, CMD_LOG_OPT_TASK},           \
	{"since", required_argument, NULL, CMD_LOG_OPT_SINCE},         \
	{"json", no_argument, NULL, CMD_LOG_OPT_JSON}

/* Apply shared option c (f or ctl->json set): true, or false after a
 * usage error, which includes c == '?' (ctl_getopt reported it) and any
 * option that is not one of them (reported here). */
bool cmd_log_option(struct ctl *ctl, struct cmd_log_filter *f, int c, const char *arg);
/* --since: "SEQ" (>= 1) sets *seq; "N" + s/m/h/d sets *secs. */
bool cmd_log_since_parse(const char *s, int64_t *seq, int64_t *secs);
/* The first seq --since selects (a duration is found by bisection over
 * the entries' times). 0 or an exit code. */
int cmd_log_since(struct ctl *ctl, const struct cmd_log_filter *f, int64_t *first);
bool cmd_log_match(const struct cmd_log_filter *f, const struct cmd_event *e);
/* One line (or one JSON object) on stdout, flushed. */
void cmd_log_print(const struct cmd_event *e, bool json, bool colour);
/* The column headings of cmd_log_print's text lines (nothing with --json):
 * printed once, before the first line. */
void cmd_log_header(bool json);
/* Colour when stdout is a terminal, not --json, and NO_COLOR is unset. */
bool cmd_log_colour(const struct ctl *ctl);

typedef bool (*cmd_event_fn)(const struct cmd_event *e, void *arg);
/* One audit.entries request. */
struct cmd_log_page {
	int64_t after;            /* in: entries with seq > after */
	int64_t limit;            /* in: at most this many (0: CMD_LOG_PAGE, the cap) */
	cmd_event_fn fn;          /* in: called for each, in order; false stops */
	void *arg;
	bool quiet_forbidden;     /* in: a forbidden reply is not reported */
	int64_t through;          /* out: the last seq passed to fn (or after) */
	int64_t head;             /* out: the log's last seq */
	size_t n;                 /* out: entries passed to fn */
	enum proto_status status; /* out: the reply's status */
};
/* 0, or an exit code (reported, see ctl_call). */
int cmd_log_page(struct ctl *ctl, struct cmd_log_page *pg);

/* ---- subscribers (cmd_sub.c): watch's event stream, watch --notify ---- */

/*
 * Connect a SUB socket to endpoint subscribed to topic, with CURVE when
 * a --key was given, and a monitor that reports a refused handshake.
 * 0 or an exit code (reported on stderr). Close with client_sub_close
 * (client.h) either way.
 */
int cmd_sub_open(struct ctl *ctl, const char *endpoint, const char *topic,
                 struct client_sub *s);
/* The monitor socket became readable: report why the handshake failed
 * (who: "operator and notifier keys may watch") and return the exit code. */
int cmd_sub_refused(struct client_sub *s, const char *endpoint, const char *who);
/* SIGINT and SIGTERM set a flag the loops stop on, rather than kill. */
void cmd_sub_signals(void);
bool cmd_sub_stopped(void);

/* watch --notify (cmd_notify.c): one line (or JSON object) per
 * notify.offer and notify.closed matching f, until count, wait_s (0:
 * neither) or a signal. 0 or an exit code. */
int cmd_notify_watch(struct ctl *ctl, const struct cmd_log_filter *f,
                     const char *endpoint, int64_t count, int64_t wait_s);

/* ---- options (ctl.c) ---- */

/* "expertctl: <msg>" and the command's synopsis on stderr; returns 2. */
int ctl_usage(const struct ctl *ctl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The command's synopsis, summary and options on stdout; returns 0. */
int ctl_help(const struct ctl *ctl);
/* Print "usage: expertctl <words> <args>" for cmd to f. */
void ctl_print_synopsis(const struct ctl_cmd *cmd, FILE *f);
/*
 * Run getopt_long over argv for a command whose long options are opts
 * (terminated by a zero entry; there are no short forms but -h); --help
 * is handled here. Returns the option character, -1 at
 * the end, or '?' after printing a usage error. *help is set when --help
 * was seen (the caller returns ctl_help()). main.c resets optind before
 * each command, so positional arguments are argv[optind..] afterwards.
 */
int ctl_getopt(const struct ctl *ctl, int argc, char **argv,
               const struct option *opts, bool *help);
/* ctl_getopt for a command with no options but --help: 0, or the exit
 * code after a usage error. *help as for ctl_getopt. */
int ctl_getopt_none(const struct ctl *ctl, int argc, char **argv, bool *help);
/* Parse a decimal integer in [min, max]; on failure print a usage error
 * naming what and return false. */
bool ctl_int(const struct ctl *ctl, const char *what, const char *s,
             int64_t min, int64_t max, int64_t *out);

/* A real calendar date as YYYY-MM-DD; otherwise a usage error naming opt.
 * Checked here so a typo costs no round trip. */
bool ctl_date(const struct ctl *ctl, const char *opt, const char *s);

/* ---- request arguments (ctl.c) ---- */

/* A request's args map, built key by key (the count is only known at the
 * end). */
struct ctl_args {
	msgpack_sbuffer pairs;
	msgpack_packer pk;   /* packs into pairs; use it after ctl_args_key() */
	uint32_t n;
	msgpack_sbuffer map; /* filled by ctl_args_finish() */
};
void ctl_args_init(struct ctl_args *a);
void ctl_args_destroy(struct ctl_args *a);
/* Start a pair: pack the key; the caller packs exactly one value next. */
void ctl_args_key(struct ctl_args *a, const char *key);
void ctl_args_str(struct ctl_args *a, const char *key, const char *val);
void ctl_args_int(struct ctl_args *a, const char *key, int64_t val);
void ctl_args_bool(struct ctl_args *a, const char *key, bool val);
/* The packed map ({} if no pairs); valid until ctl_args_destroy(). */
const msgpack_sbuffer *ctl_args_finish(struct ctl_args *a);

/* ---- calls (ctl.c) ---- */

/*
 * Call op with args (NULL: none), connecting on first use. The request id
 * is fresh, or with --request-id ID it is ID, or "ID/<suffix>" when a
 * command makes several calls (suffix names the call, e.g. "rows/3"), so
 * rerunning the same command with the same --request-id repeats nothing.
 * An "unavailable" reply is retried with the same id and bytes after a
 * back-off, up to --retries times (PROTOCOL.md 6.4).
 * Returns 0 with *rep filled when the reply's status is ok (the caller
 * releases it). Otherwise reports the failure (one line on stderr; the
 * reply as JSON on stdout with --json), releases everything and returns
 * the exit code: 1 for an error status, 65 for invalid_rows, 69 when no
 * reply came, 76 for a malformed reply, 78 for unusable client options
 * (keys, endpoint).
 */
int ctl_call(struct ctl *ctl, enum proto_op op, struct ctl_args *args,
             const char *suffix, struct proto_reply *rep);
/*
 * Like ctl_call but an error status is not reported: returns 0 with *rep
 * filled for any reply, whatever its status (the caller looks at it and
 * releases it), or the exit code as above when no reply came.
 */
int ctl_call_raw(struct ctl *ctl, enum proto_op op, struct ctl_args *args,
                 const char *suffix, struct proto_reply *rep);
/* Exit code for a reply's (non-ok) status. */
int ctl_status_exit(const struct proto_reply *rep);
/* Report a non-ok reply: the error line, and the envelope with --json. */
void ctl_report(const struct ctl *ctl, const struct proto_reply *rep);
/* True if id is a usable request id (1..64 printable ASCII, no space). */
bool ctl_request_id_ok(const char *id);

/* With --json, the result (or {}) on stdout; returns 0. */
int ctl_print_result_json(const struct proto_reply *rep);

/* Renders an ok reply's result (possibly NULL) as text on stdout. */
typedef void (*ctl_show_fn)(const msgpack_object *result);
/*
 * What most commands do once their request is built: ctl_call op with
 * args (borrowed; NULL: none), then print the result as JSON with
 * --json, else through show, and release the reply. 0, or ctl_call's
 * exit code (the failure already reported).
 */
int ctl_call_show(struct ctl *ctl, enum proto_op op, struct ctl_args *args,
                  ctl_show_fn show);
/* The same for a result shown in the reader's language (zh: the locale's
 * messages are Chinese), as labels the catalogues cannot know. */
typedef void (*ctl_show_lang_fn)(const msgpack_object *result, bool zh);
int ctl_call_show_lang(struct ctl *ctl, enum proto_op op, struct ctl_args *args,
                       ctl_show_lang_fn show);
/* A whole command that takes nothing but --help: op without args, its
 * result shown as ctl_call_show does. Returns the exit code. */
int ctl_run_show(struct ctl *ctl, int argc, char **argv, enum proto_op op,
                 ctl_show_fn show);
int ctl_run_show_lang(struct ctl *ctl, int argc, char **argv, enum proto_op op,
                      ctl_show_lang_fn show);

/* An option that becomes one request argument as given: --name VALUE
 * is args[key], a string, or when max > 0 an integer from min to max. */
struct ctl_arg_opt {
	const char *name; /* "group-type" */
	const char *key;  /* "group_type" */
	int64_t min, max;
};
/* A paged listing's --offset and --limit (1000 rows: the protocol's cap). */
#define CTL_PAGE_OPTS \
	{"offset", "offset", 0, INT64_C(100000000)}, {"limit", "limit", 1, 1000}
/*
 * A whole command whose options (opts, ended by a NULL name) are all
 * such arguments, and that takes no positional argument: parse them,
 * then op with them, shown as ctl_call_show does. Arguments go in the
 * order given. Returns the exit code.
 */
int ctl_run_args_show(struct ctl *ctl, int argc, char **argv,
                      const struct ctl_arg_opt *opts, enum proto_op op, ctl_show_fn show);

/* ---- the daemon's other endpoints (ctl.c) ---- */

/* Their tcp ports next to the request endpoint's (PROTOCOL.md 4.1). */
#define CTL_PUB_PORT_OFFSET 1     /* event stream, 5571 */
#define CTL_ANSWER_PORT_OFFSET 2  /* expert answers, 5572 */
#define CTL_NOTIFY_PORT_OFFSET 3  /* notifications, 5573 */
/*
 * One of the daemon's other endpoints: given (an option), else the
 * environment variable env, else the request endpoint's tcp port +
 * offset. False when none applies: an ipc:// request endpoint says
 * nothing about the others.
 */
bool ctl_endpoint(const struct ctl *ctl, const char *given, const char *env,
                  int offset, char *out, size_t size);

/* ---- one-time tokens (ctl.c) ---- */

/* The token the reply's `tokens` (PROTOCOL 5.4) holds for assignment,
 * or NULL; borrowed from the reply. *len receives its length. Keys may be
 * ints or the ids in decimal. */
const char *ctl_token(const struct proto_reply *rep, int64_t assignment, size_t *len);

#endif
