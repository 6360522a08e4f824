/*
 * bench_draw.c - the draw benchmark of issue #3 (a program run by hand or
 * by scripts/bench, never by CTest). One run generates one pool, imports it
 * into a fresh expertd, and measures on that pool: the empty round trip
 * (ping), a one-row durable SQLite commit, draws from 1 client and from 8
 * concurrent clients, and the naive SQL draw over the daemon's own
 * database. tests/bench/README.md says what each number means.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "bench.h"
#include "config.h"
#include "ident.h"
#include "task.h"

/* ---- options ---- */

static void bench_usage(FILE *out)
{
	fprintf(out,
"usage: bench_draw --count N [options]\n"
"Generates N experts, imports them into a fresh expertd (--insecure, ipc://\n"
"in a temp dir) and measures ping, a durable one-row SQLite commit, draws\n"
"(1 client, then 8 clients) and the naive SQL draw on the same pool.\n"
"\n"
"  --count N            pool size (required)\n"
"  --seed S             roster and request seed (default 1)\n"
"  --build DIR          build tree with daemon/expertd, clients/expertctl,\n"
"                       clients/expert-genroster (default: this binary's)\n"
"  --tmp DIR            parent of the run's temp dir (default $TMPDIR or /tmp)\n"
"  --keep               keep the temp dir (database, roster, logs)\n"
"  --ping N             pings, 1 client (default 2000)\n"
"  --commits N          one-row durable commits (default 1000)\n"
"  --latency N          sequential draws on the top specialty (default 2000;\n"
"                       a quarter as many again after the throughput phases)\n"
"  --latency-seconds S  time cap of each sequential draw phase (default 60)\n"
"  --rare N             sequential draws on the ~1%% specialty (default 500)\n"
"  --threads N          concurrent clients (default 8)\n"
"  --inflight K         requests in flight per client in the pipelined\n"
"                       throughput phase (default 8; 1 = skip that phase)\n"
"  --tput-draws N       draws per throughput phase (default min(20000, count))\n"
"  --tput-seconds S     stop a throughput phase after S seconds (default 30)\n"
"  --naive-max N        naive SQL draws at most, per specialty (default 200)\n"
"  --naive-seconds S    naive SQL time budget per specialty (default 15)\n"
"  --check N            draws whose candidate count is compared with the\n"
"                       SQL count of the same rules (default 10)\n"
"  --days D             tasks start on a random day 1..D from today (default 1000)\n"
"  --history N          after the other phases, N more draws (pipelined, no\n"
"                       time cap) spread over organisations, days and task\n"
"                       lengths (up to the daemon's longest), then draw1\n"
"                       again: issue #14 goal 2\n"
"                       (default 0: skipped)\n"
"  --live-import N      last, N rows of a second roster imported while one\n"
"                       client pings every 20 ms and another draws: issue\n"
"                       #14 goal 5 (default: --count; 0 skips it)\n"
"  --perf-dir DIR       perf stat + perf record on expertd during each\n"
"                       throughput phase, files in DIR\n"
"  --store-url URL      run expertd on this PostgreSQL database (issue #15);\n"
"                       the one-row commits are then PostgreSQL's, the pool\n"
"                       is surveyed from a SQLite import of the same roster,\n"
"                       and the naive SQL and rule check phases are skipped\n");
}

/* Numeric options: one row each, parsed and range-checked alike. */
enum bench_num_kind { BENCH_INT, BENCH_LONG, BENCH_ULONG, BENCH_DOUBLE };

struct bench_num_opt {
	const char *name;
	enum bench_num_kind kind;
	size_t offset;            /* in struct bench_opts */
	double lo, hi;
};

#define BENCH_NUM(n, k, f, lo, hi) {n, k, offsetof(struct bench_opts, f), lo, hi}

static const struct bench_num_opt bench_num_opts[] = {
	BENCH_NUM("count", BENCH_LONG, count, 10, 1e8),
	BENCH_NUM("seed", BENCH_ULONG, seed, 0, 4e9),
	BENCH_NUM("ping", BENCH_INT, ping_n, 1, 1e7),
	BENCH_NUM("commits", BENCH_INT, commit_n, 1, 1e7),
	BENCH_NUM("latency", BENCH_INT, lat_n, 1, 1e7),
	BENCH_NUM("latency-seconds", BENCH_DOUBLE, lat_s, 0.1, 3600),
	BENCH_NUM("rare", BENCH_INT, rare_n, 0, 1e7),
	BENCH_NUM("threads", BENCH_INT, threads, 1, BENCH_MAX_THREADS),
	BENCH_NUM("inflight", BENCH_INT, inflight, 1, BENCH_MAX_INFLIGHT),
	BENCH_NUM("tput-draws", BENCH_LONG, tput_n, 1, 1e8),
	BENCH_NUM("tput-seconds", BENCH_DOUBLE, tput_s, 0.1, 3600),
	BENCH_NUM("naive-max", BENCH_INT, naive_max, 0, 1e6),
	BENCH_NUM("naive-seconds", BENCH_DOUBLE, naive_s, 0.1, 3600),
	BENCH_NUM("check", BENCH_INT, check_n, 0, 1e5),
	/* The term opened today lasts 3 years: tasks must end inside it. */
	BENCH_NUM("days", BENCH_INT, days, 1, 1090),
	BENCH_NUM("history", BENCH_LONG, history, 0, 1e7),
	BENCH_NUM("live-import", BENCH_LONG, live_import, 0, 1e7),
};
#define BENCH_N_NUM (sizeof bench_num_opts / sizeof bench_num_opts[0])

