/*
 * store_schema.c - the database schema and its forward migrations. Each
 * entry of migrations[] takes the schema from version i to i+1; entries are
 * never edited once released, only appended. History tables refuse DELETE
 * (and event rows refuse UPDATE) so nothing about an expert is ever lost.
 */
#include <stdbool.h>
#include <stdio.h>
#include <sysexits.h>

#include "store_int.h"

/* Version 1, in chunks (C limits the length of one string literal). */
static const char *const schema_v1[] = {
	/* the pool, its history, terms, conflicts */
	"CREATE TABLE terms("
	"  number INTEGER PRIMARY KEY,"
	"  start_day INTEGER NOT NULL,"
	"  end_day INTEGER NOT NULL,"
	"  opened_at INTEGER NOT NULL,"
	"  opened_by TEXT NOT NULL);"
	"CREATE TABLE experts("
	"  id INTEGER PRIMARY KEY,"
	"  resident_id TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL,"
	"  sex INTEGER NOT NULL,"
	"  phone TEXT NOT NULL,"
	"  birth_day INTEGER NOT NULL,"
	"  employer TEXT NOT NULL,"
	"  employer_code TEXT NOT NULL,"
	"  recommender_code TEXT NOT NULL,"
	"  specialties TEXT NOT NULL,"      /* '|'-joined, 1-3 names */
	"  group_types INTEGER NOT NULL,"
	"  task_types INTEGER NOT NULL,"
	"  title INTEGER NOT NULL,"
	"  qualification INTEGER NOT NULL,"
	"  assess_years INTEGER NOT NULL,"
	"  training_years INTEGER NOT NULL,"
	"  relaxations INTEGER NOT NULL,"
	"  leader INTEGER NOT NULL,"
	"  position TEXT NOT NULL,"
	"  email TEXT NOT NULL,"
	"  status INTEGER NOT NULL,"
	"  suspended_until INTEGER NOT NULL,"
	"  term INTEGER NOT NULL REFERENCES terms(number),"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  joined_term INTEGER NOT NULL REFERENCES terms(number));"
	"CREATE TABLE expert_events("
	"  id INTEGER PRIMARY KEY,"
	"  expert_id INTEGER NOT NULL REFERENCES experts(id),"
	"  at INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  event TEXT NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  until_day INTEGER NOT NULL,"
	"  detail TEXT NOT NULL);"
	"CREATE INDEX expert_events_by_expert ON expert_events(expert_id, id);"
	"CREATE TABLE conflicts("
	"  id INTEGER PRIMARY KEY,"
	"  expert_id INTEGER NOT NULL REFERENCES experts(id),"
	"  org_code TEXT NOT NULL,"
	"  kind INTEGER NOT NULL,"
	"  valid_from INTEGER NOT NULL,"
	"  valid_to INTEGER NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  created_by TEXT NOT NULL);"
	"CREATE INDEX conflicts_by_expert ON conflicts(expert_id);"
	"CREATE INDEX conflicts_by_org ON conflicts(org_code);",
	/* retried requests and staged imports */
	"CREATE TABLE requests("
	"  principal TEXT NOT NULL,"
	"  request_id TEXT NOT NULL,"
	"  op TEXT NOT NULL,"
	"  body_hash BLOB NOT NULL,"
	"  reply BLOB NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  PRIMARY KEY(principal, request_id)) WITHOUT ROWID;"
	"CREATE TABLE imports("
	"  id INTEGER PRIMARY KEY,"
	"  principal TEXT NOT NULL,"
	"  skip_invalid INTEGER NOT NULL,"
	"  state INTEGER NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  finished_at INTEGER NOT NULL,"
	"  rows INTEGER NOT NULL DEFAULT 0,"      /* kept as rows arrive: */
	"  invalid INTEGER NOT NULL DEFAULT 0);"  /* no rescans per batch */
	"CREATE TABLE import_rows("
	"  import_id INTEGER NOT NULL REFERENCES imports(id),"
	"  line INTEGER NOT NULL,"
	"  resident_id TEXT NOT NULL,"
	"  row BLOB NOT NULL,"
	"  field TEXT,"
	"  error TEXT,"                          /* rows hold blobs: keep a rowid */
	"  PRIMARY KEY(import_id, line));"
	"CREATE INDEX import_rows_by_resident ON import_rows(import_id, resident_id);",
	/* tasks, draws, assignments, the audit log and its secret chain */
	"CREATE TABLE tasks("
	"  id INTEGER PRIMARY KEY,"
	"  bureau TEXT NOT NULL,"
	"  created_by TEXT NOT NULL,"
	"  kind INTEGER NOT NULL,"
	"  subject INTEGER NOT NULL,"
	"  specialty TEXT NOT NULL,"
	"  group_type INTEGER NOT NULL,"
	"  members INTEGER NOT NULL,"
	"  leader INTEGER NOT NULL,"
	"  backups INTEGER NOT NULL,"
	"  orgs TEXT NOT NULL,"               /* '|'-joined credit codes */
	"  start_at INTEGER NOT NULL,"
	"  end_at INTEGER NOT NULL,"
	"  district TEXT NOT NULL,"
	"  exclude TEXT NOT NULL,"            /* ','-joined expert ids */
	"  note TEXT NOT NULL,"
	"  nonce BLOB NOT NULL,"
	"  state INTEGER NOT NULL,"
	"  created_at INTEGER NOT NULL);"
	"CREATE INDEX tasks_by_bureau ON tasks(bureau, id);"
	"CREATE TABLE draws("
	"  id INTEGER PRIMARY KEY,"
	"  task_id INTEGER REFERENCES tasks(id),"  /* NULL: a failed first draw */
	"  kind TEXT NOT NULL,"
	"  ok INTEGER NOT NULL,"
	"  audit_seq INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  at INTEGER NOT NULL);"
	"CREATE INDEX draws_by_task ON draws(task_id, id);"
	"CREATE TABLE assignments("
	"  id INTEGER PRIMARY KEY,"
	"  task_id INTEGER NOT NULL REFERENCES tasks(id),"
	"  expert_id INTEGER NOT NULL REFERENCES experts(id),"
	"  draw_id INTEGER NOT NULL REFERENCES draws(id),"
	"  role INTEGER NOT NULL,"
	"  seat INTEGER NOT NULL,"
	"  state INTEGER NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL);"
	"CREATE INDEX assignments_by_task ON assignments(task_id, id);"
	"CREATE INDEX assignments_by_expert ON assignments(expert_id);"
	"CREATE TABLE audit("
	"  seq INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  type TEXT NOT NULL,"
	"  body BLOB NOT NULL,"
	"  prev_hash BLOB NOT NULL,"
	"  hash BLOB NOT NULL);"
	"CREATE TABLE meta("
	"  key TEXT PRIMARY KEY,"
	"  value BLOB NOT NULL) WITHOUT ROWID;"
	"CREATE TRIGGER tasks_keep BEFORE DELETE ON tasks"
	"  BEGIN SELECT RAISE(ABORT, 'tasks are never deleted'); END;"
	"CREATE TRIGGER draws_keep BEFORE DELETE ON draws"
	"  BEGIN SELECT RAISE(ABORT, 'draws are never deleted'); END;"
	"CREATE TRIGGER assignments_keep BEFORE DELETE ON assignments"
	"  BEGIN SELECT RAISE(ABORT, 'assignments are never deleted'); END;"
	"CREATE TRIGGER audit_keep BEFORE DELETE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	"CREATE TRIGGER audit_fixed BEFORE UPDATE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
	/* nothing about an expert is ever deleted */
	"CREATE TRIGGER experts_keep BEFORE DELETE ON experts"
	"  BEGIN SELECT RAISE(ABORT, 'experts are never deleted'); END;"
	"CREATE TRIGGER expert_events_keep BEFORE DELETE ON expert_events"
	"  BEGIN SELECT RAISE(ABORT, 'history is never deleted'); END;"
	"CREATE TRIGGER expert_events_fixed BEFORE UPDATE ON expert_events"
	"  BEGIN SELECT RAISE(ABORT, 'history is never edited'); END;"
	"CREATE TRIGGER conflicts_keep BEFORE DELETE ON conflicts"
	"  BEGIN SELECT RAISE(ABORT, 'conflicts are never deleted'); END;"
	"CREATE TRIGGER terms_keep BEFORE DELETE ON terms"
	"  BEGIN SELECT RAISE(ABORT, 'terms are never deleted'); END;",
	NULL,
};

