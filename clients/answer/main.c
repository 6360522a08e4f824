/*
 * main.c - expertd-answer, the expert's answer page (issue #13 item 2;
 * expertd-answer(1)): options, the event loop, signals. The page talks
 * to the daemon's answer endpoint only (PROTOCOL.md 4.1), over CURVE with
 * its own key, and never touches the database.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <event2/event.h>
#include <sodium.h>

#include "serve.h"
#include "site.h"
#include "upstream.h"
#include "words.h"

#ifndef ANSWER_VERSION
#define ANSWER_VERSION "0"
#endif
#ifndef EXPERTD_LOCALEDIR
#define EXPERTD_LOCALEDIR "/usr/share/locale"
#endif

struct answer_options {
	struct site_options site;
	struct client_options up;
	const char *locale_dir;
	bool insecure;
};

static const char answer_usage[] =
	"usage: expertd-answer [options]\n"
	"\n"
	"The page an expert opens from the SMS link (/a/TOKEN): shows the offer\n"
	"and lets them accept, decline with a reason, or give dates they cannot\n"
	"serve. Talks to expertd's answer endpoint only.\n"
	"\n"
	"  --listen ADDR          address to serve HTTP on (default 127.0.0.1)\n"
	"  --port N               port (default 8570)\n"
	"  --answer-endpoint EP   expertd's answer endpoint (default tcp://127.0.0.1:5572)\n"
	"  --server-key KEY       expertd's public key: 40 Z85 characters or a .pub file\n"
	"  --key FILE             this page's own secret key file (expertctl keygen)\n"
	"  --insecure             plain ZeroMQ, for a daemon run with --insecure\n"
	"  --trust-proxy          take the visitor's address from X-Forwarded-For\n"
	"                         (only behind a proxy that sets it)\n"
	"  --bad-limit N          bad links per visitor address in 10 minutes\n"
	"                         before it is refused for 10 minutes (default 10)\n"
	"  --timeout MS           how long to wait for expertd (default 5000)\n"
	"  --locale-dir DIR       where the zh_CN catalogue is (default $EXPERTD_LOCALEDIR,\n"
	"                         else " EXPERTD_LOCALEDIR ")\n"
	"  --help, --version\n"
	"\n"
	"Exit status: 0 stopped by a signal; 64 bad usage; 69 cannot listen or\n"
	"connect; 78 keys missing or unreadable.\n";

static int answer_parse(int argc, char **argv, struct answer_options *o)
{
	enum { O_LISTEN = 256, O_PORT, O_EP, O_SKEY, O_KEY, O_INSECURE, O_PROXY,
	       O_BAD, O_TIMEOUT, O_LOCALE, O_HELP, O_VERSION };
	static const struct option longs[] = {
		{"listen", 1, NULL, O_LISTEN}, {"port", 1, NULL, O_PORT},
		{"answer-endpoint", 1, NULL, O_EP}, {"server-key", 1, NULL, O_SKEY},
		{"key", 1, NULL, O_KEY}, {"insecure", 0, NULL, O_INSECURE},
		{"trust-proxy", 0, NULL, O_PROXY}, {"bad-limit", 1, NULL, O_BAD},
		{"timeout", 1, NULL, O_TIMEOUT}, {"locale-dir", 1, NULL, O_LOCALE},
		{"help", 0, NULL, O_HELP}, {"version", 0, NULL, O_VERSION},
		{NULL, 0, NULL, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1)
		switch (c) {
		case O_LISTEN: o->site.address = optarg; break;
		case O_PORT: o->site.port = atoi(optarg); break;
		case O_EP: o->up.endpoint = optarg; break;
		case O_SKEY: o->up.server_key = optarg; break;
		case O_KEY: o->up.secret_key_file = optarg; break;
		case O_INSECURE: o->insecure = true; break;
		case O_PROXY: o->site.trust_proxy = true; break;
		case O_BAD: o->site.bad_limit = atoi(optarg); break;
		case O_TIMEOUT: o->up.timeout_ms = atoi(optarg); break;
		case O_LOCALE: o->locale_dir = optarg; break;
		case O_HELP: fputs(answer_usage, stdout); exit(0);
		case O_VERSION: printf("expertd-answer %s\n", ANSWER_VERSION); exit(0);
		default:
			fprintf(stderr, "expertd-answer: try --help\n");
			return EX_USAGE;
		}
	if (optind < argc || o->site.port < 1 || o->site.port > 65535 ||
	    o->site.bad_limit < 1 || o->up.timeout_ms < 1) {
		fprintf(stderr, "expertd-answer: %s; try --help\n", optind < argc
		        ? "unexpected argument" : "a number is out of range");
		return EX_USAGE;
	}
	if (!o->insecure && (!o->up.server_key || !o->up.secret_key_file)) {
		fprintf(stderr, "expertd-answer: --server-key and --key are required (make "
		        "the page's key with `expertctl keygen BASE`), or --insecure\n");
		return EX_CONFIG;
	}
	if (o->insecure)
		o->up.secret_key_file = NULL;
	return 0;
}

static int answer_run(struct answer_options *o, struct event_base *base,
                      struct words *w)
{
	char err[512];
	struct upstream *up = upstream_new(base, &o->up, o->up.timeout_ms, err, sizeof err);
	if (!up) {
		fprintf(stderr, "expertd-answer: %s\n", err);
		return strstr(err, "key") ? EX_CONFIG : EX_UNAVAILABLE;
	}
	struct site *site = site_new(base, &o->site, up, w, err, sizeof err);
	if (!site) {
		fprintf(stderr, "expertd-answer: %s\n", err);
		upstream_destroy(&up);
		return EX_UNAVAILABLE;
	}
	fprintf(stderr, "expertd-answer: serving http://%s:%d/a/TOKEN through %s\n",
	        o->site.address, o->site.port, o->up.endpoint);
	serve_until_signal(base);
	site_destroy(&site);
	upstream_destroy(&up);
	return 0;
}

int main(int argc, char **argv)
{
	struct answer_options o = {
		.site = {.address = "127.0.0.1", .port = 8570, .bad_limit = 10},
		.up = {.endpoint = "tcp://127.0.0.1:5572", .timeout_ms = 5000},
		.locale_dir = getenv("EXPERTD_LOCALEDIR")};
	if (!o.locale_dir || !o.locale_dir[0])
		o.locale_dir = EXPERTD_LOCALEDIR;
	int rc = answer_parse(argc, argv, &o);
	if (rc)
		return rc;
	if (sodium_init() < 0) {
		fprintf(stderr, "expertd-answer: libsodium failed to initialise\n");
		return EX_SOFTWARE;
	}
	signal(SIGPIPE, SIG_IGN);
	/* LANGUAGE would override the page's own choice of catalogue. */
	unsetenv("LANGUAGE");
	struct words w;
	char err[256];
	if (!words_open(&w, o.locale_dir, err, sizeof err))
		fprintf(stderr, "expertd-answer: %s\n", err);
	struct event_base *base = event_base_new();
	if (!base) {
		fprintf(stderr, "expertd-answer: cannot create the event loop\n");
		words_close(&w);
		return EX_SOFTWARE;
	}
	rc = answer_run(&o, base, &w);
	event_base_free(base);
	words_close(&w);
	return rc;
}
