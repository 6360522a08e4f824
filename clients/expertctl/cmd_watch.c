/*
 * cmd_watch.c - expertctl watch: the dispatch log as it happens, from the
 * daemon's PUB endpoint (STREAMS.md 3), after the history --since asks
 * for. Every seq is printed once and in order: the SUB socket subscribes
 * before history is read, so nothing committed meanwhile is lost; what
 * history already printed is skipped when it arrives live; and a jump in
 * seq (a slow subscriber's dropped messages) is filled from audit.entries
 * and said on stderr. Formatting and filters are cmd_log_event.c's.
 * With --sign-key, every signed head heard (STREAMS.md 3) is checked
 * against the published key: verified heads are marked, a bad one is
 * said loudly on stderr and makes the exit status 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include <zmq.h>

#include "audit.h"
#include "cmd.h"
#include "receipt.h"
#include "sign.h"
#include "signkey.h"

/* Quiet this long and watch asks audit.entries whether anything was
 * committed that never arrived: the tail of a burst that was dropped, or
 * what committed between the history and the subscription taking effect. */
#define WATCH_IDLE_MS 1000
/* Messages read per wakeup before the idle check gets a turn. */
#define WATCH_BURST 1000
/* Who the event endpoint admits, for a refused handshake. */
#define WATCH_WHO N_("operator and notifier keys may watch")
/* Signing keys a watch follows through key.rotated entries. */
#define WATCH_KEYS_MAX 16

struct watch {
	struct ctl *ctl;
	struct cmd_log_filter f;
	bool json, colour;
	int64_t count;      /* stop after printing this many; 0: never */
	int64_t printed;
	int64_t last;       /* the last seq handled; -1: none yet */
	bool can_fetch;     /* audit.entries answers this key */
	long stall_ms;      /* test hook: stop reading once for this long */
	long idle_ms;       /* WATCH_IDLE_MS; a test hook can change it */
	struct client_sub s;
	/* --sign-key: the key given, then the keys key.rotated entries heard
	 * link to it (DRAW.md 3.2.3); none: heads are not checked. */
	uint8_t keys[WATCH_KEYS_MAX][SIGN_PUBLIC_LEN];
	size_t n_keys;
	int64_t bad_heads;
};

static int64_t watch_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool watch_done(const struct watch *w)
{
	return cmd_sub_stopped() || (w->count && w->printed >= w->count);
}

/* ---- handling entries in seq order -------------------------------------- */

/* ---- signed heads (DRAW.md 4.7.1) -------------------------------------- */

static bool watch_key_known(const struct watch *w, const uint8_t key[SIGN_PUBLIC_LEN])
{
	for (size_t i = 0; i < w->n_keys; i++)
		if (memcmp(w->keys[i], key, SIGN_PUBLIC_LEN) == 0)
			return true;
	return false;
}

/* A key.rotated entry: its new key signs from here on, if the old one is
 * one this watch accepts (the old key endorsed it; audit verify checks
 * the endorsement against the chain). */
static void watch_rotation(struct watch *w, const struct cmd_event *e)
{
	uint8_t old_key[SIGN_PUBLIC_LEN], new_key[SIGN_PUBLIC_LEN];
	if (!w->n_keys || !e->entry || strcmp(e->type, AUDIT_KEY_ROTATED) != 0 ||
	    !receipt_map_bin(e->entry, "old_key", old_key, sizeof old_key) ||
	    !receipt_map_bin(e->entry, "new_key", new_key, sizeof new_key) ||
	    !watch_key_known(w, old_key) || watch_key_known(w, new_key) ||
	    w->n_keys == WATCH_KEYS_MAX)
		return;
	memcpy(w->keys[w->n_keys++], new_key, SIGN_PUBLIC_LEN);
}

/* The signed head message b carries, checked: it names this entry and its
 * signature verifies under an accepted key. Marks e; a bad head is said
 * on stderr, whatever the filters print. */
