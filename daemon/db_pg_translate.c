/*
 * db_pg_translate.c - the store's statements, written once in SQLite's
 * dialect, as PostgreSQL reads them (db_pg_translate()). A scanner, not a
 * parser: it knows string literals, quoted names, comments, parameters and
 * words, and rewrites the few SQLite-only forms the store writes.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db_pg_int.h"

#define ALIAS_DEPTH 64

struct out {
	char *p;
	size_t n, cap;
	bool oom;
};

struct scan {
	const char *s;
	size_t i;
	struct out out;
	struct dbpg_params *params;
	bool on_conflict;    /* INSERT OR IGNORE: append ON CONFLICT DO NOTHING */
	bool alias_next;     /* the next '(' opens a subquery in FROM or JOIN */
	int depth;           /* of parentheses */
	bool alias[ALIAS_DEPTH];
	int aliases;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->oom)
		return;
	if (o->n + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 256;
		while (cap < o->n + n + 1)
			cap *= 2;
		char *p = realloc(o->p, cap);
		if (!p) {
			o->oom = true;
			return;
		}
		o->p = p;
		o->cap = cap;
	}
	memcpy(o->p + o->n, s, n);
	o->n += n;
	o->p[o->n] = '\0';
}

static void put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void trim_out(struct out *o)
{
	while (!o->oom && o->n > 0 && isspace((unsigned char)o->p[o->n - 1]))
		o->p[--o->n] = '\0';
}

static bool is_word_start(char c)
{
	return isalpha((unsigned char)c) || c == '_';
}

static bool is_word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '$';
}

static size_t skip_ws(const char *s, size_t i)
{
	while (isspace((unsigned char)s[i]))
		i++;
	return i;
}

static size_t word_len(const char *s, size_t i)
{
	size_t n = 0;
	if (is_word_start(s[i]))
		while (is_word_char(s[i + n]))
			n++;
	return n;
}

/* The word at s + i is kw (any case). */
static bool word_is(const char *s, size_t i, const char *kw)
{
	size_t n = word_len(s, i);
	return n == strlen(kw) && strncasecmp(s + i, kw, n) == 0;
}

/* After blanks from i, the word kw: the position after it, else 0. */
static size_t then_word(const char *s, size_t i, const char *kw)
{
	size_t j = skip_ws(s, i);
	return word_is(s, j, kw) ? j + strlen(kw) : 0;
}

/* Where a literal, quoted name or comment starting at i ends (one past
 * it), or 0 when none starts there. */
static size_t quoted_end(const char *s, size_t i)
{
	char q = s[i];
	if (q == '\'' || q == '"') {
		size_t j = i + 1;
		while (s[j] && !(s[j] == q && s[j + 1] != q))
			j += s[j] == q ? 2 : 1;
		return s[j] ? j + 1 : j;
	}
	if (q == '-' && s[i + 1] == '-') {
		size_t j = i + 2;
		while (s[j] && s[j] != '\n')
			j++;
		return j;
	}
	if (q == '/' && s[i + 1] == '*') {
		const char *e = strstr(s + i + 2, "*/");
		return e ? (size_t)(e - s) + 2 : strlen(s);
	}
	return 0;
}

/* "?N" (or a bare "?", numbered after the highest so far) as "$N". */
static void scan_param(struct scan *sc)
{
	const char *s = sc->s;
	size_t j = sc->i + 1;
	long n = 0;
	while (isdigit((unsigned char)s[j]) && n <= DBPG_MAX_PARAMS)
		n = n * 10 + (s[j++] - '0');
	while (isdigit((unsigned char)s[j]))
		j++;
	struct dbpg_params *p = sc->params;
	if (j == sc->i + 1)
		n = p->n + 1;
	if (n < 1 || n > DBPG_MAX_PARAMS) {
		p->too_many = true;
	} else {
		p->used[n] = true;
		if (n > p->n)
			p->n = (int)n;
	}
	char buf[24];
	snprintf(buf, sizeof buf, "$%ld", n);
	put_str(&sc->out, buf);
	sc->i = j;
}

