/*
 * page.c - the answer page's HTML (see page.h). Readable on a phone: a
 * viewport, one column, large touch targets; works without JavaScript.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "page.h"
#include "proto.h"

#define PAGE_CST_OFFSET (8 * 3600)

static const char page_style[] =
	"body{font-family:\"Noto Sans CJK SC\",\"Noto Sans SC\",sans-serif;margin:0;"
	"background:#f4f5f7;color:#1d1d1f;line-height:1.6}"
	"main{max-width:36rem;margin:0 auto;padding:1rem}"
	"h1{font-size:1.4rem;margin:.5rem 0 1rem}h2{font-size:1.15rem;margin:0 0 .5rem}"
	"dl{background:#fff;border-radius:8px;padding:.75rem 1rem;margin:0 0 1rem}"
	"dt{color:#555;font-size:.9rem}dd{margin:0 0 .5rem;font-weight:600}"
	"form{background:#fff;border-radius:8px;padding:1rem;margin:0 0 1rem}"
	"label{display:block;margin:.35rem 0}textarea,select,input[type=date]{width:100%;"
	"box-sizing:border-box;font:inherit;padding:.4rem}"
	"button{width:100%;font:inherit;font-size:1.1rem;padding:.75rem;border:0;"
	"border-radius:6px;background:#0b6bcb;color:#fff;margin-top:.5rem}"
	"button.no{background:#8a1c1c}button.other{background:#555}"
	"p.lang{text-align:right;margin:0}.msg{background:#fff;border-radius:8px;padding:1rem}";

const char *page_css(void)
{
	return page_style;
}

/* Escaped text. */
static void page_text(struct evbuffer *b, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '<': evbuffer_add(b, "&lt;", 4); break;
		case '>': evbuffer_add(b, "&gt;", 4); break;
		case '&': evbuffer_add(b, "&amp;", 5); break;
		case '"': evbuffer_add(b, "&quot;", 6); break;
		case '\'': evbuffer_add(b, "&#39;", 5); break;
		default: evbuffer_add(b, s, 1); break;
		}
}

void page_time(char out[20], int64_t t)
{
	time_t cst = (time_t)(t + PAGE_CST_OFFSET);
	struct tm tm;
	gmtime_r(&cst, &tm);
	strftime(out, 20, "%Y-%m-%d %H:%M", &tm);
}

