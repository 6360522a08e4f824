/*
 * main.c - expertd start-up and shut-down: configuration, the store and
 * pool, authentication (ZAP before any bind), the request socket, signals,
 * and the event loop. Start-up failures print one line and exit with a
 * <sysexits.h> code.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sysexits.h>

#include <event2/event.h>
#include <sodium.h>
#include <systemd/sd-daemon.h>
#include <zmq.h>

#include "audit_log.h"
#include "auth.h"
#include "config.h"
#include "dispatch.h"
#include "i18n_locale.h"
#include "engage.h"
#include "head.h"
#include "http.h"
#include "metrics.h"
#include "keys.h"
#include "notify.h"
#include "log.h"
#include "pool.h"
#include "publish.h"
#include "secret.h"
#include "server.h"
#include "signkey.h"
#include "store.h"
#include "zap.h"

#define EXPERTD_VERSION "0.1.0"

struct daemon {
	struct config cfg;
	struct store *store;
	struct pool *pool;
	struct engage *engage;
	struct recusal_config rules;
	struct assign_rules assign;
	struct dispatch *dispatch;
	void *zmq_ctx;
	struct zap *zap;
	struct event_base *base;
	struct server *server;
	struct server *answer;     /* the expert answer endpoint */
	/* The store's gauges of the last scrape, shown again while a COMMIT
	 * is awaited (the store is the COMMIT's until it answers). */
	struct metrics_gauges store_gauges;
	struct publish *publish;
	struct notify *notify;
	struct event *due;         /* the earliest seat deadline */
	struct event *sigterm, *sigint, *sighup;
	struct event *watchdog, *status;
	struct metrics metrics;
	struct http *http;
	char chain_note[200];      /* what the start-up chain check found */
	struct sign_key sign;      /* signs heads, derives draw secrets */
	struct sign_key previous;  /* --previous-sign-key: rotate from it */
	struct i18n i18n;          /* replies in each request's language */
	bool has_previous;
	bool standby;              /* waiting for the database another holds */
	int argc;                  /* kept to re-read the configuration */
	char **argv;
	int32_t day;               /* the CST day the status timer last saw */
};

#define DAEMON_STATUS_SECONDS 10

static void daemon_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	struct daemon *d = arg;
	log_notice("signal %d: finishing the batch in flight and stopping", (int)sig);
	/* Callbacks run to completion, so the batch in flight is done. */
	event_base_loopbreak(d->base);
}

static void daemon_status(struct daemon *d)
{
	if (!d->pool)
		sd_notify(0, "STATUS=standby: another expertd holds the database");
	else
		sd_notifyf(0, "STATUS=serving %zu experts; %llu requests answered",
		           pool_count(d->pool), server_requests(d->server));
}

/* The rules handlers read, from a configuration. */
static void daemon_set_rules(struct daemon *d, const struct config *c)
{
	d->rules = (struct recusal_config){
		.rotation_days = c->rotation_days,
		.exposure_cap = c->exposure_cap,
		.exposure_days = c->exposure_days,
		.diversity = c->diversity,
		/* Not configurable: 第十一条(七) never bends (六) (POLICY.md 4.2). */
		.age_by_exception = true,
		.max_task_days = c->max_task_days,
	};
	d->assign = (struct assign_rules){
		.respond_within = (int64_t)c->response_hours * 3600,
		.min_respond_within = (int64_t)c->min_response_minutes * 60,
		.request_retention = (int64_t)c->request_retention_days * 86400,
		.ledger = c->ledger,
		.grounds = c->grounds,
	};
}

