/*
 * sb_render.c - from a notification to the text of an SMS: the message
 * read into a struct, the template's {placeholders} filled in (times in
 * China Standard Time, labelled; enumerated values in the words of the
 * form), and the provider's JSON body. The SMS is Chinese whatever the
 * host's locale: its words are the template's and the codes catalog's
 * (gettext domain expertctl-codes, the one expertctl shows codes with),
 * looked up in zh_CN.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "ctl_i18n.h"
#include "proto.h"
#include "smsbridge.h"

#ifndef EXPERTD_LOCALEDIR
#define EXPERTD_LOCALEDIR "/usr/share/locale"
#endif

bool sb_words_open(locale_t *zh, char *err, size_t errsz)
{
	const char *dir = getenv("EXPERTD_LOCALEDIR");
	char scratch[CTL_VALUE_KEY_MAX];
	if (!dir || !*dir)
		dir = EXPERTD_LOCALEDIR;
	bindtextdomain(CTL_CODES_DOMAIN, dir);
	bind_textdomain_codeset(CTL_CODES_DOMAIN, "UTF-8");
	unsetenv("LANGUAGE");   /* it would override the locale below */
	*zh = newlocale(LC_MESSAGES_MASK, "zh_CN.UTF-8", (locale_t)0);
	if (*zh == (locale_t)0) {
		snprintf(err, errsz, "the zh_CN.UTF-8 locale is not installed (Debian: "
		         "locales-all): the SMS would carry English codes");
		return false;
	}
	uselocale(*zh);
	if (strcmp(ctl_value("kind", "review", scratch, sizeof scratch), "review") == 0) {
		snprintf(err, errsz, "no Chinese words for the codes in %s/zh_CN/LC_MESSAGES/"
		         "%s.mo (set EXPERTD_LOCALEDIR?)", dir, CTL_CODES_DOMAIN);
		sb_words_close(*zh);
		*zh = (locale_t)0;
		return false;
	}
	return true;
}

void sb_words_close(locale_t zh)
{
	uselocale(LC_GLOBAL_LOCALE);
	if (zh != (locale_t)0)
		freelocale(zh);
}

/* Wire value -> the words an expert reads: the code under its reply key
 * in the codes catalog (the value itself if it has none). */
struct sb_words {
	char kind[CTL_VALUE_KEY_MAX], role[CTL_VALUE_KEY_MAX], state[CTL_VALUE_KEY_MAX];
};

static bool get_str(const msgpack_object *m, const char *k, char *buf, size_t size)
{
	return proto_map_strcpy(m, k, buf, size);
}

static bool get_int(const msgpack_object *m, const char *k, int64_t *v)
{
	const msgpack_object *o = proto_map_get(m, k);
	if (!o || (o->type != MSGPACK_OBJECT_POSITIVE_INTEGER &&
	           o->type != MSGPACK_OBJECT_NEGATIVE_INTEGER))
		return false;
	*v = proto_map_int(m, k, 0);
	return true;
}

bool sb_note_parse(const msgpack_object *m, bool offer, struct sb_note *n)
{
	memset(n, 0, sizeof *n);
	n->offer = offer;
	if (m->type != MSGPACK_OBJECT_MAP || !get_int(m, "assignment", &n->assignment) ||
	    !get_int(m, "task", &n->task) || !get_int(m, "expert", &n->expert) ||
	    !get_str(m, "name", n->name, sizeof n->name) ||
	    !get_str(m, "phone", n->phone, sizeof n->phone))
		return false;
	if (!offer)
		return get_str(m, "state", n->state, sizeof n->state);
	/* The token is absent from a notify.resync offer: the caller sets it. */
	get_str(m, "token", n->token, sizeof n->token);
	/* Keys of Draft 12 (note, organiser, issued) may be missing from an
	 * older daemon's offers: empty then. */
	get_str(m, "note", n->note, sizeof n->note);
	get_str(m, "organiser", n->organiser, sizeof n->organiser);
	get_int(m, "issued", &n->issued);
	return get_int(m, "deadline", &n->deadline) && get_int(m, "start", &n->start) &&
	       get_int(m, "end", &n->end) && get_str(m, "role", n->role, sizeof n->role) &&
	       get_str(m, "bureau", n->bureau, sizeof n->bureau) &&
	       get_str(m, "kind", n->kind, sizeof n->kind) &&
	       get_str(m, "specialty", n->specialty, sizeof n->specialty) &&
	       get_str(m, "district", n->district, sizeof n->district);
}

void sb_note_key(const struct sb_note *n, char key[SB_KEY_LEN])
{
	if (!n->offer) {
		snprintf(key, SB_KEY_LEN, "closed:%lld:%s", (long long)n->assignment, n->state);
		return;
	}
	/* Never the token itself on disk: 128 bits of its hash tell tokens
	 * apart and give nothing back. */
	unsigned char h[16];
	char hex[sizeof h * 2 + 1];
	crypto_generichash(h, sizeof h, (const unsigned char *)n->token, strlen(n->token),
	                   NULL, 0);
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	snprintf(key, SB_KEY_LEN, "offer:%lld:%s", (long long)n->assignment, hex);
}

/* "YYYY-MM-DD HH:MM" of t in China Standard Time (UTC+8, no DST). */
static void cst_format(int64_t t, char *buf, size_t size, const char *fmt)
{
	time_t s = (time_t)(t + 8 * 3600);
	struct tm tm;
	gmtime_r(&s, &tm);
	strftime(buf, size, fmt, &tm);
}

#define SB_CST " (北京时间)"

