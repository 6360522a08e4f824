/*
 * sb_deliver.c - posting texts to the SMS provider (libevent's HTTP
 * client): one queued item per message, tried at once and, after a
 * failure (no connection, a timeout, 408, 429 or 5xx), again after a wait
 * that doubles up to [provider] retry_max_ms, until the provider takes it
 * (2xx: journalled, never sent again), refuses it (another 4xx: logged,
 * dropped) or it is no use any more (an offer past its deadline, a
 * closing past [provider] closed_give_up).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <event2/http.h>
#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>

#include "smsbridge.h"

struct sb_item {
	struct sb_item *next;
	struct sb_deliver *d;
	char key[SB_KEY_LEN];
	bool offer;
	int64_t assignment, issued, give_up_at;
	char *body;                /* the provider's request body */
	int attempts;
	struct event *timer;
	struct evhttp_connection *conn;   /* the last attempt's, until the next */
	bool out;                  /* its request is out */
	bool waiting;              /* due, but max_in_flight requests are out */
	char id[33];               /* {id}: sb_message_id() */
};

struct sb_deliver {
	struct event_base *base;
	const struct sb_config *c;
	struct sb_journal *j;
	char *offer_tmpl, *closed_tmpl;
	struct evhttp_uri *uri;
	struct sb_tls *tls;        /* https: the TLS context; NULL for http */
	char *path;                /* path and query of the provider's URL */
	struct sb_item *items;
	/* Done in a request's callback, which must not free its connection:
	 * freed by the reaper, right after. */
	struct sb_item *dead;
	struct event *reaper;
};

static void item_free(struct sb_item *it)
{
	if (it->timer)
		event_free(it->timer);
	if (it->conn)
		evhttp_connection_free(it->conn);
	free(it->body);
	free(it);
}

/* A request slot is free: the oldest message waiting for one goes. */
static void deliver_kick(struct sb_deliver *d)
{
	static const struct timeval now = {0, 0};
	struct sb_item *oldest = NULL;
	for (struct sb_item *it = d->items; it; it = it->next)
		if (it->waiting)
			oldest = it;      /* the list is newest first */
	if (oldest) {
		oldest->waiting = false;
		evtimer_add(oldest->timer, &now);
	}
}

static void list_unlink(struct sb_item **head, struct sb_item *it)
{
	for (struct sb_item **p = head; *p; p = &(*p)->next)
		if (*p == it) {
			*p = it->next;
			return;
		}
}

/* Take it off the queue and free it (never from its request's callback:
 * a request still out is abandoned with its connection). */
static void item_remove(struct sb_deliver *d, struct sb_item *it)
{
	bool was_out = it->out;
	list_unlink(&d->items, it);
	item_free(it);
	if (was_out)
		deliver_kick(d);
}

/* Take it off the queue from its request's callback: freed just after. */
static void item_retire(struct sb_deliver *d, struct sb_item *it)
{
	static const struct timeval now = {0, 0};
	list_unlink(&d->items, it);
	it->next = d->dead;
	d->dead = it;
	evtimer_add(d->reaper, &now);
}

static void deliver_reap_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct sb_deliver *d = arg;
	while (d->dead) {
		struct sb_item *it = d->dead;
		d->dead = it->next;
		item_free(it);
	}
}

static void item_retry(struct sb_item *it, const char *why)
{
	struct sb_deliver *d = it->d;
	int64_t wait = d->c->retry_initial_ms;
	for (int i = 1; i < it->attempts && wait < d->c->retry_max_ms; i++)
		wait *= 2;
	if (wait > d->c->retry_max_ms)
		wait = d->c->retry_max_ms;
	if ((int64_t)time(NULL) + wait / 1000 >= it->give_up_at) {
		fprintf(stderr, "expertd-smsbridge: %s for assignment %lld not delivered "
		        "(%s); given up: its time has passed\n", it->offer ? "offer" : "closing",
		        (long long)it->assignment, why);
		item_retire(d, it);
		return;
	}
	fprintf(stderr, "expertd-smsbridge: %s for assignment %lld: attempt %d failed "
	        "(%s); again in %lld ms\n", it->offer ? "offer" : "closing",
	        (long long)it->assignment, it->attempts, why, (long long)wait);
	struct timeval tv = {(time_t)(wait / 1000), (suseconds_t)(wait % 1000 * 1000)};
	evtimer_add(it->timer, &tv);
}