/* Settings that SIGHUP applies at once; the rest need a restart. */
static void daemon_apply_config(struct daemon *d, const struct config *nc)
{
	if (strcmp(nc->db_path, d->cfg.db_path) || strcmp(nc->listen, d->cfg.listen) ||
	    strcmp(nc->store_url, d->cfg.store_url) ||
	    nc->insecure != d->cfg.insecure ||
	    strcmp(nc->secret_key_file, d->cfg.secret_key_file) ||
	    strcmp(nc->sign_key_file, d->cfg.sign_key_file) ||
	    strcmp(nc->previous_sign_key_file, d->cfg.previous_sign_key_file) ||
	    nc->batch_max != d->cfg.batch_max || nc->queue_max != d->cfg.queue_max ||
	    nc->max_msg_size != d->cfg.max_msg_size)
		log_warn("SIGHUP: database, endpoint, key and batch settings change "
		         "only at restart");
	d->cfg.rotation_days = nc->rotation_days;
	d->cfg.exposure_cap = nc->exposure_cap;
	d->cfg.exposure_days = nc->exposure_days;
	d->cfg.diversity = nc->diversity;
	d->cfg.max_task_days = nc->max_task_days;
	d->cfg.response_hours = nc->response_hours;
	d->cfg.request_retention_days = nc->request_retention_days;
	d->cfg.ledger = nc->ledger;
	d->cfg.grounds = nc->grounds;
	d->cfg.log_level = nc->log_level;
	snprintf(d->cfg.allowlist_file, sizeof d->cfg.allowlist_file, "%s",
	         nc->allowlist_file);
	daemon_set_rules(d, nc);
	log_set_level(nc->log_level);
}

/* SIGHUP: re-read the configuration (draw rules, log level) and the key
 * allowlist. A key that is gone stops working for the next request, even
 * on an open connection (see zap_lookup_key). Bad files keep the old
 * settings. Runs between batches, so no request sees half a reload. */
static void daemon_reload_cb(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	struct daemon *d = arg;
	char err[512];
	enum config_action action;
	struct config nc;
	/* A standby too: what it will serve with, and whom it lets in. */
	sd_notify(0, "RELOADING=1");
	if (config_from_args(&nc, d->argc, d->argv, &action, err, sizeof err) ||
	    config_validate(&nc, err, sizeof err)) {
		log_error("SIGHUP: keeping the old configuration: %s", err);
	} else {
		daemon_apply_config(d, &nc);
		log_notice("SIGHUP: configuration reloaded (rotation %d days, exposure "
		           "cap %d in %d days, diversity %s; answers within %d h; "
		           "ledger warns at %d, flags at %d over %d days; %zu grounds "
		           "of the Center's own)",
		           d->rules.rotation_days, d->rules.exposure_cap,
		           d->rules.exposure_days, d->rules.diversity ? "on" : "off",
		           d->cfg.response_hours, d->assign.ledger.warn_at,
		           d->assign.ledger.flag_at, d->assign.ledger.flag_span_days,
		           d->assign.grounds.n);
	}
	if (!d->cfg.insecure) {
		struct auth_list *list = auth_list_load(d->cfg.allowlist_file, err,
		                                        sizeof err);
		if (!list) {
			log_error("SIGHUP: keeping the old allowlist: %s", err);
		} else {
			size_t n = auth_list_count(list);
			zap_replace_allowlist(d->zap, list);
			log_notice("SIGHUP: allowlist reloaded, %zu keys", n);
		}
	}
	sd_notify(0, "READY=1");
	daemon_status(d);
}

static void daemon_watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	/* Sent from the loop itself: a stuck loop stops the pings. */
	sd_notify(0, "WATCHDOG=1");
}

static void daemon_status_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct daemon *d = arg;
	daemon_status(d);
	dispatch_idle(d->dispatch);   /* a WAL to give back while no request comes */
	/* PostgreSQL: a primary that died is found while idle too, so a
	 * standby takes over before the next request has to time out. */
	store_probe(d->store);
	server_exit_if_lost(d->store);
	/* A new day in China Standard Time: run the day's work (aging.c) even
	 * when no request comes. */
	int64_t now = (int64_t)time(NULL);
	/* Not while a COMMIT is awaited: that batch would not run, and the
	 * day's work would wait for the next day (the next tick tries). */
	if (handler_day_of(now) != d->day && !dispatch_busy(d->dispatch)) {
		d->day = handler_day_of(now);
		dispatch_batch(d->dispatch, NULL, 0, now, &d->metrics);
		dispatch_flush(d->dispatch);
	}
}

/* Watchdog pings at half WatchdogSec, from the loop (once: a standby
 * arms it while it waits). */
