/*
 * h_audit.c - reading the audit log: entries in sequence (for `expertctl
 * audit verify`, which replays them) and the draw transcripts of one task.
 * Entries go out exactly as stored, body bytes included, so a client can
 * recompute every hash; or, with `masked`, as the event stream carries
 * them (masked.c), for a subscriber catching up.
 */
#include <stdlib.h>

#include "handler.h"
#include "head.h"
#include "masked.h"

#define AUDIT_PAGE_DEFAULT 200

struct pack_noting {
	msgpack_sbuffer sb;
	bool failed;
};

static void pack_bin(msgpack_packer *pk, const char *k, const void *p, size_t n)
{
	proto_pack_str(pk, k);
	msgpack_pack_bin(pk, n);
	msgpack_pack_bin_body(pk, p, n);
}

static void pack_entry(msgpack_packer *pk, const struct store_audit_row *r)
{
	msgpack_pack_map(pk, 6);
	proto_pack_kv_int(pk, "seq", r->seq);
	proto_pack_kv_int(pk, "at", r->at);
	proto_pack_kv_str(pk, "type", r->type);
	pack_bin(pk, "body", r->body, r->body_len);
	pack_bin(pk, "prev", r->prev, sizeof r->prev);
	pack_bin(pk, "hash", r->hash, sizeof r->hash);
}

/* msgpack_sbuffer_write, noting a failed allocation (the packer goes on
 * and would leave a short buffer). */
static int pack_write_noting(void *data, const char *buf, size_t len)
{
	struct pack_noting *n = data;
	if (msgpack_sbuffer_write(&n->sb, buf, len) != 0)
		n->failed = true;
	return 0;
}

/* The bytes of the event stream's message for r (masked.c), as one bin:
 * inside a reply its map would nest deeper than the wire allows
 * (PROTOCOL.md 5.2). False when memory ran out (nothing packed). */
static bool pack_masked(struct store *store, msgpack_packer *pk,
                        const struct store_audit_row *r)
{
	struct pack_noting n = {.failed = false};
	msgpack_packer mp;
	msgpack_sbuffer_init(&n.sb);
	msgpack_packer_init(&mp, &n, pack_write_noting);
	masked_pack(store, &mp, r, 0);
	if (!n.failed) {
		msgpack_pack_bin(pk, n.sb.size);
		msgpack_pack_bin_body(pk, n.sb.data, n.sb.size);
	}
	msgpack_sbuffer_destroy(&n.sb);
	return !n.failed;
}

/* The signed head (PROTOCOL.md 7.11.1): who checks it needs no trust in
 * this reply, only the published public key. */
static void pack_head(msgpack_packer *pk, const struct head *h, const struct sign_key *k)
{
	proto_pack_str(pk, "head");
	msgpack_pack_map(pk, 4);
	proto_pack_kv_int(pk, "seq", h->seq);
	pack_bin(pk, "hash", h->hash, sizeof h->hash);
	pack_bin(pk, "sig", h->sig, sizeof h->sig);
	pack_bin(pk, "key", k->public_key, sizeof k->public_key);
}

enum proto_status h_audit_entries(struct handler_ctx *ctx,
                                  const struct proto_request *req, struct reply *rep)
{
	int64_t after = proto_arg_int(req, "after", 0);
	bool masked = proto_arg_bool(req, "masked", false);
	size_t limit = (size_t)proto_arg_int(req, "limit", AUDIT_PAGE_DEFAULT);
	struct store_audit_row *rows;
	size_t n;
	int64_t last;
	uint8_t h[STORE_AUDIT_HASH_LEN];
	struct head head;
	enum store_result r = store_audit_last(ctx->store, &last, h);
	enum store_result hr = r == STORE_OK ? head_get(ctx->store, &head) : r;
	if (hr != STORE_OK && hr != STORE_NOT_FOUND)
		return handler_store_error(rep, hr);
	/* A writable daemon signs after every request that appends, so the
	 * head is the last entry; beyond it are entries it never wrote. */
	bool signed_head = hr == STORE_OK && ctx->sign;
	if (r == STORE_OK)
		r = store_audit_list(ctx->store, after, limit, &rows, &n);
	if (r != STORE_OK)
		return handler_store_error(rep, r);
	msgpack_packer *pk = reply_result(rep);
	msgpack_pack_map(pk, 2 + signed_head);
	proto_pack_kv_int(pk, "last", last);
	proto_pack_str(pk, "entries");
	msgpack_pack_array(pk, (uint32_t)n);
	bool packed = true;
	for (size_t i = 0; i < n && packed; i++) {
		if (masked)
			packed = pack_masked(ctx->store, pk, &rows[i]);
		else
			pack_entry(pk, &rows[i]);
	}
	store_audit_rows_free(rows, n);
	if (!packed)
		return reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	if (signed_head)
		pack_head(pk, &head, ctx->sign);
	return PROTO_OK;
}

enum proto_status h_audit_show(struct handler_ctx *ctx, const struct proto_request *req,
                               struct reply *rep)
{
	struct task *t = malloc(sizeof *t);
	if (!t)
		return reply_error(rep, PROTO_E_INTERNAL, NULL, "out of memory");
	int64_t id = proto_arg_int(req, "task", 0);
	enum proto_status st = handler_get_task(ctx, id, t, rep);
	free(t);
	if (st != PROTO_OK)
		return st;
	struct store_draw *ds;
	size_t n;
	enum store_result r = store_draw_list(ctx->store, id, &ds, &n);
	if (r != STORE_OK) {
		free(ds); /* rows read before the error */
		return handler_store_error(rep, r);
	}
	msgpack_packer *pk = reply_result(rep);
	msgpack_pack_map(pk, 2);
	proto_pack_kv_int(pk, "task", id);
	proto_pack_str(pk, "entries");
	msgpack_pack_array(pk, (uint32_t)n);
	for (size_t i = 0; i < n && st == PROTO_OK; i++) {
		struct store_audit_row row;
		r = store_audit_get(ctx->store, ds[i].audit_seq, &row);
		if (r != STORE_OK) {
			st = r == STORE_NOT_FOUND
				? reply_error(rep, PROTO_E_INTERNAL, NULL,
				              "audit entry %lld of draw %lld is missing",
				              (long long)ds[i].audit_seq, (long long)ds[i].id)
				: handler_store_error(rep, r);
			break;
		}
		pack_entry(pk, &row);
		free(row.body);
	}
	free(ds);
	return st;
}
