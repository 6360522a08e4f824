/*
 * store_int.h - private to store*.c: the store object and the schema
 * migration entry point. Nothing else includes this.
 */
#ifndef EXPERTD_STORE_INT_H
#define EXPERTD_STORE_INT_H

#include <stdbool.h>

#include "db.h"

#include "sign.h"
#include "store.h"

#define EXPERT_COLS \
	"id, resident_id, name, sex, phone, birth_day, employer, employer_code," \
	" recommender_code, specialties, group_types, task_types, title," \
	" qualification, assess_years, training_years, relaxations, leader," \
	" position, email, status, suspended_until, term, created_at, updated_at," \
	" joined_term, age_exception, relax_evidence, relax_by, relax_at," \
	" age_reason, age_by, age_at, appointment, relax_occupations," \
	" eligible_specialties"

/* What the pool keeps of an expert (store_pool_each()): read for every
 * expert at start, so no personal data and no text a draw never reads. */
#define EXPERT_COLS_POOL \
	"id, birth_day, employer_code, recommender_code, specialties, group_types," \
	" task_types, relaxations, age_exception, leader, eligible_specialties," \
	" status, appointment, suspended_until, term, joined_term"

#define TASK_COLS \
	"id, bureau, created_by, kind, subject, specialty, group_type, members," \
	" leader, backups, orgs, start_at, end_at, district, exclude, note," \
	" nonce, state, created_at, respond_within, fill, cancel_reason," \
	" leader_expert, leader_reason, respond_reason"

#define ORG_COLS "id, key, name, code, kinds, merged_into"

#define ASSIGN_COLS \
	"id, task_id, expert_id, draw_id, role, seat, state, created_at, updated_at," \
	" deadline, token_hash, quota"

