/*
 * zap.c - the ZAP (RFC 27) handler thread. libzmq asks it about every
 * CURVE handshake; it answers from the allowlist, which SIGHUP may swap
 * at any time (hence the mutex). Everything it receives is treated as
 * untrusted: a malformed request gets a 500, never an assert.
 */
#include "zap.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "log.h"
#include "proto.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define ZAP_VERSION "1.0"
/* Frames kept from one request; a CURVE request has 7. */
#define ZAP_MAX_FRAMES 8
/* The stop message also wakes the thread; the timeout is a safety net. */
#define ZAP_POLL_MS 500

enum zap_frame {
	ZAP_F_VERSION,
	ZAP_F_REQUEST_ID,
	ZAP_F_DOMAIN,
	ZAP_F_ADDRESS,
	ZAP_F_IDENTITY,
	ZAP_F_MECHANISM,
	ZAP_F_CREDENTIALS,
};

struct zap {
	void *handler;      /* REP on ZAP_ENDPOINT, used only by the thread */
	void *ctl_recv;     /* PAIR: the thread's end of the stop pipe */
	void *ctl_send;     /* PAIR: zap_stop's end */
	pthread_t thread;
	bool thread_started;
	pthread_mutex_t lock; /* guards list */
	struct auth_list *list;
	atomic_ulong refused;
	atomic_bool running;
};

/* One reply; user_id is "" unless status is "200". */
struct zap_verdict {
	const char *status;
	const char *text;
	char user_id[AUTH_PRINCIPAL_MAX + 1];
	char key[AUTH_KEY_LEN + 1]; /* the client key, for the log; may be "" */
};

static void zap_err(char *err, size_t errsz, const char *what)
{
	if (err != NULL && errsz > 0)
		snprintf(err, errsz, "ZAP handler: %s: %s", what,
		         zmq_strerror(zmq_errno()));
}

static bool zap_frame_is(zmq_msg_t *m, const char *s)
{
	size_t len = strlen(s);
	return zmq_msg_size(m) == len && memcmp(zmq_msg_data(m), s, len) == 0;
}

static void zap_refuse(struct zap_verdict *v, const char *status,
                       const char *text)
{
	v->status = status;
	v->text = text;
	v->user_id[0] = '\0';
}

static void zap_accept(struct zap_verdict *v, const char *user_id)
{
	v->status = "200";
	v->text = "OK";
	snprintf(v->user_id, sizeof(v->user_id), "%s", user_id);
}

/* The policy of zap.h, over the frames of one request. */
static void zap_decide(struct zap *z, zmq_msg_t *f, int nframes,
                       struct zap_verdict *v)
{
	v->key[0] = '\0';
	if (nframes < ZAP_F_CREDENTIALS ||
	    !zap_frame_is(&f[ZAP_F_VERSION], ZAP_VERSION)) {
		zap_refuse(v, "500", "Malformed ZAP request");
		return;
	}
	if (!zap_frame_is(&f[ZAP_F_MECHANISM], "CURVE")) {
		zap_refuse(v, "400", "Only CURVE is accepted");
		return;
	}
	if (nframes != ZAP_F_CREDENTIALS + 1 ||
	    zmq_msg_size(&f[ZAP_F_CREDENTIALS]) != 32) {
		zap_refuse(v, "400", "Malformed CURVE credentials");
		return;
	}
	zmq_msg_t *dom = &f[ZAP_F_DOMAIN];
	bool answer = zap_frame_is(dom, ZAP_DOMAIN_ANSWER);
	if (!answer && !zap_frame_is(dom, ZAP_DOMAIN_REQUEST) &&
	    !zap_frame_is(dom, ZAP_DOMAIN_PUB) && !zap_frame_is(dom, ZAP_DOMAIN_NOTIFY)) {
		zap_refuse(v, "400", "Unknown domain");
		return;
	}
	const uint8_t *raw = zmq_msg_data(&f[ZAP_F_CREDENTIALS]);
	if (zmq_z85_encode(v->key, raw, 32) == NULL) {
		zap_refuse(v, "500", "Cannot encode key");
		return;
	}
	if (answer) {
		/* Experts are not allowlisted: they prove themselves by token.
		 * The key names the connection's retries (PROTOCOL.md 7.12.6). */
		char user[AUTH_PRINCIPAL_MAX + 1];
		snprintf(user, sizeof user, "%s%s", ZAP_USER_EXPERT_PREFIX, v->key);
		zap_accept(v, user);
		return;
	}
	/* The event stream carries every draw; bureaus and clerks see only
	 * their own tasks, so only operators and notifiers may subscribe.
	 * Notifications carry tokens: notifiers only. */
	unsigned roles = zap_frame_is(dom, ZAP_DOMAIN_PUB)
	                 ? PROTO_ROLE_OPERATOR | PROTO_ROLE_NOTIFIER
	                 : zap_frame_is(dom, ZAP_DOMAIN_NOTIFY) ? PROTO_ROLE_NOTIFIER
	                 : PROTO_ROLES_ANY;
	pthread_mutex_lock(&z->lock);
	const struct auth_entry *e = auth_list_find_key(z->list, v->key);
	bool role_ok = e != NULL && (e->role & roles) != 0;
	if (role_ok)
		zap_accept(v, e->key);
	pthread_mutex_unlock(&z->lock);
	if (e == NULL)
		zap_refuse(v, "400", "Key not allowed");
	else if (!role_ok)
		zap_refuse(v, "400", "Role not allowed");
}

