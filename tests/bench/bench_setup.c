/*
 * bench_setup.c - a run's set-up: the generated roster, a fresh expertd on
 * an ipc:// socket in the temp dir, a term and the import through the
 * real expertctl, then what the imported pool holds (specialty shares,
 * the draw bucket sizes, the organisations tasks will concern).
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "expert.h"
#include "ident.h"
#include "proto.h"

#define BENCH_SETUP_MAX_SPECIALTIES 4096

/* The daemon this run started, stopped on any exit (bench_die too). */
static pid_t bench_setup_daemon_pid;

static void bench_setup_atexit(void)
{
	if (bench_setup_daemon_pid > 0)
		kill(bench_setup_daemon_pid, SIGTERM);
}

/* Interrupted: take the daemon along (only async-signal-safe calls). */
static void bench_setup_signal_cb(int sig)
{
	if (bench_setup_daemon_pid > 0)
		kill(bench_setup_daemon_pid, SIGTERM);
	_exit(128 + sig);
}

void bench_setup_generate_rows(const struct bench *b, const char *roster, long rows,
                               unsigned long seed)
{
	char tool[PATH_MAX + 64], count[32], seed_s[32];
	bench_tool(tool, sizeof tool, b, "clients/expert-genroster");
	snprintf(count, sizeof count, "%ld", rows);
	snprintf(seed_s, sizeof seed_s, "%lu", seed);
	char *argv[] = {tool, "--count", count, "--seed", seed_s, "--out", (char *)roster,
	                NULL};
	double t0 = bench_now();
	bench_run(argv, b->log);
	printf("roster: %ld rows generated in %.1f s (seed %lu)\n", rows, bench_now() - t0,
	       seed);
}

void bench_setup_generate(struct bench *b, const char *roster)
{
	bench_setup_generate_rows(b, roster, b->o.count, b->o.seed);
}

/* The signing key every daemon needs (PROTOCOL.md 4.3.1), made in the
 * run's dir as the harness makes it; *key gets the key file's path. */
static void bench_setup_sign_key(const struct bench *b, char *key, size_t size)
{
	char ctl[PATH_MAX + 64], base[PATH_MAX + 16];
	bench_tool(ctl, sizeof ctl, b, "clients/expertctl");
	bench_path(base, sizeof base, b, "sign");
	snprintf(key, size, "%s.key", base);
	if (access(key, R_OK) == 0)
		return;
	char *argv[] = {ctl, "keygen", "--sign", base, NULL};
	bench_run(argv, b->log);
}

void bench_setup_start_daemon(struct bench *b)
{
	char tool[PATH_MAX + 64], pub[PATH_MAX + 16], ans[PATH_MAX + 16],
	     note[PATH_MAX + 16], key[PATH_MAX + 32];
	bench_setup_sign_key(b, key, sizeof key);
	bench_tool(tool, sizeof tool, b, "daemon/expertd");
	/* Every endpoint in the run's dir: two runs at once never collide. */
	snprintf(pub, sizeof pub, "ipc://%s/pub.sock", b->dir);
	snprintf(ans, sizeof ans, "ipc://%s/answer.sock", b->dir);
	snprintf(note, sizeof note, "ipc://%s/notify.sock", b->dir);
	char *argv[] = {tool, "--insecure", b->on_pg ? "--store-url" : "--db",
	                b->on_pg ? b->o.store_url : b->db, "--listen", b->endpoint,
	                "--pub-listen", pub, "--answer-listen", ans, "--notify-listen", note,
	                "--metrics-listen", "off", "--log-level", "warning",
	                "--sign-key", key, NULL};
	b->daemon = bench_spawn(argv, b->log);
	if (bench_setup_daemon_pid == 0) {
		atexit(bench_setup_atexit);
		signal(SIGINT, bench_setup_signal_cb);
		signal(SIGTERM, bench_setup_signal_cb);
	}
	bench_setup_daemon_pid = b->daemon;

	/* Ready when it answers a ping. */
	struct client *c = bench_client(b, 100, 0);
	struct proto_reply rep;
	char err[256];
	for (int i = 0;; i++) {
		int st;
		if (waitpid(b->daemon, &st, WNOHANG) == b->daemon) {
			bench_show_log(b->log);
			bench_die("expertd exited at start");
		}
		if (client_call(c, PROTO_OP_PING, NULL, NULL, 0, &rep, err, sizeof err)) {
			proto_reply_release(&rep);
			break;
		}
		if (i == 200)
			bench_die("expertd does not answer on %s", b->endpoint);
	}
	client_destroy(&c);
	printf("expertd: pid %d on %s\n", (int)b->daemon, b->endpoint);
}