/* Every statement the store runs, prepared once on first use. */
#define STORE_STATEMENTS(X) \
	X(STMT_USER_VERSION, "PRAGMA user_version") \
	/* The read snapshot of the work after a commit (store_read_begin()). */ \
	X(STMT_READ_BEGIN, "BEGIN DEFERRED") \
	X(STMT_READ_END, "COMMIT") \
	X(STMT_REQUEST_FIND, "SELECT body_hash, reply FROM requests" \
	  " WHERE principal = ?1 AND request_id = ?2") \
	/* The oldest records first, a bounded walk by rowid (ids grow with \
	 * time): a daily prune never scans the whole table. */ \
	X(STMT_REQUEST_PRUNE, "DELETE FROM requests WHERE id IN (SELECT id FROM" \
	  " (SELECT id, at FROM requests ORDER BY id LIMIT ?2) WHERE at < ?1)") \
	X(STMT_REQUEST_SAVE, "INSERT INTO requests(principal, request_id, op," \
	  " body_hash, reply, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)") \
	X(STMT_TERM_INSERT, "INSERT INTO terms(number, start_day, end_day," \
	  " opened_at, opened_by) VALUES (?1, ?2, ?3, ?4, ?5)") \
	X(STMT_TERM_LIST, "SELECT number, start_day, end_day, opened_at, 0" \
	  " FROM terms ORDER BY number") \
	X(STMT_EXPERT_INSERT, "INSERT INTO experts(" EXPERT_COLS ", resident_ix)" \
	  " VALUES (?1," \
	  " ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16," \
	  " ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30," \
	  " ?31, ?32, ?33, ?35, ?36, ?37, ?34)") \
	X(STMT_EXPERT_UPDATE, "UPDATE experts SET resident_id = ?2, name = ?3," \
	  " sex = ?4, phone = ?5, birth_day = ?6, employer = ?7," \
	  " employer_code = ?8, recommender_code = ?9, specialties = ?10," \
	  " group_types = ?11, task_types = ?12, title = ?13, qualification = ?14," \
	  " assess_years = ?15, training_years = ?16, relaxations = ?17," \
	  " leader = ?18, position = ?19, email = ?20, status = ?21," \
	  " suspended_until = ?22, term = ?23, created_at = ?24, updated_at = ?25," \
	  " joined_term = ?26, age_exception = ?27, relax_evidence = ?28," \
	  " relax_by = ?29, relax_at = ?30, age_reason = ?31, age_by = ?32," \
	  " age_at = ?33, resident_ix = ?34, appointment = ?35," \
	  " relax_occupations = ?36, eligible_specialties = ?37 WHERE id = ?1") \
	X(STMT_EXPERT_GET, "SELECT " EXPERT_COLS " FROM experts WHERE id = ?1") \
	X(STMT_EXPERT_POOL, "SELECT " EXPERT_COLS_POOL " FROM experts ORDER BY id") \
	X(STMT_EXPERT_BY_RESIDENT, "SELECT id FROM experts WHERE resident_ix = ?1") \
	X(STMT_EXPERT_MAX_ID, "SELECT coalesce(max(id), 0) FROM experts") \
	/* Only what an event or a notification carries: a whole row is about \
	 * thirty columns copied into a struct of kilobytes. */ \
	X(STMT_EXPERT_NAME, "SELECT name FROM experts WHERE id = ?1") \
	X(STMT_EXPERT_CONTACT, "SELECT name, phone, employer FROM experts" \
	  " WHERE id = ?1") \
	X(STMT_EVENT_ADD, "INSERT INTO expert_events(expert_id, at, actor, event," \
	  " reason, until_day, detail, ground, referral, ground_label, ground_label_en)" \
	  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)") \
	X(STMT_EVENT_LIST, "SELECT expert_id, at, actor, event, reason," \
	  " until_day, detail, ground, referral, ground_label, ground_label_en" \
	  " FROM expert_events" \
	  " WHERE expert_id = ?1 ORDER BY id") \
	X(STMT_CONFLICT_INSERT, "INSERT INTO conflicts(id, expert_id, org_code," \
	  " kind, valid_from, valid_to, reason, created_at, created_by)" \
	  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)") \
	X(STMT_CONFLICT_MAX_ID, "SELECT coalesce(max(id), 0) FROM conflicts") \
	X(STMT_AWAY_INSERT, "INSERT INTO unavailability(id, expert_id, from_day," \
	  " to_day, reason, channel, created_at, created_by)" \
	  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)") \
	X(STMT_AWAY_MAX_ID, "SELECT coalesce(max(id), 0) FROM unavailability") \
	X(STMT_AWAY_LIST, "SELECT id, expert_id, from_day, to_day, reason, channel," \
	  " created_at, created_by, withdrawn FROM unavailability" \
	  " WHERE (?1 = 0 OR expert_id = ?1) ORDER BY id") \
	X(STMT_AWAY_GET, "SELECT id, expert_id, from_day, to_day, reason, channel," \
	  " created_at, created_by, withdrawn FROM unavailability WHERE id = ?1") \
	X(STMT_AWAY_CHANGE, "UPDATE unavailability SET from_day = ?2, to_day = ?3," \
	  " withdrawn = ?4 WHERE id = ?1") \
	X(STMT_CONFLICT_LIST, "SELECT id, expert_id, org_code, kind, valid_from," \
	  " valid_to, reason, created_at, created_by FROM conflicts" \
	  " WHERE (?1 = 0 OR expert_id = ?1) AND (?2 = '' OR org_code = ?2)" \
	  " ORDER BY id") \
	/* "code != ''" lets the plan use orgs_by_code, a partial index on \
	 * the codes that are not ''; without it every lookup (two a draw: \
	 * its orgs, the notification's organiser) scanned the table. An \
	 * empty code names no organisation. */ \
	X(STMT_ORG_BY_CODE, "SELECT " ORG_COLS " FROM orgs WHERE code = ?1" \
	  " AND code != ''") \
	X(STMT_ORG_BY_KEY, "SELECT " ORG_COLS " FROM orgs WHERE key = ?1") \
	X(STMT_ORG_BY_ID, "SELECT " ORG_COLS " FROM orgs WHERE id = ?1") \
	X(STMT_ORG_BY_MATCH, "SELECT " ORG_COLS " FROM orgs WHERE id =" \
	  " (SELECT org FROM org_names WHERE match = ?1)") \
	X(STMT_ORG_MAX_ID, "SELECT coalesce(max(id), 0) FROM orgs") \
	X(STMT_ORG_INSERT, "INSERT INTO orgs(id, key, name, code, kinds," \
	  " merged_into, created_at) VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6)") \
	X(STMT_ORG_NAME_ADD, "INSERT INTO org_names(match, org, name)" \
	  " VALUES (?1, ?2, ?3)") \
	X(STMT_ORG_SET_CODE, "UPDATE orgs SET code = ?2 WHERE id = ?1") \
	X(STMT_ORG_ADD_KINDS, "UPDATE orgs SET kinds = kinds | ?2 WHERE id = ?1") \
	X(STMT_ORG_EMPLOYEES, "SELECT count(*) FROM experts WHERE employer_code = ?1") \
	X(STMT_ORG_RECOMMENDED, "SELECT count(*) FROM experts" \
	  " WHERE recommender_code = ?1") \
	X(STMT_ORG_ALIASES, "SELECT name FROM org_names WHERE org = ?1" \
	  " AND name != ?2 ORDER BY id") \
	X(STMT_ORG_NAME_ALL, "SELECT n.match, n.name, o.key FROM org_names n" \
	  " JOIN orgs o ON o.id = n.org ORDER BY n.id") \
	X(STMT_ORG_LIST, "SELECT " ORG_COLS " FROM orgs o WHERE merged_into = 0" \
	  " AND (?1 = '' OR EXISTS (SELECT 1 FROM org_names n WHERE n.org = o.id" \
	  " AND instr(n.match, ?1) > 0)) ORDER BY id LIMIT ?2 OFFSET ?3") \
	X(STMT_ORG_LIST_COUNT, "SELECT count(*) FROM orgs o WHERE merged_into = 0" \
	  " AND (?1 = '' OR EXISTS (SELECT 1 FROM org_names n WHERE n.org = o.id" \
	  " AND instr(n.match, ?1) > 0))") \
	X(STMT_ORG_MERGE_NAMES, "UPDATE org_names SET org = ?2 WHERE org = ?1") \
	X(STMT_ORG_MERGE_MARK, "UPDATE orgs SET merged_into = ?2 WHERE id = ?1") \
	X(STMT_ORG_MERGE_EMPLOYER, "UPDATE experts SET employer_code = ?2" \
	  " WHERE employer_code = ?1") \
	X(STMT_ORG_MERGE_RECOMMENDER, "UPDATE experts SET recommender_code = ?2" \
	  " WHERE recommender_code = ?1") \
	X(STMT_ORG_MERGE_CONFLICTS, "UPDATE conflicts SET org_code = ?2" \
	  " WHERE org_code = ?1") \
	/* tasks.orgs is '|'-joined keys (never '%' or '_' in a key) */ \
	/* twice: one pass skips the second of two adjacent matches */ \
	X(STMT_ORG_MERGE_TASKS, "UPDATE tasks SET orgs = trim(replace(replace('|'" \
	  " || orgs || '|', '|' || ?1 || '|', '|' || ?2 || '|'), '|' || ?1 || '|'," \
	  " '|' || ?2 || '|'), '|')" \
	  " WHERE '|' || orgs || '|' LIKE '%|' || ?1 || '|%'") \
	X(STMT_IMPORT_CREATE, "INSERT INTO imports(id, principal, skip_invalid," \
	  " state, created_at, finished_at, age_lines, age_reason, appointed)" \
	  " VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7, ?8)") \
	X(STMT_IMPORT_GET, "SELECT id, principal, skip_invalid, state, created_at," \
	  " rows, invalid, age_lines, age_reason, appointed FROM imports" \
	  " WHERE id = ?1") \
	X(STMT_APPOINT_GET, "SELECT recommender_kind, review_by, review_at," \
	  " review_text, decision_by, decision_at, decision_text, certificate," \
	  " certificate_day FROM appointments WHERE expert_id = ?1") \
	X(STMT_APPOINT_PUT, "INSERT INTO appointments(expert_id," \
	  " recommender_kind, review_by, review_at, review_text, decision_by," \
	  " decision_at, decision_text, certificate, certificate_day)" \
	  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)" \
	  " ON CONFLICT(expert_id) DO UPDATE SET" \
	  " recommender_kind = excluded.recommender_kind," \
	  " review_by = excluded.review_by, review_at = excluded.review_at," \
	  " review_text = excluded.review_text, decision_by = excluded.decision_by," \
	  " decision_at = excluded.decision_at," \
	  " decision_text = excluded.decision_text," \
	  " certificate = excluded.certificate," \
	  " certificate_day = excluded.certificate_day") \
	X(STMT_FORM_GET, "SELECT education, politics, ethnicity, occupation," \
	  " qualification_occupation, title_field, address, postcode, landline," \
	  " experience, achievements, recommendation FROM expert_forms" \
	  " WHERE expert_id = ?1") \
	X(STMT_FORM_PUT, "INSERT INTO expert_forms(expert_id, education," \
	  " politics, ethnicity, occupation, qualification_occupation, title_field," \
	  " address, postcode, landline, experience, achievements, recommendation)" \
	  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)" \
	  " ON CONFLICT(expert_id) DO UPDATE SET education = excluded.education," \
	  " politics = excluded.politics, ethnicity = excluded.ethnicity," \
	  " occupation = excluded.occupation," \
	  " qualification_occupation = excluded.qualification_occupation," \
	  " title_field = excluded.title_field, address = excluded.address," \
	  " postcode = excluded.postcode, landline = excluded.landline," \
	  " experience = excluded.experience, achievements = excluded.achievements," \
	  " recommendation = excluded.recommendation") \
	X(STMT_IMPORT_COUNT, "UPDATE imports SET rows = rows + 1," \
	  " invalid = invalid + ?2 WHERE id = ?1") \
	X(STMT_IMPORT_MAX_ID, "SELECT coalesce(max(id), 0) FROM imports") \
	X(STMT_IMPORT_FINISH, "UPDATE imports SET state = ?2, finished_at = ?3" \
	  " WHERE id = ?1") \
	/* An ended import's rows keep their line and problem only. */ \
	X(STMT_IMPORT_PURGE, "UPDATE import_rows SET resident_id = x'', row = x''" \
	  " WHERE import_id = ?1") \
	/* A line sent twice changes nothing and says so (no row changed), \
	 * rather than failing: on PostgreSQL a failed statement would end \
	 * the whole transaction. */ \
	X(STMT_IMPORT_ADD_ROW, "INSERT INTO import_rows(import_id, line," \
	  " resident_id, row, field, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6)" \
	  " ON CONFLICT(import_id, line) DO NOTHING") \
	/* Every row whose resident ID is itself valid is staged with it, \
	 * whatever else is wrong with the row (issue #12). Without statistics the planner would walk the whole import by its \
	 * primary key, making an import quadratic. */ \
	X(STMT_IMPORT_FIND_RESIDENT, "SELECT line FROM import_rows" \
	  " INDEXED BY import_rows_by_resident" \
	  " WHERE import_id = ?1 AND resident_id = ?2 LIMIT 1") \
	X(STMT_AUDIT_LAST, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1") \
	X(STMT_AUDIT_INSERT, "INSERT INTO audit(seq, at, type, body, prev_hash," \
	  " hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6)") \
	X(STMT_AUDIT_LIST, "SELECT seq, at, type, body, prev_hash, hash FROM audit" \
	  " WHERE seq > ?1 ORDER BY seq LIMIT ?2") \
	X(STMT_AUDIT_GET, "SELECT seq, at, type, body, prev_hash, hash FROM audit" \
	  " WHERE seq = ?1") \
	X(STMT_META_GET, "SELECT value FROM meta WHERE key = ?1") \
	X(STMT_META_PUT, "INSERT INTO meta(key, value) VALUES (?1, ?2)" \
	  " ON CONFLICT(key) DO UPDATE SET value = excluded.value") \
	X(STMT_TASK_INSERT, "INSERT INTO tasks(" TASK_COLS ") VALUES (?1, ?2," \
	  " ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17," \
	  " ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)") \
	X(STMT_TASK_FILL, "UPDATE tasks SET fill = ?2 WHERE id = ?1") \
	X(STMT_TASK_CANCEL, "UPDATE tasks SET state = ?2, fill = ?3," \
	  " cancel_reason = ?4 WHERE id = ?1") \
	X(STMT_TASK_GET, "SELECT " TASK_COLS " FROM tasks WHERE id = ?1") \
	X(STMT_TASK_BRIEF, "SELECT bureau, kind, coalesce((SELECT specialty" \
	  " FROM task_quotas WHERE task_id = ?1 AND idx = ?2), specialty)," \
	  " start_at, end_at, district, note FROM tasks WHERE id = ?1") \
	X(STMT_TASK_ALL, "SELECT " TASK_COLS " FROM tasks ORDER BY id") \
	X(STMT_TASK_STATE, "UPDATE tasks SET state = ?2 WHERE id = ?1") \
	X(STMT_TASK_MAX_ID, "SELECT coalesce(max(id), 0) FROM tasks") \
	/* One statement per case: "?1 = '' OR bureau = ?1" would defeat the \
	 * index and scan every bureau's tasks. */ \
	X(STMT_TASK_LIST_ALL, "SELECT id FROM tasks ORDER BY id DESC" \
	  " LIMIT ?3 OFFSET ?2") \
	X(STMT_TASK_LIST, "SELECT id FROM tasks WHERE bureau = ?1" \
	  " ORDER BY id DESC LIMIT ?3 OFFSET ?2") \
	X(STMT_TASK_COUNT_ALL, "SELECT count(*) FROM tasks") \
	X(STMT_TASK_COUNT, "SELECT count(*) FROM tasks WHERE bureau = ?1") \
	X(STMT_DRAW_INSERT, "INSERT INTO draws(id, task_id, kind, ok, audit_seq," \
	  " actor, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)") \
	X(STMT_DRAW_MAX_ID, "SELECT coalesce(max(id), 0) FROM draws") \
	X(STMT_DRAW_LIST, "SELECT id, coalesce(task_id, 0), kind, ok, audit_seq," \
	  " actor, at FROM draws WHERE task_id = ?1 ORDER BY id") \
	X(STMT_ASSIGN_INSERT, "INSERT INTO assignments(" ASSIGN_COLS ")" \
	  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)") \
	X(STMT_ASSIGN_STATE, "UPDATE assignments SET state = ?2, updated_at = ?3," \
	  " token_hash = NULL WHERE id = ?1") \
	X(STMT_ASSIGN_UPDATE, "UPDATE assignments SET state = ?2, role = ?3," \
	  " deadline = ?4, token_hash = ?5, updated_at = ?6 WHERE id = ?1") \
	X(STMT_ASSIGN_GET, "SELECT " ASSIGN_COLS " FROM assignments WHERE id = ?1") \
	X(STMT_TOKEN_SPENT, "SELECT assignment_id, why FROM spent_tokens WHERE hash = ?1") \
	X(STMT_ASSIGN_DUE, "SELECT " ASSIGN_COLS " FROM assignments" \
	  " INDEXED BY assignments_due WHERE state = 0 AND deadline <= ?1" \
	  " ORDER BY deadline, id LIMIT 1") \
	/* deadline > 0: 0 is "no deadline" to the caller, never a time. */ \
	X(STMT_ASSIGN_NEXT_DUE, "SELECT coalesce(min(deadline), 0) FROM assignments" \
	  " INDEXED BY assignments_due WHERE state = 0 AND deadline > 0") \
	X(STMT_ASSIGN_COUNT_STATES, "SELECT state, count(*) FROM assignments" \
	  " GROUP BY state") \
	X(STMT_TASK_COUNT_FILLS, "SELECT fill, count(*) FROM tasks GROUP BY fill") \
	X(STMT_AEVENT_ADD, "INSERT INTO assignment_events(assignment_id, task_id," \
	  " at, actor, channel, event, from_state, to_state, reason, note)" \
	  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)") \
	X(STMT_AEVENT_LIST, "SELECT assignment_id, task_id, at, actor, channel," \
	  " event, coalesce(from_state, -1), to_state, reason, note" \
	  " FROM assignment_events WHERE task_id = ?1 ORDER BY id") \
	X(STMT_LEDGER_ADD, "INSERT INTO ledger(expert_id, at, kind, assignment_id," \
	  " task_id, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6)") \
	X(STMT_LEDGER_LIST, "SELECT l.expert_id, l.at, l.kind, l.assignment_id," \
	  " l.task_id, l.reason, coalesce(w.at, 0) FROM ledger AS l" \
	  " LEFT JOIN ledger_withdrawn AS w ON w.ledger_id = l.id" \
	  " WHERE l.expert_id = ?1 ORDER BY l.id") \
	/* A correction withdraws the seat's live event (PROTOCOL.md 7.12.16). */ \
	X(STMT_LEDGER_WITHDRAW, "INSERT INTO ledger_withdrawn(ledger_id, at, actor)" \
	  " SELECT id, ?2, ?3 FROM ledger WHERE expert_id = ?4 AND assignment_id = ?1" \
	  " AND id NOT IN (SELECT ledger_id FROM ledger_withdrawn)") \
	X(STMT_EXPERT_BY_STATUS, "SELECT id FROM experts WHERE status = ?1" \
	  " ORDER BY id") \
	X(STMT_ASSIGN_MAX_ID, "SELECT coalesce(max(id), 0) FROM assignments") \
	X(STMT_ASSIGN_LIST, "SELECT " ASSIGN_COLS " FROM assignments" \
	  " WHERE task_id = ?1 ORDER BY id") \
	X(STMT_ASSIGN_ALL, "SELECT " ASSIGN_COLS " FROM assignments ORDER BY id") \
	/* notify.resync (PROTOCOL.md 7.12.15): live offers whose token was \
	 * made at or after ?1, by id after ?3. */ \
	X(STMT_ASSIGN_OFFERED_SINCE, "SELECT " ASSIGN_COLS " FROM assignments" \
	  " INDEXED BY assignments_due WHERE state = 0 AND deadline > ?2" \
	  " AND updated_at >= ?1 AND id > ?3 ORDER BY id LIMIT ?4") \
	X(STMT_CONFLICT_ALL, "SELECT id, expert_id, org_code, kind, valid_from," \
	  " valid_to, reason, created_at, created_by FROM conflicts ORDER BY id") \
	/* stats (store_stats.c): whole-table counts for a rare operator call. */ \
	X(STMT_STATS_MOST_DRAWN, "SELECT expert_id, count(*) AS seats" \
	  " FROM assignments GROUP BY expert_id" \
	  " ORDER BY seats DESC, expert_id LIMIT ?1") \
	X(STMT_STATS_SEAT_EVENTS, "SELECT event," \
	  " CASE event WHEN 'decline' THEN reason ELSE '' END, count(*)" \
	  " FROM assignment_events GROUP BY 1, 2") \
	X(STMT_STATS_DRAWS, "SELECT ok, count(*) FROM draws GROUP BY ok") \
	X(STMT_STATS_DRAW_BODIES, "SELECT a.body FROM draws AS d" \
	  " JOIN audit AS a ON a.seq = d.audit_seq WHERE d.ok = 1 ORDER BY d.id") \
	/* The occupation catalogue (store_catalog.c): an entry's row once per \
	 * alias (once with NULL when it has none), by id and alias order. */ \
	X(STMT_CATALOG_ALL, "SELECT o.id, o.name, o.code, o.group_types, a.alias" \
	  " FROM occupations AS o LEFT JOIN occupation_aliases AS a" \
	  " ON a.occupation_id = o.id ORDER BY o.id, a.seq") \
	X(STMT_CATALOG_PUT, "INSERT INTO occupations(id, name, code, group_types," \
	  " updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)" \
	  " ON CONFLICT(id) DO UPDATE SET code = excluded.code," \
	  " group_types = excluded.group_types, updated_at = excluded.updated_at," \
	  " updated_by = excluded.updated_by") \
	X(STMT_CATALOG_ALIASES_CLEAR, "DELETE FROM occupation_aliases" \
	  " WHERE occupation_id = ?1") \
	X(STMT_CATALOG_ALIAS_ADD, "INSERT INTO occupation_aliases(occupation_id," \
	  " seq, alias) VALUES (?1, ?2, ?3)") \
	X(STMT_META_DELETE, "DELETE FROM meta WHERE key = ?1") \
	/* a mixed panel's quotas (store_quota.c) */ \
	X(STMT_QUOTA_INSERT, "INSERT INTO task_quotas(task_id, idx, specialty," \
	  " group_type, members, backups) VALUES (?1, ?2, ?3, ?4, ?5, ?6)") \
	X(STMT_QUOTA_LIST, "SELECT specialty, group_type, members, backups" \
	  " FROM task_quotas WHERE task_id = ?1 ORDER BY idx")