/* Version 2 (issue #4): deadlines and tokens on seats, every seat
 * transition, the decline ledger, and each task's fill state. */
static const char *const schema_v2[] = {
	"ALTER TABLE tasks ADD COLUMN respond_within INTEGER NOT NULL DEFAULT 86400;"
	"ALTER TABLE tasks ADD COLUMN fill INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE tasks ADD COLUMN cancel_reason TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE assignments ADD COLUMN deadline INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE assignments ADD COLUMN token_hash BLOB;"  /* NULL: no live token */
	/* Seats offered before the upgrade had no deadline: they get the
	 * default 24 hours from now (never past their task's start), like a
	 * seat offered now, but no token: staff answer for them. */
	"UPDATE assignments SET deadline = min(CAST(strftime('%s', 'now') AS INTEGER)"
	"  + 86400, (SELECT start_at FROM tasks WHERE tasks.id = task_id))"
	"  WHERE state = 0;"
	/* offered (state 0) seats by deadline: the expiry timer's question */
	"CREATE INDEX assignments_due ON assignments(deadline, id) WHERE state = 0;"
	"CREATE TABLE assignment_events("
	"  id INTEGER PRIMARY KEY,"
	"  assignment_id INTEGER NOT NULL REFERENCES assignments(id),"
	"  task_id INTEGER NOT NULL REFERENCES tasks(id),"
	"  at INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  channel INTEGER NOT NULL,"
	"  event TEXT NOT NULL,"
	"  from_state INTEGER,"                  /* NULL: a new seat */
	"  to_state INTEGER NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  note TEXT NOT NULL);"
	"CREATE INDEX assignment_events_by_task ON assignment_events(task_id, id);"
	"CREATE TABLE ledger("
	"  id INTEGER PRIMARY KEY,"
	"  expert_id INTEGER NOT NULL REFERENCES experts(id),"
	"  at INTEGER NOT NULL,"
	"  kind INTEGER NOT NULL,"
	"  assignment_id INTEGER NOT NULL REFERENCES assignments(id),"
	"  task_id INTEGER NOT NULL REFERENCES tasks(id),"
	"  reason TEXT NOT NULL);"
	"CREATE INDEX ledger_by_expert ON ledger(expert_id, id);"
	"CREATE TRIGGER assignment_events_keep BEFORE DELETE ON assignment_events"
	"  BEGIN SELECT RAISE(ABORT, 'seat history is never deleted'); END;"
	"CREATE TRIGGER assignment_events_fixed BEFORE UPDATE ON assignment_events"
	"  BEGIN SELECT RAISE(ABORT, 'seat history is never edited'); END;"
	"CREATE TRIGGER ledger_keep BEFORE DELETE ON ledger"
	"  BEGIN SELECT RAISE(ABORT, 'the ledger is never deleted'); END;"
	"CREATE TRIGGER ledger_fixed BEFORE UPDATE ON ledger"
	"  BEGIN SELECT RAISE(ABORT, 'the ledger is never edited'); END;",
	NULL,
};

