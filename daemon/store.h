/*
 * store.h - durable state. The store owns the SQLite database: schema and
 * migrations, prepared statements, transactions. Its interface speaks in
 * domain operations; nothing outside store*.c names sqlite3 or SQL, so a
 * replicated backend can be added beside it. The daemon (not the database)
 * makes every id, timestamp and hash and passes them in.
 *
 * Transactions follow the dispatcher's group commit: store_batch_begin(),
 * then per request store_request_begin() / store_request_end(), then
 * store_batch_commit(). Nothing is durable before store_batch_commit()
 * returns STORE_OK. What is read back after a commit shares one read
 * snapshot: store_read_begin() / store_read_end().
 */
#ifndef EXPERTD_STORE_H
#define EXPERTD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "expert.h"
#include "grounds.h"
#include "pool.h"
#include "task.h"

/* Outcomes of store operations. */
enum store_result {
	STORE_OK,           /* done (durable once the batch commits) */
	STORE_NOT_FOUND,
	STORE_DUPLICATE,    /* a unique key (request id, resident ID) exists */
	STORE_NOT_WRITABLE, /* disk full, read-only, busy: nothing was applied */
	STORE_UNKNOWN,      /* the outcome cannot be known (I/O error at commit) */
	STORE_CORRUPT,      /* the file is damaged (SQLITE_CORRUPT, SQLITE_NOTADB):
	                       nothing more may be written (PROTOCOL.md 6.3) */
};

struct store;

/*
 * Open (creating if needed) the database at path, migrate it forward to the
 * current schema, and check it. First takes the one-writer lock (dblock.h),
 * held until store_close. Returns 0 and *out, or a <sysexits.h> code
 * with err set: EX_TEMPFAIL (another process holds the database),
 * EX_CANTCREAT (cannot open/create), EX_DATAERR (schema newer
 * than this binary, or not an expertd database), EX_IOERR.
 */
int store_open(const char *path, struct store **out, char *err, size_t errsz);
/*
 * The same on PostgreSQL (issue #15; store_pg.c): connect to url (a libpq
 * URI, which may list several hosts), take the one-writer lock, a session
 * advisory lock the server drops with the session, create the schema on
 * an empty database. EX_TEMPFAIL when another expertd holds the lock or
 * no writable server answers (a standby waits and tries again), EX_CONFIG
 * for a URL libpq refuses, EX_DATAERR, EX_IOERR as store_open().
 */
int store_open_url(const char *url, struct store **out, char *err, size_t errsz);
/* The batch's transaction refuses every statement until it is rolled
 * back: a statement failed outside any request's savepoint, or a write
 * sent without waiting (store_step_deferred()) failed, wherever it was
 * (PostgreSQL; never on SQLite). Its COMMIT would not commit: the
 * dispatcher drops it. */
bool store_batch_broken(struct store *s);
/* True once a PostgreSQL store has lost its connection: whatever its last
 * COMMIT did cannot be known, so the daemon must stop serving (it exits
 * EX_TEMPFAIL; a standby or a restart takes over). Never on SQLite. */
bool store_lost(struct store *s);
/* A round trip that finds a lost connection while no request comes
 * (PostgreSQL: SELECT 1 outside any transaction); nothing on SQLite. */
void store_probe(struct store *s);
/*
 * Personal data at rest (pii.h, expertd(8)): from here on the store seals
 * resident IDs, phones, e-mail addresses, staged rows and recorded replies
 * under cur's keys, and opens them. What an older expertd stored clear,
 * or previous (may be NULL) sealed, is sealed under cur first, in one
 * transaction (imports still open are aborted); read_only seals nothing
 * and opens with the key the data is under. Before this call nothing
 * personal can be written. Returns 0 or a <sysexits.h> code with err:
 * EX_CONFIG (sealed under a key that is neither), EX_IOERR.
 */
struct sign_key;
int store_pii_start(struct store *s, const struct sign_key *cur,
                    const struct sign_key *previous, bool read_only, int64_t now,
                    char *err, size_t errsz);
/* NULL-safe; clears *s. Rolls back an open transaction. */
void store_close(struct store **s);
/*
 * From now on the event loop uses the store: nothing waits for a lock
 * another process holds (store_open() waits up to 2 s, for start-up). A
 * batch that cannot take the write lock fails at once (STORE_NOT_WRITABLE)
 * and the dispatcher runs it as a read (PROTOCOL.md 6.3).
 */
