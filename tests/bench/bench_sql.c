/*
 * bench_sql.c - the naive alternative to a draw: one SQL query on the
 * daemon's own database (opened read-only beside it; WAL allows that)
 * that says as many of the recusal rules as SQL can and picks k rows
 * with ORDER BY random(). bench_sql_check() shows that the query says the
 * same rules, by comparing its count with the daemon's candidate count.
 * The query gets what a fair SQL design would have (bench_sql_index, issue
 * #14 goal 7): an index of assignments by expert (without it, rules 4 and
 * 5 scan every assignment for every expert) and a specialty table indexed
 * by name, so a draw reads the specialty's experts, not every expert.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "engage.h"
#include "expert.h"

/*
 * Every rule SQL can say, on the daemon's tables: status and appointment,
 * specialty, group and capability bits, age (waived only by a recorded
 * exception, POLICY.md 4.2), term, employer and recommender, conflicts,
 * overlap, rotation, and where 紧缺工种/新职业 limit an expert (rule 13).
 * Unavailability (rule 12) is left out: the bench records none. Diversity and leader/backup seats are left out
 * (they would make it slower still).
 */
#define BENCH_NAIVE_WHERE \
	" FROM bench_specialty s JOIN experts e ON e.id = s.expert_id" \
	" WHERE s.specialty = :spec" \
	"   AND (e.status = :active OR (e.status = :suspended" \
	"        AND e.suspended_until != 0 AND e.suspended_until < :sday))" \
	"   AND e.appointment = :appointed" \
	"   AND (e.eligible_specialties = 0 OR (e.eligible_specialties >> s.pos) & 1 = 1)" \
	"   AND (e.group_types & :gbit) != 0" \
	"   AND (:cap = 0 OR (e.task_types & :cap) != 0)" \
	"   AND (e.age_exception != 0 OR" \
	"        e.birth_day > unixepoch(:sday * 86400, 'unixepoch', '-66 years') / 86400)" \
	"   AND (SELECT start_day FROM terms WHERE number = e.joined_term) <= :sday" \
	"   AND (SELECT end_day FROM terms WHERE number = e.term) >= :eday" \
	"   AND e.employer_code != :org AND e.recommender_code != :org" \
	"   AND NOT EXISTS (SELECT 1 FROM conflicts c WHERE c.expert_id = e.id" \
	"        AND c.org_code = :org AND c.valid_from <= :eday" \
	"        AND (c.valid_to = 0 OR c.valid_to >= :sday))" \
	"   AND NOT EXISTS (SELECT 1 FROM assignments a JOIN tasks t ON t.id = a.task_id" \
	"        WHERE a.expert_id = e.id AND a.state IN (:offered, :accepted)" \
	"        AND t.start_at < :end AND :start < t.end_at)" \
	"   AND NOT EXISTS (SELECT 1 FROM assignments a JOIN tasks t ON t.id = a.task_id" \
	"        WHERE a.expert_id = e.id AND a.state IN (:offered, :accepted, :completed)" \
	"        AND abs(t.start_at - :start) <= :window" \
	"        AND ('|' || t.orgs || '|') LIKE '%|' || :org || '|%')"

/* One row per (specialty, expert), from the '|'-joined column, with the
 * specialty's place in it (the bit of eligible_specialties), indexed by
 * name: what a schema built for the naive query would hold. */
static const char bench_specialty_sql[] =
	"DROP TABLE IF EXISTS bench_specialty;"
	"CREATE TABLE bench_specialty(specialty TEXT NOT NULL, expert_id INTEGER NOT NULL,"
	"  pos INTEGER NOT NULL);"
	"WITH RECURSIVE split(id, rest, one, pos) AS ("
	"  SELECT id, specialties || '|', NULL, -1 FROM experts"
	"  UNION ALL SELECT id, substr(rest, instr(rest, '|') + 1),"
	"                   substr(rest, 1, instr(rest, '|') - 1), pos + 1"
	"  FROM split WHERE rest != '')"
	"INSERT INTO bench_specialty SELECT one, id, pos FROM split WHERE one != '';"
	"CREATE INDEX bench_specialty_by_name ON bench_specialty(specialty, expert_id);";

static const char bench_naive_sql[] =
	"SELECT e.id" BENCH_NAIVE_WHERE " ORDER BY random() LIMIT :k";
static const char bench_count_sql[] = "SELECT count(*)" BENCH_NAIVE_WHERE;

