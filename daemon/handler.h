/*
 * handler.h - what every request handler sees, and the handlers. A handler
 * validates, then changes the store and the pool through their interfaces,
 * and returns a status; it never sends anything itself. Each request runs
 * in its own savepoint: when a handler fails, the dispatcher rolls its
 * changes back and reloads every expert it touched from the store.
 */
#ifndef EXPERTD_HANDLER_H
#define EXPERTD_HANDLER_H

#include <stdbool.h>
#include <stdint.h>

#include <msgpack.h>

#include "audit.h"
#include "auth.h"
#include "candidates.h"
#include "grounds.h"
#include "policy.h"
#include "proto.h"
#include "reply.h"
#include "sign.h"
#include "store.h"

struct catalog;
struct engage;
struct engage_task;
struct notify_queue;
struct pool;
struct pool_filter;

/* Assignment settings ([assign], [ledger], [grounds]); SIGHUP replaces
 * them. */
struct assign_rules {
	int64_t respond_within;          /* default seconds to answer */
	int64_t min_respond_within;      /* shorter: operators only, with a reason */
	int64_t request_retention;       /* seconds a recorded reply is kept; 0 ever */
	struct policy ledger;
	struct grounds grounds;          /* the Center's own (POLICY.md 6.3) */
};

struct handler_ctx {
	struct store *store;
	struct pool *pool;
	struct engage *engage;           /* conflicts and assignments by expert */
	struct catalog *catalog;         /* occupations (REGISTRY.md section 3) */
	const struct recusal_config *rules;
	const struct assign_rules *assign;
	const struct auth_entry *caller; /* authenticated principal and role */
	const struct sign_key *sign;     /* signs heads, derives draw secrets */
	struct notify_queue *notify;     /* offers and closings of this batch */
	int64_t now;                     /* unix seconds, one reading per batch */
	bool writable;                   /* this batch may write (not read-only,
	                                  * the store can write) */
	int32_t today;                   /* day number in local time */
	int64_t *touched;                /* experts changed by this request */
	size_t ntouched, touched_cap;
	bool touched_lost;               /* out of memory: undo reloads all */
	bool engage_dirty;               /* engage changed: undo reloads it */
	bool catalog_dirty;              /* the catalogue changed: undo reloads it */
	struct candidates cands;         /* scratch for draws, kept between them */
	msgpack_sbuffer audit_body;      /* scratch for audit entry bodies */
	msgpack_packer audit_pk;
};

/* The daemon's own principal ("expertd"): expiries, promotions,
 * replacement draws and flags are made by it, whoever set them off. */
extern const struct auth_entry handler_daemon;

typedef enum proto_status (*handler_fn)(struct handler_ctx *ctx,
                                        const struct proto_request *req,
                                        struct reply *rep);

/* The calendar day (day number) of a unix time in China Standard Time;
 * see ident_day_cst(). */
int32_t handler_day_of(int64_t t);

/* Note that expert id was changed (pool reload on rollback). */
void handler_touch(struct handler_ctx *ctx, int64_t id);

/*
 * Store an expert (insert when is_new) with an event, and update the pool.
 * On failure fills rep and returns the error status.
 */
enum proto_status handler_save_expert(struct handler_ctx *ctx, struct expert *e,
                                      bool is_new, const char *event,
                                      const char *reason, int32_t until,
                                      const char *detail, struct reply *rep);
/* The same, the audit entry naming the fields an update changed (a mask
 * over expert_diff_fields; 0 for none, DRAW.md 4.2). */
enum proto_status handler_save_expert_changed(struct handler_ctx *ctx, struct expert *e,
                                              bool is_new, const char *event,
                                              const char *reason, int32_t until,
                                              const char *detail, unsigned changed,
                                              struct reply *rep);
/* Why a status changed (POLICY.md 6.3): the text, and for a suspension
 * or revocation an optional ground and referral note. */