enum store_stmt {
#define X(id, sql) id,
	STORE_STATEMENTS(X)
#undef X
	STMT__COUNT
};

struct store {
	struct db *db;
	struct db_stmt *stmts[STMT__COUNT];
	int lock_fd;      /* dblock.h: held from before the open to after close */
	/* store_pii_start(): the key that seals personal data, and the one
	 * that opens it (the previous key on a read-only daemon that has not
	 * resealed yet). NULL before: nothing personal is written or read. */
	const struct sign_key *pii_write, *pii_read;
	const char *doing; /* the SQL last run, for store_describe_damage() */
	int scanning;      /* store_cache_scan() depth: > 0, the cache is small */
};

/*
 * Personal data (pii.h) in and out of statements, in store_pii.c. The
 * associated data names the place: "<table>.<column>:<row key>".
 */
#define STORE_PII_AD_MAX 192
/* Bind m (n bytes) sealed under the write key at i; false with no key. */
bool store_bind_sealed(struct store *s, struct db_stmt *st, int i, const char *ad,
                       const void *m, size_t n);
/* Bind text value's blind index in the domain what at i. */
bool store_bind_index(struct store *s, struct db_stmt *st, int i, const char *what,
                      const char *value);
/* Column i opened under the read key into buf (NUL-terminated), or
 * copied as it is when it was stored clear (before schema 10); *len gets
 * its length. False when a sealed value does not open (another key, or
 * moved) or does not fit. */
