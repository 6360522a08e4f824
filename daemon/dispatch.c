/*
 * dispatch.c - the operation-to-handler table and the group-commit batch
 * runner (see dispatch.h). Roles are checked from proto's operation table
 * before a handler runs; the principal always comes from the authenticated
 * connection.
 */
#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include <sodium.h>

#include "catalog.h"
#include "dispatch.h"
#include "handler.h"
#include "head.h"
#include "i18n.h"
#include "i18n_locale.h"
#include "ident.h"
#include "log.h"
#include "proto.h"
#include "reply.h"
#include "seat.h"

/* Seconds before expiring seats is tried again after it failed. */
#define DISPATCH_EXPIRE_RETRY 5
/* A WAL file larger than this is truncated once readers let it go: twice
 * what SQLite's automatic checkpoints (every 1000 pages of 4 KiB) let it
 * reach under steady writes, so only a WAL a reader held back is. */
#define DISPATCH_WAL_BYTES (8 << 20)
/* Seconds between looks at the WAL's size. */
#define DISPATCH_WAL_SECONDS 1.0
/* Servers (and others) told when an awaited COMMIT is over. */
#define DISPATCH_WAKERS 4

/*
 * Which function serves each operation. Everything else about an
 * operation (roles, recorded, reserved) is a protocol fact and lives in
 * proto_ops.def; a reserved operation has no handler, every other one
 * has one (checked by dispatch_handlers_complete()).
 */
static const handler_fn dispatch_handlers[PROTO_OP__COUNT] = {
	[PROTO_OP_PING] = h_ping,
	[PROTO_OP_TERM_OPEN] = h_term_open,
	[PROTO_OP_TERM_LIST] = h_term_list,
	[PROTO_OP_TERM_RENEW] = h_term_renew,
	[PROTO_OP_IMPORT_BEGIN] = h_import_begin,
	[PROTO_OP_IMPORT_ROWS] = h_import_rows,
	[PROTO_OP_IMPORT_COMMIT] = h_import_commit,
	[PROTO_OP_IMPORT_ABORT] = h_import_abort,
	[PROTO_OP_POOL_LIST] = h_pool_list,
	[PROTO_OP_POOL_SHOW] = h_pool_show,
	[PROTO_OP_POOL_SUSPEND] = h_pool_suspend,
	[PROTO_OP_POOL_REINSTATE] = h_pool_reinstate,
	[PROTO_OP_POOL_REVOKE] = h_pool_revoke,
	[PROTO_OP_APPOINTMENT_REVIEW] = h_appointment_review,
	[PROTO_OP_APPOINTMENT_DECIDE] = h_appointment_decide,
	[PROTO_OP_CONFLICT_ADD] = h_conflict_add,
	[PROTO_OP_POOL_UNAVAILABLE] = h_pool_unavailable,
	[PROTO_OP_ASSIGNMENT_UNAVAILABLE] = h_assignment_unavailable,
	[PROTO_OP_POOL_UNAVAILABLE_WITHDRAW] = h_pool_unavailable_withdraw,
	[PROTO_OP_GROUNDS_LIST] = h_grounds_list,
	[PROTO_OP_CONFLICT_LIST] = h_conflict_list,
	[PROTO_OP_DRAW] = h_draw,
	[PROTO_OP_DRAW_REDRAW] = h_draw_redraw,
	[PROTO_OP_TASK_SHOW] = h_task_show,
	[PROTO_OP_TASK_LIST] = h_task_list,
	[PROTO_OP_TASK_CANCEL] = h_task_cancel,
	[PROTO_OP_TASK_ATTENDANCE] = h_task_attendance,
	[PROTO_OP_ASSIGNMENT_ANSWER] = h_assignment_answer,
	[PROTO_OP_ASSIGNMENT_OFFER] = h_assignment_offer,
	[PROTO_OP_ASSIGNMENT_REPLY] = h_assignment_reply,
	[PROTO_OP_ASSIGNMENT_REISSUE] = h_assignment_reissue,
	[PROTO_OP_ASSIGNMENT_CORRECT] = h_assignment_correct,
	[PROTO_OP_NOTIFY_RESYNC] = h_notify_resync,
	[PROTO_OP_POOL_EXPORT] = h_pool_export,
	[PROTO_OP_TERM_PUBLICITY] = h_term_publicity,
	[PROTO_OP_TASK_SHEET] = h_task_sheet,
	[PROTO_OP_LEDGER_WORK] = h_ledger_work,
	[PROTO_OP_FLAGGED_LIST] = h_flagged_list,
	[PROTO_OP_AUDIT_ENTRIES] = h_audit_entries,
	[PROTO_OP_AUDIT_SHOW] = h_audit_show,
	[PROTO_OP_STATS] = h_stats,
	[PROTO_OP_STORE_BACKUP] = h_store_backup,
	[PROTO_OP_ORG_LIST] = h_org_list,
	[PROTO_OP_ORG_SHOW] = h_org_show,
	[PROTO_OP_ORG_ADD] = h_org_add,
	[PROTO_OP_ORG_ALIAS] = h_org_alias,
	[PROTO_OP_ORG_CODE] = h_org_code,
	[PROTO_OP_ORG_MERGE] = h_org_merge,
	[PROTO_OP_CATALOG_IMPORT] = h_catalog_import,
	[PROTO_OP_CATALOG_LIST] = h_catalog_list,
};

bool dispatch_handlers_complete(enum proto_op *unbound)
{
	for (int i = 0; i < PROTO_OP__COUNT; i++) {
		enum proto_op op = (enum proto_op)i;
		bool bound = dispatch_handlers[op] != NULL;
		if (bound == proto_op_info(op)->reserved) {
			*unbound = op;
			return false;
		}
	}
	return true;
}

/* A batch from its COMMIT's sending to its answer (dispatch_batch_start()),
 * with what its end needs. */