static void watch_head(struct watch *w, const msgpack_object *b, struct cmd_event *e)
{
	const msgpack_object *head = proto_map_get(b, "head");
	uint8_t hash[SIGN_HASH_LEN], sig[SIGN_SIG_LEN], key[SIGN_PUBLIC_LEN];
	if (!w->n_keys || !head)
		return;
	int64_t seq = head->type == MSGPACK_OBJECT_MAP ? proto_map_int(head, "seq", 0) : 0;
	const char *why = NULL;
	if (seq <= 0 || !receipt_map_bin(head, "hash", hash, sizeof hash) ||
	    !receipt_map_bin(head, "sig", sig, sizeof sig) ||
	    !receipt_map_bin(head, "key", key, sizeof key))
		why = "it is malformed";
	else if (seq != e->seq || memcmp(hash, e->hash, sizeof hash) != 0)
		why = "it does not name the entry it came with";
	bool valid = false;
	for (size_t i = 0; !why && !valid && i < w->n_keys; i++)
		valid = sign_head_is_valid(sig, seq, hash, w->keys[i]);
	if (!why && !valid)
		why = watch_key_known(w, key) ? "its signature does not verify under the "
		      "signing key" : "it is signed by another key than the signing key given";
	e->head = why ? CMD_HEAD_BAD : CMD_HEAD_VERIFIED;
	if (!why)
		return;
	w->bad_heads++;
	fprintf(stderr, _("expertctl: BAD SIGNED HEAD at seq %lld: %s. The log the daemon "
	        "serves was altered, or the message forged: run `expertctl audit verify "
	        "--sign-key`.\n"), (long long)e->seq, why);
}

/* --sign-key FILE|HEX: the published key (as audit verify reads it). */
static int watch_pin(struct watch *w, const char *key)
{
	char err[512];
	if (!key)
		return 0;
	if (!signkey_read_public(key, w->keys[0], err, sizeof err)) {
		fprintf(stderr, _("expertctl: --sign-key: %s\n"), err);
		return EX_NOINPUT;
	}
	w->n_keys = 1;
	return 0;
}

/* e is the next seq: print it if the filters want it. */
static bool watch_emit(struct watch *w, const struct cmd_event *e)
{
	w->last = e->seq;
	watch_rotation(w, e);
	if (cmd_log_match(&w->f, e)) {
		if (w->printed == 0)
			cmd_log_header(w->json);
		cmd_log_print(e, w->json, w->colour);
		w->printed++;
	}
	return !watch_done(w);
}

static bool watch_fetched_cb(const struct cmd_event *e, void *arg)
{
	return watch_emit(arg, e);
}

/* Handle the entries after w->last through upto from audit.entries;
 * *n counts them. 0 or an exit code. */
static int watch_fetch(struct watch *w, int64_t upto, int64_t *n)
{
	*n = 0;
	while (!watch_done(w) && w->last < upto) {
		struct cmd_log_page pg = {.after = w->last, .fn = watch_fetched_cb, .arg = w};
		pg.limit = upto - w->last < CMD_LOG_PAGE ? upto - w->last : CMD_LOG_PAGE;
		int rc = cmd_log_page(w->ctl, &pg);
		if (rc)
			return rc;
		*n += (int64_t)pg.n;
		if (pg.n == 0)
			break;
	}
	return 0;
}

/* An entry from the stream. */
static int watch_live(struct watch *w, const struct cmd_event *e)
{
	if (w->last < 0)
		w->last = e->seq - 1;   /* no history: start with the first heard */
	if (e->seq <= w->last)
		return 0;               /* printed already, from history */
	if (e->seq > w->last + 1) {
		int64_t from = w->last + 1, to = e->seq - 1, n = 0;
		if (w->can_fetch) {
			int rc = watch_fetch(w, to, &n);
			if (rc)
				return rc;
			fprintf(stderr, _("expertctl: (re-fetched %lld entries after a gap: "
			        "seq %lld to %lld were not received live)\n"), (long long)n,
			        (long long)from, (long long)to);
		}
		if (watch_done(w))
			return 0;
		if (w->last < to) {
			fprintf(stderr, _("expertctl: MISSED entries %lld to %lld (%s)\n"),
			        (long long)w->last + 1, (long long)to,
			        w->can_fetch ? "not in the log"
			                     : "this key may not read audit.entries");
			w->last = to;
		}
	}
	watch_emit(w, e);
	return 0;
}

/* Quiet for a while: fetch whatever committed and never arrived. */
static int watch_idle(struct watch *w)
{
	int64_t n = 0, from = w->last + 1;
	if (!w->can_fetch || w->last < 0)
		return 0;
	int rc = watch_fetch(w, INT64_MAX, &n);
	if (rc == 0 && n > 0)
		fprintf(stderr, _("expertctl: (fetched %lld entries from seq %lld from the "
		        "log: not received live within %ld ms)\n"), (long long)n,
		        (long long)from, w->idle_ms);
	return rc;
}