/*
 * Version 3: fewer pages written per draw. A draw's COMMIT wrote about 22
 * WAL frames, and the frames, not the bytes, are what a durable commit
 * pays for (measured: draw commits cost twice the one-row commit).
 * - assignments_by_expert put each of a panel's seats on a different,
 *   random index page (6-9 frames a draw). Its one reader, pool.show,
 *   now finds an expert's seats in the engage index, which holds every
 *   assignment in memory anyway.
 * - requests was WITHOUT ROWID, keyed by random request ids, with ~1 KB
 *   replies in the rows: each insert landed on a random leaf holding
 *   three rows and split it often (2-5 frames). Rows now append at the
 *   end of a rowid table; only the small key goes to a random index page.
 */
static const char *const schema_v3[] = {
	"DROP INDEX assignments_by_expert;"
	"CREATE TABLE requests_v3("
	"  id INTEGER PRIMARY KEY,"
	"  principal TEXT NOT NULL,"
	"  request_id TEXT NOT NULL,"
	"  op TEXT NOT NULL,"
	"  body_hash BLOB NOT NULL,"
	"  reply BLOB NOT NULL,"
	"  at INTEGER NOT NULL);"
	/* No ORDER BY: lookups go by the unique index, and a sort would hold
	 * every reply in memory at once (temp_store=MEMORY), which a
	 * long-running install's records could exhaust. */
	"INSERT INTO requests_v3(principal, request_id, op, body_hash, reply, at)"
	"  SELECT principal, request_id, op, body_hash, reply, at FROM requests;"
	"DROP TABLE requests;"
	"ALTER TABLE requests_v3 RENAME TO requests;"
	"CREATE UNIQUE INDEX requests_by_id ON requests(principal, request_id);",
	NULL,
};