/* pii_reseal's step for expert_forms (store_appoint.c). */
bool store_forms_reseal(struct store *s);
bool store_column_opened(struct store *s, struct db_stmt *st, int i, const char *ad,
                         void *buf, size_t size, size_t *len);
/* A recorded reply's place: its principal and request id (store.c). */
void store_request_ad(char ad[STORE_PII_AD_MAX], const char *principal,
                      const char *request_id);

/* A reset, cleared statement ready to bind, or NULL if it cannot be
 * prepared (then the database is unusable: report STORE_NOT_WRITABLE). */
struct db_stmt *store_stmt(struct store *s, enum store_stmt id);
enum store_result store_result_of(int sqlite_rc);
/* Step a statement that returns no rows, then reset it. */
enum store_result store_step_done(struct db_stmt *st);
/*
 * The same for a write whose caller only needs "done, else the batch
 * fails" (db_step_deferred()): in a PostgreSQL batch it is sent without
 * waiting and STORE_OK comes back at once; if it failed, the batch is
 * broken and rolled back whole. Never for a write whose caller reads
 * db_changes(), tells STORE_DUPLICATE from other failures, or reads rows.
 */
enum store_result store_step_deferred(struct db_stmt *st);
void store_bind_text(struct db_stmt *st, int i, const char *s);
/* Copy a text column into buf, "" for NULL. */
void store_column_copy(struct db_stmt *st, int i, char *buf, size_t size);
/* The first column of the first row of a one-value query, 0 if none. */
int64_t store_single_int(struct store *s, enum store_stmt id);