static void item_done_cb(struct evhttp_request *req, void *arg)
{
	struct sb_item *it = arg;
	struct sb_deliver *d = it->d;
	int code = req ? evhttp_request_get_response_code(req) : 0;
	it->out = false;
	deliver_kick(d);
	if (code >= 200 && code < 300) {
		if (!sb_journal_sent(d->j, it->key, (int64_t)time(NULL)))
			fprintf(stderr, "expertd-smsbridge: the journal cannot be written: "
			        "a restart may send assignment %lld's message again\n",
			        (long long)it->assignment);
		fprintf(stderr, "expertd-smsbridge: %s for assignment %lld delivered "
		        "(attempt %d)\n", it->offer ? "offer" : "closing",
		        (long long)it->assignment, it->attempts);
		item_retire(d, it);
		return;
	}
	char why[160];
	const char *tls = !code && d->tls ? sb_tls_error(it->conn) : NULL;
	if (tls)
		snprintf(why, sizeof why, "TLS: %s", tls);
	else
		snprintf(why, sizeof why, code ? "HTTP %d" : "no answer", code);
	if (code >= 400 && code < 500 && code != 408 && code != 429) {
		fprintf(stderr, "expertd-smsbridge: the provider refused the %s for "
		        "assignment %lld (%s); not retried\n", it->offer ? "offer" : "closing",
		        (long long)it->assignment, why);
		item_retire(d, it);
		return;
	}
	item_retry(it, why);
}

/* Fill {api_key} or {id} into a configured header's value. */
static void add_header(struct evkeyvalq *h, const char *line, const char *api_key,
                       const char *id)
{
	char name[128], value[1024];
	const char *colon = strchr(line, ':');
	size_t n = (size_t)(colon - line);
	snprintf(name, sizeof name, "%.*s", (int)(n < sizeof name ? n : sizeof name - 1),
	         line);
	const char *v = colon + 1 + strspn(colon + 1, " \t");
	const char *hole = strstr(v, "{api_key}"), *idhole = strstr(v, "{id}");
	if (hole && api_key)
		snprintf(value, sizeof value, "%.*s%s%s", (int)(hole - v), v, api_key,
		         hole + strlen("{api_key}"));
	else if (idhole)
		snprintf(value, sizeof value, "%.*s%s%s", (int)(idhole - v), v, id,
		         idhole + strlen("{id}"));
	else
		snprintf(value, sizeof value, "%s", v);
	evhttp_remove_header(h, name);
	evhttp_add_header(h, name, value);
}

static void item_send_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct sb_item *it = arg;
	struct sb_deliver *d = it->d;
	int port = evhttp_uri_get_port(d->uri);
	const char *host = evhttp_uri_get_host(d->uri);
	/* A provider flooded past its backlog times out, and a retry of a
	 * message it did take sends it twice: a few requests at a time. */
	if (sb_deliver_busy(d) >= (size_t)d->c->max_in_flight) {
		it->waiting = true;
		return;
	}
	it->attempts++;
	if (it->conn)              /* the failed attempt's */
		evhttp_connection_free(it->conn);
	it->conn = d->tls ? sb_tls_connect(d->tls, d->base, host, port > 0 ? port : 443)
	           : evhttp_connection_base_new(d->base, NULL, host, port > 0 ? port : 80);
	struct evhttp_request *req = it->conn ? evhttp_request_new(item_done_cb, it) : NULL;
	if (!req) {
		if (it->conn)
			evhttp_connection_free(it->conn);
		it->conn = NULL;
		item_retry(it, "out of memory");
		return;
	}
	evhttp_connection_set_timeout(it->conn, d->c->timeout_s);
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Host", host);
	evhttp_add_header(h, "Content-Type", "application/json; charset=utf-8");
	for (size_t i = 0; i < d->c->n_headers; i++)
		add_header(h, d->c->headers[i], d->c->api_key, it->id);
	evbuffer_add(evhttp_request_get_output_buffer(req), it->body, strlen(it->body));
	it->out = true;
	if (evhttp_make_request(it->conn, req, EVHTTP_REQ_POST, d->path) != 0) {
		it->out = false;
		/* libevent freed the request; the connection is still ours. */
		evhttp_connection_free(it->conn);
		it->conn = NULL;
		item_retry(it, "the request could not be made");
	}
}

struct sb_deliver *sb_deliver_new(struct event_base *base, const struct sb_config *c,
                                  struct sb_journal *j, char *err, size_t errsz)
{
	struct sb_deliver *d = calloc(1, sizeof *d);
	if (!d) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	d->base = base;
	d->c = c;
	d->j = j;
	d->reaper = evtimer_new(base, deliver_reap_cb, d);
	d->uri = evhttp_uri_parse(c->url);
	if (!d->reaper || !d->uri || !evhttp_uri_get_host(d->uri)) {
		snprintf(err, errsz, "[provider] url: not a URL: %s", c->url);
		sb_deliver_free(&d);
		return NULL;
	}
	if (strcmp(evhttp_uri_get_scheme(d->uri), "https") == 0 &&
	    !(d->tls = sb_tls_new(c->ca_file, err, errsz))) {
		sb_deliver_free(&d);
		return NULL;
	}
	const char *path = evhttp_uri_get_path(d->uri), *query = evhttp_uri_get_query(d->uri);
	size_t len = strlen(path && *path ? path : "/") + (query ? strlen(query) + 1 : 0) + 1;
	d->path = malloc(len);
	if (d->path)
		snprintf(d->path, len, "%s%s%s", path && *path ? path : "/", query ? "?" : "",
		         query ? query : "");
	if (!d->path || !(d->offer_tmpl = sb_read_file(c->offer_template, err, errsz)) ||
	    !(d->closed_tmpl = sb_read_file(c->closed_template, err, errsz))) {
		if (!d->path)
			snprintf(err, errsz, "out of memory");
		sb_deliver_free(&d);
		return NULL;
	}
	return d;
}

