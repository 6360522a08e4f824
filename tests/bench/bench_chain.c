/*
 * bench_chain.c - the cost of the start-up chain check (issue #16 item 2,
 * DRAW.md 4.1) on a log of N entries (default 10^6): the full check a
 * database without a checkpoint gets once, the check from the checkpoint
 * every later start gets, and one after 1000 new entries. The check reads
 * entries only, so the pool's size does not enter; the bodies are expert
 * entries of the usual size. CPU time of this process, which is the
 * daemon's code (audit_log_check) on a real SQLite file. Run by
 * scripts/bench, not by CTest.
 *
 * Usage: bench_chain [--entries N] [--db PATH]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "audit_log.h"
#include "store.h"

#define BENCH_BATCH 10000

static double cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Append n expert entries, BENCH_BATCH to a transaction. */
static bool bench_fill(struct store *s, int64_t first_id, int64_t n)
{
	struct expert e;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	memset(&e, 0, sizeof e);
	e.birth = 7300;
	snprintf(e.employer_code, sizeof e.employer_code, "91440101MA59ABCD1X");
	e.n_specialties = 2;
	snprintf(e.specialties[0], sizeof e.specialties[0], "电工");
	snprintf(e.specialties[1], sizeof e.specialties[1], "焊工");
	e.group_types = 3;
	e.task_types = 5;
	e.term = e.joined_term = 1;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	bool ok = true;
	for (int64_t i = 0; ok && i < n; i += BENCH_BATCH) {
		ok = store_batch_begin(s) == STORE_OK;
		for (int64_t k = i; ok && k < i + BENCH_BATCH && k < n; k++) {
			e.id = first_id + k;
			msgpack_sbuffer_clear(&sb);
			audit_pack_expert(&pk, "imported", "bench", NULL, &e);
			ok = audit_log_append(s, "pool.expert", 1765000000 + k, &sb, NULL,
			                      NULL) == STORE_OK;
		}
		ok = ok && store_batch_commit(s) == STORE_OK;
	}
	msgpack_sbuffer_destroy(&sb);
	return ok;
}

/* One check, timed; false if it failed or found the chain broken. */
static bool bench_check(struct store *s, const char *name)
{
	struct audit_log_check c;
	memset(&c, 0, sizeof c);
	double w = wall_ms(), t = cpu_ms();
	enum store_result r = audit_log_check(s, &c);
	double cpu = cpu_ms() - t, wall = wall_ms() - w;
	if (r != STORE_OK || c.bad) {
		fprintf(stderr, "bench_chain: %s: check failed at %lld: %s\n", name,
		        (long long)c.bad, c.why);
		return false;
	}
	printf("%s: %lld entries checked after entry %lld, %.1f ms CPU, %.1f ms wall\n",
	       name, (long long)c.checked, (long long)c.from, cpu, wall);
	printf("RESULT %s_cpu_ms=%.1f\nRESULT %s_checked=%lld\n", name, cpu, name,
	       (long long)c.checked);
	return true;
}

int main(int argc, char **argv)
{
	int64_t n = 1000000;
	char path[4096] = "";
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--entries") == 0 && i + 1 < argc)
			n = atoll(argv[++i]);
		else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
			snprintf(path, sizeof path, "%s", argv[++i]);
		else {
			fprintf(stderr, "usage: bench_chain [--entries N] [--db PATH]\n");
			return 64;
		}
	}
	if (!path[0])
		snprintf(path, sizeof path, "%s/expertd-bench-chain-%d.db",
		         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
	struct store *s = NULL;
	char err[512];
	int code = store_open(path, &s, err, sizeof err);
	if (code) {
		fprintf(stderr, "bench_chain: %s\n", err);
		return code;
	}
	double w = wall_ms();
	bool ok = bench_fill(s, 1, n);
	printf("wrote %lld entries in %.1f s\n", (long long)n, (wall_ms() - w) / 1e3);
	ok = ok && bench_check(s, "chain_full") && bench_check(s, "chain_checkpoint") &&
	     bench_fill(s, n + 1, 1000) && bench_check(s, "chain_after_1000");
	store_close(&s);
	static const char *const suffixes[] = {"", "-wal", "-shm", ".lock"};
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		char p[4200];
		snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
		unlink(p);
	}
	return ok ? 0 : 1;
}
