/*
 * bench_live.c - the two figures of issue #14 that need the daemon itself
 * stopped, started or busy with something else than draws:
 *
 *  - start-up (goal 6): expertd stopped and started again on the imported
 *    pool; its CPU time (every thread, /proc/PID/stat) from exec to the
 *    first answered ping, which is where it tells systemd READY=1;
 *  - a live import (goal 5): a second roster imported through the real
 *    expertctl while one thread pings the daemon on a fixed schedule and
 *    another draws, one request at a time. The pings are sent open-loop
 *    (every BENCH_LIVE_PING_MS whether or not the last one was answered)
 *    and each is timed from its send, so a stalled loop shows as many late
 *    pings, not as one slow sample. The import's commit window runs from
 *    the moment every row is staged (the store's import row count) to
 *    expertctl's exit.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <msgpack.h>
#include <zmq.h>

#include "bench.h"
#include "proto.h"

#define BENCH_LIVE_PING_MS 20
/* After the import, pings still unanswered when none has come back for
 * this long are lost (a ROUTER drops replies past its high-water mark). */
#define BENCH_LIVE_QUIET_S 30.0

void bench_live_startup(struct bench *b, double *cpu_us, double *wall_s)
{
	printf("phase: start-up, expertd stopped and started on %ld experts\n",
	       b->o.count);
	bench_setup_stop_daemon(b);
	double t0 = bench_now();
	bench_setup_start_daemon(b);
	*wall_s = bench_now() - t0;
	/* Threads that ran at start-up and ended count in stat's ticks only. */
	double live = bench_cpu_us(b->daemon), all = bench_cpu_us_ticks(b->daemon);
	*cpu_us = all > live ? all : live;
	printf("start-up: ready in %.2f s wall, %.0f ms of expertd CPU, VmRSS %ld KiB\n",
	       *wall_s, *cpu_us / 1000.0, bench_rss_kb(b->daemon));
}

/* The open-loop pinger: its sends, by sequence number, and their replies. */
struct bench_live_pinger {
	const struct bench *b;
	atomic_bool stop;
	double *sent_at, *lat_us;   /* lat_us < 0: not answered yet */
	size_t n, cap;
	long failed;                /* answered, but not ok (busy, ...) */
	long lost;                  /* never answered */
};

/* Pings never answered: lost, each counted as late as the wait lasted
 * (a lower bound, so that they weigh in the percentiles). */
static void bench_live_ping_lost(struct bench_live_pinger *p, double now)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->lat_us[i] < 0) {
			p->lat_us[i] = (now - p->sent_at[i]) * 1e6;
			p->lost++;
		}
	if (p->lost)
		fprintf(stderr, "bench_draw: live ping: %ld pings never answered\n", p->lost);
}

static void bench_live_ping_send(struct bench_live_pinger *p, void *sock,
                                 msgpack_sbuffer *sb, msgpack_packer *pk)
{
	char id[32];
	if (p->n == p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 4096;
		p->sent_at = realloc(p->sent_at, nc * sizeof *p->sent_at);
		p->lat_us = realloc(p->lat_us, nc * sizeof *p->lat_us);
		if (!p->sent_at || !p->lat_us)
			bench_die("out of memory");
		p->cap = nc;
	}
	snprintf(id, sizeof id, "live-%zu", p->n);
	msgpack_sbuffer_clear(sb);
	proto_pack_request_head(pk, id, PROTO_OP_PING);
	msgpack_pack_map(pk, 0);
	p->sent_at[p->n] = bench_now();
	p->lat_us[p->n] = -1;
	if (zmq_send(sock, "", 0, ZMQ_SNDMORE) < 0 ||
	    zmq_send(sock, sb->data, sb->size, 0) < 0)
		bench_die("live ping send: %s", zmq_strerror(zmq_errno()));
	p->n++;
}

