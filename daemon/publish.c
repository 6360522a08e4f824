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

#include "head.h"
#include "ipc_guard.h"
#include "masked.h"
#include "log.h"
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
	masked_pack(p->store, &pk, r, signed_head);
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
