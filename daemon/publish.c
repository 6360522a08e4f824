/*
 * publish.c - the live dispatch log (see publish.h): after a batch
 * commits, its audit entries are read back from the store and sent on the
 * PUB socket as [type][body], with personal data masked. A PUB never
 * blocks the event loop: a subscriber that falls more than PUBLISH_HWM
 * messages behind loses messages, sees the jump in seq, and re-fetches
 * with audit.entries (STREAMS.md 3).
 */
#include "publish.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>
#include <zmq.h>

#include "audit.h"
#include "head.h"
#include "ipc_guard.h"
#include "log.h"
#include "mask.h"
#include "proto.h"
#include "zbind.h"

/* Entries read from the store per query: an import of 100 000 experts is
 * one batch, and is published in pages of this size. */
#define PUBLISH_PAGE 1000
/* Messages queued per subscriber before the PUB drops (ZMQ_SNDHWM). Low
 * enough that a stalled subscriber costs about a megabyte; what it misses
 * it re-fetches. */
#define PUBLISH_HWM 1000

struct publish {
	void *sock;
	struct store *store;
	const struct sign_key *sign;
	msgpack_sbuffer sb;   /* one message body, reused */
};

bool publish_bind(void *sock, const struct publish_options *opt, const char *domain,
                  const char *what, char *err, size_t errsz)
{
	int zero = 0, one = 1, hwm = PUBLISH_HWM;
	zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero);
	zmq_setsockopt(sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
	if (!opt->insecure) {
		if (zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &one, sizeof one) ||
		    zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, opt->secret_key, 40) ||
		    zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, domain, strlen(domain))) {
			snprintf(err, errsz, "cannot enable CURVE on the %s endpoint: %s",
			         what, zmq_strerror(errno));
			return false;
		}
	}
	if (!ipc_guard_check(opt->endpoint, err, errsz))
		return false;
	if (zbind(sock, opt->endpoint) != 0) {
		snprintf(err, errsz, "cannot publish %s on %s: %s", what, opt->endpoint,
		         zmq_strerror(errno));
		return false;
	}
	return true;
}

struct publish *publish_new(void *zmq_ctx, struct store *store,
                            const struct publish_options *opt,
                            char *err, size_t errsz)
{
	if (!opt->insecure && !zap_is_running(opt->zap)) {
		/* CURVE without a ZAP handler would accept every key. */
		snprintf(err, errsz, "refusing to publish events on %s: no ZAP handler "
		         "is running", opt->endpoint);
		return NULL;
	}
	struct publish *p = calloc(1, sizeof *p);
	if (!p) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	p->store = store;
	p->sign = opt->sign;
	msgpack_sbuffer_init(&p->sb);
	p->sock = zmq_socket(zmq_ctx, ZMQ_PUB);
	if (!p->sock) {
		snprintf(err, errsz, "cannot create the event socket: %s",
		         zmq_strerror(errno));
		publish_destroy(&p);
		return NULL;
	}
	if (!publish_bind(p->sock, opt, ZAP_DOMAIN_PUB, "event", err, errsz)) {
		publish_destroy(&p);
		return NULL;
	}
	return p;
}

void publish_destroy(struct publish **pp)
{
	if (!pp || !*pp)
		return;
	struct publish *p = *pp;
	if (p->sock)
		zmq_close(p->sock);
	msgpack_sbuffer_destroy(&p->sb);
	free(p);
	*pp = NULL;
}

/* ---- bodies ------------------------------------------------------------ */

static bool publish_is_key(const msgpack_object *o, const char *k)
{
	return o->type == MSGPACK_OBJECT_STR && o->via.str.size == strlen(k) &&
	       memcmp(o->via.str.ptr, k, o->via.str.size) == 0;
}