static void bench_set_num(struct bench_opts *o, const struct bench_num_opt *no,
                          const char *s)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || v < no->lo || v > no->hi) {
		fprintf(stderr, "bench_draw: --%s: '%s' is not a number in %g..%g\n",
		        no->name, s, no->lo, no->hi);
		exit(64);
	}
	void *field = (char *)o + no->offset;
	switch (no->kind) {
	case BENCH_INT: *(int *)field = (int)v; break;
	case BENCH_LONG: *(long *)field = (long)v; break;
	case BENCH_ULONG: *(unsigned long *)field = (unsigned long)v; break;
	case BENCH_DOUBLE: *(double *)field = v; break;
	}
}

/* The build tree: three levels above this binary (tests/bench/bench_draw). */
static void bench_default_build(char out[PATH_MAX])
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	snprintf(out, PATH_MAX, ".");
	if (n <= 0)
		return;
	exe[n] = '\0';
	for (int up = 0; up < 3; up++) {
		char *slash = strrchr(exe, '/');
		if (!slash)
			return;
		*slash = '\0';
	}
	snprintf(out, PATH_MAX, "%s", exe);
}

/* Options that are not numbers take the short codes after the table's. */
enum { BENCH_OPT_BUILD = 1000, BENCH_OPT_TMP, BENCH_OPT_KEEP, BENCH_OPT_PERF,
       BENCH_OPT_STORE_URL };

static void bench_parse_args(struct bench_opts *o, int argc, char **argv)
{
	struct option longs[BENCH_N_NUM + 7];
	for (size_t i = 0; i < BENCH_N_NUM; i++)
		longs[i] = (struct option){bench_num_opts[i].name, required_argument,
		                           NULL, (int)i};
	longs[BENCH_N_NUM] = (struct option){"build", required_argument, NULL, BENCH_OPT_BUILD};
	longs[BENCH_N_NUM + 1] = (struct option){"tmp", required_argument, NULL, BENCH_OPT_TMP};
	longs[BENCH_N_NUM + 2] = (struct option){"keep", no_argument, NULL, BENCH_OPT_KEEP};
	longs[BENCH_N_NUM + 3] = (struct option){"perf-dir", required_argument, NULL,
	                                         BENCH_OPT_PERF};
	longs[BENCH_N_NUM + 4] = (struct option){"help", no_argument, NULL, 'h'};
	longs[BENCH_N_NUM + 5] = (struct option){"store-url", required_argument, NULL,
	                                         BENCH_OPT_STORE_URL};
	longs[BENCH_N_NUM + 6] = (struct option){NULL, 0, NULL, 0};

	const char *tmp = getenv("TMPDIR");
	*o = (struct bench_opts){.seed = 1, .ping_n = 2000, .commit_n = 1000,
	                         .lat_n = 2000, .lat_s = 60, .rare_n = 500,
	                         .threads = 8, .inflight = 8, .tput_n = -1, .live_import = -1,
	                         .tput_s = 30, .naive_max = 200, .naive_s = 15,
	                         .check_n = 10, .days = 1000, .members = 5,
	                         .backups = 2, .leader = true};
	snprintf(o->tmp, sizeof o->tmp, "%s", tmp && *tmp ? tmp : "/tmp");
	bench_default_build(o->build);
	int c;
	while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
		if (c >= 0 && (size_t)c < BENCH_N_NUM) {
			bench_set_num(o, &bench_num_opts[c], optarg);
		} else if (c == BENCH_OPT_BUILD) {
			snprintf(o->build, sizeof o->build, "%s", optarg);
		} else if (c == BENCH_OPT_TMP) {
			if (strlen(optarg) > 80) /* ipc:// paths are short */
				bench_die("--tmp: keep it under 80 bytes");
			snprintf(o->tmp, sizeof o->tmp, "%s", optarg);
		} else if (c == BENCH_OPT_KEEP) {
			o->keep = true;
		} else if (c == BENCH_OPT_PERF) {
			snprintf(o->perf_dir, sizeof o->perf_dir, "%s", optarg);
		} else if (c == BENCH_OPT_STORE_URL) {
			snprintf(o->store_url, sizeof o->store_url, "%s", optarg);
		} else if (c == 'h') {
			bench_usage(stdout);
			exit(0);
		} else {
			bench_usage(stderr);
			exit(64);
		}
	}
	if (optind < argc || o->count <= 0) {
		bench_usage(stderr);
		exit(64);
	}
	if (o->tput_n < 0)
		o->tput_n = o->count < 20000 ? o->count : 20000;
	if (o->live_import < 0)
		o->live_import = o->count;
}

