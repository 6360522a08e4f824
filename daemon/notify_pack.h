/*
 * notify_pack.h - the maps of STREAMS.md 4 (notify.offer, notify.closed)
 * and what they carry besides the seat: read from the store and packed
 * here, for the notification socket (notify.c) and for notify.resync's
 * result (h_notify.c, PROTOCOL.md 7.12.15), which carry the same offer.
 */
#ifndef EXPERTD_NOTIFY_PACK_H
#define EXPERTD_NOTIFY_PACK_H

#include <stdbool.h>

#include <msgpack.h>

#include "notify_queue.h"
#include "store.h"

/* What a message says about the expert and the task. */
struct notify_detail {
	struct store_contact contact;
	struct store_task_brief task;
	/* The bureau's name in the organisation registry (an entry whose
	 * code is the bureau code), else the bureau code. */
	char organiser[ORG_NAME_MAX + 1];
};

/* Read the task (of the seat's quota) and its organiser into d->task and
 * d->organiser. False when the task cannot be read. */
bool notify_pack_read_task(struct store *s, int64_t task, int quota,
                           struct notify_detail *d);

/* Pack the notify.offer map of an offered seat; without the token when
 * with_token is false (the token then travels apart, in a reply's
 * `tokens`). */
void notify_pack_offer(msgpack_packer *pk, const struct notify_item *it,
                       const struct notify_detail *d, bool with_token);

/* Pack the notify.closed map of a closed seat. */
void notify_pack_closed(msgpack_packer *pk, const struct notify_item *it,
                        const struct notify_detail *d);

#endif
