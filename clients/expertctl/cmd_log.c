/*
 * cmd_log.c - getting the dispatch log's entries: the filter options log
 * and watch share, --since, and paging through audit.entries.
 * `expertctl log` is here; `watch`, which adds the live PUB stream, is in
 * cmd_watch.c and shares all of this. What each entry says, and how it
 * prints, is cmd_log_event.c's.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "cmd.h"

#define LOG_LIMIT_DEFAULT 100

/* ---- options ------------------------------------------------------------ */

bool cmd_log_option(struct ctl *ctl, struct cmd_log_filter *f, int c, const char *arg)
{
	switch (c) {
	case CMD_LOG_OPT_JSON: ctl->json = true; ctl_i18n_off(); return true;
	case CMD_LOG_OPT_TOPIC:
		if (f->n_topics == CMD_LOG_MAX_TOPICS) {
			ctl_usage(ctl, _("at most %d --topic options"), CMD_LOG_MAX_TOPICS);
			return false;
		}
		f->topics[f->n_topics++] = arg;
		return true;
	case CMD_LOG_OPT_BUREAU: f->bureau = arg; return true;
	case CMD_LOG_OPT_SPECIALTY: f->specialty = arg; return true;
	case CMD_LOG_OPT_TASK:
		return ctl_int(ctl, "--task", arg, 1, INT64_MAX, &f->task);
	case CMD_LOG_OPT_SINCE:
		if (!cmd_log_since_parse(arg, &f->since_seq, &f->since_secs)) {
			ctl_usage(ctl, _("--since must be a sequence number or a duration "
			          "such as 90s, 30m, 2h or 7d, not \"%s\""), arg);
			return false;
		}
		f->since = true;
		return true;
	case '?':
		return false;   /* ctl_getopt has said why */
	default:
		/* An entry of the caller's option table it did not handle. */
		ctl_usage(ctl, _("unexpected option"));
		return false;
	}
}

bool cmd_log_since_parse(const char *s, int64_t *seq, int64_t *secs)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || !isdigit((unsigned char)s[0]) || v < 0)
		return false;
	*seq = 0;
	*secs = 0;
	if (*end == '\0') {
		*seq = v;
		return v >= 1;
	}
	static const struct { char unit; long long secs; } units[] = {
		{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (end[0] == units[i].unit && end[1] == '\0' && v >= 1 &&
		    v <= INT64_MAX / 2 / units[i].secs) {
			*secs = v * units[i].secs;
			return true;
		}
	}
	return false;
}

/* ---- paging through audit.entries -------------------------------------- */

bool cmd_event_decode(const msgpack_object *b, struct cmd_event *e)
{
	const msgpack_object *seq = proto_map_get(b, "seq"), *at = proto_map_get(b, "at"),
	                     *hash = proto_map_get(b, "hash"), *entry = proto_map_get(b, "entry");
	memset(e, 0, sizeof *e);
	if (!seq || seq->type != MSGPACK_OBJECT_POSITIVE_INTEGER || seq->via.u64 < 1 ||
	    seq->via.u64 >= INT64_MAX || !at ||
	    (at->type != MSGPACK_OBJECT_POSITIVE_INTEGER &&
	     at->type != MSGPACK_OBJECT_NEGATIVE_INTEGER) ||
	    !proto_map_strcpy(b, "type", e->type, sizeof e->type) ||
	    !hash || hash->type != MSGPACK_OBJECT_BIN || hash->via.bin.size != sizeof e->hash)
		return false;
	e->seq = (int64_t)seq->via.u64;
	e->at = at->via.i64;
	memcpy(e->hash, hash->via.bin.ptr, sizeof e->hash);
	e->entry = entry && entry->type == MSGPACK_OBJECT_MAP ? entry : NULL;
	return true;
}

int cmd_log_page(struct ctl *ctl, struct cmd_log_page *pg)
{
	struct ctl_args a;
	struct proto_reply rep;
	pg->through = pg->after;
	pg->n = 0;
	pg->status = PROTO_E_UNAVAILABLE;   /* until a reply says otherwise */
	ctl_args_init(&a);
	ctl_args_int(&a, "after", pg->after);
	ctl_args_int(&a, "limit", pg->limit > 0 && pg->limit < CMD_LOG_PAGE ? pg->limit
	                                                                    : CMD_LOG_PAGE);
	/* As the stream sends them (PROTOCOL.md 7.11.1): an entry read back
	 * prints as it would have live, masked names included. */
	ctl_args_bool(&a, "masked", true);
	int rc = ctl_call_raw(ctl, PROTO_OP_AUDIT_ENTRIES, &a, NULL, &rep);
	ctl_args_destroy(&a);
	if (rc)
		return rc;
	pg->status = rep.status;
	if (rep.status != PROTO_OK) {
		if (!pg->quiet_forbidden || rep.status != PROTO_E_FORBIDDEN)
			ctl_report(ctl, &rep);
		rc = ctl_status_exit(&rep);
		proto_reply_release(&rep);
		return rc;
	}
	pg->head = proto_map_int(rep.result, "last", 0);
	const msgpack_object *list = proto_map_get(rep.result, "entries");
	uint32_t n = list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
	for (uint32_t i = 0; i < n && rc == 0; i++) {
		const msgpack_object *bin = &list->via.array.ptr[i];
		struct cmd_event ev;
		struct proto_error err;
		msgpack_unpacked u;
		msgpack_unpacked_init(&u);
		if (bin->type != MSGPACK_OBJECT_BIN ||
		    proto_unpack(bin->via.bin.ptr, bin->via.bin.size, &u, &err) != PROTO_OK ||
		    !cmd_event_decode(&u.data, &ev) || ev.seq <= pg->through) {
			fprintf(stderr, _("expertctl: malformed audit entry in the reply\n"));
			rc = EX_PROTOCOL;
		} else {
			pg->through = ev.seq;
			pg->n++;
			if (!pg->fn(&ev, pg->arg))
				n = 0;      /* the caller has what it wanted */
		}
		msgpack_unpacked_destroy(&u);
	}
	proto_reply_release(&rep);
	return rc;
}

