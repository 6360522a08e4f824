/*
 * bench_load.c - what the benchmark asks of expertd, and the durable
 * commit it is compared with: draw requests over random future days and
 * organisations, the ping floor, a one-row WAL commit with
 * synchronous=FULL, sequential draws, and concurrent clients (blocking
 * client_call, or a raw DEALER keeping several requests in flight).
 */
#define _GNU_SOURCE 1   /* RUSAGE_THREAD */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <msgpack.h>
#include <sodium.h>
#include <zmq.h>

#include "bench.h"
#include "ident.h"
#include "proto.h"

/* ---- draw requests ---- */

/* A one-day task on a random day 1..days ahead, 09:00 CST, concerning a
 * random employer: spread so overlap does not exhaust the pool. */
void bench_load_task(const struct bench *b, uint64_t *rng, const char *specialty,
                     struct bench_task *t)
{
	int32_t day = b->today + 1 + (int32_t)(bench_rand(rng) % (uint64_t)b->o.days);
	t->start_at = (int64_t)day * BENCH_DAY - BENCH_CST_OFFSET + 9 * 3600;
	t->end_at = t->start_at + BENCH_DAY;
	t->start_day = ident_day_cst(t->start_at);
	t->end_day = ident_day_cst(t->end_at);
	t->org = b->orgs[bench_rand(rng) % b->n_orgs];
	t->specialty = specialty;
}

/* History (--history): busy organisations share half the tasks. */
#define BENCH_HISTORY_BUSY_ORGS 200

/* A task of the history phase, spread as real use would spread them: on
 * any day 1..days ahead; half concern one of BENCH_HISTORY_BUSY_ORGS
 * organisations (evenly spaced in the sorted employer codes), half any
 * employer; 1 in 200 lasts 7 days and 1 in 5000 as long as the daemon
 * allows (max_task_days, 31 by default), each still ending inside the
 * term; the rest one day. */
void bench_load_history_task(const struct bench *b, uint64_t *rng, struct bench_task *t)
{
	bench_load_task(b, rng, b->top.name, t);
	if (bench_rand(rng) % 2 == 0) {
		size_t busy = b->n_orgs < BENCH_HISTORY_BUSY_ORGS ? b->n_orgs
		                                                  : BENCH_HISTORY_BUSY_ORGS;
		t->org = b->orgs[bench_rand(rng) % busy * (b->n_orgs / busy)];
	}
	uint64_t r = bench_rand(rng) % 5000;
	int len = r == 0 ? b->max_task_days : r % 200 == 1 ? 7 : 1;
	if (len == 1)
		return;
	int span = b->o.days > len ? b->o.days - len + 1 : 1;
	int32_t day = b->today + 1 + (int32_t)(bench_rand(rng) % (uint64_t)span);
	t->start_at = (int64_t)day * BENCH_DAY - BENCH_CST_OFFSET + 9 * 3600;
	t->end_at = t->start_at + (int64_t)len * BENCH_DAY;
	t->start_day = ident_day_cst(t->start_at);
	t->end_day = ident_day_cst(t->end_at);
}

/* The draw's args map into pk. */
static void bench_load_pack_draw(const struct bench *b, msgpack_packer *pk,
                                 const struct bench_task *t)
{
	/* 32 random hex characters: a request id is time-ordered since
	 * draft 16, a nonce has no reason to be. */
	uint8_t raw[16];
	char nonce[2 * sizeof raw + 1];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(nonce, sizeof nonce, raw, sizeof raw);
	msgpack_pack_map(pk, 9);
	proto_pack_kv_str(pk, "kind", "review");
	proto_pack_kv_str(pk, "specialty", t->specialty);
	proto_pack_kv_int(pk, "members", b->o.members);
	proto_pack_kv_bool(pk, "leader", b->o.leader);
	proto_pack_kv_int(pk, "backups", b->o.backups);
	proto_pack_str(pk, "orgs");
	msgpack_pack_array(pk, 1);
	proto_pack_str(pk, t->org);
	proto_pack_kv_int(pk, "start", t->start_at);
	proto_pack_kv_int(pk, "end", t->end_at);
	proto_pack_kv_str(pk, "nonce", nonce);
}