static void daemon_watchdog_arm(struct daemon *d)
{
	uint64_t usec = 0;
	if (!d->watchdog && sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
		struct timeval tv = {(time_t)(usec / 2 / 1000000),
		                     (suseconds_t)(usec / 2 % 1000000)};
		d->watchdog = event_new(d->base, -1, EV_PERSIST, daemon_watchdog_cb, d);
		if (!d->watchdog || event_add(d->watchdog, &tv))
			log_fatal(EX_OSERR, "cannot arm the watchdog timer");
	}
}

/* Periodic notifications: the watchdog, status lines. */
static void daemon_timers(struct daemon *d)
{
	daemon_watchdog_arm(d);
	struct timeval st = {DAEMON_STATUS_SECONDS, 0};
	d->status = event_new(d->base, -1, EV_PERSIST, daemon_status_cb, d);
	if (!d->status || event_add(d->status, &st))
		log_fatal(EX_OSERR, "cannot arm the status timer");
}

/* Keys and allowlist for secure mode; exits on failure. */
static void daemon_load_auth(struct daemon *d, struct keys_pair *kp)
{
	char err[512];
	if (!keys_read_secret(d->cfg.secret_key_file, kp, err, sizeof err))
		log_fatal(EX_CONFIG, "server key: %s", err);
	struct auth_list *list = auth_list_load(d->cfg.allowlist_file, err, sizeof err);
	if (!list)
		log_fatal(EX_CONFIG, "allowlist: %s", err);
	if (auth_list_count(list) == 0)
		log_warn("allowlist %s is empty: no client can connect",
		         d->cfg.allowlist_file);
	d->zap = zap_start(d->zmq_ctx, list, err, sizeof err);
	if (!d->zap)
		log_fatal(EX_SOFTWARE, "cannot start the ZAP handler: %s", err);
}

/* The signing key (PROTOCOL.md 4.3.1): required, as a file beside the
 * CURVE key and never in the database. */
static void daemon_read_sign_key(const char *path, const char *what,
                                 struct sign_key *k)
{
	char err[512];
	uint8_t seed[SIGNKEY_LEN], pk[SIGNKEY_LEN];
	if (!signkey_read_secret(path, seed, pk, err, sizeof err))
		log_fatal(EX_CONFIG, "%s: %s", what, err);
	sign_key_from_seed(k, seed);
	sodium_memzero(seed, sizeof seed);
}

static void daemon_load_sign_key(struct daemon *d)
{
	if (d->cfg.sign_key_file[0] == '\0')
		log_fatal(EX_CONFIG, "[security] sign_key (--sign-key) is required: the key "
		          "that signs the audit log and derives the draw secrets (make one "
		          "with `expertctl keygen --sign BASE`)");
	daemon_read_sign_key(d->cfg.sign_key_file, "signing key", &d->sign);
	d->has_previous = d->cfg.previous_sign_key_file[0] != '\0';
	if (d->has_previous)
		daemon_read_sign_key(d->cfg.previous_sign_key_file, "previous signing key",
		                     &d->previous);
}

/* --previous-sign-key (DRAW.md 3.2.3): when the log's head is the
 * previous key's, change to --sign-key in an audited entry. */
static void daemon_rotate(struct daemon *d, struct audit_log_check *c)
{
	int64_t bad;
	bool adopted;
	char why[160];
	if (!d->has_previous || d->cfg.read_only)
		return;
	if (!c->bad) {
		log_info("--previous-sign-key: the log's head is already signed by "
		         "--sign-key; nothing to rotate");
		return;
	}
	if (head_check(d->store, &d->previous, &bad, &adopted, why, sizeof why)
	    != STORE_OK || bad)
		return;   /* not the previous key's log either: c->bad stands */
	if (audit_log_rotate(d->store, &d->previous, &d->sign, (int64_t)time(NULL), why,
	                     sizeof why) != STORE_OK)
		log_fatal(EX_CONFIG, "cannot rotate the signing key: %s",
		          why[0] ? why : store_errmsg(d->store));
	log_warn("signing key rotated to %s: the key.rotated entry reveals the previous "
	         "key's pending draw secret and commits under the new one",
	         d->cfg.sign_key_file);
	c->bad = 0;
	c->why[0] = '\0';
}

