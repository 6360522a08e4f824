/*
 * cmd_import.c - expertctl pool import: read a roster (roster.c), then
 * pool.import.begin, rows in batches, and commit, or abort when rows are
 * invalid. All of the file's problems, from this side and the daemon's,
 * are collected and shown together, by line and by the file's own column
 * headers, so one pass over the spreadsheet fixes them all. The file is
 * never held whole (import_file.h): rows are sent in batches as they are
 * read, and only the problems are kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cmd.h"
#include "import_file.h"
#include "import_zh.h"
#include "out.h"
#include "roster.h"

#define IMPORT_DEFAULT_BATCH 500
#define IMPORT_MAX_BATCH 1000 /* the protocol's limit per call */
/* Keep each request well under PROTO_MAX_MSG, whatever the rows hold. */
#define IMPORT_MAX_BATCH_BYTES (PROTO_MAX_MSG / 4)

struct import_issue {
	long line;
	char *column; /* header text as in the file, or NULL */
	char *reason;
};

/* Rows read and not yet sent: their packed maps back to back in bytes. */
struct import_pending {
	struct import_pending_row {
		long line;
		size_t at, len;
	} *rows;
	size_t n;
	char *bytes;
	size_t nbytes, cap;
};

#define IMPORT_MAX_AGE_LINES 100   /* PROTOCOL.md 7.5: age_exceptions */
struct import {
	struct ctl *ctl;
	const char *path;
	struct import_file file;
	struct roster *roster; /* the checking reading's: header, counts, problems */
	int64_t id;            /* the daemon's import id */
	bool skip_invalid;
	bool appointed;        /* --appointed: a roster of appointed experts */
	/* --age-exception lines (第十一条(六)) and --age-exception-reason */
	int64_t age_lines[IMPORT_MAX_AGE_LINES];
	size_t n_age_lines;
	const char *age_reason;
	const char *identity_reason; /* --identity-reason, or NULL */
	size_t batch;
	bool progress;         /* stderr is a terminal */
	unsigned calls;        /* rows calls made, for request id suffixes */
	struct import_pending pending;
	int rc;                /* the first failure sending rows */
	size_t sent;
	struct import_issue *errors, *warnings, *close;
	size_t nerrors, nwarnings, nclose;
	int64_t inserted, updated, unchanged, skipped, orgs_created;
};

static void import_issue_add(struct import_issue **list, size_t *n, long line,
                             const char *column, const char *reason, size_t rlen)
{
	*list = out_xrealloc(*list, (*n + 1) * sizeof **list);
	(*list)[*n].line = line;
	(*list)[*n].column = column ? strdup(column) : NULL;
	(*list)[*n].reason = out_clean(reason, rlen);
	(*n)++;
}

static void import_issues_free(struct import_issue *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(list[i].column);
		free(list[i].reason);
	}
	free(list);
}

static int import_issue_cmp(const void *a, const void *b)
{
	const struct import_issue *x = a, *y = b;
	return (x->line > y->line) - (x->line < y->line);
}

/* True if this side already reported a problem on line's column: the
 * daemon's "required" for a cell left out as bad says nothing new. */
static bool import_reported(const struct import *im, long line, const char *column)
{
	for (size_t i = 0; column && i < im->nerrors; i++)
		if (im->errors[i].line == line && im->errors[i].column &&
		    strcmp(im->errors[i].column, column) == 0)
			return true;
	return false;
}

/* Daemon issues [{"line","field","reason"}] into list, fields shown as the
 * file's column headers. */
static void import_take_issues(struct import *im, const msgpack_object *arr,
                               struct import_issue **list, size_t *n)
{
	for (uint32_t i = 0; arr && arr->type == MSGPACK_OBJECT_ARRAY &&
	                     i < arr->via.array.size; i++) {
		const msgpack_object *o = &arr->via.array.ptr[i];
		char field[PROTO_MAX_FIELD_LEN] = "";
		const char *reason = "";
		size_t rlen = 0;
		char zh[600];
		proto_map_strcpy(o, "field", field, sizeof field);
		proto_map_str(o, "reason", &reason, &rlen);
		long line = (long)proto_map_int(o, "line", 0);
		const char *column = field[0] ? roster_column_for(im->roster, field) : NULL;
		if (list == &im->errors && rlen >= 8 && memcmp(reason, "required", 8) == 0 &&
		    import_reported(im, line, column))
			continue;
		if (im->roster->zh)
			reason = import_zh_reason(reason, &rlen, zh, sizeof zh);
		import_issue_add(list, n, line, column, reason, rlen);
	}
}