/* ---- the SUB socket ------------------------------------------------------- */

/* Receive one message if there is one (*got); 0 or an exit code. */
static int watch_recv(struct watch *w, bool *got)
{
	zmq_msg_t topic, body;
	int more = 0;
	size_t len = sizeof more;
	zmq_msg_init(&topic);
	zmq_msg_init(&body);
	*got = zmq_msg_recv(&topic, w->s.sub, ZMQ_DONTWAIT) >= 0;
	if (*got && zmq_msg_more(&topic))
		zmq_msg_recv(&body, w->s.sub, 0);
	while (zmq_getsockopt(w->s.sub, ZMQ_RCVMORE, &more, &len) == 0 && more) {
		zmq_msg_t extra;   /* not ours: [topic][body] is all there is */
		zmq_msg_init(&extra);
		zmq_msg_recv(&extra, w->s.sub, 0);
		zmq_msg_close(&extra);
	}
	int rc = 0;
	/* notify.* messages are for messaging gateways, not audit entries. */
	if (*got && !(zmq_msg_size(&topic) >= 7 &&
	              memcmp(zmq_msg_data(&topic), "notify.", 7) == 0)) {
		msgpack_unpacked u;
		struct proto_error err;
		struct cmd_event e;
		msgpack_unpacked_init(&u);
		if (proto_unpack(zmq_msg_data(&body), zmq_msg_size(&body), &u, &err) == PROTO_OK &&
		    cmd_event_decode(&u.data, &e)) {
			watch_head(w, &u.data, &e);
			if (w->stall_ms > 0) {
				struct timespec ts = {w->stall_ms / 1000, (w->stall_ms % 1000) * 1000000L};
				w->stall_ms = 0;
				nanosleep(&ts, NULL);
			}
			rc = watch_live(w, &e);
		} else {
			fprintf(stderr, _("expertctl: ignoring a malformed event message\n"));
		}
		msgpack_unpacked_destroy(&u);
	}
	zmq_msg_close(&topic);
	zmq_msg_close(&body);
	return rc;
}

/* ---- the command ------------------------------------------------------------ */

static int watch_start(struct watch *w)
{
	int64_t first = 1;
	if (w->f.since) {
		int rc = cmd_log_since(w->ctl, &w->f, &first);
		if (rc)
			return rc;
		w->last = first - 1;
		int64_t n;
		return watch_fetch(w, INT64_MAX, &n);
	}
	/* From now on: the head of the log, if this key may read it. */
	struct cmd_log_page pg = {.after = INT64_MAX, .limit = 1, .quiet_forbidden = true,
	                          .fn = watch_fetched_cb, .arg = w};
	int rc = cmd_log_page(w->ctl, &pg);
	if (rc == 0)
		w->last = pg.head;
	else if (pg.status == PROTO_E_FORBIDDEN)
		w->can_fetch = false;
	return pg.status == PROTO_E_FORBIDDEN ? 0 : rc;
}

static int watch_loop(struct watch *w, const char *endpoint, int64_t wait_s)
{
	int64_t now = watch_now_ms(), idle_at = now + w->idle_ms;
	int64_t deadline = wait_s ? now + wait_s * 1000 : 0;
	while (!watch_done(w)) {
		int64_t until = deadline && deadline < idle_at ? deadline : idle_at;
		zmq_pollitem_t items[] = {{w->s.sub, 0, ZMQ_POLLIN, 0},
		                          {w->s.mon, 0, ZMQ_POLLIN, 0}};
		int n = zmq_poll(items, 2, (long)(until > now ? until - now : 0));
		if (n < 0 && zmq_errno() != EINTR) {
			fprintf(stderr, _("expertctl: %s\n"), zmq_strerror(zmq_errno()));
			return EX_OSERR;
		}
		if (n > 0 && (items[1].revents & ZMQ_POLLIN))
			return cmd_sub_refused(&w->s, endpoint, WATCH_WHO);
		int rc = 0;
		bool got = n > 0 && (items[0].revents & ZMQ_POLLIN);
		for (int i = 0; got && rc == 0 && i < WATCH_BURST && !watch_done(w); i++)
			rc = watch_recv(w, &got);
		now = watch_now_ms();
		if (n > 0)
			idle_at = now + w->idle_ms;
		else if (rc == 0 && now >= idle_at && !cmd_sub_stopped()) {
			rc = watch_idle(w);
			idle_at = watch_now_ms() + w->idle_ms;
		}
		if (rc)
			return cmd_sub_stopped() ? 0 : rc;
		if (deadline && now >= deadline && !watch_done(w)) {
			if (!w->count)
				return 0;
			fprintf(stderr, _("expertctl: %lld of %lld events within %llds\n"),
			        (long long)w->printed, (long long)w->count, (long long)wait_s);
			return EX_TEMPFAIL;
		}
	}
	return 0;
}