void store_serving(struct store *s);
int store_schema_version(struct store *s);
/* The last SQLite error text, for logs. */
const char *store_errmsg(struct store *s);
/*
 * Where the store found damage, for the log: the table and the statement
 * last run and SQLite's message, as in "table requests: database disk
 * image is malformed (SQLite code 11) in SELECT ...". Call it as soon as
 * STORE_CORRUPT comes back, before anything else runs.
 */
void store_describe_damage(struct store *s, char *buf, size_t size);
/* From now on the connection refuses every write (after damage). */
void store_refuse_writes(struct store *s);

/* Group commit. */
enum store_result store_batch_begin(struct store *s);
enum store_result store_request_begin(struct store *s);
/* keep=false rolls the request's savepoint back; either way it is closed. */
void store_request_end(struct store *s, bool keep);
/* COMMIT; on failure the whole batch is rolled back. */
enum store_result store_batch_commit(struct store *s);
/*
 * The same without waiting for the answer, for the event loop: true when
 * it is finished at once (SQLite; a PostgreSQL COMMIT that could not be
 * sent), with *r what store_batch_commit() would return; false when the
 * answer is due on store_socket(): then store_batch_commit_poll() each
 * time it is readable, until it returns true with *r. Nothing else may
 * use the store meanwhile.
 */
bool store_batch_commit_start(struct store *s, enum store_result *r);
bool store_batch_commit_poll(struct store *s, enum store_result *r);
/* The socket a pending COMMIT's answer comes on (PostgreSQL), else -1. */
int store_socket(struct store *s);
/* Abandon the batch. */
void store_batch_rollback(struct store *s);
/* Whether the batch's transaction is still open. SQLite rolls the whole
 * transaction back on some errors (disk full, I/O error, out of memory);
 * after that nothing more may run in the batch. */
bool store_in_batch(struct store *s);

/*
 * A read snapshot for the work after a commit (publishing, notifying):
 * one deferred read transaction around many reads, where each read alone
 * would be a transaction of its own, taking and dropping the WAL read
 * lock. Returns whether it began one: false inside an open transaction
 * (the reads then belong to that one; no nesting) or when BEGIN fails
 * (each read is then its own transaction, as without this). Only reads
 * may run before store_read_end(), which must follow with that result.
 */
bool store_read_begin(struct store *s);
/* End what store_read_begin() began; nothing when began is false. */
void store_read_end(struct store *s, bool began);

/* --- idempotent requests --------------------------------------------- */
#define STORE_HASH_LEN 32
/*
 * Find an earlier request (principal, request_id). STORE_OK copies its body
 * hash into hash and a malloc'd copy of its reply into *reply (caller
 * frees); STORE_NOT_FOUND if there is none.
 */
enum store_result store_request_find(struct store *s, const char *principal,
                                     const char *request_id,
                                     uint8_t hash[STORE_HASH_LEN],
                                     void **reply, size_t *reply_len);
enum store_result store_request_save(struct store *s, const char *principal,
                                     const char *request_id, const char *op,
                                     const uint8_t hash[STORE_HASH_LEN],
                                     const void *reply, size_t reply_len,
                                     int64_t at);
/* Forget records made before `before` (PROTOCOL.md 6.2, retention),
 * looking at no more than the limit oldest; *removed gets how many. */
enum store_result store_request_prune(struct store *s, int64_t before, int limit,
                                      int *removed);

/* --- terms ------------------------------------------------------------ */
struct store_term {
	int number;
	int32_t start, end;  /* day numbers, inclusive */
	int64_t opened_at;
	int64_t experts;     /* experts serving in it (filled by term_list) */
};
enum store_result store_term_insert(struct store *s, const struct store_term *t,
                                    const char *actor);
/* All terms by number; *out is malloc'd (caller frees, also on error).
 * `experts` is 0: the pool in memory counts them far faster. */
enum store_result store_term_list(struct store *s, struct store_term **out,
                                  size_t *n);

/* --- experts ---------------------------------------------------------- */
enum store_result store_expert_insert(struct store *s, const struct expert *e);
enum store_result store_expert_update(struct store *s, const struct expert *e);
enum store_result store_expert_get(struct store *s, int64_t id, struct expert *out);
/*
 * The appointment record of an expert (PROTOCOL.md 7.17) and its
 * recommender kind (-1 = not said); an expert without one gets an empty
 * record and STORE_OK. Put inserts or replaces it.
 */
