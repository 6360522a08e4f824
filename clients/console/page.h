/*
 * page.h - expertd-console's HTTP side: GET / (the dispatch-log page, in
 * Chinese), GET /console.js and GET /console.css (served from the binary,
 * no CDN), GET /events (feed.h); strict security headers on all.
 */
#ifndef EXPERTD_CONSOLE_PAGE_H
#define EXPERTD_CONSOLE_PAGE_H

#include <stddef.h>

#include <event2/event.h>

#include "feed.h"

struct page_options {
	const char *address;
	int port;
};

struct page;

struct page *page_new(struct event_base *base, const struct page_options *opt,
                      struct feed *feed, char *err, size_t errsz);
void page_destroy(struct page **p);

#endif
