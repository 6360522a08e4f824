/*
 * serve.c - run a web program's event loop until it is told to stop
 * (serve.h).
 */
#include <signal.h>

#include <systemd/sd-daemon.h>

#include "serve.h"

static void serve_stop_cb(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	event_base_loopexit(arg, NULL);
}

int serve_until_signal(struct event_base *base)
{
	int rc = -1;
	struct event *sigint = evsignal_new(base, SIGINT, serve_stop_cb, base);
	struct event *sigterm = evsignal_new(base, SIGTERM, serve_stop_cb, base);
	if (sigint && sigterm && event_add(sigint, NULL) == 0 &&
	    event_add(sigterm, NULL) == 0) {
		sd_notify(0, "READY=1");
		event_base_dispatch(base);
		rc = 0;
	}
	if (sigint)
		event_free(sigint);
	if (sigterm)
		event_free(sigterm);
	return rc;
}
