/*
 * bench.h - what the pieces of bench_draw share: the options, one run's
 * state, latency samples and phase results, and the helpers every piece
 * uses (clock, seeded random numbers, child processes). Not a library:
 * everything here exists for the benchmark program alone.
 */
#ifndef EXPERTD_BENCH_H
#define EXPERTD_BENCH_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <sqlite3.h>

#include "client.h"

#define BENCH_DAY 86400
#define BENCH_CST_OFFSET (8 * 3600)
#define BENCH_MAX_THREADS 64
#define BENCH_MAX_INFLIGHT 256
#define BENCH_CALL_TIMEOUT_MS 120000
/* Paths under the temp dir must fit an ipc:// endpoint (108 bytes) anyway. */
#define BENCH_DIR_MAX 256

struct bench_opts {
	char build[PATH_MAX];     /* the build tree holding the binaries */
	long count;               /* experts in the pool */
	unsigned long seed;
	char tmp[128];            /* where the run's temp dir goes */
	bool keep;
	int ping_n, commit_n, lat_n, rare_n;
	double lat_s;             /* time cap of each sequential draw phase */
	int threads, inflight;
	long tput_n;
	double tput_s;
	int naive_max;
	double naive_s;
	int check_n;
	int days;                 /* tasks start 1..days days from today */
	long history;             /* draws of the history phase (0: none) */
	long live_import;         /* rows of the live import (0: none) */
	int members, backups;
	bool leader;
	char perf_dir[PATH_MAX];  /* "" = no perf */
	char store_url[1024];     /* "" = SQLite; else the PostgreSQL the daemon uses */
};

struct bench_specialty {
	char *name;
	long holders;       /* experts holding it */
	long bucket;        /* ...in the review task's group: what a draw walks */
	long eligible;      /* ...of those, active with the review capability */
};

/* One run: its temp dir, daemon, pool survey and set-up figures. */
struct bench {
	struct bench_opts o;
	char dir[BENCH_DIR_MAX];
	char endpoint[BENCH_DIR_MAX + 32];
	char db[BENCH_DIR_MAX + 32];
	char log[BENCH_DIR_MAX + 32];
	pid_t daemon;
	bool on_pg;                       /* the daemon runs on o.store_url */
	int32_t today;                    /* CST day number at start */
	int group;                        /* index of the review task's group */
	unsigned capability;              /* bit the review task needs */
	int rotation_days;                /* the daemon's default rule 5 window */
	int max_task_days;                /* the daemon's default longest task */
	struct bench_specialty top, rare;
	char **orgs;                      /* employer codes, the tasks' orgs */
	size_t n_orgs;
	double import_s;
	long rss_kb;
	long import_client_kb;            /* expertctl's peak RSS importing */
	double top_share, rare_share;     /* percent of the pool */
	char runtag[9];                   /* hex, in pipelined request ids */
	char load_start[48];              /* /proc/loadavg's 1, 5, 15 min at start */
};

/* Latency samples in microseconds. */
struct bench_samples {
	double *us;
	size_t n, cap;
};

/* One measured phase. */
struct bench_phase {
	const char *name;
	struct bench_samples lat;
	double wall_s;
	long ok, insufficient, failed;
	double cand_sum;          /* candidates reported by successful draws */
	long cand_n;
	double p50, p99, mean, max, rate; /* set by bench_phase_finish */
	double cpu_us;            /* CPU per operation (ping: expertd's; commit:
	                             the committing thread's, kernel included); 0
	                             when not measured */
};

/* A draw's task: what both the daemon and the naive SQL are asked. */
struct bench_task {
	int64_t start_at, end_at;
	int32_t start_day, end_day;
	const char *org;
	const char *specialty;
};

/* bench.c: helpers. */
_Noreturn void bench_die(const char *fmt, ...);
double bench_now(void);
uint64_t bench_rand(uint64_t *state);
void bench_push(struct bench_samples *s, double us);
void bench_phase_finish(struct bench_phase *ph);
void bench_phase_print(const struct bench_phase *ph);
/* Start argv[0] with stdout and stderr appended to log. */
pid_t bench_spawn(char *const argv[], const char *log);
/* Exit status, or 128 + signal. */
int bench_wait(pid_t pid);
/* bench_spawn + bench_wait; dies with the log shown unless it exits 0. */
void bench_run(char *const argv[], const char *log);
void bench_show_log(const char *log);
/* VmRSS of pid in KiB, or -1. */
long bench_rss_kb(pid_t pid);
/* Bytes pid has passed to write(2) and its kin (/proc/PID/io wchar: the
 * WAL frames, checkpoints, sockets), or -1. */
long bench_written(pid_t pid);
/* CPU time pid's live threads have used, in microseconds, from
 * /proc/PID/task/N/schedstat (nanoseconds); -1 if unreadable. */
double bench_cpu_us(pid_t pid);
/* The same from /proc/PID/stat (user + system, exited threads included),
 * in clock ticks' steps. */
