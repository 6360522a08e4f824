/*
 * page.c - expertd-console's HTTP side (page.h). Everything the browser
 * loads comes from this binary: the page, its script and its style sheet;
 * the Content-Security-Policy admits nothing else. Read-only: GET and
 * HEAD only, no forms, no request bodies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "page.h"
#include "view.h"

#define PAGE_MAX_HEADERS 8192
#define PAGE_MAX_BODY 0
#define PAGE_TASKS 50
#define PAGE_CSP "default-src 'none'; script-src 'self'; style-src 'self'; " \
	"connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; " \
	"frame-ancestors 'none'"

/* console_assets.c, made by the build from console/console.{js,css}. */
extern const char console_js[];
extern const char console_css[];

struct page {
	struct evhttp *http;
	struct feed *feed;
	struct ops *ops;
	const struct weblang *lang;
	bool english;
};

static void page_headers(struct evhttp_request *req, const char *type)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Content-Type", type);
	evhttp_add_header(h, "Content-Security-Policy", PAGE_CSP);
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	evhttp_add_header(h, "X-Frame-Options", "DENY");
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "X-Robots-Tag", "noindex");
}

static void page_send(struct evhttp_request *req, int code, const char *type,
                      const char *body, size_t len)
{
	struct evbuffer *b = evbuffer_new();
	if (!b) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	page_headers(req, type);
	evbuffer_add(b, body, len);
	evhttp_send_reply(req, code, code == 200 ? "OK" : NULL, b);
	evbuffer_free(b);
}

/* j (stolen) as the reply; NULL: 502 with {"error": err}. */
static void page_json(struct evhttp_request *req, json_t *j, const char *err)
{
	int code = j ? 200 : 502;
	if (!j)
		j = json_pack("{s:s}", "error", err);
	char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	if (s)
		page_send(req, code, "application/json; charset=utf-8", s, strlen(s));
	else
		evhttp_send_error(req, 500, NULL);
	free(s);
	json_decref(j);
}

/* /api/tasks.json: the counts by fill (stats) and the newest tasks. */
static json_t *page_tasks(struct page *p, char *err, size_t errsz)
{
	json_t *stats = ops_stats(p->ops, err, errsz);
	json_t *tasks = stats ? ops_tasks(p->ops, PAGE_TASKS, err, errsz) : NULL;
	if (tasks)
		json_object_set(tasks, "fill", json_object_get(stats, "tasks"));
	json_decref(stats);
	return tasks;
}

/* GET /readyz: 200 once expertd accepted the console's key, else 503;
 * the body says which, in English, for scripts and people alike. */
static void page_readyz(struct page *p, struct evhttp_request *req)
{
	const char *why;
	enum feed_state s = feed_status(p->feed, &why);
	char text[320];
	int n = snprintf(text, sizeof text, "%s\n", why);
	page_send(req, s == FEED_UP ? 200 : 503, "text/plain; charset=utf-8", text,
	          n > 0 && (size_t)n < sizeof text ? (size_t)n : 0);
}

/* Whether asking the daemon is pointless: it refused the handshake (each
 * request would wait for the client's timeout); err says why. */
static bool page_is_refused(const struct page *p, char *err, size_t errsz)
{
	const char *why;
	enum feed_state s = feed_status(p->feed, &why);
	if (s != FEED_REFUSED && s != FEED_FAILED)
		return false;
	snprintf(err, errsz, "%s", why);
	return true;
}