/* x'ABCD' as '\xABCD'::bytea. */
static void scan_blob(struct scan *sc)
{
	size_t start = sc->i + 2, j = start;
	while (sc->s[j] && sc->s[j] != '\'')
		j++;
	put_str(&sc->out, "'\\x");
	put(&sc->out, sc->s + start, j - start);
	put_str(&sc->out, "'::bytea");
	sc->i = sc->s[j] ? j + 1 : j;
}

/* A word after which the subquery before it has no alias. */
static bool wants_alias(const char *s, size_t i)
{
	static const char *const after[] = {
		"WHERE", "ORDER", "GROUP", "HAVING", "WINDOW", "LIMIT", "OFFSET",
		"UNION", "EXCEPT", "INTERSECT", "JOIN", "LEFT", "RIGHT", "INNER",
		"FULL", "CROSS", "NATURAL", "ON", "USING", "RETURNING", "FOR",
	};
	i = skip_ws(s, i);
	if (!is_word_start(s[i]) && s[i] != '"')
		return true;
	for (size_t k = 0; k < sizeof after / sizeof after[0]; k++)
		if (word_is(s, i, after[k]))
			return true;
	return false;
}

static bool scan_pragma(struct scan *sc, size_t end)
{
	size_t j;
	if ((j = then_word(sc->s, end, "user_version"))) {
		size_t k = skip_ws(sc->s, j);
		bool set = sc->s[k] == '=';
		put_str(&sc->out, set ? "UPDATE expertd_schema SET version ="
		                      : "SELECT version FROM expertd_schema");
		sc->i = set ? k + 1 : j;
		return true;
	}
	if ((j = then_word(sc->s, end, "query_only"))) {
		size_t k = skip_ws(sc->s, j);
		k = skip_ws(sc->s, sc->s[k] == '=' ? k + 1 : k);
		bool on = word_is(sc->s, k, "ON") || word_is(sc->s, k, "TRUE") ||
		          word_is(sc->s, k, "YES") || sc->s[k] == '1';
		bool off = word_is(sc->s, k, "OFF") || word_is(sc->s, k, "FALSE") ||
		           word_is(sc->s, k, "NO") || sc->s[k] == '0';
		if (!on && !off)
			return false;
		put_str(&sc->out, on ? "SET default_transaction_read_only = on"
		                     : "SET default_transaction_read_only = off");
		sc->i = isdigit((unsigned char)sc->s[k]) ? k + 1 : k + word_len(sc->s, k);
		return true;
	}
	return false;
}

/* The rewrites that start with a word; false to copy the word as it is. */
static bool scan_rewrite(struct scan *sc, size_t end)
{
	const char *s = sc->s;
	size_t i = sc->i, j;
	if (word_is(s, i, "INDEXED") && (j = then_word(s, end, "BY"))) {
		j = skip_ws(s, j);
		size_t n = s[j] == '"' ? quoted_end(s, j) - j : word_len(s, j);
		trim_out(&sc->out);
		sc->i = j + n;
		return true;
	}
	bool call = s[skip_ws(s, end)] == '(';
	if (call && (word_is(s, i, "instr") || word_is(s, i, "ifnull"))) {
		put_str(&sc->out, word_is(s, i, "instr") ? "strpos" : "coalesce");
		sc->i = end;
		return true;
	}
	if (word_is(s, i, "BEGIN") && ((j = then_word(s, end, "IMMEDIATE")) ||
	                               (j = then_word(s, end, "DEFERRED")) ||
	                               (j = then_word(s, end, "EXCLUSIVE")))) {
		put_str(&sc->out, "BEGIN");
		sc->i = j;
		return true;
	}
	if (word_is(s, i, "INSERT") && (j = then_word(s, end, "OR")) &&
	    (j = then_word(s, j, "IGNORE"))) {
		put_str(&sc->out, "INSERT");
		sc->on_conflict = true;
		sc->i = j;
		return true;
	}
	return word_is(s, i, "PRAGMA") && scan_pragma(sc, end);
}

