/*
 * main.c - expertd-smsbridge: options, start-up checks with <sysexits.h>
 * codes (expertd-smsbridge(8)), the event loop, and a clean stop on
 * SIGTERM or SIGINT.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include <event2/event.h>
#include <sodium.h>

#include "client.h"
#include "smsbridge.h"

#define SB_DEFAULT_CONFIG "/etc/expertd/smsbridge.conf"

static void usage(FILE *f)
{
	fprintf(f,
	        "Usage: expertd-smsbridge [--config FILE] [--check-config]\n"
	        "\n"
	        "Send the SMS of expertd's notification stream through an HTTP provider:\n"
	        "each offer (with its answer link) and each closed offer, retried until\n"
	        "the provider takes it, never twice; after a restart or a break in the\n"
	        "stream, ask the daemon for the offers missed (notify.resync).\n"
	        "\n"
	        "  -c, --config FILE   configuration (default " SB_DEFAULT_CONFIG ")\n"
	        "      --check-config  read and check the configuration, templates and\n"
	        "                      journal, then exit (0: fine)\n"
	        "  -h, --help          this help\n"
	        "  -V, --version       the version\n"
	        "\n"
	        "See expertd-smsbridge(8).\n");
}

/* Seconds a stop waits for the provider's answers to requests out. */
#define SB_STOP_WAIT 5

struct sb_stop {
	struct event_base *base;
	struct sb_deliver *d;
	struct event *poll;
	int64_t by;              /* 0 until a signal came */
};

/* Stop once no request is out (its answer journalled), or at the bound:
 * a message the provider took but the journal missed goes out again. */
static void stop_poll_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct sb_stop *st = arg;
	size_t busy = sb_deliver_busy(st->d);
	if (busy == 0 || (int64_t)time(NULL) >= st->by) {
		if (busy)
			fprintf(stderr, "expertd-smsbridge: stopping with %zu request%s "
			        "unanswered\n", busy, busy == 1 ? "" : "s");
		event_base_loopexit(st->base, NULL);
	}
}

static void stop_cb(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	struct sb_stop *st = arg;
	static const struct timeval tick = {0, 50000};
	if (st->by)
		return;
	st->by = (int64_t)time(NULL) + SB_STOP_WAIT;
	stop_poll_cb(-1, 0, st);
	if (st->poll)
		event_add(st->poll, &tick);
}

/* --check-config: the keys read as a connection would read them. */
static bool keys_ok(const struct sb_config *c, char *err, size_t errsz)
{
	struct client_options opt = {.endpoint = c->endpoint,
	                             .secret_key_file = c->insecure ? NULL : c->key,
	                             .server_key = c->insecure ? NULL : c->server_key};
	struct client *cl = client_new(&opt, err, errsz);
	bool ok = cl != NULL;
	client_destroy(&cl);
	return ok;
}

/* Everything of one run; 0 on a clean stop, else a sysexits code. */
static int run(const struct sb_config *c, bool check_only)
{
	char err[512];
	int rc = EX_OK;
	struct event_base *base = event_base_new();
	struct sb_journal *j = NULL;
	struct sb_deliver *d = NULL;
	struct sb_stream *s = NULL;
	struct event *sigs[2] = {NULL, NULL};
	struct sb_stop st = {.base = base};
	locale_t zh = (locale_t)0;
	if (!base) {
		fprintf(stderr, "expertd-smsbridge: cannot start the event loop\n");
		return EX_OSERR;
	}
	if (!sb_words_open(&zh, err, sizeof err))
		rc = EX_CONFIG;
	else if (!(j = sb_journal_open(c->journal, c->keep_days, (int64_t)time(NULL), err,
	                               sizeof err)))
		rc = EX_CANTCREAT;
	else if (!(d = sb_deliver_new(base, c, j, err, sizeof err)))
		rc = EX_CONFIG;
	else if (check_only && !keys_ok(c, err, sizeof err))
		rc = EX_CONFIG;
	else if (!check_only && !(s = sb_stream_new(base, c, j, d, err, sizeof err)))
		rc = EX_UNAVAILABLE;
	if (rc != EX_OK)
		fprintf(stderr, "expertd-smsbridge: %s\n", err);
	if (rc == EX_OK && !check_only) {
		st.d = d;
		st.poll = event_new(base, -1, EV_PERSIST, stop_poll_cb, &st);
		sigs[0] = evsignal_new(base, SIGTERM, stop_cb, &st);
		sigs[1] = evsignal_new(base, SIGINT, stop_cb, &st);
		for (int i = 0; i < 2; i++)
			if (sigs[i])
				event_add(sigs[i], NULL);
		fprintf(stderr, "expertd-smsbridge: following %s, sending to %s\n",
		        c->notify_endpoint, c->url);
		event_base_dispatch(base);
		rc = sb_stream_failed(s);
	}
	for (int i = 0; i < 2; i++)
		if (sigs[i])
			event_free(sigs[i]);
	if (st.poll)
		event_free(st.poll);
	sb_stream_free(&s);
	sb_deliver_free(&d);
	sb_journal_close(&j);
	sb_words_close(zh);
	event_base_free(base);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"check-config", no_argument, NULL, 'k'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}};
	const char *config = SB_DEFAULT_CONFIG;
	bool check_only = false;
	int o;
	while ((o = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		switch (o) {
		case 'c': config = optarg; break;
		case 'k': check_only = true; break;
		case 'h': usage(stdout); return EX_OK;
		case 'V': printf("expertd-smsbridge %s\n", SMSBRIDGE_VERSION); return EX_OK;
		default:
			fprintf(stderr, "Try 'expertd-smsbridge --help'.\n");
			return EX_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "expertd-smsbridge: unexpected argument \"%s\"; try "
		        "'expertd-smsbridge --help'.\n", argv[optind]);
		return EX_USAGE;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "expertd-smsbridge: libsodium does not start\n");
		return EX_SOFTWARE;
	}
	struct sb_config c;
	char err[640];
	if (!sb_config_load(&c, config, err, sizeof err)) {
		fprintf(stderr, "expertd-smsbridge: %s\n", err);
		sb_config_free(&c);
		return EX_CONFIG;
	}
	int rc = run(&c, check_only);
	if (rc == EX_OK && check_only)
		printf("%s: OK\n", config);
	sb_config_free(&c);
	return rc;
}