void sb_deliver_free(struct sb_deliver **dp)
{
	struct sb_deliver *d = dp ? *dp : NULL;
	if (!d)
		return;
	struct sb_item *lists[] = {d->items, d->dead};
	for (size_t i = 0; i < 2; i++)
		while (lists[i]) {
			struct sb_item *it = lists[i];
			lists[i] = it->next;
			item_free(it);
		}
	if (d->reaper)
		event_free(d->reaper);
	if (d->uri)
		evhttp_uri_free(d->uri);
	sb_tls_free(&d->tls);
	free(d->path);
	free(d->offer_tmpl);
	free(d->closed_tmpl);
	free(d);
	*dp = NULL;
}

enum sb_supersede {
	SB_NEW,          /* send n */
	SB_QUEUED,       /* n is queued already */
	SB_UNTOLD,       /* n closes an offer the expert was never sent */
};

/* Drop what n makes useless: the seat's queued offers (their links died
 * with a new token or the seat's closing). */
static enum sb_supersede deliver_supersede(struct sb_deliver *d, const struct sb_note *n,
                                           const char *key)
{
	bool dropped = false;
	for (struct sb_item *it = d->items, *next; it; it = next) {
		next = it->next;
		if (strcmp(it->key, key) == 0)
			return SB_QUEUED;
		if (it->offer && it->assignment == n->assignment) {
			item_remove(d, it);
			dropped = true;
		}
	}
	char prefix[40];
	snprintf(prefix, sizeof prefix, "offer:%lld:", (long long)n->assignment);
	/* Nothing to take back from someone never told: no closing. */
	if (!n->offer && dropped && !sb_journal_has_prefix(d->j, prefix))
		return SB_UNTOLD;
	return SB_NEW;
}

/* The organiser's name from [organisers] when the daemon gave only the
 * bureau's code. */
static const char *deliver_organiser(const struct sb_deliver *d, const struct sb_note *n)
{
	if (strcmp(n->organiser, n->bureau) == 0 || !n->organiser[0])
		for (size_t i = 0; i < d->c->n_orgs; i++)
			if (strcmp(d->c->org_code[i], n->bureau) == 0)
				return d->c->org_name[i];
	return n->organiser[0] ? n->organiser : n->bureau;
}

void sb_deliver_note(struct sb_deliver *d, const struct sb_note *note, int64_t now)
{
	struct sb_note named = *note, *n = &named;
	snprintf(named.organiser, sizeof named.organiser, "%s", deliver_organiser(d, note));
	char key[SB_KEY_LEN];
	sb_note_key(n, key);
	enum sb_supersede sup = sb_journal_has(d->j, key) ? SB_QUEUED
	                        : deliver_supersede(d, n, key);
	if (sup == SB_UNTOLD)
		fprintf(stderr, "expertd-smsbridge: closing for assignment %lld not sent: "
		        "its offer never was\n", (long long)n->assignment);
	if (sup != SB_NEW)
		return;
	struct sb_item *it = calloc(1, sizeof *it);
	char *text = sb_render(n->offer ? d->offer_tmpl : d->closed_tmpl, n, d->c->base_url);
	if (it)
		sb_message_id(key, it->id);
	if (it && text)
		it->body = sb_render_body(d->c->body, n->phone, text, it->id);
	if (it && it->body)
		it->timer = evtimer_new(d->base, item_send_cb, it);
	free(text);
	if (!it || !it->timer) {
		fprintf(stderr, "expertd-smsbridge: out of memory: the message for "
		        "assignment %lld is lost\n", (long long)n->assignment);
		if (it)
			item_free(it);
		return;
	}
	it->d = d;
	snprintf(it->key, sizeof it->key, "%s", key);
	it->offer = n->offer;
	it->assignment = n->assignment;
	it->issued = n->issued;
	it->give_up_at = n->offer ? n->deadline : now + d->c->closed_give_up_s;
	it->next = d->items;
	d->items = it;
	struct timeval zero = {0, 0};
	evtimer_add(it->timer, &zero);
}

size_t sb_deliver_busy(const struct sb_deliver *d)
{
	size_t n = 0;
	for (const struct sb_item *it = d->items; it; it = it->next)
		n += it->out;
	return n;
}

bool sb_deliver_has_offer(const struct sb_deliver *d, int64_t assignment)
{
	for (const struct sb_item *it = d->items; it; it = it->next)
		if (it->offer && it->assignment == assignment)
			return true;
	return false;
}

int64_t sb_deliver_oldest(const struct sb_deliver *d)
{
	int64_t oldest = INT64_MAX;
	for (const struct sb_item *it = d->items; it; it = it->next)
		if (it->offer && it->issued < oldest)
			oldest = it->issued;
	return oldest;
}