/*
 * Version 4 (issue #11): the organisation registry (REGISTRY.md 2).
 * Organisations were credit codes; each code in use becomes an entry
 * keyed by itself, so stored links and the audit log read the same. Its
 * names are the employer names experts gave with it; match_key() is
 * textnorm_key() (store.c registers it before migrating).
 */
static const char *const schema_v4[] = {
	"CREATE TABLE orgs("
	"  id INTEGER PRIMARY KEY,"
	"  key TEXT NOT NULL UNIQUE,"
	"  name TEXT NOT NULL,"
	"  code TEXT NOT NULL,"
	"  kinds INTEGER NOT NULL,"
	"  merged_into INTEGER NOT NULL,"
	"  created_at INTEGER NOT NULL);"
	"CREATE UNIQUE INDEX orgs_by_code ON orgs(code) WHERE code != '';"
	"CREATE TABLE org_names("
	"  id INTEGER PRIMARY KEY,"
	"  match TEXT NOT NULL UNIQUE,"
	"  org INTEGER NOT NULL REFERENCES orgs(id),"
	"  name TEXT NOT NULL);"
	"CREATE INDEX org_names_by_org ON org_names(org);"
	"CREATE INDEX experts_by_employer ON experts(employer_code);"
	"CREATE INDEX experts_by_recommender ON experts(recommender_code);"
	"CREATE TRIGGER orgs_keep BEFORE DELETE ON orgs"
	"  BEGIN SELECT RAISE(ABORT, 'organisations are never deleted'); END;",
	/* the codes in use, with kind bits 1 employer, 2 recommender */
	"CREATE TEMP TABLE legacy(code TEXT NOT NULL, kinds INTEGER NOT NULL);"
	"INSERT INTO legacy SELECT employer_code, 1 FROM experts"
	"  WHERE employer_code != '';"
	"INSERT INTO legacy SELECT recommender_code, 2 FROM experts"
	"  WHERE recommender_code != '';"
	"INSERT INTO legacy SELECT org_code, 0 FROM conflicts;"
	"INSERT INTO legacy WITH RECURSIVE split(rest, code) AS ("
	"  SELECT orgs || '|', '' FROM tasks WHERE orgs != ''"
	"  UNION ALL SELECT substr(rest, instr(rest, '|') + 1),"
	"  substr(rest, 1, instr(rest, '|') - 1) FROM split WHERE rest != '')"
	"  SELECT code, 0 FROM split WHERE code != '';"
	"INSERT INTO orgs(key, name, code, kinds, merged_into, created_at)"
	"  SELECT code, coalesce((SELECT employer FROM experts"
	"    WHERE employer_code = code AND employer != '' ORDER BY id LIMIT 1), code),"
	"  code, max(kinds & 1) | max(kinds & 2), 0,"
	"  CAST(strftime('%s', 'now') AS INTEGER)"
	"  FROM legacy GROUP BY code ORDER BY code;"
	"INSERT OR IGNORE INTO org_names(match, org, name)"
	"  SELECT match_key('org', name), id, name FROM orgs"
	"  WHERE name != code AND match_key('org', name) IS NOT NULL ORDER BY id;"
	"INSERT OR IGNORE INTO org_names(match, org, name)"
	"  SELECT match_key('org', e.employer), o.id, e.employer"
	"  FROM experts e JOIN orgs o ON o.key = e.employer_code"
	"  WHERE match_key('org', e.employer) IS NOT NULL ORDER BY e.id;"
	"DROP TABLE legacy;",
	NULL,
};