static void import_print_issues(const struct import_issue *list, size_t n,
                                const char *tag, bool zh)
{
	for (size_t i = 0; i < n; i++) {
		fprintf(stderr, "%s", tag);
		if (list[i].line > 0)
			fprintf(stderr, zh ? "第 %ld 行" : "line %ld", list[i].line);
		if (list[i].column) {
			fprintf(stderr, "%s", list[i].line > 0 ? (zh ? "，" : ", ") : "");
			fprintf(stderr, "%s", zh ? "“" : "column ");
			out_text(stderr, list[i].column, strlen(list[i].column));
			fprintf(stderr, "%s", zh ? "”" : "");
		}
		fprintf(stderr, "%s%s\n", zh ? "：" : ": ", list[i].reason);
	}
}

/* Distinct lines among the errors: the number of invalid rows. */
static size_t import_bad_rows(const struct import *im)
{
	size_t n = 0;
	for (size_t i = 0; i < im->nerrors; i++)
		if (i == 0 || im->errors[i].line != im->errors[i - 1].line)
			n++;
	return n;
}

/* ---- calls ------------------------------------------------------------ */

static int import_begin(struct import *im)
{
	struct ctl_args a;
	struct proto_reply rep;
	ctl_args_init(&a);
	ctl_args_bool(&a, "skip_invalid", im->skip_invalid);
	if (im->appointed)
		ctl_args_bool(&a, "appointed", true);
	if (im->n_age_lines) {
		ctl_args_key(&a, "age_exceptions");
		msgpack_pack_array(&a.pk, (uint32_t)im->n_age_lines);
		for (size_t i = 0; i < im->n_age_lines; i++)
			msgpack_pack_int64(&a.pk, im->age_lines[i]);
		ctl_args_str(&a, "age_exception_reason", im->age_reason);
	}
	int rc = ctl_call(im->ctl, PROTO_OP_IMPORT_BEGIN, &a, "begin", &rep);
	ctl_args_destroy(&a);
	if (rc)
		return rc;
	im->id = proto_map_int(rep.result, "import", 0);
	proto_reply_release(&rep);
	if (im->id <= 0) {
		fprintf(stderr, _("expertctl: the daemon gave no import id\n"));
		return EX_PROTOCOL;
	}
	return 0;
}

/* Best effort and quiet: an import left open is never committed, and the
 * error that led here is what the user needs to see. */
static void import_abort(struct import *im)
{
	struct ctl_args a;
	struct proto_reply rep;
	ctl_args_init(&a);
	ctl_args_int(&a, "import", im->id);
	if (ctl_call_raw(im->ctl, PROTO_OP_IMPORT_ABORT, &a, "abort", &rep) == 0)
		proto_reply_release(&rep);
	ctl_args_destroy(&a);
}

/*
 * The daemon may refuse a whole batch for one row's field ("rows[3].sex").
 * Then that row is an error of its own and the batch goes again without
 * it. Returns the index of the row, or -1 if the reply names none.
 */
static long import_refused_row(const struct proto_reply *rep, size_t count,
                               const char **sub)
{
	unsigned long idx;
	int used = 0;
	if (rep->status != PROTO_E_INVALID_FIELD ||
	    sscanf(rep->field, "rows[%lu]%n", &idx, &used) != 1 || used == 0 || idx >= count)
		return -1;
	*sub = rep->field + used + (rep->field[used] == '.');
	return (long)idx;
}

/* Send the pending rows as one or more calls. */
static int import_send(struct import *im, struct import_pending *p)
{
	struct import_pending_row *rows = p->rows;
	size_t n = p->n;
	while (n > 0) {
		struct ctl_args a;
		struct proto_reply rep;
		char suffix[32];
		ctl_args_init(&a);
		ctl_args_int(&a, "import", im->id);
		if (im->identity_reason)
			ctl_args_str(&a, "identity_reason", im->identity_reason);
		ctl_args_key(&a, "rows");
		msgpack_pack_array(&a.pk, (uint32_t)n);
		for (size_t i = 0; i < n; i++)
			msgpack_sbuffer_write(&a.pairs, p->bytes + rows[i].at, rows[i].len);
		snprintf(suffix, sizeof suffix, "rows/%u", ++im->calls);
		int rc = ctl_call_raw(im->ctl, PROTO_OP_IMPORT_ROWS, &a, suffix, &rep);
		ctl_args_destroy(&a);
		if (rc)
			return rc;
		if (rep.status == PROTO_OK) {
			import_take_issues(im, proto_map_get(rep.result, "errors"), &im->errors,
			                   &im->nerrors);
			import_take_issues(im, proto_map_get(rep.result, "warnings"),
			                   &im->warnings, &im->nwarnings);
			proto_reply_release(&rep);
			im->sent += n;
			return 0;
		}
		const char *sub;
		long bad = import_refused_row(&rep, n, &sub);
		if (bad < 0) {
			ctl_report(im->ctl, &rep);
			rc = ctl_status_exit(&rep);
			proto_reply_release(&rep);
			return rc;
		}
		import_issue_add(&im->errors, &im->nerrors, rows[bad].line,
		                 sub[0] ? roster_column_for(im->roster, sub) : NULL,
		                 rep.message, strlen(rep.message));
		proto_reply_release(&rep);
		memmove(&rows[bad], &rows[bad + 1], (n - (size_t)bad - 1) * sizeof *rows);
		n--;
	}
	return 0;
}