/* After an intact chain: its signed head (DRAW.md 4.7) and the pending
 * draw secret (DRAW.md 3.2.1). c->bad is set as for a broken chain. */
static void daemon_check_head(struct daemon *d, struct audit_log_check *c)
{
	bool adopted = false;
	enum store_result r = head_check(d->store, &d->sign, &c->bad, &adopted, c->why,
	                                 sizeof c->why);
	/* A PostgreSQL session lost here reads as a head that does not
	 * verify: never call it forged, stop (75) and start again. */
	server_exit_if_lost(d->store);
	if (r != STORE_OK)
		log_fatal(EX_IOERR, "cannot read the signed head: %s", store_errmsg(d->store));
	if (adopted)
		log_warn("the audit log had no signed head: signed its head (entry %lld) "
		         "as it stands (DRAW.md 4.7.3)", (long long)c->last);
	daemon_rotate(d, c);
	char why[160] = "";
	if (!c->bad && !d->cfg.read_only &&
	    secret_check(d->store, &d->sign, why, sizeof why) != STORE_OK) {
		server_exit_if_lost(d->store);
		log_fatal(EX_CONFIG, "signing key %s: %s", d->cfg.sign_key_file, why);
	}
}

/* The chain from the last checkpoint (DRAW.md 4.1): a broken one is never
 * served or appended to, unless --read-only asks to look at it. */
static void daemon_check_chain(struct daemon *d)
{
	struct audit_log_check c;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	enum store_result r = audit_log_check(d->store, &c);
	server_exit_if_lost(d->store);   /* not a broken chain: a lost session */
	if (r != STORE_OK)
		log_fatal(EX_IOERR, "cannot read the audit log: %s", store_errmsg(d->store));
	if (!c.bad)
		daemon_check_head(d, &c);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	            (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	char why[200];
	if (c.bad) {
		snprintf(why, sizeof why, "the audit log is broken at entry %lld: %.150s",
		         (long long)c.bad, c.why);
		if (!d->cfg.read_only)
			log_fatal(EX_DATAERR, "%s; refusing to serve or append to it "
			          "(start with --read-only to investigate)", why);
		log_error("%s; serving reads only (--read-only)", why);
	} else {
		/* Said in the ready line: a refusal stays one line. */
		snprintf(d->chain_note, sizeof d->chain_note, "audit log intact (entries "
		         "%lld to %lld checked in %.1f ms)",
		         (long long)c.from + (c.checked ? 1 : 0), (long long)c.last, ms);
		snprintf(why, sizeof why, "started with --read-only");
	}
	if (d->cfg.read_only)
		dispatch_set_read_only(d->dispatch, why);
}

/* Everything the daemon keeps from its database, once it holds it. */
static void daemon_load_store(struct daemon *d)
{
	char err[512];
	int code;
	daemon_load_sign_key(d);
	/* Everything up to READY reads tables once: through a small cache,
	 * which grows back when serving starts (store_cache_scan()). */
	store_cache_scan(d->store, true);
	d->pool = pool_new();
	d->engage = engage_new();
	/* A standby taking over has said READY: systemd's watchdog runs while
	 * the store recovers and loads, so ping it between the long steps. */
	sd_notify(0, "WATCHDOG=1");
	if (!d->pool || !d->engage || !dispatch_reload_pool(d->store, d->pool) ||
	    !dispatch_reload_engage(d->store, d->pool, d->engage)) {
		server_exit_if_lost(d->store);
		log_fatal(EX_SOFTWARE, "cannot load the pool: %s", store_errmsg(d->store));
	}
	if (audit_log_init(d->store, &d->sign, (int64_t)time(NULL)) != STORE_OK) {
		server_exit_if_lost(d->store);
		log_fatal(EX_IOERR, "cannot start the audit log: %s",
		          store_errmsg(d->store));
	}
	daemon_set_rules(d, &d->cfg);
	enum proto_op unbound;
	if (!dispatch_handlers_complete(&unbound))
		log_fatal(EX_SOFTWARE, "operation %s is %s", proto_op_name(unbound),
		          proto_op_info(unbound)->reserved ? "reserved but has a handler"
		                                           : "served but has no handler");
	d->dispatch = dispatch_new(d->store, d->pool, d->engage, &d->rules, &d->assign);
	if (!d->dispatch)
		log_fatal(EX_OSERR, "out of memory");
	dispatch_set_sign_key(d->dispatch, &d->sign);
	dispatch_set_i18n(d->dispatch, &d->i18n);
	if (dispatch_stale(d->dispatch)) {
		server_exit_if_lost(d->store);
		log_fatal(EX_SOFTWARE, "cannot load the occupation catalogue: %s",
		          store_errmsg(d->store));
	}
	sd_notify(0, "WATCHDOG=1");
	daemon_check_chain(d);
	sd_notify(0, "WATCHDOG=1");
	/* After the chain, which names a wrong key more precisely; the pool
	 * holds no personal data, so nothing before needed it. */
	code = store_pii_start(d->store, &d->sign, d->has_previous ? &d->previous : NULL,
	                       d->cfg.read_only, (int64_t)time(NULL), err, sizeof err);
	server_exit_if_lost(d->store);
	if (code)
		log_fatal(code, "%s", err);
}

/* Room for both connection budgets, the database, the loop and the
 * other endpoints: the soft descriptor limit goes up to the hard one, and
 * a hard limit too low for the budgets is said at start, not found out
 * under load. */
#define DAEMON_FD_MARGIN 256
static void daemon_raise_nofile(const struct config *c)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)c->max_connections + (rlim_t)c->answer_max_connections +
	              DAEMON_FD_MARGIN;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need)
		log_warn("the descriptor limit (%llu) is below the connection budgets "
		         "(max_connections %d + answer_max_connections %d + %d): raise "
		         "LimitNOFILE or lower the budgets", (unsigned long long)rl.rlim_cur,
		         c->max_connections, c->answer_max_connections, DAEMON_FD_MARGIN);
}