/*
 * Version 5 (issue #11): the occupation catalogue (REGISTRY.md section
 * 3). Matching keys are not stored: the daemon computes them when it
 * loads the catalogue and keeps each key to one entry. Seeding needs the
 * starter list and catalog_adopt()'s rules for the names experts already
 * hold, so it is C, not SQL: the flag below makes store_open() seed the
 * new, empty catalogue once, in its own transaction, before anything
 * else runs.
 */
static const char *const schema_v5[] = {
	"CREATE TABLE occupations("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"          /* canonical: what experts hold */
	"  code TEXT NOT NULL,"                 /* '' = none */
	"  group_types INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"        /* 0: as seeded */
	"  updated_by TEXT NOT NULL);"
	"CREATE TABLE occupation_aliases("
	"  occupation_id INTEGER NOT NULL REFERENCES occupations(id),"
	"  seq INTEGER NOT NULL,"
	"  alias TEXT NOT NULL,"
	"  PRIMARY KEY(occupation_id, seq)) WITHOUT ROWID;"
	"CREATE TRIGGER occupations_keep BEFORE DELETE ON occupations"
	"  BEGIN SELECT RAISE(ABORT, 'occupations are never deleted'); END;"
	"INSERT INTO meta(key, value) VALUES ('" STORE_CATALOG_SEED_KEY "', 'pending');",
	NULL,
};

/*
 * Version 6 (issue #11): a task's leader named by an operator instead of
 * drawn (DRAW.md 3.6): the expert (0 = drawn) and the reason; a redraw
 * keeps them.
 */
static const char *const schema_v6[] = {
	"ALTER TABLE tasks ADD COLUMN leader_expert INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE tasks ADD COLUMN leader_reason TEXT NOT NULL DEFAULT '';",
	NULL,
};

/*
 * Version 7 (issue #12): 第十一条 as written. An age exception, and who
 * approved the relaxation grounds and the exception, with the evidence
 * and the reason (POLICY.md 4.2); an import names the lines it grants an
 * exception to.
 */
static const char *const schema_v7[] = {
	"ALTER TABLE experts ADD COLUMN age_exception INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE experts ADD COLUMN relax_evidence TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE experts ADD COLUMN relax_by TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE experts ADD COLUMN relax_at INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE experts ADD COLUMN age_reason TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE experts ADD COLUMN age_by TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE experts ADD COLUMN age_at INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE imports ADD COLUMN age_lines TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE imports ADD COLUMN age_reason TEXT NOT NULL DEFAULT '';",
	NULL,
};

/*
 * Version 8 (issue #12 item 5, 第十七条): why an operator gave a task a response
 * window below [assign] min_response_minutes ("" for none; expiries of
 * its seats add no ledger event, POLICY.md 6.1); the ground and referral
 * note of a suspension or revocation (POLICY.md 6.3).
 */
static const char *const schema_v8[] = {
	"ALTER TABLE tasks ADD COLUMN respond_reason TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE expert_events ADD COLUMN ground TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE expert_events ADD COLUMN referral TEXT NOT NULL DEFAULT '';"
	/* Periods an expert cannot serve (rule 12, DRAW.md 3.1): kept, never
	 * edited, as the audit log keeps them. */
	"CREATE TABLE unavailability("
	"  id INTEGER PRIMARY KEY,"
	"  expert_id INTEGER NOT NULL REFERENCES experts(id),"
	"  from_day INTEGER NOT NULL,"
	"  to_day INTEGER NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  channel TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  created_by TEXT NOT NULL);"
	"CREATE INDEX unavailability_by_expert ON unavailability(expert_id, id);"
	"CREATE TRIGGER unavailability_keep BEFORE DELETE ON unavailability"
	"  BEGIN SELECT RAISE(ABORT, 'unavailability is never deleted'); END;"
	"CREATE TRIGGER unavailability_fixed BEFORE UPDATE ON unavailability"
	"  BEGIN SELECT RAISE(ABORT, 'unavailability is never edited'); END;",
	NULL,
};