/* ---- --since ----------------------------------------------------------- */

/* The `at` of entry seq, via a one-entry page. */
static bool log_at_cb(const struct cmd_event *e, void *arg)
{
	*(int64_t *)arg = e->at;
	return false;
}

/* Entries' `at` never decreases (each batch reads the clock once, in
 * order), so the first entry of the last `secs` seconds is found by
 * bisection over the dense seqs: about 17 requests for 100 000 entries. */
static int log_since_duration(struct ctl *ctl, int64_t secs, int64_t *first)
{
	int64_t cutoff = (int64_t)time(NULL) - secs, at = 0;
	struct cmd_log_page pg = {.after = INT64_MAX, .limit = 1, .fn = log_at_cb,
	                          .arg = &at};
	int rc = cmd_log_page(ctl, &pg);
	int64_t lo = 1, hi = pg.head + 1;   /* the answer is in [lo, hi] */
	while (rc == 0 && lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;
		pg.after = mid - 1;
		rc = cmd_log_page(ctl, &pg);
		if (rc == 0 && pg.n == 0) {
			hi = mid;   /* the log cannot shrink; treat it as the end */
			continue;
		}
		if (at >= cutoff)
			hi = mid;
		else
			lo = mid + 1;
	}
	*first = lo;
	return rc;
}

int cmd_log_since(struct ctl *ctl, const struct cmd_log_filter *f, int64_t *first)
{
	if (f->since_seq) {
		*first = f->since_seq;
		return 0;
	}
	return log_since_duration(ctl, f->since_secs, first);
}

/* ---- expertctl log ------------------------------------------------------- */

struct log_run {
	const struct cmd_log_filter *f;
	bool json, colour;
	int64_t limit, printed;
};

static bool log_print_cb(const struct cmd_event *e, void *arg)
{
	struct log_run *r = arg;
	if (!cmd_log_match(r->f, e))
		return true;
	if (r->printed == 0)
		cmd_log_header(r->json);
	cmd_log_print(e, r->json, r->colour);
	return ++r->printed < r->limit;
}

int cmd_log(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		CMD_LOG_OPTIONS,
		{"limit", required_argument, NULL, 'l'},
		{NULL, 0, NULL, 0},
	};
	struct cmd_log_filter f = {0};
	struct log_run r = {.f = &f, .limit = LOG_LIMIT_DEFAULT};
	bool help = false;
	int c;
	while ((c = ctl_getopt(ctl, argc, argv, opts, &help)) != -1) {
		bool ok = c == 'l' ? ctl_int(ctl, "--limit", optarg, 1, 1000000, &r.limit)
		                   : cmd_log_option(ctl, &f, c, optarg);
		if (!ok)
			return CTL_EXIT_USAGE;
	}
	if (help)
		return ctl_help(ctl);
	if (optind < argc)
		return ctl_usage(ctl, _("unexpected argument \"%s\""), argv[optind]);
	r.json = ctl->json;
	r.colour = cmd_log_colour(ctl);
	int64_t first = 1;
	int rc = f.since ? cmd_log_since(ctl, &f, &first) : 0;
	struct cmd_log_page pg = {.after = first - 1, .fn = log_print_cb, .arg = &r};
	while (rc == 0 && r.printed < r.limit) {
		rc = cmd_log_page(ctl, &pg);
		if (rc || pg.n == 0 || pg.through >= pg.head)
			break;
		pg.after = pg.through;
	}
	if (rc == 0 && r.printed == r.limit && pg.through < pg.head)
		fprintf(stderr, _("expertctl: more entries follow: expertctl log --since %lld\n"),
		        (long long)pg.through + 1);
	if (rc == 0 && r.printed == 0 && !r.json)
		fprintf(stderr, _("expertctl: no matching entries\n"));
	return rc;
}
