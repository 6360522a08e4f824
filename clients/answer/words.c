/*
 * words.c - the answer page's words (see words.h).
 */
#include <stdio.h>
#include <string.h>

#include "words.h"

struct words_pair {
	const char *code;
	const char *english;
};

/* PROTOCOL.md 7.9.1 kinds (POLICY.md 3.1), roles, 7.12.5 reasons. */
static const struct words_pair words_kinds[] = {
	{"review", N_("review")},
	{"inspection", N_("inspection")},
	{"competition", N_("skills competition")},
	{"training", N_("assessor training")},
	{"other", N_("other commissioned work")},
	{NULL, NULL}};
static const struct words_pair words_roles[] = {
	{"leader", N_("group leader")},
	{"member", N_("group member")},
	{"backup", N_("backup")},
	{NULL, NULL}};
static const struct words_pair words_reason_names[] = {
	{"conflict", N_("conflict of interest with an organisation concerned")},
	{"illness", N_("illness")},
	{"official_duty", N_("official duties")},
	{"schedule", N_("schedule clash")},
	{"other", N_("other reason (please say why)")},
	{NULL, NULL}};

const char *const words_reasons[] = {"conflict", "illness", "official_duty",
                                     "schedule", "other", NULL};

static const char *words_find(const struct words_pair *t, const char *code)
{
	for (; t->code; t++)
		if (strcmp(t->code, code) == 0)
			return _(t->english);
	return code;
}

const char *words_kind(const char *code)
{
	return words_find(words_kinds, code);
}

const char *words_role(const char *code)
{
	return words_find(words_roles, code);
}

const char *words_reason(const char *code)
{
	return words_find(words_reason_names, code);
}

bool words_open(struct words *w, const char *locale_dir, char *err, size_t errsz)
{
	bindtextdomain(WORDS_DOMAIN, locale_dir);
	bind_textdomain_codeset(WORDS_DOMAIN, "UTF-8");
	return weblang_open(&w->lang, err, errsz);
}

void words_close(struct words *w)
{
	weblang_close(&w->lang);
}

locale_t words_begin(const struct words *w, enum words_lang lang)
{
	return weblang_begin(&w->lang, lang == WORDS_EN);
}

void words_end(locale_t previous)
{
	weblang_end(previous);
}