static void scan_word(struct scan *sc)
{
	const char *s = sc->s;
	size_t end = sc->i + word_len(s, sc->i);
	if (end == sc->i + 1 && (s[sc->i] == 'x' || s[sc->i] == 'X') && s[end] == '\'') {
		scan_blob(sc);
		return;
	}
	if (scan_rewrite(sc, end))
		return;
	if (word_is(s, sc->i, "FROM") || word_is(s, sc->i, "JOIN")) {
		size_t j = skip_ws(s, end);
		size_t k = s[j] == '(' ? skip_ws(s, j + 1) : 0;
		sc->alias_next = k && (word_is(s, k, "SELECT") || word_is(s, k, "VALUES") ||
		                       word_is(s, k, "WITH"));
	}
	put(&sc->out, s + sc->i, end - sc->i);
	sc->i = end;
}

static void end_statement(struct scan *sc)
{
	if (sc->on_conflict) {
		trim_out(&sc->out);
		put_str(&sc->out, " ON CONFLICT DO NOTHING");
		sc->on_conflict = false;
	}
}

static void scan_paren(struct scan *sc)
{
	char c = sc->s[sc->i++];
	put(&sc->out, &c, 1);
	if (c == '(') {
		sc->depth++;
		if (sc->depth < ALIAS_DEPTH)
			sc->alias[sc->depth] = sc->alias_next;
		sc->alias_next = false;
		return;
	}
	if (sc->depth > 0 && sc->depth < ALIAS_DEPTH && sc->alias[sc->depth] &&
	    wants_alias(sc->s, sc->i)) {
		char buf[32];
		snprintf(buf, sizeof buf, " AS dbpg_sub%d", ++sc->aliases);
		put_str(&sc->out, buf);
	}
	if (sc->depth > 0)
		sc->depth--;
}

char *dbpg_translate(const char *sql, struct dbpg_params *params)
{
	struct dbpg_params ignored;
	struct scan sc = { .s = sql, .params = params ? params : &ignored };
	memset(sc.params, 0, sizeof *sc.params);
	put(&sc.out, "", 0);
	while (sql[sc.i] && !sc.out.oom) {
		char c = sql[sc.i];
		size_t q = quoted_end(sql, sc.i);
		if (q) {
			put(&sc.out, sql + sc.i, q - sc.i);
			sc.i = q;
		} else if (c == '?') {
			scan_param(&sc);
		} else if (is_word_start(c)) {
			scan_word(&sc);
		} else if (c == '(' || c == ')') {
			scan_paren(&sc);
		} else {
			if (c == ';' && sc.depth == 0)
				end_statement(&sc);
			put(&sc.out, &c, 1);
			sc.i++;
		}
	}
	end_statement(&sc);
	if (sc.out.oom) {
		free(sc.out.p);
		return NULL;
	}
	return sc.out.p;
}

char *db_pg_translate(const char *sql)
{
	return dbpg_translate(sql, NULL);
}

/* sql is one statement of the word a (or b), perhaps followed by
 * TRANSACTION or WORK, and nothing else but a ';'. */
static bool is_bare(const char *sql, const char *a, const char *b)
{
	size_t i = skip_ws(sql, 0), j;
	if (!(j = then_word(sql, i, a)) && !(j = then_word(sql, i, b)))
		return false;
	size_t k;
	if ((k = then_word(sql, j, "TRANSACTION")) || (k = then_word(sql, j, "WORK")))
		j = k;
	j = skip_ws(sql, j);
	if (sql[j] == ';')
		j = skip_ws(sql, j + 1);
	return sql[j] == '\0';
}

bool dbpg_is_commit(const char *sql)
{
	return is_bare(sql, "COMMIT", "END");
}

bool dbpg_is_rollback(const char *sql)
{
	return is_bare(sql, "ROLLBACK", "ABORT");
}