/* One [empty][reply] off sock, matched to its send by the id's number. */
static void bench_live_ping_receive(struct bench_live_pinger *p, void *sock)
{
	zmq_msg_t part;
	zmq_msg_init(&part);
	if (zmq_msg_recv(&part, sock, 0) < 0 || zmq_msg_size(&part) != 0 ||
	    !zmq_msg_more(&part))
		bench_die("live ping: a reply without the empty delimiter");
	zmq_msg_close(&part);
	zmq_msg_init(&part);
	if (zmq_msg_recv(&part, sock, 0) < 0)
		bench_die("live ping recv: %s", zmq_strerror(zmq_errno()));
	double now = bench_now();
	struct proto_reply rep;
	struct proto_error perr;
	if (!proto_decode_reply(zmq_msg_data(&part), zmq_msg_size(&part), &rep, &perr))
		bench_die("live ping: malformed reply: %s", perr.message);
	zmq_msg_close(&part);
	size_t k = strncmp(rep.id, "live-", 5) == 0 ? strtoul(rep.id + 5, NULL, 10) : SIZE_MAX;
	if (k >= p->n)
		bench_die("live ping: a reply to an unknown id '%s'", rep.id);
	p->lat_us[k] = (now - p->sent_at[k]) * 1e6;
	if (rep.status != PROTO_OK && p->failed++ == 0)
		fprintf(stderr, "bench_draw: live ping: %s: %s\n", rep.status_name, rep.message);
	proto_reply_release(&rep);
}

static void *bench_live_pinger_main(void *arg)
{
	struct bench_live_pinger *p = arg;
	void *ctx = zmq_ctx_new();
	void *sock = zmq_socket(ctx, ZMQ_DEALER);
	int zero = 0;   /* queue every ping while the daemon does not read */
	zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero);
	zmq_setsockopt(sock, ZMQ_SNDHWM, &zero, sizeof zero);
	zmq_setsockopt(sock, ZMQ_RCVHWM, &zero, sizeof zero);
	if (zmq_connect(sock, p->b->endpoint) != 0)
		bench_die("live ping connect: %s", zmq_strerror(zmq_errno()));
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	size_t answered = 0;
	double next = bench_now(), last_reply = next;
	for (;;) {
		double now = bench_now();
		if (!atomic_load(&p->stop) && now >= next) {
			bench_live_ping_send(p, sock, &sb, &pk);
			next += BENCH_LIVE_PING_MS / 1000.0;
			continue;
		}
		if (atomic_load(&p->stop) && answered == p->n)
			break;
		if (atomic_load(&p->stop) && now - last_reply > BENCH_LIVE_QUIET_S) {
			bench_live_ping_lost(p, now);
			break;
		}
		zmq_pollitem_t item = {sock, 0, ZMQ_POLLIN, 0};
		long wait_ms = (long)((next - now) * 1000.0) + 1;
		if (zmq_poll(&item, 1, wait_ms < 1 ? 1 : wait_ms > 100 ? 100 : wait_ms) > 0) {
			bench_live_ping_receive(p, sock);
			answered++;
			last_reply = bench_now();
		}
	}
	msgpack_sbuffer_destroy(&sb);
	zmq_close(sock);
	zmq_ctx_term(ctx);
	return NULL;
}

/* The drawer: one client, draws on the top specialty from the moment the
 * commit begins (draws during the staging would only slow it) until told
 * to stop. */
struct bench_live_drawer {
	const struct bench *b;
	atomic_bool go, stop;
	struct bench_phase ph;
	double longest_gap_s;       /* between two answered draws */
};

static void *bench_live_drawer_main(void *arg)
{
	struct bench_live_drawer *d = arg;
	struct client *c = bench_client(d->b, BENCH_CALL_TIMEOUT_MS * 5, 0);
	uint64_t rng = d->b->o.seed * 31 + 8;
	while (!atomic_load(&d->go) && !atomic_load(&d->stop))
		usleep(10000);
	double last = bench_now();
	while (!atomic_load(&d->stop)) {
		struct bench_task t;
		bench_load_task(d->b, &rng, d->b->top.name, &t);
		bench_load_draw_once(d->b, c, &d->ph, &t);
		double now = bench_now();
		if (now - last > d->longest_gap_s)
			d->longest_gap_s = now - last;
		last = now;
	}
	client_destroy(&c);
	return NULL;
}

/* Pings sent in [from, to] (bench_now() times) into ph, as samples. */
static void bench_live_window(const struct bench_live_pinger *p, double from, double to,
                              struct bench_phase *ph, const char *name)
{
	ph->name = name;
	for (size_t i = 0; i < p->n; i++)
		if (p->sent_at[i] >= from && p->sent_at[i] <= to) {
			bench_push(&ph->lat, p->lat_us[i]);
			ph->ok++;
		}
	ph->wall_s = to - from;
	bench_phase_finish(ph);
}