static void daemon_listen(struct daemon *d, const struct keys_pair *kp)
{
	char err[512];
	/* A PostgreSQL COMMIT's answer is awaited on the loop, not in it. */
	dispatch_set_loop(d->dispatch, d->base);
	if (d->server) {   /* a standby that took over: now they serve */
		server_set_dispatch(d->server, d->dispatch);
		server_set_dispatch(d->answer, d->dispatch);
		return;
	}
	daemon_raise_nofile(&d->cfg);
	struct server_options so = {
		.endpoint = d->cfg.listen,
		.insecure = d->cfg.insecure,
		.secret_key = kp->secret_key,
		.batch_max = d->cfg.batch_max,
		.queue_max = d->cfg.queue_max,
		.max_msg_size = d->cfg.max_msg_size,
		.max_connections = d->cfg.max_connections,
		.metrics = &d->metrics,
		.i18n = &d->i18n,
	};
	d->server = server_new(d->base, d->zmq_ctx, &so, d->dispatch, d->zap,
	                       err, sizeof err);
	if (!d->server)
		log_fatal(EX_UNAVAILABLE, "%s", err);
	so.endpoint = d->cfg.answer_listen;
	so.answer = true;
	so.max_connections = d->cfg.answer_max_connections;
	d->answer = server_new(d->base, d->zmq_ctx, &so, d->dispatch, d->zap,
	                       err, sizeof err);
	if (!d->answer)
		log_fatal(EX_UNAVAILABLE, "answer endpoint: %s", err);
}

/* The expiry timer: one event at the earliest deadline (PROTOCOL.md
 * 7.12.2); when it fires, an empty batch expires what is due. */
static void daemon_due_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct daemon *d = arg;
	dispatch_batch(d->dispatch, NULL, 0, (int64_t)time(NULL), &d->metrics);
	dispatch_flush(d->dispatch);
}

static void daemon_arm_due(void *arg, int64_t next)
{
	struct daemon *d = arg;
	if (!d->due)
		return;
	event_del(d->due);
	if (next == 0)
		return;
	int64_t wait = next - (int64_t)time(NULL);
	struct timeval tv = {wait > 0 ? (time_t)wait : 0, 0};
	if (event_add(d->due, &tv) != 0)
		log_error("cannot arm the deadline timer");
}