int cmd_watch(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		CMD_LOG_OPTIONS,
		{"count", required_argument, NULL, 'c'},
		{"wait", required_argument, NULL, 'w'},
		{"pub-endpoint", required_argument, NULL, 'p'},
		{"notify", no_argument, NULL, 'n'},
		{"notify-endpoint", required_argument, NULL, 'N'},
		{"sign-key", required_argument, NULL, 'k'},
		{NULL, 0, NULL, 0},
	};
	struct watch w = {.ctl = ctl, .last = -1, .can_fetch = true};
	/* Test hooks, not in --help: a stall at the first live entry, and
	 * the idle interval. */
	const char *given = NULL, *notify_ep = NULL, *stall = getenv("EXPERTCTL_WATCH_STALL_MS"),
	           *idle = getenv("EXPERTCTL_WATCH_IDLE_MS"), *key = NULL;
	int64_t wait_s = 0;
	bool help = false, notify = false;
	int c;
	while ((c = ctl_getopt(ctl, argc, argv, opts, &help)) != -1) {
		if (c == 'c' || c == 'w') {
			if (!ctl_int(ctl, c == 'c' ? "--count" : "--wait", optarg, 1, 100000000,
			             c == 'c' ? &w.count : &wait_s))
				return CTL_EXIT_USAGE;
		} else if (c == 'p' || c == 'k') {
			*(c == 'p' ? &given : &key) = optarg;
		} else if (c == 'n' || c == 'N') {
			notify = true;
			notify_ep = c == 'N' ? optarg : notify_ep;
		} else if (!cmd_log_option(ctl, &w.f, c, optarg)) {
			return CTL_EXIT_USAGE;
		}
	}
	if (help)
		return ctl_help(ctl);
	if (optind < argc)
		return ctl_usage(ctl, _("unexpected argument \"%s\""), argv[optind]);
	if (notify && (w.f.since || given || key))
		return ctl_usage(ctl, _("--notify follows the notification endpoint live: "
		                 "--since, --pub-endpoint and --sign-key do not apply"));
	char endpoint[512];
	if (notify && !ctl_endpoint(ctl, notify_ep, "EXPERTD_NOTIFY_ENDPOINT",
	                            CTL_NOTIFY_PORT_OFFSET, endpoint, sizeof endpoint))
		return ctl_usage(ctl, _("give --notify-endpoint (or EXPERTD_NOTIFY_ENDPOINT): "
		                 "the notification endpoint cannot be derived from %s"),
		                 ctl->copt.endpoint);
	if (!notify && !ctl_endpoint(ctl, given, "EXPERTD_PUB_ENDPOINT", CTL_PUB_PORT_OFFSET,
	                             endpoint, sizeof endpoint))
		return ctl_usage(ctl, _("give --pub-endpoint (or EXPERTD_PUB_ENDPOINT): the "
		                 "event endpoint cannot be derived from %s"), ctl->copt.endpoint);
	cmd_sub_signals();
	if (notify)
		return cmd_notify_watch(ctl, &w.f, endpoint, w.count, wait_s);

	w.json = ctl->json;
	w.colour = cmd_log_colour(ctl);
	w.stall_ms = stall ? atol(stall) : 0;
	w.idle_ms = idle && atol(idle) > 0 ? atol(idle) : WATCH_IDLE_MS;
	/* Everything: filters apply here, as only an unbroken run of seqs
	 * shows a gap. */
	int rc = watch_pin(&w, key);
	if (rc == 0)
		rc = cmd_sub_open(ctl, endpoint, "", &w.s);
	if (rc == 0)
		rc = watch_start(&w);
	if (rc == 0)
		rc = watch_loop(&w, endpoint, wait_s);
	client_sub_close(&w.s);
	if (rc == 0 && w.bad_heads)
		return CTL_EXIT_STATUS;   /* said loudly as each came */
	return cmd_sub_stopped() ? 0 : rc;
}
