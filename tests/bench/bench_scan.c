/*
 * bench_scan.c - candidates_collect() and the candidate-list hash alone,
 * with as little noise as a shared machine allows: one pool (default 10^5
 * experts, a specialty held by ~7%, so a bucket of ~7,000 like bench_draw's
 * top one) with 6,000 held tasks of 8 seats each, then the same 400 tasks
 * collected over and over; the best and the median of 7 passes. Unlike
 * bench_collect nothing changes between passes, so two builds compare on
 * exactly the same work. For people tuning the draw, not a CTest test.
 * --history N adds N more tasks over 1,000 days as bench_draw's history
 * phase spreads them (half on 200 busy organisations, 1 in 200 lasting 7
 * days, 1 in 5,000 31 days): what a draw's scan pays for history.
 *
 * --list ids|gaps picks the candidate-list hash's encoding (DRAW.md 3.3;
 * default gaps, the one new draws use since draft 16).
 *
 * usage: bench_scan [--count N] [--exposure CAP] [--history N] [--list ids|gaps]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "candidates.h"
#include "ident.h"

#define DAY INT64_C(86400)
#define BS_TASKS 400
#define BS_PASSES 7

static uint64_t bs_seed = 0x2545f4914f6cdd1dULL;

static uint64_t bs_rnd(void)
{
	bs_seed ^= bs_seed >> 12;
	bs_seed ^= bs_seed << 25;
	bs_seed ^= bs_seed >> 27;
	return bs_seed * UINT64_C(2685821657736338717);
}

static double bs_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int bs_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void bs_org(char out[19], size_t count)
{
	snprintf(out, 19, "91440101MA%08u", (unsigned)(bs_rnd() % (count / 10 + 1)));
}

/* A mix that fails every record rule now and then, at random. */
static void bs_fill_pool(struct pool *pool, size_t count, int32_t today)
{
	for (size_t i = 1; i <= count; i++) {
		struct expert e;
		memset(&e, 0, sizeof e);
		e.id = (int64_t)i;
		e.birth = today - 365 * 30 - (int32_t)(bs_rnd() % (365 * 37));
		bs_org(e.employer_code, count);
		if (bs_rnd() % 5 == 0)
			bs_org(e.recommender_code, count);
		e.n_specialties = 1;
		strcpy(e.specialties[0], bs_rnd() % 100 < 7 ? "top" : "other");
		e.group_types = (1 + (unsigned)(bs_rnd() % 7)) | 1u;
		e.task_types = (unsigned)(bs_rnd() % 32) | 1u;
		e.relaxations = bs_rnd() % 10 == 0;
		e.status = bs_rnd() % 20 ? EXPERT_ACTIVE
		         : bs_rnd() % 2 ? EXPERT_SUSPENDED : EXPERT_REVOKED;
		if (e.status == EXPERT_SUSPENDED)
			e.suspended_until = today - 100 + (int32_t)(bs_rnd() % 400);
		e.leader_eligible = bs_rnd() % 3 == 0;
		e.term = 1 + (int)(bs_rnd() % 2);
		e.joined_term = 1;
		if (!pool_upsert(pool, &e)) {
			fprintf(stderr, "out of memory\n");
			exit(1);
		}
	}
}

/* Task k's 8 seats, in the bucket: 6 held, 2 on standby. */
static void bs_seats(struct engage *eng, const struct pool_bucket *b, int64_t k)
{
	for (int j = 0; j < 8; j++) {
		struct engage_assignment a = {
			.id = k * 8 + j, .task = k,
			.state = j < 6 ? ASSIGN_ACCEPTED : ASSIGN_STANDBY};
		engage_put_assignment(eng, b->ids[bs_rnd() % b->n], &a);
	}
}

/* 6,000 one-day tasks over 600 days, 8 seats each in the bucket; then
 * `history` more over 1,000 days, spread as bench_draw's --history. */