struct handler_why {
	const char *reason;     /* NULL or "": none */
	int32_t until;          /* day number or 0 */
	const char *detail;     /* NULL or "": none */
	unsigned changed;       /* an update's fields (handler_save_expert_changed) */
	const struct ground *ground; /* NULL: none (grounds.h) */
	const char *referral;   /* NULL or "": none */
};
enum proto_status handler_save_expert_why(struct handler_ctx *ctx, struct expert *e,
                                          bool is_new, const char *event,
                                          const struct handler_why *why,
                                          struct reply *rep);
/* The seat of the token in field "token" (PROTOCOL.md 7.12.3), read
 * as token_clean() leaves it: a live offer's; else invalid_token in rep,
 * with the result {why} (and for a token that was once the seat's, the
 * seat's assignment, task and state). A wrong token learns `unknown`. */
enum proto_status handler_token_seat(struct handler_ctx *ctx,
                                     const struct proto_request *req,
                                     struct store_assignment *a, struct reply *rep);
/* Load expert `id` or fill rep with not_found (field "expert"). */
enum proto_status handler_get_expert(struct handler_ctx *ctx, int64_t id,
                                     struct expert *e, struct reply *rep);
/* Start an audit entry body: returns the packer of a cleared buffer. */
msgpack_packer *handler_audit_begin(struct handler_ctx *ctx);
/* Append the packed body as an entry of `type` (same transaction).
 * seq and hash may be NULL. */
enum proto_status handler_audit_end(struct handler_ctx *ctx, const char *type,
                                    struct reply *rep, int64_t *seq,
                                    uint8_t hash[AUDIT_HASH_LEN]);

/* Operators see every task; bureaus and clerks their bureau's only. */
bool handler_sees_all_tasks(const struct handler_ctx *ctx);
/* Load task id if the caller may see it (handler_sees_all_tasks, else
 * its own bureau's), else not_found in rep. */
enum proto_status handler_get_task(struct handler_ctx *ctx, int64_t id,
                                   struct task *t, struct reply *rep);

/* What a request that meets a corrupt store is told (internal, PROTOCOL.md
 * 6.3), and every recorded request after it: a msgid, translate it. */
extern const char *const handler_damaged;
/* Map a failed store result to a wire error in rep; STORE_CORRUPT also
 * sets rep->store_damaged. */
enum proto_status handler_store_error(struct reply *rep, enum store_result r);

/* Every term, oldest first (*out malloc'd, the caller frees it), or the
 * store's error in rep with *out NULL. */
enum proto_status handler_terms(struct handler_ctx *ctx, struct store_term **out,
                                size_t *n, struct reply *rep);

/* Record a conflict (conflict.add, a decline for reason conflict): the
 * row, the expert's history, the audit entry, the recusal index. */
enum proto_status handler_add_conflict(struct handler_ctx *ctx,
                                       struct store_conflict *c, struct reply *rep);
/* A conflict as conflict.list and pool.show show it. */
void handler_pack_conflict(msgpack_packer *pk, const struct store_conflict *c);
/* k, then v[i] for each i < n whose bit is set in mask (~0u: every one)
 * as an array: an expert's specialties, those it is eligible in, the
 * occupations its grounds name. */
void handler_pack_strs(msgpack_packer *pk, const char *k,
                       const char (*v)[EXPERT_TEXT_MAX + 1], int n, unsigned mask);
/* k, then the names of the bits set in `set` (bit i: names[i]) as an
 * array in list order: an expert's group types, task types, grounds. */
void handler_pack_names(msgpack_packer *pk, const char *k, unsigned set,
                        const char *const *names);
/* A page of the pool's matches (pool.list, pool.export): offset and
 * limit from req (default_limit when absent); ids of the `got` experts
 * shown, malloc'd (the caller frees), or internal in rep. */
struct handler_page {
	int64_t *ids;
	size_t total, offset, got;
};
enum proto_status handler_pool_page(struct handler_ctx *ctx, const struct pool_filter *f,
                                    const struct proto_request *req,
                                    size_t default_limit, struct handler_page *pg,
                                    struct reply *rep);
