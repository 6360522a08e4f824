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
#include "proto.h"
#include "zap.h"

struct notify {
	void *sock;
	struct store *store;
	msgpack_sbuffer sb;
	struct store_contact contact;     /* scratch */
	struct store_task_brief task;     /* the task last read, ... */
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

static void notify_pack(struct notify *n, const struct notify_item *it)
{
	const struct store_contact *e = &n->contact;
	const struct store_task_brief *t = &n->task;
	msgpack_packer pk;
	msgpack_packer_init(&pk, &n->sb, msgpack_sbuffer_write);
	if (it->kind == NOTIFY_CLOSED) {
		msgpack_pack_map(&pk, 6);
		proto_pack_kv_int(&pk, "assignment", it->assignment);
		proto_pack_kv_int(&pk, "task", it->task);
		proto_pack_kv_int(&pk, "expert", it->expert);
		proto_pack_kv_str(&pk, "name", e->name);
		proto_pack_kv_str(&pk, "phone", e->phone);
		proto_pack_kv_str(&pk, "state", proto_assignment_states[it->state]);
		return;
	}
	msgpack_pack_map(&pk, 14);
	proto_pack_kv_int(&pk, "assignment", it->assignment);
	proto_pack_kv_int(&pk, "task", it->task);
	proto_pack_kv_int(&pk, "expert", it->expert);
	proto_pack_kv_str(&pk, "name", e->name);
	proto_pack_kv_str(&pk, "phone", e->phone);
	proto_pack_kv_str(&pk, "role", proto_seat_roles[it->role]);
	proto_pack_kv_int(&pk, "deadline", it->deadline);
	proto_pack_kv_str(&pk, "token", it->token);
	proto_pack_kv_str(&pk, "bureau", t->bureau);
	proto_pack_kv_str(&pk, "kind", proto_task_kinds[t->kind]);
	proto_pack_kv_str(&pk, "specialty", t->specialty);
	proto_pack_kv_int(&pk, "start", t->start_at);
	proto_pack_kv_int(&pk, "end", t->end_at);
	proto_pack_kv_str(&pk, "district", t->district);
}

/* Read what an item's message carries into the scratch. The task is read
 * once for a run of items of one task (a draw's seats are consecutive),
 * and, like the contact, even for a closed seat, whose message does not
 * carry it: an item whose task cannot be read is not sent, either kind. */
static bool notify_read(struct notify *n, const struct notify_item *it)
{
	if (it->task != n->task_id || it->quota != n->task_quota) {
		n->task_id = 0;
		if (store_task_brief(n->store, it->task, it->quota, &n->task) != STORE_OK)
			return false;
		n->task_id = it->task;
		n->task_quota = it->quota;
	}
	return store_expert_contact(n->store, it->expert, &n->contact) == STORE_OK;
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
		notify_pack(n, it);
		const char *topic = it->kind == NOTIFY_OFFER ? "notify.offer" : "notify.closed";
		if (zmq_send(n->sock, topic, strlen(topic), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
		    zmq_send(n->sock, n->sb.data, n->sb.size, ZMQ_DONTWAIT) < 0)
			log_warn("notification for assignment %lld not sent: %s",
			         (long long)it->assignment, zmq_strerror(zmq_errno()));
		sodium_memzero(n->sb.data, n->sb.size);
	}
}