/*
 * Reading rows. A store_row_fn copies the current row of st into row
 * (column pointers die at the next step); false means out of memory.
 * Each reader below takes a bound statement, or NULL when store_stmt()
 * failed (then STORE_NOT_WRITABLE), and resets it before returning.
 * Errors map through store_result_of(); out of memory is SQLITE_NOMEM,
 * so STORE_NOT_WRITABLE.
 */
typedef bool (*store_row_fn)(struct db_stmt *st, void *row);
/* One row into row; STORE_NOT_FOUND if there is none. */
enum store_result store_row(struct db_stmt *st, store_row_fn fn, void *row);
/* Every row into a malloc'd array of size-byte elements (caller frees,
 * even on error: it holds the rows read so far). */
enum store_result store_rows(struct db_stmt *st, size_t size, store_row_fn fn,
                             void **out, size_t *n);
/* Every row into the caller's buffer row, then cb(row, arg); stops early,
 * with STORE_OK, when cb returns false. cb must not use st: a callback
 * that calls other store functions needs a dedicated statement. */
enum store_result store_each_row(struct db_stmt *st, store_row_fn fn, void *row,
                                 bool (*cb)(const void *row, void *arg), void *arg);
/*
 * The glue between a typed each function and store_each_row():
 * STORE_EACH_ADAPTER(pool_each, struct pool_record) defines struct pool_each
 * { fn, arg } and pool_each_cb(), which hands the row to fn as that type
 * (calling fn through a cast pointer instead would be undefined). Used at
 * file scope, without a semicolon.
 */
