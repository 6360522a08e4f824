/*
 * site.c - the answer page's HTTP side (see site.h). A visit that needs
 * the daemon waits for upstream's callback; if the visitor leaves first,
 * the connection's close callback forgets it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <sodium.h>

#include "csrf.h"
#include "page.h"
#include "site.h"
#include "textnorm.h"
#include "throttle.h"
#include "weblang.h"

#define SITE_MAX_HEADERS 8192
#define SITE_MAX_BODY 8192
#define SITE_TIMEOUT_S 20
#define SITE_WINDOW 600          /* bad links counted over 10 minutes */
#define SITE_SOURCES 4096        /* sources remembered */
#define SITE_FORM_LIFE 7200      /* a form is good for 2 hours */

struct site {
	struct evhttp *http;
	struct upstream *up;
	const struct words *words;
	struct throttle *bad;
	bool trust_proxy;
	uint8_t key[CSRF_KEY_LEN];
	char csp[256];
};

enum site_action { SITE_SHOW, SITE_ACCEPT, SITE_DECLINE, SITE_UNAVAILABLE };

/* One request that waits for the daemon. */
struct site_visit {
	struct site *site;
	struct evhttp_request *req;
	struct page_ctx ctx;
	enum site_action action;
	char source[64];
	char reason[24];
	char from[16], to[16];
};

static void site_send(struct site *s, struct evhttp_request *req, int code,
                      struct evbuffer *body)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Content-Type", "text/html; charset=utf-8");
	evhttp_add_header(h, "Content-Security-Policy", s->csp);
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	evhttp_add_header(h, "X-Frame-Options", "DENY");
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "X-Robots-Tag", "noindex");
	evhttp_send_reply(req, code, NULL, body);
}

/* A one-message page in the visitor's language. */
static void site_message(struct site *s, struct evhttp_request *req,
                         const struct page_ctx *c, int code, const char *title,
                         const char *text, bool back)
{
	struct evbuffer *b = evbuffer_new();
	if (!b) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	locale_t old = words_begin(s->words, c->lang);
	page_message(b, c, _(title), _(text), back);
	words_end(old);
	site_send(s, req, code, b);
	evbuffer_free(b);
}

/* Chinese unless the visitor asks for English (?lang=en, or English
 * first in Accept-Language). */
static void site_lang(struct evhttp_request *req, struct page_ctx *c)
{
	c->lang = weblang_is_english(req, false, &c->lang_asked) ? WORDS_EN : WORDS_ZH;
}

/* The visitor's address: the peer, or behind a trusted proxy the last
 * address of X-Forwarded-For (the one the proxy added). */
static void site_source(const struct site *s, struct evhttp_request *req, char out[64])
{
	const char *xff = s->trust_proxy
	        ? evhttp_find_header(evhttp_request_get_input_headers(req), "X-Forwarded-For")
	        : NULL;
	if (xff) {
		const char *last = strrchr(xff, ',');
		last = last ? last + 1 : xff;
		while (*last == ' ')
			last++;
		snprintf(out, 64, "%s", last);
		return;
	}
	char *addr = NULL;
	ev_uint16_t port = 0;
	evhttp_connection_get_peer(evhttp_request_get_connection(req), &addr, &port);
	snprintf(out, 64, "%s", addr ? addr : "");
}

static void site_bad(struct site *s, const char *source)
{
	throttle_fail(s->bad, source, strlen(source), (int64_t)time(NULL));
}

/* The visitor left before the daemon answered. */
static void site_gone_cb(struct evhttp_connection *evcon, void *arg)
{
	struct site_visit *v = arg;
	(void)evcon;
	upstream_cancel(v->site->up, v);
	free(v);
}

static void site_offer_page(struct site_visit *v, const msgpack_object *result)
{
	struct site *s = v->site;
	struct page_offer o;
	if (!page_offer_read(result, &o)) {
		site_message(s, v->req, &v->ctx, 502, N_("Service unavailable"),
		             N_("The system cannot answer right now. Please try again in "
		                "a few minutes."), false);
		return;
	}
	char csrf[CSRF_SIZE];
	csrf_make(s->key, v->ctx.link, v->ctx.now + SITE_FORM_LIFE, csrf);
	struct evbuffer *b = evbuffer_new();
	if (!b) {
		evhttp_send_error(v->req, 500, NULL);
		return;
	}
	locale_t old = words_begin(s->words, v->ctx.lang);
	page_offer(b, &v->ctx, &o, csrf);
	words_end(old);
	site_send(s, v->req, 200, b);
	evbuffer_free(b);
}

