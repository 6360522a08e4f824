/*
 * hint.c - the hints of a failed draw (see hint.h). Messages are English
 * for now, as the rest of expertctl's; a later change translates them.
 */
#include <inttypes.h>
#include <string.h>

#include "hint.h"
#include "out.h"

/* Experts outside the group type are worth a word when they alone would
 * cover the shortfall, or outnumber the candidates found: then the group
 * type, not the pool, is what kept the panel short. */
static bool hint_group_matters(const struct hint_counts *h)
{
	uint64_t n = h->outside_group;
	return h->has_outside_group && n > 0 &&
	       (h->found + n >= h->needed || n >= h->found);
}

/* The specialty and group type came from users: cleaned on the way out. */
static void hint_line(FILE *f, const char *line, const char *before, int lines)
{
	if (lines == 0)
		fputs(before, f);
	out_text(f, line, strlen(line));
	fputc('\n', f);
}

int hint_print(FILE *f, const struct hint_counts *h, const char *before)
{
	char line[512];
	int lines = 0;
	if (hint_group_matters(h)) {
		snprintf(line, sizeof line, "%" PRIu64 " %s the specialty%s%s but not "
		         "group type%s%s: check --group-type", h->outside_group,
		         h->outside_group == 1 ? "expert holds" : "experts hold",
		         h->specialty ? " " : "", h->specialty ? h->specialty : "",
		         h->group ? " " : "", h->group ? h->group : "");
		hint_line(f, line, before, lines);
		lines++;
	}
	if (h->capability_excluded > 0 && h->capability && h->capability[0]) {
		snprintf(line, sizeof line, "%" PRIu64 " %s the task-type capability %s "
		         "(the form's 承担任务类型 box)", h->capability_excluded,
		         h->capability_excluded == 1 ? "lacks" : "lack", h->capability);
		hint_line(f, line, before, lines);
		lines++;
	}
	return lines;
}
