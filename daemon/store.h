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
 * returns STORE_OK.
 */
#ifndef EXPERTD_STORE_H
#define EXPERTD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "expert.h"

/* Outcomes of store operations. */
enum store_result {
	STORE_OK,           /* done (durable once the batch commits) */
	STORE_NOT_FOUND,
	STORE_DUPLICATE,    /* a unique key (request id, resident ID) exists */
	STORE_NOT_WRITABLE, /* disk full, read-only, busy: nothing was applied */
	STORE_UNKNOWN,      /* the outcome cannot be known (I/O error at commit) */
};

struct store;

/*
 * Open (creating if needed) the database at path, migrate it forward to the
 * current schema, and check it. Returns 0 and *out, or a <sysexits.h> code
 * with err set: EX_CANTCREAT (cannot open/create), EX_DATAERR (schema newer
 * than this binary, or not an expertd database), EX_IOERR.
 */
int store_open(const char *path, struct store **out, char *err, size_t errsz);
/* NULL-safe; clears *s. Rolls back an open transaction. */
void store_close(struct store **s);
int store_schema_version(struct store *s);
/* The last SQLite error text, for logs. */
const char *store_errmsg(struct store *s);

/* Group commit. */
enum store_result store_batch_begin(struct store *s);
enum store_result store_request_begin(struct store *s);
/* keep=false rolls the request's savepoint back; either way it is closed. */
void store_request_end(struct store *s, bool keep);
/* COMMIT; on failure the whole batch is rolled back. */
enum store_result store_batch_commit(struct store *s);

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

/* --- terms ------------------------------------------------------------ */
struct store_term {
	int number;
	int32_t start, end;  /* day numbers, inclusive */
	int64_t opened_at;
	int64_t experts;     /* experts serving in it (filled by term_list) */
};
enum store_result store_term_insert(struct store *s, const struct store_term *t,
                                    const char *actor);
/* All terms by number; *out is malloc'd (caller frees). */
enum store_result store_term_list(struct store *s, struct store_term **out,
                                  size_t *n);

/* --- experts ---------------------------------------------------------- */
enum store_result store_expert_insert(struct store *s, const struct expert *e);
enum store_result store_expert_update(struct store *s, const struct expert *e);
enum store_result store_expert_get(struct store *s, int64_t id, struct expert *out);
enum store_result store_expert_find_resident(struct store *s, const char *resident_id,
                                             int64_t *id);
int64_t store_expert_max_id(struct store *s);
/* Call fn for every expert in id order (loading the pool); stops early
 * when fn returns false. */
enum store_result store_expert_each(struct store *s,
                                    bool (*fn)(const struct expert *e, void *arg),
                                    void *arg);

/* History rows: who did what to an expert, when and why. */
struct store_event {
	int64_t expert_id;
	int64_t at;
	char actor[64];
	char event[32];      /* imported, updated, suspended, reinstated, ... */
	char reason[513];    /* "" if none */
	int32_t until;       /* day number or 0 */
	char detail[129];    /* "" if none */
};
enum store_result store_event_add(struct store *s, const struct store_event *ev);
/* Events of one expert, oldest first; *out malloc'd. */
enum store_result store_event_list(struct store *s, int64_t expert_id,
                                   struct store_event **out, size_t *n);

/* --- conflicts ---------------------------------------------------------- */
struct store_conflict {
	int64_t id;
	int64_t expert_id;
	char org_code[19];
	int kind;            /* index into proto_conflict_kinds[] */
	int32_t valid_from;
	int32_t valid_to;    /* 0 = open-ended */
	char reason[513];
	int64_t created_at;
	char created_by[64];
};
enum store_result store_conflict_insert(struct store *s, const struct store_conflict *c);
int64_t store_conflict_max_id(struct store *s);
/* Filter by expert (0 = any) and org code ("" = any); *out malloc'd. */
enum store_result store_conflict_list(struct store *s, int64_t expert_id,
                                      const char *org_code,
                                      struct store_conflict **out, size_t *n);

/* --- roster imports ------------------------------------------------------ */
enum store_import_state { STORE_IMPORT_OPEN, STORE_IMPORT_COMMITTED,
                          STORE_IMPORT_ABORTED };
struct store_import {
	int64_t id;
	char principal[64];
	bool skip_invalid;
	int state;
	int64_t created_at;
	int64_t rows, invalid;  /* counts, filled by store_import_get */
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

#endif