enum store_result store_appoint_get(struct store *s, int64_t expert, int *kind,
                                    struct expert_appoint *out);
enum store_result store_appoint_put(struct store *s, int64_t expert, int kind,
                                    const struct expert_appoint *a);
/* The kept form fields (PROTOCOL.md 7.5.2); empty if none were kept. Get
 * keeps out->recommender_kind (the appointment record holds it). */
enum store_result store_form_get(struct store *s, int64_t expert, struct expert_form *out);
enum store_result store_form_put(struct store *s, int64_t expert,
                                 const struct expert_form *f);
/* Only the name (to mask it in an event); name has the size of
 * struct expert's. */
enum store_result store_expert_name(struct store *s, int64_t id,
                                    char name[EXPERT_NAME_MAX + 1]);
/* What the messaging gateway needs to reach an expert (STREAMS.md 4),
 * and a draw reply shows of each seat (POLICY.md 5). */
struct store_contact {
	char name[EXPERT_NAME_MAX + 1];
	char phone[sizeof ((struct expert *)0)->phone];
	char employer[EXPERT_EMPLOYER_MAX + 1];
};
enum store_result store_expert_contact(struct store *s, int64_t id,
                                       struct store_contact *out);
enum store_result store_expert_find_resident(struct store *s, const char *resident_id,
                                             int64_t *id);
int64_t store_expert_max_id(struct store *s);
/*
 * SQLite's page cache small (1 MiB) from store_cache_scan(s, true) to the
 * matching store_cache_scan(s, false) (calls nest), then back to its
 * size (64 MiB): for reads of whole tables, once, as the pool's load and
 * the rest of a start do. Pages read once would only evict each other,
 * and filling the cache with them costs a page fault each, a large part
 * of a start. No-op on PostgreSQL.
 */
void store_cache_scan(struct store *s, bool scanning);
/* Call fn for every expert in id order, as the pool keeps it (loading
 * the pool): the columns a draw reads, nothing else; the record's strings
 * are valid during the call. Stops early when fn returns false. */
enum store_result store_pool_each(struct store *s,
                                  bool (*fn)(const struct pool_record *r, void *arg),
                                  void *arg);

/* History rows: who did what to an expert, when and why. */
struct store_event {
	int64_t expert_id;
	int64_t at;
	char actor[64];
	char event[32];      /* imported, updated, suspended, reinstated, ... */
	char reason[PROTO_REASON_SIZE]; /* "" if none */
	int32_t until;       /* day number or 0 */
	char detail[1025];   /* "" if none; an update's field-by-field diff */
	char ground[IDENT_GROUND_SIZE]; /* a ground's code (grounds.h), "" if none */
	char referral[PROTO_REASON_SIZE]; /* referral note, "" if none */
	/* The ground's labels when it was recorded ("" before schema 13). */
	char ground_label[GROUNDS_LABEL_MAX + 1];
	char ground_label_en[GROUNDS_LABEL_MAX + 1];
};
enum store_result store_event_add(struct store *s, const struct store_event *ev);
/* Events of one expert, oldest first; *out malloc'd. */
enum store_result store_event_list(struct store *s, int64_t expert_id,
                                   struct store_event **out, size_t *n);

/* --- conflicts ---------------------------------------------------------- */
struct store_conflict {
	int64_t id;
	int64_t expert_id;
	char org_code[IDENT_CODE_SIZE];
	int kind;            /* index into proto_conflict_kinds[] */
	int32_t valid_from;
	int32_t valid_to;    /* 0 = open-ended */
	char reason[PROTO_REASON_SIZE];
	int64_t created_at;
	char created_by[64];
};
enum store_result store_conflict_insert(struct store *s, const struct store_conflict *c);

/* A period an expert cannot serve (rule 12): its days only shrink, and
 * it may be withdrawn (PROTOCOL.md 7.6.6). */
struct store_away {
	int64_t id;
	int64_t expert_id;
	int32_t from, to;    /* day numbers, both inclusive: the current days */
	bool withdrawn;
	char reason[PROTO_REASON_SIZE];
	char channel[16];    /* token, staff: who said so */
	int64_t created_at;
	char created_by[64];
};
enum store_result store_away_insert(struct store *s, const struct store_away *a);
int64_t store_away_max_id(struct store *s);
/* One expert's (0: everyone's) in id order, withdrawn ones too; *out
 * malloc'd. */
