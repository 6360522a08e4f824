/*
 * conn_budget.c - counting a socket's connections from its monitor and
 * shutting down the ones past the budget (see conn_budget.h). The monitor
 * reports each accepted connection's descriptor; before shutting one down
 * the budget checks that the descriptor still is a connection to this
 * socket's own address (it could have been closed and reused by then),
 * so another endpoint's connection is never touched. shutdown(), never
 * close(): the descriptor stays libzmq's, which sees the end and cleans up.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>

#include <zmq.h>

#include "conn_budget.h"
#include "log.h"

#define CONN_BUDGET_FDS 65536   /* descriptors tracked (LimitNOFILE) */

struct conn_budget {
	void *monitor;                 /* PAIR, connected to the monitor */
	struct event *readable;
	char name[32];
	int max, open;
	bool full;                     /* refusing, since the last log line */
	uint64_t refused;
	bool tcp;                      /* the socket's own address: */
	uint16_t port;                 /* tcp, network byte order */
	char path[sizeof ((struct sockaddr_un *)0)->sun_path]; /* ipc */
	uint8_t *mine;                 /* [fd]: a counted connection */
};

/* The listening address of endpoint (tcp or ipc) as the kernel reports
 * it on an accepted connection's local side: the port is what tells two
 * tcp endpoints of one daemon apart, the path two ipc ones. */
static bool budget_address(struct conn_budget *b, const char *endpoint)
{
	if (strncmp(endpoint, "ipc://", 6) == 0) {
		snprintf(b->path, sizeof b->path, "%s", endpoint + 6);
		return true;
	}
	const char *colon = strrchr(endpoint, ':');
	if (strncmp(endpoint, "tcp://", 6) != 0 || !colon)
		return false;
	b->tcp = true;
	b->port = htons((uint16_t)atoi(colon + 1));
	return true;
}

/* Whether fd is a connection accepted on this socket's address. */
static bool budget_owns(const struct conn_budget *b, int fd)
{
	struct sockaddr_storage a;
	socklen_t len = sizeof a;
	if (fd < 0 || fd >= CONN_BUDGET_FDS ||
	    getsockname(fd, (struct sockaddr *)&a, &len) != 0)
		return false;
	if (a.ss_family == AF_UNIX)
		return !b->tcp && strcmp(((struct sockaddr_un *)&a)->sun_path, b->path) == 0;
	if (a.ss_family == AF_INET)
		return b->tcp && ((struct sockaddr_in *)&a)->sin_port == b->port;
	if (a.ss_family == AF_INET6)
		return b->tcp && ((struct sockaddr_in6 *)&a)->sin6_port == b->port;
	return false;
}

static void budget_event(struct conn_budget *b, uint16_t event, int fd)
{
	if (event == ZMQ_EVENT_ACCEPTED && budget_owns(b, fd)) {
		if (b->open < b->max) {
			b->mine[fd] = 1;
			b->open++;
			return;
		}
		shutdown(fd, SHUT_RDWR);
		b->refused++;
		if (!b->full)
			log_warn("%s endpoint: all %d connections of its budget are open; "
			         "refusing new ones", b->name, b->max);
		b->full = true;
	} else if (event == ZMQ_EVENT_DISCONNECTED && fd >= 0 && fd < CONN_BUDGET_FDS &&
	           b->mine[fd]) {
		b->mine[fd] = 0;
		b->open--;
		if (b->full && b->open < b->max) {
			log_notice("%s endpoint: below its budget of %d connections again "
			           "(%llu refused so far)", b->name, b->max,
			           (unsigned long long)b->refused);
			b->full = false;
		}
	}
}

/* Drain every queued monitor event: [uint16 event, uint32 value][address]. */
static void budget_readable_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct conn_budget *b = arg;
	for (;;) {
		zmq_msg_t head, addr;
		zmq_msg_init(&head);
		if (zmq_msg_recv(&head, b->monitor, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&head);
			return;
		}
		zmq_msg_init(&addr);
		if (zmq_msg_more(&head))
			zmq_msg_recv(&addr, b->monitor, ZMQ_DONTWAIT);
		if (zmq_msg_size(&head) >= 6) {
			const uint8_t *p = zmq_msg_data(&head);
			uint16_t event;
			uint32_t value;
			memcpy(&event, p, sizeof event);
			memcpy(&value, p + 2, sizeof value);
			budget_event(b, event, (int)value);
		}
		zmq_msg_close(&addr);
		zmq_msg_close(&head);
	}
}

struct conn_budget *conn_budget_new(struct event_base *base, void *zmq_ctx,
                                    void *sock, const char *name, int max,
                                    char *err, size_t errsz)
{
	struct conn_budget *b = calloc(1, sizeof *b);
	char endpoint[512], inproc[96];
	size_t len = sizeof endpoint;
	if (!b || !(b->mine = calloc(CONN_BUDGET_FDS, 1))) {
		free(b);
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	snprintf(b->name, sizeof b->name, "%s", name);
	b->max = max;
	snprintf(inproc, sizeof inproc, "inproc://expertd-budget-%s-%p", name, (void *)b);
	int fd, unlimited = 0;
	size_t fdlen = sizeof fd;
	/* No high-water mark: a dropped event would leave the count wrong
	 * for good (a lost disconnect fills the budget forever). */
	if (zmq_getsockopt(sock, ZMQ_LAST_ENDPOINT, endpoint, &len) != 0 ||
	    !budget_address(b, endpoint) ||
	    zmq_socket_monitor(sock, inproc, ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED) != 0 ||
	    !(b->monitor = zmq_socket(zmq_ctx, ZMQ_PAIR)) ||
	    zmq_setsockopt(b->monitor, ZMQ_RCVHWM, &unlimited, sizeof unlimited) != 0 ||
	    zmq_connect(b->monitor, inproc) != 0 ||
	    zmq_getsockopt(b->monitor, ZMQ_FD, &fd, &fdlen) != 0 ||
	    !(b->readable = event_new(base, fd, EV_READ | EV_PERSIST, budget_readable_cb, b)) ||
	    event_add(b->readable, NULL) != 0) {
		snprintf(err, errsz, "cannot count the %s endpoint's connections: %s", name,
		         zmq_strerror(errno));
		conn_budget_destroy(&b);
		return NULL;
	}
	/* ZMQ_FD only signals a socket that has found itself empty: read
	 * once now, or the first events would never wake the loop. */
	budget_readable_cb(fd, EV_READ, b);
	return b;
}

void conn_budget_destroy(struct conn_budget **bp)
{
	struct conn_budget *b = bp ? *bp : NULL;
	if (!b)
		return;
	if (b->readable)
		event_free(b->readable);
	if (b->monitor) {
		int linger = 0;
		zmq_setsockopt(b->monitor, ZMQ_LINGER, &linger, sizeof linger);
		zmq_close(b->monitor);
	}
	free(b->mine);
	free(b);
	*bp = NULL;
}

int conn_budget_open(const struct conn_budget *b)
{
	return b ? b->open : 0;
}

uint64_t conn_budget_refused(const struct conn_budget *b)
{
	return b ? b->refused : 0;
}

int conn_budget_max(const struct conn_budget *b)
{
	return b ? b->max : 0;
}