/* ---- sending ---------------------------------------------------------- */

static void import_show_progress(const struct import *im, bool done)
{
	if (!im->progress)
		return;
	if (done) {
		fprintf(stderr, "\r%40s\r", "");
	} else {
		fputc('\r', stderr);
		fprintf(stderr, _("sending rows: %zu/%zu"), im->sent, im->roster->nrows);
	}
}

static bool import_flush(struct import *im)
{
	im->rc = import_send(im, &im->pending);
	import_show_progress(im, false);
	im->pending.n = im->pending.nbytes = 0;
	return im->rc == 0;
}

static void import_pending_add(struct import_pending *p, const struct roster_row *row,
                               size_t max)
{
	if (p->cap - p->nbytes < row->packed_len) {
		p->cap = p->nbytes + row->packed_len + IMPORT_MAX_BATCH_BYTES / 16;
		p->bytes = out_xrealloc(p->bytes, p->cap);
	}
	if (!p->rows)
		p->rows = out_xrealloc(NULL, max * sizeof *p->rows);
	memcpy(p->bytes + p->nbytes, row->packed, row->packed_len);
	p->rows[p->n++] = (struct import_pending_row){row->line, p->nbytes, row->packed_len};
	p->nbytes += row->packed_len;
}

/* A row as the third pass reads it: to the pending batch, which goes
 * first if the row would make it too long. */
static bool import_row_cb(const struct roster_row *row, void *arg)
{
	struct import *im = arg;
	struct import_pending *p = &im->pending;
	if (p->n > 0 && (p->n == im->batch ||
	                 p->nbytes + row->packed_len > IMPORT_MAX_BATCH_BYTES) &&
	    !import_flush(im))
		return false;
	/* A row this side found bad is sent only to hear the daemon's
	 * own problems with it, never where a commit may follow. */
	if (!(im->skip_invalid && row->has_errors))
		import_pending_add(p, row, im->batch);
	return true;
}

/* The rows read again, sent in batches as they are read. */
static int import_rows(struct import *im)
{
	int rc = import_file_rows(&im->file, im->roster->records, import_row_cb, im);
	if (im->rc == 0)
		im->rc = rc;
	if (im->rc == 0 && im->pending.n > 0)
		import_flush(im);
	import_show_progress(im, true);
	free(im->pending.rows);
	free(im->pending.bytes);
	return im->rc;
}

static int import_commit(struct import *im)
{
	struct ctl_args a;
	struct proto_reply rep;
	ctl_args_init(&a);
	ctl_args_int(&a, "import", im->id);
	if (im->identity_reason)
		ctl_args_str(&a, "identity_reason", im->identity_reason);
	int rc = ctl_call_raw(im->ctl, PROTO_OP_IMPORT_COMMIT, &a, "commit", &rep);
	ctl_args_destroy(&a);
	if (rc)
		return rc;
	if (rep.status == PROTO_E_INVALID_ROWS) {
		/* Rows we were not told about: show them, then give up. */
		import_take_issues(im, proto_map_get(rep.result, "errors"), &im->errors,
		                   &im->nerrors);
		proto_reply_release(&rep);
		return EX_DATAERR;
	}
	if (rep.status != PROTO_OK) {
		ctl_report(im->ctl, &rep);
		rc = ctl_status_exit(&rep);
		proto_reply_release(&rep);
		return rc;
	}
	im->inserted = proto_map_int(rep.result, "inserted", 0);
	im->updated = proto_map_int(rep.result, "updated", 0);
	im->unchanged = proto_map_int(rep.result, "unchanged", 0);
	im->skipped = proto_map_int(rep.result, "skipped", 0);
	im->orgs_created = proto_map_int(rep.result, "orgs_created", 0);
	/* New organisations close to registered ones: the key is no column. */
	const msgpack_object *close = proto_map_get(rep.result, "orgs_close");
	for (uint32_t i = 0; close && close->type == MSGPACK_OBJECT_ARRAY &&
	                     i < close->via.array.size; i++) {
		const char *reason = "";
		size_t rlen = 0;
		proto_map_str(&close->via.array.ptr[i], "reason", &reason, &rlen);
		import_issue_add(&im->close, &im->nclose,
		                 (long)proto_map_int(&close->via.array.ptr[i], "line", 0), NULL,
		                 reason, rlen);
	}
	proto_reply_release(&rep);
	return 0;
}