static void bs_fill_engage(struct engage *eng, struct pool *pool,
                           const struct pool_bucket *b, size_t count, int32_t today,
                           long history)
{
	for (int64_t k = 1; k <= 6000 + history; k++) {
		bool old = k > 6000;
		int64_t day = today + (int64_t)(bs_rnd() % (old ? 1000 : 600));
		char org[19];
		if (old && bs_rnd() % 2)   /* one of 200 busy organisations */
			snprintf(org, sizeof org, "91440101MA%08u",
			         (unsigned)(bs_rnd() % 200 * (count / 10 / 200)));
		else
			bs_org(org, count);
		uint64_t r = old ? bs_rnd() % 5000 : 1;
		int64_t len = r == 0 ? 31 * DAY : r % 200 == 1 ? 7 * DAY : 36000 - 3600;
		struct engage_task et = {.id = k, .start_at = day * DAY + 3600,
		                         .end_at = day * DAY + 3600 + len, .n_orgs = 1};
		et.orgs[0] = pool_org_intern(pool, org);
		engage_put_task(eng, &et);
		bs_seats(eng, b, k);
	}
}

int main(int argc, char **argv)
{
	size_t count = 100000;
	int exposure = 0;
	long history = 0;
	enum draw_list_encoding enc = DRAW_LIST_CURRENT;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--count"))
			count = strtoull(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--exposure"))
			exposure = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--history"))
			history = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--list"))
			enc = strcmp(argv[i + 1], "ids") ? DRAW_LIST_GAPS : DRAW_LIST_IDS;
	}
	if (sodium_init() < 0 || count < 100)
		return 1;
	const int32_t today = ident_days_from_civil(2026, 3, 1);
	struct pool *pool = pool_new();
	struct engage *eng = engage_new();
	bs_fill_pool(pool, count, today);
	uint32_t sid = pool_specialty_find(pool, "top");
	const struct pool_bucket *b = pool_bucket(pool, sid, 0);
	bs_fill_engage(eng, pool, b, count, today, history);
	int32_t tstart[3] = {0, today - 800, today + 300};
	int32_t tend[3] = {0, today + 299, today + 1400};
	struct recusal_terms terms = {tstart, tend, 2};
	struct recusal_config cfg = {.rotation_days = 365, .exposure_cap = exposure,
	                             .exposure_days = 365, .diversity = true,
	                             .max_task_days = 31};
	static struct recusal_task tasks[BS_TASKS];
	for (int k = 0; k < BS_TASKS; k++) {
		int64_t day = today + (int64_t)(bs_rnd() % 600);
		char org[19];
		bs_org(org, count);
		tasks[k] = (struct recusal_task){
			.start_at = day * DAY + 3600, .end_at = day * DAY + 36000,
			.start_day = (int32_t)day, .end_day = (int32_t)day,
			.capability = 1, .n_orgs = 1};
		tasks[k].orgs[0] = pool_org_intern(pool, org);
	}

	struct candidates c;
	candidates_init(&c);
	double collect[BS_PASSES], hash[BS_PASSES];
	size_t n_cands = 0;
	uint8_t h[DRAW_HASH_LEN], mix = 0;
	for (int pass = 0; pass < BS_PASSES; pass++) {
		double tc = 0, th = 0;
		n_cands = 0;
		for (int k = 0; k < BS_TASKS; k++) {
			double t0 = bs_now_us();
			if (!candidates_collect(&c, pool, eng, &terms, sid, 0, &tasks[k], &cfg,
			                        NULL, 0))
				return 1;
			double t1 = bs_now_us();
			draw_list_hash(h, enc, c.ids, c.n);
			double t2 = bs_now_us();
			tc += t1 - t0;
			th += t2 - t1;
			n_cands += c.n;
			mix ^= h[k % DRAW_HASH_LEN];
		}
		collect[pass] = tc / BS_TASKS;
		hash[pass] = th / BS_TASKS;
	}
	qsort(collect, BS_PASSES, sizeof *collect, bs_cmp);
	qsort(hash, BS_PASSES, sizeof *hash, bs_cmp);
	/* The candidate count and the hash byte let two builds check they
	 * did the same work. */
	printf("bucket %zu, candidates %zu, hashes %02x: collect best %.1f median %.1f us, "
	       "hash best %.1f median %.1f us\n", b->n, n_cands / BS_TASKS, mix,
	       collect[0], collect[BS_PASSES / 2], hash[0], hash[BS_PASSES / 2]);
	candidates_free(&c);
	engage_destroy(&eng);
	pool_destroy(&pool);
	return 0;
}