/* GET /: the overview, in the visitor's language. */
static void page_overview(struct page *p, struct evhttp_request *req)
{
	struct view_data d = {.now = (int64_t)time(NULL)};
	bool asked;   /* the page's one link, to the other language, says it anyway */
	d.english = weblang_is_english(req, p->english, &asked);
	d.state = feed_status(p->feed, NULL);
	if (!page_is_refused(p, d.stats_err, sizeof d.stats_err)) {
		d.stats = ops_stats(p->ops, d.stats_err, sizeof d.stats_err);
		d.tasks = ops_tasks(p->ops, PAGE_TASKS, d.tasks_err, sizeof d.tasks_err);
		d.experts = ops_experts(p->ops, d.experts_err, sizeof d.experts_err);
	} else {
		snprintf(d.tasks_err, sizeof d.tasks_err, "%s", d.stats_err);
		snprintf(d.experts_err, sizeof d.experts_err, "%s", d.stats_err);
	}
	struct evbuffer *b = evbuffer_new();
	if (b) {
		locale_t old = weblang_begin(p->lang, d.english);
		view_page(b, &d);
		weblang_end(old);
		page_headers(req, "text/html; charset=utf-8");
		evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Language",
		                  d.english ? "en" : "zh-CN");
		evhttp_send_reply(req, 200, "OK", b);
		evbuffer_free(b);
	} else {
		evhttp_send_error(req, 500, NULL);
	}
	json_decref(d.stats);
	json_decref(d.tasks);
	json_decref(d.experts);
}

/* The JSON endpoints; false when path is none of them. */
static bool page_api(struct page *p, struct evhttp_request *req, const char *path)
{
	static const char *const paths[] = {"/api/stats.json", "/api/tasks.json",
	                                    "/api/experts.json", NULL};
	char err[256] = "";
	size_t i = 0;
	while (paths[i] && strcmp(path, paths[i]) != 0)
		i++;
	if (!paths[i])
		return false;
	if (page_is_refused(p, err, sizeof err))
		page_json(req, NULL, err);
	else if (i == 0)
		page_json(req, ops_stats(p->ops, err, sizeof err), err);
	else if (i == 1)
		page_json(req, page_tasks(p, err, sizeof err), err);
	else
		page_json(req, ops_experts(p->ops, err, sizeof err), err);
	return true;
}

static void page_request_cb(struct evhttp_request *req, void *arg)
{
	struct page *p = arg;
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	if (!path)
		path = "/";
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET, HEAD");
		evhttp_send_error(req, 405, "The console is read-only");
	} else if (strcmp(path, "/") == 0) {
		page_overview(p, req);
	} else if (strcmp(path, "/console.js") == 0) {
		page_send(req, 200, "text/javascript; charset=utf-8", console_js,
		          strlen(console_js));
	} else if (strcmp(path, "/console.css") == 0) {
		page_send(req, 200, "text/css; charset=utf-8", console_css, strlen(console_css));
	} else if (strcmp(path, "/events") == 0) {
		page_headers(req, "text/event-stream; charset=utf-8");
		feed_attach(p->feed, req);
	} else if (strcmp(path, "/favicon.ico") == 0) {
		page_send(req, 204, "image/x-icon", "", 0);   /* none: ask no more */
	} else if (strcmp(path, "/readyz") == 0) {
		page_readyz(p, req);
	} else if (!page_api(p, req, path)) {
		page_headers(req, "text/plain; charset=utf-8");
		evhttp_send_error(req, 404, NULL);
	}
}

struct page *page_new(struct event_base *base, const struct page_options *opt,
                      struct feed *feed, struct ops *ops, const struct weblang *lang,
                      char *err, size_t errsz)
{
	struct page *p = calloc(1, sizeof *p);
	if (!p || !(p->http = evhttp_new(base))) {
		snprintf(err, errsz, "out of memory");
		free(p);
		return NULL;
	}
	*p = (struct page){.http = p->http, .feed = feed, .ops = ops, .lang = lang,
	                   .english = opt->english};
	evhttp_set_max_headers_size(p->http, PAGE_MAX_HEADERS);
	evhttp_set_max_body_size(p->http, PAGE_MAX_BODY);
	evhttp_set_allowed_methods(p->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	                           EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE);
	evhttp_set_gencb(p->http, page_request_cb, p);
	if (evhttp_bind_socket(p->http, opt->address, (ev_uint16_t)opt->port) != 0) {
		snprintf(err, errsz, "cannot listen on %s port %d", opt->address, opt->port);
		page_destroy(&p);
		return NULL;
	}
	return p;
}

void page_destroy(struct page **pp)
{
	struct page *p = pp ? *pp : NULL;
	if (!p)
		return;
	if (p->http)
		evhttp_free(p->http);
	free(p);
	*pp = NULL;
}
