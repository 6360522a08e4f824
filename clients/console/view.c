/*
 * view.c - the console's page (view.h). Text from the daemon (subjects,
 * bureau codes, masked names) is escaped; nothing from it reaches a
 * script or an attribute unescaped. The words the script needs travel in
 * a JSON data block, which no browser runs (the CSP admits only
 * /console.js).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "view.h"
#include "words.h"

/* A string literal into the page. */
#define VIEW_LIT(b, s) evbuffer_add((b), (s), sizeof(s) - 1)

/* Stats' keys in the order the tables show them (PROTOCOL.md 7.12.13). */
static const char *const view_fills[] = {"filling", "filled", "short", "cancelled", NULL};
/* stats answers: transitions, named here (the catalogue has no words for
 * an expiry as an answer). */
static const struct {
	const char *code, *words;
} view_answers[] = {
	{"accept", N_("accepted")},
	{"decline", N_("declined")},
	{"expire", N_("not answered in time")},
};
static const char *const view_reasons[] = {"conflict", "illness", "official_duty",
                                           "schedule", "other", NULL};

void view_cst(int64_t t, char out[20])
{
	time_t s = (time_t)(t + 8 * 3600);
	struct tm tm;
	if (!gmtime_r(&s, &tm) || strftime(out, 20, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(out, 20, "?");
}

/* s as HTML text (also inside a quoted attribute). */
static void view_esc(struct evbuffer *b, const char *s)
{
	for (; s && *s; s++)
		switch (*s) {
		case '&': VIEW_LIT(b, "&amp;"); break;
		case '<': VIEW_LIT(b, "&lt;"); break;
		case '>': VIEW_LIT(b, "&gt;"); break;
		case '"': VIEW_LIT(b, "&quot;"); break;
		case '\'': VIEW_LIT(b, "&#39;"); break;
		default: evbuffer_add(b, s, 1);
		}
}

/* A code under key as people read it: the catalogue's words, else (in
 * English, where the catalogue has none) the code with spaces. */
static void view_code(struct evbuffer *b, const char *key, const char *code)
{
	char buf[CTL_VALUE_KEY_MAX], plain[64];
	const char *shown = ctl_value(key, code ? code : "", buf, sizeof buf);
	if (shown == code && strlen(code) < sizeof plain) {
		snprintf(plain, sizeof plain, "%s", code);
		for (char *p = plain; *p; p++)
			*p = *p == '_' ? ' ' : *p;
		shown = plain;
	}
	view_esc(b, shown);
}

static void view_time(struct evbuffer *b, int64_t t)
{
	char when[20];
	view_cst(t, when);
	evbuffer_add_printf(b, "%s", when);
}

static int64_t view_int(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static const char *view_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* A section's heading, and its error when its data could not be read. */
static bool view_section(struct evbuffer *b, const char *id, const char *title,
                         const json_t *data, const char *err)
{
	evbuffer_add_printf(b, "<section id=\"%s\">\n<h2>", id);
	view_esc(b, title);
	VIEW_LIT(b, "</h2>\n");
	if (data)
		return true;
	VIEW_LIT(b, "<p class=\"error\">");
	view_esc(b, _("Could not ask expertd:"));
	VIEW_LIT(b, " ");
	view_esc(b, err);
	VIEW_LIT(b, "</p>\n</section>\n");
	return false;
}

/* <tr><th>…</th>…</tr> of the NULL-ended headings. */
static void view_head_row(struct evbuffer *b, const char *const *heads)
{
	VIEW_LIT(b, "<thead><tr>");
	for (; *heads; heads++) {
		VIEW_LIT(b, "<th>");
		view_esc(b, *heads);
		VIEW_LIT(b, "</th>");
	}
	VIEW_LIT(b, "</tr></thead>\n");
}

/* One count of a stats map: its words, then the number, the cell marked
 * data-ATTR="code" for the script and the tests. */
static void view_count_row(struct evbuffer *b, const char *ctx, const char *words,
                           const char *attr, const char *code, int64_t n)
{
	VIEW_LIT(b, "<tr><th>");
	if (ctx)
		view_code(b, ctx, code);
	else
		view_esc(b, words);
	evbuffer_add_printf(b, "</th><td data-%s=\"%s\">%" PRId64 "</td></tr>\n", attr, code, n);
}

/* The codes of map in the NULL-ended order, named by the codes catalogue
 * under ctx. */
static void view_count_rows(struct evbuffer *b, const json_t *map, const char *ctx,
                            const char *attr, const char *const *codes)
{
	for (; *codes; codes++)
		view_count_row(b, ctx, NULL, attr, *codes, view_int(map, *codes));
}

static void view_task_rows(struct evbuffer *b, const json_t *tasks)
{
	const json_t *t;
	size_t i;
	json_array_foreach(json_object_get(tasks, "tasks"), i, t) {
		evbuffer_add_printf(b, "<tr data-task=\"%" PRId64 "\"><td>%" PRId64 "</td><td>",
		                    view_int(t, "id"), view_int(t, "id"));
		view_esc(b, view_str(t, "bureau"));
		VIEW_LIT(b, "</td><td>");
		view_code(b, "kind", view_str(t, "kind"));
		VIEW_LIT(b, "</td><td>");
		view_esc(b, view_str(t, "specialty"));
		VIEW_LIT(b, "</td><td>");
		view_time(b, view_int(t, "start"));
		evbuffer_add_printf(b, "</td><td>%" PRId64 "</td><td data-fill=\"",
		                    view_int(t, "members") + json_is_true(json_object_get(t, "leader")));
		view_esc(b, view_str(t, "fill"));
		VIEW_LIT(b, "\">");
		view_code(b, "fill", view_str(t, "fill"));
		VIEW_LIT(b, "</td></tr>\n");
	}
}

static void view_tasks(struct evbuffer *b, const struct view_data *d)
{
	if (view_section(b, "tasks", _("Tasks by fill state"), d->stats, d->stats_err)) {
		const char *heads[] = {_("Fill state"), _("Tasks"), NULL};
		VIEW_LIT(b, "<table class=\"counts\" id=\"fill\">\n");
		view_head_row(b, heads);
		view_count_rows(b, json_object_get(d->stats, "tasks"), "fill", "fill", view_fills);
		VIEW_LIT(b, "</table>\n");
	} else {
		VIEW_LIT(b, "<section>\n");
	}
	if (!d->tasks) {
		VIEW_LIT(b, "<p class=\"error\">");
		view_esc(b, d->tasks_err);
		VIEW_LIT(b, "</p>\n</section>\n");
		return;
	}
	VIEW_LIT(b, "<h3>");
	evbuffer_add_printf(b, _("The newest %zu of %" PRId64 " tasks"),
	                    json_array_size(json_object_get(d->tasks, "tasks")),
	                    view_int(d->tasks, "total"));
	VIEW_LIT(b, "</h3>\n<table id=\"task-list\">\n");
	const char *heads[] = {_("Task"), _("Bureau"), _("Kind"), _("Specialty"),
	                       _("Starts (Beijing time)"), _("Seats needed"), _("Fill state"),
	                       NULL};
	view_head_row(b, heads);
	VIEW_LIT(b, "<tbody>\n");
	view_task_rows(b, d->tasks);
	VIEW_LIT(b, "</tbody></table>\n</section>\n");
}

/* A table of experts: id, masked name, then what cells() writes. */
static void view_expert_table(struct evbuffer *b, const char *id, const char *title,
                              const char *const *heads, const json_t *list,
                              void (*cells)(struct evbuffer *, const json_t *))
{
	const json_t *e;
	size_t i, ncols = 0;
	while (heads[ncols])
		ncols++;
	VIEW_LIT(b, "<h3>");
	view_esc(b, title);
	evbuffer_add_printf(b, "</h3>\n<table id=\"%s\">\n", id);
	view_head_row(b, heads);
	VIEW_LIT(b, "<tbody>\n");
	json_array_foreach(list, i, e) {
		evbuffer_add_printf(b, "<tr data-expert=\"%" PRId64 "\"><td>%" PRId64 "</td><td>",
		                    view_int(e, "expert"), view_int(e, "expert"));
		view_esc(b, view_str(e, "name"));
		VIEW_LIT(b, "</td>");
		cells(b, e);
		VIEW_LIT(b, "</tr>\n");
	}
	if (json_array_size(list) == 0) {
		evbuffer_add_printf(b, "<tr><td colspan=\"%zu\">", ncols);
		view_esc(b, _("None."));
		VIEW_LIT(b, "</td></tr>\n");
	}
	VIEW_LIT(b, "</tbody></table>\n");
}

static void view_flagged_cells(struct evbuffer *b, const json_t *e)
{
	evbuffer_add_printf(b, "<td>%" PRId64 "</td><td>", view_int(e, "score"));
	view_time(b, view_int(e, "flagged_at"));
	evbuffer_add_printf(b, "</td><td>%" PRId64 "</td>", view_int(e, "counted"));
}

static void view_warned_cells(struct evbuffer *b, const json_t *e)
{
	VIEW_LIT(b, "<td>");
	view_code(b, "status", view_str(e, "status"));
	evbuffer_add_printf(b, "</td><td>%" PRId64 "</td>", view_int(e, "score"));
}

static void view_experts(struct evbuffer *b, const struct view_data *d)
{
	if (!view_section(b, "experts", _("Flagged and warned experts"), d->experts,
	                  d->experts_err))
		return;
	const char *flagged[] = {_("Expert"), _("Name (masked)"), _("Score"),
	                         _("Flagged at (Beijing time)"), _("Counted events"), NULL};
	const char *warned[] = {_("Expert"), _("Name (masked)"), _("Status"), _("Score"), NULL};
	view_expert_table(b, "flagged", _("Flagged: not drawn until an operator reinstates "
	                                  "or revokes them"), flagged,
	                  json_object_get(d->experts, "flagged"), view_flagged_cells);
	view_expert_table(b, "warned", _("Warned: the decline ledger reached the warning level"),
	                  warned, json_object_get(d->experts, "warned"), view_warned_cells);
	VIEW_LIT(b, "</section>\n");
}

static void view_rate_row(struct evbuffer *b, const json_t *rates, const char *key,
                          const char *label, const char *explain)
{
	double v = json_number_value(json_object_get(rates, key));
	VIEW_LIT(b, "<tr><th>");
	view_esc(b, label);
	evbuffer_add_printf(b, "</th><td data-rate=\"%s\" data-value=\"%.17g\">%.1f%%</td><td>",
	                    key, v, 100.0 * v);
	view_esc(b, explain);
	VIEW_LIT(b, "</td></tr>\n");
}

static void view_rates(struct evbuffer *b, const struct view_data *d)
{
	if (!view_section(b, "rates", _("Decline and expiry rates"), d->stats, d->stats_err))
		return;
	const json_t *rates = json_object_get(d->stats, "rates");
	const char *rate_heads[] = {_("Rate"), _("Value"), _("Of"), NULL};
	VIEW_LIT(b, "<table class=\"counts\" id=\"rate\">\n");
	view_head_row(b, rate_heads);
	view_rate_row(b, rates, "decline", _("Decline rate"), _("answers that were declines"));
	view_rate_row(b, rates, "expiry", _("Expiry rate"),
	              _("offers that closed unanswered"));
	VIEW_LIT(b, "</table>\n");
	const char *answer_heads[] = {_("Answer"), _("Times"), NULL};
	VIEW_LIT(b, "<table class=\"counts\" id=\"answers\">\n");
	view_head_row(b, answer_heads);
	const json_t *answers = json_object_get(d->stats, "answers");
	for (size_t i = 0; i < sizeof view_answers / sizeof view_answers[0]; i++)
		view_count_row(b, NULL, _(view_answers[i].words), "answer", view_answers[i].code,
		               view_int(answers, view_answers[i].code));
	VIEW_LIT(b, "</table>\n");
	const char *reason_heads[] = {_("Decline reason"), _("Declines"), NULL};
	VIEW_LIT(b, "<table class=\"counts\" id=\"declines\">\n");
	view_head_row(b, reason_heads);
	view_count_rows(b, json_object_get(d->stats, "declines"), "reason", "reason",
	                view_reasons);
	VIEW_LIT(b, "</table>\n</section>\n");
}

static void view_fairness(struct evbuffer *b, const struct view_data *d)
{
	if (!view_section(b, "fairness", _("Fairness of the draws"), d->stats, d->stats_err))
		return;
	VIEW_LIT(b, "<p class=\"note\">");
	view_esc(b, _("Each expert's seats beside the seats uniform draws would have given "
	              "them at most (the expected share). Seats well above it, over many "
	              "draws, are worth looking into; seats below it say nothing."));
	VIEW_LIT(b, "</p>\n<div id=\"chart\" data-src=\"/api/stats.json\"></div>\n"
	             "<table id=\"fairness-table\">\n");
	const char *heads[] = {_("Rank"), _("Expert"), _("Name (masked)"), _("Seats"),
	                       _("Expected at most"), NULL};
	view_head_row(b, heads);
	VIEW_LIT(b, "<tbody>\n");
	const json_t *e;
	size_t i;
	json_array_foreach(json_object_get(d->stats, "most_drawn"), i, e) {
		evbuffer_add_printf(b, "<tr data-expert=\"%" PRId64 "\"><td>%zu</td><td>%" PRId64
		                    "</td><td>", view_int(e, "expert"), i + 1, view_int(e, "expert"));
		view_esc(b, view_str(e, "name"));
		evbuffer_add_printf(b, "</td><td>%" PRId64 "</td><td>%.2f</td></tr>\n",
		                    view_int(e, "seats"),
		                    json_number_value(json_object_get(e, "expected")));
	}
	VIEW_LIT(b, "</tbody></table>\n</section>\n");
}

/* The state of the event endpoint's handshake, for people. */
static const char *view_state_text(enum feed_state s)
{
	switch (s) {
	case FEED_UP: return _("connected: expertd accepted the console's key");
	case FEED_DOWN: return _("the connection to expertd broke; reconnecting");
	case FEED_REFUSED: return _("expertd refused the console's key: it must be on "
	                            "the daemon's allowlist with role operator");
	case FEED_FAILED: return _("the secure handshake with expertd failed: check "
	                           "--server-key (or a daemon run with --insecure)");
	case FEED_CONNECTING: break;
	}
	return _("connecting to expertd");
}

static void view_header(struct evbuffer *b, const struct view_data *d)
{
	static const char *const state_class[] = {
		[FEED_CONNECTING] = "wait", [FEED_UP] = "up", [FEED_DOWN] = "wait",
		[FEED_REFUSED] = "bad", [FEED_FAILED] = "bad"};
	VIEW_LIT(b, "<!DOCTYPE html>\n<html lang=\"");
	evbuffer_add_printf(b, "%s\">\n<head>\n<meta charset=\"utf-8\">\n"
	                    "<meta name=\"viewport\" content=\"width=device-width, "
	                    "initial-scale=1\">\n<title>", d->english ? "en" : "zh-CN");
	view_esc(b, _("expertd operator console"));
	VIEW_LIT(b, "</title>\n<link rel=\"stylesheet\" href=\"/console.css\">\n"
	         "<script src=\"/console.js\" defer></script>\n</head>\n<body>\n<header>\n"
	         "<p class=\"lang\"><a href=\"/?lang=");
	evbuffer_add_printf(b, "%s\">%s</a></p>\n<h1>", d->english ? "zh" : "en",
	                    d->english ? "中文" : "English");
	view_esc(b, _("expertd operator console"));
	evbuffer_add_printf(b, "</h1>\n<p id=\"daemon\" class=\"%s\" data-state=\"%d\">",
	                    state_class[d->state], (int)d->state);
	view_esc(b, _("expertd:"));
	VIEW_LIT(b, " ");
	view_esc(b, view_state_text(d->state));
	VIEW_LIT(b, "</p>\n<p class=\"note\">");
	char when[20];
	view_cst(d->now, when);
	evbuffer_add_printf(b, _("Read-only. Names are masked; every time is Beijing time "
	                         "(China Standard Time, UTC+8). Page made %s (Beijing time)."),
	                    when);
	VIEW_LIT(b, "</p>\n</header>\n");
}

static void view_log(struct evbuffer *b)
{
	VIEW_LIT(b, "<section id=\"live\">\n<h2>");
	view_esc(b, _("Dispatch log (live)"));
	VIEW_LIT(b, "</h2>\n<p id=\"state\">");
	view_esc(b, _("The live log needs JavaScript; the tables below do not."));
	VIEW_LIT(b, "</p>\n<div class=\"scroll\">\n<table id=\"log-table\">\n");
	const char *heads[] = {_("Seq"), _("Time (Beijing time)"), _("Entry"), _("What"), NULL};
	view_head_row(b, heads);
	VIEW_LIT(b, "<tbody id=\"log\"></tbody>\n</table>\n</div>\n</section>\n");
}

/* Entry types (DRAW.md 4.2) as the log's "Entry" column names them. */
static const struct {
	const char *type, *words;
} view_types[] = {
	{"chain.genesis", N_("log started")},
	{"term.opened", N_("term opened")},
	{"pool.expert", N_("expert record")},
	{"pool.conflict", N_("conflict of interest")},
	{"pool.unavailable", N_("unavailability")},
	{"pool.unavailable.changed", N_("unavailability changed")},
	{"draw", N_("draw")},
	{"draw.failed", N_("draw failed")},
	{"assignment.offered", N_("seat offered")},
	{"assignment.accepted", N_("seat accepted")},
	{"assignment.declined", N_("seat declined")},
	{"assignment.expired", N_("offer expired")},
	{"assignment.withdrawn", N_("seat withdrawn")},
	{"assignment.completed", N_("seat completed")},
	{"assignment.no_show", N_("did not take part")},
	{"assignment.cancelled", N_("seat cancelled")},
	{"assignment.reissued", N_("new link sent")},
	{"assignment.corrected", N_("seat outcome corrected")},
	{"task.cancelled", N_("task cancelled")},
	{"task.filled", N_("task filled")},
	{"task.short", N_("task short of experts")},
	{"expert.warned", N_("expert warned")},
	{"expert.flagged", N_("expert flagged")},
	{"org.merged", N_("organisations merged")},
	{"key.rotated", N_("signing key rotated")},
};

/* Event codes of pool.expert entries the script shows (a seat entry's
 * event is its type's words already). */
static const char *const view_events[] = {
	"imported", "updated", "renewed", "suspended", "reinstated", "revoked", NULL};

/* The words console.js needs, as a JSON data block (never run). */
static void view_words(struct evbuffer *b)
{
	char buf[CTL_VALUE_KEY_MAX];
	json_t *types = json_object(), *events = json_object();
	for (size_t i = 0; i < sizeof view_types / sizeof view_types[0]; i++)
		json_object_set_new(types, view_types[i].type, json_string(_(view_types[i].words)));
	for (const char *const *e = view_events; *e; e++)
		json_object_set_new(events, *e, json_string(ctl_value("event", *e, buf, sizeof buf)));
	json_t *w = json_pack(
		"{s:o,s:o,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "types", types,
		"events", events, "cst", _("(Beijing time)"), "open",
		_("Connected: new entries appear at the top as they happen."), "retry",
		_("The connection to the console broke; reconnecting…"), "task", _("task"),
		"expert", _("expert"), "panel", _("drew"), "seat", _("seat"), "score",
		_("score"), "seats", _("seats"), "expected", _("expected at most"), "chart",
		_("Seats per expert (bars) and the expected share (marks)"), "nochart",
		_("No expert has a seat yet."));
	char *s = w ? json_dumps(w, JSON_COMPACT | JSON_ESCAPE_SLASH) : NULL;
	if (s) {
		VIEW_LIT(b, "<script type=\"application/json\" id=\"words\">");
		evbuffer_add(b, s, strlen(s));
		VIEW_LIT(b, "</script>\n");
	}
	free(s);
	json_decref(w);
}

void view_page(struct evbuffer *b, const struct view_data *d)
{
	view_header(b, d);
	VIEW_LIT(b, "<main>\n");
	view_log(b);
	view_tasks(b, d);
	view_experts(b, d);
	view_rates(b, d);
	view_fairness(b, d);
	VIEW_LIT(b, "</main>\n");
	view_words(b);
	VIEW_LIT(b, "</body>\n</html>\n");
}