enum store_result store_away_list(struct store *s, int64_t expert_id,
                                  struct store_away **out, size_t *n);
/* Period id into *a: STORE_OK, or STORE_NOT_FOUND. */
enum store_result store_away_get(struct store *s, int64_t id, struct store_away *a);
/* Set a period's days and withdrawn flag (they only shrink: a trigger
 * refuses anything else). */
enum store_result store_away_change(struct store *s, const struct store_away *a);
int64_t store_conflict_max_id(struct store *s);
/* Filter by expert (0 = any) and org code ("" = any); *out malloc'd. */
enum store_result store_conflict_list(struct store *s, int64_t expert_id,
                                      const char *org_code,
                                      struct store_conflict **out, size_t *n);

/* --- organisations (REGISTRY.md 2) -------------------------------------- */
/* Kinds, bit i = proto_org_kinds[i]. */
#define ORG_KIND_EMPLOYER (1u << 0)
#define ORG_KIND_RECOMMENDER (1u << 1)
#define ORG_NAME_MAX 255
struct store_org {
	int64_t id;
	char key[IDENT_CODE_SIZE];     /* the identity recusal compares */
	char name[ORG_NAME_MAX + 1];   /* canonical name */
	char code[IDENT_CODE_SIZE];    /* credit code, "" if unknown */
	unsigned kinds;
	int64_t merged_into;           /* org id; 0 = not merged */
	int64_t employees, recommended; /* store_org_counts() */
};
/* The organisation with this code / key / id / name matching key; a
 * merged one is returned as it is (merged_into says where it went). */
enum store_result store_org_by_code(struct store *s, const char *code,
                                    struct store_org *out);
enum store_result store_org_by_key(struct store *s, const char *key,
                                   struct store_org *out);
enum store_result store_org_by_id(struct store *s, int64_t id, struct store_org *out);
enum store_result store_org_by_match(struct store *s, const char *match,
                                     struct store_org *out);
/* Register a new organisation: key = code when code is given and no
 * entry has that key, else "org:" + id. Fills o->id and o->key. */
enum store_result store_org_insert(struct store *s, struct store_org *o, int64_t now);
/* Add a name (STORE_DUPLICATE: its matching key belongs to an entry). */
enum store_result store_org_name_add(struct store *s, int64_t org, const char *match,
                                     const char *name);
enum store_result store_org_set_code(struct store *s, int64_t org, const char *code);
enum store_result store_org_add_kinds(struct store *s, int64_t org, unsigned kinds);
/* How many experts it employs and recommended. */
enum store_result store_org_counts(struct store *s, struct store_org *o);
/* Names of an organisation other than its canonical one, in the order
 * added; *out malloc'd, ORG_NAME_MAX + 1 bytes each. */
enum store_result store_org_aliases(struct store *s, const struct store_org *o,
                                    char (**out)[ORG_NAME_MAX + 1], size_t *n);
/* Every name of every live organisation, for suggestions. */
struct store_org_name {
	char match[ORG_NAME_MAX + 1];
	char name[ORG_NAME_MAX + 1];
	char key[IDENT_CODE_SIZE];
};
enum store_result store_org_name_each(
	struct store *s, bool (*fn)(const struct store_org_name *n, void *arg),
	void *arg);
/* Live organisations one of whose matching keys contains `match` ("" =
 * all), by id, a page of them; *total counts every match. */
enum store_result store_org_list(struct store *s, const char *match, int64_t offset,
                                 int64_t limit, struct store_org **out, size_t *n,
                                 int64_t *total);
/* Relink every expert, conflict and task that names key `from` to `into`
 * (a bare credit code that an entry turned out to have). */
enum store_result store_org_relink(struct store *s, const char *from, const char *into);
/* Merge `from` into `into`: names, code (when into has none), and every
 * expert, conflict and task that names from's key. */
enum store_result store_org_merge(struct store *s, const struct store_org *from,
                                  const struct store_org *into);

/* --- roster imports ------------------------------------------------------ */
enum store_import_state { STORE_IMPORT_OPEN, STORE_IMPORT_COMMITTED,
                          STORE_IMPORT_ABORTED };