/*
 * Version 9 (issue #11): mixed panels (DRAW.md 3.7). A task drawn for
 * several quotas keeps them here, in order, so that a redraw repeats them
 * and a freed seat is refilled from its own; each seat names its quota
 * (0 for every seat of a one-specialty task, the seats made before).
 */
static const char *const schema_v9[] = {
	"CREATE TABLE task_quotas("
	"  task_id INTEGER NOT NULL REFERENCES tasks(id),"
	"  idx INTEGER NOT NULL,"
	"  specialty TEXT NOT NULL,"
	"  group_type INTEGER NOT NULL,"
	"  members INTEGER NOT NULL,"
	"  backups INTEGER NOT NULL,"
	"  PRIMARY KEY(task_id, idx)) WITHOUT ROWID;"
	"CREATE TRIGGER task_quotas_keep BEFORE DELETE ON task_quotas"
	"  BEGIN SELECT RAISE(ABORT, 'tasks are never deleted'); END;"
	"ALTER TABLE assignments ADD COLUMN quota INTEGER NOT NULL DEFAULT 0;",
	NULL,
};

/*
 * Version 10 (issue #16): personal data sealed at rest (pii.h). Resident
 * IDs, phones and e-mail addresses become sealed values and a resident ID
 * is found by its blind index; store_pii_start() seals the rows an older
 * expertd wrote clear (it needs the key, which SQL never sees).
 */
static const char *const schema_v10[] = {
	"ALTER TABLE experts ADD COLUMN resident_ix BLOB;"
	"CREATE UNIQUE INDEX experts_by_resident_ix ON experts(resident_ix);",
	NULL,
};

/*
 * Version 11 (issue #13): the hashes of spent tokens, so a token that was
 * real but is no longer live gets its own answer (PROTOCOL.md 7.12.3):
 * kept by a trigger whenever a seat's token hash is cleared or replaced,
 * whatever cleared it. `why` is the wire word: a new token replaced it,
 * the seat was answered, expired or cancelled.
 */
static const char *const schema_v11[] = {
	"CREATE TABLE spent_tokens("
	"  hash BLOB PRIMARY KEY,"
	"  assignment_id INTEGER NOT NULL REFERENCES assignments(id),"
	"  why TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE TRIGGER tokens_spent AFTER UPDATE OF token_hash ON assignments"
	"  WHEN old.token_hash IS NOT NULL AND new.token_hash IS NOT old.token_hash"
	"  BEGIN INSERT OR IGNORE INTO spent_tokens(hash, assignment_id, why)"
	"    VALUES (old.token_hash, old.id, CASE"
	"      WHEN new.token_hash IS NOT NULL THEN 'replaced'"
	"      WHEN new.state IN (2, 3) THEN 'answered'"     /* accepted, declined */
	"      WHEN new.state = 4 THEN 'expired'"
	"      WHEN new.state = 8 THEN 'cancelled'"
	"      ELSE 'unknown' END); END;"
	"CREATE TRIGGER spent_tokens_keep BEFORE DELETE ON spent_tokens"
	"  BEGIN SELECT RAISE(ABORT, 'spent tokens are never deleted'); END;",
	NULL,
};

/*
 * Version 12 (issue #12 item 4): the appointment (第十四–十六条,
 * PROTOCOL.md 7.17). Every expert an older expertd imported was drawable,
 * so it becomes appointed (0) and stays drawable; an import now makes
 * experts recommended (1) unless begun with `appointed`. The record of
 * each expert's appointment (recommender kind, both opinions, the 聘书)
 * and the 推荐表's kept fields sit in tables of their own; address and
 * landline are sealed like the phone (pii.h).
 */
