/*
 * roster.h - turn a recommendation roster exported from Excel (CSV, UTF-8
 * or GB18030) into pool.import.rows row maps, from a whole buffer or from
 * pieces of a file of any size. Pure parsing, no I/O, so the
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
	struct roster_row *rows;       /* roster_parse: every record (see
	                                * has_errors); a stream: NULL */
	size_t nrows;                  /* records made rows */
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

/* A row as a roster_stream reads it: borrowed for the call. Returns false
 * to stop reading. */
typedef bool (*roster_row_cb)(const struct roster_row *row, void *arg);

/*
 * A roster read in pieces, for files of any size: the file's bytes in
 * order, in pieces of any size, after a roster_sniff of the whole file
 * gave enc and bom. Each data record goes to cb as soon as it is read;
 * the roster keeps the header, the counts and the issues (none if
 * keep_issues is false, for a second pass over a file whose problems are
 * known), never the rows. The result is the same whatever
 * the pieces: roster_parse is this stream fed the whole buffer at once.
 * cb NULL: the rows are counted and checked, not packed. NULL with err
 * set if the encoding cannot be converted.
 */
struct roster_stream;
struct roster_stream *roster_stream_new(enum roster_encoding enc, bool bom,
                                        bool keep_issues, roster_row_cb cb, void *arg,
                                        char *err, size_t errsz);
/* False once reading on is of no use: cb asked to stop, or the bytes are
 * not text of the encoding (roster_stream_finish says so). */
bool roster_stream_feed(struct roster_stream *s, const char *buf, size_t len);
/* The end of the file: the roster (rows NULL), or NULL with err set as for
 * roster_parse (err empty if cb stopped the reading). Frees the stream and
 * clears *s either way. */
struct roster *roster_stream_finish(struct roster_stream **s, char *err, size_t errsz);

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

/*
 * What a roster file is, found from all of its bytes fed in order, in
 * pieces of any size (the caller keeps the bytes): the encoding to read
 * it with, or why it is no roster at all. roster_to_utf8 and roster_parse
 * begin with this; a file of any size can be sniffed in bounded memory.
 */
struct roster_sniff {
	enum roster_encoding enc;  /* as asked */
	unsigned char head[4];     /* the file's first bytes */
	size_t nhead;
	long line;                 /* the line the next piece starts on */
	long nul_line;             /* line of the first NUL byte; 0: none */
	long bad_line;             /* line of the first byte that is not UTF-8 */
	unsigned char cut[4];      /* a UTF-8 sequence cut by a piece's end */
	size_t ncut;
	long cut_line;
};
void roster_sniff_init(struct roster_sniff *s, enum roster_encoding enc);
void roster_sniff_feed(struct roster_sniff *s, const char *buf, size_t len);
/* The encoding to read the file with (never AUTO) and whether it opens
 * with a UTF-8 BOM to drop; false with err set if the file is unusable. */
bool roster_sniff_finish(const struct roster_sniff *s, enum roster_encoding *used,
                         bool *bom, char *err, size_t errsz);

/* Text for the caller: UTF-8, without BOM, a piece of the file's text. */
typedef void (*roster_text_cb)(const char *text, size_t len, void *arg);

/* UTF-8 text from the bytes of a sniffed file, fed in order in pieces of
 * any size; a character a piece's end cuts is completed from the next. */
struct roster_decoder;
/* enc and bom as roster_sniff_finish gave them; NULL with err set if
 * the conversion is not available. */
struct roster_decoder *roster_decoder_new(enum roster_encoding enc, bool bom, char *err,
                                          size_t errsz);
/* Calls cb with the text of buf (any number of times, maybe none).
 * False with err set at the first byte that is not text of the encoding;
 * later calls then do nothing. */
bool roster_decoder_feed(struct roster_decoder *d, const char *buf, size_t len,
                         roster_text_cb cb, void *arg, char *err, size_t errsz);
/* The end of the file: false with err set if it cuts a character. */
bool roster_decoder_finish(struct roster_decoder *d, char *err, size_t errsz);
/* NULL-safe; clears *d. */
void roster_decoder_destroy(struct roster_decoder **d);

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
