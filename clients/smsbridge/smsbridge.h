/*
 * smsbridge.h - expertd-smsbridge, the SMS gateway (STREAMS.md 4,
 * PROTOCOL.md 7.12.15): it follows the notification stream, renders each
 * offer and closing as Chinese text from a template, and posts it to the
 * provider the Center configures, retrying until the provider takes it.
 * What it sent is in a journal of its own (never the daemon's database),
 * and after a start or a break in the stream it asks the daemon for the
 * offers it missed (notify.resync).
 */
#ifndef EXPERTD_SMSBRIDGE_H
#define EXPERTD_SMSBRIDGE_H

#include <locale.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#define SB_MAX_HEADERS 16
#define SB_MAX_ORGANISERS 128
#define SB_KEY_LEN 96
#define SB_HELD_MAX 256          /* notify.resync's skip (PROTOCOL.md 7.12.15) */

/* ---- configuration (sb_config.c) --------------------------------------- */

struct sb_config {
	char *endpoint;          /* [daemon] request endpoint, for notify.resync */
	char *notify_endpoint;   /* [daemon] the notification stream */
	char *key;               /* [daemon] the notifier's secret key file */
	char *server_key;        /* [daemon] the daemon's public key (file or Z85) */
	bool insecure;           /* [daemon] plain sockets, loopback or ipc only */
	char *offer_template;    /* [sms] template files */
	char *closed_template;
	char *base_url;          /* [sms] the answer page: {link} = base_url/a/TOKEN */
	char *url;               /* [provider] http[s]://host[:port]/path */
	char *ca_file;           /* [provider] CAs for https; NULL: the system's */
	char *headers[SB_MAX_HEADERS]; /* [provider] "Name: value", {api_key} filled */
	size_t n_headers;
	char *api_key_file;      /* [provider] its content is {api_key} */
	char *api_key;           /* read from api_key_file */
	char *body;              /* [provider] JSON template with {phone} and {text} */
	int timeout_s;           /* [provider] one attempt's bound */
	int retry_initial_ms;    /* [provider] first wait after a failure */
	int retry_max_ms;        /* [provider] longest wait */
	int closed_give_up_s;    /* [provider] how long a closing is retried */
	int max_in_flight;       /* [provider] requests out at once */
	/* [organisers] bureau code = the name an expert reads, for the
	 * bureaus the daemon knows no name of (STREAMS.md 4, organiser). */
	char *org_code[SB_MAX_ORGANISERS], *org_name[SB_MAX_ORGANISERS];
	size_t n_orgs;
	char *journal;           /* [state] the journal file */
	int keep_days;           /* [state] journal lines kept this long */
};

/* Read and check FILE. False with err set ("FILE:LINE: ..."). */
bool sb_config_load(struct sb_config *c, const char *file, char *err, size_t errsz);
void sb_config_free(struct sb_config *c);

/* ---- messages and rendering (sb_render.c) ------------------------------ */

/* The SMS's words for codes (kind, role, state) come from the codes
 * catalog in Simplified Chinese whatever the host's locale: bind it
 * ($EXPERTD_LOCALEDIR or the installed one) and use zh_CN for this
 * thread's messages. False with err set when the locale or catalog is
 * missing: the bridge does not start rather than text English codes. */
bool sb_words_open(locale_t *zh, char *err, size_t errsz);
void sb_words_close(locale_t zh);

/* One notification, as the stream or notify.resync gives it. */
struct sb_note {
	bool offer;              /* notify.offer; else notify.closed */
	int64_t assignment, task, expert;
	int64_t deadline, start, end, issued;
	char name[128], phone[40], role[16], token[64], state[16];
	char bureau[64], kind[16], specialty[260], district[80];
	char note[1040], organiser[520];
};

/* Fill n from a notify.offer / notify.closed map (offer says which).
 * False when a key the text needs is missing or of the wrong type. */
bool sb_note_parse(const msgpack_object *map, bool offer, struct sb_note *n);

/* The text of n from template tmpl (placeholders {name} ...; see
 * expertd-smsbridge(8)); malloc'd, NULL on out of memory. */
char *sb_render(const char *tmpl, const struct sb_note *n, const char *base_url);