void bench_sql_index(const struct bench *b)
{
	sqlite3 *db = NULL;
	char *msg = NULL;
	double t0 = bench_now();
	if (sqlite3_open_v2(b->db, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    sqlite3_busy_timeout(db, 5000) != SQLITE_OK ||
	    sqlite3_exec(db, "CREATE INDEX IF NOT EXISTS bench_naive_by_expert"
	                 " ON assignments(expert_id)", NULL, NULL, &msg) != SQLITE_OK ||
	    sqlite3_exec(db, bench_specialty_sql, NULL, NULL, &msg) != SQLITE_OK)
		bench_die("index for the naive query: %s", msg ? msg : sqlite3_errmsg(db));
	sqlite3_close(db);
	printf("naive SQL: index on assignments(expert_id) and the specialty table "
	       "built in %.1f s\n", bench_now() - t0);
}

/*
 * The rule check is the last phase that reads them: drop the index and
 * the table bench_sql_index made, so that the phases after it (--history,
 * draw1_hist) measure the daemon's own schema. The index on
 * assignments(expert_id) took a random leaf per seat inserted: 9 of the
 * 26 WAL frames a draw wrote in draw1_hist (tests/bench/wal_pages.py),
 * which draw1, run before it existed, never paid.
 */
static void bench_sql_unindex(const struct bench *b)
{
	sqlite3 *db = NULL;
	char *msg = NULL;
	if (sqlite3_open_v2(b->db, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    sqlite3_busy_timeout(db, 5000) != SQLITE_OK ||
	    sqlite3_exec(db, "DROP INDEX IF EXISTS bench_naive_by_expert;"
	                 "DROP TABLE IF EXISTS bench_specialty;", NULL, NULL, &msg) != SQLITE_OK)
		bench_die("dropping the naive query's index: %s",
		          msg ? msg : sqlite3_errmsg(db));
	sqlite3_close(db);
}

static void bench_sql_bind(sqlite3_stmt *st, const char *name, int64_t v)
{
	int i = sqlite3_bind_parameter_index(st, name);
	if (i > 0)
		sqlite3_bind_int64(st, i, v);
}

static void bench_sql_bind_task(const struct bench *b, sqlite3_stmt *st,
                                const struct bench_task *t)
{
	sqlite3_reset(st);
	bench_sql_bind(st, ":active", EXPERT_ACTIVE);
	bench_sql_bind(st, ":suspended", EXPERT_SUSPENDED);
	bench_sql_bind(st, ":appointed", APPOINT_APPOINTED);
	bench_sql_bind(st, ":sday", t->start_day);
	bench_sql_bind(st, ":eday", t->end_day);
	sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":spec"), t->specialty,
	                  -1, SQLITE_STATIC);
	bench_sql_bind(st, ":gbit", 1 << b->group);
	bench_sql_bind(st, ":cap", b->capability);
	sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":org"), t->org, -1,
	                  SQLITE_STATIC);
	bench_sql_bind(st, ":offered", ASSIGN_OFFERED);
	bench_sql_bind(st, ":accepted", ASSIGN_ACCEPTED);
	bench_sql_bind(st, ":completed", ASSIGN_COMPLETED);
	bench_sql_bind(st, ":start", t->start_at);
	bench_sql_bind(st, ":end", t->end_at);
	bench_sql_bind(st, ":window", (int64_t)b->rotation_days * BENCH_DAY);
	bench_sql_bind(st, ":k", (b->o.leader ? 1 : 0) + b->o.members + b->o.backups);
}

void bench_sql_naive(const struct bench *b, sqlite3 *db, struct bench_phase *ph,
                     const char *name, const char *specialty, uint64_t rng)
{
	sqlite3_stmt *st;
	ph->name = name;
	if (sqlite3_prepare_v2(db, bench_naive_sql, -1, &st, NULL) != SQLITE_OK)
		bench_die("naive SQL: %s", sqlite3_errmsg(db));
	int k = (b->o.leader ? 1 : 0) + b->o.members + b->o.backups;
	double t0 = bench_now(), stop = t0 + b->o.naive_s;
	for (int i = 0; i < b->o.naive_max && (i < 3 || bench_now() < stop); i++) {
		struct bench_task t;
		bench_load_task(b, &rng, specialty, &t);
		double s0 = bench_now();
		bench_sql_bind_task(b, st, &t);
		int rows = 0, rc;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			rows++;
		if (rc != SQLITE_DONE)
			bench_die("naive SQL: %s", sqlite3_errmsg(db));
		bench_push(&ph->lat, (bench_now() - s0) * 1e6);
		if (rows == k)
			ph->ok++;
		else
			ph->insufficient++;
	}
	ph->wall_s = bench_now() - t0;
	sqlite3_finalize(st);
	bench_phase_finish(ph);
}

/*
 * The SQL says the same rules as the daemon: after a draw commits, the
 * SQL count of the same task's candidates must be the daemon's count less
 * the seats it just offered (they now overlap the task themselves; backups
 * are on standby, which does not count).
 */
void bench_sql_check(const struct bench *b, sqlite3 *db, uint64_t rng,
                     int *agree, int *checked)
{
	sqlite3_stmt *st;
	struct client *c = bench_client(b, BENCH_CALL_TIMEOUT_MS, 0);
	struct bench_phase ph = {.name = "check"};
	if (sqlite3_prepare_v2(db, bench_count_sql, -1, &st, NULL) != SQLITE_OK)
		bench_die("count SQL: %s", sqlite3_errmsg(db));
	*agree = *checked = 0;
	double stop = bench_now() + b->o.naive_s;
	for (int i = 0; i < b->o.check_n && (i < 2 || bench_now() < stop); i++) {
		struct bench_task t;
		bench_load_task(b, &rng, i % 2 ? b->rare.name : b->top.name, &t);
		long cand = bench_load_draw_once(b, c, &ph, &t);
		if (cand < 0)
			continue;
		bench_sql_bind_task(b, st, &t);
		if (sqlite3_step(st) != SQLITE_ROW)
			bench_die("count SQL: %s", sqlite3_errmsg(db));
		long sql = (long)sqlite3_column_int64(st, 0);
		long seated = (b->o.leader ? 1 : 0) + b->o.members;
		(*checked)++;
		if (sql == cand - seated)
			(*agree)++;
		else
			printf("  check: %s on day %d: daemon %ld candidates, SQL %ld "
			       "(expected %ld)\n", t.specialty, (int)t.start_day, cand, sql,
			       cand - seated);
	}
	sqlite3_finalize(st);
	free(ph.lat.us);
	client_destroy(&c);
	bench_sql_unindex(b);
}

