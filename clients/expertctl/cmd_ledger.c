/*
 * cmd_ledger.c - the decline ledger as people read it (第十七条: experts who
 * long fail to take part lose their qualification): `expertctl flagged`,
 * and the ledger and seat tables `pool show` prints. The daemon scores;
 * this only shows what it sent (PROTOCOL.md 7.6.2, 7.12.5, 7.12.11).
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "out.h"

void cmd_print_ledger(const msgpack_object *ledger)
{
	static const char *const head[] = {N_("AT (CST)"), N_("KIND"), N_("ASSIGNMENT"), N_("TASK"),
	                                   N_("REASON"), N_("COUNTS"), N_("WITHDRAWN (CST)")};
	static const char *const keys[] = {"@at", "kind", "assignment", "task", "reason",
	                                   "counts", "@withdrawn"};
	char score[32], level[32], days[32], span[32];
	if (!ledger || ledger->type != MSGPACK_OBJECT_MAP)
		return;
	printf(_("score %s, level %s (window %s days, a flag needs events over %s days)\n"),
	       out_field(ledger, "score", score, sizeof score),
	       out_shown(ledger, "level", level, sizeof level),
	       out_field(ledger, "window_days", days, sizeof days),
	       out_field(ledger, "flag_span_days", span, sizeof span));
	const msgpack_object *ev = proto_map_get(ledger, "events");
	if (!ev || ev->type != MSGPACK_OBJECT_ARRAY || ev->via.array.size == 0)
		printf(_("(no ledger events)\n"));
	else
		cmd_print_table(head, keys, sizeof keys / sizeof keys[0], ev);
}

void cmd_print_assignments(const msgpack_object *list)
{
	static const char *const head[] = {N_("ASSIGNMENT"), N_("TASK"), N_("ROLE"), N_("STATE"),
	                                   N_("SEATED (CST)")};
	static const char *const keys[] = {"assignment", "task", "role", "state", "@at"};
	if (!list || list->type != MSGPACK_OBJECT_ARRAY || list->via.array.size == 0)
		printf(_("(never drawn)\n"));
	else
		cmd_print_table(head, keys, sizeof keys / sizeof keys[0], list);
}

/* The flagged experts, then each one's ledger. */
static void ledger_print_flagged(const msgpack_object *res)
{
	static const char *const head[] = {N_("EXPERT"), N_("NAME"), N_("SCORE"), N_("LEVEL"),
	                                   N_("FLAGGED AT (CST)")};
	static const char *const keys[] = {"expert", "name", "score", "level"};
	enum { NCOLS = sizeof head / sizeof head[0] };
	const msgpack_object *list = proto_map_get(res, "experts");
	uint32_t n = list && list->type == MSGPACK_OBJECT_ARRAY ? list->via.array.size : 0;
	if (n == 0) {
		printf(_("(no flagged experts)\n"));
		return;
	}
	struct out_table *t = out_table_new(NCOLS, head);
	for (uint32_t i = 0; i < n; i++) {
		const msgpack_object *e = &list->via.array.ptr[i];
		char at[CMD_TIME_LEN], b[NCOLS - 1][128];
		const char *row[NCOLS];
		for (size_t k = 0; k < NCOLS - 1; k++)
			row[k] = out_field(e, keys[k], b[k], sizeof b[k]);
		row[NCOLS - 1] = cmd_time_field(e, "flagged_at", at);
		out_table_add(t, row);
	}
	out_table_print(t, stdout);
	out_table_destroy(&t);
	for (uint32_t i = 0; i < n; i++) {
		const msgpack_object *e = &list->via.array.ptr[i];
		char id[32], name[128];
		printf(_("\nexpert %s "), out_field(e, "expert", id, sizeof id));
		out_field(e, "name", name, sizeof name);
		out_text(stdout, name, strlen(name));
		printf(": ");
		/* Each item holds its ledger's keys itself (PROTOCOL.md 7.12.13). */
		cmd_print_ledger(e);
	}
	printf(_("\nReinstate (expertctl pool reinstate ID --reason R) or revoke "
	       "(expertctl pool revoke ID --reason R).\n"));
}

int cmd_flagged(struct ctl *ctl, int argc, char **argv)
{
	return ctl_run_show(ctl, argc, argv, PROTO_OP_FLAGGED_LIST, ledger_print_flagged);
}