static const char *const schema_v12[] = {
	"ALTER TABLE experts ADD COLUMN appointment INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE imports ADD COLUMN appointed INTEGER NOT NULL DEFAULT 0;"
	/* An import begun under schema 11 (state 0, open) made drawable
	 * experts: it commits as an appointed roster. */
	"UPDATE imports SET appointed = 1 WHERE state = 0;"
	"CREATE TABLE appointments("
	"  expert_id INTEGER PRIMARY KEY REFERENCES experts(id),"
	"  recommender_kind INTEGER NOT NULL,"   /* -1 = not said */
	"  review_by TEXT NOT NULL,"
	"  review_at INTEGER NOT NULL,"
	"  review_text TEXT NOT NULL,"
	"  decision_by TEXT NOT NULL,"
	"  decision_at INTEGER NOT NULL,"
	"  decision_text TEXT NOT NULL,"
	"  certificate TEXT NOT NULL,"
	"  certificate_day INTEGER NOT NULL);"
	"CREATE TRIGGER appointments_keep BEFORE DELETE ON appointments"
	"  BEGIN SELECT RAISE(ABORT, 'appointments are never deleted'); END;"
	"CREATE TABLE expert_forms("
	"  expert_id INTEGER PRIMARY KEY REFERENCES experts(id),"
	"  education TEXT NOT NULL,"
	"  politics TEXT NOT NULL,"
	"  ethnicity TEXT NOT NULL,"
	"  occupation TEXT NOT NULL,"
	"  qualification_occupation TEXT NOT NULL,"
	"  title_field TEXT NOT NULL,"
	"  address BLOB NOT NULL,"
	"  postcode TEXT NOT NULL,"
	"  landline BLOB NOT NULL,"
	"  experience TEXT NOT NULL,"
	"  achievements TEXT NOT NULL,"
	"  recommendation TEXT NOT NULL);"
	"CREATE TRIGGER expert_forms_keep BEFORE DELETE ON expert_forms"
	"  BEGIN SELECT RAISE(ABORT, 'forms are never deleted'); END;",
	NULL,
};

/*
 * Version 13 (issue #12 item 5): a period of unavailability may be
 * withdrawn or shortened (PROTOCOL.md 7.6.6): from_day and to_day are now
 * its current days, which only ever shrink, and withdrawn ends it; who
 * did so and why are in the history and the audit log, the days first
 * recorded in its pool.unavailable entry. A suspension's or revocation's
 * ground keeps the labels it had (POLICY.md 6.3), should the Center later
 * drop it from [grounds].
 */
static const char *const schema_v13[] = {
	"ALTER TABLE unavailability ADD COLUMN withdrawn INTEGER NOT NULL DEFAULT 0;"
	"DROP TRIGGER unavailability_fixed;"
	"CREATE TRIGGER unavailability_fixed BEFORE UPDATE OF id, expert_id, reason,"
	"  channel, created_at, created_by ON unavailability"
	"  BEGIN SELECT RAISE(ABORT, 'unavailability is never edited'); END;"
	"CREATE TRIGGER unavailability_shrinks BEFORE UPDATE OF from_day, to_day,"
	"  withdrawn ON unavailability"
	"  WHEN old.withdrawn != 0 OR new.from_day < old.from_day"
	"    OR new.to_day > old.to_day OR new.from_day > new.to_day"
	"  BEGIN SELECT RAISE(ABORT, 'a period only shrinks or is withdrawn'); END;"
	"ALTER TABLE expert_events ADD COLUMN ground_label TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE expert_events ADD COLUMN ground_label_en TEXT NOT NULL DEFAULT '';",
	NULL,
};

/*
 * Version 14 (issue #12 item 3): 紧缺工种 and 新职业 relax the rules only
 * in the occupations they name (POLICY.md 4.2): the names, '|'-joined as
 * specialties are, and where the expert is eligible (0 = in every
 * specialty, as every expert recorded before was).
 */
static const char *const schema_v14[] = {
	"ALTER TABLE experts ADD COLUMN relax_occupations TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE experts ADD COLUMN eligible_specialties INTEGER NOT NULL DEFAULT 0;",
	NULL,
};

/*
 * Version 15 (issue #12 item 5): an operator corrects a settled seat's
 * outcome (PROTOCOL.md 7.12.16). The ledger stays append-only: the event
 * of the outcome corrected is withdrawn by a row here (POLICY.md 6.5),
 * never edited or deleted, and no longer counts.
 */
