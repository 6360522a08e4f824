/*
 * main.c - expertd-console, the operator console (issue #13 item 4;
 * expertd-console(8)): options, the event loop, signals. Read-only web
 * pages served by a client of the daemon holding an operator key (never
 * by the daemon, never from the database): for now the live dispatch log,
 * relayed from the event endpoint (STREAMS.md 3). Bound to loopback by
 * default; put the operator's own login or TLS proxy in front of it.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <event2/event.h>
#include <libintl.h>
#include <sodium.h>

#include "feed.h"
#include "ops.h"
#include "page.h"
#include "serve.h"
#include "words.h"

#ifndef EXPERTD_LOCALEDIR
#define EXPERTD_LOCALEDIR "/usr/share/locale"
#endif

#ifndef CONSOLE_VERSION
#define CONSOLE_VERSION "0"
#endif

struct console_options {
	struct page_options page;
	struct client_options pub;   /* the event endpoint */
	struct client_options req;   /* the request endpoint, same keys */
	struct feed_options feed;
	const char *locale_dir;
};

static const char console_usage[] =
	"usage: expertd-console [options]\n"
	"\n"
	"The operator console: read-only web pages on what expertd does, asked of\n"
	"the daemon with an operator key (never of its database). GET / shows, in\n"
	"Chinese (English with ?lang=en), the live dispatch log, tasks by fill\n"
	"state, flagged and warned experts, decline and expiry rates and the\n"
	"fairness of the draws, times in China Standard Time; GET /events is the\n"
	"log as Server-Sent Events (history first; Last-Event-ID honoured);\n"
	"/api/stats.json, /api/tasks.json, /api/experts.json the data as JSON;\n"
	"/readyz says whether expertd accepted the key. Names masked as expertd\n"
	"masks them.\n"
	"\n"
	"  --listen ADDR          address to serve HTTP on (default 127.0.0.1; put\n"
	"                         a login or TLS proxy in front before widening it)\n"
	"  --port N               port (default 8572)\n"
	"  --endpoint EP          expertd's request endpoint (default tcp://127.0.0.1:5570)\n"
	"  --pub-endpoint EP      expertd's event endpoint (default tcp://127.0.0.1:5571)\n"
	"  --server-key KEY       expertd's public key: 40 Z85 characters or a .pub file\n"
	"  --key FILE             an operator's secret key file (expertctl keygen;\n"
	"                         allowlisted with role operator)\n"
	"  --insecure             plain ZeroMQ, for a daemon run with --insecure\n"
	"  --history N            log entries a browser gets first (default 100, at\n"
	"                         most 1000); a reconnecting one gets what it missed\n"
	"  --lang zh|en           the pages' language when the browser does not ask\n"
	"                         for one (default zh: Simplified Chinese)\n"
	"  --locale-dir DIR       where the zh_CN catalogues are (default\n"
	"                         $EXPERTD_LOCALEDIR, else " EXPERTD_LOCALEDIR ")\n"
	"  --help, --version\n"
	"\n"
	"Exit status: 0 stopped by a signal; 64 bad usage; 69 cannot listen or\n"
	"connect; 78 keys missing or unreadable.\n";