struct dispatch_pending {
	bool busy;              /* the answer is awaited on the loop */
	struct dispatch_item *items;
	size_t n;
	struct metrics *metrics;
	double t0;              /* when the COMMIT was sent */
	int64_t first, last;    /* the audit log's last entry before and after */
	bool have_last;
	int64_t next_due;
	dispatch_done_fn done;
	void *done_arg;
	struct event *ev;       /* the store's socket, while busy */
};

struct dispatch {
	bool lost;            /* the batch's transaction was rolled back by SQLite */
	bool stale;           /* the pool or recusal index could not be rebuilt */
	dispatch_commit_fn on_commit;
	void *on_commit_arg;
	dispatch_notify_fn on_notify;
	void *on_notify_arg;
	dispatch_due_fn on_due;
	void *on_due_arg;
	int64_t owed_first, owed_last; /* committed entries not yet published */
	int64_t next_due;     /* earliest deadline of an offered seat; 0 none */
	int64_t expire_hold;  /* after a failed expiry: no retry before this */
	int32_t aged_day;     /* the day aging_note() last ran, 0 never */
	char read_only[200];  /* why nothing is written; "" when writable */
	/* Why this batch could not take the write lock, so it runs as a read
	 * (PROTOCOL.md 6.3); "" when it holds the lock. */
	char cannot_write[160];
	bool write_refused;   /* the log said so; it says when writes resume */
	/* The store found its file corrupt: where, for /readyz; "" while
	 * sound. From then on nothing is written (PROTOCOL.md 6.3). */
	char damaged[320];
	bool damaged_now;     /* found in this batch: it is rolled back */
	double wal_next;      /* monotonic time of the next look at the WAL */
	struct notify_queue notify;
	msgpack_sbuffer record; /* a reply as recorded, without tokens */
	struct store *store;
	struct pool *pool;
	struct engage *engage;
	struct catalog *catalog; /* owned: the occupation catalogue */
	const struct i18n *i18n;  /* messages in each request's language */
	struct reply rep;
	struct handler_ctx ctx;
	/* The loop a PostgreSQL COMMIT's answer is awaited on (NULL: wait in
	 * it), the batch awaiting it, and who to tell when it is over. */
	struct event_base *base;
	struct dispatch_pending commit;
	struct {
		dispatch_done_fn fn;
		void *arg;
	} wakers[DISPATCH_WAKERS];
	int n_wakers;
};

void dispatch_on_commit(struct dispatch *d, dispatch_commit_fn fn, void *arg)
{
	d->on_commit = fn;
	d->on_commit_arg = arg;
}

void dispatch_on_notify(struct dispatch *d, dispatch_notify_fn fn, void *arg)
{
	d->on_notify = fn;
	d->on_notify_arg = arg;
}

void dispatch_on_due(struct dispatch *d, dispatch_due_fn fn, void *arg)
{
	d->on_due = fn;
	d->on_due_arg = arg;
}

void dispatch_item_init(struct dispatch_item *it)
{
	memset(it, 0, sizeof *it);
	msgpack_sbuffer_init(&it->reply);
	it->op = -1;
}

void dispatch_item_free(struct dispatch_item *it)
{
	/* A live reply may hold one-time tokens. */
	if (it->reply.data)
		sodium_memzero(it->reply.data, it->reply.size);
	msgpack_sbuffer_destroy(&it->reply);
}

struct dispatch *dispatch_new(struct store *store, struct pool *pool,
                              struct engage *engage,
                              const struct recusal_config *rules,
                              const struct assign_rules *assign)
{
	struct dispatch *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->store = store;
	d->pool = pool;
	d->engage = engage;
	d->catalog = catalog_new();
	if (!d->catalog) {
		free(d);
		return NULL;
	}
	/* Not loaded: stale, as after a failed rebuild (retried each batch). */
	d->stale = !dispatch_reload_catalog(store, d->catalog);
	d->ctx.catalog = d->catalog;
	d->ctx.rules = rules;
	d->ctx.assign = assign;
	d->ctx.notify = &d->notify;
	/* Deadlines that passed while the daemon was stopped: the first batch. */
	d->next_due = store_assignment_next_deadline(store);
	notify_queue_init(&d->notify);
	msgpack_sbuffer_init(&d->record);
	candidates_init(&d->ctx.cands);
	reply_init(&d->rep);
	msgpack_sbuffer_init(&d->ctx.audit_body);
	msgpack_packer_init(&d->ctx.audit_pk, &d->ctx.audit_body, msgpack_sbuffer_write);
	return d;
}

struct store *dispatch_store(const struct dispatch *d)
{
	return d->store;
}

void dispatch_destroy(struct dispatch **dp)
{
	struct dispatch *d = dp ? *dp : NULL;
	if (!d)
		return;
	if (d->commit.ev)
		event_free(d->commit.ev);
	reply_free(&d->rep);
	catalog_destroy(&d->catalog);
	notify_queue_free(&d->notify);
	candidates_free(&d->ctx.cands);
	msgpack_sbuffer_destroy(&d->record);
	msgpack_sbuffer_destroy(&d->ctx.audit_body);
	free(d->ctx.touched);
	free(d);
	*dp = NULL;
}

/* Loading callbacks note a failure (out of memory) instead of stopping
 * quietly: a stop looks like the end of the rows to the store. */
struct pool_load {
	struct pool *pool;
	bool failed;
};

static bool load_one_cb(const struct pool_record *r, void *arg)
{
	struct pool_load *l = arg;
	if (!pool_put(l->pool, r))
		l->failed = true;
	return !l->failed;
}

/* The pool reads only what it keeps (store_pool_each()); pool.show and
 * the other handlers that show an expert read the rest by id. */