/* ---- output ----------------------------------------------------------- */

static json_t *import_issues_json(const struct import_issue *list, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "line", json_integer(list[i].line));
		if (list[i].column)
			json_object_set_new(o, "column", json_string(list[i].column));
		json_object_set_new(o, "reason", json_string(list[i].reason));
		json_array_append_new(a, o);
	}
	return a;
}

static void import_print_summary(const struct import *im, bool committed)
{
	/* Rows this side never sent are skipped as much as the daemon's. */
	int64_t skipped = im->skipped + (int64_t)(im->roster->records - im->sent);
	if (im->ctl->json) {
		json_t *j = json_object();
		json_object_set_new(j, "committed", json_boolean(committed));
		if (im->id > 0)
			json_object_set_new(j, "import", json_integer(im->id));
		json_object_set_new(j, "encoding",
		                    json_string(roster_encoding_name(im->roster->encoding)));
		json_object_set_new(j, "records", json_integer((json_int_t)im->roster->records));
		json_object_set_new(j, "inserted", json_integer(im->inserted));
		json_object_set_new(j, "updated", json_integer(im->updated));
		json_object_set_new(j, "unchanged", json_integer(im->unchanged));
		json_object_set_new(j, "skipped", json_integer(committed ? skipped : 0));
		json_object_set_new(j, "errors", import_issues_json(im->errors, im->nerrors));
		json_object_set_new(j, "warnings",
		                    import_issues_json(im->warnings, im->nwarnings));
		json_object_set_new(j, "orgs_created", json_integer(im->orgs_created));
		json_object_set_new(j, "orgs_close", import_issues_json(im->close, im->nclose));
		out_json_print(j);
	} else if (committed) {
		printf(_("imported %lld experts (%lld new, %lld updated, %lld unchanged), "
		       "skipped %lld\n"),
		       (long long)(im->inserted + im->updated + im->unchanged),
		       (long long)im->inserted, (long long)im->updated,
		       (long long)im->unchanged, (long long)skipped);
		if (im->orgs_created)
			printf(_("registered %lld new organisations\n"), (long long)im->orgs_created);
		import_print_issues(im->close, im->nclose, "check (merge with "
		                    "`expertctl org merge` if the same): ", im->roster->zh);
	}
}

/* ---- command ---------------------------------------------------------- */

