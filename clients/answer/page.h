/*
 * page.h - the HTML of the answer page (no JavaScript; one inline style
 * sheet, allowed by its hash): the offer with its three forms, and the
 * one-message pages that say what happened. Every text a visitor reads
 * comes through words.h; every value from outside is escaped here.
 */
#ifndef EXPERTD_ANSWER_PAGE_H
#define EXPERTD_ANSWER_PAGE_H

#include <stdbool.h>
#include <stdint.h>

#include <event2/buffer.h>
#include <msgpack.h>

#include "words.h"

#define PAGE_ORGS_MAX 8
#define PAGE_LINK_SIZE 64

/* What every page of one visit shares. */
struct page_ctx {
	enum words_lang lang;
	bool lang_asked;               /* ?lang= given: links keep it */
	char link[PAGE_LINK_SIZE];     /* the answer token as read; "" if none */
	int64_t now;
};

/* An assignment.offer result (PROTOCOL.md 7.12.14), copied out. */
struct page_offer {
	char role[16];
	char kind[16];
	char specialty[129];
	char district[64];
	char note[520];
	char organiser[32];
	int64_t start, end, deadline;
	char orgs[PAGE_ORGS_MAX][24];
	int n_orgs;
};

/* The inline style sheet, whose hash the Content-Security-Policy names. */
const char *page_css(void);

/* Copy an assignment.offer result; false if it lacks a key. */
bool page_offer_read(const msgpack_object *result, struct page_offer *o);

/* The offer and its forms; csrf is the forms' hidden token. */
void page_offer(struct evbuffer *b, const struct page_ctx *c, const struct page_offer *o,
                const char *csrf);
/* A page with a title and one paragraph (both already in the visitor's
 * language, plain text); back adds a link to the offer. */
void page_message(struct evbuffer *b, const struct page_ctx *c, const char *title,
                  const char *text, bool back);
/* "YYYY-MM-DD HH:MM" in China Standard Time, without the label. */
void page_time(char out[20], int64_t t);
/* Today's date in China Standard Time, "YYYY-MM-DD". */
void page_date(char out[11], int64_t t);

#endif