bool dispatch_reload_pool(struct store *store, struct pool *pool)
{
	struct pool_load l = {pool, false};
	pool_load_begin(pool);
	bool ok = pool_reserve(pool, store_expert_max_id(store)) &&
	          store_pool_each(store, load_one_cb, &l) == STORE_OK && !l.failed;
	return pool_load_end(pool) && ok;
}

struct engage_load {
	struct pool *pool;
	struct engage *engage;
	bool failed;
};

static bool load_conflict_cb(const struct store_conflict *c, void *arg)
{
	struct engage_load *l = arg;
	struct engage_conflict ec = {.org = pool_org_intern(l->pool, c->org_code),
	                             .valid_from = c->valid_from,
	                             .valid_to = c->valid_to};
	l->failed = !ec.org || !engage_add_conflict(l->engage, c->expert_id, &ec);
	return !l->failed;
}

static bool load_task_cb(const struct task *t, void *arg)
{
	struct engage_load *l = arg;
	struct engage_task et;
	handler_engage_task(l->pool, t, &et);
	l->failed = !engage_put_task(l->engage, &et);
	return !l->failed;
}

static bool load_assignment_cb(const struct store_assignment *a, void *arg)
{
	struct engage_load *l = arg;
	struct engage_assignment ea = {.id = a->id, .task = a->task, .state = a->state};
	l->failed = !engage_put_assignment(l->engage, a->expert, &ea);
	return !l->failed;
}

/* Declared unavailability (rule 12): few rows, read at once. */
static bool dispatch_load_aways(struct store *store, struct engage *engage)
{
	struct store_away *a = NULL;
	size_t n = 0;
	bool ok = store_away_list(store, 0, &a, &n) == STORE_OK;
	for (size_t i = 0; ok && i < n; i++) {
		struct engage_away w = {.id = a[i].id, .expert = a[i].expert_id,
		                        .from = a[i].from, .to = a[i].to};
		/* A withdrawn period keeps no one out (PROTOCOL.md 7.6.6). */
		ok = a[i].withdrawn || engage_add_away(engage, &w);
	}
	free(a);
	return ok;
}

bool dispatch_reload_engage(struct store *store, struct pool *pool,
                            struct engage *engage)
{
	struct engage_load l = {pool, engage, false};
	engage_clear(engage);
	return dispatch_load_aways(store, engage) &&
	       store_conflict_each(store, load_conflict_cb, &l) == STORE_OK && !l.failed &&
	       store_task_each(store, load_task_cb, &l) == STORE_OK && !l.failed &&
	       store_assignment_each(store, load_assignment_cb, &l) == STORE_OK &&
	       !l.failed;
}

struct catalog_load {
	struct catalog *catalog;
	bool failed;
};

static bool load_entry_cb(const struct catalog_entry *e, void *arg)
{
	struct catalog_load *l = arg;
	struct catalog_problem p;
	bool created = false;
	/* Each stored entry is one of its own: one that would merge into an
	 * earlier is a store the daemon did not write. */
	l->failed = catalog_put(l->catalog, e, NULL, &created, &p) != CATALOG_OK ||
	            !created;
	return !l->failed;
}

bool dispatch_reload_catalog(struct store *store, struct catalog *catalog)
{
	struct catalog_load l = {catalog, false};
	catalog_clear(catalog);
	return store_catalog_each(store, load_entry_cb, &l) == STORE_OK && !l.failed;
}

/*
 * Rebuild the in-memory pool and recusal index from the store. Until
 * that succeeds they may miss experts, seats or conflicts, and a draw
 * would not see them: d->stale makes run_one() refuse every request but
 * ping, and each batch tries again.
 */
static void reload_memory(struct dispatch *d)
{
	bool pool_ok = dispatch_reload_pool(d->store, d->pool);
	bool engage_ok = pool_ok && dispatch_reload_engage(d->store, d->pool, d->engage);
	bool catalog_ok = engage_ok && dispatch_reload_catalog(d->store, d->catalog);
	if (catalog_ok) {
		if (d->stale)
			log_info("the in-memory pool is rebuilt; serving requests again");
		d->stale = false;
		return;
	}
	if (!d->stale)
		log_error("rebuilding the in-memory pool failed: %s; refusing requests "
		          "until it succeeds", store_errmsg(d->store));
	d->stale = true;
}

/* After a request's savepoint was rolled back, make the pool match the
 * store again for every expert the request touched. */
static void undo_touched(struct dispatch *d)
{
	if (d->ctx.touched_lost ||
	    (d->ctx.engage_dirty &&
	     !dispatch_reload_engage(d->store, d->pool, d->engage)) ||
	    (d->ctx.catalog_dirty && !dispatch_reload_catalog(d->store, d->catalog))) {
		reload_memory(d);
		return;
	}
	for (size_t i = 0; i < d->ctx.ntouched; i++) {
		struct expert e;
		int64_t id = d->ctx.touched[i];
		enum store_result r = store_expert_get(d->store, id, &e);
		if (r == STORE_OK && pool_upsert(d->pool, &e))
			continue;
		if (r == STORE_NOT_FOUND) {
			pool_remove(d->pool, id);   /* an insert that was undone */
			continue;
		}
		/* Cannot tell: rebuild everything rather than guess. */
		reload_memory(d);
		return;
	}
}


/* Decode a request that never ran only for its id, so that the client
 * can match the error reply. */
static void item_read_id(struct dispatch_item *it)
{
	struct proto_request *req = NULL;
	struct proto_error perr;
	if (it->id[0])
		return;
	proto_decode_request(it->body, it->len, &req, it->id, &perr);
	proto_request_free(&req);
}

static void error_reply(struct dispatch_item *it, const char *id,
                        enum proto_status st, const char *field,
                        const char *message)
{
	it->status = st;
	msgpack_sbuffer_clear(&it->reply);
	proto_pack_reply(&it->reply, id, st, message, field, NULL, 0);
}