/* Replace {phone}, {text} and {id} in the provider's JSON body template
 * with the values, JSON-escaped. malloc'd, NULL on out of memory. */
char *sb_render_body(const char *tmpl, const char *phone, const char *text,
                     const char *id);

/* The message's id for the provider ({id}): the same for every attempt
 * at one message, so a provider that keeps ids can drop a repeat. 32 hex
 * characters from the delivery key. */
void sb_message_id(const char *key, char id[33]);

/* A file's whole content, malloc'd; NULL with err set. */
char *sb_read_file(const char *path, char *err, size_t errsz);

/* ---- the journal (sb_journal.c) ---------------------------------------- */

struct sb_journal;

/* Open (create) the journal, dropping lines older than keep_days. */
struct sb_journal *sb_journal_open(const char *path, int keep_days, int64_t now,
                                   char *err, size_t errsz);
void sb_journal_close(struct sb_journal **j);
bool sb_journal_has(const struct sb_journal *j, const char *key);
/* Whether a key starting with prefix was sent (still in the journal). */
bool sb_journal_has_prefix(const struct sb_journal *j, const char *prefix);
/* Record a delivery the provider accepted (flushed to disk). */
bool sb_journal_sent(struct sb_journal *j, const char *key, int64_t now);
/* The server time from which offers may be missing (0: none known), and
 * the seats offered in that second whose message was handled (*held,
 * *n_held: notify.resync's skip). */
int64_t sb_journal_mark(const struct sb_journal *j, const int64_t **held,
                        size_t *n_held);
bool sb_journal_set_mark(struct sb_journal *j, int64_t mark, const int64_t *held,
                         size_t n_held);

/* The delivery key of a notification: offers by assignment and token
 * (hashed), closings by assignment and state. */
void sb_note_key(const struct sb_note *n, char key[SB_KEY_LEN]);

/* ---- HTTPS (sb_tls.c) --------------------------------------------------- */

struct event_base;
struct evhttp_connection;
struct sb_tls;

/* TLS 1.2+, peers checked against ca_file (NULL: the system's CAs). */
struct sb_tls *sb_tls_new(const char *ca_file, char *err, size_t errsz);
void sb_tls_free(struct sb_tls **t);
/* An HTTP connection over TLS to host:port, whose certificate must name
 * host; NULL on failure. */
struct evhttp_connection *sb_tls_connect(struct sb_tls *t, struct event_base *base,
                                         const char *host, int port);
/* Why TLS failed on conn (its last OpenSSL error), or NULL. */
const char *sb_tls_error(struct evhttp_connection *conn);

/* ---- delivery (sb_deliver.c) ------------------------------------------- */

struct sb_deliver;

struct sb_deliver *sb_deliver_new(struct event_base *base, const struct sb_config *c,
                                  struct sb_journal *j, char *err, size_t errsz);
void sb_deliver_free(struct sb_deliver **d);
/* Queue the text of n (rendered here) unless it was sent or is queued.
 * A newer offer for a seat drops a queued older one, and a closing drops
 * the seat's queued offer: their links are dead; a closing is not sent
 * when the offer it closes was dropped so and none was ever sent. */
void sb_deliver_note(struct sb_deliver *d, const struct sb_note *n, int64_t now);
/* How many requests are out to the provider now. */
size_t sb_deliver_busy(const struct sb_deliver *d);
/* Whether an offer for this seat is queued. */
bool sb_deliver_has_offer(const struct sb_deliver *d, int64_t assignment);
/* The smallest `issued` of the offers still queued; INT64_MAX if none. */
int64_t sb_deliver_oldest(const struct sb_deliver *d);

/* ---- the stream and resync (sb_stream.c) ------------------------------- */

struct sb_stream;

/* Connect to the notification stream and the request endpoint; the
 * first resync runs once the stream's handshake succeeded. Borrows all. */
struct sb_stream *sb_stream_new(struct event_base *base, const struct sb_config *c,
                                struct sb_journal *j, struct sb_deliver *d,
                                char *err, size_t errsz);
void sb_stream_free(struct sb_stream **s);
/* Non-zero once the daemon refused the bridge's key: the exit status. */
int sb_stream_failed(const struct sb_stream *s);

#endif
