/*
 * http.c - /metrics, /livez and /readyz (see http.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "http.h"

struct http {
	struct evhttp *srv;
	struct http_sources src;
};

static void http_reply(struct evhttp_request *req, int code, const char *reason,
                       const char *type, struct evbuffer *body)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Content-Type", type);
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_send_reply(req, code, reason, body);
}

static void http_text(struct evhttp_request *req, int code, const char *reason,
                      const char *text)
{
	struct evbuffer *b = evbuffer_new();
	if (b)
		evbuffer_add_printf(b, "%s\n", text);
	http_reply(req, code, reason, "text/plain; charset=utf-8", b);
	if (b)
		evbuffer_free(b);
}

static void http_request_cb(struct evhttp_request *req, void *arg)
{
	struct http *h = arg;
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
		                  "GET, HEAD");
		http_text(req, 405, "Method Not Allowed", "only GET and HEAD");
		return;
	}
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	if (!path)
		path = "/";
	if (strcmp(path, "/livez") == 0) {
		http_text(req, 200, "OK", "ok");
	} else if (strcmp(path, "/readyz") == 0) {
		const char *why = h->src.not_ready(h->src.arg);
		if (why)
			http_text(req, 503, "Service Unavailable", why);
		else
			http_text(req, 200, "OK", "ready");
	} else if (strcmp(path, "/metrics") == 0) {
		struct metrics_gauges g;
		memset(&g, 0, sizeof g);
		h->src.gauges(h->src.arg, &g);
		struct evbuffer *b = evbuffer_new();
		if (!b) {
			http_text(req, 500, "Internal Server Error", "out of memory");
			return;
		}
		metrics_render(h->src.metrics, &g, b);
		http_reply(req, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", b);
		evbuffer_free(b);
	} else {
		http_text(req, 404, "Not Found", "try /metrics, /livez or /readyz");
	}
}

struct http *http_start(struct event_base *base, const char *listen,
                        const struct http_sources *src, char *err, size_t errsz)
{
	char host[256];
	const char *colon = strrchr(listen, ':');
	char *end = NULL;
	long port = colon ? strtol(colon + 1, &end, 10) : -1;
	if (!colon || colon == listen || (size_t)(colon - listen) >= sizeof host ||
	    !end || *end || port < 0 || port > 65535) {
		snprintf(err, errsz, "metrics listen address '%s' is not HOST:PORT", listen);
		return NULL;
	}
	snprintf(host, sizeof host, "%.*s", (int)(colon - listen), listen);
	struct http *h = calloc(1, sizeof *h);
	if (!h || !(h->srv = evhttp_new(base))) {
		free(h);
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	h->src = *src;
	evhttp_set_allowed_methods(h->srv, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	                           EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE);
	evhttp_set_gencb(h->srv, http_request_cb, h);
	evhttp_set_timeout(h->srv, 10);
	if (!evhttp_bind_socket_with_handle(h->srv, host, (ev_uint16_t)port)) {
		snprintf(err, errsz, "cannot listen for metrics on %s", listen);
		http_stop(&h);
		return NULL;
	}
	return h;
}

void http_stop(struct http **hp)
{
	struct http *h = hp ? *hp : NULL;
	if (!h)
		return;
	if (h->srv)
		evhttp_free(h->srv);
	free(h);
	*hp = NULL;
}