#define STORE_IMPORT_AGE_MAX 100
struct store_import {
	int64_t id;
	char principal[64];
	bool skip_invalid;
	int state;
	int64_t created_at;
	int64_t rows, invalid;  /* counts, filled by store_import_get */
	/* Lines whose experts get an age exception (第十一条(六)), and why. */
	int64_t age_lines[STORE_IMPORT_AGE_MAX];
	size_t n_age_lines;
	char age_reason[PROTO_REASON_SIZE];
	/* The roster is of experts already appointed (PROTOCOL.md 7.5.5):
	 * its new experts are appointed, not recommended. */
	bool appointed;
};
enum store_result store_import_create(struct store *s, const struct store_import *im);
enum store_result store_import_get(struct store *s, int64_t id, struct store_import *out);
int64_t store_import_max_id(struct store *s);
enum store_result store_import_finish(struct store *s, int64_t id, int state,
                                      int64_t at);
/*
 * Stage one row: its line, resident ID (for duplicate detection), the row
 * as packed msgpack, and error/field (NULL when the row is valid).
 * STORE_DUPLICATE if the import already has a row with that line.
 */
enum store_result store_import_add_row(struct store *s, int64_t import_id,
                                       int64_t line, const char *resident_id,
                                       const void *row, size_t row_len,
                                       const char *field, const char *error);
/* The line of an earlier staged row of this import with this resident ID. */
enum store_result store_import_find_resident(struct store *s, int64_t import_id,
                                             const char *resident_id,
                                             int64_t *line);
/* Staged rows in line order; fn gets error == NULL for valid rows. */
enum store_result store_import_each_row(
	struct store *s, int64_t import_id,
	bool (*fn)(int64_t line, const void *row, size_t row_len,
	           const char *field, const char *error, void *arg),
	void *arg);

/* --- audit log ------------------------------------------------------- */
#define STORE_AUDIT_HASH_LEN 32
struct store_audit_row {
	int64_t seq;
	int64_t at;
	char type[32];
	void *body;             /* malloc'd by readers; borrowed by insert */
	size_t body_len;
	uint8_t prev[STORE_AUDIT_HASH_LEN];
	uint8_t hash[STORE_AUDIT_HASH_LEN];
};
/* The last entry's seq and hash; seq 0 and a zero hash when empty. */
enum store_result store_audit_last(struct store *s, int64_t *seq,
                                   uint8_t hash[STORE_AUDIT_HASH_LEN]);
enum store_result store_audit_insert(struct store *s, const struct store_audit_row *r);
/* Entries with seq > after, at most limit, in order; free with
 * store_audit_rows_free(). */
enum store_result store_audit_list(struct store *s, int64_t after, size_t limit,
                                   struct store_audit_row **out, size_t *n);
/* The entries of the given seqs (e.g. a task's draws). */
enum store_result store_audit_get(struct store *s, int64_t seq,
                                  struct store_audit_row *out);
void store_audit_rows_free(struct store_audit_row *rows, size_t n);

/* --- the occupation catalogue (REGISTRY.md section 3) -------------------- */
/* Every entry in id order, with its aliases, to fn (loading the
 * catalogue); stops early when fn returns false. */
enum store_result store_catalog_each(struct store *s,
                                     bool (*fn)(const struct catalog_entry *e,
                                                void *arg),
                                     void *arg);
/* Insert entry e, or update the entry with its id (code, aliases, group
 * types; the name never changes), as changed at `at` by actor. */
enum store_result store_catalog_put(struct store *s, const struct catalog_entry *e,
                                    int64_t at, const char *actor);

/* --- backups (PROTOCOL.md 7.15; store_backup.c) ------------------------ */
/* False on PostgreSQL, whose backups are the cluster's (pg_basebackup,
 * Patroni replicas): store.backup answers not_implemented there. */
bool store_can_backup(struct store *s);
/* The database file's path. */
const char *store_path(struct store *s);
/*
 * Copy the last committed state into dest (a new file, complete on
 * STORE_OK; the caller removes it otherwise), with the audit log's last
 * entry in the copy (seq 0 and zeros when the log is empty). Reads through
 * a connection of its own: callable inside a batch. err says why not.
 */
enum store_result store_backup(struct store *s, const char *dest, int64_t *seq,
                               uint8_t head[STORE_AUDIT_HASH_LEN], char *err,
                               size_t errsz);

/* --- the write-ahead log (store_wal.c) ---------------------------------- */
/* The size of the -wal file in bytes; -1 when it cannot be read. */
int64_t store_wal_bytes(struct store *s);
/*
 * Checkpoint the WAL and truncate it to zero bytes (SQLite's TRUNCATE
 * checkpoint), waiting for no lock: STORE_NOT_WRITABLE when a reader
 * still holds an old snapshot (what could be copied was) or inside a
 * transaction; try again later.
 */