static const char *const schema_v15[] = {
	"CREATE TABLE ledger_withdrawn("
	"  ledger_id INTEGER PRIMARY KEY REFERENCES ledger(id),"
	"  at INTEGER NOT NULL,"
	"  actor TEXT NOT NULL);"
	"CREATE TRIGGER ledger_withdrawn_keep BEFORE DELETE ON ledger_withdrawn"
	"  BEGIN SELECT RAISE(ABORT, 'a withdrawal is never deleted'); END;"
	"CREATE TRIGGER ledger_withdrawn_fixed BEFORE UPDATE ON ledger_withdrawn"
	"  BEGIN SELECT RAISE(ABORT, 'a withdrawal is never edited'); END;",
	NULL,
};

/*
 * Version 16 (draft 16): no table changes. Transcripts now hash candidate
 * lists as gaps (DRAW.md 3.3), and a verifier refuses an 8-byte
 * transcript after a gap one (DRAW.md 5 step 6.1): an expertd from
 * before draft 16, started on a store a later one drew in, would append
 * exactly that and leave the log unverifiable for good. The version
 * makes it refuse the store instead ("newer than this expertd
 * understands").
 */
static const char *const schema_v16[] = {NULL};

/* migrations[i] takes the schema from version i to i + 1. */
static const char *const *const migrations[] = {schema_v1, schema_v2, schema_v3,
                                                schema_v4, schema_v5, schema_v6,
                                                schema_v7, schema_v8, schema_v9,
                                                schema_v10, schema_v11, schema_v12,
                                                schema_v13, schema_v14, schema_v15,
                                                schema_v16};

_Static_assert(sizeof migrations / sizeof migrations[0] == STORE_SCHEMA_VERSION,
               "one migration per schema version");

static int user_version(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int v = -1;
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* A schema-0 file that already holds tables belongs to someone else: the
 * first table's name in *name, or "" when the file is empty (ours to
 * create). False when it cannot be read. */
static bool foreign_table(sqlite3 *db, char *name, size_t size)
{
	sqlite3_stmt *st = NULL;
	name[0] = '\0';
	if (sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master ORDER BY rowid LIMIT 1",
	                       -1, &st, NULL) != SQLITE_OK)
		return false;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(name, size, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

int store_schema_refuse_foreign(sqlite3 *db, char *err, size_t errsz)
{
	int v = user_version(db);
	char table[128];
	if (v < 0 || (v == 0 && !foreign_table(db, table, sizeof table))) {
		snprintf(err, errsz, "not a database: %s", sqlite3_errmsg(db));
		return EX_DATAERR;
	}
	if (v == 0 && table[0]) {
		snprintf(err, errsz, "not an expertd database: it holds other tables (%.64s, "
		         "...) and no expertd schema; nothing was changed", table);
		return EX_DATAERR;
	}
	return 0;
}

int store_schema_migrate(sqlite3 *db, char *err, size_t errsz)
{
	int v = user_version(db);
	if (v < 0) {
		snprintf(err, errsz, "not a database: %s", sqlite3_errmsg(db));
		return EX_DATAERR;
	}
	if (v > STORE_SCHEMA_VERSION) {
		snprintf(err, errsz,
		         "database schema version %d is newer than this expertd "
		         "understands (%d); upgrade expertd", v, STORE_SCHEMA_VERSION);
		return EX_DATAERR;
	}
	for (; v < STORE_SCHEMA_VERSION; v++) {
		char *msg = NULL;
		char pragma[64];
		snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d;", v + 1);
		bool ok = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg) == SQLITE_OK;
		for (const char *const *sql = migrations[v]; ok && *sql; sql++)
			ok = sqlite3_exec(db, *sql, NULL, NULL, &msg) == SQLITE_OK;
		if (!ok ||
		    sqlite3_exec(db, pragma, NULL, NULL, &msg) != SQLITE_OK ||
		    sqlite3_exec(db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
			snprintf(err, errsz, "migrating schema %d -> %d failed: %s",
			         v, v + 1, msg ? msg : sqlite3_errmsg(db));
			sqlite3_free(msg);
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			return EX_DATAERR;
		}
	}
	return 0;
}