static void zap_log_refusal(zmq_msg_t *f, int nframes,
                            const struct zap_verdict *v)
{
	int dlen = 0, alen = 0;
	const char *dom = "", *addr = "";
	if (nframes > ZAP_F_DOMAIN) {
		dom = zmq_msg_data(&f[ZAP_F_DOMAIN]);
		dlen = (int)(zmq_msg_size(&f[ZAP_F_DOMAIN]) > 64 ? 64
		             : zmq_msg_size(&f[ZAP_F_DOMAIN]));
	}
	if (nframes > ZAP_F_ADDRESS) {
		addr = zmq_msg_data(&f[ZAP_F_ADDRESS]);
		alen = (int)(zmq_msg_size(&f[ZAP_F_ADDRESS]) > 64 ? 64
		             : zmq_msg_size(&f[ZAP_F_ADDRESS]));
	}
	log_notice("zap: %s %s (domain '%.*s', peer %.*s, key %s)", v->status,
	           v->text, dlen, dom, alen, addr, v->key[0] ? v->key : "-");
}

static int zap_send_frame(void *sock, const void *data, size_t len, bool more)
{
	return zmq_send(sock, data, len, more ? ZMQ_SNDMORE : 0) < 0 ? -1 : 0;
}

static void zap_reply(void *sock, zmq_msg_t *f, int nframes,
                      const struct zap_verdict *v)
{
	const void *rid = "";
	size_t rid_len = 0;
	if (nframes > ZAP_F_REQUEST_ID) {
		rid = zmq_msg_data(&f[ZAP_F_REQUEST_ID]);
		rid_len = zmq_msg_size(&f[ZAP_F_REQUEST_ID]);
	}
	if (zap_send_frame(sock, ZAP_VERSION, strlen(ZAP_VERSION), true) != 0 ||
	    zap_send_frame(sock, rid, rid_len, true) != 0 ||
	    zap_send_frame(sock, v->status, strlen(v->status), true) != 0 ||
	    zap_send_frame(sock, v->text, strlen(v->text), true) != 0 ||
	    zap_send_frame(sock, v->user_id, strlen(v->user_id), true) != 0 ||
	    zap_send_frame(sock, "", 0, false) != 0)
		log_error("zap: cannot send reply: %s", zmq_strerror(zmq_errno()));
}

/*
 * Receive one whole request (extra frames are read and dropped so the REP
 * socket stays in step), decide, reply. Returns false if the socket is
 * dead (context terminated).
 */
static bool zap_handle(struct zap *z)
{
	zmq_msg_t f[ZAP_MAX_FRAMES];
	int nframes = 0;
	bool more = true, dead = false;

	while (more) {
		zmq_msg_t extra;
		zmq_msg_t *m = nframes < ZAP_MAX_FRAMES ? &f[nframes] : &extra;
		zmq_msg_init(m);
		if (zmq_msg_recv(m, z->handler, 0) < 0) {
			zmq_msg_close(m);
			if (zmq_errno() == EINTR)
				continue;
			dead = true;
			break;
		}
		more = zmq_msg_more(m);
		if (m == &extra)
			zmq_msg_close(m);
		else
			nframes++;
	}
	if (!dead) {
		struct zap_verdict v;
		zap_decide(z, f, nframes, &v);
		if (strcmp(v.status, "200") != 0) {
			atomic_fetch_add(&z->refused, 1);
			zap_log_refusal(f, nframes, &v);
		} else {
			log_debug("zap: accepted %s", v.user_id);
		}
		zap_reply(z->handler, f, nframes, &v);
	}
	for (int i = 0; i < nframes; i++)
		zmq_msg_close(&f[i]);
	return !dead;
}

static void *zap_thread_cb(void *arg)
{
	struct zap *z = arg;
	zmq_pollitem_t items[] = {
		{z->handler, 0, ZMQ_POLLIN, 0},
		{z->ctl_recv, 0, ZMQ_POLLIN, 0},
	};

	for (;;) {
		int rc = zmq_poll(items, 2, ZAP_POLL_MS);
		if (rc < 0) {
			if (zmq_errno() == EINTR)
				continue;
			log_error("zap: poll failed: %s", zmq_strerror(zmq_errno()));
			break;
		}
		if (items[1].revents & ZMQ_POLLIN)
			break; /* zap_stop */
		if ((items[0].revents & ZMQ_POLLIN) && !zap_handle(z))
			break;
	}
	/*
	 * The REP socket stays bound until zap_stop closes it, so libzmq
	 * keeps sending requests nobody answers: handshakes hang rather than
	 * pass unchecked.
	 */
	atomic_store(&z->running, false);
	return NULL;
}