/* The live dispatch log: every committed audit entry, once bound. */
static void daemon_publish(struct daemon *d, const struct keys_pair *kp)
{
	char err[512];
	struct publish_options po = {
		.endpoint = d->cfg.pub_listen,
		.insecure = d->cfg.insecure,
		.secret_key = kp->secret_key,
		.zap = d->zap,
		.sign = &d->sign,
	};
	d->publish = publish_new(d->zmq_ctx, d->store, &po, err, sizeof err);
	if (!d->publish)
		log_fatal(EX_UNAVAILABLE, "%s", err);
	dispatch_on_commit(d->dispatch, publish_commit_cb, d->publish);
	po.endpoint = d->cfg.notify_listen;
	d->notify = notify_new(d->zmq_ctx, d->store, &po, err, sizeof err);
	if (!d->notify)
		log_fatal(EX_UNAVAILABLE, "%s", err);
	dispatch_on_notify(d->dispatch, notify_send_cb, d->notify);
}

_Static_assert(METRICS_ASSIGN_STATES == ASSIGN_CANCELLED + 1,
               "one metrics label per assignment state");
_Static_assert(METRICS_TASK_FILLS == TASK_FILL_CANCELLED + 1,
               "one metrics label per fill state");

/* Gauges for /metrics, read at scrape time. */
static void daemon_gauges_cb(void *arg, struct metrics_gauges *g)
{
	struct daemon *d = arg;
	uint8_t hash[32];
	if (!d->pool)
		return;   /* a standby holds nothing yet */
	for (int s = 0; s < 4; s++)
		g->experts_by_status[s] = pool_count_status(d->pool, (enum expert_status)s);
	struct metrics_gauges *k = &d->store_gauges;
	if (!d->dispatch || !dispatch_busy(d->dispatch)) {
		if (store_audit_last(d->store, &k->audit_entries, hash) != STORE_OK)
			k->audit_entries = -1;
		k->tasks = (uint64_t)store_task_max_id(d->store);
		k->seats_known = store_assignment_counts(d->store, k->assignments,
		                                         METRICS_ASSIGN_STATES, k->task_fills,
		                                         METRICS_TASK_FILLS) == STORE_OK;
	}
	g->audit_entries = k->audit_entries;
	g->tasks = k->tasks;
	g->seats_known = k->seats_known;
	memcpy(g->assignments, k->assignments, sizeof g->assignments);
	memcpy(g->task_fills, k->task_fills, sizeof g->task_fills);
	g->auth_failures = d->zap ? zap_refused_count(d->zap) : 0;
	server_connections(d->server, &g->connections[0], &g->connections_refused[0],
	                   &g->connection_budget[0]);
	server_connections(d->answer, &g->connections[1], &g->connections_refused[1],
	                   &g->connection_budget[1]);
}

static const char *daemon_not_ready_cb(void *arg)
{
	struct daemon *d = arg;
	if (d->standby)
		return "standby: another expertd holds the database";
	if (!d->store || !d->server || !d->answer || !d->publish || !d->notify)
		return "starting";
	if (!d->cfg.insecure && !zap_is_running(d->zap))
		return "the ZAP handler is not running";
	/* While a COMMIT is awaited the store answered a moment ago. */
	if ((!d->dispatch || !dispatch_busy(d->dispatch)) &&
	    store_schema_version(d->store) < 0)
		return "the database cannot be read";
	if (d->dispatch && dispatch_stale(d->dispatch))
		return "the in-memory pool could not be rebuilt from the database";
	if (d->dispatch && dispatch_damage(d->dispatch))
		return dispatch_damage(d->dispatch);
	return NULL;
}

static void daemon_http(struct daemon *d)
{
	char err[512];
	if (d->http || strcmp(d->cfg.metrics_listen, "off") == 0)
		return;
	struct http_sources src = {&d->metrics, daemon_gauges_cb, daemon_not_ready_cb, d};
	d->http = http_start(d->base, d->cfg.metrics_listen, &src, err, sizeof err);
	if (!d->http)
		log_fatal(EX_UNAVAILABLE, "%s", err);
}

