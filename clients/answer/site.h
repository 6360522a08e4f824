/*
 * site.h - the answer page's HTTP side on libevent's evhttp: one route,
 * /a/<token> (GET shows the offer, POST answers it), strict headers on
 * every response, bounded requests, form tokens checked on every POST,
 * and bad links counted per source address (PROTOCOL.md 7.12.9 counts
 * them per seat at the daemon).
 */
#ifndef EXPERTD_ANSWER_SITE_H
#define EXPERTD_ANSWER_SITE_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/event.h>

#include "upstream.h"
#include "words.h"

struct site_options {
	const char *address;     /* to listen on, e.g. "127.0.0.1" */
	int port;
	bool trust_proxy;        /* take the source from X-Forwarded-For */
	int bad_limit;           /* bad links per source in 10 minutes */
};

struct site;

/* Borrows base, up and words for its lifetime. NULL with err set (the
 * address cannot be bound). */
struct site *site_new(struct event_base *base, const struct site_options *opt,
                      struct upstream *up, const struct words *words, char *err,
                      size_t errsz);
/* NULL-safe; clears *s. */
void site_destroy(struct site **s);

#endif
