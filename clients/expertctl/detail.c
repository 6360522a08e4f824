/*
 * detail.c - an expert's history `detail` in the reader's words (see
 * detail.h). Each pattern is at once what the daemon writes (PROTOCOL.md
 * 7.2) and the msgid people's words are looked up by: {n} stands for the
 * n-th value, which a translation may move.
 */
#include <string.h>

#include "ctl_i18n.h"
#include "detail.h"

#define DETAIL_VALUES 5

struct detail_cap {
	const char *at;
	size_t len;
};

struct detail_out {
	char *buf;
	size_t size, len;
};

/* A pattern, and the reply key of each value that is a code ("#" for an
 * assignment's outcome, a state with its reason). */
struct detail_pattern {
	const char *pattern;
	const char *keys[DETAIL_VALUES];
};

static const struct detail_pattern detail_patterns[] = {
	{N_("term {1} -> {2}"), {NULL}},
	{N_("conflict {1} with {2} ({3})"), {NULL, NULL, "kind"}},
	{N_("unavailable {1}: {2} .. {3} withdrawn"), {NULL}},
	{N_("unavailable {1}: {2} .. {3} -> {4} .. {5}"), {NULL}},
	{N_("unavailable {1}: {2} .. {3} ({4})"), {NULL, NULL, NULL, "channel"}},
	{N_("certificate {1} of {2}"), {NULL}},
	{N_("pool.export"), {NULL}},
	{N_("assignment {1} of task {2}: {3} -> {4}"), {NULL, NULL, "#", "#"}},
};

/* The fields of an import's changes whose values are codes. */
static const char *const detail_code_fields[] = {
	"sex", "title", "qualification", "group_types", "task_types", "relaxations", NULL};

