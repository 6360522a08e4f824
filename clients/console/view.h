/*
 * view.h - the console's page as HTML (GET /): every table is written
 * here, from the same JSON the script reads (ops.h), so the page reads
 * complete without JavaScript; only the live log and the fairness chart
 * need it. Written in the language in force (weblang_begin()); times in
 * China Standard Time, labelled; codes as people read them (words.h).
 */
#ifndef EXPERTD_CONSOLE_VIEW_H
#define EXPERTD_CONSOLE_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include <event2/buffer.h>
#include <jansson.h>

#include "feed.h"

struct view_data {
	json_t *stats;          /* stats' result; NULL: stats_err says why */
	json_t *tasks;          /* ops_tasks(); NULL: tasks_err */
	json_t *experts;        /* ops_experts(); NULL: experts_err */
	char stats_err[256], tasks_err[256], experts_err[256];
	enum feed_state state;  /* the event endpoint's handshake */
	int64_t now;
	bool english;
};

void view_page(struct evbuffer *b, const struct view_data *d);

/* YYYY-MM-DD HH:MM of t in China Standard Time (UTC+8, no summer time). */
void view_cst(int64_t t, char out[20]);

#endif