static void daemon_close(struct daemon *d)
{
	/* A batch whose COMMIT is awaited ends first: its replies go out. */
	dispatch_finish(d->dispatch);
	http_stop(&d->http);
	server_destroy(&d->answer);
	server_destroy(&d->server);
	if (d->dispatch) {
		dispatch_on_commit(d->dispatch, NULL, NULL);
		dispatch_on_notify(d->dispatch, NULL, NULL);
		dispatch_on_due(d->dispatch, NULL, NULL);
	}
	publish_destroy(&d->publish);
	notify_destroy(&d->notify);
	if (d->due)
		event_free(d->due);
	if (d->sigterm)
		event_free(d->sigterm);
	if (d->sigint)
		event_free(d->sigint);
	if (d->sighup)
		event_free(d->sighup);
	if (d->watchdog)
		event_free(d->watchdog);
	if (d->status)
		event_free(d->status);
	zap_stop(&d->zap);
	if (d->zmq_ctx)
		zmq_ctx_term(d->zmq_ctx);
	if (d->base)
		event_base_free(d->base);
	dispatch_destroy(&d->dispatch);
	engage_destroy(&d->engage);
	pool_destroy(&d->pool);
	store_close(&d->store);
	sign_key_wipe(&d->sign);
	sign_key_wipe(&d->previous);
	i18n_free(&d->i18n);
}

static int daemon_check_config(struct daemon *d)
{
	char err[512];
	if (!d->cfg.insecure) {
		struct keys_pair kp;
		if (!keys_read_secret(d->cfg.secret_key_file, &kp, err, sizeof err))
			log_fatal(EX_CONFIG, "server key: %s", err);
		struct auth_list *list = auth_list_load(d->cfg.allowlist_file, err,
		                                        sizeof err);
		if (!list)
			log_fatal(EX_CONFIG, "allowlist: %s", err);
		auth_list_destroy(&list);
	}
	daemon_load_sign_key(d);
	printf("configuration OK\n");
	return 0;
}

/* The store the settings name: PostgreSQL when [store] url is set, else
 * the SQLite file at [store] path. */
static int daemon_store_open(struct daemon *d, char *err, size_t errsz)
{
	if (d->cfg.store_url[0])
		return store_open_url(d->cfg.store_url, &d->store, err, errsz);
	return store_open(d->cfg.db_path, &d->store, err, errsz);
}

/* A standby tries the database's lock this often (PROTOCOL.md 6.6). */
#define DAEMON_STANDBY_POLL_MS 250

static void daemon_standby_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct daemon *d = arg;
	char err[512];
	int code = daemon_store_open(d, err, sizeof err);
	sd_notify(0, "WATCHDOG=1");   /* the open may have recovered a WAL */
	if (code == 0) {
		log_notice("standby: the database is free; taking over");
		event_base_loopbreak(d->base);
	} else if (code != EX_TEMPFAIL) {
		log_fatal(code, "%s", err);
	}
}

/*
 * Wait, serving, for the database another expertd holds: the request and
 * answer endpoints answer every request `unavailable` at once and /readyz
 * says standby, until the lock is ours (true: d->store is open) or a
 * signal stops us (false).
 */
static bool daemon_standby(struct daemon *d, const struct keys_pair *kp, const char *why)
{
	log_notice("standby: %s; answering unavailable until it is free", why);
	d->standby = true;
	daemon_listen(d, kp);
	daemon_http(d);
	sd_notify(0, "READY=1\nSTATUS=standby: another expertd holds the database");
	log_notice("standby: listening on %s and %s; SIGHUP re-reads the settings and "
	           "the allowlist as for a serving daemon", d->cfg.listen, d->cfg.answer_listen);
	daemon_watchdog_arm(d);   /* the unit's WatchdogSec holds for a standby too */
	struct event *poll = event_new(d->base, -1, EV_PERSIST, daemon_standby_cb, d);
	struct timeval tv = {0, DAEMON_STANDBY_POLL_MS * 1000};
	if (!poll || event_add(poll, &tv) != 0)
		log_fatal(EX_OSERR, "cannot create the standby timer");
	event_base_dispatch(d->base);
	event_free(poll);
	d->standby = false;
	return d->store != NULL;
}

/* The database, or with [store] standby a wait for it. False: stopped
 * while waiting. */
