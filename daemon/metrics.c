/*
 * metrics.c - Prometheus text exposition of the daemon's counters.
 */
#include <string.h>

#include <event2/buffer.h>

#include "metrics.h"

/* Seconds: from 100 us to 10 s. */
static const double latency_bounds[METRICS_BUCKETS] = {
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
	0.1, 0.25, 0.5, 1, 10};
/* Requests per batch. */
static const double batch_bounds[METRICS_BUCKETS] = {
	1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 10000};

static const char *const status_labels[4] = {"active", "suspended", "flagged",
                                             "revoked"};

void metrics_init(struct metrics *m)
{
	memset(m, 0, sizeof *m);
}

static void observe(struct metrics_histogram *h, const double *bounds, double v)
{
	int i = 0;
	while (i < METRICS_BUCKETS && v > bounds[i])
		i++;
	h->counts[i]++;
	h->sum += v;
	h->n++;
}

void metrics_count(struct metrics *m, int op, int status)
{
	int row = (op >= 0 && op < PROTO_OP__COUNT) ? op : PROTO_OP__COUNT;
	if (status >= 0 && status < PROTO_STATUS__COUNT)
		m->requests[row][status]++;
}

void metrics_request(struct metrics *m, int op, int status, double seconds)
{
	metrics_count(m, op, status);
	observe(&m->request_seconds, latency_bounds, seconds);
}

void metrics_commit(struct metrics *m, double seconds, size_t batch, int ok)
{
	observe(&m->commit_seconds, latency_bounds, seconds);
	observe(&m->batch_size, batch_bounds, (double)batch);
	if (!ok)
		m->commits_failed++;
}

static void render_histogram(struct evbuffer *out, const char *name,
                             const char *help, const struct metrics_histogram *h,
                             const double *bounds)
{
	evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
	uint64_t cum = 0;
	for (int i = 0; i < METRICS_BUCKETS; i++) {
		cum += h->counts[i];
		evbuffer_add_printf(out, "%s_bucket{le=\"%g\"} %llu\n", name, bounds[i],
		                    (unsigned long long)cum);
	}
	cum += h->counts[METRICS_BUCKETS];
	evbuffer_add_printf(out, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.9f\n"
	                    "%s_count %llu\n", name, (unsigned long long)cum, name,
	                    h->sum, name, (unsigned long long)h->n);
}

static void render_requests(const struct metrics *m, struct evbuffer *out)
{
	evbuffer_add_printf(out,
	        "# HELP expertd_requests_total Requests answered, by operation and result.\n"
	        "# TYPE expertd_requests_total counter\n");
	for (int op = 0; op <= PROTO_OP__COUNT; op++)
		for (int st = 0; st < PROTO_STATUS__COUNT; st++)
			if (m->requests[op][st])
				evbuffer_add_printf(out,
				        "expertd_requests_total{op=\"%s\",result=\"%s\"} %llu\n",
				        op < PROTO_OP__COUNT ? proto_op_name(op) : "undecoded",
				        proto_status_name(st),
				        (unsigned long long)m->requests[op][st]);
	evbuffer_add_printf(out,
	        "# HELP expertd_draws_total Draw attempts, by result.\n"
	        "# TYPE expertd_draws_total counter\n");
	static const int draw_ops[] = {PROTO_OP_DRAW, PROTO_OP_DRAW_REDRAW};
	uint64_t ok = 0, short_ = 0, other = 0;
	for (size_t i = 0; i < sizeof draw_ops / sizeof draw_ops[0]; i++)
		for (int st = 0; st < PROTO_STATUS__COUNT; st++) {
			uint64_t n = m->requests[draw_ops[i]][st];
			if (st == PROTO_OK)
				ok += n;
			else if (st == PROTO_E_INSUFFICIENT_CANDIDATES)
				short_ += n;
			else
				other += n;
		}
	evbuffer_add_printf(out, "expertd_draws_total{result=\"ok\"} %llu\n"
	                    "expertd_draws_total{result=\"insufficient_candidates\"} %llu\n"
	                    "expertd_draws_total{result=\"refused\"} %llu\n",
	                    (unsigned long long)ok, (unsigned long long)short_,
	                    (unsigned long long)other);
}

static const char *const metrics_endpoints[2] = {"request", "answer"};

/* Each endpoint's queue of pending requests (PROTOCOL.md 6.5). */
static void metrics_render_queue(const struct metrics *m, struct evbuffer *out)
{
	evbuffer_add_printf(out,
	        "# HELP expertd_requests_pending Requests received and not yet run, "
	        "by endpoint.\n"
	        "# TYPE expertd_requests_pending gauge\n");
	for (int i = 0; i < 2; i++)
		evbuffer_add_printf(out, "expertd_requests_pending{endpoint=\"%s\"} %d\n",
		                    metrics_endpoints[i], m->pending[i]);
	evbuffer_add_printf(out,
	        "# HELP expertd_busy_total Requests answered busy because the "
	        "endpoint's queue was full.\n"
	        "# TYPE expertd_busy_total counter\n");
	for (int i = 0; i < 2; i++)
		evbuffer_add_printf(out, "expertd_busy_total{endpoint=\"%s\"} %llu\n",
		                    metrics_endpoints[i], (unsigned long long)m->busy[i]);
}