/* invalid_token: say what became of the link (PROTOCOL.md 7.12.3). */
static void site_refused(struct site_visit *v, const struct proto_reply *rep)
{
	char why[16] = "unknown", state[16] = "";
	if (rep->result) {
		proto_map_strcpy(rep->result, "why", why, sizeof why);
		proto_map_strcpy(rep->result, "state", state, sizeof state);
	}
	const char *title = N_("Link not recognised");
	const char *text = N_("This link is not valid. Please check that you opened the "
	                      "whole link from the SMS.");
	int code = 410;
	if (strcmp(why, "answered") == 0) {
		title = N_("Already answered");
		text = strcmp(state, "accepted") == 0
		       ? N_("This invitation has already been answered: you accepted it.")
		       : strcmp(state, "declined") == 0
		       ? N_("This invitation has already been answered: you declined it.")
		       : N_("This invitation has already been answered.");
	} else if (strcmp(why, "expired") == 0) {
		title = N_("This invitation has expired");
		text = N_("The time to answer has passed. If you still wish to take part, "
		          "please contact the organiser.");
	} else if (strcmp(why, "cancelled") == 0) {
		title = N_("This invitation was cancelled");
		text = N_("The task was cancelled or your place on it withdrawn. You need "
		          "do nothing.");
	} else if (strcmp(why, "replaced") == 0) {
		title = N_("This link was replaced by a newer one");
		text = N_("A newer link was sent to you for this invitation. Please use the "
		          "link in the newest SMS.");
	} else {
		code = 404;
		site_bad(v->site, v->source);
	}
	site_message(v->site, v->req, &v->ctx, code, title, text, false);
}

/* invalid_field after a POST: what to fix. */
static void site_field(struct site_visit *v, const char *field)
{
	const char *text = N_("Please check your answer and try again.");
	if (strcmp(field, "note") == 0)
		text = N_("Please say why when you choose another reason.");
	else if (strcmp(field, "reason") == 0)
		text = N_("Please choose a reason.");
	else if (strcmp(field, "org_code") == 0)
		text = N_("Please choose the organisation you have a conflict of interest with.");
	else if (strcmp(field, "from") == 0 || strcmp(field, "to") == 0)
		text = N_("Please give a period from today on, ending no earlier than it "
		          "starts and shorter than a year.");
	site_message(v->site, v->req, &v->ctx, 400, N_("Please check your answer"), text,
	             true);
}

/* An answer that went through. */
static void site_done(struct site_visit *v)
{
	struct site *s = v->site;
	char text[512];
	const char *title;
	locale_t old = words_begin(s->words, v->ctx.lang);
	if (v->action == SITE_ACCEPT) {
		title = _("You have accepted");
		snprintf(text, sizeof text, "%s", _("Thank you: you have accepted. The "
		         "organiser will contact you about the details."));
	} else if (v->action == SITE_DECLINE) {
		title = _("You have declined");
		snprintf(text, sizeof text, _("Your answer has been recorded. Reason: %s."),
		         words_reason(v->reason));
	} else {
		title = _("Dates recorded");
		snprintf(text, sizeof text, _("From %s to %s you will not be drawn for any "
		         "task. This invitation is still open: please answer it."), v->from,
		         v->to);
	}
	struct evbuffer *b = evbuffer_new();
	if (b)
		page_message(b, &v->ctx, title, text, v->action == SITE_UNAVAILABLE);
	words_end(old);
	if (!b) {
		evhttp_send_error(v->req, 500, NULL);
		return;
	}
	site_send(s, v->req, 200, b);
	evbuffer_free(b);
}

static void site_reply_cb(const struct proto_reply *rep, void *arg)
{
	struct site_visit *v = arg;
	/* Before the reply: sending it may free the connection. */
	evhttp_connection_set_closecb(evhttp_request_get_connection(v->req), NULL, NULL);
	if (!rep)
		site_message(v->site, v->req, &v->ctx, 503, N_("Service unavailable"),
		             N_("The system cannot answer right now. Please try again in "
		                "a few minutes."), false);
	else if (rep->status == PROTO_OK && v->action == SITE_SHOW)
		site_offer_page(v, rep->result);
	else if (rep->status == PROTO_OK)
		site_done(v);
	else if (rep->status == PROTO_E_INVALID_TOKEN)
		site_refused(v, rep);
	else if (rep->status == PROTO_E_THROTTLED) {
		site_bad(v->site, v->source);
		site_message(v->site, v->req, &v->ctx, 429, N_("Too many attempts"),
		             N_("Too many invalid links were tried. Please wait 10 minutes "
		                "and try again."), false);
	} else if (rep->status == PROTO_E_INVALID_FIELD && v->action != SITE_SHOW)
		site_field(v, rep->field);
	else
		site_message(v->site, v->req, &v->ctx, 503, N_("Service unavailable"),
		             N_("The system cannot answer right now. Please try again in "
		                "a few minutes."), false);
	free(v);
}