/* ---- report ---- */

enum { PH_PING, PH_COMMIT, PH_DRAW1, PH_RARE1, PH_MIX_PING, PH_MIX_COMMIT,
       PH_MIX_DRAW, PH_PING8, PH_TPUT, PH_TPUTP, PH_DRAW1_LATE, PH_NAIVE,
       PH_NAIVE_RARE, PH_HISTORY, PH_DRAW1_HIST, PH__COUNT };

/* Keys of the RESULT lines scripts/bench reads, by phase. */
static const char *const bench_keys[PH__COUNT] = {
	"ping", "commit", "draw1", "draw1_rare", "mix_ping", "mix_commit",
	"mix_draw", "ping8", "draw8", "draw8p", "draw1_late", "naive", "naive_rare",
	"history", "draw1_hist"};

/* Everything measured, for the report. */
struct bench_results {
	struct bench_phase ph[PH__COUNT];
	int agree, checked;        /* rule check: SQL count == daemon's */
	long rss_after_kb;         /* expertd after the draws */
	double draw1_cpu_us;       /* expertd's CPU per draw in draw1; -1: unknown */
	double rare1_cpu_us;       /* the same in draw1_rare */
	double hist_cpu_us;        /* the same in draw1_hist; -1: not run */
	double draw1_wkib;         /* KiB expertd wrote per draw in draw1; -1: unknown */
	double hist_wkib;          /* the same in draw1_hist */
	double history_cpu_us;     /* expertd's CPU per draw of the history phase */
	long tasks_before_hist;    /* draws that succeeded before draw1_hist */
	/* expertd's start-up, CPU and wall to ready: the first after the
	 * import (its chain check covers every entry the import appended),
	 * then a second on the same store, as every later start is. */
	double start_cpu_us, start_s, restart_cpu_us, restart_s;
	struct bench_live live;    /* the live import; live.import_s 0: not run */
};