enum store_result store_wal_truncate(struct store *s);

/* --- small named values (the draw secret chain) ------------------------ */
/* STORE_NOT_FOUND if absent; else copies at most size bytes, *len = full length. */
enum store_result store_meta_get(struct store *s, const char *key, void *buf,
                                 size_t size, size_t *len);
enum store_result store_meta_put(struct store *s, const char *key,
                                 const void *val, size_t len);
enum store_result store_meta_delete(struct store *s, const char *key);

/* --- tasks, draws, assignments ------------------------------------------- */
/* A task with a mixed panel's quotas (DRAW.md 3.7), if it has any. */
enum store_result store_task_insert(struct store *s, const struct task *t);
enum store_result store_task_get(struct store *s, int64_t id, struct task *out);
/* The task fields an offer's notification carries (STREAMS.md 4),
 * sized as in struct task; the specialty is the seat's: quota `quota`'s
 * for a mixed panel (DRAW.md 3.7). */
struct store_task_brief {
	char bureau[sizeof ((struct task *)0)->bureau];
	int kind;                       /* index into proto_task_kinds */
	char specialty[sizeof ((struct task *)0)->specialty];
	int64_t start_at, end_at;
	char district[sizeof ((struct task *)0)->district];
	char note[sizeof ((struct task *)0)->note];
};
enum store_result store_task_brief(struct store *s, int64_t id, int quota,
                                   struct store_task_brief *out);
enum store_result store_task_set_state(struct store *s, int64_t id, int state);
int64_t store_task_max_id(struct store *s);
/* Task ids of a bureau ("" = all), newest first; returns the total. */
enum store_result store_task_list(struct store *s, const char *bureau,
                                  int64_t offset, int64_t limit,
                                  int64_t **ids, size_t *n, int64_t *total);
/* Every task's row, by id, without a mixed panel's quotas (n_quotas 0):
 * for what needs its times and organisations only. */
enum store_result store_task_each(struct store *s,
                                  bool (*fn)(const struct task *t, void *arg),
                                  void *arg);

struct store_draw {
	int64_t id;
	int64_t task;           /* 0 = none (a failed first draw) */
	char kind[16];          /* draw, redraw, replacement */
	bool ok;
	int64_t audit_seq;
	char actor[64];
	int64_t at;
};
enum store_result store_draw_insert(struct store *s, const struct store_draw *d);
int64_t store_draw_max_id(struct store *s);
enum store_result store_draw_list(struct store *s, int64_t task,
                                  struct store_draw **out, size_t *n);

struct store_assignment {
	int64_t id;
	int64_t task;
	int64_t expert;
	int64_t draw;
	int role;               /* index into proto_seat_roles */
	int seat;               /* order within the draw's panel */
	int state;              /* enum assign_state */
	int64_t created_at, updated_at;
	int64_t deadline;       /* while offered: when it expires; else 0 */
	bool has_token;         /* a live token: its hash below */
	uint8_t token_hash[STORE_HASH_LEN];
	int quota;              /* a mixed panel's quota (DRAW.md 3.7); else 0 */
};
enum store_result store_assignment_insert(struct store *s,
                                          const struct store_assignment *a);
/* Set the state (the token dies). */
enum store_result store_assignment_set_state(struct store *s, int64_t id,
                                             int state, int64_t at);
/* Write state, role, deadline and token of a (changed) seat. */
enum store_result store_assignment_update(struct store *s,
                                          const struct store_assignment *a);
enum store_result store_assignment_get(struct store *s, int64_t id,
                                       struct store_assignment *out);
/* A token hash that once was a seat's (schema 11, PROTOCOL.md 7.12.3):
 * its seat and why it died ("answered", "expired", "cancelled",
 * "replaced"); STORE_NOT_FOUND for a hash no seat ever had. */
enum store_result store_token_spent(struct store *s, const uint8_t hash[STORE_HASH_LEN],
                                    int64_t *assignment, char *why, size_t size);
/* The offered seat with the earliest deadline <= now (ties by id), or
 * STORE_NOT_FOUND. */
enum store_result store_assignment_next_expired(struct store *s, int64_t now,
                                                struct store_assignment *out);