/* Pack the request's args and send it; false when it could not go. */
static bool site_ask(struct site_visit *v, enum proto_op op, struct evkeyvalq *form)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	const char *note = form ? evhttp_find_header(form, "note") : NULL;
	const char *org = form ? evhttp_find_header(form, "org") : NULL;
	note = note && note[0] ? note : NULL;
	org = org && org[0] && strcmp(v->reason, "conflict") == 0 ? org : NULL;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	if (v->action == SITE_SHOW) {
		msgpack_pack_map(&pk, 1);
	} else if (v->action == SITE_UNAVAILABLE) {
		msgpack_pack_map(&pk, 3 + (note != NULL));
		proto_pack_kv_str(&pk, "from", v->from);
		proto_pack_kv_str(&pk, "to", v->to);
		if (note)
			proto_pack_kv_str(&pk, "reason", note);
	} else {
		bool decline = v->action == SITE_DECLINE;
		/* A note goes only with reason other (PROTOCOL.md 7.12.6). */
		note = decline && strcmp(v->reason, "other") == 0 ? note : NULL;
		msgpack_pack_map(&pk, 2 + decline + (note != NULL) + (org != NULL));
		proto_pack_kv_str(&pk, "answer", decline ? "decline" : "accept");
		if (decline)
			proto_pack_kv_str(&pk, "reason", v->reason);
		if (note)
			proto_pack_kv_str(&pk, "note", note);
		if (org)
			proto_pack_kv_str(&pk, "org_code", org);
	}
	proto_pack_kv_str(&pk, "token", v->ctx.link);
	bool sent = upstream_call(v->site->up, op, sb.data, sb.size, site_reply_cb, v);
	msgpack_sbuffer_destroy(&sb);
	if (sent)
		evhttp_connection_set_closecb(evhttp_request_get_connection(v->req),
		                              site_gone_cb, v);
	return sent;
}

/* Whether a POST comes from this site: an Origin, when sent, names the
 * host the visitor asked for. Browsers send "null" under Referrer-Policy
 * no-referrer, which says nothing: the form token decides then. */
static bool site_same_origin(struct evhttp_request *req)
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(req);
	const char *origin = evhttp_find_header(h, "Origin");
	const char *host = evhttp_find_header(h, "Host");
	if (!origin || strcmp(origin, "null") == 0)
		return true;
	const char *o = strstr(origin, "://");
	return host && o && strcmp(o + 3, host) == 0;
}

/* Read the posted form into v and *form; the op to call, or -1 when the
 * form is not this site's (a bad form token counts against the source). */
static int site_read_form(struct site_visit *v, struct evkeyvalq *form)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(v->req);
	size_t n = evbuffer_get_length(in);
	char body[SITE_MAX_BODY + 1];
	if (n > SITE_MAX_BODY)
		return -1;
	evbuffer_copyout(in, body, n);
	body[n] = '\0';
	if (evhttp_parse_query_str(body, form) != 0)
		return -1;
	const char *csrf = evhttp_find_header(form, "csrf");
	const char *action = evhttp_find_header(form, "action");
	const char *s;
	if (!csrf || !action || !site_same_origin(v->req) ||
	    !csrf_check(v->site->key, v->ctx.link, csrf, strlen(csrf), v->ctx.now))
		return -1;
	if ((s = evhttp_find_header(form, "reason")))
		snprintf(v->reason, sizeof v->reason, "%s", s);
	if ((s = evhttp_find_header(form, "from")))
		snprintf(v->from, sizeof v->from, "%s", s);
	if ((s = evhttp_find_header(form, "to")))
		snprintf(v->to, sizeof v->to, "%s", s);
	if (strcmp(action, "accept") == 0)
		v->action = SITE_ACCEPT;
	else if (strcmp(action, "decline") == 0)
		v->action = SITE_DECLINE;
	else if (strcmp(action, "unavailable") == 0)
		v->action = SITE_UNAVAILABLE;
	else
		return -1;
	return v->action == SITE_UNAVAILABLE ? PROTO_OP_ASSIGNMENT_UNAVAILABLE
	                                     : PROTO_OP_ASSIGNMENT_ANSWER;
}

/* The link's token, as an SMS app may have mangled it; false if none. */
static bool site_link(struct evhttp_request *req, struct page_ctx *c)
{
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	if (!path || strncmp(path, "/a/", 3) != 0)
		return false;
	size_t n = 0;
	char *raw = evhttp_uridecode(path + 3, 0, &n);
	bool ok = raw && textnorm_token(raw, n, c->link, sizeof c->link) > 0 &&
	          !strchr(c->link, '?');
	free(raw);
	if (!ok)
		c->link[0] = '\0';
	return ok;
}

