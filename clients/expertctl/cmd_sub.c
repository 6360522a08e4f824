/*
 * cmd_sub.c - the SUB side of expertctl: one ZeroMQ subscriber with the
 * client's CURVE keys and a monitor that tells a refused handshake from
 * silence, shared by `watch` (the event stream, STREAMS.md 3) and
 * `watch --notify` (the notification stream, STREAMS.md 4); and the signal flag
 * both loops stop on.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <zmq.h>

#include "cmd.h"

#define SUB_MON_EP "inproc://expertctl-sub-monitor"

static volatile sig_atomic_t sub_stop;

static void sub_signal(int sig)
{
	(void)sig;
	sub_stop = 1;
}

void cmd_sub_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = sub_signal;   /* no SA_RESTART: zmq_poll returns */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

bool cmd_sub_stopped(void)
{
	return sub_stop != 0;
}

/* Connect to each endpoint of a comma-separated list: of several daemons,
 * the one that serves publishes. */
static bool cmd_sub_connect(void *sub, const char *list)
{
	char ep[512];
	for (const char *p = list;; p += strcspn(p, ",") + 1) {
		size_t len = strcspn(p, ",");
		if (len == 0 || len >= sizeof ep)
			return false;
		memcpy(ep, p, len);
		ep[len] = '\0';
		if (zmq_connect(sub, ep) != 0)
			return false;
		if (!p[len])
			return true;
	}
}

int cmd_sub_open(struct ctl *ctl, const char *endpoint, const char *topic,
                 struct client_sub *s)
{
	int zero = 0, hwm = 0;
	int64_t maxmsg = PROTO_MAX_MSG;
	const char *env = getenv("EXPERTCTL_SUB_HWM");   /* test hook */
	char err[512];
	memset(s, 0, sizeof *s);
	s->ctx = zmq_ctx_new();
	s->sub = s->ctx ? zmq_socket(s->ctx, ZMQ_SUB) : NULL;
	s->mon = s->ctx ? zmq_socket(s->ctx, ZMQ_PAIR) : NULL;
	if (!s->sub || !s->mon) {
		fprintf(stderr, _("expertctl: cannot create a socket: %s\n"),
		        zmq_strerror(zmq_errno()));
		return EX_OSERR;
	}
	zmq_setsockopt(s->sub, ZMQ_LINGER, &zero, sizeof zero);
	zmq_setsockopt(s->mon, ZMQ_LINGER, &zero, sizeof zero);
	zmq_setsockopt(s->sub, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
	int ipv6 = 1;  /* tcp://[::1]:P; IPv4 works either way */
	zmq_setsockopt(s->sub, ZMQ_IPV6, &ipv6, sizeof ipv6);
	if (env && (hwm = atoi(env)) > 0)
		zmq_setsockopt(s->sub, ZMQ_RCVHWM, &hwm, sizeof hwm);
	if (ctl->copt.secret_key_file && !client_curve(s->sub, &ctl->copt, err, sizeof err)) {
		fprintf(stderr, _("expertctl: %s\n"), err);
		return EX_CONFIG;
	}
	if (zmq_socket_monitor(s->sub, SUB_MON_EP, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
	                       ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
	                       ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) != 0 ||
	    zmq_connect(s->mon, SUB_MON_EP) != 0 ||
	    zmq_setsockopt(s->sub, ZMQ_SUBSCRIBE, topic, strlen(topic)) != 0 ||
	    !cmd_sub_connect(s->sub, endpoint)) {
		fprintf(stderr, _("expertctl: cannot connect to %s: %s\n"), endpoint,
		        zmq_strerror(zmq_errno()));
		return EX_CONFIG;
	}
	return 0;
}

int cmd_sub_refused(struct client_sub *s, const char *endpoint, const char *who)
{
	uint16_t event = 0;
	client_monitor_next(s->mon, &event);
	if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
		fprintf(stderr, _("expertctl: %s refused this key: only %s\n"), endpoint, _(who));
		return EX_NOPERM;
	}
	fprintf(stderr, _("expertctl: the handshake with %s failed (a plain client and "
	        "a secure daemon, or the wrong --server-key?)\n"), endpoint);
	return EX_PROTOCOL;
}