/*
 * The store met a corrupt page (or a file that is no database) while
 * `doing`: say where, once, and write nothing more. The batch in which it
 * was found is rolled back and answered internal (dispatch_batch()).
 */
static void note_damage(struct dispatch *d, const char *doing)
{
	d->damaged_now = true;
	if (d->damaged[0])
		return;
	char where[240];
	store_describe_damage(d->store, where, sizeof where);
	snprintf(d->damaged, sizeof d->damaged, "the database is corrupt: %s", where);
	log_error("the database is corrupt: %s, while %s; refusing every write from "
	          "now on (reads that do not meet the damage are still served; "
	          "/readyz says not ready); stop expertd and restore a backup "
	          "(expertd(8))", where, doing);
}

/* After a store call: STORE_CORRUPT is noted; r is returned. */
static enum store_result check_damage(struct dispatch *d, enum store_result r,
                                      const char *doing)
{
	if (r == STORE_CORRUPT)
		note_damage(d, doing);
	return r;
}

/* A retried id: the first reply, or request_id_reused. Returns true if
 * the item was answered from the record. */
static bool answer_retry(struct dispatch *d, struct dispatch_item *it,
                         const struct proto_request *req,
                         const uint8_t hash[STORE_HASH_LEN])
{
	uint8_t old[STORE_HASH_LEN];
	void *body = NULL;
	size_t len = 0;
	enum store_result r = store_request_find(d->store, it->caller.principal,
	                                         req->id, old, &body, &len);
	if (r == STORE_NOT_FOUND)
		return false;
	if (check_damage(d, r, "looking up a request's retry record") == STORE_CORRUPT) {
		error_reply(it, req->id, PROTO_E_INTERNAL, NULL, _(handler_damaged));
	} else if (r != STORE_OK) {
		error_reply(it, req->id, PROTO_E_UNAVAILABLE, NULL,
		            _("the store cannot be read now; nothing was applied"));
	} else if (sodium_memcmp(old, hash, STORE_HASH_LEN) != 0) {
		error_reply(it, req->id, PROTO_E_ID_REUSED, "id",
		            _("this request id was already used for a different request"));
	} else {
		msgpack_sbuffer_clear(&it->reply);
		msgpack_sbuffer_write(&it->reply, body, len);
		it->status = PROTO_OK;
	}
	free(body);
	return true;
}

/* The per-request state of the handler context, reset for one request. */
static void ctx_start(struct dispatch *d, const struct auth_entry *caller)
{
	reply_reset(&d->rep);
	d->ctx.caller = caller;
	d->ctx.ntouched = 0;
	d->ctx.touched_lost = false;
	d->ctx.engage_dirty = false;
	d->ctx.catalog_dirty = false;
}

/*
 * The checks made before anything is read: the caller's key, its role,
 * and a read-only server's refusal of recorded ops. True when refused
 * (the error reply is set).
 */
static bool refused_early(const struct dispatch *d, struct dispatch_item *it,
                          const struct proto_request *req, bool handled)
{
	const struct proto_op_info *op = proto_op_info(req->op);
	char msg[PROTO_MAX_MESSAGE_LEN], w[I18N_CODE_MAX];
	if (!it->caller_known) {
		error_reply(it, req->id, PROTO_E_FORBIDDEN, NULL,
		            _("the caller's key is no longer allowed"));
		return true;
	}
	if (!handled || !(op->roles & it->caller.role)) {
		snprintf(msg, sizeof msg, _("role %s may not call %s"),
		         i18n_code("role", auth_role_name(it->caller.role), w, sizeof w),
		         proto_op_name(req->op));
		error_reply(it, req->id, PROTO_E_FORBIDDEN, NULL, msg);
		return true;
	}
	if (d->damaged[0] && op->recorded) {
		error_reply(it, req->id, PROTO_E_INTERNAL, NULL, _(handler_damaged));
		return true;
	}
	if (d->read_only[0] && op->recorded) {
		snprintf(msg, sizeof msg, _("the server is read-only: %s; nothing was applied"),
		         d->read_only);
		error_reply(it, req->id, PROTO_E_UNAVAILABLE, NULL, msg);
		return true;
	}
	if (d->cannot_write[0] && op->recorded) {
		snprintf(msg, sizeof msg, _("the store cannot write now (%s); nothing was "
		                            "applied; retry with the same request id"),
		         d->cannot_write);
		error_reply(it, req->id, PROTO_E_UNAVAILABLE, NULL, msg);
		return true;
	}
	return false;
}

/*
 * The request appended entries after seq before (-1: it records none):
 * sign the new head at once, inside the request, whose savepoint rolls
 * the signature back with it; a read later in the batch then finds every
 * entry under a signed head (DRAW.md 4.7.1). rc gets the receipt
 * (PROTOCOL.md 5.4.1), *has whether there is one. False when the
 * signature cannot be kept.
 */
static bool sign_entries(struct dispatch *d, int64_t before, struct reply_receipt *rc,
                         bool *has)
{
	struct head h;
	int64_t last;
	*has = false;
	/* Never on a read-only daemon: its log may hold what it refused. */
	if (before < 0 || !d->ctx.sign || d->read_only[0])
		return true;
	if (store_audit_last(d->store, &last, rc->hash) != STORE_OK)
		return false;
	if (last <= before)
		return true;
	if (head_sign(d->store, d->ctx.sign, &h) != STORE_OK)
		return false;
	rc->seq = last;
	rc->head_seq = h.seq;
	memcpy(rc->head_hash, h.hash, sizeof rc->head_hash);
	memcpy(rc->sig, h.sig, sizeof rc->sig);
	memcpy(rc->key, d->ctx.sign->public_key, sizeof rc->key);
	*has = true;
	return true;
}

/* Keep a recorded request's reply for its retries (PROTOCOL.md 6.2), with
 * its receipt rc (NULL: none). Tokens are shown once: the record never
 * holds them. */