/* Tally a draw reply; returns the candidate count or -1. */
static long bench_load_tally(struct bench_phase *ph, const struct proto_reply *rep)
{
	if (rep->status == PROTO_OK) {
		ph->ok++;
		int64_t c = rep->result ? proto_map_int(rep->result, "candidates", -1) : -1;
		if (c >= 0) {
			ph->cand_sum += (double)c;
			ph->cand_n++;
		}
		return (long)c;
	}
	if (rep->status == PROTO_E_INSUFFICIENT_CANDIDATES)
		ph->insufficient++;
	else if (ph->failed++ == 0)
		fprintf(stderr, "bench_draw: %s: %s: %s\n", ph->name, rep->status_name,
		        rep->message);
	return -1;
}

/* One draw through the client library; latency in ph. */
long bench_load_draw_once(const struct bench *b, struct client *c,
                          struct bench_phase *ph, const struct bench_task *t)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	struct proto_reply rep;
	char err[256];
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	bench_load_pack_draw(b, &pk, t);
	double t0 = bench_now();
	bool got = client_call(c, PROTO_OP_DRAW, NULL, sb.data, sb.size, &rep, err,
	                       sizeof err);
	double us = (bench_now() - t0) * 1e6;
	msgpack_sbuffer_destroy(&sb);
	if (!got)
		bench_die("%s: %s", ph->name, err);
	bench_push(&ph->lat, us);
	long cand = bench_load_tally(ph, &rep);
	proto_reply_release(&rep);
	return cand;
}

/* ---- phases: floor and baseline ---- */

/* One empty request; latency in ph, counted as ok. */
static void bench_load_ping_once(struct client *c, struct bench_phase *ph)
{
	struct proto_reply rep;
	char err[256];
	double t0 = bench_now();
	if (!client_call(c, PROTO_OP_PING, NULL, NULL, 0, &rep, err, sizeof err))
		bench_die("%s: %s", ph->name, err);
	bench_push(&ph->lat, (bench_now() - t0) * 1e6);
	if (rep.status == PROTO_OK)
		ph->ok++;
	else if (ph->failed++ == 0)
		fprintf(stderr, "bench_draw: %s: %s: %s\n", ph->name, rep.status_name,
		        rep.message);
	proto_reply_release(&rep);
}

void bench_load_ping(const struct bench *b, struct bench_phase *ph)
{
	struct client *c = bench_client(b, BENCH_CALL_TIMEOUT_MS, 0);
	struct proto_reply rep;
	char err[256];
	ph->name = "ping";
	double cpu = 0;
	for (int i = -100; i < b->o.ping_n; i++) { /* 100 warm-up calls */
		if (i == 0)
			cpu = bench_cpu_us(b->daemon);
		double t0 = bench_now();
		if (!client_call(c, PROTO_OP_PING, NULL, NULL, 0, &rep, err, sizeof err))
			bench_die("ping: %s", err);
		double us = (bench_now() - t0) * 1e6;
		proto_reply_release(&rep);
		if (i >= 0)
			bench_push(&ph->lat, us);
	}
	if (cpu >= 0 && b->o.ping_n > 0)   /* expertd's CPU per empty request */
		ph->cpu_us = (bench_cpu_us(b->daemon) - cpu) / b->o.ping_n;
	client_destroy(&c);
	for (size_t i = 0; i < ph->lat.n; i++)
		ph->wall_s += ph->lat.us[i] / 1e6;
	bench_phase_finish(ph);
}

/* One row per transaction into a WAL database with synchronous=FULL on the
 * daemon's disk: the cheapest durable write SQLite can make. With the
 * daemon on PostgreSQL, one row per transaction into the same server
 * (its own table), as libpq's autocommit makes it. */
struct bench_load_row_db {
	sqlite3 *db;
	sqlite3_stmt *st;
	PGconn *pg;
	const char *table;
};

