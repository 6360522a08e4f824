/*
 * bench_collect.c - the pure part of a draw alone, without the daemon:
 * candidates_collect(), the candidate-list hash in both encodings (DRAW.md
 * 3.3: `hash_ids`, 8 bytes per id; `hash_gaps`, since draft 16) and
 * draw_select() on a
 * generated pool shaped like bench_draw's (a specialty held by ~20%, one
 * employer per expert among count/10), with every draw seating 8 experts
 * on a one-day task on a random day 1..1000, as the daemon does. Prints
 * the microseconds each part takes as assignments accumulate. For people
 * tuning the draw, not a CTest test.
 *
 * usage: bench_collect [--count N] [--draws N] [--every N] [--exposure CAP]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "candidates.h"

#define DAY INT64_C(86400)

static uint64_t bc_rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

static double bc_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void bc_fill_pool(struct pool *pool, size_t count, uint64_t *seed)
{
	static const char *const spec[] = {"top", "s1", "s2", "s3", "s4", "s5"};
	for (size_t i = 1; i <= count; i++) {
		struct expert e;
		memset(&e, 0, sizeof e);
		e.id = (int64_t)i;
		e.birth = 3650 + (int32_t)(bc_rnd(seed) % 12000);
		snprintf(e.employer_code, sizeof e.employer_code, "91440101MA%08u",
		         (unsigned)(bc_rnd(seed) % (count / 10 + 1) % 100000000));
		e.n_specialties = 1 + (int)(bc_rnd(seed) % 3);
		for (int k = 0; k < e.n_specialties; k++)
			strcpy(e.specialties[k], bc_rnd(seed) % 10 < (uint64_t)k + 1 ? "top"
			       : spec[1 + bc_rnd(seed) % 5]);
		if (e.n_specialties > 1 && !strcmp(e.specialties[0], e.specialties[1]))
			e.n_specialties = 1;
		e.group_types = 1 + (unsigned)(bc_rnd(seed) % 7);
		e.task_types = (unsigned)(bc_rnd(seed) % 32) | 1u;
		e.status = bc_rnd(seed) % 20 ? EXPERT_ACTIVE : EXPERT_SUSPENDED;
		e.leader_eligible = bc_rnd(seed) % 3 == 0;
		e.term = e.joined_term = 1;
		if (!pool_upsert(pool, &e)) {
			fprintf(stderr, "out of memory\n");
			exit(1);
		}
	}
}

int main(int argc, char **argv)
{
	size_t count = 100000, draws = 20000, every = 2000;
	int exposure = 0;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--count"))
			count = strtoull(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--draws"))
			draws = strtoull(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--every"))
			every = strtoull(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--exposure"))
			exposure = atoi(argv[i + 1]);
	}
	if (sodium_init() < 0)
		return 1;
	uint64_t seed = 0x2545f4914f6cdd1dULL;
	struct pool *pool = pool_new();
	struct engage *eng = engage_new();
	bc_fill_pool(pool, count, &seed);
	uint32_t sid = pool_specialty_find(pool, "top");
	printf("pool %zu, bucket %zu\n", count, pool_bucket(pool, sid, 0)->n);
	int32_t tstart[2] = {0, 0}, tend[2] = {0, 40000};
	struct recusal_terms terms = {tstart, tend, 1};
	struct recusal_config cfg = {.rotation_days = 365, .exposure_cap = exposure,
	                             .exposure_days = 365, .diversity = true,
	                             .max_task_days = 31};
	const int64_t today = 20000;
	struct candidates c;
	candidates_init(&c);
	double t_collect = 0, t_hash = 0, t_gaps = 0, t_select = 0;
	size_t n_cands = 0, window = 0;
	int64_t next_assignment = 1;
	printf("%8s %10s %10s %10s %10s %10s\n", "draws", "collect", "hash_ids",
	       "hash_gaps", "select", "candidates");
	for (size_t d = 1; d <= draws; d++) {
		int64_t day = today + 1 + (int64_t)(bc_rnd(&seed) % 1000);
		char org[19];
		snprintf(org, sizeof org, "91440101MA%08u",
		         (unsigned)(bc_rnd(&seed) % (count / 10 + 1) % 100000000));
		struct recusal_task t = {.start_at = day * DAY + 3600, .end_at = day * DAY + 36000,
		                         .start_day = (int32_t)day, .end_day = (int32_t)day,
		                         .capability = 1};
		t.orgs[0] = pool_org_intern(pool, org);
		t.n_orgs = 1;
		double t0 = bc_now_us();
		if (!candidates_collect(&c, pool, eng, &terms, sid, 0, &t, &cfg, NULL, 0))
			return 1;
		double t1 = bc_now_us();
		uint8_t hash[DRAW_HASH_LEN], seedb[DRAW_SEED_LEN];
		draw_list_hash(hash, DRAW_LIST_IDS, c.ids, c.n);
		double t1g = bc_now_us();
		draw_list_hash(hash, DRAW_LIST_GAPS, c.ids, c.n);
		double t2 = bc_now_us();
		memcpy(seedb, hash, sizeof seedb);
		seedb[0] ^= (uint8_t)d;
		struct draw_spec spec = {.leader = true, .members = 5, .backups = 2,
		                         .diversity = true};
		int64_t panel[8];
		size_t n_panel = 0;
		enum draw_result r = draw_select(c.list, c.n, &spec, seedb, panel, &n_panel);
		double t3 = bc_now_us();
		t_collect += t1 - t0;
		t_hash += t1g - t1;
		t_gaps += t2 - t1g;
		t_select += t3 - t2;
		n_cands += c.n;
		window++;
		if (r == DRAW_OK) {
			struct engage_task et = {.id = (int64_t)d, .start_at = t.start_at,
			                         .end_at = t.end_at, .orgs = {t.orgs[0]},
			                         .n_orgs = 1};
			engage_put_task(eng, &et);
			for (size_t i = 0; i < n_panel; i++) {
				struct engage_assignment a = {
					.id = next_assignment++, .task = et.id,
					.state = i < 6 ? ASSIGN_OFFERED : ASSIGN_STANDBY};
				engage_put_assignment(eng, panel[i], &a);
			}
		}
		if (d % every == 0) {
			printf("%8zu %10.1f %10.1f %10.1f %10.1f %10.0f\n", d,
			       t_collect / (double)window, t_hash / (double)window,
			       t_gaps / (double)window, t_select / (double)window,
			       (double)n_cands / (double)window);
			t_collect = t_hash = t_gaps = t_select = 0;
			n_cands = window = 0;
		}
	}
	candidates_free(&c);
	engage_destroy(&eng);
	pool_destroy(&pool);
	return 0;
}