#define STORE_EACH_ADAPTER(name, type) \
	struct name { \
		bool (*fn)(const type *row, void *arg); \
		void *arg; \
	}; \
	static bool name##_cb(const void *row, void *arg) \
	{ \
		const struct name *x = arg; \
		return x->fn(row, x->arg); \
	}
/* A store_row_fn: an ASSIGN_COLS row into a struct store_assignment. */
bool store_column_assignment(struct db_stmt *st, void *row);
/* A mixed task's quotas (store_quota.c): written with the task, read
 * back into t (t->n_quotas 0 when it has none). */
enum store_result store_task_quotas_put(struct store *s, const struct task *t);
enum store_result store_task_quotas_get(struct store *s, struct task *t);
/* A store_row_fn: the first column into an int64_t. */
bool store_row_int64(struct db_stmt *st, void *row);

/* Schema version this binary writes; PRAGMA user_version holds it. */
#define STORE_SCHEMA_VERSION 16

/* The meta row that asks store_open() to seed the occupation catalogue
 * (set by the migration that creates it, removed by the seeding). */
#define STORE_CATALOG_SEED_KEY "catalog.seed"
/*
 * Seed the catalogue if STORE_CATALOG_SEED_KEY asks for it: the starter
 * list, then the names experts already hold (catalog_adopt()), all in one
 * transaction with the flag's removal. Returns 0 or a <sysexits.h> code
 * with err set.
 */
int store_catalog_seed(struct store *s, char *err, size_t errsz);

/*
 * Bring db from its user_version up to STORE_SCHEMA_VERSION, one
 * migration per step, each in its own transaction. Returns 0 or a
 * <sysexits.h> code with err set.
 */
int store_schema_migrate(sqlite3 *db, char *err, size_t errsz);
/* PostgreSQL's: schema 16 made at once on an empty database, or schema 15
 * brought to 16 (store_pg_schema.c), same codes. */
struct db;
int store_pg_migrate(struct db *db, char *err, size_t errsz);

/* Before anything is written: EX_DATAERR (err set) when db is not a
 * database, or is another application's (tables but no expertd schema:
 * expertd(8) promises to leave it alone); else 0. */
int store_schema_refuse_foreign(sqlite3 *db, char *err, size_t errsz);

/* The PostgreSQL schema at STORE_SCHEMA_VERSION, created on an empty
 * database under a transaction-scoped advisory lock (store_pg_schema.c).
 * 0, or a <sysexits.h> code with err set: EX_DATAERR for another
 * application's tables or a newer schema, EX_IOERR. */
int store_pg_migrate(struct db *db, char *err, size_t errsz);

#endif