static void bench_load_row_open_pg(const struct bench *b, const char *file,
                                   struct bench_load_row_db *r)
{
	char sql[256];
	r->table = strcmp(file, "commit.db") == 0 ? "bench_commit" : "bench_commit_mix";
	r->pg = PQconnectdb(b->o.store_url);
	if (PQstatus(r->pg) != CONNECTION_OK)
		bench_die("%s: %s", r->table, PQerrorMessage(r->pg));
	snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS %s; CREATE TABLE %s(id bigint"
	         " GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v bytea NOT NULL)",
	         r->table, r->table);
	PGresult *res = PQexec(r->pg, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		bench_die("%s: %s", r->table, PQerrorMessage(r->pg));
	PQclear(res);
}

static void bench_load_row_commit_pg(struct bench_load_row_db *r, struct bench_phase *ph,
                                     bool warmup)
{
	uint8_t row[64];
	char sql[128];
	randombytes_buf(row, sizeof row);
	const char *vals[1] = {(const char *)row};
	int lens[1] = {sizeof row}, fmts[1] = {1};
	snprintf(sql, sizeof sql, "INSERT INTO %s(v) VALUES ($1)", r->table);
	double t0 = bench_now();
	PGresult *res = PQexecParams(r->pg, sql, 1, NULL, vals, lens, fmts, 0);
	double us = (bench_now() - t0) * 1e6;
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		bench_die("%s: %s", ph->name, PQerrorMessage(r->pg));
	PQclear(res);
	if (!warmup)
		bench_push(&ph->lat, us);
}

static void bench_load_row_open(const struct bench *b, const char *file,
                                struct bench_load_row_db *r)
{
	char path[PATH_MAX + 16];
	*r = (struct bench_load_row_db){0};
	if (b->on_pg) {
		bench_load_row_open_pg(b, file, r);
		return;
	}
	bench_path(path, sizeof path, b, file);
	if (sqlite3_open(path, &r->db) != SQLITE_OK ||
	    sqlite3_exec(r->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	                 "CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB NOT NULL);",
	                 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(r->db, "INSERT INTO t(v) VALUES (?)", -1, &r->st,
	                       NULL) != SQLITE_OK)
		bench_die("%s: %s", file, r->db ? sqlite3_errmsg(r->db) : "?");
}

/* One durable one-row commit; its latency in ph unless warm-up. */
static void bench_load_row_commit(struct bench_load_row_db *r, struct bench_phase *ph,
                                  bool warmup)
{
	if (r->pg) {
		bench_load_row_commit_pg(r, ph, warmup);
		return;
	}
	uint8_t row[64];
	randombytes_buf(row, sizeof row);
	sqlite3_bind_blob(r->st, 1, row, sizeof row, SQLITE_STATIC);
	double t0 = bench_now();
	if (sqlite3_step(r->st) != SQLITE_DONE)
		bench_die("%s: %s", ph->name, sqlite3_errmsg(r->db));
	double us = (bench_now() - t0) * 1e6;
	sqlite3_reset(r->st);
	if (!warmup)
		bench_push(&ph->lat, us);
}

static void bench_load_row_close(struct bench_load_row_db *r)
{
	sqlite3_finalize(r->st);
	sqlite3_close(r->db);
	if (r->pg)
		PQfinish(r->pg);
}

/* This thread's CPU so far, user + system, in microseconds. */
static double bench_load_thread_cpu_us(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_THREAD, &ru) != 0)
		return -1;
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

void bench_load_commit(const struct bench *b, struct bench_phase *ph)
{
	struct bench_load_row_db r;
	ph->name = "commit";
	bench_load_row_open(b, "commit.db", &r);
	double cpu = 0;
	for (int i = -20; i < b->o.commit_n; i++) {
		if (i == 0)
			cpu = bench_load_thread_cpu_us();
		bench_load_row_commit(&r, ph, i < 0);
	}
	/* SQLite's and the kernel's CPU for one durable one-row commit (on
	 * PostgreSQL only the client's side: the server's is not seen). */
	if (cpu >= 0 && !r.pg)
		ph->cpu_us = (bench_load_thread_cpu_us() - cpu) / b->o.commit_n;
	bench_load_row_close(&r);
	for (size_t i = 0; i < ph->lat.n; i++)
		ph->wall_s += ph->lat.us[i] / 1e6;
	bench_phase_finish(ph);
}

/* ---- phases: draws ---- */

void bench_load_interleaved(const struct bench *b, struct bench_phase *ping,
                            struct bench_phase *commit, struct bench_phase *draw,
                            int n, uint64_t rng)
{
	struct client *c = bench_client(b, BENCH_CALL_TIMEOUT_MS, 0);
	struct bench_load_row_db r;
	ping->name = "mix_ping";
	commit->name = "mix_commit";
	draw->name = "mix_draw";
	bench_load_row_open(b, "commit-mix.db", &r);
	double t0 = bench_now(), stop = t0 + b->o.lat_s;
	for (int i = 0; i < n && bench_now() < stop; i++) {
		struct bench_task t;
		bench_load_ping_once(c, ping);
		bench_load_row_commit(&r, commit, false);
		bench_load_task(b, &rng, b->top.name, &t);
		bench_load_draw_once(b, c, draw, &t);
	}
	bench_load_row_close(&r);
	client_destroy(&c);
	struct bench_phase *all[] = {ping, commit, draw};
	for (int k = 0; k < 3; k++) {
		for (size_t i = 0; i < all[k]->lat.n; i++)
			all[k]->wall_s += all[k]->lat.us[i] / 1e6;
		bench_phase_finish(all[k]);
	}
}

void bench_load_sequential(const struct bench *b, struct bench_phase *ph,
                           const char *name, const char *specialty, int n,
                           uint64_t rng)
{
	struct client *c = bench_client(b, BENCH_CALL_TIMEOUT_MS, 0);
	ph->name = name;
	double t0 = bench_now(), stop = t0 + b->o.lat_s;
	for (int i = 0; i < n && bench_now() < stop; i++) {
		struct bench_task t;
		bench_load_task(b, &rng, specialty, &t);
		bench_load_draw_once(b, c, ph, &t);
	}
	ph->wall_s = bench_now() - t0;
	client_destroy(&c);
	bench_phase_finish(ph);
}

/* One client of a throughput phase. */
struct bench_load_worker {
	const struct bench *b;
	int index, inflight;
	enum bench_load_kind kind;
	long quota;               /* requests to send */
	double deadline;          /* stop sending after this (bench_now()) */
	pthread_barrier_t *start;
	struct bench_phase ph;    /* this worker's share */
	double done_at;
};

/* The next draw's task: the phase's kind says which generator. */
static void bench_load_next_task(const struct bench_load_worker *w, uint64_t *rng,
                                 struct bench_task *t)
{
	if (w->kind == BENCH_LOAD_HISTORY)
		bench_load_history_task(w->b, rng, t);
	else
		bench_load_task(w->b, rng, w->b->top.name, t);
}

/* Blocking client_call: one request in flight. */
static void bench_load_worker_calls(struct bench_load_worker *w, uint64_t *rng)
{
	struct client *c = bench_client(w->b, BENCH_CALL_TIMEOUT_MS, 0);
	for (long i = 0; i < w->quota && bench_now() < w->deadline; i++) {
		if (w->kind == BENCH_LOAD_PING) {
			bench_load_ping_once(c, &w->ph);
			continue;
		}
		struct bench_task t;
		bench_load_next_task(w, rng, &t);
		bench_load_draw_once(w->b, c, &w->ph, &t);
	}
	client_destroy(&c);
}

/* A pipelined worker's socket and its requests in flight. */
struct bench_load_pipe {
	struct bench_load_worker *w;
	uint64_t *rng;
	void *sock;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	double sent_at[BENCH_MAX_INFLIGHT];
	long sent, received;
};

/* Send a fresh draw in slot s; its id "<tag>[h]-<worker>-<slot>-<n>" names
 * the slot, so the reply finds its send time. */
static void bench_load_pipe_send(struct bench_load_pipe *p, int s)
{
	char id[64];
	struct bench_task t;
	const struct bench *b = p->w->b;
	/* The history phase's ids differ from draw8p's by a letter in the tag. */
	snprintf(id, sizeof id, "%s%s-%d-%d-%ld", b->runtag,
	         p->w->kind == BENCH_LOAD_HISTORY ? "h" : "", p->w->index, s, p->sent);
	bench_load_next_task(p->w, p->rng, &t);
	msgpack_sbuffer_clear(&p->sb);
	proto_pack_request_head(&p->pk, id, PROTO_OP_DRAW);
	bench_load_pack_draw(b, &p->pk, &t);
	p->sent_at[s] = bench_now();
	if (zmq_send(p->sock, "", 0, ZMQ_SNDMORE) < 0 ||
	    zmq_send(p->sock, p->sb.data, p->sb.size, 0) < 0)
		bench_die("send: %s", zmq_strerror(zmq_errno()));
	p->sent++;
}

/* Receive one [empty][body] reply and tally it; returns its slot. */
static int bench_load_pipe_receive(struct bench_load_pipe *p)
{
	struct bench_phase *ph = &p->w->ph;
	zmq_pollitem_t item = {p->sock, 0, ZMQ_POLLIN, 0};
	if (zmq_poll(&item, 1, BENCH_CALL_TIMEOUT_MS) <= 0)
		bench_die("%s: no reply within %d ms", ph->name, BENCH_CALL_TIMEOUT_MS);
	zmq_msg_t part;
	zmq_msg_init(&part);
	if (zmq_msg_recv(&part, p->sock, 0) < 0 || zmq_msg_size(&part) != 0 ||
	    !zmq_msg_more(&part))
		bench_die("%s: a reply without the empty delimiter", ph->name);
	zmq_msg_close(&part);
	zmq_msg_init(&part);
	if (zmq_msg_recv(&part, p->sock, 0) < 0)
		bench_die("recv: %s", zmq_strerror(zmq_errno()));
	double now = bench_now();
	struct proto_reply rep;
	struct proto_error perr;
	if (!proto_decode_reply(zmq_msg_data(&part), zmq_msg_size(&part), &rep, &perr))
		bench_die("%s: malformed reply: %s", ph->name, perr.message);
	zmq_msg_close(&part);
	const char *dash = strchr(rep.id, '-');
	dash = dash ? strchr(dash + 1, '-') : NULL;
	int s = dash ? atoi(dash + 1) : -1;
	if (s < 0 || s >= p->w->inflight)
		bench_die("%s: a reply to an unknown id '%s'", ph->name, rep.id);
	bench_push(&ph->lat, (now - p->sent_at[s]) * 1e6);
	bench_load_tally(ph, &rep);
	proto_reply_release(&rep);
	p->received++;
	return s;
}

/*
 * Pipelined: a raw DEALER socket with the client library's envelope
 * ([empty][proto_pack_request_head + args]) keeping `inflight` requests
 * outstanding; each reply's slot is refilled at once.
 */
static void bench_load_worker_pipelined(struct bench_load_worker *w, uint64_t *rng)
{
	struct bench_load_pipe p = {.w = w, .rng = rng};
	void *ctx = zmq_ctx_new();
	int zero = 0;
	p.sock = zmq_socket(ctx, ZMQ_DEALER);
	zmq_setsockopt(p.sock, ZMQ_LINGER, &zero, sizeof zero);
	if (zmq_connect(p.sock, w->b->endpoint) != 0)
		bench_die("connect: %s", zmq_strerror(zmq_errno()));
	msgpack_sbuffer_init(&p.sb);
	msgpack_packer_init(&p.pk, &p.sb, msgpack_sbuffer_write);
	for (int s = 0; s < w->inflight && p.sent < w->quota; s++)
		bench_load_pipe_send(&p, s);
	while (p.received < p.sent) {
		int s = bench_load_pipe_receive(&p);
		if (p.sent < w->quota && bench_now() < w->deadline)
			bench_load_pipe_send(&p, s);
	}
	msgpack_sbuffer_destroy(&p.sb);
	zmq_close(p.sock);
	zmq_ctx_term(ctx);
}

static void *bench_load_worker_main(void *arg)
{
	struct bench_load_worker *w = arg;
	uint64_t rng = w->b->o.seed * 1000003u + 7919u * (uint64_t)(w->index + 1) +
	               (uint64_t)w->inflight + 104729u * (uint64_t)w->kind;
	pthread_barrier_wait(w->start);
	if (w->inflight == 1)
		bench_load_worker_calls(w, &rng);
	else
		bench_load_worker_pipelined(w, &rng);
	w->done_at = bench_now();
	return NULL;
}

void bench_load_perf_start(const struct bench *b, const char *phase,
                                  struct bench_load_perf *p)
{
	p->stat = p->record = 0;
	if (!b->o.perf_dir[0])
		return;
	char pid[16], out_stat[PATH_MAX + 64], out_rec[PATH_MAX + 64], log[PATH_MAX + 64];
	snprintf(pid, sizeof pid, "%d", (int)b->daemon);
	snprintf(out_stat, sizeof out_stat, "%s/%s.stat.txt", b->o.perf_dir, phase);
	snprintf(out_rec, sizeof out_rec, "%s/%s.perf.data", b->o.perf_dir, phase);
	snprintf(log, sizeof log, "%s/perf.log", b->o.perf_dir);
	char *stat_argv[] = {"/usr/bin/perf", "stat", "-d", "-p", pid, "-o", out_stat, NULL};
	/* DWARF call graphs: the release build keeps no frame pointers. */
	char *rec_argv[] = {"/usr/bin/perf", "record", "-F", "199", "--call-graph",
	                    "dwarf,16384", "-p", pid, "-o", out_rec, NULL};
	p->stat = bench_spawn(stat_argv, log);
	p->record = bench_spawn(rec_argv, log);
	usleep(500000); /* let perf attach before the load starts */
}

void bench_load_perf_stop(struct bench_load_perf *p)
{
	if (p->stat > 0) {
		kill(p->stat, SIGINT);
		bench_wait(p->stat);
	}
	if (p->record > 0) {
		kill(p->record, SIGINT);
		bench_wait(p->record);
	}
}

void bench_load_throughput(const struct bench *b, struct bench_phase *ph,
                           const char *name, int inflight, enum bench_load_kind kind)
{
	bool ping = kind == BENCH_LOAD_PING;
	long quota = kind == BENCH_LOAD_HISTORY ? b->o.history : b->o.tput_n;
	/* History has no time cap: the point is the tasks it leaves. */
	double secs = kind == BENCH_LOAD_HISTORY ? 1e9 : b->o.tput_s;
	int n = b->o.threads;
	struct bench_load_worker *w = calloc((size_t)n, sizeof *w);
	pthread_t *th = calloc((size_t)n, sizeof *th);
	pthread_barrier_t start;
	struct bench_load_perf perf;
	if (!w || !th)
		bench_die("out of memory");
	ph->name = name;
	perf.stat = perf.record = 0;
	if (kind != BENCH_LOAD_HISTORY)   /* draw1_hist is profiled instead */
		bench_load_perf_start(b, name, &perf);
	pthread_barrier_init(&start, NULL, (unsigned)n + 1);
	double deadline = bench_now() + secs;
	for (int i = 0; i < n; i++) {
		w[i] = (struct bench_load_worker){
			.b = b, .index = i, .inflight = ping ? 1 : inflight, .kind = kind,
			.quota = quota / n + (i < quota % n),
			.deadline = deadline, .start = &start};
		w[i].ph.name = name;
		if (pthread_create(&th[i], NULL, bench_load_worker_main, &w[i]) != 0)
			bench_die("pthread_create failed");
	}
	pthread_barrier_wait(&start);
	double t0 = bench_now(), end = t0;
	for (int i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		struct bench_phase *p = &w[i].ph;
		for (size_t k = 0; k < p->lat.n; k++)
			bench_push(&ph->lat, p->lat.us[k]);
		ph->ok += p->ok;
		ph->insufficient += p->insufficient;
		ph->failed += p->failed;
		ph->cand_sum += p->cand_sum;
		ph->cand_n += p->cand_n;
		free(p->lat.us);
		if (w[i].done_at > end)
			end = w[i].done_at;
	}
	bench_load_perf_stop(&perf);
	ph->wall_s = end - t0;
	pthread_barrier_destroy(&start);
	free(w);
	free(th);
	bench_phase_finish(ph);
}