void bench_setup_stop_daemon(struct bench *b)
{
	if (b->daemon <= 0)
		return;
	kill(b->daemon, SIGTERM);
	bench_wait(b->daemon);
	b->daemon = bench_setup_daemon_pid = 0;
}

static void bench_setup_ctl(const struct bench *b, char **args, int nargs)
{
	char tool[PATH_MAX + 64];
	char *argv[16];
	int n = 0;
	bench_tool(tool, sizeof tool, b, "clients/expertctl");
	argv[n++] = tool;
	argv[n++] = "--endpoint";
	argv[n++] = (char *)b->endpoint;
	argv[n++] = "--timeout";
	argv[n++] = "600000";
	for (int i = 0; i < nargs && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	bench_run(argv, b->log);
}

long bench_setup_import_staged(const struct bench *b)
{
	if (b->on_pg)
		return -1;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long rows = -1;
	if (sqlite3_open_v2(b->db, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT rows FROM imports WHERE state = 0"
	                           " ORDER BY id DESC LIMIT 1", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		rows = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rows;
}

void bench_setup_import(struct bench *b, const char *roster)
{
	char start[11];
	ident_date_format(b->today, start);
	char *term[] = {"term", "open", "--start", start};
	bench_setup_ctl(b, term, 4);

	char tool[PATH_MAX + 64];
	bench_tool(tool, sizeof tool, b, "clients/expertctl");
	/* --appointed: the draws that follow need appointed experts
	 * (PROTOCOL.md 7.17); a recommendation roster would be drawn by none. */
	char *argv[] = {tool, "--endpoint", b->endpoint, "--timeout", "600000",
	                "pool", "import", "--appointed", (char *)roster, NULL};
	double t0 = bench_now(), next = t0 + 5;
	pid_t pid = bench_spawn(argv, b->log);
	int st = 0;
	struct rusage ru = {0};
	for (;;) {
		/* wait4: expertctl's own peak RSS (issue #14 goal 6). */
		pid_t r = wait4(pid, &st, WNOHANG, &ru);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			bench_die("waitpid: %s", strerror(errno));
		if (bench_now() >= next) {
			long rows = bench_setup_import_staged(b);
			printf("import: %.0f s, %ld rows staged%s, expertd RSS %ld MiB\n",
			       bench_now() - t0, rows,
			       rows == b->o.count ? " (committing)" : "",
			       bench_rss_kb(b->daemon) / 1024);
			fflush(stdout);
			next += 5;
		}
		usleep(20000);
	}
	b->import_s = bench_now() - t0;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		bench_show_log(b->log);
		bench_die("expertctl pool import failed");
	}
	b->rss_kb = bench_rss_kb(b->daemon);
	b->import_client_kb = ru.ru_maxrss;
	printf("import: %ld rows in %.2f s = %.0f rows/s; expertd VmRSS %ld KiB; "
	       "expertctl peak RSS %ld KiB\n", b->o.count, b->import_s,
	       (double)b->o.count / b->import_s, b->rss_kb, b->import_client_kb);
}

/* ---- the pool as SQLite holds it ---- */

sqlite3 *bench_setup_open_ro(const struct bench *b)
{
	sqlite3 *db = NULL;
	if (sqlite3_open_v2(b->db, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		bench_die("open %s read-only: %s", b->db, db ? sqlite3_errmsg(db) : "?");
	sqlite3_busy_timeout(db, 5000);
	/* The same page cache the daemon gives itself. */
	sqlite3_exec(db, "PRAGMA cache_size=-65536", NULL, NULL, NULL);
	return db;
}

/* Specialty name -> counts, open addressing: a roster has a few hundred. */
struct bench_setup_table {
	struct bench_specialty slot[BENCH_SETUP_MAX_SPECIALTIES];
};

static struct bench_specialty *bench_setup_table_get(struct bench_setup_table *t,
                                                     const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	for (size_t i = 0; i < BENCH_SETUP_MAX_SPECIALTIES; i++) {
		struct bench_specialty *e = &t->slot[(h + i) % BENCH_SETUP_MAX_SPECIALTIES];
		if (!e->name) {
			e->name = strndup(s, n);
			if (!e->name)
				bench_die("out of memory");
			return e;
		}
		if (strlen(e->name) == n && memcmp(e->name, s, n) == 0)
			return e;
	}
	bench_die("more than %d specialties", BENCH_SETUP_MAX_SPECIALTIES);
	return NULL;
}

/* Count holders of each specialty; pick the largest and the one nearest
 * 1% of the pool. */
void bench_setup_survey(struct bench *b, sqlite3 *db)
{
	struct bench_setup_table *t = calloc(1, sizeof *t);
	sqlite3_stmt *st;
	if (!t)
		bench_die("out of memory");
	if (sqlite3_prepare_v2(db, "SELECT specialties, status, group_types, task_types"
	                       " FROM experts", -1, &st, NULL) != SQLITE_OK)
		bench_die("survey: %s", sqlite3_errmsg(db));
	long total = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(st, 0);
		bool in_bucket = sqlite3_column_int(st, 2) & (1 << b->group);
		bool eligible = in_bucket && sqlite3_column_int(st, 1) == EXPERT_ACTIVE &&
		                (!b->capability ||
		                 (sqlite3_column_int(st, 3) & (int)b->capability));
		total++;
		while (s && *s) {
			const char *bar = strchr(s, '|');
			size_t n = bar ? (size_t)(bar - s) : strlen(s);
			struct bench_specialty *e = bench_setup_table_get(t, s, n);
			e->holders++;
			e->bucket += in_bucket;
			e->eligible += eligible;
			s = bar ? bar + 1 : s + n;
		}
	}
	sqlite3_finalize(st);
	if (total != b->o.count)
		bench_die("the pool holds %ld experts, not %ld", total, b->o.count);
	struct bench_specialty *top = NULL, *rare = NULL;
	int distinct = 0;
	for (size_t i = 0; i < BENCH_SETUP_MAX_SPECIALTIES; i++) {
		struct bench_specialty *e = &t->slot[i];
		if (!e->name)
			continue;
		distinct++;
		if (!top || e->holders > top->holders)
			top = e;
		double d = fabs((double)e->holders / (double)total - 0.01);
		if (!rare || d < fabs((double)rare->holders / (double)total - 0.01))
			rare = e;
	}
	b->top = *top;
	b->rare = *rare;
	b->top.name = strdup(top->name);
	b->rare.name = strdup(rare->name);
	for (size_t i = 0; i < BENCH_SETUP_MAX_SPECIALTIES; i++)
		free(t->slot[i].name);
	free(t);
	b->top_share = 100.0 * (double)b->top.holders / (double)total;
	b->rare_share = 100.0 * (double)b->rare.holders / (double)total;
	printf("pool: %d specialties; top '%s' held by %ld (%.1f%%); %ld in the "
	       "review group (the draw's bucket), %ld of them active with the "
	       "capability\n", distinct, b->top.name, b->top.holders, b->top_share,
	       b->top.bucket, b->top.eligible);
	printf("pool: ~1%% specialty '%s' held by %ld (%.2f%%); bucket %ld, "
	       "eligible %ld\n", b->rare.name, b->rare.holders, b->rare_share,
	       b->rare.bucket, b->rare.eligible);
}

/* Employer codes: each task concerns one of them (rules 1, 2, 3, 5). */
void bench_setup_load_orgs(struct bench *b, sqlite3 *db)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	if (sqlite3_prepare_v2(db, "SELECT DISTINCT employer_code FROM experts"
	                       " WHERE employer_code != '' ORDER BY 1", -1, &st,
	                       NULL) != SQLITE_OK)
		bench_die("orgs: %s", sqlite3_errmsg(db));
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (b->n_orgs == cap) {
			cap = cap ? cap * 2 : 256;
			char **p = realloc(b->orgs, cap * sizeof *p);
			if (!p)
				bench_die("out of memory");
			b->orgs = p;
		}
		b->orgs[b->n_orgs++] = strdup((const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	if (b->n_orgs == 0)
		bench_die("no employer codes in the pool");
}