/* Run expertctl pool import on roster; *commit_at gets the moment the
 * store held every row staged (0 if never seen), *end when it exited. */
static void bench_live_run_import(const struct bench *b, const char *roster, long rows,
                                  atomic_bool *committing, double *commit_at,
                                  double *end)
{
	char tool[PATH_MAX + 64];
	bench_tool(tool, sizeof tool, b, "clients/expertctl");
	/* --skip-invalid: a resident ID the first roster also drew under
	 * another name is an identity clash, left out rather than failing. */
	char *argv[] = {tool, "--endpoint", (char *)b->endpoint, "--timeout", "3600000",
	                "pool", "import", "--appointed", "--skip-invalid", (char *)roster,
	                NULL};
	pid_t pid = bench_spawn(argv, b->log);
	int st = 0;
	*commit_at = 0;
	double next = bench_now() + 5;
	for (;;) {   /* a 100 ms step: the store is read, not hammered */
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			bench_die("waitpid: %s", strerror(errno));
		if (*commit_at == 0 && bench_setup_import_staged(b) >= rows) {
			*commit_at = bench_now();
			atomic_store(committing, true);
		}
		if (bench_now() >= next) {
			printf("live import: %s\n", *commit_at ? "committing" : "staging");
			next += 5;
		}
		usleep(100000);
	}
	*end = bench_now();
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		bench_show_log(b->log);
		bench_die("expertctl pool import (live) failed");
	}
}

void bench_live_import(const struct bench *b, struct bench_live *out)
{
	long rows = b->o.live_import;
	char roster[PATH_MAX + 16];
	bench_path(roster, sizeof roster, b, "roster-live.csv");
	bench_setup_generate_rows(b, roster, rows, b->o.seed + 1000);
	printf("phase: live import of %ld rows, pings every %d ms and 1 client drawing\n",
	       rows, BENCH_LIVE_PING_MS);
	/* Each shared with its thread until joined. */
	struct bench_live_pinger *p = calloc(1, sizeof *p);
	struct bench_live_drawer *d = calloc(1, sizeof *d);
	if (!p || !d)
		bench_die("out of memory");
	p->b = d->b = b;
	d->ph.name = "live_draw";
	pthread_t tp, td;
	if (pthread_create(&tp, NULL, bench_live_pinger_main, p) != 0 ||
	    pthread_create(&td, NULL, bench_live_drawer_main, d) != 0)
		bench_die("pthread_create failed");
	double t0 = bench_now(), commit_at, end;
	if (b->on_pg)   /* the commit is not seen: draw throughout */
		atomic_store(&d->go, true);
	bench_live_run_import(b, roster, rows, &d->go, &commit_at, &end);
	atomic_store(&d->stop, true);
	atomic_store(&p->stop, true);
	pthread_join(td, NULL);
	pthread_join(tp, NULL);
	out->import_s = end - t0;
	out->commit_s = commit_at ? end - commit_at : -1;
	bench_live_window(p, t0, end, &out->ping, "live_ping");
	if (commit_at)
		bench_live_window(p, commit_at, end, &out->ping_commit, "live_ping_commit");
	d->ph.wall_s = end - (commit_at ? commit_at : t0);
	bench_phase_finish(&d->ph);
	out->draw = d->ph;
	out->draw_gap_s = d->longest_gap_s;
	out->ping_failed = p->failed;
	out->ping_lost = p->lost;
	printf("live import: %ld rows in %.1f s (commit %.1f s); pings %zu, p99 %.1f ms, "
	       "max %.1f ms, %ld not ok, %ld never answered (in the commit: %zu, p99 %.1f "
	       "ms); draws %ld ok, %ld insufficient, %ld failed, longest wait %.2f s\n", rows,
	       out->import_s, out->commit_s, out->ping.lat.n, out->ping.p99 / 1000,
	       out->ping.max / 1000, out->ping_failed, out->ping_lost,
	       out->ping_commit.lat.n, out->ping_commit.p99 / 1000, out->draw.ok,
	       out->draw.insufficient, out->draw.failed, out->draw_gap_s);
	free(p->sent_at);
	free(p->lat_us);
	free(p);
	free(d);
}