/* The earliest deadline of any offered seat; 0 when none. */
int64_t store_assignment_next_deadline(struct store *s);
/* counts[state] for every assignment state (< n states), and
 * fills[fill] for every task fill (< nf); for metrics. */
enum store_result store_assignment_counts(struct store *s, int64_t *counts,
                                          size_t n, int64_t *fills, size_t nf);
enum store_result store_task_set_fill(struct store *s, int64_t id, int fill);
enum store_result store_task_cancel(struct store *s, int64_t id,
                                    const char *reason);

/* One seat transition (PROTOCOL.md 7.12.1), kept forever. */
struct store_seat_event {
	int64_t assignment, task;
	int64_t at;
	char actor[64];
	int channel;            /* index into proto_channels */
	char event[16];         /* assign_event_names, or "offer", "standby" */
	int from;               /* assign_state; -1 for a new seat */
	int to;
	char reason[PROTO_REASON_SIZE];
	char note[PROTO_REASON_SIZE];
};
enum store_result store_seat_event_add(struct store *s,
                                       const struct store_seat_event *ev);
/* A task's seat events in order; *out malloc'd (freed by caller). */
enum store_result store_seat_event_list(struct store *s, int64_t task,
                                        struct store_seat_event **out, size_t *n);

/* One decline-ledger event (policy.h), never edited. */
struct store_ledger_event {
	int64_t expert;
	int64_t at;
	int kind;               /* enum policy_kind */
	int64_t assignment, task;
	char reason[32];        /* decline reason code, "" if none */
	int64_t withdrawn;      /* when a correction withdrew it; 0: it stands */
};
enum store_result store_ledger_add(struct store *s,
                                   const struct store_ledger_event *ev);
/* Withdraw the standing event of an expert's seat (a correction,
 * PROTOCOL.md 7.12.16); *n receives how many were withdrawn (0 or 1). */
enum store_result store_ledger_withdraw(struct store *s, int64_t expert,
                                        int64_t assignment, int64_t at,
                                        const char *actor, int *n);
/* An expert's ledger, oldest first; *out malloc'd (freed by caller). */
enum store_result store_ledger_list(struct store *s, int64_t expert,
                                    struct store_ledger_event **out, size_t *n);
/* Ids of the experts with this status, ascending; *out malloc'd. */
enum store_result store_expert_ids_by_status(struct store *s, int status,
                                             int64_t **out, size_t *n);
int64_t store_assignment_max_id(struct store *s);
enum store_result store_assignment_list(struct store *s, int64_t task,
                                        struct store_assignment **out, size_t *n);
/* Up to limit offered seats with a deadline after now whose current
 * token was made at or after since (updated_at), ids above after, in id
 * order; *out malloc'd (freed by caller). */
enum store_result store_assignment_offered_since(struct store *s, int64_t since,
                                                int64_t now, int64_t after, int limit,
                                                struct store_assignment **out,
                                                size_t *n);
enum store_result store_assignment_each(
	struct store *s, bool (*fn)(const struct store_assignment *a, void *arg),
	void *arg);
/* Conflicts in id order (loading the recusal index). */
enum store_result store_conflict_each(
	struct store *s, bool (*fn)(const struct store_conflict *c, void *arg),
	void *arg);

/* --- statistics (stats, PROTOCOL.md 7.12.8; store_stats.c) ----------- */
struct store_drawn {
	int64_t expert;
	int64_t seats;          /* every seat the expert was given, any state */
};
/* The experts with the most seats, most first (ties: lower id first), at
 * most limit of them; *out malloc'd (caller frees, also on error). */
enum store_result store_stats_most_drawn(struct store *s, int64_t limit,
                                         struct store_drawn **out, size_t *n);
/* Every seat transition counted: fn once per distinct (event, reason),
 * where reason is the decline reason for "decline" and "" for every other
 * event. Stops early, with STORE_OK, when fn returns false. */
enum store_result store_stats_seat_events(
	struct store *s,
	bool (*fn)(const char *event, const char *reason, int64_t count, void *arg),
	void *arg);
/* Draw attempts recorded: successful and failed. */
enum store_result store_stats_draws(struct store *s, int64_t *ok, int64_t *failed);
/* fn with the audit entry body (a transcript) of every successful draw
 * attempt, by draw id, one at a time; body is borrowed for the call.
 * Stops early, with STORE_OK, when fn returns false. */
enum store_result store_stats_each_draw_body(
	struct store *s, bool (*fn)(const void *body, size_t len, void *arg),
	void *arg);

#endif