/* The masked current name of an expert, or nil when it cannot be read. */
static void publish_pack_name(struct publish *p, msgpack_packer *pk,
                              const msgpack_object *id)
{
	char name[EXPERT_NAME_MAX + 1];
	if (id && id->type == MSGPACK_OBJECT_POSITIVE_INTEGER && id->via.u64 <= INT64_MAX &&
	    store_expert_name(p->store, (int64_t)id->via.u64, name) == STORE_OK) {
		char masked[MASK_BUF];
		mask_name(name, masked);
		proto_pack_str(pk, masked);
	} else {
		msgpack_pack_nil(pk);
	}
}

/* The expert map of a pool.expert entry: "birth" (personal, and only the
 * age rule needs it) gives way to "name", the masked name, in its place. */
static void publish_pack_expert(struct publish *p, msgpack_packer *pk,
                                const msgpack_object *m)
{
	const msgpack_object *id = proto_map_get(m, "id");
	bool has_birth = proto_map_get(m, "birth") != NULL;
	msgpack_pack_map(pk, m->via.map.size + !has_birth);
	for (uint32_t i = 0; i < m->via.map.size; i++) {
		const msgpack_object_kv *kv = &m->via.map.ptr[i];
		if (publish_is_key(&kv->key, "birth")) {
			proto_pack_str(pk, "name");
			publish_pack_name(p, pk, id);
			continue;
		}
		msgpack_pack_object(pk, kv->key);
		msgpack_pack_object(pk, kv->val);
	}
	if (!has_birth) {
		proto_pack_str(pk, "name");
		publish_pack_name(p, pk, id);
	}
}

static void publish_pack_pool_expert(struct publish *p, msgpack_packer *pk,
                                     const msgpack_object *body)
{
	msgpack_pack_map(pk, body->via.map.size);
	for (uint32_t i = 0; i < body->via.map.size; i++) {
		const msgpack_object_kv *kv = &body->via.map.ptr[i];
		msgpack_pack_object(pk, kv->key);
		if (publish_is_key(&kv->key, "expert") && kv->val.type == MSGPACK_OBJECT_MAP)
			publish_pack_expert(p, pk, &kv->val);
		else
			msgpack_pack_object(pk, kv->val);
	}
}

/* A transcript as stored, and "panel_names": the panel's masked names in
 * seat order. */
static void publish_pack_draw(struct publish *p, msgpack_packer *pk,
                              const msgpack_object *body)
{
	const msgpack_object *panel = proto_map_get(body, "panel");
	uint32_t n = panel && panel->type == MSGPACK_OBJECT_ARRAY ? panel->via.array.size : 0;
	msgpack_pack_map(pk, body->via.map.size + 1);
	for (uint32_t i = 0; i < body->via.map.size; i++) {
		msgpack_pack_object(pk, body->via.map.ptr[i].key);
		msgpack_pack_object(pk, body->via.map.ptr[i].val);
	}
	proto_pack_str(pk, "panel_names");
	msgpack_pack_array(pk, n);
	for (uint32_t i = 0; i < n; i++)
		publish_pack_name(p, pk, &panel->via.array.ptr[i]);
}

/*
 * The "entry" of a message. Bodies hold no names, resident IDs, phones or
 * tokens (audit.h), so only the birth dates of pool.expert come out, and
 * masked names go in. A body that does not unpack is sent as nil, so the
 * seq still arrives and nobody mistakes the hole for a lost message.
 */
static void publish_pack_entry(struct publish *p, msgpack_packer *pk,
                               const struct store_audit_row *r)
{
	msgpack_unpacked u;
	struct proto_error perr;
	msgpack_unpacked_init(&u);
	if (proto_unpack(r->body, r->body_len, &u, &perr) != PROTO_OK ||
	    u.data.type != MSGPACK_OBJECT_MAP) {
		log_error("publish: audit entry %lld does not unpack: %s",
		          (long long)r->seq, perr.message);
		msgpack_pack_nil(pk);
	} else if (strcmp(r->type, AUDIT_EXPERT) == 0 ||
	           strcmp(r->type, AUDIT_EXPERT_FLAGGED) == 0) {
		publish_pack_pool_expert(p, pk, &u.data);
	} else if (strcmp(r->type, AUDIT_DRAW) == 0 ||
	           strcmp(r->type, AUDIT_DRAW_FAILED) == 0) {
		publish_pack_draw(p, pk, &u.data);
	} else {
		msgpack_pack_object(pk, u.data);
	}
	msgpack_unpacked_destroy(&u);
}