static enum store_result save_record(struct dispatch *d, struct dispatch_item *it,
                                     const struct proto_request *req,
                                     enum proto_status st,
                                     const uint8_t hash[STORE_HASH_LEN],
                                     const struct reply_receipt *rc)
{
	const msgpack_sbuffer *rec = &it->reply;
	if (d->rep.n_tokens) {
		reply_build(&d->rep, req->id, st, false, &d->record);
		if (rc)
			reply_add_receipt(&d->record, rc);
		rec = &d->record;
	}
	return check_damage(d, store_request_save(d->store, it->caller.principal,
	                                          req->id, proto_op_name(req->op), hash,
	                                          rec->data, rec->size, d->ctx.now),
	                    "keeping a request's retry record");
}

/* Run a decoded request; frees it. */
static void run_decoded(struct dispatch *d, struct dispatch_item *it,
                        struct proto_request *req)
{
	enum proto_status st;
	it->op = (int)req->op;
	const struct proto_op_info *op = proto_op_info(req->op);
	handler_fn fn = dispatch_handlers[req->op];
	if (refused_early(d, it, req, fn != NULL))
		goto out;
	uint8_t hash[STORE_HASH_LEN];
	if (op->recorded) {
		crypto_generichash(hash, sizeof hash, it->body, it->len, NULL, 0);
		if (answer_retry(d, it, req, hash))
			goto out;
	}
	if (d->stale && req->op != PROTO_OP_PING) {
		error_reply(it, req->id, PROTO_E_UNAVAILABLE, NULL,
		            _("the in-memory pool could not be rebuilt from the store; "
		            "nothing was applied; retry later"));
		goto out;
	}
	/* Outside the batch a SAVEPOINT would start, and RELEASE commit, a
	 * transaction of its own. */
	if (!store_in_batch(d->store)) {
		d->lost = true;
		goto out;
	}
	if (store_request_begin(d->store) != STORE_OK) {
		error_reply(it, req->id, PROTO_E_UNAVAILABLE, NULL,
		            _("the store cannot write now; nothing was applied"));
		goto out;
	}
	ctx_start(d, &it->caller);
	size_t notified = d->notify.n;
	int64_t before = -1;   /* only recorded ops append, and get receipts */
	struct reply_receipt rc;
	bool has_rc = false;
	if (op->recorded && store_audit_last(d->store, &before, rc.hash) != STORE_OK)
		before = -1;
	st = fn(&d->ctx, req, &d->rep);
	if (d->rep.store_damaged)
		note_damage(d, proto_op_name(req->op));
	if (!store_in_batch(d->store)) {
		/* SQLite dropped the whole transaction under the handler. */
		d->lost = true;
		goto out;
	}
	if ((st == PROTO_OK || d->rep.keep_changes_on_error) &&
	    !sign_entries(d, before, &rc, &has_rc)) {
		d->rep.keep_changes_on_error = false;
		st = reply_error(&d->rep, PROTO_E_UNAVAILABLE, NULL,
		                 "the store cannot write now; nothing was applied");
	}
	reply_build(&d->rep, req->id, st, true, &it->reply);
	if (has_rc)
		reply_add_receipt(&it->reply, &rc);
	it->status = st;
	/* A failed request rolls back alone, unless what it wrote is the
	 * record of the failure itself (a failed draw's transcript). */
	bool keep_failure = st != PROTO_OK && d->rep.keep_changes_on_error;
	if (st != PROTO_OK && !keep_failure) {
		store_request_end(d->store, false);
		undo_touched(d);
		notify_queue_truncate(&d->notify, notified);
	}
	/* Keep the reply for retries, except transient failures, which a
	 * retry should try again, and a wrong token, which a retry gets
	 * again anyway: guesses must not grow the retry records. */
	bool keep = op->recorded && st != PROTO_E_UNAVAILABLE &&
	            st != PROTO_E_INTERNAL && st != PROTO_E_INVALID_TOKEN;
	enum store_result r = keep ? save_record(d, it, req, st, hash, has_rc ? &rc : NULL)
	                           : STORE_OK;
	if (st == PROTO_OK || keep_failure) {
		store_request_end(d->store, r == STORE_OK);
		if (r != STORE_OK) {
			undo_touched(d);
			notify_queue_truncate(&d->notify, notified);
			error_reply(it, req->id, PROTO_E_UNAVAILABLE, NULL,
			            _("the store cannot write now; nothing was applied"));
		}
	}
	log_debug("request %s %s by %s: %s", req->id, proto_op_name(req->op),
	          it->caller.principal, proto_status_name(it->status));
out:
	proto_request_free(&req);
}

/* One request, its messages in the language its envelope asks for
 * (PROTOCOL.md 5.3): a refused envelope that said which is decoded again
 * in it, so even that refusal reads as asked. */
static void run_one(struct dispatch *d, struct dispatch_item *it)
{
	struct proto_request *req = NULL;
	struct proto_error perr;
	enum proto_status st = proto_decode_request(it->body, it->len, &req, it->id,
	                                            &perr);
	if (st != PROTO_OK && perr.lang != PROTO_LANG_EN) {
		i18n_use(d->i18n, perr.lang);
		proto_request_free(&req);
		st = proto_decode_request(it->body, it->len, &req, it->id, &perr);
	}
	it->lang = st == PROTO_OK ? req->lang : perr.lang;
	if (st != PROTO_OK) {
		error_reply(it, it->id, st, perr.field, perr.message);
		i18n_use(d->i18n, PROTO_LANG_EN);
		return;
	}
	i18n_use(d->i18n, req->lang);
	run_decoded(d, it, req);
	i18n_use(d->i18n, PROTO_LANG_EN);
}

/*
 * Expire every offered seat whose deadline is <= now, oldest deadline
 * first, each in its own savepoint and as the daemon's own principal,
 * before any request of the batch: an answer racing its deadline then
 * finds the seat expired (PROTOCOL.md 7.12.2). A failure leaves the rest
 * for the next batch.
 */
