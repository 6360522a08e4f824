/*
 * h_notify.c - notify.resync (PROTOCOL.md 7.12.15): a messaging gateway
 * that missed notifications (it was down, or its stream broke) asks for
 * the live offers made since then. Each gets a fresh token, exactly as
 * assignment.reissue gives one (seat_reissue: recorded in the seat's
 * history and the audit log, the earlier token dead), and comes back
 * both in this reply and as a new notify.offer.
 */
#include <stdlib.h>
#include <string.h>

#include "notify_pack.h"
#include "seat.h"

/* Most seats one call reissues: every token must fit the reply. */
#define H_NOTIFY_RESYNC_MAX REPLY_TOKENS_MAX

_Static_assert(H_NOTIFY_RESYNC_MAX <= REPLY_TOKENS_MAX,
               "a resync reply must hold the token of every seat it lists");

/* Reissue one seat's token and pack its offer (without the token, which
 * the envelope's `tokens` carries). */
static enum proto_status resync_seat(struct handler_ctx *ctx, struct store_assignment *a,
                                     struct notify_detail *d, struct reply *rep)
{
	enum proto_status st = seat_reissue(ctx, a, "notify.resync", rep);
	if (st != PROTO_OK)
		return st;
	/* A seat's task and expert always exist: this is the store failing. */
	if (!notify_pack_read_task(ctx->store, a->task, a->quota, d) ||
	    store_expert_contact(ctx->store, a->expert, &d->contact) != STORE_OK)
		return handler_store_error(rep, STORE_NOT_WRITABLE);
	struct notify_item it = {.kind = NOTIFY_OFFER, .assignment = a->id,
	                         .task = a->task, .expert = a->expert, .role = a->role,
	                         .quota = a->quota, .deadline = a->deadline,
	                         .issued = ctx->now};
	notify_pack_offer(&rep->pk, &it, d, false);
	return PROTO_OK;
}

/* Whether the caller listed seat id in `skip`: it holds its live token. */
static bool resync_skips(const msgpack_object *skip, int64_t id)
{
	for (uint32_t i = 0; skip && i < skip->via.array.size; i++)
		if (skip->via.array.ptr[i].via.i64 == id)
			return true;
	return false;
}

enum proto_status h_notify_resync(struct handler_ctx *ctx,
                                  const struct proto_request *req,
                                  struct reply *rep)
{
	int64_t since = proto_arg_int(req, "since", 0);
	int64_t after = proto_arg_int(req, "after", 0);
	int limit = (int)proto_arg_int(req, "limit", H_NOTIFY_RESYNC_MAX);
	const msgpack_object *skip = proto_arg(req, "skip");
	struct store_assignment *seats = NULL;
	size_t n = 0, listed = 0;
	/* One more than asked: whether more remain. */
	enum store_result r = store_assignment_offered_since(ctx->store, since, ctx->now,
	                                                     after, limit + 1, &seats, &n);
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	bool more = n > (size_t)limit;
	if (more)
		n = (size_t)limit;
	for (size_t i = 0; i < n; i++)
		listed += !resync_skips(skip, seats[i].id);
	struct notify_detail *d = malloc(sizeof *d);
	if (!d) {
		free(seats);
		return reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	}
	msgpack_packer *pk = reply_result(rep);
	msgpack_pack_map(pk, 3);
	proto_pack_str(pk, "offers");
	msgpack_pack_array(pk, (uint32_t)listed);
	enum proto_status st = PROTO_OK;
	for (size_t i = 0; i < n && st == PROTO_OK; i++)
		if (!resync_skips(skip, seats[i].id))
			st = resync_seat(ctx, &seats[i], d, rep);
	if (st == PROTO_OK) {
		proto_pack_kv_int(pk, "next", n ? seats[n - 1].id : after);
		proto_pack_kv_bool(pk, "more", more);
	}
	free(d);
	free(seats);
	return st;
}
