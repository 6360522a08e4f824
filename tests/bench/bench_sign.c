/*
 * bench_sign.c - what signing the chain head costs (issue #16 item 3,
 * DRAW.md 4.7.1): the Ed25519 signature alone (sign_head), its check
 * (sign_head_is_valid, what a verifier or `expertctl watch` pays per
 * head), and the daemon's head_sign on a real SQLite file, both when a
 * request appended an entry (read the last entry and the stored head,
 * sign, store) and when nothing changed (the two reads; the daemon calls
 * it so at the start and the end of every batch). CPU time of this
 * process, per call. Run by scripts/bench, not by CTest.
 *
 * Usage: bench_sign [--count N] [--db PATH]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "audit.h"
#include "audit_log.h"
#include "head.h"
#include "sign.h"
#include "store.h"

static double cpu_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void bench_print(const char *key, const char *what, double total_us, long n)
{
	printf("%s: %.1f us CPU per call (%ld calls)\n", what, total_us / (double)n, n);
	printf("RESULT %s_us=%.1f\n", key, total_us / (double)n);
}

/* The signature and its check alone, over changing heads. */
static void bench_crypto(const struct sign_key *k, long n)
{
	uint8_t hash[SIGN_HASH_LEN], sig[SIGN_SIG_LEN];
	randombytes_buf(hash, sizeof hash);
	double t = cpu_us();
	for (long i = 0; i < n; i++) {
		hash[i % SIGN_HASH_LEN] ^= (uint8_t)i;
		sign_head(sig, i + 1, hash, k);
	}
	bench_print("sign", "Ed25519 head signature (sign_head)", cpu_us() - t, n);
	long bad = 0;
	t = cpu_us();
	for (long i = 0; i < n; i++)
		bad += !sign_head_is_valid(sig, n, hash, k->public_key);
	bench_print("verify", "its check (sign_head_is_valid)", cpu_us() - t, n);
	if (bad)
		fprintf(stderr, "bench_sign: %ld checks failed\n", bad);
}

/* head_sign after each of n appended entries, and again with nothing
 * new; only the head_sign calls are timed. 1000 entries a transaction. */
static bool bench_heads(struct store *s, const struct sign_key *k, long n)
{
	struct expert e;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	memset(&e, 0, sizeof e);
	e.birth = 7300;
	e.n_specialties = 1;
	snprintf(e.specialties[0], sizeof e.specialties[0], "电工");
	e.group_types = 3;
	e.term = e.joined_term = 1;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	double signed_us = 0, same_us = 0;
	bool ok = true;
	for (long i = 0; ok && i < n; i++) {
		if (i % 1000 == 0)
			ok = store_batch_begin(s) == STORE_OK;
		e.id = i + 1;
		msgpack_sbuffer_clear(&sb);
		audit_pack_expert(&pk, "imported", "bench", NULL, &e);
		ok = ok && audit_log_append(s, "pool.expert", 1765000000 + i, &sb, NULL,
		                            NULL) == STORE_OK;
		double t = cpu_us();
		ok = ok && head_sign(s, k, NULL) == STORE_OK;
		double u = cpu_us();
		ok = ok && head_sign(s, k, NULL) == STORE_OK;
		signed_us += u - t;
		same_us += cpu_us() - u;
		if (ok && (i % 1000 == 999 || i == n - 1))
			ok = store_batch_commit(s) == STORE_OK;
	}
	msgpack_sbuffer_destroy(&sb);
	if (!ok)
		return false;
	bench_print("head", "head_sign after a request appended (read, sign, store)",
	            signed_us, n);
	bench_print("head_same", "head_sign with nothing new (two reads)", same_us, n);
	return true;
}

int main(int argc, char **argv)
{
	long n = 20000;
	char path[4096] = "";
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--count") == 0 && i + 1 < argc)
			n = atol(argv[++i]);
		else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
			snprintf(path, sizeof path, "%s", argv[++i]);
		else {
			fprintf(stderr, "usage: bench_sign [--count N] [--db PATH]\n");
			return 64;
		}
	}
	if (sodium_init() < 0 || n < 1)
		return 1;
	if (!path[0])
		snprintf(path, sizeof path, "%s/expertd-bench-sign-%d.db",
		         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
	uint8_t seed[SIGN_SEED_LEN];
	struct sign_key k;
	randombytes_buf(seed, sizeof seed);
	sign_key_from_seed(&k, seed);
	bench_crypto(&k, n);
	struct store *s = NULL;
	char err[512];
	int code = store_open(path, &s, err, sizeof err);
	if (code) {
		fprintf(stderr, "bench_sign: %s\n", err);
		return code;
	}
	bool ok = bench_heads(s, &k, n);
	store_close(&s);
	sign_key_wipe(&k);
	static const char *const suffixes[] = {"", "-wal", "-shm", ".lock"};
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		char p[4200];
		snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
		unlink(p);
	}
	if (!ok)
		fprintf(stderr, "bench_sign: the store refused a head\n");
	return ok ? 0 : 1;
}