/* k, then the day number `day` as a date string (YYYY-MM-DD). */
void handler_pack_date(msgpack_packer *pk, const char *k, int32_t day);

/* The recusal view of a task (interning its organisations): for the
 * index when a task is created or the index is rebuilt. */
void handler_engage_task(struct pool *pool, const struct task *t,
                         struct engage_task *out);

/* h_ping.c */
enum proto_status h_ping(struct handler_ctx *, const struct proto_request *, struct reply *);
/* h_term.c */
enum proto_status h_term_open(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_term_list(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_term_renew(struct handler_ctx *, const struct proto_request *, struct reply *);
/* h_import.c */
enum proto_status h_import_begin(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_import_rows(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_import_commit(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_import_abort(struct handler_ctx *, const struct proto_request *, struct reply *);
/* h_pool.c */
enum proto_status h_pool_list(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_pool_show(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_pool_suspend(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_pool_reinstate(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_pool_revoke(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_grounds_list(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_appointment_review(struct handler_ctx *, const struct proto_request *,
                                       struct reply *);
enum proto_status h_appointment_decide(struct handler_ctx *, const struct proto_request *,
                                       struct reply *);
/* h_draw.c */
enum proto_status h_draw(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_draw_redraw(struct handler_ctx *, const struct proto_request *, struct reply *);
/* h_task.c */
enum proto_status h_task_show(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_task_list(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_task_cancel(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_task_attendance(struct handler_ctx *, const struct proto_request *, struct reply *);
/* h_assignment.c */
enum proto_status h_assignment_answer(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_assignment_offer(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_assignment_reply(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_assignment_reissue(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_assignment_correct(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_notify_resync(struct handler_ctx *, const struct proto_request *, struct reply *);
/* The outputs for the file (PROTOCOL.md 7.16): h_export.c, h_sheet.c. */
enum proto_status h_pool_export(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_term_publicity(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_task_sheet(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_ledger_work(struct handler_ctx *, const struct proto_request *, struct reply *);
/* h_flagged.c */
enum proto_status h_flagged_list(struct handler_ctx *, const struct proto_request *, struct reply *);
/* h_audit.c */
enum proto_status h_audit_entries(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_audit_show(struct handler_ctx *, const struct proto_request *, struct reply *);
/* h_unavail.c */
enum proto_status h_pool_unavailable(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_assignment_unavailable(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_pool_unavailable_withdraw(struct handler_ctx *, const struct proto_request *, struct reply *);
/* pool.show's `unavailable` and `unavailable_count` (two key-value pairs,
 * PROTOCOL.md 7.6.2): the expert's last UNAVAIL_SHOWN periods, newest
 * first, as they now are. */
#define UNAVAIL_SHOWN 50
enum proto_status unavail_pack_periods(struct handler_ctx *ctx, int64_t expert,
                                       msgpack_packer *pk, struct reply *rep);
/* h_conflict.c */
enum proto_status h_conflict_add(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_conflict_list(struct handler_ctx *, const struct proto_request *, struct reply *);
/* h_org.c */
enum proto_status h_org_list(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_org_show(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_org_add(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_org_alias(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_org_code(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_org_merge(struct handler_ctx *, const struct proto_request *, struct reply *);
/* h_backup.c */
enum proto_status h_store_backup(struct handler_ctx *, const struct proto_request *,
                                 struct reply *);
/* aging.c: once a day, an over_age history event for every active
 * expert newly over 65 without an age exception; *noted counts them. */
enum proto_status aging_note(struct handler_ctx *ctx, struct reply *rep, int *noted);
/* h_stats.c */
enum proto_status h_stats(struct handler_ctx *, const struct proto_request *, struct reply *);
/* h_catalog.c */
enum proto_status h_catalog_import(struct handler_ctx *, const struct proto_request *, struct reply *);
enum proto_status h_catalog_list(struct handler_ctx *, const struct proto_request *, struct reply *);

#endif