char *cmd_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;
	bool ok = f != NULL;
	while (ok) {
		if (n == cap) {
			char *more = cap > (size_t)CMD_MAX_FILE ? NULL
			             : realloc(buf, cap = cap ? cap * 2 : 65536);
			if (!more) {
				ok = false;
				break;
			}
			buf = more;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	ok = ok && !ferror(f) && n <= (size_t)CMD_MAX_FILE;
	if (f)
		fclose(f);
	if (!ok) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf ? buf : calloc(1, 1);
}

static int import_run(struct import *im)
{
	const struct roster *r = im->roster;
	for (size_t i = 0; i < r->nerrors; i++)
		import_issue_add(&im->errors, &im->nerrors, r->errors[i].line,
		                 r->errors[i].column, r->errors[i].reason,
		                 strlen(r->errors[i].reason));
	for (size_t i = 0; i < r->nwarnings; i++)
		import_issue_add(&im->warnings, &im->nwarnings, r->warnings[i].line,
		                 r->warnings[i].column, r->warnings[i].reason,
		                 strlen(r->warnings[i].reason));
	if (r->records == 0) {
		import_print_issues(im->warnings, im->nwarnings, "warning: ", r->zh);
		fprintf(stderr, _("expertctl: %s: no expert rows below the header\n"), im->path);
		return EX_DATAERR;
	}
	int rc = import_begin(im);
	if (rc)
		return rc;
	if ((rc = import_rows(im)) != 0) {
		import_abort(im);
		return rc;
	}
	bool commit = im->nerrors == 0 || im->skip_invalid;
	if (commit)
		rc = import_commit(im);
	if (im->nerrors > 1)
		qsort(im->errors, im->nerrors, sizeof *im->errors, import_issue_cmp);
	if (im->nwarnings > 1)
		qsort(im->warnings, im->nwarnings, sizeof *im->warnings, import_issue_cmp);
	import_print_issues(im->warnings, im->nwarnings, r->zh ? "提示：" : "warning: ", r->zh);
	import_print_issues(im->errors, im->nerrors, im->skip_invalid && rc == 0 ?
	                    (r->zh ? "已跳过：" : "skipped: ") : "", r->zh);
	if (commit && rc == 0) {
		import_print_summary(im, true);
		return 0;
	}
	if (rc == 0 || rc == EX_DATAERR) {
		import_abort(im);
		if (r->zh)
			fprintf(stderr, _("expertctl: %s: 未导入任何专家：%zu 行有误（改正后重新导入，"
			        "或用 --skip-invalid 只导入无误的行）\n"), im->path,
			        import_bad_rows(im));
		else
			fprintf(stderr, _("expertctl: %s: nothing imported: %zu invalid row%s "
			        "(fix them, or use --skip-invalid)\n"), im->path,
			        import_bad_rows(im), import_bad_rows(im) == 1 ? "" : "s");
		import_print_summary(im, false);
		return EX_DATAERR;
	}
	import_abort(im);
	return rc;
}

int cmd_pool_import(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{"encoding", required_argument, NULL, 'e'},
		{"skip-invalid", no_argument, NULL, 's'},
		{"batch", required_argument, NULL, 'b'},
		{"age-exception", required_argument, NULL, 'a'},
		{"age-exception-reason", required_argument, NULL, 'A'},
		{"identity-reason", required_argument, NULL, 'i'},
		{"appointed", no_argument, NULL, 'p'},
		{NULL, 0, NULL, 0}};
	struct import im = {.ctl = ctl, .batch = IMPORT_DEFAULT_BATCH,
	                    .progress = isatty(STDERR_FILENO) && !ctl->json};
	enum roster_encoding enc = ROSTER_ENC_AUTO;
	bool help = false;
	int c;
	int64_t v;
	while ((c = ctl_getopt(ctl, argc, argv, opts, &help)) != -1) {
		if (c == '?')
			return CTL_EXIT_USAGE;
		if (c == 'e' && !roster_encoding_parse(optarg, &enc))
			return ctl_usage(ctl, _("--encoding must be auto, utf8 or gb18030"));
		im.skip_invalid |= c == 's';
		im.appointed |= c == 'p';
		if (c == 'i' && !optarg[0])
			return ctl_usage(ctl, _("--identity-reason must not be empty"));
		if (c == 'i')
			im.identity_reason = optarg;
		if (c == 'b') {
			if (!ctl_int(ctl, "--batch", optarg, 1, IMPORT_MAX_BATCH, &v))
				return CTL_EXIT_USAGE;
			im.batch = (size_t)v;
		}
		if (c == 'a') {
			if (!ctl_int(ctl, "--age-exception", optarg, 2, INT32_MAX, &v))
				return CTL_EXIT_USAGE;
			if (im.n_age_lines == IMPORT_MAX_AGE_LINES)
				return ctl_usage(ctl, _("at most %d --age-exception lines"),
				                 IMPORT_MAX_AGE_LINES);
			im.age_lines[im.n_age_lines++] = v;
		}
		if (c == 'A')
			im.age_reason = optarg;
	}
	if (help)
		return ctl_help(ctl);
	if (!im.n_age_lines != !im.age_reason)
		return ctl_usage(ctl, _("--age-exception and --age-exception-reason go together"));
	if (optind >= argc)
		return ctl_usage(ctl, _("missing FILE"));
	if (optind + 1 < argc)
		return ctl_usage(ctl, _("unexpected argument \"%s\""), argv[optind + 1]);
	im.path = argv[optind];

	int rc = import_file_open(&im.file, im.path);
	if (rc == 0)
		rc = import_file_check(&im.file, enc, &im.roster);
	if (rc == 0)
		rc = import_run(&im);
	import_file_close(&im.file);
	import_issues_free(im.errors, im.nerrors);
	import_issues_free(im.warnings, im.nwarnings);
	import_issues_free(im.close, im.nclose);
	roster_destroy(&im.roster);
	return rc;
}