static void bench_result(const char *key, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("RESULT %s=", key);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

static void bench_result_phase(const struct bench_phase *ph, const char *key)
{
	char k[64];
	snprintf(k, sizeof k, "%s_n", key);
	bench_result(k, "%zu", ph->lat.n);
	snprintf(k, sizeof k, "%s_p50", key);
	bench_result(k, "%.1f", ph->p50);
	snprintf(k, sizeof k, "%s_p99", key);
	bench_result(k, "%.1f", ph->p99);
	snprintf(k, sizeof k, "%s_rate", key);
	bench_result(k, "%.1f", ph->rate);
	if (ph->ok || ph->insufficient || ph->failed) {
		snprintf(k, sizeof k, "%s_ok", key);
		bench_result(k, "%ld", ph->ok);
		snprintf(k, sizeof k, "%s_insufficient", key);
		bench_result(k, "%ld", ph->insufficient);
	}
	if (ph->cand_n) {
		snprintf(k, sizeof k, "%s_candidates", key);
		bench_result(k, "%.0f", ph->cand_sum / (double)ph->cand_n);
	}
}

/* One goal of issue #14: what scripts/bench calls it, what people read,
 * the unit, and the bound. */
struct bench_goal_def {
	const char *key, *what, *unit;
	bool at_most;
	double goal;
};

/* The figure against the goal, met or missed (a goal for another size,
 * or a figure not measured, says so), and a RESULT line
 * "goal_KEY=VALUE VERDICT" (MET, MISSED, n/a, unmeasured) for the
 * table scripts/bench prints. */
static void bench_goal(const struct bench_goal_def *g, double value, bool applies)
{
	bool met = g->at_most ? value <= g->goal : value >= g->goal;
	const char *verdict = value < 0 ? "not measured"
	                      : !applies ? "(goal is for another size)"
	                      : met ? "MET" : "MISSED";
	printf("  %-52s %10.2f %-6s goal %s %-8g %s\n", g->what, value < 0 ? 0 : value,
	       g->unit, g->at_most ? "<=" : ">=", g->goal, verdict);
	char key[64];
	snprintf(key, sizeof key, "goal_%s", g->key);
	bench_result(key, "%.2f %s", value < 0 ? 0 : value, value < 0 ? "unmeasured"
	             : !applies ? "n/a" : met ? "MET" : "MISSED");
}

/* Goal 5: the pings sent during the import's commit (during the whole
 * import when the commit was not seen), and the draws made meanwhile. */
static void bench_goal_live(const struct bench_results *r, bool applies)
{
	const struct bench_live *l = &r->live;
	bool ran = l->import_s > 0;
	const struct bench_phase *ping = l->ping_commit.lat.n ? &l->ping_commit : &l->ping;
	static const struct bench_goal_def ping_goal = {
		"5_ping_p99_ms", "5. ping p99 during an import's commit, 10^6", "ms", true, 50};
	static const struct bench_goal_def draw_goal = {
		"5_draws_ok", "5. draws answered ok during the import (none failed)", "",
		false, 1};
	static const struct bench_goal_def lost_goal = {
		"5_pings_not_ok", "5. pings answered busy or never, during the import", "",
		true, 0};
	bench_goal(&ping_goal, ran && ping->lat.n ? ping->p99 / 1000.0 : -1, applies);
	bench_goal(&lost_goal, ran ? (double)(l->ping_failed + l->ping_lost) : -1, applies);
	/* Any draw refused for another reason than too few candidates: 0. */
	bench_goal(&draw_goal, ran ? (double)(l->draw.failed ? 0 : l->draw.ok) : -1, applies);
}

/* Issue #14's goals that one bench_draw run measures, each with its
 * verdict; flat with history (2) with --history only, an import during
 * draws (5) with --live-import. */
static void bench_goals(const struct bench *b, const struct bench_results *r)
{
	const struct bench_phase *ph = r->ph;
	long n = b->o.count;
	bool e5 = n == 100000, e6 = n == 1000000;
	printf("\nissue #14 goals at %ld experts (each from this run):\n", n);
	static const struct bench_goal_def g[] = {
		{"1_cpu_top_1e5_us", "1. CPU per durable draw, top specialty, 10^5", "us",
		 true, 150},
		{"1_cpu_top_1e6_us", "1. CPU per durable draw, top specialty, 10^6", "us",
		 true, 300},
		{"1_cpu_rare_us", "1. CPU per durable draw, ~1% specialty", "us", true, 60},
		{"2_hist_ratio", "2. CPU per draw with history / fresh (draw1)", "", true,
		 1.25},
		{"3_draw8_ping8", "3. draw8 / ping8 (same run)", "", false, 0.25},
		{"4_mix_ratio", "4. draw p50 / (ping p50 + commit p50), mixed", "", true, 1.5},
		{"6_start_cpu_s", "6. start-up to ready: expertd CPU (a later start), 10^6", "s",
		 true, 1.0},
		{"6_mem_b", "6. memory per expert, 10^6", "B", true, 1024},
		/* "64 MB whatever the file size": 64 * 10^6 bytes, in MiB. */
		{"6_import_client_mib", "6. import client peak RSS (64 MB), 10^6", "MiB", true,
		 64e6 / 1048576.0},
	};
	bench_goal(&g[0], r->draw1_cpu_us, e5);
	bench_goal(&g[1], r->draw1_cpu_us, e6);
	bench_goal(&g[2], r->rare1_cpu_us, e5 || e6);
	bench_goal(&g[3], r->hist_cpu_us > 0 && r->draw1_cpu_us > 0
	           ? r->hist_cpu_us / r->draw1_cpu_us : -1, true);
	bench_goal(&g[4], ph[PH_PING8].rate > 0 ? ph[PH_TPUT].rate / ph[PH_PING8].rate : -1,
	           true);
	double mix = ph[PH_MIX_PING].p50 + ph[PH_MIX_COMMIT].p50;
	bench_goal(&g[5], mix > 0 ? ph[PH_MIX_DRAW].p50 / mix : -1, e5);
	bench_goal_live(r, e6);
	bench_goal(&g[6], r->restart_cpu_us >= 0 ? r->restart_cpu_us / 1e6 : -1, e6);
	bench_goal(&g[7], r->rss_after_kb > 0
	           ? (double)r->rss_after_kb * 1024.0 / (double)n : -1, e6);
	bench_goal(&g[8], b->import_client_kb > 0 ? (double)b->import_client_kb / 1024.0 : -1,
	           e6);
	printf("  7. naive (indexed specialty table, same rules) / daemon p50: top "
	       "%.1f, ~1%% %.1f (reported, no goal)\n",
	       ph[PH_DRAW1].p50 > 0 ? ph[PH_NAIVE].p50 / ph[PH_DRAW1].p50 : 0,
	       ph[PH_RARE1].p50 > 0 ? ph[PH_NAIVE_RARE].p50 / ph[PH_RARE1].p50 : 0);
}

/* RESULT lines of the CPU floor, start-up and the live import. */
static void bench_report_live(const struct bench_results *r)
{
	const struct bench_live *l = &r->live;
	const struct bench_phase *ph = r->ph;
	if (ph[PH_COMMIT].cpu_us > 0) {
		bench_result("ping_cpu_us", "%.1f", ph[PH_PING].cpu_us);
		bench_result("commit_cpu_us", "%.1f", ph[PH_COMMIT].cpu_us);
		if (r->draw1_cpu_us >= 0)
			bench_result("ratio_cpu_floor", "%.2f",
			             r->draw1_cpu_us / (ph[PH_PING].cpu_us + ph[PH_COMMIT].cpu_us));
	}
	if (r->start_cpu_us >= 0) {
		bench_result("start_cpu_ms", "%.0f", r->start_cpu_us / 1000.0);
		bench_result("start_s", "%.2f", r->start_s);
		bench_result("restart_cpu_ms", "%.0f", r->restart_cpu_us / 1000.0);
		bench_result("restart_s", "%.2f", r->restart_s);
	}
	if (l->import_s <= 0)
		return;
	bench_result("live_import_s", "%.1f", l->import_s);
	bench_result("live_commit_s", "%.1f", l->commit_s);
	bench_result_phase(&l->ping, "live_ping");
	bench_result("live_ping_max", "%.1f", l->ping.max);
	if (l->ping_commit.lat.n) {
		bench_result_phase(&l->ping_commit, "live_ping_commit");
		bench_result("live_ping_commit_max", "%.1f", l->ping_commit.max);
	}
	bench_result_phase(&l->draw, "live_draw");
	bench_result("live_draw_failed", "%ld", l->draw.failed);
	bench_result("live_ping_failed", "%ld", l->ping_failed);
	bench_result("live_ping_lost", "%ld", l->ping_lost);
	bench_result("live_draw_gap_s", "%.2f", l->draw_gap_s);
}

static void bench_report(const struct bench *b, const struct bench_results *r)
{
	const struct bench_phase *ph = r->ph;
	printf("\nresults (latency in microseconds):\n");
	for (int i = 0; i < PH__COUNT; i++)
		if (ph[i].lat.n)
			bench_phase_print(&ph[i]);
	double base = ph[PH_PING].p50 + ph[PH_COMMIT].p50;
	double r_lat = ph[PH_DRAW1].p50 / base;
	double r_naive = ph[PH_NAIVE].p50 / ph[PH_DRAW1].p50;
	double r_mix = ph[PH_MIX_DRAW].p50 / (ph[PH_MIX_PING].p50 + ph[PH_MIX_COMMIT].p50);
	printf("\n  baseline = ping p50 + commit p50 = %.1f us\n", base);
	printf("  draw1 p50 / baseline = %.2f   (target <= 1.5 at 10^5)\n", r_lat);
	printf("  interleaved: mix_draw p50 / (mix_ping p50 + mix_commit p50) = %.2f\n",
	       r_mix);
	printf("  draw8 = %.0f draws/s (%d clients x 1 in flight); draw8p = %.0f "
	       "draws/s (%d x %d)   (target >= 20000 at 10^5)\n", ph[PH_TPUT].rate,
	       b->o.threads, ph[PH_TPUTP].rate, b->o.threads, b->o.inflight);
	printf("  ping8 = %.0f empty requests/s (%d clients x 1 in flight): what "
	       "draw8 could reach if a draw cost nothing\n", ph[PH_PING8].rate,
	       b->o.threads);
	printf("  naive p50 / draw1 p50 = %.1f   (target >= 20 at 10^6)\n", r_naive);
	if (ph[PH_NAIVE_RARE].lat.n && ph[PH_RARE1].lat.n)
		printf("  naive_rare p50 / draw1_rare p50 = %.1f\n",
		       ph[PH_NAIVE_RARE].p50 / ph[PH_RARE1].p50);
	printf("  rule check: the SQL count agreed with the daemon on %d of %d draws\n",
	       r->agree, r->checked);
	if (r->draw1_cpu_us >= 0)
		printf("  expertd CPU per draw, 1 client: %.0f us\n", r->draw1_cpu_us);
	double floor = ph[PH_PING].cpu_us + ph[PH_COMMIT].cpu_us;
	if (ph[PH_COMMIT].cpu_us > 0 && r->draw1_cpu_us >= 0)
		printf("  CPU floor: %.1f us expertd per ping + %.1f us per durable one-row "
		       "commit (SQLite and the kernel) = %.1f us; a draw costs %.2f x that\n",
		       ph[PH_PING].cpu_us, ph[PH_COMMIT].cpu_us, floor, r->draw1_cpu_us / floor);
	if (r->hist_cpu_us >= 0)
		printf("  with history (%ld tasks drawn by then, %ld in the history phase, "
		       "%.0f s, %.0f us CPU each): %.0f us, %.2f x fresh\n",
		       r->tasks_before_hist, ph[PH_HISTORY].ok, ph[PH_HISTORY].wall_s,
		       r->history_cpu_us, r->hist_cpu_us, r->hist_cpu_us / r->draw1_cpu_us);
	if (r->hist_wkib >= 0 && r->draw1_wkib >= 0)
		printf("  expertd wrote per draw (WAL frames, checkpoints, sockets): "
		       "%.1f KiB fresh, %.1f KiB with history\n", r->draw1_wkib, r->hist_wkib);
	char load_end[48];
	bench_loadavg(load_end, sizeof load_end);
	printf("\nload average (1, 5, 15 min): %s at the start, %s at the end\n",
	       b->load_start, load_end);
	bench_goals(b, r);
	printf("\n");
	bench_result("loadavg_start", "%s", b->load_start);
	bench_result("loadavg_end", "%s", load_end);
	bench_report_live(r);
	bench_result("count", "%ld", b->o.count);
	bench_result("import_s", "%.2f", b->import_s);
	bench_result("import_rate", "%.0f", (double)b->o.count / b->import_s);
	bench_result("rss_kb", "%ld", b->rss_kb);
	bench_result("import_client_kb", "%ld", b->import_client_kb);
	bench_result("rss_after_kb", "%ld", r->rss_after_kb);
	bench_result("top_specialty", "%s", b->top.name);
	bench_result("top_share", "%.2f", b->top_share);
	bench_result("top_bucket", "%ld", b->top.bucket);
	bench_result("top_eligible", "%ld", b->top.eligible);
	bench_result("rare_specialty", "%s", b->rare.name);
	bench_result("rare_share", "%.2f", b->rare_share);
	bench_result("rare_bucket", "%ld", b->rare.bucket);
	bench_result("rare_eligible", "%ld", b->rare.eligible);
	for (int i = 0; i < PH__COUNT; i++)
		if (ph[i].lat.n)
			bench_result_phase(&ph[i], bench_keys[i]);
	bench_result("baseline_p50", "%.1f", base);
	bench_result("ratio_draw_baseline", "%.2f", r_lat);
	bench_result("ratio_mix", "%.2f", r_mix);
	bench_result("ratio_naive_draw", "%.1f", r_naive);
	if (ph[PH_NAIVE_RARE].lat.n && ph[PH_RARE1].lat.n)
		bench_result("ratio_naive_rare", "%.1f", ph[PH_NAIVE_RARE].p50 / ph[PH_RARE1].p50);
	bench_result("check", "%d/%d", r->agree, r->checked);
	if (r->draw1_cpu_us >= 0)
		bench_result("draw1_cpu_us", "%.0f", r->draw1_cpu_us);

	if (r->rare1_cpu_us >= 0)
		bench_result("rare1_cpu_us", "%.0f", r->rare1_cpu_us);
	if (r->hist_cpu_us >= 0) {
		bench_result("history_s", "%.1f", ph[PH_HISTORY].wall_s);
		bench_result("history_cpu_us", "%.0f", r->history_cpu_us);
		bench_result("hist_tasks", "%ld", r->tasks_before_hist);
		bench_result("hist_cpu_us", "%.0f", r->hist_cpu_us);
		bench_result("ratio_hist_fresh", "%.2f", r->hist_cpu_us / r->draw1_cpu_us);
		bench_result("draw1_write_kib", "%.1f", r->draw1_wkib);
		bench_result("hist_write_kib", "%.1f", r->hist_wkib);
	}
}

/* ---- the run ---- */

/* The temp dir, endpoint and the facts every phase shares. */
static void bench_init(struct bench *b)
{
	snprintf(b->dir, sizeof b->dir, "%s/bench_draw.XXXXXX", b->o.tmp);
	if (!mkdtemp(b->dir))
		bench_die("mkdtemp %s: %s", b->dir, strerror(errno));
	if (b->o.perf_dir[0])
		mkdir(b->o.perf_dir, 0755);
	snprintf(b->endpoint, sizeof b->endpoint, "ipc://%s/req.sock", b->dir);
	bench_path(b->db, sizeof b->db, b, "expertd.db");
	bench_path(b->log, sizeof b->log, b, "bench.log");
	uint8_t tag[4];
	randombytes_buf(tag, sizeof tag);
	sodium_bin2hex(b->runtag, sizeof b->runtag, tag, sizeof tag);
	b->today = ident_day_cst((int64_t)time(NULL));
	b->group = task_default_group(TASK_REVIEW, TASK_SUBJECT_TRAINING);
	b->capability = task_required_capability(TASK_REVIEW, TASK_SUBJECT_TRAINING);
	struct config cfg;
	config_defaults(&cfg); /* the daemon runs with the defaults */
	b->rotation_days = cfg.rotation_days;
	b->max_task_days = cfg.max_task_days;
}

/* KiB expertd wrote per draw since it had written `before` bytes; -1
 * when unknown. */
static double bench_wkib_per(const struct bench *b, long before, size_t draws)
{
	long now = bench_written(b->daemon);
	return before >= 0 && now >= before && draws
		? (double)(now - before) / 1024.0 / (double)draws : -1;
}

/* draw1 (and draw1_hist, the same requests): everything the daemon did
 * for the phase, one draw per batch (the candidates, the transcript, the
 * seats, the head signed, the commit), as CPU and bytes written per draw;
 * profiled with --perf-dir. */
static void bench_draw1(const struct bench *b, struct bench_phase *ph, const char *name,
                        double *cpu_us, double *wkib)
{
	struct bench_load_perf perf;
	bench_load_perf_start(b, name, &perf);
	long wrote = bench_written(b->daemon);
	double cpu = bench_cpu_us(b->daemon);
	bench_load_sequential(b, ph, name, b->top.name, b->o.lat_n, b->o.seed * 31 + 1);
	*wkib = bench_wkib_per(b, wrote, ph->lat.n);
	*cpu_us = cpu >= 0 && ph->lat.n
		? (bench_cpu_us(b->daemon) - cpu) / (double)ph->lat.n : -1;
	bench_load_perf_stop(&perf);
}

/* Every phase, in order, on the same pool; each draw adds to it. */
static void bench_phases(const struct bench *b, sqlite3 *db, struct bench_results *r)
{
	const struct bench_opts *o = &b->o;
	struct bench_phase *ph = r->ph;
	int late = (o->lat_n + 3) / 4;
	printf("phase: ping x %d\n", o->ping_n);
	bench_load_ping(b, &ph[PH_PING]);
	printf("phase: durable one-row commit x %d\n", o->commit_n);
	bench_load_commit(b, &ph[PH_COMMIT]);
	printf("phase: draws, 1 client, top specialty x %d (at most %.0f s)\n",
	       o->lat_n, o->lat_s);
	bench_draw1(b, &ph[PH_DRAW1], "draw1", &r->draw1_cpu_us, &r->draw1_wkib);
	r->rare1_cpu_us = -1;
	if (o->rare_n > 0) {
		printf("phase: draws, 1 client, ~1%% specialty x %d (at most %.0f s)\n",
		       o->rare_n, o->lat_s);
		double cpu = bench_cpu_us(b->daemon);
		bench_load_sequential(b, &ph[PH_RARE1], "draw1_rare", b->rare.name,
		                      o->rare_n, o->seed * 31 + 2);
		r->rare1_cpu_us = cpu >= 0 && ph[PH_RARE1].lat.n
			? (bench_cpu_us(b->daemon) - cpu) / (double)ph[PH_RARE1].lat.n : -1;
	}
	printf("phase: ping, one-row commit and draw in turn x %d\n", o->lat_n);
	bench_load_interleaved(b, &ph[PH_MIX_PING], &ph[PH_MIX_COMMIT], &ph[PH_MIX_DRAW],
	                       o->lat_n, o->seed * 31 + 7);
	printf("phase: pings, %d clients x 1 in flight, %ld requests or %.0f s\n",
	       o->threads, o->tput_n, o->tput_s);
	bench_load_throughput(b, &ph[PH_PING8], "ping8", 1, BENCH_LOAD_PING);
	printf("phase: draws, %d clients x 1 in flight, %ld draws or %.0f s\n",
	       o->threads, o->tput_n, o->tput_s);
	bench_load_throughput(b, &ph[PH_TPUT], "draw8", 1, BENCH_LOAD_DRAW);
	if (o->inflight > 1) {
		printf("phase: draws, %d clients x %d in flight, %ld draws or %.0f s\n",
		       o->threads, o->inflight, o->tput_n, o->tput_s);
		bench_load_throughput(b, &ph[PH_TPUTP], "draw8p", o->inflight,
		                      BENCH_LOAD_DRAW);
	}
	printf("phase: draws, 1 client, top specialty x %d, after the others\n", late);
	bench_load_sequential(b, &ph[PH_DRAW1_LATE], "draw1_late", b->top.name, late,
	                      o->seed * 31 + 6);
	r->rss_after_kb = bench_rss_kb(b->daemon);
	printf("expertd VmRSS after the draws: %ld KiB\n", r->rss_after_kb);
	if (b->on_pg) {   /* the SQLite copy lacks these draws: nothing to compare */
		printf("phases naive SQL and rule check: skipped on PostgreSQL\n");
		return;
	}
	bench_sql_index(b);
	printf("phase: naive SQL, top specialty (at most %d or %.0f s)\n",
	       o->naive_max, o->naive_s);
	bench_sql_naive(b, db, &ph[PH_NAIVE], "naive", b->top.name, o->seed * 31 + 3);
	printf("phase: naive SQL, ~1%% specialty\n");
	bench_sql_naive(b, db, &ph[PH_NAIVE_RARE], "naive_rare", b->rare.name,
	                o->seed * 31 + 4);
	printf("phase: rule check (SQL count vs daemon candidates) x %d\n", o->check_n);
	bench_sql_check(b, db, o->seed * 31 + 5, &r->agree, &r->checked);
}

/* Issue #14 goal 2: o.history more draws (bench_load_history_task), then
 * draw1 again on the same specialty, its CPU per draw beside the fresh
 * one. Last, so that no other figure sees the history. */
static void bench_history(const struct bench *b, struct bench_results *r)
{
	const struct bench_opts *o = &b->o;
	struct bench_phase *ph = r->ph;
	r->hist_cpu_us = r->hist_wkib = -1;
	if (o->history <= 0)
		return;
	printf("phase: history, %ld draws, %d clients x %d in flight\n", o->history,
	       o->threads, o->inflight);
	double cpu = bench_cpu_us(b->daemon);
	bench_load_throughput(b, &ph[PH_HISTORY], "history", o->inflight,
	                      BENCH_LOAD_HISTORY);
	r->history_cpu_us = ph[PH_HISTORY].lat.n
		? (bench_cpu_us(b->daemon) - cpu) / (double)ph[PH_HISTORY].lat.n : -1;
	printf("history: %ld draws succeeded, %ld insufficient, in %.1f s\n",
	       ph[PH_HISTORY].ok, ph[PH_HISTORY].insufficient, ph[PH_HISTORY].wall_s);
	for (int i = 0; i < PH_DRAW1_HIST; i++)   /* naive draws add no task */
		if (i != PH_NAIVE && i != PH_NAIVE_RARE)
			r->tasks_before_hist += ph[i].ok;
	printf("phase: draws, 1 client, top specialty x %d, with history\n", o->lat_n);
	bench_draw1(b, &ph[PH_DRAW1_HIST], "draw1_hist", &r->hist_cpu_us, &r->hist_wkib);
}

static void bench_rmtree(const char *dir)
{
	char *argv[] = {"/bin/rm", "-rf", (char *)dir, NULL};
	bench_wait(bench_spawn(argv, "/dev/null"));
}

int main(int argc, char **argv)
{
	static struct bench b;
	static struct bench_results r;
	bench_parse_args(&b.o, argc, argv);
	if (sodium_init() < 0)
		bench_die("libsodium failed to initialise");
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	bench_init(&b);
	bench_loadavg(b.load_start, sizeof b.load_start);
	printf("bench_draw: %ld experts, work dir %s, build %s, load average %s\n",
	       b.o.count, b.dir, b.o.build, b.load_start);

	char roster[PATH_MAX + 16];
	bench_path(roster, sizeof roster, &b, "roster.csv");
	bench_setup_generate(&b, roster);
	bench_setup_start_daemon(&b);
	bench_setup_import(&b, roster);
	if (b.o.store_url[0]) {
		/* The survey reads SQLite: the same roster there, then the run
		 * on PostgreSQL, whose ids and pool are the same. */
		bench_setup_stop_daemon(&b);
		b.on_pg = true;
		printf("expertd on PostgreSQL: the same roster again\n");
		bench_setup_start_daemon(&b);
		bench_setup_import(&b, roster);
	}
	bench_live_startup(&b, &r.start_cpu_us, &r.start_s);
	bench_live_startup(&b, &r.restart_cpu_us, &r.restart_s);
	sqlite3 *db = bench_setup_open_ro(&b);
	bench_setup_survey(&b, db);
	bench_setup_load_orgs(&b, db);
	printf("draws: kind review, %s%d members, %d backups, one org of %zu, "
	       "a 1-day task on day 1..%d ahead\n", b.o.leader ? "leader + " : "",
	       b.o.members, b.o.backups, b.n_orgs, b.o.days);
	bench_phases(&b, db, &r);
	bench_history(&b, &r);
	if (b.o.live_import > 0)
		bench_live_import(&b, &r.live);
	sqlite3_close(db);
	bench_setup_stop_daemon(&b);

	bench_report(&b, &r);
	if (b.o.keep)
		printf("kept %s\n", b.dir);
	else
		bench_rmtree(b.dir);
	for (int i = 0; i < PH__COUNT; i++)
		free(r.ph[i].lat.us);
	free(r.live.ping.lat.us);
	free(r.live.ping_commit.lat.us);
	free(r.live.draw.lat.us);
	return 0;
}
