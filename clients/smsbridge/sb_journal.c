/*
 * sb_journal.c - what the bridge sent, so it never sends one message
 * twice once the provider took it, and from when it may have missed
 * offers. A text file of its own, one line per fact, appended:
 *   sent <unix seconds> <key>     the provider accepted this message
 *   mark <server seconds> <ids>   offers before this second were all
 *                                 handled, and those of the seats listed
 *                                 (comma-separated, "-" for none) in it
 * Keys hold a hash of the token, never the token (sb_note_key). At open
 * the file is rewritten without the lines older than keep_days.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "smsbridge.h"

struct sb_sent {
	int64_t at;
	char key[SB_KEY_LEN];
};

struct sb_journal {
	char *path;
	FILE *f;                 /* appending */
	struct sb_sent *sent;
	size_t n, cap;
	int64_t mark;
	int64_t held[SB_HELD_MAX];
	size_t n_held;
};

static bool journal_add(struct sb_journal *j, int64_t at, const char *key)
{
	if (j->n == j->cap) {
		size_t cap = j->cap ? j->cap * 2 : 256;
		struct sb_sent *s = realloc(j->sent, cap * sizeof *s);
		if (!s)
			return false;
		j->sent = s;
		j->cap = cap;
	}
	j->sent[j->n].at = at;
	snprintf(j->sent[j->n].key, SB_KEY_LEN, "%s", key);
	j->n++;
	return true;
}

/* "mark S a,b,c": the held seats after the second. */
static void journal_read_mark(struct sb_journal *j, int64_t mark, const char *line)
{
	j->mark = mark;
	j->n_held = 0;
	const char *p = strchr(line + 5, ' ');
	while (p && j->n_held < SB_HELD_MAX) {
		char *end;
		long long id = strtoll(p + 1, &end, 10);
		if (end == p + 1 || id < 1)
			break;
		j->held[j->n_held++] = id;
		p = *end == ',' ? end : NULL;
	}
}

/* Write a mark line to f. */
static bool journal_put_mark(const struct sb_journal *j, FILE *f)
{
	bool ok = fprintf(f, "mark %" PRId64 " ", j->mark) > 0;
	for (size_t i = 0; ok && i < j->n_held; i++)
		ok = fprintf(f, "%s%" PRId64, i ? "," : "", j->held[i]) > 0;
	return ok && fputs(j->n_held ? "\n" : "-\n", f) >= 0;
}

/* Read the lines still kept; a line that does not parse is skipped. */
static bool journal_read(struct sb_journal *j, int64_t oldest)
{
	FILE *f = fopen(j->path, "r");
	if (!f)
		return errno == ENOENT;
	char line[256], key[SB_KEY_LEN];
	int64_t v;
	bool ok = true;
	while (ok && fgets(line, sizeof line, f)) {
		if (sscanf(line, "sent %" SCNd64 " %95s", &v, key) == 2) {
			if (v >= oldest)
				ok = journal_add(j, v, key);
		} else if (sscanf(line, "mark %" SCNd64, &v) == 1) {
			journal_read_mark(j, v, line);
		}
	}
	fclose(f);
	return ok;
}

/* Write what is kept to PATH.new, then put it in place. */
static bool journal_compact(struct sb_journal *j)
{
	size_t len = strlen(j->path) + 5;
	char *tmp = malloc(len);
	if (!tmp)
		return false;
	snprintf(tmp, len, "%s.new", j->path);
	FILE *f = fopen(tmp, "w");
	bool ok = f != NULL;
	for (size_t i = 0; ok && i < j->n; i++)
		ok = fprintf(f, "sent %" PRId64 " %s\n", j->sent[i].at, j->sent[i].key) > 0;
	if (ok && j->mark)
		ok = journal_put_mark(j, f);
	if (f) {
		ok = fflush(f) == 0 && fsync(fileno(f)) == 0 && ok;
		ok = fclose(f) == 0 && ok;
	}
	ok = ok && rename(tmp, j->path) == 0;
	if (!ok)
		unlink(tmp);
	free(tmp);
	return ok;
}

struct sb_journal *sb_journal_open(const char *path, int keep_days, int64_t now,
                                   char *err, size_t errsz)
{
	struct sb_journal *j = calloc(1, sizeof *j);
	if (!j || !(j->path = strdup(path))) {
		free(j);
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	if (!journal_read(j, now - (int64_t)keep_days * 86400) || !journal_compact(j) ||
	    !(j->f = fopen(path, "a"))) {
		snprintf(err, errsz, "journal %s: %s", path, strerror(errno));
		sb_journal_close(&j);
		return NULL;
	}
	return j;
}

void sb_journal_close(struct sb_journal **jp)
{
	struct sb_journal *j = jp ? *jp : NULL;
	if (!j)
		return;
	if (j->f)
		fclose(j->f);
	free(j->sent);
	free(j->path);
	free(j);
	*jp = NULL;
}

bool sb_journal_has(const struct sb_journal *j, const char *key)
{
	for (size_t i = j->n; i > 0; i--)
		if (strcmp(j->sent[i - 1].key, key) == 0)
			return true;
	return false;
}

bool sb_journal_has_prefix(const struct sb_journal *j, const char *prefix)
{
	size_t len = strlen(prefix);
	for (size_t i = j->n; i > 0; i--)
		if (strncmp(j->sent[i - 1].key, prefix, len) == 0)
			return true;
	return false;
}

bool sb_journal_sent(struct sb_journal *j, const char *key, int64_t now)
{
	bool ok = journal_add(j, now, key);
	/* On disk before anything else happens: a restart must not send it
	 * again. */
	return fprintf(j->f, "sent %" PRId64 " %s\n", now, key) > 0 &&
	       fflush(j->f) == 0 && fdatasync(fileno(j->f)) == 0 && ok;
}

int64_t sb_journal_mark(const struct sb_journal *j, const int64_t **held,
                        size_t *n_held)
{
	*held = j->held;
	*n_held = j->n_held;
	return j->mark;
}

bool sb_journal_set_mark(struct sb_journal *j, int64_t mark, const int64_t *held,
                         size_t n_held)
{
	if (n_held > SB_HELD_MAX)
		n_held = SB_HELD_MAX;
	if (mark == j->mark && n_held == j->n_held &&
	    memcmp(held, j->held, n_held * sizeof *held) == 0)
		return true;
	j->mark = mark;
	memmove(j->held, held, n_held * sizeof *held);
	j->n_held = n_held;
	return journal_put_mark(j, j->f) && fflush(j->f) == 0;
}