/* Once a day, in a savepoint of its own as the daemon: note who passed
 * 65 (aging.c). A failure is logged and tried again the next day. */
/* At most this many oldest retry records are looked at per day. */
#define DISPATCH_PRUNE_MAX 100000

/* Once a day too: forget the retry records older than [server]
 * request_retention_days (PROTOCOL.md 6.2). */
static void prune_requests(struct dispatch *d)
{
	int removed = 0;
	if (d->ctx.assign->request_retention <= 0)
		return;
	if (check_damage(d, store_request_prune(d->store, d->ctx.now -
	                                        d->ctx.assign->request_retention,
	                                        DISPATCH_PRUNE_MAX, &removed),
	                 "forgetting old retry records") != STORE_OK) {
		if (!store_in_batch(d->store))
			d->lost = true;
		log_error("forgetting old retry records failed: %s", store_errmsg(d->store));
	} else if (removed) {
		log_info("forgot %d retry record(s) older than the retention", removed);
	}
}

static void note_aging(struct dispatch *d)
{
	if (d->aged_day == d->ctx.today)
		return;
	d->aged_day = d->ctx.today;
	prune_requests(d);
	if (d->lost)
		return;
	if (store_request_begin(d->store) != STORE_OK)
		return;
	ctx_start(d, &handler_daemon);
	int noted = 0;
	enum proto_status st = aging_note(&d->ctx, &d->rep, &noted);
	if (d->rep.store_damaged)
		note_damage(d, "noting experts over 65");
	if (!store_in_batch(d->store)) {
		d->lost = true;
		return;
	}
	store_request_end(d->store, st == PROTO_OK);
	if (st != PROTO_OK)
		log_error("noting experts over 65 failed: %s", d->rep.message);
	else if (noted)
		log_notice("%d expert(s) passed 65 without an age exception: no longer "
		           "drawn (history event over_age)", noted);
}

static void expire_due(struct dispatch *d)
{
	struct store_assignment a;
	int64_t last = 0;
	if (d->next_due == 0 || d->ctx.now < d->next_due || d->ctx.now < d->expire_hold)
		return;
	for (;;) {
		enum store_result r = store_assignment_next_expired(d->store, d->ctx.now, &a);
		if (r == STORE_NOT_FOUND)
			return;
		if (r == STORE_OK && a.id == last) {
			/* Expired, yet still due: never loop on it. */
			log_error("assignment %lld is still offered after expiring; "
			          "retrying in %d s", (long long)a.id, DISPATCH_EXPIRE_RETRY);
			d->expire_hold = d->ctx.now + DISPATCH_EXPIRE_RETRY;
			return;
		}
		last = a.id;
		if (r != STORE_OK || store_request_begin(d->store) != STORE_OK) {
			log_warn("cannot read the seats to expire: %s", store_errmsg(d->store));
			return;
		}
		ctx_start(d, &handler_daemon);
		size_t notified = d->notify.n;
		enum proto_status st = seat_expire(&d->ctx, &a, &d->rep);
		if (d->rep.store_damaged)
			note_damage(d, "expiring a seat");
		if (!store_in_batch(d->store)) {
			d->lost = true;
			return;
		}
		store_request_end(d->store, st == PROTO_OK);
		if (st != PROTO_OK) {
			/* Retry later, not at once: a store that cannot write now
			 * would otherwise spin the loop and flood the log. */
			undo_touched(d);
			notify_queue_truncate(&d->notify, notified);
			d->expire_hold = d->ctx.now + DISPATCH_EXPIRE_RETRY;
			log_error("expiring assignment %lld failed: %s; retrying in %d s",
			          (long long)a.id, d->rep.message, DISPATCH_EXPIRE_RETRY);
			return;
		}
		log_info("assignment %lld of task %lld expired", (long long)a.id,
		         (long long)a.task);
	}
}

/* After the batch: tell the timer the earliest deadline of an offered
 * seat, next_due (0 none), unless a hold after a failed expiry is later.
 * What a committed batch owes the streams waits for dispatch_flush(),
 * after the replies; a failed batch owes nothing. */
static void batch_after(struct dispatch *d, bool committed, int64_t next_due)
{
	if (d->damaged[0])
		store_refuse_writes(d->store);   /* nothing is written onto it again */
	if (!committed) {
		notify_queue_truncate(&d->notify, 0);
		d->owed_first = d->owed_last = 0;
	}
	d->next_due = next_due;
	if (d->on_due)
		d->on_due(d->on_due_arg, d->next_due && d->next_due < d->expire_hold
		                         ? d->expire_hold : d->next_due);
}

void dispatch_set_sign_key(struct dispatch *d, const struct sign_key *k)
{
	d->ctx.sign = k;
}

void dispatch_set_i18n(struct dispatch *d, const struct i18n *t)
{
	d->i18n = t;
}

void dispatch_set_read_only(struct dispatch *d, const char *why)
{
	snprintf(d->read_only, sizeof d->read_only, "%s", why);
}

bool dispatch_stale(const struct dispatch *d)
{
	return d->stale;
}

const char *dispatch_damage(const struct dispatch *d)
{
	return d->damaged[0] ? d->damaged : NULL;
}

void dispatch_flush(struct dispatch *d)
{
	if (d->commit.busy)
		return;   /* the store is the COMMIT's until it answers */
	bool publish = d->owed_last && d->on_commit;
	bool notify = d->notify.n && d->on_notify;
	/* Publishing and notifying read back a few dozen rows: in one read
	 * transaction, not one each (each takes and drops the WAL locks). */
	bool snapshot = (publish || notify) && store_read_begin(d->store);
	if (publish)
		d->on_commit(d->on_commit_arg, d->owed_first, d->owed_last);
	d->owed_first = d->owed_last = 0;
	if (notify)
		d->on_notify(d->on_notify_arg, d->notify.items, d->notify.n);
	notify_queue_truncate(&d->notify, 0);
	store_read_end(d->store, snapshot);
}

