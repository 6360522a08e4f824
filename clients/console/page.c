/*
 * page.c - expertd-console's HTTP side (page.h). Everything the browser
 * loads comes from this binary: the page, its script and its style sheet;
 * the Content-Security-Policy admits nothing else. Read-only: GET and
 * HEAD only, no forms.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "page.h"

#define PAGE_MAX_HEADERS 8192
#define PAGE_MAX_BODY 0
#define PAGE_CSP "default-src 'none'; script-src 'self'; style-src 'self'; " \
	"connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; " \
	"frame-ancestors 'none'"

struct page {
	struct evhttp *http;
	struct feed *feed;
};

static const char page_html[] =
	"<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
	"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	"<title>expertd 操作台 · 抽取日志</title>\n"
	"<link rel=\"stylesheet\" href=\"/console.css\">\n"
	"<script src=\"/console.js\" defer></script>\n</head>\n<body>\n"
	"<h1>抽取日志（实时）</h1>\n"
	"<p id=\"state\">正在连接……</p>\n"
	"<p class=\"note\">姓名已按规定打码；时间均为北京时间（UTC+8）。</p>\n"
	"<table>\n<thead><tr><th>序号</th><th>时间（北京时间）</th><th>类型</th>"
	"<th>内容</th></tr></thead>\n<tbody id=\"log\"></tbody>\n</table>\n"
	"</body>\n</html>\n";

static const char page_css[] =
	"body{font-family:sans-serif;margin:1em;}\n"
	"table{border-collapse:collapse;width:100%;}\n"
	"th,td{border:1px solid #ccc;padding:.3em;text-align:left;vertical-align:top;}\n"
	"td.body{font-family:monospace;font-size:.85em;word-break:break-all;}\n"
	".note{color:#555;}\n";

static const char page_js[] =
	"'use strict';\n"
	"var TYPES={'term.opened':'任期开始','pool.expert':'专家库变更',"
	"'pool.conflict':'回避关系变更','draw':'抽取','draw.failed':'抽取失败'};\n"
	"function cst(at){var d=new Date((at+8*3600)*1000).toISOString();"
	"return d.slice(0,10)+' '+d.slice(11,19)+' 北京时间';}\n"
	"function cell(tr,text,cls){var td=document.createElement('td');"
	"td.textContent=text;if(cls)td.className=cls;tr.appendChild(td);}\n"
	"function show(e){var tr=document.createElement('tr');"
	"tr.setAttribute('data-seq',e.seq);tr.setAttribute('data-type',e.type);"
	"cell(tr,String(e.seq));cell(tr,cst(e.at));"
	"cell(tr,TYPES[e.type]?TYPES[e.type]+'（'+e.type+'）':e.type);"
	"cell(tr,JSON.stringify(e.entry),'body');"
	"var log=document.getElementById('log');log.insertBefore(tr,log.firstChild);}\n"
	"document.addEventListener('DOMContentLoaded',function(){"
	"var st=document.getElementById('state');var es=new EventSource('/events');"
	"es.onopen=function(){st.textContent='已连接，等待新的日志条目。';};"
	"es.onerror=function(){st.textContent='与操作台的连接中断，正在重试……';};"
	"es.onmessage=function(m){show(JSON.parse(m.data));};});\n";

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

static void page_static(struct evhttp_request *req, const char *type, const char *body)
{
	struct evbuffer *b = evbuffer_new();
	if (!b) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	page_headers(req, type);
	evbuffer_add(b, body, strlen(body));
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

static void page_request_cb(struct evhttp_request *req, void *arg)
{
	struct page *p = arg;
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET, HEAD");
		evhttp_send_error(req, 405, "The console is read-only");
	} else if (!path || strcmp(path, "/") == 0) {
		page_static(req, "text/html; charset=utf-8", page_html);
	} else if (strcmp(path, "/console.js") == 0) {
		page_static(req, "text/javascript; charset=utf-8", page_js);
	} else if (strcmp(path, "/console.css") == 0) {
		page_static(req, "text/css; charset=utf-8", page_css);
	} else if (strcmp(path, "/events") == 0) {
		page_headers(req, "text/event-stream; charset=utf-8");
		feed_attach(p->feed, req);
	} else {
		page_headers(req, "text/plain; charset=utf-8");
		evhttp_send_error(req, 404, NULL);
	}
}

struct page *page_new(struct event_base *base, const struct page_options *opt,
                      struct feed *feed, char *err, size_t errsz)
{
	struct page *p = calloc(1, sizeof *p);
	if (!p || !(p->http = evhttp_new(base))) {
		snprintf(err, errsz, "out of memory");
		free(p);
		return NULL;
	}
	p->feed = feed;
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