static void publish_pack_bin(msgpack_packer *pk, const char *k, const uint8_t *b,
                             size_t n)
{
	proto_pack_str(pk, k);
	msgpack_pack_bin(pk, n);
	msgpack_pack_bin_body(pk, b, n);
}

/* The signed head, on the message of the entry it names (STREAMS.md 3). */
static void publish_pack_head(const struct publish *p, msgpack_packer *pk,
                              const struct head *h)
{
	proto_pack_str(pk, "head");
	msgpack_pack_map(pk, 4);
	proto_pack_kv_int(pk, "seq", h->seq);
	publish_pack_bin(pk, "hash", h->hash, sizeof h->hash);
	publish_pack_bin(pk, "sig", h->sig, sizeof h->sig);
	publish_pack_bin(pk, "key", p->sign->public_key, sizeof p->sign->public_key);
}

static void publish_one(struct publish *p, const struct store_audit_row *r,
                        const struct head *h)
{
	msgpack_packer pk;
	bool signed_head = h && h->seq == r->seq &&
	                   memcmp(h->hash, r->hash, sizeof h->hash) == 0;
	msgpack_sbuffer_clear(&p->sb);
	msgpack_packer_init(&pk, &p->sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 5 + signed_head);
	proto_pack_kv_int(&pk, "seq", r->seq);
	proto_pack_kv_int(&pk, "at", r->at);
	proto_pack_kv_str(&pk, "type", r->type);
	proto_pack_str(&pk, "hash");
	msgpack_pack_bin(&pk, sizeof r->hash);
	msgpack_pack_bin_body(&pk, r->hash, sizeof r->hash);
	proto_pack_str(&pk, "entry");
	publish_pack_entry(p, &pk, r);
	if (signed_head)
		publish_pack_head(p, &pk, h);
	/* PUB sends never block; past the high-water mark libzmq drops the
	 * message for that subscriber, which sees a gap in seq. */
	if (zmq_send(p->sock, r->type, strlen(r->type), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
	    zmq_send(p->sock, p->sb.data, p->sb.size, ZMQ_DONTWAIT) < 0) {
		log_debug("publish: entry %lld not sent: %s", (long long)r->seq,
		          zmq_strerror(errno));
	}
}

void publish_range(struct publish *p, int64_t first, int64_t last)
{
	int64_t after = first - 1;
	struct head head;
	bool has_head = p && p->sign && head_get(p->store, &head) == STORE_OK;
	while (p && after < last) {
		struct store_audit_row *rows = NULL;
		size_t n = 0, want = (size_t)(last - after < PUBLISH_PAGE ? last - after
		                                                          : PUBLISH_PAGE);
		enum store_result r = store_audit_list(p->store, after, want, &rows, &n);
		if (r != STORE_OK || n == 0) {
			/* Subscribers see the gap and re-fetch; say why here. */
			log_error("publish: cannot read audit entries %lld..%lld: %s",
			          (long long)after + 1, (long long)last,
			          r != STORE_OK ? store_errmsg(p->store) : "none found");
			return;
		}
		for (size_t i = 0; i < n; i++)
			publish_one(p, &rows[i], has_head ? &head : NULL);
		after = rows[n - 1].seq;
		store_audit_rows_free(rows, n);
	}
}

void publish_commit_cb(void *arg, int64_t first, int64_t last)
{
	publish_range(arg, first, last);
}
