/*
 * notify.c - the notification socket (see notify.h). The message carries
 * the expert's name and phone in full: the gateway must reach them, and
 * only notifier keys can subscribe. Tokens are wiped from the buffer once
 * sent.
 */
#include "notify.h"

#include <stdlib.h>
#include <string.h>

#include <msgpack.h>
#include <sodium.h>
#include <zmq.h>

#include "log.h"
#include "notify_pack.h"
#include "proto.h"
#include "zap.h"

struct notify {
	void *sock;
	struct store *store;
	msgpack_sbuffer sb;
	struct notify_detail detail;      /* scratch: the contact, and the task
	                                   * last read, ... */
	int64_t task_id;                  /* ... this one; 0 for none */
	int task_quota;                   /* ... for this quota of it */
};

struct notify *notify_new(void *zmq_ctx, struct store *store,
                          const struct publish_options *opt, char *err,
                          size_t errsz)
{
	if (!opt->insecure && !zap_is_running(opt->zap)) {
		snprintf(err, errsz, "refusing to publish notifications on %s: no ZAP "
		         "handler is running", opt->endpoint);
		return NULL;
	}
	struct notify *n = calloc(1, sizeof *n);
	if (!n) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	n->store = store;
	msgpack_sbuffer_init(&n->sb);
	n->sock = zmq_socket(zmq_ctx, ZMQ_PUB);
	if (!n->sock) {
		snprintf(err, errsz, "cannot create the notification socket");
		notify_destroy(&n);
		return NULL;
	}
	if (!publish_bind(n->sock, opt, ZAP_DOMAIN_NOTIFY, "notifications", err, errsz)) {
		notify_destroy(&n);
		return NULL;
	}
	return n;
}

void notify_destroy(struct notify **np)
{
	struct notify *n = np ? *np : NULL;
	if (!n)
		return;
	if (n->sock)
		zmq_close(n->sock);
	msgpack_sbuffer_destroy(&n->sb);
	free(n);
	*np = NULL;
}

/* Read what an item's message carries into the scratch. The task is read
 * once for a run of items of one task (a draw's seats are consecutive),
 * and, like the contact, even for a closed seat, whose message does not
 * carry it: an item whose task cannot be read is not sent, either kind. */
static bool notify_read(struct notify *n, const struct notify_item *it)
{
	if (it->task != n->task_id || it->quota != n->task_quota) {
		n->task_id = 0;
		if (!notify_pack_read_task(n->store, it->task, it->quota, &n->detail))
			return false;
		n->task_id = it->task;
		n->task_quota = it->quota;
	}
	return store_expert_contact(n->store, it->expert, &n->detail.contact) == STORE_OK;
}

void notify_send_cb(void *arg, const struct notify_item *items, size_t count)
{
	struct notify *n = arg;
	n->task_id = 0;   /* a task read in an earlier batch may have changed */
	for (size_t i = 0; i < count; i++) {
		const struct notify_item *it = &items[i];
		if (!notify_read(n, it)) {
			log_error("notification for assignment %lld not sent: its expert or "
			          "task cannot be read", (long long)it->assignment);
			continue;
		}
		msgpack_sbuffer_clear(&n->sb);
		msgpack_packer pk;
		msgpack_packer_init(&pk, &n->sb, msgpack_sbuffer_write);
		if (it->kind == NOTIFY_OFFER)
			notify_pack_offer(&pk, it, &n->detail, true);
		else
			notify_pack_closed(&pk, it, &n->detail);
		const char *topic = it->kind == NOTIFY_OFFER ? "notify.offer" : "notify.closed";
		if (zmq_send(n->sock, topic, strlen(topic), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
		    zmq_send(n->sock, n->sb.data, n->sb.size, ZMQ_DONTWAIT) < 0)
			log_warn("notification for assignment %lld not sent: %s",
			         (long long)it->assignment, zmq_strerror(zmq_errno()));
		sodium_memzero(n->sb.data, n->sb.size);
	}
}
