/*
 * page.h - expertd-console's HTTP side: GET / (the overview, view.h, in
 * Chinese unless the browser or --lang asks for English), GET /console.js
 * and GET /console.css (compiled in, no CDN), GET /events (feed.h), the
 * JSON the page's script reads (GET /api/stats.json, /api/tasks.json,
 * /api/experts.json; ops.h) and GET /readyz (whether expertd accepted the
 * console's key); strict security headers on all. Read-only.
 */
#ifndef EXPERTD_CONSOLE_PAGE_H
#define EXPERTD_CONSOLE_PAGE_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/event.h>

#include "feed.h"
#include "ops.h"
#include "weblang.h"

struct page_options {
	const char *address;
	int port;
	bool english;      /* --lang en: English unless the browser asks for zh */
};

struct page;

/* feed, ops and lang are borrowed and outlive the page. */
struct page *page_new(struct event_base *base, const struct page_options *opt,
                      struct feed *feed, struct ops *ops, const struct weblang *lang,
                      char *err, size_t errsz);
void page_destroy(struct page **p);

#endif