static void detail_put(struct detail_out *o, const char *s, size_t n)
{
	if (o->len + 1 >= o->size)
		return;
	if (n >= o->size - o->len) {
		/* Cut at a character boundary. */
		n = o->size - o->len - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
		memcpy(o->buf + o->len, s, n);
		o->len += n;
		o->buf[o->len] = '\0';
		o->size = o->len + 1; /* full: nothing more after the cut */
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void detail_puts(struct detail_out *o, const char *s)
{
	detail_put(o, s, strlen(s));
}

/* "{n}" at p: n (1..DETAIL_VALUES), else 0. */
static int detail_slot(const char *p)
{
	if (p[0] == '{' && p[1] >= '1' && p[1] <= '0' + DETAIL_VALUES && p[2] == '}')
		return p[1] - '0';
	return 0;
}

/* Whether s matches pat whole, each {n} standing for one or more bytes
 * (the fewest that let the rest match); the values into cap. */
static bool detail_match(const char *s, const char *pat, struct detail_cap *cap)
{
	for (;;) {
		int slot = detail_slot(pat);
		if (slot) {
			for (size_t n = 1; s[n - 1]; n++)
				if (detail_match(s + n, pat + 3, cap)) {
					cap[slot - 1] = (struct detail_cap){s, n};
					return true;
				}
			return false;
		}
		if (*pat == '\0' || *pat != *s)
			return *pat == '\0' && *s == '\0';
		pat++;
		s++;
	}
}

static void detail_value(struct detail_out *o, const char *key, const char *v,
                         const struct detail_words *w)
{
	char buf[CTL_VALUE_KEY_MAX];
	detail_puts(o, key ? w->value(key, v, buf, sizeof buf) : v);
}

/* A code, or codes joined by '|', each as people read it. */
static void detail_codes(struct detail_out *o, const char *key, const char *v,
                         const struct detail_words *w)
{
	char one[CTL_VALUE_KEY_MAX];
	for (;;) {
		size_t n = strcspn(v, "|");
		if (n >= sizeof one)
			n = sizeof one - 1;
		memcpy(one, v, n);
		one[n] = '\0';
		detail_value(o, key, one, w);
		if (v[n] != '|')
			return;
		detail_put(o, "|", 1);
		v += n + 1;
	}
}

static void detail_fill(struct detail_out *o, const char *tmpl,
                        const struct detail_cap *cap, const char *const *keys,
                        const struct detail_words *w);

/* An assignment's outcome: "declined (schedule)" or "completed". */
static void detail_outcome(struct detail_out *o, const char *v, const struct detail_words *w)
{
	static const char *const keys[DETAIL_VALUES] = {"state", "decline_reason"};
	struct detail_cap cap[DETAIL_VALUES] = {{0}};
	if (detail_match(v, "{1} ({2})", cap))
		detail_fill(o, w->text(N_("{1} ({2})")), cap, keys, w);
	else
		detail_value(o, "state", v, w);
}

/* tmpl with each {n} replaced by value n, codes as people read them. */
static void detail_fill(struct detail_out *o, const char *tmpl,
                        const struct detail_cap *cap, const char *const *keys,
                        const struct detail_words *w)
{
	char v[1100];
	while (*tmpl) {
		int slot = detail_slot(tmpl);
		if (!slot || !cap[slot - 1].at) {
			size_t n = strcspn(tmpl + 1, "{") + 1;
			detail_put(o, tmpl, n);
			tmpl += n;
			continue;
		}
		size_t n = cap[slot - 1].len < sizeof v ? cap[slot - 1].len : sizeof v - 1;
		memcpy(v, cap[slot - 1].at, n);
		v[n] = '\0';
		const char *key = keys ? keys[slot - 1] : NULL;
		if (key && strcmp(key, "#") == 0)
			detail_outcome(o, v, w);
		else if (key)
			detail_codes(o, key, v, w);
		else
			detail_puts(o, v);
		tmpl += 3;
	}
}

static bool detail_is_code_field(const char *field, size_t n)
{
	for (int i = 0; detail_code_fields[i]; i++)
		if (strlen(detail_code_fields[i]) == n && memcmp(detail_code_fields[i], field, n) == 0)
			return true;
	return false;
}

/* One change of an import's: "title intermediate → deputy_senior",
 * "phone changed" or "form fields changed"; as it is when none. */
static void detail_change(struct detail_out *o, const char *item, const struct detail_words *w)
{
	struct detail_cap cap[DETAIL_VALUES] = {{0}};
	char field[64];
	if (strcmp(item, "form fields changed") == 0) {
		detail_puts(o, w->text(N_("form fields changed")));
	} else if (detail_match(item, "{1} changed", cap) && !memchr(item, ' ', cap[0].len)) {
		static const char *const keys[DETAIL_VALUES] = {"label"};
		detail_fill(o, w->text(N_("{1} changed")), cap, keys, w);
	} else if (detail_match(item, "{1} {2} \xe2\x86\x92 {3}", cap) &&
	           cap[0].len < sizeof field) {
		memcpy(field, cap[0].at, cap[0].len);
		field[cap[0].len] = '\0';
		const char *code = detail_is_code_field(field, cap[0].len) ? field : NULL;
		const char *const keys[DETAIL_VALUES] = {"label", code, code};
		detail_fill(o, w->text(N_("{1} {2} \xe2\x86\x92 {3}")), cap, keys, w);
	} else {
		detail_puts(o, item);
	}
}

/* digits at s: how many (0 for none). */
static size_t detail_digits(const char *s)
{
	size_t n = 0;
	while (s[n] >= '0' && s[n] <= '9')
		n++;
	return n;
}

/* "import 2 line 5", then ": " or "; " and the changes joined by "; ". */
static bool detail_import(struct detail_out *o, const char *s, const struct detail_words *w)
{
	struct detail_cap cap[DETAIL_VALUES] = {{0}};
	size_t n1, n2;
	if (strncmp(s, "import ", 7) != 0 || !(n1 = detail_digits(s + 7)) ||
	    strncmp(s + 7 + n1, " line ", 6) != 0 || !(n2 = detail_digits(s + 13 + n1)))
		return false;
	const char *rest = s + 13 + n1 + n2;
	if (*rest && strncmp(rest, ": ", 2) != 0 && strncmp(rest, "; ", 2) != 0)
		return false;
	cap[0] = (struct detail_cap){s + 7, n1};
	cap[1] = (struct detail_cap){s + 13 + n1, n2};
	detail_fill(o, w->text(N_("import {1} line {2}")), cap, NULL, w);
	char item[1100];
	while (*rest) {
		/* TRANSLATORS: what joins an import's line to its changes, and
		 * one change to the next. */
		detail_puts(o, rest[0] == ':' ? w->text(N_(": ")) : w->text(N_("; ")));
		rest += 2;
		size_t n = 0;
		while (rest[n] && strncmp(rest + n, "; ", 2) != 0)
			n++;
		size_t k = n < sizeof item ? n : sizeof item - 1;
		memcpy(item, rest, k);
		item[k] = '\0';
		detail_change(o, item, w);
		rest += n;
	}
	return true;
}

bool detail_words(const char *detail, const struct detail_words *w, char *out,
                  size_t size)
{
	struct detail_out o = {out, size, 0};
	if (size)
		out[0] = '\0';
	if (detail_import(&o, detail, w))
		return true;
	for (size_t i = 0; i < sizeof detail_patterns / sizeof detail_patterns[0]; i++) {
		struct detail_cap cap[DETAIL_VALUES] = {{0}};
		if (detail_match(detail, detail_patterns[i].pattern, cap)) {
			detail_fill(&o, w->text(detail_patterns[i].pattern), cap,
			            detail_patterns[i].keys, w);
			return true;
		}
	}
	detail_puts(&o, detail);
	return false;
}
