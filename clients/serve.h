/*
 * serve.h - the end of main() the web programs of clients/ share
 * (expertd-answer, expertd-console): run the event loop until SIGINT or
 * SIGTERM, having told systemd the program is ready.
 */
#ifndef EXPERTD_SERVE_H
#define EXPERTD_SERVE_H

#include <event2/event.h>

/* Returns once a signal stopped the loop (0), or at once when the signals
 * cannot be watched (-1). */
int serve_until_signal(struct event_base *base);

#endif