/* Start the visit's request to the daemon, or answer at once. */
static void site_visit_start(struct site_visit *v)
{
	struct site *s = v->site;
	struct evkeyvalq form = {0};
	int op = PROTO_OP_ASSIGNMENT_OFFER;
	if (evhttp_request_get_command(v->req) == EVHTTP_REQ_POST)
		op = site_read_form(v, &form);
	if (op < 0) {
		site_bad(s, v->source);
		site_message(s, v->req, &v->ctx, 403, N_("This form has expired"),
		             N_("Please open the link again and answer once more."), true);
		free(v);
	} else if (!site_ask(v, (enum proto_op)op, &form)) {
		site_message(s, v->req, &v->ctx, 503, N_("Service unavailable"),
		             N_("The system cannot answer right now. Please try again in "
		                "a few minutes."), false);
		free(v);
	}
	evhttp_clear_headers(&form);
}

static void site_request_cb(struct evhttp_request *req, void *arg)
{
	struct site *s = arg;
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_POST) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET, POST");
		site_send(s, req, 405, NULL);
		return;
	}
	struct site_visit *v = calloc(1, sizeof *v);
	if (!v) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	v->site = s;
	v->req = req;
	v->ctx.now = (int64_t)time(NULL);
	site_lang(req, &v->ctx);
	site_source(s, req, v->source);
	bool is_link = site_link(req, &v->ctx);
	if (throttle_blocked(s->bad, v->source, strlen(v->source), v->ctx.now)) {
		site_message(s, req, &v->ctx, 429, N_("Too many attempts"),
		             N_("Too many invalid links were tried. Please wait 10 minutes "
		                "and try again."), false);
	} else if (!is_link) {
		if (strncmp(evhttp_request_get_uri(req), "/a/", 3) == 0)
			site_bad(s, v->source);
		site_message(s, req, &v->ctx, 404, N_("Link not recognised"),
		             N_("This link is not valid. Please check that you opened the "
		                "whole link from the SMS."), false);
	} else {
		site_visit_start(v);
		return;
	}
	free(v);
}

/* 'sha256-…' of the style sheet, for the Content-Security-Policy. */
static void site_csp(struct site *s)
{
	uint8_t h[crypto_hash_sha256_BYTES];
	char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES,
	                                   sodium_base64_VARIANT_ORIGINAL)];
	const char *css = page_css();
	crypto_hash_sha256(h, (const uint8_t *)css, strlen(css));
	sodium_bin2base64(b64, sizeof b64, h, sizeof h, sodium_base64_VARIANT_ORIGINAL);
	snprintf(s->csp, sizeof s->csp, "default-src 'none'; style-src 'sha256-%s'; "
	         "form-action 'self'; frame-ancestors 'none'; base-uri 'none'", b64);
}

struct site *site_new(struct event_base *base, const struct site_options *opt,
                      struct upstream *up, const struct words *words, char *err,
                      size_t errsz)
{
	struct site *s = calloc(1, sizeof *s);
	if (!s || !(s->http = evhttp_new(base)) ||
	    !(s->bad = throttle_new(SITE_SOURCES, opt->bad_limit, SITE_WINDOW))) {
		snprintf(err, errsz, "out of memory");
		site_destroy(&s);
		return NULL;
	}
	s->up = up;
	s->words = words;
	s->trust_proxy = opt->trust_proxy;
	crypto_auth_hmacsha512256_keygen(s->key);
	site_csp(s);
	evhttp_set_max_headers_size(s->http, SITE_MAX_HEADERS);
	evhttp_set_max_body_size(s->http, SITE_MAX_BODY);
	/* Every method evhttp knows reaches site_request_cb, which serves GET
	 * and POST and answers the rest 405 (evhttp itself would say 501). */
	evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	                           EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	                           EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
	                           EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
	evhttp_set_timeout(s->http, SITE_TIMEOUT_S);
	evhttp_set_gencb(s->http, site_request_cb, s);
	if (evhttp_bind_socket(s->http, opt->address, (ev_uint16_t)opt->port) != 0) {
		snprintf(err, errsz, "cannot listen on %s port %d", opt->address, opt->port);
		site_destroy(&s);
		return NULL;
	}
	return s;
}

void site_destroy(struct site **sp)
{
	struct site *s = sp ? *sp : NULL;
	if (!s)
		return;
	if (s->http)
		evhttp_free(s->http);
	throttle_destroy(&s->bad);
	sodium_memzero(s->key, sizeof s->key);
	free(s);
	*sp = NULL;
}
