/*
 * roster.h - turn a recommendation roster exported from Excel (CSV, UTF-8
 * or GB18030) into pool.import.rows row maps. Pure parsing, no I/O, so the
 * header mapping, value mapping and line numbering are unit-tested alone.
 * The daemon stays the authority on validity: the roster only maps what it
 * recognises and passes everything else through for the daemon to judge.
 */
#ifndef EXPERTCTL_ROSTER_H
#define EXPERTCTL_ROSTER_H

#include <stdbool.h>
#include <stddef.h>

enum roster_encoding {
	ROSTER_ENC_AUTO,    /* UTF-8 BOM or valid UTF-8: UTF-8; else GB18030 */
	ROSTER_ENC_UTF8,
	ROSTER_ENC_GB18030, /* a superset of GBK and GB2312 */
};

/* The row fields of proto_import_row other than "line", and the form's
 * fields the client only checks. */
enum roster_field {
	ROSTER_F_NAME,
	ROSTER_F_SEX,
	ROSTER_F_RESIDENT_ID,
	ROSTER_F_PHONE,
	ROSTER_F_EMPLOYER,
	ROSTER_F_EMPLOYER_CODE,
	ROSTER_F_RECOMMENDER_CODE,
	ROSTER_F_RECOMMENDER,
	ROSTER_F_SPECIALTIES,
	ROSTER_F_GROUP_TYPES,
	ROSTER_F_TASK_TYPES,
	ROSTER_F_TITLE,
	ROSTER_F_QUALIFICATION,
	ROSTER_F_ASSESS_YEARS,
	ROSTER_F_TRAINING_YEARS,
	ROSTER_F_RELAXATIONS,
	ROSTER_F_RELAXATION_EVIDENCE,
	ROSTER_F_RELAXATION_OCCUPATIONS,
	ROSTER_F_POSITION,
	ROSTER_F_EMAIL,
	ROSTER_F_BIRTH_MONTH, /* 出生年月: checked against the ID, never sent */
	/* Kept from the 推荐表, never checked (PROTOCOL.md 7.5.2). */
	ROSTER_F_RECOMMENDER_KIND,
	ROSTER_F_EDUCATION,
	ROSTER_F_POLITICS,
	ROSTER_F_ETHNICITY,
	ROSTER_F_OCCUPATION,
	ROSTER_F_QUALIFICATION_OCCUPATION,
	ROSTER_F_TITLE_FIELD,
	ROSTER_F_ADDRESS,
	ROSTER_F_POSTCODE,
	ROSTER_F_LANDLINE,
	ROSTER_F_EXPERIENCE,
	ROSTER_F_ACHIEVEMENTS,
	ROSTER_F_RECOMMENDATION,
	ROSTER_F__COUNT
};

/* A problem tied to a place in the file. */
struct roster_issue {
	long line;    /* physical line (1-based) where the record starts */
	char *column; /* the column's header as written in the file, or NULL */
	char *reason;
};

/* Append an issue (copies of column, which may be NULL, and of the
 * formatted reason) to the list *list of *n. Also for the occupation
 * lists of catalog_csv.h. */
void roster_issue_add(struct roster_issue **list, size_t *n, long line,
                      const char *column, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Free a list of n issues. */
void roster_issues_free(struct roster_issue *list, size_t n);

/* One data record, ready to send. */
struct roster_row {
	long line;
	char *packed;      /* one msgpack map: the fields present plus "line" */
	size_t packed_len;
	bool has_errors;   /* this side found problems (in ->errors); the row
	                    * holds the rest, so the daemon reports its own
	                    * problems too, but it must never be committed */
};

struct roster {
	enum roster_encoding encoding; /* the encoding actually used */
	long header_line;
	/* Header text of the column feeding each field; NULL if absent. */
	char *headers[ROSTER_F__COUNT];
	size_t records;                /* data records read (good and bad) */
	bool zh;                       /* the header row is Chinese: so are messages */
	struct roster_row *rows;       /* every record (see has_errors) */
	size_t nrows;
	struct roster_issue *errors;   /* client-side row errors, by line */
	size_t nerrors;
	struct roster_issue *warnings; /* ignored columns, lenient quoting, ... */
	size_t nwarnings;
};

/*
 * Parse a whole roster file held in buf. Returns NULL with err set when
 * the file as a whole is unusable: undecodable bytes, no header row,
 * missing required columns, an unterminated quote at the end of the file.
 * Row-level problems do not fail the parse; they are all in ->errors, and
 * the row is in ->rows without the bad cells, marked has_errors. The caller frees the result with
 * roster_destroy().
 */
struct roster *roster_parse(const char *buf, size_t len, enum roster_encoding enc,
                            char *err, size_t errsz);
/* NULL-safe; clears *r. */
void roster_destroy(struct roster **r);

/*
 * Convert buf to UTF-8 (without BOM) as enc says; AUTO detects. Returns a
 * new NUL-terminated buffer (caller frees) and its length in *outlen, and
 * the encoding used in *used; NULL with err set on failure.
 */
char *roster_to_utf8(const char *buf, size_t len, enum roster_encoding enc,
                     size_t *outlen, enum roster_encoding *used,
                     char *err, size_t errsz);
/* True if buf[0..len) is valid UTF-8 (no overlongs, no surrogates). */
bool roster_is_utf8(const char *buf, size_t len);

/* "auto", "utf8" (also "utf-8"), "gb18030" (also "gbk"). */
bool roster_encoding_parse(const char *s, enum roster_encoding *out);
const char *roster_encoding_name(enum roster_encoding enc);

/* The wire name of a field ("resident_id"). */
const char *roster_field_name(enum roster_field f);
/* Look a wire field name up; false if it is not a row field. */
bool roster_field_lookup(const char *name, enum roster_field *out);

/*
 * The column header to show for a field named in a daemon error: the
 * header as written in this file, or the wire name itself if the file had
 * no such column. field may carry a suffix ("specialties[1]").
 */
const char *roster_column_for(const struct roster *r, const char *field);

#endif
