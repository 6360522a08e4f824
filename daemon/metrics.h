/*
 * metrics.h - counters and histograms of what the daemon does, rendered in
 * the Prometheus text format (expertd_ prefix). Updated from the event loop
 * only, so no locking. Gauges that describe state (pool by status, audit
 * log length) are computed by the caller at scrape time.
 */
#ifndef EXPERTD_METRICS_H
#define EXPERTD_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/buffer.h>

#include "proto.h"

#define METRICS_BUCKETS 14
#define METRICS_ASSIGN_STATES 9
#define METRICS_TASK_FILLS 4

struct metrics_histogram {
	uint64_t counts[METRICS_BUCKETS + 1]; /* last: +Inf */
	double sum;
	uint64_t n;
};

struct metrics {
	uint64_t requests[PROTO_OP__COUNT + 1][PROTO_STATUS__COUNT]; /* [op or undecoded] */
	struct metrics_histogram request_seconds;
	struct metrics_histogram commit_seconds;
	struct metrics_histogram batch_size;
	uint64_t commits_failed;
	uint64_t token_failures;         /* invalid tokens on the answer endpoint */
	/* Per endpoint, request then answer (PROTOCOL.md 6.5): requests
	 * answered busy, and requests received but not yet run. */
	uint64_t busy[2];
	int pending[2];
};

/* State sampled at scrape time. */
struct metrics_gauges {
	uint64_t experts_by_status[4];   /* enum expert_status order */
	int64_t audit_entries;
	unsigned long auth_failures;
	uint64_t tasks;
	/* Seats by state (proto_assignment_states) and tasks by fill
	 * (proto_fill_states); negative when the store cannot be read. */
	int64_t assignments[METRICS_ASSIGN_STATES];
	int64_t task_fills[METRICS_TASK_FILLS];
	bool seats_known;
	/* Per endpoint, request then answer (conn_budget.h). */
	int connections[2], connection_budget[2];
	uint64_t connections_refused[2];
};

void metrics_init(struct metrics *m);
/* op < 0: the request could not be decoded. */
void metrics_request(struct metrics *m, int op, int status, double seconds);
/* Count a request answered without running (busy) and without a
 * duration, which would only flatter the latency histogram. */
void metrics_count(struct metrics *m, int op, int status);
void metrics_commit(struct metrics *m, double seconds, size_t batch, int ok);
void metrics_render(const struct metrics *m, const struct metrics_gauges *g,
                    struct evbuffer *out);

#endif
