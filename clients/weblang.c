/*
 * weblang.c - a page's language (weblang.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <event2/keyvalq_struct.h>

#include "weblang.h"

bool weblang_open(struct weblang *w, char *err, size_t errsz)
{
	w->en = newlocale(LC_ALL_MASK, "C.UTF-8", (locale_t)0);
	w->zh = newlocale(LC_ALL_MASK, "zh_CN.UTF-8", (locale_t)0);
	if (!w->zh) {
		snprintf(err, errsz, "the zh_CN.UTF-8 locale is not installed (Debian: "
		         "locales-all): pages will be in English");
		return false;
	}
	return true;
}

void weblang_close(struct weblang *w)
{
	if (w->zh)
		freelocale(w->zh);
	if (w->en)
		freelocale(w->en);
	w->zh = w->en = (locale_t)0;
}

locale_t weblang_begin(const struct weblang *w, bool english)
{
	locale_t l = !english && w->zh ? w->zh : w->en;
	return uselocale(l ? l : LC_GLOBAL_LOCALE);
}

void weblang_end(locale_t previous)
{
	uselocale(previous);
}

bool weblang_is_english(struct evhttp_request *req, bool english_default, bool *asked)
{
	struct evkeyvalq q = {0};
	const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	const char *lang = NULL;
	bool english = english_default;
	*asked = false;
	if (query && evhttp_parse_query_str(query, &q) == 0)
		lang = evhttp_find_header(&q, "lang");
	if (lang && (strcmp(lang, "en") == 0 || strcmp(lang, "zh") == 0)) {
		english = lang[0] == 'e';
		*asked = true;
	} else {
		const char *al = evhttp_find_header(evhttp_request_get_input_headers(req),
		                                    "Accept-Language");
		while (al && *al == ' ')
			al++;
		if (al && strncasecmp(al, "en", 2) == 0)
			english = true;
	}
	evhttp_clear_headers(&q);
	return english;
}
