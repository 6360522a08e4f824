/*
 * ops.h - the console's requests to expertd over the operator's CURVE
 * connection (client.h): the log for catch-up (audit.entries), and what
 * the overview shows (stats, task.list, flagged.list, pool.show), each
 * turned into the JSON the page and its script read. Nothing here reads
 * the database; names are masked as the daemon masks them (POLICY.md
 * 5.1) and nothing else personal is passed on. The calls block the event
 * loop for at most the client's timeout; they are made when a browser
 * asks, never on a timer.
 */
#ifndef EXPERTD_CONSOLE_OPS_H
#define EXPERTD_CONSOLE_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "client.h"

/* Most entries one audit.entries page holds (PROTOCOL.md 7.11.1). */
#define OPS_PAGE 1000

struct ops;

/* NULL with err set (bad key file or endpoint). */
struct ops *ops_new(const struct client_options *opt, char *err, size_t errsz);
/* NULL-safe; clears *o. */
void ops_destroy(struct ops **o);

/* The entries after `after`, at most limit (1..OPS_PAGE), as entry.h's
 * JSON objects in an array; *last is the log's last seq. NULL with err. */
json_t *ops_entries(struct ops *o, int64_t after, int limit, int64_t *last, char *err,
                    size_t errsz);
/* stats with top 100 (PROTOCOL.md 7.12.13), its result as it is. */
json_t *ops_stats(struct ops *o, char *err, size_t errsz);
/* {"total", "tasks": [...]}: the newest tasks of task.list (7.10.5),
 * without notes or principals. */
json_t *ops_tasks(struct ops *o, int limit, char *err, size_t errsz);
/* {"flagged": [...], "warned": [...]}: flagged.list (7.12.12), and the
 * experts whose ledger level is `warn` now (7.6.2; found through the
 * log's expert.warned entries, checked with pool.show). */
json_t *ops_experts(struct ops *o, char *err, size_t errsz);

#endif