static bool daemon_take_store(struct daemon *d, const struct keys_pair *kp)
{
	char err[512];
	int code = daemon_store_open(d, err, sizeof err);
	if (code == EX_TEMPFAIL && d->cfg.standby)
		return daemon_standby(d, kp, err);
	if (code)
		log_fatal(code, "%s", err);
	return true;
}

static void daemon_signals(struct daemon *d)
{
	d->sigterm = evsignal_new(d->base, SIGTERM, daemon_signal_cb, d);
	d->sigint = evsignal_new(d->base, SIGINT, daemon_signal_cb, d);
	d->sighup = evsignal_new(d->base, SIGHUP, daemon_reload_cb, d);
	if (!d->sigterm || !d->sigint || !d->sighup || evsignal_add(d->sigterm, NULL) ||
	    evsignal_add(d->sigint, NULL) || evsignal_add(d->sighup, NULL))
		log_fatal(EX_OSERR, "cannot install signal handlers");
}

int main(int argc, char **argv)
{
	static struct daemon d;
	char err[512];
	d.argc = argc;
	d.argv = argv;
	enum config_action action;
	int code = config_from_args(&d.cfg, argc, argv, &action, err, sizeof err);
	if (code)
		log_fatal(code, "%s", err);
	if (action == CONFIG_HELP) {
		config_usage(stdout);
		return 0;
	}
	if (action == CONFIG_VERSION) {
		printf("expertd %s\n", EXPERTD_VERSION);
		return 0;
	}
	code = config_validate(&d.cfg, err, sizeof err);
	if (code)
		log_fatal(code, "%s", err);
	log_set_level(d.cfg.log_level);
	if (sodium_init() < 0)
		log_fatal(EX_SOFTWARE, "libsodium failed to initialise");
	if (action == CONFIG_CHECK)
		return daemon_check_config(&d);

	signal(SIGPIPE, SIG_IGN);
	if (!i18n_init(&d.i18n, err, sizeof err))
		log_warn("%s", err);
	d.zmq_ctx = zmq_ctx_new();
	d.base = event_base_new();
	if (!d.zmq_ctx || !d.base)
		log_fatal(EX_OSERR, "cannot create the ZeroMQ context or event loop");
	struct keys_pair kp = {0};
	if (!d.cfg.insecure)
		daemon_load_auth(&d, &kp);
	metrics_init(&d.metrics);
	daemon_signals(&d);
	if (!daemon_take_store(&d, &kp)) {
		sodium_memzero(&kp, sizeof kp);
		log_notice("expertd stopping: a standby that never took over");
		daemon_close(&d);
		return 0;
	}
	daemon_load_store(&d);
	store_serving(d.store);
	daemon_listen(&d, &kp);
	daemon_publish(&d, &kp);
	sodium_memzero(&kp, sizeof kp);
	daemon_http(&d);
	if (d.cfg.insecure)
		log_warn("INSECURE mode: no encryption or authentication; every "
		         "caller is an operator (development only)");

	daemon_timers(&d);
	/* Deadlines that passed while stopped expire now, before READY. */
	d.due = event_new(d.base, -1, 0, daemon_due_cb, &d);
	if (!d.due)
		log_fatal(EX_OSERR, "cannot create the deadline timer");
	dispatch_on_due(d.dispatch, daemon_arm_due, &d);
	dispatch_batch(d.dispatch, NULL, 0, (int64_t)time(NULL), &d.metrics);
	dispatch_flush(d.dispatch);
	store_cache_scan(d.store, false);
	log_notice("expertd %s ready: %zu experts, database %s, listening on %s; %s",
	           EXPERTD_VERSION, pool_count(d.pool),
	           d.cfg.store_url[0] ? "PostgreSQL ([store] url)" : d.cfg.db_path,
	           d.cfg.listen,
	           d.chain_note[0] ? d.chain_note : "audit log broken, serving reads only");
	sd_notify(0, "READY=1");
	daemon_status(&d);
	event_base_dispatch(d.base);
	sd_notify(0, "STOPPING=1");
	log_notice("expertd stopping after %llu requests",
	           server_requests(d.server));
	daemon_close(&d);
	return 0;
}