/*
 * Begin the batch. When the write lock cannot be taken at once (another
 * process holds it, or the disk refuses writes), the batch runs as a read
 * instead of waiting on the loop: reads are served and recorded requests
 * answered unavailable (PROTOCOL.md 6.3); the next batch tries again.
 * False when not even a read can begin.
 */
static bool dispatch_begin(struct dispatch *d, int64_t now)
{
	d->cannot_write[0] = '\0';
	d->damaged_now = false;
	/* A corrupt store is only read from (PROTOCOL.md 6.3). */
	enum store_result r = d->damaged[0] ? STORE_CORRUPT : store_batch_begin(d->store);
	if (r == STORE_OK) {
		if (d->write_refused)
			log_notice("the store accepts writes again");
		d->write_refused = false;
		return true;
	}
	check_damage(d, r, "beginning a batch");
	d->damaged_now = false;   /* nothing of the batch ran */
	snprintf(d->cannot_write, sizeof d->cannot_write, "%s",
	         d->damaged[0] ? "the database is corrupt" : store_errmsg(d->store));
	if (!store_read_begin(d->store)) {
		d->cannot_write[0] = '\0';
		return false;
	}
	if (!d->write_refused && !d->damaged[0])
		log_warn("the store cannot write now (%s): serving reads, answering "
		         "recorded requests unavailable until it can", d->cannot_write);
	d->write_refused = true;
	/* Seats due meanwhile expire once it can: the timer tries again later,
	 * not at once, which would spin the loop while the lock is held. */
	if (d->next_due && d->next_due <= now)
		d->expire_hold = now + DISPATCH_EXPIRE_RETRY;
	return true;
}

static double mono_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void dispatch_idle(struct dispatch *d)
{
	if (d->commit.busy)
		return;
	double now = mono_seconds();
	if (now < d->wal_next || d->damaged[0])   /* a corrupt file stays as it is */
		return;
	d->wal_next = now + DISPATCH_WAL_SECONDS;
	int64_t bytes = store_wal_bytes(d->store);
	if (bytes <= DISPATCH_WAL_BYTES)
		return;
	/* Busy while a reader still holds an old snapshot: next time. */
	if (store_wal_truncate(d->store) == STORE_OK)
		log_info("the WAL had grown to %lld bytes (a long reader held it): "
		         "checkpointed and truncated", (long long)bytes);
}

/* Not even a read could begin: every request is answered unavailable. */
static void batch_refused(struct dispatch *d, struct dispatch_item *items, size_t n,
                          int64_t now)
{
	log_warn("cannot begin a transaction: %s", store_errmsg(d->store));
	/* The timer that ran this batch is spent: arm it again. */
	if (d->next_due && d->on_due) {
		d->expire_hold = now + DISPATCH_EXPIRE_RETRY;
		d->on_due(d->on_due_arg, d->expire_hold);
	}
	for (size_t i = 0; i < n; i++) {
		if (items[i].answered)
			continue;
		item_read_id(&items[i]);
		error_reply(&items[i], items[i].id, PROTO_E_UNAVAILABLE, NULL,
		            _("the store cannot write now; nothing was applied"));
	}
}

/* The batch was rolled back, or its COMMIT failed (r): nothing of it is
 * applied, and every request it ran is answered so. */
static void batch_failed(struct dispatch *d, struct dispatch_item *items, size_t n,
                         enum store_result r)
{
	if (!d->damaged_now)
		log_error("%s a batch of %zu failed: %s; replying unavailable and "
		          "reloading the pool", d->lost ? "the transaction of" : "commit of",
		          n, store_errmsg(d->store));
	for (size_t i = 0; i < n; i++) {
		if (items[i].answered)
			continue;
		item_read_id(&items[i]);   /* requests after a lost transaction never ran */
		if (d->damaged_now)
			error_reply(&items[i], items[i].id, PROTO_E_INTERNAL, NULL,
			            _(handler_damaged));
		else
			error_reply(&items[i], items[i].id, PROTO_E_UNAVAILABLE, NULL,
			            r == STORE_UNKNOWN
			            ? _("the store failed while committing; retry with the same "
			                "request id")
			            : _("the store cannot write now; nothing was applied"));
	}
	reload_memory(d);
	batch_after(d, false, store_assignment_next_deadline(d->store));
}

/* Run the batch up to its COMMIT: housekeeping, then each request in
 * its savepoint; what the COMMIT will make durable goes into d->commit.
 * d->lost when it must be rolled back instead. */
static void batch_run(struct dispatch *d, struct dispatch_item *items, size_t n)
{
	struct dispatch_pending *c = &d->commit;
	uint8_t h[STORE_AUDIT_HASH_LEN];
	if (d->on_commit && store_audit_last(d->store, &c->first, h) != STORE_OK)
		c->first = -1;
	d->lost = false;
	if (d->stale)
		reload_memory(d);
	bool writes = !d->read_only[0] && !d->cannot_write[0];
	d->ctx.writable = writes;
	if (!d->stale && writes) {
		expire_due(d);
		note_aging(d);
		if (d->ctx.sign && check_damage(d, head_sign(d->store, d->ctx.sign, NULL),
		                                "signing the log's head") != STORE_OK)
			d->lost = true;
	}
	for (size_t i = 0; i < n && !d->lost && !d->damaged_now; i++)
		if (!items[i].answered)
			run_one(d, &items[i]);
	/* Found corrupt: nothing of the batch is written onto it (a batch run
	 * as a read wrote nothing; its other replies stand). */
	d->lost = d->lost || (d->damaged_now && writes);
	/* What the commit will make durable, read inside the batch: after it,
	 * each read would be a read transaction of its own. */
	if (!d->lost) {
		c->have_last = d->on_commit && c->first >= 0 &&
		               store_audit_last(d->store, &c->last, h) == STORE_OK;
		c->next_due = store_assignment_next_deadline(d->store);
	}
	/* Every committed entry is under a signed head (DRAW.md 4.7); after
	 * the signing of each request, this only reads it back. */
	if (!d->lost && d->ctx.sign && writes &&
	    head_sign(d->store, d->ctx.sign, NULL) != STORE_OK)
		d->lost = true;
	/* PostgreSQL refused the rest of the batch after a statement that
	 * failed where no savepoint could undo it alone (outside any request,
	 * or a write sent without waiting): its COMMIT would roll back; say
	 * why now, before the rollback clears it. */
	if (!d->lost && store_batch_broken(d->store)) {
		log_error("a statement of the batch failed where its request could not "
		          "be rolled back alone: %s", store_errmsg(d->store));
		d->lost = true;
	}
}