static void zap_close_sockets(struct zap *z)
{
	if (z->handler != NULL)
		zmq_close(z->handler);
	if (z->ctl_recv != NULL)
		zmq_close(z->ctl_recv);
	if (z->ctl_send != NULL)
		zmq_close(z->ctl_send);
	z->handler = z->ctl_recv = z->ctl_send = NULL;
}

static void *zap_socket(void *ctx, int type)
{
	void *s = zmq_socket(ctx, type);
	int linger = 0;
	if (s != NULL)
		zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
	return s;
}

/* Make the sockets, all bound or connected before the thread starts. */
static bool zap_open(struct zap *z, void *zmq_ctx, char *err, size_t errsz)
{
	char ctl[64];

	snprintf(ctl, sizeof(ctl), "inproc://expertd-zap-ctl-%p", (void *)z);
	z->handler = zap_socket(zmq_ctx, ZMQ_REP);
	z->ctl_recv = zap_socket(zmq_ctx, ZMQ_PAIR);
	z->ctl_send = zap_socket(zmq_ctx, ZMQ_PAIR);
	if (z->handler == NULL || z->ctl_recv == NULL || z->ctl_send == NULL) {
		zap_err(err, errsz, "cannot create socket");
		return false;
	}
	if (zmq_bind(z->handler, ZAP_ENDPOINT) != 0) {
		zap_err(err, errsz, "cannot bind " ZAP_ENDPOINT);
		return false;
	}
	if (zmq_bind(z->ctl_recv, ctl) != 0 || zmq_connect(z->ctl_send, ctl) != 0) {
		zap_err(err, errsz, "cannot set up the stop pipe");
		return false;
	}
	return true;
}

struct zap *zap_start(void *zmq_ctx, struct auth_list *list,
                      char *err, size_t errsz)
{
	struct zap *z = calloc(1, sizeof(*z));
	if (z == NULL) {
		if (err != NULL && errsz > 0)
			snprintf(err, errsz, "ZAP handler: out of memory");
		auth_list_destroy(&list);
		return NULL;
	}
	z->list = list;
	atomic_init(&z->refused, 0);
	atomic_init(&z->running, false);
	if (pthread_mutex_init(&z->lock, NULL) != 0) {
		if (err != NULL && errsz > 0)
			snprintf(err, errsz, "ZAP handler: cannot create mutex");
		auth_list_destroy(&z->list);
		free(z);
		return NULL;
	}
	if (!zap_open(z, zmq_ctx, err, errsz)) {
		zap_stop(&z);
		return NULL;
	}

	/* Signals belong to the main loop: the thread starts with all blocked. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	atomic_store(&z->running, true);
	int rc = pthread_create(&z->thread, NULL, zap_thread_cb, z);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		atomic_store(&z->running, false);
		if (err != NULL && errsz > 0)
			snprintf(err, errsz, "ZAP handler: cannot start thread: %s",
			         strerror(rc));
		zap_stop(&z);
		return NULL;
	}
	z->thread_started = true;
	return z;
}

void zap_stop(struct zap **zp)
{
	if (zp == NULL || *zp == NULL)
		return;
	struct zap *z = *zp;
	if (z->thread_started) {
		/* If the send fails the poll timeout still lets it see ETERM. */
		zmq_send(z->ctl_send, "", 0, ZMQ_DONTWAIT);
		pthread_join(z->thread, NULL);
	}
	zap_close_sockets(z);
	pthread_mutex_destroy(&z->lock);
	auth_list_destroy(&z->list);
	free(z);
	*zp = NULL;
}

void zap_replace_allowlist(struct zap *z, struct auth_list *list)
{
	pthread_mutex_lock(&z->lock);
	struct auth_list *old = z->list;
	z->list = list;
	pthread_mutex_unlock(&z->lock);
	auth_list_destroy(&old);
}

bool zap_lookup_key(struct zap *z, const char *key, struct auth_entry *out)
{
	pthread_mutex_lock(&z->lock);
	const struct auth_entry *e = auth_list_find_key(z->list, key);
	if (e != NULL)
		*out = *e;
	pthread_mutex_unlock(&z->lock);
	return e != NULL;
}

unsigned long zap_refused_count(struct zap *z)
{
	return atomic_load(&z->refused);
}

bool zap_is_running(struct zap *z)
{
	return z != NULL && atomic_load(&z->running);
}