void page_date(char out[11], int64_t t)
{
	time_t cst = (time_t)(t + PAGE_CST_OFFSET);
	struct tm tm;
	gmtime_r(&cst, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* The offer's own address, keeping an asked-for language. */
static void page_self(struct evbuffer *b, const struct page_ctx *c)
{
	evbuffer_add_printf(b, "/a/");
	page_text(b, c->link);
	if (c->lang_asked)
		evbuffer_add_printf(b, "?lang=%s", c->lang == WORDS_EN ? "en" : "zh");
}

static void page_head(struct evbuffer *b, const struct page_ctx *c, const char *title)
{
	evbuffer_add_printf(b, "<!DOCTYPE html>\n<html lang=\"%s\"><head>"
	                    "<meta charset=\"utf-8\">"
	                    "<meta name=\"viewport\" content=\"width=device-width, "
	                    "initial-scale=1\"><title>",
	                    c->lang == WORDS_EN ? "en" : "zh-CN");
	page_text(b, title);
	evbuffer_add_printf(b, "</title><style>%s</style></head><body><main>", page_style);
	if (c->link[0]) {
		/* The other language, named in itself. */
		evbuffer_add_printf(b, "<p class=\"lang\"><a href=\"/a/");
		page_text(b, c->link);
		evbuffer_add_printf(b, "?lang=%s\">%s</a></p>",
		                    c->lang == WORDS_EN ? "zh" : "en",
		                    c->lang == WORDS_EN ? "中文" : "English");
	}
	evbuffer_add_printf(b, "<h1>");
	page_text(b, title);
	evbuffer_add_printf(b, "</h1>");
}

static void page_foot(struct evbuffer *b)
{
	evbuffer_add_printf(b, "</main></body></html>\n");
}

void page_message(struct evbuffer *b, const struct page_ctx *c, const char *title,
                  const char *text, bool back)
{
	page_head(b, c, title);
	evbuffer_add_printf(b, "<p class=\"msg\">");
	page_text(b, text);
	evbuffer_add_printf(b, "</p>");
	if (back && c->link[0]) {
		evbuffer_add_printf(b, "<p><a href=\"");
		page_self(b, c);
		evbuffer_add_printf(b, "\">");
		page_text(b, _("Back to the invitation"));
		evbuffer_add_printf(b, "</a></p>");
	}
	page_foot(b);
}

bool page_offer_read(const msgpack_object *r, struct page_offer *o)
{
	memset(o, 0, sizeof *o);
	if (!r || r->type != MSGPACK_OBJECT_MAP ||
	    !proto_map_strcpy(r, "role", o->role, sizeof o->role) ||
	    !proto_map_strcpy(r, "kind", o->kind, sizeof o->kind) ||
	    !proto_map_strcpy(r, "specialty", o->specialty, sizeof o->specialty))
		return false;
	proto_map_strcpy(r, "district", o->district, sizeof o->district);
	proto_map_strcpy(r, "note", o->note, sizeof o->note);
	proto_map_strcpy(r, "organiser", o->organiser, sizeof o->organiser);
	o->start = proto_map_int(r, "start", 0);
	o->end = proto_map_int(r, "end", 0);
	o->deadline = proto_map_int(r, "deadline", 0);
	const msgpack_object *orgs = proto_map_get(r, "orgs");
	if (orgs && orgs->type == MSGPACK_OBJECT_ARRAY)
		for (uint32_t i = 0; i < orgs->via.array.size && o->n_orgs < PAGE_ORGS_MAX; i++) {
			const msgpack_object *s = &orgs->via.array.ptr[i];
			if (s->type == MSGPACK_OBJECT_STR && s->via.str.size < sizeof o->orgs[0]) {
				memcpy(o->orgs[o->n_orgs], s->via.str.ptr, s->via.str.size);
				o->orgs[o->n_orgs++][s->via.str.size] = '\0';
			}
		}
	return true;
}

static void page_row(struct evbuffer *b, const char *label, const char *value)
{
	if (!value[0])
		return;
	evbuffer_add_printf(b, "<dt>");
	page_text(b, label);
	evbuffer_add_printf(b, "</dt><dd>");
	page_text(b, value);
	evbuffer_add_printf(b, "</dd>");
}

static void page_facts(struct evbuffer *b, const struct page_offer *o)
{
	char start[20], end[20], when[96], by[64];
	page_time(start, o->start);
	page_time(end, o->end);
	snprintf(when, sizeof when, "%s – %s %s", start, end, _("(Beijing time)"));
	page_time(start, o->deadline);
	snprintf(by, sizeof by, "%s %s", start, _("(Beijing time)"));
	evbuffer_add_printf(b, "<dl>");
	page_row(b, _("Task"), words_kind(o->kind));
	page_row(b, _("Specialty"), o->specialty);
	page_row(b, _("Organiser"), o->organiser);
	page_row(b, _("When"), when);
	page_row(b, _("Where"), o->district);
	page_row(b, _("Note"), o->note);
	page_row(b, _("Your role"), words_role(o->role));
	page_row(b, _("Please answer by"), by);
	evbuffer_add_printf(b, "</dl>");
}

/* <form method="post" action="…"> with the hidden fields. */
static void page_form_open(struct evbuffer *b, const struct page_ctx *c, const char *csrf,
                           const char *action, const char *title)
{
	evbuffer_add_printf(b, "<form method=\"post\" action=\"");
	page_self(b, c);
	evbuffer_add_printf(b, "\"><input type=\"hidden\" name=\"csrf\" value=\"");
	page_text(b, csrf);
	evbuffer_add_printf(b, "\"><input type=\"hidden\" name=\"action\" value=\"%s\">"
	                    "<h2>", action);
	page_text(b, title);
	evbuffer_add_printf(b, "</h2>");
}

static void page_button(struct evbuffer *b, const char *id, const char *cls,
                        const char *label)
{
	evbuffer_add_printf(b, "<button type=\"submit\" id=\"%s\" class=\"%s\">", id, cls);
	page_text(b, label);
	evbuffer_add_printf(b, "</button></form>");
}

static void page_decline_form(struct evbuffer *b, const struct page_ctx *c,
                              const struct page_offer *o, const char *csrf)
{
	page_form_open(b, c, csrf, "decline", _("Decline"));
	for (int i = 0; words_reasons[i]; i++) {
		evbuffer_add_printf(b, "<label><input type=\"radio\" name=\"reason\" "
		                    "value=\"%s\" id=\"reason-%s\"%s> ", words_reasons[i],
		                    words_reasons[i], i == 0 ? " required" : "");
		page_text(b, words_reason(words_reasons[i]));
		evbuffer_add_printf(b, "</label>");
	}
	if (o->n_orgs > 1) {
		evbuffer_add_printf(b, "<label>");
		page_text(b, _("Organisation in conflict (for a conflict of interest)"));
		evbuffer_add_printf(b, "<select name=\"org\" id=\"org\">");
		for (int i = 0; i < o->n_orgs; i++) {
			evbuffer_add_printf(b, "<option>");
			page_text(b, o->orgs[i]);
			evbuffer_add_printf(b, "</option>");
		}
		evbuffer_add_printf(b, "</select></label>");
	}
	evbuffer_add_printf(b, "<label>");
	page_text(b, _("Note (required for another reason)"));
	evbuffer_add_printf(b, "<textarea name=\"note\" id=\"note\" maxlength=\"500\" "
	                    "rows=\"2\"></textarea></label>");
	page_button(b, "decline", "no", _("I decline"));
}

static void page_unavailable_form(struct evbuffer *b, const struct page_ctx *c,
                                  const char *csrf)
{
	char today[11];
	page_date(today, c->now);
	page_form_open(b, c, csrf, "unavailable", _("Dates you cannot serve"));
	evbuffer_add_printf(b, "<p>");
	page_text(b, _("Tell the Center about a period in which you cannot take part "
	               "in any task. This does not answer this invitation."));
	evbuffer_add_printf(b, "</p><label>");
	page_text(b, _("From"));
	evbuffer_add_printf(b, "<input type=\"date\" name=\"from\" id=\"from\" value=\"%s\" "
	                    "min=\"%s\" required></label><label>", today, today);
	page_text(b, _("To"));
	evbuffer_add_printf(b, "<input type=\"date\" name=\"to\" id=\"to\" value=\"%s\" "
	                    "min=\"%s\" required></label><label>", today, today);
	page_text(b, _("Reason (optional)"));
	evbuffer_add_printf(b, "<textarea name=\"note\" maxlength=\"500\" rows=\"2\">"
	                    "</textarea></label>");
	page_button(b, "unavailable", "other", _("Record these dates"));
}

void page_offer(struct evbuffer *b, const struct page_ctx *c, const struct page_offer *o,
                const char *csrf)
{
	page_head(b, c, _("Invitation to serve as an expert"));
	evbuffer_add_printf(b, "<p>");
	page_text(b, _("You have been drawn at random for the task below. Please "
	               "accept or decline before the time shown."));
	evbuffer_add_printf(b, "</p>");
	page_facts(b, o);
	page_form_open(b, c, csrf, "accept", _("Accept"));
	page_button(b, "accept", "yes", _("I accept"));
	page_decline_form(b, c, o, csrf);
	page_unavailable_form(b, c, csrf);
	page_foot(b);
}