/* The batch is over: committed (r STORE_OK) or not, the replies stand
 * or become failures, and the next deadline is armed. */
static void batch_end(struct dispatch *d, enum store_result r)
{
	struct dispatch_pending *c = &d->commit;
	if (c->metrics)
		metrics_commit(c->metrics, mono_seconds() - c->t0, c->n, r == STORE_OK);
	if (r != STORE_OK) {
		batch_failed(d, c->items, c->n, r);
		return;
	}
	if (c->have_last && c->last > c->first) {
		d->owed_first = c->first + 1;
		d->owed_last = c->last;
	}
	batch_after(d, true, c->next_due);
}

/* The awaited COMMIT answered (r): the batch ends, its owner answers its
 * requests, and whoever found the dispatcher busy tries again. */
static void commit_done(struct dispatch *d, enum store_result r)
{
	struct dispatch_pending *c = &d->commit;
	if (c->ev)
		event_free(c->ev);
	c->ev = NULL;
	c->busy = false;
	batch_end(d, check_damage(d, r, "committing a batch"));
	if (c->done)
		c->done(c->done_arg);
	for (int i = 0; i < d->n_wakers; i++)
		d->wakers[i].fn(d->wakers[i].arg);
}

static void commit_ready_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct dispatch *d = arg;
	enum store_result r;
	if (store_batch_commit_poll(d->store, &r))
		commit_done(d, r);
}

/* Wait for the COMMIT's answer here (no loop to await it on). */
static void commit_wait(struct dispatch *d)
{
	enum store_result r;
	while (!store_batch_commit_poll(d->store, &r)) {
		struct pollfd p = { .fd = store_socket(d->store), .events = POLLIN };
		/* The answer is owed whatever poll() says: out of memory,
		 * wait a little and look again (a lost connection ends the
		 * loop through store_batch_commit_poll()). */
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			poll(NULL, 0, 10);
	}
	commit_done(d, r);
}

bool dispatch_batch_start(struct dispatch *d, struct dispatch_item *items, size_t n,
                          int64_t now, struct metrics *metrics,
                          dispatch_done_fn done, void *arg)
{
	assert(!d->commit.busy);
	d->ctx.store = d->store;
	d->ctx.pool = d->pool;
	d->ctx.engage = d->engage;
	d->ctx.now = now;
	d->ctx.today = handler_day_of(now);
	/* A caller that forgot the last flush: publish before anything new. */
	dispatch_flush(d);
	if (!dispatch_begin(d, now)) {
		batch_refused(d, items, n, now);
		return true;
	}
	struct dispatch_pending *c = &d->commit;
	*c = (struct dispatch_pending){ .items = items, .n = n, .metrics = metrics,
	                                .done = done, .done_arg = arg };
	batch_run(d, items, n);
	c->t0 = mono_seconds();
	/* A transaction SQLite abandoned applied nothing: say so. */
	enum store_result r = STORE_NOT_WRITABLE;
	if (d->lost) {
		store_batch_rollback(d->store);
	} else if (!done || !d->base) {
		r = check_damage(d, store_batch_commit(d->store), "committing a batch");
	} else if (store_batch_commit_start(d->store, &r) ||
	           store_batch_commit_poll(d->store, &r)) {
		r = check_damage(d, r, "committing a batch");
	} else {
		/* PostgreSQL: the answer comes on the loop (PROTOCOL.md 6.3). */
		c->busy = true;
		c->ev = event_new(d->base, store_socket(d->store), EV_READ | EV_PERSIST,
		                  commit_ready_cb, d);
		if (c->ev && event_add(c->ev, NULL) == 0)
			return false;
		c->done = NULL;   /* over before this returns: the caller answers */
		commit_wait(d);
		return true;
	}
	batch_end(d, r);
	return true;
}

void dispatch_batch(struct dispatch *d, struct dispatch_item *items, size_t n,
                    int64_t now, struct metrics *metrics)
{
	if (!d->commit.busy)
		dispatch_batch_start(d, items, n, now, metrics, NULL, NULL);
}

bool dispatch_busy(const struct dispatch *d)
{
	return d->commit.busy;
}

void dispatch_finish(struct dispatch *d)
{
	if (d && d->commit.busy)
		commit_wait(d);
}

void dispatch_set_loop(struct dispatch *d, struct event_base *base)
{
	if (d)   /* a standby has none until it takes over */
		d->base = base;
}

bool dispatch_on_idle(struct dispatch *d, dispatch_done_fn fn, void *arg)
{
	for (int i = 0; i < d->n_wakers; i++)
		if (d->wakers[i].fn == fn && d->wakers[i].arg == arg)
			return true;
	if (d->n_wakers == DISPATCH_WAKERS)
		return false;
	d->wakers[d->n_wakers].fn = fn;
	d->wakers[d->n_wakers++].arg = arg;
	return true;
}
