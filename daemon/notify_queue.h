/*
 * notify_queue.h - what a batch owes the messaging gateway (STREAMS.md
 * 4): seats offered (with their one-time tokens) and seats closed. The
 * dispatcher keeps one queue per batch, cuts back what a rolled-back
 * request added, and hands the rest to the notification socket after the
 * commit. Tokens live only here and in the reply, never on disk.
 */
#ifndef EXPERTD_NOTIFY_QUEUE_H
#define EXPERTD_NOTIFY_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "token.h"

enum notify_kind { NOTIFY_OFFER, NOTIFY_CLOSED };

struct notify_item {
	int kind;                 /* enum notify_kind */
	int64_t assignment, task, expert;
	int role;                 /* proto_seat_roles */
	int quota;                /* NOTIFY_OFFER: the seat's quota (DRAW.md 3.7) */
	int state;                /* NOTIFY_CLOSED: the seat's new state */
	int64_t deadline;         /* NOTIFY_OFFER */
	int64_t issued;           /* NOTIFY_OFFER: when the token was made */
	char token[TOKEN_STR_MAX];/* NOTIFY_OFFER */
};

struct notify_queue {
	struct notify_item *items;
	size_t n, cap;
};

void notify_queue_init(struct notify_queue *q);
/* Wipes the tokens. */
void notify_queue_free(struct notify_queue *q);
/* False on out of memory (the notification is lost; the reply and
 * assignment.reply still reach the expert). */
bool notify_queue_push(struct notify_queue *q, const struct notify_item *it);
/* Drop items from n on (a rolled-back request's), wiping their tokens. */
void notify_queue_truncate(struct notify_queue *q, size_t n);

#endif
