/*
 * bench.c - helpers shared by the pieces of bench_draw (see bench.h): the
 * clock, seeded random numbers, latency statistics, child processes and
 * the run's paths and clients.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

_Noreturn void bench_die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "bench_draw: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

double bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* splitmix64: reproducible request parameters per thread and seed. */
uint64_t bench_rand(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

void bench_push(struct bench_samples *s, double us)
{
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 1024;
		double *p = realloc(s->us, nc * sizeof *p);
		if (!p)
			bench_die("out of memory");
		s->us = p;
		s->cap = nc;
	}
	s->us[s->n++] = us;
}

static int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted samples. */
static double bench_pct(const struct bench_samples *s, double p)
{
	if (s->n == 0)
		return NAN;
	size_t rank = (size_t)ceil(p * (double)s->n);
	return s->us[rank ? rank - 1 : 0];
}

void bench_phase_finish(struct bench_phase *ph)
{
	struct bench_samples *s = &ph->lat;
	qsort(s->us, s->n, sizeof *s->us, bench_cmp_double);
	double sum = 0;
	for (size_t i = 0; i < s->n; i++)
		sum += s->us[i];
	ph->p50 = bench_pct(s, 0.50);
	ph->p99 = bench_pct(s, 0.99);
	ph->mean = s->n ? sum / (double)s->n : NAN;
	ph->max = s->n ? s->us[s->n - 1] : NAN;
	ph->rate = ph->wall_s > 0 ? (double)s->n / ph->wall_s : NAN;
}

void bench_phase_print(const struct bench_phase *ph)
{
	printf("  %-14s n=%-6zu p50=%9.1f us  p99=%9.1f us  mean=%9.1f us  "
	       "max=%9.1f us  %9.1f /s", ph->name, ph->lat.n, ph->p50, ph->p99,
	       ph->mean, ph->max, ph->rate);
	if (ph->ok || ph->insufficient || ph->failed)
		printf("  ok=%ld insufficient=%ld failed=%ld", ph->ok, ph->insufficient,
		       ph->failed);
	if (ph->cand_n)
		printf("  candidates(mean)=%.0f", ph->cand_sum / (double)ph->cand_n);
	printf("\n");
	fflush(stdout);
}

/* ---- child processes ---- */

/* Start argv[0] with stdout and stderr to log (appended). */
pid_t bench_spawn(char *const argv[], const char *log)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		bench_die("fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
		execv(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

int bench_wait(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

void bench_show_log(const char *log)
{
	FILE *f = fopen(log, "r");
	char line[1024];
	fprintf(stderr, "---- %s ----\n", log);
	while (f && fgets(line, sizeof line, f))
		fputs(line, stderr);
	if (f)
		fclose(f);
}

void bench_run(char *const argv[], const char *log)
{
	int rc = bench_wait(bench_spawn(argv, log));
	if (rc != 0) {
		bench_show_log(log);
		bench_die("%s exited with %d", argv[0], rc);
	}
}

/* VmRSS of pid in KiB, or -1. */
/* The number after `key` (e.g. "VmRSS:") in /proc/PID/<file>, or -1. */
static long bench_proc_number(pid_t pid, const char *file, const char *key)
{
	char path[64], line[256];
	long v = -1;
	size_t len = strlen(key);
	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, key, len) == 0 && sscanf(line + len, "%ld", &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

long bench_rss_kb(pid_t pid)
{
	return bench_proc_number(pid, "status", "VmRSS:");
}

long bench_written(pid_t pid)
{
	return bench_proc_number(pid, "io", "wchar:");
}

double bench_cpu_us_ticks(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = '\0';
	/* The command name may hold spaces: fields 14 and 15 count from ')'. */
	const char *p = strrchr(buf, ')');
	unsigned long utime, stime;
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
	                 &utime, &stime) != 2)
		return -1;
	return (double)(utime + stime) * 1e6 / (double)sysconf(_SC_CLK_TCK);
}

/* The sum of every live thread's time on a CPU (/proc/PID/task/N/schedstat,
 * nanoseconds): exact where /proc/PID/stat counts 10 ms ticks. */
double bench_cpu_us(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return bench_cpu_us_ticks(pid);
	double ns = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		char file[sizeof path + sizeof e->d_name + 16];
		unsigned long long run;
		if (e->d_name[0] == '.')
			continue;
		snprintf(file, sizeof file, "%s/%s/schedstat", path, e->d_name);
		FILE *f = fopen(file, "r");
		if (f && fscanf(f, "%llu", &run) == 1)
			ns += (double)run;
		if (f)
			fclose(f);
	}
	closedir(d);
	return ns > 0 ? ns / 1000.0 : bench_cpu_us_ticks(pid);
}

/* ---- the run's files and clients ---- */

void bench_loadavg(char *out, size_t size)
{
	double l[3];
	FILE *f = fopen("/proc/loadavg", "r");
	if (f && fscanf(f, "%lf %lf %lf", &l[0], &l[1], &l[2]) == 3)
		snprintf(out, size, "%.2f/%.2f/%.2f", l[0], l[1], l[2]);
	else
		snprintf(out, size, "?");
	if (f)
		fclose(f);
}

void bench_path(char *out, size_t size, const struct bench *b, const char *name)
{
	snprintf(out, size, "%s/%s", b->dir, name);
}

void bench_tool(char *out, size_t size, const struct bench *b, const char *rel)
{
	snprintf(out, size, "%s/%s", b->o.build, rel);
	if (access(out, X_OK) != 0)
		bench_die("%s is missing: build the `default` preset first", out);
}

struct client *bench_client(const struct bench *b, int timeout_ms, int retries)
{
	struct client_options co = {.endpoint = b->endpoint, .timeout_ms = timeout_ms,
	                            .retries = retries};
	char err[256];
	struct client *c = client_new(&co, err, sizeof err);
	if (!c)
		bench_die("client: %s", err);
	return c;
}