/* Each endpoint's connection budget (conn_budget.h). */
static void metrics_render_connections(const struct metrics_gauges *g,
                                       struct evbuffer *out)
{
	const char *const *endpoints = metrics_endpoints;
	evbuffer_add_printf(out,
	        "# HELP expertd_connections Connections open, by endpoint.\n"
	        "# TYPE expertd_connections gauge\n");
	for (int i = 0; i < 2; i++)
		evbuffer_add_printf(out, "expertd_connections{endpoint=\"%s\"} %d\n",
		                    endpoints[i], g->connections[i]);
	evbuffer_add_printf(out,
	        "# HELP expertd_connection_budget Connections an endpoint accepts at most.\n"
	        "# TYPE expertd_connection_budget gauge\n");
	for (int i = 0; i < 2; i++)
		evbuffer_add_printf(out, "expertd_connection_budget{endpoint=\"%s\"} %d\n",
		                    endpoints[i], g->connection_budget[i]);
	evbuffer_add_printf(out,
	        "# HELP expertd_connections_refused_total Connections shut at once because "
	        "the endpoint's budget was full.\n"
	        "# TYPE expertd_connections_refused_total counter\n");
	for (int i = 0; i < 2; i++)
		evbuffer_add_printf(out,
		                    "expertd_connections_refused_total{endpoint=\"%s\"} %llu\n",
		                    endpoints[i], (unsigned long long)g->connections_refused[i]);
}

void metrics_render(const struct metrics *m, const struct metrics_gauges *g,
                    struct evbuffer *out)
{
	render_requests(m, out);
	render_histogram(out, "expertd_request_duration_seconds",
	                 "Time from receiving a request to sending its reply.",
	                 &m->request_seconds, latency_bounds);
	render_histogram(out, "expertd_commit_duration_seconds",
	                 "Time of one group COMMIT.", &m->commit_seconds,
	                 latency_bounds);
	render_histogram(out, "expertd_batch_requests",
	                 "Requests applied per group commit.", &m->batch_size,
	                 batch_bounds);
	evbuffer_add_printf(out,
	        "# HELP expertd_commit_failures_total Group commits that failed.\n"
	        "# TYPE expertd_commit_failures_total counter\n"
	        "expertd_commit_failures_total %llu\n",
	        (unsigned long long)m->commits_failed);
	evbuffer_add_printf(out,
	        "# HELP expertd_experts Experts in the pool, by status.\n"
	        "# TYPE expertd_experts gauge\n");
	for (int i = 0; i < 4; i++)
		evbuffer_add_printf(out, "expertd_experts{status=\"%s\"} %llu\n",
		                    status_labels[i],
		                    (unsigned long long)g->experts_by_status[i]);
	evbuffer_add_printf(out,
	        "# HELP expertd_flagged_experts Experts flagged for repeated declines.\n"
	        "# TYPE expertd_flagged_experts gauge\n"
	        "expertd_flagged_experts %llu\n"
	        "# HELP expertd_tasks Tasks created by draws.\n"
	        "# TYPE expertd_tasks gauge\n"
	        "expertd_tasks %llu\n"
	        "# HELP expertd_auth_failures_total Handshakes refused by the ZAP handler.\n"
	        "# TYPE expertd_auth_failures_total counter\n"
	        "expertd_auth_failures_total %lu\n"
	        "# HELP expertd_audit_log_entries Entries in the audit log.\n"
	        "# TYPE expertd_audit_log_entries gauge\n"
	        "expertd_audit_log_entries %lld\n",
	        (unsigned long long)g->experts_by_status[2],
	        (unsigned long long)g->tasks, g->auth_failures,
	        (long long)g->audit_entries);
	metrics_render_connections(g, out);
	metrics_render_queue(m, out);
	evbuffer_add_printf(out,
	        "# HELP expertd_token_failures_total Invalid tokens presented on the "
	        "answer endpoint.\n"
	        "# TYPE expertd_token_failures_total counter\n"
	        "expertd_token_failures_total %llu\n",
	        (unsigned long long)m->token_failures);
	if (!g->seats_known)
		return;
	evbuffer_add_printf(out,
	        "# HELP expertd_assignments Seats of drawn panels, by state.\n"
	        "# TYPE expertd_assignments gauge\n");
	for (int i = 0; i < METRICS_ASSIGN_STATES; i++)
		evbuffer_add_printf(out, "expertd_assignments{state=\"%s\"} %lld\n",
		                    proto_assignment_states[i], (long long)g->assignments[i]);
	evbuffer_add_printf(out,
	        "# HELP expertd_tasks_by_fill Tasks by fill state.\n"
	        "# TYPE expertd_tasks_by_fill gauge\n");
	for (int i = 0; i < METRICS_TASK_FILLS; i++)
		evbuffer_add_printf(out, "expertd_tasks_by_fill{fill=\"%s\"} %lld\n",
		                    proto_fill_states[i], (long long)g->task_fills[i]);
}