double bench_cpu_us_ticks(pid_t pid);
void bench_path(char *out, size_t size, const struct bench *b, const char *name);
/* The machine's load average over 1, 5 and 15 minutes ("?" if unknown). */
void bench_loadavg(char *out, size_t size);
/* A binary of the build tree; dies if it is missing. */
void bench_tool(char *out, size_t size, const struct bench *b, const char *rel);
/* A client of the run's daemon; dies on failure. */
struct client *bench_client(const struct bench *b, int timeout_ms, int retries);

/* bench_setup.c: roster, daemon, term, import, what the pool holds. */
void bench_setup_generate(struct bench *b, const char *roster);
/* A roster of `rows` rows from genroster's seed `seed`. */
void bench_setup_generate_rows(const struct bench *b, const char *roster, long rows,
                               unsigned long seed);
/* Rows staged so far by the newest open import (state 0, STORE_IMPORT_OPEN;
 * SQLite only; else -1). */
long bench_setup_import_staged(const struct bench *b);
void bench_setup_start_daemon(struct bench *b);
void bench_setup_stop_daemon(struct bench *b);
void bench_setup_import(struct bench *b, const char *roster);
sqlite3 *bench_setup_open_ro(const struct bench *b);
void bench_setup_survey(struct bench *b, sqlite3 *db);
void bench_setup_load_orgs(struct bench *b, sqlite3 *db);

/* bench_load.c: requests to the daemon and the commit baseline. */
void bench_load_task(const struct bench *b, uint64_t *rng, const char *specialty,
                     struct bench_task *t);
/* One draw through the client library; returns its candidate count or -1. */
long bench_load_draw_once(const struct bench *b, struct client *c,
                          struct bench_phase *ph, const struct bench_task *t);
void bench_load_ping(const struct bench *b, struct bench_phase *ph);
void bench_load_commit(const struct bench *b, struct bench_phase *ph);
/* ping, one-row commit and a draw on the top specialty in turn, n times
 * (at most --latency-seconds): three p50s under the same conditions. */
void bench_load_interleaved(const struct bench *b, struct bench_phase *ping,
                            struct bench_phase *commit, struct bench_phase *draw,
                            int n, uint64_t rng);
void bench_load_sequential(const struct bench *b, struct bench_phase *ph,
                           const char *name, const char *specialty, int n,
                           uint64_t seed);
/* What a throughput phase sends: draws on the top specialty (o.tput_n of
 * them, at most o.tput_s), empty requests (inflight 1 only: the ceiling the
 * transport and the event loop alone put on draw8), or the history
 * phase's o.history draws (bench_load_history_task, no time cap). */
enum bench_load_kind { BENCH_LOAD_DRAW, BENCH_LOAD_PING, BENCH_LOAD_HISTORY };
/* A task of the history phase: organisations, days and lengths as real
 * use would spread them (bench_load.c says how). */
void bench_load_history_task(const struct bench *b, uint64_t *rng, struct bench_task *t);
/* perf stat and perf record attached to expertd for one phase (with
 * o.perf_dir; else nothing): DIR/<phase>.stat.txt, DIR/<phase>.perf.data. */
struct bench_load_perf {
	pid_t stat, record;
};
void bench_load_perf_start(const struct bench *b, const char *phase,
                           struct bench_load_perf *p);
void bench_load_perf_stop(struct bench_load_perf *p);
/* o.threads clients; inflight 1 = client_call, more = raw DEALER pipelining. */
void bench_load_throughput(const struct bench *b, struct bench_phase *ph,
                           const char *name, int inflight, enum bench_load_kind kind);

/* bench_sql.c: the naive SQL draw and the rule cross-check. */
/* The index the naive query needs on the daemon's database: expertd keeps
 * none by expert (it holds assignments in memory), a SQL design would. */
void bench_sql_index(const struct bench *b);
void bench_sql_naive(const struct bench *b, sqlite3 *db, struct bench_phase *ph,
                     const char *name, const char *specialty, uint64_t seed);
void bench_sql_check(const struct bench *b, sqlite3 *db, uint64_t seed, int *agree,
                     int *checked);

/* bench_live.c: start-up, and an import while the daemon serves. */
/* Stop expertd and start it again on the same store: its CPU (us) and
 * wall time (s) to the first answered ping. */
void bench_live_startup(struct bench *b, double *cpu_us, double *wall_s);
struct bench_live {
	double import_s, commit_s;        /* commit_s < 0: not seen (PostgreSQL) */
	struct bench_phase ping;          /* every ping sent during the import */
	struct bench_phase ping_commit;   /* those sent during its commit */
	struct bench_phase draw;          /* the draws made meanwhile */
	double draw_gap_s;                /* longest wait for a draw's reply */
	long ping_failed;                 /* answered, not ok (busy, ...) */
	long ping_lost;                   /* never answered */
};
/* o.live_import rows of a second roster imported while a pinger and a
 * drawer run (issue #14 goal 5). */
void bench_live_import(const struct bench *b, struct bench_live *out);

#endif