/* The task's time span, labelled once: the end's date only if another day. */
static void sb_period(const struct sb_note *n, char *buf, size_t size)
{
	char a[32], b[32], da[16], db[16];
	cst_format(n->start, a, sizeof a, "%Y-%m-%d %H:%M");
	cst_format(n->start, da, sizeof da, "%Y-%m-%d");
	cst_format(n->end, db, sizeof db, "%Y-%m-%d");
	cst_format(n->end, b, sizeof b, strcmp(da, db) == 0 ? "%H:%M" : "%Y-%m-%d %H:%M");
	snprintf(buf, size, "%s至%s" SB_CST, a, b);
}

struct sb_vars {
	char start[48], end[48], deadline[48], period[96], task[24], link[600];
};

/* The value of placeholder name[0..len), or NULL when it is none. */
static const char *sb_value(const struct sb_note *n, const struct sb_vars *v,
                            const char *name, size_t len)
{
	struct sb_words w;
	const struct {
		const char *name;
		const char *value;
	} tab[] = {
		{"name", n->name}, {"kind", ctl_value("kind", n->kind, w.kind, sizeof w.kind)},
		{"specialty", n->specialty},
		{"role", ctl_value("role", n->role, w.role, sizeof w.role)},
		{"start", v->start}, {"end", v->end}, {"period", v->period},
		{"district", n->district}, {"deadline", v->deadline}, {"link", v->link},
		{"organiser", n->organiser}, {"note", n->note}, {"task", v->task},
		{"state", ctl_value("closed", n->state, w.state, sizeof w.state)},
		{"token", n->token},
	};
	for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
		if (strlen(tab[i].name) == len && memcmp(tab[i].name, name, len) == 0)
			return tab[i].value;
	return NULL;
}

/* Append s to the stream, control characters (from imported
 * spreadsheets) as spaces. */
static void put_clean(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s, f);
}

/* One template line (without its newline) into f; false when it holds
 * placeholders and every one of them is empty: such a line is left out. */
static bool sb_line(FILE *f, const char *p, size_t len, const struct sb_note *n,
                    const struct sb_vars *v)
{
	size_t holders = 0, filled = 0;
	const char *end = p + len;
	long at = ftell(f);
	while (p < end) {
		const char *close = *p == '{' ? memchr(p, '}', (size_t)(end - p)) : NULL;
		const char *val = close ? sb_value(n, v, p + 1, (size_t)(close - p - 1)) : NULL;
		if (!val) {
			fputc(*p++, f);
			continue;
		}
		holders++;
		filled += val[0] != '\0';
		put_clean(f, val);
		p = close + 1;
	}
	if (holders && !filled) {
		fseek(f, at, SEEK_SET);
		return false;
	}
	return true;
}

char *sb_render(const char *tmpl, const struct sb_note *n, const char *base_url)
{
	struct sb_vars v;
	cst_format(n->start, v.start, sizeof v.start, "%Y-%m-%d %H:%M" SB_CST);
	cst_format(n->end, v.end, sizeof v.end, "%Y-%m-%d %H:%M" SB_CST);
	cst_format(n->deadline, v.deadline, sizeof v.deadline, "%Y-%m-%d %H:%M" SB_CST);
	sb_period(n, v.period, sizeof v.period);
	snprintf(v.task, sizeof v.task, "%lld", (long long)n->task);
	snprintf(v.link, sizeof v.link, "%s/a/%s", base_url, n->token);
	char *out = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);
	if (!f)
		return NULL;
	bool first = true;
	for (const char *p = tmpl; *p;) {
		size_t len = strcspn(p, "\n");
		long at = ftell(f);
		if (!first)
			fputc('\n', f);
		if (!sb_line(f, p, len, n, &v))
			fseek(f, at, SEEK_SET);
		else
			first = false;
		p += len + (p[len] == '\n');
	}
	long total = ftell(f);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	out[total] = '\0';   /* lines left out may have been written past it */
	return out;
}

void sb_message_id(const char *key, char id[33])
{
	unsigned char h[16];
	crypto_generichash(h, sizeof h, (const unsigned char *)key, strlen(key), NULL, 0);
	sodium_bin2hex(id, 33, h, sizeof h);
}

char *sb_render_body(const char *tmpl, const char *phone, const char *text,
                     const char *id)
{
	char *out = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);
	if (!f)
		return NULL;
	for (const char *p = tmpl; *p;) {
		const char *val = strncmp(p, "{phone}", 7) == 0 ? phone
		                  : strncmp(p, "{text}", 6) == 0 ? text
		                  : strncmp(p, "{id}", 4) == 0 ? id : NULL;
		if (!val) {
			fputc(*p++, f);
			continue;
		}
		json_t *js = json_string(val);
		char *q = js ? json_dumps(js, JSON_ENCODE_ANY) : NULL;
		json_decref(js);
		/* "..." without its quotes: the template has them. */
		if (q)
			fwrite(q + 1, 1, strlen(q) - 2, f);
		free(q);
		p += val == phone ? 7 : val == text ? 6 : 4;
	}
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

char *sb_read_file(const char *path, char *err, size_t errsz)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t size = 0;
	FILE *m = f ? open_memstream(&buf, &size) : NULL;
	if (!f || !m) {
		snprintf(err, errsz, "%s: cannot read: %s", path, strerror(errno));
		if (f)
			fclose(f);
		return NULL;
	}
	char chunk[4096];
	size_t got;
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
		fwrite(chunk, 1, got, m);
	bool bad = ferror(f);
	fclose(f);
	if (fclose(m) != 0 || bad) {
		snprintf(err, errsz, "%s: cannot read", path);
		free(buf);
		return NULL;
	}
	return buf;
}