static int console_parse(int argc, char **argv, struct console_options *o)
{
	enum { O_LISTEN = 256, O_PORT, O_EP, O_REQ, O_SKEY, O_KEY, O_INSECURE, O_HISTORY,
	       O_LANG, O_LOCALE, O_HELP, O_VERSION };
	static const struct option longs[] = {
		{"listen", 1, NULL, O_LISTEN}, {"port", 1, NULL, O_PORT},
		{"pub-endpoint", 1, NULL, O_EP}, {"endpoint", 1, NULL, O_REQ},
		{"history", 1, NULL, O_HISTORY}, {"server-key", 1, NULL, O_SKEY},
		{"lang", 1, NULL, O_LANG}, {"locale-dir", 1, NULL, O_LOCALE},
		{"key", 1, NULL, O_KEY}, {"insecure", 0, NULL, O_INSECURE},
		{"help", 0, NULL, O_HELP}, {"version", 0, NULL, O_VERSION},
		{NULL, 0, NULL, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1)
		switch (c) {
		case O_LISTEN: o->page.address = optarg; break;
		case O_PORT: o->page.port = atoi(optarg); break;
		case O_EP: o->pub.endpoint = optarg; break;
		case O_REQ: o->req.endpoint = optarg; break;
		case O_SKEY: o->pub.server_key = o->req.server_key = optarg; break;
		case O_KEY: o->pub.secret_key_file = o->req.secret_key_file = optarg; break;
		case O_INSECURE: o->feed.insecure = true; break;
		case O_HISTORY: o->feed.history = atoi(optarg); break;
		case O_LOCALE: o->locale_dir = optarg; break;
		case O_LANG:
			if (strcmp(optarg, "zh") != 0 && strcmp(optarg, "en") != 0) {
				fprintf(stderr, "expertd-console: --lang is zh or en\n");
				return EX_USAGE;
			}
			o->page.english = optarg[0] == 'e';
			break;
		case O_HELP: fputs(console_usage, stdout); exit(0);
		case O_VERSION: printf("expertd-console %s\n", CONSOLE_VERSION); exit(0);
		default:
			fprintf(stderr, "expertd-console: try --help\n");
			return EX_USAGE;
		}
	if (optind < argc || o->page.port < 1 || o->page.port > 65535 ||
	    o->feed.history < 0 || o->feed.history > 1000) {
		fprintf(stderr, "expertd-console: %s; try --help\n", optind < argc
		        ? "unexpected argument" : o->feed.history < 0 || o->feed.history > 1000
		        ? "--history must be 0 to 1000" : "the port is out of range");
		return EX_USAGE;
	}
	if (o->feed.insecure) {
		o->req.secret_key_file = o->req.server_key = NULL;
	} else if (!o->pub.server_key || !o->pub.secret_key_file) {
		fprintf(stderr, "expertd-console: --server-key and --key are required (an "
		        "operator's key, made with `expertctl keygen BASE`), or --insecure\n");
		return EX_CONFIG;
	}
	return 0;
}

/* The catalogues: the console's own words and expertctl's codes. */
static void console_words(const struct console_options *o)
{
	const char *dir = o->locale_dir;
	if (!dir || !*dir)
		dir = getenv("EXPERTD_LOCALEDIR");
	if (!dir || !*dir)
		dir = EXPERTD_LOCALEDIR;
	bindtextdomain(CONSOLE_DOMAIN, dir);
	bind_textdomain_codeset(CONSOLE_DOMAIN, "UTF-8");
	bindtextdomain(CTL_CODES_DOMAIN, dir);
	bind_textdomain_codeset(CTL_CODES_DOMAIN, "UTF-8");
}

static int console_run(struct console_options *o, struct event_base *base,
                       const struct weblang *lang)
{
	char err[512];
	struct ops *ops = ops_new(&o->req, err, sizeof err);
	struct feed *feed = ops ? feed_new(base, &o->pub, &o->feed, ops, err, sizeof err) : NULL;
	if (!feed) {
		fprintf(stderr, "expertd-console: %s\n", err);
		ops_destroy(&ops);
		return strstr(err, "key") ? EX_CONFIG : EX_UNAVAILABLE;
	}
	struct page *page = page_new(base, &o->page, feed, ops, lang, err, sizeof err);
	if (!page) {
		fprintf(stderr, "expertd-console: %s\n", err);
		feed_destroy(&feed);
		ops_destroy(&ops);
		return EX_UNAVAILABLE;
	}
	fprintf(stderr, "expertd-console: serving http://%s:%d/ from %s and %s\n",
	        o->page.address, o->page.port, o->req.endpoint, o->pub.endpoint);
	serve_until_signal(base);
	/* The streams end before the server that holds their connections. */
	feed_destroy(&feed);
	page_destroy(&page);
	ops_destroy(&ops);
	return 0;
}

int main(int argc, char **argv)
{
	struct console_options o = {
		.page = {.address = "127.0.0.1", .port = 8572},
		.pub = {.endpoint = "tcp://127.0.0.1:5571", .timeout_ms = 5000},
		/* Reads only: one attempt, so a daemon that is away holds the
		 * pages up for seconds, not for minutes. */
		.req = {.endpoint = "tcp://127.0.0.1:5570", .timeout_ms = 3000, .retries = 0},
		.feed = {.history = 100}};
	int rc = console_parse(argc, argv, &o);
	if (rc)
		return rc;
	if (sodium_init() < 0) {
		fprintf(stderr, "expertd-console: libsodium failed to initialise\n");
		return EX_SOFTWARE;
	}
	signal(SIGPIPE, SIG_IGN);
	struct event_base *base = event_base_new();
	if (!base) {
		fprintf(stderr, "expertd-console: cannot create the event loop\n");
		return EX_SOFTWARE;
	}
	char err[256];
	struct weblang lang;
	console_words(&o);
	if (!weblang_open(&lang, err, sizeof err))
		fprintf(stderr, "expertd-console: %s\n", err);
	rc = console_run(&o, base, &lang);
	weblang_close(&lang);
	event_base_free(base);
	return rc;
}
